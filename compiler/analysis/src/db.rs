//! The concrete salsa database: storage, the workspace input and an optional
//! log of executed queries (used by tests and by `--timings`).

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use mesh_sema::{SourceFile, WarmStart, Workspace};
use mesh_syntax::ParsedModel;

/// The one database behind the CLI, watch mode and the language server.
#[salsa::db]
#[derive(Clone)]
pub struct MeshDatabase {
    storage: salsa::Storage<Self>,
    workspace: Option<Workspace>,
    /// Results of an earlier process, when started warm (set once, before any query).
    warm: Option<WarmStart>,
    executed: Arc<Mutex<Option<Vec<String>>>>,
    /// Syntax trees handed from the reference walk to inference (shared by
    /// the clones that analyze in parallel).
    parses: Arc<Mutex<HashMap<SourceFile, (String, ParsedModel)>>>,
    /// Set while a build checks and emits in one pass.
    keep_trees: Arc<AtomicBool>,
}

/// At most this many trees wait between the reference walk and inference
/// (about 50 KB each, 100 KB on a mesh of 25-column models): a whole domain
/// of a large mesh. Fewer would cost a second parse of each model left out
/// (on a 10,000-model mesh of 5 wide domains, 1,024 took 355 MB instead of
/// 480 MB but 25% more CPU).
const STASHED_PARSES: usize = 4096;

impl Default for MeshDatabase {
    fn default() -> Self {
        let executed: Arc<Mutex<Option<Vec<String>>>> = Arc::default();
        let log = executed.clone();
        let storage = salsa::Storage::new(Some(Box::new(move |event: salsa::Event| {
            if let salsa::EventKind::WillExecute { database_key } = event.kind
                && let Ok(mut guard) = log.lock()
                && let Some(entries) = guard.as_mut()
            {
                entries.push(format!("{database_key:?}"));
            }
        })));
        let mut db = MeshDatabase {
            storage,
            workspace: None,
            warm: None,
            executed,
            parses: Arc::default(),
            keep_trees: Arc::default(),
        };
        db.workspace = Some(Workspace::new(&db, Vec::new(), Vec::new()));
        db
    }
}

impl MeshDatabase {
    /// Starts recording which queries execute (rather than being reused).
    pub fn start_logging(&self) {
        if let Ok(mut guard) = self.executed.lock() {
            *guard = Some(Vec::new());
        }
    }

    /// Hands the analysis what an earlier process computed; before any query.
    pub(crate) fn set_warm_start(&mut self, warm: WarmStart) {
        self.warm = Some(warm);
    }

    /// Drops the trees waiting for an analysis: after an edit, those of
    /// changed or removed files would never be taken.
    pub(crate) fn clear_stash(&self) {
        if let Ok(mut parses) = self.parses.lock() {
            parses.clear();
        }
    }

    /// Whether analyses hand their trees on to the emission that follows.
    pub(crate) fn set_keep_trees(&self, keep: bool) {
        self.keep_trees.store(keep, Ordering::Relaxed);
    }

    /// The queries executed since the last call, as `query_name(id)` strings.
    pub fn take_executed(&self) -> Vec<String> {
        match self.executed.lock() {
            Ok(mut guard) => guard.as_mut().map(std::mem::take).unwrap_or_default(),
            Err(_) => Vec::new(),
        }
    }
}

#[salsa::db]
impl salsa::Database for MeshDatabase {}

#[salsa::db]
impl mesh_sema::Db for MeshDatabase {
    fn workspace(&self) -> Workspace {
        match self.workspace {
            Some(workspace) => workspace,
            None => unreachable!("MeshDatabase::default always creates the workspace input"),
        }
    }
    fn note_inference(&self, domain: &str, model: &str) {
        if let Ok(mut guard) = self.executed.lock()
            && let Some(entries) = guard.as_mut()
        {
            entries.push(format!("infer_model({domain}.{model})"));
        }
    }

    fn warm_start(&self) -> Option<WarmStart> {
        self.warm
    }

    fn stash_parse(&self, file: SourceFile, text: &str, parsed: ParsedModel) {
        if self
            .parses
            .lock()
            .map_or(true, |p| p.len() >= STASHED_PARSES)
        {
            return;
        }
        // A copy of the tree is compact: the parser grows its lists by
        // doubling (a one-argument call keeps room for four), a clone
        // allocates each at its length. On a wide mesh the trees waiting for
        // inference took 200 MB less (680 → 480 MB peak), for about 1% more
        // time than without the copy.
        let compact = ParsedModel {
            query: parsed.query.clone(),
            ..parsed
        };
        if let Ok(mut parses) = self.parses.lock() {
            parses.insert(file, (text.to_string(), compact));
        }
    }

    fn take_parse(&self, file: SourceFile, text: &str) -> Option<ParsedModel> {
        let (parsed_text, parsed) = self.parses.lock().ok()?.remove(&file)?;
        (parsed_text == text).then_some(parsed)
    }

    fn keep_analyzed_trees(&self) -> bool {
        self.keep_trees.load(Ordering::Relaxed)
    }
}
