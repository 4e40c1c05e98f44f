//! Diagnostics about the workspace as a whole: configuration files, domains,
//! name clashes, contracts without models and dependency cycles.

use std::collections::BTreeMap;

use mesh_diagnostics::{Code, Diagnostic, TextRange, did_you_mean};
use mesh_syntax::{NameKind, name_problem};

use crate::db::{Db, DomainId, ModelId};
use crate::graph::mesh_graph;
use crate::index::{
    domain_scope, file_index, member_domains, parse_contract_file, parse_domain_file,
    parse_mesh_file, parse_sources_file, whole_file,
};
use crate::lower::RelationTarget;
use crate::model::analyze_model;

/// MESH2016/2017 when `name` breaks the identifier rule (mesh_syntax::name_problem).
fn check_name(
    out: &mut Vec<Diagnostic>,
    file: &std::sync::Arc<str>,
    range: TextRange,
    name: &str,
    kind: NameKind,
) {
    if let Some((code, message, help)) = name_problem(name, kind) {
        out.push(Diagnostic::new(code, file.clone(), range, message).with_help(help));
    }
}

/// The `incremental:` settings of a domain's models against the models'
/// output columns: every `unique_key` column and `updated_at` must be one.
#[salsa::tracked(returns(ref))]
pub fn incremental_diagnostics<'db>(db: &'db dyn Db, domain: DomainId<'db>) -> Vec<Diagnostic> {
    if let Some(cached) = crate::warm::incremental_diagnostics(db, domain) {
        return cached;
    }
    let mut out = Vec::new();
    let scope = domain_scope(db, domain);
    let (Some(config), Some(file)) = (
        scope.config.as_ref(),
        file_index(db)
            .directories
            .get(domain.name(db))
            .and_then(|f| f.domain_yaml),
    ) else {
        return out;
    };
    for (name, (_, settings)) in &config.models {
        let Some(incremental) = &settings.incremental else {
            continue;
        };
        let Some((model_name, _)) = scope.models.get(&name.to_ascii_lowercase()) else {
            continue;
        };
        let model = ModelId::new(db, domain, model_name.clone());
        // A model that does not type-check has its own errors.
        let Some(relation) = crate::model::model_signature(db, model) else {
            continue;
        };
        let columns = incremental
            .value
            .unique_key
            .iter()
            .map(|k| (k, "unique_key"))
            .chain(
                incremental
                    .value
                    .updated_at
                    .iter()
                    .map(|u| (u, "updated_at")),
            );
        for (column, key) in columns {
            if relation.column(&column.value).is_some() {
                continue;
            }
            let names = relation.columns.iter().map(|c| c.name.as_str());
            let help = match did_you_mean(&column.value, names) {
                Some(similar) => format!("did you mean `{similar}`?"),
                None => format!(
                    "`{key}` names an output column of the model; it returns {}",
                    relation
                        .columns
                        .iter()
                        .map(|c| format!("`{}`", c.name))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            };
            out.push(
                Diagnostic::new(
                    Code::UnknownColumn,
                    file.path(db).clone(),
                    column.range,
                    format!(
                        "`{key}` of incremental model `{model_name}` names `{}`, which is not one of its output columns",
                        column.value
                    ),
                )
                .with_help(help),
            );
        }
    }
    out
}

/// Diagnostics of `mesh.yaml` and of the list of domains.
#[salsa::tracked(returns(ref))]
pub fn workspace_diagnostics(db: &dyn Db) -> Vec<Diagnostic> {
    let mut out = db.workspace().load_diagnostics(db).clone();
    let index = file_index(db);
    for &file in &index.stray {
        let path = file.path(db);
        let name = path.rsplit('/').next().unwrap_or(path);
        let help = match name {
            "domain.yml" | "sources.yml" | "mesh.yml" => {
                format!("rename it to `{}`", name.replace(".yml", ".yaml"))
            }
            _ if name.ends_with(".sql") => {
                "a model is `<domain>/models/<name>.sql` (no subdirectories); move it there or delete it"
                    .to_string()
            }
            _ => "meshc reads mesh.yaml, <domain>/domain.yaml, <domain>/sources.yaml, <domain>/models/*.sql and <domain>/contracts/*.yaml".to_string(),
        };
        out.push(
            Diagnostic::new(
                Code::StrayFile,
                path.clone(),
                TextRange::empty(0),
                format!("{path} is not where meshc looks for workspace files, so it is ignored"),
            )
            .with_help(help),
        );
    }
    let Some(mesh_file) = index.mesh_yaml else {
        out.push(
            Diagnostic::new(
                Code::MissingMeshYaml,
                "mesh.yaml".into(),
                TextRange::empty(0),
                "no mesh.yaml in the workspace directory",
            )
            .with_help("run `meshc init` to create a workspace, or pass `--workspace DIR`"),
        );
        return out;
    };
    let (config, diagnostics) = parse_mesh_file(db, mesh_file);
    out.extend(diagnostics.iter().cloned());
    let Some(config) = config else {
        return out;
    };
    // DuckDB names the database after its file: a domain (schema) of the same
    // name makes every `domain.table` ambiguous.
    let database = config
        .duckdb_path
        .as_deref()
        .and_then(|p| std::path::Path::new(p).file_stem())
        .and_then(|s| s.to_str())
        .unwrap_or(&config.name.value)
        .to_string();
    if let Some(clash) = config
        .domains
        .iter()
        .find(|d| d.value.eq_ignore_ascii_case(&database))
    {
        out.push(
            Diagnostic::new(
                Code::InvalidConfig,
                mesh_file.path(db).clone(),
                clash.range,
                format!(
                    "domain `{}` has the name of the DuckDB database file ({database}.duckdb), so DuckDB cannot tell the database from the schema",
                    clash.value
                ),
            )
            .with_help(format!(
                "rename the workspace (`name:`) or set `targets: {{ duckdb: {{ path: target/{database}_mesh.duckdb }} }}` in mesh.yaml"
            )),
        );
    }
    check_name(
        &mut out,
        mesh_file.path(db),
        config.name.range,
        &config.name.value,
        NameKind::Workspace,
    );
    // Names are case-insensitive: `Insights` is `insights` (one schema).
    let mut seen: BTreeMap<String, (&str, TextRange)> = BTreeMap::new();
    for domain in &config.domains {
        if let Some((first_name, first)) = seen.insert(
            domain.value.to_ascii_lowercase(),
            (&domain.value, domain.range),
        ) {
            let message = if first_name == domain.value {
                format!("domain `{}` is listed twice", domain.value)
            } else {
                format!(
                    "domain `{}` is domain `{first_name}`: names are case-insensitive",
                    domain.value
                )
            };
            out.push(
                Diagnostic::new(
                    Code::DuplicateName,
                    mesh_file.path(db).clone(),
                    domain.range,
                    message,
                )
                .with_label(mesh_file.path(db).clone(), first, "first listed here")
                .with_help("list each domain once; two domains need two different names"),
            );
            continue;
        }
        check_name(
            &mut out,
            mesh_file.path(db),
            domain.range,
            &domain.value,
            NameKind::Domain,
        );
        let has_files = index
            .directories
            .get(&domain.value)
            .and_then(|d| d.domain_yaml)
            .is_some();
        if !has_files {
            out.push(
                Diagnostic::new(
                    Code::MissingDomain,
                    mesh_file.path(db).clone(),
                    domain.range,
                    format!(
                        "domain `{}` has no {}/domain.yaml",
                        domain.value, domain.value
                    ),
                )
                .with_help(format!(
                    "create it with `meshc new domain {}`, or remove it from `domains:`",
                    domain.value
                )),
            );
        }
    }
    for (directory, files) in &index.directories {
        if let Some(domain_yaml) = files.domain_yaml
            && !config.domains.iter().any(|d| d.value == *directory)
        {
            out.push(
                    Diagnostic::new(
                        Code::StrayFile,
                        domain_yaml.path(db).clone(),
                        whole_file(db, domain_yaml),
                        format!("directory `{directory}` has a domain.yaml but is not listed in mesh.yaml, so it is ignored"),
                    )
                    .with_help(format!("add `{directory}` to `domains:` in mesh.yaml")),
                );
        }
    }
    out
}

/// Diagnostics of one domain's configuration, sources and contracts.
#[salsa::tracked(returns(ref))]
pub fn domain_diagnostics<'db>(db: &'db dyn Db, domain: DomainId<'db>) -> Vec<Diagnostic> {
    if let Some(cached) = crate::warm::domain_diagnostics(db, domain) {
        return cached;
    }
    let mut out = Vec::new();
    let name = domain.name(db).clone();
    let Some(files) = file_index(db).directories.get(&name) else {
        return out;
    };
    let scope = domain_scope(db, domain);
    let domains = member_domains(db);
    if let Some(file) = files.domain_yaml {
        let (config, diagnostics) = parse_domain_file(db, file);
        out.extend(diagnostics.iter().cloned());
        if let Some(config) = config {
            if config.name.value != name {
                out.push(
                    Diagnostic::new(
                        Code::DomainNameMismatch,
                        file.path(db).clone(),
                        config.name.range,
                        format!(
                            "the domain in directory `{name}` is named `{}`",
                            config.name.value
                        ),
                    )
                    .with_help(format!(
                        "set `name: {name}` (the directory name is the name used in SQL)"
                    )),
                );
            }
            for (dependency, _) in &config.dependencies {
                let problem = if dependency.value == name {
                    Some(("a domain cannot depend on itself".to_string(), None))
                } else if !domains.contains(&dependency.value)
                    && !crate::index::external_domains(db).contains(&dependency.value)
                {
                    let help = did_you_mean(&dependency.value, domains.iter().map(String::as_str))
                        .map(|d| format!("did you mean `{d}`?"));
                    Some((
                        format!("`{}` is not a domain of this workspace", dependency.value),
                        help.or_else(|| Some(format!(
                            "if `{}` lives in another repository, run `meshc lock` to resolve its products from the registry",
                            dependency.value
                        ))),
                    ))
                } else {
                    None
                };
                if let Some((message, help)) = problem {
                    let mut diagnostic = Diagnostic::new(
                        Code::InvalidDependency,
                        file.path(db).clone(),
                        dependency.range,
                        message,
                    );
                    diagnostic.help = help;
                    out.push(diagnostic);
                }
            }
            for (model, (spanned, _)) in &config.models {
                if !scope.models.contains_key(&model.to_ascii_lowercase()) {
                    let help = did_you_mean(model, scope.models.values().map(|(n, _)| n.as_str()))
                        .map(|m| format!("did you mean `{m}`?"));
                    let mut diagnostic = Diagnostic::new(
                        Code::UnknownRelation,
                        file.path(db).clone(),
                        spanned.range,
                        format!("settings for `{model}`, but there is no models/{model}.sql"),
                    );
                    diagnostic.help = help;
                    out.push(diagnostic);
                }
            }
        }
    }
    let mut source_names: BTreeMap<String, TextRange> = BTreeMap::new();
    if let Some(file) = files.sources_yaml {
        let (sources, diagnostics) = parse_sources_file(db, file);
        out.extend(diagnostics.iter().cloned());
        for source in &sources.sources {
            if !source.external
                && let Some(reason) = outside_workspace(&source.path.value)
            {
                out.push(
                    Diagnostic::new(
                        Code::SourceOutsideWorkspace,
                        file.path(db).clone(),
                        source.path.range,
                        format!(
                            "the path of source `{}` {reason}, outside the workspace",
                            source.name.value
                        ),
                    )
                    .with_help(
                        "move the file into the domain directory, or add `external: true` to this source to read it where it is",
                    ),
                );
            }
            check_name(
                &mut out,
                file.path(db),
                source.name.range,
                &source.name.value,
                NameKind::Source,
            );
            let mut columns: BTreeMap<String, TextRange> = BTreeMap::new();
            for column in &source.columns {
                check_name(
                    &mut out,
                    file.path(db),
                    column.name.range,
                    &column.name.value,
                    NameKind::Column,
                );
                if let Some(first) =
                    columns.insert(column.name.value.to_ascii_lowercase(), column.name.range)
                {
                    out.push(
                        Diagnostic::new(
                            Code::DuplicateName,
                            file.path(db).clone(),
                            column.name.range,
                            format!(
                                "source `{}` declares column `{}` twice (names are case-insensitive)",
                                source.name.value, column.name.value
                            ),
                        )
                        .with_label(file.path(db).clone(), first, "first declared here")
                        .with_help("remove or rename one of the two columns"),
                    );
                }
            }
            let key = source.name.value.to_ascii_lowercase();
            if let Some(first) = source_names.insert(key.clone(), source.name.range) {
                out.push(
                    Diagnostic::new(
                        Code::DuplicateName,
                        file.path(db).clone(),
                        source.name.range,
                        format!("source `{}` is declared twice", source.name.value),
                    )
                    .with_label(
                        file.path(db).clone(),
                        first,
                        "first declared here",
                    ),
                );
            } else if let Some((model, model_file)) = scope.models.get(&key) {
                out.push(
                    Diagnostic::new(
                        Code::DuplicateName,
                        file.path(db).clone(),
                        source.name.range,
                        format!(
                            "source `{}` has the same name as model `{model}`",
                            source.name.value
                        ),
                    )
                    .with_label(
                        model_file.path(db).clone(),
                        TextRange::empty(0),
                        "the model",
                    )
                    .with_help(
                        "rename the source or the model: bare names must be unique in a domain",
                    ),
                );
            }
        }
    }
    let mut models_lower: BTreeMap<String, &str> = BTreeMap::new();
    for (model, file) in &files.models {
        check_name(
            &mut out,
            file.path(db),
            TextRange::empty(0),
            model,
            NameKind::Model,
        );
        if let Some(first) = models_lower.insert(model.to_ascii_lowercase(), model) {
            out.push(
                Diagnostic::new(
                    Code::DuplicateName,
                    file.path(db).clone(),
                    TextRange::empty(0),
                    format!(
                        "model `{model}` clashes with model `{first}`: names are case-insensitive"
                    ),
                )
                .with_help("rename one of the two files"),
            );
        }
    }
    for (product, file) in &files.contracts {
        let (contract, diagnostics) = parse_contract_file(db, *file);
        out.extend(diagnostics.iter().cloned());
        if !scope.models.contains_key(&product.to_ascii_lowercase()) {
            let help = did_you_mean(product, scope.models.values().map(|(n, _)| n.as_str()))
                .map(|m| format!("did you mean contracts/{m}.yaml?"))
                .unwrap_or_else(|| format!("add models/{product}.sql or delete the contract"));
            out.push(
                Diagnostic::new(
                    Code::ContractWithoutModel,
                    file.path(db).clone(),
                    whole_file(db, *file),
                    format!("contract `{product}` publishes a product, but domain `{name}` has no model `{product}`"),
                )
                .with_help(help),
            );
        }
        if let Some(contract) = contract {
            for column in &contract.columns {
                check_name(
                    &mut out,
                    file.path(db),
                    column.name.range,
                    &column.name.value,
                    NameKind::Column,
                );
            }
            // `id` is free-form in ODCS (often a UUID); `domain` and
            // `dataProduct`, when given, must name this file's product.
            for (field, value, expected) in [
                ("domain", &contract.domain, name.as_str()),
                ("dataProduct", &contract.data_product, product.as_str()),
            ] {
                if let Some(value) = value
                    && !value.value.eq_ignore_ascii_case(expected)
                {
                    out.push(
                        Diagnostic::new(
                            Code::ContractIdentity,
                            file.path(db).clone(),
                            value.range,
                            format!(
                                "`{field}: {}` but this contract is {name}/contracts/{product}.yaml",
                                value.value
                            ),
                        )
                        .with_help(format!("write `{field}: {expected}` (or move the file)")),
                    );
                }
            }
        }
        if let Some(contract) = contract
            && let Some(schema_name) = &contract.schema_name
            && !schema_name.value.eq_ignore_ascii_case(product)
        {
            out.push(
                Diagnostic::new(
                    Code::ContractSchemaName,
                    file.path(db).clone(),
                    schema_name.range,
                    format!(
                        "the schema object is named `{}` but the contract file is `{product}.yaml`",
                        schema_name.value
                    ),
                )
                .with_help(format!("name the schema object `{product}`")),
            );
        }
    }
    out
}

/// One diagnostic per model taking part in a dependency cycle, at the place it
/// reads the next model of the cycle.
#[salsa::tracked(returns(ref))]
pub fn cycle_diagnostics(db: &dyn Db) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for cycle in &mesh_graph(db).cycles {
        let names: Vec<String> = cycle.iter().map(|n| n.qualified()).collect();
        let mut shown = names.clone();
        if let Some(first) = names.first() {
            shown.push(first.clone());
        }
        let text = shown.join(" -> ");
        for (i, node) in cycle.iter().enumerate() {
            let next = &cycle[(i + 1) % cycle.len()];
            let domain = DomainId::new(db, node.domain.clone());
            let model = ModelId::new(db, domain, node.name.clone());
            let Some((_, file)) = domain_scope(db, domain)
                .models
                .get(&node.name.to_ascii_lowercase())
            else {
                continue;
            };
            let range = analyze_model(db, model)
                .dependencies
                .iter()
                .find(|d| matches!(&d.target, RelationTarget::Model { domain, name } if *domain == next.domain && *name == next.name))
                .map(|d| d.range)
                .unwrap_or_default();
            out.push(
                Diagnostic::new(
                    Code::DependencyCycle,
                    file.path(db).clone(),
                    range,
                    format!("dependency cycle: {text}"),
                )
                .with_help("break the cycle: move the shared logic into a model that both read"),
            );
        }
    }
    out
}

/// Why a source path (relative to its domain directory, one level below the
/// workspace root) leads outside the workspace, judged on its text alone: it
/// is absolute, or its `..` climb above the root. Symbolic links are followed
/// when the file is loaded.
fn outside_workspace(path: &str) -> Option<&'static str> {
    use std::path::Component;
    let path = std::path::Path::new(path);
    if path.has_root() || path.is_absolute() {
        return Some("is absolute");
    }
    // Depth below the workspace root, starting in the domain directory.
    let mut depth = 1usize;
    for component in path.components() {
        match component {
            Component::ParentDir if depth == 0 => return Some("climbs above the workspace root"),
            Component::ParentDir => depth -= 1,
            Component::Normal(_) => depth += 1,
            Component::CurDir | Component::RootDir | Component::Prefix(_) => {}
        }
    }
    None
}

#[cfg(test)]
mod path_tests {
    use super::outside_workspace;

    #[test]
    fn paths_that_leave_the_workspace() {
        assert_eq!(outside_workspace("data/raw.csv"), None);
        assert_eq!(outside_workspace("../orders/data/raw.csv"), None);
        assert_eq!(outside_workspace("./data/../data/a[1].csv"), None);
        assert_eq!(outside_workspace("/etc/passwd"), Some("is absolute"));
        assert_eq!(
            outside_workspace("../../etc/passwd"),
            Some("climbs above the workspace root")
        );
        assert_eq!(
            outside_workspace("data/../../../x.csv"),
            Some("climbs above the workspace root")
        );
    }
}
