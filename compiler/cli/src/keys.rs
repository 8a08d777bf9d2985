//! Key files: `PREFIX.key` holds a secret Ed25519 seed, `PREFIX.pub` the public key in
//! the runtime's text format. Both are one line of text, so they diff and copy cleanly.

use std::path::Path;

use crate::bounded;
use ward_runtime::{parse_public_key, SigningKey, TrustStore, VerifyingKey};

/// The first word of a secret key file.
pub const SECRET_PREFIX: &str = "ward-ed25519-key";

pub fn format_secret(key: &SigningKey) -> String {
    let hex: String = key.to_bytes().iter().map(|b| format!("{b:02x}")).collect();
    format!("{SECRET_PREFIX} {hex}\n")
}

/// Reads a secret key file. One that users other than its owner may read is refused (as
/// ssh refuses one) unless `allow_insecure_perms`: a secret others can read is no secret.
pub fn read_secret(path: &Path, allow_insecure_perms: bool) -> Result<SigningKey, String> {
    let file = std::fs::File::open(path)
        .map_err(|e| format!("cannot read the key {}: {e}", path.display()))?;
    if !allow_insecure_perms {
        check_private(&file, path)?;
    }
    let bytes = bounded::read_from(file, bounded::KEY_FILE, path, "the key")?;
    let text = String::from_utf8(bytes)
        .map_err(|_| format!("the key {} is not UTF-8 text", path.display()))?;
    let bad = || {
        format!(
            "{} is not a Ward secret key (expected one line `{SECRET_PREFIX} <64 hex digits>`, as `ward keygen` writes)",
            path.display()
        )
    };
    // `#` lines are comments, so a published example key can say so inside the file.
    let line = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'))
        .unwrap_or_default();
    let hex = line
        .strip_prefix(SECRET_PREFIX)
        .map(str::trim)
        .filter(|h| h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()))
        .ok_or_else(bad)?;
    let mut seed = [0u8; 32];
    for (i, byte) in seed.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).map_err(|_| bad())?;
    }
    Ok(SigningKey::from_bytes(&seed))
}

/// The mode of the opened file itself (no race with a rename): no group or other bits.
#[cfg(unix)]
fn check_private(file: &std::fs::File, path: &Path) -> Result<(), String> {
    use std::os::unix::fs::PermissionsExt;
    let mode = file
        .metadata()
        .map_err(|e| format!("cannot read the key {}: {e}", path.display()))?
        .permissions()
        .mode();
    if mode & 0o077 == 0 {
        return Ok(());
    }
    Err(format!(
        "the key {} can be read by other users (mode {:03o}); make it private with `chmod 600 {}`, or pass --allow-insecure-key-perms (or set `allow_insecure_key_perms = true` under [build]) for a key that is not secret",
        path.display(),
        mode & 0o777,
        path.display()
    ))
}

#[cfg(not(unix))]
fn check_private(_file: &std::fs::File, _path: &Path) -> Result<(), String> {
    Ok(())
}

pub fn read_public(path: &Path) -> Result<VerifyingKey, String> {
    let text = bounded::read_to_string(path, bounded::KEY_FILE, "the public key")?;
    parse_public_key(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// A trust store of the given public key files, of which `threshold` must have signed.
pub fn trust_store(paths: &[std::path::PathBuf], threshold: usize) -> Result<TrustStore, String> {
    let keys = paths
        .iter()
        .map(|p| read_public(p))
        .collect::<Result<Vec<_>, _>>()?;
    TrustStore::new(keys, threshold).map_err(|e| format!("cannot build the trust store: {e}"))
}
