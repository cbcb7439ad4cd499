package agebench

import (
	"bytes"
	"fmt"
	"io"
	"testing"

	"filippo.io/age"

	"github.com/virtengine/sdk/envelope"
)

// The same data for both: deterministic, incompressible enough to defeat nothing (ciphers do not care).
func data(n int64) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*31 + i>>8)
	}
	return b
}

type fixture struct {
	veID     *envelope.HPKEIdentity
	veSigner *envelope.SigningKey
	ageID    *age.X25519Identity
	veXW     *envelope.HPKEIdentity
	ageHy    *age.HybridIdentity
}

func newFixture(tb testing.TB) *fixture {
	veID, err := envelope.GenerateIdentity(envelope.X25519)
	if err != nil {
		tb.Fatal(err)
	}
	veXW, err := envelope.GenerateIdentity(envelope.XWing)
	if err != nil {
		tb.Fatal(err)
	}
	sk, err := envelope.GenerateSigningKey(envelope.Ed25519)
	if err != nil {
		tb.Fatal(err)
	}
	ageID, err := age.GenerateX25519Identity()
	if err != nil {
		tb.Fatal(err)
	}
	ageHy, err := age.GenerateHybridIdentity()
	if err != nil {
		tb.Fatal(err)
	}
	return &fixture{veID: veID, veSigner: sk, ageID: ageID, veXW: veXW, ageHy: ageHy}
}

func (f *fixture) veSeal(dst io.Writer, src io.Reader) error {
	w, err := envelope.NewWriter(dst, f.veSigner, []envelope.Recipient{f.veID.Recipient()}, nil)
	if err != nil {
		return err
	}
	if _, err := io.Copy(w, src); err != nil {
		return err
	}
	return w.Close()
}

func (f *fixture) ageSeal(dst io.Writer, src io.Reader) error {
	w, err := age.Encrypt(dst, f.ageID.Recipient())
	if err != nil {
		return err
	}
	if _, err := io.Copy(w, src); err != nil {
		return err
	}
	return w.Close()
}

func (f *fixture) veOpen(dst io.Writer, src io.Reader) error {
	r, err := envelope.NewReader(src, f.veID, nil)
	if err != nil {
		return err
	}
	_, err = io.Copy(dst, r)
	return err
}

func (f *fixture) ageOpen(dst io.Writer, src io.Reader) error {
	r, err := age.Decrypt(src, f.ageID)
	if err != nil {
		return err
	}
	_, err = io.Copy(dst, r)
	return err
}

var sizes = []struct {
	name string
	n    int64
}{{"1MiB", 1 << 20}, {"64MiB", 64 << 20}}

func BenchmarkSeal(b *testing.B) {
	f := newFixture(b)
	for _, s := range sizes {
		pt := data(s.n)
		for _, impl := range []struct {
			name string
			seal func(io.Writer, io.Reader) error
		}{{"virtengine", f.veSeal}, {"age", f.ageSeal}} {
			b.Run(s.name+"/"+impl.name, func(b *testing.B) {
				b.SetBytes(s.n)
				for i := 0; i < b.N; i++ {
					if err := impl.seal(io.Discard, bytes.NewReader(pt)); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

func BenchmarkOpen(b *testing.B) {
	f := newFixture(b)
	for _, s := range sizes {
		pt := data(s.n)
		var ve, ag bytes.Buffer
		if err := f.veSeal(&ve, bytes.NewReader(pt)); err != nil {
			b.Fatal(err)
		}
		if err := f.ageSeal(&ag, bytes.NewReader(pt)); err != nil {
			b.Fatal(err)
		}
		for _, impl := range []struct {
			name string
			env  []byte
			open func(io.Writer, io.Reader) error
		}{{"virtengine", ve.Bytes(), f.veOpen}, {"age", ag.Bytes(), f.ageOpen}} {
			b.Run(s.name+"/"+impl.name, func(b *testing.B) {
				b.SetBytes(s.n)
				for i := 0; i < b.N; i++ {
					if err := impl.open(io.Discard, bytes.NewReader(impl.env)); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkHeader seals an empty payload for N recipients: the cost of the header (one KEM
// encapsulation per recipient; ours includes the signature).
func BenchmarkHeader(b *testing.B) {
	f := newFixture(b)
	for _, n := range []int{1, 10, 100, 1000} {
		veX := make([]envelope.Recipient, n)
		veXW := make([]envelope.Recipient, n)
		agX := make([]age.Recipient, n)
		agHy := make([]age.Recipient, n)
		for i := 0; i < n; i++ {
			veX[i], veXW[i], agX[i], agHy[i] = f.veID.Recipient(), f.veXW.Recipient(), f.ageID.Recipient(), f.ageHy.Recipient()
		}
		for _, c := range []struct {
			name string
			run  func() error
		}{
			{"x25519/virtengine", func() error { _, err := envelope.Seal(nil, f.veSigner, veX, nil); return err }},
			{"x25519/age", func() error { return ageSealN(agX) }},
			{"hybridpq/virtengine", func() error { _, err := envelope.Seal(nil, f.veSigner, veXW, nil); return err }},
			{"hybridpq/age", func() error { return ageSealN(agHy) }},
		} {
			if n == 1000 && testing.Short() {
				continue
			}
			b.Run(fmt.Sprintf("%d/%s", n, c.name), func(b *testing.B) {
				for i := 0; i < b.N; i++ {
					if err := c.run(); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

func ageSealN(rs []age.Recipient) error {
	w, err := age.Encrypt(io.Discard, rs...)
	if err != nil {
		return err
	}
	return w.Close()
}
