//! Container image references (`registry:5000/team/app:1.2@sha256:…`),
//! parsed once for every format.
