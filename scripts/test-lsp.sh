#!/usr/bin/env bash
# Protocol tests of `meshc lsp` with a real LSP client (pytest-lsp, PyPI):
# scripted editor sessions on copies of the example mesh (lsp/tests/).
#
#   scripts/test-lsp.sh [pytest args...]
#
# MESHC is the binary under test (default: the debug build in the shared
# target directory). The client lives in a virtual environment outside the
# clone, created on the first run (about 20 seconds, needs PyPI).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${MESHC_LSP_VENV:-$HOME/.cache/meshc/lsp-venv}"
pins=(pytest-lsp==1.0.1 pytest==8.4.2)
stamp="$venv/.meshc-pins"
export MESHC="${MESHC:-${CARGO_TARGET_DIR:-$HOME/.cache/meshc/target}/debug/meshc}"

ready() { [[ -x "$venv/bin/python" && "$(cat "$stamp" 2>/dev/null)" == "${pins[*]}" ]]; }

if ! ready; then
  mkdir -p "$(dirname "$venv")"
  exec 9>"$venv.lock"
  flock 9
  if ! ready; then
    echo "== creating $venv (${pins[*]})" >&2
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input "${pins[@]}" >&2
    printf '%s' "${pins[*]}" >"$stamp"
  fi
  exec 9>&-
fi

if [[ ! -x "$MESHC" ]]; then
  echo "error: $MESHC is not built; run cargo build -p meshc first" >&2
  exit 2
fi
cd "$root/lsp/tests"
# Every wait in the tests has its own timeout; this bounds the whole run.
exec timeout 300 "$venv/bin/python" -m pytest -q -p no:cacheprovider "$@"
