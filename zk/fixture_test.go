package zk

import (
	"math/rand/v2"
	"sync"
	"testing"
	"time"
)

// testRand is a deterministic randomness source for fixtures.
func testRand(seed byte) *rand.ChaCha8 {
	var s [32]byte
	s[0] = seed
	return rand.NewChaCha8(s)
}

var testToday = Day(2026, time.November, 28)

// fixture is one issuer, holder, revocation tree and credential shared by the tests.
type fixture struct {
	issuer *IssuerPrivateKey
	holder *HolderSecret
	tree   *RevocationTree
	cred   *Credential
}

var (
	fixOnce sync.Once
	fix     fixture
)

func testFixture(t testing.TB) *fixture {
	t.Helper()
	fixOnce.Do(func() {
		var err error
		if fix.issuer, err = GenerateIssuerKey(testRand(1)); err != nil {
			panic(err)
		}
		if fix.holder, err = GenerateHolderSecret(testRand(2)); err != nil {
			panic(err)
		}
		fix.tree = NewRevocationTree()
		for range 3 { // a few other credentials, one revoked
			idx, _ := fix.tree.Allocate()
			if idx == 1 {
				if _, err := fix.tree.Revoke(idx); err != nil {
					panic(err)
				}
			}
		}
		idx, _ := fix.tree.Allocate()
		fix.cred, err = Issue(fix.issuer, fix.attrs(idx), testRand(3))
		if err != nil {
			panic(err)
		}
	})
	return &fix
}

// attrs are a verified adult in Germany (276) with email and document flags.
func (f *fixture) attrs(revIndex uint32) Attributes {
	return Attributes{
		BirthDate:       Day(1990, time.May, 17),
		Country:         276,
		Score:           82,
		Tier:            2,
		Flags:           FlagEmail | FlagDocument | FlagBiometric,
		IssuedAt:        Day(2026, time.January, 10),
		ExpiresAt:       Day(2027, time.January, 10),
		RevocationIndex: revIndex,
		HolderKey:       f.holder.PublicKey(),
	}
}

// fullRequest switches every statement on: the standard presentation of TARGETS.md.
func (f *fixture) fullRequest(t testing.TB) *Request {
	t.Helper()
	req, err := NewRequest("https://shop.example", testToday, f.issuer.Public())
	if err != nil {
		t.Fatal(err)
	}
	root := f.tree.Root()
	req.RevocationRoot = &root
	req.MinAge = 18
	req.NotExpired = true
	min70 := uint32(70)
	req.Ranges = []Range{{Attribute: "score", Min: &min70}}
	req.Countries = []uint16{40, 56, 250, 276, 380, 528}
	req.RequiredFlags = FlagEmail | FlagDocument
	req.Disclose = []string{"tier"}
	req.HolderBinding = true
	req.Nullifier = true
	return req
}

// euCountries are the 27 EU members and the 3 other EEA states: a set too large for the inline
// list, so it uses the Merkle-root mode.
var euCountries = []uint16{40, 56, 100, 191, 196, 203, 208, 233, 246, 250, 276, 300, 348, 372, 380, 428,
	440, 442, 470, 528, 616, 620, 642, 703, 705, 724, 752, 352, 438, 578}

// setRequest is fullRequest with the large (Merkle-root) country set on as well: every statement
// of the circuit is on.
func (f *fixture) setRequest(t testing.TB) *Request {
	t.Helper()
	req := f.fullRequest(t)
	req.CountrySet = euCountries
	return req
}

func (f *fixture) path() *RevocationPath {
	p := f.tree.Path(f.cred.Attributes.RevocationIndex)
	return &p
}

var (
	g16Once sync.Once
	g16PK   *ProvingKey
	g16VK   *VerifyingKey
	g16Err  error
)

// groth16Keys returns one UNSAFE development key pair shared by all tests.
func groth16Keys(t testing.TB) (*ProvingKey, *VerifyingKey) {
	t.Helper()
	g16Once.Do(func() { g16PK, g16VK, g16Err = SetupUnsafe(Groth16) })
	if g16Err != nil {
		t.Fatal(g16Err)
	}
	return g16PK, g16VK
}

func timeUnix(s int64) time.Time { return time.Unix(s, 0) }
