//! `--diff`: the fixes as a unified patch (`--- a/path`, `+++ b/path`,
//! three lines of context), as `ruff --diff` and `git diff` print it, so it
//! can be reviewed or applied with `git apply`/`patch -p1`.

use super::apply::FilePatch;

/// The unified diff of every patch, paths relative to the repository root
/// (as reports name files), files in the order given.
pub fn render(patches: &[FilePatch], repo_root: Option<&std::path::Path>) -> String {
    patches
        .iter()
        .map(|p| {
            let path = crate::repo::repo_relative(&p.file.path, repo_root);
            unified(&p.file.text, &p.new_text(), &path)
        })
        .collect()
}

/// The unified diff of one file's text before and after, empty when equal.
pub fn unified(old: &str, new: &str, path: &str) -> String {
    if old == new {
        return String::new();
    }
    // Patience: fixes change scattered single lines of long files, where
    // the default Myers search grows with (lines × changes).
    let diff = similar::TextDiff::configure()
        .algorithm(similar::Algorithm::Patience)
        .diff_lines(old, new);
    let mut out = diff
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{path}"), &format!("b/{path}"))
        .missing_newline_hint(true)
        .to_string();
    if !out.ends_with('\n') {
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_changed_line_with_context_and_git_style_headers() {
        let old = "a\nb\nc\nd\ne\nf\ng\nh\n";
        let new = "a\nb\nc\nd\nE\nf\ng\nh\n";
        assert_eq!(
            unified(old, new, "k8s/x.yaml"),
            "--- a/k8s/x.yaml\n+++ b/k8s/x.yaml\n@@ -2,7 +2,7 @@\n b\n c\n d\n-e\n+E\n f\n g\n h\n"
        );
    }

    #[test]
    fn no_change_no_diff_and_a_missing_final_newline_is_marked() {
        assert_eq!(unified("x\n", "x\n", "f"), "");
        let d = unified("FROM a", "FROM b", "Dockerfile");
        assert!(
            d.contains("-FROM a\n\\ No newline at end of file\n+FROM b\n"),
            "{d}"
        );
    }
}
