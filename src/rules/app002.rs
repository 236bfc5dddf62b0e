//! APP002 full-oauth-scope — see `rules/APP002.md`.

use super::{RuleDef, app_title, app_users, rule};
use crate::engine::{Context, Finding, Findings};

pub(super) const RULE: RuleDef = rule!("APP002", check);

const FULL_SCOPE: &str = "Full";

fn check(cx: &Context, out: &mut Findings) {
    let org = cx.org;
    for (a, app) in org.apps.enumerate() {
        // A scope listed twice is one finding, at its first mention.
        let Some(scope) = app
            .scopes
            .iter()
            .find(|s| s.value.eq_ignore_ascii_case(FULL_SCOPE))
        else {
            continue;
        };
        let (integrations, users) = app_users(cx, a);
        out.push(
            Finding::new(
                scope.loc,
                format!(
                    "{} requests the Full OAuth scope: everything its user can do, through every API and the web UI{users}",
                    app_title(org, app)
                ),
            )
            .component(app.kind, org.name(app.name))
            .integrations(&integrations)
            .subject(FULL_SCOPE)
            .label("Full scope"),
        );
    }
}
