//! One value of a query result, converted from DuckDB's representation.
//!
//! Numbers and booleans keep their JSON types; everything whose exact text
//! matters (dates, timestamps, decimals, integers beyond 64 bits) becomes text
//! in DuckDB's own notation, so `meshc query` prints what DuckDB would.

use std::fmt;

use duckdb::types::{TimeUnit, Value};
use serde::Serialize;

/// A value of a query result.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Cell {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    /// Text, and every value best shown as text: `DATE` (`2018-01-01`),
    /// `TIMESTAMP` (`2018-01-01 10:00:00`), `DECIMAL` (`12.50`), `HUGEINT`, lists…
    Text(String),
}

impl fmt::Display for Cell {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Cell::Null => f.write_str("NULL"),
            Cell::Bool(value) => write!(f, "{value}"),
            Cell::Int(value) => write!(f, "{value}"),
            Cell::Float(value) => write!(f, "{value:?}"),
            Cell::Text(value) => f.write_str(value),
        }
    }
}

impl Cell {
    /// Converts a DuckDB value; `with_time_zone` marks a `TIMESTAMPTZ` column,
    /// whose instants DuckDB hands over in UTC.
    pub(crate) fn from_value(value: Value, with_time_zone: bool) -> Cell {
        match value {
            Value::Null => Cell::Null,
            Value::Boolean(v) => Cell::Bool(v),
            Value::TinyInt(v) => Cell::Int(v.into()),
            Value::SmallInt(v) => Cell::Int(v.into()),
            Value::Int(v) => Cell::Int(v.into()),
            Value::BigInt(v) => Cell::Int(v),
            Value::UTinyInt(v) => Cell::Int(v.into()),
            Value::USmallInt(v) => Cell::Int(v.into()),
            Value::UInt(v) => Cell::Int(v.into()),
            Value::UBigInt(v) => {
                i64::try_from(v).map_or_else(|_| Cell::Text(v.to_string()), Cell::Int)
            }
            Value::HugeInt(v) => {
                i64::try_from(v).map_or_else(|_| Cell::Text(v.to_string()), Cell::Int)
            }
            Value::UHugeInt(v) => {
                i64::try_from(v).map_or_else(|_| Cell::Text(v.to_string()), Cell::Int)
            }
            // Through the shortest decimal text, so 1.1::FLOAT stays 1.1.
            Value::Float(v) => Cell::Float(v.to_string().parse().unwrap_or(f64::from(v))),
            Value::Double(v) => Cell::Float(v),
            Value::Text(v) => Cell::Text(v),
            Value::Enum(v) => Cell::Text(v),
            Value::Timestamp(unit, v) if with_time_zone => {
                Cell::Text(format!("{}+00", timestamp(unit, v)))
            }
            other => Cell::Text(text(&other)),
        }
    }
}

/// DuckDB's text for any value, as used inside lists and structs.
fn text(value: &Value) -> String {
    match value {
        Value::Null => "NULL".to_owned(),
        Value::Boolean(v) => v.to_string(),
        Value::TinyInt(v) => v.to_string(),
        Value::SmallInt(v) => v.to_string(),
        Value::Int(v) => v.to_string(),
        Value::BigInt(v) => v.to_string(),
        Value::HugeInt(v) => v.to_string(),
        Value::UHugeInt(v) => v.to_string(),
        Value::UTinyInt(v) => v.to_string(),
        Value::USmallInt(v) => v.to_string(),
        Value::UInt(v) => v.to_string(),
        Value::UBigInt(v) => v.to_string(),
        Value::Float(v) => v.to_string(),
        Value::Double(v) => v.to_string(),
        Value::Decimal(v) => v.to_string(),
        Value::Timestamp(unit, v) => timestamp(*unit, *v),
        Value::Text(v) | Value::Enum(v) => v.clone(),
        Value::Blob(bytes) | Value::Geometry(bytes) => blob(bytes),
        Value::Date32(days) => date(*days),
        Value::Time64(unit, v) => {
            let per_second = per_second(*unit);
            time_of_day(v.rem_euclid(per_second * 86_400), per_second)
        }
        Value::Interval {
            months,
            days,
            nanos,
        } => interval(*months, *days, *nanos),
        Value::List(items) | Value::Array(items) => {
            let items: Vec<String> = items.iter().map(text).collect();
            format!("[{}]", items.join(", "))
        }
        Value::Struct(fields) => {
            let fields: Vec<String> = fields
                .iter()
                .map(|(k, v)| format!("'{k}': {}", text(v)))
                .collect();
            format!("{{{}}}", fields.join(", "))
        }
        Value::Map(entries) => {
            let entries: Vec<String> = entries
                .iter()
                .map(|(k, v)| format!("{}={}", text(k), text(v)))
                .collect();
            format!("{{{}}}", entries.join(", "))
        }
        Value::Union(inner) => text(inner),
        #[allow(unreachable_patterns)]
        other => format!("{other:?}"),
    }
}

/// DuckDB's `-infinity` date and timestamp (the most negative value plus one).
const NEGATIVE_INFINITE_DAYS: i32 = -i32::MAX;
const NEGATIVE_INFINITE_TICKS: i64 = -i64::MAX;

fn per_second(unit: TimeUnit) -> i64 {
    match unit {
        TimeUnit::Second => 1,
        TimeUnit::Millisecond => 1_000,
        TimeUnit::Microsecond => 1_000_000,
        TimeUnit::Nanosecond => 1_000_000_000,
    }
}

/// `YYYY-MM-DD` for days since 1970-01-01 (proleptic Gregorian calendar).
fn date(days: i32) -> String {
    match days {
        i32::MAX => return "infinity".to_owned(),
        i32::MIN | NEGATIVE_INFINITE_DAYS => return "-infinity".to_owned(),
        _ => {}
    }
    let (year, month, day) = civil(i64::from(days));
    if year <= 0 {
        // There is no year 0: 1 BC is year 0 in this arithmetic.
        format!("{:04}-{month:02}-{day:02} (BC)", 1 - year)
    } else {
        format!("{year:04}-{month:02}-{day:02}")
    }
}

/// Year, month and day of a day count since 1970-01-01.
fn civil(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * shifted_month + 2) / 5 + 1) as u32;
    let month = if shifted_month < 10 {
        shifted_month + 3
    } else {
        shifted_month - 9
    } as u32;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// `YYYY-MM-DD HH:MM:SS[.fraction]` for a count of `unit`s since the epoch.
fn timestamp(unit: TimeUnit, value: i64) -> String {
    match value {
        i64::MAX => return "infinity".to_owned(),
        i64::MIN | NEGATIVE_INFINITE_TICKS => return "-infinity".to_owned(),
        _ => {}
    }
    let per_second = per_second(unit);
    let per_day = per_second * 86_400;
    let days = value.div_euclid(per_day);
    let within = value.rem_euclid(per_day);
    let date = i32::try_from(days).map_or_else(|_| days.to_string(), date);
    format!("{date} {}", time_of_day(within, per_second))
}

/// `HH:MM:SS[.fraction]` for a count of `1 / per_second` seconds since midnight.
fn time_of_day(value: i64, per_second: i64) -> String {
    let seconds = value / per_second;
    let mut out = format!(
        "{:02}:{:02}:{:02}",
        seconds / 3_600,
        seconds / 60 % 60,
        seconds % 60
    );
    let fraction = value % per_second;
    if fraction != 0 {
        let digits = per_second.ilog10() as usize;
        let fraction = format!("{fraction:0digits$}");
        out.push('.');
        out.push_str(fraction.trim_end_matches('0'));
    }
    out
}

/// DuckDB's interval text: `1 year 2 months 3 days 04:05:06`.
fn interval(months: i32, days: i32, nanos: i64) -> String {
    let mut parts = Vec::new();
    let plural = |n: i64, unit: &str| format!("{n} {unit}{}", if n.abs() == 1 { "" } else { "s" });
    let (years, months) = (i64::from(months) / 12, i64::from(months) % 12);
    if years != 0 {
        parts.push(plural(years, "year"));
    }
    if months != 0 {
        parts.push(plural(months, "month"));
    }
    if days != 0 {
        parts.push(plural(days.into(), "day"));
    }
    if nanos != 0 || parts.is_empty() {
        let micros = nanos / 1_000;
        let sign = if micros < 0 { "-" } else { "" };
        parts.push(format!(
            "{sign}{}",
            time_of_day(micros.unsigned_abs() as i64, 1_000_000)
        ));
    }
    parts.join(" ")
}

/// Printable ASCII as is, every other byte as `\xHH`.
fn blob(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|&b| {
            if (0x20..0x7f).contains(&b) && b != b'\\' {
                char::from(b).to_string()
            } else {
                format!("\\x{b:02X}")
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_times_use_duckdb_notation() {
        assert_eq!(date(17_532), "2018-01-01");
        assert_eq!(date(0), "1970-01-01");
        assert_eq!(date(-1), "1969-12-31");
        assert_eq!(date(11_016), "2000-02-29");
        assert_eq!(
            timestamp(TimeUnit::Microsecond, 1_514_800_800_000_000),
            "2018-01-01 10:00:00"
        );
        assert_eq!(
            timestamp(TimeUnit::Microsecond, 1_514_800_800_500_000),
            "2018-01-01 10:00:00.5"
        );
        assert_eq!(timestamp(TimeUnit::Second, -1), "1969-12-31 23:59:59");
        assert_eq!(time_of_day(36_672_500_000, 1_000_000), "10:11:12.5");
        assert_eq!(interval(12, 3, 5_000_000_000), "1 year 3 days 00:00:05");
        assert_eq!(interval(0, 0, 0), "00:00:00");
    }

    #[test]
    fn cells_keep_numbers_and_print_null() {
        assert_eq!(Cell::from_value(Value::Float(1.1), false), Cell::Float(1.1));
        assert_eq!(
            Cell::from_value(Value::HugeInt(i128::MAX), false).to_string(),
            i128::MAX.to_string()
        );
        assert_eq!(Cell::from_value(Value::UBigInt(7), false), Cell::Int(7));
        assert_eq!(Cell::Null.to_string(), "NULL");
        assert_eq!(Cell::Float(2.0).to_string(), "2.0");
        assert_eq!(blob(b"a\x00\\"), "a\\x00\\x5C");
        let list = Value::List(vec![Value::Int(1), Value::Null]);
        assert_eq!(
            Cell::from_value(list, false),
            Cell::Text("[1, NULL]".to_owned())
        );
    }
}
