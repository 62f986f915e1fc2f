#!/usr/bin/env bash
# Install ctgraph from the lock (requirements-serve.txt, exact versions and hashes) and the
# web assets (web-assets/package-lock.json), then serve the bundled graph on
# http://127.0.0.1:8000 with the embedded store. Arguments go to `ctgraph serve`.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${CTGRAPH_VENV:-.venv}
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
PIP=("$VENV/bin/python" -m pip --disable-pip-version-check --quiet)
"${PIP[@]}" install --require-hashes --no-deps -r requirements-serve.txt
"${PIP[@]}" install --no-deps --no-build-isolation -e .
npm ci --prefix web-assets --no-audit --no-fund --loglevel=error
exec "$VENV/bin/ctgraph" serve "$@"
