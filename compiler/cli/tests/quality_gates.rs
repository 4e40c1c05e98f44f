//! Quality gates demonstrated on the jaffle_mesh example: every example rule
//! passes on the example data; a rule made to fail marks the product INVALID
//! in run_results.json, skips its consumers naming the rule, and loses no
//! previous data; `--allow-invalid` serves it anyway; `meshc test` reports
//! the rules and `--show-failures` the failing rows.

mod example;

use std::path::Path;

use example::{copy, example, expected, meshc, query_csv};

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Runs `meshc test` with `args`, asserts its exit code and returns its
/// stdout and stderr.
fn meshc_test(workspace: &Path, args: &[&str], code: i32) -> (String, String) {
    let mut all = vec!["test"];
    all.extend_from_slice(args);
    let test = meshc(workspace, &all);
    let (stdout, stderr) = (text(&test.stdout), text(&test.stderr));
    assert_eq!(test.status.code(), Some(code), "{stdout}{stderr}");
    (stdout, stderr)
}

/// The result of node `id` in target/run_results.json.
fn node(workspace: &Path, id: &str) -> serde_json::Value {
    let results: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(workspace.join("target/run_results.json")).expect("run results"),
    )
    .expect("json");
    results["results"]
        .as_array()
        .expect("results array")
        .iter()
        .find(|r| r["id"] == id)
        .unwrap_or_else(|| panic!("no result for {id}"))
        .clone()
}

fn edit(path: &Path, from: &str, to: &str) {
    let before = std::fs::read_to_string(path).expect("file");
    let after = before.replacen(from, to, 1);
    assert_ne!(before, after, "{} has no `{from}`", path.display());
    std::fs::write(path, after).expect("write");
}

const PRODUCTS: [&str; 5] = [
    "customers.stg_customers",
    "orders.stg_orders",
    "payments.stg_payments",
    "insights.dim_customers",
    "insights.fct_orders",
];

#[test]
fn every_example_rule_passes_on_the_example_data() {
    let dir = tempfile::tempdir().expect("temp dir");
    let workspace = dir.path();
    copy(&example(), workspace);
    let run = meshc(workspace, &["run"]);
    assert!(run.status.success(), "{}", text(&run.stderr));
    let mut rules = 0;
    for id in PRODUCTS {
        let result = node(workspace, id);
        assert_eq!(result["status"], "success", "{result:#}");
        let checks = result["checks"].as_array().expect("checks");
        assert!(!checks.is_empty(), "{id} has rules");
        for check in checks {
            assert_eq!(check["passed"], true, "{id}: {check:#}");
            assert!(check["value"].is_number(), "{check:#}");
        }
        rules += checks.len();
    }
    assert_eq!(rules, 26);
    assert!(
        node(workspace, "insights.customer_orders")["checks"]
            .as_array()
            .is_some_and(Vec::is_empty),
        "private models have no rules"
    );

    let (stdout, stderr) = meshc_test(workspace, &[], 0);
    assert_eq!(
        stdout.lines().filter(|l| l.ends_with(" pass")).count(),
        26,
        "{stdout}"
    );
    assert!(
        stdout.contains(
            "insights.fct_orders      few_orders_lost                                 error        0%  < 3%                         pass"
        ),
        "{stdout}"
    );
    assert!(
        stderr.contains(
            "26 rules on 5 products in target/jaffle_mesh.duckdb: 26 passed, 0 failed, 0 warnings"
        ),
        "{stderr}"
    );
}

#[test]
fn a_failed_rule_marks_the_product_invalid_skips_its_consumers_and_keeps_its_data() {
    let dir = tempfile::tempdir().expect("temp dir");
    let workspace = dir.path();
    copy(&example(), workspace);
    assert!(meshc(workspace, &["run"]).status.success());

    // A new customer arrives, and the contract of dim_customers no longer
    // accepts more than 100 rows: dim_customers is INVALID.
    let customers = workspace.join("customers/data/raw_customers.csv");
    let mut csv = std::fs::read_to_string(&customers).expect("customers");
    csv.push_str("101,Ada,Lovelace,ada@example.com\n");
    std::fs::write(&customers, csv).expect("write customers");
    edit(
        &workspace.join("insights/contracts/dim_customers.yaml"),
        "mustBeBetween: [50, 1000000]",
        "mustBeBetween: [50, 100]",
    );
    let run = meshc(workspace, &["run"]);
    let stderr = text(&run.stderr);
    assert_eq!(run.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("INVALID model insights.dim_customers"),
        "{stderr}"
    );
    assert!(
        stderr.contains(
            "FAIL dim_customers_row_count (error): 101, expected between 50 and 100 rows"
        ),
        "{stderr}"
    );
    assert!(stderr.contains("MESH5004"), "{stderr}");
    assert!(
        stderr.contains("insights/contracts/dim_customers.yaml:23:15"),
        "the diagnostic points at the rule: {stderr}"
    );
    assert!(
        stderr.contains("9 succeeded, 0 failed, 1 skipped, 1 invalid"),
        "{stderr}"
    );
    let dim = node(workspace, "insights.dim_customers");
    assert_eq!(dim["status"], "invalid");
    assert_eq!(
        dim["error"],
        "insights.dim_customers is INVALID: rule dim_customers_row_count failed (value 101, expected between 50 and 100 rows); the previous version is kept"
    );
    let failed: Vec<&serde_json::Value> = dim["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .filter(|c| c["passed"] == false)
        .collect();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0]["name"], "dim_customers_row_count");
    assert_eq!(failed[0]["value"], 101.0);
    assert_eq!(failed[0]["threshold"], "between 50 and 100 rows");
    // fct_orders checks its customer_id against dim_customers, so it is built
    // after it, and skipped with it.
    let fct = node(workspace, "insights.fct_orders");
    assert_eq!(fct["status"], "skipped");
    assert_eq!(
        fct["error"],
        "skipped: upstream insights.dim_customers is INVALID (failed rule dim_customers_row_count)"
    );
    assert!(
        stderr.contains("skipped: upstream insights.dim_customers is INVALID"),
        "{stderr}"
    );
    // No previous data lost: both tables are exactly yesterday's.
    assert_eq!(
        query_csv(
            workspace,
            "select * from insights.dim_customers order by customer_id"
        ),
        expected("dim_customers.csv")
    );
    assert_eq!(
        query_csv(
            workspace,
            "select * from insights.fct_orders order by order_id"
        ),
        expected("fct_orders.csv")
    );

    // On the served data, dim_customers lacks the new customer of its
    // upstream: `meshc test` fails and shows that customer.
    let (stdout, _) = meshc_test(
        workspace,
        &["--select", "insights.dim_customers", "--show-failures"],
        1,
    );
    assert!(
        stdout.contains("insights.dim_customers  no_customer_lost"),
        "{stdout}"
    );
    assert!(
        stdout.contains("failing rows of insights.dim_customers no_customer_lost (at most 20):"),
        "{stdout}"
    );
    assert!(
        stdout.contains("101 | Ada        | Lovelace  | ada@example.com"),
        "{stdout}"
    );

    // --allow-invalid: served anyway, still INVALID, and consumers are built.
    let run = meshc(workspace, &["run", "--allow-invalid"]);
    let stderr = text(&run.stderr);
    assert_eq!(run.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("warning: 1 invalid product was served anyway (--allow-invalid)"),
        "{stderr}"
    );
    let dim = node(workspace, "insights.dim_customers");
    assert_eq!(dim["status"], "invalid");
    assert_eq!(dim["rows"], 101);
    assert_eq!(node(workspace, "insights.fct_orders")["status"], "success");
    assert_eq!(
        query_csv(
            workspace,
            "select count(*) as n from insights.dim_customers"
        ),
        "n\n101\n"
    );
}

#[test]
fn an_invalid_staging_product_skips_its_consumers_in_another_domain() {
    let dir = tempfile::tempdir().expect("temp dir");
    let workspace = dir.path();
    copy(&example(), workspace);
    // Published, so the registry records the quality of each run.
    let publish = meshc(workspace, &["publish"]);
    assert!(publish.status.success(), "{}", text(&publish.stderr));
    assert!(meshc(workspace, &["run"]).status.success());
    let quality = |workspace: &Path| {
        let products = meshc(workspace, &["products", "--domain", "customers"]);
        assert!(products.status.success(), "{}", text(&products.stderr));
        text(&products.stdout)
    };
    assert!(
        quality(workspace)
            .contains("customers.stg_customers  1.0.0    customers-team@jaffle.example  VALID"),
        "{}",
        quality(workspace)
    );

    // Customer 5 exported twice: customers.stg_customers breaks its key.
    let customers = workspace.join("customers/data/raw_customers.csv");
    let mut csv = std::fs::read_to_string(&customers).expect("customers");
    csv.push_str("5,Katherine,Rice,krice4-again@example.com\n");
    std::fs::write(&customers, csv).expect("write customers");
    let run = meshc(workspace, &["run"]);
    let stderr = text(&run.stderr);
    assert_eq!(run.status.code(), Some(1), "{stderr}");
    let stg = node(workspace, "customers.stg_customers");
    assert_eq!(stg["status"], "invalid");
    assert_eq!(
        stg["error"],
        "customers.stg_customers is INVALID: rule customer_id_unique failed (value 1, expected = 0 rows); the previous view definition is kept"
    );
    for consumer in ["insights.dim_customers", "insights.fct_orders"] {
        let result = node(workspace, consumer);
        assert_eq!(result["status"], "skipped", "{result:#}");
        assert_eq!(
            result["error"],
            "skipped: upstream customers.stg_customers is INVALID (failed rule customer_id_unique)"
        );
    }
    for unaffected in [
        "orders.stg_orders",
        "payments.stg_payments",
        "insights.customer_orders",
    ] {
        assert_eq!(node(workspace, unaffected)["status"], "success");
    }
    assert!(
        quality(workspace).contains("INVALID (customer_id_unique)"),
        "{}",
        quality(workspace)
    );
    // The consumers keep the data of the last valid run.
    assert_eq!(
        query_csv(
            workspace,
            "select * from insights.dim_customers order by customer_id"
        ),
        expected("dim_customers.csv")
    );

    let (stdout, _) = meshc_test(
        workspace,
        &["-s", "customers.stg_customers", "--show-failures"],
        1,
    );
    assert!(
        stdout.contains(
            "customers.stg_customers  customer_id_unique       error         1  = 0 rows   FAIL"
        ),
        "{stdout}"
    );
    let failing = stdout
        .split("failing rows of customers.stg_customers customer_id_unique (at most 20):\n")
        .nth(1)
        .expect("failing rows shown");
    let mut lines: Vec<&str> = failing.lines().collect();
    lines[2..4].sort_unstable();
    assert_eq!(
        lines,
        [
            "customer_id | first_name | last_name | email",
            "------------+------------+-----------+-------------------------",
            "          5 | Katherine  | Rice      | krice4-again@example.com",
            "          5 | Katherine  | Rice      | krice4@typepad.com",
            "(2 rows)",
        ]
    );
}

/// Writes `files` (path, text) under `root`.
fn write_files(root: &Path, files: &[(&str, &str)]) {
    for (path, content) in files {
        let dest = root.join(path);
        std::fs::create_dir_all(dest.parent().expect("parent")).expect("mkdir");
        std::fs::write(dest, content).expect("write");
    }
}

const SHOP_CONTRACT: &str = r#"apiVersion: v3.1.0
kind: DataContract
id: shop.items
name: items
version: 1.0.0
status: active
domain: shop
dataProduct: items
schema:
  - id: items
    name: items
    quality:
      - name: between_three_and_ten
        metric: rowCount
        mustBeBetween: [3, 10]
      - name: label_and_day_mostly_unique
        metric: duplicateValues
        arguments: { properties: [label, day] }
        mustBeLessThan: 30
        unit: percent
      - name: nothing_lost
        type: custom
        engine: meshc
        implementation:
          metric: recordLoss
          arguments: { upstream: shop.ids, properties: [id] }
          mustBeLessOrEqualTo: 25
          unit: percent
      - name: no_expensive_items
        type: sql
        query: SELECT count(*) FROM {object} WHERE price > 100;
        mustBe: 0
    properties:
      - id: id
        name: id
        physicalType: INTEGER
        required: true
      - name: label
        physicalType: VARCHAR
        quality:
          - name: known_labels
            metric: invalidValues
            arguments: { validValues: ["it's", plain] }
            mustBe: 0
      - name: day
        physicalType: DATE
        quality:
          - name: known_days
            metric: invalidValues
            arguments: { validValues: ["2024-01-01", "2024-01-02"] }
            mustBe: 0
      - name: price
        physicalType: DECIMAL(10,2)
        quality:
          - name: known_prices
            metric: invalidValues
            arguments: { validValues: ["1.50", "2"] }
            mustBe: 1
          - name: price_mostly_there
            metric: nullValues
            mustBeLessOrEqualTo: 25
            unit: percent
            severity: warning
      - name: flag
        physicalType: BOOLEAN
        quality:
          - name: flags_set
            metric: invalidValues
            arguments: { validValues: ["true"] }
            mustBe: 1
      - name: parent_id
        physicalType: INTEGER
        relationships:
          - type: foreignKey
            to: items.yaml#/schema/items/properties/id
      - name: ts
        physicalType: TIMESTAMP
slaProperties:
  - property: freshness
    value: 1
    unit: d
    element: items.ts
"#;

const IDS_CONTRACT: &str = r#"apiVersion: v3.1.0
kind: DataContract
id: shop.ids
name: ids
version: 1.0.0
status: active
domain: shop
dataProduct: ids
schema:
  - id: ids
    name: ids
    properties:
      - { id: id, name: id, physicalType: INTEGER, required: true }
"#;

/// Every form of rule, compiled for DuckDB and run on it: each value is the
/// documented metric, and freshness fails on data from 2024.
#[test]
fn every_rule_form_runs_on_duckdb() {
    let dir = tempfile::tempdir().expect("temp dir");
    let workspace = dir.path();
    write_files(
        workspace,
        &[
            ("mesh.yaml", "name: store\ndomains: [shop]\n"),
            (
                "shop/domain.yaml",
                "name: shop\nowner: shop-team\nversion: 1.0.0\nmaterialization: table\n",
            ),
            (
                "shop/sources.yaml",
                "sources:\n  - name: raw_items\n    path: data/raw_items.csv\n    columns:\n      - { name: id, type: INTEGER, required: true }\n      - { name: label, type: VARCHAR }\n      - { name: day, type: DATE }\n      - { name: price, type: \"DECIMAL(10,2)\" }\n      - { name: flag, type: BOOLEAN }\n      - { name: parent_id, type: INTEGER }\n      - { name: ts, type: TIMESTAMP }\n",
            ),
            (
                "shop/data/raw_items.csv",
                "id,label,day,price,flag,parent_id,ts\n1,it's,2024-01-01,1.50,true,,2024-01-01 10:00:00\n2,plain,2024-01-01,2,false,1,2024-01-02 00:00:00\n3,plain,2024-01-02,,true,2,2024-01-01 00:00:00\n4,plain,2024-01-02,3,true,1,2024-01-01 00:00:00\n",
            ),
            (
                "shop/models/items.sql",
                "select id, label, day, price, flag, parent_id, ts from raw_items\n",
            ),
            (
                "shop/models/ids.sql",
                "select id from raw_items union all select 5 as id\n",
            ),
            ("shop/contracts/items.yaml", SHOP_CONTRACT),
            ("shop/contracts/ids.yaml", IDS_CONTRACT),
        ],
    );
    let check = meshc(workspace, &["check"]);
    assert!(check.status.success(), "{}", text(&check.stderr));
    let run = meshc(workspace, &["run"]);
    let stderr = text(&run.stderr);
    assert_eq!(run.status.code(), Some(1), "{stderr}");
    let items = node(workspace, "shop.items");
    assert_eq!(items["status"], "invalid", "{items:#}");
    let checks: Vec<String> = items["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .map(|c| {
            let value = c["value"].as_f64().expect("a value");
            let value = if c["name"] == "ts_freshness" {
                // Seconds since 2024-01-02: more than the day allowed.
                assert!(value > 86_400.0 * 300.0, "{value}");
                "old".to_string()
            } else {
                format!("{value:.2}")
            };
            format!("{} {} {} {}", c["name"], value, c["threshold"], c["passed"])
        })
        .collect();
    assert_eq!(
        checks,
        [
            r#""between_three_and_ten" 4.00 "between 3 and 10 rows" true"#,
            // (plain, 2024-01-02) occurs twice: one duplicated pair of four rows.
            r#""label_and_day_mostly_unique" 25.00 "< 30%" true"#,
            // Id 5 of shop.ids is missing: one of five.
            r#""nothing_lost" 20.00 "<= 25%" true"#,
            r#""no_expensive_items" 0.00 "= 0 rows" true"#,
            r#""known_labels" 0.00 "= 0 rows" true"#,
            r#""known_days" 0.00 "= 0 rows" true"#,
            // 3.00 is the one price not accepted; NULL is not a value.
            r#""known_prices" 1.00 "= 1 rows" true"#,
            r#""price_mostly_there" 25.00 "<= 25%" true"#,
            r#""flags_set" 1.00 "= 1 rows" true"#,
            r#""parent_id_references_shop_items" 0.00 "= 0 rows" true"#,
            r#""ts_freshness" old "<= 86400s" false"#,
        ]
    );
    assert!(stderr.contains("FAIL ts_freshness (error): "), "{stderr}");
    // ids is built before items (record loss reads it) and is valid.
    assert_eq!(node(workspace, "shop.ids")["status"], "success");
}

/// A record-loss rule compares the product's key with the upstream's: keys
/// that cannot be compared (an INTEGER id against a VARCHAR one) are an
/// error at `meshc check`, not an implicit cast at run time.
#[test]
fn a_record_loss_key_of_another_type_is_an_error_at_check() {
    let dir = tempfile::tempdir().expect("temp dir");
    let workspace = dir.path();
    let ids_as_text = IDS_CONTRACT.replace("physicalType: INTEGER", "physicalType: VARCHAR");
    write_files(
        workspace,
        &[
            ("mesh.yaml", "name: store\ndomains: [shop]\n"),
            (
                "shop/domain.yaml",
                "name: shop\nowner: shop-team\nversion: 1.0.0\nmaterialization: table\n",
            ),
            (
                "shop/sources.yaml",
                "sources:\n  - name: raw_items\n    path: data/raw_items.csv\n    columns:\n      - { name: id, type: INTEGER, required: true }\n",
            ),
            ("shop/data/raw_items.csv", "id\n1\n"),
            ("shop/models/items.sql", "select id from raw_items\n"),
            (
                "shop/models/ids.sql",
                "select cast(id as varchar) as id from raw_items\n",
            ),
            (
                "shop/contracts/items.yaml",
                "apiVersion: v3.1.0\nkind: DataContract\nid: shop.items\nname: items\nversion: 1.0.0\nstatus: active\ndomain: shop\ndataProduct: items\nschema:\n  - name: items\n    quality:\n      - name: nothing_lost\n        type: custom\n        engine: meshc\n        implementation:\n          metric: recordLoss\n          arguments: { upstream: shop.ids, properties: [id] }\n          mustBe: 0\n    properties:\n      - { name: id, physicalType: INTEGER, required: true }\n",
            ),
            ("shop/contracts/ids.yaml", &ids_as_text),
        ],
    );
    let check = meshc(workspace, &["check", "--format", "short"]);
    let stdout = text(&check.stdout);
    assert_eq!(check.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("shop/contracts/items.yaml:")
            && stdout.contains("error[MESH3002] rule `nothing_lost`:"),
        "{stdout}"
    );
    // Keys of one type check clean.
    std::fs::write(workspace.join("shop/contracts/ids.yaml"), IDS_CONTRACT).expect("write");
    std::fs::write(
        workspace.join("shop/models/ids.sql"),
        "select id from raw_items\n",
    )
    .expect("write");
    let check = meshc(workspace, &["check"]);
    assert!(check.status.success(), "{}", text(&check.stderr));
}
