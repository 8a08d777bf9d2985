//! Windows events as template events: records of an .evtx file (through the `evtx`
//! crate) or of its JSON dump (the `Event.System` / `Event.EventData` shape), mapped by
//! provider and event id through the stdlib's mapping files to Ward's JSON event shape,
//! `{"template": NAME, "fields": {NAME: VALUE}}`, which `ward_compiler::events` decodes.
//!
//! One bad record never ends the reading: it becomes an error for that record, and the
//! records after it are still read.

use std::collections::BTreeMap;

use serde_json::{json, Map, Value as Json};
use ward_compiler::event_line;
use ward_compiler::hir::{Program, Type};

use crate::mapping::{Mapping, Mappings};

/// The largest record read, as JSON text; a larger one is refused with a clear error for
/// that record (a sensor's event is a few kilobytes).
pub const MAX_RECORD_BYTES: usize = 1 << 20;

/// The first bytes of every .evtx file.
pub const EVTX_MAGIC: &[u8] = b"ElfFile\0";

/// What one record of a file became.
#[derive(Debug, Clone, PartialEq)]
pub enum Record {
    /// A template event, in Ward's JSON shape.
    Event(Json),
    /// A Windows event that maps to no template: counted, not an error.
    Unmapped { provider: String, event_id: u32 },
    /// A record that could not be read or mapped, with why.
    Bad(String),
}

/// Reads Windows events through the bundled mappings onto the stdlib's templates.
#[derive(Debug)]
pub struct Reader {
    mappings: Mappings,
    program: Program,
}

impl Reader {
    /// The bundled mappings and stdlib. An error is a fault of those, not of any log.
    pub fn bundled() -> Result<Reader, String> {
        let mappings = Mappings::bundled()?;
        let checked = ward_compiler::check(&ward_compiler::project::stdlib_sources());
        Ok(Reader {
            mappings,
            program: checked.program,
        })
    }

    /// Every event of a file, numbered as its errors name it: an .evtx file (by its magic
    /// number) by record, a file of JSON values one a line by line (Ward's JSON Lines
    /// events pass through as they are, Windows events are mapped), and any other JSON
    /// text (a pretty-printed dump) by position.
    pub fn read(&self, bytes: Vec<u8>) -> Vec<(usize, Record)> {
        if bytes.starts_with(EVTX_MAGIC) {
            return number_records(self.evtx(bytes));
        }
        let text = String::from_utf8_lossy(&bytes);
        let first = text.lines().find(|l| !l.trim().is_empty());
        if first.is_some_and(|l| serde_json::from_str::<Json>(l).is_ok()) {
            // Line by line from the bytes, so a line that is not UTF-8 is an error for
            // that line alone, with its number (the lossy text is only for the sniffing).
            return bytes
                .split(|b| *b == b'\n')
                .enumerate()
                .filter(|(_, l)| !l.trim_ascii().is_empty())
                .map(|(i, l)| {
                    let record = match event_line::parse(l) {
                        Ok(v) if v.get("Event").is_some() => self.checked(&v),
                        Ok(v) => Record::Event(v),
                        Err(why) => Record::Bad(why),
                    };
                    (i + 1, record)
                })
                .collect();
        }
        number_records(self.json_dump(&text))
    }

    /// Every record of an .evtx file, in file order. A file whose header cannot be read
    /// is one `Bad` record; a bad record or chunk is one `Bad` record and reading goes on.
    pub fn evtx(&self, bytes: Vec<u8>) -> Vec<Record> {
        let parser = match evtx::EvtxParser::from_buffer(bytes) {
            Ok(p) => p,
            Err(e) => return vec![Record::Bad(format!("not a readable .evtx file: {e}"))],
        };
        let settings = evtx::ParserSettings::new()
            .num_threads(1)
            .separate_json_attributes(false);
        let mut parser = parser.with_configuration(settings);
        parser
            .records_json_value()
            .map(|record| match record {
                Ok(r) => {
                    let size = r.data.to_string().len();
                    if size > MAX_RECORD_BYTES {
                        Record::Bad(format!(
                            "record {}: {size} bytes of event data, more than the {MAX_RECORD_BYTES} read",
                            r.event_record_id
                        ))
                    } else {
                        self.event(&r.data)
                            .unwrap_or_else(|why| Record::Bad(format!("record {}: {why}", r.event_record_id)))
                    }
                }
                Err(e) => Record::Bad(format!("{e}")),
            })
            .collect()
    }

    /// Every event of a JSON dump: one `{"Event": ...}` object, several one after another
    /// (one a line or pretty-printed), or an array of them.
    pub fn json_dump(&self, text: &str) -> Vec<Record> {
        let mut out = Vec::new();
        let mut stream = serde_json::Deserializer::from_str(text).into_iter::<Json>();
        loop {
            match stream.next() {
                None => break,
                Some(Ok(Json::Array(items))) => {
                    out.extend(items.iter().map(|item| self.checked(item)));
                }
                Some(Ok(value)) => out.push(self.checked(&value)),
                Some(Err(e)) => {
                    // The rest of the text cannot be split into objects any more.
                    out.push(Record::Bad(format!("malformed JSON: {e}")));
                    break;
                }
            }
        }
        out
    }

    fn checked(&self, value: &Json) -> Record {
        let size = value.to_string().len();
        if size > MAX_RECORD_BYTES {
            return Record::Bad(format!(
                "{size} bytes of event, more than the {MAX_RECORD_BYTES} read"
            ));
        }
        self.event(value).unwrap_or_else(Record::Bad)
    }

    /// One `{"Event": {"System": ..., "EventData": ...}}` value.
    pub fn event(&self, value: &Json) -> Result<Record, String> {
        let event = value
            .get("Event")
            .ok_or("an event is an object with \"Event\" holding \"System\" and \"EventData\"")?;
        let system = event.get("System").ok_or("the event has no \"System\"")?;
        let provider = system
            .get("Provider")
            .and_then(|p| attribute(p, "Name"))
            .ok_or("the event's System has no Provider Name")?;
        let event_id = system
            .get("EventID")
            .and_then(|id| number(text_of(id)?))
            .and_then(|n| u32::try_from(n).ok())
            .ok_or("the event's System has no numeric EventID")?;
        let Some((mapping, source)) = self.mappings.for_event(&provider, event_id) else {
            return Ok(Record::Unmapped { provider, event_id });
        };
        let data = event_data(event.get("EventData"));
        // The event's names as Sigma's, then each onto its template field.
        let named: BTreeMap<&str, &Json> = data
            .iter()
            .map(|(name, v)| {
                let sigma = source
                    .rename
                    .get(name)
                    .map_or(name.as_str(), String::as_str);
                (sigma, *v)
            })
            .collect();
        self.fields(mapping, &named).map(Record::Event)
    }

    fn fields(&self, mapping: &Mapping, named: &BTreeMap<&str, &Json>) -> Result<Json, String> {
        let template = self
            .program
            .templates
            .iter()
            .find(|t| t.name == mapping.template)
            .ok_or_else(|| format!("the stdlib has no template `{}`", mapping.template))?;
        let mut fields = Map::new();
        for (sigma, map) in &mapping.fields {
            let Some(raw) = named.get(sigma.as_str()).and_then(|v| text_of(v)) else {
                continue;
            };
            let Some(field) = template.field(map.field()) else {
                continue;
            };
            let raw = format!("{}{raw}", map.prefix());
            let value = match field.ty {
                Type::Enum(e) => {
                    let variant = map.variant(&raw).map(str::to_string).or_else(|| {
                        self.program.enums[e.0]
                            .variants
                            .iter()
                            .find(|v| v.name.eq_ignore_ascii_case(&raw))
                            .map(|v| v.name.clone())
                    });
                    match variant {
                        Some(v) => json!(v),
                        None => {
                            return Err(format!(
                                "{sigma}: `{raw}` is no value of the field `{}`",
                                field.name
                            ))
                        }
                    }
                }
                ty => typed(ty, &raw).map_err(|why| format!("{sigma}: {why}"))?,
            };
            fields.insert(field.name.clone(), value);
        }
        for (name, derived) in &mapping.derived {
            let Some(list) = named.get(derived.from.as_str()).and_then(|v| text_of(v)) else {
                continue;
            };
            let found = list.split(',').find_map(|pair| {
                let (k, v) = pair.split_once('=')?;
                k.trim()
                    .eq_ignore_ascii_case(&derived.key)
                    .then(|| v.trim().to_ascii_lowercase())
            });
            if let (Some(v), Some(field)) = (found, template.field(name)) {
                fields.insert(field.name.clone(), typed(field.ty, &v)?);
            }
        }
        Ok(json!({"template": mapping.template, "fields": fields}))
    }
}

fn number_records(records: Vec<Record>) -> Vec<(usize, Record)> {
    records
        .into_iter()
        .enumerate()
        .map(|(i, r)| (i + 1, r))
        .collect()
}

/// A text value as the JSON the field's type wants.
fn typed(ty: Type, raw: &str) -> Result<Json, String> {
    Ok(match ty {
        Type::Bool => match raw.to_ascii_lowercase().as_str() {
            "true" | "1" => json!(true),
            "false" | "0" => json!(false),
            _ => return Err(format!("`{raw}` is not true or false")),
        },
        Type::U8 | Type::U16 | Type::U32 | Type::U64 => {
            json!(number(raw).ok_or_else(|| format!("`{raw}` is not a number"))?)
        }
        Type::I32 | Type::I64 => json!(raw
            .trim()
            .parse::<i64>()
            .map_err(|_| format!("`{raw}` is not a number"))?),
        Type::Sha256 => json!(raw.to_ascii_lowercase()),
        Type::String | Type::Path | Type::Ip | Type::Enum(_) => json!(raw),
    })
}

/// A decimal or `0x` hexadecimal number, as Windows writes ids and logon ids.
fn number(text: impl AsRef<str>) -> Option<u64> {
    let t = text.as_ref().trim();
    match t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        Some(hex) => u64::from_str_radix(hex, 16).ok(),
        None => t.parse().ok(),
    }
}

/// A value's text: strings as they are, numbers and booleans written out, `{"#text": ..}`
/// for an element with attributes; `None` for null and the empty.
fn text_of(value: &Json) -> Option<String> {
    match value {
        Json::String(s) => Some(s.clone()),
        Json::Number(n) => Some(n.to_string()),
        Json::Bool(b) => Some(b.to_string()),
        Json::Object(o) => o.get("#text").and_then(text_of),
        _ => None,
    }
}

fn attribute(node: &Json, name: &str) -> Option<String> {
    node.get("#attributes")
        .and_then(|a| a.get(name))
        .or_else(|| node.get(name))
        .and_then(text_of)
}

/// EventData as names and values: either a map of names (how the evtx crate and its dumps
/// write named data) or a list of `{"#attributes": {"Name": ..}, "#text": ..}` elements.
fn event_data(data: Option<&Json>) -> Vec<(String, &Json)> {
    let Some(Json::Object(map)) = data else {
        return Vec::new();
    };
    if let Some(Json::Array(items)) = map.get("Data") {
        return items
            .iter()
            .filter_map(|item| Some((attribute(item, "Name")?, item)))
            .collect();
    }
    map.iter()
        .filter(|(k, _)| !k.starts_with('#'))
        .map(|(k, v)| (k.clone(), v))
        .collect()
}
