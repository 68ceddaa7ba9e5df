//! "Did you mean …?" for typos in rule IDs and config keys: a misspelt
//! name is an error with the likely intended name, never silently ignored.

/// The candidate closest to `word` (case-insensitive edit distance), if it
/// is close enough to be a plausible typo.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let word = word.to_ascii_lowercase();
    let limit = (word.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .map(|c| (distance(&word, &c.to_ascii_lowercase()), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Levenshtein distance over characters (two rows, O(len²) on short words).
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut row = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            row[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(row[j] + 1);
        }
        std::mem::swap(&mut prev, &mut row);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names_only() {
        let keys = ["exclude", "ignore", "select", "severity"];
        assert_eq!(did_you_mean("exlude", keys), Some("exclude"));
        assert_eq!(did_you_mean("Ignroe", keys), Some("ignore"));
        assert_eq!(did_you_mean("policies", keys), None);
        assert_eq!(did_you_mean("TAG01", ["TAG001", "SSH001"]), Some("TAG001"));
        assert_eq!(distance("kitten", "sitting"), 3);
    }
}
