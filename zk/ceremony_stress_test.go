//go:build stress

package zk

import (
	"testing"
)

// TestCeremonyFullCircuit runs the three-contributor ceremony on credential-v1 itself and proves a
// presentation with the resulting keys. It takes minutes: go test -tags stress -timeout 60m
// -run TestCeremonyFullCircuit ./zk
func TestCeremonyFullCircuit(t *testing.T) {
	p, err := StartPhase1()
	if err != nil {
		t.Fatal(err)
	}
	var p1 []*Phase1
	for range 3 {
		if p, err = p.Contribute(); err != nil {
			t.Fatal(err)
		}
		p1 = append(p1, p)
	}
	srs, err := VerifyPhase1([]byte("beacon 1"), p1...)
	if err != nil {
		t.Fatal(err)
	}
	q, err := StartPhase2(srs)
	if err != nil {
		t.Fatal(err)
	}
	var p2 []*Phase2
	for range 3 {
		if q, err = q.Contribute(); err != nil {
			t.Fatal(err)
		}
		p2 = append(p2, q)
	}
	pk, vk, err := FinalizeCeremony(srs, []byte("beacon 2"), p2...)
	if err != nil {
		t.Fatal(err)
	}
	f := testFixture(t)
	req := f.fullRequest(t)
	pres, err := Prove(pk, req, f.cred, f.holder, f.path())
	if err != nil {
		t.Fatal(err)
	}
	if r := (&Verifier{Key: vk}).Verify(req, pres, testNow); !r.Valid {
		t.Fatal(r.Err())
	}
}
