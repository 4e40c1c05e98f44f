//! A database held by another process: the run reports one diagnostic naming
//! the file (MESH5005) and runs nothing, instead of hanging, panicking or
//! failing every node with the same error.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{Project, model};
use mesh_diagnostics::Code;
use mesh_engine::{Materialization::View, NodeStatus};

const HOLD: &str = "MESHC_ENGINE_TEST_HOLD_DATABASE";

/// Not a test of its own: when started by the test below with `HOLD` set, it
/// opens that database and keeps it open until a stop file appears.
#[test]
fn hold_database_when_asked() {
    let Ok(path) = std::env::var(HOLD) else {
        return;
    };
    let conn = duckdb::Connection::open(&path).unwrap();
    conn.execute_batch("CREATE TABLE IF NOT EXISTS held (x INTEGER)")
        .unwrap();
    std::fs::write(format!("{path}.ready"), "").unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while !Path::new(&format!("{path}.stop")).exists() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Stops the holder process when the test ends, also when it fails.
struct Holder {
    child: Child,
    stop: PathBuf,
}

impl Drop for Holder {
    fn drop(&mut self) {
        let _ = std::fs::write(&self.stop, "");
        if self.child.try_wait().ok().flatten().is_none() {
            std::thread::sleep(Duration::from_millis(100));
            let _ = self.child.kill();
        }
        let _ = self.child.wait();
    }
}

#[test]
fn database_locked_by_another_process_fails_every_node() {
    let project = Project::new();
    let path = project.database.to_str().unwrap().to_owned();
    let child = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "hold_database_when_asked", "--test-threads=1"])
        .env(HOLD, &path)
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let _holder = Holder {
        child,
        stop: PathBuf::from(format!("{path}.stop")),
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    while !Path::new(&format!("{path}.ready")).exists() {
        assert!(
            Instant::now() < deadline,
            "the holder process did not open the database"
        );
        std::thread::sleep(Duration::from_millis(20));
    }

    let source = project.ids("raw", "id\n1\n");
    let models = vec![model("s", "stg", View, "SELECT * FROM s.raw", &["s.raw"])];
    let results = project.run(vec![source], models);
    // One diagnostic for the run, naming the file and saying another process
    // holds it; no node ran, none repeats the open error as its own failure.
    let error = results.database_error.as_ref().expect("a database error");
    assert_eq!(error.code, Code::DatabaseLocked);
    assert_eq!(&*error.file, path.as_str());
    assert!(
        error.message.starts_with(&format!(
            "cannot open database {path}: another process holds it ("
        )),
        "{}",
        error.message
    );
    assert!(error.message.contains("PID"), "{}", error.message);
    for result in &results.results {
        assert_eq!(result.status, NodeStatus::Skipped, "{}", result.id);
    }
    assert_eq!(results.results.len(), 2);
}
