//! Contract quality rules, planned as SQL: the snapshot of every rule of the
//! jaffle_mesh contracts in DuckDB SQL (`testdata/quality/jaffle_mesh.duckdb.sql`;
//! `UPDATE_EXPECT=1` rewrites it; the CLI's end-to-end tests run the same SQL),
//! and the check of rules as queries of the product's domain: a `type: sql`
//! rule is one query, type-checked with a model's names and access rules.

mod common;

use mesh_analysis::{AnalysisHost, Change, Target};
use mesh_diagnostics::Code;

#[test]
fn jaffle_mesh_rules() {
    let host = common::jaffle();
    let plan = host.plan(Target::DuckDb, &[]).expect("the example plans");
    let mut out = String::new();
    for model in plan.models.iter().filter(|m| !m.checks.is_empty()) {
        for check in &model.checks {
            out.push_str(&format!(
                "-- {}: {} ({:?}, {} {:?})\n{};\n",
                model.id, check.name, check.severity, check.threshold, check.unit, check.sql
            ));
            if let Some(rows) = &check.failing_rows_sql {
                out.push_str(&format!("-- failing rows\n{rows};\n"));
            }
            out.push('\n');
        }
    }
    let out = format!("{}\n", out.trim_end());
    expect_test::expect_file!["../../../testdata/quality/jaffle_mesh.duckdb.sql"].assert_eq(&out);
}

const RULE_PATH: &str = "payments/contracts/stg_payments.yaml";
const RULE: &str = "query: SELECT COUNT(*) FROM {object} WHERE amount < 0";

/// The example with the SQL rule of `payments.stg_payments` replaced by `query`.
fn with_rule(query: &str) -> AnalysisHost {
    let mut host = common::jaffle();
    common::replace_in(&mut host, RULE_PATH, RULE, query);
    host
}

fn rule_errors(host: &AnalysisHost) -> Vec<(String, String, String)> {
    host.check()
        .into_iter()
        .filter(|d| &*d.file == RULE_PATH && d.is_error())
        .map(|d| {
            let text = host.file_text(RULE_PATH).unwrap_or_default();
            let at = text
                .get(d.range.start as usize..d.range.end as usize)
                .unwrap_or("")
                .to_string();
            (d.code.as_str().to_string(), at, d.message)
        })
        .collect()
}

#[test]
fn the_jaffle_rules_check_clean() {
    let host = common::jaffle();
    let errors: Vec<_> = host.check().into_iter().filter(|d| d.is_error()).collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

#[test]
fn a_rule_that_closes_its_wrapper_is_refused_by_check() {
    let host = with_rule(
        "query: \"SELECT 0) AS DOUBLE) AS v; DROP SCHEMA customers CASCADE; COPY (SELECT 1) TO '/tmp/x.csv'; SELECT CAST((SELECT COUNT(*) FROM {object}\"",
    );
    let errors = rule_errors(&host);
    assert!(!errors.is_empty());
    assert!(
        errors.iter().all(|(code, _, _)| code == "MESH1008"),
        "{errors:#?}"
    );
    assert!(matches!(
        host.plan(Target::DuckDb, &[]),
        Err(mesh_analysis::PlanError::Diagnostics(_))
    ));
}

#[test]
fn rule_queries_are_type_checked_with_the_domain_access_rules() {
    // A private model of another domain (MESH2003).
    let host = with_rule("query: SELECT COUNT(*) FROM insights.customer_orders");
    let errors = rule_errors(&host);
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert_eq!(errors[0].0, "MESH2003");
    // File access through a table function, and a function outside the library.
    let host = with_rule("query: SELECT COUNT(*) FROM read_text('/etc/passwd')");
    let errors = rule_errors(&host);
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert_eq!(errors[0].0, "MESH3011");
    let host = with_rule("query: SELECT length(read_text_file('/etc/passwd')) FROM {object}");
    assert_eq!(rule_errors(&host)[0].0, "MESH3006");
    // An unknown column, pointed at in the contract.
    let host = with_rule("query: SELECT COUNT(*) FROM {object} WHERE amout < 0");
    let errors = rule_errors(&host);
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert_eq!(
        (errors[0].0.as_str(), errors[0].1.as_str()),
        ("MESH2007", "amout")
    );
    // Not one number.
    let host = with_rule("query: SELECT payment_id, amount FROM {object}");
    let errors = rule_errors(&host);
    assert!(errors[0].2.contains("returns 2 columns"), "{errors:#?}");
    let host = with_rule("query: SELECT max(payment_method) FROM {object}");
    let errors = rule_errors(&host);
    assert!(errors[0].2.contains("not a number"), "{errors:#?}");
}

#[test]
fn record_loss_and_relationships_resolve_at_check() {
    let mut host = common::jaffle();
    let path = "insights/contracts/fct_orders.yaml";
    let text = host.file_text(path).expect("contract").to_string();
    assert!(
        text.contains("upstream: orders.stg_orders"),
        "the example has a record-loss rule"
    );
    for (from, to, code) in [
        (
            "upstream: orders.stg_orders",
            "upstream: orders.no_such_product",
            "MESH2001",
        ),
        (
            "upstream: orders.stg_orders",
            "upstream: nowhere.stg_orders",
            "MESH2004",
        ),
        (
            "properties: [order_id]",
            "properties: [order_key]",
            "MESH2009",
        ),
    ] {
        let mut change = Change::default();
        change.set_file(path, text.replacen(from, to, 1));
        host.apply_change(change);
        let errors: Vec<_> = host
            .check()
            .into_iter()
            .filter(|d| &*d.file == path && d.is_error())
            .collect();
        assert_eq!(errors.len(), 1, "{errors:#?}");
        assert_eq!(errors[0].code.as_str(), code);
        assert_ne!(errors[0].code, Code::InvalidQualityRule);
    }
}
