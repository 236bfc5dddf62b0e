//! Effective access with provenance: what an integration user can
//! do, and which element of which file grants each piece of it.
//!
//! Effective access = the profile + the permission sets assigned directly +
//! every permission set of every assigned group, minus what each group's
//! muting permission set mutes for that group. A grant reached along
//! several paths is one [`Grant`] (one element) with every path recorded,
//! so rules report it once.
//!
//! Field permissions count only on objects the user can read:
//! Salesforce ignores field access without object read, so a field
//! permission on an object no holder grants access to is left out of the
//! effective access, and no rule sees it. See [`object_readable`] for the
//! objects whose access no object permission controls.

use std::collections::BTreeMap;

use crate::model::{
    AccessKind, Grants, GroupId, ObjectAccess, Org, PermissionSetId, ProfileId, Site,
};

/// Who holds a grant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Holder {
    Profile(ProfileId),
    PermissionSet(PermissionSetId),
}

/// One granting element and how it reaches the user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Grant {
    pub holder: Holder,
    pub site: Site,
    /// The permission set is assigned directly (or it is the profile).
    pub direct: bool,
    /// Groups it comes through, sorted.
    pub groups: Vec<GroupId>,
}

impl Grant {
    fn add_path(&mut self, group: Option<GroupId>) {
        match group {
            None => self.direct = true,
            Some(g) => {
                if let Err(at) = self.groups.binary_search(&g) {
                    self.groups.insert(at, g);
                }
            }
        }
    }
}

/// What reaches the user for one object.
#[derive(Clone, Debug, Default)]
pub struct ObjectGrants {
    /// The union of what the grants give.
    pub access: ObjectAccess,
    /// Each granting element with the flags it gives (after muting).
    pub grants: Vec<(ObjectAccess, Grant)>,
}

impl ObjectGrants {
    /// The grants that give `flag`.
    pub fn granting(&self, flag: ObjectAccess) -> impl Iterator<Item = &Grant> {
        self.grants
            .iter()
            .filter(move |(a, _)| a.contains(flag))
            .map(|(_, g)| g)
    }
}

/// What reaches the user for one field.
#[derive(Clone, Debug, Default)]
pub struct FieldGrants {
    pub readable: bool,
    pub editable: bool,
    /// Each granting element with (readable, editable) after muting.
    pub grants: Vec<(bool, bool, Grant)>,
}

/// An integration's effective access. Keys are names, so iteration is in
/// name order and the same whatever order files were read in.
#[derive(Clone, Debug, Default)]
pub struct EffectiveAccess<'a> {
    pub system: BTreeMap<&'a str, Vec<Grant>>,
    pub objects: BTreeMap<&'a str, ObjectGrants>,
    pub fields: BTreeMap<&'a str, FieldGrants>,
    pub other: BTreeMap<(AccessKind, &'a str), Vec<Grant>>,
}

/// What is assigned to an integration user.
#[derive(Clone, Debug, Default)]
pub struct Assignment {
    pub profiles: Vec<ProfileId>,
    pub permission_sets: Vec<PermissionSetId>,
    pub groups: Vec<GroupId>,
}

/// Everything a muting permission set switches off, by name.
#[derive(Default)]
struct Muted<'a> {
    system: Vec<&'a str>,
    objects: BTreeMap<&'a str, ObjectAccess>,
    fields: BTreeMap<&'a str, (bool, bool)>,
    other: Vec<(AccessKind, &'a str)>,
}

impl<'a> Muted<'a> {
    fn from(org: &'a Org, grants: &Grants, into: &mut Muted<'a>) {
        for p in grants.user_permissions.iter().filter(|p| p.enabled) {
            into.system.push(org.name(p.name));
        }
        for o in &grants.object_permissions {
            into.objects
                .entry(org.name(o.object))
                .or_default()
                .insert(o.access);
        }
        for f in &grants.field_permissions {
            let e = into.fields.entry(org.name(f.field)).or_default();
            e.0 |= f.readable;
            e.1 |= f.editable;
        }
        for a in grants.accesses.iter().filter(|a| a.enabled) {
            into.other.push((a.kind, org.name(a.name)));
        }
    }
}

impl<'a> EffectiveAccess<'a> {
    pub fn compute(org: &'a Org, assignment: &Assignment) -> Self {
        let mut access = EffectiveAccess::default();
        let none = Muted::default();
        for &p in &assignment.profiles {
            access.add(
                org,
                &org.profiles[p].grants,
                Holder::Profile(p),
                None,
                &none,
            );
        }
        for &s in &assignment.permission_sets {
            access.add(
                org,
                &org.permission_sets[s].grants,
                Holder::PermissionSet(s),
                None,
                &none,
            );
        }
        for &g in &assignment.groups {
            let group = &org.groups[g];
            let mut muted = Muted::default();
            for m in &group.muting_permission_sets {
                for i in org.muting_sets_named(org.name(m.name)) {
                    Muted::from(org, &org.muting_sets[i].grants, &mut muted);
                }
            }
            for member in &group.permission_sets {
                for s in org.permission_sets_named(org.name(member.name)) {
                    access.add(
                        org,
                        &org.permission_sets[s].grants,
                        Holder::PermissionSet(s),
                        Some(g),
                        &muted,
                    );
                }
            }
        }
        // Salesforce ignores field access without object read.
        let objects = &access.objects;
        access.fields.retain(|field, _| {
            let object = field.split_once('.').map_or(*field, |(object, _)| object);
            object_readable(object, |o| objects.contains_key(o))
        });
        access
    }

    fn add(
        &mut self,
        org: &'a Org,
        grants: &Grants,
        holder: Holder,
        group: Option<GroupId>,
        muted: &Muted,
    ) {
        let grant = |site: Site| Grant {
            holder,
            site,
            direct: group.is_none(),
            groups: group.into_iter().collect(),
        };
        for p in grants.user_permissions.iter().filter(|p| p.enabled) {
            let name = org.name(p.name);
            if muted.system.contains(&name) {
                continue;
            }
            merge(self.system.entry(name).or_default(), grant(p.site), group);
        }
        for o in &grants.object_permissions {
            let name = org.name(o.object);
            let mut flags = o.access;
            if let Some(m) = muted.objects.get(name) {
                for (flag, _, _) in ObjectAccess::FLAGS {
                    if m.contains(flag) {
                        flags.set(flag, false);
                    }
                }
            }
            if flags.is_empty() {
                continue;
            }
            let entry = self.objects.entry(name).or_default();
            entry.access.insert(flags);
            match entry.grants.iter_mut().find(|(_, g)| g.site == o.site) {
                Some((a, g)) => {
                    a.insert(flags);
                    g.add_path(group);
                }
                None => entry.grants.push((flags, grant(o.site))),
            }
        }
        for f in &grants.field_permissions {
            let name = org.name(f.field);
            let (mute_read, mute_edit) = muted.fields.get(name).copied().unwrap_or_default();
            let readable = f.readable && !mute_read;
            let editable = f.editable && !mute_edit;
            if !readable && !editable {
                continue;
            }
            let entry = self.fields.entry(name).or_default();
            entry.readable |= readable;
            entry.editable |= editable;
            match entry.grants.iter_mut().find(|(_, _, g)| g.site == f.site) {
                Some((r, e, g)) => {
                    *r |= readable;
                    *e |= editable;
                    g.add_path(group);
                }
                None => entry.grants.push((readable, editable, grant(f.site))),
            }
        }
        for a in grants.accesses.iter().filter(|a| a.enabled) {
            let key = (a.kind, org.name(a.name));
            if muted.other.contains(&key) {
                continue;
            }
            merge(self.other.entry(key).or_default(), grant(a.site), group);
        }
    }
}

/// Standard objects that have no object permissions of their own: access
/// to their records follows the parent's (`OpportunityLineItem` follows
/// `Opportunity`).
const CHILD_OBJECTS: [(&str, &str); 7] = [
    ("OpportunityLineItem", "Opportunity"),
    ("OpportunityContactRole", "Opportunity"),
    ("OrderItem", "Order"),
    ("QuoteLineItem", "Quote"),
    ("WorkOrderLineItem", "WorkOrder"),
    ("CampaignMember", "Campaign"),
    ("AccountContactRelation", "Account"),
];

/// Whether the fields of `object` can be read, given which objects the
/// user can read (`granted`: any object permission implies read, which
/// every other one needs). Activities (`Task`, `Event`), users and custom
/// metadata types have no object permissions: their fields always count.
/// A standard child object's fields count when its parent is readable.
pub fn object_readable(object: &str, granted: impl Fn(&str) -> bool) -> bool {
    if matches!(object, "Task" | "Event" | "User") || object.ends_with("__mdt") {
        return true;
    }
    match CHILD_OBJECTS.iter().find(|(child, _)| *child == object) {
        Some((_, parent)) => granted(parent) || granted(object),
        None => granted(object),
    }
}

/// Adds `grant` to `list`, or records the new path on the same element.
fn merge(list: &mut Vec<Grant>, grant: Grant, group: Option<GroupId>) {
    match list.iter_mut().find(|g| g.site == grant.site) {
        Some(existing) => existing.add_path(group),
        None => list.push(grant),
    }
}
