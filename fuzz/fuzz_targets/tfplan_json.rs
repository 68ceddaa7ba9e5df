#![no_main]
//! The JSON loader, Terraform plan and Kubernetes JSON parsers on arbitrary
//! bytes.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Some(text) = driftless_fuzz::text(data) {
        let file = driftless_fuzz::file("plan.json", text);
        driftless_fuzz::check(&driftless::parse::json(&file));
    }
});
