//! Shared helpers of the analysis tests: the jaffle_mesh example in memory.

use std::path::Path;

use mesh_analysis::{AnalysisHost, Change};

pub(crate) fn jaffle() -> AnalysisHost {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../projects/jaffle_mesh");
    let mut change = Change::default();
    for path in walk(&root, &root) {
        let text = std::fs::read_to_string(root.join(&path)).expect("example files are UTF-8");
        change.set_file(path, text);
    }
    let mut host = AnalysisHost::new();
    host.apply_change(change);
    host
}

/// Replaces the first `from` in the file at `path` with `to`, applies the
/// edit and returns the new text. Panics if `from` is not in the file.
#[allow(dead_code)] // Not every test binary that includes this module edits files.
pub(crate) fn replace_in(host: &mut AnalysisHost, path: &str, from: &str, to: &str) -> String {
    let text = host.file_text(path).expect("file exists").to_string();
    let edited = text.replacen(from, to, 1);
    assert_ne!(edited, text, "`{from}` is not in {path}");
    let mut change = Change::default();
    change.set_file(path, edited.clone());
    host.apply_change(change);
    edited
}

fn walk(root: &Path, dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("readable example") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            if path.file_name().is_some_and(|n| n == "target") {
                continue;
            }
            out.extend(walk(root, &path));
        } else {
            let relative = path
                .strip_prefix(root)
                .expect("under root")
                .to_string_lossy()
                .replace('\\', "/");
            if relative.ends_with(".sql") || relative.ends_with(".yaml") || relative == "mesh.lock"
            {
                out.push(relative);
            }
        }
    }
    out
}
