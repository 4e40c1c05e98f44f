//! `meshc watch`: check on every change of the workspace's files, and with
//! `--run` rebuild on DuckDB what the change made stale.
//!
//! One process keeps the analysis database warm. File events come from
//! notify through its debouncer (an editor's atomic save, a rename, a
//! `git checkout` of hundreds of files arrive as one batch); the files they
//! name are re-read and applied to the [`mesh_analysis::AnalysisHost`] as a
//! change, the same edit path as the language server's. After an edit of
//! model files only, those models and their readers are re-checked first
//! (what the edit touches, not the mesh), then the whole mesh (the lock,
//! cycles). Each batch prints only what changed: the new diagnostics, the
//! fixed ones, and how long the recheck took.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use mesh_analysis::{Diagnostic, Severity, Target};
use notify_debouncer_full::notify::{EventKind, RecursiveMode};
use notify_debouncer_full::{DebounceEventResult, new_debouncer};
use signal_hook::consts::{SIGINT, SIGTERM};

use crate::session::{Session, open_workspace};
use crate::{BuildArgs, DiagnosticFormat, GlobalArgs, Outcome, RunArgs, TargetArg, WatchArgs};

/// What the watch loop waits for.
enum Message {
    Files(DebounceEventResult),
    Signal,
}

/// The diagnostics as last printed, by file.
type Shown = BTreeMap<String, Vec<Diagnostic>>;

pub(crate) fn run(global: &GlobalArgs, args: &WatchArgs) -> Outcome {
    for selector in &args.select {
        if let Err(message) = mesh_analysis::parse_selector(selector) {
            eprintln!("error: --select {selector}: {message}");
            return Outcome::Usage;
        }
    }
    let mut session = match open_workspace(global) {
        Ok(session) => session,
        Err(outcome) => return outcome,
    };
    // Events name absolute paths under the watched directory as the kernel
    // resolves it: watch and compare the canonical root.
    let root = match session.root.canonicalize() {
        Ok(root) => root,
        Err(error) => {
            eprintln!("error: cannot open {}: {error}", session.root.display());
            return Outcome::Usage;
        }
    };
    session.root = root.clone();
    let (sender, receiver) = mpsc::channel();
    let files = sender.clone();
    // Watching starts before the first check, so that nothing written
    // meanwhile is missed.
    let mut debouncer = match new_debouncer(
        Duration::from_millis(args.debounce),
        None,
        move |result: DebounceEventResult| {
            let _ = files.send(Message::Files(result));
        },
    ) {
        Ok(debouncer) => debouncer,
        Err(error) => {
            eprintln!("error: cannot watch files: {error}");
            return Outcome::Usage;
        }
    };
    if let Err(error) = debouncer.watch(&root, RecursiveMode::Recursive) {
        eprintln!(
            "error: cannot watch {}: {error}\n  help: on Linux, raise fs.inotify.max_user_watches (sysctl) if the limit is reached",
            root.display()
        );
        return Outcome::Usage;
    }
    let mut signals = match signal_hook::iterator::Signals::new([SIGINT, SIGTERM]) {
        Ok(signals) => signals,
        Err(error) => {
            eprintln!("error: cannot handle SIGINT and SIGTERM: {error}");
            return Outcome::Usage;
        }
    };
    std::thread::spawn(move || {
        if signals.forever().next().is_some() {
            let _ = sender.send(Message::Signal);
        }
    });

    let mut watch = Watch {
        session,
        root,
        shown: Shown::new(),
        run: args.run.then(|| run_args(args)),
        data_files: HashSet::new(),
    };
    let started = Instant::now();
    let diagnostics = watch.session.host.check();
    let elapsed = started.elapsed();
    watch
        .session
        .print_diagnostics(&diagnostics, DiagnosticFormat::Human);
    let (errors, warnings) = counts(&diagnostics);
    watch.shown = by_file(diagnostics);
    eprintln!(
        "watching {} models in {} (checked in {}): {}; Ctrl-C stops",
        watch.session.host.model_count(),
        watch.root.display(),
        millis(elapsed),
        totals(errors, warnings)
    );
    watch.rebuild();

    loop {
        let mut paths: Vec<PathBuf> = Vec::new();
        let mut rescan = false;
        let Ok(first) = receiver.recv() else {
            return Outcome::Success;
        };
        // A burst can span several debounced batches: take what is waiting.
        let mut messages = vec![first];
        messages.extend(receiver.try_iter());
        for message in messages {
            match message {
                Message::Signal => {
                    eprintln!("watch stopped");
                    debouncer.stop_nonblocking();
                    return Outcome::Success;
                }
                Message::Files(Ok(events)) => {
                    for event in events {
                        rescan |= event.need_rescan();
                        // Opening and reading a file is not a change (and
                        // a reload reads every file).
                        if !matches!(event.event.kind, EventKind::Access(_)) {
                            paths.extend(event.event.paths);
                        }
                    }
                }
                Message::Files(Err(errors)) => {
                    for error in errors {
                        eprintln!("warning: file watching: {error}; reloading the workspace");
                    }
                    rescan = true;
                }
            }
        }
        watch.handle(&paths, rescan);
    }
}

/// The `meshc run` arguments of `meshc watch --run`.
fn run_args(args: &WatchArgs) -> RunArgs {
    RunArgs {
        build: BuildArgs {
            target: TargetArg::Duckdb,
            select: args.select.clone(),
            format: DiagnosticFormat::Human,
        },
        engine: args.engine.clone(),
        trino_url: None,
    }
}

struct Watch {
    session: Session,
    root: PathBuf,
    shown: Shown,
    /// With `--run`: how to run.
    run: Option<RunArgs>,
    /// The data files of the planned sources (absolute), whose changes make
    /// their sources stale although no workspace file changed.
    data_files: HashSet<PathBuf>,
}

impl Watch {
    /// One batch of file events.
    fn handle(&mut self, paths: &[PathBuf], rescan: bool) {
        let started = Instant::now();
        let loaded: HashSet<String> = self.session.paths.iter().cloned().collect();
        let refresh = match rescan {
            true => mesh_workspace::Refresh::Reload,
            false => mesh_workspace::refresh(&self.root, &loaded, paths),
        };
        let changed = match refresh {
            mesh_workspace::Refresh::Nothing => {
                if self.run.is_some() && paths.iter().any(|p| self.data_files.contains(p)) {
                    eprintln!("source data changed");
                    self.rebuild();
                }
                return;
            }
            mesh_workspace::Refresh::Files(files) if !self.session.has_load_problems() => {
                match mesh_workspace::reread(&self.root, &files) {
                    Ok(change) => {
                        self.session.host.apply_change(change);
                        Some(files)
                    }
                    Err(_) => self.reload(),
                }
            }
            _ => self.reload(),
        };
        let what = match &changed {
            Some(files) if files.len() == 1 => files[0].clone(),
            Some(files) => format!("{} files", files.len()),
            None => "the workspace".to_string(),
        };
        eprintln!("── changed: {what}");
        // Model edits: the models they touch first.
        let mut new = Vec::new();
        let mut fixed = Vec::new();
        if let Some(files) = &changed {
            let paths: Vec<&str> = files.iter().map(String::as_str).collect();
            if let Some(partial) = self.session.host.model_edit_diagnostics(&paths) {
                for (file, diagnostics) in partial {
                    self.replace(file, diagnostics, &mut new, &mut fixed);
                }
            }
        }
        // Then everything else a change can alter (the lock, cycles, other
        // domains after a contract edit).
        let all = self.session.host.check();
        let (errors, warnings) = counts(&all);
        let after = by_file(all);
        let clean: Vec<String> = (self.shown.keys())
            .filter(|file| !after.contains_key(*file))
            .cloned()
            .collect();
        for file in clean {
            self.replace(file, Vec::new(), &mut new, &mut fixed);
        }
        for (file, diagnostics) in after {
            self.replace(file, diagnostics, &mut new, &mut fixed);
        }
        let elapsed = started.elapsed();
        if !new.is_empty() {
            self.session
                .print_diagnostics(&new, DiagnosticFormat::Human);
        }
        for d in &fixed {
            let place = match d.file.is_empty() {
                true => String::new(),
                false => format!(" in {}", d.file),
            };
            eprintln!("fixed[{}]{place}: {}", d.code.as_str(), d.message);
        }
        let change = match (new.len(), fixed.len()) {
            (0, 0) => "no new or fixed diagnostics".to_string(),
            (n, f) => format!("{n} new, {f} fixed"),
        };
        eprintln!(
            "rechecked in {}: {change}; {}",
            millis(elapsed),
            totals(errors, warnings)
        );
        if errors == 0 {
            self.rebuild();
        } else if self.run.is_some() {
            eprintln!("not running: fix the errors first (the database keeps its previous data)");
        }
    }

    /// Loads the whole workspace again (files came or went).
    fn reload(&mut self) -> Option<Vec<String>> {
        let (change, paths) = mesh_workspace::load(&self.root, &self.session.paths);
        self.session
            .set_load_diagnostics(change.load_diagnostics.clone());
        self.session.host.apply_change(change);
        self.session.paths = paths;
        None
    }

    /// Sets the shown diagnostics of `file`; collects what is new and what
    /// was fixed. A diagnostic that only moved (same code, severity and
    /// message in the same file) is neither.
    fn replace(
        &mut self,
        file: String,
        diagnostics: Vec<Diagnostic>,
        new: &mut Vec<Diagnostic>,
        fixed: &mut Vec<Diagnostic>,
    ) {
        let before = self.shown.remove(&file).unwrap_or_default();
        let key = |d: &Diagnostic| (d.code, d.severity, d.message.clone());
        let mut old: HashMap<_, usize> = HashMap::new();
        for d in &before {
            *old.entry(key(d)).or_default() += 1;
        }
        for d in &diagnostics {
            match old.get_mut(&key(d)) {
                Some(n) if *n > 0 => *n -= 1,
                _ => new.push(d.clone()),
            }
        }
        let mut current: HashMap<_, usize> = HashMap::new();
        for d in &diagnostics {
            *current.entry(key(d)).or_default() += 1;
        }
        for d in before {
            match current.get_mut(&key(&d)) {
                Some(n) if *n > 0 => *n -= 1,
                _ => fixed.push(d),
            }
        }
        if !diagnostics.is_empty() {
            self.shown.insert(file, diagnostics);
        }
    }

    /// With `--run`: builds the models whose SQL or inputs changed since
    /// they were last built, and everything downstream (content hashes in
    /// target/run_state.json); the rest keeps its data untouched.
    fn rebuild(&mut self) {
        let Some(args) = &self.run else {
            return;
        };
        let plan = match self.session.host.plan(Target::DuckDb, &selectors(args)) {
            Ok(plan) => plan,
            Err(mesh_analysis::PlanError::Selection(message)) => {
                eprintln!("error: {message}");
                return;
            }
            Err(mesh_analysis::PlanError::Diagnostics(diagnostics)) => {
                self.session
                    .print_diagnostics(&diagnostics, DiagnosticFormat::Human);
                return;
            }
        };
        self.data_files = plan
            .sources
            .iter()
            .map(|s| match s.external {
                true => PathBuf::from(&s.path),
                false => self.root.join(&s.path),
            })
            .collect();
        let hashes = crate::runstate::node_hashes(&self.root, &plan);
        let database = crate::build::database_path(&self.session, args);
        let state = crate::runstate::RunState::load(&self.root, &database);
        let stale = crate::runstate::stale_part(&plan, &hashes, &state);
        if stale.sources.is_empty() && stale.models.is_empty() {
            eprintln!("up to date: nothing to rebuild");
            return;
        }
        let _lock = match crate::runlock::RunLock::acquire(&self.root) {
            Ok(lock) => lock,
            Err(diagnostic) => {
                self.session
                    .print_diagnostics(&[diagnostic], DiagnosticFormat::Human);
                return;
            }
        };
        let _ = crate::build::execute(&self.session, &stale, &hashes, args);
    }
}

fn selectors(args: &RunArgs) -> Vec<mesh_analysis::Selector> {
    // Checked when the watch started.
    args.build
        .select
        .iter()
        .filter_map(|s| mesh_analysis::parse_selector(s).ok())
        .collect()
}

fn by_file(diagnostics: Vec<Diagnostic>) -> Shown {
    let mut out = Shown::new();
    for d in diagnostics {
        out.entry(d.file.to_string()).or_default().push(d);
    }
    out
}

fn counts(diagnostics: &[Diagnostic]) -> (usize, usize) {
    let errors = diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    (errors, diagnostics.len() - errors)
}

fn totals(errors: usize, warnings: usize) -> String {
    format!(
        "{errors} error{}, {warnings} warning{}",
        if errors == 1 { "" } else { "s" },
        if warnings == 1 { "" } else { "s" }
    )
}

fn millis(elapsed: Duration) -> String {
    format!("{:.1} ms", elapsed.as_secs_f64() * 1000.0)
}
