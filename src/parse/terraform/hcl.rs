//! Native HCL (`.tf`, `.tfvars`) through hcl-edit, which keeps the byte
//! span of every block, label and expression.

use std::sync::Arc;

use hcl_edit::Span as _;
use hcl_edit::structure::{Block as HclBlock, Body as HclBody, Structure};

use super::body::{Attr, Block, Body, Expr, Item, Loc};
use crate::document::{ParseError, SourceFile, Span};

/// Parses a file; a syntax error becomes a `ParseError` at its position.
pub(crate) fn parse(file: &Arc<SourceFile>) -> Result<HclBody, ParseError> {
    hcl_edit::parser::parse_body(&file.text).map_err(|e| {
        let offset = e.location().offset().min(file.text.len());
        ParseError::at(file, offset, format!("invalid HCL: {}", e.message()))
    })
}

/// The body in the shared shape, borrowing the parsed expressions.
pub(crate) fn body<'a>(b: &'a HclBody, loc: Loc<'a>) -> Body<'a> {
    let items = b
        .iter()
        .map(|s| match s {
            Structure::Attribute(a) => Item::Attr(Attr {
                name: a.key.as_str().to_string(),
                expr: Expr::Hcl(&a.value, loc),
            }),
            Structure::Block(blk) => Item::Block(block(blk, loc)),
        })
        .collect();
    Body { items }
}

fn block<'a>(b: &'a HclBlock, loc: Loc<'a>) -> Block<'a> {
    let labels: Vec<(String, Span)> = b
        .labels
        .iter()
        .map(|l| (l.as_str().to_string(), loc.span(l.span())))
        .collect();
    let start = b.ident.span().map(|r| r.start);
    let end = b
        .labels
        .last()
        .and_then(|l| l.span())
        .or_else(|| b.ident.span())
        .map(|r| r.end);
    let head = match (start, end) {
        (Some(s), Some(e)) => loc.span(Some(s..e)),
        _ => loc.span(b.span()),
    };
    Block {
        ident: b.ident.as_str().to_string(),
        labels,
        head,
        body: body(&b.body, loc),
    }
}
