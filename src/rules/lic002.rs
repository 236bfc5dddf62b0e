//! LIC002 license-mismatch — see `rules/LIC002.md`.

use super::{PerGrant, RuleDef, rule};
use crate::access::{Grant, Holder};
use crate::engine::{Context, Findings};
use crate::model::permissions::{INTEGRATION_PSL, is_integration_psl};
use crate::model::{GroupId, PermissionSetId};

pub(super) const RULE: RuleDef = rule!("LIC002", check);

fn check(cx: &Context, out: &mut Findings) {
    let org = cx.org;
    let mut found = PerGrant::default();
    for integration in &cx.integrations.list {
        let on_integration_licence = integration
            .profiles
            .iter()
            .any(|&p| org.has_integration_license(&org.profiles[p]));
        if !on_integration_licence {
            continue;
        }
        // Every permission set assigned, directly or through a group.
        let mut assigned: Vec<(PermissionSetId, Option<GroupId>)> = integration
            .permission_sets
            .iter()
            .map(|&s| (s, None))
            .collect();
        for &g in &integration.groups {
            for member in &org.groups[g].permission_sets {
                for s in org.permission_sets_named(org.name(member.name)) {
                    assigned.push((s, Some(g)));
                }
            }
        }
        for (s, group) in assigned {
            let set = &org.permission_sets[s];
            let Some(licence) = &set.license else {
                continue;
            };
            let licence_name = org.name(licence.value);
            if is_integration_psl(licence_name) {
                continue;
            }
            let grant = Grant {
                holder: Holder::PermissionSet(s),
                site: crate::model::Site {
                    file: licence.loc.file,
                    span: licence.loc.span,
                    key: licence.loc.span,
                },
                direct: group.is_none(),
                groups: group.into_iter().collect(),
            };
            found.add(&integration.name, &grant, licence_name, || {
                licence_name.to_owned()
            });
        }
    }
    found.emit(cx, out, |item, holder, users| {
        format!(
            "{holder} carries the licence `{}`, but it is assigned to a user on the Salesforce Integration licence, which needs `{INTEGRATION_PSL}` (`SalesforceAPIIntegrationPsl`) or none{users}",
            item.detail
        )
    });
}
