package app

import (
	"context"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/virtengine/sdk/node/tx"
)

// CheckTx admits a transaction to the mempool only if it would succeed now: canonical encoding, known
// type, right chain, account number and sequence (counting the account's transactions already in the
// mempool), valid signature, fee, MFA and envelope rules, and a dry run of the message.
func (a *App) CheckTx(_ context.Context, req *abci.RequestCheckTx) (*abci.ResponseCheckTx, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	err := a.checkTx(req.Tx)
	if err != nil {
		return &abci.ResponseCheckTx{Code: CodeOf(err), Log: err.Error(), Codespace: "virtengine"}, nil
	}
	return &abci.ResponseCheckTx{Code: CodeOK, GasWanted: 1}, nil
}

func (a *App) checkTx(b []byte) error {
	if isInternal(b) {
		return txErr(ErrInternalTx, "only the block proposer adds identity tallies")
	}
	d, err := tx.Decode(b)
	if err != nil {
		return err
	}
	ante := newCache(a.check)
	signer, err := a.ante(ante, a.chainID, d, false)
	if err != nil {
		return err
	}
	c := &execCtx{app: a, store: newCache(ante), height: a.height + 1, time: a.lastTime, chainID: a.chainID, checkOnly: true}
	if err := runMsg(c, signer, d); err != nil {
		return err
	}
	ante.write() // the mempool view keeps the fee and the sequence, not the message's effects
	return nil
}

// PrepareProposal puts the identity tally of the previous height's vote extensions first, then the
// mempool's transactions that still fit.
func (a *App) PrepareProposal(_ context.Context, req *abci.RequestPrepareProposal) (*abci.ResponsePrepareProposal, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	var out [][]byte
	size := int64(0)
	if t := a.buildTally(req); t != nil && int64(len(t)) <= req.MaxTxBytes {
		out = append(out, t)
		size += int64(len(t))
	}
	for _, t := range req.Txs {
		if isInternal(t) {
			continue
		}
		if size+int64(len(t)) > req.MaxTxBytes {
			break
		}
		out = append(out, t)
		size += int64(len(t))
	}
	return &abci.ResponsePrepareProposal{Txs: out}, nil
}

// ProcessProposal rejects a block whose identity tally is not the first transaction, appears twice,
// or carries vote extensions that do not verify against the validator set.
func (a *App) ProcessProposal(_ context.Context, req *abci.RequestProcessProposal) (*abci.ResponseProcessProposal, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for i, t := range req.Txs {
		if !isInternal(t) {
			continue
		}
		if i != 0 {
			return &abci.ResponseProcessProposal{Status: abci.ResponseProcessProposal_REJECT}, nil
		}
		if err := a.verifyTally(t, req.Height); err != nil {
			a.log.Warn("rejecting proposal: bad identity tally", "height", req.Height, "err", err)
			return &abci.ResponseProcessProposal{Status: abci.ResponseProcessProposal_REJECT}, nil
		}
	}
	return &abci.ResponseProcessProposal{Status: abci.ResponseProcessProposal_ACCEPT}, nil
}
