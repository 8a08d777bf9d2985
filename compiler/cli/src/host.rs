//! What `verify`, `run` and `bench` share: the host side of the runtime, with a sensor
//! profile taken from a project or a generated profile file, and a channel file read
//! within the runtime's size limit.

use std::fs::File;
use std::io::Read;
use std::path::Path;

use std::process::ExitCode;

use ward_compiler::hir::SensorId;
use ward_compiler::profile::SensorExport;
use ward_runtime::limits::MAX_FILE_SIZE;
use ward_runtime::SensorProfile;

use crate::bounded;
use crate::load::{load, load_declarations, Loaded};
use crate::output::{fail, print_diagnostics, ColorChoice, DiagnosticsFormat, CONTENT_ERRORS};

/// The profile of sensor `name` as the project at `dir` declares it (the stdlib included),
/// and the names of the templates the project knows (so `ward run` can tell an event of
/// another channel's template from a misspelt template name). Only the declarations
/// matter here, so only they are checked (channels and tests are parsed, not checked);
/// diagnostics are `ward check`'s business.
pub fn sensor_profile(dir: &Path, name: &str) -> Result<(SensorProfile, Vec<String>), ExitCode> {
    let loaded = load_declarations(dir)?;
    let id = find_sensor(&loaded, dir, name).map_err(fail)?;
    let program = &loaded.checked.program;
    let templates = program.templates.iter().map(|t| t.name.clone()).collect();
    Ok((SensorExport::of(program, id).profile(), templates))
}

/// The generated profile of sensor `name`, for `ward sensor export`: refused (exit 1, the
/// diagnostics printed) while the project has errors, since a sensor's build embeds it.
pub fn sensor_export(dir: &Path, name: &str) -> Result<SensorExport, ExitCode> {
    let loaded = load(dir, false)?;
    if loaded.has_errors() {
        print_diagnostics(
            &loaded.project.sources,
            &loaded.diagnostics,
            DiagnosticsFormat::Human,
            ColorChoice::Auto,
        )?;
        eprintln!("error: the project has errors; a profile is exported only from a clean project");
        return Err(ExitCode::from(CONTENT_ERRORS));
    }
    let id = find_sensor(&loaded, dir, name).map_err(fail)?;
    Ok(SensorExport::of(&loaded.checked.program, id))
}

/// Reads a profile file written by `ward sensor export --lang json`: the profile, and the
/// names of the templates it supplies.
pub fn profile_file(path: &Path) -> Result<(SensorProfile, Vec<String>), String> {
    let text = bounded::read_to_string(path, bounded::PROFILE_FILE, "the profile")?;
    SensorExport::from_json(&text)
        .map(|e| {
            let templates = e.templates.iter().map(|t| t.name.clone()).collect();
            (e.profile(), templates)
        })
        .map_err(|e| format!("{}: not a sensor profile: {e}", path.display()))
}

fn find_sensor(loaded: &Loaded, dir: &Path, name: &str) -> Result<SensorId, String> {
    let program = &loaded.checked.program;
    match program.sensor_by_name(name) {
        Some((id, _)) => Ok(id),
        None => {
            let known: Vec<&str> = program.sensors.iter().map(|s| s.name.as_str()).collect();
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

/// The events of `ward run` and `ward bench`, within [`bounded::EVENTS_FILE`]: the file,
/// or standard input for `-` (so events can be piped in from a sensor log or a
/// decompressor).
pub fn read_events(path: &Path) -> Result<Vec<u8>, String> {
    let what = "the events";
    if path.as_os_str() == "-" {
        return bounded::read_from(std::io::stdin().lock(), bounded::EVENTS_FILE, path, what);
    }
    bounded::read(path, bounded::EVENTS_FILE, what)
}
