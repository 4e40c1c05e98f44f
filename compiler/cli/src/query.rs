//! `meshc query`: read the database of the last run.
//!
//! The SQL is parsed by meshc and must be exactly one query; what reaches
//! DuckDB is meshc's own printing of that query, on a connection opened
//! read-only without file, network or extension access. Rows are printed as
//! they are read (CSV, JSON); the table format shows the first `--limit` rows.

use mesh_engine::{Cell, RowSink};
use std::io::Write;

use crate::build::default_database;
use crate::render::render;
use crate::session::open_workspace;
use crate::{GlobalArgs, Outcome, QueryFormat};

/// Rows the table format shows unless `--limit` says otherwise.
pub(crate) const DEFAULT_TABLE_ROWS: u64 = 1000;

pub(crate) fn run(
    global: &GlobalArgs,
    sql: &str,
    format: QueryFormat,
    limit: Option<u64>,
) -> Outcome {
    let session = match open_workspace(global) {
        Ok(session) => session,
        Err(outcome) => return outcome,
    };
    let limit = match (limit, format) {
        (Some(0), _) => None,
        (Some(n), _) => Some(n),
        (None, QueryFormat::Table) => Some(DEFAULT_TABLE_ROWS),
        (None, _) => None,
    };
    // One more row than shown tells whether the result was cut.
    let checked = match mesh_analysis::adhoc_query_sql(sql, limit.map(|n| n + 1)) {
        Ok(checked) => checked,
        Err(diagnostics) => {
            for diagnostic in &diagnostics {
                eprint!(
                    "{}",
                    render(diagnostic, Some(sql), session.style, &|_| None)
                );
            }
            return Outcome::Failure;
        }
    };
    let database = default_database(&session);
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut sink = Printer {
        format,
        limit,
        out: &mut out,
        table: mesh_engine::QueryResult {
            columns: Vec::new(),
            rows: Vec::new(),
        },
        rows: 0,
        cut: false,
    };
    let read = mesh_engine::query(&database, &checked, &mut sink);
    let (rows, cut) = (sink.rows, sink.cut);
    if format == QueryFormat::Table && read.is_ok() {
        let _ = write!(sink.out, "{}", table(&sink.table));
    } else if format == QueryFormat::Json {
        let _ = writeln!(sink.out, "{}]", if rows == 0 { "" } else { "\n" });
    }
    let _ = out.flush();
    drop(out);
    if let Err(message) = read {
        eprintln!("error: {message}");
        return Outcome::Failure;
    }
    if cut {
        eprintln!(
            "note: showing the first {rows} rows; pass --limit N for more, or --limit 0 for all"
        );
    }
    Outcome::Success
}

/// Prints rows as they come (CSV, JSON) or keeps them for the table.
struct Printer<'a, W: Write> {
    format: QueryFormat,
    limit: Option<u64>,
    out: &'a mut W,
    table: mesh_engine::QueryResult,
    rows: u64,
    cut: bool,
}

impl<W: Write> RowSink for Printer<'_, W> {
    fn columns(&mut self, names: &[String]) {
        match self.format {
            QueryFormat::Table => self.table.columns = names.to_vec(),
            QueryFormat::Csv => {
                let header: Vec<String> = names.iter().map(|c| csv_field(c)).collect();
                let _ = writeln!(self.out, "{}", header.join(","));
            }
            QueryFormat::Json => {
                self.table.columns = names.to_vec();
                let _ = write!(self.out, "[");
            }
        }
    }

    fn row(&mut self, cells: Vec<Cell>) -> bool {
        if self.limit.is_some_and(|n| self.rows >= n) {
            self.cut = true;
            return false;
        }
        self.rows += 1;
        match self.format {
            QueryFormat::Table => self.table.rows.push(cells),
            QueryFormat::Csv => {
                let fields: Vec<String> = cells
                    .iter()
                    .map(|cell| match cell {
                        Cell::Null => String::new(),
                        other => csv_field(&other.to_string()),
                    })
                    .collect();
                let _ = writeln!(self.out, "{}", fields.join(","));
            }
            QueryFormat::Json => {
                let object: serde_json::Map<String, serde_json::Value> = self
                    .table
                    .columns
                    .iter()
                    .zip(&cells)
                    .map(|(c, v)| {
                        (
                            c.clone(),
                            serde_json::to_value(v).unwrap_or(serde_json::Value::Null),
                        )
                    })
                    .collect();
                let separator = if self.rows == 1 { "\n  " } else { ",\n  " };
                let text = serde_json::to_string(&object).unwrap_or_else(|_| "{}".to_string());
                let _ = write!(self.out, "{separator}{text}");
            }
        }
        true
    }
}

fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

/// A plain-text table with a header rule, numbers right-aligned.
pub(crate) fn table(result: &mesh_engine::QueryResult) -> String {
    let cells: Vec<Vec<String>> = result
        .rows
        .iter()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    let mut widths: Vec<usize> = result.columns.iter().map(|c| c.chars().count()).collect();
    for row in &cells {
        for (i, cell) in row.iter().enumerate() {
            if let Some(w) = widths.get_mut(i) {
                *w = (*w).max(cell.chars().count());
            }
        }
    }
    let numeric: Vec<bool> = (0..result.columns.len())
        .map(|i| {
            result.rows.iter().all(|r| {
                matches!(
                    r.get(i),
                    Some(
                        mesh_engine::Cell::Int(_)
                            | mesh_engine::Cell::Float(_)
                            | mesh_engine::Cell::Null
                    )
                )
            })
        })
        .collect();
    let mut out = String::new();
    let line = |values: &[String], out: &mut String| {
        let parts: Vec<String> = values
            .iter()
            .enumerate()
            .map(|(i, v)| {
                if numeric[i] {
                    format!("{v:>w$}", w = widths[i])
                } else {
                    format!("{v:<w$}", w = widths[i])
                }
            })
            .collect();
        out.push_str(parts.join(" | ").trim_end());
        out.push('\n');
    };
    line(&result.columns, &mut out);
    out.push_str(
        &widths
            .iter()
            .map(|w| "-".repeat(*w))
            .collect::<Vec<_>>()
            .join("-+-"),
    );
    out.push('\n');
    for row in &cells {
        line(row, &mut out);
    }
    out.push_str(&format!(
        "({} row{})\n",
        cells.len(),
        if cells.len() == 1 { "" } else { "s" }
    ));
    out
}
