#!/usr/bin/env bash
# Run the whole test suite: set up .venv (and, as root, chromium and postgresql), then pytest in parallel.
# Extra arguments go to pytest, e.g. scripts/test.sh -k webhook
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$ROOT/scripts/bootstrap.sh" --system
VENV="${PAYKKA_VENV:-$ROOT/.venv}"
cd "$ROOT"
exec "$VENV/bin/python" -m pytest -n "${PAYKKA_TEST_WORKERS:-2}" "$@"
