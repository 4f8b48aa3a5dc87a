#!/usr/bin/env bash
# Makes <repo>/.venv-bench with the benchmark's Python peers (test/bench/peers/*.py), from PyPI.
#   bash test/bench/setup-peers.sh              # River + pandas, TensorFlow (CPU), PyTorch
#   bash test/bench/setup-peers.sh --only river # River alone (seconds; enough for `npm run bench -- --smoke`)
# Idempotent: creates the venv only when missing and installs only what is missing or another version.
# Sizes: tensorflow-cpu ~1.5 GB installed; torch from PyPI is the CUDA build on Linux (PyPI has no
# CPU-only torch wheel): ~0.5 GB wheel + ~4.5 GB of nvidia-* libraries, ~7 GB venv in all. It runs
# on the CPU here (no GPU); the CUDA libraries are only loaded, never used.
set -euo pipefail
RIVER=0.26.1
PANDAS=3.1.1
TENSORFLOW=2.21.0
TORCH=2.15.0
repo="$(cd "$(dirname "$0")/../.." && pwd)"
venv="$repo/.venv-bench"
only=""
if [ "${1:-}" = "--only" ]; then only="${2:?--only takes river}"; fi

if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
py="$venv/bin/python"
pip=("$venv/bin/pip" install --quiet --disable-pip-version-check)
version() { "$py" -c "import importlib.metadata as m; print(m.version('$1'))" 2>/dev/null || true; }
want() { # package version: install when absent or another version
  if [ "$(version "$1")" != "$2" ]; then
    echo "installing $1==$2 into $venv"
    "${pip[@]}" "$1==$2"
  fi
}
want river "$RIVER"
if [ "$only" != "river" ]; then
  want pandas "$PANDAS"
  want tensorflow-cpu "$TENSORFLOW"
  want torch "$TORCH"
fi
for p in river pandas tensorflow-cpu keras torch numpy; do
  v="$(version "$p")"
  echo "  $p ${v:-not installed}"
done
