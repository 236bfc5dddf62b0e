//! `<PermissionSet>` and `<MutingPermissionSet>`.

use std::collections::HashMap;
use std::path::Path;

use super::doc::Doc;
use super::grants::read_grant;
use super::xml::{Elem, XmlResult};
use super::{FileKind, decomposed_folder};
use crate::model::*;
use crate::source::{FileError, FileId, Sources, Span};

/// The root of a `decomposePermissionSetBeta` child file and the list
/// element it stands for.
const PART_ROOTS: [(&str, &str); 15] = [
    ("ObjectPermission", "objectPermissions"),
    ("FieldPermission", "fieldPermissions"),
    ("UserPermission", "userPermissions"),
    ("ClassAccess", "classAccesses"),
    ("TabSetting", "tabSettings"),
    ("ApplicationVisibility", "applicationVisibilities"),
    ("CustomPermission", "customPermissions"),
    ("CustomMetadataTypeAccess", "customMetadataTypeAccesses"),
    ("CustomSettingAccess", "customSettingAccesses"),
    (
        "ExternalCredentialPrincipalAccess",
        "externalCredentialPrincipalAccesses",
    ),
    ("ExternalDataSourceAccess", "externalDataSourceAccesses"),
    ("FlowAccess", "flowAccesses"),
    ("PageAccess", "pageAccesses"),
    ("RecordTypeVisibility", "recordTypeVisibilities"),
    ("AgentAccess", "agentAccesses"),
];

pub(super) fn is_part_root(kind: FileKind, root: &str) -> bool {
    kind == FileKind::PermissionSetPart && PART_ROOTS.iter().any(|(r, _)| *r == root)
}

/// One file of a decomposed permission set: a `<PermissionSet>` holding
/// list elements (Beta2), or a single entry whose root is its type (Beta).
pub(super) fn parse_part<'a>(doc: &mut Doc<'a, '_>, root: &Elem<'a>) -> XmlResult<Grants> {
    let mut grants = Grants::default();
    match PART_ROOTS.iter().find(|(r, _)| *r == root.name) {
        Some((_, list)) => {
            read_grant(
                doc,
                &Elem {
                    name: list,
                    ..*root
                },
                &mut grants,
            )?;
        }
        None => {
            while let Some(el) = doc.xml.next_child(root)? {
                if !read_grant(doc, &el, &mut grants)? {
                    doc.xml.skip(&el)?;
                }
            }
        }
    }
    Ok(grants)
}

/// Merges decomposed files into the permission set whose folder holds
/// them (`permissionsets/<PS>/<PS>.permissionset-meta.xml`). Files with no
/// such permission set are errors: the set cannot be checked whole.
pub(super) fn merge_parts(
    sources: &Sources,
    sets: &mut [PermissionSet],
    parts: Vec<(FileId, Span, Grants)>,
) -> Vec<FileError> {
    let folder_of =
        |file: FileId| decomposed_folder(&sources.get(file).path).map(Path::to_path_buf);
    let by_folder: HashMap<_, usize> = sets
        .iter()
        .enumerate()
        .filter_map(|(i, s)| {
            let path = &sources.get(s.header.file).path;
            Some((path.parent()?.to_path_buf(), i))
        })
        .collect();
    let mut errors = vec![];
    let mut reported = std::collections::HashSet::new();
    for (file, root, part) in parts {
        let target = folder_of(file).and_then(|f| by_folder.get(&f).copied());
        match target {
            Some(i) => {
                let grants = &mut sets[i].grants;
                grants.user_permissions.extend(part.user_permissions);
                grants.object_permissions.extend(part.object_permissions);
                grants.field_permissions.extend(part.field_permissions);
                grants.accesses.extend(part.accesses);
            }
            None => {
                if reported.insert(folder_of(file)) {
                    errors.push(
                        FileError::at(file, root, "part of a decomposed permission set whose <PS>.permissionset-meta.xml is missing")
                            .with_help("retrieve the permission set again: its folder must hold the parent file named after it"),
                    );
                }
            }
        }
    }
    errors
}

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
    set.grants.shrink_to_fit();
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
    set.grants.shrink_to_fit();
    Ok(set)
}
