//! Fixtures shared by the integration tests: a temporary project directory
//! with its database, CSV sources written into it, models and plans, and
//! helpers that run a plan and read values back with `query`.

// Each test binary uses a different subset of these helpers.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use mesh_engine::{
    Cell, Materialization, ModelNode, NodeResult, NodeStatus, RunEvent, RunPlan, RunResults,
    SourceColumn, SourceFormat, SourceLoad,
};
use tempfile::TempDir;

/// A temporary directory holding the source files and the database; both go
/// when it is dropped.
pub(crate) struct Project {
    pub(crate) dir: TempDir,
    pub(crate) database: PathBuf,
}

impl Project {
    /// The database is `mesh.duckdb` in the directory.
    pub(crate) fn new() -> Self {
        Self::with_database("mesh.duckdb")
    }

    /// The database is at `relative` in the directory (its parents are not created).
    pub(crate) fn with_database(relative: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let database = dir.path().join(relative);
        Self { dir, database }
    }

    pub(crate) fn root(&self) -> &Path {
        self.dir.path()
    }

    /// A CSV source `schema.table` whose file `<schema>/data/<table>.csv` holds `content`.
    pub(crate) fn csv(
        &self,
        schema: &str,
        table: &str,
        content: &str,
        columns: Vec<SourceColumn>,
    ) -> SourceLoad {
        let display_path = format!("{schema}/data/{table}.csv");
        let file = self.root().join(&display_path);
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(&file, content).unwrap();
        SourceLoad {
            id: format!("{schema}.{table}"),
            schema: schema.to_owned(),
            table: table.to_owned(),
            file,
            display_path,
            format: SourceFormat::Csv {
                delimiter: ',',
                header: true,
                quote: Some('"'),
            },
            columns,
            root: Some(self.root().to_path_buf()),
        }
    }

    /// A CSV source `s.<table>` with one required INTEGER column, `id`.
    pub(crate) fn ids(&self, table: &str, content: &str) -> SourceLoad {
        self.csv("s", table, content, vec![column("id", "INTEGER", true)])
    }

    pub(crate) fn plan(&self, sources: Vec<SourceLoad>, models: Vec<ModelNode>) -> RunPlan {
        plan(self.database.clone(), sources, models)
    }

    /// Runs a plan of these sources and models into the project's database.
    pub(crate) fn run(&self, sources: Vec<SourceLoad>, models: Vec<ModelNode>) -> RunResults {
        run_quietly(&self.plan(sources, models))
    }

    /// The rows of a query on the project's database, every cell printed.
    pub(crate) fn rows(&self, sql: &str) -> Vec<Vec<String>> {
        let result = mesh_engine::query_all(&self.database, sql).unwrap();
        result
            .rows
            .iter()
            .map(|row| row.iter().map(Cell::to_string).collect())
            .collect()
    }
}

pub(crate) fn column(name: &str, duckdb_type: &str, required: bool) -> SourceColumn {
    SourceColumn {
        name: name.to_owned(),
        duckdb_type: duckdb_type.to_owned(),
        required,
    }
}

pub(crate) fn model(
    schema: &str,
    name: &str,
    materialization: Materialization,
    sql: &str,
    depends_on: &[&str],
) -> ModelNode {
    ModelNode {
        id: format!("{schema}.{name}"),
        schema: schema.to_owned(),
        name: name.to_owned(),
        materialization,
        sql: sql.to_owned(),
        depends_on: depends_on.iter().map(|d| (*d).to_owned()).collect(),
        checks: Vec::new(),
        incremental: None,
    }
}

/// A plan on two threads creating the schemas of its sources and models.
pub(crate) fn plan(database: PathBuf, sources: Vec<SourceLoad>, models: Vec<ModelNode>) -> RunPlan {
    let mut schemas: Vec<String> = sources
        .iter()
        .map(|s| s.schema.clone())
        .chain(models.iter().map(|m| m.schema.clone()))
        .collect();
    schemas.sort();
    schemas.dedup();
    RunPlan {
        database,
        threads: 2,
        schemas,
        sources,
        models,
        allow_invalid: false,
        full_refresh: false,
    }
}

/// Runs the plan and records the events as `started <id>` / `finished <id> <status>`.
pub(crate) fn run_recording(plan: &RunPlan) -> (RunResults, Vec<String>) {
    let events = Mutex::new(Vec::new());
    let results = mesh_engine::run(plan, &|event: &RunEvent| {
        let line = match event {
            RunEvent::Started { id, .. } => format!("started {id}"),
            RunEvent::Finished(result) => format!("finished {} {:?}", result.id, result.status),
        };
        events.lock().unwrap().push(line);
    });
    (results, events.into_inner().unwrap())
}

pub(crate) fn run_quietly(plan: &RunPlan) -> RunResults {
    mesh_engine::run(plan, &|_: &RunEvent| {})
}

pub(crate) fn result<'r>(results: &'r RunResults, id: &str) -> &'r NodeResult {
    results
        .get(id)
        .unwrap_or_else(|| panic!("no result for {id}"))
}

pub(crate) fn status(results: &RunResults, id: &str) -> NodeStatus {
    result(results, id).status
}

/// `(status, rows, error)` of a node, for compact assertions.
pub(crate) fn outcome<'r>(
    results: &'r RunResults,
    id: &str,
) -> (NodeStatus, Option<u64>, Option<&'r str>) {
    let r = result(results, id);
    (r.status, r.rows, r.error.as_deref())
}
