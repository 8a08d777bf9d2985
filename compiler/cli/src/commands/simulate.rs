//! `ward simulate SCENARIO.toml [--hosts N] [--seed S] [--seeds N] [--format
//! human|json] [--plot FILE.svg]`: runs `ward_simulate` on a scenario and prints its
//! figures, with the exposure chart for people; with `--seeds`, runs it for that many
//! seeds and prints the counts over them (a sweep). Exit 0 after a run, 1 for a scenario that is not valid
//! (the error names the field), 2 for usage or I/O errors.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use ward_simulate::{chart, simulate, Mode, Options, Outcome, Scenario, Sweep};

use crate::output::{fail, outln, CLEAN, CONTENT_ERRORS};
use crate::{atomic, bounded};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SimulateFormat {
    Human,
    Json,
}

#[derive(Debug, Args)]
pub struct SimulateArgs {
    /// The scenario (TOML; examples/scenarios/ has one per fault).
    pub scenario: PathBuf,
    /// Hosts in the fleet (default: the scenario's).
    #[arg(long, value_name = "N")]
    pub hosts: Option<u32>,
    /// Seed of the run; the same seed gives the same figures (default: the scenario's).
    #[arg(long, value_name = "S")]
    pub seed: Option<u64>,
    /// Run the scenario for N seeds from `--seed` on (without the July 2024
    /// comparison) and print the counts over them: halts, false halts, runs that
    /// reached the plan's last ring.
    #[arg(long, value_name = "N", conflicts_with = "plot", value_parser = clap::value_parser!(u64).range(1..=100_000))]
    pub seeds: Option<u64>,
    #[arg(long, value_enum, default_value_t = SimulateFormat::Human)]
    pub format: SimulateFormat,
    /// Also write the exposure chart as SVG to this file.
    #[arg(long, value_name = "FILE.svg")]
    pub plot: Option<PathBuf>,
}

pub fn run(args: &SimulateArgs) -> ExitCode {
    let text = match bounded::read_to_string(&args.scenario, bounded::SCENARIO_FILE, "scenario") {
        Ok(t) => t,
        Err(e) => return fail(e),
    };
    let mut scenario = match Scenario::parse(&text) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: scenario {}: {e}", args.scenario.display());
            return ExitCode::from(CONTENT_ERRORS);
        }
    };
    if let Some(n) = args.hosts {
        scenario.hosts = n;
        if let Err(e) = scenario.validate() {
            return fail(format!("--hosts: {e}"));
        }
    }
    let options = Options {
        hosts: scenario.hosts,
        seed: args.seed.unwrap_or(scenario.seed),
        mode: Mode::Lazy,
        check_aggregate: false,
        no_rings: false,
    };
    if let Some(n) = args.seeds {
        return sweep(&mut scenario, options, n, args.format);
    }
    let outcome = simulate(&scenario, options);
    if let Some(path) = &args.plot {
        let svg = match chart::svg(&outcome, &scenario.name) {
            Ok(svg) => svg,
            Err(e) => return fail(format!("cannot draw the chart: {e}")),
        };
        if let Err(e) = atomic::write_all(&[(path.clone(), svg.into_bytes(), None)]) {
            return fail(format!("cannot write {}: {e}", path.display()));
        }
    }
    match args.format {
        SimulateFormat::Json => {
            outln!(
                "{}",
                serde_json::to_string_pretty(&outcome).unwrap_or_default()
            );
        }
        SimulateFormat::Human => human(&scenario, options, &outcome),
    }
    ExitCode::from(CLEAN)
}

/// `--seeds N`: the scenario for seeds `options.seed` to `options.seed + n - 1`.
fn sweep(scenario: &mut Scenario, options: Options, n: u64, format: SimulateFormat) -> ExitCode {
    scenario.release.compare_no_rings = false;
    let last_ring = match scenario.plan() {
        Ok(plan) => plan
            .and_then(|p| p.rings.last().map(|r| r.name.clone()))
            .unwrap_or_default(),
        Err(e) => return fail(e),
    };
    let mut sweep = Sweep {
        first_seed: options.seed,
        ..Sweep::default()
    };
    for k in 0..n {
        let seed = options.seed.wrapping_add(k);
        let outcome = simulate(scenario, Options { seed, ..options });
        sweep.add(&outcome.run, &last_ring);
    }
    match format {
        SimulateFormat::Json => {
            outln!(
                "{}",
                serde_json::to_string_pretty(&sweep).unwrap_or_default()
            );
        }
        SimulateFormat::Human => {
            let when = |s: Option<u32>| s.map_or_else(|| "-".to_string(), |s| format!("{s} s"));
            outln!(
                "{} ({} hosts, seeds {} to {})",
                scenario.name,
                options.hosts,
                options.seed,
                options.seed.wrapping_add(n - 1)
            );
            outln!(
                "  {} runs: {} halted ({} before the last ring `{last_ring}`), {} false halts; {} reached `{last_ring}`",
                sweep.runs,
                sweep.halted,
                sweep.halted_before_last_ring,
                sweep.false_halts,
                sweep.reached_last_ring
            );
            let rings: Vec<String> = sweep
                .halted_in
                .iter()
                .map(|(ring, runs)| format!("{ring} {runs}"))
                .collect();
            outln!(
                "  halted in: {}",
                if rings.is_empty() {
                    "-".to_string()
                } else {
                    rings.join(", ")
                }
            );
            outln!(
                "  worst run: {} bad activations ({:.4}% of the fleet), halt {} after the first activation; {} hosts still crashing over all runs",
                sweep.max_bad_activations,
                100.0 * sweep.max_bad_activation_share,
                when(sweep.max_time_to_halt_s),
                sweep.still_crashing
            );
        }
    }
    ExitCode::from(CLEAN)
}

fn human(scenario: &Scenario, options: Options, outcome: &Outcome) {
    outln!(
        "{} ({} hosts, seed {})",
        scenario.name,
        options.hosts,
        options.seed
    );
    outln!();
    outln!("{}", chart::terminal(outcome, 64, 12));
    let mut runs = vec![("with rings", &outcome.run)];
    if let Some(other) = &outcome.no_rings {
        runs.push(("no rings (July 2024)", other));
    }
    for (label, r) in runs {
        let when = |s: Option<u32>| s.map_or_else(|| "-".to_string(), |s| format!("{s} s"));
        outln!("{label}:");
        outln!(
            "  activated by {} hosts ({} bad, {:.4}% of the fleet); {} crashed, {} recovered by their own guard (at most {} starts)",
            r.exposed,
            r.bad_activations,
            100.0 * r.bad_activation_share,
            r.crashed_hosts,
            r.recovered,
            r.max_starts_to_recover
        );
        outln!(
            "  halted: {} ({}), {} after the first activation; false halt: {}; final ring: {}",
            r.halted,
            r.halted_ring.as_deref().unwrap_or("-"),
            when(r.time_to_halt_s),
            r.false_halt,
            r.final_ring.as_deref().unwrap_or("-")
        );
        if let Some(why) = &r.halt_reason {
            outln!("  why: {why}");
        }
        outln!(
            "  origin: {:.0} requests/s steady, {:.0} at the busiest minute; halt seen by 99% of online hosts in {}",
            r.origin_steady_rps,
            r.origin_peak_rps,
            when(r.halt_reach_99_s)
        );
    }
}
