//! Printing diagnostics of one or more workspaces in every `--format`:
//! human (miette, stderr), short (one line each, for hooks), JSON, SARIF 2.1.0
//! (code scanning) and GitHub workflow commands (pull-request annotations).
//!
//! Every machine format places a diagnostic the same way: the file's path
//! relative to the current directory (so hook output is clickable and CI
//! paths are relative to the checkout), 1-based lines and columns counted in
//! characters, the end exclusive.

use std::io::Write as _;
use std::path::{Component, Path, PathBuf};

use mesh_analysis::{Code, Diagnostic, LineIndex, Severity, TextRange};
use serde::Serialize;

use crate::render::to_json;
use crate::session::Session;

/// What `meshc check --format` and `meshc diff --format` accept.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ReportFormat {
    /// Source snippets with labels and help (stderr).
    #[default]
    Human,
    /// `path:line:col: severity[CODE] message`, one line each (stdout).
    Short,
    /// A JSON array of diagnostics (stdout).
    Json,
    /// A SARIF 2.1.0 log for code scanning (stdout).
    Sarif,
    /// GitHub Actions workflow commands: annotations on the pull request (stdout).
    Github,
}

/// The diagnostics of one workspace, with the session that knows its files.
pub(crate) struct Found<'a> {
    pub session: &'a Session,
    pub diagnostics: Vec<Diagnostic>,
}

/// A range of a file, placed for printing.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Place {
    /// Relative to the current directory, `/`-separated (absolute when the
    /// file is not under it).
    path: String,
    /// 1-based (line, column); `None` when the file's text is unknown.
    span: Option<((u32, u32), (u32, u32))>,
}

/// Prints every workspace's diagnostics as one document of `format`.
pub(crate) fn print(format: ReportFormat, found: &[Found<'_>]) {
    let out = match format {
        ReportFormat::Human => {
            let text: String = found
                .iter()
                .map(|f| f.session.render_human(&f.diagnostics))
                .collect();
            let _ = std::io::stderr().write_all(text.as_bytes());
            return;
        }
        ReportFormat::Short => short(found),
        ReportFormat::Json => json(found),
        ReportFormat::Sarif => sarif(found),
        ReportFormat::Github => github(found),
    };
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(out.as_bytes());
    let _ = stdout.flush();
}

/// What a format prints when no file given belongs to a workspace: the
/// empty document for the formats that are files (an upload step still finds
/// valid JSON or SARIF), nothing for the others.
pub(crate) fn print_empty(format: ReportFormat) {
    if matches!(format, ReportFormat::Json | ReportFormat::Sarif) {
        print(format, &[]);
    }
}

fn place(session: &Session, cwd: Option<&Path>, file: &str, range: TextRange) -> Place {
    let path = relative_to(&session.root.join(file), cwd);
    let span = session.text_of(file).map(|text| {
        let index = LineIndex::new(&text);
        let at = |offset: u32| index.line_col(&text, clamp(&text, offset));
        (at(range.start), at(range.end.max(range.start)))
    });
    Place { path, span }
}

/// An offset moved into the text and back onto a character boundary.
fn clamp(text: &str, offset: u32) -> u32 {
    let mut at = (offset as usize).min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at as u32
}

/// A path as the formats show it: relative to the current directory.
pub(crate) fn display_path(path: &Path) -> String {
    relative_to(path, current_dir().as_deref())
}

/// The workspace itself, for diagnostics that concern no file.
fn workspace_path(session: &Session, cwd: Option<&Path>) -> String {
    relative_to(&session.root, cwd)
}

fn current_dir() -> Option<PathBuf> {
    std::env::current_dir()
        .ok()
        .map(|d| std::fs::canonicalize(&d).unwrap_or(d))
}

/// `path` relative to `base` (with `..` where needed), `/`-separated; the
/// path as it is when either is unknown. `.` for the base itself.
fn relative_to(path: &Path, base: Option<&Path>) -> String {
    let absolute = if path.is_absolute() {
        path.to_path_buf()
    } else {
        match std::env::current_dir() {
            Ok(dir) => dir.join(path),
            Err(_) => return slashed(path),
        }
    };
    // Canonicalize the longest existing prefix, so a symlinked checkout and a
    // file deleted since loading still compare with the canonical cwd.
    let absolute = canonical_prefix(&absolute);
    let Some(base) = base else {
        return slashed(&absolute);
    };
    let ours: Vec<Component> = absolute.components().collect();
    let theirs: Vec<Component> = base.components().collect();
    let common = ours.iter().zip(&theirs).take_while(|(a, b)| a == b).count();
    // Only the root in common: a path elsewhere on the machine reads better absolute.
    if common <= 1 {
        return slashed(&absolute);
    }
    let mut relative = PathBuf::new();
    for _ in common..theirs.len() {
        relative.push("..");
    }
    for component in &ours[common..] {
        relative.push(component.as_os_str());
    }
    if relative.as_os_str().is_empty() {
        ".".to_string()
    } else {
        slashed(&relative)
    }
}

fn canonical_prefix(path: &Path) -> PathBuf {
    let mut rest = Vec::new();
    let mut head = path.to_path_buf();
    loop {
        if let Ok(canonical) = std::fs::canonicalize(&head) {
            let mut out = canonical;
            for part in rest.iter().rev() {
                out.push(part);
            }
            return out;
        }
        match (head.file_name().map(|n| n.to_os_string()), head.parent()) {
            (Some(name), Some(parent)) => {
                rest.push(name);
                head = parent.to_path_buf();
            }
            _ => return path.to_path_buf(),
        }
    }
}

fn slashed(path: &Path) -> String {
    let text = path.to_string_lossy();
    if std::path::MAIN_SEPARATOR == '/' {
        text.into_owned()
    } else {
        text.replace(std::path::MAIN_SEPARATOR, "/")
    }
}

/// A message on one line: line breaks become spaces.
fn one_line(text: &str) -> String {
    text.split(['\r', '\n'])
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Each diagnostic with where it points.
fn placed<'a>(found: &'a [Found<'a>]) -> Vec<(&'a Session, &'a Diagnostic, Option<Place>)> {
    let cwd = current_dir();
    let mut out = Vec::new();
    for f in found {
        for d in &f.diagnostics {
            let place =
                (!d.file.is_empty()).then(|| place(f.session, cwd.as_deref(), &d.file, d.range));
            out.push((f.session, d, place));
        }
    }
    out
}

/// `path:line:col: severity[CODE] message`.
fn short(found: &[Found<'_>]) -> String {
    let cwd = current_dir();
    let mut out = String::new();
    for (session, d, place) in placed(found) {
        let location = match place {
            Some(Place {
                path,
                span: Some(((line, column), _)),
            }) => format!("{path}:{line}:{column}"),
            Some(Place { path, span: None }) => path,
            None => workspace_path(session, cwd.as_deref()),
        };
        out.push_str(&format!(
            "{location}: {}[{}] {}\n",
            d.severity.as_str(),
            d.code.as_str(),
            one_line(&d.message)
        ));
    }
    out
}

/// The JSON array `meshc check --format json` has always printed (with
/// workspace-relative files), over every workspace.
fn json(found: &[Found<'_>]) -> String {
    let items: Vec<serde_json::Value> = found
        .iter()
        .flat_map(|f| {
            f.diagnostics
                .iter()
                .map(|d| to_json(d, f.session.text_of(&d.file).as_deref()))
        })
        .collect();
    format!(
        "{}\n",
        serde_json::to_string_pretty(&items).unwrap_or_else(|_| "[]".to_string())
    )
}

/// A workflow command's data: `%`, CR and LF escaped (what the runner decodes).
fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A workflow command's property value: also `:` and `,`, which separate properties.
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

/// `::error file=…,line=…,col=…,endLine=…,endColumn=…,title=CODE::message`,
/// the message followed by its help, labels elsewhere and the code's page.
fn github(found: &[Found<'_>]) -> String {
    let cwd = current_dir();
    let mut out = String::new();
    for (session, d, place) in placed(found) {
        let command = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let mut properties = Vec::new();
        if let Some(place) = &place {
            properties.push(format!("file={}", escape_property(&place.path)));
            if let Some(((line, column), (end_line, end_column))) = place.span {
                properties.push(format!("line={line}"));
                properties.push(format!("col={column}"));
                properties.push(format!("endLine={end_line}"));
                properties.push(format!("endColumn={end_column}"));
            }
        }
        properties.push(format!("title={}", escape_property(d.code.as_str())));
        let mut message = d.message.clone();
        if let Some(help) = &d.help {
            message.push_str("\nhelp: ");
            message.push_str(help);
        }
        for label in &d.labels {
            let at = place_text(&self::place(
                session,
                cwd.as_deref(),
                &label.file,
                label.range,
            ));
            message.push_str(&format!("\n{}: {at}", label.message));
        }
        message.push_str(&format!("\nsee {}", d.code.docs_url()));
        out.push_str(&format!(
            "::{command} {}::{}\n",
            properties.join(","),
            escape_data(&message)
        ));
    }
    out
}

fn place_text(place: &Place) -> String {
    match place.span {
        Some(((line, column), _)) => format!("{}:{line}:{column}", place.path),
        None => place.path.clone(),
    }
}

// SARIF 2.1.0: only the objects and properties meshc fills in (the test
// validates the output against the official schema).

/// The URI of the official schema, as its `id` gives it.
const SARIF_SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/// The base id that result paths are relative to: the current directory.
const SRCROOT: &str = "%SRCROOT%";

#[derive(Serialize)]
struct SarifLog {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: Vec<SarifRun>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifRun {
    tool: SarifTool,
    #[serde(skip_serializing_if = "Option::is_none")]
    original_uri_base_ids: Option<std::collections::BTreeMap<&'static str, SarifArtifactLocation>>,
    /// LineIndex counts characters, not UTF-16 units.
    column_kind: &'static str,
    results: Vec<SarifResult>,
}

#[derive(Serialize)]
struct SarifTool {
    driver: SarifDriver,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifDriver {
    name: &'static str,
    version: &'static str,
    semantic_version: &'static str,
    rules: Vec<SarifRule>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifRule {
    id: &'static str,
    name: &'static str,
    short_description: SarifText,
    full_description: SarifText,
    help_uri: String,
    default_configuration: SarifConfiguration,
}

#[derive(Serialize)]
struct SarifConfiguration {
    level: &'static str,
}

#[derive(Serialize)]
struct SarifText {
    text: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult {
    rule_id: &'static str,
    rule_index: usize,
    level: &'static str,
    message: SarifText,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    locations: Vec<SarifLocation>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<SarifLocation>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifLocation {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<usize>,
    physical_location: SarifPhysicalLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<SarifText>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifPhysicalLocation {
    artifact_location: SarifArtifactLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<SarifRegion>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifArtifactLocation {
    uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    uri_base_id: Option<&'static str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifRegion {
    start_line: u32,
    start_column: u32,
    end_line: u32,
    end_column: u32,
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

/// The first sentence of a code's documentation.
fn first_sentence(doc: &str) -> String {
    match doc.find(". ") {
        Some(end) => doc[..=end].to_string(),
        None => doc.to_string(),
    }
}

/// Percent-encodes what a URI path may not hold as it is.
fn uri_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/!$&'()*+,;=@".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

fn artifact(path: &str) -> SarifArtifactLocation {
    if path.starts_with('/') {
        SarifArtifactLocation {
            uri: format!("file://{}", uri_path(path)),
            uri_base_id: None,
        }
    } else {
        SarifArtifactLocation {
            uri: uri_path(path),
            uri_base_id: Some(SRCROOT),
        }
    }
}

fn sarif_location(place: Place, id: Option<usize>, message: Option<String>) -> SarifLocation {
    SarifLocation {
        id,
        physical_location: SarifPhysicalLocation {
            artifact_location: artifact(&place.path),
            region: place
                .span
                .map(
                    |((start_line, start_column), (end_line, end_column))| SarifRegion {
                        start_line,
                        start_column,
                        end_line,
                        end_column,
                    },
                ),
        },
        message: message.map(|text| SarifText { text }),
    }
}

/// One run of meshc: the rules of the codes found, one result per diagnostic.
fn sarif(found: &[Found<'_>]) -> String {
    let cwd = current_dir();
    let mut codes: Vec<Code> = found
        .iter()
        .flat_map(|f| f.diagnostics.iter().map(|d| d.code))
        .collect();
    codes.sort();
    codes.dedup();
    let rules = codes
        .iter()
        .map(|code| SarifRule {
            id: code.as_str(),
            name: code.name(),
            short_description: SarifText {
                text: first_sentence(code.doc()),
            },
            full_description: SarifText {
                text: code.doc().to_string(),
            },
            help_uri: code.docs_url(),
            default_configuration: SarifConfiguration {
                level: level(code.default_severity()),
            },
        })
        .collect();
    let mut results = Vec::new();
    for (session, d, place) in placed(found) {
        let mut text = d.message.clone();
        if let Some(help) = &d.help {
            text.push_str("\nhelp: ");
            text.push_str(help);
        }
        let locations = vec![sarif_location(
            place.unwrap_or_else(|| Place {
                path: workspace_path(session, cwd.as_deref()),
                span: None,
            }),
            None,
            None,
        )];
        let related_locations = d
            .labels
            .iter()
            .enumerate()
            .map(|(i, label)| {
                sarif_location(
                    self::place(session, cwd.as_deref(), &label.file, label.range),
                    Some(i + 1),
                    Some(label.message.clone()),
                )
            })
            .collect();
        results.push(SarifResult {
            rule_id: d.code.as_str(),
            rule_index: codes.binary_search(&d.code).unwrap_or_default(),
            level: level(d.severity),
            message: SarifText { text },
            locations,
            related_locations,
        });
    }
    let original_uri_base_ids = cwd.as_deref().map(|dir| {
        let mut uri = format!("file://{}", uri_path(&slashed(dir)));
        if !uri.ends_with('/') {
            uri.push('/');
        }
        std::collections::BTreeMap::from([(
            SRCROOT,
            SarifArtifactLocation {
                uri,
                uri_base_id: None,
            },
        )])
    });
    let log = SarifLog {
        schema: SARIF_SCHEMA,
        version: "2.1.0",
        runs: vec![SarifRun {
            tool: SarifTool {
                driver: SarifDriver {
                    name: "meshc",
                    version: env!("CARGO_PKG_VERSION"),
                    semantic_version: env!("CARGO_PKG_VERSION"),
                    rules,
                },
            },
            original_uri_base_ids,
            column_kind: "unicodeCodePoints",
            results,
        }],
    };
    format!(
        "{}\n",
        serde_json::to_string_pretty(&log).unwrap_or_else(|_| "{}".to_string())
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workflow_command_escaping() {
        assert_eq!(escape_data("50% done\r\nnext"), "50%25 done%0D%0Anext");
        assert_eq!(escape_property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
    }

    #[test]
    fn paths_relative_to_a_base() {
        let base = Path::new("/repo/sub");
        assert_eq!(
            relative_to(Path::new("/repo/sub/a/b.sql"), Some(base)),
            "a/b.sql"
        );
        assert_eq!(
            relative_to(Path::new("/repo/other/c.sql"), Some(base)),
            "../other/c.sql"
        );
        assert_eq!(relative_to(Path::new("/repo/sub"), Some(base)), ".");
        assert_eq!(
            relative_to(Path::new("/elsewhere/x"), Some(base)),
            "/elsewhere/x"
        );
    }

    #[test]
    fn uri_paths_are_encoded() {
        assert_eq!(uri_path("a b/c%d#e.sql"), "a%20b/c%25d%23e.sql");
        assert_eq!(uri_path("é"), "%C3%A9");
    }

    #[test]
    fn short_descriptions_are_one_sentence() {
        assert_eq!(first_sentence("One. Two. Three."), "One.");
        assert_eq!(first_sentence("No full stop"), "No full stop");
    }
}
