//! `target/cache/check.bin`: the persistent cache of `meshc check` (the
//! bytes are the analysis's, `mesh_analysis::AnalysisHost::warm_bytes`; this
//! is the file around them). Written to a temporary file and renamed, so a
//! reader sees a whole cache or none, and concurrent checks each leave a
//! whole one (the last rename wins). A cache that cannot be used (another
//! meshc build, damaged, unreadable) is ignored and replaced.

use std::path::{Path, PathBuf};

use mesh_analysis::{Diagnostic, WarmStartOutcome};

use crate::session::Session;

/// The cache file of a workspace.
pub(crate) fn path(root: &Path) -> PathBuf {
    root.join("target").join("cache").join("check.bin")
}

/// Identifies the running binary: a cache written by another build (even of
/// the same version, as during development) is never used. `None` when the
/// binary cannot be found, and then no cache is read or written.
fn build_id() -> Option<String> {
    let exe = std::env::current_exe().ok()?;
    let meta = std::fs::metadata(exe).ok()?;
    let modified = meta
        .modified()
        .ok()?
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?;
    Some(format!(
        "meshc {} {} {}.{:09}",
        env!("CARGO_PKG_VERSION"),
        meta.len(),
        modified.as_secs(),
        modified.subsec_nanos()
    ))
}

/// Starts `session` from its cache: the diagnostics when no file changed
/// since it was written; otherwise the per-model results are handed to the
/// analysis for the check that follows, and `None` is returned.
pub(crate) fn start(session: &mut Session) -> Option<Vec<Diagnostic>> {
    let build = build_id()?;
    let bytes = std::fs::read(path(&session.root)).ok()?;
    match session.host.start_warm(&bytes, &build) {
        WarmStartOutcome::Unchanged(diagnostics) => Some(diagnostics),
        WarmStartOutcome::Partial { .. } => None,
        WarmStartOutcome::Unusable(_) => None,
    }
}

/// Writes the cache after a check that computed `diagnostics`. Failing to
/// write it (a read-only checkout, a full disk) only costs the next check
/// its warm start.
pub(crate) fn save(session: &Session, diagnostics: &[Diagnostic]) {
    let Some(build) = build_id() else {
        return;
    };
    let bytes = session.host.warm_bytes(diagnostics, &build);
    let file = path(&session.root);
    let Some(dir) = file.parent() else {
        return;
    };
    if std::fs::create_dir_all(dir).is_err() {
        return;
    }
    let temporary = dir.join(format!("check.bin.{}.tmp", std::process::id()));
    if std::fs::write(&temporary, &bytes).is_err() || std::fs::rename(&temporary, &file).is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
}
