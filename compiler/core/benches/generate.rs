//! Generates a realistic content project of any size, for benchmarks: channels of 5,000
//! instances on `ProcessStart`, with the mix of criteria the examples use (suffixes,
//! substrings, globs, enum lists, integer bounds, and one regex in twenty instances).

use std::path::Path;

use ward_compiler::io::MemoryFs;

pub const PER_CHANNEL: usize = 5_000;

/// A project of `instances` instances, and its number of source lines.
pub fn project(root: &Path, instances: usize) -> (MemoryFs, usize) {
    let mut fs = MemoryFs::new();
    fs.insert(root.join("Ward.toml"), "[project]\nname = \"bench\"\n");
    let mut lines = 2;
    let channels = instances.div_ceil(PER_CHANNEL);
    for c in 0..channels {
        let mut src = format!(
            "/// Generated channel {c}.\nchannel Generated{c} = {id} {{\n    version 1\n    template ProcessStart\n    targets [windows_7_11, windows_7_12]\n\n",
            id = 10_000 + c
        );
        let count = PER_CHANNEL.min(instances - c * PER_CHANNEL);
        for i in 0..count {
            let n = c * PER_CHANNEL + i;
            src.push_str(&instance(n));
        }
        src.push_str("}\n");
        lines += src.lines().count();
        fs.insert(root.join(format!("channels/generated_{c}.ward")), src);
    }
    (fs, lines)
}

fn instance(n: usize) -> String {
    let criteria = match n % 5 {
        0 => format!("        image ends_with r\"\\tool{n}.exe\"\n        command_line contains \"-enc{n}\"\n"),
        1 => format!("        parent_image glob r\"C:\\Users\\*\\AppData\\*\\x{n}.exe\"\n        integrity in [high, system]\n"),
        2 => format!("        command_line starts_with \"rundll32 {n}\"\n        pid > 4\n        session_id != 0\n"),
        3 => format!("        user == \"svc_{n}\"\n        current_directory starts_with r\"C:\\Windows\\Temp\\{n}\"\n"),
        _ if n % 20 == 4 => format!("        command_line matches r\"(?i)payload{n}\\b\"\n"),
        _ => format!("        original_file_name in [r\"a{n}.exe\", r\"b{n}.exe\", r\"c{n}.exe\"]\n"),
    };
    format!(
        "    /// Generated instance {n}.\n    instance generated_{n} = {n} {{\n{criteria}        severity medium\n        tags [\"attack.t1059\"]\n    }}\n"
    )
}
