//! The fail-closed promise as a property (docs/safety.md): a file with a
//! known violation, hidden behind any combination of the constructs the
//! real tools read differently from a naive reader or that blow up when
//! expanded, never passes the gate. The scan runs the real binary under a
//! virtual-memory limit, so an input that made it allocate without bound
//! would abort it instead of passing.
//!
//! Each generated file is under 1 MB. The planted violation is either found
//! as itself, or the part hiding it is a located `PARSE001`/`EVAL001`: exit
//! code 1 either way, never 0, never a crash.

use std::path::Path;

use proptest::prelude::*;

/// Virtual memory the scan may map (bytes). A scan of a small file maps a
/// few hundred MB (thread stacks, allocator arenas); one that expanded an
/// alias bomb or a doubling `ARG` would need gigabytes and abort here.
const ADDRESS_SPACE: u64 = 1536 << 20;

/// A Kubernetes manifest carrying `nginx:latest` (TAG001), written through
/// the chosen constructs.
#[derive(Clone, Debug)]
struct Manifest {
    /// Wrapped in a list: none, `kind: List`, a `DeploymentList` whose item
    /// has no kind, or a Pod carrying `items` (kubectl reads the items).
    list: u8,
    /// The image as `!!binary` base64.
    binary: bool,
    /// A comment before the container ending in NEL, LS or PS (a line break
    /// for go-yaml) — 0 for none.
    line_break: u8,
    /// Every line indented by two spaces.
    indented: bool,
    /// Keys in double quotes.
    quoted_keys: bool,
    /// A tab after the `kind:` colon.
    tab_after_colon: bool,
    /// Kilobytes of comments before the document.
    comment_kb: u16,
    /// An alias-expansion bomb in a document before the manifest.
    alias_bomb: bool,
    /// CR-only line endings.
    cr_only: bool,
}

impl Manifest {
    fn text(&self) -> String {
        let key = |k: &str| match self.quoted_keys {
            true => format!("\"{k}\""),
            false => k.to_string(),
        };
        let image = match self.binary {
            true => "!!binary bmdpbng6bGF0ZXN0".to_string(), // nginx:latest
            false => "nginx:latest".to_string(),
        };
        let kind_sep = if self.tab_after_colon { ":\t" } else { ": " };
        let comment = match self.line_break {
            1 => "# note\u{85}",
            2 => "# note\u{2028}",
            3 => "# note\u{2029}",
            _ => "",
        };
        let deployment = |indent: &str, with_kind: bool| {
            let mut out = String::new();
            if with_kind {
                out += &format!("{indent}{}: apps/v1\n", key("apiVersion"));
                out += &format!("{indent}{}{kind_sep}Deployment\n", key("kind"));
            }
            out += &format!("{indent}{}:\n", key("metadata"));
            out += &format!("{indent}  {}: web\n", key("name"));
            out += &format!("{indent}{}:\n", key("spec"));
            out += &format!("{indent}  {}:\n", key("template"));
            out += &format!("{indent}    {}:\n", key("spec"));
            out += &format!("{indent}      {}:\n", key("containers"));
            out += &format!("{indent}        {comment}\n");
            out += &format!("{indent}        - {}: web\n", key("name"));
            out += &format!("{indent}          {}: {image}\n", key("image"));
            out
        };
        let body = match self.list {
            1 => format!(
                "{}: v1\n{}{kind_sep}List\n{}:\n{}",
                key("apiVersion"),
                key("kind"),
                key("items"),
                deployment("  ", true).replacen("  ", "- ", 1)
            ),
            2 => format!(
                "{}: apps/v1\n{}{kind_sep}DeploymentList\n{}:\n{}",
                key("apiVersion"),
                key("kind"),
                key("items"),
                deployment("  ", false).replacen("  ", "- ", 1)
            ),
            3 => format!(
                "{}: v1\n{}{kind_sep}Pod\n{}:\n  {}: decoy\n{}:\n  {}:\n    - {}: x\n      {}: nginx:1.27.3@sha256:{}\n{}:\n{}",
                key("apiVersion"),
                key("kind"),
                key("metadata"),
                key("name"),
                key("spec"),
                key("containers"),
                key("name"),
                key("image"),
                "a".repeat(64),
                key("items"),
                deployment("  ", true).replacen("  ", "- ", 1)
            ),
            _ => deployment("", true),
        };
        let body = match self.indented {
            true => body.lines().map(|l| format!("  {l}\n")).collect(),
            false => body,
        };
        let mut text = String::new();
        for _ in 0..self.comment_kb {
            text += &format!("# {}\n", "x".repeat(1021));
        }
        if self.alias_bomb {
            text += &alias_bomb();
            text += "---\n";
        }
        text += &body;
        match self.cr_only {
            true => text.replace('\n', "\r"),
            false => text,
        }
    }
}

/// A "billion laughs" document: nine levels of ten aliases each.
fn alias_bomb() -> String {
    let mut out = String::from("a0: &a0 [\"lol\", \"lol\"]\n");
    for level in 1..10 {
        let refs = vec![format!("*a{}", level - 1); 10].join(", ");
        out += &format!("a{level}: &a{level} [{refs}]\n");
    }
    out
}

/// A Dockerfile whose image is `latest` (TAG001), possibly through a chain
/// of `ARG`s that double a value `doublings` times first.
fn dockerfile(doublings: u8, via_arg: bool) -> String {
    let mut text = String::from("ARG A0=xxxxxxxxxxxxxxxx\n");
    for i in 1..=doublings {
        text += &format!("ARG A{i}=${{A{prev}}}${{A{prev}}}\n", prev = i - 1);
    }
    text += "ARG TAG=latest\n";
    match via_arg {
        true => text += &format!("FROM nginx:${{TAG}}\nRUN echo ${{A{doublings}}}\n"),
        false => text += &format!("FROM nginx:latest\nRUN echo ${{A{doublings}}}\n"),
    }
    text
}

/// A Terraform module opening SSH to the world (SSH001), after a local that
/// costs a lot to evaluate when `heavy` (placed before or after it).
fn terraform(heavy: u16, heavy_first: bool) -> Vec<(String, String)> {
    let rule = "resource \"aws_security_group_rule\" \"ssh\" {\n  type        = \"ingress\"\n  from_port   = 22\n  to_port     = 22\n  protocol    = \"tcp\"\n  cidr_blocks = [\"0.0.0.0/0\"]\n}\n".to_string();
    let local = format!(
        "locals {{\n  n     = range({heavy})\n  pairs = flatten([for a in local.n : [for b in local.n : \"${{a}}-${{b}}\"]])\n}}\n"
    );
    let (first, second) = match heavy_first {
        true => (local, rule),
        false => (rule, local),
    };
    vec![("a.tf".into(), first), ("b.tf".into(), second)]
}

fn manifest() -> impl Strategy<Value = Manifest> {
    (
        0u8..4,
        any::<bool>(),
        0u8..4,
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        prop_oneof![Just(0u16), Just(80u16)],
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(
            |(list, binary, line_break, indented, quoted_keys, tab, comment_kb, bomb, cr)| {
                Manifest {
                    list,
                    binary,
                    line_break,
                    indented,
                    quoted_keys,
                    tab_after_colon: tab,
                    comment_kb,
                    alias_bomb: bomb,
                    cr_only: cr,
                }
            },
        )
}

/// Runs the scan under the memory limit: (exit code, rule IDs found).
fn scan(dir: &Path) -> (Option<i32>, Vec<String>, String) {
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!(
            "ulimit -v {} && exec \"$0\" scan -f json .",
            ADDRESS_SPACE / 1024
        ))
        .arg(env!("CARGO_BIN_EXE_driftless"))
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("GITHUB_ACTIONS")
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
    let rules = report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|f| f["rule_id"].as_str().map(str::to_owned))
        .collect();
    (out.status.code(), rules, stderr)
}

/// The planted rule was found, or something hiding it was reported.
fn caught(rules: &[String], planted: &str) -> bool {
    rules
        .iter()
        .any(|r| r == planted || r == "PARSE001" || r == "EVAL001")
}

fn check(files: &[(String, String)], planted: &str) -> Result<(), TestCaseError> {
    let dir = tempfile::tempdir().expect("tempdir");
    let total: usize = files.iter().map(|(_, t)| t.len()).sum();
    prop_assert!(total < 1 << 20, "generated input over 1 MB: {total}");
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).expect("write");
    }
    let (code, rules, stderr) = scan(dir.path());
    prop_assert_eq!(code, Some(1), "exit {:?}, rules {:?}\n{}", code, rules, stderr);
    prop_assert!(caught(&rules, planted), "{planted} hidden: {rules:?}");
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn a_hidden_latest_image_in_a_manifest_never_passes(m in manifest()) {
        check(&[("deploy.yaml".into(), m.text())], "TAG001")?;
    }

    #[test]
    fn a_latest_image_behind_arg_expansion_never_passes(doublings in 0u8..30, via_arg in any::<bool>()) {
        check(&[("Dockerfile".into(), dockerfile(doublings, via_arg))], "TAG001")?;
    }

    #[test]
    fn ssh_open_to_the_world_beside_a_heavy_local_never_passes(
        heavy in prop_oneof![Just(10u16), Just(1500u16)],
        heavy_first in any::<bool>(),
    ) {
        check(&terraform(heavy, heavy_first), "SSH001")?;
    }
}

#[test]
fn a_plain_scan_fits_under_the_memory_limit() {
    // The limit must not be what fails the properties above: an ordinary
    // file scans normally under it (without a bound, 29 doublings of a
    // 16-byte ARG would need 8 GB, far over it).
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("Dockerfile"), dockerfile(0, false)).expect("write");
    let (code, rules, stderr) = scan(dir.path());
    assert_eq!(code, Some(1), "{rules:?} {stderr}");
    assert_eq!(rules, ["TAG001"], "{stderr}");
}
