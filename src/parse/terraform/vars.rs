//! Input variable values as Terraform resolves them for a plan: the
//! variable's `default`, then `terraform.tfvars`, `terraform.tfvars.json`,
//! `*.auto.tfvars`/`*.auto.tfvars.json` in name order, then each
//! `--var-file` in the order given — a later source wins. Each value keeps
//! a phrase saying where it came from, for the finding's message.

use foldhash::HashMap;
use std::sync::Arc;

use hcl_edit::structure::Body as HclBody;
use serde_json::Value;

use super::body::{Block, Expr, Loc};
use super::eval::{Evaluator, Scope, VarDefault};
use super::value::{Origin, Val, place};
use crate::document::{PathSeg, SourceFile, SourceMap};

/// A parsed variable-definitions file.
pub(crate) enum VarSource<'a> {
    Hcl(&'a HclBody, Loc<'a>),
    /// A JSON object of name → value (spans in document file `.2`).
    Json(&'a Value, &'a SourceMap, u16),
}

/// A `variable` block: its name and `default` expression.
pub(crate) struct Declared<'a> {
    pub name: &'a str,
    pub default: Option<Expr<'a>>,
}

/// The variables a module declares, in source order.
pub(crate) fn declared<'a>(blocks: &[&Block<'a>]) -> Vec<Declared<'a>> {
    blocks
        .iter()
        .filter(|b| b.ident == "variable" && !b.label(0).is_empty())
        .map(|b| Declared {
            name: b.label(0),
            default: b.body.attr("default").map(|a| a.expr),
        })
        .collect()
}

/// The defaults of the variables `set` does not give a value.
pub(crate) fn defaults<'a>(
    declared: &[Declared<'a>],
    set: &HashMap<String, (Val, Origin)>,
    files: &'a [Arc<SourceFile>],
) -> HashMap<&'a str, VarDefault<'a>> {
    declared
        .iter()
        .filter(|d| !set.contains_key(d.name))
        .filter_map(|d| {
            let expr = d.default?;
            Some((
                d.name,
                VarDefault {
                    name: d.name,
                    expr,
                    files,
                },
            ))
        })
        .collect()
}

/// The values variable files set, with their origins. `sources` are in
/// precedence order (lowest first). `ev` must have no variables or locals
/// yet: tfvars are constants. Defaults are [`defaults`].
pub(crate) fn resolve(
    ev: &Evaluator,
    declared: &[Declared],
    sources: &[VarSource],
    files: &[Arc<SourceFile>],
) -> HashMap<String, (Val, Origin)> {
    let mut out = HashMap::default();
    for src in sources {
        for (name, val) in values(ev, src) {
            if !declared.iter().any(|d| d.name == name) {
                continue;
            }
            let origin = format!("variable `{name}` set in {}", place(files, val.span));
            let span = val.span;
            out.insert(name, (val, Origin::new(origin, Some(span))));
        }
    }
    out
}

/// The name/value pairs of one variable-definitions file.
fn values(ev: &Evaluator, src: &VarSource) -> Vec<(String, Val)> {
    match src {
        VarSource::Hcl(body, loc) => body
            .attributes()
            .map(|a| {
                let v = ev.eval_root(Expr::Hcl(&a.value, *loc), &Scope::root());
                (a.key.as_str().to_string(), v)
            })
            .collect(),
        VarSource::Json(Value::Object(obj), map, file) => obj
            .iter()
            .map(|(k, v)| {
                let m = map.child(&PathSeg::Key(k.clone())).unwrap_or(map);
                (k.clone(), Val::from_json_mapped(v, m, *file))
            })
            .collect(),
        VarSource::Json(..) => Vec::new(),
    }
}
