//! Quality checks: each is a query returning one number, compared with a
//! threshold. During a run they read the new version of a model under its
//! temporary name before it replaces the old one; [`test`] runs them against
//! the current versions of a database, read-only.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

use duckdb::Connection;
use duckdb::types::Value;
use serde::Serialize;

use crate::plan::{CHECKED_RELATION, Check, ModelNode};
use crate::query::{collect, open_read_only};
use crate::results::CheckResult;
use crate::sql;

/// Runs `checks` against `relation` (SQL text such as `"s"."t__meshc_new"`);
/// with `failing_rows`, the failing rows of each failed check are read too.
pub(crate) fn run_checks(
    conn: &Connection,
    checks: &[Check],
    relation: &str,
    failing_rows: bool,
) -> Vec<CheckResult> {
    checks
        .iter()
        .map(|check| {
            let mut result = run_check(conn, check, relation);
            if failing_rows
                && !result.passed
                && let Some(rows_sql) = &check.failing_rows_sql
            {
                let rows_sql = rows_sql.replace(CHECKED_RELATION, relation);
                let rows = catch_unwind(AssertUnwindSafe(|| collect(conn, &rows_sql)))
                    .unwrap_or_else(|_| Err("the failing rows could not be read".to_owned()));
                match rows {
                    Ok(rows) => result.failing_rows = Some(rows),
                    Err(message) => {
                        result
                            .error
                            .get_or_insert(format!("failing rows: {message}"));
                    }
                }
            }
            result
        })
        .collect()
}

fn run_check(conn: &Connection, check: &Check, relation: &str) -> CheckResult {
    let statement = check.sql.replace(CHECKED_RELATION, relation);
    let measured = catch_unwind(AssertUnwindSafe(|| {
        crate::statement::one_statement(&statement)?;
        conn.query_row(&statement, [], |row| row.get::<_, Value>(0))
            .map_err(|error| sql::error_summary(&error))
    }))
    .unwrap_or_else(|_| Err("internal error: the value could not be read".to_owned()))
    .map(|value| match number(&value) {
        Some(number) => Measured::Number(number),
        None if value == Value::Null => Measured::Null,
        None => Measured::Other(format!("{value:?}")),
    });
    evaluate(check, measured)
}

/// What the query of a check returned.
pub(crate) enum Measured {
    Number(f64),
    Null,
    /// Not a number, as text for the message.
    Other(String),
}

/// The result of `check` given what its query returned (or why it failed).
pub(crate) fn evaluate(check: &Check, measured: Result<Measured, String>) -> CheckResult {
    let (value, error) = match measured {
        Ok(Measured::Number(number)) => (Some(number), None),
        Ok(Measured::Null) => (None, Some("the check returned NULL".to_owned())),
        Ok(Measured::Other(text)) => (
            None,
            Some(format!("the check returned {text}, not a number")),
        ),
        Err(message) => (None, Some(message)),
    };
    CheckResult {
        name: check.name.clone(),
        severity: check.severity,
        value,
        threshold: check.threshold.text(check.unit),
        passed: value.is_some_and(|v| check.threshold.holds(v)),
        error,
        failing_rows: None,
    }
}

/// A numeric DuckDB value as `f64`.
fn number(value: &Value) -> Option<f64> {
    #[allow(clippy::cast_precision_loss)]
    let number = match value {
        Value::TinyInt(v) => f64::from(*v),
        Value::SmallInt(v) => f64::from(*v),
        Value::Int(v) => f64::from(*v),
        Value::BigInt(v) => *v as f64,
        Value::HugeInt(v) => *v as f64,
        Value::UTinyInt(v) => f64::from(*v),
        Value::USmallInt(v) => f64::from(*v),
        Value::UInt(v) => f64::from(*v),
        Value::UBigInt(v) => *v as f64,
        Value::Float(v) => f64::from(*v),
        Value::Double(v) => *v,
        Value::Decimal(v) => v.to_string().parse().ok()?,
        _ => return None,
    };
    Some(number)
}

/// The checks of one model, run by [`test`].
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ModelTest {
    pub id: String,
    pub checks: Vec<CheckResult>,
    /// Why the model's checks could not run at all (for example, it was never built).
    pub error: Option<String>,
}

impl ModelTest {
    /// True when the model exists and no error-level check failed.
    pub fn valid(&self) -> bool {
        self.error.is_none() && !self.checks.iter().any(CheckResult::blocks)
    }
}

/// Runs the checks of `models` against their current versions in `database`,
/// opened read-only; with `show_failures`, reads the failing rows of failed
/// checks. Only the models' ids, schemas, names and checks are used.
pub fn test(
    database: &Path,
    models: &[ModelNode],
    show_failures: bool,
) -> Result<Vec<ModelTest>, String> {
    let conn = open_read_only(database)?;
    Ok(models
        .iter()
        .map(|model| {
            match sql::existing_object(&conn, &model.schema, &model.name) {
                Ok(Some(_)) => {}
                Ok(None) => {
                    return ModelTest {
                        id: model.id.clone(),
                        checks: Vec::new(),
                        error: Some(format!(
                            "{} does not exist in {}; run `meshc run` first",
                            model.id,
                            database.display()
                        )),
                    };
                }
                Err(error) => {
                    return ModelTest {
                        id: model.id.clone(),
                        checks: Vec::new(),
                        error: Some(sql::error_summary(&error)),
                    };
                }
            }
            let relation = sql::qualified(&model.schema, &model.name);
            ModelTest {
                id: model.id.clone(),
                checks: run_checks(&conn, &model.checks, &relation, show_failures),
                error: None,
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_of_every_numeric_type() {
        assert_eq!(number(&Value::BigInt(3)), Some(3.0));
        assert_eq!(number(&Value::Double(2.5)), Some(2.5));
        assert_eq!(number(&Value::HugeInt(7)), Some(7.0));
        assert_eq!(number(&Value::Text("1".into())), None);
        assert_eq!(number(&Value::Null), None);
    }
}
