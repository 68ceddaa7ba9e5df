#![no_main]
//! The YAML loader and Kubernetes manifest parser on arbitrary bytes, read
//! whole and in parts (as a scan does), and as a `.json` file (which kubectl
//! sniffs: JSON streams, or YAML when it does not start with `{`). Seed it
//! with `-dict=fuzz/kubernetes_yaml.dict` for `!!binary`, lists, YAML 1.1
//! line breaks and JSON streams.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Some(text) = driftless_fuzz::text(data) {
        let file = driftless_fuzz::file("deploy.yaml", text);
        let whole = driftless::parse::yaml(&file);
        driftless_fuzz::check(&whole);
        let mut parts = (0, 0);
        driftless::parse::for_each_yaml(&file, |part| {
            driftless_fuzz::check(&part);
            parts.0 += part.documents.len();
            parts.1 += part.errors.len();
        });
        assert_eq!(parts, (whole.documents.len(), whole.errors.len()));
        let json = driftless_fuzz::file("deploy.json", file.text.clone());
        driftless_fuzz::check(&driftless::parse::json(&json));
    }
});
