// Package zk issues identity credentials and proves statements about them in zero knowledge, so a
// relying party learns that a statement holds (age ≥ 18, country in a set, score ≥ 70, not revoked,
// …) and nothing else, and verifies offline in about a millisecond.
//
// Most users need five calls:
//
//	issuer, _ := zk.GenerateIssuerKey(nil)                 // identity network
//	cred, _ := zk.Issue(issuer, attrs, nil)                // identity network → holder
//	req, _ := zk.NewRequest(audience, today, issuerPub)    // relying party → holder
//	pres, _ := zk.Prove(pk, req, cred, holder, revPath)    // holder (wallet)
//	res := (&zk.Verifier{Key: vk, Nonces: store}).Verify(req, pres, now) // relying party
//
// A credential is a Poseidon2 commitment to the attributes with randomness, signed by the issuer with
// EdDSA on BN254's twisted Edwards curve. One circuit, credential-v2 (Circuit, CircuitVersion), proves any
// combination of the statements; a Request switches them on through public inputs (a country set is
// either inline, up to 16 codes, or a Merkle root of up to 256: CountryTree). Verify returns a
// Result whose Reason says which check failed. The encodings and the circuit are specified in
// CIRCUITS.md; constraint counts are pinned in testdata/constraints.json.
//
// A wallet or service that proves repeatedly keeps a Prover (NewProver): the key stays in memory with
// its bases expanded for faster multi-scalar multiplication, and each proof takes about 28% less CPU
// than Prove.
//
// Backends: Groth16 on BN254 (default; 128-byte proofs) and PLONK. Keys come from SetupUnsafe (a
// development setup whose trapdoor is known: marked Unsafe, refused by Verifier by default) or from
// the multi-party ceremony (StartPhase1 … FinalizeCeremony). Revocation is a sparse Merkle tree kept
// by the issuer (RevocationTree). ExportSolidity writes an on-chain verifier.
//
// Everything a node runs in consensus (Verify, revocation updates) is deterministic: field
// arithmetic and integers only, no floats, no map iteration order, time passed in.
package zk
