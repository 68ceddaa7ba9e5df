//! driftless: a policy-as-code linter and CI gate for immutable infrastructure.
//!
//! Data flow (DESIGN.md §2): [`discover`] → [`parse`] → [`engine`] (evaluate
//! and locate) → filter → [`report`].

pub mod document;
pub mod parse;
