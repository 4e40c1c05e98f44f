//! `meshc check`'s persistent cache (target/cache/check.bin) through the real
//! binary: a second check with no change answers from it, an edit is seen,
//! `--no-cache` neither reads nor writes it, a damaged cache is replaced,
//! and checks running at the same time leave a whole one.

mod example;

use std::path::Path;
use std::process::Output;

use example::{copy, example, meshc};

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The diagnostics `meshc check --format json` prints, and whether the
/// answer came from the cache.
fn check(workspace: &Path, extra: &[&str]) -> (String, bool, i32) {
    let mut args = vec!["check", "--format", "json"];
    args.extend_from_slice(extra);
    let output = meshc(workspace, &args);
    let cached = stderr(&output).contains("no file changed since the last check");
    (stdout(&output), cached, output.status.code().unwrap_or(-1))
}

fn cache_file(workspace: &Path) -> std::path::PathBuf {
    workspace.join("target/cache/check.bin")
}

#[test]
fn a_second_check_answers_from_the_cache_and_sees_every_edit() {
    let dir = tempfile::tempdir().expect("temp dir");
    let ws = dir.path().join("jaffle");
    copy(&example(), &ws);

    let (cold, cached, code) = check(&ws, &[]);
    assert!(!cached && code == 0, "{cold}");
    assert!(
        cache_file(&ws).is_file(),
        "the first check writes the cache"
    );
    let (again, cached, code) = check(&ws, &[]);
    assert!(cached && code == 0);
    assert_eq!(again, cold);

    // A consumer's model breaks: seen, and the same as a check from scratch.
    let model = ws.join("insights/models/customer_orders.sql");
    let text = std::fs::read_to_string(&model).expect("model");
    std::fs::write(&model, text.replace("count(order_id)", "count(order_idx)")).expect("edit");
    let (broken, cached, code) = check(&ws, &[]);
    assert!(!cached && code == 1, "{broken}");
    assert!(broken.contains("order_idx"), "{broken}");
    let (scratch, _, _) = check(&ws, &["--no-cache"]);
    assert_eq!(broken, scratch);
    let (still, cached, _) = check(&ws, &[]);
    assert!(cached);
    assert_eq!(still, broken);

    // The fix clears it.
    std::fs::write(&model, &text).expect("fix");
    let (fixed, cached, code) = check(&ws, &[]);
    assert!(!cached && code == 0);
    assert_eq!(fixed, cold);

    // A producer's contract renames a column an unchanged consumer reads.
    let contract = ws.join("orders/contracts/stg_orders.yaml");
    let published = std::fs::read_to_string(&contract).expect("contract");
    std::fs::write(
        &contract,
        published.replacen("name: order_date", "name: order_day", 1),
    )
    .expect("edit contract");
    let (consumers, cached, code) = check(&ws, &[]);
    assert!(!cached && code == 1);
    assert_eq!(consumers, check(&ws, &["--no-cache"]).0);
    assert!(consumers.contains("insights/models/"), "{consumers}");
}

#[test]
fn no_cache_neither_reads_nor_writes() {
    let dir = tempfile::tempdir().expect("temp dir");
    let ws = dir.path().join("jaffle");
    copy(&example(), &ws);
    let (_, cached, code) = check(&ws, &["--no-cache"]);
    assert!(!cached && code == 0);
    assert!(!cache_file(&ws).exists());
    check(&ws, &[]);
    assert!(cache_file(&ws).exists());
    let before = std::fs::read(cache_file(&ws)).expect("cache");
    let (_, cached, _) = check(&ws, &["--no-cache"]);
    assert!(!cached, "--no-cache must not answer from the cache");
    assert_eq!(std::fs::read(cache_file(&ws)).expect("cache"), before);
}

#[test]
fn a_damaged_cache_is_ignored_and_replaced() {
    let dir = tempfile::tempdir().expect("temp dir");
    let ws = dir.path().join("jaffle");
    copy(&example(), &ws);
    let (cold, _, _) = check(&ws, &[]);
    let good = std::fs::read(cache_file(&ws)).expect("cache");
    let mut flipped = good.clone();
    let last = flipped.len() - 1;
    flipped[last] ^= 1;
    for damaged in [
        flipped,
        good[..good.len() / 3].to_vec(),
        Vec::new(),
        b"not a cache".to_vec(),
    ] {
        std::fs::write(cache_file(&ws), &damaged).expect("damage");
        let (out, cached, code) = check(&ws, &[]);
        assert!(!cached && code == 0, "{out}");
        assert_eq!(out, cold);
        let (_, cached, _) = check(&ws, &[]);
        assert!(cached, "the damaged cache was replaced");
    }
    // A directory where the cache file would be: checked, nothing written.
    std::fs::remove_file(cache_file(&ws)).expect("remove");
    std::fs::create_dir_all(cache_file(&ws)).expect("dir in the way");
    let (out, _, code) = check(&ws, &[]);
    assert_eq!((out.as_str(), code), (cold.as_str(), 0));
}

#[test]
fn concurrent_checks_leave_a_whole_cache() {
    let dir = tempfile::tempdir().expect("temp dir");
    let ws = dir.path().join("jaffle");
    copy(&example(), &ws);
    let (cold, _, _) = check(&ws, &["--no-cache"]);
    let outputs: Vec<(String, bool, i32)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..6).map(|_| scope.spawn(|| check(&ws, &[]))).collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("thread"))
            .collect()
    });
    for (out, _, code) in &outputs {
        assert_eq!((out.as_str(), *code), (cold.as_str(), 0));
    }
    let (out, cached, _) = check(&ws, &[]);
    assert!(cached);
    assert_eq!(out, cold);
    let leftovers: Vec<_> = std::fs::read_dir(ws.join("target/cache"))
        .expect("cache dir")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name != "check.bin")
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}
