//! The compiled VM against the interpreter: the built-in rules run on
//! regorus's RVM only because these tests show it reports exactly what the
//! interpreter reports — on every fixture of the project and on a generated
//! repository with planted violations of every kind.

mod common;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use driftless::document::Kind;
use driftless::engine::{EngineOptions, Engines, PolicySet};
use driftless::scan::{ScanOptions, scan};

/// What a finding is, for comparing two scans: rule, place and message.
type Key = (String, PathBuf, usize, usize, String);

fn engines(interpreter_only: bool, strict: bool) -> Engines {
    let (set, errors) = PolicySet::load(Vec::new());
    assert!(errors.is_empty(), "{errors:?}");
    let options = EngineOptions {
        config_data: serde_json::json!({ "strict": strict }),
        enabled: None,
        interpreter_only,
        ..EngineOptions::default()
    };
    Engines::new(Arc::new(set), options)
}

fn findings(engines: &Engines, path: &Path) -> Vec<Key> {
    let options = ScanOptions {
        paths: vec![path.to_path_buf()],
        ..ScanOptions::default()
    };
    let result = scan(&options, engines);
    assert!(result.rule_errors.is_empty(), "{:?}", result.rule_errors);
    let mut keys: Vec<Key> = result
        .findings
        .into_iter()
        .map(|f| (f.rule_id, f.file.path.clone(), f.start, f.end, f.message))
        .collect();
    keys.sort();
    keys
}

/// Scans `path` with the VM and with the interpreter, default and strict,
/// and requires the same findings (and some findings, so the comparison
/// means something).
fn assert_same_findings(path: &Path) {
    for strict in [false, true] {
        let vm = engines(false, strict);
        for kind in Kind::ALL {
            assert!(vm.runs_on_vm(kind), "{kind:?} rules did not compile");
        }
        let interpreter = engines(true, strict);
        assert!(!interpreter.runs_on_vm(Kind::Kubernetes));
        let on_vm = findings(&vm, path);
        let interpreted = findings(&interpreter, path);
        assert!(!on_vm.is_empty(), "no findings in {}", path.display());
        assert_eq!(on_vm, interpreted, "strict: {strict}");
    }
}

#[test]
fn vm_and_interpreter_agree_on_every_fixture() {
    assert_same_findings(Path::new("fixtures"));
}

#[test]
fn vm_and_interpreter_agree_on_a_generated_repository() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("corpus");
    let args = ["--files", "400", "--seed", "11", "--violations", "0.5"]
        .iter()
        .map(|a| a.to_string())
        .chain([out.display().to_string()])
        .collect::<Vec<_>>();
    let status = xtask::corpus::main_with_args(&args);
    assert_eq!(status, std::process::ExitCode::SUCCESS);
    assert_same_findings(&out);
}

#[test]
fn a_kind_with_a_custom_rule_runs_on_the_vm() {
    let rule = driftless::engine::policy::policy_file(
        "team/label.rego".into(),
        "package team.kubernetes.label\n\nmetadata := {\"id\": \"TEAM001\", \"title\": \"t\"}\n\n\
         deny contains \"no team label\" if not input.metadata.labels.team\n"
            .into(),
        false,
    )
    .expect("policy parses");
    let (set, errors) = PolicySet::load(vec![rule]);
    assert!(errors.is_empty(), "{errors:?}");
    let engines = Engines::new(Arc::new(set), EngineOptions::default());
    assert!(engines.runs_on_vm(Kind::Kubernetes));
    assert!(engines.interpreter_warnings().is_empty());
    assert!(engines.runs_on_vm(Kind::Dockerfile));
}

#[test]
fn a_document_the_vm_cannot_finish_is_reported_rule_by_rule() {
    let (set, errors) = PolicySet::load(Vec::new());
    assert!(errors.is_empty(), "{errors:?}");
    let options = EngineOptions {
        time_limit: Some(std::time::Duration::from_nanos(1)),
        ..EngineOptions::default()
    };
    let engines = Engines::new(Arc::new(set), options);
    assert!(engines.runs_on_vm(Kind::Dockerfile));
    let file = Arc::new(driftless::document::SourceFile::new(
        "Dockerfile",
        "FROM nginx:latest\nRUN apt-get install -y curl\n",
    ));
    let mut worker = engines.worker();
    // Twice on one worker: after a failure the next document gets a fresh VM.
    for _ in 0..2 {
        let mut doc = driftless::parse::dockerfile(&file).documents.remove(0);
        let evaluation = worker.evaluate(&mut doc).expect("engine loads");
        // Out of time on the VM, then in the interpreter: each rule is named.
        assert!(evaluation.findings.is_empty());
        let ids: std::collections::BTreeSet<&str> = evaluation
            .errors
            .iter()
            .map(|e| e.rule_id.as_str())
            .collect();
        assert!(ids.contains("TAG001"), "{:?}", evaluation.errors);
        assert!(ids.contains("VER004"), "{:?}", evaluation.errors);
    }
}

#[test]
fn timings_show_the_stages_and_which_evaluator_ran_each_kind() {
    let stderr = |extra: &[&str]| {
        let out = common::driftless()
            .args(["scan", "--timings"])
            .args(extra)
            .arg("fixtures/demo")
            .output()
            .expect("runs");
        String::from_utf8(out.stderr).expect("utf-8")
    };
    let on_vm = stderr(&[]);
    for stage in ["discover", "read+parse+evaluate", "report", "evaluate"] {
        assert!(on_vm.contains(stage), "{stage} missing:\n{on_vm}");
    }
    assert!(
        on_vm.contains("evaluators: compose vm, dockerfile vm, helm vm, kubernetes vm, kustomization vm, terraform vm"),
        "{on_vm}"
    );
    let interpreted = stderr(&["--interpreter"]);
    assert!(
        interpreted.contains(
            "evaluators: compose interpreter, dockerfile interpreter, helm interpreter, kubernetes interpreter"
        ),
        "{interpreted}"
    );
}

/// regorus 0.14.1's VM compiler mis-sizes the register window for a
/// reference through a package import (`import data.driftless.lib.image`,
/// then `image.allowed(...)`): every document then fails on the VM and is
/// evaluated again by the interpreter — same findings, twice the time, so
/// the equivalence tests above would not notice. Built-in rules therefore
/// name library rules by full path.
#[test]
fn built_in_rules_do_not_import_the_libraries() {
    for file in driftless::engine::policy::builtin() {
        if file.path.contains("/lib/") || file.path.ends_with("_test.rego") {
            continue;
        }
        assert!(
            !file.text.contains("import data.driftless.lib"),
            "{} imports a library; write `data.driftless.lib.<name>.<rule>` instead",
            file.path
        );
    }
}
