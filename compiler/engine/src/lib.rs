//! The engine of meshc: it runs an already-compiled build plan on embedded DuckDB.
//!
//! The compiler hands over a [`RunPlan`] (sources to load, models to build, in
//! plain data). [`run`] loads the sources and builds the models in dependency
//! order on a pool of threads, swapping every table in atomically, and returns
//! one [`NodeResult`] per node. [`query`] reads the resulting database.
//!
//! Modules:
//! - `plan`: the input types.
//! - `results`: results and progress events.
//! - `run`: opening the database and scheduling nodes on worker threads.
//! - `graph`: the dependency graph, duplicate ids and cycles.
//! - `source`: loading CSV and Parquet files with declared columns.
//! - `location`: finding the line of a source file an error is about.
//! - `model`: building views and tables.
//! - `sql`: quoting, catalog lookups and atomic swaps.
//! - `query` and `cell`: read-only queries and their values.

mod cell;
mod graph;
mod location;
mod model;
mod plan;
mod query;
mod results;
mod run;
mod source;
mod sql;

pub use cell::Cell;
pub use plan::{Materialization, ModelNode, RunPlan, SourceColumn, SourceFormat, SourceLoad};
pub use query::{QueryResult, query};
pub use results::{NodeKind, NodeResult, NodeStatus, RunEvent, RunResults};
pub use run::run;
