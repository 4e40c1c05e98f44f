//! End to end on the teddy_retailers example: `meshc check` is clean, `meshc run`
//! on embedded DuckDB reproduces every row of the twelve models as computed
//! independently by projects/teddy_retailers/expected/compute.py, the tables
//! and views have the contracts' column types, the 14 source tests give the
//! specified outcomes, and the Trino and Teradata builds write every model.

mod example;

use std::path::{Path, PathBuf};

use example::{copy, meshc, query_csv};
use sha2::{Digest, Sha256};

/// The twelve models: domain, name, materialization, the key that orders the
/// expected rows, and the models they read (as `domain.model`).
const MODELS: [(&str, &str, &str, &str, &[&str]); 12] = [
    ("inventory", "stg_catalog", "view", "product_id", &[]),
    ("inventory", "stg_stock", "view", "entry_id", &[]),
    (
        "inventory",
        "products",
        "view",
        "product_id",
        &["inventory.stg_catalog"],
    ),
    (
        "inventory",
        "stock_product",
        "view",
        "product_id, calendar_year, calendar_month",
        &["inventory.stg_stock"],
    ),
    ("sales", "stg_customers", "view", "customer_id", &[]),
    ("sales", "stg_orders", "view", "order_id", &[]),
    (
        "sales",
        "stg_order_products",
        "view",
        "order_id, transaction_id",
        &[],
    ),
    (
        "sales",
        "order_summary",
        "table",
        "order_id",
        &[
            "inventory.products",
            "sales.stg_order_products",
            "sales.stg_orders",
        ],
    ),
    (
        "sales",
        "customer_summary",
        "table",
        "customer_id",
        &["sales.order_summary", "sales.stg_customers"],
    ),
    (
        "finance",
        "order_products_dates",
        "table",
        "order_id, transaction_id",
        &["sales.order_summary", "sales.stg_order_products"],
    ),
    (
        "finance",
        "orders_cost",
        "table",
        "order_id",
        &["finance.order_products_dates", "inventory.stock_product"],
    ),
    (
        "finance",
        "orders_pl",
        "table",
        "order_id",
        &["finance.orders_cost", "sales.order_summary"],
    ),
];

/// The contracted columns as the specification declares them: name, the
/// declared `physicalType`, the type DuckDB materializes and whether the column
/// is declared not null. BYTEINT has no mesh SQL type; SMALLINT, the narrowest
/// mesh SQL integer, stands for it.
type Column = (&'static str, &'static str, &'static str, bool);
const CONTRACTS: [(&str, &str, &[Column]); 5] = [
    (
        "inventory",
        "products",
        &[
            ("product_id", "SMALLINT", "SMALLINT", true),
            ("product_name", "VARCHAR(48)", "VARCHAR", false),
            ("product_category", "VARCHAR(30)", "VARCHAR", false),
            ("price_cents", "SMALLINT", "SMALLINT", false),
        ],
    ),
    (
        "inventory",
        "stock_product",
        &[
            ("product_id", "SMALLINT", "SMALLINT", true),
            ("calendar_month", "INTEGER", "INTEGER", false),
            ("calendar_year", "INTEGER", "INTEGER", false),
            ("quantity", "INTEGER", "INTEGER", false),
            ("avg_purchase_price", "INTEGER", "INTEGER", false),
        ],
    ),
    (
        "sales",
        "stg_order_products",
        &[
            ("transaction_id", "INTEGER", "INTEGER", true),
            ("order_id", "SMALLINT", "SMALLINT", false),
            ("product_id", "SMALLINT", "SMALLINT", false),
            ("product_quantity", "SMALLINT", "SMALLINT", false),
        ],
    ),
    (
        "sales",
        "order_summary",
        &[
            ("order_id", "INTEGER", "INTEGER", true),
            ("customer_id", "INTEGER", "INTEGER", false),
            ("order_status", "VARCHAR(15)", "VARCHAR", false),
            ("order_date", "DATE", "DATE", false),
            ("total_value", "INTEGER", "INTEGER", false),
        ],
    ),
    (
        "sales",
        "customer_summary",
        &[
            ("customer_id", "SMALLINT", "SMALLINT", true),
            ("customer_name", "VARCHAR(20)", "VARCHAR", false),
            ("customer_surname", "VARCHAR(20)", "VARCHAR", false),
            ("customer_email", "VARCHAR(50)", "VARCHAR", false),
            ("customer_tvl", "INTEGER", "INTEGER", false),
        ],
    ),
];

/// The reference query `references/query/query_pl.sql` in mesh SQL, with the
/// revenue column under its name on branch main: integer / integer truncates.
const QUERY_PL: &str = "-- The reference's monthly totals over orders_pl, in whole currency units.
select
    year(order_date) as order_year,
    month(order_date) as order_month,
    sum(order_revenue) / 100 as total_revenue,
    sum(order_cost) / 100 as total_cost,
    sum(order_pl) / 100 as total_profit
from orders_pl
group by year(order_date), month(order_date)
";

/// projects/teddy_retailers in the repository.
fn project() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../projects/teddy_retailers")
}

/// A file of projects/teddy_retailers/expected/.
fn expected(name: &str) -> String {
    let path = project().join("expected").join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Copies the project (without its target/) into a fresh directory.
fn copy_project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    copy(&project(), dir.path());
    dir
}

/// `meshc run`, which must succeed.
fn run(workspace: &Path) -> String {
    let run = meshc(workspace, &["run", "--threads", "2"]);
    let stderr = String::from_utf8_lossy(&run.stderr).into_owned();
    assert!(run.status.success(), "{stderr}");
    stderr
}

/// Equal CSV texts, or a failure naming the first line that differs.
fn assert_same_rows(model: &str, actual: &str, expected: &str) {
    let (a, e): (Vec<&str>, Vec<&str>) = (actual.lines().collect(), expected.lines().collect());
    for (i, (x, y)) in a.iter().zip(&e).enumerate() {
        assert_eq!(
            x,
            y,
            "{model}: line {} differs (line 1 is the header)",
            i + 1
        );
    }
    assert_eq!(a.len(), e.len(), "{model}: number of lines");
    assert_eq!(actual, expected, "{model}: line ends");
}

/// The rows of a one-column-per-field CSV without quoting, header skipped.
fn csv_rows(text: &str) -> Vec<Vec<String>> {
    text.lines()
        .skip(1)
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect()
}

fn run_results(workspace: &Path) -> Vec<serde_json::Value> {
    let text =
        std::fs::read_to_string(workspace.join("target/run_results.json")).expect("run results");
    let json: serde_json::Value = serde_json::from_str(&text).expect("run results are JSON");
    json["results"].as_array().expect("results array").clone()
}

#[test]
fn check_is_clean_and_run_reproduces_every_model() {
    let dir = copy_project();
    let workspace = dir.path();

    let check = meshc(workspace, &["check", "--format", "json"]);
    assert_eq!(
        check.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    let diagnostics: serde_json::Value =
        serde_json::from_slice(&check.stdout).expect("json diagnostics");
    assert_eq!(
        diagnostics,
        serde_json::json!([]),
        "no error and no warning"
    );
    let human = meshc(workspace, &["check"]);
    let stderr = String::from_utf8_lossy(&human.stderr);
    assert!(
        stderr.contains("checked 12 models") && stderr.contains("0 errors, 0 warnings"),
        "{stderr}"
    );

    let stderr = run(workspace);
    assert!(
        stderr.contains("17 succeeded, 0 failed, 0 skipped"),
        "5 sources and 12 models: {stderr}"
    );

    let digests: serde_json::Value =
        serde_json::from_str(&expected("digests.json")).expect("digests are JSON");
    for (domain, model, _, order_by, _) in MODELS {
        let actual = query_csv(
            workspace,
            &format!("select * from {domain}.{model} order by {order_by}"),
        );
        let Some(digest) = digests.get(model) else {
            assert_same_rows(model, &actual, &expected(&format!("{model}.csv")));
            continue;
        };
        // The two models of 46613 rows: the row count and the column sums
        // first (they say what is wrong), then the SHA-256 of every row.
        assert_eq!(
            digest["order_by"].as_array().map(|keys| keys
                .iter()
                .filter_map(|k| k.as_str())
                .collect::<Vec<_>>()
                .join(", ")),
            Some(order_by.to_string()),
            "{model}: compute.py orders the rows as the query does"
        );
        let sums = digest["sums"].as_object().expect("column sums");
        let columns: Vec<String> = sums.keys().map(|c| format!("sum({c}) as {c}")).collect();
        let totals = query_csv(
            workspace,
            &format!(
                "select count(*) as rows, {} from {domain}.{model}",
                columns.join(", ")
            ),
        );
        let mut want = format!(
            "rows,{}\n{}",
            sums.keys().cloned().collect::<Vec<_>>().join(","),
            digest["rows"]
        );
        for value in sums.values() {
            want.push_str(&format!(",{value}"));
        }
        want.push('\n');
        assert_eq!(totals, want, "{model}: row count and column sums");
        let hash: String = Sha256::digest(actual.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(
            Some(hash.as_str()),
            digest["sha256"].as_str(),
            "{model}: the rows differ from compute.py's"
        );
    }

    // Facts of the specification, on what meshc built.
    let counts = query_csv(
        workspace,
        "select (select count(*) from sales.customer_summary) as customers, \
         (select count(*) from sales.stg_customers) as all_customers, \
         (select count(*) from finance.order_products_dates) as lines, \
         (select count(*) from sales.order_summary) as orders, \
         (select count(*) from finance.orders_cost) as costed, \
         (select count(*) from finance.orders_pl) as pl, \
         (select count(*) from finance.orders_pl where order_pl < 0) as losses",
    );
    let values: Vec<u64> = csv_rows(&counts)[0]
        .iter()
        .map(|v| v.parse().expect("a count"))
        .collect();
    let [customers, all_customers, lines, orders, costed, pl, losses] = values[..] else {
        panic!("seven counts: {counts}");
    };
    assert_eq!(
        (customers, all_customers),
        (994, 1000),
        "6 customers never ordered"
    );
    assert_eq!((lines, orders), (46613, 4443));
    assert!(costed < orders && costed == pl, "{counts}");
    assert!(losses > 0, "order_pl can be negative: {counts}");

    // Each model is stored as the specification says, under its own domain.
    let stored = query_csv(
        workspace,
        "select table_schema, table_name, table_type from information_schema.tables \
         where table_schema in ('inventory', 'sales', 'finance') and table_name not like 'source_%' \
         order by table_schema, table_name",
    );
    let mut want: Vec<String> = MODELS
        .iter()
        .map(|(domain, model, materialization, _, _)| {
            let kind = if *materialization == "view" {
                "VIEW"
            } else {
                "BASE TABLE"
            };
            format!("{domain},{model},{kind}")
        })
        .collect();
    want.sort();
    assert_eq!(
        stored,
        format!("table_schema,table_name,table_type\n{}\n", want.join("\n"))
    );

    // run_results.json: every model succeeded, with the tables' row counts.
    let results = run_results(workspace);
    for (domain, model, materialization, _, _) in MODELS {
        let id = format!("{domain}.{model}");
        let result = results
            .iter()
            .find(|r| r["id"] == id.as_str())
            .unwrap_or_else(|| panic!("{id} has a result"));
        assert_eq!(result["status"], "success", "{id}: {result}");
        if materialization == "table" {
            let rows = query_csv(workspace, &format!("select count(*) as n from {id}"));
            assert_eq!(format!("n\n{}\n", result["rows"]), rows, "{id}");
        }
    }
}

#[test]
fn the_fourteen_source_tests_give_the_specified_outcomes() {
    let dir = copy_project();
    let workspace = dir.path();
    let stderr = run(workspace);
    let results = run_results(workspace);
    let checks: Vec<&serde_json::Value> = results
        .iter()
        .filter_map(|r| r["checks"].as_array())
        .flatten()
        .collect();
    let want = csv_rows(&expected("source_tests.csv"));
    assert_eq!(checks.len(), 14, "{checks:?}");
    assert_eq!(want.len(), 14);
    for row in &want {
        let [name, value] = &row[..] else {
            panic!("rule,value: {row:?}");
        };
        let value: f64 = value.parse().expect("a count");
        let check = checks
            .iter()
            .find(|c| c["name"] == name.as_str())
            .unwrap_or_else(|| panic!("a rule {name}"));
        assert_eq!(check["value"].as_f64(), Some(value), "{name}");
        assert_eq!(check["passed"].as_bool(), Some(value == 0.0), "{name}");
        // The three tests that fail by design are warnings, so that they are
        // reported without stopping the products they sit on.
        let severity = if value == 0.0 { "error" } else { "warning" };
        assert_eq!(check["severity"], severity, "{name}");
        if value != 0.0 {
            assert!(
                stderr.contains(&format!(
                    "WARN {name} (warning): {value}, expected = 0 rows"
                )),
                "{stderr}"
            );
        }
    }
    let failing: Vec<f64> = want
        .iter()
        .filter_map(|r| r[1].parse::<f64>().ok())
        .filter(|v| *v != 0.0)
        .collect();
    assert_eq!(failing, vec![938.0, 4210.0, 50.0]);

    let test = meshc(workspace, &["test"]);
    let out = String::from_utf8_lossy(&test.stdout);
    let err = String::from_utf8_lossy(&test.stderr);
    assert_eq!(test.status.code(), Some(0), "{out}{err}");
    assert!(
        format!("{out}{err}").contains("14 rules on 5 products")
            && format!("{out}{err}").contains("11 passed, 0 failed, 3 warnings"),
        "{out}{err}"
    );
}

#[test]
fn materialized_types_match_the_contracts() {
    let dir = copy_project();
    let workspace = dir.path();
    run(workspace);
    for (domain, product, columns) in CONTRACTS {
        let path = format!("{domain}/contracts/{product}.yaml");
        let text = std::fs::read_to_string(workspace.join(&path)).expect("contract");
        let contract =
            mesh_analysis::parse_external_contract(&path, &text).expect("the contract parses");
        let declared: Vec<(String, String, bool)> = contract
            .columns
            .iter()
            .map(|c| {
                let ty =
                    c.ty.as_ref()
                        .map(|t| t.value.to_string())
                        .unwrap_or_default();
                (c.name.value.clone(), ty, c.required)
            })
            .collect();
        let specified: Vec<(String, String, bool)> = columns
            .iter()
            .map(|(name, _, ty, required)| (name.to_string(), ty.to_string(), *required))
            .collect();
        assert_eq!(declared, specified, "{path}: names, order, types, not null");
        // The physicalType as the specification spells it (lengths included).
        let mut rest = text.as_str();
        for (name, physical, _, _) in columns {
            let at = rest
                .find(&format!("- name: {name}\n"))
                .unwrap_or_else(|| panic!("{path}: property {name}, in order"));
            rest = &rest[at..];
            let line = rest
                .lines()
                .find(|l| l.trim_start().starts_with("physicalType:"))
                .expect("physicalType");
            assert_eq!(line.trim(), format!("physicalType: {physical}"), "{path}");
        }

        let materialized = query_csv(
            workspace,
            &format!(
                "select column_name, data_type from information_schema.columns \
                 where table_schema = '{domain}' and table_name = '{product}' order by ordinal_position"
            ),
        );
        let want: Vec<String> = columns
            .iter()
            .map(|(name, _, ty, _)| format!("{name},{ty}"))
            .collect();
        assert_eq!(
            materialized,
            format!("column_name,data_type\n{}\n", want.join("\n")),
            "{domain}.{product}"
        );
        // The not-null columns hold no NULL.
        for (name, _, _, required) in columns {
            if *required {
                let nulls = query_csv(
                    workspace,
                    &format!("select count(*) as n from {domain}.{product} where {name} is null"),
                );
                assert_eq!(nulls, "n\n0\n", "{domain}.{product}.{name}");
            }
        }
    }
}

#[test]
fn the_reference_query_in_mesh_sql_truncates_its_totals() {
    let dir = copy_project();
    let workspace = dir.path();
    // The reference query is not a model of the mesh; added as one here, it
    // is compiled from mesh SQL, where integer / integer truncates.
    std::fs::write(workspace.join("finance/models/query_pl.sql"), QUERY_PL).expect("write model");
    let stderr = run(workspace);
    assert!(
        stderr.contains("18 succeeded, 0 failed, 0 skipped"),
        "{stderr}"
    );
    let totals = query_csv(
        workspace,
        "select * from finance.query_pl order by order_year, order_month",
    );
    assert_same_rows("query_pl", &totals, &expected("query_pl.csv"));
    let types = query_csv(
        workspace,
        "select data_type from information_schema.columns \
         where table_schema = 'finance' and table_name = 'query_pl' order by ordinal_position",
    );
    assert_eq!(types, "data_type\nBIGINT\nBIGINT\nBIGINT\nBIGINT\nBIGINT\n");
}

#[test]
fn teradata_and_trino_builds_write_every_model_in_dependency_order() {
    let dir = copy_project();
    let workspace = dir.path();
    for target in ["teradata", "trino"] {
        let build = meshc(workspace, &["build", "--target", target]);
        let stderr = String::from_utf8_lossy(&build.stderr);
        assert!(build.status.success(), "{target}: {stderr}");
        assert!(
            stderr.contains(&format!("built 12 models for {target}")),
            "{stderr}"
        );
    }

    let manifest: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(workspace.join("target/manifest.json")).expect("manifest"),
    )
    .expect("manifest is JSON");
    let entries = manifest["models"].as_array().expect("models");
    assert_eq!(entries.len(), 12);
    let bteq =
        std::fs::read_to_string(workspace.join("target/teradata/run.bteq")).expect("run.bteq");
    let trino = std::fs::read_to_string(workspace.join("target/trino/run.sql")).expect("run.sql");
    assert_eq!(
        bteq.matches(".RUN FILE = ").count(),
        13,
        "logon and 12 models:\n{bteq}"
    );
    let mut bteq_at = Vec::new();
    let mut trino_at = Vec::new();
    for (domain, model, materialization, _, inputs) in MODELS {
        let id = format!("{domain}.{model}");
        // Inputs, materialization and publication as the specification says:
        // other domains are read through their contracts only.
        let entry = entries
            .iter()
            .find(|m| m["id"] == id.as_str())
            .unwrap_or_else(|| panic!("{id} in the manifest"));
        let mut depends: Vec<&str> = entry["depends_on"]
            .as_array()
            .expect("depends_on")
            .iter()
            .filter_map(|d| d.as_str())
            .filter(|d| {
                !d.split('.')
                    .nth(1)
                    .is_some_and(|n| n.starts_with("source_"))
            })
            .collect();
        depends.sort_unstable();
        assert_eq!(depends, inputs, "{id}");
        assert_eq!(entry["materialization"], materialization, "{id}");
        let published = CONTRACTS
            .iter()
            .any(|(d, p, _)| *d == domain && *p == model);
        assert_eq!(entry["published"], published, "{id}");

        for target in ["teradata", "trino"] {
            let sql = std::fs::read_to_string(
                workspace.join(format!("target/{target}/{domain}/{model}.sql")),
            )
            .unwrap_or_else(|e| panic!("{target} script of {id}: {e}"));
            assert!(
                sql.starts_with(&format!("-- {id} ({materialization}), generated by meshc")),
                "{sql}"
            );
        }
        let teradata_sql = std::fs::read_to_string(
            workspace.join(format!("target/teradata/{domain}/{model}.sql")),
        )
        .expect("teradata script");
        let created = if materialization == "view" {
            format!("REPLACE VIEW \"{domain}\".\"{model}\" AS")
        } else {
            format!("RENAME TABLE \"{domain}\".\"{model}__meshc_new\" TO \"{domain}\".\"{model}\";")
        };
        assert!(teradata_sql.contains(&created), "{teradata_sql}");
        let run_file = format!(".RUN FILE = {domain}/{model}.sql\n");
        bteq_at.push(
            bteq.find(&run_file)
                .unwrap_or_else(|| panic!("{run_file} in run.bteq")),
        );
        // In the output catalog of targets.trino in mesh.yaml.
        let statement = if materialization == "view" {
            format!("CREATE OR REPLACE VIEW \"teddy\".\"{domain}\".\"{model}\" AS")
        } else {
            format!(
                "ALTER TABLE \"teddy\".\"{domain}\".\"{model}__meshc_new\" RENAME TO \"teddy\".\"{domain}\".\"{model}\";"
            )
        };
        trino_at.push(
            trino
                .find(&statement)
                .unwrap_or_else(|| panic!("{statement} in run.sql")),
        );
    }
    // Every model after the models it reads.
    for (i, (domain, model, _, _, inputs)) in MODELS.iter().enumerate() {
        for input in *inputs {
            let j = MODELS
                .iter()
                .position(|(d, m, _, _, _)| format!("{d}.{m}") == *input)
                .expect("an input is a model");
            assert!(
                bteq_at[j] < bteq_at[i],
                "run.bteq: {input} before {domain}.{model}"
            );
            assert!(
                trino_at[j] < trino_at[i],
                "run.sql: {input} before {domain}.{model}"
            );
        }
    }
    // The truncating mean stays an integer division on every target.
    let mean = |target: &str| {
        std::fs::read_to_string(
            workspace.join(format!("target/{target}/inventory/stock_product.sql")),
        )
        .expect("stock_product script")
    };
    assert!(
        mean("teradata")
            .contains("sum(CAST(\"purchase_price_cents\" AS BIGINT)) / CAST(count(*) AS BIGINT)")
    );
    assert!(mean("trino").contains("sum(purchase_price_cents) / count(*)"));
    assert!(!mean("teradata").to_lowercase().contains("avg("));
    // The sources are the PostgreSQL tables of targets.trino.sources.
    let staging = |domain: &str, model: &str| {
        std::fs::read_to_string(workspace.join(format!("target/trino/{domain}/{model}.sql")))
            .expect("staging script")
    };
    assert!(
        staging("inventory", "stg_stock").contains("\"inventorydb\".\"public\".\"source_stock\"")
    );
    assert!(
        staging("sales", "stg_order_products")
            .contains("\"salesdb\".\"public\".\"source_order_products\"")
    );
}
