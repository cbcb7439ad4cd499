// Package api serves a node's JSON HTTP API beside CometBFT's RPC: queries, transaction submission,
// a Server-Sent Events stream of committed blocks and their events, Prometheus metrics and the
// OpenAPI document that describes them (GET /openapi.json).
package api

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"

	rpcclient "github.com/cometbft/cometbft/rpc/client"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/virtengine/sdk/node/app"
	"github.com/virtengine/sdk/node/tx"
	"github.com/virtengine/sdk/veid"
)

// maxBodyBytes bounds a submitted transaction body (base64 of the largest transaction plus JSON).
const maxBodyBytes = tx.MaxTxBytes*4/3 + 1024

// Server is the HTTP API of one node.
type Server struct {
	log *slog.Logger
	rpc rpcclient.Client
	app *app.App
	hub *hub

	reg       *prometheus.Registry
	height    prometheus.Gauge
	blocks    prometheus.Counter
	txs       prometheus.Counter
	failedTxs prometheus.Counter
	events    *prometheus.CounterVec
	mu        sync.Mutex
	issuer    *veid.Issuer
}

// NewServer makes a server; Attach connects it to the running node.
func NewServer(log *slog.Logger) *Server {
	s := &Server{log: log, hub: newHub(), reg: prometheus.NewRegistry()}
	s.height = prometheus.NewGauge(prometheus.GaugeOpts{Namespace: "virtengine", Name: "block_height", Help: "Last committed block height."})
	s.blocks = prometheus.NewCounter(prometheus.CounterOpts{Namespace: "virtengine", Name: "blocks_total", Help: "Blocks committed since start."})
	s.txs = prometheus.NewCounter(prometheus.CounterOpts{Namespace: "virtengine", Name: "txs_total", Help: "Transactions committed since start."})
	s.failedTxs = prometheus.NewCounter(prometheus.CounterOpts{Namespace: "virtengine", Name: "txs_failed_total", Help: "Committed transactions whose execution failed."})
	s.events = prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "virtengine", Name: "events_total", Help: "Application events by type."}, []string{"type"})
	s.reg.MustRegister(s.height, s.blocks, s.txs, s.failedTxs, s.events, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return s
}

// Attach connects the server to the node's RPC client and application.
func (s *Server) Attach(rc rpcclient.Client, a *app.App) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rpc, s.app = rc, a
}

// Close ends every event stream.
func (s *Server) Close() { s.hub.close() }

// OnBlock records a committed block in the metrics and the event stream; it never blocks.
func (s *Server) OnBlock(b app.BlockInfo) {
	s.height.Set(float64(b.Height))
	s.blocks.Inc()
	s.txs.Add(float64(b.Txs))
	s.failedTxs.Add(float64(b.Failed))
	for _, e := range b.Events {
		s.events.WithLabelValues(e.Type).Inc()
	}
	s.hub.publish(blockEvent(b))
}

// Handler returns the HTTP routes.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/status", s.status)
	mux.HandleFunc("GET /v1/query/{path...}", s.query)
	mux.HandleFunc("GET /v1/accounts/{addr}", s.alias("account"))
	mux.HandleFunc("GET /v1/identity/{addr}", s.alias("identity"))
	mux.HandleFunc("GET /v1/identity/{addr}/attestation", s.attestation)
	mux.HandleFunc("GET /v1/identity/{addr}/credential", s.credential)
	mux.HandleFunc("POST /v1/txs", s.submit)
	mux.HandleFunc("GET /v1/txs/{hash}", s.getTx)
	mux.HandleFunc("GET /v1/events", s.stream)
	mux.Handle("GET /metrics", promhttp.HandlerFor(s.reg, promhttp.HandlerOpts{}))
	mux.HandleFunc("GET /openapi.json", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, openAPI)
	})
	return mux
}

func (s *Server) client() rpcclient.Client {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rpc
}

type apiError struct {
	Error string `json:"error"`
	Code  uint32 `json:"code,omitempty"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func (s *Server) status(w http.ResponseWriter, r *http.Request) {
	st, err := s.client().Status(r.Context())
	if err != nil {
		writeJSON(w, http.StatusServiceUnavailable, apiError{Error: err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"chain_id": st.NodeInfo.Network, "moniker": st.NodeInfo.Moniker, "height": st.SyncInfo.LatestBlockHeight,
		"app_hash": hex.EncodeToString(st.SyncInfo.LatestAppHash), "catching_up": st.SyncInfo.CatchingUp,
		"validator": hex.EncodeToString(st.ValidatorInfo.Address),
	})
}

func (s *Server) alias(prefix string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) { s.runQuery(w, r, prefix+"/"+r.PathValue("addr")) }
}

func (s *Server) query(w http.ResponseWriter, r *http.Request) { s.runQuery(w, r, r.PathValue("path")) }

func (s *Server) runQuery(w http.ResponseWriter, r *http.Request, path string) {
	res, err := s.client().ABCIQuery(r.Context(), "/"+path, nil)
	if err != nil {
		writeJSON(w, http.StatusServiceUnavailable, apiError{Error: err.Error()})
		return
	}
	if res.Response.Code != 0 {
		status := http.StatusBadRequest
		if res.Response.Code == app.CodeNotFound {
			status = http.StatusNotFound
		}
		writeJSON(w, status, apiError{Error: res.Response.Log, Code: res.Response.Code})
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(res.Response.Value)
}

// submitRequest is the body of POST /v1/txs: the transaction bytes in base64.
type submitRequest struct {
	Tx string `json:"tx"`
}

func (s *Server) submit(w http.ResponseWriter, r *http.Request) {
	var req submitRequest
	if err := json.NewDecoder(io.LimitReader(r.Body, maxBodyBytes)).Decode(&req); err != nil {
		writeJSON(w, http.StatusBadRequest, apiError{Error: "body must be {\"tx\": \"<base64 transaction>\"}: " + err.Error()})
		return
	}
	b, err := base64.StdEncoding.DecodeString(req.Tx)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, apiError{Error: "tx is not base64: " + err.Error()})
		return
	}
	res, err := s.client().BroadcastTxSync(r.Context(), b)
	if err != nil && strings.Contains(err.Error(), "already exists in cache") {
		writeJSON(w, http.StatusConflict, apiError{Error: "this transaction was already submitted"})
		return
	}
	if err != nil {
		writeJSON(w, http.StatusServiceUnavailable, apiError{Error: err.Error()})
		return
	}
	if res.Code != 0 {
		writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"hash": res.Hash.String(), "code": res.Code, "error": res.Log})
		return
	}
	writeJSON(w, http.StatusAccepted, map[string]any{"hash": res.Hash.String(), "code": 0})
}

func (s *Server) getTx(w http.ResponseWriter, r *http.Request) {
	h, err := hex.DecodeString(strings.TrimPrefix(r.PathValue("hash"), "0x"))
	if err != nil || len(h) != 32 {
		writeJSON(w, http.StatusBadRequest, apiError{Error: "hash is 64 hex characters"})
		return
	}
	res, err := s.client().Tx(r.Context(), h, false)
	if err != nil {
		writeJSON(w, http.StatusNotFound, apiError{Error: "not committed (yet): " + err.Error()})
		return
	}
	events := []map[string]string{}
	for _, e := range res.TxResult.Events {
		m := map[string]string{"type": e.Type}
		for _, a := range e.Attributes {
			m[a.Key] = a.Value
		}
		events = append(events, m)
	}
	writeJSON(w, http.StatusOK, map[string]any{"hash": res.Hash.String(), "height": res.Height, "code": res.TxResult.Code, "log": res.TxResult.Log, "events": events})
}
