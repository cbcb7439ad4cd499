package envelope

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
)

// KeyID names a recipient or sender key without revealing it: the first KeyIDSize bytes of its
// Fingerprint. An envelope may carry its recipients' KeyIDs so a node can route it (FEATURES.md §1.6).
type KeyID [KeyIDSize]byte

// String is the lower-case hex form of the id.
func (id KeyID) String() string { return hex.EncodeToString(id[:]) }

// keyEncodingVersion is the first byte of every encoded key (public or secret). A new encoding of
// the same key type gets a new version, so old strings keep their meaning.
const keyEncodingVersion = 1

// fingerprintLabel separates key fingerprints from every other SHA-256 use of this package.
const fingerprintLabel = "virtengine/envelope/v1/fingerprint\x00"

// encodeKey is the binary form inside a key string: version ‖ type (uint16, big endian) ‖ key.
func encodeKey(typ uint16, key []byte) []byte {
	out := make([]byte, 0, 3+len(key))
	out = append(out, keyEncodingVersion)
	out = binary.BigEndian.AppendUint16(out, typ)
	return append(out, key...)
}

// fingerprint is SHA-256(label ‖ encodeKey(type, public key)): stable across string forms.
func fingerprint(typ uint16, pub []byte) [32]byte {
	h := sha256.New()
	h.Write([]byte(fingerprintLabel))
	h.Write(encodeKey(typ, pub))
	var fp [32]byte
	h.Sum(fp[:0])
	return fp
}

func keyIDOf(fp [32]byte) KeyID {
	var id KeyID
	copy(id[:], fp[:KeyIDSize])
	return id
}

// decodeKeyString parses "<hrp>1…" under one of the wanted prefixes and returns the key type and the
// raw key bytes.
func decodeKeyString(kind, s string, hrps map[string]uint16) (uint16, []byte, error) {
	hrp, data, err := bech32Decode(s)
	if err != nil {
		return 0, nil, &KeyError{Kind: kind, Reason: err.Error()}
	}
	typ, ok := hrps[hrp]
	if !ok {
		return 0, nil, &KeyError{Kind: kind, Reason: "unknown prefix " + quotePrefix(hrp)}
	}
	if len(data) < 3 || data[0] != keyEncodingVersion {
		return 0, nil, &KeyError{Kind: kind, Reason: "unknown key encoding version"}
	}
	if binary.BigEndian.Uint16(data[1:3]) != typ {
		return 0, nil, &KeyError{Kind: kind, Reason: "key type does not match its prefix"}
	}
	return typ, data[3:], nil
}

func quotePrefix(hrp string) string {
	if len(hrp) > 24 {
		hrp = hrp[:24] + "…"
	}
	return "\"" + hrp + "\""
}
