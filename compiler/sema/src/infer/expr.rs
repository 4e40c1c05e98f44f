//! Expressions: types, nullability, grouping rules and function calls.

use std::collections::HashSet;

use mesh_diagnostics::{Code, Diagnostic, did_you_mean};
use mesh_syntax::SqlType;
use mesh_syntax::ast::{
    BinaryOperator, CastKind, DuplicateTreatment, Expr, FunctionArg, FunctionArgExpr,
    FunctionArguments, InTarget, Spanned, UnaryOperator, Value, WindowType,
};

use super::Checker;
use super::scope::{Scope, Unresolved};
use crate::functions::{FUNCTION_NAMES, FunctionKind, function_kind, type_call};
use crate::types::{Arith, Typed, arithmetic, castable, comparable, unify};

/// The clause an expression sits in; decides which errors apply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Clause {
    Where,
    /// The ON condition of an inner join.
    JoinOn,
    /// The ON condition of a LEFT, RIGHT or FULL join.
    OuterJoinOn,
    /// LIMIT and OFFSET.
    Limit,
    GroupBy,
    Projection,
    Having,
    OrderBy,
}

/// GROUP BY keys of a grouped SELECT.
#[derive(Default)]
pub(crate) struct Grouping {
    /// Normalized text of every key expression.
    pub(crate) keys: HashSet<String>,
    /// (relation, column) of every key that is a plain column reference.
    pub(crate) columns: HashSet<(usize, usize)>,
}

impl Grouping {
    pub(crate) fn add_key(&mut self, expr: &Expr, scope: &Scope<'_>) {
        self.keys.insert(normalized(expr));
        let reference = match expr {
            Expr::Identifier(ident) => Some((None, ident.value.as_str())),
            Expr::CompoundIdentifier(parts) if parts.len() >= 2 => Some((
                Some(parts[parts.len() - 2].value.as_str()),
                parts[parts.len() - 1].value.as_str(),
            )),
            _ => None,
        };
        if let Some((qualifier, name)) = reference
            && let Ok(resolved) = scope.resolve(qualifier, name)
            && resolved.depth == 0
        {
            self.columns.insert((resolved.relation, resolved.column));
        }
    }
}

/// The context an expression is typed in.
#[derive(Clone, Copy)]
pub(crate) struct ExprCtx<'s> {
    pub(crate) scope: &'s Scope<'s>,
    pub(crate) grouping: Option<&'s Grouping>,
    pub(crate) in_aggregate: bool,
    pub(crate) allow_aggregates: bool,
    pub(crate) clause: Clause,
}

impl<'s> ExprCtx<'s> {
    pub(crate) fn plain(scope: &'s Scope<'s>, clause: Clause) -> Self {
        ExprCtx {
            scope,
            grouping: None,
            in_aggregate: false,
            allow_aggregates: false,
            clause,
        }
    }
}

/// The text used to match expressions against GROUP BY keys.
pub(crate) fn normalized(expr: &Expr) -> String {
    expr.to_string().to_ascii_lowercase()
}

/// Whether an expression calls an aggregate function outside any window or subquery.
pub(crate) fn contains_aggregate(expr: &Expr) -> bool {
    match expr {
        Expr::Function(f) => {
            let name = f.name.to_string().to_ascii_lowercase();
            if f.over.is_none() && function_kind(&name) == Some(FunctionKind::Aggregate) {
                return true;
            }
            match &f.args {
                FunctionArguments::List(list) => list.args.iter().any(|a| match a {
                    FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) => contains_aggregate(e),
                    _ => false,
                }),
                _ => false,
            }
        }
        Expr::BinaryOp { left, right, .. } => contains_aggregate(left) || contains_aggregate(right),
        Expr::UnaryOp { expr, .. }
        | Expr::Nested(expr)
        | Expr::Cast { expr, .. }
        | Expr::IsNull(expr)
        | Expr::IsNotNull(expr)
        | Expr::Extract { expr, .. }
        | Expr::Ceil { expr, .. }
        | Expr::Floor { expr, .. }
        | Expr::Trim { expr, .. } => contains_aggregate(expr),
        Expr::Substring {
            expr,
            substring_from,
            substring_for,
            ..
        } => {
            contains_aggregate(expr)
                || substring_from.as_deref().is_some_and(contains_aggregate)
                || substring_for.as_deref().is_some_and(contains_aggregate)
        }
        Expr::Between {
            expr, low, high, ..
        } => contains_aggregate(expr) || contains_aggregate(low) || contains_aggregate(high),
        Expr::Case {
            operand,
            conditions,
            else_result,
            ..
        } => {
            operand.as_deref().is_some_and(contains_aggregate)
                || conditions
                    .iter()
                    .any(|w| contains_aggregate(&w.condition) || contains_aggregate(&w.result))
                || else_result.as_deref().is_some_and(contains_aggregate)
        }
        _ => false,
    }
}

fn number_type(text: &str) -> SqlType {
    if text.contains(['e', 'E']) {
        return SqlType::Double;
    }
    match text.split_once('.') {
        Some((integral, fraction)) => {
            let integral = integral
                .trim_start_matches(['-', '+'])
                .trim_start_matches('0')
                .len() as u8;
            let scale = fraction.len().min(38) as u8;
            SqlType::Decimal {
                precision: (integral + scale).clamp(1, 38),
                scale,
            }
        }
        None => match text.parse::<i64>() {
            Ok(v) if i32::try_from(v).is_ok() => SqlType::Integer,
            Ok(_) => SqlType::BigInt,
            Err(_) => SqlType::Decimal {
                precision: 38,
                scale: 0,
            },
        },
    }
}

impl Checker<'_, '_> {
    /// Types a condition and checks it is boolean.
    pub(crate) fn condition(&mut self, expr: &mut Expr, cx: &ExprCtx<'_>, clause: &str) {
        let range = self.range(expr.span());
        let typed = self.expr(expr, cx);
        if typed.ty != SqlType::Boolean && typed.ty != SqlType::Null {
            self.error(
                Code::ExpectedBoolean,
                range,
                format!("the {clause} condition must be BOOLEAN, found {}", typed.ty),
                Some("compare the value, for example `x = 1` or `x IS NOT NULL`".to_string()),
            );
        }
    }

    pub(crate) fn expr(&mut self, expr: &mut Expr, cx: &ExprCtx<'_>) -> Typed {
        if let Some(grouping) = cx.grouping
            && !cx.in_aggregate
            && grouping.keys.contains(&normalized(expr))
        {
            let inner = ExprCtx {
                grouping: None,
                ..*cx
            };
            return self.expr(expr, &inner);
        }
        let typed = self.expr_kind(expr, cx);
        if let Some(message) = self.lowering.expression(expr, typed.ty) {
            let range = self.call_range(expr, self.range(expr.span()));
            self.unsupported_on_target(range, message);
        }
        typed
    }

    /// [`Self::expr`] without the dialect's last word.
    fn expr_kind(&mut self, expr: &mut Expr, cx: &ExprCtx<'_>) -> Typed {
        let range = self.call_range(expr, self.range(expr.span()));
        match expr {
            Expr::Identifier(ident) => {
                let name = ident.value.clone();
                self.column(None, &name, range, cx)
            }
            Expr::CompoundIdentifier(parts) => {
                if parts.len() > 3 {
                    self.unsupported(range, "a column reference with more than three parts");
                    return Typed::unknown();
                }
                let qualifier = parts[parts.len() - 2].value.clone();
                let name = parts[parts.len() - 1].value.clone();
                self.column(Some(&qualifier), &name, range, cx)
            }
            Expr::Nested(inner) => self.expr(inner, cx),
            Expr::Value(value) => match &value.value {
                Value::Number(text, _) => Typed::not_null(number_type(text)),
                Value::SingleQuotedString(_) => Typed::not_null(SqlType::Varchar),
                Value::Boolean(_) => Typed::not_null(SqlType::Boolean),
                Value::Null => Typed::new(SqlType::Null, true),
                _ => {
                    self.unsupported(range, "this kind of literal");
                    Typed::unknown()
                }
            },
            Expr::TypedString(typed) => {
                match mesh_syntax::SqlType::parse(&typed.data_type.to_string()) {
                    Some(ty @ (SqlType::Date | SqlType::Timestamp | SqlType::Time)) => {
                        Typed::not_null(ty)
                    }
                    _ => {
                        self.unsupported(range, "this typed literal");
                        Typed::unknown()
                    }
                }
            }
            Expr::Interval(interval) => {
                self.expr(&mut interval.value, cx);
                Typed::not_null(SqlType::Interval)
            }
            Expr::BinaryOp { .. } => self.binary(expr, cx, range),
            Expr::UnaryOp { op, expr: inner } => {
                let op = *op;
                let typed = self.expr(inner, cx);
                match op {
                    UnaryOperator::Not => {
                        self.expect_boolean(typed, range, "NOT");
                        Typed::new(SqlType::Boolean, typed.nullable)
                    }
                    UnaryOperator::Minus | UnaryOperator::Plus => {
                        if !typed.ty.is_numeric()
                            && typed.ty != SqlType::Null
                            && typed.ty != SqlType::Interval
                        {
                            self.error(
                                Code::FunctionArgumentType,
                                range,
                                format!("unary {op} needs a number, found {}", typed.ty),
                                None,
                            );
                        }
                        typed
                    }
                    _ => {
                        self.unsupported(range, "this unary operator");
                        Typed::unknown()
                    }
                }
            }
            Expr::IsNull(inner) | Expr::IsNotNull(inner) => {
                self.expr(inner, cx);
                Typed::not_null(SqlType::Boolean)
            }
            Expr::IsTrue(inner)
            | Expr::IsFalse(inner)
            | Expr::IsNotTrue(inner)
            | Expr::IsNotFalse(inner) => {
                let typed = self.expr(inner, cx);
                self.expect_boolean(typed, range, "IS TRUE/FALSE");
                Typed::not_null(SqlType::Boolean)
            }
            Expr::IsDistinctFrom(left, right) | Expr::IsNotDistinctFrom(left, right) => {
                let l = self.expr(left, cx);
                let r = self.expr(right, cx);
                self.expect_comparable(l, r, range, cx, "IS DISTINCT FROM");
                Typed::not_null(SqlType::Boolean)
            }
            Expr::Between {
                expr: inner,
                low,
                high,
                ..
            } => {
                let value = self.expr(inner, cx);
                let low = self.expr(low, cx);
                let high = self.expr(high, cx);
                self.expect_comparable(value, low, range, cx, "BETWEEN");
                self.expect_comparable(value, high, range, cx, "BETWEEN");
                Typed::new(
                    SqlType::Boolean,
                    value.nullable || low.nullable || high.nullable,
                )
            }
            Expr::In {
                expr: inner,
                target,
                ..
            } => {
                let value = self.expr(inner, cx);
                match target {
                    InTarget::List(list) => {
                        let mut nullable = value.nullable;
                        for item in list.iter_mut() {
                            let item_range = self.range(item.span());
                            let typed = self.expr(item, cx);
                            nullable |= typed.nullable;
                            self.expect_comparable(value, typed, item_range, cx, "IN");
                        }
                        Typed::new(SqlType::Boolean, nullable)
                    }
                    InTarget::Subquery(query) => {
                        let output = self.query(query, Some(cx.scope), true);
                        match output.relation.columns.as_slice() {
                            [column] => {
                                self.expect_comparable(
                                    value,
                                    Typed::new(column.ty, column.nullable),
                                    range,
                                    cx,
                                    "IN",
                                );
                            }
                            columns => self.error(
                                Code::SetOperationMismatch,
                                range,
                                format!(
                                    "the IN subquery must select one column, it selects {}",
                                    columns.len()
                                ),
                                None,
                            ),
                        }
                        Typed::new(SqlType::Boolean, true)
                    }
                    _ => {
                        self.unsupported(range, "this IN form");
                        Typed::unknown()
                    }
                }
            }
            Expr::Like {
                expr: inner,
                pattern,
                any: false,
                ..
            }
            | Expr::ILike {
                expr: inner,
                pattern,
                any: false,
                ..
            } => {
                let value = self.expr(inner, cx);
                let pattern = self.expr(pattern, cx);
                for typed in [value, pattern] {
                    if typed.ty != SqlType::Varchar && typed.ty != SqlType::Null {
                        self.error(
                            Code::FunctionArgumentType,
                            range,
                            format!("LIKE compares VARCHAR values, found {}", typed.ty),
                            Some("CAST the value to VARCHAR".to_string()),
                        );
                    }
                }
                Typed::new(SqlType::Boolean, value.nullable || pattern.nullable)
            }
            Expr::Cast { .. } => self.cast(expr, cx, range),
            Expr::Extract { expr: inner, .. } => {
                let typed = self.expr(inner, cx);
                if !typed.ty.is_temporal() && typed.ty != SqlType::Null {
                    self.error(
                        Code::FunctionArgumentType,
                        range,
                        format!("EXTRACT needs a DATE or TIMESTAMP, found {}", typed.ty),
                        None,
                    );
                }
                Typed::new(SqlType::BigInt, typed.nullable)
            }
            Expr::Ceil { expr: inner, .. } | Expr::Floor { expr: inner, .. } => {
                let typed = self.expr(inner, cx);
                self.call_result("floor", &[typed], false, cx, range)
            }
            Expr::Substring {
                expr: inner,
                substring_from,
                substring_for,
                ..
            } => {
                let mut args = vec![self.expr(inner, cx)];
                if let Some(from) = substring_from {
                    args.push(self.expr(from, cx));
                }
                if let Some(length) = substring_for {
                    args.push(self.expr(length, cx));
                }
                self.call_result("substring", &args, false, cx, range)
            }
            Expr::Trim {
                expr: inner,
                trim_what: None,
                trim_characters: None,
                ..
            } => {
                let typed = self.expr(inner, cx);
                self.call_result("trim", &[typed], false, cx, range)
            }
            Expr::Position { expr: needle, r#in } => {
                let needle = self.expr(needle, cx);
                let haystack = self.expr(r#in, cx);
                self.call_result("strpos", &[haystack, needle], false, cx, range)
            }
            Expr::Case { .. } => self.case(expr, cx, range),
            Expr::Exists { subquery, .. } => {
                self.query(subquery, Some(cx.scope), true);
                Typed::not_null(SqlType::Boolean)
            }
            Expr::Subquery(query) => {
                let output = self.query(query, Some(cx.scope), true);
                match output.relation.columns.as_slice() {
                    [column] => Typed::new(column.ty, true),
                    columns => {
                        self.error(
                            Code::SetOperationMismatch,
                            range,
                            format!(
                                "a scalar subquery must select one column, this one selects {}",
                                columns.len()
                            ),
                            None,
                        );
                        Typed::unknown()
                    }
                }
            }
            Expr::Function(_) => self.function(expr, cx, range),
            _ => {
                let text: String = expr.to_string().chars().take(40).collect();
                self.unsupported(range, &format!("the expression `{text}`"));
                Typed::unknown()
            }
        }
    }

    fn column(
        &mut self,
        qualifier: Option<&str>,
        name: &str,
        range: mesh_diagnostics::TextRange,
        cx: &ExprCtx<'_>,
    ) -> Typed {
        match cx.scope.resolve(qualifier, name) {
            Ok(resolved) => {
                if let Some(grouping) = cx.grouping
                    && !cx.in_aggregate
                    && resolved.depth == 0
                    && !grouping
                        .columns
                        .contains(&(resolved.relation, resolved.column))
                {
                    let shown = qualifier
                        .map(|q| format!("{q}.{name}"))
                        .unwrap_or(name.to_string());
                    self.error(
                            Code::NotGrouped,
                            range,
                            format!("`{shown}` is neither in GROUP BY nor inside an aggregate function"),
                            Some(format!("add `{shown}` to GROUP BY, or aggregate it (for example `MAX({shown})`)")),
                        );
                }
                if let Some(product) = &resolved.product {
                    self.use_product_column(product, &resolved.ty.name, range);
                }
                Typed::new(resolved.ty.ty, resolved.ty.nullable)
            }
            Err(Unresolved::Opaque) => Typed::unknown(),
            Err(Unresolved::Ambiguous { qualifiers }) => {
                let options: Vec<String> =
                    qualifiers.iter().map(|q| format!("`{q}.{name}`")).collect();
                self.error(
                    Code::AmbiguousColumn,
                    range,
                    format!(
                        "column `{name}` exists in more than one relation: {}",
                        qualifiers.join(", ")
                    ),
                    Some(format!("qualify it: {}", options.join(" or "))),
                );
                Typed::unknown()
            }
            Err(Unresolved::UnknownQualifier { candidates }) => {
                let qualifier = qualifier.unwrap_or_default();
                let help = did_you_mean(qualifier, candidates.iter().map(String::as_str))
                    .map(|c| format!("did you mean `{c}.{name}`?"))
                    .unwrap_or_else(|| format!("relations in scope: {}", candidates.join(", ")));
                self.error(
                    Code::UnknownRelation,
                    range,
                    format!("`{qualifier}` is not a relation in scope"),
                    Some(help),
                );
                Typed::unknown()
            }
            Err(Unresolved::UnknownColumn {
                suggestion,
                product,
            }) => {
                let help = suggestion.map(|s| format!("did you mean `{s}`?"));
                // The read still counts: it is the consumer a contract change broke.
                if let Some(product) = product.as_deref().filter(|p| !p.contains(" or ")) {
                    self.use_product_column(product, name, range);
                }
                match product {
                    Some(product) => self.error(
                        Code::ColumnNotInContract,
                        range,
                        format!("column `{name}` is not in the contract of {product}"),
                        help.or_else(|| {
                            Some(
                                "consumers see only the columns the producer's contract declares"
                                    .to_string(),
                            )
                        }),
                    ),
                    None => {
                        let shown = qualifier
                            .map(|q| format!("{q}.{name}"))
                            .unwrap_or(name.to_string());
                        self.error(
                            Code::UnknownColumn,
                            range,
                            format!("unknown column `{shown}`"),
                            help,
                        );
                    }
                }
                Typed::unknown()
            }
        }
    }

    fn expect_boolean(&mut self, typed: Typed, range: mesh_diagnostics::TextRange, what: &str) {
        if typed.ty != SqlType::Boolean && typed.ty != SqlType::Null {
            self.error(
                Code::ExpectedBoolean,
                range,
                format!("{what} needs a BOOLEAN operand, found {}", typed.ty),
                None,
            );
        }
    }

    fn expect_comparable(
        &mut self,
        left: Typed,
        right: Typed,
        range: mesh_diagnostics::TextRange,
        cx: &ExprCtx<'_>,
        what: &str,
    ) {
        if comparable(left.ty, right.ty) {
            return;
        }
        let code = if matches!(cx.clause, Clause::JoinOn | Clause::OuterJoinOn) {
            Code::IncompatibleJoin
        } else {
            Code::IncompatibleComparison
        };
        self.error(
            code,
            range,
            format!("{what} compares {} with {}", left.ty, right.ty),
            Some("CAST one side so both have the same type".to_string()),
        );
    }

    /// A contract column with `required: false`, joined on or compared with
    /// `<>`: rows where it is NULL drop out silently (MESH2013).
    fn warn_nullable_product_column(&mut self, side: &Expr, op: &BinaryOperator, cx: &ExprCtx<'_>) {
        let (qualifier, name) = match side {
            Expr::Identifier(ident) => (None, ident.value.as_str()),
            Expr::CompoundIdentifier(parts) if parts.len() >= 2 => (
                Some(parts[parts.len() - 2].value.as_str()),
                parts[parts.len() - 1].value.as_str(),
            ),
            _ => return,
        };
        let Ok(resolved) = cx.scope.resolve(qualifier, name) else {
            return;
        };
        let Some(product) = resolved.product else {
            return;
        };
        // The contract's nullability, not the one an outer join adds.
        let id = product.split('@').next().unwrap_or(&product);
        let Some((domain, name)) = id.split_once('.') else {
            return;
        };
        let domain = crate::db::DomainId::new(self.db, domain.to_string());
        let published = crate::index::published_product(
            self.db,
            crate::db::ModelId::new(self.db, domain, name.to_string()),
        );
        let optional = published.as_ref().is_some_and(|p| {
            p.relation
                .column(&resolved.ty.name)
                .is_some_and(|(_, c)| c.nullable)
        });
        if !optional {
            return;
        }
        let range = self.range(side.span());
        let what = if cx.clause == Clause::JoinOn {
            "the join drops rows where it is NULL".to_string()
        } else {
            format!("`{op}` drops rows where it is NULL")
        };
        let mut diagnostic = Diagnostic::new(
            Code::NullableComparison,
            self.file.clone(),
            range,
            format!(
                "`{side}` may be NULL (the contract of {product} has `required: false`): {what}"
            ),
        );
        diagnostic.help = Some(format!(
            "handle NULL explicitly (`{0} IS NULL OR ...`, COALESCE({0}, ...)), or ask the producer to make `{1}` required",
            side, resolved.ty.name
        ));
        self.diagnostics.push(diagnostic);
    }

    fn binary(
        &mut self,
        expr: &mut Expr,
        cx: &ExprCtx<'_>,
        range: mesh_diagnostics::TextRange,
    ) -> Typed {
        let Expr::BinaryOp { left, op, right } = expr else {
            return Typed::unknown();
        };
        let op = op.clone();
        let l = self.expr(left, cx);
        let r = self.expr(right, cx);
        let nullable = l.nullable || r.nullable;
        use BinaryOperator as B;
        match op {
            B::Plus | B::Minus | B::Multiply | B::Modulo => {
                // DATE ± INTERVAL is a TIMESTAMP: an interval may hold hours.
                let shifted = |ty: SqlType| match ty {
                    SqlType::Date => SqlType::Timestamp,
                    other => other,
                };
                if l.ty.is_temporal()
                    && r.ty == SqlType::Interval
                    && matches!(op, B::Plus | B::Minus)
                {
                    return Typed::new(shifted(l.ty), nullable);
                }
                if l.ty == SqlType::Interval && r.ty.is_temporal() && op == B::Plus {
                    return Typed::new(shifted(r.ty), nullable);
                }
                if l.ty.is_temporal() && r.ty.is_temporal() && op == B::Minus {
                    self.error(
                        Code::FunctionArgumentType,
                        range,
                        "subtracting dates or timestamps gives a different type on each engine"
                            .to_string(),
                        Some("use DATE_DIFF('day', start, end)".to_string()),
                    );
                    return Typed::new(SqlType::BigInt, nullable);
                }
                let arith = match op {
                    B::Multiply => Arith::Multiply,
                    B::Modulo => Arith::Modulo,
                    _ => Arith::Add,
                };
                match arithmetic(arith, l.ty, r.ty) {
                    Some(ty) if op != B::Modulo || ty.is_integer() => {
                        self.lowering.arithmetic(expr, l.ty, r.ty, ty);
                        Typed::new(ty, nullable)
                    }
                    Some(_) => {
                        self.error(
                            Code::FunctionArgumentType,
                            range,
                            format!("operator % takes integers, found {} and {}", l.ty, r.ty),
                            Some("CAST both operands to an integer type".to_string()),
                        );
                        Typed::unknown()
                    }
                    None => {
                        self.error(
                            Code::FunctionArgumentType,
                            range,
                            format!("operator {op} cannot combine {} and {}", l.ty, r.ty),
                            Some("CAST the operands to numbers".to_string()),
                        );
                        Typed::unknown()
                    }
                }
            }
            B::Divide => {
                let integers = (l.ty.is_integer() || l.ty == SqlType::Null)
                    && (r.ty.is_integer() || r.ty == SqlType::Null);
                if integers {
                    let ty = unify(l.ty, r.ty)
                        .filter(|t| *t != SqlType::Null)
                        .unwrap_or(SqlType::Integer);
                    self.lowering.integer_division(expr);
                    return Typed::new(ty, true);
                }
                if l.ty.is_numeric() && r.ty.is_numeric() {
                    return Typed::new(SqlType::Double, true);
                }
                self.error(
                    Code::FunctionArgumentType,
                    range,
                    format!("operator / cannot divide {} by {}", l.ty, r.ty),
                    Some("CAST the operands to numbers".to_string()),
                );
                Typed::unknown()
            }
            B::StringConcat => {
                for side in [l, r] {
                    if side.ty != SqlType::Varchar && side.ty != SqlType::Null {
                        self.error(
                            Code::FunctionArgumentType,
                            range,
                            format!("operator || concatenates VARCHAR values, found {}", side.ty),
                            Some("CAST the operand to VARCHAR".to_string()),
                        );
                    }
                }
                Typed::new(SqlType::Varchar, nullable)
            }
            B::Eq | B::NotEq | B::Lt | B::LtEq | B::Gt | B::GtEq => {
                self.expect_comparable(l, r, range, cx, &format!("`{op}`"));
                if cx.clause == Clause::JoinOn || op == B::NotEq {
                    for side in [&**left, &**right] {
                        self.warn_nullable_product_column(side, &op, cx);
                    }
                }
                Typed::new(SqlType::Boolean, nullable)
            }
            B::And | B::Or => {
                self.expect_boolean(l, range, &op.to_string());
                self.expect_boolean(r, range, &op.to_string());
                Typed::new(SqlType::Boolean, nullable)
            }
            other => {
                self.unsupported(range, &format!("operator {other}"));
                Typed::unknown()
            }
        }
    }

    fn cast(
        &mut self,
        expr: &mut Expr,
        cx: &ExprCtx<'_>,
        range: mesh_diagnostics::TextRange,
    ) -> Typed {
        let Expr::Cast {
            kind,
            expr: inner,
            data_type,
            format,
        } = expr
        else {
            return Typed::unknown();
        };
        if format.is_some() {
            self.unsupported(range, "CAST ... FORMAT");
        }
        let source = self.expr(inner, cx);
        let nullable = source.nullable || matches!(kind, CastKind::TryCast | CastKind::SafeCast);
        if *kind == CastKind::DoubleColon {
            // `x::T` is not portable; every target understands CAST(x AS T).
            *kind = CastKind::Cast;
        }
        let Some(target) = SqlType::parse(&data_type.to_string()) else {
            self.error(
                Code::UnknownType,
                range,
                format!("`{data_type}` is not a mesh SQL type"),
                Some("use BOOLEAN, SMALLINT, INTEGER, BIGINT, DECIMAL(p,s), REAL, DOUBLE, VARCHAR, DATE, TIME, TIMESTAMP or INTERVAL".to_string()),
            );
            return Typed::unknown();
        };
        if !castable(source.ty, target) {
            self.error(
                Code::InvalidCast,
                range,
                format!("cannot CAST {} to {target}", source.ty),
                Some(
                    "go through VARCHAR or use a function (for example DATE_DIFF or EXTRACT)"
                        .to_string(),
                ),
            );
        } else if let Some(message) = self.lowering.cast(expr, source.ty, target) {
            self.unsupported_on_target(range, message);
        }
        Typed::new(target, nullable)
    }

    fn case(
        &mut self,
        expr: &mut Expr,
        cx: &ExprCtx<'_>,
        range: mesh_diagnostics::TextRange,
    ) -> Typed {
        let Expr::Case {
            operand,
            conditions,
            else_result,
            ..
        } = expr
        else {
            return Typed::unknown();
        };
        let operand = operand.as_mut().map(|o| self.expr(o, cx));
        let mut result: Option<Typed> = None;
        let mut branches = Vec::new();
        for when in conditions.iter_mut() {
            let condition_range = self.range(when.condition.span());
            match operand {
                Some(operand) => {
                    let value = self.expr(&mut when.condition, cx);
                    self.expect_comparable(operand, value, condition_range, cx, "CASE WHEN");
                }
                None => self.condition(&mut when.condition, cx, "CASE WHEN"),
            }
            let result_range = self.range(when.result.span());
            branches.push((self.expr(&mut when.result, cx), result_range));
        }
        let has_else = else_result.is_some();
        if let Some(else_result) = else_result {
            let else_range = self.range(else_result.span());
            branches.push((self.expr(else_result, cx), else_range));
        }
        for (typed, branch_range) in branches {
            result = Some(match result {
                None => typed,
                Some(so_far) => match unify(so_far.ty, typed.ty) {
                    Some(ty) => Typed::new(ty, so_far.nullable || typed.nullable),
                    None => {
                        self.error(
                            Code::FunctionArgumentType,
                            branch_range,
                            format!(
                                "this CASE branch is {}, earlier branches are {}",
                                typed.ty, so_far.ty
                            ),
                            Some("CAST the branches to one type".to_string()),
                        );
                        so_far
                    }
                },
            });
        }
        let _ = range;
        let result = result.unwrap_or(Typed::unknown());
        Typed::new(result.ty, result.nullable || !has_else)
    }

    fn call_result(
        &mut self,
        name: &str,
        args: &[Typed],
        star: bool,
        cx: &ExprCtx<'_>,
        range: mesh_diagnostics::TextRange,
    ) -> Typed {
        match type_call(name, args, star, cx.grouping.is_some()) {
            Ok(typed) => typed,
            Err(error) => {
                self.error(error.code, range, error.message, error.help);
                Typed::unknown()
            }
        }
    }

    fn function(
        &mut self,
        expr: &mut Expr,
        cx: &ExprCtx<'_>,
        range: mesh_diagnostics::TextRange,
    ) -> Typed {
        let Expr::Function(function) = expr else {
            return Typed::unknown();
        };
        let name = function.name.to_string().to_ascii_lowercase();
        let Some(kind) = function_kind(&name) else {
            let help = did_you_mean(&name, FUNCTION_NAMES.iter().copied())
                .map(|s| format!("did you mean `{}`?", s.to_ascii_uppercase()))
                .unwrap_or_else(|| {
                    "see docs/functions.md for the portable function library".to_string()
                });
            self.error(
                Code::UnknownFunction,
                range,
                format!("unknown function `{name}`"),
                Some(help),
            );
            return Typed::unknown();
        };
        let windowed = function.over.is_some();
        if kind == FunctionKind::Window && !windowed {
            self.error(
                Code::AggregateMisuse,
                range,
                format!(
                    "{} is a window function and needs OVER (...)",
                    name.to_ascii_uppercase()
                ),
                None,
            );
        }
        let aggregate = kind == FunctionKind::Aggregate && !windowed;
        if aggregate && (!cx.allow_aggregates || cx.in_aggregate) {
            let message = if cx.in_aggregate {
                "aggregate functions cannot be nested".to_string()
            } else {
                format!(
                    "aggregate function {} is not allowed in {}",
                    name.to_ascii_uppercase(),
                    clause_name(cx.clause)
                )
            };
            self.error(
                Code::AggregateMisuse,
                range,
                message,
                Some("aggregate in a CTE first, then filter or join its result".to_string()),
            );
        }
        if windowed
            && matches!(
                cx.clause,
                Clause::Where
                    | Clause::GroupBy
                    | Clause::JoinOn
                    | Clause::OuterJoinOn
                    | Clause::Limit
                    | Clause::Having
            )
        {
            self.error(
                Code::AggregateMisuse,
                range,
                format!(
                    "window functions are not allowed in {}",
                    clause_name(cx.clause)
                ),
                Some("compute the window in a CTE first, then filter its result".to_string()),
            );
        }
        let arg_cx = ExprCtx {
            in_aggregate: cx.in_aggregate || aggregate,
            ..*cx
        };
        let mut star = false;
        let mut args = Vec::new();
        match &mut function.args {
            FunctionArguments::None => {}
            FunctionArguments::List(list) => {
                if list.duplicate_treatment == Some(DuplicateTreatment::Distinct) && !aggregate {
                    self.unsupported(range, "DISTINCT in a non-aggregate call");
                }
                if !list.clauses.is_empty() {
                    self.unsupported(range, "clauses inside a function call");
                }
                for arg in list.args.iter_mut() {
                    match arg {
                        FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) => {
                            args.push(self.expr(e, &arg_cx))
                        }
                        FunctionArg::Unnamed(FunctionArgExpr::Wildcard) if name == "count" => {
                            star = true
                        }
                        _ => self.unsupported(range, "this kind of function argument"),
                    }
                }
            }
            FunctionArguments::Subquery(_) => {
                self.unsupported(range, "a subquery as function argument")
            }
        }
        if let Some(filter) = &mut function.filter {
            let filter_cx = ExprCtx {
                allow_aggregates: false,
                ..arg_cx
            };
            self.condition(filter, &filter_cx, "FILTER");
        }
        if !function.within_group.is_empty()
            || function.null_treatment.is_some()
            || !matches!(function.parameters, FunctionArguments::None)
        {
            self.unsupported(range, "WITHIN GROUP, IGNORE NULLS and parametric calls");
        }
        match &mut function.over {
            Some(WindowType::WindowSpec(spec)) => {
                let window_cx = ExprCtx {
                    in_aggregate: false,
                    allow_aggregates: cx.allow_aggregates,
                    ..*cx
                };
                for partition in spec.partition_by.iter_mut() {
                    self.expr(partition, &window_cx);
                }
                for order in spec.order_by.iter_mut() {
                    self.expr(&mut order.expr, &window_cx);
                }
            }
            Some(WindowType::NamedWindow(_)) => self.unsupported(range, "named windows"),
            None => {}
        }
        let grouped_for_type = cx.grouping.is_some() && !windowed;
        let typed = match type_call(&name, &args, star, grouped_for_type) {
            Ok(typed) => typed,
            Err(error) => {
                self.error(error.code, range, error.message, error.help);
                return Typed::unknown();
            }
        };
        let arg_types: Vec<SqlType> = args.iter().map(|a| a.ty).collect();
        if let Some(message) = self
            .lowering
            .function_call(expr, &name, &arg_types, typed.ty)
        {
            self.unsupported_on_target(range, message);
        }
        typed
    }
}

fn clause_name(clause: Clause) -> &'static str {
    match clause {
        Clause::Where => "WHERE",
        Clause::JoinOn | Clause::OuterJoinOn => "a join condition",
        Clause::Limit => "LIMIT",
        Clause::GroupBy => "GROUP BY",
        Clause::Projection => "the SELECT list",
        Clause::Having => "HAVING",
        Clause::OrderBy => "ORDER BY",
    }
}
