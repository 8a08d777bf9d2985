//! `ward rollout status|advance|hold|halt|resume REPO`: where each release of the
//! repository stands in its rings, and the operator's changes to it. Every change is a
//! newly signed rollout state in a new timestamp (the online key alone), which hosts
//! see at their next poll. The transitions are `ward_rollout`'s; this is the shell.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand, ValueEnum};
use ward_health::{ring_figures, Evidence, Figures, RingFigures, Window};
use ward_rollout::plan::percent;
use ward_rollout::state::{duration, status_name};
use ward_tuf::repo::{Repo, Rollout};

use super::repo::KeysArg;
use crate::output::outln;
use crate::output::{fail, CLEAN, CONTENT_ERRORS};

#[derive(Debug, Args)]
pub struct RolloutArgs {
    #[command(subcommand)]
    pub command: RolloutCommand,
}

/// Which release a change is for.
#[derive(Debug, Args)]
pub struct Target {
    /// The release repository.
    pub repo: PathBuf,
    /// The channel, by name or id (needed when several releases have a plan).
    #[arg(long)]
    pub channel: Option<String>,
    #[command(flatten)]
    pub keys: KeysArg,
}

#[derive(Debug, Subcommand)]
pub enum RolloutCommand {
    /// Show every release: ring, status, bake time left, N-1; with --collector, each
    /// ring's crash and cost figures against the baseline.
    Status(StatusArgs),
    /// Start the next ring (refused before the current ring has baked).
    Advance {
        #[command(flatten)]
        target: Target,
    },
    /// Stop at the current ring; hosts keep what they have.
    Hold {
        #[command(flatten)]
        target: Target,
        #[arg(long, default_value = "held by an operator")]
        reason: String,
    },
    /// Stop, and send every host that took the release back to N-1.
    Halt {
        #[command(flatten)]
        target: Target,
        #[arg(long, default_value = "halted by an operator")]
        reason: String,
    },
    /// Roll a held or halted release again; its ring bakes again from now.
    Resume {
        #[command(flatten)]
        target: Target,
        #[arg(long, default_value = "resumed by an operator")]
        reason: String,
    },
    /// The controller: apply the health gate to each ring from the collector's figures.
    Watch(super::watch::WatchArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StatusFormat {
    Text,
    /// One JSON object per release, one per line.
    Json,
}

#[derive(Debug, Args)]
pub struct StatusArgs {
    /// The release repository.
    pub repo: PathBuf,
    /// The collector (`ward collect`), e.g. http://127.0.0.1:8470: adds every ring's
    /// crash and cost figures on the release against the baseline (hosts on N-1).
    #[arg(long, value_name = "URL")]
    pub collector: Option<String>,
    #[arg(long, value_enum, default_value_t = StatusFormat::Text)]
    pub format: StatusFormat,
}

/// The collector's figures for every ring of a rolling release since its first ring
/// started, against N-1; `None` for a release without a plan or state.
fn health(r: &Rollout, collector: &str, now: u64) -> Option<Result<Vec<RingFigures>, String>> {
    let (Some(plan), Some(release)) = (&r.plan, &r.release) else {
        return None;
    };
    let window = Window {
        channel: release.channel_id,
        since: release.ring_started(0).unwrap_or(release.changed),
        until: now.saturating_add(1),
    };
    Some(
        ward_collector::client::figures(collector, &window).map(|(rows, costs)| {
            let figures = Figures {
                rows: &rows,
                costs: &costs,
            };
            ring_figures(
                release.version,
                r.previous.unwrap_or(0),
                figures,
                &Evidence::default(),
                &super::watch::cost_evidence(plan),
            )
        }),
    )
}

/// `ward rollout status`: one release per line (text) or per JSON object.
fn status(args: &StatusArgs, now: u64) -> ExitCode {
    let repo = match Repo::open(&args.repo) {
        Ok(r) => r,
        Err(e) => return fail(e),
    };
    let rollouts = repo.rollouts();
    let mut out = std::io::stdout().lock();
    if rollouts.is_empty() && args.format == StatusFormat::Text {
        let _ = writeln!(out, "no channel is published");
    }
    for rollout in &rollouts {
        let health = args
            .collector
            .as_deref()
            .and_then(|url| health(rollout, url, now));
        let _ = match args.format {
            StatusFormat::Text => {
                let figures = match &health {
                    None => String::new(),
                    Some(Ok(rings)) if rings.is_empty() => {
                        "\n  no host has reported on this release".to_string()
                    }
                    Some(Ok(rings)) => rings
                        .iter()
                        .map(|ring| format!("\n  {}", ring.to_string().replace('\n', "\n  ")))
                        .collect(),
                    Some(Err(e)) => format!("\n  no figures: {e}"),
                };
                writeln!(out, "{}{figures}", describe(rollout, now))
            }
            StatusFormat::Json => {
                let (rings, error) = match health {
                    Some(Ok(rings)) => (Some(rings), None),
                    Some(Err(e)) => (None, Some(e)),
                    None => (None, None),
                };
                let object = serde_json::json!({
                    "target": rollout.target,
                    "channel": rollout.info.name,
                    "channel_id": rollout.info.channel_id,
                    "version": rollout.info.content_version,
                    "previous": rollout.previous,
                    "plan": rollout.plan,
                    "release": rollout.release,
                    "bake_remaining_secs": match (&rollout.plan, &rollout.release) {
                        (Some(plan), Some(release)) => Some(release.bake_remaining(plan, now)),
                        _ => None,
                    },
                    "summary": describe(rollout, now),
                    "rings": rings,
                    "figures_error": error,
                });
                writeln!(out, "{object}")
            }
        };
    }
    ExitCode::from(CLEAN)
}

/// One release for `ward rollout status`.
pub fn describe(r: &Rollout, now: u64) -> String {
    let mut out = format!(
        "channel `{}` ({}) version {}",
        r.info.name, r.info.channel_id, r.info.content_version
    );
    let previous = r
        .previous
        .map_or("no N-1 to fall back to".to_string(), |v| {
            format!("N-1 is version {v}")
        });
    match (&r.plan, &r.release) {
        (None, _) => out.push_str(": published to every host at once (no rollout plan)"),
        (Some(_), None) => out.push_str(": no signed rollout state; hosts hold (missing data)"),
        (Some(plan), Some(release)) => {
            let ring = plan.rings.get(release.ring);
            out.push_str(&format!(
                ", {}: {}, ring {} of {} `{}` ({} of hosts, at least {} reporting), {}",
                plan.category.name(),
                status_name(release.status),
                release.ring + 1,
                plan.rings.len(),
                ring.map_or("", |r| r.name.as_str()),
                percent(ring.map_or(0, |r| r.share_bp)),
                ring.map_or(0, |r| r.min_hosts),
                previous
            ));
            let left = release.bake_remaining(plan, now);
            if release.ring + 1 < plan.rings.len() {
                out.push_str(&if left > 0 {
                    format!(", bakes {} more", duration(left))
                } else {
                    ", baked".to_string()
                });
            }
            out.push_str(&format!(
                "; last change: {} at {}",
                release.reason,
                ward_tuf::time::format(release.changed)
            ));
        }
    }
    out
}

fn pick<'a>(rollouts: &'a [Rollout], channel: Option<&str>) -> Result<&'a Rollout, String> {
    let planned: Vec<&Rollout> = rollouts.iter().filter(|r| r.plan.is_some()).collect();
    match channel {
        Some(c) => planned
            .into_iter()
            .find(|r| r.info.name == c || r.info.channel_id.to_string() == c)
            .ok_or_else(|| format!("no release of channel `{c}` with a rollout plan")),
        None => match planned.as_slice() {
            [one] => Ok(one),
            [] => Err("the repository has no release with a rollout plan".into()),
            _ => Err("several releases have a rollout plan: name one with --channel".into()),
        },
    }
}

pub fn run(args: &RolloutArgs) -> ExitCode {
    let now = ward_tuf::time::now();
    let (target, change) = match &args.command {
        RolloutCommand::Status(status_args) => return status(status_args, now),
        RolloutCommand::Advance { target } => (target, Change::Advance),
        RolloutCommand::Hold { target, reason } => (target, Change::Hold(reason)),
        RolloutCommand::Halt { target, reason } => (target, Change::Halt(reason)),
        RolloutCommand::Resume { target, reason } => (target, Change::Resume(reason)),
        RolloutCommand::Watch(watch) => return super::watch::run(watch),
    };
    let mut repo = match Repo::open(&target.repo) {
        Ok(r) => r,
        Err(e) => return fail(e),
    };
    let rollouts = repo.rollouts();
    let chosen = match pick(&rollouts, target.channel.as_deref()) {
        Ok(r) => r,
        Err(e) => return fail(e),
    };
    let (Some(plan), Some(mut release)) = (chosen.plan.clone(), chosen.release.clone()) else {
        eprintln!("error: {}", describe(chosen, now));
        return ExitCode::from(CONTENT_ERRORS);
    };
    let changed = match change {
        Change::Advance => release.advance(&plan, now),
        Change::Hold(reason) => release.hold(reason, now),
        Change::Halt(reason) => release.halt(reason, now),
        Change::Resume(reason) => release.resume(reason, now),
    };
    if let Err(refusal) = changed {
        eprintln!("error: channel `{}`: {refusal}", chosen.info.name);
        return ExitCode::from(CONTENT_ERRORS);
    }
    let mut state = repo.rollout_state();
    state.put(release);
    if let Err(e) = repo.set_rollout(&target.keys.dir(&target.repo), state, now) {
        return fail(e);
    }
    let updated = repo
        .rollouts()
        .into_iter()
        .find(|r| r.target == chosen.target);
    outln!(
        "{}\ntimestamp version {}",
        updated.map_or_else(String::new, |r| describe(&r, now)),
        repo.timestamp.signed.common.version
    );
    ExitCode::from(CLEAN)
}

enum Change<'a> {
    Advance,
    Hold(&'a str),
    Halt(&'a str),
    Resume(&'a str),
}
