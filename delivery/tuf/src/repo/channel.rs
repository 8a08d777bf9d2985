//! What the repository records of a Ward channel in its target's `custom` field, so a
//! host can tell which targets its sensor needs before downloading any, and the
//! repository can refuse a content version that does not go up.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use ward_runtime::decode;

use crate::error::{invalid, Error};

/// `custom.ward` of a channel target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChannelInfo {
    pub channel_id: u32,
    pub name: String,
    pub content_version: u64,
    pub template: TemplateInfo,
    /// Names of the sensors the channel was built for.
    pub sensors: Vec<String>,
}

/// The template a channel instantiates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateInfo {
    pub id: u32,
    pub name: String,
    pub version: u32,
}

impl ChannelInfo {
    /// Reads a channel file's header (decoded, not verified: the repository records
    /// what the file says; hosts verify it in full).
    pub fn of_file(bytes: &[u8], what: &str) -> Result<ChannelInfo, Error> {
        let channel = decode(bytes)
            .map_err(|e| invalid(what, format!("not a Ward channel file: {e}")))?
            .channel;
        Ok(ChannelInfo {
            channel_id: channel.id,
            name: channel.name,
            content_version: channel.content_version,
            template: TemplateInfo {
                id: channel.template.id,
                name: channel.template.name,
                version: channel.template.version,
            },
            sensors: channel.targets.into_iter().map(|t| t.name).collect(),
        })
    }

    /// The `custom` value of a target (`{"ward": {...}}`).
    pub fn to_custom(&self) -> Value {
        serde_json::json!({ "ward": self })
    }

    /// The channel info of a target's `custom`, if it has one.
    pub fn from_custom(custom: &Value) -> Option<ChannelInfo> {
        serde_json::from_value(custom.get("ward")?.clone()).ok()
    }

    /// The target path of this channel in the repository.
    pub fn target_path(&self) -> String {
        format!("channels/{}.chan", self.name)
    }

    /// One line for `ward repo status`.
    pub fn summary(&self) -> String {
        format!(
            "channel `{}` ({}) version {}, template `{}` v{}, sensors {}",
            self.name,
            self.channel_id,
            self.content_version,
            self.template.name,
            self.template.version,
            self.sensors.join(", ")
        )
    }
}
