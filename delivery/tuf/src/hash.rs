//! Hex, and the length-and-hashes check of TUF's `meta` and `targets` entries. An
//! unknown hash algorithm fails the check: a hash the client cannot compute proves
//! nothing, so it is never skipped.

use std::collections::BTreeMap;

use sha2::{Digest, Sha256, Sha512};

use crate::error::Error;

/// Lowercase hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// The bytes of even-length hex text, or `None`.
pub fn unhex(text: &str) -> Option<Vec<u8>> {
    if text.len() % 2 != 0 {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

/// SHA-256 of `bytes`, in hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// The hashes a repository writes for a file.
pub fn hashes_of(bytes: &[u8]) -> BTreeMap<String, String> {
    BTreeMap::from([("sha256".to_string(), sha256_hex(bytes))])
}

/// Checks `bytes` against an expected length and hashes, either of which may be absent.
pub fn check(
    what: &str,
    bytes: &[u8],
    length: Option<u64>,
    hashes: Option<&BTreeMap<String, String>>,
) -> Result<(), Error> {
    let mismatch = |reason: String| Error::Mismatch {
        what: what.to_string(),
        reason,
    };
    if let Some(length) = length {
        if u64::try_from(bytes.len()).ok() != Some(length) {
            return Err(mismatch(format!(
                "{} bytes, signed metadata says {length}",
                bytes.len()
            )));
        }
    }
    for (algorithm, expected) in hashes.into_iter().flatten() {
        let actual = match algorithm.as_str() {
            "sha256" => hex(&Sha256::digest(bytes)),
            "sha512" => hex(&Sha512::digest(bytes)),
            other => return Err(mismatch(format!("unsupported hash algorithm `{other}`"))),
        };
        if !actual.eq_ignore_ascii_case(expected) {
            return Err(mismatch(format!(
                "{algorithm} is {actual}, signed metadata says {expected}"
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trips() {
        assert_eq!(
            unhex(&hex(&[0, 1, 0xab, 0xff])),
            Some(vec![0, 1, 0xab, 0xff])
        );
        assert_eq!(unhex("abc"), None);
        assert_eq!(unhex("zz"), None);
    }

    #[test]
    fn checks_length_and_every_hash() {
        let data = b"channel";
        let hashes = hashes_of(data);
        check("f", data, Some(7), Some(&hashes)).unwrap();
        assert!(check("f", data, Some(8), Some(&hashes)).is_err());
        assert!(check("f", b"channeL", Some(7), Some(&hashes)).is_err());
        let unknown = BTreeMap::from([("md5".to_string(), "00".to_string())]);
        assert!(check("f", data, None, Some(&unknown)).is_err());
    }
}
