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

impl askama::filters::Escaper for Markdown {
    fn write_escaped_str<W: Write>(&self, mut dest: W, string: &str) -> fmt::Result {
        for c in string.chars() {
            match c {
                '\n' | '\r' | '\t' => dest.write_char(' ')?,
                '\\' | '`' | '*' | '_' | '<' | '>' | '[' | ']' | '|' | '&' | '~' => {
                    dest.write_char('\\')?;
                    dest.write_char(c)?;
                }
                c => dest.write_char(printable_char(c))?,
            }
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
}
