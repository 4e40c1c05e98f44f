//! Runs a plan: opens the database, creates the schemas, then loads sources
//! and builds models on a pool of worker threads in dependency order.
//!
//! The workers share one `Board` behind a mutex: a queue of nodes whose
//! dependencies all succeeded, and the results so far. A worker takes a node,
//! runs it on its own DuckDB connection, records the result and releases the
//! dependents that became ready. A failed node settles its dependents at once
//! as skipped, transitively. Nothing here panics on bad input: every problem,
//! including an unopenable database, becomes a [`NodeResult`].

use std::collections::{HashMap, VecDeque};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::Instant;

use duckdb::{Connection, InterruptHandle};
use mesh_diagnostics::{Code, Diagnostic, TextRange};

use crate::graph::{Graph, Job, Node};
use crate::model::Built;
use crate::plan::{Materialization, RunPlan};
use crate::results::{CheckResult, NodeKind, NodeResult, NodeStatus, RunEvent, RunResults};
use crate::sql::Catalog;
use crate::{model, source, sql};

/// Runs every source and model of `plan` and reports progress to `on_event`,
/// which is called from the worker threads (a panic in it is contained).
/// Results come back in plan order: sources first, then models.
pub fn run(plan: &RunPlan, on_event: &(dyn Fn(&RunEvent) + Sync)) -> RunResults {
    run_cancellable(plan, on_event, &Cancel::default())
}

/// Stops a run from another thread (a signal handler): [`Cancel::cancel`]
/// interrupts the statements running now, and the run settles every node
/// that has not finished as interrupted (MESH5010), drops its temporary
/// objects and returns. Nodes that finished keep their new version.
#[derive(Default)]
pub struct Cancel {
    cancelled: AtomicBool,
    connections: Mutex<Vec<Arc<InterruptHandle>>>,
    /// Shared by the statements of a run on Trino: they stop at the next page.
    trino: mesh_trino::Cancel,
}

impl Cancel {
    pub fn cancel(&self) {
        self.cancelled.store(true, Ordering::SeqCst);
        self.trino.cancel();
        let connections = self
            .connections
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        for connection in connections.iter() {
            connection.interrupt();
        }
    }

    pub fn is_cancelled(&self) -> bool {
        self.cancelled.load(Ordering::SeqCst)
    }

    pub(crate) fn trino(&self) -> &mesh_trino::Cancel {
        &self.trino
    }

    fn watch(&self, conn: &Connection) {
        self.connections
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(conn.interrupt_handle());
    }
}

/// [`run`] that `cancel` can stop.
pub fn run_cancellable(
    plan: &RunPlan,
    on_event: &(dyn Fn(&RunEvent) + Sync),
    cancel: &Cancel,
) -> RunResults {
    let graph = Graph::new(&plan.sources, &plan.models);
    let open_duckdb = |workers: usize| {
        let (conn, catalog) = open(&plan.database)?;
        let catalog = Arc::new(catalog);
        sql::drop_temporaries(&conn, &catalog);
        let schema_errors = create_schemas(&conn, plan, &graph);
        let workers = connections(conn, workers)
            .into_iter()
            .map(|conn| {
                cancel.watch(&conn);
                DuckDb {
                    conn,
                    catalog: Arc::clone(&catalog),
                    full_refresh: plan.full_refresh,
                }
            })
            .collect();
        Ok(Opened {
            workers,
            schema_errors,
        })
    };
    let close = |first: DuckDb| sql::drop_temporaries(&first.conn, &first.catalog);
    let options = Schedule {
        threads: plan.threads,
        allow_invalid: plan.allow_invalid,
        on_event,
        cancel,
    };
    schedule(&graph, &options, open_duckdb, close)
}

/// One worker's connection to the engine that builds the nodes.
pub(crate) trait Worker {
    /// Called once, by the worker that finds every source settled, before
    /// any model starts; an error fails every model.
    fn sources_settled(&self) -> Result<(), String>;
    /// Loads a source or builds and checks a model.
    fn build(&self, job: Job<'_>, allow_invalid: bool) -> Result<Built, Diagnostic>;
    /// After a panic in [`Worker::build`]: leaves the connection usable.
    fn recover(&self);
}

/// What opening the engine gives the scheduler.
pub(crate) struct Opened<W> {
    /// At least one; the first also runs on the calling thread.
    pub(crate) workers: Vec<W>,
    /// Why a schema could not be created, by lowercase schema name: its
    /// nodes fail with that message.
    pub(crate) schema_errors: HashMap<String, String>,
}

/// How a graph is scheduled.
pub(crate) struct Schedule<'a> {
    pub(crate) threads: usize,
    pub(crate) allow_invalid: bool,
    pub(crate) on_event: &'a (dyn Fn(&RunEvent) + Sync),
    pub(crate) cancel: &'a Cancel,
}

/// Runs every node of `graph` on the workers `open` returns (given how many
/// it may open) in dependency order, and hands the first worker to `close`
/// at the end. An `open` error settles every node as skipped and is the
/// run's `database_error`. Results come back in graph order.
pub(crate) fn schedule<W: Worker + Send>(
    graph: &Graph<'_>,
    options: &Schedule<'_>,
    open: impl FnOnce(usize) -> Result<Opened<W>, Diagnostic>,
    close: impl FnOnce(W),
) -> RunResults {
    let clock = Instant::now();
    let on_event = options.on_event;
    let mut board = Board::new(graph, options.allow_invalid);

    let mut settled = Vec::new();
    for (index, reason) in &graph.invalid {
        let result = failure(&graph.nodes[*index], NodeStatus::Error, 0.0, reason.clone());
        board.record(*index, result, *index, &mut settled);
    }
    for (index, _) in &graph.invalid {
        board.propagate(graph, *index, &mut settled);
    }
    report(&board, &settled, on_event);
    board.release_initial(graph);

    let mut database_error = None;
    if board.unresolved > 0 {
        let workers = options.threads.max(1).min(board.unresolved);
        match open(workers) {
            Ok(opened) => {
                let shared = Shared {
                    board: Mutex::new(board),
                    wake: Condvar::new(),
                };
                let context = Context {
                    graph,
                    shared: &shared,
                    schema_errors: &opened.schema_errors,
                    allow_invalid: options.allow_invalid,
                    on_event,
                    cancel: options.cancel,
                };
                if let Some(first) = work_in_parallel(&context, opened.workers) {
                    close(first);
                }
                board = shared
                    .board
                    .into_inner()
                    .unwrap_or_else(PoisonError::into_inner);
            }
            Err(diagnostic) => {
                let mut settled = Vec::new();
                let message = format!("not run: {}", diagnostic.message);
                for (index, node) in graph.nodes.iter().enumerate() {
                    let result = failure(node, NodeStatus::Skipped, 0.0, message.clone());
                    board.record(index, result, index, &mut settled);
                }
                report(&board, &settled, on_event);
                database_error = Some(diagnostic);
            }
        }
    }

    let results = board
        .results
        .into_iter()
        .zip(&graph.nodes)
        .map(|(result, node)| {
            result.unwrap_or_else(|| {
                failure(
                    node,
                    NodeStatus::Error,
                    0.0,
                    "the node was not run".to_owned(),
                )
            })
        })
        .collect();
    RunResults {
        elapsed_seconds: clock.elapsed().as_secs_f64(),
        results,
        database_error,
    }
}

/// A worker on one connection to the DuckDB database of the run.
struct DuckDb {
    conn: Connection,
    catalog: Arc<Catalog>,
    full_refresh: bool,
}

impl Worker for DuckDb {
    fn sources_settled(&self) -> Result<(), String> {
        self.conn
            .execute_batch(sql::RESTRICT_ACCESS)
            .map_err(|error| {
                format!(
                    "cannot restrict the database's file access: {}",
                    sql::error_summary(&error)
                )
            })
    }

    fn build(&self, job: Job<'_>, allow_invalid: bool) -> Result<Built, Diagnostic> {
        match job {
            Job::Source(load) => source::load(&self.conn, &self.catalog, load).map(|rows| Built {
                rows: Some(rows),
                merged_rows: None,
                checks: Vec::new(),
                swapped: true,
            }),
            Job::Model(model) => model::build(
                &self.conn,
                &self.catalog,
                model,
                allow_invalid,
                self.full_refresh,
            ),
        }
    }

    fn recover(&self) {
        if !self.conn.is_autocommit() {
            let _ = self.conn.execute_batch("ROLLBACK");
        }
    }
}

/// Opens (or creates) the database file, creating missing parent
/// directories, and reads its catalog of tables and views. An existing file
/// that is not a DuckDB database is refused untouched (DuckDB would open it
/// as an empty in-memory database and save nothing).
fn open(path: &Path) -> Result<(Connection, Catalog), Diagnostic> {
    if !is_duckdb_file(path) {
        let message = format!(
            "{} is not a DuckDB database; meshc does not touch it",
            path.display()
        );
        return Err(database_error(Code::NotADatabase, path, message).with_help(
            "pass `--database` (or set targets.duckdb.path) to a new file or an existing DuckDB database",
        ));
    }
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|error| {
            let message = format!(
                "cannot create directory {} for the database: {error}",
                parent.display()
            );
            database_error(Code::DatabaseUnavailable, path, message)
        })?;
    }
    // A database created by this run has no tables or views yet: its catalog
    // is known without a query (DuckDB's first catalog query costs 10-15 ms).
    let mut wal = path.as_os_str().to_owned();
    wal.push(".wal");
    let existed = path.exists() || Path::new(&wal).exists();
    Connection::open(path)
        .and_then(|conn| {
            let catalog = match existed {
                true => Catalog::load(&conn)?,
                false => Catalog::empty(),
            };
            Ok((conn, catalog))
        })
        .map_err(|error| open_error(path, &error))
}

/// Whether `path` is absent, empty or starts like a DuckDB database file
/// (the magic bytes `DUCK` at offset 8 of the first block).
fn is_duckdb_file(path: &Path) -> bool {
    use std::io::Read;
    let Ok(mut file) = std::fs::File::open(path) else {
        // Absent (created by the run) or unreadable (DuckDB reports why).
        return true;
    };
    let mut head = [0u8; 12];
    let mut read = 0;
    while read < head.len() {
        match file.read(&mut head[read..]) {
            Ok(0) | Err(_) => break,
            Ok(n) => read += n,
        }
    }
    read == 0 || (read == head.len() && &head[8..12] == b"DUCK")
}

/// The one diagnostic of a database that cannot be opened.
fn open_error(path: &Path, error: &duckdb::Error) -> Diagnostic {
    let summary = sql::error_summary(error);
    if summary.contains("Could not set lock on file") {
        // "... Conflicting lock is held in /usr/bin/duckdb (PID 1234) by user root. ..."
        let holder = summary
            .split_once("Conflicting lock is held in ")
            .map(|(_, rest)| {
                rest.split(". ")
                    .next()
                    .unwrap_or(rest)
                    .trim_end_matches('.')
            })
            .map(|holder| format!(" ({holder})"))
            .unwrap_or_default();
        let message = format!(
            "cannot open database {}: another process holds it{holder}",
            path.display()
        );
        return database_error(Code::DatabaseLocked, path, message).with_help(
            "close the other program that has the database open (a DuckDB shell, a notebook, another meshc), then run again",
        );
    }
    let message = format!("cannot open database {}: {summary}", path.display());
    database_error(Code::DatabaseUnavailable, path, message)
}

fn database_error(code: Code, path: &Path, message: String) -> Diagnostic {
    let file: Arc<str> = Arc::from(path.display().to_string());
    Diagnostic::new(code, file, TextRange::default(), message)
}

/// Creates the plan's schemas and those its nodes live in; returns the errors
/// by lowercase schema name, so the nodes of a failed schema fail clearly.
fn create_schemas(conn: &Connection, plan: &RunPlan, graph: &Graph<'_>) -> HashMap<String, String> {
    let mut errors = HashMap::new();
    let mut done = std::collections::HashSet::new();
    let names = plan
        .schemas
        .iter()
        .map(String::as_str)
        .chain(graph.nodes.iter().map(Node::schema));
    for name in names {
        if !done.insert(name.to_lowercase()) {
            continue;
        }
        let statement = format!("CREATE SCHEMA IF NOT EXISTS {}", sql::ident(name));
        if let Err(error) = conn.execute_batch(&statement) {
            let message = format!(
                "cannot create schema {name}: {}",
                sql::error_summary(&error)
            );
            errors.insert(name.to_lowercase(), message);
        }
    }
    errors
}

/// The first connection plus up to `workers - 1` clones of it.
fn connections(conn: Connection, workers: usize) -> Vec<Connection> {
    let mut clones = Vec::with_capacity(workers);
    for _ in 1..workers {
        match conn.try_clone() {
            Ok(clone) => clones.push(clone),
            Err(_) => break,
        }
    }
    clones.insert(0, conn);
    clones
}

/// What every worker reads.
struct Context<'a, 'p> {
    graph: &'a Graph<'p>,
    shared: &'a Shared,
    schema_errors: &'a HashMap<String, String>,
    allow_invalid: bool,
    on_event: &'a (dyn Fn(&RunEvent) + Sync),
    cancel: &'a Cancel,
}

struct Shared {
    board: Mutex<Board>,
    wake: Condvar,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Board> {
        self.board.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Runs each worker: all but the first on new threads, the first on the
/// calling thread, so the run progresses even if no thread can be spawned.
/// Returns the first worker.
fn work_in_parallel<W: Worker + Send>(context: &Context<'_, '_>, mut workers: Vec<W>) -> Option<W> {
    if workers.is_empty() {
        return None;
    }
    let first = workers.remove(0);
    std::thread::scope(|scope| {
        for worker in workers {
            let spawned = std::thread::Builder::new()
                .name("meshc-worker".to_owned())
                .spawn_scoped(scope, move || work(context, &worker));
            // A worker that cannot be spawned is simply one fewer.
            drop(spawned);
        }
        work(context, &first);
    });
    Some(first)
}

/// Takes ready nodes until every node is settled.
fn work(context: &Context<'_, '_>, worker: &impl Worker) {
    while let Some(index) = next_ready(context, worker) {
        let node = &context.graph.nodes[index];
        emit(
            context.on_event,
            &RunEvent::Started {
                id: node.id,
                kind: node.kind,
            },
        );
        let result = execute(worker, node, context);
        // Reported before the dependents are released, so no dependent can
        // report `Started` before this node reports `Finished`.
        emit(context.on_event, &RunEvent::Finished(&result));
        let mut settled = Vec::new();
        let skipped = {
            let mut board = context.shared.lock();
            board.running -= 1;
            board.finish(context.graph, index, result, &mut settled);
            board.cloned(settled.get(1..).unwrap_or_default())
        };
        context.shared.wake.notify_all();
        for result in &skipped {
            emit(context.on_event, &RunEvent::Finished(result));
        }
    }
}

/// Waits for a ready node; `None` once every node is settled. The worker
/// that finds every source settled tells its engine (DuckDB restricts its
/// file access) before any model starts.
fn next_ready(context: &Context<'_, '_>, worker: &impl Worker) -> Option<usize> {
    let mut board = context.shared.lock();
    loop {
        if board.unresolved == 0 {
            return None;
        }
        if context.cancel.is_cancelled() {
            let settled = board.abandon(context.graph, true);
            return settle(context, board, &settled);
        }
        if board.sources_left == 0 && !board.restricted {
            board.restricted = true;
            if let Err(message) = worker.sources_settled() {
                // Models would run with file access: fail them instead.
                board.held.clear();
                let settled = board.fail_unsettled(context.graph, &message);
                return settle(context, board, &settled);
            }
            let held = std::mem::take(&mut board.held);
            board.ready.extend(held);
        }
        if let Some(index) = board.ready.pop_front() {
            board.running += 1;
            return Some(index);
        }
        if board.running == 0 {
            // Nothing runs and nothing is ready, yet nodes are unsettled: a
            // dependency the graph could not order. Fail them rather than hang.
            let settled = board.abandon(context.graph, false);
            return settle(context, board, &settled);
        }
        board = context
            .shared
            .wake
            .wait(board)
            .unwrap_or_else(PoisonError::into_inner);
    }
}

/// Reports the nodes just settled without running, wakes the other workers
/// and ends this one: the run is over for every unsettled node.
fn settle(
    context: &Context<'_, '_>,
    board: MutexGuard<'_, Board>,
    settled: &[usize],
) -> Option<usize> {
    let finished = board.cloned(settled);
    drop(board);
    context.shared.wake.notify_all();
    for result in &finished {
        emit(context.on_event, &RunEvent::Finished(result));
    }
    None
}

/// Runs one node and times it; a panic inside becomes an error result.
fn execute(worker: &impl Worker, node: &Node<'_>, context: &Context<'_, '_>) -> NodeResult {
    let clock = Instant::now();
    if let Some(message) = context.schema_errors.get(&node.schema().to_lowercase()) {
        return failure(node, NodeStatus::Error, 0.0, message.clone());
    }
    let allow_invalid = context.allow_invalid;
    let outcome = catch_unwind(AssertUnwindSafe(|| worker.build(node.job, allow_invalid)));
    let seconds = clock.elapsed().as_secs_f64();
    match outcome {
        Ok(Ok(built)) if built.invalid() => invalid(node, built, seconds),
        Ok(Ok(built)) => {
            let mut result = NodeResult::success(node.id, node.kind, built.rows, seconds);
            result.merged_rows = built.merged_rows;
            result.checks = built.checks;
            result
        }
        Ok(Err(_)) if context.cancel.is_cancelled() => {
            interrupted(node, seconds, interrupted_message(node))
        }
        Ok(Err(diagnostic)) => {
            NodeResult::failed(node.id, node.kind, NodeStatus::Error, seconds, diagnostic)
        }
        Err(_) => {
            worker.recover();
            let message = format!(
                "internal error: the engine panicked while running {}",
                node.id
            );
            failure(node, NodeStatus::Error, seconds, message)
        }
    }
}

/// The result of a model whose error-level checks failed.
fn invalid(node: &Node<'_>, built: Built, seconds: f64) -> NodeResult {
    let failed: Vec<String> = built
        .checks
        .iter()
        .filter(|c| c.blocks())
        .map(describe_failure)
        .collect();
    let outcome = match (built.swapped, node.job) {
        (true, _) => "swapped in anyway because invalid products are allowed",
        (false, Job::Model(model)) if model.materialization == Materialization::View => {
            "the previous view definition is kept"
        }
        (false, _) => "the previous version is kept",
    };
    let message = format!("{} is INVALID: {}; {outcome}", node.id, failed.join("; "));
    let help = if built.swapped {
        "its consumers were built on the invalid version"
    } else {
        "its consumers are skipped until the rule passes (or invalid products are allowed)"
    };
    let diagnostic = Diagnostic::new(
        Code::ProductInvalid,
        Arc::from(""),
        TextRange::default(),
        message,
    )
    .with_help(help);
    let mut result =
        NodeResult::failed(node.id, node.kind, NodeStatus::Invalid, seconds, diagnostic);
    result.rows = built.rows;
    result.checks = built.checks;
    result
}

/// `rule r failed (value 3, expected = 0 rows)`.
fn describe_failure(check: &CheckResult) -> String {
    match (&check.error, check.value) {
        (Some(error), _) => format!("rule {} could not be checked ({error})", check.name),
        (None, Some(value)) => format!(
            "rule {} failed (value {value}, expected {})",
            check.name, check.threshold
        ),
        (None, None) => format!("rule {} failed", check.name),
    }
}

/// A failed or skipped result with a diagnostic of the node's kind.
fn failure(node: &Node<'_>, status: NodeStatus, seconds: f64, message: String) -> NodeResult {
    let (code, file) = match (status, node.job) {
        (NodeStatus::Skipped, _) => (Code::ModelSkipped, ""),
        (_, Job::Source(load)) => (Code::SourceLoadFailed, load.display_path.as_str()),
        (_, Job::Model(_)) => (Code::ModelFailed, ""),
    };
    let diagnostic = Diagnostic::new(code, Arc::from(file), TextRange::default(), message);
    NodeResult::failed(node.id, node.kind, status, seconds, diagnostic)
}

fn interrupted_message(node: &Node<'_>) -> String {
    format!("{} was interrupted; its previous version is kept", node.id)
}

/// The result of a node the run was stopped before or while running.
fn interrupted(node: &Node<'_>, seconds: f64, message: String) -> NodeResult {
    let file = match node.job {
        Job::Source(load) => load.display_path.as_str(),
        Job::Model(_) => "",
    };
    let diagnostic = Diagnostic::new(
        Code::RunInterrupted,
        Arc::from(file),
        TextRange::default(),
        message,
    )
    .with_help("run again to build it");
    NodeResult::failed(node.id, node.kind, NodeStatus::Error, seconds, diagnostic)
}

fn report(board: &Board, settled: &[usize], on_event: &(dyn Fn(&RunEvent) + Sync)) {
    for index in settled {
        if let Some(result) = &board.results[*index] {
            emit(on_event, &RunEvent::Finished(result));
        }
    }
}

/// Calls the progress callback. A panic in it is contained: it must neither
/// abort the other workers' builds nor leave them waiting for this one.
fn emit(on_event: &(dyn Fn(&RunEvent) + Sync), event: &RunEvent<'_>) {
    let _ = catch_unwind(AssertUnwindSafe(|| on_event(event)));
}

/// The shared scheduling state.
struct Board {
    results: Vec<Option<NodeResult>>,
    /// Per node: dependencies that have not succeeded yet.
    waiting: Vec<usize>,
    /// Per settled node: the node whose failure it reports (itself if it failed).
    culprit: Vec<usize>,
    ready: VecDeque<usize>,
    running: usize,
    unresolved: usize,
    /// Whether an INVALID node (swapped in anyway) releases its dependents.
    allow_invalid: bool,
    is_source: Vec<bool>,
    /// Sources not settled yet; models wait in `held` until there are none.
    sources_left: usize,
    held: Vec<usize>,
    /// Whether file access was restricted (after the last source).
    restricted: bool,
}

impl Board {
    fn new(graph: &Graph<'_>, allow_invalid: bool) -> Board {
        let count = graph.nodes.len();
        Board {
            results: vec![None; count],
            waiting: graph.nodes.iter().map(|n| n.dependencies.len()).collect(),
            culprit: (0..count).collect(),
            ready: VecDeque::new(),
            running: 0,
            unresolved: count,
            allow_invalid,
            is_source: graph
                .nodes
                .iter()
                .map(|n| n.kind == NodeKind::Source)
                .collect(),
            sources_left: graph
                .nodes
                .iter()
                .filter(|n| n.kind == NodeKind::Source)
                .count(),
            held: Vec::new(),
            restricted: false,
        }
    }

    /// Queues a node whose dependencies all succeeded; a model waits until
    /// every source is settled.
    fn release(&mut self, index: usize) {
        if self.sources_left > 0 && !self.is_source[index] {
            self.held.push(index);
        } else {
            self.ready.push_back(index);
        }
    }

    /// Queues the unsettled nodes without dependencies, in plan order (so
    /// sources come first).
    fn release_initial(&mut self, graph: &Graph<'_>) {
        for index in 0..graph.nodes.len() {
            if self.results[index].is_none() && self.waiting[index] == 0 {
                self.release(index);
            }
        }
    }

    /// Stores a result unless the node is settled already; returns whether it did.
    fn record(
        &mut self,
        index: usize,
        result: NodeResult,
        culprit: usize,
        settled: &mut Vec<usize>,
    ) -> bool {
        if self.results[index].is_some() {
            return false;
        }
        self.results[index] = Some(result);
        self.culprit[index] = culprit;
        self.unresolved -= 1;
        if self.is_source[index] {
            self.sources_left -= 1;
        }
        settled.push(index);
        true
    }

    fn finish(
        &mut self,
        graph: &Graph<'_>,
        index: usize,
        result: NodeResult,
        settled: &mut Vec<usize>,
    ) {
        if self.record(index, result, index, settled) {
            self.propagate(graph, index, settled);
        }
    }

    /// Tells the dependents of a settled node: success releases them when it
    /// was their last dependency; anything else skips them, transitively.
    fn propagate(&mut self, graph: &Graph<'_>, start: usize, settled: &mut Vec<usize>) {
        let mut stack = vec![start];
        while let Some(index) = stack.pop() {
            let succeeded = match &self.results[index] {
                Some(r) if r.status == NodeStatus::Success => true,
                Some(r) if r.status == NodeStatus::Invalid => self.allow_invalid,
                _ => false,
            };
            let culprit = self.culprit[index];
            for &dependent in &graph.nodes[index].dependents {
                if self.results[dependent].is_some() {
                    continue;
                }
                if succeeded {
                    self.waiting[dependent] = self.waiting[dependent].saturating_sub(1);
                    if self.waiting[dependent] == 0 {
                        self.release(dependent);
                    }
                } else {
                    let message = self.skip_message(graph, culprit);
                    let result =
                        failure(&graph.nodes[dependent], NodeStatus::Skipped, 0.0, message);
                    self.record(dependent, result, culprit, settled);
                    stack.push(dependent);
                }
            }
        }
    }

    /// Why the dependents of `culprit` are skipped: it failed, or it is
    /// INVALID because of the named rules.
    fn skip_message(&self, graph: &Graph<'_>, culprit: usize) -> String {
        let id = graph.nodes[culprit].id;
        match &self.results[culprit] {
            Some(r) if r.status == NodeStatus::Invalid => {
                let rules: Vec<&str> = r
                    .checks
                    .iter()
                    .filter(|c| c.blocks())
                    .map(|c| c.name.as_str())
                    .collect();
                format!(
                    "skipped: upstream {id} is INVALID (failed rule{} {})",
                    if rules.len() == 1 { "" } else { "s" },
                    rules.join(", ")
                )
            }
            _ => format!("skipped: upstream {id} failed"),
        }
    }

    /// Fails every unsettled node, as interrupted or as unschedulable;
    /// returns them.
    fn abandon(&mut self, graph: &Graph<'_>, interrupted_run: bool) -> Vec<usize> {
        if !interrupted_run {
            return self.fail_unsettled(
                graph,
                "the node could not be scheduled (unresolved dependencies)",
            );
        }
        let mut settled = Vec::new();
        for (index, node) in graph.nodes.iter().enumerate() {
            let message = format!(
                "{} (the run was stopped before it started)",
                interrupted_message(node)
            );
            self.record(index, interrupted(node, 0.0, message), index, &mut settled);
        }
        settled
    }

    /// Fails every unsettled node with `message`; returns them.
    fn fail_unsettled(&mut self, graph: &Graph<'_>, message: &str) -> Vec<usize> {
        let mut settled = Vec::new();
        for (index, node) in graph.nodes.iter().enumerate() {
            let result = failure(node, NodeStatus::Error, 0.0, message.to_owned());
            self.record(index, result, index, &mut settled);
        }
        settled
    }

    fn cloned(&self, settled: &[usize]) -> Vec<NodeResult> {
        settled
            .iter()
            .filter_map(|&index| self.results[index].clone())
            .collect()
    }
}
