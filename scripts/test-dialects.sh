#!/usr/bin/env bash
# The dialect oracle suite: every statement meshc emits for Trino and Teradata
# (the snapshots of testdata/emit and a `meshc build` of each example project
# per target) parsed by an independent grammar, sqlglot from PyPI, with the
# checks sqlglot's leniency needs (scripts/dialect_oracle.py). sqlglot is
# installed once into a venv outside the clone, keyed by version.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/meshc/target}"
version=30.30.0
venv="${MESHC_CACHE:-$HOME/.cache/meshc}/sqlglot-$version-venv"
if ! "$venv/bin/python" -c "import sqlglot, sys; sys.exit(sqlglot.__version__ != '$version')" 2>/dev/null; then
  echo "dialects: installing sqlglot $version into $venv" >&2
  rm -rf "$venv"
  python3 -m venv "$venv"
  timeout 600 "$venv/bin/pip" install --quiet --disable-pip-version-check "sqlglot==$version"
fi
cargo build --quiet -p meshc
meshc="$CARGO_TARGET_DIR/debug/meshc"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
files=(testdata/emit/*.trino.sql testdata/emit/*.teradata.sql)
for project in projects/*/; do
  name="$(basename "$project")"
  mkdir -p "$work/$name"
  cp -r "$project"/. "$work/$name"
  rm -rf "$work/$name/target"
  for target in trino teradata; do
    timeout 300 "$meshc" build --quiet --color never --target "$target" -w "$work/$name"
  done
  while IFS= read -r -d '' file; do files+=("$file"); done \
    < <(find "$work/$name/target/trino" "$work/$name/target/teradata" -name '*.sql' -print0)
done
timeout 600 "$venv/bin/python" scripts/dialect_oracle.py "${files[@]}" 2> >(grep -v "Falling back to parsing as a 'Command'" >&2)
