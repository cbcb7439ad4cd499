package biometrics

import "testing"

func TestPassiveLiveness(t *testing.T) {
	e := engine(t)
	cases := map[string]bool{
		"faces/liveness/live_T1.jpg":  true,
		"faces/liveness/spoof_F1.jpg": false,
		"faces/liveness/spoof_F2.jpg": false,
	}
	for name := range people {
		cases["faces/public_domain/"+name] = true
	}
	for rel, want := range cases {
		r, err := e.Liveness(rel, testdata(t, rel))
		if err != nil {
			t.Fatal(err)
		}
		if r.Live != want {
			t.Errorf("%s: live %v (score %d bp), want %v", rel, r.Live, r.ScoreBP, want)
		}
		t.Logf("%-32s %5d bp live=%v", rel, r.ScoreBP, r.Live)
	}
}
