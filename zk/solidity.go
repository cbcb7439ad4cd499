package zk

import (
	"fmt"
	"io"
)

// ExportSolidity writes a Solidity contract that verifies Groth16 proofs of the circuit (CircuitVersion) for vk
// (gnark's exporter; EIP-196/197 precompiles). The contract's public inputs are Presentation.
// PublicInputs in order; proofs are the 128-byte Presentation.Proof split into A, B, C. Keys from
// SetupUnsafe produce a contract anyone can fool: ExportSolidity refuses them unless allowUnsafe.
func ExportSolidity(w io.Writer, vk *VerifyingKey, allowUnsafe bool) error {
	if !vk.ready() || vk.Backend != Groth16 {
		return fmt.Errorf("%w: Solidity export needs a Groth16 verifying key", ErrUnknownBackend)
	}
	if vk.Unsafe && !allowUnsafe {
		return ErrUnsafeSetup
	}
	if vk.Unsafe {
		if _, err := io.WriteString(w, "// UNSAFE: generated from a development setup whose trapdoor is known. Do not deploy.\n"); err != nil {
			return err
		}
	}
	return vk.g16.ExportSolidity(w)
}
