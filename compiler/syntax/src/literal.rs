//! Decoding of integer and string literals, with the mistakes a literal can hold.

/// Parses an integer literal as written (`-`, `0x`, `_` separators allowed).
/// Returns `None` when it does not fit in an `i128`, far beyond any Ward type.
pub fn int(text: &str) -> Option<i128> {
    let (negative, rest) = match text.strip_prefix('-') {
        Some(rest) => (true, rest.trim_start()),
        None => (false, text),
    };
    let digits: String = rest.chars().filter(|c| *c != '_').collect();
    let magnitude = match digits
        .strip_prefix("0x")
        .or_else(|| digits.strip_prefix("0X"))
    {
        Some(hex) => i128::from_str_radix(hex, 16).ok()?,
        None => digits.parse::<i128>().ok()?,
    };
    Some(if negative { -magnitude } else { magnitude })
}

/// A mistake inside a string literal, at a byte range relative to the literal's start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EscapeError {
    pub start: usize,
    pub end: usize,
    pub message: String,
}

/// Decodes a quoted string literal, including its quotes. Decoding goes on past a bad
/// escape so that every mistake in the literal is reported at once.
pub fn string(text: &str) -> (String, Vec<EscapeError>) {
    let body = text
        .strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .unwrap_or(text);
    let mut out = String::with_capacity(body.len());
    let mut errors = Vec::new();
    let mut chars = body.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        // +1 for the opening quote.
        let start = i + 1;
        match chars.next() {
            Some((_, '\\')) => out.push('\\'),
            Some((_, '"')) => out.push('"'),
            Some((_, 'n')) => out.push('\n'),
            Some((_, 't')) => out.push('\t'),
            Some((_, 'u')) => match unicode_escape(&mut chars) {
                Ok(ch) => out.push(ch),
                Err(end) => errors.push(EscapeError {
                    start,
                    end: end + 1,
                    message:
                        "invalid unicode escape: write `\\u{` hex digits `}` naming a character"
                            .into(),
                }),
            },
            Some((j, other)) => errors.push(EscapeError {
                start,
                end: j + other.len_utf8() + 1,
                message: format!("unknown escape `\\{other}`"),
            }),
            None => errors.push(EscapeError {
                start,
                end: start + 1,
                message: "a string cannot end with a lone `\\`".into(),
            }),
        }
    }
    (out, errors)
}

/// Reads `{XXXX}` after `\u`; on failure returns the body offset where reading stopped.
fn unicode_escape(
    chars: &mut std::iter::Peekable<std::str::CharIndices<'_>>,
) -> Result<char, usize> {
    let open = match chars.next() {
        Some((i, '{')) => i,
        Some((i, _)) => return Err(i),
        None => return Err(0),
    };
    let mut hex = String::new();
    let mut end = open + 1;
    for (i, c) in chars.by_ref() {
        end = i + 1;
        if c == '}' {
            let code = u32::from_str_radix(&hex, 16).map_err(|_| end)?;
            return if hex.len() <= 6 {
                char::from_u32(code).ok_or(end)
            } else {
                Err(end)
            };
        }
        hex.push(c);
        if hex.len() > 6 {
            return Err(end);
        }
    }
    Err(end)
}

/// Strips `r#"` and `"#` from a raw string; its body is taken exactly as written.
pub fn raw_string(text: &str) -> String {
    let hashes = text
        .strip_prefix('r')
        .map_or(0, |t| t.len() - t.trim_start_matches('#').len());
    let open = 2 + hashes;
    let close = 1 + hashes;
    text.get(open..text.len().saturating_sub(close))
        .unwrap_or_default()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_in_every_notation() {
        assert_eq!(int("42"), Some(42));
        assert_eq!(int("1_000"), Some(1000));
        assert_eq!(int("0xff"), Some(255));
        assert_eq!(int("-7"), Some(-7));
        assert_eq!(int("0x_FF_FF"), Some(65535));
        assert_eq!(int("999999999999999999999999999999999999999999"), None);
    }

    #[test]
    fn escapes_decode_and_bad_ones_are_reported() {
        assert_eq!(string(r#""a\\b\"c\n\t""#).0, "a\\b\"c\n\t");
        assert_eq!(string(r#""\u{1F600}""#).0, "\u{1F600}");
        let (_, errors) = string(r#""C:\Windows\x""#);
        assert_eq!(errors.len(), 2);
        assert_eq!(errors[0].message, "unknown escape `\\W`");
        assert_eq!((errors[0].start, errors[0].end), (3, 5));
        assert_eq!(string(r#""\u{110000}""#).1.len(), 1);
    }

    #[test]
    fn raw_strings_keep_backslashes() {
        assert_eq!(raw_string(r#"r"\\.\pipe""#), r"\\.\pipe");
        assert_eq!(raw_string(r###"r#"say "hi""#"###), r#"say "hi""#);
    }
}
