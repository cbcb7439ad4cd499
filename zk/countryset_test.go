package zk

import (
	"encoding/json"
	"errors"
	"math/big"
	"slices"
	"sync"
	"testing"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
	"github.com/consensys/gnark/frontend"
	"github.com/consensys/gnark/test"
)

func TestCountryTree(t *testing.T) {
	tr, err := NewCountryTree(euCountries)
	if err != nil {
		t.Fatal(err)
	}
	// the root depends on the set only
	shuffled := slices.Clone(euCountries)
	slices.Reverse(shuffled)
	shuffled = append(shuffled, 276, 40)
	if r, err := CountrySetRoot(shuffled); err != nil || r != tr.Root() {
		t.Fatalf("root depends on order or repetitions: %v", err)
	}
	if !slices.IsSorted(tr.Codes()) || len(tr.Codes()) != len(euCountries) {
		t.Fatalf("codes %v", tr.Codes())
	}
	for _, c := range euCountries {
		p, err := tr.Path(c)
		if err != nil {
			t.Fatal(err)
		}
		if r, err := p.Root(c); err != nil || r != tr.Root() {
			t.Fatalf("path of %d does not lead to the root", c)
		}
		// the path of one member does not prove another country
		if r, _ := p.Root(c + 1); r == tr.Root() {
			t.Fatalf("path of %d proves %d", c, c+1)
		}
	}
	var ue *UnsatisfiedError
	if _, err := tr.Path(840); !errors.As(err, &ue) || ue.Statement != "country_set" {
		t.Fatalf("path of a non-member: %v", err)
	}
	// a tampered sibling or position leads elsewhere
	p, _ := tr.Path(276)
	bad := *p
	bad.Siblings[2][1][31] ^= 1
	if r, _ := bad.Root(276); r == tr.Root() {
		t.Fatal("tampered sibling still leads to the root")
	}
	bad = *p
	bad.Position ^= 1
	if r, _ := bad.Root(276); r == tr.Root() {
		t.Fatal("tampered position still leads to the root")
	}
	// JSON round trip
	b, _ := json.Marshal(p)
	var p2 CountryPath
	if err := strictUnmarshal(b, &p2); err != nil || p2 != *p {
		t.Fatalf("path JSON: %v", err)
	}
	// sizes and codes
	all := make([]uint16, 0, MaxCountryTreeSet)
	for c := uint16(1); len(all) < MaxCountryTreeSet; c += 3 {
		all = append(all, c)
	}
	full, err := NewCountryTree(all)
	if err != nil {
		t.Fatal(err)
	}
	if p, err := full.Path(all[MaxCountryTreeSet-1]); err != nil || p.Position != MaxCountryTreeSet-1 {
		t.Fatalf("last leaf of a full tree: %v", err)
	}
	single, _ := NewCountryTree([]uint16{276})
	if p, err := single.Path(276); err != nil || p.Position != 0 {
		t.Fatal("one-country set")
	}
	for _, codes := range [][]uint16{nil, {0}, {1000}, append(all, 999)} {
		if _, err := NewCountryTree(codes); !errors.Is(err, ErrInvalidRequest) {
			t.Fatalf("set of %d codes accepted: %v", len(codes), err)
		}
	}
}

// TestMerkleStepCircuit: the in-circuit 4-ary step computes the native one at every position.
func TestMerkleStepCircuit(t *testing.T) {
	sib := [3]fr.Element{u64(11), u64(22), u64(33)}
	for pos := range uint(4) {
		want := merkleStep(u64(7), pos, &sib)
		c := &merkleStepCircuit{Node: 7, B0: pos & 1, B1: pos >> 1, S: [3]frontend.Variable{11, 22, 33}, Want: bigOf(want)}
		if err := test.IsSolved(&merkleStepCircuit{}, c, ecc.BN254.ScalarField()); err != nil {
			t.Fatalf("position %d: %v", pos, err)
		}
		c.Want = bigOf(merkleStep(u64(7), (pos+1)%4, &sib))
		if err := test.IsSolved(&merkleStepCircuit{}, c, ecc.BN254.ScalarField()); err == nil {
			t.Fatalf("position %d solved with the parent of position %d", pos, (pos+1)%4)
		}
	}
}

type merkleStepCircuit struct {
	Node, B0, B1 frontend.Variable
	S            [3]frontend.Variable
	Want         frontend.Variable `gnark:",public"`
}

func (c *merkleStepCircuit) Define(api frontend.API) error {
	m := newMerkleCircuit(api)
	api.AssertIsBoolean(c.B0)
	api.AssertIsBoolean(c.B1)
	api.AssertIsEqual(m.step(c.Node, c.B0, c.B1, c.S), c.Want)
	return nil
}

var (
	setPresOnce sync.Once
	setPres     *Presentation
	setPresErr  error
)

// TestCountrySetStatement: the Merkle-root country statement proves and verifies; a country not in
// the set, a wrong root and a tampered path are refused by the native check, gnark's test engine,
// the Groth16 prover and the verifier.
func TestCountrySetStatement(t *testing.T) {
	f := testFixture(t)
	pk, _ := groth16Keys(t)
	field := ecc.BN254.ScalarField()
	req := f.setRequest(t)
	setPresOnce.Do(func() { setPres, setPresErr = Prove(pk, req, f.cred, f.holder, f.path()) })
	if setPresErr != nil {
		t.Fatal(setPresErr)
	}
	root, _ := req.CountrySetRoot()
	if setPres.PublicInputs[publicIndex("country_root")] != root {
		t.Fatal("country_root public input is not the set's root")
	}
	if r := devVerifier(t).Verify(req, setPres, testNow); !r.Valid {
		t.Fatal(r.Err())
	}

	// the same presentation against another set that also holds Germany: the root differs
	other := *req
	other.CountrySet = []uint16{276, 250, 40}
	wantReason(t, devVerifier(t).Verify(&other, setPres, testNow), ReasonStatement)
	// country_root rewritten to the other set's root: the proof does not verify
	moved := *setPres
	moved.PublicInputs = slices.Clone(setPres.PublicInputs)
	moved.PublicInputs[publicIndex("country_root")], _ = other.CountrySetRoot()
	wantReason(t, devVerifier(t).Verify(&other, &moved, testNow), ReasonProof)

	good, pub, err := buildAssignment(req, f.cred, f.holder, f.path())
	if err != nil {
		t.Fatal(err)
	}
	if err := test.IsSolved(&Circuit{}, good, field); err != nil {
		t.Fatalf("true witness: %v", err)
	}
	twins := []struct {
		name   string
		mutate func(a *Circuit)
	}{
		{"wrong root", func(a *Circuit) {
			v := slices.Clone(pub)
			r, _ := other.CountrySetRoot()
			v[publicIndex("country_root")], _ = r.element()
			assignPublic(a, v)
		}},
		{"tampered sibling", func(a *Circuit) {
			a.CountryPath[1][0] = new(big.Int).Add(a.CountryPath[1][0].(*big.Int), big.NewInt(1))
		}},
		{"tampered position", func(a *Circuit) { a.CountryPos = 3 }},
		{"another member's path", func(a *Circuit) {
			p, _ := req.countryTree().Path(250) // France's path, Germany's leaf
			a.CountryPos = int(p.Position)
			for k := range p.Siblings {
				for i := range p.Siblings[k] {
					e, _ := p.Siblings[k][i].element()
					a.CountryPath[k][i] = bigOf(e)
				}
			}
		}},
		{"country not in set", func(a *Circuit) { a.Attr[AttrCountry] = 840 }},
	}
	for _, tw := range twins {
		t.Run(tw.name, func(t *testing.T) {
			a, _, _ := buildAssignment(req, f.cred, f.holder, f.path())
			tw.mutate(a)
			if err := test.IsSolved(&Circuit{}, a, field); err == nil {
				t.Fatal("test engine solved it")
			}
			if _, err := proveAssignment(pk, a); !errors.Is(err, ErrUnsatisfied) {
				t.Fatalf("Groth16 prover: %v", err)
			}
		})
	}

	// off: the set's root is not checked when the request has no country_set
	off := f.fullRequest(t)
	a, _, err := buildAssignment(off, f.cred, f.holder, f.path())
	if err != nil {
		t.Fatal(err)
	}
	a.CountryPos, a.CountryPath[0][0] = 77, 5
	if err := test.IsSolved(&Circuit{}, a, field); err != nil {
		t.Fatalf("statement off, path ignored: %v", err)
	}
}
