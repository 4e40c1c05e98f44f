//! Semantics of a mesh: the salsa database and every derived fact.
//!
//! Inputs ([`SourceFile`], [`Workspace`]) come from `mesh-workspace`; the
//! concrete database lives in `mesh-analysis`. Queries are fine-grained: one
//! parse per file, one analysis per model, and a position-free
//! [`model_signature`] per model so that consumers re-check only when a
//! producer's shape changes. Across domains, consumers read only the
//! producer's contract ([`published_product`]). This crate is internal: its
//! `pub` items exist for `mesh-emit` and `mesh-analysis`.

mod check;
mod contract_check;
mod contract_diff;
mod db;
mod functions;
mod graph;
mod index;
mod infer;
mod lock;
mod lower;
mod model;
mod references;
mod relation;
mod types;
mod warm;

pub use check::{
    cycle_diagnostics, domain_diagnostics, incremental_diagnostics, workspace_diagnostics,
};
pub use contract_diff::{ContractChange, Impact, check_bump, diff_contracts, required_bump};
pub use db::{Db, DomainId, ModelId, SourceFile, WarmStart, Workspace};
pub use functions::FUNCTION_NAMES;
pub use graph::{MeshGraph, NodeId, domain_readers, mesh_graph};
pub use index::{
    DomainFiles, DomainScope, FileIndex, PublishedProduct, SourceInfo, domain_scope,
    external_contract_path, external_domains, file_index, member_domains, mesh_config,
    parse_contract_file, parse_domain_file, parse_model_file, published_product,
};
pub use infer::{Dependency, Inferred, ProductUse, infer_model, infer_rule};
pub use lock::{consumed_products, lock_blockers, lock_diagnostics, required_lock, workspace_lock};
pub use lower::{Lowering, NoLowering, RelationTarget};
pub use model::{ModelAnalysis, analyze_model, model_signature};
pub use references::model_references;
pub use relation::{Column, Relation};
pub use types::Typed;
pub use warm::{
    WarmConfig, WarmDomain, WarmModel, WarmModels, domain_shape_digest, environment_digest,
    file_digest, rule_diagnostics as warm_rule_diagnostics, warm_model,
};
