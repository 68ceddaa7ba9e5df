//! End to end: the demo repository mixes the formats (Dockerfile,
//! Terraform, Kubernetes, a Kustomize overlay, Helm values — templates
//! skipped —, Compose, a plan); every default rule fires on it at least
//! once (a bastion image, servers and a plan show the SSH, UPD and VER
//! families beside the images), each at the exact line and column, in text,
//! JSON and SARIF, with exit code 1.

mod common;

use common::{driftless, hit, scan_json};

fn expected() -> Vec<common::Hit> {
    let mut v = vec![
        hit("TAG001", "fixtures/demo/app/Dockerfile", 5, 32),
        hit("TAG002", "fixtures/demo/app/Dockerfile", 12, 6),
        hit("TAG002", "fixtures/demo/docker-compose.yaml", 3, 12),
        hit("TAG001", "fixtures/demo/chart/values.yaml", 3, 8),
        hit(
            "TAG001",
            "fixtures/demo/k8s/overlays/prod/kustomization.yaml",
            5,
            13,
        ),
        hit("TAG001", "fixtures/demo/infra/main.tf", 17, 19),
        hit("TAG002", "fixtures/demo/infra/main.tf", 26, 11),
        hit("TAG001", "fixtures/demo/k8s/workloads.yaml", 27, 22),
        hit("TAG002", "fixtures/demo/k8s/workloads.yaml", 42, 14),
        // the other rule families: a bastion image, servers and a plan
        hit("SSH001", "fixtures/demo/infra/servers.tf", 20, 20),
        hit("SSH002", "fixtures/demo/infra/servers.tf", 27, 19),
        hit("SSH003", "fixtures/demo/bastion/Dockerfile", 4, 64),
        hit("SSH003", "fixtures/demo/bastion/Dockerfile", 6, 8),
        hit("SSH003", "fixtures/demo/bastion/Dockerfile", 7, 6),
        hit("SSH003", "fixtures/demo/k8s/config.yaml", 17, 13),
        hit("UPD001", "fixtures/demo/infra/plan.json", 21, 18),
        hit("UPD002", "fixtures/demo/infra/plan.json", 34, 18),
        hit("UPD003", "fixtures/demo/infra/servers.tf", 29, 3),
        hit("UPD004", "fixtures/demo/infra/plan.json", 7, 18),
        hit("UPD006", "fixtures/demo/bastion/Dockerfile", 4, 31),
        hit("VER001", "fixtures/demo/infra/servers.tf", 10, 12),
        hit("VER002", "fixtures/demo/infra/servers.tf", 3, 11),
        hit("VER003", "fixtures/demo/infra/servers.tf", 44, 15),
        hit("VER004", "fixtures/demo/bastion/Dockerfile", 4, 64),
        hit("VER005", "fixtures/demo/bastion/Dockerfile", 5, 5),
        hit("VER006", "fixtures/demo/k8s/config.yaml", 4, 9),
    ];
    v.sort();
    v
}

#[test]
fn json_report_has_every_finding_at_its_exact_position() {
    let (code, hits, report) = scan_json(&["fixtures/demo"]);
    assert_eq!(hits, expected(), "{report:#}");
    assert_eq!(code, 1);
    assert_eq!(report["summary"]["findings"], 26);
}

#[test]
fn strict_adds_digest_findings_for_every_image_without_digest() {
    let (_, hits, _) = scan_json(&["--strict", "fixtures/demo"]);
    let tag003 = common::only("TAG003", &hits);
    // Every image but the distroless one pinned by digest: 2 in the app's
    // Dockerfile, 1 in the bastion's, 5 in the manifests, 3 in Terraform,
    // 1 in the Compose file, 1 in the Helm values, 1 in the overlay.
    assert_eq!(tag003.len(), 14, "{tag003:#?}");
}

#[test]
fn text_report_shows_location_code_frame_and_help() {
    let out = driftless()
        .args(["scan", "fixtures/demo"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    insta::assert_snapshot!("demo_text_report", text);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn selecting_a_clean_subset_exits_zero() {
    let (code, hits, _) = scan_json(&["--select", "SSH001", "fixtures/demo/k8s"]);
    assert!(hits.is_empty());
    assert_eq!(code, 0);
}

#[test]
fn fail_on_above_every_finding_exits_zero() {
    // the images (high) and a ConfigMap (low): nothing critical
    let (code, hits, _) = scan_json(&["--fail-on", "critical", "fixtures/demo/k8s"]);
    assert_eq!(hits.len(), 5, "{hits:#?}");
    assert_eq!(code, 0);
}

#[test]
fn output_file_gets_the_format_and_console_keeps_text() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.sarif");
    let out = driftless()
        .args(["scan", "fixtures/demo", "--format", "sarif", "-o"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let console = String::from_utf8(out.stdout).unwrap();
    assert!(
        console.contains("fixtures/demo/app/Dockerfile:5:32: TAG001"),
        "{console}"
    );
    let sarif: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(sarif["runs"][0]["results"].as_array().unwrap().len(), 26);
}

#[test]
fn unknown_rule_ids_are_usage_errors() {
    let out = driftless()
        .args(["scan", "--select", "NOPE1", "fixtures/demo"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}
