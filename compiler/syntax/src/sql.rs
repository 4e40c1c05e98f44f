//! Model SQL: one query per file, parsed by sqlparser with its source spans.

use std::sync::Arc;

use mesh_diagnostics::{Code, Diagnostic, LineIndex, TextRange};
use sqlparser::ast::{Query, Spanned, Statement};
use sqlparser::dialect::GenericDialect;
use sqlparser::parser::{Parser, ParserError};
use sqlparser::tokenizer::{Span, Token, TokenWithSpan, Tokenizer};

use crate::depth::{MAX_TREE_DEPTH, PARSER_RECURSION_LIMIT, cut_beyond_depth, with_stack};

/// A parsed model: its query (when the file holds exactly one) and the line
/// index needed to turn sqlparser's line/column spans into byte ranges.
#[derive(Debug)]
pub struct ParsedModel {
    pub query: Option<Box<Query>>,
    pub line_index: LineIndex,
    pub diagnostics: Vec<Diagnostic>,
}

/// Parses one model file. Never fails: problems become diagnostics.
pub fn parse_model(file: &Arc<str>, text: &str) -> ParsedModel {
    with_stack(|| parse_one_query(file, text, &MODEL))
}

/// Parses the SQL given to `meshc query`: exactly one SELECT (CTEs allowed),
/// nothing else. Diagnostics point into `text`, named `file`.
pub fn parse_adhoc_query(file: &Arc<str>, text: &str) -> ParsedModel {
    with_stack(|| parse_one_query(file, text, &ADHOC))
}

/// What a text holding one query is, for messages.
struct Subject {
    syntax_help: &'static str,
    empty: &'static str,
    empty_help: &'static str,
    several: &'static str,
    holder: &'static str,
    several_help: &'static str,
    not_a_query: &'static str,
    not_a_query_help: &'static str,
}

const MODEL: Subject = Subject {
    syntax_help: "a model is one SELECT statement in mesh SQL; see docs/sql.md",
    empty: "the model file holds no SQL statement",
    empty_help: "write one SELECT (CTEs allowed), or delete the file",
    several: "a model holds exactly one query",
    holder: "this file",
    several_help: "split the statements into one model file each",
    not_a_query: "a model must be a query",
    not_a_query_help: "meshc writes CREATE/INSERT itself from the model's materialization; keep only the SELECT",
};

const ADHOC: Subject = Subject {
    syntax_help: "`meshc query` takes one SELECT statement (CTEs allowed)",
    empty: "the query holds no SQL statement",
    empty_help: "pass one SELECT, e.g. \"select * from insights.dim_customers limit 5\"",
    several: "`meshc query` runs exactly one query",
    holder: "the text",
    several_help: "run each query with its own `meshc query`",
    not_a_query: "`meshc query` is read-only and runs only queries",
    not_a_query_help: "meshc writes the database only through `meshc run`; ATTACH, COPY, EXPORT, INSTALL, LOAD, SET and DDL/DML are refused",
};

/// The largest model (or ad-hoc query) meshc parses, in bytes: far beyond
/// any model people write, and small enough to bound parse time and memory.
pub const MAX_QUERY_BYTES: usize = 4 * 1024 * 1024;

fn parse_one_query(file: &Arc<str>, text: &str, subject: &Subject) -> ParsedModel {
    let line_index = LineIndex::new(text);
    let mut diagnostics = Vec::new();
    if text.len() > MAX_QUERY_BYTES {
        diagnostics.push(
            Diagnostic::new(
                Code::QueryTooLarge,
                file.clone(),
                TextRange::empty(0),
                format!(
                    "the SQL is {} bytes, more than the limit of {MAX_QUERY_BYTES} bytes, so it is not parsed",
                    text.len()
                ),
            )
            .with_help("move long value lists into a source (a CSV) and join it, or split the model"),
        );
        return ParsedModel {
            query: None,
            line_index,
            diagnostics,
        };
    }
    let query = match parse_statements(text) {
        Err((ParserError::RecursionLimitExceeded, deepest)) => {
            let range = TextRange::new(deepest, next_char(text, deepest));
            diagnostics.push(
                Diagnostic::new(
                    Code::SqlNestingLimit,
                    file.clone(),
                    range,
                    format!(
                        "the query nests parentheses, subqueries or calls deeper than the limit of {PARSER_RECURSION_LIMIT} levels"
                    ),
                )
                .with_help("move inner subqueries into CTEs (`WITH name AS (…)`) and refer to them by name"),
            );
            None
        }
        Err((error, _)) => {
            let (message, range) = parser_error_position(&error, text, &line_index);
            diagnostics.push(
                Diagnostic::new(Code::SqlSyntax, file.clone(), range, message)
                    .with_help(subject.syntax_help),
            );
            None
        }
        Ok(statements) => single_query(file, text, &line_index, statements, subject, &mut diagnostics)
            .and_then(|mut query| {
                let Some(span) = cut_beyond_depth(&mut query, MAX_TREE_DEPTH) else {
                    return Some(query);
                };
                let mut range = sql_span_to_range(text, &line_index, span);
                if range.is_empty() {
                    range = statement_text_range(text);
                }
                diagnostics.push(
                    Diagnostic::new(
                        Code::SqlTooDeep,
                        file.clone(),
                        range,
                        format!(
                            "the query nests deeper than the limit of {MAX_TREE_DEPTH} levels (each operator of a chain like `a OR b OR …`, each `UNION` and each subquery is one level)"
                        ),
                    )
                    .with_help("write a long list of alternatives as `x IN (…)`, and split long chains or many `UNION ALL` branches into CTEs"),
                );
                None
            }),
    };
    ParsedModel {
        query,
        line_index,
        diagnostics,
    }
}

/// Parses the statements; an error comes with the byte offset of the first
/// `(` at the deepest parenthesis nesting (where a nesting limit is reached).
fn parse_statements(text: &str) -> Result<Vec<Statement>, (ParserError, u32)> {
    // A model has about one token per three bytes; reserving that up front
    // spares the token vector its chain of reallocations (and their copies).
    let mut tokens = Vec::with_capacity(text.len() / 3 + 16);
    Tokenizer::new(&GenericDialect, text)
        .tokenize_with_location_into_buf(&mut tokens)
        .map_err(|e| (e.into(), 0))?;
    let deepest = deepest_parenthesis(&tokens, text);
    // sqlparser counts nesting levels against this limit (and grows its own
    // stack while parsing, so the limit is about the trees it builds).
    Parser::new(&GenericDialect)
        .with_recursion_limit(PARSER_RECURSION_LIMIT)
        .with_tokens_with_locations(tokens)
        .parse_statements()
        .map_err(|e| (e, deepest))
}

/// The byte offset of the first `(` at the deepest parenthesis nesting.
fn deepest_parenthesis(tokens: &[TokenWithSpan], text: &str) -> u32 {
    let (mut depth, mut deepest, mut at) = (0usize, 0usize, None);
    for token in tokens {
        match token.token {
            Token::LParen => {
                depth += 1;
                if depth > deepest {
                    deepest = depth;
                    at = Some(token.span.start);
                }
            }
            Token::RParen => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    at.map(|at| LineIndex::new(text).offset(text, at.line, at.column))
        .unwrap_or(0)
}

fn next_char(text: &str, at: u32) -> u32 {
    text.get(at as usize..)
        .and_then(|rest| rest.chars().next())
        .map_or(at, |c| at + c.len_utf8() as u32)
}

fn single_query(
    file: &Arc<str>,
    text: &str,
    line_index: &LineIndex,
    statements: Vec<Statement>,
    subject: &Subject,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Box<Query>> {
    let count = statements.len();
    let mut statements = statements.into_iter();
    let Some(first) = statements.next() else {
        diagnostics.push(
            Diagnostic::new(
                Code::EmptyModel,
                file.clone(),
                TextRange::empty(0),
                subject.empty,
            )
            .with_help(subject.empty_help),
        );
        return None;
    };
    if count > 1 {
        for extra in statements {
            let range = sql_span_to_range(text, line_index, extra.span());
            diagnostics.push(
                Diagnostic::new(
                    Code::NotAQuery,
                    file.clone(),
                    range,
                    format!(
                        "{}, but {} has {count} statements",
                        subject.several, subject.holder
                    ),
                )
                .with_help(subject.several_help),
            );
        }
    }
    match first {
        Statement::Query(query) => Some(query),
        other => {
            let mut range = sql_span_to_range(text, line_index, other.span());
            if range.is_empty() {
                range = statement_text_range(text);
            }
            let keyword = statement_keyword(&other);
            diagnostics.push(
                Diagnostic::new(
                    Code::NotAQuery,
                    file.clone(),
                    range,
                    format!("{}, found a {keyword} statement", subject.not_a_query),
                )
                .with_help(subject.not_a_query_help),
            );
            None
        }
    }
}

/// The first keyword of a statement (`DROP`, `COPY`), for messages.
pub(crate) fn statement_keyword(statement: &Statement) -> String {
    statement
        .to_string()
        .split_whitespace()
        .next()
        .unwrap_or("")
        .to_ascii_uppercase()
}

/// The range of the text without leading/trailing blanks and a final `;`,
/// for statements sqlparser gives no span.
fn statement_text_range(text: &str) -> TextRange {
    let start = text.len() - text.trim_start().len();
    let trimmed = text.trim_end().trim_end_matches(';').trim_end();
    TextRange::new(start as u32, trimmed.len() as u32)
}

/// Converts a sqlparser span (1-based line and column) into a byte range.
pub fn sql_span_to_range(text: &str, line_index: &LineIndex, span: Span) -> TextRange {
    if span.start.line == 0 {
        return TextRange::empty(0);
    }
    let start = line_index.offset(text, span.start.line, span.start.column);
    let end = line_index.offset(text, span.end.line, span.end.column);
    TextRange::new(start, end)
}

/// sqlparser puts the position into the message (`… at Line: 3, Column: 7`).
fn parser_error_position(
    error: &ParserError,
    text: &str,
    line_index: &LineIndex,
) -> (String, TextRange) {
    let raw = match error {
        ParserError::ParserError(m) | ParserError::TokenizerError(m) => m.clone(),
        ParserError::RecursionLimitExceeded => {
            return (
                "the query nests too deeply to be parsed".to_string(),
                TextRange::empty(0),
            );
        }
    };
    let Some(at) = raw.rfind(" at Line: ") else {
        return (raw, TextRange::new(0, text.len() as u32));
    };
    let position = &raw[at + " at Line: ".len()..];
    let mut parts = position.split(", Column: ");
    let line = parts.next().and_then(|l| l.trim().parse::<u64>().ok());
    let column = parts.next().and_then(|c| c.trim().parse::<u64>().ok());
    let message = raw[..at].to_string();
    match (line, column) {
        (Some(line), Some(column)) => {
            let start = line_index.offset(text, line, column);
            let end = text[start as usize..]
                .char_indices()
                .find(|(_, c)| c.is_whitespace() || matches!(c, ',' | '(' | ')' | ';'))
                .map(|(i, _)| start + (i.max(1)) as u32)
                .unwrap_or(text.len() as u32);
            let end = if end as usize > text.len() {
                text.len() as u32
            } else {
                end
            };
            (message, TextRange::new(start, end))
        }
        _ => (message, TextRange::empty(0)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(text: &str) -> Vec<(String, String)> {
        let file: Arc<str> = Arc::from("m.sql");
        parse_model(&file, text)
            .diagnostics
            .iter()
            .map(|d| {
                let r = d.range;
                (
                    d.code.as_str().to_string(),
                    text[r.start as usize..r.end as usize].to_string(),
                )
            })
            .collect()
    }

    #[test]
    fn accepts_one_query() {
        let file: Arc<str> = Arc::from("m.sql");
        let parsed = parse_model(&file, "with a as (select 1 as x) select x from a;\n");
        assert!(parsed.diagnostics.is_empty());
        assert!(parsed.query.is_some());
    }

    #[test]
    fn reports_syntax_errors_at_the_token() {
        assert_eq!(
            codes("select (a\n  from t"),
            vec![("MESH0101".into(), "from".into())]
        );
    }

    #[test]
    fn refuses_ddl_and_multiple_statements() {
        assert_eq!(
            codes("drop table t"),
            vec![("MESH0102".into(), "drop table t".into())]
        );
        assert_eq!(
            codes("select 1; select 2"),
            vec![("MESH0102".into(), "select 2".into())]
        );
        assert_eq!(
            codes("  -- nothing\n"),
            vec![("MESH0103".into(), "".into())]
        );
    }
}
