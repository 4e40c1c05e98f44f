//! What the fuzz targets share: a tiny workspace whose files an input
//! replaces, and the invariants meshc promises for any input, checked
//! through the public API of mesh-analysis only (no engine, no DuckDB).
//!
//! The invariants (a violated one is a panic, which libFuzzer reports as a
//! crash with the input that caused it):
//! - `check` returns diagnostics, never panics, never overflows the stack,
//!   and finishes within libFuzzer's `-timeout` (scripts/fuzz.sh);
//! - every diagnostic's range is ordered and inside its file;
//! - `check_and_emit` for each target reports what `check` reports, and
//!   `plan` for each target returns (a plan or diagnostics); a mesh whose
//!   check has no error plans on every target;
//! - a host that received the input as an edit of the base workspace (the
//!   language server's and watch mode's path) reports what a fresh host reports.

use std::collections::BTreeMap;

use mesh_analysis::{AnalysisHost, Change, Diagnostic, LineIndex, Target};

pub mod structured;

/// The model whose text the model_sql target replaces.
pub const MODEL: &str = "orders/models/m.sql";
/// Its contract (published to the insights domain).
pub const CONTRACT: &str = "orders/contracts/m.yaml";

/// The workspace's files, by path.
pub type Files = BTreeMap<String, String>;

pub const MESH_YAML: &str = "\
name: fuzz
domains: [orders, insights]
targets:
  trino:
    catalog: lake
    sources:
      orders: { catalog: raw, schema: public }
";

pub const ORDERS_DOMAIN: &str = "\
name: orders
owner: orders-team
version: 1.0.0
materialization: view
models:
  m:
    description: The fuzzed model.
  history:
    materialization: incremental
    incremental: { unique_key: [order_id], updated_at: order_date }
";

pub const ORDERS_SOURCES: &str = "\
sources:
  - name: raw_orders
    path: data/raw_orders.csv
    csv: { header: true, delimiter: \",\" }
    columns:
      - { name: id, type: INTEGER, required: true }
      - { name: customer_id, type: INTEGER }
      - { name: order_date, type: DATE, required: true }
      - { name: status, type: VARCHAR, required: true }
      - { name: amount, type: \"DECIMAL(10,2)\" }
";

pub const STG: &str = "\
select id as order_id, customer_id, order_date, status, coalesce(amount, 0) as amount
from raw_orders
";

pub const MODEL_SQL: &str = "\
select order_id, customer_id, order_date, status, amount from stg
";

pub const HISTORY: &str = "\
select * from m
";

pub const CONTRACT_YAML: &str = "\
apiVersion: v3.1.0
kind: DataContract
id: orders.m
version: 1.0.0
status: active
schema:
  - name: m
    quality:
      - { name: not_empty, type: library, metric: rowCount, mustBeGreaterThan: 0 }
      - name: amounts_positive
        type: sql
        query: SELECT COUNT(*) FROM {object} WHERE amount < 0
        mustBe: 0
    properties:
      - name: order_id
        physicalType: INTEGER
        required: true
        quality:
          - { name: order_id_unique, type: library, metric: duplicateValues, mustBe: 0 }
      - { name: customer_id, physicalType: INTEGER }
      - { name: order_date, physicalType: DATE, required: true }
      - name: status
        physicalType: VARCHAR
        required: true
        quality:
          - name: status_values
            type: library
            metric: invalidValues
            arguments: { validValues: [placed, shipped] }
            mustBe: 0
      - { name: amount, physicalType: \"DECIMAL(10,2)\" }
slaProperties:
  - { property: freshness, value: 24, unit: h, element: m.order_date }
customProperties:
  - { property: meshc.access, value: [insights] }
";

pub const INSIGHTS_DOMAIN: &str = "\
name: insights
owner: analytics
version: 1.0.0
dependencies: { orders: \"^1.0\" }
materialization: table
";

pub const READER: &str = "\
select o.order_id, o.status, count(*) over (partition by o.customer_id) as orders_of_customer
from orders.m as o
";

/// The base workspace: two domains, a source, the fuzzed model `orders.m`
/// between a staging model and an incremental model in its domain, its
/// contract (library, SQL and freshness rules, an access list), and a
/// reader in the other domain. `mesh.lock` is computed by [`host`].
pub fn base() -> Files {
    [
        ("mesh.yaml", MESH_YAML),
        ("orders/domain.yaml", ORDERS_DOMAIN),
        ("orders/sources.yaml", ORDERS_SOURCES),
        ("orders/models/stg.sql", STG),
        (MODEL, MODEL_SQL),
        ("orders/models/history.sql", HISTORY),
        (CONTRACT, CONTRACT_YAML),
        ("insights/domain.yaml", INSIGHTS_DOMAIN),
        ("insights/models/reader.sql", READER),
    ]
    .into_iter()
    .map(|(p, t)| (p.to_string(), t.to_string()))
    .collect()
}

/// The workspace of the model_sql target: `data` is the text of [`MODEL`].
pub fn model_sql_files(data: &[u8]) -> Files {
    let mut files = base();
    files.insert(MODEL.to_string(), text(data));
    files
}

/// The files the yaml target's first byte chooses from (`scripts/fuzz.sh`
/// prefixes each seed with its file's index).
pub const YAML_FILES: [&str; 6] = [
    "mesh.yaml",
    "orders/domain.yaml",
    "orders/sources.yaml",
    CONTRACT,
    "insights/domain.yaml",
    "mesh.lock",
];

/// The workspace of the yaml target: the first byte of `data` chooses one of
/// [`YAML_FILES`], the rest is its text. `None` for an empty input.
pub fn yaml_files(data: &[u8]) -> Option<Files> {
    let (&which, rest) = data.split_first()?;
    let mut files = base();
    let path = YAML_FILES[usize::from(which) % YAML_FILES.len()];
    files.insert(path.to_string(), text(rest));
    Some(files)
}

/// Input bytes as text, as the workspace loader would enter them: valid
/// UTF-8 as it is, anything else with replacement characters (the loader
/// enters an undecodable file with no text and a diagnostic; the lossy
/// text reaches more of the compiler).
pub fn text(data: &[u8]) -> String {
    String::from_utf8_lossy(data).into_owned()
}

fn change(files: &Files) -> Change {
    let mut change = Change::default();
    for (path, text) in files {
        change.set_file(path.clone(), text.clone());
    }
    change.load_diagnostics = Some(Vec::new());
    change
}

/// A host with `files` loaded and, unless `files` has one, the mesh.lock
/// that `meshc lock` would write (as the fixture tests do).
pub fn host(files: &Files) -> AnalysisHost {
    let mut host = AnalysisHost::new();
    host.apply_change(change(files));
    if !files.contains_key("mesh.lock") {
        let mut lock = Change::default();
        lock.set_file("mesh.lock", host.required_lock().render());
        host.apply_change(lock);
    }
    host
}

/// Asserts every invariant above on `files`; returns the diagnostics.
pub fn exercise(files: &Files) -> Vec<Diagnostic> {
    let host = host(files);
    let diagnostics = host.check();
    check_ranges(&host, files, &diagnostics);
    let clean = diagnostics.iter().all(|d| !d.is_error());
    for target in Target::ALL {
        let emitted = host.check_and_emit(target);
        assert_eq!(
            emitted,
            diagnostics,
            "check_and_emit({}) disagrees with check",
            target.name()
        );
        match host.plan(target, &[]) {
            Ok(plan) => {
                for model in &plan.models {
                    assert!(
                        !model.sql.is_empty(),
                        "{}: empty SQL on {}",
                        model.id,
                        target.name()
                    );
                }
            }
            Err(e) => assert!(
                !clean,
                "a clean mesh failed to plan on {}: {e:?}",
                target.name()
            ),
        }
    }
    diagnostics
}

/// [`exercise`], then the same files reached by editing the base workspace
/// on a host that had checked it: the result must be the fresh host's.
pub fn exercise_with_edit(files: &Files) -> Vec<Diagnostic> {
    let fresh = exercise(files);
    let mut edited = host(&base());
    edited.check();
    let mut edit = Change::default();
    for (path, text) in files {
        edit.set_file(path.clone(), text.clone());
    }
    for path in base().keys() {
        if !files.contains_key(path) {
            edit.remove_file(path.clone());
        }
    }
    edited.apply_change(edit);
    if !files.contains_key("mesh.lock") {
        let mut lock = Change::default();
        lock.set_file("mesh.lock", edited.required_lock().render());
        edited.apply_change(lock);
    }
    let again = edited.check();
    assert_eq!(again, fresh, "an edited host disagrees with a fresh one");
    fresh
}

/// Ranges are ordered and inside their file (one past the end at most, for
/// "at the end of the file"); line and column of both ends are computable.
fn check_ranges(host: &AnalysisHost, files: &Files, diagnostics: &[Diagnostic]) {
    let mut indexes: BTreeMap<&str, LineIndex> = BTreeMap::new();
    for d in diagnostics {
        assert!(d.range.start <= d.range.end, "unordered range: {d:?}");
        if d.file.is_empty() {
            continue;
        }
        let text = host
            .file_text(&d.file)
            .or_else(|| files.get(&*d.file).map(String::as_str))
            .unwrap_or("");
        assert!(
            d.range.end as usize <= text.len().max(1) + 1,
            "range beyond the end of {} ({} bytes): {d:?}",
            d.file,
            text.len()
        );
        let index = indexes
            .entry(&d.file)
            .or_insert_with(|| LineIndex::new(text));
        let start = d.range.start.min(text.len() as u32);
        let end = d.range.end.min(text.len() as u32);
        let (l0, c0) = index.line_col(text, start);
        let (l1, c1) = index.line_col(text, end);
        assert!((l0, c0) <= (l1, c1), "{d:?}");
    }
}
