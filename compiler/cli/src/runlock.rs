//! The workspace lock of `meshc run`: one run of a workspace at a time.
//!
//! The lock is an advisory lock (`flock`, through the standard library's
//! `File::try_lock`) on `target/.meshc-run.lock`, held for the whole run.
//! The operating system releases it when the process ends, however it ends
//! (a killed run does not leave the workspace locked), so the file's presence
//! means nothing: only the lock does. The holder writes its process id, start
//! time and command into the file, so the run it refuses can name it.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use mesh_analysis::{Code, Diagnostic, TextRange};

pub(crate) const LOCK_FILE: &str = "target/.meshc-run.lock";

/// Holds the lock until dropped.
pub(crate) struct RunLock {
    _file: File,
}

impl RunLock {
    /// Takes the lock of the workspace at `root`, or says who holds it.
    pub(crate) fn acquire(root: &Path) -> Result<RunLock, Diagnostic> {
        let path = root.join(LOCK_FILE);
        let io_error = |error: std::io::Error| {
            Diagnostic::new(
                Code::Io,
                LOCK_FILE.into(),
                TextRange::default(),
                format!("cannot lock {}: {error}", path.display()),
            )
        };
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(io_error)?;
        }
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(io_error)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                let mut holder = String::new();
                let _ = file.read_to_string(&mut holder);
                return Err(busy(&holder));
            }
            Err(std::fs::TryLockError::Error(error)) => return Err(io_error(error)),
        }
        let started = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let command: Vec<String> = std::env::args().collect();
        let record = format!(
            "pid {}\nstarted {started}\ncommand {}\n",
            std::process::id(),
            command.join(" ")
        );
        // Only the holder writes; a failure here leaves a less helpful message.
        let _ = file
            .set_len(0)
            .and_then(|()| file.seek(SeekFrom::Start(0)))
            .and_then(|_| file.write_all(record.as_bytes()));
        Ok(RunLock { _file: file })
    }
}

/// The refusal of a second run, naming the holder from its record.
fn busy(record: &str) -> Diagnostic {
    let field = |key: &str| {
        record
            .lines()
            .find_map(|line| line.strip_prefix(key)?.strip_prefix(' '))
            .map(str::trim)
    };
    let holder = match (field("pid"), field("started"), field("command")) {
        (Some(pid), Some(started), Some(command)) => {
            let age = started.parse::<u64>().ok().and_then(|started| {
                let now = SystemTime::now().duration_since(UNIX_EPOCH).ok()?.as_secs();
                Some(now.saturating_sub(started))
            });
            let age = age.map(|s| format!(", {s}s ago")).unwrap_or_default();
            format!("process {pid} (`{command}`, started at Unix time {started}{age})")
        }
        _ => "another process".to_owned(),
    };
    Diagnostic::new(
        Code::WorkspaceBusy,
        LOCK_FILE.into(),
        TextRange::default(),
        format!("another meshc run of this workspace is under way: {holder} holds {LOCK_FILE}"),
    )
    .with_help("wait for that run to finish or stop it, then run again; nothing was changed")
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_second_lock_is_refused_naming_the_holder() {
        let dir = tempfile::tempdir().unwrap();
        let held = super::RunLock::acquire(dir.path()).unwrap();
        let refused = super::RunLock::acquire(dir.path()).err().unwrap();
        assert_eq!(refused.code, mesh_analysis::Code::WorkspaceBusy);
        let pid = format!("process {} (`", std::process::id());
        assert!(refused.message.contains(&pid), "{}", refused.message);
        drop(held);
        assert!(super::RunLock::acquire(dir.path()).is_ok());
    }
}
