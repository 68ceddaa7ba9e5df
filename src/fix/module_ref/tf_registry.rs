//! The latest release of a Terraform registry module, from the registry's
//! module API, written as an exact `version` in the module block.
//!
//! The API is found the way Terraform finds it: service discovery at
//! `https://HOST/.well-known/terraform.json` (`modules.v1`), then
//! `GET <modules.v1>NAMESPACE/NAME/PROVIDER/versions`. The host is
//! `registry.terraform.io` for `namespace/name/provider` sources. A host
//! on loopback (`127.0.0.1:5000`, `localhost`, `[::1]`) is reached over
//! plain HTTP: local mirrors and tests, where no certificate exists.

use std::time::Duration;

use hcl_edit::Span as _;
use hcl_edit::structure::Block;

use super::super::lifecycle::hcl;
use super::super::{Applicability, Edit, Fix};
use crate::finding::Finding;

/// The public registry, for sources without a host.
const DEFAULT_HOST: &str = "registry.terraform.io";

/// How long one registry request may take.
const TIMEOUT: Duration = Duration::from_secs(30);

/// The fix: `version = "<installed>"` when `terraform init` recorded the
/// version it installed (safe: nothing changes), else `version =
/// "<latest>"` (unsafe: the latest release may not be the version used
/// before), replacing a missing or open version.
pub(super) fn fix(finding: &Finding, offline: bool) -> Result<Fix, String> {
    let file = &finding.file;
    if file.path.extension().is_none_or(|x| x != "tf") {
        return Err("the module is not written in a `.tf` file; pin it by hand".into());
    }
    let body = hcl::parse(&file.text).ok_or("the file no longer parses")?;
    let module = body
        .blocks()
        .filter(|b| b.ident.as_str() == "module")
        .find(|b| b.span().is_some_and(|s| s.contains(&finding.start)))
        .ok_or("the module block is not where the finding points")?;
    let source = literal(&file.text, module, "source")?;
    let address = Address::parse(&source)?;
    let name = module.labels.first().map_or("", |l| l.as_str());
    let (version, applicability, why) = match installed_version(finding, name, &address) {
        Some(v) => (
            v,
            Applicability::Safe,
            "the version `terraform init` installed",
        ),
        None if offline => return Err(super::NEEDS_NETWORK.into()),
        None => (
            latest_version(&address)?,
            Applicability::Unsafe,
            "its latest release",
        ),
    };
    let edit = version_edit(finding, module, &version)?;
    Ok(Fix {
        rule_id: finding.rule_id.clone(),
        title: format!("pin `{source}` to {why}, {version}"),
        applicability,
        edits: vec![edit],
    })
}

/// The exact version `terraform init` installed for the root module's call
/// `name`, from `.terraform/modules/modules.json` beside the file, when it
/// was installed from the same registry address.
fn installed_version(finding: &Finding, name: &str, address: &Address) -> Option<String> {
    let dir = finding.file.path.parent()?;
    let text = std::fs::read_to_string(dir.join(".terraform/modules/modules.json")).ok()?;
    let manifest: serde_json::Value = serde_json::from_str(&text).ok()?;
    let wanted = format!("{}/{}", address.host, address.path);
    manifest["Modules"].as_array()?.iter().find_map(|m| {
        let source = m["Source"]
            .as_str()?
            .split("//")
            .next()?
            .to_ascii_lowercase();
        let same = m["Key"].as_str() == Some(name) && source == wanted.to_ascii_lowercase();
        let version = m["Version"].as_str()?;
        (same && release(version).is_some()).then(|| version.to_string())
    })
}

/// The text of a string attribute written as a plain literal.
fn literal(text: &str, block: &Block, key: &str) -> Result<String, String> {
    let attr = hcl::attribute(block, key).ok_or_else(|| format!("no `{key}`"))?;
    let span = attr.value.span().ok_or("no span")?;
    let raw = &text[span];
    raw.strip_prefix('"')
        .and_then(|r| r.strip_suffix('"'))
        .filter(|v| !v.contains(['\\', '$', '%']))
        .map(str::to_owned)
        .ok_or_else(|| format!("`{key}` is not a plain string"))
}

/// `version = "x.y.z"` in place of the written version, or on the line
/// after `source`, indented like it.
fn version_edit(finding: &Finding, module: &Block, version: &str) -> Result<Edit, String> {
    let file = &finding.file;
    let quoted = format!("\"{version}\"");
    if let Some(attr) = hcl::attribute(module, "version") {
        let span = attr.value.span().ok_or("no span")?;
        return Ok(Edit {
            file: file.clone(),
            start: span.start,
            end: span.end,
            replacement: quoted,
        });
    }
    let source = hcl::attribute(module, "source").ok_or("no `source`")?;
    let span = source.span().ok_or("no span")?;
    let indent = hcl::line_indent(&file.text, span.start);
    let line_end = file.text[span.end..]
        .find('\n')
        .map(|i| span.end + i)
        .ok_or("the module block is on one line; pin it by hand")?;
    Ok(Edit {
        file: file.clone(),
        start: line_end,
        end: line_end,
        replacement: format!("\n{indent}version = {quoted}"),
    })
}

/// A registry module address: `[HOST/]NAMESPACE/NAME/PROVIDER[//SUBDIR]`.
struct Address {
    host: String,
    path: String,
}

impl Address {
    fn parse(source: &str) -> Result<Address, String> {
        let package = source.split("//").next().unwrap_or(source);
        let parts: Vec<&str> = package.split('/').collect();
        let (host, rest) = match parts.as_slice() {
            [_, _, _] => (DEFAULT_HOST, &parts[..]),
            [host, rest @ ..] if rest.len() == 3 => (*host, rest),
            _ => return Err(format!("`{source}` is not a registry module address")),
        };
        let safe = |s: &str| {
            !s.is_empty()
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_.:[]".contains(c))
        };
        if !safe(host) || !rest.iter().all(|p| safe(p)) {
            return Err(format!("`{source}` is not a registry module address"));
        }
        Ok(Address {
            host: host.to_ascii_lowercase(),
            path: rest.join("/"),
        })
    }

    /// `https`, or `http` for a loopback host (see the module docs).
    fn scheme(&self) -> &'static str {
        let name = self
            .host
            .rsplit_once(':')
            .filter(|(_, port)| port.bytes().all(|b| b.is_ascii_digit()))
            .map_or(self.host.as_str(), |(name, _)| name);
        match name {
            "localhost" | "127.0.0.1" | "[::1]" => "http",
            _ => "https",
        }
    }
}

/// The highest release (no pre-release) the registry lists for `address`.
fn latest_version(address: &Address) -> Result<String, String> {
    let origin = format!("{}://{}", address.scheme(), address.host);
    let discovery: serde_json::Value = get_json(&format!("{origin}/.well-known/terraform.json"))?;
    let base = discovery["modules.v1"]
        .as_str()
        .ok_or_else(|| format!("{} offers no module registry (`modules.v1`)", address.host))?;
    let base = if base.starts_with("http://") || base.starts_with("https://") {
        base.to_string()
    } else {
        format!("{origin}/{}", base.trim_start_matches('/'))
    };
    let url = format!("{}/{}/versions", base.trim_end_matches('/'), address.path);
    let listing = get_json(&url)?;
    listing["modules"][0]["versions"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v["version"].as_str())
        .filter_map(|v| release(v).map(|key| (key, v)))
        .max()
        .map(|(_, v)| v.trim_start_matches('v').to_string())
        .ok_or_else(|| format!("{url} lists no release"))
}

/// `1.2.3` as a comparable key; `None` for pre-releases and non-versions.
fn release(version: &str) -> Option<(u64, u64, u64)> {
    let mut parts = version.trim_start_matches('v').split('.');
    let mut next = || parts.next()?.parse::<u64>().ok();
    let key = (next()?, next()?, next()?);
    Some(key)
}

fn get_json(url: &str) -> Result<serde_json::Value, String> {
    let config = ureq::Agent::config_builder()
        .timeout_global(Some(TIMEOUT))
        .build();
    let agent = ureq::Agent::new_with_config(config);
    let text = agent
        .get(url)
        .call()
        .and_then(|mut r| r.body_mut().read_to_string())
        .map_err(|e| format!("GET {url}: {e}"))?;
    serde_json::from_str(&text).map_err(|e| format!("GET {url}: not JSON: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_name_their_host_and_scheme() {
        let a = Address::parse("terraform-aws-modules/vpc/aws//modules/x").unwrap();
        assert_eq!(
            (a.host.as_str(), a.path.as_str()),
            (DEFAULT_HOST, "terraform-aws-modules/vpc/aws")
        );
        assert_eq!(a.scheme(), "https");
        let a = Address::parse("127.0.0.1:8080/ns/app/aws").unwrap();
        assert_eq!(a.scheme(), "http");
        assert_eq!(
            Address::parse("app.example.com/ns/app/aws")
                .unwrap()
                .scheme(),
            "https"
        );
        assert!(Address::parse("a/b").is_err());
        assert!(Address::parse("h/n?x/a/b").is_err());
    }

    #[test]
    fn pre_releases_are_not_releases() {
        assert_eq!(release("v1.2.3"), Some((1, 2, 3)));
        assert_eq!(release("1.2.3-rc1"), None);
        assert!(release("1.10.0") > release("1.9.9"));
    }
}
