//! Terraform modules: all `.tf` and `.tf.json` files of one directory, with
//! its variable files, become ONE document (docs/input-terraform.md).
//!
//! Pipeline: each file is parsed (hcl-edit for HCL, the shared JSON loader
//! for `.tf.json`) into one block shape ([`body`]); variables are resolved
//! from defaults and tfvars ([`vars`]); every attribute is evaluated where
//! it is statically known ([`eval`], [`funcs`]); bodies become values with
//! `dynamic` blocks expanded ([`blocks`]); and the value tree is emitted as
//! the input JSON, its source map and provenance in one walk ([`value`]).

mod blocks;
mod body;
mod budget;
mod cache;
mod calls;
mod compose;
mod embedded;
mod eval;
mod funcs;
mod hcl;
mod instances;
mod json;
mod precheck;
mod reach;
mod value;
mod vars;

use foldhash::HashMap;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::{Arc, OnceLock};

use hcl_edit::structure::Body as HclBody;
use serde_json::Value;

use self::body::{Block, Item, Loc};
use self::eval::{Evaluator, LocalDef, Scope};
use self::value::{Origin, V, Val};
use self::vars::VarSource;
use crate::document::{Document, Kind, ParseError, Parsed, SourceFile, SourceMap, Span};

use self::cache::Keep;
pub use self::cache::ModuleCache;
pub use self::calls::{mark_children, normalise};

/// Settings that change how a module is evaluated (extra variable files).
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// `--var-file` paths, applied after the module's own tfvars files.
    pub var_files: Vec<std::path::PathBuf>,
}

/// Most files one module document takes (file indexes are `u16`, and
/// variable files and files read by `file()` need indexes too).
const MAX_FILES: usize = 60_000;
/// Largest `--var-file` read.
const MAX_VAR_FILE: u64 = 4 << 20;

/// Parses one module directory into one document, and one more document
/// per instance of a local child module it calls (after its own).
///
/// `files` are the module's `.tf`, `.tf.json`, `terraform.tfvars(.json)`
/// and `*.auto.tfvars(.json)` files (paths relative to the scan root, in
/// name order); `dir` is the directory on disk, used to read the files
/// that `file()`/`templatefile()` name. A file that does not parse yields a
/// `ParseError` and the others still make the document; a module none of
/// whose configuration files parse yields no document.
pub fn parse_module(dir: &Path, files: &[Arc<SourceFile>], options: &Options) -> Parsed {
    parse_module_with(dir, files, options, &ModuleCache::default())
}

/// [`parse_module`] with a cache of its own: the language server's holds
/// the unsaved buffers its children are read from
/// ([`ModuleCache::with_overlay`]).
pub fn parse_module_with(
    dir: &Path,
    files: &[Arc<SourceFile>],
    options: &Options,
    cache: &ModuleCache,
) -> Parsed {
    let mut children = Parsed::default();
    let mut out = compose_module(dir, files, options, cache, &mut |mut p| {
        children.documents.append(&mut p.documents);
        children.errors.append(&mut p.errors);
    });
    out.documents.append(&mut children.documents);
    out.errors.append(&mut children.errors);
    out
}

/// The module's own document, its local children not evaluated: what a
/// scan reads first, to tell roots from children ([`mark_children`]). Its
/// parsed files are kept in `cache` for its own composition, and for the
/// modules that call it when one of them was read first (the local modules
/// it calls are marked for that). When the module calls local modules, the
/// document holds only what tells its role: `root` and `modules` with their
/// `source` (its other sections are empty). Its full document needs its
/// children's outputs, so [`compose_module`] builds it, once.
pub fn parse_own_module(
    dir: &Path,
    files: &[Arc<SourceFile>],
    options: &Options,
    cache: &ModuleCache,
) -> Parsed {
    let mut module = match Module::load(dir, files, options, cache, Keep::IfCalled) {
        Ok(module) => module,
        Err(errors) => return errors,
    };
    if has_module_blocks(&module.configs) {
        let (calls, _, links) = document(dir, module.input(None, Pass::SourcesOnly));
        let mut composes = false;
        for child in local_children(dir, &links) {
            cache.want(child);
            composes = true;
        }
        if composes {
            // composed, and its full document built, by `compose_module`
            module.keep(dir, cache);
            module.out.documents.push(calls);
            return module.out;
        }
    }
    let (doc, incomplete, _) = document(dir, module.input(None, Pass::Full));
    module.out.errors.extend(incomplete);
    module.out.documents.push(doc);
    module.out
}

/// Whether a module's own document (from [`parse_own_module`]) calls a
/// local module, so that [`compose_module`] has children to evaluate.
pub fn has_local_calls(doc: &Document) -> bool {
    doc.input
        .get("modules")
        .and_then(Value::as_array)
        .is_some_and(|calls| {
            calls.iter().any(|m| {
                m.pointer("/config/source")
                    .and_then(Value::as_str)
                    .is_some_and(calls::is_local_source)
            })
        })
}

/// The module's document with its local children evaluated: each child
/// instance's document (with its errors) goes to `sink` as soon as it is
/// built, so a scan evaluates and drops it before the next is built; the
/// module's own document (which reads the children's outputs) is returned.
/// Module files are parsed once per `cache`.
pub fn compose_module(
    dir: &Path,
    files: &[Arc<SourceFile>],
    options: &Options,
    cache: &ModuleCache,
    sink: &mut dyn FnMut(Parsed),
) -> Parsed {
    let mut module = match Module::load(dir, files, options, cache, Keep::Always) {
        Ok(module) => module,
        Err(errors) => return errors,
    };
    let (calls, _, links) = document(dir, module.input(None, Pass::CallsOnly));
    let caller = compose::Caller::root(dir, &module.shown, calls.files);
    let outputs = compose::compose(&caller, links.calls, cache, sink);
    // `module.NAME.OUTPUT` of local children is known now
    let outputs = compose::reads_module_outputs(module.files, &outputs).then_some(&outputs);
    let (doc, incomplete, _) = document(dir, module.input(outputs, Pass::Full));
    module.out.errors.extend(incomplete);
    module.out.documents.push(doc);
    module.out
}

/// Whether any configuration file has a `module` block: only then can a
/// module call a local one, and a sources-only or calls-only pass be worth
/// its cost.
fn has_module_blocks(configs: &[(u16, Arc<Tree>)]) -> bool {
    configs.iter().any(|(_, tree)| match &tree.syntax {
        SyntaxTree::Hcl(body) => body.get_blocks("module").next().is_some(),
        SyntaxTree::Json(value, _) => value.get("module").is_some(),
    })
}

/// The directories (normalised, on disk) of the local modules a module in
/// `dir` calls.
fn local_children<'a>(
    dir: &'a Path,
    links: &'a compose::Links,
) -> impl Iterator<Item = PathBuf> + 'a {
    links.calls.iter().filter_map(move |c| {
        let source = c.config.get("source").and_then(Val::as_str)?;
        calls::is_local_source(source).then(|| calls::normalise(&dir.join(source)))
    })
}

fn dropped_files(files: &[Arc<SourceFile>]) -> Vec<ParseError> {
    files
        .iter()
        .skip(MAX_FILES)
        .map(|dropped| {
            let message = format!(
                "module has more than {MAX_FILES} files: this one is not evaluated, so the gate \
                 cannot vouch for it"
            );
            ParseError::incomplete(dropped, 0, 0, message)
        })
        .collect()
}

/// A module's files, loaded: what its documents are built from.
struct Module<'a> {
    files: &'a [Arc<SourceFile>],
    /// The module's files and the `--var-file`s (document file indexes).
    all: Vec<Arc<SourceFile>>,
    configs: Vec<(u16, Arc<Tree>)>,
    /// Variable files in precedence order, lowest first.
    tfvars: Vec<(u16, Arc<Tree>)>,
    has_tfvars: bool,
    shown: String,
    /// Errors so far (files that do not parse, variable files).
    out: Parsed,
}

impl<'a> Module<'a> {
    /// Parses the module's files through `cache` (kept as `keep` says); only the
    /// errors when none of its configuration files parses.
    fn load(
        dir: &Path,
        files: &'a [Arc<SourceFile>],
        options: &Options,
        cache: &ModuleCache,
        keep: Keep,
    ) -> Result<Self, Parsed> {
        let mut out = Parsed::default();
        out.errors.extend(dropped_files(files));
        let files = &files[..files.len().min(MAX_FILES)];
        let mut configs = Vec::new();
        let mut tfvars = Vec::new();
        let mut has_tfvars = false;
        for (i, f) in files.iter().enumerate() {
            let Some((role, syntax)) = classify(f.name()) else {
                continue;
            };
            has_tfvars |= role > 0;
            let tree = cache.tree(&disk_path(dir, f), f, syntax, keep);
            match tree {
                Ok(tree) if role == 0 => configs.push((i as u16, tree)),
                Ok(tree) => tfvars.push((role, i as u16, tree)),
                Err(e) => out.errors.push(e),
            }
        }
        if configs.is_empty() {
            return Err(out);
        }
        // stable: name order within each rank
        tfvars.sort_by_key(|(role, _, _)| *role);
        let mut tfvars: Vec<(u16, Arc<Tree>)> =
            tfvars.into_iter().map(|(_, i, t)| (i, t)).collect();
        let mut all: Vec<Arc<SourceFile>> = files.to_vec();
        for p in &options.var_files {
            match read_var_file(p) {
                Ok(f) => {
                    let syntax = if p.to_string_lossy().ends_with(".json") {
                        Syntax::Json
                    } else {
                        Syntax::Hcl
                    };
                    match load(&f, syntax) {
                        Ok(tree) => tfvars.push((all.len() as u16, Arc::new(tree))),
                        Err(e) => out.errors.push(e),
                    }
                    all.push(f);
                }
                Err(e) => out.errors.push(e),
            }
        }
        Ok(Module {
            files,
            all,
            configs,
            tfvars,
            has_tfvars,
            shown: module_dir(files, dir),
            out,
        })
    }

    /// Keeps the module's parsed files in `cache`, for its composition.
    fn keep(&self, dir: &Path, cache: &ModuleCache) {
        for (i, tree) in self.configs.iter().chain(&self.tfvars) {
            if let Some(f) = self.files.get(*i as usize) {
                cache.keep(&disk_path(dir, f), f, tree.clone());
            }
        }
    }

    fn input<'b>(
        &'b self,
        outputs: Option<&'b HashMap<String, (Val, Origin)>>,
        pass: Pass,
    ) -> Input<'b> {
        Input {
            files: self.files,
            all: &self.all,
            configs: &self.configs,
            tfvars: self.tfvars.iter().map(|(i, t)| (*i, &**t)).collect(),
            has_tfvars: self.has_tfvars,
            module: &self.shown,
            offset: 0,
            instance: None,
            outputs,
            pass,
            prune: None,
        }
    }
}

/// Where a module's file is on disk: in its directory, by name.
fn disk_path(dir: &Path, f: &SourceFile) -> PathBuf {
    calls::normalise(&dir.join(f.name()))
}

/// What one module's document is built from.
struct Input<'a> {
    /// The module's own files.
    files: &'a [Arc<SourceFile>],
    /// The module's files and the `--var-file`s (document file indexes).
    all: &'a [Arc<SourceFile>],
    configs: &'a [(u16, Arc<Tree>)],
    /// Variable files in precedence order, lowest first.
    tfvars: Vec<(u16, &'a Tree)>,
    has_tfvars: bool,
    module: &'a str,
    /// Index in `all` of the module's first own file (a child module
    /// instance's files follow its caller's).
    offset: usize,
    /// Set when the module is evaluated as a local child of another.
    instance: Option<&'a compose::Instance>,
    /// Outputs of the module's local children, by call name.
    outputs: Option<&'a HashMap<String, (Val, Origin)>>,
    pass: Pass,
    /// Set for a child instance whose directory the scan reports on its
    /// own: its [`Pass::Full`] document holds only what the call can change
    /// ([`reach`]).
    prune: Option<Prune>,
}

/// How a child instance whose own blocks are reported by its directory's
/// document is built: only the blocks its call can change
/// ([`reach::Reach`]) and the locals it can change that those blocks read,
/// and of those only the ones holding a value the scan keeps
/// ([`reach::keep_reported`]); every output when its caller reads them.
#[derive(Clone)]
struct Prune {
    /// The outputs its caller reads (`module.NAME.OUTPUT`).
    outputs_read: OutputsRead,
    /// By document file index: whether the scan keeps what this instance
    /// finds in the file (`scan::written_here`). Files past its end (read
    /// by `file()`) are kept.
    kept: Rc<[bool]>,
}

/// A pruned instance's questions for [`sections`]: what its call reaches,
/// the outputs its caller reads, and what each block reads (by index in
/// the document's blocks).
struct Pruning<'t> {
    reach: reach::Reach,
    outputs_read: OutputsRead,
    reads: Vec<&'t [reach::Read]>,
}

/// Which outputs of a child instance its caller reads: only those are
/// evaluated when the call cannot change them.
#[derive(Clone, Default)]
enum OutputsRead {
    /// Every output (the module is read whole, `module.NAME["x"]`, or the
    /// instance is not pruned).
    #[default]
    All,
    /// These outputs only (none for an instance of an expanded call,
    /// whose outputs stay unknown).
    Named(Rc<std::collections::HashSet<String>>),
}

impl OutputsRead {
    fn includes(&self, output: &str) -> bool {
        match self {
            OutputsRead::All => true,
            OutputsRead::Named(names) => names.contains(output),
        }
    }
}

/// How much of a module's document to build.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Pass {
    /// The whole document.
    Full,
    /// Only what composition needs before the children are evaluated: the
    /// `module` blocks (their evaluated calls), `root`, and the `count` and
    /// `for_each` of resources (they draw on the module's instance budget
    /// before the calls after them do). A module that reads its children's
    /// outputs is evaluated in full once, after them, instead of twice
    /// (BENCHMARKS.md, "calls-only pass").
    CallsOnly,
    /// Only what tells a module's role in the first step of a scan: `root`,
    /// and the `source` of each `module` block (which local modules it
    /// calls). Its arguments are evaluated by the [`Pass::CallsOnly`] pass
    /// of its composition, when it has local children.
    SourcesOnly,
}

/// The module's document, an `EVAL001` for every value a bound cut short,
/// and the module's calls of other modules (with their evaluated bodies).
fn document(dir: &Path, input: Input) -> (Document, Vec<ParseError>, compose::Links) {
    let mut blocks: Vec<Block> = Vec::new();
    let mut by_file = Vec::with_capacity(input.configs.len());
    for (i, tree) in input.configs {
        let first = blocks.len();
        blocks.extend(top_blocks(tree, &input.all[*i as usize], *i));
        by_file.push((tree, first..blocks.len()));
    }
    let refs: Vec<&Block> = blocks.iter().collect();
    let mut ev = Evaluator::new(dir, Path::new(input.module), input.all.len());
    let declared = vars::declared(&refs);
    let sources: Vec<VarSource> = input
        .tfvars
        .iter()
        .map(|(i, tree)| var_source(tree, &input.all[*i as usize], *i))
        .collect();
    let mut values = vars::resolve(&ev, &declared, &sources, input.all);
    let arguments = input
        .instance
        .map(|i| i.bind(&declared, input.all, &mut values))
        .unwrap_or_default();
    ev.set_defaults(vars::defaults(&declared, &values, input.all));
    ev.set_vars(values);
    if let Some(instance) = input.instance {
        ev.pin_vars(instance.names());
    }
    ev.set_module_outputs(input.outputs.cloned().unwrap_or_default());
    let locals = locals(&refs, input.all);
    let pruning = match (&input.prune, input.instance) {
        (Some(prune), Some(instance)) if input.pass == Pass::Full => {
            let defined = locals.iter().map(|(name, def)| (*name, def.expr));
            let reads = by_file
                .iter()
                .flat_map(|(tree, range)| tree.block_reads(&blocks[range.clone()]))
                .map(|reads| &**reads)
                .collect();
            Some(Pruning {
                reach: reach::Reach::new(
                    instance.names_reaching(&prune.kept),
                    defined,
                    &arguments,
                    &prune.kept,
                ),
                outputs_read: prune.outputs_read.clone(),
                reads,
            })
        }
        _ => None,
    };
    ev.set_locals(locals);
    let (mut tree, links) = sections(&ev, &refs, &input, pruning);
    if let Some(prune) = input.prune.as_ref().filter(|_| input.pass == Pass::Full) {
        reach::keep_reported(&mut tree, &prune.kept, &arguments, input.offset);
    }
    if !arguments.is_empty() {
        compose::to_arguments(&mut tree, &arguments, input.offset);
    }
    let mut provenance = crate::document::ProvenanceMap::default();
    let emitted = value::emit(tree, &mut provenance);
    let mut files = input.all.to_vec();
    files.extend(ev.take_extra_files());
    let incomplete = ev
        .take_incomplete()
        .into_iter()
        .filter_map(|(span, message)| {
            let file = files.get(span.file as usize)?;
            let (start, end) = (span.start as usize, span.end as usize);
            Some(ParseError::incomplete(file, start, end, message))
        })
        .collect();
    let label = match input.instance {
        Some(i) => i.label(input.module),
        None => input.module.to_string(),
    };
    let doc = Document {
        kind: Kind::Terraform,
        files,
        label,
        input: emitted.value,
        source_map: emitted.map,
        provenance,
        role: Default::default(),
    };
    (doc, incomplete, links)
}

/// A parsed file, shared by every document built from it (a child
/// module's files serve each of its instances, see [`ModuleCache`]).
struct Tree {
    syntax: SyntaxTree,
    /// What each top-level block reads ([`reach::reads_of`]), in
    /// [`top_blocks`] order: found by the first pruned instance that asks,
    /// for every later instance of the module.
    block_reads: OnceLock<Box<[Box<[reach::Read]>]>>,
}

/// A file's syntax tree, in its syntax.
enum SyntaxTree {
    Hcl(HclBody),
    Json(Value, SourceMap),
}

impl Tree {
    fn new(syntax: SyntaxTree) -> Tree {
        Tree {
            syntax,
            block_reads: OnceLock::new(),
        }
    }

    /// What each of `blocks` (this file's [`top_blocks`]) reads.
    fn block_reads(&self, blocks: &[Block]) -> &[Box<[reach::Read]>] {
        self.block_reads
            .get_or_init(|| blocks.iter().map(reach::reads_of).collect())
    }
}

#[derive(Clone, Copy)]
enum Syntax {
    Hcl,
    Json,
}

/// The role of a file by name: 0 = configuration, 1.. = variable files in
/// precedence rank (terraform.tfvars, terraform.tfvars.json, *.auto.*).
fn classify(name: &str) -> Option<(u8, Syntax)> {
    Some(match name {
        "terraform.tfvars" => (1, Syntax::Hcl),
        "terraform.tfvars.json" => (2, Syntax::Json),
        n if n.ends_with(".auto.tfvars") => (3, Syntax::Hcl),
        n if n.ends_with(".auto.tfvars.json") => (3, Syntax::Json),
        n if n.ends_with(".tf") || n == "terragrunt.hcl" => (0, Syntax::Hcl),
        n if n.ends_with(".tf.json") => (0, Syntax::Json),
        _ => return None,
    })
}

fn load(file: &Arc<SourceFile>, syntax: Syntax) -> Result<Tree, ParseError> {
    match syntax {
        Syntax::Hcl => hcl::parse(file).map(|body| Tree::new(SyntaxTree::Hcl(body))),
        Syntax::Json => {
            let (value, map) = crate::parse::json::load(file)?;
            if !value.is_object() {
                let at = map.span.start as usize;
                return Err(ParseError::at(file, at, "expected a JSON object"));
            }
            Ok(Tree::new(SyntaxTree::Json(value, map)))
        }
    }
}

fn top_blocks<'a>(tree: &'a Tree, file: &'a SourceFile, index: u16) -> Vec<Block<'a>> {
    match &tree.syntax {
        SyntaxTree::Hcl(body) => hcl::body(body, Loc::file(&file.text, index))
            .items
            .into_iter()
            .filter_map(|i| match i {
                Item::Block(b) => Some(b),
                Item::Attr(_) => None,
            })
            .collect(),
        SyntaxTree::Json(value, map) => json::top_blocks(value, map, index),
    }
}

fn var_source<'a>(tree: &'a Tree, file: &'a SourceFile, index: u16) -> VarSource<'a> {
    match &tree.syntax {
        SyntaxTree::Hcl(body) => VarSource::Hcl(body, Loc::file(&file.text, index)),
        SyntaxTree::Json(value, map) => VarSource::Json(value, map, index),
    }
}

fn read_var_file(path: &Path) -> Result<Arc<SourceFile>, ParseError> {
    let fail = |msg: String| ParseError::at(&Arc::new(SourceFile::new(path, "")), 0, msg);
    let meta =
        std::fs::metadata(path).map_err(|e| fail(format!("cannot read variable file: {e}")))?;
    if !meta.is_file() {
        // `/dev/zero` or a FIFO would never end (or block)
        return Err(fail("variable file is not a regular file".to_string()));
    }
    let too_big = || {
        fail(format!(
            "variable file is larger than {} MiB",
            MAX_VAR_FILE >> 20
        ))
    };
    if meta.len() > MAX_VAR_FILE {
        return Err(too_big());
    }
    let mut text = String::new();
    std::fs::File::open(path)
        .and_then(|f| {
            std::io::Read::read_to_string(&mut std::io::Read::take(f, MAX_VAR_FILE + 1), &mut text)
        })
        .map_err(|e| fail(format!("cannot read variable file: {e}")))?;
    if text.len() as u64 > MAX_VAR_FILE {
        return Err(too_big());
    }
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text).to_string();
    Ok(Arc::new(SourceFile::new(path, text)))
}

/// The module's directory as shown: relative to the scan root, "." for it.
fn module_dir(files: &[Arc<SourceFile>], dir: &Path) -> String {
    let parent = files
        .first()
        .and_then(|f| f.path.parent().map(Path::to_path_buf))
        .unwrap_or_else(|| dir.to_path_buf());
    let shown = parent.to_string_lossy().replace('\\', "/");
    let shown = shown.trim_start_matches("./").trim_end_matches('/');
    if shown.is_empty() {
        ".".to_string()
    } else {
        shown.to_string()
    }
}

/// `locals` definitions by name (a later definition wins).
pub(crate) fn locals<'a>(
    blocks: &[&Block<'a>],
    files: &'a [Arc<SourceFile>],
) -> HashMap<&'a str, LocalDef<'a>> {
    let mut out = HashMap::default();
    for b in blocks.iter().filter(|b| b.ident == "locals") {
        for a in b.body.attrs() {
            let def = LocalDef {
                name: a.name,
                expr: a.expr,
                files,
            };
            out.insert(a.name, def);
        }
    }
    out
}

/// The document's top-level object (docs/input-terraform.md), and the
/// module calls it makes.
fn sections(
    ev: &Evaluator,
    blocks: &[&Block],
    input: &Input,
    pruning: Option<Pruning>,
) -> (Val, compose::Links) {
    let (reach, outputs_read, reads) = match pruning {
        Some(p) => (Some(p.reach), p.outputs_read, p.reads),
        None => (None, OutputsRead::All, Vec::new()),
    };
    let mut s = Sections {
        calls_only: input.pass != Pass::Full,
        sources_only: input.pass == Pass::SourcesOnly,
        reach,
        outputs_read,
        root: input.has_tfvars,
        instances_left: instances::MAX_MODULE_INSTANCES,
        yaml_left: embedded::MAX_MODULE_YAML,
        prefix: input.instance.map(|i| i.prefix()).unwrap_or_default(),
        ..Sections::default()
    };
    // a pruned instance lists the locals its blocks read: its other blocks first
    let with_reads = blocks
        .iter()
        .enumerate()
        .map(|(i, b)| (*b, reads.get(i).copied()));
    let (later, first): (Vec<_>, Vec<_>) =
        with_reads.partition(|(b, _)| s.reach.is_some() && b.ident == "locals");
    for (b, reads) in first.into_iter().chain(later) {
        s.add(ev, b, reads, input.all);
    }
    let top = Span::default();
    let list = |items: Vec<Val>| Val::new(V::List(items), top);
    let names = input
        .files
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let index = (i + input.offset) as u16;
            Val::str(f.name(), Span::default().in_file(index))
        })
        .collect();
    if input.instance.is_some() {
        // a module another one calls is a child, whatever it contains
        s.root = false;
    }
    let entries = vec![
        ("module".to_string(), Val::str(input.module, top)),
        ("root".to_string(), Val::new(V::Bool(s.root), top)),
        ("files".to_string(), list(names)),
        ("resources".to_string(), list(s.resources)),
        ("data".to_string(), list(s.data)),
        ("modules".to_string(), list(s.modules)),
        ("providers".to_string(), list(s.providers)),
        ("terraform".to_string(), list(s.terraform)),
        ("variables".to_string(), list(s.variables)),
        ("locals".to_string(), Val::new(V::Map(s.locals), top)),
        ("outputs".to_string(), list(s.outputs)),
    ];
    let mut entries = entries;
    if let Some(instance) = input.instance {
        entries.push(("instance".to_string(), instance.describe(top)));
    }
    let links = compose::Links {
        calls: s.calls,
        outputs: s.output_values,
    };
    (Val::new(V::Map(entries), top), links)
}

/// The top-level lists being filled, block by block.
#[derive(Default)]
struct Sections {
    /// [`Pass::CallsOnly`] or [`Pass::SourcesOnly`]: blocks other than
    /// `module` add nothing.
    calls_only: bool,
    /// [`Pass::SourcesOnly`]: a `module` block adds its `source` alone, and
    /// no `count` or `for_each` is expanded.
    sources_only: bool,
    /// A pruned child instance ([`Prune`]): blocks its call cannot change
    /// add nothing.
    reach: Option<reach::Reach>,
    /// The output values evaluated for the caller (all, unless a pruned
    /// instance's caller reads only some).
    outputs_read: OutputsRead,
    root: bool,
    /// Instances `count`/`for_each` may still expand into.
    instances_left: usize,
    /// Bytes of embedded YAML (`kubectl_manifest`, `helm_release`) still
    /// to decode.
    yaml_left: usize,
    /// `module.api.` in a child module instance: addresses as Terraform
    /// writes them (`module.api.aws_instance.web`).
    prefix: String,
    resources: Vec<Val>,
    data: Vec<Val>,
    modules: Vec<Val>,
    providers: Vec<Val>,
    terraform: Vec<Val>,
    variables: Vec<Val>,
    locals: Vec<(String, Val)>,
    outputs: Vec<Val>,
    /// `module` blocks with their evaluated bodies.
    calls: Vec<compose::Call>,
    /// Output values by name (what a caller reads as `module.NAME.X`).
    output_values: Vec<(String, Val)>,
}

impl Sections {
    /// One entry per instance of a resource or data source whose `count`
    /// or `for_each` is known: `address` with the instance key, `index` or
    /// `key`, and the body evaluated with `count`/`each` bound.
    fn add_instances(
        &mut self,
        ev: &Evaluator,
        b: &Block,
        names: &[(&str, Val); 2],
        address: &str,
        list: Vec<instances::Instance>,
        files: &[Arc<SourceFile>],
    ) {
        let head = b.head;
        let file = file_label(b, files);
        let target = if b.ident == "data" {
            &mut self.data
        } else {
            &mut self.resources
        };
        for instance in list {
            let mut fields: Vec<(String, Val)> = names
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect();
            let full = format!("{address}{}", instance.suffix);
            fields.push(("address".to_string(), Val::str(full, head)));
            let (key, value) = instance.field.clone();
            fields.push((key.to_string(), value));
            fields.push(("file".to_string(), Val::str(file, head)));
            let config = blocks::config(ev, &b.body, head, &instance.scope(), 0);
            fields.extend(embedded_field(ev, b, &config, files, &mut self.yaml_left));
            fields.push(("config".to_string(), config));
            target.push(Val::new(V::Map(fields), head));
        }
    }

    /// One call per instance of a `module` block whose `count` or
    /// `for_each` is known, its arguments evaluated with `count.index` or
    /// `each.key`/`each.value` bound: each instance of the child is
    /// evaluated with its own arguments.
    fn add_call_instances(&mut self, ev: &Evaluator, b: &Block, list: Vec<instances::Instance>) {
        for instance in list {
            let config = blocks::config(ev, &b.body, b.head, &instance.scope(), 0);
            self.calls.push(compose::Call {
                name: b.label(0).to_string(),
                key: Some(instance.suffix),
                config,
            });
        }
    }

    /// A `module` block as [`Pass::SourcesOnly`] reads it: its `source`
    /// evaluated, its other arguments left out.
    fn add_source(&mut self, ev: &Evaluator, b: &Block, file: &str) {
        let head = b.head;
        let source = b.body.attrs().find(|a| a.name == "source");
        let source = source.map(|a| ("source".to_string(), ev.eval_root(a.expr, &Scope::root())));
        let config = Val::new(V::Map(source.into_iter().collect()), head);
        let address = format!("{}module.{}", self.prefix, b.label(0));
        let fields = vec![
            ("name".to_string(), Val::str(b.label(0), b.label_span(0))),
            ("address".to_string(), Val::str(address, head)),
            ("file".to_string(), Val::str(file, head)),
            ("config".to_string(), config.clone()),
        ];
        self.modules.push(Val::new(V::Map(fields), head));
        let name = b.label(0).to_string();
        self.calls.push(compose::Call {
            name,
            key: None,
            config,
        });
    }

    /// Adds block `b`, which `reads` what [`reach::reads_of`] says (known
    /// whenever the instance is pruned).
    fn add(
        &mut self,
        ev: &Evaluator,
        b: &Block,
        reads: Option<&[reach::Read]>,
        files: &[Arc<SourceFile>],
    ) {
        let reached = match (&self.reach, reads) {
            (Some(reach), Some(reads)) => b.ident == "locals" || reach.block(reads, ev),
            _ => true,
        };
        // an output the call cannot change is still evaluated for the caller
        let for_caller = b.ident == "output" && self.outputs_read.includes(b.label(0));
        if !(reached || for_caller) {
            return;
        }
        let head = b.head;
        let file = file_label(b, files);
        let config = || blocks::config(ev, &b.body, head, &Scope::root(), 0);
        let label = |i: usize| Val::str(b.label(i), b.label_span(i));
        let mut fields: Vec<(String, Val)> = Vec::new();
        let mut field = |k: &str, v: Val| fields.push((k.to_string(), v));
        let target = match b.ident {
            "resource" | "data" if self.sources_only => return,
            "resource" | "data" => {
                let (t, n) = (b.label(0), b.label(1));
                let address = if b.ident == "data" {
                    format!("{}data.{t}.{n}", self.prefix)
                } else {
                    format!("{}{t}.{n}", self.prefix)
                };
                let expanded = instances::expand(ev, b, &mut self.instances_left);
                if self.calls_only {
                    return;
                }
                if let Some(list) = expanded {
                    let fields = [("type", label(0)), ("name", label(1))];
                    self.add_instances(ev, b, &fields, &address, list, files);
                    return;
                }
                field("type", label(0));
                field("name", label(1));
                field("address", Val::str(address, head));
                if b.ident == "data" {
                    &mut self.data
                } else {
                    &mut self.resources
                }
            }
            "module" if self.sources_only => {
                self.add_source(ev, b, file);
                return;
            }
            "module" => {
                field("name", label(0));
                let address = format!("{}module.{}", self.prefix, b.label(0));
                field("address", Val::str(address, head));
                &mut self.modules
            }
            "provider" => {
                self.root = true;
                if self.calls_only {
                    return;
                }
                let cfg = config();
                let alias = match cfg.get("alias").and_then(Val::as_str) {
                    Some(a) => Val::str(a, cfg.get("alias").map_or(head, |v| v.span)),
                    None => Val::new(V::Null, head),
                };
                field("name", label(0));
                field("alias", alias);
                field("file", Val::str(file, head));
                field("config", cfg);
                self.providers.push(Val::new(V::Map(fields), head));
                return;
            }
            "terraform" => {
                self.root |= b.body.blocks("backend").next().is_some()
                    || b.body.blocks("cloud").next().is_some();
                if self.calls_only {
                    return;
                }
                &mut self.terraform
            }
            _ if self.calls_only => return,
            "variable" => {
                // a type is an expression of its own: `string`, not a value
                let mut cfg = config();
                if let V::Map(entries) = &mut cfg.v
                    && let Some((_, t)) = entries.iter_mut().find(|(k, _)| k == "type")
                {
                    blocks::references_as_text(t);
                }
                field("name", label(0));
                field("file", Val::str(file, head));
                field("config", cfg);
                self.variables.push(Val::new(V::Map(fields), head));
                return;
            }
            "output" => {
                field("name", label(0));
                let cfg = config();
                if let Some(value) = cfg.get("value")
                    && self.outputs_read.includes(b.label(0))
                {
                    let entry = (b.label(0).to_string(), value.clone());
                    self.output_values.push(entry);
                }
                if !reached {
                    // evaluated for the caller only
                    return;
                }
                field("file", Val::str(file, head));
                field("config", cfg);
                self.outputs.push(Val::new(V::Map(fields), head));
                return;
            }
            "locals" => {
                // a pruned instance: what the call can change and its blocks read
                let reach = self.reach.as_ref();
                let listed = |name| reach.is_none_or(|r| r.local(name) && ev.local_evaluated(name));
                for a in b.body.attrs().filter(|a| listed(a.name)) {
                    let v = match ev.local(a.name, 0) {
                        Some(found) => found.0.clone(),
                        None => Val::unknown(format!("${{local.{}}}", a.name), a.expr.span()),
                    };
                    value::map_insert(&mut self.locals, a.name.to_string(), v);
                }
                return;
            }
            _ => return,
        };
        field("file", Val::str(file, head));
        let cfg = config();
        let call = (b.ident == "module").then(|| compose::Call {
            name: b.label(0).to_string(),
            key: None,
            config: cfg.clone(),
        });
        if let Some((k, v)) = embedded_field(ev, b, &cfg, files, &mut self.yaml_left) {
            field(&k, v);
        }
        field("config", cfg);
        target.push(Val::new(V::Map(fields), head));
        if call.is_some()
            && let Some(list) = instances::expand(ev, b, &mut self.instances_left)
        {
            self.add_call_instances(ev, b, list);
            return;
        }
        self.calls.extend(call);
    }
}

/// The name of the file a block is written in, as resources show it.
fn file_label<'a>(b: &Block, files: &'a [Arc<SourceFile>]) -> &'a str {
    files.get(b.head.file as usize).map_or("", |f| f.name())
}

/// The YAML a resource embeds (`kubectl_manifest.yaml_body`,
/// `helm_release.values`), decoded into a field of the resource.
fn embedded_field(
    ev: &Evaluator,
    b: &Block,
    config: &Val,
    files: &[Arc<SourceFile>],
    left: &mut usize,
) -> Option<(String, Val)> {
    if b.ident != "resource" {
        return None;
    }
    embedded::decode(ev, b.label(0), config, files, left).map(|(k, v)| (k.to_string(), v))
}

#[cfg(test)]
mod tests;
