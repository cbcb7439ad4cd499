package zk

import (
	"fmt"
	"math/big"
	"slices"

	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
	"github.com/consensys/gnark-crypto/ecc/bn254/twistededwards"
	"github.com/consensys/gnark/frontend"
)

// NumPublicInputs is the number of public inputs of the circuit (CIRCUITS.md §3.0).
const NumPublicInputs = 5 + 2*NumRanges + MaxCountrySet + 4 + NumAttributes + 1

// publicNames names every public input, in circuit order.
var publicNames = func() []string {
	n := []string{"issuer_x", "issuer_y", "nonce", "audience", "statements"}
	for _, a := range rangeAttributes {
		n = append(n, "lo["+attributeNames[a]+"]")
	}
	for _, a := range rangeAttributes {
		n = append(n, "hi["+attributeNames[a]+"]")
	}
	for i := range MaxCountrySet {
		n = append(n, fmt.Sprintf("countries[%d]", i))
	}
	n = append(n, "country_root", "revocation_root", "required_flags", "disclose_mask")
	for _, a := range attributeNames {
		n = append(n, "disclosed["+a+"]")
	}
	return append(n, "nullifier")
}()

// publicRefs returns pointers to the public fields of c in circuit (declaration) order.
func (c *Circuit) publicRefs() []*frontend.Variable {
	r := []*frontend.Variable{&c.IssuerX, &c.IssuerY, &c.Nonce, &c.Audience, &c.Statements}
	for i := range c.Lo {
		r = append(r, &c.Lo[i])
	}
	for i := range c.Hi {
		r = append(r, &c.Hi[i])
	}
	for i := range c.Countries {
		r = append(r, &c.Countries[i])
	}
	r = append(r, &c.CountryRoot, &c.RevocationRoot, &c.RequiredFlags, &c.DiscloseMask)
	for i := range c.Disclosed {
		r = append(r, &c.Disclosed[i])
	}
	return append(r, &c.Nullifier)
}

// revealed is what a presentation adds to the request to form the public inputs.
type revealed struct {
	issuer    *IssuerPublicKey // nil when the signature statement is off
	disclosed [NumAttributes]fr.Element
	nullifier fr.Element
}

// identityPoint is (0, 1), the neutral point, used as the issuer key when no issuer is required.
var identityPoint = func() twistededwards.PointAffine {
	var p twistededwards.PointAffine
	p.Y.SetOne()
	return p
}()

// publicInputs derives the public-input vector from the request and what the presentation reveals.
func publicInputs(req *Request, rv *revealed) []fr.Element {
	v := make([]fr.Element, 0, NumPublicInputs)
	a := identityPoint
	if rv.issuer != nil {
		a = rv.issuer.p.A
	}
	v = append(v, a.X, a.Y, req.nonceElement(), audienceElement(req.Audience), u64(req.statements()))
	lo, hi := req.bounds()
	for _, x := range lo {
		v = append(v, u64(uint64(x)))
	}
	for _, x := range hi {
		v = append(v, u64(uint64(x)))
	}
	for i := range MaxCountrySet {
		var c uint16
		if len(req.Countries) > 0 {
			c = req.Countries[min(i, len(req.Countries)-1)] // pad by repeating the last code
		}
		v = append(v, u64(uint64(c)))
	}
	var croot, root fr.Element
	if t := req.countryTree(); t != nil {
		croot = t.root()
	}
	if req.RevocationRoot != nil {
		root, _ = req.RevocationRoot.element()
	}
	v = append(v, croot, root, u64(uint64(req.RequiredFlags)), u64(req.discloseMask()))
	v = append(v, rv.disclosed[:]...)
	return append(v, rv.nullifier)
}

func assignPublic(c *Circuit, v []fr.Element) {
	for i, ref := range c.publicRefs() {
		*ref = bigOf(v[i])
	}
}

// UnsatisfiedError says which statement of a request a credential does not satisfy. Prove returns it
// before any proving work; it wraps ErrUnsatisfied.
type UnsatisfiedError struct {
	Statement string // "issuer", "age", "not_expired", "range:<attr>", "country", "country_set", "flags", "not_revoked", "holder", "nullifier"
	Msg       string
	// Cause, when set, is a more specific sentinel: ErrCredentialExpired ("not_expired" failing
	// because ExpiresAt ≤ Today) or ErrCredentialRevoked ("not_revoked" failing because the
	// credential's slot is revoked). errors.Is matches both ErrUnsatisfied and Cause.
	Cause error
}

func (e *UnsatisfiedError) Error() string {
	return fmt.Sprintf("%v: %s: %s", ErrUnsatisfied, e.Statement, e.Msg)
}
func (e *UnsatisfiedError) Unwrap() error { return ErrUnsatisfied }

// Is reports whether target is the error's Cause (errors.Is finds ErrUnsatisfied through Unwrap).
func (e *UnsatisfiedError) Is(target error) bool { return e.Cause != nil && target == e.Cause }

func unsat(stmt, format string, args ...any) error {
	return &UnsatisfiedError{Statement: stmt, Msg: fmt.Sprintf(format, args...)}
}

// CheckCredential evaluates every statement of req on the credential natively, without proving, and
// returns an *UnsatisfiedError naming the first one that fails.
func CheckCredential(req *Request, cred *Credential, holder *HolderSecret, rev *RevocationPath) error {
	if req == nil {
		return fmt.Errorf("%w: nil request", ErrInvalidRequest)
	}
	if err := req.Validate(); err != nil {
		return err
	}
	if cred == nil {
		return fmt.Errorf("%w: nil credential", ErrInvalidAttribute)
	}
	s := req.statements()
	if s&StmtSignature != 0 {
		if err := cred.Verify(); err != nil {
			return unsat("issuer", "%v", err)
		}
		if !req.accepts(cred.Issuer) {
			return unsat("issuer", "issuer %s is not accepted by the request", cred.Issuer)
		}
	} else if err := cred.Attributes.Validate(); err != nil {
		return err
	}
	a := &cred.Attributes
	el := a.elements()
	lo, hi := req.bounds()
	for i, attr := range rangeAttributes {
		x := el[attr]
		if x.Cmp(ptr(u64(uint64(lo[i])))) < 0 || x.Cmp(ptr(u64(uint64(hi[i])))) > 0 {
			name := "range:" + attributeNames[attr]
			var cause error
			switch {
			case attr == AttrBirthDate && req.MinAge > 0 && x.Cmp(ptr(u64(uint64(AgeCutoff(req.Today, req.MinAge))))) > 0:
				name = "age"
			case attr == AttrExpiresAt && req.NotExpired && x.Cmp(ptr(u64(uint64(req.Today)))) <= 0:
				name, cause = "not_expired", ErrCredentialExpired
			case (attr == AttrExpiresAt || attr == AttrIssuedAt) && req.NotExpired:
				name = "not_expired"
			}
			return &UnsatisfiedError{Statement: name, Cause: cause,
				Msg: fmt.Sprintf("%s = %d is outside [%d, %d]", attributeNames[attr], x.Uint64(), lo[i], hi[i])}
		}
	}
	if s&StmtCountry != 0 && !slices.Contains(req.Countries, a.Country) {
		return unsat("country", "country %d is not in the requested set", a.Country)
	}
	if s&StmtCountryRoot != 0 && !req.countryTree().Contains(a.Country) {
		return unsat("country_set", "country %d is not in the requested set of %d", a.Country, len(req.countryTree().codes))
	}
	if a.Flags&req.RequiredFlags != req.RequiredFlags {
		return unsat("flags", "flags %#x lack required %#x", a.Flags, req.RequiredFlags)
	}
	if s&StmtNotRevoked != 0 {
		if rev == nil {
			return unsat("not_revoked", "the request needs a revocation path from the issuer")
		}
		if rev.Index != a.RevocationIndex {
			return unsat("not_revoked", "revocation path is for slot %d, credential has %d", rev.Index, a.RevocationIndex)
		}
		if rev.Leaf != (Scalar{}) {
			return &UnsatisfiedError{Statement: "not_revoked", Cause: ErrCredentialRevoked,
				Msg: fmt.Sprintf("credential slot %d is revoked", rev.Index)}
		}
		root, err := rev.Root()
		if err != nil {
			return unsat("not_revoked", "%v", err)
		}
		if root != *req.RevocationRoot {
			return unsat("not_revoked", "revocation path leads to %s, the request accepts %s", root, req.RevocationRoot)
		}
	}
	if s&(StmtHolder|StmtNullifier) != 0 {
		if holder == nil {
			return unsat("holder", "the request needs the holder secret")
		}
		if holder.PublicKey() != a.HolderKey {
			return unsat("holder", "holder secret does not match the credential's holder key")
		}
	}
	return nil
}

func ptr(e fr.Element) *fr.Element { return &e }

// reveal returns what a presentation of cred for req makes public.
func reveal(req *Request, cred *Credential, holder *HolderSecret) *revealed {
	rv := &revealed{}
	if req.statements()&StmtSignature != 0 {
		iss := cred.Issuer
		rv.issuer = &iss
	}
	el := cred.Attributes.elements()
	mask := req.discloseMask()
	for i := range NumAttributes {
		if mask>>i&1 == 1 {
			rv.disclosed[i] = el[i]
		}
	}
	if req.Nullifier && holder != nil {
		rv.nullifier, _ = holder.Nullifier(req.Audience).element()
	}
	return rv
}

// buildAssignment returns the full witness without checking the statements (CheckCredential does).
func buildAssignment(req *Request, cred *Credential, holder *HolderSecret, rev *RevocationPath) (*Circuit, []fr.Element, error) {
	c := &Circuit{}
	pub := publicInputs(req, reveal(req, cred, holder))
	assignPublic(c, pub)
	el := cred.Attributes.elements()
	for i := range el {
		c.Attr[i] = bigOf(el[i])
	}
	rnd, err := cred.Randomness.element()
	if err != nil {
		return nil, nil, err
	}
	c.Randomness = bigOf(rnd)
	c.SigRX, c.SigRY, c.SigS = 0, 1, 0 // a signature of the neutral key when no issuer is required
	if req.statements()&StmtSignature != 0 {
		var sig sigParts
		if err := sig.parse(cred.Signature); err != nil {
			return nil, nil, err
		}
		c.SigRX, c.SigRY, c.SigS = sig.rx, sig.ry, sig.s
	}
	c.HolderSecret = 0
	if holder != nil {
		c.HolderSecret = bigOf(holder.s)
	}
	for k := range c.RevPath {
		for i := range c.RevPath[k] {
			c.RevPath[k][i] = 0
			if rev != nil {
				e, err := rev.Siblings[k][i].element()
				if err != nil {
					return nil, nil, err
				}
				c.RevPath[k][i] = bigOf(e)
			}
		}
	}
	var cp CountryPath // position 0 and zero siblings when the statement is off
	if t := req.countryTree(); t != nil {
		if p, err := t.Path(cred.Attributes.Country); err == nil {
			cp = *p
		}
	}
	c.CountryPos = int(cp.Position)
	for k := range c.CountryPath {
		for i := range c.CountryPath[k] {
			e, err := cp.Siblings[k][i].element()
			if err != nil {
				return nil, nil, err
			}
			c.CountryPath[k][i] = bigOf(e)
		}
	}
	return c, pub, nil
}

type sigParts struct{ rx, ry, s *big.Int }

// parse splits a gnark-crypto EdDSA signature (R compressed ‖ S big-endian) into circuit inputs.
func (p *sigParts) parse(b []byte) error {
	if len(b) != 64 {
		return fmt.Errorf("%w: signature must be 64 bytes", ErrInvalidSignature)
	}
	var r twistededwards.PointAffine
	if _, err := r.SetBytes(b[:32]); err != nil {
		return fmt.Errorf("%w: signature R: %v", ErrInvalidSignature, err)
	}
	p.rx, p.ry = bigOf(r.X), bigOf(r.Y)
	p.s = new(big.Int).SetBytes(b[32:])
	return nil
}
