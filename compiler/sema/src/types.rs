//! Rules of mesh SQL types: unification, comparison and arithmetic.

use mesh_syntax::SqlType;

/// The type of an expression: a mesh SQL type and whether it may be NULL.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Typed {
    pub ty: SqlType,
    pub nullable: bool,
}

impl Typed {
    pub fn new(ty: SqlType, nullable: bool) -> Typed {
        Typed { ty, nullable }
    }

    pub fn not_null(ty: SqlType) -> Typed {
        Typed {
            ty,
            nullable: false,
        }
    }

    /// The type of something we could not type (already reported): unifies with
    /// everything so that one mistake produces one diagnostic.
    pub fn unknown() -> Typed {
        Typed {
            ty: SqlType::Null,
            nullable: true,
        }
    }
}

fn integer_rank(ty: SqlType) -> Option<u8> {
    match ty {
        SqlType::SmallInt => Some(1),
        SqlType::Integer => Some(2),
        SqlType::BigInt => Some(3),
        _ => None,
    }
}

fn integer_digits(ty: SqlType) -> u8 {
    match ty {
        SqlType::SmallInt => 5,
        SqlType::Integer => 10,
        _ => 19,
    }
}

/// The common supertype of two types, as used by UNION, CASE, COALESCE and
/// comparisons. `None` when there is none (no implicit casts between families).
pub(crate) fn unify(a: SqlType, b: SqlType) -> Option<SqlType> {
    use SqlType::*;
    if a == b {
        return Some(a);
    }
    match (a, b) {
        (Null, other) | (other, Null) => Some(other),
        (x, y) if integer_rank(x).is_some() && integer_rank(y).is_some() => {
            if integer_rank(x) >= integer_rank(y) {
                Some(x)
            } else {
                Some(y)
            }
        }
        (
            Decimal {
                precision: p1,
                scale: s1,
            },
            Decimal {
                precision: p2,
                scale: s2,
            },
        ) => {
            let scale = s1.max(s2);
            let integral = (p1 - s1).max(p2 - s2);
            Some(Decimal {
                precision: (integral + scale).min(38),
                scale,
            })
        }
        (Decimal { precision, scale }, int) | (int, Decimal { precision, scale })
            if int.is_integer() =>
        {
            let integral = (precision - scale).max(integer_digits(int));
            Some(Decimal {
                precision: (integral + scale).min(38),
                scale,
            })
        }
        (Real, x) | (x, Real) if x.is_numeric() && x != Double => Some(Real),
        (x, y) if x.is_numeric() && y.is_numeric() => Some(Double),
        (Date, Timestamp) | (Timestamp, Date) => Some(Timestamp),
        _ => None,
    }
}

/// Whether values of the two types can be compared with `=`, `<`, ….
pub(crate) fn comparable(a: SqlType, b: SqlType) -> bool {
    unify(a, b).is_some()
}

/// Whether `CAST(x AS to)` is defined for a value of type `from`.
pub(crate) fn castable(from: SqlType, to: SqlType) -> bool {
    use SqlType::*;
    if from == to || from == Null || from == Varchar || to == Varchar {
        return true;
    }
    match (from, to) {
        (x, y) if x.is_numeric() && y.is_numeric() => true,
        (Boolean, y) | (y, Boolean) => y.is_integer(),
        (Date, Timestamp) | (Timestamp, Date) | (Timestamp, Time) => true,
        _ => false,
    }
}

/// The exact decimal type of an integer type (`None` for anything else).
fn as_decimal(ty: SqlType) -> Option<(u8, u8)> {
    match ty {
        SqlType::Decimal { precision, scale } => Some((precision, scale)),
        int if int.is_integer() => Some((integer_digits(int), 0)),
        _ => None,
    }
}

/// Arithmetic operators on numbers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Arith {
    Add,
    Multiply,
    Modulo,
}

/// The result of `a op b` for `+ - * %` on numbers. Exact operands with a
/// DECIMAL among them give a DECIMAL wide enough for the result: `+`/`-` keep
/// the larger scale and add one integral digit, `*` adds precisions and
/// scales (both capped at 38 digits). `+ - *` of SMALLINTs is an INTEGER,
/// which the result of two SMALLINTs always fits (Teradata's rule; DuckDB and
/// Trino compute in SMALLINT and fail on overflow, so their SQL casts one
/// operand): wider integers keep their width, and an overflow there is an
/// error on every engine, never a wrong value.
pub(crate) fn arithmetic(op: Arith, a: SqlType, b: SqlType) -> Option<SqlType> {
    use SqlType::*;
    if !(a.is_numeric() || a == Null) || !(b.is_numeric() || b == Null) {
        return None;
    }
    let has_decimal = matches!(a, Decimal { .. }) || matches!(b, Decimal { .. });
    match (as_decimal(a), as_decimal(b)) {
        (Some((p1, s1)), Some((p2, s2))) if has_decimal && op != Arith::Modulo => {
            let (precision, scale) = match op {
                Arith::Multiply => (p1 + p2, s1 + s2),
                _ => {
                    let scale = s1.max(s2);
                    ((p1 - s1).max(p2 - s2) + scale + 1, scale)
                }
            };
            Some(Decimal {
                precision: precision.min(38),
                scale: scale.min(38).min(precision.min(38)),
            })
        }
        _ => match (a, b) {
            (Null, Null) => Some(Integer),
            _ => unify(a, b).map(|ty| match ty {
                SmallInt if op != Arith::Modulo => Integer,
                other => other,
            }),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use SqlType::*;

    #[test]
    fn unification_widens_within_families_only() {
        assert_eq!(unify(Integer, BigInt), Some(BigInt));
        assert_eq!(unify(Null, Date), Some(Date));
        assert_eq!(
            unify(
                Integer,
                Decimal {
                    precision: 5,
                    scale: 2
                }
            ),
            Some(Decimal {
                precision: 12,
                scale: 2
            })
        );
        assert_eq!(unify(Integer, Double), Some(Double));
        assert_eq!(unify(Varchar, Integer), None);
        assert_eq!(unify(Date, Integer), None);
        assert!(castable(Varchar, Date));
        assert!(!castable(Date, Integer));
    }

    #[test]
    fn small_integers_are_computed_wide_enough() {
        assert_eq!(
            arithmetic(Arith::Multiply, SmallInt, SmallInt),
            Some(Integer)
        );
        assert_eq!(arithmetic(Arith::Add, SmallInt, Null), Some(Integer));
        assert_eq!(
            arithmetic(Arith::Modulo, SmallInt, SmallInt),
            Some(SmallInt)
        );
        assert_eq!(
            arithmetic(Arith::Multiply, Integer, SmallInt),
            Some(Integer)
        );
        assert_eq!(arithmetic(Arith::Multiply, Integer, Integer), Some(Integer));
    }
}
