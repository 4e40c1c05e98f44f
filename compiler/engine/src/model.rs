//! Builds one model as a view or a table.
//!
//! A view is replaced with `CREATE OR REPLACE VIEW`. A table is built under a
//! temporary name and swapped in by one transaction, so a failing model keeps
//! the data of its previous run. Switching materialization (table to view or
//! back) replaces the old object in the same transaction. Errors become
//! MESH5002 diagnostics.

use std::sync::Arc;

use duckdb::Connection;
use mesh_diagnostics::{Code, Diagnostic, TextRange};

use crate::plan::{Materialization, ModelNode};
use crate::sql::{self, NEW_SUFFIX, ObjectKind, qualified};

/// Builds `model`; returns the row count of a table, `None` for a view.
pub(crate) fn build(conn: &Connection, model: &ModelNode) -> Result<Option<u64>, Diagnostic> {
    let select = body(&model.sql);
    if select.is_empty() {
        return Err(failure(model, "the model has no SQL".to_owned()));
    }
    let outcome = match model.materialization {
        Materialization::View => build_view(conn, model, select).map(|()| None),
        Materialization::Table => build_table(conn, model, select).map(Some),
    };
    outcome.map_err(|error| failure(model, sql::error_summary(&error)))
}

/// The SELECT without trailing semicolons; a line break ends any trailing
/// line comment before the statement is wrapped.
fn body(sql: &str) -> &str {
    sql.trim()
        .trim_end_matches(|c: char| c == ';' || c.is_whitespace())
}

fn build_view(conn: &Connection, model: &ModelNode, select: &str) -> duckdb::Result<()> {
    let target = qualified(&model.schema, &model.name);
    match sql::existing_object(conn, &model.schema, &model.name)? {
        Some(ObjectKind::Table) => sql::in_transaction(conn, |conn| {
            conn.execute_batch(&sql::drop_statement(
                ObjectKind::Table,
                &model.schema,
                &model.name,
            ))?;
            conn.execute(&format!("CREATE VIEW {target} AS\n{select}\n"), [])
                .map(drop)
        }),
        _ => conn
            .execute(
                &format!("CREATE OR REPLACE VIEW {target} AS\n{select}\n"),
                [],
            )
            .map(drop),
    }
}

fn build_table(conn: &Connection, model: &ModelNode, select: &str) -> duckdb::Result<u64> {
    let temporary = qualified(&model.schema, &format!("{}{NEW_SUFFIX}", model.name));
    sql::drop_temporary(conn, &model.schema, &model.name);
    let built = conn
        .execute(&format!("CREATE TABLE {temporary} AS\n{select}\n"), [])
        .and_then(|_| {
            conn.query_row(&format!("SELECT count(*) FROM {temporary}"), [], |row| {
                row.get::<_, i64>(0)
            })
        });
    let rows = match built {
        Ok(rows) => rows,
        Err(error) => {
            sql::drop_temporary(conn, &model.schema, &model.name);
            return Err(error);
        }
    };
    sql::swap_in_new_table(conn, &model.schema, &model.name)?;
    Ok(u64::try_from(rows).unwrap_or(0))
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
