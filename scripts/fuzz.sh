#!/usr/bin/env bash
# Coverage-guided fuzzing of the compiler with cargo-fuzz (libFuzzer), bounded
# in time: every target of fuzz/ (model_sql, yaml, structured; see
# fuzz/src/lib.rs for the invariants they assert) runs for --time seconds.
#
#   bash scripts/fuzz.sh                        # CI: 20 s per target
#   bash scripts/fuzz.sh --time 600             # a longer campaign (docs/testing.md)
#   bash scripts/fuzz.sh --target yaml --time 60
#   bash scripts/fuzz.sh --build-only
#
# Any crash (a panic, a failed assertion, a stack overflow), any input slower
# than --input-timeout seconds and any input that needs more than --rss-mb MiB
# fails the run (non-zero) and prints the reproducer's path, the log with the
# stack trace, and how to replay it.
#
# Outside the clone, under $cache: cargo-fuzz $version (installed from crates.io
# with --locked), the target directory (target-fuzz), and per target the corpus
# (fuzz/corpus/<target>: later runs continue from it), the artifacts (crashes)
# and the logs. Seeds are regenerated on every run from projects/ and the
# testdata fixtures; testdata/fuzz/<target>/ holds committed regression inputs,
# replayed on every run. The build uses the nightly toolchain when installed
# (cargo-fuzz's instrumentation flags), else the stable one with
# RUSTC_BOOTSTRAP=1. Every wait is bounded.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
version="0.13.2"
cache="${MESHC_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/meshc}"
work="$cache/fuzz"
target_dir="$cache/target-fuzz"
seconds=20
input_timeout=10
rss_mb=2048
build_only=0
targets=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --time) seconds="$2"; shift 2 ;;
    --target) targets+=("$2"); shift 2 ;;
    --input-timeout) input_timeout="$2"; shift 2 ;;
    --rss-mb) rss_mb="$2"; shift 2 ;;
    --build-only) build_only=1; shift ;;
    *) echo "usage: fuzz.sh [--time SECONDS] [--target NAME]... [--input-timeout SECONDS] [--rss-mb MIB] [--build-only]" >&2; exit 2 ;;
  esac
done
[[ ${#targets[@]} -gt 0 ]] || targets=(model_sql yaml structured)

mkdir -p "$work"
# One run at a time: the corpus and the target directory are shared by clones.
exec 9>"$work/.lock"
timeout 3600 flock 9

cargo_fuzz="$cache/cargo-fuzz-$version/bin/cargo-fuzz"
if [[ ! -x "$cargo_fuzz" ]]; then
  echo "== installing cargo-fuzz $version into $cache/cargo-fuzz-$version" >&2
  timeout 1800 cargo install --quiet --root "$cache/cargo-fuzz-$version" --locked cargo-fuzz --version "$version"
fi
if rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
  export RUSTUP_TOOLCHAIN=nightly
else
  echo "note: no nightly toolchain; building with stable and RUSTC_BOOTSTRAP=1" >&2
  export RUSTC_BOOTSTRAP=1
fi
unset CARGO_TARGET_DIR
# Release with debug assertions and overflow checks (-a): the analysis's
# debug assertions (the reference walk agrees with inference) run on every
# input. No sanitizer (-s none): the code under test is safe Rust, and the
# findings sought are panics, overflows, timeouts and memory, at full speed.
start=$SECONDS
(cd "$root" && timeout 3600 "$cargo_fuzz" fuzz build -O -a -s none --codegen-units 16 --fuzz-dir "$root/fuzz" --target-dir "$target_dir")
echo "fuzz build: $((SECONDS - start)) s"
[[ $build_only == 1 ]] && exit 0
bin_dir="$target_dir/x86_64-unknown-linux-gnu/release"

# Seeds: model SQL and every YAML file of projects/ and of the fixtures.
# A yaml seed starts with the index of its file in meshc_fuzz::YAML_FILES.
seeds="$work/seeds"
rm -rf "$seeds"
mkdir -p "$seeds/split" "$seeds/model_sql" "$seeds/yaml" "$seeds/structured"
for fixture in "$root"/testdata/check/*.mesh "$root"/testdata/emit/*.mesh; do
  awk -v out="$seeds/split" -v name="$(basename "$fixture" .mesh)" '
    /^\/\/- / { if (f) close(f); p = substr($0, 5); gsub(/[\/ ]/, "_", p); f = out "/" name "--" p; printf "" > f; next }
    f { print >> f }' "$fixture"
done
(cd "$root/projects" && find . -type f \( -name '*.sql' -o -name '*.yaml' -o -name mesh.lock \) | while read -r f; do
  cp "$f" "$seeds/split/project-$(echo "${f#./}" | tr '/' '_')"
done)
for f in "$seeds"/split/*; do
  name="$(basename "$f")"
  case "$name" in
    *.sql) cp "$f" "$seeds/model_sql/$name"; continue ;;
    *_mesh.yaml|*--mesh.yaml) index=0 ;;
    *domain.yaml) index=1 ;;
    *sources.yaml) index=2 ;;
    *contracts_*.yaml) index=3 ;;
    *mesh.lock) index=5 ;;
    *) continue ;;
  esac
  { printf "\\x$(printf %02x "$index")"; cat "$f"; } > "$seeds/yaml/$name"
done
rm -rf "$seeds/split"

# libFuzzer's options: the text targets get inputs up to 16 KiB (long lines,
# chains deeper than the limits); the structured one needs few bytes. The
# entropic schedule is off: with 576,000 coverage counters its bookkeeping
# per feature made every execution 3.6 times slower here.
failed=()
for t in "${targets[@]}"; do
  corpus="$work/corpus/$t"
  artifacts="$work/artifacts/$t"
  log="$work/logs/$t.log"
  mkdir -p "$corpus" "$artifacts" "$(dirname "$log")"
  dirs=("$corpus" "$seeds/$t")
  [[ -d "$root/testdata/fuzz/$t" ]] && dirs+=("$root/testdata/fuzz/$t")
  options=(-max_total_time="$seconds" -timeout="$input_timeout" -rss_limit_mb="$rss_mb"
           -artifact_prefix="$artifacts/" -print_final_stats=1 -entropic=0 -reload=0)
  case "$t" in
    model_sql) options+=(-max_len=16384 -dict="$root/fuzz/dict/sql.dict") ;;
    yaml) options+=(-max_len=16384 -dict="$root/fuzz/dict/yaml.dict") ;;
    *) options+=(-max_len=4096) ;;
  esac
  before="$(find "$corpus" -type f | wc -l)"
  status=0
  # The time bound plus the initial corpus replay and the last input's timeout.
  RUST_BACKTRACE=1 timeout --signal=INT --kill-after=30 $((seconds + 300)) \
    "$bin_dir/$t" "${options[@]}" "${dirs[@]}" >"$log" 2>&1 || status=$?
  stats="$(grep -E '^#[0-9]+.*(DONE|pulse|NEW|REDUCE|INITED)' "$log" | tail -n 1 || true)"
  runs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")"
  speed="$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")"
  rss="$(sed -n 's/^stat::peak_rss_mb: *//p' "$log")"
  cov="$(echo "$stats" | sed -n 's/.* cov: \([0-9]*\).*/\1/p')"
  ft="$(echo "$stats" | sed -n 's/.* ft: \([0-9]*\).*/\1/p')"
  after="$(find "$corpus" -type f | wc -l)"
  echo "$t: ${runs:-?} runs in ${seconds} s (${speed:-?}/s), cov ${cov:-?}, ft ${ft:-?}, corpus $before -> $after, peak RSS ${rss:-?} MB, exit $status"
  if [[ $status != 0 ]]; then
    failed+=("$t")
    echo "error: fuzz target $t failed; its log ($log) ends with:" >&2
    tail -n 60 "$log" >&2
    grep -h 'Test unit written to' "$log" | sed 's/.*Test unit written to /reproducer: /' >&2 || true
    echo "replay: $bin_dir/$t -runs=1 REPRODUCER; show the workspace: cargo run --manifest-path fuzz/Cargo.toml --example show -- $t REPRODUCER" >&2
  fi
done
if [[ ${#failed[@]} -gt 0 ]]; then
  echo "error: fuzzing found a failure in: ${failed[*]}" >&2
  exit 1
fi
