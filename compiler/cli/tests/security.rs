//! What a contract, a model or a `meshc query` cannot make the engine do
//! (docs/security.md): quality rules and ad-hoc queries are exactly one query
//! parsed and printed by meshc; `query` and `test` open the database
//! read-only without file, network or extension access.

mod example;

use std::path::Path;

use example::{copy, example, meshc, query_csv};

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn edit(path: &Path, from: &str, to: &str) {
    let before = std::fs::read_to_string(path).expect("file");
    let after = before.replacen(from, to, 1);
    assert_ne!(before, after, "{} has no `{from}`", path.display());
    std::fs::write(path, after).expect("write");
}

/// A built copy of the example.
fn built() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    copy(&example(), dir.path());
    let run = meshc(dir.path(), &["run", "-q"]);
    assert!(run.status.success(), "{}", text(&run.stderr));
    dir
}

const WRAPPER_ESCAPE: &str = "query: \"SELECT 0) AS DOUBLE) AS v; DROP SCHEMA customers CASCADE; COPY (SELECT 1) TO '{out}'; SELECT CAST((SELECT COUNT(*) FROM {object}\"";

#[test]
fn a_rule_that_escapes_its_wrapper_runs_nothing() {
    let dir = built();
    let out = dir.path().join("escaped.csv");
    let attack = WRAPPER_ESCAPE.replace("{out}", &out.display().to_string());
    edit(
        &dir.path().join("payments/contracts/stg_payments.yaml"),
        "query: SELECT COUNT(*) FROM {object} WHERE amount < 0",
        &attack,
    );
    for command in [&["check"][..], &["run"], &["test"]] {
        let output = meshc(dir.path(), command);
        let stderr = text(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{command:?}: {stderr}");
        assert!(stderr.contains("MESH1008"), "{command:?}: {stderr}");
    }
    assert!(!out.exists(), "a rule wrote a file");
    // The other domain's schema is intact.
    let rows = query_csv(
        dir.path(),
        "select count(*) as n from customers.stg_customers",
    );
    assert_eq!(rows, "n\n100\n");
}

#[test]
fn a_rule_reads_only_what_a_model_of_its_domain_may_read() {
    let dir = tempfile::tempdir().expect("temp dir");
    copy(&example(), dir.path());
    let contract = dir.path().join("payments/contracts/stg_payments.yaml");
    let rule = "query: SELECT COUNT(*) FROM {object} WHERE amount < 0";
    for (query, code) in [
        (
            "query: SELECT COUNT(*) FROM insights.customer_orders",
            "MESH2003",
        ),
        (
            "query: SELECT COUNT(*) FROM read_text('/etc/passwd')",
            "MESH3011",
        ),
        (
            "query: SELECT length(read_text_file('/etc/passwd')) FROM {object}",
            "MESH3006",
        ),
    ] {
        edit(&contract, rule, query);
        let check = meshc(dir.path(), &["check"]);
        let stderr = text(&check.stderr);
        assert_eq!(check.status.code(), Some(1), "{stderr}");
        assert!(stderr.contains(code), "{query}: {stderr}");
        assert!(stderr.contains("stg_payments.yaml:"), "{stderr}");
        edit(&contract, query, rule);
    }
}

#[test]
fn meshc_query_runs_one_read_only_query() {
    let dir = built();
    let before = query_csv(dir.path(), "select count(*) as n from orders.stg_orders");
    let other = dir.path().join("other.duckdb");
    let copied = dir.path().join("copied.csv");
    for sql in [
        format!("ATTACH '{}' AS other (READ_WRITE)", other.display()),
        "DETACH jaffle_mesh".to_string(),
        "USE orders".to_string(),
        format!("COPY (SELECT 1) TO '{}'", copied.display()),
        format!("EXPORT DATABASE '{}'", dir.path().join("export").display()),
        "INSTALL httpfs".to_string(),
        "LOAD httpfs".to_string(),
        "SET enable_external_access = true".to_string(),
        "DELETE FROM orders.stg_orders".to_string(),
        "select 1; DELETE FROM orders.stg_orders".to_string(),
        "select 1 /* ; */; DELETE FROM orders.stg_orders".to_string(),
    ] {
        let output = meshc(dir.path(), &["query", &sql]);
        let stderr = text(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{sql}: {stderr}");
        assert!(stderr.contains("MESH01"), "{sql}: {stderr}");
    }
    assert!(!other.exists() && !copied.exists());
    // Queries cannot reach files or the network.
    for sql in [
        "select * from read_text('/etc/passwd')",
        "select * from read_csv('/etc/passwd')",
        "select * from glob('/etc/*')",
    ] {
        let output = meshc(dir.path(), &["query", sql]);
        let stderr = text(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{sql}: {stderr}");
        assert!(!text(&output.stdout).contains("root"), "{sql}");
    }
    assert_eq!(
        query_csv(dir.path(), "select count(*) as n from orders.stg_orders"),
        before
    );
}

#[test]
fn meshc_query_streams_and_limits_the_table() {
    let dir = built();
    let table = meshc(dir.path(), &["query", "select * from range(5000) as t(i)"]);
    assert!(table.status.success());
    let stdout = text(&table.stdout);
    assert!(stdout.ends_with("(1000 rows)\n"), "{stdout}");
    assert!(text(&table.stderr).contains("--limit"));
    let limited = meshc(
        dir.path(),
        &["query", "--limit", "3", "select * from range(10) as t(i)"],
    );
    assert!(text(&limited.stdout).ends_with("(3 rows)\n"));
    let csv = query_csv(dir.path(), "select * from range(5000) as t(i)");
    assert_eq!(csv.lines().count(), 5001);
    let json = meshc(
        dir.path(),
        &[
            "query",
            "--format",
            "json",
            "select i from range(3) as t(i)",
        ],
    );
    let value: serde_json::Value = serde_json::from_slice(&json.stdout).expect("valid JSON");
    assert_eq!(value, serde_json::json!([{"i": 0}, {"i": 1}, {"i": 2}]));
}

#[test]
fn models_cannot_read_files_or_call_engine_functions() {
    let dir = tempfile::tempdir().expect("temp dir");
    copy(&example(), dir.path());
    let model = dir.path().join("orders/models/stg_orders.sql");
    let original = std::fs::read_to_string(&model).expect("model");
    for (sql, code) in [
        ("select * from read_csv('/etc/passwd')", "MESH3011"),
        ("select * from read_parquet('/tmp/*.parquet')", "MESH3011"),
        ("select * from glob('/etc/*')", "MESH3011"),
        ("select read_text_file('/etc/passwd') as t", "MESH3006"),
        ("select 1 as x; copy (select 1) to '/tmp/x.csv'", "MESH0102"),
    ] {
        std::fs::write(&model, sql).expect("write model");
        let check = meshc(dir.path(), &["check"]);
        let stderr = text(&check.stderr);
        assert_eq!(check.status.code(), Some(1), "{sql}: {stderr}");
        assert!(stderr.contains(code), "{sql}: {stderr}");
    }
    std::fs::write(&model, original).expect("restore");
}
