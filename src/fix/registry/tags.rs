//! Which tags may stand for a floating one (`latest`, `alpine`): version
//! tags of the same variant, newest and most specific first. The registry
//! decides which of them really share the floating tag's digest; this
//! module only orders the candidates so that few manifests are fetched.

use std::cmp::Ordering;

/// A tag that looks like a version: `1.27.3`, `v2.1`, `1.27-alpine`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VersionTag {
    /// The numeric components (`[1, 27, 3]`).
    pub components: Vec<u64>,
    /// What follows the first `-` (`alpine` in `1.27-alpine`), `""` if none.
    pub variant: String,
}

/// The most components a version tag may have (dates and build numbers
/// beyond this are not versions).
const MAX_COMPONENTS: usize = 4;

/// Parses a version tag: an optional `v`, one to four dot-separated
/// decimal numbers, then optionally `-` and a variant. `None` otherwise.
pub fn version(tag: &str) -> Option<VersionTag> {
    let rest = tag.strip_prefix('v').unwrap_or(tag);
    let (numbers, variant) = match rest.split_once('-') {
        Some((numbers, variant)) if !variant.is_empty() => (numbers, variant),
        Some(_) => return None,
        None => (rest, ""),
    };
    let components = numbers
        .split('.')
        .map(|part| {
            let digits = !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
            digits.then(|| part.parse::<u64>().ok()).flatten()
        })
        .collect::<Option<Vec<u64>>>()?;
    (components.len() <= MAX_COMPONENTS).then(|| VersionTag {
        components,
        variant: variant.to_owned(),
    })
}

/// Whether `tag` floats by convention (anything but a version): its
/// version siblings are looked for, and a version tag only gets its digest.
pub fn is_floating(tag: &str) -> bool {
    version(tag).is_none()
}

/// The variant a floating tag stands for: none for `latest` (plain
/// versions), what follows the first `-` for `lts-alpine` or
/// `stable-slim` (`alpine`, `slim`), and the tag itself otherwise
/// (`alpine` is Docker Hub's short name for `latest-alpine`).
pub fn floating_variant(tag: &str) -> &str {
    match tag.split_once('-') {
        _ if tag == "latest" => "",
        Some((_, variant)) => variant,
        None => tag,
    }
}

/// The version tags of `tags` that may stand for `floating` (same
/// variant), newest first; of one version, the most specific first
/// (`1.27.3`, `1.27`, `1`), so the first whose digest matches is the
/// most specific one.
pub fn candidates<'a>(floating: &str, tags: &'a [String]) -> Vec<&'a str> {
    let variant = floating_variant(floating);
    let mut versions: Vec<(VersionTag, &str)> = tags
        .iter()
        .filter(|tag| tag.as_str() != floating)
        .filter_map(|tag| version(tag).map(|v| (v, tag.as_str())))
        .filter(|(v, _)| v.variant == variant)
        .collect();
    versions.sort_by(|(a, a_tag), (b, b_tag)| newest_first(a, b).then(a_tag.cmp(b_tag)));
    versions.into_iter().map(|(_, tag)| tag).collect()
}

/// Orders versions newest first; a longer version with the same prefix
/// counts as newer (`1.27.3` before `1.27` before `1`).
fn newest_first(a: &VersionTag, b: &VersionTag) -> Ordering {
    b.components.cmp(&a.components)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(tags: &[&str]) -> Vec<String> {
        tags.iter().map(|t| t.to_string()).collect()
    }

    #[test]
    fn versions_are_numbers_with_an_optional_v_and_variant() {
        assert_eq!(version("1.27.3").unwrap().components, vec![1, 27, 3]);
        assert_eq!(version("v2").unwrap().components, vec![2]);
        let alpine = version("1.27-alpine").unwrap();
        assert_eq!(
            (alpine.components, alpine.variant.as_str()),
            (vec![1, 27], "alpine")
        );
        for not_version in [
            "latest",
            "alpine",
            "1.x",
            "1..2",
            "",
            "v",
            "1-",
            "1.2.3.4.5",
            "+1",
        ] {
            assert_eq!(version(not_version), None, "{not_version}");
        }
    }

    #[test]
    fn candidates_are_newest_and_most_specific_first_of_the_same_variant() {
        let tags = strings(&[
            "1",
            "1.26",
            "1.27",
            "1.27.3",
            "latest",
            "1.27.3-alpine",
            "alpine",
            "2.0.0-rc1",
            "mainline",
            "v1.25.0",
        ]);
        assert_eq!(
            candidates("latest", &tags),
            vec!["1.27.3", "1.27", "1.26", "v1.25.0", "1"]
        );
        assert_eq!(candidates("alpine", &tags), vec!["1.27.3-alpine"]);
        assert_eq!(candidates("lts-alpine", &tags), vec!["1.27.3-alpine"]);
        assert!(is_floating("mainline") && !is_floating("1.27.3"));
    }
}
