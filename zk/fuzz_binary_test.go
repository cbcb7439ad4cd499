package zk

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark/backend/groth16"
	"github.com/consensys/gnark/backend/plonk"
	"github.com/consensys/gnark/frontend"
	"github.com/consensys/gnark/frontend/cs/r1cs"
	"github.com/consensys/gnark/frontend/cs/scs"
	"github.com/consensys/gnark/test/unsafekzg"
)

// Fuzz targets for the binary and text parsers: ceremony files, key files and headers, proofs,
// revocation registries, scalars and signatures. Each never panics, fails with a typed error, and
// whatever decodes re-encodes to the same bytes.

// ceremonySeeds are small (smallCircuit) ceremony files: phase-1 state, sealed result, phase-2
// state, and Groth16 keys of the small circuit.
var ceremonySeeds = sync.OnceValues(func() ([4][]byte, error) {
	var out [4][]byte
	ccs, err := frontend.Compile(ecc.BN254.ScalarField(), r1cs.NewBuilder, &smallCircuit{})
	if err != nil {
		return out, err
	}
	r, err := asR1CS(ccs)
	if err != nil {
		return out, err
	}
	p1, err := startPhase1(domainSize(r)).Contribute()
	if err != nil {
		return out, err
	}
	srs, err := VerifyPhase1([]byte("beacon"), p1)
	if err != nil {
		return out, err
	}
	p2, err := startPhase2(r, srs)
	if err != nil {
		return out, err
	}
	if out[0], err = p1.MarshalBinary(); err != nil {
		return out, err
	}
	if out[1], err = srs.MarshalBinary(); err != nil {
		return out, err
	}
	if out[2], err = p2.MarshalBinary(); err != nil {
		return out, err
	}
	g16pk, _, err := groth16.Setup(ccs)
	if err != nil {
		return out, err
	}
	out[3], err = (&ProvingKey{Backend: Groth16, g16: g16pk}).MarshalBinary()
	return out, err
})

func mustCeremonySeeds(f *testing.F) [4][]byte {
	s, err := ceremonySeeds()
	if err != nil {
		f.Fatal(err)
	}
	return s
}

// typedErr fails t unless err wraps one of the package's sentinels.
func typedErr(t *testing.T, err error, sentinels ...error) {
	t.Helper()
	for _, s := range sentinels {
		if errors.Is(err, s) {
			return
		}
	}
	t.Fatalf("untyped error: %v", err)
}

func addTruncations(f *testing.F, b []byte) {
	f.Add(b)
	f.Add(b[:len(b)/2])
	f.Add(b[:min(len(b), 9)])
	f.Add(append(bytes.Clone(b), 0))
}

func FuzzPhase1Unmarshal(f *testing.F) {
	addTruncations(f, mustCeremonySeeds(f)[0])
	f.Fuzz(func(t *testing.T, b []byte) {
		var p Phase1
		if err := p.UnmarshalBinary(b); err != nil {
			typedErr(t, err, ErrMalformed)
			return
		}
		enc, err := p.MarshalBinary()
		if err != nil || !bytes.Equal(enc, b) {
			t.Fatalf("round trip: %v", err)
		}
	})
}

func FuzzPhase1ResultUnmarshal(f *testing.F) {
	addTruncations(f, mustCeremonySeeds(f)[1])
	f.Fuzz(func(t *testing.T, b []byte) {
		var r Phase1Result
		if err := r.UnmarshalBinary(b); err != nil {
			typedErr(t, err, ErrMalformed)
			return
		}
		enc, err := r.MarshalBinary()
		if err != nil || !bytes.Equal(enc, b) {
			t.Fatalf("round trip: %v", err)
		}
	})
}

func FuzzPhase2Unmarshal(f *testing.F) {
	addTruncations(f, mustCeremonySeeds(f)[2])
	f.Fuzz(func(t *testing.T, b []byte) {
		var p Phase2
		if err := p.UnmarshalBinary(b); err != nil {
			typedErr(t, err, ErrMalformed)
			return
		}
		enc, err := p.MarshalBinary()
		if err != nil || !bytes.Equal(enc, b) {
			t.Fatalf("round trip: %v", err)
		}
	})
}

// FuzzKeyUnmarshal covers VerifyingKey (both backends) and readKeyHeader for both kinds. Proving key
// bodies are not fuzzed: gnark's proving-key decoder allocates what the input declares (see
// CIRCUITS.md §6); proving keys are the operator's own files.
func FuzzKeyUnmarshal(f *testing.F) {
	// The published vectors' development key: no setup in each fuzzing worker.
	raw, err := os.ReadFile(filepath.Join("testdata", "vectors.json"))
	if err != nil {
		f.Fatal(err)
	}
	var vf struct {
		VerifyingKey []byte `json:"verifying_key"`
	}
	if err := json.Unmarshal(raw, &vf); err != nil {
		f.Fatal(err)
	}
	addTruncations(f, vf.VerifyingKey)
	pb := mustCeremonySeeds(f)[3]
	f.Add(pb[:min(len(pb), 64)])
	var hdr bytes.Buffer
	writeKeyHeader(&hdr, 'V', PLONK, true)
	f.Add(hdr.Bytes())
	f.Add([]byte("VEZKV\x0dcredential-v1\x07groth16\x00"))
	f.Fuzz(func(t *testing.T, b []byte) {
		var vk VerifyingKey
		if err := vk.UnmarshalBinary(b); err != nil {
			typedErr(t, err, ErrMalformed, ErrVersion, ErrUnknownBackend)
		} else if enc, err := vk.MarshalBinary(); err != nil || !bytes.Equal(enc, b) {
			t.Fatalf("verifying key round trip: %v", err)
		}
		for _, kind := range []byte{'P', 'V'} {
			if _, _, err := readKeyHeader(bytes.NewReader(b), kind); err != nil {
				typedErr(t, err, ErrMalformed, ErrVersion, ErrUnknownBackend)
			}
		}
	})
}

func FuzzDecodeGroth16Proof(f *testing.F) {
	_, p := validPresentation(f)
	f.Add(p.Proof)
	f.Add(make([]byte, Groth16ProofSize))
	f.Fuzz(func(t *testing.T, b []byte) {
		pr, err := decodeGroth16Proof(b)
		if err != nil {
			typedErr(t, err, ErrMalformed)
			return
		}
		enc, err := encodeGroth16Proof(pr)
		if err != nil || !bytes.Equal(enc, b) {
			t.Fatalf("round trip: %v\n%x\n%x", err, b, enc)
		}
	})
}

func FuzzDecodePlonkProof(f *testing.F) {
	f.Add(plonkProofSeed(f))
	f.Add([]byte{})
	f.Add(make([]byte, 520))
	f.Fuzz(func(t *testing.T, b []byte) {
		pr, err := decodePlonkProof(b)
		if err != nil {
			typedErr(t, err, ErrMalformed)
			return
		}
		enc, err := encodePlonkProof(pr)
		if err != nil || !bytes.Equal(enc, b) {
			t.Fatalf("round trip: %v", err)
		}
	})
}

func FuzzRevocationTreeJSON(f *testing.F) {
	fx := testFixture(f)
	good, _ := json.Marshal(fx.tree)
	f.Add(good)
	f.Add([]byte(`{"next":0,"revoked":[]}`))
	f.Add([]byte(`{"next":4294967295,"revoked":[4294967295,0,0]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) > 4096 { // each revoked slot costs a 16-level path update
			return
		}
		var tr RevocationTree
		if err := json.Unmarshal(b, &tr); err != nil {
			if !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrRevocationIndex) {
				var se *json.SyntaxError
				if !errors.As(err, &se) {
					t.Fatalf("untyped error: %v", err)
				}
			}
			return
		}
		enc, err := json.Marshal(&tr)
		if err != nil {
			t.Fatal(err)
		}
		var tr2 RevocationTree
		if err := json.Unmarshal(enc, &tr2); err != nil || tr2.Root() != tr.Root() {
			t.Fatalf("round trip: %v", err)
		}
		enc2, _ := json.Marshal(&tr2)
		if !bytes.Equal(enc, enc2) {
			t.Fatal("not a fixed point")
		}
	})
}

func FuzzScalarUnmarshalText(f *testing.F) {
	f.Add([]byte(Scalar{31: 1}.String()))
	f.Add([]byte("0x30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001")) // the modulus
	f.Add([]byte("0x0000000000000000000000000000000000000000000000000000000000000ABC"))
	f.Add([]byte("0x"))
	f.Fuzz(func(t *testing.T, b []byte) {
		var s Scalar
		if err := s.UnmarshalText(b); err != nil {
			typedErr(t, err, ErrMalformed)
			return
		}
		if enc, _ := s.MarshalText(); !bytes.Equal(enc, b) {
			t.Fatalf("round trip: %s -> %s", b, enc)
		}
	})
}

func FuzzSigPartsParse(f *testing.F) {
	fx := testFixture(f)
	f.Add(fx.cred.Signature)
	f.Add(make([]byte, 64))
	f.Fuzz(func(t *testing.T, b []byte) {
		var p sigParts
		if err := p.parse(b); err != nil {
			typedErr(t, err, ErrInvalidSignature)
			return
		}
		if p.rx == nil || p.ry == nil || p.s == nil || p.s.BitLen() > 256 {
			t.Fatalf("parsed signature incomplete: %+v", p)
		}
	})
}

// plonkProofSeed is a PLONK proof of smallCircuit (same encoding as the credential circuit's).
func plonkProofSeed(f testing.TB) []byte {
	ccs, err := frontend.Compile(ecc.BN254.ScalarField(), scs.NewBuilder, &smallCircuit{})
	if err != nil {
		f.Fatal(err)
	}
	srs, lag, err := unsafekzg.NewSRS(ccs)
	if err != nil {
		f.Fatal(err)
	}
	pk, _, err := plonk.Setup(ccs, srs, lag)
	if err != nil {
		f.Fatal(err)
	}
	w, err := frontend.NewWitness(&smallCircuit{X: 3, Y: 35}, ecc.BN254.ScalarField())
	if err != nil {
		f.Fatal(err)
	}
	pr, err := plonk.Prove(ccs, pk, w)
	if err != nil {
		f.Fatal(err)
	}
	b, err := encodePlonkProof(pr)
	if err != nil {
		f.Fatal(err)
	}
	return b
}

// TestDecodersRefuseHugeLengths: a declared length far beyond the input is refused with ErrMalformed
// before gnark allocates it (the inputs fuzzing found crashed the process); the untouched files, the
// accept twins, decode.
func TestDecodersRefuseHugeLengths(t *testing.T) {
	seeds, err := ceremonySeeds()
	if err != nil {
		t.Fatal(err)
	}
	_, vk := groth16Keys(t)
	vb, _ := vk.MarshalBinary()
	var hdr bytes.Buffer
	writeKeyHeader(&hdr, 'V', Groth16, true)
	kOff := hdr.Len() + 32 + 32 + 64 + 64 + 32 + 64 // the u32 length of K
	plonkProof := plonkProofSeed(t)

	put32 := func(b []byte, off int, v uint32) []byte {
		b = bytes.Clone(b)
		b[off], b[off+1], b[off+2], b[off+3] = byte(v>>24), byte(v>>16), byte(v>>8), byte(v)
		return b
	}
	put64 := func(b []byte, off int, v uint64) []byte {
		b = put32(b, off, uint32(v>>32))
		return put32(b, off+4, uint32(v))
	}
	cases := []struct {
		name        string
		good        []byte
		mutate      func([]byte) []byte
		unmarshaler func([]byte) error
	}{
		{"phase 1 result domain", seeds[1], func(b []byte) []byte { return put64(b, 8, 1<<40) },
			func(b []byte) error { var r Phase1Result; return r.UnmarshalBinary(b) }},
		{"phase 1 header domain", seeds[0], func(b []byte) []byte { return put64(b, 0, 1<<40) },
			func(b []byte) error { var p Phase1; return p.UnmarshalBinary(b) }},
		{"phase 2 PKK", seeds[2], func(b []byte) []byte { return put32(b, 2+32, 1<<31) },
			func(b []byte) error { var p Phase2; return p.UnmarshalBinary(b) }},
		{"verifying key K", vb, func(b []byte) []byte { return put32(b, kOff, 1<<31) },
			func(b []byte) error { var v VerifyingKey; return v.UnmarshalBinary(b) }},
		{"PLONK claimed values", plonkProof, func(b []byte) []byte { return put32(b, 8*32, 1<<31) },
			func(b []byte) error { _, err := decodePlonkProof(b); return err }},
		{"PLONK commitments", plonkProof, func(b []byte) []byte { return put32(b, len(b)-4, 1<<31) },
			func(b []byte) error { _, err := decodePlonkProof(b); return err }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.unmarshaler(tc.good); err != nil {
				t.Fatalf("untouched file refused: %v", err)
			}
			if err := tc.unmarshaler(tc.mutate(tc.good)); !errors.Is(err, ErrMalformed) {
				t.Fatalf("huge length: %v", err)
			}
		})
	}
}
