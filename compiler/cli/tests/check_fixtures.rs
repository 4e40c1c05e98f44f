//! Snapshot tests of diagnostics: every `testdata/check/<case>.mesh` is a
//! small workspace (files introduced by `//- path` lines); its rendered
//! diagnostics must equal `<case>.txt`. `UPDATE_EXPECT=1` rewrites them.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use meshc::render::{Style, render};

fn testdata() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/check")
}

fn rendered(files: &BTreeMap<String, String>) -> String {
    let host = common::host(files);
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
    for path in common::fixtures(&testdata(), ".txt") {
        let text = std::fs::read_to_string(&path).expect("fixture is UTF-8");
        let files = common::parse_fixture(&text);
        assert!(
            !files.is_empty(),
            "{} has no `//- path` file headers",
            path.display()
        );
        expect_test::expect_file![path.with_extension("txt")].assert_eq(&rendered(&files));
    }
}
