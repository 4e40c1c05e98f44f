//! Snapshot tests of emitted SQL: every `testdata/emit/<case>.mesh` must check
//! clean, and the DuckDB SQL of all its models (in build order) must equal
//! `<case>.duckdb.sql`. `UPDATE_EXPECT=1` rewrites them.

mod common;

use std::path::Path;

use mesh_analysis::Target;

#[test]
fn emit_fixtures() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/emit");
    for path in common::fixtures(&dir, ".duckdb.sql") {
        let text = std::fs::read_to_string(&path).expect("fixture is UTF-8");
        let host = common::host(&common::parse_fixture(&text));
        let diagnostics = host.check();
        assert!(
            diagnostics.is_empty(),
            "{}: {diagnostics:#?}",
            path.display()
        );
        let plan = host.plan(Target::DuckDb, &[]).expect("a clean mesh plans");
        let mut sql = String::new();
        for model in &plan.models {
            sql.push_str(&format!("-- {}\n{};\n\n", model.id, model.sql));
        }
        expect_test::expect_file![path.with_extension("duckdb.sql")].assert_eq(&sql);
    }
}
