package market

import (
	"testing"
)

func TestFraudReports(t *testing.T) {
	e := reach(t, OrderActive)
	ev := seal(t, "screenshots", "alice")
	_, err := e.m.ReportFraud(FraudReport{ID: "fr-1", Reporter: "alice", Provider: "prov", LeaseID: "ord-1", Evidence: []byte("they lied")}, t0)
	wantErr(t, err, ErrPlaintext)
	_, err = e.m.ReportFraud(FraudReport{ID: "fr-1", Reporter: "mallory", Provider: "prov", LeaseID: "ord-1", Evidence: ev}, t0)
	wantErr(t, err, ErrNotAuthorized)
	r, err := e.m.ReportFraud(FraudReport{ID: "fr-1", Reporter: "alice", Provider: "prov", LeaseID: "ord-1", Evidence: ev}, t0)
	must(t, err)
	if r.State != FraudOpen {
		t.Fatal(r.State)
	}
	_, err = e.m.ReportFraud(FraudReport{ID: "fr-1", Reporter: "alice", Provider: "prov", Evidence: ev}, t0)
	wantErr(t, err, ErrExists)
	_, err = e.m.DecideFraud("fr-1", "alice", true, t0+1)
	wantErr(t, err, ErrNotAuthorized)
	r, err = e.m.DecideFraud("fr-1", NetworkActor, true, t0+1)
	must(t, err)
	if r.State != FraudUpheld {
		t.Fatal(r.State)
	}
	if off, _ := e.m.Offering("off-1"); off.State != OfferingSuspended {
		t.Fatalf("offering %s after an upheld report", off.State)
	}
	_, err = e.m.DecideFraud("fr-1", NetworkActor, false, t0+2)
	wantErr(t, err, ErrBadTransition)
	// A dismissed report changes nothing else.
	e2 := reach(t, OrderActive)
	_, err = e2.m.ReportFraud(FraudReport{ID: "fr-2", Reporter: "bob", Provider: "prov", Evidence: ev}, t0)
	must(t, err)
	_, err = e2.m.DecideFraud("fr-2", NetworkActor, false, t0+1)
	must(t, err)
	if off, _ := e2.m.Offering("off-1"); off.State != OfferingActive {
		t.Fatal(off.State)
	}
}
