package zk

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"sync"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark/backend/groth16"
	groth16bn254 "github.com/consensys/gnark/backend/groth16/bn254"
	"github.com/consensys/gnark/backend/plonk"
	"github.com/consensys/gnark/constraint"
	"github.com/consensys/gnark/frontend"
	"github.com/consensys/gnark/frontend/cs/r1cs"
	"github.com/consensys/gnark/frontend/cs/scs"
	"github.com/consensys/gnark/test/unsafekzg"
)

// Backend is a proving system for the circuit, both over BN254.
type Backend string

const (
	// Groth16 is the default: 128-byte proofs, the fastest verification, a per-circuit setup
	// (development setup or the multi-party ceremony of ceremony.go).
	Groth16 Backend = "groth16"
	// PLONK uses a universal KZG setup; proofs are larger and verification slower.
	PLONK Backend = "plonk"
)

func (b Backend) valid() error {
	if b != Groth16 && b != PLONK {
		return fmt.Errorf("%w: %q (use %q or %q)", ErrUnknownBackend, string(b), Groth16, PLONK)
	}
	return nil
}

var (
	compileMu  sync.Mutex
	compileOut = map[Backend]constraint.ConstraintSystem{}
)

// compile returns the constraint system of the circuit for b, compiled once per process.
func compile(b Backend) (constraint.ConstraintSystem, error) {
	if err := b.valid(); err != nil {
		return nil, err
	}
	compileMu.Lock()
	defer compileMu.Unlock()
	if cs, ok := compileOut[b]; ok {
		return cs, nil
	}
	var cs constraint.ConstraintSystem
	var err error
	if b == PLONK {
		cs, err = frontend.Compile(ecc.BN254.ScalarField(), scs.NewBuilder, &Circuit{})
	} else {
		cs, err = frontend.Compile(ecc.BN254.ScalarField(), r1cs.NewBuilder, &Circuit{})
	}
	if err != nil {
		return nil, fmt.Errorf("zk: compiling %s for %s: %w", CircuitVersion, b, err)
	}
	compileOut[b] = cs
	return cs, nil
}

// ConstraintCount returns the number of constraints of the circuit (CircuitVersion) under backend b (R1CS for
// Groth16, PLONK gates for PLONK).
func ConstraintCount(b Backend) (int, error) {
	cs, err := compile(b)
	if err != nil {
		return 0, err
	}
	return cs.GetNbConstraints(), nil
}

// ProvingKey is what a wallet needs to prove. Unsafe is true when it comes from SetupUnsafe.
type ProvingKey struct {
	Backend Backend
	Unsafe  bool
	g16     groth16.ProvingKey
	plonk   plonk.ProvingKey
}

// VerifyingKey is what a relying party (or the node's proofs module) registers to verify. Unsafe is
// true when it comes from SetupUnsafe; Verifier refuses such keys unless told otherwise.
type VerifyingKey struct {
	Backend Backend
	Unsafe  bool
	g16     groth16.VerifyingKey
	plonk   plonk.VerifyingKey
}

// SetupUnsafe runs a development setup for backend b. UNSAFE: this process knows the toxic waste
// (the trapdoor), so anyone who ran it can forge proofs. Use it for tests and local development only;
// production keys come from the ceremony (NewCeremony). Both keys are marked Unsafe.
func SetupUnsafe(b Backend) (*ProvingKey, *VerifyingKey, error) {
	cs, err := compile(b)
	if err != nil {
		return nil, nil, err
	}
	pk, vk := &ProvingKey{Backend: b, Unsafe: true}, &VerifyingKey{Backend: b, Unsafe: true}
	switch b {
	case Groth16:
		pk.g16, vk.g16, err = groth16.Setup(cs)
	case PLONK:
		srs, lagrange, e := unsafekzg.NewSRS(cs)
		if e != nil {
			return nil, nil, fmt.Errorf("zk: UNSAFE development SRS: %w", e)
		}
		pk.plonk, vk.plonk, err = plonk.Setup(cs, srs, lagrange)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("zk: UNSAFE development setup: %w", err)
	}
	return pk, vk, nil
}

// Key file format (CIRCUITS.md §6): magic "VEZK", kind byte ('P' proving, 'V' verifying), version
// string (u8 length + bytes), backend string (u8 length + bytes), flags byte (bit 0: unsafe), then
// gnark's own encoding of the key.
const keyMagic = "VEZK"

func writeKeyHeader(w *bytes.Buffer, kind byte, b Backend, unsafe bool) {
	w.WriteString(keyMagic)
	w.WriteByte(kind)
	w.WriteByte(byte(len(CircuitVersion)))
	w.WriteString(CircuitVersion)
	w.WriteByte(byte(len(b)))
	w.WriteString(string(b))
	var flags byte
	if unsafe {
		flags = 1
	}
	w.WriteByte(flags)
}

func readKeyHeader(r *bytes.Reader, kind byte) (Backend, bool, error) {
	magic := make([]byte, len(keyMagic)+1)
	if _, err := io.ReadFull(r, magic); err != nil || string(magic[:4]) != keyMagic || magic[4] != kind {
		return "", false, fmt.Errorf("%w: not a VirtEngine zk key of this kind", ErrMalformed)
	}
	readStr := func() (string, error) {
		n, err := r.ReadByte()
		if err != nil {
			return "", err
		}
		s := make([]byte, n)
		_, err = io.ReadFull(r, s)
		return string(s), err
	}
	v, err := readStr()
	if err != nil {
		return "", false, fmt.Errorf("%w: key header", ErrMalformed)
	}
	if v != CircuitVersion {
		return "", false, fmt.Errorf("%w: key is for %q, want %q", ErrVersion, v, CircuitVersion)
	}
	bs, err := readStr()
	if err != nil {
		return "", false, fmt.Errorf("%w: key header", ErrMalformed)
	}
	b := Backend(bs)
	if err := b.valid(); err != nil {
		return "", false, err
	}
	flags, err := r.ReadByte()
	if err != nil || flags > 1 {
		return "", false, fmt.Errorf("%w: key flags", ErrMalformed)
	}
	return b, flags == 1, nil
}

// MarshalBinary encodes the verifying key.
func (vk *VerifyingKey) MarshalBinary() ([]byte, error) {
	if !vk.ready() {
		return nil, fmt.Errorf("%w: empty verifying key", ErrInvalidKey)
	}
	var buf bytes.Buffer
	writeKeyHeader(&buf, 'V', vk.Backend, vk.Unsafe)
	var err error
	switch vk.Backend {
	case Groth16:
		_, err = vk.g16.WriteTo(&buf)
	case PLONK:
		_, err = vk.plonk.WriteTo(&buf)
	default:
		err = ErrUnknownBackend
	}
	return buf.Bytes(), err
}

// UnmarshalBinary decodes a key encoded by MarshalBinary.
func (vk *VerifyingKey) UnmarshalBinary(data []byte) error {
	r := bytes.NewReader(data)
	b, unsafe, err := readKeyHeader(r, 'V')
	if err != nil {
		return err
	}
	out := VerifyingKey{Backend: b, Unsafe: unsafe}
	prescan := prescanGroth16VK
	if b == PLONK {
		prescan = prescanPlonkVK
	}
	if err := prescan(data[len(data)-r.Len():]); err != nil {
		return err
	}
	err = guardDecode("verifying key", func() error {
		var err error
		switch b {
		case Groth16:
			out.g16 = groth16.NewVerifyingKey(ecc.BN254)
			_, err = out.g16.ReadFrom(r)
		case PLONK:
			out.plonk = plonk.NewVerifyingKey(ecc.BN254)
			_, err = out.plonk.ReadFrom(r)
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("%w: verifying key: %v", ErrMalformed, err)
	}
	if r.Len() != 0 {
		return fmt.Errorf("%w: trailing bytes after verifying key", ErrMalformed)
	}
	*vk = out
	return nil
}

// MarshalBinary encodes the proving key.
func (pk *ProvingKey) MarshalBinary() ([]byte, error) {
	if !pk.ready() {
		return nil, fmt.Errorf("%w: empty proving key", ErrInvalidKey)
	}
	var buf bytes.Buffer
	writeKeyHeader(&buf, 'P', pk.Backend, pk.Unsafe)
	var err error
	switch pk.Backend {
	case Groth16:
		_, err = pk.g16.WriteTo(&buf)
	case PLONK:
		_, err = pk.plonk.WriteTo(&buf)
	default:
		err = ErrUnknownBackend
	}
	return buf.Bytes(), err
}

// UnmarshalBinary decodes a key encoded by MarshalBinary.
func (pk *ProvingKey) UnmarshalBinary(data []byte) error {
	r := bytes.NewReader(data)
	b, unsafe, err := readKeyHeader(r, 'P')
	if err != nil {
		return err
	}
	out := ProvingKey{Backend: b, Unsafe: unsafe}
	err = guardDecode("proving key", func() error {
		var err error
		switch b {
		case Groth16:
			out.g16 = groth16.NewProvingKey(ecc.BN254)
			_, err = out.g16.ReadFrom(r)
		case PLONK:
			out.plonk = plonk.NewProvingKey(ecc.BN254)
			_, err = out.plonk.ReadFrom(r)
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("%w: proving key: %v", ErrMalformed, err)
	}
	if r.Len() != 0 {
		return fmt.Errorf("%w: trailing bytes after proving key", ErrMalformed)
	}
	*pk = out
	return nil
}

// encodeGroth16Proof writes A ‖ B ‖ C compressed (128 bytes). The circuit uses no commitments.
func encodeGroth16Proof(p groth16.Proof) ([]byte, error) {
	gp, ok := p.(*groth16bn254.Proof)
	if !ok || len(gp.Commitments) != 0 {
		return nil, fmt.Errorf("zk: unexpected Groth16 proof type")
	}
	out := make([]byte, 0, Groth16ProofSize)
	a, b, c := gp.Ar.Bytes(), gp.Bs.Bytes(), gp.Krs.Bytes()
	out = append(out, a[:]...)
	out = append(out, b[:]...)
	return append(out, c[:]...), nil
}

// decodeGroth16Proof parses 128 bytes; each point must be canonical, on the curve and in its subgroup.
func decodeGroth16Proof(data []byte) (groth16.Proof, error) {
	if len(data) != Groth16ProofSize {
		return nil, fmt.Errorf("%w: Groth16 proof must be %d bytes, got %d", ErrMalformed, Groth16ProofSize, len(data))
	}
	var p groth16bn254.Proof
	if _, err := p.Ar.SetBytes(data[:32]); err != nil {
		return nil, fmt.Errorf("%w: proof point A: %v", ErrMalformed, err)
	}
	if _, err := p.Bs.SetBytes(data[32:96]); err != nil {
		return nil, fmt.Errorf("%w: proof point B: %v", ErrMalformed, err)
	}
	if _, err := p.Krs.SetBytes(data[96:]); err != nil {
		return nil, fmt.Errorf("%w: proof point C: %v", ErrMalformed, err)
	}
	if !p.Ar.IsInSubGroup() || !p.Bs.IsInSubGroup() || !p.Krs.IsInSubGroup() {
		return nil, fmt.Errorf("%w: proof point not in subgroup", ErrMalformed)
	}
	return &p, nil
}

// encodePlonkProof uses gnark's encoding of the PLONK proof.
func encodePlonkProof(p plonk.Proof) ([]byte, error) {
	var buf bytes.Buffer
	if _, err := p.WriteTo(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func decodePlonkProof(data []byte) (plonk.Proof, error) {
	if err := prescanPlonkProof(data); err != nil {
		return nil, err
	}
	p := plonk.NewProof(ecc.BN254)
	r := bytes.NewReader(data)
	if err := guardDecode("PLONK proof", func() error {
		if _, err := p.ReadFrom(r); err != nil {
			return fmt.Errorf("%w: PLONK proof: %v", ErrMalformed, err)
		}
		return nil
	}); err != nil {
		return nil, err
	}
	if r.Len() != 0 {
		return nil, fmt.Errorf("%w: trailing bytes after PLONK proof", ErrMalformed)
	}
	return p, nil
}

// Fingerprint identifies the verifying key: SHA-256 of its encoding, hex. A node registers keys under
// it and a relying party can pin it.
func (vk *VerifyingKey) Fingerprint() (string, error) {
	b, err := vk.MarshalBinary()
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), nil
}

// ready reports whether the key holds key material for its backend (a zero ProvingKey does not).
func (pk *ProvingKey) ready() bool {
	return pk != nil && ((pk.Backend == Groth16 && pk.g16 != nil) || (pk.Backend == PLONK && pk.plonk != nil))
}

func (vk *VerifyingKey) ready() bool {
	return vk != nil && ((vk.Backend == Groth16 && vk.g16 != nil) || (vk.Backend == PLONK && vk.plonk != nil))
}
