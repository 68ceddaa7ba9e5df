//! Collection functions of Terraform 1.x not in `funcs.rs` (alltrue, anytrue, chunklist, coalescelist, compact, distinct, index, matchkeys, one, range, reverse, setintersection, setproduct, setsubtract, setunion, slice, sort, sum, transpose, zipmap).
//!
//! Each function works on evaluated arguments like those of `funcs.rs`:
//! a value, `Fail::Unknown` when an argument is not known, `Fail::Error`
//! when Terraform would reject the call. Expected values come from
//! `terraform console` (Terraform 1.x).
//!
//! Elements a function passes through unchanged keep their own `Val`
//! (span and origins), so a finding on one still points at its source;
//! only new values (the lists built, numbers computed) are located at the
//! call. Sets are lists here, de-duplicated and in the order Terraform
//! prints them (strings lexically, numbers by value, `false` first).

use serde_json::{Number, Value};

use super::{Fail, R, arity, computed, known, text};
use crate::document::Span;
use crate::parse::terraform::value::{
    V, Val, as_bool, as_f64, json_eq, key_string, map_insert, number,
};

/// Most elements a function here builds (`setproduct`): past it the call
/// is a bound, not a value. Each element is a located value (about 100
/// bytes with its list), so this keeps one call near 10 MB.
const MAX_ELEMENTS: usize = 100_000;

/// Most values `range` generates: Terraform's own limit, past which it
/// rejects the call.
const MAX_RANGE: usize = 1024;

/// The function `name` if this module has it, else `None`.
pub(super) fn call(name: &str, args: &[Val], span: Span) -> Option<R> {
    let r = match name {
        "alltrue" => all_any(args, span, true),
        "anytrue" => all_any(args, span, false),
        "chunklist" => chunklist(args, span),
        "coalescelist" => coalescelist(args),
        "compact" => compact(args, span),
        "distinct" => distinct(args, span),
        "index" => index(args, span),
        "matchkeys" => matchkeys(args, span),
        "one" => one(args, span),
        "range" => range(args, span),
        "reverse" => reverse(args, span),
        "setintersection" | "setunion" | "setsubtract" => set_op(name, args, span),
        "setproduct" => setproduct(args, span),
        "slice" => slice(args, span),
        "sort" => sort(args, span),
        "sum" => sum(args, span),
        "transpose" => transpose(args, span),
        "zipmap" => zipmap(args, span),
        _ => return None,
    };
    Some(r)
}

/// The elements of list argument `v` (a set or tuple too); a null or any
/// other value is an error.
fn items(v: &Val) -> Result<&[Val], Fail> {
    match &v.v {
        V::List(items) => Ok(items),
        V::Unknown(_) => Err(Fail::Unknown),
        _ => Err(Fail::Error),
    }
}

/// `Err` unless every element is wholly known: `Error` wins over `Unknown`.
/// A `jsonencode` kept as structure is a string whose exact text is not
/// known here, so it cannot be compared: unknown too.
fn wholly_known(items: &[Val]) -> Result<(), Fail> {
    known(items)?;
    if items.iter().all(|i| i.is_wholly_known() && !has_json(i)) {
        Ok(())
    } else {
        Err(Fail::Unknown)
    }
}

fn has_json(v: &Val) -> bool {
    match &v.v {
        V::Json(_) => true,
        V::List(items) => items.iter().any(has_json),
        V::Map(entries) => entries.iter().any(|(_, v)| has_json(v)),
        _ => false,
    }
}

/// A number argument (numeric strings convert); null or another value is
/// an error. A `jsonencode` kept as structure is a string whose text is
/// not known exactly here: unknown.
fn number_arg(v: &Val) -> Result<f64, Fail> {
    match v.v {
        V::Json(_) => Err(Fail::Unknown),
        _ => as_f64(v).ok_or(Fail::Error),
    }
}

/// A whole number argument (Terraform rejects a fraction); null is an
/// error.
fn whole(v: &Val) -> Result<i64, Fail> {
    let f = number_arg(v)?;
    if f.fract() != 0.0 || f.abs() >= 9.2e18 {
        return Err(Fail::Error);
    }
    Ok(f as i64)
}

/// Terraform gives a list one element type: strings mixed with numbers or
/// bools all become strings (`distinct([1, "1"])` is `["1"]`); numbers
/// mixed with bools have no common type. Each element keeps its span.
pub(super) fn unify(items: Vec<Val>) -> Result<Vec<Val>, Fail> {
    let kinds = |f: fn(&V) -> bool| items.iter().any(|i| f(&i.v));
    let (strs, nums, bools) = (
        kinds(|v| matches!(v, V::Str(_))),
        kinds(|v| matches!(v, V::Num(_))),
        kinds(|v| matches!(v, V::Bool(_))),
    );
    match (strs, nums, bools) {
        (false, true, true) => Err(Fail::Error),
        (true, true, _) | (true, _, true) => items.into_iter().map(stringify).collect(),
        _ => Ok(items),
    }
}

/// A scalar element as a string (null stays null), keeping its span.
fn stringify(mut v: Val) -> Result<Val, Fail> {
    if !matches!(v.v, V::Null | V::Str(_)) {
        v.v = V::Str(text(&v)?);
    }
    Ok(v)
}

/// `items` as a Terraform set: first of equal elements kept, in the order
/// Terraform prints a set (the order is kept for other element types,
/// whose set order depends on hashes).
pub(super) fn set_of(items: Vec<Val>) -> Vec<Val> {
    let mut seen: Vec<Value> = Vec::new();
    let mut out: Vec<Val> = Vec::new();
    for item in items {
        let j = item.to_json();
        if !seen.iter().any(|s| json_eq(s, &j)) {
            seen.push(j);
            out.push(item);
        }
    }
    if out.iter().all(|i| matches!(i.v, V::Str(_))) {
        out.sort_by(|a, b| a.as_str().cmp(&b.as_str()));
    } else if out.iter().all(|i| matches!(i.v, V::Num(_))) {
        out.sort_by(|a, b| num(a).total_cmp(&num(b)));
    } else if out.iter().all(|i| matches!(i.v, V::Bool(_))) {
        out.sort_by_key(|i| as_bool(i).unwrap_or(false));
    }
    out
}

fn num(v: &Val) -> f64 {
    as_f64(v).unwrap_or(f64::NAN)
}

/// Whether `needle` is among `items` (values compared as JSON, numbers by
/// value).
fn member(items: &[Val], needle: &Val) -> bool {
    let j = needle.to_json();
    items.iter().any(|i| json_eq(&i.to_json(), &j))
}

/// `alltrue(list)` / `anytrue(list)`: `"true"`/`"false"` convert; a null
/// element is false (so `alltrue([null])` is false), an empty list is
/// true for `alltrue` and false for `anytrue`.
fn all_any(args: &[Val], span: Span, all: bool) -> R {
    arity(args, 1)?;
    let list = items(&args[0])?;
    known(list)?;
    let mut result = all;
    for item in list {
        let b = match &item.v {
            V::Null => false,
            V::Json(_) => return Err(Fail::Unknown),
            _ => as_bool(item).ok_or(Fail::Error)?,
        };
        if all {
            result &= b;
        } else {
            result |= b;
        }
    }
    computed(V::Bool(result), span, args)
}

/// `chunklist(list, size)`: lists of `size` elements, the last shorter; a
/// size of 0 gives the whole list as one chunk, a negative one fails.
fn chunklist(args: &[Val], span: Span) -> R {
    arity(args, 2)?;
    let list = items(&args[0])?;
    let size = whole(&args[1])?;
    if size < 0 {
        return Err(Fail::Error);
    }
    let size = if size == 0 {
        list.len().max(1)
    } else {
        usize::try_from(size).map_err(|_| Fail::Error)?
    };
    let chunks = list
        .chunks(size)
        .map(|c| Val::new(V::List(c.to_vec()), span))
        .collect();
    computed(V::List(chunks), span, args)
}

/// `coalescelist(lists...)`: the first non-empty list, passed through; all
/// empty (or no argument) fails, and so does a null or a non-list.
fn coalescelist(args: &[Val]) -> R {
    for a in args {
        match &a.v {
            V::Error(_) => return Err(Fail::Error),
            V::Unknown(_) => return Err(Fail::Unknown),
            V::List(items) if items.is_empty() => {}
            V::List(_) => return Ok(a.clone()),
            _ => return Err(Fail::Error),
        }
    }
    Err(Fail::Error)
}

/// `compact(list)`: the list of strings without nulls and empty strings;
/// numbers and bools become strings, as Terraform converts the list.
fn compact(args: &[Val], span: Span) -> R {
    arity(args, 1)?;
    let list = items(&args[0])?;
    known(list)?;
    let mut out = Vec::new();
    for item in list {
        match &item.v {
            V::Null => {}
            V::Str(s) if s.is_empty() => {}
            V::Str(_) | V::Num(_) | V::Bool(_) | V::Json(_) => out.push(stringify(item.clone())?),
            _ => return Err(Fail::Error),
        }
    }
    computed(V::List(out), span, args)
}

/// `distinct(list)`: the first of equal elements, in list order (not
/// sorted, unlike a set).
fn distinct(args: &[Val], span: Span) -> R {
    arity(args, 1)?;
    let list = items(&args[0])?;
    wholly_known(list)?;
    let mut out: Vec<Val> = Vec::new();
    for item in unify(list.to_vec())? {
        if !member(&out, &item) {
            out.push(item);
        }
    }
    computed(V::List(out), span, args)
}

/// `index(list, value)`: the first position of `value`, compared without
/// conversion (`index([1], "1")` fails); not found or an empty list fails.
fn index(args: &[Val], span: Span) -> R {
    arity(args, 2)?;
    let list = items(&args[0])?;
    if list.is_empty() {
        return Err(Fail::Error);
    }
    wholly_known(list)?;
    wholly_known(&args[1..])?;
    let needle = args[1].to_json();
    let i = list
        .iter()
        .position(|i| json_eq(&i.to_json(), &needle))
        .ok_or(Fail::Error)?;
    computed(V::Num(Number::from(i)), span, args)
}

/// `matchkeys(values, keys, searchset)`: the values whose key (same
/// position) is in the search set; keys and search set convert to one
/// type (`matchkeys(["a"], [1], ["1"])` is `["a"]`).
fn matchkeys(args: &[Val], span: Span) -> R {
    arity(args, 3)?;
    let (values, keys, search) = (items(&args[0])?, items(&args[1])?, items(&args[2])?);
    if values.len() != keys.len() {
        return Err(Fail::Error);
    }
    wholly_known(keys)?;
    wholly_known(search)?;
    let mut both = unify(keys.iter().chain(search).cloned().collect())?;
    let search = both.split_off(keys.len());
    let out = values
        .iter()
        .zip(&both)
        .filter(|(_, k)| member(&search, k))
        .map(|(v, _)| v.clone())
        .collect();
    computed(V::List(out), span, args)
}

/// `one(list)`: the only element (passed through), null for an empty
/// list; more elements, a null or a non-list fails.
fn one(args: &[Val], span: Span) -> R {
    arity(args, 1)?;
    match items(&args[0])? {
        [] => computed(V::Null, span, args),
        [only] => Ok(only.clone()),
        _ => Err(Fail::Error),
    }
}

/// `range(end)`, `range(start, end)`, `range(start, end, step)`: the step
/// defaults to 1, or -1 when end is below start; a step away from the end
/// fails, and so does a call generating more than 1024 values (Terraform's
/// own limit, a zero step included). Terraform computes with
/// arbitrary-precision decimals (`range(0, 1, 0.1)` has `0.3`, not
/// `0.30000000000000004`), so the values are computed as exact decimals
/// when their digits allow it.
fn range(args: &[Val], span: Span) -> R {
    known(args)?;
    let nums = args
        .iter()
        .map(number_arg)
        .collect::<Result<Vec<f64>, Fail>>()?;
    let (start, end, step) = match nums[..] {
        [end] => (0.0, end, if end < 0.0 { -1.0 } else { 1.0 }),
        [start, end] => (start, end, if end < start { -1.0 } else { 1.0 }),
        [start, end, step] => (start, end, step),
        _ => return Err(Fail::Error),
    };
    if (step < 0.0 && end > start) || (step >= 0.0 && end < start) {
        return Err(Fail::Error);
    }
    let values = match (Dec::of(start), Dec::of(end), Dec::of(step)) {
        (Some(s), Some(e), Some(st)) => Dec::range(s, e, st),
        _ => None,
    }
    .unwrap_or_else(|| float_range(start, end, step))?;
    let out = values
        .into_iter()
        .map(|f| Ok(Val::new(number(f).ok_or(Fail::Error)?, span)))
        .collect::<Result<Vec<Val>, Fail>>()?;
    computed(V::List(out), span, args)
}

/// `range` in floating point, for values whose decimals do not fit.
fn float_range(start: f64, end: f64, step: f64) -> Result<Vec<f64>, Fail> {
    let mut out = Vec::new();
    let mut v = start;
    while (step < 0.0 && v > end) || (step >= 0.0 && v < end) {
        if out.len() >= MAX_RANGE {
            return Err(Fail::Error);
        }
        out.push(v);
        v += step;
    }
    Ok(out)
}

/// An exact decimal `m × 10^-scale`, for the arithmetic Terraform does
/// with arbitrary precision.
#[derive(Clone, Copy, Debug)]
struct Dec {
    m: i128,
    scale: u32,
}

/// Most decimal places kept exact.
const MAX_SCALE: u32 = 30;

impl Dec {
    /// The decimal a number is written as (its shortest form); `None` when
    /// it does not fit.
    fn of(f: f64) -> Option<Dec> {
        let s = format!("{f:e}");
        let (mant, exp) = s.split_once('e')?;
        let exp: i32 = exp.parse().ok()?;
        let (int, frac) = mant.split_once('.').unwrap_or((mant, ""));
        let m: i128 = format!("{int}{frac}").parse().ok()?;
        let exp = exp.checked_sub(i32::try_from(frac.len()).ok()?)?;
        if exp >= 0 {
            let m = m.checked_mul(10i128.checked_pow(exp.unsigned_abs())?)?;
            Some(Dec { m, scale: 0 })
        } else {
            let scale = exp.unsigned_abs();
            (scale <= MAX_SCALE).then_some(Dec { m, scale })
        }
    }

    /// The mantissas of `a` and `b` at their common scale.
    fn align(a: Dec, b: Dec) -> Option<(i128, i128, u32)> {
        let scale = a.scale.max(b.scale);
        let up = |d: Dec| d.m.checked_mul(10i128.checked_pow(scale - d.scale)?);
        Some((up(a)?, up(b)?, scale))
    }

    fn add(a: Dec, b: Dec) -> Option<Dec> {
        let (x, y, scale) = Dec::align(a, b)?;
        Some(Dec {
            m: x.checked_add(y)?,
            scale,
        })
    }

    fn to_f64(self) -> Option<f64> {
        format!("{}e-{}", self.m, self.scale).parse().ok()
    }

    /// `range` with exact decimals; `None` when a value does not fit.
    fn range(start: Dec, end: Dec, step: Dec) -> Option<Result<Vec<f64>, Fail>> {
        let mut out = Vec::new();
        let mut v = start;
        loop {
            let (x, e, _) = Dec::align(v, end)?;
            if !((step.m < 0 && x > e) || (step.m >= 0 && x < e)) {
                return Some(Ok(out));
            }
            if out.len() >= MAX_RANGE {
                return Some(Err(Fail::Error));
            }
            out.push(v.to_f64()?);
            v = Dec::add(v, step)?;
        }
    }

    /// The exact sum of `values`; `None` when one does not fit.
    fn sum(values: &[f64]) -> Option<f64> {
        let mut total = Dec { m: 0, scale: 0 };
        for f in values {
            total = Dec::add(total, Dec::of(*f)?)?;
        }
        total.to_f64()
    }
}

/// `reverse(list)`: the elements in reverse order, passed through.
fn reverse(args: &[Val], span: Span) -> R {
    arity(args, 1)?;
    let out = items(&args[0])?.iter().rev().cloned().collect();
    computed(V::List(out), span, args)
}

/// `setunion(sets...)`, `setintersection(sets...)` (at least one each) and
/// `setsubtract(a, b)`: a set, sorted as Terraform prints it; mixed
/// strings and numbers become strings (`setunion(["a"], [1])` is
/// `["1", "a"]`).
fn set_op(name: &str, args: &[Val], span: Span) -> R {
    known(args)?;
    let bad_count = match name {
        "setsubtract" => args.len() != 2,
        _ => args.is_empty(),
    };
    if bad_count {
        return Err(Fail::Error);
    }
    let mut sets = Vec::with_capacity(args.len());
    let mut all = Vec::new();
    for a in args {
        let list = items(a)?;
        wholly_known(list)?;
        sets.push(list.len());
        all.extend(list.iter().cloned());
    }
    let mut all = unify(all)?;
    let mut lists = Vec::with_capacity(sets.len());
    for n in sets.iter().rev() {
        lists.push(all.split_off(all.len() - n));
    }
    lists.reverse();
    let (first, rest) = lists.split_first().ok_or(Fail::Error)?;
    let out: Vec<Val> = match name {
        "setunion" => lists.concat(),
        "setintersection" => first
            .iter()
            .filter(|i| rest.iter().all(|r| member(r, i)))
            .cloned()
            .collect(),
        _ => first
            .iter()
            .filter(|i| !rest.iter().any(|r| member(r, i)))
            .cloned()
            .collect(),
    };
    computed(V::List(set_of(out)), span, args)
}

/// `setproduct(sets...)` (at least two): every combination, the first
/// argument varying slowest; elements pass through. The result is bounded
/// by [`MAX_ELEMENTS`].
fn setproduct(args: &[Val], span: Span) -> R {
    known(args)?;
    if args.len() < 2 {
        return Err(Fail::Error);
    }
    let lists = args.iter().map(items).collect::<Result<Vec<_>, _>>()?;
    let count = lists
        .iter()
        .try_fold(1usize, |n, l| n.checked_mul(l.len()))
        .filter(|n| n.saturating_mul(lists.len()) <= MAX_ELEMENTS)
        .ok_or(Fail::Bound(
            "setproduct not evaluated: the product has more than 100,000 elements, \
             driftless's bound on a computed collection; kept as written, so the gate \
             cannot vouch for the value",
        ))?;
    let mut out = Vec::with_capacity(count);
    let mut tuple: Vec<Val> = Vec::with_capacity(lists.len());
    product(&lists, &mut tuple, &mut out, span);
    computed(V::List(out), span, args)
}

fn product(lists: &[&[Val]], tuple: &mut Vec<Val>, out: &mut Vec<Val>, span: Span) {
    let Some((first, rest)) = lists.split_first() else {
        out.push(Val::new(V::List(tuple.clone()), span));
        return;
    };
    for item in first.iter() {
        tuple.push(item.clone());
        product(rest, tuple, out, span);
        tuple.pop();
    }
}

/// `slice(list, start, end)`: elements `start` to `end` (exclusive),
/// passed through; an index out of the list or `start > end` fails.
fn slice(args: &[Val], span: Span) -> R {
    arity(args, 3)?;
    let list = items(&args[0])?;
    let (start, end) = (whole(&args[1])?, whole(&args[2])?);
    let (Ok(start), Ok(end)) = (usize::try_from(start), usize::try_from(end)) else {
        return Err(Fail::Error);
    };
    if end > list.len() || start > end {
        return Err(Fail::Error);
    }
    let out = list.get(start..end).ok_or(Fail::Error)?.to_vec();
    computed(V::List(out), span, args)
}

/// `sort(list)`: strings in lexical (byte) order, numbers and bools
/// converted to strings first (`sort([3, 10, 1])` is `["1", "10", "3"]`);
/// a null element fails.
fn sort(args: &[Val], span: Span) -> R {
    arity(args, 1)?;
    let list = items(&args[0])?;
    wholly_known(list)?;
    let mut out = list
        .iter()
        .map(|i| match i.v {
            V::Str(_) | V::Num(_) | V::Bool(_) => stringify(i.clone()),
            _ => Err(Fail::Error),
        })
        .collect::<Result<Vec<Val>, Fail>>()?;
    out.sort_by(|a, b| a.as_str().cmp(&b.as_str()));
    computed(V::List(out), span, args)
}

/// `sum(list)`: numeric strings convert; an empty list, a null or another
/// value fails. Exact decimal arithmetic like Terraform's (`sum([0.1,
/// 0.2])` is `0.3`).
fn sum(args: &[Val], span: Span) -> R {
    arity(args, 1)?;
    let list = items(&args[0])?;
    known(list)?;
    if list.is_empty() {
        return Err(Fail::Error);
    }
    let nums = list
        .iter()
        .map(|i| match i.v {
            V::Num(_) | V::Str(_) | V::Json(_) => number_arg(i),
            _ => Err(Fail::Error),
        })
        .collect::<Result<Vec<f64>, Fail>>()?;
    let total = Dec::sum(&nums).unwrap_or_else(|| nums.iter().sum());
    computed(number(total).ok_or(Fail::Error)?, span, args)
}

/// `transpose(map of lists of strings)`: each string to the keys whose
/// list has it, keys in order, the result's keys sorted; a null string or
/// a value not a list fails.
fn transpose(args: &[Val], span: Span) -> R {
    arity(args, 1)?;
    let V::Map(entries) = &args[0].v else {
        return Err(Fail::Error);
    };
    let mut sorted: Vec<&(String, Val)> = entries.iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    let mut out: Vec<(String, Vec<Val>)> = Vec::new();
    for (key, list) in sorted {
        let list = items(list)?;
        wholly_known(list)?;
        for item in list {
            let s = match item.v {
                V::Str(_) | V::Num(_) | V::Bool(_) => text(item)?,
                _ => return Err(Fail::Error),
            };
            let k = Val::str(key.as_str(), span);
            match out.iter_mut().find(|(o, _)| *o == s) {
                Some((_, keys)) => keys.push(k),
                None => out.push((s, vec![k])),
            }
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    let map = out
        .into_iter()
        .map(|(k, keys)| (k, Val::new(V::List(keys), span)))
        .collect();
    computed(V::Map(map), span, args)
}

/// `zipmap(keys, values)`: a map of each key to the value at its position
/// (passed through); a later duplicate key wins; unequal lengths or a null
/// key fail.
fn zipmap(args: &[Val], span: Span) -> R {
    arity(args, 2)?;
    let (keys, values) = (items(&args[0])?, items(&args[1])?);
    wholly_known(keys)?;
    if keys.len() != values.len() {
        return Err(Fail::Error);
    }
    let mut out = Vec::with_capacity(keys.len());
    for (k, v) in keys.iter().zip(values) {
        let key = match k.v {
            V::Str(_) | V::Num(_) | V::Bool(_) => key_string(k).ok_or(Fail::Error)?,
            _ => return Err(Fail::Error),
        };
        map_insert(&mut out, key, v.clone());
    }
    computed(V::Map(out), span, args)
}

#[cfg(test)]
mod tests {
    use std::path::Path;
    use std::sync::Arc;

    use serde_json::{Value, json};

    use super::super::testing::unknown;
    use super::*;
    use crate::document::SourceFile;

    fn v(j: Value) -> Val {
        Val::from_json(&j, Span::default())
    }

    fn error() -> Val {
        Val::error("${bad}", Span::default())
    }

    /// `name(args)` as JSON, the span of the call being 100..110.
    fn run(name: &str, args: Vec<Val>) -> Result<Value, Fail> {
        let r = call(name, &args, Span::new(100, 110)).expect("a collection function");
        r.map(|v| v.to_json())
    }

    fn ok(name: &str, args: Vec<Value>) -> Value {
        run(name, args.into_iter().map(v).collect()).expect("a value")
    }

    fn fails(name: &str, args: Vec<Value>) -> Fail {
        run(name, args.into_iter().map(v).collect()).expect_err("a failure")
    }

    #[test]
    fn names_not_here_are_none() {
        assert!(call("upper", &[], Span::default()).is_none());
    }

    #[test]
    fn alltrue_and_anytrue() {
        assert_eq!(ok("alltrue", vec![json!([true, "true"])]), json!(true));
        assert_eq!(ok("alltrue", vec![json!([])]), json!(true));
        assert_eq!(ok("alltrue", vec![json!([true, false])]), json!(false));
        assert_eq!(ok("alltrue", vec![json!([null])]), json!(false));
        assert_eq!(fails("alltrue", vec![json!([1])]), Fail::Error);
        assert_eq!(fails("alltrue", vec![json!(["yes"])]), Fail::Error);
        assert_eq!(ok("anytrue", vec![json!([])]), json!(false));
        assert_eq!(ok("anytrue", vec![json!([false, "true"])]), json!(true));
        assert_eq!(ok("anytrue", vec![json!([null, true])]), json!(true));
        assert_eq!(ok("anytrue", vec![json!([null, false])]), json!(false));
        assert_eq!(
            run(
                "anytrue",
                vec![Val::new(V::List(vec![unknown()]), Span::default())]
            ),
            Err(Fail::Unknown)
        );
        assert_eq!(run("alltrue", vec![unknown()]), Err(Fail::Unknown));
        assert_eq!(run("alltrue", vec![error()]), Err(Fail::Error));
    }

    #[test]
    fn chunklist_sizes() {
        assert_eq!(
            ok(
                "chunklist",
                vec![json!(["a", "b", "c", "d", "e"]), json!(2)]
            ),
            json!([["a", "b"], ["c", "d"], ["e"]])
        );
        assert_eq!(ok("chunklist", vec![json!([]), json!(2)]), json!([]));
        assert_eq!(ok("chunklist", vec![json!([]), json!(0)]), json!([]));
        assert_eq!(
            ok("chunklist", vec![json!(["a"]), json!(0)]),
            json!([["a"]])
        );
        assert_eq!(
            fails("chunklist", vec![json!(["a"]), json!(-1)]),
            Fail::Error
        );
        assert_eq!(
            fails("chunklist", vec![json!(["a"]), json!(1.5)]),
            Fail::Error
        );
        assert_eq!(
            fails("chunklist", vec![json!(["a"]), json!(null)]),
            Fail::Error
        );
        assert_eq!(
            run("chunklist", vec![v(json!(["a"])), unknown()]),
            Err(Fail::Unknown)
        );
    }

    #[test]
    fn coalescelist_first_non_empty() {
        assert_eq!(
            ok("coalescelist", vec![json!([]), json!(["a"]), json!(["b"])]),
            json!(["a"])
        );
        assert_eq!(
            fails("coalescelist", vec![json!([]), json!([])]),
            Fail::Error
        );
        assert_eq!(fails("coalescelist", vec![]), Fail::Error);
        assert_eq!(
            fails("coalescelist", vec![json!(null), json!(["x"])]),
            Fail::Error
        );
        assert_eq!(
            run(
                "coalescelist",
                vec![v(json!([])), unknown(), v(json!(["b"]))]
            ),
            Err(Fail::Unknown)
        );
    }

    #[test]
    fn compact_drops_null_and_empty() {
        assert_eq!(
            ok("compact", vec![json!(["a", "", null, "b"])]),
            json!(["a", "b"])
        );
        assert_eq!(ok("compact", vec![json!([])]), json!([]));
        assert_eq!(ok("compact", vec![json!([1, "", 2])]), json!(["1", "2"]));
        assert_eq!(fails("compact", vec![json!(null)]), Fail::Error);
        assert_eq!(fails("compact", vec![json!(["a", ["b"]])]), Fail::Error);
        let list = Val::new(V::List(vec![v(json!("a")), unknown()]), Span::default());
        assert_eq!(run("compact", vec![list]), Err(Fail::Unknown));
    }

    #[test]
    fn distinct_keeps_first_in_order() {
        assert_eq!(
            ok("distinct", vec![json!(["a", "b", "a", "c", "b"])]),
            json!(["a", "b", "c"])
        );
        assert_eq!(ok("distinct", vec![json!([1, "1", 2])]), json!(["1", "2"]));
        assert_eq!(
            ok("distinct", vec![json!([[1], [1], [2]])]),
            json!([[1], [2]])
        );
        assert_eq!(
            ok("distinct", vec![json!(["a", null, null])]),
            json!(["a", null])
        );
        assert_eq!(ok("distinct", vec![json!([])]), json!([]));
        assert_eq!(fails("distinct", vec![json!([true, 1])]), Fail::Error);
        assert_eq!(run("distinct", vec![unknown()]), Err(Fail::Unknown));
    }

    #[test]
    fn index_without_conversion() {
        assert_eq!(
            ok("index", vec![json!(["a", "b", "c"]), json!("b")]),
            json!(1)
        );
        assert_eq!(ok("index", vec![json!(["a", "a"]), json!("a")]), json!(0));
        assert_eq!(
            ok("index", vec![json!([{"a": 1}]), json!({"a": 1})]),
            json!(0)
        );
        assert_eq!(fails("index", vec![json!(["a"]), json!("z")]), Fail::Error);
        assert_eq!(
            fails("index", vec![json!([1, 2, 3]), json!("2")]),
            Fail::Error
        );
        assert_eq!(fails("index", vec![json!([]), json!("a")]), Fail::Error);
        assert_eq!(
            fails("index", vec![json!({"a": "b"}), json!("b")]),
            Fail::Error
        );
        assert_eq!(
            run("index", vec![v(json!(["a"])), unknown()]),
            Err(Fail::Unknown)
        );
    }

    #[test]
    fn matchkeys_by_position() {
        assert_eq!(
            ok(
                "matchkeys",
                vec![
                    json!(["i-123", "i-abc", "i-def"]),
                    json!(["us-west", "us-east", "us-east"]),
                    json!(["us-east"])
                ]
            ),
            json!(["i-abc", "i-def"])
        );
        assert_eq!(
            ok(
                "matchkeys",
                vec![json!(["a", "b"]), json!([1, 2]), json!(["2"])]
            ),
            json!(["b"])
        );
        assert_eq!(
            ok("matchkeys", vec![json!([]), json!([]), json!(["x"])]),
            json!([])
        );
        assert_eq!(
            fails(
                "matchkeys",
                vec![json!(["a", "b"]), json!(["x"]), json!(["x"])]
            ),
            Fail::Error
        );
        assert_eq!(
            run(
                "matchkeys",
                vec![v(json!(["a"])), v(json!(["k"])), unknown()]
            ),
            Err(Fail::Unknown)
        );
    }

    #[test]
    fn one_of_zero_or_one() {
        assert_eq!(ok("one", vec![json!([])]), json!(null));
        assert_eq!(ok("one", vec![json!(["a"])]), json!("a"));
        assert_eq!(ok("one", vec![json!([null])]), json!(null));
        assert_eq!(fails("one", vec![json!(["a", "b"])]), Fail::Error);
        assert_eq!(fails("one", vec![json!(null)]), Fail::Error);
        assert_eq!(fails("one", vec![json!({"a": 1})]), Fail::Error);
        assert_eq!(fails("one", vec![json!("a")]), Fail::Error);
        assert_eq!(run("one", vec![unknown()]), Err(Fail::Unknown));
    }

    #[test]
    fn range_like_terraform() {
        assert_eq!(ok("range", vec![json!(3)]), json!([0, 1, 2]));
        assert_eq!(ok("range", vec![json!(0)]), json!([]));
        assert_eq!(ok("range", vec![json!(-3)]), json!([0, -1, -2]));
        assert_eq!(ok("range", vec![json!("3")]), json!([0, 1, 2]));
        assert_eq!(ok("range", vec![json!(1.5)]), json!([0, 1]));
        assert_eq!(ok("range", vec![json!(1), json!(4)]), json!([1, 2, 3]));
        assert_eq!(ok("range", vec![json!(4), json!(1)]), json!([4, 3, 2]));
        assert_eq!(ok("range", vec![json!(1), json!(1)]), json!([]));
        assert_eq!(ok("range", vec![json!(1), json!(1), json!(-1)]), json!([]));
        assert_eq!(
            ok("range", vec![json!(1), json!(2), json!(0.5)]),
            json!([1, 1.5])
        );
        assert_eq!(
            ok("range", vec![json!(0), json!(1), json!(0.1)]),
            json!([0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9])
        );
        assert_eq!(
            ok("range", vec![json!(0), json!(0.3), json!(0.1)]),
            json!([0, 0.1, 0.2])
        );
        assert_eq!(
            ok("range", vec![json!(0.1), json!(0.35), json!(0.1)]),
            json!([0.1, 0.2, 0.3])
        );
        assert_eq!(
            ok("range", vec![json!(10), json!(0), json!(-3)]),
            json!([10, 7, 4, 1])
        );
        assert_eq!(
            fails("range", vec![json!(0), json!(10), json!(-1)]),
            Fail::Error
        );
        assert_eq!(
            fails("range", vec![json!(4), json!(1), json!(1)]),
            Fail::Error
        );
        // Terraform's own limit: 1024 values
        assert_eq!(
            ok("range", vec![json!(1024)]).as_array().map(Vec::len),
            Some(1024)
        );
        assert_eq!(
            ok("range", vec![json!(0), json!(2048), json!(2)])
                .as_array()
                .map(Vec::len),
            Some(1024)
        );
        assert_eq!(fails("range", vec![json!(1025)]), Fail::Error);
        assert_eq!(fails("range", vec![json!(2000)]), Fail::Error);
        assert_eq!(fails("range", vec![json!(1e300)]), Fail::Error);
        assert_eq!(
            fails("range", vec![json!(0), json!(1), json!(1e-300)]),
            Fail::Error
        );
        assert_eq!(
            fails("range", vec![json!(1), json!(4), json!(0)]),
            Fail::Error
        );
        assert_eq!(fails("range", vec![]), Fail::Error);
        assert_eq!(
            fails("range", vec![json!(1), json!(2), json!(3), json!(4)]),
            Fail::Error
        );
        assert_eq!(
            ok("range", vec![json!(-1), json!(1), json!(0.3)]),
            json!([-1, -0.7, -0.4, -0.1, 0.2, 0.5, 0.8])
        );
        assert_eq!(
            ok("range", vec![json!(0), json!(-1), json!(-0.25)]),
            json!([0, -0.25, -0.5, -0.75])
        );
        assert_eq!(fails("range", vec![json!(null)]), Fail::Error);
        assert_eq!(run("range", vec![unknown()]), Err(Fail::Unknown));
    }

    #[test]
    fn reverse_lists() {
        assert_eq!(
            ok("reverse", vec![json!(["a", 1, true])]),
            json!([true, 1, "a"])
        );
        assert_eq!(ok("reverse", vec![json!([])]), json!([]));
        assert_eq!(fails("reverse", vec![json!("ab")]), Fail::Error);
        assert_eq!(run("reverse", vec![unknown()]), Err(Fail::Unknown));
    }

    #[test]
    fn set_operations_are_sorted_sets() {
        assert_eq!(
            ok(
                "setintersection",
                vec![
                    json!(["a", "b", "c"]),
                    json!(["b", "c", "d"]),
                    json!(["c", "b"])
                ]
            ),
            json!(["b", "c"])
        );
        assert_eq!(ok("setintersection", vec![json!(["a"])]), json!(["a"]));
        assert_eq!(
            ok("setintersection", vec![json!([1, 2]), json!(["2"])]),
            json!(["2"])
        );
        assert_eq!(
            ok("setintersection", vec![json!([true]), json!(["true"])]),
            json!(["true"])
        );
        assert_eq!(fails("setintersection", vec![]), Fail::Error);
        assert_eq!(
            ok("setunion", vec![json!(["b", "a"]), json!(["c", "a"])]),
            json!(["a", "b", "c"])
        );
        assert_eq!(
            ok("setunion", vec![json!([3, 1]), json!([2])]),
            json!([1, 2, 3])
        );
        assert_eq!(
            ok("setunion", vec![json!(["a"]), json!([1])]),
            json!(["1", "a"])
        );
        assert_eq!(ok("setunion", vec![json!([])]), json!([]));
        assert_eq!(
            ok(
                "setsubtract",
                vec![json!(["a", "b", "c"]), json!(["a", "c"])]
            ),
            json!(["b"])
        );
        assert_eq!(
            ok("setsubtract", vec![json!([1, 2, 3]), json!([2])]),
            json!([1, 3])
        );
        assert_eq!(fails("setsubtract", vec![json!(["a"])]), Fail::Error);
        assert_eq!(fails("setunion", vec![json!("a")]), Fail::Error);
        let partly = Val::new(V::List(vec![unknown()]), Span::default());
        assert_eq!(
            run("setunion", vec![v(json!(["a"])), partly]),
            Err(Fail::Unknown)
        );
    }

    #[test]
    fn setproduct_combinations() {
        assert_eq!(
            ok("setproduct", vec![json!(["a", "b"]), json!([1, 2])]),
            json!([["a", 1], ["a", 2], ["b", 1], ["b", 2]])
        );
        assert_eq!(ok("setproduct", vec![json!(["a"]), json!([])]), json!([]));
        assert_eq!(
            ok("setproduct", vec![json!(["a", "a"]), json!(["x"])]),
            json!([["a", "x"], ["a", "x"]])
        );
        assert_eq!(fails("setproduct", vec![]), Fail::Error);
        assert_eq!(fails("setproduct", vec![json!(["a"])]), Fail::Error);
        assert_eq!(
            run("setproduct", vec![v(json!(["a"])), unknown()]),
            Err(Fail::Unknown)
        );
    }

    /// A product past 100,000 elements is driftless's bound, reported,
    /// not a value nor an error `try` may skip.
    #[test]
    fn setproduct_is_bounded() {
        let hundred: Vec<usize> = (0..100).collect();
        let args: Vec<Val> = (0..3).map(|_| v(json!(hundred))).collect();
        assert!(matches!(run("setproduct", args), Err(Fail::Bound(_))));
    }

    #[test]
    fn slice_bounds() {
        assert_eq!(
            ok(
                "slice",
                vec![json!(["a", "b", "c", "d"]), json!(1), json!(3)]
            ),
            json!(["b", "c"])
        );
        assert_eq!(
            ok("slice", vec![json!(["a", "b"]), json!(1), json!(1)]),
            json!([])
        );
        assert_eq!(
            ok("slice", vec![json!(["a", "b"]), json!(2), json!(2)]),
            json!([])
        );
        for (start, end) in [(0, 3), (2, 1), (-1, 1)] {
            assert_eq!(
                fails("slice", vec![json!(["a", "b"]), json!(start), json!(end)]),
                Fail::Error
            );
        }
        assert_eq!(
            fails("slice", vec![json!(["a", "b", "c"]), json!(0.5), json!(2)]),
            Fail::Error
        );
        assert_eq!(
            run("slice", vec![v(json!(["a"])), unknown(), v(json!(1))]),
            Err(Fail::Unknown)
        );
    }

    #[test]
    fn sort_is_lexical() {
        assert_eq!(
            ok("sort", vec![json!(["b", "a", "C", "10", "9"])]),
            json!(["10", "9", "C", "a", "b"])
        );
        assert_eq!(ok("sort", vec![json!([3, 10, 1])]), json!(["1", "10", "3"]));
        assert_eq!(ok("sort", vec![json!([true, "a"])]), json!(["a", "true"]));
        assert_eq!(ok("sort", vec![json!([])]), json!([]));
        assert_eq!(fails("sort", vec![json!(["a", null])]), Fail::Error);
        let partly = Val::new(V::List(vec![unknown()]), Span::default());
        assert_eq!(run("sort", vec![partly]), Err(Fail::Unknown));
    }

    #[test]
    fn sum_exact() {
        assert_eq!(ok("sum", vec![json!([1, 2.5, "3"])]), json!(6.5));
        assert_eq!(ok("sum", vec![json!([0.1, 0.2])]), json!(0.3));
        assert_eq!(ok("sum", vec![json!([1, 2])]), json!(3));
        assert_eq!(ok("sum", vec![json!([-0.1, 0.3])]), json!(0.2));
        assert_eq!(ok("sum", vec![json!([1.1, 2.2, 3.3])]), json!(6.6));
        assert_eq!(fails("sum", vec![json!([])]), Fail::Error);
        assert_eq!(fails("sum", vec![json!(["a"])]), Fail::Error);
        assert_eq!(fails("sum", vec![json!([null])]), Fail::Error);
        assert_eq!(run("sum", vec![unknown()]), Err(Fail::Unknown));
    }

    #[test]
    fn transpose_maps() {
        assert_eq!(
            ok("transpose", vec![json!({"a": ["1", "2"], "b": ["2", "3"]})]),
            json!({"1": ["a"], "2": ["a", "b"], "3": ["b"]})
        );
        assert_eq!(
            ok("transpose", vec![json!({"b": ["x"], "a": ["x"]})]),
            json!({"x": ["a", "b"]})
        );
        assert_eq!(ok("transpose", vec![json!({})]), json!({}));
        assert_eq!(ok("transpose", vec![json!({"a": []})]), json!({}));
        assert_eq!(
            ok("transpose", vec![json!({"a": [1]})]),
            json!({"1": ["a"]})
        );
        assert_eq!(fails("transpose", vec![json!({"a": "x"})]), Fail::Error);
        assert_eq!(fails("transpose", vec![json!({"a": [null]})]), Fail::Error);
        assert_eq!(run("transpose", vec![unknown()]), Err(Fail::Unknown));
    }

    #[test]
    fn zipmap_pairs() {
        assert_eq!(
            ok("zipmap", vec![json!(["a", "b"]), json!([1, 2])]),
            json!({"a": 1, "b": 2})
        );
        assert_eq!(
            ok("zipmap", vec![json!(["a", "a"]), json!([1, 2])]),
            json!({"a": 2})
        );
        assert_eq!(ok("zipmap", vec![json!([]), json!([])]), json!({}));
        assert_eq!(
            ok("zipmap", vec![json!([1, 2]), json!(["x", "y"])]),
            json!({"1": "x", "2": "y"})
        );
        assert_eq!(
            ok("zipmap", vec![json!(["a"]), json!([null])]),
            json!({"a": null})
        );
        assert_eq!(
            fails("zipmap", vec![json!(["a"]), json!([1, 2])]),
            Fail::Error
        );
        assert_eq!(
            fails("zipmap", vec![json!(["a", null]), json!([1, 2])]),
            Fail::Error
        );
        let keys = Val::new(V::List(vec![unknown()]), Span::default());
        assert_eq!(run("zipmap", vec![keys, v(json!([1]))]), Err(Fail::Unknown));
    }

    /// `jsonencode(true)` is the string `"true"` in Terraform; its exact
    /// text is not known here, so a function needing it is unknown.
    #[test]
    fn json_kept_as_structure_is_unknown_where_its_text_is_needed() {
        let json = Val::new(V::Json(Box::new(v(json!(true)))), Span::default());
        let list = Val::new(V::List(vec![json.clone()]), Span::default());
        assert_eq!(run("alltrue", vec![list.clone()]), Err(Fail::Unknown));
        assert_eq!(run("sum", vec![list.clone()]), Err(Fail::Unknown));
        assert_eq!(run("distinct", vec![list]), Err(Fail::Unknown));
        assert_eq!(run("range", vec![json]), Err(Fail::Unknown));
    }

    /// Elements passed through keep their own span; new values are at the
    /// call.
    #[test]
    fn passed_through_elements_keep_their_span() {
        let a = Val::str("a", Span::new(1, 4));
        let b = Val::str("b", Span::new(5, 8));
        let list = Val::new(V::List(vec![a, b]), Span::new(0, 9));
        for name in ["reverse", "compact", "distinct", "sort"] {
            let out = call(name, std::slice::from_ref(&list), Span::new(100, 110))
                .expect("ours")
                .expect("a value");
            assert_eq!(out.span, Span::new(100, 110), "{name}");
            let V::List(items) = &out.v else {
                panic!("{name}: not a list")
            };
            let spans: Vec<Span> = items.iter().map(|i| i.span).collect();
            assert!(spans.contains(&Span::new(1, 4)), "{name}: {spans:?}");
        }
        let one = Val::new(
            V::List(vec![Val::str("x", Span::new(1, 4))]),
            Span::new(0, 5),
        );
        let out = call("one", &[one], Span::new(100, 110)).expect("ours");
        assert_eq!(out.map(|v| v.span), Ok(Span::new(1, 4)));
    }

    /// An image tag computed through collection functions reaches the
    /// resource's configuration.
    #[test]
    fn image_tag_from_collection_functions_reaches_the_document() {
        let text = r#"locals {
  tags = ["1.0", "", "latest"]
}
resource "docker_container" "web" {
  image = "nginx:${one(slice(reverse(compact(local.tags)), 0, 1))}"
  ports = range(8080, 8082)
}
"#;
        let file = Arc::new(SourceFile::new("m/main.tf", text));
        let parsed = crate::parse::terraform_module(Path::new("m"), &[file], &Default::default());
        assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
        let config = &parsed.documents[0].input["resources"][0]["config"];
        assert_eq!(config["image"], json!("nginx:latest"));
        assert_eq!(config["ports"], json!([8080, 8081]));
    }
}
