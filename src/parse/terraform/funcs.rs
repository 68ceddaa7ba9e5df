//! The Terraform functions evaluated statically. Each works on evaluated
//! arguments and either computes a value, or says the call is unknown (an
//! argument is not known) or fails (wrong arguments): both keep the call's
//! text, but `try`/`can` skip failures only.
//!
//! `jsonencode` keeps its argument as structure ([`V::Json`]) and `file` of
//! a JSON file returns the parsed content, so rules can look inside ECS
//! container definitions and similar JSON-in-a-string attributes.

mod collections;
mod dates;
mod encoding;
mod network;
mod numeric;
mod strings;
#[cfg(test)]
mod testing;

use serde_json::Number;

use super::value::{
    MAX_STRING, V, Val, as_bool, as_f64, json_eq, key_string, map_insert, number, with_origins,
};
use crate::document::Span;

/// The module files `file`, `fileexists` and `templatefile` read: the
/// evaluator provides them, so the functions depend on it only through
/// this trait (the evaluator calls the functions, not the other way).
pub(crate) trait ModuleFiles {
    /// `file(path)`: the content, located at `span`.
    fn read_file(&self, path: &str, span: Span) -> Result<Val, Fail>;
    /// The raw bytes of a module file (`filebase64`, `filesha256`, …), with
    /// `read_file`'s checks and bound.
    fn read_bytes(&self, path: &str) -> Result<Vec<u8>, Fail>;
    /// The regular files under a module directory (`fileset`), as paths
    /// relative to it with `/` separators, in no particular order.
    fn list_files(&self, path: &str) -> Result<Vec<String>, Fail>;
    /// `fileexists(path)`.
    fn file_exists(&self, path: &str) -> bool;
    /// `templatefile(path, vars)`, rendered `depth` levels deep.
    fn template_file(&self, path: &str, vars: &Val, span: Span, depth: u32) -> Result<Val, Fail>;
    /// `templatestring(template, vars)`: a template given as a string,
    /// rendered as `templatefile` renders a file's content.
    fn template_string(&self, text: &str, vars: &Val, span: Span, depth: u32) -> Result<Val, Fail>;
}

/// Why a call has no value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fail {
    /// An argument is not statically known (or the function is not one we
    /// evaluate).
    Unknown,
    /// The arguments are wrong for the function.
    Error,
    /// The result (or a file read) would be over its size limit: the value
    /// is cut short by a bound, which is reported.
    TooLarge,
    /// The value is over another bound than size (the reason says which):
    /// it is kept as the call's text and reported as `EVAL001` at the call.
    Bound(&'static str),
}

type R = Result<Val, Fail>;

/// Calls function `name` on evaluated arguments; the result is located at
/// `span` (the call) unless it is one of the arguments passed through.
pub(crate) fn call(ev: &dyn ModuleFiles, name: &str, args: Vec<Val>, span: Span, depth: u32) -> R {
    match name {
        "try" => try_(args),
        "can" => can(&args, span),
        "coalesce" => coalesce(args),
        "lookup" => lookup(args),
        "element" => element(args),
        "concat" => concat(args, span),
        "merge" => merge(args, span),
        "tolist" | "toset" | "tomap" => convert_collection(name, args),
        "flatten" => flatten(args, span),
        "jsonencode" => jsonencode(args, span),
        "jsondecode" => jsondecode(args, span),
        // kept as structure like `jsonencode`: rules read what it encodes
        "yamlencode" => jsonencode(args, span),
        "yamldecode" => yamldecode(args, span),
        "file" => {
            let path = string_arg(&args, 0, 1)?;
            ev.read_file(&path, span)
                .map(|v| with_origins(v, &refs(&args)))
        }
        "fileexists" => {
            let path = string_arg(&args, 0, 1)?;
            computed(V::Bool(ev.file_exists(&path)), span, &args)
        }
        "templatefile" => {
            let path = string_arg(&args, 0, 2)?;
            let vars = args.get(1).ok_or(Fail::Error)?;
            ev.template_file(&path, vars, span, depth)
                .map(|v| with_origins(v, &refs(&args)))
        }
        "templatestring" => {
            let template = string_arg(&args, 0, 2)?;
            let vars = args.get(1).ok_or(Fail::Error)?;
            ev.template_string(&template, vars, span, depth)
                .map(|v| with_origins(v, &refs(&args)))
        }
        _ => encoding::file_call(ev, name, &args, span)
            .unwrap_or_else(|| scalar_call(name, &args, span)),
    }
}

/// Functions whose result is a new value computed from known arguments.
fn scalar_call(name: &str, args: &[Val], span: Span) -> R {
    let v = match name {
        "format" => V::Str(format(args)?),
        "join" => V::Str(join(args)?),
        "split" => split(args, span)?,
        "lower" => V::Str(string_arg(args, 0, 1)?.to_lowercase()),
        "upper" => V::Str(string_arg(args, 0, 1)?.to_uppercase()),
        "trimspace" => V::Str(string_arg(args, 0, 1)?.trim().to_string()),
        "replace" => V::Str(replace(args)?),
        "tostring" => return tostring(args.to_vec()),
        "tonumber" => tonumber(args)?,
        "length" => length(args)?,
        "keys" | "values" => keys_values(name, args, span)?,
        "contains" => contains(args)?,
        _ => return library(name, args, span),
    };
    computed(v, span, args)
}

/// The rest of Terraform's pure function library, one module per family;
/// a function none of them has (impure ones: `timestamp`, `uuid`,
/// `bcrypt`, …) is unknown.
fn library(name: &str, args: &[Val], span: Span) -> R {
    strings::call(name, args, span)
        .or_else(|| numeric::call(name, args, span))
        .or_else(|| collections::call(name, args, span))
        .or_else(|| encoding::call(name, args, span))
        .or_else(|| network::call(name, args, span))
        .or_else(|| dates::call(name, args, span))
        .unwrap_or(Err(Fail::Unknown))
}

fn refs(args: &[Val]) -> Vec<&Val> {
    args.iter().collect()
}

/// A computed value at the call, explained by its arguments' provenance.
fn computed(v: V, span: Span, args: &[Val]) -> R {
    Ok(with_origins(Val::new(v, span), &refs(args)))
}

/// `Err` when an argument is not known: `Error` wins over `Unknown`.
fn known(args: &[Val]) -> Result<(), Fail> {
    if args.iter().any(Val::is_error) {
        Err(Fail::Error)
    } else if args.iter().any(|a| !a.is_known()) {
        Err(Fail::Unknown)
    } else {
        Ok(())
    }
}

fn arity(args: &[Val], n: usize) -> Result<(), Fail> {
    known(args)?;
    if args.len() == n {
        Ok(())
    } else {
        Err(Fail::Error)
    }
}

/// Argument `i` as a string, checking there are `n` arguments.
fn string_arg(args: &[Val], i: usize, n: usize) -> Result<String, Fail> {
    arity(args, n)?;
    text(&args[i])
}

/// A value where Terraform wants a string: strings, numbers and bools;
/// JSON kept as structure is a string again here.
fn text(v: &Val) -> Result<String, Fail> {
    match &v.v {
        V::Str(s) => Ok(s.clone()),
        V::Num(n) => Ok(n.to_string()),
        V::Bool(b) => Ok(b.to_string()),
        V::Json(inner) if inner.is_wholly_known() => Ok(inner.to_json().to_string()),
        V::Json(_) | V::Unknown(_) => Err(Fail::Unknown),
        _ => Err(Fail::Error),
    }
}

fn try_(args: Vec<Val>) -> R {
    for a in args {
        if a.is_error() {
            continue;
        }
        return if a.is_known() {
            Ok(a)
        } else {
            Err(Fail::Unknown)
        };
    }
    Err(Fail::Error)
}

fn can(args: &[Val], span: Span) -> R {
    let [a] = args else {
        return Err(Fail::Error);
    };
    if a.is_error() {
        return computed(V::Bool(false), span, &[]);
    }
    if !a.is_known() {
        return Err(Fail::Unknown);
    }
    computed(V::Bool(true), span, args)
}

fn coalesce(args: Vec<Val>) -> R {
    for a in args {
        match &a.v {
            V::Error(_) => return Err(Fail::Error),
            V::Unknown(_) => return Err(Fail::Unknown),
            V::Null => {}
            V::Str(s) if s.is_empty() => {}
            _ => return Ok(a),
        }
    }
    Err(Fail::Error)
}

fn lookup(mut args: Vec<Val>) -> R {
    if !(2..=3).contains(&args.len()) {
        return Err(Fail::Error);
    }
    known(&args[..2])?;
    let key = key_string(&args[1]).ok_or(Fail::Error)?;
    let default = if args.len() == 3 { args.pop() } else { None };
    let map = args.swap_remove(0);
    let V::Map(entries) = map.v else {
        return Err(Fail::Error);
    };
    match entries.into_iter().rev().find(|(k, _)| *k == key) {
        Some((_, v)) => Ok(v),
        None => default.ok_or(Fail::Error).and_then(|d| match d.v {
            V::Unknown(_) => Err(Fail::Unknown),
            V::Error(_) => Err(Fail::Error),
            _ => Ok(d),
        }),
    }
}

fn element(args: Vec<Val>) -> R {
    arity(&args, 2)?;
    let i = as_f64(&args[1]).filter(|f| *f >= 0.0).ok_or(Fail::Error)? as usize;
    let mut args = args;
    let V::List(items) = args.swap_remove(0).v else {
        return Err(Fail::Error);
    };
    if items.is_empty() {
        return Err(Fail::Error);
    }
    let n = items.len();
    items.into_iter().nth(i % n).ok_or(Fail::Error)
}

fn concat(args: Vec<Val>, span: Span) -> R {
    known(&args)?;
    let mut out = Vec::new();
    for a in args {
        match a.v {
            V::List(items) => out.extend(items),
            _ => return Err(Fail::Error),
        }
    }
    Ok(Val::new(V::List(out), span))
}

fn merge(args: Vec<Val>, span: Span) -> R {
    known(&args)?;
    let mut out: Vec<(String, Val)> = Vec::new();
    let mut origins = Vec::new();
    for a in args {
        origins.extend(a.origins.iter().cloned());
        match a.v {
            V::Null => {}
            V::Map(entries) => {
                for (k, v) in entries {
                    map_insert(&mut out, k, v);
                }
            }
            _ => return Err(Fail::Error),
        }
    }
    let mut v = Val::new(V::Map(out), span);
    v.add_origins(&origins);
    Ok(v)
}

fn convert_collection(name: &str, args: Vec<Val>) -> R {
    arity(&args, 1)?;
    let mut args = args;
    let mut a = args.swap_remove(0);
    match (&mut a.v, name) {
        (V::Null, _) => Ok(a),
        (V::List(_), "tolist") | (V::Map(_), "tomap") => Ok(a),
        (V::List(items), "toset") => {
            // one element type, no duplicates, in the order Terraform
            // prints a set (the set functions share it)
            *items = collections::set_of(collections::unify(std::mem::take(items))?);
            Ok(a)
        }
        _ => Err(Fail::Error),
    }
}

fn flatten(args: Vec<Val>, span: Span) -> R {
    arity(&args, 1)?;
    fn walk(v: Val, out: &mut Vec<Val>, depth: usize) -> Result<(), Fail> {
        match v.v {
            V::List(items) if depth < 64 => {
                for i in items {
                    walk(i, out, depth + 1)?;
                }
                Ok(())
            }
            V::Unknown(_) => Err(Fail::Unknown),
            V::Error(_) | V::List(_) => Err(Fail::Error),
            _ => {
                out.push(v);
                Ok(())
            }
        }
    }
    let mut args = args;
    let a = args.swap_remove(0);
    if !matches!(a.v, V::List(_)) {
        return Err(Fail::Error);
    }
    let mut out = Vec::new();
    walk(a, &mut out, 0)?;
    Ok(Val::new(V::List(out), span))
}

fn jsonencode(args: Vec<Val>, span: Span) -> R {
    arity(&args, 1)?;
    let mut args = args;
    let inner = args.swap_remove(0);
    let origins = inner.origins.clone();
    let mut v = Val::new(V::Json(Box::new(inner)), span);
    v.add_origins(&origins);
    Ok(v)
}

fn jsondecode(args: Vec<Val>, span: Span) -> R {
    arity(&args, 1)?;
    let mut args = args;
    let a = args.swap_remove(0);
    match a.v {
        V::Json(inner) => {
            let mut inner = *inner;
            inner.span = span;
            inner.add_origins(&a.origins);
            Ok(inner)
        }
        V::Str(s) => {
            let j: serde_json::Value = serde_json::from_str(&s).map_err(json_failure)?;
            let mut v = Val::from_json(&j, span);
            v.add_origins(&a.origins);
            Ok(v)
        }
        _ => Err(Fail::Error),
    }
}

/// `yamldecode(text)`: one YAML document as structure (Terraform refuses a
/// stream of several); structure kept from `yamlencode`/`jsonencode`
/// passes through.
fn yamldecode(args: Vec<Val>, span: Span) -> R {
    arity(&args, 1)?;
    let mut args = args;
    let a = args.swap_remove(0);
    let V::Str(s) = &a.v else {
        return jsondecode(vec![a], span);
    };
    let j = decoded_yaml(s).map_err(|_| Fail::Error)?;
    let mut v = Val::from_json(&j, span);
    v.add_origins(&a.origins);
    Ok(v)
}

/// Texts shorter than this are decoded again each time: cheaper than a
/// lookup that compares them.
const DECODE_CACHE_MIN: usize = 1024;
/// How many decoded texts each thread keeps.
const DECODE_CACHE_ENTRIES: usize = 4;

thread_local! {
    /// The YAML texts this thread decoded last, newest first. A module that
    /// decodes a data file of its own decodes it once per instance, the same
    /// text each time (cloud-foundation-fabric's project module reads its
    /// 77 KB `service-agents.yaml` in every one of its instances).
    static DECODED_YAML: std::cell::RefCell<Vec<(String, std::rc::Rc<serde_json::Value>)>> =
        const { std::cell::RefCell::new(Vec::new()) };
}

/// `text` decoded as YAML, from this thread's recent decodings when it is
/// one of them.
fn decoded_yaml(text: &str) -> anyhow::Result<std::rc::Rc<serde_json::Value>> {
    if text.len() < DECODE_CACHE_MIN {
        return crate::parse::yaml::load_value(text).map(std::rc::Rc::new);
    }
    let hit = DECODED_YAML.with_borrow_mut(|cache| {
        let at = cache.iter().position(|(t, _)| t == text)?;
        let entry = cache.remove(at);
        let value = entry.1.clone();
        cache.insert(0, entry);
        Some(value)
    });
    if let Some(value) = hit {
        return Ok(value);
    }
    let value = std::rc::Rc::new(crate::parse::yaml::load_value(text)?);
    DECODED_YAML.with_borrow_mut(|cache| {
        cache.truncate(DECODE_CACHE_ENTRIES - 1);
        cache.insert(0, (text.to_string(), value.clone()));
    });
    Ok(value)
}

/// Why `jsondecode` of a string failed: JSON nested deeper than the
/// decoder's 128 levels is valid JSON Terraform decodes, so it is a bound
/// the gate reports (`EVAL001`), not an error `try` may skip.
fn json_failure(e: serde_json::Error) -> Fail {
    match e.to_string().starts_with("recursion limit exceeded") {
        true => Fail::Bound(
            "jsondecode not evaluated: the JSON nests more than 128 levels, driftless's \
             bound on decoded JSON; kept as written, so the gate cannot vouch for the value",
        ),
        false => Fail::Error,
    }
}

fn tostring(args: Vec<Val>) -> R {
    arity(&args, 1)?;
    let mut args = args;
    let mut a = args.swap_remove(0);
    a.v = match a.v {
        V::Null => V::Null,
        V::Json(inner) => V::Json(inner),
        ref other => V::Str(text(&Val::new(other.clone(), a.span))?),
    };
    Ok(a)
}

fn tonumber(args: &[Val]) -> Result<V, Fail> {
    arity(args, 1)?;
    match &args[0].v {
        V::Null => Ok(V::Null),
        V::Num(n) => Ok(V::Num(n.clone())),
        V::Str(s) => {
            if let Ok(i) = s.trim().parse::<i64>() {
                return Ok(V::Num(Number::from(i)));
            }
            as_f64(&args[0]).and_then(number).ok_or(Fail::Error)
        }
        _ => Err(Fail::Error),
    }
}

fn length(args: &[Val]) -> Result<V, Fail> {
    arity(args, 1)?;
    let n = match &args[0].v {
        V::List(items) => items.len(),
        V::Map(entries) => entries.len(),
        // Terraform counts grapheme clusters ("e\u0301" is one character)
        V::Str(s) => strings::graphemes(s).count(),
        V::Json(_) => strings::graphemes(&text(&args[0])?).count(),
        _ => return Err(Fail::Error),
    };
    Ok(V::Num(Number::from(n)))
}

fn keys_values(name: &str, args: &[Val], span: Span) -> Result<V, Fail> {
    arity(args, 1)?;
    let V::Map(entries) = &args[0].v else {
        return Err(Fail::Error);
    };
    let mut sorted: Vec<&(String, Val)> = entries.iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    let items = sorted
        .into_iter()
        .map(|(k, v)| {
            if name == "keys" {
                Val::str(k.as_str(), span)
            } else {
                v.clone()
            }
        })
        .collect();
    Ok(V::List(items))
}

fn contains(args: &[Val]) -> Result<V, Fail> {
    arity(args, 2)?;
    let V::List(items) = &args[0].v else {
        return Err(Fail::Error);
    };
    if !args[1].is_wholly_known() || !items.iter().all(Val::is_wholly_known) {
        return Err(Fail::Unknown);
    }
    let needle = args[1].to_json();
    Ok(V::Bool(
        items.iter().any(|i| json_eq(&i.to_json(), &needle)),
    ))
}

/// `join(separator, lists...)`.
fn join(args: &[Val]) -> Result<String, Fail> {
    known(args)?;
    let (sep, lists) = args.split_first().ok_or(Fail::Error)?;
    let sep = text(sep)?;
    let mut parts = Vec::new();
    for l in lists {
        let V::List(items) = &l.v else {
            return Err(Fail::Error);
        };
        for i in items {
            parts.push(text(i)?);
        }
    }
    let out = parts.join(&sep);
    if out.len() > MAX_STRING {
        return Err(Fail::TooLarge);
    }
    Ok(out)
}

fn split(args: &[Val], span: Span) -> Result<V, Fail> {
    arity(args, 2)?;
    let (sep, s) = (text(&args[0])?, text(&args[1])?);
    let parts: Vec<Val> = if sep.is_empty() {
        s.chars().map(|c| Val::str(c.to_string(), span)).collect()
    } else {
        s.split(sep.as_str()).map(|p| Val::str(p, span)).collect()
    };
    Ok(V::List(parts))
}

/// `replace(string, substring, replacement)`; a substring in slashes is a
/// regular expression (`$1` refers to groups).
fn replace(args: &[Val]) -> Result<String, Fail> {
    arity(args, 3)?;
    let (s, from, to) = (text(&args[0])?, text(&args[1])?, text(&args[2])?);
    let out = if from.len() >= 2 && from.starts_with('/') && from.ends_with('/') {
        let re = regex::Regex::new(&from[1..from.len() - 1]).map_err(|_| Fail::Error)?;
        re.replace_all(&s, to.as_str()).into_owned()
    } else if from.is_empty() {
        return Err(Fail::Error);
    } else {
        s.replace(&from, &to)
    };
    if out.len() > MAX_STRING {
        return Err(Fail::TooLarge);
    }
    Ok(out)
}

/// `format(spec, args...)`: the verbs `%s %d %f %v %q %t %x %X %o %b %e %%`
/// with flags, width and precision.
fn format(args: &[Val]) -> Result<String, Fail> {
    let (spec, rest) = args.split_first().ok_or(Fail::Error)?;
    known(std::slice::from_ref(spec))?;
    let spec = text(spec)?;
    let mut out = String::new();
    let mut chars = spec.chars().peekable();
    let mut next = 0;
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        if chars.peek() == Some(&'%') {
            chars.next();
            out.push('%');
            continue;
        }
        let verb = Verb::parse(&mut chars)?;
        let arg = rest.get(next).ok_or(Fail::Error)?;
        next += 1;
        out.push_str(&verb.apply(arg)?);
        if out.len() > MAX_STRING {
            return Err(Fail::TooLarge);
        }
    }
    if next != rest.len() {
        return Err(Fail::Error);
    }
    Ok(out)
}

/// One `%` verb of a format string.
struct Verb {
    minus: bool,
    plus: bool,
    zero: bool,
    space: bool,
    width: usize,
    precision: Option<usize>,
    verb: char,
}

impl Verb {
    fn parse(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) -> Result<Verb, Fail> {
        let mut v = Verb {
            minus: false,
            plus: false,
            zero: false,
            space: false,
            width: 0,
            precision: None,
            verb: ' ',
        };
        while let Some(&c) = chars.peek() {
            match c {
                '-' => v.minus = true,
                '+' => v.plus = true,
                '0' => v.zero = true,
                ' ' => v.space = true,
                '#' => {}
                _ => break,
            }
            chars.next();
        }
        v.width = digits(chars)?.unwrap_or(0);
        if chars.peek() == Some(&'.') {
            chars.next();
            v.precision = Some(digits(chars)?.unwrap_or(0));
        }
        v.verb = chars.next().ok_or(Fail::Error)?;
        Ok(v)
    }

    fn apply(&self, arg: &Val) -> Result<String, Fail> {
        if !arg.is_known() {
            return Err(if arg.is_error() {
                Fail::Error
            } else {
                Fail::Unknown
            });
        }
        let body = match self.verb {
            'v' => match &arg.v {
                V::List(_) | V::Map(_) if arg.is_wholly_known() => arg.to_json().to_string(),
                V::Null => "null".to_string(),
                _ => text(arg)?,
            },
            's' => {
                let s = text(arg)?;
                match self.precision {
                    Some(p) => s.chars().take(p).collect(),
                    None => s,
                }
            }
            'q' => serde_json::Value::String(text(arg)?).to_string(),
            't' => as_bool(arg).ok_or(Fail::Error)?.to_string(),
            'd' | 'x' | 'X' | 'o' | 'b' => self.integer(arg)?,
            'f' | 'F' => {
                let f = as_f64(arg).ok_or(Fail::Error)?;
                self.signed(
                    f < 0.0,
                    format!("{:.*}", self.precision.unwrap_or(6), f.abs()),
                )
            }
            'e' => {
                let f = as_f64(arg).ok_or(Fail::Error)?;
                self.signed(
                    f < 0.0,
                    format!("{:.*e}", self.precision.unwrap_or(6), f.abs()),
                )
            }
            _ => return Err(Fail::Error),
        };
        Ok(self.pad(body))
    }

    fn integer(&self, arg: &Val) -> Result<String, Fail> {
        let f = as_f64(arg)
            .filter(|f| f.fract() == 0.0)
            .ok_or(Fail::Error)?;
        let n = f.abs() as u64;
        let digits = match self.verb {
            'x' => format!("{n:x}"),
            'X' => format!("{n:X}"),
            'o' => format!("{n:o}"),
            'b' => format!("{n:b}"),
            _ => n.to_string(),
        };
        Ok(self.signed(f < 0.0, digits))
    }

    fn signed(&self, negative: bool, digits: String) -> String {
        let sign = if negative {
            "-"
        } else if self.plus {
            "+"
        } else if self.space {
            " "
        } else {
            ""
        };
        let numeric_zero = self.zero && !self.minus;
        if numeric_zero && self.width > sign.len() + digits.len() {
            let fill = "0".repeat(self.width - sign.len() - digits.len());
            format!("{sign}{fill}{digits}")
        } else {
            format!("{sign}{digits}")
        }
    }

    fn pad(&self, body: String) -> String {
        let len = body.chars().count();
        if len >= self.width {
            return body;
        }
        let fill = " ".repeat(self.width - len);
        if self.minus {
            body + &fill
        } else {
            fill + &body
        }
    }
}

/// A decimal number in a format verb (width or precision), capped so a
/// format string cannot ask for a huge padding.
fn digits(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) -> Result<Option<usize>, Fail> {
    let mut n: Option<usize> = None;
    while let Some(d) = chars.peek().and_then(|c| c.to_digit(10)) {
        chars.next();
        let v = n.unwrap_or(0) * 10 + d as usize;
        if v > 10_000 {
            return Err(Fail::Error);
        }
        n = Some(v);
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use std::path::Path;
    use std::sync::Arc;

    use crate::document::{Problem, SourceFile};

    /// `jsondecode` of JSON nested deeper than the decoder's 128 levels is
    /// valid JSON Terraform decodes: the call is EVAL001, not a silent
    /// error value, and a shallow call beside it is still evaluated.
    #[test]
    fn jsondecode_of_json_nested_too_deep_is_eval001_at_the_call() {
        let deep = format!("{}1{}", "[".repeat(200), "]".repeat(200));
        let text = format!(
            "locals {{\n  deep = jsondecode(\"{deep}\")\n  shallow = jsondecode(\"[[1]]\")\n}}\n"
        );
        let file = Arc::new(SourceFile::new("m/main.tf", text.clone()));
        let parsed = crate::parse::terraform_module(Path::new("m"), &[file], &Default::default());
        let diagnostics: Vec<(Problem, u32, &str, &str)> = parsed
            .errors
            .iter()
            .map(|e| {
                let line = e.file.position(e.start).line;
                (e.problem, line, &text[e.start..e.end], e.message.as_str())
            })
            .collect();
        assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
        let (problem, line, source, message) = diagnostics[0];
        assert_eq!((problem, line), (Problem::Incomplete, 2));
        assert!(source.starts_with("jsondecode(\"[[["), "{source}");
        assert!(message.contains("more than 128 levels"), "{message}");
    }

    /// A big YAML text decoded again (a data file each instance of a module
    /// reads) comes from the thread's cache, and the cache tells texts
    /// apart: a changed entry is decoded anew, an invalid text still fails.
    #[test]
    fn yaml_decoded_again_is_shared_and_other_texts_are_decoded_anew() {
        use std::fmt::Write;
        let mut text = String::new();
        for i in 0..super::DECODE_CACHE_MIN {
            writeln!(text, "key{i}: value{i}").unwrap();
        }
        let first = super::decoded_yaml(&text).unwrap();
        let again = super::decoded_yaml(&text).unwrap();
        assert!(std::rc::Rc::ptr_eq(&first, &again), "decoded twice");
        assert_eq!(first["key7"], "value7");
        let changed = text.replace("value7", "other");
        let other = super::decoded_yaml(&changed).unwrap();
        assert_eq!(other["key7"], "other");
        assert_eq!(first["key7"], "value7");
        let invalid = format!("{text}key: [unclosed\n");
        assert!(super::decoded_yaml(&invalid).is_err());
        assert!(
            super::decoded_yaml(&invalid).is_err(),
            "an error is not cached as a value"
        );
    }
}
