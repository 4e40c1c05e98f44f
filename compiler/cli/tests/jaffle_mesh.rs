//! End to end on the jaffle_mesh example: `meshc run` on embedded DuckDB must
//! reproduce the specified rows exactly, and a failing run must keep the
//! previous data.

mod example;

use example::{copy, example, expected, meshc, query_csv};

/// Copies the example (without its target/) into a fresh directory.
fn copy_example() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    copy(&example(), dir.path());
    dir
}

#[test]
fn run_reproduces_the_specified_rows_and_keeps_data_on_failure() {
    let dir = copy_example();
    let workspace = dir.path();
    let run = meshc(workspace, &["run", "--threads", "2"]);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "{stderr}");
    assert!(
        stderr.contains("11 succeeded, 0 failed, 0 skipped"),
        "{stderr}"
    );

    let dim = query_csv(
        workspace,
        "select * from insights.dim_customers order by customer_id",
    );
    assert_eq!(dim, expected("dim_customers.csv"));
    assert!(dim.contains("\n1,2018-01-01,2018-02-10,2,33\n"), "{dim}");
    assert!(
        dim.contains("\n4,,,,\n"),
        "customers without orders keep NULLs: {dim}"
    );
    let fct = query_csv(
        workspace,
        "select * from insights.fct_orders order by order_id",
    );
    assert_eq!(fct, expected("fct_orders.csv"));

    // Integer division stays integral and sums are BIGINT, as in the specification.
    let types = query_csv(
        workspace,
        "select typeof(amount) as a, (select typeof(customer_lifetime_value) from insights.dim_customers limit 1) as b \
         from payments.stg_payments limit 1",
    );
    assert_eq!(types, "a,b\nINTEGER,BIGINT\n");

    let results: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(workspace.join("target/run_results.json")).expect("run results"),
    )
    .expect("json");
    let dim_result = results["results"]
        .as_array()
        .expect("results array")
        .iter()
        .find(|r| r["id"] == "insights.dim_customers")
        .expect("dim_customers result");
    assert_eq!(dim_result["status"], "success");
    assert_eq!(dim_result["rows"], 100);

    // Break customer_orders at run time (a cast that type-checks but fails on
    // the data): it fails, its consumers are skipped, and yesterday's rows stay.
    let model = workspace.join("insights/models/customer_orders.sql");
    let sql = std::fs::read_to_string(&model).expect("model");
    let broken = sql.replacen(
        "customer_id,",
        "customer_id,\n    cast(min(status) as integer) as broken,",
        1,
    );
    assert_ne!(broken, sql);
    std::fs::write(&model, broken).expect("write model");
    let check = meshc(workspace, &["check"]);
    assert!(
        check.status.success(),
        "the break must pass the checker: {}",
        String::from_utf8_lossy(&check.stderr)
    );
    let failed = meshc(workspace, &["run"]);
    let stderr = String::from_utf8_lossy(&failed.stderr);
    assert_eq!(failed.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("MESH5002"), "{stderr}");
    // dim_customers is skipped, and so is fct_orders, whose relationship
    // check reads dim_customers.
    assert!(stderr.contains("1 failed, 2 skipped"), "{stderr}");
    assert_eq!(
        query_csv(
            workspace,
            "select * from insights.dim_customers order by customer_id"
        ),
        expected("dim_customers.csv")
    );
    let count = query_csv(
        workspace,
        "select count(*) as n from insights.customer_orders",
    );
    assert_eq!(count, "n\n62\n");
}

#[test]
fn check_exit_codes() {
    let dir = copy_example();
    let workspace = dir.path();
    assert_eq!(meshc(workspace, &["check"]).status.code(), Some(0));
    std::fs::write(
        workspace.join("orders/models/stg_orders.sql"),
        "select nope from raw_orders",
    )
    .expect("write");
    let output = meshc(workspace, &["check", "--format", "json"]);
    assert_eq!(output.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json diagnostics");
    let codes: Vec<&str> = json
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|d| d["code"].as_str())
        .collect();
    // The contract columns the model no longer outputs, the column it outputs
    // instead, and the unknown column itself.
    assert_eq!(
        codes,
        vec![
            "MESH1001", "MESH1001", "MESH1001", "MESH1001", "MESH1002", "MESH2007"
        ]
    );
    let unknown = &json[5];
    assert_eq!(unknown["file"], "orders/models/stg_orders.sql");
    assert_eq!(
        (unknown["line"].as_u64(), unknown["column"].as_u64()),
        (Some(1), Some(8))
    );
    assert_eq!(unknown["severity"], "error");
    let missing = meshc(&workspace.join("does-not-exist"), &["check"]);
    assert_eq!(missing.status.code(), Some(2));
}
