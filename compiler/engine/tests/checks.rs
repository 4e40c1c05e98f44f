//! Quality checks on real DuckDB: checked before the swap, INVALID models
//! keep their previous table or view, dependents are skipped naming the rule,
//! `allow_invalid` swaps them in anyway, and `test` reads an existing database.

mod common;

use common::{Project, column, model, result, run_quietly, status};
use mesh_diagnostics::Code;
use mesh_engine::{
    CHECKED_RELATION, Check, CheckSeverity, CheckUnit, Materialization::Table,
    Materialization::View, ModelNode, NodeStatus, SourceLoad, Threshold,
};

fn check(name: &str, severity: CheckSeverity, threshold: Threshold, sql: &str) -> Check {
    Check {
        name: name.to_owned(),
        severity,
        threshold,
        unit: CheckUnit::Rows,
        sql: sql.replace("{r}", CHECKED_RELATION),
        failing_rows_sql: None,
    }
}

/// `orders.raw_orders` with the given `id,amount` lines.
fn orders(project: &Project, lines: &str) -> SourceLoad {
    project.csv(
        "orders",
        "raw_orders",
        &format!("id,amount\n{lines}"),
        vec![
            column("id", "INTEGER", true),
            column("amount", "INTEGER", false),
        ],
    )
}

/// The product under test, with a not-null rule (error), a row-count rule
/// (warning) and a relationship-style rule reading another relation.
fn product(materialization: mesh_engine::Materialization) -> ModelNode {
    let mut product = model(
        "orders",
        "stg_orders",
        materialization,
        "SELECT id, amount FROM orders.raw_orders",
        &["orders.raw_orders"],
    );
    let mut not_null = check(
        "amount_not_null",
        CheckSeverity::Error,
        Threshold::Eq(0.0),
        "SELECT count(*) AS value FROM {r} AS c WHERE c.amount IS NULL",
    );
    not_null.failing_rows_sql = Some(
        "SELECT c.* FROM {r} AS c WHERE c.amount IS NULL ORDER BY id LIMIT 1"
            .replace("{r}", CHECKED_RELATION),
    );
    let mut few = check(
        "at_most_three_orders",
        CheckSeverity::Warning,
        Threshold::Le(3.0),
        "SELECT CAST(count(*) AS DOUBLE) AS value FROM {r}",
    );
    few.unit = CheckUnit::Rows;
    product.checks = vec![not_null, few];
    product
}

fn consumer() -> ModelNode {
    model(
        "insights",
        "revenue",
        Table,
        "SELECT sum(amount) AS total FROM orders.stg_orders",
        &["orders.stg_orders"],
    )
}

fn objects(project: &Project) -> Vec<Vec<String>> {
    project.rows(
        "SELECT table_schema, table_name, table_type FROM information_schema.tables ORDER BY 1, 2",
    )
}

fn stg_orders(project: &Project) -> Vec<Vec<String>> {
    project.rows("SELECT id, amount FROM orders.stg_orders ORDER BY id")
}

#[test]
fn invalid_table_keeps_its_data_and_skips_consumers_naming_the_rule() {
    let project = Project::new();
    let good = project.plan(
        vec![orders(&project, "1,10\n2,20\n")],
        vec![product(Table), consumer()],
    );
    let results = run_quietly(&good);
    assert!(results.success(), "{results:#?}");
    let checks = &result(&results, "orders.stg_orders").checks;
    let summary: Vec<String> = checks
        .iter()
        .map(|c| {
            format!(
                "{} {:?} {:?} {} {}",
                c.name, c.severity, c.value, c.threshold, c.passed
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            "amount_not_null Error Some(0.0) = 0 rows true",
            "at_most_three_orders Warning Some(2.0) <= 3 rows true"
        ]
    );

    // A NULL amount fails the error rule; four rows fail the warning.
    let bad = project.plan(
        vec![orders(&project, "1,10\n2,20\n3,\n4,40\n")],
        vec![product(Table), consumer()],
    );
    let results = run_quietly(&bad);
    assert!(!results.success());
    let stg = result(&results, "orders.stg_orders");
    assert_eq!(stg.status, NodeStatus::Invalid);
    assert_eq!(stg.rows, None);
    assert_eq!(
        stg.error.as_deref(),
        Some(
            "orders.stg_orders is INVALID: rule amount_not_null failed (value 1, expected = 0 rows); the previous version is kept"
        )
    );
    assert_eq!(
        stg.diagnostic.as_ref().map(|d| d.code),
        Some(Code::ProductInvalid)
    );
    assert_eq!(stg.checks.len(), 2);
    assert!(!stg.checks[1].passed, "the warning is recorded too");
    let revenue = result(&results, "insights.revenue");
    assert_eq!(revenue.status, NodeStatus::Skipped);
    assert_eq!(
        revenue.error.as_deref(),
        Some("skipped: upstream orders.stg_orders is INVALID (failed rule amount_not_null)")
    );
    // The previous table and its consumer are untouched; no temporary is left.
    assert_eq!(stg_orders(&project), [["1", "10"], ["2", "20"]]);
    assert_eq!(project.rows("SELECT total FROM insights.revenue"), [["30"]]);
    assert!(
        !objects(&project)
            .iter()
            .any(|o| o[1].contains("__meshc_new")),
        "{:?}",
        objects(&project)
    );

    // Allowed: swapped in, still reported INVALID, and the consumer runs.
    let mut allowed = bad.clone();
    allowed.allow_invalid = true;
    let results = run_quietly(&allowed);
    let stg = result(&results, "orders.stg_orders");
    assert_eq!(stg.status, NodeStatus::Invalid);
    assert_eq!(stg.rows, Some(4));
    assert!(
        stg.error
            .as_deref()
            .is_some_and(|e| e.ends_with("swapped in anyway because invalid products are allowed")),
        "{:?}",
        stg.error
    );
    assert_eq!(status(&results, "insights.revenue"), NodeStatus::Success);
    assert_eq!(project.rows("SELECT total FROM insights.revenue"), [["70"]]);
}

#[test]
fn warnings_do_not_block() {
    let project = Project::new();
    let results = project.run(
        vec![orders(&project, "1,10\n2,20\n3,30\n4,40\n")],
        vec![product(Table), consumer()],
    );
    assert!(results.success(), "{results:#?}");
    let stg = result(&results, "orders.stg_orders");
    assert_eq!(stg.status, NodeStatus::Success);
    assert_eq!(stg.rows, Some(4));
    assert_eq!(stg.checks[1].value, Some(4.0));
    assert!(!stg.checks[1].passed);
    assert_eq!(
        project.rows("SELECT total FROM insights.revenue"),
        [["100"]]
    );
}

#[test]
fn invalid_view_keeps_its_previous_definition() {
    let project = Project::new();
    let source = orders(&project, "1,10\n2,20\n");
    let results = project.run(vec![source.clone()], vec![product(View), consumer()]);
    assert!(results.success(), "{results:#?}");
    assert_eq!(result(&results, "orders.stg_orders").rows, None);

    // The new definition makes amounts NULL: the view is checked under its
    // temporary name and not renamed over the old one.
    let mut broken = product(View);
    broken.sql =
        "SELECT id, CASE WHEN id = 2 THEN NULL ELSE amount END AS amount FROM orders.raw_orders"
            .into();
    let results = project.run(vec![source.clone()], vec![broken.clone(), consumer()]);
    assert_eq!(status(&results, "orders.stg_orders"), NodeStatus::Invalid);
    assert!(
        result(&results, "orders.stg_orders")
            .error
            .as_deref()
            .is_some_and(|e| e.ends_with("the previous view definition is kept"))
    );
    assert_eq!(status(&results, "insights.revenue"), NodeStatus::Skipped);
    assert_eq!(stg_orders(&project), [["1", "10"], ["2", "20"]]);
    assert_eq!(
        objects(&project),
        [
            ["insights", "revenue", "BASE TABLE"],
            ["orders", "raw_orders", "BASE TABLE"],
            ["orders", "stg_orders", "VIEW"]
        ]
    );

    // Allowed: the new definition is renamed over the old one.
    let mut allowed = project.plan(vec![source], vec![broken, consumer()]);
    allowed.allow_invalid = true;
    let results = run_quietly(&allowed);
    assert_eq!(status(&results, "orders.stg_orders"), NodeStatus::Invalid);
    assert_eq!(status(&results, "insights.revenue"), NodeStatus::Success);
    assert_eq!(stg_orders(&project), [["1", "10"], ["2", "NULL"]]);
    assert_eq!(objects(&project).len(), 3);
}

#[test]
fn a_checked_view_replaces_a_previous_table() {
    let project = Project::new();
    let source = orders(&project, "1,10\n");
    let results = project.run(vec![source.clone()], vec![product(Table)]);
    assert!(results.success(), "{results:#?}");
    let results = project.run(vec![source], vec![product(View)]);
    assert!(results.success(), "{results:#?}");
    assert_eq!(
        objects(&project),
        [
            ["orders", "raw_orders", "BASE TABLE"],
            ["orders", "stg_orders", "VIEW"]
        ]
    );
}

#[test]
fn a_check_that_cannot_run_is_a_failure_with_its_error() {
    let project = Project::new();
    let mut stg = product(Table);
    stg.checks.push(check(
        "broken_sql",
        CheckSeverity::Error,
        Threshold::Eq(0.0),
        "SELECT count(nosuch) FROM {r}",
    ));
    stg.checks.push(check(
        "null_value",
        CheckSeverity::Warning,
        Threshold::Eq(0.0),
        "SELECT NULL",
    ));
    let results = project.run(vec![orders(&project, "1,10\n")], vec![stg]);
    let stg = result(&results, "orders.stg_orders");
    assert_eq!(stg.status, NodeStatus::Invalid);
    let broken = &stg.checks[2];
    assert!(!broken.passed);
    assert_eq!(broken.value, None);
    assert!(
        broken
            .error
            .as_deref()
            .is_some_and(|e| e.contains("nosuch")),
        "{broken:?}"
    );
    assert!(
        stg.error
            .as_deref()
            .is_some_and(|e| e.contains("rule broken_sql could not be checked (Binder Error")),
        "{:?}",
        stg.error
    );
    assert_eq!(
        stg.checks[3].error.as_deref(),
        Some("the check returned NULL")
    );
    let json = serde_json::to_value(stg).unwrap();
    assert_eq!(json["status"], "invalid");
    assert_eq!(json["checks"][0]["name"], "amount_not_null");
    assert_eq!(json["checks"][0]["severity"], "error");
    assert_eq!(json["checks"][0]["value"], 0.0);
    assert_eq!(json["checks"][0]["threshold"], "= 0 rows");
    assert_eq!(json["checks"][0]["passed"], true);
    assert!(json["checks"][0].get("error").is_none());
}

#[test]
fn test_reads_the_current_versions_read_only_and_shows_failing_rows() {
    let project = Project::new();
    let mut allowed = project.plan(
        vec![orders(&project, "1,10\n2,\n3,\n")],
        vec![product(Table)],
    );
    allowed.allow_invalid = true;
    run_quietly(&allowed);
    let missing = model("orders", "never_built", Table, "SELECT 1", &[]);
    let database = &project.database;
    let before = std::fs::read(database).unwrap();
    let tests = mesh_engine::test(database, &[product(Table), missing], true).unwrap();
    assert_eq!(std::fs::read(database).unwrap(), before, "read-only");
    assert_eq!(tests.len(), 2);
    let stg = &tests[0];
    assert!(!stg.valid());
    assert_eq!(stg.checks[0].value, Some(2.0));
    let failing = stg.checks[0].failing_rows.as_ref().expect("failing rows");
    assert_eq!(failing.columns, ["id", "amount"]);
    assert_eq!(failing.rows.len(), 1, "the rule's SQL limits the rows");
    assert_eq!(failing.rows[0][0].to_string(), "2");
    assert!(stg.checks[1].passed);
    assert_eq!(stg.checks[1].failing_rows, None);
    assert_eq!(
        tests[1]
            .error
            .as_deref()
            .map(|e| e.starts_with("orders.never_built does not exist")),
        Some(true)
    );
    assert!(!tests[1].valid());

    let nowhere = project.root().join("nothing.duckdb");
    assert!(mesh_engine::test(&nowhere, &[product(Table)], false).is_err());
    assert!(!nowhere.exists());
}

#[test]
fn checks_may_read_other_models_built_before() {
    let project = Project::new();
    let mut revenue = consumer();
    revenue.checks = vec![check(
        "total_matches_orders",
        CheckSeverity::Error,
        Threshold::Eq(0.0),
        "SELECT count(*) FROM {r} AS c WHERE c.total <> (SELECT sum(amount) FROM orders.stg_orders)",
    )];
    let results = project.run(
        vec![orders(&project, "1,10\n2,20\n")],
        vec![revenue, product(View)],
    );
    assert!(results.success(), "{results:#?}");
    assert_eq!(
        result(&results, "insights.revenue").checks[0].value,
        Some(0.0)
    );
}
