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
