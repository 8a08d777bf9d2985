//! OLPC canonical JSON, the bytes TUF signs: sorted keys, no insignificant whitespace,
//! only integers. `olpc-cjson` is the formatter AWS's tough uses.

use serde::Serialize;

use crate::error::{invalid, Error};

/// The canonical bytes of `value`.
pub fn to_vec<T: Serialize + ?Sized>(value: &T, what: &str) -> Result<Vec<u8>, Error> {
    let mut out = Vec::new();
    let mut ser =
        serde_json::Serializer::with_formatter(&mut out, olpc_cjson::CanonicalFormatter::new());
    value
        .serialize(&mut ser)
        .map_err(|e| invalid(what, format!("not canonical JSON: {e}")))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_keys_and_drops_whitespace() {
        let v: serde_json::Value =
            serde_json::from_str(r#"{ "b": [1, 2], "a": {"y": "q\"", "x": true} }"#).unwrap();
        let bytes = to_vec(&v, "test").unwrap();
        assert_eq!(
            String::from_utf8(bytes).unwrap(),
            r#"{"a":{"x":true,"y":"q\""},"b":[1,2]}"#
        );
    }

    #[test]
    fn refuses_floats() {
        let v: serde_json::Value = serde_json::from_str(r#"{"a": 1.5}"#).unwrap();
        assert!(to_vec(&v, "test").is_err());
    }
}
