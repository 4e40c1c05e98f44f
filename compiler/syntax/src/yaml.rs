//! YAML with spans: a thin layer over marked-yaml that turns its markers into
//! byte ranges and its errors into diagnostics.

use std::sync::Arc;

use marked_yaml::{LoaderOptions, Marker};
use mesh_diagnostics::{Code, Diagnostic, LineIndex, TextRange};
use serde::de::DeserializeOwned;

/// A value together with the byte range it was read from. Serializable for
/// meshc's check cache (not the YAML form: that is read with positions).
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct Spanned<T> {
    pub value: T,
    #[serde(with = "range_pair")]
    pub range: TextRange,
}

/// A [`TextRange`] as `(start, end)` (mesh-diagnostics has no serde).
mod range_pair {
    use mesh_diagnostics::TextRange;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub(super) fn serialize<S: Serializer>(range: &TextRange, s: S) -> Result<S::Ok, S::Error> {
        (range.start, range.end).serialize(s)
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<TextRange, D::Error> {
        let (start, end) = <(u32, u32)>::deserialize(d)?;
        Ok(TextRange::new(start, end))
    }
}

impl<T> Spanned<T> {
    pub fn new(value: T, range: TextRange) -> Self {
        Spanned { value, range }
    }
}

/// Converts marked-yaml positions of one file into byte ranges.
pub(crate) struct Positions<'a> {
    text: &'a str,
    index: LineIndex,
}

impl<'a> Positions<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        Positions {
            text,
            index: LineIndex::yaml(text),
        }
    }

    /// The whole text of the file.
    pub(crate) fn text(&self) -> &'a str {
        self.text
    }

    fn offset(&self, marker: &Marker) -> u32 {
        self.index
            .offset(self.text, marker.line() as u64, marker.column() as u64)
    }

    /// The range of a marked value. Scalars often carry only a start marker; the
    /// range then runs to the end of the scalar's text on that line.
    pub(crate) fn range(&self, span: &marked_yaml::Span) -> TextRange {
        let Some(start) = span.start() else {
            return TextRange::empty(0);
        };
        let start_offset = self.offset(start);
        let end_offset = match span.end() {
            Some(end) => self.offset(end),
            None => {
                let rest = &self.text[start_offset as usize..];
                let line_end = rest.find(['\n', '\r']).unwrap_or(rest.len());
                let line = rest[..line_end].trim_end();
                let line = match line.find(" #") {
                    Some(comment) => line[..comment].trim_end(),
                    None => line,
                };
                // Inside flow mappings (`{ a: 1, b: 2 }`) the scalar stops at `,` or `}`.
                let scalar_end = if line.starts_with('"') || line.starts_with('\'') {
                    let quote = &line[..1];
                    line[1..].find(quote).map(|i| i + 2).unwrap_or(line.len())
                } else {
                    line.find([',', '}', ']']).unwrap_or(line.len())
                };
                start_offset + line[..scalar_end].trim_end().len() as u32
            }
        };
        TextRange::new(start_offset, end_offset)
    }

    pub(crate) fn spanned<T: Clone>(&self, value: &marked_yaml::Spanned<T>) -> Spanned<T> {
        Spanned::new((**value).clone(), self.range(value.span()))
    }
}

/// Parses a semver version written in YAML; a bad one becomes MESH0207 at its span.
/// `what` prefixes the message (`""` or `"contract version "`).
pub(crate) fn parse_version(
    file: &Arc<str>,
    value: &Spanned<String>,
    what: &str,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Spanned<semver::Version>> {
    match semver::Version::parse(value.value.trim()) {
        Ok(version) => Some(Spanned::new(version, value.range)),
        Err(error) => {
            diagnostics.push(
                Diagnostic::new(
                    Code::InvalidVersion,
                    file.clone(),
                    value.range,
                    format!("{what}`{}` is not a semver version: {error}", value.value),
                )
                .with_help("write MAJOR.MINOR.PATCH, for example `1.0.0`"),
            );
            None
        }
    }
}

/// Deserializes a YAML document into `T`, turning every failure into a
/// diagnostic at the position marked-yaml reports.
pub(crate) fn deserialize<T: DeserializeOwned>(
    file: &Arc<str>,
    text: &str,
    positions: &Positions<'_>,
    what: &str,
) -> (Option<T>, Vec<Diagnostic>) {
    if text.trim().is_empty() {
        let diagnostic = Diagnostic::new(
            Code::InvalidConfig,
            file.clone(),
            TextRange::empty(0),
            format!("the {what} is empty"),
        )
        .with_help("see docs/workspace-format.md for the keys it needs");
        return (None, vec![diagnostic]);
    }
    if let Some(at) = nesting_beyond_limit(text, positions) {
        let diagnostic = Diagnostic::new(
            Code::YamlTooDeep,
            file.clone(),
            TextRange::new(at, next_char_end(text, at)),
            format!(
                "the {what} nests mappings or sequences deeper than the limit of {MAX_YAML_DEPTH} levels"
            ),
        )
        .with_help("no meshc file needs more than a few levels; see docs/workspace-format.md for its shape");
        return (None, vec![diagnostic]);
    }
    let options = LoaderOptions::default().error_on_duplicate_keys(true);
    let mut node = match marked_yaml::parse_yaml_with_options(0, text, options) {
        Ok(node) => node,
        Err(error) => {
            let marker = load_error_marker(&error);
            let at = marker.map(|m| positions.offset(&m)).unwrap_or(0);
            let message = strip_marker_prefix(&error.to_string());
            let diagnostic = Diagnostic::new(
                Code::YamlSyntax,
                file.clone(),
                TextRange::new(at, next_char_end(text, at)),
                format!("invalid YAML in the {what}: {message}"),
            )
            .with_help("check indentation (spaces, not tabs), quotes and `key: value` pairs");
            return (None, vec![diagnostic]);
        }
    };
    // An unknown key is reported and dropped, and the rest of the file is read:
    // one typo must not take the whole file (and everything it declares) away.
    let mut diagnostics = Vec::new();
    // Where entries were dropped: the start of each mapping that lost one.
    let mut emptied: Vec<Marker> = Vec::new();
    loop {
        let error = match marked_yaml::from_node::<T>(&node) {
            Ok(value) => return (Some(value), diagnostics),
            Err(error) => error,
        };
        if let marked_yaml::Error::UnknownFieldError(field, expected, span) = &*error
            && let Some(start) = span.start().copied()
            && diagnostics.len() < 64
            && remove_key_at(&mut node, &start)
        {
            let at = positions.offset(&start);
            let mut diagnostic = Diagnostic::new(
                Code::InvalidConfig,
                file.clone(),
                TextRange::new(at, at + field.len() as u32),
                format!("unknown key `{field}` in the {what}"),
            );
            diagnostic = match mesh_diagnostics::did_you_mean(field, expected.iter().copied()) {
                Some(close) => diagnostic.with_help(format!("did you mean `{close}`?")),
                None => diagnostic.with_help(format!(
                    "expected one of {}; see docs/workspace-format.md",
                    expected
                        .iter()
                        .map(|k| format!("`{k}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )),
            };
            diagnostics.push(diagnostic);
            continue;
        }
        // A value of the wrong shape is reported and its entry dropped, and
        // the rest is read again: every wrong value in the file is reported
        // at once. A required key dropped that way is not reported again as
        // missing.
        let start = error.start_mark();
        let missing =
            matches!(&*error, marked_yaml::Error::Other(m, _) if m.starts_with("missing field"));
        let already_reported = missing && start.is_some_and(|s| emptied.contains(&s));
        // The error's position is that of the value only when its whole path
        // is known: serde cannot name a key that is itself marked (`models.?`),
        // and the position is then that of the mapping, so nothing is dropped
        // and reading stops here.
        let precise = error.path().is_some_and(|path| !path.contains('?'));
        let removed = match start {
            Some(start) if precise && diagnostics.len() < 64 => remove_node_at(&mut node, &start),
            _ => None,
        };
        if already_reported {
            if let Some(parent) = removed {
                emptied.push(parent);
                continue;
            }
            return (None, diagnostics);
        }
        let range = error
            .start_mark()
            .map(|m| {
                let at = positions.offset(&m);
                positions
                    .range(&marked_yaml::Span::new_start(m))
                    .max_with(at)
            })
            .unwrap_or_else(|| TextRange::empty(0));
        // In the user's terms: YAML has keys, not fields.
        let detail = (*error)
            .to_string()
            .replace("missing field", "missing required key");
        let message = match error.path() {
            Some(path) => format!("at `{path}`: {detail}"),
            None => detail,
        };
        diagnostics.push(
            Diagnostic::new(
                Code::InvalidConfig,
                file.clone(),
                range,
                format!("unexpected shape of the {what}: {message}"),
            )
            .with_help("see docs/workspace-format.md for every key and its type"),
        );
        match removed {
            Some(parent) => emptied.push(parent),
            None => return (None, diagnostics),
        }
    }
}

/// How deep mappings and sequences may nest in a YAML file. Loading,
/// deserializing and dropping a YAML tree recurse once per level; meshc's
/// files need at most five or six.
pub const MAX_YAML_DEPTH: usize = 64;

/// Where the text first nests deeper than [`MAX_YAML_DEPTH`], found with
/// yaml-rust2's event parser (a state machine: no recursion). `None` when it
/// does not, or when the text does not scan (marked-yaml then reports that).
fn nesting_beyond_limit(text: &str, positions: &Positions<'_>) -> Option<u32> {
    use yaml_rust2::parser::{Event, Parser};
    let mut parser = Parser::new_from_str(text);
    let mut depth = 0usize;
    loop {
        let (event, marker) = parser.next_token().ok()?;
        match event {
            Event::MappingStart(..) | Event::SequenceStart(..) => {
                depth += 1;
                if depth > MAX_YAML_DEPTH {
                    return Some(positions.index.offset(
                        text,
                        marker.line() as u64,
                        marker.col() as u64 + 1,
                    ));
                }
            }
            Event::MappingEnd | Event::SequenceEnd => depth = depth.saturating_sub(1),
            Event::StreamEnd => return None,
            _ => {}
        }
    }
}

/// Removes the mapping entry whose key starts at `start`; false when none does.
fn remove_key_at(node: &mut marked_yaml::Node, start: &Marker) -> bool {
    match node {
        marked_yaml::Node::Mapping(map) => {
            let before = map.len();
            map.retain(|key, _| key.span().start() != Some(start));
            before != map.len() || map.values_mut().any(|value| remove_key_at(value, start))
        }
        marked_yaml::Node::Sequence(items) => {
            items.iter_mut().any(|item| remove_key_at(item, start))
        }
        marked_yaml::Node::Scalar(_) => false,
    }
}

/// Removes the mapping entry whose key or value starts at `start`, or the
/// sequence item that does, and returns where its mapping or sequence starts;
/// `None` when nothing starts there (the whole document, say).
fn remove_node_at(node: &mut marked_yaml::Node, start: &Marker) -> Option<Marker> {
    match node {
        marked_yaml::Node::Mapping(map) => {
            let before = map.len();
            map.retain(|key, value| {
                key.span().start() != Some(start) && value.span().start() != Some(start)
            });
            if before != map.len() {
                return map.span().start().copied();
            }
            map.values_mut()
                .find_map(|value| remove_node_at(value, start))
        }
        marked_yaml::Node::Sequence(items) => {
            let before = items.len();
            items.retain(|item| item.span().start() != Some(start));
            if before != items.len() {
                return items.span().start().copied();
            }
            items
                .iter_mut()
                .find_map(|item| remove_node_at(item, start))
        }
        marked_yaml::Node::Scalar(_) => None,
    }
}

trait MaxWith {
    fn max_with(self, at: u32) -> TextRange;
}

impl MaxWith for TextRange {
    fn max_with(self, at: u32) -> TextRange {
        if self.is_empty() {
            TextRange::new(at, at)
        } else {
            self
        }
    }
}

fn load_error_marker(error: &marked_yaml::LoadError) -> Option<Marker> {
    use marked_yaml::LoadError::*;
    match error {
        TopLevelMustBeMapping(m)
        | TopLevelMustBeSequence(m)
        | UnexpectedAnchor(m)
        | MappingKeyMustBeScalar(m)
        | UnexpectedTag(m)
        | ScanError(m, _) => Some(*m),
        DuplicateKey(inner) => inner.key.span().start().copied(),
    }
}

/// marked-yaml prefixes messages with `line:column: `; the diagnostic has the span.
fn strip_marker_prefix(message: &str) -> String {
    let mut parts = message.splitn(3, ':');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(a), Some(b), Some(rest))
            if a.trim().chars().all(|c| c.is_ascii_digit())
                && b.trim().chars().all(|c| c.is_ascii_digit()) =>
        {
            rest.trim().to_string()
        }
        _ => message.to_string(),
    }
}

fn next_char_end(text: &str, at: u32) -> u32 {
    text.get(at as usize..)
        .and_then(|rest| rest.chars().next())
        .map(|c| at + c.len_utf8() as u32)
        .unwrap_or(at)
}
