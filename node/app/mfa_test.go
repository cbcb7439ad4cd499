package app

import (
	"bytes"
	"strings"
	"testing"

	dbm "github.com/cometbft/cometbft-db"

	"github.com/virtengine/sdk/node/tx"
)

// giveIdentity records a final consensus score for acct (white-box: as a final tally would).
func giveIdentity(t *testing.T, h *harness, acct tx.Address, score uint32) {
	t.Helper()
	c := &execCtx{app: h.a, store: h.a.pending, height: h.height, time: h.now}
	r := &IdentityRequest{ID: bytes.Repeat([]byte{acct[0] ^ 0x5a}, 32), Account: acct, Status: ReqPending}
	if err := finalize(c, r, score, bytes.Repeat([]byte{9}, 32), "composite-v2", 2, score >= 50, nil, nil, 0); err != nil {
		t.Fatal(err)
	}
	h.block()
}

type mfaEnv struct {
	h                      *harness
	root, user, fido, totp *tx.PrivKey
}

func newMFAEnv(t *testing.T) *mfaEnv {
	t.Helper()
	e := &mfaEnv{root: key(t, tx.Ed25519, 1), user: key(t, tx.Ed25519, 2), fido: key(t, tx.Secp256k1, 7), totp: key(t, tx.Ed25519, 8)}
	e.h = newHarness(t, dbm.NewMemDB(), fundedGenesis(e.root, e.user), Options{})
	e.h.block()
	return e
}

func (e *mfaEnv) fidoSig() tx.NamedSigner { return tx.NamedSigner{ID: "fido", Key: e.fido} }
func (e *mfaEnv) totpSig() tx.NamedSigner { return tx.NamedSigner{ID: "totp", Key: e.totp} }

func wantLog(t *testing.T, h *harness, b []byte, code uint32, substr string) {
	t.Helper()
	r := h.block(b)
	if r[0].Code != code || !strings.Contains(r[0].Log, substr) {
		t.Fatalf("code %d (%s), want %d with %q", r[0].Code, r[0].Log, code, substr)
	}
}

// The first factor is enrolled with the account key alone; a second one needs the key-rotation
// step-up (score ≥ 50, VEID + FIDO2), so a stolen account key cannot add factors of its own.
func TestFactorEnrollmentBootstrapThenStepUp(t *testing.T) {
	e := newMFAEnv(t)
	h := e.h
	mustOK(t, h, h.sign(e.user, &tx.MsgRegisterFactor{ID: "fido", Kind: tx.FactorFIDO2, PubKey: e.fido.PubKey()}))
	second := &tx.MsgRegisterFactor{ID: "totp", Kind: tx.FactorTOTP, PubKey: e.totp.PubKey()}
	// Reject: the account key alone, then the FIDO2 factor without a verified identity (no VEID).
	wantLog(t, h, h.sign(e.user, second), CodeMFARequired, "key rotation")
	wantCode(t, h, h.sign(e.user, second, e.fidoSig()), CodeMFARequired)
	if n := len(h.account(e.user.Address()).Factors); n != 1 {
		t.Fatalf("%d factors after refused enrollments", n)
	}
	giveIdentity(t, h, e.user.Address(), 72)
	// Reject: the identity (VEID) without the FIDO2 signature.
	wantCode(t, h, h.sign(e.user, second), CodeMFARequired)
	// Accept: VEID (identity on chain) + FIDO2 (registered key).
	mustOK(t, h, h.sign(e.user, second, e.fidoSig()))
	if n := len(h.account(e.user.Address()).Factors); n != 2 {
		t.Fatalf("%d factors, want 2", n)
	}
}

// A veid factor cannot be declared by the user: registering a key as veid is refused (CheckTx and
// delivery), and the VEID factor of a rule is passed only by the account's own verified identity.
func TestVEIDFactorIsNotSelfDeclared(t *testing.T) {
	e := newMFAEnv(t)
	h := e.h
	fake := key(t, tx.Ed25519, 9)
	selfVEID := h.sign(e.user, &tx.MsgRegisterFactor{ID: "face", Kind: tx.FactorVEID, PubKey: fake.PubKey()})
	if r := h.check(selfVEID); r.Code != CodeInvalidMsg {
		t.Fatalf("check of a self-declared veid factor: code %d (%s)", r.Code, r.Log)
	}
	wantCode(t, h, selfVEID, CodeInvalidMsg)
	// Accept twin: a fido2 key registers.
	mustOK(t, h, h.sign(e.user, &tx.MsgRegisterFactor{ID: "fido", Kind: tx.FactorFIDO2, PubKey: e.fido.PubKey()}))

	// A veid key registered before the refusal (legacy state) counts for nothing.
	c := &execCtx{app: h.a, store: h.a.pending, height: h.height, time: h.now}
	if err := updateAccount(c, e.user.Address(), func(a *Account) error {
		a.Factors = append(a.Factors, Factor{ID: "face", Kind: tx.FactorVEID, PubKey: fake.PubKey()})
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	h.block()
	// Reject: a withdrawal above 10,000 (score ≥ 70, VEID + FIDO2) with the fake veid key, and with a
	// score of 80 that another account holds.
	mustOK(t, h, h.sign(e.user, &tx.MsgDeposit{Amount: 30_000}))
	big := &tx.MsgWithdraw{Amount: 20_000}
	giveIdentity(t, h, e.root.Address(), 80)
	wantLog(t, h, h.sign(e.user, big, e.fidoSig(), tx.NamedSigner{ID: "face", Key: fake}), CodeMFARequired, "identity score")
	// Accept: the user's own verified identity is the VEID factor.
	giveIdentity(t, h, e.user.Address(), 80)
	wantLog(t, h, h.sign(e.user, big, tx.NamedSigner{ID: "face", Key: fake}), CodeMFARequired, "veid+fido2")
	mustOK(t, h, h.sign(e.user, big, e.fidoSig()))
}

// settlement/withdraw is sensitive: 1,000–10,000 needs FIDO2 or TOTP, above 10,000 VEID + FIDO2;
// below 1,000 needs none.
func TestWithdrawalNeedsPolicyFactors(t *testing.T) {
	e := newMFAEnv(t)
	h := e.h
	mustOK(t, h, h.sign(e.user, &tx.MsgDeposit{Amount: 50_000}))
	mustOK(t, h, h.sign(e.user, &tx.MsgWithdraw{Amount: 999}))
	mustOK(t, h, h.sign(e.user, &tx.MsgRegisterFactor{ID: "fido", Kind: tx.FactorFIDO2, PubKey: e.fido.PubKey()}))
	mid, big := &tx.MsgWithdraw{Amount: 5_000}, &tx.MsgWithdraw{Amount: 20_000}
	// Reject: no score; then a score but no factor.
	wantLog(t, h, h.sign(e.user, mid, e.fidoSig()), CodeMFARequired, "identity score")
	giveIdentity(t, h, e.user.Address(), 80)
	wantCode(t, h, h.sign(e.user, mid), CodeMFARequired)
	mustOK(t, h, h.sign(e.user, &tx.MsgRegisterFactor{ID: "totp", Kind: tx.FactorTOTP, PubKey: e.totp.PubKey()}, e.fidoSig()))
	// Accept: TOTP satisfies "FIDO2 or TOTP".
	mustOK(t, h, h.sign(e.user, mid, e.totpSig()))
	// Reject: above 10,000, VEID + TOTP is not VEID + FIDO2.
	wantLog(t, h, h.sign(e.user, big, e.totpSig()), CodeMFARequired, "withdrawal > 10,000")
	mustOK(t, h, h.sign(e.user, big, e.fidoSig()))
	if got := h.account(e.user.Address()).Balance; got < 1_000_000-50_000+999+5_000+20_000-20 {
		t.Fatalf("bank balance %d: withdrawals not credited", got)
	}
}

// Removing a factor needs the disable-a-factor step-up (VEID + FIDO2 + TOTP); replacing a factor's
// key needs the key-rotation step-up (VEID + FIDO2), signed by the keys registered before the change.
func TestRemoveAndReplaceFactor(t *testing.T) {
	e := newMFAEnv(t)
	h := e.h
	mustOK(t, h, h.sign(e.user, &tx.MsgRegisterFactor{ID: "fido", Kind: tx.FactorFIDO2, PubKey: e.fido.PubKey()}))
	giveIdentity(t, h, e.user.Address(), 72)
	mustOK(t, h, h.sign(e.user, &tx.MsgRegisterFactor{ID: "totp", Kind: tx.FactorTOTP, PubKey: e.totp.PubKey()}, e.fidoSig()))

	rm := &tx.MsgRemoveFactor{ID: "totp"}
	wantLog(t, h, h.sign(e.user, rm), CodeMFARequired, "disable a factor")
	wantCode(t, h, h.sign(e.user, rm, e.fidoSig()), CodeMFARequired) // TOTP missing
	wantCode(t, h, h.sign(e.user, &tx.MsgRemoveFactor{ID: "nope"}, e.fidoSig(), e.totpSig()), CodeNotFound)
	mustOK(t, h, h.sign(e.user, rm, e.fidoSig(), e.totpSig()))
	if fs := h.account(e.user.Address()).Factors; len(fs) != 1 || fs[0].ID != "fido" {
		t.Fatalf("factors after removal: %+v", fs)
	}

	newFido := key(t, tx.Secp256k1, 11)
	rep := &tx.MsgReplaceFactor{ID: "fido", PubKey: newFido.PubKey()}
	wantLog(t, h, h.sign(e.user, rep), CodeMFARequired, "key rotation")
	wantCode(t, h, h.sign(e.user, rep, tx.NamedSigner{ID: "fido", Key: newFido}), CodeMFARequired) // the new key cannot authorize itself
	mustOK(t, h, h.sign(e.user, rep, e.fidoSig()))
	if fs := h.account(e.user.Address()).Factors; len(fs) != 1 || !bytes.Equal(fs[0].PubKey.Key, newFido.PubKey().Key) || fs[0].Kind != tx.FactorFIDO2 {
		t.Fatalf("factors after replacement: %+v", fs)
	}
	// The old key no longer passes; the new one does.
	mid := &tx.MsgSend{To: e.root.Address(), Amount: 2_000}
	wantCode(t, h, h.sign(e.user, mid, e.fidoSig()), CodeMFARequired)
	mustOK(t, h, h.sign(e.user, mid, tx.NamedSigner{ID: "fido", Key: newFido}))
}

// The network pins the policy table's version: a node applying another table refuses transactions
// of the types the table gates (it cannot know the pinned table's ranges) instead of deciding them
// differently, and says what to do; other types still pass.
func TestMFAPolicyVersionPinned(t *testing.T) {
	e := newMFAEnv(t)
	h := e.h
	mustOK(t, h, h.sign(e.user, &tx.MsgSend{To: e.root.Address(), Amount: 5}))
	c := &execCtx{app: h.a, store: h.a.pending, height: h.height, time: h.now}
	p, _ := getParams(c.store)
	if p.MFAPolicy != gatePolicy.Version {
		t.Fatalf("default params pin %q, policy is %q", p.MFAPolicy, gatePolicy.Version)
	}
	p.MFAPolicy = "mfa-policy-v0"
	if err := putObj(c.store, keyParams, p); err != nil {
		t.Fatal(err)
	}
	h.block()
	mustOK(t, h, h.sign(e.user, &tx.MsgDeposit{Amount: 5}))
	wantLog(t, h, h.sign(e.user, &tx.MsgSend{To: e.root.Address(), Amount: 5}), CodeMFARequired, "pins MFA policy")
}
