//! "Did you mean": the closest declared name to a misspelt one.

/// The candidate closest to `name`, if it is close enough to be what was meant.
pub fn closest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let lower = name.to_lowercase();
    // A typo changes about one character in three at most; beyond that it is another word.
    let max = (name.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .filter(|c| *c != name)
        .map(|c| (strsim::osa_distance(&lower, &c.to_lowercase()), c))
        .filter(|(d, _)| *d <= max)
        .min_by_key(|(d, c)| (*d, *c))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::closest;

    #[test]
    fn finds_close_names_and_ignores_far_ones() {
        let names = ["windows_7_11", "windows_7_12", "linux_5_0"];
        assert_eq!(closest("windows_7_1", names), Some("windows_7_11"));
        assert_eq!(closest("Windows_7_12", names), Some("windows_7_12"));
        assert_eq!(closest("macos_14", names), None);
        assert_eq!(closest("hihg", ["low", "medium", "high"]), Some("high"));
        assert_eq!(closest("medum", ["low", "medium", "high"]), Some("medium"));
    }
}
