package zk

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/constraints.json and testdata/vectors.json")

// pinnedCounts is the checked-in record of constraint counts.
type pinnedCounts struct {
	Circuit      string `json:"circuit"`
	Groth16R1CS  int    `json:"groth16_r1cs_constraints"`
	PlonkGates   int    `json:"plonk_constraints"`
	PublicInputs int    `json:"public_inputs"`
	TargetMax    int    `json:"target_max_constraints"`
}

// TestConstraintCountsPinned fails whenever the circuit changes size without testdata/constraints.json
// being updated (go test ./zk -run TestConstraintCountsPinned -update).
func TestConstraintCountsPinned(t *testing.T) {
	g, err := ConstraintCount(Groth16)
	if err != nil {
		t.Fatal(err)
	}
	p, err := ConstraintCount(PLONK)
	if err != nil {
		t.Fatal(err)
	}
	cs, _ := compile(Groth16)
	got := pinnedCounts{Circuit: CircuitVersion, Groth16R1CS: g, PlonkGates: p,
		PublicInputs: cs.GetNbPublicVariables() - 1, TargetMax: 25000}
	path := filepath.Join("testdata", "constraints.json")
	if *update {
		b, _ := json.MarshalIndent(got, "", "  ")
		if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var want pinnedCounts
	if err := json.Unmarshal(b, &want); err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Fatalf("constraint counts changed: got %+v, pinned %+v; if intended, bump CircuitVersion when the circuit's meaning changed and run with -update", got, want)
	}
	if got.PublicInputs != NumPublicInputs || len(publicNames) != NumPublicInputs {
		t.Fatalf("public inputs: circuit %d, NumPublicInputs %d, names %d", got.PublicInputs, NumPublicInputs, len(publicNames))
	}
	if g > want.TargetMax {
		t.Fatalf("%d constraints exceed the target %d", g, want.TargetMax)
	}
}
