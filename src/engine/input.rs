//! A document's input as a regorus value, converted directly.
//!
//! regorus's `From<serde_json::Value>` goes through serde: `from_value`
//! drives regorus's `Deserialize` visitor over the JSON tree, entry by entry
//! (`MapAccess::next_entry`, a thread-local key-interning lookup per key,
//! one `BTreeMap` insert per entry). On a real corpus that was ~8% of all
//! CPU (issue #16). [`to_regorus`] walks the JSON value itself, taking its
//! strings and containers by value, and builds the same regorus value with
//! regorus's public constructors, about a quarter faster on the real
//! corpus's inputs. What remains is mostly allocating and copying: every
//! JSON string becomes a new reference-counted `str`.
//!
//! It builds exactly what regorus's conversion builds (the tests compare
//! the two, number representation included):
//! - null and booleans as themselves;
//! - a number serde_json holds as a non-negative integer as an unsigned
//!   one, a negative integer as a signed one, any other as an `f64` (it is
//!   finite: a `serde_json::Number` cannot hold NaN or an infinity);
//! - strings as strings, arrays as arrays in order;
//! - objects with string keys, in regorus's compact object storage (the
//!   one regorus's visitor ends with after its `BTreeMap`), built directly
//!   from serde_json's entries, which come in key order
//!   (`Object::from_sorted_entries`, vendor/regorus/DRIFTLESS-PATCH.md);
//! - and regorus's one quirk: an object whose first entry is
//!   `"$serde_json::private::Number": "<text>"` (serde_json's marker for an
//!   `arbitrary_precision` number) is the number `<text>` parses to, and if
//!   `<text>` is not a number, or the object has other entries, the whole
//!   input is `Value::Undefined`. Kept so that no input evaluates
//!   differently than before.
//!
//! serde_json's `arbitrary_precision` is off in this build (nothing enables
//! it); with it on, serde_json hands regorus numbers as text and this
//! conversion would differ for integers past 64 bits and long decimals —
//! a test fails then.

use regorus::Value;
use regorus::value::Object;
use serde_json::{Map, Value as Json};

/// serde_json's key for a number kept as text, which regorus's visitor reads
/// as a number wherever it is an object's first key.
const NUMBER_TOKEN: &str = "$serde_json::private::Number";

/// Converts `json` to the regorus value `regorus::Value::from(json)` gives,
/// without going through serde.
pub fn to_regorus(json: Json) -> Value {
    to_regorus_counted(json).0
}

/// [`to_regorus`], and how many JSON values (objects, arrays, scalars)
/// `json` held: the VM's budget grows with that count, and counting in the
/// same walk spares a second pass over a cold tree.
pub fn to_regorus_counted(json: Json) -> (Value, usize) {
    let mut walk = Walk::default();
    let value = walk.convert(json);
    let value = if walk.unreadable {
        Value::Undefined
    } else {
        value
    };
    (value, walk.values)
}

/// One conversion's state.
#[derive(Default)]
struct Walk {
    /// Set where regorus's conversion fails (a number token whose text is
    /// no number, or beside other entries); its `From` then gives
    /// `Value::Undefined` for the whole input.
    unreadable: bool,
    /// The JSON values visited so far.
    values: usize,
}

impl Walk {
    fn convert(&mut self, json: Json) -> Value {
        self.values += 1;
        match json {
            Json::Null => Value::Null,
            Json::Bool(b) => Value::Bool(b),
            Json::Number(n) => number(&n),
            Json::String(s) => Value::from(s),
            Json::Array(items) => Value::from(
                items
                    .into_iter()
                    .map(|item| self.convert(item))
                    .collect::<Vec<_>>(),
            ),
            Json::Object(map) => self.object(map),
        }
    }

    fn object(&mut self, map: Map<String, Json>) -> Value {
        if let Some((key, Json::String(text))) = map.iter().next()
            && key == NUMBER_TOKEN
        {
            // counted one level deep: an input this makes unreadable is
            // `Undefined` as a whole, whatever its size
            self.values += map.len();
            // regorus's visitor reads the number and stops; serde_json then
            // fails the conversion if entries are left.
            if map.len() == 1
                && let Ok(number) = Value::from_numeric_string(text)
            {
                return number;
            }
            self.unreadable = true;
            return Value::Undefined;
        }
        // serde_json's map iterates its keys in `String` order, which is
        // regorus's order for string keys: the entries go into regorus's
        // compact storage as they come, with no B-tree built and copied out
        let mut entries = Vec::with_capacity(map.len());
        for (key, value) in map {
            entries.push((Value::from(key), self.convert(value)));
        }
        Value::from(Object::from_sorted_entries(entries))
    }
}

/// As serde_json's `Number::deserialize_any` visits it: `visit_u64` for a
/// non-negative integer, `visit_i64` for a negative one, `visit_f64`
/// otherwise.
fn number(n: &serde_json::Number) -> Value {
    if let Some(u) = n.as_u64() {
        Value::from(u)
    } else if let Some(i) = n.as_i64() {
        Value::from(i)
    } else {
        // Without `arbitrary_precision` every other number is a finite f64.
        n.as_f64().map_or(Value::Undefined, Value::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Fails unless `ours` and `theirs` are the same value, variant by
    /// variant: regorus's `==` on numbers is numeric (an unsigned integer
    /// equals the signed one and the float of its value), so numbers are
    /// also compared by their variant and by their text (`0` and `-0.0`
    /// differ there).
    fn assert_same(ours: &Value, theirs: &Value, at: &str) {
        match (ours, theirs) {
            (Value::Null, Value::Null) | (Value::Undefined, Value::Undefined) => {}
            (Value::Bool(a), Value::Bool(b)) => assert_eq!(a, b, "at {at}"),
            (Value::Number(a), Value::Number(b)) => {
                // Unsigned, signed, float or big: regorus's `Number`
                // variant, which `==` does not tell apart.
                assert_eq!(
                    std::mem::discriminant(a),
                    std::mem::discriminant(b),
                    "at {at}: {a:?} and {b:?} differ in kind"
                );
                assert_eq!(a, b, "at {at}");
                assert_eq!(a.format_decimal(), b.format_decimal(), "at {at}");
                assert_eq!(
                    a.format_decimal_with_width(1),
                    b.format_decimal_with_width(1),
                    "at {at}: integer against float"
                );
                assert_eq!(a.as_u64(), b.as_u64(), "at {at}");
                assert_eq!(a.as_i64(), b.as_i64(), "at {at}");
            }
            (Value::String(a), Value::String(b)) => assert_eq!(a, b, "at {at}"),
            (Value::Array(a), Value::Array(b)) => {
                assert_eq!(a.len(), b.len(), "at {at}");
                for (i, (x, y)) in a.iter().zip(b.iter()).enumerate() {
                    assert_same(x, y, &format!("{at}[{i}]"));
                }
            }
            (Value::Object(a), Value::Object(b)) => {
                assert_eq!(a.len(), b.len(), "at {at}");
                for ((ka, va), (kb, vb)) in a.iter_sorted().zip(b.iter_sorted()) {
                    assert_same(ka, kb, &format!("{at} key"));
                    assert!(matches!(ka, Value::String(_)), "at {at}: key {ka:?}");
                    assert_same(va, vb, &format!("{at}.{ka}"));
                }
            }
            _ => panic!("at {at}: {ours:?} is not {theirs:?}"),
        }
        assert_eq!(ours, theirs, "at {at}");
    }

    /// The vendored constructor gives the object `FromIterator` gives,
    /// whether its entries come sorted (stored as they are), out of order,
    /// or with a key twice (the later entry wins, as with inserts).
    #[test]
    fn sorted_entries_make_the_object_inserts_make() {
        let s = |t: &str| Value::from(t);
        let cases = [
            vec![],
            vec![(s("a"), s("1")), (s("b"), s("2")), (s("é"), s("3"))],
            vec![(s("b"), s("2")), (s("a"), s("1"))],
            vec![(s("a"), s("1")), (s("a"), s("2")), (s("c"), s("3"))],
        ];
        for entries in cases {
            let inserted: Object = entries.iter().cloned().collect();
            let built = Object::from_sorted_entries(entries.clone());
            let (built, inserted) = (Value::from(built), Value::from(inserted));
            assert_same(&built, &inserted, &format!("{entries:?}"));
            for (key, _) in &entries {
                assert_eq!(built[key], inserted[key], "lookup of {key:?}");
            }
        }
    }

    /// The vendored lookup compares two string keys as text and any other
    /// pair as `Value` does: in an object whose keys mix kinds and strings
    /// that prefix one another, every key is found and nothing else is.
    #[test]
    fn lookups_find_every_key_of_every_kind() {
        let s = |t: &str| Value::from(t);
        let keys = [
            Value::Null,
            Value::Bool(false),
            Value::Bool(true),
            Value::from(-1i64),
            Value::from(2u64),
            Value::from(2.5f64),
            s(""),
            s("a"),
            s("ab"),
            s("b"),
            s("Z"),
            s("é"),
            Value::from(vec![s("a")]),
        ];
        let mut entries: Vec<(Value, Value)> = keys
            .iter()
            .enumerate()
            .map(|(i, k)| (k.clone(), Value::from(i as u64)))
            .collect();
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        let object = Object::from_sorted_entries(entries);
        for (i, key) in keys.iter().enumerate() {
            assert_eq!(object.get(key), Some(&Value::from(i as u64)), "{key:?}");
        }
        for absent in [s("aa"), s("c"), s("A"), Value::from(3u64), Value::Undefined] {
            assert_eq!(object.get(&absent), None, "{absent:?}");
        }
    }

    fn check(json: Json) {
        let theirs = Value::from(json.clone());
        let ours = to_regorus(json);
        assert_same(&ours, &theirs, "input");
    }

    fn number_strategy() -> impl Strategy<Value = Json> {
        prop_oneof![
            any::<u64>().prop_map(Json::from),
            any::<i64>().prop_map(Json::from),
            (0u64..4).prop_map(Json::from),
            (-4i64..0).prop_map(Json::from),
            Just(Json::from(u64::MAX)),
            Just(Json::from(i64::MIN)),
            Just(Json::from(i64::MAX as u64 + 1)),
            // Finite floats only: `Json::from(NaN)` is null, not a number.
            any::<f64>().prop_map(Json::from),
            (-1e6f64..1e6).prop_map(Json::from),
            prop_oneof![Just(0.0), Just(-0.0), Just(1.0), Just(-1.0), Just(1e300)]
                .prop_map(Json::from),
        ]
    }

    fn key_strategy() -> impl Strategy<Value = String> {
        prop_oneof![
            "[a-z]{0,6}",
            any::<String>(),
            Just("$serde_json::private::Number".to_string()),
            Just("é".to_string()),
            Just("ключ🔑".to_string()),
        ]
    }

    fn json_strategy() -> impl Strategy<Value = Json> {
        let leaf = prop_oneof![
            Just(Json::Null),
            any::<bool>().prop_map(Json::Bool),
            number_strategy(),
            any::<String>().prop_map(Json::String),
        ];
        leaf.prop_recursive(5, 96, 8, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..8).prop_map(Json::Array),
                prop::collection::btree_map(key_strategy(), inner.clone(), 0..8)
                    .prop_map(|m| Json::Object(m.into_iter().collect())),
                // Objects past one B-tree leaf (11 entries) in regorus's own
                // conversion.
                prop::collection::btree_map("[a-z]{1,4}", inner.clone(), 11..33)
                    .prop_map(|m| Json::Object(m.into_iter().collect())),
                // regorus's number token, with text that is a number or
                // not, alone or beside another entry.
                (
                    prop_oneof!["-?[0-9]{1,40}(\\.[0-9]{1,20})?", "[0-9a-z.e_+-]{0,6}"],
                    prop::option::of(inner),
                )
                    .prop_map(|(text, other)| match other {
                        None => serde_json::json!({ NUMBER_TOKEN: text }),
                        Some(other) => serde_json::json!({ NUMBER_TOKEN: text, "z": other }),
                    }),
            ]
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

        #[test]
        fn same_as_regorus_conversion(json in json_strategy()) {
            check(json);
        }
    }

    #[test]
    fn counts_every_value_it_converts() {
        // the object, the array, 1, "x", the inner object, null and true
        // (keys are not values)
        let json = serde_json::json!({"a": [1, "x", {"b": null}], "c": true});
        let (value, values) = to_regorus_counted(json.clone());
        assert_same(&value, &Value::from(json), "counted");
        assert_eq!(values, 7);
        assert_eq!(to_regorus_counted(serde_json::json!([])).1, 1);
    }

    #[test]
    fn same_on_edge_cases() {
        check(serde_json::json!({
            "": null,
            "big": u64::MAX,
            "past_i64": i64::MAX as u64 + 1,
            "min": i64::MIN,
            "neg": -1,
            "zero": 0,
            "neg_zero": -0.0,
            "one_float": 1.0,
            "float": 0.1 + 0.2,
            "huge": 1e308,
            "tiny": 5e-324,
            "ünïcödé 🔑": {"nested": [[], {}, [{}], "x", true, false]},
            "$serde_json::private::Number": "12",
        }));
        let large: serde_json::Map<String, Json> = (0..33)
            .map(|i| (format!("k{}", 97 * i % 31), Json::from(i)))
            .collect();
        for json in [
            Json::Object(large),
            serde_json::json!({ NUMBER_TOKEN: "12345678901234567890123" }),
            serde_json::json!({ NUMBER_TOKEN: "-0.5", "z": [1] }),
            serde_json::json!({ NUMBER_TOKEN: 7 }),
            serde_json::json!({ NUMBER_TOKEN: "x" }),
            serde_json::json!([1, { "a": { NUMBER_TOKEN: "no number" } }]),
            serde_json::json!({ "!": 1, NUMBER_TOKEN: "12" }),
            Json::Null,
            Json::Bool(true),
            Json::from(""),
            Json::Array(vec![]),
            Json::Object(serde_json::Map::new()),
        ] {
            check(json);
        }
    }

    /// Numbers as the parsers produce them, from text: past 64 bits and
    /// past f64's precision (with serde_json's `arbitrary_precision` on,
    /// regorus reads these as exact numbers and this fails).
    #[test]
    fn same_on_parsed_numbers() {
        for text in [
            "18446744073709551615",
            "18446744073709551616",
            "-9223372036854775808",
            "-9223372036854775809",
            "123456789012345678901234567890",
            "3.14159265358979323846264338327950288",
            "1e400",
            "-0",
            "-0.0",
            "1.0",
            "1E2",
        ] {
            let Ok(json) = serde_json::from_str::<Json>(text) else {
                continue; // out of f64's range: no JSON value to convert
            };
            check(json);
        }
    }

    /// The converted value is a usable input: a policy reads it.
    #[test]
    fn policy_reads_converted_input() {
        let mut engine = regorus::Engine::new();
        engine
            .add_policy(
                "t.rego".into(),
                "package t\n\nout := [input.a[1].b, count(input.a), input[\"ключ\"]]\n".into(),
            )
            .expect("policy");
        engine.set_input(to_regorus(
            serde_json::json!({"a": [1, {"b": -2.5}], "ключ": "v"}),
        ));
        let out = engine.eval_rule("data.t.out".into()).expect("eval");
        assert_eq!(
            serde_json::to_value(out).expect("json"),
            serde_json::json!([-2.5, 2, "v"])
        );
    }
}
