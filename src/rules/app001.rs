//! APP001 self-authorized-app — see `rules/APP001.md`.

use super::{RuleDef, app_title, app_users, rule};
use crate::engine::{Context, Finding, Findings};
use crate::model::{ComponentKind, Located};

pub(super) const RULE: RuleDef = rule!("APP001", check);

fn check(cx: &Context, out: &mut Findings) {
    let org = cx.org;
    for (a, app) in org.apps.enumerate() {
        let (loc, why, label) = match (app.kind, &app.admin_approved) {
            (_, Some(Located { value: true, .. })) => continue,
            (ComponentKind::ConnectedApp, Some(Located { loc, .. })) => (
                *loc,
                "isAdminApproved is false",
                "any user may self-authorize",
            ),
            // `isAdminApproved` defaults to false, but only an app with
            // OAuth settings can be authorized at all.
            (ComponentKind::ConnectedApp, None) if app.has_oauth_config() => (
                app.root,
                "its OAuth settings have no isAdminApproved, which defaults to false",
                "no isAdminApproved",
            ),
            // An External Client App's policies may live in a file that is
            // not in the repository: only an explicit policy counts.
            (ComponentKind::ExternalClientApp, Some(Located { loc, .. })) => (
                *loc,
                "its permitted users policy is AllSelfAuthorized",
                "any user may self-authorize",
            ),
            _ => continue,
        };
        let (integrations, users) = app_users(cx, a);
        out.push(
            Finding::new(
                loc,
                format!(
                    "{} lets any user self-authorize: {why}{users}",
                    app_title(org, app)
                ),
            )
            .component(app.kind, org.name(app.name))
            .integrations(&integrations)
            .label(label),
        );
    }
}
