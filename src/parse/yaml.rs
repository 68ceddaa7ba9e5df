//! YAML text to `serde_json::Value`s plus [`SourceMap`]s, one per YAML
//! document of a stream, built on the `saphyr-parser` event API.
//!
//! Why a loader of our own rather than a YAML-to-serde crate: rules need a
//! span for every value, anchors and merge keys must be bounded (alias
//! bombs), and one broken document must not hide the others.
//!
//! Scalars are resolved the way Kubernetes reads manifests (the `goyaml.v2`
//! resolver behind `sigs.k8s.io/yaml`), so a rule sees what the API server
//! would: `null`/`~`/empty → null; `true`/`false` and the YAML 1.1 words
//! `yes`/`no`/`on`/`off`/`y`/`n` (in their three capitalisations) →
//! booleans; integers in decimal, `0x`, `0o`, `0b` and leading-zero octal
//! (`0644` → 420), `_` separators allowed; floats (`1.5`, `.5`, `1e3`).
//! Integers that fit `i64`/`u64` stay integers, larger ones become floats.
//! `.inf`/`.nan` and out-of-range floats stay strings (JSON has no such
//! numbers). Quoted and block scalars, `!!str` and custom tags (`!Ref x`)
//! are strings. Mapping keys are always strings: a scalar key is its text as
//! written (`1: a` → `"1"`, `yes: a` → `"yes"`), other keys their JSON text.
//! Duplicate keys: the last one wins. `!!binary` scalars are decoded
//! (base64) before anything sees them, keys included, as go-yaml does.
//!
//! Line breaks are YAML 1.1's (NEL, LS and PS break lines as in go-yaml),
//! and a tab after a mapping `:` separates as go-yaml accepts it: the
//! YAML 1.2 parser is fed a text where those differences are mapped, one
//! character for one, so spans still address the original text.

use std::borrow::Cow;
use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

use saphyr_parser::{Event, Parser, ScalarStyle, Tag};
use serde_json::{Map, Number, Value};

use crate::document::{Children, ParseError, SourceFile, SourceMap, Span};

/// Mappings and sequences nested deeper than this are rejected.
pub const MAX_DEPTH: usize = 128;

/// How many nodes alias expansion may copy in a whole file (counting the
/// copy of each anchored node kept for its aliases) before the file is
/// rejected: real manifests reuse a few small anchors; a "billion laughs"
/// document would otherwise expand to billions of nodes.
pub const MAX_ALIAS_NODES: usize = 100_000;

/// How many bytes of values alias expansion may produce in a whole file
/// (scalar text and keys, counting the copy of each anchored node kept for
/// its aliases). The node budget alone lets one large scalar behind an
/// anchor, used a few thousand times, grow a 1 MB file into gigabytes.
pub const MAX_ALIAS_BYTES: usize = 16 * 1024 * 1024;

/// One document of a YAML stream: where it is in the file and what it holds.
#[derive(Debug)]
pub struct YamlDocument {
    /// Byte offset where the document starts (its `---`, or its first token).
    pub start: usize,
    /// Byte offset where it ends (the next document's start, `...`, or the
    /// end of the text; for a broken document, where parsing resumed).
    pub end: usize,
    /// The document's value and spans (`null` for an empty document), or the
    /// error that stopped it.
    pub result: Result<(Value, SourceMap), ParseError>,
}

/// Parses every document of a YAML stream. A syntax error ends its document
/// only: parsing resumes at the next `---` line after the error, so the
/// documents before and after a broken one are still returned.
pub fn load_stream(file: &Arc<SourceFile>) -> Vec<YamlDocument> {
    let mut docs = Vec::new();
    for_each_document(file, |doc| docs.push(doc));
    docs
}

/// [`load_stream`] one document at a time: each document is handed to
/// `emit` as soon as it is complete, so memory holds one document's values
/// rather than the whole stream's (a 50 MB manifest file is 90,000 objects).
pub fn for_each_document(file: &Arc<SourceFile>, mut emit: impl FnMut(YamlDocument)) {
    let mut parsed_text = yaml11_line_breaks(&file.text);
    let mut budget = AliasBudget::default();
    let mut base = 0;
    let mut reread = TabBudget::new(file.text.len());
    let ascii = file.text.is_ascii();
    loop {
        let run = Run {
            parsed_text: &parsed_text,
            base,
            ascii,
        };
        let Some(error_at) = load_from(file, &run, &mut emit, &mut budget) else {
            break;
        };
        let (at, mut failed) = error_at;
        if reread.allows(at.saturating_sub(failed.start))
            && let Some(tab) = tab_after_colon(&file.text, &parsed_text, &failed)
        {
            // Read the document again from its start, the tab now a space
            // (in place: ASCII for ASCII, the text stays valid UTF-8).
            parsed_text.to_mut().replace_range(tab..=tab, " ");
            base = failed.start;
            continue;
        }
        let next = resume_point(&file.text, at, base);
        failed.end = next.unwrap_or(file.text.len()).max(failed.start);
        emit(failed);
        match next {
            Some(next) => base = next,
            None => break,
        }
    }
}

/// How much text may be parsed again after tabs made spaces (see
/// [`tab_after_colon`]): each fix reads its document again up to the tab,
/// so one large document with many tabs would cost quadratic time. Past
/// this budget (four times the file, plus 1 MB) the error stands, as a
/// `PARSE001`.
struct TabBudget {
    left: usize,
}

impl TabBudget {
    fn new(file_len: usize) -> Self {
        TabBudget {
            left: file_len.saturating_mul(4).saturating_add(1 << 20),
        }
    }

    /// Whether `bytes` more may be read again, charging them if so.
    fn allows(&mut self, bytes: usize) -> bool {
        let Some(left) = self.left.checked_sub(bytes) else {
            return false;
        };
        self.left = left;
        true
    }
}

/// go-yaml (YAML 1.1, kubectl) accepts a tab as the blank after a mapping
/// `:` (`kind:<TAB>Pod`); the YAML 1.2 parser refuses it. When that is the
/// error, returns the byte offset of that tab in the parsed text, to be made
/// a space (one byte for one, so every offset stays) and the document read
/// again.
fn tab_after_colon(original: &str, parsed: &str, failed: &YamlDocument) -> Option<usize> {
    let err = failed.result.as_ref().err()?;
    if !err
        .message
        .contains("':' must be followed by a valid YAML whitespace")
    {
        return None;
    }
    let at = parsed_offset(original, parsed, err.start);
    let tab = at.checked_sub(1)?;
    let bytes = parsed.as_bytes();
    if bytes.get(tab) != Some(&b'\t') || tab == 0 || bytes[tab - 1] != b':' {
        return None;
    }
    Some(tab)
}

/// The byte offset in `parsed` (the text the parser reads) of byte offset
/// `at` of `original`: the same character index, since
/// [`yaml11_line_breaks`] replaces characters one for one.
fn parsed_offset(original: &str, parsed: &str, at: usize) -> usize {
    if original.len() == parsed.len() {
        return at;
    }
    let chars = original.get(..at).map_or(0, |s| s.chars().count());
    parsed
        .char_indices()
        .nth(chars)
        .map_or(parsed.len(), |(i, _)| i)
}

/// The text the YAML parser reads: YAML 1.1 (go-yaml, hence kubectl) also
/// breaks lines at NEL (U+0085), LS (U+2028) and PS (U+2029), where YAML 1.2
/// does not, so a comment ending in one of them would otherwise hide the
/// next line from us but not from the cluster. Each becomes `\n`: one
/// character for one, so the parser's character indexes still address the
/// original text.
fn yaml11_line_breaks(text: &str) -> Cow<'_, str> {
    const BREAKS: [char; 3] = ['\u{85}', '\u{2028}', '\u{2029}'];
    if text.is_ascii() || !has_yaml11_break(text.as_bytes()) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(text.replace(BREAKS, "\n"))
}

/// Whether UTF-8 text holds NEL (`C2 85`), LS (`E2 80 A8`) or PS
/// (`E2 80 A9`): found by their lead bytes, which non-ASCII text holds far
/// less often than characters (a `str::contains` over a set of characters
/// decodes every one of them).
fn has_yaml11_break(bytes: &[u8]) -> bool {
    memchr::memchr2_iter(0xC2, 0xE2, bytes).any(|i| match bytes[i] {
        0xC2 => bytes.get(i + 1) == Some(&0x85),
        _ => bytes
            .get(i + 1..i + 3)
            .is_some_and(|t| t == [0x80, 0xA8] || t == [0x80, 0xA9]),
    })
}

/// A document that failed.
fn failed(start: usize, end: usize, err: ParseError) -> YamlDocument {
    YamlDocument {
        start,
        end,
        result: Err(err),
    }
}

/// One run of the parser: the text it reads, where in the file it starts,
/// and whether the file is ASCII (searched once per file, not per run).
struct Run<'a> {
    parsed_text: &'a str,
    base: usize,
    ascii: bool,
}

/// Runs one parser over `parsed_text[base..]`, handing documents to `emit`
/// as they complete. Returns the byte offset of the error that stopped it,
/// if one did, with the failed document (its end still to be set).
fn load_from(
    file: &Arc<SourceFile>,
    run: &Run,
    emit: &mut impl FnMut(YamlDocument),
    budget: &mut AliasBudget,
) -> Option<(usize, YamlDocument)> {
    let (parsed_text, base) = (run.parsed_text, run.base);
    let mut parser =
        Parser::new_from_str(&parsed_text[parsed_offset(&file.text, parsed_text, base)..]);
    let offsets = Offsets::new(&file.text[base..], base, run.ascii);
    let mut loader = Loader::new(file, offsets, budget);
    loop {
        // The parser's panics are caught event by event, so a panic in
        // `emit` (the caller's code) is not mistaken for a parser failure.
        let next = match catch_unwind(AssertUnwindSafe(|| parser.next_event())) {
            Ok(next) => next,
            Err(_) => {
                let err = ParseError::at(file, base, "YAML parser failed on this input");
                // At the end of the text: no resuming after a parser failure.
                return Some((file.text.len(), failed(base, file.text.len(), err)));
            }
        };
        let next = next?;
        let step = match next {
            Ok((event, span)) => {
                let start = loader.offsets.byte(span.start.index());
                let end = loader.offsets.byte(span.end.index());
                loader.event(event, start, end.max(start))
            }
            Err(e) => {
                let at = loader.offsets.byte(e.marker().index());
                Err(ParseError::at(
                    file,
                    at,
                    format!("YAML syntax error: {}", e.info()),
                ))
            }
        };
        match step {
            Ok(Some(doc)) => emit(doc),
            Ok(None) => {}
            Err(err) => {
                let at = err.start;
                let start = loader.doc_start.unwrap_or(loader.last_end).min(at);
                return Some((at, failed(start, at, err)));
            }
        }
    }
}

/// Where to restart after an error at `error_at`: the start of the first
/// line at or after it that begins a new document (`---`), past `base` so
/// every restart makes progress.
fn resume_point(text: &str, error_at: usize, base: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut line = error_at.min(bytes.len());
    if line > 0 && bytes[line - 1] != b'\n' {
        line += memchr_newline(&bytes[line..])? + 1;
    }
    while line < bytes.len() {
        let rest = &bytes[line..];
        if line > base
            && rest.starts_with(b"---")
            && matches!(rest.get(3), None | Some(b' ' | b'\t' | b'\r' | b'\n'))
        {
            return Some(line);
        }
        line += memchr_newline(rest)? + 1;
    }
    None
}

fn memchr_newline(bytes: &[u8]) -> Option<usize> {
    bytes.iter().position(|&b| b == b'\n')
}

/// Converts the parser's character indexes into byte offsets of the file.
/// ASCII text (nearly all manifests) maps one to one; otherwise a cursor
/// walks the text, which is linear because events arrive in text order.
struct Offsets<'a> {
    text: &'a str,
    base: usize,
    ascii: bool,
    chars: usize,
    bytes: usize,
}

impl<'a> Offsets<'a> {
    /// `ascii`: whether the whole file is ASCII (known once per file, not
    /// searched again at each restart of the parser).
    fn new(text: &'a str, base: usize, ascii: bool) -> Self {
        Offsets {
            text,
            base,
            ascii,
            chars: 0,
            bytes: 0,
        }
    }

    /// The file byte offset of character index `index` of `text`.
    fn byte(&mut self, index: usize) -> usize {
        if self.ascii {
            return self.base + index.min(self.text.len());
        }
        while self.chars < index {
            // ASCII stretches (most of any text) are passed at once
            let rest = &self.text.as_bytes()[self.bytes..];
            let ahead = &rest[..rest.len().min(index - self.chars)];
            let ascii = ahead
                .iter()
                .position(|b| !b.is_ascii())
                .unwrap_or(ahead.len());
            if ascii > 0 {
                self.bytes += ascii;
                self.chars += ascii;
                continue;
            }
            let Some(c) = self.text[self.bytes..].chars().next() else {
                break;
            };
            self.bytes += c.len_utf8();
            self.chars += 1;
        }
        while self.chars > index {
            let Some(c) = self.text[..self.bytes].chars().next_back() else {
                break;
            };
            self.bytes -= c.len_utf8();
            self.chars -= 1;
        }
        self.base + self.bytes
    }
}

/// A finished value with its spans and its size in nodes and bytes (for the
/// alias budget).
#[derive(Clone)]
struct Node {
    value: Value,
    map: SourceMap,
    size: usize,
    /// Bytes of scalar and key text in the value (see [`MAX_ALIAS_BYTES`]).
    bytes: usize,
    /// Levels of mappings and sequences in the value (0 for a scalar), so
    /// an alias cannot nest a document deeper than [`MAX_DEPTH`].
    depth: usize,
    /// An anchored scalar's text as written, for use as a key through an
    /// alias (keys are never resolved).
    text: Option<String>,
}

/// A mapping key: its text, its span, and whether it is the merge key `<<`.
struct Key {
    text: String,
    span: Span,
    merge: bool,
}

/// A mapping or sequence being built.
struct Frame {
    body: Body,
    head: Span,
    /// The head is provisional: a mapping that is a sequence item or the
    /// root takes its first key as head.
    head_from_first_key: bool,
    anchor: usize,
    size: usize,
    bytes: usize,
    /// The deepest child's depth so far.
    depth: usize,
}

enum Body {
    Seq(Vec<Value>, Vec<SourceMap>),
    Map {
        values: Map<String, Value>,
        /// In the order the keys come, sorted once when the mapping closes.
        spans: Vec<(String, SourceMap)>,
        key: Option<Key>,
    },
}

/// Builds values from parser events, one document at a time.
struct Loader<'a, 'b> {
    file: &'a Arc<SourceFile>,
    offsets: Offsets<'a>,
    stack: Vec<Frame>,
    anchors: HashMap<usize, Node>,
    root: Option<Node>,
    doc_start: Option<usize>,
    /// Where the last complete document ended (where the run started,
    /// before any): a document whose start the parser never reported
    /// (an error in its first token) starts there.
    last_end: usize,
    budget: &'b mut AliasBudget,
}

type Step = Result<Option<YamlDocument>, ParseError>;

impl<'a, 'b> Loader<'a, 'b> {
    fn new(file: &'a Arc<SourceFile>, offsets: Offsets<'a>, budget: &'b mut AliasBudget) -> Self {
        let base = offsets.base;
        Loader {
            file,
            offsets,
            stack: Vec::new(),
            anchors: HashMap::new(),
            root: None,
            doc_start: None,
            last_end: base,
            budget,
        }
    }

    fn text(&self) -> &'a str {
        &self.file.text
    }

    /// Handles one event spanning bytes `start..end`; returns a document when
    /// one is complete.
    fn event(&mut self, event: Event<'_>, start: usize, end: usize) -> Step {
        match event {
            Event::DocumentStart(_) => {
                self.doc_start = Some(start);
                self.anchors.clear();
                self.stack.clear();
                self.root = None;
            }
            Event::DocumentEnd => return Ok(self.finish_document(start)),
            Event::Scalar(value, style, anchor, tag) => {
                self.scalar(value, style, anchor, tag.as_deref(), start, end)?;
            }
            Event::Alias(id) => self.alias(id, start, end)?,
            Event::SequenceStart(anchor, _) => {
                self.open(Body::Seq(Vec::new(), Vec::new()), anchor, start, end)?;
            }
            Event::MappingStart(anchor, _) => {
                let body = Body::Map {
                    values: Map::new(),
                    spans: Vec::new(),
                    key: None,
                };
                self.open(body, anchor, start, end)?;
            }
            Event::SequenceEnd | Event::MappingEnd => self.close()?,
            Event::StreamStart | Event::StreamEnd | Event::Nothing => {}
        }
        Ok(None)
    }

    /// The document just ended at `end`.
    fn finish_document(&mut self, end: usize) -> Option<YamlDocument> {
        let start = self.doc_start.take()?;
        self.last_end = end.max(start);
        let node = self.root.take().unwrap_or(Node {
            value: Value::Null,
            map: SourceMap::leaf(Span::new(start, start)),
            size: 1,
            bytes: 0,
            depth: 0,
            text: None,
        });
        Some(YamlDocument {
            start,
            end: end.max(start),
            result: Ok((node.value, node.map)),
        })
    }

    fn scalar(
        &mut self,
        raw: Cow<'_, str>,
        style: ScalarStyle,
        anchor: usize,
        tag: Option<&Tag>,
        start: usize,
        end: usize,
    ) -> Result<(), ParseError> {
        let span = self.token_span(start, end, anchor != 0 || tag.is_some(), &raw, style);
        let plain = matches!(style, ScalarStyle::Plain);
        let raw = if is_binary(tag) {
            Cow::Owned(self.binary(&raw, span)?)
        } else {
            raw
        };
        if self.expects_key() {
            // Keys keep their text as written, anchored or not.
            if anchor != 0 {
                let value = resolve(raw.to_string(), plain, tag);
                let node = Node {
                    value,
                    map: SourceMap::leaf(span),
                    size: 1,
                    bytes: raw.len(),
                    depth: 0,
                    text: Some(raw.to_string()),
                };
                self.remember(anchor, &node)?;
            }
            let merge = plain && tag.is_none() && raw == "<<";
            self.set_key(Key {
                text: raw.into_owned(),
                span,
                merge,
            });
            return Ok(());
        }
        let text = (anchor != 0).then(|| raw.to_string());
        let bytes = raw.len();
        let value = resolve(raw.into_owned(), plain, tag);
        let span = match (&value, self.pending_key_span()) {
            // `key:` with nothing after it: point at the key.
            (Value::Null, Some(key)) if span.start == span.end => key,
            _ => span,
        };
        let node = Node {
            value,
            map: SourceMap::leaf(span),
            size: 1,
            bytes,
            depth: 0,
            text,
        };
        self.complete(node, anchor)
    }

    /// The text of a `!!binary` scalar, decoded as go-yaml does before
    /// Kubernetes sees it (base64, line breaks ignored; bytes that are not
    /// UTF-8 become U+FFFD, as Go's JSON encoder writes them). The cluster
    /// runs the decoded value, so rules must see it; base64 that does not
    /// decode is refused by kubectl, and so here.
    fn binary(&self, raw: &str, span: Span) -> Result<String, ParseError> {
        match decode_base64(raw) {
            Some(bytes) => Ok(String::from_utf8_lossy(&bytes).into_owned()),
            None => Err(ParseError::at(
                self.file,
                span.start as usize,
                "YAML `!!binary` value is not valid base64",
            )),
        }
    }

    /// The span of a scalar token: anchors and tags before it skipped, the
    /// trailing line breaks and indentation of block scalars trimmed.
    fn token_span(
        &self,
        start: usize,
        end: usize,
        props: bool,
        raw: &str,
        style: ScalarStyle,
    ) -> Span {
        let text = self.text();
        let start = if props {
            skip_properties(text, start, end)
        } else {
            start
        };
        if raw.is_empty() && matches!(style, ScalarStyle::Plain) {
            return Span::new(start, start);
        }
        let trimmed = text
            .get(start..end)
            .map_or(0, |s| s.len() - s.trim_end().len());
        Span::new(start, end - trimmed)
    }

    fn alias(&mut self, id: usize, start: usize, end: usize) -> Result<(), ParseError> {
        let Some(node) = self.anchors.get(&id) else {
            return Err(ParseError::at(
                self.file,
                start,
                "YAML alias refers to an anchor that is not defined before it in this document",
            ));
        };
        if self.stack.len() + node.depth > MAX_DEPTH {
            return Err(ParseError::at(
                self.file,
                start,
                format!("YAML nesting deeper than {MAX_DEPTH} levels (through an alias)"),
            ));
        }
        self.budget.charge(node, self.file, Span::new(start, end))?;
        let mut node = node.clone();
        if !matches!(node.map.children, Children::Leaf) {
            node.map.span = self.pending_key_span().unwrap_or(Span::new(start, end));
        }
        if self.expects_key() {
            let text = node.text.unwrap_or_else(|| key_text(&node.value));
            self.set_key(Key {
                text,
                span: Span::new(start, end),
                merge: false,
            });
            return Ok(());
        }
        self.complete(node, 0)
    }

    /// Starts a mapping or sequence, refusing to nest past [`MAX_DEPTH`].
    fn open(
        &mut self,
        body: Body,
        anchor: usize,
        start: usize,
        end: usize,
    ) -> Result<(), ParseError> {
        if self.stack.len() >= MAX_DEPTH {
            return Err(ParseError::at(
                self.file,
                start,
                format!("YAML nesting deeper than {MAX_DEPTH} levels"),
            ));
        }
        let props = anchor != 0
            || self
                .text()
                .get(start..end)
                .is_some_and(|s| s.starts_with('!'));
        let start = if props {
            skip_properties(self.text(), start, end)
        } else {
            start
        };
        let is_map = matches!(body, Body::Map { .. });
        let (head, head_from_first_key) = match self.pending_key_span() {
            Some(key) => (key, false),
            None if is_map => (
                Span::new(start, end.max(start + 1).min(self.text().len())),
                true,
            ),
            None => (line_head(self.text(), start), false),
        };
        self.stack.push(Frame {
            body,
            head,
            head_from_first_key,
            anchor,
            size: 1,
            bytes: 0,
            depth: 0,
        });
        Ok(())
    }

    /// Ends the innermost mapping or sequence.
    fn close(&mut self) -> Result<(), ParseError> {
        let Some(frame) = self.stack.pop() else {
            return Ok(());
        };
        let (value, map) = match frame.body {
            Body::Seq(values, spans) => (Value::Array(values), SourceMap::array(frame.head, spans)),
            Body::Map { values, spans, .. } => (
                Value::Object(values),
                SourceMap::object(frame.head, spans.into()),
            ),
        };
        let node = Node {
            value,
            map,
            size: frame.size,
            bytes: frame.bytes,
            depth: frame.depth + 1,
            text: None,
        };
        self.complete(node, frame.anchor)
    }

    /// Whether the innermost collection is a mapping waiting for a key.
    fn expects_key(&self) -> bool {
        matches!(
            self.stack.last(),
            Some(Frame {
                body: Body::Map { key: None, .. },
                ..
            })
        )
    }

    /// The span of the key whose value comes next, if any.
    fn pending_key_span(&self) -> Option<Span> {
        match self.stack.last() {
            Some(Frame {
                body: Body::Map { key: Some(k), .. },
                ..
            }) => Some(k.span),
            _ => None,
        }
    }

    fn set_key(&mut self, key: Key) {
        if let Some(frame) = self.stack.last_mut() {
            if frame.head_from_first_key {
                frame.head = key.span;
                frame.head_from_first_key = false;
            }
            if let Body::Map { key: slot, .. } = &mut frame.body {
                *slot = Some(key);
            }
        }
    }

    /// Keeps a copy of an anchored node for later aliases; the copy costs as
    /// much as an expansion, so it is charged to the alias budget.
    fn remember(&mut self, anchor: usize, node: &Node) -> Result<(), ParseError> {
        self.budget.charge(node, self.file, node.map.span)?;
        self.anchors.insert(anchor, node.clone());
        Ok(())
    }

    /// Records an anchored node and attaches a finished node to its parent
    /// (or makes it the document's root).
    fn complete(&mut self, node: Node, anchor: usize) -> Result<(), ParseError> {
        if anchor != 0 {
            self.remember(anchor, &node)?;
        }
        if self.expects_key() {
            let text = node.text.unwrap_or_else(|| key_text(&node.value));
            self.set_key(Key {
                text,
                span: node.map.span,
                merge: false,
            });
            return Ok(());
        }
        let Some(frame) = self.stack.last_mut() else {
            self.root = Some(node);
            return Ok(());
        };
        frame.size += node.size;
        frame.bytes += node.bytes;
        frame.depth = frame.depth.max(node.depth);
        match &mut frame.body {
            Body::Seq(values, spans) => {
                values.push(node.value);
                spans.push(node.map);
                Ok(())
            }
            Body::Map { values, spans, key } => {
                let Some(key) = key.take() else {
                    return Ok(());
                };
                frame.bytes += key.text.len();
                if key.merge {
                    return merge(self.file, &key, node, values, spans);
                }
                spans.push((key.text.clone(), node.map));
                values.insert(key.text, node.value);
                Ok(())
            }
        }
    }
}

/// What alias expansion has copied so far in a file, in nodes and bytes,
/// against [`MAX_ALIAS_NODES`] and [`MAX_ALIAS_BYTES`].
#[derive(Default)]
struct AliasBudget {
    nodes: usize,
    bytes: usize,
}

impl AliasBudget {
    /// Charges one copy of `node`, made at `span`. Over either limit the
    /// document cannot be bounded: an `EVAL001` at the copy that crossed it
    /// (the file is well-formed; the gate cannot vouch for this document).
    fn charge(
        &mut self,
        node: &Node,
        file: &Arc<SourceFile>,
        span: Span,
    ) -> Result<(), ParseError> {
        self.nodes += node.size;
        self.bytes += node.bytes;
        let over = if self.nodes > MAX_ALIAS_NODES {
            format!("{MAX_ALIAS_NODES} nodes")
        } else if self.bytes > MAX_ALIAS_BYTES {
            format!("{} MB", MAX_ALIAS_BYTES >> 20)
        } else {
            return Ok(());
        };
        Err(ParseError::incomplete(
            file,
            span.start as usize,
            span.end as usize,
            format!("YAML alias expansion exceeds {over}: this document is not checked"),
        ))
    }
}

/// Applies a merge key (`<<: *base` or `<<: [*a, *b]`): entries not already
/// in the mapping are added, earlier sources first; keys written in the
/// mapping itself win over merged ones wherever they appear.
fn merge(
    file: &Arc<SourceFile>,
    key: &Key,
    node: Node,
    values: &mut Map<String, Value>,
    spans: &mut Vec<(String, SourceMap)>,
) -> Result<(), ParseError> {
    let sources = match (node.value, node.map.children) {
        (Value::Object(m), Children::Object(s)) => vec![(m, s)],
        (Value::Array(items), Children::Array(item_maps)) => {
            let mut sources = Vec::new();
            for (item, item_map) in items.into_iter().zip(item_maps) {
                match (item, item_map.children) {
                    (Value::Object(m), Children::Object(s)) => sources.push((m, s)),
                    _ => return Err(merge_error(file, key)),
                }
            }
            sources
        }
        _ => return Err(merge_error(file, key)),
    };
    for (source, mut source_spans) in sources {
        for (k, v) in source {
            if values.contains_key(&k) {
                continue;
            }
            // taken, not removed: no shifting, and the source is dropped after
            if let Some(s) = source_spans.get_mut(&k) {
                spans.push((k.clone(), std::mem::take(s)));
            }
            values.insert(k, v);
        }
    }
    Ok(())
}

fn merge_error(file: &Arc<SourceFile>, key: &Key) -> ParseError {
    ParseError::at(
        file,
        key.span.start as usize,
        "YAML merge key `<<` needs a mapping or a list of mappings",
    )
}

/// The text of a key that is not a plain scalar: strings as they are, other
/// values as JSON.
fn key_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Skips anchors (`&a`), tags (`!t`) and the whitespace and comments after
/// them, so a span starts at the value itself.
fn skip_properties(text: &str, start: usize, end: usize) -> usize {
    let bytes = text.as_bytes();
    let end = end.min(bytes.len());
    let mut pos = start;
    while pos < end && matches!(bytes[pos], b'&' | b'!') {
        while pos < end && !bytes[pos].is_ascii_whitespace() {
            pos += 1;
        }
        while pos < end && bytes[pos].is_ascii_whitespace() {
            pos += 1;
        }
        if pos < end && bytes[pos] == b'#' {
            pos += memchr_newline(&bytes[pos..end]).unwrap_or(end - pos);
            while pos < end && bytes[pos].is_ascii_whitespace() {
                pos += 1;
            }
        }
    }
    if pos >= end { start } else { pos }
}

/// From `start` to the end of its line, trailing whitespace trimmed: the
/// head of a sequence that no key introduced.
fn line_head(text: &str, start: usize) -> Span {
    let rest = text.get(start..).unwrap_or("");
    let line = rest.split(['\n', '\r']).next().unwrap_or("");
    Span::new(start, start + line.trim_end().len())
}

/// Whether a scalar is tagged `!!binary` (`tag:yaml.org,2002:binary`).
fn is_binary(tag: Option<&Tag>) -> bool {
    tag.is_some_and(|t| core_tag(t).as_deref() == Some("binary"))
}

/// The name of a tag of YAML's core schema (`int`, `binary`) however it is
/// written: `!!int`, verbatim (`!<tag:yaml.org,2002:int>`), or through a
/// `%TAG` handle whose prefix holds part of the name. go-yaml resolves the
/// tag as its prefix and suffix put together, so this does too.
fn core_tag(tag: &Tag) -> Option<String> {
    let full = format!("{}{}", tag.handle, tag.suffix);
    full.strip_prefix("tag:yaml.org,2002:").map(str::to_string)
}

/// Standard base64 as Go's `base64.StdEncoding.DecodeString` reads it:
/// `\r` and `\n` are skipped, padding is required, other bytes are errors.
fn decode_base64(text: &str) -> Option<Vec<u8>> {
    let digits: Vec<u8> = text
        .bytes()
        .filter(|b| !matches!(b, b'\r' | b'\n'))
        .collect();
    if !digits.len().is_multiple_of(4) {
        return None;
    }
    let mut out = Vec::with_capacity(digits.len() / 4 * 3);
    for (i, quad) in digits.chunks(4).enumerate() {
        let last = (i + 1) * 4 == digits.len();
        let pad = quad.iter().rev().take_while(|&&b| b == b'=').count();
        if pad > 2 || (pad > 0 && !last) {
            return None;
        }
        let mut acc = 0u32;
        for &b in &quad[..4 - pad] {
            acc = acc << 6 | u32::from(base64_value(b)?);
        }
        acc <<= 6 * pad as u32;
        let bytes = acc.to_be_bytes();
        out.extend_from_slice(&bytes[1..4 - pad]);
    }
    Some(out)
}

fn base64_value(b: u8) -> Option<u8> {
    match b {
        b'A'..=b'Z' => Some(b - b'A'),
        b'a'..=b'z' => Some(b - b'a' + 26),
        b'0'..=b'9' => Some(b - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    }
}

/// Resolves a scalar to a JSON value, Kubernetes-style (see the module docs).
fn resolve(raw: String, plain: bool, tag: Option<&Tag>) -> Value {
    let resolvable = match tag {
        None => plain,
        Some(t) => matches!(
            core_tag(t).as_deref(),
            Some("int" | "float" | "bool" | "null")
        ),
    };
    if !resolvable {
        return Value::String(raw);
    }
    resolve_plain(&raw).unwrap_or(Value::String(raw))
}

/// The non-string value a plain scalar denotes, if any.
fn resolve_plain(s: &str) -> Option<Value> {
    match s {
        "" | "~" | "null" | "Null" | "NULL" => Some(Value::Null),
        "true" | "True" | "TRUE" | "yes" | "Yes" | "YES" | "y" | "Y" | "on" | "On" | "ON" => {
            Some(Value::Bool(true))
        }
        "false" | "False" | "FALSE" | "no" | "No" | "NO" | "n" | "N" | "off" | "Off" | "OFF" => {
            Some(Value::Bool(false))
        }
        _ => match s.as_bytes().first()? {
            b'.' => float(s),
            b'0'..=b'9' | b'+' | b'-' => {
                let plain: Cow<str> = if s.contains('_') {
                    Cow::Owned(s.replace('_', ""))
                } else {
                    Cow::Borrowed(s)
                };
                integer(&plain).or_else(|| float(&plain))
            }
            _ => None,
        },
    }
}

/// An integer with optional sign and `0x`/`0o`/`0b`/leading-`0` radix.
fn integer(s: &str) -> Option<Value> {
    let (negative, unsigned) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    let prefixed = |p: &[&str]| p.iter().find_map(|p| unsigned.strip_prefix(p));
    let (radix, digits) = if let Some(d) = prefixed(&["0x", "0X"]) {
        (16, d)
    } else if let Some(d) = prefixed(&["0o", "0O"]) {
        (8, d)
    } else if let Some(d) = prefixed(&["0b", "0B"]) {
        (2, d)
    } else if unsigned.len() > 1 && unsigned.starts_with('0') {
        (8, &unsigned[1..])
    } else {
        (10, unsigned)
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let Ok(magnitude) = u128::from_str_radix(digits, radix) else {
        return big_integer(negative, digits, radix);
    };
    let number = if negative {
        i64::try_from(magnitude)
            .ok()
            .map(|m| Number::from(-m))
            .or_else(|| (magnitude == 1 << 63).then(|| Number::from(i64::MIN)))
    } else {
        u64::try_from(magnitude).ok().map(Number::from)
    };
    match number {
        Some(n) => Some(Value::Number(n)),
        None => big_integer(negative, digits, radix),
    }
}

/// An integer too large for 64 bits, as the nearest float.
fn big_integer(negative: bool, digits: &str, radix: u32) -> Option<Value> {
    let magnitude = digits
        .chars()
        .filter_map(|c| c.to_digit(radix))
        .fold(0f64, |acc, d| acc * f64::from(radix) + f64::from(d));
    let value = if negative { -magnitude } else { magnitude };
    Number::from_f64(value).map(Value::Number)
}

/// A float in YAML's decimal syntax: `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`.
fn float(s: &str) -> Option<Value> {
    let b = s.as_bytes();
    let mut i = usize::from(matches!(b.first(), Some(b'-' | b'+')));
    let int_digits = count_digits(&b[i..]);
    i += int_digits;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let frac_digits = count_digits(&b[i..]);
        if int_digits == 0 && frac_digits == 0 {
            return None;
        }
        i += frac_digits;
    } else if int_digits == 0 {
        return None;
    }
    if let Some(b'e' | b'E') = b.get(i) {
        i += 1;
        i += usize::from(matches!(b.get(i), Some(b'-' | b'+')));
        let exp_digits = count_digits(&b[i..]);
        if exp_digits == 0 {
            return None;
        }
        i += exp_digits;
    }
    if i != b.len() {
        return None;
    }
    let f: f64 = s.parse().ok()?;
    Number::from_f64(f).map(Value::Number)
}

fn count_digits(b: &[u8]) -> usize {
    b.iter().take_while(|c| c.is_ascii_digit()).count()
}

/// Parses a single-document YAML file (the rule catalogue, config files)
/// into a value and its source map; an empty file is `null`.
pub fn load_one(file: &Arc<SourceFile>) -> Result<(Value, SourceMap), ParseError> {
    let mut docs = load_stream(file);
    if docs.len() > 1 {
        return Err(ParseError::at(
            file,
            docs[1].start,
            "expected a single YAML document",
        ));
    }
    match docs.pop() {
        Some(doc) => doc.result,
        None => Ok((Value::Null, SourceMap::default())),
    }
}

/// [`load_one`] for text that is not a scanned file.
pub fn load_value(text: &str) -> anyhow::Result<Value> {
    let file = Arc::new(SourceFile::new("<yaml>", text));
    load_one(&file).map(|(value, _)| value).map_err(|e| {
        let pos = file.position(e.start);
        anyhow::anyhow!("{}:{}: {}", pos.line, pos.column, e.message)
    })
}

/// The byte ranges of the scalar tokens of a YAML stream (plain, quoted and
/// block scalars, keys included), as the parser read them: a `#` inside
/// one is part of a value, not a comment (suppression comments,
/// `src/suppress/yaml.rs`). After a syntax error the list resumes at the
/// next document marker, as [`load_stream`] does.
pub fn scalar_spans(text: &str) -> Vec<std::ops::Range<usize>> {
    let mut spans = Vec::new();
    let mut base = 0;
    loop {
        let run = catch_unwind(AssertUnwindSafe(|| {
            scalar_spans_from(text, base, &mut spans)
        }));
        let Ok(Some(error_at)) = run else {
            break;
        };
        match resume_point(text, error_at, base) {
            Some(next) => base = next,
            None => break,
        }
    }
    spans
}

/// [`scalar_spans`] of `text[base..]` until the end or the first error,
/// whose offset it returns.
fn scalar_spans_from(
    text: &str,
    base: usize,
    spans: &mut Vec<std::ops::Range<usize>>,
) -> Option<usize> {
    let rest = &text[base..];
    let mut offsets = Offsets::new(rest, base, rest.is_ascii());
    let mut parser = Parser::new_from_str(rest);
    while let Some(next) = parser.next_event() {
        match next {
            Ok((Event::Scalar(..), span)) => {
                let start = offsets.byte(span.start.index());
                let end = offsets.byte(span.end.index());
                spans.push(start..end.max(start));
            }
            Ok(_) => {}
            Err(e) => return Some(offsets.byte(e.marker().index())),
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::testing::span_at;
    use serde_json::json;

    fn file(text: &str) -> Arc<SourceFile> {
        Arc::new(SourceFile::new("t.yaml", text))
    }

    fn at(f: &SourceFile, map: &SourceMap, p: &[&str]) -> (u32, u32, String) {
        span_at(&[f], map, p)
    }

    /// The only document of `text`, which must parse.
    fn one(text: &str) -> (Arc<SourceFile>, Value, SourceMap) {
        let f = file(text);
        let mut docs = load_stream(&f);
        assert_eq!(docs.len(), 1, "{docs:?}");
        let (v, m) = docs.remove(0).result.expect("parses");
        (f, v, m)
    }

    fn error_of(text: &str) -> (u32, u32, String) {
        let f = file(text);
        let docs = load_stream(&f);
        let e = docs
            .iter()
            .find_map(|d| d.result.as_ref().err())
            .expect("an error");
        let pos = f.position(e.start);
        (pos.line, pos.column, e.message.clone())
    }

    const POD: &str = "\
apiVersion: v1
kind: Pod
metadata:
  name: web
  labels:
    app: web
spec:
  containers:
  - name: app
    image: nginx:latest
    ports:
    - containerPort: 22
  - name: side
    image: \"busybox\"
";

    #[test]
    fn nested_mappings_and_sequences_of_mappings() {
        let (f, v, m) = one(POD);
        assert_eq!(v["metadata"]["labels"]["app"], "web");
        assert_eq!(v["spec"]["containers"][0]["ports"][0]["containerPort"], 22);
        assert_eq!(
            at(&f, &m, &["metadata", "labels", "app"]),
            (6, 10, "web".into())
        );
        assert_eq!(at(&f, &m, &["metadata", "labels"]), (5, 3, "labels".into()));
        assert_eq!(
            at(&f, &m, &["spec", "containers"]),
            (8, 3, "containers".into())
        );
        // A mapping that is a sequence item: its first key.
        assert_eq!(
            at(&f, &m, &["spec", "containers", "1"]),
            (13, 5, "name".into())
        );
        assert_eq!(
            at(&f, &m, &["spec", "containers", "0", "image"]),
            (10, 12, "nginx:latest".into())
        );
        assert_eq!(
            at(&f, &m, &["spec", "containers", "1", "image"]),
            (14, 12, "\"busybox\"".into())
        );
        assert_eq!(
            at(
                &f,
                &m,
                &["spec", "containers", "0", "ports", "0", "containerPort"]
            ),
            (12, 22, "22".into())
        );
        assert_eq!(at(&f, &m, &[]), (1, 1, "apiVersion".into()));
    }

    #[test]
    fn block_scalars() {
        let (f, v, m) = one(
            "a:\n  script: |\n    echo hi\n    curl x | sh\n\n  folded: >-\n    one\n    two\n  after: 1\n",
        );
        assert_eq!(v["a"]["script"], "echo hi\ncurl x | sh\n");
        assert_eq!(v["a"]["folded"], "one two");
        assert_eq!(
            at(&f, &m, &["a", "script"]),
            (3, 5, "echo hi\n    curl x | sh".into())
        );
        assert_eq!(at(&f, &m, &["a", "folded"]), (7, 5, "one\n    two".into()));
        assert_eq!(at(&f, &m, &["a", "after"]), (9, 10, "1".into()));
    }

    #[test]
    fn flow_style_and_quoted_keys() {
        let (f, v, m) = one("x: {a: 1, 'b c': [true, \"s\", ~], \"d\": {}}\n'q': [{k: v}]\n");
        assert_eq!(
            v,
            json!({"x": {"a": 1, "b c": [true, "s", null], "d": {}}, "q": [{"k": "v"}]})
        );
        assert_eq!(at(&f, &m, &["x", "b c", "1"]), (1, 25, "\"s\"".into()));
        assert_eq!(at(&f, &m, &["x", "b c"]), (1, 11, "'b c'".into()));
        assert_eq!(at(&f, &m, &["x", "d"]), (1, 34, "\"d\"".into()));
        assert_eq!(at(&f, &m, &["q"]), (2, 1, "'q'".into()));
        assert_eq!(at(&f, &m, &["q", "0"]), (2, 8, "k".into()));
        assert_eq!(at(&f, &m, &["q", "0", "k"]), (2, 11, "v".into()));
    }

    #[test]
    fn multi_document_streams_keep_file_positions() {
        let text = "a: 1\n---\n# second\nb: 2\n---\nkind: Pod\nspec:\n  image: x\n...\n";
        let f = file(text);
        let docs = load_stream(&f);
        assert_eq!(docs.len(), 3);
        let (v, m) = docs[2].result.as_ref().expect("parses");
        assert_eq!(v["spec"]["image"], "x");
        assert_eq!(at(&f, m, &["spec", "image"]), (8, 10, "x".into()));
        assert_eq!(at(&f, m, &["kind"]), (6, 7, "Pod".into()));
        assert_eq!(f.position(docs[2].start).line, 5);
        assert_eq!(f.position(docs[2].end).line, 9);
        assert_eq!(f.position(docs[1].start).line, 2);
    }

    /// Plain and block scalars end, and later nodes are located, where
    /// YAML says, whichever way vendor/saphyr-parser reads their text (a
    /// run of ASCII at once, or character by character from a non-ASCII
    /// one): `:` and `#` inside a plain scalar, `: ` ending it, flow
    /// indicators only in a flow, non-ASCII text before and after.
    #[test]
    fn scalar_text_ends_where_yaml_ends_it() {
        let text = "\
url: http://example.com:8080/a#frag
mixed: ab:é:cd ée x
flow: [a:b, c, d:é, {k: v:w}]
tag: nginx:1.27 # a comment
block: |
  café ☃ line: one
  plain ascii line
after: é-last
";
        let (f, v, m) = one(text);
        assert_eq!(v["url"], "http://example.com:8080/a#frag");
        assert_eq!(v["mixed"], "ab:é:cd ée x");
        let flow = serde_json::json!(["a:b", "c", "d:é", {"k": "v:w"}]);
        assert_eq!(v["flow"], flow);
        assert_eq!(v["tag"], "nginx:1.27");
        assert_eq!(v["block"], "café ☃ line: one\nplain ascii line\n");
        assert_eq!(at(&f, &m, &["mixed"]), (2, 8, "ab:é:cd ée x".into()));
        assert_eq!(at(&f, &m, &["flow", "3", "k"]), (3, 25, "v:w".into()));
        assert_eq!(at(&f, &m, &["tag"]), (4, 6, "nginx:1.27".into()));
        assert_eq!(at(&f, &m, &["after"]), (8, 8, "é-last".into()));
    }

    #[test]
    fn crlf_and_unicode_columns() {
        let (f, v, m) =
            one("name: \"é😀\"\r\nnote: ñañ\r\nimage: nginx\r\nblock: |\r\n  l1\r\n  l2\r\n");
        assert_eq!(v["note"], "ñañ");
        assert_eq!(v["block"], "l1\nl2\n");
        assert_eq!(at(&f, &m, &["image"]), (3, 8, "nginx".into()));
        assert_eq!(at(&f, &m, &["block"]), (5, 3, "l1\r\n  l2".into()));
        let (f, _, m) = one("labels: {ü: é, x: 😀😀, y: last}\n");
        // Columns count characters, not bytes.
        assert_eq!(at(&f, &m, &["labels", "y"]), (1, 26, "last".into()));
        assert_eq!(at(&f, &m, &["labels", "x"]), (1, 19, "😀😀".into()));
    }

    #[test]
    fn anchors_aliases_and_merge_keys() {
        let text = "\
base: &base
  image: nginx
  pull: Always
c1:
  <<: *base
  pull: Never
c2:
  pull: IfNotPresent
  <<: [*base, {extra: 1}]
tag: &t v1
list: [*t, *base]
";
        let (f, v, m) = one(text);
        assert_eq!(v["c1"], json!({"image": "nginx", "pull": "Never"}));
        assert_eq!(
            v["c2"],
            json!({"pull": "IfNotPresent", "image": "nginx", "extra": 1})
        );
        assert_eq!(
            v["list"],
            json!(["v1", {"image": "nginx", "pull": "Always"}])
        );
        // Merged values point at their definition; the alias head at its use.
        assert_eq!(at(&f, &m, &["c1", "image"]), (2, 10, "nginx".into()));
        assert_eq!(at(&f, &m, &["c1", "pull"]), (6, 9, "Never".into()));
        assert_eq!(at(&f, &m, &["list", "0"]), (10, 9, "v1".into()));
        assert_eq!(at(&f, &m, &["list", "1"]), (11, 12, "*base".into()));
        assert_eq!(at(&f, &m, &["base"]), (1, 1, "base".into()));
        assert!(error_of("a: &x 1\n<<: *x\n").2.contains("merge key"));
        let (_, v, _) = one("&k yes: 1\nb: *k\n*k : 2\n");
        assert_eq!(v, json!({"yes": 2, "b": true}));
    }

    #[test]
    fn aliases_are_per_document_and_not_recursive() {
        let (line, _, msg) = error_of("- &a 1\n---\n- *a\n");
        assert_eq!(line, 3);
        assert!(msg.contains("anchor"), "{msg}");
        assert!(error_of("a: &x [*x]\n").2.contains("anchor"));
    }

    #[test]
    fn billion_laughs_is_rejected_quickly() {
        let mut text = String::from(
            "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
        );
        for (prev, name) in ["a", "b", "c", "d", "e", "f", "g", "h", "i"]
            .windows(2)
            .map(|w| (w[0], w[1]))
        {
            let refs = vec![format!("*{prev}"); 9].join(",");
            text.push_str(&format!("{name}: &{name} [{refs}]\n"));
        }
        let started = std::time::Instant::now();
        let (line, _, msg) = error_of(&text);
        assert!(started.elapsed().as_secs() < 2);
        assert_eq!(
            msg,
            format!(
                "YAML alias expansion exceeds {MAX_ALIAS_NODES} nodes: this document is not checked"
            )
        );
        assert!(line > 1);
    }

    #[test]
    fn alias_expansion_is_bounded_in_bytes_as_eval001() {
        // One 1 MB scalar behind an anchor: 17 aliases stay far under the
        // node budget but would copy 17 MB.
        let big = "x".repeat(1 << 20);
        let refs = vec!["*big"; 17].join(", ");
        let text = format!(
            "apiVersion: v1\nkind: ConfigMap\nbig: &big {big}\nall: [{refs}]\n---\nkind: after\n"
        );
        let f = file(&text);
        let docs = load_stream(&f);
        let err = docs[0].result.as_ref().expect_err("over the byte budget");
        assert_eq!(err.problem, crate::document::Problem::Incomplete);
        assert_eq!(
            err.message,
            "YAML alias expansion exceeds 16 MB: this document is not checked"
        );
        let pos = f.position(err.start);
        assert_eq!(pos.line, 4);
        assert_eq!(&text[err.start..err.end], "*big");
        // The next document is still read.
        assert_eq!(
            docs[1].result.as_ref().map(|d| &d.0).ok(),
            Some(&json!({"kind": "after"}))
        );
        // Fifteen copies fit.
        let refs = vec!["*big"; 14].join(", ");
        let ok = format!("big: &big {big}\nall: [{refs}]\n");
        assert!(load_stream(&file(&ok))[0].result.is_ok());
    }

    #[test]
    fn binary_scalars_are_decoded_with_spans_on_the_scalar() {
        let text = "image: !!binary |\n  bmdpbng6\n  bGF0ZXN0\nkey: !!binary aW1hZ2U=\n!!binary a2luZA==: x\nodd: !!binary /w==\n";
        let (f, v, m) = one(text);
        assert_eq!(v["image"], "nginx:latest");
        assert_eq!(v["key"], "image");
        assert_eq!(v["odd"], "\u{FFFD}");
        assert_eq!(v["kind"], "x");
        assert_eq!(at(&f, &m, &["key"]), (4, 15, "aW1hZ2U=".into()));
        assert_eq!(at(&f, &m, &["image"]).0, 1);
        // A binary key names the decoded key.
        let (_, v, _) = one("!!binary aW1hZ2U=: nginx:latest\n");
        assert_eq!(v, json!({"image": "nginx:latest"}));
        let (line, col, msg) = error_of("a: !!binary not*base64\n");
        assert_eq!(
            (line, col, msg.as_str()),
            (1, 13, "YAML `!!binary` value is not valid base64")
        );
        assert_eq!(decode_base64("bmdpbng=").as_deref(), Some(&b"nginx"[..]));
        assert_eq!(decode_base64("bmdpbng"), None);
        assert_eq!(decode_base64("bm=pbng="), None);
    }

    #[test]
    fn a_tab_after_a_colon_separates_as_in_go_yaml() {
        let (f, v, m) = one("apiVersion:\tv1\nkind:\tPod\nmeta: {name: \"a:\tb\"}\n");
        assert_eq!(
            v,
            json!({"apiVersion": "v1", "kind": "Pod", "meta": {"name": "a:\tb"}})
        );
        assert_eq!(at(&f, &m, &["kind"]), (2, 7, "Pod".into()));
        // After a replaced line break, offsets still agree.
        let (f, v, m) = one("# c\u{2028}kind:\tPod\nx: z\n");
        assert_eq!(v, json!({"kind": "Pod", "x": "z"}));
        assert_eq!(at(&f, &m, &["x"]).2, "z");
    }

    #[test]
    fn tabs_after_colons_are_reread_within_a_budget() {
        // Many tabs in one large document: each fix rereads the document
        // up to its tab; past the budget the error stands (no quadratic
        // hang).
        let line = |i: usize| format!("k{i}:\t{}\n", "v".repeat(200));
        let text: String = (0..100).map(line).collect();
        let (_, v, _) = one(&text);
        assert_eq!(v["k99"], "v".repeat(200));
        let text: String = (0..3000).map(line).collect();
        let (line, _, msg) = error_of(&text);
        assert!(
            msg.contains("must be followed by a valid YAML whitespace"),
            "{msg}"
        );
        assert!(line > 100, "{line}");
    }

    #[test]
    fn character_indexes_map_to_byte_offsets_forward_and_back() {
        let text = "ab’c  “quoted” 😀x\u{85}y\u{2028}z é";
        let bytes: Vec<usize> = text
            .char_indices()
            .map(|(b, _)| b)
            .chain([text.len()])
            .collect();
        let mut offsets = Offsets::new(text, 10, false);
        let order = (0..bytes.len())
            .chain((0..bytes.len()).rev())
            .chain([3, 17, 1, 20]);
        for index in order {
            assert_eq!(offsets.byte(index), 10 + bytes[index], "character {index}");
        }
    }

    #[test]
    fn yaml_1_1_breaks_are_found_by_their_bytes() {
        for brk in ["\u{85}", "\u{2028}", "\u{2029}"] {
            assert!(has_yaml11_break(format!("é{brk}a").as_bytes()), "{brk:?}");
        }
        // other characters with the same lead bytes: `©` (C2 A9), `’` (E2 80 99)
        assert!(!has_yaml11_break("© ’ “x” \u{2027}".as_bytes()));
    }

    #[test]
    fn yaml_1_1_line_breaks_end_comments_and_lines() {
        for brk in ["\u{85}", "\u{2028}", "\u{2029}"] {
            let text = format!("kind: Pod # note{brk}image: nginx:latest\n");
            let (f, v, m) = one(&text);
            assert_eq!(
                v,
                json!({"kind": "Pod", "image": "nginx:latest"}),
                "{brk:?}"
            );
            assert_eq!(at(&f, &m, &["image"]).2, "nginx:latest");
        }
    }

    #[test]
    fn deep_nesting_is_rejected() {
        let ok = "[".repeat(MAX_DEPTH) + &"]".repeat(MAX_DEPTH);
        assert_eq!(load_stream(&file(&ok)).len(), 1);
        assert!(load_stream(&file(&ok))[0].result.is_ok());
        let deep = "[".repeat(MAX_DEPTH + 1) + &"]".repeat(MAX_DEPTH + 1);
        let (line, col, msg) = error_of(&deep);
        assert_eq!((line, col), (1, MAX_DEPTH as u32 + 1));
        assert_eq!(msg, format!("YAML nesting deeper than {MAX_DEPTH} levels"));
        // Unclosed flow nesting: the scanner's own limit answers first.
        let (line, _, msg) = error_of(&"[".repeat(100_000));
        assert_eq!(line, 1);
        assert!(msg.starts_with("YAML syntax error"), "{msg}");
        let mut block = String::new();
        for i in 0..200 {
            block.push_str(&" ".repeat(i));
            block.push_str("k:\n");
        }
        assert_eq!(error_of(&block).0, MAX_DEPTH as u32 + 1);
    }

    #[test]
    fn aliases_cannot_nest_past_the_depth_limit() {
        // Each anchor wraps the previous one in 100 more levels: without a
        // depth check the value would be 2,500 levels deep (a stack overflow
        // waiting in every recursive consumer) while staying far under the
        // alias node budget.
        let mut text = format!("a0: &a0 {}x{}\n", "[".repeat(100), "]".repeat(100));
        for i in 1..25 {
            let (open, close) = ("[".repeat(100), "]".repeat(100));
            text.push_str(&format!("a{i}: &a{i} {open}*a{}{close}\n", i - 1));
        }
        let (line, col, msg) = error_of(&text);
        assert_eq!((line, col), (2, 109));
        assert_eq!(
            msg,
            format!("YAML nesting deeper than {MAX_DEPTH} levels (through an alias)")
        );
        // An alias that keeps within the limit is fine.
        let ok = format!("a: &a {}1{}\nb: *a\n", "[".repeat(100), "]".repeat(100));
        assert!(load_stream(&file(&ok))[0].result.is_ok());
    }

    #[test]
    fn a_broken_document_keeps_the_others() {
        let text = "a: 1\n---\nb: [1, 2\n---\nc: 3\n---\nd: \"x\n";
        let f = file(text);
        let docs = load_stream(&f);
        let results: Vec<_> = docs
            .iter()
            .map(|d| d.result.as_ref().map(|(v, _)| v.clone()))
            .collect();
        assert_eq!(results.len(), 4, "{docs:?}");
        assert_eq!(results[0].as_ref().ok(), Some(&json!({"a": 1})));
        let e = results[1].as_ref().expect_err("broken flow sequence");
        assert!(e.message.starts_with("YAML syntax error"), "{}", e.message);
        assert_eq!(f.position(e.start).line, 4);
        assert_eq!(results[2].as_ref().ok(), Some(&json!({"c": 3})));
        assert!(results[3].is_err());
        assert_eq!(f.position(docs[1].start).line, 2);
        assert_eq!(f.position(docs[2].start).line, 4);
    }

    #[test]
    fn scalar_resolution_follows_kubernetes() {
        let (_, v, _) = one(
            "a: [~, null, '', true, yes, On, n, FALSE, 0644, 0x1F, 0o17, 0b101, -0x10, 1_000, +5, 08, 1.5, .5, -1e3, 1e999, .inf, .NaN, 2024-01-02, 18446744073709551616, 9223372036854775807, -9223372036854775808, 1.2.3, '1', !!str 2, !!int 3, !Ref x, \"yes\", 0.0.0.0/0]\n1: int key\nyes: bool key\n",
        );
        assert_eq!(
            v["a"],
            json!([
                null,
                null,
                "",
                true,
                true,
                true,
                false,
                false,
                420,
                31,
                15,
                5,
                -16,
                1000,
                5,
                8.0,
                1.5,
                0.5,
                -1000.0,
                "1e999",
                ".inf",
                ".NaN",
                "2024-01-02",
                18446744073709551616.0,
                i64::MAX,
                i64::MIN,
                "1.2.3",
                "1",
                "2",
                3,
                "x",
                "yes",
                "0.0.0.0/0"
            ])
        );
        assert_eq!(v["1"], "int key");
        assert_eq!(v["yes"], "bool key");
    }

    #[test]
    fn empty_values_point_at_their_key_and_empty_docs_are_null() {
        let (f, v, m) = one("a:\n  b:\n  c: 1\n");
        assert_eq!(v["a"]["b"], Value::Null);
        assert_eq!(at(&f, &m, &["a", "b"]), (2, 3, "b".into()));
        let docs = load_stream(&file("# only a comment\n"));
        assert!(docs.is_empty());
        let docs = load_stream(&file("---\n---\n# c\n"));
        assert_eq!(docs.len(), 2);
        assert_eq!(
            docs[0].result.as_ref().ok().map(|r| &r.0),
            Some(&Value::Null)
        );
    }

    #[test]
    fn syntax_errors_are_located_at_the_parser_marker() {
        assert_eq!(
            error_of("apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n labels: bad\n"),
            (
                5,
                2,
                "YAML syntax error: while parsing a block mapping, did not find expected key"
                    .into()
            )
        );
        assert_eq!(
            error_of("kind: Pod\nspec:\n  a: b: c\n"),
            (
                3,
                7,
                "YAML syntax error: mapping values are not allowed in this context".into()
            )
        );
        // After non-ASCII text the offset is still a byte offset.
        let (line, col, _) = error_of("name: é😀\nkind: x: y\n");
        assert_eq!((line, col), (2, 8));
    }

    #[test]
    fn scalar_spans_cover_quoted_and_block_scalars_only() {
        let text = "a: |\n  # in block\n  more\n# real comment\nb: \"x # quoted\"\nc: 'p\n  # folded in'\nd: e # trailing\n";
        let inside = |needle: &str| {
            let at = text.find(needle).unwrap();
            scalar_spans(text).iter().any(|r| r.contains(&at))
        };
        assert!(inside("# in block"));
        assert!(inside("# quoted"));
        assert!(inside("# folded in"));
        assert!(!inside("# real comment"));
        assert!(!inside("# trailing"));
    }

    #[test]
    fn resume_point_finds_the_next_document_marker() {
        let text = "a\n--- x\nb\n---\nc\n----\n";
        assert_eq!(resume_point(text, 0, 0), Some(2));
        assert_eq!(resume_point(text, 3, 2), Some(10));
        assert_eq!(resume_point(text, 11, 10), None);
        assert_eq!(resume_point(text, 2, 2), Some(10));
    }
}
