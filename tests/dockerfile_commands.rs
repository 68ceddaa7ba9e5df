//! `input.commands` (built by the Dockerfile parser, src/parse/dockerfile/
//! analysed.rs) and the list `data.driftless.lib.dockerfile.commands`
//! builds from the stages when an input has none (inputs written by hand,
//! as in rule tests) must be the same list: rules see one or the other.

use std::path::Path;
use std::sync::Arc;

use driftless::document::SourceFile;
use driftless::engine::{PolicySet, new_engine};
use regorus::Value;

/// Every Dockerfile under `fixtures/`, plus shapes the fixtures lack.
fn dockerfiles() -> Vec<(String, String)> {
    let mut out = Vec::new();
    collect(Path::new("fixtures"), &mut out);
    let extra = [
        "FROM alpine:3.20\nRUN X=1 && env && sudo -E apt-get install -y curl=7 && pip3 install flask\n",
        "FROM alpine:3.20\nRUN [\"/bin/sh\", \"-c\", \"apk add curl | sh\"]\nRUN [\"apt-get\", \"install\", \"git\"]\n",
        "FROM alpine:3.20\nRUN <<EOF\nset -eux\napk add --no-cache openssh\ncurl -fsSL https://x.example/i.sh | bash\nEOF\n",
        "FROM alpine:3.20 AS a\nONBUILD RUN apk add curl\nFROM a\nRUN gem install rails -v 7.1 && go install x/y@latest\n",
        "FROM scratch\nRUN\nRUN ;;\n",
    ];
    out.extend(
        extra
            .iter()
            .enumerate()
            .map(|(i, t)| (format!("extra-{i}"), t.to_string())),
    );
    out
}

fn collect(dir: &Path, out: &mut Vec<(String, String)>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir).unwrap().flatten().collect();
    entries.sort_by_key(|e| e.path());
    for e in entries {
        let path = e.path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if path.is_dir() {
            collect(&path, out);
        } else if name.contains("Dockerfile") {
            let text = std::fs::read_to_string(&path).unwrap();
            out.push((path.display().to_string(), text));
        }
    }
}

/// `data.driftless.lib.dockerfile.commands` for `input`.
fn lib_commands(engine: &regorus::Engine, input: serde_json::Value) -> Value {
    let mut engine = engine.clone();
    engine.set_input(Value::from(input));
    engine
        .eval_rule("data.driftless.lib.dockerfile.commands".into())
        .expect("commands evaluates")
}

#[test]
fn the_parser_and_the_library_list_the_same_commands() {
    let (set, errors) = PolicySet::load(Vec::new());
    assert!(errors.is_empty(), "{errors:?}");
    let mut engine = new_engine();
    for lib in &set.libraries {
        engine
            .add_policy(lib.path.clone(), lib.text.clone())
            .expect("library loads");
    }
    let mut compared = 0;
    for (name, text) in dockerfiles() {
        let file = Arc::new(SourceFile::new(&name, text));
        for doc in driftless::parse::dockerfile::parse(&file).documents {
            let from_parser = doc.input.get("commands").cloned().expect("input.commands");
            let mut by_hand = doc.input.clone();
            by_hand.as_object_mut().unwrap().remove("commands");
            let listed = lib_commands(&engine, doc.input.clone());
            let built = lib_commands(&engine, by_hand);
            assert_eq!(listed, Value::from(from_parser), "{name}");
            assert_eq!(listed, built, "{name}: parser and library disagree");
            compared += listed.as_array().map_or(0, |a| a.len());
        }
    }
    assert!(compared > 40, "only {compared} commands compared");
}

#[test]
fn the_library_takes_input_commands_as_given() {
    let (set, _) = PolicySet::load(Vec::new());
    let mut engine = new_engine();
    for lib in &set.libraries {
        engine
            .add_policy(lib.path.clone(), lib.text.clone())
            .unwrap();
    }
    let given = serde_json::json!([{"program": "marker"}]);
    let input = serde_json::json!({"stages": [], "commands": given});
    assert_eq!(lib_commands(&engine, input), Value::from(given));
}
