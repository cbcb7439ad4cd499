// Package client submits transactions to a VirtEngine node and reads its state, over CometBFT's RPC
// (remote: rpc/client/http; in-process: rpc/client/local). The CLI, the end-to-end flow and the
// examples use it.
//
//	c, _ := client.Dial("127.0.0.1:26657")
//	res, err := c.Submit(ctx, key, &tx.MsgSend{To: bob, Amount: 10})   // waits until committed
package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	rpcclient "github.com/cometbft/cometbft/rpc/client"
	rpchttp "github.com/cometbft/cometbft/rpc/client/http"

	"github.com/virtengine/sdk/node/app"
	"github.com/virtengine/sdk/node/tx"
)

// ErrRejected is returned when CheckTx or execution rejects a transaction; the TxError says why.
var ErrRejected = errors.New("client: transaction rejected")

// ErrTimeout is returned when a transaction is not committed in time.
var ErrTimeout = errors.New("client: transaction not committed in time")

// TxError carries the ABCI code and log of a rejected transaction.
type TxError struct {
	Code  uint32
	Log   string
	Stage string // "check" or "deliver"
}

func (e *TxError) Error() string {
	return fmt.Sprintf("transaction rejected at %s (code %d): %s", e.Stage, e.Code, e.Log)
}
func (e *TxError) Unwrap() error { return ErrRejected }

// ErrQuery is returned when the node refuses or fails a query; the QueryError says why.
var ErrQuery = errors.New("client: query failed")

// QueryError carries the ABCI code and log of a failed query (app.CodeNotFound: nothing at that
// path). A query changes nothing: it is not a rejected transaction.
type QueryError struct {
	Path string
	Code uint32
	Log  string
}

func (e *QueryError) Error() string {
	return fmt.Sprintf("query %s failed (code %d): %s", e.Path, e.Code, e.Log)
}
func (e *QueryError) Unwrap() error { return ErrQuery }

// Result is a committed transaction.
type Result struct {
	Hash   string            `json:"hash"`
	Height int64             `json:"height"`
	Events map[string]string `json:"events,omitempty"` // type.key → value, last wins
}

// Client talks to one node.
type Client struct {
	RPC     rpcclient.Client
	ChainID string
	// Fee is attached to every transaction; default: the network's minimum fee.
	Fee uint64
	// CommitTimeout bounds Submit's wait for inclusion; default 30 s.
	CommitTimeout time.Duration

	mu   sync.Mutex
	seqs map[tx.Address]uint64 // next sequence per local signer, so transactions can be pipelined
}

// Dial connects to a node's CometBFT RPC at host:port (or tcp://host:port, http://host:port).
func Dial(addr string) (*Client, error) {
	if !strings.Contains(addr, "://") {
		addr = "tcp://" + addr
	}
	hc, err := rpchttp.New(addr, "/websocket")
	if err != nil {
		return nil, err
	}
	return New(context.Background(), hc)
}

// New wraps an RPC client, reading the chain id and minimum fee from the node.
func New(ctx context.Context, rc rpcclient.Client) (*Client, error) {
	c := &Client{RPC: rc, CommitTimeout: 30 * time.Second, seqs: map[tx.Address]uint64{}}
	var p struct {
		ChainID string     `json:"chain_id"`
		Params  app.Params `json:"params"`
	}
	if err := c.Query(ctx, "/params", &p); err != nil {
		return nil, fmt.Errorf("client: node unreachable or not ready (%w); is `virtengine node start` running?", err)
	}
	c.ChainID, c.Fee = p.ChainID, p.Params.MinFee
	return c, nil
}

// Query runs an application query and decodes its JSON value into out.
func (c *Client) Query(ctx context.Context, path string, out any) error {
	return c.QueryData(ctx, path, nil, out)
}

// QueryData runs an application query that takes data (e.g. /zk/verify).
func (c *Client) QueryData(ctx context.Context, path string, data []byte, out any) error {
	r, err := c.RPC.ABCIQuery(ctx, path, data)
	if err != nil {
		return err
	}
	if r.Response.Code != 0 {
		return &QueryError{Path: path, Code: r.Response.Code, Log: r.Response.Log}
	}
	return json.Unmarshal(r.Response.Value, out)
}

// Account returns an account, or a *QueryError (wrapping ErrQuery) with code app.CodeNotFound when
// the address has none.
func (c *Client) Account(ctx context.Context, a tx.Address) (*app.Account, error) {
	var acc app.Account
	if err := c.Query(ctx, "/account/"+a.String(), &acc); err != nil {
		return nil, err
	}
	return &acc, nil
}

// Sign builds and signs msg for key with the account's number and next sequence.
func (c *Client) Sign(ctx context.Context, key tx.Signer, msg tx.Msg, factors ...tx.NamedSigner) ([]byte, error) {
	addr := key.PubKey().Address()
	acc, err := c.Account(ctx, addr)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	seq, ok := c.seqs[addr]
	if !ok || seq < acc.Sequence {
		seq = acc.Sequence
	}
	c.seqs[addr] = seq + 1
	c.mu.Unlock()
	return tx.Sign(key, c.ChainID, acc.Number, seq, c.Fee, msg, factors...)
}

// forget drops the cached sequence of addr after a failure, so the next Sign asks the node.
func (c *Client) forget(a tx.Address) {
	c.mu.Lock()
	delete(c.seqs, a)
	c.mu.Unlock()
}

// Broadcast sends signed bytes and returns after CheckTx.
func (c *Client) Broadcast(ctx context.Context, b []byte) (string, error) {
	r, err := c.RPC.BroadcastTxSync(ctx, b)
	if err != nil {
		return "", err
	}
	if r.Code != 0 {
		return r.Hash.String(), &TxError{Code: r.Code, Log: r.Log, Stage: "check"}
	}
	return r.Hash.String(), nil
}

// Submit signs, broadcasts and waits until msg is committed; it returns the block height and events.
func (c *Client) Submit(ctx context.Context, key tx.Signer, msg tx.Msg, factors ...tx.NamedSigner) (*Result, error) {
	b, err := c.Sign(ctx, key, msg, factors...)
	if err != nil {
		return nil, err
	}
	if _, err := c.Broadcast(ctx, b); err != nil {
		c.forget(key.PubKey().Address())
		return nil, err
	}
	return c.Wait(ctx, b)
}

// Wait polls until the transaction b is in a block, and reports its execution result.
func (c *Client) Wait(ctx context.Context, b []byte) (*Result, error) {
	d, err := tx.Decode(b)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, c.CommitTimeout)
	defer cancel()
	for {
		r, err := c.RPC.Tx(ctx, d.Hash[:], false)
		if err == nil {
			res := &Result{Hash: r.Hash.String(), Height: r.Height, Events: map[string]string{}}
			for _, e := range r.TxResult.Events {
				for _, a := range e.Attributes {
					res.Events[e.Type+"."+a.Key] = a.Value
				}
			}
			if r.TxResult.Code != 0 {
				c.forget(d.Signer())
				return res, &TxError{Code: r.TxResult.Code, Log: r.TxResult.Log, Stage: "deliver"}
			}
			return res, nil
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("%w: %x", ErrTimeout, d.Hash[:8])
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// Height returns the height the node's application has committed: the state that queries read.
// (CometBFT's status reports a block as soon as it is stored, slightly before the application has
// executed and committed it; a query right after that would still read the state before it.)
func (c *Client) Height(ctx context.Context) (int64, error) {
	info, err := c.RPC.ABCIInfo(ctx)
	if err != nil {
		return 0, err
	}
	return info.Response.LastBlockHeight, nil
}

// WaitHeight waits until the node's application has committed height h, so that queries read
// the state after h.
func (c *Client) WaitHeight(ctx context.Context, h int64) error {
	for {
		got, err := c.Height(ctx)
		if err == nil && got >= h {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func sleep() <-chan time.Time { return time.After(100 * time.Millisecond) }
