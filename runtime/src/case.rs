//! How `path` text is lowercased for comparison: every character by
//! `char::to_lowercase`, and final sigma (ς) as sigma (σ). The verifier lowercases
//! operands with it and the interpreter lowercases inputs with it into a buffer kept from
//! event to event, so no event allocates; the compiler's checker normalises `path`
//! values with it too, so all three agree.
//!
//! Why not `str::to_lowercase`: its one context-sensitive rule (capital sigma becomes
//! final sigma at the end of a word) needs Unicode properties that `core` does not expose,
//! so it only exists as a function that allocates its result. And a case-insensitive
//! comparison should not tell the two small sigmas apart: Unicode case folding, the regex
//! engine's `(?i)` (which `path` globs and regexes use) and the NTFS upcase table all
//! treat σ and ς as one letter. docs/language.md ("Decision: case") records this.

use alloc::string::String;

const FINAL_SIGMA: char = '\u{3C2}';
const SIGMA: char = '\u{3C3}';

/// Appends `s`, lowercased, to `out`.
pub fn lowercase_into(s: &str, out: &mut String) {
    if s.is_ascii() {
        let start = out.len();
        out.push_str(s);
        if let Some(added) = out.get_mut(start..) {
            added.make_ascii_lowercase();
        }
        return;
    }
    for c in s.chars() {
        match lower_char(c) {
            Some(lower) => out.push(lower),
            None => out.extend(c.to_lowercase()),
        }
    }
}

/// The one character `c` lowercases to; `None` when it lowercases to several (as U+0130
/// does).
pub(crate) fn lower_char(c: char) -> Option<char> {
    if c == FINAL_SIGMA {
        return Some(SIGMA);
    }
    let mut lower = c.to_lowercase();
    match (lower.next(), lower.next()) {
        (Some(l), None) => Some(l),
        _ => None,
    }
}

/// `s` lowercased.
pub fn lowercase(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    lowercase_into(s, &mut out);
    out
}

/// Whether lowercasing changes `s`.
pub(crate) fn changes(s: &str) -> bool {
    if s.is_ascii() {
        s.bytes().any(|b| b.is_ascii_uppercase())
    } else {
        s.chars().any(|c| lower_char(c) != Some(c))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lowercasing_is_per_character_with_one_sigma() {
        assert_eq!(lowercase(r"C:\Windows\System32"), r"c:\windows\system32");
        assert_eq!(lowercase("ÉTÉ"), "été");
        // U+0130 lowercases to two characters, KELVIN SIGN to an ASCII k.
        assert_eq!(lowercase("\u{130}x\u{212A}"), "i\u{307}xk");
        // Whatever the sigma and wherever it is, it compares as σ.
        assert_eq!(lowercase("ΟΔΟΣ"), "οδοσ");
        assert_eq!(lowercase("οδος"), "οδοσ");
        assert_eq!(lowercase("ΣΟΣ"), "σοσ");
    }

    #[test]
    fn it_agrees_with_std_but_for_final_sigma() {
        for s in [
            "plain",
            "MiXeD",
            "Ünïcödé",
            "ſK\u{212A}",
            "ǅungla",
            "ΑΣ ΒΣΓ",
            "ς",
        ] {
            let std = s.to_lowercase().replace(FINAL_SIGMA, "\u{3C3}");
            assert_eq!(lowercase(s), std, "{s}");
            assert_eq!(changes(s), lowercase(s) != s, "{s}");
        }
    }

    #[test]
    fn it_appends() {
        let mut out = String::from("Prefix ");
        lowercase_into("ÀB", &mut out);
        lowercase_into("CD", &mut out);
        assert_eq!(out, "Prefix àbcd");
    }
}
