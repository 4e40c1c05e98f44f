//! Quality checks in build plans: the rules of each published product's
//! contract in the target's SQL, the products their checks read built first,
//! and rules that cannot be emitted reported at the rule.

mod common;

use mesh_analysis::{CHECKED_RELATION, Code, PlanError, Target, parse_selector};

fn summary(host: &mesh_analysis::AnalysisHost, selectors: &[&str]) -> String {
    let selectors: Vec<_> = selectors
        .iter()
        .map(|s| parse_selector(s).expect("valid selector"))
        .collect();
    let plan = host.plan(Target::DuckDb, &selectors).expect("plan");
    let mut out = String::new();
    for model in &plan.models {
        out.push_str(&format!(
            "{} <- {}\n",
            model.id,
            model.depends_on.join(", ")
        ));
        for check in &model.checks {
            assert!(check.sql.contains(CHECKED_RELATION), "{}", check.sql);
            out.push_str(&format!(
                "  {} {:?} {} {:?}{}\n",
                check.name,
                check.severity,
                check.threshold,
                check.unit,
                if check.failing_rows_sql.is_some() {
                    " (failing rows)"
                } else {
                    ""
                }
            ));
        }
    }
    out
}

#[test]
fn published_products_carry_their_checks_and_read_products_built_first() {
    let host = common::jaffle();
    expect_test::expect![[r#"
        customers.stg_customers <- customers.raw_customers
          stg_customers_not_empty Error > 0 Rows
          customer_id_unique Error = 0 Rows (failing rows)
          email_unique Warning = 0 Rows (failing rows)
        orders.stg_orders <- orders.raw_orders
          stg_orders_not_empty Error > 0 Rows
          one_order_per_customer_and_day Warning = 0 Rows (failing rows)
          order_id_unique Error = 0 Rows (failing rows)
          status_accepted_values Error = 0 Rows (failing rows)
        payments.stg_payments <- payments.raw_payments
          stg_payments_not_empty Error > 0 Rows
          amount_not_negative Error = 0 Rows
          payment_id_unique Error = 0 Rows (failing rows)
          payment_method_accepted_values Error = 0 Rows (failing rows)
          amount_complete Error <= 5 Percent (failing rows)
        insights.customer_orders <- orders.stg_orders
        insights.customer_payments <- orders.stg_orders, payments.stg_payments
        insights.order_payments <- payments.stg_payments
        insights.dim_customers <- customers.stg_customers, insights.customer_orders, insights.customer_payments
          dim_customers_row_count Error between 50 and 1000000 Rows
          no_customer_lost Error = 0 Rows (failing rows)
          customer_id_not_null Error = 0 Rows (failing rows)
          customer_id_unique Error = 0 Rows (failing rows)
          customer_id_references_customers_stg_customers Error = 0 Rows (failing rows)
          first_order_complete Warning <= 50 Percent (failing rows)
        insights.fct_orders <- insights.order_payments, orders.stg_orders, insights.dim_customers
          fct_orders_not_empty Error > 0 Rows
          few_orders_lost Error < 3 Percent (failing rows)
          amount_is_sum_of_methods Error = 0 Rows
          order_id_not_null Error = 0 Rows (failing rows)
          order_id_unique Error = 0 Rows (failing rows)
          customer_id_references_insights_dim_customers Error = 0 Rows (failing rows)
          status_accepted_values Error = 0 Rows (failing rows)
          amount_complete Error <= 5 Percent (failing rows)
    "#]]
    .assert_eq(&summary(&host, &[]));
    // Outside the plan, a product a check reads is its last built version.
    expect_test::expect![[r#"
        insights.fct_orders <- insights.order_payments, orders.stg_orders
    "#]]
    .assert_eq(
        &summary(&host, &["fct_orders"])
            .lines()
            .next()
            .map(|l| format!("{l}\n"))
            .unwrap_or_default(),
    );
}

#[test]
fn a_check_reading_a_consumer_adds_no_cycle() {
    let mut host = common::jaffle();
    let path = "orders/contracts/stg_orders.yaml";
    common::replace_in(
        &mut host,
        path,
        "        description: Customer who placed the order; a customer_id of customers.stg_customers.\n",
        "        description: Customer who placed the order; a customer_id of customers.stg_customers.\n        relationships:\n          - type: foreignKey\n            to: ../../insights/contracts/dim_customers.yaml#/schema/dim_customers/properties/customer_id\n",
    );
    // Reading another domain's product, even in a rule, needs the dependency.
    let Err(PlanError::Diagnostics(undeclared)) = host.plan(Target::DuckDb, &[]) else {
        panic!("a rule reading an undeclared dependency must not plan");
    };
    assert_eq!(undeclared[0].code, Code::UndeclaredDependency);
    common::replace_in(
        &mut host,
        "orders/domain.yaml",
        "materialization: view",
        "dependencies:\n  insights: \"^1.0\"\nmaterialization: view",
    );
    let plan = host.plan(Target::DuckDb, &[]).expect("plan");
    let stg = plan
        .models
        .iter()
        .find(|m| m.id == "orders.stg_orders")
        .expect("planned");
    assert_eq!(stg.depends_on, ["orders.raw_orders"]);
    assert!(
        stg.checks
            .iter()
            .any(|c| c.name == "customer_id_references_insights_dim_customers")
    );
    let position = |id: &str| plan.models.iter().position(|m| m.id == id);
    assert!(position("orders.stg_orders") < position("insights.dim_customers"));
}

#[test]
fn a_rule_that_cannot_be_emitted_is_a_diagnostic_at_the_rule() {
    let mut host = common::jaffle();
    let path = "orders/contracts/stg_orders.yaml";
    let edited = common::replace_in(
        &mut host,
        path,
        "properties: [customer_id, order_date]",
        "properties: [customer_id, ordered_on]",
    );
    let Err(PlanError::Diagnostics(diagnostics)) = host.plan(Target::DuckDb, &[]) else {
        panic!("the plan must fail");
    };
    assert_eq!(diagnostics.len(), 1, "{diagnostics:#?}");
    let d = &diagnostics[0];
    assert_eq!(d.code, Code::InvalidQualityRule);
    assert_eq!(&*d.file, path);
    assert_eq!(
        d.message,
        "rule `one_order_per_customer_and_day` names column `ordered_on`, which the contract of orders.stg_orders does not declare"
    );
    assert_eq!(
        &edited[d.range.start as usize..d.range.end as usize],
        "one_order_per_customer_and_day"
    );
}
