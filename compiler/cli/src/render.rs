//! Renders diagnostics: miette with source snippets for people, JSON for machines.

use std::fmt::Write as _;

use mesh_analysis::{Diagnostic, LineIndex, Severity};
use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteDiagnostic, NamedSource};

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
    let clamp = |offset: u32| (offset as usize).min(text.len());
    if source.is_some() && !diagnostic.file.is_empty() {
        let start = clamp(diagnostic.range.start);
        let end = clamp(diagnostic.range.end).max(start);
        let mut labels = vec![LabeledSpan::new_primary_with_span(
            None,
            (start, end - start),
        )];
        for label in diagnostic
            .labels
            .iter()
            .filter(|l| l.file == diagnostic.file)
        {
            let s = clamp(label.range.start);
            let e = clamp(label.range.end).max(s);
            labels.push(LabeledSpan::new_with_span(
                Some(label.message.clone()),
                (s, e - s),
            ));
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
    let named = NamedSource::new(&diagnostic.file, text.to_string());
    let with_source = miette::Report::new(report).with_source_code(named);
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
