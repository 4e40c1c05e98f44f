//! The lock: which products the workspace consumes, at which version and
//! content, compared with `mesh.lock`.

use std::collections::{BTreeMap, BTreeSet};

use mesh_diagnostics::{Code, Diagnostic, TextRange};
use mesh_syntax::{LockEntry, LockFile, LockSource, content_hash, parse_lock};

use crate::db::{Db, DomainId, ModelId, SourceFile};
use crate::index::{domain_scope, file_index, member_domains, parse_contract_file};
use crate::lower::RelationTarget;
use crate::references::model_references;

/// Products read across domains: `domain.product` -> consuming member domains.
#[salsa::tracked(returns(ref))]
pub fn consumed_products(db: &dyn Db) -> BTreeMap<String, BTreeSet<String>> {
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for domain_name in member_domains(db) {
        let domain = DomainId::new(db, domain_name.clone());
        for (name, _) in domain_scope(db, domain).models.values() {
            let model = ModelId::new(db, domain, name.clone());
            for target in model_references(db, model).iter() {
                if let RelationTarget::Model { domain, name } = target
                    && domain != domain_name
                {
                    out.entry(format!("{domain}.{name}"))
                        .or_default()
                        .insert(domain_name.clone());
                }
            }
        }
    }
    out
}

/// The contract file of `domain.product` and what it parses to.
fn consumed_contract<'db>(
    db: &'db dyn Db,
    product: &str,
) -> Option<(
    SourceFile,
    &'db crate::index::Parsed<mesh_syntax::Contract>,
    bool,
)> {
    let (domain, name) = product.split_once('.')?;
    let scope = domain_scope(db, DomainId::new(db, domain.to_string()));
    let file = *scope.contracts.get(&name.to_ascii_lowercase())?;
    Some((file, parse_contract_file(db, file), scope.external))
}

/// The lock the workspace needs now: every consumed product whose contract is
/// known, parses and has a version, with the version and hash of that
/// contract. A contract that does not is in [`lock_blockers`] instead.
#[salsa::tracked(returns(ref))]
pub fn required_lock(db: &dyn Db) -> LockFile {
    let mut entries = Vec::new();
    for (product, consumers) in consumed_products(db) {
        let Some((file, (Some(contract), _), external)) = consumed_contract(db, product) else {
            continue;
        };
        let Some(version) = &contract.version else {
            continue;
        };
        entries.push(LockEntry {
            product: product.clone(),
            version: version.value.clone(),
            hash: content_hash(file.text(db)),
            source: if external {
                LockSource::Registry
            } else {
                LockSource::Workspace
            },
            consumers: consumers.iter().cloned().collect(),
            range: TextRange::empty(0),
        });
    }
    LockFile { entries }
}

/// Why consumed products cannot be locked: the errors of contracts that do
/// not parse (`check` reports them with their domain) and contracts without
/// `version` (reported by [`lock_diagnostics`]). `meshc lock` refuses to write
/// a lock while there are any.
#[salsa::tracked(returns(ref))]
pub fn lock_blockers(db: &dyn Db) -> (Vec<Diagnostic>, Vec<Diagnostic>) {
    let (mut unparsed, mut unversioned) = (Vec::new(), Vec::new());
    for product in consumed_products(db).keys() {
        let Some((file, (contract, diagnostics), _)) = consumed_contract(db, product) else {
            continue;
        };
        match contract {
            None => unparsed.extend(diagnostics.iter().filter(|d| d.is_error()).cloned()),
            Some(contract) if contract.version.is_none() => unversioned.push(
                Diagnostic::new(
                    Code::InvalidConfig,
                    file.path(db).clone(),
                    contract.range,
                    format!("the contract of {product} has no `version`, so mesh.lock cannot pin it"),
                )
                .with_help("add `version: 1.0.0` (the product's semver version) at the top of the contract"),
            ),
            Some(_) => {}
        }
    }
    (unparsed, unversioned)
}

/// `mesh.lock` as written, if it exists and parses.
#[salsa::tracked(returns(ref))]
pub fn workspace_lock(db: &dyn Db) -> (Option<LockFile>, Vec<Diagnostic>) {
    match file_index(db).lock {
        Some(file) if crate::index::is_unreadable(db, file) => (None, Vec::new()),
        Some(file) => parse_lock(file.path(db), file.text(db)),
        None => (None, Vec::new()),
    }
}

/// MESH2014/2015: the lock is missing, incomplete or out of date.
#[salsa::tracked(returns(ref))]
pub fn lock_diagnostics(db: &dyn Db) -> Vec<Diagnostic> {
    let required = required_lock(db);
    let (written, mut out) = workspace_lock(db).clone();
    // A contract that does not parse is reported with its domain, one
    // without a version here; neither gets a lock error on top.
    out.extend(lock_blockers(db).1.iter().cloned());
    if required.entries.is_empty() {
        return out;
    }
    let Some(written) = written else {
        if file_index(db).lock.is_none() {
            // A few names say what is consumed; a large mesh's thousand
            // would bury the fix.
            const SHOWN: usize = 5;
            let mut products: Vec<String> = required
                .entries
                .iter()
                .take(SHOWN)
                .map(|e| e.product.clone())
                .collect();
            if required.entries.len() > SHOWN {
                products.push(format!(
                    "and {} more products",
                    required.entries.len() - SHOWN
                ));
            }
            out.push(
                Diagnostic::new(
                    Code::LockMissing,
                    "mesh.yaml".into(),
                    TextRange::empty(0),
                    format!(
                        "the workspace has no mesh.lock, but its domains consume {}",
                        products.join(", ")
                    ),
                )
                .with_help("run `meshc lock` and commit mesh.lock"),
            );
        }
        return out;
    };
    let lock_path = file_index(db)
        .lock
        .map(|f| f.path(db).clone())
        .unwrap_or_else(|| "mesh.lock".into());
    for entry in &required.entries {
        match written.get(&entry.product) {
            None => out.push(
                Diagnostic::new(
                    Code::LockMissing,
                    lock_path.clone(),
                    TextRange::empty(0),
                    format!(
                        "mesh.lock does not record {}, which {} now read{}",
                        entry.product,
                        entry.consumers.join(", "),
                        if entry.consumers.len() == 1 { "s" } else { "" }
                    ),
                )
                .with_help("run `meshc lock` to add it"),
            ),
            Some(locked) if locked.version != entry.version || locked.hash != entry.hash => {
                let what = if locked.version != entry.version {
                    format!(
                        "version {} is locked, the contract is {}",
                        locked.version, entry.version
                    )
                } else {
                    format!(
                        "the contract changed since it was locked at {} (content hash differs)",
                        locked.version
                    )
                };
                let help = match entry.source {
                    LockSource::Workspace => {
                        "run `meshc lock` to accept the workspace's contract (and `meshc diff` to see what changed)".to_string()
                    }
                    LockSource::Registry => format!(
                        "run `meshc update {}` to move to the registry's version",
                        entry.product.split('.').next().unwrap_or_default()
                    ),
                };
                out.push(
                    Diagnostic::new(
                        Code::LockStale,
                        lock_path.clone(),
                        locked.range,
                        format!("mesh.lock is stale for {}: {what}", entry.product),
                    )
                    .with_help(help),
                );
            }
            Some(_) => {}
        }
    }
    out
}
