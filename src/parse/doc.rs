//! Typed values on top of the cursor: trimmed strings, interned names,
//! booleans, and "records" — list entries such as `<userPermissions>`
//! whose children are plain values.

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::HashMap;

use lasso::ThreadedRodeo;

use super::xml::{Elem, Xml, XmlResult, quoted};
use crate::model::{Located, Site, Sym};
use crate::source::{FileId, Loc, Problem, Span};

pub(crate) struct Doc<'a, 'n> {
    pub xml: Xml<'a>,
    pub file: FileId,
    names: &'n dyn Intern,
}

/// What a [`Doc`] interns its names with ([`Names`]).
pub(crate) trait Intern {
    fn intern(&self, text: &str) -> Sym;
}

/// The run's shared interner, with one worker's recent names in front of
/// it. A retrieved org names the same objects and fields in every profile
/// and permission set, in the same order, so most names a worker interns
/// it has interned before; looking them up in a small map of its own skips
/// the shared map's lock and most of its cache misses. The symbols are the
/// shared interner's: the cache only remembers them.
pub(crate) struct Names<'r> {
    shared: &'r ThreadedRodeo,
    /// Keys are the shared interner's own copies of the names.
    recent: RefCell<HashMap<&'r str, Sym, ahash::RandomState>>,
}

/// Names a worker remembers before it starts over: about one large
/// profile's fields.
const RECENT_NAMES: usize = 1 << 15;

impl<'r> Names<'r> {
    pub fn new(shared: &'r ThreadedRodeo) -> Self {
        Names {
            shared,
            recent: RefCell::default(),
        }
    }
}

impl Intern for Names<'_> {
    fn intern(&self, text: &str) -> Sym {
        let mut recent = self.recent.borrow_mut();
        if let Some(&sym) = recent.get(text) {
            return sym;
        }
        let sym = self.shared.get_or_intern(text);
        if recent.len() >= RECENT_NAMES {
            recent.clear();
        }
        recent.insert(self.shared.resolve(&sym), sym);
        sym
    }
}

/// The leaf children of one record element, picked out by name.
pub(crate) struct Record<'a, const N: usize> {
    values: [Option<(Cow<'a, str>, Span)>; N],
    /// The whole record element.
    pub span: Span,
    name: &'a str,
}

impl<'a, 'n> Doc<'a, 'n> {
    pub fn new(xml: Xml<'a>, file: FileId, names: &'n dyn Intern) -> Self {
        Doc { xml, file, names }
    }

    pub fn loc(&self, span: Span) -> Loc {
        Loc {
            file: self.file,
            span,
        }
    }

    pub fn site(&self, span: Span, key: Span) -> Site {
        Site {
            file: self.file,
            span,
            key,
        }
    }

    pub fn intern(&self, text: &str) -> Sym {
        self.names.intern(text)
    }

    /// The trimmed text of a leaf element.
    pub fn string(&mut self, el: &Elem<'a>) -> XmlResult<Cow<'a, str>> {
        Ok(trim_cow(self.xml.text(el)?))
    }

    /// The trimmed text of a leaf and the element's span.
    pub fn located_string(&mut self, el: &Elem<'a>) -> XmlResult<Located<Box<str>>> {
        let text = self.string(el)?;
        Ok(Located {
            value: text.into(),
            loc: self.loc(self.xml.span_of(el)),
        })
    }

    pub fn located_symbol(&mut self, el: &Elem<'a>) -> XmlResult<Located<Sym>> {
        let text = self.string(el)?;
        Ok(Located {
            value: self.intern(&text),
            loc: self.loc(self.xml.span_of(el)),
        })
    }

    pub fn boolean(&mut self, el: &Elem<'a>) -> XmlResult<bool> {
        let text = self.string(el)?;
        parse_bool(&text, self.xml.span_of(el))
    }

    pub fn located_bool(&mut self, el: &Elem<'a>) -> XmlResult<Located<bool>> {
        let value = self.boolean(el)?;
        Ok(Located {
            value,
            loc: self.loc(self.xml.span_of(el)),
        })
    }

    /// Reads the children of `el` named in `fields`; other children (and
    /// whatever they contain) are skipped. A repeated child keeps its last
    /// value.
    pub fn record<const N: usize>(
        &mut self,
        el: &Elem<'a>,
        fields: [&str; N],
    ) -> XmlResult<Record<'a, N>> {
        let mut values: [Option<(Cow<'a, str>, Span)>; N] = std::array::from_fn(|_| None);
        while let Some(child) = self.xml.next_child(el)? {
            match fields.iter().position(|f| *f == child.name) {
                Some(i) => {
                    let text = self.string(&child)?;
                    values[i] = Some((text, self.xml.span_of(&child)));
                }
                None => self.xml.skip(&child)?,
            }
        }
        Ok(Record {
            values,
            span: self.xml.span_of(el),
            name: el.name,
        })
    }
}

impl<'a, const N: usize> Record<'a, N> {
    pub fn get(&self, i: usize) -> Option<(&str, Span)> {
        self.values[i].as_ref().map(|(t, s)| (t.as_ref(), *s))
    }

    /// A child that must be present and not empty.
    pub fn required(&self, i: usize, field: &str) -> XmlResult<(&str, Span)> {
        match self.get(i) {
            Some((text, span)) if !text.is_empty() => Ok((text, span)),
            Some((_, span)) => Err(Box::new(Problem::new(
                span,
                format!("<{field}> in <{}> is empty", self.name),
            ))),
            None => Err(Box::new(
                Problem::new(self.span, format!("<{}> has no <{field}>", self.name)).with_help(
                    format!("every <{}> entry names its subject in <{field}>", self.name),
                ),
            )),
        }
    }

    /// A boolean child; absent means `false`.
    pub fn flag(&self, i: usize) -> XmlResult<bool> {
        match self.get(i) {
            Some((text, span)) => parse_bool(text, span),
            None => Ok(false),
        }
    }
}

/// xsd:boolean as Salesforce files write it: `true`/`false`, and in some
/// hand-edited projects `True`/`False`; `1`/`0` are valid too.
pub(crate) fn parse_bool(text: &str, span: Span) -> XmlResult<bool> {
    match text {
        "true" | "True" | "TRUE" | "1" => Ok(true),
        "false" | "False" | "FALSE" | "0" => Ok(false),
        other => Err(Box::new(Problem::new(
            span,
            format!(
                "expected a boolean (true or false), found `{}`",
                quoted(other).escape_debug()
            ),
        ))),
    }
}

fn trim_cow(text: Cow<'_, str>) -> Cow<'_, str> {
    match text {
        Cow::Borrowed(s) => Cow::Borrowed(s.trim()),
        Cow::Owned(s) if s.trim().len() == s.len() => Cow::Owned(s),
        Cow::Owned(s) => Cow::Owned(s.trim().to_owned()),
    }
}
