//! `--format github`: GitHub Actions workflow commands, one line per
//! finding, which the runner turns into annotations on the pull request:
//!
//! ```text
//! ::error file=P,line=L,col=C,endLine=L,endColumn=E,title=NET001 missing-login-ip-ranges::message%0Ahelp
//! ```
//!
//! error → `error`, warning → `warning`, info → `notice`. Columns are given
//! only when the finding sits on one line (GitHub ignores them otherwise);
//! `endColumn` is exclusive, as in the JSON output. Escaping follows the
//! runner's rules (`@actions/core`): `%`, CR and LF in the message; those
//! and `:` and `,` in property values; `##[` never passes whole. Inputs that could not be checked are
//! `error` commands too, titled `minpriv input error`.

use std::fmt::Write;

use super::{Region, Run, Texts, printable_char};
use crate::catalogue::Severity;
use crate::source::Loc;

pub fn render(run: &Run, texts: &mut Texts) -> String {
    texts.plan(run.read_order());
    let mut out = String::new();
    for f in run.findings {
        let command = match f.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let region = texts.region(run.sources, f.loc);
        let mut message = f.message.clone();
        if let Some(help) = &f.help {
            message.push('\n');
            message.push_str(help);
        }
        line(
            &mut out,
            command,
            Some((run.display(f.loc.file), Some(region))),
            &format!("{} {}", f.code, f.name),
            &message,
        );
    }
    for e in run.errors {
        let region = e
            .span
            .map(|span| texts.region(run.sources, Loc { file: e.file, span }));
        let mut message = e.message.clone();
        if let Some(help) = &e.help {
            message.push('\n');
            message.push_str(help);
        }
        line(
            &mut out,
            "error",
            Some((run.display(e.file), region)),
            "minpriv input error",
            &message,
        );
    }
    for message in run.internal_errors {
        line(&mut out, "error", None, "minpriv internal error", message);
    }
    out
}

fn line(
    out: &mut String,
    command: &str,
    place: Option<(&str, Option<Region>)>,
    title: &str,
    message: &str,
) {
    let mut properties = vec![];
    if let Some((file, region)) = place {
        properties.push(format!("file={}", escape_property(file)));
        if let Some(r) = region {
            let one_line = r.line == r.end_line;
            properties.push(format!("line={}", r.line));
            if one_line {
                properties.push(format!("col={}", r.column));
            }
            properties.push(format!("endLine={}", r.end_line));
            if one_line {
                properties.push(format!("endColumn={}", r.end_column));
            }
        }
    }
    properties.push(format!("title={}", escape_property(title)));
    let _ = writeln!(
        out,
        "::{command} {}::{}",
        properties.join(","),
        escape_data(message)
    );
}

/// A message: `%`, CR and LF escaped, other control characters replaced.
pub fn escape_data(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            // `##[` opens a (legacy) command wherever the runner may see
            // a line start: never passed on whole.
            '[' if out.ends_with("##") => out.push_str("\u{200b}["),
            c => out.push(printable_char(c)),
        }
    }
    out
}

/// A property value: as a message, and `:` and `,` escaped too.
pub fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_follows_the_runner() {
        assert_eq!(escape_data("50% a\r\nb: c, d"), "50%25 a%0D%0Ab: c, d");
        assert_eq!(escape_property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
        assert_eq!(escape_data("x\u{1b}[31m"), "x\u{fffd}[31m");
        assert_eq!(escape_data("tab\there"), "tab\there");
        assert_eq!(escape_data("##[error]x"), "##\u{200b}[error]x");
    }
}
