//! `input.commands`: every simple shell command of every stage's `RUN`,
//! analysed once ([`command::analyse`]) and listed flat, in file order.
//!
//! Why in the parser: most Dockerfile rules ask "which program does this
//! command run, with which packages?". Answering it in Rego took a
//! comprehension over stages × instructions × commands with a builtin call
//! per command, which cost more than parsing the file (BENCHMARKS.md,
//! change 11). It is normalisation, so it lives here; the rules decide.
//! `policies/lib/dockerfile.rego` still builds the same list from the
//! stages when an input has no `commands` (inputs written by hand in rule
//! tests), and `tests/dockerfile_commands.rs` checks that both agree.

use super::command::{self, Command};
use super::instruction::Cmd;
use super::node::{Node, Obj};
use crate::document::Span;

/// The entries of one `RUN` instruction's commands (`cmds`); the
/// instruction is number `at.1` of stage `at.0`. Commands that run no
/// program (only assignments or prefixes) are left out.
pub fn entries(cmds: &[Cmd], at: (usize, usize)) -> Vec<Node> {
    cmds.iter()
        .enumerate()
        .filter_map(|(c, cmd)| entry(cmd, cmds.get(c + 1), (at.0, at.1, c)))
        .collect()
}

/// `{"path", "words", "skip", "program", "packages", "op", "next"}`, or
/// `None` when the command runs no program. Every value is at the span of
/// the text it comes from; `path` at the whole command.
fn entry(cmd: &Cmd, next: Option<&Cmd>, at: (usize, usize, usize)) -> Option<Node> {
    let texts: Vec<&str> = cmd.words.iter().map(|(w, _)| w.as_str()).collect();
    let analysed = command::analyse(&texts);
    let program = analysed.program.clone()?;
    let span = cmd.span();
    let word_span = |k: usize| cmd.words.get(k).map_or(span, |(_, s)| *s);
    let program_span = word_span(analysed.skip);
    let mut o = Obj::new(span);
    o.set("path", path_node(at, span));
    o.set("words", cmd.words_node(analysed.skip));
    o.set("skip", Node::number(analysed.skip, program_span));
    o.set("program", Node::string(program, program_span));
    o.set("packages", packages_node(&analysed, &word_span, span));
    o.set("op", Node::string(cmd.op, cmd.op_span.unwrap_or(span)));
    let next = next.map_or_else(|| Node::array(span, Vec::new()), |n| n.words_node(0));
    o.set("next", next);
    Some(o.build())
}

/// `["stages", s, "instructions", j, "commands", c]`.
fn path_node((s, j, c): (usize, usize, usize), span: Span) -> Node {
    let key = |k: &str| Node::string(k, span);
    let index = |i: usize| Node::number(i, span);
    let steps = vec![
        key("stages"),
        index(s),
        key("instructions"),
        index(j),
        key("commands"),
        index(c),
    ];
    Node::array(span, steps)
}

/// Each package as `{"index", "name", "manager"}`, at its word.
fn packages_node(analysed: &Command, word_span: &dyn Fn(usize) -> Span, span: Span) -> Node {
    let items = analysed
        .packages
        .iter()
        .map(|p| {
            let at = word_span(p.index);
            let manager = serde_json::to_value(p.manager).unwrap_or_default();
            let mut o = Obj::new(at);
            o.set("index", Node::number(p.index, at));
            o.set("name", Node::string(&p.name, at));
            o.set("manager", Node::leaf(manager, at));
            o.build()
        })
        .collect();
    Node::array(span, items)
}
