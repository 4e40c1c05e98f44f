//! The relations a model reads, found by walking its syntax tree.
//!
//! The dependency graph needs every model's references before any model is
//! typed (typing a model asks for the signatures of the models it reads, so
//! the graph must exist first to find cycles). This walk resolves relation
//! names with the same rules as type inference (a CTE in scope, else a model
//! or source of the domain, else `domain.product` through a contract) but
//! types nothing, so it costs a small fraction of an inference pass.

use std::sync::Arc;

use mesh_syntax::ast::{
    Cte, Expr, Function, FunctionArg, FunctionArgExpr, FunctionArguments, GroupByExpr, InTarget,
    JoinConstraint, JoinOperator, LimitClause, ObjectName, OrderBy, OrderByKind, Query, Select,
    SelectItem, SetExpr, TableFactor, WindowType,
};

use crate::db::{Db, DomainId, ModelId};
use crate::index::{DomainScope, domain_scope, external_domains, member_domains, parse_model_file};
use crate::lower::RelationTarget;

/// The relations a model reads, sorted and without repeats. Depends on no
/// other model, so the graph built from it cannot cycle through salsa.
#[salsa::tracked(returns(ref))]
pub fn model_references<'db>(db: &'db dyn Db, model: ModelId<'db>) -> Arc<[RelationTarget]> {
    if let Some(cached) = crate::warm::references(db, model) {
        return cached;
    }
    // The walk recurses once per level of the tree (bounded by mesh_syntax::MAX_TREE_DEPTH).
    mesh_syntax::with_stack(|| references(db, model))
}

fn references<'db>(db: &'db dyn Db, model: ModelId<'db>) -> Arc<[RelationTarget]> {
    let scope = domain_scope(db, model.domain(db));
    let Some((_, file)) = scope.models.get(&model.name(db).to_ascii_lowercase()) else {
        return Arc::from(Vec::new());
    };
    let parsed = parse_model_file(db, *file);
    let Some(query) = &parsed.query else {
        return Arc::from(Vec::new());
    };
    let mut targets = query_references(db, scope, query);
    targets.sort();
    targets.dedup();
    // Inference of this model usually comes next: hand it the tree.
    db.stash_parse(*file, file.text(db), parsed);
    targets.into()
}

/// Every relation `query` names that resolves, in the order written.
pub(crate) fn query_references(
    db: &dyn Db,
    scope: &DomainScope,
    query: &Query,
) -> Vec<RelationTarget> {
    let mut walk = ReferenceWalk {
        db,
        scope,
        ctes: Vec::new(),
        targets: Vec::new(),
    };
    walk.query(query);
    walk.targets
}

/// The parts of a relation name as inference compares them: unquoted.
pub(crate) fn relation_parts(name: &ObjectName) -> Vec<String> {
    name.0
        .iter()
        .map(|p| p.to_string().trim_matches('"').to_string())
        .collect()
}

/// A model or source of `scope`'s domain named `name` (any case).
pub(crate) fn local_target(scope: &DomainScope, name: &str) -> Option<RelationTarget> {
    let key = name.to_ascii_lowercase();
    if let Some((model_name, _)) = scope.models.get(&key) {
        return Some(RelationTarget::Model {
            domain: scope.name.clone(),
            name: model_name.clone(),
        });
    }
    scope
        .sources
        .get(&key)
        .map(|source| RelationTarget::Source {
            domain: scope.name.clone(),
            name: source.decl.name.value.clone(),
        })
}

/// The domain of the workspace or of mesh.lock named `name` (any case).
pub(crate) fn find_domain(db: &dyn Db, name: &str) -> Option<String> {
    member_domains(db)
        .iter()
        .chain(external_domains(db).iter())
        .find(|d| d.eq_ignore_ascii_case(name))
        .cloned()
}

/// The model behind the product `product` that `producer` publishes (it has a
/// contract), named as the producer writes it.
pub(crate) fn published_model_name(producer: &DomainScope, product: &str) -> Option<String> {
    let key = product.to_ascii_lowercase();
    producer.contracts.get(&key)?;
    Some(
        producer
            .models
            .get(&key)
            .map(|(name, _)| name.clone())
            .unwrap_or_else(|| product.to_string()),
    )
}

/// Walks every place where inference types a relation or a subquery (and a
/// few it refuses), so it finds at least the relations inference resolves.
struct ReferenceWalk<'a> {
    db: &'a dyn Db,
    scope: &'a DomainScope,
    /// CTE names visible here, innermost last (lower-cased).
    ctes: Vec<String>,
    targets: Vec<RelationTarget>,
}

impl ReferenceWalk<'_> {
    fn resolve(&self, name: &ObjectName) -> Option<RelationTarget> {
        match relation_parts(name).as_slice() {
            [single] => {
                let lower = single.to_ascii_lowercase();
                if self.ctes.contains(&lower) {
                    return None;
                }
                local_target(self.scope, single)
            }
            [domain, product] if domain.eq_ignore_ascii_case(&self.scope.name) => {
                local_target(self.scope, product)
            }
            [domain, product] => {
                let domain = find_domain(self.db, domain)?;
                let producer = domain_scope(self.db, DomainId::new(self.db, domain.clone()));
                let name = published_model_name(producer, product)?;
                Some(RelationTarget::Model { domain, name })
            }
            _ => None,
        }
    }

    /// A CTE is visible to the CTEs after it and to the query body, once its
    /// own body has been walked; a recursive WITH makes all names visible first.
    fn query(&mut self, query: &Query) {
        let base = self.ctes.len();
        if let Some(with) = &query.with {
            let name = |cte: &Cte| cte.alias.name.value.to_ascii_lowercase();
            if with.recursive {
                self.ctes.extend(with.cte_tables.iter().map(name));
            }
            for cte in &with.cte_tables {
                self.query(&cte.query);
                if !with.recursive {
                    self.ctes.push(name(cte));
                }
            }
        }
        self.set_expr(&query.body);
        if let Some(OrderBy {
            kind: OrderByKind::Expressions(items),
            ..
        }) = &query.order_by
        {
            for item in items {
                self.expr(&item.expr);
            }
        }
        if let Some(LimitClause::LimitOffset { limit, offset, .. }) = &query.limit_clause {
            self.exprs(limit.iter().chain(offset.iter().map(|o| &o.value)));
        }
        self.ctes.truncate(base);
    }

    fn set_expr(&mut self, body: &SetExpr) {
        match body {
            SetExpr::Select(select) => self.select(select),
            SetExpr::Query(query) => self.query(query),
            SetExpr::SetOperation { left, right, .. } => {
                self.set_expr(left);
                self.set_expr(right);
            }
            SetExpr::Values(values) => self.exprs(values.rows.iter().flat_map(|row| row.iter())),
            _ => {}
        }
    }

    fn select(&mut self, select: &Select) {
        for table in &select.from {
            self.table_factor(&table.relation);
            for join in &table.joins {
                self.table_factor(&join.relation);
                if let Some(JoinConstraint::On(on)) = join_constraint(&join.join_operator) {
                    self.expr(on);
                }
            }
        }
        for item in &select.projection {
            if let SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. } = item {
                self.expr(e);
            }
        }
        if let GroupByExpr::Expressions(keys, _) = &select.group_by {
            self.exprs(keys);
        }
        self.exprs(
            select
                .selection
                .iter()
                .chain(&select.having)
                .chain(&select.qualify),
        );
    }

    fn table_factor(&mut self, factor: &TableFactor) {
        match factor {
            TableFactor::Table { name, .. } => {
                if let Some(target) = self.resolve(name) {
                    self.targets.push(target);
                }
            }
            TableFactor::Derived { subquery, .. } => self.query(subquery),
            TableFactor::NestedJoin {
                table_with_joins, ..
            } => {
                self.table_factor(&table_with_joins.relation);
                for join in &table_with_joins.joins {
                    self.table_factor(&join.relation);
                }
            }
            _ => {}
        }
    }

    fn exprs<'e>(&mut self, exprs: impl IntoIterator<Item = &'e Expr>) {
        for expr in exprs {
            self.expr(expr);
        }
    }

    /// Subqueries anywhere inside an expression.
    fn expr(&mut self, expr: &Expr) {
        match expr {
            Expr::Subquery(query)
            | Expr::Exists {
                subquery: query, ..
            } => self.query(query),
            Expr::In { expr, target, .. } => {
                self.expr(expr);
                match target {
                    InTarget::List(list) => self.exprs(list),
                    InTarget::Subquery(query) => self.query(query),
                    InTarget::Table { name, .. } => {
                        if let Some(target) = self.resolve(name) {
                            self.targets.push(target);
                        }
                    }
                    _ => {}
                }
            }
            Expr::BinaryOp { left, right, .. }
            | Expr::IsDistinctFrom(left, right)
            | Expr::IsNotDistinctFrom(left, right)
            | Expr::Like {
                expr: left,
                pattern: right,
                ..
            }
            | Expr::ILike {
                expr: left,
                pattern: right,
                ..
            }
            | Expr::Position {
                expr: left,
                r#in: right,
            } => {
                self.expr(left);
                self.expr(right);
            }
            Expr::Interval(interval) => self.expr(&interval.value),
            Expr::Nested(inner)
            | Expr::UnaryOp { expr: inner, .. }
            | Expr::IsNull(inner)
            | Expr::IsNotNull(inner)
            | Expr::IsTrue(inner)
            | Expr::IsFalse(inner)
            | Expr::IsNotTrue(inner)
            | Expr::IsNotFalse(inner)
            | Expr::Cast { expr: inner, .. }
            | Expr::Extract { expr: inner, .. }
            | Expr::Ceil { expr: inner, .. }
            | Expr::Floor { expr: inner, .. }
            | Expr::Trim { expr: inner, .. } => self.expr(inner),
            Expr::Between {
                expr, low, high, ..
            } => self.exprs([expr, low, high].map(|e| &**e)),
            Expr::Substring {
                expr,
                substring_from,
                substring_for,
                ..
            } => {
                self.expr(expr);
                self.exprs(substring_from.iter().chain(substring_for).map(|e| &**e));
            }
            Expr::Case {
                operand,
                conditions,
                else_result,
                ..
            } => {
                self.exprs(operand.iter().chain(else_result).map(|e| &**e));
                for when in conditions {
                    self.expr(&when.condition);
                    self.expr(&when.result);
                }
            }
            Expr::Function(function) => self.function(function),
            _ => {}
        }
    }

    fn function(&mut self, function: &Function) {
        if let FunctionArguments::List(list) = &function.args {
            for arg in &list.args {
                if let FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) = arg {
                    self.expr(e);
                }
            }
        }
        if let FunctionArguments::Subquery(query) = &function.args {
            self.query(query);
        }
        if let Some(filter) = &function.filter {
            self.expr(filter);
        }
        if let Some(WindowType::WindowSpec(spec)) = &function.over {
            self.exprs(&spec.partition_by);
            self.exprs(spec.order_by.iter().map(|o| &o.expr));
        }
    }
}

/// The constraint of a join, for the join kinds that have one.
fn join_constraint(operator: &JoinOperator) -> Option<&JoinConstraint> {
    match operator {
        JoinOperator::Join(c)
        | JoinOperator::Inner(c)
        | JoinOperator::Left(c)
        | JoinOperator::LeftOuter(c)
        | JoinOperator::Right(c)
        | JoinOperator::RightOuter(c)
        | JoinOperator::FullOuter(c)
        | JoinOperator::CrossJoin(c) => Some(c),
        _ => None,
    }
}
