//! A mesh large enough for `check` to analyze on several threads: the result
//! must be exactly the one of a sequential check (same diagnostics, including
//! cycles inside one domain, whichever thread gets there first).

use mesh_analysis::{AnalysisHost, Change};

fn mesh(domains: usize, models: usize) -> Change {
    let mut change = Change::default();
    let names: Vec<String> = (0..domains).map(|d| format!("d{d}")).collect();
    change.set_file(
        "mesh.yaml",
        format!("name: big\ndomains: [{}]\n", names.join(", ")),
    );
    for (d, name) in names.iter().enumerate() {
        let dependency = if d > 0 {
            format!("dependencies: {{ d{}: \"^1.0\" }}\n", d - 1)
        } else {
            String::new()
        };
        change.set_file(
            format!("{name}/domain.yaml"),
            format!("name: {name}\nowner: team\nversion: 1.0.0\n{dependency}"),
        );
        change.set_file(
            format!("{name}/sources.yaml"),
            "sources:\n  - name: raw\n    path: data/raw.csv\n    columns:\n      - { name: id, type: INTEGER, required: true }\n      - { name: amount, type: INTEGER }\n",
        );
        for m in 0..models {
            let from = match m {
                0 if d > 0 => format!("d{}.m{}", d - 1, models - 1),
                0 => "raw".to_string(),
                _ => format!("m{}", m - 1),
            };
            change.set_file(
                format!("{name}/models/m{m}.sql"),
                format!("select id, amount + {m} as amount from {from}\n"),
            );
        }
        // The last model is published for the next domain.
        change.set_file(
            format!("{name}/contracts/m{}.yaml", models - 1),
            format!(
                "apiVersion: v3.1.0\nkind: DataContract\nid: {name}.m{last}\nversion: 1.0.0\nstatus: active\nschema:\n  - name: m{last}\n    properties:\n      - {{ name: id, physicalType: INTEGER, required: true }}\n      - {{ name: amount, physicalType: INTEGER }}\n",
                last = models - 1
            ),
        );
        // And a cycle in every domain.
        change.set_file(
            format!("{name}/models/loop_a.sql"),
            "select id from loop_b\n",
        );
        change.set_file(
            format!("{name}/models/loop_b.sql"),
            "select id from loop_a\n",
        );
    }
    change
}

#[test]
fn parallel_check_finds_exactly_the_cycles() {
    let mut host = AnalysisHost::new();
    host.apply_change(mesh(6, 80));
    let mut lock = Change::default();
    lock.set_file("mesh.lock", host.required_lock().render());
    host.apply_change(lock);
    let diagnostics = host.check();
    let codes: Vec<(&str, &str)> = diagnostics
        .iter()
        .map(|d| (d.code.as_str(), &*d.file))
        .collect();
    let mut expected = Vec::new();
    for d in 0..6 {
        expected.push(("MESH2006", format!("d{d}/models/loop_a.sql")));
        expected.push(("MESH2006", format!("d{d}/models/loop_b.sql")));
    }
    let expected: Vec<(&str, &str)> = expected.iter().map(|(c, f)| (*c, f.as_str())).collect();
    assert_eq!(codes, expected, "{diagnostics:#?}");
    // A second check reuses everything and says the same.
    assert_eq!(host.check(), diagnostics);
}

/// 4 domains of 90 models without cycles, locked.
fn acyclic_mesh() -> AnalysisHost {
    let mut host = AnalysisHost::new();
    let mut change = mesh(4, 90);
    change
        .files
        .retain(|(path, _)| !path.contains("/models/loop_"));
    host.apply_change(change);
    let mut lock = Change::default();
    lock.set_file("mesh.lock", host.required_lock().render());
    host.apply_change(lock);
    host
}

/// Emission on several threads gives every model exactly the SQL it gets
/// when planned alone (sequentially), in dependency order.
#[test]
fn parallel_plan_matches_sequential_emission() {
    let host = acyclic_mesh();
    assert!(host.check().is_empty());
    let plan = host
        .plan(mesh_analysis::Target::DuckDb, &[])
        .expect("a clean mesh plans");
    assert_eq!(plan.models.len(), 360);
    for model in plan.models.iter().step_by(7) {
        let selector = mesh_analysis::parse_selector(&model.id).expect("a valid selector");
        let alone = host
            .plan(mesh_analysis::Target::DuckDb, &[selector])
            .expect("plans");
        assert_eq!(alone.models[0].sql, model.sql, "{}", model.id);
    }
    let position = |id: &str| plan.models.iter().position(|m| m.id == id);
    assert!(position("d0.m0") < position("d0.m1"));
    assert!(position("d0.m89") < position("d1.m0"));
}

/// `check_and_emit` (what `meshc build` runs) emits every model during the
/// check from the tree its analysis parsed; the plan that follows must be the
/// one a separate check and plan give, model for model.
#[test]
fn check_and_emit_plans_what_check_then_plan_does() {
    let hosts = [acyclic_mesh(), acyclic_mesh()];
    let target = mesh_analysis::Target::DuckDb;
    assert!(hosts[0].check_and_emit(target).is_empty());
    let together = hosts[0].plan(target, &[]).expect("a clean mesh plans");
    assert!(hosts[1].check().is_empty());
    let apart = hosts[1].plan(target, &[]).expect("a clean mesh plans");
    assert_eq!(together.models.len(), 360);
    let sql = |plan: &mesh_analysis::BuildPlan| -> Vec<(String, String)> {
        plan.models
            .iter()
            .map(|m| (m.id.clone(), m.sql.clone()))
            .collect()
    };
    assert_eq!(sql(&together), sql(&apart));
}

/// With no mesh.lock, the error names a few of the consumed products and
/// counts the rest, however many there are.
#[test]
fn a_missing_lock_names_five_products_and_counts_the_rest() {
    let mut host = AnalysisHost::new();
    host.apply_change(mesh(8, 3));
    let missing: Vec<_> = host
        .check()
        .into_iter()
        .filter(|d| d.code.as_str() == "MESH2014")
        .collect();
    assert_eq!(missing.len(), 1, "{missing:?}");
    let message = &missing[0].message;
    assert!(
        message.ends_with("consume d0.m2, d1.m2, d2.m2, d3.m2, d4.m2, and 2 more products"),
        "{message}"
    );
}
