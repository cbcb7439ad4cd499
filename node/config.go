package node

import (
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	cfg "github.com/cometbft/cometbft/config"
	"github.com/cometbft/cometbft/p2p"
	"github.com/cometbft/cometbft/privval"
	cmttypes "github.com/cometbft/cometbft/types"

	"github.com/virtengine/sdk/envelope"
	"github.com/virtengine/sdk/node/app"
	"github.com/virtengine/sdk/node/tx"
	"github.com/virtengine/sdk/zk"
)

// ErrNotInitialised is returned by Start on a home without a node (run Init first).
var ErrNotInitialised = errors.New("node: home is not initialised; run `virtengine node init --home DIR`")

// ErrAlreadyInitialised is returned by Init on a home that has a genesis already.
var ErrAlreadyInitialised = errors.New("node: home already initialised; use another --home or delete it")

// LocalConfig is the node's own settings, in config/virtengine.json.
type LocalConfig struct {
	APIAddr string `json:"api_addr"`
	Moniker string `json:"moniker"`
}

// InitOptions configure Init.
type InitOptions struct {
	ChainID string
	Moniker string
	RPCAddr string // CometBFT RPC, default DefaultRPCAddr
	P2PAddr string // default DefaultP2PAddr
	APIAddr string // HTTP API, default DefaultAPIAddr
	// Faucet, if set, is funded at genesis with the genesis role (the network's bootstrap authority).
	Faucet *tx.Address
	// FaucetAmount defaults to DefaultFaucet.
	FaucetAmount uint64
	// Timeouts: zero keeps CometBFT's defaults (timeout_commit 1 s).
	TimeoutCommit  time.Duration
	TimeoutPropose time.Duration
	// SkipGenesis leaves genesis.json to the caller (devnet writes one shared genesis).
	SkipGenesis bool
}

// ValidatorInfo is what a genesis needs about one validator.
type ValidatorInfo struct {
	Name         string
	ConsensusKey []byte // Ed25519 public key
	NodeID       string
	P2PAddr      string
	CommitteeKey string // envelope recipient string (vexw1…)
	Operator     tx.Address
	// AttestationKey is the Ed25519 public key of the validator's VC attestations.
	AttestationKey []byte
	// ZKIssuerKey is the public key (zk.IssuerPublicKey) with which the validator signs zk credentials.
	ZKIssuerKey []byte
}

func cometConfig(home string) *cfg.Config {
	c := cfg.DefaultConfig()
	c.SetRoot(home)
	return c
}

// Init creates a node home: CometBFT config and keys, the committee key, and (unless SkipGenesis) a
// one-validator genesis in which this node is the validator and Faucet holds the genesis role.
func Init(home string, o InitOptions) (*ValidatorInfo, error) {
	if o.ChainID == "" {
		o.ChainID = DefaultChainID
	}
	if o.Moniker == "" {
		o.Moniker = filepath.Base(home)
	}
	c := cometConfig(home)
	if _, err := os.Stat(c.GenesisFile()); err == nil {
		return nil, ErrAlreadyInitialised
	}
	if err := os.MkdirAll(filepath.Join(home, "config"), 0o700); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Join(home, "data"), 0o700); err != nil {
		return nil, err
	}
	c.Moniker = o.Moniker
	c.RPC.ListenAddress = orDefault(o.RPCAddr, DefaultRPCAddr)
	c.P2P.ListenAddress = orDefault(o.P2PAddr, DefaultP2PAddr)
	c.P2P.AllowDuplicateIP = true
	c.P2P.AddrBookStrict = false
	c.Instrumentation.Prometheus = false // the HTTP API serves /metrics, CometBFT's collectors included
	c.Storage.DiscardABCIResponses = false
	if o.TimeoutCommit > 0 {
		c.Consensus.TimeoutCommit = o.TimeoutCommit
	}
	if o.TimeoutPropose > 0 {
		c.Consensus.TimeoutPropose = o.TimeoutPropose
	}
	cfg.WriteConfigFile(filepath.Join(home, "config", "config.toml"), c)
	pv := privval.LoadOrGenFilePV(c.PrivValidatorKeyFile(), c.PrivValidatorStateFile())
	nk, err := p2p.LoadOrGenNodeKey(c.NodeKeyFile())
	if err != nil {
		return nil, err
	}
	com, err := envelope.GenerateIdentity(envelope.XWing)
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(committeeKeyFile(home), []byte(com.SecretString()+"\n"), 0o600); err != nil {
		return nil, err
	}
	_, att, err := ed25519.GenerateKey(nil)
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(attestationKeyFile(home), []byte(hex.EncodeToString(att.Seed())+"\n"), 0o600); err != nil {
		return nil, err
	}
	zkKey, err := zk.GenerateIssuerKey(nil)
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(zkIssuerKeyFile(home), []byte(hex.EncodeToString(zkKey.Bytes())+"\n"), 0o600); err != nil {
		return nil, err
	}
	lc := LocalConfig{APIAddr: orDefault(o.APIAddr, DefaultAPIAddr), Moniker: o.Moniker}
	if err := writeJSON(localConfigFile(home), lc); err != nil {
		return nil, err
	}
	pub, err := pv.GetPubKey()
	if err != nil {
		return nil, err
	}
	vi := &ValidatorInfo{Name: o.Moniker, ConsensusKey: pub.Bytes(), NodeID: string(nk.ID()), P2PAddr: c.P2P.ListenAddress, CommitteeKey: com.Recipient().String(), AttestationKey: att.Public().(ed25519.PublicKey), ZKIssuerKey: zkKey.Public().Bytes()}
	if o.SkipGenesis {
		return vi, nil
	}
	params, err := GenesisParams()
	if err != nil {
		return nil, err
	}
	g := app.Genesis{Params: params}
	if o.Faucet != nil {
		amt := o.FaucetAmount
		if amt == 0 {
			amt = DefaultFaucet
		}
		g.Accounts = append(g.Accounts, app.GenesisAccount{Address: *o.Faucet, Balance: amt, Roles: []string{tx.RoleGenesis}})
		vi.Operator = *o.Faucet
	}
	return vi, WriteGenesis(home, o.ChainID, []*ValidatorInfo{vi}, g, time.Time{})
}

// WriteGenesis writes config/genesis.json with the validators (power DefaultStake each), vote
// extensions enabled from height 1, and the application genesis g (its validators are filled in).
func WriteGenesis(home, chainID string, vals []*ValidatorInfo, g app.Genesis, genesisTime time.Time) error {
	if genesisTime.IsZero() {
		genesisTime = time.Now().UTC().Truncate(time.Second)
	}
	cp := cmttypes.DefaultConsensusParams()
	cp.ABCI.VoteExtensionsEnableHeight = 1
	cp.Block.MaxBytes = maxBlockBytes
	doc := &cmttypes.GenesisDoc{GenesisTime: genesisTime, ChainID: chainID, InitialHeight: 1, ConsensusParams: cp}
	g.Validators = nil
	for _, v := range vals {
		pk := ed25519PubKey(v.ConsensusKey)
		doc.Validators = append(doc.Validators, cmttypes.GenesisValidator{Address: pk.Address(), PubKey: pk, Power: DefaultStake, Name: v.Name})
		g.Validators = append(g.Validators, app.GenesisValidator{ConsensusPubKey: v.ConsensusKey, Power: DefaultStake, Operator: v.Operator, CommitteeKey: []byte(v.CommitteeKey), Name: v.Name, AttestationKey: v.AttestationKey, ZKIssuerKey: v.ZKIssuerKey})
	}
	st, err := json.Marshal(g)
	if err != nil {
		return err
	}
	doc.AppState = st
	if err := doc.ValidateAndComplete(); err != nil {
		return fmt.Errorf("node: genesis: %w", err)
	}
	return doc.SaveAs(cometConfig(home).GenesisFile())
}

func committeeKeyFile(home string) string { return filepath.Join(home, "config", "committee_key") }
func attestationKeyFile(home string) string {
	return filepath.Join(home, "config", "attestation_key")
}

// loadAttestationKey reads the validator's VC attestation key (nil when the home predates it).
func loadAttestationKey(home string) ed25519.PrivateKey {
	b, err := os.ReadFile(attestationKeyFile(home))
	if err != nil {
		return nil
	}
	seed, err := hex.DecodeString(strings.TrimSpace(string(b)))
	if err != nil || len(seed) != ed25519.SeedSize {
		return nil
	}
	return ed25519.NewKeyFromSeed(seed)
}
func zkIssuerKeyFile(home string) string { return filepath.Join(home, "config", "zk_issuer_key") }

// loadZKIssuerKey reads the validator's zk credential issuer key (nil when the home predates it).
func loadZKIssuerKey(home string) *zk.IssuerPrivateKey {
	b, err := os.ReadFile(zkIssuerKeyFile(home))
	if err != nil {
		return nil
	}
	raw, err := hex.DecodeString(strings.TrimSpace(string(b)))
	if err != nil {
		return nil
	}
	k, err := zk.ParseIssuerPrivateKey(raw)
	if err != nil {
		return nil
	}
	return k
}

func localConfigFile(home string) string { return filepath.Join(home, "config", "virtengine.json") }

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o600)
}

func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}
