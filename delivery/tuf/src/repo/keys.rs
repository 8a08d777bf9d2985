//! The key directory: `KEYS/ROLE/KEYID.json`, mode 0600, one sub-directory per role so
//! the root and targets keys can be carried offline and only `timestamp/` stays on
//! the machine that re-signs the timestamp. Rotated-out keys move to `KEYS/retired/`.

use std::fs;
use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::key::KeyPair;
use crate::metadata::Root;

/// A directory of role keys.
#[derive(Debug, Clone)]
pub struct KeyDir {
    dir: PathBuf,
}

impl KeyDir {
    pub fn new(dir: impl Into<PathBuf>) -> KeyDir {
        KeyDir { dir: dir.into() }
    }

    /// The directory itself.
    pub fn path(&self) -> &Path {
        &self.dir
    }

    fn role_dir(&self, role: &str) -> PathBuf {
        self.dir.join(role)
    }

    /// Writes `key` for `role`, readable by its owner only.
    pub fn write(&self, role: &str, key: &KeyPair) -> Result<(), Error> {
        let dir = self.role_dir(role);
        let path = dir.join(format!("{}.json", key.public().key_id()));
        let io = |op, source| Error::Io {
            op,
            path: path.clone(),
            source,
        };
        fs::create_dir_all(&dir).map_err(|e| io("create the key directory for", e))?;
        write_private(&path, key.to_file_text().as_bytes()).map_err(|e| io("write the key", e))
    }

    /// The keys of `role` that `root` lists; fewer than its threshold is an error that
    /// says which keys are missing (an offline key not brought back, say).
    pub fn load(&self, root: &Root, role: &str) -> Result<Vec<KeyPair>, Error> {
        let Some(wanted) = root.roles.get(role) else {
            return Err(Error::Refused {
                reason: format!("root has no `{role}` role"),
            });
        };
        let mut found = Vec::new();
        for keyid in &wanted.keyids {
            let path = self.role_dir(role).join(format!("{keyid}.json"));
            if let Ok(text) = fs::read_to_string(&path) {
                found.push(KeyPair::from_file_text(&text, &path.display().to_string())?);
            }
        }
        if u64::try_from(found.len()).unwrap_or(0) < wanted.threshold {
            return Err(Error::Refused {
                reason: format!(
                    "{role}: {} of the {} key(s) needed are in {} (bring the offline keys back to sign)",
                    found.len(),
                    wanted.threshold,
                    self.role_dir(role).display()
                ),
            });
        }
        Ok(found)
    }

    /// Moves `keyids` of `role` that `root` no longer uses for it to `retired/`.
    pub fn retire(&self, role: &str, keyids: &[String], root: &Root) -> Result<(), Error> {
        let retired = self.dir.join("retired");
        for keyid in keyids {
            if root
                .roles
                .get(role)
                .is_some_and(|r| r.keyids.contains(keyid))
            {
                continue;
            }
            let from = self.role_dir(role).join(format!("{keyid}.json"));
            if !from.exists() {
                continue;
            }
            let io = |source| Error::Io {
                op: "retire the key",
                path: from.clone(),
                source,
            };
            fs::create_dir_all(&retired).map_err(io)?;
            fs::rename(&from, retired.join(format!("{role}-{keyid}.json"))).map_err(io)?;
        }
        Ok(())
    }
}

#[cfg(unix)]
/// Creates `path` (never over an existing file) readable and writable by its owner only.
pub fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write as _;
    use std::os::unix::fs::OpenOptionsExt as _;
    let mut file = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

#[cfg(not(unix))]
/// Creates `path` (never over an existing file) readable and writable by its owner only.
pub fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    fs::write(path, bytes)
}
