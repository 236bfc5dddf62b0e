//! `<PermissionSetGroup>`.

use super::doc::Doc;
use super::xml::{Elem, XmlResult};
use crate::model::*;

pub(super) fn parse<'a>(
    doc: &mut Doc<'a, '_>,
    root: &Elem<'a>,
    header: Header,
) -> XmlResult<PermissionSetGroup> {
    let mut group = PermissionSetGroup {
        header,
        label: None,
        permission_sets: vec![],
        muting_permission_sets: vec![],
    };
    while let Some(el) = doc.xml.next_child(root)? {
        match el.name {
            "label" => group.label = Some(doc.string(&el)?.into()),
            "permissionSets" => group.permission_sets.extend(reference(doc, &el)?),
            "mutingPermissionSets" => group.muting_permission_sets.extend(reference(doc, &el)?),
            _ => doc.xml.skip(&el)?,
        }
    }
    Ok(group)
}

/// A component name in a leaf element; an empty element names nothing.
pub(super) fn reference<'a>(doc: &mut Doc<'a, '_>, el: &Elem<'a>) -> XmlResult<Option<Reference>> {
    let text = doc.string(el)?;
    if text.is_empty() {
        return Ok(None);
    }
    Ok(Some(Reference {
        name: doc.intern(&text),
        loc: doc.loc(doc.xml.span_of(el)),
    }))
}
