#!/usr/bin/env bash
# Runs the whole test suite (after scripts/setup.sh): every package; the tagged end-to-end test of the
# real hpc controller and agent binaries over DTLS on loopback; and the deterministic state machines
# (veid scoring, settlement, market, the tx encoding) again on a 32-bit platform (GOARCH=386, no cgo),
# where int-size or float assumptions would change scores, hashes or balances. Extra arguments go to
# `go test`.
#
# It first checks the data directory ($VIRTENGINE_DATA, else ~/.local/share/virtengine), since the
# tests that read models and images fail without them, and stops with the command that fixes it.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! go run ./internal/assets/fetch -check; then
  echo "test.sh: the data directory is incomplete; run the fix above, then scripts/test.sh again." >&2
  echo "test.sh: (packages that read no data run alone, e.g. go test ./envelope/...)" >&2
  exit 1
fi
go test -count=1 -timeout 25m "$@" ./...
go test -count=1 -timeout 10m -tags e2e "$@" ./hpc/agent
CGO_ENABLED=0 GOARCH=386 go test -count=1 -timeout 10m "$@" ./veid ./settlement/... ./market ./node/tx
