#!/usr/bin/env bash
# The VS Code end-to-end test: packages vscode-extension/ into a .vsix,
# installs it into a real VS Code (code-server from npm), opens a copy of
# projects/jaffle_mesh and drives it with Playwright and Debian's Chromium
# (vscode-extension/e2e/test_vscode.py). Screenshots of each state go to
# $E2E_ARTIFACTS (default ~/.cache/meshc/e2e-artifacts).
#
# Everything it installs is cached outside the clone (scripts/setup-vscode-e2e.sh);
# code-server is stopped whatever happens, and every wait is bounded.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export MESHC="${MESHC:-${CARGO_TARGET_DIR:-$HOME/.cache/meshc/target}/debug/meshc}"
[[ -x "$MESHC" ]] || { echo "error: $MESHC is not built" >&2; exit 2; }
eval "$(bash "$root/scripts/setup-vscode-e2e.sh")"
export PATH="$NODE24/bin:$PATH" npm_config_nodedir="$NODE24"
export XDG_CONFIG_HOME="$MESHC_E2E_DIR/home/config" XDG_DATA_HOME="$MESHC_E2E_DIR/home/data" XDG_CACHE_HOME="$MESHC_E2E_DIR/home/cache"
export E2E_ARTIFACTS="${E2E_ARTIFACTS:-$HOME/.cache/meshc/e2e-artifacts}"

run="$(mktemp -d "$MESHC_E2E_DIR/tmp/run.XXXXXX")"
export TMPDIR="$run/tmp"; mkdir -p "$TMPDIR"
cs_pid=""
cleanup() {
  if [[ -n "$cs_pid" ]]; then kill -TERM -- "-$cs_pid" 2>/dev/null || true; wait "$cs_pid" 2>/dev/null || true; fi
  rm -rf "$run"
}
trap cleanup EXIT

echo "== packaging the extension" >&2
ext="$root/vscode-extension"
if [[ ! -d "$ext/node_modules" ]]; then (cd "$ext" && npm ci --silent --no-audit --no-fund); fi
echo "== extension: tsc --strict, eslint, unit tests" >&2
(cd "$ext" && npm run -s typecheck && npm run -s lint && npm test --silent >&2)
(cd "$ext" && npm run -s build && "$VSCE" package --no-dependencies --allow-missing-repository -o "$run/meshc.vsix" </dev/null >&2)

workspace="$run/jaffle_mesh"
cp -r "$root/projects/jaffle_mesh" "$workspace"
rm -rf "$workspace/target"
ud="$run/user-data"; mkdir -p "$ud/User"
cat >"$ud/User/settings.json" <<JSON
{
  "meshc.path": "$MESHC",
  "workbench.secondarySideBar.defaultVisibility": "hidden",
  "chat.disableAIFeatures": true,
  "workbench.startupEditor": "none",
  "security.workspace.trust.enabled": false,
  "editor.hover.delay": 300
}
JSON
printf 'auth: none\ncert: false\n' >"$run/cs-config.yaml"
cs=("$CODE_SERVER" --config "$run/cs-config.yaml" --user-data-dir "$ud" --extensions-dir "$run/extensions")
timeout 120 "${cs[@]}" --install-extension "$run/meshc.vsix" >&2
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
setsid "${cs[@]}" --bind-addr "127.0.0.1:$port" --auth none --disable-telemetry --disable-update-check \
  --disable-workspace-trust --disable-getting-started-override --ignore-last-opened "$workspace" \
  >"$run/code-server.log" 2>&1 &
cs_pid=$!
for _ in $(seq 1 60); do
  if curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; then break; fi
  sleep 1
done
curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null || { cat "$run/code-server.log" >&2; exit 1; }

echo "== VS Code end to end (code-server on 127.0.0.1:$port)" >&2
export E2E_URL="http://127.0.0.1:$port" E2E_WORKSPACE="$workspace"
status=0
timeout 300 "$E2E_PYTHON" -m pytest -q -p no:cacheprovider "$ext/e2e" "$@" || status=$?
if [[ $status -ne 0 ]]; then echo "--- code-server log" >&2; tail -50 "$run/code-server.log" >&2; fi
exit $status
