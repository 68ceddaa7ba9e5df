//! Functions written once in Rust and offered to every rule as Rego
//! builtins. They do the hard or hot parts of normalisation, so rules stay
//! short and the interpreter does not re-derive the same facts per rule:
//!
//! - `driftless.parse_image(ref)`: `{registry, repository, tag, digest}` or
//!   null (`parse::image`).
//! - `driftless.parse_command(words)`: `{program, skip, manager, packages}`
//!   of one simple shell command (`parse::dockerfile::command`).
//! - `driftless.find_keys(value, keys)`: every `[path, v]` below `value`
//!   whose last path step is an object key in `keys` — what
//!   `walk(value, [p, v]); p[count(p) - 1] in keys` computes, without
//!   building a path for every node of the tree.
//!
//! `rand.intn`, the one nondeterministic builtin regorus always compiles in,
//! is replaced by an error: policies are pure functions of their input (the
//! clock, UUIDs, HTTP and the runtime environment are left out of the build
//! through regorus's cargo features).

use regorus::Value;

use crate::parse::dockerfile::command;
use crate::parse::image;

/// A builtin: its Rego name, its number of arguments and the function.
type Builtin = (&'static str, u8, fn(Vec<Value>) -> anyhow::Result<Value>);

/// The builtins rules may call. The compiled VM (`engine::vm`) hands the
/// same names back to the host, so one table serves both evaluators.
const BUILTINS: [Builtin; 3] = [
    ("driftless.parse_image", 1, parse_image),
    ("driftless.parse_command", 1, parse_command),
    ("driftless.find_keys", 2, find_keys),
];

/// Registers the builtins on a fresh engine.
pub fn add_to(engine: &mut regorus::Engine) {
    let refused: Builtin = ("rand.intn", 2, no_random);
    for (name, arity, function) in BUILTINS.into_iter().chain([refused]) {
        engine
            .add_extension(name.into(), arity, Box::new(function))
            .expect("extension names are unique");
    }
}

/// Names and arities of the builtins, for the VM compiler.
pub fn signatures() -> impl Iterator<Item = (&'static str, usize)> {
    BUILTINS
        .iter()
        .map(|(name, arity, _)| (*name, usize::from(*arity)))
}

/// Calls the builtin `name` (the VM suspends on a builtin and the host
/// answers).
pub fn call(name: &str, args: Vec<Value>) -> anyhow::Result<Value> {
    let (_, _, function) = BUILTINS
        .iter()
        .find(|(n, _, _)| *n == name)
        .ok_or_else(|| anyhow::anyhow!("unknown builtin `{name}`"))?;
    function(args)
}

fn parse_image(args: Vec<Value>) -> anyhow::Result<Value> {
    let reference = args.first().and_then(|v| v.as_string().ok().cloned());
    Ok(match reference.and_then(|r| image::parse(&r)) {
        Some(parsed) => Value::from(serde_json::to_value(parsed)?),
        None => Value::Null,
    })
}

/// Non-string words (a hand-written test input, say) make the command
/// unknown: no program, no packages.
fn parse_command(args: Vec<Value>) -> anyhow::Result<Value> {
    let words: Option<Vec<String>> = match args.first() {
        Some(Value::Array(items)) => items
            .iter()
            .map(|w| w.as_string().ok().map(|s| s.to_string()))
            .collect(),
        _ => None,
    };
    let analysed = command::analyse(&words.unwrap_or_default());
    Ok(Value::from(serde_json::to_value(analysed)?))
}

fn find_keys(args: Vec<Value>) -> anyhow::Result<Value> {
    let (Some(root), Some(keys)) = (args.first(), args.get(1)) else {
        return Ok(Value::from(Vec::<Value>::new()));
    };
    let keys: Vec<Value> = match keys {
        Value::Set(s) => s.iter().cloned().collect(),
        Value::Array(a) => a.iter().cloned().collect(),
        other => vec![other.clone()],
    };
    let mut found = Vec::new();
    let mut path = Vec::new();
    collect_keyed(root, &keys, &mut path, &mut found);
    Ok(Value::from(found))
}

/// Depth-first, in the order `walk` visits: each member whose key is wanted
/// is reported, and its value is searched too.
fn collect_keyed(value: &Value, keys: &[Value], path: &mut Vec<Value>, found: &mut Vec<Value>) {
    match value {
        Value::Object(obj) => {
            for (key, child) in obj.iter() {
                path.push(key.clone());
                if keys.contains(key) {
                    found.push(Value::from(vec![Value::from(path.clone()), child.clone()]));
                }
                collect_keyed(child, keys, path, found);
                path.pop();
            }
        }
        Value::Array(items) => {
            for (index, child) in items.iter().enumerate() {
                path.push(Value::from(index));
                collect_keyed(child, keys, path, found);
                path.pop();
            }
        }
        _ => {}
    }
}

fn no_random(_: Vec<Value>) -> anyhow::Result<Value> {
    anyhow::bail!("rand.intn is not available: driftless policies must be deterministic")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eval(rego_expr: &str, input: serde_json::Value) -> serde_json::Value {
        let mut engine = regorus::Engine::new();
        add_to(&mut engine);
        engine
            .add_policy(
                "t.rego".into(),
                format!("package t\n\nout := {rego_expr}\n"),
            )
            .expect("policy");
        engine.set_input(Value::from(input));
        let out = engine.eval_rule("data.t.out".into()).expect("eval");
        serde_json::to_value(out).expect("json")
    }

    #[test]
    fn find_keys_matches_walk() {
        let input = serde_json::json!({
            "spec": [{"template": [{"spec": [{"container": [{"image": "a:1"}, {"image": "b"}]}]}]}],
            "image": "top",
            "other": {"image": {"image": "nested"}},
        });
        let ours = eval(
            "{x | some x in driftless.find_keys(input, {\"image\"})}",
            input.clone(),
        );
        let walked = eval(
            "{[p, v] | walk(input, [p, v]); count(p) > 0; p[count(p) - 1] == \"image\"}",
            input,
        );
        assert_eq!(ours, walked);
        assert_eq!(ours.as_array().map(Vec::len), Some(5));
    }

    #[test]
    fn find_keys_on_scalars_and_missing_keys_is_empty() {
        let empty = serde_json::json!([]);
        assert_eq!(
            eval("driftless.find_keys(3, [\"a\"])", serde_json::json!({})),
            empty
        );
        assert_eq!(
            eval(
                "driftless.find_keys(input, [\"a\"])",
                serde_json::json!({"b": [1]})
            ),
            empty
        );
    }

    #[test]
    fn parse_command_reports_program_and_packages() {
        let out = eval(
            "driftless.parse_command([\"sudo\", \"apt-get\", \"install\", \"-y\", \"curl\"])",
            serde_json::json!({}),
        );
        assert_eq!(out["program"], "apt-get");
        assert_eq!(out["skip"], 1);
        assert_eq!(out["manager"], "apt");
        assert_eq!(
            out["packages"],
            serde_json::json!([{"index": 4, "name": "curl", "manager": "apt"}])
        );
        let odd = eval("driftless.parse_command([1, \"x\"])", serde_json::json!({}));
        assert_eq!(odd["program"], serde_json::Value::Null);
    }

    #[test]
    fn random_numbers_are_refused() {
        let mut engine = regorus::Engine::new();
        add_to(&mut engine);
        engine
            .add_policy(
                "t.rego".into(),
                "package t\n\nout := rand.intn(\"x\", 10)\n".into(),
            )
            .expect("policy");
        let err = engine.eval_rule("data.t.out".into()).expect_err("refused");
        assert!(err.to_string().contains("deterministic"), "{err}");
    }
}
