//! Encoding, hash and filesystem-path functions of Terraform 1.x (base64*, csvdecode, urlencode, md5/sha*, basename/dirname, …).
//!
//! Each function works on evaluated arguments like those of `funcs.rs`:
//! a value, `Fail::Unknown` when an argument is not known, `Fail::Error`
//! when Terraform would reject the call. Expected values come from
//! `terraform console` (Terraform 1.x).
//!
//! The `file*` digests read a module file's raw bytes through
//! [`ModuleFiles::read_bytes`] (the same checks and bound as `file()`);
//! `fileset` lists module files through [`ModuleFiles::list_files`].
//!
//! Not here: `base64gzip` (Terraform's bytes are Go's own DEFLATE
//! encoder's: its matcher and Huffman trees, a sync flush then an empty
//! final block; no Rust encoder gives the same bytes), `abspath` and `pathexpand`
//! (they depend on the working directory and `$HOME`), encodings of
//! `textencodebase64`/`textdecodebase64` other than UTF-8 and UTF-16LE/BE.

use base64::Engine;
use base64::engine::general_purpose::{GeneralPurpose, PAD, STANDARD};
use md5::Md5;
use sha1::Sha1;
use sha2::{Digest, Sha256, Sha512};

use super::{Fail, ModuleFiles, R, arity, computed, string_arg, text};
use crate::document::Span;
use crate::parse::terraform::value::{MAX_STRING, V, Val};

/// The function `name` if this module has it, else `None`.
pub(super) fn call(name: &str, args: &[Val], span: Span) -> Option<R> {
    let v = match name {
        "base64encode" => exact_arg(args).and_then(|s| base64(s.as_bytes())),
        "base64decode" => base64decode(args),
        "textencodebase64" => textencodebase64(args),
        "textdecodebase64" => textdecodebase64(args),
        "csvdecode" => csvdecode(args, span),
        "urlencode" => exact_arg(args).map(|s| V::Str(urlencode(&s))),
        "md5" => exact_arg(args).map(|s| hex(&Md5::digest(s))),
        "sha1" => exact_arg(args).map(|s| hex(&Sha1::digest(s))),
        "sha256" => exact_arg(args).map(|s| hex(&Sha256::digest(s))),
        "sha512" => exact_arg(args).map(|s| hex(&Sha512::digest(s))),
        "base64sha256" => exact_arg(args).and_then(|s| base64(&Sha256::digest(s))),
        "base64sha512" => exact_arg(args).and_then(|s| base64(&Sha512::digest(s))),
        "basename" => string_arg(args, 0, 1).map(|s| V::Str(basename(&s))),
        "dirname" => string_arg(args, 0, 1).map(|s| V::Str(dirname(&s))),
        "uuidv5" => uuidv5(args),
        _ => return None,
    };
    Some(v.and_then(|v| computed(v, span, args)))
}

/// The functions of a module file's bytes (`filebase64`, `filesha256`, …)
/// if `name` is one, else `None`. A file `file()` could not read (missing,
/// outside the module directory) leaves the call unknown, as `file()` does.
pub(super) fn file_call(
    files: &dyn ModuleFiles,
    name: &str,
    args: &[Val],
    span: Span,
) -> Option<R> {
    let digest: fn(&[u8]) -> Result<V, Fail> = match name {
        "filebase64" => base64,
        "filemd5" => |b| Ok(hex(&Md5::digest(b))),
        "filesha1" => |b| Ok(hex(&Sha1::digest(b))),
        "filesha256" => |b| Ok(hex(&Sha256::digest(b))),
        "filesha512" => |b| Ok(hex(&Sha512::digest(b))),
        "filebase64sha256" => |b| base64(&Sha256::digest(b)),
        "filebase64sha512" => |b| base64(&Sha512::digest(b)),
        "fileset" => return Some(fileset(files, args, span)),
        _ => return None,
    };
    let v = string_arg(args, 0, 1)
        .and_then(|path| files.read_bytes(&path))
        .and_then(|bytes| digest(&bytes));
    Some(v.and_then(|v| computed(v, span, args)))
}

/// `fileset(path, pattern)`: the regular files under `path` matching
/// `pattern` (`*` and `?` within a path element, `**` for any number of
/// elements, dot files included), relative to `path`, as a set. Patterns
/// with classes, alternatives or escapes (`[`, `{`, `\`) and patterns
/// leaving `path` (`..`) are not evaluated.
fn fileset(files: &dyn ModuleFiles, args: &[Val], span: Span) -> R {
    arity(args, 2)?;
    let path = text(&args[0])?;
    let pattern = glob(&text(&args[1])?)?;
    let mut found: Vec<String> = match &pattern {
        // the pattern names `path` itself, a directory
        None => Vec::new(),
        Some(parts) => files
            .list_files(&path)?
            .into_iter()
            .filter(|f| glob_match(parts, &f.split('/').collect::<Vec<_>>()))
            .collect(),
    };
    found.sort_unstable();
    found.dedup();
    let items = found.into_iter().map(|f| Val::str(f, span)).collect();
    computed(V::List(items), span, args)
}

/// One element of a `fileset` pattern.
enum Part {
    /// `**`: any number of path elements.
    Any,
    /// An element with `*` and `?` wildcards.
    Name(Vec<char>),
}

/// A `fileset` pattern as Terraform joins it to the directory
/// (`filepath.Join` cleans it: `./x` is `x`, a leading `/` is dropped);
/// `None` when it names the directory itself.
fn glob(pattern: &str) -> Result<Option<Vec<Part>>, Fail> {
    if pattern.contains(['[', ']', '{', '}', '\\']) {
        return Err(Fail::Unknown);
    }
    let cleaned = clean(pattern.trim_start_matches('/'));
    if cleaned == "." {
        return Ok(None);
    }
    let mut parts: Vec<Part> = Vec::new();
    for element in cleaned.split('/') {
        match element {
            ".." => return Err(Fail::Unknown),
            "**" if matches!(parts.last(), Some(Part::Any)) => {}
            "**" => parts.push(Part::Any),
            e if e.contains("**") => return Err(Fail::Unknown),
            e => parts.push(Part::Name(e.chars().collect())),
        }
    }
    Ok(Some(parts))
}

/// Whether the path elements match the pattern: `matched[i][j]` says the
/// pattern from `i` matches the elements from `j`.
fn glob_match(parts: &[Part], elements: &[&str]) -> bool {
    let n = elements.len();
    let mut next = vec![false; n + 1];
    next[n] = true;
    for part in parts.iter().rev() {
        let mut here = vec![false; n + 1];
        for j in (0..=n).rev() {
            here[j] = match part {
                Part::Any => next[j] || (j < n && here[j + 1]),
                Part::Name(p) => j < n && next[j + 1] && wildcard(p, elements[j]),
            };
        }
        next = here;
    }
    next[0]
}

/// Go's `path.Match` for one element with `*` and `?` only.
fn wildcard(pattern: &[char], name: &str) -> bool {
    let name: Vec<char> = name.chars().collect();
    let (mut p, mut n) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while n < name.len() {
        match pattern.get(p) {
            Some('*') => {
                star = Some((p, n));
                p += 1;
            }
            Some(c) if *c == '?' || *c == name[n] => {
                p += 1;
                n += 1;
            }
            _ => match star {
                Some((sp, sn)) => {
                    p = sp + 1;
                    n = sn + 1;
                    star = Some((sp, sn + 1));
                }
                None => return false,
            },
        }
    }
    pattern[p.min(pattern.len())..].iter().all(|c| *c == '*')
}

/// Go's `base64.StdEncoding` decoding: padding required, but non-zero
/// trailing bits accepted (`SGVsbG9=` is "Hello").
const GO_STD: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    PAD.with_decode_allow_trailing_bits(true),
);

/// The one argument as the text Terraform would encode or hash. JSON kept
/// as structure (`sha1(jsonencode(...))`) is unknown where its text here
/// may differ from Terraform's `jsonencode`: Go escapes `<`, `>`, `&`,
/// U+2028/U+2029 and control characters its own way, writes fractions its
/// own way, and a nested `jsonencode` is a string there.
fn exact_arg(args: &[Val]) -> Result<String, Fail> {
    arity(args, 1)?;
    exact_text(&args[0])
}

/// A value as text, unknown where that text may not be Terraform's (see
/// [`exact_arg`]).
fn exact_text(v: &Val) -> Result<String, Fail> {
    if let V::Json(inner) = &v.v
        && !json_text_exact(inner)
    {
        return Err(Fail::Unknown);
    }
    text(v)
}

fn json_text_exact(v: &Val) -> bool {
    let plain = |s: &str| {
        !s.chars().any(|c| {
            matches!(c, '<' | '>' | '&' | '\u{2028}' | '\u{2029}')
                || (c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
        })
    };
    match &v.v {
        V::Null | V::Bool(_) => true,
        V::Num(n) => n.is_i64() || n.is_u64(),
        V::Str(s) => plain(s),
        V::List(items) => items.iter().all(json_text_exact),
        V::Map(entries) => {
            // later duplicates replace earlier ones: keys must be unique
            // for the text here to be Terraform's
            let mut keys: Vec<&str> = entries.iter().map(|(k, _)| k.as_str()).collect();
            keys.sort_unstable();
            keys.dedup();
            keys.len() == entries.len()
                && entries.iter().all(|(k, v)| plain(k) && json_text_exact(v))
        }
        _ => false,
    }
}

/// Standard base64 with padding, bounded like any built string.
fn base64(bytes: &[u8]) -> Result<V, Fail> {
    if bytes.len().div_ceil(3).saturating_mul(4) > MAX_STRING {
        return Err(Fail::TooLarge);
    }
    Ok(V::Str(STANDARD.encode(bytes)))
}

fn hex(bytes: &[u8]) -> V {
    V::Str(hex_string(bytes))
}

fn hex_string(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Go's `StdEncoding.DecodeString`: line breaks are skipped.
fn decode_base64(s: &str) -> Result<Vec<u8>, Fail> {
    let clean: String = s.chars().filter(|c| !matches!(c, '\r' | '\n')).collect();
    GO_STD.decode(clean).map_err(|_| Fail::Error)
}

/// `base64decode(s)`: the bytes must be UTF-8 (Terraform strings are).
fn base64decode(args: &[Val]) -> Result<V, Fail> {
    let s = string_arg(args, 0, 1)?;
    let bytes = decode_base64(&s)?;
    String::from_utf8(bytes)
        .map(V::Str)
        .map_err(|_| Fail::Error)
}

/// The encodings of `textencodebase64`/`textdecodebase64` handled here
/// (IANA names are case-insensitive); Terraform knows many more, so
/// another name is unknown rather than an error.
#[derive(Clone, Copy)]
enum Encoding {
    Utf8,
    Utf16Le,
    Utf16Be,
}

fn encoding(v: &Val) -> Result<Encoding, Fail> {
    match text(v)?.to_ascii_uppercase().as_str() {
        "UTF-8" => Ok(Encoding::Utf8),
        "UTF-16LE" => Ok(Encoding::Utf16Le),
        "UTF-16BE" => Ok(Encoding::Utf16Be),
        _ => Err(Fail::Unknown),
    }
}

/// `textencodebase64(string, encoding)`: no byte order mark is written.
fn textencodebase64(args: &[Val]) -> Result<V, Fail> {
    arity(args, 2)?;
    let s = text(&args[0])?;
    let bytes: Vec<u8> = match encoding(&args[1])? {
        Encoding::Utf8 => s.into_bytes(),
        Encoding::Utf16Le => s.encode_utf16().flat_map(u16::to_le_bytes).collect(),
        Encoding::Utf16Be => s.encode_utf16().flat_map(u16::to_be_bytes).collect(),
    };
    base64(&bytes)
}

/// `textdecodebase64(source, encoding)`: Terraform rejects a result with a
/// replacement character (U+FFFD), even one the source encodes; a byte
/// order mark is kept as a character.
fn textdecodebase64(args: &[Val]) -> Result<V, Fail> {
    arity(args, 2)?;
    let enc = encoding(&args[1])?;
    let bytes = decode_base64(&text(&args[0])?)?;
    let units = |pair: fn([u8; 2]) -> u16| -> Result<String, Fail> {
        if bytes.len() % 2 != 0 {
            return Err(Fail::Error);
        }
        let units = bytes.chunks_exact(2).map(|c| pair([c[0], c[1]]));
        char::decode_utf16(units)
            .collect::<Result<String, _>>()
            .map_err(|_| Fail::Error)
    };
    let s = match enc {
        Encoding::Utf8 => String::from_utf8(bytes.clone()).map_err(|_| Fail::Error)?,
        Encoding::Utf16Le => units(u16::from_le_bytes)?,
        Encoding::Utf16Be => units(u16::from_be_bytes)?,
    };
    if s.contains('\u{FFFD}') {
        return Err(Fail::Error);
    }
    Ok(V::Str(s))
}

/// `uuidv5(namespace, name)`: an RFC 4122 version 5 UUID, the SHA-1 of
/// the namespace's 16 bytes then the name, in lower case. The namespace
/// is `dns`, `url`, `oid` or `x500` (lower case only) or a UUID as Go's
/// `uuid.Parse` reads it.
fn uuidv5(args: &[Val]) -> Result<V, Fail> {
    arity(args, 2)?;
    let ns = text(&args[0])?;
    let ns = match ns.as_str() {
        "dns" => "6ba7b810-9dad-11d1-80b4-00c04fd430c8",
        "url" => "6ba7b811-9dad-11d1-80b4-00c04fd430c8",
        "oid" => "6ba7b812-9dad-11d1-80b4-00c04fd430c8",
        "x500" => "6ba7b814-9dad-11d1-80b4-00c04fd430c8",
        other => other,
    };
    let ns = parse_uuid(ns).ok_or(Fail::Error)?;
    let name = exact_text(&args[1])?;
    let digest = Sha1::new().chain_update(ns).chain_update(name).finalize();
    let mut b = [0u8; 16];
    b.copy_from_slice(digest.get(..16).ok_or(Fail::Error)?);
    b[6] = (b[6] & 0x0f) | 0x50;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex_string(&b);
    Ok(V::Str(format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    )))
}

/// Go's `uuid.Parse`: `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`, that in
/// braces or after `urn:uuid:` (any case), or 32 hex digits; hex digits
/// in either case.
fn parse_uuid(s: &str) -> Option<[u8; 16]> {
    let dashed = match s.len() {
        32 => return hex16(s.as_bytes()),
        36 => s,
        38 => s.strip_prefix('{')?.strip_suffix('}')?,
        45 => {
            let prefix = s.get(..9)?;
            prefix
                .eq_ignore_ascii_case("urn:uuid:")
                .then(|| s.get(9..))??
        }
        _ => return None,
    };
    let bytes = dashed.as_bytes();
    if bytes.len() != 36 || [8, 13, 18, 23].iter().any(|&i| bytes[i] != b'-') {
        return None;
    }
    let digits: Vec<u8> = bytes
        .iter()
        .enumerate()
        .filter(|(i, _)| ![8, 13, 18, 23].contains(i))
        .map(|(_, b)| *b)
        .collect();
    hex16(&digits)
}

/// 32 hex digits as 16 bytes.
fn hex16(digits: &[u8]) -> Option<[u8; 16]> {
    if digits.len() != 32 {
        return None;
    }
    let mut out = [0u8; 16];
    for (o, pair) in out.iter_mut().zip(digits.chunks_exact(2)) {
        let hi = char::from(pair[0]).to_digit(16)?;
        let lo = char::from(pair[1]).to_digit(16)?;
        *o = u8::try_from(hi * 16 + lo).ok()?;
    }
    Some(out)
}

/// Go's `url.QueryEscape`: letters, digits and `-_.~` stay, a space is
/// `+`, every other byte is `%XX`.
fn urlencode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(char::from(b))
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Go's `filepath.Base` (Unix): the last element, trailing slashes
/// ignored; `"."` for an empty path, `"/"` for slashes only.
fn basename(path: &str) -> String {
    if path.is_empty() {
        return ".".to_string();
    }
    let trimmed = path.trim_end_matches('/');
    if trimmed.is_empty() {
        return "/".to_string();
    }
    match trimmed.rfind('/') {
        Some(i) => trimmed[i + 1..].to_string(),
        None => trimmed.to_string(),
    }
}

/// Go's `filepath.Dir` (Unix): everything before the last slash, cleaned
/// (`a/./b/../c` gives `a`).
fn dirname(path: &str) -> String {
    match path.rfind('/') {
        Some(i) => clean(&path[..=i]),
        None => ".".to_string(),
    }
}

/// Go's `filepath.Clean` (Unix).
fn clean(path: &str) -> String {
    let rooted = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for p in path.split('/') {
        match p {
            "" | "." => {}
            ".." => match parts.last() {
                Some(&last) if last != ".." => {
                    parts.pop();
                }
                _ if rooted => {}
                _ => parts.push(".."),
            },
            _ => parts.push(p),
        }
    }
    let joined = parts.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".to_string(),
        (false, false) => joined,
    }
}

/// Most bytes `csvdecode` may build: each row repeats the column names.
const MAX_CSV_OUTPUT: usize = 16 * MAX_STRING;

/// `csvdecode(string)`: RFC 4180 as Go's `encoding/csv` reads it, the
/// first record naming the columns; a list of maps (keys in order, as
/// Terraform's objects). Every record must have as many fields as the
/// header; blank lines are skipped.
fn csvdecode(args: &[Val], span: Span) -> Result<V, Fail> {
    let s = string_arg(args, 0, 1)?;
    let mut lines = Lines { rest: &s };
    let header = record(&mut lines)?.ok_or(Fail::Error)?;
    let mut order: Vec<usize> = (0..header.len()).collect();
    order.sort_by(|a, b| header[*a].cmp(&header[*b]));
    if order.windows(2).any(|w| header[w[0]] == header[w[1]]) {
        return Err(Fail::Error);
    }
    let header_len: usize = header.iter().map(String::len).sum();
    let mut size = 0usize;
    let mut rows = Vec::new();
    while let Some(fields) = record(&mut lines)? {
        if fields.len() != header.len() {
            return Err(Fail::Error);
        }
        size = size
            .saturating_add(header_len)
            .saturating_add(fields.iter().map(String::len).sum());
        if size > MAX_CSV_OUTPUT {
            return Err(Fail::Bound(
                "csvdecode not evaluated: the rows repeat the column names past driftless's \
                 bound on decoded values; kept as written, so the gate cannot vouch for the value",
            ));
        }
        let mut fields: Vec<Option<String>> = fields.into_iter().map(Some).collect();
        let entries = order
            .iter()
            .map(|&i| {
                let value = fields.get_mut(i).and_then(Option::take).unwrap_or_default();
                (header[i].clone(), Val::str(value, span))
            })
            .collect();
        rows.push(Val::new(V::Map(entries), span));
    }
    Ok(V::List(rows))
}

/// The lines of a CSV text as Go's `csv.Reader.readLine` gives them: each
/// with its `\n`, `\r\n` read as `\n`, a last `\r` dropped.
struct Lines<'a> {
    rest: &'a str,
}

impl Lines<'_> {
    fn next_line(&mut self) -> Option<String> {
        if self.rest.is_empty() {
            return None;
        }
        let (line, rest) = match self.rest.find('\n') {
            Some(i) => self.rest.split_at(i + 1),
            None => (self.rest, ""),
        };
        self.rest = rest;
        Some(match line.strip_suffix("\r\n") {
            Some(body) => format!("{body}\n"),
            None if rest.is_empty() => line.strip_suffix('\r').unwrap_or(line).to_string(),
            None => line.to_string(),
        })
    }
}

/// One CSV record (`None` at the end): Go's `readRecord` without lazy
/// quotes, so a quote inside an unquoted field, text after a closing
/// quote, or an unclosed quote is an error.
fn record(lines: &mut Lines<'_>) -> Result<Option<Vec<String>>, Fail> {
    let mut line = loop {
        match lines.next_line() {
            None => return Ok(None),
            Some(l) if l == "\n" || l.is_empty() => {}
            Some(l) => break l,
        }
    };
    let mut fields = Vec::new();
    loop {
        if let Some(quoted) = line.strip_prefix('"') {
            let (field, rest) = quoted_field(quoted.to_string(), lines)?;
            fields.push(field);
            match rest {
                Some(rest) => line = rest,
                None => return Ok(Some(fields)),
            }
        } else {
            let (field, rest) = match line.find(',') {
                Some(i) => (&line[..i], Some(line[i + 1..].to_string())),
                None => (line.strip_suffix('\n').unwrap_or(&line), None),
            };
            if field.contains('"') {
                return Err(Fail::Error);
            }
            fields.push(field.to_string());
            match rest {
                Some(rest) => line = rest,
                None => return Ok(Some(fields)),
            }
        }
    }
}

/// A quoted field from just after its opening quote (it may span lines):
/// the field and the rest of the line after its comma, `None` when the
/// record ends with it.
fn quoted_field(mut line: String, lines: &mut Lines<'_>) -> Result<(String, Option<String>), Fail> {
    let mut field = String::new();
    loop {
        if let Some(i) = line.find('"') {
            field.push_str(&line[..i]);
            let after = &line[i + 1..];
            if let Some(rest) = after.strip_prefix('"') {
                field.push('"');
                line = rest.to_string();
            } else if let Some(rest) = after.strip_prefix(',') {
                return Ok((field, Some(rest.to_string())));
            } else if after.is_empty() || after == "\n" {
                return Ok((field, None));
            } else {
                return Err(Fail::Error);
            }
        } else if line.is_empty() {
            return Err(Fail::Error);
        } else {
            field.push_str(&line);
            line = lines.next_line().unwrap_or_default();
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;
    use std::sync::Arc;

    use serde_json::{Value, json};

    use super::super::testing::{ok_in, run_in, s, unknown};
    use super::*;
    use crate::document::SourceFile;

    fn run(name: &str, args: &[Val]) -> Result<Value, Fail> {
        run_in(call, name, args)
    }

    fn ok(name: &str, args: &[Val]) -> Value {
        ok_in(call, name, args)
    }

    #[test]
    fn base64_matches_terraform() {
        assert_eq!(
            ok("base64encode", &[s("Hello World")]),
            json!("SGVsbG8gV29ybGQ=")
        );
        assert_eq!(ok("base64encode", &[s("")]), json!(""));
        let twelve = Val::new(V::Num(12.into()), Span::default());
        assert_eq!(ok("base64encode", &[twelve]), json!("MTI="));
        assert_eq!(
            run("base64encode", &[Val::new(V::Null, Span::default())]),
            Err(Fail::Error)
        );
        assert_eq!(run("base64encode", &[unknown()]), Err(Fail::Unknown));
        assert_eq!(
            ok("base64decode", &[s("SGVsbG8gV29ybGQ=")]),
            json!("Hello World")
        );
        assert_eq!(ok("base64decode", &[s("")]), json!(""));
        assert_eq!(ok("base64decode", &[s("SGVsbG8=\n")]), json!("Hello"));
        assert_eq!(ok("base64decode", &[s("SGVsbG9=")]), json!("Hello"));
        for bad in ["SGVsbG8gV29ybGQ", "/w==", "SGVs bG8=", "YQ==YQ==", "-_8="] {
            assert_eq!(run("base64decode", &[s(bad)]), Err(Fail::Error), "{bad}");
        }
        assert_eq!(run("base64decode", &[unknown()]), Err(Fail::Unknown));
    }

    #[test]
    fn textbase64_matches_terraform() {
        let enc = |x: &str, e: &str| run("textencodebase64", &[s(x), s(e)]);
        let dec = |x: &str, e: &str| run("textdecodebase64", &[s(x), s(e)]);
        assert_eq!(enc("Hello", "UTF-8"), Ok(json!("SGVsbG8=")));
        assert_eq!(enc("Hello", "UTF-16LE"), Ok(json!("SABlAGwAbABvAA==")));
        assert_eq!(enc("Hello", "utf-16le"), Ok(json!("SABlAGwAbABvAA==")));
        assert_eq!(enc("Hello", "UTF-16BE"), Ok(json!("AEgAZQBsAGwAbw==")));
        assert_eq!(enc("😀", "UTF-16LE"), Ok(json!("PdgA3g==")));
        assert_eq!(enc("", "UTF-8"), Ok(json!("")));
        // Terraform: "/v8ASABlAGwAbABv" (with a BOM); not handled here
        assert_eq!(enc("Hello", "UTF-16"), Err(Fail::Unknown));
        assert_eq!(dec("SABlAGwAbABvAA==", "UTF-16LE"), Ok(json!("Hello")));
        assert_eq!(dec("SGVsbG8=", "UTF-8"), Ok(json!("Hello")));
        assert_eq!(dec("AEg=", "UTF-16BE"), Ok(json!("H")));
        assert_eq!(dec("//5IAA==", "UTF-16LE"), Ok(json!("\u{feff}H")));
        assert_eq!(dec("77u/SA==", "UTF-8"), Ok(json!("\u{feff}H")));
        for (bad, e) in [
            ("/w==", "UTF-8"),
            ("SGVsbG8", "UTF-8"),
            ("AA==", "UTF-16LE"),
            ("ANg=", "UTF-16LE"),
        ] {
            assert_eq!(dec(bad, e), Err(Fail::Error), "{bad} {e}");
        }
        assert_eq!(dec("SGVsbG8=", "nope"), Err(Fail::Unknown));
        assert_eq!(
            run("textencodebase64", &[s("x"), unknown()]),
            Err(Fail::Unknown)
        );
        assert_eq!(run("textencodebase64", &[s("x")]), Err(Fail::Error));
    }

    #[test]
    fn csvdecode_matches_terraform() {
        let csv = |x: &str| run("csvdecode", &[s(x)]);
        assert_eq!(
            csv("a,b,c\n1,2,3\n4,5,6"),
            Ok(json!([{"a": "1", "b": "2", "c": "3"}, {"a": "4", "b": "5", "c": "6"}]))
        );
        assert_eq!(csv("a,b\n"), Ok(json!([])));
        assert_eq!(csv("a"), Ok(json!([])));
        assert_eq!(
            csv("a,b\r\n\"x,\"\"y\"\"\",2\r\n"),
            Ok(json!([{"a": "x,\"y\"", "b": "2"}]))
        );
        assert_eq!(csv("a,b\n\n1,2\n"), Ok(json!([{"a": "1", "b": "2"}])));
        assert_eq!(
            csv(" a , b \n 1 , 2 "),
            Ok(json!([{" a ": " 1 ", " b ": " 2 "}]))
        );
        assert_eq!(csv("a,\"b\nc\"\n1,2"), Ok(json!([{"a": "1", "b\nc": "2"}])));
        assert_eq!(csv("a\n1\n2"), Ok(json!([{"a": "1"}, {"a": "2"}])));
        assert_eq!(
            csv("a,b\n1,2\r\n3,4"),
            Ok(json!([{"a": "1", "b": "2"}, {"a": "3", "b": "4"}]))
        );
        assert_eq!(csv("\"a\",b\n1,2"), Ok(json!([{"a": "1", "b": "2"}])));
        assert_eq!(csv("a,b\n# 1,2"), Ok(json!([{"a": "# 1", "b": "2"}])));
        assert_eq!(csv("a,b\n,\n"), Ok(json!([{"a": "", "b": ""}])));
        // keys in order, as Terraform's object attributes
        let out = call("csvdecode", &[s("b,a\n1,2")], Span::default())
            .unwrap()
            .unwrap();
        let V::List(rows) = out.v else { panic!() };
        let V::Map(entries) = &rows[0].v else {
            panic!()
        };
        assert_eq!(entries[0].0, "a");
        for bad in [
            "",
            "a,b\n1,2,3",
            "a,b\n1",
            "a,a\n1,2",
            "a,b\n\"1\"x,2",
            "a,b\n1\"x,2",
            "a,b\n \"1\",2",
            "a\n\"x",
        ] {
            assert_eq!(csv(bad), Err(Fail::Error), "{bad:?}");
        }
        assert_eq!(run("csvdecode", &[unknown()]), Err(Fail::Unknown));
    }

    #[test]
    fn urlencode_matches_terraform() {
        assert_eq!(
            ok("urlencode", &[s("Hello World!")]),
            json!("Hello+World%21")
        );
        assert_eq!(
            ok("urlencode", &[s("a-b_c.d~e*f'g(h)i")]),
            json!("a-b_c.d~e%2Af%27g%28h%29i")
        );
        assert_eq!(
            ok("urlencode", &[s("!#$&'()*+,/:;=?@[]")]),
            json!("%21%23%24%26%27%28%29%2A%2B%2C%2F%3A%3B%3D%3F%40%5B%5D")
        );
        assert_eq!(ok("urlencode", &[s("é€ %")]), json!("%C3%A9%E2%82%AC+%25"));
        assert_eq!(ok("urlencode", &[s("")]), json!(""));
        assert_eq!(run("urlencode", &[unknown()]), Err(Fail::Unknown));
        assert_eq!(run("urlencode", &[s("a"), s("b")]), Err(Fail::Error));
    }

    #[test]
    fn hashes_match_terraform() {
        let cases = [
            ("md5", "5eb63bbbe01eeed093cb22bb8f5acdc3"),
            ("sha1", "2aae6c35c94fcfb415dbe95f408b9ce91ee846ed"),
            (
                "sha256",
                "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9",
            ),
            (
                "sha512",
                "309ecc489c12d6eb4cc40f50c902f2b4d0ed77ee511a7c7a9bcd3ca86d4cd86f\
                 989dd35bc5ff499670da34255b45b0cfd830e81f605dcf7dc5542e93ae9cd76f",
            ),
            (
                "base64sha256",
                "uU0nuZNNPgilLlLX2n2r+sSE7+N6U4DukIj3rOLvzek=",
            ),
            (
                "base64sha512",
                "MJ7MSJwS1utMxA9QyQLytNDtd+5RGnx6m808qG1M2G+YndNbxf9JlnDaNCVbRbDP2DDoH2Bdz33FVC6TrpzXbw==",
            ),
        ];
        for (f, want) in cases {
            assert_eq!(ok(f, &[s("hello world")]), json!(want), "{f}");
            assert_eq!(run(f, &[unknown()]), Err(Fail::Unknown), "{f}");
            assert_eq!(run(f, &[]), Err(Fail::Error), "{f}");
        }
        assert_eq!(
            ok("md5", &[s("")]),
            json!("d41d8cd98f00b204e9800998ecf8427e")
        );
        let twelve = Val::new(V::Num(12.into()), Span::default());
        assert_eq!(
            ok("md5", &[twelve]),
            json!("c20ad4d76fe97759aa27a0c99bff6710")
        );
        let yes = Val::new(V::Bool(true), Span::default());
        assert_eq!(
            ok("sha256", &[yes]),
            json!("b5bea41b6c623f7c09f1bf24dcae58ebab3c0cdd90ad966bc43a45b44867e12b")
        );
        // sha256(jsonencode({b=1,a="<"})): Go escapes `<`, so not guessed
        let json_val = |inner: V| {
            Val::new(
                V::Json(Box::new(Val::new(inner, Span::default()))),
                Span::default(),
            )
        };
        let lt = json_val(V::Map(vec![("a".into(), s("<"))]));
        assert_eq!(run("sha256", &[lt]), Err(Fail::Unknown));
        // sha256(jsonencode({a=1})) == sha256("{\"a\":1}")
        let one = Val::new(V::Num(1.into()), Span::default());
        let plain = json_val(V::Map(vec![("a".into(), one)]));
        assert_eq!(run("sha256", &[plain]), run("sha256", &[s("{\"a\":1}")]));
    }

    #[test]
    fn paths_match_terraform() {
        let cases = [
            ("foo/bar/baz.txt", "baz.txt", "foo/bar"),
            ("foo/bar/", "bar", "foo/bar"),
            ("", ".", "."),
            ("/", "/", "/"),
            ("foo", "foo", "."),
            ("foo//", "foo", "foo"),
            ("/foo", "foo", "/"),
            ("foo//bar", "bar", "foo"),
            ("a/./b/../c", "c", "a"),
            ("./a", "a", "."),
            ("//a//b", "b", "/a"),
            ("a\\b", "a\\b", "."),
            ("../../x", "x", "../.."),
            ("/../x", "x", "/"),
        ];
        for (path, base, dir) in cases {
            assert_eq!(ok("basename", &[s(path)]), json!(base), "basename {path}");
            assert_eq!(ok("dirname", &[s(path)]), json!(dir), "dirname {path}");
        }
        assert_eq!(run("basename", &[unknown()]), Err(Fail::Unknown));
        assert_eq!(run("dirname", &[s("a"), s("b")]), Err(Fail::Error));
    }

    #[test]
    fn uuidv5_matches_terraform() {
        let u = |ns: &str, name: &str| run("uuidv5", &[s(ns), s(name)]);
        let tf = "a5008fae-b28c-5ba5-96cd-82b4c53552d6";
        assert_eq!(u("dns", "www.terraform.io"), Ok(json!(tf)));
        assert_eq!(
            u("url", "https://www.terraform.io/"),
            Ok(json!("9db6f67c-dd95-5ea0-aa5b-e70e5c5f7cf5"))
        );
        assert_eq!(
            u("oid", "1.2.840.113549"),
            Ok(json!("570a4ebb-29b9-51da-b9b0-f7072c3fe069"))
        );
        assert_eq!(
            u("x500", "CN=Example"),
            Ok(json!("fc36744a-3783-5ebd-aac6-5c7766b1e223"))
        );
        assert_eq!(
            u("dns", ""),
            Ok(json!("4ebd0208-8328-5d69-8c44-ec50939c0967"))
        );
        // the DNS namespace written as a UUID, in each form Go's parser takes
        for ns in [
            "6ba7b810-9dad-11d1-80b4-00c04fd430c8",
            "6BA7B810-9DAD-11D1-80B4-00C04FD430C8",
            "{6ba7b810-9dad-11d1-80b4-00c04fd430c8}",
            "urn:uuid:6ba7b810-9dad-11d1-80b4-00c04fd430c8",
            "6ba7b8109dad11d180b400c04fd430c8",
        ] {
            assert_eq!(u(ns, "www.terraform.io"), Ok(json!(tf)), "{ns}");
        }
        let twelve = Val::new(V::Num(12.into()), Span::default());
        assert_eq!(
            run("uuidv5", &[s("dns"), twelve]),
            Ok(json!("52524d6e-10dc-5261-aa36-8b2efcbaa5f0"))
        );
        for bad in [
            "DNS",
            "nope",
            "",
            "6ba7b810x9dad-11d1-80b4-00c04fd430c8",
            "6ba7b810-9dad-11d1-80b4-00c04fd430cg",
            "(6ba7b810-9dad-11d1-80b4-00c04fd430c8)",
            "6ba7b810-9dad-11d1-80b4-00c04fd430é",
        ] {
            assert_eq!(u(bad, "x"), Err(Fail::Error), "{bad}");
        }
        assert_eq!(run("uuidv5", &[s("dns")]), Err(Fail::Error));
        assert_eq!(run("uuidv5", &[s("dns"), unknown()]), Err(Fail::Unknown));
        assert_eq!(run("uuidv5", &[unknown(), s("x")]), Err(Fail::Unknown));
    }

    #[test]
    fn base64gzip_is_left_unknown() {
        // Terraform: "H4sIAAAAAAAA/8pIzcnJVyjPL8pJAQAAAP//AQAA//+FEUoNCwAAAA==",
        // Go's own DEFLATE bytes, not reproduced here
        assert!(call("base64gzip", &[s("hello world")], Span::default()).is_none());
    }

    /// The `file*` digests of files in a real module directory, expected
    /// values from `terraform console` on the same files.
    #[test]
    fn file_digests_match_terraform() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("m");
        std::fs::create_dir(&dir).unwrap();
        std::fs::write(dir.join("a.txt"), "hello world\n").unwrap();
        std::fs::write(dir.join("bin.dat"), b"\xff\x00\x01binary").unwrap();
        std::fs::write(dir.join("empty.txt"), "").unwrap();
        std::fs::write(dir.join("big.txt"), "x".repeat((1 << 20) + 1)).unwrap();
        std::fs::write(root.path().join("secret.txt"), "outside").unwrap();
        let text = r#"locals {
  b64     = filebase64("a.txt")
  bin     = filebase64("${path.module}/bin.dat")
  empty   = filebase64("empty.txt")
  md5     = filemd5("a.txt")
  sha1    = filesha1("a.txt")
  sha256  = filesha256("./a.txt")
  sha512  = filesha512("a.txt")
  b256    = filebase64sha256("a.txt")
  b512    = filebase64sha512("a.txt")
  binmd5  = filemd5("bin.dat")
  esha    = filesha256("empty.txt")
  missing = filemd5("nope.txt")
  outside = filemd5("../secret.txt")
  big     = filemd5("big.txt")
  var     = filemd5(var.f)
}
variable "f" {}
resource "kubernetes_pod" "p" {
  image = "app:${substr(local.sha256, 0, 12)}"
}
"#;
        let file = Arc::new(SourceFile::new("m/main.tf", text.to_string()));
        let parsed = crate::parse::terraform_module(&dir, &[file], &Default::default());
        let input = parsed.documents[0].input.clone();
        let input = serde_json::to_value(&input).unwrap();
        let locals = &input["locals"];
        let want = json!({
            "b64": "aGVsbG8gd29ybGQK",
            "bin": "/wABYmluYXJ5",
            "empty": "",
            "md5": "6f5902ac237024bdd0c176cb93063dc4",
            "sha1": "22596363b3de40b06f981fb85d82312e8c0ed511",
            "sha256": "a948904f2f0f479b8f8197694b30184b0d2ed1c1cd2a1ec0fb85d299a192a447",
            "sha512": "db3974a97f2407b7cae1ae637c0030687a11913274d578492558e39c16c017de\
                       84eacdc8c62fe34ee4e12b4b1428817f09b6a2760c3f8a664ceae94d2434a593",
            "b256": "qUiQTy8PR5uPgZdpSzAYSw0u0cHNKh7A+4XSmaGSpEc=",
            "b512": "2zl0qX8kB7fK4a5jfAAwaHoRkTJ01XhJJVjjnBbAF96E6s3Ixi/jTuThK0sUKIF/Cbaidgw/imZM6ulNJDSlkw==",
            "binmd5": "3361beb10f67f1ddabc881bc02638817",
            "esha": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            "missing": "${filemd5(\"nope.txt\")}",
            "outside": "${filemd5(\"../secret.txt\")}",
            "big": "${filemd5(\"big.txt\")}",
            "var": "${filemd5(var.f)}",
        });
        for (k, v) in want.as_object().unwrap() {
            assert_eq!(&locals[k], v, "{k}: {locals}");
        }
        let image = &input["resources"][0]["config"]["image"];
        assert_eq!(image, "app:a948904f2f0f", "{input}");
        // the file over the bound is reported, not silently dropped
        assert!(
            parsed.errors.iter().any(|e| e.message.contains("1 MB")),
            "{:?}",
            parsed.errors
        );
    }

    #[test]
    fn glob_elements_match_as_go_does() {
        let m = |p: &str, f: &str| {
            let parts = glob(p).unwrap().unwrap();
            glob_match(&parts, &f.split('/').collect::<Vec<_>>())
        };
        assert!(m("*", ".hidden"));
        assert!(m("*.txt", "a.txt"));
        assert!(!m("*.txt", "sub/a.txt"));
        assert!(m("**", "a/b/c"));
        assert!(m("**/*.txt", "a.txt"));
        assert!(m("a/**/b/**", "a/b/x"));
        assert!(m("a/**/**/b", "a/b"));
        assert!(m("?.t*t", "é.txt"));
        assert!(!m("?", "ab"));
        assert!(m("*a*b*", "xaybz"));
        assert!(!m("*a*b", "xaybz"));
        assert!(m("./x/../*", "a"));
        assert!(matches!(glob(""), Ok(None)));
        assert!(matches!(glob("./"), Ok(None)));
        for bad in ["[ab]", "{a,b}", "a\\*", "../*", "a**", "x/../../y"] {
            assert!(matches!(glob(bad), Err(Fail::Unknown)), "{bad}");
        }
    }

    /// `fileset` over a real module directory, expected values from
    /// `terraform console` on the same tree.
    #[test]
    fn fileset_matches_terraform() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("m");
        for d in ["sub/deep", "d2"] {
            std::fs::create_dir_all(dir.join(d)).unwrap();
        }
        let names = [
            ".hidden",
            "a.txt",
            "b.TXT",
            "sub/c.txt",
            "sub/.h.txt",
            "sub/deep/e.txt",
        ];
        for f in names.iter().chain(&["d2/f.txt"]) {
            std::fs::write(dir.join(f), "").unwrap();
        }
        std::fs::write(root.path().join("up.txt"), "").unwrap();
        let text = r#"locals {
  all     = fileset(path.module, "**")
  top     = fileset(".", "*")
  txt     = fileset(".", "**/*.txt")
  sub     = fileset("sub", "**/*.txt")
  under   = fileset(".", "sub/**")
  dot     = fileset("./sub/", "*")
  one     = fileset(".", "?.txt")
  none    = fileset(".", "nothing")
  dirs    = fileset(".", "sub")
  nested  = fileset(".", "*/*.txt")
  empty   = fileset(".", "")
  hidden  = fileset(".", "**/.h*")
  up      = fileset(".", "../*.txt")
  outside = fileset("..", "*.txt")
  class   = fileset(".", "[ab].txt")
  var     = fileset(".", var.p)
}
variable "p" {}
"#;
        let file = Arc::new(SourceFile::new("m/main.tf", text.to_string()));
        let parsed = crate::parse::terraform_module(&dir, &[file], &Default::default());
        let input = serde_json::to_value(&parsed.documents[0].input).unwrap();
        let locals = &input["locals"];
        let want = json!({
            "all": [".hidden", "a.txt", "b.TXT", "d2/f.txt", "sub/.h.txt", "sub/c.txt", "sub/deep/e.txt"],
            "top": [".hidden", "a.txt", "b.TXT"],
            "txt": ["a.txt", "d2/f.txt", "sub/.h.txt", "sub/c.txt", "sub/deep/e.txt"],
            "sub": [".h.txt", "c.txt", "deep/e.txt"],
            "under": ["sub/.h.txt", "sub/c.txt", "sub/deep/e.txt"],
            "dot": [".h.txt", "c.txt"],
            "one": ["a.txt"],
            "none": [],
            "dirs": [],
            "nested": ["d2/f.txt", "sub/.h.txt", "sub/c.txt"],
            "empty": [],
            "hidden": [".hidden", "sub/.h.txt"],
            "up": "${fileset(\".\", \"../*.txt\")}",
            "outside": "${fileset(\"..\", \"*.txt\")}",
            "class": "${fileset(\".\", \"[ab].txt\")}",
            "var": "${fileset(\".\", var.p)}",
        });
        for (k, v) in want.as_object().unwrap() {
            assert_eq!(&locals[k], v, "{k}: {locals}");
        }
    }

    /// An image tag computed with `base64decode` reaches the document.
    #[test]
    fn base64decode_reaches_the_document() {
        let text = "locals {\n  tag = base64decode(\"MS4yNy4w\")\n}\n\
                    resource \"kubernetes_pod\" \"p\" {\n  image = \"nginx:${local.tag}\"\n  \
                    digest = sha256(local.tag)\n}\n";
        let file = Arc::new(SourceFile::new("m/main.tf", text.to_string()));
        let parsed = crate::parse::terraform_module(Path::new("m"), &[file], &Default::default());
        let input = serde_json::to_string(&parsed.documents[0].input).unwrap();
        assert!(input.contains("\"image\":\"nginx:1.27.0\""), "{input}");
        let digest = "2573c6d78682f9dc6c1dbe75e50aecc804e892d4b69b8ad719c807ebfb913436";
        assert!(
            input.contains(&format!("\"digest\":\"{digest}\"")),
            "{input}"
        );
    }
}
