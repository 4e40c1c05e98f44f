//! The persistent cache's contents: what a `check` leaves for the next
//! process, as bytes (the CLI keeps them under `target/`; no IO here).
//!
//! Two parts, each with its own checksum:
//! 1. *exact*: a digest of every file and the diagnostics `check` returned
//!    for them. A process whose files have that digest answers from it
//!    without analyzing anything.
//! 2. *models*: each model's results and what they depended on
//!    (`mesh_sema::WarmModels`). After an edit, a model whose text,
//!    configuration and upstream signatures are unchanged takes its results
//!    from here instead of being parsed and inferred again.
//!
//! Layout: `MESHC-CACHE` magic, format version, the build id the caller
//! passes (a cache of another meshc build is never used), then per part its
//! length, SHA-256 and postcard encoding. Anything that does not match is
//! refused as a whole, never used in part.

use std::collections::HashMap;
use std::sync::Arc;

use mesh_diagnostics::{Code, Diagnostic, Label, Severity, TextRange};
use mesh_sema::{
    Column, Db, Dependency, DomainId, ModelAnalysis, ModelId, ProductUse, Relation, RelationTarget,
    WarmConfig, WarmDomain, WarmModel, WarmModels, WarmStart, domain_scope, domain_shape_digest,
    environment_digest, member_domains, warm_model,
};
use mesh_syntax::SqlType;
use serde::{Deserialize, Serialize};

use crate::AnalysisHost;

const MAGIC: &[u8] = b"MESHC-CACHE\n";
/// Bumped whenever the encoding below changes.
const FORMAT: u32 = 2;

/// What [`AnalysisHost::start_warm`] made of a cache.
#[derive(Debug)]
pub enum WarmStartOutcome {
    /// The files are exactly those the cache was written for: here are the
    /// diagnostics `check` would return.
    Unchanged(Vec<Diagnostic>),
    /// Something changed; the results of this many models are available to
    /// the `check` that follows.
    Partial { models: usize },
    /// Not a usable cache (another build or format, damaged, truncated): it
    /// is ignored and the check runs cold.
    Unusable(String),
}

#[derive(Serialize, Deserialize)]
struct Exact {
    fingerprint: [u8; 32],
    diagnostics: Vec<StoredDiagnostic>,
}

#[derive(Serialize, Deserialize)]
struct Models {
    environment: [u8; 32],
    models: Vec<StoredModel>,
    domains: Vec<StoredDomain>,
    domain_configs: Vec<StoredConfig>,
}

#[derive(Serialize, Deserialize)]
struct StoredConfig {
    path: String,
    text: [u8; 32],
    config: Option<mesh_syntax::DomainConfig>,
    diagnostics: Vec<StoredDiagnostic>,
}

#[derive(Serialize, Deserialize)]
struct StoredDomain {
    name: String,
    shape: [u8; 32],
    domain: Vec<StoredDiagnostic>,
    incremental: Vec<StoredDiagnostic>,
    rules: Vec<(String, Vec<StoredDiagnostic>)>,
}

#[derive(Serialize, Deserialize)]
struct StoredModel {
    domain: String,
    name: String,
    text: [u8; 32],
    references: Vec<StoredTarget>,
    relation: Option<Vec<StoredColumn>>,
    column_ranges: Vec<(u32, u32)>,
    dependencies: Vec<(StoredTarget, u32, u32)>,
    product_uses: Vec<(String, String, u32, u32)>,
    diagnostics: Vec<StoredDiagnostic>,
    upstream: Vec<(String, Option<Vec<StoredColumn>>)>,
}

#[derive(Serialize, Deserialize)]
struct StoredTarget {
    source: bool,
    domain: String,
    name: String,
}

#[derive(Serialize, Deserialize)]
struct StoredColumn {
    name: String,
    /// [`type_code`]: a tag, then precision and scale for DECIMAL.
    ty: (u8, u8, u8),
    nullable: bool,
}

#[derive(Serialize, Deserialize)]
struct StoredDiagnostic {
    code: String,
    error: bool,
    file: String,
    range: (u32, u32),
    message: String,
    help: Option<String>,
    labels: Vec<(String, u32, u32, String)>,
}

impl AnalysisHost {
    /// Reads a cache an earlier process wrote ([`AnalysisHost::warm_bytes`])
    /// for the same `build`. Call after the files are loaded and before the
    /// first query.
    pub fn start_warm(&mut self, bytes: &[u8], build: &str) -> WarmStartOutcome {
        let parts = match split(bytes, build) {
            Ok(parts) => parts,
            Err(reason) => return WarmStartOutcome::Unusable(reason),
        };
        let exact: Exact = match postcard::from_bytes(parts[0]) {
            Ok(exact) => exact,
            Err(e) => return WarmStartOutcome::Unusable(format!("exact part: {e}")),
        };
        if exact.fingerprint == self.fingerprint() {
            return match load_diagnostics(exact.diagnostics) {
                Some(diagnostics) => WarmStartOutcome::Unchanged(diagnostics),
                None => WarmStartOutcome::Unusable(UNKNOWN_CODE.into()),
            };
        }
        let stored: Models = match postcard::from_bytes(parts[1]) {
            Ok(models) => models,
            Err(e) => return WarmStartOutcome::Unusable(format!("models part: {e}")),
        };
        let Some(models) = load_models(stored) else {
            return WarmStartOutcome::Unusable(UNKNOWN_CODE.into());
        };
        let count = models.models.len();
        let warm = WarmStart::new(&self.db, Arc::new(models));
        self.db.set_warm_start(warm);
        WarmStartOutcome::Partial { models: count }
    }

    /// The cache for a later process: `diagnostics` (what `check` returned
    /// for the files as they are now) and every model's results.
    pub fn warm_bytes(&self, diagnostics: &[Diagnostic], build: &str) -> Vec<u8> {
        let db = &self.db;
        let exact = Exact {
            fingerprint: self.fingerprint(),
            diagnostics: diagnostics.iter().map(store_diagnostic).collect(),
        };
        // Each domain's part on its own database handle, on every core.
        let names = member_domains(db).clone();
        let queue = std::sync::Mutex::new(names.iter().collect::<Vec<_>>());
        let next = || queue.lock().ok().and_then(|mut q| q.pop());
        let collect = |db: &crate::MeshDatabase| {
            let mut out = Vec::new();
            while let Some(name) = next() {
                out.push(store_domain(db, name));
            }
            out
        };
        let threads = crate::host::worker_threads(self.model_count()).min(names.len());
        let mut parts: Vec<(Vec<StoredModel>, StoredDomain)> = if threads < 2 {
            collect(db)
        } else {
            std::thread::scope(|scope| {
                let handles: Vec<_> = (0..threads)
                    .map(|_| {
                        let db = self.db.clone();
                        let collect = &collect;
                        crate::host::analysis_thread(scope, move || collect(&db))
                    })
                    .collect();
                let mut all = Vec::new();
                for handle in handles {
                    all.extend(handle.and_then(|h| h.join().ok()).unwrap_or_default());
                }
                all.extend(collect(db));
                all
            })
        };
        parts.sort_by(|a, b| a.1.name.cmp(&b.1.name));
        let mut models = Vec::new();
        let mut domains = Vec::new();
        for (domain_models, domain) in parts {
            models.extend(domain_models);
            domains.push(domain);
        }
        let index = mesh_sema::file_index(db);
        let domain_configs = (index.directories.values())
            .filter_map(|files| files.domain_yaml)
            .map(|file| {
                let (config, diagnostics) = mesh_sema::parse_domain_file(db, file);
                StoredConfig {
                    path: file.path(db).to_string(),
                    text: mesh_sema::file_digest(db, file),
                    config: config.clone(),
                    diagnostics: diagnostics.iter().map(store_diagnostic).collect(),
                }
            })
            .collect();
        let models = Models {
            environment: environment_digest(db),
            models,
            domains,
            domain_configs,
        };
        let parts = [
            postcard::to_allocvec(&exact).unwrap_or_default(),
            postcard::to_allocvec(&models).unwrap_or_default(),
        ];
        let mut out = Vec::with_capacity(parts.iter().map(Vec::len).sum::<usize>() + 256);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&FORMAT.to_le_bytes());
        out.extend_from_slice(&(build.len() as u64).to_le_bytes());
        out.extend_from_slice(build.as_bytes());
        for part in &parts {
            out.extend_from_slice(&(part.len() as u64).to_le_bytes());
            out.extend_from_slice(&mesh_syntax::text_digest(part));
            out.extend_from_slice(part);
        }
        out
    }

    /// Digest of every loaded file (path and text) and of what loading
    /// reported: read straight from the inputs, without a query, so that an
    /// unchanged workspace costs one pass of SHA-256 over its text.
    fn fingerprint(&self) -> [u8; 32] {
        let db = &self.db;
        let mut digest = mesh_syntax::Digester::new();
        for (path, file) in &self.files {
            digest.piece(path);
            digest.piece(file.text(db));
        }
        for d in self.db.workspace().load_diagnostics(db) {
            digest.piece(format!("{d:?}"));
        }
        digest.finish()
    }
}

/// The two parts of a cache of `build`, checksums verified.
fn split<'a>(bytes: &'a [u8], build: &str) -> Result<[&'a [u8]; 2], String> {
    let mut rest = bytes
        .strip_prefix(MAGIC)
        .ok_or_else(|| "not a meshc cache".to_string())?;
    let mut take = |n: usize| -> Result<&'a [u8], String> {
        if rest.len() < n {
            return Err("truncated".to_string());
        }
        let (head, tail) = rest.split_at(n);
        rest = tail;
        Ok(head)
    };
    let number = |b: &[u8]| -> u64 {
        let mut word = [0u8; 8];
        word[..b.len()].copy_from_slice(b);
        u64::from_le_bytes(word)
    };
    let format = number(take(4)?);
    if format != u64::from(FORMAT) {
        return Err(format!("format {format}, this meshc reads {FORMAT}"));
    }
    let length = usize::try_from(number(take(8)?)).map_err(|_| "truncated".to_string())?;
    if take(length)? != build.as_bytes() {
        return Err("written by another meshc build".to_string());
    }
    let mut parts = [&bytes[..0]; 2];
    for part in &mut parts {
        let length = usize::try_from(number(take(8)?)).map_err(|_| "truncated".to_string())?;
        let digest = take(32)?;
        let body = take(length)?;
        if mesh_syntax::text_digest(body) != digest {
            return Err("damaged (checksum mismatch)".to_string());
        }
        *part = body;
    }
    Ok(parts)
}

fn store_model(domain: &str, name: &str, warm: WarmModel) -> StoredModel {
    let WarmModel {
        text,
        references,
        analysis,
        upstream,
    } = warm;
    StoredModel {
        domain: domain.to_string(),
        name: name.to_string(),
        text,
        references: references.iter().map(store_target).collect(),
        relation: analysis.relation.as_ref().map(store_relation),
        column_ranges: (analysis.column_ranges.iter())
            .map(|r| (r.start, r.end))
            .collect(),
        dependencies: (analysis.dependencies.iter())
            .map(|d| (store_target(&d.target), d.range.start, d.range.end))
            .collect(),
        product_uses: (analysis.product_uses.iter())
            .map(|u| {
                let range = u.range;
                (u.product.clone(), u.column.clone(), range.start, range.end)
            })
            .collect(),
        diagnostics: analysis.diagnostics.iter().map(store_diagnostic).collect(),
        upstream: (upstream.into_iter())
            .map(|(name, relation)| (name, relation.as_ref().map(store_relation)))
            .collect(),
    }
}

/// What a diagnostic of a cache names a code this build does not know.
const UNKNOWN_CODE: &str = "an unknown diagnostic code";

/// The per-model part as the analysis takes it; `None` for an unknown code.
fn load_models(stored: Models) -> Option<WarmModels> {
    let mut models = HashMap::with_capacity(stored.models.len());
    for model in stored.models {
        let key = (model.domain.clone(), model.name.clone());
        models.insert(key, load_model(model)?);
    }
    let mut domains = HashMap::with_capacity(stored.domains.len());
    for domain in stored.domains {
        let name = domain.name.clone();
        domains.insert(name, load_domain(domain)?);
    }
    let mut domain_configs = HashMap::with_capacity(stored.domain_configs.len());
    for config in stored.domain_configs {
        let warm = WarmConfig {
            text: config.text,
            config: config.config,
            diagnostics: load_diagnostics(config.diagnostics)?,
        };
        domain_configs.insert(config.path, warm);
    }
    Some(WarmModels {
        environment: stored.environment,
        models,
        domains,
        domain_configs,
    })
}

fn load_model(stored: StoredModel) -> Option<WarmModel> {
    let diagnostics = load_diagnostics(stored.diagnostics)?;
    Some(WarmModel {
        text: stored.text,
        references: stored.references.into_iter().map(load_target).collect(),
        analysis: ModelAnalysis {
            relation: stored.relation.map(load_relation),
            column_ranges: (stored.column_ranges.into_iter())
                .map(|(start, end)| TextRange::new(start, end))
                .collect(),
            dependencies: (stored.dependencies.into_iter())
                .map(|(target, start, end)| Dependency {
                    target: load_target(target),
                    range: TextRange::new(start, end),
                })
                .collect(),
            product_uses: (stored.product_uses.into_iter())
                .map(|(product, column, start, end)| ProductUse {
                    product,
                    column,
                    range: TextRange::new(start, end),
                })
                .collect(),
            diagnostics,
        },
        upstream: (stored.upstream.into_iter())
            .map(|(name, relation)| (name, relation.map(load_relation)))
            .collect(),
    })
}

/// The cache of one domain: its models and its whole-domain checks.
fn store_domain(db: &crate::MeshDatabase, domain_name: &str) -> (Vec<StoredModel>, StoredDomain) {
    let domain = DomainId::new(db, domain_name.to_string());
    let scope = domain_scope(db, domain);
    let mut models = Vec::new();
    for (name, _) in scope.models.values() {
        let model = ModelId::new(db, domain, name.clone());
        if let Some(warm) = warm_model(db, model) {
            models.push(store_model(domain_name, name, warm));
        }
    }
    let store = |ds: &[Diagnostic]| ds.iter().map(store_diagnostic).collect();
    let stored = StoredDomain {
        name: domain_name.to_string(),
        shape: domain_shape_digest(db, domain),
        domain: store(mesh_sema::domain_diagnostics(db, domain)),
        incremental: store(mesh_sema::incremental_diagnostics(db, domain)),
        rules: (scope.contracts.values())
            .map(|file| {
                let path = file.path(db).to_string();
                (path, store(crate::plan::rule_diagnostics(db, *file)))
            })
            .collect(),
    };
    (models, stored)
}

fn load_domain(stored: StoredDomain) -> Option<WarmDomain> {
    Some(WarmDomain {
        shape: stored.shape,
        domain: load_diagnostics(stored.domain)?,
        incremental: load_diagnostics(stored.incremental)?,
        rules: (stored.rules.into_iter())
            .map(|(path, ds)| Some((path, load_diagnostics(ds)?)))
            .collect::<Option<HashMap<_, _>>>()?,
    })
}

fn store_target(target: &RelationTarget) -> StoredTarget {
    let (source, domain, name) = match target {
        RelationTarget::Model { domain, name } => (false, domain, name),
        RelationTarget::Source { domain, name } => (true, domain, name),
    };
    StoredTarget {
        source,
        domain: domain.clone(),
        name: name.clone(),
    }
}

fn load_target(stored: StoredTarget) -> RelationTarget {
    let StoredTarget {
        source,
        domain,
        name,
    } = stored;
    if source {
        RelationTarget::Source { domain, name }
    } else {
        RelationTarget::Model { domain, name }
    }
}

fn store_relation(relation: &Relation) -> Vec<StoredColumn> {
    (relation.columns.iter())
        .map(|c| StoredColumn {
            name: c.name.clone(),
            ty: type_code(c.ty),
            nullable: c.nullable,
        })
        .collect()
}

fn load_relation(columns: Vec<StoredColumn>) -> Relation {
    Relation {
        columns: (columns.into_iter())
            .map(|c| Column {
                name: c.name,
                ty: code_type(c.ty),
                nullable: c.nullable,
            })
            .collect(),
    }
}

/// A type as three bytes: a tag, then precision and scale (DECIMAL only).
fn type_code(ty: SqlType) -> (u8, u8, u8) {
    match ty {
        SqlType::Boolean => (0, 0, 0),
        SqlType::SmallInt => (1, 0, 0),
        SqlType::Integer => (2, 0, 0),
        SqlType::BigInt => (3, 0, 0),
        SqlType::Decimal { precision, scale } => (4, precision, scale),
        SqlType::Real => (5, 0, 0),
        SqlType::Double => (6, 0, 0),
        SqlType::Varchar => (7, 0, 0),
        SqlType::Date => (8, 0, 0),
        SqlType::Time => (9, 0, 0),
        SqlType::Timestamp => (10, 0, 0),
        SqlType::Interval => (11, 0, 0),
        SqlType::Null => (12, 0, 0),
    }
}

fn code_type((tag, precision, scale): (u8, u8, u8)) -> SqlType {
    match tag {
        0 => SqlType::Boolean,
        1 => SqlType::SmallInt,
        2 => SqlType::Integer,
        3 => SqlType::BigInt,
        4 => SqlType::Decimal { precision, scale },
        5 => SqlType::Real,
        6 => SqlType::Double,
        7 => SqlType::Varchar,
        8 => SqlType::Date,
        9 => SqlType::Time,
        10 => SqlType::Timestamp,
        11 => SqlType::Interval,
        _ => SqlType::Null,
    }
}

fn store_diagnostic(d: &Diagnostic) -> StoredDiagnostic {
    StoredDiagnostic {
        code: d.code.as_str().to_string(),
        error: d.severity == Severity::Error,
        file: d.file.to_string(),
        range: (d.range.start, d.range.end),
        message: d.message.clone(),
        help: d.help.clone(),
        labels: (d.labels.iter())
            .map(|l| {
                let range = l.range;
                (
                    l.file.to_string(),
                    range.start,
                    range.end,
                    l.message.clone(),
                )
            })
            .collect(),
    }
}

/// `None` when one names a code this build does not know.
fn load_diagnostics(stored: Vec<StoredDiagnostic>) -> Option<Vec<Diagnostic>> {
    stored.into_iter().map(load_diagnostic).collect()
}

/// `None` for a code this build does not know.
fn load_diagnostic(stored: StoredDiagnostic) -> Option<Diagnostic> {
    static CODES: std::sync::OnceLock<HashMap<&'static str, Code>> = std::sync::OnceLock::new();
    let codes = CODES.get_or_init(|| Code::ALL.iter().map(|c| (c.as_str(), *c)).collect());
    let code = *codes.get(stored.code.as_str())?;
    Some(Diagnostic {
        code,
        severity: if stored.error {
            Severity::Error
        } else {
            Severity::Warning
        },
        file: stored.file.into(),
        range: TextRange::new(stored.range.0, stored.range.1),
        message: stored.message,
        help: stored.help,
        labels: (stored.labels.into_iter())
            .map(|(file, start, end, message)| Label {
                file: file.into(),
                range: TextRange::new(start, end),
                message,
            })
            .collect(),
    })
}
