//! The fixes of the rules other than the image ones (issue #18): UPD002,
//! VER006, VER001, UPD005 and SSH003. Each test scans real text, asks the
//! rule's fix for its edits, applies them, and checks the exact result, that
//! it still parses (no PARSE001/EVAL001) and that a second scan no longer
//! has the finding. `driftless explain` says for every catalogue rule
//! whether it has a fix and how safe it is.

mod common;

use std::path::Path;
use std::sync::Arc;

use driftless::engine::{EngineOptions, Engines, PolicySet};
use driftless::finding::Finding;
use driftless::fix::registry::RegistryOptions;
use driftless::fix::{Applicability, Fix, FixContext, availability, fix_for};
use driftless::scan::{ScanOptions, scan};

use common::{driftless, temp_tree};

fn engines(strict: bool) -> Engines {
    let (set, errors) = PolicySet::load(Vec::new());
    assert!(errors.is_empty(), "{errors:?}");
    let options = EngineOptions {
        config_data: serde_json::json!({ "strict": strict }),
        enabled: None,
        ..EngineOptions::default()
    };
    Engines::new(Arc::new(set), options)
}

/// Every finding of a scan of `path` (strict rules on).
fn findings(path: &Path) -> Vec<Finding> {
    let options = ScanOptions {
        paths: vec![path.to_path_buf()],
        ..ScanOptions::default()
    };
    let result = scan(&options, &engines(true));
    assert!(result.rule_errors.is_empty(), "{:?}", result.rule_errors);
    result.findings
}

fn context(offline: bool) -> FixContext {
    FixContext::new(RegistryOptions::default(), offline)
}

/// The fix of the one finding of `rule` in a scan of `path`.
fn fix_of(path: &Path, rule: &str) -> Fix {
    let all = findings(path);
    let of_rule: Vec<&Finding> = all.iter().filter(|f| f.rule_id == rule).collect();
    assert_eq!(of_rule.len(), 1, "{rule} findings: {all:#?}");
    fix_for(of_rule[0], &context(false))
        .expect("the rule has a fix")
        .unwrap_or_else(|e| panic!("fix failed: {}", e.message))
}

/// Writes the edits into their files (last first, so earlier offsets stay
/// valid), as `driftless scan --fix` does.
fn apply(fix: &Fix) {
    let mut by_file: std::collections::BTreeMap<_, Vec<_>> = Default::default();
    for edit in &fix.edits {
        by_file
            .entry(edit.file.path.clone())
            .or_insert_with(Vec::new)
            .push(edit);
    }
    for (path, mut edits) in by_file {
        let mut text = edits[0].file.text.clone();
        edits.sort_by_key(|e| std::cmp::Reverse(e.start));
        for edit in edits {
            text.replace_range(edit.start..edit.end, &edit.replacement);
        }
        std::fs::write(path, text).unwrap();
    }
}

/// Applies the fix of `rule`'s one finding in `dir`, then checks that the
/// fixed files still parse and no longer have a `rule` finding.
fn fix_and_rescan(dir: &Path, rule: &str) -> Fix {
    let fix = fix_of(dir, rule);
    assert_eq!(fix.rule_id, rule);
    apply(&fix);
    let after = findings(dir);
    let unexpected: Vec<&Finding> = after
        .iter()
        .filter(|f| f.rule_id == rule || f.rule_id == "PARSE001" || f.rule_id == "EVAL001")
        .collect();
    assert!(unexpected.is_empty(), "after the fix: {unexpected:#?}");
    fix
}

fn read(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name)).unwrap()
}

// ---- driftless explain ----------------------------------------------------

#[test]
fn explain_says_for_every_rule_whether_and_how_it_is_fixed() {
    let out = driftless()
        .args(["rules", "--format", "json"])
        .output()
        .unwrap();
    let rules: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let ids: Vec<&str> = rules
        .as_array()
        .or_else(|| rules["rules"].as_array())
        .expect("rules list")
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert!(ids.len() > 15, "{ids:?}");
    for id in ids {
        let out = driftless().args(["explain", id]).output().unwrap();
        let text = String::from_utf8(out.stdout).unwrap();
        let expected = match availability(id) {
            Some(Applicability::Safe) => "Fix: safe (--fix)",
            Some(Applicability::Unsafe) => "Fix: unsafe (--unsafe-fixes)",
            None => "Fix: none",
        };
        assert!(
            text.lines().any(|l| l == expected),
            "{id}: wants `{expected}`:\n{text}"
        );
    }
    for (id, line) in [
        ("VER006", "Fix: unsafe (--unsafe-fixes)"),
        ("UPD005", "Fix: unsafe (--unsafe-fixes)"),
        ("VER002", "Fix: none"),
    ] {
        let out = driftless().args(["explain", id]).output().unwrap();
        assert!(
            String::from_utf8(out.stdout).unwrap().contains(line),
            "{id}"
        );
    }
    let page = std::fs::read_to_string(common::root().join("docs/rules.md")).unwrap();
    for section in page.split("\n## ").skip(1) {
        let id = section.lines().next().unwrap();
        let wanted = match availability(id) {
            Some(Applicability::Safe) => "**Automatic fix:** safe (`--fix`) — ",
            Some(Applicability::Unsafe) => "**Automatic fix:** unsafe (`--unsafe-fixes`) — ",
            None => "**Automatic fix:** none.",
        };
        assert!(
            section.contains(wanted),
            "docs/rules.md, {id}: wants `{wanted}`"
        );
    }
}

// ---- VER006 ---------------------------------------------------------------

#[test]
fn ver006_adds_immutable_after_kind_in_yaml() {
    let dir = temp_tree(&[(
        "cm.yaml",
        "apiVersion: v1\nkind: ConfigMap  # settings\nmetadata:\n  name: app-v1\ndata:\n  a: b\n---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: s\nimmutable: true\n",
    )]);
    let fix = fix_and_rescan(dir.path(), "VER006");
    assert_eq!(fix.applicability, Applicability::Unsafe);
    assert_eq!(
        read(dir.path(), "cm.yaml"),
        "apiVersion: v1\nkind: ConfigMap  # settings\nimmutable: true\nmetadata:\n  name: app-v1\ndata:\n  a: b\n---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: s\nimmutable: true\n"
    );
}

#[test]
fn ver006_sets_immutable_false_to_true() {
    let dir = temp_tree(&[(
        "s.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  a: b\n---\napiVersion: v1\nkind: Secret\nimmutable: false\nmetadata:\n  name: s\n",
    )]);
    // the ConfigMap keeps its finding; the Secret's is fixed
    let all = findings(dir.path());
    let secret = all
        .iter()
        .find(|f| f.rule_id == "VER006" && f.message.contains("Secret"))
        .unwrap();
    let fix = fix_for(secret, &context(false)).unwrap().unwrap();
    apply(&fix);
    assert_eq!(
        read(dir.path(), "s.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  a: b\n---\napiVersion: v1\nkind: Secret\nimmutable: true\nmetadata:\n  name: s\n"
    );
}

#[test]
fn ver006_adds_immutable_in_a_list_item_and_in_json() {
    let dir = temp_tree(&[(
        "list.yaml",
        "apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: ConfigMap\n    metadata:\n      name: a\n",
    )]);
    fix_and_rescan(dir.path(), "VER006");
    assert_eq!(
        read(dir.path(), "list.yaml"),
        "apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: ConfigMap\n    immutable: true\n    metadata:\n      name: a\n"
    );
    let dir = temp_tree(&[(
        "cm.json",
        "{\n  \"apiVersion\": \"v1\",\n  \"kind\": \"ConfigMap\",\n  \"metadata\": {\"name\": \"a\"}\n}\n",
    )]);
    fix_and_rescan(dir.path(), "VER006");
    assert_eq!(
        read(dir.path(), "cm.json"),
        "{\n  \"apiVersion\": \"v1\",\n  \"kind\": \"ConfigMap\",\n  \"immutable\": true,\n  \"metadata\": {\"name\": \"a\"}\n}\n"
    );
}

// ---- UPD002 ---------------------------------------------------------------

/// A plan that replaces `address` destroy-before-create, with the module
/// calls of its configuration (`{"app": "./modules/app"}`).
fn plan(address: &str, module: &str, ty: &str, name: &str, calls: &[(&str, &str)]) -> String {
    let mut module_calls = serde_json::Map::new();
    for (call, source) in calls {
        module_calls.insert(
            call.to_string(),
            serde_json::json!({"source": source, "module": {"resources": []}}),
        );
    }
    let mut change = serde_json::json!({
        "address": address, "mode": "managed", "type": ty, "name": name,
        "change": {"actions": ["delete", "create"]}
    });
    if !module.is_empty() {
        change["module_address"] = module.into();
    }
    serde_json::to_string_pretty(&serde_json::json!({
        "format_version": "1.2",
        "resource_changes": [change],
        "configuration": {"root_module": {"module_calls": module_calls}}
    }))
    .unwrap()
}

/// The UPD002 fix of the one plan finding under `dir`, applied; the fixed
/// module still parses (the plan keeps its finding until it is made again).
fn fix_plan(dir: &Path, module_dir: &str) -> Fix {
    let fix = fix_of(dir, "UPD002");
    assert_eq!(fix.applicability, Applicability::Unsafe);
    apply(&fix);
    let after = findings(&dir.join(module_dir));
    assert!(
        after
            .iter()
            .all(|f| f.rule_id != "PARSE001" && f.rule_id != "EVAL001"),
        "{after:#?}"
    );
    fix
}

#[test]
fn upd002_adds_a_lifecycle_block_in_the_declaring_module() {
    let dir = temp_tree(&[
        (
            "main.tf",
            "module \"app\" {\n  source = \"./modules/app\"\n}\n",
        ),
        (
            "modules/app/main.tf",
            "resource \"aws_instance\" \"web\" {\n  count = 1\n  ami   = \"ami-1\" # pinned\n}\n",
        ),
        (
            "plan.json",
            &plan(
                "module.app[\"x.y\"].aws_instance.web[0]",
                "module.app[\"x.y\"]",
                "aws_instance",
                "web",
                &[("app", "./modules/app")],
            ),
        ),
    ]);
    let fix = fix_plan(dir.path(), "modules/app");
    assert!(fix.title.contains("aws_instance"), "{}", fix.title);
    assert_eq!(
        read(dir.path(), "modules/app/main.tf"),
        "resource \"aws_instance\" \"web\" {\n  count = 1\n  ami   = \"ami-1\" # pinned\n  lifecycle {\n    create_before_destroy = true\n  }\n}\n"
    );
}

#[test]
fn upd002_completes_an_existing_lifecycle_block() {
    let dir = temp_tree(&[
        (
            "main.tf",
            "resource \"aws_instance\" \"web\" {\n  for_each = toset([\"a\"])\n  lifecycle {\n    prevent_destroy = false\n  }\n}\n\nresource \"aws_instance\" \"db\" {\n  lifecycle { create_before_destroy = false }\n}\n",
        ),
        (
            "plan.json",
            &plan("aws_instance.web[\"a\"]", "", "aws_instance", "web", &[]),
        ),
    ]);
    fix_plan(dir.path(), ".");
    assert_eq!(
        read(dir.path(), "main.tf"),
        "resource \"aws_instance\" \"web\" {\n  for_each = toset([\"a\"])\n  lifecycle {\n    prevent_destroy = false\n    create_before_destroy = true\n  }\n}\n\nresource \"aws_instance\" \"db\" {\n  lifecycle { create_before_destroy = false }\n}\n"
    );
    std::fs::write(
        dir.path().join("plan.json"),
        plan("aws_instance.db", "", "aws_instance", "db", &[]),
    )
    .unwrap();
    fix_plan(dir.path(), ".");
    assert!(read(dir.path(), "main.tf").contains(
        "resource \"aws_instance\" \"db\" {\n  lifecycle { create_before_destroy = true }\n}\n"
    ));
}

#[test]
fn upd002_opens_a_one_line_block() {
    let dir = temp_tree(&[
        ("main.tf", "resource \"null_resource\" \"a\" {}\n"),
        (
            "plan.json",
            &plan("null_resource.a", "", "null_resource", "a", &[]),
        ),
    ]);
    fix_plan(dir.path(), ".");
    assert_eq!(
        read(dir.path(), "main.tf"),
        "resource \"null_resource\" \"a\" {\n  lifecycle {\n    create_before_destroy = true\n  }\n}\n"
    );
}

#[test]
fn upd002_does_not_edit_a_module_from_a_registry() {
    let dir = temp_tree(&[
        (
            "main.tf",
            "module \"vpc\" {\n  source  = \"terraform-aws-modules/vpc/aws\"\n  version = \"5.1.2\"\n}\n",
        ),
        (
            "plan.json",
            &plan(
                "module.vpc.aws_vpc.this[0]",
                "module.vpc",
                "aws_vpc",
                "this",
                &[("vpc", "terraform-aws-modules/vpc/aws")],
            ),
        ),
    ]);
    let all = findings(dir.path());
    let finding = all.iter().find(|f| f.rule_id == "UPD002").unwrap();
    let err = fix_for(finding, &context(false)).unwrap().unwrap_err();
    assert!(
        err.message.contains("not a local directory"),
        "{}",
        err.message
    );
}

// ---- UPD005 ---------------------------------------------------------------

#[test]
fn upd005_removes_ignore_changes_and_an_emptied_lifecycle() {
    let dir = temp_tree(&[(
        "main.tf",
        "resource \"aws_instance\" \"a\" {\n  ami = \"x\"\n  lifecycle {\n    ignore_changes = [tags] # set by the scheduler\n  }\n}\n",
    )]);
    let fix = fix_and_rescan(dir.path(), "UPD005");
    assert_eq!(fix.applicability, Applicability::Unsafe);
    assert_eq!(
        read(dir.path(), "main.tf"),
        "resource \"aws_instance\" \"a\" {\n  ami = \"x\"\n}\n"
    );
}

#[test]
fn upd005_keeps_the_rest_of_the_lifecycle_block() {
    let dir = temp_tree(&[(
        "main.tf",
        "resource \"aws_instance\" \"a\" {\n  lifecycle {\n    prevent_destroy = true\n    ignore_changes = [\n      tags,\n      ami,\n    ]\n  }\n}\n",
    )]);
    fix_and_rescan(dir.path(), "UPD005");
    assert_eq!(
        read(dir.path(), "main.tf"),
        "resource \"aws_instance\" \"a\" {\n  lifecycle {\n    prevent_destroy = true\n  }\n}\n"
    );
}

// ---- SSH003 ---------------------------------------------------------------

#[test]
fn ssh003_removes_port_22_from_expose() {
    for (before, after) in [
        ("EXPOSE 80 22\n", "EXPOSE 80\n"),
        ("EXPOSE 22/tcp 443\n", "EXPOSE 443\n"),
        ("EXPOSE 22\nUSER app\n", "USER app\n"),
    ] {
        let dir = temp_tree(&[(
            "Dockerfile",
            &format!("FROM alpine:3.20@sha256:{}\n{before}", "a".repeat(64)),
        )]);
        let fix = fix_and_rescan(dir.path(), "SSH003");
        assert_eq!(fix.applicability, Applicability::Unsafe);
        assert_eq!(
            read(dir.path(), "Dockerfile"),
            format!("FROM alpine:3.20@sha256:{}\n{after}", "a".repeat(64))
        );
    }
}

#[test]
fn ssh003_removes_the_ssh_package_but_not_the_install() {
    let dir = temp_tree(&[(
        "Dockerfile",
        "FROM debian:12\nRUN apt-get update && apt-get install -y curl openssh-server && rm -rf /var/lib/apt/lists/*\n",
    )]);
    fix_and_rescan(dir.path(), "SSH003");
    assert_eq!(
        read(dir.path(), "Dockerfile"),
        "FROM debian:12\nRUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*\n"
    );
}

#[test]
fn ssh003_has_no_fix_for_sshd_or_a_lone_package() {
    let dir = temp_tree(&[(
        "Dockerfile",
        "FROM debian:12\nRUN apk add dropbear\nCMD [\"/usr/sbin/sshd\", \"-D\"]\n",
    )]);
    let all = findings(dir.path());
    let ssh: Vec<&Finding> = all.iter().filter(|f| f.rule_id == "SSH003").collect();
    assert_eq!(ssh.len(), 2, "{all:#?}");
    let cmd = ssh.iter().find(|f| f.message.contains("sshd")).unwrap();
    assert!(fix_for(cmd, &context(false)).is_none());
    let package = ssh.iter().find(|f| f.message.contains("dropbear")).unwrap();
    let err = fix_for(package, &context(false)).unwrap().unwrap_err();
    assert!(err.message.contains("only package"), "{}", err.message);
}

#[test]
fn ssh003_removes_kubernetes_and_compose_port_items() {
    let digest = "a".repeat(64);
    let pod = format!(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n    - name: a\n      image: x:1@sha256:{digest}\n      ports:\n        - containerPort: 22\n          name: ssh\n      env: []\n"
    );
    let dir = temp_tree(&[("pod.yaml", &pod)]);
    fix_and_rescan(dir.path(), "SSH003");
    assert_eq!(
        read(dir.path(), "pod.yaml"),
        format!(
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n    - name: a\n      image: x:1@sha256:{digest}\n      env: []\n"
        )
    );
    let service = "apiVersion: v1\nkind: Service\nmetadata:\n  name: s\nspec:\n  ports:\n  - port: 80\n  - name: ssh\n    port: 22\n";
    let dir = temp_tree(&[("svc.yaml", service)]);
    fix_and_rescan(dir.path(), "SSH003");
    assert_eq!(
        read(dir.path(), "svc.yaml"),
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: s\nspec:\n  ports:\n  - port: 80\n"
    );
    let compose =
        "services:\n  web:\n    image: x:1\n    ports:\n      - \"80:80\"\n      - \"2222:22\"\n";
    let dir = temp_tree(&[("compose.yaml", compose)]);
    fix_and_rescan(dir.path(), "SSH003");
    assert_eq!(
        read(dir.path(), "compose.yaml"),
        "services:\n  web:\n    image: x:1\n    ports:\n      - \"80:80\"\n"
    );
}

#[test]
fn ssh003_keeps_a_service_only_port() {
    let dir = temp_tree(&[(
        "svc.yaml",
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: s\nspec:\n  ports:\n    - port: 22\n",
    )]);
    let all = findings(dir.path());
    let finding = all.iter().find(|f| f.rule_id == "SSH003").unwrap();
    let err = fix_for(finding, &context(false)).unwrap().unwrap_err();
    assert!(err.message.contains("only item"), "{}", err.message);
}

// ---- VER001 ---------------------------------------------------------------

fn git(dir: &Path, args: &[&str]) -> String {
    let out = std::process::Command::new("git")
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(out.status.success(), "git {args:?}: {out:?}");
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

/// A git repository with two commits on `main` and one more on `dev`;
/// returns it with the commits `main` and `dev` point at.
fn repository() -> (tempfile::TempDir, String, String) {
    let repo = tempfile::tempdir().unwrap();
    let dir = repo.path();
    git(dir, &["init", "-q", "-b", "main"]);
    for (file, message) in [("a", "one"), ("b", "two")] {
        std::fs::write(dir.join(file), message).unwrap();
        git(dir, &["add", file]);
        git(dir, &["commit", "-q", "-m", message]);
    }
    let main = git(dir, &["rev-parse", "HEAD"]);
    git(dir, &["checkout", "-q", "-b", "dev"]);
    std::fs::write(dir.join("c"), "three").unwrap();
    git(dir, &["add", "c"]);
    git(dir, &["commit", "-q", "-m", "three"]);
    let dev = git(dir, &["rev-parse", "HEAD"]);
    git(dir, &["checkout", "-q", "main"]);
    (repo, main, dev)
}

#[test]
fn ver001_pins_a_git_branch_or_missing_ref_to_its_commit() {
    let (repo, main, dev) = repository();
    let url = format!("file://{}", repo.path().display());
    for (source, pinned) in [
        (
            format!("git::{url}//modules/x?ref=dev"),
            format!("git::{url}//modules/x?ref={dev}"),
        ),
        (format!("git::{url}"), format!("git::{url}?ref={main}")),
        (
            format!("git::{url}?depth=1&ref=main"),
            format!("git::{url}?depth=1&ref={main}"),
        ),
    ] {
        let dir = temp_tree(&[(
            "main.tf",
            &format!("module \"a\" {{\n  source = \"{source}\" # shared\n}}\n"),
        )]);
        let fix = fix_and_rescan(dir.path(), "VER001");
        assert_eq!(fix.applicability, Applicability::Safe);
        assert_eq!(
            read(dir.path(), "main.tf"),
            format!("module \"a\" {{\n  source = \"{pinned}\" # shared\n}}\n")
        );
    }
}

#[test]
fn ver001_pins_a_kustomize_remote_resource() {
    let (repo, main, _) = repository();
    let url = format!("file://{}", repo.path().display());
    let dir = temp_tree(&[(
        "kustomization.yaml",
        &format!("resources:\n  - {url}//base?ref=main\n  - ./local\n"),
    )]);
    std::fs::create_dir(dir.path().join("local")).unwrap();
    fix_and_rescan(dir.path(), "VER001");
    assert_eq!(
        read(dir.path(), "kustomization.yaml"),
        format!("resources:\n  - {url}//base?ref={main}\n  - ./local\n")
    );
}

#[test]
fn ver001_needs_the_network_and_a_known_ref() {
    let (repo, _, _) = repository();
    let dir = temp_tree(&[(
        "main.tf",
        &format!(
            "module \"a\" {{\n  source = \"git::file://{}?ref=gone\"\n}}\n",
            repo.path().display()
        ),
    )]);
    let all = findings(dir.path());
    let finding = all.iter().find(|f| f.rule_id == "VER001").unwrap();
    let offline = fix_for(finding, &context(true)).unwrap().unwrap_err();
    assert_eq!(offline.message, driftless::fix::NEEDS_NETWORK);
    let unknown = fix_for(finding, &context(false)).unwrap().unwrap_err();
    assert!(
        unknown.message.contains("`gone` is not a branch or tag"),
        "{}",
        unknown.message
    );
}

/// A Terraform module registry on loopback: service discovery names
/// `/api/modules/`, which lists `versions` for `ns/app/aws`. Returns its
/// host (`127.0.0.1:PORT`).
fn registry(versions: &'static [&'static str]) -> String {
    use std::io::{BufRead, BufReader, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let host = listener.local_addr().unwrap().to_string();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let mut stream = stream.unwrap();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request = String::new();
            reader.read_line(&mut request).unwrap();
            loop {
                let mut header = String::new();
                if reader.read_line(&mut header).unwrap() == 0 || header == "\r\n" {
                    break;
                }
            }
            let path = request.split_whitespace().nth(1).unwrap_or("");
            let listed: Vec<serde_json::Value> = versions
                .iter()
                .map(|v| serde_json::json!({"version": v}))
                .collect();
            let (status, body) = match path {
                "/.well-known/terraform.json" => {
                    ("200 OK", serde_json::json!({"modules.v1": "/api/modules/"}))
                }
                "/api/modules/ns/app/aws/versions" => (
                    "200 OK",
                    serde_json::json!({"modules": [{"versions": listed}]}),
                ),
                _ => (
                    "404 Not Found",
                    serde_json::json!({"errors": ["not found"]}),
                ),
            };
            let body = body.to_string();
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    host
}

#[test]
fn ver001_pins_a_registry_module_to_its_latest_release() {
    let host = registry(&["1.2.0", "1.10.0", "2.0.0-rc1", "1.9.0"]);
    let dir = temp_tree(&[(
        "main.tf",
        &format!("module \"app\" {{\n  source = \"{host}/ns/app/aws\"\n  name   = \"x\"\n}}\n"),
    )]);
    let fix = fix_and_rescan(dir.path(), "VER001");
    assert_eq!(fix.applicability, Applicability::Unsafe);
    assert!(fix.title.contains("1.10.0"), "{}", fix.title);
    assert_eq!(
        read(dir.path(), "main.tf"),
        format!(
            "module \"app\" {{\n  source = \"{host}/ns/app/aws\"\n  version = \"1.10.0\"\n  name   = \"x\"\n}}\n"
        )
    );
    let dir = temp_tree(&[(
        "main.tf",
        &format!(
            "module \"app\" {{\n  source  = \"{host}/ns/app/aws//modules/db\"\n  version = \">= 1.2\"\n}}\n"
        ),
    )]);
    fix_and_rescan(dir.path(), "VER001");
    assert_eq!(
        read(dir.path(), "main.tf"),
        format!(
            "module \"app\" {{\n  source  = \"{host}/ns/app/aws//modules/db\"\n  version = \"1.10.0\"\n}}\n"
        )
    );
}

#[test]
fn ver001_reports_a_registry_that_does_not_know_the_module() {
    let host = registry(&[]);
    let dir = temp_tree(&[(
        "main.tf",
        &format!("module \"app\" {{\n  source = \"{host}/ns/other/aws\"\n}}\n"),
    )]);
    let all = findings(dir.path());
    let finding = all.iter().find(|f| f.rule_id == "VER001").unwrap();
    let err = fix_for(finding, &context(false)).unwrap().unwrap_err();
    assert!(err.message.contains("404"), "{}", err.message);
}

#[test]
fn ssh003_removes_compose_long_syntax_and_expose_entries() {
    let compose = "services:\n  web:\n    image: x:1\n    ports:\n      - target: 22\n        published: 2222\n    expose:\n      - \"8080\"\n";
    let dir = temp_tree(&[("compose.yaml", compose)]);
    fix_and_rescan(dir.path(), "SSH003");
    assert_eq!(
        read(dir.path(), "compose.yaml"),
        "services:\n  web:\n    image: x:1\n    expose:\n      - \"8080\"\n"
    );
    let compose =
        "services:\n  web:\n    image: x:1\n    expose:\n      - \"22\"\n      - \"8080\"\n";
    let dir = temp_tree(&[("compose.yaml", compose)]);
    fix_and_rescan(dir.path(), "SSH003");
    assert_eq!(
        read(dir.path(), "compose.yaml"),
        "services:\n  web:\n    image: x:1\n    expose:\n      - \"8080\"\n"
    );
    let flow = "services:\n  web:\n    image: x:1\n    ports: [\"2222:22\"]\n";
    let dir = temp_tree(&[("compose.yaml", flow)]);
    let all = findings(dir.path());
    let finding = all.iter().find(|f| f.rule_id == "SSH003").unwrap();
    assert!(
        fix_for(finding, &context(false)).is_none(),
        "flow style has no fix"
    );
}

#[test]
fn ver001_pins_a_registry_module_to_the_installed_version_without_the_network() {
    // no registry listens on port 9: the version comes from `terraform init`'s record
    let dir = temp_tree(&[
        (
            "main.tf",
            "module \"app\" {\n  source  = \"127.0.0.1:9/ns/app/aws\"\n  version = \">= 1.0\"\n}\n",
        ),
        (
            ".terraform/modules/modules.json",
            "{\"Modules\":[{\"Key\":\"\",\"Source\":\"\",\"Dir\":\".\"},{\"Key\":\"app\",\"Source\":\"127.0.0.1:9/ns/app/aws\",\"Version\":\"1.2.0\",\"Dir\":\".terraform/modules/app\"}]}",
        ),
    ]);
    let all = findings(dir.path());
    let finding = all.iter().find(|f| f.rule_id == "VER001").unwrap();
    let fix = fix_for(finding, &context(true)).unwrap().unwrap();
    assert_eq!(fix.applicability, Applicability::Safe);
    apply(&fix);
    assert_eq!(
        read(dir.path(), "main.tf"),
        "module \"app\" {\n  source  = \"127.0.0.1:9/ns/app/aws\"\n  version = \"1.2.0\"\n}\n"
    );
    assert!(findings(dir.path()).iter().all(|f| f.rule_id != "VER001"));
    // another call of the same module was not installed: the network is needed
    std::fs::write(
        dir.path().join("main.tf"),
        "module \"other\" {\n  source = \"127.0.0.1:9/ns/app/aws\"\n}\n",
    )
    .unwrap();
    let all = findings(dir.path());
    let finding = all.iter().find(|f| f.rule_id == "VER001").unwrap();
    let err = fix_for(finding, &context(true)).unwrap().unwrap_err();
    assert_eq!(err.message, driftless::fix::NEEDS_NETWORK);
}
