//! `file://` URIs to paths and back. Editors name documents by URI; the
//! scan pipeline, file classification and Terraform module assembly work on
//! paths.

use std::path::{Path, PathBuf};

/// The local path of a `file:` URI (`file:///a/b%20c.tf` → `/a/b c.tf`;
/// `file:///C:/x` → `C:/x`). `None` for other schemes (`untitled:`) or
/// remote hosts: such buffers are linted by their language only.
pub fn to_path(uri: &str) -> Option<PathBuf> {
    let rest = uri.strip_prefix("file://")?;
    let (host, path) = match rest.find('/') {
        Some(i) => rest.split_at(i),
        None => return None,
    };
    if !host.is_empty() && !host.eq_ignore_ascii_case("localhost") {
        return None;
    }
    let path = path.split(['?', '#']).next().unwrap_or(path);
    let decoded = percent_decode(path)?;
    let bytes = decoded.as_bytes();
    let windows_drive =
        bytes.len() >= 3 && bytes[0] == b'/' && bytes[1].is_ascii_alphabetic() && bytes[2] == b':';
    Some(PathBuf::from(if windows_drive {
        &decoded[1..]
    } else {
        &decoded[..]
    }))
}

/// The `file:` URI of an absolute path, percent-encoding everything but
/// unreserved characters and `/` (the form editors send).
pub fn from_path(path: &Path) -> String {
    let text = path.to_string_lossy().replace('\\', "/");
    let bytes = text.as_bytes();
    let drive = bytes.len() >= 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':';
    let (mut out, rest) = if drive {
        (format!("file:///{}", &text[..2]), &text[2..])
    } else if text.starts_with('/') {
        ("file://".to_string(), &text[..])
    } else {
        ("file:///".to_string(), &text[..])
    };
    for b in rest.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_uris_become_paths() {
        assert_eq!(
            to_path("file:///work/infra/main%20x.tf"),
            Some(PathBuf::from("/work/infra/main x.tf"))
        );
        assert_eq!(
            to_path("file://localhost/a/%C3%BC.yaml"),
            Some(PathBuf::from("/a/ü.yaml"))
        );
        assert_eq!(
            to_path("file:///c%3A/repo/Dockerfile"),
            Some(PathBuf::from("c:/repo/Dockerfile"))
        );
        assert_eq!(to_path("untitled:Untitled-1"), None);
        assert_eq!(to_path("file://server/share/x.tf"), None);
        assert_eq!(to_path("file:///bad%zz"), None);
    }

    #[test]
    fn paths_round_trip() {
        let p = Path::new("/tmp/a b/ü#1.tf");
        let uri = from_path(p);
        assert_eq!(uri, "file:///tmp/a%20b/%C3%BC%231.tf");
        assert_eq!(to_path(&uri).as_deref(), Some(p));
    }
}
