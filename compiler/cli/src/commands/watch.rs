//! `ward rollout watch REPO --collector URL`: the controller. Each look reads every
//! rolling release's ring from the signed rollout state, the collector's crash and
//! cost aggregates since that ring started, and asks the gate
//! (`ward_health::decide_health`: the crash test the simulator calls too, and the cost
//! test with the release plan's margin); an advance or a halt is signed into a new timestamp with
//! the online key (`Repo::set_rollout`), a hold changes nothing. Every decision is
//! printed with the figures behind it. A collector that cannot be read is missing
//! data: the release holds.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Args;
use ward_health::{decide_health, CostEvidence, Evidence, Figures, Ring, Verdict, Window};
use ward_rollout::Status;
use ward_tuf::repo::Repo;

use super::repo::KeysArg;
use crate::output::{fail, CLEAN};

#[derive(Debug, Args)]
pub struct WatchArgs {
    /// The release repository.
    pub repo: PathBuf,
    /// The collector (`ward collect`), e.g. http://127.0.0.1:8470.
    #[arg(long, value_name = "URL")]
    pub collector: String,
    #[command(flatten)]
    pub keys: KeysArg,
    /// Seconds between looks.
    #[arg(long, value_name = "SECS", default_value_t = 60)]
    pub every: u64,
    /// Look once and exit (from cron, or a test).
    #[arg(long)]
    pub once: bool,
    /// The smallest regression of the bad-host rate the crash test is to catch, as a
    /// fraction (0.01 is one percentage point, the default). A ring of a few hosts can
    /// only tell a large regression from noise: a larger delta halts a release that
    /// crashes most of them after fewer crashes (docs/delivery.md, "The gate").
    #[arg(long, value_name = "FRACTION", default_value_t = Evidence::default().delta, value_parser = delta)]
    pub delta: f64,
}

/// A regression to catch: a fraction strictly between 0 and 1.
fn delta(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(d) if d > 0.0 && d < 1.0 => Ok(d),
        _ => Err(format!(
            "`{text}` is not a fraction between 0 and 1 (0.01 is one point)"
        )),
    }
}

pub fn run(args: &WatchArgs) -> ExitCode {
    loop {
        match look(args, ward_tuf::time::now()) {
            Ok(lines) => {
                let mut out = std::io::stdout().lock();
                for line in lines {
                    let _ = writeln!(out, "{line}");
                }
                let _ = out.flush();
            }
            // Once: the caller wants to know. Watching: report and look again.
            Err(e) if args.once => return fail(e),
            Err(e) => eprintln!("error: {e}"),
        }
        if args.once {
            return ExitCode::from(CLEAN);
        }
        std::thread::sleep(Duration::from_secs(args.every.max(1)));
    }
}

/// One look at every release; what was decided, as lines to print.
fn look(args: &WatchArgs, now: u64) -> Result<Vec<String>, String> {
    let mut repo = Repo::open(&args.repo).map_err(|e| e.to_string())?;
    let mut state = repo.rollout_state();
    let mut lines = Vec::new();
    let mut changed = false;
    for r in repo.rollouts() {
        let (Some(plan), Some(mut release)) = (r.plan, r.release) else {
            continue;
        };
        let name = format!("channel `{}` version {}", r.info.name, release.version);
        let Some(ring) = plan.rings.get(release.ring) else {
            continue;
        };
        if release.status != Status::Rolling {
            lines.push(format!("{name}: {:?}, not gated", release.status).to_lowercase());
            continue;
        }
        let started = release
            .ring_started(release.ring)
            .unwrap_or(release.changed);
        let gate = Ring {
            name: ring.name.clone(),
            started,
            bake_secs: ring.bake_secs,
            min_hosts: ring.min_hosts,
        };
        let window = Window {
            channel: release.channel_id,
            since: started,
            until: now.saturating_add(1),
        };
        let (rows, costs) = match ward_collector::client::figures(&args.collector, &window) {
            Ok(figures) => figures,
            Err(e) => {
                lines.push(format!("{name}: {}: hold: no aggregate ({e})", ring.name));
                continue;
            }
        };
        // Without an N-1 there is no baseline: the gate may halt, never advance.
        let baseline = r.previous.unwrap_or(0);
        let decision = decide_health(
            &gate,
            release.version,
            baseline,
            Figures {
                rows: &rows,
                costs: &costs,
            },
            now,
            &Evidence {
                delta: args.delta,
                ..Evidence::default()
            },
            &cost_evidence(&plan),
        );
        let applied = match decision.verdict {
            Verdict::Hold => Ok(false),
            Verdict::Advance => release.advance(&plan, now).map(|()| true),
            Verdict::Halt => release
                .halt(&format!("gate: {}", decision.reason), now)
                .map(|()| true),
        };
        lines.push(format!("{name}: {decision}"));
        match applied {
            Ok(true) => {
                state.put(release);
                changed = true;
            }
            Ok(false) => {}
            Err(refusal) => lines.push(format!("{name}: not applied: {refusal}")),
        }
    }
    if changed {
        repo.set_rollout(&args.keys.dir(&args.repo), state, now)
            .map_err(|e| e.to_string())?;
        lines.push(format!(
            "signed: timestamp version {}",
            repo.timestamp.signed.common.version
        ));
    }
    Ok(lines)
}

/// The cost test's settings for a release: the defaults, with the plan's margin if it
/// states one.
pub fn cost_evidence(plan: &ward_rollout::plan::Plan) -> CostEvidence {
    CostEvidence::for_margin(plan.cost_margin_pct)
}
