//! One spelling of every path (#17.2, #16): repository-relative, `.` and
//! `..` resolved, the repository found from the scanned path; `exclude`
//! relative to the config file's directory.

mod common;

use std::path::Path;

use common::temp_tree;

const POD: &str = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n    - name: web\n      image: web:latest\n";

/// A git-like checkout (`.git` is what marks the root) with one finding.
fn checkout() -> tempfile::TempDir {
    let tree = temp_tree(&[
        ("repo/k8s/workloads.yaml", POD),
        (
            "repo/app/Dockerfile",
            "FROM alpine:3.20@sha256:0000000000000000000000000000000000000000000000000000000000000000\n",
        ),
    ]);
    std::fs::create_dir_all(tree.path().join("repo/.git")).unwrap();
    tree
}

fn scan(cwd: &Path, args: &[&str]) -> (String, String) {
    let out = common::driftless()
        .current_dir(cwd)
        .arg("scan")
        .args(args)
        .output()
        .unwrap();
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn json_paths(report: &str) -> Vec<String> {
    let v: serde_json::Value = serde_json::from_str(report).unwrap();
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn dot_dot_segments_are_resolved_in_every_format() {
    let tree = checkout();
    let app = tree.path().join("repo/app");
    let (json, _) = scan(&app, &["-f", "json", "../k8s/workloads.yaml"]);
    assert_eq!(json_paths(&json), ["k8s/workloads.yaml"]);
    let (sarif, _) = scan(&app, &["-f", "sarif", "../k8s/workloads.yaml"]);
    assert!(sarif.contains("\"uri\": \"k8s/workloads.yaml\""), "{sarif}");
    for format in ["text", "junit", "github", "gitlab"] {
        let (out, err) = scan(&app, &["-f", format, "../k8s/workloads.yaml"]);
        assert!(out.contains("k8s/workloads.yaml"), "{format}: {out}{err}");
        assert!(!out.contains(".."), "{format} keeps `..`: {out}");
    }
}

#[test]
fn a_baseline_written_from_a_subdirectory_matches_a_scan_from_the_root() {
    let tree = checkout();
    let repo = tree.path().join("repo");
    let baseline = repo.join("baseline.json");
    let baseline_arg = baseline.to_str().unwrap();
    scan(
        &repo.join("app"),
        &["--write-baseline", baseline_arg, "../k8s/workloads.yaml"],
    );
    let written = std::fs::read_to_string(&baseline).unwrap();
    assert!(written.contains("\"k8s/workloads.yaml\""), "{written}");
    let (json, err) = scan(&repo, &["-f", "json", "--baseline", baseline_arg, "k8s"]);
    assert_eq!(json_paths(&json), Vec::<String>::new(), "{err}");
}

#[test]
fn scanning_a_checkout_from_outside_gives_repository_relative_paths() {
    let tree = checkout();
    let outside = tempfile::tempdir().unwrap();
    let repo = tree.path().join("repo");
    let (sarif, _) = scan(outside.path(), &["-f", "sarif", repo.to_str().unwrap()]);
    assert!(sarif.contains("\"uri\": \"k8s/workloads.yaml\""), "{sarif}");
    let (json, _) = scan(outside.path(), &["-f", "json", repo.to_str().unwrap()]);
    assert_eq!(json_paths(&json), ["k8s/workloads.yaml"]);
    let (text, _) = scan(outside.path(), &[repo.to_str().unwrap()]);
    assert!(
        text.starts_with("k8s/workloads.yaml:8:14: TAG001"),
        "{text}"
    );
}

#[test]
fn exclude_is_relative_to_the_config_files_directory() {
    let tree = temp_tree(&[
        ("repo/.driftless.yaml", "exclude: [\"k8s/\"]\n"),
        ("repo/k8s/workloads.yaml", POD),
        ("repo/other/pod.yaml", POD),
    ]);
    let repo = tree.path().join("repo");
    std::fs::create_dir_all(repo.join(".git")).unwrap();
    for (cwd, path) in [
        (repo.clone(), "."),
        (repo.join("other"), ".."),
        (tree.path().to_path_buf(), "repo"),
    ] {
        let config = repo.join(".driftless.yaml");
        let (json, err) = scan(
            &cwd,
            &["-f", "json", "--config", config.to_str().unwrap(), path],
        );
        assert_eq!(json_paths(&json), ["other/pod.yaml"], "from {cwd:?}: {err}");
        // found by the upward search, the config is named relative to cwd
        let (json, err) = scan(&cwd, &["-f", "json", path]);
        assert_eq!(
            json_paths(&json),
            ["other/pod.yaml"],
            "found from {cwd:?}: {err}"
        );
    }
}
