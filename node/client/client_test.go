package client

import (
	"context"
	"errors"
	"strings"
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/cometbft/cometbft/libs/bytes"
	rpcclient "github.com/cometbft/cometbft/rpc/client"
	ctypes "github.com/cometbft/cometbft/rpc/core/types"

	"github.com/virtengine/sdk/node/app"
)

// queryRPC answers ABCIQuery with a fixed response; every other RPC method is unused here.
type queryRPC struct {
	rpcclient.Client
	resp abci.ResponseQuery
}

func (q queryRPC) ABCIQuery(_ context.Context, path string, _ bytes.HexBytes) (*ctypes.ResultABCIQuery, error) {
	return &ctypes.ResultABCIQuery{Response: q.resp}, nil
}

// A failed query is a QueryError (ErrQuery), not a rejected transaction; a successful one decodes.
func TestQueryErrors(t *testing.T) {
	c := &Client{RPC: queryRPC{resp: abci.ResponseQuery{Code: app.CodeNotFound, Log: "not found: no account 00ff; it is created when it first receives funds"}}}
	var acc app.Account
	err := c.Query(context.Background(), "/account/00ff", &acc)
	var qe *QueryError
	if !errors.As(err, &qe) || !errors.Is(err, ErrQuery) || qe.Code != app.CodeNotFound || qe.Path != "/account/00ff" {
		t.Fatalf("query error %#v", err)
	}
	var te *TxError
	if errors.Is(err, ErrRejected) || errors.As(err, &te) || strings.Contains(err.Error(), "transaction") {
		t.Fatalf("a query failure reads as a rejected transaction: %v", err)
	}
	if !strings.Contains(err.Error(), "query /account/00ff failed") || !strings.Contains(err.Error(), "first receives funds") {
		t.Fatalf("message %q", err)
	}
	ok := &Client{RPC: queryRPC{resp: abci.ResponseQuery{Value: []byte(`{"balance":7,"state":"active"}`)}}}
	if err := ok.Query(context.Background(), "/account/00ff", &acc); err != nil || acc.Balance != 7 {
		t.Fatalf("successful query: %v %+v", err, acc)
	}
}
