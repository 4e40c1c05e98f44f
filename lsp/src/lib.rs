//! `meshc lsp`: the language server, over stdio, on the same
//! [`AnalysisHost`] as the command line.
//!
//! The workspace is loaded from disk at `initialize`; open buffers overlay
//! their files as inputs of the incremental database, and files changed on
//! disk (reported by the client) replace theirs unless a buffer is open.
//! After each change the server re-checks (salsa re-validates only what the
//! change touched) and publishes diagnostics for every file whose
//! diagnostics changed, so editing a contract updates its consumers in other
//! domains. Hover and go to definition resolve relation names the way the
//! compiler does (`domain.product` through the contract).
//!
//! Only this crate knows the protocol; it talks to `mesh-analysis` alone.

mod convert;

use std::collections::{BTreeMap, HashMap};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};

use mesh_analysis::{AnalysisHost, Change, Diagnostic};
use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::{
    CodeActionKind, CodeActionOrCommand, CodeActionParams, CodeActionProviderCapability,
    CodeActionResponse, CompletionItem, CompletionItemKind, CompletionOptions, CompletionParams,
    CompletionResponse, CreateFile, DidChangeTextDocumentParams, DidChangeWatchedFilesParams,
    DidCloseTextDocumentParams, DidOpenTextDocumentParams, DocumentChangeOperation,
    DocumentChanges, DocumentSymbolParams, DocumentSymbolResponse, ExecuteCommandOptions,
    ExecuteCommandParams, FileChangeType, GotoDefinitionParams, GotoDefinitionResponse, Hover,
    HoverContents, HoverParams, HoverProviderCapability, InitializeParams, InitializeResult,
    InitializedParams, Location, MarkupContent, MarkupKind, MessageType, OneOf,
    OptionalVersionedTextDocumentIdentifier, PrepareRenameResponse, ReferenceParams, RenameFile,
    RenameOptions, RenameParams, ResourceOp, ServerCapabilities, ServerInfo, SymbolInformation,
    TextDocumentEdit, TextDocumentPositionParams, TextDocumentSyncCapability, TextDocumentSyncKind,
    TextEdit, Uri, WorkspaceEdit, WorkspaceSymbolParams, WorkspaceSymbolResponse,
};
use tower_lsp_server::{Client, LanguageServer, LspService, Server};

use crate::convert::{Encoding, LineMap, apply_edit, to_lsp_diagnostic};

/// Reads the first rows of a model from the database of the last run. The
/// command line provides it (this crate does not know the engine).
pub trait Preview: Send + Sync {
    /// Up to `limit` rows of `domain.model` in the workspace at `root`:
    /// column names, then rows of printed cells.
    fn rows(
        &self,
        root: &std::path::Path,
        model: &str,
        limit: u64,
    ) -> std::result::Result<(Vec<String>, Vec<Vec<String>>), String>;
}

/// The commands of `workspace/executeCommand`.
const COMMAND_COMPILED_SQL: &str = "meshc.compiledSql";
const COMMAND_PREVIEW: &str = "meshc.preview";
/// Only with `MESHC_LSP_TEST_PANIC=1`: panics inside a handler, so that tests
/// can check the server survives it.
const COMMAND_TEST_PANIC: &str = "meshc.test.panic";

/// Serves the protocol on stdin/stdout until the client exits.
pub fn serve_stdio(preview: Option<Box<dyn Preview>>) -> std::result::Result<(), String> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the language server: {e}"))?;
    runtime.block_on(async {
        let (service, socket) = LspService::new(|client| Backend {
            client,
            state: Arc::new(Mutex::new(State::default())),
            preview,
        });
        Server::new(tokio::io::stdin(), tokio::io::stdout(), socket)
            .serve(service)
            .await;
    });
    Ok(())
}

struct Backend {
    client: Client,
    state: Arc<Mutex<State>>,
    preview: Option<Box<dyn Preview>>,
}

#[derive(Default)]
struct State {
    root: Option<PathBuf>,
    host: AnalysisHost,
    encoding: Encoding,
    /// Workspace-relative paths of files with an open buffer, and the
    /// buffer's version.
    open: HashMap<String, i32>,
    /// What was last published, per workspace-relative path.
    published: BTreeMap<String, Vec<Diagnostic>>,
    /// Files changed since the last publication.
    changed: Vec<String>,
    /// Counts changes, so that a delayed whole-mesh check can tell it is stale.
    generation: u64,
    /// Only the edited models and their readers were re-checked since the
    /// last whole-mesh check.
    full_check_due: bool,
}

/// Diagnostics to publish: (file URI, diagnostics, version of the open
/// buffer they describe) for each file whose diagnostics changed.
type Publications = Vec<(
    Uri,
    Vec<tower_lsp_server::ls_types::Diagnostic>,
    Option<i32>,
)>;

impl State {
    /// The workspace-relative path of `uri`, when it is a workspace file.
    fn relative(&self, uri: &Uri) -> Option<String> {
        let root = self.root.as_ref()?;
        let path = uri.to_file_path()?;
        let relative = path.strip_prefix(root).ok()?;
        let relative = relative.to_str()?.replace('\\', "/");
        mesh_workspace::is_workspace_file(&relative).then_some(relative)
    }

    fn uri(&self, relative: &str) -> Option<Uri> {
        Uri::from_file_path(self.root.as_ref()?.join(relative))
    }

    /// A range of a loaded workspace file as a protocol location.
    fn location(&self, relative: &str, range: mesh_analysis::TextRange) -> Option<Location> {
        let text = self.host.file_text(relative)?;
        Some(Location {
            uri: self.uri(relative)?,
            range: LineMap::new(text).range(text, range, self.encoding),
        })
    }

    /// A code action of the analysis as a protocol one: plain text edits, or,
    /// when it creates a file, the creation followed by the file's text.
    fn code_action(
        &self,
        action: mesh_analysis::CodeAction,
    ) -> Option<tower_lsp_server::ls_types::CodeAction> {
        let kind = if action.fixes.is_some() {
            CodeActionKind::QUICKFIX
        } else {
            CodeActionKind::REFACTOR
        };
        let edit = match &action.create {
            Some((path, text)) => {
                let uri = self.uri(path)?;
                let mut operations = vec![
                    DocumentChangeOperation::Op(ResourceOp::Create(CreateFile {
                        uri: uri.clone(),
                        options: None,
                        annotation_id: None,
                    })),
                    DocumentChangeOperation::Edit(TextDocumentEdit {
                        text_document: OptionalVersionedTextDocumentIdentifier {
                            uri,
                            version: None,
                        },
                        edits: vec![OneOf::Left(TextEdit {
                            range: Default::default(),
                            new_text: text.clone(),
                        })],
                    }),
                ];
                for edit in &action.edits {
                    let location = self.location(&edit.at.path, edit.at.range)?;
                    operations.push(DocumentChangeOperation::Edit(TextDocumentEdit {
                        text_document: OptionalVersionedTextDocumentIdentifier {
                            uri: location.uri,
                            version: None,
                        },
                        edits: vec![OneOf::Left(TextEdit {
                            range: location.range,
                            new_text: edit.new_text.clone(),
                        })],
                    }));
                }
                WorkspaceEdit {
                    document_changes: Some(DocumentChanges::Operations(operations)),
                    ..WorkspaceEdit::default()
                }
            }
            None => {
                let mut changes: HashMap<Uri, Vec<TextEdit>> = HashMap::new();
                for edit in &action.edits {
                    let location = self.location(&edit.at.path, edit.at.range)?;
                    changes.entry(location.uri).or_default().push(TextEdit {
                        range: location.range,
                        new_text: edit.new_text.clone(),
                    });
                }
                WorkspaceEdit {
                    changes: Some(changes),
                    ..WorkspaceEdit::default()
                }
            }
        };
        Some(tower_lsp_server::ls_types::CodeAction {
            title: action.title,
            kind: Some(kind),
            edit: Some(edit),
            is_preferred: Some(action.fixes.is_some()),
            ..Default::default()
        })
    }

    /// A rename as a workspace edit: the text edits (on the old paths), then
    /// the file renames.
    fn rename_edit(&self, edit: mesh_analysis::RenameEdit) -> Option<WorkspaceEdit> {
        let mut operations = Vec::new();
        for change in &edit.edits {
            let location = self.location(&change.at.path, change.at.range)?;
            operations.push(DocumentChangeOperation::Edit(TextDocumentEdit {
                text_document: OptionalVersionedTextDocumentIdentifier {
                    uri: location.uri,
                    version: self.open.get(&change.at.path).copied(),
                },
                edits: vec![OneOf::Left(TextEdit {
                    range: location.range,
                    new_text: change.new_text.clone(),
                })],
            }));
        }
        for (from, to) in &edit.renames {
            operations.push(DocumentChangeOperation::Op(ResourceOp::Rename(
                RenameFile {
                    old_uri: self.uri(from)?,
                    new_uri: self.uri(to)?,
                    options: None,
                    annotation_id: None,
                },
            )));
        }
        Some(WorkspaceEdit {
            document_changes: Some(DocumentChanges::Operations(operations)),
            ..WorkspaceEdit::default()
        })
    }

    /// Symbols of the analysis as protocol symbol information.
    fn symbols(&self, symbols: Vec<mesh_analysis::SymbolInfo>) -> Vec<SymbolInformation> {
        use mesh_analysis::SymbolKind as K;
        use tower_lsp_server::ls_types::SymbolKind as L;
        symbols
            .into_iter()
            .filter_map(|symbol| {
                #[allow(deprecated)] // `deprecated` is a required field of the type.
                Some(SymbolInformation {
                    location: self.location(&symbol.at.path, symbol.at.range)?,
                    name: symbol.name,
                    kind: match symbol.kind {
                        K::Model => L::CLASS,
                        K::Product => L::INTERFACE,
                        K::Source => L::FILE,
                        K::Cte => L::NAMESPACE,
                        K::Column => L::FIELD,
                    },
                    tags: None,
                    deprecated: None,
                    container_name: Some(symbol.detail),
                })
            })
            .collect()
    }

    /// The byte offset of `position` in the loaded text of `relative`.
    fn offset(
        &self,
        relative: &str,
        position: tower_lsp_server::ls_types::Position,
    ) -> Option<u32> {
        let text = self.host.file_text(relative)?;
        Some(LineMap::new(text).offset(text, position, self.encoding))
    }

    fn set_text(&mut self, relative: &str, text: Option<String>) {
        self.changed.push(relative.to_string());
        self.generation += 1;
        let mut change = Change::default();
        match text {
            Some(text) => change.set_file(relative, text),
            None => change.remove_file(relative),
        }
        self.host.apply_change(change);
    }

    /// The file's text on disk, or `None` when it is gone or unreadable.
    fn disk_text(&self, relative: &str) -> Option<String> {
        let root = self.root.as_ref()?;
        mesh_workspace::read_text(&root.join(relative), relative).ok()
    }

    /// Re-checks and returns what changed since the last publication. After
    /// edits of model files only, just those models and their readers in the
    /// domain are re-checked (the edit path that costs what the edit touches,
    /// not the mesh); otherwise, or with `whole`, the whole mesh.
    fn diagnostics_to_publish(&mut self, whole: bool) -> Publications {
        let changed = std::mem::take(&mut self.changed);
        let paths: Vec<&str> = changed.iter().map(String::as_str).collect();
        let edit_path = match whole || paths.is_empty() {
            true => None,
            false => self.host.model_edit_diagnostics(&paths),
        };
        let (by_file, all_files) = match edit_path {
            Some(by_file) => {
                self.full_check_due = true;
                (by_file, false)
            }
            None => {
                self.full_check_due = false;
                let mut by_file: BTreeMap<String, Vec<Diagnostic>> = BTreeMap::new();
                for diagnostic in self.host.check() {
                    if self.host.file_text(&diagnostic.file).is_some() {
                        by_file
                            .entry(diagnostic.file.to_string())
                            .or_default()
                            .push(diagnostic);
                    }
                }
                (by_file, true)
            }
        };
        self.publications(by_file, all_files)
    }

    /// The publications for `by_file`; with `all_files`, files that are not
    /// in it have no diagnostics any more.
    fn publications(
        &mut self,
        mut by_file: BTreeMap<String, Vec<Diagnostic>>,
        all_files: bool,
    ) -> Publications {
        let mut out = Vec::new();
        let previous: Vec<&String> = match all_files {
            true => self.published.keys().collect(),
            false => Vec::new(),
        };
        let files: Vec<String> = previous
            .into_iter()
            .chain(by_file.keys())
            .cloned()
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        for file in files {
            let new = by_file.remove(&file).unwrap_or_default();
            if self.published.get(&file) == Some(&new) {
                continue;
            }
            let Some(uri) = self.uri(&file) else { continue };
            let text = self.host.file_text(&file).unwrap_or("").to_string();
            let map = LineMap::new(&text);
            let locate = |path: &str, range| self.location(path, range);
            let converted = new
                .iter()
                .map(|d| to_lsp_diagnostic(d, &map, &text, self.encoding, &locate))
                .collect();
            out.push((uri, converted, self.open.get(&file).copied()));
            if new.is_empty() {
                self.published.remove(&file);
            } else {
                self.published.insert(file, new);
            }
        }
        out
    }
}

/// Locks the state; a panic while the lock was held leaves it usable (the
/// database is consistent after an unwinding query).
fn lock(state: &Mutex<State>) -> MutexGuard<'_, State> {
    state.lock().unwrap_or_else(|e| e.into_inner())
}

/// Runs `work` on the state; a panic inside is logged to the client and
/// becomes `None`, and the server keeps serving.
async fn on_state<T>(
    client: &Client,
    state: &Mutex<State>,
    what: &str,
    work: impl FnOnce(&mut State) -> T,
) -> Option<T> {
    let outcome = {
        let mut state = lock(state);
        catch_unwind(AssertUnwindSafe(|| work(&mut state)))
    };
    match outcome {
        Ok(value) => Some(value),
        Err(panic) => {
            let message = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".to_string());
            client
                .log_message(
                    MessageType::ERROR,
                    format!("meshc: internal error in {what}: {message}"),
                )
                .await;
            None
        }
    }
}

async fn publish(client: &Client, publications: Publications) {
    for (uri, diagnostics, version) in publications {
        client.publish_diagnostics(uri, diagnostics, version).await;
    }
}

/// How long the mesh must be quiet after a model edit before the whole mesh
/// is re-checked (the edited models and their readers are at once).
const WHOLE_CHECK_DELAY: std::time::Duration = std::time::Duration::from_millis(300);

impl Backend {
    fn state(&self) -> MutexGuard<'_, State> {
        lock(&self.state)
    }

    async fn with_state<T>(&self, what: &str, work: impl FnOnce(&mut State) -> T) -> Option<T> {
        on_state(&self.client, &self.state, what, work).await
    }

    /// Applies an edit of the state, then publishes what changed. After a
    /// model edit only the edited models and their readers are re-checked at
    /// once; the whole mesh (workspace-level diagnostics such as the lock)
    /// follows when no edit came for [`WHOLE_CHECK_DELAY`].
    async fn change(&self, what: &str, edit: impl FnOnce(&mut State)) {
        let outcome = self
            .with_state(what, |state| {
                edit(state);
                let publications = state.diagnostics_to_publish(false);
                (publications, state.full_check_due, state.generation)
            })
            .await;
        let Some((publications, due, generation)) = outcome else {
            return;
        };
        publish(&self.client, publications).await;
        if due {
            let (client, state) = (self.client.clone(), self.state.clone());
            tokio::spawn(async move {
                tokio::time::sleep(WHOLE_CHECK_DELAY).await;
                let publications = on_state(&client, &state, "whole-mesh check", |state| {
                    (state.generation == generation && state.full_check_due)
                        .then(|| state.diagnostics_to_publish(true))
                })
                .await
                .flatten()
                .unwrap_or_default();
                publish(&client, publications).await;
            });
        }
    }
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        let start = params
            .workspace_folders
            .as_ref()
            .and_then(|folders| folders.first())
            .and_then(|folder| folder.uri.to_file_path().map(|p| p.into_owned()));
        #[allow(deprecated)] // rootUri is what older clients send.
        let start = start.or_else(|| {
            params
                .root_uri
                .as_ref()
                .and_then(|uri| uri.to_file_path().map(|p| p.into_owned()))
        });
        let encoding = Encoding::negotiate(
            params
                .capabilities
                .general
                .as_ref()
                .and_then(|g| g.position_encodings.as_deref())
                .unwrap_or(&[]),
        );
        let root = start.as_deref().and_then(mesh_workspace::find_root);
        self.with_state("initialize", |state| {
            state.encoding = encoding;
            if let Some(root) = &root {
                let (change, _) = mesh_workspace::load(root, &[]);
                state.host.apply_change(change);
            }
            state.root = root;
        })
        .await
        .ok_or_else(Error::internal_error)?;
        Ok(InitializeResult {
            capabilities: ServerCapabilities {
                position_encoding: Some(encoding.kind()),
                text_document_sync: Some(TextDocumentSyncCapability::Kind(
                    TextDocumentSyncKind::INCREMENTAL,
                )),
                hover_provider: Some(HoverProviderCapability::Simple(true)),
                definition_provider: Some(OneOf::Left(true)),
                references_provider: Some(OneOf::Left(true)),
                code_action_provider: Some(CodeActionProviderCapability::Simple(true)),
                document_symbol_provider: Some(OneOf::Left(true)),
                execute_command_provider: Some(ExecuteCommandOptions {
                    commands: vec![
                        COMMAND_COMPILED_SQL.to_string(),
                        COMMAND_PREVIEW.to_string(),
                    ],
                    work_done_progress_options: Default::default(),
                }),
                rename_provider: Some(OneOf::Right(RenameOptions {
                    prepare_provider: Some(true),
                    work_done_progress_options: Default::default(),
                })),
                workspace_symbol_provider: Some(OneOf::Left(true)),
                completion_provider: Some(CompletionOptions {
                    trigger_characters: Some(vec![".".to_string()]),
                    ..CompletionOptions::default()
                }),
                ..ServerCapabilities::default()
            },
            server_info: Some(ServerInfo {
                name: "meshc".to_string(),
                version: Some(env!("CARGO_PKG_VERSION").to_string()),
            }),
            offset_encoding: None,
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        let root = self.state().root.clone();
        if root.is_none() {
            self.client
                .show_message(
                    MessageType::WARNING,
                    "meshc: no mesh.yaml in the opened folder or its parents; open a mesh workspace",
                )
                .await;
        }
        self.change("initialized", |_| {}).await;
    }

    async fn shutdown(&self) -> Result<()> {
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        let document = params.text_document;
        self.change("didOpen", |state| {
            if let Some(relative) = state.relative(&document.uri) {
                state.open.insert(relative.clone(), document.version);
                state.set_text(&relative, Some(document.text));
            }
        })
        .await;
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        let uri = params.text_document.uri;
        let version = params.text_document.version;
        self.change("didChange", |state| {
            let Some(relative) = state.relative(&uri) else {
                return;
            };
            state.open.insert(relative.clone(), version);
            let mut text = state.host.file_text(&relative).unwrap_or("").to_string();
            for edit in &params.content_changes {
                text = apply_edit(&text, edit, state.encoding);
            }
            state.set_text(&relative, Some(text));
        })
        .await;
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        let uri = params.text_document.uri;
        self.change("didClose", |state| {
            let Some(relative) = state.relative(&uri) else {
                return;
            };
            state.open.remove(&relative);
            let text = state.disk_text(&relative);
            state.set_text(&relative, text);
        })
        .await;
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        self.change("didChangeWatchedFiles", |state| {
            for event in params.changes {
                let Some(relative) = state.relative(&event.uri) else {
                    continue;
                };
                if state.open.contains_key(&relative) {
                    continue;
                }
                let text = match event.typ {
                    FileChangeType::DELETED => None,
                    _ => state.disk_text(&relative),
                };
                state.set_text(&relative, text);
            }
        })
        .await;
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        let position = params.text_document_position_params;
        let found = self
            .with_state("hover", |state| {
                let relative = state.relative(&position.text_document.uri)?;
                let text = state.host.file_text(&relative)?.to_string();
                let map = LineMap::new(&text);
                let offset = map.offset(&text, position.position, state.encoding);
                let info = state.host.hover(&relative, offset)?;
                Some(Hover {
                    contents: HoverContents::Markup(MarkupContent {
                        kind: MarkupKind::Markdown,
                        value: info.markdown,
                    }),
                    range: Some(map.range(&text, info.range, state.encoding)),
                })
            })
            .await
            .ok_or_else(Error::internal_error)?;
        Ok(found)
    }

    async fn references(&self, params: ReferenceParams) -> Result<Option<Vec<Location>>> {
        let position = params.text_document_position;
        let found = self
            .with_state("references", |state| {
                let relative = state.relative(&position.text_document.uri)?;
                let offset = state.offset(&relative, position.position)?;
                let locations: Vec<Location> = state
                    .host
                    .column_references(&relative, offset)
                    .into_iter()
                    .filter_map(|r| state.location(&r.path, r.range))
                    .collect();
                Some(locations)
            })
            .await
            .ok_or_else(Error::internal_error)?;
        Ok(found)
    }

    async fn completion(&self, params: CompletionParams) -> Result<Option<CompletionResponse>> {
        let position = params.text_document_position;
        let found = self
            .with_state("completion", |state| {
                let relative = state.relative(&position.text_document.uri)?;
                let offset = state.offset(&relative, position.position)?;
                let items = state
                    .host
                    .completions(&relative, offset)
                    .into_iter()
                    .map(|item| CompletionItem {
                        label: item.label,
                        kind: Some(completion_kind(item.kind)),
                        detail: Some(item.detail),
                        ..CompletionItem::default()
                    })
                    .collect();
                Some(CompletionResponse::Array(items))
            })
            .await
            .ok_or_else(Error::internal_error)?;
        Ok(found)
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        let found = self
            .with_state("codeAction", |state| {
                let relative = state.relative(&params.text_document.uri)?;
                let start = state.offset(&relative, params.range.start)?;
                let end = state.offset(&relative, params.range.end)?;
                let actions = state
                    .host
                    .code_actions(&relative, mesh_analysis::TextRange::new(start, end))
                    .into_iter()
                    .filter_map(|action| state.code_action(action))
                    .map(CodeActionOrCommand::CodeAction)
                    .collect();
                Some(actions)
            })
            .await
            .ok_or_else(Error::internal_error)?;
        Ok(found)
    }

    async fn execute_command(
        &self,
        params: ExecuteCommandParams,
    ) -> Result<Option<tower_lsp_server::ls_types::LSPAny>> {
        let uri = params
            .arguments
            .first()
            .and_then(|a| a.as_str())
            .and_then(|a| a.parse::<Uri>().ok());
        let command = params.command.as_str();
        if command == COMMAND_TEST_PANIC && std::env::var_os("MESHC_LSP_TEST_PANIC").is_some() {
            self.with_state("executeCommand", |_| panic!("a test asked for a panic"))
                .await;
            return Err(Error::internal_error());
        }
        let found = self
            .with_state("executeCommand", |state| {
                let relative = uri
                    .as_ref()
                    .and_then(|u| state.relative(u))
                    .ok_or_else(|| "pass the URI of a model file of the workspace".to_string())?;
                match command {
                    COMMAND_COMPILED_SQL => state
                        .host
                        .compiled_sql(&relative, mesh_analysis::Target::DuckDb)
                        .map(serde_json::Value::String),
                    COMMAND_PREVIEW => {
                        let model = state
                            .host
                            .model_id_of(&relative)
                            .ok_or_else(|| format!("{relative} is not a model file"))?;
                        let root = state
                            .root
                            .clone()
                            .ok_or_else(|| "no workspace".to_string())?;
                        Ok(serde_json::json!({ "model": model, "root": root }))
                    }
                    other => Err(format!("unknown command `{other}`")),
                }
            })
            .await
            .ok_or_else(Error::internal_error)?
            .map_err(request_failed)?;
        if command != COMMAND_PREVIEW {
            return Ok(Some(found));
        }
        let (Some(model), Some(root)) = (found["model"].as_str(), found["root"].as_str()) else {
            return Err(Error::internal_error());
        };
        let preview = self
            .preview
            .as_ref()
            .ok_or_else(|| request_failed("this server cannot read the database".to_string()))?;
        let limit = params
            .arguments
            .get(1)
            .and_then(|v| v.as_u64())
            .unwrap_or(20);
        let (columns, rows) = preview
            .rows(std::path::Path::new(root), model, limit)
            .map_err(request_failed)?;
        Ok(Some(
            serde_json::json!({ "model": model, "columns": columns, "rows": rows }),
        ))
    }

    async fn prepare_rename(
        &self,
        params: TextDocumentPositionParams,
    ) -> Result<Option<PrepareRenameResponse>> {
        let found = self
            .with_state("prepareRename", |state| {
                let relative = state
                    .relative(&params.text_document.uri)
                    .ok_or_else(|| "not a file of the mesh workspace".to_string())?;
                let offset = state
                    .offset(&relative, params.position)
                    .ok_or_else(|| "the file is not loaded".to_string())?;
                let range = state.host.prepare_rename(&relative, offset)?;
                let text = state.host.file_text(&relative).unwrap_or("");
                Ok::<_, String>(PrepareRenameResponse::Range(LineMap::new(text).range(
                    text,
                    range,
                    state.encoding,
                )))
            })
            .await
            .ok_or_else(Error::internal_error)?;
        found.map(Some).map_err(request_failed)
    }

    async fn rename(&self, params: RenameParams) -> Result<Option<WorkspaceEdit>> {
        let position = params.text_document_position;
        let found = self
            .with_state("rename", |state| {
                let relative = state
                    .relative(&position.text_document.uri)
                    .ok_or_else(|| "not a file of the mesh workspace".to_string())?;
                let offset = state
                    .offset(&relative, position.position)
                    .ok_or_else(|| "the file is not loaded".to_string())?;
                let edit = state.host.rename(&relative, offset, &params.new_name)?;
                state
                    .rename_edit(edit)
                    .ok_or_else(|| "the rename touches a file outside the workspace".to_string())
            })
            .await
            .ok_or_else(Error::internal_error)?;
        found.map(Some).map_err(request_failed)
    }

    async fn document_symbol(
        &self,
        params: DocumentSymbolParams,
    ) -> Result<Option<DocumentSymbolResponse>> {
        let found = self
            .with_state("documentSymbol", |state| {
                let relative = state.relative(&params.text_document.uri)?;
                let symbols = state.host.document_symbols(&relative);
                Some(DocumentSymbolResponse::Flat(state.symbols(symbols)))
            })
            .await
            .ok_or_else(Error::internal_error)?;
        Ok(found)
    }

    async fn symbol(
        &self,
        params: WorkspaceSymbolParams,
    ) -> Result<Option<WorkspaceSymbolResponse>> {
        let found = self
            .with_state("workspaceSymbol", |state| {
                let symbols = state.host.workspace_symbols(&params.query);
                Some(WorkspaceSymbolResponse::Flat(state.symbols(symbols)))
            })
            .await
            .ok_or_else(Error::internal_error)?;
        Ok(found)
    }

    async fn goto_definition(
        &self,
        params: GotoDefinitionParams,
    ) -> Result<Option<GotoDefinitionResponse>> {
        let position = params.text_document_position_params;
        let found = self
            .with_state("definition", |state| {
                let relative = state.relative(&position.text_document.uri)?;
                let text = state.host.file_text(&relative)?.to_string();
                let offset = LineMap::new(&text).offset(&text, position.position, state.encoding);
                let target = state.host.definition(&relative, offset)?;
                Some(GotoDefinitionResponse::Scalar(
                    state.location(&target.path, target.range)?,
                ))
            })
            .await
            .ok_or_else(Error::internal_error)?;
        Ok(found)
    }
}

fn completion_kind(kind: mesh_analysis::CompletionKind) -> CompletionItemKind {
    use mesh_analysis::CompletionKind as K;
    match kind {
        K::Domain => CompletionItemKind::MODULE,
        K::Product => CompletionItemKind::INTERFACE,
        K::Model => CompletionItemKind::CLASS,
        K::Source => CompletionItemKind::FILE,
        K::Column => CompletionItemKind::FIELD,
        K::Function => CompletionItemKind::FUNCTION,
    }
}

/// A refused request, with the reason the editor shows.
fn request_failed(message: String) -> Error {
    Error {
        // The protocol's RequestFailed (-32803): the request was valid but failed.
        code: tower_lsp_server::jsonrpc::ErrorCode::ServerError(-32803),
        message: message.into(),
        data: None,
    }
}
