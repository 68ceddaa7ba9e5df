use super::prelude::*;

use winnow::ascii::till_line_ending;
use winnow::combinator::{alt, delimited, fail, peek, preceded};
use winnow::token::{any, take_until};

// driftless patch: `ws` and `sp` skip blanks byte by byte and try a
// comment only where one can start (`#` or `/`); the originals (`multispace0`
// or `space0`, then `repeat(0.., (comment, multispace0))` or the same with
// `inline_comment` and `space0`) took blanks through `take_while` on decoded
// characters and tried a comment after every run. Same result: a comment
// that fails to parse (`/` alone, an unclosed `/*`) is left unconsumed, as
// `repeat` left it, and a cut error still surfaces.

pub(super) fn ws(input: &mut Input) -> ModalResult<()> {
    skip_trivia(input, is_multispace, comment)
}

pub(super) fn sp(input: &mut Input) -> ModalResult<()> {
    skip_trivia(input, is_space, inline_comment)
}

fn is_multispace(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t')
}

/// Blanks (`blank` bytes, all ASCII) and comments, as many as follow.
fn skip_trivia(
    input: &mut Input,
    blank: fn(u8) -> bool,
    mut comment: impl FnMut(&mut Input) -> ModalResult<()>,
) -> ModalResult<()> {
    loop {
        let blanks = input.as_bytes().iter().take_while(|b| blank(**b)).count();
        input.next_slice(blanks);
        if !matches!(input.as_bytes().first(), Some(b'#' | b'/')) {
            return Ok(());
        }
        let start = input.checkpoint();
        match comment(input) {
            Ok(()) => {}
            Err(winnow::error::ErrMode::Backtrack(_)) => {
                input.reset(&start);
                return Ok(());
            }
            Err(e) => return Err(e),
        }
    }
}

fn comment(input: &mut Input) -> ModalResult<()> {
    dispatch! {peek(any);
        '#' => hash_line_comment,
        '/' => alt((double_slash_line_comment, inline_comment)),
        _ => fail,
    }
    .parse_next(input)
}

pub(super) fn line_comment(input: &mut Input) -> ModalResult<()> {
    dispatch! {peek(any);
        '#' => hash_line_comment,
        '/' => double_slash_line_comment,
        _ => fail,
    }
    .parse_next(input)
}

fn hash_line_comment(input: &mut Input) -> ModalResult<()> {
    preceded('#', till_line_ending).void().parse_next(input)
}

fn double_slash_line_comment(input: &mut Input) -> ModalResult<()> {
    preceded("//", till_line_ending).void().parse_next(input)
}

fn inline_comment(input: &mut Input) -> ModalResult<()> {
    delimited("/*", take_until(0.., "*/"), "*/")
        .void()
        .parse_next(input)
}

#[inline]
pub(super) fn void<P, I, E>(inner: P) -> impl ModalParser<I, (), E>
where
    P: ModalParser<I, (), E>,
{
    inner
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_comments() {
        let inline_comments = [
            "",
            " ",
            "/**/  ",
            "/*foo*/",
            " /* foo
                bar
                */  /* baz */\t",
        ];

        let multiline_comments = [
            "# foo
                # bar",
            "
            /* foo
                bar
                */  # baz */",
            "
                // foo #
                // bar /*
                # baz",
        ];

        for input in inline_comments {
            let parsed = sp.parse(new_input(input));
            assert!(parsed.is_ok(), "expected `{input}` to parse correctly");
        }

        for input in multiline_comments {
            let parsed = sp.parse(new_input(input));
            assert!(parsed.is_err(), "expected parse error for `{input}`");
        }

        for input in inline_comments.iter().chain(multiline_comments.iter()) {
            let parsed = ws.parse(new_input(input));
            assert!(parsed.is_ok(), "expected `{input}` to parse correctly");
        }
    }
}
