//! meshc-bench: measures the analysis host in process, the path that watch
//! mode and the language server use.
//!
//! ```text
//! meshc-bench --workspace DIR [--meta bench-meta.json] [--reps N]
//! ```
//!
//! It loads the workspace, checks it cold, re-checks it warm without a change
//! (and after re-reading every file from disk), emits the SQL of every model,
//! then applies each edit of the meta file (written by `bench/gen.py`) and
//! measures the time from `apply_change` with the new text to the new
//! diagnostics, alternating the edited and the original text. Prints one JSON
//! object on stdout.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use mesh_analysis::{AnalysisHost, Change, Severity, Target};
use serde_json::{Value, json};

struct Args {
    workspace: PathBuf,
    meta: Option<PathBuf>,
    reps: usize,
}

/// mimalloc: the analysis allocates many small trees on every core.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn parse_args() -> Result<Args, String> {
    let mut workspace = None;
    let mut meta = None;
    let mut reps = 10;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value"));
        match arg.as_str() {
            "--workspace" | "-w" => workspace = Some(PathBuf::from(value("--workspace")?)),
            "--meta" => meta = Some(PathBuf::from(value("--meta")?)),
            "--reps" => {
                reps = value("--reps")?
                    .parse()
                    .map_err(|e| format!("--reps: {e}"))?
            }
            "--help" | "-h" => {
                return Err(
                    "usage: meshc-bench --workspace DIR [--meta bench-meta.json] [--reps N]"
                        .to_string(),
                );
            }
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    Ok(Args {
        workspace: workspace.ok_or("--workspace DIR is required")?,
        meta,
        reps: reps.max(1),
    })
}

fn ms(start: Instant) -> f64 {
    start.elapsed().as_secs_f64() * 1000.0
}

/// Median, min and max of samples in milliseconds.
fn stats(samples: &[f64]) -> Value {
    let mut sorted = samples.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    let median = if n == 0 {
        f64::NAN
    } else if n % 2 == 1 {
        sorted[n / 2]
    } else {
        (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
    };
    json!({
        "median": round3(median),
        "min": round3(sorted.first().copied().unwrap_or(f64::NAN)),
        "max": round3(sorted.last().copied().unwrap_or(f64::NAN)),
        "n": n,
    })
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// Peak resident set size of this process in KiB (Linux), from /proc.
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

fn errors(diagnostics: &[mesh_analysis::Diagnostic]) -> usize {
    diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count()
}

fn edit_change(path: &str, text: &str) -> Change {
    let mut change = Change::default();
    change.set_file(path.to_string(), text.to_string());
    change
}

/// Measures one edit: `reps` applications of the edited text, each followed by
/// the original text again; both directions are one-model edits.
fn measure_edit(host: &mut AnalysisHost, edit: &Value, reps: usize) -> Result<Value, String> {
    let field = |name: &str| {
        edit.get(name)
            .and_then(Value::as_str)
            .ok_or(format!("edit without `{name}`"))
    };
    let path = field("mesh_path")?;
    let original = field("mesh_original")?;
    let edited = field("mesh_edited")?;
    if host.file_text(path) != Some(original) {
        return Err(format!(
            "{path} on disk differs from the meta file's original text"
        ));
    }
    let mut to_edited = Vec::new();
    let mut to_original = Vec::new();
    let mut diagnostics_after = 0;
    for _ in 0..reps {
        let start = Instant::now();
        host.apply_change(edit_change(path, edited));
        let diagnostics = host.check();
        to_edited.push(ms(start));
        diagnostics_after = diagnostics.len();
        let start = Instant::now();
        host.apply_change(edit_change(path, original));
        let diagnostics = host.check();
        to_original.push(ms(start));
        if errors(&diagnostics) > 0 {
            let first: Vec<String> = diagnostics
                .iter()
                .take(3)
                .map(|d| format!("{} {}: {}", d.code.as_str(), d.file, d.message))
                .collect();
            return Err(format!(
                "restoring {path} left {} errors: {}",
                errors(&diagnostics),
                first.join("; ")
            ));
        }
    }
    // The edit path of watch mode and the language server: the diagnostics of
    // the edited model and its readers (`model_edit_diagnostics`), after a
    // full check made the database warm.
    let mut edit_path = Vec::new();
    let mut refreshed_files = 0;
    for _ in 0..reps {
        for text in [edited, original] {
            let start = Instant::now();
            host.apply_change(edit_change(path, text));
            let refreshed = host
                .model_edit_diagnostics(&[path])
                .ok_or(format!("{path} is not a model file"))?;
            edit_path.push(ms(start));
            refreshed_files = refreshed.len();
        }
        host.check();
    }
    // One more round with the query log on, to count what re-executed.
    host.database().start_logging();
    host.apply_change(edit_change(path, edited));
    host.check();
    let executed = host.database().take_executed();
    host.apply_change(edit_change(path, original));
    host.check();
    host.database().take_executed();
    let count = |prefix: &str| executed.iter().filter(|q| q.starts_with(prefix)).count();
    let mut all = to_edited.clone();
    all.extend(&to_original);
    Ok(json!({
        "kind": field("kind")?,
        "model": field("model")?,
        "direct_consumers": edit.get("direct_consumers"),
        "cross_domain_consumers": edit.get("cross_domain_consumers"),
        "ms": stats(&all),
        "edit_path_ms": stats(&edit_path),
        "edit_path_files": refreshed_files,
        "to_edited_ms": stats(&to_edited),
        "to_original_ms": stats(&to_original),
        "diagnostics_after_edit": diagnostics_after,
        "executed_queries": executed.len(),
        "reanalyzed_models": count("analyze_model"),
        "reparsed_files": count("parse_"),
    }))
}

fn run(args: &Args) -> Result<Value, String> {
    let root = &args.workspace;
    if !root.join("mesh.yaml").is_file() {
        return Err(format!("no mesh.yaml in {}", root.display()));
    }
    let start = Instant::now();
    let (change, paths) = mesh_workspace::load(root, &[]);
    let load_ms = ms(start);
    let mut host = AnalysisHost::new();
    let start = Instant::now();
    host.apply_change(change);
    let diagnostics = host.check();
    let cold_check_ms = ms(start);
    let cold_errors = errors(&diagnostics);
    let rss_after_check = peak_rss_kib();
    let models = host.models().len();

    let start = Instant::now();
    let plan = host
        .plan(Target::DuckDb, &[])
        .map_err(|e| format!("planning failed: {e:?}"))?;
    let plan_ms = ms(start);
    let sql_bytes: usize = plan.models.iter().map(|m| m.sql.len()).sum();

    let mut noop = Vec::new();
    for _ in 0..args.reps {
        let start = Instant::now();
        let d = host.check();
        noop.push(ms(start));
        if d.len() != diagnostics.len() {
            return Err("a no-op re-check changed the diagnostics".to_string());
        }
    }
    let mut rescan = Vec::new();
    for _ in 0..args.reps.min(5) {
        let start = Instant::now();
        let (change, _) = mesh_workspace::load(root, &paths);
        host.apply_change(change);
        host.check();
        rescan.push(ms(start));
    }

    let mut edits = Vec::new();
    if let Some(meta) = &args.meta {
        let text = std::fs::read_to_string(meta)
            .map_err(|e| format!("cannot read {}: {e}", meta.display()))?;
        let meta: Value = serde_json::from_str(&text).map_err(|e| format!("bad meta: {e}"))?;
        for edit in meta
            .get("edits")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            edits.push(measure_edit(&mut host, edit, args.reps)?);
        }
    }

    Ok(json!({
        "workspace": root.display().to_string(),
        "models": models,
        "files": paths.len(),
        "cold_diagnostics": diagnostics.len(),
        "cold_errors": cold_errors,
        "load_ms": round3(load_ms),
        "cold_check_ms": round3(cold_check_ms),
        "cold_total_ms": round3(load_ms + cold_check_ms),
        "plan_ms": round3(plan_ms),
        "emitted_sql_bytes": sql_bytes,
        "warm_noop_ms": stats(&noop),
        "warm_rescan_ms": stats(&rescan),
        "edits": edits,
        "peak_rss_kib_after_check": rss_after_check,
        "peak_rss_kib": peak_rss_kib(),
        "reps": args.reps,
    }))
}

/// mimalloc's `mi_option_purge_delay` (mimalloc.h, `mi_option_e`).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

fn main() -> ExitCode {
    // As in meshc: keep freed memory, unless MIMALLOC_PURGE_DELAY says otherwise.
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
        // SAFETY: called before any other thread exists.
        unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, -1) };
    }
    let args = match parse_args() {
        Ok(args) => args,
        Err(message) => {
            eprintln!("meshc-bench: {message}");
            return ExitCode::from(2);
        }
    };
    match run(&args) {
        Ok(report) => {
            println!(
                "{}",
                serde_json::to_string_pretty(&report).unwrap_or_default()
            );
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("meshc-bench: {message}");
            ExitCode::from(1)
        }
    }
}
