//! `<PermissionSet>` and `<MutingPermissionSet>` (METADATA.md §3).

use super::doc::Doc;
use super::grants::read_grant;
use super::xml::{Elem, XmlResult};
use crate::model::*;

pub(super) fn parse<'a>(
    doc: &mut Doc<'a, '_>,
    root: &Elem<'a>,
    header: Header,
) -> XmlResult<PermissionSet> {
    let mut set = PermissionSet {
        header,
        label: None,
        license: None,
        has_activation_required: false,
        grants: Grants::default(),
    };
    while let Some(el) = doc.xml.next_child(root)? {
        if read_grant(doc, &el, &mut set.grants)? {
            continue;
        }
        match el.name {
            "label" => set.label = Some(doc.string(&el)?.into()),
            // `userLicense` is the pre-API-38 name of `license`.
            "license" | "userLicense" => set.license = Some(doc.located_symbol(&el)?),
            "hasActivationRequired" => set.has_activation_required = doc.boolean(&el)?,
            _ => doc.xml.skip(&el)?,
        }
    }
    Ok(set)
}

pub(super) fn parse_muting<'a>(
    doc: &mut Doc<'a, '_>,
    root: &Elem<'a>,
    header: Header,
) -> XmlResult<MutingPermissionSet> {
    let mut set = MutingPermissionSet {
        header,
        label: None,
        grants: Grants::default(),
    };
    while let Some(el) = doc.xml.next_child(root)? {
        if read_grant(doc, &el, &mut set.grants)? {
            continue;
        }
        match el.name {
            "label" => set.label = Some(doc.string(&el)?.into()),
            _ => doc.xml.skip(&el)?,
        }
    }
    Ok(set)
}
