#!/usr/bin/env bash
# Install everything the test suite needs on a fresh Debian machine, then run it.
# Used by README ("run the tests") and by .ci/run; safe to run again (installs are idempotent).
# Python packages come from the lock (requirements-test.txt, exact versions and hashes) into
# a virtual environment of the project's own (.venv), so a fresh machine gets exactly what
# was tested; `bash scripts/lock.sh` refreshes the lock.
set -euo pipefail
cd "$(dirname "$0")/.."

# System packages from Debian (never a downloaded browser or toolchain):
# Chromium for the browser tests, Java for the OWL reasoner, Virtuoso for the remote store.
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v java >/dev/null 2>&1 || need+=(default-jre-headless)
command -v virtuoso-t >/dev/null 2>&1 || need+=(virtuoso-opensource)
if [ ${#need[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "${need[@]}" >/dev/null
fi

# Python packages, exactly as locked, in the project's virtual environment.
VENV=${CTGRAPH_VENV:-.venv}
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
PIP=("$VENV/bin/python" -m pip --disable-pip-version-check --quiet)
"${PIP[@]}" install --require-hashes --no-deps -r requirements-test.txt
"${PIP[@]}" install --no-deps --no-build-isolation -e .
"${PIP[@]}" check
export PATH="$PWD/$VENV/bin:$PATH"

# Front-end assets (YASGUI) from the npm registry, pinned by web-assets/package-lock.json.
if [ -f web-assets/package-lock.json ]; then
  npm ci --prefix web-assets --no-audit --no-fund --loglevel=error
fi
# SPARQL clients the tests run unmodified (Comunica), pinned by tests/clients/package-lock.json.
npm ci --prefix tests/clients --no-audit --no-fund --loglevel=error

python -m ruff check .
python -m pytest "$@"
