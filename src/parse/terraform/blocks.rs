//! Block bodies as values: attributes evaluated, nested blocks as lists of
//! objects (`ingress` twice → two entries), labeled nested blocks as
//! `{"label": body}` (Terraform's own JSON shape), and `dynamic` blocks
//! expanded into the entries Terraform would generate.

use super::body::{Block, Body, Item};
use super::eval::{Evaluator, MAX_DEPTH, Scope};
use super::value::{V, Val, iter_pairs, key_string, map_insert};
use crate::document::Span;

/// The value of a block body, reported at `head` (the block header).
pub(crate) fn config(ev: &Evaluator, body: &Body, head: Span, scope: &Scope, depth: u32) -> Val {
    if depth > MAX_DEPTH {
        ev.bound_hit(
            head,
            format!(
                "block nested more than {MAX_DEPTH} levels deep is not evaluated, so the \
                 gate cannot vouch for it"
            ),
        );
        return Val::unknown("${…}", head);
    }
    let mut entries: Vec<(String, Val)> = Vec::new();
    for item in &body.items {
        match item {
            Item::Attr(a) => {
                let mut v = ev.eval_root(a.expr, scope);
                if REFERENCE_LISTS.contains(&a.name) {
                    references_as_text(&mut v);
                }
                map_insert(&mut entries, a.name.to_string(), v)
            }
            Item::Block(b) => {
                let inner = config(ev, &b.body, b.head, scope, depth + 1);
                push_block(&mut entries, b.ident, labeled(b, &b.labels, inner));
                if b.ident == "dynamic" {
                    // one root for the whole expansion: its attributes are
                    // evaluated once per element
                    ev.part_of_root(b.head, "this dynamic block", || {
                        expand_dynamic(ev, b, scope, depth + 1, &mut entries)
                    });
                }
            }
        }
    }
    Val::new(V::Map(entries), head)
}

/// Meta-arguments whose values are references, not values: shown as the
/// reference itself (`tags`, `aws_instance.web`), as `.tf.json` writes them.
const REFERENCE_LISTS: [&str; 5] = [
    "depends_on",
    "ignore_changes",
    "replace_triggered_by",
    "provider",
    "providers",
];

/// Turns `${reference}` texts (anywhere in the value) into `reference`.
pub(crate) fn references_as_text(v: &mut Val) {
    match &mut v.v {
        V::Unknown(t) | V::Error(t) => {
            let inner = t
                .strip_prefix("${")
                .and_then(|x| x.strip_suffix('}'))
                .filter(|x| !x.contains("${"));
            if let Some(inner) = inner {
                v.v = V::Str(inner.to_string());
            }
        }
        V::List(items) => items.iter_mut().for_each(references_as_text),
        V::Map(entries) => entries.iter_mut().for_each(|(_, x)| references_as_text(x)),
        _ => {}
    }
}

/// Wraps a body in one object per label: `provisioner "file" {}` →
/// `{"file": {...}}`.
fn labeled(b: &Block, labels: &[(impl AsRef<str>, Span)], body: Val) -> Val {
    labels.iter().rev().fold(body, |inner, (label, _)| {
        Val::new(V::Map(vec![(label.as_ref().to_string(), inner)]), b.head)
    })
}

/// Appends a block entry to the list under `ident`.
fn push_block(entries: &mut Vec<(String, Val)>, ident: &str, item: Val) {
    match entries.iter_mut().find(|(k, _)| k == ident) {
        Some((
            _,
            Val {
                v: V::List(items), ..
            },
        )) => items.push(item),
        Some((_, slot)) => *slot = Val::new(V::List(vec![item.clone()]), item.span),
        None => {
            let span = item.span;
            entries.push((ident.to_string(), Val::new(V::List(vec![item]), span)));
        }
    }
}

/// `dynamic "ingress" { for_each = X, content {...} }`: one `ingress`
/// entry per element of X when X is known (the iterator — the label, or
/// `iterator = name` — bound to `{key, value}`), else one entry from
/// `content` with the iterator references kept as text.
fn expand_dynamic(
    ev: &Evaluator,
    b: &Block,
    scope: &Scope,
    depth: u32,
    entries: &mut Vec<(String, Val)>,
) {
    let Some((target, _)) = b.labels.first() else {
        return;
    };
    let Some(content) = b.body.blocks("content").next() else {
        return;
    };
    let iterator = b
        .body
        .attr("iterator")
        .and_then(|a| a.expr.as_ident())
        .unwrap_or(target);
    let for_each = b.body.attr("for_each").map(|a| ev.eval(a.expr, scope, 0));
    let Some(pairs) = for_each.as_ref().and_then(iter_pairs) else {
        let item = config(ev, &content.body, b.head, scope, depth + 1);
        push_block(entries, target, item);
        return;
    };
    for (key, value) in pairs {
        if !ev.charge(1) {
            return;
        }
        let span = value.span;
        let it = Val::new(
            V::Map(vec![("key".into(), key), ("value".into(), value)]),
            span,
        );
        let child = scope.child(vec![(iterator.to_string(), it)]);
        let body = config(ev, &content.body, b.head, &child, depth + 1);
        let item = match dynamic_labels(ev, b, &child) {
            Some(labels) => labeled(b, &labels, body),
            None => body,
        };
        push_block(entries, target, item);
    }
}

/// The `labels = [...]` of a dynamic block, evaluated for one element.
fn dynamic_labels(ev: &Evaluator, b: &Block, scope: &Scope) -> Option<Vec<(String, Span)>> {
    let v = ev.eval(b.body.attr("labels")?.expr, scope, 0);
    match &v.v {
        V::List(items) => Some(
            items
                .iter()
                .map(|i| (key_string(i).unwrap_or_default(), i.span))
                .collect(),
        ),
        _ => None,
    }
}
