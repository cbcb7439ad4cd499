package veid

import (
	"bytes"
	"crypto/ed25519"
	"encoding/binary"
	"time"

	"github.com/virtengine/sdk/envelope"
)

// Wallet binding and consent (FEATURES.md §3.9). Both are real Ed25519 signatures over
// domain-separated messages (the earlier system only compared bytes).

const (
	walletBindingDomain = "VEID-WALLET-BINDING-v1\x00"
	consentDomain       = "VEID-CONSENT-v1\x00"
)

// WalletBinding proves that the holder of Key controls the wallet for Account on ChainID.
type WalletBinding struct {
	ChainID string            `json:"chain_id"`
	Account string            `json:"account"`
	Key     ed25519.PublicKey `json:"key"`
	BoundAt time.Time         `json:"bound_at"`
	Sig     []byte            `json:"sig"`
}

// message is the signed bytes (PROTOCOL.md §9); a chain id or account over 65535 bytes has none
// (ErrTooLong) rather than being cut, so a binding cannot be replayed for a longer account.
func (b *WalletBinding) message() ([]byte, error) {
	m := append([]byte{}, walletBindingDomain...)
	m, err := appendStr16s(m, "chain id", b.ChainID, "account", b.Account)
	if err != nil {
		return nil, err
	}
	m = append(m, b.Key...)
	return binary.BigEndian.AppendUint64(m, uint64(b.BoundAt.UnixMilli())), nil
}

// BindWallet signs a wallet binding with the wallet's key. A key that is not a 64-byte Ed25519
// private key gives ErrBadKey (code "BAD_KEY"); a chain id or account over 65535 bytes ErrTooLong
// ("TOO_LONG").
func BindWallet(chainID, account string, key ed25519.PrivateKey, now time.Time) (WalletBinding, error) {
	if err := checkPrivateKey("wallet", key); err != nil {
		return WalletBinding{}, err
	}
	b := WalletBinding{ChainID: chainID, Account: account, Key: key.Public().(ed25519.PublicKey), BoundAt: now}
	msg, err := b.message()
	if err != nil {
		return WalletBinding{}, err
	}
	b.Sig = ed25519.Sign(key, msg)
	return b, nil
}

// Verify checks the binding's signature and that it is for this chain and account. A chain id or
// account over 65535 bytes gives ErrTooLong ("TOO_LONG"): nothing can have been signed over it.
func (b *WalletBinding) Verify(chainID, account string) error {
	if b.ChainID != chainID || b.Account != account {
		return newErr("WALLET_NOT_BOUND", ErrWalletNotBound, "binding is for %s on %s", b.Account, b.ChainID)
	}
	msg, err := b.message()
	if err != nil {
		return err
	}
	if len(b.Key) != ed25519.PublicKeySize || len(b.Sig) != ed25519.SignatureSize || !ed25519.Verify(b.Key, msg, b.Sig) {
		return newErr("BAD_WALLET_BINDING", ErrBadWalletBinding, "")
	}
	return nil
}

// ConsentChange grants or revokes the network's access to one scope, signed by the bound wallet.
// Seq must increase with every change of the wallet, so a change cannot be replayed.
type ConsentChange struct {
	Account string `json:"account"`
	ScopeID string `json:"scope_id"`
	Grant   bool   `json:"grant"`
	Seq     uint64 `json:"seq"`
	Sig     []byte `json:"sig"`
}

// message is the signed bytes (PROTOCOL.md §9); an account or scope id over 65535 bytes has none
// (ErrTooLong) rather than being cut, so a change cannot be moved to a longer scope id.
func (c *ConsentChange) message() ([]byte, error) {
	m := append([]byte{}, consentDomain...)
	m, err := appendStr16s(m, "account", c.Account, "scope id", c.ScopeID)
	if err != nil {
		return nil, err
	}
	g := byte(0)
	if c.Grant {
		g = 1
	}
	m = append(m, g)
	return binary.BigEndian.AppendUint64(m, c.Seq), nil
}

// SignConsent signs c with the wallet key. A key that is not a 64-byte Ed25519 private key gives
// ErrBadKey (code "BAD_KEY"), an account or scope id over 65535 bytes ErrTooLong ("TOO_LONG");
// both leave c unchanged.
func SignConsent(c *ConsentChange, key ed25519.PrivateKey) error {
	if err := checkPrivateKey("wallet", key); err != nil {
		return err
	}
	msg, err := c.message()
	if err != nil {
		return err
	}
	c.Sig = ed25519.Sign(key, msg)
	return nil
}

// AccessChanger rewrites a scope's evidence envelope so the identity network can (grant) or can no
// longer (revoke) open it. NetworkAccess is the envelope-based implementation.
type AccessChanger interface {
	ChangeAccess(evidence []byte, grant bool) ([]byte, error)
}

// Wallet is a person's view of their scopes with consent flags.
type Wallet struct {
	ChainID string
	Binding WalletBinding
	Scopes  *Scopes
	seq     uint64
}

// NewWallet checks the binding and returns the wallet.
func NewWallet(chainID string, b WalletBinding, scopes *Scopes) (*Wallet, error) {
	if err := b.Verify(chainID, b.Account); err != nil {
		return nil, err
	}
	return &Wallet{ChainID: chainID, Binding: b, Scopes: scopes}, nil
}

// ConsentEntry is one line of the wallet's list.
type ConsentEntry struct {
	ScopeID string      `json:"scope_id"`
	Kind    ScopeKind   `json:"kind"`
	Status  ScopeStatus `json:"status"`
	Consent bool        `json:"consent"`
}

// List returns every scope with its consent flag, in insertion order.
func (w *Wallet) List() []ConsentEntry {
	var out []ConsentEntry
	for _, s := range w.Scopes.All() {
		out = append(out, ConsentEntry{s.ID, s.Kind, s.Status, s.Consent})
	}
	return out
}

// Apply applies a signed consent change: the signature must verify under the bound wallet key
// (ErrBadWalletBinding), the account must match (ErrWalletNotBound), Seq must be new
// (ErrConsentNotAllowed), and the scope must exist and not be revoked. The evidence is rewritten
// by access first; only when that succeeds does the flag change, so scoring (Scopes.Scorable)
// and the network's ability to read never disagree. When the store names its network recipients
// (NewScopes), a grant whose rewrapped evidence misses one of them is refused
// (CheckEvidenceRecipients) and nothing changes.
func (w *Wallet) Apply(c ConsentChange, access AccessChanger, now time.Time) error {
	if c.Account != w.Binding.Account {
		return newErr("WALLET_NOT_BOUND", ErrWalletNotBound, "change for %q", c.Account)
	}
	msg, err := c.message()
	if err != nil {
		return err
	}
	// the key length first: ed25519.Verify panics on a key of another size (a Wallet built by hand,
	// not by NewWallet).
	if len(w.Binding.Key) != ed25519.PublicKeySize || len(c.Sig) != ed25519.SignatureSize || !ed25519.Verify(w.Binding.Key, msg, c.Sig) {
		return newErr("BAD_WALLET_BINDING", ErrBadWalletBinding, "consent change not signed by the bound wallet")
	}
	if c.Seq <= w.seq {
		return newErr("CONSENT_NOT_ALLOWED", ErrConsentNotAllowed, "sequence %d already used; sign with %d", c.Seq, w.seq+1)
	}
	sc, err := w.Scopes.find(c.ScopeID)
	if err != nil {
		return err
	}
	if sc.Status == ScopeRevoked {
		return newErr("SCOPE_REVOKED", ErrScopeRevoked, "%q", c.ScopeID)
	}
	w.seq = c.Seq
	if sc.Consent == c.Grant {
		return nil
	}
	if access != nil && len(sc.Evidence) > 0 {
		ev, err := access.ChangeAccess(sc.Evidence, c.Grant)
		if err != nil {
			return err
		}
		// A grant must give the evidence back to the network the store names, not to anyone else.
		if c.Grant && len(w.Scopes.network) > 0 {
			if err := CheckEvidenceRecipients(ev, w.Scopes.network); err != nil {
				return err
			}
		}
		sc.Evidence = ev
	}
	sc.Consent, sc.UpdatedAt = c.Grant, now
	return nil
}

// NetworkAccess grants and revokes the identity network's access to evidence envelopes by
// rewrapping their header (envelope.Rewrap: no payload byte re-encrypted). The holder must be a
// recipient of their own evidence. Note: a reader who already held the file key could keep a copy;
// envelope.Rekey is the full re-encryption when that matters.
type NetworkAccess struct {
	Holder  envelope.Identity    // the person's own identity, a recipient of the evidence
	Signer  envelope.Signer      // signs the rewrapped envelope
	Network []envelope.Recipient // the identity network's recipients (added on grant)
	Remove  []envelope.KeyID     // their key ids (removed on revoke)
}

// ChangeAccess implements AccessChanger.
func (n *NetworkAccess) ChangeAccess(evidence []byte, grant bool) ([]byte, error) {
	opts := envelope.RewrapOptions{Identity: n.Holder, Signer: n.Signer}
	if grant {
		opts.Add = n.Network
	} else {
		opts.Remove = n.Remove
	}
	var out bytes.Buffer
	if err := envelope.Rewrap(&out, bytes.NewReader(evidence), opts); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}
