//! Editor questions about a position in a model: what a name is (hover) and
//! where it is defined. Answers are plain data in file paths and byte
//! ranges; the language server turns them into LSP positions.
//!
//! A relation name resolves the way inference resolves it: `domain.product`
//! of another domain through that domain's contract (the consumer sees what
//! the contract promises, not the producer's SQL), a bare name or the own
//! domain's `domain.name` to a model or source of the domain.

use std::fmt::Write as _;

use mesh_diagnostics::TextRange;
use mesh_sema::{
    Db, DomainId, ModelId, analyze_model, domain_scope, external_domains, member_domains,
    parse_contract_file,
};
use mesh_syntax::{Contract, DottedName, dotted_name_at};

use crate::host::AnalysisHost;

/// Markdown about the name at a position, and the name's range.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HoverInfo {
    pub range: TextRange,
    pub markdown: String,
}

/// A place in a workspace file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileRange {
    /// Workspace-relative path.
    pub path: String,
    pub range: TextRange,
}

/// What a relation name in a model resolved to.
enum Resolved<'db> {
    /// A product of another domain, seen through its contract.
    Product {
        domain: String,
        name: String,
        contract: mesh_sema::SourceFile,
    },
    /// A model of the model's own domain.
    Model { model: ModelId<'db>, path: String },
    /// A source of the model's own domain.
    Source { domain: String, key: String },
}

impl AnalysisHost {
    /// Hover text for the relation name at `offset` of model file `path`.
    pub fn hover(&self, path: &str, offset: u32) -> Option<HoverInfo> {
        let db = &self.db;
        let (name, resolved) = self.resolve_at(path, offset)?;
        let markdown = match resolved {
            Resolved::Product {
                domain,
                name,
                contract,
            } => {
                let contract = parse_contract_file(db, contract).0.as_ref()?;
                product_markdown(&domain, &name, contract)
            }
            Resolved::Model { model, .. } => model_markdown(db, model),
            Resolved::Source { domain, key } => {
                let scope = domain_scope(db, DomainId::new(db, domain.clone()));
                let source = scope.sources.get(&key)?;
                let mut out = format!(
                    "**{domain}.{}** — source of domain `{domain}`, read from `{}`\n",
                    source.decl.name.value, source.decl.path.value
                );
                if let Some(description) = &source.decl.description {
                    let _ = writeln!(out, "\n{description}");
                }
                out.push_str("\n| column | type | required |\n| --- | --- | --- |\n");
                for column in &source.decl.columns {
                    let _ = writeln!(
                        out,
                        "| {} | {} | {} |",
                        column.name.value,
                        column.ty.value,
                        if column.required { "yes" } else { "no" }
                    );
                }
                out
            }
        };
        Some(HoverInfo {
            range: name.range(),
            markdown,
        })
    }

    /// Where the relation name at `offset` of model file `path` is defined:
    /// a product's contract, a model's file, a source's entry in sources.yaml.
    pub fn definition(&self, path: &str, offset: u32) -> Option<FileRange> {
        let db = &self.db;
        let (_, resolved) = self.resolve_at(path, offset)?;
        match resolved {
            Resolved::Product { contract, .. } => {
                let range = parse_contract_file(db, contract)
                    .0
                    .as_ref()
                    .and_then(|c| c.schema_name.as_ref().map(|n| n.range))
                    .unwrap_or(TextRange::empty(0));
                Some(FileRange {
                    path: contract.path(db).to_string(),
                    range,
                })
            }
            Resolved::Model { path, .. } => Some(FileRange {
                path,
                range: TextRange::empty(0),
            }),
            Resolved::Source { domain, key } => {
                let scope = domain_scope(db, DomainId::new(db, domain.clone()));
                let source = scope.sources.get(&key)?;
                Some(FileRange {
                    path: format!("{domain}/sources.yaml"),
                    range: source.decl.name.range,
                })
            }
        }
    }

    /// The relation named at `offset` of model file `path`.
    fn resolve_at(&self, path: &str, offset: u32) -> Option<(DottedName, Resolved<'_>)> {
        let db = &self.db;
        let (own, rest) = path.split_once('/')?;
        rest.strip_prefix("models/")?.strip_suffix(".sql")?;
        let text = self.file_text(path)?;
        let name = dotted_name_at(text, offset)?;
        let resolved = match name.parts.as_slice() {
            [single] => local(db, own, single)?,
            [domain, product] if domain.eq_ignore_ascii_case(own) => local(db, own, product)?,
            [domain, product] => {
                let domain = known_domain(db, domain)?;
                let scope = domain_scope(db, DomainId::new(db, domain.clone()));
                let key = product.to_ascii_lowercase();
                let contract = *scope.contracts.get(&key)?;
                let name = scope
                    .models
                    .get(&key)
                    .map(|(n, _)| n.clone())
                    .unwrap_or_else(|| product.clone());
                Resolved::Product {
                    domain,
                    name,
                    contract,
                }
            }
            _ => return None,
        };
        Some((name, resolved))
    }
}

/// A domain of the workspace or of mesh.lock, as spelled there.
fn known_domain(db: &dyn Db, name: &str) -> Option<String> {
    member_domains(db)
        .iter()
        .chain(external_domains(db).iter())
        .find(|d| d.eq_ignore_ascii_case(name))
        .cloned()
}

/// A model or source of domain `own` named `name`.
fn local<'db>(db: &'db dyn Db, own: &str, name: &str) -> Option<Resolved<'db>> {
    let domain = DomainId::new(db, own.to_string());
    let scope = domain_scope(db, domain);
    let key = name.to_ascii_lowercase();
    if let Some((model, file)) = scope.models.get(&key) {
        return Some(Resolved::Model {
            model: ModelId::new(db, domain, model.clone()),
            path: file.path(db).to_string(),
        });
    }
    scope.sources.contains_key(&key).then(|| Resolved::Source {
        domain: own.to_string(),
        key,
    })
}

/// A product as its consumers see it: the contract's version, owner,
/// purpose and columns.
fn product_markdown(domain: &str, name: &str, contract: &Contract) -> String {
    let mut out = format!("**{domain}.{name}** — data product of domain `{domain}`");
    if let Some(version) = &contract.version {
        let _ = write!(out, ", version {}", version.value);
    }
    out.push('\n');
    if let Some(owner) = &contract.owner {
        let _ = writeln!(out, "\nowner: {owner}");
    }
    if let Some(purpose) = &contract.purpose {
        let _ = writeln!(out, "\n{purpose}");
    }
    out.push_str("\n| column | type | required | description |\n| --- | --- | --- | --- |\n");
    for column in &contract.columns {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            column.name.value,
            column
                .ty
                .as_ref()
                .map_or_else(|| "?".to_string(), |t| t.value.to_string()),
            if column.required { "yes" } else { "no" },
            column
                .description
                .as_deref()
                .unwrap_or("")
                .replace('\n', " ")
        );
    }
    let _ = write!(
        out,
        "\nThe contract is what this domain can read: columns the producer's SQL outputs beyond it do not exist here."
    );
    out
}

/// A model of the own domain: its inferred columns.
fn model_markdown(db: &dyn Db, model: ModelId<'_>) -> String {
    let domain = model.domain(db).name(db).clone();
    let name = model.name(db).clone();
    let scope = domain_scope(db, model.domain(db));
    let published = scope.contracts.contains_key(&name.to_ascii_lowercase());
    let mut out = format!(
        "**{domain}.{name}** — {} model of domain `{domain}`\n",
        if published { "published" } else { "private" }
    );
    if let Some(description) = scope
        .config
        .as_ref()
        .and_then(|c| c.models.get(&name.to_ascii_lowercase()))
        .and_then(|(_, m)| m.description.clone())
    {
        let _ = writeln!(out, "\n{description}");
    }
    match &analyze_model(db, model).relation {
        Some(relation) => {
            out.push_str("\n| column | type | nullable |\n| --- | --- | --- |\n");
            for column in &relation.columns {
                let _ = writeln!(
                    out,
                    "| {} | {} | {} |",
                    column.name,
                    column.ty,
                    if column.nullable { "yes" } else { "no" }
                );
            }
        }
        None => out.push_str("\nIts columns are unknown until it parses.\n"),
    }
    out
}
