//! Snapshot of the DuckDB SQL of every quality rule of the jaffle_mesh
//! contracts (`testdata/quality/jaffle_mesh.duckdb.sql`; `UPDATE_EXPECT=1`
//! rewrites it). The end-to-end test in the CLI runs the same SQL on DuckDB.

use std::path::Path;
use std::sync::Arc;

use mesh_emit::{CheckedProduct, Target, emit_rule};

#[test]
fn jaffle_mesh_rules() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../projects/jaffle_mesh");
    let mut contracts = Vec::new();
    for domain in ["customers", "orders", "payments", "insights"] {
        let dir = root.join(domain).join("contracts");
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .expect("contracts directory")
            .map(|e| e.expect("entry").path())
            .collect();
        files.sort();
        for file in files {
            let stem = file.file_stem().and_then(|s| s.to_str()).expect("name");
            contracts.push((domain, stem.to_string(), file));
        }
    }
    let mut out = String::new();
    for (domain, product, file) in contracts {
        let path: Arc<str> = format!("{domain}/contracts/{product}.yaml").into();
        let text = std::fs::read_to_string(&file).expect("contract");
        let (contract, diagnostics) = mesh_syntax::parse_contract(&path, &text);
        assert!(diagnostics.is_empty(), "{diagnostics:#?}");
        let contract = contract.expect("parsed");
        let id = format!("{domain}.{product}");
        let checked = CheckedProduct {
            id: &id,
            relation: "{relation}",
            columns: &contract.columns,
        };
        for rule in &contract.quality {
            let sql = emit_rule(rule, &checked, Target::DuckDb, 20)
                .unwrap_or_else(|e| panic!("{id}: {e}"));
            out.push_str(&format!(
                "-- {id}: {} ({:?}, {} {:?})\n{};\n",
                rule.name, rule.severity, rule.threshold, rule.unit, sql.value
            ));
            if let Some(rows) = sql.failing_rows {
                out.push_str(&format!("-- failing rows\n{rows};\n"));
            }
            out.push('\n');
        }
    }
    let out = format!("{}\n", out.trim_end());
    expect_test::expect_file!["../../../testdata/quality/jaffle_mesh.duckdb.sql"].assert_eq(&out);
}
