//! Conversions between byte offsets and 1-based line/column positions.

/// Start offsets of every line of a text, for offset <-> line/column mapping.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineIndex {
    line_starts: Vec<u32>,
    len: u32,
    /// Every character is one byte, so a column is a byte distance.
    ascii: bool,
}

impl LineIndex {
    /// Lines end at `\n` (how sqlparser counts the lines of SQL).
    pub fn new(text: &str) -> LineIndex {
        LineIndex::with_breaks(text, |bytes, i| bytes[i] == b'\n')
    }

    /// Lines end at `\n`, `\r\n` or a lone `\r`, as YAML counts them (so
    /// the parser's line and column markers land on the right byte).
    pub fn yaml(text: &str) -> LineIndex {
        LineIndex::with_breaks(text, |bytes, i| {
            bytes[i] == b'\n' || bytes[i] == b'\r' && bytes.get(i + 1) != Some(&b'\n')
        })
    }

    /// `ends_line(bytes, i)`: byte `i` is the last byte of a line break.
    fn with_breaks(text: &str, ends_line: impl Fn(&[u8], usize) -> bool) -> LineIndex {
        let bytes = text.as_bytes();
        let mut line_starts = vec![0];
        for i in 0..bytes.len() {
            if ends_line(bytes, i) {
                line_starts.push(i as u32 + 1);
            }
        }
        LineIndex {
            line_starts,
            len: text.len() as u32,
            ascii: text.is_ascii(),
        }
    }

    /// Byte offset of a 1-based line and 1-based column counted in characters.
    /// Out-of-range positions are clamped to the text.
    pub fn offset(&self, text: &str, line: u64, column: u64) -> u32 {
        if line == 0 {
            return 0;
        }
        let Some(&start) = self.line_starts.get(line as usize - 1) else {
            return self.len;
        };
        let end = self
            .line_starts
            .get(line as usize)
            .copied()
            .unwrap_or(self.len);
        let column = column.saturating_sub(1) as usize;
        if self.ascii {
            return start + (column as u32).min(end - start);
        }
        let line_text = text.get(start as usize..end as usize).unwrap_or("");
        let within = line_text
            .char_indices()
            .nth(column)
            .map(|(i, _)| i)
            .unwrap_or(line_text.len());
        start + within as u32
    }

    /// 0-based line and 0-based UTF-16 column of an offset (what LSP wants) is
    /// left to the server; this returns 1-based line and character column.
    pub fn line_col(&self, text: &str, offset: u32) -> (u32, u32) {
        let line = match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = self.line_starts[line] as usize;
        let column = text
            .get(start..offset as usize)
            .map(|s| s.chars().count())
            .unwrap_or(0);
        (line as u32 + 1, column as u32 + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::LineIndex;

    #[test]
    fn round_trips_positions() {
        let text = "select 1\nfrom é_t\n";
        let index = LineIndex::new(text);
        let offset = index.offset(text, 2, 6);
        assert_eq!(&text[offset as usize..], "é_t\n");
        assert_eq!(index.line_col(text, offset), (2, 6));
        assert_eq!(index.offset(text, 99, 1), text.len() as u32);
    }

    #[test]
    fn ascii_and_unicode_texts_clamp_alike() {
        for text in ["select 1\nfrom t\n", "select 'é'\nfrom t\n"] {
            let index = LineIndex::new(text);
            assert_eq!(index.offset(text, 2, 1), 9 + (text.len() as u32 - 16));
            assert_eq!(&text[index.offset(text, 2, 6) as usize..], "t\n");
            // Past the end of a line: the start of the next line (the newline's end).
            assert_eq!(index.offset(text, 1, 99), index.offset(text, 2, 1));
        }
    }
}
