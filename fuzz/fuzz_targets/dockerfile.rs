#![no_main]
//! The Dockerfile parser on arbitrary bytes.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Some(text) = driftless_fuzz::text(data) {
        let file = driftless_fuzz::file("Dockerfile", text);
        driftless_fuzz::check(&driftless::parse::dockerfile(&file));
    }
});
