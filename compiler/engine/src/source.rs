//! Loads one source file into its table with the declared columns and types.
//!
//! The file is read into a fresh table `<table>__meshc_new` first; only when
//! every row fits does a transaction replace the previous table, so a bad file
//! never destroys the data of an earlier run. Errors become MESH5001
//! diagnostics that point at the file and, for CSV, at the offending line.

use std::path::Path;
use std::sync::Arc;

use duckdb::Connection;
use mesh_diagnostics::{Code, Diagnostic, TextRange};

use crate::location::{self, LineSpan};
use crate::plan::{SourceColumn, SourceFormat, SourceLoad};
use crate::sql::{self, Catalog, NEW_SUFFIX, ObjectKind, ident, literal, qualified};

/// Loads `source` and returns the number of rows now in its table.
pub(crate) fn load(
    conn: &Connection,
    catalog: &Catalog,
    source: &SourceLoad,
) -> Result<u64, Diagnostic> {
    if source.columns.is_empty() {
        return Err(failure(source, "the source declares no columns".to_owned()));
    }
    if !source.file.is_file() {
        let reason = if source.file.exists() {
            "not a file"
        } else {
            "file not found"
        };
        return Err(failure(source, reason.to_owned())
            .with_help(format!("looked for {}", source.file.display())));
    }
    if let Some(root) = &source.root {
        check_inside(source, root)?;
    }
    let columns = file_columns(source)?;
    let temporary = format!("{}{NEW_SUFFIX}", source.table);
    sql::drop_temporary(conn, catalog, &source.schema, &source.table);
    let rows = create_and_fill(conn, catalog, source, &columns, &temporary).map_err(|error| {
        sql::drop_temporary(conn, catalog, &source.schema, &source.table);
        explain(conn, source, &columns, &error)
    })?;
    sql::swap_in_new(
        conn,
        catalog,
        &source.schema,
        &source.table,
        ObjectKind::Table,
    )
    .map_err(|error| failure(source, sql::error_summary(&error)))?;
    Ok(rows)
}

/// Refuses a file that resolves (through symbolic links) outside `root`.
fn check_inside(source: &SourceLoad, root: &Path) -> Result<(), Diagnostic> {
    let resolved = source.file.canonicalize();
    let inside = match (&resolved, root.canonicalize()) {
        (Ok(file), Ok(root)) => file.starts_with(root),
        _ => false,
    };
    if inside {
        return Ok(());
    }
    let shown = resolved
        .as_deref()
        .unwrap_or(&source.file)
        .display()
        .to_string();
    let diagnostic = Diagnostic::new(
        Code::SourceOutsideWorkspace,
        Arc::from(source.display_path.as_str()),
        TextRange::default(),
        format!(
            "cannot load {}: the file resolves to {shown}, outside the workspace",
            source.display_path
        ),
    );
    Err(diagnostic.with_help(
        "move the file into the workspace, or add `external: true` to the source in sources.yaml",
    ))
}

/// The declared columns in the order the file has them. Without a header
/// the declaration order is the file order; with one, the header's names
/// (matched case-insensitively, as SQL names are) must be exactly the
/// declared columns, in any order.
fn file_columns(source: &SourceLoad) -> Result<Vec<&SourceColumn>, Diagnostic> {
    let SourceFormat::Csv {
        delimiter,
        header: true,
        quote,
    } = &source.format
    else {
        return Ok(source.columns.iter().collect());
    };
    let span = location::line_span(&source.file, 1);
    let names = span
        .as_ref()
        .map(|s| location::split_record(&s.text, *delimiter, *quote))
        .unwrap_or_default();
    let declared = |name: &str| {
        source
            .columns
            .iter()
            .find(|c| c.name.eq_ignore_ascii_case(name))
    };
    let mut ordered = Vec::new();
    let mut extra = Vec::new();
    for name in &names {
        match declared(name) {
            Some(column)
                if !ordered
                    .iter()
                    .any(|c: &&SourceColumn| std::ptr::eq(*c, column)) =>
            {
                ordered.push(column);
            }
            _ => extra.push(format!("\"{name}\"")),
        }
    }
    let missing: Vec<String> = source
        .columns
        .iter()
        .filter(|c| !ordered.iter().any(|o| std::ptr::eq(*o, *c)))
        .map(|c| format!("\"{}\"", c.name))
        .collect();
    if missing.is_empty() && extra.is_empty() {
        return Ok(ordered);
    }
    let mut problems = Vec::new();
    if !missing.is_empty() {
        problems.push(format!("no column {}", missing.join(", ")));
    }
    if !extra.is_empty() {
        problems.push(format!(
            "undeclared or repeated column {}",
            extra.join(", ")
        ));
    }
    let message = format!(
        "cannot load {}: line 1 (the header) has {}",
        source.display_path,
        problems.join(" and ")
    );
    let declared: Vec<&str> = source.columns.iter().map(|c| c.name.as_str()).collect();
    let help = format!(
        "the source declares the columns {} in sources.yaml (in any order); correct the header or the declaration",
        declared.join(", ")
    );
    let range = span.as_ref().map(line_range).unwrap_or_default();
    let diagnostic = Diagnostic::new(
        Code::SourceColumnsMismatch,
        Arc::from(source.display_path.as_str()),
        range,
        message,
    );
    Err(diagnostic.with_help(help))
}

fn create_and_fill(
    conn: &Connection,
    catalog: &Catalog,
    source: &SourceLoad,
    in_file_order: &[&SourceColumn],
    temporary: &str,
) -> duckdb::Result<u64> {
    let target = qualified(&source.schema, temporary);
    let columns: Vec<String> = source
        .columns
        .iter()
        .map(|c| {
            let not_null = if c.required { " NOT NULL" } else { "" };
            format!("{} {}{not_null}", ident(&c.name), c.duckdb_type)
        })
        .collect();
    // `execute` prepares exactly one statement, so a malformed type cannot
    // smuggle in a second one.
    sql::create_temporary(
        conn,
        catalog,
        &source.schema,
        &source.table,
        ObjectKind::Table,
        &format!("CREATE TABLE {target} ({})", columns.join(", ")),
    )?;
    let names: Vec<String> = source.columns.iter().map(|c| ident(&c.name)).collect();
    let names = names.join(", ");
    let inserted = conn.execute(
        &format!(
            "INSERT INTO {target} ({names}) SELECT {names} FROM {}",
            reader(source, in_file_order)
        ),
        [],
    )?;
    Ok(inserted as u64)
}

/// The table function call that reads the file with the declared columns
/// (for CSV, in the order the file has them).
fn reader(source: &SourceLoad, in_file_order: &[&SourceColumn]) -> String {
    let file = literal(&glob_literal(&source.file.to_string_lossy()));
    match &source.format {
        SourceFormat::Csv {
            delimiter,
            header,
            quote,
        } => {
            let columns: Vec<String> = in_file_order
                .iter()
                .map(|c| format!("{}: {}", literal(&c.name), literal(&c.duckdb_type)))
                .collect();
            // The escape character follows the quote (RFC 4180 doubling).
            let quote = quote.map(String::from).unwrap_or_default();
            format!(
                "read_csv({file}, header = {header}, delim = {}, quote = {q}, escape = {q}, \
                 columns = {{{}}}, auto_detect = false)",
                literal(&delimiter.to_string()),
                columns.join(", "),
                q = literal(&quote),
            )
        }
        SourceFormat::Parquet => format!("read_parquet({file})"),
    }
}

/// A path DuckDB's readers take literally: they expand `*`, `?` and `[...]`
/// as a glob, so each of those characters becomes a one-character class
/// (`[[]` matches `[`). A source path names one file, never a pattern.
fn glob_literal(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for c in path.chars() {
        match c {
            '*' | '?' | '[' => {
                out.push('[');
                out.push(c);
                out.push(']');
            }
            _ => out.push(c),
        }
    }
    out
}

/// Turns a DuckDB error from reading the file into a diagnostic, locating the
/// line (CSV) or row (Parquet) when DuckDB's message allows it.
fn explain(
    conn: &Connection,
    source: &SourceLoad,
    in_file_order: &[&SourceColumn],
    error: &duckdb::Error,
) -> Diagnostic {
    let text = sql::error_text(error);
    if let Some(line) = location::csv_error_line(&text) {
        let span = location::line_span(&source.file, line);
        let detail = csv_error_detail(&text, span.as_ref());
        return at_line(source, line, span, detail);
    }
    if text.contains("NOT NULL constraint failed")
        && let Some(diagnostic) = locate_null(conn, source, in_file_order)
    {
        return diagnostic;
    }
    failure(source, sql::error_summary(error))
}

/// Finds the first row with a NULL in a required column.
fn locate_null(
    conn: &Connection,
    source: &SourceLoad,
    in_file_order: &[&SourceColumn],
) -> Option<Diagnostic> {
    let required: Vec<&str> = source
        .columns
        .iter()
        .filter(|c| c.required)
        .map(|c| c.name.as_str())
        .collect();
    let is_null: Vec<String> = required
        .iter()
        .map(|name| format!("{} IS NULL", ident(name)))
        .collect();
    let sql = format!(
        "SELECT n, [{}] FROM (SELECT row_number() OVER () AS n, * FROM {}) WHERE {} ORDER BY n LIMIT 1",
        is_null.join(", "),
        reader(source, in_file_order),
        is_null.join(" OR ")
    );
    let (row, nulls): (i64, Vec<bool>) = conn
        .query_row(&sql, [], |row| {
            let flags = match row.get_ref(1)?.to_owned() {
                duckdb::types::Value::List(values) => values
                    .into_iter()
                    .map(|v| matches!(v, duckdb::types::Value::Boolean(true)))
                    .collect(),
                _ => Vec::new(),
            };
            Ok((row.get(0)?, flags))
        })
        .ok()?;
    let column = required
        .iter()
        .zip(&nulls)
        .find(|(_, null)| **null)
        .map(|(name, _)| *name)?;
    let record = u64::try_from(row).ok()?;
    Some(match &source.format {
        SourceFormat::Csv { header, quote, .. } => {
            let detail = format!("column \"{column}\" is required but the value is empty");
            match location::record_line(&source.file, *header, *quote, record) {
                Some(line) => at_line(
                    source,
                    line,
                    location::line_span(&source.file, line),
                    detail,
                ),
                None => failure(source, format!("record {record}: {detail}")),
            }
        }
        SourceFormat::Parquet => failure(
            source,
            format!("row {record}: column \"{column}\" is required but NULL"),
        ),
    })
}

/// The reason DuckDB gives for a CSV error, reworded when it has a known shape.
fn csv_error_detail(text: &str, span: Option<&LineSpan>) -> String {
    let first_block = text.split("\n\n").next().unwrap_or_default();
    let original = span.map(|s| s.text.trim());
    let detail = first_block
        .lines()
        .skip(1)
        .map(str::trim)
        .take_while(|l| !l.starts_with("Possible fixes") && !l.starts_with("Possible solutions"))
        .find(|l| !l.is_empty() && !l.starts_with("Original Line:") && Some(*l) != original);
    match detail {
        Some(detail) => reword(detail),
        None => first_block
            .lines()
            .next()
            .unwrap_or_default()
            .trim()
            .to_owned(),
    }
}

fn reword(detail: &str) -> String {
    // Error when converting column "id". Could not convert string "abc" to 'INTEGER'
    let conversion = detail
        .strip_prefix("Error when converting column \"")
        .and_then(|rest| rest.split_once("\". Could not convert string \""))
        .and_then(|(column, rest)| {
            let (value, ty) = rest.rsplit_once("\" to '")?;
            Some(format!(
                "column \"{column}\": \"{value}\" is not a valid {}",
                ty.trim_end_matches('\'')
            ))
        });
    // Expected Number of Columns: 3 Found: 4
    let count = detail
        .strip_prefix("Expected Number of Columns: ")
        .and_then(|rest| rest.split_once(" Found: "))
        .map(|(expected, found)| format!("expected {expected} columns but found {}", found.trim()));
    conversion
        .or(count)
        .unwrap_or_else(|| lowercase_first(detail))
}

fn lowercase_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn at_line(source: &SourceLoad, line: u64, span: Option<LineSpan>, detail: String) -> Diagnostic {
    let message = format!("cannot load {}: line {line}: {detail}", source.display_path);
    match span {
        Some(span) => {
            let range = line_range(&span);
            let shown: String = span.text.chars().take(200).collect();
            diagnostic(source, range, message).with_help(format!("line {line} reads: {shown}"))
        }
        None => diagnostic(source, TextRange::default(), message),
    }
}

fn line_range(span: &LineSpan) -> TextRange {
    match (u32::try_from(span.start), u32::try_from(span.end)) {
        (Ok(start), Ok(end)) => TextRange::new(start, end),
        _ => TextRange::default(),
    }
}

fn failure(source: &SourceLoad, reason: String) -> Diagnostic {
    diagnostic(
        source,
        TextRange::default(),
        format!("cannot load {}: {reason}", source.display_path),
    )
}

fn diagnostic(source: &SourceLoad, range: TextRange, message: String) -> Diagnostic {
    let file: Arc<str> = Arc::from(source.display_path.as_str());
    Diagnostic::new(Code::SourceLoadFailed, file, range, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rewords_known_duckdb_csv_errors() {
        assert_eq!(
            reword(
                "Error when converting column \"id\". Could not convert string \"abc\" to 'INTEGER'"
            ),
            "column \"id\": \"abc\" is not a valid INTEGER"
        );
        assert_eq!(
            reword("Expected Number of Columns: 3 Found: 4"),
            "expected 3 columns but found 4"
        );
        assert_eq!(
            reword("Value with unterminated quote found."),
            "value with unterminated quote found."
        );
    }

    #[test]
    fn glob_characters_become_one_character_classes() {
        assert_eq!(glob_literal("/d/a[1]*?.csv"), "/d/a[[]1][*][?].csv");
        assert_eq!(glob_literal("/d/plain.csv"), "/d/plain.csv");
    }

    #[test]
    fn detail_skips_the_echoed_line() {
        let text = "Conversion Error: CSV Error on Line: 4\nOriginal Line: \nabc,y\nError when converting column \"id\". Could not convert string \"abc\" to 'INTEGER'\n\nColumn id";
        let span = LineSpan {
            line: 4,
            start: 0,
            end: 5,
            text: "abc,y".into(),
        };
        assert_eq!(
            csv_error_detail(text, Some(&span)),
            "column \"id\": \"abc\" is not a valid INTEGER"
        );
    }
}
