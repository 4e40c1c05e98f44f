//! Teradata: a database per domain, emitted as BTEQ scripts (no server runs
//! here; the emitted statements are checked with an independent Teradata
//! grammar in tests, and docs/dialects.md argues each rewrite).
//!
//! What differs from mesh SQL, and how it is written:
//! - Types: DOUBLE and REAL are FLOAT (Teradata has one 8-byte float),
//!   VARCHAR needs a length (`VARCHAR(32000)`, in the session character set),
//!   TIMESTAMP and TIME are `(6)`; there is no BOOLEAN: boolean literals
//!   become `1=1`/`1=0` inside conditions, and a BOOLEAN output column, a
//!   CAST to BOOLEAN, BOOL_AND and BOOL_OR are refused.
//! - Aggregates: SUM of integers is INTEGER on Teradata (it can overflow),
//!   so the argument is cast to BIGINT; COUNT and the ranking functions are
//!   INTEGER, cast to BIGINT; AVG, STDDEV and VARIANCE average the values as
//!   FLOAT; decimal arithmetic is cast to mesh SQL's exact widths.
//! - Functions are renamed or rewritten: LENGTH → CHARACTER_LENGTH, REPLACE →
//!   OREPLACE, STRPOS → POSITION(… IN …), YEAR/MONTH/DAY/QUARTER → EXTRACT,
//!   DATE_TRUNC → TRUNC(d, 'YYYY'|'Q'|'MM'|'DD'), DATE_DIFF → date
//!   subtraction and EXTRACT arithmetic, MOD → `MOD`, POWER → `**`,
//!   STARTS_WITH → a SUBSTR comparison, ILIKE → UPPER(…) LIKE UPPER(…),
//!   IS [NOT] DISTINCT FROM → a CASE; SPLIT_PART, REVERSE and NTILE are
//!   refused.
//! - Queries: LIMIT n of the outermost query becomes `TOP n` (an OFFSET, or a
//!   LIMIT in a subquery, is refused); ORDER BY without LIMIT is dropped (a
//!   view or table has no order, and Teradata refuses ORDER BY there); CTEs
//!   are inlined as derived tables; VALUES is refused; every identifier is
//!   quoted, because Teradata reserves many common words (TITLE, YEAR, VALUE).

use std::ops::ControlFlow;
use std::rc::Rc;

use mesh_sema::{Lowering, RelationTarget};
use mesh_syntax::SqlType;
use mesh_syntax::ast::{
    BinaryOperator, CastKind, DataType, Expr, Function, FunctionArg, FunctionArgExpr,
    FunctionArguments, Ident, ObjectName, ObjectNamePart, Query, Select, SelectItem, SetExpr,
    TableFactor, TableWithJoins, Top, TopQuantity, Value, VisitMut, VisitorMut,
    visit_expressions_mut,
};

use crate::portable::{
    call_args, cast_to, concat_as_operator, custom_operator, named_type, rewrite, unit_literal,
};
use crate::trino::{fractional_text, ilike_as_like};

/// The Teradata dialect.
pub struct Teradata;

/// The Teradata spelling of a mesh SQL type; `None` when it has none.
pub fn type_name(ty: SqlType) -> Option<String> {
    Some(match ty {
        SqlType::Boolean | SqlType::Interval => return None,
        SqlType::Real | SqlType::Double => "FLOAT".to_string(),
        SqlType::Varchar | SqlType::Null => "VARCHAR(32000)".to_string(),
        SqlType::Timestamp => "TIMESTAMP(6)".to_string(),
        SqlType::Time => "TIME(6)".to_string(),
        other => other.to_string(),
    })
}

fn data_type(ty: SqlType) -> Result<DataType, String> {
    type_name(ty).map(|name| named_type(&name)).ok_or_else(|| {
        format!("teradata has no {ty} type; a {ty} value cannot be stored or cast there")
    })
}

/// Sets the type of a CAST node to `ty`'s Teradata spelling.
fn retype_cast(expr: &mut Expr, ty: SqlType) -> Option<String> {
    let Expr::Cast { data_type: dt, .. } = expr else {
        return None;
    };
    match data_type(ty) {
        Ok(new) => {
            *dt = new;
            None
        }
        Err(message) => Some(message),
    }
}

/// Casts the first argument of a call in place (keeps DISTINCT and OVER).
fn cast_first_argument(expr: &mut Expr, ty: &str) {
    if let Expr::Function(Function {
        args: FunctionArguments::List(list),
        ..
    }) = expr
        && let Some(FunctionArg::Unnamed(FunctionArgExpr::Expr(first))) = list.args.first_mut()
    {
        cast_to(first, named_type(ty));
    }
}

fn rename(expr: &mut Expr, name: &str) {
    crate::portable::rename_call(expr, name);
}

fn cast_result(expr: &mut Expr, ty: SqlType) -> Option<String> {
    match data_type(ty) {
        Ok(dt) => {
            cast_to(expr, dt);
            None
        }
        Err(message) => Some(message),
    }
}

impl Lowering for Teradata {
    fn relation_name(&mut self, target: &RelationTarget) -> Option<ObjectName> {
        let (RelationTarget::Model { domain, name } | RelationTarget::Source { domain, name }) =
            target;
        Some(ObjectName::from(vec![
            Ident::with_quote('"', domain),
            Ident::with_quote('"', name),
        ]))
    }

    fn arithmetic(&mut self, expr: &mut Expr, _left: SqlType, _right: SqlType, result: SqlType) {
        if matches!(result, SqlType::Decimal { .. }) {
            let _ = cast_result(expr, result);
        }
    }

    fn function_call(
        &mut self,
        expr: &mut Expr,
        name: &str,
        args: &[SqlType],
        result: SqlType,
    ) -> Option<String> {
        let first = args.first().copied().unwrap_or(SqlType::Null);
        let refuse = |what: &str| Some(format!("{what} is not emitted for teradata"));
        let holes = call_args(expr).unwrap_or_default();
        match name {
            "bool_and" | "bool_or" => refuse("BOOL_AND and BOOL_OR (teradata has no BOOLEAN)"),
            "split_part" => {
                refuse("SPLIT_PART (STRTOK skips empty fields, so it means something else)")
            }
            "reverse" => refuse("REVERSE (teradata has no such function)"),
            "ntile" => refuse("NTILE (teradata has no such function)"),
            "starts_with" => rewrite(
                expr,
                "(SUBSTR(__0, 1, CHARACTER_LENGTH(__1)) = __1)",
                &holes,
            ),
            "sum" if first.is_integer() => {
                cast_first_argument(expr, "BIGINT");
                None
            }
            "sum" => cast_result(expr, result),
            "avg" | "stddev" | "stddev_samp" | "variance" | "var_samp" => {
                cast_first_argument(expr, "FLOAT");
                match name {
                    "stddev" => rename(expr, "STDDEV_SAMP"),
                    "variance" => rename(expr, "VAR_SAMP"),
                    _ => {}
                }
                None
            }
            "any_value" => {
                rename(expr, "MIN");
                None
            }
            "count" | "row_number" | "rank" | "dense_rank" => cast_result(expr, SqlType::BigInt),
            "percent_rank" | "cume_dist" => cast_result(expr, SqlType::Double),
            "sign" => cast_result(expr, SqlType::Integer),
            "round" | "abs" if matches!(result, SqlType::Decimal { .. }) => {
                cast_result(expr, result)
            }
            "ceil" | "ceiling" | "floor" => {
                rename(expr, if name == "floor" { "FLOOR" } else { "CEILING" });
                cast_result(expr, result)
            }
            "mod" => match holes.as_slice() {
                [a, b] => {
                    *expr = custom_operator(a.clone(), "MOD", b.clone());
                    None
                }
                _ => None,
            },
            "power" => match holes.as_slice() {
                [a, b] => {
                    *expr = custom_operator(a.clone(), "**", b.clone());
                    cast_result(expr, SqlType::Double)
                }
                _ => None,
            },
            "length" => rewrite(expr, "CAST(CHARACTER_LENGTH(__0) AS BIGINT)", &holes),
            "replace" => {
                rename(expr, "OREPLACE");
                None
            }
            "substring" => {
                rename(expr, "SUBSTR");
                None
            }
            "strpos" => rewrite(expr, "CAST(POSITION(__1 IN __0) AS BIGINT)", &holes),
            "concat" => {
                concat_as_operator(expr, args, "TRIM(CAST(__0 AS VARCHAR(64)))", "teradata")
            }
            "year" | "month" | "day" => rewrite(
                expr,
                &format!("CAST(EXTRACT({} FROM __0) AS BIGINT)", name.to_uppercase()),
                &holes,
            ),
            "quarter" => rewrite(
                expr,
                "CAST((EXTRACT(MONTH FROM __0) + 2) / 3 AS BIGINT)",
                &holes,
            ),
            "date_trunc" => date_trunc(expr, &holes, args.get(1).copied()),
            "date_diff" => date_diff(expr, &holes, args),
            "current_timestamp" => cast_result(expr, SqlType::Timestamp),
            _ => None,
        }
    }

    fn cast(&mut self, expr: &mut Expr, from: SqlType, to: SqlType) -> Option<String> {
        // Teradata truncates a fractional number cast to an integer, as mesh SQL does.
        if let Some(message) = fractional_text(from, to, "teradata") {
            return Some(message);
        }
        if to == SqlType::Varchar && from.is_temporal() {
            return Some(format!(
                "a CAST of {from} to VARCHAR is not emitted for teradata: its text depends on the session's date format"
            ));
        }
        if let Some(message) = retype_cast(expr, to) {
            return Some(message);
        }
        if to == SqlType::Varchar && (from.is_integer() || matches!(from, SqlType::Decimal { .. }))
        {
            // Teradata pads numbers converted to text on the left.
            let original = expr.clone();
            return rewrite(expr, "TRIM(__0)", &[original]);
        }
        None
    }

    fn expression(&mut self, expr: &mut Expr, ty: SqlType) -> Option<String> {
        match expr {
            Expr::ILike { .. } => ilike_as_like(expr, "UPPER", "teradata"),
            Expr::Interval(_) => crate::portable::standard_interval(expr, "teradata"),
            Expr::BinaryOp {
                left,
                op: BinaryOperator::Modulo,
                right,
            } => {
                *expr = custom_operator((**left).clone(), "MOD", (**right).clone());
                None
            }
            Expr::BinaryOp { .. } => crate::portable::double_division(expr, ty, "FLOAT"),
            Expr::Ceil { .. } | Expr::Floor { .. } if matches!(ty, SqlType::Decimal { .. }) => {
                cast_result(expr, ty)
            }
            Expr::Value(v) if matches!(v.value, Value::Boolean(_)) => {
                let truth = matches!(v.value, Value::Boolean(true));
                rewrite(expr, if truth { "(1 = 1)" } else { "(1 = 0)" }, &[])
            }
            Expr::IsDistinctFrom(a, b) | Expr::IsNotDistinctFrom(a, b) => {
                let holes = [(**a).clone(), (**b).clone()];
                let same = if matches!(expr, Expr::IsNotDistinctFrom(..)) {
                    1
                } else {
                    0
                };
                rewrite(
                    expr,
                    &format!(
                        "(CASE WHEN __0 = __1 OR (__0 IS NULL AND __1 IS NULL) THEN 1 ELSE 0 END = {same})"
                    ),
                    &holes,
                )
            }
            _ => None,
        }
    }
}

/// `date_trunc(unit, d)` as `TRUNC(d, format)` (a DATE on Teradata, cast
/// back to TIMESTAMP for a timestamp).
fn date_trunc(expr: &mut Expr, holes: &[Expr], ty: Option<SqlType>) -> Option<String> {
    let unit = holes.first().and_then(unit_literal);
    let format = match unit.as_deref() {
        Some("year") => "YYYY",
        Some("quarter") => "Q",
        Some("month") => "MM",
        Some("day") => "DD",
        Some(other) => {
            return Some(format!(
                "DATE_TRUNC to `{other}` is not emitted for teradata; use year, quarter, month or day"
            ));
        }
        None => return Some("DATE_TRUNC needs its unit as a string literal on teradata".into()),
    };
    let template = match ty {
        Some(SqlType::Timestamp) => format!("CAST(TRUNC(__1, '{format}') AS TIMESTAMP(6))"),
        _ => format!("TRUNC(__1, '{format}')"),
    };
    rewrite(expr, &template, holes)
}

/// `date_diff(unit, a, b)`: boundaries crossed, as in mesh SQL.
fn date_diff(expr: &mut Expr, holes: &[Expr], args: &[SqlType]) -> Option<String> {
    let unit = holes.first().and_then(unit_literal);
    let months = |x: &str| format!("(EXTRACT(YEAR FROM {x}) * 12 + EXTRACT(MONTH FROM {x}))");
    let quarters =
        |x: &str| format!("(EXTRACT(YEAR FROM {x}) * 4 + (EXTRACT(MONTH FROM {x}) - 1) / 3)");
    let body = match unit.as_deref() {
        Some("day") => "(CAST(__2 AS DATE) - CAST(__1 AS DATE))".to_string(),
        Some("month") => format!("({} - {})", months("__2"), months("__1")),
        Some("quarter") => format!("({} - {})", quarters("__2"), quarters("__1")),
        Some("year") => "(EXTRACT(YEAR FROM __2) - EXTRACT(YEAR FROM __1))".to_string(),
        Some(other) => {
            return Some(format!(
                "DATE_DIFF by `{other}` is not emitted for teradata; use year, quarter, month or day"
            ));
        }
        None => return Some("DATE_DIFF needs its unit as a string literal on teradata".into()),
    };
    let _ = args;
    rewrite(expr, &format!("CAST({body} AS BIGINT)"), holes)
}

/// The rewrites of whole queries, after the expressions: `TOP`, ORDER BY,
/// CTEs inlined, VALUES refused, identifiers quoted. Returns the refusals.
pub(crate) fn finish(query: &mut Query) -> Vec<String> {
    if let Some(refusal) = inline_ctes(query) {
        return vec![refusal];
    }
    let mut refusals = Vec::new();
    top_and_order(query, true, &mut refusals);
    quote_identifiers(query);
    trycast(query);
    refusals
}

/// How much SQL the copies of CTEs inlined into one model may add (1 MiB of
/// text): a CTE read twice by a CTE read twice by … doubles at every level,
/// so 18 such CTEs in 1 KB of SQL would otherwise be 2^17 copies.
const MAX_INLINED_BYTES: usize = 1 << 20;

/// Replaces every reference to a CTE by a copy of the CTE's query as a
/// derived table (Teradata restricts WITH in views and CREATE TABLE AS).
/// Each reference is resolved where the query reads it (an inner WITH hides
/// an outer CTE of the same name) and each copy where its CTE was defined.
/// The work is the size of the SQL it writes; beyond [`MAX_INLINED_BYTES`]
/// of copies, or copies nested deeper than meshc parses, it stops and
/// returns the refusal.
fn inline_ctes(query: &mut Query) -> Option<String> {
    let mut inliner = Inliner {
        visible: Vec::new(),
        scopes: Vec::new(),
        budget: MAX_INLINED_BYTES,
        nesting: 0,
    };
    match query.visit(&mut inliner) {
        ControlFlow::Continue(()) => None,
        ControlFlow::Break(refusal) => Some(refusal),
    }
}

/// A CTE as written, with what one copy of it costs and the CTEs visible
/// where it is defined (the first `scope` entries of [`Inliner::visible`]).
struct Definition {
    name: Ident,
    columns: Vec<mesh_syntax::ast::TableAliasColumnDef>,
    query: Query,
    bytes: usize,
    scope: usize,
}

struct Inliner {
    /// The CTEs in scope, outermost first; a later one hides an earlier one of
    /// the same name.
    visible: Vec<Rc<Definition>>,
    /// `visible.len()` before each open query added its own WITH.
    scopes: Vec<usize>,
    /// Bytes of copies still allowed, shared by nested inliners.
    budget: usize,
    /// How many copies enclose the one being written.
    nesting: usize,
}

impl VisitorMut for Inliner {
    type Break = String;

    fn pre_visit_query(&mut self, query: &mut Query) -> ControlFlow<String> {
        self.scopes.push(self.visible.len());
        if let Some(with) = query.with.take() {
            for cte in with.cte_tables {
                let scope = self.visible.len();
                self.visible.push(Rc::new(Definition {
                    bytes: cte.query.to_string().len(),
                    name: cte.alias.name,
                    columns: cte.alias.columns,
                    query: *cte.query,
                    scope,
                }));
            }
        }
        ControlFlow::Continue(())
    }

    fn post_visit_query(&mut self, _query: &mut Query) -> ControlFlow<String> {
        if let Some(len) = self.scopes.pop() {
            self.visible.truncate(len);
        }
        ControlFlow::Continue(())
    }

    /// After the factor's own children: a copy put here is inlined by a new
    /// walk in the scope of its definition, not in this one.
    fn post_visit_table_factor(&mut self, factor: &mut TableFactor) -> ControlFlow<String> {
        let TableFactor::Table {
            name, alias, args, ..
        } = factor
        else {
            return ControlFlow::Continue(());
        };
        let single = match name.0.as_slice() {
            [part] if args.is_none() => part.as_ident(),
            _ => None,
        };
        let Some(definition) = single.and_then(|ident| {
            (self.visible.iter().rev())
                .find(|d| d.name.value.eq_ignore_ascii_case(&ident.value))
                .cloned()
        }) else {
            return ControlFlow::Continue(());
        };
        if definition.bytes > self.budget {
            return ControlFlow::Break(format!(
                "teradata restricts WITH in views and CREATE TABLE AS, so meshc writes a copy of a CTE \
                 wherever it is read; here the copies (of `{}` and the CTEs it reads) would exceed {} KiB of SQL",
                definition.name.value,
                MAX_INLINED_BYTES >> 10
            ));
        }
        if self.nesting >= mesh_syntax::PARSER_RECURSION_LIMIT {
            return ControlFlow::Break(format!(
                "teradata restricts WITH in views and CREATE TABLE AS, so meshc writes a copy of a CTE \
                 wherever it is read; here the copies nest more than {} deep (`{}`)",
                mesh_syntax::PARSER_RECURSION_LIMIT,
                definition.name.value
            ));
        }
        self.budget -= definition.bytes;
        let mut copy = definition.query.clone();
        let mut inner = Inliner {
            visible: self.visible[..definition.scope].to_vec(),
            scopes: Vec::new(),
            budget: self.budget,
            nesting: self.nesting + 1,
        };
        let walked = mesh_syntax::with_stack(|| copy.visit(&mut inner));
        self.budget = inner.budget;
        walked?;
        let mut table_alias = alias.clone().unwrap_or(mesh_syntax::ast::TableAlias {
            explicit: true,
            name: definition.name.clone(),
            columns: Vec::new(),
            at: None,
        });
        if table_alias.columns.is_empty() {
            table_alias.columns = definition.columns.clone();
        }
        *factor = TableFactor::Derived {
            lateral: false,
            subquery: Box::new(copy),
            alias: Some(table_alias),
            sample: None,
        };
        ControlFlow::Continue(())
    }
}

/// Calls `f` on every query nested in `body` (derived tables, subqueries).
fn walk_subqueries(body: &mut SetExpr, f: &mut dyn FnMut(&mut Query)) {
    match body {
        SetExpr::Select(select) => walk_select(select, f),
        SetExpr::Query(q) => f(q),
        SetExpr::SetOperation { left, right, .. } => {
            walk_subqueries(left, f);
            walk_subqueries(right, f);
        }
        _ => {}
    }
}

fn walk_select(select: &mut Select, f: &mut dyn FnMut(&mut Query)) {
    fn factor(factor: &mut TableFactor, f: &mut dyn FnMut(&mut Query)) {
        match factor {
            TableFactor::Derived { subquery, .. } => f(subquery),
            TableFactor::NestedJoin {
                table_with_joins, ..
            } => {
                factor_of(table_with_joins, f);
            }
            _ => {}
        }
    }
    fn factor_of(table: &mut TableWithJoins, f: &mut dyn FnMut(&mut Query)) {
        factor(&mut table.relation, f);
        for join in &mut table.joins {
            factor(&mut join.relation, f);
        }
    }
    for table in &mut select.from {
        factor_of(table, f);
    }
    let mut in_expr = |e: &mut Expr| {
        let _ = visit_expressions_mut(e, |e| {
            if let Expr::Subquery(q)
            | Expr::Exists { subquery: q, .. }
            | Expr::In {
                target: mesh_syntax::ast::InTarget::Subquery(q),
                ..
            } = e
            {
                f(q);
            }
            ControlFlow::<()>::Continue(())
        });
    };
    if let Some(selection) = &mut select.selection {
        in_expr(selection);
    }
    for item in &mut select.projection {
        if let SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. } = item {
            in_expr(e);
        }
    }
}

/// LIMIT → TOP at the outermost level; ORDER BY without it dropped.
fn top_and_order(query: &mut Query, outermost: bool, refusals: &mut Vec<String>) {
    use mesh_syntax::ast::LimitClause;
    let limit = match query.limit_clause.take() {
        Some(LimitClause::LimitOffset {
            limit,
            offset: None,
            limit_by,
        }) if limit_by.is_empty() => limit,
        Some(_) => {
            refusals.push("OFFSET is not emitted for teradata".to_string());
            None
        }
        None => None,
    };
    match limit {
        Some(n) if outermost => match &mut *query.body {
            SetExpr::Select(select) => {
                select.top = Some(Top {
                    with_ties: false,
                    percent: false,
                    quantity: Some(match crate::portable::integer_literal(&n) {
                        Some(k) if k >= 0 => TopQuantity::Constant(k.unsigned_abs()),
                        _ => TopQuantity::Expr(n),
                    }),
                });
                select.top_before_distinct = false;
            }
            _ => refusals.push(
                "LIMIT on a set operation is not emitted for teradata; select from it in a subquery"
                    .to_string(),
            ),
        },
        Some(_) => refusals.push(
            "LIMIT inside a subquery or CTE is not emitted for teradata".to_string(),
        ),
        None => query.order_by = None,
    }
    if let SetExpr::Values(_) = &*query.body {
        refusals.push("VALUES as a query is not emitted for teradata".to_string());
    }
    walk_subqueries(&mut query.body, &mut |q| top_and_order(q, false, refusals));
}

/// Teradata spells TRY_CAST as TRYCAST (16.20 and later), a cast kind
/// sqlparser does not have: each is printed as it stands, identifiers
/// already quoted, into a placeholder (which prints verbatim), innermost
/// first.
fn trycast(query: &mut Query) {
    let _ = visit_expressions_mut(query, |e| {
        if let Expr::Cast {
            kind: CastKind::TryCast,
            expr: inner,
            data_type,
            ..
        } = e
        {
            let text = format!("TRYCAST({inner} AS {data_type})");
            *e = Expr::value(Value::Placeholder(text));
        }
        ControlFlow::<()>::Continue(())
    });
}

/// Quotes every column and alias identifier (function names stay bare).
fn quote_identifiers(query: &mut Query) {
    fn quote(ident: &mut Ident) {
        if ident.quote_style.is_none() {
            ident.quote_style = Some('"');
        }
    }
    fn exprs(e: &mut Expr) {
        let _ = visit_expressions_mut(e, |e| {
            match e {
                Expr::Identifier(ident) => quote(ident),
                Expr::CompoundIdentifier(parts) => parts.iter_mut().for_each(quote),
                _ => {}
            }
            ControlFlow::<()>::Continue(())
        });
    }
    fn body(b: &mut SetExpr) {
        match b {
            SetExpr::Select(select) => {
                for item in &mut select.projection {
                    match item {
                        SelectItem::UnnamedExpr(e) => exprs(e),
                        SelectItem::ExprWithAlias { expr, alias } => {
                            exprs(expr);
                            quote(alias);
                        }
                        SelectItem::ExprWithAliases { expr, aliases } => {
                            exprs(expr);
                            aliases.iter_mut().for_each(quote);
                        }
                        SelectItem::QualifiedWildcard(_, _) | SelectItem::Wildcard(_) => {}
                    }
                }
                for table in &mut select.from {
                    tables(table);
                }
                if let Some(selection) = &mut select.selection {
                    exprs(selection);
                }
                if let mesh_syntax::ast::GroupByExpr::Expressions(list, _) = &mut select.group_by {
                    list.iter_mut().for_each(exprs);
                }
                if let Some(having) = &mut select.having {
                    exprs(having);
                }
            }
            SetExpr::Query(q) => quote_identifiers(q),
            SetExpr::SetOperation { left, right, .. } => {
                body(left);
                body(right);
            }
            _ => {}
        }
    }
    fn factor(f: &mut TableFactor) {
        match f {
            TableFactor::Table {
                alias: Some(alias), ..
            } => quote(&mut alias.name),
            TableFactor::Derived {
                subquery, alias, ..
            } => {
                quote_identifiers(subquery);
                if let Some(alias) = alias {
                    quote(&mut alias.name);
                    alias.columns.iter_mut().for_each(|c| quote(&mut c.name));
                }
            }
            TableFactor::NestedJoin {
                table_with_joins, ..
            } => tables(table_with_joins),
            _ => {}
        }
    }
    fn tables(t: &mut TableWithJoins) {
        factor(&mut t.relation);
        for join in &mut t.joins {
            factor(&mut join.relation);
            match &mut join.join_operator {
                mesh_syntax::ast::JoinOperator::Join(c)
                | mesh_syntax::ast::JoinOperator::Inner(c)
                | mesh_syntax::ast::JoinOperator::Left(c)
                | mesh_syntax::ast::JoinOperator::LeftOuter(c)
                | mesh_syntax::ast::JoinOperator::Right(c)
                | mesh_syntax::ast::JoinOperator::RightOuter(c)
                | mesh_syntax::ast::JoinOperator::FullOuter(c) => match c {
                    mesh_syntax::ast::JoinConstraint::On(e) => exprs(e),
                    mesh_syntax::ast::JoinConstraint::Using(names) => {
                        for name in names {
                            for part in &mut name.0 {
                                if let ObjectNamePart::Identifier(ident) = part {
                                    quote(ident);
                                }
                            }
                        }
                    }
                    _ => {}
                },
                _ => {}
            }
        }
    }
    body(&mut query.body);
    if let Some(order_by) = &mut query.order_by
        && let mesh_syntax::ast::OrderByKind::Expressions(list) = &mut order_by.kind
    {
        for item in list {
            exprs(&mut item.expr);
        }
    }
}
