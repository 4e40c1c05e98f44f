//! Diagnostics shared by every layer of meshc.
//!
//! A [`Diagnostic`] is plain data: a stable [`Code`], a [`Severity`], the file it
//! points into, a primary byte range, a message, optional help and secondary labels.
//! Renderers (miette in the CLI, LSP in the server, JSON) live elsewhere.

mod codes;
mod line_index;

pub use codes::{Code, DIAGNOSTICS_DOCS_URL, Severity};
pub use line_index::LineIndex;

use std::sync::Arc;

/// A half-open byte range `start..end` into one file's text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
pub struct TextRange {
    pub start: u32,
    pub end: u32,
}

impl TextRange {
    pub fn new(start: u32, end: u32) -> TextRange {
        TextRange {
            start,
            end: end.max(start),
        }
    }

    pub fn empty(at: u32) -> TextRange {
        TextRange { start: at, end: at }
    }

    pub fn len(self) -> u32 {
        self.end - self.start
    }

    pub fn is_empty(self) -> bool {
        self.start == self.end
    }
}

/// A secondary location shown next to the primary one.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Label {
    /// Workspace-relative path of the file the label points into.
    pub file: Arc<str>,
    pub range: TextRange,
    pub message: String,
}

/// One finding of the compiler, the runner or the loader.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Diagnostic {
    pub code: Code,
    pub severity: Severity,
    /// Workspace-relative path (`orders/models/stg_orders.sql`); empty when the
    /// diagnostic concerns no file (for example a missing `mesh.yaml`).
    pub file: Arc<str>,
    pub range: TextRange,
    pub message: String,
    pub help: Option<String>,
    pub labels: Vec<Label>,
}

impl Diagnostic {
    /// A diagnostic with the default severity of its code.
    pub fn new(code: Code, file: Arc<str>, range: TextRange, message: impl Into<String>) -> Self {
        Diagnostic {
            code,
            severity: code.default_severity(),
            file,
            range,
            message: message.into(),
            help: None,
            labels: Vec::new(),
        }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn with_label(
        mut self,
        file: Arc<str>,
        range: TextRange,
        message: impl Into<String>,
    ) -> Self {
        self.labels.push(Label {
            file,
            range,
            message: message.into(),
        });
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// Sorts diagnostics by file, position and code, for stable output.
pub fn sort(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(|a, b| {
        (&a.file, a.range, a.code.as_str(), &a.message).cmp(&(
            &b.file,
            b.range,
            b.code.as_str(),
            &b.message,
        ))
    });
}

/// "did you mean" for unknown names: the closest candidate by edit distance,
/// if it is close enough to be a plausible typo.
pub fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let name_lower = name.to_ascii_lowercase();
    let mut best: Option<(usize, &'a str)> = None;
    for candidate in candidates {
        let distance = edit_distance(&name_lower, &candidate.to_ascii_lowercase());
        let limit = (name.len().max(candidate.len()) / 3).max(1);
        if distance <= limit && best.is_none_or(|(d, _)| distance < d) {
            best = Some((distance, candidate));
        }
    }
    best.map(|(_, c)| c)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != *cb);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        previous = current;
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn did_you_mean_finds_typos_only() {
        let names = ["stg_orders", "stg_customers", "stg_payments"];
        assert_eq!(did_you_mean("stg_order", names), Some("stg_orders"));
        assert_eq!(did_you_mean("STG_PAYMENT", names), Some("stg_payments"));
        assert_eq!(did_you_mean("revenue", names), None);
    }
}
