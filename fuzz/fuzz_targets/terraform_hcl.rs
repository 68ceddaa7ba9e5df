#![no_main]
//! The Terraform module parser (HCL, evaluation, source maps) on arbitrary
//! bytes as one `main.tf`, and as `main.tf.json` when they start with `{`.

use std::path::Path;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Some(text) = driftless_fuzz::text(data) {
        let name = if text.trim_start().starts_with('{') {
            "fuzz-module/main.tf.json"
        } else {
            "fuzz-module/main.tf"
        };
        let file = driftless_fuzz::file(name, text);
        // a directory that does not exist: file() and friends read nothing
        let dir = Path::new("fuzz-module");
        let parsed = driftless::parse::terraform_module(dir, &[file], &Default::default());
        driftless_fuzz::check(&parsed);
    }
});
