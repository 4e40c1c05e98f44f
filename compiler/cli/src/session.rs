//! Loading a workspace from disk into an analysis host, and printing.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use mesh_analysis::{AnalysisHost, Diagnostic, Target};

use crate::render::{Style, render};
use crate::report::{Found, ReportFormat};
use crate::{ColorChoice, DiagnosticFormat, GlobalArgs};

/// A loaded workspace.
pub struct Session {
    pub root: PathBuf,
    pub host: AnalysisHost,
    pub quiet: bool,
    pub style: Style,
    /// `--registry` / `MESHC_REGISTRY`, overriding mesh.yaml's `registry:`.
    pub registry_override: Option<String>,
    /// What loading the files reported (kept to add registry problems to it).
    load_diagnostics: Vec<Diagnostic>,
    /// The workspace files loaded (relative paths), for a later reload.
    pub paths: Vec<String>,
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
        let mut session = Session::open(&root, global.quiet, style(global.color));
        session.registry_override = global.registry.clone();
        session.load_locked_products();
        Ok(session)
    }

    /// Loads `root` without searching upwards (and without registry products).
    pub fn open(root: &Path, quiet: bool, style: Style) -> Session {
        let mut host = AnalysisHost::new();
        let (change, paths) = mesh_workspace::load(root, &[]);
        let load_diagnostics = change.load_diagnostics.clone().unwrap_or_default();
        host.apply_change(change);
        Session {
            root: root.to_path_buf(),
            host,
            quiet,
            style,
            registry_override: None,
            load_diagnostics,
            paths,
        }
    }

    /// Where the registry is: `--registry`, else mesh.yaml's `registry:`, else
    /// `registry/` in the workspace. A relative directory is relative to the
    /// workspace root.
    pub fn registry_location(&self) -> String {
        let setting = self
            .registry_override
            .clone()
            .or_else(|| self.host.registry_setting())
            .unwrap_or_else(|| "registry".to_string());
        if setting.contains("://") || Path::new(&setting).is_absolute() {
            setting
        } else {
            self.root.join(setting).display().to_string()
        }
    }

    /// Opens the registry, or says why it cannot be opened.
    pub fn registry(&self) -> Result<Box<dyn mesh_registry::Registry>, String> {
        mesh_registry::open(&self.registry_location()).map_err(|e| e.to_string())
    }

    /// Gives the analysis the contracts mesh.lock pins for products of other
    /// workspaces, fetched from the registry. What cannot be fetched becomes a
    /// diagnostic on mesh.lock.
    fn load_locked_products(&mut self) {
        // A lock of a large mesh is big (130 KB at 10,000 models) and reading
        // it here would delay the check; without the word `registry` (and no
        // escapes that could spell it) it names no registry product.
        if let Some(text) = self.host.file_text("mesh.lock")
            && !text.contains("registry")
            && !text.contains('\\')
        {
            return;
        }
        let Some(lock) = self.host.written_lock() else {
            return;
        };
        let wanted: Vec<_> = lock
            .entries
            .iter()
            .filter(|e| e.source == mesh_analysis::LockSource::Registry)
            .collect();
        if wanted.is_empty() {
            return;
        }
        let mut change = mesh_analysis::Change::default();
        let mut problems = Vec::new();
        match self.registry() {
            Ok(registry) => {
                for entry in wanted {
                    let Some((domain, product)) = entry.product.split_once('.') else {
                        continue;
                    };
                    let id = mesh_registry::ProductVersion {
                        domain: domain.to_string(),
                        product: product.to_string(),
                        version: entry.version.clone(),
                    };
                    match registry.fetch(&id) {
                        Ok(Some(published)) => change.set_file(
                            mesh_analysis::external_contract_path(domain, product),
                            published.content,
                        ),
                        Ok(None) => problems.push(format!(
                            "{id} is locked but not in the registry at {}",
                            registry.location()
                        )),
                        Err(error) => problems.push(format!("cannot read {id}: {error}")),
                    }
                }
            }
            Err(error) => problems.push(error),
        }
        if !problems.is_empty() {
            let diagnostics = problems
                .into_iter()
                .map(|message| {
                    Diagnostic::new(
                        mesh_analysis::Code::Io,
                        "mesh.lock".into(),
                        mesh_analysis::TextRange::empty(0),
                        message,
                    )
                    .with_help(
                        "check `registry:` in mesh.yaml (or --registry), then run `meshc lock`",
                    )
                })
                .collect();
            let mut all = self.load_diagnostics.clone();
            all.extend::<Vec<Diagnostic>>(diagnostics);
            change.load_diagnostics = Some(all);
        }
        self.host.apply_change(change);
    }

    /// Whether loading the files reported problems (an unreadable file).
    pub fn has_load_problems(&self) -> bool {
        !self.load_diagnostics.is_empty()
    }

    /// What the last load of the files reported.
    pub fn set_load_diagnostics(&mut self, diagnostics: Option<Vec<Diagnostic>>) {
        self.load_diagnostics = diagnostics.unwrap_or_default();
    }

    /// Prints progress to stderr unless `--quiet`.
    pub fn progress(&self, line: &str) {
        if !self.quiet {
            eprintln!("{line}");
        }
    }

    pub(crate) fn text_of(&self, file: &str) -> Option<String> {
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

    /// Checks the workspace, prints what it found (if anything) and returns
    /// the number of errors. With `emit`, the SQL of every model for that
    /// target is emitted in the same pass, for the plan that follows.
    pub fn check_and_print(&self, format: DiagnosticFormat, emit: Option<Target>) -> usize {
        let diagnostics = match emit {
            Some(target) => self.host.check_and_emit(target),
            None => self.host.check(),
        };
        if !diagnostics.is_empty() {
            self.print_diagnostics(&diagnostics, format);
        }
        diagnostics.iter().filter(|d| d.is_error()).count()
    }

    /// Prints diagnostics in the chosen format (human to stderr, JSON to stdout).
    pub fn print_diagnostics(&self, diagnostics: &[Diagnostic], format: DiagnosticFormat) {
        let format = match format {
            DiagnosticFormat::Human => ReportFormat::Human,
            DiagnosticFormat::Json => ReportFormat::Json,
        };
        crate::report::print(
            format,
            &[Found {
                session: self,
                diagnostics: diagnostics.to_vec(),
            }],
        );
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

/// The workspaces a command given `paths` works on: each distinct workspace
/// holding one of them (the nearest directory upwards with a mesh.yaml), in
/// the order the paths name them; `--workspace`, when given, keeps only
/// itself. A path in no workspace is skipped: a commit that touches no mesh
/// file loads nothing. Nothing is loaded here.
pub(crate) fn workspace_roots(
    global: &GlobalArgs,
    paths: &[PathBuf],
) -> Result<Vec<PathBuf>, String> {
    let cwd =
        std::env::current_dir().map_err(|e| format!("cannot read the current directory: {e}"))?;
    let only = global
        .workspace
        .as_ref()
        .map(|w| std::fs::canonicalize(w).unwrap_or_else(|_| cwd.join(w)));
    let mut roots: Vec<PathBuf> = Vec::new();
    for path in paths {
        let absolute = cwd.join(path);
        // A directory starts the search itself; a file (or a path deleted
        // since it was staged) at its parent.
        let start = if absolute.is_dir() {
            absolute.as_path()
        } else {
            absolute.parent().unwrap_or(&absolute)
        };
        let Some(root) = mesh_workspace::find_root(start) else {
            continue;
        };
        let root = std::fs::canonicalize(&root).unwrap_or(root);
        if only.as_ref().is_some_and(|w| *w != root) || roots.contains(&root) {
            continue;
        }
        roots.push(root);
    }
    Ok(roots)
}

/// Loads the workspace `root` with the other options of `global`.
pub(crate) fn open_root(global: &GlobalArgs, root: &Path) -> Result<Session, crate::Outcome> {
    open_workspace(&GlobalArgs {
        workspace: Some(root.to_path_buf()),
        ..global.clone()
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
