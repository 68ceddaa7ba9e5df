//! A linear scan for HCL that cannot be valid because a bracket, string,
//! heredoc or comment is never closed, run before hcl-edit.
//!
//! Why: hcl-edit backtracks when such input fails deep inside nested
//! expressions (`a % b % {` re-parses the object after rewinding the
//! operator), so each level doubles the work: 900 bytes took 20 seconds
//! (found by fuzzing). Unclosed constructs are what makes that failure
//! reachable; rejecting them first, with the position of the opener, keeps
//! parsing linear. Closers that close nothing or the wrong bracket are
//! reported here too (the same backtracking follows them); everything else
//! (an `@`, a missing `=`) is left to hcl-edit.

/// What the scanner is inside.
enum Ctx {
    /// Expressions and bodies; `open` is the bracket that opened this level
    /// (its closer and offset), `None` at the top.
    Code { open: Option<(u8, usize)> },
    /// A quoted string opened at `at`.
    Str { at: usize },
    /// A heredoc body opened at `at`, ended by a line holding `marker`.
    Heredoc {
        marker: String,
        at: usize,
        line_start: bool,
    },
}

/// The offset and message of the first construct left open or closed by
/// the wrong bracket, if any.
pub(crate) fn unclosed(text: &str) -> Option<(usize, String)> {
    let b = text.as_bytes();
    let stack = match scan(text, vec![Ctx::Code { open: None }], heredoc) {
        Ok(stack) => stack,
        Err(found) => return found,
    };
    stack.iter().rev().find_map(|ctx| match ctx {
        Ctx::Code {
            open: Some((_, at)),
        } => {
            let c = char::from(b[*at]);
            Some((*at, format!("`{c}` is never closed")))
        }
        Ctx::Str { at } => Some((*at, "unterminated string".to_string())),
        Ctx::Heredoc { marker, at, .. } => {
            Some((*at, format!("heredoc is never closed by a `{marker}` line")))
        }
        Ctx::Code { open: None } => None,
    })
}

/// Whether a template (a `.tf.json` string, a `templatefile` file) leaves an
/// interpolation or directive open: the same backtracking waits inside
/// `${ ... }` as in native HCL.
pub(crate) fn template_unclosed(text: &str) -> bool {
    // literal text is scanned like a heredoc body whose end never comes
    let literal = Ctx::Heredoc {
        marker: String::new(),
        at: 0,
        line_start: false,
    };
    match scan(text, vec![literal], template_text) {
        Ok(stack) => stack.len() > 1,
        Err(found) => found.is_some(),
    }
}

/// Runs the scanner over `text` from `stack`, with `text_step` for the
/// literal text of heredocs (or templates). `Err` when a step decides
/// (a wrong closer), else the contexts still open at the end.
fn scan(
    text: &str,
    mut stack: Vec<Ctx>,
    text_step: fn(&str, usize, &mut Vec<Ctx>) -> Step,
) -> Result<Vec<Ctx>, Option<(usize, String)>> {
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        i = match stack.last_mut() {
            Some(Ctx::Code { open }) => code(b, i, *open, &mut stack),
            Some(Ctx::Str { at }) => {
                let at = *at;
                string(b, i, at, &mut stack)
            }
            Some(Ctx::Heredoc { .. }) => text_step(text, i, &mut stack),
            None => return Ok(stack),
        }?;
    }
    Ok(stack)
}

fn template_text(text: &str, i: usize, stack: &mut Vec<Ctx>) -> Step {
    let b = text.as_bytes();
    Ok(template_start(b, i, stack).unwrap_or_else(|| skip_to(b, i + 1, &TEXT_SPECIAL)))
}

/// `Ok(next offset)`, or `Err(result)` to stop scanning with that result.
type Step = Result<usize, Option<(usize, String)>>;

fn code(b: &[u8], i: usize, open: Option<(u8, usize)>, stack: &mut Vec<Ctx>) -> Step {
    let next = b.get(i + 1).copied();
    match (b[i], next) {
        (b'#', _) | (b'/', Some(b'/')) => Ok(line_end(b, i)),
        (b'/', Some(b'*')) => match find(b, i + 2, b"*/") {
            Some(end) => Ok(end + 2),
            None => Err(Some((i, "unterminated comment".to_string()))),
        },
        (b'"', _) => {
            stack.push(Ctx::Str { at: i });
            Ok(i + 1)
        }
        (b'<', Some(b'<')) => Ok(heredoc_start(b, i, stack).unwrap_or(i + 2)),
        (c @ (b'{' | b'[' | b'('), _) => {
            let closer = match c {
                b'{' => b'}',
                b'[' => b']',
                _ => b')',
            };
            stack.push(Ctx::Code {
                open: Some((closer, i)),
            });
            Ok(i + 1)
        }
        (c @ (b'}' | b']' | b')'), _) => match open {
            Some((closer, _)) if closer == c => {
                stack.pop();
                Ok(i + 1)
            }
            Some((closer, _)) => Err(Some((
                i,
                format!(
                    "`{}` where `{}` is expected",
                    char::from(c),
                    char::from(closer)
                ),
            ))),
            None => Err(Some((i, format!("`{}` closes nothing", char::from(c))))),
        },
        _ => Ok(skip_to(b, i + 1, &CODE_SPECIAL)),
    }
}

/// Bytes that can change the scanner's state in code.
const CODE_SPECIAL: [bool; 256] = byte_set(b"#/\"<{[()]}");
/// Bytes that can change the scanner's state in a quoted string.
const STRING_SPECIAL: [bool; 256] = byte_set(b"\\\"\n$%");
/// Bytes that can change the scanner's state in a heredoc body or a
/// template's literal text.
const TEXT_SPECIAL: [bool; 256] = byte_set(b"\n$%");

const fn byte_set(bytes: &[u8]) -> [bool; 256] {
    let mut set = [false; 256];
    let mut i = 0;
    while i < bytes.len() {
        set[bytes[i] as usize] = true;
        i += 1;
    }
    set
}

/// The offset of the next byte in `special` from `i` on (or the end): the
/// bytes between decide nothing, so they are passed over in one loop
/// instead of one scanner step each (60% of the scan's instructions).
fn skip_to(b: &[u8], i: usize, special: &[bool; 256]) -> usize {
    b.get(i..)
        .and_then(|rest| rest.iter().position(|&c| special[usize::from(c)]))
        .map_or(b.len(), |n| i + n)
}

fn string(b: &[u8], i: usize, at: usize, stack: &mut Vec<Ctx>) -> Step {
    match b[i] {
        b'\\' => Ok(i + 2),
        b'"' => {
            stack.pop();
            Ok(i + 1)
        }
        b'\n' => Err(Some((at, "unterminated string".to_string()))),
        _ => Ok(template_start(b, i, stack).unwrap_or_else(|| skip_to(b, i + 1, &STRING_SPECIAL))),
    }
}

fn heredoc(text: &str, i: usize, stack: &mut Vec<Ctx>) -> Step {
    let b = text.as_bytes();
    let Some(Ctx::Heredoc {
        marker, line_start, ..
    }) = stack.last_mut()
    else {
        return Ok(i + 1);
    };
    if *line_start {
        *line_start = false;
        let end = line_end(b, i);
        if text.get(i..end).is_some_and(|line| line.trim() == marker) {
            stack.pop();
            return Ok(end);
        }
    }
    if b[i] == b'\n' {
        *line_start = true;
        return Ok(i + 1);
    }
    Ok(template_start(b, i, stack).unwrap_or_else(|| skip_to(b, i + 1, &TEXT_SPECIAL)))
}

/// At `${` or `%{` (not `$${`/`%%{`): opens an interpolation or directive.
fn template_start(b: &[u8], i: usize, stack: &mut Vec<Ctx>) -> Option<usize> {
    let c = b[i];
    if c != b'$' && c != b'%' {
        return None;
    }
    match (b.get(i + 1), b.get(i + 2)) {
        (Some(&d), Some(b'{')) if d == c => Some(i + 3),
        (Some(b'{'), _) => {
            stack.push(Ctx::Code {
                open: Some((b'}', i + 1)),
            });
            Some(i + 2)
        }
        _ => None,
    }
}

/// At `<<EOT` or `<<-EOT` followed by a line break: opens a heredoc and
/// returns where its body starts.
fn heredoc_start(b: &[u8], i: usize, stack: &mut Vec<Ctx>) -> Option<usize> {
    let mut j = i + 2;
    if b.get(j) == Some(&b'-') {
        j += 1;
    }
    let start = j;
    while b
        .get(j)
        .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_' || *c == b'-')
    {
        j += 1;
    }
    if j == start {
        return None;
    }
    let marker = String::from_utf8_lossy(&b[start..j]).into_owned();
    if b.get(j) == Some(&b'\r') {
        j += 1;
    }
    if b.get(j) != Some(&b'\n') {
        return None;
    }
    stack.push(Ctx::Heredoc {
        marker,
        at: i,
        line_start: true,
    });
    Some(j + 1)
}

fn line_end(b: &[u8], i: usize) -> usize {
    b[i..]
        .iter()
        .position(|&c| c == b'\n')
        .map_or(b.len(), |p| i + p)
}

fn find(b: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    b.get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| from + p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_hcl_passes() {
        let ok = [
            "resource \"a\" \"b\" {\n  x = [1, (2), {a = \"}\"}]\n}\n",
            "x = \"${var.a}-${ {a = \"{\"}[\"a\"] }\"\n",
            "x = \"$${literal} %%{also} \\\" still string\"\n",
            "x = <<EOT\nunbalanced { [ ( \" in a heredoc ${var.a}\n  EOT\ny = {}\n",
            "x = <<-EOT\r\n  %{ if true }yes%{ endif }\r\n  EOT\r\n",
            "# { comment\n// [ comment\n/* ( \" */ x = 1\n",
            "x = a << b\n",
            "x = \"${\n  var.a\n}\"\n",
            "x = <<EOT\nwords EOT { [ here\nand ${var.a} more $${b} %%{c}\nEOT\n",
        ];
        for text in ok {
            assert_eq!(unclosed(text), None, "{text}");
        }
    }

    #[test]
    fn unclosed_constructs_are_found_at_their_opener() {
        let cases = [
            ("x = {\n  a = [1,\n", 12, "`[` is never closed"),
            ("x = a % {\n", 8, "`{` is never closed"),
            ("x = \"abc\ny = 1\n", 4, "unterminated string"),
            ("x = \"${var.a\n", 6, "`{` is never closed"),
            (
                "x = <<EOT\nbody\n",
                4,
                "heredoc is never closed by a `EOT` line",
            ),
            ("/* x = {", 0, "unterminated comment"),
        ];
        for (text, at, message) in cases {
            assert_eq!(unclosed(text), Some((at, message.to_string())), "{text}");
        }
        // an interpolation opened after literal text in a heredoc
        let text = "x = <<EOT\nlong literal text ${ {\nEOT\n";
        let brace = text.rfind('{').expect("a brace");
        assert_eq!(
            unclosed(text),
            Some((brace, "`{` is never closed".to_string()))
        );
        // closers that do not match are found too
        assert_eq!(
            unclosed("x = ]\ny = {\n"),
            Some((4, "`]` closes nothing".to_string()))
        );
        assert_eq!(
            unclosed("x = [1, 2}\n"),
            Some((9, "`}` where `]` is expected".to_string()))
        );
    }

    #[test]
    fn templates() {
        assert!(!template_unclosed(
            "a ${var.x} %{ if y }b%{ endif } { [ \" $${z"
        ));
        assert!(template_unclosed("a ${b % {"));
        assert!(template_unclosed("%{ if x "));
        assert!(template_unclosed("a long literal text ${ b"));
    }
}
