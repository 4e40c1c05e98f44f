//! SQL written inside a contract: the query of a `type: sql` quality rule.
//!
//! The query is mesh SQL like a model's, with two placeholders ODCS defines:
//! `{object}`, the product under check, and `{property}`, the column a rule
//! is attached to. They are substituted in the token stream, as quoted
//! identifiers, before parsing: the text of a rule never becomes SQL text of
//! its own, so it cannot close a wrapper or add a statement.
//!
//! [`EmbeddedSql`] keeps where each line of the query sits in the contract
//! file, so diagnostics inside the query point at the contract's lines.

use std::sync::Arc;

use mesh_diagnostics::{Code, Diagnostic, LineIndex, TextRange};
use sqlparser::ast::{Query, Spanned, Statement};
use sqlparser::dialect::GenericDialect;
use sqlparser::keywords::Keyword;
use sqlparser::parser::Parser;
use sqlparser::tokenizer::{Token, TokenWithSpan, Tokenizer, Word};

use crate::sql::{sql_span_to_range, statement_keyword};

/// SQL held in a YAML scalar: its text and where each of its lines starts in
/// the file (both as byte offsets).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct EmbeddedSql {
    pub text: String,
    /// The scalar's range in the file: where a position inside the text
    /// cannot be mapped, diagnostics point here.
    pub range: TextRange,
    /// `(offset in text, offset in file)` of the start of each line of the
    /// text found verbatim in the file, in order.
    lines: Vec<(u32, u32)>,
}

impl EmbeddedSql {
    /// `text`, the value of a scalar starting at `range.start` of `file_text`.
    /// Lines are found verbatim after the scalar's start (plain, quoted
    /// single-line and literal block scalars); a line that is not (folded or
    /// escaped text) maps to the whole scalar.
    pub fn new(text: String, range: TextRange, file_text: &str) -> Self {
        let mut lines = Vec::new();
        let mut cursor = range.start as usize;
        let mut offset = 0usize;
        for line in text.split_inclusive('\n') {
            let content = line.trim_end_matches(['\n', '\r']);
            if !content.trim().is_empty()
                && let Some(rest) = file_text.get(cursor..)
                && let Some(found) = rest.find(content)
            {
                // A line must be found on the next lines, not far below.
                let skipped = &rest[..found];
                if skipped.matches('\n').count() <= 2 {
                    let at = cursor + found;
                    lines.push((offset as u32, at as u32));
                    cursor = at + content.len();
                }
            }
            offset += line.len();
        }
        EmbeddedSql { text, range, lines }
    }

    /// Text that is not in any file (synthesized by meshc): every position
    /// maps to `range`.
    pub fn synthesized(text: String, range: TextRange) -> Self {
        EmbeddedSql {
            text,
            range,
            lines: Vec::new(),
        }
    }

    /// The file range of a range inside the text.
    pub fn file_range(&self, inner: TextRange) -> TextRange {
        let map = |offset: u32| -> Option<u32> {
            let line = self
                .lines
                .iter()
                .rev()
                .find(|(text_start, _)| *text_start <= offset)?;
            let column = offset - line.0;
            // The mapped line must hold the offset: it cannot run into the next one.
            let line_end = self.text[line.0 as usize..]
                .find('\n')
                .map_or(self.text.len(), |n| line.0 as usize + n);
            (offset as usize <= line_end).then_some(line.1 + column)
        };
        match (map(inner.start), map(inner.end)) {
            (Some(start), Some(end)) if start <= end => TextRange::new(start, end),
            _ => self.range,
        }
    }
}

/// What a rule's placeholders stand for.
#[derive(Clone, Copy, Debug)]
pub struct Placeholders<'a> {
    /// The product under check (its model's name).
    pub object: &'a str,
    /// The column the rule is attached to, if it is attached to one.
    pub property: Option<&'a str>,
}

/// A parsed rule query, its line index (positions are relative to the
/// rule's text) and problems, already placed in the contract file.
#[derive(Debug)]
pub struct ParsedRule {
    pub query: Option<Box<Query>>,
    pub line_index: LineIndex,
    pub diagnostics: Vec<Diagnostic>,
}

/// Parses the query of rule `rule` of contract `file`: exactly one SELECT
/// (CTEs allowed), placeholders substituted. Never fails.
pub fn parse_rule_query(
    file: &Arc<str>,
    rule: &str,
    sql: &EmbeddedSql,
    placeholders: Placeholders<'_>,
) -> ParsedRule {
    crate::depth::with_stack(|| parse_rule(file, rule, sql, placeholders))
}

fn parse_rule(
    file: &Arc<str>,
    rule: &str,
    sql: &EmbeddedSql,
    placeholders: Placeholders<'_>,
) -> ParsedRule {
    let text = sql.text.as_str();
    let line_index = LineIndex::new(text);
    let mut diagnostics = Vec::new();
    let mut error = |range: TextRange, message: String, help: &str| {
        diagnostics.push(
            Diagnostic::new(
                Code::InvalidQualityRule,
                file.clone(),
                sql.file_range(range),
                message,
            )
            .with_help(help.to_string()),
        );
    };
    let tokens = match Tokenizer::new(&GenericDialect, text).tokenize_with_location() {
        Ok(tokens) => tokens,
        Err(e) => {
            error(
                TextRange::new(0, text.len() as u32),
                format!("the query of rule `{rule}` does not parse: {}", e.message),
                "a `type: sql` rule is one SELECT in mesh SQL returning one number",
            );
            return ParsedRule {
                query: None,
                line_index,
                diagnostics,
            };
        }
    };
    let tokens = match substitute(tokens, placeholders) {
        Ok(tokens) => tokens,
        Err((span, message)) => {
            error(
                sql_span_to_range(text, &line_index, span),
                format!("rule `{rule}`: {message}"),
                "`{object}` is the product under check; `{property}` is the column of a rule listed under a property's `quality:`",
            );
            return ParsedRule {
                query: None,
                line_index,
                diagnostics,
            };
        }
    };
    let statements = Parser::new(&GenericDialect)
        .with_recursion_limit(crate::depth::PARSER_RECURSION_LIMIT)
        .with_tokens_with_locations(tokens)
        .parse_statements();
    let mut statements = match statements {
        Ok(statements) => statements.into_iter(),
        Err(e) => {
            error(
                TextRange::new(0, text.len() as u32),
                format!("the query of rule `{rule}` does not parse: {e}"),
                "a `type: sql` rule is one SELECT in mesh SQL returning one number",
            );
            return ParsedRule {
                query: None,
                line_index,
                diagnostics,
            };
        }
    };
    let first = statements.next();
    let mut several = false;
    for extra in statements {
        several = true;
        error(
            sql_span_to_range(text, &line_index, extra.span()),
            format!("rule `{rule}` holds more than one statement"),
            "a `type: sql` rule is exactly one SELECT; meshc runs nothing else",
        );
    }
    let query = match first {
        Some(Statement::Query(query)) => Some(query),
        Some(other) => {
            let keyword = statement_keyword(&other);
            error(
                TextRange::new(0, text.trim_end().len() as u32),
                format!("rule `{rule}` must be a query, found a {keyword} statement"),
                "a `type: sql` rule is one SELECT returning one number, such as `SELECT COUNT(*) FROM {object} WHERE …`",
            );
            None
        }
        None => {
            error(
                TextRange::empty(0),
                format!("rule `{rule}` has an empty query"),
                "write `query: SELECT COUNT(*) FROM {object} WHERE …`",
            );
            None
        }
    };

    let query =
        query.filter(|_| !several).and_then(|mut query| {
            match crate::depth::cut_beyond_depth(&mut query, crate::depth::MAX_TREE_DEPTH) {
                None => Some(query),
                Some(span) => {
                    error(
                        sql_span_to_range(text, &line_index, span),
                        format!(
                            "the query of rule `{rule}` nests deeper than the limit of {} levels",
                            crate::depth::MAX_TREE_DEPTH
                        ),
                        "split it into a model of the domain and read that model in the rule",
                    );
                    None
                }
            }
        });
    ParsedRule {
        query,
        line_index,
        diagnostics,
    }
}

/// Replaces each `{object}` / `{property}` (whitespace allowed inside the
/// braces) with one quoted identifier token.
fn substitute(
    tokens: Vec<TokenWithSpan>,
    placeholders: Placeholders<'_>,
) -> Result<Vec<TokenWithSpan>, (sqlparser::tokenizer::Span, String)> {
    let significant = |t: &TokenWithSpan| !matches!(t.token, Token::Whitespace(_));
    let mut out = Vec::with_capacity(tokens.len());
    let mut i = 0;
    while i < tokens.len() {
        if tokens[i].token == Token::LBrace {
            let rest: Vec<(usize, &TokenWithSpan)> = tokens
                .iter()
                .enumerate()
                .skip(i + 1)
                .filter(|(_, t)| significant(t))
                .take(2)
                .collect();
            if let [(_, word), (close, closing)] = rest.as_slice()
                && closing.token == Token::RBrace
                && let Token::Word(w) = &word.token
                && w.quote_style.is_none()
            {
                let name = match w.value.to_ascii_lowercase().as_str() {
                    "object" => Some(placeholders.object),
                    "property" => match placeholders.property {
                        Some(column) => Some(column),
                        None => {
                            return Err((
                                tokens[i].span.union(&closing.span),
                                "`{property}` names the column a rule is attached to, but this rule is on the whole product".to_string(),
                            ));
                        }
                    },
                    _ => None,
                };
                if let Some(name) = name {
                    out.push(TokenWithSpan {
                        token: Token::Word(Word {
                            value: name.to_string(),
                            quote_style: Some('"'),
                            keyword: Keyword::NoKeyword,
                        }),
                        span: tokens[i].span.union(&closing.span),
                    });
                    i = close + 1;
                    continue;
                }
            }
        }
        out.push(tokens[i].clone());
        i += 1;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str, property: Option<&str>) -> ParsedRule {
        let file: Arc<str> = Arc::from("d/contracts/p.yaml");
        let sql = EmbeddedSql::synthesized(text.to_string(), TextRange::new(0, 1));
        parse_rule_query(
            &file,
            "r",
            &sql,
            Placeholders {
                object: "p",
                property,
            },
        )
    }

    #[test]
    fn placeholders_become_quoted_identifiers() {
        let parsed = parse(
            "SELECT count(*) FROM { object } WHERE {property} < 0",
            Some("amount"),
        );
        assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);
        let query = parsed.query.map(|q| q.to_string());
        assert_eq!(
            query.as_deref(),
            Some(r#"SELECT count(*) FROM "p" WHERE "amount" < 0"#)
        );
    }

    #[test]
    fn a_rule_that_closes_its_wrapper_is_refused() {
        let attack = "SELECT 0) AS DOUBLE) AS v; DROP SCHEMA customers CASCADE; COPY (SELECT 1) TO '/tmp/x.csv'; SELECT CAST((SELECT COUNT(*) FROM {object}";
        let parsed = parse(attack, None);
        assert!(parsed.query.is_none());
        assert!(!parsed.diagnostics.is_empty());
        assert!(
            parsed
                .diagnostics
                .iter()
                .all(|d| d.code == Code::InvalidQualityRule)
        );
    }

    #[test]
    fn several_statements_and_other_statements_are_refused() {
        let parsed = parse("SELECT 1; DROP SCHEMA s CASCADE", None);
        assert!(parsed.query.is_none());
        assert!(
            parsed.diagnostics[0]
                .message
                .contains("more than one statement")
        );
        let parsed = parse("COPY (SELECT 1) TO '/tmp/x.csv'", None);
        assert!(parsed.query.is_none());
        assert!(parsed.diagnostics[0].message.contains("must be a query"));
        let parsed = parse(
            "SELECT count(*) FROM {object} WHERE {property} IS NULL",
            None,
        );
        assert!(parsed.query.is_none());
        assert!(parsed.diagnostics[0].message.contains("{property}"));
    }

    #[test]
    fn a_rule_deeper_than_the_limit_is_a_diagnostic() {
        let chain = vec!["amount = 1"; 3000].join(" OR ");
        let parsed = parse(
            &format!("SELECT count(*) FROM {{object}} WHERE {chain}"),
            None,
        );
        assert!(parsed.query.is_none());
        assert!(
            parsed.diagnostics[0]
                .message
                .contains("deeper than the limit")
        );
    }

    #[test]
    fn lines_of_a_block_scalar_map_into_the_file() {
        let file =
            "quality:\n  - type: sql\n    query: |\n      SELECT count(*)\n      FROM {object}\n";
        let start = file.find('|').unwrap() as u32;
        let text = "SELECT count(*)\nFROM {object}\n".to_string();
        let sql = EmbeddedSql::new(text, TextRange::new(start, start + 1), file);
        let from = sql.text.find("FROM").unwrap() as u32;
        let mapped = sql.file_range(TextRange::new(from, from + 4));
        assert_eq!(&file[mapped.start as usize..mapped.end as usize], "FROM");
    }
}
