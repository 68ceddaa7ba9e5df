//! Module files read and parsed once per scan. A module called by many
//! others (terraform-aws-security-group's ~60 wrappers all call its root)
//! is evaluated once per call, but its files are read and parsed once: every
//! evaluation borrows the same parsed bodies.

use foldhash::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use super::{Syntax, Tree, load};
use crate::document::{ParseError, SourceFile};

/// The parsed files of the module directories a scan evaluates more than
/// once, shared by the scan's threads. Cheap to clone (one `Arc`).
#[derive(Clone, Default)]
pub struct ModuleCache {
    inner: Arc<Shared>,
}

/// A parsed file with the text it was parsed from.
type ParsedFile = (Arc<SourceFile>, Arc<Tree>);
/// A directory's files, or why it could not be read.
type DirFiles = Result<Arc<[Arc<SourceFile>]>, String>;

/// Whether a parsed file stays in the cache for later callers.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Keep {
    /// A child module's files, or the files of a module that composes
    /// children: they are read again.
    Always,
    /// A module's own files in the scan's first step: kept when a module
    /// parsed before it calls it ([`ModuleCache::want`]), so that caller's
    /// composition does not parse them again (on the real corpus 530 of
    /// 2,409 parses were such repeats, BENCHMARKS.md, stop 27). Keeping
    /// every module's files until the scan knows which are called would
    /// hold every syntax tree of a large repository at once (+280 MB on a
    /// 50,000-file corpus), so a module parsed before its caller is parsed
    /// again, as before.
    IfCalled,
}

#[derive(Default)]
struct Shared {
    /// Module directories a module of the scan calls ([`ModuleCache::want`]).
    wanted: Mutex<HashSet<PathBuf>>,
    /// A file's parsed body by its path on disk, with the text it was
    /// parsed from (a file read again with other text is parsed again).
    trees: Mutex<HashMap<PathBuf, ParsedFile>>,
    /// A child module directory's configuration files by (directory on
    /// disk, directory as shown), or why it could not be read.
    dirs: Mutex<HashMap<(PathBuf, PathBuf), DirFiles>>,
    /// Texts that stand for files on disk (the editor's unsaved buffers),
    /// by path on disk.
    overlay: HashMap<PathBuf, String>,
    /// The module directories of the scan (normalised, as shown): their
    /// own documents report what is written in them.
    scanned: HashSet<PathBuf>,
}

impl ModuleCache {
    /// A cache whose child modules read `overlay`'s texts instead of the
    /// files at those paths: the language server composes a root with the
    /// unsaved buffers of the children it calls.
    pub fn with_overlay(overlay: HashMap<PathBuf, String>) -> Self {
        ModuleCache {
            inner: Arc::new(Shared {
                overlay,
                ..Shared::default()
            }),
        }
    }

    /// A scan's cache: `scanned` are the module directories it reports on
    /// (normalised, as shown). A child instance in one of them is built
    /// with only what its call can change: the rest is the directory's
    /// own document's to report (docs/input-terraform.md).
    pub fn for_scan(scanned: impl IntoIterator<Item = PathBuf>) -> Self {
        ModuleCache {
            inner: Arc::new(Shared {
                scanned: scanned.into_iter().collect(),
                ..Shared::default()
            }),
        }
    }

    /// Whether the scan reports on the module directory `shown` on its own.
    pub(super) fn scanned(&self, shown: &Path) -> bool {
        self.inner.scanned.contains(shown)
    }

    /// The text standing for the file at `disk`, if an overlay gives one.
    pub(super) fn overlaid(&self, disk: &Path) -> Option<&str> {
        self.inner.overlay.get(disk).map(String::as_str)
    }

    /// `file` (at `disk` on disk) parsed, from the cache when the same text
    /// was parsed before; kept for later callers as `keep` says.
    pub(super) fn tree(
        &self,
        disk: &Path,
        file: &Arc<SourceFile>,
        syntax: Syntax,
        keep: Keep,
    ) -> Result<Arc<Tree>, ParseError> {
        let trees = &self.inner.trees;
        if let Some((text, tree)) = lock(trees).get(disk)
            && (Arc::ptr_eq(text, file) || text.text == file.text)
        {
            return Ok(tree.clone());
        }
        let tree = Arc::new(load(file, syntax)?);
        if keep == Keep::Always || self.called(disk) {
            self.keep(disk, file, tree.clone());
        }
        Ok(tree)
    }

    /// Keeps a body parsed elsewhere (a module that composes children keeps
    /// its files for its own composition).
    pub(super) fn keep(&self, disk: &Path, file: &Arc<SourceFile>, tree: Arc<Tree>) {
        lock(&self.inner.trees).insert(disk.to_path_buf(), (file.clone(), tree));
    }

    /// Marks the module directory `dir` (normalised, on disk) as called by
    /// a module of the scan: its files are kept when parsed
    /// ([`Keep::IfCalled`]).
    pub(super) fn want(&self, dir: PathBuf) {
        lock(&self.inner.wanted).insert(dir);
    }

    /// Whether the file at `disk` is in a directory [`ModuleCache::want`]
    /// marked.
    fn called(&self, disk: &Path) -> bool {
        let wanted = lock(&self.inner.wanted);
        disk.parent().is_some_and(|dir| wanted.contains(dir))
    }

    /// Drops the parsed files of every module directory but `dirs`
    /// (normalised paths on disk): once a scan knows which modules are
    /// called or compose children, the others' files are not parsed again
    /// and need not be held. Called between the scan's two steps.
    pub fn keep_only(&self, dirs: &HashSet<PathBuf>) {
        lock(&self.inner.trees).retain(|disk, _| disk.parent().is_some_and(|d| dirs.contains(d)));
    }

    /// The files of the directory `dir`, shown under `shown`, read by
    /// `read` the first time they are asked for.
    pub(super) fn dir(
        &self,
        dir: &Path,
        shown: &Path,
        read: impl FnOnce() -> std::io::Result<Vec<Arc<SourceFile>>>,
    ) -> DirFiles {
        let key = (dir.to_path_buf(), shown.to_path_buf());
        if let Some(found) = lock(&self.inner.dirs).get(&key) {
            return found.clone();
        }
        let read = read().map(Arc::from).map_err(|e| e.to_string());
        lock(&self.inner.dirs).insert(key, read.clone());
        read
    }
}

/// A poisoned lock only means another thread panicked mid-insert: the map
/// is still a valid cache.
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::super::{Options, compose_module, parse_own_module};
    use super::*;
    use crate::document::Parsed;

    /// A root in `root/` calling the module in `child/` `calls` times.
    fn tree(calls: usize) -> (tempfile::TempDir, Vec<Arc<SourceFile>>) {
        let dir = tempfile::tempdir().unwrap();
        let child = "variable \"tag\" {}\nresource \"aws_ecs_task_definition\" \"t\" {\n  image = \"app:${var.tag}\"\n}\n";
        std::fs::create_dir_all(dir.path().join("child")).unwrap();
        std::fs::create_dir_all(dir.path().join("root")).unwrap();
        std::fs::write(dir.path().join("child/main.tf"), child).unwrap();
        let root: String = (0..calls)
            .map(|i| format!("module \"c{i}\" {{\n  source = \"../child\"\n  tag = \"{i}\"\n}}\n"))
            .collect();
        std::fs::write(dir.path().join("root/main.tf"), &root).unwrap();
        let files = vec![Arc::new(SourceFile::new("root/main.tf", root))];
        (dir, files)
    }

    fn compose(
        dir: &Path,
        files: &[Arc<SourceFile>],
        cache: &ModuleCache,
    ) -> (Parsed, Vec<Parsed>) {
        let mut children = Vec::new();
        let own = compose_module(dir, files, &Options::default(), cache, &mut |p| {
            children.push(p)
        });
        (own, children)
    }

    #[test]
    fn a_child_called_twice_is_read_and_parsed_once() {
        let (tmp, files) = tree(2);
        let cache = ModuleCache::default();
        let (_, children) = compose(&tmp.path().join("root"), &files, &cache);
        let child_file = |p: &Parsed| p.documents[0].files.last().unwrap().clone();
        assert_eq!(children.len(), 2);
        assert!(Arc::ptr_eq(
            &child_file(&children[0]),
            &child_file(&children[1])
        ));
        assert_eq!(lock(&cache.inner.dirs).len(), 1);
        let trees = lock(&cache.inner.trees);
        assert!(
            trees.keys().any(|k| k.ends_with("child/main.tf")),
            "{trees:?}",
            trees = trees.keys().collect::<Vec<_>>()
        );
    }

    #[test]
    fn each_instance_goes_to_the_sink_and_only_the_module_is_returned() {
        let (tmp, files) = tree(3);
        let (own, children) = compose(&tmp.path().join("root"), &files, &ModuleCache::default());
        assert_eq!(own.documents.len(), 1);
        assert!(own.documents[0].input.get("instance").is_none());
        assert_eq!(children.len(), 3);
        for (i, child) in children.iter().enumerate() {
            let label = &child.documents[0].label;
            assert!(label.contains(&format!("module.c{i}")), "{label}");
        }
    }

    #[test]
    fn a_module_that_calls_local_modules_keeps_its_parsed_files_for_its_composition() {
        let (tmp, files) = tree(1);
        let cache = ModuleCache::default();
        let root = tmp.path().join("root");
        let first = parse_own_module(&root, &files, &Options::default(), &cache);
        assert_eq!(first.documents.len(), 1, "children are not evaluated yet");
        assert!(super::super::has_local_calls(&first.documents[0]));
        let disk = super::super::calls::normalise(&root.join("main.tf"));
        let kept = lock(&cache.inner.trees).get(&disk).map(|(_, t)| t.clone());
        let kept = kept.expect("the root's parsed file is kept");
        let again = cache
            .tree(&disk, &files[0], super::super::Syntax::Hcl, Keep::Always)
            .unwrap();
        assert!(Arc::ptr_eq(&kept, &again), "parsed once");
    }

    #[test]
    fn a_composing_module_is_first_read_for_its_sources_and_role_only() {
        let (tmp, _) = tree(1);
        let root = tmp.path().join("root");
        let text = "provider \"aws\" {}\nresource \"aws_instance\" \"web\" {\n  ami = \"x\"\n}\nmodule \"c\" {\n  source = \"../child\"\n  tag = \"1\"\n}\n";
        std::fs::write(root.join("main.tf"), text).unwrap();
        let files = vec![Arc::new(SourceFile::new("root/main.tf", text))];
        let cache = ModuleCache::default();
        let first = parse_own_module(&root, &files, &Options::default(), &cache);
        let input = &first.documents[0].input;
        assert_eq!(input["root"], true, "a provider block makes it a root");
        let call = serde_json::json!({"source": "../child"});
        assert_eq!(
            input["modules"][0]["config"], call,
            "arguments wait for the composition"
        );
        assert_eq!(input["resources"], serde_json::json!([]), "{input}");
        let (own, _) = compose(&root, &files, &cache);
        let input = &own.documents[0].input;
        assert_eq!(input["resources"][0]["address"], "aws_instance.web");
        assert_eq!(input["modules"][0]["config"]["tag"], "1");
    }

    /// The addresses of the resources in the one child instance a root
    /// passing `arguments` to `child` makes, with `cache`; `None` when the
    /// instance has nothing to report and is not evaluated.
    fn instance_resources(
        child: &str,
        arguments: &str,
        cache: &ModuleCache,
    ) -> Option<Vec<String>> {
        let input = instance_input(child, arguments, cache)?;
        let resources = input["resources"].as_array().unwrap();
        let addresses = resources
            .iter()
            .map(|r| r["address"].as_str().unwrap().to_string())
            .collect();
        Some(addresses)
    }

    /// The rule input of the one child instance a root passing `arguments`
    /// to `child` makes, with `cache`; `None` when it is not evaluated.
    fn instance_input(
        child: &str,
        arguments: &str,
        cache: &ModuleCache,
    ) -> Option<serde_json::Value> {
        let tmp = tempfile::tempdir().unwrap();
        for dir in ["child", "root"] {
            std::fs::create_dir_all(tmp.path().join(dir)).unwrap();
        }
        std::fs::write(tmp.path().join("child/main.tf"), child).unwrap();
        let root = format!("module \"c\" {{\n  source = \"../child\"\n{arguments}}}\n");
        std::fs::write(tmp.path().join("root/main.tf"), &root).unwrap();
        let files = vec![Arc::new(SourceFile::new("root/main.tf", root))];
        let (_, children) = compose(&tmp.path().join("root"), &files, cache);
        Some(children[0].documents.first()?.input.clone())
    }

    /// In a scan that reports the child on its own, an instance lists the
    /// locals its call can change that its blocks read: one nothing reads
    /// is not deployed, and is not evaluated for it.
    #[test]
    fn a_pruned_instance_lists_the_locals_its_blocks_read() {
        let child = "variable \"tag\" {}\n\
            locals {\n  image = \"app:${var.tag}\"\n  unread = \"x-${var.tag}\"\n}\n\
            resource \"a\" \"reads_a_local\" {\n  image = local.image\n}\n";
        let locals = |cache: &ModuleCache| {
            let input = instance_input(child, "  tag = \"1\"\n", cache).unwrap();
            let names: Vec<String> = input["locals"]
                .as_object()
                .unwrap()
                .keys()
                .cloned()
                .collect();
            names
        };
        let scan = ModuleCache::for_scan([PathBuf::from("child")]);
        assert_eq!(locals(&scan), ["image"]);
        assert_eq!(locals(&ModuleCache::default()), ["image", "unread"]);
    }

    #[test]
    fn a_child_instance_in_a_scanned_directory_holds_only_what_its_call_can_change() {
        let child = "variable \"tag\" {}\nvariable \"port\" {\n  default = 22\n}\n\
            locals {\n  image = \"app:${var.tag}\"\n}\n\
            resource \"a\" \"reads_a_local\" {\n  image = local.image\n}\n\
            resource \"a\" \"reads_a_default\" {\n  port = var.port\n}\n\
            resource \"a\" \"fixed\" {\n  image = \"nginx:latest\"\n}\n";
        let all = [
            "module.c.a.reads_a_local",
            "module.c.a.reads_a_default",
            "module.c.a.fixed",
        ];
        let known = "  tag = \"1\"\n";
        // outside a scan (`inspect`, the language server): the whole child
        assert_eq!(
            instance_resources(child, known, &ModuleCache::default()).unwrap(),
            all
        );
        // in a scan that reports `child/` on its own
        let scan = || ModuleCache::for_scan([PathBuf::from("child")]);
        assert_eq!(
            instance_resources(child, known, &scan()).unwrap(),
            ["module.c.a.reads_a_local"]
        );
        // a wholly unknown argument reads as an unset variable does: the
        // instance is left with nothing to report, and not evaluated
        let unknown = "  tag = var.unset\n";
        assert_eq!(instance_resources(child, unknown, &scan()), None);
        // the child is not reported on its own: the whole child again
        let other = ModuleCache::for_scan([PathBuf::from("elsewhere")]);
        assert_eq!(instance_resources(child, known, &other).unwrap(), all);
    }

    #[test]
    fn a_grandchild_instance_keeps_what_comes_from_the_root_and_from_unscanned_callers() {
        let tmp = tempfile::tempdir().unwrap();
        let write = |path: &str, text: &str| {
            let path = tmp.path().join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        };
        let root = "module \"c\" {\n  source = \"../child\"\n  tag = \"latest\"\n}\n";
        write("root/main.tf", root);
        write(
            "child/main.tf",
            "variable \"tag\" {}\nmodule \"g\" {\n  source = \"../grandchild\"\n  tag = var.tag\n  size = 2\n}\n",
        );
        write(
            "grandchild/main.tf",
            "variable \"tag\" {}\nvariable \"size\" {}\n\
             resource \"a\" \"from_the_root\" {\n  image = \"app:${var.tag}\"\n}\n\
             resource \"a\" \"from_the_child\" {\n  size = var.size\n}\n",
        );
        let files = vec![Arc::new(SourceFile::new("root/main.tf", root))];
        let grandchild = |scanned: &[&str]| {
            let cache = ModuleCache::for_scan(scanned.iter().map(PathBuf::from));
            let (_, children) = compose(&tmp.path().join("root"), &files, &cache);
            let doc = children
                .iter()
                .flat_map(|p| &p.documents)
                .find(|d| d.label.contains("module.c.module.g"))
                .expect("the grandchild's instance");
            let resources = doc.input["resources"].as_array().unwrap();
            resources
                .iter()
                .map(|r| r["address"].as_str().unwrap().to_string())
                .collect::<Vec<_>>()
        };
        let from_the_root = "module.c.module.g.a.from_the_root";
        let from_the_child = "module.c.module.g.a.from_the_child";
        // `size` is written in child/, whose own scan reports it
        assert_eq!(
            grandchild(&["root", "child", "grandchild"]),
            [from_the_root]
        );
        // child/ is not scanned: what it writes is reported through the root
        assert_eq!(
            grandchild(&["root", "grandchild"]),
            [from_the_root, from_the_child]
        );
    }

    #[test]
    fn a_file_read_again_with_other_text_is_parsed_again() {
        let cache = ModuleCache::default();
        let disk = Path::new("/m/main.tf");
        let one = Arc::new(SourceFile::new("m/main.tf", "locals {\n  a = 1\n}\n"));
        let two = Arc::new(SourceFile::new("m/main.tf", "locals {\n  a = 2\n}\n"));
        let first = cache
            .tree(disk, &one, super::super::Syntax::Hcl, Keep::Always)
            .unwrap();
        let same = cache
            .tree(disk, &one, super::super::Syntax::Hcl, Keep::Always)
            .unwrap();
        let other = cache
            .tree(disk, &two, super::super::Syntax::Hcl, Keep::Always)
            .unwrap();
        assert!(Arc::ptr_eq(&first, &same));
        assert!(!Arc::ptr_eq(&first, &other));
    }

    /// A module read after a module that calls it keeps its own parsed
    /// files for that caller's composition, which does not parse them again;
    /// one read first (no caller known yet) does not keep them.
    #[test]
    fn a_called_module_read_after_its_caller_is_parsed_once() {
        let (tmp, files) = tree(1);
        let root = tmp.path().join("root");
        let child_dir = tmp.path().join("child");
        let child_text = std::fs::read_to_string(child_dir.join("main.tf")).unwrap();
        let child_files = vec![Arc::new(SourceFile::new("child/main.tf", child_text))];
        let disk = super::super::calls::normalise(&child_dir.join("main.tf"));
        let kept =
            |cache: &ModuleCache| lock(&cache.inner.trees).get(&disk).map(|(_, t)| t.clone());

        let first = ModuleCache::default();
        parse_own_module(&child_dir, &child_files, &Options::default(), &first);
        assert!(kept(&first).is_none(), "no caller known: not kept");

        let cache = ModuleCache::default();
        parse_own_module(&root, &files, &Options::default(), &cache);
        parse_own_module(&child_dir, &child_files, &Options::default(), &cache);
        let own = kept(&cache).expect("called by the root: kept");
        let (_, children) = compose(&root, &files, &cache);
        assert_eq!(children.len(), 1);
        assert!(
            Arc::ptr_eq(&own, &kept(&cache).unwrap()),
            "parsed again for the caller"
        );
    }

    #[test]
    fn keep_only_drops_the_files_of_other_directories() {
        let cache = ModuleCache::default();
        let file = |name: &str| Arc::new(SourceFile::new(name, "locals {\n  a = 1\n}\n"));
        let (a, b) = (file("a/main.tf"), file("b/main.tf"));
        let (disk_a, disk_b) = (Path::new("/a/main.tf"), Path::new("/b/main.tf"));
        for (disk, f) in [(disk_a, &a), (disk_b, &b)] {
            cache
                .tree(disk, f, super::super::Syntax::Hcl, Keep::Always)
                .unwrap();
        }
        cache.keep_only(&[PathBuf::from("/b")].into_iter().collect());
        let trees = lock(&cache.inner.trees);
        assert!(!trees.contains_key(disk_a) && trees.contains_key(disk_b));
    }
}
