//! JSON text to a `serde_json::Value` plus a [`SourceMap`], in one pass.
//!
//! TEMPORARY minimal loader written on branch `tf` only so the Terraform
//! parser's tests can run; the lead replaces it with the JSON helper's
//! version when merging (same signature).

use std::collections::BTreeMap;
use std::sync::Arc;

use jsonc_parser::ast;

use crate::document::{ParseError, SourceFile, SourceMap, Span};

/// Parses JSON text with spans for every value.
pub fn load(file: &Arc<SourceFile>) -> Result<(serde_json::Value, SourceMap), ParseError> {
    let parsed = jsonc_parser::parse_to_ast(
        &file.text,
        &jsonc_parser::CollectOptions::default(),
        &jsonc_parser::ParseOptions::default(),
    )
    .map_err(|e| {
        let r = e.range();
        ParseError {
            file: file.clone(),
            start: r.start,
            end: r.end,
            message: e.kind().to_string(),
        }
    })?;
    match parsed.value {
        Some(v) => Ok(convert(&v, 0)),
        None => Err(ParseError::at(file, 0, "empty JSON document")),
    }
}

fn convert(v: &ast::Value<'_>, depth: usize) -> (serde_json::Value, SourceMap) {
    use serde_json::Value as J;
    if depth > 128 {
        return (J::Null, SourceMap::default());
    }
    match v {
        ast::Value::StringLit(s) => (J::String(s.value.to_string()), leaf(s.range)),
        ast::Value::NumberLit(n) => {
            let num = serde_json::from_str::<serde_json::Number>(n.value).ok();
            (num.map(J::Number).unwrap_or(J::Null), leaf(n.range))
        }
        ast::Value::BooleanLit(b) => (J::Bool(b.value), leaf(b.range)),
        ast::Value::NullKeyword(n) => (J::Null, leaf(n.range)),
        ast::Value::Array(a) => {
            let (vals, maps): (Vec<_>, Vec<_>) =
                a.elements.iter().map(|e| convert(e, depth + 1)).unzip();
            (J::Array(vals), SourceMap::array(span(a.range), maps))
        }
        ast::Value::Object(o) => {
            let mut obj = serde_json::Map::new();
            let mut maps = BTreeMap::new();
            for p in &o.properties {
                let (val, map) = convert(&p.value, depth + 1);
                let key = p.name.clone().into_string();
                obj.insert(key.clone(), val);
                maps.insert(key, map);
            }
            (J::Object(obj), SourceMap::object(span(o.range), maps))
        }
    }
}

fn span(r: jsonc_parser::common::Range) -> Span {
    Span::new(r.start, r.end)
}

fn leaf(r: jsonc_parser::common::Range) -> SourceMap {
    SourceMap::leaf(span(r))
}
