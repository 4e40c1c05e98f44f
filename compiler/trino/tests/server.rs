//! The client against a real Trino 476 with the jaffle topology (see `common`):
//! PostgreSQL catalogs per domain, the memory catalog for outputs, errors with
//! positions, progress, streaming pages and cancellation.

mod common;
mod gateway;

use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use gateway::{Fail, Gateway};
use mesh_trino::{Cancel, Column, Error, Handler, Options, Progress, Retry};
use serde_json::{Value, json};

fn columns(result: &[Column]) -> Vec<(&str, &str)> {
    result
        .iter()
        .map(|c| (c.name.as_str(), c.type_name.as_str()))
        .collect()
}

#[test]
fn postgres_catalog_rows_and_types() {
    let Some(trino) = common::server() else {
        return;
    };
    let client = trino.client();
    let result = client
        .execute(
            "SELECT * FROM customersdb.public.raw_customers ORDER BY id",
            None,
            None,
        )
        .expect("select");
    assert_eq!(
        columns(&result.columns),
        [
            ("id", "integer"),
            ("first_name", "varchar"),
            ("last_name", "varchar"),
            ("email", "varchar")
        ]
    );
    assert_eq!(result.rows.len(), 100);
    assert_eq!(
        result.rows[0],
        [
            json!(1),
            json!("Michael"),
            json!("Perez"),
            json!("mperez0@chronoengine.com")
        ]
    );
    assert_eq!(result.rows[99][0], json!(100));
    assert_eq!(result.update_type, None);

    // Unqualified names resolve in the statement's catalog and schema.
    let orders = client
        .execute(
            "SELECT order_date, status FROM raw_orders WHERE id = 1",
            Some("ordersdb"),
            Some("public"),
        )
        .expect("select with defaults");
    assert_eq!(
        columns(&orders.columns),
        [("order_date", "date"), ("status", "varchar")]
    );
    assert_eq!(orders.rows, [[json!("2018-01-01"), json!("returned")]]);
    let payments = client
        .execute(
            "SELECT count(*), count(amount), sum(amount) FROM raw_payments",
            Some("paymentsdb"),
            Some("public"),
        )
        .expect("count");
    assert_eq!(columns(&payments.columns)[0], ("_col0", "bigint"));
    assert_eq!(payments.rows[0][0], json!(113));
}

#[test]
fn create_table_as_across_catalogs_on_memory() {
    let Some(trino) = common::server() else {
        return;
    };
    let client = trino.client();
    // A name of this process's own, so that a server shared through
    // MESHC_TRINO_URL can run the tests again.
    let name = format!("ctas_test_{}", std::process::id());
    let schema = client
        .execute(&format!("CREATE SCHEMA insights.{name}"), None, None)
        .expect("create schema");
    assert_eq!(schema.update_type.as_deref(), Some("CREATE SCHEMA"));
    // One statement reading two PostgreSQL databases (federation) into memory.
    let created = client
        .execute(
            "CREATE TABLE customer_orders AS \
             SELECT c.id AS customer_id, count(o.id) AS number_of_orders \
             FROM customersdb.public.raw_customers c \
             LEFT JOIN ordersdb.public.raw_orders o ON o.user_id = c.id \
             GROUP BY c.id",
            Some("insights"),
            Some(&name),
        )
        .expect("create table as");
    assert_eq!(created.update_type.as_deref(), Some("CREATE TABLE"));
    assert_eq!(created.update_count, Some(100));
    let read = client
        .execute(
            &format!(
                "SELECT count(*), sum(number_of_orders), count_if(number_of_orders = 0) \
                 FROM insights.{name}.customer_orders"
            ),
            None,
            None,
        )
        .expect("read back");
    assert_eq!(
        read.rows,
        [[json!(100), json!(99), json!(customers_without_orders())]]
    );
    let described = client
        .execute(
            &format!("DESCRIBE insights.{name}.customer_orders"),
            None,
            None,
        )
        .expect("describe");
    let types: Vec<(&Value, &Value)> = described.rows.iter().map(|r| (&r[0], &r[1])).collect();
    assert_eq!(
        types,
        [
            (&json!("customer_id"), &json!("integer")),
            (&json!("number_of_orders"), &json!("bigint"))
        ]
    );
}

/// From the CSV files themselves: customers 1..=100 that no order names.
fn customers_without_orders() -> usize {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../projects/jaffle_mesh/orders/data/raw_orders.csv"
    );
    let text = std::fs::read_to_string(path).expect("raw_orders.csv");
    let buyers: std::collections::HashSet<&str> = text
        .lines()
        .skip(1)
        .filter_map(|line| line.split(',').nth(1))
        .collect();
    (1..=100)
        .filter(|id: &i32| !buyers.contains(id.to_string().as_str()))
        .count()
}

#[test]
fn errors_carry_name_and_position() {
    let Some(trino) = common::server() else {
        return;
    };
    let client = trino.client();
    let sql = "SELECT id\nFROM customersdb.public.raw_customers\nWHERE id = = 1";
    let Err(Error::Query(error)) = client.execute(sql, None, None) else {
        panic!("a syntax error")
    };
    assert_eq!(error.name, "SYNTAX_ERROR");
    assert_eq!(error.error_type, "USER_ERROR");
    assert_eq!((error.line, error.column), (Some(3), Some(12)), "{error}");
    assert!(error.message.contains("mismatched input '='"), "{error}");
    assert!(!error.query_id.is_empty());

    let Err(Error::Query(error)) = client.execute(
        "SELECT 1\nFROM   no_such_table",
        Some("customersdb"),
        Some("public"),
    ) else {
        panic!("a missing table")
    };
    assert_eq!(error.name, "TABLE_NOT_FOUND");
    assert_eq!((error.line, error.column), (Some(2), Some(8)), "{error}");

    let Err(Error::Query(error)) = client.execute("SELECT 1 FROM nocatalog.s.x", None, None) else {
        panic!("a missing catalog")
    };
    assert_eq!(error.name, "CATALOG_NOT_FOUND", "{error}");
}

#[test]
fn nothing_listens_is_a_transport_error() {
    // A port nobody listens on: bound, then released.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let client = mesh_trino::Client::new(&format!("http://127.0.0.1:{port}"), "meshc-test");
    let error = client
        .execute("SELECT 1", None, None)
        .expect_err("no server");
    assert!(matches!(error, Error::Transport { .. }), "{error}");
}

/// Collects pages and progress.
#[derive(Default)]
struct Record {
    pages: usize,
    rows: u64,
    last: Option<Value>,
    states: Vec<String>,
    max_processed: u64,
}

impl Handler for Record {
    fn progress(&mut self, progress: &Progress) {
        if self.states.last() != Some(&progress.state) {
            self.states.push(progress.state.clone());
        }
        self.max_processed = self.max_processed.max(progress.processed_rows);
    }

    fn rows(&mut self, columns: &[Column], rows: Vec<Vec<Value>>) {
        assert_eq!(columns.len(), 1);
        self.pages += 1;
        self.rows += rows.len() as u64;
        self.last = rows.last().and_then(|r| r.first()).cloned();
    }
}

#[test]
fn large_results_stream_in_pages_with_progress() {
    let Some(trino) = common::server() else {
        return;
    };
    let client = trino.client();
    let mut record = Record::default();
    let summary = client
        .execute_with(
            // sequence() stops at 10,000 entries.
            "SELECT x * 1000 + y AS x FROM UNNEST(sequence(0, 299)) AS a(x) \
             CROSS JOIN UNNEST(sequence(1, 1000)) AS b(y) ORDER BY 1",
            &Options::default(),
            &mut record,
        )
        .expect("select");
    assert_eq!(record.rows, 300_000);
    assert_eq!(record.last, Some(json!(300_000)));
    assert!(record.pages > 1, "one page for 300,000 rows");
    assert_eq!(summary.progress.state, "FINISHED");
    assert_eq!(record.states.last().map(String::as_str), Some("FINISHED"));
    assert_eq!(columns(&summary.columns), [("x", "bigint")]);
}

/// Keeps every row.
struct Keep(Vec<Vec<Value>>);

impl Handler for Keep {
    fn rows(&mut self, _: &[Column], mut rows: Vec<Vec<Value>>) {
        self.0.append(&mut rows);
    }
}

#[test]
fn session_properties_are_sent() {
    let Some(trino) = common::server() else {
        return;
    };
    let client = trino.client();
    let options = Options {
        session: &[
            ("query_max_run_time", "7m"),
            ("join_distribution_type", "BROADCAST"),
        ],
        ..Options::default()
    };
    let mut rows = Keep(Vec::new());
    client
        .execute_with(
            "SHOW SESSION LIKE '%_distribution_type'",
            &options,
            &mut rows,
        )
        .expect("show session");
    let join = rows
        .0
        .iter()
        .find(|r| r[0] == json!("join_distribution_type"));
    assert_eq!(
        join.map(|r| &r[1]),
        Some(&json!("BROADCAST")),
        "{:?}",
        rows.0
    );
    let mut rows = Keep(Vec::new());
    client
        .execute_with(
            "SHOW SESSION LIKE 'query_max_run_time'",
            &options,
            &mut rows,
        )
        .expect("show session");
    assert_eq!(rows.0[0][1], json!("7m"));
}

#[test]
fn a_long_query_is_cancelled_on_the_server() {
    let Some(trino) = common::server() else {
        return;
    };
    let client = trino.client();
    let cancel = Cancel::new();
    // 10^12 rows of work: hours on two cores, unless cancelled.
    let sql = "SELECT count(*) FROM UNNEST(sequence(1, 10000)) AS a(x) \
               CROSS JOIN UNNEST(sequence(1, 10000)) AS b(y) \
               CROSS JOIN UNNEST(sequence(1, 10000)) AS c(z) WHERE x + y + z > 7";
    struct Watch {
        running: Arc<Mutex<Option<Instant>>>,
    }
    impl Handler for Watch {
        fn progress(&mut self, progress: &Progress) {
            if progress.state == "RUNNING" {
                let mut running = self.running.lock().expect("lock");
                running.get_or_insert_with(Instant::now);
            }
        }
        fn rows(&mut self, _: &[Column], _: Vec<Vec<Value>>) {}
    }
    let running = Arc::new(Mutex::new(None));
    let canceller = {
        let (cancel, running) = (cancel.clone(), Arc::clone(&running));
        thread::spawn(move || {
            let deadline = Instant::now() + Duration::from_secs(60);
            while running.lock().expect("lock").is_none() && Instant::now() < deadline {
                thread::sleep(Duration::from_millis(50));
            }
            thread::sleep(Duration::from_millis(500));
            cancel.cancel();
            Instant::now()
        })
    };
    let options = Options {
        cancel: Some(&cancel),
        ..Options::default()
    };
    let outcome = client.execute_with(
        sql,
        &options,
        &mut Watch {
            running: Arc::clone(&running),
        },
    );
    let returned = Instant::now();
    let cancelled_at = canceller.join().expect("canceller");
    let Err(Error::Cancelled { query_id }) = outcome else {
        panic!("not cancelled: {outcome:?}")
    };
    assert!(running.lock().expect("lock").is_some(), "it never ran");
    let latency = returned.saturating_duration_since(cancelled_at);
    assert!(
        latency < Duration::from_secs(5),
        "returned {latency:?} after cancel"
    );
    eprintln!("cancelled {query_id}: the client returned {latency:?} after cancel()");

    // The server stopped it too (DELETE nextUri), it did not just lose its client.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let state = client
            .execute(
                &format!(
                    "SELECT state, error_code FROM system.runtime.queries WHERE query_id = '{query_id}'"
                ),
                None,
                None,
            )
            .expect("system.runtime.queries");
        let row = state.rows.first().cloned().unwrap_or_default();
        if row.first() == Some(&json!("FAILED")) {
            assert_eq!(row.get(1), Some(&json!("USER_CANCELED")));
            break;
        }
        assert!(Instant::now() < deadline, "still {row:?} on the server");
        thread::sleep(Duration::from_millis(200));
    }

    // Cancelled before it starts: nothing is sent.
    let outcome = client.execute_with("SELECT 1", &options, &mut Watch { running });
    assert_eq!(
        outcome,
        Err(Error::Cancelled {
            query_id: String::new()
        })
    );
}

#[test]
fn gateway_failures_of_next_uri_are_retried() {
    let Some(trino) = common::server() else {
        return;
    };
    let gateway = Gateway::start(trino.url(), Fail::EachGet(2));
    let client = mesh_trino::Client::new(gateway.url(), "meshc-test");
    let result = client
        .execute(
            "SELECT count(*) FROM customersdb.public.raw_customers",
            None,
            None,
        )
        .expect("select through a flaky gateway");
    assert_eq!(result.rows, [[json!(100)]]);
    let log = gateway.log();
    let gets: Vec<u16> = log
        .iter()
        .filter(|(method, _, _)| method == "GET")
        .map(|(_, _, status)| *status)
        .collect();
    // Every nextUri: 502, then 503, then through.
    assert!(gets.len() >= 3 && gets.len().is_multiple_of(3), "{log:?}");
    for chunk in gets.chunks(3) {
        assert_eq!(chunk, [502, 503, 200], "{log:?}");
    }
    assert_eq!(log.iter().filter(|(m, _, _)| m == "POST").count(), 1);
}

#[test]
fn retries_stop_after_their_attempts() {
    let Some(trino) = common::server() else {
        return;
    };
    let gateway = Gateway::start(trino.url(), Fail::EveryGet);
    let retry = Retry {
        attempts: 3,
        first_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(20),
    };
    let client = mesh_trino::Client::new(gateway.url(), "meshc-test").with_retry(retry);
    let error = client
        .execute("SELECT 1", None, None)
        .expect_err("the gateway never lets a GET through");
    assert!(matches!(error, Error::Http { status: 503, .. }), "{error}");
    let log = gateway.log();
    let gets = log.iter().filter(|(m, _, _)| m == "GET").count();
    assert_eq!(gets, 3, "{log:?}");
}

#[test]
fn a_failed_post_is_not_retried() {
    let Some(trino) = common::server() else {
        return;
    };
    let gateway = Gateway::start(trino.url(), Fail::FirstPost);
    let client = mesh_trino::Client::new(gateway.url(), "meshc-test");
    let error = client
        .execute("SELECT 1", None, None)
        .expect_err("the gateway fails the POST");
    assert!(matches!(error, Error::Http { status: 503, .. }), "{error}");
    assert_eq!(gateway.log().len(), 1, "{:?}", gateway.log());
    // The next statement goes through.
    let result = client.execute("SELECT 1", None, None).expect("second try");
    assert_eq!(result.rows, [[json!(1)]]);
}

/// NO_NODES_AVAILABLE (no active worker when the query is scheduled, so
/// nothing ran) is submitted again, a bounded number of times.
#[test]
fn no_nodes_available_is_submitted_again() {
    let Some(trino) = common::server() else {
        return;
    };
    let gateway = Gateway::start(trino.url(), Fail::NoNodes(2));
    let client = mesh_trino::Client::new(gateway.url(), "meshc-test");
    let result = client
        .execute("SELECT 42", None, None)
        .expect("the third submission runs");
    assert_eq!(result.rows, [[json!(42)]]);
    let posts = gateway.log().iter().filter(|(m, _, _)| m == "POST").count();
    assert_eq!(posts, 3);

    let gateway = Gateway::start(trino.url(), Fail::NoNodes(u32::MAX));
    let client = mesh_trino::Client::new(gateway.url(), "meshc-test");
    let started = std::time::Instant::now();
    match client.execute("SELECT 42", None, None) {
        Err(mesh_trino::Error::Query(error)) => assert_eq!(error.name, "NO_NODES_AVAILABLE"),
        other => panic!("{other:?}"),
    }
    let posts = gateway.log().iter().filter(|(m, _, _)| m == "POST").count();
    assert_eq!(posts as u32, mesh_trino::NO_NODES_ATTEMPTS);
    assert!(started.elapsed().as_secs() < 15, "{:?}", started.elapsed());
}

/// A resubmission after NO_NODES_AVAILABLE first runs
/// `Options::before_resubmit`: without it, a `CREATE TABLE … AS` whose failed
/// attempt left its table (the memory connector does not roll back) fails
/// with TABLE_ALREADY_EXISTS.
#[test]
fn a_resubmission_first_undoes_what_the_failed_attempt_left() {
    let Some(trino) = common::server() else {
        return;
    };
    let schema = format!("resubmit_{}", std::process::id());
    trino
        .client()
        .execute(&format!("CREATE SCHEMA insights.{schema}"), None, None)
        .expect("create schema");
    let create = |table: &str| format!("CREATE TABLE {table} AS SELECT 7 AS a");

    let gateway = Gateway::start(trino.url(), Fail::NoNodesAfterRunning(1));
    let client = mesh_trino::Client::new(gateway.url(), "meshc-test");
    match client.execute(&create(&format!("insights.{schema}.kept")), None, None) {
        Err(Error::Query(error)) => assert_eq!(error.name, "TABLE_ALREADY_EXISTS", "{error:?}"),
        other => panic!("the second submission collides: {other:?}"),
    }

    let gateway = Gateway::start(trino.url(), Fail::NoNodesAfterRunning(1));
    let client = mesh_trino::Client::new(gateway.url(), "meshc-test");
    let table = format!("insights.{schema}.undone");
    let drop = format!("DROP TABLE IF EXISTS {table}");
    let options = Options {
        before_resubmit: Some(&drop),
        ..Options::default()
    };
    let created = client
        .execute_collecting(&create(&table), &options)
        .expect("dropped, then created again");
    assert_eq!(created.update_count, Some(1));
    let rows = trino
        .client()
        .execute(&format!("SELECT a FROM {table}"), None, None)
        .expect("read");
    assert_eq!(rows.rows, [[json!(7)]]);
    let posts: Vec<String> = gateway
        .log()
        .into_iter()
        .filter(|(m, _, _)| m == "POST")
        .map(|(_, _, status)| status.to_string())
        .collect();
    assert_eq!(posts.len(), 3, "create, drop, create: {posts:?}");
}
