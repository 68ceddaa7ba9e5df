//! Issue #18's "done means", end to end: the real binary and the language
//! server pin a repository's mutable images from a real OCI registry on
//! loopback (Debian's `docker-registry`, images pushed by the test), each
//! at the place the value is written:
//!
//! - `FROM ${NODE_IMAGE}` → the `ARG NODE_IMAGE=node:latest` default;
//! - a Deployment on `redis` (no tag) → the `image:` scalar;
//! - an ECS task definition (`jsonencode` container definitions) whose tag
//!   comes from `var.api_tag` → the variable's default;
//! - a Kustomize overlay with `newTag: latest` → `newTag` and `digest`.
//!
//! Docker Hub names reach the loopback registry through a mirror
//! (`--registry-mirror docker.io=…`, or the config's `fix:` table for the
//! language server): nothing leaves 127.0.0.1. The repository is
//! tests/fixtures/fix/repo, copied to a temp dir per test.

#![cfg(unix)]

mod common;
#[path = "common/registry.rs"]
mod registry;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex, Weak};

use lsp_server::{Connection, Message, Notification, Request, RequestId};
use serde_json::{Value, json};

use registry::{Auth, Registry};

/// The fixed files, relative to the repository.
const DOCKERFILE: &str = "Dockerfile";
const DEPLOYMENT: &str = "k8s/base/deployment.yaml";
const VARIABLES: &str = "terraform/variables.tf";
const OVERLAY: &str = "k8s/overlays/prod/kustomization.yaml";
/// Every file of the fixture repository.
const FILES: [&str; 6] = [
    DOCKERFILE,
    DEPLOYMENT,
    "k8s/base/kustomization.yaml",
    OVERLAY,
    "terraform/main.tf",
    VARIABLES,
];

/// The registry with the repository's images pushed, and their digests.
/// `latest` shares its digest with a version tag (and less specific ones);
/// an older version is there too, so the choice is not the only tag.
struct Images {
    reg: Registry,
    node: String,
    redis: String,
    api: String,
    web: String,
}

impl Images {
    fn push(reg: Registry) -> Images {
        reg.push_image("library/node", &["20.18.0", "20"], "node 20");
        let node = reg.push_image(
            "library/node",
            &["22", "22.11", "22.11.0", "latest"],
            "node 22",
        );
        reg.push_image("library/redis", &["7.2.6"], "redis 7.2");
        let redis = reg.push_image(
            "library/redis",
            &["7", "7.4", "7.4.1", "latest"],
            "redis 7.4",
        );
        let api = reg.push_image("acme/api", &["1.4.2", "latest"], "api");
        let web = reg.push_image("acme/web", &["2.0.1", "2.0", "latest"], "web");
        Images {
            node: node.digest,
            redis: redis.digest,
            api: api.digest,
            web: web.digest,
            reg,
        }
    }

    /// `docker.io=http://127.0.0.1:PORT`.
    fn mirror(&self) -> String {
        format!("docker.io={}", self.reg.url)
    }
}

/// One registry for the tests of this file that run at the same time
/// (dropped, and the server stopped, when the last of them ends); `None`
/// after a loud skip when the registry binary is missing.
fn images(test: &str) -> Option<Arc<Images>> {
    static SHARED: Mutex<Weak<Images>> = Mutex::new(Weak::new());
    let mut shared = SHARED.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(images) = shared.upgrade() {
        return Some(images);
    }
    let images = Arc::new(Images::push(registry::start_or_skip(test, Auth::None)?));
    *shared = Arc::downgrade(&images);
    Some(images)
}

/// A fresh copy of the fixture repository.
fn repository() -> tempfile::TempDir {
    let source = common::root().join("tests/fixtures/fix/repo");
    let dir = tempfile::tempdir().expect("temp dir");
    for file in FILES {
        let to = dir.path().join(file);
        std::fs::create_dir_all(to.parent().expect("parent")).expect("dirs");
        std::fs::copy(source.join(file), to).expect("copy");
    }
    dir
}

/// Every file of the repository, as bytes.
fn snapshot(dir: &Path) -> Vec<(&'static str, Vec<u8>)> {
    FILES
        .iter()
        .map(|f| (*f, std::fs::read(dir.join(f)).expect("read")))
        .collect()
}

fn read(dir: &Path, file: &str) -> String {
    std::fs::read_to_string(dir.join(file)).expect("read")
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

/// `driftless scan ARGS… .` in `dir`.
fn scan(dir: &Path, args: &[&str]) -> Run {
    let out = common::driftless()
        .current_dir(dir)
        .arg("scan")
        .args(args)
        .arg(".")
        .output()
        .expect("runs");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// The fix flags that reach the loopback registry for Docker Hub names.
fn through(images: &Images, first: &str) -> Vec<String> {
    vec![
        first.to_owned(),
        "--registry-mirror".to_owned(),
        images.mirror(),
        "--registry-timeout".to_owned(),
        "5".to_owned(),
    ]
}

fn args(owned: &[String]) -> Vec<&str> {
    owned.iter().map(String::as_str).collect()
}

/// Each file as `--fix` must leave it: the value rewritten where it is
/// written, everything else (comments, quoting, layout) as it was.
fn expected(images: &Images, dir: &Path) -> Vec<(&'static str, String)> {
    let source = |file| read(dir, file);
    vec![
        (
            DOCKERFILE,
            source(DOCKERFILE).replace(
                "ARG NODE_IMAGE=node:latest",
                &format!("ARG NODE_IMAGE=node:22.11.0@{}", images.node),
            ),
        ),
        (
            DEPLOYMENT,
            source(DEPLOYMENT).replace(
                "image: redis # the cache",
                &format!("image: redis:7.4.1@{} # the cache", images.redis),
            ),
        ),
        (
            VARIABLES,
            source(VARIABLES).replace(
                "default     = \"latest\"",
                &format!("default     = \"1.4.2@{}\"", images.api),
            ),
        ),
        (
            OVERLAY,
            source(OVERLAY).replace(
                "    newTag: latest\n",
                &format!("    newTag: 2.0.1\n    digest: {}\n", images.web),
            ),
        ),
    ]
}

/// A second scan finds no mutable image (strict mode, so TAG003 too) and
/// every file still parses and evaluates (no PARSE001, no EVAL001).
fn assert_clean(dir: &Path) {
    let out = scan(dir, &["--strict", "--format", "json"]);
    let report: Value = serde_json::from_str(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}\n{}", out.stdout, out.stderr));
    let left: Vec<&Value> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| {
            let id = f["rule_id"].as_str().unwrap_or("");
            id.starts_with("TAG") || id == "PARSE001" || id == "EVAL001"
        })
        .collect();
    assert!(left.is_empty(), "after --fix: {left:#?}");
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
}

#[test]
fn fix_pins_from_the_loopback_registry_and_a_second_scan_is_clean() {
    let Some(images) = images("fix_pins_from_the_loopback_registry") else {
        return;
    };
    let dir = repository();
    let root = dir.path();
    let expected = expected(&images, root);

    let mut fix = through(&images, "--fix");
    fix.push("--strict".to_owned());
    let out = scan(root, &args(&fix));
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    assert!(
        out.stderr.contains("Fixed 8 findings"),
        "TAG001 and TAG003 of 3 images, TAG002 and TAG003 of redis: {}",
        out.stderr
    );
    for (file, want) in &expected {
        assert_eq!(&read(root, file), want, "{file}");
    }
    assert_clean(root);
}

#[test]
fn diff_prints_the_patch_fix_writes() {
    let Some(images) = images("diff_prints_the_patch_fix_writes") else {
        return;
    };
    let dir = repository();
    let root = dir.path();
    let before = snapshot(root);
    let want = expected(&images, root);

    let diff = scan(root, &args(&through(&images, "--diff")));
    assert_eq!(diff.code, 1, "{}", diff.stderr);
    assert!(
        diff.stderr.contains("Would fix 4 findings"),
        "{}",
        diff.stderr
    );
    assert_eq!(snapshot(root), before, "--diff wrote a file");
    for file in [DOCKERFILE, DEPLOYMENT, VARIABLES, OVERLAY] {
        assert!(
            diff.stdout
                .contains(&format!("--- a/{file}\n+++ b/{file}\n")),
            "{file} missing from the patch:\n{}",
            diff.stdout
        );
    }

    // The patch applied to an untouched copy gives what --fix writes.
    let patched = repository();
    git_apply(patched.path(), &diff.stdout);
    let fix = scan(root, &args(&through(&images, "--fix")));
    assert_eq!(fix.code, 0, "{}\n{}", fix.stdout, fix.stderr);
    assert_eq!(snapshot(patched.path()), snapshot(root));
    for (file, want) in want {
        assert_eq!(read(root, file), want, "{file}");
    }
    assert_clean(root);
}

/// Applies a unified diff in `dir` with `git apply` (outside a
/// repository it works as `patch -p1`), checking it first.
fn git_apply(dir: &Path, patch: &str) {
    let path = dir.join("..").join(format!(
        "{}.patch",
        dir.file_name().unwrap().to_string_lossy()
    ));
    std::fs::write(&path, patch).expect("patch file");
    let out = Command::new("git")
        .current_dir(dir)
        .args(["apply", "--check", "--verbose"])
        .arg(&path)
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git apply --check: {}\n{patch}",
        String::from_utf8_lossy(&out.stderr)
    );
    let status = Command::new("git")
        .current_dir(dir)
        .arg("apply")
        .arg(&path)
        .status()
        .expect("git runs");
    assert!(status.success());
    let _ = std::fs::remove_file(path);
}

// The language server: the same fix as a code action, resolved through
// the mirror the configuration file's `fix:` table names.

/// A server for `root` on a memory connection, set up from its
/// configuration file as `driftless lsp` is.
fn start_server(root: &Path) -> Connection {
    let (server_side, client_side) = Connection::memory();
    let root = root.to_path_buf();
    std::thread::spawn(move || {
        let settings = driftless::lsp::settings::EditorSettings::default();
        let setup = driftless::lsp::configure(&server_side, Some(&root), &settings);
        driftless::lsp::server::Server::new(setup, Some(root), settings).run(&server_side);
    });
    client_side
}

fn notify(conn: &Connection, method: &str, params: Value) {
    let n = Notification::new(method.into(), params);
    conn.sender.send(Message::Notification(n)).expect("send");
}

/// Sends a request and returns its result, skipping notifications.
fn request(conn: &Connection, id: i32, method: &str, params: Value) -> Value {
    let req = Request::new(RequestId::from(id), method.into(), params);
    conn.sender.send(Message::Request(req)).expect("send");
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
        let line = p["line"].as_u64().expect("line") as usize;
        let start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
        start + p["character"].as_u64().expect("character") as usize
    };
    let mut spans: Vec<(usize, usize, &str)> = edits
        .iter()
        .map(|e| {
            let r = &e["range"];
            let with = e["newText"].as_str().expect("newText");
            (offset(&r["start"]), offset(&r["end"]), with)
        })
        .collect();
    spans.sort();
    let mut out = text.to_owned();
    for (start, end, with) in spans.into_iter().rev() {
        out.replace_range(start..end, with);
    }
    out
}

/// The preferred quick fix the server offers at `line:character` of
/// `file` (opened with its text on disk), applied to `target` (the file
/// where the value is written: `file` itself, or another one).
fn quick_fix(
    conn: &Connection,
    root: &Path,
    (file, at): (&str, (u32, u32)),
    target: &str,
    id: i32,
) -> String {
    let path: PathBuf = root.join(file);
    let uri = driftless::lsp::uri::from_path(&path);
    let text = std::fs::read_to_string(&path).expect("read");
    let language = match file {
        DOCKERFILE => "dockerfile",
        f if f.ends_with(".tf") => "terraform",
        _ => "yaml",
    };
    notify(
        conn,
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": language, "version": 1, "text": text}}),
    );
    let position = json!({"line": at.0, "character": at.1});
    let actions = request(
        conn,
        id,
        "textDocument/codeAction",
        json!({
            "textDocument": {"uri": uri},
            "range": {"start": position, "end": position},
            "context": {"diagnostics": []},
        }),
    );
    let fix = actions
        .as_array()
        .expect("actions")
        .iter()
        .find(|a| a["isPreferred"] == true)
        .unwrap_or_else(|| panic!("no preferred fix in {file}: {actions:#}"));
    let target_uri = driftless::lsp::uri::from_path(&root.join(target));
    let edits = fix["edit"]["changes"][&target_uri]
        .as_array()
        .unwrap_or_else(|| panic!("no edit of {target}: {fix:#}"));
    apply_edits(&read(root, target), edits)
}

#[test]
fn quick_fix_resolves_through_the_loopback_registry() {
    let Some(images) = images("quick_fix_resolves_through_the_loopback_registry") else {
        return;
    };
    let dir = repository();
    let root = dir.path().canonicalize().expect("canonical");
    std::fs::write(
        root.join(".driftless.yaml"),
        format!(
            "fix:\n  registry_timeout: 5\n  registry_mirrors:\n    docker.io: {}\n",
            images.reg.url
        ),
    )
    .expect("config");
    let want = expected(&images, &root);
    let conn = start_server(&root);
    // The finding is on `FROM ${NODE_IMAGE}` (line 4); the edit is the
    // `ARG` default two lines above.
    let dockerfile = quick_fix(&conn, &root, (DOCKERFILE, (3, 8)), DOCKERFILE, 1);
    assert_eq!(dockerfile, want[0].1);
    let deployment = quick_fix(&conn, &root, (DEPLOYMENT, (16, 18)), DEPLOYMENT, 2);
    assert_eq!(deployment, want[1].1);
    // The ECS task's image is used in main.tf; the edit is the variable's
    // default in variables.tf.
    let variables = quick_fix(&conn, &root, ("terraform/main.tf", (19, 20)), VARIABLES, 3);
    assert_eq!(variables, want[2].1);
    let overlay = quick_fix(&conn, &root, (OVERLAY, (6, 14)), OVERLAY, 4);
    assert_eq!(overlay, want[3].1);
}

/// `--no-network` still makes the fixes that need no server: a registry
/// module pinned to the version `terraform init` recorded (nothing listens
/// on 127.0.0.1:9), while an image pin is counted as waiting for the
/// network.
#[test]
fn no_network_still_pins_a_module_to_the_version_terraform_init_installed() {
    let main =
        "module \"app\" {\n  source  = \"127.0.0.1:9/ns/app/aws\"\n  version = \">= 1.0\"\n}\n";
    let modules = r#"{"Modules":[{"Key":"","Source":"","Dir":"."},{"Key":"app","Source":"127.0.0.1:9/ns/app/aws","Version":"1.2.0","Dir":".terraform/modules/app"}]}"#;
    let dir = common::temp_tree(&[
        ("main.tf", main),
        (".terraform/modules/modules.json", modules),
        ("Dockerfile", "FROM node:latest\n"),
    ]);
    let out = scan(
        dir.path(),
        &["--fix", "--no-network", "--select", "VER001,TAG001"],
    );
    assert!(
        out.stderr
            .contains("Fixed 1 finding (1 fix needs the network; run without --no-network)"),
        "{}",
        out.stderr
    );
    assert_eq!(read(dir.path(), "main.tf"), main.replace(">= 1.0", "1.2.0"));
    assert_eq!(read(dir.path(), "Dockerfile"), "FROM node:latest\n");
    assert_eq!(out.code, 1, "TAG001 stays: {}", out.stdout);
}

#[test]
fn a_quick_fix_is_disabled_when_its_value_feeds_another_image() {
    let Some(images) = images("a_quick_fix_is_disabled_when_its_value_feeds_another_image") else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path().canonicalize().expect("canonical");
    let text = "ARG V=latest\nFROM node:${V} AS build\nFROM redis:${V}\n";
    std::fs::write(root.join(DOCKERFILE), text).expect("Dockerfile");
    std::fs::write(
        root.join(".driftless.yaml"),
        format!(
            "fix:\n  registry_mirrors:\n    docker.io: {}\n",
            images.reg.url
        ),
    )
    .expect("config");
    let conn = start_server(&root);
    let uri = driftless::lsp::uri::from_path(&root.join(DOCKERFILE));
    notify(
        &conn,
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "dockerfile", "version": 1, "text": text}}),
    );
    let actions = request(
        &conn,
        1,
        "textDocument/codeAction",
        json!({
            "textDocument": {"uri": uri},
            "range": {"start": {"line": 1, "character": 6}, "end": {"line": 1, "character": 6}},
            "context": {"diagnostics": []},
        }),
    );
    let pin = actions
        .as_array()
        .expect("actions")
        .iter()
        .find(|a| a["title"] == "Fix TAG001")
        .unwrap_or_else(|| panic!("no disabled pin: {actions:#}"));
    let reason = pin["disabled"]["reason"].as_str().expect("a reason");
    assert!(
        reason.contains("the value at ") && reason.contains("is used by other findings"),
        "{reason}"
    );
}
