#!/usr/bin/env bash
# The whole test suite: formatting, lints, architecture rules and every test
# (unit, snapshot, property, end to end on DuckDB). `.ci/run` calls exactly this.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
# One target directory outside the clone, shared by every checkout on this machine.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/meshc/target}"
bash scripts/setup-duckdb.sh
bash scripts/setup-postgres.sh
bash scripts/setup-trino.sh
echo "== ODCS contracts (official JSON schema + datacontract lint)"; bash scripts/check-contracts.sh
echo "== cargo fmt --check"; cargo fmt --all -- --check
echo "== cargo clippy -D warnings"; cargo clippy --workspace --all-targets --quiet -- -D warnings
echo "== dependency direction"
for crate in mesh-diagnostics mesh-syntax; do
  if cargo tree -q -p "$crate" -e normal | grep -q '^.*salsa '; then
    echo "error: $crate must not depend on salsa" >&2; exit 1
  fi
done
if cargo tree -q -p mesh-analysis -e normal | grep -q 'mesh-engine\|duckdb'; then
  echo "error: the analysis layer must not depend on the engine" >&2; exit 1
fi
# The language server talks to the analysis façade only: no salsa, no engine.
if cargo tree -q -p meshc-lsp -e normal --depth 1 | grep -q ' salsa \|mesh-sema\|mesh-engine\|duckdb'; then
  echo "error: meshc-lsp must depend on mesh-analysis, not on salsa, sema or the engine" >&2; exit 1
fi
# The Trino client knows SQL text, not models: no compiler crate.
if cargo tree -q -p mesh-trino -e normal --prefix none | tail -n +2 | grep -q '^mesh-'; then
  echo "error: mesh-trino must not depend on a compiler crate" >&2; exit 1
fi
# The fuzz targets (their own cargo workspace) use the public analysis API only.
if grep -E '^mesh-|^meshc' fuzz/Cargo.toml | grep -qv '^mesh-analysis '; then
  echo "error: fuzz/ must depend on mesh-analysis only among the compiler crates" >&2; exit 1
fi
echo "== cargo test"; cargo test --workspace --quiet
# Coverage-guided, 20 s per target (docs/testing.md); the first build takes
# about 7 minutes (cargo-fuzz and an instrumented release build, cached).
echo "== fuzz (cargo-fuzz, bounded)"; bash scripts/fuzz.sh
echo "== dialect oracle (sqlglot parses every Trino and Teradata statement meshc emits)"; bash scripts/test-dialects.sh
echo "== language server protocol tests (pytest-lsp, the real meshc lsp)"; bash scripts/test-lsp.sh
echo "== pre-commit hooks end to end (pre-commit from PyPI, hooks installed from a clone)"; bash scripts/test-precommit.sh
echo "== VS Code extension end to end (code-server + Playwright + Chromium)"; bash scripts/test-vscode.sh
echo "== bench smoke (50 models, meshc side, no timing assertions)"; bash bench/run --smoke
echo "== all checks passed"
