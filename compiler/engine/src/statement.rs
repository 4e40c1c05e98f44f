//! Exactly one statement per call.
//!
//! The DuckDB bindings' `prepare` runs every statement of a text but the
//! last one before preparing that one, so a text with a `;` inside would run
//! more than the caller meant. Everything the engine prepares first goes
//! through [`one_statement`], which counts the statements with DuckDB's own
//! parser (the same grammar that would run them), on a parse-only in-memory
//! database that holds no data.

use std::ffi::{CStr, CString};
use std::ptr;
use std::sync::{Mutex, OnceLock};

use duckdb::ffi;

/// A parse-only DuckDB connection (in memory, never given data).
struct Parser {
    database: ffi::duckdb_database,
    connection: ffi::duckdb_connection,
}

// SAFETY: the handles are used only while the mutex around them is held,
// so one thread at a time uses the connection.
unsafe impl Send for Parser {}

impl Parser {
    fn open() -> Option<Parser> {
        let mut database: ffi::duckdb_database = ptr::null_mut();
        let mut connection: ffi::duckdb_connection = ptr::null_mut();
        // SAFETY: a null path opens an in-memory database; both out
        // pointers are valid locals, and a failure leaves nothing to free
        // but the database, closed below.
        unsafe {
            if ffi::duckdb_open(ptr::null(), &mut database) != ffi::DuckDBSuccess {
                return None;
            }
            if ffi::duckdb_connect(database, &mut connection) != ffi::DuckDBSuccess {
                ffi::duckdb_close(&mut database);
                return None;
            }
        }
        Some(Parser {
            database,
            connection,
        })
    }

    /// How many statements `sql` holds, or DuckDB's parser error.
    fn count(&self, sql: &str) -> Result<u64, String> {
        let text = CString::new(sql).map_err(|_| "the SQL holds a NUL character".to_owned())?;
        let mut extracted: ffi::duckdb_extracted_statements = ptr::null_mut();
        // SAFETY: the connection is open (we own it), `text` outlives the
        // call, and `extracted` is destroyed exactly once below, whatever
        // the result.
        unsafe {
            let count =
                ffi::duckdb_extract_statements(self.connection, text.as_ptr(), &mut extracted);
            let outcome = if count == 0 {
                let error = ffi::duckdb_extract_statements_error(extracted);
                Err(if error.is_null() {
                    "the SQL holds no statement".to_owned()
                } else {
                    CStr::from_ptr(error).to_string_lossy().into_owned()
                })
            } else {
                Ok(count)
            };
            ffi::duckdb_destroy_extracted(&mut extracted);
            outcome
        }
    }
}

impl Drop for Parser {
    fn drop(&mut self) {
        // SAFETY: both handles were opened by `open` and are closed once.
        unsafe {
            ffi::duckdb_disconnect(&mut self.connection);
            ffi::duckdb_close(&mut self.database);
        }
    }
}

/// `Ok` when `sql` is exactly one statement in DuckDB's grammar; otherwise
/// an error saying so (nothing has been run).
pub(crate) fn one_statement(sql: &str) -> Result<(), String> {
    static PARSER: OnceLock<Option<Mutex<Parser>>> = OnceLock::new();
    let parser = PARSER
        .get_or_init(|| Parser::open().map(Mutex::new))
        .as_ref()
        .ok_or_else(|| "internal error: DuckDB's parser could not be started".to_owned())?;
    let parser = parser
        .lock()
        .map_err(|_| "internal error: DuckDB's parser is unavailable".to_owned())?;
    match parser.count(sql)? {
        1 => Ok(()),
        n => Err(format!(
            "refused: the SQL holds {n} statements, and meshc runs exactly one at a time"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::one_statement;

    #[test]
    fn counts_statements_with_duckdbs_grammar() {
        assert!(one_statement("SELECT 1").is_ok());
        assert!(one_statement("SELECT ';' AS x; -- one\n").is_ok());
        assert!(one_statement("SELECT 1; DROP SCHEMA s CASCADE").is_err());
        assert!(one_statement("SELECT $$a;b$$").is_ok());
        assert!(one_statement("SELECT 1 /* ; */; SELECT 2").is_err());
        assert!(one_statement("").is_err());
        assert!(one_statement("SELEC 1").is_err());
    }
}
