package app

import (
	"encoding/binary"
	"sort"

	"github.com/virtengine/sdk/mfa"
	"github.com/virtengine/sdk/node/tx"
)

// Key prefixes of the application state. Every value is canonical CBOR (node/tx.Marshal).
const (
	pfxAccount = "a/" // a/<20-byte address> → Account
	keyAcctSeq = "s/account_number"
	keyParams  = "s/params"
	keyChainID = "s/chain_id"
	keyFeePool = "s/fee_pool"
	pfxVal     = "v/" // v/<consensus address> → Validator
)

// Account is an account's on-chain record.
type Account struct {
	Address  tx.Address `cbor:"1,keyasint" json:"address"`
	Number   uint64     `cbor:"2,keyasint" json:"account_number"`
	Sequence uint64     `cbor:"3,keyasint" json:"sequence"`
	Balance  uint64     `cbor:"4,keyasint" json:"balance"`
	PubKey   *tx.PubKey `cbor:"5,keyasint,omitempty" json:"pubkey,omitempty"`
	Roles    []string   `cbor:"6,keyasint,omitempty" json:"roles,omitempty"` // sorted, no duplicates
	State    string     `cbor:"7,keyasint" json:"state"`
	Factors  []Factor   `cbor:"8,keyasint,omitempty" json:"factors,omitempty"`
}

// Factor is a registered second-factor key.
type Factor struct {
	ID     string    `cbor:"1,keyasint" json:"id"`
	Kind   string    `cbor:"2,keyasint" json:"kind"`
	PubKey tx.PubKey `cbor:"3,keyasint" json:"pubkey"`
}

// HasRole reports whether the account holds role r.
func (a *Account) HasRole(r string) bool {
	i := sort.SearchStrings(a.Roles, r)
	return i < len(a.Roles) && a.Roles[i] == r
}

func (a *Account) addRole(r string) {
	if !a.HasRole(r) {
		a.Roles = append(a.Roles, r)
		sort.Strings(a.Roles)
	}
}

func (a *Account) removeRole(r string) {
	i := sort.SearchStrings(a.Roles, r)
	if i < len(a.Roles) && a.Roles[i] == r {
		a.Roles = append(a.Roles[:i], a.Roles[i+1:]...)
	}
	if len(a.Roles) == 0 {
		a.Roles = nil
	}
}

// Params are the network parameters, set at genesis and changed by governance.
type Params struct {
	MinFee uint64 `cbor:"1,keyasint" json:"min_fee"`
	// IdentityModel pins the scoring model version and ModelHashes the sha256 of the biometric model
	// files validators extract with (node.PinnedModelHashes: node init and devnets set them); a
	// validator whose model or files differ abstains from identity votes and logs why (FEATURES.md
	// §3.6). Empty ModelHashes pins no files.
	IdentityModel string   `cbor:"2,keyasint" json:"identity_model"`
	ModelHashes   []string `cbor:"3,keyasint,omitempty" json:"model_hashes,omitempty"`
	// IdentityVoteWindow is how many blocks a pending identity request waits for a >2/3 agreement
	// before it expires.
	IdentityVoteWindow uint64 `cbor:"4,keyasint" json:"identity_vote_window"`
	// DisputeWindow is the settlement ledger's dispute window in seconds, set at genesis; zero keeps
	// settlement.DisputeWindow (7 days). Devnets use a short one so payouts happen during a demo.
	DisputeWindow int64 `cbor:"5,keyasint,omitempty" json:"dispute_window,omitempty"`
	// EvidenceTime, when nonzero (Unix s), is the evaluation time of every identity extraction
	// instead of the block time that committed the evidence. Devnets set it because the only test
	// documents are expired specimens (the demo's simulated date); production networks leave it 0.
	EvidenceTime int64 `cbor:"6,keyasint,omitempty" json:"evidence_time,omitempty"`
	// MFAPolicy pins the version of the MFA policy table gated transactions are checked against
	// (mfa.DefaultPolicyVersion); a node applying another table refuses them rather than decide
	// differently. Empty: not pinned (networks created before the pin).
	MFAPolicy string `cbor:"7,keyasint,omitempty" json:"mfa_policy,omitempty"`
}

// DefaultParams are the parameters a fresh network starts with. They pin no model files: the app
// does not know the extractor's models; package node adds them (node.GenesisParams).
func DefaultParams() Params {
	return Params{MinFee: 1, IdentityModel: "composite-v2", IdentityVoteWindow: 10, MFAPolicy: mfa.DefaultPolicyVersion}
}

func getObj(s kv, key string, v any) (bool, error) {
	b, ok, err := s.get(key)
	if err != nil || !ok {
		return false, err
	}
	if err := tx.Unmarshal(b, v); err != nil {
		return false, err
	}
	return true, nil
}

func putObj(s kv, key string, v any) error {
	b, err := tx.Marshal(v)
	if err != nil {
		return err
	}
	s.set(key, b)
	return nil
}

func accountKey(a tx.Address) string { return pfxAccount + string(a[:]) }

func getAccount(s kv, a tx.Address) (*Account, error) {
	var acc Account
	ok, err := getObj(s, accountKey(a), &acc)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, nil
	}
	return &acc, nil
}

func putAccount(s kv, a *Account) error { return putObj(s, accountKey(a.Address), a) }

// newAccount creates the account record for addr with the next account number.
func newAccount(s kv, addr tx.Address) (*Account, error) {
	n, err := getUint(s, keyAcctSeq)
	if err != nil {
		return nil, err
	}
	setUint(s, keyAcctSeq, n+1)
	return &Account{Address: addr, Number: n, State: tx.StateActive}, nil
}

func getUint(s kv, key string) (uint64, error) {
	b, ok, err := s.get(key)
	if err != nil || !ok {
		return 0, err
	}
	if len(b) != 8 {
		return 0, ErrInvalidState
	}
	return binary.BigEndian.Uint64(b), nil
}

func setUint(s kv, key string, v uint64) {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], v)
	s.set(key, b[:])
}

func getParams(s kv) (Params, error) {
	var p Params
	ok, err := getObj(s, keyParams, &p)
	if err == nil && !ok {
		p = DefaultParams()
	}
	return p, err
}
