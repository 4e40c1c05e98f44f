//! Shared helpers of the tests that run the example projects end to end.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// projects/<name> in the repository.
#[allow(dead_code)] // Not every test binary that includes this module reads a project.
pub(crate) fn project(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../projects")
        .join(name)
}

/// projects/jaffle_mesh in the repository.
#[allow(dead_code)] // Not every test binary that includes this module runs jaffle_mesh.
pub(crate) fn example() -> PathBuf {
    project("jaffle_mesh")
}

/// Copies a workspace (without its target/) into `to`.
pub(crate) fn copy(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create dir");
    for entry in std::fs::read_dir(from).expect("read example") {
        let entry = entry.expect("entry");
        let path = entry.path();
        if path.file_name().is_some_and(|n| n == "target") {
            continue;
        }
        let dest = to.join(entry.file_name());
        if path.is_dir() {
            copy(&path, &dest);
        } else {
            std::fs::copy(&path, &dest).expect("copy file");
        }
    }
}

/// Runs the meshc binary on a workspace, without colors.
#[allow(dead_code)] // Not every test binary that includes this module runs meshc through it.
pub(crate) fn meshc(workspace: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_meshc"))
        .args(args)
        .arg("--workspace")
        .arg(workspace)
        .arg("--color=never")
        .output()
        .expect("meshc runs")
}

/// `meshc query --format csv`, which must succeed.
#[allow(dead_code)] // Not every test binary that includes this module queries.
pub(crate) fn query_csv(workspace: &Path, sql: &str) -> String {
    let output = meshc(workspace, &["query", "--format", "csv", sql]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("utf-8")
}

/// A file of projects/jaffle_mesh/expected/.
#[allow(dead_code)] // Not every test binary that includes this module compares outputs.
pub(crate) fn expected(name: &str) -> String {
    std::fs::read_to_string(example().join("expected").join(name)).expect("expected output exists")
}
