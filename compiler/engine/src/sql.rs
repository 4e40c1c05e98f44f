//! Small pieces of SQL text and catalog operations shared by sources and models.
//!
//! Identifiers are always double-quoted and string literals single-quoted, with
//! the quote character doubled inside, so names and paths from user data never
//! change the meaning of a statement. The swap helpers replace an object in one
//! transaction so readers see either the old or the new version.

use duckdb::Connection;

/// The suffix of the temporary table a new version is built under.
pub(crate) const NEW_SUFFIX: &str = "__meshc_new";

/// `"name"`, with embedded double quotes doubled.
pub(crate) fn ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// `"schema"."name"`.
pub(crate) fn qualified(schema: &str, name: &str) -> String {
    format!("{}.{}", ident(schema), ident(name))
}

/// `'text'`, with embedded single quotes doubled.
pub(crate) fn literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// What a name in a schema currently refers to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ObjectKind {
    Table,
    View,
}

/// Looks up whether `schema.name` is a table, a view or absent. DuckDB names
/// are case-insensitive, so the comparison is too.
pub(crate) fn existing_object(
    conn: &Connection,
    schema: &str,
    name: &str,
) -> duckdb::Result<Option<ObjectKind>> {
    let mut statement = conn.prepare(
        "SELECT table_type FROM information_schema.tables \
         WHERE table_catalog = current_database() \
           AND lower(table_schema) = lower(?) AND lower(table_name) = lower(?)",
    )?;
    let mut rows = statement.query([schema, name])?;
    let Some(row) = rows.next()? else {
        return Ok(None);
    };
    let table_type: String = row.get(0)?;
    Ok(Some(if table_type.eq_ignore_ascii_case("VIEW") {
        ObjectKind::View
    } else {
        ObjectKind::Table
    }))
}

/// The statement that drops an object of the given kind.
pub(crate) fn drop_statement(kind: ObjectKind, schema: &str, name: &str) -> String {
    match kind {
        ObjectKind::Table => format!("DROP TABLE {}", qualified(schema, name)),
        ObjectKind::View => format!("DROP VIEW {}", qualified(schema, name)),
    }
}

/// Drops whatever `schema.name` is (table or view), if anything.
pub(crate) fn drop_any(conn: &Connection, schema: &str, name: &str) -> duckdb::Result<()> {
    match existing_object(conn, schema, name)? {
        Some(kind) => conn.execute_batch(&drop_statement(kind, schema, name)),
        None => Ok(()),
    }
}

/// Runs `body` inside a transaction: commits when it succeeds, rolls back when
/// it or the commit fails, and returns the first error.
pub(crate) fn in_transaction<T>(
    conn: &Connection,
    body: impl FnOnce(&Connection) -> duckdb::Result<T>,
) -> duckdb::Result<T> {
    conn.execute_batch("BEGIN TRANSACTION")?;
    let outcome = body(conn).and_then(|value| conn.execute_batch("COMMIT").map(|()| value));
    if outcome.is_err() && !conn.is_autocommit() {
        // The rollback error, if any, is less useful than the original one.
        let _ = conn.execute_batch("ROLLBACK");
    }
    outcome
}

/// Replaces `schema.name` (a table, a view or nothing) by the table
/// `schema.name__meshc_new` in one transaction. On failure the temporary table
/// is dropped and the previous object is left as it was.
pub(crate) fn swap_in_new_table(conn: &Connection, schema: &str, name: &str) -> duckdb::Result<()> {
    let temporary = format!("{name}{NEW_SUFFIX}");
    let swapped = in_transaction(conn, |conn| {
        drop_any(conn, schema, name)?;
        conn.execute_batch(&format!(
            "ALTER TABLE {} RENAME TO {}",
            qualified(schema, &temporary),
            ident(name)
        ))
    });
    if swapped.is_err() {
        drop_temporary(conn, schema, name);
    }
    swapped
}

/// Drops the temporary table of `schema.name`, ignoring errors: it is cleanup
/// after another failure, which is the one worth reporting.
pub(crate) fn drop_temporary(conn: &Connection, schema: &str, name: &str) {
    let temporary = format!("{name}{NEW_SUFFIX}");
    let _ = drop_any(conn, schema, &temporary);
}

/// The part of a DuckDB error worth showing in a one-line message: the text
/// before the first blank line (DuckDB appends the statement and a caret, and
/// for CSV errors the reader's settings, after one).
pub(crate) fn error_summary(error: &duckdb::Error) -> String {
    let text = error_text(error);
    let first_block = text.split("\n\n").next().unwrap_or_default().trim();
    first_block.replace('\n', " ")
}

/// The full text DuckDB reported for an error.
pub(crate) fn error_text(error: &duckdb::Error) -> String {
    match error {
        duckdb::Error::DuckDBFailure(_, Some(message)) => message.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_doubles_quote_characters() {
        assert_eq!(ident("dim_customers"), "\"dim_customers\"");
        assert_eq!(ident("we\"ird"), "\"we\"\"ird\"");
        assert_eq!(qualified("in sights", "a"), "\"in sights\".\"a\"");
        assert_eq!(literal("/data/it's.csv"), "'/data/it''s.csv'");
    }

    #[test]
    fn summary_keeps_the_first_block_on_one_line() {
        let error = duckdb::Error::DuckDBFailure(
            duckdb::ffi::Error::new(1),
            Some("Catalog Error: Table with name nosuch does not exist!\nDid you mean \"x\"?\n\nLINE 1: select".into()),
        );
        assert_eq!(
            error_summary(&error),
            "Catalog Error: Table with name nosuch does not exist! Did you mean \"x\"?"
        );
    }
}
