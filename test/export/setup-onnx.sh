#!/usr/bin/env bash
# Makes <repo>/.venv-onnx with the pinned `onnx` package, whose checker the export tests run on the
# ONNX files streamtune writes (test/export/onnxChecker.ts). ONNX Runtime itself comes from npm
# (onnxruntime-node, a devDependency). Idempotent: creates the venv only when missing, and installs
# only when onnx is absent or another version.
set -euo pipefail
ONNX_VERSION=1.23.2
repo="$(cd "$(dirname "$0")/../.." && pwd)"
venv="$repo/.venv-onnx"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
if [ "$("$venv/bin/python" -c 'import onnx; print(onnx.__version__)' 2>/dev/null || true)" != "$ONNX_VERSION" ]; then
  "$venv/bin/pip" install --quiet --disable-pip-version-check "onnx==$ONNX_VERSION"
fi
echo "onnx $("$venv/bin/python" -c 'import onnx; print(onnx.__version__)') in $venv"
