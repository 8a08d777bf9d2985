//! The bundled stdlib, written to a cache folder for the language server: go to
//! definition into the stdlib then lands in a real, read-only file that every editor
//! opens, where a `ward-stdlib:` URI needs an editor that knows Ward's scheme.
//!
//! The folder is named by the stdlib's digest, so a copy from another version of `ward`
//! is never used; it is written beside its final place and renamed into it, so a
//! server started meanwhile never sees half of it (docs/lsp.md, "The stdlib on disk").

use std::fs;
use std::path::{Path, PathBuf};

use ward_compiler::stdlib;

/// The folder caches go in: `$XDG_CACHE_HOME/ward`, else `~/.cache/ward`.
fn cache_root() -> Option<PathBuf> {
    let from = |var: &str| {
        std::env::var_os(var)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    from("XDG_CACHE_HOME")
        .or_else(|| from("HOME").map(|home| home.join(".cache")))
        .map(|cache| cache.join("ward"))
}

/// Whether `dir` holds exactly this stdlib's files.
fn complete(dir: &Path) -> bool {
    stdlib::FILES
        .iter()
        .all(|(name, text)| fs::read(dir.join(name)).is_ok_and(|bytes| bytes == text.as_bytes()))
}

/// Writes the stdlib's files into `dir` (a new folder), each read-only.
fn write_all(dir: &Path) -> std::io::Result<()> {
    fs::create_dir_all(dir)?;
    for (name, text) in stdlib::FILES {
        let path = dir.join(name);
        fs::write(&path, text)?;
        let mut permissions = fs::metadata(&path)?.permissions();
        permissions.set_readonly(true);
        fs::set_permissions(&path, permissions)?;
    }
    Ok(())
}

/// The folder holding this version's stdlib, written now if it is missing or damaged.
pub fn ensure() -> Result<PathBuf, String> {
    let root = cache_root().ok_or("neither XDG_CACHE_HOME nor HOME is set")?;
    ensure_in(&root)
}

/// [`ensure`] below `root`.
pub fn ensure_in(root: &Path) -> Result<PathBuf, String> {
    let dir = root.join(format!("stdlib-{}", stdlib::digest()));
    if complete(&dir) {
        return Ok(dir);
    }
    let fail = |what: &str, e: std::io::Error| format!("cannot {what} {}: {e}", dir.display());
    let staged = root.join(format!(
        ".stdlib-{}.tmp-{}",
        stdlib::digest(),
        std::process::id()
    ));
    let _ = fs::remove_dir_all(&staged);
    write_all(&staged).map_err(|e| fail("write the stdlib's copy in", e))?;
    // A damaged copy is moved away first: a folder cannot be renamed over a full one.
    if dir.exists() {
        fs::remove_dir_all(&dir).map_err(|e| fail("replace", e))?;
    }
    let placed = fs::rename(&staged, &dir);
    let _ = fs::remove_dir_all(&staged);
    // Another server may have put its own complete copy in place first.
    match placed {
        Ok(()) => Ok(dir),
        Err(_) if complete(&dir) => Ok(dir),
        Err(e) => Err(fail("create", e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_copy_is_complete_read_only_and_repaired_when_damaged() {
        let root = tempfile::tempdir().unwrap();
        let dir = ensure_in(root.path()).unwrap();
        assert!(dir.ends_with(format!("stdlib-{}", stdlib::digest())));
        for (name, text) in stdlib::FILES {
            let path = dir.join(name);
            assert_eq!(fs::read_to_string(&path).unwrap(), *text);
            assert!(fs::metadata(&path).unwrap().permissions().readonly());
        }
        // A second server reuses the copy; one whose file was changed gets it rewritten.
        assert_eq!(ensure_in(root.path()).unwrap(), dir);
        let windows = dir.join("windows.ward");
        let mut permissions = fs::metadata(&windows).unwrap().permissions();
        #[allow(clippy::permissions_set_readonly_false)] // the test damages the copy
        permissions.set_readonly(false);
        fs::set_permissions(&windows, permissions).unwrap();
        fs::write(&windows, "stale").unwrap();
        assert_eq!(ensure_in(root.path()).unwrap(), dir);
        assert!(complete(&dir));
        // Nothing but the copy is left behind.
        let entries: Vec<_> = fs::read_dir(root.path()).unwrap().collect();
        assert_eq!(entries.len(), 1);
    }
}
