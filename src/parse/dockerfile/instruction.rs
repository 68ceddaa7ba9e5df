//! One instruction (other than `FROM`) to its input object: keyword, flags,
//! value, exec form, words, shell commands and heredocs, each with its span.

use super::exec_form::{self, Item};
use super::lexer::{Body, Logical};
use super::mapping::Mapping;
use super::node::{Node, Obj};
use super::shell::{self, Kind, Token};
use crate::document::Span;

/// Every instruction keyword Docker knows, lower-case.
pub const KEYWORDS: [&str; 18] = [
    "add",
    "arg",
    "cmd",
    "copy",
    "entrypoint",
    "env",
    "expose",
    "from",
    "healthcheck",
    "label",
    "maintainer",
    "onbuild",
    "run",
    "shell",
    "stopsignal",
    "user",
    "volume",
    "workdir",
];

/// Instructions whose arguments may be a JSON array.
const EXEC_CAPABLE: [&str; 8] = [
    "add",
    "cmd",
    "copy",
    "entrypoint",
    "healthcheck",
    "run",
    "shell",
    "volume",
];

/// Instructions whose arguments are a command line run by the shell.
const RUNS_COMMANDS: [&str; 4] = ["cmd", "entrypoint", "healthcheck", "run"];

/// Interpreters treated as POSIX shells (basename of argv[0]).
const SHELLS: [&str; 8] = ["sh", "bash", "ash", "dash", "zsh", "ksh", "mksh", "yash"];

/// A `--name[=value]` flag; offsets into the logical text.
#[derive(Debug, Clone)]
pub struct Flag {
    pub name: String,
    /// `None` for a bare `--flag` (reported as `true`).
    pub value: Option<String>,
    pub start: usize,
    pub end: usize,
    /// Where the name part ends (the `=`, or `end`).
    pub name_end: usize,
}

/// The parts of an instruction line every instruction shares.
#[derive(Debug, Clone)]
pub struct Head {
    /// Lower-case keyword.
    pub keyword: String,
    pub kw_start: usize,
    pub kw_end: usize,
    pub flags: Vec<Flag>,
    /// Dockerfile words after the flags.
    pub args: Vec<Token>,
    /// The argument text after the flags (trailing blanks excluded).
    pub value_start: usize,
    pub value_end: usize,
    /// The Dockerfile escape character; a backtick (Windows images) also
    /// makes backslashes literal in shell commands.
    pub escape: char,
}

/// Splits the instruction starting at `text[from..]` into keyword, flags
/// and arguments.
pub fn head(text: &str, from: usize, escape: char) -> Head {
    let rest = &text[from..];
    let kw_start = from + (rest.len() - rest.trim_start().len());
    let kw_len = text[kw_start..]
        .find(char::is_whitespace)
        .unwrap_or(text.len() - kw_start);
    let kw_end = kw_start + kw_len;
    let mut tokens = shell::words(&text[kw_end..], escape);
    for t in &mut tokens {
        t.start += kw_end;
        t.end += kw_end;
    }
    let (flags, consumed) = flags(text, &tokens);
    let args = tokens.split_off(consumed);
    let value_end = text.trim_end().len().max(kw_end);
    let value_start = args.first().map_or(value_end, |t| t.start);
    Head {
        keyword: text[kw_start..kw_end].to_ascii_lowercase(),
        kw_start,
        kw_end,
        flags,
        args,
        value_start,
        value_end,
        escape,
    }
}

/// Leading `--flag[=value]` words; a lone `--` ends them. Returns the flags
/// and how many tokens they used.
fn flags(text: &str, tokens: &[Token]) -> (Vec<Flag>, usize) {
    let mut out = Vec::new();
    for (i, t) in tokens.iter().enumerate() {
        let raw = &text[t.start..t.end];
        if raw == "--" {
            return (out, i + 1);
        }
        let Some(body) = t.text.strip_prefix("--").filter(|_| raw.starts_with("--")) else {
            return (out, i);
        };
        let (name, value) = match body.split_once('=') {
            Some((n, v)) => (n, Some(v.to_string())),
            None => (body, None),
        };
        let name_end = raw.find('=').map_or(t.end, |p| t.start + p);
        out.push(Flag {
            name: name.to_ascii_lowercase(),
            value,
            start: t.start,
            end: t.end,
            name_end,
        });
    }
    (out, tokens.len())
}

/// A heredoc announced on an instruction line (`<<EOF`, `<<-"EOF"`).
#[derive(Debug, Clone)]
pub struct Marker {
    pub delimiter: String,
    pub strip_tabs: bool,
    pub start: usize,
    pub end: usize,
}

/// A heredoc with its body.
#[derive(Debug, Clone)]
pub struct Heredoc {
    pub marker: Marker,
    pub body: Body,
}

/// The heredocs an instruction announces, found as BuildKit finds them: a
/// word `[n]<<[-]DELIM` (no space after `<<`). None for the exec form or
/// instructions other than `RUN`, `COPY` and `ADD`.
pub fn heredoc_markers(text: &str, h: &Head) -> Vec<Marker> {
    if !matches!(h.keyword.as_str(), "run" | "copy" | "add") || exec_items(text, h).is_some() {
        return Vec::new();
    }
    h.args
        .iter()
        .filter_map(|t| marker(&text[t.start..t.end], t.start, t.end))
        .collect()
}

fn marker(raw: &str, start: usize, end: usize) -> Option<Marker> {
    let rest = raw
        .trim_start_matches(|c: char| c.is_ascii_digit())
        .strip_prefix("<<")?;
    let (strip_tabs, rest) = match rest.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, rest),
    };
    if rest.is_empty() || rest.contains('<') {
        return None;
    }
    let words = shell::words(rest, '\\');
    let [word] = words.as_slice() else {
        return None;
    };
    Some(Marker {
        delimiter: word.text.clone(),
        strip_tabs,
        start,
        end,
    })
}

/// Where the command text is: the value, or after `CMD` for `HEALTHCHECK`.
fn command_start(h: &Head) -> Option<usize> {
    if h.keyword != "healthcheck" {
        return Some(h.value_start);
    }
    let first = h.args.first()?;
    if !first.text.eq_ignore_ascii_case("cmd") {
        return None;
    }
    Some(h.args.get(1).map_or(h.value_end, |t| t.start))
}

/// The JSON array, when the instruction uses the exec form.
fn exec_items(text: &str, h: &Head) -> Option<Vec<Item>> {
    if !EXEC_CAPABLE.contains(&h.keyword.as_str()) {
        return None;
    }
    let start = command_start(h)?;
    if !text[start..].starts_with('[') {
        return None;
    }
    exec_form::parse(&text[..h.value_end], start)
}

/// A simple command with spans, ready to become nodes.
pub struct Cmd {
    pub words: Vec<(String, Span)>,
    pub op: &'static str,
    pub op_span: Option<Span>,
}

impl Cmd {
    /// From the first word to the last.
    pub fn span(&self) -> Span {
        match (self.words.first(), self.words.last()) {
            (Some(a), Some(b)) => Span::new(a.1.start as usize, b.1.end as usize),
            _ => Span::default(),
        }
    }

    /// Its words from `skip` on, as an array node at the command's span.
    pub fn words_node(&self, skip: usize) -> Node {
        let words = self.words.get(skip..).unwrap_or_default();
        let items = words.iter().map(|(w, s)| Node::string(w, *s)).collect();
        Node::array(self.span(), items)
    }
}

/// Simple commands of a shell script; `span` maps script offsets to file spans.
fn script_commands(script: &str, posix: bool, span: &dyn Fn(usize, usize) -> Span) -> Vec<Cmd> {
    let tokens = shell::shell(script, posix);
    shell::commands(script, &tokens)
        .into_iter()
        .map(|c| Cmd {
            words: c
                .words
                .iter()
                .map(|&i| (tokens[i].text.clone(), span(tokens[i].start, tokens[i].end)))
                .collect(),
            op: c.op,
            op_span: c.op_token.map(|i| span(tokens[i].start, tokens[i].end)),
        })
        .collect()
}

/// The commands of every `<shell> -c 'SCRIPT'` among `cmds`, split like
/// the line and appended after it (as a heredoc script is), so rules see
/// what the shell will run: `bash -c 'apt-get install -y curl'` installs
/// `curl`. A script quoted plainly (`'…'` or `"…"` with nothing escaped) keeps
/// exact spans; otherwise each of its words is located at the whole
/// argument. Only one level: a script inside the script is not opened.
fn append_shell_scripts(cmds: &mut Vec<Cmd>, posix: bool, src: &str) {
    let scripts: Vec<(String, Span)> = cmds
        .iter()
        .filter_map(|c| {
            let args: Vec<&str> = c.words.iter().map(|w| w.0.as_str()).collect();
            script_arg(&args).map(|k| c.words[k].clone())
        })
        .collect();
    for (script, at) in scripts {
        let inner = verbatim_inside_quotes(src, at, &script);
        let span = |s: usize, e: usize| match inner {
            Some(first) => Span::new(first + s, first + e),
            None => at,
        };
        let nested = script_commands(&script, posix, &span);
        if nested.is_empty() {
            continue;
        }
        if let Some(last) = cmds.last_mut()
            && last.op.is_empty()
        {
            last.op = ";";
        }
        cmds.extend(nested);
    }
}

/// Where `script` starts in the file when its argument is written as
/// `'script'` or `"script"` with the text unchanged inside the quotes.
fn verbatim_inside_quotes(src: &str, at: Span, script: &str) -> Option<usize> {
    let written = src.get(at.start as usize..at.end as usize)?;
    let inside = written
        .strip_prefix('\'')
        .and_then(|w| w.strip_suffix('\''))
        .or_else(|| written.strip_prefix('"').and_then(|w| w.strip_suffix('"')))?;
    (inside == script).then_some(at.start as usize + 1)
}

/// Index of the script argument when `args` is `<shell> [flags] -c SCRIPT`.
fn script_arg(args: &[&str]) -> Option<usize> {
    let program = args.first()?.rsplit('/').next()?;
    if !SHELLS.contains(&program) {
        return None;
    }
    let mut k = 1;
    while let Some(a) = args.get(k) {
        if *a == "-o" || *a == "+o" {
            k += 2;
        } else if a.len() > 1 && a.starts_with(['-', '+']) && *a != "--" {
            if a[1..].contains('c') {
                return (k + 1 < args.len()).then_some(k + 1);
            }
            k += 1;
        } else {
            return None;
        }
    }
    None
}

/// `<shell> [flags]` without `-c` or a script file: it reads its script
/// from stdin (a heredoc).
fn reads_stdin(args: &[&str]) -> bool {
    let Some(program) = args.first().and_then(|a| a.rsplit('/').next()) else {
        return false;
    };
    if !SHELLS.contains(&program) {
        return false;
    }
    let mut k = 1;
    while let Some(a) = args.get(k) {
        if *a == "-o" || *a == "+o" {
            k += 2;
        } else if a.len() > 1 && a.starts_with(['-', '+']) && !a[1..].contains('c') {
            k += 1;
        } else {
            return false;
        }
    }
    true
}

/// Commands of the exec form: the script of `sh -c SCRIPT`, else the array
/// itself as one command.
fn exec_commands(items: &[Item], map: &Mapping, posix: bool) -> Vec<Cmd> {
    let args: Vec<&str> = items.iter().map(|i| i.value.as_str()).collect();
    if let Some(k) = script_arg(&args) {
        let composed = items[k].map.compose(map);
        return script_commands(&items[k].value, posix, &|s, e| composed.span(s, e));
    }
    if items.is_empty() {
        return Vec::new();
    }
    vec![Cmd {
        words: items
            .iter()
            .map(|i| (i.value.clone(), map.span(i.start, i.end)))
            .collect(),
        op: "",
        op_span: None,
    }]
}

/// Whether a heredoc body is a shell script: no shebang, or a shell one.
fn shell_body(content: &str) -> bool {
    let Some(shebang) = content.strip_prefix("#!") else {
        return true;
    };
    let line = shebang.lines().next().unwrap_or("");
    let mut parts = line.split_whitespace();
    let mut program = parts
        .next()
        .and_then(|p| p.rsplit('/').next())
        .unwrap_or("");
    if program == "env" {
        program = parts.find(|p| !p.starts_with('-')).unwrap_or("");
    }
    SHELLS.contains(&program)
}

/// Commands of a shell-form line, plus its heredoc script when the line
/// runs one (`RUN <<EOF`, `RUN bash <<EOF`).
fn shell_commands(
    l: &Logical,
    h: &Head,
    start: usize,
    heredocs: &[Heredoc],
    src: &str,
) -> Vec<Cmd> {
    let line = &l.text[start..h.value_end];
    let map = &l.map;
    let posix = h.escape == '\\';
    let mut cmds = script_commands(line, posix, &|s, e| map.span(start + s, start + e));
    append_shell_scripts(&mut cmds, posix, src);
    let [heredoc] = heredocs else {
        return cmds;
    };
    let tokens = shell::shell(line, posix);
    let only_heredoc = matches!(tokens.as_slice(), [r, w] if r.kind == Kind::Redirect
        && r.text.starts_with("<<") && w.redirect_target);
    let fed_to_shell = cmds.iter().any(|c| {
        let args: Vec<&str> = c.words.iter().map(|w| w.0.as_str()).collect();
        reads_stdin(&args)
    });
    let body = &heredoc.body;
    let script_body = only_heredoc && shell_body(&body.content);
    if !script_body && !fed_to_shell {
        return cmds;
    }
    let script = src.get(body.start..body.end).unwrap_or("");
    let body_map = Mapping::identity(body.start, script.len());
    if let Some(last) = cmds.last_mut()
        && last.op.is_empty()
    {
        last.op = ";";
    }
    cmds.extend(script_commands(script, posix, &|s, e| body_map.span(s, e)));
    cmds
}

/// Builds the input object of a non-`FROM` instruction. `trigger` is the
/// instruction an `ONBUILD` wraps; heredocs belong to the instruction that
/// announced them (the trigger, for `ONBUILD`).
pub fn build(
    l: &Logical,
    h: &Head,
    trigger: Option<&Head>,
    heredocs: &[Heredoc],
    src: &str,
) -> Node {
    build_with_commands(l, h, trigger, heredocs, src).0
}

/// [`build`], also returning the instruction's simple shell commands (for
/// `input.commands`, see [`super::analysed`]).
pub fn build_with_commands(
    l: &Logical,
    h: &Head,
    trigger: Option<&Head>,
    heredocs: &[Heredoc],
    src: &str,
) -> (Node, Vec<Cmd>) {
    let m = &l.map;
    let kw = m.span(h.kw_start, h.kw_end);
    let value_span = m.span(h.value_start, h.value_end);
    let mut o = Obj::new(kw);
    o.set("cmd", Node::string(&h.keyword, kw));
    o.set("flags", flags_node(h, m, kw));
    o.set("flag_list", flag_list_node(h, m, kw));
    o.set(
        "value",
        Node::string(&l.text[h.value_start..h.value_end], value_span),
    );
    let exec = exec_items(&l.text, h);
    o.set("exec_form", Node::bool(exec.is_some(), value_span));
    o.set("args", args_node(h, exec.as_deref(), m, value_span));
    let cmds = match (&exec, command_start(h)) {
        _ if !RUNS_COMMANDS.contains(&h.keyword.as_str()) => Vec::new(),
        (Some(items), _) => exec_commands(items, m, h.escape == '\\'),
        (None, Some(start)) => shell_commands(l, h, start, own(heredocs, trigger), src),
        (None, None) => Vec::new(),
    };
    set_commands(&mut o, &cmds, value_span);
    let own_heredocs = own(heredocs, trigger);
    let items = own_heredocs.iter().map(|d| heredoc_node(d, m)).collect();
    o.set("heredocs", Node::array(value_span, items));
    if let Some(t) = trigger {
        o.set("trigger", build(l, t, None, heredocs, src));
    }
    (o.build(), cmds)
}

/// Heredocs belong to the trigger of an `ONBUILD`, not to the `ONBUILD`.
fn own<'a>(heredocs: &'a [Heredoc], trigger: Option<&Head>) -> &'a [Heredoc] {
    if trigger.is_some() { &[] } else { heredocs }
}

fn flags_node(h: &Head, m: &Mapping, kw: Span) -> Node {
    let span = match (h.flags.first(), h.flags.last()) {
        (Some(a), Some(b)) => m.span(a.start, b.end),
        _ => kw,
    };
    let entries = h
        .flags
        .iter()
        .map(|f| (f.name.clone(), flag_value(f, m.span(f.start, f.end))));
    Node::object(span, entries)
}

fn flag_value(f: &Flag, span: Span) -> Node {
    match &f.value {
        Some(v) => Node::string(v, span),
        None => Node::bool(true, span),
    }
}

fn flag_list_node(h: &Head, m: &Mapping, kw: Span) -> Node {
    let span = h.flags.first().map_or(kw, |f| m.span(f.start, f.end));
    let items = h
        .flags
        .iter()
        .map(|f| {
            let whole = m.span(f.start, f.end);
            let value_span = if f.name_end < f.end {
                m.span(f.name_end + 1, f.end)
            } else {
                whole
            };
            let mut o = Obj::new(whole);
            o.set("name", Node::string(&f.name, m.span(f.start, f.name_end)));
            o.set("value", flag_value(f, value_span));
            o.build()
        })
        .collect();
    Node::array(span, items)
}

fn args_node(h: &Head, exec: Option<&[Item]>, m: &Mapping, value_span: Span) -> Node {
    let mut items: Vec<Node> = Vec::new();
    match exec {
        Some(exec) => {
            if h.keyword == "healthcheck"
                && let Some(cmd) = h.args.first()
            {
                items.push(Node::string(&cmd.text, m.span(cmd.start, cmd.end)));
            }
            items.extend(
                exec.iter()
                    .map(|i| Node::string(&i.value, m.span(i.start, i.end))),
            );
        }
        None => items.extend(
            h.args
                .iter()
                .map(|t| Node::string(&t.text, m.span(t.start, t.end))),
        ),
    }
    Node::array(value_span, items)
}

fn set_commands(o: &mut Obj, cmds: &[Cmd], value_span: Span) {
    let commands = cmds.iter().map(|c| c.words_node(0)).collect();
    let operators = cmds
        .iter()
        .map(|c| Node::string(c.op, c.op_span.unwrap_or_else(|| c.span())))
        .collect();
    o.set("commands", Node::array(value_span, commands));
    o.set("operators", Node::array(value_span, operators));
}

fn heredoc_node(d: &Heredoc, m: &Mapping) -> Node {
    let marker = m.span(d.marker.start, d.marker.end);
    let mut o = Obj::new(marker);
    o.set("delimiter", Node::string(&d.marker.delimiter, marker));
    o.set(
        "body",
        Node::string(&d.body.content, Span::new(d.body.start, d.body.end)),
    );
    o.build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn head_splits_keyword_flags_and_value() {
        let text = "RUN --mount=type=cache,target=/x --network=none  apt-get update ";
        let h = head(text, 0, '\\');
        assert_eq!(h.keyword, "run");
        assert_eq!(h.flags.len(), 2);
        assert_eq!(h.flags[0].name, "mount");
        assert_eq!(h.flags[0].value.as_deref(), Some("type=cache,target=/x"));
        assert_eq!(&text[h.flags[0].start..h.flags[0].name_end], "--mount");
        assert_eq!(&text[h.value_start..h.value_end], "apt-get update");
        let h = head("COPY --link -- --odd /x", 0, '\\');
        assert_eq!(h.flags[0].value, None);
        assert_eq!(h.args[0].text, "--odd");
        let h = head("CMD", 0, '\\');
        assert_eq!((h.value_start, h.value_end), (3, 3));
        assert!(h.args.is_empty());
    }

    #[test]
    fn markers_follow_buildkit() {
        let text = r#"RUN <<EOF <<-"END" 3<<X << Y cat<<Z <<'A B'"#;
        let h = head(text, 0, '\\');
        let m: Vec<_> = heredoc_markers(text, &h)
            .into_iter()
            .map(|m| (m.delimiter, m.strip_tabs))
            .collect();
        assert_eq!(
            m,
            [
                ("EOF".to_string(), false),
                ("END".to_string(), true),
                ("X".to_string(), false),
                ("A B".to_string(), false)
            ]
        );
        let text = r#"RUN ["cat", "<<EOF"]"#;
        assert!(heredoc_markers(text, &head(text, 0, '\\')).is_empty());
        let text = "ENV A=<<EOF";
        assert!(heredoc_markers(text, &head(text, 0, '\\')).is_empty());
    }

    #[test]
    fn scripts_given_to_a_shell_are_split_too() {
        let src = "RUN bash -c 'apt-get install -y curl' && sh -c \"apk add \\\"git\\\"\"";
        let mut cmds = script_commands(&src[4..], true, &|s, e| Span::new(4 + s, 4 + e));
        append_shell_scripts(&mut cmds, true, src);
        let words: Vec<Vec<&str>> = cmds
            .iter()
            .map(|c| c.words.iter().map(|w| w.0.as_str()).collect())
            .collect();
        assert_eq!(words[2], ["apt-get", "install", "-y", "curl"]);
        assert_eq!(words[3], ["apk", "add", "git"]);
        let curl = &cmds[2].words[3].1;
        assert_eq!(&src[curl.start as usize..curl.end as usize], "curl");
        // Escaped quotes inside: located at the whole argument.
        assert_eq!(cmds[3].words[2].1, cmds[1].words[2].1);
        assert_eq!(cmds[1].op, ";");
    }

    #[test]
    fn shell_detection() {
        assert_eq!(script_arg(&["sh", "-c", "x"]), Some(2));
        assert_eq!(
            script_arg(&["/bin/bash", "-o", "pipefail", "-ec", "x"]),
            Some(4)
        );
        assert_eq!(script_arg(&["sh", "-c"]), None);
        assert_eq!(script_arg(&["python", "-c", "x"]), None);
        assert_eq!(script_arg(&["sh", "script.sh"]), None);
        assert!(reads_stdin(&["bash"]));
        assert!(reads_stdin(&["sh", "-e", "-o", "pipefail"]));
        assert!(!reads_stdin(&["sh", "x.sh"]));
        assert!(!reads_stdin(&["python3"]));
        assert!(shell_body("apt-get x\n"));
        assert!(shell_body("#!/bin/bash\nx\n"));
        assert!(shell_body("#!/usr/bin/env -S bash\nx\n"));
        assert!(!shell_body("#!/usr/bin/env python3\nprint()\n"));
    }
}
