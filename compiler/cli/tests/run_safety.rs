//! `meshc run` under stress, with the real binary: stopped by SIGTERM or
//! SIGINT, killed with SIGKILL, started twice at once, pointed at a file that
//! is not a database or at a database another process holds.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

const FAST: &str = "SELECT count(*) AS n FROM raw";
/// 2000^4 rows: minutes of work.
const SLOW: &str = "SELECT count(*) AS n FROM raw AS a CROSS JOIN raw AS b CROSS JOIN raw AS c CROSS JOIN raw AS d";

/// A workspace with one source, a quick model and `slow`, built once with
/// the fast SQL (so `s.slow` holds 2000), then given the slow SQL.
fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("s/models")).unwrap();
    std::fs::create_dir_all(root.join("s/data")).unwrap();
    std::fs::write(root.join("mesh.yaml"), "name: slow\ndomains: [s]\n").unwrap();
    std::fs::write(
        root.join("s/domain.yaml"),
        "name: s\nowner: a@b.c\nversion: 1.0.0\nmaterialization: table\n",
    )
    .unwrap();
    std::fs::write(
        root.join("s/sources.yaml"),
        "sources:\n  - name: raw\n    path: data/raw.csv\n    columns:\n      - { name: id, type: INTEGER, required: true }\n",
    )
    .unwrap();
    let ids: String = (1..=2000).map(|i| format!("{i}\n")).collect();
    std::fs::write(root.join("s/data/raw.csv"), format!("id\n{ids}")).unwrap();
    std::fs::write(root.join("s/models/quick.sql"), "SELECT id FROM raw").unwrap();
    std::fs::write(root.join("s/models/slow.sql"), FAST).unwrap();
    let first = meshc(root, &["run"]);
    assert!(first.status.success(), "{}", stderr(&first));
    std::fs::write(root.join("s/models/slow.sql"), SLOW).unwrap();
    dir
}

fn command(root: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_meshc"));
    command
        .args(args)
        .arg("--workspace")
        .arg(root)
        .arg("--color=never");
    command
}

fn meshc(root: &Path, args: &[&str]) -> Output {
    command(root, args).output().unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn database(root: &Path) -> PathBuf {
    root.join("target/slow.duckdb")
}

/// A `meshc run` that has started building `s.slow`; its stderr lines so far
/// and the rest arrive on the channel.
fn start_slow_run(root: &Path) -> (Child, mpsc::Receiver<String>) {
    let mut child = command(root, &["run", "--threads", "1"])
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let (send, receive) = mpsc::channel();
    let pipe = child.stderr.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(pipe).lines().map_while(Result::ok) {
            let _ = send.send(line);
        }
    });
    // The quick model and the source finish first (one thread, plan order).
    loop {
        let line = receive
            .recv_timeout(Duration::from_secs(60))
            .expect("the run reports progress");
        if line.contains("model s.quick") {
            break;
        }
    }
    std::thread::sleep(Duration::from_millis(500));
    (child, receive)
}

fn signal(child: &Child, name: &str) {
    let sent = Command::new("kill")
        .arg(format!("-{name}"))
        .arg(child.id().to_string())
        .status()
        .unwrap();
    assert!(sent.success());
}

/// Rows of a query on the workspace's database (opened read-only).
fn rows(root: &Path, sql: &str) -> Vec<Vec<String>> {
    let result = mesh_engine::query_all(&database(root), sql).unwrap();
    result
        .rows
        .iter()
        .map(|row| row.iter().map(ToString::to_string).collect())
        .collect()
}

fn temporaries(root: &Path) -> Vec<Vec<String>> {
    rows(
        root,
        "SELECT table_name FROM information_schema.tables WHERE table_name ILIKE '%meshc%'",
    )
}

fn stopped_by(name: &str, code: i32) {
    let dir = workspace();
    let root = dir.path();
    let (mut child, lines) = start_slow_run(root);
    signal(&child, name);
    let status = child.wait().unwrap();
    let rest: Vec<String> = lines.try_iter().collect();
    assert_eq!(status.code(), Some(code), "{rest:?}");
    assert!(
        rest.iter().any(|l| l.contains("MESH5010")),
        "the interrupted node is reported: {rest:?}"
    );
    assert!(temporaries(root).is_empty());
    assert_eq!(rows(root, "SELECT n FROM s.slow"), vec![vec!["2000"]]);
    // run_results.json describes this run, not the previous one.
    let results = std::fs::read_to_string(root.join("target/run_results.json")).unwrap();
    let results: serde_json::Value = serde_json::from_str(&results).unwrap();
    let slow = results["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "s.slow")
        .unwrap();
    assert_eq!(slow["status"], "error", "{slow}");
    // No temporary file of an atomic write is left in target/.
    let strays: Vec<_> = std::fs::read_dir(root.join("target"))
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().starts_with(".meshc-"))
        .filter(|e| e.file_name() != ".meshc-run.lock")
        .collect();
    assert!(strays.is_empty(), "{strays:?}");
}

#[test]
fn sigterm_stops_the_run_cleanly() {
    stopped_by("TERM", 143);
}

#[test]
fn sigint_stops_the_run_cleanly() {
    stopped_by("INT", 130);
}

#[test]
fn a_second_run_is_refused_while_one_is_under_way() {
    let dir = workspace();
    let root = dir.path();
    let (mut child, _lines) = start_slow_run(root);
    let second = meshc(root, &["run"]);
    let text = stderr(&second);
    assert_eq!(second.status.code(), Some(2), "{text}");
    assert!(text.contains("MESH5008"), "{text}");
    let holder = format!(
        "another meshc run of this workspace is under way: process {} (`",
        child.id()
    );
    assert!(text.contains(&holder), "{text}");
    assert!(text.contains(" run --threads 1 --workspace "), "{text}");
    // The first run removed the previous results when it started; the
    // second did not write any.
    assert!(!root.join("target/run_results.json").exists());
    signal(&child, "TERM");
    assert_eq!(child.wait().unwrap().code(), Some(143));
}

#[test]
fn after_sigkill_the_next_run_cleans_up() {
    let dir = workspace();
    let root = dir.path();
    let (mut child, _lines) = start_slow_run(root);
    signal(&child, "KILL");
    let _ = child.wait();
    // The results of the previous run are gone, not passed off as this one's.
    assert!(!root.join("target/run_results.json").exists());
    // What a run killed between creating a temporary and swapping it leaves.
    {
        let conn = duckdb::Connection::open(database(root)).unwrap();
        conn.execute_batch("CREATE TABLE s.slow__meshc_new AS SELECT 1 AS n")
            .unwrap();
    }
    assert_eq!(temporaries(root).len(), 1);
    assert_eq!(rows(root, "SELECT n FROM s.slow"), vec![vec!["2000"]]);

    std::fs::write(root.join("s/models/slow.sql"), FAST).unwrap();
    let next = meshc(root, &["run"]);
    assert!(next.status.success(), "{}", stderr(&next));
    assert!(temporaries(root).is_empty());
}

#[test]
fn a_database_path_that_is_a_csv_file_is_refused_untouched() {
    let dir = workspace();
    let root = dir.path();
    std::fs::write(root.join("s/models/slow.sql"), FAST).unwrap();
    let csv = root.join("s/data/raw.csv");
    let before = std::fs::read(&csv).unwrap();
    let run = meshc(root, &["run", "--database", csv.to_str().unwrap()]);
    let text = stderr(&run);
    assert_eq!(run.status.code(), Some(2), "{text}");
    assert!(text.contains("MESH5006"), "{text}");
    assert!(text.contains("is not a DuckDB database"), "{text}");
    assert_eq!(std::fs::read(&csv).unwrap(), before);
}

#[test]
fn a_database_held_by_another_process_is_one_error_with_exit_code_2() {
    let dir = workspace();
    let root = dir.path();
    std::fs::write(root.join("s/models/slow.sql"), FAST).unwrap();
    let held = duckdb::Connection::open(database(root)).unwrap();
    let run = meshc(root, &["run"]);
    drop(held);
    let text = stderr(&run);
    assert_eq!(run.status.code(), Some(2), "{text}");
    assert_eq!(text.matches("MESH5005").count(), 1, "{text}");
    assert!(!text.contains("MESH5001"), "{text}");
    let path = database(root).display().to_string();
    assert!(
        text.contains(&format!(
            "cannot open database {path}: another process holds it"
        )),
        "{text}"
    );
}

#[test]
fn an_external_source_loads_only_when_declared_external() {
    let dir = workspace();
    let root = dir.path();
    std::fs::write(root.join("s/models/slow.sql"), FAST).unwrap();
    let outside = tempfile::tempdir().unwrap();
    let file = outside.path().join("ids.csv");
    std::fs::write(&file, "id\n5\n6\n").unwrap();
    let declare = |external: &str| {
        let yaml = format!(
            "sources:\n  - name: raw\n    path: {}\n{external}    columns:\n      - {{ name: id, type: INTEGER, required: true }}\n",
            file.display()
        );
        std::fs::write(root.join("s/sources.yaml"), yaml).unwrap();
    };
    declare("");
    let refused = meshc(root, &["run"]);
    let text = stderr(&refused);
    assert_eq!(refused.status.code(), Some(1), "{text}");
    assert!(text.contains("MESH0220"), "{text}");
    assert!(text.contains("nothing was built"), "{text}");

    declare("    external: true\n");
    let run = meshc(root, &["run"]);
    assert!(run.status.success(), "{}", stderr(&run));
    assert_eq!(rows(root, "SELECT n FROM s.slow"), vec![vec!["2"]]);
}

#[test]
fn a_source_linked_out_of_the_workspace_is_an_error_at_check() {
    let dir = workspace();
    let root = dir.path();
    std::fs::write(root.join("s/models/slow.sql"), FAST).unwrap();
    let outside = tempfile::tempdir().unwrap();
    let secret = outside.path().join("secret.csv");
    std::fs::write(&secret, "id\n1\n").unwrap();
    let data = root.join("s/data/raw.csv");
    std::fs::remove_file(&data).unwrap();
    std::os::unix::fs::symlink(&secret, &data).unwrap();
    let check = meshc(root, &["check", "--format", "short"]);
    let text = String::from_utf8_lossy(&check.stdout).into_owned();
    assert_eq!(check.status.code(), Some(1), "{text}");
    assert!(
        text.contains(
            "s/sources.yaml:3:11: error[MESH0220] the file of source `raw` is a symbolic link to"
        ) && text.contains("secret.csv, outside the workspace"),
        "{text}"
    );
    // A link inside the workspace is fine.
    let inside = root.join("s/data/inside.csv");
    std::fs::write(&inside, "id\n1\n").unwrap();
    std::fs::remove_file(&data).unwrap();
    std::os::unix::fs::symlink(&inside, &data).unwrap();
    let check = meshc(root, &["check"]);
    assert!(check.status.success(), "{}", stderr(&check));
}
