//! Build plans: the selected models in dependency order with their target
//! SQL and quality checks, and the sources they read.

use std::collections::{BTreeSet, HashMap, HashSet};

use mesh_diagnostics::{Code, Diagnostic, TextRange};
use mesh_emit::{
    CheckedProduct, RuleContext, Target, check_rule_reads, emit_model, emit_rule, lower_rule_query,
    sql_rule,
};
use mesh_sema::{
    Db, DomainId, ModelId, NodeId, SourceFile, analyze_model, domain_scope, mesh_graph,
    parse_contract_file,
};
use mesh_syntax::{
    CsvOptions, Materialization, Metric, RuleSeverity, SourceFormat, SqlType, Threshold, Unit,
};

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
    /// How new rows are found and merged, for `Materialization::Incremental`.
    pub incremental: Option<PlannedIncremental>,
    pub published: bool,
    pub sql: String,
    /// Ids of the models and sources it reads, and of the products of this
    /// plan its checks read (relationships, record loss).
    pub depends_on: Vec<String>,
    pub columns: Vec<PlannedColumn>,
    /// Workspace-relative path of its contract, when published.
    pub contract: Option<String>,
    /// The quality rules of its contract (empty unless published).
    pub checks: Vec<PlannedCheck>,
}

/// The `incremental:` settings of a planned model.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlannedIncremental {
    /// Output columns identifying a row.
    pub unique_key: Vec<String>,
    /// The output column whose maximum in the existing table bounds the new rows.
    pub updated_at: Option<String>,
}

/// In the SQL of a [`PlannedCheck`], stands for the relation under check
/// (the engine's `CHECKED_RELATION`).
pub const CHECKED_RELATION: &str = "{relation}";

/// How many failing rows a check's `failing_rows_sql` returns at most.
pub const FAILING_ROWS: u64 = 20;

/// One quality rule of a published product, in the target's SQL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlannedCheck {
    pub name: String,
    pub severity: RuleSeverity,
    pub threshold: Threshold,
    pub unit: Unit,
    /// One row, one DOUBLE column `value`; reads the product as [`CHECKED_RELATION`].
    pub sql: String,
    /// Up to [`FAILING_ROWS`] failing rows, for rules whose failures are rows.
    pub failing_rows_sql: Option<String>,
    /// The rule in the contract file.
    pub range: TextRange,
}

/// One source to load.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlannedSource {
    pub id: String,
    pub domain: String,
    pub name: String,
    /// Workspace-relative path of the data file, or the absolute path of an
    /// external source's file.
    pub path: String,
    /// Declared `external: true`: the file may be outside the workspace.
    pub external: bool,
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
    /// The SQL of `nodes` (in that order), emitted on all cores: emission
    /// re-runs inference with the target's hooks and is the bulk of a build.
    fn emit_in_parallel(
        &self,
        nodes: &[&NodeId],
        target: Target,
    ) -> Vec<Option<Result<String, Vec<Diagnostic>>>> {
        let threads = crate::host::worker_threads(nodes.len());
        if threads < 2 {
            return Vec::new();
        }
        let chunk = nodes.len().div_ceil(threads);
        std::thread::scope(|scope| {
            let handles: Vec<_> = nodes
                .chunks(chunk)
                .map(|part| {
                    let len = part.len();
                    let db = self.db.clone();
                    let handle = crate::host::analysis_thread(scope, move || {
                        part.iter()
                            .map(|node| {
                                let domain = DomainId::new(&db, node.domain.clone());
                                emit_model(
                                    &db,
                                    ModelId::new(&db, domain, node.name.clone()),
                                    target,
                                )
                            })
                            .map(Some)
                            .collect::<Vec<_>>()
                    });
                    (len, handle)
                })
                .collect();
            // A thread that failed leaves `None`s: those models are emitted again below.
            handles
                .into_iter()
                .flat_map(|(len, h)| {
                    h.and_then(|h| h.join().ok())
                        .unwrap_or_else(|| vec![None; len])
                })
                .collect()
        })
    }

    /// Plans the selected models for `target`. Fails with diagnostics when a
    /// selected model cannot be emitted, or with a message for a bad selector.
    pub fn plan(&self, target: Target, selectors: &[Selector]) -> Result<BuildPlan, PlanError> {
        let db = &self.db;
        let graph = mesh_graph(db);
        let selected = select(graph, selectors).map_err(PlanError::Selection)?;
        let mut plan = BuildPlan::default();
        let mut diagnostics = Vec::new();
        let mut needed_sources = BTreeSet::new();
        // Per planned model: the other products its checks read.
        let mut check_reads: Vec<Vec<String>> = Vec::new();
        let mut emitted = self
            .emitted
            .lock()
            .ok()
            .and_then(|mut slot| slot.take())
            .filter(|(for_target, _)| *for_target == target)
            .map(|(_, emitted)| emitted)
            .unwrap_or_default();
        let missing: Vec<&NodeId> = graph
            .order
            .iter()
            .filter(|n| !n.is_source && selected.contains(*n))
            .filter(|n| !emitted.contains_key(&(n.domain.clone(), n.name.clone())))
            .collect();
        for (node, sql) in missing.iter().zip(self.emit_in_parallel(&missing, target)) {
            if let Some(sql) = sql {
                emitted.insert((node.domain.clone(), node.name.clone()), sql);
            }
        }
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
            let settings = scope
                .config
                .as_ref()
                .and_then(|c| c.models.get(&node.name))
                .map(|(_, s)| s);
            let materialization = settings
                .and_then(|s| s.materialization.as_ref())
                .map(|m| m.value)
                .or(scope.config.as_ref().map(|c| c.materialization))
                .unwrap_or_default();
            let incremental = settings
                .and_then(|s| s.incremental.as_ref())
                .filter(|_| materialization == Materialization::Incremental)
                .map(|i| PlannedIncremental {
                    unique_key: i.value.unique_key.iter().map(|k| k.value.clone()).collect(),
                    updated_at: i.value.updated_at.as_ref().map(|u| u.value.clone()),
                });
            let sql = match emitted
                .remove(&(node.domain.clone(), node.name.clone()))
                .unwrap_or_else(|| emit_model(db, model, target))
            {
                Ok(sql) => sql,
                Err(found) => {
                    diagnostics.extend(found);
                    continue;
                }
            };
            let analysis = analyze_model(db, model);
            let key = node.name.to_ascii_lowercase();
            let (checks, reads) = match scope.contracts.get(&key) {
                Some(file) => match planned_checks(db, *file, &node.qualified(), target) {
                    Ok(found) => found,
                    Err(found) => {
                        diagnostics.extend(found);
                        continue;
                    }
                },
                None => (Vec::new(), Vec::new()),
            };
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
                incremental,
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
                contract: scope.contracts.get(&key).map(|f| f.path(db).to_string()),
                checks,
            });
            check_reads.push(reads);
        }
        if !diagnostics.is_empty() {
            return Err(PlanError::Diagnostics(diagnostics));
        }
        add_check_dependencies(&mut plan.models, check_reads);
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
                path: match std::path::Path::new(&source.decl.path.value).is_absolute() {
                    true => source.decl.path.value.clone(),
                    false => format!("{}/{}", node.domain, source.decl.path.value),
                },
                external: source.decl.external,
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

/// The checks of the product `id` from its contract `file`, and the other
/// products they read (`domain.product`). Every rule is checked as a query
/// of the product's domain: a `type: sql` rule's query is type-checked with a
/// model's names and access rules, and the products record-loss and
/// relationship rules read must be readable by the domain and have the key
/// columns. What does not check or cannot be emitted is a diagnostic.
fn planned_checks(
    db: &dyn Db,
    file: SourceFile,
    id: &str,
    target: Target,
) -> Result<(Vec<PlannedCheck>, Vec<String>), Vec<Diagnostic>> {
    let Some(contract) = parse_contract_file(db, file).0.as_ref() else {
        return Ok((Vec::new(), Vec::new()));
    };
    let Some(model) = product_model(db, id) else {
        // A contract without a model is reported by the domain check.
        return Ok((Vec::new(), Vec::new()));
    };
    let product = CheckedProduct {
        id,
        relation: CHECKED_RELATION,
        columns: &contract.columns,
    };
    let mut checks = Vec::new();
    let mut reads = Vec::new();
    let mut diagnostics = Vec::new();
    for rule in &contract.quality {
        let context = RuleContext {
            product: model,
            file: file.path(db),
            rule: &rule.name,
        };
        let emitted = match &rule.metric {
            Metric::Sql { query, column } => {
                let lowered = lower_rule_query(
                    db,
                    context,
                    query,
                    column.as_deref(),
                    Some(target),
                    CHECKED_RELATION,
                );
                reads.extend(lowered.reads);
                let clean = !lowered.diagnostics.iter().any(Diagnostic::is_error);
                diagnostics.extend(lowered.diagnostics);
                match lowered.sql {
                    Some(sql) => Ok(sql_rule(&sql, target)),
                    None if clean => Err(format!("rule `{}` could not be emitted", rule.name)),
                    None => continue,
                }
            }
            Metric::Relationship { .. } | Metric::RecordLoss { .. } => {
                // The checked product's type of a column, which the other
                // product's key must be comparable with.
                let own_type = |name: &str| {
                    contract
                        .columns
                        .iter()
                        .find(|c| c.name.value.eq_ignore_ascii_case(name))
                        .and_then(|c| c.ty.as_ref())
                        .map(|t| t.value)
                };
                let (read, columns): (&String, Vec<(&str, Option<SqlType>)>) = match &rule.metric {
                    Metric::Relationship {
                        column,
                        to_product,
                        to_column,
                    } => (to_product, vec![(to_column.as_str(), own_type(column))]),
                    Metric::RecordLoss { upstream, columns } => (
                        upstream,
                        columns.iter().map(|c| (c.as_str(), own_type(c))).collect(),
                    ),
                    _ => continue,
                };
                let found = check_rule_reads(db, context, read, &columns, rule.range);
                reads.push(read.clone());
                if !found.is_empty() {
                    diagnostics.extend(found);
                    continue;
                }
                emit_rule(rule, &product, target, FAILING_ROWS)
            }
            _ => emit_rule(rule, &product, target, FAILING_ROWS),
        };
        match emitted {
            Ok(sql) => checks.push(PlannedCheck {
                name: rule.name.clone(),
                severity: rule.severity,
                threshold: rule.threshold,
                unit: rule.unit,
                sql: sql.value,
                failing_rows_sql: sql.failing_rows,
                range: rule.range,
            }),
            Err(message) => diagnostics.push(
                Diagnostic::new(
                    Code::InvalidQualityRule,
                    file.path(db).clone(),
                    rule.range,
                    message,
                )
                .with_help("see docs/contracts-odcs.md for the rules meshc runs"),
            ),
        }
    }
    reads.sort();
    reads.dedup();
    if diagnostics.iter().any(Diagnostic::is_error) {
        Err(diagnostics)
    } else {
        Ok((checks, reads))
    }
}

/// The model of product `id` (`domain.product`), if the domain has one.
fn product_model<'db>(db: &'db dyn Db, id: &str) -> Option<ModelId<'db>> {
    let (domain, product) = id.split_once('.')?;
    let domain = DomainId::new(db, domain.to_string());
    let (name, _) = domain_scope(db, domain)
        .models
        .get(&product.to_ascii_lowercase())?;
    Some(ModelId::new(db, domain, name.clone()))
}

/// The diagnostics of the rules of one contract file
/// (`<domain>/contracts/<product>.yaml`), so `meshc check` reports them
/// before a run. Tracked, so a check reuses it until an input changes.
#[salsa::tracked(returns(ref))]
pub(crate) fn rule_diagnostics(db: &dyn Db, file: SourceFile) -> Vec<Diagnostic> {
    if let Some(cached) = mesh_sema::warm_rule_diagnostics(db, file) {
        return cached;
    }
    let path = file.path(db);
    let id = path
        .strip_suffix(".yaml")
        .or_else(|| path.strip_suffix(".yml"))
        .unwrap_or(path)
        .replacen("/contracts/", ".", 1);
    planned_checks(db, file, &id, Target::default())
        .err()
        .unwrap_or_default()
}

/// Makes each model depend on the planned products its checks read, so they
/// are built (and checked) first, unless that product depends on the model
/// itself (then the check reads the product's previous version); then
/// restores dependency order, keeping the given order where it has no say.
fn add_check_dependencies(models: &mut Vec<PlannedModel>, check_reads: Vec<Vec<String>>) {
    let index: HashMap<String, usize> = models
        .iter()
        .enumerate()
        .map(|(i, m)| (m.id.to_ascii_lowercase(), i))
        .collect();
    let mut added = false;
    for (i, reads) in check_reads.into_iter().enumerate() {
        for product in reads {
            let Some(&j) = index.get(&product.to_ascii_lowercase()) else {
                continue;
            };
            if i == j || depends_on(models, &index, j, i) || depends_on(models, &index, i, j) {
                continue;
            }
            let id = models[j].id.clone();
            models[i].depends_on.push(id);
            added = true;
        }
    }
    if !added {
        return;
    }
    // A stable topological sort (Kahn, smallest original position first), in
    // O(models + edges).
    let mut waiting = vec![0usize; models.len()];
    let mut readers: Vec<Vec<usize>> = vec![Vec::new(); models.len()];
    for (i, model) in models.iter().enumerate() {
        let mut ups: Vec<usize> = model
            .depends_on
            .iter()
            .filter_map(|d| index.get(&d.to_ascii_lowercase()).copied())
            .filter(|&u| u != i)
            .collect();
        ups.sort_unstable();
        ups.dedup();
        waiting[i] = ups.len();
        for u in ups {
            readers[u].push(i);
        }
    }
    let mut ready: std::collections::BinaryHeap<std::cmp::Reverse<usize>> = (0..models.len())
        .filter(|&i| waiting[i] == 0)
        .map(std::cmp::Reverse)
        .collect();
    let mut order = Vec::with_capacity(models.len());
    let mut placed = vec![false; models.len()];
    while order.len() < models.len() {
        // No ready model means a cycle, which the graph excludes; keep order.
        let next = match ready.pop() {
            Some(std::cmp::Reverse(next)) => next,
            None => match (0..models.len()).find(|&i| !placed[i]) {
                Some(next) => next,
                None => break,
            },
        };
        if placed[next] {
            continue;
        }
        placed[next] = true;
        order.push(next);
        for &reader in &readers[next] {
            waiting[reader] = waiting[reader].saturating_sub(1);
            if waiting[reader] == 0 && !placed[reader] {
                ready.push(std::cmp::Reverse(reader));
            }
        }
    }
    let mut taken: Vec<Option<PlannedModel>> =
        std::mem::take(models).into_iter().map(Some).collect();
    models.extend(order.into_iter().filter_map(|i| taken[i].take()));
}

/// Whether planned model `from` depends on planned model `to`, directly or
/// through other planned models.
fn depends_on(
    models: &[PlannedModel],
    index: &HashMap<String, usize>,
    from: usize,
    to: usize,
) -> bool {
    let mut stack = vec![from];
    let mut seen = HashSet::new();
    while let Some(at) = stack.pop() {
        if at == to {
            return true;
        }
        if !seen.insert(at) {
            continue;
        }
        stack.extend(
            models[at]
                .depends_on
                .iter()
                .filter_map(|d| index.get(&d.to_ascii_lowercase()).copied()),
        );
    }
    false
}

/// Why a plan could not be made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PlanError {
    Selection(String),
    Diagnostics(Vec<Diagnostic>),
}
