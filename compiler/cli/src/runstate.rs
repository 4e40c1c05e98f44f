//! What the database holds, as content hashes: `target/run_state.json`.
//!
//! Every node of a plan gets a hash of what decides its data: a model's
//! emitted SQL, materialization and checks with the hashes of its inputs; a
//! source's file (path, size, modification time), format and columns. A node
//! whose hash equals the one recorded after its last successful build is
//! current; a changed model changes the hash of everything downstream. `meshc
//! run` records the hashes of what it built; `meshc watch --run` rebuilds only
//! the nodes whose hash differs.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use mesh_analysis::BuildPlan;
use mesh_engine::{NodeStatus, RunResults};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The file, under the workspace root.
const FILE: &str = "target/run_state.json";

/// The recorded state of one database.
#[derive(Serialize, Deserialize, Default, Debug, PartialEq, Eq)]
pub(crate) struct RunState {
    /// The meshc version that wrote it: another version hashes differently
    /// (emitted SQL changes between versions), so its hashes are not used.
    meshc: String,
    /// The database the hashes describe.
    database: PathBuf,
    /// Node id -> hash of what it was last built from.
    nodes: BTreeMap<String, String>,
}

impl RunState {
    /// The state recorded for `database`, or an empty one (everything is
    /// stale) when there is none, it is unreadable, of another version or of
    /// another database, or the database file is gone.
    pub(crate) fn load(root: &Path, database: &Path) -> RunState {
        let fresh = RunState {
            meshc: env!("CARGO_PKG_VERSION").to_string(),
            database: database.to_path_buf(),
            nodes: BTreeMap::new(),
        };
        let Ok(text) = std::fs::read_to_string(root.join(FILE)) else {
            return fresh;
        };
        match serde_json::from_str::<RunState>(&text) {
            Ok(state)
                if state.meshc == fresh.meshc
                    && state.database == fresh.database
                    && database.is_file() =>
            {
                state
            }
            _ => fresh,
        }
    }

    /// Whether node `id` was last built from `hash`.
    pub(crate) fn is_current(&self, id: &str, hash: &str) -> bool {
        self.nodes.get(id).is_some_and(|h| h == hash)
    }

    /// Records what a run did: a node that succeeded was built from its
    /// hash; any other outcome leaves it stale (a failed table keeps its
    /// previous data, which no longer matches the SQL).
    pub(crate) fn record(&mut self, hashes: &HashMap<String, String>, results: &RunResults) {
        for result in &results.results {
            match (result.status, hashes.get(&result.id)) {
                (NodeStatus::Success, Some(hash)) => {
                    self.nodes.insert(result.id.clone(), hash.clone());
                }
                _ => {
                    self.nodes.remove(&result.id);
                }
            }
        }
    }

    /// Writes the state (atomically: a killed run leaves the previous file).
    pub(crate) fn save(&self, root: &Path) -> Result<(), String> {
        let text = serde_json::to_string_pretty(self)
            .map_err(|e| format!("cannot serialize the run state: {e}"))?;
        crate::build::write_atomically(&root.join(FILE), (text + "\n").as_bytes())
    }
}

/// The hash of every node of `plan`, by id. An input that is not in the plan
/// (a model left out by `--select`) hashes as unknown, so what reads it is
/// never taken for current by mistake.
pub(crate) fn node_hashes(root: &Path, plan: &BuildPlan) -> HashMap<String, String> {
    let mut hashes: HashMap<String, String> = HashMap::new();
    for source in &plan.sources {
        let mut hasher = Sha256::new();
        let file = if source.external {
            PathBuf::from(&source.path)
        } else {
            root.join(&source.path)
        };
        let stamp = std::fs::metadata(&file)
            .ok()
            .map(|m| (m.len(), m.modified().ok()));
        hasher.update(format!(
            "source\0{}\0{}\0{stamp:?}\0{:?}\0{:?}\0{:?}",
            source.id, source.path, source.format, source.csv, source.columns
        ));
        hashes.insert(source.id.clone(), hex(hasher.finalize().as_slice()));
    }
    // The plan lists models in dependency order: inputs are hashed first.
    for model in &plan.models {
        let mut hasher = Sha256::new();
        hasher.update(format!(
            "model\0{}\0{:?}\0{}\0",
            model.id, model.materialization, model.sql
        ));
        for check in &model.checks {
            hasher.update(format!(
                "check\0{}\0{:?}\0{:?}\0{}\0",
                check.name, check.severity, check.threshold, check.sql
            ));
        }
        let mut inputs: Vec<&String> = model.depends_on.iter().collect();
        inputs.sort();
        for input in inputs {
            let hash = hashes.get(input).map_or("unknown", String::as_str);
            hasher.update(format!("input\0{input}\0{hash}\0"));
        }
        hashes.insert(model.id.clone(), hex(hasher.finalize().as_slice()));
    }
    hashes
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The part of `plan` that is not current in `state`, in the same order.
pub(crate) fn stale_part(
    plan: &BuildPlan,
    hashes: &HashMap<String, String>,
    state: &RunState,
) -> BuildPlan {
    let stale = |id: &str| {
        hashes
            .get(id)
            .is_none_or(|hash| !state.is_current(id, hash))
    };
    BuildPlan {
        domains: plan.domains.clone(),
        sources: plan
            .sources
            .iter()
            .filter(|s| stale(&s.id))
            .cloned()
            .collect(),
        models: plan
            .models
            .iter()
            .filter(|m| stale(&m.id))
            .cloned()
            .collect(),
    }
}
