//! Sigma string values: wildcards (`*`, `?`, with `\` escaping them) and the value
//! modifiers that rewrite a value before it is matched (windash, base64, base64offset,
//! wide), and how a value reads as a Ward glob or regex fragment.

/// One piece of a Sigma string value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    Text(String),
    /// `*`: any run of characters.
    Many,
    /// `?`: one character.
    One,
}

/// A Sigma value split at its wildcards. A `\` escapes `*`, `?` and `\`; before any other
/// character it is an ordinary backslash, as the specification says.
pub fn pieces(value: &str) -> Vec<Piece> {
    let mut out = Vec::new();
    let mut text = String::new();
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if matches!(chars.peek(), Some('*' | '?' | '\\')) => {
                text.extend(chars.next());
            }
            '*' | '?' => {
                if !text.is_empty() {
                    out.push(Piece::Text(std::mem::take(&mut text)));
                }
                out.push(if c == '*' { Piece::Many } else { Piece::One });
            }
            _ => text.push(c),
        }
    }
    if !text.is_empty() {
        out.push(Piece::Text(text));
    }
    out
}

/// A value as literal pieces only (for values that modifiers produced, which have no
/// wildcards).
pub fn literal(text: String) -> Vec<Piece> {
    if text.is_empty() {
        Vec::new()
    } else {
        vec![Piece::Text(text)]
    }
}

pub fn has_wildcards(pieces: &[Piece]) -> bool {
    pieces.iter().any(|p| !matches!(p, Piece::Text(_)))
}

pub fn plain(pieces: &[Piece]) -> String {
    pieces
        .iter()
        .map(|p| match p {
            Piece::Text(t) => t.as_str(),
            Piece::Many => "*",
            Piece::One => "?",
        })
        .collect()
}

/// Whether case can change what the pieces match.
pub fn has_case(pieces: &[Piece]) -> bool {
    pieces
        .iter()
        .any(|p| matches!(p, Piece::Text(t) if t.to_lowercase() != t.to_uppercase()))
}

/// The pieces as a Ward glob (`[*]`, `[?]`, `[[]` for literal characters).
pub fn glob(pieces: &[Piece]) -> String {
    let mut out = String::new();
    for p in pieces {
        match p {
            Piece::Text(t) => {
                for c in t.chars() {
                    match c {
                        '*' | '?' | '[' => {
                            out.push('[');
                            out.push(c);
                            out.push(']');
                        }
                        _ => out.push(c),
                    }
                }
            }
            Piece::Many => out.push('*'),
            Piece::One => out.push('?'),
        }
    }
    out
}

/// The pieces as a regex fragment; `(?i:...)` around literal text when `fold` is set.
pub fn regex(pieces: &[Piece], fold: bool) -> String {
    let mut out = String::new();
    for p in pieces {
        match p {
            Piece::Text(t) if fold && t.to_lowercase() != t.to_uppercase() => {
                out.push_str("(?i:");
                out.push_str(&regex::escape(t));
                out.push(')');
            }
            Piece::Text(t) => out.push_str(&regex::escape(t)),
            Piece::Many => out.push_str("(?s:.*)"),
            Piece::One => out.push_str("(?s:.)"),
        }
    }
    out
}

/// The dashes Windows command lines accept where `-` is written (windash): hyphen, slash,
/// en dash, em dash and horizontal bar.
const DASHES: [char; 5] = ['-', '/', '\u{2013}', '\u{2014}', '\u{2015}'];

/// Every variant of `value` with each option dash (a `-` or `/` at the start of the value
/// or after white space) replaced by each dash.
pub fn windash(value: &str) -> Vec<String> {
    let chars: Vec<char> = value.chars().collect();
    let is_option = |i: usize| {
        chars.get(i).is_some_and(|c| *c == '-' || *c == '/')
            && (i == 0 || chars.get(i - 1).is_some_and(|c| c.is_whitespace()))
    };
    if !(0..chars.len()).any(is_option) {
        return vec![value.to_string()];
    }
    DASHES
        .iter()
        .map(|dash| {
            chars
                .iter()
                .enumerate()
                .map(|(i, c)| if is_option(i) { *dash } else { *c })
                .collect()
        })
        .collect()
}

/// UTF-16LE bytes of `text` (Sigma's `wide` / `utf16le`).
pub fn utf16le(text: &str) -> Vec<u8> {
    text.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard base64 with padding.
pub fn base64(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk.first().copied().unwrap_or(0),
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                let index = (n >> (18 - 6 * i)) & 63;
                out.push(char::from(ALPHABET[index as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The three base64 texts that `bytes` can appear as inside a longer base64 string,
/// whatever its offset modulo 3 there (Sigma's `base64offset`): only the characters that
/// do not depend on the neighbouring bytes are kept.
pub fn base64_offsets(bytes: &[u8]) -> Vec<String> {
    const START: [usize; 3] = [0, 2, 3];
    (0..3usize)
        .map(|shift| {
            let mut padded = vec![b' '; shift];
            padded.extend_from_slice(bytes);
            let encoded = base64(&padded);
            let cut = match (bytes.len() + shift) % 3 {
                1 => 3,
                2 => 2,
                _ => 0,
            };
            let end = encoded.len().saturating_sub(cut);
            encoded.get(START[shift]..end).unwrap_or("").to_string()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_and_escapes() {
        assert_eq!(
            pieces(r"C:\Temp\\*.exe"),
            vec![
                Piece::Text(r"C:\Temp\".into()),
                Piece::Many,
                Piece::Text(".exe".into())
            ]
        );
        assert_eq!(pieces(r"a\*b\?c\\d"), vec![Piece::Text(r"a*b?c\d".into())]);
        assert_eq!(
            pieces(r"C:\Temp\*.exe"),
            vec![Piece::Text(r"C:\Temp*.exe".into())]
        );
        assert_eq!(glob(&pieces(r"x\*[?")), "x[*][[]?");
        assert_eq!(regex(&pieces("a*b?"), false), "a(?s:.*)b(?s:.)");
        assert_eq!(regex(&pieces("A.1"), true), r"(?i:A\.1)");
        assert_eq!(regex(&pieces("1.2"), true), r"1\.2");
    }

    #[test]
    fn windash_replaces_option_dashes_only() {
        let v = windash(" -enc x-y");
        assert_eq!(v.len(), 5);
        assert_eq!(v[1], " /enc x-y");
        assert_eq!(v[2], " \u{2013}enc x-y");
        assert_eq!(windash("abc"), vec!["abc".to_string()]);
    }

    #[test]
    fn base64_matches_rfc4648_vectors() {
        for (plain, encoded) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(plain.as_bytes()), encoded);
        }
    }

    /// Every offset variant is a substring of the encoding of the value at that offset
    /// within arbitrary surrounding bytes: the property base64offset exists for.
    #[test]
    fn base64_offsets_are_found_at_every_offset() {
        let value = b"http://evil";
        let variants = base64_offsets(value);
        for before in 0..6usize {
            for after in 0..4usize {
                let mut text = vec![b'Q'; before];
                text.extend_from_slice(value);
                text.extend(std::iter::repeat_n(b'Z', after));
                let encoded = base64(&text);
                let variant = &variants[before % 3];
                assert!(
                    encoded.contains(variant.as_str()),
                    "{encoded} lacks {variant} (before {before}, after {after})"
                );
            }
        }
    }
}
