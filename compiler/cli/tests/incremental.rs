//! Incremental models on embedded DuckDB: the first run builds the table, a
//! later run merges only the rows above the table's `updated_at` maximum,
//! replacing rows with the same `unique_key`, and gives the rows a full
//! refresh gives; a run that cannot merge keeps the previous rows; the
//! settings are checked against the model's columns. The same on a real
//! Trino (see trino_run.rs), where the sources are PostgreSQL tables.

#[path = "../../trino/tests/common/mod.rs"]
mod trino;

mod example;

use std::path::Path;

use example::{copy, example, meshc, query_csv};

/// The jaffle example plus `orders.order_history`, incremental on
/// `order_id` by `order_date`, read straight from the raw orders.
fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    copy(&example(), dir.path());
    let domain = dir.path().join("orders/domain.yaml");
    let mut text = std::fs::read_to_string(&domain).expect("domain.yaml");
    text.push_str(
        "  order_history:\n    description: Every order seen so far, with its latest status.\n    materialization: incremental\n    incremental:\n      unique_key: [order_id]\n      updated_at: order_date\n",
    );
    std::fs::write(&domain, text).expect("write domain.yaml");
    std::fs::write(
        dir.path().join("orders/models/order_history.sql"),
        "select\n    id as order_id,\n    user_id as customer_id,\n    order_date,\n    status\nfrom raw_orders\n",
    )
    .expect("write model");
    dir
}

fn run(workspace: &Path, extra: &[&str]) -> (bool, String) {
    let mut args = vec!["run", "--select", "orders.order_history"];
    args.extend_from_slice(extra);
    let output = meshc(workspace, &args);
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn append_orders(workspace: &Path, lines: &str) {
    let path = workspace.join("orders/data/raw_orders.csv");
    let mut text = std::fs::read_to_string(&path).expect("raw orders");
    text.push_str(lines);
    std::fs::write(&path, text).expect("write raw orders");
}

fn history(workspace: &Path) -> String {
    query_csv(
        workspace,
        "select * from orders.order_history order by order_id, order_date",
    )
}

#[test]
fn a_second_run_merges_only_the_new_rows_and_equals_a_full_refresh() {
    let dir = workspace();
    let workspace = dir.path();
    let (ok, stderr) = run(workspace, &[]);
    assert!(ok, "{stderr}");
    assert!(
        stderr.contains("OK      model orders.order_history") && stderr.contains("99 rows)"),
        "the first run builds the whole table: {stderr}"
    );
    // Nothing new: nothing merged.
    let (ok, stderr) = run(workspace, &[]);
    assert!(ok, "{stderr}");
    assert!(stderr.contains("0 new rows merged, 99 rows"), "{stderr}");

    append_orders(
        workspace,
        "100,7,2018-04-10,placed\n101,12,2018-04-11,shipped\n",
    );
    let (ok, stderr) = run(workspace, &[]);
    assert!(ok, "{stderr}");
    assert!(stderr.contains("2 new rows merged, 101 rows"), "{stderr}");
    let merged = history(workspace);
    assert!(merged.contains("\n101,12,2018-04-11,shipped\n"), "{merged}");

    let (ok, stderr) = run(workspace, &["--full-refresh"]);
    assert!(ok, "{stderr}");
    assert!(
        !stderr.contains("merged"),
        "a full refresh rebuilds: {stderr}"
    );
    assert_eq!(history(workspace), merged);
}

#[test]
fn a_newer_row_replaces_the_row_with_its_key() {
    let dir = workspace();
    let workspace = dir.path();
    let (ok, stderr) = run(workspace, &[]);
    assert!(ok, "{stderr}");
    let before = query_csv(
        workspace,
        "select status from orders.order_history where order_id = 5",
    );
    assert_eq!(before, "status\ncompleted\n");
    // Order 5 again, later and returned; an older row (before the table's
    // maximum date) is not new and is left out.
    append_orders(
        workspace,
        "5,64,2018-04-12,returned\n102,3,2018-01-01,placed\n",
    );
    let (ok, stderr) = run(workspace, &[]);
    assert!(ok, "{stderr}");
    assert!(stderr.contains("1 new rows merged, 99 rows"), "{stderr}");
    let after = query_csv(
        workspace,
        "select status, order_date from orders.order_history where order_id in (5, 102)",
    );
    assert_eq!(after, "status,order_date\nreturned,2018-04-12\n");
}

#[test]
fn a_changed_shape_fails_keeps_the_rows_and_asks_for_a_full_refresh() {
    let dir = workspace();
    let workspace = dir.path();
    let (ok, stderr) = run(workspace, &[]);
    assert!(ok, "{stderr}");
    let before = history(workspace);
    let model = workspace.join("orders/models/order_history.sql");
    let text = std::fs::read_to_string(&model).expect("model");
    std::fs::write(&model, text.replace(",\n    status\n", "\n")).expect("write model");
    let (ok, stderr) = run(workspace, &[]);
    assert!(!ok, "{stderr}");
    assert!(
        stderr.contains("MESH5002") && stderr.contains("--full-refresh"),
        "{stderr}"
    );
    assert_eq!(history(workspace), before, "the previous rows stay");
    let (ok, stderr) = run(workspace, &["--full-refresh"]);
    assert!(ok, "{stderr}");
    assert_eq!(
        query_csv(workspace, "select count(*) as n from orders.order_history"),
        "n\n99\n"
    );
}

#[test]
fn settings_are_checked_against_the_model() {
    let dir = workspace();
    let workspace = dir.path();
    let domain = workspace.join("orders/domain.yaml");
    let text = std::fs::read_to_string(&domain).expect("domain.yaml");
    std::fs::write(
        &domain,
        text.replace("unique_key: [order_id]", "unique_key: [orderid]"),
    )
    .expect("write");
    let check = meshc(workspace, &["check", "--format", "short"]);
    let stdout = String::from_utf8_lossy(&check.stdout);
    assert!(!check.status.success());
    assert!(
        stdout.contains("orders/domain.yaml:13:20: error[MESH2007] `unique_key` of incremental model `order_history` names `orderid`, which is not one of its output columns"),
        "{stdout}"
    );
    let check = meshc(workspace, &["check"]);
    assert!(
        String::from_utf8_lossy(&check.stderr).contains("did you mean `order_id`?"),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );

    std::fs::write(
        &domain,
        text.replace("materialization: incremental", "materialization: view"),
    )
    .expect("write");
    let check = meshc(workspace, &["check", "--format", "short"]);
    let stdout = String::from_utf8_lossy(&check.stdout);
    assert!(
        stdout.contains("error[MESH0202] `incremental:` settings on model `order_history`, which is materialized as a view"),
        "{stdout}"
    );

    let without = text.replace(
        "    incremental:\n      unique_key: [order_id]\n      updated_at: order_date\n",
        "",
    );
    std::fs::write(&domain, without).expect("write");
    let check = meshc(workspace, &["check", "--format", "short"]);
    let stdout = String::from_utf8_lossy(&check.stdout);
    assert!(
        stdout.contains(
            "error[MESH0202] model `order_history` is incremental but has no `incremental:` settings"
        ),
        "{stdout}"
    );
}

#[test]
fn build_writes_the_merge_for_every_target() {
    let dir = workspace();
    let workspace = dir.path();
    for target in ["duckdb", "trino", "teradata"] {
        let output = meshc(workspace, &["build", "--target", target]);
        assert!(
            output.status.success(),
            "{target}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let merge = workspace
            .join("target")
            .join(target)
            .join("orders/order_history.merge.sql");
        let text =
            std::fs::read_to_string(&merge).unwrap_or_else(|e| panic!("{}: {e}", merge.display()));
        assert!(text.contains("max(\"order_date\")"), "{target}: {text}");
        assert!(text.contains("\"order_id\" IS NULL"), "{target}: {text}");
    }
}

#[test]
fn on_trino_a_second_run_merges_only_the_new_rows() {
    let Some(server) = trino::server() else {
        return;
    };
    let client = server.client();
    let sql = |statement: &str| {
        client
            .execute(statement, None, None)
            .unwrap_or_else(|e| panic!("{statement}: {e}"))
    };
    // Rows a failed earlier run against the same server may have left.
    sql("DELETE FROM ordersdb.public.raw_orders WHERE id >= 1000");
    let dir = workspace();
    let workspace = dir.path();
    let on_trino = |extra: &[&str]| {
        let mut args = vec!["--target", "trino", "--trino-url", server.url()];
        args.extend_from_slice(extra);
        run(workspace, &args)
    };
    let (ok, stderr) = on_trino(&["--full-refresh"]);
    assert!(ok, "{stderr}");
    assert!(
        stderr.contains("orders.order_history") && stderr.contains("99 rows)"),
        "{stderr}"
    );
    let (ok, stderr) = on_trino(&[]);
    assert!(ok, "{stderr}");
    assert!(stderr.contains("0 new rows merged, 99 rows"), "{stderr}");

    sql(
        "INSERT INTO ordersdb.public.raw_orders VALUES (1000, 7, DATE '2018-04-10', 'placed'), (1001, 12, DATE '2018-04-11', 'shipped')",
    );
    let read = || {
        sql("SELECT order_id, customer_id, CAST(order_date AS VARCHAR), status FROM insights.orders.order_history ORDER BY order_id")
            .rows
    };
    let (ok, stderr) = on_trino(&[]);
    assert!(ok, "{stderr}");
    assert!(stderr.contains("2 new rows merged, 101 rows"), "{stderr}");
    let merged = read();
    assert_eq!(merged.len(), 101);
    assert_eq!(
        merged.last().map(|row| row[3].clone()),
        Some(serde_json::Value::from("shipped"))
    );
    let (ok, stderr) = on_trino(&["--full-refresh"]);
    assert!(ok, "{stderr}");
    assert_eq!(read(), merged, "the merge equals a full refresh");
    sql("DELETE FROM ordersdb.public.raw_orders WHERE id >= 1000");
    let left = sql(
        "SELECT table_name FROM insights.information_schema.tables WHERE table_name LIKE '%meshc%'",
    )
    .rows;
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn a_rule_that_fails_to_run_during_a_merge_makes_the_product_invalid() {
    let dir = workspace();
    let workspace = dir.path();
    // Published, with a rule whose query converts a status to a number: it
    // checks clean and fails on the first row when run.
    std::fs::write(
        workspace.join("orders/contracts/order_history.yaml"),
        "apiVersion: v3.1.0\nkind: DataContract\nid: orders.order_history\nname: order_history\nversion: 1.0.0\nstatus: active\ndomain: orders\ndataProduct: order_history\nschema:\n  - name: order_history\n    logicalType: object\n    quality:\n      - name: numeric_status\n        type: sql\n        query: SELECT COUNT(*) FROM {object} WHERE CAST(status AS INTEGER) > 0\n        mustBe: 0\n        severity: error\n      - name: not_empty\n        type: library\n        metric: rowCount\n        mustBeGreaterThan: 0\n        severity: error\n    properties:\n      - { name: order_id, logicalType: integer, physicalType: INTEGER, required: true }\n      - { name: customer_id, logicalType: integer, physicalType: INTEGER, required: true }\n      - { name: order_date, logicalType: date, physicalType: DATE, required: true }\n      - { name: status, logicalType: string, physicalType: VARCHAR, required: true }\n",
    )
    .expect("write contract");
    let check = meshc(workspace, &["check"]);
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    // The first run builds in full and is INVALID (the rule could not run):
    // allow it, so that the table exists.
    let (_, stderr) = run(workspace, &["--allow-invalid"]);
    assert!(
        stderr.contains("INVALID model orders.order_history"),
        "{stderr}"
    );
    let before = history(workspace);
    append_orders(workspace, "100,7,2018-04-10,placed\n");
    let (ok, stderr) = run(workspace, &[]);
    assert!(!ok, "{stderr}");
    assert!(
        stderr.contains("INVALID model orders.order_history")
            && stderr.contains("rule numeric_status could not be checked"),
        "{stderr}"
    );
    assert!(
        stderr.contains("not checked: the query of rule numeric_status failed"),
        "the rules after it say why they did not run: {stderr}"
    );
    assert!(!stderr.contains("TransactionContext"), "{stderr}");
    assert_eq!(history(workspace), before, "the merge was rolled back");
}
