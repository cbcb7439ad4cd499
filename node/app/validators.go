package app

import (
	"github.com/cometbft/cometbft/crypto/ed25519"

	"github.com/virtengine/sdk/node/tx"
)

// Validator is the application's record of a consensus validator.
type Validator struct {
	PubKey       []byte     `cbor:"1,keyasint" json:"consensus_pubkey"`
	Power        int64      `cbor:"2,keyasint" json:"power"`
	Operator     tx.Address `cbor:"3,keyasint" json:"operator"`
	CommitteeKey []byte     `cbor:"4,keyasint,omitempty" json:"committee_key,omitempty"`
	Name         string     `cbor:"5,keyasint,omitempty" json:"name,omitempty"`
	// AttestationKey is the Ed25519 key with which this validator signs W3C VC attestations of
	// consensus scores (GET /v1/identity/{addr}/attestation).
	AttestationKey []byte `cbor:"6,keyasint,omitempty" json:"attestation_key,omitempty"`
	// ZKIssuerKey is the validator's zk credential issuer key (zk.IssuerPublicKey, 32 bytes): the
	// key relying parties accept zk credentials from (/identity/issuers).
	ZKIssuerKey []byte `cbor:"7,keyasint,omitempty" json:"zk_issuer_key,omitempty"`
}

// Address is the CometBFT consensus address (SHA-256(pubkey)[:20] for Ed25519).
func (v *Validator) Address() []byte { return ed25519.PubKey(v.PubKey).Address() }

func putValidator(s kv, v *Validator) error {
	return putObj(s, pfxVal+string(v.Address()), v)
}

func getValidator(s kv, consAddr []byte) (*Validator, error) {
	var v Validator
	ok, err := getObj(s, pfxVal+string(consAddr), &v)
	if err != nil || !ok {
		return nil, err
	}
	return &v, nil
}
