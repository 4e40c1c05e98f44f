//! `meshc check`.

use mesh_analysis::Severity;

use crate::session::open_workspace;
use crate::{DiagnosticFormat, GlobalArgs, Outcome};

pub(crate) fn run(global: &GlobalArgs, format: DiagnosticFormat) -> Outcome {
    let session = match open_workspace(global) {
        Ok(session) => session,
        Err(outcome) => return outcome,
    };
    let started = std::time::Instant::now();
    let diagnostics = session.host.check();
    session.print_diagnostics(&diagnostics, format);
    let errors = diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    let warnings = diagnostics.len() - errors;
    let models = session.host.model_count();
    session.progress(&format!(
        "checked {models} models in {:.0} ms: {errors} error{}, {warnings} warning{}",
        started.elapsed().as_secs_f64() * 1000.0,
        if errors == 1 { "" } else { "s" },
        if warnings == 1 { "" } else { "s" },
    ));
    // The process ends here: freeing the whole database (hundreds of MB on a
    // large mesh) would only delay the exit.
    std::mem::forget(session);
    if errors > 0 {
        Outcome::Failure
    } else {
        Outcome::Success
    }
}
