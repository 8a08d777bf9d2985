//! The simulator's shortcuts held to the uncached path on small fleets: polls made
//! only when their outcome can change (`Mode::Lazy`) against every poll an event that
//! calls `ward_rollout::decide` (`Mode::EveryPoll`), and the incremental aggregate
//! against `ward_health::aggregate` over every beacon received, at every look of the
//! gate.

mod common;

use common::scenario;
use ward_simulate::{simulate, Mode, Options};

#[test]
fn lazy_polls_give_the_same_run_as_every_poll() {
    for name in [
        "crash_on_load",
        "one_percent_regression",
        "healthy_noise",
        "collector_down",
        "slow_origin",
        "mass_revert",
        "slow_channel",
    ] {
        let sc = scenario(name);
        let options = |mode| Options {
            hosts: 1_000,
            seed: 5,
            mode,
            check_aggregate: false,
            no_rings: false,
        };
        let lazy = simulate(&sc, options(Mode::Lazy));
        let every = simulate(&sc, options(Mode::EveryPoll));
        let json = |o: &ward_simulate::Outcome| serde_json::to_string_pretty(o).unwrap();
        assert_eq!(json(&lazy), json(&every), "{name}");
        assert_eq!(lazy, every, "{name}: the exposure over time differs");
        assert!(lazy.run.exposed > 0, "{name}: nobody took the release");
    }
}

#[test]
fn the_incremental_aggregate_is_the_gates_aggregate() {
    for name in [
        "crash_on_load",
        "healthy_noise",
        "collector_down",
        "slow_channel",
    ] {
        let sc = scenario(name);
        let o = simulate(
            &sc,
            Options {
                hosts: 1_500,
                seed: 3,
                mode: Mode::Lazy,
                check_aggregate: true,
                no_rings: false,
            },
        );
        assert!(o.run.aggregate_checks > 0, "{name}");
        assert_eq!(o.run.aggregate_mismatches, 0, "{name}: {:?}", o.run);
    }
}
