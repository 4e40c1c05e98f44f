//! Hooks through which a dialect rewrites a model while it is type-checked.
//!
//! The type checker walks a mutable copy of the model's AST. Wherever mesh SQL
//! semantics may differ between engines it calls a [`Lowering`] hook with the
//! types it inferred, so one walk serves checking (no-op hooks) and emission
//! (the dialect's hooks, in `mesh-emit`).

use mesh_syntax::SqlType;
use mesh_syntax::ast::{Expr, ObjectName};

/// What a relation name in a model resolved to.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RelationTarget {
    /// A model of some domain (the current one or a published product).
    Model { domain: String, name: String },
    /// A source of the current domain.
    Source { domain: String, name: String },
}

/// Rewrites applied while type-checking; every method defaults to "leave as is".
pub trait Lowering {
    /// The physical name of a resolved relation; `None` keeps the name as written.
    fn relation_name(&mut self, _target: &RelationTarget) -> Option<ObjectName> {
        None
    }

    /// `left / right` where both operands are integers: mesh SQL truncates toward zero.
    fn integer_division(&mut self, _expr: &mut Expr) {}

    /// `left + - * % right` on numbers was typed; `result` is the mesh type it
    /// must produce.
    fn arithmetic(&mut self, _expr: &mut Expr, _left: SqlType, _right: SqlType, _result: SqlType) {}

    /// A function call was typed; `result` is the mesh type it must produce.
    /// A message refuses it (reported as `MESH4001`, naming the target).
    fn function_call(
        &mut self,
        _expr: &mut Expr,
        _name: &str,
        _args: &[SqlType],
        _result: SqlType,
    ) -> Option<String> {
        None
    }

    /// `CAST(x AS to)` (or `TRY_CAST`) of an `x` of type `from` was typed: a
    /// number that is not an integer cast to an integer type truncates
    /// toward zero in mesh SQL.
    /// A message refuses it (`MESH4001`).
    fn cast(&mut self, _expr: &mut Expr, _from: SqlType, _to: SqlType) -> Option<String> {
        None
    }

    /// Any expression was typed (`ty`), after the hooks above: the dialect may
    /// rewrite it, or refuse it with a message naming the target, reported as
    /// `MESH4001` at the expression. Called once per expression, inner
    /// expressions first.
    fn expression(&mut self, _expr: &mut Expr, _ty: SqlType) -> Option<String> {
        None
    }
}

/// The hooks used for checking only: no rewrite at all.
pub struct NoLowering;

impl Lowering for NoLowering {}
