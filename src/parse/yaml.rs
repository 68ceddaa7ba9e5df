//! YAML text to `serde_json::Value`s plus [`SourceMap`]s, one per YAML document.
