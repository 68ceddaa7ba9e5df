//! `gen-corpus`: writes a deterministic, realistic synthetic infrastructure
//! repository for benchmarking `driftless scan` (issue 7, BENCHMARKS.md).
//!
//! Proportions follow a real ~3,300-file IaC repository: 1,900 Terraform
//! files (modules of 3–8 files), 1,100 multi-document Kubernetes manifests,
//! 250 multi-stage Dockerfiles and a few non-IaC files, ~4.5 KB per file on
//! average. About 10% of the files carry exactly one planted violation of a
//! known rule; everything else is written to be clean under the default rule
//! set, so the expected findings are known. The same seed always yields the
//! same bytes (a splitmix64 PRNG, no `rand` dependency).
//!
//! ```text
//! cargo run --release -p xtask --bin gen-corpus -- --files 10000 [--seed 7] OUT_DIR
//! ```
//!
//! `OUT_DIR` must be absent or empty. A summary (files and bytes per kind,
//! objects generated, planted violations per rule with file and line) is
//! printed and written to `OUT_DIR/CORPUS.json`.

use std::collections::BTreeMap;
use std::fmt::{self, Write as _};
use std::io;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

const USAGE: &str = "usage: gen-corpus [--files N] [--seed S] [--violations FRACTION] OUT_DIR

Writes a synthetic IaC repository of N files (default 3300) into OUT_DIR
(absent or empty): Terraform modules, Kubernetes manifests and Dockerfiles in
the proportions 1900:1100:250 (plus ~1.5% READMEs), with about FRACTION
(default 0.10) of the files carrying one planted violation. The summary is
printed and written to OUT_DIR/CORPUS.json.";

/// Shares of a real 3,300-file repository.
const TF_SHARE: f64 = 1900.0 / 3300.0;
const K8S_SHARE: f64 = 1100.0 / 3300.0;
const DOCKER_SHARE: f64 = 250.0 / 3300.0;

/// Runs `gen-corpus` with its command-line arguments (without the program
/// name) and returns its exit code: the binary and the tests that need a
/// generated repository (tests/vm.rs) share this entry point.
pub fn main_with_args(args: &[String]) -> ExitCode {
    let (config, out) = match parse_args(args) {
        Ok(parsed) => parsed,
        Err(message) => {
            eprintln!("error: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(&config, &out) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// What to generate.
#[derive(Clone, Debug, PartialEq)]
struct Config {
    files: usize,
    seed: u64,
    violation_share: f64,
}

fn parse_args(args: &[String]) -> Result<(Config, PathBuf), String> {
    let mut config = Config {
        files: 3300,
        seed: 7,
        violation_share: 0.10,
    };
    let mut out = None;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let mut value = |name: &str| {
            it.next()
                .cloned()
                .ok_or_else(|| format!("{name} needs a value"))
        };
        match arg.as_str() {
            "-h" | "--help" => return Err("help requested".into()),
            "--files" => config.files = number(&value("--files")?)?,
            "--seed" => config.seed = number(&value("--seed")?)?,
            "--violations" => {
                let v = value("--violations")?;
                config.violation_share = v
                    .parse::<f64>()
                    .ok()
                    .filter(|f| (0.0..=1.0).contains(f))
                    .ok_or_else(|| format!("--violations: `{v}` is not a fraction in 0..=1"))?;
            }
            other if other.starts_with('-') => return Err(format!("unknown option `{other}`")),
            other if out.is_none() => out = Some(PathBuf::from(other)),
            other => return Err(format!("unexpected argument `{other}`")),
        }
    }
    let out = out.ok_or("missing OUT_DIR")?;
    if config.files == 0 {
        return Err("--files must be at least 1".into());
    }
    Ok((config, out))
}

fn number<T: std::str::FromStr>(text: &str) -> Result<T, String> {
    text.replace('_', "")
        .parse()
        .map_err(|_| format!("`{text}` is not a number"))
}

/// Generates into `out` (absent or empty) and writes the summary.
fn run(config: &Config, out: &Path) -> io::Result<()> {
    if out.exists() && std::fs::read_dir(out)?.next().is_some() {
        return Err(io::Error::other(format!(
            "{} is not empty; choose a new directory",
            out.display()
        )));
    }
    std::fs::create_dir_all(out)?;
    let mut write = |rel: &str, text: &str| -> io::Result<()> {
        let path = out.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(path, text)
    };
    let summary = generate(config, &mut write)?;
    let json = serde_json::to_string_pretty(&summary.to_json()).map_err(io::Error::other)?;
    std::fs::write(out.join("CORPUS.json"), json + "\n")?;
    print!("{}", summary.render(out));
    Ok(())
}

// ---------------------------------------------------------------------------
// Randomness

/// splitmix64: tiny, fast, good enough for synthetic text, and stable across
/// platforms and Rust versions (unlike `std`'s hashers).
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x5DEE_CE66_D1CE_4E5B)
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`; 0 when `n == 0`).
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            return 0;
        }
        (self.next_u64() % n as u64) as usize
    }

    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi.saturating_sub(lo) + 1)
    }

    fn chance(&mut self, p: f64) -> bool {
        ((self.next_u64() >> 11) as f64 / (1u64 << 53) as f64) < p
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// `k` distinct items in a random order.
    fn sample<T: Clone>(&mut self, items: &[T], k: usize) -> Vec<T> {
        let mut pool: Vec<T> = items.to_vec();
        for i in (1..pool.len()).rev() {
            let j = self.below(i + 1);
            pool.swap(i, j);
        }
        pool.truncate(k);
        pool
    }

    /// Between `lo` and `hi` distinct items in a random order.
    fn some<T: Clone>(&mut self, items: &[T], lo: usize, hi: usize) -> Vec<T> {
        let k = self.range(lo, hi);
        self.sample(items, k)
    }

    fn hex(&mut self, len: usize) -> String {
        let mut s = String::with_capacity(len);
        while s.len() < len {
            let _ = write!(s, "{:016x}", self.next_u64());
        }
        s.truncate(len);
        s
    }
}

// ---------------------------------------------------------------------------
// Rules and the summary

/// The violations the generator plants. Everything else it writes is meant
/// to be clean under driftless's default (non-strict) rules.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Rule {
    /// Image with the `latest` tag.
    Tag001,
    /// Image without tag or digest.
    Tag002,
    /// SSH (22) open to 0.0.0.0/0 in a security group ingress block.
    Ssh001,
    /// `remote-exec` provisioner (with its SSH `connection`) on an instance.
    Upd003,
    /// Registry module without `version`, or git module without `?ref=`.
    Ver001,
    /// Auto Scaling group using launch template version `$Latest`.
    Ver003,
    /// One package installed without a version pin (apt, apk, pip, npm).
    Ver004,
}

impl Rule {
    const ALL: [Rule; 7] = [
        Rule::Tag001,
        Rule::Tag002,
        Rule::Ssh001,
        Rule::Upd003,
        Rule::Ver001,
        Rule::Ver003,
        Rule::Ver004,
    ];

    fn id(self) -> &'static str {
        match self {
            Rule::Tag001 => "TAG001",
            Rule::Tag002 => "TAG002",
            Rule::Ssh001 => "SSH001",
            Rule::Upd003 => "UPD003",
            Rule::Ver001 => "VER001",
            Rule::Ver003 => "VER003",
            Rule::Ver004 => "VER004",
        }
    }

    fn what(self) -> &'static str {
        match self {
            Rule::Tag001 => "image with the latest tag",
            Rule::Tag002 => "image without tag or digest",
            Rule::Ssh001 => "SSH ingress from 0.0.0.0/0",
            Rule::Upd003 => "remote-exec provisioner with an SSH connection",
            Rule::Ver001 => "module source without version or ref",
            Rule::Ver003 => "launch template version $Latest",
            Rule::Ver004 => "package installed without a version pin",
        }
    }
}

/// The category a generated file belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum FileClass {
    Terraform,
    Kubernetes,
    Dockerfile,
    Other,
}

impl FileClass {
    fn name(self) -> &'static str {
        match self {
            FileClass::Terraform => "terraform",
            FileClass::Kubernetes => "kubernetes",
            FileClass::Dockerfile => "dockerfile",
            FileClass::Other => "other",
        }
    }
}

/// One planted violation: its rule and where it is (1-based line of the
/// offending construct).
#[derive(Clone, Debug, PartialEq)]
struct Planted {
    rule: Rule,
    file: String,
    line: usize,
}

/// What was generated, for the console and `CORPUS.json`.
#[derive(Debug, Default, PartialEq)]
struct Summary {
    seed: u64,
    requested_files: usize,
    violation_share: f64,
    files: BTreeMap<FileClass, (usize, u64)>,
    terraform_modules: usize,
    terraform_root_modules: usize,
    terraform_blocks: BTreeMap<String, usize>,
    kubernetes_objects: BTreeMap<&'static str, usize>,
    dockerfile_stages: usize,
    planted: Vec<Planted>,
}

impl Summary {
    fn total_files(&self) -> usize {
        self.files.values().map(|(n, _)| n).sum()
    }

    fn total_bytes(&self) -> u64 {
        self.files.values().map(|(_, b)| b).sum()
    }

    #[cfg(test)]
    fn files_of(&self, class: FileClass) -> usize {
        self.files.get(&class).map_or(0, |(n, _)| *n)
    }

    fn files_with_violations(&self) -> usize {
        let mut files: Vec<&str> = self.planted.iter().map(|p| p.file.as_str()).collect();
        files.sort_unstable();
        files.dedup();
        files.len()
    }

    fn per_rule(&self) -> BTreeMap<Rule, usize> {
        let mut counts: BTreeMap<Rule, usize> = Rule::ALL.iter().map(|r| (*r, 0)).collect();
        for p in &self.planted {
            *counts.entry(p.rule).or_default() += 1;
        }
        counts
    }

    fn to_json(&self) -> serde_json::Value {
        use serde_json::json;
        let files: serde_json::Map<String, serde_json::Value> = self
            .files
            .iter()
            .map(|(c, (n, b))| (c.name().to_string(), json!({ "files": n, "bytes": b })))
            .collect();
        let rules: serde_json::Map<String, serde_json::Value> = self
            .per_rule()
            .into_iter()
            .map(|(r, n)| {
                (
                    r.id().to_string(),
                    json!({ "planted": n, "what": r.what() }),
                )
            })
            .collect();
        let planted: Vec<serde_json::Value> = self
            .planted
            .iter()
            .map(|p| json!({ "rule": p.rule.id(), "file": p.file, "line": p.line }))
            .collect();
        json!({
            "generator": "gen-corpus",
            "seed": self.seed,
            "requested_files": self.requested_files,
            "files": self.total_files(),
            "bytes": self.total_bytes(),
            "by_kind": files,
            "terraform": {
                "modules": self.terraform_modules,
                "root_modules": self.terraform_root_modules,
                "blocks": self.terraform_blocks,
            },
            "kubernetes": { "objects": self.kubernetes_objects },
            "dockerfile": { "stages": self.dockerfile_stages },
            "violations": {
                "target_share": self.violation_share,
                "files_with_violations": self.files_with_violations(),
                "planted": self.planted.len(),
                "by_rule": rules,
                "list": planted,
            },
        })
    }

    fn render(&self, out: &Path) -> String {
        let mut s = String::new();
        let total = self.total_files();
        let _ = writeln!(
            s,
            "gen-corpus: seed {} wrote {} files, {:.1} MB ({:.1} KB/file) to {}",
            self.seed,
            total,
            self.total_bytes() as f64 / 1e6,
            self.total_bytes() as f64 / 1e3 / total.max(1) as f64,
            out.display()
        );
        for (class, (n, bytes)) in &self.files {
            let _ = writeln!(
                s,
                "  {:<11} {:>7} files {:>9.1} KB",
                class.name(),
                n,
                *bytes as f64 / 1e3
            );
        }
        let _ = writeln!(
            s,
            "  terraform modules: {} ({} root), {} blocks",
            self.terraform_modules,
            self.terraform_root_modules,
            self.terraform_blocks.values().sum::<usize>()
        );
        let objects: Vec<String> = self
            .kubernetes_objects
            .iter()
            .map(|(k, n)| format!("{k} {n}"))
            .collect();
        let _ = writeln!(s, "  kubernetes objects: {}", objects.join(", "));
        let _ = writeln!(s, "  dockerfile stages: {}", self.dockerfile_stages);
        let with = self.files_with_violations();
        let _ = writeln!(
            s,
            "  planted violations: {} in {} files ({:.1}% of files)",
            self.planted.len(),
            with,
            100.0 * with as f64 / total.max(1) as f64
        );
        for (rule, n) in self.per_rule() {
            let _ = writeln!(s, "    {} {:>6}  {}", rule.id(), n, rule.what());
        }
        s
    }
}

// ---------------------------------------------------------------------------
// Text building

/// A file being written, with the violations planted in it.
struct FileBuf {
    text: String,
    planted: Vec<(Rule, usize)>,
}

impl FileBuf {
    fn new() -> FileBuf {
        FileBuf {
            text: String::with_capacity(8 * 1024),
            planted: Vec::new(),
        }
    }

    fn line(&mut self, indent: usize, args: fmt::Arguments) {
        for _ in 0..indent {
            self.text.push(' ');
        }
        let _ = self.text.write_fmt(args);
        self.text.push('\n');
    }

    fn blank(&mut self) {
        self.text.push('\n');
    }

    /// Records a violation on the line about to be written.
    fn mark(&mut self, rule: Rule) {
        let line = self.text.bytes().filter(|b| *b == b'\n').count() + 1;
        self.planted.push((rule, line));
    }
}

/// `w!(file, indent, "format", args…)` writes one indented line.
macro_rules! w {
    ($fb:expr, $ind:expr, $($arg:tt)*) => {
        $fb.line($ind, format_args!($($arg)*))
    };
}

/// The violation a file should carry, consumed by the first place able to
/// hold it.
struct Plant(Option<Rule>);

impl Plant {
    fn take(&mut self, rule: Rule) -> bool {
        if self.0 == Some(rule) {
            self.0 = None;
            true
        } else {
            false
        }
    }
}

// ---------------------------------------------------------------------------
// Vocabulary

const APPS: &[&str] = &[
    "checkout",
    "payments",
    "billing",
    "ledger",
    "search",
    "catalog",
    "inventory",
    "orders",
    "shipping",
    "pricing",
    "reviews",
    "recommend",
    "auth",
    "identity",
    "gateway",
    "notify",
    "mailer",
    "reports",
    "analytics",
    "media",
    "profile",
    "cart",
    "fraud",
    "loyalty",
    "tickets",
    "scheduler",
    "ingest",
    "exporter",
    "webhooks",
    "audit",
];
const ROLES: &[&str] = &["api", "worker", "web", "consumer", "cron", "sync", "svc"];
const TEAMS: &[&str] = &[
    "platform", "commerce", "data", "identity", "growth", "core", "edge", "finance",
];
const ENVS: &[&str] = &["prod", "staging", "dev", "qa"];
const REGIONS: &[&str] = &["eu-west-1", "eu-central-1", "us-east-1", "us-west-2"];
const INSTANCE_TYPES: &[&str] = &[
    "t3.medium",
    "m6i.large",
    "m6i.xlarge",
    "c6i.large",
    "r6i.large",
];
const REGISTRIES: &[&str] = &[
    "ghcr.io/example-org",
    "123456789012.dkr.ecr.eu-west-1.amazonaws.com",
    "registry.example.com:5000/apps",
    "europe-docker.pkg.dev/example-prod/apps",
];
const SIDECARS: &[(&str, &str, &str)] = &[
    ("envoy", "envoyproxy/envoy", "v1.30.2"),
    (
        "otel-collector",
        "otel/opentelemetry-collector-contrib",
        "0.103.1",
    ),
    ("fluent-bit", "cr.fluentbit.io/fluent/fluent-bit", "3.0.7"),
    (
        "cloud-sql-proxy",
        "gcr.io/cloud-sql-connectors/cloud-sql-proxy",
        "2.11.4",
    ),
    ("vault-agent", "hashicorp/vault", "1.17.1"),
    ("istio-proxy", "docker.io/istio/proxyv2", "1.22.2"),
];
/// Images planted as untagged (TAG002) — note the registry with a port.
const UNTAGGED: &[&str] = &[
    "busybox",
    "redis",
    "registry.example.com:5000/tools/debug",
    "datadog/agent",
    "nginx",
    "ghcr.io/example-org/migrator",
];
const ENV_NAMES: &[&str] = &[
    "LOG_LEVEL",
    "LOG_FORMAT",
    "HTTP_PORT",
    "METRICS_PORT",
    "OTEL_EXPORTER_OTLP_ENDPOINT",
    "OTEL_SERVICE_NAME",
    "FEATURE_FLAGS_URL",
    "CACHE_TTL_SECONDS",
    "MAX_CONNECTIONS",
    "REQUEST_TIMEOUT_MS",
    "REDIS_URL",
    "KAFKA_BROKERS",
    "GOMAXPROCS",
    "TZ",
    "REGION",
    "SENTRY_ENVIRONMENT",
];

// ---------------------------------------------------------------------------
// The generator

struct Gen<'a> {
    rng: Rng,
    config: Config,
    /// Accumulates `violation_share` per file; a capable file takes a
    /// violation when it reaches 1, so the share holds over any corpus size.
    budget: f64,
    summary: Summary,
    sink: &'a mut dyn FnMut(&str, &str) -> io::Result<()>,
    serial: usize,
}

/// Generates the corpus, handing each file (relative path, text) to `sink`.
fn generate(
    config: &Config,
    sink: &mut dyn FnMut(&str, &str) -> io::Result<()>,
) -> io::Result<Summary> {
    let n = config.files;
    let tf = (n as f64 * TF_SHARE).round() as usize;
    let k8s = (n as f64 * K8S_SHARE).round() as usize;
    let docker = (n as f64 * DOCKER_SHARE).round() as usize;
    let (tf, k8s, docker) = fit_counts(n, tf, k8s, docker);
    let other = n - tf - k8s - docker;
    let mut g = Gen {
        rng: Rng::new(config.seed),
        config: config.clone(),
        budget: 0.0,
        summary: Summary {
            seed: config.seed,
            requested_files: n,
            violation_share: config.violation_share,
            ..Summary::default()
        },
        sink,
        serial: 0,
    };
    g.terraform(tf)?;
    g.kubernetes(k8s)?;
    g.dockerfiles(docker)?;
    g.others(other)?;
    Ok(g.summary)
}

/// Rounding can overshoot tiny corpora: trim the largest share first.
fn fit_counts(n: usize, mut tf: usize, mut k8s: usize, mut docker: usize) -> (usize, usize, usize) {
    while tf + k8s + docker > n {
        if tf >= k8s && tf > 0 {
            tf -= 1;
        } else if k8s > 0 {
            k8s -= 1;
        } else {
            docker -= 1;
        }
    }
    (tf, k8s, docker)
}

impl Gen<'_> {
    fn next_serial(&mut self) -> usize {
        self.serial += 1;
        self.serial
    }

    /// Whether the next file should carry a violation.
    fn decide(&mut self, capable: bool) -> bool {
        self.budget += self.config.violation_share;
        if capable && self.budget >= 1.0 && self.rng.chance(0.6) {
            self.budget -= 1.0;
            true
        } else {
            false
        }
    }

    fn emit(&mut self, class: FileClass, path: &str, fb: FileBuf) -> io::Result<()> {
        (self.sink)(path, &fb.text)?;
        let entry = self.summary.files.entry(class).or_default();
        entry.0 += 1;
        entry.1 += fb.text.len() as u64;
        for (rule, line) in fb.planted {
            self.summary.planted.push(Planted {
                rule,
                file: path.to_string(),
                line,
            });
        }
        if class == FileClass::Terraform {
            for l in fb.text.lines() {
                let mut words = l.split('"');
                let head = words.next().unwrap_or("").trim();
                if matches!(head, "resource" | "data" | "module") && !l.starts_with(' ') {
                    let ty = if head == "module" {
                        "module".to_string()
                    } else {
                        format!("{head}.{}", words.next().unwrap_or(""))
                    };
                    *self.summary.terraform_blocks.entry(ty).or_default() += 1;
                }
            }
        }
        Ok(())
    }

    /// Resource names within one section: always `app`, sometimes more.
    fn tiers(&mut self) -> Vec<&'static str> {
        let mut tiers = vec!["app"];
        tiers.extend(
            self.rng
                .some(&["worker", "admin", "batch", "internal"], 0, 3),
        );
        tiers
    }

    fn app_name(&mut self) -> String {
        let app = *self.rng.pick(APPS);
        let role = *self.rng.pick(ROLES);
        format!("{app}-{role}")
    }

    fn version(&mut self) -> String {
        format!(
            "{}.{}.{}",
            self.rng.range(0, 4),
            self.rng.range(0, 30),
            self.rng.range(0, 20)
        )
    }

    /// A pinned image reference: a tag, sometimes also a digest.
    fn pinned_image(&mut self, app: &str) -> String {
        let registry = *self.rng.pick(REGISTRIES);
        let version = self.version();
        if self.rng.chance(0.15) {
            format!("{registry}/{app}:{version}@sha256:{}", self.rng.hex(64))
        } else {
            format!("{registry}/{app}:{version}")
        }
    }

    /// An image reference, or the planted bad one when `plant` asks for it.
    fn image_or_plant(&mut self, fb: &mut FileBuf, plant: &mut Plant, app: &str) -> String {
        if plant.take(Rule::Tag001) {
            fb.mark(Rule::Tag001);
            format!("{}/{app}:latest", self.rng.pick(REGISTRIES))
        } else if plant.take(Rule::Tag002) {
            fb.mark(Rule::Tag002);
            self.rng.pick(UNTAGGED).to_string()
        } else {
            self.pinned_image(app)
        }
    }

    fn others(&mut self, n: usize) -> io::Result<()> {
        for _ in 0..n {
            let serial = self.next_serial();
            let app = self.app_name();
            let mut fb = FileBuf::new();
            w!(fb, 0, "# {app}");
            fb.blank();
            for _ in 0..self.rng.range(3, 12) {
                w!(
                    fb,
                    0,
                    "The {app} service is deployed by the platform pipeline. Images are built from \
                     `services/{app}` and promoted between environments by digest."
                );
                fb.blank();
            }
            let path = format!("docs/{}/{app}-{serial}.md", self.rng.pick(TEAMS));
            self.emit(FileClass::Other, &path, fb)?;
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------
// Terraform

/// Parts of a Terraform module, each written into one file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Section {
    Settings,
    Providers,
    Locals,
    Data,
    Variables,
    Outputs,
    Tfvars,
    Security,
    Compute,
    Ecs,
    K8s,
    Iam,
    Storage,
    Modules,
}

impl Section {
    fn rules(self) -> &'static [Rule] {
        match self {
            Section::Security => &[Rule::Ssh001],
            Section::Compute => &[Rule::Ver003, Rule::Upd003],
            Section::Ecs | Section::K8s => &[Rule::Tag001, Rule::Tag002],
            Section::Modules => &[Rule::Ver001],
            _ => &[],
        }
    }
}

const RESOURCE_FILES: &[(&str, Section)] = &[
    ("security.tf", Section::Security),
    ("compute.tf", Section::Compute),
    ("ecs.tf", Section::Ecs),
    ("k8s.tf", Section::K8s),
    ("iam.tf", Section::Iam),
    ("storage.tf", Section::Storage),
];

/// What every section of one module may refer to.
struct ModCtx {
    name: String,
    root: bool,
    sections: Vec<Section>,
    port: u16,
}

impl Gen<'_> {
    fn terraform(&mut self, mut remaining: usize) -> io::Result<()> {
        while remaining > 0 {
            let want = self.rng.range(3, 8).min(remaining);
            let root = self.rng.chance(0.25);
            let plan = if root {
                self.plan_root(want)
            } else {
                self.plan_service(want)
            };
            remaining -= plan.len();
            self.write_module(plan, root)?;
        }
        Ok(())
    }

    /// Files of a reusable service module and the sections in each.
    fn plan_service(&mut self, n: usize) -> Vec<(String, Vec<Section>)> {
        let mut files: Vec<(String, Vec<Section>)> = vec![("main.tf".into(), Vec::new())];
        if n >= 2 {
            files.push(("variables.tf".into(), vec![Section::Variables]));
        }
        if n >= 3 {
            files.push(("outputs.tf".into(), vec![Section::Outputs]));
        }
        let optional: Vec<(&str, Section)> = [
            ("locals.tf", Section::Locals),
            ("versions.tf", Section::Settings),
            ("data.tf", Section::Data),
        ]
        .into_iter()
        .chain(RESOURCE_FILES.iter().copied())
        .collect();
        for (name, section) in self.rng.sample(&optional, n.saturating_sub(3)) {
            files.push((name.to_string(), vec![section]));
        }
        let placed: Vec<Section> = files.iter().flat_map(|(_, s)| s.clone()).collect();
        let mut main = Vec::new();
        for s in [Section::Settings, Section::Locals, Section::Data] {
            if !placed.contains(&s) {
                main.push(s);
            }
        }
        if n < 2 {
            main.push(Section::Variables);
        }
        let free: Vec<Section> = RESOURCE_FILES
            .iter()
            .map(|(_, s)| *s)
            .filter(|s| !placed.contains(s))
            .collect();
        let extra = if placed.iter().any(|s| !s.rules().is_empty()) {
            self.rng.range(1, 2)
        } else {
            self.rng.range(2, 3)
        };
        main.extend(self.rng.sample(&free, extra));
        if self.rng.chance(0.3) || main.iter().all(|s| s.rules().is_empty()) {
            main.push(Section::Modules);
        }
        files[0].1 = main;
        files
    }

    /// Files of a root (environment) module.
    fn plan_root(&mut self, n: usize) -> Vec<(String, Vec<Section>)> {
        let mut files: Vec<(String, Vec<Section>)> = vec![("main.tf".into(), Vec::new())];
        if n >= 2 {
            files.push(("variables.tf".into(), vec![Section::Variables]));
        }
        if n >= 3 {
            files.push(("outputs.tf".into(), vec![Section::Outputs]));
        }
        let optional = [
            ("versions.tf", Section::Settings),
            ("providers.tf", Section::Providers),
            ("locals.tf", Section::Locals),
            ("terraform.tfvars", Section::Tfvars),
            ("data.tf", Section::Data),
        ];
        for (name, section) in self.rng.sample(&optional, n.saturating_sub(3)) {
            files.push((name.to_string(), vec![section]));
        }
        let placed: Vec<Section> = files.iter().flat_map(|(_, s)| s.clone()).collect();
        let mut main = Vec::new();
        for s in [Section::Settings, Section::Providers, Section::Locals] {
            if !placed.contains(&s) {
                main.push(s);
            }
        }
        if n < 2 {
            main.push(Section::Variables);
        }
        main.push(Section::Modules);
        files[0].1 = main;
        files
    }

    fn write_module(&mut self, plan: Vec<(String, Vec<Section>)>, root: bool) -> io::Result<()> {
        let serial = self.next_serial();
        let name = self.app_name();
        let team = *self.rng.pick(TEAMS);
        let dir = if root {
            format!(
                "terraform/live/{}/{team}/{name}-{serial}",
                self.rng.pick(ENVS)
            )
        } else {
            format!("terraform/modules/{team}/{name}-{serial}")
        };
        let ctx = ModCtx {
            name,
            root,
            sections: plan.iter().flat_map(|(_, s)| s.clone()).collect(),
            port: *self.rng.pick(&[8080u16, 8000, 3000, 9000, 8443]),
        };
        self.summary.terraform_modules += 1;
        self.summary.terraform_root_modules += usize::from(root);
        for (file, sections) in plan {
            let capable = sections.iter().any(|s| !s.rules().is_empty());
            let mut plant = Plant(None);
            if self.decide(capable) {
                let rules: Vec<Rule> = sections.iter().flat_map(|s| s.rules()).copied().collect();
                plant.0 = Some(*self.rng.pick(&rules));
            }
            let mut fb = FileBuf::new();
            for section in sections {
                self.section(&mut fb, section, &ctx, &mut plant);
            }
            debug_assert!(plant.0.is_none(), "unplaced violation in {dir}/{file}");
            self.emit(FileClass::Terraform, &format!("{dir}/{file}"), fb)?;
        }
        Ok(())
    }

    fn section(&mut self, fb: &mut FileBuf, section: Section, ctx: &ModCtx, plant: &mut Plant) {
        match section {
            Section::Settings => self.tf_settings(fb, ctx),
            Section::Providers => self.tf_providers(fb),
            Section::Locals => self.tf_locals(fb, ctx),
            Section::Data => self.tf_data(fb, ctx),
            Section::Variables => self.tf_variables(fb, ctx),
            Section::Outputs => self.tf_outputs(fb, ctx),
            Section::Tfvars => self.tf_vars(fb, ctx),
            Section::Security => self.tf_security(fb, ctx, plant),
            Section::Compute => self.tf_compute(fb, ctx, plant),
            Section::Ecs => self.tf_ecs(fb, ctx, plant),
            Section::K8s => self.tf_k8s(fb, ctx, plant),
            Section::Iam => self.tf_iam(fb),
            Section::Storage => self.tf_storage(fb),
            Section::Modules => self.tf_modules(fb, ctx, plant),
        }
    }

    fn tf_settings(&mut self, fb: &mut FileBuf, ctx: &ModCtx) {
        w!(fb, 0, "terraform {{");
        w!(fb, 2, "required_version = \">= 1.6.0, < 2.0.0\"");
        fb.blank();
        w!(fb, 2, "required_providers {{");
        w!(fb, 4, "aws = {{");
        w!(fb, 6, "source  = \"hashicorp/aws\"");
        w!(fb, 6, "version = \"~> 5.{}\"", self.rng.range(30, 60));
        w!(fb, 4, "}}");
        w!(fb, 4, "kubernetes = {{");
        w!(fb, 6, "source  = \"hashicorp/kubernetes\"");
        w!(fb, 6, "version = \">= 2.27.0, < 3.0.0\"");
        w!(fb, 4, "}}");
        if self.rng.chance(0.5) {
            w!(fb, 4, "random = {{");
            w!(fb, 6, "source  = \"hashicorp/random\"");
            w!(fb, 6, "version = \"3.6.2\"");
            w!(fb, 4, "}}");
        }
        w!(fb, 2, "}}");
        if ctx.root {
            fb.blank();
            w!(fb, 2, "backend \"s3\" {{");
            w!(fb, 4, "bucket         = \"example-terraform-state\"");
            w!(fb, 4, "key            = \"{}/terraform.tfstate\"", ctx.name);
            w!(fb, 4, "region         = \"eu-west-1\"");
            w!(fb, 4, "dynamodb_table = \"terraform-locks\"");
            w!(fb, 4, "encrypt        = true");
            w!(fb, 2, "}}");
        }
        w!(fb, 0, "}}");
        fb.blank();
    }

    fn tf_providers(&mut self, fb: &mut FileBuf) {
        w!(fb, 0, "provider \"aws\" {{");
        w!(fb, 2, "region = var.region");
        fb.blank();
        w!(fb, 2, "assume_role {{");
        w!(
            fb,
            4,
            "role_arn     = \"arn:aws:iam::123456789012:role/terraform-${{var.environment}}\""
        );
        w!(fb, 4, "session_name = \"terraform\"");
        w!(fb, 2, "}}");
        fb.blank();
        w!(fb, 2, "default_tags {{");
        w!(fb, 4, "tags = {{");
        w!(fb, 6, "Environment = var.environment");
        w!(fb, 6, "ManagedBy   = \"terraform\"");
        w!(fb, 6, "Repository  = \"example-org/infrastructure\"");
        w!(fb, 4, "}}");
        w!(fb, 2, "}}");
        w!(fb, 0, "}}");
        fb.blank();
        w!(fb, 0, "provider \"kubernetes\" {{");
        w!(fb, 2, "config_path    = \"~/.kube/config\"");
        w!(fb, 2, "config_context = \"${{var.environment}}-cluster\"");
        w!(fb, 0, "}}");
        fb.blank();
    }

    fn tf_locals(&mut self, fb: &mut FileBuf, ctx: &ModCtx) {
        w!(fb, 0, "locals {{");
        w!(fb, 2, "name = \"${{var.name}}-${{var.environment}}\"");
        w!(fb, 2, "common_tags = merge(var.tags, {{");
        w!(fb, 4, "Service     = var.name");
        w!(fb, 4, "Environment = var.environment");
        w!(fb, 4, "Team        = \"{}\"", self.rng.pick(TEAMS));
        w!(fb, 4, "ManagedBy   = \"terraform\"");
        w!(fb, 2, "}})");
        w!(
            fb,
            2,
            "image          = \"${{var.registry}}/${{var.name}}:${{var.image_tag}}\""
        );
        w!(fb, 2, "container_port = {}", ctx.port);
        w!(fb, 2, "labels = {{");
        w!(fb, 4, "\"app.kubernetes.io/name\"       = var.name");
        w!(fb, 4, "\"app.kubernetes.io/part-of\"    = \"{}\"", ctx.name);
        w!(fb, 4, "\"app.kubernetes.io/managed-by\" = \"terraform\"");
        w!(fb, 2, "}}");
        w!(
            fb,
            2,
            "log_group = \"/ecs/${{var.environment}}/${{var.name}}\""
        );
        w!(
            fb,
            2,
            "azs       = [for s in [\"a\", \"b\", \"c\"] : \"${{var.region}}${{s}}\"]"
        );
        for i in 0..self.rng.range(0, 4) {
            w!(
                fb,
                2,
                "feature_{i} = lookup(var.features, \"feature_{i}\", {})",
                self.rng.chance(0.5)
            );
        }
        w!(fb, 0, "}}");
        fb.blank();
    }

    fn tf_data(&mut self, fb: &mut FileBuf, ctx: &ModCtx) {
        w!(fb, 0, "data \"aws_caller_identity\" \"current\" {{}}");
        fb.blank();
        w!(fb, 0, "data \"aws_region\" \"current\" {{}}");
        fb.blank();
        if ctx.root {
            return;
        }
        w!(fb, 0, "data \"aws_ami\" \"app\" {{");
        w!(fb, 2, "most_recent = true");
        w!(fb, 2, "owners      = [\"123456789012\"]");
        fb.blank();
        w!(fb, 2, "filter {{");
        w!(fb, 4, "name   = \"name\"");
        w!(fb, 4, "values = [\"golden-{}-*\"]", ctx.name);
        w!(fb, 2, "}}");
        fb.blank();
        w!(fb, 2, "filter {{");
        w!(fb, 4, "name   = \"architecture\"");
        w!(fb, 4, "values = [\"x86_64\"]");
        w!(fb, 2, "}}");
        w!(fb, 0, "}}");
        fb.blank();
        w!(fb, 0, "data \"aws_iam_policy_document\" \"assume\" {{");
        w!(fb, 2, "statement {{");
        w!(fb, 4, "actions = [\"sts:AssumeRole\"]");
        w!(fb, 4, "principals {{");
        w!(fb, 6, "type        = \"Service\"");
        w!(
            fb,
            6,
            "identifiers = [\"ec2.amazonaws.com\", \"ecs-tasks.amazonaws.com\"]"
        );
        w!(fb, 4, "}}");
        w!(fb, 2, "}}");
        w!(fb, 0, "}}");
        fb.blank();
    }

    fn tf_variables(&mut self, fb: &mut FileBuf, ctx: &ModCtx) {
        let region = *self.rng.pick(REGIONS);
        let itype = *self.rng.pick(INSTANCE_TYPES);
        let tag = self.version();
        let registry = *self.rng.pick(REGISTRIES);
        let vars: Vec<(&str, &str, String, &str)> = vec![
            (
                "name",
                "string",
                format!("\"{}\"", ctx.name),
                "Service name, used in every resource name.",
            ),
            (
                "environment",
                "string",
                format!("\"{}\"", self.rng.pick(ENVS)),
                "Deployment environment.",
            ),
            ("region", "string", format!("\"{region}\""), "AWS region."),
            (
                "vpc_id",
                "string",
                format!("\"vpc-{}\"", self.rng.hex(17)),
                "VPC the service runs in.",
            ),
            (
                "subnet_ids",
                "list(string)",
                format!(
                    "[\"subnet-{}\", \"subnet-{}\"]",
                    self.rng.hex(17),
                    self.rng.hex(17)
                ),
                "Private subnets for the instances and tasks.",
            ),
            (
                "instance_type",
                "string",
                format!("\"{itype}\""),
                "EC2 instance type of the app servers.",
            ),
            (
                "image_tag",
                "string",
                format!("\"{tag}\""),
                "Release to deploy; set by the pipeline.",
            ),
            (
                "registry",
                "string",
                format!("\"{registry}\""),
                "Container registry.",
            ),
            (
                "app_port",
                "number",
                ctx.port.to_string(),
                "Port the application listens on.",
            ),
            (
                "min_size",
                "number",
                "2".into(),
                "Smallest Auto Scaling group size.",
            ),
            (
                "max_size",
                "number",
                self.rng.range(4, 20).to_string(),
                "Largest Auto Scaling group size.",
            ),
            (
                "desired_capacity",
                "number",
                "3".into(),
                "Initial Auto Scaling group size.",
            ),
            (
                "cpu",
                "number",
                self.rng.pick(&["256", "512", "1024"]).to_string(),
                "Fargate task CPU units.",
            ),
            (
                "memory",
                "number",
                self.rng.pick(&["512", "1024", "2048"]).to_string(),
                "Fargate task memory (MiB).",
            ),
            (
                "replicas",
                "number",
                self.rng.range(2, 6).to_string(),
                "Kubernetes replicas.",
            ),
            (
                "namespace",
                "string",
                format!("\"{}\"", self.rng.pick(TEAMS)),
                "Kubernetes namespace.",
            ),
            (
                "cluster_arn",
                "string",
                format!("\"arn:aws:ecs:{region}:123456789012:cluster/main\""),
                "ECS cluster.",
            ),
            (
                "execution_role_arn",
                "string",
                "\"arn:aws:iam::123456789012:role/ecsTaskExecutionRole\"".into(),
                "ECS task execution role.",
            ),
            (
                "allowed_cidrs",
                "list(string)",
                "[\"10.0.0.0/8\", \"172.16.0.0/12\"]".into(),
                "Private ranges allowed to reach the service.",
            ),
            (
                "log_retention_days",
                "number",
                self.rng.pick(&["14", "30", "90", "365"]).to_string(),
                "CloudWatch log retention.",
            ),
            ("features", "map(bool)", "{}".into(), "Feature switches."),
            (
                "tags",
                "map(string)",
                "{}".into(),
                "Extra tags for every resource.",
            ),
        ];
        for (name, ty, default, description) in vars {
            w!(fb, 0, "variable \"{name}\" {{");
            w!(fb, 2, "description = \"{description}\"");
            w!(fb, 2, "type        = {ty}");
            w!(fb, 2, "default     = {default}");
            if name == "environment" {
                fb.blank();
                w!(fb, 2, "validation {{");
                w!(
                    fb,
                    4,
                    "condition     = contains([\"prod\", \"staging\", \"dev\", \"qa\"], var.environment)"
                );
                w!(
                    fb,
                    4,
                    "error_message = \"environment must be one of prod, staging, dev, qa.\""
                );
                w!(fb, 2, "}}");
            }
            w!(fb, 0, "}}");
            fb.blank();
        }
        self.tf_extra_variables(fb);
    }

    /// Optional settings every real module accumulates, some with object
    /// types and multi-line defaults.
    fn tf_extra_variables(&mut self, fb: &mut FileBuf) {
        let extras: &[(&str, &str, &str)] = &[
            ("health_check_path", "string", "\"/healthz\""),
            ("deletion_protection", "bool", "true"),
            ("certificate_arn", "string", "null"),
            (
                "ssl_policy",
                "string",
                "\"ELBSecurityPolicy-TLS13-1-2-2021-06\"",
            ),
            ("domain_name", "string", "\"example.com\""),
            ("alarm_email", "string", "\"oncall@example.com\""),
            ("kms_key_arn", "string", "null"),
            ("backup_retention_days", "number", "7"),
            ("maintenance_window", "string", "\"sun:03:00-sun:04:00\""),
            ("enable_xray", "bool", "false"),
            ("extra_env", "map(string)", "{}"),
            ("ingress_annotations", "map(string)", "{}"),
        ];
        for (name, ty, default) in self.rng.some(extras, 3, 10) {
            w!(fb, 0, "variable \"{name}\" {{");
            w!(
                fb,
                2,
                "description = \"Optional: {}.\"",
                name.replace('_', " ")
            );
            w!(fb, 2, "type        = {ty}");
            w!(fb, 2, "default     = {default}");
            w!(fb, 2, "nullable    = {}", default == "null");
            w!(fb, 0, "}}");
            fb.blank();
        }
        if self.rng.chance(0.6) {
            w!(fb, 0, "variable \"scaling\" {{");
            w!(
                fb,
                2,
                "description = \"Target-tracking autoscaling settings.\""
            );
            w!(fb, 2, "type = object({{");
            w!(fb, 4, "target_cpu         = number");
            w!(fb, 4, "scale_in_cooldown  = optional(number, 300)");
            w!(fb, 4, "scale_out_cooldown = optional(number, 60)");
            w!(fb, 2, "}})");
            w!(fb, 2, "default = {{");
            w!(fb, 4, "target_cpu         = {}", self.rng.range(40, 80));
            w!(fb, 4, "scale_in_cooldown  = 300");
            w!(fb, 4, "scale_out_cooldown = 60");
            w!(fb, 2, "}}");
            w!(fb, 0, "}}");
            fb.blank();
        }
    }

    fn tf_outputs(&mut self, fb: &mut FileBuf, ctx: &ModCtx) {
        let mut outputs: Vec<(&str, String)> = vec![("name", "local.name".into())];
        for s in &ctx.sections {
            match s {
                Section::Security => {
                    outputs.push(("security_group_id", "aws_security_group.app.id".into()))
                }
                Section::Compute => {
                    outputs.push(("asg_name", "aws_autoscaling_group.app.name".into()));
                    outputs.push(("launch_template_id", "aws_launch_template.app.id".into()));
                }
                Section::Ecs => {
                    outputs.push((
                        "task_definition_arn",
                        "aws_ecs_task_definition.app.arn".into(),
                    ));
                    outputs.push(("service_name", "aws_ecs_service.app.name".into()));
                }
                Section::K8s => outputs.push((
                    "deployment_name",
                    "kubernetes_deployment_v1.app.metadata[0].name".into(),
                )),
                Section::Iam => outputs.push(("role_arn", "aws_iam_role.app.arn".into())),
                Section::Storage => outputs.push(("bucket", "aws_s3_bucket.artifacts.id".into())),
                Section::Modules if ctx.root => {
                    outputs.push(("vpc_id", "module.vpc.vpc_id".into()));
                    outputs.push(("private_subnets", "module.vpc.private_subnets".into()));
                }
                _ => {}
            }
        }
        for (name, value) in outputs {
            w!(fb, 0, "output \"{name}\" {{");
            w!(
                fb,
                2,
                "description = \"The {} of the {} service.\"",
                name.replace('_', " "),
                ctx.name
            );
            w!(fb, 2, "value       = {value}");
            w!(fb, 0, "}}");
            fb.blank();
        }
    }

    fn tf_vars(&mut self, fb: &mut FileBuf, ctx: &ModCtx) {
        w!(fb, 0, "name        = \"{}\"", ctx.name);
        w!(fb, 0, "environment = \"{}\"", self.rng.pick(ENVS));
        w!(fb, 0, "region      = \"{}\"", self.rng.pick(REGIONS));
        w!(
            fb,
            0,
            "instance_type = \"{}\"",
            self.rng.pick(INSTANCE_TYPES)
        );
        w!(fb, 0, "tags = {{");
        w!(fb, 2, "CostCenter = \"cc-{}\"", self.rng.range(1000, 9999));
        w!(fb, 2, "Owner      = \"{}\"", self.rng.pick(TEAMS));
        w!(fb, 0, "}}");
    }

    fn tf_security(&mut self, fb: &mut FileBuf, ctx: &ModCtx, plant: &mut Plant) {
        for tier in self.tiers() {
            self.tf_security_one(fb, ctx, tier, plant);
        }
    }

    fn tf_security_one(&mut self, fb: &mut FileBuf, ctx: &ModCtx, tier: &str, plant: &mut Plant) {
        w!(fb, 0, "resource \"aws_security_group\" \"{tier}\" {{");
        w!(fb, 2, "name        = \"${{local.name}}-{tier}\"");
        w!(
            fb,
            2,
            "description = \"Application servers of {}\"",
            ctx.name
        );
        w!(fb, 2, "vpc_id      = var.vpc_id");
        let rules = [
            (
                "HTTPS from the load balancer",
                443,
                "var.allowed_cidrs".to_string(),
            ),
            (
                "App port from the VPC",
                ctx.port,
                "[\"10.0.0.0/8\"]".to_string(),
            ),
            (
                "Metrics from Prometheus",
                9100,
                "[\"10.32.0.0/16\"]".to_string(),
            ),
            (
                "SSH from the VPN range",
                22,
                "[\"10.200.0.0/16\"]".to_string(),
            ),
            ("Health checks", 8081, "[\"10.0.0.0/8\"]".to_string()),
        ];
        let chosen = self.rng.some(&rules, 2, 5);
        let planted_at = if plant.take(Rule::Ssh001) {
            Some(self.rng.below(chosen.len() + 1))
        } else {
            None
        };
        for (i, (desc, port, cidrs)) in chosen.iter().enumerate() {
            if planted_at == Some(i) {
                self.ssh_open_ingress(fb);
            }
            fb.blank();
            w!(fb, 2, "ingress {{");
            w!(fb, 4, "description = \"{desc}\"");
            w!(fb, 4, "from_port   = {port}");
            w!(fb, 4, "to_port     = {port}");
            w!(fb, 4, "protocol    = \"tcp\"");
            w!(fb, 4, "cidr_blocks = {cidrs}");
            w!(fb, 2, "}}");
        }
        if planted_at == Some(chosen.len()) {
            self.ssh_open_ingress(fb);
        }
        fb.blank();
        w!(fb, 2, "egress {{");
        w!(fb, 4, "from_port   = 0");
        w!(fb, 4, "to_port     = 0");
        w!(fb, 4, "protocol    = \"-1\"");
        w!(fb, 4, "cidr_blocks = [\"0.0.0.0/0\"]");
        w!(fb, 2, "}}");
        fb.blank();
        w!(fb, 2, "tags = local.common_tags");
        w!(fb, 0, "}}");
        fb.blank();
        if self.rng.chance(0.5) {
            w!(
                fb,
                0,
                "resource \"aws_security_group_rule\" \"alb_to_{tier}\" {{"
            );
            w!(fb, 2, "type                     = \"ingress\"");
            w!(fb, 2, "from_port                = var.app_port");
            w!(fb, 2, "to_port                  = var.app_port");
            w!(fb, 2, "protocol                 = \"tcp\"");
            w!(
                fb,
                2,
                "security_group_id        = aws_security_group.{tier}.id"
            );
            w!(
                fb,
                2,
                "source_security_group_id = \"sg-{}\"",
                self.rng.hex(17)
            );
            w!(fb, 0, "}}");
            fb.blank();
        }
    }

    fn ssh_open_ingress(&mut self, fb: &mut FileBuf) {
        fb.blank();
        fb.mark(Rule::Ssh001);
        w!(fb, 2, "ingress {{");
        w!(fb, 4, "description = \"SSH for operators\"");
        w!(fb, 4, "from_port   = 22");
        w!(fb, 4, "to_port     = 22");
        w!(fb, 4, "protocol    = \"tcp\"");
        w!(fb, 4, "cidr_blocks = [\"0.0.0.0/0\"]");
        w!(fb, 2, "}}");
    }

    fn tf_compute(&mut self, fb: &mut FileBuf, ctx: &ModCtx, plant: &mut Plant) {
        for tier in self.tiers() {
            self.tf_compute_one(fb, ctx, tier, plant);
        }
    }

    fn tf_compute_one(&mut self, fb: &mut FileBuf, ctx: &ModCtx, tier: &str, plant: &mut Plant) {
        w!(fb, 0, "resource \"aws_launch_template\" \"{tier}\" {{");
        w!(
            fb,
            2,
            "name_prefix            = \"${{local.name}}-{tier}-\""
        );
        w!(fb, 2, "image_id               = data.aws_ami.app.id");
        w!(fb, 2, "instance_type          = var.instance_type");
        w!(fb, 2, "update_default_version = true");
        fb.blank();
        w!(fb, 2, "user_data = base64encode(<<-EOT");
        w!(fb, 4, "#!/bin/bash");
        w!(fb, 4, "set -euo pipefail");
        w!(
            fb,
            4,
            "echo \"SERVICE=${{var.name}}\" >> /etc/{}/env",
            ctx.name
        );
        w!(fb, 4, "systemctl enable --now {}.service", ctx.name);
        w!(fb, 2, "EOT");
        w!(fb, 2, ")");
        fb.blank();
        w!(fb, 2, "metadata_options {{");
        w!(fb, 4, "http_endpoint = \"enabled\"");
        w!(fb, 4, "http_tokens   = \"required\"");
        w!(fb, 2, "}}");
        fb.blank();
        w!(fb, 2, "block_device_mappings {{");
        w!(fb, 4, "device_name = \"/dev/xvda\"");
        w!(fb, 4, "ebs {{");
        w!(fb, 6, "volume_size = {}", self.rng.pick(&[20, 30, 50, 100]));
        w!(fb, 6, "volume_type = \"gp3\"");
        w!(fb, 6, "encrypted   = true");
        w!(fb, 4, "}}");
        w!(fb, 2, "}}");
        fb.blank();
        w!(fb, 2, "tag_specifications {{");
        w!(fb, 4, "resource_type = \"instance\"");
        w!(fb, 4, "tags          = local.common_tags");
        w!(fb, 2, "}}");
        fb.blank();
        w!(fb, 2, "lifecycle {{");
        w!(fb, 4, "create_before_destroy = true");
        w!(fb, 2, "}}");
        w!(fb, 0, "}}");
        fb.blank();
        w!(fb, 0, "resource \"aws_autoscaling_group\" \"{tier}\" {{");
        w!(fb, 2, "name_prefix         = \"${{local.name}}-{tier}-\"");
        w!(fb, 2, "min_size            = var.min_size");
        w!(fb, 2, "max_size            = var.max_size");
        w!(fb, 2, "desired_capacity    = var.desired_capacity");
        w!(fb, 2, "vpc_zone_identifier = var.subnet_ids");
        w!(fb, 2, "health_check_type   = \"ELB\"");
        fb.blank();
        w!(fb, 2, "launch_template {{");
        w!(fb, 4, "id      = aws_launch_template.{tier}.id");
        if plant.take(Rule::Ver003) {
            fb.mark(Rule::Ver003);
            w!(fb, 4, "version = \"$Latest\"");
        } else {
            w!(fb, 4, "version = aws_launch_template.{tier}.latest_version");
        }
        w!(fb, 2, "}}");
        fb.blank();
        w!(fb, 2, "instance_refresh {{");
        w!(fb, 4, "strategy = \"Rolling\"");
        w!(fb, 4, "preferences {{");
        w!(fb, 6, "min_healthy_percentage = 90");
        w!(fb, 4, "}}");
        w!(fb, 2, "}}");
        fb.blank();
        w!(fb, 2, "dynamic \"tag\" {{");
        w!(fb, 4, "for_each = local.common_tags");
        w!(fb, 4, "content {{");
        w!(fb, 6, "key                 = tag.key");
        w!(fb, 6, "value               = tag.value");
        w!(fb, 6, "propagate_at_launch = true");
        w!(fb, 4, "}}");
        w!(fb, 2, "}}");
        w!(fb, 0, "}}");
        fb.blank();
        let provision = plant.take(Rule::Upd003);
        if provision || self.rng.chance(0.4) {
            self.tf_instance(fb, tier, provision);
        }
    }

    fn tf_instance(&mut self, fb: &mut FileBuf, tier: &str, provision: bool) {
        w!(fb, 0, "resource \"aws_instance\" \"{tier}_worker\" {{");
        w!(fb, 2, "ami                    = data.aws_ami.app.id");
        w!(fb, 2, "instance_type          = var.instance_type");
        w!(fb, 2, "subnet_id              = element(var.subnet_ids, 0)");
        w!(fb, 2, "monitoring             = true");
        w!(
            fb,
            2,
            "vpc_security_group_ids = [\"sg-{}\"]",
            self.rng.hex(17)
        );
        fb.blank();
        w!(fb, 2, "root_block_device {{");
        w!(fb, 4, "volume_size = 20");
        w!(fb, 4, "encrypted   = true");
        w!(fb, 2, "}}");
        fb.blank();
        w!(fb, 2, "metadata_options {{");
        w!(fb, 4, "http_tokens = \"required\"");
        w!(fb, 2, "}}");
        if provision {
            fb.blank();
            fb.mark(Rule::Upd003);
            w!(fb, 2, "provisioner \"remote-exec\" {{");
            w!(fb, 4, "inline = [");
            w!(fb, 6, "\"sudo dnf install -y nginx\",");
            w!(fb, 6, "\"sudo systemctl enable --now nginx\",");
            w!(fb, 4, "]");
            fb.blank();
            w!(fb, 4, "connection {{");
            w!(fb, 6, "type  = \"ssh\"");
            w!(fb, 6, "user  = \"ec2-user\"");
            w!(fb, 6, "host  = self.private_ip");
            w!(fb, 6, "agent = true");
            w!(fb, 4, "}}");
            w!(fb, 2, "}}");
        }
        fb.blank();
        w!(fb, 2, "tags = merge(local.common_tags, {{");
        w!(fb, 4, "Name = \"${{local.name}}-{tier}-worker\"");
        w!(fb, 2, "}})");
        w!(fb, 0, "}}");
        fb.blank();
    }

    fn tf_ecs(&mut self, fb: &mut FileBuf, ctx: &ModCtx, plant: &mut Plant) {
        for tier in self.tiers() {
            self.tf_ecs_one(fb, ctx, tier, plant);
        }
    }

    fn tf_ecs_one(&mut self, fb: &mut FileBuf, ctx: &ModCtx, tier: &str, plant: &mut Plant) {
        w!(fb, 0, "resource \"aws_ecs_task_definition\" \"{tier}\" {{");
        w!(
            fb,
            2,
            "family                   = \"${{local.name}}-{tier}\""
        );
        w!(fb, 2, "requires_compatibilities = [\"FARGATE\"]");
        w!(fb, 2, "network_mode             = \"awsvpc\"");
        w!(fb, 2, "cpu                      = var.cpu");
        w!(fb, 2, "memory                   = var.memory");
        w!(fb, 2, "execution_role_arn       = var.execution_role_arn");
        fb.blank();
        w!(fb, 2, "container_definitions = jsonencode([");
        w!(fb, 4, "{{");
        w!(fb, 6, "name      = \"app\"");
        w!(fb, 6, "image     = local.image");
        w!(fb, 6, "essential = true");
        w!(fb, 6, "portMappings = [");
        w!(
            fb,
            8,
            "{{ containerPort = {p}, hostPort = {p}, protocol = \"tcp\" }}",
            p = ctx.port
        );
        w!(fb, 6, "]");
        w!(fb, 6, "environment = [");
        for name in self.rng.some(ENV_NAMES, 3, 8) {
            w!(
                fb,
                8,
                "{{ name = \"{name}\", value = \"{}\" }},",
                self.rng.hex(8)
            );
        }
        w!(fb, 6, "]");
        w!(fb, 6, "logConfiguration = {{");
        w!(fb, 8, "logDriver = \"awslogs\"");
        w!(fb, 8, "options = {{");
        w!(fb, 10, "\"awslogs-group\"         = local.log_group");
        w!(fb, 10, "\"awslogs-region\"        = var.region");
        w!(fb, 10, "\"awslogs-stream-prefix\" = \"app\"");
        w!(fb, 8, "}}");
        w!(fb, 6, "}}");
        w!(fb, 6, "healthCheck = {{");
        w!(
            fb,
            8,
            "command  = [\"CMD-SHELL\", \"curl -f http://localhost:{}/healthz || exit 1\"]",
            ctx.port
        );
        w!(fb, 8, "interval = 30");
        w!(fb, 8, "retries  = 3");
        w!(fb, 6, "}}");
        w!(fb, 4, "}},");
        let n = self.rng.range(1, 3);
        for (i, (name, repo, tag)) in self.rng.sample(SIDECARS, n).into_iter().enumerate() {
            w!(fb, 4, "{{");
            w!(fb, 6, "name      = \"{name}\"");
            let planted =
                i == 0 && (plant.0 == Some(Rule::Tag001) || plant.0 == Some(Rule::Tag002));
            if planted {
                let image = self.image_or_plant(fb, plant, name);
                w!(fb, 6, "image     = \"{image}\"");
            } else {
                w!(fb, 6, "image     = \"{repo}:{tag}\"");
            }
            w!(fb, 6, "essential = false");
            w!(fb, 6, "cpu       = 64");
            w!(fb, 6, "memory    = 128");
            w!(fb, 6, "logConfiguration = {{");
            w!(fb, 8, "logDriver = \"awslogs\"");
            w!(fb, 8, "options = {{");
            w!(fb, 10, "\"awslogs-group\"         = local.log_group");
            w!(fb, 10, "\"awslogs-region\"        = var.region");
            w!(fb, 10, "\"awslogs-stream-prefix\" = \"{name}\"");
            w!(fb, 8, "}}");
            w!(fb, 6, "}}");
            w!(fb, 4, "}},");
        }
        w!(fb, 2, "])");
        fb.blank();
        w!(fb, 2, "tags = local.common_tags");
        w!(fb, 0, "}}");
        fb.blank();
        w!(fb, 0, "resource \"aws_ecs_service\" \"{tier}\" {{");
        w!(fb, 2, "name            = \"${{local.name}}-{tier}\"");
        w!(fb, 2, "cluster         = var.cluster_arn");
        w!(
            fb,
            2,
            "task_definition = aws_ecs_task_definition.{tier}.arn"
        );
        w!(fb, 2, "desired_count   = var.desired_capacity");
        w!(fb, 2, "launch_type     = \"FARGATE\"");
        fb.blank();
        w!(fb, 2, "network_configuration {{");
        w!(fb, 4, "subnets          = var.subnet_ids");
        w!(fb, 4, "assign_public_ip = false");
        w!(fb, 2, "}}");
        fb.blank();
        w!(fb, 2, "deployment_circuit_breaker {{");
        w!(fb, 4, "enable   = true");
        w!(fb, 4, "rollback = true");
        w!(fb, 2, "}}");
        w!(fb, 0, "}}");
        fb.blank();
    }

    fn tf_k8s(&mut self, fb: &mut FileBuf, ctx: &ModCtx, plant: &mut Plant) {
        for tier in self.tiers() {
            self.tf_k8s_one(fb, ctx, tier, plant);
        }
    }

    fn tf_k8s_one(&mut self, fb: &mut FileBuf, ctx: &ModCtx, tier: &str, plant: &mut Plant) {
        w!(fb, 0, "resource \"kubernetes_deployment_v1\" \"{tier}\" {{");
        w!(fb, 2, "metadata {{");
        w!(fb, 4, "name      = \"${{var.name}}-{tier}\"");
        w!(fb, 4, "namespace = var.namespace");
        w!(fb, 4, "labels    = local.labels");
        w!(fb, 2, "}}");
        fb.blank();
        w!(fb, 2, "spec {{");
        w!(fb, 4, "replicas = var.replicas");
        fb.blank();
        w!(fb, 4, "selector {{");
        w!(fb, 6, "match_labels = local.labels");
        w!(fb, 4, "}}");
        fb.blank();
        w!(fb, 4, "template {{");
        w!(fb, 6, "metadata {{");
        w!(fb, 8, "labels = local.labels");
        w!(fb, 6, "}}");
        fb.blank();
        w!(fb, 6, "spec {{");
        w!(fb, 8, "service_account_name = var.name");
        let containers = self.rng.range(1, 3);
        let planted_at = self.rng.below(containers);
        for i in 0..containers {
            let (name, image) = if i == 0 {
                ("app".to_string(), "local.image".to_string())
            } else {
                let (n, r, t) = *self.rng.pick(SIDECARS);
                (format!("{n}-{i}"), format!("\"{r}:{t}\""))
            };
            fb.blank();
            w!(fb, 8, "container {{");
            w!(fb, 10, "name  = \"{name}\"");
            if i == planted_at && (plant.0 == Some(Rule::Tag001) || plant.0 == Some(Rule::Tag002)) {
                let image = self.image_or_plant(fb, plant, &name);
                w!(fb, 10, "image = \"{image}\"");
            } else {
                w!(fb, 10, "image = {image}");
            }
            fb.blank();
            w!(fb, 10, "port {{");
            w!(fb, 12, "container_port = {}", ctx.port + i as u16);
            w!(fb, 10, "}}");
            for env in self.rng.some(ENV_NAMES, 1, 4) {
                fb.blank();
                w!(fb, 10, "env {{");
                w!(fb, 12, "name  = \"{env}\"");
                w!(fb, 12, "value = \"{}\"", self.rng.hex(6));
                w!(fb, 10, "}}");
            }
            fb.blank();
            w!(fb, 10, "resources {{");
            w!(fb, 12, "limits = {{");
            w!(fb, 14, "cpu    = \"500m\"");
            w!(fb, 14, "memory = \"512Mi\"");
            w!(fb, 12, "}}");
            w!(fb, 12, "requests = {{");
            w!(fb, 14, "cpu    = \"100m\"");
            w!(fb, 14, "memory = \"128Mi\"");
            w!(fb, 12, "}}");
            w!(fb, 10, "}}");
            fb.blank();
            w!(fb, 10, "liveness_probe {{");
            w!(fb, 12, "http_get {{");
            w!(fb, 14, "path = \"/healthz\"");
            w!(fb, 14, "port = {}", ctx.port + i as u16);
            w!(fb, 12, "}}");
            w!(fb, 12, "initial_delay_seconds = 10");
            w!(fb, 12, "period_seconds        = 15");
            w!(fb, 10, "}}");
            w!(fb, 8, "}}");
        }
        w!(fb, 6, "}}");
        w!(fb, 4, "}}");
        w!(fb, 2, "}}");
        w!(fb, 0, "}}");
        fb.blank();
    }

    fn tf_iam(&mut self, fb: &mut FileBuf) {
        for tier in self.tiers() {
            self.tf_iam_one(fb, tier);
        }
    }

    fn tf_iam_one(&mut self, fb: &mut FileBuf, tier: &str) {
        w!(fb, 0, "resource \"aws_iam_role\" \"{tier}\" {{");
        w!(fb, 2, "name = \"${{local.name}}-{tier}-role\"");
        w!(fb, 2, "assume_role_policy = jsonencode({{");
        w!(fb, 4, "Version = \"2012-10-17\"");
        w!(fb, 4, "Statement = [");
        w!(fb, 6, "{{");
        w!(fb, 8, "Effect    = \"Allow\"");
        w!(fb, 8, "Action    = \"sts:AssumeRole\"");
        w!(fb, 8, "Principal = {{ Service = \"ec2.amazonaws.com\" }}");
        w!(fb, 6, "}},");
        w!(fb, 4, "]");
        w!(fb, 2, "}})");
        w!(fb, 2, "tags = local.common_tags");
        w!(fb, 0, "}}");
        fb.blank();
        w!(fb, 0, "resource \"aws_iam_role_policy\" \"{tier}\" {{");
        w!(fb, 2, "name = \"${{local.name}}-{tier}-policy\"");
        w!(fb, 2, "role = aws_iam_role.{tier}.id");
        w!(fb, 2, "policy = jsonencode({{");
        w!(fb, 4, "Version = \"2012-10-17\"");
        w!(fb, 4, "Statement = [");
        for action in self.rng.some(
            &[
                "s3:GetObject",
                "sqs:ReceiveMessage",
                "kms:Decrypt",
                "ssm:GetParameter",
                "secretsmanager:GetSecretValue",
                "dynamodb:Query",
            ],
            2,
            5,
        ) {
            w!(fb, 6, "{{");
            w!(fb, 8, "Effect   = \"Allow\"");
            w!(fb, 8, "Action   = [\"{action}\"]");
            w!(
                fb,
                8,
                "Resource = [\"arn:aws:{}:*:123456789012:${{local.name}}-*\"]",
                action.split(':').next().unwrap_or("s3")
            );
            w!(fb, 6, "}},");
        }
        w!(fb, 4, "]");
        w!(fb, 2, "}})");
        w!(fb, 0, "}}");
        fb.blank();
        w!(fb, 0, "resource \"aws_iam_instance_profile\" \"{tier}\" {{");
        w!(fb, 2, "name = \"${{local.name}}-{tier}-profile\"");
        w!(fb, 2, "role = aws_iam_role.{tier}.name");
        w!(fb, 0, "}}");
        fb.blank();
    }

    fn tf_bucket(&mut self, fb: &mut FileBuf, bucket: &str) {
        w!(fb, 0, "resource \"aws_s3_bucket\" \"{bucket}\" {{");
        w!(
            fb,
            2,
            "bucket = \"${{local.name}}-{bucket}-{}\"",
            self.rng.hex(6)
        );
        w!(fb, 2, "tags   = local.common_tags");
        w!(fb, 0, "}}");
        fb.blank();
        w!(
            fb,
            0,
            "resource \"aws_s3_bucket_versioning\" \"{bucket}\" {{"
        );
        w!(fb, 2, "bucket = aws_s3_bucket.{bucket}.id");
        w!(fb, 2, "versioning_configuration {{");
        w!(fb, 4, "status = \"Enabled\"");
        w!(fb, 2, "}}");
        w!(fb, 0, "}}");
        fb.blank();
        w!(
            fb,
            0,
            "resource \"aws_s3_bucket_server_side_encryption_configuration\" \"{bucket}\" {{"
        );
        w!(fb, 2, "bucket = aws_s3_bucket.{bucket}.id");
        w!(fb, 2, "rule {{");
        w!(fb, 4, "apply_server_side_encryption_by_default {{");
        w!(fb, 6, "sse_algorithm = \"aws:kms\"");
        w!(fb, 4, "}}");
        w!(fb, 2, "}}");
        w!(fb, 0, "}}");
        fb.blank();
        w!(
            fb,
            0,
            "resource \"aws_s3_bucket_public_access_block\" \"{bucket}\" {{"
        );
        w!(fb, 2, "bucket                  = aws_s3_bucket.{bucket}.id");
        w!(fb, 2, "block_public_acls       = true");
        w!(fb, 2, "block_public_policy     = true");
        w!(fb, 2, "ignore_public_acls      = true");
        w!(fb, 2, "restrict_public_buckets = true");
        w!(fb, 0, "}}");
        fb.blank();
    }

    fn tf_storage(&mut self, fb: &mut FileBuf) {
        for bucket in self.rng.some(&["logs", "exports", "backups"], 0, 2) {
            self.tf_bucket(fb, bucket);
        }
        self.tf_bucket(fb, "artifacts");
        w!(fb, 0, "resource \"aws_cloudwatch_log_group\" \"app\" {{");
        w!(fb, 2, "name              = local.log_group");
        w!(fb, 2, "retention_in_days = var.log_retention_days");
        w!(fb, 2, "tags              = local.common_tags");
        w!(fb, 0, "}}");
        fb.blank();
    }

    fn tf_modules(&mut self, fb: &mut FileBuf, ctx: &ModCtx, plant: &mut Plant) {
        let count = if ctx.root {
            self.rng.range(3, 6)
        } else {
            self.rng.range(1, 2)
        };
        let planted_at = self.rng.below(count);
        let mut kinds: Vec<usize> = self.rng.sample(&[0, 1, 2, 3, 4, 5, 6, 7], count);
        if ctx.root && !kinds.contains(&0) {
            kinds[0] = 0; // root outputs refer to module.vpc
        }
        for (i, kind) in kinds.into_iter().enumerate() {
            let bad = i == planted_at && plant.take(Rule::Ver001);
            self.tf_module_call(fb, ctx, kind, bad);
        }
    }

    fn tf_module_call(&mut self, fb: &mut FileBuf, ctx: &ModCtx, kind: usize, bad: bool) {
        let registry: &[(&str, &str, &str)] = &[
            ("vpc", "terraform-aws-modules/vpc/aws", "5.8.1"),
            ("alb", "terraform-aws-modules/alb/aws", "9.9.0"),
            ("rds", "terraform-aws-modules/rds/aws", "6.7.0"),
            ("s3_logs", "terraform-aws-modules/s3-bucket/aws", "4.1.2"),
            ("eks", "terraform-aws-modules/eks/aws", "20.13.1"),
        ];
        let pick = kind.min(7);
        if pick < registry.len() {
            let (name, source, version) = registry[pick];
            w!(fb, 0, "module \"{name}\" {{");
            if bad {
                fb.mark(Rule::Ver001);
                w!(fb, 2, "source = \"{source}\"");
            } else {
                w!(fb, 2, "source  = \"{source}\"");
                w!(fb, 2, "version = \"{version}\"");
            }
            fb.blank();
            self.module_args(fb, name);
        } else if pick == 5 || pick == 6 {
            let (name, repo, sub) = if pick == 5 {
                ("service", "terraform-aws-service", "modules/ecs")
            } else {
                ("dns", "platform-modules", "dns")
            };
            w!(fb, 0, "module \"{name}\" {{");
            let scheme = if pick == 5 {
                format!("git::https://github.com/example-org/{repo}.git//{sub}")
            } else {
                format!("git::ssh://git@github.com/example-org/{repo}.git//{sub}")
            };
            if bad {
                fb.mark(Rule::Ver001);
                w!(fb, 2, "source = \"{scheme}\"");
            } else {
                w!(fb, 2, "source = \"{scheme}?ref=v{}\"", self.version());
            }
            fb.blank();
            w!(fb, 2, "name        = local.name");
            w!(fb, 2, "environment = var.environment");
            w!(fb, 2, "tags        = local.common_tags");
        } else {
            w!(fb, 0, "module \"shared\" {{");
            if bad {
                // A local path needs no version: plant a private-registry one.
                fb.mark(Rule::Ver001);
                w!(
                    fb,
                    2,
                    "source = \"app.terraform.io/example-org/shared/aws\""
                );
            } else {
                w!(
                    fb,
                    2,
                    "source = \"../../modules/{}/{}\"",
                    self.rng.pick(TEAMS),
                    ctx.name
                );
            }
            fb.blank();
            w!(fb, 2, "name        = local.name");
            w!(fb, 2, "environment = var.environment");
        }
        w!(fb, 0, "}}");
        fb.blank();
    }

    fn module_args(&mut self, fb: &mut FileBuf, name: &str) {
        match name {
            "vpc" => {
                let b = self.rng.range(0, 250);
                w!(fb, 2, "name = local.name");
                w!(fb, 2, "cidr = \"10.{b}.0.0/16\"");
                w!(fb, 2, "azs  = local.azs");
                w!(
                    fb,
                    2,
                    "private_subnets = [\"10.{b}.1.0/24\", \"10.{b}.2.0/24\", \"10.{b}.3.0/24\"]"
                );
                w!(
                    fb,
                    2,
                    "public_subnets  = [\"10.{b}.101.0/24\", \"10.{b}.102.0/24\", \"10.{b}.103.0/24\"]"
                );
                w!(fb, 2, "enable_nat_gateway   = true");
                w!(fb, 2, "single_nat_gateway   = var.environment != \"prod\"");
                w!(fb, 2, "enable_dns_hostnames = true");
            }
            "eks" => {
                w!(fb, 2, "cluster_name    = local.name");
                w!(fb, 2, "cluster_version = \"1.30\"");
                w!(fb, 2, "subnet_ids      = var.subnet_ids");
                w!(fb, 2, "vpc_id          = var.vpc_id");
                w!(fb, 2, "eks_managed_node_groups = {{");
                w!(fb, 4, "default = {{");
                w!(fb, 6, "instance_types = [var.instance_type]");
                w!(fb, 6, "min_size       = 2");
                w!(fb, 6, "max_size       = 10");
                w!(fb, 6, "desired_size   = 3");
                w!(fb, 4, "}}");
                w!(fb, 2, "}}");
            }
            "rds" => {
                w!(fb, 2, "identifier        = local.name");
                w!(fb, 2, "engine            = \"postgres\"");
                w!(fb, 2, "engine_version    = \"16.3\"");
                w!(fb, 2, "instance_class    = \"db.r6g.large\"");
                w!(fb, 2, "allocated_storage = 100");
                w!(fb, 2, "multi_az          = true");
                w!(fb, 2, "storage_encrypted = true");
            }
            _ => {
                w!(fb, 2, "name = local.name");
                w!(fb, 2, "tags = local.common_tags");
            }
        }
        w!(fb, 2, "tags_all = local.common_tags");
    }
}

// ---------------------------------------------------------------------------
// Kubernetes

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Workload {
    Deployment,
    StatefulSet,
    DaemonSet,
    ReplicaSet,
    Job,
    CronJob,
    Pod,
}

impl Workload {
    fn kind(self) -> &'static str {
        match self {
            Workload::Deployment => "Deployment",
            Workload::StatefulSet => "StatefulSet",
            Workload::DaemonSet => "DaemonSet",
            Workload::ReplicaSet => "ReplicaSet",
            Workload::Job => "Job",
            Workload::CronJob => "CronJob",
            Workload::Pod => "Pod",
        }
    }

    fn api_version(self) -> &'static str {
        match self {
            Workload::Job | Workload::CronJob => "batch/v1",
            Workload::Pod => "v1",
            _ => "apps/v1",
        }
    }
}

impl Gen<'_> {
    fn kubernetes(&mut self, n: usize) -> io::Result<()> {
        for _ in 0..n {
            let serial = self.next_serial();
            let app = self.app_name();
            let team = *self.rng.pick(TEAMS);
            let env = *self.rng.pick(ENVS);
            let roll = self.rng.below(100);
            let workloads: Vec<Workload> = match roll {
                0..=44 => vec![*self.rng.pick(&[
                    Workload::Deployment,
                    Workload::Deployment,
                    Workload::Deployment,
                    Workload::StatefulSet,
                    Workload::DaemonSet,
                    Workload::ReplicaSet,
                ])],
                45..=64 => vec![Workload::Deployment, Workload::CronJob],
                65..=79 => self.rng.sample(&[Workload::Job, Workload::CronJob], 2),
                80..=89 => vec![Workload::Pod],
                _ => Vec::new(),
            };
            let capable = !workloads.is_empty();
            let mut plant = Plant(None);
            if self.decide(capable) {
                plant.0 = Some(*self.rng.pick(&[Rule::Tag001, Rule::Tag002]));
            }
            let mut fb = FileBuf::new();
            let mut first = true;
            let mut separator = |fb: &mut FileBuf| {
                if !first {
                    w!(fb, 0, "---");
                }
                first = false;
            };
            if capable && self.rng.chance(0.4) {
                separator(&mut fb);
                self.k8s_service_account(&mut fb, &app, team);
            }
            let planted_doc = self.rng.below(workloads.len().max(1));
            for (i, workload) in workloads.iter().enumerate() {
                separator(&mut fb);
                let mut none = Plant(None);
                let p = if i == planted_doc {
                    &mut plant
                } else {
                    &mut none
                };
                self.k8s_workload(&mut fb, *workload, &app, team, p);
            }
            if workloads.iter().any(|w| {
                matches!(
                    w,
                    Workload::Deployment | Workload::StatefulSet | Workload::Pod
                )
            }) {
                separator(&mut fb);
                self.k8s_service(&mut fb, &app, team);
            }
            let configs = if capable {
                self.rng.range(0, 2)
            } else {
                self.rng.range(2, 4)
            };
            for i in 0..configs {
                separator(&mut fb);
                if i % 2 == 0 {
                    self.k8s_configmap(&mut fb, &app, team, i);
                } else {
                    self.k8s_secret(&mut fb, &app, team, i);
                }
            }
            if workloads.contains(&Workload::Deployment) && self.rng.chance(0.5) {
                separator(&mut fb);
                self.k8s_hpa(&mut fb, &app, team);
            }
            debug_assert!(plant.0.is_none(), "unplaced violation in manifest {serial}");
            let file = match roll {
                0..=64 => format!("{app}.yaml"),
                65..=89 => format!("{app}-jobs.yaml"),
                _ => format!("{app}-config.yml"),
            };
            let path = format!("kubernetes/{env}/{team}/{serial}-{file}");
            self.emit(FileClass::Kubernetes, &path, fb)?;
        }
        Ok(())
    }

    fn count_object(&mut self, kind: &'static str) {
        *self.summary.kubernetes_objects.entry(kind).or_default() += 1;
    }

    fn k8s_metadata(&mut self, fb: &mut FileBuf, name: &str, team: &str, indent: usize) {
        w!(fb, indent, "metadata:");
        w!(fb, indent + 2, "name: {name}");
        w!(fb, indent + 2, "namespace: {team}");
        w!(fb, indent + 2, "labels:");
        w!(fb, indent + 4, "app.kubernetes.io/name: {name}");
        w!(fb, indent + 4, "app.kubernetes.io/part-of: {team}");
        w!(
            fb,
            indent + 4,
            "app.kubernetes.io/version: \"{}\"",
            self.version()
        );
    }

    fn k8s_service_account(&mut self, fb: &mut FileBuf, app: &str, team: &str) {
        self.count_object("ServiceAccount");
        w!(fb, 0, "apiVersion: v1");
        w!(fb, 0, "kind: ServiceAccount");
        self.k8s_metadata(fb, app, team, 0);
        w!(fb, 0, "automountServiceAccountToken: false");
    }

    fn k8s_workload(
        &mut self,
        fb: &mut FileBuf,
        workload: Workload,
        app: &str,
        team: &str,
        plant: &mut Plant,
    ) {
        self.count_object(workload.kind());
        w!(fb, 0, "apiVersion: {}", workload.api_version());
        w!(fb, 0, "kind: {}", workload.kind());
        let name = match workload {
            Workload::Job => format!("{app}-migrate"),
            Workload::CronJob => format!("{app}-nightly"),
            _ => app.to_string(),
        };
        self.k8s_metadata(fb, &name, team, 0);
        w!(fb, 0, "spec:");
        match workload {
            Workload::Pod => self.k8s_pod_spec(fb, app, 2, plant),
            Workload::Job => {
                w!(fb, 2, "backoffLimit: 2");
                w!(fb, 2, "ttlSecondsAfterFinished: 3600");
                self.k8s_template(fb, app, 2, plant, true);
            }
            Workload::CronJob => {
                w!(
                    fb,
                    2,
                    "schedule: \"{} {} * * *\"",
                    self.rng.range(0, 59),
                    self.rng.range(0, 23)
                );
                w!(fb, 2, "concurrencyPolicy: Forbid");
                w!(fb, 2, "jobTemplate:");
                w!(fb, 4, "spec:");
                w!(fb, 6, "backoffLimit: 1");
                self.k8s_template(fb, app, 6, plant, true);
            }
            _ => {
                if workload != Workload::DaemonSet {
                    w!(fb, 2, "replicas: {}", self.rng.range(2, 6));
                }
                if workload == Workload::StatefulSet {
                    w!(fb, 2, "serviceName: {app}");
                }
                w!(fb, 2, "selector:");
                w!(fb, 4, "matchLabels:");
                w!(fb, 6, "app.kubernetes.io/name: {app}");
                if workload == Workload::Deployment {
                    w!(fb, 2, "strategy:");
                    w!(fb, 4, "type: RollingUpdate");
                    w!(fb, 4, "rollingUpdate:");
                    w!(fb, 6, "maxSurge: 25%");
                    w!(fb, 6, "maxUnavailable: 0");
                }
                self.k8s_template(fb, app, 2, plant, false);
                if workload == Workload::StatefulSet {
                    w!(fb, 2, "volumeClaimTemplates:");
                    w!(fb, 4, "- metadata:");
                    w!(fb, 8, "name: data");
                    w!(fb, 6, "spec:");
                    w!(fb, 8, "accessModes: [\"ReadWriteOnce\"]");
                    w!(fb, 8, "resources:");
                    w!(fb, 10, "requests:");
                    w!(fb, 12, "storage: {}Gi", self.rng.pick(&[10, 20, 50, 100]));
                }
            }
        }
    }

    fn k8s_template(
        &mut self,
        fb: &mut FileBuf,
        app: &str,
        indent: usize,
        plant: &mut Plant,
        batch: bool,
    ) {
        w!(fb, indent, "template:");
        w!(fb, indent + 2, "metadata:");
        w!(fb, indent + 4, "labels:");
        w!(fb, indent + 6, "app.kubernetes.io/name: {app}");
        w!(fb, indent + 4, "annotations:");
        w!(fb, indent + 6, "prometheus.io/scrape: \"true\"");
        w!(fb, indent + 6, "prometheus.io/port: \"9090\"");
        w!(fb, indent + 2, "spec:");
        if batch {
            w!(fb, indent + 4, "restartPolicy: OnFailure");
        }
        self.k8s_pod_spec(fb, app, indent + 4, plant);
    }

    fn k8s_pod_spec(&mut self, fb: &mut FileBuf, app: &str, ind: usize, plant: &mut Plant) {
        w!(fb, ind, "serviceAccountName: {app}");
        w!(fb, ind, "terminationGracePeriodSeconds: 30");
        w!(fb, ind, "securityContext:");
        w!(fb, ind + 2, "runAsNonRoot: true");
        w!(fb, ind + 2, "runAsUser: 10001");
        w!(fb, ind + 2, "fsGroup: 10001");
        w!(fb, ind + 2, "seccompProfile:");
        w!(fb, ind + 4, "type: RuntimeDefault");
        if self.rng.chance(0.3) {
            w!(fb, ind, "nodeSelector:");
            w!(fb, ind + 2, "kubernetes.io/os: linux");
            w!(
                fb,
                ind + 2,
                "node.kubernetes.io/instance-type: {}",
                self.rng.pick(INSTANCE_TYPES)
            );
        }
        if self.rng.chance(0.25) {
            w!(fb, ind, "tolerations:");
            w!(fb, ind + 2, "- key: dedicated");
            w!(fb, ind + 4, "operator: Equal");
            w!(fb, ind + 4, "value: {app}");
            w!(fb, ind + 4, "effect: NoSchedule");
        }
        let init = self.rng.chance(0.3);
        let containers = self.rng.range(1, 3);
        let slots = containers + usize::from(init);
        let planted_at = self.rng.below(slots);
        let mut slot = 0;
        if init {
            w!(fb, ind, "initContainers:");
            let mut none = Plant(None);
            let p = if planted_at == slot {
                &mut *plant
            } else {
                &mut none
            };
            self.k8s_container(fb, &format!("{app}-init"), "init", ind + 2, p, true);
            slot += 1;
        }
        w!(fb, ind, "containers:");
        for i in 0..containers {
            let (name, image_app) = if i == 0 {
                ("app".to_string(), app.to_string())
            } else {
                let (n, _, _) = *self.rng.pick(SIDECARS);
                (n.to_string(), n.to_string())
            };
            let mut none = Plant(None);
            let p = if planted_at == slot {
                &mut *plant
            } else {
                &mut none
            };
            self.k8s_container(fb, &image_app, &name, ind + 2, p, false);
            slot += 1;
        }
        w!(fb, ind, "volumes:");
        w!(fb, ind + 2, "- name: config");
        w!(fb, ind + 4, "configMap:");
        w!(fb, ind + 6, "name: {app}-config-0");
        w!(fb, ind + 2, "- name: tmp");
        w!(fb, ind + 4, "emptyDir: {{}}");
    }

    fn k8s_container(
        &mut self,
        fb: &mut FileBuf,
        image_app: &str,
        name: &str,
        ind: usize,
        plant: &mut Plant,
        init: bool,
    ) {
        w!(fb, ind, "- name: {name}");
        let image = self.image_or_plant(fb, plant, image_app);
        if self.rng.chance(0.5) {
            w!(fb, ind + 2, "image: \"{image}\"");
        } else {
            w!(fb, ind + 2, "image: {image}");
        }
        w!(fb, ind + 2, "imagePullPolicy: IfNotPresent");
        if init {
            w!(
                fb,
                ind + 2,
                "command: [\"/app/migrate\", \"--up\", \"--timeout=120s\"]"
            );
        } else {
            w!(fb, ind + 2, "args:");
            w!(fb, ind + 4, "- --log-level=info");
            w!(fb, ind + 4, "- --listen=:8080");
            w!(fb, ind + 2, "ports:");
            w!(fb, ind + 4, "- name: http");
            w!(fb, ind + 6, "containerPort: 8080");
            w!(fb, ind + 6, "protocol: TCP");
            w!(fb, ind + 4, "- name: metrics");
            w!(fb, ind + 6, "containerPort: 9090");
        }
        w!(fb, ind + 2, "env:");
        for env in self.rng.some(ENV_NAMES, 3, 9) {
            w!(fb, ind + 4, "- name: {env}");
            w!(fb, ind + 6, "value: \"{}\"", self.rng.hex(10));
        }
        w!(fb, ind + 4, "- name: DB_PASSWORD");
        w!(fb, ind + 6, "valueFrom:");
        w!(fb, ind + 8, "secretKeyRef:");
        w!(fb, ind + 10, "name: {image_app}-secrets");
        w!(fb, ind + 10, "key: db-password");
        w!(fb, ind + 2, "resources:");
        w!(fb, ind + 4, "requests:");
        w!(fb, ind + 6, "cpu: {}m", self.rng.pick(&[50, 100, 250]));
        w!(fb, ind + 6, "memory: {}Mi", self.rng.pick(&[64, 128, 256]));
        w!(fb, ind + 4, "limits:");
        w!(fb, ind + 6, "cpu: \"1\"");
        w!(fb, ind + 6, "memory: 512Mi");
        if !init {
            for probe in ["livenessProbe", "readinessProbe"] {
                w!(fb, ind + 2, "{probe}:");
                w!(fb, ind + 4, "httpGet:");
                w!(fb, ind + 6, "path: /healthz");
                w!(fb, ind + 6, "port: http");
                w!(fb, ind + 4, "initialDelaySeconds: 5");
                w!(fb, ind + 4, "periodSeconds: 10");
            }
        }
        w!(fb, ind + 2, "securityContext:");
        w!(fb, ind + 4, "allowPrivilegeEscalation: false");
        w!(fb, ind + 4, "readOnlyRootFilesystem: true");
        w!(fb, ind + 4, "capabilities:");
        w!(fb, ind + 6, "drop: [\"ALL\"]");
        w!(fb, ind + 2, "volumeMounts:");
        w!(fb, ind + 4, "- name: config");
        w!(fb, ind + 6, "mountPath: /etc/{image_app}");
        w!(fb, ind + 6, "readOnly: true");
        w!(fb, ind + 4, "- name: tmp");
        w!(fb, ind + 6, "mountPath: /tmp");
    }

    fn k8s_service(&mut self, fb: &mut FileBuf, app: &str, team: &str) {
        self.count_object("Service");
        w!(fb, 0, "apiVersion: v1");
        w!(fb, 0, "kind: Service");
        self.k8s_metadata(fb, app, team, 0);
        w!(fb, 0, "spec:");
        w!(fb, 2, "type: ClusterIP");
        w!(fb, 2, "selector:");
        w!(fb, 4, "app.kubernetes.io/name: {app}");
        w!(fb, 2, "ports:");
        w!(fb, 4, "- name: http");
        w!(fb, 6, "port: 80");
        w!(fb, 6, "targetPort: http");
        w!(fb, 4, "- name: metrics");
        w!(fb, 6, "port: 9090");
        w!(fb, 6, "targetPort: metrics");
    }

    fn k8s_configmap(&mut self, fb: &mut FileBuf, app: &str, team: &str, i: usize) {
        self.count_object("ConfigMap");
        w!(fb, 0, "apiVersion: v1");
        w!(fb, 0, "kind: ConfigMap");
        self.k8s_metadata(fb, &format!("{app}-config-{i}"), team, 0);
        w!(fb, 0, "immutable: true");
        w!(fb, 0, "data:");
        for env in self.rng.some(ENV_NAMES, 3, 10) {
            w!(fb, 2, "{env}: \"{}\"", self.rng.hex(12));
        }
        w!(fb, 2, "app.yaml: |");
        w!(fb, 4, "server:");
        w!(fb, 6, "listen: \":8080\"");
        w!(fb, 6, "read_timeout: 5s");
        w!(fb, 4, "features:");
        for f in 0..self.rng.range(2, 8) {
            w!(fb, 6, "flag_{f}: {}", self.rng.chance(0.5));
        }
    }

    fn k8s_secret(&mut self, fb: &mut FileBuf, app: &str, team: &str, i: usize) {
        self.count_object("Secret");
        w!(fb, 0, "apiVersion: v1");
        w!(fb, 0, "kind: Secret");
        self.k8s_metadata(fb, &format!("{app}-secrets-{i}"), team, 0);
        w!(fb, 0, "immutable: true");
        w!(fb, 0, "type: Opaque");
        w!(fb, 0, "data:");
        for key in ["db-password", "api-key", "signing-key"] {
            w!(fb, 2, "{key}: {}", self.rng.hex(44));
        }
    }

    fn k8s_hpa(&mut self, fb: &mut FileBuf, app: &str, team: &str) {
        self.count_object("HorizontalPodAutoscaler");
        w!(fb, 0, "apiVersion: autoscaling/v2");
        w!(fb, 0, "kind: HorizontalPodAutoscaler");
        self.k8s_metadata(fb, app, team, 0);
        w!(fb, 0, "spec:");
        w!(fb, 2, "scaleTargetRef:");
        w!(fb, 4, "apiVersion: apps/v1");
        w!(fb, 4, "kind: Deployment");
        w!(fb, 4, "name: {app}");
        w!(fb, 2, "minReplicas: 2");
        w!(fb, 2, "maxReplicas: {}", self.rng.range(5, 30));
        w!(fb, 2, "metrics:");
        w!(fb, 4, "- type: Resource");
        w!(fb, 6, "resource:");
        w!(fb, 8, "name: cpu");
        w!(fb, 8, "target:");
        w!(fb, 10, "type: Utilization");
        w!(fb, 10, "averageUtilization: 70");
    }
}

// ---------------------------------------------------------------------------
// Dockerfiles

/// A language toolchain: build image, how dependencies are installed.
#[derive(Clone, Copy)]
struct Flavour {
    arg: &'static str,
    version: &'static str,
    build_image: &'static str,
    runtime: &'static str,
    deps: &'static [&'static str],
}

const FLAVOURS: &[Flavour] = &[
    Flavour {
        arg: "GO_VERSION",
        version: "1.22.5",
        build_image: "golang:${GO_VERSION}-bookworm",
        runtime: "gcr.io/distroless/static-debian12:nonroot",
        deps: &[
            "COPY go.mod go.sum ./",
            "RUN --mount=type=cache,target=/go/pkg/mod go mod download",
        ],
    },
    Flavour {
        arg: "PYTHON_VERSION",
        version: "3.12.4",
        build_image: "python:${PYTHON_VERSION}-slim-bookworm",
        runtime: "python:${PYTHON_VERSION}-slim-bookworm",
        deps: &[
            "COPY requirements.txt requirements.lock ./",
            "RUN pip install --no-cache-dir -r requirements.lock",
        ],
    },
    Flavour {
        arg: "NODE_VERSION",
        version: "20.15.1",
        build_image: "node:${NODE_VERSION}-bookworm-slim",
        runtime: "node:${NODE_VERSION}-bookworm-slim",
        deps: &[
            "COPY package.json package-lock.json ./",
            "RUN npm ci --omit=dev",
        ],
    },
    Flavour {
        arg: "JDK_VERSION",
        version: "21.0.3_9",
        build_image: "eclipse-temurin:${JDK_VERSION}-jdk-jammy",
        runtime: "eclipse-temurin:${JDK_VERSION}-jre-jammy",
        deps: &[
            "COPY gradlew settings.gradle.kts build.gradle.kts ./",
            "COPY gradle ./gradle",
            "RUN ./gradlew --no-daemon dependencies",
        ],
    },
    Flavour {
        arg: "RUST_VERSION",
        version: "1.79.0",
        build_image: "rust:${RUST_VERSION}-slim-bookworm",
        runtime: "debian:12.6-slim",
        deps: &[
            "COPY Cargo.toml Cargo.lock ./",
            "RUN --mount=type=cache,target=/usr/local/cargo/registry cargo fetch --locked",
        ],
    },
];

/// apt packages with the exact versions Debian bookworm ships.
const APT: &[(&str, &str)] = &[
    ("ca-certificates", "20230311"),
    ("curl", "7.88.1-10+deb12u6"),
    ("git", "1:2.39.2-1.1"),
    ("make", "4.3-4.1"),
    ("build-essential", "12.9"),
    ("pkg-config", "1.8.1-1"),
    ("libssl-dev", "3.0.13-1~deb12u1"),
    ("unzip", "6.0-28"),
    ("jq", "1.6-2.1"),
    ("tini", "0.19.0-1"),
    ("tzdata", "2024a-0+deb12u1"),
    ("gnupg", "2.2.40-1.1"),
    ("libpq-dev", "15.7-0+deb12u1"),
];
const PIP: &[(&str, &str)] = &[
    ("gunicorn", "22.0.0"),
    ("uvicorn", "0.30.1"),
    ("psycopg", "3.1.19"),
    ("boto3", "1.34.140"),
    ("structlog", "24.2.0"),
];
const NPM: &[(&str, &str)] = &[
    ("pnpm", "9.4.0"),
    ("typescript", "5.5.3"),
    ("pm2", "5.4.1"),
    ("@nestjs/cli", "10.4.2"),
];

impl Gen<'_> {
    fn dockerfiles(&mut self, n: usize) -> io::Result<()> {
        for _ in 0..n {
            let serial = self.next_serial();
            let app = self.app_name();
            let plant_rule = if self.decide(true) {
                Some(*self.rng.pick(&[Rule::Tag001, Rule::Tag002, Rule::Ver004]))
            } else {
                None
            };
            let mut plant = Plant(plant_rule);
            let mut fb = FileBuf::new();
            self.dockerfile(&mut fb, &app, &mut plant);
            debug_assert!(
                plant.0.is_none(),
                "unplaced violation in Dockerfile {serial}"
            );
            let name = *self.rng.pick(&[
                "Dockerfile",
                "Dockerfile",
                "Dockerfile",
                "Containerfile",
                "Dockerfile.prod",
            ]);
            let path = format!("services/{}/{app}-{serial}/{name}", self.rng.pick(TEAMS));
            self.emit(FileClass::Dockerfile, &path, fb)?;
        }
        Ok(())
    }

    fn dockerfile(&mut self, fb: &mut FileBuf, app: &str, plant: &mut Plant) {
        let flavour = *self.rng.pick(FLAVOURS);
        w!(fb, 0, "# syntax=docker/dockerfile:1.7");
        w!(fb, 0, "# Build and runtime image for {app}.");
        w!(fb, 0, "ARG {}={}", flavour.arg, flavour.version);
        w!(fb, 0, "ARG APP_VERSION=0.0.0-dev");
        let base_arg = plant.0 == Some(Rule::Tag001) && self.rng.chance(0.5);
        if base_arg {
            plant.take(Rule::Tag001);
            fb.mark(Rule::Tag001);
            w!(fb, 0, "ARG TOOLS_IMAGE=alpine:latest");
        } else {
            w!(fb, 0, "ARG TOOLS_IMAGE=alpine:3.20.1");
        }
        fb.blank();
        // Tools stage: fetches a pinned binary.
        if plant.take(Rule::Tag002) {
            fb.mark(Rule::Tag002);
            w!(
                fb,
                0,
                "FROM {} AS tools",
                self.rng.pick(&[
                    "alpine",
                    "registry.example.com:5000/base/alpine",
                    "docker.io/library/alpine"
                ])
            );
        } else {
            w!(fb, 0, "FROM ${{TOOLS_IMAGE}} AS tools");
        }
        w!(fb, 0, "ARG GRPC_HEALTH_PROBE_VERSION=v0.4.28");
        let pkg = self.apk_line(fb, plant);
        w!(fb, 0, "RUN apk add --no-cache {pkg} \\");
        w!(
            fb,
            4,
            "&& wget -qO /bin/grpc_health_probe https://github.com/grpc-ecosystem/grpc-health-probe/releases/download/${{GRPC_HEALTH_PROBE_VERSION}}/grpc_health_probe-linux-amd64 \\"
        );
        w!(
            fb,
            4,
            "&& echo \"{}  /bin/grpc_health_probe\" | sha256sum -c - \\",
            self.rng.hex(64)
        );
        w!(fb, 4, "&& chmod +x /bin/grpc_health_probe");
        fb.blank();
        // Build stage.
        if plant.take(Rule::Tag001) {
            fb.mark(Rule::Tag001);
            let base = flavour.build_image.split(':').next().unwrap_or("debian");
            w!(fb, 0, "FROM {base}:latest AS build");
        } else {
            w!(fb, 0, "FROM {} AS build", flavour.build_image);
        }
        self.summary.dockerfile_stages += 2;
        w!(fb, 0, "ARG APP_VERSION");
        w!(fb, 0, "WORKDIR /src");
        w!(fb, 0, "ENV DEBIAN_FRONTEND=noninteractive");
        self.apt_chain(fb, plant);
        for line in flavour.deps {
            w!(fb, 0, "{line}");
        }
        if flavour.arg == "PYTHON_VERSION" || plant.0 == Some(Rule::Ver004) {
            self.pip_line(fb, plant);
        }
        if flavour.arg == "NODE_VERSION" || self.rng.chance(0.2) {
            self.npm_line(fb, plant);
        }
        w!(fb, 0, "COPY . .");
        w!(fb, 0, "RUN --mount=type=cache,target=/root/.cache \\");
        w!(fb, 4, "set -eux; \\");
        w!(fb, 4, "echo \"building {app} ${{APP_VERSION}}\"; \\");
        w!(fb, 4, "make build VERSION=${{APP_VERSION}} OUT=/out; \\");
        w!(fb, 4, "make test-unit; \\");
        w!(
            fb,
            4,
            "find /out -type f -exec sha256sum {{}} + > /out/SHA256SUMS"
        );
        fb.blank();
        if self.rng.chance(0.5) {
            self.summary.dockerfile_stages += 1;
            w!(fb, 0, "FROM build AS test");
            w!(fb, 0, "RUN make test-integration");
            fb.blank();
        }
        // Runtime stage.
        self.summary.dockerfile_stages += 1;
        w!(fb, 0, "FROM {} AS runtime", flavour.runtime);
        w!(fb, 0, "ARG APP_VERSION");
        w!(fb, 0, "LABEL org.opencontainers.image.title=\"{app}\" \\");
        w!(
            fb,
            6,
            "org.opencontainers.image.version=\"${{APP_VERSION}}\" \\"
        );
        w!(
            fb,
            6,
            "org.opencontainers.image.source=\"https://github.com/example-org/{app}\""
        );
        if !flavour.runtime.starts_with("gcr.io/distroless") {
            w!(fb, 0, "RUN <<EOF");
            w!(fb, 0, "set -eux");
            w!(fb, 0, "apt-get update");
            w!(
                fb,
                0,
                "apt-get install -y --no-install-recommends tini=0.19.0-1 ca-certificates=20230311"
            );
            w!(fb, 0, "rm -rf /var/lib/apt/lists/*");
            w!(fb, 0, "groupadd --system --gid 10001 app");
            w!(
                fb,
                0,
                "useradd --system --uid 10001 --gid app --home /app app"
            );
            w!(fb, 0, "EOF");
        }
        w!(
            fb,
            0,
            "COPY --from=tools /bin/grpc_health_probe /usr/local/bin/grpc_health_probe"
        );
        w!(fb, 0, "COPY --from=build --chown=10001:10001 /out/ /app/");
        w!(fb, 0, "COPY <<EOF /etc/{app}/config.yaml");
        w!(fb, 0, "listen: \":8080\"");
        w!(fb, 0, "log_level: info");
        w!(fb, 0, "metrics: \":9090\"");
        w!(fb, 0, "EOF");
        w!(fb, 0, "ENV APP_ENV=production \\");
        w!(fb, 4, "APP_VERSION=${{APP_VERSION}}");
        w!(fb, 0, "USER 10001:10001");
        w!(fb, 0, "WORKDIR /app");
        w!(fb, 0, "EXPOSE 8080 9090");
        w!(
            fb,
            0,
            "HEALTHCHECK --interval=30s --timeout=3s --retries=3 CMD [\"/usr/local/bin/grpc_health_probe\", \"-addr=:8080\"]"
        );
        w!(fb, 0, "ENTRYPOINT [\"/app/{app}\"]");
        w!(
            fb,
            0,
            "CMD [\"serve\", \"--config\", \"/etc/{app}/config.yaml\"]"
        );
    }

    /// The tools stage's `apk add` packages (one left unpinned when planted).
    fn apk_line(&mut self, fb: &mut FileBuf, plant: &mut Plant) -> String {
        if self.rng.chance(0.3) && plant.take(Rule::Ver004) {
            fb.mark(Rule::Ver004);
            "ca-certificates=20240705-r0 wget".to_string()
        } else {
            "ca-certificates=20240705-r0 wget=1.24.5-r0".to_string()
        }
    }

    /// A long `apt-get` chain: update, pinned installs across `\` lines,
    /// cleanup.
    fn apt_chain(&mut self, fb: &mut FileBuf, plant: &mut Plant) {
        let packages = self.rng.some(APT, 4, 10);
        let bad_at = if self.rng.chance(0.4) && plant.take(Rule::Ver004) {
            Some(self.rng.below(packages.len()))
        } else {
            None
        };
        w!(fb, 0, "RUN apt-get update \\");
        w!(fb, 4, "&& apt-get install -y --no-install-recommends \\");
        for (i, (name, version)) in packages.iter().enumerate() {
            if bad_at == Some(i) {
                fb.mark(Rule::Ver004);
                w!(fb, 8, "{name} \\");
            } else {
                w!(fb, 8, "{name}={version} \\");
            }
        }
        w!(fb, 4, "&& apt-get clean \\");
        w!(fb, 4, "&& rm -rf /var/lib/apt/lists/*");
    }

    fn pip_line(&mut self, fb: &mut FileBuf, plant: &mut Plant) {
        let packages = self.rng.some(PIP, 2, 4);
        let bad = plant.take(Rule::Ver004);
        let words: Vec<String> = packages
            .iter()
            .enumerate()
            .map(|(i, (n, v))| {
                if bad && i == 0 {
                    n.to_string()
                } else {
                    format!("{n}=={v}")
                }
            })
            .collect();
        if bad {
            fb.mark(Rule::Ver004);
        }
        w!(fb, 0, "RUN pip install --no-cache-dir {}", words.join(" "));
    }

    fn npm_line(&mut self, fb: &mut FileBuf, plant: &mut Plant) {
        let packages = self.rng.some(NPM, 1, 3);
        let bad = plant.take(Rule::Ver004);
        let words: Vec<String> = packages
            .iter()
            .enumerate()
            .map(|(i, (n, v))| {
                if bad && i == 0 {
                    n.to_string()
                } else {
                    format!("{n}@{v}")
                }
            })
            .collect();
        if bad {
            fb.mark(Rule::Ver004);
        }
        w!(fb, 0, "RUN npm install --global {}", words.join(" "));
    }
}

// ---------------------------------------------------------------------------

#[cfg(test)]
mod tests {
    use super::*;

    fn in_memory(files: usize, seed: u64) -> (BTreeMap<String, String>, Summary) {
        let mut out = BTreeMap::new();
        let config = Config {
            files,
            seed,
            violation_share: 0.10,
        };
        let summary = generate(&config, &mut |p, t| {
            assert!(
                out.insert(p.to_string(), t.to_string()).is_none(),
                "{p} written twice"
            );
            Ok(())
        })
        .expect("in-memory sink cannot fail");
        (out, summary)
    }

    #[test]
    fn same_seed_same_bytes_other_seed_other_bytes() {
        let (a, sa) = in_memory(400, 1);
        let (b, sb) = in_memory(400, 1);
        let (c, _) = in_memory(400, 2);
        assert_eq!(a, b);
        assert_eq!(sa, sb);
        assert_ne!(a, c);
    }

    #[test]
    fn proportions_sizes_and_violation_share() {
        let (files, s) = in_memory(3300, 7);
        assert_eq!(files.len(), 3300);
        assert_eq!(s.total_files(), 3300);
        let tf = s.files_of(FileClass::Terraform);
        let k8s = s.files_of(FileClass::Kubernetes);
        let docker = s.files_of(FileClass::Dockerfile);
        assert_eq!((tf, k8s, docker), (1900, 1100, 250));
        assert_eq!(
            files
                .keys()
                .filter(|p| p.ends_with(".tf") || p.ends_with(".tfvars"))
                .count(),
            1900
        );
        let avg = s.total_bytes() as f64 / 3300.0;
        assert!((3000.0..6500.0).contains(&avg), "average file size {avg}");
        let share = s.files_with_violations() as f64 / 3300.0;
        assert!((0.08..0.12).contains(&share), "violation share {share}");
        for (rule, n) in s.per_rule() {
            assert!(n > 0, "no {} planted", rule.id());
        }
        // Modules have 3–8 files (the last one may be smaller).
        let mut per_dir: BTreeMap<&str, usize> = BTreeMap::new();
        for p in files.keys().filter(|p| p.starts_with("terraform/")) {
            *per_dir
                .entry(p.rsplit_once('/').map_or("", |(d, _)| d))
                .or_default() += 1;
        }
        assert!(per_dir.values().filter(|n| **n > 8 || **n < 3).count() <= 1);
    }

    #[test]
    fn planted_lines_point_at_the_violation() {
        let (files, s) = in_memory(600, 3);
        for p in &s.planted {
            let text = &files[&p.file];
            let line = text.lines().nth(p.line - 1).unwrap_or_default();
            let ok = match p.rule {
                Rule::Tag001 => line.contains(":latest"),
                Rule::Tag002 => UNTAGGED
                    .iter()
                    .chain(["alpine", "registry.example.com:5000/base/alpine"].iter())
                    .any(|u| line.contains(u)),
                Rule::Ssh001 => line.trim() == "ingress {",
                Rule::Upd003 => line.contains("provisioner \"remote-exec\""),
                Rule::Ver001 => line.contains("source") && !line.contains("ref="),
                Rule::Ver003 => line.contains("$Latest"),
                Rule::Ver004 => line
                    .split_whitespace()
                    .any(|w| w == "wget" || APT.iter().chain(PIP).chain(NPM).any(|(n, _)| *n == w)),
            };
            assert!(ok, "{:?} at {}:{}: {line}", p.rule, p.file, p.line);
        }
    }

    #[test]
    fn terraform_is_valid_hcl() {
        let (files, _) = in_memory(500, 5);
        let mut checked = 0;
        for (path, text) in files.iter().filter(|(p, _)| p.starts_with("terraform/")) {
            if let Err(e) = hcl_edit::parser::parse_body(text) {
                panic!("{path}: {e}");
            }
            checked += 1;
        }
        assert!(checked > 250);
    }

    #[test]
    fn tiny_corpora_and_arguments() {
        let (files, _) = in_memory(1, 1);
        assert_eq!(files.len(), 1);
        let args: Vec<String> = ["--files", "10_000", "--seed", "9", "out"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let (config, out) = parse_args(&args).expect("valid");
        assert_eq!(
            (config.files, config.seed, out),
            (10_000, 9, PathBuf::from("out"))
        );
        assert!(parse_args(&["--files".to_string()]).is_err());
        assert!(parse_args(&["--bogus".to_string(), "x".to_string()]).is_err());
    }
}
