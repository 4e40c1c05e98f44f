//! Rewrites shared by the dialects: building expressions from small SQL
//! templates, and the mesh SQL rules every target spells its own way.
//!
//! A rewrite is written as SQL with numbered holes (`__0`, `__1`, …), parsed
//! once by sqlparser and filled with the original operands, so that each
//! dialect reads like the SQL it emits instead of AST construction.

use std::ops::ControlFlow;

use mesh_syntax::SqlType;
use mesh_syntax::ast::{
    CastKind, DataType, Expr, Function, FunctionArg, FunctionArgExpr, FunctionArguments, Ident,
    ObjectName, Value, visit_expressions_mut,
};
use sqlparser::dialect::GenericDialect;
use sqlparser::parser::Parser;

/// `template` with `__0`, `__1`, … replaced by `holes`. The templates are
/// constants of this crate: one that does not parse is a bug, reported as
/// the refusal text instead of a panic.
pub(crate) fn fill(template: &str, holes: &[Expr]) -> Result<Expr, String> {
    let mut expr = Parser::new(&GenericDialect)
        .try_with_sql(template)
        .and_then(|mut p| p.parse_expr())
        .map_err(|e| format!("internal error: rewrite template `{template}`: {e}"))?;
    let _ = visit_expressions_mut(&mut expr, |e| {
        if let Expr::Identifier(ident) = e
            && let Some(n) = ident.value.strip_prefix("__")
            && let Ok(n) = n.parse::<usize>()
            && let Some(hole) = holes.get(n)
        {
            *e = hole.clone();
        }
        ControlFlow::<()>::Continue(())
    });
    Ok(expr)
}

/// Replaces `expr` by `template` filled with `holes`; a broken template
/// leaves it as it was and returns why.
pub(crate) fn rewrite(expr: &mut Expr, template: &str, holes: &[Expr]) -> Option<String> {
    match fill(template, holes) {
        Ok(new) => {
            *expr = new;
            None
        }
        Err(message) => Some(message),
    }
}

/// The plain positional arguments of a function call (`None` for any other
/// form: named arguments, wildcards, clauses).
pub(crate) fn call_args(expr: &Expr) -> Option<Vec<Expr>> {
    let Expr::Function(Function {
        args: FunctionArguments::List(list),
        ..
    }) = expr
    else {
        return match expr {
            Expr::Function(Function {
                args: FunctionArguments::None,
                ..
            }) => Some(Vec::new()),
            _ => None,
        };
    };
    if !list.clauses.is_empty() || list.duplicate_treatment.is_some() {
        return None;
    }
    list.args
        .iter()
        .map(|arg| match arg {
            FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) => Some(e.clone()),
            _ => None,
        })
        .collect()
}

/// Renames the function of a call.
pub(crate) fn rename_call(expr: &mut Expr, name: &str) {
    if let Expr::Function(function) = expr {
        function.name = ObjectName::from(vec![Ident::new(name)]);
    }
}

/// Wraps `expr` in `CAST(expr AS data_type)`.
pub(crate) fn cast_to(expr: &mut Expr, data_type: DataType) {
    let inner = std::mem::replace(expr, Expr::value(Value::Null));
    *expr = Expr::Cast {
        kind: CastKind::Cast,
        expr: Box::new(inner),
        data_type,
        format: None,
    };
}

/// `a + - * b` of SMALLINTs is an INTEGER in mesh SQL (see
/// `mesh_sema`'s arithmetic rule); an engine that computes it in SMALLINT
/// gets the left operand cast to INTEGER first.
pub(crate) fn widen_small_operands(
    expr: &mut Expr,
    left: SqlType,
    right: SqlType,
    result: SqlType,
) {
    let small = |ty: SqlType| matches!(ty, SqlType::SmallInt | SqlType::Null);
    if result == SqlType::Integer
        && small(left)
        && small(right)
        && (left == SqlType::SmallInt || right == SqlType::SmallInt)
        && let Expr::BinaryOp { left, .. } = expr
    {
        cast_to(left, named_type("INTEGER"));
    }
}

/// A type name as a `DataType` printed verbatim.
pub(crate) fn named_type(name: &str) -> DataType {
    DataType::Custom(ObjectName::from(vec![Ident::new(name)]), vec![])
}

/// Whether a cast from `from` to `to` must truncate first: mesh SQL casts a
/// number that is not an integer to an integer type by truncating toward
/// zero (as Teradata does); DuckDB rounds half to even and Trino rounds half
/// away from zero.
pub(crate) fn cast_truncates(from: SqlType, to: SqlType) -> bool {
    to.is_integer()
        && matches!(
            from,
            SqlType::Real | SqlType::Double | SqlType::Decimal { .. }
        )
}

/// In `CAST(x AS T)` or `TRY_CAST(x AS T)`, replaces `x` by `function(x)`.
pub(crate) fn truncate_cast_operand(expr: &mut Expr, function: &str) {
    if let Expr::Cast { expr: inner, .. } = expr
        && let Ok(wrapped) = fill(&format!("{function}(__0)"), &[(**inner).clone()])
    {
        **inner = wrapped;
    }
}

/// The unit of `date_trunc`/`date_diff` when written as a string literal,
/// lower-cased.
pub(crate) fn unit_literal(expr: &Expr) -> Option<String> {
    match expr {
        Expr::Value(v) => match &v.value {
            Value::SingleQuotedString(s) => Some(s.to_ascii_lowercase()),
            _ => None,
        },
        _ => None,
    }
}

/// An integer literal's value.
pub(crate) fn integer_literal(expr: &Expr) -> Option<i64> {
    match expr {
        Expr::Value(v) => match &v.value {
            Value::Number(n, _) => n.parse().ok(),
            _ => None,
        },
        Expr::UnaryOp {
            op: mesh_syntax::ast::UnaryOperator::Minus,
            expr,
        } => integer_literal(expr).map(|n| -n),
        Expr::Nested(inner) => integer_literal(inner),
        _ => None,
    }
}

/// `concat(a, b, …)` as `a || b || …`: mesh SQL's CONCAT is NULL when an
/// argument is NULL, as `||` is on every target (DuckDB's `concat` skips
/// NULLs). VARCHAR arguments are kept, integers and decimals are cast with
/// `to_text` (each target prints them the same way: digits, a point, the
/// scale's digits); anything else is refused, because engines format
/// floating-point numbers, dates and booleans differently.
pub(crate) fn concat_as_operator(
    expr: &mut Expr,
    args: &[SqlType],
    to_text: &str,
    target: &str,
) -> Option<String> {
    let operands = call_args(expr)?;
    let mut template = String::new();
    for (i, ty) in args.iter().enumerate() {
        if i > 0 {
            template.push_str(" || ");
        }
        match ty {
            SqlType::Varchar | SqlType::Null => template.push_str(&format!("__{i}")),
            ty if ty.is_integer() || matches!(ty, SqlType::Decimal { .. }) => {
                template.push_str(&to_text.replace("__0", &format!("__{i}")));
            }
            other => {
                return Some(format!(
                    "CONCAT of a {other} is not emitted for {target}: engines print {other} values differently"
                ));
            }
        }
    }
    rewrite(expr, &format!("({template})"), &operands)
}

/// `date_diff(unit, a, b)` with mesh SQL's meaning, the number of unit
/// boundaries between `a` and `b` (DuckDB's), written with the target's
/// `date_trunc` and `date_diff` (Trino counts whole units elapsed, so both
/// sides are truncated to the unit first).
pub(crate) fn boundary_date_diff(
    expr: &mut Expr,
    args: &[SqlType],
    target: &str,
) -> Option<String> {
    let operands = call_args(expr)?;
    let unit = operands.first().and_then(unit_literal);
    let dates = args.get(1) == Some(&SqlType::Date) && args.get(2) == Some(&SqlType::Date);
    match unit.as_deref() {
        Some("year" | "quarter" | "month" | "day") => {}
        Some("hour" | "minute" | "second") if !dates => {}
        Some(other) => {
            return Some(format!(
                "DATE_DIFF by `{other}` is not emitted for {target}; use year, quarter, month, day, hour, minute or second"
            ));
        }
        None => {
            return Some(format!(
                "DATE_DIFF needs its unit as a string literal on {target}"
            ));
        }
    }
    rewrite(
        expr,
        "date_diff(__0, date_trunc(__0, __1), date_trunc(__0, __2))",
        &operands,
    )
}

/// An interval literal in the standard form every target but DuckDB needs,
/// `INTERVAL '<n>' <UNIT>`: `INTERVAL 1 DAY` gets its number quoted,
/// `INTERVAL '2 hours'` is split into number and unit.
pub(crate) fn standard_interval(expr: &mut Expr, target: &str) -> Option<String> {
    use mesh_syntax::ast::DateTimeField;
    let Expr::Interval(interval) = expr else {
        return None;
    };
    if interval.last_field.is_some() || interval.fractional_seconds_precision.is_some() {
        return Some(format!("this INTERVAL form is not emitted for {target}"));
    }
    let Expr::Value(value) = interval.value.as_mut() else {
        return Some(format!(
            "an INTERVAL of an expression is not emitted for {target}; write a literal, e.g. INTERVAL '3' DAY"
        ));
    };
    match (&value.value, &interval.leading_field) {
        (Value::Number(n, _), Some(_)) => {
            value.value = Value::SingleQuotedString(n.clone());
            None
        }
        (Value::SingleQuotedString(_), Some(_)) => None,
        (Value::SingleQuotedString(text), None) => {
            let mut parts = text.split_whitespace();
            let (Some(number), Some(unit), None) = (parts.next(), parts.next(), parts.next())
            else {
                return Some(format!(
                    "INTERVAL '{text}' is not emitted for {target}; write INTERVAL '<n>' <unit>"
                ));
            };
            let field = match unit.to_ascii_lowercase().trim_end_matches('s') {
                "year" => DateTimeField::Year,
                "month" => DateTimeField::Month,
                "day" => DateTimeField::Day,
                "hour" => DateTimeField::Hour,
                "minute" => DateTimeField::Minute,
                "second" => DateTimeField::Second,
                _ => {
                    return Some(format!(
                        "INTERVAL unit `{unit}` is not emitted for {target}; use year, month, day, hour, minute or second"
                    ));
                }
            };
            let number = number.to_string();
            value.value = Value::SingleQuotedString(number);
            interval.leading_field = Some(field);
            None
        }
        _ => Some(format!("this INTERVAL form is not emitted for {target}")),
    }
}

/// `a / b` that mesh SQL types DOUBLE (not both integers): both operands are
/// cast to the target's double type, since Trino and Teradata divide
/// decimals as decimals.
pub(crate) fn double_division(expr: &mut Expr, ty: SqlType, double: &str) -> Option<String> {
    if ty != SqlType::Double {
        return None;
    }
    let Expr::BinaryOp {
        left,
        op: mesh_syntax::ast::BinaryOperator::Divide,
        right,
    } = expr
    else {
        return None;
    };
    for side in [left, right] {
        cast_to(side, named_type(double));
    }
    None
}

/// `a <op> b` with an operator sqlparser has no name for (Teradata's `MOD`, `**`).
pub(crate) fn custom_operator(left: Expr, op: &str, right: Expr) -> Expr {
    Expr::Nested(Box::new(Expr::BinaryOp {
        left: Box::new(left),
        op: mesh_syntax::ast::BinaryOperator::Custom(op.to_string()),
        right: Box::new(right),
    }))
}
