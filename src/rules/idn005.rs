//! IDN005 undeclared-integration — see `rules/IDN005.md`.

use super::{RuleDef, app_title, rule};
use crate::access::Holder;
use crate::engine::{Component, Context, Finding, Findings};
use crate::integration::{Integration, Origin, holder_title};
use crate::model::{ComponentKind, INTEGRATION_LICENSE};

pub(super) const RULE: RuleDef = rule!("IDN005", check);

fn check(cx: &Context, out: &mut Findings) {
    // Declared integrations by user, built once: a lookup per integration
    // rather than a scan of them all (200,000 snapshot users).
    let mut declared: std::collections::HashMap<String, Vec<&str>> =
        std::collections::HashMap::new();
    for i in &cx.integrations.list {
        if let (Origin::Declared(_), Some(key)) = (i.origin, i.user_key()) {
            declared.entry(key).or_default().push(i.name.as_str());
        }
    }
    for integration in &cx.integrations.list {
        if let Origin::Discovered(holder) = integration.origin {
            out.push(discovered(cx, integration, holder));
            continue;
        }
        let (Some(loc), Some(user)) = (integration.user_loc, integration.user.as_deref()) else {
            continue;
        };
        // A declared integration with the same user: the app may be its.
        let mut owners: Vec<&str> = integration
            .user_key()
            .and_then(|key| declared.get(&key))
            .cloned()
            .unwrap_or_default();
        owners.sort_unstable();
        let mut finding = match integration.origin {
            Origin::Declared(_) | Origin::Discovered(_) => continue,
            Origin::App(a) => {
                let app = &cx.org.apps[a];
                let title = app_title(cx.org, app);
                let finding = Finding::new(
                    loc,
                    format!(
                        "{title} runs as `{user}` (client credentials), but no integration in minpriv.toml lists it in connected-apps"
                    ),
                )
                .component(app.kind, cx.org.name(app.name))
                .label("undeclared run-as user");
                match owners.as_slice() {
                    [] => finding,
                    names => finding.help(format!(
                        "`{user}` is the user of {}: if the app is that integration's, add `{}` to its connected-apps; otherwise give the app its own user and [[integration]] entry",
                        names.join(", "),
                        cx.org.name(app.name)
                    )),
                }
            }
            Origin::Snapshot(u) => {
                let Some(record) = cx.snapshot.map(|s| &s.users[u]) else {
                    continue;
                };
                let profile = record.profile.value.as_deref().unwrap_or("(none)");
                let why = if record.licence.value.as_deref() == Some(INTEGRATION_LICENSE) {
                    format!("profile `{profile}` on the Salesforce Integration licence")
                } else {
                    format!("API-only profile `{profile}`")
                };
                let mut finding = Finding::new(
                    loc,
                    format!(
                        "user `{user}` is an active integration user in the org ({why}), but minpriv.toml declares no integration for it"
                    ),
                )
                .label("undeclared integration user");
                finding.component = Component::User(user.to_lowercase());
                finding
            }
        };
        finding = finding
            .integration(Some(&integration.name))
            .subject("undeclared");
        out.push(finding);
    }
}

/// A profile or permission set the metadata shows to be an integration's,
/// that no declared integration holds: at its strongest evidence.
fn discovered(cx: &Context, integration: &Integration, holder: Holder) -> Finding {
    let (kind, name, root) = match holder {
        Holder::Profile(p) => {
            let profile = &cx.org.profiles[p];
            (
                ComponentKind::Profile,
                cx.org.name(profile.header.name),
                profile.header.root_loc(),
            )
        }
        Holder::PermissionSet(s) => {
            let set = &cx.org.permission_sets[s];
            (
                ComponentKind::PermissionSet,
                cx.org.name(set.header.name),
                set.header.root_loc(),
            )
        }
    };
    let loc = integration
        .evidence
        .iter()
        .find_map(|e| e.loc)
        .unwrap_or(root);
    let why: Vec<&str> = integration
        .evidence
        .iter()
        .map(|e| e.detail.as_str())
        .collect();
    Finding::new(
        loc,
        format!(
            "{} is an integration identity ({}), but minpriv.toml declares no integration for it",
            holder_title(cx.org, holder),
            why.join("; ")
        ),
    )
    .component(kind, name)
    .integration(Some(&integration.name))
    .subject("undeclared")
    .label("undeclared integration identity")
}
