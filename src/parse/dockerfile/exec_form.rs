//! The JSON ("exec") form of `RUN`/`CMD`/`ENTRYPOINT`/`COPY`/…:
//! `["sh", "-c", "apt-get update"]`.
//!
//! Hand-written rather than `serde_json` because every decoded string needs
//! a [`Mapping`] back to its raw bytes (escapes included) so words found in
//! `sh -c` scripts point at the right columns. Anything that is not a JSON
//! array of strings is `None`, and the caller falls back to the shell form,
//! as Docker does.

use super::mapping::Mapping;

/// One array element.
#[derive(Debug, Clone)]
pub struct Item {
    pub value: String,
    /// Raw range of the string literal, quotes included.
    pub start: usize,
    pub end: usize,
    /// Offsets of `value` to offsets of the scanned text.
    pub map: Mapping,
}

/// Parses `text[from..]` as a JSON array of strings; offsets are into `text`.
pub fn parse(text: &str, from: usize) -> Option<Vec<Item>> {
    let b = text.as_bytes();
    let mut i = skip_ws(b, from);
    if b.get(i) != Some(&b'[') {
        return None;
    }
    i = skip_ws(b, i + 1);
    let mut items = Vec::new();
    if b.get(i) == Some(&b']') {
        return (skip_ws(b, i + 1) == b.len()).then_some(items);
    }
    loop {
        let (item, after) = string(text, i)?;
        items.push(item);
        i = skip_ws(b, after);
        match b.get(i) {
            Some(b',') => i = skip_ws(b, i + 1),
            Some(b']') => break,
            _ => return None,
        }
    }
    (skip_ws(b, i + 1) == b.len()).then_some(items)
}

fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while matches!(b.get(i), Some(b' ' | b'\t' | b'\n' | b'\r')) {
        i += 1;
    }
    i
}

/// A JSON string literal at `start`; returns it and the index after it.
fn string(text: &str, start: usize) -> Option<(Item, usize)> {
    let b = text.as_bytes();
    if b.get(start) != Some(&b'"') {
        return None;
    }
    let mut value = String::new();
    let mut map = Mapping::default();
    let mut i = start + 1;
    loop {
        let run = i;
        while matches!(b.get(i), Some(&c) if c != b'"' && c != b'\\' && c >= 0x20) {
            i += 1;
        }
        map.push_verbatim(value.len(), run, i - run);
        value.push_str(text.get(run..i)?);
        match b.get(i)? {
            b'"' => break,
            b'\\' => {
                let (decoded, len) = escape(text, i)?;
                map.push_escape(value.len(), decoded.len_utf8(), i, len);
                value.push(decoded);
                i += len;
            }
            _ => return None, // control character
        }
    }
    let end = i + 1;
    Some((
        Item {
            value,
            start,
            end,
            map,
        },
        end,
    ))
}

/// A backslash escape at `i`: the character and the raw length.
fn escape(text: &str, i: usize) -> Option<(char, usize)> {
    let c = match text.as_bytes().get(i + 1)? {
        b'"' => '"',
        b'\\' => '\\',
        b'/' => '/',
        b'b' => '\u{8}',
        b'f' => '\u{c}',
        b'n' => '\n',
        b'r' => '\r',
        b't' => '\t',
        b'u' => return unicode_escape(text, i),
        _ => return None,
    };
    Some((c, 2))
}

/// `\uXXXX`, with surrogate pairs (`\uD83D\uDE00`); a lone surrogate
/// decodes to U+FFFD as Go's encoding/json does.
fn unicode_escape(text: &str, i: usize) -> Option<(char, usize)> {
    let hex = |at: usize| -> Option<u32> {
        let digits = text.get(at..at + 4)?;
        if !digits.bytes().all(|d| d.is_ascii_hexdigit()) {
            return None;
        }
        u32::from_str_radix(digits, 16).ok()
    };
    let first = hex(i + 2)?;
    if (0xD800..0xDC00).contains(&first)
        && text.get(i + 6..i + 8) == Some("\\u")
        && let Some(second) = hex(i + 8).filter(|s| (0xDC00..0xE000).contains(s))
    {
        let code = 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00);
        return Some((char::from_u32(code).unwrap_or('\u{fffd}'), 12));
    }
    Some((char::from_u32(first).unwrap_or('\u{fffd}'), 6))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::Span;

    fn values(s: &str) -> Option<Vec<String>> {
        parse(s, 0).map(|v| v.into_iter().map(|i| i.value).collect())
    }

    #[test]
    fn arrays_of_strings() {
        assert_eq!(
            values(r#"["sh", "-c", "echo hi"]"#).unwrap(),
            ["sh", "-c", "echo hi"]
        );
        assert_eq!(values(" [ ] ").unwrap(), Vec::<String>::new());
        assert_eq!(
            values(r#"["a\"b\\c\u00e9\ud83d\ude00"]"#).unwrap(),
            ["a\"b\\cé😀"]
        );
    }

    #[test]
    fn not_json_falls_back() {
        for s in [
            "[",
            "[\"a\"",
            "[\"a\",]",
            "[a]",
            "[\"a\"] x",
            "[1]",
            "[\"a\tb\"]",
            "[\"\\x\"]",
            "[\"\\u12\"]",
            "echo",
            "[\"a\" \"b\"]",
        ] {
            assert!(values(s).is_none(), "{s:?}");
        }
    }

    #[test]
    fn decoded_offsets_map_to_raw_bytes() {
        let s = r#"CMD ["x", "a\"b c"]"#;
        let items = parse(s, 4).unwrap();
        assert_eq!((items[1].start, items[1].end), (10, 18));
        let m = &items[1].map;
        // "c" is decoded offset 4, raw offset 16
        assert_eq!(m.span(4, 5), Span::new(16, 17));
        // the escaped quote maps to the whole escape
        assert_eq!(m.span(1, 2), Span::new(12, 14));
    }
}
