//! YAML documents as a small tree of strings, lists and maps, each node with the line it
//! starts on, so every refusal can name the rule's path and line.

use saphyr::{LoadableYamlNode, MarkedYaml, Scalar, YamlData};

/// A YAML node. Scalars are kept as text (numbers and booleans as YAML wrote them), since
/// Sigma compares values as strings; `null` is its own case (Sigma's "field is empty").
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    Null {
        line: usize,
    },
    Text {
        text: String,
        line: usize,
    },
    List {
        items: Vec<Node>,
        line: usize,
    },
    Map {
        entries: Vec<(String, Node)>,
        line: usize,
    },
}

impl Node {
    pub fn line(&self) -> usize {
        match self {
            Node::Null { line }
            | Node::Text { line, .. }
            | Node::List { line, .. }
            | Node::Map { line, .. } => *line,
        }
    }

    pub fn get(&self, key: &str) -> Option<&Node> {
        match self {
            Node::Map { entries, .. } => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    pub fn text(&self) -> Option<&str> {
        match self {
            Node::Text { text, .. } => Some(text),
            _ => None,
        }
    }

    /// A string or a list of strings, as Sigma allows for tags, references and the like.
    pub fn texts(&self) -> Vec<String> {
        match self {
            Node::Text { text, .. } => vec![text.clone()],
            Node::List { items, .. } => items
                .iter()
                .filter_map(|i| i.text().map(str::to_string))
                .collect(),
            _ => Vec::new(),
        }
    }
}

/// Every document of a YAML file; an error names its line.
pub fn parse(source: &str) -> Result<Vec<Node>, (String, usize)> {
    let docs =
        MarkedYaml::load_from_str(source).map_err(|e| (e.info().to_string(), e.marker().line()))?;
    docs.iter().map(convert).collect()
}

fn convert(node: &MarkedYaml<'_>) -> Result<Node, (String, usize)> {
    let line = node.span.start.line();
    Ok(match &node.data {
        YamlData::Value(Scalar::Null) => Node::Null { line },
        YamlData::Value(Scalar::String(s)) => Node::Text {
            text: s.to_string(),
            line,
        },
        YamlData::Value(Scalar::Boolean(b)) => Node::Text {
            text: b.to_string(),
            line,
        },
        YamlData::Value(Scalar::Integer(i)) => Node::Text {
            text: i.to_string(),
            line,
        },
        YamlData::Value(Scalar::FloatingPoint(f)) => Node::Text {
            text: f.to_string(),
            line,
        },
        YamlData::Representation(text, _, _) => Node::Text {
            text: text.to_string(),
            line,
        },
        YamlData::Sequence(items) => Node::List {
            items: items.iter().map(convert).collect::<Result<_, _>>()?,
            line,
        },
        YamlData::Mapping(map) => {
            let mut entries = Vec::with_capacity(map.len());
            for (k, v) in map {
                let key = match convert(k)? {
                    Node::Text { text, .. } => text,
                    Node::Null { .. } => String::new(),
                    _ => {
                        return Err(("a map key that is not a string".into(), k.span.start.line()))
                    }
                };
                entries.push((key, convert(v)?));
            }
            Node::Map { entries, line }
        }
        YamlData::Tagged(_, inner) => convert(inner)?,
        YamlData::Alias(_) => return Err(("YAML aliases are not supported".into(), line)),
        YamlData::BadValue => return Err(("a value YAML cannot represent".into(), line)),
    })
}
