//! The host owns the database, applies changes and answers questions.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::Mutex;

use mesh_diagnostics::{Diagnostic, sort};
use mesh_emit::{Target, emit_model};
use mesh_sema::{
    Column, Db, DomainId, ModelId, SourceFile, analyze_model, cycle_diagnostics,
    domain_diagnostics, domain_scope, member_domains, mesh_config, workspace_diagnostics,
};
use salsa::Setter;

use crate::db::MeshDatabase;

/// Starts a thread that analyzes models, with the stack the walks over a
/// syntax tree of the largest accepted depth need (`mesh_syntax::STACK_BYTES`;
/// the default of 2 MiB is not enough). `None` when the OS refuses a thread:
/// callers then do the work on their own thread.
pub(crate) fn analysis_thread<'scope, T: Send + 'scope>(
    scope: &'scope std::thread::Scope<'scope, '_>,
    work: impl FnOnce() -> T + Send + 'scope,
) -> Option<std::thread::ScopedJoinHandle<'scope, T>> {
    std::thread::Builder::new()
        .stack_size(mesh_syntax::STACK_BYTES)
        .spawn_scoped(scope, work)
        .ok()
}

/// How many threads a whole-mesh pass over `items` models should use: one
/// below 256 models (threads cost more than they save), else every core.
pub(crate) fn worker_threads(items: usize) -> usize {
    if items < 256 {
        return 1;
    }
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// A batch of edits to the workspace's files.
#[derive(Clone, Debug, Default)]
pub struct Change {
    /// Workspace-relative path -> new text (`None` removes the file).
    pub files: Vec<(String, Option<String>)>,
    /// Replaces the loader's diagnostics when set.
    pub load_diagnostics: Option<Vec<Diagnostic>>,
}

impl Change {
    pub fn set_file(&mut self, path: impl Into<String>, text: impl Into<String>) {
        self.files.push((path.into(), Some(text.into())));
    }

    pub fn remove_file(&mut self, path: impl Into<String>) {
        self.files.push((path.into(), None));
    }
}

/// The Trino server a run connects to and the catalog it writes models to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TrinoConnection {
    /// `targets.trino.url`, if set.
    pub url: Option<String>,
    pub user: String,
    pub catalog: String,
}

/// A model as listed by the host.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModelSummary {
    pub domain: String,
    pub name: String,
    pub path: String,
    pub published: bool,
    /// Output columns, when the model type-checks far enough to know them.
    pub columns: Option<Vec<Column>>,
}

/// SQL emitted during [`AnalysisHost::check_and_emit`], by `(domain, model)`,
/// waiting for the plan of the same target.
pub(crate) type Emitted = HashMap<(String, String), Result<String, Vec<Diagnostic>>>;

/// Owns the database. Apply changes with [`AnalysisHost::apply_change`], then query.
#[derive(Default)]
pub struct AnalysisHost {
    pub(crate) db: MeshDatabase,
    pub(crate) files: BTreeMap<String, SourceFile>,
    pub(crate) emitted: Mutex<Option<(Target, Emitted)>>,
}

impl AnalysisHost {
    pub fn new() -> Self {
        Self::default()
    }

    /// The database, for callers that log executed queries (tests, benchmarks).
    pub fn database(&self) -> &MeshDatabase {
        &self.db
    }

    /// How often a file changes, for salsa: model SQL is what people edit all
    /// day (LOW); configuration, contracts and the lock change rarely
    /// (MEDIUM). After a model edit salsa then re-validates in O(1) every
    /// query that reads only configuration and contracts (scopes, published
    /// products, the lock) instead of walking its dependencies.
    fn durability(path: &str) -> salsa::Durability {
        if path.ends_with(".sql") {
            salsa::Durability::LOW
        } else {
            salsa::Durability::MEDIUM
        }
    }

    pub fn apply_change(&mut self, change: Change) {
        self.db.clear_stash();
        if let Ok(emitted) = self.emitted.get_mut() {
            *emitted = None;
        }
        let mut list_changed = false;
        for (path, text) in change.files {
            match (self.files.get(&path).copied(), text) {
                (Some(file), Some(text)) => {
                    if file.text(&self.db) != &text {
                        file.set_text(&mut self.db)
                            .with_durability(Self::durability(&path))
                            .to(text);
                    }
                }
                (None, Some(text)) => {
                    let file = SourceFile::builder(path.as_str().into(), text)
                        .durability(Self::durability(&path))
                        .new(&self.db);
                    self.files.insert(path, file);
                    list_changed = true;
                }
                (Some(_), None) => {
                    self.files.remove(&path);
                    list_changed = true;
                }
                (None, None) => {}
            }
        }
        let workspace = self.db.workspace();
        if list_changed {
            let files: Vec<SourceFile> = self.files.values().copied().collect();
            // The file list changes only when files come or go.
            workspace
                .set_files(&mut self.db)
                .with_durability(salsa::Durability::HIGH)
                .to(files);
        }
        if let Some(diagnostics) = change.load_diagnostics
            && workspace.load_diagnostics(&self.db) != &diagnostics
        {
            workspace
                .set_load_diagnostics(&mut self.db)
                .with_durability(salsa::Durability::HIGH)
                .to(diagnostics);
        }
    }

    /// The quoted physical name of a model on `target` (see
    /// [`mesh_emit::physical_name`]).
    pub fn physical_name(&self, target: Target, domain: &str, name: &str) -> String {
        mesh_emit::physical_name(&self.db, target, domain, name)
    }

    /// The schema (DuckDB, Trino) or database (Teradata) that holds a
    /// domain's models: the physical name without the model.
    pub fn physical_schema(&self, target: Target, domain: &str) -> String {
        let full = self.physical_name(target, domain, "x");
        full.strip_suffix(".\"x\"").unwrap_or(&full).to_string()
    }

    /// The workspace name from mesh.yaml.
    pub fn workspace_name(&self) -> Option<String> {
        mesh_config(&self.db).map(|c| c.name.value.clone())
    }

    /// Where `meshc run --target trino` connects: `targets.trino` of
    /// mesh.yaml, with its defaults (user `meshc`, output catalog `memory`).
    pub fn trino_connection(&self) -> TrinoConnection {
        let config = mesh_config(&self.db);
        let trino = config.map(|c| &c.trino);
        TrinoConnection {
            url: trino.and_then(|t| t.url.clone()),
            user: trino
                .and_then(|t| t.user.clone())
                .unwrap_or_else(|| "meshc".to_string()),
            catalog: mesh_emit::trino_of(&self.db).catalog,
        }
    }

    /// The DuckDB file configured in mesh.yaml, relative to the workspace root.
    pub fn duckdb_path(&self) -> Option<String> {
        mesh_config(&self.db).and_then(|c| c.duckdb_path.clone())
    }

    /// Text of a loaded file.
    pub fn file_text(&self, path: &str) -> Option<&str> {
        self.files.get(path).map(|f| f.text(&self.db).as_str())
    }

    /// How many models the member domains have (from the file list alone:
    /// no configuration is parsed, so a check answered from the cache stays
    /// cheap).
    pub fn model_count(&self) -> usize {
        let db = &self.db;
        let index = mesh_sema::file_index(db);
        member_domains(db)
            .iter()
            .filter_map(|name| index.directories.get(name))
            .map(|files| {
                let names: std::collections::BTreeSet<String> = files
                    .models
                    .keys()
                    .map(|m| m.to_ascii_lowercase())
                    .collect();
                names.len()
            })
            .sum()
    }

    /// Every model of every member domain.
    pub fn models(&self) -> Vec<ModelSummary> {
        let db = &self.db;
        let mut out = Vec::new();
        for domain_name in member_domains(db) {
            let domain = DomainId::new(db, domain_name.clone());
            let scope = domain_scope(db, domain);
            for (key, (name, file)) in &scope.models {
                let model = ModelId::new(db, domain, name.clone());
                out.push(ModelSummary {
                    domain: domain_name.clone(),
                    name: name.clone(),
                    path: file.path(db).to_string(),
                    published: scope.contracts.contains_key(key),
                    columns: analyze_model(db, model)
                        .relation
                        .as_ref()
                        .map(|r| r.columns.clone()),
                });
            }
        }
        out
    }

    /// Names for the per-model entries of the executed-query log: maps
    /// `analyze_model(Id(..))` to `analyze_model(domain.model)` (tests, `--timings`).
    pub fn model_query_names(&self) -> BTreeMap<String, String> {
        use salsa::plumbing::AsId;
        let db = &self.db;
        let mut out = BTreeMap::new();
        for domain_name in member_domains(db) {
            let domain = DomainId::new(db, domain_name.clone());
            for (name, _) in domain_scope(db, domain).models.values() {
                let id = ModelId::new(db, domain, name.clone()).as_id();
                for query in ["analyze_model", "model_signature", "model_references"] {
                    out.insert(
                        format!("{query}({id:?})"),
                        format!("{query}({domain_name}.{name})"),
                    );
                }
            }
        }
        out
    }

    /// Analyzes every model on all cores before the (then cached) sequential
    /// walk of `check`. Each thread takes whole domains: models of one domain
    /// read each other's signatures, other domains are read through contracts,
    /// so threads rarely wait for each other. A no-op when everything is
    /// already up to date.
    /// With `emit`, each model's SQL for that target is emitted right after
    /// its analysis, from the tree the analysis used, and returned.
    fn analyze_in_parallel(&self, emit: Option<Target>) -> Emitted {
        let db = &self.db;
        // Sizes from the file index: the domains' scopes (configuration and
        // sources to parse) are built on the worker threads.
        let index = mesh_sema::file_index(db);
        let mut by_size: Vec<(String, usize)> = member_domains(db)
            .iter()
            .map(|d| {
                let models = index.directories.get(d).map_or(0, |f| f.models.len());
                (d.clone(), models)
            })
            .collect();
        let total: usize = by_size.iter().map(|(_, n)| n).sum();
        let threads = worker_threads(total).min(by_size.len());
        if threads < 2 {
            return Emitted::new();
        }
        // Largest domains first; each thread takes the next domain when it is
        // done with one, so the threads finish close together.
        by_size.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        let queue: Mutex<VecDeque<String>> =
            Mutex::new(by_size.into_iter().map(|(name, _)| name).collect());
        let next = || queue.lock().ok().and_then(|mut queue| queue.pop_front());
        std::thread::scope(|scope| {
            let handles: Vec<_> = (0..threads)
                .map(|_| {
                    let db = self.db.clone();
                    let next = &next;
                    analysis_thread(scope, move || {
                        let mut emitted = Vec::new();
                        while let Some(name) = next() {
                            let domain = DomainId::new(&db, name.clone());
                            let scope = domain_scope(&db, domain);
                            for (model, _) in scope.models.values() {
                                let id = ModelId::new(&db, domain, model.clone());
                                analyze_model(&db, id);
                                if let Some(target) = emit {
                                    let sql = emit_model(&db, id, target);
                                    emitted.push(((name.clone(), model.clone()), sql));
                                }
                            }
                            domain_diagnostics(&db, domain);
                            for file in scope.contracts.values() {
                                crate::plan::rule_diagnostics(&db, *file);
                            }
                        }
                        // The whole-mesh facts `check` reads next: the thread that
                        // finishes first computes them while the others still
                        // analyze (salsa runs each query once; a second caller waits).
                        cycle_diagnostics(&db);
                        mesh_sema::lock_diagnostics(&db);
                        emitted
                    })
                })
                .collect();
            // A thread that panicked emitted nothing: the plan emits its
            // models, and the sequential walk of `check` meets the panic again.
            handles
                .into_iter()
                .flat_map(|handle| handle.and_then(|h| h.join().ok()).unwrap_or_default())
                .collect()
        })
    }

    /// Every diagnostic of the workspace, sorted by file and position.
    pub fn check(&self) -> Vec<Diagnostic> {
        self.analyze_in_parallel(None);
        self.diagnostics()
    }

    /// [`AnalysisHost::check`], emitting each model's SQL for `target` in the
    /// same pass, right after its analysis and from the same syntax tree, for
    /// the [`AnalysisHost::plan`] that follows (`meshc build` and `run`):
    /// a build then parses each model once instead of twice.
    pub fn check_and_emit(&self, target: Target) -> Vec<Diagnostic> {
        self.db.set_keep_trees(true);
        let emitted = self.analyze_in_parallel(Some(target));
        self.db.set_keep_trees(false);
        if let Ok(mut slot) = self.emitted.lock() {
            *slot = Some((target, emitted));
        }
        self.diagnostics()
    }

    /// The diagnostics of an analyzed workspace.
    fn diagnostics(&self) -> Vec<Diagnostic> {
        let db = &self.db;
        let mut out = workspace_diagnostics(db).clone();
        for domain_name in member_domains(db) {
            let domain = DomainId::new(db, domain_name.clone());
            out.extend(domain_diagnostics(db, domain).iter().cloned());
            out.extend(
                mesh_sema::incremental_diagnostics(db, domain)
                    .iter()
                    .cloned(),
            );
            for (name, _) in domain_scope(db, domain).models.values() {
                let model = ModelId::new(db, domain, name.clone());
                out.extend(analyze_model(db, model).diagnostics.iter().cloned());
            }
            for file in domain_scope(db, domain).contracts.values() {
                out.extend(crate::plan::rule_diagnostics(db, *file).iter().cloned());
            }
        }
        out.extend(cycle_diagnostics(db).iter().cloned());
        out.extend(mesh_sema::lock_diagnostics(db).iter().cloned());
        sort(&mut out);
        out.dedup();
        out
    }

    /// After an edit of model files: the diagnostics of those models and of
    /// every model downstream of them in the same domain (the only ones an
    /// edit of model SQL can affect: other domains read contracts), keyed by
    /// model file. Costs what the edit touches, not the size of the mesh, so
    /// watch mode and the language server refresh these files instead of
    /// re-checking everything. `None` when a path is not a model file (a
    /// configuration or contract edit needs [`AnalysisHost::check`]).
    pub fn model_edit_diagnostics(
        &self,
        paths: &[&str],
    ) -> Option<BTreeMap<String, Vec<Diagnostic>>> {
        let db = &self.db;
        let mut queue: Vec<mesh_sema::NodeId> = Vec::new();
        for path in paths {
            let (domain, rest) = path.split_once('/')?;
            let name = rest.strip_prefix("models/")?.strip_suffix(".sql")?;
            queue.push(mesh_sema::NodeId {
                domain: domain.to_string(),
                name: name.to_string(),
                is_source: false,
            });
        }
        let mut seen = std::collections::BTreeSet::new();
        let mut out = BTreeMap::new();
        while let Some(node) = queue.pop() {
            if !seen.insert(node.clone()) {
                continue;
            }
            let domain = DomainId::new(db, node.domain.clone());
            let Some((name, file)) = domain_scope(db, domain)
                .models
                .get(&node.name.to_ascii_lowercase())
            else {
                continue;
            };
            let mut diagnostics = analyze_model(db, ModelId::new(db, domain, name.clone()))
                .diagnostics
                .clone();
            sort(&mut diagnostics);
            out.insert(file.path(db).to_string(), diagnostics);
            if let Some(readers) =
                mesh_sema::domain_readers(db, domain).get(&node.name.to_ascii_lowercase())
            {
                queue.extend(readers.iter().map(|reader| mesh_sema::NodeId {
                    domain: node.domain.clone(),
                    name: reader.clone(),
                    is_source: false,
                }));
            }
        }
        Some(out)
    }

    /// Diagnostics of one file only (for editors).
    pub fn file_diagnostics(&self, path: &str) -> Vec<Diagnostic> {
        self.check()
            .into_iter()
            .filter(|d| &*d.file == path)
            .collect()
    }
}
