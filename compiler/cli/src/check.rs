//! `meshc check [PATHS...]`.

use std::path::PathBuf;

use mesh_analysis::{Diagnostic, Severity};

use crate::report::{Found, ReportFormat};
use crate::session::{Session, open_root, open_workspace, workspace_roots};
use crate::{GlobalArgs, Outcome};

pub(crate) fn run(
    global: &GlobalArgs,
    paths: &[PathBuf],
    format: ReportFormat,
    use_cache: bool,
) -> Outcome {
    let mut sessions = match sessions(global, paths) {
        Ok(sessions) => sessions,
        Err(outcome) => return outcome,
    };
    if sessions.is_empty() {
        crate::report::print_empty(format);
        return Outcome::Success;
    }
    let started = std::time::Instant::now();
    // Every diagnostic of each workspace, not only those in the paths given:
    // a contract edit breaks consumers in files nobody touched.
    let cached: Vec<Option<Vec<Diagnostic>>> = sessions
        .iter_mut()
        .map(|session| use_cache.then(|| crate::cache::start(session)).flatten())
        .collect();
    let mut computed = Vec::new();
    let found: Vec<Found<'_>> = (sessions.iter().zip(cached))
        .enumerate()
        .map(|(i, (session, cached))| {
            let diagnostics = cached.unwrap_or_else(|| {
                computed.push(i);
                session.host.check()
            });
            Found {
                session,
                diagnostics,
            }
        })
        .collect();
    crate::report::print(format, &found);
    let mut total_errors = 0;
    for (i, f) in found.iter().enumerate() {
        let errors = f
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count();
        total_errors += errors;
        let warnings = f.diagnostics.len() - errors;
        let models = f.session.host.model_count();
        let cached = if computed.contains(&i) {
            ""
        } else {
            " (no file changed since the last check; target/cache/check.bin)"
        };
        let place = if paths.is_empty() {
            String::new()
        } else {
            format!(" of {}", crate::report::display_path(&f.session.root))
        };
        f.session.progress(&format!(
            "checked {models} models{place} in {:.0} ms: {errors} error{}, {warnings} warning{}{cached}",
            started.elapsed().as_secs_f64() * 1000.0,
            if errors == 1 { "" } else { "s" },
            if warnings == 1 { "" } else { "s" },
        ));
    }
    if total_errors > 0 && format == ReportFormat::Short {
        // One line each leaves out the snippets and the help.
        if let Some(first) = found.first() {
            first.session.progress(
                "help: `meshc check` (without --format) shows each error with its source and help",
            );
        }
    }
    if use_cache {
        for &i in &computed {
            crate::cache::save(found[i].session, &found[i].diagnostics);
        }
    }
    drop(found);
    // The process ends here: freeing the whole database (hundreds of MB on a
    // large mesh) would only delay the exit.
    std::mem::forget(sessions);
    if total_errors > 0 {
        Outcome::Failure
    } else {
        Outcome::Success
    }
}

/// The sessions a command works on: the workspace of `--workspace` or the
/// current directory without paths, else each workspace holding a path.
pub(crate) fn sessions(global: &GlobalArgs, paths: &[PathBuf]) -> Result<Vec<Session>, Outcome> {
    if paths.is_empty() {
        return Ok(vec![open_workspace(global)?]);
    }
    let roots = workspace_roots(global, paths).map_err(|message| {
        eprintln!("error: {message}");
        Outcome::Usage
    })?;
    roots.iter().map(|root| open_root(global, root)).collect()
}
