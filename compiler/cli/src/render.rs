//! Renders diagnostics: miette with source snippets for people, JSON for machines.

use std::fmt::Write as _;

use mesh_analysis::{Diagnostic, LineIndex, Severity};
use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteDiagnostic, MietteError,
    MietteSpanContents, NamedSource, SourceCode, SourceSpan, SpanContents,
};

/// How diagnostics are printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    Color,
    Plain,
}

/// Renders one diagnostic with its source snippet. `source` is the text of the
/// file it points into (`None` when the file is unknown).
pub fn render(
    diagnostic: &Diagnostic,
    source: Option<&str>,
    style: Style,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> String {
    let mut help = diagnostic.help.clone().unwrap_or_default();
    for label in &diagnostic.labels {
        if label.file == diagnostic.file {
            continue;
        }
        let position = lookup(&label.file)
            .map(|text| {
                let (line, column) =
                    LineIndex::new(&text).line_col(&text, label.range.start.min(text.len() as u32));
                format!("{}:{line}:{column}", label.file)
            })
            .unwrap_or_else(|| label.file.to_string());
        if !help.is_empty() {
            help.push('\n');
        }
        let _ = write!(help, "{}: {position}", label.message);
    }
    let severity = match diagnostic.severity {
        Severity::Error => miette::Severity::Error,
        Severity::Warning => miette::Severity::Warning,
    };
    let mut report = MietteDiagnostic::new(diagnostic.message.clone())
        .with_code(format!(
            "{}({})",
            diagnostic.code.as_str(),
            diagnostic.code.name()
        ))
        .with_severity(severity);
    if !help.is_empty() {
        report = report.with_help(help);
    }
    let text = source.unwrap_or("");
    // Offsets past the end or inside a character are moved back to one.
    let clamp = |offset: u32| {
        let mut at = (offset as usize).min(text.len());
        while !text.is_char_boundary(at) {
            at -= 1;
        }
        at
    };
    let start = clamp(diagnostic.range.start);
    let end = clamp(diagnostic.range.end).max(start);
    // Everything miette would show: the primary span and the labels in this file.
    let shown = diagnostic
        .labels
        .iter()
        .filter(|l| l.file == diagnostic.file)
        .fold((start, end), |(s, e), l| {
            (s.min(clamp(l.range.start)), e.max(clamp(l.range.end)))
        });
    let window = Window::around(text, start, end, shown);
    if source.is_some() && !diagnostic.file.is_empty() {
        let mut labels = vec![LabeledSpan::new_primary_with_span(
            None,
            window.span(start, end).unwrap_or((0, 0)),
        )];
        let mut elsewhere = String::new();
        for label in diagnostic
            .labels
            .iter()
            .filter(|l| l.file == diagnostic.file)
        {
            let s = clamp(label.range.start);
            let e = clamp(label.range.end).max(s);
            match window.span(s, e) {
                Some(span) => labels.push(LabeledSpan::new_with_span(
                    Some(label.message.clone()),
                    span,
                )),
                None => {
                    let (line, column) = LineIndex::new(text).line_col(text, s as u32);
                    let _ = write!(
                        elsewhere,
                        "\n{}: {}:{line}:{column}",
                        label.message, label.file
                    );
                }
            }
        }
        if !elsewhere.is_empty() {
            let help = format!("{}{elsewhere}", report.help.take().unwrap_or_default());
            report = report.with_help(help.trim_start().to_string());
        }
        report = report.with_labels(labels);
    }
    let theme = match style {
        Style::Color => GraphicalTheme::unicode(),
        Style::Plain => GraphicalTheme::unicode_nocolor(),
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(100)
        .with_links(false);
    let mut out = String::new();
    let with_source = match window.clipped {
        None => miette::Report::new(report)
            .with_source_code(NamedSource::new(&diagnostic.file, text.to_string())),
        Some(clipped) => miette::Report::new(report).with_source_code(Clipped {
            name: diagnostic.file.to_string(),
            ..clipped
        }),
    };
    if handler
        .render_report(&mut out, with_source.as_ref())
        .is_err()
    {
        out = format!(
            "{}[{}]: {}\n",
            diagnostic.severity.as_str(),
            diagnostic.code.as_str(),
            diagnostic.message
        );
    }
    out
}

/// A line longer than this many bytes is shown clipped around the span: a
/// minified file's one line is unreadable whole, and miette panics on columns
/// past 65,535.
const MAX_SNIPPET_LINE: usize = 400;

/// How many bytes of a clipped line are kept on each side of the span, and
/// of a long span itself.
const CLIP_CONTEXT: usize = 120;

/// The part of the source a snippet shows: all of it, or one clipped line.
struct Window {
    /// Byte range of the source the snippet covers; `None` when it is the whole source.
    clipped: Option<Clipped>,
    range: (usize, usize),
    /// Bytes the clipped text has before the source's `range.0` (the `…`).
    shift: usize,
}

/// One clipped line as miette's source, with its real line and column.
struct Clipped {
    name: String,
    text: String,
    line: usize,
    column: usize,
}

impl SourceCode for Clipped {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        _context_lines_before: usize,
        _context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let inner = self.text.read_span(span, 0, 0)?;
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            *inner.span(),
            self.line,
            self.column + inner.column(),
            1,
        )))
    }
}

impl Window {
    /// The whole text, or the line holding `start` clipped to about
    /// `CLIP_CONTEXT` bytes around `start..end` when a line miette would show
    /// for `shown` (a byte range) is long.
    fn around(text: &str, start: usize, end: usize, shown: (usize, usize)) -> Window {
        let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
        let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
        // miette shows every line of the span and one line of context on each side.
        let first_line = text[..shown.0].rfind('\n').map_or(0, |i| i + 1);
        let shown_start = text[..first_line.saturating_sub(1)]
            .rfind('\n')
            .map_or(0, |i| i + 1);
        let shown_end = text[shown.1..]
            .match_indices('\n')
            .nth(1)
            .map_or(text.len(), |(i, _)| shown.1 + i);
        if text[shown_start..shown_end]
            .split('\n')
            .all(|line| line.len() <= MAX_SNIPPET_LINE)
        {
            return Window {
                clipped: None,
                range: (0, text.len()),
                shift: 0,
            };
        }
        let floor = |mut at: usize| {
            while !text.is_char_boundary(at) {
                at -= 1;
            }
            at
        };
        let from = floor(start.saturating_sub(CLIP_CONTEXT).max(line_start));
        let span_end = end.min(start + CLIP_CONTEXT).min(line_end);
        let to = floor((span_end + CLIP_CONTEXT).min(line_end));
        let prefix = if from > line_start { "…" } else { "" };
        let suffix = if to < line_end { "…" } else { "" };
        let (line, column) = LineIndex::new(text).line_col(text, from as u32);
        Window {
            clipped: Some(Clipped {
                name: String::new(),
                text: format!("{prefix}{}{suffix}", &text[from..to]),
                line: line as usize - 1,
                column: (column as usize - 1).saturating_sub(prefix.len()),
            }),
            range: (from, to),
            shift: prefix.len(),
        }
    }

    /// `start..end` of the source as an (offset, length) span of the
    /// snippet's text, cut to the window; `None` when it lies outside.
    fn span(&self, start: usize, end: usize) -> Option<(usize, usize)> {
        let (from, to) = self.range;
        if start < from || start > to {
            return None;
        }
        let end = end.min(to);
        Some((start - from + self.shift, end - start))
    }
}

/// One diagnostic as a JSON object with 1-based line/column positions.
pub fn to_json(diagnostic: &Diagnostic, source: Option<&str>) -> serde_json::Value {
    let position = |offset: u32| -> Option<(u32, u32)> {
        let text = source?;
        let offset = offset.min(text.len() as u32);
        Some(LineIndex::new(text).line_col(text, offset))
    };
    let (line, column) = position(diagnostic.range.start).unwrap_or((0, 0));
    let (end_line, end_column) = position(diagnostic.range.end).unwrap_or((0, 0));
    serde_json::json!({
        "code": diagnostic.code.as_str(),
        "name": diagnostic.code.name(),
        "severity": diagnostic.severity.as_str(),
        "file": &*diagnostic.file,
        "line": line,
        "column": column,
        "end_line": end_line,
        "end_column": end_column,
        "start": diagnostic.range.start,
        "end": diagnostic.range.end,
        "message": diagnostic.message,
        "help": diagnostic.help,
        "labels": diagnostic.labels.iter().map(|l| serde_json::json!({
            "file": &*l.file, "start": l.range.start, "end": l.range.end, "message": l.message
        })).collect::<Vec<_>>(),
    })
}
