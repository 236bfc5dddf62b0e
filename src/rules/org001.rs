//! ORG001 inactive-integration-user — see `rules/ORG001.md`.

use super::{RuleDef, rule};
use crate::engine::{Component, Context, Finding, Findings};

pub(super) const RULE: RuleDef = rule!("ORG001", check);

fn check(cx: &Context, out: &mut Findings) {
    let Some(snapshot) = cx.snapshot else {
        return;
    };
    for integration in &cx.integrations.list {
        let (Some(decl), Some(declared_at)) =
            (integration.declared(cx.config), integration.user_loc)
        else {
            continue;
        };
        let username = decl.user.get_ref();
        let finding = match integration.snapshot_user {
            None => Finding::new(
                declared_at,
                format!(
                    "user `{username}` of integration {} is not in the org snapshot: the org has no such user, or the User export left it out",
                    integration.name
                ),
            )
            .subject("absent")
            .label("not in the org snapshot"),
            Some(u) if !snapshot.users[u].active.value => Finding::new(
                snapshot.users[u].active.loc,
                format!(
                    "user `{username}` of integration {} is inactive in the org",
                    integration.name
                ),
            )
            .subject("inactive")
            .label("inactive")
            .related(declared_at, format!("the user of integration {}", integration.name)),
            Some(_) => continue,
        };
        let mut finding = finding.integration(Some(&integration.name));
        finding.component = Component::User(username.to_lowercase());
        out.push(finding);
    }
}
