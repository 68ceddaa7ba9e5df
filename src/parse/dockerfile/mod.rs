//! Dockerfiles and Containerfiles: one [`Document`] per file, in the shape
//! `docs/input-dockerfile.md` documents (stages, `FROM` images after `ARG`
//! substitution with their parsed parts, instructions with flags, words and
//! shell commands).
//!
//! Reading follows BuildKit — directives, escape character, continuations,
//! comments inside continuations, heredocs — so rules see what Docker
//! builds, and every value keeps the exact span of the bytes it came from
//! (a word on the third line of a continued `RUN` points at that line).
//! A file Docker would reject for its structure (unknown instruction,
//! unterminated heredoc, no `FROM`) is a `PARSE001` at the offending line.
//!
//! Submodules: `lexer` (lines to logical instructions), `shell` (word
//! splitting), `command` (program and packages of a shell command, for
//! rules), `exec_form` (JSON arrays), `expand` (`ARG` substitution),
//! `instruction` (instruction objects), `mapping` and `node` (spans).

mod analysed;
pub mod command;
mod exec_form;
mod expand;
mod instruction;
mod lexer;
mod mapping;
mod node;
mod scope;
mod shell;
#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::sync::Arc;

use crate::document::{
    Document, Kind, ParseError, Parsed, PathSeg, Provenance, Source, SourceFile, Span,
};
use crate::parse::image::{self, ImageRef};
use instruction::{Head, Heredoc};
use lexer::{Directive, Lexer, Logical};
use node::{Node, Obj};

/// A problem in the text, located by file byte offsets; becomes a
/// [`ParseError`] for the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Error {
    start: usize,
    end: usize,
    message: String,
}

impl Error {
    fn new(start: usize, end: usize, message: impl Into<String>) -> Self {
        Error {
            start,
            end: end.max(start),
            message: message.into(),
        }
    }

    fn at(span: Span, message: impl Into<String>) -> Self {
        Error::new(span.start as usize, span.end as usize, message)
    }
}

/// Parses a Dockerfile into one document, or a `PARSE001` error located at
/// the offending line. Never panics, linear in the size of the file. An
/// `ARG` substitution over its size limit is an `EVAL001` beside the
/// document.
pub fn parse(file: &Arc<SourceFile>) -> Parsed {
    match document(file) {
        Ok((doc, incomplete)) => Parsed {
            documents: vec![doc],
            errors: incomplete
                .into_iter()
                .map(|e| ParseError::incomplete(file, e.start, e.end, e.message))
                .collect(),
        },
        Err(e) => Parsed::error(ParseError {
            problem: crate::document::Problem::Unparsed,
            file: file.clone(),
            start: e.start,
            end: e.end,
            message: e.message,
        }),
    }
}

/// Most bytes one `ARG` substitution may add to the word it expands.
const MAX_WORD_GROWTH: usize = 64 << 10;
/// Most bytes all substitutions of one file may add together: memory stays
/// proportional to the file, whatever its `ARG`s double.
const MAX_FILE_GROWTH: usize = 4 << 20;

/// Most build stages one Dockerfile may have. Real files have a few (at most
/// 4 in the real corpus's 253 Dockerfiles); each stage costs kilobytes of input,
/// source map and provenance, so a 1 MB file of 145,000 one-line stages
/// would otherwise take about 1 GB and a minute. The `FROM` past the bound
/// is an `EVAL001` and the rest of the file is not built.
const MAX_STAGES: usize = 1_000;

fn document(file: &Arc<SourceFile>) -> Result<(Document, Vec<Error>), Error> {
    let text = file.text.as_str();
    let (directives, escape) = lexer::directives(text)?;
    let mut lx = Lexer::new(text, escape);
    let mut b = Builder::new(text, escape);
    while let Some(l) = lx.next_instruction() {
        let h = instruction::head(&l.text, 0, escape);
        check_keyword(&l, &h)?;
        if h.keyword == "from" && b.stages.len() == MAX_STAGES {
            b.incomplete.push(Error::at(
                l.map.span(h.kw_start, h.kw_end),
                format!(
                    "more than {MAX_STAGES} build stages: this stage and the rest of the \
                     file are not checked, so the gate cannot vouch for them"
                ),
            ));
            break;
        }
        let trigger = match h.keyword.as_str() {
            "onbuild" => Some(trigger_head(&l, &h, escape)?),
            _ => None,
        };
        let heredocs = read_heredocs(&mut lx, &l, trigger.as_ref().unwrap_or(&h))?;
        b.add(&l, &h, trigger.as_ref(), &heredocs)?;
    }
    b.finish(file, &directives)
}

/// File offsets of the `#` characters the shell reads as a comment in
/// shell-form `RUN`, `CMD` and `ENTRYPOINT` instructions (`ONBUILD`
/// triggers included): where a suppression may trail an instruction. A `#`
/// in a quoted string or inside a word, in exec form, in another
/// instruction (BuildKit has no trailing comments) or in a heredoc body is
/// not one. A file that stops parsing yields the offsets read before.
pub(crate) fn shell_comment_offsets(text: &str) -> Vec<usize> {
    let Ok((_, escape)) = lexer::directives(text) else {
        return Vec::new();
    };
    let mut lx = Lexer::new(text, escape);
    let mut out = Vec::new();
    while let Some(l) = lx.next_instruction() {
        let mut h = instruction::head(&l.text, 0, escape);
        if h.keyword == "onbuild" && h.value_start < h.value_end {
            h = instruction::head(&l.text, h.value_start, escape);
        }
        if matches!(h.keyword.as_str(), "run" | "cmd" | "entrypoint") {
            out.extend(script_comments(&l, &h));
        }
        for marker in instruction::heredoc_markers(&l.text, &h) {
            if lx
                .read_heredoc(&marker.delimiter, marker.strip_tabs)
                .is_none()
            {
                return out;
            }
        }
    }
    out
}

/// The shell comments of one shell-form instruction's script.
fn script_comments(l: &Logical, h: &Head) -> Vec<usize> {
    let script = &l.text[h.value_start..h.value_end];
    if script.starts_with('[') {
        return Vec::new();
    }
    let tokens = shell::shell(script, h.escape == '\\');
    script
        .match_indices('#')
        .map(|(i, _)| i)
        .filter(|&i| !tokens.iter().any(|t| t.start <= i && i < t.end))
        .map(|i| l.map.start(h.value_start + i))
        .collect()
}

/// Keyword text for messages: bounded and printable (binary garbage can
/// make a very long "keyword").
fn shown(s: &str) -> String {
    let mut out: String = s.chars().take(40).flat_map(char::escape_debug).collect();
    if s.chars().count() > 40 {
        out.push('…');
    }
    out
}

fn check_keyword(l: &Logical, h: &Head) -> Result<(), Error> {
    if instruction::KEYWORDS.contains(&h.keyword.as_str()) {
        return Ok(());
    }
    let raw = &l.text[h.kw_start..h.kw_end];
    Err(Error::at(
        l.map.span(h.kw_start, h.kw_end),
        format!("unknown instruction: {}", shown(raw)),
    ))
}

/// The instruction an `ONBUILD` wraps.
fn trigger_head(l: &Logical, h: &Head, escape: char) -> Result<Head, Error> {
    if h.value_start >= h.value_end {
        let span = l.map.span(h.kw_start, h.kw_end);
        return Err(Error::at(
            span,
            "ONBUILD requires an instruction to run later",
        ));
    }
    let t = instruction::head(&l.text, h.value_start, escape);
    check_keyword(l, &t)?;
    if matches!(t.keyword.as_str(), "onbuild" | "from" | "maintainer") {
        let span = l.map.span(t.kw_start, t.kw_end);
        let kw = t.keyword.to_ascii_uppercase();
        return Err(Error::at(
            span,
            format!("{kw} isn't allowed as an ONBUILD trigger"),
        ));
    }
    Ok(t)
}

/// Reads the bodies of the heredocs the instruction announces, in order.
fn read_heredocs(lx: &mut Lexer<'_>, l: &Logical, h: &Head) -> Result<Vec<Heredoc>, Error> {
    let mut out = Vec::new();
    for marker in instruction::heredoc_markers(&l.text, h) {
        let Some(body) = lx.read_heredoc(&marker.delimiter, marker.strip_tabs) else {
            let span = l.map.span(marker.start, marker.end);
            let msg = format!(
                "unterminated heredoc: no line `{}` closes it before the end of the file",
                marker.delimiter
            );
            return Err(Error::at(span, msg));
        };
        out.push(Heredoc { marker, body });
    }
    Ok(out)
}

/// Expands `raw` (the word at `span`) with `lookup`, within the size
/// bounds: a word's growth is at most [`MAX_WORD_GROWTH`] and the file's
/// `growth_left`; a word over them stays as written and is reported as
/// `EVAL001` there (in `incomplete`, when given: `None` when the same text
/// is expanded and reported again as a value).
fn bounded(
    raw: &str,
    span: Span,
    escape: char,
    lookup: &dyn Fn(&str) -> Option<String>,
    growth_left: &mut usize,
    incomplete: Option<&mut Vec<Error>>,
) -> expand::Expanded {
    let max_len = raw.len() + MAX_WORD_GROWTH.min(*growth_left);
    let out = expand::expand(raw, escape, lookup, max_len);
    *growth_left -= out.text.len().saturating_sub(raw.len()).min(*growth_left);
    if out.over_limit
        && let Some(incomplete) = incomplete
    {
        let message = format!(
            "ARG substitution not evaluated: it would be longer than {} KiB (or the \
             file's {} MiB for all substitutions is used up); kept as written, so \
             the gate cannot vouch for the value",
            MAX_WORD_GROWTH >> 10,
            MAX_FILE_GROWTH >> 20
        );
        incomplete.push(Error::at(span, message));
    }
    out
}

/// A global `ARG` (declared before the first `FROM`).
struct GlobalArg {
    default: Option<String>,
    line: u32,
    /// Where the default is written (the word after `=`, as written), then
    /// the sources of the earlier `ARG`s it uses (`ARG FULL=${NAME}:1`).
    sources: Vec<Source>,
}

/// A stage being built: its object minus the instructions.
struct Stage {
    name: Option<String>,
    head: Span,
    obj: Obj,
    instructions: Vec<Node>,
}

/// Accumulates the document while instructions stream in.
struct Builder<'a> {
    src: &'a str,
    escape: char,
    args: Vec<GlobalArg>,
    arg_nodes: Vec<Node>,
    first_arg: Option<Span>,
    /// Index in `args` of the latest global `ARG` with a default, by name.
    defaults: HashMap<String, usize>,
    /// Bytes substitutions may still add ([`MAX_FILE_GROWTH`]).
    growth_left: usize,
    /// Substitutions over their limit (`EVAL001`).
    incomplete: Vec<Error>,
    stages: Vec<Stage>,
    /// `input.commands`: the analysed shell commands of the stages' `RUN`s.
    commands: Vec<Node>,
    provenance: crate::document::ProvenanceMap,
    /// The build-time environment of each stage so far (the last is the
    /// current stage's).
    scopes: Vec<scope::Scope>,
}

impl<'a> Builder<'a> {
    fn new(src: &'a str, escape: char) -> Self {
        Builder {
            src,
            escape,
            args: Vec::new(),
            arg_nodes: Vec::new(),
            first_arg: None,
            defaults: HashMap::new(),
            growth_left: MAX_FILE_GROWTH,
            incomplete: Vec::new(),
            stages: Vec::new(),
            commands: Vec::new(),
            provenance: Default::default(),
            scopes: Vec::new(),
        }
    }

    fn add(
        &mut self,
        l: &Logical,
        h: &Head,
        trigger: Option<&Head>,
        heredocs: &[Heredoc],
    ) -> Result<(), Error> {
        if h.keyword == "from" {
            return self.add_stage(l, h);
        }
        let stage_index = self.stages.len().saturating_sub(1);
        let Some(stage) = self.stages.last() else {
            if h.keyword == "arg" {
                self.add_global_args(l, h);
                return Ok(());
            }
            let kw = h.keyword.to_ascii_uppercase();
            return Err(Error::at(
                l.map.span(h.kw_start, h.kw_end),
                format!("{kw} before the first FROM: only ARG may come before FROM"),
            ));
        };
        let at = (stage_index, stage.instructions.len());
        let (mut node, cmds) = instruction::build_with_commands(l, h, trigger, heredocs, self.src);
        if h.keyword == "run" {
            self.commands.extend(analysed::entries(&cmds, at));
        }
        self.substitute(&mut node, l, h, trigger, at);
        match h.keyword.as_str() {
            "arg" => self.declare_stage_args(l, h),
            "env" => self.set_envs(l, h),
            _ => {}
        }
        if let Some(stage) = self.stages.last_mut() {
            stage.instructions.push(node);
        }
        Ok(())
    }

    /// Replaces the words of an instruction BuildKit expands
    /// ([`scope::EXPANDED`]) by their values in the stage's environment,
    /// with their provenance. An `ONBUILD` trigger sees the `ENV`s only
    /// (`ARG`s are not kept in the image); exec-form words stay as written.
    fn substitute(
        &mut self,
        node: &mut Node,
        l: &Logical,
        h: &Head,
        trigger: Option<&Head>,
        (stage, index): (usize, usize),
    ) {
        let (head, env_only, key) = match trigger {
            Some(t) => (t, true, Some("trigger")),
            None => (h, false, None),
        };
        let target = match key {
            Some(k) => node.value.get_mut(k),
            None => Some(&mut node.value),
        };
        let Some(target) = target else { return };
        if !scope::EXPANDED.contains(&head.keyword.as_str())
            || head.keyword == "onbuild"
            || target.get("exec_form") == Some(&serde_json::Value::Bool(true))
        {
            return;
        }
        let mut base = vec![
            PathSeg::Key("stages".into()),
            PathSeg::Index(stage),
            PathSeg::Key("instructions".into()),
            PathSeg::Index(index),
        ];
        base.extend(key.map(|k| PathSeg::Key(k.into())));
        base.push(PathSeg::Key("args".into()));
        for (k, t) in head.args.iter().enumerate() {
            let raw = &l.text[t.start..t.end];
            if !raw.contains('$') {
                continue;
            }
            // an `ARG`/`ENV` value over its bound is reported once, as a value
            let report = !matches!(head.keyword.as_str(), "arg" | "env");
            let span = l.map.span(t.start, t.end);
            let expanded = self.expand_in_stage(raw, span, env_only, report);
            let Some(scope) = self.scopes.last() else {
                return;
            };
            let Some((note, sources)) = scope::explain(scope, &expanded.used, env_only) else {
                continue;
            };
            if let Some(slot) = target.get_mut("args").and_then(|a| a.get_mut(k)) {
                *slot = serde_json::Value::String(expanded.text);
            }
            let mut path = base.clone();
            path.push(PathSeg::Index(k));
            self.provenance.insert(path, Provenance { note, sources });
        }
    }

    /// Expands `raw` (the word at `span`) in the current stage's
    /// environment, within the same bounds as [`Builder::expand`].
    fn expand_in_stage(
        &mut self,
        raw: &str,
        span: Span,
        env_only: bool,
        report: bool,
    ) -> expand::Expanded {
        let scope = self.scopes.last();
        let lookup = |n: &str| {
            scope
                .and_then(|s| s.get(n, env_only))
                .map(|v| v.value.clone())
        };
        bounded(
            raw,
            span,
            self.escape,
            &lookup,
            &mut self.growth_left,
            report.then_some(&mut self.incomplete),
        )
    }

    /// The variable a stage `ARG` or `ENV` sets to the word `raw` at `span`,
    /// or `None` when its value is not known (it names a variable without
    /// a value).
    fn stage_var(
        &mut self,
        raw: &str,
        span: Span,
        written: String,
        shown: String,
        env: bool,
    ) -> Option<scope::Var> {
        let expanded = self.expand_in_stage(raw, span, false, true);
        if expanded.unresolved {
            return None;
        }
        let mut sources = vec![Source {
            message: written,
            span,
            file: None,
        }];
        if let Some(s) = self.scopes.last()
            && let Some((_, used)) = scope::explain(s, &expanded.used, false)
        {
            sources.extend(used);
        }
        Some(scope::Var {
            value: expanded.text,
            env,
            sources,
            shown,
        })
    }

    /// `ARG NAME=default` or `ARG NAME` in a stage: the name gets its
    /// default, else the global `ARG`'s default, else no value.
    fn declare_stage_args(&mut self, l: &Logical, h: &Head) {
        for t in &h.args {
            let raw = &l.text[t.start..t.end];
            let var = match raw.find('=') {
                Some(p) => {
                    let name = &raw[..p];
                    let span = l.map.span(t.start + p + 1, t.end);
                    let written = format!("the default of ARG {name} (line {})", l.line);
                    let shown = format!("ARG {name} (line {})", l.line);
                    let var = self.stage_var(&raw[p + 1..], span, written, shown, false);
                    (name.to_string(), var)
                }
                None => (t.text.clone(), self.global_var(&t.text)),
            };
            if let Some(s) = self.scopes.last_mut() {
                s.declare_arg(&var.0, var.1);
            }
        }
    }

    /// A global `ARG` declared again in a stage: its global default.
    fn global_var(&self, name: &str) -> Option<scope::Var> {
        let a = &self.args[*self.defaults.get(name)?];
        Some(scope::Var {
            value: a.default.clone()?,
            env: false,
            sources: a.sources.clone(),
            shown: format!("global ARG {name} (line {})", a.line),
        })
    }

    /// `ENV a=1 b=2` or `ENV a 1`: the values are read with the
    /// environment before the instruction, then set.
    fn set_envs(&mut self, l: &Logical, h: &Head) {
        let Some(first) = h.args.first() else { return };
        let pairs: Vec<(String, &str, Span)> = if l.text[first.start..first.end].contains('=') {
            h.args
                .iter()
                .filter_map(|t| {
                    let raw = &l.text[t.start..t.end];
                    let p = raw.find('=')?;
                    let span = l.map.span(t.start + p + 1, t.end);
                    Some((raw[..p].to_string(), &raw[p + 1..], span))
                })
                .collect()
        } else {
            let Some(second) = h.args.get(1) else { return };
            let raw = &l.text[second.start..h.value_end];
            let span = l.map.span(second.start, h.value_end);
            vec![(first.text.clone(), raw, span)]
        };
        let mut set = Vec::new();
        for (name, raw, span) in pairs {
            let written = format!("ENV {name} (line {})", l.line);
            let var = self.stage_var(raw, span, written.clone(), written, true);
            set.push((name, var));
        }
        if let Some(s) = self.scopes.last_mut() {
            for (name, var) in set {
                match var {
                    Some(v) => s.set_env(&name, v),
                    None => s.forget(&name),
                }
            }
        }
    }

    /// Substitutes global `ARG` defaults into `raw` (the word at `span`)
    /// within the size bounds; a word over them stays as written and is
    /// reported as `EVAL001` there.
    fn expand(&mut self, raw: &str, span: Span) -> expand::Expanded {
        let (args, defaults) = (&self.args, &self.defaults);
        let lookup = |n: &str| args[*defaults.get(n)?].default.clone();
        bounded(
            raw,
            span,
            self.escape,
            &lookup,
            &mut self.growth_left,
            Some(&mut self.incomplete),
        )
    }

    fn add_global_args(&mut self, l: &Logical, h: &Head) {
        let m = &l.map;
        self.first_arg.get_or_insert(m.span(h.kw_start, h.kw_end));
        for t in &h.args {
            let raw = &l.text[t.start..t.end];
            let word = m.span(t.start, t.end);
            let mut sources = Vec::new();
            let (name, default, name_span, default_span) = match raw.find('=') {
                Some(p) => {
                    let name = t.text.split_once('=').map_or(&raw[..p], |(n, _)| n);
                    let default_span = m.span(t.start + p + 1, t.end);
                    let expanded = self.expand(&raw[p + 1..], default_span);
                    sources.push(Source {
                        message: format!("the default of ARG {name} (line {})", l.line),
                        span: default_span,
                        file: None,
                    });
                    sources.extend(self.global_sources(&expanded.used));
                    (
                        name.to_string(),
                        Some(expanded.text),
                        m.span(t.start, t.start + p),
                        default_span,
                    )
                }
                None => (t.text.clone(), None, word, word),
            };
            let mut o = Obj::new(word);
            o.set("name", Node::string(&name, name_span));
            o.set("default", Node::opt_string(default.clone(), default_span));
            self.arg_nodes.push(o.build());
            if default.is_some() {
                self.defaults.insert(name.clone(), self.args.len());
            }
            self.args.push(GlobalArg {
                default,
                line: l.line,
                sources,
            });
        }
    }

    /// The places the defaults of the global `ARG`s `used` are written.
    fn global_sources(&self, used: &[String]) -> Vec<Source> {
        used.iter()
            .filter_map(|n| self.defaults.get(n))
            .flat_map(|&i| self.args[i].sources.iter().cloned())
            .collect()
    }

    fn add_stage(&mut self, l: &Logical, h: &Head) -> Result<(), Error> {
        let m = &l.map;
        let index = self.stages.len();
        let a = &h.args;
        let shape_ok = a.len() == 1 || (a.len() == 3 && a[1].text.eq_ignore_ascii_case("as"));
        if !shape_ok {
            return Err(Error::at(
                m.span(h.kw_start, h.value_end),
                "FROM requires either one or three arguments: FROM [--platform=<platform>] <image> [AS <name>]",
            ));
        }
        let tok = &a[0];
        let raw = &l.text[tok.start..tok.end];
        let token = m.span(tok.start, tok.end);
        let head = m.span(h.kw_start, tok.end);
        let name = match a.get(2) {
            Some(t) => Some((
                self.stage_name(&t.text, m.span(t.start, t.end))?,
                m.span(t.start, t.end),
            )),
            None => None,
        };
        let expanded = self.expand(raw, token);
        let image = expanded.text.as_str();
        let lower = image.to_ascii_lowercase();
        let stage_ref = self.stage_ref(&lower, index);
        let scratch = stage_ref.is_none() && lower == "scratch";
        let image_ref = match (stage_ref, scratch) {
            (None, false) => image::parse(image),
            _ => None,
        };
        let sub = |a: usize, b: usize| m.span(tok.start + a, tok.start + b);
        let verbatim = raw == image;
        let mut from = Obj::new(token);
        from.set("text", Node::string(raw, token));
        from.set("image", Node::string(image, token));
        from.set("platform", platform_node(h, m, head));
        from.set(
            "ref",
            ref_node(image_ref.as_ref(), token, verbatim.then_some(&sub)),
        );
        from.set(
            "stage",
            stage_ref.map_or(Node::null(token), |i| Node::number(i, token)),
        );
        from.set("scratch", Node::bool(scratch, token));
        if !expanded.used.is_empty() {
            self.add_provenance(index, &expanded.used, image_ref.as_ref());
        }
        let mut obj = Obj::new(head);
        obj.set("index", Node::number(index, head));
        let name_node = match &name {
            Some((n, span)) => Node::string(n, *span),
            None => Node::null(head),
        };
        obj.set("name", name_node);
        obj.set("from", from.build());
        let scope = stage_ref
            .and_then(|i| self.scopes.get(i))
            .map(scope::Scope::env_only)
            .unwrap_or_default();
        self.scopes.push(scope);
        self.stages.push(Stage {
            name: name.map(|(n, _)| n),
            head,
            obj,
            instructions: Vec::new(),
        });
        Ok(())
    }

    /// A valid, unused stage name (lower-cased), as BuildKit requires.
    fn stage_name(&self, text: &str, span: Span) -> Result<String, Error> {
        let name = text.to_ascii_lowercase();
        let valid = name.starts_with(|c: char| c.is_ascii_lowercase())
            && name.chars().all(|c| {
                c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '_' | '.')
            });
        if !valid {
            return Err(Error::at(
                span,
                format!(
                    "invalid name for build stage: \"{}\", name can't start with a number or contain symbols",
                    shown(text)
                ),
            ));
        }
        if self
            .stages
            .iter()
            .any(|s| s.name.as_deref() == Some(name.as_str()))
        {
            return Err(Error::at(span, format!("duplicate stage name {name:?}")));
        }
        Ok(name)
    }

    /// The earlier stage a `FROM` image names (alias, case-insensitive, or index).
    fn stage_ref(&self, lower: &str, index: usize) -> Option<usize> {
        if let Some(i) = self
            .stages
            .iter()
            .position(|s| s.name.as_deref() == Some(lower))
        {
            return Some(i);
        }
        if lower.is_empty() || !lower.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        lower.parse::<usize>().ok().filter(|&i| i < index)
    }

    /// Explains that stage `index`'s image came from `ARG` defaults, with
    /// the place of each default.
    fn add_provenance(&mut self, index: usize, used: &[String], image_ref: Option<&ImageRef>) {
        let mut sources = Vec::new();
        let described: Vec<String> = used
            .iter()
            .map(|n| {
                let decl = self.defaults.get(n).map(|&i| &self.args[i]);
                match decl {
                    Some(a) => {
                        sources.extend(a.sources.iter().cloned());
                        format!("ARG {n} (line {})", a.line)
                    }
                    None => format!("ARG {n}"),
                }
            })
            .collect();
        let message = match described.as_slice() {
            [one] => format!("from the default of {one}"),
            [init @ .., last] => format!("from the defaults of {} and {last}", init.join(", ")),
            [] => return,
        };
        let message = Provenance {
            note: message,
            sources,
        };
        let base = |tail: &[&str]| {
            let mut p = vec![
                PathSeg::Key("stages".into()),
                PathSeg::Index(index),
                PathSeg::Key("from".into()),
            ];
            p.extend(tail.iter().map(|k| PathSeg::Key((*k).into())));
            p
        };
        self.provenance.insert(base(&["image"]), message.clone());
        if let Some(r) = image_ref {
            self.provenance.insert(base(&["ref"]), message.clone());
            let parts = [
                ("registry", r.registry.is_some()),
                ("repository", true),
                ("tag", r.tag.is_some()),
                ("digest", r.digest.is_some()),
            ];
            for (part, present) in parts {
                if present {
                    self.provenance
                        .insert(base(&["ref", part]), message.clone());
                }
            }
        }
    }

    fn finish(
        self,
        file: &Arc<SourceFile>,
        directives: &[Directive],
    ) -> Result<(Document, Vec<Error>), Error> {
        if self.stages.is_empty() {
            let (span, msg) = match self.first_arg {
                Some(span) => (
                    span,
                    "no FROM instruction: a Dockerfile needs at least one build stage",
                ),
                None => (Span::new(0, 0), "file with no instructions"),
            };
            return Err(Error::at(span, msg));
        }
        let root_span = self.stages[0].head;
        let dir_span = directives.first().map_or(root_span, |d| d.line_span);
        let entries = directives
            .iter()
            .map(|d| (d.name.clone(), Node::string(&d.value, d.value_span)));
        let dir = Node::object(dir_span, entries);
        let stages: Vec<Node> = self
            .stages
            .into_iter()
            .map(|s| {
                let mut obj = s.obj;
                obj.set("instructions", Node::array(s.head, s.instructions));
                obj.build()
            })
            .collect();
        let mut root = Obj::new(root_span);
        root.set("directives", dir);
        root.set(
            "args",
            Node::array(self.first_arg.unwrap_or(root_span), self.arg_nodes),
        );
        root.set("stages", Node::array(root_span, stages));
        root.set("commands", Node::array(root_span, self.commands));
        let root = root.build();
        let mut doc = Document::new(Kind::Dockerfile, file.clone(), root.value, root.map);
        doc.provenance = self.provenance;
        Ok((doc, self.incomplete))
    }
}

/// `from.platform`: the `--platform` value, or `null` at the stage head.
fn platform_node(h: &Head, m: &mapping::Mapping, head: Span) -> Node {
    let Some(f) = h.flags.iter().rev().find(|f| f.name == "platform") else {
        return Node::null(head);
    };
    let span = if f.name_end < f.end {
        m.span(f.name_end + 1, f.end)
    } else {
        m.span(f.start, f.end)
    };
    Node::opt_string(f.value.clone(), span)
}

/// `from.ref`: the parsed image, each part located inside the token when
/// the token is the image verbatim (no `ARG` substitution, no quotes).
fn ref_node(r: Option<&ImageRef>, token: Span, sub: Option<&dyn Fn(usize, usize) -> Span>) -> Node {
    let Some(r) = r else {
        return Node::null(token);
    };
    // Parts of a reference with variables are not laid out end to end.
    let sub = sub.filter(|_| r.unknown.is_empty());
    let at = |range: Option<(usize, usize)>| match (sub, range) {
        (Some(f), Some((a, b))) => f(a, b),
        _ => token,
    };
    let mut pos = 0;
    let registry = r.registry.as_ref().map(|g| {
        pos = g.len() + 1;
        (0, g.len())
    });
    let repository = (pos, pos + r.repository.len());
    pos = repository.1;
    let tag = r.tag.as_ref().map(|t| {
        let range = (pos + 1, pos + 1 + t.len());
        pos = range.1;
        range
    });
    let digest = r.digest.as_ref().map(|d| (pos + 1, pos + 1 + d.len()));
    let mut o = Obj::new(token);
    o.set(
        "registry",
        Node::opt_string(r.registry.clone(), at(registry)),
    );
    o.set(
        "repository",
        Node::string(&r.repository, at(Some(repository))),
    );
    o.set("tag", Node::opt_string(r.tag.clone(), at(tag)));
    o.set("digest", Node::opt_string(r.digest.clone(), at(digest)));
    if !r.unknown.is_empty() {
        let names = r.unknown.iter().map(|n| Node::string(*n, token)).collect();
        o.set("unknown", Node::array(token, names));
    }
    o.build()
}
