//! Bounds on how deep a model's syntax tree may nest, and the stack the
//! recursive walks over a tree within those bounds need.
//!
//! sqlparser builds operator chains (`a + b + …`, `x OR y OR …`, `UNION ALL`)
//! with loops, so a 40 KB file can hold a tree 9,000 levels deep although the
//! parser's own recursion limit is never reached. Every later walk over the
//! tree (sqlparser's `Spanned`, inference, the reference walk, `Drop`)
//! recurses once per level. So right after parsing, [`cut_beyond_depth`]
//! measures the tree with a walk that stops at [`MAX_TREE_DEPTH`]; a deeper
//! tree is refused with a diagnostic, and the part beyond the limit is taken
//! apart without deep recursion. Every walk over an accepted tree runs inside [`with_stack`], which
//! guarantees [`STACK_BYTES`] of stack whatever thread calls it.

use std::ops::ControlFlow;

use sqlparser::ast::{Expr, Ident, Query, SetExpr, Value, ValueWithSpan, VisitMut, VisitorMut};
use sqlparser::tokenizer::Span;

/// How deep a model's syntax tree may nest: expressions, subqueries, set
/// operations and parenthesized joins each count one level (a chain of `n`
/// binary operators is `n` levels). Far beyond hand-written SQL; generated SQL
/// with a 1,000-term `OR` chain should use `IN (…)`, which is one level.
pub const MAX_TREE_DEPTH: usize = 1_000;

/// sqlparser's recursion limit (parentheses, subqueries, function calls nested
/// in one another); its default of 50 is low for generated SQL.
pub const PARSER_RECURSION_LIMIT: usize = 250;

/// The stack every walk over an accepted tree may use (64 MiB; the walks
/// measured at [`MAX_TREE_DEPTH`] need under 8 MiB in a debug build, see
/// docs/sql.md). Threads that analyze models are started with this much
/// stack so [`with_stack`] rarely has to allocate one.
pub const STACK_BYTES: usize = 64 << 20;

/// sqlparser grows its own stack (the `recursive` crate) when less than this
/// is left; its default of 128 KiB is less than one frame of its derived
/// visitor in a debug build (180 KiB).
const SQLPARSER_RED_ZONE: usize = 2 << 20;

/// Runs `f` with at least half of [`STACK_BYTES`] of stack left: on the
/// current thread when it has that much, else on a stack of [`STACK_BYTES`]
/// allocated for the call (stacker).
pub fn with_stack<R>(f: impl FnOnce() -> R) -> R {
    recursive::set_minimum_stack_size(SQLPARSER_RED_ZONE);
    recursive::set_stack_allocation_size(4 * SQLPARSER_RED_ZONE);
    stacker::maybe_grow(STACK_BYTES / 2, STACK_BYTES, f)
}

/// Counts levels while walking a tree; the first node beyond `limit` is cut
/// out (replaced by `NULL` or an empty body) and handed back as the break value.
struct DepthCheck {
    depth: usize,
    limit: usize,
    /// Depth added by each open query (itself plus its set-operation nesting).
    queries: Vec<usize>,
}

impl VisitorMut for DepthCheck {
    type Break = Piece;

    fn pre_visit_query(&mut self, query: &mut Query) -> ControlFlow<Piece> {
        let added = 1 + set_operation_depth(&query.body, self.limit);
        self.queries.push(added);
        self.depth += added;
        if self.depth > self.limit {
            let body = std::mem::replace(&mut query.body, empty_body());
            return ControlFlow::Break(Piece::Set(body));
        }
        ControlFlow::Continue(())
    }

    fn post_visit_query(&mut self, _query: &mut Query) -> ControlFlow<Piece> {
        self.depth -= self.queries.pop().unwrap_or(0);
        ControlFlow::Continue(())
    }

    fn pre_visit_expr(&mut self, expr: &mut Expr) -> ControlFlow<Piece> {
        self.depth += 1;
        if self.depth > self.limit {
            return ControlFlow::Break(Piece::Expr(Box::new(cut(expr))));
        }
        ControlFlow::Continue(())
    }

    fn post_visit_expr(&mut self, _: &mut Expr) -> ControlFlow<Piece> {
        self.depth -= 1;
        ControlFlow::Continue(())
    }
}

fn cut(expr: &mut Expr) -> Expr {
    std::mem::replace(expr, Expr::Value(Value::Null.into()))
}

/// How deep set operations nest in `body` (0 for a plain SELECT), counted
/// without recursion and without looking into subqueries; stops past `limit`.
fn set_operation_depth(body: &SetExpr, limit: usize) -> usize {
    let mut deepest = 0;
    let mut stack = vec![(body, 0usize)];
    while let Some((node, depth)) = stack.pop() {
        deepest = deepest.max(depth);
        if deepest > limit {
            break;
        }
        if let SetExpr::SetOperation { left, right, .. } = node {
            stack.push((left, depth + 1));
            stack.push((right, depth + 1));
        }
    }
    deepest
}

/// When the tree nests deeper than `limit` levels: cuts the first subtree
/// beyond the limit out of it, takes that apart and returns the span it
/// covered. The walk recurses at most `limit` levels; what is left of the
/// tree is at most `limit` deep.
pub(crate) fn cut_beyond_depth(query: &mut Query, limit: usize) -> Option<Span> {
    let mut check = DepthCheck {
        depth: 0,
        limit,
        queries: Vec::new(),
    };
    match query.visit(&mut check) {
        ControlFlow::Break(piece) => Some(dismantle(piece)),
        ControlFlow::Continue(()) => None,
    }
}

/// A part of a tree being taken apart.
enum Piece {
    Query(Box<Query>),
    Set(Box<SetExpr>),
    Expr(Box<Expr>),
}

/// Cuts every subtree below a shallow depth out of the tree it walks (the cut
/// node becomes `NULL` or an empty body) so it can be dropped without deep
/// recursion, and records the span the leaves it meets cover.
struct Cutter {
    depth: usize,
    pieces: Vec<Piece>,
    span: Span,
}

/// How deep a piece is walked before its subtrees are cut off.
const CUT_DEPTH: usize = 32;

fn empty_body() -> Box<SetExpr> {
    Box::new(SetExpr::Values(sqlparser::ast::Values {
        explicit_row: false,
        value_keyword: false,
        rows: Vec::new(),
    }))
}

impl Cutter {
    fn cover(&mut self, span: Span) {
        if span.start.line == 0 {
            return;
        }
        self.span = if self.span.start.line == 0 {
            span
        } else {
            self.span.union(&span)
        };
    }
}

impl VisitorMut for Cutter {
    type Break = ();

    fn pre_visit_query(&mut self, query: &mut Query) -> ControlFlow<()> {
        let body = std::mem::replace(&mut query.body, empty_body());
        self.pieces.push(Piece::Set(body));
        ControlFlow::Continue(())
    }

    fn pre_visit_expr(&mut self, expr: &mut Expr) -> ControlFlow<()> {
        self.depth += 1;
        if self.depth > CUT_DEPTH {
            self.pieces.push(Piece::Expr(Box::new(cut(expr))));
        }
        ControlFlow::Continue(())
    }

    fn post_visit_expr(&mut self, _: &mut Expr) -> ControlFlow<()> {
        self.depth -= 1;
        ControlFlow::Continue(())
    }

    fn pre_visit_value(&mut self, value: &mut ValueWithSpan) -> ControlFlow<()> {
        self.cover(value.span);
        ControlFlow::Continue(())
    }

    fn pre_visit_ident(&mut self, ident: &mut Ident) -> ControlFlow<()> {
        self.cover(ident.span);
        ControlFlow::Continue(())
    }
}

/// Drops a tree of any depth without deep recursion and returns the span its
/// identifiers and literals cover (empty when it has none).
fn dismantle(piece: Piece) -> Span {
    let mut cutter = Cutter {
        depth: 0,
        pieces: vec![piece],
        span: Span::empty(),
    };
    while let Some(piece) = cutter.pieces.pop() {
        cutter.depth = 0;
        match piece {
            Piece::Query(mut query) => {
                let _ = query.visit(&mut cutter);
            }
            Piece::Expr(mut expr) => {
                let _ = expr.as_mut().visit(&mut cutter);
            }
            Piece::Set(set) => match *set {
                SetExpr::SetOperation { left, right, .. } => {
                    cutter.pieces.push(Piece::Set(left));
                    cutter.pieces.push(Piece::Set(right));
                }
                SetExpr::Query(query) => cutter.pieces.push(Piece::Query(query)),
                mut other => {
                    if let SetExpr::Select(select) = &other {
                        cutter.cover(select.select_token.0.span);
                    }
                    let _ = other.visit(&mut cutter);
                }
            },
        }
    }
    cutter.span
}
