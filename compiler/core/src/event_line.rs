//! One line of a JSON Lines events file, read strictly: a line that is not UTF-8 or not
//! JSON is an error for that line, and so is an object with the same key twice (two
//! values for one field is a malformed event, not "the last one wins", which is what
//! `serde_json::Value` would silently make of it). `ward run`, `ward bench` and budgets
//! read events through this, one line at a time, so one bad line is reported with its
//! number and the lines after it are still read.

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value as Json};

/// The JSON value of one line (without its newline), or why it is not one.
pub fn parse(line: &[u8]) -> Result<Json, String> {
    let text = std::str::from_utf8(line)
        .map_err(|e| format!("not UTF-8 text (at byte {})", e.valid_up_to()))?;
    let mut de = serde_json::Deserializer::from_str(text);
    let value = Strict
        .deserialize(&mut de)
        .and_then(|v| de.end().map(|()| v))
        .map_err(|e| format!("not JSON: {e}"))?;
    Ok(value)
}

/// Builds a `serde_json::Value`, refusing an object that repeats a key.
struct Strict;

impl<'de> DeserializeSeed<'de> for Strict {
    type Value = Json;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Json, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Strict {
    type Value = Json;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Json, E> {
        Ok(Json::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Json, E> {
        Ok(Json::from(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Json, E> {
        Ok(Json::from(v))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Json, E> {
        Ok(Json::from(v))
    }

    fn visit_str<E>(self, v: &str) -> Result<Json, E> {
        Ok(Json::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Json, E> {
        Ok(Json::String(v))
    }

    fn visit_unit<E>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(Strict)? {
            items.push(item);
        }
        Ok(Json::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json, A::Error> {
        let mut object = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if object.contains_key(&key) {
                return Err(de::Error::custom(format_args!(
                    "the key `{key}` appears twice"
                )));
            }
            let value = map.next_value_seed(Strict)?;
            object.insert(key, value);
        }
        Ok(Json::Object(object))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_parses_as_serde_json_would() {
        let line = br#"{"template": "T", "fields": {"a": [1, -2, 3.5, true, null, "x"], "b": {}}}"#;
        let expected: Json = serde_json::from_slice(line).unwrap();
        assert_eq!(parse(line).unwrap(), expected);
    }

    #[test]
    fn duplicate_keys_bad_text_and_trailing_bytes_are_errors() {
        let err = parse(br#"{"fields": {"pid": 1, "pid": 2}}"#).unwrap_err();
        assert!(err.contains("the key `pid` appears twice"), "{err}");
        let err = parse(br#"{"template": "A", "template": "B"}"#).unwrap_err();
        assert!(err.contains("`template` appears twice"), "{err}");
        assert_eq!(
            parse(b"{\"a\": \"\xff\"}").unwrap_err(),
            "not UTF-8 text (at byte 7)"
        );
        assert!(parse(b"{} {}").unwrap_err().starts_with("not JSON"));
        // The same key in two different objects is fine.
        assert!(parse(br#"{"a": {"x": 1}, "b": {"x": 2}}"#).is_ok());
    }
}
