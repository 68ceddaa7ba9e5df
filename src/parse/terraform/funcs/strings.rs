//! String functions of Terraform 1.x not in `funcs.rs` (chomp, endswith, formatlist, indent, regex, regexall, startswith, strcontains, strrev, substr, title, trim, trimprefix, trimsuffix).
//!
//! Each function works on evaluated arguments like those of `funcs.rs`:
//! a value, `Fail::Unknown` when an argument is not known, `Fail::Error`
//! when Terraform would reject the call. Expected values come from
//! `terraform console` (Terraform 1.x).
//!
//! `templatestring` is not here: it renders a template, which only the
//! evaluator can do, so it stays unknown.
//!
//! Terraform counts characters as grapheme clusters (`strrev` keeps
//! `e` + combining accent together, `substr` of `"\r\n"` is one
//! character); [`graphemes`] splits text the same way with the `regex`
//! crate's Unicode tables. Terraform also normalises every string to NFC,
//! which is not done here: a decomposed accent stays two code points.

use std::cell::RefCell;
use std::sync::OnceLock;

use regex::{Regex, RegexBuilder};

use super::{Fail, R, arity, computed, format, known, text};
use crate::document::Span;
use crate::parse::terraform::value::{MAX_STRING, V, Val, as_f64};

/// Most elements `formatlist` and `regexall` build: past the evaluator's
/// budget for one expression the value would be dropped anyway.
const MAX_ITEMS: usize = crate::parse::terraform::budget::ROOT_BUDGET as usize;

/// Most bytes a compiled regular expression may take.
const REGEX_SIZE: usize = 1 << 20;

/// How many compiled patterns each thread keeps.
const CACHED_PATTERNS: usize = 16;

/// Longest pattern kept compiled.
const MAX_CACHED_PATTERN: usize = 4096;

/// Go's RE2 refuses repetition counts over this.
const MAX_REPEAT: u32 = 1000;

/// The function `name` if this module has it, else `None`.
pub(super) fn call(name: &str, args: &[Val], span: Span) -> Option<R> {
    let v = match name {
        "chomp" => one(args, |s| s.trim_end_matches(['\r', '\n']).to_string()),
        "strrev" => one(args, |s| graphemes(s).rev().collect()),
        "title" => one(args, title),
        "startswith" => two(args, |s, p| V::Bool(s.starts_with(p))),
        "endswith" => two(args, |s, p| V::Bool(s.ends_with(p))),
        "strcontains" => two(args, |s, p| V::Bool(s.contains(p))),
        "trim" => two(args, |s, cut| {
            V::Str(s.trim_matches(|c| cut.contains(c)).to_string())
        }),
        "trimprefix" => two(args, |s, p| {
            V::Str(s.strip_prefix(p).unwrap_or(s).to_string())
        }),
        "trimsuffix" => two(args, |s, p| {
            V::Str(s.strip_suffix(p).unwrap_or(s).to_string())
        }),
        "substr" => substr(args),
        "indent" => indent(args),
        "formatlist" => formatlist(args, span),
        "regex" => regex(args, span),
        "regexall" => regexall(args, span),
        _ => return None,
    };
    Some(v.and_then(|v| computed(v, span, args)))
}

/// A function of one string giving a string.
fn one(args: &[Val], f: impl Fn(&str) -> String) -> Result<V, Fail> {
    arity(args, 1)?;
    Ok(V::Str(f(&text(&args[0])?)))
}

/// A function of two strings.
fn two(args: &[Val], f: impl Fn(&str, &str) -> V) -> Result<V, Fail> {
    arity(args, 2)?;
    Ok(f(&text(&args[0])?, &text(&args[1])?))
}

/// An argument Terraform converts to a Go `int`: a whole number
/// (numeric strings convert).
fn whole(v: &Val) -> Result<i64, Fail> {
    let f = as_f64(v).ok_or(Fail::Error)?;
    if f.fract() != 0.0 || f.abs() >= 9.2e18 {
        return Err(Fail::Error);
    }
    Ok(f as i64)
}

/// The grapheme clusters of `s` (extended clusters of Unicode UAX #29,
/// as Terraform's `textseg` scans them), written as one regular
/// expression over the Grapheme_Cluster_Break property.
pub(super) fn graphemes(s: &str) -> impl DoubleEndedIterator<Item = &str> {
    static RE: OnceLock<Option<Regex>> = OnceLock::new();
    let re = RE.get_or_init(|| {
        Regex::new(
            r"(?x)
            \r\n | \p{gcb=Control} | \r | \n
            | \p{gcb=Prepend}*
              ( \p{gcb=L}* ( \p{gcb=V}+ | \p{gcb=LV} \p{gcb=V}* | \p{gcb=LVT} ) \p{gcb=T}*
              | \p{gcb=L}+ | \p{gcb=T}+
              | \p{gcb=RI} \p{gcb=RI}
              | \p{Extended_Pictographic} ( \p{gcb=Extend}* \p{gcb=ZWJ} \p{Extended_Pictographic} )*
              | [^\p{gcb=Control}\r\n] )
              [\p{gcb=Extend}\p{gcb=ZWJ}\p{gcb=SpacingMark}]*
            | (?s:.)",
        )
        .ok()
    });
    let clusters: Vec<&str> = match re {
        Some(re) => re.find_iter(s).map(|m| m.as_str()).collect(),
        // the pattern is fixed and compiles; characters are a fallback
        None => s
            .char_indices()
            .map(|(i, c)| &s[i..i + c.len_utf8()])
            .collect(),
    };
    clusters.into_iter()
}

/// `title(s)`: Go's `strings.Title`: the first letter after a separator
/// (ASCII other than letters, digits and `_`; non-ASCII whitespace) is
/// made title case, the rest is left as is (`"foo-bar"` → `"Foo-Bar"`,
/// `"1st"` stays).
fn title(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut prev = ' ';
    for c in s.chars() {
        if is_separator(prev) {
            out.push(title_case(c));
        } else {
            out.push(c);
        }
        prev = c;
    }
    out
}

fn is_separator(c: char) -> bool {
    if c.is_ascii() {
        return !(c.is_ascii_alphanumeric() || c == '_');
    }
    // letters and digits are not, spaces are (never both)
    c.is_whitespace()
}

/// Go's `unicode.ToTitle`: one character to one character, so a letter
/// whose upper case is several (`ß`) stays; the Latin digraphs have a
/// title case of their own (`ǆ` → `ǅ`).
fn title_case(c: char) -> char {
    match c {
        'Ǆ'..='ǆ' => 'ǅ',
        'Ǉ'..='ǉ' => 'ǈ',
        'Ǌ'..='ǌ' => 'ǋ',
        'Ǳ'..='ǳ' => 'ǲ',
        _ => {
            let mut up = c.to_uppercase();
            match (up.next(), up.next()) {
                (Some(u), None) => u,
                _ => c,
            }
        }
    }
}

/// `substr(string, offset, length)` in grapheme clusters, as go-cty does
/// it: a negative offset counts from the end (clamped to the start), a
/// negative length takes the rest, and a length of 0 gives `""` except
/// after a negative offset, where it takes the rest too (go-cty's quirk,
/// `substr("hello", -5, 0)` is `"hello"`).
fn substr(args: &[Val]) -> Result<V, Fail> {
    arity(args, 3)?;
    let s = text(&args[0])?;
    let (offset, length) = (whole(&args[1])?, whole(&args[2])?);
    let clusters: Vec<&str> = graphemes(&s).collect();
    let n = clusters.len() as i64;
    let start = if offset < 0 {
        (offset + n).max(0)
    } else if length == 0 {
        return Ok(V::Str(String::new()));
    } else {
        offset.min(n)
    };
    let rest = clusters.get(start as usize..).unwrap_or_default();
    let take = if length <= 0 {
        rest.len()
    } else {
        rest.len().min(length as usize)
    };
    Ok(V::Str(rest.get(..take).unwrap_or_default().concat()))
}

/// `indent(spaces, string)`: every line but the first gets `spaces`
/// spaces, a line after a final newline too (`"a\n"` → `"a\n  "`).
fn indent(args: &[Val]) -> Result<V, Fail> {
    arity(args, 2)?;
    let spaces = usize::try_from(whole(&args[0])?).map_err(|_| Fail::Error)?;
    let s = text(&args[1])?;
    let lines = s.matches('\n').count();
    let size = spaces
        .checked_mul(lines)
        .and_then(|pad| pad.checked_add(s.len()));
    if size.is_none_or(|size| size > MAX_STRING) {
        return Err(Fail::TooLarge);
    }
    Ok(V::Str(
        s.replace('\n', &format!("\n{}", " ".repeat(spaces))),
    ))
}

/// `formatlist(spec, args...)`: `format` over lists element by element;
/// arguments that are not lists repeat, lists must all have one length,
/// and without a list the result has one element. A `null` argument
/// makes the result unknown, as in Terraform.
fn formatlist(args: &[Val], span: Span) -> Result<V, Fail> {
    known(args)?;
    let (spec, rest) = args.split_first().ok_or(Fail::Error)?;
    let mut n: Option<usize> = None;
    for a in rest {
        match &a.v {
            V::Null => return Err(Fail::Unknown),
            V::List(items) if n.is_some_and(|n| n != items.len()) => return Err(Fail::Error),
            V::List(items) => n = Some(items.len()),
            _ => {}
        }
    }
    let n = n.unwrap_or(1);
    if n > MAX_ITEMS {
        return Err(Fail::Bound(
            "formatlist not evaluated: the result would have more elements than \
             driftless's bound; kept as written, so the gate cannot vouch for the value",
        ));
    }
    let mut out = Vec::with_capacity(n);
    let mut total = 0;
    for i in 0..n {
        let mut row = Vec::with_capacity(args.len());
        row.push(spec.clone());
        for a in rest {
            row.push(match &a.v {
                V::List(items) => items.get(i).cloned().ok_or(Fail::Error)?,
                _ => a.clone(),
            });
        }
        let s = format(&row)?;
        total += s.len();
        if total > MAX_STRING {
            return Err(Fail::TooLarge);
        }
        out.push(Val::str(s, span));
    }
    Ok(V::List(out))
}

/// What a match of a pattern gives: the matched text without capture
/// groups, the groups as a list, or the named groups as an object
/// (Terraform refuses a mix of named and unnamed groups).
enum Shape {
    Whole,
    Groups,
    Named(Vec<(String, usize)>),
}

/// `regex(pattern, string)`: the first match (Terraform fails when there
/// is none).
fn regex(args: &[Val], span: Span) -> Result<V, Fail> {
    let (re, shape, s) = pattern_args(args)?;
    let caps = re.captures(&s).ok_or(Fail::Error)?;
    Ok(shaped(&caps, &shape, span))
}

/// `regexall(pattern, string)`: every match, each shaped as by `regex`.
fn regexall(args: &[Val], span: Span) -> Result<V, Fail> {
    let (re, shape, s) = pattern_args(args)?;
    let mut out = Vec::new();
    for caps in re.captures_iter(&s) {
        if out.len() >= MAX_ITEMS {
            return Err(Fail::Bound(
                "regexall not evaluated: the string has more matches than driftless's \
                 bound; kept as written, so the gate cannot vouch for the value",
            ));
        }
        out.push(Val::new(shaped(&caps, &shape, span), span));
    }
    Ok(V::List(out))
}

fn pattern_args(args: &[Val]) -> Result<(Regex, Shape, String), Fail> {
    arity(args, 2)?;
    let re = compile(&text(&args[0])?)?;
    let names: Vec<Option<&str>> = re.capture_names().skip(1).collect();
    let named: Vec<(String, usize)> = names
        .iter()
        .enumerate()
        .filter_map(|(i, n)| n.map(|n| (n.to_string(), i + 1)))
        .collect();
    let shape = match (names.len(), named.len()) {
        (0, _) => Shape::Whole,
        (_, 0) => Shape::Groups,
        (all, some) if all == some => Shape::Named(named),
        _ => return Err(Fail::Error),
    };
    Ok((re, shape, text(&args[1])?))
}

/// One match as Terraform gives it; a group that did not take part is
/// `null`.
fn shaped(caps: &regex::Captures<'_>, shape: &Shape, span: Span) -> V {
    let group = |i: usize| match caps.get(i) {
        Some(m) => Val::str(m.as_str(), span),
        None => Val::new(V::Null, span),
    };
    match shape {
        Shape::Whole => V::Str(caps.get(0).map_or("", |m| m.as_str()).to_string()),
        Shape::Groups => V::List((1..caps.len()).map(group).collect()),
        Shape::Named(names) => {
            let mut entries: Vec<(String, Val)> =
                names.iter().map(|(n, i)| (n.clone(), group(*i))).collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            V::Map(entries)
        }
    }
}

/// Compiles a Terraform (Go RE2) pattern with the `regex` crate, bounded
/// in size: a pattern either refuses is an error, one too large to
/// compile is a bound.
fn compile(pattern: &str) -> Result<Regex, Fail> {
    thread_local! {
        /// The patterns compiled last: a `for` calls `regex` with one
        /// pattern for each element.
        static CACHE: RefCell<Vec<(String, Regex)>> = const { RefCell::new(Vec::new()) };
    }
    if let Some(re) = CACHE.with_borrow(|c| {
        c.iter()
            .find(|(p, _)| p == pattern)
            .map(|(_, re)| re.clone())
    }) {
        return Ok(re);
    }
    let re = build(pattern)?;
    if pattern.len() > MAX_CACHED_PATTERN {
        return Ok(re);
    }
    CACHE.with_borrow_mut(|c| {
        if c.len() >= CACHED_PATTERNS {
            c.remove(0);
        }
        c.push((pattern.to_string(), re.clone()));
    });
    Ok(re)
}

fn build(pattern: &str) -> Result<Regex, Fail> {
    let translated = translate(pattern)?;
    RegexBuilder::new(&translated)
        .size_limit(REGEX_SIZE)
        .dfa_size_limit(REGEX_SIZE)
        .build()
        .map_err(|e| match e {
            regex::Error::CompiledTooBig(_) => Fail::Bound(
                "regex not evaluated: the pattern compiles past driftless's size bound; \
                 kept as written, so the gate cannot vouch for the value",
            ),
            _ => Fail::Error,
        })
}

/// Rewrites the RE2 syntax of Go's `regexp` where the `regex` crate reads
/// it differently: `\d \s \w \b` are ASCII-only in Go, an escaped
/// punctuation character is always a literal (`\<` is not a word
/// boundary), `\Q…\E` quotes, `\123` is octal, repetition counts stop at
/// 1000 and a `{` that does not start a count is a literal. Escapes and
/// flags Go does not have are errors.
fn translate(pattern: &str) -> Result<String, Fail> {
    let mut out = String::with_capacity(pattern.len() + 16);
    let mut chars = pattern.chars().peekable();
    let mut in_class = false;
    while let Some(c) = chars.next() {
        match c {
            '\\' => escape(&mut chars, &mut out)?,
            '[' if !in_class => {
                in_class = true;
                out.push('[');
                class_start(&mut chars, &mut out);
            }
            '[' if chars.peek() == Some(&':') => {
                // an ASCII class `[:alpha:]` inside a class
                out.push('[');
                for d in chars.by_ref() {
                    out.push(d);
                    if d == ']' {
                        break;
                    }
                }
            }
            ']' if in_class => {
                in_class = false;
                out.push(']');
            }
            // literals in a Go class; nesting and set operations
            // (`[a&&b]`, `[a~~b]`) in the `regex` crate's
            '[' | '&' | '~' if in_class => out.push_str(&format!(r"\x{{{:X}}}", c as u32)),
            '{' if !in_class => repeat(&mut chars, &mut out)?,
            '(' if !in_class && chars.peek() == Some(&'?') => group(&mut chars, &mut out)?,
            _ => out.push(c),
        }
    }
    Ok(out)
}

type Chars<'a> = std::iter::Peekable<std::str::Chars<'a>>;

/// After a class's `[`: a leading `^` and a leading `]` (a literal).
fn class_start(chars: &mut Chars<'_>, out: &mut String) {
    if chars.peek() == Some(&'^') {
        chars.next();
        out.push('^');
    }
    if chars.peek() == Some(&']') {
        chars.next();
        out.push_str(r"\]");
    }
}

/// The escape after a `\`.
fn escape(chars: &mut Chars<'_>, out: &mut String) -> Result<(), Fail> {
    let c = chars.next().ok_or(Fail::Error)?;
    match c {
        'd' => out.push_str("[0-9]"),
        'D' => out.push_str("[^0-9]"),
        's' => out.push_str(r"[\t\n\f\r ]"),
        'S' => out.push_str(r"[^\t\n\f\r ]"),
        'w' => out.push_str("[0-9A-Za-z_]"),
        'W' => out.push_str("[^0-9A-Za-z_]"),
        'b' => out.push_str(r"(?-u:\b)"),
        'B' => out.push_str(r"(?-u:\B)"),
        'a' | 'f' | 't' | 'n' | 'r' | 'v' | 'A' | 'z' => {
            out.push('\\');
            out.push(c);
        }
        'x' | 'p' | 'P' => {
            out.push('\\');
            out.push(c);
            // `\x{10FFFF}`, `\p{Greek}`: the braces are not a repetition
            if chars.peek() == Some(&'{') {
                for d in chars.by_ref() {
                    out.push(d);
                    if d == '}' {
                        break;
                    }
                }
            }
        }
        'Q' => {
            let mut quoted = String::new();
            while let Some(q) = chars.next() {
                if q == '\\' && chars.peek() == Some(&'E') {
                    chars.next();
                    break;
                }
                quoted.push(q);
            }
            out.push_str(&regex::escape(&quoted));
        }
        '0'..='7' => octal(c, chars, out)?,
        c if c.is_ascii() && !c.is_ascii_alphanumeric() => {
            out.push_str(&format!(r"\x{{{:X}}}", c as u32));
        }
        _ => return Err(Fail::Error),
    }
    Ok(())
}

/// Go's octal escapes: `\0`, or `\1`–`\7` followed by an octal digit (a
/// lone `\1` would be a back-reference, which RE2 refuses), up to three
/// digits.
fn octal(first: char, chars: &mut Chars<'_>, out: &mut String) -> Result<(), Fail> {
    let is_octal = |c: Option<&char>| c.is_some_and(|c| ('0'..='7').contains(c));
    if first != '0' && !is_octal(chars.peek()) {
        return Err(Fail::Error);
    }
    let mut value = first as u32 - '0' as u32;
    for _ in 0..2 {
        if !is_octal(chars.peek()) {
            break;
        }
        let d = chars.next().map_or(0, |d| d as u32 - '0' as u32);
        value = value * 8 + d;
    }
    out.push_str(&format!(r"\x{{{value:X}}}"));
    Ok(())
}

/// After a `{` outside a class: a repetition count `{n}`, `{n,}` or
/// `{n,m}` (each at most 1000), else a literal `{`.
fn repeat(chars: &mut Chars<'_>, out: &mut String) -> Result<(), Fail> {
    let ahead: String = chars.clone().take_while(|c| *c != '}').collect();
    let closed = chars.clone().nth(ahead.chars().count()) == Some('}');
    let (min, max) = ahead.split_once(',').unwrap_or((&ahead, &ahead));
    let count = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !closed || !count(min) || !(max.is_empty() || count(max)) {
        out.push_str(r"\{");
        return Ok(());
    }
    let too_big = |s: &str| s.parse::<u32>().map_or(true, |n| n > MAX_REPEAT);
    if too_big(min) || (!max.is_empty() && too_big(max)) {
        return Err(Fail::Error);
    }
    out.push('{');
    out.push_str(&ahead);
    out.push('}');
    for _ in 0..=ahead.chars().count() {
        chars.next();
    }
    Ok(())
}

/// After `(` followed by `?`: named groups and non-capturing groups pass;
/// flags must be Go's (`i m s U`), not the `regex` crate's others.
fn group(chars: &mut Chars<'_>, out: &mut String) -> Result<(), Fail> {
    chars.next();
    out.push_str("(?");
    if matches!(chars.peek(), Some('P' | '<')) {
        return Ok(());
    }
    while let Some(&c) = chars.peek() {
        match c {
            'i' | 'm' | 's' | 'U' | '-' => out.push(c),
            ':' | ')' => return Ok(()),
            _ => return Err(Fail::Error),
        }
        chars.next();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::testing::{s, unknown};
    use super::*;

    fn n(x: f64) -> Val {
        Val::new(
            crate::parse::terraform::value::number(x).unwrap_or(V::Null),
            Span::default(),
        )
    }

    fn list(items: Vec<Val>) -> Val {
        Val::new(V::List(items), Span::default())
    }

    /// The call's value as JSON, or its failure.
    fn run(name: &str, args: &[Val]) -> Result<serde_json::Value, Fail> {
        call(name, args, Span::default())
            .unwrap_or(Err(Fail::Unknown))
            .map(|v| v.to_json())
    }

    fn ok(name: &str, args: &[Val]) -> serde_json::Value {
        match run(name, args) {
            Ok(v) => v,
            Err(e) => panic!("{name}: {e:?}"),
        }
    }

    use serde_json::json;

    #[test]
    fn chomp_removes_every_trailing_newline() {
        assert_eq!(ok("chomp", &[s("hello\n\n")]), json!("hello"));
        assert_eq!(ok("chomp", &[s("hello\r\n\r\n")]), json!("hello"));
        assert_eq!(ok("chomp", &[s("a\n \n")]), json!("a\n "));
        assert_eq!(ok("chomp", &[s("\n")]), json!(""));
        assert_eq!(run("chomp", &[unknown()]), Err(Fail::Unknown));
        assert_eq!(run("chomp", &[list(vec![])]), Err(Fail::Error));
        assert_eq!(run("chomp", &[]), Err(Fail::Error));
    }

    #[test]
    fn startswith_endswith_strcontains() {
        assert_eq!(ok("endswith", &[s("hello world"), s("world")]), json!(true));
        assert_eq!(ok("endswith", &[s("hello"), s("")]), json!(true));
        assert_eq!(ok("startswith", &[s("hello"), s("he")]), json!(true));
        assert_eq!(ok("startswith", &[s("hello"), s("lo")]), json!(false));
        assert_eq!(ok("startswith", &[s(""), s("")]), json!(true));
        assert_eq!(ok("startswith", &[n(5.0), n(5.0)]), json!(true));
        assert_eq!(ok("strcontains", &[s("hello"), s("ll")]), json!(true));
        assert_eq!(ok("strcontains", &[s("hello"), s("")]), json!(true));
        assert_eq!(ok("strcontains", &[s("hello"), s("x")]), json!(false));
        assert_eq!(run("startswith", &[unknown(), s("a")]), Err(Fail::Unknown));
        let null = Val::new(V::Null, Span::default());
        assert_eq!(run("endswith", &[s("a"), null]), Err(Fail::Error));
        assert_eq!(run("strcontains", &[s("a")]), Err(Fail::Error));
    }

    #[test]
    fn strrev_reverses_grapheme_clusters() {
        assert_eq!(ok("strrev", &[s("héllo")]), json!("olléh"));
        assert_eq!(ok("strrev", &[s("e\u{301}x")]), json!("xe\u{301}"));
        assert_eq!(ok("strrev", &[s("a\r\nb")]), json!("b\r\na"));
        assert_eq!(ok("strrev", &[s("🇫🇷🇩🇪")]), json!("🇩🇪🇫🇷"));
        assert_eq!(ok("strrev", &[s("한국어")]), json!("어국한"));
        assert_eq!(
            ok("strrev", &[s("👨\u{200d}👩\u{200d}👧x")]),
            json!("x👨\u{200d}👩\u{200d}👧")
        );
        assert_eq!(ok("strrev", &[s("")]), json!(""));
        assert_eq!(ok("strrev", &[n(123.0)]), json!("321"));
        assert_eq!(run("strrev", &[unknown()]), Err(Fail::Unknown));
        assert_eq!(run("strrev", &[s("a"), s("b")]), Err(Fail::Error));
    }

    #[test]
    fn substr_follows_go_cty() {
        let hw = || s("hello world");
        assert_eq!(ok("substr", &[hw(), n(1.0), n(4.0)]), json!("ello"));
        assert_eq!(ok("substr", &[hw(), n(-5.0), n(-1.0)]), json!("world"));
        assert_eq!(ok("substr", &[hw(), n(-5.0), n(3.0)]), json!("wor"));
        let h = || s("hello");
        assert_eq!(ok("substr", &[h(), n(0.0), n(10.0)]), json!("hello"));
        assert_eq!(ok("substr", &[h(), n(10.0), n(1.0)]), json!(""));
        assert_eq!(ok("substr", &[h(), n(5.0), n(1.0)]), json!(""));
        assert_eq!(ok("substr", &[h(), n(4.0), n(3.0)]), json!("o"));
        assert_eq!(ok("substr", &[h(), n(-10.0), n(2.0)]), json!("he"));
        assert_eq!(ok("substr", &[h(), n(1.0), n(-2.0)]), json!("ello"));
        assert_eq!(ok("substr", &[h(), n(-1.0), n(-1.0)]), json!("o"));
        assert_eq!(ok("substr", &[h(), n(1.0), n(0.0)]), json!(""));
        assert_eq!(ok("substr", &[h(), n(-5.0), n(0.0)]), json!("hello"));
        assert_eq!(ok("substr", &[h(), s("1"), s("2")]), json!("el"));
        assert_eq!(ok("substr", &[s("héllo"), n(1.0), n(2.0)]), json!("él"));
        assert_eq!(ok("substr", &[s("a\r\nb"), n(1.0), n(1.0)]), json!("\r\n"));
        assert_eq!(ok("substr", &[s("e\u{301}xy"), n(1.0), n(1.0)]), json!("x"));
        assert_eq!(ok("substr", &[s(""), n(0.0), n(0.0)]), json!(""));
        assert_eq!(run("substr", &[h(), n(1.5), n(2.0)]), Err(Fail::Error));
        assert_eq!(run("substr", &[h(), unknown(), n(2.0)]), Err(Fail::Unknown));
    }

    #[test]
    fn title_is_go_strings_title() {
        assert_eq!(ok("title", &[s("hello world")]), json!("Hello World"));
        assert_eq!(
            ok("title", &[s("héllo wORLD foo-bar a_b 1st")]),
            json!("Héllo WORLD Foo-Bar A_b 1st")
        );
        assert_eq!(ok("title", &[s("ǆemal ßa ǉ")]), json!("ǅemal ßa ǈ"));
        assert_eq!(ok("title", &[s("o'neil x.y x—y")]), json!("O'Neil X.Y X—y"));
        assert_eq!(ok("title", &[s("élan ÿes")]), json!("Élan Ÿes"));
        assert_eq!(
            ok("title", &[s("hello\tworld\nfoo")]),
            json!("Hello\tWorld\nFoo")
        );
        assert_eq!(ok("title", &[s("")]), json!(""));
        assert_eq!(run("title", &[unknown()]), Err(Fail::Unknown));
        assert_eq!(run("title", &[list(vec![])]), Err(Fail::Error));
    }

    #[test]
    fn trim_functions() {
        assert_eq!(ok("trim", &[s("?!hello?!"), s("!?")]), json!("hello"));
        assert_eq!(ok("trim", &[s("foobar"), s("")]), json!("foobar"));
        assert_eq!(ok("trim", &[s("aaa"), s("a")]), json!(""));
        assert_eq!(ok("trim", &[s("héé"), s("é")]), json!("h"));
        assert_eq!(
            ok("trimprefix", &[s("hellohelloworld"), s("hello")]),
            json!("helloworld")
        );
        assert_eq!(ok("trimprefix", &[s("a"), s("")]), json!("a"));
        assert_eq!(ok("trimprefix", &[n(12345.0), n(12.0)]), json!("345"));
        assert_eq!(
            ok("trimsuffix", &[s("helloworld"), s("world")]),
            json!("hello")
        );
        assert_eq!(ok("trimsuffix", &[s("hello"), s("")]), json!("hello"));
        assert_eq!(run("trim", &[s("a"), unknown()]), Err(Fail::Unknown));
        assert_eq!(run("trimsuffix", &[s("a")]), Err(Fail::Error));
    }

    #[test]
    fn indent_pads_every_line_after_the_first() {
        assert_eq!(ok("indent", &[n(2.0), s("a\nb\nc")]), json!("a\n  b\n  c"));
        assert_eq!(
            ok("indent", &[n(2.0), s("a\n\nb\n")]),
            json!("a\n  \n  b\n  ")
        );
        assert_eq!(ok("indent", &[n(2.0), s("a\r\nb")]), json!("a\r\n  b"));
        assert_eq!(ok("indent", &[n(0.0), s("a\nb")]), json!("a\nb"));
        assert_eq!(run("indent", &[n(-1.0), s("a\nb")]), Err(Fail::Error));
        assert_eq!(run("indent", &[n(1.5), s("a\nb")]), Err(Fail::Error));
        assert_eq!(run("indent", &[unknown(), s("a")]), Err(Fail::Unknown));
        let lines = s(&"\n".repeat(1000));
        assert_eq!(run("indent", &[n(10_000.0), lines]), Err(Fail::TooLarge));
    }

    #[test]
    fn formatlist_zips_lists_and_repeats_scalars() {
        let ab = || list(vec![s("a"), s("b")]);
        assert_eq!(
            ok("formatlist", &[s("%s-%s"), ab(), s("x")]),
            json!(["a-x", "b-x"])
        );
        assert_eq!(
            ok(
                "formatlist",
                &[s("%s-%s"), ab(), list(vec![s("c"), s("d")])]
            ),
            json!(["a-c", "b-d"])
        );
        assert_eq!(ok("formatlist", &[s("%s"), s("a")]), json!(["a"]));
        assert_eq!(ok("formatlist", &[s("hello")]), json!(["hello"]));
        assert_eq!(ok("formatlist", &[s("%s"), list(vec![])]), json!([]));
        assert_eq!(
            ok(
                "formatlist",
                &[s("%v"), list(vec![list(vec![n(1.0), n(2.0)])])]
            ),
            json!(["[1,2]"])
        );
        assert_eq!(
            run("formatlist", &[s("%s-%s"), ab(), list(vec![s("c")])]),
            Err(Fail::Error)
        );
        assert_eq!(
            run("formatlist", &[s("%d"), list(vec![n(1.0), n(2.5)])]),
            Err(Fail::Error)
        );
        let null = Val::new(V::Null, Span::default());
        assert_eq!(
            run("formatlist", &[s("%s"), list(vec![s("a"), null.clone()])]),
            Err(Fail::Error)
        );
        assert_eq!(run("formatlist", &[s("%s"), null]), Err(Fail::Unknown));
        assert_eq!(
            run("formatlist", &[s("%s"), list(vec![s("a"), unknown()])]),
            Err(Fail::Unknown)
        );
        assert_eq!(run("formatlist", &[]), Err(Fail::Error));
    }

    #[test]
    fn formatlist_output_is_bounded() {
        let big = s(&"x".repeat(MAX_STRING / 2 + 1));
        let three = list(vec![n(1.0), n(2.0), n(3.0)]);
        assert_eq!(
            run("formatlist", &[s("%s%s"), big, three]),
            Err(Fail::TooLarge)
        );
    }

    #[test]
    fn regex_shapes_follow_the_groups() {
        assert_eq!(
            ok("regex", &[s("[a-z]+"), s("53453453.345345aaabbbccc23454")]),
            json!("aaabbbccc")
        );
        assert_eq!(
            ok("regex", &[s(r"(\d\d\d\d)-(\d\d)-(\d\d)"), s("2019-02-01")]),
            json!(["2019", "02", "01"])
        );
        assert_eq!(
            ok(
                "regex",
                &[
                    s("^(?:(?P<scheme>[^:/?#]+):)?(?://(?P<authority>[^/?#]*))?"),
                    s("https://terraform.io/docs/")
                ]
            ),
            json!({"authority": "terraform.io", "scheme": "https"})
        );
        assert_eq!(ok("regex", &[s("(a)(b)?"), s("a")]), json!(["a", null]));
        assert_eq!(
            ok("regex", &[s("(?P<x>a)(?P<y>b)?"), s("a")]),
            json!({"x": "a", "y": null})
        );
        assert_eq!(ok("regex", &[s("(?<n>a)"), s("a")]), json!({"n": "a"}));
        assert_eq!(ok("regex", &[s(""), s("abc")]), json!(""));
        assert_eq!(ok("regex", &[n(5.0), n(5.0)]), json!("5"));
        assert_eq!(run("regex", &[s("(?P<x>a)(b)"), s("ab")]), Err(Fail::Error));
        assert_eq!(run("regex", &[s("x"), s("abc")]), Err(Fail::Error));
        assert_eq!(run("regex", &[s("("), s("abc")]), Err(Fail::Error));
        assert_eq!(run("regex", &[s("a"), unknown()]), Err(Fail::Unknown));
    }

    #[test]
    fn regexall_lists_every_match() {
        assert_eq!(
            ok("regexall", &[s("[a-z]+"), s("1234abcd5678efgh9")]),
            json!(["abcd", "efgh"])
        );
        assert_eq!(
            ok("regexall", &[s("a*"), s("baaab")]),
            json!(["", "aaa", ""])
        );
        assert_eq!(ok("regexall", &[s("x"), s("abc")]), json!([]));
        assert_eq!(ok("regexall", &[s(""), s("ab")]), json!(["", "", ""]));
        assert_eq!(
            ok("regexall", &[s(r"\b"), s("ab cd")]),
            json!(["", "", "", ""])
        );
        assert_eq!(
            ok("regexall", &[s("(a)(b)"), s("abab")]),
            json!([["a", "b"], ["a", "b"]])
        );
        assert_eq!(
            ok("regexall", &[s(r"(?P<k>\w)=(?P<v>\d)"), s("a=1 b=2")]),
            json!([{"k": "a", "v": "1"}, {"k": "b", "v": "2"}])
        );
        assert_eq!(run("regexall", &[unknown(), s("a")]), Err(Fail::Unknown));
        assert_eq!(run("regexall", &[s("[")]), Err(Fail::Error));
    }

    /// Go's RE2 differs from the `regex` crate: ASCII `\d \w \s \b`,
    /// `\Q…\E`, octal escapes, repetition counts up to 1000, no `x` flag.
    #[test]
    fn regex_reads_go_syntax() {
        let first = |p: &str, t: &str| run("regex", &[s(p), s(t)]);
        assert_eq!(first(r"\d+", "٣٣12"), Ok(json!("12")));
        assert_eq!(first(r"\w+", "éa_b"), Ok(json!("a_b")));
        assert_eq!(first(r"\s+", "a\u{a0} b"), Ok(json!(" ")));
        assert_eq!(first(r"\bfoo\b", "éfoo bar"), Ok(json!("foo")));
        assert_eq!(first(r"\Qa.b\E", "xa.b"), Ok(json!("a.b")));
        assert_eq!(first(r"\123", "S"), Ok(json!("S")));
        assert_eq!(first(r"[\d-]+", "x1-2y"), Ok(json!("1-2")));
        assert_eq!(first("[[:alpha:]]+", "ab1"), Ok(json!("ab")));
        assert_eq!(first(r"\pL+", "éa1"), Ok(json!("éa")));
        assert_eq!(first(r"\p{Greek}+", "aβγ"), Ok(json!("βγ")));
        assert_eq!(first(r"\x{41}\x42", "AB"), Ok(json!("AB")));
        assert_eq!(first("(?i)HELLO", "xhello"), Ok(json!("hello")));
        assert_eq!(first("(?U)a+", "aaa"), Ok(json!("a")));
        assert_eq!(first("(?m)a$", "a\nb"), Ok(json!("a")));
        assert_eq!(first("(?s).+", "a\nb"), Ok(json!("a\nb")));
        assert_eq!(first(r"a{2}\<", "aa<"), Ok(json!("aa<")));
        assert_eq!(first("a{,2}", "a{,2}"), Ok(json!("a{,2}")));
        assert_eq!(first(r"\z", "ab"), Ok(json!("")));
        assert_eq!(first("[]a]+", "]a"), Ok(json!("]a")));
        assert_eq!(first("[^]a]+", "]ab"), Ok(json!("b")));
        assert_eq!(first("[[:^alpha:]]+", "ab12"), Ok(json!("12")));
        assert_eq!(first(r"[\x41-\x43]+", "ABCD"), Ok(json!("ABC")));
        assert_eq!(first("a{2,}?", "aaaa"), Ok(json!("aa")));
        assert_eq!(first("(?i:A)b", "ab"), Ok(json!("ab")));
        assert_eq!(first(r"\Qa.b", "a.b"), Ok(json!("a.b")));
        assert_eq!(first("x*", ""), Ok(json!("")));
        assert_eq!(first(r"\0101", "A1"), Err(Fail::Error));
        assert_eq!(first("a{1000}", "b"), Err(Fail::Error));
        assert_eq!(first(r"\e", "a"), Err(Fail::Error));
        assert_eq!(first(r"\u0041", "A"), Err(Fail::Error));
        assert_eq!(first("[a&&b]+", "&ab"), Ok(json!("&ab")));
        assert_eq!(first("[[a]+", "a[b"), Ok(json!("a[")));
        assert_eq!(first("a$", "a\n"), Err(Fail::Error));
        assert_eq!(first("a{1001}", "a"), Err(Fail::Error));
        assert_eq!(first(r"\C", "a"), Err(Fail::Error));
        assert_eq!(first(r"\1", "a"), Err(Fail::Error));
        assert_eq!(first("(?x)a b", "ab"), Err(Fail::Error));
    }

    #[test]
    fn a_huge_pattern_is_a_bound() {
        let p = "(?:a{1000}){1000}";
        assert!(matches!(run("regex", &[s(p), s("a")]), Err(Fail::Bound(_))));
    }

    #[test]
    fn other_names_are_not_here() {
        assert!(call("upper", &[s("a")], Span::default()).is_none());
        assert!(call("templatestring", &[s("a")], Span::default()).is_none());
    }

    /// An image reference built with these functions reaches the document.
    #[test]
    fn image_tag_from_string_functions_reaches_the_document() {
        use std::path::Path;
        use std::sync::Arc;
        let text = r#"
locals {
  ref   = "registry.example.com/team/app:v1.2.3-rc1"
  tag   = regex(":([^:]+)$", local.ref)[0]
  image = "nginx:${trimprefix(substr(local.tag, 0, 6), "v")}"
}
"#;
        let file = Arc::new(crate::document::SourceFile::new("m/main.tf", text));
        let parsed = crate::parse::terraform_module(Path::new("m"), &[file], &Default::default());
        let input = serde_json::to_string(&parsed.documents[0].input).unwrap_or_default();
        assert!(input.contains(r#""image":"nginx:1.2.3""#), "{input}");
    }
}
