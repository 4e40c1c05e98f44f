#!/usr/bin/env bash
# Fetches the official libduckdb.so (DuckDB 1.5.6) from the npm registry into a cache
# outside the clone and links it into ./.duckdb, where .cargo/config.toml points
# DUCKDB_LIB_DIR. Building DuckDB from source (the `bundled` feature) takes ~40 minutes
# on 2 cores; this takes seconds. Idempotent: a second run only checks the link.
set -euo pipefail
version="1.5.6-r.1"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache="${MESHC_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/meshc}/duckdb-$version"
if [ ! -f "$cache/lib/libduckdb.so" ]; then
  echo "setup: fetching libduckdb $version from npm into $cache" >&2
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack --silent "@duckdb/node-bindings-linux-x64@$version" >/dev/null)
  tar -xzf "$tmp"/*.tgz -C "$tmp"
  lib="$(find "$tmp/package" -name 'libduckdb.so' | head -n 1)"
  [ -n "$lib" ] || { echo "setup: libduckdb.so not found in the npm package" >&2; exit 1; }
  mkdir -p "$cache/lib.partial"
  cp "$lib" "$cache/lib.partial/"
  rm -rf "$cache/lib" && mv "$cache/lib.partial" "$cache/lib"
fi
ln -sfn "$cache" "$root/.duckdb"
