//! Builds one model as a view or a table, checking it before it replaces
//! the previous version.
//!
//! A table is built under a temporary name, checked, and swapped in by one
//! transaction, so a failing or invalid model keeps the data of its previous
//! run. A view is created under the temporary name too, read once in full (a
//! view can fail only when read), checked, and renamed over the previous
//! object in one transaction, so a broken view never replaces a working one.
//! Switching materialization
//! (table to view or back) replaces the old object in the same transaction.
//! Errors become MESH5002 diagnostics.

use std::sync::Arc;

use duckdb::Connection;
use mesh_diagnostics::{Code, Diagnostic, TextRange};

use crate::check::run_checks;
use crate::incremental;
use crate::plan::{Incremental, Materialization, ModelNode};
use crate::results::CheckResult;
use crate::sql::{self, Catalog, NEW_SUFFIX, ObjectKind, qualified};

/// A model that was built and checked.
#[derive(Debug)]
pub(crate) struct Built {
    /// Rows of the new table, when it was swapped in; `None` for views.
    pub(crate) rows: Option<u64>,
    /// For an incremental model merged into its table: the new rows.
    pub(crate) merged_rows: Option<u64>,
    pub(crate) checks: Vec<CheckResult>,
    /// Whether the new version replaced the previous one.
    pub(crate) swapped: bool,
}

impl Built {
    /// An error-level check failed.
    pub(crate) fn invalid(&self) -> bool {
        self.checks.iter().any(CheckResult::blocks)
    }
}

/// Builds and checks `model`; an invalid model is swapped in only when
/// `allow_invalid` is set.
pub(crate) fn build(
    conn: &Connection,
    catalog: &Catalog,
    model: &ModelNode,
    allow_invalid: bool,
    full_refresh: bool,
) -> Result<Built, Diagnostic> {
    let select = body(&model.sql);
    if select.is_empty() {
        return Err(failure(model, "the model has no SQL".to_owned()));
    }
    if let Some(incremental) = &model.incremental
        && !full_refresh
        && model.materialization == Materialization::Table
        && catalog.kind(&model.schema, &model.name) == Some(ObjectKind::Table)
    {
        return merge(conn, model, select, incremental, allow_invalid)
            .map_err(|reason| failure(model, reason));
    }
    let kind = match model.materialization {
        Materialization::View => ObjectKind::View,
        Materialization::Table => ObjectKind::Table,
    };
    let outcome = build_checked(conn, catalog, model, select, kind, allow_invalid);
    outcome.map_err(|error| failure(model, sql::error_summary(&error)))
}

/// The SELECT without trailing semicolons; a line break ends any trailing
/// line comment before the statement is wrapped.
pub(crate) fn body(sql: &str) -> &str {
    sql.trim()
        .trim_end_matches(|c: char| c == ';' || c.is_whitespace())
}

/// Creates the new version under the temporary name (a table, counted, or a
/// view), checks it, and swaps it in over the previous object unless it is
/// invalid and invalid models are not allowed.
fn build_checked(
    conn: &Connection,
    catalog: &Catalog,
    model: &ModelNode,
    select: &str,
    kind: ObjectKind,
    allow_invalid: bool,
) -> duckdb::Result<Built> {
    let temporary = qualified(&model.schema, &format!("{}{NEW_SUFFIX}", model.name));
    sql::drop_temporary(conn, catalog, &model.schema, &model.name);
    let keyword = match kind {
        ObjectKind::Table => "TABLE",
        ObjectKind::View => "VIEW",
    };
    let created = sql::create_temporary(
        conn,
        catalog,
        &model.schema,
        &model.name,
        kind,
        &format!("CREATE {keyword} {temporary} AS\n{select}\n"),
    )
    .map(|rows| rows.filter(|_| kind == ObjectKind::Table));
    // DuckDB binds a view when it is created, but a view can still fail when
    // read (a CAST of a value that does not convert, even a constant one: a
    // `LIMIT 0` probe does not evaluate it). Reading every column of every row
    // once proves it can be read before it replaces the working version.
    let created = created.and_then(|rows| match kind {
        ObjectKind::View => conn
            .query_row(
                &format!(
                    "SELECT count(*) FROM {temporary} AS meshc_row WHERE hash(meshc_row) IS NULL"
                ),
                [],
                |row| row.get::<_, i64>(0),
            )
            .map(|_| rows),
        ObjectKind::Table => Ok(rows),
    });
    let rows = match created {
        Ok(rows) => rows,
        Err(error) => {
            sql::drop_temporary(conn, catalog, &model.schema, &model.name);
            return Err(error);
        }
    };
    let mut built = Built {
        rows: None,
        merged_rows: None,
        checks: run_checks(conn, &model.checks, &temporary, false),
        swapped: false,
    };
    if built.invalid() && !allow_invalid {
        sql::drop_temporary(conn, catalog, &model.schema, &model.name);
        return Ok(built);
    }
    sql::swap_in_new(conn, catalog, &model.schema, &model.name, kind)?;
    built.rows = rows;
    built.swapped = true;
    Ok(built)
}

/// Merges the new rows of an incremental model into its existing table, in
/// one transaction: the new rows into a temporary table, the existing rows
/// with their keys deleted, the new rows inserted, the checks run on the
/// merged table. An invalid result (unless allowed) or any failure rolls
/// everything back, so the table keeps its previous rows.
fn merge(
    conn: &Connection,
    model: &ModelNode,
    select: &str,
    incremental: &Incremental,
    allow_invalid: bool,
) -> Result<Built, String> {
    let error = |e: duckdb::Error| sql::error_summary(&e);
    let existing = qualified(&model.schema, &model.name);
    let columns = table_columns(conn, &model.schema, &model.name).map_err(error)?;
    if let Some(why) = incremental::columns_differ(incremental, &columns) {
        return Err(why);
    }
    let staged = qualified(&model.schema, &format!("{}{NEW_SUFFIX}", model.name));
    let statements = incremental::delete_insert(select, &existing, &staged, incremental, false);
    // BEGIN, CREATE the new rows, DELETE, INSERT, DROP, COMMIT.
    let [begin, create, delete, insert, drop, commit] = statements.as_slice() else {
        return Err("internal error: unexpected merge statements".to_owned());
    };
    conn.execute_batch(begin).map_err(error)?;
    let merged = (|| -> duckdb::Result<(u64, Vec<CheckResult>, u64)> {
        // Created and dropped inside the transaction: a killed run leaves nothing.
        conn.execute_batch(create)?;
        let count = |relation: &str| {
            conn.query_row(&format!("SELECT count(*) FROM {relation}"), [], |row| {
                row.get::<_, i64>(0)
            })
            .map(|n| n.max(0) as u64)
        };
        let merged = count(&staged)?;
        conn.execute_batch(delete)?;
        conn.execute_batch(insert)?;
        conn.execute_batch(drop)?;
        let mut checks = run_checks(conn, &model.checks, &existing, false);
        // A rule whose query fails aborts DuckDB's transaction: the rules
        // after it could not run, and the merge cannot be committed.
        if conn.execute_batch("SELECT 1").is_err() {
            aborted(&mut checks);
            return Ok((merged, checks, 0));
        }
        Ok((merged, checks, count(&existing)?))
    })();
    let outcome = match merged {
        Ok((merged, checks, rows)) => {
            let mut built = Built {
                rows: Some(rows),
                merged_rows: Some(merged),
                checks,
                swapped: true,
            };
            let aborted = !conn.is_autocommit() && conn.execute_batch("SELECT 1").is_err();
            if aborted && !built.invalid() {
                // Only a warning-level rule failed to run, yet nothing can be committed.
                let _ = conn.execute_batch("ROLLBACK");
                let culprit = built
                    .checks
                    .iter()
                    .find(|c| c.error.is_some())
                    .map(|c| format!("rule {}: {}", c.name, c.error.clone().unwrap_or_default()))
                    .unwrap_or_default();
                return Err(format!(
                    "{culprit}; the failed query ended the merge's transaction, so the table keeps its previous rows"
                ));
            }
            if aborted || (built.invalid() && !allow_invalid) {
                built.rows = None;
                built.swapped = false;
                conn.execute_batch("ROLLBACK").map(|()| built)
            } else {
                conn.execute_batch(commit).map(|()| built)
            }
        }
        Err(e) => Err(e),
    };
    if outcome.is_err() && !conn.is_autocommit() {
        let _ = conn.execute_batch("ROLLBACK");
    }
    outcome.map_err(error)
}

/// Marks the rules after the first whose query failed as not run: DuckDB
/// answered them "transaction aborted", which says nothing about the rule.
fn aborted(checks: &mut [CheckResult]) {
    let Some(first) = checks.iter().position(|c| c.error.is_some()) else {
        return;
    };
    let culprit = checks[first].name.clone();
    for check in &mut checks[first + 1..] {
        check.value = None;
        check.passed = false;
        check.error = Some(format!(
            "not checked: the query of rule {culprit} failed, which ended the merge's transaction"
        ));
    }
}

/// The column names of `schema.name`, in order.
fn table_columns(conn: &Connection, schema: &str, name: &str) -> duckdb::Result<Vec<String>> {
    let mut statement = conn.prepare(
        "SELECT column_name FROM information_schema.columns \
         WHERE table_catalog = current_database() \
           AND lower(table_schema) = lower(?) AND lower(table_name) = lower(?) \
         ORDER BY ordinal_position",
    )?;
    let rows = statement.query_map([schema, name], |row| row.get::<_, String>(0))?;
    rows.collect()
}

fn failure(model: &ModelNode, reason: String) -> Diagnostic {
    let message = format!("model {} failed: {reason}", model.id);
    Diagnostic::new(
        Code::ModelFailed,
        Arc::from(""),
        TextRange::default(),
        message,
    )
    .with_help("the previous version of the model, if any, is kept")
}

#[cfg(test)]
mod tests {
    use super::body;

    #[test]
    fn body_drops_trailing_semicolons() {
        assert_eq!(body("  select 1;\n ; \n"), "select 1");
        assert_eq!(body("select 1 -- total"), "select 1 -- total");
    }
}
