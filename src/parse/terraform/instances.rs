//! `count` and `for_each` on resources and data sources: when the
//! collection is known (literals, variable defaults and tfvars, locals),
//! the block is one instance per element, as Terraform plans it, with
//! `count.index` or `each.key`/`each.value` bound in its body.

use super::body::Block;
use super::eval::{Evaluator, Scope};
use super::value::{V, Val, as_f64, iter_pairs, key_string};
use crate::document::Span;

/// Most instances one block expands into; a larger known collection is
/// reported (`EVAL001`) and the block is shown once, unexpanded.
pub(crate) const MAX_INSTANCES: usize = 1_000;
/// Most instances one module expands into, all blocks together.
pub(crate) const MAX_MODULE_INSTANCES: usize = 20_000;

/// One instance of a block: its address suffix (`[0]`, `["a"]`), the
/// field that names it in the input (`index` or `key`) and the name bound
/// in its body (`count` or `each`).
pub(crate) struct Instance {
    pub suffix: String,
    pub field: (&'static str, Val),
    pub binding: (String, Val),
}

impl Instance {
    /// The scope the instance's body is evaluated in.
    pub fn scope(&self) -> Scope<'static> {
        Scope::with(vec![self.binding.clone()])
    }
}

/// The instances of `b` when it has a `count` or `for_each` whose value is
/// known and not empty; `None` keeps the block as one unexpanded entry
/// (iterator references stay text). `left` is what the module may still
/// expand; a collection over a bound is reported at its expression.
pub(crate) fn expand(ev: &Evaluator, b: &Block, left: &mut usize) -> Option<Vec<Instance>> {
    let (list, span) = if let Some(a) = b.body.attr("count") {
        let v = ev.eval_root(a.expr, &Scope::root());
        (counted(&v)?, a.expr.span())
    } else {
        let a = b.body.attr("for_each")?;
        let v = ev.eval_root(a.expr, &Scope::root());
        (each(&v)?, a.expr.span())
    };
    if list.is_empty() {
        return None;
    }
    if list.len() > MAX_INSTANCES.min(*left) {
        ev.bound_hit(span, too_many(list.len(), *left));
        return None;
    }
    *left -= list.len();
    Some(list)
}

/// `count = N`: instances 0..N (N a known whole number).
fn counted(v: &Val) -> Option<Vec<Instance>> {
    let n = as_f64(v).filter(|n| v.is_known() && n.fract() == 0.0 && *n >= 0.0)?;
    // bounded before anything is built: `count = 1e12` is one comparison
    let n = n.min((MAX_MODULE_INSTANCES + 1) as f64) as usize;
    Some((0..n).map(|i| count_instance(i, v.span)).collect())
}

fn count_instance(i: usize, span: Span) -> Instance {
    let index = Val::new(V::Num(i.into()), span);
    Instance {
        suffix: format!("[{i}]"),
        field: ("index", index.clone()),
        binding: (
            "count".to_string(),
            Val::new(V::Map(vec![("index".to_string(), index)]), span),
        ),
    }
}

/// `for_each = map or set`: one instance per key (a set's elements are
/// their own keys), in key order for maps.
fn each(v: &Val) -> Option<Vec<Instance>> {
    if !v.is_known() {
        return None;
    }
    let is_map = matches!(v.v, V::Map(_));
    let pairs = iter_pairs(v)?;
    let mut out = Vec::with_capacity(pairs.len().min(MAX_MODULE_INSTANCES + 1));
    for (key, value) in pairs.into_iter().take(MAX_MODULE_INSTANCES + 1) {
        let key = if is_map { key } else { value.clone() };
        let name = key_string(&key).filter(|_| key.is_known())?;
        let key = Val::str(name.clone(), value.span);
        out.push(Instance {
            suffix: format!("[{}]", serde_json::Value::String(name)),
            field: ("key", key.clone()),
            binding: (
                "each".to_string(),
                Val::new(
                    V::Map(vec![("key".to_string(), key), ("value".to_string(), value)]),
                    v.span,
                ),
            ),
        });
    }
    Some(out)
}

fn too_many(n: usize, left: usize) -> String {
    let limit = if left < MAX_INSTANCES {
        format!("the {MAX_MODULE_INSTANCES} instances a module may expand into")
    } else {
        format!("the {MAX_INSTANCES} instances one block may expand into")
    };
    let n = if n > MAX_MODULE_INSTANCES {
        format!("more than {MAX_MODULE_INSTANCES}")
    } else {
        n.to_string()
    };
    format!(
        "{n} instances exceed {limit}: the block is evaluated once, with `count`/`each` \
         unknown, so the gate cannot vouch for every instance"
    )
}
