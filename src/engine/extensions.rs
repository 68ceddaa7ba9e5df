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
//! `numbers.range`, `numbers.range_step` and `net.cidr_expand` are replaced
//! by versions that refuse to build more than [`MAX_RANGE_LENGTH`] values:
//! regorus's own build the whole array in one builtin call, where the time
//! limit is never checked, so `numbers.range(1, 2e8)` aborts the process on
//! allocation and `net.cidr_expand("0.0.0.0/0")` runs for minutes.
//!
//! `rand.intn`, the one nondeterministic builtin regorus always compiles in,
//! is replaced by an error: policies are pure functions of their input (the
//! clock, UUIDs, HTTP and the runtime environment are left out of the build
//! through regorus's cargo features).

use regorus::Value;

use super::input::to_regorus;
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

/// Most numbers one `numbers.range` or `numbers.range_step` call may
/// produce (8 MB of integers at most): far more than any array in an
/// infrastructure file, far less than what aborts the process.
pub const MAX_RANGE_LENGTH: i64 = 1_000_000;

/// regorus builtins replaced by bounded versions, in the interpreter (the
/// extension is looked up before the builtin of the same name) and on the
/// VM (a host call takes precedence over the builtin). Only user policies
/// call them; the built-in rules do not.
const BOUNDED: [Builtin; 3] = [
    ("numbers.range", 2, range),
    ("numbers.range_step", 3, range_step),
    ("net.cidr_expand", 1, cidr_expand),
];

/// `rand.intn`, refused: policies are pure functions of their input.
const REFUSED: Builtin = ("rand.intn", 2, no_random);

/// Every function driftless answers for regorus, by name.
fn all() -> impl Iterator<Item = &'static Builtin> {
    BUILTINS.iter().chain(BOUNDED.iter()).chain([&REFUSED])
}

/// Registers the builtins on a fresh engine.
pub fn add_to(engine: &mut regorus::Engine) {
    for (name, arity, function) in all() {
        engine
            .add_extension((*name).into(), *arity, Box::new(*function))
            .expect("extension names are unique");
    }
}

/// Names and arities of the builtins, for the VM compiler: the same
/// functions as in the interpreter, so a user rule has the same bounds on
/// both.
pub fn signatures() -> impl Iterator<Item = (&'static str, usize)> {
    all().map(|(name, arity, _)| (*name, usize::from(*arity)))
}

/// Calls the builtin `name` (the VM suspends on a builtin and the host
/// answers).
pub fn call(name: &str, args: Vec<Value>) -> anyhow::Result<Value> {
    let (_, _, function) = all()
        .find(|(n, _, _)| *n == name)
        .ok_or_else(|| anyhow::anyhow!("unknown builtin `{name}`"))?;
    function(args)
}

fn parse_image(args: Vec<Value>) -> anyhow::Result<Value> {
    let reference = args.first().and_then(|v| v.as_string().ok().cloned());
    Ok(match reference.and_then(|r| image::parse(&r)) {
        Some(parsed) => to_regorus(serde_json::to_value(parsed)?),
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
    Ok(to_regorus(serde_json::to_value(analysed)?))
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

fn range(args: Vec<Value>) -> anyhow::Result<Value> {
    let name = "numbers.range";
    stepped(integer(&args, 0, name)?, integer(&args, 1, name)?, 1, name)
}

fn range_step(args: Vec<Value>) -> anyhow::Result<Value> {
    let name = "numbers.range_step";
    let step = integer(&args, 2, name)?;
    if step <= 0 {
        anyhow::bail!("{name}: step must be a positive integer");
    }
    stepped(
        integer(&args, 0, name)?,
        integer(&args, 1, name)?,
        step,
        name,
    )
}

/// Argument `index` as an integer, or the error regorus gives.
fn integer(args: &[Value], index: usize, name: &str) -> anyhow::Result<i64> {
    let number = args
        .get(index)
        .and_then(|v| v.as_number().ok())
        .ok_or_else(|| anyhow::anyhow!("{name}: operand {} must be a number", index + 1))?;
    match number.as_i64() {
        Some(n) if number.is_integer() => Ok(n),
        _ => anyhow::bail!("{name}: operand {} must be integer", index + 1),
    }
}

/// `from`, `from ± step`, … up to `to` inclusive (descending when `to` is
/// below `from`), as regorus computes it, or an error naming the size.
fn stepped(from: i64, to: i64, step: i64, name: &str) -> anyhow::Result<Value> {
    let count = (i128::from(to) - i128::from(from)).abs() / i128::from(step) + 1;
    if count > i128::from(MAX_RANGE_LENGTH) {
        anyhow::bail!(
            "{name}({from}, {to}) would build {count} numbers; driftless allows at most {MAX_RANGE_LENGTH} in one call (the array is allocated at once, before any time limit applies)"
        );
    }
    let direction = if to >= from { step } else { -step };
    let numbers: Vec<Value> = (0..count as i64)
        .map(|i| Value::from(from + i * direction))
        .collect();
    Ok(Value::from(numbers))
}

/// Every address of a CIDR block, network and broadcast addresses
/// included (as OPA and regorus give them), if there are at most
/// [`MAX_RANGE_LENGTH`].
fn cidr_expand(args: Vec<Value>) -> anyhow::Result<Value> {
    let name = "net.cidr_expand";
    let cidr = args
        .first()
        .and_then(|v| v.as_string().ok().cloned())
        .ok_or_else(|| anyhow::anyhow!("{name}: operand 1 must be a string"))?;
    let (address, prefix) = cidr
        .split_once('/')
        .and_then(|(a, p)| Some((a.parse::<std::net::IpAddr>().ok()?, p.parse::<u32>().ok()?)))
        .ok_or_else(|| anyhow::anyhow!("{name}: cannot parse `{cidr}` as a CIDR block"))?;
    let (bits, first) = match address {
        std::net::IpAddr::V4(a) => (32, u128::from(u32::from(a))),
        std::net::IpAddr::V6(a) => (128, u128::from(a)),
    };
    if prefix > bits {
        anyhow::bail!("{name}: cannot parse `{cidr}` as a CIDR block");
    }
    let host_bits = bits - prefix;
    if host_bits >= 64 || 1u64 << host_bits > MAX_RANGE_LENGTH as u64 {
        anyhow::bail!(
            "{name}(\"{cidr}\") would build 2^{host_bits} addresses; driftless allows at most {MAX_RANGE_LENGTH} in one call (the array is built at once, before any time limit applies)"
        );
    }
    let network = first >> host_bits << host_bits;
    let addresses: Vec<Value> = (0..1u128 << host_bits)
        .map(|i| {
            let text = match address {
                std::net::IpAddr::V4(_) => {
                    std::net::Ipv4Addr::from((network + i) as u32).to_string()
                }
                std::net::IpAddr::V6(_) => std::net::Ipv6Addr::from(network + i).to_string(),
            };
            Value::from(text)
        })
        .collect();
    Ok(Value::from(addresses))
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
        engine.set_input(to_regorus(input));
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
    fn bounded_ranges_match_the_builtins() {
        let ours = |expr: &str| eval(expr, serde_json::json!({}));
        let theirs = |expr: &str| {
            let mut engine = regorus::Engine::new();
            engine
                .add_policy("t.rego".into(), format!("package t\n\nout := {expr}\n"))
                .expect("policy");
            serde_json::to_value(engine.eval_rule("data.t.out".into()).expect("eval")).unwrap()
        };
        for expr in [
            "numbers.range(1, 5)",
            "numbers.range(5, -2)",
            "numbers.range(3, 3)",
            "numbers.range_step(1, 10, 3)",
            "numbers.range_step(10, 1, 3)",
            "numbers.range_step(0, 9, 10)",
            "net.cidr_expand(\"192.168.1.5/30\")",
            "net.cidr_expand(\"10.0.0.0/31\")",
            "net.cidr_expand(\"10.0.0.7/32\")",
            "net.cidr_expand(\"10.1.0.0/22\")",
            "net.cidr_expand(\"2001:db8::1/126\")",
        ] {
            assert_eq!(ours(expr), theirs(expr), "{expr}");
        }
    }

    #[test]
    fn ranges_too_large_to_allocate_are_errors() {
        for expr in [
            "numbers.range(1, 2e8)",
            "numbers.range(-9223372036854775807, 9223372036854775807)",
            "numbers.range_step(1, 200000000, 2)",
            "net.cidr_expand(\"0.0.0.0/0\")",
            "net.cidr_expand(\"::/0\")",
            "net.cidr_expand(\"10.0.0.0/11\")",
        ] {
            let mut engine = regorus::Engine::new();
            add_to(&mut engine);
            engine
                .add_policy("t.rego".into(), format!("package t\n\nout := {expr}\n"))
                .expect("policy");
            let err = engine.eval_rule("data.t.out".into()).expect_err(expr);
            assert!(err.to_string().contains("at most 1000000"), "{expr}: {err}");
        }
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
