//! `ward simulate --seeds N`: the sweep's counts are the runs' own, seed by seed (the
//! library's runs added up here), and a sweep with `--plot` is refused as usage.

mod support;

use support::{repo, run, ward};
use ward_simulate::{simulate, Mode, Options, Scenario, Sweep};

#[test]
fn a_sweep_counts_each_seeds_run() {
    let path = repo().join("examples/scenarios/slow_channel.toml");
    let (code, text) = run(ward().arg("simulate").arg(&path).args([
        "--hosts", "2000", "--seed", "4", "--seeds", "3", "--format", "json",
    ]));
    assert_eq!(code, 0, "{text}");
    let printed: serde_json::Value = serde_json::from_str(&text).unwrap();
    let mut sc = Scenario::parse(&std::fs::read_to_string(&path).unwrap()).unwrap();
    sc.hosts = 2000;
    sc.release.compare_no_rings = false;
    let mut sweep = Sweep {
        first_seed: 4,
        ..Sweep::default()
    };
    for seed in 4..7 {
        let options = Options {
            hosts: 2000,
            seed,
            mode: Mode::Lazy,
            check_aggregate: false,
            no_rings: false,
        };
        sweep.add(&simulate(&sc, options).run, "general");
    }
    assert_eq!(sweep.runs, 3);
    assert_eq!(printed, serde_json::to_value(&sweep).unwrap(), "{text}");
}

#[test]
fn a_sweep_with_a_plot_is_a_usage_error() {
    let path = repo().join("examples/scenarios/slow_channel.toml");
    let (code, text) = run(ward()
        .arg("simulate")
        .arg(&path)
        .args(["--seeds", "2", "--plot", "x.svg"]));
    assert_eq!(code, 2, "{text}");
}
