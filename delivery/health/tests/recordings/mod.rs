//! The recorded streams under tests/data: reading one, and holding one to what its
//! scenario makes now (`WARD_BLESS=1` writes it again). The crash streams' test and the
//! cost streams' test share them.

use std::path::PathBuf;

use serde::de::DeserializeOwned;
use serde::Serialize;

/// The recording `tests/data/NAME.jsonl`.
pub fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("tests/data/{name}.jsonl"))
}

/// A recording's records, one JSON object a line.
pub fn read<T: DeserializeOwned>(name: &str) -> Vec<T> {
    let path = data(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .enumerate()
        .map(|(i, line)| {
            serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("{}:{}: {e}", path.display(), i + 1))
        })
        .collect()
}

/// Asserts the recording NAME is exactly `made`, one JSON object a line (after writing
/// it, with `WARD_BLESS` set).
pub fn check_recording<T: Serialize>(name: &str, made: &[T]) {
    let made: String = made
        .iter()
        .map(|r| serde_json::to_string(r).unwrap() + "\n")
        .collect();
    if std::env::var_os("WARD_BLESS").is_some() {
        std::fs::write(data(name), &made).unwrap();
    }
    let recorded = std::fs::read_to_string(data(name)).unwrap_or_default();
    assert!(
        recorded == made,
        "{name}: the recording differs from its scenario (WARD_BLESS=1 to write it again)"
    );
}
