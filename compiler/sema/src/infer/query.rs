//! Queries, set operations, SELECT and FROM: building scopes and output
//! relations.

use std::collections::HashSet;

use mesh_diagnostics::{Code, TextRange, did_you_mean};
use mesh_syntax::SqlType;
use mesh_syntax::ast::{
    Expr, GroupByExpr, Join, JoinConstraint, JoinOperator, ObjectName, OrderBy, OrderByKind, Query,
    Select, SelectItem, SelectItemQualifiedWildcardKind, SetExpr, Spanned, TableFactor,
    TableWithJoins, Value,
};

use super::expr::{Clause, ExprCtx, Grouping, contains_aggregate};
use super::scope::{Scope, ScopeRelation};
use super::{Checker, Dependency, Output};
use crate::db::{DomainId, ModelId};
use crate::index::{member_domains, published_product};
use crate::lower::RelationTarget;
use crate::model::model_signature;
use crate::references::{find_domain, local_target, published_model_name, relation_parts};
use crate::relation::{Column, Relation};
use crate::types::unify;

/// The most relations (tables and joins) one FROM clause may name: far
/// beyond real models, and a bound on the cost of typing one SELECT.
pub(crate) const MAX_FROM_RELATIONS: usize = 1_000;

impl Checker<'_, '_> {
    /// `anonymous`: the output columns need no names (a scalar, EXISTS or IN
    /// subquery, read by position).
    pub(crate) fn query(
        &mut self,
        query: &mut Query,
        outer: Option<&Scope<'_>>,
        anonymous: bool,
    ) -> Output {
        let cte_depth = self.ctes.len();
        if let Some(with) = &mut query.with {
            if with.recursive {
                let range = self.range(with.with_token.0.span);
                self.unsupported(range, "WITH RECURSIVE");
                // Its CTEs stay opaque, so references to them add no errors.
                for cte in &with.cte_tables {
                    self.ctes
                        .push((cte.alias.name.value.to_ascii_lowercase(), None));
                }
            }
            for cte in &mut with.cte_tables {
                let mut output = self.query(&mut cte.query, outer, false);
                if with.recursive {
                    continue;
                }
                let renamed =
                    self.rename_columns(&mut output, &cte.alias.columns, cte.alias.name.span);
                self.ctes.push((
                    cte.alias.name.value.to_ascii_lowercase(),
                    renamed.then_some(output.relation),
                ));
            }
        }
        if query.fetch.is_some() || !query.locks.is_empty() || !query.pipe_operators.is_empty() {
            let range = self.range(query.span());
            self.unsupported(range, "FETCH, FOR UPDATE and pipe operators");
        }
        let output = self.set_expr(&mut query.body, outer, query.order_by.as_mut(), anonymous);
        if let Some(limit) = &mut query.limit_clause {
            self.limit_clause(limit);
        }
        self.ctes.truncate(cte_depth);
        output
    }

    /// LIMIT and OFFSET take integer constants (no columns in scope).
    fn limit_clause(&mut self, clause: &mut mesh_syntax::ast::LimitClause) {
        use mesh_syntax::ast::LimitClause;
        let (limit, offset, by) = match clause {
            LimitClause::LimitOffset {
                limit,
                offset,
                limit_by,
            } => (
                limit.as_mut(),
                offset.as_mut().map(|o| &mut o.value),
                limit_by,
            ),
            LimitClause::OffsetCommaLimit { offset, limit } => {
                let range = self.range(limit.span().union(&offset.span()));
                self.unsupported(
                    range,
                    "`LIMIT offset, count` (write `LIMIT count OFFSET offset`)",
                );
                return;
            }
        };
        if !by.is_empty() {
            let range = self.range(by[0].span());
            self.unsupported(range, "LIMIT ... BY");
        }
        let empty = Scope::empty();
        for (what, expr) in [("LIMIT", limit), ("OFFSET", offset)] {
            let Some(expr) = expr else { continue };
            let range = self.range(expr.span());
            let cx = ExprCtx::plain(&empty, Clause::Limit);
            let typed = self.expr(expr, &cx);
            if !typed.ty.is_integer() && typed.ty != SqlType::Null {
                self.error(
                    Code::FunctionArgumentType,
                    range,
                    format!("{what} takes an integer, found {}", typed.ty),
                    Some(format!("write a whole number, for example `{what} 10`")),
                );
            }
        }
    }

    fn rename_columns(
        &mut self,
        output: &mut Output,
        columns: &[mesh_syntax::ast::TableAliasColumnDef],
        span: sqlparser::tokenizer::Span,
    ) -> bool {
        if columns.is_empty() {
            return true;
        }
        if columns.len() != output.relation.columns.len() {
            let range = self.range(span);
            self.error(
                Code::SetOperationMismatch,
                range,
                format!(
                    "{} column names given for a relation with {} columns",
                    columns.len(),
                    output.relation.columns.len()
                ),
                None,
            );
            return false;
        }
        for (column, alias) in output.relation.columns.iter_mut().zip(columns) {
            column.name = alias.name.value.clone();
        }
        true
    }

    /// `anonymous`: the output columns need no names (the body of a scalar,
    /// EXISTS or IN subquery).
    fn set_expr(
        &mut self,
        body: &mut SetExpr,
        outer: Option<&Scope<'_>>,
        order_by: Option<&mut OrderBy>,
        anonymous: bool,
    ) -> Output {
        match body {
            SetExpr::Select(select) => self.select(select, outer, order_by, anonymous),
            SetExpr::Query(query) => {
                let output = self.query(query, outer, anonymous);
                self.order_by_output(order_by, &output);
                output
            }
            SetExpr::SetOperation {
                op, left, right, ..
            } => {
                let op = op.to_string();
                let left = self.set_expr(left, outer, None, anonymous);
                let right_range = self.range(right.span());
                let right = self.set_expr(right, outer, None, anonymous);
                let output = self.unify_branches(&op, left, right, right_range);
                self.order_by_output(order_by, &output);
                output
            }
            SetExpr::Values(values) => {
                let mut output = Output::default();
                let range = self.range(values.span());
                for (i, row) in values.rows.iter_mut().enumerate() {
                    let scope = Scope::empty();
                    let cx = ExprCtx::plain(&scope, Clause::Projection);
                    let mut branch = Output::default();
                    for (j, expr) in row.iter_mut().enumerate() {
                        let typed = self.expr(expr, &cx);
                        branch.relation.columns.push(Column {
                            // DuckDB's names for VALUES columns.
                            name: format!("col{j}"),
                            ty: typed.ty,
                            nullable: typed.nullable,
                        });
                        branch.ranges.push(range);
                    }
                    output = if i == 0 {
                        branch
                    } else {
                        self.unify_branches("VALUES", output, branch, range)
                    };
                }
                self.order_by_output(order_by, &output);
                output
            }
            other => {
                let range = self.range(other.span());
                self.unsupported(range, "this statement inside a query");
                Output::default()
            }
        }
    }

    fn unify_branches(
        &mut self,
        op: &str,
        left: Output,
        right: Output,
        right_range: TextRange,
    ) -> Output {
        if left.relation.columns.len() != right.relation.columns.len() {
            self.error(
                Code::SetOperationMismatch,
                right_range,
                format!(
                    "the branches of {op} have {} and {} columns",
                    left.relation.columns.len(),
                    right.relation.columns.len()
                ),
                Some("every branch must select the same number of columns".to_string()),
            );
            return left;
        }
        let mut output = left;
        for (i, (l, r)) in output
            .relation
            .columns
            .iter_mut()
            .zip(&right.relation.columns)
            .enumerate()
        {
            match unify(l.ty, r.ty) {
                Some(ty) => {
                    l.ty = ty;
                    l.nullable |= r.nullable;
                }
                None => {
                    let at = right.ranges.get(i).copied().unwrap_or(right_range);
                    let message = format!(
                        "column {} of {op} is {} in the first branch and {} here",
                        i + 1,
                        l.ty,
                        r.ty
                    );
                    self.error(
                        Code::SetOperationMismatch,
                        at,
                        message,
                        Some("CAST one side so both branches have the same type".to_string()),
                    );
                }
            }
        }
        output
    }

    /// ORDER BY of a set operation: output columns or ordinals only.
    fn order_by_output(&mut self, order_by: Option<&mut OrderBy>, output: &Output) {
        let Some(order_by) = order_by else { return };
        let OrderByKind::Expressions(items) = &mut order_by.kind else {
            return;
        };
        let scope = Scope {
            relations: vec![ScopeRelation {
                qualifier: String::new(),
                columns: output.relation.columns.clone(),
                opaque: false,
                merged: Vec::new(),
                product: None,
            }],
            parent: None,
        };
        for item in items {
            if is_ordinal(&item.expr) {
                continue;
            }
            let cx = ExprCtx::plain(&scope, Clause::OrderBy);
            self.expr(&mut item.expr, &cx);
        }
    }

    fn select(
        &mut self,
        select: &mut Select,
        outer: Option<&Scope<'_>>,
        order_by: Option<&mut OrderBy>,
        anonymous: bool,
    ) -> Output {
        self.refuse_select_extras(select);
        let mut scope = Scope {
            relations: Vec::new(),
            parent: outer,
        };
        let relations: usize = select.from.iter().map(|t| 1 + t.joins.len()).sum();
        if relations > MAX_FROM_RELATIONS {
            let range = self.range(select.from[0].relation.span());
            self.error(
                Code::TooManyRelations,
                range,
                format!(
                    "this FROM clause names {relations} relations, more than the limit of {MAX_FROM_RELATIONS}"
                ),
                Some("split the joins into CTEs or intermediate models".to_string()),
            );
            return Output::default();
        }
        for table in &mut select.from {
            self.table_with_joins(table, &mut scope);
        }
        if let Some(selection) = &mut select.selection {
            let cx = ExprCtx::plain(&scope, Clause::Where);
            self.condition(selection, &cx, "WHERE");
        }
        let aggregated = select.projection.iter().any(|item| match item {
            SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. } => {
                contains_aggregate(e)
            }
            _ => false,
        }) || select.having.as_ref().is_some_and(contains_aggregate);
        let grouping = self.group_by(select, &scope, aggregated);
        let mut output = Output::default();
        let mut seen: HashSet<String> = HashSet::new();
        for item in &mut select.projection {
            self.projection_item(
                item,
                &scope,
                grouping.as_ref(),
                &mut output,
                &mut seen,
                anonymous,
            );
        }
        if let Some(having) = &mut select.having {
            let cx = ExprCtx {
                grouping: grouping.as_ref(),
                allow_aggregates: true,
                ..ExprCtx::plain(&scope, Clause::Having)
            };
            self.condition(having, &cx, "HAVING");
        }
        if let Some(order_by) = order_by
            && let OrderByKind::Expressions(items) = &mut order_by.kind
        {
            for item in items {
                if is_ordinal(&item.expr) || is_output_alias(&item.expr, &output.relation) {
                    continue;
                }
                let cx = ExprCtx {
                    grouping: grouping.as_ref(),
                    allow_aggregates: grouping.is_some(),
                    ..ExprCtx::plain(&scope, Clause::OrderBy)
                };
                self.expr(&mut item.expr, &cx);
            }
        }
        output
    }

    fn refuse_select_extras(&mut self, select: &Select) {
        let extras: &[(bool, &str)] = &[
            (select.top.is_some(), "TOP"),
            (select.into.is_some(), "SELECT INTO"),
            (!select.lateral_views.is_empty(), "LATERAL VIEW"),
            (select.prewhere.is_some(), "PREWHERE"),
            (!select.connect_by.is_empty(), "CONNECT BY"),
            (
                !select.cluster_by.is_empty()
                    || !select.distribute_by.is_empty()
                    || !select.sort_by.is_empty(),
                "CLUSTER/DISTRIBUTE/SORT BY",
            ),
            (!select.named_window.is_empty(), "named WINDOW clauses"),
            (select.qualify.is_some(), "QUALIFY"),
            (select.exclude.is_some(), "EXCLUDE"),
            (
                matches!(select.distinct, Some(mesh_syntax::ast::Distinct::On(_))),
                "DISTINCT ON",
            ),
        ];
        for (present, what) in extras {
            if *present {
                let range = self.range(select.select_token.0.span);
                self.unsupported(range, what);
            }
        }
    }

    fn group_by<'s>(
        &mut self,
        select: &mut Select,
        scope: &'s Scope<'s>,
        aggregated: bool,
    ) -> Option<Grouping> {
        let mut grouping = Grouping::default();
        let mut grouped = aggregated;
        if let GroupByExpr::All(modifiers) = &select.group_by {
            if !modifiers.is_empty() {
                let range = self.range(select.select_token.0.span);
                self.unsupported(range, "GROUP BY modifiers (ROLLUP, CUBE, TOTALS)");
                return None;
            }
            let keys = self.group_by_all_keys(select)?;
            // Every target is given the keys by position: standard, and the
            // same on DuckDB, Trino and Teradata.
            select.group_by = GroupByExpr::Expressions(keys, Vec::new());
        }
        match &mut select.group_by {
            GroupByExpr::All(_) => return None,
            GroupByExpr::Expressions(exprs, modifiers) => {
                if !modifiers.is_empty() {
                    let range = self.range(select.select_token.0.span);
                    self.unsupported(range, "GROUP BY modifiers (ROLLUP, CUBE, TOTALS)");
                }
                for expr in exprs {
                    grouped = true;
                    if let Some(ordinal) = ordinal(expr) {
                        match select.projection.get(ordinal.wrapping_sub(1)) {
                            Some(
                                SelectItem::UnnamedExpr(e)
                                | SelectItem::ExprWithAlias { expr: e, .. },
                            ) => {
                                grouping.add_key(e, scope);
                            }
                            _ => {
                                let range = self.range(expr.span());
                                self.error(
                                    Code::UnknownColumn,
                                    range,
                                    format!("GROUP BY {ordinal} does not name a SELECT item"),
                                    None,
                                );
                            }
                        }
                        continue;
                    }
                    // Keys are recorded before typing: emission rewrites the
                    // expression in place, the SELECT list is matched unrewritten.
                    grouping.add_key(expr, scope);
                    let cx = ExprCtx::plain(scope, Clause::GroupBy);
                    self.expr(expr, &cx);
                }
            }
        }
        grouped.then_some(grouping)
    }

    /// `GROUP BY ALL`: the positions of the SELECT items that read a column
    /// and contain no aggregate, as DuckDB defines it. `None` (reported) for a `*` (which
    /// columns it groups by would depend on the input) or a window function
    /// in a grouped item (no engine groups by one).
    fn group_by_all_keys(&mut self, select: &Select) -> Option<Vec<Expr>> {
        let mut keys = Vec::new();
        for (position, item) in select.projection.iter().enumerate() {
            let range = self.range(item.span());
            let expr = match item {
                SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. } => e,
                _ => {
                    self.error(
                        Code::Unsupported,
                        range,
                        "GROUP BY ALL with `*` in the SELECT list is not supported in mesh SQL"
                            .to_string(),
                        Some("list the columns to group by instead of `*`".to_string()),
                    );
                    return None;
                }
            };
            // DuckDB's definition, which decides what an empty input gives:
            // `SELECT 'x' AS k, count(*) … GROUP BY ALL` is one row.
            if contains_aggregate(expr) || !reads_a_column(expr) {
                continue;
            }
            if contains_window(expr) {
                self.error(
                    Code::Unsupported,
                    range,
                    format!("GROUP BY ALL would group by the window function in `{expr}`"),
                    Some(
                        "compute the window function in an outer query over the grouped rows"
                            .to_string(),
                    ),
                );
                return None;
            }
            keys.push(Expr::value(Value::Number(
                (position + 1).to_string(),
                false,
            )));
        }
        Some(keys)
    }

    fn projection_item(
        &mut self,
        item: &mut SelectItem,
        scope: &Scope<'_>,
        grouping: Option<&Grouping>,
        output: &mut Output,
        seen: &mut HashSet<String>,
        anonymous: bool,
    ) {
        let cx = ExprCtx {
            grouping,
            allow_aggregates: true,
            ..ExprCtx::plain(scope, Clause::Projection)
        };
        let item_range = self.range(item.span());
        match item {
            SelectItem::UnnamedExpr(expr) => {
                let range = self.range(expr.span());
                let name = match implicit_name(expr) {
                    Some(name) => name,
                    None if anonymous => expr.to_string(),
                    None => {
                        self.error(
                            Code::MissingAlias,
                            range,
                            format!("the output column `{expr}` needs a name"),
                            Some(format!("add an alias: `{expr} AS <name>`")),
                        );
                        expr.to_string()
                    }
                };
                let typed = self.expr(expr, &cx);
                self.push_output(output, seen, name, typed.ty, typed.nullable, range);
            }
            SelectItem::ExprWithAlias { expr, alias } => {
                let range = self.range(alias.span.union(&expr.span()));
                let typed = self.expr(expr, &cx);
                self.push_output(
                    output,
                    seen,
                    alias.value.clone(),
                    typed.ty,
                    typed.nullable,
                    range,
                );
            }
            SelectItem::Wildcard(options) => {
                let range = item_range;
                self.refuse_wildcard_options(options, range);
                for (r, relation) in scope.relations.iter().enumerate() {
                    self.expand_relation(r, relation, true, grouping, range, output, seen);
                }
            }
            SelectItem::QualifiedWildcard(kind, options) => {
                let range = self.range(kind.span().union(&options.wildcard_token.0.span));
                self.refuse_wildcard_options(options, range);
                let qualifier = match kind {
                    SelectItemQualifiedWildcardKind::ObjectName(name) => last_part(name),
                    SelectItemQualifiedWildcardKind::Expr(e) => e.to_string(),
                };
                match scope
                    .relations
                    .iter()
                    .enumerate()
                    .find(|(_, r)| r.qualifier.eq_ignore_ascii_case(&qualifier))
                {
                    Some((r, relation)) => {
                        self.expand_relation(r, relation, false, grouping, range, output, seen)
                    }
                    None => {
                        let candidates: Vec<&str> = scope
                            .relations
                            .iter()
                            .map(|r| r.qualifier.as_str())
                            .collect();
                        let help = did_you_mean(&qualifier, candidates)
                            .map(|s| format!("did you mean `{s}.*`?"));
                        self.error(
                            Code::UnknownRelation,
                            range,
                            format!("`{qualifier}` is not a relation of this FROM clause"),
                            help,
                        );
                    }
                }
            }
            SelectItem::ExprWithAliases { .. } => {
                self.unsupported(item_range, "multiple aliases for one expression");
            }
        }
    }

    fn refuse_wildcard_options(
        &mut self,
        options: &mesh_syntax::ast::WildcardAdditionalOptions,
        range: TextRange,
    ) {
        if options.opt_ilike.is_some()
            || options.opt_exclude.is_some()
            || options.opt_except.is_some()
            || options.opt_replace.is_some()
            || options.opt_rename.is_some()
        {
            self.unsupported(range, "`*` with EXCLUDE, EXCEPT, REPLACE, RENAME or ILIKE");
        }
    }

    /// Expands `*` (`skip_merged`: a column merged by USING appears once) or `t.*`.
    #[allow(clippy::too_many_arguments)]
    fn expand_relation(
        &mut self,
        index: usize,
        relation: &ScopeRelation,
        skip_merged: bool,
        grouping: Option<&Grouping>,
        range: TextRange,
        output: &mut Output,
        seen: &mut HashSet<String>,
    ) {
        for (c, column) in relation.columns.iter().enumerate() {
            if skip_merged
                && relation
                    .merged
                    .iter()
                    .any(|m| m.eq_ignore_ascii_case(&column.name))
            {
                continue;
            }
            if let Some(grouping) = grouping
                && !grouping.columns.contains(&(index, c))
            {
                self.error(
                    Code::NotGrouped,
                    range,
                    format!(
                        "`*` includes `{}`, which is neither grouped nor aggregated",
                        column.name
                    ),
                    Some("list the grouped columns instead of `*`".to_string()),
                );
                continue;
            }
            if let Some(product) = &relation.product {
                self.use_product_column(product, &column.name, range);
            }
            self.push_output(
                output,
                seen,
                column.name.clone(),
                column.ty,
                column.nullable,
                range,
            );
        }
    }

    fn push_output(
        &mut self,
        output: &mut Output,
        seen: &mut HashSet<String>,
        name: String,
        ty: SqlType,
        nullable: bool,
        range: TextRange,
    ) {
        if !seen.insert(name.to_ascii_lowercase()) {
            self.error(
                Code::DuplicateColumn,
                range,
                format!("the output already has a column named `{name}`"),
                Some("give one of them another alias".to_string()),
            );
            return;
        }
        output.relation.columns.push(Column { name, ty, nullable });
        output.ranges.push(range);
    }

    /// Adds a FROM item to the scope; two items with one name are MESH3014.
    fn add_relation(
        &mut self,
        scope: &mut Scope<'_>,
        mut relation: ScopeRelation,
        range: TextRange,
    ) {
        if !relation.qualifier.is_empty()
            && scope
                .relations
                .iter()
                .any(|r| r.qualifier.eq_ignore_ascii_case(&relation.qualifier))
        {
            self.error(
                Code::DuplicateAlias,
                range,
                format!(
                    "`{}` names two relations of this FROM clause",
                    relation.qualifier
                ),
                Some("give one of them another alias (`... AS other_name`)".to_string()),
            );
            // Columns resolve against the first one; no second error per column.
            relation.columns.clear();
            relation.opaque = true;
        }
        scope.relations.push(relation);
    }

    fn table_with_joins(&mut self, table: &mut TableWithJoins, scope: &mut Scope<'_>) {
        let range = self.range(table.relation.span());
        if let Some(relation) = self.table_factor(&mut table.relation, scope.parent) {
            self.add_relation(scope, relation, range);
        }
        for join in &mut table.joins {
            self.join(join, scope);
        }
    }

    fn join(&mut self, join: &mut Join, scope: &mut Scope<'_>) {
        let before = scope.relations.len();
        let Some(mut relation) = self.table_factor(&mut join.relation, scope.parent) else {
            return;
        };
        let (left_nullable, right_nullable, constraint) = match &mut join.join_operator {
            JoinOperator::Join(c) | JoinOperator::Inner(c) => (false, false, Some(c)),
            JoinOperator::Left(c) | JoinOperator::LeftOuter(c) => (false, true, Some(c)),
            JoinOperator::Right(c) | JoinOperator::RightOuter(c) => (true, false, Some(c)),
            JoinOperator::FullOuter(c) => (true, true, Some(c)),
            JoinOperator::CrossJoin(c) => (false, false, Some(c)),
            _ => {
                let range = self.range(join.relation.span());
                self.unsupported(range, "this kind of join");
                (false, false, None)
            }
        };
        if right_nullable {
            for column in &mut relation.columns {
                column.nullable = true;
            }
        }
        if left_nullable {
            for existing in &mut scope.relations[..before] {
                for column in &mut existing.columns {
                    column.nullable = true;
                }
            }
        }
        let mut using = Vec::new();
        if let Some(JoinConstraint::Using(names)) = &constraint {
            using = names.iter().map(|n| (last_part(n), n.span())).collect();
        }
        for (name, span) in &using {
            let range = self.range(*span);
            let left = scope.resolve(None, name);
            let right = relation
                .columns
                .iter()
                .find(|c| c.name.eq_ignore_ascii_case(name))
                .cloned();
            match (left, right) {
                (Ok(left), Some(right)) => {
                    if unify(left.ty.ty, right.ty).is_none() {
                        self.error(
                            Code::IncompatibleJoin,
                            range,
                            format!("USING ({name}) joins {} with {}", left.ty.ty, right.ty),
                            Some("CAST one side in a CTE before joining".to_string()),
                        );
                    }
                }
                _ if relation.opaque => {}
                _ => self.error(
                    Code::UnknownColumn,
                    range,
                    format!("USING column `{name}` must exist on both sides of the join"),
                    None,
                ),
            }
            relation.merged.push(name.to_ascii_lowercase());
        }
        let range = self.range(join.relation.span());
        self.add_relation(scope, relation, range);
        match constraint {
            Some(JoinConstraint::On(on)) => {
                // Only an inner join drops rows whose key is NULL.
                let inner = !(left_nullable || right_nullable);
                let clause = if inner {
                    Clause::JoinOn
                } else {
                    Clause::OuterJoinOn
                };
                let cx = ExprCtx::plain(scope, clause);
                self.condition(on, &cx, "ON");
            }
            Some(JoinConstraint::Natural) => {
                let range = self.range(join.relation.span());
                self.unsupported(range, "NATURAL JOIN");
            }
            Some(JoinConstraint::UsingAlias(..)) => {
                let range = self.range(join.relation.span());
                self.unsupported(range, "USING ... AS");
            }
            _ => {}
        }
    }

    fn table_factor(
        &mut self,
        factor: &mut TableFactor,
        outer: Option<&Scope<'_>>,
    ) -> Option<ScopeRelation> {
        match factor {
            TableFactor::Table {
                name,
                alias,
                args: None,
                with_hints,
                version: None,
                partitions,
                ..
            } if with_hints.is_empty() && partitions.is_empty() => {
                let default_qualifier = last_part(name).to_ascii_lowercase();
                let mut relation = self.resolve_relation(name);
                relation.qualifier = default_qualifier;
                if let Some(alias) = alias {
                    relation.qualifier = alias.name.value.to_ascii_lowercase();
                    let mut output = Output {
                        relation: Relation {
                            columns: relation.columns.clone(),
                        },
                        ranges: Vec::new(),
                    };
                    if !relation.opaque {
                        if self.rename_columns(&mut output, &alias.columns, alias.name.span) {
                            relation.columns = output.relation.columns;
                        } else {
                            relation.columns.clear();
                            relation.opaque = true;
                        }
                    }
                }
                Some(relation)
            }
            TableFactor::Derived {
                lateral: false,
                subquery,
                alias,
                ..
            } => {
                let mut output = self.query(subquery, outer, false);
                let mut qualifier = String::new();
                let mut opaque = false;
                if let Some(alias) = alias {
                    opaque = !self.rename_columns(&mut output, &alias.columns, alias.name.span);
                    qualifier = alias.name.value.to_ascii_lowercase();
                }
                if opaque {
                    output.relation.columns.clear();
                }
                Some(ScopeRelation {
                    qualifier,
                    columns: output.relation.columns,
                    opaque,
                    merged: Vec::new(),
                    product: None,
                })
            }
            other => {
                let range = self.range(other.span());
                self.unsupported(range, "this kind of FROM item");
                None
            }
        }
    }

    fn opaque(&self) -> ScopeRelation {
        ScopeRelation {
            qualifier: String::new(),
            columns: Vec::new(),
            opaque: true,
            merged: Vec::new(),
            product: None,
        }
    }

    fn known(&self, relation: &Relation, product: Option<String>) -> ScopeRelation {
        ScopeRelation {
            qualifier: String::new(),
            columns: relation.columns.clone(),
            opaque: false,
            merged: Vec::new(),
            product,
        }
    }

    /// Resolves a relation name: CTE, model or source of this domain, or
    /// `domain.product` through the producer's contract.
    fn resolve_relation(&mut self, name: &mut ObjectName) -> ScopeRelation {
        let range = self.range(name.span());
        match relation_parts(name).as_slice() {
            [single] => {
                if let Some((_, relation)) = self
                    .ctes
                    .iter()
                    .rev()
                    .find(|(n, _)| n.eq_ignore_ascii_case(single))
                {
                    return match relation.clone() {
                        Some(relation) => self.known(&relation, None),
                        None => self.opaque(),
                    };
                }
                match self.local_relation(single, name, range) {
                    Some(relation) => relation,
                    None => {
                        self.unknown_local(single, range);
                        self.opaque()
                    }
                }
            }
            [domain, product] => {
                if domain.eq_ignore_ascii_case(&self.scope.name) {
                    return match self.local_relation(product, name, range) {
                        Some(relation) => relation,
                        None => {
                            self.unknown_local(product, range);
                            self.opaque()
                        }
                    };
                }
                self.foreign_relation(domain, product, name, range)
            }
            _ => {
                self.unsupported(range, "a relation name with more than two parts");
                self.opaque()
            }
        }
    }

    fn local_relation(
        &mut self,
        name: &str,
        object: &mut ObjectName,
        range: TextRange,
    ) -> Option<ScopeRelation> {
        let target = local_target(self.scope, name)?;
        if let RelationTarget::Model {
            name: model_name, ..
        } = &target
        {
            let model = ModelId::new(self.db, self.domain, model_name.clone());
            self.note_dependency(target.clone(), object, range);
            if crate::graph::in_same_cycle(self.db, self.model, model) {
                // Typing a model of our own cycle would recurse; the cycle is
                // reported once, from the graph.
                return Some(self.opaque());
            }
            return Some(match model_signature(self.db, model) {
                Some(relation) => self.known(relation, None),
                None => self.opaque(),
            });
        }
        let relation = self
            .scope
            .sources
            .get(&name.to_ascii_lowercase())?
            .relation
            .clone();
        self.note_dependency(target, object, range);
        Some(self.known(&relation, None))
    }

    fn note_dependency(
        &mut self,
        target: RelationTarget,
        object: &mut ObjectName,
        range: TextRange,
    ) {
        if let Some(physical) = self.lowering.relation_name(&target) {
            *object = physical;
        }
        self.dependencies.push(Dependency { target, range });
    }

    fn unknown_local(&mut self, name: &str, range: TextRange) {
        let scope = self.scope;
        if scope.sources_unreadable {
            return;
        }
        let mut candidates: Vec<&str> = self.ctes.iter().map(|(n, _)| n.as_str()).collect();
        candidates.extend(scope.models.values().map(|(n, _)| n.as_str()));
        candidates.extend(scope.sources.values().map(|s| s.decl.name.value.as_str()));
        let mut help = did_you_mean(name, candidates).map(|s| format!("did you mean `{s}`?"));
        if help.is_none() {
            for domain in member_domains(self.db) {
                let id = DomainId::new(self.db, domain.clone());
                if crate::index::domain_scope(self.db, id)
                    .contracts
                    .contains_key(&name.to_ascii_lowercase())
                {
                    help = Some(format!(
                        "`{domain}` publishes a product named `{name}`: write `{domain}.{name}` (and declare the dependency)"
                    ));
                    break;
                }
            }
        }
        let help = help.or_else(|| {
            Some(format!(
                "a bare name is a CTE, model or source of domain `{}`; another domain's product is written `domain.product`",
                scope.name
            ))
        });
        self.error(
            Code::UnknownRelation,
            range,
            format!(
                "no CTE, model or source named `{name}` in domain `{}`",
                scope.name
            ),
            help,
        );
    }

    fn foreign_relation(
        &mut self,
        domain: &str,
        product: &str,
        object: &mut ObjectName,
        range: TextRange,
    ) -> ScopeRelation {
        let Some(domain) = find_domain(self.db, domain) else {
            let mut domains: Vec<String> = member_domains(self.db).to_vec();
            domains.extend(crate::index::external_domains(self.db).iter().cloned());
            let help = did_you_mean(domain, domains.iter().map(String::as_str))
                .map(|d| format!("did you mean `{d}.{product}`?"));
            self.error(
                Code::UnknownDomain,
                range,
                format!("there is no domain `{domain}` in this workspace or in mesh.lock"),
                help.or_else(|| {
                    if self.scope.dependencies.contains_key(domain) {
                        return Some(format!(
                            "if `{domain}` lives in another repository, run `meshc lock` to resolve its products from the registry"
                        ));
                    }
                    Some(format!(
                        "the workspace's domains are: {}",
                        domains.join(", ")
                    ))
                }),
            );
            return self.opaque();
        };
        let domain_id = DomainId::new(self.db, domain.clone());
        let producer = crate::index::domain_scope(self.db, domain_id);
        let Some(product_name) = published_model_name(producer, product) else {
            if let Some((model_name, _)) = producer.models.get(&product.to_ascii_lowercase()) {
                self.error(
                    Code::PrivateModel,
                    range,
                    format!("`{domain}.{model_name}` is a private model of domain `{domain}`: it has no contract"),
                    Some(format!(
                        "only published products can be read across domains; ask `{domain}` to add contracts/{model_name}.yaml"
                    )),
                );
            } else {
                let published: Vec<&str> = producer.contracts.keys().map(String::as_str).collect();
                let help = did_you_mean(product, published.iter().copied())
                    .map(|p| format!("did you mean `{domain}.{p}`?"))
                    .unwrap_or_else(|| format!("`{domain}` publishes: {}", published.join(", ")));
                self.error(
                    Code::UnknownRelation,
                    range,
                    format!("domain `{domain}` publishes no product `{product}`"),
                    Some(help),
                );
            }
            return self.opaque();
        };
        if !self.scope.dependencies.contains_key(&domain) && !self.scope.config_unreadable {
            let help = format!(
                "add `{domain}: \"^{}\"` under `dependencies:` in {}/domain.yaml",
                published_product(
                    self.db,
                    ModelId::new(self.db, domain_id, product_name.clone())
                )
                .as_ref()
                .and_then(|p| p.version.as_ref())
                .map(|v| format!("{}.{}", v.major, v.minor))
                .unwrap_or_else(|| "1.0".to_string()),
                self.scope.name
            );
            self.error(
                Code::UndeclaredDependency,
                range,
                format!("domain `{}` reads `{domain}.{product_name}` but does not declare a dependency on `{domain}`", self.scope.name),
                Some(help),
            );
        }
        let target = RelationTarget::Model {
            domain: domain.clone(),
            name: product_name.clone(),
        };
        self.note_dependency(target, object, range);
        match published_product(
            self.db,
            ModelId::new(self.db, domain_id, product_name.clone()),
        ) {
            Some(published) => {
                let label = match &published.version {
                    Some(v) => format!("{domain}.{product_name}@{v}"),
                    None => format!("{domain}.{product_name}"),
                };
                if let Some(allowed) = &published.access
                    && !allowed
                        .iter()
                        .any(|d| d.eq_ignore_ascii_case(&self.scope.name))
                {
                    self.error(
                        Code::AccessDenied,
                        range,
                        format!(
                            "the contract of {label} lets only {} read it, not `{}`",
                            if allowed.is_empty() {
                                "its own domain".to_string()
                            } else {
                                allowed.iter().map(|d| format!("`{d}`")).collect::<Vec<_>>().join(", ")
                            },
                            self.scope.name
                        ),
                        Some(format!(
                            "ask the owner of `{domain}` to add `{}` to `meshc.access` under `customProperties` in contracts/{product_name}.yaml",
                            self.scope.name
                        )),
                    );
                }
                if let (Some(requirement), Some(version)) =
                    (self.scope.dependencies.get(&domain), &published.version)
                    && !requirement.value.matches(version)
                {
                    self.error(
                        Code::DependencyVersion,
                        range,
                        format!(
                            "{label} does not satisfy the requirement `{domain}: \"{}\"` of domain `{}`",
                            requirement.value, self.scope.name
                        ),
                        Some(format!(
                            "review the changes of {domain}.{product_name} and widen the requirement in {}/domain.yaml (for example \"^{}.{}\")",
                            self.scope.name, version.major, version.minor
                        )),
                    );
                }
                self.known(&published.relation, Some(label))
            }
            None => self.opaque(),
        }
    }
}

fn last_part(name: &ObjectName) -> String {
    name.0
        .last()
        .map(|p| p.to_string().trim_matches('"').to_string())
        .unwrap_or_default()
}

/// The name an unaliased output column gets: a column reference keeps its name.
fn implicit_name(expr: &Expr) -> Option<String> {
    match expr {
        Expr::Identifier(ident) => Some(ident.value.clone()),
        Expr::CompoundIdentifier(parts) => parts.last().map(|p| p.value.clone()),
        Expr::Nested(inner) => implicit_name(inner),
        _ => None,
    }
}

/// Whether `expr`, outside its subqueries, has an expression `hit` finds.
fn finds_outside_subqueries(expr: &Expr, hit: fn(&Expr) -> bool) -> bool {
    struct Finder {
        hit: fn(&Expr) -> bool,
        depth: usize,
    }
    impl mesh_syntax::ast::Visitor for Finder {
        type Break = ();
        fn pre_visit_query(&mut self, _: &Query) -> std::ops::ControlFlow<()> {
            self.depth += 1;
            std::ops::ControlFlow::Continue(())
        }
        fn post_visit_query(&mut self, _: &Query) -> std::ops::ControlFlow<()> {
            self.depth -= 1;
            std::ops::ControlFlow::Continue(())
        }
        fn pre_visit_expr(&mut self, expr: &Expr) -> std::ops::ControlFlow<()> {
            match self.depth == 0 && (self.hit)(expr) {
                true => std::ops::ControlFlow::Break(()),
                false => std::ops::ControlFlow::Continue(()),
            }
        }
    }
    let mut finder = Finder { hit, depth: 0 };
    mesh_syntax::ast::Visit::visit(expr, &mut finder).is_break()
}

/// Whether `expr` calls a window function (`… OVER (…)`) of its own query.
fn contains_window(expr: &Expr) -> bool {
    finds_outside_subqueries(expr, |e| matches!(e, Expr::Function(f) if f.over.is_some()))
}

/// Whether `expr` reads a column of its own query's FROM (a constant, even
/// `random()` or a subquery of its own, does not).
fn reads_a_column(expr: &Expr) -> bool {
    finds_outside_subqueries(expr, |e| {
        matches!(e, Expr::Identifier(_) | Expr::CompoundIdentifier(_))
    })
}

fn ordinal(expr: &Expr) -> Option<usize> {
    match expr {
        Expr::Value(v) => match &v.value {
            Value::Number(n, _) => n.parse().ok(),
            _ => None,
        },
        _ => None,
    }
}

fn is_ordinal(expr: &Expr) -> bool {
    ordinal(expr).is_some()
}

fn is_output_alias(expr: &Expr, output: &Relation) -> bool {
    match expr {
        Expr::Identifier(ident) => output.column(&ident.value).is_some(),
        _ => false,
    }
}
