//! APP003 non-expiring-refresh-token — see `rules/APP003.md`.

use super::{RuleDef, app_title, app_users, rule};
use crate::engine::{Context, Finding, Findings};
use crate::model::{ComponentKind, Located, RefreshTokenPolicy};

pub(super) const RULE: RuleDef = rule!("APP003", check);

/// Scopes that hand out refresh tokens (retrieve writes `OfflineAccess`
/// back as `RefreshToken`; hand-written files may hold either).
const REFRESH_SCOPES: [&str; 2] = ["RefreshToken", "OfflineAccess"];

fn check(cx: &Context, out: &mut Findings) {
    let org = cx.org;
    for (a, app) in org.apps.enumerate() {
        let Some(scope) = app.scopes.iter().find(|s| {
            REFRESH_SCOPES
                .iter()
                .any(|r| s.value.eq_ignore_ascii_case(r))
        }) else {
            continue;
        };
        let title = app_title(org, app);
        let (integrations, users) = app_users(cx, a);
        let finding = match (&app.refresh_token_policy, app.kind) {
            (
                Some(Located {
                    value: Some(RefreshTokenPolicy::Infinite),
                    loc,
                }),
                _,
            ) => Finding::new(
                *loc,
                format!(
                    "{title} grants {} and its refresh tokens never expire{users}",
                    scope.value
                ),
            )
            .label("valid until revoked")
            .related(scope.loc, "grants refresh tokens"),
            // A connected app without a policy gets Salesforce's default,
            // `infinite`. An External Client App's policies file may not be
            // in the repository, so only an explicit policy counts there.
            (None, ComponentKind::ConnectedApp) => Finding::new(
                scope.loc,
                format!(
                    "{title} grants {} and sets no refresh-token policy, so its refresh tokens never expire{users}",
                    scope.value
                ),
            )
            .label("no refreshTokenPolicy: valid until revoked"),
            _ => continue,
        };
        out.push(
            finding
                .component(app.kind, org.name(app.name))
                .integrations(&integrations)
                .subject("RefreshToken"),
        );
    }
}
