#![no_main]
//! The YAML loader and Kubernetes manifest parser on arbitrary bytes.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Some(text) = driftless_fuzz::text(data) {
        let file = driftless_fuzz::file("deploy.yaml", text);
        driftless_fuzz::check(&driftless::parse::yaml(&file));
    }
});
