package app

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/cometbft/cometbft/crypto/ed25519"

	"github.com/virtengine/sdk/node/tx"
)

// Genesis is the application part of a CometBFT genesis file (its app_state), in JSON.
type Genesis struct {
	Params     Params             `json:"params"`
	Accounts   []GenesisAccount   `json:"accounts"`
	Validators []GenesisValidator `json:"validators,omitempty"`
	// State, when present, is a full state export (Export): it is loaded as is and Params and
	// Accounts are ignored (Validators still apply), so export → import reproduces the state.
	State []StateEntry `json:"state,omitempty"`
}

// GenesisAccount funds an account and gives it roles at genesis.
type GenesisAccount struct {
	Address tx.Address `json:"address"`
	Balance uint64     `json:"balance"`
	Roles   []string   `json:"roles,omitempty"`
}

// GenesisValidator links a validator's consensus key to its operator account (which receives its
// share of fees) and to the public key identity evidence is sealed to.
type GenesisValidator struct {
	ConsensusPubKey []byte     `json:"consensus_pubkey"` // Ed25519, 32 bytes
	Power           int64      `json:"power"`
	Operator        tx.Address `json:"operator"`
	CommitteeKey    []byte     `json:"committee_key,omitempty"` // envelope recipient key of the identity committee
	Name            string     `json:"name,omitempty"`
	AttestationKey  []byte     `json:"attestation_key,omitempty"` // Ed25519 key of its VC attestations
	ZKIssuerKey     []byte     `json:"zk_issuer_key,omitempty"`   // zk.IssuerPublicKey of its zk credentials
}

// check rejects a validator whose consensus key is not an Ed25519 key (its address would panic).
func (gv GenesisValidator) check() error {
	if len(gv.ConsensusPubKey) != ed25519.PubKeySize {
		return fmt.Errorf("app: genesis validator %q: consensus_pubkey is %d bytes, want %d", gv.Name, len(gv.ConsensusPubKey), ed25519.PubKeySize)
	}
	return nil
}

// StateEntry is one key-value pair of a state export, hex encoded.
type StateEntry struct {
	Key   string `json:"k"`
	Value string `json:"v"`
}

// ParseGenesis decodes app_state JSON strictly.
func ParseGenesis(b []byte) (*Genesis, error) {
	var g Genesis
	if len(b) == 0 {
		g.Params = DefaultParams()
		return &g, nil
	}
	if err := json.Unmarshal(b, &g); err != nil {
		return nil, fmt.Errorf("app: genesis app_state: %w", err)
	}
	return &g, nil
}

func (a *App) loadGenesis(s kv, g *Genesis, chainID string) error {
	if len(g.State) > 0 {
		for _, e := range g.State {
			k, err1 := hex.DecodeString(e.Key)
			v, err2 := hex.DecodeString(e.Value)
			if err1 != nil || err2 != nil {
				return fmt.Errorf("app: genesis state entry %q is not hex", e.Key)
			}
			s.set(string(k), v)
		}
		s.set(keyChainID, []byte(chainID))
		// The validator set is the new genesis's, not the exported chain's.
		for _, gv := range g.Validators {
			if err := gv.check(); err != nil {
				return err
			}
			v := Validator{PubKey: gv.ConsensusPubKey, Power: gv.Power, Operator: gv.Operator, CommitteeKey: gv.CommitteeKey, Name: gv.Name, AttestationKey: gv.AttestationKey, ZKIssuerKey: gv.ZKIssuerKey}
			if err := putValidator(s, &v); err != nil {
				return err
			}
		}
		return nil
	}
	s.set(keyChainID, []byte(chainID))
	if err := putObj(s, keyParams, g.Params); err != nil {
		return err
	}
	if w := g.Params.DisputeWindow; w != 0 {
		if err := qledger(s).SetDisputeWindow(w); err != nil {
			return fmt.Errorf("app: genesis params: %w", err)
		}
	}
	for _, ga := range g.Accounts {
		acc, err := getAccount(s, ga.Address)
		if err != nil {
			return err
		}
		if acc == nil {
			if acc, err = newAccount(s, ga.Address); err != nil {
				return err
			}
		}
		if acc.Balance+ga.Balance < acc.Balance {
			return fmt.Errorf("app: genesis account %s: balances listed for it add up to more than 2^64-1", ga.Address)
		}
		acc.Balance += ga.Balance
		for _, r := range ga.Roles {
			if !tx.KnownRole(r) {
				return fmt.Errorf("app: genesis account %s: unknown role %q", ga.Address, r)
			}
			acc.addRole(r)
		}
		if err := putAccount(s, acc); err != nil {
			return err
		}
	}
	for _, gv := range g.Validators {
		if err := gv.check(); err != nil {
			return err
		}
		v := Validator{PubKey: gv.ConsensusPubKey, Power: gv.Power, Operator: gv.Operator, CommitteeKey: gv.CommitteeKey, Name: gv.Name, AttestationKey: gv.AttestationKey, ZKIssuerKey: gv.ZKIssuerKey}
		if err := putValidator(s, &v); err != nil {
			return err
		}
	}
	return nil
}

// Export dumps the committed state as a Genesis that InitChain loads back unchanged.
func (a *App) Export() (*Genesis, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	it, err := a.db.Iterator(nil, nil)
	if err != nil {
		return nil, err
	}
	defer it.Close()
	g := &Genesis{}
	for ; it.Valid(); it.Next() {
		k := string(it.Key())
		if k == metaHeight || k == metaAppHash || k == metaTime || k == keyChainID || strings.HasPrefix(k, pfxVal) {
			continue // chain-specific: the importing network has its own height, chain id and validators
		}
		g.State = append(g.State, StateEntry{Key: hex.EncodeToString(it.Key()), Value: hex.EncodeToString(it.Value())})
	}
	sort.Slice(g.State, func(i, j int) bool { return g.State[i].Key < g.State[j].Key })
	if p, err := getParams(dbView{a.db}); err == nil {
		g.Params = p
	}
	return g, it.Error()
}
