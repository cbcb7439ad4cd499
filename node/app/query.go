package app

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"strings"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/virtengine/sdk/node/tx"
)

// Query answers read requests on committed state with JSON values. Paths:
//
//	/account/<address>        Account
//	/identity/<address>       Identity (consensus score and attestation)
//	/identity/request/<id>    IdentityRequest
//	/identity/credential/<id> IssuedCredential of a final, passed request (signatures, no personal data)
//	/identity/issuers         []IssuerKeys: the validators' registered credential issuer keys
//	/params                   Params, with the MFA policy version and hash
//	/validators               []Validator
//	/fee_pool                 {"amount": n}
//	/zk/verify                zk.Result for data = CBOR of tx.MsgVerifyPresentation
//
// Modules add their own paths (market, settlement, hpc) in queries.
func (a *App) Query(_ context.Context, req *abci.RequestQuery) (*abci.ResponseQuery, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	v, err := a.query(req.Path, req.Data)
	if err != nil {
		return &abci.ResponseQuery{Code: CodeOf(err), Log: err.Error(), Height: a.height}, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return &abci.ResponseQuery{Code: CodeInternal, Log: err.Error(), Height: a.height}, nil
	}
	return &abci.ResponseQuery{Code: CodeOK, Key: []byte(req.Path), Value: b, Height: a.height}, nil
}

// queryHandlers holds module query paths: prefix → handler of the rest of the path.
var queryHandlers = map[string]func(s kv, rest string) (any, error){}

func (a *App) query(path string, data []byte) (any, error) {
	st := dbView{a.db}
	path = strings.TrimPrefix(path, "/")
	switch {
	case strings.HasPrefix(path, "account/"):
		addr, err := tx.ParseAddress(strings.TrimPrefix(path, "account/"))
		if err != nil {
			return nil, err
		}
		acc, err := getAccount(st, addr)
		if err != nil {
			return nil, err
		}
		if acc == nil {
			return nil, txErr(ErrNotFound, "no account %s; it is created when it first receives funds", addr)
		}
		return acc, nil
	case strings.HasPrefix(path, "identity/request/"):
		id, err := hex.DecodeString(strings.TrimPrefix(path, "identity/request/"))
		if err != nil || len(id) != 32 {
			return nil, txErr(ErrNotFound, "request id is 64 hex characters")
		}
		var r IdentityRequest
		ok, err := getObj(st, pfxIdentReq+string(id), &r)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, txErr(ErrNotFound, "no identity request %x", id)
		}
		return &r, nil
	case strings.HasPrefix(path, "identity/credential/"):
		id, err := hex.DecodeString(strings.TrimPrefix(path, "identity/credential/"))
		if err != nil || len(id) != 32 {
			return nil, txErr(ErrNotFound, "request id is 64 hex characters")
		}
		c, err := getCredential(st, id)
		if err != nil {
			return nil, err
		}
		if c == nil {
			return nil, txErr(ErrNotFound, "no credential for request %x (not final, not passed, or pending)", id)
		}
		return c, nil
	case path == "identity/issuers":
		return a.issuerKeys(st)
	case strings.HasPrefix(path, "identity/"):
		addr, err := tx.ParseAddress(strings.TrimPrefix(path, "identity/"))
		if err != nil {
			return nil, err
		}
		id, err := getIdentity(st, addr)
		if err != nil {
			return nil, err
		}
		if id == nil {
			return nil, txErr(ErrNotFound, "%s has no identity score yet; submit evidence with identity/submit", addr)
		}
		return id, nil
	case path == "params":
		p, err := getParams(st)
		if err != nil {
			return nil, err
		}
		return map[string]any{"params": p, "mfa_policy_version": gatePolicy.Version, "mfa_policy_hash": gatePolicy.Hash(),
			"chain_id": a.chainID, "denom": tx.Denom, "tx_types": tx.Types()}, nil
	case path == "validators":
		return a.validators(st)
	case path == "zk/verify":
		// data: canonical CBOR of tx.MsgVerifyPresentation. Verified against committed state at the
		// last block time; the nonce is not spent (a query changes nothing).
		var m tx.MsgVerifyPresentation
		if err := tx.Unmarshal(data, &m); err != nil {
			return nil, err
		}
		return verifyPresentation(newCache(st), m.KeyID, m.Request, m.Presentation, a.lastTime)
	case path == "fee_pool":
		n, err := getUint(st, keyFeePool)
		return map[string]uint64{"amount": n}, err
	}
	for prefix, h := range queryHandlers {
		if strings.HasPrefix(path, prefix) {
			return h(st, strings.TrimPrefix(path, prefix))
		}
	}
	return nil, txErr(ErrNotFound, "unknown query path %q", path)
}

// validators lists the validator records in key order (committed keys, values read through s).
func (a *App) validators(s kv) ([]Validator, error) {
	it, err := a.db.Iterator([]byte(pfxVal), []byte("v0"))
	if err != nil {
		return nil, err
	}
	defer it.Close()
	var out []Validator
	for ; it.Valid(); it.Next() {
		var v Validator
		ok, err := getObj(s, string(it.Key()), &v)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, v)
		}
	}
	return out, it.Error()
}
