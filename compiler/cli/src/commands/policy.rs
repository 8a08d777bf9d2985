//! `ward policy keygen|sign|show`: the customer's host policy (ring, delay, pause, pin,
//! maintenance windows), signed with the customer's own key. The format and the checks
//! are `ward_rollout::policy` and `ward_updater::policy`; this is the shell. A bad
//! policy is refused with what is wrong and where (exit 1), and nothing is written.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Subcommand};
use serde::Deserialize;
use ward_rollout::Policy;
use ward_tuf::{Key, KeyPair};

use crate::output::{fail, CLEAN, CONTENT_ERRORS};

#[derive(Debug, Args)]
pub struct PolicyArgs {
    #[command(subcommand)]
    pub command: PolicyCommand,
}

#[derive(Debug, Subcommand)]
pub enum PolicyCommand {
    /// Make the customer's key pair: PREFIX.key (mode 0600) and PREFIX.pub.
    Keygen {
        #[arg(long, value_name = "PREFIX")]
        out: PathBuf,
    },
    /// Sign a policy written in TOML (`version = N` and a `[policy]` table).
    Sign {
        policy: PathBuf,
        /// The customer's private key (from `ward policy keygen`).
        #[arg(long)]
        key: PathBuf,
        #[arg(long)]
        out: PathBuf,
    },
    /// Verify a signed policy with the customer's public key and print it.
    Show {
        policy: PathBuf,
        /// The customer's public key (PREFIX.pub).
        #[arg(long = "pub", value_name = "FILE")]
        public: PathBuf,
    },
}

/// A policy as a customer writes it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PolicyToml {
    version: u64,
    policy: Policy,
}

fn content_error(message: impl std::fmt::Display) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(CONTENT_ERRORS)
}

fn with_extension(prefix: &Path, ext: &str) -> PathBuf {
    let mut name = prefix.as_os_str().to_owned();
    name.push(ext);
    PathBuf::from(name)
}

pub fn run(args: &PolicyArgs) -> ExitCode {
    match &args.command {
        PolicyCommand::Keygen { out } => {
            let pair = match KeyPair::generate() {
                Ok(p) => p,
                Err(e) => return fail(e),
            };
            let (secret, public) = (with_extension(out, ".key"), with_extension(out, ".pub"));
            let public_text = serde_json::to_string_pretty(&pair.public()).unwrap_or_default();
            if let Err(e) = ward_tuf::repo::write_private(&secret, pair.to_file_text().as_bytes()) {
                return fail(format!("cannot write {}: {e}", secret.display()));
            }
            if let Err(e) = std::fs::write(&public, public_text + "\n") {
                return fail(format!("cannot write {}: {e}", public.display()));
            }
            println!(
                "wrote {} (keep it with the customer, not the vendor) and {}; key id {}",
                secret.display(),
                public.display(),
                pair.public().key_id()
            );
            ExitCode::from(CLEAN)
        }
        PolicyCommand::Sign { policy, key, out } => {
            let text = match std::fs::read_to_string(policy) {
                Ok(t) => t,
                Err(e) => return fail(format!("cannot read {}: {e}", policy.display())),
            };
            let parsed: PolicyToml = match toml::from_str(&text) {
                Ok(p) => p,
                Err(e) => return content_error(format!("{}: {}", policy.display(), e.message())),
            };
            if let Err(e) = parsed.policy.validate() {
                return content_error(format!("{}: {e}", policy.display()));
            }
            let pair = match std::fs::read_to_string(key)
                .map_err(|e| format!("cannot read {}: {e}", key.display()))
                .and_then(|t| {
                    KeyPair::from_file_text(&t, &key.display().to_string())
                        .map_err(|e| e.to_string())
                }) {
                Ok(p) => p,
                Err(e) => return fail(e),
            };
            let signed = ward_updater::policy::sign(
                parsed.policy,
                parsed.version,
                ward_tuf::time::now(),
                &pair,
            );
            match signed.and_then(|bytes| ward_tuf::repo::write_atomic(out, &bytes)) {
                Ok(()) => {
                    println!(
                        "signed policy version {} into {}",
                        parsed.version,
                        out.display()
                    );
                    ExitCode::from(CLEAN)
                }
                Err(e) => fail(e),
            }
        }
        PolicyCommand::Show { policy, public } => {
            let key: Key = match std::fs::read_to_string(public)
                .map_err(|e| e.to_string())
                .and_then(|t| serde_json::from_str(&t).map_err(|e| e.to_string()))
            {
                Ok(k) => k,
                Err(e) => return fail(format!("{}: not a public key: {e}", public.display())),
            };
            let bytes = match ward_tuf::repo::read_limited(
                policy,
                ward_updater::policy::MAX_POLICY_BYTES,
            ) {
                Ok(b) => b,
                Err(e) => return fail(e),
            };
            match ward_updater::policy::verify(&bytes, &policy.display().to_string(), &[key]) {
                Ok(doc) => {
                    let shown = serde_json::json!({
                        "version": doc.signed.common.version,
                        "policy": doc.signed.policy,
                    });
                    println!(
                        "{}",
                        serde_json::to_string_pretty(&shown).unwrap_or_default()
                    );
                    ExitCode::from(CLEAN)
                }
                Err(e) => content_error(e),
            }
        }
    }
}
