//! Ad-hoc queries against the database of earlier runs (`meshc query`).
//!
//! The database is opened read-only, so a query can never change what runs
//! built, and a missing database file is reported instead of created.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

use duckdb::arrow::datatypes::DataType;
use duckdb::{AccessMode, Config, Connection};
use serde::Serialize;

use crate::cell::Cell;
use crate::sql;

/// The columns and rows a query returned.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct QueryResult {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

/// Runs one SQL statement on `database`, opened read-only.
pub fn query(database: &Path, sql: &str) -> Result<QueryResult, String> {
    let conn = open_read_only(database)?;
    // The DuckDB bindings panic on some unusual result types; contain that.
    catch_unwind(AssertUnwindSafe(|| collect(&conn, sql)))
        .unwrap_or_else(|_| Err("internal error: the result could not be read".to_owned()))
}

/// Opens the database of earlier runs read-only; a missing file is an error.
pub(crate) fn open_read_only(database: &Path) -> Result<Connection, String> {
    if !database.is_file() {
        return Err(format!(
            "database {} does not exist; run `meshc run` first",
            database.display()
        ));
    }
    let config = Config::default()
        .access_mode(AccessMode::ReadOnly)
        .map_err(|error| sql::error_summary(&error))?;
    Connection::open_with_flags(database, config).map_err(|error| {
        format!(
            "cannot open database {}: {}",
            database.display(),
            sql::error_summary(&error)
        )
    })
}

/// The columns and rows of one statement.
pub(crate) fn collect(conn: &Connection, sql: &str) -> Result<QueryResult, String> {
    let mut statement = conn
        .prepare(sql)
        .map_err(|error| sql::error_summary(&error))?;
    let mut rows = statement
        .query([])
        .map_err(|error| sql::error_summary(&error))?;
    let (columns, zoned): (Vec<String>, Vec<bool>) = match rows.as_ref() {
        Some(statement) => {
            let names = statement.column_names();
            let zoned = (0..names.len())
                .map(|i| matches!(statement.column_type(i), DataType::Timestamp(_, Some(_))))
                .collect();
            (names, zoned)
        }
        None => (Vec::new(), Vec::new()),
    };
    let mut result = Vec::new();
    while let Some(row) = rows.next().map_err(|error| sql::error_summary(&error))? {
        let mut cells = Vec::with_capacity(columns.len());
        for (index, with_time_zone) in zoned.iter().enumerate() {
            let value = row
                .get_ref(index)
                .map_err(|error| sql::error_summary(&error))?;
            cells.push(Cell::from_value(value.to_owned(), *with_time_zone));
        }
        result.push(cells);
    }
    Ok(QueryResult {
        columns,
        rows: result,
    })
}
