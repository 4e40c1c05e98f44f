#!/usr/bin/env bash
# Proves that every ODCS data contract under projects/ is valid: against the
# official ODCS JSON schema (PyPI open-data-contract-standard) and with
# `datacontract lint` (PyPI datacontract-cli). See docs/contracts-odcs.md.
#
#   scripts/check-contracts.sh                     every projects/**/contracts/*.yaml
#   scripts/check-contracts.sh PATH...             those too (files, or directories holding */contracts/*.yaml)
#   scripts/check-contracts.sh --no-projects PATH...   only the given contracts
#
# The tools live in a virtual environment outside the clone, created on the
# first run (about half a minute, needs PyPI) and reused afterwards (a second or two).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${MESHC_CONTRACTS_VENV:-$HOME/.cache/meshc/contracts-venv}"
# Exact versions: the packaged schema.json is the ODCS v3.2.0 schema, and
# datacontract-cli 1.2.8 bundles the v3.0.2, v3.1.0 and v3.2.0 schemas.
pins=(open-data-contract-standard==3.2.0 datacontract-cli==1.2.8 jsonschema==4.26.0)
stamp="$venv/.meshc-pins"

ready() { [[ -x "$venv/bin/python" && "$(cat "$stamp" 2>/dev/null)" == "${pins[*]}" ]]; }

if ! ready; then
  mkdir -p "$(dirname "$venv")"
  # One creator at a time; whoever waited finds the environment ready.
  exec 9>"$venv.lock"
  flock 9
  if ! ready; then
    echo "== creating $venv (${pins[*]})" >&2
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input "${pins[@]}" >&2
    # Written last: an interrupted install is redone from scratch on the next run.
    printf '%s' "${pins[*]}" >"$stamp"
  fi
  exec 9>&-
fi

exec "$venv/bin/python" "$root/scripts/check_contracts.py" "$@"
