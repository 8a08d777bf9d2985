//! `ward reset-record`: the record reset it signs verifies with the signing key's public
//! half to exactly what the flags said; flags that make no reset are refused, with
//! nothing written.

mod support;

use std::path::Path;

use support::{keygen, project, run, ward, MANIFEST};
use ward_runtime::limits::MAX_CONTENT_VERSION;
use ward_runtime::{verify_reset, RecordReset, TrustStore};

#[test]
fn the_reset_it_signs_verifies_to_what_its_flags_say() {
    let dir = project(&[MANIFEST]);
    let (key, public) = keygen(dir.path());
    let out = dir.path().join("291.reset");
    let ceiling = MAX_CONTENT_VERSION.to_string();
    let (code, text) = run(ward()
        .args(["reset-record", "--channel", "291", "--from", &ceiling])
        .args(["--to", "7", "--serial", "3", "--key"])
        .arg(&key)
        .arg("--out")
        .arg(&out));
    assert_eq!(code, 0, "{text}");
    assert!(
        text.contains("resets from version 9007199254740991 to 7"),
        "{text}"
    );
    let public = ward_runtime::parse_public_key(&std::fs::read_to_string(public).unwrap()).unwrap();
    let trust = TrustStore::with_keys(vec![public]).unwrap();
    assert_eq!(
        verify_reset(&std::fs::read(&out).unwrap(), &trust),
        Ok(RecordReset {
            channel_id: 291,
            from: MAX_CONTENT_VERSION,
            to: 7,
            serial: 3
        })
    );
}

/// `ward reset-record` of channel 291, serial 1: exit code and everything printed.
fn reset_record(from: &str, to: &str, key: &Path, out: &Path) -> (i32, String) {
    run(ward()
        .args(["reset-record", "--channel", "291", "--from", from])
        .args(["--to", to, "--serial", "1", "--key"])
        .arg(key)
        .arg("--out")
        .arg(out))
}

#[test]
fn flags_that_make_no_reset_are_refused_and_nothing_is_written() {
    let dir = project(&[MANIFEST]);
    let (key, _) = keygen(dir.path());
    let out = dir.path().join("r.reset");
    let above = (MAX_CONTENT_VERSION + 1).to_string();
    for (from, to, why) in [
        ("7", "7", "is not below --from 7"),
        ("7", "8", "is not below --from 7"),
        (above.as_str(), "7", "above the largest content version"),
    ] {
        let (code, text) = reset_record(from, to, &key, &out);
        assert_eq!(code, 2, "{text}");
        assert!(text.contains(why), "{text}");
        assert!(!out.exists());
    }
    let (code, text) = reset_record("9", "7", &dir.path().join("missing.key"), &out);
    assert_eq!(code, 2, "{text}");
    assert!(!out.exists());
}
