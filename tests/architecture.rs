//! The layout stays the data flow (ARCHITECTURE.md): no source file imports
//! from a file that imports it back, the language server never reaches into
//! the command line, and development tools stay out of the product.
//!
//! Imports are read from the text (`crate::a::b`, `super::c`, grouped
//! `use crate::{…}`), resolved to the longest module path that is a file,
//! so a cycle through any path form is caught.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

type Module = Vec<String>;

/// Every module of `src/` with the file it lives in.
fn modules(src: &Path) -> BTreeMap<Module, PathBuf> {
    let mut out = BTreeMap::new();
    let mut stack = vec![src.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("src is readable") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.insert(module_of(src, &path), path);
            }
        }
    }
    out
}

/// `src/parse/yaml.rs` → `[parse, yaml]`; `mod.rs`, `lib.rs` and `main.rs`
/// name their directory (the crate root is `[]`).
fn module_of(src: &Path, file: &Path) -> Module {
    let rel = file
        .strip_prefix(src)
        .expect("under src")
        .with_extension("");
    let mut segs: Module = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if matches!(segs.last().map(String::as_str), Some("mod")) {
        segs.pop();
    }
    if segs.len() == 1 && (segs[0] == "lib" || segs[0] == "main") {
        segs.clear();
    }
    segs
}

/// The source without `#[cfg(test)]` modules (tests may reach anywhere) and
/// without comments.
fn production_code(text: &str) -> String {
    let cut = text.find("#[cfg(test)]\nmod ").unwrap_or(text.len());
    text[..cut]
        .lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Paths that start at `crate::` or `super::`, as segment lists relative to
/// the crate root.
fn imported_paths(module: &Module, code: &str) -> Vec<Module> {
    let mut out = Vec::new();
    let words = |s: &str| -> Vec<String> {
        s.split("::")
            .map(|w| {
                w.chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect::<String>()
            })
            .take_while(|w| !w.is_empty())
            .collect()
    };
    for (i, _) in code.match_indices("crate::") {
        if code[..i].ends_with(|c: char| c.is_alphanumeric() || c == '_' || c == '$') {
            continue;
        }
        let rest = &code[i + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let group = &group[..group.find('}').unwrap_or(group.len())];
            out.extend(group.split(',').map(|item| words(item.trim())));
        } else {
            out.push(words(rest));
        }
    }
    // `super` is the parent module, for `a/x.rs` and `a/mod.rs` alike.
    let base = &module[..module.len().saturating_sub(1)];
    for (i, _) in code.match_indices("super::") {
        if code[..i].ends_with(|c: char| c.is_alphanumeric() || c == '_' || c == ':') {
            continue;
        }
        let rest = &code[i + "super::".len()..];
        let tails = match rest.strip_prefix('{') {
            Some(group) => {
                let group = &group[..group.find('}').unwrap_or(group.len())];
                group.split(',').map(|item| words(item.trim())).collect()
            }
            None => vec![words(rest)],
        };
        for tail in tails {
            out.push(base.iter().cloned().chain(tail).collect());
        }
    }
    out
}

/// The longest prefix of `path` that is a module.
fn resolve(path: &[String], known: &BTreeMap<Module, PathBuf>) -> Option<Module> {
    (1..=path.len())
        .rev()
        .map(|n| path[..n].to_vec())
        .find(|m| known.contains_key(m))
}

/// Which modules each module imports from.
fn import_graph(src: &Path) -> BTreeMap<Module, BTreeSet<Module>> {
    let known = modules(src);
    let mut graph = BTreeMap::new();
    for (module, file) in &known {
        let text = std::fs::read_to_string(file).expect("readable");
        let deps: BTreeSet<Module> = imported_paths(module, &production_code(&text))
            .iter()
            .filter_map(|p| resolve(p, &known))
            .filter(|m| m != module && !module.starts_with(m))
            .collect();
        graph.insert(module.clone(), deps);
    }
    graph
}

fn name(m: &Module) -> String {
    if m.is_empty() {
        "crate".into()
    } else {
        m.join("/")
    }
}

/// Every pair of modules that reach each other through imports.
fn cycles(graph: &BTreeMap<Module, BTreeSet<Module>>) -> Vec<String> {
    let reach = |from: &Module| -> BTreeSet<Module> {
        let mut seen = BTreeSet::new();
        let mut stack: Vec<&Module> = graph[from].iter().collect();
        while let Some(m) = stack.pop() {
            if seen.insert(m.clone()) {
                stack.extend(graph.get(m).into_iter().flatten());
            }
        }
        seen
    };
    let mut out = Vec::new();
    for (a, deps) in graph {
        for b in deps {
            if reach(b).contains(a) {
                out.push(format!("{} -> {} -> … -> {}", name(a), name(b), name(a)));
            }
        }
    }
    out
}

#[test]
fn no_source_file_imports_a_file_that_imports_it_back() {
    let found = cycles(&import_graph(Path::new("src")));
    assert!(found.is_empty(), "import cycles:\n{}", found.join("\n"));
}

#[test]
fn the_cycle_check_sees_each_path_form() {
    let dir = tempfile::tempdir().expect("tempdir");
    let src = dir.path();
    std::fs::create_dir_all(src.join("a")).unwrap();
    std::fs::write(src.join("lib.rs"), "pub mod a;\npub mod b;\n").unwrap();
    std::fs::write(src.join("a/mod.rs"), "pub mod x;\npub mod y;\n").unwrap();
    std::fs::write(src.join("a/x.rs"), "use super::y::thing;\n").unwrap();
    std::fs::write(src.join("a/y.rs"), "use crate::{b, c};\n").unwrap();
    std::fs::write(src.join("b.rs"), "fn f() { crate::a::x::g() }\n").unwrap();
    let found = cycles(&import_graph(src));
    assert!(
        found.iter().any(|c| c.starts_with("a/x -> a/y")),
        "{found:?}"
    );
    std::fs::write(src.join("b.rs"), "// crate::a::x::g()\n").unwrap();
    assert!(cycles(&import_graph(src)).is_empty());
}

#[test]
fn the_language_server_does_not_import_the_command_line() {
    let graph = import_graph(Path::new("src"));
    for (module, deps) in &graph {
        if module.first().is_some_and(|m| m == "lsp") {
            let cli: Vec<_> = deps
                .iter()
                .filter(|d| d.first().is_some_and(|m| m == "cli"))
                .collect();
            assert!(cli.is_empty(), "{} imports {cli:?}", name(module));
        }
    }
}

#[test]
fn commands_hold_no_pipeline_logic_of_their_own() {
    // A command is a short function from parsed arguments to an exit code:
    // setup lives in `workspace`, the pipeline in `scan`, output in `report`.
    for entry in std::fs::read_dir("src/cli").expect("src/cli") {
        let path = entry.expect("entry").path();
        let lines = std::fs::read_to_string(&path)
            .expect("readable")
            .lines()
            .count();
        assert!(lines <= 400, "{} has {lines} lines", path.display());
    }
}

#[test]
fn development_tools_are_not_binaries_of_the_product() {
    assert!(
        !Path::new("src/bin").exists(),
        "src/bin is built by `cargo install`"
    );
    let manifest = std::fs::read_to_string("Cargo.toml").expect("Cargo.toml");
    assert!(
        !manifest.contains("[[bin]]"),
        "extra binaries in Cargo.toml"
    );
}
