//! GitHub's `primaryLocationLineHash`: a rolling hash over the 100
//! non-whitespace characters starting at each line, as computed by
//! github/codeql-action. Emitting the same value lets code scanning match an
//! alert across runs even when lines move.

use std::collections::HashMap;
use std::path::Path;

use sha2::{Digest, Sha256};

use crate::finding::Finding;

const BLOCK_SIZE: usize = 100;
const MOD: u64 = 37;
const EOF_MARK: u64 = 65535;

/// Line hashes for every line of `text` (index 0 = line 1), formatted as
/// `<hex>:<occurrence>`.
pub fn line_hashes(text: &str) -> Vec<String> {
    let mut hasher = Hasher::new();
    for unit in text.encode_utf16() {
        hasher.process(u64::from(unit));
    }
    hasher.process(EOF_MARK);
    hasher.flush();
    let mut hashes = hasher.hashes;
    hashes.sort_by_key(|(line, _)| *line);
    hashes.into_iter().map(|(_, h)| h).collect()
}

struct Hasher {
    window: [u64; BLOCK_SIZE],
    line_numbers: [i64; BLOCK_SIZE],
    hash: u64,
    first_mod: u64,
    index: usize,
    line_number: i64,
    line_start: bool,
    prev_cr: bool,
    counts: std::collections::HashMap<String, usize>,
    hashes: Vec<(i64, String)>,
}

impl Hasher {
    fn new() -> Self {
        Hasher {
            window: [0; BLOCK_SIZE],
            line_numbers: [-1; BLOCK_SIZE],
            hash: 0,
            first_mod: (0..BLOCK_SIZE).fold(1u64, |acc, _| acc.wrapping_mul(MOD)),
            index: 0,
            line_number: 0,
            line_start: true,
            prev_cr: false,
            counts: Default::default(),
            hashes: Vec::new(),
        }
    }

    fn output(&mut self) {
        let hex = format!("{:x}", self.hash);
        let count = self.counts.entry(hex.clone()).or_insert(0);
        *count += 1;
        self.hashes
            .push((self.line_numbers[self.index], format!("{hex}:{count}")));
        self.line_numbers[self.index] = -1;
    }

    fn update(&mut self, current: u64) {
        let begin = self.window[self.index];
        self.window[self.index] = current;
        self.hash = MOD
            .wrapping_mul(self.hash)
            .wrapping_add(current)
            .wrapping_sub(self.first_mod.wrapping_mul(begin));
        self.index = (self.index + 1) % BLOCK_SIZE;
    }

    fn process(&mut self, mut current: u64) {
        let (space, tab, lf, cr) = (32, 9, 10, 13);
        if current == space || current == tab || (self.prev_cr && current == lf) {
            self.prev_cr = false;
            return;
        }
        if current == cr {
            current = lf;
            self.prev_cr = true;
        } else {
            self.prev_cr = false;
        }
        if self.line_numbers[self.index] != -1 {
            self.output();
        }
        if self.line_start {
            self.line_start = false;
            self.line_number += 1;
            self.line_numbers[self.index] = self.line_number;
        }
        if current == lf {
            self.line_start = true;
        }
        self.update(current);
    }

    fn flush(&mut self) {
        for _ in 0..BLOCK_SIZE {
            if self.line_numbers[self.index] != -1 {
                self.output();
            }
            self.update(0);
        }
    }
}

/// Fingerprints that survive line shifts, one per finding (in the given
/// order, which must be the report order): a SHA-256 over the rule, the
/// repository-relative path, the document, the offending line's text with
/// whitespace collapsed and the offending value's text — never the line
/// number — plus `:n` counting earlier findings with the same hash, so
/// identical lines stay distinct. The baseline and GitLab Code Quality use
/// them.
pub fn stable(findings: &[&Finding], root: Option<&Path>) -> Vec<String> {
    let mut seen: HashMap<String, usize> = HashMap::new();
    findings
        .iter()
        .map(|f| {
            let hash = content_hash(f, root);
            let n = seen.entry(hash.clone()).or_insert(0);
            *n += 1;
            format!("{hash}:{n}")
        })
        .collect()
}

/// The content a finding is recognised by: the rule's own identity of the
/// decision when it gives one (a line that may grow, such as an install
/// command's, must not change the fingerprint), else the offending line and
/// value.
fn content_hash(f: &Finding, root: Option<&Path>) -> String {
    let (line, value) = match &f.identity {
        Some(identity) => (identity.clone(), String::new()),
        None => (
            collapse(f.file.line_text(f.start_pos().line)),
            collapse(&value_text(f)),
        ),
    };
    let mut hasher = Sha256::new();
    for part in [
        f.rule_id.as_str(),
        &crate::repo::repo_relative(&f.file.path, root),
        &f.document,
        &line,
        &value,
    ] {
        hasher.update(part.as_bytes());
        hasher.update([0]);
    }
    hasher.finalize()[..16]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The offending value's text, at most 200 characters.
fn value_text(f: &Finding) -> String {
    f.file
        .text
        .get(f.start..f.end.max(f.start))
        .unwrap_or("")
        .chars()
        .take(200)
        .collect()
}

/// Trims and collapses runs of whitespace: re-indenting does not change a
/// fingerprint.
fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_value_github_computes() {
        // Vector computed with a port of github/codeql-action's fingerprints.ts.
        let hashes = line_hashes("FROM alpine:latest\nRUN echo hi\n");
        assert_eq!(hashes[0], "55a46ee301b79ef4:1");
    }

    #[test]
    fn crlf_and_indentation_do_not_change_the_hash() {
        let lf = line_hashes("FROM alpine:latest\nRUN echo hi\n");
        let crlf = line_hashes("FROM  alpine:latest\r\n\tRUN echo hi\r\n");
        assert_eq!(lf, crlf);
    }

    #[test]
    fn stable_fingerprints_ignore_line_shifts_but_not_content() {
        use crate::suppress::tests::finding;
        use std::sync::Arc;
        let before = Arc::new(crate::document::SourceFile::new(
            "k.yaml",
            "image: a:latest\nimage: a:latest\n",
        ));
        let after = Arc::new(crate::document::SourceFile::new(
            "k.yaml",
            "# new\n\n  image:   a:latest\nimage: a:latest\nimage: b:latest\n",
        ));
        let fp = |file: &Arc<_>, needles: &[&str]| {
            let mut fs = Vec::new();
            let mut from = 0;
            for n in needles {
                let mut f = finding(file, "TAG001", n);
                let at = file.text[from..].find(n).unwrap() + from;
                (f.start, f.end) = (at, at + n.len());
                from = f.end;
                fs.push(f);
            }
            stable(&fs.iter().collect::<Vec<_>>(), None)
        };
        let old = fp(&before, &["a:latest", "a:latest"]);
        let new = fp(&after, &["a:latest", "a:latest", "b:latest"]);
        assert_eq!(old[0], new[0]);
        assert_eq!(old[1], new[1]);
        assert!(old[0].ends_with(":1") && old[1].ends_with(":2"));
        assert_ne!(new[2].split(':').next(), new[0].split(':').next());
        assert_eq!(new[0].len(), 32 + 2);
    }

    #[test]
    fn a_rule_identity_replaces_the_line_so_a_growing_command_keeps_its_fingerprint() {
        use crate::suppress::tests::finding;
        use std::sync::Arc;
        let file = |text: &str| Arc::new(crate::document::SourceFile::new("Dockerfile", text));
        let before = file("RUN apt-get install -y curl\n");
        let after = file("RUN apt-get install -y curl git\n");
        let grouped = |file: &Arc<_>| {
            let mut f = finding(file, "VER004", "curl");
            f.identity = Some("apt-get apt".into());
            stable(&[&f], None)
        };
        let plain = |file: &Arc<_>| stable(&[&finding(file, "VER004", "curl")], None);
        assert_eq!(grouped(&before), grouped(&after));
        assert_ne!(
            plain(&before),
            plain(&after),
            "without an identity the line counts"
        );
    }
}
