//! The permission elements shared by profiles, permission sets and muting
//! permission sets: one parser for all three.

use super::doc::Doc;
use super::xml::{Elem, XmlResult};
use crate::model::*;

/// Reads `el` into `grants` when it is a permission element. Returns
/// `false` (having read nothing) for any other element.
pub(super) fn read_grant<'a>(
    doc: &mut Doc<'a, '_>,
    el: &Elem<'a>,
    grants: &mut Grants,
) -> XmlResult<bool> {
    match el.name {
        "userPermissions" => {
            let r = doc.record(el, ["name", "enabled"])?;
            let (name, key) = r.required(0, "name")?;
            grants.user_permissions.push(UserPermission {
                name: doc.intern(name),
                enabled: r.flag(1)?,
                site: doc.site(r.span, key),
            });
        }
        "objectPermissions" => {
            const FIELDS: [&str; 8] = [
                "object",
                "allowCreate",
                "allowRead",
                "allowEdit",
                "allowDelete",
                "viewAllRecords",
                "modifyAllRecords",
                "viewAllFields",
            ];
            let r = doc.record(el, FIELDS)?;
            let (object, key) = r.required(0, "object")?;
            let mut access = ObjectAccess::empty();
            for (i, field) in FIELDS.iter().enumerate().skip(1) {
                let flag = ObjectAccess::from_element(field).expect("known flag element");
                access.set(flag, r.flag(i)?);
            }
            grants.object_permissions.push(ObjectPermission {
                object: doc.intern(object),
                access,
                site: doc.site(r.span, key),
            });
        }
        "fieldPermissions" => {
            let r = doc.record(el, ["field", "readable", "editable"])?;
            let (field, key) = r.required(0, "field")?;
            grants.field_permissions.push(FieldPermission {
                field: doc.intern(field),
                readable: r.flag(1)?,
                editable: r.flag(2)?,
                site: doc.site(r.span, key),
            });
        }
        name => {
            let Some(&(kind, _, key_field, on_field)) =
                AccessKind::ELEMENTS.iter().find(|(_, e, _, _)| *e == name)
            else {
                return Ok(false);
            };
            let r = doc.record(el, [key_field, on_field])?;
            let (subject, key) = r.required(0, key_field)?;
            let enabled = if kind == AccessKind::Tab {
                // Profiles: DefaultOn / DefaultOff / Hidden;
                // permission sets: Visible / Available / None.
                !matches!(r.get(1).map(|(v, _)| v), None | Some("Hidden" | "None"))
            } else {
                r.flag(1)?
            };
            grants.accesses.push(Access {
                kind,
                name: doc.intern(subject),
                enabled,
                site: doc.site(r.span, key),
            });
        }
    }
    Ok(true)
}
