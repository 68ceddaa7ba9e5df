//! `driftless lsp`: a language server over stdio, so editors show the same
//! findings as `driftless scan` while the user types — Dockerfiles,
//! Kubernetes YAML/JSON and Terraform (with the module's other files as
//! context) — with a quick fix that inserts a `driftless:ignore` comment.
//!
//! Built on `lsp-server` (a synchronous loop, as in rust-analyzer and ruff)
//! and `lsp-types`; the linting itself is the scan pipeline (see [`lint`]).

pub mod convert;
pub mod explain;
pub mod fixes;
pub mod lint;
pub mod server;
pub mod settings;
pub mod uri;

use std::path::{Path, PathBuf};

use lsp_server::Connection;
use lsp_types::{
    CodeActionKind, CodeActionOptions, CodeActionProviderCapability, InitializeParams, MessageType,
    PositionEncodingKind, SaveOptions, ServerCapabilities, TextDocumentSyncCapability,
    TextDocumentSyncKind, TextDocumentSyncOptions, TextDocumentSyncSaveOptions,
};

use crate::config::Config;
use crate::scan;
use crate::workspace::{self, Evaluation, Workspace};
use settings::EditorSettings;

/// Runs the server on stdin/stdout and returns the process exit code: 0
/// after `shutdown` + `exit`, 1 when the client exits without `shutdown`
/// or goes away (the LSP convention).
pub fn run() -> u8 {
    let (connection, io_threads) = Connection::stdio();
    let code = serve(&connection);
    // The writer thread ends only once every sender is gone: drop the
    // connection before joining, or the process never exits.
    drop(connection);
    if let Err(e) = io_threads.join() {
        eprintln!("driftless lsp: {e}");
    }
    code
}

/// The whole session on a connection: handshake, then the message loop.
pub fn serve(conn: &Connection) -> u8 {
    let (id, params) = match conn.initialize_start() {
        Ok(start) => start,
        Err(e) => {
            eprintln!("driftless lsp: {e}");
            return 1;
        }
    };
    let params: InitializeParams = serde_json::from_value(params).unwrap_or_default();
    let root = workspace_root(&params);
    let (settings, settings_error) = match &params.initialization_options {
        Some(options) => match EditorSettings::from_value(options) {
            Ok(s) => (s, None),
            Err(e) => (EditorSettings::default(), Some(e)),
        },
        None => (EditorSettings::default(), None),
    };
    let result = serde_json::json!({
        "capabilities": capabilities(),
        "serverInfo": { "name": "driftless", "version": env!("CARGO_PKG_VERSION") },
    });
    if let Err(e) = conn.initialize_finish(id, result) {
        eprintln!("driftless lsp: {e}");
        return 1;
    }
    if let Some(e) = settings_error {
        server::show(conn, MessageType::ERROR, format!("driftless: {e}"));
    }
    let setup = configure(conn, root.as_deref(), &settings);
    let mut server = server::Server::new(setup, root, settings);
    match server.run(conn) {
        server::Exit::Clean => 0,
        server::Exit::Abrupt => 1,
    }
}

/// Reads the workspace's configuration and policies into what the server
/// lints with — through [`crate::workspace`], the setup `driftless scan`
/// uses, with the editor's settings as its flags — telling the user (a
/// message in the editor) about a broken config file, an unknown rule ID
/// or a broken policy and linting with what could be loaded. Run at
/// start-up, whenever the config file is saved and whenever the editor's
/// settings change, so neither needs a restart.
pub fn configure(conn: &Connection, root: Option<&Path>, editor: &EditorSettings) -> server::Setup {
    let mut messages = Vec::new();
    let config_path = config_file(root, editor);
    let config = workspace::load_config(config_path.as_deref()).unwrap_or_else(|errors| {
        messages.extend(errors.iter().map(|e| e.to_string()));
        Config::default()
    });
    let (ws, problems) = Workspace::open(config, &editor.flags(), Evaluation::default());
    messages.extend(problems.lines());
    for m in messages {
        server::show(conn, MessageType::ERROR, format!("driftless: {m}"));
    }
    for e in &ws.policy_errors {
        server::show(
            conn,
            MessageType::WARNING,
            format!("driftless: policy error: {e}"),
        );
    }
    let baseline =
        workspace::load_baseline(ws.settings.baseline.as_deref(), true).unwrap_or_else(|e| {
            server::show(conn, MessageType::ERROR, format!("driftless: {e}"));
            None
        });
    let filter = lint::Filter {
        enabled: ws.enabled,
        severity: ws.config.severity.clone(),
        inline_ignores: ws.settings.inline_ignores,
        baseline,
        repo_root: root.and_then(workspace::repo_root),
    };
    let max_file_size = ws
        .config
        .max_file_size
        .unwrap_or(scan::DEFAULT_MAX_FILE_SIZE);
    server::Setup {
        engines: ws.engines,
        catalogue: ws.catalogue,
        filter,
        max_file_size,
        exclude: ws.config.exclude_set.clone(),
        fix: ws.config.fix.clone(),
    }
}

/// The configuration file in force: the one the `driftless.config` setting
/// names (a missing one is an error the user sees, like `--config`), else
/// the `.driftless.yaml` found upward from the workspace folder.
pub fn config_file(root: Option<&Path>, editor: &EditorSettings) -> Option<PathBuf> {
    editor
        .config_path(root)
        .or_else(|| root.and_then(workspace::find_config))
}

/// What the server tells the client it does: full-text sync with save
/// notifications (IaC files are small and re-parsed whole anyway), UTF-16
/// positions, quick fixes, and the `driftless/explain` request.
pub fn capabilities() -> ServerCapabilities {
    ServerCapabilities {
        position_encoding: Some(PositionEncodingKind::UTF16),
        text_document_sync: Some(TextDocumentSyncCapability::Options(
            TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::FULL),
                save: Some(TextDocumentSyncSaveOptions::SaveOptions(SaveOptions {
                    include_text: Some(true),
                })),
                ..TextDocumentSyncOptions::default()
            },
        )),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![
                CodeActionKind::QUICKFIX,
                CodeActionKind::new(fixes::FIX_ALL),
            ]),
            ..CodeActionOptions::default()
        })),
        // Server extensions a client may call: `driftless/explain`.
        experimental: Some(serde_json::json!({ "explainProvider": true })),
        ..ServerCapabilities::default()
    }
}

/// The workspace folder the editor opened (the first one), where the
/// configuration file is looked up.
fn workspace_root(params: &InitializeParams) -> Option<PathBuf> {
    params
        .workspace_folders
        .as_ref()
        .and_then(|folders| folders.first())
        .and_then(|f| uri::to_path(f.uri.as_str()))
        .or_else(|| {
            #[allow(deprecated)]
            params
                .root_uri
                .as_ref()
                .and_then(|u| uri::to_path(u.as_str()))
        })
}
