//! The language server's fix code actions make the same edit as
//! `driftless scan --fix`: the server runs in-process on a memory
//! connection with the same test resolver as the scan pipeline.

mod common;

use std::path::Path;
use std::sync::Arc;

use lsp_server::{Connection, Message, Notification, Request, RequestId};
use serde_json::{Value, json};

use driftless::config::Config;
use driftless::fix::registry::{Pinned, ResolveError};
use driftless::fix::{self, FixContext, Pin, apply};
use driftless::lsp::settings::EditorSettings;
use driftless::scan::{self, ScanOptions};
use driftless::workspace::{Evaluation, Flags, Workspace};

const DIGEST: &str = "sha256:89abcdef0123456789abcdef0123456789abcdef0123456789abcdef01234567";

/// `latest` → `22.11.0`, other tags kept.
struct TestRegistry;

impl Pin for TestRegistry {
    fn pin(&self, reference: &str) -> Result<Pinned, ResolveError> {
        let (name, tag) = match reference.rsplit_once(':') {
            Some((n, "latest")) => (n, "22.11.0"),
            Some((n, t)) => (n, t),
            None => (reference, "22.11.0"),
        };
        Ok(Pinned {
            reference: format!("{name}:{tag}@{DIGEST}"),
            tag: tag.into(),
            digest: DIGEST.into(),
            note: format!("`{reference}` is `{tag}`"),
        })
    }
}

fn context() -> FixContext {
    FixContext::new(Default::default(), false).with_pinner(Arc::new(TestRegistry))
}

/// What `--fix` writes for the file: the scan pipeline's safe fixes.
fn fixed_by_scan(dir: &Path, name: &str) -> String {
    let (ws, _) = Workspace::open(Config::default(), &Flags::default(), Evaluation::default());
    let options = ScanOptions {
        paths: vec![dir.join(name)],
        discover: Default::default(),
        terraform: Default::default(),
        max_file_size: scan::DEFAULT_MAX_FILE_SIZE,
        progress: false,
        stdin_filename: None,
        ..ScanOptions::default()
    };
    let findings = scan::scan(&options, &ws.engines).findings;
    let plan = apply::plan(fix::collect(&findings, &context(), false).fixes);
    plan.patches[0].new_text()
}

/// A server on a memory connection, set up for `root`, in its own thread.
fn start(root: &Path) -> Connection {
    let (server_side, client_side) = Connection::memory();
    let root = root.to_path_buf();
    std::thread::spawn(move || {
        let settings = EditorSettings::default();
        let setup = driftless::lsp::configure(&server_side, Some(&root), &settings);
        driftless::lsp::server::Server::new(setup, Some(root), settings)
            .with_fixes(context())
            .run(&server_side);
    });
    client_side
}

fn notify(conn: &Connection, method: &str, params: Value) {
    let n = Notification::new(method.into(), params);
    conn.sender.send(Message::Notification(n)).unwrap();
}

/// Sends a request and returns its result, skipping notifications.
fn request(conn: &Connection, id: i32, method: &str, params: Value) -> Value {
    let req = Request::new(RequestId::from(id), method.into(), params);
    conn.sender.send(Message::Request(req)).unwrap();
    loop {
        let msg = conn
            .receiver
            .recv_timeout(std::time::Duration::from_secs(60))
            .expect("a response");
        if let Message::Response(r) = msg {
            assert_eq!(r.id, RequestId::from(id));
            return r.result.expect("a result");
        }
    }
}

/// `text` with LSP text edits applied (ASCII text: columns are bytes).
fn apply_edits(text: &str, edits: &[Value]) -> String {
    let offset = |p: &Value| {
        let line = p["line"].as_u64().unwrap() as usize;
        let start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
        start + p["character"].as_u64().unwrap() as usize
    };
    let mut spans: Vec<(usize, usize, &str)> = edits
        .iter()
        .map(|e| {
            let r = &e["range"];
            (
                offset(&r["start"]),
                offset(&r["end"]),
                e["newText"].as_str().unwrap(),
            )
        })
        .collect();
    spans.sort();
    let mut out = text.to_string();
    for (start, end, with) in spans.into_iter().rev() {
        out.replace_range(start..end, with);
    }
    out
}

fn open(conn: &Connection, uri: &str, language: &str, text: &str) {
    notify(
        conn,
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": language, "version": 1, "text": text}}),
    );
}

#[test]
fn the_quick_fix_and_fix_all_make_the_edit_scan_fix_makes() {
    let text = "FROM node:latest AS build\nRUN npm ci\nFROM nginx:1.27\n";
    let dir = common::temp_tree(&[("Dockerfile", text)]);
    let root = dir.path().canonicalize().unwrap();
    let uri = driftless::lsp::uri::from_path(&root.join("Dockerfile"));
    let conn = start(&root);
    open(&conn, &uri, "dockerfile", text);
    let expected = fixed_by_scan(&root, "Dockerfile");
    assert!(expected.contains(&format!("FROM node:22.11.0@{DIGEST} AS build")));

    let actions = request(
        &conn,
        1,
        "textDocument/codeAction",
        json!({
            "textDocument": {"uri": uri},
            "range": {"start": {"line": 0, "character": 7}, "end": {"line": 0, "character": 7}},
            "context": {"diagnostics": []},
        }),
    );
    let fix = &actions[0];
    assert_eq!(fix["kind"], "quickfix", "{actions:#}");
    assert_eq!(fix["isPreferred"], true);
    assert_eq!(
        fix["title"],
        format!("Pin `node:latest` to `node:22.11.0@{DIGEST}` (`node:latest` is `22.11.0`)")
    );
    let edits = fix["edit"]["changes"][&uri].as_array().unwrap();
    let quick = apply_edits(text, edits);
    assert_eq!(quick.lines().next(), expected.lines().next());
    assert!(
        actions
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["title"].as_str().unwrap().starts_with("Suppress"))
    );

    let all = request(
        &conn,
        2,
        "textDocument/codeAction",
        json!({
            "textDocument": {"uri": uri},
            "range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}},
            "context": {"diagnostics": [], "only": ["source.fixAll"]},
        }),
    );
    let fix_all = all
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["kind"] == "source.fixAll.driftless")
        .expect("fix-all action");
    let edits = fix_all["edit"]["changes"][&uri].as_array().unwrap();
    assert_eq!(apply_edits(text, edits), expected);
}
