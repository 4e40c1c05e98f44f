//! Names under a cursor: the dotted name (`orders.stg_orders`, `o.amount`)
//! that an editor position falls in, found from the tokens of the text so
//! that it works in SQL that does not parse yet.

use mesh_diagnostics::{LineIndex, TextRange};
use sqlparser::dialect::GenericDialect;
use sqlparser::tokenizer::{Token, Tokenizer};

use crate::sql::sql_span_to_range;

/// A dotted name in SQL text and which of its parts a position is in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DottedName {
    /// The parts as written, without quotes.
    pub parts: Vec<String>,
    /// The range of each part.
    pub ranges: Vec<TextRange>,
    /// The part the position is in.
    pub at: usize,
}

impl DottedName {
    /// The range of the whole name.
    pub fn range(&self) -> TextRange {
        match (self.ranges.first(), self.ranges.last()) {
            (Some(first), Some(last)) => TextRange::new(first.start, last.end),
            _ => TextRange::empty(0),
        }
    }
}

/// The dotted name whose part contains `offset` (or ends at it), if any.
/// Text that does not tokenize (an open quote) is cut before the problem.
pub fn dotted_name_at(text: &str, offset: u32) -> Option<DottedName> {
    let line_index = LineIndex::new(text);
    let tokens = match Tokenizer::new(&GenericDialect, text).tokenize_with_location() {
        Ok(tokens) => tokens,
        Err(_) => {
            // Usually an unclosed quote: the text before the last quote.
            let end = text.rfind(['\'', '"']).unwrap_or(0);
            let cut = text.get(..end)?;
            Tokenizer::new(&GenericDialect, cut)
                .tokenize_with_location()
                .ok()?
        }
    };
    let words: Vec<(usize, String, TextRange)> = tokens
        .iter()
        .enumerate()
        .filter_map(|(i, t)| match &t.token {
            Token::Word(w) => Some((
                i,
                w.value.clone(),
                sql_span_to_range(text, &line_index, t.span),
            )),
            _ => None,
        })
        .collect();
    let (hit, _, _) = words
        .iter()
        .find(|(_, _, r)| r.start <= offset && offset <= r.end)?;
    let hit = *hit;
    // Walk left and right over `word . word . word`.
    let is_word = |i: usize| matches!(tokens.get(i).map(|t| &t.token), Some(Token::Word(_)));
    let is_period = |i: usize| matches!(tokens.get(i).map(|t| &t.token), Some(Token::Period));
    let mut first = hit;
    while first >= 2 && is_period(first - 1) && is_word(first - 2) {
        first -= 2;
    }
    let mut last = hit;
    while is_period(last + 1) && is_word(last + 2) {
        last += 2;
    }
    let mut name = DottedName {
        parts: Vec::new(),
        ranges: Vec::new(),
        at: 0,
    };
    for i in (first..=last).step_by(2) {
        let (_, value, range) = words.iter().find(|(j, _, _)| *j == i)?;
        if i == hit {
            name.at = name.parts.len();
        }
        name.parts.push(value.clone());
        name.ranges.push(*range);
    }
    Some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_dotted_name_under_the_cursor() {
        let text = "select o.amount from orders.stg_orders as o where \"x\" = 1";
        let at = text.find("stg_orders").unwrap() as u32 + 2;
        let name = dotted_name_at(text, at).unwrap();
        assert_eq!(name.parts, ["orders", "stg_orders"]);
        assert_eq!(name.at, 1);
        let range = name.range();
        assert_eq!(
            &text[range.start as usize..range.end as usize],
            "orders.stg_orders"
        );
        let name = dotted_name_at(text, text.find("amount").unwrap() as u32).unwrap();
        assert_eq!(
            (name.parts, name.at),
            (vec!["o".to_string(), "amount".to_string()], 1)
        );
        let quoted = dotted_name_at(text, text.find("\"x\"").unwrap() as u32 + 1).unwrap();
        assert_eq!(quoted.parts, ["x"]);
        assert!(dotted_name_at(text, text.find('=').unwrap() as u32).is_none());
        // An unfinished quote later in the text does not hide the name.
        let open = "select * from orders.stg_orders where x = 'abc";
        let name = dotted_name_at(open, 16).unwrap();
        assert_eq!(name.parts, ["orders", "stg_orders"]);
    }
}
