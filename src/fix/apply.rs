//! From fixes to files: edits grouped per file, duplicates dropped (one
//! `ARG` default feeding two `FROM`s is edited once), overlapping different
//! edits refused (the first fix wins, the other is reported; a value that
//! fixes want replaced by different texts is not edited at all), the text
//! rebuilt from the end backwards, and the file replaced whole, in the
//! encoding it was read in (BOM and UTF-16 kept; line endings are never
//! touched because edits replace spans).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::{Edit, Fix};
use crate::document::SourceFile;

/// The accepted edits of one file, sorted by position, none overlapping.
#[derive(Debug)]
pub struct FilePatch {
    pub file: Arc<SourceFile>,
    pub edits: Vec<Edit>,
}

impl FilePatch {
    /// The file's text with every edit applied, built in one pass over the
    /// sorted edits (each offset refers to the original text, as if the
    /// edits were applied from the end backwards).
    pub fn new_text(&self) -> String {
        let text = &self.file.text;
        let mut out = String::with_capacity(text.len());
        let mut at = 0;
        for edit in &self.edits {
            out.push_str(&text[at..edit.start]);
            out.push_str(&edit.replacement);
            at = edit.end;
        }
        out.push_str(&text[at..]);
        out
    }

    /// The edits taken so far that touch `edit`'s range (sorted and
    /// disjoint, so a binary search finds the first).
    fn near<'a>(&'a self, edit: &'a Edit) -> impl Iterator<Item = &'a Edit> {
        let first = self.edits.partition_point(|e| e.end < edit.start);
        self.edits[first..]
            .iter()
            .take_while(move |e| e.start <= edit.end)
    }
}

/// A fix that was not applied because one of its edits overlaps a
/// different edit of a fix accepted before it.
#[derive(Debug)]
pub struct Rejected {
    pub fix: Fix,
    pub reason: String,
}

/// What [`plan`] decided: the patches to write, the fixes they apply
/// (duplicates included: each resolves its own finding), and the fixes
/// refused.
#[derive(Debug, Default)]
pub struct Plan {
    pub patches: Vec<FilePatch>,
    pub applied: Vec<Fix>,
    pub rejected: Vec<Rejected>,
}

/// Groups the fixes' edits per file. A fix is taken whole or not at all:
/// when any of its edits overlaps a different edit already taken, the fix
/// is rejected; an edit identical to one already taken is not repeated.
/// A value that fixes want replaced by different texts (one variable
/// default feeding two different images) is a value shared by those
/// findings: no replacement is right for all of them, so every fix that
/// replaces it is rejected, the first included.
pub fn plan(fixes: Vec<Fix>) -> Plan {
    let mut per_file: BTreeMap<PathBuf, FilePatch> = BTreeMap::new();
    let mut out = Plan::default();
    let shared = shared_values(&fixes);
    for fix in fixes {
        match shared_value(&fix, &shared).or_else(|| conflict(&fix, &per_file)) {
            Some(reason) => out.rejected.push(Rejected { fix, reason }),
            None => {
                for edit in &fix.edits {
                    add_edit(&mut per_file, edit);
                }
                out.applied.push(fix);
            }
        }
    }
    out.patches = per_file
        .into_values()
        .filter(|p| !p.edits.is_empty())
        .collect();
    out
}

/// A replaced range of a file: `(path, start, end)`.
type Span = (PathBuf, usize, usize);

/// The ranges (not insertions) that fixes replace with different texts.
fn shared_values(fixes: &[Fix]) -> BTreeSet<Span> {
    let mut wanted: BTreeMap<Span, &str> = BTreeMap::new();
    let mut shared = BTreeSet::new();
    for edit in fixes.iter().flat_map(|f| &f.edits) {
        if edit.start == edit.end {
            continue;
        }
        let span = (edit.file.path.clone(), edit.start, edit.end);
        match wanted.get(&span) {
            Some(other) if *other != edit.replacement => {
                shared.insert(span);
            }
            Some(_) => {}
            None => {
                wanted.insert(span, &edit.replacement);
            }
        }
    }
    shared
}

/// Why `fix` is refused when it replaces a value other fixes want
/// replaced differently.
fn shared_value(fix: &Fix, shared: &BTreeSet<Span>) -> Option<String> {
    let edit = fix
        .edits
        .iter()
        .find(|e| shared.contains(&(e.file.path.clone(), e.start, e.end)))?;
    let at = edit.file.position(edit.start);
    Some(format!(
        "the value at {}:{}:{} is used by other findings that need a different \
         edit (give each its own value, then fix again)",
        edit.file.path.display(),
        at.line,
        at.column
    ))
}

/// Why `fix` cannot be added to the edits taken so far, if it cannot.
fn conflict(fix: &Fix, taken: &BTreeMap<PathBuf, FilePatch>) -> Option<String> {
    for (i, edit) in fix.edits.iter().enumerate() {
        if edit.start > edit.end || edit.end > edit.file.text.len() {
            return Some("the edit is outside the file".into());
        }
        let own = fix.edits[..i]
            .iter()
            .filter(|e| e.file.path == edit.file.path);
        if own.into_iter().any(|other| overlaps(edit, other)) {
            return Some("the fix's own edits overlap".into());
        }
        let Some(patch) = taken.get(&edit.file.path) else {
            continue;
        };
        if let Some(other) = patch.near(edit).find(|o| overlaps(edit, o)) {
            let at = edit.file.position(other.start);
            return Some(format!(
                "it overlaps another fix's edit at {}:{}:{}",
                edit.file.path.display(),
                at.line,
                at.column
            ));
        }
    }
    None
}

/// Whether two edits of one file touch the same bytes with different
/// results. Identical edits do not conflict (they are applied once); two
/// insertions at one offset do, since their order would be a guess.
fn overlaps(a: &Edit, b: &Edit) -> bool {
    if same_edit(a, b) {
        return false;
    }
    let both_insert_here = a.start == a.end && b.start == b.end && a.start == b.start;
    both_insert_here || (a.start < b.end && b.start < a.end)
}

fn same_edit(a: &Edit, b: &Edit) -> bool {
    a.start == b.start && a.end == b.end && a.replacement == b.replacement
}

/// Adds `edit` to its file's patch unless an identical edit is there.
fn add_edit(per_file: &mut BTreeMap<PathBuf, FilePatch>, edit: &Edit) {
    let patch = per_file
        .entry(edit.file.path.clone())
        .or_insert_with(|| FilePatch {
            file: edit.file.clone(),
            edits: Vec::new(),
        });
    if patch.near(edit).any(|e| same_edit(e, edit)) {
        return;
    }
    let at = patch
        .edits
        .partition_point(|e| (e.start, e.end) <= (edit.start, edit.end));
    patch.edits.insert(at, edit.clone());
}

/// How a file's bytes were decoded, so they are encoded back the same way.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Encoding {
    Utf8,
    Utf8Bom,
    Utf16Le,
    Utf16Be,
}

impl Encoding {
    fn of(bytes: &[u8]) -> Encoding {
        if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
            Encoding::Utf8Bom
        } else if bytes.starts_with(&[0xFF, 0xFE]) {
            Encoding::Utf16Le
        } else if bytes.starts_with(&[0xFE, 0xFF]) {
            Encoding::Utf16Be
        } else {
            Encoding::Utf8
        }
    }

    fn encode(self, text: &str) -> Vec<u8> {
        let utf16 = |bom: [u8; 2], unit: fn(u16) -> [u8; 2]| {
            let mut out = bom.to_vec();
            out.extend(text.encode_utf16().flat_map(unit));
            out
        };
        match self {
            Encoding::Utf8 => text.as_bytes().to_vec(),
            Encoding::Utf8Bom => [&[0xEF, 0xBB, 0xBF], text.as_bytes()].concat(),
            Encoding::Utf16Le => utf16([0xFF, 0xFE], u16::to_le_bytes),
            Encoding::Utf16Be => utf16([0xFE, 0xFF], u16::to_be_bytes),
        }
    }
}

/// Writes the patched text over the file, whole or not at all, in the
/// encoding it was read in. Refuses when the file on disk no longer holds
/// the text that was scanned (edited meanwhile): its offsets would be wrong.
pub fn write(patch: &FilePatch) -> Result<(), String> {
    let path: &Path = &patch.file.path;
    let shown = path.display();
    if path.as_os_str() == crate::scan::STDIN_PATH {
        return Err("standard input cannot be fixed in place; use --diff".into());
    }
    let bytes = std::fs::read(path).map_err(|e| format!("{shown}: cannot read: {e}"))?;
    if crate::scan::decode(&bytes).as_deref() != Some(patch.file.text.as_str()) {
        return Err(format!("{shown}: changed since it was scanned; not fixed"));
    }
    let encoded = Encoding::of(&bytes).encode(&patch.new_text());
    crate::report::write::write_atomically(path, &encoded)
        .map_err(|e| format!("{shown}: cannot write the fixed file: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fix::Applicability;

    fn edit(file: &Arc<SourceFile>, start: usize, end: usize, with: &str) -> Edit {
        Edit {
            file: file.clone(),
            start,
            end,
            replacement: with.into(),
        }
    }

    fn fix(title: &str, edits: Vec<Edit>) -> Fix {
        Fix {
            rule_id: "TAG001".into(),
            title: title.into(),
            applicability: Applicability::Safe,
            edits,
        }
    }

    #[test]
    fn the_same_literal_fixed_twice_is_edited_once() {
        let file = Arc::new(SourceFile::new(
            "Dockerfile",
            "ARG B=a:latest\nFROM $B\nFROM $B\n",
        ));
        let plan = plan(vec![
            fix("one", vec![edit(&file, 6, 14, "a:1@sha256:x")]),
            fix("two", vec![edit(&file, 6, 14, "a:1@sha256:x")]),
        ]);
        assert_eq!(plan.applied.len(), 2);
        assert!(plan.rejected.is_empty());
        assert_eq!(plan.patches.len(), 1);
        assert_eq!(
            plan.patches[0].new_text(),
            "ARG B=a:1@sha256:x\nFROM $B\nFROM $B\n"
        );
    }

    #[test]
    fn overlapping_different_edits_keep_the_first_and_reject_the_other() {
        let file = Arc::new(SourceFile::new("x.yaml", "image: a:latest\n"));
        let plan = plan(vec![
            fix("first", vec![edit(&file, 7, 15, "a:1")]),
            fix("second", vec![edit(&file, 9, 15, "2")]),
        ]);
        assert_eq!(plan.applied.len(), 1);
        assert_eq!(plan.rejected[0].fix.title, "second");
        assert!(plan.rejected[0].reason.contains("x.yaml:1:8"));
        assert_eq!(plan.patches[0].new_text(), "image: a:1\n");
    }

    #[test]
    fn a_value_wanted_differently_by_two_fixes_is_not_edited() {
        // `tag = "latest"` feeds `acme/api:${var.tag}` and `redis:${var.tag}`:
        // pinning it for one would name a digest of the other image.
        let file = Arc::new(SourceFile::new("t.tfvars", "tag = \"latest\"\nx = 1\n"));
        let other = Arc::new(SourceFile::new("main.tf", "image = \"nginx\"\n"));
        let plan = plan(vec![
            fix("api", vec![edit(&file, 7, 13, "1.4.2@sha256:a")]),
            fix("api, TAG003", vec![edit(&file, 7, 13, "1.4.2@sha256:a")]),
            fix("redis", vec![edit(&file, 7, 13, "7.4.1@sha256:r")]),
            fix("nginx", vec![edit(&other, 9, 14, "nginx:1@sha256:n")]),
        ]);
        let rejected: Vec<_> = plan.rejected.iter().map(|r| r.fix.title.as_str()).collect();
        assert_eq!(rejected, ["api", "api, TAG003", "redis"]);
        assert!(
            plan.rejected[0]
                .reason
                .contains("the value at t.tfvars:1:8 is used by other findings"),
            "{}",
            plan.rejected[0].reason
        );
        assert_eq!(plan.applied.len(), 1);
        assert_eq!(plan.patches.len(), 1);
        assert_eq!(plan.patches[0].file.path, PathBuf::from("main.tf"));
    }

    #[test]
    fn two_insertions_at_one_place_conflict_but_neighbours_do_not() {
        let file = Arc::new(SourceFile::new("x", "abcdef"));
        let plan = plan(vec![
            fix("a", vec![edit(&file, 2, 2, "X")]),
            fix("b", vec![edit(&file, 2, 2, "Y")]),
            fix("c", vec![edit(&file, 2, 4, "Z")]),
            fix("d", vec![edit(&file, 0, 1, "W")]),
        ]);
        let titles: Vec<_> = plan.applied.iter().map(|f| f.title.as_str()).collect();
        assert_eq!(titles, ["a", "c", "d"]);
        assert_eq!(plan.patches[0].new_text(), "WbXZef");
    }

    #[test]
    fn edits_apply_from_the_end_so_offsets_stay_valid() {
        let file = Arc::new(SourceFile::new("x", "one two three"));
        let plan = plan(vec![
            fix("a", vec![edit(&file, 8, 13, "3333333")]),
            fix("b", vec![edit(&file, 0, 3, "1")]),
        ]);
        assert_eq!(plan.patches[0].new_text(), "1 two 3333333");
    }

    #[test]
    fn a_fix_is_taken_whole_or_not_at_all() {
        let file = Arc::new(SourceFile::new("x", "abcdef"));
        let plan = plan(vec![
            fix("a", vec![edit(&file, 0, 2, "AB")]),
            fix("b", vec![edit(&file, 4, 6, "EF"), edit(&file, 1, 3, "--")]),
        ]);
        assert_eq!(plan.rejected.len(), 1);
        assert_eq!(plan.patches[0].new_text(), "ABcdef");
    }

    #[test]
    fn encodings_are_written_back_as_read() {
        for bytes in [
            b"a\r\nb".to_vec(),
            [&[0xEF, 0xBB, 0xBF][..], b"a\r\nb"].concat(),
            vec![0xFF, 0xFE, b'a', 0, b'\r', 0, b'\n', 0, b'b', 0],
            vec![0xFE, 0xFF, 0, b'a', 0, b'\r', 0, b'\n', 0, b'b'],
        ] {
            let text = crate::scan::decode(&bytes).unwrap();
            assert_eq!(text, "a\r\nb");
            assert_eq!(Encoding::of(&bytes).encode(&text), bytes);
        }
    }

    #[test]
    fn writing_keeps_the_bom_and_refuses_a_file_changed_since_the_scan() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("Dockerfile");
        std::fs::write(&path, b"\xEF\xBB\xBFFROM a:latest\r\n").unwrap();
        let file = Arc::new(SourceFile::new(&path, "FROM a:latest\r\n"));
        let patch = FilePatch {
            edits: vec![edit(&file, 5, 13, "a:1")],
            file: file.clone(),
        };
        write(&patch).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"\xEF\xBB\xBFFROM a:1\r\n");
        // the file on disk is now different from what was scanned
        assert!(write(&patch).unwrap_err().contains("changed since"));
    }
}
