//! `meshc init` and `meshc new`: the blueprints form a workspace that checks
//! clean and runs, and `meshc query` prints every format.

use std::path::Path;
use std::process::{Command, Output};

fn meshc(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_meshc"))
        .args(args)
        .current_dir(dir)
        .arg("--color=never")
        .output()
        .expect("meshc runs")
}

fn ok(output: &Output) -> String {
    assert!(
        output.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn blueprints_check_clean_and_run() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path().join("shop");
    ok(&meshc(dir.path(), &["init", "shop"]));
    ok(&meshc(&root, &["new", "domain", "orders"]));
    ok(&meshc(&root, &["new", "domain", "sales"]));
    let mesh = std::fs::read_to_string(root.join("mesh.yaml")).expect("mesh.yaml");
    assert!(mesh.contains("domains: [orders, sales]"), "{mesh}");
    ok(&meshc(
        &root,
        &["new", "product", "order_summary", "--domain", "orders"],
    ));
    // Creating twice never overwrites.
    let again = meshc(
        &root,
        &["new", "product", "order_summary", "--domain", "orders"],
    );
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));
    ok(&meshc(&root, &["check"]));

    // A consumer in another domain reads the product through its contract.
    std::fs::write(
        root.join("sales/models/report.sql"),
        "select order_summary_id, upper(label) as label from orders.order_summary\n",
    )
    .expect("write");
    let undeclared = meshc(&root, &["check"]);
    assert_eq!(undeclared.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&undeclared.stderr).contains("MESH2002"));
    let domain = std::fs::read_to_string(root.join("sales/domain.yaml")).expect("domain.yaml");
    std::fs::write(
        root.join("sales/domain.yaml"),
        domain.replace("dependencies: {}", "dependencies: { orders: \"^0.1\" }"),
    )
    .expect("write");
    // Reading another domain's product needs it locked first.
    let unlocked = meshc(&root, &["check"]);
    assert_eq!(unlocked.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&unlocked.stderr).into_owned();
    assert!(
        stderr.contains("MESH2014") && stderr.contains("meshc lock"),
        "{stderr}"
    );
    ok(&meshc(&root, &["lock"]));
    assert!(root.join("mesh.lock").is_file());
    ok(&meshc(&root, &["check"]));
    ok(&meshc(&root, &["lock", "--locked"]));

    ok(&meshc(&root, &["run"]));
    let table = ok(&meshc(&root, &["query", "select * from sales.report"]));
    assert_eq!(
        table,
        "order_summary_id | label\n-----------------+--------\n               1 | EXAMPLE\n(1 row)\n"
    );
    let json = ok(&meshc(
        &root,
        &["query", "--format", "json", "select * from sales.report"],
    ));
    let parsed: serde_json::Value = serde_json::from_str(&json).expect("json");
    assert_eq!(
        parsed,
        serde_json::json!([{"order_summary_id": 1, "label": "EXAMPLE"}])
    );
    let compiled = ok(&meshc(&root, &["compile", "sales.report"]));
    assert!(
        compiled.contains("\"orders\".\"order_summary\""),
        "{compiled}"
    );
    assert!(root.join("target/manifest.json").is_file());
    assert!(root.join("target/duckdb/sales/report.sql").is_file());
}
