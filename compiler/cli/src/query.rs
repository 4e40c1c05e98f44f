//! `meshc query`: read the database of the last run.

use crate::build::default_database;
use crate::session::open_workspace;
use crate::{GlobalArgs, Outcome, QueryFormat};

pub(crate) fn run(global: &GlobalArgs, sql: &str, format: QueryFormat) -> Outcome {
    let session = match open_workspace(global) {
        Ok(session) => session,
        Err(outcome) => return outcome,
    };
    let database = default_database(&session);
    let result = match mesh_engine::query(&database, sql) {
        Ok(result) => result,
        Err(message) => {
            eprintln!("error: {message}");
            return Outcome::Failure;
        }
    };
    match format {
        QueryFormat::Json => {
            let rows: Vec<serde_json::Map<String, serde_json::Value>> = result
                .rows
                .iter()
                .map(|row| {
                    result
                        .columns
                        .iter()
                        .zip(row)
                        .map(|(c, v)| {
                            (
                                c.clone(),
                                serde_json::to_value(v).unwrap_or(serde_json::Value::Null),
                            )
                        })
                        .collect()
                })
                .collect();
            println!(
                "{}",
                serde_json::to_string_pretty(&rows).unwrap_or_else(|_| "[]".to_string())
            );
        }
        QueryFormat::Csv => {
            println!(
                "{}",
                result
                    .columns
                    .iter()
                    .map(|c| csv_field(c))
                    .collect::<Vec<_>>()
                    .join(",")
            );
            for row in &result.rows {
                let fields: Vec<String> = row
                    .iter()
                    .map(|cell| match cell {
                        mesh_engine::Cell::Null => String::new(),
                        other => csv_field(&other.to_string()),
                    })
                    .collect();
                println!("{}", fields.join(","));
            }
        }
        QueryFormat::Table => print!("{}", table(&result)),
    }
    Outcome::Success
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
