//! Small pieces of SQL text and catalog operations shared by sources and models.
//!
//! Identifiers are always double-quoted and string literals single-quoted, with
//! the quote character doubled inside, so names and paths from user data never
//! change the meaning of a statement. The swap helpers replace an object in one
//! transaction so readers see either the old or the new version.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use duckdb::Connection;

/// The part of a name that only the engine's temporary objects carry: nodes
/// whose name contains it are refused, so dropping every object whose name
/// contains it never drops data.
pub(crate) const RESERVED: &str = "__meshc";

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
        ObjectKind::Table => format!("DROP TABLE IF EXISTS {}", qualified(schema, name)),
        ObjectKind::View => format!("DROP VIEW IF EXISTS {}", qualified(schema, name)),
    }
}

/// The tables and views of the database, read with one catalog query when a
/// run opens it and kept up to date by the run's own statements. Asking
/// DuckDB's `information_schema` costs about 3 ms per lookup, more than
/// building a small model, and a run needs two per node. After a statement
/// fails, the names it touched are read from the database again.
pub(crate) struct Catalog(Mutex<HashMap<(String, String), ObjectKind>>);

impl Catalog {
    pub(crate) fn empty() -> Catalog {
        Catalog(Mutex::new(HashMap::new()))
    }

    pub(crate) fn load(conn: &Connection) -> duckdb::Result<Catalog> {
        let mut statement = conn.prepare(
            "SELECT schema_name, table_name, 'TABLE' FROM duckdb_tables() \
             WHERE database_name = current_database() \
             UNION ALL SELECT schema_name, view_name, 'VIEW' FROM duckdb_views() \
             WHERE database_name = current_database() AND NOT internal",
        )?;
        let mut rows = statement.query([])?;
        let mut objects = HashMap::new();
        while let Some(row) = rows.next()? {
            let (schema, name, kind): (String, String, String) =
                (row.get(0)?, row.get(1)?, row.get(2)?);
            let kind = match kind.as_str() {
                "VIEW" => ObjectKind::View,
                _ => ObjectKind::Table,
            };
            objects.insert(catalog_key(&schema, &name), kind);
        }
        Ok(Catalog(Mutex::new(objects)))
    }

    /// A catalog of `(schema, name, kind)` entries read from another engine.
    pub(crate) fn from_entries(entries: Vec<(String, String, ObjectKind)>) -> Catalog {
        let objects = entries
            .into_iter()
            .map(|(schema, name, kind)| (catalog_key(&schema, &name), kind))
            .collect();
        Catalog(Mutex::new(objects))
    }

    fn objects(&self) -> std::sync::MutexGuard<'_, HashMap<(String, String), ObjectKind>> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The objects whose name contains [`RESERVED`]: temporaries.
    pub(crate) fn temporaries(&self) -> Vec<(String, String)> {
        self.objects()
            .keys()
            .filter(|(_, name)| name.contains(RESERVED))
            .cloned()
            .collect()
    }

    pub(crate) fn kind(&self, schema: &str, name: &str) -> Option<ObjectKind> {
        self.objects().get(&catalog_key(schema, name)).copied()
    }

    /// Records what `schema.name` is after a statement that succeeded.
    pub(crate) fn set(&self, schema: &str, name: &str, kind: Option<ObjectKind>) {
        let key = catalog_key(schema, name);
        match kind {
            Some(kind) => self.objects().insert(key, kind),
            None => self.objects().remove(&key),
        };
    }

    /// Reads what `schema.name` is from the database, after a failure.
    pub(crate) fn reread(&self, conn: &Connection, schema: &str, name: &str) {
        match existing_object(conn, schema, name) {
            Ok(kind) => self.set(schema, name, kind),
            // Unknown: `DROP ... IF EXISTS` of the table kind is the safe guess.
            Err(_) => self.set(schema, name, Some(ObjectKind::Table)),
        }
    }
}

/// DuckDB names are case-insensitive.
fn catalog_key(schema: &str, name: &str) -> (String, String) {
    (schema.to_lowercase(), name.to_lowercase())
}

/// Drops whatever `schema.name` is (table or view), if anything.
pub(crate) fn drop_any(
    conn: &Connection,
    catalog: &Catalog,
    schema: &str,
    name: &str,
) -> duckdb::Result<()> {
    let Some(kind) = catalog.kind(schema, name) else {
        return Ok(());
    };
    conn.execute_batch(&drop_statement(kind, schema, name))?;
    catalog.set(schema, name, None);
    Ok(())
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

/// Replaces `schema.name` (a table, a view or nothing) by the table or view
/// `schema.name__meshc_new` in one transaction. On failure the temporary is
/// dropped and the previous object is left as it was.
pub(crate) fn swap_in_new(
    conn: &Connection,
    catalog: &Catalog,
    schema: &str,
    name: &str,
    kind: ObjectKind,
) -> duckdb::Result<()> {
    let temporary = format!("{name}{NEW_SUFFIX}");
    let keyword = match kind {
        ObjectKind::Table => "TABLE",
        ObjectKind::View => "VIEW",
    };
    let rename = format!(
        "ALTER {keyword} {} RENAME TO {}",
        qualified(schema, &temporary),
        ident(name)
    );
    // Nothing to replace: the rename alone is atomic.
    let swapped = match catalog.kind(schema, name) {
        None => conn.execute_batch(&rename),
        Some(_) => in_transaction(conn, |conn| {
            drop_any(conn, catalog, schema, name)?;
            conn.execute_batch(&rename)
        }),
    };
    match swapped {
        Ok(()) => {
            catalog.set(schema, &temporary, None);
            catalog.set(schema, name, Some(kind));
        }
        Err(_) => {
            // Rolled back: what the transaction dropped is back.
            catalog.reread(conn, schema, name);
            catalog.reread(conn, schema, &temporary);
            drop_temporary(conn, catalog, schema, name);
        }
    }
    swapped
}

/// Drops the temporary table or view of `schema.name`, ignoring errors: it is
/// cleanup after another failure, which is the one worth reporting.
pub(crate) fn drop_temporary(conn: &Connection, catalog: &Catalog, schema: &str, name: &str) {
    let temporary = format!("{name}{NEW_SUFFIX}");
    if drop_any(conn, catalog, schema, &temporary).is_err() {
        catalog.reread(conn, schema, &temporary);
    }
}

/// Drops every temporary object in the database: those an interrupted or
/// killed run left behind (at the start of a run) and any a failure could not
/// drop (at its end). Nodes never carry [`RESERVED`], so no data is dropped.
pub(crate) fn drop_temporaries(conn: &Connection, catalog: &Catalog) {
    for (schema, name) in catalog.temporaries() {
        if drop_any(conn, catalog, &schema, &name).is_err() {
            catalog.reread(conn, &schema, &name);
        }
    }
}

/// Run once every source is loaded: from then on the database reads and
/// writes no file but its own (no `read_csv`, `COPY`, `ATTACH`, extension
/// install or load), and model SQL cannot change these settings back.
pub(crate) const RESTRICT_ACCESS: &str = "SET enable_external_access = false; \
     SET autoinstall_known_extensions = false; SET autoload_known_extensions = false; \
     SET allow_community_extensions = false; SET lock_configuration = true;";

/// Creates the temporary of `schema.name` with `statement` (whose target is
/// that temporary) and records it. Returns the rows the statement reports
/// writing: DuckDB answers a `CREATE TABLE ... AS` with their count (one
/// row, one column), so no `count(*)` query is needed afterwards.
pub(crate) fn create_temporary(
    conn: &Connection,
    catalog: &Catalog,
    schema: &str,
    name: &str,
    kind: ObjectKind,
    statement: &str,
) -> duckdb::Result<Option<u64>> {
    let mut prepared = conn.prepare(statement)?;
    let mut rows = prepared.query([])?;
    let written = match rows.next()? {
        Some(row) => row.get::<_, i64>(0).ok().map(|n| n.max(0) as u64),
        None => None,
    };
    catalog.set(schema, &format!("{name}{NEW_SUFFIX}"), Some(kind));
    Ok(written)
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
