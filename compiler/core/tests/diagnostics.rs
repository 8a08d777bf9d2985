//! Golden diagnostics: every case under snapshots/diagnostics/ is checked and its rendered
//! diagnostics compared with the snapshot beside it. A case is named for the code it
//! shows (`E0300-field-not-supplied.ward`) and must produce that code; every code has at
//! least one case; a snapshot without its case is an error.

#![allow(clippy::disallowed_methods)] // tests read their cases from disk

mod support;

use std::fs;
use std::path::PathBuf;

use ward_compiler::Code;

fn cases() -> Vec<PathBuf> {
    support::cases("diagnostics")
}

fn code_of(case: &std::path::Path) -> Code {
    let stem = case.file_stem().unwrap().to_string_lossy();
    let code = stem.split('-').next().unwrap_or_default();
    Code::from_code(code)
        .unwrap_or_else(|| panic!("{} is not named for a diagnostic code", case.display()))
}

#[test]
fn every_case_matches_its_snapshot_and_shows_its_code() {
    for case in cases() {
        let text = fs::read_to_string(&case).unwrap();
        let (project, _, diagnostics) = support::check_fixture(&text);
        let code = code_of(&case);
        assert!(
            diagnostics.iter().any(|d| d.code == code),
            "{} must produce {code}, got {:?}",
            case.display(),
            diagnostics
                .iter()
                .map(|d| d.code.as_str())
                .collect::<Vec<_>>()
        );
        let snapshot = format!(
            "{}\n---- ward check ----\n{}",
            text.trim_end(),
            support::rendered(&project, &diagnostics)
        );
        support::assert_case_snapshot(&case, snapshot);
    }
}

#[test]
fn every_code_has_a_case() {
    let covered: Vec<Code> = cases().iter().map(|c| code_of(c)).collect();
    let missing: Vec<&str> = Code::ALL
        .iter()
        .filter(|c| !covered.contains(c))
        .map(|c| c.as_str())
        .collect();
    assert!(
        missing.is_empty(),
        "codes with no case under snapshots/diagnostics: {missing:?}"
    );
}

#[test]
fn no_snapshot_is_left_without_its_case() {
    support::assert_no_orphaned_snapshots("diagnostics");
}
