package zk

import (
	"fmt"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark/backend/groth16"
	"github.com/consensys/gnark/backend/plonk"
	"github.com/consensys/gnark/backend/witness"
	"github.com/consensys/gnark/frontend"
)

// Prove answers req with a presentation of cred. holder is needed when the request asks for holder
// binding or a nullifier; rev (the issuer's current path for the credential's slot) when it names a
// revocation root. Every statement is first checked natively: a credential that does not satisfy the
// request returns an *UnsatisfiedError naming the statement, and no proof is attempted.
//
// Prove uses gnark's prover and nothing but the key; a wallet or service that proves repeatedly
// should keep a Prover (NewProver), which is faster per proof.
func Prove(pk *ProvingKey, req *Request, cred *Credential, holder *HolderSecret, rev *RevocationPath) (*Presentation, error) {
	return prove(pk, proveAssignment, req, cred, holder, rev)
}

func prove(pk *ProvingKey, proveFn func(*ProvingKey, *Circuit) ([]byte, error), req *Request, cred *Credential, holder *HolderSecret, rev *RevocationPath) (*Presentation, error) {
	if !pk.ready() {
		return nil, fmt.Errorf("%w: empty proving key (load one with UnmarshalBinary or run a setup)", ErrInvalidKey)
	}
	if err := CheckCredential(req, cred, holder, rev); err != nil {
		return nil, err
	}
	assignment, pub, err := buildAssignment(req, cred, holder, rev)
	if err != nil {
		return nil, err
	}
	proof, err := proveFn(pk, assignment)
	if err != nil {
		return nil, err
	}
	rv := reveal(req, cred, holder)
	p := &Presentation{Version: CircuitVersion, Backend: pk.Backend, Issuer: rv.issuer, Proof: proof}
	mask := req.discloseMask()
	for i := range NumAttributes {
		if mask>>i&1 == 1 {
			p.Disclosed = append(p.Disclosed, DisclosedAttribute{Name: attributeNames[i], Value: scalarOf(rv.disclosed[i])})
		}
	}
	if req.Nullifier {
		n := scalarOf(rv.nullifier)
		p.Nullifier = &n
	}
	for _, e := range pub {
		p.PublicInputs = append(p.PublicInputs, scalarOf(e))
	}
	return p, nil
}

// proveAssignment runs the backend prover on a full assignment and encodes the proof.
func proveAssignment(pk *ProvingKey, assignment *Circuit) ([]byte, error) {
	cs, err := compile(pk.Backend)
	if err != nil {
		return nil, err
	}
	w, err := newFullWitness(assignment)
	if err != nil {
		return nil, err
	}
	switch pk.Backend {
	case Groth16:
		proof, err := groth16.Prove(cs, pk.g16, w)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrUnsatisfied, err)
		}
		return encodeGroth16Proof(proof)
	case PLONK:
		proof, err := plonk.Prove(cs, pk.plonk, w)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrUnsatisfied, err)
		}
		return encodePlonkProof(proof)
	}
	return nil, ErrUnknownBackend
}

func newFullWitness(assignment *Circuit) (witness.Witness, error) {
	w, err := frontend.NewWitness(assignment, ecc.BN254.ScalarField())
	if err != nil {
		return nil, fmt.Errorf("zk: witness: %w", err)
	}
	return w, nil
}
