package zk

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestExportSolidity(t *testing.T) {
	_, vk := groth16Keys(t)
	var buf bytes.Buffer
	if err := ExportSolidity(&buf, vk, false); !errors.Is(err, ErrUnsafeSetup) {
		t.Fatalf("unsafe key exported without consent: %v", err)
	}
	if err := ExportSolidity(&buf, vk, true); err != nil {
		t.Fatal(err)
	}
	src := buf.String()
	for _, want := range []string{"UNSAFE", "pragma solidity", "function verifyProof", fmt.Sprintf("uint256[%d] calldata input", NumPublicInputs)} {
		if !strings.Contains(src, want) {
			t.Errorf("contract lacks %q", want)
		}
	}
	if err := ExportSolidity(&buf, &VerifyingKey{Backend: PLONK}, true); !errors.Is(err, ErrUnknownBackend) {
		t.Fatalf("PLONK key: %v", err)
	}
}
