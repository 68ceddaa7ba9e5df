//! `driftless lsp`: a language server over stdio, so editors show the same
//! findings as `driftless scan` while the user types — Dockerfiles,
//! Kubernetes YAML/JSON and Terraform (with the module's other files as
//! context) — with a quick fix that inserts a `driftless:ignore` comment.
//!
//! Built on `lsp-server` (a synchronous loop, as in rust-analyzer and ruff)
//! and `lsp-types`; the linting itself is the scan pipeline (see [`lint`]).

pub mod convert;
pub mod lint;
pub mod server;
pub mod uri;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use lsp_server::Connection;
use lsp_types::{
    CodeActionKind, CodeActionOptions, CodeActionProviderCapability, InitializeParams, MessageType,
    PositionEncodingKind, SaveOptions, ServerCapabilities, TextDocumentSyncCapability,
    TextDocumentSyncKind, TextDocumentSyncOptions, TextDocumentSyncSaveOptions,
};

use crate::engine::{EngineOptions, Engines};
use crate::rules::Catalogue;
use crate::scan;

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
    let settings = Settings::load(workspace_root(&params).as_deref());
    let result = serde_json::json!({
        "capabilities": capabilities(),
        "serverInfo": { "name": "driftless", "version": env!("CARGO_PKG_VERSION") },
    });
    if let Err(e) = conn.initialize_finish(id, result) {
        eprintln!("driftless lsp: {e}");
        return 1;
    }
    let (set, errors) = match crate::cli::load_policies(&settings.policy_dirs) {
        Ok(loaded) => loaded,
        Err(e) => {
            server::show(conn, MessageType::ERROR, format!("driftless: {e}"));
            crate::engine::PolicySet::load(Vec::new())
        }
    };
    for e in &errors {
        server::show(
            conn,
            MessageType::WARNING,
            format!("driftless: policy error: {e}"),
        );
    }
    let options = EngineOptions {
        config_data: serde_json::json!({ "strict": settings.strict }),
        enabled: Some(settings.enabled_rules(&set.catalogue)),
        ..EngineOptions::default()
    };
    let engines = Engines::new(Arc::new(set), options);
    let mut server = server::Server::new(engines, scan::DEFAULT_MAX_FILE_SIZE);
    match server.run(conn) {
        server::Exit::Clean => 0,
        server::Exit::Abrupt => 1,
    }
}

/// What the server tells the client it does: full-text sync with save
/// notifications (IaC files are small and re-parsed whole anyway), UTF-16
/// positions, and quick fixes.
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
            code_action_kinds: Some(vec![CodeActionKind::QUICKFIX]),
            ..CodeActionOptions::default()
        })),
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

/// The settings that change what the server reports: the same ones
/// `driftless scan` takes from the configuration file and its flags.
#[derive(Clone, Debug, Default)]
pub struct Settings {
    /// Extra policy directories (`--policy`, the config's `policies`).
    pub policy_dirs: Vec<PathBuf>,
    /// Whether strict rules run.
    pub strict: bool,
    /// Only these rule IDs (empty: all non-strict rules).
    pub select: Vec<String>,
    /// Never these rule IDs.
    pub ignore: Vec<String>,
}

impl Settings {
    /// The settings for a workspace. This is the hook for the
    /// configuration file (`.driftless.yaml`, found upward from the
    /// workspace root): once the config loader is in the crate, map its
    /// `policies`, `strict`, rule selection and severity overrides here;
    /// until then the built-in defaults apply, as for `driftless scan`
    /// without flags.
    pub fn load(root: Option<&Path>) -> Settings {
        let _ = root;
        Settings::default()
    }

    /// The rule IDs to run, decided like `driftless scan` does: non-strict
    /// rules (strict ones too when enabled), narrowed by select/ignore.
    pub fn enabled_rules(&self, catalogue: &Catalogue) -> BTreeSet<String> {
        catalogue
            .iter()
            .filter(|r| {
                let chosen = if self.select.is_empty() {
                    self.strict || !r.strict
                } else {
                    self.select.contains(&r.id)
                };
                chosen && !self.ignore.contains(&r.id)
            })
            .map(|r| r.id.clone())
            .collect()
    }
}
