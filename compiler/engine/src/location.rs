//! Finds the line of a source file that a load error is about.
//!
//! DuckDB names the line of a CSV value it cannot convert, but not the row of a
//! NULL that breaks a NOT NULL constraint. These helpers read the file again
//! (only on the error path, streaming it) to turn a record number into a line
//! number and a line number into a byte range and the text of that line.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;

/// One physical line of a file: its 1-based number, byte range (without the
/// line break) and text (lossily decoded, without a leading byte order mark).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct LineSpan {
    pub(crate) line: u64,
    pub(crate) start: u64,
    pub(crate) end: u64,
    pub(crate) text: String,
}

/// Calls `visit` with every physical line of the file until it returns false.
fn each_line(path: &Path, mut visit: impl FnMut(u64, u64, &[u8]) -> bool) -> Option<()> {
    let mut reader = BufReader::new(File::open(path).ok()?);
    let mut buffer = Vec::new();
    let mut offset = 0u64;
    let mut number = 0u64;
    loop {
        buffer.clear();
        let read = reader.read_until(b'\n', &mut buffer).ok()?;
        if read == 0 {
            return Some(());
        }
        number += 1;
        let content = trim_line_break(&buffer);
        if !visit(number, offset, content) {
            return Some(());
        }
        offset += read as u64;
    }
}

fn trim_line_break(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// The span of physical line `line` (1-based), if the file has that many lines.
pub(crate) fn line_span(path: &Path, line: u64) -> Option<LineSpan> {
    let mut found = None;
    each_line(path, |number, offset, content| {
        if number < line {
            return true;
        }
        let (skip, text) = match content.strip_prefix(b"\xEF\xBB\xBF") {
            Some(rest) if number == 1 => (3, rest),
            _ => (0, content),
        };
        found = Some(LineSpan {
            line: number,
            start: offset + skip,
            end: offset + content.len() as u64,
            text: String::from_utf8_lossy(text).into_owned(),
        });
        false
    })?;
    found
}

/// The physical line on which data record `record` (1-based, not counting the
/// header) starts. Blank lines between records are skipped, as DuckDB does, and
/// a quoted field may span several lines.
pub(crate) fn record_line(
    path: &Path,
    header: bool,
    quote: Option<char>,
    record: u64,
) -> Option<u64> {
    let quote = quote.filter(char::is_ascii).map(|q| q as u8);
    let target = record + u64::from(header);
    let mut seen = 0u64;
    let mut in_quotes = false;
    let mut found = None;
    each_line(path, |number, _, content| {
        if !in_quotes {
            let content = content.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(content);
            if content.is_empty() {
                return true;
            }
            seen += 1;
            if seen == target {
                found = Some(number);
                return false;
            }
        }
        if let Some(quote) = quote {
            let quotes = content.iter().filter(|&&b| b == quote).count();
            in_quotes ^= quotes % 2 == 1;
        }
        true
    })?;
    found
}

/// The fields of one CSV record on one line: split at `delimiter` outside
/// quotes, with quotes removed and doubled quotes kept once.
pub(crate) fn split_record(line: &str, delimiter: char, quote: Option<char>) -> Vec<String> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut in_quotes = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        if Some(c) == quote {
            if in_quotes && chars.peek() == Some(&c) {
                field.push(c);
                chars.next();
            } else {
                in_quotes = !in_quotes;
            }
        } else if c == delimiter && !in_quotes {
            fields.push(std::mem::take(&mut field));
        } else {
            field.push(c);
        }
    }
    fields.push(field);
    fields
}

/// The line number in a DuckDB CSV error ("CSV Error on Line: 3").
pub(crate) fn csv_error_line(message: &str) -> Option<u64> {
    let (_, rest) = message.split_once("CSV Error on Line:")?;
    let digits: String = rest
        .trim_start()
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(content: &str) -> (tempfile::TempDir, std::path::PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("data.csv");
        std::fs::write(&path, content).unwrap();
        (dir, path)
    }

    #[test]
    fn parses_the_line_of_csv_errors() {
        let text =
            "Conversion Error: CSV Error on Line: 3\nOriginal Line: abc,y\nError when converting";
        assert_eq!(csv_error_line(text), Some(3));
        assert_eq!(
            csv_error_line("Invalid Input Error: CSV Error on Line: 12045\n"),
            Some(12045)
        );
        assert_eq!(
            csv_error_line("Constraint Error: NOT NULL constraint failed"),
            None
        );
    }

    #[test]
    fn records_split_at_delimiters_outside_quotes() {
        assert_eq!(
            split_record("id,\"a,b\",\"say \"\"hi\"\"\"", ',', Some('"')),
            vec!["id", "a,b", "say \"hi\""]
        );
        assert_eq!(split_record("a|\"b", '|', None), vec!["a", "\"b"]);
    }

    #[test]
    fn spans_skip_the_byte_order_mark_and_line_breaks() {
        let (_dir, path) = file("\u{feff}id,name\r\n1,x\r\nabc,y\r\n");
        let first = line_span(&path, 1).unwrap();
        assert_eq!(
            (first.start, first.end, first.text.as_str()),
            (3, 10, "id,name")
        );
        let third = line_span(&path, 3).unwrap();
        assert_eq!(
            (third.line, third.start, third.end, third.text.as_str()),
            (3, 17, 22, "abc,y")
        );
        assert_eq!(line_span(&path, 4), None);
    }

    #[test]
    fn records_map_to_lines_across_blank_lines_and_quoted_breaks() {
        let (_dir, path) = file("id,name\n1,x\n\n2,\"a\nb\"\n3,z\n");
        assert_eq!(record_line(&path, true, Some('"'), 1), Some(2));
        assert_eq!(record_line(&path, true, Some('"'), 2), Some(4));
        assert_eq!(record_line(&path, true, Some('"'), 3), Some(6));
        assert_eq!(record_line(&path, true, Some('"'), 4), None);
        assert_eq!(record_line(&path, false, None, 2), Some(2));
    }
}
