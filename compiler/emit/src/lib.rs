//! Emission of target SQL from checked models.
//!
//! The type checker in `mesh-sema` walks a copy of each model and calls a
//! dialect's [`Lowering`] hooks wherever engines disagree (integer division,
//! aggregate result types, physical names). This crate holds those dialects.
//! Each target is one module; `quality` emits the SQL of contract quality
//! rules for every target.

mod duckdb;
mod quality;
mod rule;

use std::fmt;

use mesh_diagnostics::Diagnostic;
use mesh_sema::{Db, Lowering, ModelId, domain_scope, infer_model, parse_model_file};

pub use duckdb::{DuckDb, type_name as duckdb_type_name};
pub use quality::{CheckedProduct, RuleSql, emit_rule, sql_rule};
pub use rule::{LoweredRule, RuleContext, check_rule_reads, lower_rule_query};

/// A target engine.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Target {
    #[default]
    DuckDb,
}

impl Target {
    pub fn name(self) -> &'static str {
        match self {
            Target::DuckDb => "duckdb",
        }
    }

    fn lowering(self) -> Box<dyn Lowering> {
        match self {
            Target::DuckDb => Box::new(DuckDb),
        }
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
    let mut lowering = target.lowering();
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
    Ok(format!("{query:#}"))
}
