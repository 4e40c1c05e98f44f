//! The output of a run: one result per node, and the events reported while it runs.
//!
//! Results serialize to JSON (for `meshc run --json` and run artifacts); the
//! [`Diagnostic`] of a failed node is kept for renderers but not serialized.

use mesh_diagnostics::Diagnostic;
use serde::Serialize;

use crate::plan::CheckSeverity;
use crate::query::QueryResult;

/// Whether a node loads a source file or builds a model.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum NodeKind {
    Source,
    Model,
}

/// How a node ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum NodeStatus {
    Success,
    Error,
    /// Built, but an error-level check failed: the previous version was kept
    /// (or, when invalid models are allowed, the new one was swapped in anyway).
    Invalid,
    /// Not run because a node it depends on failed, was skipped or is invalid.
    Skipped,
}

/// The outcome of one source load or model build.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NodeResult {
    pub id: String,
    pub kind: NodeKind,
    pub status: NodeStatus,
    /// Rows loaded or stored; `None` for views and for nodes that did not succeed.
    pub rows: Option<u64>,
    /// For an incremental model merged into its existing table: the new rows
    /// the query returned (`rows` is then the table's size after the merge).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub merged_rows: Option<u64>,
    /// Wall-clock time spent on the node.
    pub seconds: f64,
    /// A one-line, human-readable reason when the status is not success.
    pub error: Option<String>,
    /// The checks of a model that was built, in plan order.
    pub checks: Vec<CheckResult>,
    /// The same reason as a diagnostic (MESH5001 to MESH5004).
    #[serde(skip)]
    pub diagnostic: Option<Diagnostic>,
}

/// The outcome of one quality check.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CheckResult {
    pub name: String,
    pub severity: CheckSeverity,
    /// The measured value; `None` when the query failed or returned NULL.
    pub value: Option<f64>,
    /// The bound with its unit, e.g. `<= 5%`.
    pub threshold: String,
    pub passed: bool,
    /// Why the check could not be computed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Failing rows, when asked for (`meshc test --show-failures`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failing_rows: Option<QueryResult>,
}

impl CheckResult {
    /// A failed error-level check: it makes the model INVALID.
    pub fn blocks(&self) -> bool {
        !self.passed && self.severity == CheckSeverity::Error
    }
}

impl NodeResult {
    pub(crate) fn success(id: &str, kind: NodeKind, rows: Option<u64>, seconds: f64) -> NodeResult {
        NodeResult {
            id: id.to_owned(),
            kind,
            status: NodeStatus::Success,
            rows,
            merged_rows: None,
            seconds,
            error: None,
            checks: Vec::new(),
            diagnostic: None,
        }
    }

    /// A failed or skipped node; the error text is the diagnostic's message.
    pub(crate) fn failed(
        id: &str,
        kind: NodeKind,
        status: NodeStatus,
        seconds: f64,
        diagnostic: Diagnostic,
    ) -> NodeResult {
        NodeResult {
            id: id.to_owned(),
            kind,
            status,
            rows: None,
            merged_rows: None,
            seconds,
            error: Some(diagnostic.message.clone()),
            checks: Vec::new(),
            diagnostic: Some(diagnostic),
        }
    }
}

/// All node results of one run, in plan order (sources first, then models).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RunResults {
    /// Wall-clock time of the whole run, including opening the database.
    pub elapsed_seconds: f64,
    pub results: Vec<NodeResult>,
    /// Why the database could not be opened (MESH5005 to MESH5007); then no
    /// node ran (each is skipped) and nothing changed.
    #[serde(skip)]
    pub database_error: Option<Diagnostic>,
}

impl RunResults {
    /// True when every node succeeded.
    pub fn success(&self) -> bool {
        self.results.iter().all(|r| r.status == NodeStatus::Success)
    }

    /// The result of the node with this id, if the plan had one.
    pub fn get(&self, id: &str) -> Option<&NodeResult> {
        self.results.iter().find(|r| r.id == id)
    }
}

/// Progress reported while a run is under way, from the worker threads.
#[derive(Clone, Copy, Debug)]
pub enum RunEvent<'a> {
    /// A node began to execute. Nodes that are skipped or fail before they
    /// start (a cycle, an unopenable database) report only `Finished`.
    Started { id: &'a str, kind: NodeKind },
    /// A node ended; reported exactly once for every node of the plan.
    Finished(&'a NodeResult),
}
