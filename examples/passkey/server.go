package main

import (
	_ "embed"
	"net/http"

	"github.com/virtengine/sdk/mfa"
	"github.com/virtengine/sdk/mfa/mfahttp"
)

//go:embed index.html
var indexHTML []byte

// config is what the example needs to know about where it is served.
type config struct {
	RPID    string   // "localhost"
	Origins []string // "http://localhost:8080"
	Score   uint8    // identity score every account gets in this demo
	// Attestation is the conveyance preference: "" or "none", or "direct" to receive and verify the
	// authenticator's attestation statement (packed, tpm, …).
	Attestation string
}

// app is the example: the page at / and the mfa endpoints under /api/.
type app struct {
	engine   *mfa.Engine
	passkeys *mfa.Passkeys
	handler  http.Handler
}

func newApp(cfg config) (*app, error) {
	engine, err := mfa.NewEngine(mfa.Config{})
	if err != nil {
		return nil, err
	}
	pk, err := mfa.NewPasskeys(mfa.PasskeyConfig{RPID: cfg.RPID, RPDisplayName: "VirtEngine example", Origins: cfg.Origins, Attestation: cfg.Attestation})
	if err != nil {
		return nil, err
	}
	api := &mfahttp.Server{Engine: engine, Passkeys: pk, Score: func(string) uint8 { return cfg.Score }}
	mux := http.NewServeMux()
	mux.Handle("/api/", http.StripPrefix("/api", api.Handler()))
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(indexHTML)
	})
	return &app{engine: engine, passkeys: pk, handler: mux}, nil
}
