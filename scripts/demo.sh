#!/usr/bin/env bash
# Run the demo: the local PayKKa emulator and the demo shop, in one process. Ctrl-C stops both.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$ROOT/scripts/bootstrap.sh"
VENV="${PAYKKA_VENV:-$ROOT/.venv}"
cd "$ROOT"
exec "$VENV/bin/paykka-embed" demo "$@"
