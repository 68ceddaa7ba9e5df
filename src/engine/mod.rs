//! Rule evaluation with regorus: one prepared engine per document kind,
//! holding only that kind's rules (an engine's cost per input grows with the
//! rules loaded), cloned per worker thread, each rule evaluated on its own so
//! a failing rule becomes a diagnostic instead of a lost run.

pub mod bounds;
pub mod clock;
pub mod extensions;
pub mod input;
pub mod policy;
pub mod recursion;
pub mod test_runner;
pub mod vm;

use std::collections::BTreeMap;
use std::num::NonZeroU32;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use regorus::Value;

use crate::document::{Document, Kind, PathSeg, Source, Span, display_path};
use crate::finding::{Finding, Related};
use crate::rules::{Catalogue, RuleInfo};

pub use policy::{PolicyError, PolicyFile, Role};

/// How long one rule may run on one document in the interpreter before it
/// is stopped and reported: policies are pure functions and must be
/// bounded. regorus 0.14's interpreter counts no work, so this limit is its
/// only bound on time, judged on the thread's CPU time (`interpret_rule`)
/// so that a busy machine does not trip it (the compiled VM counts instructions:
/// [`vm::MAX_INSTRUCTIONS`]); only custom rules the VM compiler rejects,
/// `--interpreter`, and documents the VM fails on run there.
pub const RULE_TIME_LIMIT: Duration = Duration::from_secs(5);

/// The VM's wall-clock limit: only a backstop, six times the ~10 s its
/// instruction budget takes in a debug build on a loaded machine, so the
/// budget of work, not the machine's load, decides.
pub const VM_TIME_BACKSTOP: Duration = Duration::from_secs(60);

/// One loaded rule package.
#[derive(Clone, Debug)]
pub struct RulePackage {
    pub kind: Kind,
    /// The rule's `deny` path (`data.driftless.kubernetes.latest_tag.deny`).
    pub deny_path: String,
    pub info: Arc<RuleInfo>,
    pub source: String,
    /// The rule reports a *missing* attribute (`metadata.absence: true`),
    /// so it does not apply to a Kustomize patch, which holds only what it
    /// changes ([`crate::document::Role::Patch`]).
    pub absence: bool,
}

/// A rule that failed on a document: reported with the rule and the file,
/// and the rest of the scan goes on.
#[derive(Clone, Debug)]
pub struct RuleError {
    pub rule_id: String,
    pub package: String,
    pub document: String,
    pub message: String,
}

impl std::fmt::Display for RuleError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "rule {} ({}) failed on {}: {}",
            self.rule_id, self.package, self.document, self.message
        )
    }
}

/// Settings rules read from `data.driftless.config` (strict mode, per-rule
/// options) and the set of rules to run.
#[derive(Clone, Debug, Default)]
pub struct EngineOptions {
    /// Passed to rules as `data.driftless.config`.
    pub config_data: serde_json::Value,
    /// Rule IDs to evaluate; `None` means all loaded rules.
    pub enabled: Option<std::collections::BTreeSet<String>>,
    /// How long one rule may run on one document; `None` means
    /// [`RULE_TIME_LIMIT`] in the interpreter and [`VM_TIME_BACKSTOP`] on
    /// the VM. Tests shorten it to exercise runaway rules fast.
    pub time_limit: Option<Duration>,
    /// Instructions the VM may execute per document (and per rule when an
    /// over-budget document is evaluated rule by rule); `None` means
    /// [`vm::MAX_INSTRUCTIONS`]. Tests lower it to exercise the budget.
    pub instruction_budget: Option<usize>,
    /// Evaluate every rule with the regorus interpreter, never the compiled
    /// VM (`scan --interpreter`): the reference the VM is tested against,
    /// and a way around the VM should it ever misbehave.
    pub interpreter_only: bool,
}

/// The checked policies: libraries and rule packages, ready to build
/// engines from.
#[derive(Debug)]
pub struct PolicySet {
    pub libraries: Vec<PolicyFile>,
    pub rules: Vec<(PolicyFile, RulePackage)>,
    pub catalogue: Catalogue,
}

impl PolicySet {
    /// Loads the built-in policies plus user policy files. User files are
    /// checked one by one (syntax, call cycles, unsafe variables, metadata);
    /// each broken one becomes a [`PolicyError`] and is left out, so it
    /// disables neither the other user files nor the built-in rules.
    pub fn load(user_files: Vec<PolicyFile>) -> (PolicySet, Vec<PolicyError>) {
        PolicySet::load_with_catalogue(user_files, Catalogue::builtin())
    }

    /// [`PolicySet::load`] over a given catalogue (tests use an empty one).
    pub fn load_with_catalogue(
        user_files: Vec<PolicyFile>,
        mut catalogue: Catalogue,
    ) -> (PolicySet, Vec<PolicyError>) {
        // Test files never run in a scan: they are checked by `driftless test`.
        let not_test = |f: &PolicyFile| f.role != Role::Test;
        let user_files: Vec<PolicyFile> = user_files.into_iter().filter(not_test).collect();
        let (user_files, mut errors) = outside_reserved_namespaces(user_files);
        let all: Vec<PolicyFile> = policy::builtin()
            .into_iter()
            .filter(not_test)
            .chain(user_files)
            .collect();
        let (admitted, admit_errors) = admit(all);
        errors.extend(admit_errors);
        let mut libraries = Vec::new();
        let mut rule_files = Vec::new();
        for file in admitted {
            match file.role {
                Role::Library => libraries.push(file),
                Role::Rule(kind) => rule_files.push((file, kind)),
                Role::Test => {}
            }
        }
        let mut rules = Vec::new();
        for (file, kind) in rule_files {
            match rule_package(&file, kind, &libraries, &mut catalogue) {
                Ok(pkg) => rules.push((file, pkg)),
                Err(e) => errors.push(e),
            }
        }
        (
            PolicySet {
                libraries,
                rules,
                catalogue,
            },
            errors,
        )
    }

    /// Rule packages for one kind.
    pub fn rules_for(&self, kind: Kind) -> impl Iterator<Item = &(PolicyFile, RulePackage)> {
        self.rules.iter().filter(move |(_, r)| r.kind == kind)
    }
}

/// Keeps the user files that stay out of the namespaces reserved for the
/// built-in policies ([`bounds::reserved_namespace_error`]) and rejects the
/// others, so no user file can redefine or extend a built-in rule or
/// library. Files nested too deep to parse safely are passed on for
/// [`admit`] to reject.
fn outside_reserved_namespaces(files: Vec<PolicyFile>) -> (Vec<PolicyFile>, Vec<PolicyError>) {
    let mut kept = Vec::new();
    let mut errors = Vec::new();
    for file in files {
        let reserved = match bounds::nesting_error(&file) {
            Some(_) => None,
            None => bounds::reserved_namespace_error(&file),
        };
        match reserved {
            Some(e) => errors.push(e),
            None => kept.push(file),
        }
    }
    (kept, errors)
}

/// Checks policy files before any of them is evaluated and returns the
/// usable ones with an error for each rejected one. Built-in files are
/// trusted (the test suite checks them); user files are checked one by one:
/// bracket nesting on the text (regorus's parse time doubles per level),
/// syntax on their own engine, then call cycles and call depth over
/// everything that is loaded together (regorus would overflow the stack on
/// a recursive function or a chain of thousands), then analysis (unsafe variables, unknown imports) with the
/// libraries already admitted — an engine with one such file fails every
/// evaluation, so a broken file must never reach the shared engines.
/// Test files are only syntax- and cycle-checked here; the test runner
/// analyses each on its own engine.
pub fn admit(files: Vec<PolicyFile>) -> (Vec<PolicyFile>, Vec<PolicyError>) {
    let mut errors = Vec::new();
    let mut candidates = Vec::new();
    for file in files {
        match file.builtin {
            true => candidates.push(file),
            false => match bounds::nesting_error(&file).map_or_else(|| check_syntax(&file), Err) {
                Ok(()) => candidates.push(file),
                Err(e) => errors.push(e),
            },
        }
    }
    if candidates.iter().any(|f| !f.builtin) {
        let cyclic = recursion::check(&candidates.iter().collect::<Vec<_>>());
        candidates.retain(|f| f.builtin || !cyclic.iter().any(|e| e.path == f.path));
        errors.extend(cyclic);
    }
    let (libraries, others): (Vec<_>, Vec<_>) = candidates
        .into_iter()
        .partition(|f| f.role == Role::Library);
    let mut admitted: Vec<PolicyFile> = Vec::new();
    for lib in libraries {
        if lib.builtin {
            admitted.push(lib);
            continue;
        }
        match analyse(admitted.iter().chain([&lib])) {
            Ok(()) => admitted.push(lib),
            Err(e) => errors.push(e.or_in(&lib.path)),
        }
    }
    let library_count = admitted.len();
    for file in others {
        if file.builtin || file.role == Role::Test {
            admitted.push(file);
            continue;
        }
        match analyse(admitted[..library_count].iter().chain([&file])) {
            Ok(()) => admitted.push(file),
            Err(e) => errors.push(e.or_in(&file.path)),
        }
    }
    (admitted, errors)
}

/// Loads files into one engine and runs regorus's analysis (scheduling,
/// unsafe variables, imports) without evaluating any rule.
pub fn analyse<'a>(files: impl IntoIterator<Item = &'a PolicyFile>) -> Result<(), PolicyError> {
    let mut engine = new_engine();
    for file in files {
        engine
            .add_policy(file.path.clone(), file.text.clone())
            .map_err(|e| PolicyError::from_regorus(&file.path, &e))?;
    }
    analyse_engine(&mut engine, "<policies>")
}

/// Forces analysis of everything loaded in `engine` (a trivial query makes
/// regorus prepare all modules).
pub(crate) fn analyse_engine(
    engine: &mut regorus::Engine,
    default_path: &str,
) -> Result<(), PolicyError> {
    engine
        .eval_query("true".into(), false)
        .map(|_| ())
        .map_err(|e| PolicyError::from_regorus(default_path, &e))
}

/// Parses one file on its own engine, so a syntax error names its file.
fn check_syntax(file: &PolicyFile) -> Result<(), PolicyError> {
    let mut engine = regorus::Engine::new();
    engine
        .add_policy(file.path.clone(), file.text.clone())
        .map(|_| ())
        .map_err(|e| PolicyError::from_regorus(&file.path, &e))
}

/// Loads a rule file with the libraries, forces analysis (unsafe variables
/// surface here, per file) and reads its `metadata`.
fn rule_package(
    file: &PolicyFile,
    kind: Kind,
    libraries: &[PolicyFile],
    catalogue: &mut Catalogue,
) -> Result<RulePackage, PolicyError> {
    let err = |message: String| PolicyError {
        path: file.path.clone(),
        line: 1,
        column: 1,
        message,
    };
    let metadata = if file.builtin {
        builtin_metadata_id(&file.text)
            .map(|id| serde_json::json!({ "id": id, "absence": builtin_is_absence(&file.text) }))
    } else {
        Some(evaluate_metadata(file, libraries)?)
    };
    let metadata = metadata.ok_or_else(|| err("package has no `metadata` with an `id`".into()))?;
    let id = metadata
        .get("id")
        .and_then(|v| v.as_str())
        .ok_or_else(|| err("`metadata.id` must be a string".into()))?
        .to_string();
    let absence = match metadata.get("absence") {
        None => false,
        Some(serde_json::Value::Bool(b)) => *b,
        Some(_) => return Err(err("`metadata.absence` must be a boolean".into())),
    };
    let info = match catalogue.get(&id) {
        Some(info) if file.builtin || metadata.get("title").is_none() => info.clone(),
        _ => {
            let info = RuleInfo::custom(&id, &metadata, kind);
            catalogue.insert(info.clone());
            info
        }
    };
    Ok(RulePackage {
        kind,
        deny_path: format!("data.{}.deny", file.package),
        info: Arc::new(info),
        source: file.path.clone(),
        absence,
    })
}

/// Whether a built-in rule's literal `metadata` line declares it about an
/// absence (`"absence": true`), read like its ID.
fn builtin_is_absence(text: &str) -> bool {
    text.lines()
        .find(|l| l.starts_with("metadata"))
        .is_some_and(|l| l.replace(' ', "").contains("\"absence\":true"))
}

/// Built-in rules state their ID literally (`metadata := {"id": "TAG001"}`);
/// reading it from the text keeps engine start-up free of evaluations.
fn builtin_metadata_id(text: &str) -> Option<String> {
    let line = text.lines().find(|l| l.starts_with("metadata"))?;
    let rest = &line[line.find("\"id\"")? + 4..];
    let rest = &rest[rest.find('"')? + 1..];
    Some(rest[..rest.find('"')?].to_string())
}

fn evaluate_metadata(
    file: &PolicyFile,
    libraries: &[PolicyFile],
) -> Result<serde_json::Value, PolicyError> {
    let mut engine = new_engine();
    for lib in libraries {
        engine
            .add_policy(lib.path.clone(), lib.text.clone())
            .map_err(|e| PolicyError::from_regorus(&lib.path, &e))?;
    }
    engine
        .add_policy(file.path.clone(), file.text.clone())
        .map_err(|e| PolicyError::from_regorus(&file.path, &e))?;
    let deny: std::sync::Arc<str> = format!("data.{}.deny", file.package).into();
    engine
        .compile_with_entrypoint(&deny)
        .map_err(|e| PolicyError::from_regorus(&file.path, &e))?;
    let meta = engine
        .eval_rule(format!("data.{}.metadata", file.package))
        .map_err(|e| PolicyError::from_regorus(&file.path, &e))?;
    serde_json::to_value(&meta).map_err(|e| PolicyError {
        path: file.path.clone(),
        line: 1,
        column: 1,
        message: e.to_string(),
    })
}

/// A regorus engine with driftless's sandbox settings and built-in
/// functions: bounded time, prints gathered (never written to our stdout).
pub fn new_engine() -> regorus::Engine {
    new_engine_with_limit(RULE_TIME_LIMIT)
}

/// [`new_engine`] with another per-evaluation time limit.
pub fn new_engine_with_limit(limit: Duration) -> regorus::Engine {
    let mut engine = regorus::Engine::new();
    set_time_limit(&mut engine, limit);
    engine.set_gather_prints(true);
    extensions::add_to(&mut engine);
    engine
}

/// A prepared engine for one kind with the rules to run on its documents.
#[derive(Clone)]
struct KindEngine {
    engine: regorus::Engine,
    rules: Vec<RulePackage>,
    /// The aggregate rule that evaluates every rule in one pass, when it
    /// loaded (see [`aggregate_policy`]).
    aggregate: Option<String>,
    /// Rule files left out because they broke the shared engine.
    skipped: Vec<PolicyError>,
    /// The aggregate compiled for the VM (see [`vm`]): every rule, or all
    /// but those in `interpreted`.
    compiled: Option<vm::CompiledRules>,
    /// Custom rules the VM compiler rejects (index into `rules`, and why):
    /// with `compiled`, only these run on the interpreter, whose only bound
    /// is the clock, and each is named in a warning.
    interpreted: Vec<(usize, String)>,
}

/// Package of the generated aggregate module: outside the `driftless.`
/// namespace rules and libraries use, so it cannot collide with them.
const AGGREGATE_PACKAGE: &str = "driftless_engine.aggregate";

/// A generated module whose `findings` set holds `[rule index, finding]`
/// for every rule: one evaluation per document instead of one per rule, so
/// the helper rules several rules share (`dockerfile.commands`,
/// `terraform.images`, …) are computed once per document, not once per
/// rule (regorus resets its rule cache on every `eval_rule`).
fn aggregate_policy(kind: Kind, rules: &[RulePackage]) -> (String, String, String) {
    aggregate_of(kind, rules, "", |_| true)
}

/// The aggregate of the rules `included` selects (by index), in a package
/// named with `suffix`, each rule keeping its index in `rules`: the VM's
/// aggregate of a kind leaves out the rules its compiler rejects.
fn aggregate_of(
    kind: Kind,
    rules: &[RulePackage],
    suffix: &str,
    included: impl Fn(usize) -> bool,
) -> (String, String, String) {
    let package = format!("{AGGREGATE_PACKAGE}{suffix}_{}", kind.as_str());
    let mut text = format!("package {package}\n");
    for (i, rule) in rules.iter().enumerate().filter(|(i, _)| included(*i)) {
        text.push_str(&format!(
            "\nfindings contains [{i}, f] if {{\n\tsome f in {}\n}}\n",
            rule.deny_path
        ));
    }
    let path = format!("<driftless aggregate {}>", kind.as_str());
    (path, text, format!("data.{package}.findings"))
}

/// Per-kind engines, built lazily (a scan of one Dockerfile never prepares
/// the Terraform rules) and shared by reference; workers clone them.
pub struct Engines {
    set: Arc<PolicySet>,
    options: EngineOptions,
    kinds: [OnceLock<Result<KindEngine, PolicyError>>; Kind::ALL.len()],
    /// The libraries and data every kind's engine starts from, parsed once
    /// (each kind's engine is a clone of it with its rules added).
    base: OnceLock<Result<regorus::Engine, PolicyError>>,
}

impl Engines {
    /// Engines over a policy set; nothing is prepared until first use.
    pub fn new(set: Arc<PolicySet>, options: EngineOptions) -> Engines {
        Engines {
            set,
            options,
            kinds: Default::default(),
            base: OnceLock::new(),
        }
    }

    /// The policies these engines run.
    pub fn policies(&self) -> &PolicySet {
        &self.set
    }

    /// Rule files that were left out of an engine built so far because
    /// loading them together with the others failed (each file passed its
    /// own checks): reported like any policy error.
    pub fn load_errors(&self) -> Vec<PolicyError> {
        self.kinds
            .iter()
            .filter_map(|k| k.get())
            .filter_map(|k| k.as_ref().ok())
            .flat_map(|k| k.skipped.iter().cloned())
            .collect()
    }

    /// Whether the kind's rules run on the compiled VM (it prepares the
    /// kind's engine if needed): scans and tests can tell which evaluator
    /// produced the findings.
    pub fn runs_on_vm(&self, kind: Kind) -> bool {
        self.prepared(kind).is_ok_and(|k| k.compiled.is_some())
    }

    fn prepared(&self, kind: Kind) -> Result<&KindEngine, PolicyError> {
        let idx = Kind::ALL.iter().position(|k| *k == kind).unwrap_or(0);
        self.kinds[idx]
            .get_or_init(|| self.build(kind))
            .as_ref()
            .map_err(Clone::clone)
    }

    /// Builds a kind's engine with all its enabled rules; if the
    /// combination fails to load, rebuilds it rule by rule and leaves out
    /// the rules that break it, so one bad file never costs the others.
    fn build(&self, kind: Kind) -> Result<KindEngine, PolicyError> {
        let base = self.base_engine()?;
        let enabled: Vec<&(PolicyFile, RulePackage)> = self
            .set
            .rules_for(kind)
            .filter(|(_, rule)| {
                self.options
                    .enabled
                    .as_ref()
                    .is_none_or(|e| e.contains(&rule.info.id))
            })
            .collect();
        let mut engine = base.clone();
        let mut rules = Vec::new();
        let mut all_loaded = true;
        for (file, rule) in &enabled {
            if engine
                .add_policy(file.path.clone(), file.text.clone())
                .is_err()
            {
                all_loaded = false;
                break;
            }
            rules.push(rule.clone());
        }
        if all_loaded && let Some((prepared, entry)) = Self::with_aggregate(&engine, kind, &rules) {
            let builtin: Vec<bool> = enabled.iter().map(|(file, _)| file.builtin).collect();
            let (compiled, interpreted) = self.compile(&prepared, kind, &entry, &rules, &builtin);
            return Ok(KindEngine {
                engine: prepared,
                rules,
                aggregate: Some(entry),
                skipped: Vec::new(),
                compiled,
                interpreted,
            });
        }
        if all_loaded && (rules.is_empty() || analyse_engine(&mut engine, "<rules>").is_ok()) {
            return Ok(KindEngine {
                engine,
                rules,
                aggregate: None,
                skipped: Vec::new(),
                compiled: None,
                interpreted: Vec::new(),
            });
        }
        let mut built = build_one_by_one(base, &enabled);
        if let Some((prepared, entry)) = Self::with_aggregate(&built.engine, kind, &built.rules) {
            built.engine = prepared;
            built.aggregate = Some(entry);
        }
        Ok(built)
    }

    /// The kind's rules compiled for the VM, and the custom rules left to
    /// the interpreter because the VM compiler rejects them (each tried on
    /// its own, so one rejected rule does not take the others off the
    /// VM's budget of work). `None` leaves the whole kind on the
    /// interpreter (`--interpreter`, or a program that does not compile).
    fn compile(
        &self,
        engine: &regorus::Engine,
        kind: Kind,
        entry: &str,
        rules: &[RulePackage],
        builtin: &[bool],
    ) -> (Option<vm::CompiledRules>, Vec<(usize, String)>) {
        if self.options.interpreter_only {
            return (None, Vec::new());
        }
        if let Some(all) = self.compile_subset(engine.clone(), entry, rules, &[]) {
            return (Some(all), Vec::new());
        }
        let custom = (0..rules.len()).filter(|i| !builtin.get(*i).copied().unwrap_or(true));
        let mut rejected: Vec<(usize, String)> = custom
            .clone()
            .filter_map(|i| {
                let why = vm::rejection(&mut engine.clone(), &rules[i].deny_path)?;
                Some((i, why))
            })
            .collect();
        let mut compiled = self.compile_vm_aggregate(engine, kind, rules, &rejected);
        if compiled.is_none() {
            // Each compiles alone but not together: the built-in rules keep
            // the VM, every custom rule goes to the interpreter.
            let why = "regorus's VM compiler rejects it together with the kind's other rules";
            rejected = custom.map(|i| (i, why.to_string())).collect();
            compiled = self.compile_vm_aggregate(engine, kind, rules, &rejected);
        }
        match compiled {
            Some(compiled) => (Some(compiled), rejected),
            None => (None, Vec::new()),
        }
    }

    /// The VM's own aggregate of the rules not `rejected`, compiled.
    fn compile_vm_aggregate(
        &self,
        engine: &regorus::Engine,
        kind: Kind,
        rules: &[RulePackage],
        rejected: &[(usize, String)],
    ) -> Option<vm::CompiledRules> {
        let on_vm = |i: usize| !rejected.iter().any(|(r, _)| *r == i);
        let (path, text, entry) = aggregate_of(kind, rules, "_vm", on_vm);
        let mut candidate = engine.clone();
        candidate.add_policy(path, text).ok()?;
        analyse_engine(&mut candidate, "<aggregate>").ok()?;
        self.compile_subset(candidate, &entry, rules, rejected)
    }

    /// Compiles `entry` with the `deny` of each rule not `rejected`.
    fn compile_subset(
        &self,
        mut engine: regorus::Engine,
        entry: &str,
        rules: &[RulePackage],
        rejected: &[(usize, String)],
    ) -> Option<vm::CompiledRules> {
        let budget = self.base_instruction_budget();
        let rule_entries = rules
            .iter()
            .enumerate()
            .map(|(i, r)| (!rejected.iter().any(|(x, _)| *x == i)).then(|| r.deny_path.clone()))
            .collect();
        vm::CompiledRules::compile(&mut engine, entry, rule_entries, self.data(), budget)
    }

    /// One warning per custom rule of the kinds prepared so far that runs
    /// on the interpreter because the VM compiler rejects it: its bound is
    /// CPU time, not counted work, so its outcome can depend on the CPU's
    /// speed.
    pub fn interpreter_warnings(&self) -> Vec<crate::warning::Warning> {
        let prepared = self.kinds.iter().filter_map(|k| k.get()?.as_ref().ok());
        prepared
            .flat_map(|k| k.interpreted.iter().map(|(i, why)| (&k.rules[*i], why)))
            .map(|(rule, why)| {
                let (position, reason) = compiler_complaint(why);
                crate::warning::Warning {
                    kind: crate::warning::WarningKind::RuleOnInterpreter,
                    path: rule.source.clone().into(),
                    position,
                    message: format!(
                        "rule {} runs on the interpreter, bounded by {} s of CPU time instead of counted work, so its outcome can depend on the CPU's speed: the VM compiler rejects it ({reason})",
                        rule.info.id,
                        self.time_limit().as_secs()
                    ),
                }
            })
            .collect()
    }

    /// What rules find under `data`: the configuration.
    fn data(&self) -> Value {
        Value::from(serde_json::json!({ "driftless": { "config": self.options.config_data } }))
    }

    fn time_limit(&self) -> Duration {
        self.options.time_limit.unwrap_or(RULE_TIME_LIMIT)
    }

    /// The VM's instruction budget before the allowance per input value.
    fn base_instruction_budget(&self) -> usize {
        self.options
            .instruction_budget
            .unwrap_or(vm::MAX_INSTRUCTIONS)
    }

    fn vm_time_limit(&self) -> Duration {
        self.options.time_limit.unwrap_or(VM_TIME_BACKSTOP)
    }

    /// An engine with the sandbox settings, the configuration data and the
    /// libraries, analysed: loaded once, a clone for each kind (the
    /// libraries were parsed again for every kind, 0.6% of a scan of the
    /// real corpus).
    fn base_engine(&self) -> Result<regorus::Engine, PolicyError> {
        self.base.get_or_init(|| self.load_base()).clone()
    }

    fn load_base(&self) -> Result<regorus::Engine, PolicyError> {
        let mut engine = new_engine_with_limit(self.time_limit());
        engine.add_data(self.data()).map_err(|e| PolicyError {
            path: "<config>".into(),
            line: 0,
            column: 0,
            message: e.to_string(),
        })?;
        for lib in &self.set.libraries {
            engine
                .add_policy(lib.path.clone(), lib.text.clone())
                .map_err(|e| PolicyError::from_regorus(&lib.path, &e))?;
        }
        Ok(engine)
    }

    /// The engine plus the aggregate module, analysed, when there is a
    /// rule (with one rule too: the aggregate is what the VM compiles, so a
    /// configuration that enables a single rule of a kind keeps it on the
    /// instruction budget). `None` when it does not analyse: then the plain
    /// engine is analysed and reports the policy error, or evaluation stays
    /// per rule (slower, same results).
    fn with_aggregate(
        engine: &regorus::Engine,
        kind: Kind,
        rules: &[RulePackage],
    ) -> Option<(regorus::Engine, String)> {
        if rules.is_empty() {
            return None;
        }
        let (path, text, entry) = aggregate_policy(kind, rules);
        let mut candidate = engine.clone();
        candidate.add_policy(path, text).ok()?;
        analyse_engine(&mut candidate, "<aggregate>").ok()?;
        Some((candidate, entry))
    }

    /// A worker's own copy of the engines (clones share the prepared
    /// modules, so this is cheap).
    pub fn worker(&self) -> Worker<'_> {
        Worker {
            engines: self,
            local: Default::default(),
            machines: Default::default(),
        }
    }
}

/// The position (`--> file:line:col`) and the last `error:` line of a
/// regorus compiler message, which spans several lines with a source
/// excerpt; a warning shows them on one line.
fn compiler_complaint(message: &str) -> (Option<crate::document::Position>, String) {
    let position = message
        .lines()
        .find_map(|l| l.trim().strip_prefix("--> "))
        .and_then(|place| {
            let mut parts = place.rsplitn(3, ':');
            let column = parts.next()?.parse().ok()?;
            let line = parts.next()?.parse().ok()?;
            Some(crate::document::Position {
                line,
                column,
                utf16_column: column,
            })
        });
    let reason = message
        .lines()
        .rev()
        .find_map(|l| l.trim().strip_prefix("error: "))
        .unwrap_or(message.trim());
    (position, reason.to_string())
}

/// The slow path of [`Engines::build`]: adds rule files one at a time,
/// keeping each only if the engine still analyses.
fn build_one_by_one(base: regorus::Engine, enabled: &[&(PolicyFile, RulePackage)]) -> KindEngine {
    let mut engine = base;
    let mut rules = Vec::new();
    let mut skipped = Vec::new();
    for (file, rule) in enabled {
        let mut candidate = engine.clone();
        let loaded = candidate
            .add_policy(file.path.clone(), file.text.clone())
            .map_err(|e| PolicyError::from_regorus(&file.path, &e))
            .and_then(|_| analyse_engine(&mut candidate, &file.path));
        match loaded {
            Ok(()) => {
                engine = candidate;
                rules.push(rule.clone());
            }
            Err(e) => skipped.push(e.or_in(&file.path)),
        }
    }
    KindEngine {
        engine,
        rules,
        aggregate: None,
        skipped,
        compiled: None,
        interpreted: Vec::new(),
    }
}

/// The engines one thread evaluates with.
pub struct Worker<'a> {
    engines: &'a Engines,
    local: BTreeMap<Kind, KindEngine>,
    /// This thread's VM per kind (`None`: the kind runs on the interpreter).
    machines: BTreeMap<Kind, Option<vm::Machine>>,
}

/// What evaluating one document produced.
#[derive(Debug, Default)]
pub struct Evaluation {
    pub findings: Vec<Finding>,
    pub errors: Vec<RuleError>,
}

impl Worker<'_> {
    /// Runs every enabled rule of the document's kind and locates each
    /// finding through the document's source map.
    pub fn evaluate(&mut self, doc: &mut Document) -> Result<Evaluation, PolicyError> {
        let kind = doc.kind;
        if !self.local.contains_key(&kind) {
            let prepared = self.engines.prepared(kind)?.clone();
            self.local.insert(kind, prepared);
        }
        let local = self.local.get_mut(&kind).expect("inserted above");
        let mut out = Evaluation::default();
        if local.rules.is_empty() {
            return Ok(out);
        }
        let (input, values) = input::to_regorus_counted(std::mem::take(&mut doc.input));
        let budget = vm::budget_for(
            self.engines.base_instruction_budget(),
            self.engines.options.instruction_budget.is_none(),
            values,
        );
        let time_limit = self.engines.vm_time_limit();
        let fresh_machine = || {
            let mut machine = local.compiled.as_ref()?.machine(time_limit)?;
            machine.set_budget(budget);
            Some(machine)
        };
        let slot = self.machines.entry(kind).or_insert_with(fresh_machine);
        // The VM first; a document over the instruction budget is evaluated
        // rule by rule on the VM (the budget decides, not the clock); on any
        // other failure the interpreter evaluates again and attributes the
        // error to its rule. The next document gets a fresh VM (this one
        // may have stopped mid-execution).
        if let Some(machine) = slot {
            machine.set_budget(budget);
            let on_vm = match machine.evaluate(input.clone()) {
                Ok(result) => {
                    collect_aggregate(&local.rules, &result, doc, &mut out.findings);
                    true
                }
                Err(e) if vm::over_budget(&e) => {
                    *slot = fresh_machine();
                    let interpreted = |i: usize| local.interpreted.iter().any(|(r, _)| *r == i);
                    each_rule_on_vm(
                        &local.rules,
                        interpreted,
                        fresh_machine,
                        &input,
                        doc,
                        &mut out,
                    );
                    true
                }
                Err(_) => {
                    *slot = fresh_machine();
                    false
                }
            };
            if on_vm {
                // The rules the VM compiler rejected, on the interpreter
                // (handing it the input costs a walk over it: only when
                // there are such rules).
                if !local.interpreted.is_empty() {
                    local.engine.set_input(input);
                }
                let indices = local.interpreted.iter().map(|(i, _)| *i);
                let limit = self.engines.time_limit();
                interpret_each(
                    &mut local.engine,
                    &local.rules,
                    indices,
                    (doc, limit),
                    &mut out,
                );
                return Ok(out);
            }
        }
        local.engine.set_input(input);
        if let Some(entry) = &local.aggregate
            && let Ok(result) = local.engine.eval_rule(entry.clone())
        {
            collect_aggregate(&local.rules, &result, doc, &mut out.findings);
            return Ok(out);
        }
        // Per rule: no aggregate, or it failed — then this attributes the
        // failure to the rule (or rules) that caused it.
        let all = 0..local.rules.len();
        let limit = self.engines.time_limit();
        interpret_each(&mut local.engine, &local.rules, all, (doc, limit), &mut out);
        Ok(out)
    }
}

/// Evaluates the rules at `indices` one by one on the interpreter (whose
/// input is set, whose time limit is `limit`): findings, or an error naming
/// the rule that failed.
fn interpret_each(
    engine: &mut regorus::Engine,
    rules: &[RulePackage],
    indices: impl Iterator<Item = usize>,
    (doc, limit): (&Document, Duration),
    out: &mut Evaluation,
) {
    for rule in indices.filter_map(|i| rules.get(i)) {
        if !applies_to(rule, doc) {
            continue;
        }
        match interpret_rule(engine, &rule.deny_path, limit) {
            Ok(result) => collect_findings(rule, &result, doc, &mut out.findings),
            Err(e) => out.errors.push(RuleError {
                rule_id: rule.info.id.clone(),
                package: rule.source.clone(),
                document: doc.path().display().to_string(),
                message: PolicyError::from_regorus(&rule.source, &e).to_string(),
            }),
        }
    }
}

/// Evaluates one rule on the interpreter, judged on the thread's CPU time
/// (`clock`): regorus stops it on the wall clock at `limit`; when the
/// thread had used less than `limit` of CPU by then (the machine was busy),
/// the rule runs again with the wall clock stretched by the load seen (at
/// most [`VM_TIME_BACKSTOP`]) and is over the limit only if its CPU time
/// is. So a rule that fits in `limit` on a quiet machine fits on a busy
/// one, and one that does not is stopped on both.
fn interpret_rule(
    engine: &mut regorus::Engine,
    rule: &str,
    limit: Duration,
) -> anyhow::Result<Value> {
    let wall = std::time::Instant::now();
    let cpu = clock::thread_cpu_time();
    let first = engine.eval_rule(rule.to_string());
    let (Err(e), Some(cpu)) = (&first, cpu) else {
        return first;
    };
    let used = clock::thread_cpu_time().unwrap_or(cpu) - cpu;
    if !is_time_limit(e) || used >= limit {
        return first;
    }
    let load = wall.elapsed().as_secs_f64() / used.as_secs_f64().max(0.001);
    let stretched = limit
        .mul_f64((2.0 * load).max(2.0))
        .min(VM_TIME_BACKSTOP.max(limit));
    set_time_limit(engine, stretched);
    let cpu = clock::thread_cpu_time().unwrap_or_default();
    let second = engine.eval_rule(rule.to_string());
    set_time_limit(engine, limit);
    let used = clock::thread_cpu_time()
        .unwrap_or_default()
        .saturating_sub(cpu);
    if used > limit {
        return Err(anyhow::anyhow!(
            "execution exceeded time limit: {} ms of CPU time, over the limit of {} ms",
            used.as_millis(),
            limit.as_millis()
        ));
    }
    second
}

/// Whether regorus stopped an evaluation at its time limit.
fn is_time_limit(e: &anyhow::Error) -> bool {
    e.chain().any(|cause| {
        matches!(
            cause.downcast_ref::<regorus::utils::limits::LimitError>(),
            Some(regorus::utils::limits::LimitError::TimeLimitExceeded { .. })
        )
    }) || e.to_string().contains("time limit")
}

/// Sets the interpreter's wall-clock limit.
fn set_time_limit(engine: &mut regorus::Engine, limit: Duration) {
    engine.set_execution_timer_config(regorus::utils::limits::ExecutionTimerConfig {
        limit,
        check_interval: NonZeroU32::new(64).expect("non-zero"),
    });
}

/// Evaluates each rule of a document that went over the VM's instruction
/// budget on its own (a fresh VM and budget per rule): the rules that fit
/// report their findings, the others an error naming the rule.
fn each_rule_on_vm(
    rules: &[RulePackage],
    interpreted: impl Fn(usize) -> bool,
    fresh_machine: impl Fn() -> Option<vm::Machine>,
    input: &Value,
    doc: &Document,
    out: &mut Evaluation,
) {
    for (index, rule) in rules.iter().enumerate() {
        if !applies_to(rule, doc) || interpreted(index) {
            continue;
        }
        let result = fresh_machine()
            .ok_or_else(|| anyhow::anyhow!("the compiled rules could not be loaded"))
            .and_then(|mut machine| machine.evaluate_rule(index, input.clone()));
        match result {
            Ok(result) => collect_findings(rule, &result, doc, &mut out.findings),
            Err(e) => out.errors.push(RuleError {
                rule_id: rule.info.id.clone(),
                package: rule.source.clone(),
                document: doc.path().display().to_string(),
                message: e.to_string(),
            }),
        }
    }
}

/// Splits the aggregate's `[rule index, finding]` pairs by rule, in rule
/// order, so findings come out exactly as per-rule evaluation gives them.
fn collect_aggregate(
    rules: &[RulePackage],
    result: &Value,
    doc: &Document,
    out: &mut Vec<Finding>,
) {
    let Ok(set) = result.as_set() else {
        return;
    };
    let mut per_rule: Vec<Vec<Value>> = vec![Vec::new(); rules.len()];
    for pair in set.iter() {
        let Ok(items) = pair.as_array() else {
            continue;
        };
        let (Some(index), Some(finding)) = (items.first(), items.get(1)) else {
            continue;
        };
        let slot = index
            .as_u64()
            .ok()
            .and_then(|i| per_rule.get_mut(usize::try_from(i).ok()?));
        if let Some(slot) = slot {
            slot.push(finding.clone());
        }
    }
    for (rule, findings) in rules.iter().zip(per_rule) {
        let set: std::collections::BTreeSet<Value> = findings.into_iter().collect();
        collect_findings(rule, &Value::from(set), doc, out);
    }
}

/// Whether a rule's findings count on a document: a rule about a missing
/// attribute says nothing about a Kustomize patch, which holds only what it
/// changes. Every evaluation path (VM, aggregate, rule by rule) reports
/// through [`collect_findings`], so this one check covers them all.
fn applies_to(rule: &RulePackage, doc: &Document) -> bool {
    !(rule.absence && doc.role == crate::document::Role::Patch)
}

/// Turns a `deny` set into located findings. Objects carry `msg` and
/// `path`; plain strings are located at the document.
fn collect_findings(rule: &RulePackage, result: &Value, doc: &Document, out: &mut Vec<Finding>) {
    if !applies_to(rule, doc) {
        return;
    }
    let Ok(set) = result.as_set() else {
        return;
    };
    for item in set.iter() {
        let json = serde_json::to_value(item).unwrap_or(serde_json::Value::Null);
        let (message, path) = match &json {
            serde_json::Value::String(s) => (s.clone(), Vec::new()),
            serde_json::Value::Object(o) => (
                o.get("msg")
                    .and_then(|m| m.as_str())
                    .unwrap_or(&rule.info.title)
                    .to_string(),
                o.get("path")
                    .and_then(|p| p.as_array())
                    .map(|a| a.iter().filter_map(PathSeg::from_json).collect())
                    .unwrap_or_default(),
            ),
            other => (other.to_string(), Vec::new()),
        };
        let mut finding = locate(rule, message, &path, doc);
        if let serde_json::Value::Object(o) = &json {
            (finding.related, finding.identity) = crate::finding::related_and_identity(o, doc);
        }
        out.push(finding);
    }
}

/// Finds the span of a JSON path (or its nearest existing parent) and adds
/// the provenance of evaluated values to the message.
fn locate(rule: &RulePackage, mut message: String, path: &[PathSeg], doc: &Document) -> Finding {
    let (node, depth) = doc.source_map.locate(path);
    let provenance = doc.provenance.get(&path[..depth]);
    if let Some(p) = provenance {
        message = format!("{message} ({})", p.note);
    }
    let file = doc
        .files
        .get(node.span.file as usize)
        .unwrap_or(&doc.files[0])
        .clone();
    let sources = provenance
        .map(|p| sources(&p.sources, node.span, doc))
        .unwrap_or_default();
    Finding {
        rule_id: rule.info.id.clone(),
        severity: rule.info.severity,
        message,
        file,
        start: node.span.start as usize,
        end: node.span.end as usize,
        kind: Some(doc.kind),
        document: doc.label.clone(),
        json_path: display_path(path),
        suppression: None,
        related: Vec::new(),
        identity: None,
        sources,
    }
}

/// The places of a provenance chain as related locations, nearest first,
/// without the steps written where the finding is (a value written at its
/// place of use has no source elsewhere).
fn sources(chain: &[Source], at: Span, doc: &Document) -> Vec<Related> {
    let here = doc.files.get(at.file as usize);
    let mut out: Vec<Related> = Vec::new();
    for step in chain {
        let s = step.span;
        let Some(file) = step.file.as_ref().or(doc.files.get(s.file as usize)) else {
            continue;
        };
        let covers_finding =
            here.is_some_and(|h| Arc::ptr_eq(h, file)) && s.start <= at.start && at.end <= s.end;
        let repeated = out.last().is_some_and(|r| {
            Arc::ptr_eq(&r.file, file) && (r.start, r.end) == (s.start as usize, s.end as usize)
        });
        if covers_finding || repeated {
            continue;
        }
        out.push(Related {
            message: step.message.clone(),
            file: file.clone(),
            start: s.start as usize,
            end: s.end as usize,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::SourceFile;
    use std::path::Path;

    const DOCKERFILE: &str = "ARG BASE=node:latest\nFROM $BASE AS build\n\
        RUN apt-get update && apt-get install -y curl openssh-server=1:9.2 && apt-get upgrade -y\n\
        RUN pip install requests flask==3.0.0 && curl -fsSL https://x.example/i.sh | sh\n\
        ADD https://x.example/a.tgz /a.tgz\nEXPOSE 22 8080\nFROM busybox\nCMD [\"/usr/sbin/sshd\", \"-D\"]\n";
    const MANIFESTS: &str = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\nspec:\n  containers:\n\
        \x20   - name: a\n      image: nginx\n      ports:\n        - containerPort: 22\n\
        \x20   - name: b\n      image: ghcr.io/x/b:latest\n---\napiVersion: v1\nkind: ConfigMap\n\
        metadata:\n  name: c\ndata:\n  k: v\n";
    const TERRAFORM: &str = "resource \"aws_security_group\" \"a\" {\n  ingress {\n    from_port = 22\n\
        \x20   to_port = 22\n    protocol = \"tcp\"\n    cidr_blocks = [\"0.0.0.0/0\"]\n  }\n}\n\
        module \"vpc\" {\n  source = \"terraform-aws-modules/vpc/aws\"\n}\n\
        resource \"aws_autoscaling_group\" \"a\" {\n  launch_template {\n    id = \"lt-1\"\n\
        \x20   version = \"$Latest\"\n  }\n}\n\
        resource \"aws_ecs_task_definition\" \"a\" {\n  container_definitions = jsonencode([\n\
        \x20   { name = \"a\", image = \"nginx:latest\" },\n    { name = \"b\", image = \"redis\" },\n  ])\n}\n";

    fn documents() -> Vec<Document> {
        let file = |name: &str, text: &str| Arc::new(SourceFile::new(name, text));
        let mut docs = crate::parse::dockerfile(&file("Dockerfile", DOCKERFILE)).documents;
        docs.extend(crate::parse::yaml(&file("k8s.yaml", MANIFESTS)).documents);
        let tf = file("infra/main.tf", TERRAFORM);
        docs.extend(
            crate::parse::terraform_module(Path::new("infra"), &[tf], &Default::default())
                .documents,
        );
        docs
    }

    fn findings(worker: &mut Worker, docs: Vec<Document>) -> Vec<(String, usize, usize, String)> {
        let mut out = Vec::new();
        for mut doc in docs {
            let eval = worker.evaluate(&mut doc).expect("policies load");
            assert!(eval.errors.is_empty(), "{:?}", eval.errors);
            out.extend(
                eval.findings
                    .into_iter()
                    .map(|f| (f.rule_id, f.start, f.end, f.message)),
            );
        }
        out
    }

    #[test]
    fn aggregate_evaluation_finds_exactly_what_per_rule_evaluation_finds() {
        let (set, errors) = PolicySet::load(Vec::new());
        assert!(errors.is_empty(), "{errors:?}");
        let options = EngineOptions {
            config_data: serde_json::json!({ "strict": true }),
            enabled: None,
            ..EngineOptions::default()
        };
        let engines = Engines::new(Arc::new(set), options);
        assert_eq!(
            documents().len(),
            4,
            "one Dockerfile, two manifests, one module"
        );
        let mut aggregated = engines.worker();
        let mut per_rule = engines.worker();
        for kind in [Kind::Dockerfile, Kind::Kubernetes, Kind::Terraform] {
            let mut prepared = engines.prepared(kind).expect("builds").clone();
            assert!(prepared.aggregate.is_some(), "{kind} has an aggregate");
            prepared.aggregate = None;
            per_rule.local.insert(kind, prepared);
        }
        let fast = findings(&mut aggregated, documents());
        let slow = findings(&mut per_rule, documents());
        assert_eq!(fast, slow);
        let ids: std::collections::BTreeSet<&str> = fast.iter().map(|f| f.0.as_str()).collect();
        for id in [
            "TAG001", "TAG002", "TAG003", "SSH001", "SSH003", "UPD006", "VER001", "VER003",
            "VER004", "VER005", "VER006",
        ] {
            assert!(ids.contains(id), "{id} missing from {ids:?}");
        }
    }

    /// Rule IDs found in the manifests of [`documents`] read with `role`,
    /// on the VM, on the interpreter's aggregate and rule by rule.
    fn manifest_rules(role: crate::document::Role) -> [Vec<String>; 3] {
        let manifests = || {
            let file = Arc::new(SourceFile::new("k8s.yaml", MANIFESTS));
            let mut docs = crate::parse::yaml(&file).documents;
            docs.iter_mut().for_each(|d| d.role = role);
            docs
        };
        let run = |interpreter_only: bool, aggregate: bool| {
            let (set, _) = PolicySet::load(Vec::new());
            let options = EngineOptions {
                config_data: serde_json::json!({ "strict": true }),
                interpreter_only,
                ..EngineOptions::default()
            };
            let engines = Engines::new(Arc::new(set), options);
            assert_eq!(engines.runs_on_vm(Kind::Kubernetes), !interpreter_only);
            let mut worker = engines.worker();
            if !aggregate {
                let mut prepared = engines.prepared(Kind::Kubernetes).unwrap().clone();
                prepared.aggregate = None;
                worker.local.insert(Kind::Kubernetes, prepared);
            }
            let mut ids: Vec<String> = findings(&mut worker, manifests())
                .into_iter()
                .map(|f| f.0)
                .collect();
            ids.sort();
            ids.dedup();
            ids
        };
        [run(false, true), run(true, true), run(true, false)]
    }

    #[test]
    fn absence_rules_skip_kustomize_patches_on_every_evaluation_path() {
        use crate::document::Role;
        for ids in manifest_rules(Role::Object) {
            assert!(ids.contains(&"VER006".to_string()), "{ids:?}");
            assert!(ids.contains(&"TAG001".to_string()), "{ids:?}");
        }
        for ids in manifest_rules(Role::Patch) {
            assert!(!ids.contains(&"VER006".to_string()), "{ids:?}");
            assert!(ids.contains(&"TAG001".to_string()), "{ids:?}");
        }
    }

    #[test]
    fn custom_rules_declare_absence_in_their_metadata() {
        let rule = |name: &str, absence: &str| {
            user(
                &format!("u/{name}.rego"),
                &format!(
                    "package acme.kubernetes.{name}\n\nmetadata := {{\"id\": \"{}\", \"title\": \"t\"{absence}}}\n\ndeny contains \"x\" if input.bad\n",
                    name.to_uppercase()
                ),
            )
        };
        let (set, errors) = load(vec![
            rule("missing", ", \"absence\": true"),
            rule("present", ""),
            rule("wrong", ", \"absence\": \"yes\""),
        ]);
        assert_eq!(located(&errors), vec![("u/wrong.rego".to_string(), 1, 1)]);
        let engines = Engines::new(Arc::new(set), EngineOptions::default());
        let ids = |role| {
            let mut doc = deployment(true);
            doc.role = role;
            let eval = engines.worker().evaluate(&mut doc).unwrap();
            let mut ids: Vec<String> = eval.findings.into_iter().map(|f| f.rule_id).collect();
            ids.retain(|id| id == "MISSING" || id == "PRESENT");
            ids.sort();
            ids
        };
        assert_eq!(ids(crate::document::Role::Object), ["MISSING", "PRESENT"]);
        assert_eq!(ids(crate::document::Role::Patch), ["PRESENT"]);
    }

    #[test]
    fn a_single_enabled_rule_of_a_kind_runs_on_the_vm() {
        for only in ["TEAM001", "TAG001"] {
            let rule = user(
                "u/team.rego",
                "package acme.kubernetes.team\n\nmetadata := {\"id\": \"TEAM001\", \"title\": \"t\"}\n\ndeny contains \"x\" if not input.metadata.labels.team\n",
            );
            let (set, errors) = load(vec![rule]);
            assert!(errors.is_empty(), "{errors:?}");
            let options = EngineOptions {
                enabled: Some([only.to_string()].into()),
                ..EngineOptions::default()
            };
            let engines = Engines::new(Arc::new(set), options);
            assert!(engines.runs_on_vm(Kind::Kubernetes), "{only} alone");
            let mut doc = deployment(true);
            let eval = engines.worker().evaluate(&mut doc).expect("loads");
            assert!(eval.errors.is_empty(), "{:?}", eval.errors);
        }
    }

    /// Findings (rule, message) and failed rules of the Dockerfile in
    /// [`documents`] with an instruction budget.
    fn dockerfile_with_budget(budget: usize) -> (Vec<(String, String)>, Vec<RuleError>) {
        let (set, _) = PolicySet::load(Vec::new());
        let options = EngineOptions {
            instruction_budget: Some(budget),
            ..EngineOptions::default()
        };
        let engines = Engines::new(Arc::new(set), options);
        assert!(engines.runs_on_vm(Kind::Dockerfile));
        let mut doc = documents().remove(0);
        assert_eq!(doc.kind, Kind::Dockerfile);
        let eval = engines.worker().evaluate(&mut doc).expect("builds");
        let found = eval
            .findings
            .into_iter()
            .map(|f| (f.rule_id, f.message))
            .collect();
        (found, eval.errors)
    }

    #[test]
    fn a_document_over_the_instruction_budget_is_evaluated_rule_by_rule_on_the_vm() {
        let (all, errors) = dockerfile_with_budget(vm::MAX_INSTRUCTIONS);
        assert!(errors.is_empty(), "{errors:?}");
        let (none, errors) = dockerfile_with_budget(10);
        assert!(none.is_empty());
        let failed: std::collections::BTreeSet<&str> =
            errors.iter().map(|e| e.rule_id.as_str()).collect();
        for (id, _) in &all {
            assert!(failed.contains(id.as_str()), "{id} is named: {errors:?}");
        }
        for e in &errors {
            assert!(e.message.contains("instruction limit"), "{e}");
        }
        // A budget some rules fit in: their findings are exactly the full
        // ones, the other rules are named, and the outcome is the same on
        // every run (work counted, not time).
        let (some, errors) = dockerfile_with_budget(400);
        assert!(
            !some.is_empty() && !errors.is_empty(),
            "{some:?} {errors:?}"
        );
        let failed: Vec<&str> = errors.iter().map(|e| e.rule_id.as_str()).collect();
        let expected: Vec<(String, String)> = all
            .iter()
            .filter(|(id, _)| !failed.contains(&id.as_str()))
            .cloned()
            .collect();
        assert_eq!(some, expected);
        let again = dockerfile_with_budget(400);
        assert_eq!(again.0, some);
        let failed_again: Vec<&str> = again.1.iter().map(|e| e.rule_id.as_str()).collect();
        assert_eq!(failed_again, failed);
    }

    #[test]
    fn builtin_ids_are_read_from_text() {
        assert_eq!(
            builtin_metadata_id("package x\n\nmetadata := {\"id\": \"TAG001\"}\n").as_deref(),
            Some("TAG001")
        );
    }

    #[test]
    fn builtin_policies_load_without_errors() {
        let (set, errors) = PolicySet::load(Vec::new());
        assert!(errors.is_empty(), "{errors:?}");
        for (file, rule) in &set.rules {
            assert!(
                set.catalogue.contains(&rule.info.id),
                "{} uses an ID missing from the catalogue",
                file.path
            );
        }
    }

    fn user(path: &str, text: &str) -> PolicyFile {
        policy::policy_file(path.into(), text.into(), false).expect("has a package")
    }

    fn load(files: Vec<PolicyFile>) -> (PolicySet, Vec<PolicyError>) {
        PolicySet::load_with_catalogue(files, Catalogue::default())
    }

    fn ids(set: &PolicySet) -> Vec<String> {
        set.rules
            .iter()
            .filter(|(f, _)| !f.builtin)
            .map(|(_, r)| r.info.id.clone())
            .collect()
    }

    fn located(errors: &[PolicyError]) -> Vec<(String, u32, u32)> {
        let mut v: Vec<_> = errors
            .iter()
            .map(|e| (e.path.clone(), e.line, e.column))
            .collect();
        v.sort();
        v
    }

    const GOOD_RULE: &str = "package acme.kubernetes.good\n\nimport data.acme.lib.names\n\nmetadata := {\"id\": \"GOOD001\", \"title\": \"good\"}\n\ndeny contains {\"msg\": names.label(\"bad\"), \"path\": [\"bad\"]} if input.bad\n";
    const GOOD_LIB: &str = "package acme.lib.names\n\nlabel(x) := sprintf(\"%s!\", [x])\n";

    #[test]
    fn broken_user_files_are_reported_one_by_one_and_the_rest_still_load() {
        let files = vec![
            user("u/good.rego", GOOD_RULE),
            user("u/names.rego", GOOD_LIB),
            user(
                "u/unsafe.rego",
                "package acme.kubernetes.unsafe\n\nmetadata := {\"id\": \"BAD001\"}\n\ndeny contains \"x\" if { z == 1 }\n",
            ),
            user(
                "u/unsafe_lib.rego",
                "package acme.lib.broken\n\nhelper if {\n  q > 1\n}\n",
            ),
            user(
                "u/recursive.rego",
                "package acme.kubernetes.loop\n\nmetadata := {\"id\": \"BAD002\"}\n\nf(n) := f(n + 1)\n\ndeny contains \"x\" if f(1)\n",
            ),
            user(
                "u/syntax.rego",
                "package acme.kubernetes.syntax\n\ndeny contains \"x\" if {\n",
            ),
        ];
        let (set, errors) = load(files);
        assert_eq!(
            located(&errors),
            vec![
                ("u/recursive.rego".to_string(), 5, 1),
                ("u/syntax.rego".to_string(), 4, 1),
                ("u/unsafe.rego".to_string(), 5, 24),
                ("u/unsafe_lib.rego".to_string(), 4, 3),
            ],
            "{errors:#?}"
        );
        assert_eq!(ids(&set), vec!["GOOD001"]);
        assert!(
            set.rules.iter().any(|(f, _)| f.builtin),
            "built-in rules stay loaded"
        );
        assert!(set.libraries.iter().any(|l| l.path == "u/names.rego"));
        assert!(!set.libraries.iter().any(|l| l.path == "u/unsafe_lib.rego"));
    }

    fn deployment(bad: bool) -> Document {
        let file = Arc::new(crate::document::SourceFile::new(
            "deploy.yaml",
            "kind: Deployment\n",
        ));
        Document::new(
            Kind::Kubernetes,
            file,
            serde_json::json!({"kind": "Deployment", "bad": bad}),
            crate::document::SourceMap::default(),
        )
    }

    /// A rule that fits in its limit on a quiet machine fits on a busy one:
    /// the interpreter's verdict is its CPU time, not the wall clock that
    /// runs on while other threads hold the cores.
    #[cfg(any(target_os = "linux", target_os = "macos"))]
    #[test]
    fn the_interpreter_limit_is_judged_on_cpu_time_not_on_a_busy_clock() {
        let mut engine = new_engine_with_limit(Duration::from_secs(60));
        let policy =
            "package w\n\nspin(n) := count({x | some x in numbers.range(1, n); x % 7 == 0})\n";
        engine.add_policy("w.rego".into(), policy.into()).unwrap();
        // Calibrate: a query that takes at least 100 ms of CPU here.
        let (mut n, mut cost) = (20_000, Duration::ZERO);
        while cost < Duration::from_millis(100) && n < 1_000_000 {
            n *= 2;
            let cpu = clock::thread_cpu_time().unwrap();
            engine
                .eval_query(format!("data.w.spin({n})"), false)
                .unwrap();
            cost = clock::thread_cpu_time().unwrap() - cpu;
        }
        engine
            .add_policy(
                "q.rego".into(),
                format!("package q\n\nr := data.w.spin({n})\n"),
            )
            .unwrap();
        let limit = cost * 3;
        set_time_limit(&mut engine, limit);
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        let spinners: Vec<_> = (0..cores * 5)
            .map(|_| {
                let stop = stop.clone();
                std::thread::spawn(move || {
                    while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                        std::hint::spin_loop();
                    }
                })
            })
            .collect();
        let wall = std::time::Instant::now();
        let result = interpret_rule(&mut engine, "data.q.r", limit);
        let wall = wall.elapsed();
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        spinners.into_iter().for_each(|t| t.join().unwrap());
        assert!(
            result.is_ok(),
            "{result:?} (limit {limit:?}, wall {wall:?})"
        );
        // The machine was busy enough that the wall clock alone would have
        // stopped it.
        assert!(wall > limit, "not loaded: wall {wall:?}, limit {limit:?}");
    }

    #[test]
    fn a_runaway_rule_becomes_a_rule_error_and_the_others_still_report() {
        let slow = user(
            "u/slow.rego",
            "package acme.kubernetes.slow\n\nmetadata := {\"id\": \"SLOW001\", \"title\": \"slow\"}\n\ndeny contains \"never\" if {\n  n := count({true | some i in numbers.range(1, 100000); some j in numbers.range(1, 100000); i * j < 0})\n  n > 0\n}\n",
        );
        let (set, errors) = load(vec![
            slow,
            user("u/good.rego", GOOD_RULE),
            user("u/names.rego", GOOD_LIB),
        ]);
        assert!(errors.is_empty(), "{errors:?}");
        // The clock alone stops it (custom rules run on the VM, whose
        // instruction budget would otherwise stop it first, or not, by load).
        let options = EngineOptions {
            time_limit: Some(Duration::from_millis(200)),
            instruction_budget: Some(usize::MAX),
            ..EngineOptions::default()
        };
        let engines = Engines::new(Arc::new(set), options);
        let mut worker = engines.worker();
        let started = std::time::Instant::now();
        let eval = worker
            .evaluate(&mut deployment(true))
            .expect("engine builds");
        assert!(
            started.elapsed() < Duration::from_secs(4),
            "the configured limit applies: {:?}",
            started.elapsed()
        );
        let failed: Vec<_> = eval.errors.iter().map(|e| e.rule_id.as_str()).collect();
        assert_eq!(failed, vec!["SLOW001"], "{:?}", eval.errors);
        assert!(
            eval.errors[0].message.contains("time limit"),
            "{}",
            eval.errors[0]
        );
        assert!(eval.errors[0].to_string().contains("u/slow.rego"));
        let found: Vec<_> = eval
            .findings
            .iter()
            .map(|f| (f.rule_id.as_str(), f.message.as_str()))
            .collect();
        assert_eq!(found, vec![("GOOD001", "bad!")]);
    }

    #[test]
    fn rules_that_only_break_together_are_left_out_one_by_one() {
        // Each file passes its own checks, but `a` defines function
        // `data.acme.kubernetes.b.f` with one argument (a ref head) and `b`
        // defines it with two: the shared engine cannot load both.
        let a = user(
            "u/a.rego",
            "package acme.kubernetes\n\nmetadata := {\"id\": \"PAIR001\", \"title\": \"a\"}\n\nb.f(x) := x\n\ndeny contains \"a\" if input.bad\n",
        );
        let b = user(
            "u/b.rego",
            "package acme.kubernetes.b\n\nmetadata := {\"id\": \"PAIR002\", \"title\": \"b\"}\n\nf(x, y) := x + y\n\ndeny contains \"b\" if input.bad\n",
        );
        let (set, errors) = load(vec![a, b]);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(ids(&set), vec!["PAIR001", "PAIR002"]);
        let engines = Engines::new(Arc::new(set), EngineOptions::default());
        let mut worker = engines.worker();
        let eval = worker
            .evaluate(&mut deployment(true))
            .expect("engine builds");
        let found: Vec<_> = eval.findings.iter().map(|f| f.rule_id.as_str()).collect();
        assert_eq!(found, vec!["PAIR001"]);
        assert_eq!(
            located(&engines.load_errors()),
            vec![("u/b.rego".to_string(), 5, 1)]
        );
    }

    #[test]
    fn policies_are_sandboxed() {
        let mut engine = new_engine();
        engine
            .add_policy(
                "s.rego".into(),
                "package s\n\nr := rand.intn(\"a\", 10)\n\nt := time.now_ns()\n\nh := http.send({\"url\": \"http://x\"})\n\nrt := opa.runtime()\n".into(),
            )
            .unwrap();
        for (rule, want) in [
            ("r", "must be deterministic"),
            ("t", "could not find function time.now_ns"),
            ("h", "could not find function http.send"),
            ("rt", "could not find function opa.runtime"),
        ] {
            let err = engine
                .eval_rule(format!("data.s.{rule}"))
                .expect_err(rule)
                .to_string();
            assert!(err.contains(want), "{rule}: {err}");
        }
    }
}
