//! The file index and per-domain scopes: which files make up each domain, and
//! which names (models, sources, dependencies, products) a domain can see.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use mesh_diagnostics::{Code, Diagnostic, TextRange};
use mesh_syntax::{
    Contract, DomainConfig, MeshConfig, ParsedModel, SourceDecl, Spanned, parse_contract,
    parse_domain_config, parse_mesh_config, parse_model, parse_sources,
};

use crate::db::{Db, DomainId, ModelId, SourceFile};
use crate::relation::{Column, Relation};

/// The files of one domain directory, by role.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct DomainFiles {
    pub domain_yaml: Option<SourceFile>,
    pub sources_yaml: Option<SourceFile>,
    /// Model name (file stem) -> file.
    pub models: BTreeMap<String, SourceFile>,
    /// Product name (file stem) -> contract file.
    pub contracts: BTreeMap<String, SourceFile>,
}

/// Every file of the workspace by role. Depends only on the file list.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct FileIndex {
    pub mesh_yaml: Option<SourceFile>,
    /// Directory name -> its files, for every directory that holds workspace files.
    pub directories: BTreeMap<String, DomainFiles>,
    /// Files that sit where meshc reads nothing (reported as MESH0208).
    pub stray: Vec<SourceFile>,
    pub lock: Option<SourceFile>,
    /// Contracts of other workspaces' products resolved from the registry
    /// (paths `registry:<domain>/<product>.yaml`): domain -> product -> file.
    pub external: BTreeMap<String, BTreeMap<String, SourceFile>>,
}

/// The path under which a registry contract is given to the database.
pub fn external_contract_path(domain: &str, product: &str) -> String {
    format!("{EXTERNAL_PREFIX}{domain}/{product}.yaml")
}

const EXTERNAL_PREFIX: &str = "registry:";

/// The files of directory `dir`, allocating its name only the first time.
fn directory<'i>(index: &'i mut FileIndex, dir: &str) -> &'i mut DomainFiles {
    if !index.directories.contains_key(dir) {
        index
            .directories
            .insert(dir.to_string(), DomainFiles::default());
    }
    index
        .directories
        .get_mut(dir)
        .unwrap_or_else(|| unreachable!("inserted above"))
}

#[salsa::tracked(returns(ref))]
pub fn file_index(db: &dyn Db) -> FileIndex {
    let mut index = FileIndex::default();
    for &file in db.workspace().files(db) {
        let path = file.path(db);
        if let Some(rest) = path.strip_prefix(EXTERNAL_PREFIX) {
            if let Some((domain, file_name)) = rest.split_once('/')
                && let Some(product) = file_name.strip_suffix(".yaml")
            {
                index
                    .external
                    .entry(domain.to_string())
                    .or_default()
                    .insert(product.to_string(), file);
            }
            continue;
        }
        let parts: Vec<&str> = path.split('/').collect();
        match parts.as_slice() {
            ["mesh.yaml"] => index.mesh_yaml = Some(file),
            ["mesh.lock"] => index.lock = Some(file),
            [dir, "domain.yaml"] => directory(&mut index, dir).domain_yaml = Some(file),
            [dir, "sources.yaml"] => directory(&mut index, dir).sources_yaml = Some(file),
            [dir, "models", name] if name.ends_with(".sql") => {
                let stem = name.trim_end_matches(".sql").to_string();
                directory(&mut index, dir).models.insert(stem, file);
            }
            [dir, "contracts", name] if name.ends_with(".yaml") || name.ends_with(".yml") => {
                let stem = name
                    .trim_end_matches(".yaml")
                    .trim_end_matches(".yml")
                    .to_string();
                directory(&mut index, dir).contracts.insert(stem, file);
            }
            _ => index.stray.push(file),
        }
    }
    index
}

/// Files that exist but could not be read (I/O errors, invalid UTF-8). The
/// loader reported each one and entered it with no text, so that the names it
/// declares (a model, a product, a domain's settings) still exist: they are
/// unknown, not missing, and nothing that uses them is reported again.
#[salsa::tracked(returns(ref))]
pub(crate) fn unreadable_files(db: &dyn Db) -> BTreeSet<Arc<str>> {
    db.workspace()
        .load_diagnostics(db)
        .iter()
        .filter(|d| matches!(d.code, Code::Io | Code::InvalidUtf8))
        .map(|d| d.file.clone())
        .collect()
}

/// Whether `file` is one of [`unreadable_files`].
pub(crate) fn is_unreadable(db: &dyn Db, file: SourceFile) -> bool {
    file.text(db).is_empty() && unreadable_files(db).contains(file.path(db))
}

/// A parse result together with its diagnostics.
pub(crate) type Parsed<T> = (Option<T>, Vec<Diagnostic>);

#[salsa::tracked(returns(ref))]
pub fn parse_mesh_file(db: &dyn Db, file: SourceFile) -> Parsed<MeshConfig> {
    if is_unreadable(db, file) {
        return (None, Vec::new());
    }
    parse_mesh_config(file.path(db), file.text(db))
}

#[salsa::tracked(returns(ref))]
pub fn parse_domain_file(db: &dyn Db, file: SourceFile) -> Parsed<DomainConfig> {
    if is_unreadable(db, file) {
        return (None, Vec::new());
    }
    if let Some(cached) = crate::warm::domain_config(db, file) {
        return cached;
    }
    parse_domain_config(file.path(db), file.text(db))
}

#[salsa::tracked(returns(ref))]
pub fn parse_sources_file(
    db: &dyn Db,
    file: SourceFile,
) -> (mesh_syntax::SourcesFile, Vec<Diagnostic>) {
    if is_unreadable(db, file) {
        return Default::default();
    }
    parse_sources(file.path(db), file.text(db))
}

#[salsa::tracked(returns(ref))]
pub fn parse_contract_file(db: &dyn Db, file: SourceFile) -> Parsed<Contract> {
    if is_unreadable(db, file) {
        return (None, Vec::new());
    }
    parse_contract(file.path(db), file.text(db))
}

/// Parses a model file. Deliberately not a memoized query: a syntax tree is
/// about 60 times the size of its text (50 KB for a typical model), so keeping
/// every tree would make the database of a 10,000-model mesh 500 MB larger,
/// and touching that much fresh memory costs more than parsing again. The
/// queries that need a tree (the reference walk, inference, emission) parse
/// for themselves (about 0.1 ms) and keep only their results; reading the text
/// records the dependency on the file. A tree the reference walk just parsed
/// is handed over through [`Db::take_parse`] instead of being parsed again.
pub fn parse_model_file(db: &dyn Db, file: SourceFile) -> ParsedModel {
    let text = file.text(db);
    if is_unreadable(db, file) {
        return ParsedModel {
            query: None,
            line_index: mesh_diagnostics::LineIndex::new(""),
            diagnostics: Vec::new(),
        };
    }
    db.take_parse(file, text)
        .unwrap_or_else(|| parse_model(file.path(db), text))
}

/// The workspace configuration, if `mesh.yaml` exists and parses.
pub fn mesh_config(db: &dyn Db) -> Option<&MeshConfig> {
    let file = file_index(db).mesh_yaml?;
    parse_mesh_file(db, file).0.as_ref()
}

/// Domains whose products come from the registry (not members of the workspace).
#[salsa::tracked(returns(ref))]
pub fn external_domains(db: &dyn Db) -> Vec<String> {
    let members = member_domains(db);
    file_index(db)
        .external
        .keys()
        .filter(|d| !members.contains(d))
        .cloned()
        .collect()
}

/// The member domains listed in `mesh.yaml`, in order.
#[salsa::tracked(returns(ref))]
pub fn member_domains(db: &dyn Db) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    if let Some(config) = mesh_config(db) {
        for domain in &config.domains {
            if !names.contains(&domain.value) {
                names.push(domain.value.clone());
            }
        }
    }
    names
}

/// A source of a domain, typed by its declaration.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SourceInfo {
    pub decl: SourceDecl,
    pub relation: Relation,
}

/// What one domain can see. Reads only configuration and the file list, never
/// model SQL, so editing a model leaves it untouched.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct DomainScope {
    pub name: String,
    /// Whether the directory is a member of the workspace and has a domain.yaml.
    pub exists: bool,
    pub config: Option<DomainConfig>,
    /// Lower-cased model name -> (name as written, file).
    pub models: BTreeMap<String, (String, SourceFile)>,
    /// Lower-cased source name -> source.
    pub sources: BTreeMap<String, SourceInfo>,
    /// Lower-cased product name -> contract file.
    pub contracts: BTreeMap<String, SourceFile>,
    /// Declared dependencies: domain name -> requirement.
    pub dependencies: BTreeMap<String, Spanned<semver::VersionReq>>,
    /// The domain.yaml or sources.yaml exists but could not be read (already
    /// reported): names it would declare are not reported again as unknown.
    pub config_unreadable: bool,
    pub sources_unreadable: bool,
    /// A domain of another workspace, known from registry contracts only.
    pub external: bool,
}

#[salsa::tracked(returns(ref))]
pub fn domain_scope<'db>(db: &'db dyn Db, domain: DomainId<'db>) -> DomainScope {
    let name = domain.name(db).clone();
    let member = member_domains(db).contains(&name);
    let no_files = DomainFiles::default();
    let files = file_index(db).directories.get(&name).unwrap_or(&no_files);
    let config = files
        .domain_yaml
        .and_then(|f| parse_domain_file(db, f).0.clone());
    let mut scope = DomainScope {
        name: name.clone(),
        exists: member && files.domain_yaml.is_some(),
        config_unreadable: files.domain_yaml.is_some() && config.is_none(),
        ..DomainScope::default()
    };
    if !member {
        // Another workspace's domain: only its published contracts are known.
        if let Some(external) = file_index(db).external.get(&name) {
            for (product, file) in external {
                scope.contracts.insert(product.to_ascii_lowercase(), *file);
            }
            scope.external = true;
        }
        return scope;
    }
    for (model, file) in &files.models {
        scope
            .models
            .entry(model.to_ascii_lowercase())
            .or_insert((model.clone(), *file));
    }
    for (product, file) in &files.contracts {
        scope.contracts.insert(product.to_ascii_lowercase(), *file);
    }
    if let Some(file) = files.sources_yaml {
        let (parsed, diagnostics) = parse_sources_file(db, file);
        scope.sources_unreadable =
            parsed.sources.is_empty() && (!diagnostics.is_empty() || is_unreadable(db, file));
        for decl in &parsed.sources {
            let relation = Relation {
                columns: decl
                    .columns
                    .iter()
                    .map(|c| Column {
                        name: c.name.value.clone(),
                        ty: c.ty.value,
                        nullable: !c.required,
                    })
                    .collect(),
            };
            scope
                .sources
                .entry(decl.name.value.to_ascii_lowercase())
                .or_insert(SourceInfo {
                    decl: decl.clone(),
                    relation,
                });
        }
    }
    if let Some(config) = &config {
        for (dep, req) in &config.dependencies {
            scope.dependencies.insert(dep.value.clone(), req.clone());
        }
    }
    scope.config = config;
    scope
}

/// A published product as consumers see it: the contract's columns only.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PublishedProduct {
    pub relation: Relation,
    pub version: Option<semver::Version>,
    /// Domains allowed to read it besides its own; `None`: any declared consumer.
    pub access: Option<Vec<String>>,
}

/// The consumer-facing schema of `domain.product`, read from its contract alone.
/// This is the firewall between domains: it never reads the producer's SQL.
#[salsa::tracked(returns(ref))]
pub fn published_product<'db>(db: &'db dyn Db, product: ModelId<'db>) -> Option<PublishedProduct> {
    let scope = domain_scope(db, product.domain(db));
    let file = *scope
        .contracts
        .get(&product.name(db).to_ascii_lowercase())?;
    let contract = parse_contract_file(db, file).0.as_ref()?;
    let relation = Relation {
        columns: contract
            .columns
            .iter()
            .map(|c| Column {
                name: c.name.value.clone(),
                ty: c
                    .ty
                    .as_ref()
                    .map(|t| t.value)
                    .unwrap_or(mesh_syntax::SqlType::Null),
                nullable: !c.required,
            })
            .collect(),
    };
    Some(PublishedProduct {
        relation,
        version: contract.version.as_ref().map(|v| v.value.clone()),
        access: contract.access.as_ref().map(|a| a.value.clone()),
    })
}

/// The range of a whole file, for diagnostics about the file as such.
pub(crate) fn whole_file(db: &dyn Db, file: SourceFile) -> TextRange {
    let text = file.text(db);
    let first_line = text.find('\n').unwrap_or(text.len());
    TextRange::new(0, first_line as u32)
}
