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

/// Edit distance counting an adjacent transposition (`hihg` → `high`) as
/// one edit (optimal string alignment), over characters.
fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[a.len()][b.len()]
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
        assert_eq!(distance("hihg", "high"), 1);
        assert_eq!(
            did_you_mean("hihg", ["critical", "high", "medium", "low"]),
            Some("high")
        );
    }
}
