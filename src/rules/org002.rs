//! ORG002 stale-integration-user — see `rules/ORG002.md`.

use super::{RuleDef, rule, snapshot_users, snapshot_users_suffix};
use crate::engine::{Component, Context, Finding, Findings};

pub(super) const RULE: RuleDef = rule!("ORG002", check);

fn check(cx: &Context, out: &mut Findings) {
    let Some(snapshot) = cx.snapshot else {
        return;
    };
    let limit = i64::from(cx.config.lint.stale_after_days);
    for (u, integrations) in snapshot_users(cx) {
        let user = &snapshot.users[u];
        // An inactive declared user is ORG001's.
        if !user.active.value {
            continue;
        }
        let username = &user.username.value;
        let users = snapshot_users_suffix(&integrations, username);
        let message = match user.last_login.value {
            None => format!("integration user `{username}` has never logged in{users}"),
            Some(login) => {
                let day = jiff::tz::Offset::UTC.to_datetime(login).date();
                let days = day
                    .until(cx.today)
                    .map_or(0, |span| i64::from(span.get_days()));
                if days < limit {
                    continue;
                }
                format!(
                    "integration user `{username}` last logged in on {day}, {days} days before {} (stale-after-days = {limit}){users}",
                    cx.today
                )
            }
        };
        let mut finding = Finding::new(user.last_login.loc, message)
            .integrations(&integrations)
            .subject("stale")
            .label("last login");
        finding.component = Component::User(username.to_lowercase());
        out.push(finding);
    }
}
