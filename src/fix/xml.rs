//! A small element tree for the metadata files `fix` writes or edits, and
//! the writer that formats it the way `sf project retrieve` does: the XML
//! declaration, 4-space indent, one element per line, leaves as
//! `<name>text</name>`.
//!
//! The model in [`crate::model`] keeps only what the rules need; a file
//! that `fix` edits must keep everything else (layouts, login hours,
//! descriptions), so it is read again here as a plain tree.

use quick_xml::Reader;
use quick_xml::escape::{escape, unescape};
use quick_xml::events::Event;

use crate::source::{Problem, Span};

/// The metadata namespace every root carries.
pub const NAMESPACE: &str = "http://soap.sforce.com/2006/04/metadata";

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Element {
    pub name: String,
    pub attributes: Vec<(String, String)>,
    /// A leaf's text (unescaped); `None` for an element with children.
    pub text: Option<String>,
    pub children: Vec<Element>,
}

impl Element {
    /// A root element with the metadata namespace.
    pub fn root(name: &str) -> Element {
        Element {
            name: name.to_owned(),
            attributes: vec![("xmlns".to_owned(), NAMESPACE.to_owned())],
            text: None,
            children: vec![],
        }
    }

    pub fn parent(name: &str, children: Vec<Element>) -> Element {
        Element {
            name: name.to_owned(),
            attributes: vec![],
            text: None,
            children,
        }
    }

    pub fn leaf(name: &str, text: impl Into<String>) -> Element {
        Element {
            name: name.to_owned(),
            attributes: vec![],
            text: Some(text.into()),
            children: vec![],
        }
    }

    /// The text of the first child called `name`.
    pub fn child_text(&self, name: &str) -> Option<&str> {
        self.children
            .iter()
            .find(|c| c.name == name)
            .and_then(|c| c.text.as_deref())
    }

    /// Sets the text of the first child called `name`, adding the child at
    /// its sorted place when missing. Returns whether anything changed.
    pub fn set_child_text(&mut self, name: &str, text: &str) -> bool {
        if let Some(child) = self.children.iter_mut().find(|c| c.name == name) {
            if child.text.as_deref() == Some(text) && child.children.is_empty() {
                return false;
            }
            child.text = Some(text.to_owned());
            child.children.clear();
            return true;
        }
        self.insert_sorted(Element::leaf(name, text));
        true
    }

    /// What retrieved files sort an element by: its name, then the child
    /// that names its subject (`<name>`, `<object>`, `<field>`, ...).
    pub fn sort_key(&self) -> (&str, &str) {
        const KEYS: [&str; 10] = [
            "name",
            "object",
            "field",
            "apexClass",
            "apexPage",
            "flow",
            "externalDataSource",
            "externalCredentialPrincipal",
            "tab",
            "application",
        ];
        let key = KEYS
            .iter()
            .find_map(|k| self.child_text(k))
            .or(self.text.as_deref())
            .unwrap_or("");
        (self.name.as_str(), key)
    }

    /// Inserts `child` before the first child that sorts after it
    /// (retrieved files list elements alphabetically, entries of a list
    /// by their subject).
    pub fn insert_sorted(&mut self, child: Element) {
        let key = child.sort_key();
        let at = self
            .children
            .iter()
            .position(|c| c.sort_key() > key)
            .unwrap_or(self.children.len());
        self.children.insert(at, child);
    }

    /// Sorts the children of a new element by name (the order retrieved
    /// files have).
    pub fn sorted(mut self) -> Element {
        self.children.sort_by(|a, b| a.name.cmp(&b.name));
        self
    }

    /// Removes every child called `name`; returns whether any was.
    pub fn remove_children(&mut self, name: &str) -> bool {
        let before = self.children.len();
        self.children.retain(|c| c.name != name);
        before != self.children.len()
    }

    /// The file text, as `sf project retrieve` writes it.
    pub fn to_document(&self) -> String {
        let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        self.write(&mut out, 0);
        out
    }

    fn write(&self, out: &mut String, depth: usize) {
        for _ in 0..depth {
            out.push_str("    ");
        }
        out.push('<');
        out.push_str(&self.name);
        for (key, value) in &self.attributes {
            out.push_str(&format!(" {key}=\"{}\"", escape(value.as_str())));
        }
        match (&self.text, self.children.is_empty()) {
            (Some(text), true) => {
                out.push('>');
                out.push_str(&escape(xml_chars(text).as_str()));
            }
            (None, true) => {
                out.push_str("/>\n");
                return;
            }
            (_, false) => {
                out.push_str(">\n");
                for child in &self.children {
                    child.write(out, depth + 1);
                }
                for _ in 0..depth {
                    out.push_str("    ");
                }
            }
        }
        out.push_str("</");
        out.push_str(&self.name);
        out.push_str(">\n");
    }
}

/// `text` with the characters XML 1.0 cannot hold (control characters
/// but tab and line ends) replaced by U+FFFD, so a name from the inventory
/// never makes a file that does not parse.
fn xml_chars(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() && !matches!(c, '\t' | '\n' | '\r') {
                '\u{fffd}'
            } else {
                c
            }
        })
        .collect()
}

/// Reads a metadata file into a tree. Comments, processing instructions
/// and whitespace between elements are dropped; a DOCTYPE is refused.
/// Malformed XML is a problem at the byte where quick-xml's event began.
pub fn parse(text: &str) -> Result<Element, Problem> {
    let mut reader = Reader::from_str(text);
    let mut stack: Vec<Element> = vec![];
    let mut root = None;
    loop {
        let at = reader.buffer_position();
        let event = reader
            .read_event()
            .map_err(|e| Problem::at(Span::new(at as usize, at as usize), e.to_string()))?;
        match event {
            Event::Start(start) => {
                stack.push(element_of(&start)?);
            }
            Event::Empty(start) => {
                let element = element_of(&start)?;
                close(element, &mut stack, &mut root)?;
            }
            Event::End(_) => {
                let element = stack
                    .pop()
                    .ok_or_else(|| Problem::whole("unbalanced end tag"))?;
                close(element, &mut stack, &mut root)?;
            }
            Event::Text(t) => {
                push_text(&mut stack, &t.xml10_content());
            }
            Event::CData(c) => {
                push_text(&mut stack, &c.into_inner());
            }
            Event::GeneralRef(r) => {
                let name: &str = r.as_ref();
                let reference = format!("&{name};");
                let text = unescape(&reference).map_err(|e| Problem::whole(e.to_string()))?;
                push_text(&mut stack, &text);
            }
            Event::DocType(_) => return Err(Problem::whole("a DOCTYPE is not allowed")),
            Event::Eof => break,
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
        }
    }
    if !stack.is_empty() {
        return Err(Problem::whole("unclosed element"));
    }
    root.ok_or_else(|| Problem::whole("no root element"))
}

fn element_of(start: &quick_xml::events::BytesStart) -> Result<Element, Problem> {
    let qname = start.name();
    let name: &str = qname.as_ref();
    let name = name.to_owned();
    let mut attributes = vec![];
    for attribute in start.attributes() {
        let attribute = attribute.map_err(|e| Problem::whole(e.to_string()))?;
        let key: &str = attribute.key.as_ref();
        let key = key.to_owned();
        let value = unescape(&attribute.value)
            .map_err(|e| Problem::whole(e.to_string()))?
            .into_owned();
        attributes.push((key, value));
    }
    Ok(Element {
        name,
        attributes,
        text: None,
        children: vec![],
    })
}

fn push_text(stack: &mut [Element], text: &str) {
    if let Some(top) = stack.last_mut()
        && (top.children.is_empty() || !text.trim().is_empty())
    {
        top.text.get_or_insert_with(String::new).push_str(text);
    }
}

fn close(
    mut element: Element,
    stack: &mut [Element],
    root: &mut Option<Element>,
) -> Result<(), Problem> {
    if !element.children.is_empty() {
        // Whitespace between child elements is layout, not content.
        element.text = None;
    }
    match stack.last_mut() {
        Some(parent) => {
            if parent.text.as_deref().is_some_and(|t| t.trim().is_empty()) {
                parent.text = None;
            }
            parent.children.push(element);
        }
        None if root.is_none() => *root = Some(element),
        None => return Err(Problem::whole("more than one root element")),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_retrieved_file_reads_and_writes_back_byte_for_byte() {
        let text = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
<Profile xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n\
\x20   <custom>true</custom>\n\
\x20   <description>R&amp;D &lt;sync&gt;</description>\n\
\x20   <loginHours/>\n\
\x20   <userPermissions>\n\
\x20       <enabled>true</enabled>\n\
\x20       <name>ApiEnabled</name>\n\
\x20   </userPermissions>\n\
</Profile>\n";
        let tree = parse(text).unwrap();
        assert_eq!(tree.child_text("description"), Some("R&D <sync>"));
        assert_eq!(tree.to_document(), text);
    }

    #[test]
    fn one_line_leaves_are_laid_out_and_new_children_sorted() {
        let mut tree = parse(
            "<PermissionSetGroup><label>X</label><status>Updated</status></PermissionSetGroup>",
        )
        .unwrap();
        tree.insert_sorted(Element::leaf("permissionSets", "A"));
        assert!(tree.set_child_text("description", "d"));
        assert!(!tree.set_child_text("label", "X"));
        let names: Vec<&str> = tree.children.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["description", "label", "permissionSets", "status"]);
        assert!(parse("<!DOCTYPE x><a/>").is_err());
        assert!(parse("<a><b></a>").is_err());
    }
}
