//! The engine of meshc: it runs an already-compiled build plan on embedded
//! DuckDB, or its models on a Trino server.
//!
//! The compiler hands over a [`RunPlan`] (sources to load, models to build, in
//! plain data). [`run`] loads the sources and builds the models in dependency
//! order on a pool of threads, checks each model's quality rules on the new
//! version before swapping it in atomically, and returns one [`NodeResult`]
//! per node. [`query`] reads the resulting database; [`test`] runs the checks
//! against it.
//!
//! Modules:
//! - `plan`: the input types.
//! - `results`: results and progress events.
//! - `run`: opening the database and scheduling nodes on worker threads.
//! - `graph`: the dependency graph, duplicate ids and cycles.
//! - `incremental`: the SQL that finds an incremental model's new rows and the
//!   rows they replace (public: `meshc build` writes it into scripts too).
//! - `source`: loading CSV and Parquet files with declared columns.
//! - `location`: finding the line of a source file an error is about.
//! - `model`: building views and tables.
//! - `check`: quality checks, during a run and against an existing database.
//! - `sql`: quoting, catalog lookups and atomic swaps.
//! - `query` and `cell`: read-only queries and their values.
//! - `statement`: the guard that lets exactly one statement through per call.
//! - `trino`: the same scheduling on a Trino server (`mesh-trino`): models
//!   built, checked and swapped in its output catalog.

mod cell;
mod check;
mod graph;
pub mod incremental;
mod location;
mod model;
mod plan;
mod query;
mod results;
mod run;
mod source;
mod sql;
mod statement;
mod trino;

pub use cell::Cell;
pub use check::{ModelTest, test};
pub use plan::{
    CHECKED_RELATION, Check, CheckSeverity, CheckUnit, Incremental, Materialization, ModelNode,
    RunPlan, SourceColumn, SourceFormat, SourceLoad, Threshold,
};
pub use query::{QueryResult, RowSink, query, query_all};
pub use results::{CheckResult, NodeKind, NodeResult, NodeStatus, RunEvent, RunResults};
pub use run::{Cancel, run, run_cancellable};
pub use trino::{TrinoPlan, run_trino};
