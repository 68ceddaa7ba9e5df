//! Values the function families' tests are written with.

use super::super::value::Val;
use crate::document::Span;

/// A known string.
pub(super) fn s(x: &str) -> Val {
    Val::str(x, Span::default())
}

/// A value not known before apply (`var.x` without a value).
pub(super) fn unknown() -> Val {
    Val::unknown("${var.x}", Span::default())
}
