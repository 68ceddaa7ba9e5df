//! An image reference as the registry client needs it: where to ask (the
//! registry's base URL, after Docker's defaults and the user's mirrors) and
//! the name as the user wrote it (so the pinned text keeps their spelling).

use crate::parse::image;

/// The registry host Docker uses when a reference names none.
pub const DOCKER_HUB: &str = "docker.io";
/// Where Docker Hub's distribution API answers.
const DOCKER_HUB_API: &str = "https://registry-1.docker.io";
/// The other spellings of Docker Hub in references and configs.
const DOCKER_HUB_ALIASES: [&str; 3] = ["docker.io", "index.docker.io", "registry-1.docker.io"];

/// One reference, parsed and normalised the way Docker resolves it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    /// The registry as Docker names it: `docker.io` for Docker Hub (any of
    /// its spellings or none), else the host with its port as written.
    pub registry: String,
    /// The repository in the API's form (`library/nginx` for `nginx`).
    pub repository: String,
    /// The tag as written, `None` when the reference has none.
    pub tag: Option<String>,
    /// The digest as written, `None` when not pinned.
    pub digest: Option<String>,
    /// Registry and repository exactly as the user wrote them (`nginx`,
    /// `docker.io/nginx`, `registry:5000/app`): the pinned text starts so.
    pub written_name: String,
}

impl Target {
    /// Parses `reference` (as written); `Err` says why it cannot be asked
    /// about (unparseable, or a part hidden by an unresolved variable).
    pub fn parse(reference: &str) -> Result<Target, String> {
        let parsed = image::parse(reference).ok_or("not a valid image reference")?;
        if let Some(part) = parsed.unknown.first() {
            return Err(format!("its {part} comes from an unresolved variable"));
        }
        let written_name = match &parsed.registry {
            Some(registry) => format!("{registry}/{}", parsed.repository),
            None => parsed.repository.clone(),
        };
        let registry = match parsed.registry.as_deref() {
            None => DOCKER_HUB.to_owned(),
            Some(r) if is_docker_hub(r) => DOCKER_HUB.to_owned(),
            Some(r) => r.to_owned(),
        };
        let repository = if registry == DOCKER_HUB && !parsed.repository.contains('/') {
            format!("library/{}", parsed.repository)
        } else {
            parsed.repository
        };
        Ok(Target {
            registry,
            repository,
            tag: parsed.tag,
            digest: parsed.digest,
            written_name,
        })
    }

    /// The tag Docker pulls: the one written, else `latest`.
    pub fn effective_tag(&self) -> &str {
        self.tag.as_deref().unwrap_or("latest")
    }

    /// The reference normalised (`docker.io/library/nginx:latest`), the
    /// cache key: two spellings of one image are resolved once.
    pub fn normalised(&self) -> String {
        let mut key = format!(
            "{}/{}:{}",
            self.registry,
            self.repository,
            self.effective_tag()
        );
        if let Some(digest) = &self.digest {
            key.push('@');
            key.push_str(digest);
        }
        key
    }

    /// The base URL of the distribution API for this reference: the
    /// mirror configured for its registry if any, else Docker Hub's API
    /// host, else the registry itself (`http://` only on loopback).
    pub fn base_url(&self, mirrors: &[(String, String)]) -> String {
        let mirror = mirrors
            .iter()
            .find(|(from, _)| canonical_registry(from) == self.registry);
        if let Some((_, to)) = mirror {
            return with_scheme(to.trim_end_matches('/'));
        }
        if self.registry == DOCKER_HUB {
            return DOCKER_HUB_API.to_owned();
        }
        with_scheme(&self.registry)
    }
}

/// Whether `host` is one of Docker Hub's names.
pub fn is_docker_hub(host: &str) -> bool {
    DOCKER_HUB_ALIASES
        .iter()
        .any(|alias| host.eq_ignore_ascii_case(alias))
}

/// A registry name as [`Target::registry`] spells it (`index.docker.io` is
/// `docker.io`), so mirrors and credentials match any spelling.
pub fn canonical_registry(host: &str) -> String {
    let host = host
        .trim_start_matches("https://")
        .trim_start_matches("http://")
        .trim_end_matches('/');
    let host = host.split('/').next().unwrap_or(host);
    if is_docker_hub(host) {
        DOCKER_HUB.to_owned()
    } else {
        host.to_owned()
    }
}

/// `host` as a URL: kept when it has a scheme, `http://` for loopback
/// hosts (a local registry rarely has a certificate), `https://` otherwise.
fn with_scheme(host: &str) -> String {
    if host.starts_with("http://") || host.starts_with("https://") {
        return host.to_owned();
    }
    let scheme = if is_loopback(host) { "http" } else { "https" };
    format!("{scheme}://{host}")
}

/// Whether a `host[:port]` names this machine.
pub fn is_loopback(host_port: &str) -> bool {
    let host = match host_port.strip_prefix('[') {
        Some(rest) => rest.split(']').next().unwrap_or(rest),
        None => host_port.split(':').next().unwrap_or(host_port),
    };
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(reference: &str) -> Target {
        Target::parse(reference).expect("parses")
    }

    #[test]
    fn docker_hub_names_get_library_and_keep_the_written_spelling() {
        let nginx = target("nginx");
        assert_eq!(
            (nginx.registry.as_str(), nginx.repository.as_str()),
            ("docker.io", "library/nginx")
        );
        assert_eq!(nginx.written_name, "nginx");
        assert_eq!(nginx.normalised(), "docker.io/library/nginx:latest");
        for spelling in [
            "library/nginx:latest",
            "docker.io/nginx",
            "index.docker.io/library/nginx",
            "registry-1.docker.io/nginx:latest",
        ] {
            assert_eq!(
                target(spelling).normalised(),
                nginx.normalised(),
                "{spelling}"
            );
        }
        assert_eq!(target("docker.io/nginx").written_name, "docker.io/nginx");
        assert_eq!(target("bitnami/redis").repository, "bitnami/redis");
    }

    #[test]
    fn other_registries_keep_host_port_and_path() {
        let t = target("registry:5000/app");
        assert_eq!(
            (t.registry.as_str(), t.repository.as_str()),
            ("registry:5000", "app")
        );
        assert_eq!(t.tag, None);
        let g = target("ghcr.io/o/app:1.2");
        assert_eq!(g.base_url(&[]), "https://ghcr.io");
        assert_eq!(g.tag.as_deref(), Some("1.2"));
    }

    #[test]
    fn loopback_is_http_and_mirrors_replace_the_host() {
        assert_eq!(
            target("localhost:5000/app").base_url(&[]),
            "http://localhost:5000"
        );
        assert_eq!(
            target("127.0.0.1:5000/app").base_url(&[]),
            "http://127.0.0.1:5000"
        );
        assert_eq!(
            target("nginx").base_url(&[]),
            "https://registry-1.docker.io"
        );
        let mirrors = vec![(
            "index.docker.io".to_owned(),
            "http://127.0.0.1:9/".to_owned(),
        )];
        assert_eq!(target("nginx").base_url(&mirrors), "http://127.0.0.1:9");
        assert_eq!(
            target("ghcr.io/o/app").base_url(&mirrors),
            "https://ghcr.io"
        );
    }

    #[test]
    fn unresolved_variables_are_refused() {
        assert!(Target::parse("${REGISTRY}/nginx:1").is_err());
        assert!(Target::parse("app:$TAG").is_err());
        assert!(Target::parse("not a ref").is_err());
    }
}
