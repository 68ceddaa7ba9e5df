//! Values the function families' tests are written with.

use super::super::value::Val;
use super::{Fail, R};
use crate::document::Span;

/// A function family's `call`.
pub(super) type Family = fn(&str, &[Val], Span) -> Option<R>;

/// `name(args)` in `family`, as JSON, or its failure.
pub(super) fn run_in(family: Family, name: &str, args: &[Val]) -> Result<serde_json::Value, Fail> {
    family(name, args, Span::default())
        .expect("a function of this family")
        .map(|v| v.to_json())
}

/// `name(args)` in `family`, as JSON; the test fails when it fails.
pub(super) fn ok_in(family: Family, name: &str, args: &[Val]) -> serde_json::Value {
    run_in(family, name, args).unwrap_or_else(|e| panic!("{name}: {e:?}"))
}

/// A known string.
pub(super) fn s(x: &str) -> Val {
    Val::str(x, Span::default())
}

/// A value not known before apply (`var.x` without a value).
pub(super) fn unknown() -> Val {
    Val::unknown("${var.x}", Span::default())
}
