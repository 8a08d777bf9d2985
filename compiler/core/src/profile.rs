//! Generated sensor profiles: what a sensor supplies, from its `sensor` declaration, as a
//! file its own build embeds (C, Rust) or a host loads (JSON).
//!
//! A hand-written profile that says 21 inputs where the sensor fills 20 is channel 291
//! again, so a sensor's profile is never written by hand: [`SensorExport::of`] takes it
//! from the checked program, and every output carries exactly the facts the verifier
//! compares (template id and version, how many inputs are supplied, each supplied field's
//! number, name and type, and the enums those fields use). [`SensorExport::from_json`]
//! reads the JSON form back, refusing anything the exporter would not write, and
//! [`SensorExport::profile`] is the runtime's [`SensorProfile`] either way.

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};
use ward_runtime::{EnumDef, FieldDef, FieldType, HostTemplate, SensorProfile};

use crate::hir::{Program, SensorId};
use crate::lower;

/// The `format` of a JSON profile; a reader refuses any other.
pub const JSON_FORMAT: &str = "ward-sensor-profile/1";

/// The output languages of `ward sensor export`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// A header of static profile data for `ward.h`'s `ward_profile_new`, and field numbers.
    C,
    /// A module with `profile()` building a `ward_runtime::SensorProfile`, and field numbers.
    Rust,
    /// The JSON a host (or `ward verify --profile`) reads at run time.
    Json,
}

/// One sensor's profile with the names the generated files use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SensorExport {
    pub sensor: String,
    pub platform: String,
    pub version: String,
    pub templates: Vec<TemplateExport>,
}

/// One supplied template: its source name beside what the runtime compares. `host.fields`
/// holds exactly the supplied fields, `1..=host.supplied`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateExport {
    pub name: String,
    pub host: HostTemplate,
}

impl SensorExport {
    /// The profile of sensor `sid` as the program declares it.
    pub fn of(program: &Program, sid: SensorId) -> SensorExport {
        let sensor = program.sensor(sid);
        let profile = lower::sensor_profile(program, sid);
        let templates = sensor
            .supplies
            .iter()
            .zip(profile.templates)
            .map(|(supply, host)| TemplateExport {
                name: program.template(supply.template).name.clone(),
                host: supplied_only(host),
            })
            .collect();
        SensorExport {
            sensor: sensor.name.clone(),
            platform: sensor.platform.as_str().to_string(),
            version: sensor.version.clone(),
            templates,
        }
    }

    /// The runtime's profile: what `ward_runtime::verify` takes.
    pub fn profile(&self) -> SensorProfile {
        SensorProfile {
            name: self.sensor.clone(),
            templates: self.templates.iter().map(|t| t.host.clone()).collect(),
        }
    }

    /// The profile in `lang`.
    pub fn render(&self, lang: Lang) -> String {
        match lang {
            Lang::C => self.to_c(),
            Lang::Rust => self.to_rust(),
            Lang::Json => self.to_json(),
        }
    }

    /// The JSON form, pretty-printed, ending in a newline.
    pub fn to_json(&self) -> String {
        let file = ProfileFile {
            format: JSON_FORMAT.to_string(),
            sensor: self.sensor.clone(),
            platform: self.platform.clone(),
            version: self.version.clone(),
            templates: self.templates.iter().map(TemplateFile::of).collect(),
        };
        // Serializing plain strings and integers cannot fail.
        let mut text = serde_json::to_string_pretty(&file).unwrap_or_default();
        text.push('\n');
        text
    }

    /// Reads a JSON profile, refusing unknown keys, unknown types, fields out of order or
    /// a `supplied` count that is not the number of fields listed.
    pub fn from_json(text: &str) -> Result<SensorExport, String> {
        let file: ProfileFile = serde_json::from_str(text).map_err(|e| e.to_string())?;
        if file.format != JSON_FORMAT {
            return Err(format!(
                "`format` is \"{}\"; this ward reads \"{JSON_FORMAT}\"",
                file.format
            ));
        }
        let templates = file
            .templates
            .into_iter()
            .map(TemplateFile::into_export)
            .collect::<Result<Vec<_>, String>>()?;
        for (i, t) in templates.iter().enumerate() {
            if templates[..i].iter().any(|o| o.host.id == t.host.id) {
                return Err(format!("template id {} is listed twice", t.host.id));
            }
        }
        Ok(SensorExport {
            sensor: file.sensor,
            platform: file.platform,
            version: file.version,
            templates,
        })
    }

    /// A C header of static data for `ward_profile_new` (ffi/include/ward.h), with a
    /// macro for each template's id, version and supplied count and each field's number.
    pub fn to_c(&self) -> String {
        let sensor = c_ident(&self.sensor);
        let upper = sensor.to_uppercase();
        let mut out = String::new();
        let _ = writeln!(
            out,
            "/* Generated by `ward sensor export {} --lang c`: do not edit.\n * Sensor `{}` ({} {}): every template it supplies, with each supplied field's\n * number and type. Include it in one C file of the sensor's build. */",
            self.sensor, self.sensor, self.platform, self.version
        );
        let _ = writeln!(out, "#ifndef WARD_PROFILE_{upper}_H\n#define WARD_PROFILE_{upper}_H\n\n#include \"ward.h\"\n");
        for t in &self.templates {
            let tname = c_ident(&snake(&t.name));
            let prefix = format!("WARD_{upper}_{}", tname.to_uppercase());
            let h = &t.host;
            let _ = writeln!(
                out,
                "/* Template {} (id {}, version {}): the sensor fills inputs 1 to {}. */",
                t.name, h.id, h.version, h.supplied
            );
            let _ = writeln!(out, "#define {prefix}_ID {}u", h.id);
            let _ = writeln!(out, "#define {prefix}_VERSION {}u", h.version);
            let _ = writeln!(out, "#define {prefix}_SUPPLIED {}u", h.supplied);
            for (n, f) in h.fields.iter().enumerate() {
                let _ = writeln!(
                    out,
                    "#define {prefix}_{} {}u /* {} */",
                    c_ident(&f.name).to_uppercase(),
                    n + 1,
                    type_text(f.ty, &h.enums)
                );
            }
            for (e, def) in h.enums.iter().enumerate() {
                let _ = writeln!(
                    out,
                    "static const WardVariantDef ward_{sensor}_{tname}_enum{e}[] = {{"
                );
                for (name, value) in &def.variants {
                    let _ = writeln!(out, "    {{ {}, {value}u }},", c_string(name));
                }
                let _ = writeln!(out, "}};");
            }
            let _ = writeln!(
                out,
                "static const WardEnumDef ward_{sensor}_{tname}_enums[] = {{"
            );
            for (e, def) in h.enums.iter().enumerate() {
                let _ = writeln!(
                    out,
                    "    {{ {}, ward_{sensor}_{tname}_enum{e}, {} }},",
                    c_string(&def.name),
                    def.variants.len()
                );
            }
            if h.enums.is_empty() {
                // C has no empty arrays; the count below is what the runtime reads.
                let _ = writeln!(out, "    {{ 0, 0, 0 }},");
            }
            let _ = writeln!(out, "}};");
            let _ = writeln!(
                out,
                "static const WardFieldDef ward_{sensor}_{tname}_fields[] = {{"
            );
            for f in &h.fields {
                let (ty, index) = c_type(f.ty);
                let _ = writeln!(out, "    {{ {}, {ty}, {index} }},", c_string(&f.name));
            }
            let _ = writeln!(out, "}};\n");
        }
        let _ = writeln!(
            out,
            "static const WardTemplateDef ward_{sensor}_templates[] = {{"
        );
        for t in &self.templates {
            let tname = c_ident(&snake(&t.name));
            let h = &t.host;
            let _ = writeln!(
                out,
                "    {{ {}, {}u, {}u, {}u, ward_{sensor}_{tname}_fields, {}, ward_{sensor}_{tname}_enums, {} }},",
                c_string(&t.name),
                h.id,
                h.version,
                h.supplied,
                h.fields.len(),
                h.enums.len()
            );
        }
        let _ = writeln!(out, "}};\n");
        let _ = writeln!(
            out,
            "/* Pass to ward_profile_new. */\nstatic const WardSensorProfileDef WARD_PROFILE_{upper} = {{\n    {}, ward_{sensor}_templates, {}\n}};\n\n#endif",
            c_string(&self.sensor),
            self.templates.len()
        );
        out
    }

    /// A Rust module: `profile()` builds the runtime's profile, and a module per template
    /// holds its id, version, supplied count and field numbers.
    pub fn to_rust(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "//! Generated by `ward sensor export {} --lang rust`: do not edit.\n//! Sensor `{}` ({} {}): every template it supplies, with each supplied field's\n//! number and type.\n",
            self.sensor, self.sensor, self.platform, self.version
        );
        let _ = writeln!(
            out,
            "use ward_runtime::{{EnumDef, FieldDef, FieldType, HostTemplate, SensorProfile}};\n"
        );
        let _ = writeln!(
            out,
            "/// The sensor's name, as channels name their targets."
        );
        let _ = writeln!(out, "pub const SENSOR: &str = {:?};\n", self.sensor);
        for t in &self.templates {
            let h = &t.host;
            let _ = writeln!(
                out,
                "/// Template `{}`: the sensor fills inputs 1 to {}.\n#[allow(dead_code)]\npub mod {} {{\n    pub const ID: u32 = {};\n    pub const VERSION: u32 = {};\n    pub const SUPPLIED: u16 = {};",
                t.name,
                h.supplied,
                snake(&t.name),
                h.id,
                h.version,
                h.supplied
            );
            for (n, f) in h.fields.iter().enumerate() {
                let _ = writeln!(
                    out,
                    "    /// `{}`\n    pub const {}: u16 = {};",
                    type_text(f.ty, &h.enums),
                    f.name.to_uppercase(),
                    n + 1
                );
            }
            let _ = writeln!(out, "}}\n");
        }
        let _ = writeln!(
            out,
            "/// What the sensor supplies, for `ward_runtime::verify`."
        );
        let _ = writeln!(out, "pub fn profile() -> SensorProfile {{");
        let _ = writeln!(
            out,
            "    SensorProfile {{\n        name: SENSOR.into(),\n        templates: vec!["
        );
        for t in &self.templates {
            let h = &t.host;
            let _ = writeln!(
                out,
                "            HostTemplate {{\n                id: {}::ID,\n                version: {}::VERSION,\n                supplied: {}::SUPPLIED,\n                fields: vec![",
                snake(&t.name),
                snake(&t.name),
                snake(&t.name)
            );
            for f in &h.fields {
                let _ = writeln!(
                    out,
                    "                    FieldDef {{ name: {:?}.into(), ty: FieldType::{:?} }},",
                    f.name, f.ty
                );
            }
            let _ = writeln!(out, "                ],\n                enums: vec![");
            for e in &h.enums {
                let variants: Vec<String> = e
                    .variants
                    .iter()
                    .map(|(name, value)| format!("({name:?}.into(), {value})"))
                    .collect();
                let _ = writeln!(
                    out,
                    "                    EnumDef {{ name: {:?}.into(), variants: vec![{}] }},",
                    e.name,
                    variants.join(", ")
                );
            }
            let _ = writeln!(out, "                ],\n            }},");
        }
        let _ = writeln!(out, "        ],\n    }}\n}}");
        out
    }
}

/// The host template cut to the fields the sensor supplies, keeping only the enums those
/// fields use (renumbered in order of first use, as lowering numbers them).
fn supplied_only(host: HostTemplate) -> HostTemplate {
    let mut used: Vec<u16> = Vec::new();
    let fields = host
        .fields
        .into_iter()
        .take(usize::from(host.supplied))
        .map(|f| {
            let ty = match f.ty {
                FieldType::Enum(i) => {
                    let at = used.iter().position(|u| *u == i).unwrap_or_else(|| {
                        used.push(i);
                        used.len() - 1
                    });
                    // At most as many enums as fields, and fields are at most 128.
                    FieldType::Enum(u16::try_from(at).unwrap_or(u16::MAX))
                }
                other => other,
            };
            FieldDef { name: f.name, ty }
        })
        .collect();
    let enums = used
        .iter()
        .filter_map(|i| host.enums.get(usize::from(*i)).cloned())
        .collect();
    HostTemplate {
        id: host.id,
        version: host.version,
        supplied: host.supplied,
        fields,
        enums,
    }
}

/// A field type as written in source, enums by name.
fn type_text(ty: FieldType, enums: &[EnumDef]) -> String {
    match ty {
        FieldType::Enum(i) => enums
            .get(usize::from(i))
            .map_or_else(|| format!("enum #{i}"), |e| e.name.clone()),
        other => other.builtin_name().unwrap_or_default().to_string(),
    }
}

/// The `WardType` constant of a field type and its enum index (0 for built-in types).
fn c_type(ty: FieldType) -> (String, u16) {
    match ty {
        FieldType::Enum(i) => ("WARD_TYPE_ENUM".to_string(), i),
        other => (
            format!(
                "WARD_TYPE_{}",
                other.builtin_name().unwrap_or_default().to_uppercase()
            ),
            0,
        ),
    }
}

/// `IpcNamedPipe` → `ipc_named_pipe`.
fn snake(name: &str) -> String {
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            out.push('_');
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

/// A C identifier fragment: anything but ASCII letters, digits and `_` becomes `_`
/// (sensor names are identifiers already; this keeps the output C whatever they hold).
fn c_ident(name: &str) -> String {
    name.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

/// A C string literal; names are identifiers, but escape all the same.
fn c_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_ascii_graphic() || c == ' ' => out.push(c),
            c => {
                let mut buf = [0u8; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    let _ = write!(out, "\\{b:03o}");
                }
            }
        }
    }
    out.push('"');
    out
}

// ---- The JSON form ----

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProfileFile {
    format: String,
    sensor: String,
    platform: String,
    version: String,
    templates: Vec<TemplateFile>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct TemplateFile {
    name: String,
    id: u32,
    version: u32,
    supplied: u16,
    /// Fields `1..=supplied`, in order.
    fields: Vec<FieldFile>,
    enums: Vec<EnumFile>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct FieldFile {
    number: u16,
    name: String,
    /// A built-in type name, or the name of one of the template's `enums`.
    #[serde(rename = "type")]
    ty: String,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct EnumFile {
    name: String,
    variants: Vec<VariantFile>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct VariantFile {
    name: String,
    value: u32,
}

impl TemplateFile {
    fn of(t: &TemplateExport) -> TemplateFile {
        let h = &t.host;
        TemplateFile {
            name: t.name.clone(),
            id: h.id,
            version: h.version,
            supplied: h.supplied,
            fields: h
                .fields
                .iter()
                .enumerate()
                .map(|(n, f)| FieldFile {
                    // At most 128 fields (the runtime's limit), so this fits.
                    number: u16::try_from(n + 1).unwrap_or(u16::MAX),
                    name: f.name.clone(),
                    ty: type_text(f.ty, &h.enums),
                })
                .collect(),
            enums: h
                .enums
                .iter()
                .map(|e| EnumFile {
                    name: e.name.clone(),
                    variants: e
                        .variants
                        .iter()
                        .map(|(name, value)| VariantFile {
                            name: name.clone(),
                            value: *value,
                        })
                        .collect(),
                })
                .collect(),
        }
    }

    fn into_export(self) -> Result<TemplateExport, String> {
        let name = self.name;
        if usize::from(self.supplied) != self.fields.len() {
            return Err(format!(
                "template `{name}` says it supplies {} inputs but lists {} fields",
                self.supplied,
                self.fields.len()
            ));
        }
        let enums: Vec<EnumDef> = self
            .enums
            .into_iter()
            .map(|e| EnumDef {
                name: e.name,
                variants: e.variants.into_iter().map(|v| (v.name, v.value)).collect(),
            })
            .collect();
        let fields = self
            .fields
            .into_iter()
            .enumerate()
            .map(|(n, f)| {
                if usize::from(f.number) != n + 1 {
                    return Err(format!(
                        "template `{name}`: field `{}` is number {}, but fields must be listed as 1, 2, 3, ... (expected {})",
                        f.name,
                        f.number,
                        n + 1
                    ));
                }
                let ty = match FieldType::builtin(&f.ty) {
                    Some(ty) => ty,
                    None => {
                        let index = enums.iter().position(|e| e.name == f.ty).ok_or_else(|| {
                            format!(
                                "template `{name}`: field {} (`{}`) has type `{}`, which is neither a built-in type nor one of the template's enums",
                                f.number, f.name, f.ty
                            )
                        })?;
                        FieldType::Enum(u16::try_from(index).unwrap_or(u16::MAX))
                    }
                };
                Ok(FieldDef { name: f.name, ty })
            })
            .collect::<Result<Vec<_>, String>>()?;
        Ok(TemplateExport {
            name,
            host: HostTemplate {
                id: self.id,
                version: self.version,
                supplied: self.supplied,
                fields,
                enums,
            },
        })
    }
}
