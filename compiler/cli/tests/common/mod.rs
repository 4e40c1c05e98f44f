//! Shared helpers of the fixture tests: the `.mesh` multi-file format.

use std::collections::BTreeMap;

use mesh_analysis::{AnalysisHost, Change};

/// Splits a fixture into (path, text) files.
pub(crate) fn parse_fixture(text: &str) -> BTreeMap<String, String> {
    let mut files = BTreeMap::new();
    let mut current: Option<(String, String)> = None;
    for line in text.split_inclusive('\n') {
        if let Some(path) = line.strip_prefix("//- ") {
            if let Some((p, t)) = current.take() {
                files.insert(p, t);
            }
            current = Some((path.trim().to_string(), String::new()));
        } else if let Some((_, t)) = current.as_mut() {
            t.push_str(line);
        }
    }
    if let Some((p, t)) = current {
        files.insert(p, t);
    }
    files
}

/// A host with the fixture's files loaded. A fixture without `mesh.lock` gets
/// the lock `meshc lock` would write (as a user would have run it), unless its
/// mesh.yaml says `# fixture: no lock`.
pub(crate) fn host(files: &BTreeMap<String, String>) -> AnalysisHost {
    let mut host = AnalysisHost::new();
    let mut change = Change::default();
    for (path, text) in files {
        change.set_file(path.clone(), text.clone());
    }
    change.load_diagnostics = Some(Vec::new());
    host.apply_change(change);
    let unlocked = files
        .get("mesh.yaml")
        .is_some_and(|t| t.contains("# fixture: no lock"));
    if !files.contains_key("mesh.lock") && !unlocked {
        let mut lock = Change::default();
        lock.set_file("mesh.lock", host.required_lock().render());
        host.apply_change(lock);
    }
    host
}

/// The `.mesh` fixtures of a testdata directory, sorted; fails on snapshots
/// (`extension`) that have no fixture.
pub(crate) fn fixtures(dir: &std::path::Path, snapshot_extension: &str) -> Vec<std::path::PathBuf> {
    let mut entries: Vec<std::path::PathBuf> = std::fs::read_dir(dir)
        .expect("testdata directory exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for path in &entries {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        if let Some(stem) = name.strip_suffix(snapshot_extension) {
            assert!(
                dir.join(format!("{stem}.mesh")).exists(),
                "{} is a snapshot without a fixture; delete it",
                path.display()
            );
        }
    }
    let cases: Vec<_> = entries
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "mesh"))
        .collect();
    assert!(!cases.is_empty(), "no fixtures in {}", dir.display());
    cases
}
