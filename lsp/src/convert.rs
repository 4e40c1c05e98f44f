//! Between the compiler's byte offsets and the protocol's positions, edits
//! and diagnostics.

use mesh_analysis::{Diagnostic, Severity, TextRange};
use tower_lsp_server::ls_types::{
    self as lsp, DiagnosticRelatedInformation, Location, NumberOrString, Position,
    PositionEncodingKind, TextDocumentContentChangeEvent,
};

/// How a position's `character` counts: UTF-8 bytes when the client offers
/// it, else UTF-16 code units (the protocol's default).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) enum Encoding {
    Utf8,
    #[default]
    Utf16,
}

impl Encoding {
    pub(crate) fn negotiate(offered: &[PositionEncodingKind]) -> Self {
        if offered.contains(&PositionEncodingKind::UTF8) {
            Encoding::Utf8
        } else {
            Encoding::Utf16
        }
    }

    pub(crate) fn kind(self) -> PositionEncodingKind {
        match self {
            Encoding::Utf8 => PositionEncodingKind::UTF8,
            Encoding::Utf16 => PositionEncodingKind::UTF16,
        }
    }
}

/// Where the lines of a text start.
pub(crate) struct LineMap {
    starts: Vec<usize>,
}

impl LineMap {
    pub(crate) fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineMap { starts }
    }

    /// The byte offset of `position`, clamped to the text (a position past
    /// the end of a line is its end).
    pub(crate) fn offset(&self, text: &str, position: Position, encoding: Encoding) -> u32 {
        let Some(&start) = self.starts.get(position.line as usize) else {
            return text.len() as u32;
        };
        let end = self
            .starts
            .get(position.line as usize + 1)
            .map_or(text.len(), |&next| next - 1);
        let line = &text[start..end.max(start)];
        let mut units = 0u32;
        for (i, c) in line.char_indices() {
            if units >= position.character {
                return (start + i) as u32;
            }
            units += match encoding {
                Encoding::Utf8 => c.len_utf8() as u32,
                Encoding::Utf16 => c.len_utf16() as u32,
            };
        }
        (start + line.len()) as u32
    }

    pub(crate) fn position(&self, text: &str, offset: u32, encoding: Encoding) -> Position {
        let offset = (offset as usize).min(text.len());
        let line = self
            .starts
            .partition_point(|&s| s <= offset)
            .saturating_sub(1);
        let start = self.starts[line];
        let prefix = text.get(start..offset).unwrap_or("");
        let character = match encoding {
            Encoding::Utf8 => prefix.len(),
            Encoding::Utf16 => prefix.chars().map(char::len_utf16).sum(),
        };
        Position::new(line as u32, character as u32)
    }

    pub(crate) fn range(&self, text: &str, range: TextRange, encoding: Encoding) -> lsp::Range {
        lsp::Range::new(
            self.position(text, range.start, encoding),
            self.position(text, range.end, encoding),
        )
    }
}

/// `text` with one content change applied (a whole new text without range).
pub(crate) fn apply_edit(
    text: &str,
    change: &TextDocumentContentChangeEvent,
    encoding: Encoding,
) -> String {
    let Some(range) = change.range else {
        return change.text.clone();
    };
    let map = LineMap::new(text);
    let start = map.offset(text, range.start, encoding) as usize;
    let end = (map.offset(text, range.end, encoding) as usize).max(start);
    let mut out = String::with_capacity(text.len() + change.text.len());
    out.push_str(&text[..start]);
    out.push_str(&change.text);
    out.push_str(&text[end..]);
    out
}

/// A compiler diagnostic in the protocol's terms: the help follows the
/// message, labels in other files become related information.
pub(crate) fn to_lsp_diagnostic(
    diagnostic: &Diagnostic,
    map: &LineMap,
    text: &str,
    encoding: Encoding,
    locate: &dyn Fn(&str, TextRange) -> Option<Location>,
) -> lsp::Diagnostic {
    let mut message = diagnostic.message.clone();
    if let Some(help) = &diagnostic.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    let related: Vec<DiagnosticRelatedInformation> = diagnostic
        .labels
        .iter()
        .filter_map(|label| {
            Some(DiagnosticRelatedInformation {
                location: locate(&label.file, label.range)?,
                message: label.message.clone(),
            })
        })
        .collect();
    lsp::Diagnostic {
        range: map.range(text, diagnostic.range, encoding),
        severity: Some(match diagnostic.severity {
            Severity::Error => lsp::DiagnosticSeverity::ERROR,
            Severity::Warning => lsp::DiagnosticSeverity::WARNING,
        }),
        code: Some(NumberOrString::String(diagnostic.code.as_str().to_string())),
        // The code's entry in docs/diagnostics.md (the same link SARIF output gives).
        code_description: diagnostic
            .code
            .docs_url()
            .parse::<lsp::Uri>()
            .ok()
            .map(|href| lsp::CodeDescription { href }),
        source: Some("meshc".to_string()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        tags: None,
        data: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_round_trip_in_both_encodings() {
        let text = "select 'é€𝄞' as x\nfrom t\n";
        let map = LineMap::new(text);
        let from = text.find("from").unwrap() as u32;
        for encoding in [Encoding::Utf8, Encoding::Utf16] {
            let position = map.position(text, from, encoding);
            assert_eq!(position, Position::new(1, 0));
            assert_eq!(map.offset(text, position, encoding), from);
            let x = text.find(" as").unwrap() as u32;
            let position = map.position(text, x, encoding);
            assert_eq!(map.offset(text, position, encoding), x);
        }
        let x = text.find(" as").unwrap() as u32;
        assert_eq!(map.position(text, x, Encoding::Utf16).character, 13);
        assert_eq!(map.position(text, x, Encoding::Utf8).character, 18);
    }

    #[test]
    fn incremental_edits_apply() {
        let change = TextDocumentContentChangeEvent {
            range: Some(lsp::Range::new(Position::new(1, 5), Position::new(1, 6))),
            range_length: None,
            text: "orders".to_string(),
        };
        assert_eq!(
            apply_edit("select 1\nfrom t\n", &change, Encoding::Utf16),
            "select 1\nfrom orders\n"
        );
    }
}
