//! The language server's state and message loop: open buffers, debounced
//! re-linting, diagnostics publishing and code actions.
//!
//! One synchronous loop handles messages strictly in arrival order (no
//! ordering hazards between `didChange` and `codeAction`). Changes are
//! coalesced: a changed buffer is re-linted once the client has been quiet
//! for [`DEBOUNCE`], before the next message that is not a change (so a
//! code action always sees current diagnostics), or after [`MAX_DELAY`] of
//! continuous typing at the latest.

use std::collections::{BTreeMap, BTreeSet};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use lsp_server::{Connection, ErrorCode, Message, Notification, Request, Response};
use lsp_types::notification::{
    DidChangeConfiguration, DidChangeTextDocument, DidCloseTextDocument, DidOpenTextDocument,
    DidSaveTextDocument, LogMessage, Notification as _, PublishDiagnostics, ShowMessage,
};
use lsp_types::request::{CodeActionRequest, Request as _};
use lsp_types::{
    CodeActionOrCommand, CodeActionParams, DidChangeTextDocumentParams, DidCloseTextDocumentParams,
    DidOpenTextDocumentParams, DidSaveTextDocumentParams, LogMessageParams, MessageType,
    PublishDiagnosticsParams, ShowMessageParams, TextDocumentContentChangeEvent, Uri,
};

use super::convert;
use super::explain;
use super::fixes;
use super::lint::{self, Buffer};
use super::settings::EditorSettings;
use super::uri;
use crate::discover::FileKind;
use crate::engine::Engines;
use crate::finding::Finding;
use crate::rules::Catalogue;

/// How long the client must be quiet after a change before re-linting.
pub const DEBOUNCE: Duration = Duration::from_millis(200);

/// The longest a change waits while the client keeps typing.
pub const MAX_DELAY: Duration = Duration::from_millis(1000);

/// An open document.
#[derive(Debug)]
struct Open {
    uri: Uri,
    version: i32,
    buffer: Buffer,
}

/// What the server lints with, from the workspace's configuration.
pub struct Setup {
    pub engines: Engines,
    /// The rules with the config's severity overrides (what `explain`
    /// answers from).
    pub catalogue: Catalogue,
    pub filter: lint::Filter,
    pub max_file_size: u64,
    /// The config's `exclude`: excluded files get no diagnostics, as
    /// `driftless scan` does not report them.
    pub exclude: Option<crate::config::Excludes>,
    /// The config's `fix:` table: how code actions reach registries
    /// (mirrors, timeout, platform, `network: false`), as `scan --fix`
    /// reads it.
    pub fix: crate::config::FixSettings,
}

/// Everything the server knows between messages.
pub struct Server {
    engines: Engines,
    catalogue: Catalogue,
    filter: lint::Filter,
    max_file_size: u64,
    exclude: Option<crate::config::Excludes>,
    /// The workspace root, where the configuration file is looked up again
    /// when it is saved.
    root: Option<PathBuf>,
    /// The editor's settings, applied again whenever the setup is rebuilt.
    settings: EditorSettings,
    docs: BTreeMap<String, Open>,
    /// Documents changed since they were last linted, and since when.
    dirty: BTreeSet<String>,
    dirty_since: Option<Instant>,
    /// The findings last published for each document (code actions are
    /// computed from them).
    published: BTreeMap<String, Vec<Finding>>,
    /// How code actions resolve fixes (the registry, cached per session).
    fixes: crate::fix::FixContext,
    /// Whether `fixes` follows the config's `fix:` table (rebuilt when the
    /// configuration changes), or was injected by [`Server::with_fixes`].
    fixes_from_config: bool,
}

/// Why the loop stopped.
#[derive(Debug, PartialEq, Eq)]
pub enum Exit {
    /// `shutdown` then `exit`: a clean stop.
    Clean,
    /// `exit` without `shutdown`, or the client went away.
    Abrupt,
}

impl Server {
    /// A server linting with this setup, for the workspace at `root`, with
    /// the editor's settings the setup was made with.
    pub fn new(setup: Setup, root: Option<PathBuf>, settings: EditorSettings) -> Server {
        Server {
            engines: setup.engines,
            catalogue: setup.catalogue,
            filter: setup.filter,
            max_file_size: setup.max_file_size,
            exclude: setup.exclude,
            root,
            settings,
            docs: BTreeMap::new(),
            dirty: BTreeSet::new(),
            dirty_since: None,
            published: BTreeMap::new(),
            fixes: fixes::context(&setup.fix),
            fixes_from_config: true,
        }
    }

    /// The same server resolving fixes with `ctx` (a test resolver).
    pub fn with_fixes(mut self, ctx: crate::fix::FixContext) -> Server {
        self.fixes = ctx;
        self.fixes_from_config = false;
        self
    }

    /// Runs until `exit` (or until the client disconnects).
    pub fn run(&mut self, conn: &Connection) -> Exit {
        let mut shutting_down = false;
        loop {
            let msg = match self.next_message(conn) {
                Some(msg) => msg,
                None => return Exit::Abrupt,
            };
            if let Message::Notification(n) = &msg {
                if n.method == "exit" {
                    return if shutting_down {
                        Exit::Clean
                    } else {
                        Exit::Abrupt
                    };
                }
                if n.method == DidChangeTextDocument::METHOD {
                    self.guarded(conn, "didChange", |s, _| s.did_change(n));
                    continue;
                }
            }
            self.flush(conn);
            match msg {
                Message::Request(req) if req.method == "shutdown" => {
                    shutting_down = true;
                    send(conn, Response::new_ok(req.id, ()).into());
                }
                Message::Request(req) => self.request(conn, req),
                Message::Notification(n) => self.notification(conn, &n),
                Message::Response(_) => {}
            }
        }
    }

    /// Waits for the next message, re-linting changed documents when the
    /// debounce time passes first. `None` when the connection is closed.
    fn next_message(&mut self, conn: &Connection) -> Option<Message> {
        loop {
            let Some(since) = self.dirty_since else {
                return conn.receiver.recv().ok();
            };
            let wait = DEBOUNCE.min(MAX_DELAY.saturating_sub(since.elapsed()));
            match conn.receiver.recv_timeout(wait) {
                Ok(msg) => return Some(msg),
                Err(e) if e.is_timeout() => self.flush(conn),
                Err(_) => return None,
            }
        }
    }

    /// Runs a handler; a panic (a bug, never expected) is logged and the
    /// server carries on with the next message.
    fn guarded<T>(
        &mut self,
        conn: &Connection,
        what: &str,
        f: impl FnOnce(&mut Server, &Connection) -> T,
    ) -> Option<T> {
        match catch_unwind(AssertUnwindSafe(|| f(self, conn))) {
            Ok(v) => Some(v),
            Err(panic) => {
                let detail = panic
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default();
                log(
                    conn,
                    MessageType::ERROR,
                    format!("driftless: internal error in {what}: {detail}"),
                );
                None
            }
        }
    }

    fn request(&mut self, conn: &Connection, req: Request) {
        let id = req.id.clone();
        let response = if req.method == CodeActionRequest::METHOD {
            match serde_json::from_value::<CodeActionParams>(req.params) {
                Ok(params) => {
                    match self.guarded(conn, "codeAction", |s, _| s.code_actions(&params)) {
                        Some(actions) => Response::new_ok(id, actions),
                        None => Response::new_err(
                            id,
                            ErrorCode::InternalError as i32,
                            "internal error".into(),
                        ),
                    }
                }
                Err(e) => Response::new_err(id, ErrorCode::InvalidParams as i32, e.to_string()),
            }
        } else if req.method == explain::METHOD {
            self.explain(id, req.params)
        } else {
            Response::new_err(
                id,
                ErrorCode::MethodNotFound as i32,
                format!("unsupported request {}", req.method),
            )
        };
        send(conn, response.into());
    }

    /// Answers `driftless/explain` from the catalogue in force; an unknown
    /// ID is an error that names it.
    fn explain(&self, id: lsp_server::RequestId, params: serde_json::Value) -> Response {
        let params = match serde_json::from_value::<explain::ExplainParams>(params) {
            Ok(p) => p,
            Err(e) => {
                return Response::new_err(id, ErrorCode::InvalidParams as i32, e.to_string());
            }
        };
        match explain::explain(&self.catalogue, &params.id) {
            Some(explanation) => Response::new_ok(id, explanation),
            None => Response::new_err(
                id,
                ErrorCode::InvalidParams as i32,
                format!("unknown rule ID `{}` (see `driftless rules`)", params.id),
            ),
        }
    }

    fn notification(&mut self, conn: &Connection, n: &Notification) {
        match n.method.as_str() {
            DidChangeConfiguration::METHOD => {
                self.guarded(conn, "didChangeConfiguration", |s, c| {
                    s.did_change_configuration(c, n)
                });
            }
            DidOpenTextDocument::METHOD => {
                self.guarded(conn, "didOpen", |s, c| s.did_open(c, n));
            }
            DidSaveTextDocument::METHOD => {
                self.guarded(conn, "didSave", |s, c| s.did_save(c, n));
            }
            DidCloseTextDocument::METHOD => {
                self.guarded(conn, "didClose", |s, c| s.did_close(c, n));
            }
            _ => {}
        }
    }

    fn did_open(&mut self, conn: &Connection, n: &Notification) {
        let Ok(p) = serde_json::from_value::<DidOpenTextDocumentParams>(n.params.clone()) else {
            return;
        };
        let doc = p.text_document;
        let path = uri::to_path(doc.uri.as_str()).unwrap_or_else(|| untitled_path(&doc.uri));
        let Some(kind) = lint::kind_of(&path, &doc.language_id) else {
            return;
        };
        let key = doc.uri.as_str().to_string();
        self.docs.insert(
            key.clone(),
            Open {
                uri: doc.uri,
                version: doc.version,
                buffer: Buffer {
                    path,
                    text: doc.text,
                    kind,
                },
            },
        );
        self.lint_now(conn, &key);
    }

    fn did_change(&mut self, n: &Notification) {
        let Ok(p) = serde_json::from_value::<DidChangeTextDocumentParams>(n.params.clone()) else {
            return;
        };
        let key = p.text_document.uri.as_str().to_string();
        let Some(open) = self.docs.get_mut(&key) else {
            return;
        };
        for change in p.content_changes {
            apply_change(&mut open.buffer.text, change);
        }
        open.version = p.text_document.version;
        if matches!(
            open.buffer.kind,
            FileKind::Terraform | FileKind::TerraformVars
        ) {
            // A module open elsewhere may call this one: re-lint it too.
            let callers = self.other_terraform_dirs(&key);
            self.dirty.extend(callers);
        }
        self.dirty.insert(key);
        self.dirty_since.get_or_insert_with(Instant::now);
    }

    /// Keys of the open Terraform documents outside `key`'s directory, one
    /// per directory (a module is linted whole from any of its files).
    fn other_terraform_dirs(&self, key: &str) -> Vec<String> {
        let Some(dir) = self.docs.get(key).and_then(|d| d.buffer.path.parent()) else {
            return Vec::new();
        };
        let mut seen = BTreeSet::new();
        self.docs
            .iter()
            .filter(|(_, d)| matches!(d.buffer.kind, FileKind::Terraform | FileKind::TerraformVars))
            .filter(|(_, d)| d.buffer.path.parent().is_some_and(|p| p != dir))
            .filter(|(_, d)| seen.insert(d.buffer.path.parent().map(|p| p.to_path_buf())))
            .map(|(k, _)| k.clone())
            .collect()
    }

    fn did_save(&mut self, conn: &Connection, n: &Notification) {
        let Ok(p) = serde_json::from_value::<DidSaveTextDocumentParams>(n.params.clone()) else {
            return;
        };
        if self.is_config_file(&p.text_document.uri) {
            return self.reconfigure(conn);
        }
        let key = p.text_document.uri.as_str().to_string();
        let Some(open) = self.docs.get_mut(&key) else {
            return;
        };
        if let Some(text) = p.text {
            open.buffer.text = text;
        }
        self.lint_now(conn, &key);
    }

    /// New editor settings (`{"settings": {"driftless": {...}}}`): set the
    /// workspace up again with them and re-lint every open document. Invalid
    /// settings are shown and the previous ones stay in force.
    fn did_change_configuration(&mut self, conn: &Connection, n: &Notification) {
        let settings = n.params.get("settings").unwrap_or(&serde_json::Value::Null);
        match EditorSettings::from_value(settings) {
            Ok(settings) => {
                self.settings = settings;
                self.reconfigure(conn);
            }
            Err(e) => show(conn, MessageType::ERROR, format!("driftless: {e}")),
        }
    }

    /// A `.driftless.yaml` (or `.yml`), wherever it is, or the file the
    /// `driftless.config` setting names: saving one may change what the
    /// workspace's configuration is.
    fn is_config_file(&self, uri: &Uri) -> bool {
        let Some(path) = uri::to_path(uri.as_str()) else {
            return false;
        };
        let named = path
            .file_name()
            .is_some_and(|n| crate::config::FILE_NAMES.contains(&n.to_string_lossy().as_ref()));
        named || self.settings.config_path(self.root.as_deref()) == Some(path)
    }

    /// The configuration file was saved or the editor's settings changed:
    /// read the configuration (and the policies it names) again and
    /// re-lint every open document with it.
    fn reconfigure(&mut self, conn: &Connection) {
        let setup = super::configure(conn, self.root.as_deref(), &self.settings);
        self.engines = setup.engines;
        self.catalogue = setup.catalogue;
        self.filter = setup.filter;
        self.max_file_size = setup.max_file_size;
        self.exclude = setup.exclude;
        if self.fixes_from_config {
            self.fixes = fixes::context(&setup.fix);
        }
        let keys: Vec<String> = self.docs.keys().cloned().collect();
        let mut done = BTreeSet::new();
        for key in keys {
            if !done.contains(&key) {
                done.extend(self.lint_now(conn, &key));
            }
        }
    }

    fn did_close(&mut self, conn: &Connection, n: &Notification) {
        let Ok(p) = serde_json::from_value::<DidCloseTextDocumentParams>(n.params.clone()) else {
            return;
        };
        let key = p.text_document.uri.as_str().to_string();
        self.dirty.remove(&key);
        self.published.remove(&key);
        let callers = self.other_terraform_dirs(&key);
        let Some(closed) = self.docs.remove(&key) else {
            return;
        };
        publish(conn, closed.uri, Vec::new(), None);
        // The module's other open files now see the file as it is on disk.
        if matches!(
            closed.buffer.kind,
            FileKind::Terraform | FileKind::TerraformVars
        ) && let Some(sibling) = self.terraform_siblings(&closed.buffer).into_iter().next()
        {
            self.lint_now(conn, &sibling);
        }
        // Modules open elsewhere that may call it now read it from disk.
        if matches!(
            closed.buffer.kind,
            FileKind::Terraform | FileKind::TerraformVars
        ) {
            for caller in callers {
                self.lint_now(conn, &caller);
            }
        }
    }

    /// Re-lints every changed document.
    fn flush(&mut self, conn: &Connection) {
        self.dirty_since = None;
        let dirty = std::mem::take(&mut self.dirty);
        let mut done = BTreeSet::new();
        for key in dirty {
            if !done.contains(&key) {
                let linted = self
                    .guarded(conn, "lint", |s, c| s.lint_now(c, &key))
                    .unwrap_or_default();
                done.extend(linted);
            }
        }
    }

    /// Lints a document and publishes diagnostics for it and, for
    /// Terraform, for the other open files of its module. Returns the keys
    /// of the documents it published.
    fn lint_now(&mut self, conn: &Connection, key: &str) -> Vec<String> {
        let Some(doc) = self.docs.get(key) else {
            return Vec::new();
        };
        let buffer = doc.buffer.clone();
        if self.excluded(&buffer.path) {
            self.dirty.remove(key);
            publish(conn, doc.uri.clone(), Vec::new(), Some(doc.version));
            self.published.insert(key.to_string(), Vec::new());
            return vec![key.to_string()];
        }
        let module_keys: Vec<String> = match buffer.kind {
            FileKind::Terraform | FileKind::TerraformVars => {
                let mut keys = self.terraform_siblings(&buffer);
                keys.push(key.to_string());
                keys
            }
            _ => vec![key.to_string()],
        };
        // Every other open Terraform buffer: the module's own files, and the
        // children it may call (read from their buffers when composed).
        let others: Vec<Buffer> = match buffer.kind {
            FileKind::Terraform | FileKind::TerraformVars => self
                .docs
                .iter()
                .filter(|(k, d)| {
                    k.as_str() != key
                        && matches!(d.buffer.kind, FileKind::Terraform | FileKind::TerraformVars)
                })
                .map(|(_, d)| d.buffer.clone())
                .collect(),
            _ => Vec::new(),
        };
        let outcome = lint::lint(
            &buffer,
            &others,
            &self.engines,
            &self.filter,
            self.max_file_size,
        );
        for problem in &outcome.problems {
            log(conn, MessageType::WARNING, format!("driftless: {problem}"));
        }
        let mut findings = outcome.findings;
        let mut warnings = outcome.warnings;
        for k in &module_keys {
            self.dirty.remove(k);
            let Some(doc) = self.docs.get(k) else {
                continue;
            };
            let list = findings.remove(&doc.buffer.path).unwrap_or_default();
            let catalogue = &self.engines.policies().catalogue;
            let mut diagnostics: Vec<_> = list
                .iter()
                .map(|f| convert::diagnostic(f, catalogue))
                .collect();
            diagnostics.extend(
                warnings
                    .remove(&doc.buffer.path)
                    .unwrap_or_default()
                    .iter()
                    .filter_map(|w| convert::warning_diagnostic(w, &doc.buffer.text)),
            );
            publish(conn, doc.uri.clone(), diagnostics, Some(doc.version));
            self.published.insert(k.clone(), list);
        }
        module_keys
    }

    /// Whether the config's `exclude` leaves this file out (untitled
    /// buffers have no place in the tree and never are).
    fn excluded(&self, path: &std::path::Path) -> bool {
        path.is_absolute() && self.exclude.as_ref().is_some_and(|e| e.matches(path))
    }

    /// Keys of the other open Terraform documents in the buffer's directory.
    fn terraform_siblings(&self, buffer: &Buffer) -> Vec<String> {
        self.docs
            .iter()
            .filter(|(_, d)| {
                matches!(d.buffer.kind, FileKind::Terraform | FileKind::TerraformVars)
                    && d.buffer.path != buffer.path
                    && d.buffer.path.parent() == buffer.path.parent()
            })
            .map(|(k, _)| k.clone())
            .collect()
    }

    /// Quick fixes for the findings under the requested range (the rule's
    /// fix, then the suppression), and the fix-all action when asked for.
    fn code_actions(&self, params: &CodeActionParams) -> Vec<CodeActionOrCommand> {
        let uri = &params.text_document.uri;
        let key = uri.as_str();
        let (Some(findings), Some(doc)) = (self.published.get(key), self.docs.get(key)) else {
            return Vec::new();
        };
        let buffer = (uri, doc.buffer.path.as_path());
        let catalogue = &self.engines.policies().catalogue;
        let mut actions = Vec::new();
        for f in findings
            .iter()
            .filter(|f| convert::overlaps(&convert::range(f), &params.range))
        {
            let diagnostic = convert::diagnostic(f, catalogue);
            actions.extend(fixes::quick_fix(
                f,
                findings,
                &self.fixes,
                buffer,
                diagnostic.clone(),
            ));
            actions.extend(convert::suppress_action(f, uri, diagnostic));
        }
        if fixes::wants_fix_all(params.context.only.as_ref()) {
            actions.extend(fixes::fix_all(findings, &self.fixes, buffer));
        }
        actions
            .into_iter()
            .map(CodeActionOrCommand::CodeAction)
            .collect()
    }
}

/// A path for buffers that have no file yet (`untitled:Untitled-1`): the
/// name is enough for the parsers.
fn untitled_path(uri: &Uri) -> PathBuf {
    let text = uri.as_str();
    PathBuf::from(text.rsplit([':', '/']).next().unwrap_or(text))
}

/// Applies one change: the whole text, or a range in UTF-16 positions.
fn apply_change(text: &mut String, change: TextDocumentContentChangeEvent) {
    let Some(range) = change.range else {
        *text = change.text;
        return;
    };
    let start = offset(text, range.start);
    let end = offset(text, range.end).max(start);
    text.replace_range(start..end, &change.text);
}

/// The byte offset of an LSP position (clamped to the text).
fn offset(text: &str, pos: lsp_types::Position) -> usize {
    let mut line_start = 0;
    for _ in 0..pos.line {
        match text[line_start..].find('\n') {
            Some(i) => line_start += i + 1,
            None => return text.len(),
        }
    }
    let line = &text[line_start..];
    let line_end = line.find('\n').unwrap_or(line.len());
    let mut units = 0;
    for (i, c) in line[..line_end].char_indices() {
        if units >= pos.character as usize {
            return line_start + i;
        }
        units += c.len_utf16();
    }
    line_start + line_end
}

fn publish(
    conn: &Connection,
    uri: Uri,
    diagnostics: Vec<lsp_types::Diagnostic>,
    version: Option<i32>,
) {
    let params = PublishDiagnosticsParams {
        uri,
        diagnostics,
        version,
    };
    send(
        conn,
        Notification::new(PublishDiagnostics::METHOD.to_string(), params).into(),
    );
}

fn log(conn: &Connection, typ: MessageType, message: String) {
    send(
        conn,
        Notification::new(
            LogMessage::METHOD.to_string(),
            LogMessageParams { typ, message },
        )
        .into(),
    );
}

/// Shows a message to the user (policy errors at start-up).
pub fn show(conn: &Connection, typ: MessageType, message: String) {
    send(
        conn,
        Notification::new(
            ShowMessage::METHOD.to_string(),
            ShowMessageParams { typ, message },
        )
        .into(),
    );
}

/// Sends a message; a client that went away ends the loop at the next
/// receive, so a failed send is not an error here.
fn send(conn: &Connection, msg: Message) {
    let _ = conn.sender.send(msg);
}

#[cfg(test)]
mod tests {
    use super::*;
    use lsp_types::{Position, Range};

    #[test]
    fn ranged_changes_use_utf16_positions() {
        let mut text = String::from("a😀b\nFROM x\n");
        apply_change(
            &mut text,
            TextDocumentContentChangeEvent {
                range: Some(Range::new(Position::new(0, 3), Position::new(0, 4))),
                range_length: None,
                text: "c".into(),
            },
        );
        assert_eq!(text, "a😀c\nFROM x\n");
        apply_change(
            &mut text,
            TextDocumentContentChangeEvent {
                range: Some(Range::new(Position::new(1, 5), Position::new(9, 0))),
                range_length: None,
                text: "alpine:3\n".into(),
            },
        );
        assert_eq!(text, "a😀c\nFROM alpine:3\n");
        apply_change(
            &mut text,
            TextDocumentContentChangeEvent {
                range: None,
                range_length: None,
                text: "whole".into(),
            },
        );
        assert_eq!(text, "whole");
    }
}
