package zk

import (
	"testing"
	"time"
)

func TestGroth16RoundTrip(t *testing.T) {
	f := testFixture(t)
	pk, vk := groth16Keys(t)
	req := f.fullRequest(t)
	start := time.Now()
	p, err := Prove(pk, req, f.cred, f.holder, f.path())
	if err != nil {
		t.Fatal(err)
	}
	t.Log("prove", time.Since(start), len(p.Proof))
	v := &Verifier{Key: vk, AllowUnsafeSetup: true, Nonces: NewMemoryNonceStore()}
	res := v.Verify(req, p, time.Unix(0, 0))
	if !res.Valid {
		t.Fatal(res.Err())
	}
	if tier, ok := p.DisclosedValue("tier"); !ok || tier != 2 {
		t.Fatalf("tier = %d, %v", tier, ok)
	}
	res = v.Verify(req, p, time.Unix(0, 0))
	if res.Reason != ReasonReplay {
		t.Fatalf("replay: %+v", res)
	}
}
