package veid

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"testing"
	"time"
)

func TestUploadRoundTrip(t *testing.T) {
	salt, err := NewSalt(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	_, client, _ := ed25519.GenerateKey(rand.Reader)
	_, user, _ := ed25519.GenerateKey(rand.Reader)
	up, err := SignUpload(vecBinding(salt), []byte("evidence"), client, user)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := up.MarshalBinary()
	back, err := ParseUpload(raw)
	if err != nil {
		t.Fatal(err)
	}
	raw2, _ := back.MarshalBinary()
	if !bytes.Equal(raw, raw2) {
		t.Fatal("round trip changed the bytes")
	}
	// Trailing byte and wrong magic are malformed.
	for _, bad := range [][]byte{append(bytes.Clone(raw), 0), append([]byte("VEUP\x02"), raw[5:]...), raw[:10], nil} {
		if _, err := ParseUpload(bad); !errors.Is(err, ErrMalformedUpload) {
			t.Fatalf("accepted malformed upload: %v", err)
		}
	}
}

func TestClientRotation(t *testing.T) {
	reg := NewClientRegistry()
	oldPub, _, _ := ed25519.GenerateKey(rand.Reader)
	newPub, _, _ := ed25519.GenerateKey(rand.Reader)
	oldID, _ := reg.AddKey("app", oldPub, t0)
	if _, err := reg.KeyFor("app", oldID, t0); !errors.Is(err, ErrClientKeyPending) {
		t.Fatal(err)
	}
	if err := reg.Activate("app", oldID, t0); err != nil {
		t.Fatal(err)
	}
	newID, _ := reg.AddKey("app", newPub, t0)
	rot := t0.Add(time.Hour)
	if err := reg.Activate("app", newID, rot); err != nil {
		t.Fatal(err)
	}
	c, _ := reg.Client("app")
	if c.Keys[0].State != KeyDeprecated || c.Keys[1].State != KeyActive {
		t.Fatalf("%+v", c.Keys)
	}
	if _, err := reg.KeyFor("app", oldID, rot.Add(ClientKeyOverlap-time.Second)); err != nil {
		t.Fatal("old key refused inside the overlap:", err)
	}
	if _, err := reg.KeyFor("app", oldID, rot.Add(ClientKeyOverlap)); !errors.Is(err, ErrClientKeyExpired) {
		t.Fatal(err)
	}
	if err := reg.Revoke("app", newID, rot); err != nil {
		t.Fatal(err)
	}
	if _, err := reg.KeyFor("app", newID, rot); !errors.Is(err, ErrClientRevoked) {
		t.Fatal(err)
	}
	// Illegal key state changes.
	if err := reg.Activate("app", newID, rot); !errors.Is(err, ErrBadKeyState) {
		t.Fatal(err)
	}
	if _, err := reg.AddKey("app", newPub, rot); !errors.Is(err, ErrBadKeyState) {
		t.Fatal(err)
	}
	if err := reg.Deprecate("nope", newID, rot); !errors.Is(err, ErrUnknownClient) {
		t.Fatal(err)
	}
}

func TestReplayCacheBounded(t *testing.T) {
	c := NewReplayCache(time.Minute, 2)
	if err := c.Add([]byte("a"), t0); err != nil {
		t.Fatal(err)
	}
	if err := c.Add([]byte("a"), t0.Add(59*time.Second)); !errors.Is(err, ErrSaltReused) {
		t.Fatal(err)
	}
	c.Add([]byte("b"), t0)
	// Full of live entries: fails closed rather than forgetting "a".
	if err := c.Add([]byte("c"), t0.Add(time.Second)); !errors.Is(err, ErrReplayCacheFull) {
		t.Fatal(err)
	}
	// After the window the entries expire and room comes back.
	if err := c.Add([]byte("c"), t0.Add(time.Minute)); err != nil || c.Len() != 1 || c.Seen([]byte("a"), t0.Add(time.Minute)) {
		t.Fatal(err, c.Len())
	}
}

// Verification order: a forged upload must not burn the salt of the real one.
func TestForgedUploadDoesNotBurnSalt(t *testing.T) {
	f := buildCaptureVectors()
	var good captureVector
	for _, v := range f.Vectors {
		if v.Name == "valid upload" {
			good = v
		}
	}
	raw, _ := hex.DecodeString(good.Upload)
	forged, _ := ParseUpload(raw)
	forged.UserSig = bytes.Clone(forged.UserSig)
	forged.UserSig[0] ^= 1
	reg := NewClientRegistry()
	id, _ := reg.AddKey(vecClientID, ed25519.NewKeyFromSeed(vecClientSeed).Public().(ed25519.PublicKey), t0)
	reg.Activate(vecClientID, id, t0)
	ver := &Verifier{Clients: reg, Replay: NewReplayCache(0, 0)}
	now := vecCapture.Add(time.Minute)
	if err := ver.Verify(forged, now); !errors.Is(err, ErrBadUserSignature) {
		t.Fatal(err)
	}
	real, _ := ParseUpload(raw)
	if err := ver.Verify(real, now); err != nil {
		t.Fatal(err)
	}
}

func FuzzParseUpload(f *testing.F) {
	raw, err := os.ReadFile(vectorsFile)
	if err != nil {
		f.Fatal(err)
	}
	var vf captureVectorFile
	if err := json.Unmarshal(raw, &vf); err != nil {
		f.Fatal(err)
	}
	n := 0
	for _, v := range vf.Vectors {
		b, _ := hex.DecodeString(v.Upload)
		f.Add(b)
		n++
	}
	if n == 0 {
		f.Fatal("empty seed corpus")
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		u, err := ParseUpload(data)
		if err != nil {
			if !errors.Is(err, ErrMalformedUpload) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		// Strict parsing: one encoding per upload.
		out, err := u.MarshalBinary()
		if err != nil || !bytes.Equal(out, data) {
			t.Fatalf("re-encoding differs: %v", err)
		}
	})
}

func TestSigningRefusesMalformedKeys(t *testing.T) {
	good := ed25519.NewKeyFromSeed(vecClientSeed)
	for _, c := range []struct{ client, user ed25519.PrivateKey }{{good, good[:10]}, {good[:10], good}, {nil, good}} {
		if _, err := SignUpload(vecBinding(vecSalt(1)), vecEvidence, c.client, c.user); !errors.Is(err, ErrMalformedUpload) {
			t.Fatal(err)
		}
	}
	if _, err := AddProof([]byte(`{}`), ProofOptions{Created: t0}, good[:5]); !errors.Is(err, ErrBadProof) {
		t.Fatal(err)
	}
	if got := Committee(nil, nil, -1); len(got) != 0 {
		t.Fatal(got)
	}
}

// The capture time is signed in whole milliseconds. A Binding holding finer digits used to be
// judged on them in memory but on the signed milliseconds once parsed, so the same upload could be
// on time in one and in the future in the other. Both now judge the signed time.
func TestCaptureTimeJudgedAsSigned(t *testing.T) {
	client := ed25519.NewKeyFromSeed(vecClientSeed)
	_, user, _ := ed25519.GenerateKey(rand.Reader)
	reg := NewClientRegistry()
	id, _ := reg.AddKey(vecClientID, client.Public().(ed25519.PublicKey), t0)
	reg.Activate(vecClientID, id, t0)
	now := vecCapture.Truncate(time.Millisecond)
	edge := now.Add(MaxClockSkew) // on time at whole milliseconds; +0.5 ms is in the future
	b := vecBinding(vecSalt(0x40))
	b.CaptureTime = edge.Add(500 * time.Microsecond)
	up, err := SignUpload(b, []byte("evidence"), client, user)
	if err != nil {
		t.Fatal(err)
	}
	if !up.Binding.CaptureTime.Equal(edge) {
		t.Fatalf("SignUpload kept unsigned digits: %s", up.Binding.CaptureTime)
	}
	raw, _ := up.MarshalBinary()
	parsed, err := ParseUpload(raw)
	if err != nil || !parsed.Binding.CaptureTime.Equal(up.Binding.CaptureTime) {
		t.Fatal(err)
	}
	// An in-memory upload with the finer digits put back (the signature still verifies: the same
	// milliseconds) gets the parsed upload's answer: accepted.
	mem := *up
	mem.Binding.CaptureTime = edge.Add(500 * time.Microsecond)
	if err := (&Verifier{Clients: reg, Replay: NewReplayCache(0, 0)}).Verify(&mem, now); err != nil {
		t.Fatal("in memory:", err)
	}
	if err := (&Verifier{Clients: reg, Replay: NewReplayCache(0, 0)}).Verify(parsed, now); err != nil {
		t.Fatal("parsed:", err)
	}
	// Reject twin: one millisecond later is in the future, both ways.
	later := vecBinding(vecSalt(0x60))
	later.CaptureTime = edge.Add(time.Millisecond)
	up2, _ := SignUpload(later, []byte("evidence"), client, user)
	if err := (&Verifier{Clients: reg, Replay: NewReplayCache(0, 0)}).Verify(up2, now); !errors.Is(err, ErrFutureCapture) {
		t.Fatal(err)
	}
}
