//! `ward keygen --out PREFIX`: a new Ed25519 signing key pair.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use ward_runtime::{format_public_key, key_id, SigningKey};

use crate::atomic::write_all;
use crate::keys::format_secret;
use crate::output::outln;
use crate::output::{fail, CLEAN};

#[derive(Debug, Args)]
pub struct KeygenArgs {
    /// Writes PREFIX.key (secret, mode 0600) and PREFIX.pub.
    #[arg(long, value_name = "PREFIX")]
    pub out: PathBuf,
    /// Replace existing key files.
    #[arg(long)]
    pub force: bool,
}

pub fn run(args: &KeygenArgs) -> ExitCode {
    let secret_path = args.out.with_extension("key");
    let public_path = args.out.with_extension("pub");
    for path in [&secret_path, &public_path] {
        if path.exists() && !args.force {
            return fail(format!(
                "{} exists; a key is not replaced without --force (signed channels would no longer verify against its public key)",
                path.display()
            ));
        }
    }
    let mut seed = [0u8; 32];
    if let Err(e) = getrandom::fill(&mut seed) {
        return fail(format!("the operating system gave no randomness: {e}"));
    }
    let key = SigningKey::from_bytes(&seed);
    let public = key.verifying_key();
    let files = [
        (
            secret_path.clone(),
            format_secret(&key).into_bytes(),
            Some(0o600),
        ),
        (
            public_path.clone(),
            format_public_key(&public).into_bytes(),
            Some(0o644),
        ),
    ];
    if let Err(e) = write_all(&files) {
        return fail(format!("cannot write the key files: {e}"));
    }
    outln!(
        "wrote {} (secret: keep it out of version control) and {}\nkey id {}",
        secret_path.display(),
        public_path.display(),
        key_id(&public)
    );
    ExitCode::from(CLEAN)
}
