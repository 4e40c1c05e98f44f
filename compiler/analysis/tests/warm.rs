//! The persistent cache (`AnalysisHost::warm_bytes` / `start_warm`): a
//! process started from the cache of an earlier one reports exactly what a
//! cold check of the same files reports, whatever changed in between.

use std::collections::BTreeMap;
use std::path::Path;

use mesh_analysis::{AnalysisHost, Change, Diagnostic, WarmStartOutcome};
use proptest::prelude::*;

const BUILD: &str = "meshc test build";

type Files = BTreeMap<String, String>;

fn jaffle_files() -> Files {
    fn walk(root: &Path, dir: &Path, out: &mut Files) {
        for entry in std::fs::read_dir(dir).expect("readable example") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                if !path.ends_with("target") {
                    walk(root, &path, out);
                }
                continue;
            }
            let relative = (path.strip_prefix(root).expect("under root"))
                .to_string_lossy()
                .replace('\\', "/");
            if relative.ends_with(".sql") || relative.ends_with(".yaml") || relative == "mesh.lock"
            {
                let text = std::fs::read_to_string(&path).expect("UTF-8");
                out.insert(relative, text);
            }
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../projects/jaffle_mesh");
    let mut out = Files::new();
    walk(&root, &root, &mut out);
    out
}

fn host(files: &Files) -> AnalysisHost {
    let mut change = Change::default();
    for (path, text) in files {
        change.set_file(path.clone(), text.clone());
    }
    change.load_diagnostics = Some(Vec::new());
    let mut host = AnalysisHost::new();
    host.apply_change(change);
    host
}

/// What a process started from `cache` reports for `files`, and how it started.
fn warm_check(cache: &[u8], files: &Files) -> (Vec<Diagnostic>, WarmStartOutcome) {
    let mut host = host(files);
    match host.start_warm(cache, BUILD) {
        WarmStartOutcome::Unchanged(diagnostics) => (
            diagnostics.clone(),
            WarmStartOutcome::Unchanged(diagnostics),
        ),
        other => (host.check(), other),
    }
}

fn cache_of(files: &Files) -> (Vec<u8>, Vec<Diagnostic>) {
    let host = host(files);
    let diagnostics = host.check();
    (host.warm_bytes(&diagnostics, BUILD), diagnostics)
}

fn edited(files: &Files, path: &str, from: &str, to: &str) -> Files {
    let mut out = files.clone();
    let text = out.get_mut(path).expect("file exists");
    let new = text.replacen(from, to, 1);
    assert_ne!(&new, text, "`{from}` is not in {path}");
    *text = new;
    out
}

fn codes(diagnostics: &[Diagnostic]) -> Vec<String> {
    (diagnostics.iter())
        .map(|d| format!("{} {} {:?}", d.code.as_str(), d.file, d.range))
        .collect()
}

#[test]
fn no_change_answers_from_the_cache() {
    let files = jaffle_files();
    let (cache, cold) = cache_of(&files);
    let (warm, outcome) = warm_check(&cache, &files);
    assert!(
        matches!(outcome, WarmStartOutcome::Unchanged(_)),
        "{outcome:?}"
    );
    assert_eq!(warm, cold);
}

/// Each edit, started from the cache of the example as it is, and the other
/// way round (the cache of the edited files, back to the example), reports
/// what a cold check reports.
#[test]
fn edits_report_what_a_cold_check_reports() {
    let base = jaffle_files();
    let edits: Vec<(&str, Files)> = vec![
        (
            "a model's SQL breaks",
            edited(
                &base,
                "insights/models/customer_orders.sql",
                "count(order_id)",
                "count(order_idx)",
            ),
        ),
        (
            "an upstream model drops a column its unchanged reader uses",
            edited(
                &base,
                "insights/models/customer_orders.sql",
                "    max(order_date) as most_recent_order,\n",
                "",
            ),
        ),
        (
            "an upstream model changes a column's type",
            edited(
                &base,
                "insights/models/customer_orders.sql",
                "count(order_id) as number_of_orders",
                "cast(count(order_id) as varchar) as number_of_orders",
            ),
        ),
        (
            "a comment only",
            edited(
                &base,
                "insights/models/dim_customers.sql",
                "-- One row per customer.",
                "-- One row per customer (edited).",
            ),
        ),
        (
            "a producer's contract drops a column a consumer reads",
            edited(
                &base,
                "orders/contracts/stg_orders.yaml",
                "name: order_date",
                "name: order_day",
            ),
        ),
        ("a model removed", {
            let mut files = base.clone();
            files.remove("insights/models/customer_payments.sql");
            files
        }),
        ("a model added that makes a cycle", {
            let mut files = edited(
                &base,
                "insights/models/customer_orders.sql",
                "from orders.stg_orders",
                "from orders.stg_orders join loop_back using (customer_id)",
            );
            files.insert(
                "insights/models/loop_back.sql".into(),
                "select customer_id from customer_orders\n".into(),
            );
            files
        }),
    ];
    let (base_cache, base_cold) = cache_of(&base);
    for (what, files) in &edits {
        let cold = host(files).check();
        if *what != "a comment only" {
            assert_ne!(
                codes(&cold),
                codes(&base_cold),
                "{what}: the edit changes nothing?"
            );
        }
        let (warm, outcome) = warm_check(&base_cache, files);
        assert!(
            matches!(outcome, WarmStartOutcome::Partial { .. }),
            "{what}: {outcome:?}"
        );
        assert_eq!(warm, cold, "{what}: from the example's cache");
        let (edited_cache, _) = cache_of(files);
        let (back, _) = warm_check(&edited_cache, &base);
        assert_eq!(back, base_cold, "{what}: back to the example");
    }
}

/// Models whose inputs did not change are not analyzed again.
#[test]
fn unchanged_models_are_not_analyzed_again() {
    let base = jaffle_files();
    let (cache, _) = cache_of(&base);
    let files = edited(
        &base,
        "insights/models/dim_customers.sql",
        "-- One row per customer.",
        "-- One row per customer (edited).",
    );
    let mut host = host(&files);
    assert!(matches!(
        host.start_warm(&cache, BUILD),
        WarmStartOutcome::Partial { models: 8 }
    ));
    host.database().start_logging();
    let diagnostics = host.check();
    let inferred: Vec<String> = (host.database().take_executed().into_iter())
        .filter(|q| q.starts_with("infer_model("))
        .collect();
    assert_eq!(inferred, ["infer_model(insights.dim_customers)"]);
    assert_eq!(diagnostics, self::host(&files).check());
    // A change of shape: the readers of the edited model are inferred again,
    // and nothing else.
    let files = edited(
        &base,
        "insights/models/customer_orders.sql",
        "count(order_id) as number_of_orders",
        "count(order_id) as orders_placed",
    );
    let mut host = self::host(&files);
    host.start_warm(&cache, BUILD);
    host.database().start_logging();
    let diagnostics = host.check();
    let mut inferred: Vec<String> = (host.database().take_executed().into_iter())
        .filter(|q| q.starts_with("infer_model("))
        .collect();
    inferred.sort();
    assert_eq!(
        inferred,
        [
            "infer_model(insights.customer_orders)",
            "infer_model(insights.dim_customers)"
        ]
    );
    assert_eq!(diagnostics, self::host(&files).check());
}

/// A contract's quality rule reads a private model of its domain: an edit of
/// only that model's SQL that renames the column the rule reads breaks the
/// rule, and the warm check reports it (the cached rule results are keyed on
/// the signatures of the domain's models).
#[test]
fn rules_see_an_edit_of_a_model_they_read() {
    let rule = "    quality:\n      - name: orders_counted\n        type: sql\n        query: SELECT COUNT(*) FROM customer_orders WHERE number_of_orders < 0\n        mustBe: 0\n        severity: error\n";
    let base = edited(
        &jaffle_files(),
        "insights/contracts/dim_customers.yaml",
        "    quality:\n",
        rule,
    );
    let (cache, base_cold) = cache_of(&base);
    assert!(base_cold.iter().all(|d| !d.is_error()), "{base_cold:?}");
    let files = edited(
        &base,
        "insights/models/customer_orders.sql",
        "count(order_id) as number_of_orders",
        "count(order_id) as number_of_orders, 1 as extra",
    );
    let files = edited(
        &files,
        "insights/models/customer_orders.sql",
        "number_of_orders,",
        "orders_placed,",
    );
    let files = edited(
        &files,
        "insights/models/dim_customers.sql",
        "co.number_of_orders",
        "co.orders_placed as number_of_orders",
    );
    let cold = host(&files).check();
    assert!(
        cold.iter()
            .any(|d| &*d.file == "insights/contracts/dim_customers.yaml" && d.is_error()),
        "the rule breaks: {cold:?}"
    );
    let (warm, _) = warm_check(&cache, &files);
    assert_eq!(warm, cold);
}

/// A cycle that forms without any model changing its columns (a reader
/// reads its reader through `IN (SELECT …)`) changes what a product's rule
/// reports: inside a cycle the product is read as opaque.
#[test]
fn rules_see_a_cycle_that_keeps_every_column() {
    let rule = "    quality:\n      - name: no_such_column\n        type: sql\n        query: SELECT COUNT(*) FROM {object} WHERE nope = 1\n        mustBe: 0\n        severity: error\n";
    let base = edited(
        &jaffle_files(),
        "insights/contracts/dim_customers.yaml",
        "    quality:\n",
        rule,
    );
    // dim_customers filters on loop_a, which reads only a source domain;
    // the edit makes loop_a filter on dim_customers: a cycle, and no model's
    // columns change.
    let mut base = base;
    let dim = base
        .get_mut("insights/models/dim_customers.sql")
        .expect("dim_customers");
    dim.push_str("where c.customer_id in (select customer_id from loop_a)\n");
    base.insert(
        "insights/models/loop_a.sql".into(),
        "select customer_id from customers.stg_customers\n".into(),
    );
    let (cache, base_cold) = cache_of(&base);
    assert!(
        base_cold.iter().any(|d| d.message.contains("nope")),
        "the rule's unknown column is reported: {base_cold:?}"
    );
    let files = edited(
        &base,
        "insights/models/loop_a.sql",
        "from customers.stg_customers\n",
        "from customers.stg_customers\nwhere customer_id in (select customer_id from dim_customers)\n",
    );
    let cold = host(&files).check();
    assert!(
        cold.iter()
            .any(|d| d.code.as_str() == "MESH2006" || d.message.contains("cycle")),
        "the edit makes a cycle: {cold:?}"
    );
    let (warm, _) = warm_check(&cache, &files);
    assert_eq!(warm, cold);
}

/// A domain.yaml that could not be read is entered with no text; when the
/// file is readable and really empty afterwards, its parse is not reused.
#[test]
fn an_unreadable_domain_file_that_becomes_empty_is_parsed_again() {
    let mut base = jaffle_files();
    base.insert("orders/domain.yaml".into(), String::new());
    let unreadable = vec![Diagnostic::new(
        mesh_analysis::Code::InvalidUtf8,
        "orders/domain.yaml".into(),
        mesh_analysis::TextRange::empty(0),
        "orders/domain.yaml is not valid UTF-8",
    )];
    let with_load = |files: &Files, load: Vec<Diagnostic>| {
        let mut change = Change::default();
        for (path, text) in files {
            change.set_file(path.clone(), text.clone());
        }
        change.load_diagnostics = Some(load);
        let mut host = AnalysisHost::new();
        host.apply_change(change);
        host
    };
    let first = with_load(&base, unreadable);
    let cache = first.warm_bytes(&first.check(), BUILD);
    let cold = with_load(&base, Vec::new()).check();
    assert!(
        cold.iter().any(|d| &*d.file == "orders/domain.yaml"),
        "an empty domain.yaml is reported: {cold:?}"
    );
    let mut warm = with_load(&base, Vec::new());
    warm.start_warm(&cache, BUILD);
    assert_eq!(warm.check(), cold);
}

#[test]
fn a_damaged_or_foreign_cache_is_ignored() {
    let files = jaffle_files();
    let (cache, cold) = cache_of(&files);
    let mut damaged = cache.clone();
    let middle = damaged.len() / 2;
    damaged[middle] ^= 0x40;
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("a flipped bit", damaged, "damaged"),
        ("truncated", cache[..cache.len() - 7].to_vec(), "truncated"),
        ("empty", Vec::new(), "not a meshc cache"),
        (
            "another file",
            b"name: jaffle\n".to_vec(),
            "not a meshc cache",
        ),
    ];
    for (what, bytes, says) in cases {
        let mut host = host(&files);
        match host.start_warm(&bytes, BUILD) {
            WarmStartOutcome::Unusable(reason) => {
                assert!(reason.contains(says), "{what}: {reason}")
            }
            other => panic!("{what}: {other:?}"),
        }
        assert_eq!(host.check(), cold, "{what}");
    }
    let mut host = host(&files);
    match host.start_warm(&cache, "another build") {
        WarmStartOutcome::Unusable(reason) => assert!(reason.contains("another meshc build")),
        other => panic!("another build: {other:?}"),
    }
}

const SNIPPETS: &[&str] = &[
    "customer_id",
    "order_id",
    "order_date",
    "x",
    ",",
    " as ",
    "null",
    "1",
    "'a'",
    "cast(",
    ")",
    "from ",
    "join ",
    "customer_orders",
    "orders.stg_orders",
    "where ",
    "\n",
    "name: ",
    "required: true",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// Random edits of one or two files (cut a piece, splice in a snippet),
    /// started from the cache of the example: the warm check equals the cold one.
    #[test]
    fn random_edits_match_a_cold_check(
        edits in prop::collection::vec(
            (any::<prop::sample::Index>(), any::<prop::sample::Index>(), 0usize..24, prop::sample::select(SNIPPETS)),
            1..3,
        )
    ) {
        let base = jaffle_files();
        let (cache, _) = cache_of(&base);
        let mut files = base.clone();
        let paths: Vec<String> = files.keys().cloned().collect();
        for (which, at, cut, insert) in edits {
            let text = files.get_mut(&paths[which.index(paths.len())]).expect("listed");
            let mut start = at.index(text.len() + 1);
            while !text.is_char_boundary(start) { start -= 1; }
            let mut end = (start + cut).min(text.len());
            while !text.is_char_boundary(end) { end += 1; }
            text.replace_range(start..end, insert);
        }
        let cold = host(&files).check();
        let (warm, _) = warm_check(&cache, &files);
        prop_assert_eq!(warm, cold);
    }
}
