//! Hostile and broken input: every case runs the real binary in a child
//! process with a generous time limit (killed and failed past it) and
//! asserts the exit code, the diagnostic (rule, file, line, column, message)
//! and that nothing panicked. Large inputs are generated here, in temporary
//! directories, never committed.

mod common;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Generous: the slowest case takes a few seconds in a debug build on a
/// busy 2-core machine. A hang is what this catches, not slowness.
const TIME_LIMIT: Duration = Duration::from_secs(60);

/// What one run of the binary did.
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    /// The JSON report (runs made with `-f json`).
    fn report(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "invalid JSON report ({e}):\n{}\nstderr: {}",
                self.stdout, self.stderr
            )
        })
    }

    /// Every finding as (rule, path, line, column, message), sorted.
    fn findings(&self) -> Vec<Hit> {
        let mut hits: Vec<Hit> = self.report()["findings"]
            .as_array()
            .expect("findings array")
            .iter()
            .map(|f| Hit {
                rule: f["rule_id"].as_str().unwrap_or_default().to_string(),
                path: f["path"].as_str().unwrap_or_default().to_string(),
                line: f["start"]["line"].as_u64().unwrap_or_default(),
                column: f["start"]["column"].as_u64().unwrap_or_default(),
                message: f["message"].as_str().unwrap_or_default().to_string(),
            })
            .collect();
        hits.sort();
        hits
    }

    /// The PARSE001 findings only.
    fn parse_errors(&self) -> Vec<Hit> {
        self.findings()
            .into_iter()
            .filter(|h| h.rule == "PARSE001")
            .collect()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Hit {
    rule: String,
    path: String,
    line: u64,
    column: u64,
    message: String,
}

/// A finding without its message, for cases where the message is checked apart.
fn at(rule: &str, path: &str, line: u64, column: u64) -> (String, String, u64, u64) {
    (rule.to_string(), path.to_string(), line, column)
}

fn located(hits: &[Hit]) -> Vec<(String, String, u64, u64)> {
    hits.iter()
        .map(|h| (h.rule.clone(), h.path.clone(), h.line, h.column))
        .collect()
}

/// Runs `driftless ARGS` in `dir` under the time limit; fails the test on a
/// hang, a panic or an abort (signal, exit 101/134).
fn run_in(dir: &Path, args: &[&str]) -> Run {
    run_command(Command::new(env!("CARGO_BIN_EXE_driftless")), dir, args)
}

fn run_command(mut cmd: Command, dir: &Path, args: &[&str]) -> Run {
    let started = Instant::now();
    let mut child = cmd
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("GITHUB_ACTIONS")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("binary starts");
    // Drain the pipes on threads so a large report cannot block the child.
    let mut out = child.stdout.take().expect("stdout");
    let mut err = child.stderr.take().expect("stderr");
    let out = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = out.read_to_end(&mut s);
        s
    });
    let err = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = err.read_to_end(&mut s);
        s
    });
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if started.elapsed() > TIME_LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            panic!("driftless {args:?} did not finish within {TIME_LIMIT:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let stdout = String::from_utf8_lossy(&out.join().unwrap_or_default()).into_owned();
    let stderr = String::from_utf8_lossy(&err.join().unwrap_or_default()).into_owned();
    let code = status.code().unwrap_or_else(|| {
        panic!("driftless {args:?} was killed by a signal: {status:?}\nstderr: {stderr}")
    });
    assert!(
        !stderr.contains("panicked") && !stderr.contains("overflowed its stack"),
        "driftless {args:?} panicked:\n{stderr}"
    );
    assert!(
        code == 0 || code == 1 || code == 2,
        "driftless {args:?} exited {code}:\n{stderr}"
    );
    Run {
        code,
        stdout,
        stderr,
    }
}

/// `driftless scan -f json ARGS` in `dir`.
fn scan(dir: &Path, args: &[&str]) -> Run {
    let mut all = vec!["scan", "-f", "json"];
    all.extend_from_slice(args);
    run_in(dir, &all)
}

fn write(dir: &Path, rel: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.join(rel);
    std::fs::create_dir_all(path.parent().expect("has a parent")).expect("mkdir");
    std::fs::write(&path, bytes).expect("write");
    path
}

fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().expect("temp dir")
}

const POD: &str = "apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
    - name: web
      image: nginx:latest
";

const POD_JSON: &str = r#"{
  "apiVersion": "v1",
  "kind": "Pod",
  "metadata": {"name": "j"},
  "spec": {
    "containers": [
      {"name": "a", "image": "nginx:latest"}
    ]
  }
}
"#;

const DOCKERFILE: &str =
    "FROM ubuntu:latest\nRUN apt-get update && \\\n    apt-get install -y curl=7.88.1-10\n";

const TERRAFORM: &str = r#"terraform {
  required_version = ">= 1.5"
}

resource "aws_security_group" "ssh" {
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
"#;

#[test]
fn malformed_files_are_located_parse_errors_and_the_rest_is_scanned() {
    let dir = tempdir();
    let d = dir.path();
    write(
        d,
        "infra/main.tf",
        "resource \"aws_instance\" \"x\" {\n  ami = \n}\n",
    );
    write(
        d,
        "k8s/bad.yaml",
        "apiVersion: v1\nkind: Pod\nspec: [1, 2\n",
    );
    write(
        d,
        "k8s/bad.json",
        "{\"apiVersion\": \"v1\", \"kind\": \"Pod\",}\n",
    );
    write(
        d,
        "plan.json",
        "{\"format_version\": \"1.2\", \"resource_changes\": [}\n",
    );
    write(d, "Dockerfile", DOCKERFILE);
    write(d, "k8s/pod.yaml", POD);
    let run = scan(d, &["."]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let errors = run.parse_errors();
    assert_eq!(
        located(&errors),
        vec![
            at("PARSE001", "infra/main.tf", 2, 9),
            at("PARSE001", "k8s/bad.json", 1, 36),
            at("PARSE001", "k8s/bad.yaml", 4, 1),
            at("PARSE001", "plan.json", 1, 48),
        ],
        "{errors:#?}"
    );
    assert!(
        errors[0]
            .message
            .starts_with("invalid HCL: invalid expression; expected"),
        "{errors:?}"
    );
    assert_eq!(
        errors[1].message,
        "unexpected character '}', expected a string key"
    );
    assert!(
        errors[2].message.starts_with("YAML syntax error"),
        "{errors:?}"
    );
    // the well-formed files were still checked
    let tags: Vec<_> = run
        .findings()
        .into_iter()
        .filter(|h| h.rule == "TAG001")
        .map(|h| (h.path, h.line, h.column))
        .collect();
    assert_eq!(
        tags,
        vec![("Dockerfile".into(), 1, 6), ("k8s/pod.yaml".into(), 8, 14)]
    );
}

#[test]
fn binary_files_with_infrastructure_names_fail_loudly_unless_they_are_not_ours() {
    let dir = tempdir();
    let d = dir.path();
    let binary: Vec<u8> = (0..4096u32).map(|i| (i * 7919 % 251) as u8).collect();
    for name in ["Dockerfile", "deploy.yaml", "infra/main.tf"] {
        write(d, name, &binary);
    }
    // a binary `.json` is most likely not infrastructure: skipped silently…
    write(d, "assets/data.json", &binary);
    // …unless it says it is
    let mut ours = b"{\"apiVersion\": \"v1\", \"kind\": \"Pod\", \"x\": \"".to_vec();
    ours.extend_from_slice(&binary);
    write(d, "k8s/pod.json", &ours);
    let run = scan(d, &["."]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let errors = run.parse_errors();
    assert_eq!(
        located(&errors),
        vec![
            at("PARSE001", "Dockerfile", 1, 1),
            at("PARSE001", "deploy.yaml", 1, 1),
            at("PARSE001", "infra/main.tf", 1, 1),
            at("PARSE001", "k8s/pod.json", 1, 1),
        ]
    );
    for e in &errors {
        assert_eq!(
            e.message,
            "file is not text (binary content or an unsupported encoding)"
        );
    }
}

#[test]
fn latin1_is_not_guessed() {
    let dir = tempdir();
    let d = dir.path();
    write(
        d,
        "Dockerfile",
        b"FROM ubuntu:latest\nLABEL author=\"Jos\xe9\"\n",
    );
    let run = scan(d, &["."]);
    assert_eq!(run.code, 1);
    assert_eq!(
        located(&run.findings()),
        vec![at("PARSE001", "Dockerfile", 1, 1)]
    );
}

fn utf16(text: &str, big_endian: bool) -> Vec<u8> {
    let mut out = if big_endian {
        vec![0xFE, 0xFF]
    } else {
        vec![0xFF, 0xFE]
    };
    for unit in text.encode_utf16() {
        let bytes = if big_endian {
            unit.to_be_bytes()
        } else {
            unit.to_le_bytes()
        };
        out.extend_from_slice(&bytes);
    }
    out
}

#[test]
fn boms_and_utf16_give_the_same_findings_at_the_same_columns() {
    let expected = vec![
        at("TAG001", "Dockerfile", 1, 6),
        at("TAG001", "pod.json", 7, 30),
        at("TAG001", "pod.yaml", 8, 14),
    ];
    let plain = tempdir();
    write(plain.path(), "Dockerfile", DOCKERFILE);
    write(plain.path(), "pod.yaml", POD);
    write(plain.path(), "pod.json", POD_JSON);
    let run = scan(plain.path(), &["."]);
    let tags = |run: &Run| -> Vec<_> {
        located(&run.findings())
            .into_iter()
            .filter(|h| h.0 == "TAG001" || h.0 == "PARSE001")
            .collect()
    };
    assert_eq!(tags(&run), expected);
    for (name, encode) in [
        (
            "utf-8 BOM",
            &(|t: &str| [&[0xEF, 0xBB, 0xBF][..], t.as_bytes()].concat())
                as &dyn Fn(&str) -> Vec<u8>,
        ),
        ("utf-16 LE", &|t: &str| utf16(t, false)),
        ("utf-16 BE", &|t: &str| utf16(t, true)),
    ] {
        let dir = tempdir();
        write(dir.path(), "Dockerfile", encode(DOCKERFILE));
        write(dir.path(), "pod.yaml", encode(POD));
        write(dir.path(), "pod.json", encode(POD_JSON));
        let run = scan(dir.path(), &["."]);
        assert_eq!(tags(&run), expected, "{name}");
    }
}

#[test]
fn crlf_line_endings_keep_every_span() {
    let files = [
        ("Dockerfile", DOCKERFILE),
        ("pod.yaml", POD),
        ("pod.json", POD_JSON),
        ("infra/main.tf", TERRAFORM),
    ];
    let lf = tempdir();
    let crlf = tempdir();
    for (name, text) in files {
        write(lf.path(), name, text);
        write(crlf.path(), name, text.replace('\n', "\r\n"));
    }
    let spans = |run: &Run| -> Vec<serde_json::Value> {
        run.report()["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .map(|f| {
                serde_json::json!([
                    f["rule_id"],
                    f["path"],
                    f["start"],
                    f["end"],
                    f["json_path"]
                ])
            })
            .collect()
    };
    let a = spans(&scan(lf.path(), &["."]));
    let b = spans(&scan(crlf.path(), &["."]));
    assert!(a.len() >= 4, "{a:?}");
    assert_eq!(a, b);
}

#[test]
fn empty_files_of_every_kind() {
    let dir = tempdir();
    let d = dir.path();
    for name in [
        "Dockerfile",
        "a.yaml",
        "b.yml",
        "c.json",
        "infra/main.tf",
        "infra/terraform.tfvars",
        "json/main.tf.json",
    ] {
        write(d, name, "");
    }
    let run = scan(d, &["."]);
    assert_eq!(run.code, 1);
    let errors = run.parse_errors();
    // Docker and Terraform reject these too; empty YAML, JSON that names no
    // kind, and empty HCL are valid and hold nothing.
    assert_eq!(
        errors
            .iter()
            .map(|e| (e.path.as_str(), e.line, e.message.as_str()))
            .collect::<Vec<_>>(),
        vec![
            ("Dockerfile", 1, "file with no instructions"),
            (
                "json/main.tf.json",
                1,
                "unexpected end of input, expected a JSON value"
            ),
        ]
    );
}

#[test]
fn files_over_the_size_cap_are_reported_without_being_parsed() {
    let dir = tempdir();
    let d = dir.path();
    write(
        d,
        "Dockerfile",
        format!("FROM ubuntu:latest\n{}", "# padding\n".repeat(200)),
    );
    write(d, "small/Dockerfile", "FROM ubuntu:latest\n");
    // big, but not ours: ignored
    write(
        d,
        "package-lock.json",
        format!("{{\"x\": \"{}\"}}", "y".repeat(3000)),
    );
    let run = scan(d, &[".", "--max-file-size", "1000"]);
    assert_eq!(run.code, 1);
    let hits = run.findings();
    assert_eq!(
        located(&hits),
        vec![
            at("PARSE001", "Dockerfile", 1, 1),
            at("TAG001", "small/Dockerfile", 1, 6),
        ]
    );
    assert_eq!(
        hits[0].message,
        "file is 2019 bytes, over the 1000 bytes limit (`max_file_size` in .driftless.yaml, `--max-file-size`)"
    );
    let usage = run_in(d, &["scan", "--max-file-size", "lots"]);
    assert_eq!(usage.code, 2);
}

/// Peak resident memory of a child, in KB, when GNU time is installed.
fn max_rss_kb(dir: &Path, args: &[&str]) -> Option<(Run, u64)> {
    let time = Path::new("/usr/bin/time");
    if !time.exists() {
        return None;
    }
    let report = dir.join("time.txt");
    let mut cmd = Command::new(time);
    cmd.args(["-f", "%M", "-o"])
        .arg(&report)
        .arg(env!("CARGO_BIN_EXE_driftless"));
    let run = run_command(cmd, dir, args);
    let kb = std::fs::read_to_string(&report).ok()?.trim().parse().ok()?;
    Some((run, kb))
}

#[test]
fn a_200_mb_file_is_rejected_without_being_read() {
    let dir = tempdir();
    let d = dir.path();
    // sparse: 200 MB that take no disk space or time to write
    let path = write(
        d,
        "big/pod.json",
        "{\"apiVersion\": \"v1\", \"kind\": \"Pod\", \"x\": \"",
    );
    let file = std::fs::OpenOptions::new()
        .append(true)
        .open(&path)
        .expect("open");
    file.set_len(200 << 20).expect("sparse file");
    write(d, "big/plan.tf", "");
    let mut not_ours = write(d, "big/blob.json", "[");
    std::fs::OpenOptions::new()
        .append(true)
        .open(&not_ours)
        .and_then(|f| f.set_len(200 << 20))
        .expect("sparse file");
    not_ours.pop();
    let args = ["scan", "-f", "json", "big"];
    let (run, rss) = match max_rss_kb(d, &args) {
        Some(measured) => measured,
        None => {
            eprintln!("note: /usr/bin/time not installed; memory not measured");
            (run_in(d, &args), 0)
        }
    };
    assert_eq!(run.code, 1, "{}", run.stderr);
    let errors = run.parse_errors();
    assert_eq!(located(&errors), vec![at("PARSE001", "big/pod.json", 1, 1)]);
    assert!(
        errors[0]
            .message
            .starts_with("file is 200 MB, over the 64 MB limit"),
        "{errors:?}"
    );
    assert!(rss < 150 * 1024, "peak memory {rss} KB: the file was read");
}

#[test]
fn yaml_alias_bombs_are_bounded() {
    let dir = tempdir();
    let d = dir.path();
    // the classic: nine levels of ten aliases each, a billion strings
    let mut laughs = String::from("apiVersion: v1\nkind: ConfigMap\na0: &a0 \"lol\"\n");
    for i in 1..10 {
        let refs = vec![format!("*a{}", i - 1); 10].join(", ");
        laughs.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
    }
    write(d, "laughs.yaml", &laughs);
    // a chain that stays small in nodes but nests 2,500 levels deep
    let mut chain = format!(
        "apiVersion: v1\nkind: ConfigMap\na0: &a0 {}x{}\n",
        "[".repeat(100),
        "]".repeat(100)
    );
    for i in 1..25 {
        let (open, close) = ("[".repeat(100), "]".repeat(100));
        chain.push_str(&format!("a{i}: &a{i} {open}*a{}{close}\n", i - 1));
    }
    write(d, "chain.yaml", &chain);
    write(d, "pod.yaml", POD);
    let run = scan(d, &["."]);
    assert_eq!(run.code, 1);
    let errors: Vec<Hit> = run
        .findings()
        .into_iter()
        .filter(|h| h.rule == "PARSE001" || h.rule == "EVAL001")
        .collect();
    assert_eq!(
        errors
            .iter()
            .map(|e| (e.rule.as_str(), e.path.as_str(), e.line, e.message.as_str()))
            .collect::<Vec<_>>(),
        vec![
            // the file is well-formed: its expansion is what cannot be bounded
            (
                "EVAL001",
                "laughs.yaml",
                8,
                "YAML alias expansion exceeds 100000 nodes: this document is not checked"
            ),
            (
                "PARSE001",
                "chain.yaml",
                4,
                "YAML nesting deeper than 128 levels (through an alias)"
            ),
        ]
    );
    assert!(run.findings().iter().any(|h| h.path == "pod.yaml"));
}

#[test]
fn deep_nesting_is_reported_not_a_stack_overflow() {
    let dir = tempdir();
    let d = dir.path();
    let deep =
        |open: &str, close: &str| format!("{}{}", open.repeat(100_000), close.repeat(100_000));
    write(
        d,
        "k8s/deep.yaml",
        format!("apiVersion: v1\nkind: Pod\nspec: {}\n", deep("[", "]")),
    );
    write(
        d,
        "k8s/block.yaml",
        (0..1000).fold(String::from("apiVersion: v1\nkind: Pod\n"), |mut s, i| {
            s.push_str(&format!("{}k{i}:\n", " ".repeat(i)));
            s
        }),
    );
    write(
        d,
        "k8s/deep.json",
        format!(
            "{{\"apiVersion\": \"v1\", \"kind\": \"Pod\", \"spec\": {}}}",
            deep("[", "]")
        ),
    );
    write(
        d,
        "hcl/main.tf",
        format!("locals {{\n  x = {}\n}}\n", deep("[", "]")),
    );
    write(d, "blocks/main.tf", deep("a {\n", "}\n"));
    write(
        d,
        "ops/main.tf",
        format!("locals {{\n  x = {}1\n}}\n", "!".repeat(100_000)),
    );
    write(
        d,
        "tfjson/main.tf.json",
        format!("{{\"locals\": {{\"x\": {}}}}}", deep("{\"a\":", "}")),
    );
    write(
        d,
        "plan.json",
        format!(
            "{{\"format_version\": \"1.2\", \"resource_changes\": {}}}",
            deep("[", "]")
        ),
    );
    let run = scan(d, &["."]);
    assert_eq!(run.code, 1);
    let errors = run.parse_errors();
    let got: Vec<_> = errors
        .iter()
        .map(|e| (e.path.as_str(), e.line, e.message.as_str()))
        .collect();
    let hcl = "invalid HCL: invalid nesting depth; expected at most 64 nested levels";
    assert_eq!(
        got,
        vec![
            ("blocks/main.tf", 65, hcl),
            ("hcl/main.tf", 2, hcl),
            ("k8s/block.yaml", 131, "YAML nesting deeper than 128 levels"),
            ("k8s/deep.json", 1, "JSON nesting deeper than 128 levels"),
            (
                "k8s/deep.yaml",
                3,
                "YAML syntax error: recursion limit exceeded"
            ),
            ("ops/main.tf", 2, hcl),
            ("plan.json", 1, "JSON nesting deeper than 128 levels"),
            (
                "tfjson/main.tf.json",
                1,
                "JSON nesting deeper than 128 levels"
            ),
        ]
    );
}

#[test]
fn a_100000_line_dockerfile() {
    let dir = tempdir();
    let d = dir.path();
    let mut text = String::from("FROM alpine:3.19\n");
    for i in 0..50_000 {
        text.push_str(&format!("# step {i}\nENV K{i}=\"v{i}\"\n"));
    }
    text.push_str("FROM ubuntu:latest\n");
    write(d, "Dockerfile", &text);
    let run = scan(d, &["."]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(
        located(&run.findings()),
        vec![at("TAG001", "Dockerfile", 100_002, 6)]
    );
}

#[test]
fn findings_on_one_minified_line_are_located_and_framed_in_bounded_output() {
    let dir = tempdir();
    let d = dir.path();
    // a 1 MB single-line plan with 300 findings: each code frame shows a
    // window of the line, not the line
    let changes: Vec<String> = (0..300)
        .map(|i| {
            format!(
                "{{\"pad\":\"{}\",\"address\":\"aws_instance.w{i}\",\"type\":\"aws_instance\",\"name\":\"w{i}\",\"mode\":\"managed\",\"change\":{{\"actions\":[\"update\"],\"before\":{{}},\"after\":{{}}}}}}",
                "é".repeat(1500)
            )
        })
        .collect();
    let prefix = "{\"format_version\":\"1.2\",\"resource_changes\":[";
    write(d, "plan.json", format!("{prefix}{}]}}", changes.join(",")));
    let run = run_in(d, &["scan", "."]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stdout.contains("Found 300 findings"),
        "{}",
        &run.stdout[..2000]
    );
    assert!(
        run.stdout.len() < 300 * 1000,
        "text report is {} bytes",
        run.stdout.len()
    );
    // columns count characters, however far along the line
    let json = scan(d, &["."]);
    let last = json.findings().pop().expect("findings");
    assert_eq!((last.line, last.rule.as_str()), (1, "UPD001"));
    let before: usize = changes[..299].iter().map(|c| c.chars().count() + 1).sum();
    let idx = changes[299].find("\"aws_instance.w299\"").expect("address");
    let in_change = changes[299][..idx].chars().count();
    assert_eq!(last.column as usize, prefix.len() + before + in_change + 1);
}

#[cfg(unix)]
#[test]
fn symlinks_are_not_followed() {
    let outside = tempdir();
    write(outside.path(), "Dockerfile", "FROM ubuntu:latest\n");
    write(outside.path(), "infra/main.tf", TERRAFORM);
    let dir = tempdir();
    let d = dir.path();
    write(d, "Dockerfile", "FROM alpine:3.19\n");
    let link = |target: &Path, name: &str| {
        std::os::unix::fs::symlink(target, d.join(name)).expect("symlink");
    };
    link(d, "loop");
    link(&d.join("a"), "b");
    link(&d.join("b"), "a");
    link(outside.path(), "outside");
    link(&outside.path().join("Dockerfile"), "Dockerfile.prod");
    link(&outside.path().join("infra/main.tf"), "secrets.tf");
    link(&d.join("missing"), "dangling.yaml");
    write(
        d,
        "infra/main.tf",
        "terraform {\n  required_version = \">= 1.5\"\n}\n",
    );
    std::os::unix::fs::symlink(
        outside.path().join("infra/main.tf"),
        d.join("infra/evil.tf"),
    )
    .expect("symlink");
    let run = scan(d, &["."]);
    assert_eq!(run.code, 0, "{:#?}", run.findings());
    assert_eq!(run.report()["summary"]["files"], 2);
    // a single Terraform file brings its siblings, but not symlinked ones
    let run = scan(d, &["infra/main.tf"]);
    assert_eq!(run.code, 0, "{:#?}", run.findings());
}

#[test]
fn paths_that_do_not_exist_are_usage_errors() {
    // a mistyped path is the command line's fault (exit 2, #17.8), not a
    // file that failed to parse; it still never passes
    let dir = tempdir();
    write(dir.path(), "Dockerfile", "FROM alpine:3.19\n");
    let run = scan(dir.path(), &[".", "gone/Dockerfile"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("gone/Dockerfile: no such file or directory"),
        "{}",
        run.stderr
    );
}

#[cfg(unix)]
fn running_as_root() -> bool {
    use std::os::unix::fs::MetadataExt;
    let dir = tempdir();
    let probe = write(dir.path(), "probe", "x");
    let _ = std::fs::set_permissions(&probe, std::os::unix::fs::PermissionsExt::from_mode(0o000));
    // root reads anything; the file's owner is the effective user
    std::fs::read(&probe).is_ok() && std::fs::metadata(&probe).is_ok_and(|m| m.uid() == 0)
}

#[cfg(unix)]
#[test]
fn unreadable_files_and_directories_are_reported_and_the_scan_goes_on() {
    use std::os::unix::fs::PermissionsExt;
    if running_as_root() {
        eprintln!("note: running as root, where permissions do not apply; skipped");
        return;
    }
    let dir = tempdir();
    let d = dir.path();
    let file = write(d, "locked/Dockerfile", "FROM ubuntu:latest\n");
    write(d, "sealed/Dockerfile", "FROM ubuntu:latest\n");
    write(d, "open/Dockerfile", "FROM ubuntu:latest\n");
    std::fs::set_permissions(&file, PermissionsExt::from_mode(0o000)).expect("chmod");
    std::fs::set_permissions(d.join("sealed"), PermissionsExt::from_mode(0o000)).expect("chmod");
    let run = scan(d, &["."]);
    std::fs::set_permissions(d.join("sealed"), PermissionsExt::from_mode(0o755)).expect("chmod");
    assert_eq!(run.code, 1);
    let hits = run.findings();
    assert_eq!(
        located(&hits),
        vec![
            at("PARSE001", "locked/Dockerfile", 1, 1),
            at("PARSE001", "sealed", 1, 1),
            at("TAG001", "open/Dockerfile", 1, 6),
        ]
    );
    assert!(hits[0].message.contains("ermission denied"), "{hits:?}");
}

#[test]
fn a_file_deleted_between_discovery_and_reading_is_a_parse_error() {
    use driftless::discover::{self, FileKind};
    use driftless::engine::{EngineOptions, Engines, PolicySet};
    use std::sync::Arc;
    let dir = tempdir();
    let d = dir.path();
    write(d, "Dockerfile", "FROM ubuntu:latest\n");
    let gone = write(d, "gone/Dockerfile", "FROM ubuntu:latest\n");
    write(d, "infra/main.tf", TERRAFORM);
    let vanished_tf = write(d, "infra/extra.tf", "locals {}\n");
    let found = discover::discover(&[d.to_path_buf()], &Default::default());
    assert_eq!(found.files.len(), 2);
    std::fs::remove_file(&gone).expect("rm");
    std::fs::remove_file(&vanished_tf).expect("rm");
    let (set, _) = PolicySet::load(Vec::new());
    let engines = Engines::new(Arc::new(set), EngineOptions::default());
    let result = driftless::scan::analyse(&found, &Default::default(), &engines);
    let problems: Vec<_> = result
        .findings
        .iter()
        .filter(|f| f.rule_id == "PARSE001")
        .map(|f| (f.file.path.clone(), f.message.clone()))
        .collect();
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(
        problems
            .iter()
            .all(|(_, m)| m.starts_with("cannot read file:"))
    );
    assert!(problems.iter().any(|(p, _)| p == &gone));
    assert!(problems.iter().any(|(p, _)| p == &vanished_tf));
    // the rest was evaluated
    assert!(result.findings.iter().any(|f| f.rule_id == "TAG001"));
    assert!(result.findings.iter().any(|f| f.rule_id == "SSH001"));
    // and the read path itself
    let err = driftless::scan::read_source(&gone, FileKind::Dockerfile, 1 << 20).expect_err("gone");
    assert!(err.message.starts_with("cannot read file:"));
}

#[test]
fn a_report_that_cannot_be_written_leaves_no_file() {
    let dir = tempdir();
    let d = dir.path();
    write(d, "Dockerfile", "FROM ubuntu:latest\n");
    let run = run_in(
        d,
        &["scan", ".", "-f", "sarif", "-o", "missing/dir/report.sarif"],
    );
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("cannot write missing/dir/report.sarif"),
        "{}",
        run.stderr
    );
    assert!(!d.join("missing").exists());
    // the target is a directory: the rename fails, the temporary file goes
    std::fs::create_dir(d.join("out.json")).expect("mkdir");
    let run = run_in(d, &["scan", ".", "-f", "json", "-o", "out.json"]);
    assert_eq!(run.code, 2);
    let leftovers: Vec<_> = std::fs::read_dir(d)
        .expect("ls")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    // a good write replaces the old report whole
    write(d, "report.json", "old");
    let run = run_in(d, &["scan", ".", "-f", "json", "-o", "report.json"]);
    assert_eq!(run.code, 1);
    let written = std::fs::read_to_string(d.join("report.json")).expect("report");
    assert!(serde_json::from_str::<serde_json::Value>(&written).is_ok());
}

/// `-o /dev/null` once turned the machine's `/dev/null` into a regular file
/// (the report was renamed over it, as root). Special files are written in
/// place; a FIFO stands in for the device here, whose breakage would harm
/// every other process.
#[test]
fn a_report_to_a_special_file_or_symlink_keeps_it_what_it_was() {
    use std::os::unix::fs::FileTypeExt;
    let dir = tempdir();
    let d = dir.path();
    write(d, "Dockerfile", "FROM ubuntu:latest\n");
    let fifo = d.join("pipe");
    let made = Command::new("mkfifo").arg(&fifo).status().expect("mkfifo");
    assert!(made.success());
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read_to_string(fifo).expect("read fifo"))
    };
    let run = run_in(d, &["scan", ".", "-f", "json", "-o", "pipe"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    // checked before joining: a replaced FIFO would leave the reader blocked
    let kind = std::fs::symlink_metadata(&fifo).expect("fifo").file_type();
    assert!(kind.is_fifo(), "the FIFO was replaced: {kind:?}");
    let through_pipe = reader.join().expect("reader");
    assert!(through_pipe.contains("TAG001"), "{through_pipe}");

    write(d, "reports/latest.json", "old");
    std::os::unix::fs::symlink("reports/latest.json", d.join("link.json")).expect("symlink");
    let run = run_in(d, &["scan", ".", "-f", "json", "-o", "link.json"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let link = std::fs::symlink_metadata(d.join("link.json")).expect("link");
    assert!(link.file_type().is_symlink(), "the symlink was replaced");
    let written = std::fs::read_to_string(d.join("reports/latest.json")).expect("target");
    assert!(written.contains("TAG001"), "{written}");
}

/// Ports written as strings with leading zeros made `to_number` fail inside
/// SSH001 (a rule error, exit 2, the module unchecked). They are numbers.
#[test]
fn odd_numeric_strings_do_not_fail_rules() {
    let dir = tempdir();
    let d = dir.path();
    write(
        d,
        "main.tf",
        "resource \"aws_security_group\" \"a\" {\n  ingress {\n    from_port   = \"0022\"\n    to_port     = \"0022\"\n    protocol    = \"tcp\"\n    cidr_blocks = [\"0.0.0.0/0\"]\n  }\n}\n",
    );
    let run = scan(d, &["."]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(
        located(&run.findings()),
        vec![at("SSH001", "main.tf", 6, 20)]
    );
}

#[test]
fn awkward_paths_are_escaped_in_every_format() {
    let dir = tempdir();
    let d = dir.path();
    let rel = "we ird, dir:ü & <co>/Docker file#1%.dockerfile";
    write(d, rel, "FROM ubuntu:latest\n");
    let json = scan(d, &["."]);
    assert_eq!(located(&json.findings()), vec![at("TAG001", rel, 1, 6)]);
    let text = run_in(d, &["scan", "."]);
    assert!(
        text.stdout.contains(&format!("{rel}:1:6: TAG001")),
        "{}",
        text.stdout
    );
    let sarif = run_in(d, &["scan", ".", "-f", "sarif"]);
    let sarif: serde_json::Value = serde_json::from_str(&sarif.stdout).expect("sarif");
    let uri = &sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
        ["uri"];
    assert_eq!(
        uri,
        "we%20ird,%20dir%3A%C3%BC%20&%20%3Cco%3E/Docker%20file%231%25.dockerfile"
    );
    let github = run_in(d, &["scan", ".", "-f", "github"]);
    assert!(
        github
            .stdout
            .contains("::error file=we ird%2C dir%3Aü & <co>/Docker file#1%25.dockerfile,line=1,"),
        "{}",
        github.stdout
    );
    let gitlab = run_in(d, &["scan", ".", "-f", "gitlab"]);
    let gitlab: serde_json::Value = serde_json::from_str(&gitlab.stdout).expect("gitlab");
    assert_eq!(gitlab[0]["location"]["path"], rel);
    let junit = run_in(d, &["scan", ".", "-f", "junit"]);
    assert!(
        junit
            .stdout
            .contains("we ird, dir:ü &amp; &lt;co&gt;/Docker file#1%.dockerfile"),
        "{}",
        junit.stdout
    );
    assert!(!junit.stdout.contains("& <co>"), "{}", junit.stdout);
}

/// Inputs that once crashed or hung a fuzz target (`tests/fuzz-regressions/
/// <target>/`), scanned as the file kind the target reads: each must end
/// in time with a report, not a crash.
#[test]
fn fuzz_regressions() {
    let root = common::root().join("tests/fuzz-regressions");
    let names = [
        ("dockerfile", "Dockerfile"),
        ("kubernetes_yaml", "deploy.yaml"),
        ("terraform_hcl", "main.tf"),
        ("tfplan_json", "plan.json"),
        ("suppression", "main.tf"),
    ];
    let mut seen = 0;
    for (target, name) in names {
        let Ok(entries) = std::fs::read_dir(root.join(target)) else {
            continue;
        };
        for entry in entries.flatten() {
            let dir = tempdir();
            std::fs::copy(entry.path(), dir.path().join(name)).expect("copy");
            let run = scan(dir.path(), &["."]);
            assert!(run.code <= 1, "{}: {}", entry.path().display(), run.stderr);
            seen += 1;
        }
    }
    assert!(
        seen > 0,
        "no regression inputs found under {}",
        root.display()
    );
}

#[test]
fn hcl_that_never_closes_a_bracket_is_rejected_in_linear_time() {
    let dir = tempdir();
    let d = dir.path();
    // each level made hcl-edit parse the rest twice: 2^40 without the check
    let mut text = String::from("m = a % {\n");
    for _ in 0..20 {
        text.push_str("   m = a % b % {\nkey % b % {\n");
    }
    write(d, "a/main.tf", &text);
    write(
        d,
        "b/main.tf",
        format!("{text}\"unterminated\n{}", "}\n".repeat(41)),
    );
    let run = scan(d, &["."]);
    assert_eq!(run.code, 1);
    assert_eq!(
        run.parse_errors()
            .iter()
            .map(|e| (e.path.as_str(), e.line, e.column, e.message.as_str()))
            .collect::<Vec<_>>(),
        vec![
            ("a/main.tf", 41, 11, "invalid HCL: `{` is never closed"),
            ("b/main.tf", 42, 1, "invalid HCL: unterminated string"),
        ]
    );
}

#[cfg(unix)]
#[test]
fn a_variable_file_that_never_ends_is_refused() {
    let dir = tempdir();
    let d = dir.path();
    write(d, "infra/main.tf", TERRAFORM);
    let run = scan(d, &[".", "--var-file", "/dev/zero"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let errors = run.parse_errors();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].message, "variable file is not a regular file");
}
