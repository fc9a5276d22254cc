#!/usr/bin/env bash
# Make .venv with paykka-embed and its dev extras (the suite's tools); with --system, also Chromium and PostgreSQL.
# Sourced by scripts/test.sh and scripts/demo.sh; safe to run again (it only adds what is missing).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${PAYKKA_VENV:-$ROOT/.venv}"
PYTHON="${PYTHON:-python3}"

if [ ! -x "$VENV/bin/python" ]; then
  echo "==> creating virtualenv $VENV"
  "$PYTHON" -m venv "$VENV"
fi
stamp="$VENV/.paykka-installed"
if [ ! -f "$stamp" ] || [ "$ROOT/pyproject.toml" -nt "$stamp" ]; then
  echo "==> installing paykka-embed with its dev extras"
  "$VENV/bin/python" -m pip install --quiet --upgrade pip
  "$VENV/bin/python" -m pip install --quiet -e "$ROOT[dev]"
  touch "$stamp"
fi

# --system: what the full test suite needs besides Python packages — Chromium for the browser
# tests and PostgreSQL's initdb/pg_ctl for the multi-instance store tests. Installed from
# Debian's packages when run as root; otherwise say what is missing.
if [ "${1:-}" = "--system" ]; then
  missing=()
  if [ -z "${PAYKKA_CHROMIUM:-}" ] && ! command -v chromium >/dev/null 2>&1; then missing+=(chromium); fi
  if ! command -v initdb >/dev/null 2>&1 && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    missing+=(postgresql)
  fi
  if [ "${#missing[@]}" -gt 0 ]; then
    if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
      echo "==> installing Debian packages: ${missing[*]}"
      export DEBIAN_FRONTEND=noninteractive
      apt-get update -qq
      apt-get install -y -qq "${missing[@]}" >/dev/null
    else
      echo "!! missing: ${missing[*]} — install them (apt-get install ${missing[*]}); set PAYKKA_CHROMIUM to use another Chromium" >&2
    fi
  fi
fi
