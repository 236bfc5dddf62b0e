//! A small pull cursor over quick-xml for element-only documents.
//!
//! Salesforce metadata is data, not markup: elements hold either child
//! elements or text. The cursor offers just that shape — the root, the next
//! child of an element, the text of a leaf, skipping a subtree — with the
//! byte position of every element. It never builds a tree and never copies
//! text that needs no unescaping. DOCTYPEs are refused outright, so entity
//! definitions are never expanded.
//!
//! Most of a file goes by a fast path that reads plain leaves straight
//! from the bytes; it lives in `fast`, with the quick-xml invariant it
//! relies on written at its top.

use std::borrow::Cow;

use quick_xml::Reader;
use quick_xml::events::Event;

use crate::source::{Problem, Span};

mod fast;

/// Deeper nesting than any metadata type has is refused, so that hostile
/// input cannot make the skip loop count forever or a caller recurse.
pub const MAX_DEPTH: usize = 64;

/// At most this many characters of a name or value from the file are
/// quoted in a message: a 50 MB text node must not become a 50 MB message.
const QUOTE_MAX: usize = 60;

/// `text` for quoting in a message: cut after [`QUOTE_MAX`] characters,
/// with its full length noted. (Control characters are left to the
/// renderers, which neutralise or escape them.)
pub(crate) fn quoted(text: &str) -> Cow<'_, str> {
    match text.char_indices().nth(QUOTE_MAX) {
        None => Cow::Borrowed(text),
        Some((cut, _)) => Cow::Owned(format!("{}… ({} bytes)", &text[..cut], text.len())),
    }
}

/// A malformed document: where (always somewhere) and what. Boxed: the
/// error is rare, and a small `Result` keeps the per-event path cheap.
pub type XmlResult<T> = Result<T, Box<Problem<Span>>>;

/// A start tag the cursor stopped at.
#[derive(Clone, Copy, Debug)]
pub struct Elem<'a> {
    /// Local name, without any namespace prefix.
    pub name: &'a str,
    /// Offset of the `<`.
    pub start: usize,
    /// Offset just past the start tag's `>`.
    pub tag_end: usize,
    pub(crate) body: Body<'a>,
}

/// What the cursor still has to read of an element.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Body<'a> {
    /// Children or text, then the end tag.
    Open,
    /// `<x/>`: nothing.
    Empty,
    /// A plain leaf (see [`fast::plain_leaf`]) read whole: nothing. `text` is
    /// its exact text; `end` is the offset just past its end tag.
    Leaf { text: &'a str, end: usize },
}

impl Elem<'_> {
    /// `<name` — what a finding about the element as a whole underlines.
    pub fn name_span(&self) -> Span {
        Span::new(self.start, self.start + 1 + self.name.len())
    }

    /// Read to its end already: nothing of it is left for the cursor.
    fn is_read(&self) -> bool {
        !matches!(self.body, Body::Open)
    }
}

pub struct Xml<'a> {
    reader: Reader<&'a [u8]>,
    text: &'a str,
    /// Offset of the text within its file (a byte-order mark is cut off).
    base: usize,
    depth: usize,
    /// Offset just past the last event read.
    pos: usize,
    /// Bytes the fast path consumed without quick-xml: its
    /// `buffer_position` plus this is the offset within `text`.
    shift: usize,
    /// quick-xml is between markup and text (just past a `>`), the one
    /// state in which the fast path may take bytes from under it.
    after_markup: bool,
    /// The fast path is on; off only to test it against quick-xml alone.
    fast: bool,
}

impl<'a> Xml<'a> {
    /// A cursor over `text`, which starts `base` bytes into its file.
    pub fn new(text: &'a str, base: usize) -> Self {
        Self::with_fast_path(text, base, true)
    }

    /// `fast: false` leaves every byte to quick-xml: the reference the
    /// fast path is tested against.
    pub(crate) fn with_fast_path(text: &'a str, base: usize, fast: bool) -> Self {
        // quick-xml silently skips a byte-order mark at the start of its
        // input, which would shift every position after it: one left after
        // decoding (a file starting with two) is skipped here instead.
        let (text, base) = match text.strip_prefix('\u{feff}') {
            Some(rest) => (rest, base + '\u{feff}'.len_utf8()),
            None => (text, base),
        };
        let mut reader = Reader::from_reader(text.as_bytes());
        let config = reader.config_mut();
        config.check_end_names = true;
        config.expand_empty_elements = false;
        config.trim_text(false);
        Xml {
            reader,
            text,
            base,
            depth: 0,
            pos: base,
            shift: 0,
            after_markup: false,
            fast,
        }
    }

    /// Offset of quick-xml's read position within the file.
    fn offset(&self) -> usize {
        self.base + self.shift + self.reader.buffer_position() as usize
    }

    /// Offset just past the last event read: after `next_child` returned
    /// `None`, the end of the parent element.
    pub fn pos(&self) -> usize {
        self.pos
    }

    /// The span of `elem` once it has been read to its end.
    pub fn span_of(&self, elem: &Elem) -> Span {
        match elem.body {
            Body::Open => Span::new(elem.start, self.pos),
            Body::Empty => Span::new(elem.start, elem.tag_end),
            Body::Leaf { end, .. } => Span::new(elem.start, end),
        }
    }

    fn next_event(&mut self) -> XmlResult<(Event<'a>, usize)> {
        let start = self.offset();
        match self.reader.read_event() {
            Ok(event) => {
                self.pos = self.offset();
                self.after_markup = !matches!(event, Event::Text(_));
                Ok((event, start))
            }
            Err(e) => Err(self.syntax_error(&e)),
        }
    }

    #[cold]
    fn syntax_error(&self, e: &quick_xml::Error) -> Box<Problem<Span>> {
        // The error may be reported at the end of the input: the span
        // never reaches past it.
        let end = self.base + self.text.len();
        let at = (self.base + self.shift + self.reader.error_position() as usize).min(end);
        Box::new(Problem::new(Span::new(at, (at + 1).min(end)), describe(e)))
    }

    /// The element whose start tag was just read, its name borrowed from
    /// the input (the tag starts with `<` then the qualified name).
    fn elem(
        &self,
        tag: &quick_xml::events::BytesStart,
        start: usize,
        empty: bool,
    ) -> XmlResult<Elem<'a>> {
        let from = start - self.base + 1;
        let name = &self.text[from..from + tag.name().as_ref().len()];
        // XML names hold no control character (quick-xml lets NUL pass).
        if let Some(bad) = name.bytes().position(|b| b < 0x20 || b == 0x7f) {
            let at = start + 1 + bad;
            return Err(
                Box::new(Problem::new(Span::new(at, at + 1), "a control character in an element name")
                    .with_help("XML names cannot hold NUL or other control characters; the file is damaged or hostile")),
            );
        }
        // Salesforce writes no prefixes; a plain byte scan keeps this cheap.
        let local = match name.bytes().rposition(|b| b == b':') {
            Some(i) => &name[i + 1..],
            None => name,
        };
        Ok(Elem {
            name: local,
            start,
            tag_end: self.pos,
            body: if empty { Body::Empty } else { Body::Open },
        })
    }

    fn enter(&mut self, elem: &Elem) -> XmlResult<()> {
        if !elem.is_read() {
            self.depth += 1;
            if self.depth > MAX_DEPTH {
                return Err(Box::new(Problem::new(
                    elem.name_span(),
                    format!("elements nested deeper than {MAX_DEPTH} levels"),
                )
                .with_help(
                    "Salesforce metadata is never nested this deep; the file is damaged or hostile",
                )));
            }
        }
        Ok(())
    }

    /// Reads the prolog and returns the root element.
    pub fn root(&mut self) -> XmlResult<Elem<'a>> {
        loop {
            let (event, start) = self.next_event()?;
            let elem = match event {
                Event::Decl(_) | Event::PI(_) | Event::Comment(_) => continue,
                Event::Text(t) if is_blank(&t) => continue,
                Event::Start(e) => self.elem(&e, start, false)?,
                Event::Empty(e) => self.elem(&e, start, true)?,
                Event::DocType(_) => return Err(doctype(start, self.pos)),
                Event::Eof => {
                    return Err(Box::new(Problem::new(
                        Span::new(start, start),
                        "the file has no root element",
                    )
                    .with_help(
                        "the file is empty or holds only an XML declaration; retrieve it again",
                    )));
                }
                _ => {
                    return Err(Box::new(Problem::new(
                        Span::new(start, self.pos),
                        "unexpected content before the root element",
                    )));
                }
            };
            self.enter(&elem)?;
            return Ok(elem);
        }
    }

    /// The next child element of `parent`, or `None` once `parent`'s end
    /// tag has been read. Text and comments between children are skipped.
    pub fn next_child(&mut self, parent: &Elem<'a>) -> XmlResult<Option<Elem<'a>>> {
        if parent.is_read() {
            return Ok(None);
        }
        if let Some(leaf) = self.fast_leaf() {
            return Ok(Some(leaf));
        }
        loop {
            let (event, start) = self.next_event()?;
            let elem = match event {
                Event::Start(e) => self.elem(&e, start, false)?,
                Event::Empty(e) => self.elem(&e, start, true)?,
                Event::End(_) => {
                    self.depth -= 1;
                    return Ok(None);
                }
                Event::Eof => return Err(unclosed(parent)),
                Event::DocType(_) => return Err(doctype(start, self.pos)),
                Event::GeneralRef(r) => {
                    resolve_ref(&r, start, self.pos)?;
                    continue;
                }
                _ => continue,
            };
            self.enter(&elem)?;
            return Ok(Some(elem));
        }
    }

    /// The text of a leaf element, unescaped and with line ends
    /// normalised, read up to its end tag. Borrowed from the input unless
    /// unescaping had to build a new string.
    pub fn text(&mut self, elem: &Elem<'a>) -> XmlResult<Cow<'a, str>> {
        match elem.body {
            Body::Open => {}
            Body::Empty => return Ok(Cow::Borrowed("")),
            Body::Leaf { text, .. } => return Ok(Cow::Borrowed(text)),
        }
        let mut text: Cow<'a, str> = Cow::Borrowed("");
        loop {
            let (event, start) = self.next_event()?;
            match event {
                Event::Text(t) => append(&mut text, t.xml10_content()),
                Event::CData(c) => append(&mut text, c.into_inner()),
                Event::GeneralRef(r) => {
                    let resolved = resolve_ref(&r, start, self.pos)?;
                    text.to_mut().push_str(resolved.as_ref());
                }
                Event::End(_) => {
                    self.depth -= 1;
                    return Ok(text);
                }
                Event::Start(e) | Event::Empty(e) => {
                    let name = e.local_name().into_inner().to_owned();
                    return Err(Box::new(
                        Problem::new(
                            Span::new(start, self.pos),
                            format!(
                                "unexpected element <{}> inside <{}>",
                                quoted(&name),
                                quoted(elem.name)
                            ),
                        )
                        .with_help(format!(
                            "<{}> holds a plain value, not elements",
                            quoted(elem.name)
                        )),
                    ));
                }
                Event::Eof => return Err(unclosed(elem)),
                Event::DocType(_) => return Err(doctype(start, self.pos)),
                Event::Comment(_) | Event::PI(_) | Event::Decl(_) => {}
            }
        }
    }

    /// Skips `elem` and everything inside it. The hot loop of a large
    /// file: plain leaves go by the fast path; the rest reads quick-xml's
    /// events directly and keeps only the depth, leaving positions to the
    /// rare events that need one.
    pub fn skip(&mut self, elem: &Elem<'a>) -> XmlResult<()> {
        if elem.is_read() {
            return Ok(());
        }
        let target = self.depth - 1;
        loop {
            while self.fast_leaf().is_some() {}
            let start = self.offset();
            let event = match self.reader.read_event() {
                Ok(event) => event,
                Err(e) => return Err(self.syntax_error(&e)),
            };
            self.after_markup = true;
            match event {
                Event::Start(_) if self.depth < MAX_DEPTH => self.depth += 1,
                Event::End(_) => {
                    self.depth -= 1;
                    if self.depth == target {
                        self.pos = self.offset();
                        return Ok(());
                    }
                }
                Event::Text(_) => self.after_markup = false,
                Event::CData(_)
                | Event::Empty(_)
                | Event::Comment(_)
                | Event::PI(_)
                | Event::Decl(_) => {}
                Event::Start(e) => {
                    self.pos = self.offset();
                    let child = self.elem(&e, start, false)?;
                    self.enter(&child)?;
                }
                Event::GeneralRef(r) => {
                    self.pos = self.offset();
                    resolve_ref(&r, start, self.pos)?;
                }
                Event::Eof => return Err(unclosed(elem)),
                Event::DocType(_) => {
                    self.pos = self.offset();
                    return Err(doctype(start, self.pos));
                }
            }
        }
    }

    /// After the root element has ended: only comments and blank text
    /// may follow.
    pub fn finish(&mut self) -> XmlResult<()> {
        loop {
            let (event, start) = self.next_event()?;
            match event {
                Event::Eof => return Ok(()),
                Event::Comment(_) | Event::PI(_) => {}
                Event::Text(t) if is_blank(&t) => {}
                _ => {
                    return Err(Box::new(Problem::new(
                        Span::new(start, self.pos),
                        "unexpected content after the root element",
                    )));
                }
            }
        }
    }
}

fn is_blank(t: &quick_xml::events::BytesText) -> bool {
    t.as_ref().bytes().all(|b| b.is_ascii_whitespace())
}

fn append<'a>(text: &mut Cow<'a, str>, piece: Cow<'a, str>) {
    if text.is_empty() {
        *text = piece;
    } else {
        text.to_mut().push_str(&piece);
    }
}

/// The five predefined entities and character references; anything else
/// would need a DTD, which is never read.
fn resolve_ref(
    r: &quick_xml::events::BytesRef,
    start: usize,
    end: usize,
) -> XmlResult<Cow<'static, str>> {
    let span = Span::new(start, end);
    if r.is_char_ref() {
        return match r.resolve_char_ref() {
            Ok(Some(c)) => Ok(Cow::Owned(c.to_string())),
            _ => Err(Box::new(Problem::new(span, "invalid character reference"))),
        };
    }
    let name: &str = r.as_ref();
    Ok(Cow::Borrowed(match name {
        "amp" => "&",
        "lt" => "<",
        "gt" => ">",
        "apos" => "'",
        "quot" => "\"",
        other => {
            return Err(Box::new(Problem::new(
                span,
                format!("undefined entity &{};", quoted(other)),
            )
            .with_help("only &amp; &lt; &gt; &apos; &quot; and character references are allowed; entities are never expanded")));
        }
    }))
}

fn unclosed(elem: &Elem) -> Box<Problem<Span>> {
    Box::new(
        Problem::new(
            elem.name_span(),
            format!(
                "unexpected end of file: <{}> is never closed",
                quoted(elem.name)
            ),
        )
        .with_help("the file looks truncated; retrieve it again"),
    )
}

fn doctype(start: usize, end: usize) -> Box<Problem<Span>> {
    Box::new(
        Problem::new(
            Span::new(start, end),
            "DOCTYPE declarations are not allowed",
        )
        .with_help(
            "Salesforce never writes a DOCTYPE; entities it defines are not expanded. Remove it.",
        ),
    )
}

/// quick-xml's message, with the names it quotes from the file cut short.
fn describe(e: &quick_xml::Error) -> String {
    use quick_xml::Error;
    use quick_xml::errors::IllFormedError;
    match e {
        Error::Syntax(s) => format!("malformed XML: {s}"),
        Error::IllFormed(IllFormedError::MismatchedEndTag { expected, found }) => format!(
            "malformed XML: expected `</{}>`, but `</{}>` was found",
            quoted(expected),
            quoted(found)
        ),
        Error::IllFormed(IllFormedError::UnmatchedEndTag(name)) => format!(
            "malformed XML: close tag `</{}>` does not match any open tag",
            quoted(name)
        ),
        Error::IllFormed(IllFormedError::MissingEndTag(name)) => format!(
            "malformed XML: start tag not closed: `</{}>` not found before end of input",
            quoted(name)
        ),
        Error::IllFormed(s) => format!("malformed XML: {}", quoted(&s.to_string())),
        other => format!("malformed XML: {}", quoted(&other.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leaf_values(xml: &str) -> XmlResult<Vec<(String, String, Span)>> {
        let mut x = Xml::new(xml, 0);
        let root = x.root()?;
        let mut out = vec![];
        while let Some(child) = x.next_child(&root)? {
            let text = x.text(&child)?.into_owned();
            out.push((child.name.to_owned(), text, x.span_of(&child)));
        }
        x.finish()?;
        Ok(out)
    }

    #[test]
    fn reads_leaves_with_spans() {
        let xml = "<?xml version=\"1.0\"?>\n<R xmlns=\"x\">\n    <a>1</a>\n    <b/>\n</R>\n";
        let v = leaf_values(xml).unwrap();
        assert_eq!(v[0].0, "a");
        assert_eq!(v[0].1, "1");
        assert_eq!(&xml[v[0].2.start as usize..v[0].2.end as usize], "<a>1</a>");
        assert_eq!(&xml[v[1].2.start as usize..v[1].2.end as usize], "<b/>");
    }

    #[test]
    fn unescapes_predefined_entities_and_char_refs() {
        let v = leaf_values("<R><a>A &amp; B &#x41;&lt;</a></R>").unwrap();
        assert_eq!(v[0].1, "A & B A<");
    }

    #[test]
    fn refuses_doctype_and_unknown_entities() {
        let e = leaf_values("<!DOCTYPE R [<!ENTITY x \"y\">]><R><a>&x;</a></R>").unwrap_err();
        assert!(e.message.contains("DOCTYPE"), "{e:?}");
        let e = leaf_values("<R><a>&x;</a></R>").unwrap_err();
        assert!(e.message.contains("undefined entity &x;"), "{e:?}");
    }

    #[test]
    fn reports_truncation_at_the_open_element() {
        let e = leaf_values("<R>\n  <a>1</a>\n  <b>").unwrap_err();
        assert!(e.message.contains("<b> is never closed"), "{e:?}");
        assert_eq!(e.span.start, 17);
    }

    #[test]
    fn reports_mismatched_tags() {
        let e = leaf_values("<R><a>1</b></R>").unwrap_err();
        assert!(e.message.contains("malformed XML"), "{e:?}");
    }

    #[test]
    fn a_second_byte_order_mark_does_not_shift_positions() {
        // Found by the fuzzer: quick-xml skipped the mark unseen, and the
        // cursor sliced the element name one character too early.
        let text = "\u{feff}< p>\0\0=";
        let mut x = Xml::new(text, 3);
        let root = x.root().unwrap();
        assert_eq!((root.name, root.start), ("", 6));
        let v = leaf_values("\u{feff}<R><a>1</a></R>").unwrap();
        assert_eq!(v[0].2, Span::new(6, 14));
    }

    #[test]
    fn limits_depth() {
        let deep = "<a>".repeat(100_000);
        let mut x = Xml::new(&deep, 0);
        let root = x.root().unwrap();
        let e = x.skip(&root).unwrap_err();
        assert!(e.message.contains("nested deeper"), "{e:?}");
    }
}
