//! Shared checks for the fuzz targets: whatever a parser returns for any
//! input must be well formed, and what rules would see must survive the
//! conversions the engine and the reports make.

use std::sync::Arc;

use driftless::document::{Parsed, SourceFile};

/// The fuzz input as text the way the scanner decodes files (BOMs, UTF-16),
/// or `None` for bytes the scanner rejects before any parser sees them.
pub fn text(data: &[u8]) -> Option<String> {
    driftless::scan::decode(data)
}

/// A source file named `name` holding `text`.
pub fn file(name: &str, text: String) -> Arc<SourceFile> {
    Arc::new(SourceFile::new(name, text))
}

/// Panics (a fuzz crash) unless every span and error lies inside its file
/// on char boundaries, positions are computable, and each document's input
/// converts to JSON text and to a regorus value.
pub fn check(parsed: &Parsed) {
    for err in &parsed.errors {
        let len = err.file.text.len();
        assert!(
            err.start <= err.end && err.end <= len,
            "error span {}..{} outside 0..{len}",
            err.start,
            err.end
        );
        let _ = err.file.position(err.start);
        assert!(!err.message.is_empty());
    }
    for doc in &parsed.documents {
        doc.source_map.for_each_span(&mut |span| {
            let file = doc
                .files
                .get(span.file as usize)
                .unwrap_or_else(|| panic!("span in file {} of {}", span.file, doc.files.len()));
            let len = file.text.len();
            let (start, end) = (span.start as usize, span.end as usize);
            assert!(
                start <= end && end <= len,
                "span {start}..{end} outside 0..{len}"
            );
            assert!(
                file.text.is_char_boundary(start) && file.text.is_char_boundary(end),
                "span {start}..{end} splits a character"
            );
        });
        let json = serde_json::to_string(&doc.input).expect("input serialises");
        let value = regorus::Value::from(doc.input.clone());
        assert!(
            value != regorus::Value::Undefined,
            "input did not convert: {json:.200}"
        );
    }
}
