//! Static evaluation of Terraform expressions, the way Terraform would where
//! the value is knowable without a plan (literals, templates, `var.*`,
//! `local.*`, common functions), and the expression's own text
//! (`${aws_instance.web.id}`) where it is not.
//!
//! Why our own evaluator rather than `hcl::eval`: that one works on
//! span-less expressions and fails as a whole on the first unknown
//! reference, while rules need partial results (an ECS definition whose
//! `image` is known even though its `memory` comes from a resource), the
//! span of every sub-value, and where each value came from. Its function
//! declarations are plain `fn` pointers, which cannot read module files.

use foldhash::{HashMap, HashSet};
use std::cell::{Cell, OnceCell, RefCell};
use std::ops::Range;
use std::path::{Component, Path, PathBuf};
use std::rc::Rc;
use std::sync::Arc;

use hcl_edit::Span as _;
use hcl_edit::expr::{
    BinaryOp, BinaryOperator, Conditional, Expression, ForExpr, FuncCall, Object, ObjectKey,
    Traversal, TraversalOperator, UnaryOp, UnaryOperator,
};
use hcl_edit::template::{Directive, Element, ForDirective, IfDirective, Template};
use serde_json::{Number, Value};

use super::body::{Expr, Loc};
use super::budget::{Budget, MODULE_BUDGET, ROOT_BUDGET};
use super::funcs::{self, Fail, ModuleFiles};
use super::value::{
    Alt, MAX_ALTS, MAX_STRING, MAX_VALUE_DEPTH, Origin, V, Val, as_bool, as_f64, iter_pairs,
    json_eq, key_string, looks_like_json, map_insert, number, place, with_origins,
};
use crate::document::{PathSeg, SourceFile, SourceMap, Span};

/// Longest list listed as an alternative: rules want images, ports and
/// short source lists, and each listed value is copied into the document
/// once per place that uses it.
const MAX_ALT_ITEMS: usize = 64;
/// Longest template text whose variants are listed as alternatives (an
/// image or a port is short; a heredoc with a conditional inside is not
/// copied once per branch).
const MAX_ALT_TEXT: usize = 4096;

/// Deepest expression nesting evaluated; deeper expressions stay text.
pub(crate) const MAX_DEPTH: u32 = 64;
/// Largest file `file()`/`templatefile()` read.
const MAX_FILE: u64 = 1 << 20;
/// Most directory entries one `fileset` call may visit.
const MAX_LISTED: usize = 10_000;

/// Names bound by `for` expressions, template `for` directives, `dynamic`
/// iterators and `templatefile` variables, innermost first.
pub(crate) struct Scope<'s> {
    parent: Option<&'s Scope<'s>>,
    names: Vec<(String, Val)>,
    /// `templatefile` templates see only the variables passed to them.
    isolated: bool,
}

impl Scope<'static> {
    /// The module-level scope: no names bound.
    pub fn root() -> Self {
        Scope {
            parent: None,
            names: Vec::new(),
            isolated: false,
        }
    }

    /// The module-level scope with `names` bound (`count`, `each` of a
    /// block instance).
    pub fn with(names: Vec<(String, Val)>) -> Self {
        Scope {
            parent: None,
            names,
            isolated: false,
        }
    }

    /// A scope with only `names` (no `var.*`/`local.*`).
    pub fn isolated(names: Vec<(String, Val)>) -> Self {
        Scope {
            parent: None,
            names,
            isolated: true,
        }
    }
}

impl<'s> Scope<'s> {
    /// A nested scope binding `names` on top of this one.
    pub fn child(&'s self, names: Vec<(String, Val)>) -> Scope<'s> {
        Scope {
            parent: Some(self),
            names,
            isolated: self.isolated,
        }
    }

    /// The value bound to `name`, innermost first.
    pub fn get(&self, name: &str) -> Option<&Val> {
        self.names
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v)
            .or_else(|| self.parent.and_then(|p| p.get(name)))
    }
}

/// A module file read by `file()`/`templatefile()`, once.
struct Loaded {
    text: Rc<str>,
    /// Where the text is shown from (relative to the module directory).
    rel: PathBuf,
    /// The parsed content when `file()` reads JSON (spans into the file),
    /// parsed on first use: templates are not JSON documents.
    json: OnceCell<Option<Val>>,
    /// The file's index among the document's files once a value read from
    /// it is reported inside it (JSON content, a YAML body).
    shown: OnceCell<Option<u16>>,
}

/// A variable's `default`, evaluated only when the variable is read:
/// most variables of a child instance are not.
pub(crate) struct VarDefault<'a> {
    pub name: &'a str,
    pub expr: Expr<'a>,
    pub files: &'a [Arc<SourceFile>],
}

impl VarDefault<'_> {
    /// "the default of variable `tag` (variables.tf:3)".
    pub fn origin(&self) -> Origin {
        let span = self.expr.span();
        let phrase = format!(
            "the default of variable `{}` ({})",
            self.name,
            place(self.files, span)
        );
        Origin::new(phrase, Some(span))
    }
}

/// A variable's default or a local, evaluated, with its origin.
type Found = Rc<(Val, Origin)>;

/// A `locals` definition, whose origin phrase is written only when the
/// local is read: a child instance reads few of its locals.
pub(crate) struct LocalDef<'a> {
    pub name: &'a str,
    pub expr: Expr<'a>,
    pub files: &'a [Arc<SourceFile>],
}

impl LocalDef<'_> {
    /// "local `name` (main.tf:3)".
    fn origin(&self) -> Origin {
        let span = self.expr.span();
        let phrase = format!("local `{}` ({})", self.name, place(self.files, span));
        Origin::new(phrase, Some(span))
    }
}

/// Evaluates expressions of one module. Holds the variables (defaults
/// evaluated on first use), the locals (evaluated on first use, cycles
/// detected) and the files read.
pub(crate) struct Evaluator<'a> {
    /// Variables set by a variable file or a caller's argument.
    vars: HashMap<String, (Val, Origin)>,
    /// The other variables' `default` expressions, evaluated when first
    /// read: a child instance reads few of its variables.
    defaults: HashMap<&'a str, VarDefault<'a>>,
    /// Defaults evaluated so far.
    default_memo: RefCell<HashMap<&'a str, Found>>,
    /// Outputs of local child modules by call name (`module.api.url`).
    modules: HashMap<String, (Val, Origin)>,
    /// Variables set by a caller's arguments: their values stay where the
    /// caller wrote them (the map entry with port 22), not at each use.
    pinned: HashSet<String>,
    locals: HashMap<&'a str, LocalDef<'a>>,
    /// A local's value and origin once evaluated; `None` while it is being
    /// evaluated: meeting it again is a cycle.
    memo: RefCell<HashMap<&'a str, Option<Found>>>,
    dir: PathBuf,
    dir_canonical: OnceCell<Option<PathBuf>>,
    rel_dir: PathBuf,
    files: RefCell<HashMap<PathBuf, Result<Rc<Loaded>, Fail>>>,
    extra_files: RefCell<Vec<Arc<SourceFile>>>,
    first_extra: usize,
    path_module: Cell<bool>,
    budget: Budget,
    /// Values cut short by a bound (budget, depth, size), to report as
    /// `EVAL001` at their spans, once each.
    incomplete: RefCell<Vec<(Span, String)>>,
    reported: RefCell<HashSet<Span>>,
}

impl<'a> Evaluator<'a> {
    /// An evaluator for the module in `dir` (on disk; `rel_dir` is how its
    /// paths are shown). Files read by `file()` get document file indexes
    /// from `first_extra` on.
    pub fn new(dir: &Path, rel_dir: &Path, first_extra: usize) -> Self {
        Evaluator {
            vars: HashMap::default(),
            defaults: HashMap::default(),
            default_memo: RefCell::new(HashMap::default()),
            modules: HashMap::default(),
            pinned: HashSet::default(),
            locals: HashMap::default(),
            memo: RefCell::new(HashMap::default()),
            dir: dir.to_path_buf(),
            dir_canonical: OnceCell::new(),
            rel_dir: rel_dir.to_path_buf(),
            files: RefCell::new(HashMap::default()),
            extra_files: RefCell::new(Vec::new()),
            first_extra,
            path_module: Cell::new(false),
            budget: Budget::new(),
            incomplete: RefCell::new(Vec::new()),
            reported: RefCell::new(HashSet::default()),
        }
    }

    /// Sets the effective variable values (after defaults and tfvars).
    pub fn set_vars(&mut self, vars: HashMap<String, (Val, Origin)>) {
        self.vars = vars;
    }

    /// Sets the `default`s of the variables no file or argument sets.
    pub fn set_defaults(&mut self, defaults: HashMap<&'a str, VarDefault<'a>>) {
        self.defaults = defaults;
    }

    /// The value of variable `name` from its `default` (memoized), with
    /// its origin; `None` when it has none. A default is a constant:
    /// evaluated apart from the module's variables, locals and outputs, with
    /// a budget of its own, whatever reads it first.
    fn default(&self, name: &str, depth: u32) -> Option<Rc<(Val, Origin)>> {
        if let Some(found) = self.default_memo.borrow().get(name) {
            return Some(found.clone());
        }
        let (&key, default) = self.defaults.get_key_value(name)?;
        let in_path_arg = self.path_module.replace(false);
        let val = match default.expr {
            // JSON defaults are literal values, not templates
            Expr::Json(v, map, file) => Val::from_json_mapped(v, map, file),
            hcl => self.root(hcl.span(), "this expression", || {
                self.eval(hcl, &Scope::isolated(Vec::new()), depth + 1)
            }),
        };
        self.path_module.set(in_path_arg);
        let found = Rc::new((val, default.origin()));
        self.default_memo.borrow_mut().insert(key, found.clone());
        Some(found)
    }

    /// Marks the variables a caller's arguments set (see `pinned`).
    pub fn pin_vars(&mut self, names: impl IntoIterator<Item = String>) {
        self.pinned = names.into_iter().collect();
    }

    /// Sets the outputs of the module's local children (an object of
    /// output values per call name), read as `module.NAME.OUTPUT`.
    pub fn set_module_outputs(&mut self, modules: HashMap<String, (Val, Origin)>) {
        self.modules = modules;
    }

    /// The outputs of the module's local child `name`, when known.
    pub fn module_outputs(&self, name: &str) -> Option<&Val> {
        self.modules.get(name).map(|(v, _)| v)
    }

    /// Sets the module's `locals` definitions.
    pub fn set_locals(&mut self, locals: HashMap<&'a str, LocalDef<'a>>) {
        self.locals = locals;
    }

    /// The files read by `file()` whose spans the values point into; they
    /// follow the module's files in `Document::files`.
    pub fn take_extra_files(&self) -> Vec<Arc<SourceFile>> {
        std::mem::take(&mut *self.extra_files.borrow_mut())
    }

    /// Spends `n` work units of the current root; false when its budget is
    /// used up (the root is then reported).
    pub fn charge(&self, n: u64) -> bool {
        self.budget.charge(n)
    }

    /// Records that the value at `span` was cut short by a bound: it is
    /// reported as `EVAL001` there (once per span), because a rule cannot
    /// judge the text it is kept as.
    pub fn bound_hit(&self, span: Span, message: impl Into<String>) {
        if self.reported.borrow_mut().insert(span) {
            self.incomplete.borrow_mut().push((span, message.into()));
        }
    }

    /// The values cut short by a bound, in the order met: (span, message).
    pub fn take_incomplete(&self) -> Vec<(Span, String)> {
        std::mem::take(&mut *self.incomplete.borrow_mut())
    }

    /// Evaluates a value the document shows (an attribute, a variable's
    /// value) as a root of the budget, unless it is part of one already
    /// (the attributes of a `dynamic` block's content).
    pub fn eval_root(&self, e: Expr<'_>, scope: &Scope) -> Val {
        self.part_of_root(e.span(), "this expression", || self.eval(e, scope, 0))
    }

    /// Runs `f` as a root of the budget at `span` (described as `what`)
    /// unless a root is being evaluated already.
    pub fn part_of_root<T>(&self, span: Span, what: &str, f: impl FnOnce() -> T) -> T {
        if self.budget.in_root() {
            f()
        } else {
            self.root(span, what, f)
        }
    }

    /// Runs `f` with a budget of its own; reports `span` if it runs out.
    fn root<T>(&self, span: Span, what: &str, f: impl FnOnce() -> T) -> T {
        let saved = self
            .budget
            .begin(u64::from(span.end.saturating_sub(span.start)));
        let out = f();
        if self.budget.end(saved) {
            let message = format!(
                "evaluation budget exhausted: {what} needs more than the {ROOT_BUDGET} steps \
                 one expression may take (or the module's {MODULE_BUDGET} is used up); its \
                 value is kept as expression text, so the gate cannot vouch for it"
            );
            self.bound_hit(span, message);
        }
        out
    }

    /// Records a nesting deeper than [`MAX_DEPTH`] at `span`.
    fn too_deep(&self, span: Span) {
        self.bound_hit(
            span,
            format!(
                "expression nested more than {MAX_DEPTH} levels deep (counting locals and \
                 templates it goes through) is kept as text, so the gate cannot vouch for it"
            ),
        );
    }

    /// Records a string, file or function result over its size limit.
    fn too_long(&self, span: Span) {
        self.bound_hit(
            span,
            format!(
                "value over the size limit ({} MB for a string or a file read by `file()`/\
                 `templatefile()`) is kept as expression text, so the gate cannot vouch for it",
                MAX_STRING >> 20
            ),
        );
    }

    /// Evaluates an attribute expression of either syntax.
    pub fn eval(&self, e: Expr<'_>, scope: &Scope, depth: u32) -> Val {
        match e {
            Expr::Hcl(x, loc) => self.hcl(x, loc, scope, depth),
            Expr::Json(v, map, file) => self.json(v, map, file, scope, depth),
        }
    }

    /// The value of local `name` as its definition evaluates, with its
    /// origin (memoized); `None` for an unknown name or a cycle.
    pub fn local(&self, name: &str, depth: u32) -> Option<Found> {
        if let Some(state) = self.memo.borrow().get(name) {
            return state.clone();
        }
        let (&key, def) = self.locals.get_key_value(name)?;
        let expr = &def.expr;
        self.memo.borrow_mut().insert(key, None);
        // a local has one value, whatever the place that first reads it,
        // and a budget of its own, whatever reads it first
        let in_path_arg = self.path_module.replace(false);
        let what = format!("local `{name}`");
        let mut v = self.root(expr.span(), &what, || {
            self.eval(*expr, &Scope::root(), depth + 1)
        });
        self.path_module.set(in_path_arg);
        if v.depth() > MAX_VALUE_DEPTH / 2 {
            self.bound_hit(
                expr.span(),
                format!(
                    "local `{name}` is nested more than {} levels deep and is kept as text, \
                     so the gate cannot vouch for it",
                    MAX_VALUE_DEPTH / 2
                ),
            );
            v = Val::unknown(format!("${{local.{name}}}"), v.span);
        }
        let found = Rc::new((v, def.origin()));
        self.memo.borrow_mut().insert(key, Some(found.clone()));
        Some(found)
    }

    /// Whether local `name` has been evaluated (and has a value).
    pub fn local_evaluated(&self, name: &str) -> bool {
        matches!(self.memo.borrow().get(name), Some(Some(_)))
    }

    /// A stored value copied to its place of use (`span`; `None` keeps it
    /// where it is written), with its origin.
    fn fetch(&self, v: &Val, span: Option<Span>, origin: Option<&Origin>) -> Option<Val> {
        if !self.charge(v.size_up_to(self.budget.root_left())) {
            return None;
        }
        let mut v = v.clone();
        match (span, origin) {
            (Some(span), _) => v.relocate(span, origin),
            (None, Some(origin)) => v.tag(origin),
            (None, None) => {}
        }
        Some(v)
    }

    fn hcl(&self, e: &Expression, loc: Loc<'_>, scope: &Scope, depth: u32) -> Val {
        let r = e.span();
        if depth > MAX_DEPTH {
            self.too_deep(loc.span(r.clone()));
            return unknown_at(loc, r);
        }
        if !self.charge(1) {
            return unknown_at(loc, r);
        }
        let span = loc.span(r.clone());
        let d = depth + 1;
        match e {
            Expression::Null(_) => Val::new(V::Null, span),
            Expression::Bool(b) => Val::new(V::Bool(*b.value()), span),
            Expression::Number(n) => Val::new(hcl_number(n.value()), span),
            Expression::String(s) => Val::str(s.value().as_str(), span),
            Expression::Array(a) => {
                let items = a.iter().map(|x| self.hcl(x, loc, scope, d)).collect();
                Val::new(V::List(items), span)
            }
            Expression::Object(o) => self.object(o, loc, span, scope, d),
            Expression::StringTemplate(t) => self.template(t, loc, r, scope, d),
            Expression::HeredocTemplate(h) => {
                let dedent = h.indent().unwrap_or(0);
                let v = self.template_dedented(&h.template, loc, r, scope, d, dedent);
                heredoc_json(v, &h.template, loc)
            }
            Expression::Parenthesis(p) => {
                let mut v = self.hcl(p.inner(), loc, scope, d);
                v.span = span;
                v
            }
            Expression::Variable(id) => scope
                .get(id.as_str())
                .and_then(|v| self.fetch(v, Some(span), None))
                .unwrap_or_else(|| unknown_at(loc, r)),
            Expression::Conditional(c) => self.conditional(c, loc, r, scope, d),
            Expression::FuncCall(f) => self.call(f, loc, r, scope, d),
            Expression::Traversal(t) => self.traversal(t, loc, r, scope, d),
            Expression::UnaryOp(u) => self.unary(u, loc, r, scope, d),
            Expression::BinaryOp(b) => self.binary(b, loc, r, scope, d),
            Expression::ForExpr(f) => self.for_expr(f, loc, r, scope, d),
        }
    }

    fn object(&self, o: &Object, loc: Loc<'_>, span: Span, scope: &Scope, d: u32) -> Val {
        let mut entries = Vec::with_capacity(o.len());
        for (k, v) in o.iter() {
            let key = match k {
                ObjectKey::Ident(id) => id.as_str().to_string(),
                ObjectKey::Expression(e) => {
                    let kv = self.hcl(e, loc, scope, d);
                    key_string(&kv).unwrap_or_else(|| loc.src(e.span()).to_string())
                }
            };
            map_insert(&mut entries, key, self.hcl(v.expr(), loc, scope, d));
        }
        Val::new(V::Map(entries), span)
    }

    /// Evaluates a template; a lone interpolation yields its value as is
    /// (`"${var.list}"` is the list), as in Terraform.
    pub fn template(
        &self,
        t: &Template,
        loc: Loc<'_>,
        r: Option<Range<usize>>,
        scope: &Scope,
        d: u32,
    ) -> Val {
        self.template_dedented(t, loc, r, scope, d, 0)
    }

    /// A template whose nested directive bodies still carry `dedent`
    /// columns of indentation (hcl-edit dedents a `<<-` heredoc's top-level
    /// text only; Terraform dedents every line).
    fn template_dedented(
        &self,
        t: &Template,
        loc: Loc<'_>,
        r: Option<Range<usize>>,
        scope: &Scope,
        d: u32,
        dedent: usize,
    ) -> Val {
        let span = loc.span(r.clone());
        if t.len() == 1
            && let Some(Element::Interpolation(i)) = t.get(0)
        {
            let mut v = self.hcl(&i.expr, loc, scope, d);
            v.span = span;
            return v;
        }
        let mut out = Render {
            dedent,
            ..Render::default()
        };
        self.render(t, loc, scope, d, &mut out);
        if out.text.len() > MAX_STRING {
            self.too_long(span);
            return unknown_at(loc, r);
        }
        let alts = out.alternatives();
        let v = if out.error {
            V::Error(out.text)
        } else if out.unknown {
            V::Unknown(out.text)
        } else {
            V::Str(out.text)
        };
        Val {
            v,
            span,
            origins: out.origins,
            alts,
        }
    }

    fn render(&self, t: &Template, loc: Loc<'_>, scope: &Scope, d: u32, out: &mut Render) {
        for el in t.iter() {
            if d > MAX_DEPTH {
                self.too_deep(loc.span(el.span()));
            }
            if out.text.len() > MAX_STRING || d > MAX_DEPTH || !self.charge(1) {
                out.unknown = true;
                return;
            }
            match el {
                Element::Literal(s) => out.literal(s.value()),
                Element::Interpolation(i) => {
                    if i.strip.strip_start() {
                        out.trim_end();
                    }
                    let v = self.hcl(&i.expr, loc, scope, d + 1);
                    out.append(&v, loc.src(i.expr.span()));
                    out.strip_next = i.strip.strip_end();
                }
                Element::Directive(dir) => match dir.as_ref() {
                    Directive::If(x) => self.render_if(x, loc.src(el.span()), loc, scope, d, out),
                    Directive::For(x) => self.render_for(x, loc.src(el.span()), loc, scope, d, out),
                },
            }
        }
    }

    fn render_if(
        &self,
        x: &IfDirective,
        raw: &str,
        loc: Loc<'_>,
        scope: &Scope,
        d: u32,
        out: &mut Render,
    ) {
        if x.if_expr.strip.strip_start() {
            out.trim_end();
        }
        let c = self.hcl(&x.if_expr.cond_expr, loc, scope, d + 1);
        out.add_origins(&c.origins);
        let end_strip = x.endif_expr.strip;
        match as_bool(&c) {
            Some(true) => {
                out.strip_next = x.if_expr.strip.strip_end();
                out.nest += 1;
                self.render(&x.if_expr.template, loc, scope, d + 1, out);
                out.nest -= 1;
                let closing = x.else_expr.as_ref().map_or(end_strip, |e| e.strip);
                if closing.strip_start() {
                    out.trim_end();
                }
            }
            Some(false) => {
                if let Some(e) = &x.else_expr {
                    out.strip_next = e.strip.strip_end();
                    out.nest += 1;
                    self.render(&e.template, loc, scope, d + 1, out);
                    out.nest -= 1;
                }
                if end_strip.strip_start() {
                    out.trim_end();
                }
            }
            None => out.raw(raw, c.is_error()),
        }
        out.strip_next = end_strip.strip_end();
    }

    fn render_for(
        &self,
        x: &ForDirective,
        raw: &str,
        loc: Loc<'_>,
        scope: &Scope,
        d: u32,
        out: &mut Render,
    ) {
        let f = &x.for_expr;
        if f.strip.strip_start() {
            out.trim_end();
        }
        let coll = self.hcl(&f.collection_expr, loc, scope, d + 1);
        out.add_origins(&coll.origins);
        match iter_pairs(&coll) {
            Some(pairs) => {
                for (k, v) in pairs {
                    let mut names = Vec::with_capacity(2);
                    if let Some(kv) = &f.key_var {
                        names.push((kv.as_str().to_string(), k));
                    }
                    names.push((f.value_var.as_str().to_string(), v));
                    let child = scope.child(names);
                    out.strip_next = f.strip.strip_end();
                    out.nest += 1;
                    self.render(&f.template, loc, &child, d + 1, out);
                    out.nest -= 1;
                    if x.endfor_expr.strip.strip_start() {
                        out.trim_end();
                    }
                }
            }
            None => out.raw(raw, coll.is_error()),
        }
        out.strip_next = x.endfor_expr.strip.strip_end();
    }

    fn conditional(
        &self,
        c: &Conditional,
        loc: Loc<'_>,
        r: Option<Range<usize>>,
        scope: &Scope,
        d: u32,
    ) -> Val {
        let cond = self.hcl(&c.cond_expr, loc, scope, d);
        match as_bool(&cond) {
            Some(b) => {
                let branch = if b { &c.true_expr } else { &c.false_expr };
                let mut v = self.hcl(branch, loc, scope, d);
                v.add_origins(&cond.origins);
                v
            }
            None if cond.is_error() || cond.is_known() => failed_at(loc, r, true),
            None => {
                let mut v = failed_at(loc, r, false);
                v.alts = self.branches(c, loc, scope, d);
                v
            }
        }
    }

    /// The known values of both branches of a conditional whose condition
    /// is not known, each with the condition under which it is taken;
    /// `None` when there are none or too many to list.
    fn branches(
        &self,
        c: &Conditional,
        loc: Loc<'_>,
        scope: &Scope,
        d: u32,
    ) -> Option<Rc<Vec<Alt>>> {
        // the text of the condition, only for a branch that gives a value
        let when = |taken: &str| {
            let cond = shorten(loc.src(c.cond_expr.span()).trim());
            format!("`{cond}` is {taken}")
        };
        let mut alts = Vec::new();
        for (expr, taken) in [(&c.true_expr, "true"), (&c.false_expr, "false")] {
            let v = self.hcl(expr, loc, scope, d);
            if listable(&v) {
                alts.push(Alt {
                    val: v,
                    when: when(taken).into(),
                });
                continue;
            }
            let inner_alts = v.alternatives();
            if inner_alts.is_empty() {
                continue;
            }
            let when = when(taken);
            for inner in inner_alts {
                alts.push(Alt {
                    val: inner.val.clone(),
                    when: format!("{when} and {}", inner.when).into(),
                });
            }
        }
        (!alts.is_empty() && alts.len() <= MAX_ALTS).then(|| Rc::new(alts))
    }

    fn call(
        &self,
        f: &FuncCall,
        loc: Loc<'_>,
        r: Option<Range<usize>>,
        scope: &Scope,
        d: u32,
    ) -> Val {
        if f.name.is_namespaced() {
            return unknown_at(loc, r);
        }
        let name = f.name.name.as_str();
        // `file`, `fileexists`, `filebase64`, `filesha256`, …
        let reads_file = name == "templatefile" || name.starts_with("file");
        let source = match name {
            "lookup" => self.lookup_source(f, loc, scope, d),
            _ => None,
        };
        let mut args = Vec::with_capacity(f.args.len());
        for (i, a) in f.args.iter().enumerate() {
            if i == 0 && source.is_some() {
                // set below, once the key is known
                args.push(Val::new(V::Null, Span::default()));
                continue;
            }
            let before = self.path_module.get();
            self.path_module.set(before || (reads_file && i == 0));
            args.push(self.hcl(a, loc, scope, d));
            self.path_module.set(before);
        }
        if let (Some(source), Some(key)) = (&source, args.get(1)) {
            args[0] = self.lookup_stand_in(source, key, loc, scope, d);
        }
        if f.args.expand_final() {
            match args.pop().map(|v| v.v) {
                Some(V::List(items)) => args.extend(items),
                _ => return unknown_at(loc, r),
            }
        }
        let alts = match name {
            "coalesce" => coalesce_alternatives(&args),
            _ => None,
        };
        match funcs::call(self, name, args, loc.span(r.clone()), d) {
            // a function's result is new work too (`split` of a long string)
            Ok(v) if self.charge(v.size_up_to(self.budget.root_left())) => v,
            Err(Fail::Unknown) => {
                let mut v = unknown_at(loc, r);
                v.alts = alts;
                v
            }
            Ok(_) => unknown_at(loc, r),
            Err(Fail::Error) => failed_at(loc, r, true),
            Err(Fail::TooLarge) => {
                self.too_long(loc.span(r.clone()));
                unknown_at(loc, r)
            }
            Err(Fail::Bound(why)) => {
                self.bound_hit(loc.span(r.clone()), why);
                unknown_at(loc, r)
            }
        }
    }

    fn traversal(
        &self,
        t: &Traversal,
        loc: Loc<'_>,
        r: Option<Range<usize>>,
        scope: &Scope,
        d: u32,
    ) -> Val {
        let span = loc.span(r.clone());
        let Some((root, rest, stay)) = self.traversal_root(t, loc, scope, d) else {
            return unknown_at(loc, r);
        };
        let result = match root {
            Root::Owned(v) => self.apply_ops(v, rest, loc, span, scope, d),
            // pick the part used before copying: `local.big["k"]` copies one entry
            root => {
                let (v, origin) = root.parts();
                self.select(v, rest, loc, scope, d).and_then(|(sel, used)| {
                    // `each.value` stays where the collection element is
                    // written (the map entry with the bad port), not at each use
                    let place = (!stay).then_some(span);
                    let cur = self.fetch(sel, place, origin).ok_or(false)?;
                    self.apply_ops(cur, &rest[used..], loc, span, scope, d)
                })
            }
        };
        match result {
            Ok(v) if v.is_known() && stay => v,
            Ok(mut v) if v.is_known() => {
                v.relocate(span, None);
                v
            }
            // a local holding a conditional keeps the branches it may take
            Ok(v) => {
                let mut u = failed_at(loc, r, v.is_error());
                u.alts = v.alts;
                u
            }
            Err(error) => failed_at(loc, r, error),
        }
    }

    /// What a traversal starts from (a variable, a local, a module's
    /// outputs, a name in scope, or another expression's value), the steps
    /// left after it, and whether the value stays where it is written:
    /// `each.value`, and variables a caller's arguments set. `None` when
    /// the start has no value here (an unset variable without default, an
    /// unknown name).
    fn traversal_root<'t, 's>(
        &'s self,
        t: &'t Traversal,
        loc: Loc<'_>,
        scope: &'s Scope,
        d: u32,
    ) -> Option<(Root<'s>, &'t [hcl_edit::Decorated<TraversalOperator>], bool)> {
        let ops = &t.operators;
        let mut stay = is_instance_key(&t.expr);
        let Expression::Variable(id) = &t.expr else {
            return Some((
                Root::Owned(self.hcl(&t.expr, loc, scope, d)),
                &ops[..],
                stay,
            ));
        };
        let first = ops.first().and_then(|op| match op.value() {
            TraversalOperator::GetAttr(n) => Some(n.as_str()),
            _ => None,
        });
        let root = match (scope.get(id.as_str()), id.as_str(), first) {
            (Some(v), _, _) => return Some((Root::Ref(v, None), &ops[..], stay)),
            (None, "var", Some(n)) if !scope.isolated => match self.vars.get(n) {
                Some((v, origin)) => {
                    stay |= self.pinned.contains(n);
                    Root::Ref(v, Some(origin))
                }
                None => Root::Found(self.default(n, d)?),
            },
            (None, "local", Some(n)) if !scope.isolated => Root::Found(self.local(n, d)?),
            (None, "module", Some(n)) if !scope.isolated => {
                let (v, origin) = self.modules.get(n)?;
                Root::Ref(v, Some(origin))
            }
            (None, "path", Some("module")) if self.path_module.get() => {
                Root::Owned(Val::str(".", loc.span(t.span())))
            }
            _ => return None,
        };
        Some((root, &ops[1..], stay))
    }

    /// `lookup(REFERENCE, key, …)` reads one entry of what the reference
    /// names: this copies that entry alone (with the place and origin the
    /// whole value would have had), in a map of its own that `lookup` reads
    /// as it would the whole. Copying a whole local (fabric's project
    /// module looks up a map of every service agent once per API) to pick
    /// one entry was most of what such modules cost (BENCHMARKS.md, "Stop
    /// 30"). `None` when the reference is not a plain path of names to a
    /// known map: the argument is then evaluated as written.
    fn lookup_source<'s, 't>(
        &'s self,
        f: &'t FuncCall,
        loc: Loc<'_>,
        scope: &'s Scope,
        d: u32,
    ) -> Option<LookupSource<'s, 't>> {
        let (Some(Expression::Traversal(t)), false) = (f.args.iter().next(), f.args.expand_final())
        else {
            return None;
        };
        // a name followed by names: nothing is evaluated twice when the
        // argument is then evaluated as written after all
        let names_only = matches!(t.expr, Expression::Variable(_))
            && t.operators
                .iter()
                .all(|op| matches!(op.value(), TraversalOperator::GetAttr(_)));
        if !names_only {
            return None;
        }
        let r = t.span();
        let (root, rest, stay) = self.traversal_root(t, loc, scope, d)?;
        if matches!(root, Root::Owned(_)) {
            return None;
        }
        let (v, _) = root.parts();
        // only names are followed: no expression is evaluated here
        let (sel, _) = self.select(v, rest, loc, scope, d).ok()?;
        if !matches!(sel.v, V::Map(_)) {
            return None;
        }
        let span = loc.span(r.clone());
        Some(LookupSource {
            root,
            rest,
            place: (!stay).then_some(span),
            span,
            written: r,
        })
    }

    /// The map standing for a [`LookupSource`]: the entry `key` names,
    /// copied as the whole value would be, or nothing.
    fn lookup_stand_in(
        &self,
        source: &LookupSource<'_, '_>,
        key: &Val,
        loc: Loc<'_>,
        scope: &Scope,
        d: u32,
    ) -> Val {
        let (v, origin) = source.root.parts();
        let entry = match (self.select(v, source.rest, loc, scope, d), key_string(key)) {
            (
                Ok((
                    Val {
                        v: V::Map(entries), ..
                    },
                    _,
                )),
                Some(k),
            ) => entries.iter().rev().find(|(name, _)| *name == k),
            _ => None,
        };
        let entries = match entry {
            Some((name, v)) => match self.fetch(v, source.place, origin) {
                Some(v) => vec![(name.clone(), v)],
                None => return unknown_at(loc, source.written.clone()),
            },
            None => Vec::new(),
        };
        Val::new(V::Map(entries), source.span)
    }

    /// Follows `.attr` and `[index]` steps on a stored value without copying
    /// it, up to the first splat; returns the part reached and the number of
    /// steps taken, or `Err(is_error)` when a step has no known result.
    fn select<'v>(
        &self,
        mut cur: &'v Val,
        ops: &[hcl_edit::Decorated<TraversalOperator>],
        loc: Loc<'_>,
        scope: &Scope,
        d: u32,
    ) -> Result<(&'v Val, usize), bool> {
        for (i, op) in ops.iter().enumerate() {
            if !cur.is_known() {
                return Err(cur.is_error());
            }
            cur = match op.value() {
                TraversalOperator::GetAttr(name) => get_attr(cur, name.as_str())?,
                TraversalOperator::Index(e) => {
                    let k = self.hcl(e, loc, scope, d);
                    if !k.is_known() {
                        return Err(k.is_error());
                    }
                    index(cur, &k)?
                }
                TraversalOperator::LegacyIndex(n) => {
                    index(cur, &Val::new(V::Num(Number::from(*n.value())), cur.span))?
                }
                TraversalOperator::AttrSplat(_) | TraversalOperator::FullSplat(_) => {
                    return Ok((cur, i));
                }
            };
        }
        Ok((cur, ops.len()))
    }

    /// Applies `.attr`, `[index]` and splats to an owned value;
    /// `Err(is_error)` when the result is not known.
    fn apply_ops(
        &self,
        cur: Val,
        ops: &[hcl_edit::Decorated<TraversalOperator>],
        loc: Loc<'_>,
        span: Span,
        scope: &Scope,
        d: u32,
    ) -> Result<Val, bool> {
        let (sel, used) = self.select(&cur, ops, loc, scope, d)?;
        if used == ops.len() {
            return Ok(if used == 0 { cur } else { sel.clone() });
        }
        // a splat: the remaining steps apply to each element
        let items = match &sel.v {
            V::List(items) => items.clone(),
            V::Null => Vec::new(),
            _ => vec![sel.clone()],
        };
        let rest = &ops[used + 1..];
        let mut out = Vec::with_capacity(items.len());
        for item in items {
            out.push(self.apply_ops(item, rest, loc, span, scope, d)?);
        }
        Ok(Val::new(V::List(out), span))
    }

    fn unary(
        &self,
        u: &UnaryOp,
        loc: Loc<'_>,
        r: Option<Range<usize>>,
        scope: &Scope,
        d: u32,
    ) -> Val {
        let v = self.hcl(&u.expr, loc, scope, d);
        let span = loc.span(r.clone());
        let out = match (u.operator.value(), &v.v) {
            (UnaryOperator::Not, _) => as_bool(&v).map(|b| V::Bool(!b)),
            (UnaryOperator::Neg, _) => as_f64(&v).and_then(|n| number(-n)),
        };
        match out {
            Some(o) => with_origins(Val::new(o, span), &[&v]),
            None => failed_at(loc, r, v.is_known() || v.is_error()),
        }
    }

    fn binary(
        &self,
        b: &BinaryOp,
        loc: Loc<'_>,
        r: Option<Range<usize>>,
        scope: &Scope,
        d: u32,
    ) -> Val {
        let l = self.hcl(&b.lhs_expr, loc, scope, d);
        let rv = self.hcl(&b.rhs_expr, loc, scope, d);
        let span = loc.span(r.clone());
        match binary_op(*b.operator.value(), &l, &rv) {
            Ok(v) => with_origins(Val::new(v, span), &[&l, &rv]),
            Err(error) => failed_at(loc, r, error),
        }
    }

    fn for_expr(
        &self,
        f: &ForExpr,
        loc: Loc<'_>,
        r: Option<Range<usize>>,
        scope: &Scope,
        d: u32,
    ) -> Val {
        let span = loc.span(r.clone());
        let coll = self.hcl(&f.intro.collection_expr, loc, scope, d);
        let Some(pairs) = iter_pairs(&coll) else {
            return failed_at(loc, r, coll.is_error() || coll.is_known());
        };
        let mut list = Vec::new();
        let mut entries: Vec<(String, Val)> = Vec::new();
        for (k, v) in pairs {
            if !self.charge(1) {
                return unknown_at(loc, r);
            }
            let mut names = Vec::with_capacity(2);
            if let Some(kv) = &f.intro.key_var {
                names.push((kv.as_str().to_string(), k));
            }
            names.push((f.intro.value_var.as_str().to_string(), v));
            let child = scope.child(names);
            if let Some(c) = &f.cond {
                match as_bool(&self.hcl(&c.expr, loc, &child, d)) {
                    Some(true) => {}
                    Some(false) => continue,
                    None => return unknown_at(loc, r),
                }
            }
            let val = self.hcl(&f.value_expr, loc, &child, d);
            let Some(key_expr) = &f.key_expr else {
                list.push(val);
                continue;
            };
            let kv = self.hcl(key_expr, loc, &child, d);
            let Some(key) = key_string(&kv).filter(|_| kv.is_known()) else {
                return failed_at(loc, r, kv.is_error());
            };
            if f.grouping {
                group_insert(&mut entries, key, val);
            } else {
                map_insert(&mut entries, key, val);
            }
        }
        let v = if f.key_expr.is_some() {
            V::Map(entries)
        } else {
            V::List(list)
        };
        with_origins(Val::new(v, span), &[&coll])
    }

    /// A `.tf.json` value: strings are templates, the rest keeps its shape.
    fn json(&self, v: &Value, map: &SourceMap, file: u16, scope: &Scope, depth: u32) -> Val {
        let span = map.span.in_file(file);
        if depth > MAX_DEPTH {
            self.too_deep(span);
            return Val::from_json(v, span);
        }
        if !self.charge(1) {
            return Val::from_json(v, span);
        }
        let child = |seg: PathSeg| -> &SourceMap { map.child(&seg).unwrap_or(map) };
        match v {
            Value::String(s) if s.contains("${") || s.contains("%{") => {
                self.json_template(s, span, scope, depth + 1)
            }
            Value::Array(items) => {
                let vals = items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| {
                        let m = child(PathSeg::Index(i));
                        self.json(item, m, file, scope, depth + 1)
                    })
                    .collect();
                Val::new(V::List(vals), span)
            }
            Value::Object(obj) => {
                let entries = obj
                    .iter()
                    .map(|(k, item)| {
                        let m = child(PathSeg::Key(k.clone()));
                        (k.clone(), self.json(item, m, file, scope, depth + 1))
                    })
                    .collect();
                Val::new(V::Map(entries), span)
            }
            scalar => Val::from_json(scalar, span),
        }
    }

    fn json_template(&self, s: &str, span: Span, scope: &Scope, d: u32) -> Val {
        if super::precheck::template_unclosed(s) {
            return Val::str(s, span);
        }
        match hcl_edit::parser::parse_template(s) {
            Ok(t) => {
                let loc = Loc {
                    text: s,
                    file: span.file,
                    fixed: Some(span),
                };
                self.template(&t, loc, None, scope, d)
            }
            Err(_) => Val::str(s, span),
        }
    }

    /// A module file, read once: `Fail::Unknown` when there is no such
    /// readable file inside the module directory, `Fail::TooLarge` when it
    /// is over [`MAX_FILE`] (or over the budget left).
    fn load(&self, path: &str) -> Result<Rc<Loaded>, Fail> {
        let (canonical, rel) = self.module_path(path).ok_or(Fail::Unknown)?;
        if let Some(hit) = self.files.borrow().get(&canonical) {
            return hit.clone();
        }
        let loaded = self.read(&canonical, &rel).map(Rc::new);
        self.files.borrow_mut().insert(canonical, loaded.clone());
        loaded
    }

    fn read(&self, canonical: &Path, rel: &Path) -> Result<Loaded, Fail> {
        self.may_read(canonical)?;
        let text = std::fs::read_to_string(canonical).map_err(|_| Fail::Unknown)?;
        Ok(Loaded {
            text: Rc::from(text),
            rel: rel.to_path_buf(),
            json: OnceCell::new(),
            shown: OnceCell::new(),
        })
    }

    /// `Ok` when `canonical` is a regular file within [`MAX_FILE`] and the
    /// budget left (charged for it).
    fn may_read(&self, canonical: &Path) -> Result<(), Fail> {
        let meta = std::fs::metadata(canonical).map_err(|_| Fail::Unknown)?;
        if !meta.is_file() {
            return Err(Fail::Unknown);
        }
        if meta.len() > MAX_FILE {
            return Err(Fail::TooLarge);
        }
        if !self.charge(meta.len() / 64) {
            // the root is reported as out of budget
            return Err(Fail::Unknown);
        }
        Ok(())
    }

    fn load_json(&self, rel: &Path, text: &str) -> Option<Val> {
        let file = self.shown_file(rel, text);
        let (value, map) = crate::parse::json::load(&file).ok()?;
        let index = self.register(file)?;
        Some(Val::from_json_mapped(&value, &map, index))
    }

    /// A module file as the document shows it (path from the scan root).
    fn shown_file(&self, rel: &Path, text: &str) -> Arc<SourceFile> {
        let shown = if self.rel_dir.as_os_str().is_empty() || self.rel_dir == Path::new(".") {
            rel.to_path_buf()
        } else {
            self.rel_dir.join(rel)
        };
        let shown = shown.to_string_lossy().replace('\\', "/");
        Arc::new(SourceFile::new(shown, text))
    }

    /// Adds `file` to the document's files; its index, if one is left.
    fn register(&self, file: Arc<SourceFile>) -> Option<u16> {
        let index = self.first_extra + self.extra_files.borrow().len();
        let index = u16::try_from(index).ok()?;
        self.extra_files.borrow_mut().push(file);
        Some(index)
    }

    /// The document file index of the module file `file()` read whose
    /// whole text is `text` (a YAML body read from a file), added to the
    /// document's files on first use, so values decoded from it are
    /// reported in that file rather than at the call.
    pub fn file_holding(&self, text: &str) -> Option<u16> {
        let files = self.files.borrow();
        let loaded = files
            .values()
            .filter_map(|f| f.as_ref().ok())
            .find(|f| &*f.text == text)?;
        *loaded
            .shown
            .get_or_init(|| self.register(self.shown_file(&loaded.rel, &loaded.text)))
    }

    /// The path (relative to the module directory) of the module file
    /// `file()` read whose whole text is `text`.
    pub fn loaded_holding(&self, text: &str) -> Option<PathBuf> {
        let files = self.files.borrow();
        files
            .values()
            .filter_map(|f| f.as_ref().ok())
            .find(|f| &*f.text == text)
            .map(|f| f.rel.clone())
    }

    /// Resolves a relative path against the module directory; `None` when
    /// it leaves the directory (`..`, absolute paths, symlinks out).
    fn module_path(&self, path: &str) -> Option<(PathBuf, PathBuf)> {
        let mut rel = PathBuf::new();
        for c in Path::new(path).components() {
            match c {
                Component::CurDir => {}
                Component::Normal(part) => rel.push(part),
                _ => return None,
            }
        }
        if rel.as_os_str().is_empty() {
            return None;
        }
        let dir = self
            .dir_canonical
            .get_or_init(|| self.dir.canonicalize().ok())
            .as_ref()?;
        let canonical = self.dir.join(&rel).canonicalize().ok()?;
        canonical.starts_with(dir).then_some((canonical, rel))
    }
}

impl ModuleFiles for Evaluator<'_> {
    /// `file(path)`: the content of a file inside the module directory; a
    /// JSON file is kept as its structure, with spans into the file.
    fn read_file(&self, path: &str, span: Span) -> Result<Val, Fail> {
        let loaded = self.load(path)?;
        let json = loaded.json.get_or_init(|| {
            looks_like_json(&loaded.text)
                .then(|| self.load_json(&loaded.rel, &loaded.text))
                .flatten()
        });
        Ok(match json {
            Some(j) => Val::new(V::Json(Box::new(j.clone())), span),
            None => Val::str(loaded.text.as_ref(), span),
        })
    }

    /// The bytes of a file inside the module directory, any encoding.
    fn read_bytes(&self, path: &str) -> Result<Vec<u8>, Fail> {
        let (canonical, _) = self.module_path(path).ok_or(Fail::Unknown)?;
        self.may_read(&canonical)?;
        let bytes = std::fs::read(&canonical).map_err(|_| Fail::Unknown)?;
        // the file may have grown since its size was checked
        if bytes.len() as u64 > MAX_FILE {
            return Err(Fail::TooLarge);
        }
        Ok(bytes)
    }

    /// The regular files under a directory inside the module directory
    /// (the directory itself for `.`). A symbolic link on the way makes it
    /// unknown (Terraform's glob may follow it), as does a missing
    /// directory (Terraform: no files).
    fn list_files(&self, path: &str) -> Result<Vec<String>, Fail> {
        let root = if Path::new(path)
            .components()
            .all(|c| matches!(c, Component::CurDir))
        {
            self.dir_canonical
                .get_or_init(|| self.dir.canonicalize().ok())
                .clone()
                .ok_or(Fail::Unknown)?
        } else {
            self.module_path(path).ok_or(Fail::Unknown)?.0
        };
        let mut out = Vec::new();
        let mut stack = vec![(root, String::new())];
        let mut seen = 0usize;
        while let Some((dir, prefix)) = stack.pop() {
            for entry in std::fs::read_dir(&dir).map_err(|_| Fail::Unknown)? {
                let entry = entry.map_err(|_| Fail::Unknown)?;
                seen += 1;
                if !self.charge(1) {
                    // the root is reported as out of budget
                    return Err(Fail::Unknown);
                }
                if seen > MAX_LISTED {
                    return Err(Fail::Bound(
                        "fileset not evaluated: the directory holds more entries than \
                         driftless lists; kept as written, so the gate cannot vouch for the value",
                    ));
                }
                let name = entry.file_name().into_string().map_err(|_| Fail::Unknown)?;
                let rel = if prefix.is_empty() {
                    name
                } else {
                    format!("{prefix}/{name}")
                };
                let kind = entry.file_type().map_err(|_| Fail::Unknown)?;
                if kind.is_symlink() {
                    return Err(Fail::Unknown);
                } else if kind.is_dir() {
                    stack.push((entry.path(), rel));
                } else if kind.is_file() {
                    out.push(rel);
                }
            }
        }
        Ok(out)
    }

    /// Whether `path` names a readable file inside the module directory.
    fn file_exists(&self, path: &str) -> bool {
        !matches!(self.load(path), Err(Fail::Unknown))
    }

    /// `templatefile(path, vars)`: renders the template with only `vars`
    /// in scope; rendered JSON is kept as its structure.
    fn template_file(&self, path: &str, vars: &Val, span: Span, d: u32) -> Result<Val, Fail> {
        let loaded = self.load(path)?;
        self.template_string(&loaded.text, vars, span, d)
    }

    fn template_string(&self, text: &str, vars: &Val, span: Span, d: u32) -> Result<Val, Fail> {
        let names = match &vars.v {
            V::Map(entries) => entries.clone(),
            V::Unknown(_) => return Err(Fail::Unknown),
            _ => return Err(Fail::Error),
        };
        if super::precheck::template_unclosed(text) {
            return Err(Fail::Error);
        }
        let t = hcl_edit::parser::parse_template(text).map_err(|_| Fail::Error)?;
        let loc = Loc {
            text,
            file: span.file,
            fixed: Some(span),
        };
        let mut v = self.template(&t, loc, None, &Scope::isolated(names), d + 1);
        if let V::Str(s) | V::Unknown(s) = &v.v
            && looks_like_json(s)
            && let Ok(j) = serde_json::from_str::<Value>(s)
        {
            let inner = Val::from_json(&j, span);
            v.v = V::Json(Box::new(inner));
        }
        Ok(v)
    }
}

/// The text being built by a template.
#[derive(Default)]
struct Render {
    text: String,
    unknown: bool,
    error: bool,
    strip_next: bool,
    origins: Vec<Origin>,
    /// Indentation still to remove after each newline inside directives.
    dedent: usize,
    /// How many directive bodies deep the rendering is.
    nest: u32,
    /// The texts rendered when each interpolated conditional with an
    /// unknown condition takes one of its known branches (at most
    /// [`MAX_ALTS`]; none once there would be more).
    variants: Vec<Variant>,
    too_many: bool,
}

/// One text a template may render (see [`Render::variants`]).
struct Variant {
    text: String,
    unknown: bool,
    /// The branch that chose it, where its findings are reported.
    span: Span,
    origins: Vec<Origin>,
    when: String,
}

impl Render {
    /// Appends rendered text, to every variant too; variants that would
    /// grow past [`MAX_ALT_TEXT`] are dropped.
    fn push(&mut self, s: &str) {
        if !self.variants.is_empty() && self.text.len() + s.len() > MAX_ALT_TEXT {
            self.variants.clear();
            self.too_many = true;
        }
        self.text.push_str(s);
        for x in &mut self.variants {
            x.text.push_str(s);
        }
    }

    fn literal(&mut self, s: &str) {
        let s = if self.strip_next { s.trim_start() } else { s };
        self.strip_next = false;
        if self.dedent == 0 || self.nest == 0 {
            self.push(s);
            return;
        }
        let mut out = String::with_capacity(s.len());
        for (i, line) in s.split('\n').enumerate() {
            if i > 0 {
                out.push('\n');
                let ws = line.len() - line.trim_start_matches([' ', '\t']).len();
                out.push_str(&line[ws.min(self.dedent)..]);
            } else {
                out.push_str(line);
            }
        }
        self.push(&out);
    }

    fn trim_end(&mut self) {
        let keep = self.text.trim_end().len();
        self.text.truncate(keep);
        for x in &mut self.variants {
            let keep = x.text.trim_end().len();
            x.text.truncate(keep);
        }
    }

    fn add_origins(&mut self, origins: &[Origin]) {
        for o in origins {
            if self.origins.len() < 4 && !self.origins.contains(o) {
                self.origins.push(o.clone());
            }
        }
    }

    /// Marks the text, and every variant, as holding an unknown part.
    fn mark_unknown(&mut self) {
        self.unknown = true;
        for x in &mut self.variants {
            x.unknown = true;
        }
    }

    /// Source text kept as written for a part that cannot be rendered.
    fn raw(&mut self, raw: &str, error: bool) {
        self.push(raw);
        self.mark_unknown();
        self.error |= error;
    }

    fn append(&mut self, v: &Val, src: &str) {
        self.add_origins(&v.origins);
        if !v.alternatives().is_empty() && !self.too_many {
            self.fork(v.alternatives());
        }
        match &v.v {
            V::Str(s) => self.push(s),
            V::Num(n) => self.push(&n.to_string()),
            V::Bool(b) => self.push(if *b { "true" } else { "false" }),
            V::Json(inner) => {
                self.push(&inner.to_json().to_string());
                if !inner.is_wholly_known() {
                    self.mark_unknown();
                }
            }
            V::Unknown(t) if !v.alternatives().is_empty() => {
                // the variants already hold the branch's text
                self.text.push_str(t);
                self.unknown = true;
            }
            V::Unknown(t) => {
                self.push(t);
                self.mark_unknown();
            }
            V::Error(t) => {
                self.push(t);
                self.error = true;
            }
            V::Null | V::List(_) | V::Map(_) => {
                self.push(&format!("${{{src}}}"));
                self.error = true;
            }
        }
    }

    /// Continues every variant (the text so far when there is none yet)
    /// with each scalar alternative of an interpolated value.
    fn fork(&mut self, alts: &[Alt]) {
        let bases = if self.variants.is_empty() {
            vec![Variant {
                text: self.text.clone(),
                unknown: self.unknown,
                span: Span::default(),
                origins: Vec::new(),
                when: String::new(),
            }]
        } else {
            std::mem::take(&mut self.variants)
        };
        let mut next = Vec::new();
        if self.text.len() > MAX_ALT_TEXT {
            self.too_many = true;
            return;
        }
        for base in &bases {
            for alt in alts {
                let Some(text) = scalar_text(&alt.val) else {
                    continue;
                };
                let when = match base.when.as_str() {
                    "" => alt.when.to_string(),
                    before => format!("{before} and {}", alt.when),
                };
                let mut origins = base.origins.clone();
                origins.extend(alt.val.origins.iter().cloned());
                next.push(Variant {
                    text: format!("{}{text}", base.text),
                    unknown: base.unknown || !alt.val.is_known(),
                    span: alt.val.span,
                    origins,
                    when,
                });
            }
        }
        self.too_many = next.len() > MAX_ALTS;
        if !self.too_many {
            self.variants = next;
        }
    }

    /// The variants as the rendered value's alternatives, when the text
    /// is unknown (not failed) and every interpolated conditional's
    /// branches could be listed.
    fn alternatives(&mut self) -> Option<Rc<Vec<Alt>>> {
        if self.error || !self.unknown || self.too_many || self.variants.is_empty() {
            return None;
        }
        let alts = std::mem::take(&mut self.variants)
            .into_iter()
            .map(|x| {
                let mut val = Val::new(
                    if x.unknown {
                        V::Unknown(x.text)
                    } else {
                        V::Str(x.text)
                    },
                    x.span,
                );
                val.add_origins(&x.origins);
                val.add_origins(&self.origins);
                Alt {
                    val,
                    when: x.when.into(),
                }
            })
            .collect();
        Some(Rc::new(alts))
    }
}

/// The values `coalesce` may return when its first non-empty argument is
/// a conditional with an unknown condition: each non-empty branch, and
/// for an empty one (`null`, `""`) what the arguments after it give.
fn coalesce_alternatives(args: &[Val]) -> Option<Rc<Vec<Alt>>> {
    let first = args.iter().position(|a| !is_empty(a))?;
    let rest = args[first + 1..].iter().find(|a| !is_empty(a));
    let mut out = Vec::new();
    for alt in args[first].alternatives() {
        if !is_empty(&alt.val) {
            out.push(alt.clone());
            continue;
        }
        match rest {
            Some(next) if listable(next) => push_alt(
                &mut out,
                Alt {
                    val: next.clone(),
                    when: alt.when.clone(),
                },
            ),
            Some(next) => {
                for inner in next.alternatives() {
                    let when = format!("{} and {}", alt.when, inner.when);
                    push_alt(
                        &mut out,
                        Alt {
                            val: inner.val.clone(),
                            when: when.into(),
                        },
                    );
                }
            }
            None => {}
        }
    }
    (!out.is_empty() && out.len() <= MAX_ALTS).then(|| Rc::new(out))
}

/// Adds `alt`, or widens the condition of the same value written at the
/// same place (`coalesce(c ? "" : null, "app:latest")` is `app:latest`
/// when `c` is true or false: one alternative, not two).
fn push_alt(out: &mut Vec<Alt>, alt: Alt) {
    let same = out
        .iter_mut()
        .find(|a| a.val.span == alt.val.span && json_eq(&a.val.to_json(), &alt.val.to_json()));
    match same {
        Some(a) => a.when = format!("{} or {}", a.when, alt.when).into(),
        None => out.push(alt),
    }
}

/// Whether a known value is listed as an alternative: what rules compare
/// (a string, a number, a bool, a short non-empty list of those), and
/// `null` for `coalesce` to fall through (the document leaves it out).
/// `[]` and objects are not: on real modules they are many branches
/// (`for_each = c ? [1] : []`, `var.x == null ? null : {…}`) and no rule
/// reads them.
fn listable(v: &Val) -> bool {
    let scalar = |v: &Val| matches!(v.v, V::Str(_) | V::Num(_) | V::Bool(_));
    match &v.v {
        V::Null => true,
        V::List(items) => {
            !items.is_empty()
                && items.len() <= MAX_ALT_ITEMS
                && items
                    .iter()
                    .all(|i| scalar(i) || matches!(i.v, V::Unknown(_)))
        }
        _ => scalar(v),
    }
}

/// A condition as quoted in `when`: at most 100 characters, on one line.
fn shorten(cond: &str) -> String {
    let one_line = cond.split_whitespace().collect::<Vec<_>>().join(" ");
    match one_line.char_indices().nth(100) {
        Some((at, _)) => format!("{}…", &one_line[..at]),
        None => one_line,
    }
}

/// Whether `coalesce` skips the value (`null` or `""`).
fn is_empty(v: &Val) -> bool {
    match &v.v {
        V::Null => true,
        V::Str(s) => s.is_empty(),
        _ => false,
    }
}

/// The text a scalar value renders as in a template.
fn scalar_text(v: &Val) -> Option<String> {
    match &v.v {
        V::Str(s) | V::Unknown(s) => Some(s.clone()),
        V::Num(n) => Some(n.to_string()),
        V::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A heredoc whose text is a JSON object or array (container definitions
/// and policies written before `jsonencode`) is kept as its structure, like
/// `jsonencode`. Without interpolations the JSON is read from the source
/// bytes, so every value keeps its own span; otherwise from the rendered
/// text, located at the heredoc.
fn heredoc_json(v: Val, t: &Template, loc: Loc<'_>) -> Val {
    let text = match &v.v {
        V::Str(s) | V::Unknown(s) if looks_like_json(s) => s,
        _ => return v,
    };
    if let (1, Some(Element::Literal(lit)), None) = (t.len(), t.get(0), loc.fixed) {
        let range = lit.span();
        let raw = loc.src(range.clone());
        if !raw.contains("${") && !raw.contains("%{") {
            let file = Arc::new(SourceFile::new("heredoc", raw));
            if let Ok((value, map)) = crate::parse::json::load(&file) {
                let mut inner = Val::from_json_mapped(&value, &map, loc.file);
                inner.shift(range.map_or(0, |r| r.start) as u32);
                return Val {
                    v: V::Json(Box::new(inner)),
                    ..v
                };
            }
        }
    }
    match serde_json::from_str::<Value>(text) {
        Ok(j) => {
            let inner = Val::from_json(&j, v.span);
            Val {
                v: V::Json(Box::new(inner)),
                ..v
            }
        }
        Err(_) => v,
    }
}

/// What a traversal starts from ([`Evaluator::traversal_root`]): a stored
/// value (variable, local, iterator), with the origin to add when it is
/// copied, or a computed one.
enum Root<'v> {
    /// A stored value, with the origin reading it adds.
    Ref(&'v Val, Option<&'v Origin>),
    /// A local or a variable's default, evaluated when first read.
    Found(Found),
    /// A value computed for this traversal alone.
    Owned(Val),
}

impl Root<'_> {
    /// The value and the origin reading it adds (not for [`Root::Owned`]).
    fn parts(&self) -> (&Val, Option<&Origin>) {
        match self {
            Root::Ref(v, origin) => (v, *origin),
            Root::Found(found) => (&found.0, Some(&found.1)),
            Root::Owned(v) => (v, None),
        }
    }
}

/// The first argument of a `lookup` read through a reference
/// ([`Evaluator::lookup_source`]).
struct LookupSource<'s, 't> {
    root: Root<'s>,
    rest: &'t [hcl_edit::Decorated<TraversalOperator>],
    /// Where the copied entry is reported (`None`: where it is written).
    place: Option<Span>,
    /// The argument's span and range as written.
    span: Span,
    written: Option<Range<usize>>,
}

/// The expression's text as written, as an unknown value (`${...}`).
pub(crate) fn unknown_at(loc: Loc<'_>, r: Option<Range<usize>>) -> Val {
    failed_at(loc, r, false)
}

/// The expression's text as written, as an unknown or failed value.
fn failed_at(loc: Loc<'_>, r: Option<Range<usize>>, error: bool) -> Val {
    // built by hand: `format!` grows the string as it writes (evaluation
    // makes hundreds of thousands of these on the real corpus)
    let src = loc.src(r.clone());
    let mut text = String::with_capacity(src.len() + 3);
    text.push_str("${");
    text.push_str(src);
    text.push('}');
    let span = loc.span(r);
    if error {
        Val::error(text, span)
    } else {
        Val::unknown(text, span)
    }
}

fn hcl_number(n: &hcl_edit::Number) -> V {
    if let Some(i) = n.as_i64() {
        V::Num(Number::from(i))
    } else if let Some(u) = n.as_u64() {
        V::Num(Number::from(u))
    } else {
        n.as_f64().and_then(number).unwrap_or(V::Null)
    }
}

fn group_insert(entries: &mut Vec<(String, Val)>, key: String, val: Val) {
    match entries.iter_mut().find(|(k, _)| *k == key) {
        Some((
            _,
            Val {
                v: V::List(items), ..
            },
        )) => items.push(val),
        _ => {
            let span = val.span;
            entries.push((key, Val::new(V::List(vec![val]), span)));
        }
    }
}

fn get_attr<'v>(cur: &'v Val, name: &str) -> Result<&'v Val, bool> {
    cur.get(name).ok_or(true)
}

fn index<'v>(cur: &'v Val, key: &Val) -> Result<&'v Val, bool> {
    match &cur.v {
        V::List(items) => {
            let i = as_f64(key)
                .filter(|f| *f >= 0.0 && f.fract() == 0.0)
                .ok_or(true)?;
            items.get(i as usize).ok_or(true)
        }
        V::Map(_) => cur.get(&key_string(key).ok_or(true)?).ok_or(true),
        _ => Err(true),
    }
}

/// Applies a binary operator to evaluated operands; `Err(is_error)` when
/// the result is not known.
fn binary_op(op: BinaryOperator, l: &Val, r: &Val) -> Result<V, bool> {
    use BinaryOperator as B;
    let unknown = |a: &Val, b: &Val| Err(a.is_error() || b.is_error());
    match op {
        B::And | B::Or => {
            let (lb, rb) = (as_bool(l), as_bool(r));
            let and = matches!(op, B::And);
            match (lb, rb) {
                (Some(a), Some(b)) => Ok(V::Bool(if and { a && b } else { a || b })),
                (Some(a), _) | (_, Some(a)) if a != and => Ok(V::Bool(a)),
                _ if l.is_known() && r.is_known() => Err(true),
                _ => unknown(l, r),
            }
        }
        B::Eq | B::NotEq => {
            if !l.is_wholly_known() || !r.is_wholly_known() {
                return unknown(l, r);
            }
            let eq = json_eq(&l.to_json(), &r.to_json());
            Ok(V::Bool(eq == matches!(op, B::Eq)))
        }
        _ => {
            if !l.is_known() || !r.is_known() {
                return unknown(l, r);
            }
            let (a, b) = (as_f64(l).ok_or(true)?, as_f64(r).ok_or(true)?);
            let out = match op {
                B::Less => return Ok(V::Bool(a < b)),
                B::LessEq => return Ok(V::Bool(a <= b)),
                B::Greater => return Ok(V::Bool(a > b)),
                B::GreaterEq => return Ok(V::Bool(a >= b)),
                B::Plus => a + b,
                B::Minus => a - b,
                B::Mul => a * b,
                B::Div if b != 0.0 => a / b,
                B::Mod if b != 0.0 => a % b,
                _ => return Err(true),
            };
            number(out).ok_or(true)
        }
    }
}

/// Whether a traversal starts at `each`, which a block instance binds.
fn is_instance_key(base: &Expression) -> bool {
    matches!(base, Expression::Variable(id) if id.as_str() == "each")
}
