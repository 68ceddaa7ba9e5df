//! End to end: spawn `driftless lsp` and speak JSON-RPC over its stdio like
//! an editor — initialize, open documents, receive diagnostics, change
//! them (debounced), ask for the quick fix, close, shut down and exit.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const TIMEOUT: Duration = Duration::from_secs(30);

/// A minimal LSP client over the server's stdin/stdout.
struct Client {
    child: Child,
    stdin: Option<ChildStdin>,
    incoming: Receiver<Value>,
    /// Messages received while waiting for something else.
    backlog: Vec<Value>,
    next_id: i64,
}

impl Client {
    fn spawn(cwd: &Path) -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_driftless"))
            .arg("lsp")
            .current_dir(cwd)
            .env("NO_COLOR", "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("driftless lsp starts");
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, incoming) = channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            while let Some(msg) = read_message(&mut reader) {
                if tx.send(msg).is_err() {
                    break;
                }
            }
        });
        let stdin = child.stdin.take();
        Client {
            child,
            stdin,
            incoming,
            backlog: Vec::new(),
            next_id: 1,
        }
    }

    fn send(&mut self, msg: Value) {
        let body = msg.to_string();
        let stdin = self.stdin.as_mut().expect("stdin open");
        write!(stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        stdin.flush().unwrap();
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// Sends a request and returns its response (notifications that arrive
    /// first are kept for later).
    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        self.wait(&format!("response to {method}"), |m| m["id"] == json!(id))
    }

    /// The first message (from the backlog, then the wire) that matches.
    fn wait(&mut self, what: &str, pred: impl Fn(&Value) -> bool) -> Value {
        if let Some(i) = self.backlog.iter().position(&pred) {
            return self.backlog.remove(i);
        }
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.incoming.recv_timeout(left) {
                Ok(msg) if pred(&msg) => return msg,
                Ok(msg) => self.backlog.push(msg),
                Err(RecvTimeoutError::Timeout) => {
                    panic!("timed out waiting for {what}; got {:#?}", self.backlog)
                }
                Err(RecvTimeoutError::Disconnected) => {
                    panic!("server closed the connection waiting for {what}")
                }
            }
        }
    }

    /// The next diagnostics published for `uri` (optionally for a version).
    fn diagnostics(&mut self, uri: &str, version: Option<i64>) -> Vec<Value> {
        let msg = self.wait(&format!("diagnostics for {uri} {version:?}"), |m| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == uri
                && version.is_none_or(|v| m["params"]["version"] == json!(v))
        });
        msg["params"]["diagnostics"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    fn initialize(&mut self, root: &Path) -> Value {
        let response = self.request(
            "initialize",
            json!({
                "processId": null,
                "rootUri": file_uri(root),
                "workspaceFolders": [{"uri": file_uri(root), "name": "w"}],
                "capabilities": {},
            }),
        );
        self.notify("initialized", json!({}));
        response
    }

    fn open(&mut self, uri: &str, language: &str, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": language, "version": 1, "text": text}}),
        );
    }

    fn change(&mut self, uri: &str, version: i64, text: &str) {
        self.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": text}]}),
        );
    }

    /// `shutdown` then `exit`; returns the exit status.
    fn shutdown(mut self) -> Option<i32> {
        let response = self.request("shutdown", Value::Null);
        assert_eq!(response["result"], Value::Null, "{response}");
        self.notify("exit", Value::Null);
        self.stdin = None;
        self.wait_exit()
    }

    fn wait_exit(&mut self) -> Option<i32> {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.code();
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("server did not exit");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn read_message(reader: &mut impl BufRead) -> Option<Value> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(v) = line.strip_prefix("Content-Length: ") {
            length = v.parse::<usize>().ok();
        }
    }
    let mut body = vec![0; length?];
    reader.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}

fn file_uri(path: &Path) -> String {
    let text = path.to_string_lossy().replace('\\', "/");
    if text.starts_with('/') {
        format!("file://{text}")
    } else {
        format!("file:///{text}")
    }
}

fn codes(diags: &[Value]) -> Vec<String> {
    diags
        .iter()
        .map(|d| d["code"].as_str().unwrap_or_default().to_string())
        .collect()
}

fn range(d: &Value) -> (u64, u64, u64, u64) {
    let r = &d["range"];
    (
        r["start"]["line"].as_u64().unwrap(),
        r["start"]["character"].as_u64().unwrap(),
        r["end"]["line"].as_u64().unwrap(),
        r["end"]["character"].as_u64().unwrap(),
    )
}

/// The "suppress with a reason" actions of a codeAction response (the
/// rule's own fixes come first; tests/fix_lsp.rs covers them).
fn suppressions(response: &Value) -> Vec<Value> {
    let actions = response["result"].as_array().expect("actions");
    actions
        .iter()
        .filter(|a| a["title"].as_str().unwrap_or("").starts_with("Suppress"))
        .cloned()
        .collect()
}

#[test]
fn diagnostics_changes_quick_fix_and_clean_exit() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    // Code actions on `nginx:latest` would ask Docker Hub for the pin: this
    // test stays offline (tests/fix_e2e.rs pins through a loopback registry).
    std::fs::write(root.join(".driftless.yaml"), "fix: {network: false}\n").unwrap();
    let mut client = Client::spawn(&root);
    let init = client.initialize(&root);
    let caps = &init["result"]["capabilities"];
    assert_eq!(caps["textDocumentSync"]["change"], 1, "{init}");
    assert_eq!(caps["textDocumentSync"]["openClose"], true);
    assert_eq!(
        caps["codeActionProvider"]["codeActionKinds"],
        json!(["quickfix", "source.fixAll.driftless"])
    );
    assert_eq!(init["result"]["serverInfo"]["name"], "driftless");

    // didOpen: the Dockerfile is linted at once.
    let docker = file_uri(&root.join("Dockerfile"));
    client.open(&docker, "dockerfile", "FROM alpine:latest\nRUN echo hi\n");
    let diags = client.diagnostics(&docker, Some(1));
    assert_eq!(codes(&diags), vec!["TAG001"], "{diags:#?}");
    let d = &diags[0];
    assert_eq!(range(d), (0, 5, 0, 18));
    assert_eq!(d["severity"], 1);
    assert_eq!(d["source"], "driftless");
    assert!(
        d["codeDescription"]["href"]
            .as_str()
            .unwrap()
            .ends_with("#tag001"),
        "{d}"
    );
    assert!(d["message"].as_str().unwrap().contains("alpine:latest"));

    // Kubernetes YAML: UTF-16 columns (the emoji counts twice).
    let pod = file_uri(&root.join("pod.yaml"));
    client.open(
        &pod,
        "yaml",
        "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n  containers: [{name: \"😀\", image: nginx:latest}]\n",
    );
    let diags = client.diagnostics(&pod, Some(1));
    let tag = diags
        .iter()
        .find(|d| d["code"] == "TAG001")
        .expect("TAG001");
    assert_eq!(range(tag), (4, 35, 4, 47), "{diags:#?}");

    // Code action on the finding: insert an ignore above it, indented.
    let actions = client.request(
        "textDocument/codeAction",
        json!({
            "textDocument": {"uri": pod},
            "range": {"start": {"line": 4, "character": 40}, "end": {"line": 4, "character": 40}},
            "context": {"diagnostics": []},
        }),
    );
    let pin = actions["result"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["title"] == "Fix TAG001")
        .expect("the pin, disabled offline");
    assert_eq!(
        pin["disabled"]["reason"],
        driftless::fix::NEEDS_NETWORK,
        "{pin:#}"
    );
    let actions = suppressions(&actions);
    assert_eq!(actions.len(), 1, "{actions:#?}");
    assert_eq!(actions[0]["kind"], "quickfix");
    assert_eq!(actions[0]["diagnostics"][0]["code"], "TAG001");
    let edit = &actions[0]["edit"]["changes"][&pod][0];
    assert_eq!(edit["newText"], "  # driftless:ignore[TAG001] <reason>\n");
    assert_eq!(edit["range"]["start"], json!({"line": 4, "character": 0}));

    // didChange: several quick changes are coalesced into one lint of the
    // last version.
    client.change(&docker, 2, "FROM alpine:lat");
    client.change(&docker, 3, "FROM alpine:3.20.3\n");
    let diags = client.diagnostics(&docker, Some(3));
    assert!(diags.is_empty(), "{diags:#?}");
    assert!(
        !client
            .backlog
            .iter()
            .any(|m| m["params"]["uri"] == docker && m["params"]["version"] == 2),
        "version 2 was linted although version 3 followed at once"
    );

    // A change followed at once by a request is linted before the request
    // is answered (the diagnostics arrive first).
    client.change(&docker, 4, "FROM alpine\n");
    let actions = client.request(
        "textDocument/codeAction",
        json!({
            "textDocument": {"uri": docker},
            "range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 11}},
            "context": {"diagnostics": []},
        }),
    );
    let diags = client.diagnostics(&docker, Some(4));
    assert_eq!(codes(&diags), vec!["TAG002"]);
    let edit = &suppressions(&actions)[0]["edit"]["changes"][&docker][0];
    assert_eq!(edit["newText"], "# driftless:ignore[TAG002] <reason>\n");

    // didSave with text re-lints at once.
    client.notify(
        "textDocument/didSave",
        json!({"textDocument": {"uri": docker}, "text": "FROM alpine:latest\n"}),
    );
    let diags = client.diagnostics(&docker, None);
    assert_eq!(codes(&diags), vec!["TAG001"]);

    // didClose clears the document's diagnostics.
    client.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": docker}}),
    );
    let diags = client.diagnostics(&docker, None);
    assert!(diags.is_empty());

    assert_eq!(client.shutdown(), Some(0));
}

#[test]
fn bad_buffers_become_parse_diagnostics_and_the_server_survives() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    let mut client = Client::spawn(&root);
    client.initialize(&root);

    let yaml = file_uri(&root.join("broken.yaml"));
    client.open(&yaml, "yaml", "apiVersion: v1\nkind: Pod\nspec: [\n  {\n");
    let diags = client.diagnostics(&yaml, Some(1));
    assert_eq!(codes(&diags), vec!["PARSE001"], "{diags:#?}");
    assert_eq!(diags[0]["severity"], 1);

    let json_uri = file_uri(&root.join("plan.json"));
    client.open(
        &json_uri,
        "json",
        "{\"apiVersion\": \"v1\", \"kind\": \"Pod\", ",
    );
    let diags = client.diagnostics(&json_uri, Some(1));
    assert_eq!(codes(&diags), vec!["PARSE001"], "{diags:#?}");

    let docker = file_uri(&root.join("Dockerfile"));
    client.open(&docker, "dockerfile", "\u{0}\u{1}FROM \\\n\\\n");
    client.diagnostics(&docker, Some(1));

    // Unknown requests get an error response, not a crash.
    let response = client.request("textDocument/hover", json!({}));
    assert!(response["error"].is_object(), "{response}");

    // Still alive and linting.
    client.change(
        &yaml,
        2,
        "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n    - image: nginx\n",
    );
    let diags = client.diagnostics(&yaml, Some(2));
    assert_eq!(codes(&diags), vec!["TAG002"], "{diags:#?}");

    assert_eq!(client.shutdown(), Some(0));
}

#[test]
fn exit_without_shutdown_is_status_one() {
    let dir = tempfile::tempdir().unwrap();
    let mut client = Client::spawn(dir.path());
    client.initialize(dir.path());
    client.notify("exit", Value::Null);
    client.stdin = None;
    assert_eq!(client.wait_exit(), Some(1));
}

#[test]
fn terraform_uses_the_module_on_disk_and_unsaved_buffers() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    let infra = root.join("infra");
    std::fs::create_dir_all(&infra).unwrap();
    std::fs::write(
        infra.join("variables.tf"),
        "variable \"image_tag\" {\n  default = \"latest\"\n}\n",
    )
    .unwrap();
    let main_tf = "resource \"kubernetes_pod\" \"app\" {\n  metadata {\n    name = \"app\"\n  }\n  spec {\n    container {\n      name  = \"app\"\n      image = \"nginx:${var.image_tag}\"\n    }\n  }\n}\n";
    std::fs::write(infra.join("main.tf"), main_tf).unwrap();
    let mut client = Client::spawn(&root);
    client.initialize(&root);

    // main.tf alone is open: the variable default comes from disk.
    let main_uri = file_uri(&infra.join("main.tf"));
    client.open(&main_uri, "terraform", main_tf);
    let diags = client.diagnostics(&main_uri, Some(1));
    assert_eq!(codes(&diags), vec!["TAG001"], "{diags:#?}");
    assert_eq!(range(&diags[0]).0, 7, "{diags:#?}");

    // An unsaved edit of variables.tf changes main.tf's diagnostics.
    let vars_uri = file_uri(&infra.join("variables.tf"));
    client.open(
        &vars_uri,
        "terraform",
        "variable \"image_tag\" {\n  default = \"latest\"\n}\n",
    );
    client.diagnostics(&vars_uri, Some(1));
    let diags = client.diagnostics(&main_uri, Some(1));
    assert_eq!(
        codes(&diags),
        vec!["TAG001"],
        "re-published with the module: {diags:#?}"
    );
    client.change(
        &vars_uri,
        2,
        "variable \"image_tag\" {\n  default = \"1.27.2\"\n}\n",
    );
    let diags = client.diagnostics(&main_uri, Some(1));
    assert!(diags.is_empty(), "{diags:#?}");

    // Closing the unsaved buffer brings back the file on disk.
    client.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": vars_uri}}),
    );
    let diags = client.diagnostics(&main_uri, Some(1));
    assert_eq!(codes(&diags), vec!["TAG001"], "{diags:#?}");

    // A syntax error in the open buffer is a PARSE001 at its place.
    client.change(&main_uri, 2, "resource \"x\" {\n");
    let diags = client.diagnostics(&main_uri, Some(2));
    assert_eq!(codes(&diags), vec!["PARSE001"], "{diags:#?}");

    assert_eq!(client.shutdown(), Some(0));
}

#[test]
fn config_file_and_inline_suppressions_are_honoured() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    std::fs::create_dir_all(root.join(".git")).unwrap();
    std::fs::write(
        root.join(".driftless.yaml"),
        "ignore: [TAG002]\nseverity:\n  TAG001: low\n",
    )
    .unwrap();
    let mut client = Client::spawn(&root);
    client.initialize(&root);

    // The config drops TAG002 and lowers TAG001 to low (information).
    let docker = file_uri(&root.join("Dockerfile"));
    client.open(&docker, "dockerfile", "FROM alpine:latest\nFROM busybox\n");
    let diags = client.diagnostics(&docker, Some(1));
    assert_eq!(codes(&diags), vec!["TAG001"], "{diags:#?}");
    assert_eq!(diags[0]["severity"], 3, "{diags:#?}");

    // The quick fix's comment, with a real reason, suppresses the finding.
    client.change(
        &docker,
        2,
        "# driftless:ignore[TAG001] base image is rebuilt nightly\nFROM alpine:latest\nFROM busybox\n",
    );
    let diags = client.diagnostics(&docker, Some(2));
    assert!(diags.is_empty(), "{diags:#?}");

    // Without a reason it does not suppress, and says why.
    client.change(
        &docker,
        3,
        "# driftless:ignore[TAG001]\nFROM alpine:latest\n",
    );
    let diags = client.diagnostics(&docker, Some(3));
    let mut got = codes(&diags);
    got.sort();
    assert_eq!(got, vec!["TAG001", "invalid-suppression"], "{diags:#?}");
    let warning = diags
        .iter()
        .find(|d| d["code"] == "invalid-suppression")
        .unwrap();
    assert_eq!(warning["severity"], 2);
    assert_eq!(range(warning).0, 0);
    assert!(
        warning["message"].as_str().unwrap().contains("reason"),
        "{warning}"
    );

    // Saving a changed config applies it to the open documents, no restart.
    client.change(&docker, 4, "FROM alpine:latest\nFROM busybox\n");
    assert_eq!(codes(&client.diagnostics(&docker, Some(4))), vec!["TAG001"]);
    let config = root.join(".driftless.yaml");
    std::fs::write(&config, "ignore: [TAG001]\n").unwrap();
    client.notify(
        "textDocument/didSave",
        json!({"textDocument": {"uri": file_uri(&config)}}),
    );
    let diags = client.diagnostics(&docker, Some(4));
    assert_eq!(codes(&diags), vec!["TAG002"], "{diags:#?}");
    assert_eq!(diags[0]["severity"], 1, "{diags:#?}");

    assert_eq!(client.shutdown(), Some(0));
}

impl Client {
    /// `initialize` with the editor's settings as initialization options.
    fn initialize_with(&mut self, root: &Path, options: Value) -> Value {
        let response = self.request(
            "initialize",
            json!({
                "processId": null,
                "rootUri": file_uri(root),
                "workspaceFolders": [{"uri": file_uri(root), "name": "w"}],
                "capabilities": {},
                "initializationOptions": options,
            }),
        );
        self.notify("initialized", json!({}));
        response
    }

    /// The next `window/showMessage` text.
    fn shown_message(&mut self) -> String {
        let msg = self.wait("a shown message", |m| m["method"] == "window/showMessage");
        msg["params"]["message"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }
}

#[test]
fn editor_settings_apply_at_start_and_on_change() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    std::fs::create_dir_all(root.join(".git")).unwrap();
    std::fs::create_dir_all(root.join("ci")).unwrap();
    // The workspace's own config would ignore TAG001; the setting names
    // another file, which ignores TAG002 instead.
    std::fs::write(root.join(".driftless.yaml"), "ignore: [TAG001]\n").unwrap();
    let named = root.join("ci/driftless.yaml");
    std::fs::write(&named, "ignore: [TAG002]\n").unwrap();
    let mut client = Client::spawn(&root);
    client.initialize_with(
        &root,
        json!({"driftless": {"config": "ci/driftless.yaml", "strict": true, "path": "/ignored"}}),
    );

    // strict enables TAG003; the named config drops TAG002, keeps TAG001.
    let docker = file_uri(&root.join("Dockerfile"));
    let text = "FROM alpine:3.20.3\nFROM busybox\nFROM nginx:latest\n";
    client.open(&docker, "dockerfile", text);
    let mut got = codes(&client.diagnostics(&docker, Some(1)));
    got.sort();
    got.dedup();
    assert_eq!(got, vec!["TAG001", "TAG003"]);

    // A settings change re-lints open documents without a restart:
    // select replaces the rule choice, strict is off again.
    client.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"driftless": {"select": ["TAG002"]}}}),
    );
    let diags = client.diagnostics(&docker, Some(1));
    assert_eq!(codes(&diags), vec!["TAG002"], "{diags:#?}");

    // Saving the file the setting names applies it too.
    client.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"driftless": {"config": "ci/driftless.yaml"}}}),
    );
    let mut got = codes(&client.diagnostics(&docker, Some(1)));
    got.sort();
    assert_eq!(got, vec!["TAG001"]);
    std::fs::write(&named, "ignore: [TAG001]\n").unwrap();
    client.notify(
        "textDocument/didSave",
        json!({"textDocument": {"uri": file_uri(&named)}}),
    );
    let diags = client.diagnostics(&docker, Some(1));
    assert_eq!(codes(&diags), vec!["TAG002"], "{diags:#?}");

    // Invalid settings are shown and change nothing.
    client.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"driftless": {"strict": "yes"}}}),
    );
    let message = client.shown_message();
    assert!(
        message.contains("invalid `driftless` settings"),
        "{message}"
    );

    // An unknown rule ID is shown, like `--select` makes scan exit 2.
    client.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"driftless": {"select": ["NOPE001"]}}}),
    );
    let message = client.shown_message();
    assert!(message.contains("unknown rule ID `NOPE001`"), "{message}");

    // A named config file that does not exist is an error, not the defaults
    // in silence.
    client.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"driftless": {"config": "missing.yaml"}}}),
    );
    let message = client.shown_message();
    assert!(message.contains("missing.yaml"), "{message}");

    assert_eq!(client.shutdown(), Some(0));
}

#[test]
fn explain_request_answers_from_the_catalogue_in_force() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    std::fs::create_dir_all(root.join(".git")).unwrap();
    std::fs::write(root.join(".driftless.yaml"), "severity:\n  TAG001: low\n").unwrap();
    let mut client = Client::spawn(&root);
    let init = client.initialize(&root);
    assert_eq!(
        init["result"]["capabilities"]["experimental"]["explainProvider"], true,
        "{init}"
    );

    let response = client.request("driftless/explain", json!({"id": "tag001"}));
    let e = &response["result"];
    assert_eq!(e["id"], "TAG001", "{response}");
    assert_eq!(e["severity"], "low", "the config's override: {response}");
    assert!(e["href"].as_str().unwrap().ends_with("#tag001"));
    let markdown = e["markdown"].as_str().unwrap();
    assert!(markdown.starts_with("# TAG001"), "{markdown}");
    assert!(markdown.contains("**How to fix:**"), "{markdown}");

    let response = client.request("driftless/explain", json!({"id": "NOPE001"}));
    assert!(
        response["error"]["message"]
            .as_str()
            .unwrap()
            .contains("NOPE001"),
        "{response}"
    );
    let response = client.request("driftless/explain", json!({}));
    assert!(response["error"].is_object(), "{response}");
    assert_eq!(client.shutdown(), Some(0));
}

#[test]
fn excluded_files_get_no_diagnostics() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    std::fs::create_dir_all(root.join(".git")).unwrap();
    std::fs::write(root.join(".driftless.yaml"), "exclude: [\"vendor/\"]\n").unwrap();
    let mut client = Client::spawn(&root);
    client.initialize(&root);
    let vendored = file_uri(&root.join("vendor/Dockerfile"));
    client.open(&vendored, "dockerfile", "FROM alpine:latest\n");
    assert!(client.diagnostics(&vendored, Some(1)).is_empty());
    let own = file_uri(&root.join("Dockerfile"));
    client.open(&own, "dockerfile", "FROM alpine:latest\n");
    assert_eq!(codes(&client.diagnostics(&own, Some(1))), vec!["TAG001"]);
    assert_eq!(client.shutdown(), Some(0));
}

#[test]
fn a_kustomize_patch_open_in_the_editor_gets_no_absence_finding() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    std::fs::create_dir_all(root.join(".git")).unwrap();
    std::fs::create_dir_all(root.join("overlay")).unwrap();
    std::fs::write(
        root.join("overlay/kustomization.yaml"),
        "resources:\n  - ../base\npatches:\n  - path: config.yaml\n",
    )
    .unwrap();
    let config = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\ndata:\n  LEVEL: debug\n";
    let mut client = Client::spawn(&root);
    client.initialize(&root);
    let patch = file_uri(&root.join("overlay/config.yaml"));
    client.open(&patch, "yaml", config);
    assert!(codes(&client.diagnostics(&patch, Some(1))).is_empty());
    let standalone = file_uri(&root.join("overlay/other.yaml"));
    client.open(&standalone, "yaml", config);
    assert_eq!(
        codes(&client.diagnostics(&standalone, Some(1))),
        vec!["VER006"]
    );
    assert_eq!(client.shutdown(), Some(0));
}

/// The reason the pin of the finding at the start of `uri` is disabled.
fn pin_disabled_reason(client: &mut Client, uri: &str) -> String {
    let actions = client.request(
        "textDocument/codeAction",
        json!({
            "textDocument": {"uri": uri},
            "range": {"start": {"line": 0, "character": 6}, "end": {"line": 0, "character": 6}},
            "context": {"diagnostics": []},
        }),
    );
    let pin = actions["result"]
        .as_array()
        .expect("actions")
        .iter()
        .find(|a| a["title"] == "Fix TAG001")
        .cloned()
        .unwrap_or_else(|| panic!("no disabled pin: {actions:#}"));
    pin["disabled"]["reason"]
        .as_str()
        .expect("a reason")
        .to_owned()
}

#[test]
fn code_actions_follow_the_config_fix_table_and_its_saves() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    let config = root.join(".driftless.yaml");
    std::fs::write(&config, "fix: {network: false}\n").unwrap();
    let mut client = Client::spawn(&root);
    client.initialize(&root);
    let docker = file_uri(&root.join("Dockerfile"));
    client.open(&docker, "dockerfile", "FROM alpine:latest\n");
    client.diagnostics(&docker, Some(1));
    let offline = pin_disabled_reason(&mut client, &docker);
    assert!(offline.starts_with("needs the network"), "{offline}");

    // Saved with a mirror that refuses at once: the lookup goes there (no
    // internet), and fails with the mirror's error.
    std::fs::write(
        &config,
        "fix:\n  registry_mirrors:\n    docker.io: http://127.0.0.1:9\n",
    )
    .unwrap();
    client.notify(
        "textDocument/didSave",
        json!({"textDocument": {"uri": file_uri(&config)}}),
    );
    client.diagnostics(&docker, Some(1));
    let refused = pin_disabled_reason(&mut client, &docker);
    assert!(
        refused.contains("from registry docker.io (http://127.0.0.1:9)"),
        "{refused}"
    );
    assert_eq!(client.shutdown(), Some(0));
}

/// A root module open in the editor is composed with the local child it
/// calls, as the scan composes it: the `latest` the root passes is a
/// TAG001 at the root's argument, with the child's resource named.
#[test]
fn a_root_module_is_composed_with_its_local_child() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    let child = root.join("modules/app");
    let env = root.join("envs/prod");
    std::fs::create_dir_all(&child).unwrap();
    std::fs::create_dir_all(&env).unwrap();
    std::fs::write(
        child.join("main.tf"),
        "variable \"tag\" {\n  default = \"1.2.3\"\n}\n\nresource \"docker_container\" \"app\" {\n  name  = \"app\"\n  image = \"registry.example.com/app:${var.tag}\"\n}\n",
    )
    .unwrap();
    let env_tf = "module \"api\" {\n  source = \"../../modules/app\"\n  tag    = \"latest\"\n}\n";
    std::fs::write(env.join("main.tf"), env_tf).unwrap();
    let mut client = Client::spawn(&root);
    client.initialize(&root);

    let env_uri = file_uri(&env.join("main.tf"));
    client.open(&env_uri, "terraform", env_tf);
    let diags = client.diagnostics(&env_uri, Some(1));
    let tag001: Vec<&Value> = diags.iter().filter(|d| d["code"] == "TAG001").collect();
    assert_eq!(tag001.len(), 1, "{diags:#?}");
    assert_eq!(range(tag001[0]).0, 2, "at the argument: {diags:#?}");
    let message = tag001[0]["message"].as_str().unwrap();
    assert!(
        message.contains("module.api.docker_container.app"),
        "{message}"
    );

    // The child open on its own: its default is pinned, nothing to report.
    let child_uri = file_uri(&child.join("main.tf"));
    let child_tf = std::fs::read_to_string(child.join("main.tf")).unwrap();
    client.open(&child_uri, "terraform", &child_tf);
    let diags = client.diagnostics(&child_uri, Some(1));
    assert!(!diags.iter().any(|d| d["code"] == "TAG001"), "{diags:#?}");

    // An unsaved edit of the child that stops using `var.tag` clears the
    // root's finding: the root is composed with the child's buffer.
    client.change(
        &child_uri,
        2,
        &child_tf.replace("app:${var.tag}", "app:4.5.6"),
    );
    let diags = client.diagnostics(&env_uri, Some(1));
    assert!(!diags.iter().any(|d| d["code"] == "TAG001"), "{diags:#?}");

    // Closing the child's buffer brings back its file on disk.
    client.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": child_uri}}),
    );
    let diags = client.diagnostics(&env_uri, Some(1));
    assert_eq!(
        diags.iter().filter(|d| d["code"] == "TAG001").count(),
        1,
        "{diags:#?}"
    );
    assert_eq!(client.shutdown(), Some(0));
}
