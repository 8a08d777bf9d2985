//! The codes of `VerifyError`: unique and stable in shape, and docs/channel-format.md's
//! error table is exactly the one generated from `VERIFY_ERROR_CODES`.

mod common;

use std::collections::HashSet;

use ward_runtime::{VerifyError, VERIFY_ERROR_CODES};

/// The rows docs/channel-format.md must hold, rendered from the table in the code.
fn rendered() -> String {
    let mut out = String::from("| code | stage | variant | meaning |\n| --- | --- | --- | --- |\n");
    for c in VERIFY_ERROR_CODES {
        out.push_str(&format!(
            "| {} | {} | `{}` | {} |\n",
            c.code, c.stage, c.name, c.meaning
        ));
    }
    out
}

#[test]
fn the_docs_table_is_generated_from_the_codes() {
    common::check_generated_table(&rendered());
}

#[test]
fn codes_are_unique_and_name_their_stage() {
    let mut seen = HashSet::new();
    for c in VERIFY_ERROR_CODES {
        assert!(seen.insert(c.code), "code {} twice", c.code);
        assert_eq!(c.code / 100, u16::from(c.stage), "{c:?}");
        assert!(!c.meaning.is_empty(), "{c:?}");
    }
}

#[test]
fn an_error_reports_the_code_and_offset_of_its_row() {
    let e = VerifyError::FieldNotSupplied {
        offset: 77,
        instance: 1,
        field: 21,
        supplied: 20,
    };
    let row = VERIFY_ERROR_CODES
        .iter()
        .find(|c| c.code == e.code())
        .unwrap();
    assert_eq!(row.name, "FieldNotSupplied");
    assert_eq!(e.offset(), 77);
    assert!(e.to_string().starts_with("at byte 77:"), "{e}");
}
