//! Terraform's JSON syntax (`.tf.json`): the same blocks as HCL, written as
//! nested objects. Without provider schemas an object may be a nested block
//! or a map attribute, so objects stay objects and arrays stay arrays —
//! except for the blocks Terraform itself defines (`lifecycle`,
//! `provisioner`, `dynamic`, `required_providers`, `backend`, …), which get
//! the same list-of-objects shape as in HCL.

use serde_json::{Map, Value};

use super::body::{Attr, Block, Body, Expr, Item};
use crate::document::{PathSeg, SourceMap, Span};

/// The top-level blocks of a `.tf.json` document (spans in file `file`).
pub(crate) fn top_blocks<'a>(value: &'a Value, map: &'a SourceMap, file: u16) -> Vec<Block<'a>> {
    let mut out = Vec::new();
    if let Value::Object(obj) = value {
        for (key, v) in obj {
            if let Some(n) = labels_of("", key) {
                let m = child(map, PathSeg::Key(key.clone()));
                collect(key, n, v, m, file, &mut Vec::new(), &mut out, 0);
            }
        }
    }
    out
}

/// Deepest nesting of blocks read (blocks in blocks, label levels).
const MAX_NESTING: usize = 64;

/// How many labels the block `key` has inside a block `ctx` ("" for the
/// top level), or `None` when `key` is an attribute there.
fn labels_of(ctx: &str, key: &str) -> Option<usize> {
    Some(match (ctx, key) {
        ("", "resource" | "data") => 2,
        ("", "module" | "provider" | "variable" | "output") => 1,
        ("", "terraform" | "locals") => 0,
        ("resource" | "data", "lifecycle" | "connection") => 0,
        ("resource" | "data" | "content", "dynamic") => 1,
        ("resource", "provisioner") => 1,
        ("provisioner", "connection") => 0,
        ("dynamic", "content") => 0,
        ("terraform", "required_providers" | "cloud") => 0,
        ("terraform", "backend" | "provider_meta") => 1,
        ("cloud", "workspaces") => 0,
        ("variable", "validation") => 0,
        _ => return None,
    })
}

fn child(map: &SourceMap, seg: PathSeg) -> &SourceMap {
    map.child(&seg).unwrap_or(map)
}

/// Collects the blocks `ident` declared by `value`: each label level is an
/// object keyed by label, and any level may be an array of such objects.
#[allow(clippy::too_many_arguments)]
fn collect<'a>(
    ident: &'a str,
    want: usize,
    value: &'a Value,
    map: &'a SourceMap,
    file: u16,
    labels: &mut Vec<(&'a str, Span)>,
    out: &mut Vec<Block<'a>>,
    depth: usize,
) {
    if depth > MAX_NESTING {
        return;
    }
    match value {
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let m = child(map, PathSeg::Index(i));
                collect(ident, want, item, m, file, labels, out, depth + 1);
            }
        }
        Value::Object(obj) if labels.len() == want => out.push(Block {
            ident,
            labels: labels.clone(),
            head: map.span.in_file(file),
            body: body(ident, obj, map, file, depth + 1),
        }),
        Value::Object(obj) => {
            for (label, v) in obj {
                let m = child(map, PathSeg::Key(label.clone()));
                labels.push((label, m.span.in_file(file)));
                collect(ident, want, v, m, file, labels, out, depth + 1);
                labels.pop();
            }
        }
        _ => {}
    }
}

fn body<'a>(
    ctx: &str,
    obj: &'a Map<String, Value>,
    map: &'a SourceMap,
    file: u16,
    depth: usize,
) -> Body<'a> {
    let mut items = Vec::new();
    for (key, v) in obj {
        if key == "//" {
            continue;
        }
        let m = child(map, PathSeg::Key(key.clone()));
        match labels_of(ctx, key) {
            Some(n) => {
                let mut blocks = Vec::new();
                collect(key, n, v, m, file, &mut Vec::new(), &mut blocks, depth + 1);
                items.extend(blocks.into_iter().map(Item::Block));
            }
            None => items.push(Item::Attr(Attr {
                name: key,
                expr: Expr::Json(v, m, file),
            })),
        }
    }
    Body { items }
}
