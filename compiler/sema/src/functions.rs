//! The portable function library of mesh SQL with typed signatures.
//!
//! Each function is typed from its argument types. A function missing here is
//! reported as `MESH3006`: meshc only lets through what it can type and emit
//! for every target. `docs/functions.md` lists the library.

use mesh_diagnostics::Code;
use mesh_syntax::SqlType;

use crate::types::{Typed, unify};

/// What kind of function a name denotes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FunctionKind {
    Scalar,
    Aggregate,
    /// Only valid with OVER (ranking and offset functions).
    Window,
}

/// Why a call does not type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct CallError {
    pub(crate) code: Code,
    pub(crate) message: String,
    pub(crate) help: Option<String>,
}

fn arity(name: &str, args: &[Typed], min: usize, max: usize) -> Result<(), CallError> {
    if args.len() < min || args.len() > max {
        let expected = if min == max {
            format!("{min}")
        } else if max == usize::MAX {
            format!("at least {min}")
        } else {
            format!("{min} to {max}")
        };
        return Err(CallError {
            code: Code::FunctionArity,
            message: format!(
                "{} takes {expected} argument{}, found {}",
                name.to_ascii_uppercase(),
                if max == 1 || (min == 1 && max == usize::MAX) {
                    ""
                } else {
                    "s"
                },
                args.len()
            ),
            help: None,
        });
    }
    Ok(())
}

fn expect(
    name: &str,
    position: usize,
    arg: Typed,
    ok: bool,
    wanted: &str,
) -> Result<(), CallError> {
    if ok || arg.ty == SqlType::Null {
        return Ok(());
    }
    Err(CallError {
        code: Code::FunctionArgumentType,
        message: format!(
            "argument {} of {} must be {wanted}, found {}",
            position + 1,
            name.to_ascii_uppercase(),
            arg.ty
        ),
        help: Some("CAST the argument to the expected type".to_string()),
    })
}

/// The kind of a known function, `None` for unknown names.
pub(crate) fn function_kind(name: &str) -> Option<FunctionKind> {
    let kind = match name {
        "count" | "sum" | "avg" | "min" | "max" | "any_value" | "bool_and" | "bool_or"
        | "stddev" | "stddev_samp" | "variance" | "var_samp" => FunctionKind::Aggregate,
        "row_number" | "rank" | "dense_rank" | "ntile" | "lag" | "lead" | "first_value"
        | "last_value" | "percent_rank" | "cume_dist" => FunctionKind::Window,
        "coalesce" | "nullif" | "greatest" | "least" | "abs" | "round" | "ceil" | "ceiling"
        | "floor" | "mod" | "power" | "sqrt" | "ln" | "exp" | "sign" | "lower" | "upper"
        | "length" | "trim" | "ltrim" | "rtrim" | "replace" | "substr" | "substring" | "concat"
        | "split_part" | "lpad" | "rpad" | "strpos" | "starts_with" | "reverse" | "date_trunc"
        | "date_diff" | "year" | "month" | "day" | "quarter" | "current_date"
        | "current_timestamp" => FunctionKind::Scalar,
        _ => return None,
    };
    Some(kind)
}

/// Types a call of `name` (lower-case) with typed arguments. `star` is `COUNT(*)`.
/// `grouped` tells whether the query has GROUP BY (aggregates over a non-empty
/// group of non-null values are not NULL).
pub(crate) fn type_call(
    name: &str,
    args: &[Typed],
    star: bool,
    grouped: bool,
) -> Result<Typed, CallError> {
    use SqlType::*;
    let first = args.first().copied().unwrap_or(Typed::unknown());
    let any_nullable = args.iter().any(|a| a.nullable);
    let numeric = |i: usize, a: Typed| expect(name, i, a, a.ty.is_numeric(), "a number");
    let string = |i: usize, a: Typed| expect(name, i, a, a.ty == Varchar, "VARCHAR");
    let integer = |i: usize, a: Typed| expect(name, i, a, a.ty.is_integer(), "an integer");
    let temporal =
        |i: usize, a: Typed| expect(name, i, a, a.ty.is_temporal(), "a DATE or TIMESTAMP");
    let aggregate_nullable = |arg: Typed| arg.nullable || !grouped;
    let result = match name {
        "count" => {
            if !star {
                arity(name, args, 1, 1)?;
            }
            Typed::not_null(BigInt)
        }
        "sum" => {
            arity(name, args, 1, 1)?;
            numeric(0, first)?;
            let ty = match first.ty {
                SmallInt | Integer | BigInt => BigInt,
                Decimal { scale, .. } => Decimal {
                    precision: 38,
                    scale,
                },
                Null => BigInt,
                _ => Double,
            };
            Typed::new(ty, aggregate_nullable(first))
        }
        "avg" | "stddev" | "stddev_samp" | "variance" | "var_samp" => {
            arity(name, args, 1, 1)?;
            numeric(0, first)?;
            Typed::new(Double, true)
        }
        "min" | "max" | "any_value" => {
            arity(name, args, 1, 1)?;
            Typed::new(first.ty, aggregate_nullable(first))
        }
        "bool_and" | "bool_or" => {
            arity(name, args, 1, 1)?;
            expect(name, 0, first, first.ty == Boolean, "BOOLEAN")?;
            Typed::new(Boolean, aggregate_nullable(first))
        }
        "row_number" | "rank" | "dense_rank" => {
            arity(name, args, 0, 0)?;
            Typed::not_null(BigInt)
        }
        "percent_rank" | "cume_dist" => {
            arity(name, args, 0, 0)?;
            Typed::not_null(Double)
        }
        "ntile" => {
            arity(name, args, 1, 1)?;
            integer(0, first)?;
            Typed::not_null(BigInt)
        }
        "lag" | "lead" => {
            arity(name, args, 1, 3)?;
            if let Some(&offset) = args.get(1) {
                integer(1, offset)?;
            }
            let ty = match args.get(2) {
                Some(default) => unify(first.ty, default.ty).ok_or_else(|| CallError {
                    code: Code::FunctionArgumentType,
                    message: format!(
                        "the default of {} ({}) does not match its value ({})",
                        name.to_ascii_uppercase(),
                        default.ty,
                        first.ty
                    ),
                    help: Some("CAST the default to the value's type".to_string()),
                })?,
                None => first.ty,
            };
            Typed::new(ty, true)
        }
        "first_value" | "last_value" => {
            arity(name, args, 1, 1)?;
            Typed::new(first.ty, first.nullable)
        }
        "coalesce" | "greatest" | "least" => {
            arity(name, args, 1, usize::MAX)?;
            let mut ty = first.ty;
            for (i, arg) in args.iter().enumerate().skip(1) {
                ty = unify(ty, arg.ty).ok_or_else(|| CallError {
                    code: Code::FunctionArgumentType,
                    message: format!(
                        "argument {} of {} has type {}, incompatible with {ty}",
                        i + 1,
                        name.to_ascii_uppercase(),
                        arg.ty
                    ),
                    help: Some("CAST the arguments to one type".to_string()),
                })?;
            }
            let nullable = if name == "coalesce" {
                args.iter().all(|a| a.nullable)
            } else {
                any_nullable
            };
            Typed::new(ty, nullable)
        }
        "nullif" => {
            arity(name, args, 2, 2)?;
            Typed::new(first.ty, true)
        }
        "abs" => {
            arity(name, args, 1, 1)?;
            numeric(0, first)?;
            Typed::new(first.ty, first.nullable)
        }
        "sign" => {
            arity(name, args, 1, 1)?;
            numeric(0, first)?;
            Typed::new(Integer, first.nullable)
        }
        "round" => {
            arity(name, args, 1, 2)?;
            numeric(0, first)?;
            if let Some(&digits) = args.get(1) {
                integer(1, digits)?;
            }
            Typed::new(first.ty, any_nullable)
        }
        "ceil" | "ceiling" | "floor" => {
            arity(name, args, 1, 1)?;
            numeric(0, first)?;
            let ty = match first.ty {
                Decimal { precision, .. } => Decimal {
                    precision,
                    scale: 0,
                },
                other => other,
            };
            Typed::new(ty, first.nullable)
        }
        "mod" => {
            arity(name, args, 2, 2)?;
            integer(0, first)?;
            integer(1, args[1])?;
            Typed::new(unify(first.ty, args[1].ty).unwrap_or(BigInt), any_nullable)
        }
        "power" | "sqrt" | "ln" | "exp" => {
            arity(
                name,
                args,
                if name == "power" { 2 } else { 1 },
                if name == "power" { 2 } else { 1 },
            )?;
            for (i, a) in args.iter().enumerate() {
                numeric(i, *a)?;
            }
            Typed::new(Double, any_nullable)
        }
        "lower" | "upper" | "trim" | "ltrim" | "rtrim" | "reverse" => {
            arity(name, args, 1, 1)?;
            string(0, first)?;
            Typed::new(Varchar, first.nullable)
        }
        "length" => {
            arity(name, args, 1, 1)?;
            string(0, first)?;
            Typed::new(BigInt, first.nullable)
        }
        "replace" => {
            arity(name, args, 3, 3)?;
            for (i, a) in args.iter().enumerate() {
                string(i, *a)?;
            }
            Typed::new(Varchar, any_nullable)
        }
        "substr" | "substring" => {
            arity(name, args, 2, 3)?;
            string(0, first)?;
            for (i, a) in args.iter().enumerate().skip(1) {
                integer(i, *a)?;
            }
            Typed::new(Varchar, any_nullable)
        }
        "concat" => {
            arity(name, args, 1, usize::MAX)?;
            Typed::new(Varchar, any_nullable)
        }
        "split_part" => {
            arity(name, args, 3, 3)?;
            string(0, first)?;
            string(1, args[1])?;
            integer(2, args[2])?;
            Typed::new(Varchar, any_nullable)
        }
        "lpad" | "rpad" => {
            arity(name, args, 3, 3)?;
            string(0, first)?;
            integer(1, args[1])?;
            string(2, args[2])?;
            Typed::new(Varchar, any_nullable)
        }
        "strpos" => {
            arity(name, args, 2, 2)?;
            string(0, first)?;
            string(1, args[1])?;
            Typed::new(BigInt, any_nullable)
        }
        "starts_with" => {
            arity(name, args, 2, 2)?;
            string(0, first)?;
            string(1, args[1])?;
            Typed::new(Boolean, any_nullable)
        }
        "date_trunc" => {
            arity(name, args, 2, 2)?;
            string(0, first)?;
            temporal(1, args[1])?;
            Typed::new(args[1].ty, any_nullable)
        }
        "date_diff" => {
            arity(name, args, 3, 3)?;
            string(0, first)?;
            temporal(1, args[1])?;
            temporal(2, args[2])?;
            Typed::new(BigInt, any_nullable)
        }
        "year" | "month" | "day" | "quarter" => {
            arity(name, args, 1, 1)?;
            temporal(0, first)?;
            Typed::new(BigInt, first.nullable)
        }
        "current_date" => {
            arity(name, args, 0, 0)?;
            Typed::not_null(Date)
        }
        "current_timestamp" => {
            arity(name, args, 0, 0)?;
            Typed::not_null(Timestamp)
        }
        _ => {
            return Err(CallError {
                code: Code::UnknownFunction,
                message: format!("unknown function `{name}`"),
                help: None,
            });
        }
    };
    Ok(result)
}

/// Every function of the library, for did-you-mean and documentation.
pub const FUNCTION_NAMES: &[&str] = &[
    "count",
    "sum",
    "avg",
    "min",
    "max",
    "any_value",
    "bool_and",
    "bool_or",
    "stddev",
    "stddev_samp",
    "variance",
    "var_samp",
    "row_number",
    "rank",
    "dense_rank",
    "ntile",
    "lag",
    "lead",
    "first_value",
    "last_value",
    "percent_rank",
    "cume_dist",
    "coalesce",
    "nullif",
    "greatest",
    "least",
    "abs",
    "round",
    "ceil",
    "ceiling",
    "floor",
    "mod",
    "power",
    "sqrt",
    "ln",
    "exp",
    "sign",
    "lower",
    "upper",
    "length",
    "trim",
    "ltrim",
    "rtrim",
    "replace",
    "substr",
    "substring",
    "concat",
    "split_part",
    "lpad",
    "rpad",
    "strpos",
    "starts_with",
    "reverse",
    "date_trunc",
    "date_diff",
    "year",
    "month",
    "day",
    "quarter",
    "current_date",
    "current_timestamp",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn library_is_consistent() {
        for name in FUNCTION_NAMES {
            assert!(function_kind(name).is_some(), "{name} has no kind");
        }
    }

    #[test]
    fn sums_widen_like_trino() {
        let int = Typed::not_null(SqlType::Integer);
        assert_eq!(
            type_call("sum", &[int], false, true),
            Ok(Typed::not_null(SqlType::BigInt))
        );
        assert_eq!(
            type_call("sum", &[int], false, false),
            Ok(Typed::new(SqlType::BigInt, true))
        );
        assert_eq!(
            type_call("count", &[], true, false),
            Ok(Typed::not_null(SqlType::BigInt))
        );
        let text = Typed::not_null(SqlType::Varchar);
        assert_eq!(
            type_call("sum", &[text], false, true).map_err(|e| e.code),
            Err(Code::FunctionArgumentType)
        );
        assert_eq!(
            type_call(
                "coalesce",
                &[
                    Typed::new(SqlType::Integer, true),
                    Typed::not_null(SqlType::BigInt)
                ],
                false,
                true
            ),
            Ok(Typed::not_null(SqlType::BigInt))
        );
    }
}
