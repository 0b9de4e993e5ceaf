//! The documents answers and imports are written in, read into one shape
//! both syntaxes share (TOML with positions, JSON without), so the rules on
//! top are written once. Unlike `serde_json::Value`, a JSON object keeps
//! every key in file order, duplicates included, so a copy-paste slip
//! (`"documentation.2.1"` twice) is reported instead of the last one
//! silently winning.

use std::fmt;
use std::ops::Range;
use std::path::Path;

use asyncmm_model::line_column;
use serde::Deserialize;
use serde::de::{self, MapAccess, SeqAccess, Visitor};
use toml::Spanned;
use toml::de::{DeTable, DeValue};

/// The two supported syntaxes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    Toml,
    Json,
}

impl Format {
    /// The format named by the file's extension, if it names one.
    pub(crate) fn of(file_name: &str) -> Option<Format> {
        let extension = Path::new(file_name).extension()?.to_str()?;
        if extension.eq_ignore_ascii_case("toml") {
            Some(Format::Toml)
        } else if extension.eq_ignore_ascii_case("json") {
            Some(Format::Json)
        } else {
            None
        }
    }

    pub(crate) fn name(self) -> &'static str {
        match self {
            Format::Toml => "TOML",
            Format::Json => "JSON",
        }
    }
}

/// A parsed document in a form both syntaxes share, so the rules below are
/// written once. Spans are byte ranges in the text (TOML only).
pub(crate) struct Document {
    pub format: Format,
    pub root: Node,
}

pub(crate) struct Node {
    pub span: Option<Range<usize>>,
    pub value: Value,
}

pub(crate) struct Key {
    pub text: String,
    pub span: Option<Range<usize>>,
}

pub(crate) enum Value {
    Int(i64),
    Str(String),
    /// Entries in file order, duplicates kept so they can be reported.
    Table(Vec<(Key, Node)>),
    /// A JSON array (TOML arrays appear in no format of ours and stay
    /// `Other`).
    List(Vec<Node>),
    /// JSON `null`.
    Null,
    /// Any other value, as it should be shown in a message (`2.5`, `true`,
    /// `an array`).
    Other(String),
}

impl Value {
    /// How the value is shown after "got" in messages.
    pub(crate) fn describe(&self) -> String {
        match self {
            Value::Int(n) => n.to_string(),
            Value::Str(s) => format!("{s:?}"),
            Value::Table(_) => "a table".to_string(),
            Value::List(_) => "an array".to_string(),
            Value::Null => "null".to_string(),
            Value::Other(shown) => shown.clone(),
        }
    }
}

/// A syntax error: where (1-based line and column), in which format, what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SyntaxError {
    pub line_column: (usize, usize),
    pub format: &'static str,
    pub message: String,
}

pub(crate) fn toml_document(text: &str) -> Result<Document, SyntaxError> {
    match DeTable::parse(text) {
        Ok(root) => Ok(Document {
            format: Format::Toml,
            root: Node {
                span: None,
                value: toml_table(root.get_ref()),
            },
        }),
        Err(e) => Err(SyntaxError {
            line_column: e.span().map_or((1, 1), |s| line_column(text, s.start)),
            format: Format::Toml.name(),
            message: one_line(e.message()),
        }),
    }
}

fn toml_table(table: &DeTable<'_>) -> Value {
    let mut entries: Vec<(Key, Node)> = table
        .iter()
        .map(|(key, value)| {
            let key = Key {
                text: key.get_ref().to_string(),
                span: Some(key.span()),
            };
            (key, toml_node(value))
        })
        .collect();
    // The table is keyed in sorted order; problems are reported in file order.
    entries.sort_by_key(|(key, _)| key.span.as_ref().map_or(0, |s| s.start));
    Value::Table(entries)
}

fn toml_node(value: &Spanned<DeValue<'_>>) -> Node {
    let shown = match value.get_ref() {
        DeValue::String(s) => Value::Str(s.to_string()),
        // Out of the i64 range: kept as text, it is rejected as out of range anyway.
        DeValue::Integer(n) => {
            i64::from_str_radix(n.as_str(), n.radix()).map_or_else(|_| Value::Other(n.to_string()), Value::Int)
        }
        DeValue::Float(x) => Value::Other(x.to_string()),
        DeValue::Boolean(b) => Value::Other(b.to_string()),
        DeValue::Datetime(d) => Value::Other(format!("the date-time {d}")),
        DeValue::Array(_) => Value::Other("an array".to_string()),
        DeValue::Table(t) => toml_table(t),
    };
    Node {
        span: Some(value.span()),
        value: shown,
    }
}

pub(crate) fn json_document(text: &str) -> Result<Document, SyntaxError> {
    match serde_json::from_str::<JsonNode>(text) {
        Ok(JsonNode(root)) => Ok(Document {
            format: Format::Json,
            root: Node {
                span: None,
                value: root,
            },
        }),
        Err(e) => {
            // serde_json's message ends with " at line L column C"; the
            // position goes in front like every other message instead.
            let full = e.to_string();
            let suffix = format!(" at line {} column {}", e.line(), e.column());
            let message = full.strip_suffix(&suffix).unwrap_or(&full);
            Err(SyntaxError {
                line_column: (e.line().max(1), e.column().max(1)),
                format: Format::Json.name(),
                message: one_line(message),
            })
        }
    }
}

/// A JSON value read into [`Value`]. Written by hand (not via
/// `serde_json::Value`) so duplicate keys are kept and can be reported.
struct JsonNode(Value);

impl<'de> Deserialize<'de> for JsonNode {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(JsonVisitor).map(JsonNode)
    }
}

struct JsonVisitor;

impl<'de> Visitor<'de> for JsonVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Other(v.to_string()))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Int(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
        Ok(i64::try_from(v).map_or_else(|_| Value::Other(v.to_string()), Value::Int))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        // Debug keeps the fraction (`2.0`), so a message shows what was written.
        Ok(Value::Other(format!("{v:?}")))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
        Ok(Value::Str(v.to_string()))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(JsonNode(value)) = seq.next_element()? {
            items.push(Node { span: None, value });
        }
        Ok(Value::List(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut entries = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            let JsonNode(value) = map.next_value()?;
            entries.push((Key { text: key, span: None }, Node { span: None, value }));
        }
        Ok(Value::Table(entries))
    }
}

/// Keeps an error on one line, whatever the underlying parser produced.
pub(crate) fn one_line(message: &str) -> String {
    message.split_whitespace().collect::<Vec<_>>().join(" ")
}
