#![no_main]
//! The suppression-comment finders (Dockerfile, YAML, HCL comments) and the
//! `driftless:ignore[...]` grammar on arbitrary text. The first byte picks
//! the file's syntax.

use driftless::suppress::{annotation, candidates, grammar};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let Some(text) = driftless_fuzz::text(rest) else {
        return;
    };
    let name = ["Dockerfile", "deploy.yaml", "main.tf", "terraform.tfvars"][pick as usize % 4];
    let file = driftless_fuzz::file(name, text);
    for c in candidates(&file) {
        let t = &file.text;
        assert!(
            c.offset <= t.len() && t.is_char_boundary(c.offset),
            "offset {}",
            c.offset
        );
        assert!(
            c.scope.start <= c.scope.end && c.scope.end <= t.len(),
            "scope {:?} outside 0..{}",
            c.scope,
            t.len()
        );
        let _ = grammar::parse_comment(&c.text);
    }
    let _ = grammar::parse_comment(&file.text);
    let _ = annotation::entries(&file.text);
});
