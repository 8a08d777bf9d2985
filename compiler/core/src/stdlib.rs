//! The bundled standard templates, enums and sensor profiles, embedded in the binary and
//! always in scope.

/// `(file name, contents)` of every stdlib file.
pub const FILES: &[(&str, &str)] = &[
    (
        "common.ward",
        include_str!("../../../stdlib-templates/common.ward"),
    ),
    (
        "windows.ward",
        include_str!("../../../stdlib-templates/windows.ward"),
    ),
    (
        "linux.ward",
        include_str!("../../../stdlib-templates/linux.ward"),
    ),
    (
        "macos.ward",
        include_str!("../../../stdlib-templates/macos.ward"),
    ),
];

/// A short digest of every stdlib file's name and contents: a copy of the stdlib written
/// somewhere (the language server's, for editors) is named by it, so a copy of another
/// version is never taken for this one.
pub fn digest() -> String {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    for (name, text) in FILES {
        for part in [name.as_bytes(), text.as_bytes()] {
            hasher.update((part.len() as u64).to_le_bytes());
            hasher.update(part);
        }
    }
    hasher
        .finalize()
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect()
}
