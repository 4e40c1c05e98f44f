//! The salsa database trait, its inputs and interned names.
//!
//! Inputs are few and plain: one [`SourceFile`] per workspace file and one
//! [`Workspace`] listing them. Nothing here knows about the filesystem: the
//! `mesh-workspace` crate reads files and sets these inputs.

use std::sync::Arc;

use mesh_diagnostics::Diagnostic;
use mesh_syntax::ParsedModel;

/// The text of one workspace file, addressed by its workspace-relative path.
#[salsa::input(debug)]
pub struct SourceFile {
    #[returns(ref)]
    pub path: Arc<str>,
    #[returns(ref)]
    pub text: String,
}

/// The set of files of the workspace plus what loading them reported.
/// Editing a file's text does not touch this input; adding or removing a file does.
#[salsa::input(debug)]
pub struct Workspace {
    #[returns(ref)]
    pub files: Vec<SourceFile>,
    /// Diagnostics of the loader (unreadable files, invalid UTF-8).
    #[returns(ref)]
    pub load_diagnostics: Vec<Diagnostic>,
}

/// Results of an earlier process (meshc's cache), set once before the first
/// query; see [`crate::warm`].
#[salsa::input(debug)]
pub struct WarmStart {
    #[returns(ref)]
    pub models: Arc<crate::warm::WarmModels>,
}

/// A domain name, interned.
#[salsa::interned(debug)]
pub struct DomainId<'db> {
    #[returns(ref)]
    pub name: String,
}

/// A model, `domain.name`, interned.
#[salsa::interned(debug)]
pub struct ModelId<'db> {
    #[returns(copy)]
    pub domain: DomainId<'db>,
    #[returns(ref)]
    pub name: String,
}

/// The database every query runs against. The concrete type lives in `mesh-analysis`.
#[salsa::db]
pub trait Db: salsa::Database {
    /// The one workspace input of this database.
    fn workspace(&self) -> Workspace;

    /// Called when a model is parsed and inferred for real (not taken from
    /// the warm start), for logs of executed work. The default does nothing.
    fn note_inference(&self, _domain: &str, _model: &str) {}

    /// What an earlier process computed, if the database was started warm.
    fn warm_start(&self) -> Option<WarmStart> {
        None
    }

    /// Keeps the syntax tree the reference walk parsed from `text`, so that
    /// the inference of the same model, which follows it, need not parse
    /// again. A bounded hand-over, not a cache: trees are not memoized (see
    /// [`crate::parse_model_file`]). The default keeps nothing.
    fn stash_parse(&self, _file: SourceFile, _text: &str, _parsed: ParsedModel) {}

    /// Takes back a tree stashed for `file`, if it was parsed from `text`.
    fn take_parse(&self, _file: SourceFile, _text: &str) -> Option<ParsedModel> {
        None
    }

    /// Whether inference hands its tree on too (through [`Db::stash_parse`]),
    /// because emission of the same model follows it (`meshc build`).
    fn keep_analyzed_trees(&self) -> bool {
        false
    }
}
