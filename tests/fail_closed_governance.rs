//! End to end, fail closed on governance and output (issue #13): who
//! decides what is scanned (config discovery, git-tracked files, paths that
//! yield nothing), suppressions that count only in comments, report output
//! that cannot be written, and positions in files with CR line endings.
//! Each test drives the real binary and failed on the behaviour before it.

mod common;

use std::path::Path;
use std::process::{Command as StdCommand, Stdio};

use assert_cmd::Command;
use common::temp_tree;

/// A Dockerfile with no finding (pinned by digest).
const CLEAN_DOCKERFILE: &str =
    "FROM alpine:3.20@sha256:0000000000000000000000000000000000000000000000000000000000000000\n";

/// `driftless` running in `dir`, without CI variables or colour.
fn driftless_in(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("driftless").expect("binary built");
    cmd.current_dir(dir);
    cmd.env_remove("GITHUB_ACTIONS");
    cmd.env_remove("GITHUB_WORKSPACE");
    cmd.env("NO_COLOR", "1");
    cmd
}

/// (exit code, JSON report, stderr) of `driftless scan -f json ARGS` in `dir`.
fn scan_in(dir: &Path, args: &[&str]) -> (i32, serde_json::Value, String) {
    let out = driftless_in(dir)
        .args(["scan", "-f", "json"])
        .args(args)
        .output()
        .expect("runs");
    let report = serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    (out.status.code().unwrap_or(-1), report, stderr)
}

/// (rule, path, line) of the active findings of a JSON report.
fn active(report: &serde_json::Value) -> Vec<(String, String, u64)> {
    located(report, false)
}

/// (rule, path, line) of the findings of a JSON report that a suppression
/// silenced (`suppressed`) or that are active.
fn located(report: &serde_json::Value, suppressed: bool) -> Vec<(String, String, u64)> {
    let mut v: Vec<_> = report["findings"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .filter(|f| f.get("suppressed").is_some() == suppressed)
        .map(|f| {
            (
                f["rule_id"].as_str().unwrap().to_string(),
                f["path"].as_str().unwrap().to_string(),
                f["start"]["line"].as_u64().unwrap(),
            )
        })
        .collect();
    v.sort();
    v
}

fn at(rule: &str, path: &str, line: u64) -> (String, String, u64) {
    (rule.into(), path.into(), line)
}

/// Files in `dir` whose name marks a temporary report file.
fn temporary_files(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect()
}

// ---- output faults -------------------------------------------------------

#[test]
fn a_full_disk_behind_stdout_is_an_error_exit() {
    let tree = temp_tree(&[("Dockerfile", CLEAN_DOCKERFILE)]);
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .expect("/dev/full exists");
    let out = StdCommand::new(assert_cmd::cargo::cargo_bin("driftless"))
        .current_dir(tree.path())
        .args(["scan", "."])
        .env("NO_COLOR", "1")
        .stdout(Stdio::from(full))
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("cannot write the report to stdout: No space left on device"),
        "{stderr}"
    );
}

#[test]
fn a_pipe_whose_reader_has_exited_is_an_error_exit() {
    let tree = temp_tree(&[("Dockerfile", CLEAN_DOCKERFILE)]);
    let (reader, writer) = std::io::pipe().expect("pipe");
    drop(reader);
    let out = StdCommand::new(assert_cmd::cargo::cargo_bin("driftless"))
        .current_dir(tree.path())
        .args(["scan", ".", "-f", "json"])
        .stdout(Stdio::from(writer))
        .stderr(Stdio::piped())
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("cannot write the report to stdout: Broken pipe"),
        "{stderr}"
    );
}

#[test]
fn a_report_file_that_cannot_be_written_whole_leaves_no_temporary_file() {
    let tree = temp_tree(&[("Dockerfile", CLEAN_DOCKERFILE)]);
    // A file size limit of 0 blocks makes every write to a regular file fail
    // (EFBIG) the way a full disk does; the signal it would raise is ignored.
    let script = format!(
        "trap '' XFSZ; ulimit -f 0; exec '{}' scan . -f sarif -o report.sarif",
        assert_cmd::cargo::cargo_bin("driftless").display()
    );
    let out = StdCommand::new("sh")
        .current_dir(tree.path())
        .args(["-c", &script])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("cannot write report.sarif"),
        "{out:?}"
    );
    assert_eq!(temporary_files(tree.path()), Vec::<String>::new());
    assert!(!tree.path().join("report.sarif").exists());
}

// ---- config discovery ----------------------------------------------------

/// Runs `git ARGS` in `dir`, quietly, with a fixed identity.
fn git(dir: &Path, args: &[&str]) {
    let status = StdCommand::new("git")
        .current_dir(dir)
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("git runs");
    assert!(status.success(), "git {args:?}");
}

#[test]
fn a_config_above_the_scan_root_outside_a_repository_is_not_used() {
    // A `.driftless.yaml` left in a shared parent (say /tmp) that turns a
    // rule off must not govern a scan of a project below it.
    let tree = temp_tree(&[
        (".driftless.yaml", "ignore: [TAG001]\n"),
        ("project/Dockerfile", "FROM alpine:latest\n"),
    ]);
    let (code, report, stderr) = scan_in(&tree.path().join("project"), &["."]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(active(&report), vec![at("TAG001", "Dockerfile", 1)]);
}

#[test]
fn the_config_does_not_depend_on_the_order_of_the_paths() {
    let tree = temp_tree(&[
        ("infra/.driftless.yaml", "ignore: [TAG001]\n"),
        ("infra/Dockerfile", "FROM alpine:latest\n"),
        ("app/Dockerfile", "FROM alpine:latest\n"),
    ]);
    git(tree.path(), &["init", "-q"]);
    let one = scan_in(tree.path(), &["infra/Dockerfile", "app/Dockerfile"]);
    let other = scan_in(tree.path(), &["app/Dockerfile", "infra/Dockerfile"]);
    assert_eq!(active(&one.1), active(&other.1));
    assert_eq!(
        active(&one.1),
        vec![
            at("TAG001", "app/Dockerfile", 1),
            at("TAG001", "infra/Dockerfile", 1)
        ]
    );
    // a scan of the directory alone still finds its config
    let (code, report, _) = scan_in(tree.path(), &["infra"]);
    assert_eq!((code, active(&report)), (0, vec![]));
}

// ---- paths that yield nothing ----------------------------------------------

#[test]
fn a_given_path_that_yields_no_file_is_an_error() {
    let tree = temp_tree(&[
        ("Dockerfile", "FROM alpine:latest\n"),
        ("docs/README.md", "# docs\n"),
    ]);
    for args in [&["docs"][..], &["docs/README.md"], &["Dockerfile", "docs"]] {
        let (code, _, stderr) = scan_in(tree.path(), args);
        assert_eq!(code, 2, "{args:?}: {stderr}");
        assert!(
            stderr.contains("error: nothing to scan in docs"),
            "{stderr}"
        );
    }
}

#[test]
fn the_default_path_of_an_empty_repository_passes_with_a_warning() {
    let tree = temp_tree(&[("README.md", "# nothing yet\n")]);
    let out = driftless_in(tree.path())
        .arg("scan")
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("warning: nothing to scan in ."), "{stderr}");
}

// ---- who decides what is scanned: git-tracked files --------------------------

#[test]
fn tracked_files_are_scanned_even_when_an_ignore_file_lists_them() {
    let tree = temp_tree(&[
        (".gitignore", "infra/\nbuild/\n"),
        (".ignore", "docker/\n"),
        ("infra/Dockerfile", "FROM alpine:latest\n"),
        ("docker/Dockerfile", "FROM alpine:latest\n"),
        ("vendor/Dockerfile", "FROM alpine:latest\n"),
        // build output: ignored and untracked, stays skipped
        ("build/Dockerfile", "FROM alpine:latest\n"),
        (".driftless.yaml", "exclude: [\"vendor/\"]\n"),
    ]);
    git(tree.path(), &["init", "-q"]);
    git(
        tree.path(),
        &[
            "add",
            "-f",
            "infra/Dockerfile",
            "docker/Dockerfile",
            "vendor/Dockerfile",
        ],
    );
    let (code, report, stderr) = scan_in(tree.path(), &["."]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(
        active(&report),
        vec![
            at("TAG001", "docker/Dockerfile", 1),
            at("TAG001", "infra/Dockerfile", 1)
        ],
        "tracked files hidden by .gitignore/.ignore are scanned; `exclude` still excludes"
    );
    // a subdirectory walked on its own finds its tracked files too
    let (_, report, _) = scan_in(tree.path(), &["infra"]);
    assert_eq!(active(&report), vec![at("TAG001", "infra/Dockerfile", 1)]);
}

// ---- suppressions count only where they are comments --------------------------

/// (rule, path, line) of the findings a suppression silenced.
fn suppressed(report: &serde_json::Value) -> Vec<(String, String, u64)> {
    located(report, true)
}

#[test]
fn suppression_text_inside_strings_and_scalars_suppresses_nothing() {
    let tree = temp_tree(&[
        (
            "block.yaml",
            "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n    - name: app\n      args:\n        - |\n          # driftless:ignore[TAG001] text of a block scalar\n      image: app:latest\n",
        ),
        (
            "quoted.yaml",
            "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n    - name: app\n      args: [\"a\n        # driftless:ignore[TAG001] text of a quoted scalar\"]\n      image: app:latest\n",
        ),
        (
            "Dockerfile",
            "FROM alpine:3.20@sha256:0000000000000000000000000000000000000000000000000000000000000000\nRUN echo \"see # driftless:ignore[UPD006] text of a string\" && apt-get upgrade -y\n",
        ),
        (
            "main.tf",
            "resource \"aws_instance\" \"a\" {\n  user_data = <<EOT\n# driftless:ignore[SSH002] text of a heredoc\nEOT\n  key_name = \"k\"\n  tags = { note = \"# driftless:ignore[SSH002] text of a string\" }\n}\n",
        ),
        // real comments still suppress
        (
            "real.yaml",
            "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n    - name: app\n      # driftless:ignore[TAG001] a real comment\n      image: app:latest\n",
        ),
    ]);
    let (_, report, stderr) = scan_in(tree.path(), &["--show-suppressed", "."]);
    assert_eq!(
        active(&report),
        vec![
            at("SSH002", "main.tf", 5),
            at("TAG001", "block.yaml", 9),
            at("TAG001", "quoted.yaml", 8),
            at("UPD006", "Dockerfile", 2),
        ],
        "{stderr}"
    );
    assert_eq!(suppressed(&report), vec![at("TAG001", "real.yaml", 7)]);
}

// ---- CR line endings -------------------------------------------------------------

#[test]
fn findings_in_files_with_cr_line_endings_are_on_the_right_line() {
    let tree = temp_tree(&[
        (
            "pod.yaml",
            "apiVersion: v1\rkind: Pod\rspec:\r  containers:\r    - name: a\r      image: app:latest\r    - name: b\r      # driftless:ignore[TAG001] a comment on its own line\r      image: b:latest\r",
        ),
        (
            "pod.json",
            "{\"apiVersion\": \"v1\",\r\"kind\": \"Pod\",\r\"spec\": {\"containers\": [\r{\"name\": \"a\", \"image\": \"app:latest\"}]}}\r",
        ),
    ]);
    let (code, report, stderr) = scan_in(tree.path(), &["--show-suppressed", "."]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(
        active(&report),
        vec![at("TAG001", "pod.json", 4), at("TAG001", "pod.yaml", 6)]
    );
    assert_eq!(suppressed(&report), vec![at("TAG001", "pod.yaml", 9)]);
}
