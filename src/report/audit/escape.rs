//! The escapers askama applies to every `{{ value }}` of the audit
//! templates (`templates/askama.toml` maps them to `.html` and `.md`).
//! Both first replace what no document should carry — control characters
//! and bidirectional overrides — the way the other formats do
//! ([`printable_char`]).

use std::fmt::{self, Write};

use crate::report::printable_char;

/// HTML text and attribute values (quoted with `"` or `'`).
#[derive(Clone, Copy, Debug, Default)]
pub struct Html;

impl askama::filters::Escaper for Html {
    fn write_escaped_str<W: Write>(&self, mut dest: W, string: &str) -> fmt::Result {
        for c in string.chars() {
            match printable_char(c) {
                '&' => dest.write_str("&amp;")?,
                '<' => dest.write_str("&lt;")?,
                '>' => dest.write_str("&gt;")?,
                '"' => dest.write_str("&quot;")?,
                '\'' => dest.write_str("&#39;")?,
                c => dest.write_char(c)?,
            }
        }
        Ok(())
    }
}

/// Markdown text, table cells included: every character that could start
/// markup, a table column or an HTML tag or entity is backslash-escaped
/// (CommonMark shows an escaped ASCII punctuation character as itself),
/// and line breaks, which would end a table row, become spaces. A value
/// may start a line, so what would make that line a heading, a list item,
/// a setext underline or a quote is escaped too (`#`, `-`, `+`, `=`, `1.`,
/// `1)`); and an `@` where a mention could start (not inside an e-mail
/// address) is followed by a word joiner, so the value cannot notify
/// anyone.
#[derive(Clone, Copy, Debug, Default)]
pub struct Markdown;

impl askama::filters::Escaper for Markdown {
    fn write_escaped_str<W: Write>(&self, mut dest: W, string: &str) -> fmt::Result {
        let lead = string.find(|c: char| c != ' ').unwrap_or(string.len());
        let start = &string[lead..];
        let ends_block = |at: usize| matches!(start.as_bytes().get(at), None | Some(b' ' | b'\t'));
        // The byte of `string` to escape so that a line starting with the
        // value starts no block: `# `, `- `, `+ `, `12. `, `3) `, or a line
        // of `=` or `-` (a setext underline, a thematic break).
        let hashes = start.bytes().take_while(|&b| b == b'#').count();
        let digits = start.bytes().take_while(u8::is_ascii_digit).count();
        let only = |c: char| start.trim_end().chars().all(|x| x == c || x == ' ');
        let block = match start.as_bytes().first() {
            Some(b'#') if hashes <= 6 && ends_block(hashes) => Some(lead),
            Some(b'-' | b'+') if ends_block(1) => Some(lead),
            Some(b'-') if only('-') => Some(lead),
            Some(b'=') if only('=') => Some(lead),
            Some(b'0'..=b'9')
                if digits <= 9
                    && matches!(start.as_bytes().get(digits), Some(b'.' | b')'))
                    && ends_block(digits + 1) =>
            {
                Some(lead + digits)
            }
            _ => None,
        };
        let mut previous: Option<char> = None;
        for (i, c) in string.char_indices() {
            let line_start = block == Some(i);
            match c {
                '\n' | '\r' | '\t' => dest.write_char(' ')?,
                '\\' | '`' | '*' | '_' | '<' | '>' | '[' | ']' | '|' | '&' | '~' => {
                    dest.write_char('\\')?;
                    dest.write_char(c)?;
                }
                '@' if !previous.is_some_and(|p| p.is_alphanumeric() || "._-+".contains(p)) => {
                    dest.write_str("@\u{2060}")?;
                }
                c if line_start => {
                    dest.write_char('\\')?;
                    dest.write_char(c)?;
                }
                c => dest.write_char(printable_char(c))?,
            }
            previous = Some(c);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use askama::filters::Escaper;

    use super::*;

    fn escape(e: impl Escaper, text: &str) -> String {
        let mut out = String::new();
        e.write_escaped_str(&mut out, text).unwrap();
        out
    }

    #[test]
    fn html_escapes_markup_and_quotes() {
        assert_eq!(
            escape(Html, "<script>alert(1)</script> \"q\" & 'a'"),
            "&lt;script&gt;alert(1)&lt;/script&gt; &quot;q&quot; &amp; &#39;a&#39;"
        );
        assert_eq!(escape(Html, "a\u{1b}b\u{202e}c"), "a\u{fffd}b\u{fffd}c");
    }

    #[test]
    fn markdown_escapes_cells_and_html() {
        assert_eq!(
            escape(Markdown, "<b>x</b> | *y* _z_ `c` [l](u) &amp; \\"),
            "\\<b\\>x\\</b\\> \\| \\*y\\* \\_z\\_ \\`c\\` \\[l\\](u) \\&amp; \\\\"
        );
        assert_eq!(escape(Markdown, "two\nlines\r\n"), "two lines  ");
        assert_eq!(escape(Markdown, "a\u{7}b"), "a\u{fffd}b");
    }

    #[test]
    fn markdown_values_cannot_start_a_block_or_mention() {
        assert_eq!(escape(Markdown, "# Heading"), "\\# Heading");
        assert_eq!(escape(Markdown, "  - item"), "  \\- item");
        assert_eq!(escape(Markdown, "+ item"), "\\+ item");
        assert_eq!(escape(Markdown, "==="), "\\===");
        assert_eq!(escape(Markdown, "---"), "\\---");
        assert_eq!(escape(Markdown, "###### six"), "\\###### six");
        assert_eq!(escape(Markdown, "#"), "\\#");
        assert_eq!(escape(Markdown, "12. item"), "12\\. item");
        assert_eq!(escape(Markdown, "3) item"), "3\\) item");
        assert_eq!(escape(Markdown, "> quote"), "\\> quote");
        // Inside a value they are plain text.
        assert_eq!(
            escape(Markdown, "orders-sync #2 v1.2"),
            "orders-sync #2 v1.2"
        );
        assert_eq!(escape(Markdown, "0.1.0"), "0.1.0");
        assert_eq!(escape(Markdown, "#3 PRF001"), "#3 PRF001");
        assert_eq!(escape(Markdown, "-x"), "-x");
        assert_eq!(escape(Markdown, "2026-11-27"), "2026-11-27");
        // A mention is broken; an e-mail address is left as it is.
        assert_eq!(escape(Markdown, "@admins"), "@\u{2060}admins");
        assert_eq!(escape(Markdown, "cc @team"), "cc @\u{2060}team");
        assert_eq!(
            escape(Markdown, "svc.dw@acme.example"),
            "svc.dw@acme.example"
        );
    }
}
