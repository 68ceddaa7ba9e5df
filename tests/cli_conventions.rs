//! The command line's conventions (#17.8): `--output-format`, `--quiet`,
//! `--statistics`, `--color` and the colour environment variables,
//! completions and man page, `explain` suggestions, `inspect DIR`, a
//! missing path as a usage error, singular counts.

mod common;

use common::driftless;

const DOCKERFILE: &str = "fixtures/demo/app/Dockerfile";

fn run(args: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
    let mut cmd = driftless();
    cmd.env_remove("NO_COLOR")
        .env_remove("FORCE_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("CLICOLOR");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn output_format_is_the_flag_and_format_and_f_still_work() {
    for flag in ["--output-format", "--format", "-f"] {
        let (code, out, err) = run(&["scan", flag, "json", DOCKERFILE], &[]);
        assert_eq!(code, 1, "{flag}: {err}");
        let report: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert!(!report["findings"].as_array().unwrap().is_empty(), "{flag}");
    }
    let (_, help, _) = run(&["scan", "--help"], &[]);
    assert!(help.contains("--output-format <FORMAT>"), "{help}");
}

#[test]
fn quiet_prints_the_findings_and_nothing_else() {
    let (code, out, _) = run(&["scan", "--quiet", DOCKERFILE], &[]);
    assert_eq!(code, 1);
    assert!(out.contains("TAG001"), "{out}");
    assert!(!out.contains("Found "), "{out}");
    let dir = common::temp_tree(&[(
        "Dockerfile",
        "FROM alpine:3.20@sha256:0000000000000000000000000000000000000000000000000000000000000000\n",
    )]);
    let (code, out, err) = run(&["scan", "-q", dir.path().to_str().unwrap()], &[]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, "", "a clean quiet run prints nothing");
}

#[test]
fn statistics_counts_findings_per_rule() {
    let (_, out, _) = run(&["scan", "--statistics", DOCKERFILE], &[]);
    let line = out
        .lines()
        .find(|l| l.contains("TAG001"))
        .unwrap_or_else(|| panic!("{out}"));
    assert!(line.trim_start().starts_with("1  TAG001"), "{line}");
    assert!(!out.contains("  = help:"), "no code frames: {out}");
    assert!(out.contains("Found "), "the summary stays: {out}");
    // beside a machine format, on stderr
    let (_, out, err) = run(&["scan", "--statistics", "-f", "json", DOCKERFILE], &[]);
    serde_json::from_str::<serde_json::Value>(&out).unwrap();
    assert!(err.contains("TAG001"), "{err}");
}

#[test]
fn colour_follows_the_flag_and_the_environment() {
    let coloured = |args: &[&str], env: &[(&str, &str)]| {
        let mut all = vec!["scan"];
        all.extend_from_slice(args);
        all.push(DOCKERFILE);
        run(&all, env).1.contains('\x1b')
    };
    // stdout is not a terminal here
    assert!(!coloured(&[], &[]));
    assert!(coloured(&["--color", "always"], &[]));
    assert!(coloured(&["--color", "always"], &[("NO_COLOR", "1")]));
    assert!(!coloured(&["--color", "never"], &[("FORCE_COLOR", "1")]));
    assert!(coloured(&[], &[("FORCE_COLOR", "1")]));
    assert!(coloured(&[], &[("CLICOLOR_FORCE", "1")]));
    assert!(!coloured(&[], &[("FORCE_COLOR", "0")]));
    assert!(!coloured(&["--color", "auto"], &[("NO_COLOR", "1")]));
}

#[test]
fn completions_and_man_page_come_from_the_definition() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let (code, out, err) = run(&["completions", shell], &[]);
        assert_eq!(code, 0, "{shell}: {err}");
        assert!(out.contains("output-format"), "{shell}: {out}");
    }
    let (code, out, _) = run(&["man"], &[]);
    assert_eq!(code, 0);
    assert!(out.contains(".TH driftless 1"), "{out}");
    assert!(out.contains("completions"), "{out}");
}

#[test]
fn explain_suggests_the_closest_rule() {
    let (code, _, err) = run(&["explain", "TGA001"], &[]);
    assert_eq!(code, 2);
    assert!(err.contains("did you mean `TAG001`?"), "{err}");
    let (code, out, _) = run(&["explain", "ssh3"], &[]);
    assert_eq!(code, 0);
    assert!(out.starts_with("SSH003"), "{out}");
}

#[test]
fn inspect_takes_a_directory() {
    let (code, out, err) = run(&["inspect", "fixtures/demo"], &[]);
    assert_eq!(code, 0, "{err}");
    let docs: Vec<serde_json::Value> = serde_json::from_str(&out).unwrap();
    let mut kinds: Vec<&str> = docs.iter().map(|d| d["kind"].as_str().unwrap()).collect();
    kinds.sort();
    kinds.dedup();
    assert_eq!(
        kinds,
        [
            "compose",
            "dockerfile",
            "helm",
            "kubernetes",
            "kustomization",
            "terraform",
            "tfplan"
        ]
    );
    assert!(
        docs.iter()
            .any(|d| d["path"] == "fixtures/demo/app/Dockerfile")
    );
}

#[test]
fn a_missing_path_is_a_usage_error() {
    let (code, out, err) = run(&["scan", "-f", "json", "no/such/dir"], &[]);
    assert_eq!(code, 2, "{out}");
    assert!(
        err.contains("no/such/dir: no such file or directory"),
        "{err}"
    );
    assert!(!out.contains("PARSE001"), "{out}");
}

#[test]
fn one_file_is_singular() {
    let dir = common::temp_tree(&[(
        "Dockerfile",
        "FROM alpine:3.20@sha256:0000000000000000000000000000000000000000000000000000000000000000\n",
    )]);
    let path = dir.path().join("Dockerfile");
    let path = path.to_str().unwrap();
    let (_, out, _) = run(&["scan", path], &[]);
    assert!(out.contains("in 1 file ("), "{out}");
    let (_, out, _) = run(&["scan", "-f", "junit", path], &[]);
    assert!(out.contains("no findings in 1 file\""), "{out}");
}
