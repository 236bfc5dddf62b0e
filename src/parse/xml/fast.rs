//! The cursor's fast path: the plain leaves and the records of plain
//! leaves that make up most of a metadata file, read straight from the
//! bytes without quick-xml, and [`Xml::next_child_skipping`], which a
//! light profile read goes by.
//!
//! # The invariant
//!
//! Taking bytes from under quick-xml is safe when quick-xml, reading them
//! itself, would have returned exactly what the fast path returns, found
//! nothing wrong, and been left in the same state. That rests on:
//!
//! - **What quick-xml is.** It reads a borrowed `&[u8]` (`Reader<&[u8]>`)
//!   and keeps no look-ahead of its own: `get_ref` is exactly what it has
//!   not read yet, and putting a suffix of it back with `get_mut` is the
//!   same as having read the bytes in between. The cursor counts the bytes
//!   so taken (`shift`), so `buffer_position() + shift` stays the offset in
//!   the text and every span is the one quick-xml alone would give.
//! - **When.** Only just past a `>` (`after_markup`): quick-xml is then
//!   in its `InsideText` state, whose next event starts afresh at the next
//!   byte. After a text event it is in `InsideMarkup` (it has seen the `<`
//!   that ended the text), and before the first event in `Init` (where it
//!   looks for a byte order mark): the fast path runs in neither.
//! - **What.** Only the plain form ([`plain_leaf`], [`plain_record`]): an
//!   ASCII name (`[A-Za-z][A-Za-z0-9_.-]*`, so no prefix: the name is the
//!   local name, and slicing the `&str` at its ends is at character
//!   boundaries), no attributes, a text without `<`, `&` or `\r` (nothing
//!   to unescape, no line end to normalise, no markup inside), and the end
//!   tag naming exactly the start tag's name. With the cursor's settings
//!   (`check_end_names` on, `expand_empty_elements` off, no trimming)
//!   quick-xml reads such bytes as balanced start and end tags around that
//!   very text, with no error. Anything else (a comment, CDATA, a
//!   reference, `<a/>`, a mismatched or unclosed tag, the end of input) is
//!   left to quick-xml, which finds what is wrong where it always has.
//!   Blank text before a `<` is taken too: quick-xml would return it as a
//!   text event, which every reader of the cursor skips between children.
//! - **Balance.** What is taken is balanced: a leaf, or a record whose
//!   start and end tags match around leaves, so quick-xml's stack of open
//!   names (which `check_end_names` checks) is as it would have left it.
//! - **Depth.** The fast path runs only where quick-xml alone would not
//!   reach [`MAX_DEPTH`]: a leaf one level down, a record's leaves two.
//!
//! The reference is the same cursor with the fast path off
//! (`Xml::with_fast_path(…, false)`): the tests below, the robustness
//! tests (`parse_bytes_both_ways`) and the `metadata_xml` fuzz target
//! check that both read the same model or the same error, whatever the
//! bytes.

use super::Body;
use super::{Elem, MAX_DEPTH, Xml, XmlResult};

impl<'a> Xml<'a> {
    /// The fast path: the plain leaf that comes next, read straight from
    /// the bytes, or `None` (having read nothing) when what comes next is
    /// anything else or quick-xml is not in a state to be bypassed.
    /// Blank text before a `<` is consumed either way.
    #[inline]
    pub(super) fn fast_leaf(&mut self) -> Option<Elem<'a>> {
        if !(self.fast && self.after_markup) {
            return None;
        }
        let rest: &'a [u8] = self.reader.get_ref();
        let at = self.text.len() - rest.len();
        debug_assert_eq!(self.base + at, self.offset());
        match plain_leaf(rest) {
            Some(leaf) if self.depth < MAX_DEPTH => {
                self.consume(rest, leaf.len);
                let start = self.base + at + leaf.lead;
                let text = &self.text[at + leaf.text.0..at + leaf.text.1];
                Some(Elem {
                    name: &self.text[at + leaf.lead + 1..at + leaf.lead + 1 + leaf.name_len],
                    start,
                    tag_end: self.base + at + leaf.text.0,
                    body: Body::Leaf {
                        text,
                        end: self.pos,
                    },
                })
            }
            _ => {
                let blank = blank_before_markup(rest);
                if blank > 0 {
                    self.consume(rest, blank);
                }
                None
            }
        }
    }

    /// Takes `n` bytes from under quick-xml.
    fn consume(&mut self, rest: &'a [u8], n: usize) {
        *self.reader.get_mut() = &rest[n..];
        self.shift += n;
        self.pos = self.offset();
    }

    /// The next child of `parent` that `skipped` does not name, or `None`
    /// once `parent`'s end tag has been read; the children it names are
    /// skipped on the way. One that is a record of plain leaves (see
    /// [`plain_record`]) goes by without quick-xml, its own start and end
    /// tags included: that is most of a profile read light, whose object
    /// and field permissions are thousands of such records.
    pub fn next_child_skipping(
        &mut self,
        parent: &Elem<'a>,
        skipped: impl Fn(&str) -> bool,
    ) -> XmlResult<Option<Elem<'a>>> {
        if parent.is_read() {
            return Ok(None);
        }
        loop {
            while self.fast_record(&skipped) {}
            let Some(child) = self.next_child(parent)? else {
                return Ok(None);
            };
            if !skipped(child.name) {
                return Ok(Some(child));
            }
            self.skip(&child)?;
        }
    }

    /// The fast path for a skipped child: the record of plain leaves that
    /// comes next, when `skipped` names it, consumed whole; `false`
    /// (having read nothing) when what comes next is anything else or
    /// quick-xml is not in a state to be bypassed. The record's start and
    /// end tags balance, so quick-xml's stack of open names is as it
    /// would have left it.
    #[inline]
    fn fast_record(&mut self, skipped: &impl Fn(&str) -> bool) -> bool {
        // The record one level down, its leaves two: quick-xml alone would
        // refuse neither.
        if !(self.fast && self.after_markup && self.depth + 1 < MAX_DEPTH) {
            return false;
        }
        let rest: &'a [u8] = self.reader.get_ref();
        let Some((lead, name_len)) = plain_start(rest) else {
            return false;
        };
        let at = self.text.len() - rest.len();
        let name = &self.text[at + lead + 1..at + lead + 1 + name_len];
        if !skipped(name) {
            return false;
        }
        match plain_record(&rest[lead..], name_len) {
            Some(len) => {
                self.consume(rest, lead + len);
                true
            }
            None => false,
        }
    }
}

/// Where a plain leaf lies in the bytes it was found at the start of.
struct PlainLeaf {
    /// Blank text before its `<`.
    lead: usize,
    name_len: usize,
    /// Its text, from and to.
    text: (usize, usize),
    /// Everything, through the `>` of its end tag.
    len: usize,
}

/// A plain leaf at the start of `b` (after blank text): the form
/// Salesforce writes nearly every element in, `<name>text</name>` with a
/// name of ASCII letters, digits, `_`, `-` and `.`, no attributes, and a
/// text without `<`, `&` or a carriage return. For those bytes quick-xml
/// would return exactly this name and text, and find nothing wrong: there
/// is nothing in them to unescape, normalise or mismatch. Anything else,
/// `None`: quick-xml reads it.
#[inline]
fn plain_leaf(b: &[u8]) -> Option<PlainLeaf> {
    let (lead, name_len) = plain_start(b)?;
    let tag = &b[lead..];
    let text_from = 1 + name_len + 1;
    let text_len = memchr::memchr3(b'<', b'&', b'\r', &tag[text_from..])?;
    let close = &tag[text_from + text_len..];
    let name = &tag[1..1 + name_len];
    let ok = close.len() > name_len + 2
        && close[0] == b'<'
        && close[1] == b'/'
        && &close[2..2 + name_len] == name
        && close[2 + name_len] == b'>';
    ok.then(|| PlainLeaf {
        lead,
        name_len,
        text: (lead + text_from, lead + text_from + text_len),
        len: lead + text_from + text_len + name_len + 3,
    })
}

/// A plain start tag at the start of `b` (after blank text): `<name>`,
/// the name as [`plain_leaf`] takes it. (The blank text's length, the
/// name's length.)
#[inline]
fn plain_start(b: &[u8]) -> Option<(usize, usize)> {
    let lead = b.iter().position(|c| !is_xml_space(*c))?;
    let tag = &b[lead..];
    if tag.first() != Some(&b'<') || !tag.get(1)?.is_ascii_alphabetic() {
        return None;
    }
    let name_len = tag[1..].iter().position(|c| !is_name_byte(*c))?;
    (tag[1 + name_len] == b'>').then_some((lead, name_len))
}

/// The length of the record of plain leaves that `b` starts with, through
/// the `>` of its end tag: a plain start tag (see [`plain_start`]) of a
/// name `name_len` bytes long, then only plain leaves (see [`plain_leaf`])
/// and blank text, then exactly `</name>`. quick-xml would read those
/// bytes as balanced tags around text it finds nothing wrong with: no
/// reference to resolve, no comment, CDATA or other markup, no name to
/// mismatch, nothing left open. Anything else, `None`: quick-xml reads it
/// and finds what is wrong where it always has.
#[inline]
fn plain_record(b: &[u8], name_len: usize) -> Option<usize> {
    let name = &b[1..1 + name_len];
    let mut at = 1 + name_len + 1;
    loop {
        let rest = &b[at..];
        if let Some(leaf) = plain_leaf(rest) {
            at += leaf.len;
            continue;
        }
        let lead = blank_before_markup(rest);
        let close = &rest[lead..];
        let ok = close.len() > name_len + 2
            && close[0] == b'<'
            && close[1] == b'/'
            && &close[2..2 + name_len] == name
            && close[2 + name_len] == b'>';
        return ok.then_some(at + lead + name_len + 3);
    }
}

/// The length of the blank text at the start of `b` when a `<` follows it.
fn blank_before_markup(b: &[u8]) -> usize {
    match b.iter().position(|c| !is_xml_space(*c)) {
        Some(n) if b[n] == b'<' => n,
        _ => 0,
    }
}

fn is_xml_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\r')
}

fn is_name_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Span;

    /// The same walk as the loaders do (leaves read as text, containers
    /// walked or skipped, `rec` children skipped as a light profile skips
    /// its permissions), with and without the fast path.
    fn walk(xml: &str, fast: bool) -> XmlResult<Vec<(String, String, Span)>> {
        fn children<'a>(
            x: &mut Xml<'a>,
            parent: &Elem<'a>,
            out: &mut Vec<(String, String, Span)>,
        ) -> XmlResult<()> {
            while let Some(child) = x.next_child_skipping(parent, |name| name == "rec")? {
                match child.name {
                    "skip" => x.skip(&child)?,
                    "list" => children(x, &child, out)?,
                    _ => {
                        let text = x.text(&child)?.into_owned();
                        out.push((child.name.to_owned(), text, x.span_of(&child)));
                    }
                }
            }
            Ok(())
        }
        let mut x = Xml::with_fast_path(xml, 0, fast);
        let root = x.root()?;
        let mut out = vec![];
        children(&mut x, &root, &mut out)?;
        x.finish()?;
        Ok(out)
    }

    #[test]
    fn plain_leaves_are_recognised_exactly() {
        let leaf = |s: &str| plain_leaf(s.as_bytes()).map(|l| (l.lead, l.name_len, l.text, l.len));
        assert_eq!(
            leaf("\n    <field>A.B</field>\n"),
            Some((5, 5, (12, 15), 23))
        );
        assert_eq!(leaf("<a></a>"), Some((0, 1, (3, 3), 7)));
        assert_eq!(leaf("<a>x > y</a>"), Some((0, 1, (3, 8), 12)));
        assert_eq!(leaf("<a.b-c_1>1</a.b-c_1>rest"), Some((0, 7, (9, 10), 20)));
        for other in [
            "<a>1</b>",
            "<a>1</ab>",
            "<ab>1</a>",
            "<a>1</a >",
            "<a >1</a>",
            "<a x=\"1\">1</a>",
            "<a/>",
            "<a>A &amp; B</a>",
            "<a>1\r\n2</a>",
            "<a><b>1</b></a>",
            "<a><!-- c -->1</a>",
            "<a><![CDATA[1]]></a>",
            "<p:a>1</p:a>",
            "<_a>1</_a>",
            "<1>1</1>",
            "<a>1</a",
            "<a>1",
            "</a>",
            "<!-- c --><a>1</a>",
            "text<a>1</a>",
            "<é>1</é>",
            "",
        ] {
            assert!(leaf(other).is_none(), "{other:?} taken as a plain leaf");
        }
    }

    #[test]
    fn the_fast_path_reads_what_quick_xml_reads() {
        let docs = [
            "<R>\n    <a>1</a>\n    <list>\n        <b>x</b>\n        <c>A &amp; B</c>\n    </list>\n    <skip>\n        <d>1</d>\n        <e><f>2</f></e>\n    </skip>\n</R>\n",
            "<R><a>1</a><!-- c --><b>2</b><a x=\"1\">3</a><a>4\r\n5</a></R>",
            "<R>\n  <list>\n    <a>1</a>\n    <a>2</a >\n  </list>\n</R>",
            "<R>\n  <skip>\n    <a>1</a>\n    <a>2</b>\n  </skip>\n</R>",
            "<R>\n  <skip>\n    <a>1</a>\n    <a>2</a>\n  </skep>\n</R>",
            "<R>\n  <a>1</a>\n  <b>2</b>\n",
            "<R>\n  <a>1</a>\n  text &bogus; \n  <b>2</b>\n</R>",
            "<R>\n  <skip><a>1</a> &bogus; </skip>\n</R>",
            "<R>\n  <a>1</a>\n</R>\n<a>2</a>",
        ];
        for doc in docs {
            assert_eq!(walk(doc, true), walk(doc, false), "{doc:?}");
        }
        let v = walk(docs[0], true).unwrap();
        let names: Vec<&str> = v.iter().map(|(n, _, _)| n.as_str()).collect();
        assert_eq!(names, ["a", "b", "c"]);
        assert_eq!(
            &docs[0][v[1].2.start as usize..v[1].2.end as usize],
            "<b>x</b>"
        );
        let e = walk(docs[3], true).unwrap_err();
        assert!(e.message.contains("expected `</a>`"), "{e:?}");
    }

    #[test]
    fn plain_records_are_recognised_exactly() {
        let record = |s: &str| {
            let (lead, name_len) = plain_start(s.as_bytes())?;
            plain_record(&s.as_bytes()[lead..], name_len).map(|len| lead + len)
        };
        assert_eq!(
            record("\n  <r>\n    <a>1</a>\n    <b>2</b>\n  </r>\n"),
            Some(39)
        );
        assert_eq!(record("<r></r>"), Some(7));
        assert_eq!(record("<r>\r\n  <a>1</a>\r\n</r><r>"), Some(21));
        for other in [
            "<r><a>1</a></rr>",
            "<r><a>1</a></r >",
            "<r><a>1</a></R>",
            "<r><a>1</b></r>",
            "<r><a>1 < 2</a></r>",
            "<r><a>&amp;</a></r>",
            "<r><a>1\r</a></r>",
            "<r><a>1</a><!-- c --></r>",
            "<r><![CDATA[1]]></r>",
            "<r><a><b>1</b></a></r>",
            "<r><a/></r>",
            "<r>text</r>",
            "<r><a x=\"1\">1</a></r>",
            "<r x=\"1\"><a>1</a></r>",
            "<p:r><a>1</a></p:r>",
            "<r><a>1</a>",
            "<r><a>1</a></r",
            "<r><a>1</a></",
            "<r>",
            "</r>",
        ] {
            assert_eq!(record(other), None, "{other:?} taken as a plain record");
        }
    }

    /// Inputs whose errors lie inside a record that a light read skips:
    /// quick-xml finds each where it always has, with or without the
    /// fast path (the error, its place and its message).
    #[test]
    fn skipped_records_keep_every_error_quick_xml_finds() {
        let cases: [(&str, &str, usize); 13] = [
            (
                "<R>\n  <rec>\n    <a>1</b>\n  </rec>\n</R>",
                "expected `</a>`, but `</b>` was found",
                20,
            ),
            (
                "<R><rec><a>1</a></rek></R>",
                "expected `</rec>`, but `</rek>` was found",
                16,
            ),
            (
                "<R><rec><a>1</a></rec ></R><rec></rec>",
                "unexpected content after the root element",
                27,
            ),
            (
                "<R><rec><a>1 < 2</a></rec></R>",
                "expected `</>`, but `</rec>` was found",
                20,
            ),
            (
                "<R><rec><a>1</a><!-- x </rec></R>",
                "comment not closed",
                16,
            ),
            (
                "<R><rec><a><![CDATA[x</a></rec></R>",
                "CDATA not closed",
                11,
            ),
            ("<R>\n  <rec>\n    <a>1</a>\n", "<rec> is never closed", 6),
            ("<R><rec><a>1</a></re", "tag not closed", 16),
            ("<R><rec><a>1</a>", "<rec> is never closed", 3),
            (
                "<R><rec><a>&bogus;</a></rec></R>",
                "undefined entity &bogus;",
                11,
            ),
            (
                "<R><rec><a>&#0;</a></rec></R>",
                "invalid character reference",
                11,
            ),
            ("<R><rec><!DOCTYPE x><a>1</a></rec></R>", "DOCTYPE", 8),
            (
                "<R/><rec><a>1</a></rec>",
                "unexpected content after the root element",
                4,
            ),
        ];
        for (doc, message, at) in cases {
            let e = walk(doc, true).unwrap_err();
            assert_eq!(Err(e.clone()), walk(doc, false), "{doc:?}");
            assert!(e.message.contains(message), "{doc:?}: {e:?}");
            assert_eq!(e.span.start as usize, at, "{doc:?}: {e:?}");
        }
    }

    #[test]
    fn skipped_records_go_by_without_quick_xml() {
        let doc = "<R>\n  <rec>\n    <a>1</a>\n    <b>2</b>\n  </rec>\n  <rec></rec>\n  <c>3</c>\n  <rec x=\"1\"><a>1</a></rec>\n  <rec>\r\n    <a>A &amp; B</a>\r\n  </rec>\n</R>\n";
        let mut x = Xml::new(doc, 0);
        let root = x.root().unwrap();
        let is_rec = |name: &str| name == "rec";
        let c = x.next_child_skipping(&root, is_rec).unwrap().unwrap();
        assert_eq!((c.name, x.text(&c).unwrap().as_ref()), ("c", "3"));
        // Both records and the blank text before them, then the leaf.
        assert_eq!(x.shift, doc.find("<c>").unwrap() + "<c>3</c>".len() - 3);
        assert!(x.next_child_skipping(&root, is_rec).unwrap().is_none());
        x.finish().unwrap();
        assert_eq!(walk(doc, true), walk(doc, false));
        let v = walk(doc, true).unwrap();
        assert_eq!(v.len(), 1);
        assert_eq!(&doc[v[0].2.start as usize..v[0].2.end as usize], "<c>3</c>");
        for doc in [
            "<R>\n  <rec>\n    <rec>1</rec>\n  </rec>\n  <rec>2</rec>\n  <rec/>\n</R>",
            "<R><rec><x><a>1</a></x></rec><p:rec><a>1</a></p:rec><c>1</c></R>",
            "<R><rec><a\0>1</a\0></rec><c>1</c></R>",
            "<R><list><rec><a>1</a></rec><c>2</c></list><skip><rec><a>1</a></rec></skip></R>",
        ] {
            assert_eq!(walk(doc, true), walk(doc, false), "{doc:?}");
        }
    }

    #[test]
    fn skipped_records_keep_the_depth_limit() {
        for levels in MAX_DEPTH - 4..=MAX_DEPTH + 1 {
            let doc = format!(
                "<R>{}<rec><a>1</a></rec><rec></rec>{}</R>",
                "<list>".repeat(levels),
                "</list>".repeat(levels)
            );
            let fast = walk(&doc, true);
            assert_eq!(fast, walk(&doc, false), "{levels} levels");
            assert_eq!(
                fast.is_ok(),
                levels + 2 < MAX_DEPTH,
                "{levels} levels: {fast:?}"
            );
        }
    }

    #[test]
    fn the_fast_path_keeps_the_depth_limit() {
        let deep = format!(
            "{}<a>1</a>{}",
            "<b>".repeat(MAX_DEPTH),
            "</b>".repeat(MAX_DEPTH)
        );
        for fast in [true, false] {
            let mut x = Xml::with_fast_path(&deep, 0, fast);
            let root = x.root().unwrap();
            let e = x.skip(&root).unwrap_err();
            assert!(e.message.contains("nested deeper"), "{e:?}");
        }
    }
}
