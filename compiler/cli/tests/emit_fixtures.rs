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
        // The other targets, model by model: a model a target cannot express
        // is listed with the reason it is refused (MESH4001).
        for target in [Target::Trino, Target::Teradata] {
            let mut sql = String::new();
            for model in &plan.models {
                match host.compiled_sql(&model.path, target) {
                    Ok(text) => sql.push_str(&format!("-- {}\n{text};\n\n", model.id)),
                    Err(refused) => {
                        let refused = refused.replace('\n', "\n--   ");
                        sql.push_str(&format!("-- {}: refused\n--   {refused}\n\n", model.id));
                    }
                }
            }
            let snapshot = path.with_extension(format!("{}.sql", target.name()));
            expect_test::expect_file![snapshot].assert_eq(&sql);
        }
    }
}

/// DuckDB's name for the type a mesh SQL type materializes as.
/// (DDL says REAL, DuckDB's catalog calls it FLOAT.)
fn duckdb_name(ty: mesh_analysis::SqlType) -> String {
    match ty {
        mesh_analysis::SqlType::Real => "FLOAT".to_string(),
        other => mesh_analysis::duckdb_type_name(other),
    }
}

/// Every emit fixture, run for real with `meshc run` on empty sources: each
/// model's materialized column types (DuckDB `DESCRIBE`) must be exactly the
/// types meshc inferred, or contracts would promise what the engine does not
/// deliver.
#[test]
fn materialized_types_are_the_inferred_types() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/emit");
    for path in common::fixtures(&dir, ".duckdb.sql") {
        let text = std::fs::read_to_string(&path).expect("fixture is UTF-8");
        let files = common::parse_fixture(&text);
        let host = common::host(&files);
        let plan = host.plan(Target::DuckDb, &[]).expect("a clean mesh plans");
        let workspace = tempfile::tempdir().expect("temp dir");
        for (file, content) in &files {
            let dest = workspace.path().join(file);
            std::fs::create_dir_all(dest.parent().expect("a file has a parent")).expect("mkdir");
            std::fs::write(dest, content).expect("write fixture file");
        }
        if let Some(lock) = host.file_text("mesh.lock") {
            std::fs::write(workspace.path().join("mesh.lock"), lock).expect("write lock");
        }
        for source in &plan.sources {
            let header: Vec<&str> = source.columns.iter().map(|c| c.name.as_str()).collect();
            let dest = workspace.path().join(&source.path);
            std::fs::create_dir_all(dest.parent().expect("a file has a parent")).expect("mkdir");
            std::fs::write(dest, format!("{}\n", header.join(","))).expect("write csv");
        }
        let run = std::process::Command::new(env!("CARGO_BIN_EXE_meshc"))
            .args(["run", "--quiet", "--color=never", "--workspace"])
            .arg(workspace.path())
            .output()
            .expect("meshc runs");
        assert!(
            run.status.success(),
            "{}: {}{}",
            path.display(),
            String::from_utf8_lossy(&run.stdout),
            String::from_utf8_lossy(&run.stderr)
        );
        let database = std::fs::read_dir(workspace.path().join("target"))
            .expect("run wrote target/")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .find(|p| p.extension().is_some_and(|e| e == "duckdb"))
            .expect("a database file");
        let mut mismatches = Vec::new();
        for model in &plan.models {
            let described = mesh_engine::query_all(
                &database,
                &format!(
                    "SELECT column_name, data_type FROM information_schema.columns \
                     WHERE table_schema = '{}' AND table_name = '{}' ORDER BY ordinal_position",
                    model.domain, model.name
                ),
            )
            .expect("information_schema is readable");
            let actual: Vec<String> = described
                .rows
                .iter()
                .map(|row| format!("{} {}", row[0], row[1]))
                .collect();
            let inferred: Vec<String> = model
                .columns
                .iter()
                .map(|c| format!("{} {}", c.name, duckdb_name(c.ty)))
                .collect();
            for (a, i) in actual.iter().zip(&inferred) {
                if a != i {
                    mismatches.push(format!("{}: DuckDB {a}, inferred {i}", model.id));
                }
            }
            assert_eq!(actual.len(), inferred.len(), "{}", model.id);
        }
        assert!(
            mismatches.is_empty(),
            "{}:\n{}",
            path.display(),
            mismatches.join("\n")
        );
    }
}
