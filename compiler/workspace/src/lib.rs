//! The IO edge of the compiler: reads a workspace directory into a
//! [`Change`] for the analysis host. Only the files meshc understands are
//! read (`mesh.yaml`, `<domain>/domain.yaml`, `<domain>/sources.yaml`,
//! `<domain>/models/*.sql`, `<domain>/contracts/*.yaml`); problems reading
//! them become diagnostics, never panics.

use std::cell::RefCell;
use std::collections::HashSet;
use std::fs;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use mesh_analysis::{Change, Code, Diagnostic, TextRange};

/// Directories never scanned for domains.
const SKIPPED: &[&str] = &["target", "node_modules", "expected", "registry"];

/// Whether a workspace-relative path is one meshc reads.
pub fn is_workspace_file(relative: &str) -> bool {
    let parts: Vec<&str> = relative.split('/').collect();
    match parts.as_slice() {
        ["mesh.yaml" | "mesh.lock"] => true,
        [_, "domain.yaml" | "sources.yaml"] => true,
        [_, "models", name] => name.ends_with(".sql"),
        [_, "contracts", name] => name.ends_with(".yaml") || name.ends_with(".yml"),
        _ => false,
    }
}

/// Reads every workspace file under `root`. The change replaces the whole file
/// set: pass `previous` (the paths loaded before) to remove files that vanished.
pub fn load(root: &Path, previous: &[String]) -> (Change, Vec<String>) {
    let mut change = Change::default();
    let mut diagnostics = Vec::new();
    let mut paths = Vec::new();
    let candidates = candidate_files(root, &mut diagnostics);
    for (relative, read) in candidates.iter().zip(read_all(root, &candidates)) {
        match read {
            Ok(text) => {
                if relative.ends_with("/sources.yaml") {
                    diagnostics.extend(sources_linked_out(root, relative, &text));
                }
                change.set_file(relative.clone(), text);
                paths.push(relative.clone());
            }
            Err(diagnostic) => {
                // Entered with no text: what the file declares exists but is
                // unknown (see mesh_analysis's unreadable files), so the one
                // error here is not followed by "unknown model" elsewhere.
                change.set_file(relative.clone(), String::new());
                paths.push(relative.clone());
                diagnostics.push(diagnostic);
            }
        }
    }
    let loaded: HashSet<&String> = paths.iter().collect();
    for old in previous {
        if !loaded.contains(old) {
            change.remove_file(old.clone());
        }
    }
    change.load_diagnostics = Some(diagnostics);
    (change, paths)
}

/// The sources of a `sources.yaml` whose file exists but resolves, through
/// a symbolic link, outside the workspace: MESH0220 at their `path`, at
/// check time (the engine refuses to load them too). Paths that leave the
/// workspace by themselves (absolute, `..`) are reported by the analysis,
/// and `external: true` sources may live anywhere.
fn sources_linked_out(root: &Path, relative: &str, text: &str) -> Vec<Diagnostic> {
    let Ok(real_root) = root.canonicalize() else {
        return Vec::new();
    };
    let file: std::sync::Arc<str> = std::sync::Arc::from(relative);
    let (sources, _) = mesh_analysis::parse_sources(&file, text);
    let directory = Path::new(relative).parent().unwrap_or(Path::new(""));
    let mut out = Vec::new();
    for source in sources.sources.iter().filter(|s| !s.external) {
        let declared = Path::new(&source.path.value);
        let plain = declared.components().all(|c| {
            matches!(
                c,
                std::path::Component::Normal(_) | std::path::Component::CurDir
            )
        });
        if !plain {
            continue;
        }
        let Ok(real) = root.join(directory).join(declared).canonicalize() else {
            continue;
        };
        if real.starts_with(&real_root) {
            continue;
        }
        out.push(
            Diagnostic::new(
                mesh_analysis::Code::SourceOutsideWorkspace,
                file.clone(),
                source.path.range,
                format!(
                    "the file of source `{}` is a symbolic link to {}, outside the workspace",
                    source.name.value,
                    real.display()
                ),
            )
            .with_help(
                "copy the file into the domain directory, or add `external: true` to this source to read it where it is",
            ),
        );
    }
    out
}

/// Reads the files in order, on several threads: a large mesh has tens of
/// thousands of small files, and each read is a few system calls.
fn read_all(root: &Path, relatives: &[String]) -> Vec<Result<String, Diagnostic>> {
    // Reading waits on the kernel (and on the disk when the page cache has
    // dropped the files) more than it computes: more threads than cores.
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .max(8);
    let read = |part: &[String]| -> Vec<Result<String, Diagnostic>> {
        part.iter()
            .map(|relative| read_text(&root.join(relative), relative))
            .collect()
    };
    if relatives.len() < 256 {
        return read(relatives);
    }
    let chunk = relatives.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let handles: Vec<_> = relatives
            .chunks(chunk)
            .map(|part| (part, scope.spawn(move || read(part))))
            .collect();
        handles
            .into_iter()
            .flat_map(|(part, handle)| handle.join().unwrap_or_else(|_| read(part)))
            .collect()
    })
}

/// Reads one file as UTF-8 (a leading BOM is dropped).
pub fn read_text(absolute: &Path, relative: &str) -> Result<String, Diagnostic> {
    thread_local! {
        static BUFFER: RefCell<Vec<u8>> = RefCell::new(Vec::with_capacity(64 * 1024));
    }
    // Not `fs::read` or `File::read_to_end`: they ask for the file's size
    // first, one more system call per file (through `Take`, nothing does).
    // Reading into one buffer per thread and copying out keeps each text at
    // its exact size.
    BUFFER.with_borrow_mut(|buffer| {
        buffer.clear();
        open_for_reading(absolute)
            .and_then(|file| file.take(u64::MAX).read_to_end(buffer))
            .map_err(|error| io_diagnostic(relative, &error))?;
        let bytes = buffer.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(buffer);
        match std::str::from_utf8(bytes) {
            Ok(text) => Ok(text.to_owned()),
            Err(error) => {
                // Where an editor shows it: the line, and the column in
                // characters of the valid text before it.
                let valid = bytes.get(..error.valid_up_to()).unwrap_or_default();
                let valid = std::str::from_utf8(valid).unwrap_or_default();
                let line = valid.matches('\n').count() + 1;
                let column = valid.rsplit('\n').next().unwrap_or_default().chars().count() + 1;
                let byte = bytes.get(error.valid_up_to()).copied().unwrap_or_default();
                Err(Diagnostic::new(
                    Code::InvalidUtf8,
                    relative.into(),
                    TextRange::empty(0),
                    format!(
                        "{relative} is not UTF-8 text: invalid byte 0x{byte:02X} at line {line}, column {column}"
                    ),
                )
                .with_help(
                    "save the file as UTF-8; binary files do not belong in models/ or contracts/",
                ))
            }
        }
    })
}

/// Opens a file to read it. The listing already skipped what is not a
/// regular file; on Unix the open does not wait either if a named pipe took a
/// file's place since (`O_NONBLOCK`, which changes nothing for regular files).
fn open_for_reading(path: &Path) -> io::Result<fs::File> {
    let mut options = fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(&mut options, libc::O_NONBLOCK);
    options.open(path)
}

/// A workspace file that is a directory, a named pipe, a socket or a device:
/// reported instead of read (opening a named pipe waits for a writer forever).
fn not_a_file(relative: &str, kind: Kind) -> Diagnostic {
    let what = match kind {
        Kind::Dir => "a directory",
        Kind::Fifo => "a named pipe (FIFO)",
        Kind::Socket => "a socket",
        Kind::Device => "a device",
        Kind::File | Kind::Missing => "not a regular file",
    };
    Diagnostic::new(
        Code::Io,
        relative.into(),
        TextRange::empty(0),
        format!("{relative} is {what}, not a regular file, so meshc does not read it"),
    )
    .with_help(
        "meshc reads only regular files (or links to them): replace it with a file or rename it",
    )
}

fn io_diagnostic(relative: &str, error: &io::Error) -> Diagnostic {
    Diagnostic::new(
        Code::Io,
        relative.into(),
        TextRange::empty(0),
        format!("cannot read {relative}: {error}"),
    )
    .with_help("check that the path exists and is readable")
}

fn candidate_files(root: &Path, diagnostics: &mut Vec<Diagnostic>) -> Vec<String> {
    let mut out = Vec::new();
    for file in ["mesh.yaml", "mesh.lock"] {
        push_named(&mut out, diagnostics, &root.join(file), file.to_string());
    }
    let mut directories = match sorted_entries(root) {
        Ok(entries) => entries,
        Err(error) => {
            diagnostics.push(io_diagnostic(".", &error));
            return out;
        }
    };
    directories.retain(|e| e.kind == Kind::Dir);
    for Entry {
        path: directory, ..
    } in directories
    {
        let Some(name) = directory
            .file_name()
            .and_then(|n| n.to_str())
            .map(str::to_string)
        else {
            continue;
        };
        if name.starts_with('.') || SKIPPED.contains(&name.as_str()) {
            continue;
        }
        for file in ["domain.yaml", "sources.yaml"] {
            push_named(
                &mut out,
                diagnostics,
                &directory.join(file),
                format!("{name}/{file}"),
            );
        }
        // Likely mistakes are loaded too, to be reported as stray files:
        // `domain.yml`, a model beside models/ or in a subdirectory of it.
        let stray = |entry: &Entry| {
            entry.kind == Kind::File
                && entry
                    .path
                    .extension()
                    .is_some_and(|e| e == "sql" || e == "yml" || e == "yaml")
        };
        let mut subdirectories = Vec::new();
        if let Ok(entries) = sorted_entries(&directory) {
            for entry in entries {
                let Some(file) = entry.path.file_name().and_then(|n| n.to_str()) else {
                    continue;
                };
                let sub = ["models", "contracts"].into_iter().find(|sub| file == *sub);
                if let (Kind::Dir, Some(sub)) = (entry.kind, sub) {
                    subdirectories.push((sub, entry));
                } else if stray(&entry) && !is_workspace_file(&format!("{name}/{file}")) {
                    out.push(format!("{name}/{file}"));
                }
            }
        }
        // A case-insensitive file system also finds `Models/` as `models/`.
        for sub in ["models", "contracts"] {
            let path = directory.join(sub);
            if !subdirectories.iter().any(|(found, _)| *found == sub) && path.is_dir() {
                let entry = Entry {
                    path,
                    kind: Kind::Dir,
                };
                subdirectories.push((sub, entry));
            }
        }
        for (sub, Entry { path, .. }) in subdirectories {
            let entries = match sorted_entries(&path) {
                Ok(entries) => entries,
                Err(error) => {
                    diagnostics.push(io_diagnostic(&format!("{name}/{sub}"), &error));
                    continue;
                }
            };
            let mut nested = Vec::new();
            for entry in entries {
                let Some(file) = entry.path.file_name().and_then(|n| n.to_str()) else {
                    continue;
                };
                let relative = format!("{name}/{sub}/{file}");
                let wanted = is_workspace_file(&relative);
                match entry.kind {
                    // A link to nowhere is read, to report why it cannot be.
                    Kind::File | Kind::Missing if wanted => out.push(relative),
                    Kind::Dir => {
                        if wanted {
                            diagnostics.push(not_a_file(&relative, Kind::Dir));
                        }
                        if sub == "models" {
                            nested.push(entry);
                        }
                    }
                    kind if wanted => diagnostics.push(not_a_file(&relative, kind)),
                    _ => {}
                }
            }
            for directory in nested {
                let Some(dir) = directory.path.file_name().and_then(|n| n.to_str()) else {
                    continue;
                };
                for entry in sorted_entries(&directory.path).unwrap_or_default() {
                    if let Some(file) = entry.path.file_name().and_then(|n| n.to_str())
                        && stray(&entry)
                    {
                        out.push(format!("{name}/models/{dir}/{file}"));
                    }
                }
            }
        }
    }
    out
}

/// Adds a file of a fixed name when it is a regular file, reports it when it
/// is something else. One `stat` (following links), so that a case-insensitive
/// file system finds `Domain.yaml` as `domain.yaml` too.
fn push_named(
    out: &mut Vec<String>,
    diagnostics: &mut Vec<Diagnostic>,
    path: &Path,
    relative: String,
) {
    match kind_of(path) {
        Kind::File => out.push(relative),
        Kind::Missing => {}
        kind => diagnostics.push(not_a_file(&relative, kind)),
    }
}

/// What a path is, following symbolic links.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    File,
    Dir,
    Fifo,
    Socket,
    Device,
    /// Nothing there (or a link to nowhere).
    Missing,
}

impl Kind {
    fn of(kind: fs::FileType) -> Kind {
        #[cfg(unix)]
        {
            use std::os::unix::fs::FileTypeExt;
            if kind.is_fifo() {
                return Kind::Fifo;
            }
            if kind.is_socket() {
                return Kind::Socket;
            }
            if kind.is_block_device() || kind.is_char_device() {
                return Kind::Device;
            }
        }
        if kind.is_dir() {
            Kind::Dir
        } else if kind.is_file() {
            Kind::File
        } else {
            Kind::Missing
        }
    }
}

fn kind_of(path: &Path) -> Kind {
    fs::metadata(path).map_or(Kind::Missing, |m| Kind::of(m.file_type()))
}

/// A directory entry and what it is (following symbolic links).
struct Entry {
    path: PathBuf,
    kind: Kind,
}

/// The entries of `directory`, sorted by path. The kind comes from the
/// directory listing itself (no `stat` per file), except for symbolic links.
fn sorted_entries(directory: &Path) -> io::Result<Vec<Entry>> {
    let mut entries: Vec<Entry> = fs::read_dir(directory)?
        .filter_map(|e| e.ok())
        .map(|e| {
            let path = e.path();
            let kind = match e.file_type() {
                Ok(kind) if !kind.is_symlink() => Kind::of(kind),
                _ => kind_of(&path),
            };
            Entry { path, kind }
        })
        .collect();
    entries.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(entries)
}

/// What a batch of file-system events means for a loaded workspace.
#[derive(Debug, PartialEq, Eq)]
pub enum Refresh {
    /// Nothing meshc reads changed (a swap file, `target/`, `.git/`).
    Nothing,
    /// Only these already loaded files changed (written, replaced or
    /// deleted): re-read just them with [`reread`].
    Files(Vec<String>),
    /// Files or directories came or went: load the whole workspace again
    /// (one directory walk), as [`load`] with the paths loaded before.
    Reload,
}

/// Classifies changed absolute `paths` under `root` against the paths loaded
/// before. A known file is re-read on its own; a new file meshc would read,
/// a directory that came or went, or anything that replaces `mesh.yaml` (it
/// lists the domains) means a reload; everything else is ignored.
pub fn refresh(root: &Path, loaded: &HashSet<String>, paths: &[PathBuf]) -> Refresh {
    let mut files = Vec::new();
    for path in paths {
        let Ok(relative) = path.strip_prefix(root) else {
            continue;
        };
        let Some(relative) = relative.to_str().map(|r| r.replace('\\', "/")) else {
            continue;
        };
        if relative.is_empty() {
            return Refresh::Reload;
        }
        let top = relative.split('/').next().unwrap_or_default();
        if top.starts_with('.') || SKIPPED.contains(&top) {
            continue;
        }
        if relative == "mesh.yaml" {
            return Refresh::Reload;
        }
        if loaded.contains(&relative) {
            files.push(relative);
            continue;
        }
        let prefix = format!("{relative}/");
        let shaped = is_workspace_file(&relative)
            || [".sql", ".yaml", ".yml"]
                .iter()
                .any(|e| relative.ends_with(e));
        if shaped || path.is_dir() || loaded.iter().any(|known| known.starts_with(&prefix)) {
            return Refresh::Reload;
        }
    }
    files.sort();
    files.dedup();
    if files.is_empty() {
        Refresh::Nothing
    } else {
        Refresh::Files(files)
    }
}

/// Re-reads loaded files after they changed: a file that is gone is removed.
/// `Err` with the paths when one can no longer be read: its diagnostic
/// belongs to the load diagnostics, so the caller reloads instead.
pub fn reread(root: &Path, relatives: &[String]) -> Result<Change, Vec<String>> {
    let mut change = Change::default();
    for relative in relatives {
        let absolute = root.join(relative);
        if kind_of(&absolute) == Kind::Missing && fs::symlink_metadata(&absolute).is_err() {
            change.remove_file(relative.clone());
            continue;
        }
        match read_text(&absolute, relative) {
            Ok(text) => change.set_file(relative.clone(), text),
            Err(_) => return Err(relatives.to_vec()),
        }
    }
    Ok(change)
}

/// Finds the workspace root: `start` or the nearest ancestor holding mesh.yaml.
pub fn find_root(start: &Path) -> Option<PathBuf> {
    let mut current = Some(start);
    while let Some(dir) = current {
        if dir.join("mesh.yaml").is_file() {
            return Some(dir.to_path_buf());
        }
        current = dir.parent();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Watch mode's triage of file events: known files are re-read alone,
    /// new files and directories reload, editors' scratch files are ignored.
    #[test]
    fn file_events_are_triaged() {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path();
        fs::write(root.join("mesh.yaml"), "name: x\ndomains: [d]\n").expect("write");
        fs::create_dir_all(root.join("d/models")).expect("mkdir");
        fs::write(root.join("d/domain.yaml"), "name: d\n").expect("write");
        fs::write(root.join("d/models/a.sql"), "select 1 as x").expect("write");
        let (_, paths) = load(root, &[]);
        let loaded: HashSet<String> = paths.into_iter().collect();
        let at = |relative: &str| root.join(relative);
        let refresh = |paths: &[PathBuf]| refresh(root, &loaded, paths);
        assert_eq!(
            refresh(&[at("d/models/a.sql"), at("d/models/.a.sql.swp")]),
            Refresh::Files(vec!["d/models/a.sql".to_string()])
        );
        assert_eq!(
            refresh(&[at("target/x.sql"), at(".git/index"), at("d/models/a.sql~")]),
            Refresh::Nothing
        );
        assert_eq!(refresh(&[at("d/models/b.sql")]), Refresh::Reload);
        assert_eq!(refresh(&[at("mesh.yaml")]), Refresh::Reload);
        // A directory that went away with loaded files in it.
        assert_eq!(refresh(&[at("d/models")]), Refresh::Reload);
        fs::create_dir_all(root.join("e")).expect("mkdir");
        assert_eq!(refresh(&[at("e")]), Refresh::Reload);

        fs::write(root.join("d/models/a.sql"), "select 2 as x").expect("write");
        let change = reread(root, &["d/models/a.sql".to_string()]).expect("readable");
        assert_eq!(
            change.files,
            vec![(
                "d/models/a.sql".to_string(),
                Some("select 2 as x".to_string())
            )]
        );
        fs::remove_file(root.join("d/models/a.sql")).expect("remove");
        let change = reread(root, &["d/models/a.sql".to_string()]).expect("gone");
        assert_eq!(change.files, vec![("d/models/a.sql".to_string(), None)]);
        fs::write(root.join("d/models/a.sql"), [0xff, 0xfe]).expect("write");
        assert!(reread(root, &["d/models/a.sql".to_string()]).is_err());
    }

    #[test]
    fn binary_garbage_and_missing_files_are_diagnostics() {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path();
        fs::write(root.join("mesh.yaml"), "name: x\ndomains: [d]\n").expect("write");
        fs::create_dir_all(root.join("d/models")).expect("mkdir");
        fs::write(root.join("d/domain.yaml"), "\u{feff}name: d\n").expect("write");
        fs::write(root.join("d/models/bad.sql"), [0xff, 0xfe, 0x00, 0x41]).expect("write");
        let (change, paths) = load(root, &["d/models/gone.sql".to_string()]);
        // The unreadable file is entered with no text, so its model exists.
        assert_eq!(
            paths,
            vec!["mesh.yaml", "d/domain.yaml", "d/models/bad.sql"]
        );
        let diagnostics = change.load_diagnostics.expect("set");
        assert_eq!(diagnostics.len(), 1);
        assert_eq!(diagnostics[0].code, Code::InvalidUtf8);
        assert_eq!(&*diagnostics[0].file, "d/models/bad.sql");
        assert_eq!(
            diagnostics[0].message,
            "d/models/bad.sql is not UTF-8 text: invalid byte 0xFF at line 1, column 1"
        );
        fs::write(
            root.join("d/models/bad.sql"),
            b"select\n  '\xC3\xA9', '\xE9' as x",
        )
        .expect("write");
        let (again, _) = load(root, &[]);
        assert_eq!(
            again.load_diagnostics.expect("set")[0].message,
            "d/models/bad.sql is not UTF-8 text: invalid byte 0xE9 at line 2, column 9"
        );
        assert!(
            change
                .files
                .contains(&("d/domain.yaml".to_string(), Some("name: d\n".to_string()))),
            "BOM dropped"
        );
        assert!(
            change
                .files
                .contains(&("d/models/gone.sql".to_string(), None)),
            "vanished files are removed"
        );
        let missing = read_text(&root.join("nope.sql"), "nope.sql").expect_err("missing file");
        assert_eq!(missing.code, Code::Io);
    }

    #[test]
    fn likely_mistakes_are_loaded_to_be_reported() {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path();
        fs::write(root.join("mesh.yaml"), "name: x\ndomains: [d]\n").expect("write");
        fs::create_dir_all(root.join("d/models/staging")).expect("mkdir");
        fs::create_dir_all(root.join("d/data")).expect("mkdir");
        fs::write(root.join("d/domain.yml"), "name: d\n").expect("write");
        fs::write(root.join("d/helper.sql"), "select 1 as x").expect("write");
        fs::write(root.join("d/models/staging/stg.sql"), "select 1 as x").expect("write");
        fs::write(root.join("d/data/raw.csv"), "x\n1\n").expect("write");
        let (_, paths) = load(root, &[]);
        assert_eq!(
            paths,
            vec![
                "mesh.yaml",
                "d/domain.yml",
                "d/helper.sql",
                "d/models/staging/stg.sql"
            ]
        );
    }

    /// Editors leave lock files such as Emacs's `.#name.yaml`, a symbolic link
    /// to nowhere: only regular files are likely mistakes worth loading.
    #[cfg(unix)]
    #[test]
    fn broken_links_are_not_stray_files() {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path();
        fs::write(root.join("mesh.yaml"), "name: x\ndomains: [d]\n").expect("write");
        fs::create_dir_all(root.join("d/models/staging")).expect("mkdir");
        fs::write(root.join("d/domain.yaml"), "name: d\n").expect("write");
        fs::write(root.join("d/models/a.sql"), "select 1 as x").expect("write");
        std::os::unix::fs::symlink("user@host.1234", root.join("d/.#domain.yaml"))
            .expect("symlink");
        std::os::unix::fs::symlink("user@host.1234", root.join("d/models/staging/.#stg.sql"))
            .expect("symlink");
        // A link to a real model file is followed like the file itself.
        std::os::unix::fs::symlink(root.join("d/models/a.sql"), root.join("d/models/b.sql"))
            .expect("symlink");
        let (change, paths) = load(root, &[]);
        assert_eq!(
            paths,
            vec![
                "mesh.yaml",
                "d/domain.yaml",
                "d/models/a.sql",
                "d/models/b.sql"
            ]
        );
        assert!(change.load_diagnostics.expect("set").is_empty());

        // On a case-sensitive file system `Models/` is not `models/`: skipped
        // silently, as any unknown directory.
        if cfg!(target_os = "linux") {
            fs::rename(root.join("d/models"), root.join("d/Models")).expect("rename");
            let (change, paths) = load(root, &[]);
            assert_eq!(paths, vec!["mesh.yaml", "d/domain.yaml"]);
            assert!(change.load_diagnostics.expect("set").is_empty());
        }
    }

    /// A named pipe where a model or domain.yaml belongs is reported, never
    /// opened (opening it waited for a writer forever), and so is a directory
    /// named like a model or contract (it was ignored without a word).
    #[cfg(unix)]
    #[test]
    fn only_regular_files_are_read() {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path().to_path_buf();
        fs::write(root.join("mesh.yaml"), "name: x\ndomains: [d, e]\n").expect("write");
        fs::create_dir_all(root.join("d/models/dir.sql")).expect("mkdir");
        fs::create_dir_all(root.join("d/contracts/c.yaml")).expect("mkdir");
        fs::create_dir_all(root.join("e")).expect("mkdir");
        fs::write(root.join("d/domain.yaml"), "name: d\n").expect("write");
        fs::write(root.join("d/models/a.sql"), "select 1 as x").expect("write");
        for fifo in ["d/models/pipe.sql", "e/domain.yaml"] {
            let made = std::process::Command::new("mkfifo")
                .arg(root.join(fifo))
                .status()
                .expect("mkfifo runs");
            assert!(made.success());
        }
        let (sender, receiver) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let _ = sender.send(load(&root, &[]));
        });
        let (change, paths) = receiver
            .recv_timeout(std::time::Duration::from_secs(20))
            .expect("loading returns instead of waiting on the named pipes");
        assert_eq!(paths, vec!["mesh.yaml", "d/domain.yaml", "d/models/a.sql"]);
        let found: Vec<(Code, String, String)> = change
            .load_diagnostics
            .expect("set")
            .into_iter()
            .map(|d| (d.code, d.file.to_string(), d.message))
            .collect();
        assert_eq!(
            found,
            vec![
                (
                    Code::Io,
                    "d/contracts/c.yaml".to_string(),
                    "d/contracts/c.yaml is a directory, not a regular file, so meshc does not read it"
                        .to_string()
                ),
                (
                    Code::Io,
                    "d/models/dir.sql".to_string(),
                    "d/models/dir.sql is a directory, not a regular file, so meshc does not read it"
                        .to_string()
                ),
                (
                    Code::Io,
                    "d/models/pipe.sql".to_string(),
                    "d/models/pipe.sql is a named pipe (FIFO), not a regular file, so meshc does not read it"
                        .to_string()
                ),
                (
                    Code::Io,
                    "e/domain.yaml".to_string(),
                    "e/domain.yaml is a named pipe (FIFO), not a regular file, so meshc does not read it"
                        .to_string()
                ),
            ]
        );
    }

    #[test]
    fn recognises_workspace_files() {
        assert!(is_workspace_file("orders/models/stg_orders.sql"));
        assert!(is_workspace_file("orders/contracts/stg_orders.yaml"));
        assert!(!is_workspace_file("orders/data/raw.csv"));
        assert!(!is_workspace_file("orders/models/nested/x.sql"));
    }
}
