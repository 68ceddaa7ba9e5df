//! Numeric functions of Terraform 1.x (abs, ceil, floor, log, max, min, parseint, pow, signum).
//!
//! Each function works on evaluated arguments like those of `funcs.rs`:
//! a value, `Fail::Unknown` when an argument is not known, `Fail::Error`
//! when Terraform would reject the call. Expected values come from
//! `terraform console` (Terraform 1.x).
//!
//! Terraform's numbers are arbitrary-precision; here a number is an
//! integer (`i64`/`u64`) or an `f64`. Integers stay exact where the
//! function allows it (`abs`, `max`, `parseint`); a result no number here
//! can hold exactly (an infinity, an integer past 64 bits) is a bound,
//! not a rounded value.

use serde_json::Number;

use super::{Fail, R, arity, computed, known};
use crate::document::Span;
use crate::parse::terraform::value::{V, Val, number};

const INFINITE: &str = "number not evaluated: the result is infinite, which driftless does not \
                        represent; kept as written, so the gate cannot vouch for the value";

const TOO_BIG: &str = "parseint not evaluated: the integer is past 64 bits, which driftless does \
                       not represent exactly; kept as written, so the gate cannot vouch for the value";

/// The function `name` if this module has it, else `None`.
pub(super) fn call(name: &str, args: &[Val], span: Span) -> Option<R> {
    let v = match name {
        "abs" => one(args, |n| match n {
            N::Int(i) => Ok(int(i.abs())),
            N::Float(f) => float(f.abs()),
        }),
        "ceil" => one(args, |n| rounded(n, f64::ceil)),
        "floor" => one(args, |n| rounded(n, f64::floor)),
        "signum" => signum(args),
        "log" => two(args, |x, base| float(x.ln() / base.ln())),
        "pow" => two(args, |x, y| float(x.powf(y))),
        "max" => extreme(args, std::cmp::Ordering::Greater),
        "min" => extreme(args, std::cmp::Ordering::Less),
        "parseint" => parseint(args),
        _ => return None,
    };
    Some(v.and_then(|v| computed(v, span, args)))
}

/// A number argument: exact when it is an integer.
#[derive(Clone, Copy, Debug)]
enum N {
    Int(i128),
    Float(f64),
}

impl N {
    /// A number, or a string Terraform converts to one.
    fn of(v: &Val) -> Result<N, Fail> {
        match &v.v {
            V::Num(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
                (Some(i), _, _) => Ok(N::Int(i.into())),
                (_, Some(u), _) => Ok(N::Int(u.into())),
                (_, _, Some(f)) => Ok(N::Float(f)),
                _ => Err(Fail::Error),
            },
            V::Str(s) => {
                let s = s.trim();
                if let Ok(i) = s.parse::<i64>() {
                    return Ok(N::Int(i.into()));
                }
                match s.parse::<f64>() {
                    Ok(f) if f.is_finite() => Ok(N::Float(f)),
                    _ => Err(Fail::Error),
                }
            }
            _ => Err(Fail::Error),
        }
    }

    fn f64(self) -> f64 {
        match self {
            N::Int(i) => i as f64,
            N::Float(f) => f,
        }
    }

    fn cmp(self, other: N) -> Option<std::cmp::Ordering> {
        match (self, other) {
            (N::Int(a), N::Int(b)) => Some(a.cmp(&b)),
            _ => self.f64().partial_cmp(&other.f64()),
        }
    }
}

/// An exact integer; one past 64 bits (only `abs` of a `u64`-sized
/// negative can get there) falls back to the nearest `f64`.
fn int(i: i128) -> V {
    if let Ok(i) = i64::try_from(i) {
        V::Num(Number::from(i))
    } else if let Ok(u) = u64::try_from(i) {
        V::Num(Number::from(u))
    } else {
        number(i as f64).unwrap_or(V::Null)
    }
}

/// A computed float: NaN is an error (Terraform's functions panic on it),
/// an infinity a bound; a whole number that fits 64 bits is written as
/// the exact integer it is (`pow(2, 53)` is `9007199254740992`).
fn float(f: f64) -> Result<V, Fail> {
    if f.is_nan() {
        return Err(Fail::Error);
    }
    if f.fract() == 0.0 && f.abs() < 1.8e19 {
        return Ok(int(f as i128));
    }
    number(f).ok_or(Fail::Bound(INFINITE))
}

fn one(args: &[Val], f: impl Fn(N) -> Result<V, Fail>) -> Result<V, Fail> {
    arity(args, 1)?;
    f(N::of(&args[0])?)
}

/// A function of two numbers computed in `f64`, as Terraform does
/// (`log(x, base)` is `ln x / ln base`; `pow` is Go's `math.Pow`).
fn two(args: &[Val], f: impl Fn(f64, f64) -> Result<V, Fail>) -> Result<V, Fail> {
    arity(args, 2)?;
    f(N::of(&args[0])?.f64(), N::of(&args[1])?.f64())
}

fn rounded(n: N, f: fn(f64) -> f64) -> Result<V, Fail> {
    match n {
        N::Int(i) => Ok(int(i)),
        N::Float(x) => float(f(x)),
    }
}

/// `signum(n)`: -1, 0 or 1; Terraform wants a whole number.
fn signum(args: &[Val]) -> Result<V, Fail> {
    arity(args, 1)?;
    let sign = match N::of(&args[0])? {
        N::Int(i) => i.signum(),
        // not `f64::signum`, which is -1 for -0
        N::Float(f) if f.fract() == 0.0 && f.abs() < 9.2e18 => (f as i128).signum(),
        N::Float(_) => return Err(Fail::Error),
    };
    Ok(int(sign))
}

/// `max(numbers...)`/`min(numbers...)`: at least one number.
fn extreme(args: &[Val], keep: std::cmp::Ordering) -> Result<V, Fail> {
    known(args)?;
    let mut best: Option<N> = None;
    for a in args {
        let n = N::of(a)?;
        best = match best {
            Some(b) if n.cmp(b) != Some(keep) => Some(b),
            _ => Some(n),
        };
    }
    match best.ok_or(Fail::Error)? {
        N::Int(i) => Ok(int(i)),
        N::Float(f) => float(f),
    }
}

/// `parseint(string, base)`: Go's `big.Int.SetString` with a base from 2
/// to 62: an optional sign, then digits `0-9`, letters `a-z` (either case
/// up to base 36), above 36 lower case for 10–35 and upper case for
/// 36–61; no spaces, underscores or `0x` prefixes.
fn parseint(args: &[Val]) -> Result<V, Fail> {
    arity(args, 2)?;
    let V::Str(s) = &args[0].v else {
        return Err(Fail::Error);
    };
    let base = match N::of(&args[1])? {
        N::Int(b) if (2..=62).contains(&b) => b as u32,
        _ => return Err(Fail::Error),
    };
    let (negative, digits) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s.as_str()),
    };
    if digits.is_empty() {
        return Err(Fail::Error);
    }
    let mut value: i128 = 0;
    for c in digits.chars() {
        let d = digit(c, base).ok_or(Fail::Error)?;
        value = value
            .checked_mul(base.into())
            .and_then(|v| v.checked_add(d.into()))
            .ok_or(Fail::Bound(TOO_BIG))?;
    }
    let value = if negative { -value } else { value };
    if i64::try_from(value).is_err() && u64::try_from(value).is_err() {
        return Err(Fail::Bound(TOO_BIG));
    }
    Ok(int(value))
}

/// The value of digit `c` in `base`, as `big.Int.SetString` reads it.
fn digit(c: char, base: u32) -> Option<u32> {
    let d = match c {
        '0'..='9' => c as u32 - '0' as u32,
        'a'..='z' => c as u32 - 'a' as u32 + 10,
        'A'..='Z' if base <= 36 => c as u32 - 'A' as u32 + 10,
        'A'..='Z' => c as u32 - 'A' as u32 + 36,
        _ => return None,
    };
    (d < base).then_some(d)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::testing::{s, unknown};
    use super::*;

    fn n(x: f64) -> Val {
        Val::new(number(x).unwrap_or(V::Null), Span::default())
    }

    fn i(x: i64) -> Val {
        Val::new(V::Num(Number::from(x)), Span::default())
    }

    fn run(name: &str, args: &[Val]) -> Result<serde_json::Value, Fail> {
        call(name, args, Span::default())
            .unwrap_or(Err(Fail::Unknown))
            .map(|v| v.to_json())
    }

    fn ok(name: &str, args: &[Val]) -> String {
        match run(name, args) {
            Ok(v) => v.to_string(),
            Err(e) => panic!("{name}: {e:?}"),
        }
    }

    #[test]
    fn abs_keeps_integers_exact() {
        assert_eq!(ok("abs", &[n(-12.4)]), "12.4");
        assert_eq!(ok("abs", &[n(0.0)]), "0");
        assert_eq!(ok("abs", &[s("-3")]), "3");
        assert_eq!(ok("abs", &[i(-9_007_199_254_740_993)]), "9007199254740993");
        assert_eq!(ok("abs", &[i(i64::MIN)]), "9223372036854775808");
        assert_eq!(run("abs", &[unknown()]), Err(Fail::Unknown));
        assert_eq!(run("abs", &[s("x")]), Err(Fail::Error));
        assert_eq!(run("abs", &[]), Err(Fail::Error));
    }

    #[test]
    fn ceil_and_floor() {
        assert_eq!(ok("ceil", &[n(5.1)]), "6");
        assert_eq!(ok("ceil", &[n(-5.1)]), "-5");
        assert_eq!(ok("ceil", &[i(5)]), "5");
        assert_eq!(ok("floor", &[n(-5.1)]), "-6");
        assert_eq!(ok("floor", &[n(5.9)]), "5");
        assert_eq!(run("floor", &[n(1e20)]), Ok(json!(1e20)));
        assert_eq!(run("ceil", &[unknown()]), Err(Fail::Unknown));
        let t = Val::new(V::Bool(true), Span::default());
        assert_eq!(run("floor", &[t]), Err(Fail::Error));
    }

    #[test]
    fn log_is_a_ratio_of_natural_logarithms() {
        assert_eq!(ok("log", &[i(50), i(10)]), "1.6989700043360185");
        assert_eq!(ok("log", &[i(16), i(2)]), "4");
        assert_eq!(ok("log", &[n(1e300), i(10)]), "299.99999999999994");
        assert_eq!(ok("log", &[i(8), i(0)]), "0");
        // Terraform gives -Inf and +Inf, which no number here holds
        assert!(matches!(run("log", &[i(0), i(10)]), Err(Fail::Bound(_))));
        assert!(matches!(run("log", &[i(10), i(1)]), Err(Fail::Bound(_))));
        // NaN: Terraform fails
        assert_eq!(run("log", &[i(-1), i(10)]), Err(Fail::Error));
        assert_eq!(run("log", &[i(1), i(1)]), Err(Fail::Error));
        assert_eq!(run("log", &[unknown(), i(10)]), Err(Fail::Unknown));
        assert_eq!(run("log", &[i(10)]), Err(Fail::Error));
    }

    #[test]
    fn max_and_min() {
        assert_eq!(ok("max", &[i(12), i(54), i(3)]), "54");
        assert_eq!(ok("max", &[i(1)]), "1");
        assert_eq!(ok("max", &[s("5"), i(3)]), "5");
        assert_eq!(ok("max", &[i(1), n(2.5)]), "2.5");
        assert_eq!(ok("min", &[i(12), n(54.5), n(3.25)]), "3.25");
        assert_eq!(ok("min", &[i(-1), i(i64::MAX)]), "-1");
        assert_eq!(run("max", &[]), Err(Fail::Error));
        assert_eq!(run("min", &[i(1), unknown()]), Err(Fail::Unknown));
        assert_eq!(run("max", &[i(1), s("a")]), Err(Fail::Error));
    }

    #[test]
    fn parseint_reads_bases_2_to_62() {
        let p = |x: &str, b: i64| run("parseint", &[s(x), i(b)]);
        assert_eq!(p("100", 10), Ok(json!(100)));
        assert_eq!(p("FF", 16), Ok(json!(255)));
        assert_eq!(p("-10", 16), Ok(json!(-16)));
        assert_eq!(p("1011111011101111", 2), Ok(json!(48879)));
        assert_eq!(p("aA", 62), Ok(json!(656)));
        assert_eq!(p("zz", 36), Ok(json!(1295)));
        assert_eq!(p("ZZ", 36), Ok(json!(1295)));
        assert_eq!(p("+12", 10), Ok(json!(12)));
        for bad in ["12", "", " 1", "1_000", "-", "0x1"] {
            assert_eq!(p(bad, 2), Err(Fail::Error), "{bad}");
        }
        assert_eq!(p("0x1F", 16), Err(Fail::Error));
        assert_eq!(p("12", 63), Err(Fail::Error));
        assert_eq!(p("12", 1), Err(Fail::Error));
        assert_eq!(run("parseint", &[i(12), i(10)]), Err(Fail::Error));
        assert_eq!(run("parseint", &[unknown(), i(10)]), Err(Fail::Unknown));
        // Terraform: 99999999999999999999999, past what a number here holds
        assert!(matches!(
            p("99999999999999999999999", 10),
            Err(Fail::Bound(_))
        ));
        assert!(matches!(p(&"z".repeat(40), 62), Err(Fail::Bound(_))));
    }

    #[test]
    fn pow_is_floating_point() {
        assert_eq!(ok("pow", &[i(3), i(2)]), "9");
        assert_eq!(ok("pow", &[i(4), i(0)]), "1");
        assert_eq!(ok("pow", &[i(2), n(0.5)]), "1.4142135623730951");
        assert_eq!(ok("pow", &[i(2), i(53)]), "9007199254740992");
        assert_eq!(ok("pow", &[i(2), i(63)]), "9223372036854775808");
        assert!(matches!(run("pow", &[i(0), i(-1)]), Err(Fail::Bound(_))));
        assert!(matches!(run("pow", &[i(10), i(400)]), Err(Fail::Bound(_))));
        assert_eq!(run("pow", &[i(-8), n(1.0 / 3.0)]), Err(Fail::Error));
        assert_eq!(run("pow", &[unknown(), i(2)]), Err(Fail::Unknown));
    }

    #[test]
    fn signum_of_whole_numbers() {
        assert_eq!(ok("signum", &[i(-13)]), "-1");
        assert_eq!(ok("signum", &[i(0)]), "0");
        assert_eq!(ok("signum", &[i(344)]), "1");
        assert_eq!(ok("signum", &[n(-0.0)]), "0");
        let minus_zero = Val::new(
            V::Num(Number::from_f64(-0.0).unwrap_or(0.into())),
            Span::default(),
        );
        assert_eq!(ok("signum", &[minus_zero]), "0");
        assert_eq!(run("signum", &[n(-0.5)]), Err(Fail::Error));
        assert_eq!(run("signum", &[unknown()]), Err(Fail::Unknown));
    }

    #[test]
    fn other_names_are_not_here() {
        assert!(call("length", &[s("a")], Span::default()).is_none());
    }

    /// A replica count computed with these functions reaches the document.
    #[test]
    fn computed_number_reaches_the_document() {
        use std::path::Path;
        use std::sync::Arc;
        let text = "locals {\n  replicas = max(1, min(10, ceil(2.5)), parseint(\"11\", 2))\n}\n";
        let file = Arc::new(crate::document::SourceFile::new("m/main.tf", text));
        let parsed = crate::parse::terraform_module(Path::new("m"), &[file], &Default::default());
        assert_eq!(parsed.documents[0].input["locals"]["replicas"], json!(3));
    }
}
