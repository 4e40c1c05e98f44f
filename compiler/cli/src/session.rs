//! Loading a workspace from disk into an analysis host, and printing.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use mesh_analysis::{AnalysisHost, Diagnostic};

use crate::render::{Style, render, to_json};
use crate::{ColorChoice, DiagnosticFormat, GlobalArgs};

/// A loaded workspace.
pub struct Session {
    pub root: PathBuf,
    pub host: AnalysisHost,
    pub quiet: bool,
    pub style: Style,
}

impl Session {
    /// Finds and loads the workspace; `Err` carries the message for exit code 2.
    pub fn load(global: &GlobalArgs) -> Result<Session, String> {
        let start = match &global.workspace {
            Some(path) => path.clone(),
            None => std::env::current_dir()
                .map_err(|e| format!("cannot read the current directory: {e}"))?,
        };
        if !start.is_dir() {
            return Err(format!(
                "workspace directory {} does not exist",
                start.display()
            ));
        }
        let root = match &global.workspace {
            Some(path) => path.clone(),
            None => mesh_workspace::find_root(&start).ok_or_else(|| {
                format!(
                    "no mesh.yaml in {} or any parent directory; run `meshc init` or pass --workspace DIR",
                    start.display()
                )
            })?,
        };
        Ok(Session::open(&root, global.quiet, style(global.color)))
    }

    /// Loads `root` without searching upwards.
    pub fn open(root: &Path, quiet: bool, style: Style) -> Session {
        let mut host = AnalysisHost::new();
        let (change, _) = mesh_workspace::load(root, &[]);
        host.apply_change(change);
        Session {
            root: root.to_path_buf(),
            host,
            quiet,
            style,
        }
    }

    /// Prints progress to stderr unless `--quiet`.
    pub fn progress(&self, line: &str) {
        if !self.quiet {
            eprintln!("{line}");
        }
    }

    fn text_of(&self, file: &str) -> Option<String> {
        if file.is_empty() {
            return None;
        }
        self.host
            .file_text(file)
            .map(str::to_string)
            .or_else(|| std::fs::read_to_string(self.root.join(file)).ok())
    }

    /// Renders diagnostics the way people read them.
    pub fn render_human(&self, diagnostics: &[Diagnostic]) -> String {
        let lookup = |file: &str| self.text_of(file);
        diagnostics
            .iter()
            .map(|d| render(d, self.text_of(&d.file).as_deref(), self.style, &lookup))
            .collect::<Vec<_>>()
            .join("")
    }

    /// Prints diagnostics in the chosen format (human to stderr, JSON to stdout).
    pub fn print_diagnostics(&self, diagnostics: &[Diagnostic], format: DiagnosticFormat) {
        match format {
            DiagnosticFormat::Human => {
                let text = self.render_human(diagnostics);
                let _ = std::io::stderr().write_all(text.as_bytes());
            }
            DiagnosticFormat::Json => {
                let items: Vec<_> = diagnostics
                    .iter()
                    .map(|d| to_json(d, self.text_of(&d.file).as_deref()))
                    .collect();
                println!(
                    "{}",
                    serde_json::to_string_pretty(&items).unwrap_or_else(|_| "[]".to_string())
                );
            }
        }
    }
}

/// Loads the workspace for a command; when it cannot be found, prints why and
/// returns the usage outcome (exit code 2).
pub(crate) fn open_workspace(global: &GlobalArgs) -> Result<Session, crate::Outcome> {
    Session::load(global).map_err(|message| {
        eprintln!("error: {message}");
        crate::Outcome::Usage
    })
}

/// Colors only on a terminal, unless forced.
pub(crate) fn style(choice: ColorChoice) -> Style {
    match choice {
        ColorChoice::Always => Style::Color,
        ColorChoice::Never => Style::Plain,
        ColorChoice::Auto => {
            if std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none() {
                Style::Color
            } else {
                Style::Plain
            }
        }
    }
}
