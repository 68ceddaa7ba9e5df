//! Module composition: a module call whose `source` is a local path is
//! evaluated with the arguments the caller passes, as Terraform does, so a
//! `latest` tag or a `0.0.0.0/0` written in a root and used in its child is
//! found. Each call becomes one more document (the child's blocks, see
//! docs/input-terraform.md); values that come from an argument are located
//! at the argument in the caller, with the chain in their provenance.

use foldhash::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::cache::{Keep, ModuleCache};
use super::calls::{is_local_source, normalise};
use super::value::{Origin, V, Val};
use super::vars::Declared;
use super::{Input, OutputsRead, Pass, Prune, Tree, classify, document, has_module_blocks};
use crate::document::{ParseError, Parsed, SourceFile, Span};

/// Deepest chain of local module calls evaluated (root → child → …).
const MAX_DEPTH: usize = 16;
/// Most child module instances one root evaluates, all levels together
/// (a module called N times is evaluated N times).
const MAX_INSTANCES: usize = 256;
/// Largest child module file read.
const MAX_FILE: u64 = 4 << 20;
/// Arguments of a `module` block that are Terraform's, not the child's.
const META: [&str; 7] = [
    "source",
    "version",
    "count",
    "for_each",
    "providers",
    "depends_on",
    "lifecycle",
];

/// A `module` block of a module, with its evaluated body.
pub(crate) struct Call {
    pub name: String,
    /// `[0]` or `["a"]` for one instance of a call with `count` or
    /// `for_each` (its arguments evaluated with `count`/`each` bound).
    pub key: Option<String>,
    pub config: Val,
}

/// What a module's document links to: the modules it calls and the
/// outputs it gives its caller.
pub(crate) struct Links {
    pub calls: Vec<Call>,
    pub outputs: Vec<(String, Val)>,
}

/// The module whose calls are being followed.
pub(crate) struct Caller {
    /// Its directory on disk.
    dir: PathBuf,
    /// Its directory as shown (relative to the scan root).
    shown: String,
    /// `module.a.` for a child, empty for the root.
    prefix: String,
    /// Its document's files: spans of its argument values index them.
    files: Vec<Arc<SourceFile>>,
    /// Directories on the path from the root to it (cycles).
    stack: Vec<PathBuf>,
    /// Where its own files are in `files` (a child's follow its caller's).
    own: std::ops::Range<usize>,
    /// By index in `files`: whether the scan keeps what the root's
    /// composition finds in the file ([`Prune::kept`]).
    kept: Vec<bool>,
    /// Which outputs of each call its own files read, found on first use.
    outputs_read: std::cell::OnceCell<HashMap<String, OutputsRead>>,
}

impl Caller {
    /// The outputs of its call `name` its own files may read: every
    /// `module.NAME.OUTPUT` written (in HCL or in a `.tf.json` template),
    /// or all of them when the module is read another way
    /// (`module.NAME["x"]`, `values(module.NAME)`).
    fn outputs_read_of(&self, name: &str) -> OutputsRead {
        let by_call = self
            .outputs_read
            .get_or_init(|| self.outputs_read_by_call());
        by_call
            .get(name)
            .cloned()
            .unwrap_or_else(|| OutputsRead::Named(Default::default()))
    }

    /// [`Caller::outputs_read_of`] for every call its own files name, in one
    /// pass over them: a caller of many calls used to search its text once
    /// per call (BENCHMARKS.md, "Stop 31").
    fn outputs_read_by_call(&self) -> HashMap<String, OutputsRead> {
        let ident = |c: char| c.is_alphanumeric() || c == '_' || c == '-';
        let own = self.files.get(self.own.clone()).unwrap_or_default();
        let mut named: HashMap<String, Option<std::collections::HashSet<String>>> =
            HashMap::default();
        let finder = memchr::memmem::Finder::new("module.");
        for f in own {
            for at in finder.find_iter(f.text.as_bytes()) {
                let rest = &f.text[at + "module.".len()..];
                let name_len = rest.find(|c| !ident(c)).unwrap_or(rest.len());
                let (name, rest) = rest.split_at(name_len);
                let output = rest
                    .strip_prefix('.')
                    .and_then(|r| r.split(|c| !ident(c)).next())
                    .filter(|output| !output.is_empty());
                let entry = named
                    .entry(name.to_string())
                    .or_insert_with(|| Some(Default::default()));
                match (output, entry) {
                    (Some(output), Some(outputs)) => {
                        outputs.insert(output.to_string());
                    }
                    (None, entry) => *entry = None,
                    (Some(_), None) => {}
                }
            }
        }
        named
            .into_iter()
            .map(|(name, outputs)| {
                let read = outputs.map_or(OutputsRead::All, |o| {
                    OutputsRead::Named(std::rc::Rc::new(o))
                });
                (name, read)
            })
            .collect()
    }

    /// The module a scan evaluates first.
    pub fn root(dir: &Path, shown: &str, files: Vec<Arc<SourceFile>>) -> Self {
        Caller {
            dir: normalise(dir),
            shown: shown.to_string(),
            prefix: String::new(),
            own: 0..files.len(),
            kept: vec![true; files.len()],
            files,
            stack: vec![normalise(dir)],
            outputs_read: Default::default(),
        }
    }
}

/// One evaluation of a child module: where it is called from and with
/// which arguments.
pub(crate) struct Instance {
    /// `module.api` (`module.api.module.db` for a grandchild).
    address: String,
    /// The caller's directory as shown.
    caller: String,
    arguments: Vec<(String, Val)>,
}

impl Instance {
    /// Binds the arguments to the child's declared variables (over their
    /// defaults); returns each argument's origin text with the place it is
    /// written, to locate the values that come from it.
    pub fn bind(
        &self,
        declared: &[Declared],
        files: &[Arc<SourceFile>],
        values: &mut HashMap<String, (Val, Origin)>,
    ) -> HashMap<String, Span> {
        let mut written = HashMap::default();
        for (name, val) in &self.arguments {
            if !declared.iter().any(|d| d.name == name) {
                continue;
            }
            let mut origin = String::with_capacity(self.address.len() + name.len() + 32);
            origin.push_str(&self.address);
            origin.push_str(" argument `");
            origin.push_str(name);
            origin.push_str("` (");
            push_place(&mut origin, files, val.span);
            origin.push(')');
            let phrase: std::rc::Rc<str> = origin.as_str().into();
            written.insert(origin, val.span);
            values.insert(
                name.clone(),
                (val.clone(), Origin::new(phrase, Some(val.span))),
            );
        }
        written
    }

    /// The names of the arguments the call passes.
    pub fn names(&self) -> impl Iterator<Item = String> + '_ {
        self.arguments.iter().map(|(name, _)| name.clone())
    }

    /// The names of the arguments that carry something of the caller's: a
    /// value known at least in part, or the values it may take, holding
    /// something located in a file the scan keeps findings from (`kept`,
    /// by document file index). A wholly unknown argument (`project =
    /// var.project` with no value) reads as an unknown at each place of use
    /// in the child, as an unset variable does in the child's own document
    /// ([`super::reach`]). An argument written wholly in a caller that is
    /// itself a pruned instance cannot give a kept finding: what the child
    /// builds from it is located in that caller's files, or moved there
    /// ([`to_arguments`]).
    pub fn names_reaching<'a>(&'a self, kept: &'a [bool]) -> impl Iterator<Item = String> + 'a {
        self.arguments
            .iter()
            .filter(|(_, val)| val.is_known() || !val.alternatives().is_empty())
            .filter(|(_, val)| super::reach::holds_kept(val, kept))
            .map(|(name, _)| name.clone())
    }

    /// What addresses in the instance start with: `module.api.`.
    pub fn prefix(&self) -> String {
        format!("{}.", self.address)
    }

    /// The document's label: the child, and the call it is evaluated for.
    pub fn label(&self, module: &str) -> String {
        format!("{module} ({} in {})", self.address, self.caller)
    }

    /// The input's `instance` entry.
    pub fn describe(&self, span: Span) -> Val {
        Val::new(
            V::Map(vec![
                ("address".to_string(), Val::str(&self.address, span)),
                ("caller".to_string(), Val::str(&self.caller, span)),
            ]),
            span,
        )
    }
}

/// `envs/prod/main.tf:12`: the file's path as shown and the span's line,
/// written at the end of `out` (one string per argument of every call,
/// built without `format!`: BENCHMARKS.md, "Stop 30").
fn push_place(out: &mut String, files: &[Arc<SourceFile>], span: Span) {
    use std::fmt::Write;
    let Some(f) = files.get(span.file as usize) else {
        out.push('?');
        return;
    };
    let path = f.path.to_string_lossy();
    let path = match path.contains('\\') {
        true => std::borrow::Cow::Owned(path.replace('\\', "/")),
        false => path,
    };
    out.push_str(path.trim_start_matches("./"));
    let _ = write!(out, ":{}", f.line_of(span.start as usize));
}

/// Moves values of the child (files from `first` on) that come from an
/// argument to where the argument is written: the finding belongs there.
pub(crate) fn to_arguments(v: &mut Val, written: &HashMap<String, Span>, first: usize) {
    if let Some(span) = super::reach::argument_place(v, written, first) {
        v.span = span;
    }
    match &mut v.v {
        V::List(items) => items
            .iter_mut()
            .for_each(|i| to_arguments(i, written, first)),
        V::Map(entries) => entries
            .iter_mut()
            .for_each(|(_, x)| to_arguments(x, written, first)),
        V::Json(inner) => to_arguments(inner, written, first),
        _ => {}
    }
}

/// Evaluates the local child modules among `calls` with their arguments,
/// recursively, giving one document per call to `sink` as soon as it is
/// built. A cycle, a chain deeper than [`MAX_DEPTH`], more than
/// [`MAX_INSTANCES`] calls or a child directory that cannot be read is an
/// `EVAL001` at the call's `source`. Child files are read and parsed once
/// per `cache`. Returns the outputs of the direct children by call name (an
/// object per call), for the caller to read as `module.NAME.OUTPUT`.
pub(crate) fn compose(
    caller: &Caller,
    calls: Vec<Call>,
    cache: &ModuleCache,
    sink: &mut dyn FnMut(Parsed),
) -> HashMap<String, (Val, Origin)> {
    let mut walk = Walk {
        cache,
        sink,
        left: MAX_INSTANCES,
    };
    walk.follow(caller, calls)
}

/// The state of one root's composition.
struct Walk<'a> {
    cache: &'a ModuleCache,
    sink: &'a mut dyn FnMut(Parsed),
    /// Child instances the root may still evaluate.
    left: usize,
}

impl Walk<'_> {
    /// An `EVAL001` at `span` in the caller's files.
    fn fail(&mut self, caller: &Caller, span: Span, message: String) {
        if let Some(file) = caller.files.get(span.file as usize) {
            let (start, end) = (span.start as usize, span.end as usize);
            let error = ParseError::incomplete(file, start, end, message);
            (self.sink)(Parsed {
                documents: Vec::new(),
                errors: vec![error],
            });
        }
    }

    fn follow(&mut self, caller: &Caller, calls: Vec<Call>) -> HashMap<String, (Val, Origin)> {
        let mut outputs = HashMap::default();
        for call in calls {
            if let Some((name, values)) = self.call(caller, call) {
                outputs.insert(name, values);
            }
        }
        outputs
    }

    /// Evaluates one call when its source is local; the outputs it gives.
    fn call(&mut self, caller: &Caller, call: Call) -> Option<(String, (Val, Origin))> {
        let source = call.config.get("source")?;
        let path = source.as_str().filter(|s| is_local_source(s))?;
        let span = source.span;
        let dir = normalise(&caller.dir.join(path));
        let key = call.key.as_deref().unwrap_or_default();
        let address = format!("{}module.{}{key}", caller.prefix, call.name);
        if caller.stack.contains(&dir) {
            let message = format!(
                "{address} calls a module that calls it back (`{path}`): the cycle is not evaluated, so the gate cannot vouch for it"
            );
            self.fail(caller, span, message);
            return None;
        }
        if caller.stack.len() > MAX_DEPTH || self.left == 0 {
            let message = format!(
                "{address} is not evaluated with its arguments: more than {MAX_DEPTH} levels or {MAX_INSTANCES} module instances, so the gate cannot vouch for it"
            );
            self.fail(caller, span, message);
            return None;
        }
        let shown = normalise(&Path::new(&caller.shown).join(path));
        // the child's own document reports what the call cannot change
        let pruned = self.cache.scanned(&shown) && shown != caller.stack[0];
        let files = match self
            .cache
            .dir(&dir, &shown, || read_child(&dir, &shown, self.cache))
        {
            Ok(files) if !files.is_empty() => files,
            Ok(_) => return None,
            Err(e) => {
                let message = format!(
                    "{address}: cannot read the local module `{path}` ({e}), so the gate cannot vouch for what it does with its arguments"
                );
                self.fail(caller, span, message);
                return None;
            }
        };
        self.left -= 1;
        let prune = pruned.then(|| Prune {
            // the outputs of an instance of an expanded call stay unknown
            outputs_read: match call.key {
                Some(_) => OutputsRead::Named(Default::default()),
                None => caller.outputs_read_of(&call.name),
            },
            kept: caller
                .kept
                .iter()
                .copied()
                .chain(files.iter().map(|_| false))
                .collect(),
        });
        let instance = Instance {
            address: address.clone(),
            caller: caller.shown.clone(),
            arguments: arguments(&call.config),
        };
        let shown = shown.to_string_lossy().replace('\\', "/");
        let (mut entries, shown, doc_files) =
            self.evaluate_child(&dir, shown, caller, &files, &instance, prune);
        let origin = Origin::new(format!("the outputs of {address} ({shown})"), None);
        // the caller's document does not hold the child's files
        for (_, value) in &mut entries {
            value.pin_files(&doc_files, &origin);
        }
        let values = Val::new(V::Map(entries), Span::default());
        // the outputs of an instance of an expanded call stay unknown
        call.key.is_none().then_some((call.name, (values, origin)))
    }

    /// Evaluates one instance of a child and, recursively, the children it
    /// calls (found by a calls-only pass, [`Pass::CallsOnly`]); its document,
    /// built once with the outputs of those children (`module.db.endpoint`)
    /// as the root's is, goes to the sink. Returns the child's outputs, its
    /// directory as shown and the files its spans index.
    fn evaluate_child(
        &mut self,
        dir: &Path,
        shown: String,
        caller: &Caller,
        files: &[Arc<SourceFile>],
        instance: &Instance,
        prune: Option<Prune>,
    ) -> (Vec<(String, Val)>, String, Vec<Arc<SourceFile>>) {
        let configs = self.configs(dir, files, caller.files.len());
        let child = Child {
            dir,
            shown: &shown,
            caller,
            files,
            configs: &configs,
            instance,
            prune,
        };
        let grandchildren = if has_module_blocks(&configs) {
            let (calls, _, links) = self.child_document(&child, None, Pass::CallsOnly);
            let mut stack = caller.stack.clone();
            stack.push(dir.to_path_buf());
            // what is found in the child's files is kept unless it is pruned;
            // files `file()` read are kept
            let kept = caller.kept.iter().copied();
            let kept = kept.chain(files.iter().map(|_| child.prune.is_none()));
            let kept = kept.chain(std::iter::repeat(true)).take(calls.files.len());
            let next = Caller {
                kept: kept.collect(),
                dir: dir.to_path_buf(),
                shown: shown.clone(),
                prefix: format!("{}.", instance.address),
                files: calls.files,
                stack,
                own: caller.files.len()..caller.files.len() + files.len(),
                outputs_read: Default::default(),
            };
            self.follow(&next, links.calls)
        } else {
            HashMap::default()
        };
        let outputs = reads_module_outputs(files, &grandchildren).then_some(&grandchildren);
        let (doc, incomplete, links) = self.child_document(&child, outputs, Pass::Full);
        let doc_files = doc.files.clone();
        // a pruned instance left with no entry has nothing to report
        let pruned_empty = child.prune.is_some() && super::reach::nothing_kept(&doc.input);
        (self.sink)(Parsed {
            documents: if pruned_empty { Vec::new() } else { vec![doc] },
            errors: incomplete,
        });
        (links.outputs, shown, doc_files)
    }

    /// The child's parsed configuration files, indexed after the caller's
    /// `offset` files (a file that does not parse is reported by the
    /// child's own scan).
    fn configs(
        &self,
        dir: &Path,
        files: &[Arc<SourceFile>],
        offset: usize,
    ) -> Vec<(u16, Arc<Tree>)> {
        files
            .iter()
            .enumerate()
            .filter_map(|(i, f)| {
                let (_, syntax) = classify(f.name()).filter(|(role, _)| *role == 0)?;
                let disk = super::disk_path(dir, f);
                let tree = self.cache.tree(&disk, f, syntax, Keep::Always).ok()?;
                Some(((offset + i) as u16, tree))
            })
            .collect()
    }

    /// The child's document for one call, with the outputs of its own
    /// children when known.
    fn child_document(
        &self,
        child: &Child,
        outputs: Option<&HashMap<String, (Val, Origin)>>,
        pass: Pass,
    ) -> (crate::document::Document, Vec<ParseError>, Links) {
        let mut all = child.caller.files.clone();
        all.extend(child.files.iter().cloned());
        let input = Input {
            files: child.files,
            all: &all,
            configs: child.configs,
            tfvars: Vec::new(),
            has_tfvars: false,
            module: child.shown,
            offset: child.caller.files.len(),
            instance: Some(child.instance),
            outputs,
            pass,
            prune: child.prune.clone(),
        };
        document(child.dir, input)
    }
}

/// One instance of a child module being evaluated: what its documents are
/// built from.
struct Child<'a> {
    dir: &'a Path,
    /// Its directory as shown.
    shown: &'a str,
    caller: &'a Caller,
    files: &'a [Arc<SourceFile>],
    configs: &'a [(u16, Arc<Tree>)],
    instance: &'a Instance,
    prune: Option<Prune>,
}

/// Whether a module's files may read outputs of the children in `outputs`
/// (`module.NAME.…`, in HCL or in a `.tf.json` template): when none can,
/// the first evaluation stands and the second is not needed.
pub(crate) fn reads_module_outputs(
    files: &[Arc<SourceFile>],
    outputs: &HashMap<String, (Val, Origin)>,
) -> bool {
    !outputs.is_empty() && files.iter().any(|f| f.text.contains("module."))
}

/// The arguments a `module` block passes: its attributes except
/// Terraform's own meta-arguments.
fn arguments(config: &Val) -> Vec<(String, Val)> {
    match &config.v {
        V::Map(entries) => entries
            .iter()
            .filter(|(k, _)| !META.contains(&k.as_str()))
            .cloned()
            .collect(),
        _ => Vec::new(),
    }
}

/// The child's `.tf` and `.tf.json` files in name order (its tfvars files
/// are not read: Terraform reads those of the root only), shown under
/// `shown`.
fn read_child(
    dir: &Path,
    shown: &Path,
    cache: &ModuleCache,
) -> std::io::Result<Vec<Arc<SourceFile>>> {
    let mut names: Vec<String> = std::fs::read_dir(dir)?
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| matches!(classify(n), Some((0, _))))
        .collect();
    names.sort();
    let mut files = Vec::new();
    for name in names {
        let path = dir.join(&name);
        if let Some(text) = cache.overlaid(&path) {
            files.push(Arc::new(SourceFile::new(
                shown.join(&name),
                text.to_string(),
            )));
            continue;
        }
        if std::fs::metadata(&path)?.len() > MAX_FILE {
            return Err(std::io::Error::other(format!(
                "{name} is larger than 4 MiB"
            )));
        }
        let text = std::fs::read_to_string(&path)?;
        let text = text.strip_prefix('\u{feff}').unwrap_or(&text).to_string();
        files.push(Arc::new(SourceFile::new(shown.join(&name), text)));
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An argument reaches the child when it holds something located in a
    /// file findings are kept from: not one written wholly in a caller
    /// that is itself a pruned instance, nor one wholly unknown.
    #[test]
    fn an_argument_reaches_when_it_holds_a_value_in_a_kept_file() {
        let root = Span::new(0, 1).in_file(0);
        let pruned = Span::new(0, 1).in_file(1);
        let instance = Instance {
            address: "module.a.module.b".into(),
            caller: "a".into(),
            arguments: vec![
                ("from_the_root".into(), Val::str("x", root)),
                ("written_in_a".into(), Val::str("y", pruned)),
                (
                    "passed_through_a".into(),
                    Val::new(V::List(vec![Val::str("z", root)]), pruned),
                ),
                ("unknown".into(), Val::unknown("${var.x}", root)),
            ],
        };
        let reaching: Vec<String> = instance.names_reaching(&[true, false]).collect();
        assert_eq!(reaching, ["from_the_root", "passed_through_a"]);
    }

    fn read(text: &str, call: &str) -> Option<Vec<String>> {
        let files = vec![Arc::new(SourceFile::new("root/main.tf", text))];
        match Caller::root(Path::new("root"), "root", files).outputs_read_of(call) {
            OutputsRead::All => None,
            OutputsRead::Named(names) => {
                let mut names: Vec<String> = names.iter().cloned().collect();
                names.sort();
                Some(names)
            }
        }
    }

    #[test]
    fn the_outputs_a_caller_reads_are_the_ones_it_names() {
        let text = "a = module.db.endpoint\nb = \"${module.db.port}\"\nc = module.db2.other\nd = module.dbx\n";
        assert_eq!(read(text, "db").unwrap(), ["endpoint", "port"]);
        assert_eq!(read(text, "db2").unwrap(), ["other"]);
        assert_eq!(read(text, "cache").unwrap(), Vec::<String>::new());
        // read whole: every output may be used
        assert_eq!(read("a = values(module.db)\n", "db"), None);
        assert_eq!(read("a = module.db[\"endpoint\"]\n", "db"), None);
        // read whole anywhere: whichever comes first
        assert_eq!(read("a = module.db.port\nb = module.db[0]\n", "db"), None);
        assert_eq!(read("a = module.db[0]\nb = module.db.port\n", "db"), None);
        // every mention counts, one run into another included
        let text = "a = module.module.db.port\nb = module.db.host\n";
        assert_eq!(read(text, "db").unwrap(), ["host", "port"]);
        assert_eq!(read(text, "module").unwrap(), ["db"]);
    }
}
