//! `ward simulate SCENARIO.toml [--hosts N] [--seed S] [--format human|json] [--plot
//! FILE.svg]`: runs `ward_simulate` on a scenario and prints its figures, with the
//! exposure chart for people. Exit 0 after a run, 1 for a scenario that is not valid
//! (the error names the field), 2 for usage or I/O errors.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use ward_simulate::{chart, simulate, Mode, Options, Outcome, Scenario};

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
        outln!(
            "  origin: {:.0} requests/s steady, {:.0} at the busiest minute; halt seen by 99% of online hosts in {}",
            r.origin_steady_rps,
            r.origin_peak_rps,
            when(r.halt_reach_99_s)
        );
    }
}
