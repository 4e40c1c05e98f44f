//! Type inference for one model: resolves every relation and column, infers
//! the name, type and nullability of each output column, and reports what
//! does not type. Walks a mutable AST so the same walk serves emission
//! through [`Lowering`] hooks.

mod expr;
mod query;
mod scope;

use std::sync::Arc;

use mesh_diagnostics::{Code, Diagnostic, LineIndex, TextRange};
use mesh_syntax::ast::{CastKind, Expr, Query};
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

/// A column of another domain's product that a model reads.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ProductUse {
    /// `domain.product`.
    pub product: String,
    pub column: String,
    pub range: TextRange,
}

/// The result of inferring one model.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Inferred {
    pub relation: Relation,
    /// Where each output column is produced, in the model file.
    pub column_ranges: Vec<TextRange>,
    pub dependencies: Vec<Dependency>,
    pub product_uses: Vec<ProductUse>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Infers the output of `query`, a model of `domain`, applying `lowering`.
/// Models of the domain are typed through their signatures, except those in
/// the model's own dependency cycle (opaque; the cycle is reported once).
#[allow(clippy::too_many_arguments)]
pub fn infer_model<'db>(
    db: &'db dyn Db,
    model: ModelId<'db>,
    file: &Arc<str>,
    text: &str,
    line_index: &LineIndex,
    query: &mut Query,
    lowering: &mut dyn Lowering,
) -> Inferred {
    infer(db, model, file, text, line_index, query, lowering, false)
}

/// Infers the query of a quality rule of `product`'s contract: mesh SQL read
/// with the names, access rules and function library of a model of the
/// product's domain (the product itself is `{object}`). Its columns need no
/// names. Positions are relative to `text`, the rule's query.
#[allow(clippy::too_many_arguments)]
pub fn infer_rule<'db>(
    db: &'db dyn Db,
    product: ModelId<'db>,
    file: &Arc<str>,
    text: &str,
    line_index: &LineIndex,
    query: &mut Query,
    lowering: &mut dyn Lowering,
) -> Inferred {
    infer(db, product, file, text, line_index, query, lowering, true)
}

#[allow(clippy::too_many_arguments)]
fn infer<'db>(
    db: &'db dyn Db,
    model: ModelId<'db>,
    file: &Arc<str>,
    text: &str,
    line_index: &LineIndex,
    query: &mut Query,
    lowering: &mut dyn Lowering,
    anonymous: bool,
) -> Inferred {
    let domain = model.domain(db);
    let mut checker = Checker {
        db,
        domain,
        model,
        scope: crate::index::domain_scope(db, domain),
        file: file.clone(),
        text,
        line_index,
        lowering,
        diagnostics: Vec::new(),
        dependencies: Vec::new(),
        product_uses: Vec::new(),
        ctes: Vec::new(),
    };
    let output = checker.query(query, None, anonymous);
    Inferred {
        relation: output.relation,
        column_ranges: output.ranges,
        dependencies: checker.dependencies,
        product_uses: checker.product_uses,
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
    scope: &'db DomainScope,
    file: Arc<str>,
    text: &'a str,
    line_index: &'a LineIndex,
    lowering: &'a mut dyn Lowering,
    diagnostics: Vec<Diagnostic>,
    dependencies: Vec<Dependency>,
    product_uses: Vec<ProductUse>,
    /// CTEs visible at this point, innermost last (lower-cased name).
    /// CTEs in scope; `None` for one whose columns are unknown (already reported).
    ctes: Vec<(String, Option<Relation>)>,
}

impl Checker<'_, '_> {
    fn range(&self, span: Span) -> TextRange {
        sql_span_to_range(self.text, self.line_index, span)
    }

    /// sqlparser's span of a call stops before its `)`, and the span of a CAST
    /// covers only the operand: widen both to the whole call as written.
    fn call_range(&self, expr: &Expr, range: TextRange) -> TextRange {
        let bytes = self.text.as_bytes();
        let closing = |from: usize| -> Option<usize> {
            let mut depth = 0usize;
            let mut quoted = false;
            for (i, &b) in bytes.iter().enumerate().skip(from) {
                match b {
                    b'\'' => quoted = !quoted,
                    _ if quoted => {}
                    b'(' => depth += 1,
                    b')' if depth == 0 => return Some(i + 1),
                    b')' => depth -= 1,
                    _ => {}
                }
            }
            None
        };
        let (start, end) = (range.start as usize, range.end as usize);
        match expr {
            Expr::Function(_) => {
                let Some(rest) = self.text.get(end..) else {
                    return range;
                };
                let skipped = rest.len() - rest.trim_start().len();
                match rest.trim_start().starts_with(')') {
                    true => TextRange::new(range.start, (end + skipped + 1) as u32),
                    false => range,
                }
            }
            Expr::Cast {
                kind: CastKind::Cast | CastKind::TryCast | CastKind::SafeCast,
                ..
            } if end <= bytes.len() => {
                let Some(before) = self.text.get(..start) else {
                    return range;
                };
                let before = before.trim_end();
                let Some(before) = before.strip_suffix('(') else {
                    return range;
                };
                let before = before.trim_end();
                let word_start = before
                    .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .map_or(0, |i| {
                        i + before[i..].chars().next().map_or(1, char::len_utf8)
                    });
                let word = before[word_start..].to_ascii_lowercase();
                match (word.as_str(), closing(end)) {
                    ("cast" | "try_cast" | "safe_cast", Some(stop)) => {
                        TextRange::new(word_start as u32, stop as u32)
                    }
                    _ => range,
                }
            }
            _ => range,
        }
    }

    /// Notes that the model reads `column` of the product labelled
    /// `domain.product@version`.
    fn use_product_column(&mut self, label: &str, column: &str, range: TextRange) {
        let product = label.split('@').next().unwrap_or(label).to_string();
        self.product_uses.push(ProductUse {
            product,
            column: column.to_string(),
            range,
        });
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

    /// What the target's dialect cannot express (MESH4001).
    fn unsupported_on_target(&mut self, range: TextRange, message: String) {
        self.error(
            Code::UnsupportedOnTarget,
            range,
            message,
            Some(
                "docs/dialects.md lists how each construct is emitted per target and what to write instead"
                    .to_string(),
            ),
        );
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
