#!/usr/bin/env bash
# Install everything the test suite needs on a fresh Debian machine, then run it.
# Used by README ("run the tests") and by .ci/run; safe to run again (installs are idempotent).
set -euo pipefail
cd "$(dirname "$0")/.."

# System packages: Debian's Chromium for the browser tests (never a downloaded browser).
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    sudo apt-get update -qq
    sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  fi
fi

# Python package with its test dependencies.
python3 -m pip install --quiet --disable-pip-version-check -e '.[test]'

# Front-end assets (YASGUI) from the npm registry, pinned by web-assets/package-lock.json.
if [ -f web-assets/package-lock.json ]; then
  npm ci --prefix web-assets --no-audit --no-fund --loglevel=error
fi

python3 -m ruff check .
python3 -m pytest "$@"
