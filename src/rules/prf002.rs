//! PRF002 field-permissions-in-profile — see `rules/PRF002.md`.

use std::collections::BTreeMap;

use super::{RuleDef, integration_profiles, name_list, rule};
use crate::engine::{Context, Findings};
use crate::model::FieldPermission;

pub(super) const RULE: RuleDef = rule!("PRF002", check);

/// Names listed in a message before "and N more".
const SHOWN: usize = 5;

fn check(cx: &Context, out: &mut Findings) {
    let org = cx.org;
    for subject in integration_profiles(cx) {
        let (profile, name, users) = (subject.profile, subject.name, &subject.users);
        // One finding per object: a profile can hold thousands of fields.
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
            let list = name_list(&names, SHOWN);
            out.push(
                subject.finding(
                    first.site.key_loc(),
                    format!(
                        "integration profile `{name}` grants access to {} {object} field{} ({list}){users}",
                        names.len(),
                        if names.len() == 1 { "" } else { "s" }
                    ),
                )
                .subject(object)
                .label("field permissions belong in a permission set"),
            );
        }
    }
}
