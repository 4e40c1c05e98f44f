//! The façade of the compiler: one database, changes applied to it, and
//! plain-data answers for `check`, `build`, `compile`, watch mode and the IDE.
//!
//! Callers never see salsa types. Files enter as `(path, text)` through
//! [`Change`]; results come back as [`Diagnostic`]s, [`BuildPlan`]s and SQL text.

mod actions;
mod adhoc;
mod contracts;
mod db;
mod host;
mod ide;
mod plan;
mod rename;
mod select;
mod warm;

pub use actions::{CodeAction, FileEdit};
pub use adhoc::{ADHOC_FILE, adhoc_query_sql};
pub use contracts::{
    ExternalDependency, ProductColumnUse, WorkspaceContract, parse_external_contract,
};
pub use db::MeshDatabase;
pub use host::{AnalysisHost, Change, ModelSummary, TrinoConnection};
pub use ide::{CompletionItem, CompletionKind, FileRange, HoverInfo, SymbolInfo, SymbolKind};
pub use mesh_diagnostics::{Code, Diagnostic, LineIndex, Severity, TextRange};
pub use mesh_emit::{Target, duckdb_type_name};
pub use mesh_sema::FUNCTION_NAMES;
pub use mesh_sema::{
    ContractChange, Impact, check_bump, diff_contracts, external_contract_path, required_bump,
};
pub use mesh_syntax::{Contract, LockEntry, LockFile, LockSource, content_hash};
pub use mesh_syntax::{CsvOptions, Materialization, SourceFormat, SqlType, parse_sources};
pub use mesh_syntax::{MAX_TREE_DEPTH, MAX_YAML_DEPTH, PARSER_RECURSION_LIMIT, STACK_BYTES};
pub use mesh_syntax::{RuleSeverity, Threshold, Unit};
pub use plan::{
    BuildPlan, CHECKED_RELATION, FAILING_ROWS, PlanError, PlannedCheck, PlannedColumn,
    PlannedIncremental, PlannedModel, PlannedSource,
};
pub use rename::RenameEdit;
pub use select::{Selector, parse_selector};
pub use warm::WarmStartOutcome;
