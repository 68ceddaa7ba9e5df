//! driftless: a policy-as-code linter and CI gate for immutable infrastructure.
//!
//! Data flow (DESIGN.md §2): [`discover`] → [`parse`] → [`engine`] (evaluate
//! and locate) → filter → [`report`]; [`scan`] runs the pipeline and [`cli`]
//! is the command line over it.

pub mod baseline;
pub mod cli;
pub mod config;
pub mod discover;
pub mod document;
pub mod engine;
pub mod finding;
pub mod fix;
pub mod gate;
pub mod lsp;
pub mod memory;
pub mod parse;
pub mod repo;
pub mod report;
pub mod rules;
pub mod scan;
pub mod suggest;
pub mod suppress;
pub mod warning;
pub mod workspace;
