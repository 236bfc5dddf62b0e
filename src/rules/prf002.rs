//! PRF002 field-permissions-in-profile — see `rules/PRF002.md`.

use std::collections::BTreeMap;

use super::{Grouped, Item, RuleDef, integration_profiles, name_list, rule};
use crate::access::object_readable;
use crate::engine::{Context, Findings};
use crate::model::{FieldPermission, IntegrationId};

pub(super) const RULE: RuleDef = rule!("PRF002", check);

/// Field names listed in a message about one object.
const SHOWN: usize = 5;

fn check(cx: &Context, out: &mut Findings) {
    let org = cx.org;
    // One finding per profile; an element per object (a profile can hold
    // thousands of fields).
    let mut found = Grouped::default();
    for subject in integration_profiles(cx) {
        let profile = subject.profile;
        // Field access counts only on objects the profile or an
        // integration on it can read: the others grant nothing (see the
        // catalogue entry).
        let access: Vec<IntegrationId> = subject
            .integrations
            .iter()
            .filter_map(|n| cx.integrations.list.position(|i| &i.name == n))
            .collect();
        let own: std::collections::HashSet<&str> = profile
            .grants
            .object_permissions
            .iter()
            .filter(|o| !o.access.is_empty())
            .map(|o| org.name(o.object))
            .collect();
        let readable = |object: &str| {
            object_readable(object, |o| {
                own.contains(o) || access.iter().any(|&i| cx.access[i].objects.contains_key(o))
            })
        };
        let mut by_object: BTreeMap<&str, Vec<&FieldPermission>> = BTreeMap::new();
        for field in profile
            .grants
            .field_permissions
            .iter()
            .filter(|f| f.readable || f.editable)
        {
            let full = org.name(field.field);
            let object = full.split('.').next().unwrap_or(full);
            by_object.entry(object).or_default().push(field);
        }
        for (object, fields) in by_object {
            if !readable(object) {
                continue;
            }
            let first = fields
                .iter()
                .min_by_key(|f| f.site.span)
                .expect("non-empty");
            let mut names: Vec<&str> = fields
                .iter()
                .map(|f| {
                    org.name(f.field)
                        .split_once('.')
                        .map_or(org.name(f.field), |(_, f)| f)
                })
                .collect();
            names.sort_unstable();
            names.dedup();
            let count = names.len();
            let fields_word = if count == 1 { "field" } else { "fields" };
            // Objects with editable fields first, then by name.
            let rank = if fields.iter().any(|f| f.editable) {
                0
            } else {
                1
            };
            found.add(
                subject.holder(),
                &subject.integrations,
                Item::new(object, rank, first.site.key_loc())
                    .shown(format!("{object} ({count} {fields_word})"))
                    .detail(format!(
                        "{count} {object} {fields_word} ({})",
                        name_list(&names, SHOWN)
                    )),
            );
        }
    }
    found.emit(
        out,
        |group| {
            let (name, users) = (&group.name, group.users());
            match group.single() {
                Some(one) => format!(
                    "integration profile `{name}` grants access to {}{users}",
                    one.detail
                ),
                None => format!(
                    "integration profile `{name}` grants access to fields on {} objects: {}{users}",
                    group.items.len(),
                    group.list()
                ),
            }
        },
        "field permissions belong in a permission set",
    );
}
