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

use crate::config::Config;
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
    let root = workspace_root(&params);
    let result = serde_json::json!({
        "capabilities": capabilities(),
        "serverInfo": { "name": "driftless", "version": env!("CARGO_PKG_VERSION") },
    });
    if let Err(e) = conn.initialize_finish(id, result) {
        eprintln!("driftless lsp: {e}");
        return 1;
    }
    let mut server = server::Server::new(configure(conn, root.as_deref()), root);
    match server.run(conn) {
        server::Exit::Clean => 0,
        server::Exit::Abrupt => 1,
    }
}

/// Reads the workspace's configuration and policies into what the server
/// lints with, telling the user (a message in the editor) about a broken
/// config file or policy. Run at start-up and whenever the config file is
/// saved, so a changed `.driftless.yaml` applies without a restart.
pub fn configure(conn: &Connection, root: Option<&Path>) -> server::Setup {
    let (settings, problems) = Settings::load(root);
    for p in problems {
        server::show(conn, MessageType::ERROR, format!("driftless: {p}"));
    }
    let (set, errors) = match crate::cli::load_policies(&settings.config.policies) {
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
    for e in settings.config.check_rules(&set.catalogue) {
        server::show(conn, MessageType::ERROR, format!("driftless: {e}"));
    }
    let enabled = settings.enabled_rules(&set.catalogue);
    let options = EngineOptions {
        config_data: serde_json::json!({
            "strict": settings.strict(),
            "options": settings.config.options,
        }),
        enabled: Some(enabled.clone()),
        ..EngineOptions::default()
    };
    let filter = lint::Filter {
        enabled,
        severity: settings.config.severity.clone(),
        inline_ignores: settings.config.inline_ignores.unwrap_or(true),
        baseline: settings.baseline,
        repo_root: root.and_then(crate::report::find_repo_root),
    };
    let max_file_size = settings
        .config
        .max_file_size
        .unwrap_or(scan::DEFAULT_MAX_FILE_SIZE);
    server::Setup {
        engines: Engines::new(Arc::new(set), options),
        filter,
        max_file_size,
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

/// The settings that change what the server reports: the workspace's
/// configuration file (`.driftless.yaml`, found upward from the workspace
/// root, as `driftless scan` finds it) — rule selection, strict mode,
/// severity overrides, rule options, extra policies, inline-ignore policy
/// and baseline.
#[derive(Debug, Default)]
pub struct Settings {
    pub config: Config,
    /// The config's baseline, loaded.
    pub baseline: Option<crate::baseline::Baseline>,
}

impl Settings {
    /// The settings for a workspace, and the problems met loading them (a
    /// broken config file is reported and the defaults apply, so the
    /// editor still gets diagnostics).
    pub fn load(root: Option<&Path>) -> (Settings, Vec<String>) {
        let mut problems = Vec::new();
        let config = match root.and_then(crate::config::find) {
            Some(path) => match Config::load(&path) {
                Ok(config) => config,
                Err(errors) => {
                    problems.extend(errors.iter().map(|e| e.to_string()));
                    Config::default()
                }
            },
            None => Config::default(),
        };
        let baseline = config
            .baseline
            .as_deref()
            .filter(|b| b.exists())
            .and_then(|b| match crate::baseline::load(b) {
                Ok(b) => Some(b),
                Err(e) => {
                    problems.push(e);
                    None
                }
            });
        (Settings { config, baseline }, problems)
    }

    /// Whether strict rules run.
    pub fn strict(&self) -> bool {
        self.config.strict.unwrap_or(false)
    }

    /// The rule IDs to run, decided like `driftless scan` does without
    /// flags: non-strict rules (strict ones too when enabled), narrowed by
    /// the config's `select` and `ignore`.
    pub fn enabled_rules(&self, catalogue: &Catalogue) -> BTreeSet<String> {
        let select = self.config.select.clone().unwrap_or_default();
        let ignore = self.config.ignore.clone().unwrap_or_default();
        catalogue
            .iter()
            .filter(|r| {
                let chosen = if select.is_empty() {
                    self.strict() || !r.strict
                } else {
                    select.contains(&r.id)
                };
                chosen && !ignore.contains(&r.id)
            })
            .map(|r| r.id.clone())
            .collect()
    }
}
