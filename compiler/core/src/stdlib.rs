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
