package app

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"strconv"

	"github.com/virtengine/sdk/envelope"

	"github.com/virtengine/sdk/node/tx"
	"github.com/virtengine/sdk/veid"
)

// Identity state keys.
const (
	pfxIdentReq     = "ir/" // ir/<request id 32> → IdentityRequest
	pfxIdentPending = "ip/" // ip/<submitted height 8><request id 32> → empty, the pending queue in order
	pfxIdentity     = "id/" // id/<address> → Identity
)

// IdentityRequest is one submitted evidence envelope awaiting a consensus score.
type IdentityRequest struct {
	ID        []byte     `cbor:"1,keyasint" json:"id"`
	Account   tx.Address `cbor:"2,keyasint" json:"account"`
	Envelope  []byte     `cbor:"3,keyasint" json:"-"`
	Height    int64      `cbor:"4,keyasint" json:"height"`
	Status    string     `cbor:"5,keyasint" json:"status"` // pending, final, expired
	Score     uint32     `cbor:"6,keyasint" json:"score"`
	InputHash []byte     `cbor:"7,keyasint,omitempty" json:"input_hash,omitempty"`
	FinalAt   int64      `cbor:"8,keyasint" json:"final_height"`
	// Dissent lists the consensus addresses whose vote disagreed with the final score.
	Dissent [][]byte `cbor:"9,keyasint,omitempty" json:"dissent,omitempty"`
	// Time is the block time (Unix s) of the block that committed the evidence: the evaluation time
	// of its extraction (EvaluationTime) unless Params.EvidenceTime is set.
	Time int64 `cbor:"10,keyasint,omitempty" json:"time,omitempty"`
}

// Identity is an account's identity record: the latest consensus score and its attestation.
type Identity struct {
	Account   tx.Address `cbor:"1,keyasint" json:"account"`
	Score     uint32     `cbor:"2,keyasint" json:"score"`
	Tier      int        `cbor:"3,keyasint" json:"tier"`
	Status    string     `cbor:"4,keyasint" json:"status"` // verified or rejected
	Model     string     `cbor:"5,keyasint" json:"model"`
	InputHash []byte     `cbor:"6,keyasint" json:"input_hash"`
	Request   []byte     `cbor:"7,keyasint" json:"request"`
	Height    int64      `cbor:"8,keyasint" json:"height"`
	IssuedAt  int64      `cbor:"9,keyasint" json:"issued_at"`   // block time, Unix seconds
	ExpiresAt int64      `cbor:"10,keyasint" json:"expires_at"` // block time, Unix seconds
}

// Request statuses.
const (
	ReqPending = "pending"
	ReqFinal   = "final"
	ReqExpired = "expired"
)

func pendingKey(h int64, id []byte) string {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(h))
	return pfxIdentPending + string(b[:]) + string(id)
}

func getIdentity(s kv, a tx.Address) (*Identity, error) {
	var id Identity
	ok, err := getObj(s, pfxIdentity+string(a[:]), &id)
	if err != nil || !ok {
		return nil, err
	}
	return &id, nil
}

// identityScore is the account's current consensus score (0 when none).
func identityScore(c *execCtx, a tx.Address) (uint32, error) {
	id, err := getIdentity(c.store, a)
	if err != nil || id == nil {
		return 0, err
	}
	if id.Status != "verified" || (c.time.Unix() > id.ExpiresAt && !c.time.IsZero()) {
		return 0, nil
	}
	return id.Score, nil
}

// requireEnvelope refuses plaintext for data classes that must travel as envelopes (FEATURES.md
// §1.8): the envelope package checks for a well-formed header without any key.
func requireEnvelope(class envelope.DataClass, b []byte, what string) error {
	if err := envelope.CheckPayload(class, b); err != nil {
		return txErr(ErrPlaintext, "%s must be an envelope (%v)", what, err)
	}
	return nil
}

func init() {
	handle("identity/submit", func(c *execCtx, signer *Account, d *tx.Decoded) error {
		m := d.Msg.(*tx.MsgSubmitEvidence)
		if err := requireEnvelope(envelope.ClassIdentityScope, m.Envelope, "identity evidence (seal it to the validators' committee keys)"); err != nil {
			return err
		}
		ids, err := c.app.committeeKeyIDs(c.store)
		if err != nil {
			return err
		}
		// Evidence no validator can open would only wait out the vote window; evidence sealed to
		// other keys too is allowed (the holder's own key, for consent re-wraps), not without one
		// of the committee's (veid, FEATURES.md §3.1).
		if len(ids) > 0 {
			if err := veid.CheckEvidenceRecipients(m.Envelope, ids); err != nil {
				return txErr(tx.ErrInvalidMsg, "identity evidence must be sealed, with named recipients, to every validator's committee key (client.Committee lists them): %v", err)
			}
		}
		req := IdentityRequest{ID: d.Hash[:], Account: signer.Address, Envelope: m.Envelope, Height: c.height, Status: ReqPending, Time: c.time.Unix()}
		if err := putObj(c.store, pfxIdentReq+string(req.ID), &req); err != nil {
			return err
		}
		c.store.set(pendingKey(c.height, req.ID), []byte{})
		c.emit("identity_submitted", "account", signer.Address.String(), "request", hex.EncodeToString(req.ID))
		return nil
	})
}

// pendingRequests lists pending requests in submission order; the committed-state scan is bounded by
// maxPendingScan so a flood of submissions cannot make a block unbounded.
func (a *App) pendingRequests(s kv) ([]*IdentityRequest, error) {
	it, err := a.db.Iterator([]byte(pfxIdentPending), []byte("iq"))
	if err != nil {
		return nil, err
	}
	defer it.Close()
	var out []*IdentityRequest
	for ; it.Valid() && len(out) < maxPendingScan; it.Next() {
		k := it.Key()
		id := k[len(pfxIdentPending)+8:]
		var r IdentityRequest
		ok, err := getObj(s, pfxIdentReq+string(id), &r)
		if err != nil {
			return nil, err
		}
		if ok && r.Status == ReqPending {
			out = append(out, &r)
		}
	}
	return out, it.Error()
}

// expireIdentity marks requests older than the vote window as expired.
func expireIdentity(c *execCtx) error {
	p, err := getParams(c.store)
	if err != nil {
		return err
	}
	reqs, err := c.app.pendingRequests(c.store)
	if err != nil {
		return err
	}
	for _, r := range reqs {
		if uint64(c.height-r.Height) <= p.IdentityVoteWindow {
			continue
		}
		r.Status = ReqExpired
		r.Envelope = nil
		if err := putObj(c.store, pfxIdentReq+string(r.ID), r); err != nil {
			return err
		}
		c.store.del(pendingKey(r.Height, r.ID))
		c.emit("identity_expired", "account", r.Account.String(), "request", hex.EncodeToString(r.ID))
	}
	return nil
}

func finalize(c *execCtx, r *IdentityRequest, score uint32, inputHash []byte, model string, tier int, passed bool, dissent [][]byte, iv *IssueVote, total int64) error {
	r.Status, r.Score, r.InputHash, r.FinalAt, r.Dissent = ReqFinal, score, inputHash, c.height, dissent
	r.Envelope = nil // the evidence leaves the state once scored
	if err := putObj(c.store, pfxIdentReq+string(r.ID), r); err != nil {
		return err
	}
	c.store.del(pendingKey(r.Height, r.ID))
	status := "rejected"
	if passed {
		status = "verified"
	}
	id := Identity{Account: r.Account, Score: score, Tier: tier, Status: status, Model: model, InputHash: inputHash,
		Request: r.ID, Height: c.height, IssuedAt: c.time.Unix(), ExpiresAt: c.time.Unix() + attestationValidity}
	if err := putObj(c.store, pfxIdentity+string(r.Account[:]), &id); err != nil {
		return err
	}
	if passed {
		if err := createCredential(c, r, &id, iv, total); err != nil {
			return err
		}
	}
	c.emit("identity_final", "account", r.Account.String(), "request", hex.EncodeToString(r.ID),
		"score", strconv.FormatUint(uint64(score), 10), "status", status, "submitted_height", strconv.FormatInt(r.Height, 10))
	for _, d := range dissent {
		c.emit("identity_vote_rejected", "validator", hex.EncodeToString(d), "request", hex.EncodeToString(r.ID))
	}
	return nil
}

func sameBytes(a, b []byte) bool { return bytes.Equal(a, b) }

// committeeKeyIDs lists the key ids of every validator's committee key, in state order.
func (a *App) committeeKeyIDs(s kv) ([]envelope.KeyID, error) {
	vals, err := a.validators(s)
	if err != nil {
		return nil, err
	}
	var out []envelope.KeyID
	for _, v := range vals {
		if len(v.CommitteeKey) == 0 {
			continue
		}
		r, err := envelope.ParseRecipient(string(v.CommitteeKey))
		if err != nil {
			continue // a key no client can seal to; the validator cannot vote either
		}
		out = append(out, r.KeyID())
	}
	return out, nil
}
