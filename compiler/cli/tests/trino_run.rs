//! `meshc run --target trino` on a real Trino 476 (scripts/setup-trino.sh),
//! started with the dbt-trino jaffle topology by scripts/trino-server.sh: one
//! PostgreSQL database per source domain behind catalogs `customersdb`,
//! `ordersdb` and `paymentsdb`, and the memory catalog `insights` for the
//! outputs — exactly what `targets.trino` of projects/jaffle_mesh/mesh.yaml
//! describes.
//!
//! Skipped loudly when Trino is not installed, unless `CI=true` or
//! `MESHC_REQUIRE_TRINO=1` (then it fails).

#[path = "../../trino/tests/common/mod.rs"]
mod trino;

mod example;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Mutex;

use example::{copy, example, meshc};
use serde_json::Value;

/// The tests share the server's one output catalog: one at a time.
static CATALOG: Mutex<()> = Mutex::new(());

/// Every model of the example, as `domain.model`.
const MODELS: [&str; 8] = [
    "customers.stg_customers",
    "orders.stg_orders",
    "payments.stg_payments",
    "insights.customer_orders",
    "insights.customer_payments",
    "insights.order_payments",
    "insights.dim_customers",
    "insights.fct_orders",
];

fn copy_example() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    copy(&example(), dir.path());
    dir
}

fn run_on_trino(workspace: &Path, url: &str) -> (bool, String) {
    let output = meshc(
        workspace,
        &[
            "run",
            "--target",
            "trino",
            "--trino-url",
            url,
            "--threads",
            "2",
        ],
    );
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// One cell as text both engines agree on: numbers by value (Trino sends
/// DECIMAL as a string, DuckDB's JSON as a number), NULL as `NULL`.
fn cell(value: &Value, decimal: bool) -> String {
    match value {
        Value::Null => "NULL".to_string(),
        Value::Number(n) => format!("{}", n.as_f64().unwrap_or(f64::NAN)),
        Value::String(s) if decimal => match s.parse::<f64>() {
            Ok(v) => format!("{v}"),
            Err(_) => s.clone(),
        },
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The rows of `domain.model` on Trino, sorted, with the column names.
fn trino_rows(server: &trino::TrinoServer, model: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let (domain, name) = model.split_once('.').expect("domain.model");
    let result = server
        .client()
        .execute(
            &format!("SELECT * FROM insights.{domain}.{name}"),
            None,
            None,
        )
        .unwrap_or_else(|e| panic!("{model} on Trino: {e}"));
    let decimal: Vec<bool> = result
        .columns
        .iter()
        .map(|c| c.type_name.starts_with("decimal"))
        .collect();
    let mut rows: Vec<Vec<String>> = result
        .rows
        .iter()
        .map(|row| row.iter().zip(&decimal).map(|(v, d)| cell(v, *d)).collect())
        .collect();
    rows.sort();
    let columns = result.columns.into_iter().map(|c| c.name).collect();
    (columns, rows)
}

/// The rows of `domain.model` in the DuckDB database, in `columns` order, sorted.
fn duckdb_rows(workspace: &Path, model: &str, columns: &[String]) -> Vec<Vec<String>> {
    let output = meshc(
        workspace,
        &[
            "query",
            "--format",
            "json",
            &format!("select * from {model}"),
        ],
    );
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let rows: Vec<BTreeMap<String, Value>> =
        serde_json::from_slice(&output.stdout).expect("meshc query prints JSON");
    let mut rows: Vec<Vec<String>> = rows
        .iter()
        .map(|row| {
            assert_eq!(row.len(), columns.len(), "{model}: columns differ");
            columns
                .iter()
                .map(|c| {
                    let value = row
                        .get(c)
                        .unwrap_or_else(|| panic!("{model}: DuckDB has no column {c}"));
                    cell(value, false)
                })
                .collect()
        })
        .collect();
    rows.sort();
    rows
}

/// Tables and views of the output catalog whose name marks a temporary.
fn temporaries(server: &trino::TrinoServer) -> Vec<Value> {
    server
        .client()
        .execute(
            "SELECT table_schema, table_name FROM insights.information_schema.tables WHERE table_name LIKE '%meshc%'",
            None,
            None,
        )
        .expect("information_schema")
        .rows
        .into_iter()
        .flatten()
        .collect()
}

#[test]
fn jaffle_mesh_on_trino_has_the_rows_of_duckdb() {
    let Some(server) = trino::server() else {
        return;
    };
    let _one = CATALOG.lock().unwrap_or_else(|e| e.into_inner());
    let dir = copy_example();
    let workspace = dir.path();
    let duckdb = meshc(workspace, &["run", "-q"]);
    assert!(
        duckdb.status.success(),
        "{}",
        String::from_utf8_lossy(&duckdb.stderr)
    );
    // Twice: the second run replaces every object the first one made.
    for round in 1..=2 {
        let (ok, stderr) = run_on_trino(workspace, server.url());
        assert!(ok, "round {round}: {stderr}");
        assert!(
            stderr.contains("8 succeeded, 0 failed, 0 skipped"),
            "round {round}: {stderr}"
        );
        assert!(stderr.contains("on Trino ("), "{stderr}");
    }
    let mut compared = 0;
    for model in MODELS {
        let (columns, on_trino) = trino_rows(server, model);
        let on_duckdb = duckdb_rows(workspace, model, &columns);
        assert!(!on_trino.is_empty(), "{model} is empty on Trino");
        assert_eq!(on_trino, on_duckdb, "{model}: Trino and DuckDB differ");
        compared += on_trino.len();
    }
    // 100 customers, 99 orders, 113 payments, 62 + 62 + 99 + 100 + 99.
    assert_eq!(compared, 734);
    assert!(temporaries(server).is_empty(), "{:?}", temporaries(server));
    // The build wrote the statements it ran.
    assert!(workspace.join("target/trino/run.sql").is_file());
}

#[test]
fn a_model_that_fails_on_trino_keeps_its_previous_version() {
    let Some(server) = trino::server() else {
        return;
    };
    let _one = CATALOG.lock().unwrap_or_else(|e| e.into_inner());
    let dir = copy_example();
    let workspace = dir.path();
    let (ok, stderr) = run_on_trino(workspace, server.url());
    assert!(ok, "{stderr}");
    let (_, customers_before) = trino_rows(server, "customers.stg_customers");
    let (_, orders_before) = trino_rows(server, "insights.customer_orders");

    // Both check clean (an integer stays an integer) and fail only when Trino
    // evaluates them: a view (read in full before it replaces the old one)
    // and a table.
    let break_key = |file: &str, from: &str, to: &str| {
        let path = workspace.join(file);
        let text = std::fs::read_to_string(&path).expect("model");
        assert!(text.contains(from), "{file} changed; update the test");
        std::fs::write(&path, text.replacen(from, to, 1)).expect("write model");
    };
    break_key(
        "customers/models/stg_customers.sql",
        "id as customer_id",
        "cast(cast(id as varchar) || 'x' as integer) as customer_id",
    );
    break_key(
        "insights/models/customer_orders.sql",
        "    customer_id,",
        "    cast(cast(customer_id as varchar) || 'x' as integer) as customer_id,",
    );
    let check = meshc(workspace, &["check"]);
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    let (ok, stderr) = run_on_trino(workspace, server.url());
    assert!(!ok, "{stderr}");
    assert!(
        stderr.contains("MESH5002")
            && stderr.contains("INVALID_CAST_ARGUMENT: Cannot cast '1x' to INT"),
        "{stderr}"
    );
    assert!(
        stderr.contains("customers/models/stg_customers.sql")
            && stderr.contains("insights/models/customer_orders.sql"),
        "failures point at the models: {stderr}"
    );
    assert!(
        stderr.contains("SKIPPED model insights.dim_customers"),
        "{stderr}"
    );
    assert!(
        stderr.contains("4 succeeded, 2 failed, 2 skipped"),
        "{stderr}"
    );
    assert_eq!(
        trino_rows(server, "customers.stg_customers").1,
        customers_before
    );
    assert_eq!(
        trino_rows(server, "insights.customer_orders").1,
        orders_before
    );
    assert!(temporaries(server).is_empty(), "{:?}", temporaries(server));
}

#[test]
fn without_a_server_the_run_says_where_it_looked() {
    let _one = CATALOG.lock().unwrap_or_else(|e| e.into_inner());
    let dir = copy_example();
    // A loopback port nothing listens on.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    drop(listener);
    let (ok, stderr) = run_on_trino(dir.path(), &url);
    assert!(!ok);
    assert!(
        stderr.contains("MESH5007") && stderr.contains("cannot reach Trino"),
        "{stderr}"
    );
    assert!(stderr.contains(&url), "{stderr}");
    assert!(stderr.contains("--trino-url"), "{stderr}");
}

#[test]
fn ctrl_c_cancels_the_statements_on_trino_and_keeps_the_previous_version() {
    let Some(server) = trino::server() else {
        return;
    };
    let _one = CATALOG.lock().unwrap_or_else(|e| e.into_inner());
    let dir = copy_example();
    let workspace = dir.path();
    // 113^4 = 163 million rows to count: long enough to be stopped.
    let slow = workspace.join("insights/models/slow_count.sql");
    std::fs::write(&slow, "select 1 as n\n").expect("write model");
    let (ok, stderr) = run_on_trino(workspace, server.url());
    assert!(ok, "{stderr}");
    std::fs::write(
        &slow,
        "select count(*) as n\nfrom payments.stg_payments as a\ncross join payments.stg_payments as b\ncross join payments.stg_payments as c\ncross join payments.stg_payments as d\n",
    )
    .expect("write model");

    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_meshc"))
        .args(["run", "--target", "trino", "--trino-url", server.url()])
        .args([
            "--select",
            "insights.slow_count",
            "--color=never",
            "--workspace",
        ])
        .arg(workspace)
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("meshc starts");
    // Until Trino runs the statement that builds the new version.
    let running = "SELECT query_id FROM system.runtime.queries WHERE state = 'RUNNING' AND query LIKE '%slow_count__meshc_new%' AND query NOT LIKE '%system.runtime%'";
    let started = std::time::Instant::now();
    let query_id = loop {
        let rows = server
            .client()
            .execute(running, None, None)
            .expect("system.runtime.queries")
            .rows;
        if let Some(Value::String(id)) = rows.first().and_then(|r| r.first()) {
            break id.clone();
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(60),
            "the slow statement never ran"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    };
    let pid = i32::try_from(child.id()).expect("pid");
    // SAFETY: kill(2) on our own child process; no memory is involved.
    unsafe { libc::kill(pid, libc::SIGINT) };
    let stopped = std::time::Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        assert!(
            stopped.elapsed() < std::time::Duration::from_secs(30),
            "meshc did not stop after SIGINT"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().expect("stderr"), &mut stderr)
        .expect("read stderr");
    assert_eq!(status.code(), Some(130), "{stderr}");
    assert!(stderr.contains("MESH5010"), "{stderr}");
    assert!(stderr.contains("stopped by SIGINT"), "{stderr}");
    // Trino was told to stop it: the query ends without finishing.
    let state = format!("SELECT state FROM system.runtime.queries WHERE query_id = '{query_id}'");
    let settled = std::time::Instant::now();
    loop {
        let rows = server
            .client()
            .execute(&state, None, None)
            .expect("state")
            .rows;
        let state = rows.first().and_then(|r| r.first()).cloned();
        if state == Some(Value::from("FAILED")) {
            break;
        }
        assert!(
            settled.elapsed() < std::time::Duration::from_secs(20),
            "query {query_id} is still {state:?}"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    // The previous version stays, and nothing temporary is left.
    assert_eq!(
        trino_rows(server, "insights.slow_count").1,
        vec![vec!["1".to_string()]]
    );
    assert!(temporaries(server).is_empty(), "{:?}", temporaries(server));
}
