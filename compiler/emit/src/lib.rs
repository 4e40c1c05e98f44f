//! Emission of target SQL from checked models.
//!
//! The type checker in `mesh-sema` walks a copy of each model and calls a
//! dialect's [`Lowering`] hooks wherever engines disagree (integer division,
//! aggregate result types, physical names). This crate holds those dialects.
//! Each target is one module; `quality` emits the SQL of contract quality
//! rules for every target.

mod duckdb;
mod portable;
mod quality;
mod rule;
mod teradata;
mod trino;

use std::fmt;

use std::sync::Arc;

use mesh_diagnostics::{Code, Diagnostic, TextRange};
use mesh_sema::{Db, Lowering, ModelId, domain_scope, infer_model, parse_model_file};

pub use duckdb::{DuckDb, type_name as duckdb_type_name};
pub use quality::{CheckedProduct, RuleSql, emit_rule, sql_rule};
pub use rule::{LoweredRule, RuleContext, check_rule_reads, lower_rule_query};
pub use teradata::{Teradata, type_name as teradata_type_name};
pub use trino::{Trino, type_name as trino_type_name};

/// A target engine.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Target {
    #[default]
    DuckDb,
    Trino,
    Teradata,
}

impl Target {
    pub const ALL: [Target; 3] = [Target::DuckDb, Target::Trino, Target::Teradata];

    pub fn name(self) -> &'static str {
        match self {
            Target::DuckDb => "duckdb",
            Target::Trino => "trino",
            Target::Teradata => "teradata",
        }
    }

    /// The dialect, configured from mesh.yaml's `targets`.
    fn lowering(self, db: &dyn Db) -> Box<dyn Lowering> {
        match self {
            Target::DuckDb => Box::new(DuckDb),
            Target::Trino => Box::new(trino_of(db)),
            Target::Teradata => Box::new(Teradata),
        }
    }
}

/// The physical name of model `domain.name` on `target`, quoted:
/// `"domain"."name"` (DuckDB schema, Teradata database) or
/// `"catalog"."domain"."name"` (Trino).
pub fn physical_name(db: &dyn Db, target: Target, domain: &str, name: &str) -> String {
    let model = mesh_sema::RelationTarget::Model {
        domain: domain.to_string(),
        name: name.to_string(),
    };
    match target {
        Target::Trino => trino_of(db).physical(&model).to_string(),
        Target::DuckDb | Target::Teradata => {
            format!(
                "\"{}\".\"{}\"",
                domain.replace('"', "\"\""),
                name.replace('"', "\"\"")
            )
        }
    }
}

/// The Trino dialect of the workspace (`targets.trino` of mesh.yaml).
pub fn trino_of(db: &dyn Db) -> Trino {
    match mesh_sema::mesh_config(db) {
        Some(config) => Trino::new(&config.trino),
        None => Trino::new(&mesh_syntax::TrinoTarget::default()),
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The SELECT of one model in the target's SQL, every relation physically
/// qualified. Call only for models that check clean; otherwise the
/// diagnostics of the rewrite are returned.
pub fn emit_model(
    db: &dyn Db,
    model: ModelId<'_>,
    target: Target,
) -> Result<String, Vec<Diagnostic>> {
    // Inference and printing recurse once per level of the tree (bounded by
    // mesh_syntax::MAX_TREE_DEPTH).
    mesh_syntax::with_stack(|| emit(db, model, target))
}

fn emit(db: &dyn Db, model: ModelId<'_>, target: Target) -> Result<String, Vec<Diagnostic>> {
    let domain = model.domain(db);
    let scope = domain_scope(db, domain);
    let Some((_, file)) = scope.models.get(&model.name(db).to_ascii_lowercase()) else {
        return Err(Vec::new());
    };
    let parsed = parse_model_file(db, *file);
    let Some(mut query) = parsed.query else {
        return Err(parsed.diagnostics);
    };
    let mut lowering = target.lowering(db);
    let inferred = infer_model(
        db,
        model,
        file.path(db),
        file.text(db),
        &parsed.line_index,
        &mut query,
        lowering.as_mut(),
    );
    if inferred.diagnostics.iter().any(Diagnostic::is_error) {
        return Err(inferred.diagnostics);
    }
    if target == Target::Trino {
        let refusals = trino::finish(&mut query);
        if !refusals.is_empty() {
            let range = mesh_syntax::sql_span_to_range(
                file.text(db),
                &parsed.line_index,
                sqlparser::ast::Spanned::span(&*query),
            );
            return Err(refusals
                .into_iter()
                .map(|m| refusal(file.path(db), range, m, "report it: this is a meshc bug"))
                .collect());
        }
    }
    if target == Target::Teradata {
        let mut refusals: Vec<Diagnostic> = (inferred.relation.columns.iter())
            .zip(
                inferred
                    .column_ranges
                    .iter()
                    .copied()
                    .chain(std::iter::repeat(TextRange::empty(0))),
            )
            .filter(|(c, _)| c.ty == mesh_syntax::SqlType::Boolean)
            .map(|(c, range)| {
                refusal(
                    file.path(db),
                    range,
                    format!(
                        "column `{}` is BOOLEAN, and teradata has no BOOLEAN type",
                        c.name
                    ),
                    "return CASE WHEN <condition> THEN 1 ELSE 0 END (an INTEGER) instead",
                )
            })
            .collect();
        let range = mesh_syntax::sql_span_to_range(
            file.text(db),
            &parsed.line_index,
            sqlparser::ast::Spanned::span(&*query),
        );
        refusals.extend(teradata::finish(&mut query).into_iter().map(|message| {
            refusal(
                file.path(db),
                range,
                message,
                "docs/dialects.md lists how each construct is emitted per target and what to write instead",
            )
        }));
        if !refusals.is_empty() {
            return Err(refusals);
        }
    }
    Ok(format!("{query:#}"))
}

/// A construct the target cannot express (MESH4001).
fn refusal(file: &Arc<str>, range: TextRange, message: String, help: &str) -> Diagnostic {
    Diagnostic::new(Code::UnsupportedOnTarget, file.clone(), range, message)
        .with_help(help.to_string())
}
