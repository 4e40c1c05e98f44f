//! The input of a run: a compiled build plan in plain data.
//!
//! The compiler produces a [`RunPlan`]; the engine does not parse models or
//! configuration itself. Every relation in a model's SQL is already qualified
//! with its schema, and every source carries its declared columns and types.

use std::path::PathBuf;

/// Everything one `meshc run` builds, in any order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunPlan {
    /// The DuckDB database file; missing parent directories are created.
    pub database: PathBuf,
    /// How many models (and sources) run at the same time; `0` counts as `1`.
    pub threads: usize,
    /// One schema per domain, created when missing.
    pub schemas: Vec<String>,
    /// Files to load into tables before the models that read them run.
    pub sources: Vec<SourceLoad>,
    /// The models, run in dependency order.
    pub models: Vec<ModelNode>,
}

/// One source file loaded into one table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceLoad {
    /// The node id, `schema.table` (for example `customers.raw_customers`).
    pub id: String,
    pub schema: String,
    pub table: String,
    /// Absolute path of the CSV or Parquet file.
    pub file: PathBuf,
    /// Workspace-relative path used in messages (`customers/data/raw_customers.csv`).
    pub display_path: String,
    pub format: SourceFormat,
    /// The declared columns, in file order for CSV.
    pub columns: Vec<SourceColumn>,
}

/// How a source file is read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SourceFormat {
    /// Delimited text; `quote: None` reads quote characters literally.
    Csv {
        delimiter: char,
        header: bool,
        quote: Option<char>,
    },
    /// An Apache Parquet file; columns are selected by name.
    Parquet,
}

/// One declared column of a source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceColumn {
    pub name: String,
    /// A DuckDB type name such as `INTEGER`, `VARCHAR`, `DATE` or `DECIMAL(10,2)`.
    pub duckdb_type: String,
    /// A required column must not hold NULL (an empty CSV field is NULL).
    pub required: bool,
}

/// How a model is stored in the database.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Materialization {
    View,
    Table,
}

/// One model: a SELECT stored as a view or a table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModelNode {
    /// The node id, `schema.name` (for example `insights.dim_customers`).
    pub id: String,
    pub schema: String,
    pub name: String,
    pub materialization: Materialization,
    /// One SELECT in DuckDB SQL with every relation schema-qualified.
    pub sql: String,
    /// Ids of the models and sources of this plan the model reads; ids that are
    /// not part of the plan are ignored (they were built by an earlier run).
    pub depends_on: Vec<String>,
}
