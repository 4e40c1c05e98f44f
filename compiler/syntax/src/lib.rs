//! The syntax layer of meshc: model SQL and workspace YAML into typed trees.
//!
//! Every parser returns its result together with diagnostics and never fails
//! or panics: bad input produces `(None or partial value, diagnostics)`.
//! This crate knows nothing about salsa, files on disk, or other domains.

mod config;
mod contract;
mod cursor;
mod depth;
mod lock;
mod names;
mod quality;
mod rule_sql;
mod sql;
mod types;
mod yaml;

pub use config::{
    CsvOptions, DomainConfig, IncrementalSettings, Materialization, MeshConfig, ModelSettings,
    SourceColumn, SourceDecl, SourceFormat, SourcesFile, TrinoLocation, TrinoTarget,
    parse_domain_config, parse_mesh_config, parse_sources,
};
pub use contract::{Contract, ContractColumn, parse_contract};
pub use cursor::{DottedName, dotted_name_at};
pub use depth::{MAX_TREE_DEPTH, PARSER_RECURSION_LIMIT, STACK_BYTES, with_stack};
pub use lock::{Digester, LockEntry, LockFile, LockSource, content_hash, parse_lock, text_digest};
pub use names::{MAX_NAME_LEN, NameKind, RESERVED_DOMAINS, name_problem};
pub use quality::{Freshness, Metric, QualityRule, RuleSeverity, Threshold, Unit};
pub use rule_sql::{EmbeddedSql, ParsedRule, Placeholders, parse_rule_query};
pub use sql::{MAX_QUERY_BYTES, ParsedModel, parse_adhoc_query, parse_model, sql_span_to_range};
pub use types::SqlType;
pub use yaml::{MAX_YAML_DEPTH, Spanned};

/// Re-exported so that later layers name the same AST types.
pub use sqlparser::ast;
