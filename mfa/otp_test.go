package mfa

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"image/png"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

func loadJSON(t testing.TB, name string, v any) {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatal(err)
	}
}

func TestRFC6238AppendixB(t *testing.T) {
	var f struct {
		Seeds   map[Algorithm]string
		Vectors []map[string]any
	}
	loadJSON(t, "rfc6238_appendix_b.json", &f)
	if len(f.Vectors) != 6 || len(f.Seeds) != 3 {
		t.Fatalf("vector file incomplete: %d vectors, %d seeds", len(f.Vectors), len(f.Seeds))
	}
	n := 0
	for _, v := range f.Vectors {
		unix := int64(v["time"].(float64))
		for _, alg := range []Algorithm{SHA1, SHA256, SHA512} {
			k := &OTPKey{Type: "totp", Secret: []byte(f.Seeds[alg]), Algorithm: alg, Digits: 8, Period: 30}
			now := time.Unix(unix, 0)
			step, _ := k.Step(now)
			wantStep, _ := strconv.ParseUint(v["step"].(string), 16, 64)
			if step != wantStep {
				t.Errorf("t=%d: step %X, want %X", unix, step, wantStep)
			}
			got, err := k.Code(now)
			if err != nil || got != v[string(alg)] {
				t.Errorf("t=%d %s: got %s (%v), want %s", unix, alg, got, err, v[string(alg)])
			}
			// The same vector verifies once through the factor, and is then a replay.
			f := NewTOTP()
			if err := f.Enroll("a", k); err != nil {
				t.Fatal(err)
			}
			if err := f.Verify("a", []byte(got), now); err != nil {
				t.Errorf("t=%d %s: verify: %v", unix, alg, err)
			}
			if err := f.Verify("a", []byte(got), now); !errors.Is(err, ErrCodeReplayed) {
				t.Errorf("t=%d %s: replay: %v", unix, alg, err)
			}
			n++
		}
	}
	if n != 18 {
		t.Fatalf("checked %d vectors, want 18", n)
	}
}

func TestRFC4226AppendixD(t *testing.T) {
	var f struct {
		Secret  string
		Vectors []struct {
			Count uint64
			HOTP  string
		}
	}
	loadJSON(t, "rfc4226_appendix_d.json", &f)
	if len(f.Vectors) != 10 {
		t.Fatalf("%d vectors", len(f.Vectors))
	}
	for _, v := range f.Vectors {
		got, err := HOTP([]byte(f.Secret), v.Count, 6, SHA1)
		if err != nil || got != v.HOTP {
			t.Errorf("count %d: got %s %v, want %s", v.Count, got, err, v.HOTP)
		}
	}
	// Through the factor: the counter advances, a look-ahead resynchronises, a used code is refused.
	fac := NewTOTP()
	if err := fac.Enroll("h", &OTPKey{Type: "hotp", Secret: []byte(f.Secret), Digits: 6, Algorithm: SHA1}); err != nil {
		t.Fatal(err)
	}
	if err := fac.Verify("h", []byte(f.Vectors[0].HOTP), t0); err != nil {
		t.Fatal(err)
	}
	if err := fac.Verify("h", []byte(f.Vectors[0].HOTP), t0); !errors.Is(err, ErrWrongCode) {
		t.Fatalf("HOTP replay: %v", err)
	}
	if err := fac.Verify("h", []byte(f.Vectors[1+HOTPLookAhead].HOTP), t0); err != nil {
		t.Fatalf("look-ahead %d: %v", HOTPLookAhead, err)
	}
	if err := fac.Verify("h", []byte(f.Vectors[9].HOTP), t0); !errors.Is(err, ErrWrongCode) {
		t.Fatalf("beyond look-ahead accepted: %v", err)
	}
}

func TestTOTPWindowAndReplay(t *testing.T) {
	k, err := GenerateTOTP("VirtEngine", "alice@example.com", SHA256, 7, nil)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Unix(1_700_000_010, 0) // 10 s into a step
	f := NewTOTP()
	f.Enroll("alice", k)
	code := func(d time.Duration) []byte { c, _ := k.Code(now.Add(d)); return []byte(c) }
	// ±1 step accepted, ±2 refused.
	if err := f.Verify("alice", code(-60*time.Second), now); !errors.Is(err, ErrWrongCode) {
		t.Fatalf("two steps back: %v", err)
	}
	if err := f.Verify("alice", code(60*time.Second), now); !errors.Is(err, ErrWrongCode) {
		t.Fatalf("two steps ahead: %v", err)
	}
	if err := f.Verify("alice", code(-30*time.Second), now); err != nil {
		t.Fatalf("one step back: %v", err)
	}
	// The current code is newer than the last used one and passes once.
	if err := f.Verify("alice", code(0), now); err != nil {
		t.Fatalf("current: %v", err)
	}
	if err := f.Verify("alice", code(0), now.Add(5*time.Second)); !errors.Is(err, ErrCodeReplayed) {
		t.Fatalf("replay within the window: %v", err)
	}
	// An older code still inside the window is refused once a newer one was used.
	if err := f.Verify("alice", code(-30*time.Second), now); !errors.Is(err, ErrCodeReplayed) {
		t.Fatalf("older code after newer: %v", err)
	}
	if err := f.Verify("alice", code(30*time.Second), now); err != nil {
		t.Fatalf("next step: %v", err)
	}
	if err := f.Verify("alice", []byte("12345"), now); !errors.Is(err, ErrWrongCode) {
		t.Fatalf("short code: %v", err)
	}
	if err := f.Verify("alice", []byte("abcdefg"), now); !errors.Is(err, ErrWrongCode) {
		t.Fatalf("letters: %v", err)
	}
	if err := f.Verify("bob", code(0), now); !errors.Is(err, ErrFactorNotFound) {
		t.Fatalf("unknown account: %v", err)
	}
	// Wrong key: a code of another secret.
	other, _ := GenerateTOTP("VirtEngine", "x", SHA256, 7, nil)
	oc, _ := other.Code(now.Add(90 * time.Second))
	if oc != string(code(90*time.Second)) { // a 1 in 10^7 collision would make this case meaningless
		if err := f.Verify("alice", []byte(oc), now.Add(90*time.Second)); !errors.Is(err, ErrWrongCode) {
			t.Fatalf("other key's code: %v", err)
		}
	}
}

func TestOTPParams(t *testing.T) {
	for _, d := range []int{5, 9, 0} {
		if _, err := HOTP([]byte("12345678901234567890"), 0, d, SHA1); !errors.Is(err, ErrInvalidInput) {
			t.Errorf("digits %d: %v", d, err)
		}
	}
	if _, err := HOTP([]byte("12345678901234567890"), 0, 6, "MD5"); !errors.Is(err, ErrInvalidInput) {
		t.Errorf("MD5 accepted: %v", err)
	}
	if _, err := HOTP(nil, 0, 6, SHA1); !errors.Is(err, ErrInvalidInput) {
		t.Errorf("empty secret: %v", err)
	}
	if err := NewTOTP().Enroll("a", &OTPKey{Type: "totp", Secret: make([]byte, 10), Digits: 6, Period: 30}); !errors.Is(err, ErrInvalidInput) {
		t.Errorf("80-bit secret accepted: %v", err)
	}
	for _, d := range []int{6, 7, 8} {
		k, err := GenerateTOTP("I", "a", SHA512, d, nil)
		if err != nil || len(k.Secret) != 64 {
			t.Fatalf("generate %d digits: %v", d, err)
		}
		c, _ := k.Code(t0)
		if len(c) != d {
			t.Errorf("code %q has %d digits, want %d", c, len(c), d)
		}
	}
	k := &OTPKey{Type: "totp", Secret: make([]byte, 20), Digits: 6, Period: 30}
	if _, err := k.Code(time.Unix(-1, 0)); !errors.Is(err, ErrInvalidInput) {
		t.Errorf("time before epoch: %v", err)
	}
}

func TestOTPAuthURIRoundTrip(t *testing.T) {
	for _, alg := range []Algorithm{SHA1, SHA256, SHA512} {
		k, err := GenerateTOTP("Virt Engine", "alice@example.com", alg, 8, nil)
		if err != nil {
			t.Fatal(err)
		}
		u := k.RevealURI()
		if !strings.HasPrefix(u, "otpauth://totp/Virt%20Engine:alice@example.com?") {
			t.Fatalf("URI %s", u)
		}
		back, err := ParseURI(u)
		if err != nil {
			t.Fatal(err)
		}
		if back.RevealURI() != u || !bytes.Equal(back.Secret, k.Secret) || back.Algorithm != alg || back.Digits != 8 || back.Issuer != "Virt Engine" {
			t.Fatalf("round trip: %+v", back)
		}
	}
	// The example of the Key URI Format documentation (a 160-bit secret).
	k, err := ParseURI("otpauth://totp/ACME%20Co:john.doe@email.com?secret=HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ&issuer=ACME%20Co&algorithm=SHA1&digits=6&period=30")
	if err != nil || k.Issuer != "ACME Co" || k.AccountName != "john.doe@email.com" || len(k.Secret) != 20 {
		t.Fatalf("documented example: %+v %v", k, err)
	}
	h, err := ParseURI("otpauth://hotp/alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&counter=5")
	if err != nil || h.Counter != 5 || string(h.Secret) != "12345678901234567890" {
		t.Fatalf("hotp: %+v %v", h, err)
	}
	bad := []string{
		"https://totp/a?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ",
		"otpauth://motp/a?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ",
		"otpauth://totp/a?secret=not*base32",
		"otpauth://totp/a",
		"otpauth://totp/?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ",
		"otpauth://totp/a?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&digits=x",
		"otpauth://totp/a?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&period=0",
		"otpauth://totp/A:a?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=B",
		"otpauth://hotp/a?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ",
		"otpauth://totp/a?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&digits=9",
		"otpauth://totp/a?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&algorithm=MD5",
		"otpauth://totp/" + strings.Repeat("a", MaxURILen),
	}
	for _, s := range bad {
		if _, err := ParseURI(s); !errors.Is(err, ErrMalformedURI) && !errors.Is(err, ErrInvalidInput) {
			t.Errorf("%s: accepted (%v)", s, err)
		}
	}
}

func TestOTPAuthQRCode(t *testing.T) {
	k, _ := GenerateTOTP("VirtEngine", "alice", SHA1, 6, nil)
	b, err := k.RevealQRCodePNG(256)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if r := img.Bounds(); r.Dx() != 256 || r.Dy() != 256 {
		t.Fatalf("QR %v", r)
	}
	if _, err := k.RevealQRCodePNG(10); !errors.Is(err, ErrInvalidInput) {
		t.Fatalf("tiny QR: %v", err)
	}
}

func FuzzParseURI(f *testing.F) {
	seeds := []string{
		"otpauth://totp/ACME%20Co:john.doe@email.com?secret=HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ&issuer=ACME%20Co&algorithm=SHA1&digits=6&period=30",
		"otpauth://hotp/alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&counter=5",
		"otpauth://totp/VirtEngine:bob?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&algorithm=SHA256&digits=8&period=60",
		"otpauth://totp/a?secret=not*base32",
		"otpauth://totp/alice?secret=JBSWY3DPEHPK3PXP\x7f",
	}
	for _, s := range seeds {
		f.Add(s)
	}
	if len(seeds) == 0 {
		f.Fatal("empty seed corpus")
	}
	f.Fuzz(func(t *testing.T, s string) {
		k, err := ParseURI(s)
		if err != nil {
			if !errors.Is(err, ErrMalformedURI) && !errors.Is(err, ErrInvalidInput) {
				t.Fatalf("untyped error %v", err)
			}
			// A URI net/url refuses is never quoted back with its secret parameter.
			if _, perr := url.Parse(s); perr == nil {
				return
			}
			if _, sec, ok := strings.Cut(s, "secret="); ok {
				sec, _, _ = strings.Cut(sec, "&")
				if len(sec) >= 8 && strings.Contains(err.Error(), sec) {
					t.Fatalf("error reveals the secret: %v", err)
				}
			}
			return
		}
		// Round trip: a parsed key re-encodes to a URI that parses to the same key.
		k2, err := ParseURI(k.RevealURI())
		if err != nil {
			t.Fatalf("re-parse %q: %v", k.RevealURI(), err)
		}
		if fmt.Sprint(*k) != fmt.Sprint(*k2) || !bytes.Equal(k.Secret, k2.Secret) { // Sprint redacts the secret
			t.Fatalf("round trip changed the key: %+v vs %+v", k, k2)
		}
	})
}

// A URI that net/url refuses must not come back in the error: it carries the TOTP secret.
func TestParseURIErrorHidesSecret(t *testing.T) {
	const secret = "JBSWY3DPEHPK3PXP"
	for _, s := range []string{
		"otpauth://totp/alice?secret=" + secret + "\x7f",
		"otpauth://to tp/alice?secret=" + secret,
		"otpauth://totp/%zz?secret=" + secret,
		"otpauth://totp:0secret=" + secret, // no '?': the secret sits in the port (found by FuzzParseURI)
	} {
		_, err := ParseURI(s)
		if !errors.Is(err, ErrMalformedURI) {
			t.Fatalf("%q: got %v, want ErrMalformedURI", s, err)
		}
		if strings.Contains(err.Error(), secret) {
			t.Fatalf("error reveals the secret: %v", err)
		}
	}
}

// URI keeps issuer and account name apart: a ':' that the label's first-colon split would misread
// is refused (an issuer with ':' or a colon in the account name of a key without issuer); a DID
// account under an issuer still round-trips. The first case was found by FuzzParseURI.
func TestOTPLabelColons(t *testing.T) {
	if _, err := ParseURI("otpauth://totp/:acme:bob?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"); !errors.Is(err, ErrInvalidInput) {
		t.Fatalf("empty issuer, colon in the account: %v", err)
	}
	if _, err := ParseURI("otpauth://totp/bob?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=a:b"); !errors.Is(err, ErrInvalidInput) {
		t.Fatalf("colon in the issuer parameter: %v", err)
	}
	for _, c := range [][2]string{{"", "a:b"}, {"Acme:Corp", "alice"}} {
		if _, err := GenerateTOTP(c[0], c[1], SHA1, 6, nil); !errors.Is(err, ErrInvalidInput) {
			t.Fatalf("GenerateTOTP(%q, %q): %v", c[0], c[1], err)
		}
	}
	k, err := GenerateTOTP("VirtEngine", "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK", SHA1, 6, nil)
	if err != nil {
		t.Fatal(err)
	}
	k2, err := ParseURI(k.RevealURI())
	if err != nil || k2.Issuer != k.Issuer || k2.AccountName != k.AccountName {
		t.Fatalf("DID account round trip: %+v %v", k2, err)
	}
}
