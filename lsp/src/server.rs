//! The protocol handlers: each turns positions into offsets, asks the compiler's IDE layer
//! and turns the answer back. Pure work runs under a panic guard, so one bad request is
//! answered with an error instead of taking the server down.

use std::any::Any;
use std::collections::HashSet;
use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use serde_json::Value;
use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::{self as lsp, Uri};
use tower_lsp_server::{Client, LanguageServer};
use ward_compiler::ide::Analysis;
use ward_compiler::sources::Origin;
use ward_compiler::{FileId, Span};

use crate::convert::{self, Lines, Uris};
use crate::overlay::BaseFs;
use crate::position::LineIndex;
use crate::workspace::Workspace;

/// How long the server waits after an edit before it re-checks: typing is faster.
pub const DEBOUNCE: Duration = Duration::from_millis(50);

/// The language server. Cloning shares its state (the debounce tasks hold clones).
#[derive(Clone)]
pub struct Backend {
    client: Client,
    inner: Arc<Inner>,
}

struct Inner {
    /// The folder holding a copy of the stdlib, if the caller wrote one.
    stdlib_dir: Option<PathBuf>,
    workspace: Mutex<Workspace>,
    /// URIs last published with diagnostics, to clear them once they are clean.
    published: Mutex<HashSet<Uri>>,
    docs: Mutex<String>,
    /// The last reason given for having no analysis.
    last_warning: Mutex<Option<String>>,
}

impl std::fmt::Debug for Backend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Backend").finish_non_exhaustive()
    }
}

/// Locks a mutex even if a panicking request poisoned it: the state it guards is
/// replaced wholesale on each change, never left half-updated.
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn panic_message(payload: &(dyn Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into())
}

/// Runs `f`, turning a panic into its message.
pub fn guard<T>(f: impl FnOnce() -> T) -> std::result::Result<T, String> {
    catch_unwind(AssertUnwindSafe(f)).map_err(|p| panic_message(p.as_ref()))
}

impl Backend {
    /// A server over `base`; `stdlib_dir` is a folder holding the stdlib's files, which
    /// go-to-definition then points to (see docs/lsp.md, "The stdlib on disk").
    pub fn new(client: Client, base: BaseFs, stdlib_dir: Option<PathBuf>) -> Self {
        Backend {
            client,
            inner: Arc::new(Inner {
                stdlib_dir,
                workspace: Mutex::new(Workspace::new(base)),
                published: Mutex::new(HashSet::new()),
                docs: Mutex::new(convert::DIAGNOSTICS_DOCS.to_string()),
                last_warning: Mutex::new(None),
            }),
        }
    }

    fn workspace(&self) -> MutexGuard<'_, Workspace> {
        lock(&self.inner.workspace)
    }

    fn uris(&self) -> Uris<'_> {
        Uris {
            stdlib_dir: self.inner.stdlib_dir.as_deref(),
        }
    }

    /// The up-to-date analysis, or `None` (logged) when there is no project.
    async fn analysis(&self) -> Option<Arc<Analysis>> {
        let result = guard(|| self.workspace().analysis());
        match result {
            Ok(Ok(a)) => Some(a),
            Ok(Err(why)) => {
                // Every request would say the same: say it once until it changes.
                let repeated =
                    lock(&self.inner.last_warning).replace(why.clone()) == Some(why.clone());
                if !repeated {
                    self.log(lsp::MessageType::WARNING, why).await;
                }
                None
            }
            Err(panic) => {
                self.log(
                    lsp::MessageType::ERROR,
                    format!("checking panicked: {panic}"),
                )
                .await;
                None
            }
        }
    }

    async fn log(&self, kind: lsp::MessageType, message: String) {
        self.client.log_message(kind, message).await;
    }

    /// Answers a request about one file: `f` gets the analysis, the file and its lines.
    async fn query<T>(
        &self,
        what: &str,
        uri: &Uri,
        f: impl FnOnce(&Analysis, FileId, &LineIndex) -> Option<T>,
    ) -> Result<Option<T>> {
        let Some(analysis) = self.analysis().await else {
            return Ok(None);
        };
        let Some(file) = self.uris().file_of(analysis.sources(), uri) else {
            return Ok(None);
        };
        let result = guard(|| {
            let lines = LineIndex::new(&analysis.sources().get(file).text);
            f(&analysis, file, &lines)
        });
        match result {
            Ok(answer) => Ok(answer),
            Err(panic) => {
                let message = format!("{what} on {} panicked: {panic}", uri.as_str());
                self.log(lsp::MessageType::ERROR, message.clone()).await;
                let mut e = Error::internal_error();
                e.message = message.into();
                Err(e)
            }
        }
    }

    /// Publishes every file's diagnostics, clearing files that became clean or left.
    pub async fn publish(&self) {
        let Some(analysis) = self.analysis().await else {
            return;
        };
        let docs = lock(&self.inner.docs).clone();
        let Ok(files) = guard(|| convert::diagnostics(&analysis, self.uris(), &docs)) else {
            self.log(
                lsp::MessageType::ERROR,
                "converting diagnostics panicked".into(),
            )
            .await;
            return;
        };
        // Files with diagnostics are sent, and every open buffer, so that a clean file
        // gets a first (empty) publish; then files sent before and not now, cleared.
        let files: Vec<_> = {
            let ws = self.workspace();
            files
                .into_iter()
                .filter_map(|(uri, list)| {
                    let version =
                        convert::path_of(&uri).and_then(|p| ws.buffer(&p).map(|b| b.version));
                    (!list.is_empty() || version.is_some()).then_some((uri, list, version))
                })
                .collect()
        };
        let now: HashSet<Uri> = files.iter().map(|(u, _, _)| u.clone()).collect();
        let gone: Vec<Uri> = {
            let mut published = lock(&self.inner.published);
            let gone = published.difference(&now).cloned().collect();
            *published = now;
            gone
        };
        for uri in gone {
            self.client.publish_diagnostics(uri, Vec::new(), None).await;
        }
        for (uri, list, version) in files {
            self.client.publish_diagnostics(uri, list, version).await;
        }
    }

    /// Publishes after [`DEBOUNCE`] unless another change comes first.
    fn schedule_publish(&self) -> impl Future<Output = ()> + Send + 'static {
        let this = self.clone();
        let generation = self.workspace().generation();
        async move {
            tokio::time::sleep(DEBOUNCE).await;
            if this.workspace().generation() == generation {
                this.publish().await;
            }
        }
    }

    /// Records an opened or changed buffer, finding the project from it if needed.
    async fn set_buffer(&self, uri: &Uri, text: Arc<str>, version: i32) {
        let Some(path) = convert::path_of(uri) else {
            return;
        };
        // The stdlib's copy is read-only and belongs to no project: opening it (after a
        // jump to a definition) changes nothing, and queries on it find the stdlib.
        if self.uris().stdlib_name(&path).is_some() {
            return;
        }
        let found = {
            let mut ws = self.workspace();
            ws.set_buffer(path.clone(), text, version);
            ws.find_root(path.parent())
        };
        if !found {
            self.log(
                lsp::MessageType::WARNING,
                format!(
                    "{} is not in a Ward project: no Ward.toml above it",
                    uri.as_str()
                ),
            )
            .await;
        }
        tokio::spawn(self.schedule_publish());
    }

    /// The text of a stdlib file, for editors that open `ward-stdlib:` URIs.
    pub async fn stdlib_file(&self, params: lsp::TextDocumentIdentifier) -> Result<String> {
        let text = self
            .query("ward/stdlib", &params.uri, |a, file, _| {
                Some(a.sources().get(file).text.to_string())
            })
            .await?;
        text.ok_or_else(|| Error::invalid_params(format!("no stdlib file {}", params.uri.as_str())))
    }
}

fn position_of(p: &lsp::TextDocumentPositionParams) -> (&Uri, lsp::Position) {
    (&p.text_document.uri, p.position)
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: lsp::InitializeParams) -> Result<lsp::InitializeResult> {
        if let Some(docs) = params
            .initialization_options
            .as_ref()
            .and_then(|o| o.get("diagnosticsDocs"))
            .and_then(Value::as_str)
        {
            *lock(&self.inner.docs) = docs.to_string();
        }
        #[allow(deprecated)] // root_uri: older clients send only that
        let mut folders: Vec<Uri> = params.root_uri.into_iter().collect();
        if let Some(ws) = params.workspace_folders {
            folders.splice(0..0, ws.into_iter().map(|f| f.uri));
        }
        let paths: Vec<_> = folders.iter().filter_map(convert::path_of).collect();
        self.workspace()
            .find_root(paths.iter().map(|p| p.as_path()));
        let sync = lsp::TextDocumentSyncOptions {
            open_close: Some(true),
            change: Some(lsp::TextDocumentSyncKind::INCREMENTAL),
            save: Some(lsp::TextDocumentSyncSaveOptions::Supported(true)),
            ..Default::default()
        };
        Ok(lsp::InitializeResult {
            offset_encoding: None,
            server_info: Some(lsp::ServerInfo {
                name: "ward-lsp".into(),
                version: Some(env!("CARGO_PKG_VERSION").into()),
            }),
            capabilities: lsp::ServerCapabilities {
                position_encoding: Some(lsp::PositionEncodingKind::UTF16),
                text_document_sync: Some(lsp::TextDocumentSyncCapability::Options(sync)),
                hover_provider: Some(lsp::HoverProviderCapability::Simple(true)),
                completion_provider: Some(lsp::CompletionOptions {
                    trigger_characters: Some(vec![" ".into(), "[".into(), ",".into()]),
                    ..Default::default()
                }),
                definition_provider: Some(lsp::OneOf::Left(true)),
                references_provider: Some(lsp::OneOf::Left(true)),
                rename_provider: Some(lsp::OneOf::Right(lsp::RenameOptions {
                    prepare_provider: Some(true),
                    work_done_progress_options: Default::default(),
                })),
                document_symbol_provider: Some(lsp::OneOf::Left(true)),
                workspace_symbol_provider: Some(lsp::OneOf::Left(true)),
                code_action_provider: Some(lsp::CodeActionProviderCapability::Options(
                    lsp::CodeActionOptions {
                        code_action_kinds: Some(vec![lsp::CodeActionKind::QUICKFIX]),
                        ..Default::default()
                    },
                )),
                semantic_tokens_provider: Some(
                    lsp::SemanticTokensServerCapabilities::SemanticTokensOptions(
                        lsp::SemanticTokensOptions {
                            legend: convert::token_legend(),
                            full: Some(lsp::SemanticTokensFullOptions::Bool(true)),
                            range: None,
                            work_done_progress_options: Default::default(),
                        },
                    ),
                ),
                inlay_hint_provider: Some(lsp::OneOf::Left(true)),
                document_formatting_provider: Some(lsp::OneOf::Left(true)),
                ..Default::default()
            },
        })
    }

    async fn initialized(&self, _: lsp::InitializedParams) {
        let root = self.workspace().root().map(|r| r.display().to_string());
        if let Some(root) = root {
            self.log(lsp::MessageType::INFO, format!("Ward project at {root}"))
                .await;
            self.publish().await;
        }
    }

    async fn shutdown(&self) -> Result<()> {
        Ok(())
    }

    async fn did_open(&self, params: lsp::DidOpenTextDocumentParams) {
        let doc = params.text_document;
        self.set_buffer(&doc.uri, doc.text.into(), doc.version)
            .await;
    }

    async fn did_change(&self, params: lsp::DidChangeTextDocumentParams) {
        let uri = params.text_document.uri;
        let Some(path) = convert::path_of(&uri) else {
            return;
        };
        let old = self.workspace().buffer(&path).map(|b| b.text.clone());
        let text = guard(|| apply_changes(old.as_deref().unwrap_or(""), params.content_changes));
        match text {
            Ok(text) => {
                self.set_buffer(&uri, text.into(), params.text_document.version)
                    .await;
            }
            Err(panic) => {
                self.log(
                    lsp::MessageType::ERROR,
                    format!("applying an edit panicked: {panic}"),
                )
                .await;
            }
        }
    }

    async fn did_save(&self, _: lsp::DidSaveTextDocumentParams) {
        self.workspace().changed();
        tokio::spawn(self.schedule_publish());
    }

    async fn did_close(&self, params: lsp::DidCloseTextDocumentParams) {
        if let Some(path) = convert::path_of(&params.text_document.uri) {
            self.workspace().close(&path);
            tokio::spawn(self.schedule_publish());
        }
    }

    async fn did_change_watched_files(&self, _: lsp::DidChangeWatchedFilesParams) {
        self.workspace().changed();
        tokio::spawn(self.schedule_publish());
    }

    async fn formatting(
        &self,
        params: lsp::DocumentFormattingParams,
    ) -> Result<Option<Vec<lsp::TextEdit>>> {
        self.query("formatting", &params.text_document.uri, |a, file, lines| {
            let src = a.sources().get(file);
            // The stdlib is not the user's to rewrite; a file with syntax errors is left
            // as it is (the formatter says `None`), as `ward fmt` leaves it.
            if src.origin != Origin::Project {
                return None;
            }
            let formatted = ward_compiler::format::format(&src.text)?;
            if formatted == *src.text {
                return Some(Vec::new());
            }
            let whole = lines.range(Span::new(0, src.text.len()));
            Some(vec![lsp::TextEdit::new(whole, formatted)])
        })
        .await
    }

    async fn hover(&self, params: lsp::HoverParams) -> Result<Option<lsp::Hover>> {
        let (uri, pos) = position_of(&params.text_document_position_params);
        self.query("hover", uri, |a, file, lines| {
            let h = a.hover(file, lines.offset(pos))?;
            Some(lsp::Hover {
                contents: lsp::HoverContents::Markup(lsp::MarkupContent {
                    kind: lsp::MarkupKind::Markdown,
                    value: h.markdown,
                }),
                range: Some(lines.range(h.span)),
            })
        })
        .await
    }

    async fn completion(
        &self,
        params: lsp::CompletionParams,
    ) -> Result<Option<lsp::CompletionResponse>> {
        let (uri, pos) = position_of(&params.text_document_position);
        self.query("completion", uri, |a, file, lines| {
            let c = a.completions(file, lines.offset(pos));
            let range = lines.range(c.span);
            let items = c
                .items
                .into_iter()
                .map(|i| convert::completion(i, range))
                .collect();
            Some(lsp::CompletionResponse::Array(items))
        })
        .await
    }

    async fn goto_definition(
        &self,
        params: lsp::GotoDefinitionParams,
    ) -> Result<Option<lsp::GotoDefinitionResponse>> {
        let (uri, pos) = position_of(&params.text_document_position_params);
        self.query("definition", uri, |a, file, lines| {
            let target = a.definition(file, lines.offset(pos))?;
            let location = Lines::new(a.sources(), self.uris()).location(target)?;
            Some(lsp::GotoDefinitionResponse::Scalar(location))
        })
        .await
    }

    async fn references(&self, params: lsp::ReferenceParams) -> Result<Option<Vec<lsp::Location>>> {
        let (uri, pos) = position_of(&params.text_document_position);
        let include = params.context.include_declaration;
        self.query("references", uri, |a, file, lines| {
            let mut all = Lines::new(a.sources(), self.uris());
            Some(
                a.references(file, lines.offset(pos), include)
                    .into_iter()
                    .filter_map(|r| all.location(r))
                    .collect(),
            )
        })
        .await
    }

    async fn prepare_rename(
        &self,
        params: lsp::TextDocumentPositionParams,
    ) -> Result<Option<lsp::PrepareRenameResponse>> {
        let (uri, pos) = position_of(&params);
        let answer = self
            .query("prepareRename", uri, |a, file, lines| {
                Some(
                    a.prepare_rename(file, lines.offset(pos))
                        .map(|at| lines.range(at.span)),
                )
            })
            .await?;
        match answer {
            Some(Ok(range)) => Ok(Some(lsp::PrepareRenameResponse::Range(range))),
            Some(Err(why)) => Err(Error::invalid_params(why.to_string())),
            None => Ok(None),
        }
    }

    async fn rename(&self, params: lsp::RenameParams) -> Result<Option<lsp::WorkspaceEdit>> {
        let (uri, pos) = position_of(&params.text_document_position);
        let answer = self
            .query("rename", uri, |a, file, lines| {
                Some(
                    a.rename(file, lines.offset(pos), &params.new_name)
                        .map(|edits| {
                            convert::workspace_edit(
                                &mut Lines::new(a.sources(), self.uris()),
                                &edits,
                            )
                        }),
                )
            })
            .await?;
        match answer {
            Some(Ok(edit)) => Ok(Some(edit)),
            Some(Err(why)) => Err(Error::invalid_params(why.to_string())),
            None => Ok(None),
        }
    }

    async fn document_symbol(
        &self,
        params: lsp::DocumentSymbolParams,
    ) -> Result<Option<lsp::DocumentSymbolResponse>> {
        self.query(
            "documentSymbol",
            &params.text_document.uri,
            |a, file, lines| {
                let symbols = a
                    .document_symbols(file)
                    .into_iter()
                    .map(|s| convert::document_symbol(s, lines))
                    .collect();
                Some(lsp::DocumentSymbolResponse::Nested(symbols))
            },
        )
        .await
    }

    async fn symbol(
        &self,
        params: lsp::WorkspaceSymbolParams,
    ) -> Result<Option<lsp::WorkspaceSymbolResponse>> {
        let Some(analysis) = self.analysis().await else {
            return Ok(None);
        };
        let found = guard(|| {
            let mut lines = Lines::new(analysis.sources(), self.uris());
            analysis
                .workspace_symbols(&params.query)
                .into_iter()
                .filter_map(|s| convert::symbol_information(s, &mut lines))
                .collect()
        });
        found
            .map(|list| Some(lsp::WorkspaceSymbolResponse::Flat(list)))
            .map_err(|panic| {
                let mut e = Error::internal_error();
                e.message = format!("workspace/symbol panicked: {panic}").into();
                e
            })
    }

    async fn semantic_tokens_full(
        &self,
        params: lsp::SemanticTokensParams,
    ) -> Result<Option<lsp::SemanticTokensResult>> {
        self.query("semanticTokens", &params.text_document.uri, |a, file, _| {
            let tokens = a.semantic_tokens(file);
            let data = convert::semantic_tokens(&tokens, &a.sources().get(file).text);
            Some(lsp::SemanticTokensResult::Tokens(lsp::SemanticTokens {
                result_id: None,
                data,
            }))
        })
        .await
    }

    async fn inlay_hint(
        &self,
        params: lsp::InlayHintParams,
    ) -> Result<Option<Vec<lsp::InlayHint>>> {
        self.query("inlayHint", &params.text_document.uri, |a, file, lines| {
            let range = lines.span(params.range);
            Some(
                a.inlay_hints(file, range)
                    .into_iter()
                    .map(|h| lsp::InlayHint {
                        position: lines.position(h.offset),
                        label: lsp::InlayHintLabel::String(h.label),
                        kind: None,
                        text_edits: None,
                        tooltip: Some(lsp::InlayHintTooltip::String(
                            "the field's number: the input it reads on the wire".into(),
                        )),
                        padding_left: None,
                        padding_right: None,
                        data: None,
                    })
                    .collect(),
            )
        })
        .await
    }

    async fn code_action(
        &self,
        params: lsp::CodeActionParams,
    ) -> Result<Option<lsp::CodeActionResponse>> {
        let docs = lock(&self.inner.docs).clone();
        self.query("codeAction", &params.text_document.uri, |a, file, lines| {
            let range: Span = lines.span(params.range);
            let mut all = Lines::new(a.sources(), self.uris());
            Some(
                a.code_actions(file, range)
                    .into_iter()
                    .map(|action| {
                        let diagnostic = a
                            .diagnostics()
                            .get(action.diagnostic)
                            .map(|d| convert::diagnostic(d, &mut all, &docs));
                        lsp::CodeActionOrCommand::CodeAction(lsp::CodeAction {
                            title: action.title,
                            kind: Some(lsp::CodeActionKind::QUICKFIX),
                            diagnostics: diagnostic.map(|d| vec![d]),
                            edit: Some(convert::workspace_edit(&mut all, &action.edits)),
                            is_preferred: Some(action.preferred),
                            ..Default::default()
                        })
                    })
                    .collect(),
            )
        })
        .await
    }
}

/// The buffer after the editor's changes, each applied to the result of the previous.
fn apply_changes(text: &str, changes: Vec<lsp::TextDocumentContentChangeEvent>) -> String {
    let mut text = text.to_string();
    for change in changes {
        match change.range {
            Some(range) => {
                let span = LineIndex::new(&text).span(range);
                text.replace_range(span.start..span.end, &change.text);
            }
            None => text = change.text,
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_an_error_message() {
        let caught = guard(|| -> u32 { panic!("boom") });
        assert_eq!(caught, Err("boom".to_string()));
        assert_eq!(guard(|| 7), Ok(7));
    }

    #[test]
    fn incremental_changes_apply_in_utf16_positions() {
        let change = |range: Option<lsp::Range>, text: &str| lsp::TextDocumentContentChangeEvent {
            range,
            range_length: None,
            text: text.into(),
        };
        let r = |a: u32, b: u32, c: u32, d: u32| {
            Some(lsp::Range::new(
                lsp::Position::new(a, b),
                lsp::Position::new(c, d),
            ))
        };
        let out = apply_changes(
            "// café 😀 x\ny",
            vec![change(r(0, 11, 0, 12), "z"), change(r(1, 0, 1, 1), "w")],
        );
        assert_eq!(out, "// café 😀 z\nw");
        assert_eq!(apply_changes("old", vec![change(None, "new")]), "new");
    }
}
