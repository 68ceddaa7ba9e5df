//! `ARG` substitution in `FROM` (and in later global `ARG` defaults), so
//! rules judge the image Docker would pull with no `--build-arg`:
//! `ARG BASE=alpine:latest` + `FROM ${BASE}` is a `latest` image.
//!
//! Supported: `$X`, `${X}`, `${X:-word}`, `${X-word}`, `${X:+word}`,
//! `${X+word}`, quotes (removed, single quotes suppress expansion) and the
//! Dockerfile escape character. A variable without a known value (declared
//! without default, or a builder-provided one such as `$BUILDPLATFORM`), and
//! any other `${…}` form, is kept as written — a rule must not judge an
//! image it cannot know.
//!
//! Expansion is bounded by the size it produces, not only by nesting: a word
//! whose expansion would grow past its limit (`ARG A1=${A0}${A0}` doubled
//! 26 times reaches gigabytes) stops at once, stays as written and says so
//! ([`Expanded::over_limit`]); the caller reports it (`EVAL001`).

/// The result of expanding one word.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Expanded {
    pub text: String,
    /// Names whose values were substituted, in order of first use.
    pub used: Vec<String>,
    /// Some variable could not be resolved and is still in `text`.
    pub unresolved: bool,
    /// The expansion would have been longer than its limit: `text` is the
    /// word as written, and the gate cannot vouch for what it names.
    pub over_limit: bool,
}

use std::collections::HashSet;

/// Deepest `${X:-${Y:-…}}` nesting expanded; deeper text is kept as written.
const MAX_DEPTH: usize = 16;

/// Expands `word`; `lookup` gives a variable's value when it has one. An
/// expansion longer than `max_len` bytes is abandoned: the result is the
/// word as written, with `over_limit` set.
pub fn expand(
    word: &str,
    escape: char,
    lookup: &dyn Fn(&str) -> Option<String>,
    max_len: usize,
) -> Expanded {
    let mut out = Expanded::default();
    let mut ex = Expander {
        escape,
        lookup,
        max_len,
        seen: HashSet::new(),
        out: &mut out,
    };
    let text = ex.run(word, 0);
    if out.over_limit {
        out.text = word.to_string();
        out.unresolved = true;
    } else {
        out.text = text;
    }
    out
}

struct Expander<'a> {
    escape: char,
    lookup: &'a dyn Fn(&str) -> Option<String>,
    max_len: usize,
    /// The names already in `out.used` (a word may name thousands).
    seen: HashSet<String>,
    out: &'a mut Expanded,
}

impl Expander<'_> {
    /// Expands `s` into a new string at nesting `depth`.
    fn run(&mut self, s: &str, depth: usize) -> String {
        let mut text = String::with_capacity(s.len());
        let mut chars = s.char_indices().peekable();
        let mut in_double = false;
        while let Some((i, c)) = chars.next() {
            if self.out.over_limit || text.len() > self.max_len {
                // stop before the next piece: the result is thrown away
                self.out.over_limit = true;
                return String::new();
            }
            match c {
                '\'' if !in_double => {
                    for (_, q) in chars.by_ref() {
                        if q == '\'' {
                            break;
                        }
                        text.push(q);
                    }
                }
                '"' => in_double = !in_double,
                _ if c == self.escape => match chars.next() {
                    Some((_, n)) if !in_double || matches!(n, '"' | '$') || n == self.escape => {
                        text.push(n)
                    }
                    Some((_, n)) => {
                        text.push(c);
                        text.push(n);
                    }
                    None => text.push(c),
                },
                '$' => {
                    let rest = &s[i + 1..];
                    let (piece, consumed) = self.variable(rest, depth);
                    text.push_str(&piece);
                    // skip the characters of the variable reference
                    let target = i + 1 + consumed;
                    while chars.peek().is_some_and(|&(j, _)| j < target) {
                        chars.next();
                    }
                }
                _ => text.push(c),
            }
        }
        if text.len() > self.max_len {
            self.out.over_limit = true;
            return String::new();
        }
        text
    }

    /// Expands the reference after a `$`; returns the text and how many
    /// bytes of `rest` it consumed.
    fn variable(&mut self, rest: &str, depth: usize) -> (String, usize) {
        if let Some(inner) = rest.strip_prefix('{') {
            let Some(close) = closing_brace(inner) else {
                self.out.unresolved = true;
                return (format!("${rest}"), rest.len());
            };
            let body = &inner[..close];
            let raw = format!("${{{body}}}");
            (self.braced(body, &raw, depth), close + 2)
        } else {
            let len = name_len(rest);
            if len == 0 {
                return ("$".to_string(), 0);
            }
            let name = &rest[..len];
            match self.value(name) {
                Some(v) => (v, len),
                None => {
                    self.out.unresolved = true;
                    (format!("${name}"), len)
                }
            }
        }
    }

    /// `${body}`: a name, optionally followed by a modifier.
    fn braced(&mut self, body: &str, raw: &str, depth: usize) -> String {
        let len = name_len(body);
        let name = &body[..len];
        let modifier = &body[len..];
        let keep = |me: &mut Self| {
            me.out.unresolved = true;
            raw.to_string()
        };
        if len == 0 || depth >= MAX_DEPTH {
            return keep(self);
        }
        let (op, word) = match modifier {
            "" => ("", ""),
            m if m.starts_with(":-") || m.starts_with(":+") => (&m[..2], &m[2..]),
            m if m.starts_with('-') || m.starts_with('+') => (&m[..1], &m[1..]),
            _ => return keep(self),
        };
        let value = self.value(name);
        match (op, value) {
            ("", Some(v)) => v,
            (":-", Some(v)) if !v.is_empty() => v,
            ("-", Some(v)) => v,
            (":-" | "-", _) => self.run(word, depth + 1),
            (":+", Some(v)) if v.is_empty() => String::new(),
            (":+" | "+", Some(_)) => self.run(word, depth + 1),
            _ => keep(self),
        }
    }

    fn value(&mut self, name: &str) -> Option<String> {
        if self.out.over_limit {
            return Some(String::new());
        }
        let v = (self.lookup)(name)?;
        if self.seen.insert(name.to_string()) {
            self.out.used.push(name.to_string());
        }
        Some(v)
    }
}

/// Length of the variable name at the start of `s` (`[A-Za-z_][A-Za-z0-9_]*`).
fn name_len(s: &str) -> usize {
    let b = s.as_bytes();
    if !b
        .first()
        .is_some_and(|c| c.is_ascii_alphabetic() || *c == b'_')
    {
        return 0;
    }
    b.iter()
        .take_while(|c| c.is_ascii_alphanumeric() || **c == b'_')
        .count()
}

/// Index of the `}` closing a `${`, counting nested `${…}`.
fn closing_brace(s: &str) -> Option<usize> {
    let mut depth = 0usize;
    let b = s.as_bytes();
    for (i, &c) in b.iter().enumerate() {
        match c {
            b'{' if i > 0 && b[i - 1] == b'$' => depth += 1,
            b'}' if depth == 0 => return Some(i),
            b'}' => depth -= 1,
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(name: &str) -> Option<String> {
        match name {
            "BASE" => Some("alpine".into()),
            "TAG" => Some("3.20".into()),
            "EMPTY" => Some(String::new()),
            _ => None,
        }
    }

    fn ex(s: &str) -> Expanded {
        expand(s, '\\', &env, 1 << 16)
    }

    #[test]
    fn plain_and_braced() {
        let e = ex("$BASE:${TAG}");
        assert_eq!(e.text, "alpine:3.20");
        assert_eq!(e.used, ["BASE", "TAG"]);
        assert!(!e.unresolved);
        assert_eq!(ex("registry/$BASE-x").text, "registry/alpine-x");
    }

    #[test]
    fn modifiers() {
        assert_eq!(ex("${NOPE:-debian:12}").text, "debian:12");
        assert_eq!(ex("${EMPTY:-x}").text, "x");
        assert_eq!(ex("${EMPTY-x}").text, "");
        assert_eq!(ex("${TAG:+y}").text, "y");
        assert_eq!(ex("${EMPTY:+y}").text, "");
        assert_eq!(ex("${NOPE:-${BASE}}").text, "alpine");
        let e = ex("${NOPE:+y}");
        assert_eq!((e.text.as_str(), e.unresolved), ("${NOPE:+y}", true));
    }

    #[test]
    fn unknown_stays_as_written() {
        let e = ex("$BUILDPLATFORM/${REG}/app:${TAG}");
        assert_eq!(e.text, "$BUILDPLATFORM/${REG}/app:3.20");
        assert!(e.unresolved);
        assert_eq!(e.used, ["TAG"]);
        let e = ex("${BASE#al}");
        assert_eq!((e.text.as_str(), e.unresolved), ("${BASE#al}", true));
        assert_eq!(ex("${BASE").text, "${BASE");
        assert_eq!(ex("a$").text, "a$");
        assert_eq!(ex("$1x").text, "$1x");
    }

    #[test]
    fn quotes_and_escapes() {
        assert_eq!(ex("\"$BASE\":'$TAG'").text, "alpine:$TAG");
        assert_eq!(ex("\\$BASE").text, "$BASE");
        assert_eq!(expand("`$BASE", '`', &env, 64).text, "$BASE");
    }

    #[test]
    fn deep_nesting_is_bounded() {
        let deep = "${A:-".repeat(10_000) + &"}".repeat(10_000);
        let e = ex(&deep);
        assert!(e.unresolved);
    }

    #[test]
    fn expansion_over_the_limit_stays_as_written() {
        // 4 references to a 5-byte value: 20 bytes, over a limit of 12
        let e = expand(
            "${BASE}$BASE${BASE}$BASE",
            '\\',
            &|_| Some("abcde".into()),
            12,
        );
        assert!(e.over_limit && e.unresolved);
        assert_eq!(e.text, "${BASE}$BASE${BASE}$BASE");
        let nested = expand("${NOPE:-$BASE$BASE$BASE}", '\\', &env, 12);
        assert!(nested.over_limit);
        let fits = expand("$BASE$BASE", '\\', &env, 12);
        assert_eq!(
            (fits.text.as_str(), fits.over_limit),
            ("alpinealpine", false)
        );
    }
}
