//! `--select` on the jaffle_mesh example: which models a build plan holds,
//! and in which order.

mod common;

use mesh_analysis::{Target, parse_selector};

fn planned(selectors: &[&str]) -> Vec<String> {
    let host = common::jaffle();
    let selectors: Vec<_> = selectors
        .iter()
        .map(|s| parse_selector(s).expect("valid selector"))
        .collect();
    let plan = host.plan(Target::DuckDb, &selectors).expect("plan");
    plan.models.iter().map(|m| m.id.clone()).collect()
}

#[test]
fn selectors_pick_models_in_dependency_order() {
    assert_eq!(planned(&["domain:payments"]), vec!["payments.stg_payments"]);
    assert_eq!(
        planned(&["insights.dim_customers"]),
        vec!["insights.dim_customers"]
    );
    assert_eq!(
        planned(&["+dim_customers"]),
        vec![
            "customers.stg_customers",
            "orders.stg_orders",
            "payments.stg_payments",
            "insights.customer_orders",
            "insights.customer_payments",
            "insights.dim_customers",
        ]
    );
    assert_eq!(
        planned(&["stg_orders+"]),
        vec![
            "orders.stg_orders",
            "insights.customer_orders",
            "insights.customer_payments",
            "insights.dim_customers",
            "insights.fct_orders",
        ]
    );
    assert_eq!(planned(&[]).len(), 8);
}

#[test]
fn unknown_selection_is_an_error_with_a_suggestion() {
    let host = common::jaffle();
    let selector = parse_selector("dim_customer").expect("valid selector");
    let error = host
        .plan(Target::DuckDb, &[selector])
        .expect_err("unknown model");
    assert_eq!(
        error,
        mesh_analysis::PlanError::Selection(
            "no model matches `dim_customer` (did you mean `dim_customers`?)".to_string()
        )
    );
}
