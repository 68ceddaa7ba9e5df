//! Static check for recursive Rego functions.
//!
//! regorus 0.14 evaluates a self-recursive or mutually recursive *function*
//! by recursing on the native stack until the process aborts (a stack
//! overflow cannot be caught). OPA rejects such policies at compile time;
//! driftless does the same before any user policy is evaluated: it builds
//! the dependency graph of every rule and function from regorus's AST and
//! rejects each call cycle that goes through a function, at the function's
//! `file:line:col`.
//!
//! A reference is resolved to a static path (`data.pkg.f`; a dynamic index
//! such as `data.pkg[x]` keeps its static prefix) and linked to every rule
//! whose path is a prefix of it or extends it — the same conservative view
//! OPA's recursion check takes.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use regorus::unstable::{Expr, Literal, Module, Query, Ref, Rule, RuleHead};

use super::policy::{PolicyError, PolicyFile};

/// Longest chain of nested rule and function evaluations a policy may
/// build (`deny` calling `f1` calling `f2` …). regorus evaluates each level
/// on the native stack: a debug build's worker thread (2 MiB) survives
/// 1,000 levels and aborts at 3,000, so 100 leaves a wide margin; the
/// built-in policies need fewer than 10.
pub const MAX_CALL_DEPTH: usize = 100;

/// One rule or function of the analysed policies.
#[derive(Debug)]
struct Node {
    /// `["data", "pkg", "f"]`.
    path: Vec<String>,
    function: bool,
    file: String,
    line: u32,
    column: u32,
    /// Resolved static paths this rule refers to.
    refs: BTreeSet<Vec<String>>,
}

/// Checks `files` together (they are loaded into the same engines) and
/// returns one error per file that defines a function on a call cycle.
/// Files that do not parse are skipped: their syntax error is reported by
/// the syntax check.
pub fn check(files: &[&PolicyFile]) -> Vec<PolicyError> {
    let mut nodes: Vec<Node> = Vec::new();
    for file in files {
        let mut engine = regorus::Engine::new();
        if engine
            .add_policy(file.path.clone(), file.text.clone())
            .is_err()
        {
            continue;
        }
        for module in engine.get_modules().iter() {
            collect_module(module, &file.path, &mut nodes);
        }
    }
    let nodes = merge_definitions(nodes);
    let edges = link(&nodes);
    let components = components(&edges);
    let mut errors = cycle_errors(&nodes, &edges, &components);
    errors.extend(depth_errors(&nodes, &edges, &components));
    errors
}

/// A function may be defined by several rules (`f(1) := …`, `f(x) := …`):
/// they are one node, located at the first definition.
fn merge_definitions(nodes: Vec<Node>) -> Vec<Node> {
    let mut merged: Vec<Node> = Vec::new();
    let mut index: HashMap<Vec<String>, usize> = HashMap::new();
    for node in nodes {
        match index.get(&node.path) {
            Some(&i) => {
                merged[i].refs.extend(node.refs);
                merged[i].function |= node.function;
            }
            None => {
                index.insert(node.path.clone(), merged.len());
                merged.push(node);
            }
        }
    }
    merged
}

/// Names a module's rules can use: import aliases (`None` for non-`data`
/// imports such as `input` or `rego.v1`) and the package path.
struct Scope {
    package: Vec<String>,
    aliases: HashMap<String, Option<Vec<String>>>,
}

/// A module's package as a path from `data` (`["data", "acme", "lib"]`),
/// whether it was written `package acme.lib`, `package data.acme.lib` or
/// `package acme["lib"]`.
pub(crate) fn package_path(module: &Ref<Module>) -> Option<Vec<String>> {
    let (root, mut package) = ref_path(&module.package.refr)?;
    package.insert(0, root);
    if package.first().map(String::as_str) != Some("data") {
        package.insert(0, "data".to_string());
    }
    Some(package)
}

/// The full path of every rule a module defines (package plus the rule's
/// head reference, `data.acme.lib.image.allowed` for `image.allowed` in
/// `package acme.lib`), with the rule's line and column.
pub(crate) fn rule_paths(module: &Ref<Module>) -> Vec<(Vec<String>, u32, u32)> {
    let Some(package) = package_path(module) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for rule in &module.policy {
        if let Some((root, rest)) = ref_path(head_ref(rule)) {
            let mut path = package.clone();
            path.push(root);
            path.extend(rest);
            let span = rule.span();
            out.push((path, span.line, span.col));
        }
    }
    out
}

/// The reference a rule's head defines (`deny`, `image.allowed`, `f`).
fn head_ref(rule: &Ref<Rule>) -> &Ref<Expr> {
    match rule.as_ref() {
        Rule::Spec { head, .. } => match head {
            RuleHead::Compr { refr, .. }
            | RuleHead::Set { refr, .. }
            | RuleHead::Func { refr, .. } => refr,
        },
        Rule::Default { refr, .. } => refr,
    }
}

fn collect_module(module: &Ref<Module>, file: &str, out: &mut Vec<Node>) {
    let Some(package) = package_path(module) else {
        return;
    };
    let mut aliases = HashMap::new();
    for import in &module.imports {
        let Some((root, rest)) = ref_path(&import.refr) else {
            continue;
        };
        let mut full = vec![root];
        full.extend(rest);
        let alias = match &import.r#as {
            Some(span) => span.text().to_string(),
            None => full.last().cloned().unwrap_or_default(),
        };
        let target = (full[0] == "data").then_some(full);
        aliases.insert(alias, target);
    }
    let scope = Scope { package, aliases };
    for rule in &module.policy {
        if let Some(node) = rule_node(rule, &scope, file) {
            out.push(node);
        }
    }
}

/// The node for one rule: its path, kind, location and references.
fn rule_node(rule: &Ref<Rule>, scope: &Scope, file: &str) -> Option<Node> {
    let mut refs = BTreeSet::new();
    let (head_ref, function) = match rule.as_ref() {
        Rule::Spec { head, bodies, .. } => {
            let mut locals = BTreeSet::new();
            let (head_ref, function) = match head {
                RuleHead::Compr { refr, assign, .. } => {
                    if let Some(a) = assign {
                        walk_expr(&a.value, scope, &locals, &mut refs);
                    }
                    (refr, false)
                }
                RuleHead::Set { refr, key, .. } => {
                    if let Some(k) = key {
                        walk_expr(k, scope, &locals, &mut refs);
                    }
                    (refr, false)
                }
                RuleHead::Func {
                    refr, args, assign, ..
                } => {
                    for arg in args {
                        pattern_vars(arg, &mut locals);
                    }
                    if let Some(a) = assign {
                        walk_expr(&a.value, scope, &locals, &mut refs);
                    }
                    (refr, true)
                }
            };
            for body in bodies {
                let mut body_locals = locals.clone();
                query_locals(&body.query, &mut body_locals);
                walk_query(&body.query, scope, &body_locals, &mut refs);
                if let Some(a) = &body.assign {
                    walk_expr(&a.value, scope, &body_locals, &mut refs);
                }
            }
            (head_ref, function)
        }
        Rule::Default {
            refr, args, value, ..
        } => {
            walk_expr(value, scope, &BTreeSet::new(), &mut refs);
            (refr, !args.is_empty())
        }
    };
    let (root, rest) = ref_path(head_ref)?;
    let mut path = scope.package.clone();
    path.push(root);
    path.extend(rest);
    let span = rule.span();
    Some(Node {
        path,
        function,
        file: file.to_string(),
        line: span.line,
        column: span.col,
        refs,
    })
}

/// The static part of a reference: its root variable and the literal
/// segments after it, up to the first dynamic index.
pub(crate) fn ref_path(expr: &Ref<Expr>) -> Option<(String, Vec<String>)> {
    static_ref(expr).map(|(root, segs, _)| (root, segs))
}

/// [`ref_path`] plus whether a dynamic index cut the path short (later
/// segments are then not appended).
fn static_ref(expr: &Ref<Expr>) -> Option<(String, Vec<String>, bool)> {
    match expr.as_ref() {
        Expr::Var { span, .. } => Some((span.text().to_string(), Vec::new(), false)),
        Expr::RefDot { refr, field, .. } => {
            let (root, mut segs, cut) = static_ref(refr)?;
            if !cut {
                segs.push(field.0.text().to_string());
            }
            Some((root, segs, cut))
        }
        Expr::RefBrack { refr, index, .. } => {
            let (root, mut segs, cut) = static_ref(refr)?;
            if cut {
                return Some((root, segs, cut));
            }
            match index.as_ref() {
                Expr::String { value, .. } | Expr::RawString { value, .. } => {
                    match value.as_string() {
                        Ok(s) => {
                            segs.push(s.to_string());
                            Some((root, segs, false))
                        }
                        Err(_) => Some((root, segs, true)),
                    }
                }
                _ => Some((root, segs, true)),
            }
        }
        _ => None,
    }
}

/// The non-literal indexes of a reference chain (`x` in `data.a[x].b`):
/// they are expressions with references of their own.
fn dynamic_indexes<'a>(expr: &'a Ref<Expr>, out: &mut Vec<&'a Ref<Expr>>) {
    match expr.as_ref() {
        Expr::RefDot { refr, .. } => dynamic_indexes(refr, out),
        Expr::RefBrack { refr, index, .. } => {
            dynamic_indexes(refr, out);
            if !matches!(index.as_ref(), Expr::String { .. } | Expr::RawString { .. }) {
                out.push(index);
            }
        }
        _ => {}
    }
}

/// Resolves a reference's static path against the scope, or `None` when it
/// is not about `data` (input, local variables, builtins' namespaces are
/// resolved too but simply match no rule).
fn resolve(
    root: &str,
    rest: &[String],
    scope: &Scope,
    locals: &BTreeSet<String>,
) -> Option<Vec<String>> {
    if root == "input" || root == "_" || locals.contains(root) {
        return None;
    }
    let mut path = if root == "data" {
        vec!["data".to_string()]
    } else if let Some(target) = scope.aliases.get(root) {
        target.clone()?
    } else {
        let mut p = scope.package.clone();
        p.push(root.to_string());
        p
    };
    path.extend(rest.iter().cloned());
    Some(path)
}

/// Records the reference an expression makes (if it is one) and walks its
/// sub-expressions.
fn walk_expr(
    expr: &Ref<Expr>,
    scope: &Scope,
    locals: &BTreeSet<String>,
    refs: &mut BTreeSet<Vec<String>>,
) {
    match expr.as_ref() {
        Expr::Var { .. } | Expr::RefDot { .. } | Expr::RefBrack { .. } => {
            match ref_path(expr) {
                Some((root, rest)) => {
                    if let Some(path) = resolve(&root, &rest, scope, locals) {
                        refs.insert(path);
                    }
                }
                None => walk_ref_base(expr, scope, locals, refs),
            }
            let mut dynamic = Vec::new();
            dynamic_indexes(expr, &mut dynamic);
            for index in dynamic {
                walk_expr(index, scope, locals, refs);
            }
        }
        Expr::Call { fcn, params, .. } => {
            walk_expr(fcn, scope, locals, refs);
            for p in params {
                walk_expr(p, scope, locals, refs);
            }
        }
        Expr::Array { items, .. } | Expr::Set { items, .. } => {
            for i in items {
                walk_expr(i, scope, locals, refs);
            }
        }
        Expr::Object { fields, .. } => {
            for (_, k, v) in fields {
                walk_expr(k, scope, locals, refs);
                walk_expr(v, scope, locals, refs);
            }
        }
        Expr::ArrayCompr { term, query, .. } | Expr::SetCompr { term, query, .. } => {
            walk_expr(term, scope, locals, refs);
            walk_query(query, scope, locals, refs);
        }
        Expr::ObjectCompr {
            key, value, query, ..
        } => {
            walk_expr(key, scope, locals, refs);
            walk_expr(value, scope, locals, refs);
            walk_query(query, scope, locals, refs);
        }
        Expr::UnaryExpr { expr, .. } => walk_expr(expr, scope, locals, refs),
        Expr::BinExpr { lhs, rhs, .. }
        | Expr::BoolExpr { lhs, rhs, .. }
        | Expr::ArithExpr { lhs, rhs, .. }
        | Expr::AssignExpr { lhs, rhs, .. } => {
            walk_expr(lhs, scope, locals, refs);
            walk_expr(rhs, scope, locals, refs);
        }
        Expr::Membership {
            key,
            value,
            collection,
            ..
        } => {
            if let Some(k) = key {
                walk_expr(k, scope, locals, refs);
            }
            walk_expr(value, scope, locals, refs);
            walk_expr(collection, scope, locals, refs);
        }
        Expr::String { .. }
        | Expr::RawString { .. }
        | Expr::Number { .. }
        | Expr::Bool { .. }
        | Expr::Null { .. } => {}
    }
}

/// A reference whose base is not a variable (`f(x).y`, `[1][0]`): walk the
/// base expression itself.
fn walk_ref_base(
    expr: &Ref<Expr>,
    scope: &Scope,
    locals: &BTreeSet<String>,
    refs: &mut BTreeSet<Vec<String>>,
) {
    match expr.as_ref() {
        Expr::RefDot { refr, .. } | Expr::RefBrack { refr, .. } => {
            walk_ref_base(refr, scope, locals, refs)
        }
        Expr::Var { .. } => {}
        _ => walk_expr(expr, scope, locals, refs),
    }
}

fn walk_query(
    query: &Ref<Query>,
    scope: &Scope,
    locals: &BTreeSet<String>,
    refs: &mut BTreeSet<Vec<String>>,
) {
    for stmt in &query.stmts {
        match &stmt.literal {
            Literal::SomeVars { .. } => {}
            Literal::SomeIn { collection, .. } => walk_expr(collection, scope, locals, refs),
            Literal::Expr { expr, .. } | Literal::NotExpr { expr, .. } => {
                walk_expr(expr, scope, locals, refs)
            }
            Literal::Every { domain, query, .. } => {
                walk_expr(domain, scope, locals, refs);
                walk_query(query, scope, locals, refs);
            }
        }
        for with in &stmt.with_mods {
            walk_expr(&with.r#as, scope, locals, refs);
        }
    }
}

/// Variables a query declares (`some x`, `x := …`, `some k, v in …`,
/// `every k, v in …`), including inside comprehensions: they shadow rules
/// of the same name.
fn query_locals(query: &Ref<Query>, out: &mut BTreeSet<String>) {
    for stmt in &query.stmts {
        match &stmt.literal {
            Literal::SomeVars { vars, .. } => {
                out.extend(vars.iter().map(|s| s.text().to_string()));
            }
            Literal::SomeIn { key, value, .. } => {
                if let Some(k) = key {
                    pattern_vars(k, out);
                }
                pattern_vars(value, out);
            }
            Literal::Expr { expr, .. } | Literal::NotExpr { expr, .. } => expr_locals(expr, out),
            Literal::Every {
                key, value, query, ..
            } => {
                if let Some(k) = key {
                    out.insert(k.text().to_string());
                }
                out.insert(value.text().to_string());
                query_locals(query, out);
            }
        }
    }
}

/// Declarations inside an expression: `:=` targets and comprehension bodies.
fn expr_locals(expr: &Ref<Expr>, out: &mut BTreeSet<String>) {
    match expr.as_ref() {
        Expr::AssignExpr { op, lhs, rhs, .. } => {
            if matches!(op, regorus::unstable::AssignOp::ColEq) {
                pattern_vars(lhs, out);
            }
            expr_locals(rhs, out);
        }
        Expr::ArrayCompr { query, .. }
        | Expr::SetCompr { query, .. }
        | Expr::ObjectCompr { query, .. } => query_locals(query, out),
        _ => {}
    }
}

/// Variables bound by a pattern (`x`, `[_, x]`, `{"a": x}`).
fn pattern_vars(expr: &Ref<Expr>, out: &mut BTreeSet<String>) {
    match expr.as_ref() {
        Expr::Var { span, .. } => {
            out.insert(span.text().to_string());
        }
        Expr::Array { items, .. } => items.iter().for_each(|i| pattern_vars(i, out)),
        Expr::Object { fields, .. } => fields.iter().for_each(|(_, _, v)| pattern_vars(v, out)),
        _ => {}
    }
}

/// Edges: a reference to `p` depends on every rule whose path is a prefix
/// of `p` (`data.a.r.x` reads rule `data.a.r`) or extends it (`data.a`
/// reads every rule of package `a`).
fn link(nodes: &[Node]) -> Vec<Vec<usize>> {
    let by_path: BTreeMap<&[String], usize> = nodes
        .iter()
        .enumerate()
        .map(|(i, n)| (n.path.as_slice(), i))
        .collect();
    nodes
        .iter()
        .map(|node| {
            let mut targets = BTreeSet::new();
            for r in &node.refs {
                for len in 1..=r.len() {
                    if let Some(&i) = by_path.get(&r[..len]) {
                        targets.insert(i);
                    }
                }
                let below = by_path
                    .range::<[String], _>((
                        std::ops::Bound::Excluded(r.as_slice()),
                        std::ops::Bound::Unbounded,
                    ))
                    .take_while(|(p, _)| p.starts_with(r));
                targets.extend(below.map(|(_, &i)| i));
            }
            targets.into_iter().collect()
        })
        .collect()
}

/// Strongly connected components (iterative Tarjan: a long chain of
/// functions must not overflow our own stack either).
fn components(edges: &[Vec<usize>]) -> Vec<Vec<usize>> {
    let n = edges.len();
    let mut index = vec![usize::MAX; n];
    let mut low = vec![0; n];
    let mut on_stack = vec![false; n];
    let mut stack = Vec::new();
    let mut out = Vec::new();
    let mut next = 0;
    for start in 0..n {
        if index[start] != usize::MAX {
            continue;
        }
        let mut work = vec![(start, 0usize)];
        while let Some(&mut (v, ref mut child)) = work.last_mut() {
            if *child == 0 && index[v] == usize::MAX {
                index[v] = next;
                low[v] = next;
                next += 1;
                stack.push(v);
                on_stack[v] = true;
            }
            if let Some(&w) = edges[v].get(*child) {
                *child += 1;
                if index[w] == usize::MAX {
                    work.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
                continue;
            }
            work.pop();
            if let Some(&(parent, _)) = work.last() {
                low[parent] = low[parent].min(low[v]);
            }
            if low[v] == index[v] {
                let mut component = Vec::new();
                while let Some(w) = stack.pop() {
                    on_stack[w] = false;
                    component.push(w);
                    if w == v {
                        break;
                    }
                }
                out.push(component);
            }
        }
    }
    out
}

/// One error per file with a function on a cycle, naming the cycle.
fn cycle_errors(
    nodes: &[Node],
    edges: &[Vec<usize>],
    components: &[Vec<usize>],
) -> Vec<PolicyError> {
    let mut errors: BTreeMap<String, PolicyError> = BTreeMap::new();
    for component in components {
        let cyclic = component.len() > 1 || edges[component[0]].contains(&component[0]);
        if !cyclic {
            continue;
        }
        let mut functions: Vec<usize> = component
            .iter()
            .copied()
            .filter(|&i| nodes[i].function)
            .collect();
        functions.sort_by_key(|&i| (&nodes[i].file, nodes[i].line, nodes[i].column));
        for f in functions {
            let node = &nodes[f];
            if errors.contains_key(&node.file) {
                continue;
            }
            let cycle = cycle_through(f, component, edges)
                .iter()
                .map(|&i| display(&nodes[i].path))
                .collect::<Vec<_>>()
                .join(" -> ");
            errors.insert(
                node.file.clone(),
                PolicyError {
                    path: node.file.clone(),
                    line: node.line,
                    column: node.column,
                    message: format!(
                        "function `{}` is recursive ({cycle}); recursion is not allowed in Rego and would crash the evaluator",
                        node.path.last().map(String::as_str).unwrap_or_default()
                    ),
                },
            );
        }
    }
    errors.into_values().collect()
}

/// One error per file whose deepest rule or function starts a chain of
/// nested evaluations longer than [`MAX_CALL_DEPTH`], at that rule.
fn depth_errors(
    nodes: &[Node],
    edges: &[Vec<usize>],
    components: &[Vec<usize>],
) -> Vec<PolicyError> {
    let (depth, next) = chain_depths(edges, components);
    let mut deepest: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, node) in nodes.iter().enumerate() {
        if depth[i] <= MAX_CALL_DEPTH {
            continue;
        }
        let best = deepest.entry(node.file.as_str()).or_insert(i);
        if depth[i] > depth[*best] {
            *best = i;
        }
    }
    deepest
        .into_values()
        .map(|i| {
            let node = &nodes[i];
            let mut chain = vec![i];
            while let Some(n) = next[*chain.last().expect("non-empty")] {
                chain.push(n);
            }
            PolicyError {
                path: node.file.clone(),
                line: node.line,
                column: node.column,
                message: format!(
                    "`{}` starts a chain of {} nested rule and function evaluations ({}); at most {MAX_CALL_DEPTH} are allowed, deeper chains overflow the evaluator's stack",
                    node.path.last().map(String::as_str).unwrap_or_default(),
                    depth[i],
                    abbreviated(&chain, nodes),
                ),
            }
        })
        .collect()
}

/// `a -> b -> c -> … -> z` for a long chain.
fn abbreviated(chain: &[usize], nodes: &[Node]) -> String {
    let name = |i: &usize| display(&nodes[*i].path);
    if chain.len() <= 5 {
        return chain.iter().map(name).collect::<Vec<_>>().join(" -> ");
    }
    let head: Vec<String> = chain[..3].iter().map(name).collect();
    format!(
        "{} -> … -> {}",
        head.join(" -> "),
        name(&chain[chain.len() - 1])
    )
}

/// For each node, the length of the longest chain of evaluations that
/// starts there (a call cycle counts once: cycles through functions are
/// rejected on their own) and the next node on it. Tarjan emits a
/// component only after every component it reaches, so one pass in that
/// order sees each successor's depth before it is needed.
fn chain_depths(
    edges: &[Vec<usize>],
    components: &[Vec<usize>],
) -> (Vec<usize>, Vec<Option<usize>>) {
    let mut component_of = vec![0; edges.len()];
    for (c, members) in components.iter().enumerate() {
        for &v in members {
            component_of[v] = c;
        }
    }
    let mut component_depth = vec![0usize; components.len()];
    let mut depth = vec![0usize; edges.len()];
    let mut next = vec![None; edges.len()];
    for (c, members) in components.iter().enumerate() {
        for &v in members {
            let mut best = 0;
            for &w in &edges[v] {
                let reached = component_depth[component_of[w]];
                if component_of[w] != c && reached > best {
                    best = reached;
                    next[v] = Some(w);
                }
            }
            depth[v] = best + 1;
        }
        component_depth[c] = members.iter().map(|&v| depth[v]).max().unwrap_or(1);
    }
    (depth, next)
}

/// A shortest cycle from `start` back to itself inside its component.
fn cycle_through(start: usize, component: &[usize], edges: &[Vec<usize>]) -> Vec<usize> {
    let members: BTreeSet<usize> = component.iter().copied().collect();
    let mut previous: HashMap<usize, usize> = HashMap::new();
    let mut queue = std::collections::VecDeque::from([start]);
    while let Some(v) = queue.pop_front() {
        for &w in &edges[v] {
            if !members.contains(&w) {
                continue;
            }
            if w == start {
                let mut path = vec![start];
                let mut cur = v;
                while cur != start {
                    path.push(cur);
                    cur = previous[&cur];
                }
                path.push(start);
                let n = path.len();
                path[1..n - 1].reverse();
                return path;
            }
            if let std::collections::hash_map::Entry::Vacant(e) = previous.entry(w) {
                e.insert(v);
                queue.push_back(w);
            }
        }
    }
    vec![start, start]
}

fn display(path: &[String]) -> String {
    path.join(".")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::policy::policy_file;

    fn file(path: &str, text: &str) -> PolicyFile {
        policy_file(path.into(), text.into(), false).unwrap()
    }

    fn errors(files: &[PolicyFile]) -> Vec<PolicyError> {
        check(&files.iter().collect::<Vec<_>>())
    }

    #[test]
    fn rejects_a_self_recursive_function_at_its_definition() {
        let f = file(
            "p/fact.rego",
            "package x.lib.math\n\nfact(n) := 1 if n <= 1\n\nfact(n) := n * fact(n - 1) if n > 1\n",
        );
        let errs = errors(&[f]);
        assert_eq!(errs.len(), 1, "{errs:?}");
        assert_eq!(
            (errs[0].path.as_str(), errs[0].line, errs[0].column),
            ("p/fact.rego", 3, 1)
        );
        assert!(
            errs[0]
                .message
                .contains("data.x.lib.math.fact -> data.x.lib.math.fact"),
            "{}",
            errs[0].message
        );
    }

    #[test]
    fn rejects_mutual_recursion_across_packages_and_imports() {
        let a = file(
            "p/a.rego",
            "package x.a\n\nimport data.x.b\n\nf(n) := b.g(n)\n",
        );
        let b = file(
            "p/b.rego",
            "package x.b\n\nimport data.x.a as other\n\n# helper\ng(n) := y if {\n  y := other.f(n)\n}\n",
        );
        let errs = errors(&[a, b]);
        let located: Vec<_> = errs
            .iter()
            .map(|e| (e.path.as_str(), e.line, e.column))
            .collect();
        assert_eq!(located, vec![("p/a.rego", 5, 1), ("p/b.rego", 6, 1)]);
        assert!(
            errs[0]
                .message
                .contains("data.x.a.f -> data.x.b.g -> data.x.a.f")
        );
    }

    #[test]
    fn finds_cycles_through_rules_and_comprehensions() {
        let a = file(
            "p/c.rego",
            "package x.c\n\nr := f(1)\n\nf(n) := count([y | some y in [n]; y < r])\n",
        );
        let errs = errors(&[a]);
        assert_eq!(errs.len(), 1, "{errs:?}");
        assert_eq!(errs[0].line, 5);
    }

    #[test]
    fn accepts_non_recursive_helpers_and_shadowing_locals() {
        let lib = file(
            "p/lib.rego",
            "package x.lib.img\n\nparse(r) := split(r, \":\")\n\ntag(r) := parse(r)[1]\n\nr := 1\n\nuses_local(r) := r + 1\n\nlocal_assign(n) := v if {\n  r := n\n  v := r\n}\n",
        );
        let rule = file(
            "p/rule.rego",
            "package x.kubernetes.tags\n\nimport data.x.lib.img\n\ndeny contains msg if {\n  some c in input.containers\n  img.tag(c.image) == \"latest\"\n  msg := \"latest\"\n}\n",
        );
        assert_eq!(errors(&[lib, rule]), Vec::new());
    }

    #[test]
    fn long_chains_do_not_overflow_the_checker() {
        let mut text = String::from("package x.chain\n\n");
        for i in 0..3000 {
            text.push_str(&format!("f{i}(n) := f{}(n)\n", i + 1));
        }
        text.push_str("f3000(n) := f0(n)\n");
        let errs = errors(&[file("p/chain.rego", &text)]);
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].line, 3);
    }

    fn chain(functions: usize) -> String {
        let mut text = String::from("package x.chain\n\nf0(n) := n\n");
        for i in 1..=functions {
            text.push_str(&format!("f{i}(n) := f{}(n)\n", i - 1));
        }
        text.push_str(&format!("\nr := f{functions}(1)\n"));
        text
    }

    #[test]
    fn a_chain_of_calls_deeper_than_the_limit_is_rejected_at_its_start() {
        assert_eq!(
            errors(&[file("p/ok.rego", &chain(MAX_CALL_DEPTH - 2))]),
            Vec::new()
        );
        let deep = chain(3000);
        let errs = errors(&[file("p/chain.rego", &deep)]);
        assert_eq!(errs.len(), 1, "{errs:?}");
        assert_eq!(errs[0].line, 3005, "at `r`: {}", errs[0]);
        assert!(errs[0].message.contains("3002 nested"), "{}", errs[0]);
    }

    #[test]
    fn a_chain_of_plain_rules_counts_too() {
        let mut text = String::from("package x.rules\n\nr0 := 1\n");
        for i in 1..=MAX_CALL_DEPTH {
            text.push_str(&format!("r{i} := r{}\n", i - 1));
        }
        let errs = errors(&[file("p/rules.rego", &text)]);
        assert_eq!(errs.len(), 1, "{errs:?}");
        assert!(errs[0].message.contains("`r100`"), "{}", errs[0]);
    }

    #[test]
    fn builtin_policies_have_no_cycles() {
        let files = crate::engine::policy::builtin();
        assert_eq!(check(&files.iter().collect::<Vec<_>>()), Vec::new());
    }
}
