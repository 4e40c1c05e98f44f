//! `meshc run --target trino` on a real Trino 476 (scripts/setup-trino.sh),
//! started by scripts/trino-server.sh with the topology of two example meshes:
//! the dbt-trino jaffle layout (one PostgreSQL database per source domain
//! behind catalogs `customersdb`, `ordersdb` and `paymentsdb`, and the memory
//! catalog `insights` for the outputs) and the same for teddy_retailers
//! (`inventorydb`, `salesdb`, outputs in `teddy`) — exactly what `targets.trino`
//! of each project's mesh.yaml describes.
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

/// The tests share one server (and the jaffle tests its `insights` catalog):
/// one at a time.
static CATALOG: Mutex<()> = Mutex::new(());

/// An example mesh of projects/ and where its outputs go on the server.
struct Mesh {
    /// The directory under projects/.
    project: &'static str,
    /// `targets.trino.catalog` of its mesh.yaml.
    catalog: &'static str,
    /// Every model, as `domain.model`.
    models: &'static [&'static str],
}

const JAFFLE: Mesh = Mesh {
    project: "jaffle_mesh",
    catalog: "insights",
    models: &[
        "customers.stg_customers",
        "orders.stg_orders",
        "payments.stg_payments",
        "insights.customer_orders",
        "insights.customer_payments",
        "insights.order_payments",
        "insights.dim_customers",
        "insights.fct_orders",
    ],
};

const TEDDY: Mesh = Mesh {
    project: "teddy_retailers",
    catalog: "teddy",
    models: &[
        "inventory.stg_catalog",
        "inventory.stg_stock",
        "inventory.products",
        "inventory.stock_product",
        "sales.stg_customers",
        "sales.stg_orders",
        "sales.stg_order_products",
        "sales.order_summary",
        "sales.customer_summary",
        "finance.order_products_dates",
        "finance.orders_cost",
        "finance.orders_pl",
    ],
};

/// A copy of the mesh's project (without its target/) in a temp dir.
fn copy_project(mesh: &Mesh) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    // projects/jaffle_mesh, and its siblings.
    copy(&example().join("..").join(mesh.project), dir.path());
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

/// One cell as text both engines agree on: integers by value, other numbers
/// as the nearest double (Trino sends DECIMAL as a string, DuckDB's JSON as a
/// number), NULL as `NULL`; dates and text as sent (both send `2023-07-01`).
fn cell(value: &Value, decimal: bool) -> String {
    match value {
        Value::Null => "NULL".to_string(),
        Value::Number(n) => match n.as_i64() {
            Some(i) => i.to_string(),
            None => format!("{}", n.as_f64().unwrap_or(f64::NAN)),
        },
        Value::String(s) if decimal => match s.parse::<f64>() {
            Ok(v) => format!("{v}"),
            Err(_) => s.clone(),
        },
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// What one engine holds for a model: column names and types (upper case,
/// as DuckDB spells them), and the rows, sorted.
struct Table {
    columns: Vec<String>,
    types: Vec<String>,
    rows: Vec<Vec<String>>,
}

/// `domain.model` of the output catalog on Trino.
fn trino_rows(server: &trino::TrinoServer, catalog: &str, model: &str) -> Table {
    let (domain, name) = model.split_once('.').expect("domain.model");
    let result = server
        .client()
        .execute(
            &format!("SELECT * FROM {catalog}.{domain}.{name}"),
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
    Table {
        types: result
            .columns
            .iter()
            .map(|c| c.type_name.to_uppercase().replace(", ", ","))
            .collect(),
        columns: result.columns.into_iter().map(|c| c.name).collect(),
        rows,
    }
}

/// A `meshc query --format json` on the DuckDB database, which must succeed.
fn duckdb_query(workspace: &Path, sql: &str) -> Vec<BTreeMap<String, Value>> {
    let output = meshc(workspace, &["query", "--format", "json", sql]);
    assert!(
        output.status.success(),
        "{sql}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("meshc query prints JSON")
}

/// The column types of every table and view in the DuckDB database, by
/// `domain.model` and column (one query for all models).
fn duckdb_types(workspace: &Path) -> BTreeMap<(String, String), String> {
    let text = |row: &BTreeMap<String, Value>, key: &str| {
        row.get(key)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    duckdb_query(
        workspace,
        "select table_schema, table_name, column_name, data_type from information_schema.columns",
    )
    .iter()
    .map(|row| {
        let model = format!("{}.{}", text(row, "table_schema"), text(row, "table_name"));
        ((model, text(row, "column_name")), text(row, "data_type"))
    })
    .collect()
}

/// `domain.model` in the DuckDB database, its columns in `columns` order.
fn duckdb_rows(
    workspace: &Path,
    types: &BTreeMap<(String, String), String>,
    model: &str,
    columns: &[String],
) -> Table {
    let rows = duckdb_query(workspace, &format!("select * from {model}"));
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
    Table {
        types: columns
            .iter()
            .map(|c| {
                types
                    .get(&(model.to_string(), c.clone()))
                    .cloned()
                    .unwrap_or_default()
            })
            .collect(),
        columns: columns.to_vec(),
        rows,
    }
}

/// The rows of one sorted list that the other lacks (as multisets), at most
/// `limit` of them, and how many there are in all.
fn missing_from(rows: &[Vec<String>], other: &[Vec<String>], limit: usize) -> (usize, Vec<String>) {
    let (mut i, mut j, mut count, mut shown) = (0, 0, 0, Vec::new());
    while i < rows.len() {
        if j < other.len() && other[j] < rows[i] {
            j += 1;
        } else if j < other.len() && other[j] == rows[i] {
            i += 1;
            j += 1;
        } else {
            count += 1;
            if shown.len() < limit {
                shown.push(rows[i].join(" | "));
            }
            i += 1;
        }
    }
    (count, shown)
}

/// Compares every model of the mesh between Trino and DuckDB (column names,
/// types and every row) and returns the number of rows compared. A
/// difference names the model, the columns and the rows on either side only.
fn assert_trino_has_the_rows_of_duckdb(
    server: &trino::TrinoServer,
    mesh: &Mesh,
    workspace: &Path,
) -> usize {
    let mut compared = 0;
    let mut differences = Vec::new();
    let started = std::time::Instant::now();
    let mut reading_trino = std::time::Duration::ZERO;
    let types = duckdb_types(workspace);
    for model in mesh.models {
        let read = std::time::Instant::now();
        let on_trino = trino_rows(server, mesh.catalog, model);
        reading_trino += read.elapsed();
        let on_duckdb = duckdb_rows(workspace, &types, model, &on_trino.columns);
        assert!(!on_trino.rows.is_empty(), "{model} is empty on Trino");
        if on_trino.types != on_duckdb.types {
            differences.push(format!(
                "{model}: column types differ: {:?} on Trino, {:?} on DuckDB",
                on_trino
                    .columns
                    .iter()
                    .zip(&on_trino.types)
                    .collect::<Vec<_>>(),
                on_duckdb.types
            ));
        }
        if on_trino.rows != on_duckdb.rows {
            let (only_trino, trino_shown) = missing_from(&on_trino.rows, &on_duckdb.rows, 5);
            let (only_duckdb, duckdb_shown) = missing_from(&on_duckdb.rows, &on_trino.rows, 5);
            differences.push(format!(
                "{model} ({}): {} rows on Trino, {} on DuckDB; {only_trino} only on Trino: {trino_shown:#?}; {only_duckdb} only on DuckDB: {duckdb_shown:#?}",
                on_trino.columns.join(" | "),
                on_trino.rows.len(),
                on_duckdb.rows.len(),
            ));
        }
        compared += on_trino.rows.len();
    }
    // Seen with --nocapture.
    eprintln!(
        "{}: {compared} rows compared in {:.1?} ({:.1?} of them reading Trino)",
        mesh.project,
        started.elapsed(),
        reading_trino
    );
    assert!(
        differences.is_empty(),
        "{}: Trino and DuckDB differ:\n{}",
        mesh.project,
        differences.join("\n")
    );
    compared
}

/// Tables and views of the output catalog whose name marks a temporary.
fn temporaries(server: &trino::TrinoServer, catalog: &str) -> Vec<Value> {
    server
        .client()
        .execute(
            &format!(
                "SELECT table_schema, table_name FROM {catalog}.information_schema.tables WHERE table_name LIKE '%meshc%'"
            ),
            None,
            None,
        )
        .expect("information_schema")
        .rows
        .into_iter()
        .flatten()
        .collect()
}

/// Runs the mesh on DuckDB, then twice on Trino (the second run replaces every
/// object the first one made), and compares every row of every model; nothing
/// temporary is left in the output catalog. Returns the rows compared and
/// what the second Trino run printed.
fn run_on_both_and_compare(
    server: &trino::TrinoServer,
    mesh: &Mesh,
    workspace: &Path,
) -> (usize, String) {
    let duckdb = meshc(workspace, &["run", "-q"]);
    assert!(
        duckdb.status.success(),
        "{}",
        String::from_utf8_lossy(&duckdb.stderr)
    );
    let all_built = format!("{} succeeded, 0 failed, 0 skipped", mesh.models.len());
    let mut printed = String::new();
    for round in 1..=2 {
        let (ok, stderr) = run_on_trino(workspace, server.url());
        assert!(ok, "round {round}: {stderr}");
        // Seen with --nocapture: how long each run took.
        if let Some(finished) = stderr.lines().find(|l| l.starts_with("finished in")) {
            eprintln!("{} on Trino, round {round}: {finished}", mesh.project);
        }
        assert!(stderr.contains(&all_built), "round {round}: {stderr}");
        assert!(
            stderr.contains(&format!(
                "on Trino ({}, catalog {})",
                server.url(),
                mesh.catalog
            )),
            "{stderr}"
        );
        printed = stderr;
    }
    let compared = assert_trino_has_the_rows_of_duckdb(server, mesh, workspace);
    assert!(
        temporaries(server, mesh.catalog).is_empty(),
        "{:?}",
        temporaries(server, mesh.catalog)
    );
    // The build wrote the statements it ran.
    assert!(workspace.join("target/trino/run.sql").is_file());
    (compared, printed)
}

#[test]
fn jaffle_mesh_on_trino_has_the_rows_of_duckdb() {
    let Some(server) = trino::server() else {
        return;
    };
    let _one = CATALOG.lock().unwrap_or_else(|e| e.into_inner());
    let dir = copy_project(&JAFFLE);
    let (compared, _) = run_on_both_and_compare(server, &JAFFLE, dir.path());
    // 100 customers, 99 orders, 113 payments, 62 + 62 + 99 + 100 + 99.
    assert_eq!(compared, 734);
}

/// teddy_retailers: its sources in PostgreSQL databases `inventorydb` and
/// `salesdb`, its outputs in the memory catalog `teddy`; finance reads only
/// the products of the two others. Every row of the 12 models, the two of
/// 46613 rows included.
#[test]
fn teddy_retailers_on_trino_has_the_rows_of_duckdb() {
    let Some(server) = trino::server() else {
        return;
    };
    let _one = CATALOG.lock().unwrap_or_else(|e| e.into_inner());
    let dir = copy_project(&TEDDY);
    let (compared, printed) = run_on_both_and_compare(server, &TEDDY, dir.path());
    // inventory 50 + 192 + 50 + 141; sales 1000 + 4443 + 46613 + 4443 + 994;
    // finance 46613 + 4183 + 4183.
    assert_eq!(compared, 112_905);
    // The 14 source tests, compiled for Trino, read the PostgreSQL catalogs and
    // give DuckDB's outcomes: the three that fail by design are warnings.
    for warning in [
        "WARN source_orders_customer_id_unique (warning): 938, expected = 0 rows",
        "WARN source_order_products_order_id_unique (warning): 4210, expected = 0 rows",
        "WARN source_order_products_product_id_unique (warning): 50, expected = 0 rows",
    ] {
        assert!(printed.contains(warning), "{warning}: {printed}");
    }
    assert_eq!(printed.matches("WARN ").count(), 3, "{printed}");
}

#[test]
fn a_model_that_fails_on_trino_keeps_its_previous_version() {
    let Some(server) = trino::server() else {
        return;
    };
    let _one = CATALOG.lock().unwrap_or_else(|e| e.into_inner());
    let dir = copy_project(&JAFFLE);
    let workspace = dir.path();
    let (ok, stderr) = run_on_trino(workspace, server.url());
    assert!(ok, "{stderr}");
    let customers_before = trino_rows(server, JAFFLE.catalog, "customers.stg_customers").rows;
    let orders_before = trino_rows(server, JAFFLE.catalog, "insights.customer_orders").rows;

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
        trino_rows(server, JAFFLE.catalog, "customers.stg_customers").rows,
        customers_before
    );
    assert_eq!(
        trino_rows(server, JAFFLE.catalog, "insights.customer_orders").rows,
        orders_before
    );
    assert!(
        temporaries(server, JAFFLE.catalog).is_empty(),
        "{:?}",
        temporaries(server, JAFFLE.catalog)
    );
}

#[test]
fn without_a_server_the_run_says_where_it_looked() {
    let _one = CATALOG.lock().unwrap_or_else(|e| e.into_inner());
    let dir = copy_project(&JAFFLE);
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
    let dir = copy_project(&JAFFLE);
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
        trino_rows(server, JAFFLE.catalog, "insights.slow_count").rows,
        vec![vec!["1".to_string()]]
    );
    assert!(
        temporaries(server, JAFFLE.catalog).is_empty(),
        "{:?}",
        temporaries(server, JAFFLE.catalog)
    );
}
