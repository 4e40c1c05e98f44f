//! Workspace configuration files: `mesh.yaml`, `<domain>/domain.yaml` and
//! `<domain>/sources.yaml` (format: docs/workspace-format.md).

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use marked_yaml::Spanned as Marked;
use mesh_diagnostics::{Code, Diagnostic};
use serde::Deserialize;

use crate::types::SqlType;
use crate::yaml::{Positions, Spanned, deserialize, parse_version};

/// `mesh.yaml`: the workspace.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MeshConfig {
    pub name: Spanned<String>,
    pub domains: Vec<Spanned<String>>,
    /// DuckDB database file, relative to the workspace root.
    pub duckdb_path: Option<String>,
    /// Where published contracts live: a directory (relative to the
    /// workspace root) or a `postgres://` URL. Default: `registry`.
    pub registry: Option<String>,
    /// `targets.trino`: where the mesh lives on Trino.
    pub trino: TrinoTarget,
}

/// `targets.trino` of mesh.yaml. Models are written to `catalog.<domain>.<model>`;
/// a domain's sources are read from its entry in `sources` (default: the
/// same catalog, schema = the domain).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct TrinoTarget {
    /// The Trino coordinator, e.g. `http://127.0.0.1:8080` (for `meshc run`).
    pub url: Option<String>,
    /// The user sent as `X-Trino-User` (default `meshc`).
    pub user: Option<String>,
    /// The catalog models are written to (default `memory`).
    pub catalog: Option<String>,
    /// Per domain: the catalog and schema its sources are read from.
    pub sources: std::collections::BTreeMap<String, TrinoLocation>,
}

/// A catalog and schema on Trino.
#[derive(Clone, Debug, PartialEq, Eq, Default, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a mapping with keys catalog, schema")]
pub struct TrinoLocation {
    pub catalog: String,
    #[serde(default)]
    pub schema: Option<String>,
}

/// How a model is stored on the target.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Materialization {
    #[default]
    View,
    Table,
    /// A table that each run merges the model's new rows into (by
    /// `incremental.unique_key`), instead of rebuilding it.
    Incremental,
}

/// Per-model settings in `domain.yaml`.
#[derive(Clone, Debug, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct ModelSettings {
    pub materialization: Option<Spanned<Materialization>>,
    pub description: Option<String>,
    /// `incremental:`, for `materialization: incremental`.
    pub incremental: Option<Spanned<IncrementalSettings>>,
}

/// How an incremental model finds its new rows and merges them.
#[derive(Clone, Debug, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct IncrementalSettings {
    /// Output columns that identify a row: a new row replaces the existing
    /// row with the same key.
    pub unique_key: Vec<Spanned<String>>,
    /// An output column that grows with every change (a load date or
    /// timestamp, a sequence): a run reads only rows above the existing
    /// table's maximum. Without it every row of the query is merged.
    pub updated_at: Option<Spanned<String>>,
}

/// `<domain>/domain.yaml`.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DomainConfig {
    pub name: Spanned<String>,
    pub owner: Option<String>,
    pub version: Option<Spanned<semver::Version>>,
    pub description: Option<String>,
    /// Domain name -> semver requirement on its products.
    pub dependencies: Vec<(Spanned<String>, Spanned<semver::VersionReq>)>,
    pub materialization: Materialization,
    pub models: BTreeMap<String, (Spanned<String>, ModelSettings)>,
}

/// The file format of a source.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SourceFormat {
    Csv,
    Parquet,
}

/// CSV reading options of a source.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct CsvOptions {
    pub header: bool,
    pub delimiter: char,
    pub quote: Option<char>,
}

impl Default for CsvOptions {
    fn default() -> Self {
        CsvOptions {
            header: true,
            delimiter: ',',
            quote: Some('"'),
        }
    }
}

/// A declared column of a source.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SourceColumn {
    pub name: Spanned<String>,
    pub ty: Spanned<SqlType>,
    pub required: bool,
}

/// One raw input of a domain.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SourceDecl {
    pub name: Spanned<String>,
    pub description: Option<String>,
    /// Path relative to the domain directory (one file: glob characters are
    /// part of the name).
    pub path: Spanned<String>,
    /// `external: true`: the path may lead outside the workspace.
    pub external: bool,
    pub format: SourceFormat,
    pub csv: CsvOptions,
    pub columns: Vec<SourceColumn>,
}

/// `<domain>/sources.yaml`.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct SourcesFile {
    pub sources: Vec<SourceDecl>,
}

#[derive(Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a mapping with keys name, domains, targets, description, registry"
)]
struct RawMesh {
    name: Marked<String>,
    #[serde(default)]
    domains: Vec<Marked<String>>,
    #[serde(default)]
    targets: Option<RawTargets>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    registry: Option<Marked<String>>,
}

#[derive(Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a mapping with keys duckdb, trino, teradata"
)]
struct RawTargets {
    #[serde(default)]
    duckdb: Option<RawDuckdb>,
    #[serde(default)]
    trino: Option<RawTrino>,
    /// Nothing to configure yet (a database per domain, named as the domain).
    #[serde(default)]
    teradata: Option<RawTeradata>,
}

#[derive(Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a mapping with keys url, user, catalog, sources"
)]
struct RawTrino {
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    user: Option<String>,
    #[serde(default)]
    catalog: Option<String>,
    #[serde(default)]
    sources: std::collections::BTreeMap<String, TrinoLocation>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, expecting = "an empty mapping")]
struct RawTeradata {}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, expecting = "a mapping with keys path")]
struct RawDuckdb {
    #[serde(default)]
    path: Option<String>,
}

/// Parses `mesh.yaml`.
pub fn parse_mesh_config(file: &Arc<str>, text: &str) -> (Option<MeshConfig>, Vec<Diagnostic>) {
    let positions = Positions::new(text);
    let (raw, diagnostics) =
        deserialize::<RawMesh>(file, text, &positions, "workspace file mesh.yaml");
    let config = raw.map(|raw| {
        let _ = raw.description;
        MeshConfig {
            registry: raw.registry.map(|r| r.as_str().to_string()),
            name: positions.spanned(&raw.name),
            domains: raw.domains.iter().map(|d| positions.spanned(d)).collect(),
            duckdb_path: raw
                .targets
                .as_ref()
                .and_then(|t| t.duckdb.as_ref())
                .and_then(|d| d.path.clone()),
            trino: raw
                .targets
                .and_then(|t| {
                    let _ = t.teradata;
                    t.trino
                })
                .map(|t| TrinoTarget {
                    url: t.url,
                    user: t.user,
                    catalog: t.catalog,
                    sources: t.sources,
                })
                .unwrap_or_default(),
        }
    });
    (config, diagnostics)
}

#[derive(Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a mapping with keys name, owner, version, description, dependencies, materialization, models"
)]
struct RawDomain {
    name: Marked<String>,
    #[serde(default)]
    owner: Option<String>,
    #[serde(default)]
    version: Option<Marked<String>>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    dependencies: HashMap<Marked<String>, Marked<String>>,
    #[serde(default)]
    materialization: Option<Marked<Materialization>>,
    #[serde(default)]
    models: HashMap<Marked<String>, RawModelSettings>,
}

#[derive(Deserialize, Default)]
#[serde(
    deny_unknown_fields,
    expecting = "a mapping with keys materialization, description, incremental"
)]
struct RawModelSettings {
    #[serde(default)]
    materialization: Option<Marked<Materialization>>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    incremental: Option<Marked<RawIncremental>>,
}

#[derive(Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a mapping with keys unique_key, updated_at"
)]
struct RawIncremental {
    unique_key: RawKey,
    #[serde(default)]
    updated_at: Option<Marked<String>>,
}

/// The key columns, always a list (a one-column key too): `[order_id]`.
#[derive(Deserialize)]
#[serde(transparent, expecting = "a list of column names, such as [order_id]")]
struct RawKey(Vec<Marked<String>>);

/// Parses `<domain>/domain.yaml`.
pub fn parse_domain_config(file: &Arc<str>, text: &str) -> (Option<DomainConfig>, Vec<Diagnostic>) {
    let positions = Positions::new(text);
    let (raw, mut diagnostics) = deserialize::<RawDomain>(file, text, &positions, "domain file");
    let Some(raw) = raw else {
        return (None, diagnostics);
    };
    let version = raw
        .version
        .as_ref()
        .and_then(|v| parse_version(file, &positions.spanned(v), "", &mut diagnostics));
    let mut dependencies = Vec::new();
    let mut raw_dependencies: Vec<_> = raw.dependencies.iter().collect();
    raw_dependencies.sort_by(|a, b| a.0.as_str().cmp(b.0.as_str()));
    for (domain, requirement) in raw_dependencies {
        let requirement = positions.spanned(requirement);
        match semver::VersionReq::parse(requirement.value.trim()) {
            Ok(req) => dependencies.push((
                positions.spanned(domain),
                Spanned::new(req, requirement.range),
            )),
            Err(error) => diagnostics.push(
                Diagnostic::new(
                    Code::InvalidVersion,
                    file.clone(),
                    requirement.range,
                    format!(
                        "`{}` is not a semver requirement: {error}",
                        requirement.value
                    ),
                )
                .with_help("write a requirement such as \"^1.2\" or \">=1.0, <3\""),
            ),
        }
    }
    let models = raw
        .models
        .iter()
        .map(|(name, settings)| {
            let name = positions.spanned(name);
            let settings = ModelSettings {
                materialization: settings
                    .materialization
                    .as_ref()
                    .map(|m| positions.spanned(m)),
                description: settings.description.clone(),
                incremental: settings.incremental.as_ref().map(|raw| {
                    let settings = IncrementalSettings {
                        unique_key: raw
                            .unique_key
                            .0
                            .iter()
                            .map(|k| positions.spanned(k))
                            .collect(),
                        updated_at: raw.updated_at.as_ref().map(|u| positions.spanned(u)),
                    };
                    Spanned::new(settings, positions.range(raw.span()))
                }),
            };
            (name.value.clone(), (name, settings))
        })
        .collect();
    let mut models: BTreeMap<String, (Spanned<String>, ModelSettings)> = models;
    for (model, (_, settings)) in models.iter_mut() {
        incremental_settings(file, model, settings, &mut diagnostics);
    }
    let mut materialization = raw.materialization.as_ref().map(|m| positions.spanned(m));
    if let Some(m) = materialization
        .as_ref()
        .filter(|m| m.value == Materialization::Incremental)
    {
        diagnostics.push(
            Diagnostic::new(
                Code::InvalidConfig,
                file.clone(),
                m.range,
                "a domain's default materialization cannot be `incremental`".to_string(),
            )
            .with_help("set `materialization: incremental` and its `incremental:` settings (the unique key) on each incremental model under `models:`"),
        );
        materialization = None;
    }
    let name = positions.spanned(&raw.name);
    for (missing, key, example, why) in [
        (
            // Required means given and not blank (`owner: ""` named no one).
            raw.owner.as_deref().is_none_or(|o| o.trim().is_empty()),
            "owner",
            format!("owner: {}-team@example.com", name.value),
            "who answers for this domain's products",
        ),
        (
            raw.version.is_none(),
            "version",
            "version: 1.0.0".to_string(),
            "the domain's own semver version",
        ),
    ] {
        if missing {
            diagnostics.push(
                Diagnostic::new(
                    Code::InvalidConfig,
                    file.clone(),
                    name.range,
                    format!("domain `{}` has no `{key}` (or an empty one)", name.value),
                )
                .with_help(format!("add `{example}` ({why})")),
            );
        }
    }
    let config = DomainConfig {
        name,
        owner: raw.owner,
        version,
        description: raw.description,
        dependencies,
        materialization: materialization.map(|m| m.value).unwrap_or_default(),
        models,
    };
    (Some(config), diagnostics)
}

/// Settles a model's materialization with its `incremental:` settings:
/// settings alone mean `materialization: incremental`; either without the
/// other, or an empty key, is reported.
fn incremental_settings(
    file: &Arc<str>,
    model: &str,
    settings: &mut ModelSettings,
    diagnostics: &mut Vec<Diagnostic>,
) {
    match (&settings.materialization, &settings.incremental) {
        (Some(m), None) if m.value == Materialization::Incremental => {
            diagnostics.push(
                Diagnostic::new(
                    Code::InvalidConfig,
                    file.clone(),
                    m.range,
                    format!("model `{model}` is incremental but has no `incremental:` settings"),
                )
                .with_help(format!(
                    "add, under `{model}:`, `incremental: {{ unique_key: id, updated_at: loaded_at }}` with the model's key and load-time columns"
                )),
            );
            settings.materialization = None;
        }
        (Some(m), Some(incremental)) if m.value != Materialization::Incremental => {
            diagnostics.push(
                Diagnostic::new(
                    Code::InvalidConfig,
                    file.clone(),
                    incremental.range,
                    format!(
                        "`incremental:` settings on model `{model}`, which is materialized as a {}",
                        if m.value == Materialization::View {
                            "view"
                        } else {
                            "table"
                        }
                    ),
                )
                .with_help("set `materialization: incremental`, or remove `incremental:`"),
            );
            settings.incremental = None;
        }
        (None, Some(incremental)) => {
            settings.materialization = Some(Spanned::new(
                Materialization::Incremental,
                incremental.range,
            ));
        }
        _ => {}
    }
    if let Some(incremental) = &settings.incremental
        && incremental.value.unique_key.is_empty()
    {
        diagnostics.push(
            Diagnostic::new(
                Code::InvalidConfig,
                file.clone(),
                incremental.range,
                format!("model `{model}` has an empty `unique_key`"),
            )
            .with_help("name the columns that identify a row, e.g. `unique_key: [order_id]`"),
        );
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, expecting = "a mapping with keys sources")]
struct RawSources {
    #[serde(default)]
    sources: Vec<RawSource>,
}

#[derive(Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a mapping with keys name, description, path, format, csv, columns"
)]
struct RawSource {
    name: Marked<String>,
    #[serde(default)]
    description: Option<String>,
    path: Marked<String>,
    #[serde(default)]
    external: bool,
    #[serde(default)]
    format: Option<SourceFormat>,
    #[serde(default)]
    csv: Option<RawCsv>,
    #[serde(default)]
    columns: Vec<RawColumn>,
}

#[derive(Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a mapping with keys header, delimiter, quote"
)]
struct RawCsv {
    #[serde(default)]
    header: Option<bool>,
    #[serde(default)]
    delimiter: Option<Marked<String>>,
    #[serde(default)]
    quote: Option<Marked<String>>,
}

#[derive(Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a mapping with keys name, type, required, description"
)]
struct RawColumn {
    name: Marked<String>,
    #[serde(rename = "type")]
    ty: Marked<String>,
    #[serde(default)]
    required: bool,
    #[serde(default)]
    description: Option<String>,
}

/// Parses `<domain>/sources.yaml`.
pub fn parse_sources(file: &Arc<str>, text: &str) -> (SourcesFile, Vec<Diagnostic>) {
    let positions = Positions::new(text);
    let (raw, mut diagnostics) = deserialize::<RawSources>(file, text, &positions, "sources file");
    let Some(raw) = raw else {
        return (SourcesFile::default(), diagnostics);
    };
    let mut sources = Vec::new();
    for source in raw.sources {
        let path = positions.spanned(&source.path);
        let format =
            source
                .format
                .unwrap_or(if path.value.to_ascii_lowercase().ends_with(".parquet") {
                    SourceFormat::Parquet
                } else {
                    SourceFormat::Csv
                });
        let mut csv = CsvOptions::default();
        if let Some(raw_csv) = &source.csv {
            csv.header = raw_csv.header.unwrap_or(true);
            if let Some(d) = &raw_csv.delimiter {
                match single_char(&positions.spanned(d)) {
                    Ok(c) => csv.delimiter = c,
                    Err(d) => diagnostics.push(one_char_error(file, &d, "delimiter")),
                }
            }
            if let Some(q) = &raw_csv.quote {
                let spanned = positions.spanned(q);
                if spanned.value.is_empty() {
                    csv.quote = None;
                } else {
                    match single_char(&spanned) {
                        Ok(c) => csv.quote = Some(c),
                        Err(q) => diagnostics.push(one_char_error(file, &q, "quote")),
                    }
                }
            }
        }
        let mut columns = Vec::new();
        for column in &source.columns {
            let _ = &column.description;
            let ty = positions.spanned(&column.ty);
            // A column of unknown type is kept, typed NULL (compatible with
            // everything), so its readers get no second error.
            let parsed = SqlType::parse(&ty.value).unwrap_or_else(|| {
                diagnostics.push(unknown_type(file, &ty));
                SqlType::Null
            });
            columns.push(SourceColumn {
                name: positions.spanned(&column.name),
                ty: Spanned::new(parsed, ty.range),
                required: column.required,
            });
        }
        sources.push(SourceDecl {
            name: positions.spanned(&source.name),
            description: source.description,
            path,
            external: source.external,
            format,
            csv,
            columns,
        });
    }
    (SourcesFile { sources }, diagnostics)
}

fn single_char(value: &Spanned<String>) -> Result<char, Spanned<String>> {
    let mut chars = value.value.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) => Ok(c),
        _ => Err(value.clone()),
    }
}

fn one_char_error(file: &Arc<str>, value: &Spanned<String>, what: &str) -> Diagnostic {
    Diagnostic::new(
        Code::InvalidConfig,
        file.clone(),
        value.range,
        format!(
            "the CSV {what} must be one character, found `{}`",
            value.value
        ),
    )
    .with_help("for a tab write \"\\t\" in double quotes")
}

pub(crate) fn unknown_type(file: &Arc<str>, ty: &Spanned<String>) -> Diagnostic {
    Diagnostic::new(
        Code::UnknownType,
        file.clone(),
        ty.range,
        format!("`{}` is not a mesh SQL type", ty.value),
    )
    .with_help(
        "use BOOLEAN, SMALLINT, INTEGER, BIGINT, DECIMAL(p,s), REAL, DOUBLE, VARCHAR, DATE, TIME, TIMESTAMP or INTERVAL",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file() -> Arc<str> {
        Arc::from("d/domain.yaml")
    }

    fn at<'a>(text: &'a str, d: &Diagnostic) -> &'a str {
        &text[d.range.start as usize..d.range.end as usize]
    }

    #[test]
    fn reads_a_domain() {
        let text = "name: insights\nowner: a\nversion: 1.2.0\ndependencies:\n  orders: \"^1.0\"\nmaterialization: table\nmodels:\n  a: { materialization: view }\n";
        let (config, diagnostics) = parse_domain_config(&file(), text);
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        let config = config.expect("parsed");
        assert_eq!(config.name.value, "insights");
        assert_eq!(
            at(
                text,
                &Diagnostic::new(Code::Io, file(), config.name.range, "")
            ),
            "insights"
        );
        assert_eq!(config.dependencies[0].0.value, "orders");
        assert_eq!(config.materialization, Materialization::Table);
        assert_eq!(
            config.models["a"]
                .1
                .materialization
                .as_ref()
                .map(|m| m.value),
            Some(Materialization::View)
        );
    }

    #[test]
    fn incremental_settings_and_their_mistakes() {
        let parse = |models: &str| {
            let text = format!("name: d\nowner: a\nversion: 1.0.0\nmodels:\n{models}");
            parse_domain_config(&file(), &text)
        };
        let (config, diagnostics) =
            parse("  a:\n    incremental: { unique_key: [id, line], updated_at: loaded_at }\n");
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        let settings = &config.expect("parses").models["a"].1;
        assert_eq!(
            settings.materialization.as_ref().map(|m| m.value),
            Some(Materialization::Incremental),
            "settings alone mean incremental"
        );
        let incremental = &settings.incremental.as_ref().expect("settings").value;
        let keys: Vec<&str> = incremental
            .unique_key
            .iter()
            .map(|k| k.value.as_str())
            .collect();
        assert_eq!(keys, ["id", "line"]);
        assert_eq!(
            incremental.updated_at.as_ref().map(|u| u.value.as_str()),
            Some("loaded_at")
        );

        for (models, expected) in [
            (
                "  a:\n    materialization: incremental\n",
                "is incremental but has no `incremental:` settings",
            ),
            (
                "  a:\n    materialization: table\n    incremental: { unique_key: [id] }\n",
                "which is materialized as a table",
            ),
            (
                "  a:\n    incremental: { unique_key: [] }\n",
                "has an empty `unique_key`",
            ),
        ] {
            let (_, diagnostics) = parse(models);
            assert!(
                diagnostics
                    .iter()
                    .any(|d| d.code == Code::InvalidConfig && d.message.contains(expected)),
                "{models}: {diagnostics:?}"
            );
        }
        let (config, diagnostics) = parse_domain_config(
            &file(),
            "name: d\nowner: a\nversion: 1.0.0\nmaterialization: incremental\n",
        );
        assert!(
            diagnostics[0]
                .message
                .contains("default materialization cannot be `incremental`")
        );
        assert_eq!(
            config.expect("parses").materialization,
            Materialization::View
        );
    }

    #[test]
    fn bad_versions_and_keys_are_diagnostics_at_their_span() {
        let text = "name: x\nowner: a\nversion: one\ndependencies:\n  orders: \"~>1\"\n";
        let (_, diagnostics) = parse_domain_config(&file(), text);
        let found: Vec<_> = diagnostics
            .iter()
            .map(|d| (d.code.as_str(), at(text, d)))
            .collect();
        assert_eq!(found, vec![("MESH0207", "one"), ("MESH0207", "\"~>1\"")]);

        let text = "name: x\nowner: a\nversion: 1.0.0\nmaterialisation: table\n";
        let (config, diagnostics) = parse_domain_config(&file(), text);
        assert!(config.is_some(), "the rest of the file is read");
        assert_eq!(diagnostics.len(), 1);
        assert_eq!(
            diagnostics[0].help.as_deref(),
            Some("did you mean `materialization`?")
        );
        assert_eq!(diagnostics[0].code, Code::InvalidConfig);
        assert!(
            diagnostics[0].message.contains("materialisation"),
            "{}",
            diagnostics[0].message
        );
        assert_eq!(at(text, &diagnostics[0]), "materialisation");
    }

    #[test]
    fn owner_and_version_are_required() {
        let text = "name: x\n";
        let (config, diagnostics) = parse_domain_config(&file(), text);
        assert!(config.is_some());
        let found: Vec<_> = diagnostics.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(
            found,
            vec![
                "domain `x` has no `owner` (or an empty one)",
                "domain `x` has no `version` (or an empty one)"
            ]
        );
        for blank in ["\"\"", "\"  \"", "''"] {
            let text = format!("name: x\nowner: {blank}\nversion: 1.0.0\n");
            let (_, diagnostics) = parse_domain_config(&file(), &text);
            let found: Vec<_> = diagnostics.iter().map(|d| d.message.as_str()).collect();
            assert_eq!(
                found,
                vec!["domain `x` has no `owner` (or an empty one)"],
                "{text}"
            );
        }
    }

    /// Shape errors speak of keys and mappings, not of meshc's structs.
    #[test]
    fn shape_errors_are_in_the_users_terms() {
        let text = "name: x\nowner: a\nversion: 1.0.0\nmodels:\n  a: table\n";
        let (_, diagnostics) = parse_domain_config(&file(), text);
        assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
        let message = &diagnostics[0].message;
        assert!(
            message.contains("expected a mapping with keys materialization, description"),
            "{message}"
        );
        assert!(!message.contains("Raw"), "{message}");
        let (_, diagnostics) =
            parse_sources(&Arc::from("d/sources.yaml"), "sources:\n  - name: s\n");
        assert!(
            diagnostics[0]
                .message
                .contains("missing required key `path`"),
            "{}",
            diagnostics[0].message
        );
    }

    /// Every value of the wrong shape is reported, not only the first, and a
    /// required key reported as wrong is not reported again as missing.
    #[test]
    fn every_shape_error_in_a_file_is_reported() {
        let text = "name: x\nowner: a\nversion: 1.0.0\nmaterialization: tabel\ndescription: [x]\nmodels:\n  c:\n    materialization: view\n";
        let (config, diagnostics) = parse_domain_config(&file(), text);
        let found: Vec<_> = diagnostics.iter().map(|d| at(text, d)).collect();
        assert_eq!(diagnostics.len(), 2, "{diagnostics:?}");
        assert!(found[0].starts_with("tabel"), "{found:?}");
        assert!(found[1].starts_with("[x"), "{found:?}");
        // What was right is still read.
        let config = config.expect("the rest of the file is read");
        assert!(config.models.contains_key("c"), "{:?}", config.models);

        let text = "sources:\n  - name: s\n    path: [a]\n  - name: t\n    path: t.csv\n    csv: { header: maybe }\n  - name: u\n    path: u.csv\n";
        let (sources, diagnostics) = parse_sources(&Arc::from("d/sources.yaml"), text);
        let found: Vec<_> = diagnostics.iter().map(|d| at(text, d)).collect();
        assert_eq!(diagnostics.len(), 2, "{diagnostics:?}");
        assert!(found[0].starts_with("[a"), "{found:?}");
        assert!(found[1].starts_with("maybe"), "{found:?}");
        assert!(
            !diagnostics.iter().any(|d| d.message.contains("missing")),
            "{diagnostics:?}"
        );
        let names: Vec<_> = sources
            .sources
            .iter()
            .map(|s| s.name.value.as_str())
            .collect();
        assert_eq!(names, ["t", "u"]);
    }

    #[test]
    fn yaml_syntax_errors_point_into_the_file() {
        let text = "name: x\n  bad: [\n";
        let (_, diagnostics) = parse_domain_config(&file(), text);
        assert_eq!(diagnostics[0].code, Code::YamlSyntax);
    }

    #[test]
    fn reads_sources_with_types() {
        let text = "sources:\n  - name: raw\n    path: data/raw.csv\n    columns:\n      - { name: id, type: INTEGER, required: true }\n      - { name: x, type: blob }\n";
        let (sources, diagnostics) = parse_sources(&Arc::from("d/sources.yaml"), text);
        assert_eq!(diagnostics.len(), 1);
        assert_eq!(diagnostics[0].code, Code::UnknownType);
        assert_eq!(at(text, &diagnostics[0]), "blob");
        let source = &sources.sources[0];
        assert_eq!(source.format, SourceFormat::Csv);
        assert_eq!(source.columns[0].ty.value, SqlType::Integer);
        assert!(source.columns[0].required);
        assert_eq!(
            at(
                text,
                &Diagnostic::new(Code::Io, file(), source.columns[0].name.range, "")
            ),
            "id"
        );
    }
}
