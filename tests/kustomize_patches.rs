//! Kustomize patches (issue #15): a file a kustomization names as a patch
//! holds only what it changes, so rules about a missing attribute (VER006)
//! do not fire on it; rules about a value it sets (TAG001) still do.

mod common;

use common::{driftless, hit, only, scan_json, temp_tree};

const OVERLAY: &str = "fixtures/rules/VER006/overlay-patch";

#[test]
fn a_patch_gets_no_absence_finding_but_keeps_its_values_checked() {
    let (code, hits, _) = scan_json(&["--strict", OVERLAY]);
    assert_eq!(code, 1, "{hits:?}");
    assert_eq!(
        only("VER006", &hits),
        [hit("VER006", &format!("{OVERLAY}/base.yaml"), 4, 9)],
        "the base ConfigMap is reported, the patch and the generated one are not"
    );
    assert_eq!(
        only("TAG001", &hits),
        [hit(
            "TAG001",
            &format!("{OVERLAY}/patches/deployment.yaml"),
            10,
            18
        )]
    );
}

#[test]
fn generators_produce_no_object_to_report() {
    let (_, hits, _) = scan_json(&["--strict", &format!("{OVERLAY}/kustomization.yaml")]);
    assert_eq!(hits, [], "configMapGenerator yields no ConfigMap document");
}

#[test]
fn a_patch_staged_alone_is_recognised_by_the_kustomization_above_it() {
    let (code, hits, _) = scan_json(&["--strict", &format!("{OVERLAY}/patches/config.yaml")]);
    assert_eq!((code, hits), (0, vec![]));
}

#[test]
fn the_kustomization_is_found_above_the_working_directory() {
    let tree = temp_tree(&[
        (
            "overlay/kustomization.yaml",
            "resources:\n  - ../base\npatchesStrategicMerge:\n  - patches/cm.yaml\n",
        ),
        (
            "overlay/patches/cm.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\ndata:\n  k: v\n",
        ),
        (
            "overlay/patches/other.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: other\ndata:\n  k: v\n",
        ),
    ]);
    let out = driftless()
        .current_dir(tree.path().join("overlay/patches"))
        .args([
            "scan",
            "--strict",
            "--format",
            "json",
            "cm.yaml",
            "other.yaml",
        ])
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let reported: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert_eq!(
        reported,
        ["other.yaml"],
        "a file no kustomization names is an object"
    );
}
