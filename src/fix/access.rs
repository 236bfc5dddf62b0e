//! Access out of the profile: the `<Name>_Access` permission set (within
//! the contract, no high-risk permission the inventory does not accept,
//! no field permission on a required field), the permission set group that
//! bundles the integration's sets, and the muting set that switches off
//! what those sets grant beyond the contract. Existing permission sets are
//! never edited: other users may hold them.

use std::collections::{BTreeMap, BTreeSet};

use super::profile::{Outcome, user_permission};
use super::xml::Element;
use super::{FixError, Fixing};
use crate::model::permissions::PROFILE_BASELINE_PERMISSIONS;
use crate::model::{AccessKind, Grants, GroupId, ObjectAccess, PermissionSetId};
use crate::report::terminal_safe;

/// Named grants that move from a profile into a permission set (apps,
/// tabs and record types are UI: an API-only user has no use for them).
const MOVABLE: [(AccessKind, &str, &str); 8] = [
    (AccessKind::ApexClass, "classAccesses", "apexClass"),
    (AccessKind::ApexPage, "pageAccesses", "apexPage"),
    (AccessKind::Flow, "flowAccesses", "flow"),
    (AccessKind::CustomPermission, "customPermissions", "name"),
    (
        AccessKind::CustomMetadataType,
        "customMetadataTypeAccesses",
        "name",
    ),
    (AccessKind::CustomSetting, "customSettingAccesses", "name"),
    (
        AccessKind::ExternalDataSource,
        "externalDataSourceAccesses",
        "externalDataSource",
    ),
    (
        AccessKind::ExternalCredentialPrincipal,
        "externalCredentialPrincipalAccesses",
        "externalCredentialPrincipal",
    ),
];

/// Licences a permission set of a Salesforce Integration user may carry
/// (LIC002).
const INTEGRATION_SET_LICENCES: [&str; 3] = [
    "SalesforceAPIIntegrationPsl",
    "Salesforce API Integration",
    "Salesforce Integration",
];

/// Grants by name: what a permission set should hold, or what a muting set
/// should switch off.
#[derive(Debug, Default, PartialEq, Eq)]
struct Wanted {
    system: BTreeSet<String>,
    objects: BTreeMap<String, ObjectAccess>,
    fields: BTreeMap<String, (bool, bool)>,
    /// (element, name child, name).
    other: BTreeSet<(&'static str, &'static str, String)>,
}

impl Wanted {
    fn is_empty(&self) -> bool {
        self.system.is_empty()
            && self.objects.is_empty()
            && self.fields.is_empty()
            && self.other.is_empty()
    }

    fn add_object(&mut self, object: &str, flags: ObjectAccess) {
        if !flags.is_empty() {
            self.objects
                .entry(object.to_owned())
                .or_default()
                .insert(flags);
        }
    }

    fn add_field(&mut self, field: &str, readable: bool, editable: bool) {
        if readable || editable {
            let entry = self.fields.entry(field.to_owned()).or_default();
            entry.0 |= readable;
            entry.1 |= editable;
        }
    }

    /// The elements, each `true` where wanted.
    fn elements(&self) -> Vec<Element> {
        let mut out = vec![];
        for (field, (readable, editable)) in &self.fields {
            out.push(field_permission(field, *readable, *editable));
        }
        for (object, flags) in &self.objects {
            out.push(object_permission(object, *flags));
        }
        for name in &self.system {
            out.push(user_permission(name, true));
        }
        for (element, key, name) in &self.other {
            out.push(
                Element::parent(
                    element,
                    vec![
                        Element::leaf("enabled", "true"),
                        Element::leaf(key, name.clone()),
                    ],
                )
                .sorted(),
            );
        }
        out
    }

    fn describe(&self) -> String {
        let mut parts = vec![];
        let count = |n: usize, one: &str| format!("{n} {one}{}", if n == 1 { "" } else { "s" });
        if !self.objects.is_empty() {
            parts.push(count(self.objects.len(), "object"));
        }
        if !self.fields.is_empty() {
            parts.push(count(self.fields.len(), "field"));
        }
        if !self.system.is_empty() {
            let names: Vec<&str> = self.system.iter().map(String::as_str).collect();
            parts.push(format!(
                "{} ({})",
                count(self.system.len(), "system permission"),
                terminal_safe(&names.join(", "))
            ));
        }
        if !self.other.is_empty() {
            parts.push(count(self.other.len(), "other grant"));
        }
        parts.join(", ")
    }
}

fn flag_leaf(name: &str, on: bool) -> Element {
    Element::leaf(name, if on { "true" } else { "false" })
}

fn field_permission(field: &str, readable: bool, editable: bool) -> Element {
    Element::parent(
        "fieldPermissions",
        vec![
            flag_leaf("editable", editable),
            Element::leaf("field", field),
            flag_leaf("readable", readable),
        ],
    )
}

fn object_permission(object: &str, flags: ObjectAccess) -> Element {
    let mut children = vec![
        flag_leaf("allowCreate", flags.contains(ObjectAccess::CREATE)),
        flag_leaf("allowDelete", flags.contains(ObjectAccess::DELETE)),
        flag_leaf("allowEdit", flags.contains(ObjectAccess::EDIT)),
        flag_leaf("allowRead", flags.contains(ObjectAccess::READ)),
        flag_leaf("modifyAllRecords", flags.contains(ObjectAccess::MODIFY_ALL)),
        Element::leaf("object", object),
    ];
    // `viewAllFields` exists from API 63 only: written when it is granted.
    if flags.contains(ObjectAccess::VIEW_ALL_FIELDS) {
        children.push(flag_leaf("viewAllFields", true));
    }
    children.push(flag_leaf(
        "viewAllRecords",
        flags.contains(ObjectAccess::VIEW_ALL),
    ));
    Element::parent("objectPermissions", children)
}

/// Adds `wanted` to a permission set or muting set tree: a grant already
/// there gets its flags set, a new one goes in at its sorted place.
/// Returns whether anything changed.
fn add_to(tree: &mut Element, wanted: &Wanted) -> bool {
    let mut changed = false;
    for element in wanted.elements() {
        let key = element.sort_key();
        let key = (key.0.to_owned(), key.1.to_owned());
        match tree
            .children
            .iter_mut()
            .find(|c| c.sort_key() == (key.0.as_str(), key.1.as_str()))
        {
            Some(existing) => {
                for flag in &element.children {
                    if flag.text.as_deref() == Some("true")
                        && existing.child_text(&flag.name) != Some("true")
                    {
                        existing.set_child_text(&flag.name, "true");
                        changed = true;
                    }
                }
            }
            None => {
                tree.insert_sorted(element);
                changed = true;
            }
        }
    }
    changed
}

/// A new permission set or muting set holding `wanted`.
fn new_set(
    root: &str,
    label: &str,
    description: &str,
    wanted: &Wanted,
    is_muting: bool,
) -> Element {
    let mut tree = Element::root(root);
    tree.children
        .push(Element::leaf("description", description));
    if !is_muting {
        tree.children
            .push(Element::leaf("hasActivationRequired", "false"));
    }
    tree.children.push(Element::leaf("label", label));
    add_to(&mut tree, wanted);
    tree
}

impl Fixing<'_, '_> {
    /// Adds to `into` what `grants` hold that the integration may keep;
    /// notes what is dropped.
    fn take(&mut self, grants: &Grants, from_profile: bool, into: &mut Wanted) {
        let org = self.inputs.org;
        let mut dropped_permissions = BTreeSet::new();
        for permission in grants.enabled_user_permissions() {
            let name = org.name(permission.name);
            if from_profile && PROFILE_BASELINE_PERMISSIONS.contains(&name) {
                continue;
            }
            if name == "ApiUserOnly" {
                continue;
            }
            if self.contract.permission(name) {
                into.system.insert(name.to_owned());
            } else {
                dropped_permissions.insert(name.to_owned());
            }
        }
        let mut all_access_stripped = false;
        for object in &grants.object_permissions {
            let name = org.name(object.object);
            let kept = self.contract.object(name, object.access);
            if object
                .access
                .difference(kept)
                .intersection(ObjectAccess::VIEW_ALL.union(ObjectAccess::MODIFY_ALL))
                != ObjectAccess::empty()
            {
                all_access_stripped = true;
            }
            into.add_object(name, kept);
        }
        for field in &grants.field_permissions {
            let name = org.name(field.field);
            let (readable, editable) = self.contract.field(name, field.readable, field.editable);
            if !(readable || editable) {
                continue;
            }
            if self.required.contains(name) {
                self.pitfalls.insert(format!(
                    "no field permission on the required field {} (\"You cannot deploy to a required field\"); a field may also be required only in the target org",
                    terminal_safe(name)
                ));
                continue;
            }
            into.add_field(name, readable, editable);
        }
        for access in grants.accesses.iter().filter(|a| a.enabled) {
            if let Some((_, element, key)) = MOVABLE.iter().find(|(k, _, _)| *k == access.kind) {
                into.other
                    .insert((element, key, org.name(access.name).to_owned()));
            }
        }
        if !dropped_permissions.is_empty() {
            let names: Vec<&str> = dropped_permissions.iter().map(String::as_str).collect();
            self.out.actions.push(format!(
                "high-risk permission{} not carried over (not in allow-permissions): {}",
                if names.len() == 1 { "" } else { "s" },
                terminal_safe(&names.join(", "))
            ));
        }
        if all_access_stripped {
            self.pitfalls.insert(
                "object access judged with Modify All Data / View All Data stripped: their implied View All / Modify All Records are not copied".to_owned(),
            );
        }
    }

    /// What `grants` give beyond the contract.
    fn excess(&self, grants: &Grants) -> Wanted {
        let org = self.inputs.org;
        let mut out = Wanted::default();
        for permission in grants.enabled_user_permissions() {
            let name = org.name(permission.name);
            if !self.contract.permission(name) {
                out.system.insert(name.to_owned());
            }
        }
        for object in &grants.object_permissions {
            let name = org.name(object.object);
            let beyond = object
                .access
                .difference(self.contract.object(name, object.access));
            out.add_object(name, beyond);
        }
        for field in &grants.field_permissions {
            let name = org.name(field.field);
            let (r, e) = self.contract.field(name, field.readable, field.editable);
            let (mute_read, mute_edit) = (field.readable && !r, field.editable && !e);
            // Read switched off takes edit with it.
            out.add_field(name, mute_read, mute_edit || (mute_read && field.editable));
        }
        out
    }

    pub(super) fn fix_access(&mut self, profile: &Outcome) -> Result<(), FixError> {
        let org = self.inputs.org;
        let integration = self.integration;
        let access_name = self.names.access_set();

        // What moves into the `_Access` set: the profile's grants, and the
        // direct sets a Salesforce Integration user cannot hold (LIC002).
        let mut wanted = Wanted::default();
        if let Some(p) = profile.source {
            self.take(&org.profiles[p].grants, true, &mut wanted);
        }
        let existing_access = org.permission_sets_named(&access_name);
        let mut direct: Vec<PermissionSetId> = vec![];
        for &s in &integration.permission_sets {
            let name = org.name(org.permission_sets[s].header.name);
            if existing_access.contains(&s)
                || direct
                    .iter()
                    .any(|&d| org.name(org.permission_sets[d].header.name) == name)
            {
                continue;
            }
            direct.push(s);
        }
        let mut folded = vec![];
        if profile.integration_licence {
            for &s in &direct {
                let set = &org.permission_sets[s];
                let Some(licence) = &set.license else {
                    continue;
                };
                let licence = org.name(licence.value);
                if !INTEGRATION_SET_LICENCES.contains(&licence) {
                    let grants = set.grants.clone();
                    self.take(&grants, false, &mut wanted);
                    let name = org.name(set.header.name).to_owned();
                    self.out.actions.push(format!(
                        "permission set `{}` carries the licence `{}`, which a Salesforce Integration user cannot hold: its grants (within the contract) move into `{access_name}` and it is no longer assigned",
                        terminal_safe(&name),
                        terminal_safe(licence)
                    ));
                    self.out.next_steps.push(format!(
                        "remove the assignment of `{}` from {} (Setup > Users > Permission Set Assignments) once `{access_name}` is assigned",
                        terminal_safe(&name),
                        self.user()
                    ));
                    folded.push(s);
                }
            }
        }
        direct.retain(|s| !folded.contains(s));
        if profile.integration_licence {
            for &g in &integration.groups {
                for member in &org.groups[g].permission_sets {
                    for s in org.permission_sets_named(org.name(member.name)) {
                        let licence = org.permission_sets[s]
                            .license
                            .as_ref()
                            .map(|l| org.name(l.value));
                        if licence.is_some_and(|l| !INTEGRATION_SET_LICENCES.contains(&l)) {
                            self.out.remaining.push(format!(
                                "LIC002: `{}` in the group `{}` carries the licence `{}`; fix never edits a permission set other users may hold: take it out of the group, or clone it without a licence",
                                terminal_safe(org.name(member.name)),
                                terminal_safe(org.name(org.groups[g].header.name)),
                                terminal_safe(licence.unwrap_or_default())
                            ));
                        }
                    }
                }
            }
        }

        let access_exists = !existing_access.is_empty() || !wanted.is_empty();
        if let Some(&s) = existing_access.first() {
            let path = org
                .sources
                .get(org.permission_sets[s].header.file)
                .path
                .clone();
            let mut tree = self.files.tree(&path)?;
            if add_to(&mut tree, &wanted) {
                self.files.put(&path, tree.to_document())?;
                self.out.actions.push(format!(
                    "permission set `{access_name}` gets {}",
                    wanted.describe()
                ));
            }
        } else if !wanted.is_empty() {
            let tree = new_set(
                "PermissionSet",
                &format!("{} Access", self.names.label),
                &format!(
                    "What the {} integration may do, moved out of its profile by minpriv fix.",
                    integration.name
                ),
                &wanted,
                false,
            );
            let path = self
                .layout
                .path("permissionsets", &access_name, "permissionset");
            self.files.put(&path, tree.to_document())?;
            self.out.actions.push(format!(
                "new permission set `{access_name}` (no licence) with {}",
                wanted.describe()
            ));
            self.pitfalls.insert(
                "the new permission set has no `license` element: a Salesforce Integration user can hold it".to_owned(),
            );
        }

        // The sets assigned directly, and whether any needs muting.
        let mut members: Vec<String> = direct
            .iter()
            .map(|&s| org.name(org.permission_sets[s].header.name).to_owned())
            .collect();
        let mut needs_muting = direct
            .iter()
            .any(|&s| !self.excess(&org.permission_sets[s].grants).is_empty());
        let access_in_group = integration.groups.iter().any(|&g| {
            org.groups[g]
                .permission_sets
                .iter()
                .any(|r| org.name(r.name) == access_name)
        });
        if access_exists && !access_in_group {
            members.push(access_name.clone());
            if let Some(&s) = existing_access.first() {
                needs_muting |= !self.excess(&org.permission_sets[s].grants).is_empty();
            }
        }
        let toml_sets: Vec<String> = self
            .decl
            .permission_sets
            .iter()
            .map(|s| s.get_ref().clone())
            .collect();
        let folded_names: Vec<String> = folded
            .iter()
            .map(|&s| org.name(org.permission_sets[s].header.name).to_owned())
            .collect();
        let d = self.index_declared();

        let group_users = |g: GroupId| {
            self.inputs
                .integrations
                .list
                .iter()
                .filter(|i| i.groups.contains(&g))
                .count()
        };
        let own_groups: Vec<GroupId> = integration
            .groups
            .iter()
            .copied()
            .filter(|&g| group_users(g) <= 1)
            .collect();
        let target = org
            .groups_named(&self.names.api)
            .first()
            .copied()
            .filter(|&g| group_users(g) == 0 || own_groups.contains(&g))
            .or_else(|| (own_groups.len() == 1).then(|| own_groups[0]));

        let bundle = members.len() >= 2 || needs_muting;
        let mut groups_to_mute: Vec<(String, std::path::PathBuf, Vec<String>)> = vec![];
        if bundle {
            let (group_name, path, mut tree, known) = match target {
                Some(g) => {
                    let group = &org.groups[g];
                    let path = org.sources.get(group.header.file).path.clone();
                    let tree = self.files.tree(&path)?;
                    (org.name(group.header.name).to_owned(), path, tree, true)
                }
                None => {
                    let mut tree = Element::root("PermissionSetGroup");
                    tree.children.push(Element::leaf(
                        "description",
                        format!(
                            "The permission sets of the {} integration, bundled by minpriv fix.",
                            integration.name
                        ),
                    ));
                    tree.children
                        .push(Element::leaf("hasActivationRequired", "false"));
                    tree.children
                        .push(Element::leaf("label", self.names.label.clone()));
                    tree.children.push(Element::leaf("status", "Updated"));
                    let path = self.layout.path(
                        "permissionsetgroups",
                        &self.names.api,
                        "permissionsetgroup",
                    );
                    (self.names.api.clone(), path, tree, false)
                }
            };
            let mut added = vec![];
            for member in &members {
                let listed = tree
                    .children
                    .iter()
                    .any(|c| c.name == "permissionSets" && c.text.as_deref() == Some(member));
                if !listed {
                    tree.insert_sorted(Element::leaf("permissionSets", member.clone()));
                    added.push(member.clone());
                }
            }
            if !known {
                let user = self.user();
                let mut step = format!(
                    "assign the group `{}` to {user}: `sf data create record --sobject PermissionSetAssignment --values \"AssigneeId=<Id of {user}> PermissionSetGroupId=<Id>\"`, the Id from `sf data query --query \"SELECT Id FROM PermissionSetGroup WHERE DeveloperName = '{}'\"`",
                    terminal_safe(&group_name),
                    terminal_safe(&group_name)
                );
                let direct_before: Vec<&String> =
                    members.iter().filter(|m| **m != access_name).collect();
                if !direct_before.is_empty() {
                    let names: Vec<&str> = direct_before.iter().map(|s| s.as_str()).collect();
                    step.push_str(&format!(
                        "; then remove the direct assignments of {}",
                        terminal_safe(&names.join(", "))
                    ));
                }
                self.out.next_steps.push(step);
            }
            if !added.is_empty() || !known {
                self.files.put(&path, tree.to_document())?;
                self.out.actions.push(format!(
                    "{} permission set group `{}` bundles {}",
                    if known { "the" } else { "new" },
                    terminal_safe(&group_name),
                    terminal_safe(&added.join(", "))
                ));
            }
            let mut removed: Vec<String> = toml_sets
                .iter()
                .filter(|s| members.contains(s) || folded_names.contains(s))
                .cloned()
                .collect();
            removed.sort();
            self.toml.remove_permission_sets(d, &removed)?;
            self.toml.add_group(d, &group_name)?;
            let mut all_members = group_members(&tree);
            all_members.sort();
            groups_to_mute.push((group_name, path, all_members));
        } else {
            // One set, nothing to mute: it stays assigned directly.
            let removed: Vec<String> = toml_sets
                .iter()
                .filter(|s| folded_names.contains(s))
                .cloned()
                .collect();
            self.toml.remove_permission_sets(d, &removed)?;
            if access_exists && !access_in_group && !toml_sets.contains(&access_name) {
                self.toml.add_permission_set(d, &access_name)?;
                self.out.next_steps.push(format!(
                    "assign `{access_name}`: `sf org assign permset --name {access_name} --on-behalf-of {}`",
                    self.user()
                ));
            }
        }
        for &g in &integration.groups {
            let group = &org.groups[g];
            let name = org.name(group.header.name).to_owned();
            if groups_to_mute.iter().any(|(n, _, _)| *n == name) {
                continue;
            }
            let members: Vec<String> = group
                .permission_sets
                .iter()
                .map(|r| org.name(r.name).to_owned())
                .collect();
            if own_groups.contains(&g) {
                let path = org.sources.get(group.header.file).path.clone();
                groups_to_mute.push((name, path, members));
            } else if members.iter().any(|m| {
                org.permission_sets_named(m)
                    .iter()
                    .any(|&s| !self.excess(&org.permission_sets[s].grants).is_empty())
            }) {
                self.out.remaining.push(format!(
                    "ADM002/ADM003/ADM004: the group `{}` is shared with another integration: what it grants beyond this contract cannot be muted for this integration alone",
                    terminal_safe(&name)
                ));
            }
        }
        for (group, path, members) in groups_to_mute {
            self.mute(&group, &path, &members)?;
        }
        Ok(())
    }

    /// Switches off in `group` what its members grant beyond the contract,
    /// in its muting set (created when it has none).
    fn mute(
        &mut self,
        group: &str,
        group_path: &std::path::Path,
        members: &[String],
    ) -> Result<(), FixError> {
        let org = self.inputs.org;
        let mut excess = Wanted::default();
        for member in members {
            for s in org.permission_sets_named(member) {
                let found = self.excess(&org.permission_sets[s].grants);
                merge_into(&mut excess, found);
            }
        }
        let group_tree = self.files.tree(group_path)?;
        let muting: Vec<String> = group_tree
            .children
            .iter()
            .filter(|c| c.name == "mutingPermissionSets")
            .filter_map(|c| c.text.clone())
            .collect();
        // What the muting sets already switch off.
        for name in &muting {
            for m in org.muting_sets_named(name) {
                let grants = &org.muting_sets[m].grants;
                for p in grants.user_permissions.iter().filter(|p| p.enabled) {
                    excess.system.remove(org.name(p.name));
                }
                for o in &grants.object_permissions {
                    if let Some(flags) = excess.objects.get_mut(org.name(o.object)) {
                        *flags = flags.difference(o.access);
                    }
                }
                for f in &grants.field_permissions {
                    if let Some((r, e)) = excess.fields.get_mut(org.name(f.field)) {
                        *r &= !f.readable;
                        *e &= !f.editable;
                    }
                }
            }
        }
        excess.objects.retain(|_, f| !f.is_empty());
        excess.fields.retain(|_, (r, e)| *r || *e);
        if excess.is_empty() {
            return Ok(());
        }
        let described = excess.describe();
        let existing = muting
            .iter()
            .find_map(|name| org.muting_sets_named(name).first().copied());
        match existing {
            Some(m) => {
                let set = &org.muting_sets[m];
                let path = org.sources.get(set.header.file).path.clone();
                let mut tree = self.files.tree(&path)?;
                if add_to(&mut tree, &excess) {
                    self.files.put(&path, tree.to_document())?;
                }
                self.out.actions.push(format!(
                    "muting permission set `{}` of `{}` switches off {described}",
                    terminal_safe(org.name(set.header.name)),
                    terminal_safe(group)
                ));
            }
            None => {
                let name = format!("{group}_Mute");
                let label = format!("{} Mute", group.replace('_', " "));
                let tree = new_set(
                    "MutingPermissionSet",
                    &label,
                    &format!(
                        "What the permission sets of {group} grant beyond the contract of the {} integration, switched off by minpriv fix.",
                        self.integration.name
                    ),
                    &excess,
                    true,
                );
                let path = self
                    .layout
                    .path("mutingpermissionsets", &name, "mutingpermissionset");
                self.files.put(&path, tree.to_document())?;
                let mut group_tree = self.files.tree(group_path)?;
                group_tree.insert_sorted(Element::leaf("mutingPermissionSets", name.clone()));
                self.files.put(group_path, group_tree.to_document())?;
                self.out.actions.push(format!(
                    "new muting permission set `{}` in `{}` switches off {described}",
                    terminal_safe(&name),
                    terminal_safe(group)
                ));
            }
        }
        self.pitfalls.insert(
            "permission sets that grant more than the contract are muted in the integration's group, not edited: other users may hold them".to_owned(),
        );
        Ok(())
    }
}

fn group_members(tree: &Element) -> Vec<String> {
    tree.children
        .iter()
        .filter(|c| c.name == "permissionSets")
        .filter_map(|c| c.text.clone())
        .collect()
}

fn merge_into(into: &mut Wanted, more: Wanted) {
    into.system.extend(more.system);
    for (object, flags) in more.objects {
        into.add_object(&object, flags);
    }
    for (field, (r, e)) in more.fields {
        into.add_field(&field, r, e);
    }
    into.other.extend(more.other);
}
