#!/usr/bin/env bash
# Sets up this machine for VirtEngine: Debian packages (only those missing), Go modules, the pinned
# models and test data (sha256-verified, from ../shared or $VIRTENGINE_SHARED when present, else npm,
# Debian or the pinned upstream URL), derived models, and the `virtengine` binary in ./bin.
# Idempotent; run it as root or with sudo.
#
#   scripts/setup.sh            # everything
#   VIRTENGINE_DATA=/srv/ve scripts/setup.sh   # another data directory
#   VIRTENGINE_SHARED=/path/to/shared scripts/setup.sh   # a copy of the project's shared data elsewhere
#
# A few test files are published only in the project's shared data. Without it, set-up still
# completes when the CLI and the demo have their files, and says which test files are missing and
# the command that fetches them; scripts/test.sh refuses to start until they are there.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '==> %s\n' "$*"; }

# 1. Debian packages. OpenCV 4.6 matches gocv v0.31.0; Tesseract and zxing-cpp serve the document
# readers; chromium drives the WebAuthn browser tests; npm fetches the face-recognition weights.
PKGS=(pkg-config gcc g++ libopencv-dev libopencv-contrib-dev opencv-data libtesseract-dev libleptonica-dev
      tesseract-ocr tesseract-ocr-eng libzxing-dev chromium chromium-driver age ca-certificates)
command -v npm >/dev/null 2>&1 || PKGS+=(npm)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  log "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  log "Debian packages present"
fi

# 2. Go toolchain and modules.
command -v go >/dev/null 2>&1 || { echo "setup: Go 1.26 is required (https://go.dev/dl); put it on PATH" >&2; exit 1; }
log "$(go version)"
go mod download

# 3. Models and test data, verified against internal/assets/manifest.json. Missing test-only files
# are reported but do not stop set-up (the demo does not need them); anything else does.
DATA_DIR="${VIRTENGINE_DATA:-${XDG_DATA_HOME:-$HOME/.local/share}/virtengine}"
log "fetching models and test data into $DATA_DIR"
go run ./internal/assets/fetch -quiet -tests-optional -data "$DATA_DIR"

# 4. Derived models (converted once from the pinned originals, never committed).
if [ -f scripts/derive-models.sh ]; then
  bash scripts/derive-models.sh
fi

# 5. The CLI.
log "building bin/virtengine"
go build -o bin/virtengine ./cmd/virtengine
if go run ./internal/assets/fetch -check -data "$DATA_DIR" >/dev/null 2>&1; then
  log "done: run bin/virtengine doctor to check this machine"
else
  log "done, but some test files are missing (listed above): bin/virtengine and the demo work; the test suite needs them."
  log "fix: get a copy of the project's shared data and run: VIRTENGINE_SHARED=/path/to/shared go run ./internal/assets/fetch -data '$DATA_DIR'"
fi
