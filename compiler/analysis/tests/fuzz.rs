//! Property tests over the parsers and the whole pipeline: whatever the input
//! (random text, SQL-ish token soup, mutated real files), checking and
//! planning never panic, and a mesh that checks clean always emits.

use std::path::Path;

use mesh_analysis::{AnalysisHost, Change, Target};
use proptest::prelude::*;

fn jaffle_files() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../projects/jaffle_mesh");
    let mut out = Vec::new();
    let mut stack = vec![root.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("example is readable") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "sql" || e == "yaml") {
                let relative = path
                    .strip_prefix(&root)
                    .expect("under root")
                    .to_string_lossy()
                    .replace('\\', "/");
                out.push((relative, std::fs::read_to_string(&path).expect("utf-8")));
            }
        }
    }
    out.sort();
    out
}

/// Checks and, when clean, plans; the assertion is "no panic, and clean means emittable".
fn exercise(files: &[(String, String)]) {
    let mut host = AnalysisHost::new();
    let mut change = Change::default();
    for (path, text) in files {
        change.set_file(path.clone(), text.clone());
    }
    host.apply_change(change);
    let diagnostics = host.check();
    for d in &diagnostics {
        let text = files
            .iter()
            .find(|(p, _)| **p == *d.file)
            .map(|(_, t)| t.as_str())
            .unwrap_or("");
        assert!(d.range.start <= d.range.end, "{d:?}");
        assert!(
            d.file.is_empty() || d.range.end as usize <= text.len().max(1) + 1,
            "range beyond file: {d:?}"
        );
    }
    if diagnostics.iter().all(|d| !d.is_error()) {
        let plan = host.plan(Target::DuckDb, &[]);
        assert!(plan.is_ok(), "clean mesh failed to plan: {plan:?}");
    }
}

const TOKENS: &[&str] = &[
    "select",
    "from",
    "where",
    "group by",
    "order by",
    "having",
    "join",
    "left join",
    "on",
    "using",
    "(",
    ")",
    ",",
    "*",
    "/",
    "+",
    "||",
    "=",
    "<",
    "and",
    "or",
    "not",
    "null",
    "case",
    "when",
    "then",
    "else",
    "end",
    "cast(",
    " as ",
    "integer",
    "date",
    "sum(",
    "count(",
    "coalesce(",
    "over (partition by",
    "with",
    "union all",
    "'x'",
    "1",
    "2.5",
    "id",
    "amount",
    "orders.stg_orders",
    "raw_orders",
    "stg_orders",
    "o.",
    "\"",
    ";",
    "\n",
    "limit 3",
    "distinct",
    "exists (select 1)",
    "--",
    "\u{e9}",
    "\0",
];

fn token_soup() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(TOKENS), 0..40).prop_map(|t| t.join(" "))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 160, ..ProptestConfig::default() })]

    #[test]
    fn any_model_text(text in "\\PC{0,120}", soup in token_soup()) {
        let mut files = jaffle_files();
        for (path, content) in files.iter_mut() {
            if path == "orders/models/stg_orders.sql" { *content = text.clone(); }
            if path == "insights/models/customer_orders.sql" { *content = soup.clone(); }
        }
        exercise(&files);
    }

    #[test]
    fn any_yaml_text(text in "\\PC{0,160}", which in 0usize..4) {
        let target = ["mesh.yaml", "orders/domain.yaml", "orders/sources.yaml", "insights/contracts/dim_customers.yaml"][which];
        let mut files = jaffle_files();
        for (path, content) in files.iter_mut() {
            if path == target { *content = text.clone(); }
        }
        exercise(&files);
    }

    #[test]
    fn mutated_real_files(file in 0usize..64, at in any::<prop::sample::Index>(), cut in 0usize..12, insert in prop::sample::select(TOKENS)) {
        let mut files = jaffle_files();
        let index = file % files.len();
        let content = &mut files[index].1;
        let mut position = at.index(content.len() + 1);
        while !content.is_char_boundary(position) { position -= 1; }
        let mut end = (position + cut).min(content.len());
        while !content.is_char_boundary(end) { end -= 1; }
        content.replace_range(position..end, insert);
        exercise(&files);
    }
}
