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
    /// Rebuild incremental models from scratch instead of merging.
    pub full_refresh: bool,
    /// When false (the default), a model whose error-level check fails is
    /// INVALID: its previous version is kept and its dependents are skipped.
    /// When true, it is still swapped in (and still reported INVALID) and its
    /// dependents run.
    pub allow_invalid: bool,
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
    /// The declared columns: matched by name to the header of a CSV file
    /// that has one, in file order for one without.
    pub columns: Vec<SourceColumn>,
    /// The directory the file must resolve inside, symbolic links followed
    /// (the workspace root); `None` for a source declared `external`.
    pub root: Option<PathBuf>,
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
    /// Quality checks run on the new version before it replaces the old one.
    pub checks: Vec<Check>,
    /// For a table: merge the query's new rows into the existing table
    /// instead of rebuilding it (built in full when there is none yet, or
    /// with the plan's `full_refresh`).
    pub incremental: Option<Incremental>,
}

/// How an incremental table takes in new rows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Incremental {
    /// Columns identifying a row: a new row replaces the existing rows with
    /// the same key (NULL keys match NULL keys).
    pub unique_key: Vec<String>,
    /// Only rows whose value here is above its maximum in the existing table
    /// are new; without it, every row of the query is merged.
    pub updated_at: Option<String>,
    /// The model's output columns in order: the existing table must have
    /// exactly these, or the run fails and asks for a full refresh.
    pub columns: Vec<String>,
}

/// In the SQL of a [`Check`], stands for the relation under check: the new
/// version during a run, the current one in [`crate::test`].
pub const CHECKED_RELATION: &str = "{relation}";

/// One quality rule of a model's contract, compiled to SQL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Check {
    pub name: String,
    pub severity: CheckSeverity,
    /// The bound the value must respect.
    pub threshold: Threshold,
    /// What the value counts, for messages.
    pub unit: CheckUnit,
    /// Returns one row whose first column is the value (a number); reads
    /// the model as [`CHECKED_RELATION`].
    pub sql: String,
    /// Returns the rows that fail the rule, if single rows can fail it.
    pub failing_rows_sql: Option<String>,
}

/// How bad a failed check is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CheckSeverity {
    /// A failure makes the model INVALID.
    Error,
    /// A failure is reported only.
    Warning,
}

/// What a check's value counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CheckUnit {
    Rows,
    Percent,
    Seconds,
}

/// The bound a check's value must respect (bounds of ranges included).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Threshold {
    Eq(f64),
    NotEq(f64),
    Gt(f64),
    Ge(f64),
    Lt(f64),
    Le(f64),
    Between(f64, f64),
    NotBetween(f64, f64),
}

/// Bounds come from contracts as finite numbers, so equality is total.
impl Eq for Threshold {}

impl Threshold {
    pub fn holds(self, value: f64) -> bool {
        match self {
            Threshold::Eq(x) => value == x,
            Threshold::NotEq(x) => value != x,
            Threshold::Gt(x) => value > x,
            Threshold::Ge(x) => value >= x,
            Threshold::Lt(x) => value < x,
            Threshold::Le(x) => value <= x,
            Threshold::Between(lo, hi) => lo <= value && value <= hi,
            Threshold::NotBetween(lo, hi) => value < lo || value > hi,
        }
    }

    /// The bound with its unit: `= 0 rows`, `<= 5%`, `between 50 and 100 rows`.
    pub fn text(self, unit: CheckUnit) -> String {
        let suffix = match unit {
            CheckUnit::Rows => " rows",
            CheckUnit::Percent => "%",
            CheckUnit::Seconds => "s",
        };
        match self {
            Threshold::Eq(x) => format!("= {x}{suffix}"),
            Threshold::NotEq(x) => format!("<> {x}{suffix}"),
            Threshold::Gt(x) => format!("> {x}{suffix}"),
            Threshold::Ge(x) => format!(">= {x}{suffix}"),
            Threshold::Lt(x) => format!("< {x}{suffix}"),
            Threshold::Le(x) => format!("<= {x}{suffix}"),
            Threshold::Between(a, b) => format!("between {a} and {b}{suffix}"),
            Threshold::NotBetween(a, b) => format!("not between {a} and {b}{suffix}"),
        }
    }
}
