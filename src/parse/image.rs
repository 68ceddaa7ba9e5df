//! Container image references (`registry:5000/team/app:1.2@sha256:…`),
//! parsed once for every format.
//!
//! Every format names images the same way (Dockerfile `FROM`, Kubernetes
//! `image:`, Terraform `image = …`), and the rules that judge tags and
//! digests must agree on what the tag *is*. The classic trap is
//! `registry.example:5000/app`: the `:5000` is a port, so the image has no
//! tag at all. This module is the one place that knows.
//!
//! Decisions (documented in `docs/input-dockerfile.md`):
//! - Leading/trailing whitespace is trimmed; whitespace or control characters
//!   inside the reference make it unparseable.
//! - A reference may still hold unresolved variables (`${var.registry}`,
//!   `$TAG`, `${TAG:-1}`, Terraform `%{…}`): an unknown part hides only what
//!   it covers. What is literal after the last `/` stays decidable:
//!   `${x}:latest` has the tag `latest` and no digest, `${x}/app` has
//!   neither; `app:${t}` has an unknown tag and possibly a digest. An
//!   unknown part holds the text it may come from, as written, and its name
//!   is listed in `unknown` (so `tag == null` still means "known absent").
//! - Parts are kept as written: `nginx` stays `nginx` (not
//!   `docker.io/library/nginx`), an explicit `docker.io/` stays in
//!   `registry`. Case is kept too; uppercase is accepted (Docker would
//!   refuse to pull it, but a linter should still see the tag).
//! - The first path component is a registry when it contains `.` or `:`,
//!   is `localhost`, or contains an uppercase letter — Docker's own rule.
//! - Structure is checked: empty components, a bad tag, a malformed digest
//!   (`sha256` needs 64 hex digits) or a bad port give `None`.

use serde::Serialize;

/// The parts of an image reference, as written. Serialises to
/// `{"registry":…, "repository":…, "tag":…, "digest":…}` with `null` for
/// absent parts, which is the shape Rego rules (and the Rego builtin the
/// engine exposes) see.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct ImageRef {
    /// Registry host with its port (`registry.example:5000`, `ghcr.io`);
    /// `None` when the reference relies on the implicit Docker Hub.
    pub registry: Option<String>,
    /// The repository path as written (`nginx`, `team/app`,
    /// `library/nginx`).
    pub repository: String,
    /// The tag (`latest`, `1.25`), `None` when the reference has none
    /// (Docker then pulls `latest`).
    pub tag: Option<String>,
    /// The content digest (`sha256:…`), `None` when not pinned.
    pub digest: Option<String>,
    /// Parts (`registry`, `repository`, `tag`, `digest`) an unresolved
    /// variable hides: their value is the text they may come from. Left out
    /// of the JSON when empty, so literal references keep their shape.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unknown: Vec<&'static str>,
}

/// Longest registry + repository Docker accepts.
const MAX_NAME_LEN: usize = 255;
/// Longest tag Docker accepts.
const MAX_TAG_LEN: usize = 128;

/// Parses an image reference; `None` for empty text or garbage. Unresolved
/// variables leave the parts they cover unknown (see the module doc). Pure
/// function: the same text always gives the same answer, so it can back a
/// Rego builtin.
pub fn parse(reference: &str) -> Option<ImageRef> {
    let s = reference.trim();
    if s.contains(['$', '%']) {
        return parse_template(&mask(s)?);
    }
    if s.is_empty() || s.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return None;
    }
    let (name_tag, digest) = match s.split_once('@') {
        Some((n, d)) => (n, Some(valid_digest(d)?)),
        None => (s, None),
    };
    let (name, tag) = split_tag(name_tag)?;
    if name.len() > MAX_NAME_LEN {
        return None;
    }
    let (registry, repository) = split_registry(name);
    if let Some(r) = registry {
        valid_registry(r).then_some(())?;
    }
    valid_repository(repository).then_some(())?;
    Some(ImageRef {
        registry: registry.map(str::to_owned),
        repository: repository.to_owned(),
        tag: tag.map(str::to_owned),
        digest: digest.map(str::to_owned),
        unknown: Vec::new(),
    })
}

/// Stands for one unresolved variable in a masked reference: a control
/// character, which no literal reference may contain.
const HOLE: char = '\u{1}';

/// A reference whose variables are each replaced by one [`HOLE`], with the
/// variables' text in order (to give unknown parts back as written).
struct Masked {
    text: String,
    holes: Vec<String>,
}

impl Masked {
    /// The original text of `self.text[start..end]`, variables restored.
    fn unmask(&self, start: usize, end: usize) -> String {
        let mut hole = self.text[..start].matches(HOLE).count();
        let mut out = String::new();
        for c in self.text[start..end].chars() {
            if c == HOLE {
                out.push_str(&self.holes[hole]);
                hole += 1;
            } else {
                out.push(c);
            }
        }
        out
    }
}

/// Replaces `${…}` / `%{…}` (braces and quoted strings balanced) and
/// `$NAME` with holes. `None` for an unterminated variable, whitespace or a
/// control character outside variables, or no variable at all.
fn mask(s: &str) -> Option<Masked> {
    let bytes = s.as_bytes();
    let (mut text, mut holes, mut i) = (String::new(), Vec::new(), 0);
    while i < bytes.len() {
        let end = match (bytes[i], bytes.get(i + 1)) {
            (b'$' | b'%', Some(b'{')) => Some(closing_brace(bytes, i + 2)? + 1),
            (b'$', Some(c)) if c.is_ascii_alphabetic() || *c == b'_' => Some(
                i + 1
                    + bytes[i + 1..]
                        .iter()
                        .take_while(|c| c.is_ascii_alphanumeric() || **c == b'_')
                        .count(),
            ),
            _ => None,
        };
        match end {
            Some(end) => {
                holes.push(s[i..end].to_owned());
                text.push(HOLE);
                i = end;
            }
            None => {
                let c = s[i..].chars().next()?;
                if c.is_whitespace() || c.is_control() {
                    return None;
                }
                text.push(c);
                i += c.len_utf8();
            }
        }
    }
    (!holes.is_empty()).then_some(Masked { text, holes })
}

/// Index of the `}` closing a variable whose body starts at `from`.
fn closing_brace(bytes: &[u8], from: usize) -> Option<usize> {
    let (mut depth, mut quoted, mut i) = (0usize, false, from);
    while i < bytes.len() {
        match (bytes[i], quoted) {
            (b'\\', true) => i += 1,
            (b'"', _) => quoted = !quoted,
            (b'{', false) => depth += 1,
            (b'}', false) if depth == 0 => return Some(i),
            (b'}', false) => depth -= 1,
            _ => {}
        }
        i += 1;
    }
    None
}

/// One part of a reference with variables: known (present or absent) or
/// hidden by a variable (with the text it may come from).
enum Part {
    Known(Option<String>),
    Unknown(String),
}

/// Parses a masked reference: literal parts are checked as in [`parse`],
/// parts that hold a variable are unknown.
fn parse_template(m: &Masked) -> Option<ImageRef> {
    let t = m.text.as_str();
    let (name_tag_end, digest) = match t.find('@') {
        Some(at) => (at, digest_part(m, at + 1)?),
        None => (t.len(), implicit_digest(m)),
    };
    let (name_end, tag) = tag_part(m, name_tag_end)?;
    let (registry, repository) = name_parts(m, name_end)?;
    let mut unknown = Vec::new();
    let mut known = |name: &'static str, part: Part| match part {
        Part::Known(value) => value,
        Part::Unknown(text) => {
            unknown.push(name);
            Some(text)
        }
    };
    let registry = known("registry", registry);
    let repository = known("repository", repository).unwrap_or_default();
    let tag = known("tag", tag);
    let digest = known("digest", digest);
    Some(ImageRef {
        registry,
        repository,
        tag,
        digest,
        unknown,
    })
}

/// The digest after `@`: unknown when it holds a variable.
fn digest_part(m: &Masked, start: usize) -> Option<Part> {
    let d = &m.text[start..];
    if d.contains(HOLE) {
        Some(Part::Unknown(m.unmask(start, m.text.len())))
    } else {
        Some(Part::Known(Some(valid_digest(d)?.to_owned())))
    }
}

/// Without `@`, a digest is known absent only when a literal `:` or `/`
/// follows the last variable (the variable cannot end with `@…` then);
/// otherwise the last variable may carry one.
fn implicit_digest(m: &Masked) -> Part {
    let last = m.text.rfind(HOLE).unwrap_or(0);
    if m.text[last..].contains([':', '/']) {
        Part::Known(None)
    } else {
        Part::Unknown(m.unmask(last, m.text.len()))
    }
}

/// The tag of `text[..end]` and where the name ends: after the last `:` of
/// the last component; absent when that component is literal without `:`;
/// unknown when it holds a variable (which may carry `:tag`).
fn tag_part(m: &Masked, end: usize) -> Option<(usize, Part)> {
    let name_tag = &m.text[..end];
    let component = name_tag.rfind('/').map_or(0, |i| i + 1);
    match name_tag[component..].rfind(':') {
        Some(i) => {
            let colon = component + i;
            let tag = &name_tag[colon + 1..];
            let part = if tag.contains(HOLE) {
                Part::Unknown(m.unmask(colon + 1, end))
            } else {
                valid_tag(tag).then_some(())?;
                Part::Known(Some(tag.to_owned()))
            };
            Some((colon, part))
        }
        None => match name_tag[component..].rfind(HOLE) {
            Some(i) => Some((end, Part::Unknown(m.unmask(component + i, end)))),
            None => Some((end, Part::Known(None))),
        },
    }
}

/// Registry and repository of `text[..end]`; a first component that holds
/// a variable may or may not be a registry, so both are then unknown.
fn name_parts(m: &Masked, end: usize) -> Option<(Part, Part)> {
    let name = &m.text[..end];
    let allowed = |part: &str, extra: &[char]| {
        !part.is_empty()
            && part.chars().all(|c| {
                c == HOLE
                    || c.is_ascii_alphanumeric()
                    || matches!(c, '.' | '_' | '-' | '/')
                    || extra.contains(&c)
            })
    };
    if !name.contains(HOLE) {
        let (registry, repository) = split_registry(name);
        if registry.is_some_and(|r| !valid_registry(r)) || !valid_repository(repository) {
            return None;
        }
        return Some((
            Part::Known(registry.map(str::to_owned)),
            Part::Known(Some(repository.to_owned())),
        ));
    }
    allowed(name, &[':', '[', ']']).then_some(())?;
    let part = |start: usize, stop: usize| {
        let text = &m.text[start..stop];
        if text.contains(HOLE) {
            Some(Part::Unknown(m.unmask(start, stop)))
        } else {
            valid_repository(text).then(|| Part::Known(Some(text.to_owned())))
        }
    };
    match name.split_once('/') {
        Some((first, _)) if first.contains(HOLE) => {
            let registry = Part::Unknown(m.unmask(0, first.len()));
            Some((registry, part(first.len() + 1, end)?))
        }
        Some(_) => {
            let (registry, _) = split_registry(name);
            let start = registry.map_or(0, |r| r.len() + 1);
            registry.is_none_or(valid_registry).then_some(())?;
            allowed(&name[start..], &[]).then_some(())?;
            Some((Part::Known(registry.map(str::to_owned)), part(start, end)?))
        }
        None => Some((Part::Unknown(m.unmask(0, end)), part(0, end)?)),
    }
}

/// Splits `name[:tag]`: the tag is after the last `:` that follows the last
/// `/`, so a registry port (`host:5000/app`) is never mistaken for a tag.
fn split_tag(name_tag: &str) -> Option<(&str, Option<&str>)> {
    let last_component = name_tag.rfind('/').map_or(0, |i| i + 1);
    match name_tag[last_component..].rfind(':') {
        None => Some((name_tag, None)),
        Some(i) => {
            let colon = last_component + i;
            let tag = &name_tag[colon + 1..];
            valid_tag(tag).then_some((&name_tag[..colon], Some(tag)))
        }
    }
}

/// Docker's rule for whether the first component names a registry.
fn split_registry(name: &str) -> (Option<&str>, &str) {
    match name.split_once('/') {
        Some((first, rest))
            if first.contains(['.', ':'])
                || first == "localhost"
                || first.chars().any(|c| c.is_ascii_uppercase()) =>
        {
            (Some(first), rest)
        }
        _ => (None, name),
    }
}

/// `[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`.
fn valid_tag(tag: &str) -> bool {
    let mut chars = tag.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    tag.len() <= MAX_TAG_LEN
        && (first.is_ascii_alphanumeric() || first == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
}

/// `algorithm:hex`, with the exact length for the common algorithms.
fn valid_digest(digest: &str) -> Option<&str> {
    let (algorithm, encoded) = digest.split_once(':')?;
    let algorithm_ok = !algorithm.is_empty()
        && algorithm.split(['+', '.', '_', '-']).all(|part| {
            part.starts_with(|c: char| c.is_ascii_alphabetic())
                && part.chars().all(|c| c.is_ascii_alphanumeric())
        });
    let expected_len = match algorithm {
        "sha256" => Some(64),
        "sha384" => Some(96),
        "sha512" => Some(128),
        _ => None,
    };
    let length_ok = match expected_len {
        Some(n) => encoded.len() == n,
        None => encoded.len() >= 32,
    };
    let hex_ok = encoded.chars().all(|c| c.is_ascii_hexdigit());
    (algorithm_ok && length_ok && hex_ok).then_some(digest)
}

/// `host[.host…][:port]` or `[ipv6][:port]`.
fn valid_registry(registry: &str) -> bool {
    let (host, port) = if let Some(rest) = registry.strip_prefix('[') {
        let Some((v6, after)) = rest.split_once(']') else {
            return false;
        };
        let port = match after {
            "" => None,
            p => match p.strip_prefix(':') {
                Some(p) => Some(p),
                None => return false,
            },
        };
        if v6.is_empty() || !v6.chars().all(|c| c.is_ascii_hexdigit() || c == ':') {
            return false;
        }
        (None, port)
    } else {
        match registry.rsplit_once(':') {
            Some((h, p)) => (Some(h), Some(p)),
            None => (Some(registry), None),
        }
    };
    let port_ok =
        port.is_none_or(|p| !p.is_empty() && p.len() <= 5 && p.chars().all(|c| c.is_ascii_digit()));
    let host_ok = host.is_none_or(|h| !h.is_empty() && h.split('.').all(valid_host_label));
    port_ok && host_ok
}

/// `[A-Za-z0-9]` or `[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9]`.
fn valid_host_label(label: &str) -> bool {
    !label.is_empty()
        && !label.starts_with('-')
        && !label.ends_with('-')
        && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

/// Path components separated by `/`, each
/// `[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*` (uppercase tolerated, see module doc).
fn valid_repository(repository: &str) -> bool {
    !repository.is_empty() && repository.split('/').all(valid_path_component)
}

fn valid_path_component(component: &str) -> bool {
    let bytes = component.as_bytes();
    let (Some(first), Some(last)) = (bytes.first(), bytes.last()) else {
        return false;
    };
    if !first.is_ascii_alphanumeric() || !last.is_ascii_alphanumeric() {
        return false;
    }
    // Runs of separators between alphanumeric runs: ".", "_", "__" or "-+".
    bytes
        .split(|b| b.is_ascii_alphanumeric())
        .filter(|run| !run.is_empty())
        .all(|run| matches!(run, b"." | b"_" | b"__") || run.iter().all(|&b| b == b'-'))
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHA: &str = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    type Parts = (Option<String>, String, Option<String>, Option<String>);

    fn parts(s: &str) -> Option<Parts> {
        parse(s).map(|r| (r.registry, r.repository, r.tag, r.digest))
    }

    fn some(
        registry: Option<&str>,
        repository: &str,
        tag: Option<&str>,
        digest: Option<&str>,
    ) -> Option<Parts> {
        Some((
            registry.map(Into::into),
            repository.into(),
            tag.map(Into::into),
            digest.map(Into::into),
        ))
    }

    #[test]
    fn docker_hub_short_names() {
        assert_eq!(parts("nginx"), some(None, "nginx", None, None));
        assert_eq!(
            parts("nginx:latest"),
            some(None, "nginx", Some("latest"), None)
        );
        assert_eq!(parts("nginx:1.25"), some(None, "nginx", Some("1.25"), None));
        assert_eq!(
            parts("team/app:v1"),
            some(None, "team/app", Some("v1"), None)
        );
    }

    #[test]
    fn registry_port_is_not_a_tag() {
        assert_eq!(
            parts("registry.example:5000/app"),
            some(Some("registry.example:5000"), "app", None, None)
        );
        assert_eq!(
            parts("registry.example:5000/app:1.0"),
            some(Some("registry.example:5000"), "app", Some("1.0"), None)
        );
        assert_eq!(
            parts("localhost:5000/app:dev"),
            some(Some("localhost:5000"), "app", Some("dev"), None)
        );
        assert_eq!(
            parts("[::1]:5000/app:dev"),
            some(Some("[::1]:5000"), "app", Some("dev"), None)
        );
    }

    #[test]
    fn localhost_and_dotted_first_components_are_registries() {
        assert_eq!(
            parts("localhost/app"),
            some(Some("localhost"), "app", None, None)
        );
        assert_eq!(
            parts("ghcr.io/org/team/app:v1"),
            some(Some("ghcr.io"), "org/team/app", Some("v1"), None)
        );
        assert_eq!(
            parts("docker.io/library/nginx:latest"),
            some(Some("docker.io"), "library/nginx", Some("latest"), None)
        );
    }

    #[test]
    fn digests() {
        let r = parts(&format!("nginx@{SHA}"));
        assert_eq!(r, some(None, "nginx", None, Some(SHA)));
        let r = parts(&format!("nginx:1.25@{SHA}"));
        assert_eq!(r, some(None, "nginx", Some("1.25"), Some(SHA)));
        let r = parts(&format!("registry.example:5000/app@{SHA}"));
        assert_eq!(
            r,
            some(Some("registry.example:5000"), "app", None, Some(SHA))
        );
        assert_eq!(parts("nginx@sha256:abc"), None, "short sha256");
        assert_eq!(parts("nginx@sha256"), None, "no encoded part");
        assert_eq!(parts(&format!("nginx@{SHA}@{SHA}")), None);
        let xyz = format!("nginx@xyz:{}", "a".repeat(32));
        assert_eq!(parts(&xyz), some(None, "nginx", None, Some(&xyz[6..])));
    }

    #[test]
    fn whitespace_is_trimmed_and_case_kept() {
        assert_eq!(
            parts("  nginx:1.25\n"),
            some(None, "nginx", Some("1.25"), None)
        );
        assert_eq!(
            parts("NGINX:Latest"),
            some(None, "NGINX", Some("Latest"), None)
        );
        // Docker's rule: an uppercase first component is a registry.
        assert_eq!(parts("MyReg/app"), some(Some("MyReg"), "app", None, None));
        assert_eq!(parts("ngi nx"), None);
    }

    #[test]
    fn garbage_and_variables_are_unparseable() {
        for bad in [
            "",
            "   ",
            "${unterminated",
            "app:$",
            "app $TAG",
            "nginx:",
            ":latest",
            "/app",
            "app/",
            "a//b",
            "nginx:la:test",
            "nginx:-bad",
            "-nginx",
            "ngin..x",
            "ngin___x",
            "host:port/app",
            "host:123456/app",
            "[zz]:5000/app",
            "-host.io/app",
            "\u{0}",
        ] {
            assert_eq!(parse(bad), None, "{bad:?}");
        }
        assert_eq!(parse(&"a".repeat(300)), None, "name too long");
        assert_eq!(
            parse(&format!("a:{}", "b".repeat(129))),
            None,
            "tag too long"
        );
    }

    type Unknown = (Option<String>, Option<String>, Vec<&'static str>);

    fn tag_digest(s: &str) -> Option<Unknown> {
        parse(s).map(|r| (r.tag, r.digest, r.unknown))
    }

    fn known(tag: Option<&str>, unknown: &[&'static str]) -> Option<Unknown> {
        Some((tag.map(Into::into), None, unknown.to_vec()))
    }

    #[test]
    fn an_unknown_registry_hides_neither_tag_nor_digest() {
        let ecr = "${aws_ecr_repository.app.repository_url}:latest";
        assert_eq!(
            tag_digest(ecr),
            known(Some("latest"), &["registry", "repository"])
        );
        assert_eq!(
            tag_digest("${var.registry}/app"),
            known(None, &["registry"])
        );
        assert_eq!(
            tag_digest("$REGISTRY/nginx:latest"),
            known(Some("latest"), &["registry"])
        );
        assert_eq!(
            tag_digest("${REGISTRY:-docker.io}/nginx:1.27"),
            known(Some("1.27"), &["registry"])
        );
        assert_eq!(
            tag_digest("${x}:5000/app"),
            known(None, &["registry"]),
            "a port after a variable is not a tag"
        );
        let r = parse(&format!("${{var.registry}}/app@{SHA}")).unwrap();
        assert_eq!((r.tag, r.digest), (None, Some(SHA.into())));
    }

    #[test]
    fn a_variable_in_the_last_component_may_carry_tag_and_digest() {
        let r = parse("app:${var.tag}").unwrap();
        assert_eq!(r.repository, "app");
        assert_eq!(r.tag.as_deref(), Some("${var.tag}"));
        assert_eq!(r.digest.as_deref(), Some("${var.tag}"));
        assert_eq!(r.unknown, ["tag", "digest"]);
        let r = parse("registry.example/app@${var.digest}").unwrap();
        assert_eq!(r.registry.as_deref(), Some("registry.example"));
        assert_eq!((r.tag, r.digest.as_deref()), (None, Some("${var.digest}")));
        assert_eq!(r.unknown, ["digest"]);
        let r = parse("${var.image}").unwrap();
        assert_eq!(r.unknown, ["registry", "repository", "tag", "digest"]);
        let r = parse("team/${var.name}").unwrap();
        assert_eq!(r.unknown, ["repository", "tag", "digest"]);
        let r = parse(r#"${var.env == "prod" ? "app:1.2" : "app:latest"}"#).unwrap();
        assert_eq!(r.unknown, ["registry", "repository", "tag", "digest"]);
    }

    #[test]
    fn literal_parts_beside_variables_are_still_checked() {
        for bad in [
            "${x}:-bad",
            "${x}/app@sha256:abc",
            "${x}/a//b:1",
            "bad host:1/${x}",
            "${x}/APP!:1",
            "-host.io/${x}",
        ] {
            assert_eq!(parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn unknown_parts_are_listed_in_json() {
        let json = serde_json::to_value(parse("${var.registry}/app").unwrap()).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"registry":"${var.registry}","repository":"app","tag":null,"digest":null,"unknown":["registry"]})
        );
    }

    #[test]
    fn separators_inside_components() {
        assert!(parse("my_app").is_some());
        assert!(parse("my__app").is_some());
        assert!(parse("my---app").is_some());
        assert!(parse("my.app").is_some());
        assert!(parse("my-_app").is_none());
    }

    #[test]
    fn serialises_with_nulls() {
        let json = serde_json::to_value(parse("registry.example:5000/app").unwrap()).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"registry":"registry.example:5000","repository":"app","tag":null,"digest":null})
        );
    }
}
