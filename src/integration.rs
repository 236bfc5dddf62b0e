//! Who the integrations are (SPEC §2): those the inventory declares, those
//! discovered from client-credentials run-as users of apps the inventory
//! does not claim, and, with an org snapshot, the org's active integration
//! users that neither names. Also which profiles are integration profiles.
//!
//! With a snapshot, what the org really assigns to each integration's user
//! is added to what the inventory declares: effective access is the union,
//! the worst case.

use crate::access::Assignment;
use crate::config::{Config, IntegrationDecl};
use crate::model::{ComponentKind, INTEGRATION_LICENSE, Org};
use crate::orgdata::{Assigned, Snapshot};
use crate::source::{FileId, Loc, Span};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// `[[integration]]` number n of the inventory.
    Declared(usize),
    /// A connected app / External Client App with a run-as user that no
    /// declared integration claims.
    App(usize),
    /// An active user of the org snapshot (index into `Snapshot::users`)
    /// on the Salesforce Integration licence or an API-only profile, whose
    /// username no declared integration or app names.
    Snapshot(usize),
}

/// A name in the inventory that matches no component.
#[derive(Clone, Debug)]
pub struct Missing {
    pub kind: ComponentKind,
    pub name: String,
    pub loc: Loc,
}

#[derive(Clone, Debug)]
pub struct Integration {
    pub name: String,
    /// The username, as written.
    pub user: Option<String>,
    /// Where the username is written: the inventory, or the app's run-as
    /// element.
    pub user_loc: Option<Loc>,
    pub origin: Origin,
    pub profiles: Vec<usize>,
    pub permission_sets: Vec<usize>,
    pub groups: Vec<usize>,
    pub apps: Vec<usize>,
    pub missing: Vec<Missing>,
    /// Where the inventory names the profile.
    pub profile_loc: Option<Loc>,
    /// The user's record in the org snapshot (index into
    /// `Snapshot::users`), when there is one.
    pub snapshot_user: Option<usize>,
}

impl Integration {
    /// What is assigned to the user, as far as the inputs tell.
    pub fn assignment(&self) -> Assignment {
        Assignment {
            profiles: self.profiles.clone(),
            permission_sets: self.permission_sets.clone(),
            groups: self.groups.clone(),
        }
    }

    /// The inventory entry, for a declared integration.
    pub fn declared<'c>(&self, config: &'c Config) -> Option<&'c IntegrationDecl> {
        match self.origin {
            Origin::Declared(i) => config.integrations.get(i),
            Origin::App(_) | Origin::Snapshot(_) => None,
        }
    }

    /// The high-risk permissions the inventory entry accepts
    /// (`allow-permissions`); none for an undeclared integration.
    pub fn allowed_permissions<'c>(&self, config: &'c Config) -> Vec<&'c str> {
        self.declared(config)
            .map(|d| {
                d.allow_permissions
                    .iter()
                    .map(|p| p.get_ref().as_str())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Usernames are case-insensitive in Salesforce.
    pub fn user_key(&self) -> Option<String> {
        self.user.as_ref().map(|u| u.trim().to_lowercase())
    }
}

pub struct Integrations {
    pub list: Vec<Integration>,
    /// minpriv.toml in the file table, when one was read.
    pub config_file: Option<FileId>,
    /// Per profile: the integrations that name it.
    pub by_profile: Vec<Vec<usize>>,
    /// Per profile: whether it is an integration profile.
    pub is_integration_profile: Vec<bool>,
}

impl Integrations {
    /// The integrations of a run without an org snapshot.
    pub fn resolve(org: &Org, config: &Config, config_file: Option<FileId>) -> Integrations {
        Self::resolve_with(org, config, config_file, None)
    }

    pub fn resolve_with(
        org: &Org,
        config: &Config,
        config_file: Option<FileId>,
        snapshot: Option<&Snapshot>,
    ) -> Integrations {
        let config_loc = |span: std::ops::Range<usize>| {
            config_file.map(|file| Loc {
                file,
                span: Span::new(span.start, span.end),
            })
        };
        let mut list = vec![];
        let mut claimed_apps = vec![false; org.apps.len()];
        for (i, decl) in config.integrations.iter().enumerate() {
            let mut missing = vec![];
            let mut resolve = |kind, name: &toml::Spanned<String>, found: Vec<usize>| {
                if found.is_empty()
                    && let Some(loc) = config_loc(name.span())
                {
                    missing.push(Missing {
                        kind,
                        name: name.get_ref().clone(),
                        loc,
                    });
                }
                found
            };
            let profiles = decl
                .profile
                .iter()
                .flat_map(|p| resolve(ComponentKind::Profile, p, org.profiles_named(p.get_ref())))
                .collect();
            let permission_sets = decl
                .permission_sets
                .iter()
                .flat_map(|p| {
                    resolve(
                        ComponentKind::PermissionSet,
                        p,
                        org.permission_sets_named(p.get_ref()),
                    )
                })
                .collect();
            let groups = decl
                .permission_set_groups
                .iter()
                .flat_map(|g| {
                    resolve(
                        ComponentKind::PermissionSetGroup,
                        g,
                        org.groups_named(g.get_ref()),
                    )
                })
                .collect();
            let apps: Vec<usize> = decl
                .connected_apps
                .iter()
                .flat_map(|a| resolve(ComponentKind::ConnectedApp, a, org.apps_named(a.get_ref())))
                .collect();
            for &a in &apps {
                claimed_apps[a] = true;
            }
            list.push(Integration {
                name: decl.name.get_ref().clone(),
                user: Some(decl.user.get_ref().clone()),
                user_loc: config_loc(decl.user.span()),
                origin: Origin::Declared(i),
                profiles,
                permission_sets,
                groups,
                apps,
                missing,
                profile_loc: decl.profile.as_ref().and_then(|p| config_loc(p.span())),
                snapshot_user: None,
            });
        }

        for (i, app) in org.apps.iter().enumerate() {
            let Some(user) = &app.run_as_user else {
                continue;
            };
            if claimed_apps[i] {
                continue;
            }
            let base = org.name(app.name).to_owned();
            let name = if list.iter().any(|x: &Integration| x.name == base) {
                format!("{base} (discovered)")
            } else {
                base
            };
            list.push(Integration {
                name,
                user: Some(user.value.to_string()),
                user_loc: Some(user.loc),
                origin: Origin::App(i),
                profiles: vec![],
                permission_sets: vec![],
                groups: vec![],
                apps: vec![i],
                missing: vec![],
                profile_loc: None,
                snapshot_user: None,
            });
        }
        if let Some(snapshot) = snapshot {
            add_snapshot(org, snapshot, &mut list);
        }

        let mut by_profile = vec![vec![]; org.profiles.len()];
        for (i, integration) in list.iter().enumerate() {
            for &p in &integration.profiles {
                // `i` only grows: a repeat can only be the last entry.
                if by_profile[p].last() != Some(&i) {
                    by_profile[p].push(i);
                }
            }
        }
        let is_integration_profile = org
            .profiles
            .iter()
            .enumerate()
            .map(|(i, p)| {
                !by_profile[i].is_empty()
                    || org.has_integration_license(p)
                    || org.api_only_permission(&p.grants).is_some()
            })
            .collect();
        Integrations {
            list,
            config_file,
            by_profile,
            is_integration_profile,
        }
    }

    /// The integrations whose user is `username` (case-insensitive).
    pub fn with_user(&self, username: &str) -> impl Iterator<Item = &Integration> {
        let key = crate::orgdata::user_key(username);
        self.list
            .iter()
            .filter(move |i| i.user_key().as_deref() == Some(key.as_str()))
    }

    /// Integration profiles with the integrations that use them.
    pub fn profiles(&self) -> impl Iterator<Item = (usize, &[usize])> {
        self.is_integration_profile
            .iter()
            .enumerate()
            .filter(|(_, is)| **is)
            .map(|(i, _)| (i, self.by_profile[i].as_slice()))
    }

    /// The integration a finding on profile `p` names: the first by name
    /// of those that use it (the others are in the message).
    pub fn names_for_profile(&self, p: usize) -> Vec<&str> {
        let mut names: Vec<&str> = self.by_profile[p]
            .iter()
            .map(|&i| self.list[i].name.as_str())
            .collect();
        names.sort_unstable();
        names
    }
}

/// Adds the snapshot's assignments to every integration whose user it
/// holds, then the snapshot's integration users that no integration names.
fn add_snapshot(org: &Org, snapshot: &Snapshot, list: &mut Vec<Integration>) {
    for integration in list.iter_mut() {
        let Some(user) = integration.user.as_deref().and_then(|u| snapshot.user(u)) else {
            continue;
        };
        integration.snapshot_user = Some(user);
        let assigned = snapshot_assignment(org, snapshot, user);
        union(&mut integration.profiles, assigned.profiles);
        union(&mut integration.permission_sets, assigned.permission_sets);
        union(&mut integration.groups, assigned.groups);
    }
    // Looked up once per snapshot user: sets, not scans of the list
    // (200,000 users would otherwise take minutes).
    let mut keys: std::collections::HashSet<String> =
        list.iter().filter_map(Integration::user_key).collect();
    let mut names: std::collections::HashSet<String> =
        list.iter().map(|x| x.name.clone()).collect();
    for (i, user) in snapshot.users.iter().enumerate() {
        if !user.active.value || snapshot.user(&user.username.value) != Some(i) {
            continue;
        }
        let key = crate::orgdata::user_key(&user.username.value);
        if keys.contains(&key) {
            continue;
        }
        let assigned = snapshot_assignment(org, snapshot, i);
        let on_integration_licence = user.licence.value.as_deref() == Some(INTEGRATION_LICENSE);
        let api_only = assigned.profiles.iter().any(|&p| {
            let profile = &org.profiles[p];
            org.has_integration_license(profile)
                || org.api_only_permission(&profile.grants).is_some()
        });
        if !on_integration_licence && !api_only {
            continue;
        }
        let base = user.username.value.clone();
        let name = if names.contains(&base) {
            format!("{base} (discovered)")
        } else {
            base
        };
        keys.insert(key);
        names.insert(name.clone());
        list.push(Integration {
            name,
            user: Some(user.username.value.clone()),
            user_loc: Some(user.username.loc),
            origin: Origin::Snapshot(i),
            profiles: assigned.profiles,
            permission_sets: assigned.permission_sets,
            groups: assigned.groups,
            apps: vec![],
            missing: vec![],
            profile_loc: None,
            snapshot_user: Some(i),
        });
    }
}

/// What the snapshot assigns to user `user`, as far as the metadata holds
/// the components: the profile (by label or full name), the permission
/// sets assigned directly, and the groups. Rows owned by the profile are
/// the profile itself.
pub fn snapshot_assignment(org: &Org, snapshot: &Snapshot, user: usize) -> Assignment {
    let record = &snapshot.users[user];
    let mut assignment = Assignment {
        profiles: record
            .profile
            .value
            .as_deref()
            .map(|p| org.profiles_named(p))
            .unwrap_or_default(),
        ..Assignment::default()
    };
    for row in snapshot.assignments_of(&record.username.value) {
        match row.assigned() {
            Assigned::Profile => {}
            Assigned::Group(g) => union(&mut assignment.groups, org.groups_named(g)),
            Assigned::PermissionSet(s) => union(
                &mut assignment.permission_sets,
                org.permission_sets_named(s),
            ),
        }
    }
    assignment
}

fn union(into: &mut Vec<usize>, more: Vec<usize>) {
    for m in more {
        if !into.contains(&m) {
            into.push(m);
        }
    }
}
