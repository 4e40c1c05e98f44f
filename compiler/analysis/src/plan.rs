//! Build plans: the selected models in dependency order with their target
//! SQL, and the sources they read.

use mesh_diagnostics::Diagnostic;
use mesh_emit::{Target, emit_model};
use mesh_sema::{DomainId, ModelId, analyze_model, domain_scope, mesh_graph};
use mesh_syntax::{CsvOptions, Materialization, SourceFormat, SqlType};

use crate::host::AnalysisHost;
use crate::select::{Selector, select};

/// A column as planned for the target.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlannedColumn {
    pub name: String,
    pub ty: SqlType,
    pub nullable: bool,
}

/// One model to build.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlannedModel {
    /// `domain.name`.
    pub id: String,
    pub domain: String,
    pub name: String,
    /// Workspace-relative path of the model file.
    pub path: String,
    pub materialization: Materialization,
    pub published: bool,
    pub sql: String,
    /// Ids of the models and sources it reads.
    pub depends_on: Vec<String>,
    pub columns: Vec<PlannedColumn>,
}

/// One source to load.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlannedSource {
    pub id: String,
    pub domain: String,
    pub name: String,
    /// Workspace-relative path of the data file.
    pub path: String,
    pub format: SourceFormat,
    pub csv: CsvOptions,
    pub columns: Vec<PlannedColumn>,
}

/// What `meshc build` writes and `meshc run` executes.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct BuildPlan {
    pub domains: Vec<String>,
    pub sources: Vec<PlannedSource>,
    /// In dependency order.
    pub models: Vec<PlannedModel>,
}

impl AnalysisHost {
    /// Plans the selected models for `target`. Fails with diagnostics when a
    /// selected model cannot be emitted, or with a message for a bad selector.
    pub fn plan(&self, target: Target, selectors: &[Selector]) -> Result<BuildPlan, PlanError> {
        let db = &self.db;
        let graph = mesh_graph(db);
        let selected = select(graph, selectors).map_err(PlanError::Selection)?;
        let mut plan = BuildPlan::default();
        let mut diagnostics = Vec::new();
        let mut needed_sources = std::collections::BTreeSet::new();
        for node in &graph.order {
            if node.is_source || !selected.contains(node) {
                continue;
            }
            let domain = DomainId::new(db, node.domain.clone());
            let scope = domain_scope(db, domain);
            let model = ModelId::new(db, domain, node.name.clone());
            let upstream = graph.upstream.get(node).cloned().unwrap_or_default();
            for up in upstream.iter().filter(|u| u.is_source) {
                needed_sources.insert(up.clone());
            }
            let materialization = scope
                .config
                .as_ref()
                .map(|c| {
                    c.models
                        .get(&node.name)
                        .and_then(|(_, s)| s.materialization)
                        .unwrap_or(c.materialization)
                })
                .unwrap_or_default();
            let sql = match emit_model(db, model, target) {
                Ok(sql) => sql,
                Err(found) => {
                    diagnostics.extend(found);
                    continue;
                }
            };
            let analysis = analyze_model(db, model);
            let key = node.name.to_ascii_lowercase();
            plan.models.push(PlannedModel {
                id: node.qualified(),
                domain: node.domain.clone(),
                name: node.name.clone(),
                path: scope
                    .models
                    .get(&key)
                    .map(|(_, f)| f.path(db).to_string())
                    .unwrap_or_default(),
                materialization,
                published: scope.contracts.contains_key(&key),
                sql,
                depends_on: upstream.iter().map(|u| u.qualified()).collect(),
                columns: analysis
                    .relation
                    .iter()
                    .flat_map(|r| r.columns.iter())
                    .map(|c| PlannedColumn {
                        name: c.name.clone(),
                        ty: c.ty,
                        nullable: c.nullable,
                    })
                    .collect(),
            });
        }
        if !diagnostics.is_empty() {
            return Err(PlanError::Diagnostics(diagnostics));
        }
        for node in needed_sources {
            let domain = DomainId::new(db, node.domain.clone());
            let Some(source) = domain_scope(db, domain)
                .sources
                .get(&node.name.to_ascii_lowercase())
            else {
                continue;
            };
            plan.sources.push(PlannedSource {
                id: node.qualified(),
                domain: node.domain.clone(),
                name: node.name.clone(),
                path: format!("{}/{}", node.domain, source.decl.path.value),
                format: source.decl.format,
                csv: source.decl.csv.clone(),
                columns: source
                    .decl
                    .columns
                    .iter()
                    .map(|c| PlannedColumn {
                        name: c.name.value.clone(),
                        ty: c.ty.value,
                        nullable: !c.required,
                    })
                    .collect(),
            });
        }
        let mut domains: Vec<String> = plan
            .models
            .iter()
            .map(|m| m.domain.clone())
            .chain(plan.sources.iter().map(|s| s.domain.clone()))
            .collect();
        domains.sort();
        domains.dedup();
        plan.domains = domains;
        Ok(plan)
    }
}

/// Why a plan could not be made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PlanError {
    Selection(String),
    Diagnostics(Vec<Diagnostic>),
}
