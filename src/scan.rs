//! The scan pipeline: discover → read → parse → evaluate → locate, in
//! parallel, one work item per file or Terraform module. Every failure along
//! the way becomes a finding or a diagnostic; nothing stops the other files.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::discover::{self, Discovered, FileKind, Module};
use crate::document::{Document, ParseError, Parsed, SourceFile};
use crate::engine::{Engines, PolicyError, RuleError};
use crate::finding::{Finding, Severity};
use crate::parse;

/// Files larger than this are not parsed by default (configurable): memory
/// stays bounded whatever lands in a repository.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 64 * 1024 * 1024;

/// What to scan and how.
#[derive(Clone, Debug)]
pub struct ScanOptions {
    pub paths: Vec<PathBuf>,
    pub discover: discover::Options,
    pub terraform: parse::terraform::Options,
    pub max_file_size: u64,
    /// Show a progress line on stderr while a long scan runs (the CLI sets
    /// it when stderr is a terminal).
    pub progress: bool,
    /// The name `-` (standard input) is given in `paths` as: classifies the
    /// stream and names it in reports (ruff's `--stdin-filename`). Without
    /// it the content decides what the stream is.
    pub stdin_filename: Option<PathBuf>,
    /// The process ends right after this scan (the CLI): the module cache,
    /// a scan's largest structure (every parsed Terraform file), is left
    /// for the operating system to take back at exit instead of being freed
    /// node by node, about 1% of a scan's instructions on the real corpus
    /// (BENCHMARKS.md, "Stop 26"). The language server scans again and
    /// again, so it frees it.
    pub exits_after: bool,
}

/// The path that names standard input on the command line
/// (`helm template . | driftless scan -`).
pub const STDIN_PATH: &str = "-";

/// How an unnamed standard input stream is shown in reports.
pub const STDIN_DISPLAY_NAME: &str = "stdin";

impl Default for ScanOptions {
    fn default() -> Self {
        ScanOptions {
            paths: vec![PathBuf::from(".")],
            discover: discover::Options::default(),
            terraform: parse::terraform::Options::default(),
            max_file_size: DEFAULT_MAX_FILE_SIZE,
            progress: false,
            stdin_filename: None,
            exits_after: false,
        }
    }
}

/// Sets its flag when dropped, on success or unwinding alike.
struct FinishOnDrop<'a>(&'a std::sync::atomic::AtomicBool);

impl Drop for FinishOnDrop<'_> {
    fn drop(&mut self) {
        self.0.store(true, std::sync::atomic::Ordering::Relaxed);
    }
}

/// A progress line on stderr (`scanning 1234/10000 files and modules`),
/// redrawn a few times a second. It appears only once a scan has run for
/// a moment, so quick scans (pre-commit, one file) print nothing, and it is
/// erased when the scan ends.
struct Progress {
    done: std::sync::atomic::AtomicUsize,
    finished: std::sync::atomic::AtomicBool,
    total: usize,
}

impl Progress {
    const DELAY: Duration = Duration::from_millis(400);
    const TICK: Duration = Duration::from_millis(100);

    fn run(&self) {
        use std::io::Write;
        use std::sync::atomic::Ordering;
        let started = Instant::now();
        let mut drawn = false;
        while !self.finished.load(Ordering::Relaxed) {
            std::thread::sleep(Self::TICK);
            if started.elapsed() < Self::DELAY {
                continue;
            }
            let done = self.done.load(Ordering::Relaxed);
            let mut err = std::io::stderr().lock();
            let _ = write!(
                err,
                "\r\x1b[2Kscanning {done}/{} files and modules",
                self.total
            );
            let _ = err.flush();
            drawn = true;
        }
        if drawn {
            let _ = write!(std::io::stderr().lock(), "\r\x1b[2K");
        }
    }
}

/// Where the time went, for `--timings`.
#[derive(Clone, Debug, Default)]
pub struct Timings {
    pub discover: Duration,
    /// Wall time of the parallel read+parse+evaluate stage.
    pub analyse: Duration,
    /// Time spent reading and parsing, per format (`terraform`,
    /// `dockerfile`, `yaml`, `json`), summed over worker threads.
    pub parse: BTreeMap<&'static str, Duration>,
    /// Time spent evaluating rules, per document kind, summed over worker
    /// threads.
    pub evaluate: BTreeMap<&'static str, Duration>,
}

impl Timings {
    /// Read+parse time of all formats.
    pub fn parse_total(&self) -> Duration {
        self.parse.values().sum()
    }

    /// Evaluation time of all kinds.
    pub fn evaluate_total(&self) -> Duration {
        self.evaluate.values().sum()
    }

    fn merge(&mut self, other: &Timings) {
        for (k, v) in &other.parse {
            *self.parse.entry(k).or_default() += *v;
        }
        for (k, v) in &other.evaluate {
            *self.evaluate.entry(k).or_default() += *v;
        }
    }
}

/// Everything a scan found, before filtering and reporting.
#[derive(Debug, Default)]
pub struct ScanResult {
    pub findings: Vec<Finding>,
    pub rule_errors: Vec<RuleError>,
    pub policy_errors: Vec<PolicyError>,
    pub files: usize,
    pub documents: usize,
    pub timings: Timings,
    /// The files rules ran on (where findings can be reported): inline
    /// suppressions are read from them, and unused ones reported.
    pub sources: Vec<Arc<SourceFile>>,
    /// Kubernetes objects' `driftless.io/ignore` annotations, taken from the
    /// documents before evaluation consumes their input.
    pub annotations: Vec<crate::suppress::Annotation>,
    /// Given paths that yielded no file to scan ([`Discovered::empty`]).
    pub empty_paths: Vec<PathBuf>,
}

/// One unit of parallel work.
enum Item<'a> {
    File(&'a Path, FileKind),
    Module(Box<ParsedModule<'a>>),
}

/// A Terraform module read and parsed, waiting to be evaluated. Every
/// module is parsed before any is evaluated, so that a module another one
/// calls by a local path is known to be a child ([`parse::terraform::mark_children`]).
struct ParsedModule<'a> {
    dir: &'a Path,
    parsed: Parsed,
    /// The module's files, kept when it calls local modules: its children
    /// are evaluated in the evaluation step, one document at a time.
    sources: Option<Vec<Arc<SourceFile>>>,
    /// Files that could not be read.
    read_errors: Vec<ParseError>,
    /// The `root` of a module composed in the evaluation step, as
    /// [`parse::terraform::mark_children`] set it.
    root: Option<serde_json::Value>,
    /// The module's result when it was evaluated in the parse step: a
    /// module that calls no local module is evaluated and its document
    /// dropped at once instead of being held until every module is parsed.
    evaluated: Option<ScanResult>,
    /// The module was evaluated in the parse step as a root (a provider,
    /// backend or variable file): should another module call it, that
    /// result is dropped and the module parsed again as a child.
    evaluated_as_root: bool,
    /// Parse the module again in the evaluation step and evaluate it as a
    /// child: it was evaluated as a root before the roles were known.
    reparse: bool,
    module: &'a Module,
    files: usize,
    requested: Option<&'a std::collections::BTreeSet<PathBuf>>,
    parse_time: Duration,
}

/// Runs discovery, parsing and evaluation over `options.paths`.
pub fn scan(options: &ScanOptions, engines: &Engines) -> ScanResult {
    let started = Instant::now();
    let (stdin, paths): (Vec<&PathBuf>, Vec<&PathBuf>) = options
        .paths
        .iter()
        .partition(|p| p.as_os_str() == STDIN_PATH);
    let paths: Vec<PathBuf> = paths.into_iter().cloned().collect();
    let found = discover::discover(&paths, &options.discover);
    let discover_time = started.elapsed();
    let mut result = analyse(&found, options, engines);
    result.empty_paths = found.empty;
    if !stdin.is_empty() {
        let text = read_stdin(&mut std::io::stdin().lock(), options.max_file_size);
        if text.as_ref().is_ok_and(|t| t.trim().is_empty()) {
            // `helm template` failed upstream in the pipe: nothing was
            // checked, which must not look like a pass.
            result.empty_paths.push(PathBuf::from(STDIN_PATH));
        } else {
            result.absorb(scan_stream(text, options, &mut engines.worker()));
            result.files += 1;
            result
                .findings
                .sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        }
    }
    result.timings.discover = discover_time;
    result
}

/// Reads standard input whole, bounded like a file (`max_file_size`), and
/// decoded like one. The error is the message of a `PARSE001`.
pub fn read_stdin(input: &mut impl std::io::Read, max_size: u64) -> Result<String, String> {
    use std::io::Read as _;
    let max_size = max_size.min(u64::from(u32::MAX));
    let mut bytes = Vec::new();
    std::io::Read::take(input, max_size.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read standard input: {e}"))?;
    if bytes.len() as u64 > max_size {
        return Err(format!(
            "standard input is over the {} limit (`max_file_size` in .driftless.yaml, `--max-file-size`)",
            human_size(max_size)
        ));
    }
    decode(&bytes).ok_or_else(|| {
        "standard input is not text (binary content or an unsupported encoding)".to_owned()
    })
}

/// Parses and evaluates one stream read from standard input: named by
/// `--stdin-filename` (which also classifies it, as a file of that name
/// would be), else by its content ([`stream_kind`]). Spans are lines of
/// the stream.
pub fn scan_stream(
    text: Result<String, String>,
    options: &ScanOptions,
    worker: &mut crate::engine::Worker,
) -> ScanResult {
    let name = options
        .stdin_filename
        .clone()
        .unwrap_or_else(|| PathBuf::from(STDIN_DISPLAY_NAME));
    let text = match text {
        Ok(text) => text,
        Err(message) => {
            let empty = Arc::new(SourceFile::new(&name, String::new()));
            return evaluate(Parsed::error(ParseError::at(&empty, 0, message)), worker);
        }
    };
    let named_kind = options
        .stdin_filename
        .as_deref()
        .and_then(discover::classify);
    let kind = match named_kind {
        Some(FileKind::Terraform | FileKind::TerraformVars) | None => stream_kind(&text),
        Some(kind) => kind,
    };
    analyse_source(
        &Arc::new(SourceFile::new(name, text)),
        kind,
        crate::document::Role::Object,
        worker,
    )
}

/// What an unnamed stream is, by its content: a JSON stream (a plan from
/// `terraform show -json`, or manifests) when it starts with `{`, a
/// Dockerfile when its first instruction is `FROM` or `ARG` (comments and
/// parser directives before it), else YAML (`kustomize build`,
/// `helm template`). Terraform HCL is not read from a stream: a module is a
/// directory.
pub fn stream_kind(text: &str) -> FileKind {
    if text.trim_start().starts_with('{') {
        return FileKind::Json;
    }
    let first_instruction = text
        .lines()
        .map(str::trim)
        .find(|line| !line.is_empty() && !line.starts_with('#'));
    let word = first_instruction
        .and_then(|line| line.split_whitespace().next())
        .unwrap_or_default()
        .to_ascii_uppercase();
    if word == "FROM" || word == "ARG" {
        FileKind::Dockerfile
    } else {
        FileKind::Yaml
    }
}

/// What to say about given paths that yielded no file to scan: an error
/// when the user named them, a warning for the default `.` (a repository
/// without infrastructure files yet, like ruff's "No Python files found").
pub fn nothing_to_scan(empty: &[PathBuf]) -> Option<String> {
    let list: Vec<String> = empty
        .iter()
        .map(|p| match p.as_os_str() == STDIN_PATH {
            true => "standard input (an empty stream)".to_owned(),
            false => p.display().to_string(),
        })
        .collect();
    (!list.is_empty()).then(|| {
        format!(
            "nothing to scan in {}: no Terraform, Dockerfile, YAML or JSON file there (files are chosen by name; see `exclude` in the config and .gitignore)",
            list.join(", ")
        )
    })
}

/// Reads, parses and evaluates discovered files in parallel.
pub fn analyse(found: &Discovered, options: &ScanOptions, engines: &Engines) -> ScanResult {
    let started = Instant::now();
    let module_dirs: std::collections::HashSet<PathBuf> = found
        .modules
        .keys()
        .map(|d| parse::terraform::normalise(d))
        .collect();
    // `written_here` drops what child instances report in these directories
    let cache = parse::terraform::ModuleCache::for_scan(module_dirs.iter().cloned());
    let modules = parse_modules(found, options, &cache, engines);
    let patches = kustomize_patches(found, options);
    let items: Vec<Item> = found
        .files
        .iter()
        .map(|(p, k)| Item::File(p, *k))
        .chain(modules.into_iter().map(|m| Item::Module(Box::new(m))))
        .collect();
    let progress = Progress {
        done: Default::default(),
        finished: Default::default(),
        total: items.len(),
    };
    let partials: Vec<ScanResult> = std::thread::scope(|scope| {
        if options.progress {
            scope.spawn(|| progress.run());
        }
        // Stops the progress thread even if a worker panics (the scope
        // waits for it before passing the panic on).
        let _finish = FinishOnDrop(&progress.finished);
        items
            .into_par_iter()
            .map_init(
                || engines.worker(),
                |worker, item| {
                    let out = process(item, options, &module_dirs, &patches, &cache, worker);
                    progress
                        .done
                        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    out
                },
            )
            .collect()
    });
    let mut result = ScanResult::default();
    for (path, message) in &found.errors {
        result.findings.push(file_problem(path, message));
    }
    for part in partials {
        result.findings.extend(part.findings);
        result.rule_errors.extend(part.rule_errors);
        result.policy_errors.extend(part.policy_errors);
        result.files += part.files;
        result.documents += part.documents;
        result.sources.extend(part.sources);
        result.annotations.extend(part.annotations);
        result.timings.merge(&part.timings);
    }
    result.policy_errors.extend(engines.load_errors());
    result.policy_errors.sort_by_key(|e| e.to_string());
    result.policy_errors.dedup();
    if options.exits_after {
        std::mem::forget(cache);
    }
    result
        .findings
        .sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    drop_repeats(&mut result.findings);
    result.timings.analyse = started.elapsed();
    result
}

/// The Kustomize patch files among the YAML and JSON files found (absolute,
/// normalised), read from the kustomizations beside them or above them
/// before any file is parsed, so their documents are marked as patches.
fn kustomize_patches(
    found: &Discovered,
    options: &ScanOptions,
) -> std::collections::HashSet<PathBuf> {
    let manifests = found
        .files
        .iter()
        .filter(|(_, kind)| matches!(kind, FileKind::Yaml | FileKind::Json))
        .map(|(path, _)| path.as_path());
    parse::kustomize::patch_set(manifests, options.max_file_size)
}

fn process(
    item: Item,
    options: &ScanOptions,
    module_dirs: &std::collections::HashSet<PathBuf>,
    patches: &std::collections::HashSet<PathBuf>,
    cache: &parse::terraform::ModuleCache,
    worker: &mut crate::engine::Worker,
) -> ScanResult {
    let _on = crate::memory::working_on(match &item {
        Item::File(path, _) => path.display().to_string(),
        Item::Module(module) => format!("Terraform module {}", module.dir.display()),
    });
    let mut module = match item {
        Item::File(path, kind) => {
            let role = if !patches.is_empty() && patches.contains(&crate::repo::normalize(path)) {
                crate::document::Role::Patch
            } else {
                crate::document::Role::Object
            };
            return analyse_file(path, kind, role, options, worker);
        }
        Item::Module(module) => *module,
    };
    let composed = Instant::now();
    let mut out = evaluate_module(&mut module, options, cache, worker);
    let compose_time = composed
        .elapsed()
        .saturating_sub(out.timings.evaluate_total());
    one_per_place(&mut out.findings);
    written_here(&mut out, module.dir, module_dirs);
    if let Some(requested) = module.requested {
        out.findings.retain(|f| named_or_sourced(f, requested));
        out.sources.retain(|f| requested.contains(&f.path));
    }
    out.files = module.files;
    out.timings
        .parse
        .insert("terraform", module.parse_time + compose_time);
    out
}

/// Evaluates a module's documents. A module that calls local modules is
/// composed here: each child instance's document is evaluated and dropped
/// as soon as it is built, so memory holds one instance at a time; the
/// module's own document keeps the role the parse step gave it.
fn evaluate_module(
    module: &mut ParsedModule,
    options: &ScanOptions,
    cache: &parse::terraform::ModuleCache,
    worker: &mut crate::engine::Worker,
) -> ScanResult {
    if let Some(out) = module.evaluated.take() {
        return out;
    }
    if module.reparse {
        return reevaluate_as_child(module, options, cache, worker);
    }
    let mut first = std::mem::take(&mut module.parsed);
    let mut read_errors = std::mem::take(&mut module.read_errors);
    let Some(sources) = module.sources.take() else {
        first.errors.append(&mut read_errors);
        return evaluate(first, worker);
    };
    let root = module.root.take();
    drop(first);
    let mut seen = std::collections::HashSet::new();
    let mut out = ScanResult::default();
    let mut own = parse::terraform::compose_module(
        module.dir,
        &sources,
        &options.terraform,
        cache,
        &mut |child| {
            out.absorb(evaluate_part(child, worker, &mut seen));
        },
    );
    own.errors.append(&mut read_errors);
    for doc in &mut own.documents {
        if let (Some(root), Some(slot)) = (&root, doc.input.get_mut("root")) {
            *slot = root.clone();
        }
    }
    out.absorb(evaluate_part(own, worker, &mut seen));
    out
}

/// Parses a module evaluated as a root in the parse step again, and
/// evaluates it as the child another module's call made it (`"root":
/// false`). Rare: a module with its own provider block that is also
/// called by a local path.
fn reevaluate_as_child(
    module: &ParsedModule,
    options: &ScanOptions,
    cache: &parse::terraform::ModuleCache,
    worker: &mut crate::engine::Worker,
) -> ScanResult {
    let (sources, mut read_errors) = read_module(module.module, options.max_file_size);
    let mut own =
        parse::terraform::parse_own_module(module.dir, &sources, &options.terraform, cache);
    for doc in &mut own.documents {
        if let Some(root) = doc.input.get_mut("root") {
            *root = serde_json::Value::Bool(false);
        }
    }
    own.errors.append(&mut read_errors);
    evaluate(own, worker)
}

/// Whether a finding of a module named file by file (pre-commit passes the
/// staged files) is shown: it is located in a named file, or the value it
/// is about is written in one (a staged `variables.tf` or
/// `terraform.tfvars` that sets a default to `latest` shows the finding in
/// `main.tf`, and only the findings it causes).
pub fn named_or_sourced(f: &Finding, requested: &std::collections::BTreeSet<PathBuf>) -> bool {
    let named = |path: &Path| requested.iter().any(|r| r == path);
    named(&f.file.path) || f.sources.iter().any(|s| named(&s.file.path))
}

/// The same finding twice (a bound a child module hits, seen from each
/// module that calls it) is reported once.
fn drop_repeats(findings: &mut Vec<Finding>) {
    let mut seen = std::collections::HashSet::new();
    findings.retain(|f| {
        seen.insert((
            f.rule_id.clone(),
            f.file.path.clone(),
            f.start,
            f.end,
            f.message.clone(),
        ))
    });
}

/// One finding per rule and written value: the instances of one block
/// (`count`, `for_each`) that share a literal report it once, at it.
fn one_per_place(findings: &mut Vec<Finding>) {
    let place = |f: &Finding| (f.file.path.clone(), f.start, f.end, f.rule_id.clone());
    findings.sort_by_cached_key(place);
    findings.dedup_by(|a, b| place(a) == place(b));
}

/// Keeps what a module's child instances report in files of other scanned
/// modules out: those modules' own documents report it (with their own
/// defaults); only values written in this module, or in a child that is not
/// scanned, are this module's findings.
fn written_here(
    out: &mut ScanResult,
    dir: &Path,
    module_dirs: &std::collections::HashSet<PathBuf>,
) {
    let own = parse::terraform::normalise(dir);
    out.findings.retain(|f| {
        if crate::rules::fails_closed(&f.rule_id) {
            // a cycle or an unreadable child is only seen from a caller
            return true;
        }
        let parent = parse::terraform::normalise(f.file.path.parent().unwrap_or(Path::new("")));
        parent == own || !module_dirs.contains(&parent)
    });
}

/// Reads and parses every Terraform module in parallel, then marks the
/// modules other modules call as children. A module that calls no local
/// module is evaluated as it is parsed
/// ([`ParsedModule::evaluated`]), so memory holds no document between the
/// steps; one evaluated as a root that another module calls is parsed again
/// in the evaluation step.
fn parse_modules<'a>(
    found: &'a Discovered,
    options: &ScanOptions,
    cache: &parse::terraform::ModuleCache,
    engines: &Engines,
) -> Vec<ParsedModule<'a>> {
    let mut modules: Vec<ParsedModule> = found
        .modules
        .par_iter()
        .map_init(
            || engines.worker(),
            |worker, (dir, module)| {
                let _on =
                    crate::memory::working_on(format_args!("Terraform module {}", dir.display()));
                parse_module(dir, module, options, cache, worker)
            },
        )
        .collect();
    let mut docs: Vec<(&Path, &mut Vec<Document>)> = modules
        .iter_mut()
        .map(|m| (m.dir, &mut m.parsed.documents))
        .collect();
    let called = parse::terraform::mark_children(&mut docs);
    for m in modules.iter_mut().filter(|m| m.evaluated_as_root) {
        if called.contains(&parse::terraform::normalise(m.dir)) {
            m.evaluated = None;
            m.reparse = true;
        }
    }
    // the evaluation step parses only called and composing modules again
    let mut parsed_again = called;
    parsed_again.extend(
        modules
            .iter()
            .filter(|m| m.sources.is_some())
            .map(|m| parse::terraform::normalise(m.dir)),
    );
    cache.keep_only(&parsed_again);
    for m in modules.iter_mut().filter(|m| m.sources.is_some()) {
        // composed again in the evaluation step: only the role is kept
        m.root = m
            .parsed
            .documents
            .first()
            .and_then(|d| d.input.get("root").cloned());
        m.parsed.documents.clear();
    }
    modules
}

/// Reads and parses one module's own document; its local children are
/// evaluated later, in [`evaluate_module`]. A module that calls no local
/// module is evaluated here and its document dropped.
fn parse_module<'a>(
    dir: &'a Path,
    module: &'a Module,
    options: &ScanOptions,
    cache: &parse::terraform::ModuleCache,
    worker: &mut crate::engine::Worker,
) -> ParsedModule<'a> {
    let started = Instant::now();
    let (sources, mut read_errors) = read_module(module, options.max_file_size);
    let mut parsed = parse::terraform::parse_own_module(dir, &sources, &options.terraform, cache);
    let composes = parsed
        .documents
        .first()
        .is_some_and(parse::terraform::has_local_calls);
    let evaluated_as_root = !composes && !role_is_settled(&parsed.documents);
    let evaluated = (!composes).then(|| {
        let mut own = std::mem::take(&mut parsed);
        own.errors.append(&mut read_errors);
        evaluate(own, worker)
    });
    let evaluate_time = evaluated
        .as_ref()
        .map_or(Duration::ZERO, |e| e.timings.evaluate_total());
    ParsedModule {
        dir,
        parsed,
        sources: composes.then_some(sources),
        read_errors,
        root: None,
        evaluated,
        evaluated_as_root,
        reparse: false,
        module,
        files: module.files.len(),
        requested: module.requested.as_ref(),
        parse_time: started.elapsed().saturating_sub(evaluate_time),
    }
}

/// Whether [`parse::terraform::mark_children`] cannot change a module's
/// documents: it only turns `"root": true` into `false`, so documents that
/// already say `false` (no provider, backend or variable file) are final.
fn role_is_settled(documents: &[Document]) -> bool {
    documents
        .iter()
        .all(|d| d.input.get("root").and_then(serde_json::Value::as_bool) == Some(false))
}

/// Reads, parses and evaluates one non-Terraform file. YAML and JSON are
/// evaluated document by document as the parser produces them, so memory
/// holds the file's text and one document, not every object of a large
/// multi-document manifest at once.
fn analyse_file(
    path: &Path,
    kind: FileKind,
    role: crate::document::Role,
    options: &ScanOptions,
    worker: &mut crate::engine::Worker,
) -> ScanResult {
    let started = Instant::now();
    let mut out = match read_source(path, kind, options.max_file_size) {
        Ok(None) => ScanResult::default(),
        Err(err) => evaluate(Parsed::error(err), worker),
        Ok(Some(file)) => analyse_source(&file, kind, role, worker),
    };
    out.files = 1;
    let parse_time = started
        .elapsed()
        .saturating_sub(out.timings.evaluate_total());
    out.timings.parse.insert(format_name(kind), parse_time);
    out
}

/// Parses and evaluates text already read, YAML and JSON document by
/// document.
fn analyse_source(
    file: &Arc<SourceFile>,
    kind: FileKind,
    role: crate::document::Role,
    worker: &mut crate::engine::Worker,
) -> ScanResult {
    let mut out = ScanResult::default();
    let mut seen = std::collections::HashSet::new();
    let mut absorb = |mut part: Parsed| {
        for doc in &mut part.documents {
            doc.role = role;
        }
        out.absorb(evaluate_part(part, worker, &mut seen))
    };
    match kind {
        FileKind::Yaml => parse::for_each_yaml(file, &mut absorb),
        FileKind::Json => parse::for_each_json(file, &mut absorb),
        _ => absorb(parse_source(file, kind)),
    }
    out
}

impl ScanResult {
    /// Adds the result of one part of a file.
    fn absorb(&mut self, part: ScanResult) {
        self.findings.extend(part.findings);
        self.rule_errors.extend(part.rule_errors);
        self.policy_errors.extend(part.policy_errors);
        self.documents += part.documents;
        self.sources.extend(part.sources);
        self.annotations.extend(part.annotations);
        self.timings.merge(&part.timings);
    }
}

fn format_name(kind: FileKind) -> &'static str {
    match kind {
        FileKind::Dockerfile => "dockerfile",
        FileKind::Yaml => "yaml",
        FileKind::Json => "json",
        FileKind::Terraform | FileKind::TerraformVars => "terraform",
    }
}

/// Evaluates parsed documents and turns parse errors into `PARSE001`.
pub fn evaluate(parsed: Parsed, worker: &mut crate::engine::Worker) -> ScanResult {
    evaluate_part(parsed, worker, &mut std::collections::HashSet::new())
}

/// [`evaluate`] for one part of a file evaluated in parts: `seen` holds the
/// files already listed in the result, so each file's text is searched once
/// ([`retained_source`]), not once per document.
fn evaluate_part(
    parsed: Parsed,
    worker: &mut crate::engine::Worker,
    seen: &mut std::collections::HashSet<*const SourceFile>,
) -> ScanResult {
    let mut out = ScanResult::default();
    out.findings.extend(capped_per_file(parsed.errors));
    for mut doc in parsed.documents {
        out.documents += 1;
        let started = Instant::now();
        for file in &doc.files {
            if seen.insert(Arc::as_ptr(file)) {
                out.sources.push(retained_source(file));
            }
        }
        out.annotations.extend(crate::suppress::annotation(&doc));
        evaluate_document(&mut doc, worker, &mut out);
        // Dropping the document is part of its cost.
        let kind = doc.kind.as_str();
        drop(doc);
        *out.timings.evaluate.entry(kind).or_default() += started.elapsed();
    }
    out
}

fn evaluate_document(doc: &mut Document, worker: &mut crate::engine::Worker, out: &mut ScanResult) {
    match worker.evaluate(doc) {
        Ok(eval) => {
            out.findings.extend(eval.findings);
            out.rule_errors.extend(eval.errors);
        }
        Err(e) => out.policy_errors.push(e),
    }
}

/// What the scan result keeps of a document's file. The gate needs every
/// scanned path (baseline scope) but the text only of files that can hold a
/// suppression comment (`suppress::candidates` skips files without
/// "driftless"); the others are kept as their path alone, so memory grows
/// with the findings, not with the size of the repository.
fn retained_source(file: &Arc<SourceFile>) -> Arc<SourceFile> {
    if file.text.contains("driftless") {
        file.clone()
    } else {
        Arc::new(SourceFile::new(file.path.clone(), String::new()))
    }
}

/// Reads and parses one non-Terraform file.
pub fn parse_file(path: &Path, kind: FileKind, max_size: u64) -> Parsed {
    let file = match read_source(path, kind, max_size) {
        Ok(Some(file)) => file,
        Ok(None) => return Parsed::default(),
        Err(err) => return Parsed::error(err),
    };
    parse_source(&file, kind)
}

/// Parses text already in memory (the language server's buffers).
pub fn parse_source(file: &Arc<SourceFile>, kind: FileKind) -> Parsed {
    match kind {
        FileKind::Dockerfile => parse::dockerfile(file),
        FileKind::Yaml => parse::yaml(file),
        FileKind::Json => parse::json(file),
        FileKind::Terraform | FileKind::TerraformVars => Parsed::default(),
    }
}

fn read_module(module: &Module, max_size: u64) -> (Vec<Arc<SourceFile>>, Vec<ParseError>) {
    let mut sources = Vec::new();
    let mut errors = Vec::new();
    for path in &module.files {
        let kind = discover::classify(path).unwrap_or(FileKind::Terraform);
        match read_source(path, kind, max_size) {
            Ok(Some(file)) => sources.push(file),
            Ok(None) => {}
            Err(e) => errors.push(e),
        }
    }
    (sources, errors)
}

/// Reads a file as text. Returns `Ok(None)` for files that turn out not to
/// be ours (an oversized or binary `.json` that is not infrastructure), and
/// an error for files that are ours but cannot be read: those must fail the
/// gate rather than pass unchecked.
pub fn read_source(
    path: &Path,
    kind: FileKind,
    max_size: u64,
) -> Result<Option<Arc<SourceFile>>, ParseError> {
    // spans are 32-bit byte offsets: no cap lets a file outgrow them
    let max_size = max_size.min(u64::from(u32::MAX));
    let empty = || Arc::new(SourceFile::new(path, String::new()));
    let fail = |e: std::io::Error| ParseError::at(&empty(), 0, format!("cannot read file: {e}"));
    let meta = std::fs::metadata(path).map_err(fail)?;
    if !meta.is_file() {
        // a FIFO or device swapped in after discovery: opening could block
        return Err(ParseError::at(&empty(), 0, "not a regular file"));
    }
    if meta.len() > max_size {
        if matches!(kind, FileKind::Json | FileKind::Yaml) && !file_looks_like_ours(path) {
            return Ok(None);
        }
        return Err(ParseError::at(
            &empty(),
            0,
            format!(
                "file is {}, over the {} limit (`max_file_size` in .driftless.yaml, `--max-file-size`)",
                human_size(meta.len()),
                human_size(max_size)
            ),
        ));
    }
    // `take` keeps memory bounded even if the file grew since `metadata`.
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    std::fs::File::open(path)
        .and_then(|f| {
            std::io::Read::read_to_end(
                &mut std::io::Read::take(f, max_size.saturating_add(1)),
                &mut bytes,
            )
        })
        .map_err(fail)?;
    if bytes.len() as u64 > max_size {
        return Err(ParseError::at(
            &empty(),
            0,
            format!(
                "file grew past the {} limit while being read",
                human_size(max_size)
            ),
        ));
    }
    match decode_owned(bytes) {
        Ok(text) => Ok(Some(Arc::new(SourceFile::new(path, text)))),
        Err(bytes) if kind == FileKind::Json && !looks_like_ours(&bytes) => Ok(None),
        Err(_) => Err(ParseError::at(
            &empty(),
            0,
            "file is not text (binary content or an unsupported encoding)",
        )),
    }
}

/// Decodes UTF-8 (BOM stripped) and UTF-16 with a BOM; rejects binary
/// content (NUL bytes or invalid UTF-8).
pub fn decode(bytes: &[u8]) -> Option<String> {
    decode_owned(bytes.to_vec()).ok()
}

/// [`decode`] of bytes read for it: plain UTF-8, the common case, becomes
/// the text without a copy. The bytes come back when they are not text.
fn decode_owned(bytes: Vec<u8>) -> Result<String, Vec<u8>> {
    let text = |bytes: Vec<u8>| String::from_utf8(bytes).map_err(|e| e.into_bytes());
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return text(rest.to_vec()).map_err(|_| bytes);
    }
    let utf16 = |le: bool, rest: &[u8]| {
        let units: Vec<u16> = rest
            .chunks_exact(2)
            .map(|c| {
                if le {
                    u16::from_le_bytes([c[0], c[1]])
                } else {
                    u16::from_be_bytes([c[0], c[1]])
                }
            })
            .collect();
        String::from_utf16(&units).ok()
    };
    let decoded = if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        utf16(true, rest)
    } else if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        utf16(false, rest)
    } else if bytes.contains(&0) {
        None
    } else {
        return text(bytes);
    };
    decoded.ok_or(bytes)
}

/// `64 MB` for whole or large sizes, else exact bytes (`2010 bytes`), so a
/// message never says "1 MB, over the 1 MB limit".
fn human_size(bytes: u64) -> String {
    if bytes >= 10 << 20 || (bytes > 0 && bytes.is_multiple_of(1 << 20)) {
        format!("{} MB", bytes >> 20)
    } else {
        format!("{bytes} bytes")
    }
}

/// Bytes read at a time when an oversized file is searched for what makes
/// it ours.
const CHUNK: usize = 1 << 20;

/// Longer than any marker [`Markers`] looks for, so none is missed where
/// two chunks meet.
const OVERLAP: usize = 64;

/// Whether an oversized `.json`/`.yaml` may be ours, searching the whole
/// file in bounded chunks: a file may open with any amount of comments or
/// data before its `apiVersion`, so no fixed-size prefix decides. A file
/// that cannot be read is assumed to be ours (it is then reported).
fn file_looks_like_ours(path: &Path) -> bool {
    use std::io::Read;
    let Ok(mut f) = std::fs::File::open(path) else {
        return true;
    };
    let mut markers = Markers::default();
    let mut buf = vec![0u8; CHUNK + OVERLAP];
    let mut kept = 0;
    loop {
        let n = match f.read(&mut buf[kept..]) {
            Ok(0) => return markers.ours(),
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(_) => return true,
        };
        let filled = kept + n;
        markers.see(&buf[..filled]);
        if markers.ours() {
            return true;
        }
        kept = filled.min(OVERLAP);
        buf.copy_within(filled - kept..filled, 0);
    }
}

/// What a `.json`/`.yaml` file's text says about being ours.
#[derive(Default)]
struct Markers {
    api_version: bool,
    kind: bool,
    plan: bool,
}

impl Markers {
    /// Notes the markers in `bytes` (any ASCII-compatible encoding, or
    /// UTF-16, whose NUL bytes are dropped).
    fn see(&mut self, bytes: &[u8]) {
        let lossy = String::from_utf8_lossy(bytes);
        let text = if lossy.contains('\0') {
            Cow::Owned(lossy.replace('\0', ""))
        } else {
            lossy
        };
        self.api_version |= parse::kubernetes::could_mention(&text, "apiVersion");
        self.kind |= parse::kubernetes::could_mention(&text, "kind");
        self.plan |= text.contains("\"format_version\"");
    }

    /// A Kubernetes object or a Terraform plan may be in the file.
    fn ours(&self) -> bool {
        (self.api_version && self.kind) || self.plan
    }
}

/// Whether a `.json`/`.yaml` file's content names a Kubernetes object or a
/// Terraform plan (in any ASCII-compatible encoding, or UTF-16), anywhere
/// in it.
fn looks_like_ours(bytes: &[u8]) -> bool {
    let mut markers = Markers::default();
    markers.see(bytes);
    markers.ours()
}

/// How many `EVAL001` diagnostics one file reports one by one: a hostile
/// file can hold tens of thousands of places over a bound (a 1 MB
/// Dockerfile, one oversized word each), and the report must stay readable
/// and small. The rest are counted in one more diagnostic.
pub const MAX_INCOMPLETE_PER_FILE: usize = 10;

/// The findings of a stage's diagnostics, with at most
/// [`MAX_INCOMPLETE_PER_FILE`] `EVAL001` per file in the order the stage
/// raised them, plus one `EVAL001` at the last of the others that says how
/// many more there are: the gate fails either way, and every file keeps a
/// located diagnostic. `PARSE001` is never capped (a file has one).
pub fn capped_per_file(errors: Vec<ParseError>) -> Vec<Finding> {
    let mut reported: std::collections::HashMap<PathBuf, usize> = Default::default();
    let mut left_out: Vec<(ParseError, usize)> = Vec::new();
    let mut out = Vec::new();
    for err in errors {
        if err.problem != crate::document::Problem::Incomplete {
            out.push(parse_finding(err));
            continue;
        }
        let count = reported.entry(err.file.path.clone()).or_default();
        *count += 1;
        if *count <= MAX_INCOMPLETE_PER_FILE {
            out.push(parse_finding(err));
            continue;
        }
        match left_out
            .iter_mut()
            .find(|(last, _)| last.file.path == err.file.path)
        {
            Some(slot) => *slot = (err, slot.1 + 1),
            None => left_out.push((err, 1)),
        }
    }
    out.extend(left_out.into_iter().map(|(mut last, more)| {
        last.message = format!(
            "{more} more places in this file could not be evaluated or bounded (only the first {MAX_INCOMPLETE_PER_FILE} are reported one by one); the last of them: {}",
            last.message
        );
        parse_finding(last)
    }));
    out
}

/// A `PARSE001` or `EVAL001` finding from a stage's diagnostic.
pub fn parse_finding(err: ParseError) -> Finding {
    Finding {
        rule_id: err.problem.rule_id().to_string(),
        severity: Severity::Error,
        message: err.message,
        file: err.file,
        start: err.start,
        end: err.end,
        kind: None,
        document: String::new(),
        json_path: String::new(),
        suppression: None,
        related: Vec::new(),
        identity: None,
        sources: Vec::new(),
    }
}

/// A `PARSE001` finding for a path that could not be read at all.
fn file_problem(path: &Path, message: &str) -> Finding {
    parse_finding(ParseError::at(
        &Arc::new(SourceFile::new(path, String::new())),
        0,
        format!("cannot read: {message}"),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_module_that_calls_no_local_module_is_evaluated_as_it_is_parsed() {
        let tmp = tempfile::tempdir().unwrap();
        let write = |path: &str, text: &str| {
            let file = tmp.path().join(path);
            std::fs::create_dir_all(file.parent().unwrap()).unwrap();
            std::fs::write(file, text).unwrap();
        };
        write(
            "child/main.tf",
            "resource \"aws_instance\" \"a\" {\n  key_name = \"k\"\n}\n",
        );
        write("root/main.tf", "provider \"aws\" {}\n");
        let options = ScanOptions {
            paths: vec![tmp.path().to_path_buf()],
            ..ScanOptions::default()
        };
        let found = discover::discover(&options.paths, &options.discover);
        let (set, _) = crate::engine::PolicySet::load(Vec::new());
        let engines = Engines::new(Arc::new(set), Default::default());
        let cache = parse::terraform::ModuleCache::default();
        let modules = parse_modules(&found, &options, &cache, &engines);
        assert_eq!(modules.len(), 2);
        for module in &modules {
            // neither calls a module: both evaluated, no document held
            assert!(module.evaluated.is_some(), "{:?}", module.dir);
            assert!(module.parsed.documents.is_empty());
            assert!(!module.reparse);
        }
        let child = modules.iter().find(|m| m.dir.ends_with("child"));
        let child = child.and_then(|m| m.evaluated.as_ref()).unwrap();
        let ids: Vec<&str> = child.findings.iter().map(|f| f.rule_id.as_str()).collect();
        assert!(ids.contains(&"SSH002"), "{ids:?}");
    }

    #[test]
    fn a_called_module_evaluated_as_a_root_is_evaluated_again_as_a_child() {
        let tmp = tempfile::tempdir().unwrap();
        let write = |path: &str, text: &str| {
            let file = tmp.path().join(path);
            std::fs::create_dir_all(file.parent().unwrap()).unwrap();
            std::fs::write(file, text).unwrap();
        };
        // a provider block makes it look like a root; the call makes it a child
        write("child/main.tf", "provider \"aws\" {}\n");
        write(
            "root/main.tf",
            "terraform {\n  required_version = \">= 1.5\"\n}\nmodule \"c\" {\n  source = \"../child\"\n}\n",
        );
        let options = ScanOptions {
            paths: vec![tmp.path().to_path_buf()],
            ..ScanOptions::default()
        };
        let found = discover::discover(&options.paths, &options.discover);
        let (set, _) = crate::engine::PolicySet::load(Vec::new());
        let engines = Engines::new(Arc::new(set), Default::default());
        let child = |result: &ScanResult| {
            result
                .findings
                .iter()
                .filter(|f| f.file.path.starts_with(tmp.path().join("child")))
                .filter(|f| f.message.contains("required_version"))
                .count()
        };
        let modules = {
            let cache = parse::terraform::ModuleCache::default();
            parse_modules(&found, &options, &cache, &engines)
        };
        let called = modules.iter().find(|m| m.dir.ends_with("child")).unwrap();
        assert!(called.reparse && called.evaluated.is_none());
        // the whole scan: the child is not asked for `required_version`
        assert_eq!(child(&analyse(&found, &options, &engines)), 0);
    }

    #[test]
    fn eval001_is_capped_per_file_with_one_summary_at_the_last_place() {
        let a = Arc::new(SourceFile::new("Dockerfile", "x".repeat(100)));
        let b = Arc::new(SourceFile::new("other/Dockerfile", "y".repeat(100)));
        let mut errors: Vec<ParseError> = (0..25)
            .map(|i| ParseError::incomplete(&a, i, i + 1, format!("word {i} too long")))
            .collect();
        errors.push(ParseError::incomplete(&b, 3, 4, "only one"));
        errors.push(ParseError::at(&a, 50, "not parsed"));
        let findings = capped_per_file(errors);
        let in_a: Vec<&Finding> = findings
            .iter()
            .filter(|f| f.file.path == a.path && f.rule_id == "EVAL001")
            .collect();
        assert_eq!(in_a.len(), MAX_INCOMPLETE_PER_FILE + 1);
        assert_eq!(in_a[0].message, "word 0 too long");
        let summary = in_a.last().expect("a summary");
        assert_eq!(summary.start, 24, "at the last place left out");
        assert!(
            summary.message.starts_with("15 more places in this file"),
            "{}",
            summary.message
        );
        assert!(summary.message.ends_with("word 24 too long"));
        let others: Vec<&str> = findings
            .iter()
            .filter(|f| f.file.path != a.path || f.rule_id != "EVAL001")
            .map(|f| f.message.as_str())
            .collect();
        assert_eq!(others, ["only one", "not parsed"]);
    }

    #[test]
    fn keeps_text_only_of_files_that_can_hold_suppressions() {
        let plain = Arc::new(SourceFile::new("a/main.tf", "resource \"x\" \"y\" {}\n"));
        let kept = retained_source(&plain);
        assert_eq!(kept.path, plain.path);
        assert!(kept.text.is_empty());
        let marked = Arc::new(SourceFile::new(
            "Dockerfile",
            "# driftless:ignore[TAG001] ok\n",
        ));
        assert!(Arc::ptr_eq(&retained_source(&marked), &marked));
    }

    #[test]
    fn oversized_files_are_classified_on_their_whole_content() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.yaml");
        // `apiVersion` straddles the first chunk boundary
        let mut text = "#".repeat(CHUNK - 5);
        text.push_str("\napiVersion: v1\nkind: Pod\n");
        std::fs::write(&path, &text).unwrap();
        assert!(file_looks_like_ours(&path));
        std::fs::write(&path, "# nothing of ours\n".repeat(CHUNK / 6)).unwrap();
        assert!(!file_looks_like_ours(&path));
        let mut plan = "x".repeat(3 * CHUNK);
        plan.push_str("\"format_version\"");
        std::fs::write(&path, &plan).unwrap();
        assert!(file_looks_like_ours(&path));
        // UTF-16 without a BOM: the NUL bytes are dropped
        assert!(looks_like_ours(
            b"k\0i\0n\0d\0 \0a\0p\0i\0V\0e\0r\0s\0i\0o\0n\0"
        ));
        assert!(!looks_like_ours(b"k\0i\0n\0d\0"));
    }

    #[test]
    fn overlays_charts_and_compose_files_go_through_the_shared_parse_path() {
        let kinds = |path: &Path, text: &str| -> Vec<crate::document::Kind> {
            let file = Arc::new(SourceFile::new(path, text));
            let parsed = parse_source(&file, FileKind::Yaml);
            parsed.documents.iter().map(|d| d.kind).collect()
        };
        use crate::document::Kind;
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("Chart.yaml"), "name: web\nversion: 1.0.0\n").unwrap();
        let values = dir.path().join("values.yaml");
        assert_eq!(kinds(&values, "image: nginx:latest\n"), [Kind::Helm]);
        let overlay = Path::new("kustomization.yaml");
        assert_eq!(kinds(overlay, "images: []\n"), [Kind::Kustomization]);
        let compose = Path::new("compose.yaml");
        assert_eq!(
            kinds(compose, "services:\n  a:\n    image: x:1\n"),
            [Kind::Compose]
        );
        let workflow = Path::new(".github/workflows/ci.yml");
        assert!(
            kinds(
                workflow,
                "jobs:\n  t:\n    services:\n      db:\n        image: postgres\n"
            )
            .is_empty()
        );
    }

    #[test]
    fn an_unnamed_stream_is_classified_by_its_content() {
        assert_eq!(
            stream_kind("  {\"format_version\": \"1.2\"}"),
            FileKind::Json
        );
        assert_eq!(
            stream_kind("# syntax=docker/dockerfile:1\n\nfrom alpine:3.20\n"),
            FileKind::Dockerfile
        );
        assert_eq!(
            stream_kind("ARG BASE=alpine\nFROM $BASE\n"),
            FileKind::Dockerfile
        );
        assert_eq!(
            stream_kind("---\n# Source: web/templates/deployment.yaml\napiVersion: apps/v1\n"),
            FileKind::Yaml
        );
    }

    #[test]
    fn standard_input_is_bounded_and_decoded_like_a_file() {
        let read = |bytes: &[u8], max| read_stdin(&mut std::io::Cursor::new(bytes.to_vec()), max);
        assert_eq!(read(b"kind: Pod\n", 64).as_deref(), Ok("kind: Pod\n"));
        assert!(
            read(b"kind: Pod\n", 4)
                .unwrap_err()
                .contains("over the 4 bytes limit")
        );
        assert!(read(b"FROM\0x", 64).unwrap_err().contains("not text"));
    }

    #[test]
    fn decodes_boms_and_rejects_binary() {
        assert_eq!(decode(b"\xEF\xBB\xBFFROM x").as_deref(), Some("FROM x"));
        assert_eq!(decode(b"\xFF\xFEF\0R\0").as_deref(), Some("FR"));
        assert_eq!(decode(b"\xFE\xFF\0F\0R").as_deref(), Some("FR"));
        assert_eq!(decode(b"FROM\0x"), None);
        assert_eq!(decode(b"\xC3\x28"), None);
    }
}
