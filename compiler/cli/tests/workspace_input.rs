//! Hardening of what meshc reads and writes, on copies of the jaffle_mesh
//! example and the real binary: files that are not regular files, names,
//! the lock of a broken contract, line endings and interrupted writes.

#[allow(dead_code)] // query_csv and expected serve the other suites
mod example;

use std::path::Path;
use std::process::{Command, Output};

use example::{copy, example, meshc};

fn copy_example() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    copy(&example(), dir.path());
    dir
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The names in a directory, sorted.
fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("read dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// A `meshc build` that runs out of space (a file size limit of 1 KiB, with
/// SIGXFSZ ignored so the write fails with EFBIG as on a full disk) keeps the
/// previous SQL file whole and leaves no temporary file behind.
#[cfg(unix)]
#[test]
fn a_failed_build_write_keeps_the_previous_file() {
    let dir = copy_example();
    let workspace = dir.path();
    let build = meshc(workspace, &["build"]);
    assert!(build.status.success(), "{}", stderr(&build));
    let out = workspace.join("target/duckdb/insights");
    let sql_path = out.join("customer_orders.sql");
    let before = std::fs::read_to_string(&sql_path).expect("built SQL");
    let files_before = listing(&out);

    // A model whose DDL is larger than the limit.
    let model = workspace.join("insights/models/customer_orders.sql");
    let text = std::fs::read_to_string(&model).expect("model");
    let padding = format!("    '{}' as padding,\n", "x".repeat(2000));
    let grown = text.replacen(
        "    customer_id,\n",
        &format!("    customer_id,\n{padding}"),
        1,
    );
    assert_ne!(grown, text);
    std::fs::write(&model, grown).expect("write model");

    let limited = Command::new("bash")
        .arg("-c")
        .arg(r#"trap "" XFSZ; ulimit -f 1; exec "$0" "$@""#)
        .arg(env!("CARGO_BIN_EXE_meshc"))
        .args(["build", "--color=never", "--workspace"])
        .arg(workspace)
        .output()
        .expect("bash runs");
    assert!(!limited.status.success(), "the write must fail");
    assert!(
        stderr(&limited).contains("customer_orders.sql"),
        "{}",
        stderr(&limited)
    );
    assert_eq!(
        std::fs::read_to_string(&sql_path).expect("still there"),
        before,
        "the previous file is intact"
    );
    assert_eq!(listing(&out), files_before, "no temporary file is left");

    // Without the limit the same build replaces the file.
    let build = meshc(workspace, &["build"]);
    assert!(build.status.success(), "{}", stderr(&build));
    assert!(
        std::fs::read_to_string(&sql_path)
            .expect("rebuilt")
            .contains("padding")
    );
    assert_eq!(listing(&out), files_before);
}

/// `meshc lock` with a consumed product's contract that does not parse shows
/// the YAML error, exits 1 and leaves mesh.lock alone (it wrote
/// `version: 0.0.0` and exited 0); `check` reports the YAML error and no
/// stale lock on top of it.
#[test]
fn lock_refuses_a_contract_that_does_not_parse() {
    let dir = copy_example();
    let workspace = dir.path();
    let lock_before = std::fs::read_to_string(workspace.join("mesh.lock")).expect("lock");
    let contract = workspace.join("orders/contracts/stg_orders.yaml");
    let text = std::fs::read_to_string(&contract).expect("contract");
    std::fs::write(
        &contract,
        text.replacen("version: 1.0.0", "version: [1.0.0", 1),
    )
    .expect("write contract");

    let lock = meshc(workspace, &["lock"]);
    assert_eq!(lock.status.code(), Some(1), "{}", stderr(&lock));
    assert!(stderr(&lock).contains("MESH0201"), "{}", stderr(&lock));
    assert!(
        stderr(&lock).contains("orders/contracts/stg_orders.yaml"),
        "{}",
        stderr(&lock)
    );
    assert_eq!(
        std::fs::read_to_string(workspace.join("mesh.lock")).expect("lock"),
        lock_before,
        "mesh.lock is untouched"
    );

    let check = meshc(workspace, &["check", "--format", "json"]);
    assert_eq!(check.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&check.stdout).expect("json");
    let codes: Vec<&str> = json
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|d| d["code"].as_str())
        .collect();
    assert!(codes.contains(&"MESH0201"), "{codes:?}");
    assert!(
        !codes.iter().any(|c| *c == "MESH2014" || *c == "MESH2015"),
        "{codes:?}"
    );

    // A contract without a version cannot be pinned either.
    std::fs::write(&contract, text.replacen("version: 1.0.0\n", "", 1)).expect("write contract");
    let lock = meshc(workspace, &["lock"]);
    assert_eq!(lock.status.code(), Some(1), "{}", stderr(&lock));
    assert!(
        stderr(&lock).contains("has no `version`"),
        "{}",
        stderr(&lock)
    );
    assert_eq!(
        std::fs::read_to_string(workspace.join("mesh.lock")).expect("lock"),
        lock_before
    );
}

/// A Windows checkout (every contract with CRLF line endings) keeps the
/// committed mesh.lock valid.
#[test]
fn crlf_contracts_keep_the_lock_valid() {
    let dir = copy_example();
    let workspace = dir.path();
    for domain in ["customers", "orders", "payments", "insights"] {
        let contracts = workspace.join(domain).join("contracts");
        for name in listing(&contracts) {
            let path = contracts.join(name);
            let text = std::fs::read_to_string(&path).expect("contract");
            std::fs::write(&path, text.replace('\n', "\r\n")).expect("write");
        }
    }
    let check = meshc(workspace, &["check"]);
    assert!(check.status.success(), "{}", stderr(&check));
    let locked = meshc(workspace, &["lock", "--locked"]);
    assert!(locked.status.success(), "{}", stderr(&locked));
}

/// A file that cannot be read (here: not UTF-8) is reported once, and nothing
/// it declares is reported again as missing: consumers of an unreadable model,
/// contract, sources.yaml or domain.yaml get no follow-on errors.
#[test]
fn an_unreadable_file_is_the_only_error() {
    for relative in [
        "orders/models/stg_orders.sql",
        "insights/models/customer_orders.sql",
        "orders/contracts/stg_orders.yaml",
        "customers/contracts/stg_customers.yaml",
        "orders/sources.yaml",
        "insights/domain.yaml",
        "mesh.lock",
    ] {
        let dir = copy_example();
        let workspace = dir.path();
        let path = workspace.join(relative);
        let mut bytes = std::fs::read(&path).expect("read");
        bytes.extend_from_slice(b"\n-- caf\xE9\n");
        std::fs::write(&path, bytes).expect("write");

        let check = meshc(workspace, &["check", "--format", "json"]);
        let json: serde_json::Value = serde_json::from_slice(&check.stdout).expect("json");
        let found: Vec<(String, String)> = json
            .as_array()
            .expect("array")
            .iter()
            .map(|d| {
                (
                    d["code"].as_str().unwrap_or_default().to_string(),
                    d["file"].as_str().unwrap_or_default().to_string(),
                )
            })
            .collect();
        assert_eq!(
            found,
            vec![("MESH0002".to_string(), relative.to_string())],
            "{relative}: {}",
            stderr(&check)
        );
        assert_eq!(check.status.code(), Some(1), "{relative}");
    }
}
