//! The version record, `N.version`: the highest content version ever accepted for a
//! channel id, as canonical decimal text and a newline. It is the anchor of anti-rollback,
//! so it fails closed: only the one spelling `format` writes is read back (no sign, no
//! leading zero, no space), and anything else is an error, never "no record".

/// The record's text for `version`.
pub fn format(version: u64) -> String {
    format!("{version}\n")
}

/// The version in a record's bytes, or why they are not a record.
pub fn parse(bytes: &[u8]) -> Result<u64, &'static str> {
    let digits = bytes
        .strip_suffix(b"\n")
        .ok_or("it does not end in a newline")?;
    decimal(digits)
}

/// A number in canonical decimal, as every number in the store's text files is written.
pub fn decimal(digits: &[u8]) -> Result<u64, &'static str> {
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return Err("it is not a decimal number");
    }
    if digits.len() > 1 && digits.starts_with(b"0") {
        return Err("it has a leading zero");
    }
    std::str::from_utf8(digits)
        .ok()
        .and_then(|d| d.parse().ok())
        .ok_or("it is over the largest number")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_canonical_spelling_is_a_record() {
        for v in [0, 1, 99, u64::MAX] {
            assert_eq!(parse(format(v).as_bytes()), Ok(v));
        }
        for bad in [
            &b"+99\n"[..],
            b"099\n",
            b"00\n",
            b"99",
            b" 99\n",
            b"99 \n",
            b"99\n\n",
            b"-1\n",
            b"\n",
            b"",
            b"18446744073709551616\n",
            b"9\xff\n",
        ] {
            assert!(parse(bad).is_err(), "{bad:?} parsed");
        }
    }
}
