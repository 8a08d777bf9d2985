//! `ward verify FILE`: the runtime's verifier on a file, for a trust store and a sensor,
//! exactly as a sensor would run it before loading the channel.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use crate::host;
use crate::keys::trust_store;
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
    #[arg(long)]
    pub sensor: String,
    /// The project that declares the sensor.
    #[arg(long, default_value = ".")]
    pub project: PathBuf,
}

impl HostArgs {
    /// Verifies `file` for this host; `Err` is the exit code, the reason already printed.
    pub fn verify(
        &self,
        file: &std::path::Path,
    ) -> Result<ward_runtime::VerifiedChannel, ExitCode> {
        self.verify_listing_templates(file)
            .map(|(verified, _)| verified)
    }

    /// [`HostArgs::verify`], and the names of the templates the project declares.
    pub fn verify_listing_templates(
        &self,
        file: &std::path::Path,
    ) -> Result<(ward_runtime::VerifiedChannel, Vec<String>), ExitCode> {
        let trust = trust_store(&self.trust, self.threshold).map_err(fail)?;
        let (profile, templates) =
            host::sensor_profile(&self.project, &self.sensor).map_err(fail)?;
        let bytes = host::read_channel(file).map_err(fail)?;
        let verified = ward_runtime::verify(&bytes, &trust, &profile).map_err(|e| {
            println!("rejected: {}: {e}", file.display());
            ExitCode::from(CONTENT_ERRORS)
        })?;
        Ok((verified, templates))
    }
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The channel file.
    pub file: PathBuf,
    #[command(flatten)]
    pub host: HostArgs,
}

pub fn run(args: &VerifyArgs) -> ExitCode {
    let verified = match args.host.verify(&args.file) {
        Ok(v) => v,
        Err(code) => return code,
    };
    let signers: Vec<String> = verified.signers().iter().map(ToString::to_string).collect();
    println!(
        "valid: {}: channel `{}` ({}) version {}, {} instances, template `{}` v{}; sensor `{}` supplies inputs 1..={}; signed by {}",
        args.file.display(),
        verified.name(),
        verified.id(),
        verified.content_version(),
        verified.instances().len(),
        verified.template().name,
        verified.template().version,
        args.host.sensor,
        verified.supplied(),
        signers.join(", ")
    );
    ExitCode::from(CLEAN)
}
