//! Type inference for one model: resolves every relation and column, infers
//! the name, type and nullability of each output column, and reports what
//! does not type. Walks a mutable AST so the same walk serves emission
//! through [`Lowering`] hooks.

mod expr;
mod query;
mod scope;

use std::sync::Arc;

use mesh_diagnostics::{Code, Diagnostic, LineIndex, TextRange};
use mesh_syntax::ast::Query;
use mesh_syntax::sql_span_to_range;
use sqlparser::tokenizer::Span;

use crate::db::{Db, DomainId, ModelId};
use crate::index::DomainScope;
use crate::lower::{Lowering, RelationTarget};
use crate::relation::Relation;

/// A relation a model reads, with where it is named.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dependency {
    pub target: RelationTarget,
    pub range: TextRange,
}

/// The result of inferring one model.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Inferred {
    pub relation: Relation,
    /// Where each output column is produced, in the model file.
    pub column_ranges: Vec<TextRange>,
    pub dependencies: Vec<Dependency>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Infers the output of `query`, a model of `domain`, applying `lowering`.
///
/// With `resolve_models: false`, other models of the domain are not typed
/// (they are opaque): that mode only collects what the model reads, for the
/// dependency graph, without depending on any other model.
#[allow(clippy::too_many_arguments)]
pub fn infer_model<'db>(
    db: &'db dyn Db,
    model: ModelId<'db>,
    resolve_models: bool,
    file: &Arc<str>,
    text: &str,
    line_index: &LineIndex,
    query: &mut Query,
    lowering: &mut dyn Lowering,
) -> Inferred {
    let domain = model.domain(db);
    let mut checker = Checker {
        db,
        domain,
        model,
        resolve_models,
        scope: crate::index::domain_scope(db, domain),
        file: file.clone(),
        text,
        line_index,
        lowering,
        diagnostics: Vec::new(),
        dependencies: Vec::new(),
        ctes: Vec::new(),
    };
    let output = checker.query(query, None);
    Inferred {
        relation: output.relation,
        column_ranges: output.ranges,
        dependencies: checker.dependencies,
        diagnostics: checker.diagnostics,
    }
}

/// The output of a query or query part.
#[derive(Default)]
pub(crate) struct Output {
    pub(crate) relation: Relation,
    pub(crate) ranges: Vec<TextRange>,
}

pub(crate) struct Checker<'a, 'db> {
    db: &'db dyn Db,
    domain: DomainId<'db>,
    model: ModelId<'db>,
    resolve_models: bool,
    scope: &'db DomainScope,
    file: Arc<str>,
    text: &'a str,
    line_index: &'a LineIndex,
    lowering: &'a mut dyn Lowering,
    diagnostics: Vec<Diagnostic>,
    dependencies: Vec<Dependency>,
    /// CTEs visible at this point, innermost last (lower-cased name).
    /// CTEs in scope; `None` for one whose columns are unknown (already reported).
    ctes: Vec<(String, Option<Relation>)>,
}

impl Checker<'_, '_> {
    fn range(&self, span: Span) -> TextRange {
        sql_span_to_range(self.text, self.line_index, span)
    }

    fn error(
        &mut self,
        code: Code,
        range: TextRange,
        message: impl Into<String>,
        help: Option<String>,
    ) {
        let mut diagnostic = Diagnostic::new(code, self.file.clone(), range, message);
        diagnostic.help = help;
        self.diagnostics.push(diagnostic);
    }

    fn unsupported(&mut self, range: TextRange, what: &str) {
        self.error(
            Code::Unsupported,
            range,
            format!("{what} is not supported in mesh SQL yet"),
            Some("rewrite it with the constructs listed in docs/sql.md".to_string()),
        );
    }
}
