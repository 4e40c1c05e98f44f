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
fn exercise(files: &[(String, String)]) -> Vec<mesh_analysis::Diagnostic> {
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
        // The other targets may refuse a construct (MESH4001), nothing else.
        for target in [Target::Trino, Target::Teradata] {
            match host.plan(target, &[]) {
                Ok(_) => {}
                Err(mesh_analysis::PlanError::Diagnostics(refused)) => assert!(
                    refused.iter().all(|d| d.code.as_str() == "MESH4001"),
                    "{}: {refused:?}",
                    target.name()
                ),
                Err(other) => panic!("{}: {other:?}", target.name()),
            }
        }
    }
    diagnostics
}

/// `default` cases, or `PROPTEST_CASES` for a longer run (docs/testing.md).
fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
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
    #![proptest_config(ProptestConfig { cases: cases(160), ..ProptestConfig::default() })]

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

/// The jaffle example with `orders/models/stg_orders.sql` replaced by `sql`.
fn with_model(sql: &str) -> Vec<(String, String)> {
    let mut files = jaffle_files();
    for (path, content) in files.iter_mut() {
        if path == "orders/models/stg_orders.sql" {
            *content = sql.to_string();
        }
    }
    files
}

/// Checks `files` and returns the codes of its diagnostics (after `exercise`'s assertions).
fn codes(files: &[(String, String)]) -> Vec<&'static str> {
    exercise(files).iter().map(|d| d.code.as_str()).collect()
}

const OPERATORS: &[&str] = &[" + ", " * ", " - ", " || ", " OR ", " AND ", " = ", " < "];
const TERMS: &[&str] = &[
    "1",
    "order_id",
    "'a'",
    "NULL",
    "true",
    "(1)",
    "cast(1 as integer)",
];

/// An operator chain: (text, operators in it, whether they are all the same
/// operator, so that the tree is exactly that many levels deep).
fn chain() -> impl Strategy<Value = (String, usize, bool)> {
    (
        prop::collection::vec(
            (prop::sample::select(OPERATORS), prop::sample::select(TERMS)),
            0..1_400,
        ),
        prop::sample::select(TERMS),
        any::<bool>(),
    )
        .prop_map(|(rest, first, same)| {
            let mut text = first.to_string();
            for (op, term) in &rest {
                text.push_str(if same { OPERATORS[0] } else { op });
                text.push_str(term);
            }
            (text, rest.len(), same)
        })
}

/// YAML nested `depth` levels, in block or flow style.
fn nested_yaml(depth: usize, flow: bool) -> String {
    if flow {
        format!("x: {}1{}\n", "[".repeat(depth), "]".repeat(depth))
    } else {
        (0..depth)
            .map(|i| format!("{}k{i}:\n", "  ".repeat(i)))
            .collect::<String>()
            + &"  ".repeat(depth)
            + "v\n"
    }
}

proptest! {
    // Deep trees are slow to check in a debug build (sqlparser's visitor uses
    // 180 KiB of stack per level there): few cases, large inputs.
    #![proptest_config(ProptestConfig { cases: cases(8), ..ProptestConfig::default() })]

    /// Operator chains around the depth limit: refused exactly when deeper
    /// than mesh_syntax::MAX_TREE_DEPTH, never a crash.
    #[test]
    fn deep_operator_chains((chain, operators, same) in chain(), wrap in 0usize..3) {
        let sql = match wrap {
            0 => format!("select {chain} as x from orders.raw_orders"),
            1 => format!("select 1 as x from orders.raw_orders where {chain}"),
            _ => format!("select * from (select {chain} as x from orders.raw_orders) s"),
        };
        let codes = codes(&with_model(&sql));
        // A chain of n equal operators is n levels below the expression
        // holding it; mixed precedences make a shallower tree.
        if same && operators + 2 + wrap > mesh_analysis::MAX_TREE_DEPTH {
            prop_assert!(codes.contains(&"MESH0105"), "{operators}: {codes:?}");
        } else if operators + 2 < mesh_analysis::MAX_TREE_DEPTH - 4 {
            prop_assert!(!codes.contains(&"MESH0105"), "{operators}: {codes:?}");
        }
    }

    /// UNION ALL chains and nested parentheses and subqueries.
    #[test]
    fn deep_unions_and_nesting(branches in 1usize..1_300, parens in 0usize..400, subqueries in 0usize..120) {
        let union = vec!["select 1 as x"; branches].join(" union all ");
        let codes_union = codes(&with_model(&union));
        prop_assert_eq!(codes_union.contains(&"MESH0105"), branches > mesh_analysis::MAX_TREE_DEPTH - 1, "{:?}", codes_union);
        let nested = format!("select {}1{} as x", "(".repeat(parens), ")".repeat(parens));
        let codes_nested = codes(&with_model(&nested));
        if parens >= mesh_analysis::PARSER_RECURSION_LIMIT {
            prop_assert!(codes_nested.contains(&"MESH0104"), "{:?}", codes_nested);
        } else if parens < 200 {
            prop_assert!(codes_nested.is_empty() || !codes_nested.contains(&"MESH0104"), "{:?}", codes_nested);
        }
        let mut sub = String::from("select 1 as x");
        for _ in 0..subqueries {
            sub = format!("select x from ({sub}) s");
        }
        codes(&with_model(&sub));
    }

    /// Deep YAML in every kind of file, block and flow style.
    #[test]
    fn deep_yaml(depth in 0usize..400, flow in any::<bool>(), which in 0usize..4) {
        let target = ["mesh.yaml", "orders/domain.yaml", "orders/sources.yaml", "insights/contracts/dim_customers.yaml"][which];
        let mut files = jaffle_files();
        for (path, content) in files.iter_mut() {
            if path == target {
                content.push_str(&nested_yaml(depth, flow));
            }
        }
        let codes = codes(&files);
        // Deep flow style can also stop the YAML scanner first (MESH0201).
        if depth > mesh_analysis::MAX_YAML_DEPTH + 1 {
            prop_assert!(codes.contains(&"MESH0209") || (flow && codes.contains(&"MESH0201")), "{codes:?}");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(16), ..ProptestConfig::default() })]

    /// CTE chains: each CTE reads earlier ones, some several times (Teradata
    /// inlines CTEs, so repeated reads multiply the SQL it writes: refused
    /// beyond its limit, never unbounded work).
    #[test]
    fn cte_chains(reads in prop::collection::vec(prop::collection::vec(any::<prop::sample::Index>(), 1..4), 1..40)) {
        let mut sql = String::from("with c0 as (select id from orders.raw_orders)");
        for (i, picks) in reads.iter().enumerate() {
            let i = i + 1;
            let from: Vec<usize> = picks.iter().map(|p| p.index(i)).collect();
            let mut body = format!("select r0.id from c{} r0", from[0]);
            for (r, c) in from.iter().enumerate().skip(1) {
                body.push_str(&format!(" join c{c} r{r} using (id)"));
            }
            sql.push_str(&format!(", c{i} as ({body})"));
        }
        sql.push_str(&format!(" select id from c{}", reads.len()));
        let started = std::time::Instant::now();
        let codes = codes(&with_model(&sql));
        prop_assert!(codes.iter().all(|c| *c != "MESH0105"), "{:?}", codes);
        prop_assert!(started.elapsed().as_secs() < 20, "{} CTEs: {:?}", reads.len() + 1, started.elapsed());
    }
}

const ODD: &[&str] = &[
    "\u{feff}", "\r\n", "\r", "\0", "\t", "\u{2028}", "é", "😀", "'", "\"", "`", "--", "/*", "*/",
    "$$", "\\",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(24), ..ProptestConfig::default() })]

    /// Wide models: many columns, long IN lists, many joins; and odd bytes
    /// spliced into real files (BOM, CR, NUL, unterminated quotes and comments).
    #[test]
    fn wide_models_and_odd_files(columns in 1usize..600, values in 0usize..5_000, joins in 0usize..60,
                                 at in any::<prop::sample::Index>(), odd in prop::collection::vec(prop::sample::select(ODD), 1..6), file in 0usize..64) {
        let select: Vec<String> = (0..columns).map(|i| format!("{i} as c{i}")).collect();
        let list: Vec<String> = (0..values).map(|i| i.to_string()).collect();
        let mut sql = format!("select {} from orders.raw_orders r0", select.join(", "));
        for j in 1..=joins {
            sql.push_str(&format!(" join orders.raw_orders r{j} on r{j}.id = r0.id"));
        }
        if values > 0 {
            sql.push_str(&format!(" where r0.id in ({})", list.join(", ")));
        }
        codes(&with_model(&sql));
        let mut files = jaffle_files();
        let index = file % files.len();
        let content = &mut files[index].1;
        let mut position = at.index(content.len() + 1);
        while !content.is_char_boundary(position) { position -= 1; }
        content.insert_str(position, &odd.concat());
        exercise(&files);
    }
}
