//! The types of mesh SQL: one portable type system that every target maps.

use std::fmt;

/// A mesh SQL type. `Null` is the type of an untyped `NULL` literal and unifies
/// with everything.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SqlType {
    Boolean,
    SmallInt,
    Integer,
    BigInt,
    Decimal { precision: u8, scale: u8 },
    Real,
    Double,
    Varchar,
    Date,
    Time,
    Timestamp,
    Interval,
    Null,
}

impl SqlType {
    /// Parses a declared type name as written in YAML (`INTEGER`, `decimal(10, 2)`,
    /// `varchar(255)`). Case-insensitive; common synonyms are accepted.
    pub fn parse(text: &str) -> Option<SqlType> {
        let normalized = text.trim().to_ascii_uppercase();
        let (base, args) = match normalized.split_once('(') {
            Some((base, rest)) => (base.trim(), Some(rest.strip_suffix(')')?.trim())),
            None => (normalized.as_str(), None),
        };
        let numbers = |args: Option<&str>| -> Option<Vec<u8>> {
            match args {
                None => Some(Vec::new()),
                Some(a) => a.split(',').map(|n| n.trim().parse::<u8>().ok()).collect(),
            }
        };
        let ty = match base {
            "BOOLEAN" | "BOOL" => SqlType::Boolean,
            "SMALLINT" | "INT2" => SqlType::SmallInt,
            "INTEGER" | "INT" | "INT4" => SqlType::Integer,
            "BIGINT" | "INT8" => SqlType::BigInt,
            "REAL" | "FLOAT4" => SqlType::Real,
            "DOUBLE" | "DOUBLE PRECISION" | "FLOAT" | "FLOAT8" => SqlType::Double,
            "VARCHAR" | "TEXT" | "STRING" | "CHAR VARYING" | "CHARACTER VARYING" => {
                numbers(args)?;
                return Some(SqlType::Varchar);
            }
            "DATE" => SqlType::Date,
            "TIME" => SqlType::Time,
            "TIMESTAMP" => SqlType::Timestamp,
            "INTERVAL" => SqlType::Interval,
            "DECIMAL" | "NUMERIC" => {
                let n = numbers(args)?;
                let (precision, scale) = match n.as_slice() {
                    [] => (18, 3),
                    [p] => (*p, 0),
                    [p, s] => (*p, *s),
                    _ => return None,
                };
                if precision == 0 || precision > 38 || scale > precision {
                    return None;
                }
                return Some(SqlType::Decimal { precision, scale });
            }
            _ => return None,
        };
        if args.is_some() { None } else { Some(ty) }
    }

    pub fn is_integer(self) -> bool {
        matches!(self, SqlType::SmallInt | SqlType::Integer | SqlType::BigInt)
    }

    pub fn is_numeric(self) -> bool {
        self.is_integer()
            || matches!(
                self,
                SqlType::Decimal { .. } | SqlType::Real | SqlType::Double
            )
    }

    pub fn is_temporal(self) -> bool {
        matches!(self, SqlType::Date | SqlType::Time | SqlType::Timestamp)
    }

    /// The ODCS logical type this type maps to.
    pub fn logical_type(self) -> &'static str {
        match self {
            SqlType::Boolean => "boolean",
            SqlType::SmallInt | SqlType::Integer | SqlType::BigInt => "integer",
            SqlType::Decimal { .. } | SqlType::Real | SqlType::Double => "number",
            SqlType::Varchar | SqlType::Interval | SqlType::Null => "string",
            SqlType::Date => "date",
            SqlType::Time | SqlType::Timestamp => "timestamp",
        }
    }
}

impl fmt::Display for SqlType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SqlType::Boolean => f.write_str("BOOLEAN"),
            SqlType::SmallInt => f.write_str("SMALLINT"),
            SqlType::Integer => f.write_str("INTEGER"),
            SqlType::BigInt => f.write_str("BIGINT"),
            SqlType::Decimal { precision, scale } => write!(f, "DECIMAL({precision},{scale})"),
            SqlType::Real => f.write_str("REAL"),
            SqlType::Double => f.write_str("DOUBLE"),
            SqlType::Varchar => f.write_str("VARCHAR"),
            SqlType::Date => f.write_str("DATE"),
            SqlType::Time => f.write_str("TIME"),
            SqlType::Timestamp => f.write_str("TIMESTAMP"),
            SqlType::Interval => f.write_str("INTERVAL"),
            SqlType::Null => f.write_str("NULL"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::SqlType;

    #[test]
    fn parses_declared_types() {
        assert_eq!(SqlType::parse("integer"), Some(SqlType::Integer));
        assert_eq!(SqlType::parse("VARCHAR(255)"), Some(SqlType::Varchar));
        assert_eq!(
            SqlType::parse("decimal(10, 2)"),
            Some(SqlType::Decimal {
                precision: 10,
                scale: 2
            })
        );
        assert_eq!(SqlType::parse("DECIMAL(2,5)"), None);
        assert_eq!(SqlType::parse("INTEGER(3)"), None);
        assert_eq!(SqlType::parse("json"), None);
        for ty in [
            SqlType::BigInt,
            SqlType::Date,
            SqlType::Decimal {
                precision: 9,
                scale: 1,
            },
        ] {
            assert_eq!(SqlType::parse(&ty.to_string()), Some(ty));
        }
    }
}
