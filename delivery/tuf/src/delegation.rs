//! Which delegated roles may sign for a target path: `paths` patterns (shell-style,
//! matched one `/`-separated segment at a time, so `*` never crosses a `/`),
//! `path_hash_prefixes`, and succinct hash bins.

use sha2::{Digest, Sha256};

use crate::hash::hex;
use crate::metadata::{DelegatedRole, Delegations, SuccinctRoles};

/// The roles of `delegations` trusted for `target`, in order, each with whether it is
/// terminating.
pub fn roles_for(delegations: &Delegations, target: &str) -> Vec<(String, bool)> {
    let mut out: Vec<(String, bool)> = delegations
        .roles
        .iter()
        .flatten()
        .filter(|r| is_delegated(r, target))
        .map(|r| (r.name.clone(), r.terminating))
        .collect();
    if let Some(succinct) = &delegations.succinct_roles {
        out.push((bin_for(succinct, target), true));
    }
    out
}

fn is_delegated(role: &DelegatedRole, target: &str) -> bool {
    if let Some(paths) = &role.paths {
        return paths.iter().any(|p| path_matches(p, target));
    }
    if let Some(prefixes) = &role.path_hash_prefixes {
        let digest = hex(&Sha256::digest(target.as_bytes()));
        return prefixes.iter().any(|p| digest.starts_with(p.as_str()));
    }
    false
}

/// Whether `target` matches `pattern`, segment by segment.
pub fn path_matches(pattern: &str, target: &str) -> bool {
    let pats: Vec<&str> = pattern.split('/').collect();
    let parts: Vec<&str> = target.split('/').collect();
    pats.len() == parts.len()
        && pats
            .iter()
            .zip(&parts)
            .all(|(p, t)| glob(p.as_bytes(), t.as_bytes()))
}

/// fnmatch of one segment: `*`, `?`, `[set]`, `[!set]`. Iterative with one backtrack
/// point, so its time is bounded by the product of the lengths.
fn glob(pat: &[u8], text: &[u8]) -> bool {
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match pat.get(p) {
            Some(b'*') => {
                star = Some((p, t));
                p += 1;
                continue;
            }
            Some(&c) => {
                if let Some((matched, next)) = one(pat, p, c, text[t]) {
                    if matched {
                        p = next;
                        t += 1;
                        continue;
                    }
                }
            }
            None => {}
        }
        match star {
            Some((sp, st)) => {
                p = sp + 1;
                t = st + 1;
                star = Some((sp, st + 1));
            }
            None => return false,
        }
    }
    pat[p..].iter().all(|&c| c == b'*')
}

/// Whether pattern item at `p` (first byte `c`) matches `ch`, and where the next item
/// starts; `None` for a malformed set, which then matches literally like fnmatch.
fn one(pat: &[u8], p: usize, c: u8, ch: u8) -> Option<(bool, usize)> {
    match c {
        b'?' => Some((true, p + 1)),
        b'[' => {
            let mut i = p + 1;
            let negate = pat.get(i) == Some(&b'!');
            if negate {
                i += 1;
            }
            let start = i;
            let mut found = false;
            while let Some(&x) = pat.get(i) {
                if x == b']' && i > start {
                    return Some((found != negate, i + 1));
                }
                if pat.get(i + 1) == Some(&b'-') && pat.get(i + 2).is_some_and(|&e| e != b']') {
                    found |= (x..=pat[i + 2]).contains(&ch);
                    i += 3;
                } else {
                    found |= x == ch;
                    i += 1;
                }
            }
            Some((ch == b'[', p + 1))
        }
        _ => Some((c == ch, p + 1)),
    }
}

/// The succinct bin role name for `target`: the first `bit_length` bits of its SHA-256,
/// as hex of the width that `2^bit_length - 1` needs.
pub fn bin_for(succinct: &SuccinctRoles, target: &str) -> String {
    let digest = Sha256::digest(target.as_bytes());
    let first = u32::from_be_bytes([digest[0], digest[1], digest[2], digest[3]]);
    let bits = succinct.bit_length.clamp(1, 32);
    let bin = if bits == 32 {
        first
    } else {
        first >> (32 - bits)
    };
    let width = usize::try_from(bits.div_ceil(4)).unwrap_or(8);
    format!("{}-{bin:0width$x}", succinct.name_prefix)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn star_stays_in_its_segment() {
        assert!(path_matches("targets/*.chan", "targets/a.chan"));
        assert!(!path_matches("targets/*.chan", "targets/x/a.chan"));
        assert!(!path_matches("*", "a/b"));
        assert!(path_matches("*/*", "a/b"));
        assert!(path_matches("a?c", "abc"));
        assert!(path_matches("[a-c]x", "bx"));
        assert!(!path_matches("[!a-c]x", "bx"));
        assert!(path_matches("file*", "file"));
        assert!(!path_matches("file", "files"));
    }

    #[test]
    fn bins_use_the_leading_bits() {
        let s = SuccinctRoles {
            keyids: vec![],
            threshold: 1,
            bit_length: 8,
            name_prefix: "bin".into(),
        };
        let digest = hex(&Sha256::digest(b"a.txt"));
        assert_eq!(bin_for(&s, "a.txt"), format!("bin-{}", &digest[..2]));
    }
}
