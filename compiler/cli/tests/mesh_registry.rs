//! Contracts across workspaces: publish, lock, diff and update against a real
//! registry directory, exactly as two repositories would use it.

use std::path::Path;
use std::process::{Command, Output};

fn meshc(workspace: &Path, registry: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_meshc"))
        .args(args)
        .arg("--workspace")
        .arg(workspace)
        .arg("--registry")
        .arg(registry)
        .arg("--color=never")
        .output()
        .expect("meshc runs")
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

fn ok(output: &Output) -> String {
    assert!(output.status.success(), "{}", text(output));
    text(output)
}

fn fails(output: &Output) -> String {
    assert_eq!(output.status.code(), Some(1), "{}", text(output));
    text(output)
}

fn write(root: &Path, path: &str, content: &str) {
    let path = root.join(path);
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::fs::write(path, content).expect("write");
}

const CONTRACT_V1: &str = "\
apiVersion: v3.1.0
kind: DataContract
id: orders.fct_orders
version: 1.0.0
status: active
domain: orders
dataProduct: fct_orders
x-team-note: kept verbatim by the registry
schema:
  - name: fct_orders
    properties:
      - { name: order_id, physicalType: INTEGER, required: true, unique: true, primaryKey: true }
      - { name: amount, physicalType: INTEGER, required: true }
      - { name: status, physicalType: VARCHAR }
";

fn producer(root: &Path) {
    write(root, "mesh.yaml", "name: producer\ndomains: [orders]\n");
    write(
        root,
        "orders/domain.yaml",
        "name: orders\nowner: orders-team\nversion: 1.0.0\n",
    );
    write(
        root,
        "orders/sources.yaml",
        "sources:\n  - name: raw_orders\n    path: data/raw_orders.csv\n    columns:\n      - { name: id, type: INTEGER, required: true }\n      - { name: amount, type: INTEGER, required: true }\n      - { name: status, type: VARCHAR }\n",
    );
    write(
        root,
        "orders/models/fct_orders.sql",
        "select id as order_id, amount, status from raw_orders\n",
    );
    write(root, "orders/contracts/fct_orders.yaml", CONTRACT_V1);
}

fn consumer(root: &Path) {
    write(root, "mesh.yaml", "name: consumer\ndomains: [sales]\n");
    write(
        root,
        "sales/domain.yaml",
        "name: sales\nowner: sales-team\nversion: 1.0.0\ndependencies:\n  orders: \">=1.0\"\n",
    );
    write(
        root,
        "sales/models/revenue.sql",
        "select o.order_id,\n       o.amount * 2 as doubled\nfrom orders.fct_orders as o\n",
    );
}

/// The scenario of issue 4: producer publishes v1, consumer locks it, a
/// breaking v2 is refused without a major bump and accepted with one, the
/// consumer keeps building on v1 until `meshc update` shows what breaks.
#[test]
fn two_repositories_through_the_registry() {
    let dir = tempfile::tempdir().expect("temp dir");
    let registry = dir.path().join("registry");
    let (a, b) = (dir.path().join("producer"), dir.path().join("consumer"));
    producer(&a);
    consumer(&b);

    let published = ok(&meshc(&a, &registry, &["publish"]));
    assert!(
        published.contains("published orders.fct_orders@1.0.0"),
        "{published}"
    );
    let stored = std::fs::read_to_string(registry.join("products/orders/fct_orders/1.0.0.yaml"))
        .expect("stored");
    assert_eq!(stored, CONTRACT_V1, "the registry keeps the file verbatim");
    let again = ok(&meshc(&a, &registry, &["publish"]));
    assert!(
        again.contains("unchanged orders.fct_orders@1.0.0"),
        "{again}"
    );

    // Before locking, the consumer cannot see the other repository's domain.
    let unlocked = fails(&meshc(&b, &registry, &["check"]));
    assert!(
        unlocked.contains("MESH2004") && unlocked.contains("meshc lock"),
        "{unlocked}"
    );
    let locked = ok(&meshc(&b, &registry, &["lock"]));
    assert!(
        locked.contains("locked orders.fct_orders 1.0.0"),
        "{locked}"
    );
    let lock = std::fs::read_to_string(b.join("mesh.lock")).expect("lock written");
    assert!(lock.contains("source: registry"), "{lock}");
    ok(&meshc(&b, &registry, &["check"]));
    ok(&meshc(&b, &registry, &["build"]));
    let products = ok(&meshc(&b, &registry, &["products", "orders"]));
    assert!(
        products.contains("orders.fct_orders") && products.contains("sales"),
        "the registry knows the consumer: {products}"
    );

    // A breaking change: `amount` renamed.
    let v2 = CONTRACT_V1.replace("name: amount,", "name: amount_usd,");
    write(&a, "orders/contracts/fct_orders.yaml", &v2);
    write(
        &a,
        "orders/models/fct_orders.sql",
        "select id as order_id, amount as amount_usd, status from raw_orders\n",
    );
    let same_version = fails(&meshc(&a, &registry, &["publish"]));
    assert!(
        same_version.contains("already published with other content"),
        "{same_version}"
    );
    write(
        &a,
        "orders/contracts/fct_orders.yaml",
        &v2.replace("version: 1.0.0", "version: 1.1.0"),
    );
    let minor = fails(&meshc(&a, &registry, &["publish"]));
    assert!(
        minor.contains("breaking changes need a new major version: 2.0.0"),
        "{minor}"
    );
    let diff = fails(&meshc(&a, &registry, &["diff"]));
    expect_test::expect![[r#"
        orders.fct_orders 1.0.0 -> 1.1.0
          BREAKING   column `amount` removed (renamed to `amount_usd`?)
                     breaks sales  sales/models/revenue.sql:2  (orders.fct_orders.amount, workspace `consumer`, on 1.0.0)
          compatible required column `amount_usd` added
          error: breaking changes need a new major version: 2.0.0 or later, not 1.1.0
    "#]]
    .assert_eq(&diff);
    write(
        &a,
        "orders/contracts/fct_orders.yaml",
        &v2.replace("version: 1.0.0", "version: 2.0.0"),
    );
    let major = ok(&meshc(&a, &registry, &["publish"]));
    assert!(
        major.contains("published orders.fct_orders@2.0.0"),
        "{major}"
    );

    // The consumer stays on 1.0.0 until it updates.
    ok(&meshc(&b, &registry, &["check"]));
    ok(&meshc(&b, &registry, &["lock", "--locked"]));
    ok(&meshc(&b, &registry, &["build"]));
    let updated = fails(&meshc(&b, &registry, &["update"]));
    assert!(
        updated.contains("updated orders.fct_orders 1.0.0 -> 2.0.0"),
        "{updated}"
    );
    assert!(
        updated.contains("MESH2009")
            && updated
                .contains("column `amount` is not in the contract of orders.fct_orders@2.0.0")
            && updated.contains("sales/models/revenue.sql:2:8"),
        "{updated}"
    );
    let check = fails(&meshc(&b, &registry, &["check"]));
    assert!(check.contains("MESH2009"), "{check}");
}

/// Every change class of `meshc diff`, with the consumers each breaking
/// change breaks, as one snapshot (`testdata/mesh/diff_classes.txt`).
#[test]
fn diff_classifies_every_change() {
    let dir = tempfile::tempdir().expect("temp dir");
    let registry = dir.path().join("registry");
    let root = dir.path().join("shop");
    producer(&root);
    write(
        &root,
        "mesh.yaml",
        "name: shop\ndomains: [orders, sales, finance]\n",
    );
    let base = format!(
        "{CONTRACT_V1}slaProperties:\n  - property: freshness\n    value: 24\n    unit: h\ncustomProperties:\n  - property: meshc.access\n    value: [sales, finance]\n"
    )
    .replace("      - { name: status, physicalType: VARCHAR }", "      - { name: status, physicalType: VARCHAR, description: Order status. }\n      - { name: total, physicalType: \"DECIMAL(10,2)\" }");
    write(&root, "orders/contracts/fct_orders.yaml", &base);
    write(
        &root,
        "orders/models/fct_orders.sql",
        "select id as order_id, amount, status, cast(amount as decimal(10,2)) as total from raw_orders\n",
    );
    for (domain, sql) in [
        (
            "sales",
            "select o.order_id, o.amount, o.status\nfrom orders.fct_orders as o\n",
        ),
        ("finance", "select *\nfrom orders.fct_orders\n"),
    ] {
        write(
            &root,
            &format!("{domain}/domain.yaml"),
            &format!(
                "name: {domain}\nowner: {domain}-team\nversion: 1.0.0\ndependencies: {{ orders: \"^1.0\" }}\n"
            ),
        );
        write(&root, &format!("{domain}/models/{domain}_orders.sql"), sql);
    }
    ok(&meshc(&root, &registry, &["lock"]));
    ok(&meshc(&root, &registry, &["check"]));
    ok(&meshc(&root, &registry, &["publish", "orders"]));

    let cases: &[(&str, &str, &str)] = &[
        (
            "remove a column",
            "      - { name: amount, physicalType: INTEGER, required: true }\n",
            "",
        ),
        ("rename a column", "name: amount,", "name: amount_cents,"),
        (
            "change a type",
            "name: status, physicalType: VARCHAR",
            "name: status, physicalType: INTEGER",
        ),
        ("narrow a type", "\"DECIMAL(10,2)\"", "\"DECIMAL(8,2)\""),
        (
            "column may now be NULL",
            "name: amount, physicalType: INTEGER, required: true",
            "name: amount, physicalType: INTEGER, required: false",
        ),
        (
            "drop uniqueness and key",
            "required: true, unique: true, primaryKey: true",
            "required: true",
        ),
        ("narrow access", "value: [sales, finance]", "value: [sales]"),
        ("loosen the SLA", "value: 24\n", "value: 48\n"),
        (
            "add an optional column",
            "      - { name: amount, physicalType: INTEGER, required: true }\n",
            "      - { name: amount, physicalType: INTEGER, required: true }\n      - { name: coupon, physicalType: VARCHAR }\n",
        ),
        ("widen a type", "\"DECIMAL(10,2)\"", "\"DECIMAL(12,2)\""),
        (
            "documentation only",
            "description: Order status.",
            "description: Order status (placed, shipped, returned).",
        ),
    ];
    let mut snapshot = String::new();
    for (name, from, to) in cases {
        assert!(base.contains(from), "{name}: {from}");
        let changed = base.replacen(from, to, 1);
        write(&root, "orders/contracts/fct_orders.yaml", &changed);
        let output = meshc(&root, &registry, &["diff"]);
        snapshot.push_str(&format!(
            "== {name} (exit {})\n{}",
            output.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&output.stdout)
        ));
    }
    expect_test::expect_file!["../../../testdata/mesh/diff_classes.txt"].assert_eq(&snapshot);
}

/// `meshc diff --against git:REV` compares with the contract as committed,
/// without any registry: the pre-merge check of a pull request.
#[test]
fn diff_against_a_git_revision() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path().join("repo");
    producer(&root);
    let git = |args: &[&str]| {
        let output = Command::new("git")
            .arg("-C")
            .arg(&root)
            .args(["-c", "user.email=ci@example.com", "-c", "user.name=ci"])
            .args(args)
            .output()
            .expect("git runs");
        assert!(output.status.success(), "{}", text(&output));
    };
    git(&["init", "-q"]);
    git(&["add", "."]);
    git(&["commit", "-q", "-m", "v1"]);
    let unused_registry = dir.path().join("no-registry");
    let unchanged = ok(&meshc(
        &root,
        &unused_registry,
        &["diff", "--against", "git:HEAD"],
    ));
    assert!(
        unchanged.contains("orders.fct_orders 1.0.0: unchanged since 1.0.0"),
        "{unchanged}"
    );
    // A field meshc does not compare still changes the published text.
    write(
        &root,
        "orders/contracts/fct_orders.yaml",
        &format!("{CONTRACT_V1}tags: [finance]\n"),
    );
    let same_version = fails(&meshc(
        &root,
        &unused_registry,
        &["diff", "--against", "git:HEAD"],
    ));
    assert!(
        same_version.contains("the contract text changed but its version is still 1.0.0"),
        "{same_version}"
    );
    let bad_revision = meshc(
        &root,
        &unused_registry,
        &["diff", "--against", "git:--output=x"],
    );
    assert_eq!(
        bad_revision.status.code(),
        Some(2),
        "{}",
        text(&bad_revision)
    );
    write(
        &root,
        "orders/contracts/fct_orders.yaml",
        &CONTRACT_V1
            .replace(
                "required: true }\n      - { name: status",
                "required: false }\n      - { name: status",
            )
            .replace("version: 1.0.0", "version: 1.1.0"),
    );
    let diff = fails(&meshc(
        &root,
        &unused_registry,
        &["diff", "--against", "git:HEAD"],
    ));
    expect_test::expect![[r#"
        orders.fct_orders 1.0.0 -> 1.1.0
          BREAKING   column `amount` may now be NULL (required: true → false)
                     no known consumer reads it
          error: breaking changes need a new major version: 2.0.0 or later, not 1.1.0
    "#]]
    .assert_eq(&diff);
    assert!(
        !unused_registry.exists(),
        "a git diff never creates a registry"
    );
}
