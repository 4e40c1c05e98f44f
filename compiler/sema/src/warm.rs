//! A warm start: per-model results an earlier process computed (meshc keeps
//! them in a cache under `target/`), used instead of parsing and inferring a
//! model again while everything the result depends on is unchanged.
//!
//! A model's analysis depends on its SQL, on the workspace's configuration
//! and contracts (its domain's scope, sources, published products, its own
//! contract), on whether it is in a cycle, and on the signatures of the
//! models of its domain it reads. A cached result is used when:
//! - the digest of the model's text is the one it was computed from,
//! - the [`environment_digest`] (every file that is not model SQL, and the
//!   list of all files) is the one of the cache,
//! - the model is in no cycle now (models in cycles are never cached),
//! - and each model of its domain it read has the signature it had then.
//!
//! The checks are salsa queries like any other, so within a process an
//! edit invalidates a cached result exactly as it would a computed one. The
//! cache is an input set once, before the first query.

use std::collections::HashMap;

use mesh_diagnostics::Diagnostic;
use std::sync::Arc;

use crate::db::{Db, DomainId, ModelId, SourceFile};
use crate::graph::domain_cycles;
use crate::index::domain_scope;
use crate::lower::RelationTarget;
use crate::model::{ModelAnalysis, model_signature};
use crate::relation::Relation;

/// Results of an earlier process, by `(domain, model)` as the domain's scope
/// spells them.
#[derive(Debug, Default)]
pub struct WarmModels {
    /// [`environment_digest`] when the results were computed.
    pub environment: [u8; 32],
    pub models: HashMap<(String, String), WarmModel>,
    /// Per member domain, the diagnostics of its whole-domain checks.
    pub domains: HashMap<String, WarmDomain>,
    /// Parsed `domain.yaml` files by path (they list every model, so they
    /// are the largest configuration to parse again): valid while the
    /// file's text is unchanged.
    pub domain_configs: HashMap<String, WarmConfig>,
}

/// A parsed `domain.yaml` and the digest of the text it was parsed from.
#[derive(Debug, Clone)]
pub struct WarmConfig {
    pub text: [u8; 32],
    pub config: Option<mesh_syntax::DomainConfig>,
    pub diagnostics: Vec<Diagnostic>,
}

/// A domain's checks that read more than one model: valid while the
/// environment is unchanged and, for those that read models, while every
/// model of the domain keeps its signature ([`domain_shape_digest`]).
#[derive(Debug, Clone, Default)]
pub struct WarmDomain {
    pub shape: [u8; 32],
    /// `domain_diagnostics` (configuration, sources, contracts: the
    /// environment only).
    pub domain: Vec<Diagnostic>,
    /// `incremental_diagnostics` (configuration and signatures).
    pub incremental: Vec<Diagnostic>,
    /// The diagnostics of each contract's quality rules, by contract path
    /// (the rules are typed against the contract, sources and the models
    /// of the domain).
    pub rules: HashMap<String, Vec<Diagnostic>>,
}

/// What one model's queries returned, and what that depended on.
#[derive(Debug, Clone)]
pub struct WarmModel {
    /// Digest of the model's SQL text ([`mesh_syntax::text_digest`]).
    pub text: [u8; 32],
    pub references: Arc<[RelationTarget]>,
    pub analysis: ModelAnalysis,
    /// The models of its domain that the analysis read, with their signatures then.
    pub upstream: Vec<(String, Option<Relation>)>,
}

/// Digest of a file's exact text.
#[salsa::tracked(returns(copy))]
pub fn file_digest(db: &dyn Db, file: SourceFile) -> [u8; 32] {
    mesh_syntax::text_digest(file.text(db))
}

/// Digest of everything a model's results may depend on besides model SQL:
/// the path of every file, the text of every file that is not a model, and
/// what loading reported.
#[salsa::tracked(returns(copy))]
pub fn environment_digest(db: &dyn Db) -> [u8; 32] {
    let workspace = db.workspace();
    let mut digest = mesh_syntax::Digester::new();
    for &file in workspace.files(db) {
        let path = file.path(db);
        digest.piece(path.as_bytes());
        if !path.ends_with(".sql") {
            digest.piece(file.text(db));
        }
    }
    for d in workspace.load_diagnostics(db) {
        digest.piece(format!("{d:?}"));
    }
    digest.finish()
}

/// The cached entry of `model`, if its text and the environment are those
/// it was computed from.
fn entry<'db>(db: &'db dyn Db, model: ModelId<'db>) -> Option<&'db WarmModel> {
    let warm = db.warm_start()?.models(db);
    let domain = model.domain(db);
    let key = (domain.name(db).clone(), model.name(db).clone());
    let cached = warm.models.get(&key)?;
    let (_, file) = domain_scope(db, domain)
        .models
        .get(&model.name(db).to_ascii_lowercase())?;
    (file_digest(db, *file) == cached.text && environment_digest(db) == warm.environment)
        .then_some(cached)
}

/// The cached references of `model`, when still valid.
pub(crate) fn references<'db>(
    db: &'db dyn Db,
    model: ModelId<'db>,
) -> Option<Arc<[RelationTarget]>> {
    entry(db, model).map(|cached| cached.references.clone())
}

/// The cached analysis of `model`, when still valid.
pub(crate) fn analysis<'db>(db: &'db dyn Db, model: ModelId<'db>) -> Option<ModelAnalysis> {
    let cached = entry(db, model)?;
    if in_cycle(db, model) {
        return None;
    }
    let domain = model.domain(db);
    for (upstream, signature) in &cached.upstream {
        let upstream = ModelId::new(db, domain, upstream.clone());
        if model_signature(db, upstream) != signature {
            return None;
        }
    }
    Some(cached.analysis.clone())
}

/// Whether `model` takes part in a cycle of its domain (never cached).
fn in_cycle<'db>(db: &'db dyn Db, model: ModelId<'db>) -> bool {
    let name = model.name(db);
    (domain_cycles(db, model.domain(db)).iter())
        .any(|cycle| cycle.iter().any(|m| m.eq_ignore_ascii_case(name)))
}

/// What to keep of `model` for a later process: its results and what they
/// depended on. `None` for a model in a cycle, or one without a file.
pub fn warm_model<'db>(db: &'db dyn Db, model: ModelId<'db>) -> Option<WarmModel> {
    let domain = model.domain(db);
    let scope = domain_scope(db, domain);
    let (_, file) = scope.models.get(&model.name(db).to_ascii_lowercase())?;
    if in_cycle(db, model) {
        return None;
    }
    let analysis = crate::model::analyze_model(db, model).clone();
    let domain_name = domain.name(db);
    let mut upstream: Vec<(String, Option<Relation>)> = Vec::new();
    for dependency in &analysis.dependencies {
        if let RelationTarget::Model {
            domain: d,
            name: read,
        } = &dependency.target
            && d == domain_name
            && let Some((spelled, _)) = scope.models.get(&read.to_ascii_lowercase())
            && !upstream.iter().any(|(u, _)| u == spelled)
        {
            let signature = model_signature(db, ModelId::new(db, domain, spelled.clone()));
            upstream.push((spelled.clone(), signature.clone()));
        }
    }
    Some(WarmModel {
        text: file_digest(db, *file),
        references: crate::references::model_references(db, model).clone(),
        analysis,
        upstream,
    })
}

/// Digest of the signatures of every model of `domain`, by name, and of its cycles.
#[salsa::tracked(returns(copy))]
pub fn domain_shape_digest<'db>(db: &'db dyn Db, domain: DomainId<'db>) -> [u8; 32] {
    let mut text = String::new();
    for (name, _) in domain_scope(db, domain).models.values() {
        let signature = model_signature(db, ModelId::new(db, domain, name.clone()));
        text.push_str(&format!("{name}\0{signature:?}\0"));
    }
    // And its cycles: a quality rule of a product in a cycle reads the
    // product as opaque, and a cycle can form (through `IN (SELECT …)`)
    // without any model changing its columns.
    text.push_str(&format!("{:?}", domain_cycles(db, domain)));
    mesh_syntax::text_digest(&text)
}

/// The cached whole-domain results of `domain`, if the environment is the
/// cache's; `with_shape` also requires every model's signature unchanged.
fn domain_entry<'db>(
    db: &'db dyn Db,
    domain: &str,
    with_shape: Option<DomainId<'db>>,
) -> Option<&'db WarmDomain> {
    let warm = db.warm_start()?.models(db);
    let cached = warm.domains.get(domain)?;
    if environment_digest(db) != warm.environment {
        return None;
    }
    match with_shape {
        Some(id) if domain_shape_digest(db, id) != cached.shape => None,
        _ => Some(cached),
    }
}

/// Cached `domain_diagnostics`, when valid.
pub(crate) fn domain_diagnostics(db: &dyn Db, domain: DomainId<'_>) -> Option<Vec<Diagnostic>> {
    domain_entry(db, domain.name(db), None).map(|c| c.domain.clone())
}

/// Cached `incremental_diagnostics`, when valid.
pub(crate) fn incremental_diagnostics(
    db: &dyn Db,
    domain: DomainId<'_>,
) -> Option<Vec<Diagnostic>> {
    domain_entry(db, domain.name(db), Some(domain)).map(|c| c.incremental.clone())
}

/// Cached diagnostics of the quality rules of the contract `file`
/// (`<domain>/contracts/<product>.yaml`), when valid.
pub fn rule_diagnostics(db: &dyn Db, file: SourceFile) -> Option<Vec<Diagnostic>> {
    let path = file.path(db);
    let (domain, _) = path.split_once('/')?;
    let id = DomainId::new(db, domain.to_string());
    domain_entry(db, domain, Some(id))?
        .rules
        .get(&**path)
        .cloned()
}

/// The cached parse of the `domain.yaml` `file`, when its text is unchanged.
pub(crate) fn domain_config(
    db: &dyn Db,
    file: SourceFile,
) -> Option<(Option<mesh_syntax::DomainConfig>, Vec<Diagnostic>)> {
    let warm = db.warm_start()?.models(db);
    let cached = warm.domain_configs.get(&**file.path(db))?;
    // The environment too: an unreadable file is entered with no text, so
    // the same empty text, readable now, must be parsed again.
    (file_digest(db, file) == cached.text && environment_digest(db) == warm.environment)
        .then(|| (cached.config.clone(), cached.diagnostics.clone()))
}
