//! Inputs at and past the documented limits (docs/sql.md, "Limits"), run
//! through the real binary: each is a diagnostic with its code and exit code 1,
//! never a crash (before these limits, each of them aborted or panicked).

use std::path::Path;
use std::process::Command;

/// A one-domain workspace whose model `m` is `sql`; `domain_extra` is appended to domain.yaml.
fn workspace(sql: &str, domain_extra: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path();
    std::fs::create_dir_all(root.join("a/models")).expect("mkdir");
    std::fs::write(root.join("mesh.yaml"), "name: w\ndomains: [a]\n").expect("write");
    std::fs::write(
        root.join("a/domain.yaml"),
        format!("name: a\nowner: a@x.example\nversion: 1.0.0\n{domain_extra}"),
    )
    .expect("write");
    std::fs::write(root.join("a/models/m.sql"), sql).expect("write");
    dir
}

/// Runs `meshc check` and returns (exit code, stdout + stderr).
fn check(root: &Path) -> (Option<i32>, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_meshc"))
        .args(["check", "--color", "never", "--workspace"])
        .arg(root)
        .output()
        .expect("meshc runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code(), text)
}

fn chain(term: &str, op: &str, n: usize) -> String {
    vec![term; n].join(op)
}

#[test]
fn long_operator_chains_and_unions_are_a_diagnostic() {
    let cases = [
        format!("select {} as x\n", chain("1", " + ", 9_200)),
        format!("select 1 as x where {}\n", chain("true", " OR ", 9_200)),
        format!("select 1 as x where {}\n", chain("true", " AND ", 9_200)),
        format!("select {} as x\n", chain("'a'", " || ", 9_200)),
        format!("{}\n", chain("select 1 as x", " union all ", 10_000)),
    ];
    for sql in cases {
        let dir = workspace(&sql, "");
        let (code, out) = check(dir.path());
        assert_eq!(code, Some(1), "{}", &out[..out.len().min(2000)]);
        assert!(out.contains("MESH0105"), "{}", &out[..out.len().min(2000)]);
        assert!(out.contains("a/models/m.sql:1:"), "{out}");
    }
}

#[test]
fn chains_within_the_limit_check_clean() {
    let within = mesh_analysis::MAX_TREE_DEPTH - 1;
    for sql in [
        format!("select {} as x\n", chain("1", " + ", within)),
        format!("{}\n", chain("select 1 as x", " union all ", within)),
        format!("select {}1{} as x\n", "(".repeat(200), ")".repeat(200)),
    ] {
        let dir = workspace(&sql, "");
        let (code, out) = check(dir.path());
        assert_eq!(code, Some(0), "{out}");
    }
}

#[test]
fn deep_parentheses_are_a_nesting_diagnostic_at_the_deepest_one() {
    let n = mesh_analysis::PARSER_RECURSION_LIMIT + 50;
    let sql = format!("select {}1{} as x\n", "(".repeat(n), ")".repeat(n));
    let dir = workspace(&sql, "");
    let (code, out) = check(dir.path());
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("MESH0104"), "{out}");
    // The first `(` of the deepest nesting: column 8 + n - 1.
    assert!(
        out.contains(&format!("a/models/m.sql:1:{}]", 7 + n)),
        "{out}"
    );
}

#[test]
fn deeply_nested_yaml_is_a_diagnostic() {
    let mut extra = String::from("models:\n  m:\n");
    for i in 0..2_000 {
        extra.push_str(&" ".repeat(2 * i + 4));
        extra.push_str(&format!("k{i}:\n"));
    }
    let dir = workspace("select 1 as x\n", &extra);
    let (code, out) = check(dir.path());
    assert_eq!(code, Some(1), "{}", &out[..out.len().min(2000)]);
    assert!(out.contains("MESH0209"), "{}", &out[..out.len().min(2000)]);
}

#[test]
fn an_error_past_column_65535_renders_clipped() {
    let sql = format!("select 1 as x {} fromm t\n", " ".repeat(70_000));
    let dir = workspace(&sql, "");
    let (code, out) = check(dir.path());
    assert_eq!(code, Some(1), "{}", &out[..out.len().min(2000)]);
    assert!(out.contains("MESH0101"), "{out}");
    assert!(out.contains("a/models/m.sql:1:70016]"), "{out}");
    assert!(out.lines().all(|l| l.len() < 400), "{out}");
}

mod rendering {
    use mesh_analysis::{Code, Diagnostic, TextRange};
    use meshc::render::{Style, render};
    use proptest::prelude::*;
    use std::sync::Arc;

    const PIECES: &[&str] = &[
        "a", " ", "\n", "\r\n", "\t", "é", "😀", "select ", "\u{feff}",
    ];

    fn text() -> impl Strategy<Value = String> {
        (
            prop::collection::vec(prop::sample::select(PIECES), 0..200),
            0usize..120_000,
            0usize..200,
        )
            .prop_map(|(pieces, long, at)| {
                let mut text = pieces.concat();
                let mut at = at.min(text.len());
                while !text.is_char_boundary(at) {
                    at -= 1;
                }
                text.insert_str(at, &"x".repeat(long));
                text
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig {
            cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(64),
            ..ProptestConfig::default()
        })]

        /// Any range in any text (long lines, multi-byte characters, CRLF,
        /// ranges inside characters or past the end) renders without panic,
        /// and no printed line is longer than a clipped snippet.
        #[test]
        fn any_range_renders(text in text(), start in 0u32..130_000, len in 0u32..200_000, with_label in any::<bool>()) {
            let file: Arc<str> = Arc::from("a/models/m.sql");
            let end = start.saturating_add(len);
            let mut diagnostic = Diagnostic::new(Code::SqlSyntax, file.clone(), TextRange::new(start, end.max(start)), "message");
            if with_label {
                diagnostic = diagnostic.with_label(file, TextRange::new(end / 2, end), "label");
            }
            let lookup = |_: &str| Some(text.clone());
            let out = render(&diagnostic, Some(&text), Style::Plain, &lookup);
            prop_assert!(out.contains("MESH0101"));
            prop_assert!(out.lines().all(|l| l.chars().count() < 1_000), "{}", &out[..out.len().min(3000)]);
        }
    }
}

#[test]
fn huge_value_lists_and_join_counts_are_capped_with_a_diagnostic() {
    // A 6.7-million-value IN list took 38 s and 6.3 GB: past 4 MiB a model is
    // not parsed at all.
    let values: Vec<String> = (0..800_000).map(|i| i.to_string()).collect();
    let sql = format!("select 1 as x where 1 in ({})\n", values.join(","));
    assert!(sql.len() > 4 * 1024 * 1024);
    let dir = workspace(&sql, "");
    let started = std::time::Instant::now();
    let (code, out) = check(dir.path());
    assert_eq!(code, Some(1), "{}", &out[..out.len().min(2000)]);
    assert!(out.contains("MESH0106"), "{}", &out[..out.len().min(2000)]);
    assert!(started.elapsed().as_secs() < 30);
    // Thousands of joins cost seconds each thousand: past 1,000 relations the
    // SELECT is not typed.
    let joins: Vec<String> = (1..1_200)
        .map(|i| format!("join (select 1 as k) t{i} on t{i}.k = t0.k"))
        .collect();
    let sql = format!("select t0.k from (select 1 as k) t0 {}\n", joins.join(" "));
    let dir = workspace(&sql, "");
    let (code, out) = check(dir.path());
    assert_eq!(code, Some(1), "{}", &out[..out.len().min(2000)]);
    assert!(out.contains("MESH3015"), "{}", &out[..out.len().min(2000)]);
    assert!(
        out.contains("1200 relations"),
        "{}",
        &out[..out.len().min(2000)]
    );
}
