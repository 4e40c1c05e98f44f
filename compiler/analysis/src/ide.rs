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
    /// Hover text for the name at `offset` of model file `path`: a column
    /// read from another domain's product (its contract entry), or a
    /// relation name.
    pub fn hover(&self, path: &str, offset: u32) -> Option<HoverInfo> {
        let db = &self.db;
        if let Some(found) = self.product_column_at(path, offset) {
            return Some(HoverInfo {
                range: found.range,
                markdown: column_markdown(&found),
            });
        }
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
        if let Some(found) = self.product_column_at(path, offset) {
            return Some(FileRange {
                path: found.contract_path,
                range: found.column.name.range,
            });
        }
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

/// A column of another domain's product read at a position of a model.
pub(crate) struct ProductColumn {
    pub(crate) range: TextRange,
    pub(crate) product: String,
    pub(crate) contract_path: String,
    pub(crate) version: Option<String>,
    pub(crate) column: mesh_syntax::ContractColumn,
}

/// A completion candidate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompletionItem {
    pub label: String,
    pub kind: CompletionKind,
    /// The type or signature, shown beside the label.
    pub detail: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CompletionKind {
    Domain,
    Product,
    Model,
    Source,
    Column,
    Function,
}

impl AnalysisHost {
    /// The product column read at `offset` of model file `path`.
    pub(crate) fn product_column_at(&self, path: &str, offset: u32) -> Option<ProductColumn> {
        let db = &self.db;
        let analysis = analyze_model(db, model_at_path(db, path)?);
        let used = analysis
            .product_uses
            .iter()
            .find(|u| u.range.start <= offset && offset <= u.range.end)?;
        let (producer, product) = used.product.split_once('.')?;
        let scope = domain_scope(db, DomainId::new(db, producer.to_string()));
        let file = *scope.contracts.get(&product.to_ascii_lowercase())?;
        let contract = parse_contract_file(db, file).0.as_ref()?;
        let column = contract
            .columns
            .iter()
            .find(|c| c.name.value.eq_ignore_ascii_case(&used.column))?
            .clone();
        Some(ProductColumn {
            range: used.range,
            product: used.product.clone(),
            contract_path: file.path(db).to_string(),
            version: contract.version.as_ref().map(|v| v.value.to_string()),
            column,
        })
    }

    /// Every read of the contract column at `offset` of contract file `path`
    /// (`<domain>/contracts/<product>.yaml`), in every model of every domain.
    pub fn column_references(&self, path: &str, offset: u32) -> Vec<FileRange> {
        let db = &self.db;
        let Some((producer, rest)) = path.split_once('/') else {
            return Vec::new();
        };
        let Some(product) = rest
            .strip_prefix("contracts/")
            .and_then(|r| r.strip_suffix(".yaml").or_else(|| r.strip_suffix(".yml")))
        else {
            return Vec::new();
        };
        let scope = domain_scope(db, DomainId::new(db, producer.to_string()));
        let Some(file) = scope.contracts.get(&product.to_ascii_lowercase()) else {
            return Vec::new();
        };
        let Some(contract) = parse_contract_file(db, *file).0.as_ref() else {
            return Vec::new();
        };
        let Some(column) = contract
            .columns
            .iter()
            .find(|c| c.name.range.start <= offset && offset <= c.name.range.end)
        else {
            return Vec::new();
        };
        let id = format!("{producer}.{product}");
        let mut out = Vec::new();
        for domain_name in member_domains(db) {
            let domain = DomainId::new(db, domain_name.clone());
            for (name, model_file) in domain_scope(db, domain).models.values() {
                let analysis = analyze_model(db, ModelId::new(db, domain, name.clone()));
                for used in &analysis.product_uses {
                    if used.product.eq_ignore_ascii_case(&id)
                        && used.column.eq_ignore_ascii_case(&column.name.value)
                    {
                        out.push(FileRange {
                            path: model_file.path(db).to_string(),
                            range: used.range,
                        });
                    }
                }
            }
        }
        out.sort_by(|a, b| a.path.cmp(&b.path).then(a.range.start.cmp(&b.range.start)));
        out
    }

    /// Completions at `offset` of model file `path`: after `domain.` the
    /// products the domain may read; after `alias.` the columns of that
    /// relation (through the contract for another domain's product);
    /// otherwise relation names, the columns of the relations in FROM and
    /// functions.
    pub fn completions(&self, path: &str, offset: u32) -> Vec<CompletionItem> {
        let db = &self.db;
        let Some((own, rest)) = path.split_once('/') else {
            return Vec::new();
        };
        if rest == "domain.yaml" {
            return self.complete_dependencies(own);
        }
        if let Some(product) = rest
            .strip_prefix("contracts/")
            .and_then(|r| r.strip_suffix(".yaml").or_else(|| r.strip_suffix(".yml")))
        {
            return self.complete_contract_columns(own, product);
        }
        let Some(text) = self.file_text(path) else {
            return Vec::new();
        };
        let before = text.get(..offset as usize).unwrap_or(text);
        let word_start = before
            .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .map_or(0, |i| i + 1);
        let prefix_end = word_start;
        // `qualifier.` right before the word being typed.
        let qualifier = before[..prefix_end].strip_suffix('.').map(|q| {
            let start = q
                .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .map_or(0, |i| i + 1);
            q[start..].to_string()
        });
        let relations = from_relations(text);
        let mut out = Vec::new();
        if let Some(qualifier) = qualifier {
            if let Some(domain) = known_domain(db, &qualifier)
                && !domain.eq_ignore_ascii_case(own)
            {
                self.complete_products(own, &domain, &mut out);
                return out;
            }
            let target = relations
                .iter()
                .find(|(_, alias)| alias.eq_ignore_ascii_case(&qualifier))
                .map(|(parts, _)| parts.clone())
                .unwrap_or_else(|| vec![qualifier.clone()]);
            out.extend(self.relation_columns(own, &target));
            return out;
        }
        for domain in member_domains(db).iter().chain(external_domains(db).iter()) {
            if !domain.eq_ignore_ascii_case(own) {
                out.push(CompletionItem {
                    label: domain.clone(),
                    kind: CompletionKind::Domain,
                    detail: "domain".to_string(),
                });
            }
        }
        let scope = domain_scope(db, DomainId::new(db, own.to_string()));
        for (name, _) in scope.models.values() {
            out.push(CompletionItem {
                label: name.clone(),
                kind: CompletionKind::Model,
                detail: format!("model of {own}"),
            });
        }
        for source in scope.sources.values() {
            out.push(CompletionItem {
                label: source.decl.name.value.clone(),
                kind: CompletionKind::Source,
                detail: format!("source of {own}"),
            });
        }
        for (parts, _) in &relations {
            out.extend(self.relation_columns(own, parts));
        }
        for name in mesh_sema::FUNCTION_NAMES {
            out.push(CompletionItem {
                label: name.to_string(),
                kind: CompletionKind::Function,
                detail: "function".to_string(),
            });
        }
        out.dedup_by(|a, b| a.label == b.label && a.kind == b.kind);
        out
    }

    /// In `domain.yaml`: the other domains, with the requirement their
    /// current version would need.
    fn complete_dependencies(&self, own: &str) -> Vec<CompletionItem> {
        let db = &self.db;
        let declared = &domain_scope(db, DomainId::new(db, own.to_string())).dependencies;
        member_domains(db)
            .iter()
            .chain(external_domains(db).iter())
            .filter(|d| !d.eq_ignore_ascii_case(own) && !declared.contains_key(*d))
            .map(|domain| {
                let version = domain_scope(db, DomainId::new(db, domain.clone()))
                    .config
                    .as_ref()
                    .and_then(|c| c.version.as_ref().map(|v| v.value.clone()));
                let products = domain_scope(db, DomainId::new(db, domain.clone()))
                    .contracts
                    .keys()
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ");
                CompletionItem {
                    label: domain.clone(),
                    kind: CompletionKind::Domain,
                    detail: match version {
                        Some(v) => format!("\"^{}.{}\" — publishes {products}", v.major, v.minor),
                        None => format!("publishes {products}"),
                    },
                }
            })
            .collect()
    }

    /// In a product's contract: the columns its model outputs that the
    /// contract does not declare yet, with their inferred types.
    fn complete_contract_columns(&self, own: &str, product: &str) -> Vec<CompletionItem> {
        let db = &self.db;
        let domain = DomainId::new(db, own.to_string());
        let scope = domain_scope(db, domain);
        let key = product.to_ascii_lowercase();
        let Some((model, _)) = scope.models.get(&key) else {
            return Vec::new();
        };
        let declared: Vec<String> = scope
            .contracts
            .get(&key)
            .and_then(|f| parse_contract_file(db, *f).0.as_ref())
            .map(|c| {
                c.columns
                    .iter()
                    .map(|c| c.name.value.to_ascii_lowercase())
                    .collect()
            })
            .unwrap_or_default();
        let analysis = analyze_model(db, ModelId::new(db, domain, model.clone()));
        let Some(relation) = &analysis.relation else {
            return Vec::new();
        };
        relation
            .columns
            .iter()
            .filter(|c| !declared.contains(&c.name.to_ascii_lowercase()))
            .map(|c| CompletionItem {
                label: c.name.clone(),
                kind: CompletionKind::Column,
                detail: format!("physicalType: {}, required: {}", c.ty, !c.nullable),
            })
            .collect()
    }

    /// The products of `domain` that domain `own` may read (declared
    /// dependency, access list).
    fn complete_products(&self, own: &str, domain: &str, out: &mut Vec<CompletionItem>) {
        let db = &self.db;
        let own_scope = domain_scope(db, DomainId::new(db, own.to_string()));
        let producer = DomainId::new(db, domain.to_string());
        let scope = domain_scope(db, producer);
        for key in scope.contracts.keys() {
            let name = scope
                .models
                .get(key)
                .map(|(n, _)| n.clone())
                .unwrap_or_else(|| key.clone());
            let Some(published) =
                mesh_sema::published_product(db, ModelId::new(db, producer, name.clone()))
            else {
                continue;
            };
            let allowed = published
                .access
                .as_ref()
                .is_none_or(|a| a.iter().any(|d| d.eq_ignore_ascii_case(own)));
            if !allowed {
                continue;
            }
            let declared = own_scope.dependencies.contains_key(domain);
            out.push(CompletionItem {
                label: name,
                kind: CompletionKind::Product,
                detail: format!(
                    "product of {domain}{}{}",
                    published
                        .version
                        .as_ref()
                        .map(|v| format!(" {v}"))
                        .unwrap_or_default(),
                    if declared {
                        ""
                    } else {
                        " (add the dependency to domain.yaml)"
                    }
                ),
            });
        }
    }

    /// The columns of the relation named `parts` as seen from domain `own`.
    fn relation_columns(&self, own: &str, parts: &[String]) -> Vec<CompletionItem> {
        let db = &self.db;
        let columns: Vec<mesh_sema::Column> = match parts {
            [domain, product] if !domain.eq_ignore_ascii_case(own) => {
                let Some(domain) = known_domain(db, domain) else {
                    return Vec::new();
                };
                let producer = DomainId::new(db, domain);
                let scope = domain_scope(db, producer);
                let name = scope
                    .models
                    .get(&product.to_ascii_lowercase())
                    .map(|(n, _)| n.clone())
                    .unwrap_or_else(|| product.clone());
                match mesh_sema::published_product(db, ModelId::new(db, producer, name)) {
                    Some(p) => p.relation.columns.clone(),
                    None => return Vec::new(),
                }
            }
            [.., name] => match local(db, own, name) {
                Some(Resolved::Model { model, .. }) => analyze_model(db, model)
                    .relation
                    .as_ref()
                    .map(|r| r.columns.clone())
                    .unwrap_or_default(),
                Some(Resolved::Source { domain, key }) => {
                    domain_scope(db, DomainId::new(db, domain))
                        .sources
                        .get(&key)
                        .map(|s| s.relation.columns.clone())
                        .unwrap_or_default()
                }
                _ => Vec::new(),
            },
            [] => Vec::new(),
        };
        columns
            .into_iter()
            .map(|c| CompletionItem {
                label: c.name,
                kind: CompletionKind::Column,
                detail: format!("{}{}", c.ty, if c.nullable { "" } else { " NOT NULL" }),
            })
            .collect()
    }
}

/// The relations a model's FROM and JOIN clauses name, with their alias (the
/// last part of the name when there is none), read from the tokens so that
/// it works while the model is being typed.
fn from_relations(text: &str) -> Vec<(Vec<String>, String)> {
    let words: Vec<&str> = text
        .split(|c: char| c.is_whitespace() || c == ',' || c == '(' || c == ')' || c == ';')
        .filter(|w| !w.is_empty())
        .collect();
    let mut out = Vec::new();
    for (i, word) in words.iter().enumerate() {
        if !(word.eq_ignore_ascii_case("from") || word.eq_ignore_ascii_case("join")) {
            continue;
        }
        let Some(name) = words.get(i + 1) else {
            continue;
        };
        let parts: Vec<String> = name
            .split('.')
            .map(|p| p.trim_matches('"').to_string())
            .collect();
        if parts
            .iter()
            .any(|p| p.is_empty() || p.eq_ignore_ascii_case("select"))
        {
            continue;
        }
        let mut alias = parts.last().cloned().unwrap_or_default();
        let mut next = i + 2;
        if words
            .get(next)
            .is_some_and(|w| w.eq_ignore_ascii_case("as"))
        {
            next += 1;
        }
        if let Some(candidate) = words.get(next) {
            let keyword = [
                "where", "join", "left", "right", "inner", "full", "cross", "on", "using", "group",
                "order", "limit", "union", "having", "qualify", "window", "natural",
            ]
            .iter()
            .any(|k| candidate.eq_ignore_ascii_case(k));
            if !keyword
                && candidate
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_')
            {
                alias = candidate.to_string();
            }
        }
        out.push((parts, alias));
    }
    out
}

fn column_markdown(found: &ProductColumn) -> String {
    let column = &found.column;
    let mut out = format!(
        "**{}** `{}` — column of **{}**{}\n",
        column.name.value,
        column
            .ty
            .as_ref()
            .map_or_else(|| "?".to_string(), |t| t.value.to_string()),
        found.product,
        found
            .version
            .as_ref()
            .map(|v| format!(" {v}"))
            .unwrap_or_default()
    );
    let _ = writeln!(
        out,
        "\n{} in the contract ({})",
        if column.required {
            "required (never NULL)"
        } else {
            "optional (may be NULL)"
        },
        found.contract_path
    );
    if let Some(description) = &column.description {
        let _ = writeln!(out, "\n{description}");
    }
    out
}

/// The model of model file `path` (`<domain>/models/<name>.sql`), when the
/// domain has it.
pub(crate) fn model_at_path<'db>(db: &'db dyn Db, path: &str) -> Option<ModelId<'db>> {
    let (own, rest) = path.split_once('/')?;
    let name = rest.strip_prefix("models/")?.strip_suffix(".sql")?;
    let domain = DomainId::new(db, own.to_string());
    let (model, _) = domain_scope(db, domain)
        .models
        .get(&name.to_ascii_lowercase())?;
    Some(ModelId::new(db, domain, model.clone()))
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

/// A named thing of the workspace, for outlines and symbol search.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SymbolInfo {
    pub name: String,
    pub kind: SymbolKind,
    pub at: FileRange,
    /// The type of a column, the domain of a model.
    pub detail: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SymbolKind {
    Model,
    Product,
    Source,
    Cte,
    Column,
}

impl AnalysisHost {
    /// The outline of model file `path`: its CTEs and its output columns.
    pub fn document_symbols(&self, path: &str) -> Vec<SymbolInfo> {
        let db = &self.db;
        let Some((own, rest)) = path.split_once('/') else {
            return Vec::new();
        };
        let Some(name) = rest
            .strip_prefix("models/")
            .and_then(|r| r.strip_suffix(".sql"))
        else {
            return Vec::new();
        };
        let domain = DomainId::new(db, own.to_string());
        let scope = domain_scope(db, domain);
        let Some((model_name, file)) = scope.models.get(&name.to_ascii_lowercase()) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        let text = file.text(db);
        let parsed = mesh_sema::parse_model_file(db, *file);
        if let Some(with) = parsed.query.as_ref().and_then(|q| q.with.as_ref()) {
            for cte in &with.cte_tables {
                out.push(SymbolInfo {
                    name: cte.alias.name.value.clone(),
                    kind: SymbolKind::Cte,
                    at: FileRange {
                        path: path.to_string(),
                        range: mesh_syntax::sql_span_to_range(
                            text,
                            &parsed.line_index,
                            cte.alias.name.span,
                        ),
                    },
                    detail: "CTE".to_string(),
                });
            }
        }
        let analysis = analyze_model(db, ModelId::new(db, domain, model_name.clone()));
        if let Some(relation) = &analysis.relation {
            for (column, range) in relation.columns.iter().zip(&analysis.column_ranges) {
                out.push(SymbolInfo {
                    name: column.name.clone(),
                    kind: SymbolKind::Column,
                    at: FileRange {
                        path: path.to_string(),
                        range: *range,
                    },
                    detail: column.ty.to_string(),
                });
            }
        }
        out
    }

    /// Models, products and sources of every member domain whose name
    /// contains `query` (case-insensitive; everything for an empty query).
    pub fn workspace_symbols(&self, query: &str) -> Vec<SymbolInfo> {
        let db = &self.db;
        let query = query.to_ascii_lowercase();
        let matches = |name: &str| name.to_ascii_lowercase().contains(&query);
        let mut out = Vec::new();
        for domain_name in member_domains(db) {
            let scope = domain_scope(db, DomainId::new(db, domain_name.clone()));
            for (key, (name, file)) in &scope.models {
                let qualified = format!("{domain_name}.{name}");
                if !matches(&qualified) {
                    continue;
                }
                let published = scope.contracts.contains_key(key);
                out.push(SymbolInfo {
                    name: qualified,
                    kind: if published {
                        SymbolKind::Product
                    } else {
                        SymbolKind::Model
                    },
                    at: FileRange {
                        path: file.path(db).to_string(),
                        range: TextRange::empty(0),
                    },
                    detail: if published {
                        format!("product of {domain_name}")
                    } else {
                        format!("model of {domain_name}")
                    },
                });
            }
            for source in scope.sources.values() {
                let qualified = format!("{domain_name}.{}", source.decl.name.value);
                if matches(&qualified) {
                    out.push(SymbolInfo {
                        name: qualified,
                        kind: SymbolKind::Source,
                        at: FileRange {
                            path: format!("{domain_name}/sources.yaml"),
                            range: source.decl.name.range,
                        },
                        detail: format!("source of {domain_name}"),
                    });
                }
            }
        }
        out
    }
}

impl AnalysisHost {
    /// The SQL meshc emits for model file `path` on `target`, or why it has
    /// none (the model does not check).
    pub fn compiled_sql(&self, path: &str, target: mesh_emit::Target) -> Result<String, String> {
        let db = &self.db;
        let model = model_at_path(db, path).ok_or_else(|| format!("{path} is not a model file"))?;
        mesh_emit::emit_model(db, model, target).map_err(|diagnostics| {
            let first = diagnostics
                .iter()
                .find(|d| d.is_error())
                .map(|d| format!(": {} {}", d.code.as_str(), d.message))
                .unwrap_or_default();
            format!("{path} has errors, so it has no {target} SQL yet{first}")
        })
    }

    /// `domain.model` of model file `path`.
    pub fn model_id_of(&self, path: &str) -> Option<String> {
        let db = &self.db;
        let model = model_at_path(db, path)?;
        Some(format!("{}.{}", model.domain(db).name(db), model.name(db)))
    }
}
