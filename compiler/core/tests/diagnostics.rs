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
    let dir = support::repo().join("snapshots/diagnostics");
    let mut cases: Vec<PathBuf> = fs::read_dir(&dir)
        .expect("snapshots/diagnostics exists")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "ward"))
        .collect();
    cases.sort();
    cases
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
        let name = case.file_stem().unwrap().to_string_lossy().into_owned();
        insta::with_settings!({
            snapshot_path => case.parent().unwrap(),
            prepend_module_to_snapshot => false,
            omit_expression => true,
            input_file => &case,
        }, {
            insta::assert_snapshot!(name, snapshot);
        });
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
    let dir = support::repo().join("snapshots/diagnostics");
    for entry in fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if let Some(stem) = name.strip_suffix(".snap") {
            assert!(
                dir.join(format!("{stem}.ward")).exists(),
                "{name} has no case {stem}.ward: delete it or restore the case"
            );
        } else {
            assert!(
                name.ends_with(".ward")
                    || name.ends_with(".snap.new")
                    || name.ends_with(".pending-snap"),
                "unexpected file in snapshots/diagnostics: {name}"
            );
        }
    }
}
