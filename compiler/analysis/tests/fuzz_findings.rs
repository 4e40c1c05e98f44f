//! Regression tests for what the coverage-guided fuzzer (fuzz/, scripts/fuzz.sh,
//! docs/testing.md) found. A test of a finding that is not fixed yet is
//! `#[ignore]`d and names the finding; the fix removes the `#[ignore]` and the
//! matching check in `fuzz/src/lib.rs` (`known`).

use mesh_analysis::{AnalysisHost, Change, PlanError, Target};

/// A one-domain workspace whose model `orders.m` is `sql`.
fn host(sql: &str) -> AnalysisHost {
    let mut host = AnalysisHost::new();
    let mut change = Change::default();
    change.set_file("mesh.yaml", "name: fuzz\ndomains: [orders]\n");
    change.set_file(
        "orders/domain.yaml",
        "name: orders\nowner: t\nversion: 1.0.0\n",
    );
    change.set_file(
        "orders/sources.yaml",
        "sources:\n  - name: raw_orders\n    path: data/raw_orders.csv\n    columns:\n      - { name: x, type: INTEGER, required: true }\n",
    );
    change.set_file("orders/models/m.sql", sql);
    change.load_diagnostics = Some(Vec::new());
    host.apply_change(change);
    host
}

/// `n` CTEs, each reading the one before `reads` times.
fn cte_chain(n: usize, reads: usize) -> String {
    let mut sql = String::from("with c0 as (select x from raw_orders)");
    for i in 1..n {
        let mut body = format!("select r0.x from c{} r0", i - 1);
        for r in 1..reads {
            body.push_str(&format!(" join c{} r{r} using (x)", i - 1));
        }
        sql.push_str(&format!(", c{i} as ({body})"));
    }
    sql.push_str(&format!(" select x from c{}", n - 1));
    sql
}

/// The emitted SQL of `orders.m` on `target`, with how long planning took.
fn emitted(sql: &str, target: Target) -> (String, std::time::Duration) {
    let host = host(sql);
    assert!(
        host.check().iter().all(|d| !d.is_error()),
        "{:?}",
        host.check()
    );
    let start = std::time::Instant::now();
    let plan = host.plan(target, &[]).expect("a clean mesh plans");
    let elapsed = start.elapsed();
    let model = plan
        .models
        .iter()
        .find(|m| m.id == "orders.m")
        .expect("planned");
    (model.sql.clone(), elapsed)
}

/// The duckdb and trino emissions keep CTEs: their SQL grows with the model.
#[test]
fn cte_chains_emit_linear_sql_on_duckdb_and_trino() {
    let sql = cte_chain(16, 2);
    for target in [Target::DuckDb, Target::Trino] {
        let (out, _) = emitted(&sql, target);
        assert!(
            out.len() < 20 * sql.len() + 10_000,
            "{}: {} bytes of SQL from {} bytes",
            target.name(),
            out.len(),
            sql.len()
        );
    }
}

/// Finding 1 of docs/testing.md (fuzz target `structured`, an out-of-memory
/// after 288 executions): Teradata emission inlined every reference to a CTE
/// with a copy of it, and copied each CTE into every later one first, so a
/// model of 18 CTEs each joining the one before to itself (1 KB of SQL)
/// emitted 2^17 copies of the first (7.5 GB, 19 s), and a plain chain of 800
/// CTEs cost 3 GB and 54 s. Now the work is the size of the SQL written, and
/// beyond 1 MiB of copies (or copies nested deeper than meshc parses) the
/// model is refused on teradata with MESH4001 instead.
#[test]
fn teradata_cte_inlining_is_bounded() {
    // A chain reading the previous CTE once: linear SQL (apart from the
    // indentation of the nested derived tables).
    let sql = cte_chain(200, 1);
    let (out, elapsed) = emitted(&sql, Target::Teradata);
    let words: usize = out.split_whitespace().map(str::len).sum();
    assert!(
        words < 20 * sql.len() + 10_000,
        "200 chained CTEs: {words} bytes of Teradata SQL (without blanks) from {} bytes in {elapsed:?}",
        sql.len()
    );
    // Doubling at every level, and a chain nested deeper than meshc parses:
    // refused quickly, naming the limit, on teradata only.
    for (n, reads, says) in [(18, 2, "KiB of SQL"), (300, 1, "nest more than 250")] {
        let sql = cte_chain(n, reads);
        let host = host(&sql);
        let start = std::time::Instant::now();
        let refusal = match host.plan(Target::Teradata, &[]) {
            Err(PlanError::Diagnostics(diagnostics)) => diagnostics,
            other => panic!("{n} CTEs reading the previous one {reads} times: {other:?}"),
        };
        let elapsed = start.elapsed();
        assert!(
            refusal
                .iter()
                .any(|d| d.code.as_str() == "MESH4001" && d.message.contains(says)),
            "{refusal:?}"
        );
        assert!(
            elapsed.as_secs() < 10,
            "{n} CTEs took {elapsed:?} to refuse"
        );
        for target in [Target::DuckDb, Target::Trino] {
            let (out, _) = emitted(&sql, target);
            assert!(out.len() < 20 * sql.len() + 10_000, "{}", target.name());
        }
    }
}

/// A CTE is copied where it is defined: an inner WITH of the same name at the
/// place it is read does not capture its references.
#[test]
fn teradata_inlined_ctes_keep_their_scope() {
    let sql = "with a as (select x from raw_orders where x > 1), \
               b as (select x from a) \
               select q.x from (with a as (select x from raw_orders where x < 0) select x from b) q";
    let (out, _) = emitted(sql, Target::Teradata);
    let normalized = out.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(normalized.contains("> 1"), "{out}");
    assert!(
        !normalized.contains("< 0"),
        "the unused inner CTE is gone: {out}"
    );
    assert!(!normalized.to_uppercase().contains("WITH "), "{out}");
}

/// Finding 2 of docs/testing.md (fuzz target `yaml`): the YAML parser counts
/// a lone carriage return as a line break and the line index did not, so the
/// range of every diagnostic after one pointed at the wrong bytes (or past
/// the end of the file).
#[test]
fn yaml_ranges_survive_lone_carriage_returns() {
    let mut host = AnalysisHost::new();
    let mut change = Change::default();
    change.set_file("mesh.yaml", "name: fuzz\rdomains: [orders]\r");
    let domain = "name: orders\rowner: t\r\rversion: not-a-version\r";
    change.set_file("orders/domain.yaml", domain);
    change.load_diagnostics = Some(Vec::new());
    host.apply_change(change);
    let diagnostics = host.check();
    let bad = diagnostics
        .iter()
        .find(|d| &*d.file == "orders/domain.yaml")
        .unwrap_or_else(|| panic!("no diagnostic on the domain: {diagnostics:?}"));
    let range = bad.range.start as usize..bad.range.end as usize;
    assert_eq!(domain.get(range), Some("not-a-version"), "{bad:?}");
}
