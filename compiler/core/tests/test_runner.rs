//! The test runner and the exhaustive field exercise, on checked programs.

mod support;

use ward_compiler::test_runner::{build_all, Outcome};

fn run(
    program: &ward_compiler::hir::Program,
    sources: &ward_compiler::sources::Sources,
) -> Vec<ward_compiler::test_runner::Case> {
    ward_compiler::test_runner::run(program, sources, &build_all(program, sources))
}

const PROJECT: &str = r#"
template Conn = 900 {
    version 1
    1 image: path
    2 port: u16
    3 proto: Proto
    4 remote: ip
    5 tls_sni: string
}
enum Proto { tcp = 6, udp = 17 }
sensor probe_v1 {
    platform linux
    version "1.0"
    supplies Conn 1..=5
}
channel Outbound = 901 {
    version 1
    template Conn
    targets [probe_v1]
    instance sni_on_odd_port = 1 {
        port not in [443, 8443]
        tls_sni ends_with ".example"
        severity medium
    }
}
test "odd port SNI is caught" {
    channel Outbound
    event { port: 4443, tls_sni: "c2.example" }
    expect [sni_on_odd_port]
}
"#;

#[test]
fn tests_and_exercises_pass_on_a_sound_program() {
    let (project, checked, diagnostics) = support::check_fixture(PROJECT);
    assert!(
        diagnostics.is_empty(),
        "{}",
        support::rendered(&project, &diagnostics)
    );
    let cases = run(&checked.program, &project.sources);
    let names: Vec<&str> = cases.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        names,
        ["test \"odd port SNI is caught\"", "exercise Outbound"]
    );
    assert!(cases.iter().all(|c| c.passed()), "{cases:#?}");
}

#[test]
fn a_wrong_expect_fails_and_says_what_matched() {
    let src = PROJECT.replace("event { port: 4443", "event { port: 443");
    let (project, checked, _) = support::check_fixture(&src);
    let cases = run(&checked.program, &project.sources);
    assert_eq!(
        cases[0].outcome,
        Outcome::Failed("expected [sni_on_odd_port], matched []".into())
    );
}

/// The exercise is a second line of defence: if a sensor's range were edited after the
/// checker ran (or the checker missed it), the runtime's verifier still refuses the channel
/// for that sensor and the exercise reports it.
#[test]
fn the_exercise_catches_a_sensor_edited_below_a_field_in_use() {
    let (project, mut checked, _) = support::check_fixture(PROJECT);
    let sensor = checked
        .program
        .sensors
        .iter_mut()
        .find(|s| s.name == "probe_v1")
        .unwrap();
    sensor.supplies[0].last = 4;
    let cases = run(&checked.program, &project.sources);
    let exercise = cases
        .iter()
        .find(|c| c.name == "exercise Outbound")
        .unwrap();
    let Outcome::Failed(why) = &exercise.outcome else {
        panic!("the exercise passed a channel reading input 5 on a sensor supplying 4: {cases:#?}")
    };
    assert!(why.contains("field 5") && why.contains("1 to 4"), "{why}");
}

#[test]
fn the_exercise_checks_each_unsupplied_field_with_compiler_and_verifier() {
    // A sensor that supplies 3 of 5 inputs: the exercise probes inputs 4 and 5.
    let src = PROJECT
        .replace("supplies Conn 1..=5", "supplies Conn 1..=3")
        .replace("tls_sni ends_with \".example\"", "proto == tcp")
        .replace("tls_sni: \"c2.example\"", "proto: tcp");
    let (project, checked, diagnostics) = support::check_fixture(&src);
    assert!(
        diagnostics.is_empty(),
        "{}",
        support::rendered(&project, &diagnostics)
    );
    let cases = run(&checked.program, &project.sources);
    assert!(cases.iter().all(|c| c.passed()), "{cases:#?}");
}
