//! Checks on users' policy files that regorus 0.14 does not make itself,
//! run before a file reaches any engine:
//!
//! - **Nesting**: regorus's parser backtracks on nested `[`/`{` literals and
//!   its parse time doubles per level (21 s for a constant nested 22 deep),
//!   long before its own expression-depth limit (32) applies. Brackets are
//!   counted on the text, so the check itself is linear.
//! - **Reserved namespaces**: the built-in rules and libraries live under
//!   `data.driftless` and the engine's generated modules under
//!   `data.driftless_engine_*`. Rego merges every module of a package (and
//!   every rule whose path extends it) into one document, so a user file
//!   there would redefine or extend a built-in: `package driftless.lib.image`
//!   with `allowed(_, _) if true` switched TAG001–TAG003 off. User packages
//!   and rule paths must stay out of those namespaces; reading them
//!   (`import data.driftless.lib.image`) is fine.
//!
//! Call depth (a chain of thousands of functions overflows the evaluator's
//! stack) is checked with the call graph in `engine::recursion`.

use regorus::unstable::{Module, Ref};

use super::policy::{PolicyError, PolicyFile};
use super::recursion;

/// Deepest nesting of `(`, `[` and `{` a user policy may use. The built-in
/// policies reach 10 (test inputs); parsing a constant nested 16 deep takes
/// about 0.25 s in a debug build and each further level doubles that.
pub const MAX_NESTING: usize = 16;

/// Root segments of `data` that belong to driftless: the built-in policies
/// (`driftless`) and the generated aggregate modules (`driftless_engine_*`).
pub fn is_reserved_root(segment: &str) -> bool {
    segment == "driftless" || segment.starts_with("driftless_engine")
}

/// Rejects a file whose brackets nest deeper than [`MAX_NESTING`], at the
/// bracket that goes one level too deep. Strings, raw strings and comments
/// are skipped; an unbalanced file is left to the parser to report.
pub fn nesting_error(file: &PolicyFile) -> Option<PolicyError> {
    let (line, column) = too_deep_at(&file.text, MAX_NESTING)?;
    Some(PolicyError {
        path: file.path.clone(),
        line,
        column,
        message: format!(
            "brackets nest more than {MAX_NESTING} levels deep; regorus's parse time doubles with each level, so such policies are refused"
        ),
    })
}

/// The 1-based line and column of the first bracket opened at depth
/// `limit + 1`, if any.
fn too_deep_at(text: &str, limit: usize) -> Option<(u32, u32)> {
    let mut depth = 0usize;
    let mut line = 1u32;
    let mut column = 0u32;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        column += 1;
        match c {
            '\n' => {
                line += 1;
                column = 0;
            }
            '#' => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        line += 1;
                        column = 0;
                        break;
                    }
                }
            }
            '"' | '`' => skip_string(c, &mut chars, &mut line, &mut column),
            '(' | '[' | '{' => {
                depth += 1;
                if depth > limit {
                    return Some((line, column));
                }
            }
            ')' | ']' | '}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

/// Advances past a string literal that opened with `quote` (escapes only
/// in `"` strings; raw strings may span lines).
fn skip_string(quote: char, chars: &mut std::str::Chars<'_>, line: &mut u32, column: &mut u32) {
    let mut escaped = false;
    for c in chars.by_ref() {
        *column += 1;
        if c == '\n' {
            *line += 1;
            *column = 0;
        }
        if escaped {
            escaped = false;
        } else if c == '\\' && quote == '"' {
            escaped = true;
        } else if c == quote {
            return;
        }
    }
}

/// Rejects a user file that declares a package in, or defines a rule
/// under, a reserved namespace. Files that do not parse are left to the
/// syntax check.
pub fn reserved_namespace_error(file: &PolicyFile) -> Option<PolicyError> {
    let mut engine = regorus::Engine::new();
    engine
        .add_policy(file.path.clone(), file.text.clone())
        .ok()?;
    let module = engine.get_modules().first()?.clone();
    reserved_in_module(&module, file)
}

fn reserved_in_module(module: &Ref<Module>, file: &PolicyFile) -> Option<PolicyError> {
    let package = recursion::package_path(module)?;
    let error = |line: u32, column: u32, what: String| PolicyError {
        path: file.path.clone(),
        line,
        column,
        message: format!(
            "{what} is in the namespace reserved for driftless's built-in policies (`data.driftless`); user policies may read it but not define or extend it: use a package of your own (`acme.…`)"
        ),
    };
    if package.get(1).is_some_and(|root| is_reserved_root(root)) {
        let span = &module.package.span;
        let shown = package[1..].join(".");
        return Some(error(span.line, span.col, format!("package `{shown}`")));
    }
    for (path, line, column) in recursion::rule_paths(module) {
        if path.get(1).is_some_and(|root| is_reserved_root(root)) {
            let shown = path[1..].join(".");
            return Some(error(line, column, format!("rule `{shown}`")));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::policy::policy_file;

    fn user(text: &str) -> PolicyFile {
        policy_file("u/p.rego".into(), text.into(), false).expect("has a package")
    }

    fn nested(depth: usize) -> String {
        format!(
            "package acme.deep\n\nx := {}1{}\n",
            "[".repeat(depth),
            "]".repeat(depth)
        )
    }

    #[test]
    fn nesting_is_refused_at_the_bracket_one_level_too_deep() {
        assert_eq!(nesting_error(&user(&nested(MAX_NESTING))), None);
        let err = nesting_error(&user(&nested(MAX_NESTING + 1))).expect("too deep");
        assert_eq!((err.line, err.column), (3, 6 + MAX_NESTING as u32));
    }

    #[test]
    fn brackets_in_strings_and_comments_do_not_count() {
        let many = "[".repeat(40);
        let text = format!(
            "package acme.s\n\n# {many}\nx := \"{many}\\\"{many}\"\ny := `{many}\n{many}`\n"
        );
        assert_eq!(nesting_error(&user(&text)), None);
    }

    #[test]
    fn builtin_policies_nest_within_the_limit() {
        for file in crate::engine::policy::builtin() {
            assert_eq!(nesting_error(&file), None, "{}", file.path);
        }
    }

    fn reserved(text: &str) -> Option<(u32, u32)> {
        reserved_namespace_error(&user(text)).map(|e| (e.line, e.column))
    }

    #[test]
    fn every_way_into_the_reserved_namespace_is_refused() {
        for (text, at) in [
            (
                "package driftless.lib.image\n\nallowed(_, _) if true\n",
                (1, 1),
            ),
            (
                "package driftless.kubernetes.latest_tag\n\ndeny := set()\n",
                (1, 1),
            ),
            ("package driftless\n\nlib := {}\n", (1, 1)),
            (
                "package driftless.lib\n\nimage.allowed(_, _) if true\n",
                (1, 1),
            ),
            ("package driftless[\"lib\"].image\n\nx := 1\n", (1, 1)),
            ("package data.driftless.lib\n\nx := 1\n", (1, 1)),
            (
                "package driftless_engine.aggregate_kubernetes\n\nfindings := set()\n",
                (1, 1),
            ),
        ] {
            assert_eq!(reserved(text), Some(at), "{text}");
        }
    }

    #[test]
    fn reading_the_reserved_namespace_and_similar_names_are_fine() {
        for text in [
            "package acme.kubernetes.x\n\nimport data.driftless.lib.image\n\ny := image.parse(\"a\")\n",
            "package acme.driftless.lib.image\n\nallowed(_, _) if true\n",
            "package driftlessly\n\nx := 1\n",
            "package acme\n\ndriftless.lib.image.allowed(_, _) if true\n",
        ] {
            assert_eq!(reserved(text), None, "{text}");
        }
    }
}
