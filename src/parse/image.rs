//! Container image references (`registry:5000/team/app:1.2@sha256:…`),
//! parsed once for every format.

use serde::Serialize;

/// A parsed image reference. TEMPORARY stub until the parser lands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ImageRef {
    pub registry: Option<String>,
    pub repository: String,
    pub tag: Option<String>,
    pub digest: Option<String>,
}

/// Parses an image reference. TEMPORARY stub.
pub fn parse(reference: &str) -> Option<ImageRef> {
    let _ = reference;
    None
}
