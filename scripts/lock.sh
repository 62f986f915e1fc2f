#!/usr/bin/env bash
# Refresh the locks (requirements-{serve,test,bench}.txt) from pyproject.toml (and
# requirements-build.in).
# pyproject.toml keeps compatible ranges for library users; the locks pin exact versions
# with hashes for every install this project makes (README, scripts/test.sh, CI).
# Usage: bash scripts/lock.sh [--upgrade]   (pass uv's flags, e.g. --upgrade-package NAME)
set -euo pipefail
cd "$(dirname "$0")/.."
UV_VERSION=0.13.9
if ! python3 -m uv --version 2>/dev/null | grep -q "$UV_VERSION"; then
  python3 -m pip install --quiet "uv==$UV_VERSION"
fi
compile() {  # compile OUT [extras…]
  local out=$1; shift
  local extras=()
  for extra in "$@"; do extras+=(--extra "$extra"); done
  python3 -m uv pip compile pyproject.toml requirements-build.in "${extras[@]}" \
    --python-version 3.11 --universal --generate-hashes --quiet \
    --custom-compile-command "bash scripts/lock.sh" --output-file "requirements-$out" "${LOCK_FLAGS[@]}"
}
LOCK_FLAGS=("$@")
compile serve.txt
compile test.txt test
compile bench.txt test bench
echo "locks refreshed: requirements-serve.txt requirements-test.txt requirements-bench.txt"
