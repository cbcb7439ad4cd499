package app

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"testing"

	dbm "github.com/cometbft/cometbft-db"
	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/virtengine/sdk/node/tx"
)

func TestTransferAndFees(t *testing.T) {
	alice, bob := key(t, tx.Ed25519, 1), key(t, tx.Secp256k1, 2)
	h := newHarness(t, dbm.NewMemDB(), fundedGenesis(alice), Options{})
	h.block()
	r := h.block(h.sign(alice, &tx.MsgSend{To: bob.Address(), Amount: 300}))
	if r[0].Code != CodeOK {
		t.Fatal(r[0].Log)
	}
	if got := h.account(bob.Address()).Balance; got != 300 {
		t.Fatalf("bob %d", got)
	}
	if got := h.account(alice.Address()).Balance; got != 1_000_000-300-1 {
		t.Fatalf("alice %d", got)
	}
	r = h.block(h.sign(bob, &tx.MsgSend{To: alice.Address(), Amount: 500}))
	if r[0].Code != CodeInsufficientFunds {
		t.Fatalf("overspend: code %d", r[0].Code)
	}
	// A failed message still costs its fee and advances the sequence.
	if acc := h.account(bob.Address()); acc.Balance != 299 || acc.Sequence != 1 {
		t.Fatalf("bob after failed tx: %+v", acc)
	}
}

// Reject twins of CheckTx: each case next to the accepted original.
func TestCheckTxRejects(t *testing.T) {
	alice, bob, mallory := key(t, tx.Ed25519, 1), key(t, tx.Ed25519, 2), key(t, tx.Ed25519, 3)
	h := newHarness(t, dbm.NewMemDB(), fundedGenesis(alice, bob), Options{})
	h.block()
	send := &tx.MsgSend{To: bob.Address(), Amount: 5}
	good := h.sign(alice, send)
	if r := h.check(good); r.Code != CodeOK {
		t.Fatalf("good tx rejected: %s", r.Log)
	}
	acc := h.account(alice.Address())

	wrongChain, _ := tx.Sign(alice, "other-chain", acc.Number, acc.Sequence, 1, send)
	badSeq, _ := tx.Sign(alice, testChain, acc.Number, acc.Sequence+5, 1, send)
	wrongNum, _ := tx.Sign(alice, testChain, acc.Number+1, acc.Sequence, 1, send)
	lowFee, _ := tx.Sign(alice, testChain, acc.Number, acc.Sequence+1, 0, send)
	unknown, _ := tx.Sign(mallory, testChain, 0, 0, 1, send)
	tampered := append([]byte(nil), good...)
	tampered[len(tampered)-1] ^= 1 // a signature byte
	// mallory signs alice's body with his own key but presents alice's public key.
	d, _ := tx.Decode(good)
	msig, _ := mallory.SignRaw(tx.SignBytes(d.Body))
	forged, _ := tx.Marshal(tx.Tx{Body: d.Body, PubKey: d.PubKey, Sig: msig})
	tally := append(append([]byte(nil), internalPrefix...), 0xa0)
	plainEvidence := h.sign(bob, &tx.MsgSubmitEvidence{Envelope: []byte(`{"has_document":true}`)})

	cases := []struct {
		name string
		b    []byte
		code uint32
		err  error
	}{
		{"replay of the admitted tx", good, CodeBadSequence, ErrBadSequence},
		{"wrong chain id", wrongChain, CodeWrongChain, ErrWrongChain},
		{"bad sequence", badSeq, CodeBadSequence, ErrBadSequence},
		{"wrong account number", wrongNum, CodeUnknownAccount, ErrWrongAccountNum},
		{"fee below minimum", lowFee, CodeFeeTooLow, ErrFeeTooLow},
		{"unknown account", unknown, CodeUnknownAccount, ErrUnknownAccount},
		{"tampered signature", tampered, CodeBadSignature, tx.ErrBadSignature},
		{"signature by another key", forged, CodeBadSignature, tx.ErrBadSignature},
		{"oversize", make([]byte, tx.MaxTxBytes+1), CodeTooLarge, tx.ErrTooLarge},
		{"garbage", []byte{0xa1, 0x01}, CodeMalformed, tx.ErrMalformed},
		{"proposer-only tally", tally, CodeInternalTx, ErrInternalTx},
		{"plaintext evidence", plainEvidence, CodePlaintext, ErrPlaintext},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if r := h.check(c.b); r.Code != c.code {
				t.Fatalf("code %d (%s), want %d", r.Code, r.Log, c.code)
			}
			if err := h.a.checkTx(c.b); !errors.Is(err, c.err) {
				t.Fatalf("error %v, want %v", err, c.err)
			}
		})
	}

	// Committed, the same bytes replayed in a later block fail with a bad sequence too.
	if r := h.block(good); r[0].Code != CodeOK {
		t.Fatal(r[0].Log)
	}
	if r := h.block(good); r[0].Code != CodeBadSequence {
		t.Fatalf("replay in a block: code %d", r[0].Code)
	}
}

// The mempool view counts pending transactions: two from one account in a row pass CheckTx.
func TestCheckTxSequencesInMempool(t *testing.T) {
	alice, bob := key(t, tx.Ed25519, 1), key(t, tx.Ed25519, 2)
	h := newHarness(t, dbm.NewMemDB(), fundedGenesis(alice), Options{})
	h.block()
	acc := h.account(alice.Address())
	for i := uint64(0); i < 3; i++ {
		b, _ := tx.Sign(alice, testChain, acc.Number, acc.Sequence+i, 1, &tx.MsgSend{To: bob.Address(), Amount: 1})
		if r := h.check(b); r.Code != CodeOK {
			t.Fatalf("tx %d: %s", i, r.Log)
		}
	}
}

func TestRoles(t *testing.T) {
	root, admin, cust := key(t, tx.Ed25519, 1), key(t, tx.Ed25519, 2), key(t, tx.Ed25519, 3)
	h := newHarness(t, dbm.NewMemDB(), fundedGenesis(root, admin, cust), Options{})
	h.block()
	if r := h.block(h.sign(root, &tx.MsgGrantRole{Account: admin.Address(), Role: tx.RoleAdministrator})); r[0].Code != CodeOK {
		t.Fatal(r[0].Log)
	}
	if !h.account(admin.Address()).HasRole(tx.RoleAdministrator) {
		t.Fatal("role not granted")
	}
	// A customer may not grant, an administrator may not make administrators.
	if r := h.block(h.sign(cust, &tx.MsgGrantRole{Account: cust.Address(), Role: tx.RoleModerator})); r[0].Code != CodeUnauthorized {
		t.Fatalf("customer grant: %d", r[0].Code)
	}
	if r := h.block(h.sign(admin, &tx.MsgGrantRole{Account: cust.Address(), Role: tx.RoleAdministrator})); r[0].Code != CodeUnauthorized {
		t.Fatalf("admin makes admin: %d", r[0].Code)
	}
	// Suspension stops the account from transacting.
	if r := h.block(h.sign(root, &tx.MsgSetAccountState{Account: cust.Address(), State: tx.StateSuspended})); r[0].Code != CodeOK {
		t.Fatal(r[0].Log)
	}
	if r := h.check(h.sign(cust, &tx.MsgSend{To: root.Address(), Amount: 1})); r.Code != CodeAccountInactive {
		t.Fatalf("suspended account: %d", r.Code)
	}
}

// MFA gate: a 5,000 transfer by a non-genesis account needs a score ≥ 50 and FIDO2 or TOTP.
func TestMFAGate(t *testing.T) {
	root, user := key(t, tx.Ed25519, 1), key(t, tx.Ed25519, 2)
	fido := key(t, tx.Secp256k1, 7)
	h := newHarness(t, dbm.NewMemDB(), fundedGenesis(root, user), Options{})
	h.block()
	big := &tx.MsgSend{To: root.Address(), Amount: 5000}
	if r := h.block(h.sign(user, &tx.MsgSend{To: root.Address(), Amount: 999})); r[0].Code != CodeOK {
		t.Fatalf("small transfer: %s", r[0].Log)
	}
	if r := h.block(h.sign(user, big)); r[0].Code != CodeMFARequired {
		t.Fatalf("no score, no factor: %d", r[0].Code)
	}
	if r := h.block(h.sign(user, &tx.MsgRegisterFactor{ID: "yubikey", Kind: tx.FactorFIDO2, PubKey: fido.PubKey()})); r[0].Code != CodeOK {
		t.Fatal(r[0].Log)
	}
	// Give the user a verified score (white-box: as a final tally would).
	c := &execCtx{app: h.a, store: h.a.pending, height: h.height, time: h.now}
	r := &IdentityRequest{ID: bytes.Repeat([]byte{1}, 32), Account: user.Address(), Status: ReqPending}
	if err := finalize(c, r, 72, bytes.Repeat([]byte{2}, 32), "composite-v2", 2, true, nil, nil, 0); err != nil {
		t.Fatal(err)
	}
	h.block()
	if r := h.block(h.sign(user, big)); r[0].Code != CodeMFARequired {
		t.Fatalf("score but no factor: %d", r[0].Code)
	}
	wrong := key(t, tx.Secp256k1, 8)
	if r := h.block(h.sign(user, big, tx.NamedSigner{ID: "yubikey", Key: wrong})); r[0].Code != CodeMFARequired {
		t.Fatalf("wrong factor key: %d", r[0].Code)
	}
	if r := h.block(h.sign(user, big, tx.NamedSigner{ID: "yubikey", Key: fido})); r[0].Code != CodeOK {
		t.Fatalf("with factor: %s", r[0].Log)
	}
}

// State, height and app hash survive a restart; a block finalized but not committed is re-executed
// to the same app hash (what CometBFT's handshake replay does after a crash).
func TestRestartAndReplay(t *testing.T) {
	dir := t.TempDir()
	alice, bob := key(t, tx.Ed25519, 1), key(t, tx.Ed25519, 2)
	db, err := dbm.NewGoLevelDB("app", dir)
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, db, fundedGenesis(alice), Options{})
	h.block()
	h.block(h.sign(alice, &tx.MsgSend{To: bob.Address(), Amount: 10}))
	committedHash := h.a.AppHash()
	next := h.sign(alice, &tx.MsgSend{To: bob.Address(), Amount: 20})
	// Finalize height 3 but "crash" before Commit.
	r1, err := h.a.FinalizeBlock(context.Background(), &abci.RequestFinalizeBlock{Height: 3, Time: h.now.Add(1e9), Txs: [][]byte{next}})
	if err != nil {
		t.Fatal(err)
	}
	h.a.Close()

	db2, err := dbm.NewGoLevelDB("app", dir)
	if err != nil {
		t.Fatal(err)
	}
	a2, err := New(db2, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer a2.Close()
	info, _ := a2.Info(context.Background(), &abci.RequestInfo{})
	if info.LastBlockHeight != 2 || !bytes.Equal(info.LastBlockAppHash, committedHash) {
		t.Fatalf("after restart: height %d hash %X, want 2 %X", info.LastBlockHeight, info.LastBlockAppHash, committedHash)
	}
	r2, err := a2.FinalizeBlock(context.Background(), &abci.RequestFinalizeBlock{Height: 3, Time: h.now.Add(1e9), Txs: [][]byte{next}})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(r1.AppHash, r2.AppHash) {
		t.Fatal("replayed block gives another app hash")
	}
	if _, err := a2.Commit(context.Background(), &abci.RequestCommit{}); err != nil {
		t.Fatal(err)
	}
	acc, _ := getAccount(dbView{db2}, bob.Address())
	if acc.Balance != 30 {
		t.Fatalf("bob %d after replay", acc.Balance)
	}
}

// Two applications fed the same blocks agree on every app hash; a different block diverges.
func TestDeterministicAppHash(t *testing.T) {
	alice, bob := key(t, tx.Ed25519, 1), key(t, tx.Secp256k1, 2)
	h1 := newHarness(t, dbm.NewMemDB(), fundedGenesis(alice), Options{})
	h2 := newHarness(t, dbm.NewMemDB(), fundedGenesis(alice), Options{})
	h1.block()
	h2.block()
	for i := 0; i < 5; i++ {
		b := h1.sign(alice, &tx.MsgSend{To: bob.Address(), Amount: uint64(i + 1)})
		h1.block(b)
		h2.block(b)
		if !bytes.Equal(h1.a.AppHash(), h2.a.AppHash()) {
			t.Fatalf("height %d: hashes differ", h1.height)
		}
	}
	h1.block(h1.sign(alice, &tx.MsgSend{To: bob.Address(), Amount: 1}))
	h2.block(h2.sign(alice, &tx.MsgSend{To: bob.Address(), Amount: 2}))
	if bytes.Equal(h1.a.AppHash(), h2.a.AppHash()) {
		t.Fatal("different blocks, same app hash")
	}
}

func TestGenesisExportImport(t *testing.T) {
	alice, bob := key(t, tx.Ed25519, 1), key(t, tx.Ed25519, 2)
	h := newHarness(t, dbm.NewMemDB(), fundedGenesis(alice), Options{})
	h.block()
	h.block(h.sign(alice, &tx.MsgSend{To: bob.Address(), Amount: 77}))
	g, err := h.a.Export()
	if err != nil {
		t.Fatal(err)
	}
	h2 := newHarness(t, dbm.NewMemDB(), *g, Options{})
	h2.block()
	if acc := h2.account(bob.Address()); acc == nil || acc.Balance != 77 {
		t.Fatalf("imported bob: %+v", acc)
	}
	if acc := h2.account(alice.Address()); acc.Sequence != 1 || !acc.HasRole(tx.RoleGenesis) {
		t.Fatalf("imported alice: %+v", acc)
	}
}

// A genesis that lists one account twice with balances summing past 2^64-1 is refused instead of
// wrapping to a small balance; the same account listed twice within range gets the sum.
func TestGenesisBalanceOverflow(t *testing.T) {
	k := key(t, tx.Ed25519, 9)
	for _, c := range []struct {
		a, b   uint64
		refuse bool
	}{{10, 20, false}, {^uint64(0), 1, true}} {
		g := Genesis{Accounts: []GenesisAccount{{Address: k.Address(), Balance: c.a}, {Address: k.Address(), Balance: c.b}}}
		st, err := json.Marshal(g)
		if err != nil {
			t.Fatal(err)
		}
		a, err := New(dbm.NewMemDB(), Options{})
		if err != nil {
			t.Fatal(err)
		}
		_, err = a.InitChain(context.Background(), &abci.RequestInitChain{ChainId: testChain, InitialHeight: 1, AppStateBytes: st})
		if c.refuse != (err != nil) {
			t.Fatalf("balances %d + %d: err %v, want refused %v", c.a, c.b, err, c.refuse)
		}
	}
}
