package node

import (
	"context"
	"log/slog"

	cmtlog "github.com/cometbft/cometbft/libs/log"
)

// slogAdapter lets CometBFT log through slog, so the node has one structured log stream.
type slogAdapter struct{ l *slog.Logger }

func newCometLogger(l *slog.Logger) cmtlog.Logger { return slogAdapter{l} }

func (s slogAdapter) Debug(msg string, kv ...any) {
	s.l.Log(context.Background(), slog.LevelDebug, msg, kv...)
}
func (s slogAdapter) Info(msg string, kv ...any) {
	s.l.Log(context.Background(), slog.LevelInfo, msg, kv...)
}
func (s slogAdapter) Warn(msg string, kv ...any) {
	s.l.Log(context.Background(), slog.LevelWarn, msg, kv...)
}
func (s slogAdapter) Error(msg string, kv ...any) {
	s.l.Log(context.Background(), slog.LevelError, msg, kv...)
}
func (s slogAdapter) With(kv ...any) cmtlog.Logger { return slogAdapter{s.l.With(kv...)} }
