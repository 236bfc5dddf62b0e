//! Rendering a privilege delta ([`crate::diff::Delta`]): `text` (grouped by
//! integration, `+` green and `-` red), `json` (stable, versioned) and
//! `markdown` (a pull-request comment: a summary table, then each
//! integration in a collapsible section).
//!
//! Text and markdown share one list of lines per integration, so both say
//! the same thing; every string from metadata goes through
//! [`terminal_safe`], and markdown escapes it again for Markdown and HTML.

use std::fmt::Write as _;

use serde::Serialize;

use super::json::Tool;
use super::terminal_safe;
use crate::diff::{
    AppChange, Changes, Delta, FindingChange, FlagsChange, FlagsVia, IntegrationDelta, Muting,
    RangeChange, RangeKind, Status, Via,
};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Sign {
    Gain,
    Loss,
}

impl Sign {
    fn mark(self) -> char {
        match self {
            Sign::Gain => '+',
            Sign::Loss => '-',
        }
    }
}

/// One line of a delta: a section heading (no sign) or a change, with the
/// lines that explain it.
struct Line {
    sign: Option<Sign>,
    /// 0 for a heading or a change, 1 for an explanation below a change.
    depth: usize,
    text: String,
}

/// `via ERP_Write_PS (file:31) in group G`
fn via(v: &Via) -> String {
    let holder = match v.holder.split_once(':') {
        Some(("Profile", name)) => format!("profile {name}"),
        Some((_, name)) => name.to_owned(),
        None => v.holder.clone(),
    };
    let mut out = format!("via {holder} ({}:{})", v.file, v.line);
    if !v.groups.is_empty() {
        let plural = if v.groups.len() == 1 { "" } else { "s" };
        let _ = write!(out, " in group{plural} {}", v.groups.join(", "));
        if v.direct {
            out.push_str(" and assigned directly");
        }
    }
    terminal_safe(&out)
}

fn muted(m: &Muting) -> String {
    terminal_safe(&format!(
        "muted by {} ({}:{}) in group {}",
        m.muting_set, m.file, m.line, m.group
    ))
}

/// A change whose provenance fits on its line when one element explains
/// it, and goes below it otherwise.
fn item(lines: &mut Vec<Line>, sign: Sign, head: String, vias: Vec<String>, mutings: &[Muting]) {
    let mut explained: Vec<String> = vec![];
    let text = if vias.len() == 1 {
        format!("{head} — {}", vias[0])
    } else {
        explained = vias;
        head
    };
    lines.push(Line {
        sign: Some(sign),
        depth: 0,
        text,
    });
    explained.extend(mutings.iter().map(muted));
    for text in explained {
        lines.push(Line {
            sign: Some(sign),
            depth: 1,
            text,
        });
    }
}

fn flags_vias(vias: &[FlagsVia], all: &[&str]) -> Vec<String> {
    vias.iter()
        .map(|v| {
            if vias.len() == 1 && v.access == all {
                via(&v.via)
            } else {
                format!("{} — {}", v.access.join(" "), via(&v.via))
            }
        })
        .collect()
}

fn flags(lines: &mut Vec<Line>, sign: Sign, change: &FlagsChange) {
    item(
        lines,
        sign,
        terminal_safe(&format!("{}: {}", change.name, change.access.join(" "))),
        flags_vias(&change.via, &change.access),
        &change.muted_by,
    );
}

fn range(lines: &mut Vec<Line>, sign: Sign, r: &RangeChange) {
    let overlaps = r.overlaps.join(", ");
    let what = match (r.kind, &r.range) {
        (RangeKind::Unrestricted, _) => "any address: no login IP ranges".to_owned(),
        (RangeKind::Restricted, _) => format!("any address, now restricted to {overlaps}"),
        (RangeKind::Widened, Some(x)) => format!("{x}, widened from {overlaps}"),
        (RangeKind::Narrowed, Some(x)) => format!("{x}, narrowed to {overlaps}"),
        (_, Some(x)) => x.clone(),
        (_, None) => "any address".to_owned(),
    };
    lines.push(Line {
        sign: Some(sign),
        depth: 0,
        text: terminal_safe(&format!(
            "{what} — profile {} ({}:{})",
            r.profile, r.file, r.line
        )),
    });
}

fn app(lines: &mut Vec<Line>, sign: Sign, a: &AppChange) {
    use crate::diff::AppSetting;
    let value = match (a.setting, &a.old, &a.new) {
        (AppSetting::App, old, new) => new.as_ref().or(old.as_ref()).cloned().unwrap_or_default(),
        (setting, Some(old), Some(new)) => format!("{} {old} → {new}", setting.label()),
        (setting, old, new) => format!(
            "{} {}",
            setting.label(),
            new.as_ref().or(old.as_ref()).map_or("", String::as_str)
        ),
    };
    lines.push(Line {
        sign: Some(sign),
        depth: 0,
        text: terminal_safe(&format!("{}: {value} ({}:{})", a.app, a.file, a.line)),
    });
}

/// The sections of one integration's delta: gains, then losses, in each.
fn lines(delta: &IntegrationDelta) -> Vec<Line> {
    let mut out = vec![];
    type Section = fn(&mut Vec<Line>, Sign, &Changes) -> bool;
    let sections: [(&str, Section); 6] = [
        ("System permissions", |lines, sign, c| {
            for p in &c.system_permissions {
                let vias = p.via.iter().map(via).collect();
                item(lines, sign, terminal_safe(&p.name), vias, &p.muted_by);
            }
            !c.system_permissions.is_empty()
        }),
        ("Objects", |lines, sign, c| {
            for o in &c.objects {
                flags(lines, sign, o);
            }
            !c.objects.is_empty()
        }),
        ("Fields", |lines, sign, c| {
            for f in &c.fields {
                flags(lines, sign, f);
            }
            !c.fields.is_empty()
        }),
        ("Other access", |lines, sign, c| {
            for o in &c.other {
                let vias = o.via.iter().map(via).collect();
                let head = terminal_safe(&format!("{} {}", o.kind, o.name));
                item(lines, sign, head, vias, &o.muted_by);
            }
            !c.other.is_empty()
        }),
        ("Login IP ranges", |lines, sign, c| {
            for r in &c.login_ip_ranges {
                range(lines, sign, r);
            }
            !c.login_ip_ranges.is_empty()
        }),
        ("OAuth apps", |lines, sign, c| {
            for a in &c.apps {
                app(lines, sign, a);
            }
            !c.apps.is_empty()
        }),
    ];
    for (title, section) in sections {
        let mut body = vec![];
        let any_gain = section(&mut body, Sign::Gain, &delta.gained);
        let any_loss = section(&mut body, Sign::Loss, &delta.lost);
        if any_gain || any_loss {
            out.push(Line {
                sign: None,
                depth: 0,
                text: title.to_owned(),
            });
            out.extend(body);
        }
    }
    out
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// `erp-sync (svc.erp@acme.example): changed, 2 gained, 1 lost`
fn heading(i: &IntegrationDelta) -> String {
    let user = i
        .user
        .as_deref()
        .map(|u| format!(" ({u})"))
        .unwrap_or_default();
    terminal_safe(&format!(
        "{}{user}: {}, {} gained, {} lost",
        i.name,
        i.status.as_str(),
        i.gained.len(),
        i.lost.len()
    ))
}

/// The closing summary line.
fn summary_line(delta: &Delta) -> String {
    let s = &delta.summary;
    if s.changed + s.added + s.removed == 0 && s.new_findings + s.resolved_findings == 0 {
        return format!(
            "No change in effective access or findings ({}).",
            plural(s.integrations, "integration", "integrations")
        );
    }
    format!(
        "{}: {} changed, {} added, {} removed, {} unchanged; {} gaining access, {} losing access; {}, {} resolved.",
        plural(s.integrations, "integration", "integrations"),
        s.changed,
        s.added,
        s.removed,
        s.unchanged,
        s.gaining,
        s.losing,
        plural(s.new_findings, "new finding", "new findings"),
        s.resolved_findings
    )
}

fn finding_text(f: &FindingChange) -> String {
    terminal_safe(&format!(
        "{} {} {}:{}: {}",
        f.rule, f.severity, f.file, f.line, f.message
    ))
}

fn side_label(source: &str, commit: Option<&str>) -> String {
    match commit {
        Some(c) => format!("{source} ({})", &c[..c.len().min(12)]),
        None => source.to_owned(),
    }
}

// ---- text --------------------------------------------------------------

pub fn text(delta: &Delta, color: bool) -> String {
    let paint = |sign: Option<Sign>, line: String| match (color, sign) {
        (true, Some(Sign::Gain)) => format!("\u{1b}[32m{line}\u{1b}[0m"),
        (true, Some(Sign::Loss)) => format!("\u{1b}[31m{line}\u{1b}[0m"),
        _ => line,
    };
    let mut out = terminal_safe(&format!(
        "Privilege delta {} → {}",
        side_label(&delta.old.source, delta.old.commit.as_deref()),
        side_label(&delta.new.source, delta.new.commit.as_deref())
    ));
    out.push('\n');
    for i in delta
        .integrations
        .iter()
        .filter(|i| i.status != Status::Unchanged)
    {
        let _ = writeln!(out, "\n{}", heading(i));
        for line in lines(i) {
            let text = match line.sign {
                None => format!("  {}", line.text),
                Some(sign) if line.depth == 0 => format!("    {} {}", sign.mark(), line.text),
                Some(_) => format!("        {}", line.text),
            };
            out += &paint(line.sign, text);
            out.push('\n');
        }
    }
    let findings = &delta.findings;
    if !findings.new.is_empty() || !findings.resolved.is_empty() {
        out += "\nFindings\n";
        for (sign, list) in [
            (Sign::Gain, &findings.new),
            (Sign::Loss, &findings.resolved),
        ] {
            for f in list {
                out += &paint(
                    Some(sign),
                    format!("    {} {}", sign.mark(), finding_text(f)),
                );
                out.push('\n');
            }
        }
    }
    if !delta.errors.is_empty() {
        let _ = writeln!(
            out,
            "\n{} could not be read (see standard error): the delta may be incomplete.",
            plural(delta.errors.len(), "input", "inputs")
        );
    }
    let _ = writeln!(out, "\n{}", summary_line(delta));
    out
}

// ---- json --------------------------------------------------------------

#[derive(Serialize)]
struct Document<'a> {
    version: u32,
    tool: Tool,
    old: &'a crate::diff::SideInfo,
    new: &'a crate::diff::SideInfo,
    summary: &'a crate::diff::Summary,
    integrations: &'a [IntegrationDelta],
    findings: &'a crate::diff::FindingsDelta,
    errors: &'a [crate::diff::ErrorView],
}

pub fn json(delta: &Delta) -> String {
    let doc = Document {
        version: 1,
        tool: Tool::MINPRIV,
        old: &delta.old,
        new: &delta.new,
        summary: &delta.summary,
        integrations: &delta.integrations,
        findings: &delta.findings,
        errors: &delta.errors,
    };
    let mut out = serde_json::to_string_pretty(&doc).expect("JSON of plain data");
    out.push('\n');
    out
}

// ---- markdown ------------------------------------------------------------

/// A string from metadata, safe in Markdown text, in a table cell and in
/// HTML: ASCII punctuation that could start Markdown or HTML syntax becomes
/// a character reference, which both read as the plain character.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in terminal_safe(text).chars() {
        // Parentheses are plain text once `[` and `]` are escaped.
        if c.is_ascii_punctuation()
            && !matches!(c, '.' | ',' | '-' | '/' | ':' | '=' | '%' | '+' | '(' | ')')
        {
            let _ = write!(out, "&#{};", c as u32);
        } else {
            out.push(c);
        }
    }
    out
}

/// `<code>` keeps names out of GitHub's mention, issue and link handling.
fn code(text: &str) -> String {
    format!("<code>{}</code>", escape(text))
}

/// A finding message: the names it quotes in backticks as code.
fn prose(message: &str) -> String {
    let parts: Vec<&str> = message.split('`').collect();
    if parts.len().is_multiple_of(2) {
        return escape(message);
    }
    parts
        .iter()
        .enumerate()
        .map(|(i, part)| if i % 2 == 1 { code(part) } else { escape(part) })
        .collect()
}

/// A fenced block that no line of `body` can close.
fn fenced(info: &str, body: &str) -> String {
    let longest = body
        .lines()
        .map(|l| l.trim_start().chars().take_while(|&c| c == '`').count())
        .max()
        .unwrap_or(0);
    let fence = "`".repeat(longest.max(2) + 1);
    format!("{fence}{info}\n{body}{fence}\n")
}

/// Bytes of markdown, below GitHub's limit of 65,536 characters a comment.
const COMMENT_BUDGET: usize = 60_000;

pub fn markdown(delta: &Delta) -> String {
    let s = &delta.summary;
    let mut out = String::from("### minpriv: privilege delta\n\n");
    let _ = writeln!(
        out,
        "{} → {}\n",
        code(&side_label(&delta.old.source, delta.old.commit.as_deref())),
        code(&side_label(&delta.new.source, delta.new.commit.as_deref()))
    );
    if s.escalation {
        let _ = writeln!(
            out,
            "**{} access.**\n",
            plural(s.gaining, "integration gains", "integrations gain")
        );
    }
    if !delta.errors.is_empty() {
        let _ = writeln!(
            out,
            "> [!WARNING]\n> {} could not be read: the delta may be incomplete.\n",
            plural(delta.errors.len(), "input", "inputs")
        );
    }
    let _ = writeln!(out, "{}\n", summary_line(delta));

    let changed: Vec<&IntegrationDelta> = delta
        .integrations
        .iter()
        .filter(|i| i.status != Status::Unchanged)
        .collect();
    if !changed.is_empty() {
        out += "| Integration | Status | Gained | Lost |\n|---|---|---:|---:|\n";
        for i in &changed {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} |",
                code(&i.name),
                i.status.as_str(),
                i.gained.len(),
                i.lost.len()
            );
        }
        out.push('\n');
    }
    // Collapsible sections, as many as fit in one comment.
    let mut sections: Vec<String> = vec![];
    for i in &changed {
        let mut section = format!(
            "<details><summary>{}: {}, {} gained, {} lost</summary>\n\n",
            code(&i.name),
            i.status.as_str(),
            i.gained.len(),
            i.lost.len()
        );
        // A diff block: GitHub colours `+` and `-` lines. Every line
        // starts with a sign or a heading, and strings are terminal-safe
        // (one line each), so no metadata can end the block early.
        let mut body = String::new();
        for line in lines(i) {
            match line.sign {
                None => {
                    let _ = writeln!(body, "{}", line.text);
                }
                Some(sign) => {
                    let indent = if line.depth == 0 { " " } else { "     " };
                    let _ = writeln!(body, "{}{indent}{}", sign.mark(), line.text);
                }
            }
        }
        section += &fenced("diff", &body);
        section += "\n</details>\n\n";
        sections.push(section);
    }

    let findings = &delta.findings;
    if !findings.new.is_empty() || !findings.resolved.is_empty() {
        let mut section = format!(
            "<details><summary>Findings: {} new, {} resolved</summary>\n\n",
            findings.new.len(),
            findings.resolved.len()
        );
        section += "| | Rule | Severity | Location | Message |\n|---|---|---|---|---|\n";
        for (what, list) in [("new", &findings.new), ("resolved", &findings.resolved)] {
            for f in list {
                let _ = writeln!(
                    section,
                    "| {what} | {} {} | {} | {} | {} |",
                    f.rule,
                    f.name,
                    f.severity,
                    code(&format!("{}:{}", f.file, f.line)),
                    prose(&f.message)
                );
            }
        }
        section += "\n</details>\n\n";
        sections.push(section);
    }
    if !delta.errors.is_empty() {
        let mut section =
            String::from("<details><summary>Inputs that could not be read</summary>\n\n");
        for e in &delta.errors {
            let at = match (&e.file, e.line) {
                (Some(f), Some(l)) => format!("{f}:{l}"),
                (Some(f), None) => f.clone(),
                _ => String::new(),
            };
            let _ = writeln!(
                section,
                "- {}: {} {}",
                e.side,
                code(&at),
                escape(&e.message)
            );
        }
        section += "\n</details>\n\n";
        // First: it says the delta is incomplete.
        sections.insert(0, section);
    }
    let mut left_out = 0;
    for section in sections {
        if out.len() + section.len() + 300 <= COMMENT_BUDGET {
            out += &section;
        } else {
            left_out += 1;
        }
    }
    if left_out > 0 {
        let _ = writeln!(
            out,
            "_{} left out to stay within the size of a GitHub comment: run `minpriv diff` \
             (text or JSON) for the whole delta._",
            plural(left_out, "section", "sections")
        );
    }
    out.truncate(out.trim_end().len());
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_escapes_metadata() {
        assert_eq!(
            escape("<img src=x>|*a*_@b#1`"),
            "&#60;img src=x&#62;&#124;&#42;a&#42;&#95;&#64;b&#35;1&#96;"
        );
        assert_eq!(escape("Account.Rating (x)"), "Account.Rating (x)");
        assert_eq!(
            prose("set `A_B` grants `x`"),
            "set <code>A&#95;B</code> grants <code>x</code>"
        );
        assert_eq!(prose("odd ` quote"), "odd &#96; quote");
        assert_eq!(
            escape("a\u{1b}b\nc"),
            "a&#92;u&#123;1b&#125;b&#92;u&#123;a&#125;c"
        );
    }

    #[test]
    fn fences_outgrow_backticks_in_the_body() {
        assert_eq!(fenced("diff", "+ a\n"), "```diff\n+ a\n```\n");
        assert!(fenced("", "````\n").starts_with("`````\n"));
    }
}
