//! The suppression grammar, shared by every comment syntax and by the
//! Kubernetes annotation:
//!
//! ```text
//! driftless:ignore[TAG001,SSH003] reason text until=2027-03-31
//! ```
//!
//! Rule IDs in brackets (at least one), a free-text reason (required), and an
//! optional `until=` date after which the suppression stops working. The
//! reason may be introduced by `:` or `-`, and `until=` may appear anywhere
//! after the brackets.

use super::date::Date;

/// The marker that starts a suppression comment.
pub const MARKER: &str = "driftless:ignore";

/// A syntactically valid suppression (IDs and dates not yet checked against
/// the catalogue and the calendar).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Parsed {
    pub ids: Vec<String>,
    pub reason: String,
    pub until: Option<Date>,
}

/// Parses the text of a comment, starting after the comment marker (`#`,
/// `//`, `/*`). `None`: not a driftless comment at all. `Some(Err)`: meant
/// as a suppression but unusable, with the reason why.
pub fn parse_comment(text: &str) -> Option<Result<Parsed, String>> {
    let text = text.trim_start();
    if let Some(rest) = text.strip_prefix(MARKER) {
        return Some(parse_after_marker(rest));
    }
    near_miss(text).then(|| {
        Err(format!(
            "not a suppression: the syntax is `{MARKER}[RULE,...] reason until=YYYY-MM-DD`"
        ))
    })
}

/// `driftless-ignore`, `driftless: ignore`, `driftless:disable`…: meant as
/// a suppression, so silence would be wrong.
fn near_miss(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    let Some(rest) = lower.strip_prefix("driftless") else {
        return false;
    };
    let rest = rest.trim_start_matches([':', '-', '_', ' ', '\t']);
    rest.starts_with("ignore") || rest.starts_with("disable") || rest.starts_with("noqa")
}

fn parse_after_marker(rest: &str) -> Result<Parsed, String> {
    let rest = rest.trim_start();
    let Some(inner) = rest.strip_prefix('[') else {
        return Err(format!(
            "name the rules to suppress: `{MARKER}[TAG001] reason` (a suppression without rule IDs would hide everything)"
        ));
    };
    let Some(close) = inner.find(']') else {
        return Err("missing `]` after the rule IDs".into());
    };
    let ids = parse_ids(&inner[..close])?;
    let (reason, until) = parse_tail(&inner[close + 1..])?;
    Ok(Parsed { ids, reason, until })
}

/// Comma-separated rule IDs; also used by the annotation form.
pub fn parse_ids(list: &str) -> Result<Vec<String>, String> {
    let ids: Vec<String> = list
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    if ids.is_empty() {
        return Err("no rule IDs between `[` and `]`".into());
    }
    if let Some(bad) = ids.iter().find(|id| id.contains(char::is_whitespace)) {
        return Err(format!(
            "`{bad}` is not a rule ID (separate IDs with commas)"
        ));
    }
    Ok(ids)
}

/// The reason and `until=` date after the rule IDs; also used by the
/// annotation form.
pub fn parse_tail(tail: &str) -> Result<(String, Option<Date>), String> {
    let mut until = None;
    let mut words = Vec::new();
    for word in tail.split_whitespace() {
        match word.strip_prefix("until=") {
            Some(value) => {
                if until.is_some() {
                    return Err("`until=` given twice".into());
                }
                until = Some(Date::parse(value.trim_end_matches([',', ';', '.']))?);
            }
            None => words.push(word),
        }
    }
    let reason = words
        .join(" ")
        .trim_start_matches([':', '-', '—', '–', ' '])
        .trim()
        .to_string();
    // `<reason>` is the placeholder the editor's quick fix inserts: an
    // unedited quick fix must not silence anything.
    if reason.is_empty() || reason == "<reason>" {
        return Err(
            "missing reason: say why after the rule IDs, e.g. `driftless:ignore[TAG001] pinned by digest in CI` — without one it does not suppress"
                .into(),
        );
    }
    Ok((reason, until))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(text: &str) -> Parsed {
        parse_comment(text).expect("a directive").expect("valid")
    }

    fn err(text: &str) -> String {
        parse_comment(text)
            .expect("a directive")
            .expect_err("invalid")
    }

    #[test]
    fn parses_ids_reason_and_date() {
        let p =
            ok(" driftless:ignore[TAG001, SSH003] legacy image, replaced in Q3 until=2027-03-31");
        assert_eq!(p.ids, ["TAG001", "SSH003"]);
        assert_eq!(p.reason, "legacy image, replaced in Q3");
        assert_eq!(
            p.until.map(|d| d.to_string()).as_deref(),
            Some("2027-03-31")
        );
        let p = ok("driftless:ignore [UPD006]: base image is rebuilt nightly");
        assert_eq!(
            (p.ids.len(), p.reason.as_str(), p.until),
            (1, "base image is rebuilt nightly", None)
        );
        let p = ok("driftless:ignore[VER004] until=2030-01-01 - pinned by lockfile");
        assert_eq!(p.reason, "pinned by lockfile");
    }

    #[test]
    fn ordinary_comments_are_not_directives() {
        for text in [
            "just a comment",
            " driftless is great",
            "TODO driftless:ignore later",
        ] {
            assert_eq!(parse_comment(text), None, "{text}");
        }
    }

    #[test]
    fn explains_what_is_wrong() {
        assert!(err("driftless:ignore[TAG001]").contains("missing reason"));
        assert!(err("driftless:ignore[TAG001] until=2027-01-01").contains("missing reason"));
        assert!(err("driftless:ignore[TAG001] <reason>").contains("missing reason"));
        assert!(err("driftless:ignore legacy").contains("name the rules"));
        assert!(err("driftless:ignore[TAG001 legacy").contains("missing `]`"));
        assert!(err("driftless:ignore[] legacy").contains("no rule IDs"));
        assert!(err("driftless:ignore[TAG001 SSH003] x").contains("separate IDs"));
        assert!(err("driftless:ignore[TAG001] x until=2027-02-30").contains("not a date"));
        assert!(
            err("driftless:ignore[TAG001] x until=2027-02-01 until=2027-02-02").contains("twice")
        );
        assert!(err("driftless-ignore[TAG001] x").contains("not a suppression"));
        assert!(err("driftless: ignore TAG001").contains("not a suppression"));
    }
}
