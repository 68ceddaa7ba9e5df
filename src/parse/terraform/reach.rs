//! Which blocks of a child module instance its call can change.
//!
//! A child module that is part of the scan is reported by its own document
//! (evaluated with its defaults); an instance of it, evaluated with a
//! caller's arguments, can only add findings about values that come from
//! the call (`scan::written_here` keeps those and drops the rest). A block
//! that reads no argument carrying something of the caller's (directly or
//! through a local), no module output and no file has every value located
//! in the child's own files, in every instance: whatever rules find in it
//! is the child's own document's to report. Such an instance builds only
//! the blocks its call can reach: the rest would be evaluated, emitted and
//! checked for nothing (BENCHMARKS.md, "Stop 24").
//!
//! The reads are found in the syntax, before evaluation, and err on the
//! side of "reaches": an expression this walk cannot read precisely (a
//! `.tf.json` template, `var` or `local` used as a whole, a function that
//! reads files) counts as reading everything. A local or a module output
//! the syntax says may carry something of the caller's is then looked at
//! as evaluated: a value with no part located in a kept file, no branch
//! located there and no part that comes from an argument written there
//! (`compose::to_arguments` moves those) gives nothing kept to
//! what reads it (BENCHMARKS.md, "Stop 29").

use std::cell::RefCell;

use foldhash::{HashMap, HashSet};

use hcl_edit::expr::{Expression, FuncCall, Traversal, TraversalOperator};
use hcl_edit::visit::{Visit, visit_expr, visit_func_call};
use serde_json::Value;

use super::body::{Block, Body, Expr, Item};
use super::eval::Evaluator;
use super::value::{V, Val};
use crate::document::Span;

/// What the walk over expressions tells: each variable and local read,
/// and reads that may depend on anything. [`Record`] lists them in order
/// (for a local's expression, and for a block, asked about once per
/// instance).
trait Sink {
    fn var(&mut self, name: &str);
    fn local(&mut self, name: &str);
    /// `module.NAME`.
    fn module(&mut self, name: &str);
    /// A file, or something not named precisely.
    fn anything(&mut self);
    /// Nothing more to learn: the rest of the walk is skipped.
    fn done(&self) -> bool {
        false
    }
}

/// One read of a block or expression, as the syntax walk meets it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Read {
    /// `var.NAME`.
    Var(Box<str>),
    /// `local.NAME`.
    Local(Box<str>),
    /// `module.NAME`.
    Module(Box<str>),
    /// A file, or something not named precisely.
    Anything,
}

/// What a block or expression reads, each read once, in the order the
/// walk meets it, up to the first that may read anything: asking a [`Reach`] about them in
/// that order stops where the walk itself would stop, so it evaluates the
/// same locals and module outputs ([`Reach::block`]).
#[derive(Default)]
struct Record {
    reads: Vec<Read>,
    seen: HashSet<Read>,
}

impl Record {
    fn push(&mut self, read: Read) {
        if self.seen.insert(read.clone()) {
            self.reads.push(read);
        }
    }
}

impl Sink for Record {
    fn var(&mut self, name: &str) {
        self.push(Read::Var(name.into()));
    }
    fn local(&mut self, name: &str) {
        self.push(Read::Local(name.into()));
    }
    fn module(&mut self, name: &str) {
        self.push(Read::Module(name.into()));
    }
    fn anything(&mut self) {
        self.push(Read::Anything);
    }
    fn done(&self) -> bool {
        self.reads.last() == Some(&Read::Anything)
    }
}

/// What block `b` reads ([`Record`]). It depends on the syntax alone, so
/// a module's files keep it for every instance of the module
/// (`Tree::block_reads`): the walk over a block's expressions, repeated for
/// each instance, was about 2% of a scan (BENCHMARKS.md, "Stop 35").
pub(crate) fn reads_of(b: &Block) -> Box<[Read]> {
    let mut record = Record::default();
    walk_body(&mut record, &b.body);
    record.reads.into_boxed_slice()
}

/// What expression `e` reads ([`Record`]).
fn expr_reads(e: Expr) -> Vec<Read> {
    let mut record = Record::default();
    walk_expr(&mut record, e);
    record.reads
}

fn walk_body(sink: &mut impl Sink, body: &Body) {
    for item in &body.items {
        match item {
            Item::Attr(a) => walk_expr(sink, a.expr),
            Item::Block(b) => walk_body(sink, &b.body),
        }
        if sink.done() {
            return;
        }
    }
}

fn walk_expr(sink: &mut impl Sink, e: Expr) {
    match e {
        Expr::Hcl(expr, _) => Walker(sink).visit_expr(expr),
        Expr::Json(value, _, _) if json_has_template(value) => sink.anything(),
        Expr::Json(..) => {}
    }
}

/// Whether a `.tf.json` value holds a template (`${…}`, `%{…}`), in a key
/// or a string: what it reads is not looked at, so it may read anything.
fn json_has_template(v: &Value) -> bool {
    let template = |s: &str| s.contains("${") || s.contains("%{");
    match v {
        Value::String(s) => template(s),
        Value::Array(items) => items.iter().any(json_has_template),
        Value::Object(o) => o.iter().any(|(k, v)| template(k) || json_has_template(v)),
        _ => false,
    }
}

/// Functions whose result is located in, or depends on, a file the module
/// reads (`file`, `templatefile`, `fileset`, `filebase64`, …).
fn reads_files(name: &str) -> bool {
    name.starts_with("file") || name == "templatefile"
}

/// The syntax walk, telling `sink` what each expression reads.
struct Walker<'s, S>(&'s mut S);

impl<S: Sink> Visit for Walker<'_, S> {
    fn visit_expr(&mut self, e: &Expression) {
        if self.0.done() {
            return;
        }
        match e {
            // `var`, `local` or `module` as a whole
            Expression::Variable(v) if matches!(v.as_str(), "var" | "local" | "module") => {
                self.0.anything();
            }
            Expression::Variable(_) => {}
            _ => visit_expr(self, e),
        }
    }

    fn visit_traversal(&mut self, t: &Traversal) {
        let Expression::Variable(root) = &t.expr else {
            hcl_edit::visit::visit_traversal(self, t);
            return;
        };
        let first = t.operators.first().map(|o| o.value());
        match (root.as_str(), first) {
            ("var", Some(TraversalOperator::GetAttr(name))) => self.0.var(name.as_str()),
            ("local", Some(TraversalOperator::GetAttr(name))) => self.0.local(name.as_str()),
            ("module", Some(TraversalOperator::GetAttr(name))) => self.0.module(name.as_str()),
            ("var" | "local" | "module", _) => self.0.anything(),
            _ => {}
        }
        for op in &t.operators {
            self.visit_traversal_operator(op);
        }
    }

    fn visit_func_call(&mut self, f: &FuncCall) {
        if reads_files(f.name.name.as_str()) {
            self.0.anything();
        }
        visit_func_call(self, f);
    }
}

/// The blocks and locals of one child module instance that its call can
/// change: those reading an argument, a local computed from one, a module
/// output or a file.
pub(crate) struct Reach {
    arguments: HashSet<String>,
    /// Locals the call can change, as the syntax tells.
    locals: HashSet<String>,
    /// Which document files findings are kept from (files past its end
    /// are kept).
    kept: Vec<bool>,
    /// The origins naming an argument written in a kept file
    /// (`compose::Instance::bind`).
    kept_arguments: HashSet<String>,
    /// Whether a local as evaluated carries something kept, once known.
    locals_carry: RefCell<HashMap<String, bool>>,
    /// Whether a module call's outputs carry something kept, once known.
    modules_carry: RefCell<HashMap<String, bool>>,
}

impl Reach {
    /// `arguments` are the names of the variables the call sets; `locals`
    /// the module's local definitions; `written` where each argument's
    /// origin is written; `kept` the document files findings are kept from.
    pub fn new<'a>(
        arguments: impl IntoIterator<Item = String>,
        locals: impl IntoIterator<Item = (&'a str, Expr<'a>)>,
        written: &HashMap<String, Span>,
        kept: &[bool],
    ) -> Reach {
        let mut reach = Reach {
            arguments: arguments.into_iter().collect(),
            locals: HashSet::default(),
            kept: kept.to_vec(),
            kept_arguments: written
                .iter()
                .filter(|(_, span)| is_kept(**span, kept))
                .map(|(origin, _)| origin.clone())
                .collect(),
            locals_carry: RefCell::default(),
            modules_carry: RefCell::default(),
        };
        let mut pending: HashMap<&str, Vec<Read>> = locals
            .into_iter()
            .map(|(name, e)| (name, expr_reads(e)))
            .collect();
        // a local is reached when what it reads is: until nothing changes
        loop {
            let reached: Vec<&str> = pending
                .iter()
                .filter(|(_, reads)| reach.reads(reads))
                .map(|(name, _)| *name)
                .collect();
            if reached.is_empty() {
                break;
            }
            for name in reached {
                pending.remove(name);
                reach.locals.insert(name.to_string());
            }
        }
        reach
    }

    /// Whether a local that `reads` this is one the call can change, as
    /// the syntax tells (a module output may be anything here).
    fn reads(&self, reads: &[Read]) -> bool {
        reads.iter().any(|read| match read {
            Read::Var(name) => self.arguments.contains(&**name),
            Read::Local(name) => self.locals.contains(&**name),
            Read::Module(_) | Read::Anything => true,
        })
    }

    /// Whether the call can change anything in a block that `reads`
    /// ([`reads_of`]), its locals and module outputs as `ev` evaluates
    /// them (each looked at once, in the order the block reads them, up to
    /// the first that reaches).
    pub fn block(&self, reads: &[Read], ev: &Evaluator) -> bool {
        reads.iter().any(|read| match read {
            Read::Var(name) => self.arguments.contains(&**name),
            Read::Local(name) => self.locals.contains(&**name) && self.local_carries(name, ev),
            Read::Module(name) => self.module_carries(name, ev),
            Read::Anything => true,
        })
    }

    /// Whether local `name`, as evaluated, carries anything kept.
    fn local_carries(&self, name: &str, ev: &Evaluator) -> bool {
        once(&self.locals_carry, name, || {
            ev.local(name, 0).is_none_or(|found| self.carries(&found.0))
        })
    }

    /// Whether the outputs of module call `name` carry anything kept.
    fn module_carries(&self, name: &str, ev: &Evaluator) -> bool {
        once(&self.modules_carry, name, || {
            ev.module_outputs(name).is_some_and(|v| self.carries(v))
        })
    }

    /// Whether a value read through a reference (a local, a module output)
    /// can give anything kept to what reads it. The read moves the value's
    /// parts to the place of use, so where they are written does not
    /// count; a part that comes from an argument written in a kept file is
    /// moved there (`compose::to_arguments`), and the branches an
    /// unknown part may take stay where they are written.
    fn carries(&self, v: &Val) -> bool {
        v.origins.iter().any(|o| self.kept_arguments.contains(&**o))
            || v.alternatives()
                .iter()
                .any(|a| holds_kept(&a.val, &self.kept) || self.carries(&a.val))
            || match &v.v {
                V::List(items) => items.iter().any(|i| self.carries(i)),
                V::Map(entries) => entries.iter().any(|(_, x)| self.carries(x)),
                V::Json(inner) => self.carries(inner),
                _ => false,
            }
    }

    /// Whether the call can change the local `name`.
    pub fn local(&self, name: &str) -> bool {
        self.locals.contains(name)
    }
}

/// `answer()` for `name`, computed once per `memo`.
fn once(memo: &RefCell<HashMap<String, bool>>, name: &str, answer: impl FnOnce() -> bool) -> bool {
    if let Some(known) = memo.borrow().get(name) {
        return *known;
    }
    let known = answer();
    memo.borrow_mut().insert(name.to_string(), known);
    known
}

/// Where `compose::to_arguments` moves the node `v`: the place of the first
/// argument its origins name, when it is written in the child (files from
/// `first` on).
pub(crate) fn argument_place(
    v: &Val,
    written: &HashMap<String, Span>,
    first: usize,
) -> Option<Span> {
    if usize::from(v.span.file) < first {
        return None;
    }
    v.origins.iter().find_map(|o| written.get(&**o)).copied()
}

/// Keeps, of a pruned child instance's lists (`resources`, `modules`, …,
/// and `locals`), the entries holding a value located in a file the scan
/// keeps findings from (`kept`, by document file index; files past its
/// end are kept), a branch a value may take included, once
/// `compose::to_arguments` has moved the values that come from an
/// argument (`written`, in the child's files from `first` on). The others
/// can only give findings `scan::written_here` drops: a call whose argument
/// reaches a block only through a grandchild's call in the child's own
/// file. Run before the move, so that only what stays is moved.
pub(crate) fn keep_reported(
    tree: &mut Val,
    kept: &[bool],
    written: &HashMap<String, Span>,
    first: usize,
) {
    let V::Map(sections) = &mut tree.v else {
        return;
    };
    let keeps = |e: &Val| kept_once_moved(e, kept, written, first);
    for (_, section) in sections
        .iter_mut()
        .filter(|(k, _)| LISTS.contains(&k.as_str()))
    {
        match &mut section.v {
            V::List(entries) => entries.retain(keeps),
            V::Map(entries) => entries.retain(|(_, e)| keeps(e)),
            _ => {}
        }
    }
}

/// Whether any part of `v` is located in a kept file once moved to the
/// argument it comes from; the branches a value may take are not moved.
fn kept_once_moved(v: &Val, kept: &[bool], written: &HashMap<String, Span>, first: usize) -> bool {
    let span = argument_place(v, written, first).unwrap_or(v.span);
    is_kept(span, kept)
        || v.alternatives().iter().any(|a| holds_kept(&a.val, kept))
        || match &v.v {
            V::List(items) => items
                .iter()
                .any(|i| kept_once_moved(i, kept, written, first)),
            V::Map(entries) => entries
                .iter()
                .any(|(_, x)| kept_once_moved(x, kept, written, first)),
            V::Json(inner) => kept_once_moved(inner, kept, written, first),
            _ => false,
        }
}

fn is_kept(span: Span, kept: &[bool]) -> bool {
    kept.get(usize::from(span.file)).is_none_or(|k| *k)
}

/// The sections of a module's document that list its blocks and locals:
/// what [`keep_reported`] prunes.
const LISTS: [&str; 8] = [
    "resources",
    "data",
    "modules",
    "providers",
    "terraform",
    "variables",
    "outputs",
    "locals",
];

/// Whether a pruned instance's document (its rule input) has no entry
/// left: rules would see only its name and files. Such a document is not
/// evaluated; its errors still are reported.
pub(crate) fn nothing_kept(input: &Value) -> bool {
    LISTS.iter().all(|key| match input.get(key) {
        Some(Value::Array(items)) => items.is_empty(),
        Some(Value::Object(entries)) => entries.is_empty(),
        _ => true,
    })
}

/// Whether any part of `v` is located in a kept file.
pub(crate) fn holds_kept(v: &Val, kept: &[bool]) -> bool {
    is_kept(v.span, kept)
        || v.alternatives().iter().any(|a| holds_kept(&a.val, kept))
        || match &v.v {
            V::List(items) => items.iter().any(|i| holds_kept(i, kept)),
            V::Map(entries) => entries.iter().any(|(_, x)| holds_kept(x, kept)),
            V::Json(inner) => holds_kept(inner, kept),
            _ => false,
        }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::document::SourceFile;
    use crate::parse::terraform::body::Loc;

    /// The reach of a call setting `arguments` (each a string written in
    /// the caller's kept file) on the module `text`: which of its top-level
    /// blocks (by `ident.label…`) the call can change, and which locals the
    /// syntax says it can.
    fn reached(text: &str, arguments: &[&str]) -> (Vec<String>, Vec<String>) {
        use std::path::Path;

        use crate::document::Span;
        use crate::parse::terraform::value::Origin;
        let caller = Arc::new(SourceFile::new("root/main.tf", "module \"m\" {}"));
        let child = Arc::new(SourceFile::new("m/main.tf", text));
        let files = [caller, child.clone()];
        let tree = crate::parse::terraform::hcl::parse(&child).unwrap();
        let body = crate::parse::terraform::hcl::body(&tree, Loc::file(&child.text, 1));
        let blocks: Vec<&Block> = body
            .items
            .iter()
            .filter_map(|i| match i {
                Item::Block(b) => Some(b),
                Item::Attr(_) => None,
            })
            .collect();
        let in_caller = Span::new(0, 1).in_file(0);
        let mut written = HashMap::default();
        let mut values = HashMap::default();
        for name in arguments {
            let phrase = format!("module.m argument `{name}` (root/main.tf:1)");
            written.insert(phrase.clone(), in_caller);
            let mut value = Val::str("x", in_caller);
            let origin = Origin::new(phrase, Some(in_caller));
            value.tag(&origin);
            values.insert(name.to_string(), (value, origin));
        }
        let defined = crate::parse::terraform::locals(&blocks, &files);
        let defs: Vec<(&str, Expr)> = defined.iter().map(|(n, d)| (*n, d.expr)).collect();
        let in_child = Span::new(0, 1).in_file(1);
        let endpoint = |v: Val| {
            let origin = Origin::new("the outputs of module.x (x)", None);
            let outputs = Val::new(V::Map(vec![("endpoint".into(), v)]), in_child);
            (outputs, origin)
        };
        let mut from_argument = Val::str("db.internal", in_child);
        if let Some((_, (_, origin))) = values.iter().next() {
            from_argument.tag(origin);
        }
        let mut outputs = HashMap::default();
        outputs.insert("db".to_string(), endpoint(from_argument));
        outputs.insert("cache".to_string(), endpoint(Val::str("cache", in_child)));
        let mut ev = Evaluator::new(Path::new("m"), Path::new("m"), files.len());
        ev.set_module_outputs(outputs);
        ev.set_vars(values);
        ev.pin_vars(arguments.iter().map(|a| a.to_string()));
        ev.set_locals(defined);
        let names = arguments.iter().map(|a| a.to_string());
        let reach = Reach::new(names, defs, &written, &[true, false]);
        let name = |b: &Block| {
            let labels: Vec<&str> = b.labels.iter().map(|(l, _)| *l).collect();
            [b.ident]
                .into_iter()
                .chain(labels)
                .collect::<Vec<_>>()
                .join(".")
        };
        let changed = blocks
            .iter()
            .filter(|b| b.ident != "locals" && reach.block(&reads_of(b), &ev))
            .map(|b| name(b))
            .collect();
        let mut locals: Vec<String> = reach.locals.iter().cloned().collect();
        locals.sort();
        (changed, locals)
    }

    #[test]
    fn a_block_lists_each_read_once_in_walk_order_up_to_one_that_reads_anything() {
        let text = r#"
resource "a" "b" {
  x = var.a
  nested {
    y = [local.l, var.a, module.m.out]
  }
  z = file("x")
  w = var.after
}
resource "a" "c" {
  image = "nginx:1.27"
}
"#;
        let child = Arc::new(SourceFile::new("m/main.tf", text));
        let tree = crate::parse::terraform::hcl::parse(&child).unwrap();
        let body = crate::parse::terraform::hcl::body(&tree, Loc::file(&child.text, 0));
        let reads: Vec<Box<[Read]>> = body
            .items
            .iter()
            .filter_map(|i| match i {
                Item::Block(b) => Some(reads_of(b)),
                Item::Attr(_) => None,
            })
            .collect();
        let expected = [
            Read::Var("a".into()),
            Read::Local("l".into()),
            Read::Module("m".into()),
            Read::Anything,
        ];
        assert_eq!(&*reads[0], &expected);
        assert!(reads[1].is_empty());
    }

    #[test]
    fn a_block_is_reached_through_an_argument_or_a_local_computed_from_one() {
        let text = r#"
locals {
  image = "app:${var.tag}"
  full  = "${local.image}-x"
  fixed = "nginx:1.27"
}
resource "a" "direct" {
  image = var.tag
}
resource "a" "through_locals" {
  container {
    image = local.full
  }
}
resource "a" "fixed" {
  image = local.fixed
  port  = var.port
}
resource "a" "in_for_each" {
  for_each = toset(var.names)
  x        = each.key
}
resource "a" "in_a_template" {
  x = <<-EOT
    %{ for n in [1] }${var.tag}%{ endfor }
  EOT
}
"#;
        let (changed, locals) = reached(text, &["tag", "names"]);
        assert_eq!(locals, ["full", "image"]);
        assert_eq!(
            changed,
            [
                "resource.a.direct",
                "resource.a.through_locals",
                "resource.a.in_for_each",
                "resource.a.in_a_template"
            ]
        );
    }

    /// A local or a module output that reads an argument but whose value,
    /// as evaluated, holds nothing of the caller's (a fallback the child
    /// writes) does not reach what reads it; one that passes the argument
    /// on, as it is, in a value computed from it (known or not) or in a
    /// branch it may take, does.
    #[test]
    fn a_local_reaches_what_reads_it_only_when_its_value_carries_the_argument() {
        let text = r#"
locals {
  same     = var.image
  computed = upper(var.image)
  choice   = var.image == "" ? "nginx:1.27" : "nginx:1.26"
  fallback = try(var.settings.missing, "nginx:1.27")
  unknown  = "${aws_instance.web.id}-${var.image}"
  own      = try(var.settings.missing, local.fallback)
}
resource "a" "same" {
  image = local.same
}
resource "a" "computed" {
  image = local.computed
}
resource "a" "choice" {
  image = local.choice
}
resource "a" "fallback" {
  image = local.fallback
}
resource "a" "unknown" {
  image = local.unknown
}
resource "a" "own" {
  image = local.own
}
resource "a" "passed_on_output" {
  image = module.db.endpoint
}
resource "a" "own_output" {
  image = module.cache.endpoint
}
"#;
        let (changed, locals) = reached(text, &["image", "settings"]);
        assert_eq!(
            locals,
            ["choice", "computed", "fallback", "own", "same", "unknown"]
        );
        assert_eq!(
            changed,
            [
                "resource.a.same",
                "resource.a.computed",
                "resource.a.choice",
                "resource.a.unknown",
                "resource.a.passed_on_output",
            ]
        );
    }

    #[test]
    fn only_entries_holding_a_value_in_a_kept_file_stay() {
        use crate::document::Span;
        use crate::parse::terraform::value::{Alt, Origin};
        let child = Span::new(0, 1).in_file(1);
        let caller = Span::new(0, 1).in_file(0);
        let entry = |name: &str, value: Val| {
            Val::new(
                V::Map(vec![
                    ("name".into(), Val::str(name, child)),
                    ("x".into(), value),
                ]),
                child,
            )
        };
        let mut unknown = Val::unknown("${var.x ? …}", child);
        let alt = Alt {
            val: Val::str("nginx:latest", caller),
            when: "`var.x` is true".into(),
        };
        unknown.alts = Some(std::rc::Rc::new(vec![alt]));
        let list = |items| Val::new(V::List(items), Span::default());
        // values of the child that `to_arguments` moves to an argument
        let from = |argument: &str| {
            let mut v = Val::str("e", child);
            v.tag(&Origin::new(argument, None));
            v
        };
        let mut written = HashMap::default();
        written.insert("kept".to_string(), caller);
        written.insert("not kept".to_string(), child);
        let mut tree = Val::new(
            V::Map(vec![
                ("files".into(), list(vec![Val::str("main.tf", child)])),
                (
                    "resources".into(),
                    list(vec![
                        entry("child_only", Val::str("a", child)),
                        entry("from_the_caller", list(vec![Val::str("b", caller)])),
                        entry("a_branch_from_the_caller", unknown),
                        entry(
                            "read_from_a_file",
                            Val::str("c", Span::new(0, 1).in_file(7)),
                        ),
                        entry("moved_to_a_kept_argument", from("kept")),
                        entry("moved_to_an_argument_not_kept", from("not kept")),
                    ]),
                ),
                (
                    "locals".into(),
                    Val::new(V::Map(vec![("l".into(), Val::str("d", child))]), child),
                ),
            ]),
            Span::default(),
        );
        keep_reported(&mut tree, &[true, false], &written, 1);
        let names: Vec<&str> = match &tree.get("resources").unwrap().v {
            V::List(items) => items
                .iter()
                .map(|i| i.get("name").unwrap().as_str().unwrap())
                .collect(),
            _ => unreachable!(),
        };
        assert_eq!(
            names,
            [
                "from_the_caller",
                "a_branch_from_the_caller",
                "read_from_a_file",
                "moved_to_a_kept_argument"
            ]
        );
        assert!(matches!(&tree.get("locals").unwrap().v, V::Map(e) if e.is_empty()));
        assert!(
            matches!(&tree.get("files").unwrap().v, V::List(f) if f.len() == 1),
            "not a block list"
        );
    }

    #[test]
    fn files_and_whole_objects_reach_everything() {
        let text = r#"
resource "a" "file" {
  x = yamldecode(file("${path.module}/x.yaml"))
}
resource "a" "template" {
  x = templatefile("t.tpl", {})
}
resource "a" "whole" {
  x = var["tag"]
}
resource "a" "none" {
  x = aws_instance.web.id
  y = [for v in ["a"] : upper(v)]
}
"#;
        let (changed, _) = reached(text, &["tag"]);
        assert_eq!(
            changed,
            ["resource.a.file", "resource.a.template", "resource.a.whole"]
        );
    }
}
