//! `meshc watch` end to end: the real binary watching a copy of the
//! jaffle_mesh example while the test changes its files the ways editors and
//! git do (writes in place, atomic saves through a rename, deletes, new
//! files, whole directories, a burst of writes, a checkout), asserting what
//! it prints and, with `--run`, what it rebuilt on DuckDB.

#[allow(dead_code)] // expected serves the other suites
mod example;

use std::fs;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

use example::{copy, example, query_csv};

/// Every wait for output is bounded by this.
const PATIENCE: Duration = Duration::from_secs(60);

/// A running `meshc watch` and the lines it prints.
struct Watcher {
    child: Child,
    lines: Receiver<String>,
    seen: Vec<String>,
}

impl Watcher {
    fn start(workspace: &Path, args: &[&str]) -> Watcher {
        let mut child = Command::new(env!("CARGO_BIN_EXE_meshc"))
            .arg("watch")
            .args(args)
            .arg("--workspace")
            .arg(workspace)
            .arg("--color=never")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("meshc watch starts");
        let (sender, lines) = channel();
        for stream in [
            child
                .stdout
                .take()
                .map(|s| Box::new(s) as Box<dyn std::io::Read + Send>),
            child
                .stderr
                .take()
                .map(|s| Box::new(s) as Box<dyn std::io::Read + Send>),
        ]
        .into_iter()
        .flatten()
        {
            let sender = sender.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines() {
                    let Ok(line) = line else { break };
                    if sender.send(line).is_err() {
                        break;
                    }
                }
            });
        }
        Watcher {
            child,
            lines,
            seen: Vec::new(),
        }
    }

    /// The lines printed from now up to and including the first one that
    /// contains `needle`.
    fn until(&mut self, needle: &str) -> Vec<String> {
        let deadline = Instant::now() + PATIENCE;
        let mut out = Vec::new();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    self.seen.push(line.clone());
                    let done = line.contains(needle);
                    out.push(line);
                    if done {
                        return out;
                    }
                }
                Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => panic!(
                    "no line with {needle:?} within {PATIENCE:?}; printed so far:\n{}",
                    self.seen.join("\n")
                ),
            }
        }
    }

    /// The lines of the next recheck report (up to its summary line).
    fn report(&mut self) -> String {
        self.until("rechecked in").join("\n")
    }

    /// Every line printed until nothing more comes for `quiet`.
    fn drain(&mut self, quiet: Duration) -> Vec<String> {
        let mut out = Vec::new();
        while let Ok(line) = self.lines.recv_timeout(quiet) {
            self.seen.push(line.clone());
            out.push(line);
        }
        out
    }

    /// Stops it as Ctrl-C does; returns its exit code.
    fn interrupt(mut self) -> Option<i32> {
        let pid = i32::try_from(self.child.id()).expect("pid");
        // SAFETY: kill(2) on our own child process; no memory is involved.
        unsafe { libc::kill(pid, libc::SIGINT) };
        self.until("watch stopped");
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return status.code();
            }
            assert!(Instant::now() < deadline, "meshc watch did not exit");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Watcher {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The summary line of the last recheck in `lines` ("" when there is none).
fn last_summary(lines: &[String]) -> &str {
    lines
        .iter()
        .rev()
        .find(|l| l.contains("rechecked in"))
        .map_or("", String::as_str)
}

fn copy_example() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    copy(&example(), dir.path());
    dir
}

fn replace_in(path: &Path, from: &str, to: &str) {
    let text = fs::read_to_string(path).expect("read");
    assert!(text.contains(from), "{from:?} not in {}", path.display());
    fs::write(path, text.replace(from, to)).expect("write");
}

/// An editor's atomic save: the new text goes to a temporary file in the
/// same directory, which is renamed over the file.
fn save_atomically(path: &Path, text: &str) {
    let temporary = path.with_file_name(format!(
        ".{}.tmp",
        path.file_name().and_then(|n| n.to_str()).expect("name")
    ));
    fs::write(&temporary, text).expect("write temporary");
    fs::rename(&temporary, path).expect("rename over");
}

fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git")
        .args([
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@t",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("git runs");
    assert!(status.success(), "git {args:?}");
}

#[test]
fn prints_new_and_fixed_diagnostics_after_each_file_operation() {
    let dir = copy_example();
    let root = dir.path();
    let mut watch = Watcher::start(root, &[]);
    let first = watch.until("watching 8 models").join("\n");
    assert!(first.contains("0 errors, 0 warnings"), "{first}");

    // A write in place that breaks the producer's contract.
    let model = root.join("orders/models/stg_orders.sql");
    let good = fs::read_to_string(&model).expect("read");
    replace_in(&model, "id as order_id", "id as order_number");
    let report = watch.report();
    assert!(
        report.contains("── changed: orders/models/stg_orders.sql"),
        "{report}"
    );
    assert!(report.contains("MESH1001"), "{report}");
    assert!(report.contains("MESH1002"), "{report}");
    assert!(
        report.contains("2 new, 0 fixed; 2 errors, 0 warnings"),
        "{report}"
    );

    // An unrelated edit of the same file: the errors only move, nothing is
    // printed again.
    let broken = fs::read_to_string(&model).expect("read");
    fs::write(&model, format!("-- moved down a line\n{broken}")).expect("write");
    let report = watch.report();
    assert!(!report.contains("MESH1001"), "{report}");
    assert!(
        report.contains("no new or fixed diagnostics; 2 errors"),
        "{report}"
    );

    // The fix arrives through an editor's atomic save (rename over).
    save_atomically(&model, &good);
    let report = watch.report();
    assert!(
        report.contains("fixed[MESH1001] in orders/models/stg_orders.sql"),
        "{report}"
    );
    assert!(
        report.contains("fixed[MESH1002] in orders/models/stg_orders.sql"),
        "{report}"
    );
    assert!(
        report.contains("0 new, 2 fixed; 0 errors, 0 warnings"),
        "{report}"
    );

    // A file that is briefly empty (truncated, then written) ends clean.
    fs::write(&model, "").expect("truncate");
    fs::write(&model, &good).expect("write");
    let settled = watch.drain(Duration::from_millis(1500));
    let last = last_summary(&settled);
    assert!(
        last.is_empty() || last.contains("; 0 errors, 0 warnings"),
        "{settled:?}"
    );

    // Deleting a model its readers need; then creating it again.
    let payments = root.join("insights/models/customer_payments.sql");
    let text = fs::read_to_string(&payments).expect("read");
    fs::remove_file(&payments).expect("delete");
    let report = watch.report();
    assert!(
        report.contains("── changed: insights/models/customer_payments.sql"),
        "{report}"
    );
    assert!(
        report.contains("insights/models/dim_customers.sql"),
        "{report}"
    );
    assert!(!report.contains("; 0 errors"), "{report}");
    fs::write(&payments, &text).expect("create");
    let report = watch.report();
    assert!(report.contains("; 0 errors, 0 warnings"), "{report}");
    assert!(report.contains("fixed["), "{report}");

    // A whole directory goes and comes back.
    let models = root.join("payments/models");
    let saved = tempfile::tempdir().expect("temp dir");
    copy(&models, saved.path());
    fs::remove_dir_all(&models).expect("remove dir");
    let report = watch.report();
    assert!(!report.contains("; 0 errors"), "{report}");
    copy(saved.path(), &models);
    let settled = watch.drain(Duration::from_millis(1500));
    assert!(
        last_summary(&settled).contains("; 0 errors, 0 warnings"),
        "{settled:?}"
    );

    // Files meshc does not read change nothing: no report at all.
    fs::write(root.join("orders/models/stg_orders.sql~"), "backup").expect("write");
    fs::write(root.join("notes.txt"), "notes").expect("write");
    fs::create_dir_all(root.join("target")).expect("mkdir");
    fs::write(root.join("target/scratch.sql"), "select 1").expect("write");
    let quiet = watch.drain(Duration::from_millis(800));
    assert!(quiet.is_empty(), "{quiet:?}");

    assert_eq!(watch.interrupt(), Some(0));
}

/// 500 writes in a tight loop are handled as a few batches, and the last
/// one describes the final text.
#[test]
fn a_burst_of_writes_is_rechecked_a_few_times() {
    let dir = copy_example();
    let root = dir.path();
    let mut watch = Watcher::start(root, &[]);
    watch.until("watching 8 models");
    let model = root.join("customers/models/stg_customers.sql");
    let good = fs::read_to_string(&model).expect("read");
    let bad = good.replace("first_name,", "first_name as given_name,");
    for i in 0..500 {
        let text = if i % 2 == 0 { &bad } else { &good };
        fs::write(&model, format!("-- write {i}\n{text}")).expect("write");
    }
    let lines = watch.drain(Duration::from_millis(2000));
    let batches = lines.iter().filter(|l| l.starts_with("── changed")).count();
    assert!(
        (1..=50).contains(&batches),
        "{batches} batches:\n{}",
        lines.join("\n")
    );
    assert!(
        last_summary(&lines).contains("; 0 errors, 0 warnings"),
        "{}",
        lines.join("\n")
    );
}

/// A `git checkout` that rewrites every model at once, and back.
#[test]
fn a_checkout_of_many_files_is_one_recheck() {
    let dir = copy_example();
    let root = dir.path();
    git(root, &["init", "-q", "-b", "main"]);
    git(root, &["add", "-A"]);
    git(root, &["commit", "-q", "-m", "base"]);
    git(root, &["checkout", "-q", "-b", "rewrite"]);
    for entry in fs::read_dir(root.join("insights/models")).expect("read") {
        let path = entry.expect("entry").path();
        let text = fs::read_to_string(&path).expect("read");
        fs::write(&path, format!("-- rewritten\n{text}")).expect("write");
    }
    replace_in(
        &root.join("orders/models/stg_orders.sql"),
        "status",
        "status as order_status",
    );
    git(root, &["commit", "-q", "-am", "rewrite"]);
    git(root, &["checkout", "-q", "main"]);

    let mut watch = Watcher::start(root, &[]);
    watch.until("watching 8 models");
    git(root, &["checkout", "-q", "rewrite"]);
    let report = watch.drain(Duration::from_millis(1500)).join("\n");
    assert!(report.contains("MESH1001"), "{report}");
    assert!(report.contains("2 errors"), "{report}");
    git(root, &["checkout", "-q", "main"]);
    let report = watch.drain(Duration::from_millis(1500));
    assert!(
        last_summary(&report).contains("; 0 errors, 0 warnings"),
        "{report:?}"
    );
}

/// `--run` builds everything once, then after each change only the changed
/// models and what is downstream of them; a model that fails on the engine
/// keeps its previous data and the watch goes on; the hashes persist, so a
/// new watch has nothing to do.
#[test]
fn run_rebuilds_what_changed_and_downstream_only() {
    let dir = copy_example();
    let root = dir.path();
    let mut watch = Watcher::start(root, &["--run", "--threads", "1"]);
    let first = watch.until("finished in").join("\n");
    assert!(first.contains("running 3 sources and 8 models"), "{first}");

    // customers.stg_customers is read by insights.dim_customers only, whose
    // customer_id insights.fct_orders' relationship rule checks.
    replace_in(
        &root.join("customers/models/stg_customers.sql"),
        "    first_name,",
        "    upper(first_name) as first_name,",
    );
    let rebuilt = watch.until("finished in").join("\n");
    assert!(
        rebuilt.contains("running 0 sources and 3 models"),
        "{rebuilt}"
    );
    for model in [
        "customers.stg_customers",
        "insights.dim_customers",
        "insights.fct_orders",
    ] {
        assert!(
            rebuilt.contains(&format!("OK      model {model}")),
            "{rebuilt}"
        );
    }
    assert!(!rebuilt.contains("orders.stg_orders"), "{rebuilt}");
    assert!(!rebuilt.contains("payments."), "{rebuilt}");

    // A comment changes no emitted SQL: nothing is rebuilt.
    let fct = root.join("insights/models/fct_orders.sql");
    let text = fs::read_to_string(&fct).expect("read");
    fs::write(&fct, format!("-- a comment\n{text}")).expect("write");
    let report = watch.until("up to date").join("\n");
    assert!(report.contains("nothing to rebuild"), "{report}");

    // A model that type-checks but fails on the engine: its table keeps the
    // data of the last good build.
    let dim = root.join("insights/models/dim_customers.sql");
    let good = fs::read_to_string(&dim).expect("read");
    replace_in(
        &dim,
        "    c.customer_id,",
        "    cast(cast(c.customer_id as varchar) || 'x' as integer) as customer_id,",
    );
    let failed = watch.until("finished in").join("\n");
    assert!(
        failed.contains("ERROR   model insights.dim_customers"),
        "{failed}"
    );
    let rows = query_csv(root, "select count(*) as n from insights.dim_customers");
    assert_eq!(rows.trim(), "n\n100");

    // The watch goes on: the fix rebuilds the failed model (it was stale).
    fs::write(&dim, &good).expect("write");
    let fixed = watch.until("finished in").join("\n");
    assert!(fixed.contains("running 0 sources and 2 models"), "{fixed}");
    assert!(
        fixed.contains("OK      model insights.dim_customers"),
        "{fixed}"
    );

    // The source data itself changes: the source and what reads it.
    let data = root.join("customers/data/raw_customers.csv");
    let text = fs::read_to_string(&data).expect("read");
    fs::write(&data, text.trim_end().to_string() + "\n").expect("write");
    let reloaded = watch.until("finished in").join("\n");
    assert!(reloaded.contains("source data changed"), "{reloaded}");
    assert!(
        reloaded.contains("running 1 sources and 3 models"),
        "{reloaded}"
    );
    assert!(!reloaded.contains("payments."), "{reloaded}");
    assert_eq!(watch.interrupt(), Some(0));

    let names = query_csv(
        root,
        "select first_name from customers.stg_customers order by customer_id limit 1",
    );
    assert_eq!(names.trim(), "first_name\nMICHAEL");

    // A new watch (a new process) finds everything current.
    let mut again = Watcher::start(root, &["--run"]);
    let first = again.until("up to date").join("\n");
    assert!(first.contains("nothing to rebuild"), "{first}");
}
