//! The stdlib's mapping files (stdlib-templates/mappings/*.toml): for each Sigma logsource,
//! the template it becomes, Sigma's field names (Sysmon's EventData names) to template
//! fields, and the Windows events (provider and event id) that feed the template.
//!
//! One table serves both directions, so the importer and the event reader cannot disagree
//! on what a field means: `ward import sigma` reads it from Sigma to Ward, `ward run` and
//! `ward test` from a Windows event to Ward.

use std::collections::BTreeMap;

use serde::Deserialize;

/// `(file name, contents)` of every bundled mapping file.
pub const FILES: &[(&str, &str)] = &[
    (
        "process_creation.toml",
        include_str!("../../../stdlib-templates/mappings/process_creation.toml"),
    ),
    (
        "network_connection.toml",
        include_str!("../../../stdlib-templates/mappings/network_connection.toml"),
    ),
    (
        "image_load.toml",
        include_str!("../../../stdlib-templates/mappings/image_load.toml"),
    ),
    (
        "file_event.toml",
        include_str!("../../../stdlib-templates/mappings/file_event.toml"),
    ),
    (
        "registry_event.toml",
        include_str!("../../../stdlib-templates/mappings/registry_event.toml"),
    ),
    (
        "pipe_created.toml",
        include_str!("../../../stdlib-templates/mappings/pipe_created.toml"),
    ),
];

/// One logsource's mapping file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mapping {
    /// The stdlib template its events are.
    pub template: String,
    /// Sigma's `logsource.product`.
    pub product: String,
    /// Sigma's `logsource.category` values this file maps.
    pub categories: Vec<String>,
    /// Name and id of the channel the importer writes this logsource's rules to.
    pub channel: String,
    pub channel_id: u32,
    /// Sigma / Sysmon field name -> template field.
    pub fields: BTreeMap<String, FieldMap>,
    /// Template fields the event reader derives from another field's `key=value,...` list.
    #[serde(default)]
    pub derived: BTreeMap<String, Derived>,
    /// The Windows events of this template.
    pub events: Vec<EventSource>,
}

/// Where one Sigma field goes.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum FieldMap {
    /// The template field's name: values are taken as they are.
    Field(String),
    Detailed(Detailed),
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Detailed {
    pub field: String,
    /// For enum fields: the event's (and Sigma's) text -> the variant's name, matched
    /// without regard to case.
    #[serde(default)]
    pub values: BTreeMap<String, String>,
    /// Text the template's values carry before the event's value.
    #[serde(default)]
    pub prefix: String,
}

impl FieldMap {
    pub fn field(&self) -> &str {
        match self {
            FieldMap::Field(f) => f,
            FieldMap::Detailed(d) => &d.field,
        }
    }

    /// The variant an event's or a rule's text stands for, when the field is an enum.
    pub fn variant(&self, text: &str) -> Option<&str> {
        match self {
            FieldMap::Field(_) => None,
            FieldMap::Detailed(d) => d
                .values
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(text))
                .map(|(_, v)| v.as_str()),
        }
    }

    pub fn has_values(&self) -> bool {
        matches!(self, FieldMap::Detailed(d) if !d.values.is_empty())
    }

    pub fn prefix(&self) -> &str {
        match self {
            FieldMap::Field(_) => "",
            FieldMap::Detailed(d) => &d.prefix,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Derived {
    /// The Sigma / Sysmon field holding `key=value,...`.
    pub from: String,
    pub key: String,
}

/// One Windows event that feeds the template.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventSource {
    pub provider: String,
    pub event_id: u32,
    /// This event's EventData names that differ from Sigma's -> the Sigma name.
    #[serde(default)]
    pub rename: BTreeMap<String, String>,
}

/// Every bundled mapping, in file order.
#[derive(Debug, Clone)]
pub struct Mappings {
    pub all: Vec<Mapping>,
}

impl Mappings {
    /// The bundled files. They are part of the binary and tested, so a bad one is a bug
    /// reported with its file name rather than a panic.
    pub fn bundled() -> Result<Mappings, String> {
        let all = FILES
            .iter()
            .map(|(name, text)| {
                toml::from_str(text).map_err(|e| format!("stdlib-templates/mappings/{name}: {e}"))
            })
            .collect::<Result<Vec<Mapping>, String>>()?;
        Ok(Mappings { all })
    }

    /// The mapping of a Sigma logsource, with its index.
    pub fn for_logsource(&self, product: &str, category: &str) -> Option<(usize, &Mapping)> {
        self.all.iter().enumerate().find(|(_, m)| {
            m.product.eq_ignore_ascii_case(product)
                && m.categories
                    .iter()
                    .any(|c| c.eq_ignore_ascii_case(category))
        })
    }

    /// The mapping and event source of a Windows event.
    pub fn for_event(&self, provider: &str, event_id: u32) -> Option<(&Mapping, &EventSource)> {
        self.all.iter().find_map(|m| {
            m.events
                .iter()
                .find(|e| e.event_id == event_id && e.provider.eq_ignore_ascii_case(provider))
                .map(|e| (m, e))
        })
    }
}
