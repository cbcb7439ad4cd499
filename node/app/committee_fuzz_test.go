package app

import (
	"bytes"
	"testing"

	"github.com/virtengine/sdk/envelope"
	"github.com/virtengine/sdk/hpc"
)

// FuzzCommitteeOpen: the committee opens arbitrary evidence bytes without panicking, and every
// failure is one of envelope's typed errors.
func FuzzCommitteeOpen(f *testing.F) {
	id, err := envelope.GenerateIdentity(envelope.X25519)
	if err != nil {
		f.Fatal(err)
	}
	sk, err := envelope.GenerateSigningKey(envelope.Ed25519)
	if err != nil {
		f.Fatal(err)
	}
	other, err := envelope.GenerateIdentity(envelope.X25519)
	if err != nil {
		f.Fatal(err)
	}
	for _, pt := range [][]byte{nil, []byte(`{"document":9200,"face_match":8900}`), bytes.Repeat([]byte{7}, 3000)} {
		for _, rs := range [][]envelope.Recipient{{id.Recipient()}, {other.Recipient(), id.Recipient()}, {other.Recipient()}} {
			env, err := envelope.Seal(pt, sk, rs, nil)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(env)
		}
	}
	f.Add([]byte("VEENV"))
	f.Add([]byte{})
	c := EvidenceCommittee{ID: id}
	f.Fuzz(func(t *testing.T, b []byte) {
		pt, err := c.Open(b)
		if err != nil {
			if envelope.Code(err) == "other" {
				t.Fatalf("untyped error: %v", err)
			}
			if pt != nil {
				t.Fatal("plaintext returned with an error")
			}
			return
		}
		_ = pt
	})
}

// FuzzParseJobState: parseJobState maps every known state name back to itself and anything else
// to the zero state.
func FuzzParseJobState(f *testing.F) {
	for st := 0; st < 16; st++ {
		f.Add(hpc.JobState(st).String())
	}
	f.Add("running")
	f.Add("Completed")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		st := parseJobState(s)
		if st != 0 && st.String() != s {
			t.Fatalf("parseJobState(%q) = %v", s, st)
		}
	})
}
