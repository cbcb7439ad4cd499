package app

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"strconv"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/virtengine/sdk/node/tx"
)

// execCtx is what a message handler sees: the store, the block's height and time (never the local
// clock), and an event sink.
type execCtx struct {
	app         *App
	store       kv
	height      int64
	time        time.Time
	chainID     string
	proposer    []byte
	checkOnly   bool
	events      []abci.Event
	blockEvents []abci.Event
}

func (c *execCtx) emit(typ string, attrs ...string) {
	ev := abci.Event{Type: typ}
	for i := 0; i+1 < len(attrs); i += 2 {
		ev.Attributes = append(ev.Attributes, abci.EventAttribute{Key: attrs[i], Value: attrs[i+1], Index: true})
	}
	c.events = append(c.events, ev)
}

// handler executes one message for signer; it writes to c.store only.
type handler func(c *execCtx, signer *Account, d *tx.Decoded) error

var handlers = map[string]handler{}

func handle(typ string, h handler) {
	if _, dup := handlers[typ]; dup {
		panic("app: duplicate handler " + typ)
	}
	handlers[typ] = h
}

// deliver runs one transaction of a block: decode, ante (signature, chain, account, sequence, fee),
// then the message in its own cache so a failing message only costs the fee and the sequence.
func (a *App) deliver(c *execCtx, b []byte) *abci.ExecTxResult {
	if isInternal(b) {
		sub := *c
		mc := newCache(c.store)
		sub.store, sub.events = mc, nil
		if err := a.deliverInternal(&sub, b); err != nil {
			return result(err, nil)
		}
		mc.write()
		return result(nil, sub.events)
	}
	d, err := tx.Decode(b)
	if err != nil {
		return result(err, nil)
	}
	ante := newCache(c.store)
	signer, err := a.ante(ante, c.chainID, d, true)
	if err != nil {
		return result(err, nil)
	}
	ante.write()
	mc := newCache(c.store)
	sub := *c
	sub.store = mc
	sub.events = []abci.Event{{Type: "vetx", Attributes: []abci.EventAttribute{
		{Key: "type", Value: d.Parsed.Type, Index: true},
		{Key: "signer", Value: signer.Address.String(), Index: true},
		{Key: "hash", Value: hex.EncodeToString(d.Hash[:]), Index: true},
	}}}
	// The message sees the account after the fee and the sequence.
	if err := runMsg(&sub, signer, d); err != nil {
		return result(err, nil)
	}
	mc.write()
	c.blockEvents = append(c.blockEvents, sub.blockEvents...)
	return result(nil, sub.events)
}

func runMsg(c *execCtx, signer *Account, d *tx.Decoded) error {
	h, ok := handlers[d.Parsed.Type]
	if !ok {
		return fmt.Errorf("%w: %q has no handler", tx.ErrUnknownType, d.Parsed.Type)
	}
	// The handler's own checks (authorization, funds, state) speak first; the MFA gate then decides
	// on the same cache, so a refused step-up leaves no effect.
	if err := h(c, signer, d); err != nil {
		return err
	}
	return gate(c, signer, d)
}

func result(err error, events []abci.Event) *abci.ExecTxResult {
	if err != nil {
		return &abci.ExecTxResult{Code: CodeOf(err), Log: err.Error(), Codespace: "virtengine"}
	}
	return &abci.ExecTxResult{Code: CodeOK, Events: events}
}

// ante checks and charges the transaction: the chain id, the signer's account and number, the
// sequence, the account state, the signature and the fee. It returns the signer's account as stored
// after the fee and the sequence increment.
func (a *App) ante(s kv, chainID string, d *tx.Decoded, deliver bool) (*Account, error) {
	if d.Parsed.ChainID != chainID {
		return nil, txErr(ErrWrongChain, "transaction is for %q, this network is %q", d.Parsed.ChainID, chainID)
	}
	// The signature is checked before any state is read, so a forged transaction learns nothing.
	if !a.sigs.seen(d.Hash, deliver) {
		if err := d.Verify(); err != nil {
			return nil, err
		}
		if !deliver {
			a.sigs.add(d.Hash)
		}
	}
	addr := d.Signer()
	acc, err := getAccount(s, addr)
	if err != nil {
		return nil, err
	}
	if acc == nil {
		return nil, txErr(ErrUnknownAccount, "%s has no account; fund it first", addr)
	}
	if acc.Number != d.Parsed.Account {
		return nil, txErr(ErrWrongAccountNum, "signed for account number %d, %s is number %d", d.Parsed.Account, addr, acc.Number)
	}
	if acc.Sequence != d.Parsed.Sequence {
		return nil, txErr(ErrBadSequence, "signed with sequence %d, account is at %d", d.Parsed.Sequence, acc.Sequence)
	}
	if acc.State != tx.StateActive {
		return nil, txErr(ErrAccountInactive, "account %s is %s", addr, acc.State)
	}
	if acc.PubKey != nil && (acc.PubKey.Algo != d.PubKey.Algo || !bytes.Equal(acc.PubKey.Key, d.PubKey.Key)) {
		return nil, txErr(ErrUnauthorized, "key does not match the account's key")
	}
	p, err := getParams(s)
	if err != nil {
		return nil, err
	}
	if d.Parsed.Fee < p.MinFee {
		return nil, txErr(ErrFeeTooLow, "fee %d%s < minimum %d%s", d.Parsed.Fee, tx.Denom, p.MinFee, tx.Denom)
	}
	if acc.Balance < d.Parsed.Fee {
		return nil, txErr(ErrInsufficientFunds, "balance %d%s cannot pay fee %d%s", acc.Balance, tx.Denom, d.Parsed.Fee, tx.Denom)
	}
	acc.Balance -= d.Parsed.Fee
	acc.Sequence++
	if acc.PubKey == nil {
		pk := d.PubKey
		acc.PubKey = &pk
	}
	if err := putAccount(s, acc); err != nil {
		return nil, err
	}
	pool, err := getUint(s, keyFeePool)
	if err != nil {
		return nil, err
	}
	setUint(s, keyFeePool, pool+d.Parsed.Fee)
	return acc, nil
}

// sigCache remembers transaction hashes whose signature CheckTx verified, so FinalizeBlock does not
// verify them twice. It is local to this node and changes no result: a miss only costs a verification.
type sigCache struct{ m map[[32]byte]struct{} }

func newSigCache() sigCache { return sigCache{m: map[[32]byte]struct{}{}} }

func (s *sigCache) add(h [32]byte) {
	if len(s.m) >= maxSigCache {
		s.m = map[[32]byte]struct{}{}
	}
	s.m[h] = struct{}{}
}

// seen reports whether h was verified; on delivery the entry is consumed.
func (s *sigCache) seen(h [32]byte, consume bool) bool {
	_, ok := s.m[h]
	if ok && consume {
		delete(s.m, h)
	}
	return ok
}

// endBlock runs the per-block duties: identity tallies expire, fees go to the validators who signed
// the previous block.
func (a *App) endBlock(c *execCtx, req *abci.RequestFinalizeBlock) error {
	c.events = nil
	if err := expireIdentity(c); err != nil {
		return err
	}
	if err := closeIssuance(c); err != nil {
		return err
	}
	if err := distributeFees(c, req.DecidedLastCommit); err != nil {
		return err
	}
	if err := orderTick(c); err != nil {
		return err
	}
	if err := payouts(c); err != nil {
		return err
	}
	if err := recordContributions(c, req.DecidedLastCommit); err != nil {
		return err
	}
	if err := payValidatorRewards(c); err != nil {
		return err
	}
	c.blockEvents = append(c.blockEvents, c.events...)
	return nil
}

// distributeFees splits the fee pool among the validators that signed the last block, by voting
// power, in integer base units; the remainder stays in the pool for the next block.
func distributeFees(c *execCtx, lc abci.CommitInfo) error {
	pool, err := getUint(c.store, keyFeePool)
	if err != nil || pool == 0 {
		return err
	}
	var total int64
	type share struct {
		op    tx.Address
		power int64
	}
	var shares []share
	for _, v := range lc.Votes {
		if v.BlockIdFlag != 2 /* BlockIDFlagCommit */ {
			continue
		}
		val, err := getValidator(c.store, v.Validator.Address)
		if err != nil {
			return err
		}
		if val == nil || val.Operator.IsZero() {
			continue
		}
		shares = append(shares, share{val.Operator, v.Validator.Power})
		total += v.Validator.Power
	}
	if total == 0 {
		return nil
	}
	paid := uint64(0)
	for _, s := range shares {
		amt := mulDiv(pool, uint64(s.power), uint64(total))
		if amt == 0 {
			continue
		}
		if err := credit(c.store, s.op, amt); err != nil {
			return err
		}
		paid += amt
		c.emit("fee_payout", "operator", s.op.String(), "amount", strconv.FormatUint(amt, 10))
	}
	setUint(c.store, keyFeePool, pool-paid)
	return nil
}

// credit adds amt to addr's balance, creating the account if needed.
func credit(s kv, addr tx.Address, amt uint64) error {
	acc, err := getAccount(s, addr)
	if err != nil {
		return err
	}
	if acc == nil {
		if acc, err = newAccount(s, addr); err != nil {
			return err
		}
	}
	if acc.Balance+amt < acc.Balance {
		return txErr(ErrInvalidState, "balance overflow")
	}
	acc.Balance += amt
	return putAccount(s, acc)
}

// debit removes amt from addr's balance.
func debit(s kv, addr tx.Address, amt uint64) error {
	acc, err := getAccount(s, addr)
	if err != nil {
		return err
	}
	if acc == nil {
		return txErr(ErrUnknownAccount, "%s", addr)
	}
	if acc.Balance < amt {
		return txErr(ErrInsufficientFunds, "balance %d%s < %d%s", acc.Balance, tx.Denom, amt, tx.Denom)
	}
	acc.Balance -= amt
	return putAccount(s, acc)
}

// mulDiv returns a*b/c truncated, without overflow for the magnitudes used here (128-bit product).
func mulDiv(a, b, c uint64) uint64 {
	hi, lo := mul64(a, b)
	q, _ := div128(hi, lo, c)
	return q
}
