//! USE003 unexpected-client — see `rules/USE003.md`.

use super::{RuleDef, app_title, rule};
use crate::engine::{Component, Context, Finding, Findings};
use crate::model::{App, ComponentKind, Org};
use crate::usage::Seen;

pub(super) const RULE: RuleDef = rule!("USE003", check);

/// Whether the logged app name is this app (its name or its label).
fn is_app(org: &Org, app: &App, logged: &str) -> bool {
    org.name(app.name).eq_ignore_ascii_case(logged)
        || app
            .label
            .as_deref()
            .is_some_and(|l| l.eq_ignore_ascii_case(logged))
}

fn calls(seen: &Seen) -> String {
    format!(
        "{} call{} in {}",
        seen.count,
        if seen.count == 1 { "" } else { "s" },
        seen.window
    )
}

fn check(cx: &Context, out: &mut Findings) {
    let Some(snapshot) = cx.snapshot else {
        return;
    };
    let usage = &snapshot.usage;
    let org = cx.org;
    // An integration's own calls through apps it does not declare.
    for integration in &cx.integrations.list {
        let Some(user) = integration.user.as_deref() else {
            continue;
        };
        let Some(used) = usage.of(user) else {
            continue;
        };
        for (logged, seen) in &used.apps {
            let declared = integration
                .apps
                .iter()
                .any(|&a| is_app(org, &org.apps[a], logged));
            let message = if logged.is_empty() {
                // With no app declared, calls through none are expected.
                if integration.apps.is_empty() {
                    continue;
                }
                format!(
                    "integration user `{user}` called the API through no connected app ({}), while integration {} declares its app",
                    calls(seen),
                    integration.name
                )
            } else if declared {
                continue;
            } else {
                format!(
                    "integration user `{user}` called the API through connected app `{logged}` ({}), which integration {} does not declare",
                    calls(seen),
                    integration.name
                )
            };
            let mut finding = Finding::new(seen.first, message)
                .integrations(std::slice::from_ref(&integration.name))
                .subject(format!("app:{logged}"))
                .label("connected app");
            finding.component = Component::User(user.to_lowercase());
            out.push(finding);
        }
    }
    // Other users' calls through an integration's client-credentials app.
    for integration in &cx.integrations.list {
        let Some(owner) = integration.user_key() else {
            continue;
        };
        for &a in &integration.apps {
            let app = &org.apps[a];
            let Some(run_as) = &app.run_as_user else {
                continue;
            };
            if run_as.value.trim().to_lowercase() != owner {
                // IDN007's: the app runs as someone else.
                continue;
            }
            for (username, used) in &usage.users {
                if *username == owner {
                    continue;
                }
                for (logged, seen) in used.apps.iter().filter(|(l, _)| is_app(org, app, l)) {
                    let mut finding = Finding::new(
                        seen.first,
                        format!(
                            "user `{username}` called the API through {} ({}), the client-credentials app of integration {} (run as `{}`)",
                            app_title(org, app),
                            calls(seen),
                            integration.name,
                            run_as.value
                        ),
                    )
                    .component(ComponentKind::ConnectedApp, org.name(app.name))
                    .integrations(std::slice::from_ref(&integration.name))
                    .subject(format!("user:{username}:{logged}"))
                    .label("connected app");
                    if app.kind != ComponentKind::ConnectedApp {
                        finding = finding.component(app.kind, org.name(app.name));
                    }
                    out.push(finding);
                }
            }
        }
    }
}
