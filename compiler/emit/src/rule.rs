//! The query of a `type: sql` quality rule, checked and lowered like a model.
//!
//! A rule's text is parsed by meshc (placeholders substituted in the tokens),
//! type-checked with the names and access rules of a model of the product's
//! domain, and printed from its syntax tree for the target, with the product
//! itself standing for the relation under check. What the engine runs is
//! therefore meshc's own SQL: one query, every relation resolved.
//!
//! The same check resolves the products that record-loss and relationship
//! rules read ([`check_rule_reads`]), so a rule cannot name what a model of
//! the domain could not read.

use std::sync::Arc;

use mesh_diagnostics::{Code, Diagnostic, TextRange};
use mesh_sema::{Db, Lowering, ModelId, NoLowering, RelationTarget, infer_rule};
use mesh_syntax::ast::{Expr, Ident, ObjectName};
use mesh_syntax::{EmbeddedSql, Placeholders, SqlType, parse_rule_query};

use crate::Target;

/// Target hooks, with the product under check named `relation` (SQL text the
/// runner replaces) instead of its physical name. Without a target (checking
/// only) nothing is rewritten.
struct RuleLowering<'a> {
    inner: Option<Box<dyn Lowering>>,
    product: RelationTarget,
    relation: &'a str,
}

impl Lowering for RuleLowering<'_> {
    fn relation_name(&mut self, target: &RelationTarget) -> Option<ObjectName> {
        let inner = self.inner.as_mut()?;
        if *target == self.product {
            return Some(ObjectName::from(vec![Ident::new(self.relation)]));
        }
        inner.relation_name(target)
    }

    fn integer_division(&mut self, expr: &mut Expr) {
        if let Some(inner) = &mut self.inner {
            inner.integer_division(expr);
        }
    }

    fn arithmetic(&mut self, expr: &mut Expr, left: SqlType, right: SqlType, result: SqlType) {
        if let Some(inner) = &mut self.inner {
            inner.arithmetic(expr, left, right, result);
        }
    }

    fn function_call(
        &mut self,
        expr: &mut Expr,
        name: &str,
        args: &[SqlType],
        result: SqlType,
    ) -> Option<String> {
        self.inner
            .as_mut()
            .and_then(|inner| inner.function_call(expr, name, args, result))
    }

    fn cast(&mut self, expr: &mut Expr, from: SqlType, to: SqlType) -> Option<String> {
        self.inner
            .as_mut()
            .and_then(|inner| inner.cast(expr, from, to))
    }

    fn expression(&mut self, expr: &mut Expr, ty: SqlType) -> Option<String> {
        self.inner
            .as_mut()
            .and_then(|inner| inner.expression(expr, ty))
    }
}

/// The product a rule checks.
#[derive(Clone, Copy)]
pub struct RuleContext<'a, 'db> {
    /// The product's model.
    pub product: ModelId<'db>,
    /// The contract file (diagnostics point into it).
    pub file: &'a Arc<str>,
    /// The rule's name, for messages.
    pub rule: &'a str,
}

/// A rule query after checking (and lowering).
#[derive(Clone, Debug, Default)]
pub struct LoweredRule {
    /// The query in the target's SQL, when it checks clean and a target was given.
    pub sql: Option<String>,
    /// The other models and products it reads (`domain.name`).
    pub reads: Vec<String>,
    /// Every diagnostic, placed in the contract file.
    pub diagnostics: Vec<Diagnostic>,
}

/// Parses, checks and (with a target) lowers the query of a `type: sql` rule
/// attached to `column` (as the contract spells it) or to the whole product;
/// the lowered query reads the product under check as `relation`.
pub fn lower_rule_query(
    db: &dyn Db,
    context: RuleContext<'_, '_>,
    sql: &EmbeddedSql,
    column: Option<&str>,
    target: Option<Target>,
    relation: &str,
) -> LoweredRule {
    // Every walk over a syntax tree runs with the stack the depth limit needs.
    mesh_syntax::with_stack(|| lower(db, context, sql, column, target, relation))
}

fn lower(
    db: &dyn Db,
    context: RuleContext<'_, '_>,
    sql: &EmbeddedSql,
    column: Option<&str>,
    target: Option<Target>,
    relation: &str,
) -> LoweredRule {
    let product_name = context.product.name(db).clone();
    let parsed = parse_rule_query(
        context.file,
        context.rule,
        sql,
        Placeholders {
            object: &product_name,
            property: column,
        },
    );
    let Some(mut query) = parsed.query else {
        return LoweredRule {
            diagnostics: parsed.diagnostics,
            ..LoweredRule::default()
        };
    };
    let mut lowering = RuleLowering {
        inner: target.map(|t| t.lowering(db)),
        product: RelationTarget::Model {
            domain: context.product.domain(db).name(db).clone(),
            name: product_name,
        },
        relation,
    };
    let inferred = infer_rule(
        db,
        context.product,
        context.file,
        &sql.text,
        &parsed.line_index,
        &mut query,
        &mut lowering,
    );
    let mut diagnostics: Vec<Diagnostic> = inferred
        .diagnostics
        .into_iter()
        .map(|mut d| {
            d.range = sql.file_range(d.range);
            d
        })
        .collect();
    let errors = diagnostics.iter().any(Diagnostic::is_error);
    let columns = &inferred.relation.columns;
    if !errors {
        let problem = match columns.as_slice() {
            [one] if one.ty.is_numeric() || one.ty == SqlType::Null => None,
            [one] => Some(format!(
                "the query of rule `{}` returns a {}, not a number",
                context.rule, one.ty
            )),
            _ => Some(format!(
                "the query of rule `{}` returns {} columns; a rule's query returns one number",
                context.rule,
                columns.len()
            )),
        };
        if let Some(message) = problem {
            diagnostics.push(
                Diagnostic::new(
                    Code::InvalidQualityRule,
                    context.file.clone(),
                    sql.range,
                    message,
                )
                .with_help(
                    "select exactly one number, such as `SELECT COUNT(*) FROM {object} WHERE …`",
                ),
            );
        }
    }
    let mut reads: Vec<String> = inferred
        .dependencies
        .iter()
        .filter(|d| d.target != lowering.product)
        .map(|d| match &d.target {
            RelationTarget::Model { domain, name } | RelationTarget::Source { domain, name } => {
                format!("{domain}.{name}")
            }
        })
        .collect();
    reads.sort();
    reads.dedup();
    let clean = !diagnostics.iter().any(Diagnostic::is_error);
    LoweredRule {
        sql: (clean && target.is_some()).then(|| format!("{query}")),
        reads,
        diagnostics,
    }
}

/// Checks that `product` (`domain.product`, read by a record-loss or
/// relationship rule) can be read from the rule's domain with the access rules
/// of a model, and has `columns`. Diagnostics point at `range`.
pub fn check_rule_reads(
    db: &dyn Db,
    context: RuleContext<'_, '_>,
    product: &str,
    columns: &[(&str, Option<SqlType>)],
    range: TextRange,
) -> Vec<Diagnostic> {
    let quote = |name: &str| format!("\"{}\"", name.replace('"', "\"\""));
    let relation = product.split('.').map(quote).collect::<Vec<_>>().join(".");
    let select = if columns.is_empty() {
        "1 AS x".to_string()
    } else {
        columns
            .iter()
            .map(|(c, _)| quote(c))
            .collect::<Vec<_>>()
            .join(", ")
    };
    // Each key is compared with a value of the checked product's key type,
    // so keys that cannot be compared are the usual MESH3002.
    let comparisons: Vec<String> = columns
        .iter()
        .filter_map(|(c, ty)| Some(format!("{} = CAST(NULL AS {})", quote(c), (*ty)?)))
        .collect();
    let filter = if comparisons.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", comparisons.join(" AND "))
    };
    // Text meshc writes itself, from names already split and quoted.
    let probe = EmbeddedSql::synthesized(format!("SELECT {select} FROM {relation}{filter}"), range);
    let product_name = context.product.name(db).clone();
    let parsed = parse_rule_query(
        context.file,
        context.rule,
        &probe,
        Placeholders {
            object: &product_name,
            property: None,
        },
    );
    let Some(mut query) = parsed.query else {
        return parsed.diagnostics;
    };
    let inferred = infer_rule(
        db,
        context.product,
        context.file,
        &probe.text,
        &parsed.line_index,
        &mut query,
        &mut NoLowering,
    );
    inferred
        .diagnostics
        .into_iter()
        // The comparisons exist to check types; NULLs are the rule's business.
        .filter(|d| d.code != Code::NullableComparison)
        .map(|mut d| {
            d.range = range;
            d.message = format!("rule `{}`: {}", context.rule, d.message);
            d
        })
        .collect()
}
