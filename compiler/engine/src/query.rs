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

/// Receives a query's result as it is read.
pub trait RowSink {
    /// The column names, once, before any row.
    fn columns(&mut self, names: &[String]);
    /// One row; `false` stops reading (the rest is never fetched).
    fn row(&mut self, cells: Vec<Cell>) -> bool;
}

impl RowSink for QueryResult {
    fn columns(&mut self, names: &[String]) {
        self.columns = names.to_vec();
    }

    fn row(&mut self, cells: Vec<Cell>) -> bool {
        self.rows.push(cells);
        true
    }
}

/// Runs one query on `database`, opened read-only without file or network
/// access, handing each row to `sink` as it is read; returns how many rows
/// were handed over. `sql` must be exactly one statement (it is refused
/// otherwise, before anything runs).
pub fn query(database: &Path, sql: &str, sink: &mut dyn RowSink) -> Result<u64, String> {
    let conn = open_read_only(database)?;
    // The DuckDB bindings panic on some unusual result types; contain that.
    catch_unwind(AssertUnwindSafe(|| stream(&conn, sql, sink)))
        .unwrap_or_else(|_| Err("internal error: the result could not be read".to_owned()))
}

/// [`query`], every row kept in memory (for results known to be small).
pub fn query_all(database: &Path, sql: &str) -> Result<QueryResult, String> {
    let mut result = QueryResult {
        columns: Vec::new(),
        rows: Vec::new(),
    };
    query(database, sql, &mut result)?;
    Ok(result)
}

/// Opens the database of earlier runs read-only; a missing file is an error.
/// Queries on it cannot read or write files or URLs, install or load
/// extensions, or change these settings.
pub(crate) fn open_read_only(database: &Path) -> Result<Connection, String> {
    if !database.is_file() {
        return Err(format!(
            "database {} does not exist; run `meshc run` first",
            database.display()
        ));
    }
    let config = Config::default()
        .access_mode(AccessMode::ReadOnly)
        .and_then(|c| c.enable_external_access(false))
        .and_then(|c| c.with("autoinstall_known_extensions", "false"))
        .and_then(|c| c.with("autoload_known_extensions", "false"))
        .and_then(|c| c.with("lock_configuration", "true"))
        .map_err(|error| sql::error_summary(&error))?;
    Connection::open_with_flags(database, config).map_err(|error| {
        format!(
            "cannot open database {}: {}",
            database.display(),
            sql::error_summary(&error)
        )
    })
}

/// The columns and rows of one statement, all in memory (for small results:
/// the failing rows of a check).
pub(crate) fn collect(conn: &Connection, sql: &str) -> Result<QueryResult, String> {
    let mut result = QueryResult {
        columns: Vec::new(),
        rows: Vec::new(),
    };
    stream(conn, sql, &mut result)?;
    Ok(result)
}

/// Runs exactly one statement and hands its rows to `sink`.
fn stream(conn: &Connection, sql: &str, sink: &mut dyn RowSink) -> Result<u64, String> {
    crate::statement::one_statement(sql)?;
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
    sink.columns(&columns);
    let mut count = 0;
    while let Some(row) = rows.next().map_err(|error| sql::error_summary(&error))? {
        let mut cells = Vec::with_capacity(columns.len());
        for (index, with_time_zone) in zoned.iter().enumerate() {
            let value = row
                .get_ref(index)
                .map_err(|error| sql::error_summary(&error))?;
            cells.push(Cell::from_value(value.to_owned(), *with_time_zone));
        }
        count += 1;
        if !sink.row(cells) {
            break;
        }
    }
    Ok(count)
}
