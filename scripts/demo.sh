#!/usr/bin/env bash
# Builds meshc and runs the jaffle_mesh example end to end on embedded DuckDB,
# then shows one published product with `meshc query`.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/setup-duckdb.sh
cargo build --release -p meshc
meshc="${CARGO_TARGET_DIR:-$root/target}/release/meshc"
"$meshc" check --workspace projects/jaffle_mesh
"$meshc" run --workspace projects/jaffle_mesh
"$meshc" query --workspace projects/jaffle_mesh \
  "select * from insights.dim_customers order by customer_id limit 6"
