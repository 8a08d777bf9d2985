//! A Sigma rule's metadata and detection, read from its YAML document.

use crate::yaml::Node;
use crate::Reason;

/// What the importer keeps of a rule besides its detection.
#[derive(Debug, Clone)]
pub struct Rule {
    pub title: String,
    pub id: Option<String>,
    pub status: Option<String>,
    pub level: String,
    pub description: Option<String>,
    pub author: Option<String>,
    pub tags: Vec<String>,
    pub references: Vec<String>,
    pub falsepositives: Vec<String>,
    pub product: String,
    pub category: String,
    pub service: Option<String>,
    pub detection: Node,
    pub condition: String,
    pub condition_line: usize,
}

/// A refusal: why, in words, and the line it concerns.
pub type Refusal = (Reason, String, usize);

/// The Sigma levels, which are Ward's severities.
const LEVELS: [&str; 5] = ["informational", "low", "medium", "high", "critical"];

/// Reads the rule of one YAML document.
pub fn read(doc: &Node) -> Result<Rule, Refusal> {
    let line = doc.line();
    if !matches!(doc, Node::Map { .. }) {
        return Err((Reason::NotARule, "the document is not a map".into(), line));
    }
    if doc.get("correlation").is_some() {
        return Err((
            Reason::Correlation,
            "a correlation rule (it relates several rules' matches over time)".into(),
            doc.get("correlation").map_or(line, Node::line),
        ));
    }
    let text = |key: &str| doc.get(key).and_then(Node::text).map(str::to_string);
    let title = text("title").ok_or((Reason::NotARule, "no `title`".into(), line))?;
    let logsource =
        doc.get("logsource")
            .ok_or((Reason::NotARule, "no `logsource`".into(), line))?;
    let detection =
        doc.get("detection")
            .ok_or((Reason::NotARule, "no `detection`".into(), line))?;
    let level_node = doc.get("level");
    let level = level_node
        .and_then(Node::text)
        .ok_or((
            Reason::Level,
            "no `level` (a Ward instance needs a severity)".into(),
            line,
        ))?
        .to_ascii_lowercase();
    if !LEVELS.contains(&level.as_str()) {
        return Err((
            Reason::Level,
            format!("level `{level}` is none of {}", LEVELS.join(", ")),
            level_node.map_or(line, Node::line),
        ));
    }
    if let Some(t) = detection.get("timeframe") {
        return Err((
            Reason::Aggregation,
            "a `timeframe` (matching over time is not one event's criteria)".into(),
            t.line(),
        ));
    }
    let condition_node = detection.get("condition").ok_or((
        Reason::NotARule,
        "the detection has no `condition`".into(),
        detection.line(),
    ))?;
    let condition = match condition_node {
        Node::Text { text, .. } => text.clone(),
        // A list of conditions is their `or` (Sigma 1.x).
        Node::List { items, .. } if !items.is_empty() => items
            .iter()
            .filter_map(Node::text)
            .map(|c| format!("({c})"))
            .collect::<Vec<_>>()
            .join(" or "),
        other => {
            return Err((
                Reason::Condition,
                "the condition is not text".into(),
                other.line(),
            ));
        }
    };
    let source = |key: &str| logsource.get(key).and_then(Node::text).map(str::to_string);
    Ok(Rule {
        title,
        id: text("id"),
        status: text("status"),
        level,
        description: text("description"),
        author: text("author"),
        tags: doc.get("tags").map(Node::texts).unwrap_or_default(),
        references: doc.get("references").map(Node::texts).unwrap_or_default(),
        falsepositives: doc
            .get("falsepositives")
            .map(Node::texts)
            .unwrap_or_default(),
        product: source("product").unwrap_or_default(),
        category: source("category").unwrap_or_default(),
        service: source("service"),
        detection: detection.clone(),
        condition,
        condition_line: condition_node.line(),
    })
}
