//! OAuth app policy: what each app of an integration allows, ranked by
//! permissiveness, so that relaxing a setting is a gain and tightening it
//! a loss. Values are compared normalised (connected-app and External
//! Client App spellings alike) and shown as the app's kind writes them.

use std::collections::BTreeMap;

use super::{AppChange, AppSetting, Direction, Facts};
use crate::model::{App, ComponentKind, IpRelaxation, Located, RefreshTokenPolicy};
use crate::source::Loc;

/// A policy value with its permissiveness rank (higher: more permissive)
/// and where it is written (or the app, for a default).
#[derive(Clone)]
struct Setting {
    rank: u8,
    value: String,
    loc: Loc,
}

/// What the diff compares of an app.
pub(super) struct Policy {
    kind: ComponentKind,
    root: Loc,
    client_credentials: Setting,
    run_as_user: Option<(String, Loc)>,
    self_authorization: Setting,
    ip_relaxation: Setting,
    refresh_token_policy: Setting,
    /// Normalised scope → (as written, where).
    scopes: BTreeMap<String, (String, Loc)>,
}

impl Policy {
    pub(super) fn of(app: &App) -> Policy {
        let eca = app.kind == ComponentKind::ExternalClientApp;
        let setting = |rank: u8, value: &str, loc: Option<Loc>| Setting {
            rank,
            value: value.to_owned(),
            loc: loc.unwrap_or(app.root),
        };
        let client_credentials = match &app.client_credentials_enabled {
            Some(Located { value: true, loc }) => setting(1, "enabled", Some(*loc)),
            other => setting(0, "disabled", other.as_ref().map(|l| l.loc)),
        };
        // As APP001 judges it: a connected app with OAuth settings and no
        // isAdminApproved is self-authorized; an ECA only by an explicit
        // policy (its policies file may not be in the repository).
        let self_authorization = match &app.admin_approved {
            Some(Located { value: true, loc }) => setting(0, "admin approved", Some(*loc)),
            Some(Located { value: false, loc }) => setting(1, "self-authorized", Some(*loc)),
            None if !eca && app.has_oauth_config() => setting(1, "self-authorized", None),
            None => setting(0, "not set", None),
        };
        let ip_relaxation = match &app.ip_relaxation {
            Some(Located { value, loc }) => {
                let (rank, value) = relaxation(*value, eca);
                setting(rank, value, Some(*loc))
            }
            None => setting(0, relaxation(Some(IpRelaxation::Enforce), eca).1, None),
        };
        // A connected app without a policy gets `infinite` (APP003); an
        // ECA's may live in a file that is not in the repository.
        let refresh_token_policy = match &app.refresh_token_policy {
            Some(Located { value, loc }) => {
                let (rank, value) = refresh(*value, eca);
                setting(rank, value, Some(*loc))
            }
            None if !eca => setting(3, "infinite", None),
            None => setting(0, "not set", None),
        };
        let mut scopes = BTreeMap::new();
        for scope in &app.scopes {
            let mut key = scope.value.trim().to_ascii_lowercase();
            // Retrieve writes OfflineAccess back as RefreshToken.
            if key == "offlineaccess" {
                key = "refreshtoken".to_owned();
            }
            scopes
                .entry(key)
                .or_insert_with(|| (scope.value.trim().to_owned(), scope.loc));
        }
        Policy {
            kind: app.kind,
            root: app.root,
            client_credentials,
            run_as_user: app
                .run_as_user
                .as_ref()
                .map(|u| (u.value.trim().to_owned(), u.loc)),
            self_authorization,
            ip_relaxation,
            refresh_token_policy,
            scopes,
        }
    }

    /// What an app the integration did not use allows: nothing.
    fn none(kind: ComponentKind, root: Loc) -> Policy {
        let setting = |value: &str| Setting {
            rank: 0,
            value: value.to_owned(),
            loc: root,
        };
        let eca = kind == ComponentKind::ExternalClientApp;
        Policy {
            kind,
            root,
            client_credentials: setting("disabled"),
            run_as_user: None,
            self_authorization: setting("admin approved"),
            ip_relaxation: setting(relaxation(Some(IpRelaxation::Enforce), eca).1),
            refresh_token_policy: setting(refresh(Some(RefreshTokenPolicy::Zero), eca).1),
            scopes: BTreeMap::new(),
        }
    }
}

/// Rank and spelling (as the app's kind writes it) of an IP relaxation;
/// an unrecognised value counts as the most permissive.
fn relaxation(value: Option<IpRelaxation>, eca: bool) -> (u8, &'static str) {
    match (value, eca) {
        (Some(IpRelaxation::Enforce), false) => (0, "ENFORCE"),
        (Some(IpRelaxation::Enforce), true) => (0, "Enforce"),
        (Some(IpRelaxation::EnforceRelaxRefresh), false) => (1, "ENFORCE_RELAXREFRESH"),
        (Some(IpRelaxation::EnforceRelaxRefresh), true) => (1, "Enforce_RelaxRefresh"),
        (Some(IpRelaxation::Bypass2Factor), false) => (2, "BYPASS_2FACTOR"),
        (Some(IpRelaxation::Bypass2Factor), true) => (2, "Bypass_2factor"),
        (Some(IpRelaxation::Bypass), false) => (3, "BYPASS"),
        (Some(IpRelaxation::Bypass), true) => (3, "Bypass"),
        (None, _) => (3, "unrecognised value"),
    }
}

/// Rank and spelling of a refresh-token policy. Tokens that expire after
/// inactivity never expire for an integration that runs daily, so they rank
/// above a fixed lifetime.
fn refresh(value: Option<RefreshTokenPolicy>, eca: bool) -> (u8, &'static str) {
    match (value, eca) {
        (Some(RefreshTokenPolicy::Zero), false) => (0, "zero"),
        (Some(RefreshTokenPolicy::Zero), true) => (0, "Zero"),
        (Some(RefreshTokenPolicy::SpecificLifetime), false) => (1, "specific_lifetime"),
        (Some(RefreshTokenPolicy::SpecificLifetime), true) => (1, "SpecificLifetime"),
        (Some(RefreshTokenPolicy::SpecificInactivity), false) => (2, "specific_inactivity"),
        (Some(RefreshTokenPolicy::SpecificInactivity), true) => (2, "SpecificInactivity"),
        (Some(RefreshTokenPolicy::Infinite), false) => (3, "infinite"),
        (Some(RefreshTokenPolicy::Infinite), true) => (3, "Infinite"),
        (None, _) => (3, "unrecognised value"),
    }
}

fn kind_label(kind: ComponentKind) -> &'static str {
    match kind {
        ComponentKind::ExternalClientApp => "External Client App",
        _ => "connected app",
    }
}

/// App policy that `other` relaxes beyond `base`; the values are always
/// reported as old and new.
pub(super) fn app_changes(
    base: Option<&Facts>,
    other: &Facts,
    direction: Direction,
) -> Vec<AppChange> {
    let side = other.side;
    let mut out = vec![];
    for (&name, policy) in &other.apps {
        let fallback;
        let used = base.and_then(|b| b.apps.get(name));
        let before = match used {
            Some(p) => p,
            None => {
                fallback = Policy::none(policy.kind, policy.root);
                &fallback
            }
        };
        // For an app the other side does not use, there is no old value.
        let old_value = |s: &Setting| used.map(|_| s.value.clone());
        let mut change =
            |setting: AppSetting, before: Option<String>, after: Option<String>, loc: Loc| {
                let (old, new) = match direction {
                    Direction::Gain => (before, after),
                    Direction::Loss => (after, before),
                };
                let at = side.at(loc);
                out.push(AppChange {
                    app: name.to_owned(),
                    setting,
                    old,
                    new,
                    file: at.file,
                    line: at.line,
                });
            };
        if used.is_none() {
            change(
                AppSetting::App,
                None,
                Some(kind_label(policy.kind).to_owned()),
                policy.root,
            );
        }
        for (setting, was, is) in [
            (
                AppSetting::ClientCredentials,
                &before.client_credentials,
                &policy.client_credentials,
            ),
            (
                AppSetting::SelfAuthorization,
                &before.self_authorization,
                &policy.self_authorization,
            ),
            (
                AppSetting::IpRelaxation,
                &before.ip_relaxation,
                &policy.ip_relaxation,
            ),
            (
                AppSetting::RefreshTokenPolicy,
                &before.refresh_token_policy,
                &policy.refresh_token_policy,
            ),
        ] {
            if is.rank > was.rank {
                change(setting, old_value(was), Some(is.value.clone()), is.loc);
            }
        }
        // A different run-as user is a gain (the app acts as someone else);
        // a loss only when there is none any more.
        if let Some((user, loc)) = &policy.run_as_user {
            let was = before.run_as_user.as_ref().map(|(u, _)| u);
            let counts = match direction {
                Direction::Gain => was.is_none_or(|w| !w.eq_ignore_ascii_case(user)),
                Direction::Loss => was.is_none(),
            };
            if counts {
                change(
                    AppSetting::RunAsUser,
                    was.cloned(),
                    Some(user.clone()),
                    *loc,
                );
            }
        }
        // `Full` covers every scope but `RefreshToken` (Salesforce returns
        // no refresh token for it alone): replacing it by `Api` narrows.
        let full_before = before.scopes.contains_key("full");
        for (key, (scope, loc)) in &policy.scopes {
            let covered = full_before && key != "refreshtoken";
            if !before.scopes.contains_key(key) && !covered {
                change(AppSetting::Scope, None, Some(scope.clone()), *loc);
            }
        }
    }
    out.sort_by(|a, b| (&a.app, a.setting).cmp(&(&b.app, b.setting)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranks_order_permissiveness() {
        assert!(
            relaxation(Some(IpRelaxation::Bypass), false).0
                > relaxation(Some(IpRelaxation::Bypass2Factor), false).0
        );
        assert_eq!(relaxation(Some(IpRelaxation::Bypass), true).1, "Bypass");
        assert!(
            refresh(Some(RefreshTokenPolicy::Infinite), true).0
                > refresh(Some(RefreshTokenPolicy::SpecificInactivity), true).0
        );
        assert!(
            refresh(Some(RefreshTokenPolicy::SpecificLifetime), false).0
                > refresh(Some(RefreshTokenPolicy::Zero), false).0
        );
    }
}
