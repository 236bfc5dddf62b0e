//! `sf data query --result-format csv`, read with the `csv` crate, into
//! flat records.

use super::QUERY_HELP;
use super::records::{Cell, Flat, Records, Value, plural};
use super::snapshot::RecordType;
use crate::parse::xml::quoted;
use crate::source::{Problem, Span};

pub(super) fn csv_records(text: &str, base: usize) -> Result<Records, Problem> {
    let mut out = Records {
        flat: vec![],
        skipped: vec![],
        truncated: None,
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(text.as_bytes());
    let header = reader
        .headers()
        .map_err(|e| csv_error(text, base, &e))?
        .clone();
    let kind = RecordType::from_header(header.iter());
    let mut record = csv::StringRecord::new();
    let mut unknown_rows = 0;
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => return Err(csv_error(text, base, &e)),
        }
        let start = record.position().map_or(0, |p| p.byte() as usize);
        let end = (reader.position().byte() as usize).min(text.len());
        let raw = text[start..end].trim_end_matches(['\r', '\n']);
        let span = Span::new(base + start, base + start + raw.len());
        if raw.bytes().filter(|b| *b == b'"').count() % 2 == 1 {
            return Err(Problem::at(span, "a quoted value is never closed")
                .with_help("the file looks truncated; export it again"));
        }
        let Some(kind) = kind else {
            unknown_rows += 1;
            continue;
        };
        let spans = field_spans(raw, base + start);
        let cells = header
            .iter()
            .zip(record.iter())
            .zip(spans)
            .map(|((path, value), span)| Cell {
                path: path.trim().to_owned(),
                value: if value.is_empty() {
                    Value::Null
                } else {
                    Value::Text(value.to_owned())
                },
                span,
            })
            .collect();
        out.flat.push(Flat {
            kind: Some(kind),
            span,
            cells,
        });
    }
    if unknown_rows > 0 {
        let columns: Vec<&str> = header.iter().collect();
        out.skipped.push(format!(
            "{unknown_rows} row{} whose columns ({}) are no record type minpriv reads",
            plural(unknown_rows),
            quoted(&columns.join(", "))
        ));
    }
    Ok(out)
}

fn csv_error(text: &str, base: usize, e: &csv::Error) -> Problem {
    let at = |pos: Option<&csv::Position>| {
        let start = pos.map_or(0, |p| p.byte() as usize).min(text.len());
        let line = text[start..]
            .find(['\r', '\n'])
            .unwrap_or(text.len() - start);
        Span::new(base + start, base + start + line.max(1))
    };
    match e.kind() {
        csv::ErrorKind::UnequalLengths {
            pos,
            expected_len,
            len,
        } => Problem::at(
            at(pos.as_ref()),
            format!("the row has {len} values, the header has {expected_len}"),
        )
        .with_help("a value with a comma must be quoted; the file looks edited or truncated, export it again"),
        csv::ErrorKind::Utf8 { pos, .. } => Problem::at(at(pos.as_ref()), "invalid UTF-8"),
        _ => Problem::at(at(e.position()), format!("invalid CSV: {}", quoted(&e.to_string()))).with_help(QUERY_HELP),
    }
}

/// The byte span of each value of a raw CSV row (quotes included).
fn field_spans(raw: &str, offset: usize) -> Vec<Span> {
    let mut spans = vec![];
    let mut start = 0;
    let mut quoted = false;
    for (i, b) in raw.bytes().enumerate() {
        match b {
            b'"' => quoted = !quoted,
            b',' if !quoted => {
                spans.push(Span::new(offset + start, offset + i));
                start = i + 1;
            }
            _ => {}
        }
    }
    spans.push(Span::new(offset + start, offset + raw.len()));
    spans
}
