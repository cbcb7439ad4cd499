#!/usr/bin/env bash
# Runs the whole test suite (after scripts/setup.sh). Extra arguments go to `go test`.
set -euo pipefail
cd "$(dirname "$0")/.."
exec go test -count=1 -timeout 25m "$@" ./...
