//! Kubernetes manifests and Helm values embedded in Terraform resources
//! (`kubectl_manifest.yaml_body`, `helm_release.values`): decoded, checked
//! by the same image rules as manifest and values files, and located inside
//! the heredoc or the file that holds them (#14).

mod common;

use common::scan_json;

/// Scans a temporary module; its findings as (rule, file name, line,
/// column), sorted, and the exit code.
fn scan(files: &[(&str, &str)], rules: &str) -> (i32, Vec<(String, String, u64, u64)>) {
    let dir = common::temp_tree(files);
    let (code, hits, _) = scan_json(&["--select", rules, dir.path().to_str().unwrap()]);
    let hits = hits
        .into_iter()
        .map(|h| {
            let name = h.path.rsplit('/').next().unwrap_or_default().to_string();
            (h.rule, name, h.line, h.column)
        })
        .collect();
    (code, hits)
}

fn at(rule: &str, file: &str, line: u64, column: u64) -> (String, String, u64, u64) {
    (rule.into(), file.into(), line, column)
}

const DEPLOYMENT: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
        - name: web
          image: nginx:latest
";

#[test]
fn kubectl_manifest_heredoc_is_tag001_at_the_image_scalar() {
    let tf = format!(
        "resource \"kubectl_manifest\" \"web\" {{\n  yaml_body = <<EOT\n{DEPLOYMENT}EOT\n}}\n"
    );
    let (code, hits) = scan(&[("main.tf", &tf)], "TAG001");
    assert_eq!(hits, vec![at("TAG001", "main.tf", 12, 18)]);
    assert_eq!(code, 1);
}

#[test]
fn every_document_of_a_multi_document_body_counts() {
    let tf = format!(
        "resource \"kubectl_manifest\" \"web\" {{\n  yaml_body = <<EOT\n---\n{DEPLOYMENT}---\nkind: Pod\nspec:\n  containers:\n    - name: c\n      image: redis\nEOT\n}}\n"
    );
    let (_, hits) = scan(&[("main.tf", &tf)], "TAG001,TAG002");
    assert_eq!(
        hits,
        vec![
            at("TAG001", "main.tf", 13, 18),
            at("TAG002", "main.tf", 19, 14)
        ]
    );
}

#[test]
fn kubectl_manifest_from_a_file_is_located_in_that_file() {
    let tf = "resource \"kubectl_manifest\" \"web\" {\n  yaml_body = file(\"web.tpl\")\n}\n";
    let (_, hits) = scan(&[("main.tf", tf), ("web.tpl", DEPLOYMENT)], "TAG001");
    assert_eq!(hits, vec![at("TAG001", "web.tpl", 10, 18)]);
}

#[test]
fn a_manifest_file_the_scan_reads_itself_is_reported_once() {
    let tf = "resource \"kubectl_manifest\" \"web\" {\n  yaml_body = file(\"web.yaml\")\n}\n";
    let (_, hits) = scan(&[("main.tf", tf), ("web.yaml", DEPLOYMENT)], "TAG001");
    assert_eq!(hits, vec![at("TAG001", "web.yaml", 10, 18)]);
}

#[test]
fn kubectl_manifest_from_a_template_or_yamlencode_is_found() {
    let tf = "resource \"kubectl_manifest\" \"t\" {\n  yaml_body = templatefile(\"pod.tpl\", { tag = \"latest\" })\n}\n\
resource \"kubectl_manifest\" \"e\" {\n  yaml_body = yamlencode({\n    kind = \"Pod\"\n    spec = { containers = [{ name = \"c\", image = \"nginx:latest\" }] }\n  })\n}\n";
    let tpl = "kind: Pod\nspec:\n  containers:\n    - name: c\n      image: nginx:${tag}\n";
    let (_, hits) = scan(&[("main.tf", tf), ("pod.tpl", tpl)], "TAG001");
    assert_eq!(
        hits,
        vec![
            at("TAG001", "main.tf", 2, 15),
            at("TAG001", "main.tf", 7, 50)
        ]
    );
}

#[test]
fn a_body_that_does_not_parse_is_eval001_at_the_body() {
    let tf = "resource \"kubectl_manifest\" \"bad\" {\n  yaml_body = <<EOT\nkind: Pod\nspec: [1\nEOT\n}\n";
    let (code, hits) = scan(&[("main.tf", tf)], "TAG001");
    assert_eq!(hits, vec![at("EVAL001", "main.tf", 2, 15)]);
    assert_eq!(code, 1);
}

#[test]
fn an_unknown_body_stays_unread() {
    let tf = "resource \"kubectl_manifest\" \"u\" {\n  yaml_body = <<EOT\nkind: Pod\nspec:\n  containers:\n    - image: ${aws_ecr_repository.app.repository_url}:latest\n      name: [\nEOT\n}\n";
    let (code, hits) = scan(&[("main.tf", tf)], "TAG001");
    assert!(hits.is_empty(), "{hits:?}");
    assert_eq!(code, 0);
}

#[test]
fn helm_release_values_setting_latest_are_tag001() {
    let tf = "resource \"helm_release\" \"h\" {\n  chart = \"x\"\n  values = [\n    yamlencode({ image = { repository = \"nginx\", tag = \"latest\" } }),\n    <<EOT\ncontroller:\n  image:\n    tag: latest\nsidecar:\n  image: busybox:latest\nok:\n  image:\n    tag: \"1.2.3\"\nEOT\n    ,\n    file(\"values.yaml\"),\n  ]\n}\n";
    let values = "imageTag: latest\n";
    let (_, hits) = scan(&[("main.tf", tf), ("values.yaml", values)], "TAG001");
    assert_eq!(
        hits,
        vec![
            at("TAG001", "main.tf", 4, 56),
            at("TAG001", "main.tf", 8, 10),
            at("TAG001", "main.tf", 10, 10),
            at("TAG001", "values.yaml", 1, 11),
        ]
    );
}

#[test]
fn yamldecode_keeps_structure() {
    let tf = "resource \"kubernetes_manifest\" \"m\" {\n  manifest = yamldecode(\"kind: Pod\\nspec:\\n  containers:\\n    - name: c\\n      image: nginx:latest\\n\")\n}\n";
    let (_, hits) = scan(&[("main.tf", tf)], "TAG001");
    assert_eq!(hits, vec![at("TAG001", "main.tf", 2, 14)]);
}

#[test]
fn an_embedded_workload_exposing_port_22_is_ssh003() {
    let tf = "resource \"kubectl_manifest\" \"p\" {\n  yaml_body = <<EOT\nkind: Pod\nspec:\n  containers:\n    - name: c\n      image: x:1\n      ports:\n        - containerPort: 22\nEOT\n}\n";
    let (_, hits) = scan(&[("main.tf", tf)], "SSH003");
    assert_eq!(hits, vec![at("SSH003", "main.tf", 9, 26)]);
}

#[test]
fn a_kubernetes_manifest_object_is_judged_once_per_rule() {
    let tf = "resource \"kubernetes_manifest\" \"p\" {\n  manifest = {\n    kind = \"Pod\"\n    spec = {\n      containers = [{ name = \"c\", image = \"nginx:latest\", ports = [{ containerPort = 22 }] }]\n    }\n  }\n}\n";
    let (_, hits) = scan(&[("main.tf", tf)], "TAG001,SSH003");
    assert_eq!(
        hits,
        vec![
            at("SSH003", "main.tf", 5, 86),
            at("TAG001", "main.tf", 5, 43)
        ]
    );
}

const EMBEDDED_CONFIG_MAP: &str = "resource \"kubectl_manifest\" \"c\" {\n  yaml_body = <<EOT\nkind: ConfigMap\nmetadata:\n  name: app\ndata:\n  a: \"1\"\nEOT\n}\n";

#[test]
fn an_embedded_config_map_not_immutable_is_ver006() {
    let (_, hits) = scan(&[("main.tf", EMBEDDED_CONFIG_MAP)], "VER006");
    assert_eq!(hits, vec![at("VER006", "main.tf", 5, 9)]);
}

/// The YAML edit of VER006's fix would land in HCL: the fix declines and
/// says why, and the file is left as written.
#[test]
fn the_ver006_fix_declines_inside_terraform() {
    let dir = common::temp_tree(&[("main.tf", EMBEDDED_CONFIG_MAP)]);
    let out = common::driftless()
        .args([
            "scan",
            "--unsafe-fixes",
            "--fix",
            "--no-network",
            "--select",
            "VER006",
        ])
        .arg(dir.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        format!("{stdout}{stderr}")
            .contains("embedded in Terraform; add `immutable: true` to it by hand"),
        "{stdout}{stderr}"
    );
    let after = std::fs::read_to_string(dir.path().join("main.tf")).unwrap();
    assert_eq!(after, EMBEDDED_CONFIG_MAP);
}
