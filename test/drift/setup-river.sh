#!/usr/bin/env bash
# Makes <repo>/.venv-river with the pinned River, for the parity tests of src/drift (test/drift/river.test.ts).
# Idempotent: creates the venv only when missing, and installs only when River is absent or another version.
set -euo pipefail
RIVER_VERSION=0.26.1
repo="$(cd "$(dirname "$0")/../.." && pwd)"
venv="$repo/.venv-river"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
if [ "$("$venv/bin/python" -c 'import river; print(river.__version__)' 2>/dev/null || true)" != "$RIVER_VERSION" ]; then
  "$venv/bin/pip" install --quiet --disable-pip-version-check "river==$RIVER_VERSION"
fi
echo "river $("$venv/bin/python" -c 'import river; print(river.__version__)') in $venv"
