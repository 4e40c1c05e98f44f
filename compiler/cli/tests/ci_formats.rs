//! `meshc check` and `meshc diff` for hooks and CI, on the real binary: paths
//! that pick the workspaces to check, and the short, GitHub and SARIF formats
//! (SARIF validated against the official 2.1.0 schema in testdata/sarif/).

mod example;

use std::path::Path;
use std::process::{Command, Output};

use expect_test::{Expect, expect};

/// Runs meshc in `cwd` with nothing from the environment choosing a workspace.
fn meshc_in(cwd: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_meshc"))
        .current_dir(cwd)
        .args(args)
        .arg("--color=never")
        .env_remove("MESHC_WORKSPACE")
        .env_remove("MESHC_REGISTRY")
        .output()
        .expect("meshc runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("utf-8")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn git(repo: &Path, args: &[&str]) {
    let status = Command::new("git")
        .arg("-C")
        .arg(repo)
        .args([
            "-c",
            "user.name=meshc",
            "-c",
            "user.email=meshc@example.com",
        ])
        .args(args)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .stdout(std::process::Stdio::null())
        .status()
        .expect("git runs");
    assert!(status.success(), "git {args:?}");
}

fn edit(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).expect("read");
    assert!(text.contains(from), "{} has no {from:?}", path.display());
    std::fs::write(path, text.replacen(from, to, 1)).expect("write");
}

/// A git repository with jaffle_mesh committed in `jaffle_mesh/` and a
/// README in the repository root, outside the workspace.
fn repository() -> tempfile::TempDir {
    repository_with_workspace_in("jaffle_mesh")
}

fn repository_with_workspace_in(directory: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    example::copy(&example::example(), &dir.path().join(directory));
    std::fs::write(dir.path().join("README.txt"), "not a mesh file\n").expect("write");
    git(dir.path(), &["init", "-q"]);
    git(dir.path(), &["add", "-A"]);
    git(dir.path(), &["commit", "-q", "-m", "jaffle_mesh"]);
    dir
}

/// Two errors: a consumer reads a column the producer's contract does not
/// publish (MESH2009), and a producer outputs another type than its contract
/// declares (MESH1003, with a label on the contract).
fn broken_check(repo: &Path) {
    broken_check_in(&repo.join("jaffle_mesh"));
}

fn broken_check_in(mesh: &Path) {
    edit(
        &mesh.join("insights/models/customer_orders.sql"),
        "count(order_id) as number_of_orders",
        "count(order_id) as number_of_orders,\n    max(order_total) as biggest_order",
    );
    edit(
        &mesh.join("orders/models/stg_orders.sql"),
        "    order_date,",
        "    cast(order_date as varchar) as order_date,",
    );
}

/// A published column removed without a major version bump.
fn broken_contract(repo: &Path) {
    edit(
        &repo.join("jaffle_mesh/orders/contracts/stg_orders.yaml"),
        "      - name: order_date\n        logicalType: date\n        physicalType: DATE\n        required: true\n        description: Date the order was placed.\n",
        "",
    );
}

fn assert_output(output: &Output, code: i32, expected: Expect) {
    assert_eq!(output.status.code(), Some(code), "{}", stderr(output));
    expected.assert_eq(&stdout(output));
}

#[test]
fn short_lines_point_at_files_relative_to_the_current_directory() {
    let repo = repository();
    broken_check(repo.path());
    // From the repository root, as a pre-commit hook runs: one staged file,
    // every error of its workspace (the producer's file was not given).
    let output = meshc_in(
        repo.path(),
        &[
            "check",
            "--format",
            "short",
            "jaffle_mesh/insights/models/customer_orders.sql",
        ],
    );
    assert_output(
        &output,
        1,
        expect![[r#"
            jaffle_mesh/insights/models/customer_orders.sql:7:9: error[MESH2009] column `order_total` is not in the contract of orders.stg_orders@1.0.0
            jaffle_mesh/orders/models/stg_orders.sql:5:10: error[MESH1003] column `order_date` is VARCHAR but its contract orders.stg_orders@1.0.0 declares DATE
        "#]],
    );
    assert!(
        stderr(&output).contains("checked 8 models of jaffle_mesh in"),
        "{}",
        stderr(&output)
    );
    // From inside a domain: paths lead back up.
    let output = meshc_in(
        &repo.path().join("jaffle_mesh/insights"),
        &["check", "--format", "short", "models"],
    );
    assert_output(
        &output,
        1,
        expect![[r#"
            models/customer_orders.sql:7:9: error[MESH2009] column `order_total` is not in the contract of orders.stg_orders@1.0.0
            ../orders/models/stg_orders.sql:5:10: error[MESH1003] column `order_date` is VARCHAR but its contract orders.stg_orders@1.0.0 declares DATE
        "#]],
    );
}

#[test]
fn github_annotations_escape_their_properties_and_data() {
    // `,` and `:` separate a command's properties and `%` starts an escape:
    // all three must be escaped in a file name, `%` and line breaks in the message.
    let workspace = "shop, 100%: mesh";
    let repo = repository_with_workspace_in(workspace);
    broken_check_in(&repo.path().join(workspace));
    let output = meshc_in(
        repo.path(),
        &[
            "check",
            "--format",
            "github",
            &format!("{workspace}/mesh.yaml"),
        ],
    );
    assert_output(
        &output,
        1,
        expect![[r#"
            ::error file=shop%2C 100%25%3A mesh/insights/models/customer_orders.sql,line=7,col=9,endLine=7,endColumn=20,title=MESH2009::column `order_total` is not in the contract of orders.stg_orders@1.0.0%0Ahelp: consumers see only the columns the producer's contract declares%0Asee https://github.com/meshc/meshc/blob/main/docs/diagnostics.md#mesh2009
            ::error file=shop%2C 100%25%3A mesh/orders/models/stg_orders.sql,line=5,col=10,endLine=5,endColumn=46,title=MESH1003::column `order_date` is VARCHAR but its contract orders.stg_orders@1.0.0 declares DATE%0Ahelp: CAST it in the model (`CAST(... AS DATE) AS order_date`) or correct the contract%0Adeclared here: shop, 100%25: mesh/orders/contracts/stg_orders.yaml:63:23%0Asee https://github.com/meshc/meshc/blob/main/docs/diagnostics.md#mesh1003
        "#]],
    );
}

fn sarif_validator() -> jsonschema::Validator {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/sarif/sarif-schema-2.1.0.json");
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("schema")).expect("json");
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("the schema compiles")
}

/// Parses SARIF output and asserts that it satisfies the schema.
fn valid_sarif(output: &Output) -> serde_json::Value {
    let log: serde_json::Value = serde_json::from_str(&stdout(output)).expect("SARIF is JSON");
    let validator = sarif_validator();
    let errors: Vec<String> = validator
        .iter_errors(&log)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "invalid SARIF:\n{}", errors.join("\n"));
    log
}

#[test]
fn the_schema_check_is_strict() {
    // Formats are checked (helpUri must be an absolute URI) and so are the
    // required properties: the validation below can fail.
    let validator = sarif_validator();
    let log = |rule: serde_json::Value, result: serde_json::Value| {
        serde_json::json!({"version": "2.1.0", "runs": [{
            "tool": {"driver": {"name": "meshc", "rules": [rule]}},
            "results": [result]
        }]})
    };
    let rule =
        serde_json::json!({"id": "MESH2009", "helpUri": "https://example.com/d.md#mesh2009"});
    let result = serde_json::json!({"ruleId": "MESH2009", "message": {"text": "m"}});
    assert!(validator.is_valid(&log(rule.clone(), result.clone())));
    let relative = serde_json::json!({"id": "MESH2009", "helpUri": "docs/diagnostics.md#mesh2009"});
    assert!(!validator.is_valid(&log(relative, result)));
    assert!(!validator.is_valid(&log(rule, serde_json::json!({"ruleId": "MESH2009"}))));
}

#[test]
fn sarif_of_check_follows_the_schema() {
    let repo = repository();
    broken_check(repo.path());
    let output = meshc_in(repo.path(), &["check", "--format", "sarif", "jaffle_mesh"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let log = valid_sarif(&output);
    let run = &log["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "meshc");
    let rules: Vec<&str> = run["tool"]["driver"]["rules"]
        .as_array()
        .expect("rules")
        .iter()
        .map(|r| r["id"].as_str().expect("id"))
        .collect();
    assert_eq!(rules, ["MESH1003", "MESH2009"]);
    assert_eq!(
        run["tool"]["driver"]["rules"][0]["helpUri"],
        "https://github.com/meshc/meshc/blob/main/docs/diagnostics.md#mesh1003"
    );
    let results = run["results"].as_array().expect("results");
    assert_eq!(results.len(), 2);
    let mismatch = results
        .iter()
        .find(|r| r["ruleId"] == "MESH1003")
        .expect("MESH1003");
    assert_eq!(mismatch["level"], "error");
    assert_eq!(mismatch["ruleIndex"], 0);
    let location = &mismatch["locations"][0]["physicalLocation"];
    assert_eq!(
        location["artifactLocation"]["uri"],
        "jaffle_mesh/orders/models/stg_orders.sql"
    );
    assert_eq!(location["artifactLocation"]["uriBaseId"], "%SRCROOT%");
    assert_eq!(
        location["region"],
        serde_json::json!({"startLine": 5, "startColumn": 10, "endLine": 5, "endColumn": 46})
    );
    let related = &mismatch["relatedLocations"][0];
    assert_eq!(related["message"]["text"], "declared here");
    assert_eq!(
        related["physicalLocation"]["artifactLocation"]["uri"],
        "jaffle_mesh/orders/contracts/stg_orders.yaml"
    );
    assert_eq!(related["physicalLocation"]["region"]["startLine"], 63);
}

#[test]
fn a_breaking_change_without_a_major_bump_names_its_consumers() {
    let repo = repository();
    broken_contract(repo.path());
    let contract = "jaffle_mesh/orders/contracts/stg_orders.yaml";
    // What the meshc-contracts hook runs.
    let contracts_hook = [
        "diff",
        "--against",
        "HEAD",
        "--locked",
        "--format",
        "short",
        contract,
    ];
    let output = meshc_in(repo.path(), &contracts_hook);
    assert_output(
        &output,
        1,
        expect![[r#"
            jaffle_mesh/orders/contracts/stg_orders.yaml:5:10: error[MESH1010] orders.stg_orders 1.0.0 -> 1.0.0: version 1.0.0 is not greater than the published 1.0.0: these changes need 2.0.0 or later; breaking: column `order_date` removed, which breaks insights at jaffle_mesh/insights/models/customer_orders.sql:4, jaffle_mesh/insights/models/customer_orders.sql:5, jaffle_mesh/insights/models/fct_orders.sql:6
            jaffle_mesh/mesh.lock:10:14: error[MESH2015] mesh.lock is stale for orders.stg_orders: the contract changed since it was locked at 1.0.0 (content hash differs)
        "#]],
    );
    // The consumers are related locations in SARIF.
    let output = meshc_in(
        repo.path(),
        &["diff", "--against", "HEAD", "--format", "sarif", contract],
    );
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let log = valid_sarif(&output);
    let result = &log["runs"][0]["results"][0];
    assert_eq!(result["ruleId"], "MESH1010");
    let related: Vec<String> = result["relatedLocations"]
        .as_array()
        .expect("related")
        .iter()
        .map(|l| {
            format!(
                "{}:{} {}",
                l["physicalLocation"]["artifactLocation"]["uri"]
                    .as_str()
                    .unwrap_or(""),
                l["physicalLocation"]["region"]["startLine"],
                l["message"]["text"].as_str().unwrap_or("")
            )
        })
        .collect();
    assert_eq!(
        related,
        [
            "jaffle_mesh/insights/models/customer_orders.sql:4 breaks insights: reads orders.stg_orders.order_date",
            "jaffle_mesh/insights/models/customer_orders.sql:5 breaks insights: reads orders.stg_orders.order_date",
            "jaffle_mesh/insights/models/fct_orders.sql:6 breaks insights: reads orders.stg_orders.order_date",
        ]
    );
    // With the major bump and a new lock, the step is accepted.
    edit(
        &repo.path().join(contract),
        "version: 1.0.0",
        "version: 2.0.0",
    );
    edit(
        &repo.path().join("jaffle_mesh/insights/domain.yaml"),
        "orders: \"^1.0\"",
        "orders: \"^2.0\"",
    );
    let lock = meshc_in(&repo.path().join("jaffle_mesh"), &["lock"]);
    assert!(lock.status.success(), "{}", stderr(&lock));
    let output = meshc_in(repo.path(), &contracts_hook);
    assert_output(&output, 0, expect![[""]]);
}

#[test]
fn paths_in_no_workspace_load_nothing() {
    let repo = repository();
    broken_check(repo.path());
    // The README is in the repository, not in the workspace below it.
    for format in ["human", "short", "github"] {
        let output = meshc_in(repo.path(), &["check", "--format", format, "README.txt"]);
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        assert_eq!(stdout(&output), "");
        assert_eq!(stderr(&output), "");
    }
    // The file formats still print a valid, empty document.
    let output = meshc_in(repo.path(), &["check", "--format", "sarif", "README.txt"]);
    assert_eq!(output.status.code(), Some(0));
    let log = valid_sarif(&output);
    assert_eq!(log["runs"][0]["results"], serde_json::json!([]));
    let output = meshc_in(repo.path(), &["check", "--format", "json", "README.txt"]);
    assert_eq!(stdout(&output), "[]\n");
    // Several paths of one workspace check it once; a path in none is skipped.
    let output = meshc_in(
        repo.path(),
        &[
            "check",
            "--format",
            "short",
            "README.txt",
            "jaffle_mesh/orders/models/stg_orders.sql",
            "jaffle_mesh/insights/models/customer_orders.sql",
            "jaffle_mesh/deleted_since/staged.sql",
        ],
    );
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(stdout(&output).lines().count(), 2, "{}", stdout(&output));
    assert_eq!(
        stderr(&output).matches("checked 8 models").count(),
        1,
        "{}",
        stderr(&output)
    );
    // Without paths, --workspace and the current directory still decide.
    let output = meshc_in(
        repo.path(),
        &["check", "--format", "short", "--workspace", "jaffle_mesh"],
    );
    assert_eq!(output.status.code(), Some(1));
    assert!(stdout(&output).starts_with("jaffle_mesh/insights/models/customer_orders.sql:7:9:"));
    let output = meshc_in(
        &repo.path().join("jaffle_mesh/orders"),
        &["check", "--format", "short"],
    );
    assert!(stdout(&output).starts_with("../insights/models/customer_orders.sql:7:9:"));
}

#[test]
fn json_output_is_unchanged_by_paths() {
    let repo = repository();
    broken_check(repo.path());
    let with_paths = meshc_in(
        repo.path(),
        &["check", "--format", "json", "jaffle_mesh/orders"],
    );
    let without = meshc_in(
        &repo.path().join("jaffle_mesh"),
        &["check", "--format", "json"],
    );
    assert_eq!(stdout(&with_paths), stdout(&without));
    let items: serde_json::Value = serde_json::from_str(&stdout(&without)).expect("json");
    assert_eq!(items[0]["file"], "insights/models/customer_orders.sql");
}
