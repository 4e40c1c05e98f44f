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
