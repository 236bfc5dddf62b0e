//! APP004 committed-secret — see `rules/APP004.md`.
//!
//! Messages name the element, never its value: findings end up in CI logs.

use super::{RuleDef, app_title, app_users, rule};
use crate::engine::{Context, Finding, Findings};
use crate::model::ComponentKind;

pub(super) const RULE: RuleDef = rule!("APP004", check);

/// Legacy named-credential secret elements and what they hold.
const CREDENTIAL_SECRETS: [(&str, &str); 3] = [
    ("password", "password"),
    ("oauthToken", "OAuth access token"),
    ("oauthRefreshToken", "OAuth refresh token"),
];

fn check(cx: &Context, out: &mut Findings) {
    let org = cx.org;
    for (a, app) in org.apps.enumerate() {
        let Some(loc) = app.consumer_secret else {
            continue;
        };
        let (integrations, users) = app_users(cx, a);
        out.push(
            Finding::new(
                loc,
                format!(
                    "{} has its consumer secret committed in <consumerSecret>{users}",
                    app_title(org, app)
                ),
            )
            .component(app.kind, org.name(app.name))
            .integrations(&integrations)
            .redact()
            .subject("consumerSecret")
            .label("committed secret"),
        );
    }
    for credential in &org.named_credentials {
        let name = org.name(credential.header.name);
        for secret in &credential.secrets {
            let what = CREDENTIAL_SECRETS
                .iter()
                .find(|(element, _)| *element == secret.value)
                .map_or(secret.value, |(_, what)| what);
            out.push(
                Finding::new(
                    secret.loc,
                    format!(
                        "named credential `{name}` has its {what} committed in <{}>",
                        secret.value
                    ),
                )
                .component(ComponentKind::NamedCredential, name)
                .subject(secret.value)
                .redact()
                .label("committed secret"),
            );
        }
    }
}
