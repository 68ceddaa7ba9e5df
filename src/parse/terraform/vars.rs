//! Input variable values as Terraform resolves them for a plan: the
//! variable's `default`, then `terraform.tfvars`, `terraform.tfvars.json`,
//! `*.auto.tfvars`/`*.auto.tfvars.json` in name order, then each
//! `--var-file` in the order given — a later source wins. Each value keeps
//! a phrase saying where it came from, for the finding's message.

use std::collections::HashMap;
use std::sync::Arc;

use hcl_edit::structure::Body as HclBody;
use serde_json::Value;

use super::body::{Block, Expr, Loc};
use super::eval::{Evaluator, Scope};
use super::value::{Origin, Val};
use crate::document::{PathSeg, SourceFile, SourceMap, Span};

/// A parsed variable-definitions file.
pub(crate) enum VarSource<'a> {
    Hcl(&'a HclBody, Loc<'a>),
    /// A JSON object of name → value (spans in document file `.2`).
    Json(&'a Value, &'a SourceMap, u16),
}

/// A `variable` block: its name and `default` expression.
pub(crate) struct Declared<'a> {
    pub name: String,
    pub default: Option<Expr<'a>>,
}

/// The variables a module declares, in source order.
pub(crate) fn declared<'a>(blocks: &[&Block<'a>]) -> Vec<Declared<'a>> {
    blocks
        .iter()
        .filter(|b| b.ident == "variable" && !b.label(0).is_empty())
        .map(|b| Declared {
            name: b.label(0).to_string(),
            default: b.body.attr("default").map(|a| a.expr),
        })
        .collect()
}

/// The effective value of every variable that has one, with its origin.
/// `sources` are in precedence order (lowest first). `ev` must have no
/// variables or locals yet: defaults and tfvars are constants.
pub(crate) fn resolve(
    ev: &Evaluator,
    declared: &[Declared],
    sources: &[VarSource],
    files: &[Arc<SourceFile>],
) -> HashMap<String, (Val, Origin)> {
    let mut out = HashMap::new();
    for d in declared {
        let Some(expr) = d.default else { continue };
        let val = match expr {
            // JSON defaults are literal values, not templates
            Expr::Json(v, map, file) => Val::from_json_mapped(v, map, file),
            hcl => ev.eval_root(hcl, &Scope::root()),
        };
        let origin = format!(
            "the default of variable `{}` ({})",
            d.name,
            place(files, expr.span())
        );
        out.insert(
            d.name.clone(),
            (val, Origin::new(origin, Some(expr.span()))),
        );
    }
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

/// `variables.tf:3`: the file's name and the span's line.
pub(crate) fn place(files: &[Arc<SourceFile>], span: Span) -> String {
    match files.get(span.file as usize) {
        Some(f) => {
            let name = f
                .path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| f.path.to_string_lossy().into_owned());
            format!("{name}:{}", f.position(span.start as usize).line)
        }
        None => "?".to_string(),
    }
}
