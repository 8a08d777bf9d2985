//! `ward verify FILE`: the runtime's verifier on a file, for a trust store and a sensor,
//! exactly as a sensor would run it before loading the channel.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use crate::host;
use crate::keys::trust_store;
use crate::output::outln;
use crate::output::{fail, CLEAN, CONTENT_ERRORS};

/// The host a channel is verified for: shared by `verify` and `run`.
#[derive(Debug, Args)]
pub struct HostArgs {
    /// Public key files the host trusts (`ward keygen` writes them as PREFIX.pub).
    #[arg(long = "trust", value_name = "PUBFILE", required = true, num_args = 1..)]
    pub trust: Vec<PathBuf>,
    /// How many distinct trusted keys must have signed.
    #[arg(long, default_value_t = 1)]
    pub threshold: usize,
    /// The sensor to verify for, as declared in the project (or the stdlib).
    #[arg(long, required_unless_present = "profile", conflicts_with = "profile")]
    pub sensor: Option<String>,
    /// The project that declares the sensor.
    #[arg(long, default_value = ".", conflicts_with = "profile")]
    pub project: PathBuf,
    /// A generated profile file (`ward sensor export NAME --lang json`) to verify for,
    /// instead of loading the project to read the sensor's declaration.
    #[arg(long, value_name = "FILE.json")]
    pub profile: Option<PathBuf>,
}

impl HostArgs {
    /// Verifies `file` for this host; `Err` is the exit code, the reason already printed.
    pub fn verify(
        &self,
        file: &std::path::Path,
    ) -> Result<ward_runtime::VerifiedChannel, ExitCode> {
        self.verify_for(file).map(|v| v.channel)
    }

    /// [`HostArgs::verify`], with the sensor it was verified for and the names of the
    /// templates its profile knows.
    pub fn verify_for(&self, file: &std::path::Path) -> Result<Verified, ExitCode> {
        let trust = trust_store(&self.trust, self.threshold).map_err(fail)?;
        let (profile, templates) = self.profile()?;
        let bytes = host::read_channel(file).map_err(fail)?;
        let channel = ward_runtime::verify(&bytes, &trust, &profile).map_err(|e| {
            outln!("rejected: {}: {e}", file.display());
            ExitCode::from(CONTENT_ERRORS)
        })?;
        Ok(Verified {
            channel,
            sensor: profile.name,
            templates,
        })
    }

    /// The sensor's profile: from the profile file, or from the project's declaration.
    pub fn profile(&self) -> Result<(ward_runtime::SensorProfile, Vec<String>), ExitCode> {
        match (&self.profile, &self.sensor) {
            (Some(file), _) => host::profile_file(file).map_err(fail),
            (None, Some(sensor)) => host::sensor_profile(&self.project, sensor),
            // clap requires one of the two.
            (None, None) => Err(fail("give --sensor NAME or --profile FILE.json")),
        }
    }
}

/// A channel verified for a host, with what the host's profile said.
pub struct Verified {
    pub channel: ward_runtime::VerifiedChannel,
    /// The sensor's name, from its declaration or its generated profile file.
    pub sensor: String,
    pub templates: Vec<String>,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The channel file.
    pub file: PathBuf,
    #[command(flatten)]
    pub host: HostArgs,
}

pub fn run(args: &VerifyArgs) -> ExitCode {
    let Verified {
        channel: verified,
        sensor,
        ..
    } = match args.host.verify_for(&args.file) {
        Ok(v) => v,
        Err(code) => return code,
    };
    let signers: Vec<String> = verified.signers().iter().map(ToString::to_string).collect();
    outln!(
        "valid: {}: channel `{}` ({}) version {}, {} instances, template `{}` v{}; sensor `{}` supplies inputs 1..={}; signed by {}",
        args.file.display(),
        verified.name(),
        verified.id(),
        verified.content_version(),
        verified.instances().len(),
        verified.template().name,
        verified.template().version,
        sensor,
        verified.supplied(),
        signers.join(", ")
    );
    ExitCode::from(CLEAN)
}
