//! Word splitting, done once so rules never re-implement it.
//!
//! Two tokenizers share one scanner:
//! - [`words`]: Dockerfile words (how BuildKit splits `EXPOSE`, `ENV`, `COPY`
//!   arguments): whitespace-separated, quotes removed, the Dockerfile escape
//!   character honoured, `$VAR`/`${…}` kept as written.
//! - [`shell`]: POSIX shell tokens for `RUN`/`CMD`/`ENTRYPOINT` and heredoc
//!   scripts: quotes and backslashes removed, `$(…)`, `${…}` and backticks
//!   kept whole inside their word, operators (`&&`, `||`, `;`, `|`, `&`,
//!   newline, parentheses) and redirections (`>`, `2>&1`, `<<EOF`) as their
//!   own tokens, `#` comments skipped.
//!
//! [`commands`] then groups shell tokens into simple commands (argv only).
//!
//! Every token keeps the byte range of its raw text (quotes included) so
//! the caller can map it to the file. Scanning is iterative and linear:
//! nesting is tracked on a heap stack, never by recursion.

/// What a token is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A word (quotes removed in `text`).
    Word,
    /// A control operator: `&&`, `||`, `;`, `|`, `&`.
    Operator,
    /// A newline (heredoc scripts): ends a command like `;`.
    Newline,
    /// `(` or `)`: ends a command without an operator of its own.
    Paren,
    /// A redirection operator with its fd prefix (`>`, `2>`, `>>`, `<<`,
    /// `<<-`, `&>`); the next word is its target.
    Redirect,
}

/// One token with its raw byte range in the scanned text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token {
    pub kind: Kind,
    /// The word after quote removal, or the operator.
    pub text: String,
    pub start: usize,
    pub end: usize,
    /// Some part of the word was quoted or escaped (so `"if"` is not a
    /// reserved word).
    pub quoted: bool,
    /// The word is the target of the preceding redirection.
    pub redirect_target: bool,
}

/// Nesting contexts whose contents are kept raw inside a word.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Ctx {
    Paren,
    Brace,
    Double,
    Backtick,
}

/// The index just past the construct opened at `open` (`$(` / `$((` at the
/// `(`, `${` at the `{`, a backtick, or a `"`), or the end of the text when
/// it is never closed.
fn skip_nested(b: &[u8], open: usize, first: Ctx) -> usize {
    let mut stack = vec![first];
    let mut j = open + 1;
    while j < b.len() {
        let Some(&top) = stack.last() else { break };
        let c = b[j];
        let next = b.get(j + 1).copied();
        match (top, c) {
            (_, b'\\') => {
                j += 2;
                continue;
            }
            (Ctx::Double, b'"')
            | (Ctx::Backtick, b'`')
            | (Ctx::Paren, b')')
            | (Ctx::Brace, b'}') => {
                stack.pop();
            }
            (Ctx::Backtick, _) => {}
            (_, b'$') if next == Some(b'(') => {
                stack.push(Ctx::Paren);
                j += 1;
            }
            (_, b'$') if next == Some(b'{') => {
                stack.push(Ctx::Brace);
                j += 1;
            }
            (_, b'`') => stack.push(Ctx::Backtick),
            (Ctx::Double, _) => {}
            (_, b'"') => stack.push(Ctx::Double),
            (_, b'\'') => {
                j = b[j + 1..]
                    .iter()
                    .position(|&x| x == b'\'')
                    .map_or(b.len(), |p| j + 1 + p);
            }
            (Ctx::Paren, b'(') => stack.push(Ctx::Paren),
            _ => {}
        }
        j += 1;
        if stack.is_empty() {
            return j.min(b.len());
        }
    }
    b.len()
}

fn is_blank(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\r' | 0x0b | 0x0c)
}

/// Dockerfile words of `s`: see the module documentation.
pub fn words(s: &str, escape: char) -> Vec<Token> {
    let b = s.as_bytes();
    let esc = escape as u8;
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i].is_ascii_whitespace() || is_blank(b[i]) {
            i += 1;
            continue;
        }
        let start = i;
        let mut text = Vec::new();
        let mut quoted = false;
        while i < b.len() && !(b[i].is_ascii_whitespace() || is_blank(b[i])) {
            let c = b[i];
            if c == esc {
                quoted = true;
                match b.get(i + 1) {
                    Some(&n) => text.push(n),
                    None => text.push(c),
                }
                i += 2;
            } else if c == b'\'' {
                quoted = true;
                let close = b[i + 1..].iter().position(|&x| x == b'\'');
                let end = close.map_or(b.len(), |p| i + 1 + p);
                text.extend_from_slice(&b[i + 1..end]);
                i = end + 1;
            } else if c == b'"' {
                quoted = true;
                i = double_quoted(b, i + 1, esc, &mut text);
            } else if c == b'$' && b.get(i + 1) == Some(&b'{') {
                let end = skip_nested(b, i + 1, Ctx::Brace);
                text.extend_from_slice(&b[i..end]);
                i = end;
            } else {
                text.push(c);
                i += 1;
            }
        }
        let end = i.min(b.len());
        out.push(word(text, start, end, quoted));
    }
    out
}

/// Copies a `$(...)` or `${...}` starting at `i` (the `$`) into `text`
/// unchanged, nesting and quotes included; returns the index after it.
fn copy_expansion(b: &[u8], i: usize, text: &mut Vec<u8>) -> usize {
    let ctx = if b[i + 1] == b'(' {
        Ctx::Paren
    } else {
        Ctx::Brace
    };
    let end = skip_nested(b, i + 1, ctx);
    text.extend_from_slice(&b[i..end]);
    end
}

/// Copies a double-quoted string's content (from just after the opening
/// quote) with escapes of `"`, `$`, the escape character and newline
/// removed; returns the index after the closing quote.
fn double_quoted(b: &[u8], mut i: usize, esc: u8, text: &mut Vec<u8>) -> usize {
    while i < b.len() {
        let c = b[i];
        match c {
            b'"' => return i + 1,
            _ if c == esc => match b.get(i + 1) {
                Some(&n) if n == b'"' || n == b'$' || n == esc || n == b'`' => {
                    text.push(n);
                    i += 2;
                }
                Some(b'\n') => i += 2,
                _ => {
                    text.push(c);
                    i += 1;
                }
            },
            b'$' if matches!(b.get(i + 1), Some(b'(' | b'{')) => {
                i = copy_expansion(b, i, text);
            }
            b'`' if esc != b'`' => {
                let end = skip_nested(b, i, Ctx::Backtick);
                text.extend_from_slice(&b[i..end]);
                i = end;
            }
            _ => {
                text.push(c);
                i += 1;
            }
        }
    }
    b.len()
}

fn word(text: Vec<u8>, start: usize, end: usize, quoted: bool) -> Token {
    Token {
        kind: Kind::Word,
        // Only ASCII bytes were removed, so the text stays valid UTF-8.
        text: String::from_utf8(text)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()),
        start,
        end,
        quoted,
        redirect_target: false,
    }
}

fn op(kind: Kind, text: &str, start: usize, end: usize) -> Token {
    Token {
        kind,
        text: text.to_owned(),
        start,
        end,
        quoted: false,
        redirect_target: false,
    }
}

/// The length of the redirection operator at `i` (a `<` or `>`, or `&>`).
fn redirect_len(b: &[u8], i: usize) -> usize {
    let rest = &b[i..];
    for candidate in [
        &b"&>>"[..],
        b"&>",
        b"<<<",
        b"<<-",
        b"<<",
        b"<>",
        b"<&",
        b">>",
        b">&",
        b">|",
        b"<",
        b">",
    ] {
        if rest.starts_with(candidate) {
            return candidate.len();
        }
    }
    1
}

/// The length of a backslash-newline (LF or CRLF) at `i`, or 0.
fn continuation_len(b: &[u8], i: usize) -> usize {
    match (b.get(i), b.get(i + 1), b.get(i + 2)) {
        (Some(b'\\'), Some(b'\n'), _) => 2,
        (Some(b'\\'), Some(b'\r'), Some(b'\n')) => 3,
        _ => 0,
    }
}

/// POSIX shell tokens of `s` (see the module documentation); with
/// `backslash_escapes` off a backslash is an ordinary character (Windows
/// images, whose Dockerfiles select the backtick escape and whose paths are
/// `C:\dir`).
pub fn shell(s: &str, backslash_escapes: bool) -> Vec<Token> {
    let b = s.as_bytes();
    let mut out: Vec<Token> = Vec::new();
    let mut target_next = false;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let next = b.get(i + 1).copied();
        let start = i;
        match c {
            _ if is_blank(c) => i += 1,
            b'\\' if backslash_escapes && continuation_len(b, i) > 0 => i += continuation_len(b, i),
            b'\n' => {
                out.push(op(Kind::Newline, "\n", i, i + 1));
                target_next = false;
                i += 1;
            }
            b'#' => {
                i = b[i..]
                    .iter()
                    .position(|&x| x == b'\n')
                    .map_or(b.len(), |p| i + p);
            }
            b'&' if next == Some(b'>') => {
                i += redirect_len(b, i);
                out.push(op(Kind::Redirect, &s[start..i], start, i));
                target_next = true;
            }
            b'<' | b'>' => {
                i += redirect_len(b, i);
                out.push(op(Kind::Redirect, &s[start..i], start, i));
                target_next = true;
            }
            b'&' | b'|' | b';' => {
                let (text, len) = match (c, next) {
                    (b'&', Some(b'&')) => ("&&", 2),
                    (b'|', Some(b'|')) => ("||", 2),
                    (b'|', Some(b'&')) => ("|", 2),
                    (b';', Some(b';')) => (";", 2),
                    (b'&', _) => ("&", 1),
                    (b'|', _) => ("|", 1),
                    _ => (";", 1),
                };
                i += len;
                out.push(op(Kind::Operator, text, start, i));
                target_next = false;
            }
            b'(' | b')' => {
                i += 1;
                out.push(op(Kind::Paren, &s[start..i], start, i));
                target_next = false;
            }
            _ => {
                let (mut tok, end) = shell_word(b, i, backslash_escapes);
                i = end;
                let digits = tok.text.bytes().all(|d| d.is_ascii_digit()) && !tok.quoted;
                if digits && matches!(b.get(i), Some(b'<' | b'>')) {
                    i += redirect_len(b, i);
                    out.push(op(Kind::Redirect, &s[start..i], start, i));
                    target_next = true;
                } else {
                    tok.redirect_target = std::mem::take(&mut target_next);
                    out.push(tok);
                }
            }
        }
    }
    out
}

/// Reads one shell word starting at `i`; returns it and the index after it.
fn shell_word(b: &[u8], mut i: usize, backslash_escapes: bool) -> (Token, usize) {
    let start = i;
    let esc = if backslash_escapes { b'\\' } else { 0 };
    let mut text = Vec::new();
    let mut quoted = false;
    while i < b.len() {
        let c = b[i];
        match c {
            _ if is_blank(c) => break,
            b'\n' | b';' | b'&' | b'|' | b'(' | b')' | b'<' | b'>' => break,
            b'\\' if esc == 0 => {
                text.push(c);
                i += 1;
            }
            b'\\' if continuation_len(b, i) > 0 => i += continuation_len(b, i),
            b'\\' => {
                quoted = true;
                text.push(b.get(i + 1).copied().unwrap_or(c));
                i += 2;
            }
            b'\'' => {
                quoted = true;
                let close = b[i + 1..].iter().position(|&x| x == b'\'');
                let end = close.map_or(b.len(), |p| i + 1 + p);
                text.extend_from_slice(&b[i + 1..end]);
                i = end + 1;
            }
            b'"' => {
                quoted = true;
                i = double_quoted(b, i + 1, esc, &mut text);
            }
            b'`' => {
                let end = skip_nested(b, i, Ctx::Backtick);
                text.extend_from_slice(&b[i..end]);
                i = end;
            }
            b'$' if matches!(b.get(i + 1), Some(b'(' | b'{')) => {
                i = copy_expansion(b, i, &mut text);
            }
            _ => {
                text.push(c);
                i += 1;
            }
        }
    }
    let end = i.min(b.len());
    (word(text, start, end, quoted), end)
}

/// A simple command: indexes of its argv words in the token list, and the
/// operator that follows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Command {
    pub words: Vec<usize>,
    /// `&&`, `||`, `;`, `|`, `&`, or `""` when nothing follows.
    pub op: &'static str,
    /// The operator token, when it is a real operator in the text.
    pub op_token: Option<usize>,
}

/// Words that open a compound command or negate one: skipped at the start
/// of a command so `if apt-get update; then apt-get install x; fi` yields
/// the `apt-get` commands.
const PREFIX_WORDS: [&str; 8] = ["if", "then", "else", "elif", "do", "while", "until", "!"];
/// Words that only close a compound command.
const CLOSING_WORDS: [&str; 4] = ["fi", "done", "esac", "}"];

/// `NAME=value` at the start of a command is an assignment, not argv.
fn is_assignment(raw: &str) -> bool {
    let Some((name, _)) = raw.split_once('=') else {
        return false;
    };
    name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Groups shell tokens into simple commands (argv only: leading
/// assignments, redirections and their targets, and compound-command
/// keywords are left out). `s` is the text the tokens were scanned from.
pub fn commands(s: &str, tokens: &[Token]) -> Vec<Command> {
    let mut out: Vec<Command> = Vec::new();
    let mut cur: Vec<usize> = Vec::new();
    for (idx, t) in tokens.iter().enumerate() {
        match t.kind {
            Kind::Word => {
                if t.redirect_target {
                    continue;
                }
                let raw = s.get(t.start..t.end).unwrap_or("");
                let prefix = !t.quoted && PREFIX_WORDS.contains(&t.text.as_str());
                if cur.is_empty() && (prefix || (t.text.contains('=') && is_assignment(raw))) {
                    continue;
                }
                cur.push(idx);
            }
            Kind::Redirect => {}
            Kind::Operator => finish(&mut out, &mut cur, tokens, operator(&t.text), idx),
            Kind::Newline => finish_weak(&mut out, &mut cur, tokens, ";"),
            Kind::Paren => finish_weak(&mut out, &mut cur, tokens, ""),
        }
    }
    finish_weak(&mut out, &mut cur, tokens, "");
    out
}

fn operator(text: &str) -> &'static str {
    match text {
        "&&" => "&&",
        "||" => "||",
        "|" => "|",
        "&" => "&",
        _ => ";",
    }
}

/// Ends the current command at a real operator; an empty command hands the
/// operator to the previous one (`(a && b) | c`: `b` is piped).
fn finish(
    out: &mut Vec<Command>,
    cur: &mut Vec<usize>,
    tokens: &[Token],
    op: &'static str,
    op_token: usize,
) {
    if take_command(out, cur, tokens, op, Some(op_token)) {
        return;
    }
    if let Some(last) = out.last_mut() {
        last.op = op;
        last.op_token = Some(op_token);
    }
}

/// Ends the current command at a newline or parenthesis, which never
/// overrides an operator already seen (`a &&` newline `b`).
fn finish_weak(out: &mut Vec<Command>, cur: &mut Vec<usize>, tokens: &[Token], op: &'static str) {
    take_command(out, cur, tokens, op, None);
}

/// Moves `cur` into `out` unless it is empty or only closes a compound
/// command; returns whether a command was added.
fn take_command(
    out: &mut Vec<Command>,
    cur: &mut Vec<usize>,
    tokens: &[Token],
    op: &'static str,
    op_token: Option<usize>,
) -> bool {
    let words = std::mem::take(cur);
    let closing = words.len() == 1
        && tokens
            .get(words[0])
            .is_some_and(|t| !t.quoted && CLOSING_WORDS.contains(&t.text.as_str()));
    if words.is_empty() || closing {
        return false;
    }
    out.push(Command {
        words,
        op,
        op_token,
    });
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(tokens: &[Token]) -> Vec<&str> {
        tokens.iter().map(|t| t.text.as_str()).collect()
    }

    fn cmds(s: &str) -> (Vec<Vec<String>>, Vec<&'static str>) {
        let toks = shell(s, true);
        let cs = commands(s, &toks);
        (
            cs.iter()
                .map(|c| c.words.iter().map(|&i| toks[i].text.clone()).collect())
                .collect(),
            cs.iter().map(|c| c.op).collect(),
        )
    }

    #[test]
    fn dockerfile_words() {
        let t = words("22  80/tcp", '\\');
        assert_eq!(texts(&t), ["22", "80/tcp"]);
        assert_eq!((t[1].start, t[1].end), (4, 10));
        let t = words(r#"A="b c" D='e f' g\ h ${X:-a b}"#, '\\');
        assert_eq!(texts(&t), ["A=b c", "D=e f", "g h", "${X:-a b}"]);
        let t = words(r#"C:\dir "a`"b""#, '`');
        assert_eq!(texts(&t), [r"C:\dir", r#"a"b"#]);
        assert_eq!(texts(&words(" \t", '\\')), Vec::<&str>::new());
    }

    #[test]
    fn quotes_and_substitutions_stay_inside_words() {
        let s = r#"echo "a b" 'c d' e\ f $(cat "x y") `g h` ${I:-j k} "$(k "l")""#;
        let t = shell(s, true);
        assert_eq!(
            texts(&t),
            [
                "echo",
                "a b",
                "c d",
                "e f",
                r#"$(cat "x y")"#,
                "`g h`",
                "${I:-j k}",
                r#"$(k "l")"#
            ]
        );
        assert_eq!(&s[t[1].start..t[1].end], "\"a b\"");
    }

    #[test]
    fn operators_and_redirections() {
        let s = "a&&b||c;d|e&f 2>&1 >/dev/null <<EOF &>x";
        let t = shell(s, true);
        let kinds: Vec<_> = t
            .iter()
            .map(|t| (t.kind, t.text.as_str(), t.redirect_target))
            .collect();
        use Kind::*;
        assert_eq!(
            kinds,
            [
                (Word, "a", false),
                (Operator, "&&", false),
                (Word, "b", false),
                (Operator, "||", false),
                (Word, "c", false),
                (Operator, ";", false),
                (Word, "d", false),
                (Operator, "|", false),
                (Word, "e", false),
                (Operator, "&", false),
                (Word, "f", false),
                (Redirect, "2>&", false),
                (Word, "1", true),
                (Redirect, ">", false),
                (Word, "/dev/null", true),
                (Redirect, "<<", false),
                (Word, "EOF", true),
                (Redirect, "&>", false),
                (Word, "x", true),
            ]
        );
    }

    #[test]
    fn simple_commands() {
        let (c, o) = cmds("apt-get update && apt-get install -y curl > /dev/null 2>&1");
        assert_eq!(
            c,
            [
                vec!["apt-get", "update"],
                vec!["apt-get", "install", "-y", "curl"]
            ]
        );
        assert_eq!(o, ["&&", ""]);
        let (c, o) = cmds("curl -fsSL https://x | sh -");
        assert_eq!(c, [vec!["curl", "-fsSL", "https://x"], vec!["sh", "-"]]);
        assert_eq!(o, ["|", ""]);
    }

    #[test]
    fn assignments_keywords_and_groups() {
        let (c, _) = cmds("DEBIAN_FRONTEND=noninteractive apt-get install -y x");
        assert_eq!(c, [vec!["apt-get", "install", "-y", "x"]]);
        let (c, o) = cmds("if true; then apt-get upgrade; else echo \"if\"; fi && done_x");
        assert_eq!(
            c,
            [
                vec!["true"],
                vec!["apt-get", "upgrade"],
                vec!["echo", "if"],
                vec!["done_x"]
            ]
        );
        assert_eq!(o, [";", ";", "&&", ""]);
        let (c, o) = cmds("(cd /x && make) | tee log");
        assert_eq!(c, [vec!["cd", "/x"], vec!["make"], vec!["tee", "log"]]);
        assert_eq!(o, ["&&", "|", ""]);
        let (c, o) = cmds("a &&\nb\n# comment && c\nd # e\n");
        assert_eq!(c, [vec!["a"], vec!["b"], vec!["d"]]);
        assert_eq!(o, ["&&", ";", ";"]);
    }

    #[test]
    fn windows_backslashes_are_literal() {
        let t = shell(r#"copy C:\src\a "C:\dst\" && dir"#, false);
        assert_eq!(texts(&t), [r"copy", r"C:\src\a", r"C:\dst\", "&&", "dir"]);
    }

    #[test]
    fn line_continuation_in_scripts() {
        let (c, _) = cmds("apt-get install \\\n  curl\n");
        assert_eq!(c, [vec!["apt-get", "install", "curl"]]);
    }

    #[test]
    fn unterminated_constructs_do_not_panic() {
        for s in [
            "'abc", "\"abc", "$(abc", "${abc", "`abc", "a\\", "\"$(\"", "2>", "<<", "$((1<<2",
        ] {
            let t = shell(s, true);
            let _ = commands(s, &t);
            let _ = words(s, '\\');
            let _ = words(s, '`');
        }
        let (c, _) = cmds("echo $((1<<2))");
        assert_eq!(c, [vec!["echo", "$((1<<2))"]]);
    }
}
