//! The host's random id, made once and kept on disk: the cohort bucket of every release
//! is a hash of it (`ward_rollout::cohort`), so a host keeps its place in each rollout
//! across restarts. It is random rather than derived from the machine, so it says
//! nothing about the host, and 128 bits so ten million hosts never share one.

use std::path::Path;

use ward_rollout::HostId;
use ward_tuf::repo::{read_limited, write_atomic};
use ward_tuf::Error;

/// The id in `path`, or a new random one written there if the file does not exist. A
/// file that exists but does not hold an id is an error, not a reason to draw a new one
/// (which would move the host to other rings).
pub fn load_or_create(path: &Path) -> Result<HostId, Error> {
    match read_limited(path, 64) {
        Ok(bytes) => std::str::from_utf8(&bytes)
            .ok()
            .and_then(HostId::from_hex)
            .ok_or_else(|| Error::Refused {
                reason: format!("{} does not hold a host id (32 hex digits)", path.display()),
            }),
        Err(Error::Io { source, .. }) if source.kind() == std::io::ErrorKind::NotFound => {
            let mut id = [0u8; 16];
            getrandom::fill(&mut id).map_err(|e| Error::Refused {
                reason: format!("no randomness for a host id: {e}"),
            })?;
            let id = HostId(id);
            write_atomic(path, format!("{}\n", id.to_hex()).as_bytes())?;
            Ok(id)
        }
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_id_is_made_once_and_kept() {
        let dir = tempfile::TempDir::new().unwrap();
        let path = dir.path().join("host.id");
        let first = load_or_create(&path).unwrap();
        assert_eq!(load_or_create(&path).unwrap(), first);
        let other = tempfile::TempDir::new().unwrap();
        assert_ne!(
            load_or_create(&other.path().join("host.id")).unwrap(),
            first
        );
        std::fs::write(&path, "not an id").unwrap();
        let error = load_or_create(&path).unwrap_err().to_string();
        assert!(error.contains("does not hold a host id"), "{error}");
    }
}
