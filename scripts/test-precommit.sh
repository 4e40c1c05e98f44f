#!/usr/bin/env bash
# End-to-end test of .pre-commit-hooks.yaml with the real pre-commit (PyPI):
# a temporary git repository holding a copy of projects/jaffle_mesh installs
# meshc-check and meshc-contracts from a clone of this repository at HEAD, the
# way any other repository would (`repo:` + `rev:`), and commits to it:
#
#   (a) a consumer reading a column the producer's contract does not publish: refused, with code and file:line:col
#   (b) the fix: accepted
#   (c) a published column removed without a major version bump: refused, naming the consumer
#   (d) a commit touching no mesh file: accepted, and how long it took
#
# It tests HEAD: commit first. pre-commit builds meshc with `cargo install`
# the first time a commit is tested, into a target directory in $cache, so
# later runs rebuild only what changed. That is a release build (13 minutes
# cold on 2 cores); this test is about how pre-commit installs and runs the
# hooks, not about the optimizer, so it builds the release profile without
# optimization and incrementally (MESHC_PRECOMMIT_RELEASE=1: as users get it).
# The venv (pre-commit $version), pre-commit's store and the clone live in
# $cache, outside the clone. Every wait is bounded.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
version="4.7.0"
cache="${MESHC_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/meshc}"
venv="$cache/precommit-venv-$version"
clone="$cache/precommit-source"
export PRE_COMMIT_HOME="$cache/pre-commit-home"
if [[ "${MESHC_PRECOMMIT_RELEASE:-0}" == 1 ]]; then
  export CARGO_TARGET_DIR="$cache/target-precommit-release"
else
  export CARGO_TARGET_DIR="$cache/target-precommit"
  export CARGO_PROFILE_RELEASE_OPT_LEVEL=0 CARGO_PROFILE_RELEASE_INCREMENTAL=true CARGO_PROFILE_RELEASE_DEBUG=false
fi
# The hooks' build must find libduckdb without the clone's .duckdb link (see
# compiler/engine/build.rs): the cache that setup-duckdb.sh fills.
bash "$root/scripts/setup-duckdb.sh"
unset DUCKDB_LIB_DIR

mkdir -p "$cache"
# One run at a time: the clone and the store are shared.
exec 9>"$cache/precommit.lock"
timeout 1800 flock 9

if [[ ! -x "$venv/bin/pre-commit" ]]; then
  echo "== creating $venv (pre-commit==$version)" >&2
  rm -rf "$venv"
  timeout 300 python3 -m venv "$venv"
  timeout 600 "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input "pre-commit==$version" >&2
fi
precommit="$venv/bin/pre-commit"

if [[ -n "$(git -C "$root" status --porcelain --untracked-files=no)" ]]; then
  echo "note: the working tree has uncommitted changes; the hooks are tested at HEAD" >&2
fi
rev="$(git -C "$root" rev-parse HEAD)"
# A stable path: pre-commit's store keys installed hooks by (repo, rev).
if [[ ! -d "$clone/.git" ]]; then
  rm -rf "$clone"
  timeout 300 git clone --quiet --no-checkout "$root" "$clone"
fi
timeout 300 git -C "$clone" fetch --quiet "$root" HEAD
git -C "$clone" checkout --quiet --detach --force "$rev"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
repo="$work/repo"
mkdir -p "$repo"
cp -r "$root/projects/jaffle_mesh" "$repo/jaffle_mesh"
rm -rf "$repo/jaffle_mesh/target"
echo "A repository that holds a mesh." >"$repo/README.txt"
cat >"$repo/.pre-commit-config.yaml" <<EOF
repos:
  - repo: $clone
    rev: $rev
    hooks:
      - id: meshc-check
      - id: meshc-contracts
EOF
g() { git -C "$repo" -c user.name=meshc -c user.email=meshc@example.com "$@"; }
g init --quiet
g add -A

fail() { echo "FAIL: $*" >&2; exit 1; }
# commit NAME: commits what is staged; prints the hooks' output; sets $status and $ms.
commit() {
  local started ended
  started=$(date +%s%N)
  set +e
  out="$(cd "$repo" && timeout 600 git -c user.name=meshc -c user.email=meshc@example.com commit --quiet -m "$1" 2>&1)"
  status=$?
  set -e
  ended=$(date +%s%N)
  ms=$(( (ended - started) / 1000000 ))
  printf '%s\n' "$out" | sed 's/^/    /'
}
expect_in() { [[ "$out" == *"$1"* ]] || fail "the output does not contain: $1"; }

echo "== installing the hooks from $clone at $rev (cargo install; minutes the first time)"
started=$(date +%s)
(cd "$repo" && timeout 3000 "$precommit" install --install-hooks >/dev/null) || fail "pre-commit could not install the hooks"
echo "   installed in $(( $(date +%s) - started )) s"

echo "== initial commit: the example as it is"
commit "jaffle_mesh"
[[ $status -eq 0 ]] || fail "the clean example was refused"
pass=1

echo "== (a) a consumer reads a column the producer's contract does not publish"
model="jaffle_mesh/insights/models/customer_orders.sql"
cp "$repo/$model" "$work/model.sql"
sed -i 's/count(order_id) as number_of_orders/count(order_id) as number_of_orders,\n    max(order_total) as biggest_order/' "$repo/$model"
g add "$model"
commit "read a column nobody publishes"
[[ $status -ne 0 ]] || fail "the broken consumer was committed"
expect_in "$model:7:9: error[MESH2009] column \`order_total\` is not in the contract of orders.stg_orders@1.0.0"
expect_in "meshc check"
pass=$((pass + 1))

echo "== (b) the fix"
cp "$work/model.sql" "$repo/$model"
sed -i 's/count(order_id) as number_of_orders/count(order_id) as number_of_orders,\n    max(order_date) as last_order_date/' "$repo/$model"
g add "$model"
commit "read a published column"
[[ $status -eq 0 ]] || fail "the fixed consumer was refused"
pass=$((pass + 1))

echo "== (c) a published column removed without a major version bump"
contract="jaffle_mesh/orders/contracts/stg_orders.yaml"
cp "$repo/$contract" "$work/contract.yaml"
python3 - "$repo/$contract" <<'EOF'
import sys
path = sys.argv[1]
text = open(path).read()
column = "      - name: order_date\n        logicalType: date\n        physicalType: DATE\n        required: true\n        description: Date the order was placed.\n"
assert column in text, "the contract changed; update the test"
open(path, "w").write(text.replace(column, ""))
EOF
g add "$contract"
commit "drop order_date from orders.stg_orders"
[[ $status -ne 0 ]] || fail "the breaking change was committed"
expect_in "$contract:5:10: error[MESH1010] orders.stg_orders 1.0.0 -> 1.0.0"
expect_in "breaking: column \`order_date\` removed, which breaks insights at jaffle_mesh/insights/models/customer_orders.sql:"
expect_in "error[MESH2015] mesh.lock is stale for orders.stg_orders"
cp "$work/contract.yaml" "$repo/$contract"
g add "$contract"
pass=$((pass + 1))

echo "== (d) a commit touching no mesh file"
echo "More words." >>"$repo/README.txt"
g add README.txt
commit "docs only"
[[ $status -eq 0 ]] || fail "a commit touching no mesh file was refused"
expect_in "(no files to check)Skipped"
echo "   the commit took $ms ms with both hooks installed (pre-commit skips them: no staged mesh file)"
pass=$((pass + 1))

echo "$pass passed, 0 failed"
