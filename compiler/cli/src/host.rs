//! What `verify`, `run` and `bench` share: the host side of the runtime, with a sensor
//! profile taken from a project and a channel file read within the runtime's size limit.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use ward_compiler::{lower, project};
use ward_runtime::limits::MAX_FILE_SIZE;
use ward_runtime::SensorProfile;

use crate::disk::DiskFs;

/// The profile of sensor `name` as the project at `dir` declares it (the stdlib included),
/// and the names of the templates the project knows (so `ward run` can tell an event of
/// another channel's template from a misspelt template name).
pub fn sensor_profile(dir: &Path, name: &str) -> Result<(SensorProfile, Vec<String>), String> {
    let project = project::load(&DiskFs, dir).map_err(|e| e.to_string())?;
    // Only the declarations matter here; diagnostics are `ward check`'s business.
    let checked = ward_compiler::check(&project.sources);
    let templates = checked
        .program
        .templates
        .iter()
        .map(|t| t.name.clone())
        .collect();
    match checked.program.sensor_by_name(name) {
        Some((id, _)) => Ok((lower::sensor_profile(&checked.program, id), templates)),
        None => {
            let known: Vec<&str> = checked
                .program
                .sensors
                .iter()
                .map(|s| s.name.as_str())
                .collect();
            Err(format!(
                "the project at {} declares no sensor `{name}`; its sensors are {}",
                dir.display(),
                known.join(", ")
            ))
        }
    }
}

/// Reads a channel file, never more than one byte past the runtime's limit, so a huge
/// file is refused by the verifier's own size check without being read whole.
pub fn read_channel(path: &Path) -> Result<Vec<u8>, String> {
    let file = File::open(path).map_err(|e| format!("cannot open {}: {e}", path.display()))?;
    let mut bytes = Vec::new();
    file.take(MAX_FILE_SIZE as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    Ok(bytes)
}

/// The JSON Lines events of `ward run` and `ward bench`: the file, or standard input for
/// `-` (so events can be piped in from a sensor log or a decompressor).
pub fn open_events(path: &Path) -> Result<Box<dyn BufRead>, String> {
    if path.as_os_str() == "-" {
        return Ok(Box::new(std::io::stdin().lock()));
    }
    File::open(path)
        .map(|f| Box::new(BufReader::new(f)) as Box<dyn BufRead>)
        .map_err(|e| format!("cannot open {}: {e}", path.display()))
}
