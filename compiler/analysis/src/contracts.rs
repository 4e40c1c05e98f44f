//! Contracts as data for the mesh commands: the workspace's published
//! contracts, what its domains consume (and where), and the lock.

use mesh_diagnostics::Diagnostic;
use mesh_sema::{
    DomainId, ModelId, analyze_model, consumed_products, domain_scope, external_domains,
    lock_blockers, lock_diagnostics, member_domains, mesh_config, parse_contract_file,
    required_lock, workspace_lock,
};
use mesh_syntax::{Contract, LockFile, parse_contract};

use crate::host::AnalysisHost;

/// One contract of a member domain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorkspaceContract {
    pub domain: String,
    pub product: String,
    /// Workspace-relative path of the contract file.
    pub path: String,
    pub text: String,
    /// `None` when it does not parse (the check reports why).
    pub contract: Option<Contract>,
}

/// A column of a product that a model reads.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct ProductColumnUse {
    /// `domain.product`.
    pub product: String,
    pub column: String,
    pub consumer: String,
    /// The model file, workspace-relative, and the 1-based line.
    pub file: String,
    pub line: u32,
}

/// A dependency of a member domain on a domain that is not in the workspace.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExternalDependency {
    pub consumer: String,
    pub domain: String,
    pub requirement: semver::VersionReq,
}

impl AnalysisHost {
    /// `registry:` of mesh.yaml, as written.
    pub fn registry_setting(&self) -> Option<String> {
        mesh_config(&self.db).and_then(|c| c.registry.clone())
    }

    /// The contracts of member domains, sorted by domain and product.
    pub fn contracts(&self) -> Vec<WorkspaceContract> {
        let db = &self.db;
        let mut out = Vec::new();
        for domain_name in member_domains(db) {
            let scope = domain_scope(db, DomainId::new(db, domain_name.clone()));
            for (product, file) in &scope.contracts {
                let product = scope
                    .models
                    .get(product)
                    .map(|(name, _)| name.clone())
                    .unwrap_or_else(|| product.clone());
                out.push(WorkspaceContract {
                    domain: domain_name.clone(),
                    product,
                    path: file.path(db).to_string(),
                    text: file.text(db).clone(),
                    contract: parse_contract_file(db, *file).0.clone(),
                });
            }
        }
        out
    }

    /// Every column of another domain's product that a member model reads.
    pub fn product_uses(&self) -> Vec<ProductColumnUse> {
        let db = &self.db;
        let mut out = Vec::new();
        for domain_name in member_domains(db) {
            let domain = DomainId::new(db, domain_name.clone());
            for (name, file) in domain_scope(db, domain).models.values() {
                let analysis = analyze_model(db, ModelId::new(db, domain, name.clone()));
                let text = file.text(db);
                for used in &analysis.product_uses {
                    let line = text
                        .get(..used.range.start as usize)
                        .map(|before| before.matches('\n').count() as u32 + 1)
                        .unwrap_or(1);
                    out.push(ProductColumnUse {
                        product: used.product.clone(),
                        column: used.column.clone(),
                        consumer: domain_name.clone(),
                        file: file.path(db).to_string(),
                        line,
                    });
                }
            }
        }
        out.sort();
        out.dedup();
        out
    }

    /// Products read across domains: `domain.product` -> consuming domains.
    pub fn consumed_products(&self) -> Vec<(String, Vec<String>)> {
        consumed_products(&self.db)
            .iter()
            .map(|(p, c)| (p.clone(), c.iter().cloned().collect()))
            .collect()
    }

    /// The lock the workspace needs for what it reads now.
    pub fn required_lock(&self) -> LockFile {
        required_lock(&self.db).clone()
    }

    /// Why `meshc lock` cannot write the lock: the errors of consumed
    /// products' contracts that do not parse or have no version.
    pub fn lock_blockers(&self) -> Vec<Diagnostic> {
        let (unparsed, unversioned) = lock_blockers(&self.db);
        unparsed.iter().chain(unversioned).cloned().collect()
    }

    /// MESH2014/2015 alone (the part of `check` about mesh.lock): the lock is
    /// missing, incomplete or out of date, without checking any model.
    pub fn lock_diagnostics(&self) -> Vec<Diagnostic> {
        lock_diagnostics(&self.db).clone()
    }

    /// mesh.lock as loaded (`None` when missing or unreadable).
    pub fn written_lock(&self) -> Option<LockFile> {
        workspace_lock(&self.db).0.clone()
    }

    /// Dependencies on domains outside the workspace (resolved from the registry).
    pub fn external_dependencies(&self) -> Vec<ExternalDependency> {
        let db = &self.db;
        let members = member_domains(db);
        let mut out = Vec::new();
        for consumer in members {
            let scope = domain_scope(db, DomainId::new(db, consumer.clone()));
            for (domain, requirement) in &scope.dependencies {
                if !members.contains(domain) {
                    out.push(ExternalDependency {
                        consumer: consumer.clone(),
                        domain: domain.clone(),
                        requirement: requirement.value.clone(),
                    });
                }
            }
        }
        out
    }

    /// Domains known only from registry contracts loaded into the host.
    pub fn external_domains(&self) -> Vec<String> {
        external_domains(&self.db).clone()
    }
}

/// Parses a contract that is not part of the workspace (a registry version or
/// a git revision), for `meshc diff` and `meshc publish`.
pub fn parse_external_contract(path: &str, text: &str) -> Option<Contract> {
    parse_contract(&std::sync::Arc::from(path), text).0
}
