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
/// and line breaks, which would end a table row, become spaces.
#[derive(Clone, Copy, Debug, Default)]
pub struct Markdown;

///
/// Line breaks gone, a value can only start a line where the template
/// starts one with it; so what opens a block there (`#` heading, `-` `+`
/// `=` list item or underline, `1.` `1)` ordered item, `!`) is escaped at
/// the value's start. An `@` that GitHub would turn into a mention (not
/// after a letter or digit, as in an e-mail address) gets a ZERO WIDTH
/// SPACE after it.
impl askama::filters::Escaper for Markdown {
    fn write_escaped_str<W: Write>(&self, mut dest: W, string: &str) -> fmt::Result {
        // Only blanks so far; only blanks and digits so far.
        let (mut at_start, mut lead_digits) = (true, true);
        let mut previous = ' ';
        let mut chars = string.chars().peekable();
        while let Some(c) = chars.next() {
            // A list marker is followed by a blank (or nothing).
            let marker_end = chars.peek().is_none_or(|n| matches!(n, ' ' | '\t'));
            let block = at_start
                && matches!(c, '#' | '-' | '+' | '=' | '!')
                && (c != '-' && c != '+' || marker_end);
            let ordered =
                lead_digits && previous.is_ascii_digit() && matches!(c, '.' | ')') && marker_end;
            match c {
                '\n' | '\r' | '\t' => dest.write_char(' ')?,
                '\\' | '`' | '*' | '_' | '<' | '>' | '[' | ']' | '|' | '&' | '~' => {
                    dest.write_char('\\')?;
                    dest.write_char(c)?;
                }
                _ if block || ordered => {
                    dest.write_char('\\')?;
                    dest.write_char(c)?;
                }
                '@' if !previous.is_alphanumeric() => dest.write_str("@\u{200b}")?,
                c => dest.write_char(printable_char(c))?,
            }
            let blank = matches!(c, ' ' | '\n' | '\r' | '\t');
            at_start &= blank;
            lead_digits &= blank || c.is_ascii_digit();
            previous = c;
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
    fn markdown_values_open_no_block_and_mention_no_one() {
        assert_eq!(escape(Markdown, "# Title"), "\\# Title");
        assert_eq!(escape(Markdown, "  - item"), "  \\- item");
        assert_eq!(escape(Markdown, "12. item"), "12\\. item");
        assert_eq!(escape(Markdown, "3) item"), "3\\) item");
        assert_eq!(escape(Markdown, "a-b # c 1. d"), "a-b # c 1. d");
        assert_eq!(escape(Markdown, "@admins hi"), "@\u{200b}admins hi");
        assert_eq!(escape(Markdown, "svc@acme.example"), "svc@acme.example");
    }
}
