//! `ward reset-record`: signs a record reset, the signed rollback that gives a channel id
//! frozen at the version ceiling its room back (docs/delivery.md, "Content versions").
//! The format and its signature are `ward_runtime::verify_reset` and
//! `ward_encode::sign_reset`; a host's store takes it with `ChannelStore::reset_record`,
//! together with the channel at the `--to` version.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use ward_encode::sign_reset;
use ward_runtime::limits::MAX_CONTENT_VERSION;
use ward_runtime::RecordReset;

use crate::atomic::write_all;
use crate::keys::read_secret;
use crate::output::outln;
use crate::output::{fail, CLEAN};

#[derive(Debug, Args)]
pub struct ResetRecordArgs {
    /// The channel id whose highest accepted version is reset.
    #[arg(long)]
    pub channel: u32,
    /// The highest version the hosts accepted (the frozen one); the reset applies only
    /// on a host whose store has exactly this one as its highest.
    #[arg(long)]
    pub from: u64,
    /// The highest version from then on, below `--from`: hosts take the channel at this
    /// version with the reset, and anything newer after it.
    #[arg(long)]
    pub to: u64,
    /// The reset's own number for this channel id, above every earlier reset of it: a
    /// store takes each serial once.
    #[arg(long)]
    pub serial: u64,
    /// A channel signing key; give it several times to meet a threshold.
    #[arg(long, value_name = "KEYFILE", required = true)]
    pub key: Vec<PathBuf>,
    /// Sign with a key file that other users can read, which is otherwise refused.
    #[arg(long)]
    pub allow_insecure_key_perms: bool,
    /// Where to write the signed reset.
    #[arg(long)]
    pub out: PathBuf,
}

pub fn run(args: &ResetRecordArgs) -> ExitCode {
    if args.to >= args.from {
        return fail(format!(
            "--to {} is not below --from {}: a reset lowers the highest accepted version",
            args.to, args.from
        ));
    }
    if args.from > MAX_CONTENT_VERSION {
        return fail(format!(
            "--from {} is above the largest content version {MAX_CONTENT_VERSION}, which no store accepted",
            args.from
        ));
    }
    let mut keys = Vec::new();
    for path in &args.key {
        match read_secret(path, args.allow_insecure_key_perms) {
            Ok(key) => keys.push(key),
            Err(e) => return fail(e),
        }
    }
    let reset = RecordReset {
        channel_id: args.channel,
        from: args.from,
        to: args.to,
        serial: args.serial,
    };
    let bytes = match sign_reset(&reset, &keys.iter().collect::<Vec<_>>()) {
        Ok(bytes) => bytes,
        Err(e) => return fail(e),
    };
    if let Err(e) = write_all(&[(args.out.clone(), bytes, None)]) {
        return fail(format!("cannot write {}: {e}", args.out.display()));
    }
    outln!(
        "wrote {}: channel {} resets from version {} to {} (reset {})",
        args.out.display(),
        args.channel,
        args.from,
        args.to,
        args.serial
    );
    ExitCode::from(CLEAN)
}
