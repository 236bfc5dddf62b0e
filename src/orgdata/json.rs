//! `sf data query` JSON: the `--json` envelope or the
//! `--result-format json` body, into flat records.

use serde::Deserialize;
use serde_json::value::RawValue;

use super::QUERY_HELP;
use super::records::{Cell, Flat, Records, Value, plural};
use super::snapshot::RecordType;
use crate::parse::xml::quoted;
use crate::source::{Problem, Span};

#[derive(Deserialize)]
struct Body<'a> {
    #[serde(borrow)]
    records: Vec<&'a RawValue>,
    #[serde(rename = "totalSize")]
    total_size: Option<u64>,
}

/// `--json` (`{"status":0,"result":{...}}`) or `--result-format json`
/// (`{"records":[...],"totalSize":n,"done":true}`).
#[derive(Deserialize)]
struct Top<'a> {
    status: Option<i64>,
    message: Option<String>,
    #[serde(borrow)]
    result: Option<Body<'a>>,
    #[serde(borrow)]
    records: Option<Vec<&'a RawValue>>,
    #[serde(rename = "totalSize")]
    total_size: Option<u64>,
}

/// Byte offset of `part` (a slice of `text`) in the file.
fn offset_in(text: &str, part: &str, base: usize) -> usize {
    let offset = (part.as_ptr() as usize).wrapping_sub(text.as_ptr() as usize);
    base + offset.min(text.len())
}

fn raw_span(text: &str, raw: &RawValue, base: usize) -> Span {
    let start = offset_in(text, raw.get(), base);
    Span::new(start, start + raw.get().len())
}

fn json_error(text: &str, base: usize, e: &serde_json::Error) -> Problem {
    let at = base + crate::source::offset_of(text, e.line(), e.column());
    let message = e.to_string();
    let message = message
        .rsplit_once(" at line ")
        .map_or(message.as_str(), |(m, _)| m);
    let problem = Problem::at(
        Span::new(at, at + 1),
        format!("invalid JSON: {}", quoted(message)),
    );
    if e.is_eof() {
        problem.with_help("the file looks truncated; export it again")
    } else {
        problem.with_help(QUERY_HELP)
    }
}

pub(super) fn json_records(text: &str, base: usize) -> Result<Records, Problem> {
    let start = text.len() - text.trim_start().len();
    if !text.trim_start().starts_with('{') {
        return Err(Problem::at(
            Span::new(base + start, base + start + 1),
            "not the output of `sf data query`: expected a JSON object",
        )
        .with_help(QUERY_HELP));
    }
    let top: Top = serde_json::from_str(text).map_err(|e| json_error(text, base, &e))?;
    if let Some(status) = top.status.filter(|s| *s != 0) {
        return Err(Problem::at(
            Span::new(base + start, base + start + 1),
            format!(
                "the file holds a failed `sf data query` (status {status}): {}",
                top.message.as_deref().unwrap_or("no message")
            ),
        )
        .with_help("run the query again and export its results"));
    }
    let (records, total) = match (top.result, top.records) {
        (Some(body), _) => (body.records, body.total_size),
        (None, Some(records)) => (records, top.total_size),
        (None, None) => {
            return Err(Problem::at(
                Span::new(base + start, base + start + 1),
                "not the output of `sf data query`: no `records` list",
            )
            .with_help(QUERY_HELP));
        }
    };
    let mut out = Records {
        flat: vec![],
        skipped: vec![],
        truncated: total
            .filter(|t| *t > records.len() as u64)
            .map(|t| (t, records.len())),
    };
    let mut unknown = std::collections::BTreeMap::new();
    for raw in records {
        let span = raw_span(text, raw, base);
        let mut flat = Flat {
            kind: None,
            span,
            cells: vec![],
        };
        let mut type_name = None;
        flatten(text, base, raw, "", &mut flat.cells, &mut type_name)?;
        match type_name.as_deref() {
            Some(name) => match RecordType::from_name(name) {
                Some(kind) => {
                    flat.kind = Some(kind);
                    out.flat.push(flat);
                }
                None => *unknown.entry(name.to_owned()).or_insert(0) += 1,
            },
            None => {
                return Err(
                    Problem::at(span, "the record has no `attributes.type`").with_help(
                        "sf writes every record with its attributes; export it with sf data query",
                    ),
                );
            }
        }
    }
    out.skipped = unknown
        .into_iter()
        .map(|(name, n)| format!("{n} {name} record{}", plural(n)))
        .collect();
    Ok(out)
}

/// Turns a JSON object into dotted-path cells; nested relationship objects
/// become `Profile.Name`. The top level's `attributes.type` is the record
/// type.
fn flatten(
    text: &str,
    base: usize,
    raw: &RawValue,
    prefix: &str,
    cells: &mut Vec<Cell>,
    type_name: &mut Option<String>,
) -> Result<(), Problem> {
    let span = raw_span(text, raw, base);
    if !raw.get().starts_with('{') {
        return Err(Problem::at(span, "a record is not a JSON object").with_help(QUERY_HELP));
    }
    // The whole file parsed, so the object is well-formed.
    let fields = serde_json::from_str::<RawObject>(raw.get())
        .map_err(|e| {
            Problem::at(
                span,
                format!("invalid JSON record: {}", quoted(&e.to_string())),
            )
        })?
        .0;
    for (key, value) in fields {
        if key == "attributes" {
            if prefix.is_empty() {
                #[derive(Deserialize)]
                struct Attributes {
                    #[serde(rename = "type")]
                    kind: Option<String>,
                }
                *type_name = serde_json::from_str::<Attributes>(value.get())
                    .ok()
                    .and_then(|a| a.kind);
            }
            continue;
        }
        let path = if prefix.is_empty() {
            key
        } else {
            format!("{prefix}.{key}")
        };
        let json = value.get().trim_start();
        let value_span = raw_span(text, value, base);
        let cell_value = match json.as_bytes().first() {
            Some(b'{') => {
                flatten(text, base, value, &path, cells, type_name)?;
                continue;
            }
            Some(b'n') => Value::Null,
            Some(b't') => Value::Bool(true),
            Some(b'f') => Value::Bool(false),
            Some(b'"') => Value::Text(serde_json::from_str::<String>(json).map_err(|e| {
                Problem::at(
                    value_span,
                    format!("invalid JSON string: {}", quoted(&e.to_string())),
                )
            })?),
            _ => Value::Text(json.to_owned()),
        };
        cells.push(Cell {
            path,
            value: cell_value,
            span: value_span,
        });
    }
    Ok(())
}

/// A JSON object as `(key, raw value)` pairs in file order.
struct RawObject<'a>(Vec<(String, &'a RawValue)>);

impl<'de: 'a, 'a> Deserialize<'de> for RawObject<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visit<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> serde::de::Visitor<'de> for Visit<'a> {
            type Value = RawObject<'a>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<M: serde::de::MapAccess<'de>>(
                self,
                mut map: M,
            ) -> Result<Self::Value, M::Error> {
                let mut out = vec![];
                while let Some((k, v)) = map.next_entry::<String, &'de RawValue>()? {
                    out.push((k, v));
                }
                Ok(RawObject(out))
            }
        }
        d.deserialize_map(Visit(std::marker::PhantomData))
    }
}
