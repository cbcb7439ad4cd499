package veid

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"errors"
	"strings"
	"testing"

	"github.com/virtengine/sdk/zk"
)

// Every string that is hashed or signed is length-prefixed with a u16 and refused over 65535 bytes,
// never cut. These tests use pairs that differ only after byte 65535: once cut, each pair encoded
// the same, so one signature or fingerprint stood for both.

// long returns a 65535-byte prefix followed by tail.
func long(tail string) string { return strings.Repeat("p", 65535) + tail }

// max16 is the longest valid string: 65535 bytes ending in last.
func max16(last string) string { return strings.Repeat("p", 65534) + last }

func wantTooLong(t *testing.T, what string, err error) {
	t.Helper()
	wantCode(t, what, err, ErrTooLong, "TOO_LONG")
	if strings.Contains(err.Error(), "pppp") {
		t.Fatalf("%s: the error quotes the string: %.80s", what, err)
	}
}

func TestAppendStr16NeverCuts(t *testing.T) {
	b, err := appendStr16(nil, "x", max16("a"))
	if err != nil || len(b) != 2+65535 || b[0] != 0xff || b[1] != 0xff {
		t.Fatal(len(b), err)
	}
	if _, err := appendStr16(nil, "x", long("a")); !errors.Is(err, ErrTooLong) {
		t.Fatal(err)
	}
	if _, err := appendStr16s(nil, "x", "ok", "y", long("b")); !errors.Is(err, ErrTooLong) || !strings.Contains(err.Error(), "y is 65536 bytes") {
		t.Fatal(err)
	}
}

func TestVoteEncodingRefusesCutFields(t *testing.T) {
	key := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{3}, 32))
	base := Vote{RequestID: "r", Validator: "val-0", Model: CompositeV2Version, Score: 75, Passed: true}

	// Reject: strings over 65535 bytes, in each field, leave the vote unsigned.
	for name, mut := range map[string]func(*Vote){
		"request id": func(v *Vote) { v.RequestID = long("a") },
		"validator":  func(v *Vote) { v.Validator = long("a") },
		"model":      func(v *Vote) { v.Model = long("a") },
	} {
		v := base
		mut(&v)
		wantTooLong(t, name, SignVote(&v, key))
		if v.Sig != nil {
			t.Fatalf("%s: signed", name)
		}
	}
	// Reject: a score outside 0..100 used to be signed as its low byte (300 as 44).
	for _, s := range []int{-1, 101, 300} {
		v := base
		v.Score = s
		wantCode(t, "score", SignVote(&v, key), ErrScoreRange, "SCORE_RANGE")
	}
	// Accept twins: 65535-byte fields and the score bounds sign, and the tally counts them.
	vs := newValidators(t, 1)
	set := setOf(vs)
	set[0].Name = max16("v")
	for _, s := range []int{0, 100} {
		v := Vote{RequestID: max16("r"), Validator: set[0].Name, Model: max16("m"), Score: s}
		if err := SignVote(&v, vs[0].key); err != nil {
			t.Fatal(err)
		}
		res, err := Tally(max16("r"), set, []Vote{v})
		if err != nil || !res.Final || res.Score != s {
			t.Fatalf("score %d: %+v %v", s, res, err)
		}
		// A request id that differs in its last byte does not take the vote.
		if res, _ := Tally(max16("R"), set, []Vote{v}); res.Final || len(res.Invalid) != 1 {
			t.Fatalf("vote counted for another request: %+v", res)
		}
	}

	// Tally refuses what has no encoding: a request id, a validator name, a vote's model.
	wantTooLong(t, "tally request id", func() error { _, err := Tally(long("r"), set, nil); return err }())
	bad := setOf(vs)
	bad[0].Name = long("v")
	if _, err := Tally("r", bad, nil); !errors.Is(err, ErrBadPower) {
		t.Fatal(err)
	}
	v := Vote{RequestID: "r", Validator: "val-0", Model: long("m"), Score: 75, Sig: make([]byte, 64)}
	res, _ := Tally("r", setOf(vs), []Vote{v})
	if len(res.Invalid) != 1 || res.Invalid[0].Code != "TOO_LONG" || res.Final {
		t.Fatalf("%+v", res)
	}

	// ScoreEvidence refuses before doing any work.
	_, err := ScoreEvidence(context.Background(), nil, long("r"), "val-0", vs[0].id, vs[0].key, jsonExtractor{"json-v1"}, CompositeV2{}, testParams)
	wantTooLong(t, "ScoreEvidence request id", err)
	_, err = ScoreEvidence(context.Background(), nil, "r", long("v"), vs[0].id, vs[0].key, jsonExtractor{"json-v1"}, CompositeV2{}, testParams)
	wantTooLong(t, "ScoreEvidence name", err)
}

func TestWalletAndConsentEncodingRefusesCutFields(t *testing.T) {
	key := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{8}, 32))
	// Reject: BindWallet with an over-long account or chain id.
	_, err := BindWallet("virtengine-1", long("a"), key, t0)
	wantTooLong(t, "BindWallet account", err)
	_, err = BindWallet(long("c"), "acct", key, t0)
	wantTooLong(t, "BindWallet chain", err)

	// Accept twin: a 65535-byte account binds and verifies, for itself only.
	b, err := BindWallet("virtengine-1", max16("a"), key, t0)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Verify("virtengine-1", max16("a")); err != nil {
		t.Fatal(err)
	}
	// A binding signed for one long account, relabelled to another with the same first 65535
	// bytes: once cut, both had the same message and the signature verified.
	short, err := BindWallet("virtengine-1", strings.Repeat("p", 65535), key, t0)
	if err != nil {
		t.Fatal(err)
	}
	relabelled := short
	relabelled.Account = long("x")
	wantTooLong(t, "relabelled binding", relabelled.Verify("virtengine-1", long("x")))

	// Consent changes: over-long scope id or account are refused when signing and when applied.
	c := ConsentChange{Account: "acct", ScopeID: long("s"), Grant: true, Seq: 1}
	wantTooLong(t, "SignConsent scope id", SignConsent(&c, key))
	if c.Sig != nil {
		t.Fatal("signed")
	}
	scopes := NewScopes()
	if err := scopes.Add(Scope{ID: strings.Repeat("p", 65535), Kind: KindEmail}, t0); err != nil {
		t.Fatal(err)
	}
	wb, _ := BindWallet("virtengine-1", "acct", key, t0)
	w, err := NewWallet("virtengine-1", wb, scopes)
	if err != nil {
		t.Fatal(err)
	}
	// A change signed for the 65535-byte scope id, moved to a longer id: refused, not verified.
	ok := ConsentChange{Account: "acct", ScopeID: strings.Repeat("p", 65535), Grant: false, Seq: 1}
	if err := SignConsent(&ok, key); err != nil {
		t.Fatal(err)
	}
	moved := ok
	moved.ScopeID = long("s")
	wantTooLong(t, "moved consent change", w.Apply(moved, nil, t0))
	// Accept twin: the change for the id it was signed for applies.
	if err := w.Apply(ok, nil, t0); err != nil {
		t.Fatal(err)
	}
	if sc, _ := scopes.Get(ok.ScopeID); sc.Consent {
		t.Fatal("consent not revoked")
	}
}

func TestDocumentFingerprintRefusesCutNumbers(t *testing.T) {
	key := []byte("template key")
	a, b := long("A"), long("B")
	for _, n := range []string{a, b} {
		_, err := ComputeDocumentFingerprint(key, "UTO", n)
		wantTooLong(t, "document number", err)
		// The deprecated form gives the zero fingerprint, which the index ignores.
		if DocumentFingerprint(key, "UTO", n) != ([32]byte{}) {
			t.Fatal("fingerprint of an unencodable number")
		}
	}
	_, err := ComputeDocumentFingerprint(key, long("S"), "L898902C3")
	wantTooLong(t, "issuing state", err)
	var x DuplicateIndex
	var far FaceTemplate // at distance FaceTemplateBits from the zero template: another face
	for i := range far {
		far[i] = 0xff
	}
	x.Add("acct-1", FaceTemplate{}, DocumentFingerprint(key, "UTO", a))
	if err := x.Check("acct-2", far, DocumentFingerprint(key, "UTO", b)); err != nil {
		t.Fatal("two different over-long numbers matched:", err)
	}
	// Accept twin: 65535-byte numbers differing in the last byte get different fingerprints.
	fa, err1 := ComputeDocumentFingerprint(key, "UTO", max16("A"))
	fb, err2 := ComputeDocumentFingerprint(key, "UTO", max16("B"))
	if err1 != nil || err2 != nil || fa == fb || fa != DocumentFingerprint(key, "uto", " "+max16("a")+" ") {
		t.Fatal(err1, err2)
	}
	// The documented bytes are unchanged for ordinary numbers.
	if got, _ := ComputeDocumentFingerprint(key, "UTO", "L898902C3"); got != DocumentFingerprint(key, "UTO", "L898902C3") {
		t.Fatal("checked and unchecked fingerprints differ")
	}
}

// ("a\x00b", "c") and ("a", "b\x00c") are different challenges: with a plain "account \x00
// destination" map key, the second Start replaced the first person's pending code.
func TestOTPChallengeKeyUnambiguous(t *testing.T) {
	box := &codeBox{}
	o := NewOTP(box, OTPLimits{}, nil)
	ctx := context.Background()
	if err := o.Start(ctx, "a\x00b", "c", t0); err != nil {
		t.Fatal(err)
	}
	first := box.last("c")
	if err := o.Start(ctx, "a", "b\x00c", t0); err != nil {
		t.Fatal(err)
	}
	second := box.last("b\x00c")
	if err := o.Verify("a\x00b", "c", first, t0); err != nil {
		t.Fatal("first challenge lost:", err)
	}
	// Twin: the second challenge is its own, and the first code does not open it unless equal.
	if first != second {
		if err := o.Verify("a", "b\x00c", first, t0); !errors.Is(err, ErrOTPWrongCode) {
			t.Fatal(err)
		}
	}
	if err := o.Verify("a", "b\x00c", second, t0); err != nil {
		t.Fatal(err)
	}
	if challengeKey("a\x00b", "c") == challengeKey("a", "b\x00c") {
		t.Fatal("keys collide")
	}
}

func TestIssueZKCredentialScoreRange(t *testing.T) {
	issuer, err := zk.GenerateIssuerKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	holder, _ := zk.GenerateHolderSecret(nil)
	h := ZKHolder{BirthDate: t0.AddDate(-30, 0, 0), Country: 840, Key: holder.PublicKey()}
	res := testResult(t)
	for _, s := range []int{-1, 101, 331} { // 331 used to become 75 in the credential's byte
		r := res
		r.Score = s
		_, err := IssueZKCredential(issuer, nil, r, []ScopeKind{KindIDDocument}, h, t0, nil)
		wantCode(t, "zk score", err, ErrScoreRange, "SCORE_RANGE")
	}
	r := res
	r.Score = 100
	if c, err := IssueZKCredential(issuer, nil, r, []ScopeKind{KindIDDocument}, h, t0, nil); err != nil || c.Attributes.Score != 100 {
		t.Fatal(err)
	}
}
