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
	registry *mfa.Registry
	passkeys *mfa.Passkeys
	handler  http.Handler
}

func newApp(cfg config) (*app, error) {
	pk, err := mfa.NewPasskeys(mfa.PasskeyConfig{RPID: cfg.RPID, RPDisplayName: "VirtEngine example", Origins: cfg.Origins, Attestation: cfg.Attestation})
	if err != nil {
		return nil, err
	}
	// The registry is the one way to enroll or remove a factor: it drives the passkey store, applies
	// the limit of ten factors and asks the engine for the step-ups of FEATURES.md §4.5.
	reg := mfa.NewRegistry(nil, nil)
	if err := reg.SetStores(mfa.Stores{Passkeys: pk}); err != nil {
		return nil, err
	}
	engine, err := mfa.NewEngine(mfa.Config{Devices: reg})
	if err != nil {
		return nil, err
	}
	reg.SetGate(engine)
	api := &mfahttp.Server{Engine: engine, Registry: reg, Score: func(string) uint8 { return cfg.Score }}
	mux := http.NewServeMux()
	mux.Handle("/api/", http.StripPrefix("/api", api.Handler()))
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(indexHTML)
	})
	return &app{engine: engine, registry: reg, passkeys: pk, handler: mux}, nil
}
