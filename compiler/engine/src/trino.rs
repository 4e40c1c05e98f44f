//! Runs a plan's models on a Trino server, over its HTTP client protocol
//! (`mesh-trino`), with the scheduler of [`crate::run`]: dependency order,
//! parallel statements, failures skipping dependents, cancellation.
//!
//! Sources are not loaded: on Trino they are tables of catalogs the server
//! already has (the compiled SQL names them). Each model is built under a
//! temporary name in the output catalog and checked there before it
//! replaces the previous version:
//! - a table is created with `CREATE TABLE … AS`, checked, then the previous
//!   object is dropped and the new table renamed over it (Trino has no
//!   transactional DDL on most connectors: between the drop and the rename,
//!   a reader finds no table, never a half-written one);
//! - a view is created under the temporary name and executed once in full
//!   (`EXPLAIN ANALYZE`, which computes every column and returns no rows), so
//!   a view that fails when read never replaces a working one; then the
//!   final view is replaced in one statement (`CREATE OR REPLACE VIEW`).
//!
//! Trino's errors become MESH5002 diagnostics with the line and column of
//! the model's compiled SELECT.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use mesh_diagnostics::{Code, Diagnostic, TextRange};
use mesh_trino::{Client, Error, Options};
use serde_json::Value;

use crate::check::{Measured, evaluate};
use crate::graph::{Graph, Job};
use crate::incremental;
use crate::model::Built;
use crate::plan::{CHECKED_RELATION, Incremental, Materialization, ModelNode};
use crate::results::{RunEvent, RunResults};
use crate::run::{Cancel, Opened, Schedule, Worker, schedule};
use crate::sql::{Catalog, NEW_SUFFIX, ObjectKind, RESERVED, ident, literal};

/// Everything one `meshc run --target trino` builds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TrinoPlan {
    /// The coordinator, e.g. `http://127.0.0.1:8080`.
    pub url: String,
    /// Sent as `X-Trino-User`.
    pub user: String,
    /// The catalog the models are written to: model `schema.name` is the
    /// table or view `catalog.schema.name`.
    pub catalog: String,
    /// How many statements run at the same time; `0` counts as `1`.
    pub threads: usize,
    /// One schema per domain in `catalog`, created when missing.
    pub schemas: Vec<String>,
    /// The models, in any order; their SQL is Trino SQL.
    pub models: Vec<ModelNode>,
    /// As [`crate::RunPlan::allow_invalid`].
    pub allow_invalid: bool,
    /// As [`crate::RunPlan::full_refresh`].
    pub full_refresh: bool,
}

/// Runs every model of `plan` on Trino; `cancel` stops the statements
/// running (Trino is told to stop them) and settles the rest as interrupted.
pub fn run_trino(
    plan: &TrinoPlan,
    on_event: &(dyn Fn(&RunEvent) + Sync),
    cancel: &Cancel,
) -> RunResults {
    let graph = Graph::new(&[], &plan.models);
    let client = Client::new(&plan.url, &plan.user);
    let server = Server {
        client: &client,
        catalog: &plan.catalog,
    };
    let open = |workers: usize| {
        let objects = Arc::new(server.objects(&plan.schemas).map_err(|error| {
            let message = format!("cannot read the catalog {}: {error}", plan.catalog);
            Diagnostic::new(
                Code::DatabaseUnavailable,
                Arc::from(plan.url.as_str()),
                TextRange::default(),
                message,
            )
            .with_help(
                "start the Trino server or set targets.trino.url in mesh.yaml (or --trino-url) to it; the catalog must exist and allow CREATE TABLE and CREATE VIEW",
            )
        })?);
        server.drop_temporaries(&objects);
        let schema_errors = server.create_schemas(&plan.schemas, &graph);
        let workers = (0..workers)
            .map(|_| TrinoWorker {
                server: Server {
                    client: &client,
                    catalog: &plan.catalog,
                },
                objects: Arc::clone(&objects),
                cancel: cancel.trino(),
                full_refresh: plan.full_refresh,
            })
            .collect();
        Ok(Opened {
            workers,
            schema_errors,
        })
    };
    let close = |first: TrinoWorker<'_>| first.server.drop_temporaries(&first.objects);
    let options = Schedule {
        threads: plan.threads,
        allow_invalid: plan.allow_invalid,
        on_event,
        cancel,
    };
    schedule(&graph, &options, open, close)
}

/// The output catalog of one Trino server.
#[derive(Clone, Copy)]
struct Server<'a> {
    client: &'a Client,
    catalog: &'a str,
}

impl Server<'_> {
    /// `"catalog"."schema"."name"`.
    fn name(&self, schema: &str, name: &str) -> String {
        format!("{}.{}.{}", ident(self.catalog), ident(schema), ident(name))
    }

    /// One statement, not cancellable: set-up and clean-up.
    fn run(&self, sql: &str) -> Result<mesh_trino::QueryResult, Error> {
        self.client.execute(sql, Some(self.catalog), None)
    }

    /// The tables and views of `schemas` in the catalog.
    fn objects(&self, schemas: &[String]) -> Result<Catalog, Error> {
        let mut entries = Vec::new();
        if !schemas.is_empty() {
            let list: Vec<String> = schemas.iter().map(|s| literal(&s.to_lowercase())).collect();
            let sql = format!(
                "SELECT table_schema, table_name, table_type FROM {}.information_schema.tables WHERE table_schema IN ({})",
                ident(self.catalog),
                list.join(", ")
            );
            for row in self.run(&sql)?.rows {
                if let [
                    Value::String(schema),
                    Value::String(name),
                    Value::String(kind),
                ] = row.as_slice()
                {
                    entries.push((schema.clone(), name.clone(), object_kind(kind)));
                }
            }
        }
        Ok(Catalog::from_entries(entries))
    }

    /// What `schema.name` is now, asked of the server (after a failure).
    fn reread(&self, objects: &Catalog, schema: &str, name: &str) {
        let sql = format!(
            "SELECT table_type FROM {}.information_schema.tables WHERE table_schema = {} AND table_name = {}",
            ident(self.catalog),
            literal(&schema.to_lowercase()),
            literal(&name.to_lowercase())
        );
        let kind = match self.run(&sql) {
            Ok(result) => result.rows.first().and_then(|row| match row.first() {
                Some(Value::String(kind)) => Some(object_kind(kind)),
                _ => None,
            }),
            // Unknown: remembered as a table, so the clean-up tries to drop it.
            Err(_) => Some(ObjectKind::Table),
        };
        objects.set(schema, name, kind);
    }

    /// The column names of `schema.name`, in order.
    fn columns(&self, schema: &str, name: &str) -> Result<Vec<String>, Error> {
        let sql = format!(
            "SELECT column_name FROM {}.information_schema.columns WHERE table_schema = {} AND table_name = {} ORDER BY ordinal_position",
            ident(self.catalog),
            literal(&schema.to_lowercase()),
            literal(&name.to_lowercase())
        );
        Ok(self
            .run(&sql)?
            .rows
            .into_iter()
            .filter_map(|row| match row.into_iter().next() {
                Some(Value::String(name)) => Some(name),
                _ => None,
            })
            .collect())
    }

    /// Drops `schema.name` if the catalog knows it.
    fn drop_object(&self, objects: &Catalog, schema: &str, name: &str) -> Result<(), Error> {
        let Some(kind) = objects.kind(schema, name) else {
            return Ok(());
        };
        let keyword = match kind {
            ObjectKind::Table => "TABLE",
            ObjectKind::View => "VIEW",
        };
        let dropped = self.run(&format!(
            "DROP {keyword} IF EXISTS {}",
            self.name(schema, name)
        ));
        match dropped {
            Ok(_) => {
                objects.set(schema, name, None);
                Ok(())
            }
            Err(error) => {
                self.reread(objects, schema, name);
                Err(error)
            }
        }
    }

    /// Drops every temporary object a run (this one, or one that was
    /// killed) left behind.
    fn drop_temporaries(&self, objects: &Catalog) {
        for (schema, name) in objects.temporaries() {
            let _ = self.drop_object(objects, &schema, &name);
        }
    }

    /// Creates the schemas of the plan and of its models; returns the errors.
    fn create_schemas(&self, schemas: &[String], graph: &Graph<'_>) -> HashMap<String, String> {
        let mut errors = HashMap::new();
        let mut done = HashSet::new();
        let names = schemas
            .iter()
            .map(String::as_str)
            .chain(graph.nodes.iter().map(|n| n.schema()));
        for name in names {
            if !done.insert(name.to_lowercase()) {
                continue;
            }
            let sql = format!(
                "CREATE SCHEMA IF NOT EXISTS {}.{}",
                ident(self.catalog),
                ident(name)
            );
            if let Err(error) = self.run(&sql) {
                errors.insert(
                    name.to_lowercase(),
                    format!("cannot create schema {}.{name}: {error}", self.catalog),
                );
            }
        }
        errors
    }
}

fn object_kind(table_type: &str) -> ObjectKind {
    if table_type.eq_ignore_ascii_case("VIEW") {
        ObjectKind::View
    } else {
        ObjectKind::Table
    }
}

/// One worker: statements of one model at a time.
struct TrinoWorker<'a> {
    server: Server<'a>,
    objects: Arc<Catalog>,
    cancel: &'a mesh_trino::Cancel,
    full_refresh: bool,
}

/// How the build of a model failed.
enum Failed {
    /// Trino (or the way there) refused a statement; `prefix_lines` is how
    /// many lines the statement has before the model's SELECT.
    Statement { error: Error, prefix_lines: u32 },
    /// meshc refused to go on.
    Reason(String),
}

impl TrinoWorker<'_> {
    /// One statement of a model's build, cancellable.
    fn statement(&self, sql: &str, prefix_lines: u32) -> Result<mesh_trino::QueryResult, Failed> {
        self.statement_undone_by(sql, prefix_lines, None)
    }

    /// A `CREATE TABLE created AS …` of a model's build: submitted again
    /// after `NO_NODES_AVAILABLE` only once what the failed attempt may have
    /// left is dropped.
    fn create_table_as(
        &self,
        sql: &str,
        prefix_lines: u32,
        created: &str,
    ) -> Result<mesh_trino::QueryResult, Failed> {
        let drop = format!("DROP TABLE IF EXISTS {created}");
        self.statement_undone_by(sql, prefix_lines, Some(&drop))
    }

    fn statement_undone_by(
        &self,
        sql: &str,
        prefix_lines: u32,
        before_resubmit: Option<&str>,
    ) -> Result<mesh_trino::QueryResult, Failed> {
        let options = Options {
            catalog: Some(self.server.catalog),
            cancel: Some(self.cancel),
            before_resubmit,
            ..Options::default()
        };
        self.server
            .client
            .execute_collecting(sql, &options)
            .map_err(|error| Failed::Statement {
                error,
                prefix_lines,
            })
    }

    fn build_model(&self, model: &ModelNode, allow_invalid: bool) -> Result<Built, Failed> {
        let select = crate::model::body(&model.sql);
        let schema = model.schema.as_str();
        let staged_name = format!("{}{NEW_SUFFIX}", model.name);
        let staged = self.server.name(schema, &staged_name);
        let final_name = self.server.name(schema, &model.name);
        let objects = &*self.objects;
        let fail = |error: Error| Failed::Statement {
            error,
            prefix_lines: 0,
        };
        self.server
            .drop_object(objects, schema, &staged_name)
            .map_err(fail)?;
        let kind = match model.materialization {
            Materialization::Table => ObjectKind::Table,
            Materialization::View => ObjectKind::View,
        };
        let merging = model.incremental.as_ref().filter(|_| {
            !self.full_refresh
                && kind == ObjectKind::Table
                && objects.kind(schema, &model.name) == Some(ObjectKind::Table)
        });
        let mut merged_rows = None;
        let rows = if let Some(incremental) = merging {
            let (merged, rows) = self.merge(model, select, incremental, &staged)?;
            merged_rows = Some(merged);
            rows
        } else {
            let created = match kind {
                ObjectKind::Table => self
                    .create_table_as(&format!("CREATE TABLE {staged} AS\n{select}"), 1, &staged)
                    .map(|result| result.update_count),
                ObjectKind::View => self
                    .statement(&format!("CREATE VIEW {staged} AS\n{select}"), 1)
                    .map(|_| None),
            };
            // The temporary may exist even when the statement failed (cancelled
            // after Trino created it): the clean-up drops it either way.
            objects.set(schema, &staged_name, Some(kind));
            created?
        };
        if kind == ObjectKind::View {
            self.statement(&format!("EXPLAIN ANALYZE SELECT * FROM {staged}"), 0)?;
        }
        let checks = model
            .checks
            .iter()
            .map(|check| {
                let sql = check.sql.replace(CHECKED_RELATION, &staged);
                let measured = self
                    .statement(&sql, 0)
                    .map(|result| measured(&result))
                    .map_err(|failed| failed.text());
                evaluate(check, measured)
            })
            .collect();
        let mut built = Built {
            rows: None,
            merged_rows: None,
            checks,
            swapped: false,
        };
        if built.invalid() && !allow_invalid {
            self.server
                .drop_object(objects, schema, &staged_name)
                .map_err(fail)?;
            return Ok(built);
        }
        match kind {
            ObjectKind::Table => {
                self.server
                    .drop_object(objects, schema, &model.name)
                    .map_err(fail)?;
                self.statement(&format!("ALTER TABLE {staged} RENAME TO {final_name}"), 0)?;
                objects.set(schema, &staged_name, None);
                objects.set(schema, &model.name, Some(ObjectKind::Table));
            }
            ObjectKind::View => {
                if objects.kind(schema, &model.name) == Some(ObjectKind::Table) {
                    self.server
                        .drop_object(objects, schema, &model.name)
                        .map_err(fail)?;
                }
                self.statement(
                    &format!("CREATE OR REPLACE VIEW {final_name} AS\n{select}"),
                    1,
                )?;
                objects.set(schema, &model.name, Some(ObjectKind::View));
                self.server
                    .drop_object(objects, schema, &staged_name)
                    .map_err(fail)?;
            }
        }
        built.rows = rows;
        built.merged_rows = merged_rows;
        built.swapped = true;
        Ok(built)
    }

    /// Builds the merged version of an incremental table as the temporary
    /// `staged`: the query's new rows go to a second temporary, then
    /// `staged` = the existing rows whose key has no new row, plus the new
    /// rows. The existing table is only read (no connector needs DELETE or
    /// MERGE), and the swap that follows is a table's. Returns the new rows
    /// and the rows of `staged`.
    fn merge(
        &self,
        model: &ModelNode,
        select: &str,
        incremental: &Incremental,
        staged: &str,
    ) -> Result<(u64, Option<u64>), Failed> {
        let schema = model.schema.as_str();
        let objects = &*self.objects;
        let fail = |error: Error| Failed::Statement {
            error,
            prefix_lines: 0,
        };
        let columns = self.server.columns(schema, &model.name).map_err(fail)?;
        if let Some(why) = incremental::columns_differ(incremental, &columns) {
            return Err(Failed::Reason(why));
        }
        let existing = self.server.name(schema, &model.name);
        let rows_name = format!("{}{RESERVED}_rows", model.name);
        let rows = self.server.name(schema, &rows_name);
        self.server
            .drop_object(objects, schema, &rows_name)
            .map_err(fail)?;
        let [create_rows, create_staged] =
            incremental::copy_on_write(select, &existing, &rows, staged, incremental);
        let created = self.create_table_as(&create_rows, 1, &rows);
        objects.set(schema, &rows_name, Some(ObjectKind::Table));
        let merged = created?.update_count.unwrap_or(0);
        let combined = self.create_table_as(&create_staged, 0, staged);
        objects.set(
            schema,
            &format!("{}{NEW_SUFFIX}", model.name),
            Some(ObjectKind::Table),
        );
        let total = combined?.update_count;
        self.server
            .drop_object(objects, schema, &rows_name)
            .map_err(fail)?;
        Ok((merged, total))
    }
}

impl Failed {
    fn text(self) -> String {
        match self {
            Failed::Statement { error, .. } => error.to_string(),
            Failed::Reason(reason) => reason,
        }
    }
}

impl Worker for TrinoWorker<'_> {
    fn sources_settled(&self) -> Result<(), String> {
        Ok(())
    }

    fn build(&self, job: Job<'_>, allow_invalid: bool) -> Result<Built, Diagnostic> {
        let Job::Model(model) = job else {
            // The graph of a Trino plan has no sources.
            return Err(model_failed("a source", "sources are not loaded on Trino"));
        };
        self.build_model(model, allow_invalid)
            .map_err(|failed| match failed {
                Failed::Statement {
                    error,
                    prefix_lines,
                } => model_failed(&model.id, &describe(&error, prefix_lines)),
                Failed::Reason(reason) => model_failed(&model.id, &reason),
            })
    }

    fn recover(&self) {}
}

/// The value in the first column of the first row, as a check reads it
/// (Trino sends DECIMAL values as strings).
fn measured(result: &mesh_trino::QueryResult) -> Measured {
    match result.rows.first().and_then(|row| row.first()) {
        None | Some(Value::Null) => Measured::Null,
        Some(Value::Number(number)) => match number.as_f64() {
            Some(value) => Measured::Number(value),
            None => Measured::Other(number.to_string()),
        },
        Some(Value::String(text)) => match text.parse::<f64>() {
            Ok(value) if value.is_finite() => Measured::Number(value),
            _ => Measured::Other(format!("{text:?}")),
        },
        Some(other) => Measured::Other(other.to_string()),
    }
}

/// Trino's error, its position made relative to the model's SELECT.
fn describe(error: &Error, prefix_lines: u32) -> String {
    match error {
        Error::Query(query) => {
            let mut text = format!("{}: {}", query.name, query.message);
            if let (Some(line), Some(column)) = (query.line, query.column)
                && line > prefix_lines
            {
                text.push_str(&format!(
                    " (line {}, column {column} of the compiled SELECT; query {})",
                    line - prefix_lines,
                    query.query_id
                ));
            } else {
                text.push_str(&format!(" (query {})", query.query_id));
            }
            text
        }
        other => other.to_string(),
    }
}

fn model_failed(id: &str, reason: &str) -> Diagnostic {
    Diagnostic::new(
        Code::ModelFailed,
        Arc::from(""),
        TextRange::default(),
        format!("model {id} failed: {reason}"),
    )
    .with_help("the previous version of the model, if any, is kept")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(value: Value) -> mesh_trino::QueryResult {
        mesh_trino::QueryResult {
            query_id: "q".to_owned(),
            columns: Vec::new(),
            rows: vec![vec![value]],
            update_type: None,
            update_count: None,
            warnings: Vec::new(),
        }
    }

    #[test]
    fn check_values_of_every_json_shape() {
        assert!(matches!(measured(&result(Value::from(3))), Measured::Number(v) if v == 3.0));
        assert!(matches!(measured(&result(Value::from("4.50"))), Measured::Number(v) if v == 4.5));
        assert!(matches!(measured(&result(Value::Null)), Measured::Null));
        assert!(matches!(
            measured(&result(Value::from("abc"))),
            Measured::Other(_)
        ));
        assert!(matches!(
            measured(&result(Value::Bool(true))),
            Measured::Other(_)
        ));
    }

    #[test]
    fn positions_are_those_of_the_select() {
        let error = Error::Query(Box::new(mesh_trino::TrinoError {
            name: "COLUMN_NOT_FOUND".to_owned(),
            error_type: "USER_ERROR".to_owned(),
            code: 47,
            message: "Column 'x' cannot be resolved".to_owned(),
            line: Some(3),
            column: Some(8),
            query_id: "20261203_1".to_owned(),
        }));
        assert_eq!(
            describe(&error, 1),
            "COLUMN_NOT_FOUND: Column 'x' cannot be resolved (line 2, column 8 of the compiled SELECT; query 20261203_1)"
        );
    }
}
