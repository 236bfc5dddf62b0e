//! The integration's OAuth apps: admin-approved users only, no `Full`
//! scope (`Api`, plus `RefreshToken` only where it was granted), IP
//! restrictions enforced, refresh tokens that expire. A committed consumer
//! secret is taken out of the file (a deploy would put the leaked one
//! back) and its rotation is a next step.

use super::xml::Element;
use super::{FixError, Fixing};
use crate::model::ComponentKind;
use crate::report::terminal_safe;

/// The refresh-token lifetime written where tokens never expired.
const LIFETIME: &str = "specific_lifetime:90:DAYS";

/// The scopes to keep of `scopes`: where `Full` or `Api` is granted,
/// `Api` plus `RefreshToken` if it was granted; otherwise unchanged.
fn narrow_scopes(scopes: &[String]) -> Vec<String> {
    let has = |name: &str| scopes.iter().any(|s| s.trim().eq_ignore_ascii_case(name));
    if !(has("Full") || has("Api")) {
        return scopes.to_vec();
    }
    let mut out = vec!["Api".to_owned()];
    if has("RefreshToken") || has("OfflineAccess") {
        out.push("RefreshToken".to_owned());
    }
    out
}

impl Fixing<'_, '_> {
    pub(super) fn fix_apps(&mut self) -> Result<(), FixError> {
        let org = self.inputs.org;
        let mut done = vec![];
        for &a in &self.integration.apps {
            let app = &org.apps[a];
            let name = org.name(app.name).to_owned();
            if done.contains(&name) {
                continue;
            }
            done.push(name.clone());
            let mut changes = vec![];
            let mut secret = false;
            let mut files: Vec<_> = app.files.clone();
            files.sort();
            files.dedup();
            for file in files {
                let path = org.sources.get(file).path.clone();
                let mut tree = self.files.tree(&path)?;
                let changed = match (app.kind, tree.name.as_str()) {
                    (ComponentKind::ConnectedApp, "ConnectedApp") => {
                        connected_app(&mut tree, &mut changes, &mut secret)
                    }
                    (_, "ExtlClntAppOauthConfigurablePolicies") => {
                        eca_policies(&mut tree, &mut changes)
                    }
                    (_, "ExtlClntAppOauthSettings") => eca_settings(&mut tree, &mut changes),
                    (_, "ExtlClntAppGlobalOauthSettings") => {
                        let removed = tree.remove_children("consumerSecret");
                        secret |= removed;
                        removed
                    }
                    _ => false,
                };
                if changed {
                    self.files.put(&path, tree.to_document())?;
                }
            }
            if secret {
                changes.push("committed consumer secret taken out of the file".to_owned());
                self.out.next_steps.push(format!(
                    "rotate the consumer secret of `{}`: it was committed (Setup > App Manager > {} > Manage Consumer Details > Generate), update the client, and purge it from the git history",
                    terminal_safe(&name),
                    terminal_safe(&name)
                ));
                self.pitfalls.insert(
                    "a committed consumer secret is removed from the file: deployed, it would put the leaked secret back after rotation".to_owned(),
                );
            }
            if !changes.is_empty() {
                changes.sort();
                changes.dedup();
                self.out.actions.push(format!(
                    "{} `{}`: {}",
                    app.kind.label(),
                    terminal_safe(&name),
                    changes.join("; ")
                ));
            }
        }
        Ok(())
    }
}

fn connected_app(tree: &mut Element, changes: &mut Vec<String>, secret: &mut bool) -> bool {
    let Some(config) = tree.children.iter_mut().find(|c| c.name == "oauthConfig") else {
        return false;
    };
    let mut changed = false;
    if config.child_text("isAdminApproved") != Some("true") {
        config.set_child_text("isAdminApproved", "true");
        changes.push(
            "admin-approved users only (pre-authorize the integration's profile or permission set)"
                .to_owned(),
        );
        changed = true;
    }
    let scopes: Vec<String> = config
        .children
        .iter()
        .filter(|c| c.name == "scopes")
        .filter_map(|c| c.text.clone())
        .collect();
    let narrowed = narrow_scopes(&scopes);
    if narrowed != scopes {
        config.remove_children("scopes");
        for scope in &narrowed {
            config.insert_sorted(Element::leaf("scopes", scope.clone()));
        }
        changes.push(format!("scopes {}", narrowed.join(", ")));
        changed = true;
    }
    if config.remove_children("consumerSecret") {
        *secret = true;
        changed = true;
    }
    if !tree.children.iter().any(|c| c.name == "oauthPolicy") {
        tree.insert_sorted(Element::parent("oauthPolicy", vec![]));
    }
    let policy = tree
        .children
        .iter_mut()
        .find(|c| c.name == "oauthPolicy")
        .expect("just added");
    if policy.child_text("ipRelaxation").map(str::trim) != Some("ENFORCE") {
        policy.set_child_text("ipRelaxation", "ENFORCE");
        changes.push("IP restrictions enforced".to_owned());
        changed = true;
    }
    let refresh = policy.child_text("refreshTokenPolicy").map(str::trim);
    let expires = refresh.is_some_and(|r| {
        r == "zero" || r.starts_with("specific_lifetime:") || r.starts_with("specific_inactivity:")
    });
    if !expires {
        policy.set_child_text("refreshTokenPolicy", LIFETIME);
        changes.push("refresh tokens expire after 90 days".to_owned());
        changed = true;
    }
    changed
}

fn eca_policies(tree: &mut Element, changes: &mut Vec<String>) -> bool {
    let mut changed = false;
    if tree.child_text("permittedUsersPolicyType") != Some("AdminApprovedPreAuthorized") {
        tree.set_child_text("permittedUsersPolicyType", "AdminApprovedPreAuthorized");
        changes.push(
            "admin-approved users only (pre-authorize the integration's profile or permission set)"
                .to_owned(),
        );
        changed = true;
    }
    if tree.child_text("ipRelaxationPolicyType").map(str::trim) != Some("Enforce") {
        tree.set_child_text("ipRelaxationPolicyType", "Enforce");
        changes.push("IP restrictions enforced".to_owned());
        changed = true;
    }
    let refresh = tree.child_text("refreshTokenPolicyType").map(str::trim);
    if !matches!(
        refresh,
        Some("Zero" | "SpecificLifetime" | "SpecificInactivity")
    ) {
        tree.set_child_text("refreshTokenPolicyType", "SpecificLifetime");
        tree.set_child_text("refreshTokenValidityPeriod", "90");
        tree.set_child_text("refreshTokenValidityUnit", "Days");
        changes.push("refresh tokens expire after 90 days".to_owned());
        changed = true;
    }
    changed
}

fn eca_settings(tree: &mut Element, changes: &mut Vec<String>) -> bool {
    let Some(text) = tree.child_text("commaSeparatedOauthScopes") else {
        return false;
    };
    let scopes: Vec<String> = text
        .split(',')
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect();
    let narrowed = narrow_scopes(&scopes);
    if narrowed == scopes {
        return false;
    }
    let joined = narrowed.join(", ");
    tree.set_child_text("commaSeparatedOauthScopes", &joined);
    changes.push(format!("scopes {joined}"));
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scopes(list: &[&str]) -> Vec<String> {
        narrow_scopes(&list.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>())
    }

    #[test]
    fn full_becomes_api_and_refresh_stays_only_where_granted() {
        assert_eq!(scopes(&["Full"]), ["Api"]);
        assert_eq!(
            scopes(&["Api", "Full", "RefreshToken"]),
            ["Api", "RefreshToken"]
        );
        assert_eq!(
            scopes(&["Api", "Web", "OfflineAccess"]),
            ["Api", "RefreshToken"]
        );
        assert_eq!(scopes(&["Web"]), ["Web"]);
    }
}
