//! One real Trino server per test binary, started on first use by
//! `scripts/trino-server.sh` (Trino 476 from `scripts/setup-trino.sh`, plus a
//! PostgreSQL server of its own with the jaffle raw data) and stopped when the
//! test process exits: by an `atexit` hook, and by the script's watchdog
//! (`--watch <our pid>`) should the process be killed.
//!
//! `MESHC_TRINO_URL` points the tests at a server that is already running
//! (one `trino-server.sh start` made) instead.
//!
//! When Trino is not installed the tests say so loudly and pass without
//! running, unless `CI=true` or `MESHC_REQUIRE_TRINO=1`: then they fail, so
//! a CI run that forgot `scripts/setup-trino.sh` cannot look green.

#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::Instant;

use mesh_trino::Client;

/// `eprintln!` to the real stderr: libtest captures `eprintln!` of passing
/// tests, and a skip must be seen.
macro_rules! loud {
    ($($arg:tt)*) => {{
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

pub(crate) struct TrinoServer {
    url: String,
}

impl TrinoServer {
    pub(crate) fn url(&self) -> &str {
        &self.url
    }

    pub(crate) fn client(&self) -> Client {
        Client::new(&self.url, "meshc-test")
    }
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn script() -> PathBuf {
    repo().join("scripts/trino-server.sh")
}

fn installed() -> bool {
    let Some(home) = std::env::var_os("HOME") else {
        return false;
    };
    Path::new(&home)
        .join(".cache/meshc/trino-476/.meshc-installed")
        .is_file()
}

fn required() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true")
        || std::env::var("MESHC_REQUIRE_TRINO").is_ok_and(|v| v == "1")
}

/// The shared server, or `None` (after a loud message) when Trino is not
/// installed and not required. Every test starts with
/// `let Some(trino) = common::server() else { return };`.
pub(crate) fn server() -> Option<&'static TrinoServer> {
    static SERVER: OnceLock<Result<Option<TrinoServer>, String>> = OnceLock::new();
    let server = SERVER.get_or_init(|| {
        if let Ok(url) = std::env::var("MESHC_TRINO_URL") {
            return Ok(Some(TrinoServer { url }));
        }
        if !installed() {
            let message = "Trino 476 is not installed (~/.cache/meshc/trino-476): \
                           run `bash scripts/setup-trino.sh`";
            if required() {
                return Err(message.to_string());
            }
            loud!("\n*** SKIPPED: the real-Trino tests did not run. {message} ***\n");
            return Ok(None);
        }
        start().map(Some)
    });
    match server {
        Ok(server) => server.as_ref(),
        Err(why) => panic!("{why}"),
    }
}

fn start() -> Result<TrinoServer, String> {
    let started = Instant::now();
    let dir = std::env::temp_dir().join(format!("meshc-trino-test-{}", std::process::id()));
    let output = Command::new("bash")
        .arg(script())
        .arg("start")
        .arg(&dir)
        .arg("--watch")
        .arg(std::process::id().to_string())
        .output()
        .map_err(|e| format!("cannot run {}: {e}", script().display()))?;
    if !output.status.success() {
        return Err(format!(
            "trino-server.sh start failed ({}):\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    let url = String::from_utf8_lossy(&output.stdout).trim().to_string();
    if !url.starts_with("http://127.0.0.1:") {
        return Err(format!("trino-server.sh printed no URL: {url:?}"));
    }
    STOP_DIR.get_or_init(|| dir.clone());
    // SAFETY: `stop_at_exit` is an `extern "C" fn()` that does not unwind
    // (it catches nothing and calls only code that reports errors as values).
    unsafe {
        libc::atexit(stop_at_exit);
    }
    loud!(
        "test Trino at {url} ready in {:.1?} ({})",
        started.elapsed(),
        String::from_utf8_lossy(&output.stderr).trim()
    );
    Ok(TrinoServer { url })
}

static STOP_DIR: OnceLock<PathBuf> = OnceLock::new();

extern "C" fn stop_at_exit() {
    if let Some(dir) = STOP_DIR.get() {
        let started = Instant::now();
        let status = Command::new("bash")
            .arg(script())
            .arg("stop")
            .arg(dir)
            .status();
        loud!(
            "test Trino stopped in {:.1?} ({status:?})",
            started.elapsed()
        );
    }
}
