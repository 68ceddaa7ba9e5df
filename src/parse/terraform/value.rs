//! The evaluator's value: a JSON-like tree where every node carries the span
//! to report for it and where it came from, so evaluation and location are
//! one walk and the document's source map falls out of the result.

use std::rc::Rc;
use std::sync::Arc;

use serde_json::{Number, Value};

use crate::document::{
    Children, PathSeg, Provenance, Source, SourceFile, SourceMap, SourceObject, Span,
};

/// Deepest value tree kept; deeper parts are cut to text so that no walk
/// over a value can exhaust the stack.
pub(crate) const MAX_VALUE_DEPTH: usize = 200;

/// Most origins kept per value: the nearest explain it; a long chain of
/// locals would otherwise copy ever longer lists into every node.
const MAX_ORIGINS: usize = 4;

/// Where a value came from: a phrase for messages ("the default of
/// variable `tag` (variables.tf:3)") and the place it names (the default's
/// expression, the tfvars entry, the module argument), so reports can link
/// to it and fixes can edit it. Two origins are the same step of a chain
/// when their phrases are equal.
#[derive(Clone, Debug)]
pub(crate) struct Origin {
    pub phrase: Rc<str>,
    /// Where the value is written: in the document's files, or in `file`
    /// when set; `None` when the place is not known.
    pub span: Option<Span>,
    /// The file of `span` when the document does not hold it (a child
    /// module's file, for the outputs its caller reads).
    pub file: Option<Arc<SourceFile>>,
}

impl Origin {
    /// An origin naming the value written at `span`.
    pub fn new(phrase: impl Into<Rc<str>>, span: Option<Span>) -> Origin {
        Origin {
            phrase: phrase.into(),
            span,
            file: None,
        }
    }

    /// Resolves the span's file in `files` (the files of the document the
    /// span indexes), so the place stays right in another document.
    fn pin(&mut self, files: &[Arc<SourceFile>]) {
        if self.file.is_some() {
            return;
        }
        match self.span.and_then(|s| files.get(s.file as usize)) {
            Some(f) => self.file = Some(f.clone()),
            None => self.span = None,
        }
    }

    /// The same step, naming the value written at `span` (a part of what
    /// the origin names: the map entry rather than the whole default).
    fn at(&self, span: Span) -> Origin {
        Origin {
            phrase: self.phrase.clone(),
            span: self.span.map(|_| span),
            file: self.file.clone(),
        }
    }
}

impl PartialEq for Origin {
    fn eq(&self, other: &Origin) -> bool {
        self.phrase == other.phrase
    }
}

impl std::ops::Deref for Origin {
    type Target = str;
    fn deref(&self) -> &str {
        &self.phrase
    }
}

/// Puts `origin` first in a chain that keeps at most [`MAX_ORIGINS`]
/// steps: the nearest explains the value first, and the farthest (where
/// the literal is written) is kept for fixes and reports, so a step in the
/// middle gives way.
fn push_front(origins: &mut Vec<Origin>, origin: Origin) {
    if origins.contains(&origin) {
        return;
    }
    if origins.len() >= MAX_ORIGINS {
        origins.remove(MAX_ORIGINS - 2);
    }
    origins.insert(0, origin);
}

/// Most known values an unknown value lists (the branches of nested
/// conditionals, their combinations in a template); past it none is
/// listed, and the value stays plain text as before.
pub(crate) const MAX_ALTS: usize = 8;

/// A value a statically unknown value may take: a branch of a conditional
/// whose condition is not known (`var.env == "prod" ? "app:1.2" :
/// "app:latest"`). Rules read it to say what the value *may* be, at the
/// branch that writes it.
#[derive(Clone, Debug)]
pub(crate) struct Alt {
    /// The value, located at the branch that writes it.
    pub val: Val,
    /// When it is taken: "`var.env == \"prod\"` is false" (joined with
    /// "and" for nested conditionals).
    pub when: Rc<str>,
}

/// A value with its report location and provenance.
#[derive(Clone, Debug)]
pub(crate) struct Val {
    pub v: V,
    pub span: Span,
    pub origins: Vec<Origin>,
    /// For an unknown value, the known values it may take (see [`Alt`]);
    /// `None` for most values, so the tree stays small.
    pub alts: Option<Rc<Vec<Alt>>>,
}

/// The shapes a Terraform value can take here.
#[derive(Clone, Debug)]
pub(crate) enum V {
    Null,
    Bool(bool),
    Num(Number),
    Str(String),
    List(Vec<Val>),
    /// An object or map, in source order (later duplicates replace earlier).
    Map(Vec<(String, Val)>),
    /// A JSON string (`jsonencode(...)`, a JSON file) kept as its structure
    /// so rules can look inside; it becomes text only where text is needed.
    Json(Box<Val>),
    /// Not statically known: the text to show (`${aws_x.y.id}`).
    Unknown(String),
    /// Could not be evaluated because the configuration is wrong for the
    /// values known (missing key, bad type); shown as text like `Unknown`,
    /// but `try`/`can` treat it as a failure rather than as "not known yet".
    Error(String),
}

impl Val {
    /// A value without provenance.
    pub fn new(v: V, span: Span) -> Val {
        Val {
            v,
            span,
            origins: Vec::new(),
            alts: None,
        }
    }

    /// The known values this value may take, listed when it is unknown.
    pub fn alternatives(&self) -> &[Alt] {
        match &self.alts {
            Some(alts) if !self.is_known() => alts,
            _ => &[],
        }
    }

    /// A string value.
    pub fn str(s: impl Into<String>, span: Span) -> Val {
        Val::new(V::Str(s.into()), span)
    }

    /// An unknown value shown as `text`.
    pub fn unknown(text: impl Into<String>, span: Span) -> Val {
        Val::new(V::Unknown(text.into()), span)
    }

    /// A failed evaluation shown as `text`.
    pub fn error(text: impl Into<String>, span: Span) -> Val {
        Val::new(V::Error(text.into()), span)
    }

    /// Whether the top of the value is known (its parts may still be unknown).
    pub fn is_known(&self) -> bool {
        !matches!(self.v, V::Unknown(_) | V::Error(_))
    }

    /// Whether the value is a failed evaluation.
    pub fn is_error(&self) -> bool {
        matches!(self.v, V::Error(_))
    }

    /// Whether no part of the value is unknown.
    pub fn is_wholly_known(&self) -> bool {
        match &self.v {
            V::Unknown(_) | V::Error(_) => false,
            V::List(items) => items.iter().all(Val::is_wholly_known),
            V::Map(entries) => entries.iter().all(|(_, v)| v.is_wholly_known()),
            V::Json(inner) => inner.is_wholly_known(),
            _ => true,
        }
    }

    /// The string, if the value is one.
    pub fn as_str(&self) -> Option<&str> {
        match &self.v {
            V::Str(s) => Some(s),
            _ => None,
        }
    }

    /// Adds provenance to this node only, without duplicates.
    pub fn add_origins(&mut self, origins: &[Origin]) {
        for o in origins {
            if self.origins.len() < MAX_ORIGINS && !self.origins.contains(o) {
                self.origins.push(o.clone());
            }
        }
    }

    /// Moves the whole tree to `span` (a value read through a reference is
    /// reported where it is used) and adds `origin` to every node, first.
    /// The origin names the node's former place: the part of the value it
    /// read (the map entry), not the whole expression.
    pub fn relocate(&mut self, span: Span, origin: Option<&Origin>) {
        if let Some(o) = origin {
            // the reference just followed explains the value first
            push_front(&mut self.origins, o.at(self.span));
        }
        self.span = span;
        match &mut self.v {
            V::List(items) => items.iter_mut().for_each(|i| i.relocate(span, origin)),
            V::Map(entries) => entries
                .iter_mut()
                .for_each(|(_, v)| v.relocate(span, origin)),
            V::Json(inner) => inner.relocate(span, origin),
            _ => {}
        }
    }

    /// Adds `origin` first to every value of the tree, keeping its spans:
    /// a value passed to a child module stays where the caller wrote it.
    pub fn tag(&mut self, origin: &Origin) {
        push_front(&mut self.origins, origin.at(self.span));
        match &mut self.v {
            V::List(items) => items.iter_mut().for_each(|i| i.tag(origin)),
            V::Map(entries) => entries.iter_mut().for_each(|(_, v)| v.tag(origin)),
            V::Json(inner) => inner.tag(origin),
            _ => {}
        }
    }

    /// Prepares a value evaluated in one document (a child module's output)
    /// to be read in another (its caller's): every place its origins name
    /// gets its file from `files` (the first document's), and `origin`
    /// (the outputs of the call) is put first, naming where each part is
    /// written.
    pub fn pin_files(&mut self, files: &[Arc<SourceFile>], origin: &Origin) {
        for o in &mut self.origins {
            o.pin(files);
        }
        let mut own = origin.at(self.span);
        own.span = Some(self.span);
        own.pin(files);
        push_front(&mut self.origins, own);
        match &mut self.v {
            V::List(items) => items.iter_mut().for_each(|i| i.pin_files(files, origin)),
            V::Map(entries) => entries
                .iter_mut()
                .for_each(|(_, v)| v.pin_files(files, origin)),
            V::Json(inner) => inner.pin_files(files, origin),
            _ => {}
        }
    }

    /// Moves every span of the tree `by` bytes later in its file (values
    /// parsed from a slice of a file).
    pub fn shift(&mut self, by: u32) {
        self.span.start = self.span.start.saturating_add(by);
        self.span.end = self.span.end.saturating_add(by);
        match &mut self.v {
            V::List(items) => items.iter_mut().for_each(|i| i.shift(by)),
            V::Map(entries) => entries.iter_mut().for_each(|(_, v)| v.shift(by)),
            V::Json(inner) => inner.shift(by),
            _ => {}
        }
    }

    /// The number of nodes (a string counts one more per 64 bytes), for the
    /// evaluation budget, when it is at most `max`; else some number over
    /// `max` found without walking the rest: a value too large for the
    /// budget left costs as little to refuse as the budget itself.
    pub fn size_up_to(&self, max: u64) -> u64 {
        let mut n = 0;
        self.count_nodes(max, &mut n);
        n
    }

    fn count_nodes(&self, max: u64, n: &mut u64) {
        *n = n.saturating_add(match &self.v {
            V::Str(s) | V::Unknown(s) | V::Error(s) => 1 + s.len() as u64 / 64,
            _ => 1,
        });
        let children: Box<dyn Iterator<Item = &Val>> = match &self.v {
            V::List(items) => Box::new(items.iter()),
            V::Map(entries) => Box::new(entries.iter().map(|(_, v)| v)),
            V::Json(inner) => Box::new(std::iter::once(&**inner)),
            _ => return,
        };
        for child in children {
            if *n > max {
                return;
            }
            child.count_nodes(max, n);
        }
    }

    /// Depth of the tree (a scalar is 1).
    pub fn depth(&self) -> usize {
        match &self.v {
            V::List(items) => 1 + items.iter().map(Val::depth).max().unwrap_or(0),
            V::Map(entries) => 1 + entries.iter().map(|(_, v)| v.depth()).max().unwrap_or(0),
            V::Json(inner) => 1 + inner.depth(),
            _ => 1,
        }
    }

    /// The entry under `key` of a map.
    pub fn get(&self, key: &str) -> Option<&Val> {
        match &self.v {
            V::Map(entries) => entries.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The plain JSON of the value (unknown parts as their text).
    pub fn to_json(&self) -> Value {
        match &self.v {
            V::Null => Value::Null,
            V::Bool(b) => Value::Bool(*b),
            V::Num(n) => Value::Number(n.clone()),
            V::Str(s) | V::Unknown(s) | V::Error(s) => Value::String(s.clone()),
            V::List(items) => Value::Array(items.iter().map(Val::to_json).collect()),
            V::Map(entries) => Value::Object(
                entries
                    .iter()
                    .map(|(k, v)| (k.clone(), v.to_json()))
                    .collect(),
            ),
            V::Json(inner) => inner.to_json(),
        }
    }

    /// A JSON value as a tree whose every node is reported at `span`.
    pub fn from_json(value: &Value, span: Span) -> Val {
        Val::from_json_depth(value, None, span, 0)
    }

    /// A JSON value with the spans of its source map (in document file `file`).
    pub fn from_json_mapped(value: &Value, map: &SourceMap, file: u16) -> Val {
        let span = map.span.in_file(file);
        Val::from_json_depth(value, Some((map, file)), span, 0)
    }

    fn from_json_depth(
        value: &Value,
        map: Option<(&SourceMap, u16)>,
        span: Span,
        depth: usize,
    ) -> Val {
        if depth > MAX_VALUE_DEPTH {
            return Val::unknown("…", span);
        }
        let child = |seg: PathSeg| -> (Option<(&SourceMap, u16)>, Span) {
            match map.and_then(|(m, f)| m.child(&seg).map(|c| (c, f))) {
                Some((c, f)) => (Some((c, f)), c.span.in_file(f)),
                None => (None, span),
            }
        };
        let v = match value {
            Value::Null => V::Null,
            Value::Bool(b) => V::Bool(*b),
            Value::Number(n) => V::Num(n.clone()),
            Value::String(s) => V::Str(s.clone()),
            Value::Array(items) => V::List(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| {
                        let (m, s) = child(PathSeg::Index(i));
                        Val::from_json_depth(item, m, s, depth + 1)
                    })
                    .collect(),
            ),
            Value::Object(obj) => V::Map(
                obj.iter()
                    .map(|(k, item)| {
                        let (m, s) = child(PathSeg::Key(k.clone()));
                        (k.clone(), Val::from_json_depth(item, m, s, depth + 1))
                    })
                    .collect(),
            ),
        };
        Val::new(v, span)
    }
}

/// Inserts or replaces `key` in an ordered map (later wins, first position kept).
pub(crate) fn map_insert(entries: &mut Vec<(String, Val)>, key: String, val: Val) {
    match entries.iter_mut().find(|(k, _)| *k == key) {
        Some(slot) => slot.1 = val,
        None => entries.push((key, val)),
    }
}

/// Most provenance entries one document records (a huge value built from
/// variables would otherwise explain every one of its leaves).
const MAX_PROVENANCE: usize = 10_000;

/// The document parts one value tree turns into.
pub(crate) struct Emitted {
    pub value: Value,
    pub map: SourceMap,
}

/// Turns a value tree into the input JSON, its source map and provenance
/// entries (keyed by JSON path), in one walk. The tree is consumed: its
/// strings move into the JSON instead of being copied. The known values
/// that unknown values may take are listed under the top-level key
/// `alternatives` (see [`alternatives_entry`]).
pub(crate) fn emit(val: Val, provenance: &mut crate::document::ProvenanceMap) -> Emitted {
    let mut path = Vec::new();
    let mut found = Vec::new();
    let mut emitted = emit_at(val, &mut path, &[], provenance, &mut found, 0);
    if !found.is_empty() {
        add_alternatives(&mut emitted, found, provenance);
    }
    emitted
}

/// Most values whose alternatives one document lists.
const MAX_ALTERNATIVE_VALUES: usize = 10_000;

/// Unknown values met by [`emit`], with the path where each is emitted.
type Found = Vec<(Vec<PathSeg>, Rc<Vec<Alt>>)>;

/// Adds `alternatives` to the top-level object: one entry per value an
/// unknown may take, whose `value` is located at the branch writing it.
fn add_alternatives(
    emitted: &mut Emitted,
    found: Found,
    provenance: &mut crate::document::ProvenanceMap,
) {
    let (Value::Object(obj), Children::Object(maps)) =
        (&mut emitted.value, &mut emitted.map.children)
    else {
        return;
    };
    let items = found
        .iter()
        .flat_map(|(path, alts)| {
            // `null` branches are kept for `coalesce`; no rule reads them
            alts.iter()
                .filter(|a| !matches!(a.val.v, V::Null))
                .map(|a| alternatives_entry(path, a))
        })
        .collect();
    let list = Val::new(V::List(items), emitted.map.span);
    let mut path = vec![PathSeg::Key("alternatives".into())];
    let e = emit_at(list, &mut path, &[], provenance, &mut Vec::new(), 1);
    obj.insert("alternatives".into(), e.value);
    maps.insert("alternatives".into(), e.map);
}

/// Whether the path names `count` or `for_each` (of a block or a
/// `dynamic` block): the instances they make, not a value rules judge
/// (on real modules, `for_each = c ? [1] : []` is most conditionals).
fn is_meta_argument(path: &[PathSeg]) -> bool {
    matches!(path.last(), Some(PathSeg::Key(k)) if k == "count" || k == "for_each")
}

/// `{"path": [...], "value": ..., "when": "..."}`: a value the unknown at
/// `path` (in the input) may take, and when.
fn alternatives_entry(path: &[PathSeg], alt: &Alt) -> Val {
    let at = alt.val.span;
    let segs = path
        .iter()
        .map(|seg| match seg {
            PathSeg::Key(k) => Val::str(k.as_str(), at),
            PathSeg::Index(i) => Val::new(V::Num(Number::from(*i)), at),
        })
        .collect();
    Val::new(
        V::Map(vec![
            ("path".into(), Val::new(V::List(segs), at)),
            ("value".into(), alt.val.clone()),
            ("when".into(), Val::str(&*alt.when, at)),
        ]),
        at,
    )
}

fn emit_at(
    val: Val,
    path: &mut Vec<PathSeg>,
    parent_origins: &[Origin],
    provenance: &mut crate::document::ProvenanceMap,
    found: &mut Found,
    depth: usize,
) -> Emitted {
    if depth > MAX_VALUE_DEPTH {
        return Emitted {
            value: Value::String("…".into()),
            map: SourceMap::leaf(val.span),
        };
    }
    let scalar = !matches!(val.v, V::List(_) | V::Map(_) | V::Json(_));
    if !val.origins.is_empty()
        && (scalar || val.origins != parent_origins)
        && provenance.len() < MAX_PROVENANCE
    {
        provenance.insert(path.clone(), explain(&val, scalar));
    }
    if val
        .alternatives()
        .iter()
        .any(|a| !matches!(a.val.v, V::Null))
        && !is_meta_argument(path)
        && found.len() < MAX_ALTERNATIVE_VALUES
        && let Some(alts) = &val.alts
    {
        found.push((path.clone(), alts.clone()));
    }
    let Val {
        v, span, origins, ..
    } = val;
    match v {
        V::Json(inner) => {
            let mut e = emit_at(*inner, path, &origins, provenance, found, depth + 1);
            e.map.span = span;
            e
        }
        V::List(items) => {
            let mut values = Vec::with_capacity(items.len());
            let mut maps = Vec::with_capacity(items.len());
            for (i, item) in items.into_iter().enumerate() {
                path.push(PathSeg::Index(i));
                let e = emit_at(item, path, &origins, provenance, found, depth + 1);
                path.pop();
                values.push(e.value);
                maps.push(e.map);
            }
            Emitted {
                value: Value::Array(values),
                map: SourceMap::array(span, maps),
            }
        }
        V::Map(entries) => {
            let mut obj = serde_json::Map::with_capacity(entries.len());
            // pushed in entry order and sorted once: no tree node per object
            let mut maps = Vec::with_capacity(entries.len());
            for (k, item) in entries {
                path.push(PathSeg::Key(k));
                let e = emit_at(item, path, &origins, provenance, found, depth + 1);
                let Some(PathSeg::Key(k)) = path.pop() else {
                    unreachable!("the key pushed above")
                };
                obj.insert(k.clone(), e.value);
                maps.push((k, e.map));
            }
            Emitted {
                value: Value::Object(obj),
                map: SourceMap {
                    span,
                    children: Children::Object(SourceObject::from(maps)),
                },
            }
        }
        V::Null => leaf(Value::Null, span),
        V::Bool(b) => leaf(Value::Bool(b), span),
        V::Num(n) => leaf(Value::Number(n), span),
        V::Str(s) | V::Unknown(s) | V::Error(s) => leaf(Value::String(s), span),
    }
}

fn leaf(value: Value, span: Span) -> Emitted {
    Emitted {
        value,
        map: SourceMap::leaf(span),
    }
}

/// The note and the places of a value's chain of origins.
fn explain(val: &Val, scalar: bool) -> Provenance {
    Provenance {
        note: describe(val, scalar),
        sources: val
            .origins
            .iter()
            .filter_map(|o| {
                Some(Source {
                    message: o.phrase.to_string(),
                    span: o.span?,
                    file: o.file.clone(),
                })
            })
            .collect(),
    }
}

/// "`latest` from local `image` (locals.tf:2) → the default of variable
/// `tag` (variables.tf:3)": the chain, nearest first.
/// Written into one string: one is built for most values of every
/// document, and `format!` with a joined chain cost three allocations and
/// two copies each (BENCHMARKS.md, stop 27).
fn describe(val: &Val, scalar: bool) -> String {
    const SHOWN: usize = 80;
    let chain: usize = val.origins.iter().map(|o| o.phrase.len() + 5).sum();
    let mut note = String::with_capacity(chain + if scalar { SHOWN + 12 } else { 5 });
    if scalar {
        let json;
        let shown = match &val.v {
            V::Str(s) | V::Unknown(s) | V::Error(s) => s.as_str(),
            other => {
                json = Val::new(other.clone(), val.span).to_json().to_string();
                json.as_str()
            }
        };
        note.push('`');
        match shown.char_indices().nth(SHOWN) {
            Some((cut, _)) => {
                note.push_str(&shown[..cut]);
                note.push('…');
            }
            None => note.push_str(shown),
        }
        note.push_str("` ");
    }
    note.push_str("from ");
    for (i, o) in val.origins.iter().enumerate() {
        if i > 0 {
            note.push_str(" → ");
        }
        note.push_str(&o.phrase);
    }
    note
}

/// Longest string built by templates and functions.
pub(crate) const MAX_STRING: usize = 1 << 20;

/// Adds the operands' provenance to a computed value.
pub(crate) fn with_origins(mut v: Val, from: &[&Val]) -> Val {
    for f in from {
        v.add_origins(&f.origins);
    }
    v
}

/// A number value from an `f64`, as an integer when it is one.
pub(crate) fn number(f: f64) -> Option<V> {
    if f.fract() == 0.0 && f.abs() < 9_007_199_254_740_992.0 {
        Some(V::Num(Number::from(f as i64)))
    } else {
        Number::from_f64(f).map(V::Num)
    }
}

/// A value as a number (numeric strings convert, as in Terraform).
pub(crate) fn as_f64(v: &Val) -> Option<f64> {
    match &v.v {
        V::Num(n) => n.as_f64(),
        V::Str(s) => s.trim().parse::<f64>().ok().filter(|f| f.is_finite()),
        _ => None,
    }
}

/// A value as a bool (`"true"`/`"false"` convert, as in Terraform).
pub(crate) fn as_bool(v: &Val) -> Option<bool> {
    match &v.v {
        V::Bool(b) => Some(*b),
        V::Str(s) if s == "true" => Some(true),
        V::Str(s) if s == "false" => Some(false),
        _ => None,
    }
}

/// A value used as a map key or a string: scalars convert, unknowns give
/// their text.
pub(crate) fn key_string(v: &Val) -> Option<String> {
    match &v.v {
        V::Str(s) | V::Unknown(s) | V::Error(s) => Some(s.clone()),
        V::Num(n) => Some(n.to_string()),
        V::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// The (key, value) pairs a `for` or `for_each` iterates: list items with
/// their index, map entries in key order. `None` when not iterable or not
/// known.
pub(crate) fn iter_pairs(v: &Val) -> Option<Vec<(Val, Val)>> {
    match &v.v {
        V::List(items) => Some(
            items
                .iter()
                .enumerate()
                .map(|(i, item)| (Val::new(V::Num(Number::from(i)), item.span), item.clone()))
                .collect(),
        ),
        V::Map(entries) => {
            let mut sorted: Vec<&(String, Val)> = entries.iter().collect();
            sorted.sort_by(|a, b| a.0.cmp(&b.0));
            Some(
                sorted
                    .into_iter()
                    .map(|(k, item)| (Val::str(k.as_str(), item.span), item.clone()))
                    .collect(),
            )
        }
        _ => None,
    }
}

/// Equality of plain JSON values, numbers compared by value (1 == 1.0).
pub(crate) fn json_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| json_eq(p, q))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| json_eq(v, w)))
        }
        _ => a == b,
    }
}

/// Whether text is meant as JSON (an object or an array).
pub(crate) fn looks_like_json(s: &str) -> bool {
    matches!(s.trim_start().chars().next(), Some('{' | '['))
}

/// `variables.tf:3`: the file's name and the span's line.
pub(crate) fn place(files: &[Arc<SourceFile>], span: Span) -> String {
    match files.get(span.file as usize) {
        Some(f) => {
            // built by hand: `format!` cost more than the rest of this
            // (origin phrases of variables and locals, BENCHMARKS.md, "Stop 30")
            let name = f.name();
            let mut out = String::with_capacity(name.len() + 6);
            out.push_str(name);
            out.push(':');
            let _ = std::fmt::Write::write_fmt(
                &mut out,
                format_args!("{}", f.line_of(span.start as usize)),
            );
            out
        }
        None => "?".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relocate_moves_every_node_and_adds_origin() {
        let mut v = Val::from_json(&serde_json::json!({"a": [1, "x"]}), Span::new(0, 1));
        let o = Origin::new("local `x` (a.tf:1)", Some(Span::new(0, 1)));
        v.relocate(Span::new(5, 9), Some(&o));
        let mut prov = crate::document::ProvenanceMap::default();
        let e = emit(v, &mut prov);
        assert_eq!(e.value, serde_json::json!({"a": [1, "x"]}));
        let mut spans = Vec::new();
        e.map.for_each_span(&mut |s| spans.push(s));
        assert!(spans.iter().all(|s| *s == Span::new(5, 9)));
        // the top node and each scalar leaf get provenance, not the inner list
        let leaf = vec![PathSeg::Key("a".into()), PathSeg::Index(1)];
        assert_eq!(prov[&leaf].note, "`x` from local `x` (a.tf:1)");
        assert_eq!(prov[&vec![]].note, "from local `x` (a.tf:1)");
        // the source is where the value was before it was read
        assert_eq!(prov[&leaf].sources[0].span, Span::new(0, 1));
        assert!(!prov.contains_key(&vec![PathSeg::Key("a".into())]));
    }

    #[test]
    fn a_key_written_twice_emits_its_later_value_and_span() {
        let at = |n: usize| Span::new(n, n + 1);
        let num = |n: usize| Val::new(V::Num(Number::from(n)), at(n));
        let entries = vec![
            ("b".to_string(), num(1)),
            ("a".to_string(), num(2)),
            ("b".to_string(), num(3)),
            ("c".to_string(), num(4)),
            ("a".to_string(), num(5)),
        ];
        let e = emit(
            Val::new(V::Map(entries), at(0)),
            &mut crate::document::ProvenanceMap::default(),
        );
        assert_eq!(e.value, serde_json::json!({"a": 5, "b": 3, "c": 4}));
        let keys: Vec<&str> = e
            .value
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(keys, ["a", "b", "c"]);
        let spans: Vec<Span> = ["a", "b", "c"]
            .iter()
            .map(|k| e.map.child(&PathSeg::Key(k.to_string())).unwrap().span)
            .collect();
        assert_eq!(spans, [at(5), at(3), at(4)]);
    }

    #[test]
    fn a_note_shows_up_to_80_characters_of_the_value_and_the_chain_nearest_first() {
        let tagged = |text: &str| {
            let mut v = Val::str(text, Span::new(0, 1));
            v.tag(&Origin::new("the default of variable `b` (v.tf:2)", None));
            v.tag(&Origin::new("local `a` (l.tf:1)", None));
            v
        };
        let chain = "from local `a` (l.tf:1) → the default of variable `b` (v.tf:2)";
        let eighty = "é".repeat(80);
        assert_eq!(
            describe(&tagged(&eighty), true),
            format!("`{eighty}` {chain}")
        );
        let longer = format!("{eighty}xyz");
        assert_eq!(
            describe(&tagged(&longer), true),
            format!("`{eighty}…` {chain}")
        );
        let mut number = tagged("");
        number.v = V::Num(22.into());
        assert_eq!(describe(&number, true), format!("`22` {chain}"));
        assert_eq!(describe(&tagged("x"), false), chain);
    }

    #[test]
    fn alternatives_of_an_unknown_are_listed_at_their_branches() {
        let mut image = Val::unknown("${c ? \"a:1\" : \"a:latest\"}", Span::new(10, 40));
        let branch = Val::str("a:latest", Span::new(30, 40));
        image.alts = Some(Rc::new(vec![Alt {
            val: branch,
            when: "`c` is false".into(),
        }]));
        let top = Val::new(V::Map(vec![("image".into(), image)]), Span::new(0, 50));
        let e = emit(top, &mut crate::document::ProvenanceMap::default());
        // the value stays the conditional's text
        assert_eq!(e.value["image"], "${c ? \"a:1\" : \"a:latest\"}");
        assert_eq!(
            e.value["alternatives"],
            serde_json::json!([{"path": ["image"], "value": "a:latest", "when": "`c` is false"}])
        );
        let value = [
            PathSeg::Key("alternatives".into()),
            PathSeg::Index(0),
            PathSeg::Key("value".into()),
        ];
        assert_eq!(e.map.locate(&value).0.span, Span::new(30, 40));
    }

    #[test]
    fn no_alternatives_no_key() {
        let top = Val::new(
            V::Map(vec![("a".into(), Val::unknown("${x}", Span::default()))]),
            Span::default(),
        );
        let e = emit(top, &mut crate::document::ProvenanceMap::default());
        assert!(e.value.get("alternatives").is_none());
    }

    #[test]
    fn json_values_emit_their_structure_at_the_outer_span() {
        let inner = Val::from_json(&serde_json::json!([{"image": "x"}]), Span::new(3, 4));
        let v = Val::new(V::Json(Box::new(inner)), Span::new(1, 10));
        let e = emit(v, &mut crate::document::ProvenanceMap::default());
        assert_eq!(e.value, serde_json::json!([{"image": "x"}]));
        assert_eq!(e.map.span, Span::new(1, 10));
        let img = [PathSeg::Index(0), PathSeg::Key("image".into())];
        assert_eq!(e.map.locate(&img).0.span, Span::new(3, 4));
    }

    #[test]
    fn size_up_to_stops_past_its_limit() {
        let items: Vec<Val> = (0..1000)
            .map(|i| Val::str(i.to_string(), Span::default()))
            .collect();
        let v = Val::new(V::List(items), Span::default());
        assert_eq!(v.size_up_to(u64::MAX), 1001);
        assert_eq!(v.size_up_to(5000), 1001);
        assert_eq!(v.size_up_to(10), 11);
    }

    #[test]
    fn too_deep_json_is_cut() {
        let mut j = serde_json::json!(1);
        for _ in 0..(MAX_VALUE_DEPTH + 10) {
            j = serde_json::json!([j]);
        }
        let v = Val::from_json(&j, Span::default());
        assert!(v.depth() <= MAX_VALUE_DEPTH + 2);
    }
}
