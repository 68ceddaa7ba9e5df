//! The unit every parser produces and every rule sees: a [`Document`] is the
//! JSON input of one Rego evaluation plus a [`SourceMap`] that takes any JSON
//! path of that input back to the exact bytes of a source file.
//!
//! Parsers normalise text into this shape; the engine never looks at source
//! text, and reports never look at parser internals.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

/// The document kinds rules are written for. Each kind gets its own engine
/// holding only its rules, so the name is also the Rego package segment
/// (`package driftless.kubernetes.latest_tag`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Dockerfile,
    Kubernetes,
    Terraform,
    Tfplan,
    /// A Docker Compose file (`compose.yaml`, `docker-compose*.yml`, or YAML
    /// whose `services` are compose services), as written.
    Compose,
    /// A Kustomize `kustomization.yaml` (or `Component`), as written.
    Kustomization,
    /// A Helm chart's `Chart.yaml` or values file (templates are skipped).
    Helm,
}

impl Kind {
    /// Every kind, in the order reports list them.
    pub const ALL: [Kind; 7] = [
        Kind::Dockerfile,
        Kind::Kubernetes,
        Kind::Terraform,
        Kind::Tfplan,
        Kind::Compose,
        Kind::Kustomization,
        Kind::Helm,
    ];

    /// The name used in Rego package paths, config files and JSON output.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Dockerfile => "dockerfile",
            Kind::Kubernetes => "kubernetes",
            Kind::Terraform => "terraform",
            Kind::Tfplan => "tfplan",
            Kind::Compose => "compose",
            Kind::Kustomization => "kustomization",
            Kind::Helm => "helm",
        }
    }

    /// Parses the name used in Rego package paths and config files.
    pub fn from_name(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == name)
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// A file's text with a line index, shared (by `Arc`) between the documents
/// parsed from it and the findings located in it, so the text is read once.
#[derive(Debug)]
pub struct SourceFile {
    /// The path as the user should see it: relative to the scan root when the
    /// file is under it, with forward slashes.
    pub path: PathBuf,
    /// The file's text, decoded to UTF-8 (a BOM removed).
    pub text: String,
    /// The path's last component, as Terraform's values name a file
    /// (`main.tf`): asked for once per block and per origin phrase, so
    /// taken from the path once.
    name: Box<str>,
    line_starts: Vec<usize>,
    /// Character and UTF-16 counts at every [`CHECKPOINT`] bytes, built on
    /// the first column lookup that needs it (long non-ASCII lines).
    checkpoints: std::sync::OnceLock<Vec<Checkpoint>>,
}

/// Bytes between two column checkpoints: a column lookup never counts more
/// than this many bytes, so locating thousands of findings on one minified
/// 100 MB line stays linear rather than quadratic.
const CHECKPOINT: usize = 4096;

/// Counts from the start of the text to a char boundary.
#[derive(Clone, Copy, Debug, Default)]
struct Checkpoint {
    byte: usize,
    chars: usize,
    utf16: usize,
}

/// A 1-based line and column. `column` counts characters (Unicode scalar
/// values) and `utf16_column` UTF-16 code units, which is what SARIF
/// (`columnKind: utf16CodeUnits`) and LSP expect.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Position {
    pub line: u32,
    pub column: u32,
    #[serde(skip)]
    pub utf16_column: u32,
}

impl SourceFile {
    /// Builds the line index once; every later position lookup is a binary
    /// search, so locating N findings never rescans the text.
    ///
    /// Lines end where the file's parser ends them, so a finding is reported
    /// on the line the user sees: `\n` (and `\r\n`) everywhere, and also a
    /// lone `\r` (old Mac files) in YAML and JSON, which YAML reads as a line
    /// break (go-yaml, behind kubectl, too). Terraform's HCL and JSON
    /// scanners and BuildKit's Dockerfile scanner split at `\n` only.
    pub fn new(path: impl Into<PathBuf>, text: impl Into<String>) -> Self {
        let path = path.into();
        let text = text.into();
        let line_starts = if lone_cr_breaks_lines(&path) {
            line_starts_any_break(&text)
        } else {
            line_starts_lf(&text)
        };
        let name = path
            .file_name()
            .unwrap_or(path.as_os_str())
            .to_string_lossy()
            .into();
        SourceFile {
            path,
            text,
            name,
            line_starts,
            checkpoints: std::sync::OnceLock::new(),
        }
    }

    /// The file's name: the path's last component (the whole path when it
    /// has none), lossily decoded.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The 1-based position of a byte offset (clamped to the text, and moved
    /// back to a character boundary).
    pub fn position(&self, offset: usize) -> Position {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.line_starts.partition_point(|&s| s <= offset) - 1;
        let line_start = self.line_starts[line];
        let (chars, utf16) = if offset - line_start <= CHECKPOINT {
            count(&self.text[line_start..offset])
        } else {
            let (c1, u1) = self.counts_to(offset);
            let (c0, u0) = self.counts_to(line_start);
            (c1 - c0, u1 - u0)
        };
        Position {
            line: line as u32 + 1,
            column: chars as u32 + 1,
            utf16_column: utf16 as u32 + 1,
        }
    }

    /// Characters and UTF-16 units from the start of the text to `offset`
    /// (a char boundary), counting from the nearest checkpoint.
    fn counts_to(&self, offset: usize) -> (usize, usize) {
        let points = self.checkpoints.get_or_init(|| checkpoints(&self.text));
        let i = points
            .partition_point(|p| p.byte <= offset)
            .saturating_sub(1);
        let p = points.get(i).copied().unwrap_or_default();
        let (chars, utf16) = count(&self.text[p.byte..offset]);
        (p.chars + chars, p.utf16 + utf16)
    }

    /// The 1-based line of a byte offset: [`SourceFile::position`]'s line
    /// without counting the columns, for phrases that name a line only
    /// (`main.tf:3`), built for every argument of every module call.
    pub fn line_of(&self, offset: usize) -> u32 {
        let offset = offset.min(self.text.len());
        self.line_starts.partition_point(|&s| s <= offset) as u32
    }

    /// Number of lines (a trailing line break does not start a new line).
    pub fn line_count(&self) -> usize {
        let n = self.line_starts.len();
        if n > 1 && self.line_starts[n - 1] == self.text.len() {
            n - 1
        } else {
            n
        }
    }

    /// The text of a 1-based line, without its line terminator.
    pub fn line_text(&self, line: u32) -> &str {
        let idx = (line as usize).saturating_sub(1);
        let Some(&start) = self.line_starts.get(idx) else {
            return "";
        };
        let end = self
            .line_starts
            .get(idx + 1)
            .copied()
            .unwrap_or(self.text.len());
        self.text[start..end].trim_end_matches(['\n', '\r'])
    }

    /// Byte offset where a 1-based line starts (the text's end past the last line).
    pub fn line_start(&self, line: u32) -> usize {
        let idx = (line as usize).saturating_sub(1);
        self.line_starts
            .get(idx)
            .copied()
            .unwrap_or(self.text.len())
    }
}

/// Whether the parser of this file reads a lone `\r` as a line break:
/// YAML (and JSON, read the same way by Kubernetes), not Terraform's
/// `.tf.json` nor HCL or Dockerfiles.
fn lone_cr_breaks_lines(path: &Path) -> bool {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return false;
    };
    let lower = name.to_ascii_lowercase();
    let terraform = lower.ends_with(".tf.json") || lower.ends_with(".tfvars.json");
    lower.ends_with(".yaml") || lower.ends_with(".yml") || (lower.ends_with(".json") && !terraform)
}

/// Line starts after every `\n`.
fn line_starts_lf(text: &str) -> Vec<usize> {
    let mut starts = vec![0];
    starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
    starts
}

/// Line starts after every `\n`, `\r\n` and lone `\r`.
fn line_starts_any_break(text: &str) -> Vec<usize> {
    let bytes = text.as_bytes();
    if memchr::memchr(b'\r', bytes).is_none() {
        return line_starts_lf(text);
    }
    let mut starts = vec![0];
    for i in memchr::memchr2_iter(b'\n', b'\r', bytes) {
        if bytes[i] == b'\n' || bytes.get(i + 1) != Some(&b'\n') {
            starts.push(i + 1);
        }
    }
    starts
}

/// Characters and UTF-16 code units of `text`, with an ASCII fast path.
fn count(text: &str) -> (usize, usize) {
    if text.is_ascii() {
        return (text.len(), text.len());
    }
    (text.chars().count(), text.encode_utf16().count())
}

/// A checkpoint at the first char boundary at or after every
/// [`CHECKPOINT`] bytes of `text`.
fn checkpoints(text: &str) -> Vec<Checkpoint> {
    let mut points = vec![Checkpoint::default()];
    let mut last = Checkpoint::default();
    let mut next = CHECKPOINT;
    while next < text.len() {
        while !text.is_char_boundary(next) {
            next += 1;
        }
        let (chars, utf16) = count(&text[last.byte..next]);
        last = Checkpoint {
            byte: next,
            chars: last.chars + chars,
            utf16: last.utf16 + utf16,
        };
        points.push(last);
        next += CHECKPOINT;
    }
    points
}

/// A byte range in one of a document's files (`file` indexes
/// [`Document::files`]). Terraform documents span several files, so the
/// file is part of the span.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct Span {
    pub file: u16,
    pub start: u32,
    pub end: u32,
}

impl Span {
    /// A span in the document's first (or only) file.
    pub fn new(start: usize, end: usize) -> Self {
        Span {
            file: 0,
            start: start as u32,
            end: end.max(start) as u32,
        }
    }

    /// The same range in another file of the document.
    pub fn in_file(self, file: u16) -> Self {
        Span { file, ..self }
    }
}

/// One step of a JSON path into a document's input.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PathSeg {
    Key(String),
    Index(usize),
}

impl PathSeg {
    /// Reads a step from the `path` array of a Rego finding: strings are keys,
    /// non-negative integers are indexes.
    pub fn from_json(v: &serde_json::Value) -> Option<PathSeg> {
        match v {
            serde_json::Value::String(s) => Some(PathSeg::Key(s.clone())),
            serde_json::Value::Number(n) => n.as_u64().map(|i| PathSeg::Index(i as usize)),
            _ => None,
        }
    }
}

impl fmt::Display for PathSeg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PathSeg::Key(k) => f.write_str(k),
            PathSeg::Index(i) => write!(f, "[{i}]"),
        }
    }
}

/// Renders a JSON path the way users write it: `spec.containers[0].image`.
pub fn display_path(path: &[PathSeg]) -> String {
    let mut out = String::new();
    for seg in path {
        match seg {
            PathSeg::Key(k) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(k);
            }
            PathSeg::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}

/// A tree mirroring the input value: each node holds the span to report for
/// that value. Lookups walk the path (O(depth)), and a large plan costs one
/// node per value rather than one full path string per value.
///
/// For scalars the span is the value itself; for objects and arrays it is the
/// most useful "head" the parser knows (a Terraform block header, the YAML key
/// that introduced a mapping), so a finding about a missing attribute points
/// at the block that lacks it.
#[derive(Clone, Debug, Default)]
pub struct SourceMap {
    pub span: Span,
    pub children: Children,
}

/// The children of a [`SourceMap`] node, shaped like the JSON value.
#[derive(Clone, Debug, Default)]
pub enum Children {
    #[default]
    Leaf,
    Object(SourceObject),
    Array(Vec<SourceMap>),
}

/// The children of an object node: `(key, node)` pairs kept sorted by key,
/// with at most one entry per key. It behaves like the
/// `BTreeMap<String, SourceMap>` it replaces (lookups by key, iteration in
/// key order, a later insert of a key replacing the earlier node) but costs
/// one small allocation per object.
///
/// Why not a `BTreeMap`: every object node allocated a B-tree leaf (about
/// 800 bytes even for one key), and profiles of a scan of the real corpus
/// (Terraform modules, Kubernetes and Compose YAML, Dockerfiles) spent about
/// 7% of CPU inserting into, allocating and dropping those leaves. Most
/// objects have a handful of keys, where a binary search over a slice is as
/// quick as a tree walk. Parsers that build a whole object at once collect
/// it (see the `FromIterator` impl), which sorts once rather than shifting
/// entries on every insert.
#[derive(Clone, Debug, Default)]
pub struct SourceObject {
    entries: Vec<(String, SourceMap)>,
}

impl SourceObject {
    /// An empty object (no allocation until the first insert).
    pub fn new() -> Self {
        SourceObject::default()
    }

    /// An empty object with room for `n` entries.
    pub fn with_capacity(n: usize) -> Self {
        SourceObject {
            entries: Vec::with_capacity(n),
        }
    }

    fn find(&self, key: &str) -> Result<usize, usize> {
        self.entries.binary_search_by(|(k, _)| k.as_str().cmp(key))
    }

    /// The node under `key`.
    pub fn get(&self, key: &str) -> Option<&SourceMap> {
        self.find(key).ok().map(|i| &self.entries[i].1)
    }

    /// The node under `key`, to change in place.
    pub fn get_mut(&mut self, key: &str) -> Option<&mut SourceMap> {
        self.find(key).ok().map(|i| &mut self.entries[i].1)
    }

    /// Whether the object has `key`.
    pub fn contains_key(&self, key: &str) -> bool {
        self.find(key).is_ok()
    }

    /// Inserts `node` under `key`, returning the node it replaces (as
    /// `BTreeMap::insert` does). Keys arriving in order are appended.
    pub fn insert(&mut self, key: String, node: SourceMap) -> Option<SourceMap> {
        let at = match self.entries.last() {
            Some((last, _)) if last.as_str() < key.as_str() => Err(self.entries.len()),
            None => Err(0),
            _ => self.find(&key),
        };
        match at {
            Ok(i) => Some(std::mem::replace(&mut self.entries[i].1, node)),
            Err(i) => {
                self.entries.insert(i, (key, node));
                None
            }
        }
    }

    /// Removes and returns the node under `key`.
    pub fn remove(&mut self, key: &str) -> Option<SourceMap> {
        self.find(key).ok().map(|i| self.entries.remove(i).1)
    }

    /// Number of keys.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the object has no keys.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The entries in key order.
    pub fn iter(
        &self,
    ) -> impl DoubleEndedIterator<Item = (&String, &SourceMap)> + ExactSizeIterator {
        self.entries.iter().map(|(k, v)| (k, v))
    }

    /// The keys in order.
    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &String> + ExactSizeIterator {
        self.entries.iter().map(|(k, _)| k)
    }

    /// The nodes in key order.
    pub fn values(&self) -> impl DoubleEndedIterator<Item = &SourceMap> + ExactSizeIterator {
        self.entries.iter().map(|(_, v)| v)
    }

    /// The nodes in key order, to change in place.
    pub fn values_mut(
        &mut self,
    ) -> impl DoubleEndedIterator<Item = &mut SourceMap> + ExactSizeIterator {
        self.entries.iter_mut().map(|(_, v)| v)
    }

    /// Restores the invariant after entries were pushed unsorted: a stable
    /// sort by key, then of equal keys only the last pushed is kept (what
    /// inserting them one by one into a map would leave).
    fn normalise(&mut self) {
        if self
            .entries
            .windows(2)
            .all(|w| w[0].0.as_str() < w[1].0.as_str())
        {
            return;
        }
        self.entries.sort_by(|a, b| a.0.cmp(&b.0));
        // `dedup_by` passes (later, kept) and drops `later` on `true`: swap
        // first so the later node survives
        self.entries.dedup_by(|later, kept| {
            if later.0 == kept.0 {
                std::mem::swap(later, kept);
                true
            } else {
                false
            }
        });
    }
}

impl FromIterator<(String, SourceMap)> for SourceObject {
    /// Collects entries in any order; a later entry replaces an earlier one
    /// with the same key.
    fn from_iter<I: IntoIterator<Item = (String, SourceMap)>>(iter: I) -> Self {
        let mut obj = SourceObject {
            entries: iter.into_iter().collect(),
        };
        obj.normalise();
        obj
    }
}

impl From<Vec<(String, SourceMap)>> for SourceObject {
    /// Entries in any order; a later entry replaces an earlier one with the
    /// same key.
    fn from(entries: Vec<(String, SourceMap)>) -> Self {
        let mut obj = SourceObject { entries };
        obj.normalise();
        obj
    }
}

impl Extend<(String, SourceMap)> for SourceObject {
    /// Adds entries in any order, each replacing an existing one with its key.
    fn extend<I: IntoIterator<Item = (String, SourceMap)>>(&mut self, iter: I) {
        self.entries.extend(iter);
        self.normalise();
    }
}

impl IntoIterator for SourceObject {
    type Item = (String, SourceMap);
    type IntoIter = std::vec::IntoIter<(String, SourceMap)>;

    /// The entries in key order.
    fn into_iter(self) -> Self::IntoIter {
        self.entries.into_iter()
    }
}

impl<'a> IntoIterator for &'a SourceObject {
    type Item = (&'a String, &'a SourceMap);
    type IntoIter = std::iter::Map<
        std::slice::Iter<'a, (String, SourceMap)>,
        fn(&'a (String, SourceMap)) -> (&'a String, &'a SourceMap),
    >;

    fn into_iter(self) -> Self::IntoIter {
        fn pair((k, v): &(String, SourceMap)) -> (&String, &SourceMap) {
            (k, v)
        }
        self.entries.iter().map(pair as fn(_) -> _)
    }
}

impl std::ops::Index<&str> for SourceObject {
    type Output = SourceMap;

    /// The node under `key`; panics when there is none.
    fn index(&self, key: &str) -> &SourceMap {
        self.get(key)
            .unwrap_or_else(|| panic!("no source-map entry for key {key:?}"))
    }
}

impl SourceMap {
    /// A node with no children.
    pub fn leaf(span: Span) -> Self {
        SourceMap {
            span,
            children: Children::Leaf,
        }
    }

    /// An object node.
    pub fn object(span: Span, entries: SourceObject) -> Self {
        SourceMap {
            span,
            children: Children::Object(entries),
        }
    }

    /// An array node.
    pub fn array(span: Span, items: Vec<SourceMap>) -> Self {
        SourceMap {
            span,
            children: Children::Array(items),
        }
    }

    /// The child at one step, if the map has it.
    pub fn child(&self, seg: &PathSeg) -> Option<&SourceMap> {
        match (&self.children, seg) {
            (Children::Object(m), PathSeg::Key(k)) => m.get(k),
            (Children::Array(v), PathSeg::Index(i)) => v.get(*i),
            _ => None,
        }
    }

    /// Inserts or replaces the child under `key`, turning a leaf into an object.
    pub fn insert(&mut self, key: impl Into<String>, node: SourceMap) {
        if !matches!(self.children, Children::Object(_)) {
            self.children = Children::Object(SourceObject::new());
        }
        if let Children::Object(m) = &mut self.children {
            m.insert(key.into(), node);
        }
    }

    /// Appends an array item, turning a leaf into an array.
    pub fn push(&mut self, node: SourceMap) {
        if !matches!(self.children, Children::Array(_)) {
            self.children = Children::Array(Vec::new());
        }
        if let Children::Array(v) = &mut self.children {
            v.push(node);
        }
    }

    /// The node at `path`, or the nearest existing ancestor, with the number
    /// of path steps that matched. A finding about something *missing* thus
    /// lands on the object that should have had it.
    pub fn locate(&self, path: &[PathSeg]) -> (&SourceMap, usize) {
        let mut node = self;
        for (depth, seg) in path.iter().enumerate() {
            match node.child(seg) {
                Some(next) => node = next,
                None => return (node, depth),
            }
        }
        (node, path.len())
    }

    /// Every span in the tree, depth first (used by property tests and the
    /// span sanity checks).
    pub fn for_each_span(&self, f: &mut dyn FnMut(Span)) {
        f(self.span);
        match &self.children {
            Children::Leaf => {}
            Children::Object(m) => m.values().for_each(|c| c.for_each_span(f)),
            Children::Array(v) => v.iter().for_each(|c| c.for_each_span(f)),
        }
    }
}

/// A document's provenance by the JSON path of the value. Read by exact
/// path only (the finding's path, `engine::explain`), so hashed: a
/// Terraform document records tens of thousands of entries on a large
/// repository, and a sorted map compared long paths segment by segment at
/// every insert (BENCHMARKS.md, "Stop 30").
pub type ProvenanceMap = foldhash::HashMap<Vec<PathSeg>, Provenance>;

/// One Rego input: a Kubernetes object, a Dockerfile, a Terraform module or a
/// plan, with the files its spans point into.
#[derive(Debug)]
pub struct Document {
    pub kind: Kind,
    /// The files this document was read from; `Span::file` indexes this.
    /// The first is the document's primary file (for Terraform, the module's
    /// first file in name order).
    pub files: Vec<Arc<SourceFile>>,
    /// A short name of the document inside its file, where a file holds
    /// several (`Deployment/web`, `module infra/app`); empty otherwise.
    pub label: String,
    /// The input rules see, as DESIGN.md §3 documents it.
    pub input: serde_json::Value,
    pub source_map: SourceMap,
    /// Where evaluated values came from, keyed by the JSON path of the
    /// value: a note reports append to messages (`latest` from the default
    /// of variable `image_tag` (variables.tf:3)) and the places of the chain
    /// (`Finding::sources`).
    pub provenance: ProvenanceMap,
    /// What the document is to the deployment: an object as applied, or a
    /// Kustomize patch merged into one. Rules about a missing attribute
    /// skip patches, which hold only what they change.
    pub role: Role,
}

/// Where a value of a document came from (an `ARG` default behind
/// `FROM $BASE`, a variable default behind an attribute).
#[derive(Clone, Debug, Default)]
pub struct Provenance {
    /// The chain as a phrase, appended to the finding's message.
    pub note: String,
    /// The places the chain names, nearest first, the place where the
    /// literal is written last (see `Finding::sources`).
    pub sources: Vec<Source>,
}

impl Provenance {
    /// A note without places.
    pub fn note(note: impl Into<String>) -> Self {
        Provenance {
            note: note.into(),
            sources: Vec::new(),
        }
    }
}

/// One step of a provenance chain: what it is and where it is written.
#[derive(Clone, Debug)]
pub struct Source {
    /// What the place is ("the default of variable `tag` (variables.tf:3)").
    pub message: String,
    /// Where: in `file` when set, else in the document's files.
    pub span: Span,
    /// The file of `span` when the document does not hold it (a child
    /// module's output read by its caller).
    pub file: Option<Arc<SourceFile>>,
}

/// Whether a document is a whole object or a patch of one (issue #15):
/// set by the scan for files a kustomization names under `patches`,
/// `patchesStrategicMerge` or `patchesJson6902`. The input stays the
/// object as written either way.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Role {
    /// A document applied as written (the default).
    #[default]
    Object,
    /// A Kustomize patch: partial, merged into a base object.
    Patch,
}

impl Document {
    /// A document read from a single file.
    pub fn new(
        kind: Kind,
        file: Arc<SourceFile>,
        input: serde_json::Value,
        source_map: SourceMap,
    ) -> Self {
        Document {
            kind,
            files: vec![file],
            label: String::new(),
            input,
            source_map,
            provenance: ProvenanceMap::default(),
            role: Role::Object,
        }
    }

    /// The primary file's path.
    pub fn path(&self) -> &Path {
        &self.files[0].path
    }
}

/// Why a stage could not vouch for (part of) a file. Each becomes a finding
/// of its own catalogue ID at severity `error`, which always fails the gate:
/// whatever driftless cannot read, evaluate or bound must never pass
/// silently.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Problem {
    /// The file could not be parsed at all (`PARSE001`).
    Unparsed,
    /// The file was read, but part of it could not be evaluated or bounded:
    /// an exhausted budget, an expansion over its limit, a construct that is
    /// not supported (`EVAL001`).
    Incomplete,
}

impl Problem {
    /// The catalogue ID the finding gets.
    pub const fn rule_id(self) -> &'static str {
        match self {
            Problem::Unparsed => "PARSE001",
            Problem::Incomplete => "EVAL001",
        }
    }
}

/// A located diagnostic of any stage that fails the gate: a file that could
/// not be turned into documents (`PARSE001`), or a part of a document that
/// could not be evaluated or bounded (`EVAL001`). Never a crash and never
/// silence; the rest of the repository is still scanned.
#[derive(Debug, Clone)]
pub struct ParseError {
    pub problem: Problem,
    pub file: Arc<SourceFile>,
    /// Byte range of the error (empty at the error position when the parser
    /// gives a point).
    pub start: usize,
    pub end: usize,
    pub message: String,
}

impl ParseError {
    /// An error at a byte offset of `file`.
    /// The offset is clamped to the text and moved back to a character
    /// boundary: parsers' error offsets are not always byte-exact (hcl-edit
    /// can point inside a multi-byte character), and reports slice the text
    /// there.
    pub fn at(file: &Arc<SourceFile>, offset: usize, message: impl Into<String>) -> Self {
        let mut offset = offset.min(file.text.len());
        while !file.text.is_char_boundary(offset) {
            offset -= 1;
        }
        ParseError {
            problem: Problem::Unparsed,
            file: file.clone(),
            start: offset,
            end: offset,
            message: message.into(),
        }
    }

    /// An `EVAL001` diagnostic: the bytes `start..end` of `file` (clamped and
    /// moved back to character boundaries) could not be evaluated or bounded,
    /// so the gate cannot vouch for what depends on them.
    pub fn incomplete(
        file: &Arc<SourceFile>,
        start: usize,
        end: usize,
        message: impl Into<String>,
    ) -> Self {
        let mut err = ParseError::at(file, start, message);
        err.problem = Problem::Incomplete;
        let mut end = end.clamp(err.start, file.text.len());
        while !file.text.is_char_boundary(end) {
            end -= 1;
        }
        err.end = end;
        err
    }
}

/// What parsing one file (or one Terraform module) produced: zero or more
/// documents and zero or more errors — a multi-document YAML file can have
/// both, and the good documents are still checked.
#[derive(Debug, Default)]
pub struct Parsed {
    pub documents: Vec<Document>,
    pub errors: Vec<ParseError>,
}

impl Parsed {
    /// The result for a file that failed as a whole.
    pub fn error(err: ParseError) -> Self {
        Parsed {
            documents: Vec::new(),
            errors: vec![err],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lone_carriage_returns_break_lines_where_the_parser_breaks_them() {
        let text = "a: 1\rb: 2\r\nc: 3\r";
        let yaml = SourceFile::new("k.yaml", text);
        assert_eq!(yaml.position(text.find('b').unwrap()).line, 2);
        assert_eq!(yaml.position(text.find('c').unwrap()).line, 3);
        assert_eq!(yaml.line_count(), 3);
        assert_eq!(yaml.line_text(1), "a: 1");
        assert_eq!(yaml.line_text(2), "b: 2");
        let json = SourceFile::new("pod.json", text);
        assert_eq!(json.position(text.find('c').unwrap()).line, 3);
        // HCL, Terraform JSON and BuildKit split at `\n` only
        for name in ["main.tf", "main.tf.json", "Dockerfile"] {
            let file = SourceFile::new(name, text);
            assert_eq!(file.position(text.find('b').unwrap()).line, 1, "{name}");
            assert_eq!(file.position(text.find('c').unwrap()).line, 2, "{name}");
            assert_eq!(file.line_count(), 2, "{name}");
        }
    }

    #[test]
    fn positions_are_one_based_and_count_utf16() {
        let f = SourceFile::new("x", "ab\nc😀d\n");
        assert_eq!(f.position(0).line, 1);
        assert_eq!(f.position(3).column, 1);
        let d = f.position(3 + 1 + 4); // after the emoji
        assert_eq!((d.line, d.column, d.utf16_column), (2, 3, 4));
        assert_eq!(f.line_text(2), "c😀d");
        assert_eq!(f.line_count(), 2);
    }

    #[test]
    fn line_of_is_the_line_of_position_at_every_offset() {
        for text in ["ab\nc😀d\n", "a\r\nb\rc\n\n", "", "no newline", "é\n\n😀"] {
            let f = SourceFile::new("x", text);
            for offset in 0..=text.len() + 2 {
                assert_eq!(
                    f.line_of(offset),
                    f.position(offset).line,
                    "{text:?} at {offset}"
                );
            }
        }
    }

    #[test]
    fn columns_on_long_lines_match_a_direct_count() {
        let line: String = (0..5000).map(|i| ["a", "é", "😀", "漢"][i % 4]).collect();
        let text = format!("x\n{line}{line}\ny");
        let f = SourceFile::new("x", text.clone());
        for offset in (0..text.len()).step_by(997).chain([text.len()]) {
            let mut at = offset;
            while !text.is_char_boundary(at) {
                at -= 1;
            }
            let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
            let before = &text[start..at];
            let pos = f.position(offset);
            assert_eq!(pos.column as usize, before.chars().count() + 1, "{offset}");
            assert_eq!(
                pos.utf16_column as usize,
                before.encode_utf16().count() + 1,
                "{offset}"
            );
        }
    }

    #[test]
    fn crlf_lines_do_not_carry_the_carriage_return() {
        let f = SourceFile::new("x", "a\r\nbc\r\n");
        assert_eq!(f.line_text(1), "a");
        assert_eq!(f.position(4).column, 2);
    }

    #[test]
    fn locate_falls_back_to_nearest_parent() {
        let mut root = SourceMap::leaf(Span::new(0, 1));
        let mut spec = SourceMap::leaf(Span::new(2, 3));
        spec.insert("image", SourceMap::leaf(Span::new(4, 5)));
        root.insert("spec", spec);
        let path = [PathSeg::Key("spec".into()), PathSeg::Key("version".into())];
        let (node, depth) = root.locate(&path);
        assert_eq!((node.span, depth), (Span::new(2, 3), 1));
        let path = [PathSeg::Key("spec".into()), PathSeg::Key("image".into())];
        assert_eq!(root.locate(&path).0.span, Span::new(4, 5));
    }

    /// A [`SourceObject`] answers as the `BTreeMap` it replaced would, after
    /// the same inserts in the same order.
    #[test]
    fn source_object_behaves_like_a_btreemap() {
        use std::collections::BTreeMap;
        let leaf = |n: usize| SourceMap::leaf(Span::new(n, n + 1));
        let keys = ["m", "b", "z", "a", "b", "", "zz", "m", "a1", "z"];
        let mut tree = BTreeMap::new();
        let mut obj = SourceObject::new();
        let mut pushed = Vec::new();
        for (n, k) in keys.iter().enumerate() {
            let old_tree = tree.insert(k.to_string(), leaf(n)).map(|m| m.span);
            let old_obj = obj.insert(k.to_string(), leaf(n)).map(|m| m.span);
            assert_eq!(old_obj, old_tree, "{k}");
            pushed.push((k.to_string(), leaf(n)));
        }
        let spans = |it: Vec<(&String, &SourceMap)>| {
            it.into_iter()
                .map(|(k, m)| (k.clone(), m.span))
                .collect::<Vec<_>>()
        };
        let want = spans(tree.iter().collect());
        assert_eq!(spans(obj.iter().collect()), want);
        // collected in any order, a later entry wins
        let collected: SourceObject = pushed.iter().cloned().collect();
        assert_eq!(spans(collected.iter().collect()), want);
        let mut extended = SourceObject::from(pushed[..4].to_vec());
        extended.extend(pushed[4..].iter().cloned());
        assert_eq!(spans(extended.iter().collect()), want);
        assert_eq!(obj.len(), tree.len());
        for k in keys.iter().chain(&["missing", "zzz"]) {
            assert_eq!(obj.get(k).map(|m| m.span), tree.get(*k).map(|m| m.span));
        }
        assert_eq!(obj["b"].span, Span::new(4, 5));
        assert_eq!(obj.remove("b").map(|m| m.span), Some(Span::new(4, 5)));
        assert!(!obj.contains_key("b") && obj.len() == tree.len() - 1);
    }
}

/// Helpers for parser tests: addressing values by path and reading back
/// where their spans point.
#[cfg(test)]
pub(crate) mod testing {
    use super::{PathSeg, SourceFile, SourceMap};

    /// A path written as steps; steps made of digits are array indexes.
    pub(crate) fn path(p: &[&str]) -> Vec<PathSeg> {
        p.iter()
            .map(|s| match s.parse::<usize>() {
                Ok(i) => PathSeg::Index(i),
                Err(_) => PathSeg::Key((*s).to_owned()),
            })
            .collect()
    }

    /// (line, column, text) of the span at a path, which must exist.
    pub(crate) fn span_at(
        files: &[&SourceFile],
        map: &SourceMap,
        p: &[&str],
    ) -> (u32, u32, String) {
        let (node, depth) = map.locate(&path(p));
        assert_eq!(depth, p.len(), "path {p:?} not in the map");
        let f = files[node.span.file as usize];
        let pos = f.position(node.span.start as usize);
        let text = f.text[node.span.start as usize..node.span.end as usize].to_owned();
        (pos.line, pos.column, text)
    }
}
