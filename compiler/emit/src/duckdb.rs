//! DuckDB: the embedded default target.
//!
//! What differs from mesh SQL semantics: `/` on integers returns a DOUBLE
//! (mesh SQL truncates toward zero, so it becomes `//`, which truncates toward
//! zero on DuckDB); SUM over integers returns HUGEINT (mesh SQL: BIGINT);
//! DATE_TRUNC on a DATE returns a TIMESTAMP (mesh SQL: DATE); ROUND of a
//! DECIMAL narrows the scale to the digits kept and SIGN returns a TINYINT
//! (mesh SQL: the argument's DECIMAL type, INTEGER); DECIMAL products and
//! mixed integer/DECIMAL arithmetic get DuckDB's own widths (mesh SQL: the
//! exact widths of `types.rs`). Each of those is cast to the mesh type, so a
//! materialized column has exactly the type meshc inferred (tested against
//! DuckDB's catalog). Domains are schemas.

use mesh_sema::{Lowering, RelationTarget};

use crate::portable::{cast_truncates, concat_as_operator, truncate_cast_operand};
use mesh_syntax::SqlType;
use mesh_syntax::ast::{BinaryOperator, CastKind, DataType, Expr, Ident, ObjectName};

/// The DuckDB dialect.
pub struct DuckDb;

impl Lowering for DuckDb {
    fn relation_name(&mut self, target: &RelationTarget) -> Option<ObjectName> {
        let (RelationTarget::Model { domain, name } | RelationTarget::Source { domain, name }) =
            target;
        Some(ObjectName::from(vec![
            Ident::with_quote('"', domain),
            Ident::with_quote('"', name),
        ]))
    }

    fn integer_division(&mut self, expr: &mut Expr) {
        if let Expr::BinaryOp { op, .. } = expr {
            *op = BinaryOperator::DuckIntegerDivide;
        }
    }

    fn arithmetic(&mut self, expr: &mut Expr, left: SqlType, right: SqlType, result: SqlType) {
        let both_decimal =
            matches!(left, SqlType::Decimal { .. }) && matches!(right, SqlType::Decimal { .. });
        let is_product = matches!(
            expr,
            Expr::BinaryOp {
                op: BinaryOperator::Multiply,
                ..
            }
        );
        if matches!(result, SqlType::Decimal { .. }) && (is_product || !both_decimal) {
            cast_to(expr, result);
        }
        crate::portable::widen_small_operands(expr, left, right, result);
    }

    fn function_call(
        &mut self,
        expr: &mut Expr,
        name: &str,
        args: &[SqlType],
        result: SqlType,
    ) -> Option<String> {
        match name {
            "concat" => return concat_as_operator(expr, args, "CAST(__0 AS VARCHAR)", "duckdb"),
            "greatest" | "least" => return null_if_any_null(expr),
            _ => {}
        }
        let needs_cast = match name {
            "sum" => args.first().is_some_and(|a| a.is_integer()),
            "date_trunc" => result == SqlType::Date,
            "round" => matches!(result, SqlType::Decimal { .. }),
            "sign" => true,
            _ => false,
        };
        if needs_cast {
            cast_to(expr, result);
        }
        None
    }

    fn cast(&mut self, expr: &mut Expr, from: SqlType, to: SqlType) -> Option<String> {
        if cast_truncates(from, to) {
            truncate_cast_operand(expr, "trunc");
        }
        None
    }
}

/// GREATEST and LEAST are NULL when an argument is NULL in mesh SQL (as on
/// Trino and Teradata); DuckDB's skip NULLs.
fn null_if_any_null(expr: &mut Expr) -> Option<String> {
    let args = crate::portable::call_args(expr)?;
    if args.len() < 2 {
        return None;
    }
    let tests: Vec<String> = (0..args.len()).map(|i| format!("__{i} IS NULL")).collect();
    let original = expr.clone();
    let mut holes = args;
    holes.push(original);
    let last = holes.len() - 1;
    crate::portable::rewrite(
        expr,
        &format!(
            "CASE WHEN {} THEN NULL ELSE __{last} END",
            tests.join(" OR ")
        ),
        &holes,
    )
}

/// Wraps `expr` in `CAST(expr AS ty)`.
fn cast_to(expr: &mut Expr, ty: SqlType) {
    let inner = std::mem::replace(expr, Expr::value(mesh_syntax::ast::Value::Null));
    *expr = Expr::Cast {
        kind: CastKind::Cast,
        expr: Box::new(inner),
        data_type: data_type(ty),
        format: None,
    };
}

/// The DuckDB spelling of a mesh SQL type.
pub(crate) fn data_type(ty: SqlType) -> DataType {
    match ty {
        SqlType::BigInt => DataType::BigInt(None),
        SqlType::Date => DataType::Date,
        other => DataType::Custom(ObjectName::from(vec![Ident::new(type_name(other))]), vec![]),
    }
}

/// The DuckDB type name of a mesh SQL type, as used in DDL and `read_csv`.
pub fn type_name(ty: SqlType) -> String {
    match ty {
        SqlType::Null => "VARCHAR".to_string(),
        other => other.to_string(),
    }
}
