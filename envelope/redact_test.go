package envelope

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"log"
	"log/slog"
	"strings"
	"testing"
)

// TestSecretKeysPrintRedacted formats identities and signing keys, alone and inside other values,
// with every common verb and through log and log/slog: the output names the key (kind and key id)
// and never contains the secret, in its string form, in hex or as bytes.
func TestSecretKeysPrintRedacted(t *testing.T) {
	type secretKey struct {
		name   string
		value  any    // the pointer, as callers hold it
		deref  any    // the struct value
		secret string // SecretString
		raw    []byte // the secret bytes
		prefix string
		keyID  KeyID
	}
	var keys []secretKey
	for _, k := range []KEM{XWing, X25519} {
		id := mustIdentity(t, k)
		p, _ := k.params()
		keys = append(keys, secretKey{k.String() + " identity", id, *id, id.SecretString(), id.raw, p.secretHRP + "1", id.KeyID()})
	}
	for _, s := range []SignatureScheme{Ed25519, MLDSA65} {
		sk := mustSigner(t, s)
		p, _ := s.params()
		keys = append(keys, secretKey{s.String() + " signing key", sk, *sk, sk.SecretString(), sk.seed, p.secretHRP + "1", sk.Public().KeyID()})
	}
	verbs := []string{"%v", "%s", "%+v", "%#v", "%q", "%x", "%X", "%d", "%20s", "%-v", "%T %v"}
	for _, k := range keys {
		if k.secret == "" || len(k.raw) != 32 {
			t.Fatalf("%s: no secret to look for", k.name)
		}
		// The forms a secret could leak in: the key string (any case), its data part, the key
		// bytes in hex and as fmt prints a byte slice.
		leaks := []string{
			strings.ToLower(k.secret), strings.ToLower(k.secret[len(k.prefix):]), hex.EncodeToString(k.raw),
			strings.Trim(fmt.Sprint(k.raw), "[]"), strings.ToLower(fmt.Sprintf("%X", k.raw)),
		}
		kf := &KeyFile{}
		if id, ok := k.value.(*HPKEIdentity); ok {
			kf.Identities = append(kf.Identities, id)
		} else {
			kf.Signers = append(kf.Signers, k.value.(*SigningKey))
		}
		holders := map[string]any{
			"pointer":       k.value,
			"value":         k.deref,
			"struct":        struct{ Key any }{k.value},
			"struct value":  struct{ Key any }{k.deref},
			"slice":         []any{k.value},
			"map":           map[string]any{"key": k.value},
			"key file":      kf,
			"key file copy": *kf,
		}
		if id, ok := k.value.(*HPKEIdentity); ok {
			holders["keyring"] = NewKeyring(id)
			holders["keyring value"] = *NewKeyring(id)
			holders["interface"] = Identity(id)
			env, err := Seal([]byte("x"), mustSigner(t, Ed25519), []Recipient{id.Recipient()}, nil)
			if err != nil {
				t.Fatal(err)
			}
			r, err := NewReader(bytes.NewReader(env), id, nil)
			if err != nil {
				t.Fatal(err)
			}
			ra, err := NewReaderAt(bytes.NewReader(env), int64(len(env)), id, nil)
			if err != nil {
				t.Fatal(err)
			}
			holders["reader"], holders["reader at"] = r, ra
			leaks = append(leaks, aeadLeaks(r.aead)...)
		} else {
			w, err := NewWriter(&bytes.Buffer{}, k.value.(*SigningKey), []Recipient{mustIdentity(t, X25519).Recipient()}, nil)
			if err != nil {
				t.Fatal(err)
			}
			holders["writer"] = w
			holders["options"] = RewrapOptions{Signer: k.value.(*SigningKey)}
		}
		var outputs []string
		for hname, h := range holders {
			for _, verb := range verbs {
				outputs = append(outputs, hname+" "+verb+": "+fmt.Sprintf(verb, h, h))
			}
		}
		var buf bytes.Buffer
		log.New(&buf, "", 0).Printf("key %v", k.value)
		slog.New(slog.NewTextHandler(&buf, nil)).Info("key", "key", k.value, "value", k.deref)
		slog.New(slog.NewJSONHandler(&buf, nil)).Info("key", "key", k.value, "value", k.deref)
		outputs = append(outputs, "log: "+buf.String())
		for _, out := range outputs {
			low := strings.ToLower(out)
			for _, leak := range leaks {
				if strings.Contains(low, leak) {
					t.Fatalf("%s: %s: reveals the secret (%.12s…)", k.name, out, leak)
				}
			}
		}
		want := k.prefix + "…(redacted, key id " + k.keyID.String() + ")"
		for _, got := range []string{fmt.Sprint(k.value), fmt.Sprintf("%s", k.deref), fmt.Sprintf("%#v", k.value)} {
			if !strings.Contains(got, want) {
				t.Fatalf("%s: prints %q, want it to contain %q", k.name, got, want)
			}
		}
	}
}

// aeadLeaks are the forms in which fmt would print the round keys of an AEAD (the payload key)
// if it could reach them: its fields as %v shows them.
func aeadLeaks(a any) []string {
	s := fmt.Sprintf("%+v", a)
	var out []string
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == '[' || r == ']' || r == '{' || r == '}' }) {
		if len(f) > 40 { // a run of numbers: key material
			out = append(out, strings.ToLower(f))
		}
	}
	return out
}

// TestSecretStringRoundTrip: SecretString is the explicit way to the secret; String is redacted,
// as fmt prints it.
func TestSecretStringRoundTrip(t *testing.T) {
	id := mustIdentity(t, XWing)
	if got, err := ParseIdentity(id.SecretString()); err != nil || got.KeyID() != id.KeyID() {
		t.Fatalf("identity: %v", err)
	}
	sk := mustSigner(t, Ed25519)
	if got, err := ParseSigningKey(sk.SecretString()); err != nil || !got.Public().Equal(sk.Public()) {
		t.Fatalf("signing key: %v", err)
	}
	if id.String() != fmt.Sprint(id) || sk.String() != fmt.Sprint(sk) ||
		strings.Contains(id.String(), id.SecretString()[len("VE-SECRET-XW-1"):]) || strings.Contains(sk.String(), sk.SecretString()[8:]) {
		t.Fatalf("String must be the redacted form: %q %q", id.String(), sk.String())
	}
	var nilI *HPKEIdentity
	var nilS *SigningKey
	if nilI.String() != "<nil>" || nilS.String() != "<nil>" {
		t.Fatal("nil keys must print <nil>")
	}
	var nilID *HPKEIdentity
	var nilSK *SigningKey
	if nilID.SecretString() != "" || nilSK.SecretString() != "" || (&HPKEIdentity{}).SecretString() != "" {
		t.Fatal("a nil or zero key encodes as something")
	}
	if s := fmt.Sprint(nilID, nilSK, HPKEIdentity{}, SigningKey{}); !strings.Contains(s, "<nil>") || !strings.Contains(s, "empty identity") || !strings.Contains(s, "empty signing key") {
		t.Fatalf("nil and zero keys print as %q", s)
	}
}
