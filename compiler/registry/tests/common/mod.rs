//! A real PostgreSQL server for tests, started from a fresh `initdb` in a
//! temporary directory on a free loopback port and stopped when the last test
//! using it drops it (also when a test fails).
//!
//! The binaries come from `$MESHC_PG_BIN`, `/usr/lib/postgresql/*/bin` (Debian)
//! or `PATH`. When there are none, the harness installs Debian's `postgresql`
//! (as root, or through `sudo -n`) and fails with what to do when it cannot:
//! these tests are never skipped. `initdb` refuses to run as root, so as root
//! the server runs as the `postgres` user (or `nobody`).

#![allow(dead_code)]

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::{Arc, Mutex, OnceLock, Weak};
use std::time::Instant;

use tokio_postgres::{NoTls, SimpleQueryMessage};

/// The superuser `initdb` creates (trust authentication, loopback only).
pub(crate) const SUPERUSER: &str = "meshc";

pub(crate) struct PgServer {
    dir: tempfile::TempDir,
    bin: PathBuf,
    /// The user the server runs as, when it is not this process's user.
    run_as: Option<String>,
    port: u16,
}

/// The server shared by the tests running now (started on first use).
pub(crate) fn server() -> Arc<PgServer> {
    static SHARED: Mutex<Weak<PgServer>> = Mutex::new(Weak::new());
    let mut shared = SHARED.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(server) = shared.upgrade() {
        return server;
    }
    let server = Arc::new(PgServer::start());
    *shared = Arc::downgrade(&server);
    server
}

impl PgServer {
    fn start() -> PgServer {
        let started = Instant::now();
        let bin = binaries();
        let root = is_root();
        let run_as = root.then(unprivileged_user);
        // As root, somewhere the server's user can reach (not a 0700 home).
        let dir = if root {
            tempfile::Builder::new()
                .prefix("meshc-pg-")
                .tempdir_in("/tmp")
        } else {
            tempfile::Builder::new().prefix("meshc-pg-").tempdir()
        }
        .expect("temporary directory for PostgreSQL");
        if let Some(user) = &run_as {
            check(
                Command::new("chown")
                    .arg(format!("{user}:"))
                    .arg(dir.path()),
                "chown",
            );
        }
        let mut server = PgServer {
            dir,
            bin,
            run_as,
            port: 0,
        };
        check(
            server
                .command("initdb")
                .arg("-D")
                .arg(server.data())
                .args(["-A", "trust", "-U", SUPERUSER, "-E", "UTF8", "--locale=C"])
                .arg("--no-sync"),
            "initdb",
        );
        // A free port can be taken between our probe and the server's bind: retry.
        let mut last_error = String::new();
        for _ in 0..5 {
            server.port = free_port();
            let options = format!(
                "-c listen_addresses=127.0.0.1 -p {} -k '{}' -c fsync=off \
                 -c synchronous_commit=off -c full_page_writes=off",
                server.port,
                server.dir.path().display()
            );
            let output = server
                .command("pg_ctl")
                .arg("-D")
                .arg(server.data())
                .arg("-l")
                .arg(server.log())
                .args(["-w", "-t", "60", "-o", &options, "start"])
                .output()
                .expect("run pg_ctl");
            if output.status.success() {
                eprintln!(
                    "test PostgreSQL on 127.0.0.1:{} ready in {:.2?}",
                    server.port,
                    started.elapsed()
                );
                return server;
            }
            last_error = format!(
                "{}{}\n{}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr),
                std::fs::read_to_string(server.log()).unwrap_or_default()
            );
            server.stop();
        }
        panic!("PostgreSQL did not start:\n{last_error}");
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn log(&self) -> PathBuf {
        self.dir.path().join("postgres.log")
    }

    /// A PostgreSQL program, run as the server's user.
    fn command(&self, program: &str) -> Command {
        let path = self.bin.join(program);
        let mut command = match &self.run_as {
            Some(user) => {
                let mut command = Command::new("runuser");
                command.args(["-u", user, "--"]).arg(path);
                command
            }
            None => Command::new(path),
        };
        // The server's user may not be able to enter the current directory.
        command.current_dir(self.dir.path()).stdin(Stdio::null());
        command
    }

    fn stop(&self) {
        let _ = self
            .command("pg_ctl")
            .arg("-D")
            .arg(self.data())
            .args(["-m", "immediate", "-w", "stop"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }

    pub(crate) fn port(&self) -> u16 {
        self.port
    }

    pub(crate) fn url(&self, database: &str) -> String {
        format!("postgres://{SUPERUSER}@127.0.0.1:{}/{database}", self.port)
    }

    /// A new empty database (one per test, so tests sharing the server do not
    /// see each other's data); returns its URL.
    pub(crate) fn database(&self, name: &str) -> String {
        sql(
            &self.url("postgres"),
            &format!("CREATE DATABASE \"{name}\""),
        );
        self.url(name)
    }
}

impl Drop for PgServer {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Runs `statements` (simple query protocol) and returns every row's values.
pub(crate) fn sql(url: &str, statements: &str) -> Vec<Vec<Option<String>>> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let (client, connection) = tokio_postgres::connect(url, NoTls)
            .await
            .unwrap_or_else(|e| panic!("connect to {url}: {e:?}"));
        tokio::spawn(connection);
        let messages = client
            .simple_query(statements)
            .await
            .unwrap_or_else(|e| panic!("{statements}: {e:?}"));
        messages
            .into_iter()
            .filter_map(|message| match message {
                SimpleQueryMessage::Row(row) => Some(
                    (0..row.len())
                        .map(|i| row.get(i).map(str::to_string))
                        .collect(),
                ),
                _ => None,
            })
            .collect()
    })
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free loopback port")
        .port()
}

fn check(command: &mut Command, what: &str) -> Output {
    let output = command
        .output()
        .unwrap_or_else(|e| panic!("cannot run {what}: {e}"));
    assert!(
        output.status.success(),
        "{what} failed ({}):\n{}{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

fn unprivileged_user() -> String {
    let exists = |user: &str| {
        Command::new("id")
            .arg(user)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    ["postgres", "nobody"]
        .into_iter()
        .find(|user| exists(user))
        .expect(
            "a user to run PostgreSQL as (initdb refuses root): neither postgres nor nobody exists",
        )
        .to_string()
}

/// The directory holding `initdb` and `pg_ctl`, installing them if needed
/// (once per test process: the other tests wait for it, and share a failure).
fn binaries() -> PathBuf {
    static FOUND: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    let found = FOUND.get_or_init(|| {
        if let Some(dir) = find_binaries() {
            return Ok(dir);
        }
        let started = Instant::now();
        eprintln!("PostgreSQL binaries not found: installing Debian's postgresql");
        install()?;
        eprintln!("installed PostgreSQL in {:.1?}", started.elapsed());
        find_binaries().ok_or_else(|| {
            "initdb and pg_ctl are still missing after installing postgresql".to_string()
        })
    });
    match found {
        Ok(dir) => dir.clone(),
        Err(why) => panic!(
            "the PostgreSQL registry tests need a PostgreSQL server (initdb, pg_ctl) and \
             cannot install one: {why}.\nInstall it (`bash scripts/setup-postgres.sh`, or \
             `apt-get install postgresql`), or point MESHC_PG_BIN at its bin directory."
        ),
    }
}

fn find_binaries() -> Option<PathBuf> {
    let complete = |dir: &Path| dir.join("initdb").is_file() && dir.join("pg_ctl").is_file();
    if let Some(dir) = std::env::var_os("MESHC_PG_BIN") {
        let dir = PathBuf::from(dir);
        assert!(
            complete(&dir),
            "MESHC_PG_BIN={} has no initdb and pg_ctl",
            dir.display()
        );
        return Some(dir);
    }
    // Debian: /usr/lib/postgresql/<major>/bin, newest major first.
    let mut debian: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let major = entry.file_name().to_str()?.parse().ok()?;
            Some((major, entry.path().join("bin")))
        })
        .filter(|(_, bin)| complete(bin))
        .collect();
    debian.sort();
    if let Some((_, bin)) = debian.pop() {
        return Some(bin);
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).find(|dir| complete(dir))
}

fn install() -> Result<(), String> {
    let sudo = if is_root() {
        None
    } else if Command::new("sudo")
        .args(["-n", "true"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
    {
        Some("sudo")
    } else {
        return Err("not root, and `sudo -n` is not available".into());
    };
    let apt = |args: &[&str]| -> Result<(), String> {
        // `env` sets the variable past sudo's environment reset.
        let mut command = match sudo {
            Some(sudo) => {
                let mut command = Command::new(sudo);
                command.args(["-n", "env"]);
                command
            }
            None => Command::new("env"),
        };
        let output = command
            .args(["DEBIAN_FRONTEND=noninteractive", "apt-get"])
            .args(["-o", "DPkg::Lock::Timeout=300"])
            .args(args)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("cannot run apt-get: {e}"))?;
        if output.status.success() {
            Ok(())
        } else {
            Err(format!(
                "`apt-get {}` failed ({}): {}",
                args.join(" "),
                output.status,
                String::from_utf8_lossy(&output.stderr).trim()
            ))
        }
    };
    apt(&["update"])?;
    apt(&["install", "-y", "--no-install-recommends", "postgresql"])
}
