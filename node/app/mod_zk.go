package app

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"time"

	"github.com/virtengine/sdk/node/tx"
	"github.com/virtengine/sdk/zk"
)

// The proofs module: zk verifying keys registered by governance, presentations verified in
// consensus (transaction) or on demand (query /zk/verify/<key id> with the presentation as data).
const (
	pfxVK    = "zk/vk/" // zk/vk/<id> → VKRecord
	pfxNonce = "zk/n/"  // zk/n/<sha256(audience || nonce)> → expiry (Unix ns)
)

// VKRecord is a registered verifying key.
type VKRecord struct {
	ID          string     `cbor:"1,keyasint" json:"id"`
	Key         []byte     `cbor:"2,keyasint" json:"key"`
	AllowUnsafe bool       `cbor:"3,keyasint" json:"allow_unsafe"`
	By          tx.Address `cbor:"4,keyasint" json:"registered_by"`
	Height      int64      `cbor:"5,keyasint" json:"height"`
}

// stateNonces is zk.NonceStore over the application state, so a presentation verifies once on chain.
type stateNonces struct{ s kv }

func (n stateNonces) Use(audience string, nonce zk.Scalar, now, expiry time.Time) error {
	h := sha256.New()
	h.Write([]byte(audience))
	h.Write([]byte{0})
	h.Write(nonce[:])
	key := pfxNonce + string(h.Sum(nil))
	if b, ok, err := n.s.get(key); err != nil {
		return err
	} else if ok && len(b) == 8 && int64(binary.BigEndian.Uint64(b)) > now.UnixNano() {
		return zk.ErrNonceReplayed
	}
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(expiry.UnixNano()))
	n.s.set(key, b[:])
	return nil
}

func verifyPresentation(s kv, keyID string, reqB, presB []byte, now time.Time) (zk.Result, error) {
	var rec VKRecord
	ok, err := getObj(s, pfxVK+keyID, &rec)
	if err != nil {
		return zk.Result{}, err
	}
	if !ok {
		return zk.Result{}, txErr(ErrNotFound, "no verifying key %q registered", keyID)
	}
	var vk zk.VerifyingKey
	if err := vk.UnmarshalBinary(rec.Key); err != nil {
		return zk.Result{}, txErr(ErrInvalidState, "stored key %q: %v", keyID, err)
	}
	req, err := zk.DecodeRequest(reqB)
	if err != nil {
		return zk.Result{}, txErr(ErrInvalidState, "request: %v", err)
	}
	pres, err := zk.DecodePresentation(presB)
	if err != nil {
		return zk.Result{}, txErr(ErrInvalidState, "presentation: %v", err)
	}
	v := &zk.Verifier{Key: &vk, Nonces: stateNonces{s}, AllowUnsafeSetup: rec.AllowUnsafe}
	return v.Verify(req, pres, now), nil
}

func init() {
	handle("zk/register_vk", func(c *execCtx, s *Account, d *tx.Decoded) error {
		m := d.Msg.(*tx.MsgRegisterVK)
		if !s.HasRole(tx.RoleGenesis) && !s.HasRole(tx.RoleAdministrator) {
			return txErr(ErrUnauthorized, "verifying keys are registered by governance (genesis or administrator)")
		}
		var vk zk.VerifyingKey
		if err := vk.UnmarshalBinary(m.Key); err != nil {
			return txErr(ErrInvalidState, "verifying key: %v", err)
		}
		if ok, _, _ := c.store.get(pfxVK + m.ID); ok != nil {
			return txErr(ErrInvalidState, "key %q is registered; use a new id for a new key", m.ID)
		}
		if err := putObj(c.store, pfxVK+m.ID, &VKRecord{ID: m.ID, Key: m.Key, AllowUnsafe: m.AllowUnsafe, By: s.Address, Height: c.height}); err != nil {
			return err
		}
		c.emit("zk_key_registered", "id", m.ID)
		return nil
	})
	handle("zk/verify", func(c *execCtx, s *Account, d *tx.Decoded) error {
		m := d.Msg.(*tx.MsgVerifyPresentation)
		res, err := verifyPresentation(c.store, m.KeyID, m.Request, m.Presentation, c.time)
		if err != nil {
			return err
		}
		if !res.Valid {
			return txErr(ErrInvalidState, "presentation rejected: %s %s", res.Reason, res.Detail)
		}
		attrs := []string{"key", m.KeyID, "verifier", s.Address.String(), "tx", hex.EncodeToString(d.Hash[:8])}
		for _, a := range res.Disclosed {
			attrs = append(attrs, "disclosed_"+a.Name, a.Value.String())
		}
		c.emit("zk_verified", attrs...)
		return nil
	})
}
