//! JSON text to a `serde_json::Value` plus a [`SourceMap`], in one pass.
//!
//! A small recursive-descent parser over bytes, because neither `serde_json`
//! nor a JSON AST crate gives both a value and spans without a second pass,
//! and Terraform plans can be 100 MB. It is linear in the input, copies
//! string contents once, and bounds nesting at [`MAX_DEPTH`] so hostile input
//! cannot overflow the stack.
//!
//! Strict RFC 8259: comments and trailing commas are errors (a `.json` file
//! that fails to parse is only reported when it looks like a plan or a
//! Kubernetes object, see `parse::json`). Duplicate keys: the last one wins,
//! as in `serde_json` and Go's `encoding/json`.
//!
//! Spans: a scalar maps to its token (strings include their quotes); an
//! object or array maps to a *head*: the key of the member that holds it
//! (`"containers"`), or — for array items and the root — the opening bracket
//! through the first member's key when that is on the same line.

use std::sync::Arc;

use serde_json::{Map, Number, Value};

use crate::document::{ParseError, SourceFile, SourceMap, Span};

/// Objects and arrays nested deeper than this are rejected: no real plan or
/// manifest comes close, and the parser recurses once per level.
pub const MAX_DEPTH: usize = 128;

/// Parses JSON text with spans for every value.
pub fn load(file: &Arc<SourceFile>) -> Result<(Value, SourceMap), ParseError> {
    let mut parser = Parser::new(file);
    parser.skip_ws();
    let (value, map) = parser.value(0, None)?;
    parser.skip_ws();
    if parser.pos < parser.bytes.len() {
        return Err(parser.error("unexpected characters after the JSON value"));
    }
    Ok((value, map))
}

/// Parses a stream of JSON values separated by whitespace (`{…}{…}` or one
/// object per line), as kubectl's decoder reads a JSON manifest file: each
/// value is handed to `emit` when complete. An error stops the stream; the
/// values before it have been emitted.
pub fn for_each_value(
    file: &Arc<SourceFile>,
    mut emit: impl FnMut(Value, SourceMap),
) -> Result<(), ParseError> {
    let mut parser = Parser::new(file);
    parser.skip_ws();
    while parser.pos < parser.bytes.len() {
        let (value, map) = parser.value(0, None)?;
        emit(value, map);
        parser.skip_ws();
    }
    Ok(())
}

/// The parser state: a cursor into the file's text.
struct Parser<'a> {
    file: &'a Arc<SourceFile>,
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
}

/// What a successfully parsed value is: the value and its source map node.
type Node = (Value, SourceMap);

impl<'a> Parser<'a> {
    /// A parser at the start of `file`'s text.
    fn new(file: &'a Arc<SourceFile>) -> Self {
        Parser {
            file,
            bytes: file.text.as_bytes(),
            text: &file.text,
            pos: 0,
        }
    }
}

impl Parser<'_> {
    /// An error at the cursor.
    fn error(&self, message: &str) -> ParseError {
        ParseError::at(self.file, self.pos, message)
    }

    /// An error at the cursor naming the character found there.
    fn unexpected(&self, expected: &str) -> ParseError {
        match self.text[self.pos..].chars().next() {
            None => self.error(&format!("unexpected end of input, expected {expected}")),
            Some(c) => self.error(&format!("unexpected character {c:?}, expected {expected}")),
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    /// Parses one value at the cursor (whitespace already skipped). `head` is
    /// the span of the key that holds it, used when the value is a container.
    fn value(&mut self, depth: usize, head: Option<Span>) -> Result<Node, ParseError> {
        let start = self.pos;
        match self.peek() {
            Some(b'{') => self.object(depth + 1, head),
            Some(b'[') => self.array(depth + 1, head),
            Some(b'"') => {
                let s = self.string()?;
                Ok((
                    Value::String(s),
                    SourceMap::leaf(Span::new(start, self.pos)),
                ))
            }
            Some(b'-' | b'0'..=b'9') => {
                let n = self.number()?;
                Ok((
                    Value::Number(n),
                    SourceMap::leaf(Span::new(start, self.pos)),
                ))
            }
            Some(b't') => self.literal("true", Value::Bool(true)),
            Some(b'f') => self.literal("false", Value::Bool(false)),
            Some(b'n') => self.literal("null", Value::Null),
            _ => Err(self.unexpected("a JSON value")),
        }
    }

    /// `true`, `false` or `null`.
    fn literal(&mut self, word: &str, value: Value) -> Result<Node, ParseError> {
        if !self.bytes[self.pos..].starts_with(word.as_bytes()) {
            return Err(self.unexpected("a JSON value"));
        }
        let start = self.pos;
        self.pos += word.len();
        Ok((value, SourceMap::leaf(Span::new(start, self.pos))))
    }

    /// Refuses to open a container past [`MAX_DEPTH`], before recursing.
    fn check_depth(&self, depth: usize) -> Result<(), ParseError> {
        if depth > MAX_DEPTH {
            return Err(self.error(&format!("JSON nesting deeper than {MAX_DEPTH} levels")));
        }
        Ok(())
    }

    fn object(&mut self, depth: usize, head: Option<Span>) -> Result<Node, ParseError> {
        self.check_depth(depth)?;
        let open = self.pos;
        self.pos += 1;
        let mut values = Map::new();
        // collected in text order, sorted once when the object closes
        let mut spans = Vec::new();
        let mut first_key: Option<Span> = None;
        self.skip_ws();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            let span = head.unwrap_or(Span::new(open, self.pos));
            return Ok((Value::Object(values), SourceMap::object(span, spans.into())));
        }
        loop {
            if self.peek() != Some(b'"') {
                return Err(self.unexpected("a string key"));
            }
            let key_start = self.pos;
            let key = self.string()?;
            let key_span = Span::new(key_start, self.pos);
            first_key.get_or_insert(key_span);
            self.skip_ws();
            if self.peek() != Some(b':') {
                return Err(self.unexpected("':' after an object key"));
            }
            self.pos += 1;
            self.skip_ws();
            let (value, map) = self.value(depth, Some(key_span))?;
            spans.push((key.clone(), map));
            values.insert(key, value);
            self.skip_ws();
            match self.peek() {
                Some(b',') => {
                    self.pos += 1;
                    self.skip_ws();
                }
                Some(b'}') => {
                    self.pos += 1;
                    break;
                }
                _ => return Err(self.unexpected("',' or '}' after an object member")),
            }
        }
        let span = head.unwrap_or_else(|| self.bracket_head(open, first_key));
        Ok((Value::Object(values), SourceMap::object(span, spans.into())))
    }

    fn array(&mut self, depth: usize, head: Option<Span>) -> Result<Node, ParseError> {
        self.check_depth(depth)?;
        let open = self.pos;
        self.pos += 1;
        let mut values = Vec::new();
        let mut spans = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b']') {
            self.pos += 1;
            let span = head.unwrap_or(Span::new(open, self.pos));
            return Ok((Value::Array(values), SourceMap::array(span, spans)));
        }
        loop {
            let (value, map) = self.value(depth, None)?;
            values.push(value);
            spans.push(map);
            self.skip_ws();
            match self.peek() {
                Some(b',') => {
                    self.pos += 1;
                    self.skip_ws();
                }
                Some(b']') => {
                    self.pos += 1;
                    break;
                }
                _ => return Err(self.unexpected("',' or ']' after an array item")),
            }
        }
        let span = head.unwrap_or_else(|| Span::new(open, open + 1));
        Ok((Value::Array(values), SourceMap::array(span, spans)))
    }

    /// The head of an object nobody named: its `{` through its first key
    /// when both are on one line, else just the `{` (minified plans put
    /// everything on one line, so "to the end of the line" would be the file).
    fn bracket_head(&self, open: usize, first_key: Option<Span>) -> Span {
        match first_key {
            Some(key) if !self.bytes[open..key.start as usize].contains(&b'\n') => {
                Span::new(open, key.end as usize)
            }
            _ => Span::new(open, open + 1),
        }
    }

    /// A string token at the cursor (on its opening quote); returns the
    /// unescaped contents and leaves the cursor after the closing quote.
    fn string(&mut self) -> Result<String, ParseError> {
        self.pos += 1;
        let start = self.pos;
        // Fast path: no escapes, the contents are a slice of the text.
        loop {
            match self.peek() {
                Some(b'"') => {
                    let s = self.text[start..self.pos].to_owned();
                    self.pos += 1;
                    return Ok(s);
                }
                Some(b'\\') => break,
                Some(0..0x20) => return Err(self.error("control character in a string")),
                Some(_) => self.pos += 1,
                None => return Err(self.error("unterminated string")),
            }
        }
        let mut out = self.text[start..self.pos].to_owned();
        loop {
            let run = self.pos;
            while let Some(b) = self.peek() {
                if b == b'"' || b == b'\\' || b < 0x20 {
                    break;
                }
                self.pos += 1;
            }
            out.push_str(&self.text[run..self.pos]);
            match self.peek() {
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(out);
                }
                Some(b'\\') => self.escape(&mut out)?,
                Some(_) => return Err(self.error("control character in a string")),
                None => return Err(self.error("unterminated string")),
            }
        }
    }

    /// One escape sequence at the cursor (on the backslash).
    fn escape(&mut self, out: &mut String) -> Result<(), ParseError> {
        let at = self.pos;
        self.pos += 1;
        let c = match self.peek() {
            Some(b'"') => '"',
            Some(b'\\') => '\\',
            Some(b'/') => '/',
            Some(b'b') => '\u{8}',
            Some(b'f') => '\u{c}',
            Some(b'n') => '\n',
            Some(b'r') => '\r',
            Some(b't') => '\t',
            Some(b'u') => {
                self.pos += 1;
                return self.unicode_escape(at, out);
            }
            _ => {
                self.pos = at;
                return Err(self.error("invalid escape sequence in a string"));
            }
        };
        self.pos += 1;
        out.push(c);
        Ok(())
    }

    /// The rest of a `\uXXXX` escape (cursor after the `u`), with UTF-16
    /// surrogate pairs combined.
    fn unicode_escape(&mut self, at: usize, out: &mut String) -> Result<(), ParseError> {
        let high = self.hex4(at)?;
        let code = if (0xD800..0xDC00).contains(&high) {
            if !self.bytes[self.pos..].starts_with(b"\\u") {
                return Err(ParseError::at(
                    self.file,
                    at,
                    "unpaired surrogate in a string",
                ));
            }
            self.pos += 2;
            let low = self.hex4(at)?;
            if !(0xDC00..0xE000).contains(&low) {
                return Err(ParseError::at(
                    self.file,
                    at,
                    "unpaired surrogate in a string",
                ));
            }
            0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)
        } else {
            high
        };
        match char::from_u32(code) {
            Some(c) => {
                out.push(c);
                Ok(())
            }
            None => Err(ParseError::at(
                self.file,
                at,
                "unpaired surrogate in a string",
            )),
        }
    }

    /// Four hex digits at the cursor.
    fn hex4(&mut self, at: usize) -> Result<u32, ParseError> {
        let digits = self.bytes.get(self.pos..self.pos + 4);
        let parsed = digits
            .filter(|d| d.iter().all(u8::is_ascii_hexdigit))
            .and_then(|d| std::str::from_utf8(d).ok())
            .and_then(|d| u32::from_str_radix(d, 16).ok());
        match parsed {
            Some(v) => {
                self.pos += 4;
                Ok(v)
            }
            None => Err(ParseError::at(
                self.file,
                at,
                "invalid \\u escape in a string",
            )),
        }
    }

    /// A number token: integers that fit `i64`/`u64` stay integers, the rest
    /// become `f64` (as `serde_json` does).
    fn number(&mut self) -> Result<Number, ParseError> {
        let start = self.pos;
        let mut float = false;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.peek() {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => self.digits(),
            _ => return Err(self.error("invalid number: expected a digit")),
        }
        if self.peek() == Some(b'.') {
            float = true;
            self.pos += 1;
            self.required_digits()?;
        }
        if let Some(b'e' | b'E') = self.peek() {
            float = true;
            self.pos += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.pos += 1;
            }
            self.required_digits()?;
        }
        let token = &self.text[start..self.pos];
        let number = if float {
            None
        } else if let Ok(i) = token.parse::<i64>() {
            Some(Number::from(i))
        } else {
            token.parse::<u64>().ok().map(Number::from)
        };
        number
            .or_else(|| token.parse::<f64>().ok().and_then(Number::from_f64))
            .ok_or_else(|| ParseError::at(self.file, start, "number out of range"))
    }

    fn digits(&mut self) {
        while let Some(b'0'..=b'9') = self.peek() {
            self.pos += 1;
        }
    }

    fn required_digits(&mut self) -> Result<(), ParseError> {
        if !matches!(self.peek(), Some(b'0'..=b'9')) {
            return Err(self.error("invalid number: expected a digit"));
        }
        self.digits();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::testing::span_at;

    fn file(text: &str) -> Arc<SourceFile> {
        Arc::new(SourceFile::new("t.json", text))
    }

    fn at(f: &SourceFile, map: &SourceMap, p: &[&str]) -> (u32, u32, String) {
        span_at(&[f], map, p)
    }

    fn err(text: &str) -> (u32, u32, String) {
        let f = file(text);
        let e = load(&f).expect_err("should fail");
        let pos = f.position(e.start);
        (pos.line, pos.column, e.message)
    }

    const PRETTY: &str = r#"{
  "kind": "Pod",
  "spec": {
    "containers": [
      {
        "name": "web",
        "image": "nginx:latest",
        "ports": [ { "containerPort": 22 } ]
      }
    ],
    "enabled": true,
    "ratio": -1.5e2,
    "none": null
  }
}
"#;

    #[test]
    fn values_and_scalar_spans() {
        let f = file(PRETTY);
        let (v, m) = load(&f).expect("parses");
        assert_eq!(v["spec"]["containers"][0]["image"], "nginx:latest");
        assert_eq!(v["spec"]["ratio"], -150.0);
        assert_eq!(v["spec"]["containers"][0]["ports"][0]["containerPort"], 22);
        assert_eq!(
            at(&f, &m, &["spec", "containers", "0", "image"]),
            (7, 18, "\"nginx:latest\"".into())
        );
        assert_eq!(at(&f, &m, &["spec", "enabled"]), (11, 16, "true".into()));
        assert_eq!(at(&f, &m, &["spec", "ratio"]), (12, 14, "-1.5e2".into()));
        assert_eq!(at(&f, &m, &["spec", "none"]), (13, 13, "null".into()));
    }

    #[test]
    fn container_heads_are_keys_or_brackets() {
        let f = file(PRETTY);
        let (_, m) = load(&f).expect("parses");
        assert_eq!(at(&f, &m, &["spec"]), (3, 3, "\"spec\"".into()));
        assert_eq!(
            at(&f, &m, &["spec", "containers"]),
            (4, 5, "\"containers\"".into())
        );
        // An array item on its own line: just the brace.
        assert_eq!(at(&f, &m, &["spec", "containers", "0"]), (5, 7, "{".into()));
        // An array item with its first key on the same line.
        assert_eq!(
            at(&f, &m, &["spec", "containers", "0", "ports", "0"]),
            (8, 20, "{ \"containerPort\"".into())
        );
        assert_eq!(at(&f, &m, &[]), (1, 1, "{".into()));
    }

    #[test]
    fn escapes_unicode_and_duplicates() {
        let f = file(
            "{\"k\": \"a\\n\\u00e9\\ud83d\\ude00\\\"\", \"é\": [1, 18446744073709551615, 1e400], \"k\": 2}",
        );
        let e = load(&f).expect_err("1e400 is out of range");
        assert_eq!(e.message, "number out of range");
        let f = file(
            "{\"k\": \"a\\n\\u00e9\\ud83d\\ude00\\\"\", \"é\": [1, 18446744073709551615], \"d\": 1, \"d\": 2}",
        );
        let (v, m) = load(&f).expect("parses");
        assert_eq!(v["k"], "a\né😀\"");
        assert_eq!(v["é"][1], u64::MAX);
        assert_eq!(v["d"], 2);
        // Column counts characters: "é" is one column though two bytes.
        let (line, col, text) = at(&f, &m, &["é", "1"]);
        assert_eq!((line, col, text.as_str()), (1, 43, "18446744073709551615"));
        assert_eq!(at(&f, &m, &["d"]).2, "2");
    }

    #[test]
    fn minified_root_head_is_brace_through_first_key() {
        let f = file("{\"format_version\":\"1.2\",\"x\":[[1],{}]}");
        let (v, m) = load(&f).expect("parses");
        assert_eq!(v["x"][1], serde_json::json!({}));
        assert_eq!(at(&f, &m, &[]).2, "{\"format_version\"");
        assert_eq!(at(&f, &m, &["x", "0"]).2, "[");
        assert_eq!(at(&f, &m, &["x", "1"]).2, "{}");
    }

    #[test]
    fn errors_are_located_exactly() {
        assert_eq!(
            err("{\n  \"a\": 1,\n  \"b\" 2\n}"),
            (
                3,
                7,
                "unexpected character '2', expected ':' after an object key".into()
            )
        );
        assert_eq!(
            err("{\"a\": [1, 2,]}"),
            (
                1,
                13,
                "unexpected character ']', expected a JSON value".into()
            )
        );
        assert_eq!(
            err("{\"a\": 1,}"),
            (
                1,
                9,
                "unexpected character '}', expected a string key".into()
            )
        );
        assert_eq!(
            err("[1, 2"),
            (
                1,
                6,
                "unexpected end of input, expected ',' or ']' after an array item".into()
            )
        );
        assert_eq!(err("{\"a\": \"x"), (1, 9, "unterminated string".into()));
        assert_eq!(
            err("\"a\\qb\""),
            (1, 3, "invalid escape sequence in a string".into())
        );
        assert_eq!(
            err("[01]"),
            (
                1,
                3,
                "unexpected character '1', expected ',' or ']' after an array item".into()
            )
        );
        assert_eq!(
            err("[1.]"),
            (1, 4, "invalid number: expected a digit".into())
        );
        assert_eq!(
            err("{} x"),
            (1, 4, "unexpected characters after the JSON value".into())
        );
        assert_eq!(
            err("// c\n{}"),
            (
                1,
                1,
                "unexpected character '/', expected a JSON value".into()
            )
        );
        assert_eq!(
            err("[tru]"),
            (
                1,
                2,
                "unexpected character 't', expected a JSON value".into()
            )
        );
        assert_eq!(
            err("\"\\ud800\""),
            (1, 2, "unpaired surrogate in a string".into())
        );
        assert_eq!(
            err(""),
            (
                1,
                1,
                "unexpected end of input, expected a JSON value".into()
            )
        );
        assert_eq!(
            err("\"a\tb\""),
            (1, 3, "control character in a string".into())
        );
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        let ok = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert!(load(&file(&ok)).is_ok());
        let deep = "[".repeat(MAX_DEPTH + 1) + &"]".repeat(MAX_DEPTH + 1);
        assert_eq!(
            err(&deep),
            (
                1,
                MAX_DEPTH as u32 + 1,
                format!("JSON nesting deeper than {MAX_DEPTH} levels")
            )
        );
        let bomb = "{\"a\":".repeat(100_000);
        assert!(err(&bomb).2.contains("nesting"));
    }

    /// A generated ~50 MB plan, for timing by hand:
    /// `cargo test --lib parse::json -- --ignored --nocapture`.
    #[test]
    #[ignore]
    fn big_plan_is_linear() {
        let mut text = String::from("{\"format_version\":\"1.2\",\"resource_changes\":[");
        let mut i = 0;
        while text.len() < 50_000_000 {
            if i > 0 {
                text.push(',');
            }
            text.push_str(&format!(
                "{{\"address\":\"aws_instance.web[{i}]\",\"type\":\"aws_instance\",\"change\":{{\"actions\":[\"update\"],\"before\":{{\"ami\":\"ami-123\",\"tags\":{{\"Name\":\"web-{i}\"}},\"count\":{i},\"ebs_optimized\":true,\"cpu\":1.5}},\"after\":{{\"ami\":\"ami-456\",\"tags\":{{\"Name\":\"web-{i}\\u00e9\"}},\"count\":{i},\"ebs_optimized\":false,\"cpu\":null}}}}}}"
            ));
            i += 1;
        }
        text.push_str("]}");
        let f = file(&text);
        let started = std::time::Instant::now();
        let (v, _) = load(&f).expect("parses");
        let took = started.elapsed();
        assert_eq!(v["resource_changes"].as_array().map(Vec::len), Some(i));
        eprintln!("{} MB in {took:?}", text.len() / 1_000_000);
    }
}
