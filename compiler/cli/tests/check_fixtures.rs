//! Snapshot tests of diagnostics: every `testdata/check/<case>.mesh` is a
//! small workspace (files introduced by `//- path` lines); its rendered
//! diagnostics must equal `<case>.txt`. `UPDATE_EXPECT=1` rewrites them.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use mesh_analysis::{AnalysisHost, Change};
use meshc::render::{Style, render};

fn testdata() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/check")
}

/// Splits a fixture into (path, text) files.
fn parse_fixture(text: &str) -> BTreeMap<String, String> {
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

fn rendered(files: &BTreeMap<String, String>) -> String {
    let mut host = AnalysisHost::new();
    let mut change = Change::default();
    for (path, text) in files {
        change.set_file(path.clone(), text.clone());
    }
    change.load_diagnostics = Some(Vec::new());
    host.apply_change(change);
    let diagnostics = host.check();
    let lookup = |file: &str| files.get(file).cloned();
    let mut out = String::new();
    for diagnostic in &diagnostics {
        out.push_str(&render(
            diagnostic,
            files.get(&*diagnostic.file).map(String::as_str),
            Style::Plain,
            &lookup,
        ));
    }
    if diagnostics.is_empty() {
        out.push_str("no diagnostics\n");
    }
    out
}

#[test]
fn check_fixtures() {
    let dir = testdata();
    let mut cases = 0;
    let mut entries: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("testdata/check exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for path in &entries {
        match path.extension().and_then(|e| e.to_str()) {
            Some("mesh") => {
                let text = std::fs::read_to_string(path).expect("fixture is UTF-8");
                let files = parse_fixture(&text);
                assert!(
                    !files.is_empty(),
                    "{} has no `//- path` file headers",
                    path.display()
                );
                expect_test::expect_file![path.with_extension("txt")].assert_eq(&rendered(&files));
                cases += 1;
            }
            Some("txt") => assert!(
                path.with_extension("mesh").exists(),
                "{} is a snapshot without a fixture; delete it",
                path.display()
            ),
            _ => {}
        }
    }
    assert!(cases > 0, "no fixtures found in {}", dir.display());
}
