//! Incrementality: which queries run again after an edit. Uses the database's
//! log of executed queries (salsa `WillExecute` events) on the jaffle_mesh example.

mod common;

use common::jaffle;
use mesh_analysis::{AnalysisHost, Change};

/// Applies one edit, re-checks, and returns the names of the re-executed
/// per-model queries, e.g. `analyze_model(insights.customer_orders)`.
fn edit(host: &mut AnalysisHost, path: &str, text: String) -> Vec<String> {
    let mut change = Change::default();
    change.set_file(path, text);
    host.apply_change(change);
    host.database().start_logging();
    let diagnostics = host.check();
    let executed = host.database().take_executed();
    assert!(
        diagnostics.iter().all(|d| !d.is_error()),
        "{diagnostics:#?}"
    );
    let names = host.model_query_names();
    let mut out: Vec<String> = executed
        .iter()
        .filter(|e| e.starts_with("analyze_model(") || e.starts_with("model_signature("))
        .map(|e| names.get(e).cloned().unwrap_or_else(|| e.clone()))
        .collect();
    out.sort();
    out
}

fn text(host: &AnalysisHost, path: &str) -> String {
    host.file_text(path).expect("file exists").to_string()
}

#[test]
fn same_shape_edit_rechecks_nothing_downstream() {
    let mut host = jaffle();
    assert!(host.check().is_empty());
    let path = "insights/models/customer_orders.sql";
    let edited = text(&host, path)
        .replace("count(order_id)", "count(*)")
        .replace("COUNT(order_id)", "COUNT(*)");
    assert_ne!(edited, text(&host, path), "the edit must change the SQL");
    let executed = edit(&mut host, path, edited);
    // The edited model is re-analyzed and its signature recomputed; the
    // signature is equal, so dim_customers (which reads it) is not re-run.
    assert_eq!(
        executed,
        vec![
            "analyze_model(insights.customer_orders)",
            "model_signature(insights.customer_orders)"
        ]
    );
}

#[test]
fn shape_change_rechecks_direct_consumers_only() {
    let mut host = jaffle();
    assert!(host.check().is_empty());
    let path = "insights/models/customer_payments.sql";
    let original = text(&host, path);
    let edited = original
        .replacen("SELECT", "SELECT 1 AS extra_column,", 1)
        .replacen("select", "select 1 as extra_column,", 1);
    let executed = edit(&mut host, path, edited);
    assert_eq!(
        executed,
        vec![
            "analyze_model(insights.customer_payments)",
            "analyze_model(insights.dim_customers)",
            "model_signature(insights.customer_payments)",
        ]
    );
}

#[test]
fn producer_edit_never_rechecks_other_domains() {
    let mut host = jaffle();
    assert!(host.check().is_empty());
    // A private change in the orders domain (a filter): consumers in insights
    // read orders.stg_orders through its contract only, so nothing re-runs there.
    let path = "orders/models/stg_orders.sql";
    let edited = format!(
        "{}\nWHERE id > 0\n",
        text(&host, path).trim_end().trim_end_matches(';')
    );
    let executed = edit(&mut host, path, edited);
    // Not even the producer's own signature is recomputed: nothing reads it
    // except through the contract.
    assert_eq!(executed, vec!["analyze_model(orders.stg_orders)"]);
}

/// The edit path of watch mode and the language server: an edit of model SQL
/// refreshes that model and its readers in the domain, with exactly the
/// diagnostics a full check gives those files.
#[test]
fn model_edit_diagnostics_cover_the_edited_model_and_its_readers() {
    let mut host = jaffle();
    assert!(host.check().is_empty());
    let path = "insights/models/customer_orders.sql";
    let broken = text(&host, path).replace("min(order_date)", "min(order_dat)");
    let mut change = Change::default();
    change.set_file(path, broken);
    host.apply_change(change);
    let refreshed = host.model_edit_diagnostics(&[path]).expect("a model file");
    let files: Vec<&str> = refreshed.keys().map(String::as_str).collect();
    assert_eq!(
        files,
        vec![
            "insights/models/customer_orders.sql",
            "insights/models/dim_customers.sql"
        ]
    );
    let full = host.check();
    for (file, diagnostics) in &refreshed {
        let expected: Vec<_> = full.iter().filter(|d| &*d.file == file).cloned().collect();
        assert_eq!(diagnostics, &expected, "{file}");
    }
    assert!(
        refreshed[path]
            .iter()
            .any(|d| d.message.contains("order_dat")),
        "{refreshed:#?}"
    );
    assert!(
        host.model_edit_diagnostics(&["insights/domain.yaml"])
            .is_none()
    );
}
