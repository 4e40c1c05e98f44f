#!/usr/bin/env bash
# Installs PostgreSQL from Debian for the registry tests (compiler/registry/tests/pg.rs),
# which start their own throwaway server with initdb and pg_ctl. Idempotent: does
# nothing when initdb is already there ($MESHC_PG_BIN, /usr/lib/postgresql/*/bin or PATH).
# Needs root or password-less sudo for apt-get.
set -euo pipefail
have_initdb() {
  if [ -n "${MESHC_PG_BIN:-}" ] && [ -x "$MESHC_PG_BIN/initdb" ]; then return 0; fi
  if compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null; then return 0; fi
  command -v initdb >/dev/null 2>&1
}
have_initdb && exit 0
if [ "$(id -u)" = 0 ]; then
  sudo=()
elif sudo -n true 2>/dev/null; then
  sudo=(sudo -n)
else
  echo "setup: PostgreSQL is missing and installing it needs root (or password-less sudo):" >&2
  echo "setup:   apt-get install postgresql" >&2
  exit 1
fi
echo "setup: installing PostgreSQL from Debian (apt-get install postgresql)" >&2
start=$SECONDS
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
apt=("${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300)
# Quiet unless it fails (the packages' scripts are chatty).
if ! { "${apt[@]}" update && "${apt[@]}" install -y --no-install-recommends postgresql; } >"$log" 2>&1; then
  cat "$log" >&2
  echo "setup: installing PostgreSQL failed" >&2
  exit 1
fi
if ! have_initdb; then
  echo "setup: initdb is still missing after installing postgresql" >&2
  exit 1
fi
echo "setup: PostgreSQL installed in $((SECONDS - start))s" >&2
