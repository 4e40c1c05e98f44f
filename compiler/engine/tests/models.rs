//! Building models: views and tables in dependency order, atomic replacement,
//! skipped dependents, parallel workers and cycles.

mod common;

use std::collections::HashSet;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use common::{Project, column, model, outcome, plan, result, run_quietly, run_recording, status};
use mesh_diagnostics::Code;
use mesh_engine::{Materialization::Table, Materialization::View, NodeStatus, RunEvent};

const ORDERS: &str = "id,customer_id,amount\n1,1,10\n2,1,20\n3,2,5\n";

fn orders_source(project: &Project) -> mesh_engine::SourceLoad {
    project.csv(
        "orders",
        "raw_orders",
        ORDERS,
        vec![
            column("id", "INTEGER", true),
            column("customer_id", "INTEGER", true),
            column("amount", "INTEGER", false),
        ],
    )
}

#[test]
fn views_and_tables_are_built_in_dependency_order() {
    let project = Project::new();
    // Listed downstream first: the engine orders them.
    let models = vec![
        model(
            "insights",
            "top_customer",
            View,
            "SELECT customer_id FROM insights.revenue ORDER BY total DESC LIMIT 1;",
            &["insights.revenue"],
        ),
        model(
            "insights",
            "revenue",
            Table,
            "SELECT customer_id, sum(amount) AS total FROM orders.stg_orders GROUP BY customer_id",
            &["orders.stg_orders"],
        ),
        model(
            "orders",
            "stg_orders",
            View,
            "SELECT id, customer_id, amount FROM orders.raw_orders -- staged",
            &["orders.raw_orders", "elsewhere.not_in_this_plan"],
        ),
    ];
    let mut plan = project.plan(vec![orders_source(&project)], models);
    plan.threads = 3;
    let (results, events) = run_recording(&plan);

    assert!(results.success());
    let ids: Vec<&str> = results.results.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "orders.raw_orders",
            "insights.top_customer",
            "insights.revenue",
            "orders.stg_orders"
        ]
    );
    for (id, rows) in [
        ("orders.raw_orders", Some(3)),
        ("orders.stg_orders", None),
        ("insights.revenue", Some(2)),
        ("insights.top_customer", None),
    ] {
        assert_eq!(
            outcome(&results, id),
            (NodeStatus::Success, rows, None),
            "{id}"
        );
    }
    // One chain, so the events are strictly ordered.
    assert_eq!(
        events,
        [
            "started orders.raw_orders",
            "finished orders.raw_orders Success",
            "started orders.stg_orders",
            "finished orders.stg_orders Success",
            "started insights.revenue",
            "finished insights.revenue Success",
            "started insights.top_customer",
            "finished insights.top_customer Success",
        ]
    );
    assert_eq!(
        project.rows("SELECT customer_id, total FROM insights.revenue ORDER BY customer_id"),
        vec![vec!["1", "30"], vec!["2", "5"]]
    );
    assert_eq!(
        project.rows("SELECT * FROM insights.top_customer"),
        vec![vec!["1"]]
    );
    assert_eq!(
        project.rows(
            "SELECT table_schema, table_name, table_type FROM information_schema.tables ORDER BY ALL"
        ),
        vec![
            vec!["insights", "revenue", "BASE TABLE"],
            vec!["insights", "top_customer", "VIEW"],
            vec!["orders", "raw_orders", "BASE TABLE"],
            vec!["orders", "stg_orders", "VIEW"],
        ]
    );

    // A second run replaces the tables underneath the existing views.
    let again = run_quietly(&plan);
    assert!(again.success(), "{:?}", again.results);
    assert_eq!(
        outcome(&again, "insights.revenue"),
        (NodeStatus::Success, Some(2), None)
    );
    assert_eq!(
        project.rows("SELECT count(*) FROM orders.stg_orders"),
        vec![vec!["3"]]
    );
}

#[test]
fn failing_table_keeps_previous_data_and_skips_dependents() {
    let project = Project::new();
    let build = |revenue_sql: &str| {
        vec![
            model(
                "insights",
                "revenue",
                Table,
                revenue_sql,
                &["orders.raw_orders"],
            ),
            model(
                "insights",
                "ranked",
                Table,
                "SELECT * FROM insights.revenue",
                &["insights.revenue"],
            ),
            model(
                "insights",
                "top",
                View,
                "SELECT * FROM insights.ranked LIMIT 1",
                &["insights.ranked"],
            ),
            model("insights", "other", Table, "SELECT 42 AS answer", &[]),
        ]
    };
    let good = "SELECT customer_id, sum(amount) AS total FROM orders.raw_orders GROUP BY ALL";
    let first = project.run(vec![orders_source(&project)], build(good));
    assert!(first.success());

    let bad = "SELECT customer_id, sum(amount) AS total FROM orders.raw_orders WHERE nope > 1 GROUP BY ALL";
    let second = project.run(vec![orders_source(&project)], build(bad));
    assert!(!second.success());

    let failed = result(&second, "insights.revenue");
    assert_eq!(failed.status, NodeStatus::Error);
    let error = failed.error.as_deref().unwrap();
    assert!(
        error.starts_with(
            "model insights.revenue failed: Binder Error: Referenced column \"nope\" not found"
        ),
        "{error}"
    );
    assert_eq!(failed.diagnostic.as_ref().unwrap().code, Code::ModelFailed);
    for id in ["insights.ranked", "insights.top"] {
        let skipped = result(&second, id);
        assert_eq!(skipped.status, NodeStatus::Skipped);
        assert_eq!(
            skipped.error.as_deref(),
            Some("skipped: upstream insights.revenue failed")
        );
        assert_eq!(
            skipped.diagnostic.as_ref().unwrap().code,
            Code::ModelSkipped
        );
    }
    assert_eq!(
        outcome(&second, "insights.other"),
        (NodeStatus::Success, Some(1), None)
    );
    // The previous table is untouched and no temporary table remains.
    assert_eq!(
        project.rows("SELECT customer_id, total FROM insights.revenue ORDER BY 1"),
        vec![vec!["1", "30"], vec!["2", "5"]]
    );
    assert_eq!(
        project
            .rows("SELECT count(*) FROM information_schema.tables WHERE table_name LIKE '%meshc%'"),
        vec![vec!["0"]]
    );
}

#[test]
fn runtime_error_in_table_model_keeps_previous_data() {
    let project = Project::new();
    let numbers = |sql: &str| vec![model("s", "numbers", Table, sql, &[])];
    let first = project.run(vec![], numbers("SELECT 7 AS n"));
    assert_eq!(
        outcome(&first, "s.numbers"),
        (NodeStatus::Success, Some(1), None)
    );
    // Fails while executing, after binding succeeded.
    let second = project.run(
        vec![],
        numbers("SELECT ('x' || range)::INTEGER AS n FROM range(3)"),
    );
    let error = result(&second, "s.numbers").error.clone().unwrap();
    assert!(
        error.starts_with("model s.numbers failed: Conversion Error:"),
        "{error}"
    );
    assert_eq!(project.rows("SELECT n FROM s.numbers"), vec![vec!["7"]]);
}

#[test]
fn materialization_switches_between_view_and_table() {
    let project = Project::new();
    let kind =
        || project.rows("SELECT table_type FROM information_schema.tables WHERE table_name = 'm'");
    let build = |materialization, sql: &str| {
        project.run(vec![], vec![model("s", "m", materialization, sql, &[])])
    };
    let sql = "SELECT range AS n FROM range(5)";

    let results = build(View, sql);
    assert_eq!(outcome(&results, "s.m"), (NodeStatus::Success, None, None));
    assert_eq!(kind(), vec![vec!["VIEW"]]);

    let results = build(Table, sql);
    assert_eq!(
        outcome(&results, "s.m"),
        (NodeStatus::Success, Some(5), None)
    );
    assert_eq!(kind(), vec![vec!["BASE TABLE"]]);

    let results = build(View, "SELECT 1 AS n");
    assert_eq!(outcome(&results, "s.m"), (NodeStatus::Success, None, None));
    assert_eq!(kind(), vec![vec!["VIEW"]]);
    assert_eq!(project.rows("SELECT n FROM s.m"), vec![vec!["1"]]);

    // A view that fails to bind leaves the previous table in place.
    build(Table, sql);
    let results = build(View, "SELECT * FROM s.nope");
    assert_eq!(status(&results, "s.m"), NodeStatus::Error);
    assert_eq!(kind(), vec![vec!["BASE TABLE"]]);
    assert_eq!(project.rows("SELECT count(*) FROM s.m"), vec![vec!["5"]]);
}

/// The run reads the catalog once and then trusts its own bookkeeping: an
/// interrupted run's leftover temporaries (of either kind, under any case)
/// and objects of the other kind are still dropped correctly.
#[test]
fn leftover_temporaries_of_either_kind_are_replaced() {
    let project = Project::new();
    let first = project.run(
        vec![],
        vec![
            model("s", "t", Table, "SELECT 1 AS n", &[]),
            model("s", "v", View, "SELECT 1 AS n", &[]),
        ],
    );
    assert_eq!(status(&first, "s.t"), NodeStatus::Success);
    {
        let conn = duckdb::Connection::open(&project.database).unwrap();
        conn.execute_batch(
            "CREATE VIEW s.T__MESHC_NEW AS SELECT 0 AS n; \
             CREATE TABLE s.v__meshc_new AS SELECT 0 AS n;",
        )
        .unwrap();
    }
    let mut checked_view = model("s", "v", View, "SELECT 2 AS n", &[]);
    checked_view.checks = vec![mesh_engine::Check {
        name: "one row".to_owned(),
        severity: mesh_engine::CheckSeverity::Error,
        threshold: mesh_engine::Threshold::Eq(1.0),
        unit: mesh_engine::CheckUnit::Rows,
        sql: format!("SELECT count(*) FROM {}", mesh_engine::CHECKED_RELATION),
        failing_rows_sql: None,
    }];
    let second = project.run(
        vec![],
        vec![model("s", "t", Table, "SELECT 2 AS n", &[]), checked_view],
    );
    assert_eq!(
        outcome(&second, "s.t"),
        (NodeStatus::Success, Some(1), None)
    );
    assert_eq!(status(&second, "s.v"), NodeStatus::Success);
    assert_eq!(project.rows("SELECT n FROM s.t"), vec![vec!["2"]]);
    assert_eq!(project.rows("SELECT n FROM s.v"), vec![vec!["2"]]);
    assert_eq!(
        project.rows(
            "SELECT count(*) FROM information_schema.tables WHERE table_name ILIKE '%__meshc_new'"
        ),
        vec![vec!["0"]]
    );
}

#[test]
fn twenty_independent_models_run_on_four_workers() {
    let project = Project::new();
    let models: Vec<_> = (0..20)
        .map(|i| {
            let materialization = if i % 4 == 0 { View } else { Table };
            let sql = format!(
                "SELECT range AS n, {i} AS model FROM range({}) WHERE hash(range) % 7 < 7",
                20_000 + i
            );
            model(
                &format!("domain_{}", i % 3),
                &format!("m{i}"),
                materialization,
                &sql,
                &[],
            )
        })
        .collect();
    let mut plan = project.plan(vec![], models);
    plan.threads = 4;

    let running = AtomicUsize::new(0);
    let most = AtomicUsize::new(0);
    let threads = Mutex::new(HashSet::new());
    let results = mesh_engine::run(&plan, &|event: &RunEvent| match event {
        RunEvent::Started { .. } => {
            let now = running.fetch_add(1, Ordering::SeqCst) + 1;
            most.fetch_max(now, Ordering::SeqCst);
            threads.lock().unwrap().insert(std::thread::current().id());
        }
        RunEvent::Finished(_) => {
            running.fetch_sub(1, Ordering::SeqCst);
        }
    });

    assert!(results.success());
    assert_eq!(results.results.len(), 20);
    for i in 0..20 {
        let id = format!("domain_{}.m{i}", i % 3);
        let expected = if i % 4 == 0 { None } else { Some(20_000 + i) };
        assert_eq!(
            outcome(&results, &id),
            (NodeStatus::Success, expected, None),
            "{id}"
        );
        assert_eq!(
            project.rows(&format!(
                "SELECT count(*), max(model) FROM domain_{}.m{i}",
                i % 3
            )),
            vec![vec![(20_000 + i).to_string(), i.to_string()]]
        );
    }
    assert!(most.load(Ordering::SeqCst) <= 4);
    assert!(most.load(Ordering::SeqCst) >= 2, "models never overlapped");
    assert!(threads.lock().unwrap().len() >= 2);
}

#[test]
fn cycles_fail_without_hanging_and_skip_their_dependents() {
    use NodeStatus::{Error, Skipped};

    let project = Project::new();
    let models = vec![
        model("s", "a", Table, "SELECT * FROM s.b", &["s.b"]),
        model("s", "b", Table, "SELECT * FROM s.a", &["s.a"]),
        model("s", "c", View, "SELECT * FROM s.a", &["s.a"]),
        model("s", "d", Table, "SELECT 1 AS x", &[]),
    ];
    let (results, events) = run_recording(&project.plan(vec![], models));
    for (id, expected, error) in [
        ("s.a", Error, "dependency cycle: s.a -> s.b -> s.a"),
        ("s.b", Error, "dependency cycle: s.b -> s.a -> s.b"),
        ("s.c", Skipped, "skipped: upstream s.a failed"),
    ] {
        assert_eq!(outcome(&results, id), (expected, None, Some(error)), "{id}");
    }
    assert_eq!(
        outcome(&results, "s.d"),
        (NodeStatus::Success, Some(1), None)
    );
    assert_eq!(
        events.iter().filter(|e| e.starts_with("finished")).count(),
        4
    );
    assert_eq!(
        events.iter().filter(|e| e.starts_with("started")).count(),
        1
    );
}

#[test]
fn failed_source_skips_models_transitively_naming_the_source() {
    let project = Project::new();
    let source = project.ids("raw", "id\nx\n");
    let models = vec![
        model("s", "stg", View, "SELECT * FROM s.raw", &["s.raw"]),
        model("s", "mart", Table, "SELECT * FROM s.stg", &["s.stg"]),
    ];
    let results = project.run(vec![source], models);
    assert_eq!(status(&results, "s.raw"), NodeStatus::Error);
    for id in ["s.stg", "s.mart"] {
        assert_eq!(
            outcome(&results, id),
            (
                NodeStatus::Skipped,
                None,
                Some("skipped: upstream s.raw failed")
            )
        );
    }
}

#[test]
fn unopenable_database_is_one_error_and_runs_nothing() {
    let project = Project::new();
    let source = project.ids("raw", "id\n1\n");
    let models = vec![model("s", "stg", View, "SELECT * FROM s.raw", &["s.raw"])];
    // The database path is a directory.
    let results = run_quietly(&plan(project.root().to_path_buf(), vec![source], models));
    let error = results.database_error.as_ref().expect("a database error");
    assert_eq!(error.code, Code::DatabaseUnavailable);
    assert!(
        error.message.starts_with(&format!(
            "cannot open database {}: IO Error:",
            project.root().display()
        )),
        "{}",
        error.message
    );
    for id in ["s.raw", "s.stg"] {
        let skipped = result(&results, id);
        assert_eq!(skipped.status, NodeStatus::Skipped);
        assert_eq!(
            skipped.diagnostic.as_ref().unwrap().code,
            Code::ModelSkipped
        );
    }
}

#[test]
fn results_serialize_without_diagnostics() {
    let project = Project::with_database("nested/dirs/mesh.duckdb");
    let models = vec![
        model("s", "ok", Table, "SELECT 1 AS x UNION ALL SELECT 2", &[]),
        model("s", "bad", View, "SELECT * FROM s.missing", &[]),
    ];
    let results = project.run(vec![], models);
    assert!(project.root().join("nested/dirs/mesh.duckdb").is_file());
    let json = serde_json::to_value(&results).unwrap();
    let ok = &json["results"][0];
    assert_eq!(ok["id"], "s.ok");
    assert_eq!(ok["kind"], "model");
    assert_eq!(ok["status"], "success");
    assert_eq!(ok["rows"], 2);
    assert_eq!(ok["error"], serde_json::Value::Null);
    assert!(ok.get("diagnostic").is_none());
    assert_eq!(json["results"][1]["status"], "error");
    assert!(json["elapsed_seconds"].as_f64().unwrap() >= 0.0);
}
