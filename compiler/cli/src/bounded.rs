//! Every file a command is given is read within a stated bound, so a path such as
//! `/dev/zero`, a FIFO that never ends or a huge file is a clear error (exit 2), never a
//! read until memory runs out. The bounds sit here, one per kind of input; channel files
//! are bounded by the runtime's own `MAX_FILE_SIZE` (host.rs), sources and Ward.toml by
//! the compiler's `MAX_SOURCE_FILE` (disk.rs).

use std::io::Read;
use std::path::Path;

/// A key file (`ward keygen`'s `.key` and `.pub`): one line of text, comments allowed.
pub const KEY_FILE: u64 = 64 * 1024;
/// A generated sensor profile (`ward sensor export --lang json`).
pub const PROFILE_FILE: u64 = 16 * 1024 * 1024;
/// An events file of `ward run`, `ward bench` or a `[budget]` (JSON Lines, .evtx or a
/// JSON dump), standard input included.
pub const EVENTS_FILE: u64 = 256 * 1024 * 1024;
/// A Sigma rule file for `ward import sigma`.
pub const RULE_FILE: u64 = 16 * 1024 * 1024;

/// A fleet scenario of `ward simulate` (TOML).
pub const SCENARIO_FILE: u64 = 1024 * 1024;

/// Reads `path` (the `what` of the error message), refusing more than `limit` bytes.
pub fn read(path: &Path, limit: u64, what: &str) -> Result<Vec<u8>, String> {
    let file = std::fs::File::open(path)
        .map_err(|e| format!("cannot read {what} {}: {e}", path.display()))?;
    read_from(file, limit, path, what)
}

/// [`read`] as text: a file that is not UTF-8 is an error too.
pub fn read_to_string(path: &Path, limit: u64, what: &str) -> Result<String, String> {
    String::from_utf8(read(path, limit, what)?)
        .map_err(|e| format!("{what} {} is not UTF-8 text: {e}", path.display()))
}

/// Reads everything from `reader` (named `path` in errors), refusing more than `limit`
/// bytes: one byte past the limit is read, never more.
pub fn read_from(
    reader: impl Read,
    limit: u64,
    path: &Path,
    what: &str,
) -> Result<Vec<u8>, String> {
    let mut bytes = Vec::new();
    reader
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read {what} {}: {e}", path.display()))?;
    if u64::try_from(bytes.len()).unwrap_or(u64::MAX) > limit {
        return Err(format!(
            "{what} {} is larger than the {limit}-byte limit",
            path.display()
        ));
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_read_stops_one_byte_past_its_limit() {
        let zeros = std::io::repeat(0);
        let err = read_from(zeros, 10, Path::new("/dev/zero"), "the key").unwrap_err();
        assert_eq!(err, "the key /dev/zero is larger than the 10-byte limit");
        let exact = read_from(&[1u8; 10][..], 10, Path::new("x"), "the key").unwrap();
        assert_eq!(exact.len(), 10);
    }
}
