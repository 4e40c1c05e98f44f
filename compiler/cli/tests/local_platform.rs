//! End to end on the local_platform example, delivery by delivery: `meshc
//! check` is clean; the first run on embedded DuckDB gives the rows that
//! projects/local_platform/expected/compute.py computes independently, with
//! every quality rule passing; when the second week's exports arrive, the two
//! incremental silver models merge only their new rows, and every model then
//! equals both a full refresh and compute.py's rows; a dirty third export
//! (20% of its rows unreadable) makes sales.orders INVALID by its record-loss
//! rule, keeps its previous version, skips its four consumers and changes no
//! data. The Trino and Teradata builds write every model.

mod example;

use std::path::Path;

use example::{copy, meshc, project, query_csv};

/// The silver and gold models compared with compute.py's rows: domain, name
/// and the key that orders the rows.
const COMPARED: [(&str, &str, &str); 8] = [
    ("sales", "customers", "customer_id"),
    ("sales", "orders", "order_id"),
    ("marketing", "campaigns", "campaign_id"),
    ("marketing", "touchpoints", "touch_id"),
    ("sales", "daily_revenue", "order_date"),
    ("sales", "customer_value", "customer_id"),
    ("marketing", "order_attribution", "order_id"),
    ("marketing", "campaign_performance", "campaign_id"),
];

/// Every model: domain, name and how meshc stores it.
const MODELS: [(&str, &str, &str); 10] = [
    ("sales", "raw_orders", "view"),
    ("sales", "orders", "incremental"),
    ("sales", "customers", "table"),
    ("sales", "daily_revenue", "table"),
    ("sales", "customer_value", "table"),
    ("marketing", "raw_touchpoints", "view"),
    ("marketing", "touchpoints", "incremental"),
    ("marketing", "campaigns", "table"),
    ("marketing", "order_attribution", "table"),
    ("marketing", "campaign_performance", "table"),
];

/// The models that read sales.orders, directly or through another model.
const CONSUMERS_OF_ORDERS: [&str; 4] = [
    "sales.daily_revenue",
    "sales.customer_value",
    "marketing.order_attribution",
    "marketing.campaign_performance",
];

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A file of projects/local_platform/expected/.
fn expected(name: &str) -> String {
    let path = project("local_platform").join("expected").join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// expected/runs.json.
fn runs() -> serde_json::Value {
    serde_json::from_str(&expected("runs.json")).expect("runs.json is JSON")
}

/// `meshc run` with `args`; returns whether it succeeded, and its stderr.
fn run(workspace: &Path, args: &[&str]) -> (bool, String) {
    let mut all = vec!["run", "--threads", "2"];
    all.extend_from_slice(args);
    let output = meshc(workspace, &all);
    (output.status.success(), text(&output.stderr))
}

/// Lands a delivered file: copies deliveries/<domain>/<file> over the
/// header-only placeholder at <domain>/data/<file>.
fn deliver(workspace: &Path, domain: &str, file: &str) {
    let placeholder = workspace.join(domain).join("data").join(file);
    let before = std::fs::read_to_string(&placeholder).expect("the week's placeholder");
    assert_eq!(before.lines().count(), 1, "{file} is not delivered yet");
    std::fs::copy(
        workspace.join("deliveries").join(domain).join(file),
        &placeholder,
    )
    .expect("copy the delivery");
}

/// The rows of the compared models, as `meshc query --format csv` prints them.
fn contents(workspace: &Path) -> Vec<(String, String)> {
    COMPARED
        .iter()
        .map(|(domain, model, key)| {
            let rows = query_csv(
                workspace,
                &format!("select * from {domain}.{model} order by {key}"),
            );
            (format!("{domain}.{model}"), rows)
        })
        .collect()
}

/// Every compared model equals expected/<run>/<model>.csv.
fn assert_expected(workspace: &Path, run: &str) {
    for (id, rows) in contents(workspace) {
        let model = id.split_once('.').map(|(_, m)| m).unwrap_or_default();
        assert_eq!(
            rows,
            expected(&format!("{run}/{model}.csv")),
            "{id} after the {run} run"
        );
    }
}

/// The progress line of `model`.
fn progress<'a>(stderr: &'a str, model: &str) -> &'a str {
    stderr
        .lines()
        .find(|l| l.contains(&format!(" model {model} ")))
        .unwrap_or_else(|| panic!("no progress line for {model}:\n{stderr}"))
}

fn run_results(workspace: &Path) -> Vec<serde_json::Value> {
    let text =
        std::fs::read_to_string(workspace.join("target/run_results.json")).expect("run results");
    let json: serde_json::Value = serde_json::from_str(&text).expect("run results are JSON");
    json["results"].as_array().expect("results array").clone()
}

fn result<'a>(results: &'a [serde_json::Value], id: &str) -> &'a serde_json::Value {
    results
        .iter()
        .find(|r| r["id"] == id)
        .unwrap_or_else(|| panic!("{id} has a result"))
}

/// The value run_results.json gives rule `rule` of `product`.
fn rule_value(results: &[serde_json::Value], product: &str, rule: &str) -> f64 {
    result(results, product)["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .find(|c| c["name"] == rule)
        .and_then(|c| c["value"].as_f64())
        .unwrap_or_else(|| panic!("{product} has a rule {rule} with a value"))
}

/// Each record-loss value of a run in runs.json (keyed `product/rule`)
/// equals the one meshc computed.
fn assert_record_loss(results: &[serde_json::Value], run: &serde_json::Value) {
    let values = run["record_loss_percent"].as_object().expect("record loss");
    assert_eq!(values.len(), 5, "three order and two touchpoint exports");
    for (key, want) in values {
        let (product, rule) = key.split_once('/').expect("product/rule");
        let got = rule_value(results, product, rule);
        let want = want.as_f64().expect("a number");
        assert!(
            (got - want).abs() < 1e-9,
            "{key}: meshc {got}, compute.py {want}"
        );
    }
}

#[test]
fn three_deliveries_merge_refresh_and_gate_as_specified() {
    let dir = tempfile::tempdir().expect("temp dir");
    let workspace = dir.path();
    copy(&project("local_platform"), workspace);
    let runs = runs();

    // Clean, offline: no error and no warning.
    let check = meshc(workspace, &["check", "--format", "json"]);
    assert_eq!(check.status.code(), Some(0), "{}", text(&check.stderr));
    let diagnostics: serde_json::Value =
        serde_json::from_slice(&check.stdout).expect("json diagnostics");
    assert_eq!(diagnostics, serde_json::json!([]));
    let human = text(&meshc(workspace, &["check"]).stderr);
    assert!(
        human.contains("checked 10 models") && human.contains("0 errors, 0 warnings"),
        "{human}"
    );

    // First delivery: the week of 2024-06-08 (the second and third weeks'
    // exports hold their header line only).
    let (ok, stderr) = run(workspace, &[]);
    assert!(ok, "{stderr}");
    assert!(
        stderr.contains("17 succeeded, 0 failed, 0 skipped"),
        "7 sources and 10 models: {stderr}"
    );
    assert!(
        stderr.contains("source sales.orders_2024_06_08 (")
            && stderr.contains("104 rows)")
            && stderr.contains("source sales.orders_2024_06_15 (")
            && stderr.contains("0 rows)"),
        "{stderr}"
    );
    let line = progress(&stderr, "sales.orders");
    assert!(
        line.contains("OK") && line.ends_with(", 98 rows)") && !line.contains("merged"),
        "the first run builds the whole table: {line}"
    );
    assert_expected(workspace, "first_delivery");
    let results = run_results(workspace);
    let mut rules = 0;
    for r in &results {
        for check in r["checks"].as_array().into_iter().flatten() {
            assert_eq!(check["passed"], true, "{}: {check}", r["id"]);
            rules += 1;
        }
    }
    assert_eq!(rules, 50, "the quality rules of the eight contracts");
    assert_record_loss(&results, &runs["first_delivery"]);
    // Cleaning at work: 2 of the 104 rows of the first export cannot be read
    // (an empty date and 2024-06-31); 4 more are duplicates.
    assert_eq!(
        rule_value(&results, "sales.orders", "export_2024_06_08_kept"),
        100.0 * 2.0 / 104.0
    );
    assert_eq!(
        query_csv(
            workspace,
            "select count(*) as raw, count(distinct order_id) as orders from sales.raw_orders"
        ),
        "raw,orders\n104,100\n"
    );
    let first = contents(workspace);

    // Each model is stored as domain.yaml says.
    let stored = query_csv(
        workspace,
        "select table_schema, table_name, table_type from information_schema.tables \
         where table_schema in ('sales', 'marketing') order by table_schema, table_name",
    );
    for (domain, model, materialization) in MODELS {
        let kind = if materialization == "view" {
            "VIEW"
        } else {
            "BASE TABLE"
        };
        assert!(
            stored.contains(&format!("\n{domain},{model},{kind}\n")),
            "{domain}.{model}: {stored}"
        );
    }

    // Second delivery: the week of 2024-06-15. Only its rows are new: 51 new
    // orders, 4 that store terminals synced late, 10 re-exported with a new
    // status; 40 new touchpoints (the repeated day of 2024-06-07 is not new).
    deliver(workspace, "sales", "orders_2024_06_15.csv");
    deliver(workspace, "marketing", "touchpoints_2024_06_15.csv");
    let (ok, stderr) = run(workspace, &[]);
    assert!(ok, "{stderr}");
    let merged = &runs["second_delivery"]["merged"];
    assert_eq!(merged["sales.orders"], 65);
    assert_eq!(merged["marketing.touchpoints"], 40);
    let line = progress(&stderr, "sales.orders");
    assert!(
        line.contains("OK") && line.ends_with(", 65 new rows merged, 153 rows)"),
        "{line}"
    );
    let line = progress(&stderr, "marketing.touchpoints");
    assert!(
        line.contains("OK") && line.ends_with(", 40 new rows merged, 115 rows)"),
        "{line}"
    );
    assert_expected(workspace, "second_delivery");
    let results = run_results(workspace);
    assert_record_loss(&results, &runs["second_delivery"]);
    // A re-exported order replaced its first version; a late order landed on
    // its own day, whose row in the mart changed.
    assert_eq!(
        query_csv(
            workspace,
            "select order_id, order_date, status, net_amount, delivery from sales.orders \
             where order_id in (5004, 5081, 5154) order by order_id"
        ),
        "order_id,order_date,status,net_amount,delivery\n\
         5004,2024-06-01,returned,0.00,orders_2024_06_15.csv\n\
         5081,2024-06-06,cancelled,0.00,orders_2024_06_15.csv\n\
         5154,2024-06-06,shipped,258.90,orders_2024_06_15.csv\n"
    );
    let day = |rows: &str| {
        rows.lines()
            .find(|l| l.starts_with("2024-06-06,"))
            .map(str::to_string)
            .expect("a row for 2024-06-06")
    };
    let second = contents(workspace);
    assert_eq!(day(&first[4].1), "2024-06-06,13,12,12,1491.80");
    assert_eq!(day(&second[4].1), "2024-06-06,15,13,12,1626.60");

    // A full refresh rebuilds everything from the bronze files: the same rows.
    let (ok, stderr) = run(workspace, &["--full-refresh"]);
    assert!(ok, "{stderr}");
    assert!(
        !stderr.contains("merged"),
        "a full refresh rebuilds: {stderr}"
    );
    assert!(
        progress(&stderr, "sales.orders").ends_with(", 153 rows)"),
        "{stderr}"
    );
    assert_eq!(
        contents(workspace),
        second,
        "the merges equal a full refresh"
    );

    // The dirty delivery: the export of 2024-06-22 switched its date format
    // for the last 6 rows and wrote 2 amounts with a currency; 8 of its 40
    // rows cannot be read, 20% > 3%.
    let dirty = &runs["dirty_delivery"];
    assert_eq!(
        (&dirty["export_rows"], &dirty["unusable_rows"]),
        (&serde_json::json!(40), &serde_json::json!(8))
    );
    deliver(workspace, "sales", "orders_2024_06_22.csv");
    let output = meshc(workspace, &["run", "--threads", "2"]);
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    let line = progress(&stderr, "sales.orders");
    assert!(line.contains("INVALID"), "{line}");
    assert!(
        stderr.contains("FAIL export_2024_06_22_kept (error): 20%, expected <= 3%"),
        "{stderr}"
    );
    for consumer in CONSUMERS_OF_ORDERS {
        let line = progress(&stderr, consumer);
        assert!(line.contains("SKIPPED"), "{line}");
        let at = stderr.find(line).expect("the line") + line.len();
        assert!(
            stderr[at..].trim_start().starts_with(
                "skipped: upstream sales.orders is INVALID (failed rule export_2024_06_22_kept)"
            ),
            "{consumer}: {stderr}"
        );
    }
    assert!(
        stderr.contains("MESH5004")
            && stderr.contains(
                "sales.orders is INVALID: rule export_2024_06_22_kept failed (value 20, expected <= 3%); the"
            )
            && stderr.contains("previous version is kept"),
        "{stderr}"
    );
    assert!(
        progress(&stderr, "marketing.touchpoints").ends_with(", 0 new rows merged, 115 rows)"),
        "{stderr}"
    );
    assert!(
        stderr.contains("12 succeeded, 0 failed, 4 skipped, 1 invalid"),
        "{stderr}"
    );
    let results = run_results(workspace);
    let orders = result(&results, "sales.orders");
    assert_eq!(orders["status"], "invalid", "{orders}");
    assert_record_loss(&results, dirty);
    for consumer in CONSUMERS_OF_ORDERS {
        assert_eq!(
            result(&results, consumer)["status"],
            "skipped",
            "{consumer}"
        );
    }
    // Bronze holds the dirty export as delivered; silver and gold are the
    // second run's, row for row.
    assert_eq!(
        query_csv(
            workspace,
            "select count(*) as n from sales.raw_orders where delivery = 'orders_2024_06_22.csv'"
        ),
        "n\n40\n"
    );
    assert_eq!(contents(workspace), second, "no data changed");
    assert_expected(workspace, "second_delivery");
}

#[test]
fn trino_and_teradata_builds_write_every_model_and_both_merges() {
    let dir = tempfile::tempdir().expect("temp dir");
    let workspace = dir.path();
    copy(&project("local_platform"), workspace);
    for target in ["trino", "teradata"] {
        let build = meshc(workspace, &["build", "--target", target]);
        let stderr = text(&build.stderr);
        assert!(build.status.success(), "{target}: {stderr}");
        assert!(
            stderr.contains(&format!("built 10 models for {target}")),
            "{stderr}"
        );
        for (domain, model, materialization) in MODELS {
            let path = workspace.join(format!("target/{target}/{domain}/{model}.sql"));
            let sql = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            assert!(
                sql.starts_with(&format!(
                    "-- {domain}.{model} ({materialization}), generated by meshc"
                )),
                "{sql}"
            );
            let merge = workspace.join(format!("target/{target}/{domain}/{model}.merge.sql"));
            assert_eq!(
                merge.exists(),
                materialization == "incremental",
                "{}",
                merge.display()
            );
            if materialization == "incremental" {
                let merge = std::fs::read_to_string(&merge).expect("merge script");
                assert!(merge.contains("max(\"exported_at\")"), "{merge}");
            }
        }
    }
    let bteq =
        std::fs::read_to_string(workspace.join("target/teradata/run.bteq")).expect("run.bteq");
    // marketing's attribution after the sales products it reads.
    let at = |file: &str| {
        bteq.find(&format!(".RUN FILE = {file}\n"))
            .unwrap_or_else(|| panic!("{file} in run.bteq:\n{bteq}"))
    };
    assert!(at("sales/orders.sql") < at("marketing/order_attribution.sql"));
    assert!(at("sales/customers.sql") < at("marketing/order_attribution.sql"));
    assert!(at("marketing/order_attribution.sql") < at("marketing/campaign_performance.sql"));
}
