//! Development tools for driftless, kept out of the published crate: a
//! `cargo install driftless` builds none of this.
//!
//! - [`corpus`]: `gen-corpus`, the deterministic synthetic repository the
//!   benchmarks (BENCHMARKS.md, `scripts/bench.sh`) and the VM/interpreter
//!   equivalence test scan.

pub mod corpus;
