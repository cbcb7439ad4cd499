package app

import (
	"crypto/sha512"
	"math/big"

	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
	"github.com/consensys/gnark-crypto/ecc/bn254/fr/poseidon2"
	"github.com/consensys/gnark-crypto/ecc/bn254/twistededwards/eddsa"

	"github.com/virtengine/sdk/zk"
)

// Signatures of zk credential commitments, made and checked from the commitment alone.
//
// zk.Issue signs the commitment of attributes it is given, so only a party that knows the attributes
// and the randomness can call it; the chain knows neither (they are the holder's secrets, FEATURES.md
// §2.3). Validators therefore sign the agreed commitment C itself, and the state transition checks
// the signature against the validator's registered issuer key, with the scheme zk specifies
// (zk/CIRCUITS.md §1): EdDSA on BN254's twisted Edwards curve over the 32-byte big-endian C, with the
// challenge H(R, A, M) = Poseidon2 width 8 (8 full, 57 partial rounds) over [tag, R.x, R.y, A.x,
// A.y, M, 0, 0], output lane 1, tag the integer of "virtengine/zk/eddsa-challenge". A signature made
// here verifies with zk.Credential.Verify and one made by zk.Issue verifies here
// (TestZKCommitmentSignatureMatchesZK pins both directions, so a change in zk shows).

var (
	zkChallengeTag  = zkTag("virtengine/zk/eddsa-challenge")
	zkChallengePerm = poseidon2.NewPermutation(8, 8, 57)
)

func zkTag(s string) fr.Element {
	var e fr.Element
	e.SetBigInt(new(big.Int).SetBytes([]byte(s)))
	return e
}

// zkChallenge is the EdDSA challenge hash as a hash.Hash over 32-byte big-endian field elements.
type zkChallenge struct{ buf []byte }

func (h *zkChallenge) Write(p []byte) (int, error) { h.buf = append(h.buf, p...); return len(p), nil }
func (h *zkChallenge) Reset()                      { h.buf = h.buf[:0] }
func (h *zkChallenge) Size() int                   { return fr.Bytes }
func (h *zkChallenge) BlockSize() int              { return fr.Bytes }
func (h *zkChallenge) Sum(b []byte) []byte {
	state := make([]fr.Element, 8)
	state[0] = zkChallengeTag
	for i, n := 0, 1; i+fr.Bytes <= len(h.buf) && n < 8; i, n = i+fr.Bytes, n+1 {
		state[n].SetBytes(h.buf[i : i+fr.Bytes])
	}
	if err := zkChallengePerm.Permutation(state); err != nil {
		panic(err) // fixed width: unreachable
	}
	out := state[1].Bytes()
	return append(b, out[:]...)
}

// signZKCommitment signs the commitment c with the issuer key k.
func signZKCommitment(k *zk.IssuerPrivateKey, c []byte) ([]byte, error) {
	var sk eddsa.PrivateKey
	if _, err := sk.SetBytes(k.Bytes()); err != nil {
		return nil, err
	}
	return sk.Sign(c, &zkChallenge{})
}

// verifyZKCommitment checks sig over the commitment c under the issuer public key pub (32 bytes).
func verifyZKCommitment(pub, c, sig []byte) bool {
	k, err := zk.ParseIssuerPublicKey(pub)
	if err != nil || len(c) != 32 {
		return false
	}
	var pk eddsa.PublicKey
	if _, err := pk.SetBytes(k.Bytes()); err != nil {
		return false
	}
	ok, err := pk.Verify(sig, c, &zkChallenge{})
	return err == nil && ok
}

// blindingScalar derives the commitment randomness from the holder's seed and the request id:
// SHA-512(tag ‖ seed ‖ request id) reduced mod r (bias below 2^-250).
func blindingScalar(seed, request []byte) zk.Scalar {
	h := sha512.New()
	h.Write([]byte("virtengine/credential-blinding/v1\x00"))
	h.Write(seed)
	h.Write(request)
	var e fr.Element
	e.SetBytes(h.Sum(nil))
	return zk.Scalar(e.Bytes())
}
