package veid

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"math/bits"
	"strings"
	"sync"
)

// Duplicate detection across accounts (§3.10) on protected templates: the network never keeps a
// face embedding or a document number, only keyed one-way derivatives of them.
//
// A face template is a keyed random-sign projection (SimHash, Charikar 2002) of the quantized
// embedding: bit i is the sign of Σ_j r_ij·e_j with r_ij ∈ {−1, +1} drawn from HMAC-SHA256 under the
// network's template key. Hamming distance between templates tracks the angle between embeddings;
// without the key the bits cannot be related to a face, and changing the key revokes every template.
// All arithmetic is integer, so validators compute identical templates.

// FaceTemplateBits is the size of a protected face template. The spread of a SimHash distance shrinks
// with the number of bits: at 256 bits same-person and different-person distances overlapped across
// template keys (same up to 41, different from 26), at 2048 bits they are far apart (below).
const FaceTemplateBits = 2048

// FaceDuplicateMaxDistance is the Hamming distance at or below which two templates are the same
// person. Measured on the shared test faces (7 faces, 4 people) with the dlib ResNet embeddings over
// 300 random template keys: same-person pairs 122–259 (p99 239), different people 316–527 (p0.1 338)
// of 2048 bits; the threshold is the midpoint of that gap. Seven faces are a small sample:
// recalibrate on a labelled set before relying on it.
const FaceDuplicateMaxDistance = 287

// MaxEmbeddingDim bounds the embedding accepted by ProtectFace.
const MaxEmbeddingDim = 1024

// FaceTemplate is a protected face template.
type FaceTemplate [FaceTemplateBits / 8]byte

// ProtectFace derives the protected template of a quantized face embedding under key.
func ProtectFace(key []byte, embedding []int8) (FaceTemplate, error) {
	var t FaceTemplate
	if len(embedding) == 0 || len(embedding) > MaxEmbeddingDim {
		return t, newErr("FEATURE_RANGE", ErrFeatureRange, "embedding of %d values", len(embedding))
	}
	mac := hmac.New(sha256.New, key)
	signs := make([]byte, (len(embedding)+7)/8)
	for i := range FaceTemplateBits {
		// Row i's signs: HMAC(key, "VEID-FACE-PROJ-v1" | u16 row | u16 block), 256 signs per block.
		for blk := 0; blk*256 < len(embedding); blk++ {
			mac.Reset()
			mac.Write([]byte("VEID-FACE-PROJ-v1"))
			mac.Write(binary.BigEndian.AppendUint16(binary.BigEndian.AppendUint16(nil, uint16(i)), uint16(blk)))
			copy(signs[blk*32:], mac.Sum(nil))
		}
		var s int32
		for j, e := range embedding {
			if signs[j/8]>>(j%8)&1 == 1 {
				s += int32(e)
			} else {
				s -= int32(e)
			}
		}
		if s >= 0 {
			t[i/8] |= 1 << (i % 8)
		}
	}
	return t, nil
}

// Distance is the Hamming distance between two templates.
func (t FaceTemplate) Distance(u FaceTemplate) int {
	d := 0
	for i := range t {
		d += bits.OnesCount8(t[i] ^ u[i])
	}
	return d
}

// DocumentFingerprint is a keyed one-way fingerprint of an identity document: HMAC-SHA256(key,
// "VEID-DOC-v1" 0x00 | str16 issuing state | str16 document number), both upper-cased and trimmed.
// A state or number over 65535 bytes (after trimming and upper-casing) has no encoding: the result
// is then the zero fingerprint, which DuplicateIndex ignores, instead of the fingerprint of a cut
// string that another document could share. ComputeDocumentFingerprint reports it as an error.
func DocumentFingerprint(key []byte, issuingState, number string) [32]byte {
	fp, _ := ComputeDocumentFingerprint(key, issuingState, number)
	return fp
}

// ComputeDocumentFingerprint is DocumentFingerprint with ErrTooLong (code "TOO_LONG") for an issuing
// state or document number over 65535 bytes.
func ComputeDocumentFingerprint(key []byte, issuingState, number string) ([32]byte, error) {
	b := append([]byte{}, "VEID-DOC-v1\x00"...)
	b, err := appendStr16s(b, "issuing state", strings.ToUpper(strings.TrimSpace(issuingState)),
		"document number", strings.ToUpper(strings.TrimSpace(number)))
	if err != nil {
		return [32]byte{}, err
	}
	m := hmac.New(sha256.New, key)
	m.Write(b)
	var out [32]byte
	copy(out[:], m.Sum(nil))
	return out, nil
}

// DuplicateError names the account that already holds the face or document.
type DuplicateError struct {
	What    string // "face" or "document"
	Account string
}

func (e *DuplicateError) Error() string {
	return "veid: this " + e.What + " is already verified for another account (" + e.Account + ")"
}

// Unwrap returns ErrDuplicateIdentity.
func (e *DuplicateError) Unwrap() error { return ErrDuplicateIdentity }

// DuplicateIndex remembers which account verified which face and document, by protected template.
// Faces are searched linearly in insertion order (deterministic). Safe for concurrent use.
type DuplicateIndex struct {
	mu    sync.Mutex
	docs  map[[32]byte]string
	faces []faceEntry
}

type faceEntry struct {
	account string
	t       FaceTemplate
}

// Check returns a *DuplicateError when another account holds a face within
// FaceDuplicateMaxDistance of face, or the same document fingerprint. A zero fingerprint is ignored.
func (x *DuplicateIndex) Check(account string, face FaceTemplate, doc [32]byte) error {
	x.mu.Lock()
	defer x.mu.Unlock()
	if owner, ok := x.docs[doc]; ok && doc != ([32]byte{}) && owner != account {
		return &DuplicateError{What: "document", Account: owner}
	}
	for _, f := range x.faces {
		if f.account != account && f.t.Distance(face) <= FaceDuplicateMaxDistance {
			return &DuplicateError{What: "face", Account: f.account}
		}
	}
	return nil
}

// Add records the face and document of a verified account (after Check passed).
func (x *DuplicateIndex) Add(account string, face FaceTemplate, doc [32]byte) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.docs == nil {
		x.docs = map[[32]byte]string{}
	}
	if doc != ([32]byte{}) {
		x.docs[doc] = account
	}
	x.faces = append(x.faces, faceEntry{account, face})
}
