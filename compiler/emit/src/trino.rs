//! Trino: a mesh spread over catalogs.
//!
//! Physical names: a model is `<catalog>.<domain>.<model>` (the catalog of
//! `targets.trino.catalog`, default `memory`); a domain's sources are read
//! from the catalog and schema `targets.trino.sources.<domain>` names
//! (default: the output catalog, schema = the domain).
//!
//! What differs from mesh SQL: integer division already truncates, SUM of
//! integers is already BIGINT and decimal arithmetic already has mesh SQL's
//! widths, so those stay. AVG of a DECIMAL or REAL keeps that type on Trino
//! (mesh SQL: DOUBLE), SIGN returns its argument's type (INTEGER), ROUND,
//! CEIL and FLOOR of a DECIMAL change its precision, CURRENT_TIMESTAMP has a
//! time zone: each is cast to the mesh type. A cast of a fractional number to
//! an integer rounds on Trino and truncates in mesh SQL: `truncate` first.
//! CONCAT propagates NULL on Trino already but takes VARCHAR only;
//! `SPLIT_PART` past the last field is NULL on Trino (`''` in mesh SQL);
//! DATE_DIFF counts whole units on Trino (boundaries in mesh SQL); ILIKE does
//! not exist (`lower(a) LIKE lower(b)`); `LIMIT … OFFSET` is written
//! `OFFSET … LIMIT` (standard `OFFSET … FETCH FIRST`); VALUES names its
//! columns `_col0`… (mesh SQL: `col0`…).

use std::collections::BTreeMap;

use mesh_sema::{Lowering, RelationTarget};
use mesh_syntax::SqlType;
use mesh_syntax::ast::{Expr, Ident, ObjectName};

use crate::portable::{
    boundary_date_diff, call_args, cast_to, cast_truncates, concat_as_operator, integer_literal,
    named_type, rename_call, rewrite, truncate_cast_operand,
};

/// The Trino dialect, with where the mesh lives.
pub struct Trino {
    /// The catalog models are written to.
    pub catalog: String,
    /// Domain -> (catalog, schema) of its sources.
    pub sources: BTreeMap<String, (String, String)>,
}

impl Trino {
    /// From `targets.trino` of mesh.yaml.
    pub fn new(config: &mesh_syntax::TrinoTarget) -> Trino {
        Trino {
            catalog: config
                .catalog
                .clone()
                .unwrap_or_else(|| "memory".to_string()),
            sources: config
                .sources
                .iter()
                .map(|(domain, at)| {
                    let schema = at.schema.clone().unwrap_or_else(|| domain.clone());
                    (domain.to_ascii_lowercase(), (at.catalog.clone(), schema))
                })
                .collect(),
        }
    }

    /// `"catalog"."schema"."name"` of a model or source.
    pub fn physical(&self, target: &RelationTarget) -> ObjectName {
        let (catalog, schema, name) = match target {
            RelationTarget::Model { domain, name } => (&self.catalog, domain, name),
            RelationTarget::Source { domain, name } => {
                match self.sources.get(&domain.to_ascii_lowercase()) {
                    Some((catalog, schema)) => (catalog, schema, name),
                    None => (&self.catalog, domain, name),
                }
            }
        };
        ObjectName::from(vec![
            Ident::with_quote('"', catalog),
            Ident::with_quote('"', schema),
            Ident::with_quote('"', name),
        ])
    }
}

/// The Trino spelling of a mesh SQL type.
pub fn type_name(ty: SqlType) -> String {
    match ty {
        SqlType::Null => "VARCHAR".to_string(),
        other => other.to_string(),
    }
}

impl Lowering for Trino {
    fn arithmetic(&mut self, expr: &mut Expr, left: SqlType, right: SqlType, result: SqlType) {
        crate::portable::widen_small_operands(expr, left, right, result);
    }

    fn relation_name(&mut self, target: &RelationTarget) -> Option<ObjectName> {
        Some(self.physical(target))
    }

    fn function_call(
        &mut self,
        expr: &mut Expr,
        name: &str,
        args: &[SqlType],
        result: SqlType,
    ) -> Option<String> {
        let first = args.first().copied().unwrap_or(SqlType::Null);
        let needs_cast = match name {
            "avg" | "stddev" | "stddev_samp" | "variance" | "var_samp" => {
                !(first.is_integer() || first == SqlType::Double)
            }
            "sum" => first == SqlType::Real,
            "sign" => first != SqlType::Integer,
            "round" | "ceil" | "ceiling" | "floor" => matches!(result, SqlType::Decimal { .. }),
            "current_timestamp" => true,
            _ => false,
        };
        match name {
            "substring" => rename_call(expr, "substr"),
            "concat" | "date_diff" => {
                return shared_call(expr, name, args, "trino", "CAST(__0 AS VARCHAR)");
            }
            "split_part" => return split_part_or_empty(expr, "trino"),
            _ => {}
        }
        if needs_cast {
            cast_to(expr, named_type(&type_name(result)));
        }
        None
    }

    fn cast(&mut self, expr: &mut Expr, from: SqlType, to: SqlType) -> Option<String> {
        if cast_truncates(from, to) {
            truncate_cast_operand(expr, "truncate");
        }
        fractional_text(from, to, "trino")
    }

    fn expression(&mut self, expr: &mut Expr, ty: SqlType) -> Option<String> {
        match expr {
            Expr::Interval(_) => crate::portable::standard_interval(expr, "trino"),
            Expr::BinaryOp { .. } => crate::portable::double_division(expr, ty, "DOUBLE"),
            // CEIL/FLOOR of a DECIMAL(p,s) is DECIMAL(p-s+1,0) on Trino.
            Expr::Ceil { .. } | Expr::Floor { .. } if matches!(ty, SqlType::Decimal { .. }) => {
                cast_to(expr, named_type(&type_name(ty)));
                None
            }
            _ => ilike_as_like(expr, "lower", "trino"),
        }
    }
}

/// `a ILIKE b` as `f(a) LIKE f(b)` (`f` = lower or upper).
pub(crate) fn ilike_as_like(expr: &mut Expr, fold: &str, target: &str) -> Option<String> {
    let Expr::ILike {
        negated,
        any,
        expr: value,
        pattern,
        escape_char,
    } = expr
    else {
        return None;
    };
    if *any || escape_char.is_some() {
        return Some(format!("this ILIKE form is not emitted for {target}"));
    }
    let not = if *negated { "NOT " } else { "" };
    let holes = [(**value).clone(), (**pattern).clone()];
    rewrite(expr, &format!("{fold}(__0) {not}LIKE {fold}(__1)"), &holes)
}

/// A cast of a DOUBLE or REAL to VARCHAR: each engine prints floating-point
/// numbers its own way (`1.5` on DuckDB, `1.5E0` on Trino).
pub(crate) fn fractional_text(from: SqlType, to: SqlType, target: &str) -> Option<String> {
    (to == SqlType::Varchar && matches!(from, SqlType::Double | SqlType::Real)).then(|| {
        format!(
            "a CAST of {from} to VARCHAR is not emitted for {target}: engines print floating-point numbers differently; CAST to DECIMAL(p,s) first"
        )
    })
}

/// `split_part(s, d, n)` that is `''` past the last field, as in mesh SQL
/// (Trino and Teradata's STRTOK give NULL there); `n` must be a literal ≥ 1.
pub(crate) fn split_part_or_empty(expr: &mut Expr, target: &str) -> Option<String> {
    let args = call_args(expr)?;
    match args.get(2).and_then(integer_literal) {
        Some(n) if n >= 1 => rewrite(
            expr,
            "coalesce(split_part(__0, __1, __2), CASE WHEN __0 IS NOT NULL AND __1 IS NOT NULL THEN '' END)",
            &args,
        ),
        _ => Some(format!(
            "SPLIT_PART is emitted for {target} with a literal field number of 1 or more only"
        )),
    }
}

/// CONCAT and DATE_DIFF, written the same way on Trino and Teradata.
pub(crate) fn shared_call(
    expr: &mut Expr,
    name: &str,
    args: &[SqlType],
    target: &str,
    to_text: &str,
) -> Option<String> {
    match name {
        "concat" => concat_as_operator(expr, args, to_text, target),
        "date_diff" => boundary_date_diff(expr, args, target),
        _ => None,
    }
}

/// The rewrites of whole queries for Trino: `LIMIT n OFFSET m` is written
/// `OFFSET m ROWS FETCH FIRST n ROWS ONLY` (Trino wants OFFSET first), and a
/// VALUES query names its columns as mesh SQL does (`col0`, `col1`, …).
pub(crate) fn finish(query: &mut mesh_syntax::ast::Query) -> Vec<String> {
    use mesh_syntax::ast::{Fetch, LimitClause, OffsetRows, SetExpr};
    if let Some(LimitClause::LimitOffset {
        limit,
        offset: Some(offset),
        limit_by,
    }) = &mut query.limit_clause
        && limit_by.is_empty()
    {
        let quantity = limit.take();
        offset.rows = OffsetRows::Rows;
        if let Some(quantity) = quantity {
            query.fetch = Some(Fetch {
                with_ties: false,
                percent: false,
                quantity: Some(quantity),
            });
        }
    }
    if let SetExpr::Values(values) = &*query.body {
        let width = values.rows.first().map_or(0, |row| row.len());
        let columns: Vec<String> = (0..width).map(|i| format!("col{i}")).collect();
        let template = format!(
            "SELECT * FROM (VALUES (1)) AS \"literal_rows\" ({})",
            columns.join(", ")
        );
        match sqlparser::parser::Parser::new(&sqlparser::dialect::GenericDialect)
            .try_with_sql(&template)
            .and_then(|mut p| p.parse_query())
        {
            Ok(mut select) => {
                if let SetExpr::Select(outer) = select.body.as_mut()
                    && let Some(from) = outer.from.first_mut()
                    && let mesh_syntax::ast::TableFactor::Derived { subquery, .. } =
                        &mut from.relation
                {
                    *subquery.body = SetExpr::Values(values.clone());
                }
                query.body = select.body;
            }
            Err(e) => return vec![format!("internal error: VALUES template: {e}")],
        }
    }
    Vec::new()
}
