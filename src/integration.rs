//! Who the integrations are: those the inventory declares, those
//! discovered from client-credentials run-as users of apps the inventory
//! does not claim, with an org snapshot the org's active integration users
//! that neither names, and the profiles and permission sets whose metadata
//! makes them an integration's (pre-authorized by an integration's app,
//! the integration licence or `ApiUserOnly`, or a name that reads as an
//! integration's — a suspect). Each integration keeps the evidence it was
//! found by. Also which profiles are integration profiles.
//!
//! With a snapshot, what the org really assigns to each integration's user
//! is added to what the inventory declares: effective access is the union,
//! the worst case.

use crate::access::{Assignment, Holder};
use crate::config::{Config, IntegrationDecl};
use crate::identity::{self, Evidence, EvidenceKind};
use crate::model::{
    AppId, ComponentKind, GroupId, INTEGRATION_LICENSE, IdVec, IntegrationId, Org, PermissionSetId,
    ProfileId,
};
use crate::orgdata::{Assigned, Snapshot};
use crate::source::{FileId, Loc, Span};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// `[[integration]]` number n of the inventory.
    Declared(usize),
    /// A connected app / External Client App with a run-as user that no
    /// declared integration claims.
    App(AppId),
    /// An active user of the org snapshot (index into `Snapshot::users`)
    /// on the Salesforce Integration licence or an API-only profile, whose
    /// username no declared integration or app names.
    Snapshot(usize),
    /// A profile or permission set whose metadata makes it an
    /// integration's (pre-authorized by an integration's app, licence,
    /// `ApiUserOnly`, name) and that no integration above holds. Its user
    /// is unknown.
    Discovered(Holder),
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
    pub profiles: Vec<ProfileId>,
    pub permission_sets: Vec<PermissionSetId>,
    pub groups: Vec<GroupId>,
    pub apps: Vec<AppId>,
    pub missing: Vec<Missing>,
    /// Where the inventory names the profile.
    pub profile_loc: Option<Loc>,
    /// The user's record in the org snapshot (index into
    /// `Snapshot::users`), when there is one.
    pub snapshot_user: Option<usize>,
    /// What makes it an integration, strongest first.
    pub evidence: Vec<Evidence>,
    /// Found by its name alone: what its findings say about it, e.g.
    /// "suspected integration profile: its name contains `Data Loader`".
    pub suspect: Option<String>,
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
            Origin::App(_) | Origin::Snapshot(_) | Origin::Discovered(_) => None,
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
    pub list: IdVec<IntegrationId, Integration>,
    /// minpriv.toml in the file table, when one was read.
    pub config_file: Option<FileId>,
    /// Per profile: the integrations that name it.
    pub by_profile: IdVec<ProfileId, Vec<IntegrationId>>,
    /// Per profile: whether it is an integration profile.
    pub is_integration_profile: IdVec<ProfileId, bool>,
    /// Per profile: the Salesforce-managed integration licence it is on
    /// (IDN006), when it is one.
    pub managed_profiles: IdVec<ProfileId, Option<String>>,
    /// Per permission set: whether it is Salesforce-managed (IDN006).
    pub managed_permission_sets: IdVec<PermissionSetId, bool>,
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
        let mut claimed_apps: IdVec<AppId, bool> = IdVec::filled(false, org.apps.len());
        for (i, decl) in config.integrations.iter().enumerate() {
            let mut missing = vec![];
            // A name of the entry that finds nothing is noted as missing.
            let mut note = |kind, name: &toml::Spanned<String>| {
                if let Some(loc) = config_loc(name.span()) {
                    missing.push(Missing {
                        kind,
                        name: name.get_ref().clone(),
                        loc,
                    });
                }
            };
            let profiles = resolve(&decl.profile, ComponentKind::Profile, &mut note, |n| {
                org.profiles_named(n)
            });
            let permission_sets = resolve(
                &decl.permission_sets,
                ComponentKind::PermissionSet,
                &mut note,
                |n| org.permission_sets_named(n),
            );
            let groups = resolve(
                &decl.permission_set_groups,
                ComponentKind::PermissionSetGroup,
                &mut note,
                |n| org.groups_named(n),
            );
            let apps = resolve(
                &decl.connected_apps,
                ComponentKind::ConnectedApp,
                &mut note,
                |n| org.apps_named(n),
            );
            let mut evidence = vec![Evidence {
                kind: EvidenceKind::Declared,
                detail: "declared in minpriv.toml".to_owned(),
                loc: config_loc(decl.name.span()),
            }];
            for &a in &apps {
                claimed_apps[a] = true;
                let app = &org.apps[a];
                if let Some(user) = &app.run_as_user
                    && crate::orgdata::user_key(&user.value)
                        == crate::orgdata::user_key(decl.user.get_ref())
                {
                    evidence.push(run_as_evidence(org, a));
                }
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
                evidence,
                suspect: None,
            });
        }

        for (i, app) in org.apps.enumerate() {
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
                evidence: vec![run_as_evidence(org, i)],
                suspect: None,
            });
        }
        let managed_profiles: IdVec<ProfileId, Option<String>> = org
            .profiles
            .iter()
            .map(|p| identity::managed_profile_licence(org, p).map(str::to_owned))
            .collect();
        let managed_permission_sets: IdVec<PermissionSetId, bool> = org
            .permission_sets
            .iter()
            .map(|s| identity::is_managed_permission_set(org, s))
            .collect();
        let holders = holder_evidence(org, config, &managed_profiles, &managed_permission_sets);
        // An app's run-as user holds what the app pre-authorizes, as far as
        // the metadata tells: the worst case counts.
        // A declared integration's own lists win: what the app
        // pre-authorizes fills in only what the entry leaves out.
        for integration in &mut list {
            let (fill_profiles, fill_sets) = match integration.origin {
                Origin::App(_) => (true, true),
                Origin::Declared(d) => {
                    let decl = &config.integrations[d];
                    (
                        decl.profile.is_none(),
                        decl.permission_sets.is_empty() && decl.permission_set_groups.is_empty(),
                    )
                }
                Origin::Snapshot(_) | Origin::Discovered(_) => (false, false),
            };
            for &a in &integration.apps.clone() {
                let (profiles, sets) =
                    pre_authorized(org, a, &managed_profiles, &managed_permission_sets);
                if fill_profiles {
                    union(&mut integration.profiles, profiles);
                }
                if fill_sets {
                    union(&mut integration.permission_sets, sets);
                }
            }
        }
        if let Some(snapshot) = snapshot {
            add_snapshot(org, snapshot, &mut list, &managed_profiles);
        }
        add_discovered(org, &holders, &mut list);

        let list: IdVec<IntegrationId, Integration> = list.into();
        let mut by_profile: IdVec<ProfileId, Vec<IntegrationId>> =
            IdVec::filled(vec![], org.profiles.len());
        for (i, integration) in list.enumerate() {
            for &p in &integration.profiles {
                // `i` only grows: a repeat can only be the last entry.
                if by_profile[p].last() != Some(&i) {
                    by_profile[p].push(i);
                }
            }
        }
        let is_integration_profile = org
            .profiles
            .enumerate()
            .map(|(i, p)| {
                managed_profiles[i].is_none()
                    && (!by_profile[i].is_empty()
                        || org.has_integration_license(p)
                        || org.api_only_permission(&p.grants).is_some())
            })
            .collect();
        Integrations {
            list,
            config_file,
            by_profile,
            is_integration_profile,
            managed_profiles,
            managed_permission_sets,
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
    pub fn profiles(&self) -> impl Iterator<Item = (ProfileId, &[IntegrationId])> {
        self.is_integration_profile
            .enumerate()
            .filter(|(_, is)| **is)
            .map(|(i, _)| (i, self.by_profile[i].as_slice()))
    }

    /// The integration a finding on profile `p` names: the first by name
    /// of those that use it (the others are in the message).
    pub fn names_for_profile(&self, p: ProfileId) -> Vec<&str> {
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
fn add_snapshot(
    org: &Org,
    snapshot: &Snapshot,
    list: &mut Vec<Integration>,
    managed_profiles: &IdVec<ProfileId, Option<String>>,
) {
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
            managed_profiles[p].is_none()
                && (org.has_integration_license(profile)
                    || org.api_only_permission(&profile.grants).is_some())
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
            evidence: vec![Evidence {
                kind: EvidenceKind::Snapshot,
                detail: if on_integration_licence {
                    "an active user on the Salesforce Integration licence in the org snapshot"
                        .to_owned()
                } else {
                    "an active user on an API-only profile in the org snapshot".to_owned()
                },
                loc: Some(user.username.loc),
            }],
            suspect: None,
        });
    }
}

fn run_as_evidence(org: &Org, a: AppId) -> Evidence {
    let app = &org.apps[a];
    Evidence {
        kind: EvidenceKind::RunAs,
        detail: format!(
            "{} `{}` runs as this user (client credentials)",
            app.kind.label(),
            org.name(app.name)
        ),
        loc: app.run_as_user.as_ref().map(|u| u.loc),
    }
}

/// The profiles and permission sets app `a` pre-authorizes, when it is an
/// integration's app, leaving out Salesforce-managed ones.
fn pre_authorized(
    org: &Org,
    a: AppId,
    managed_profiles: &IdVec<ProfileId, Option<String>>,
    managed_sets: &IdVec<PermissionSetId, bool>,
) -> (Vec<ProfileId>, Vec<PermissionSetId>) {
    let app = &org.apps[a];
    if !app.is_integration_app() {
        return (vec![], vec![]);
    }
    let mut profiles = vec![];
    for r in &app.profiles {
        let found = org.profiles_named(org.name(r.name));
        union(
            &mut profiles,
            found
                .into_iter()
                .filter(|&p| managed_profiles[p].is_none())
                .collect(),
        );
    }
    let mut sets = vec![];
    for r in &app.permission_sets {
        let found = org.permission_sets_named(org.name(r.name));
        union(
            &mut sets,
            found.into_iter().filter(|&s| !managed_sets[s]).collect(),
        );
    }
    (profiles, sets)
}

/// The evidence each profile and permission set carries by itself.
struct HolderEvidence {
    profiles: IdVec<ProfileId, Vec<Evidence>>,
    permission_sets: IdVec<PermissionSetId, Vec<Evidence>>,
}

impl HolderEvidence {
    fn of(&self, holder: Holder) -> &[Evidence] {
        match holder {
            Holder::Profile(p) => &self.profiles[p],
            Holder::PermissionSet(s) => &self.permission_sets[s],
        }
    }
}

/// Pre-authorization by an integration's app, the integration licence or
/// `ApiUserOnly`, and names (unless `[lint] human-profiles` /
/// `human-permission-sets` dismiss them). Salesforce-managed holders carry
/// none: IDN006 reports them, no other rule.
fn holder_evidence(
    org: &Org,
    config: &Config,
    managed_profiles: &IdVec<ProfileId, Option<String>>,
    managed_sets: &IdVec<PermissionSetId, bool>,
) -> HolderEvidence {
    let mut profiles: IdVec<ProfileId, Vec<Evidence>> = IdVec::filled(vec![], org.profiles.len());
    let mut permission_sets: IdVec<PermissionSetId, Vec<Evidence>> =
        IdVec::filled(vec![], org.permission_sets.len());
    for app in &org.apps {
        if !app.is_integration_app() {
            continue;
        }
        let by = format!(
            "pre-authorized by {} `{}`",
            app.kind.label(),
            org.name(app.name)
        );
        for r in &app.profiles {
            for p in org.profiles_named(org.name(r.name)) {
                if managed_profiles[p].is_none() && !has(&profiles[p], &by) {
                    profiles[p].push(Evidence {
                        kind: EvidenceKind::PreAuthorized,
                        detail: by.clone(),
                        loc: Some(r.loc),
                    });
                }
            }
        }
        for r in &app.permission_sets {
            for s in org.permission_sets_named(org.name(r.name)) {
                if !managed_sets[s] && !has(&permission_sets[s], &by) {
                    permission_sets[s].push(Evidence {
                        kind: EvidenceKind::PreAuthorized,
                        detail: by.clone(),
                        loc: Some(r.loc),
                    });
                }
            }
        }
    }
    let app_labels: Vec<&str> = org.apps.iter().filter_map(|a| a.label.as_deref()).collect();
    let names = identity::NameTest::new(&app_labels);
    for (p, profile) in org.profiles.enumerate() {
        if managed_profiles[p].is_some() {
            continue;
        }
        let evidence = &mut profiles[p];
        if let Some(licence) = profile
            .user_license
            .as_ref()
            .filter(|_| org.has_integration_license(profile))
        {
            evidence.push(Evidence {
                kind: EvidenceKind::Licence,
                detail: format!("on the {INTEGRATION_LICENSE} licence"),
                loc: Some(licence.loc),
            });
        }
        if let Some(api_only) = org.api_only_permission(&profile.grants) {
            evidence.push(Evidence {
                kind: EvidenceKind::Licence,
                detail: "grants ApiUserOnly".to_owned(),
                loc: Some(api_only.site.key_loc()),
            });
        }
        let name = org.name(profile.header.name);
        if !config.lint.is_human_profile(name)
            && let Some(word) = names.evidence(name, None)
        {
            evidence.push(Evidence {
                kind: EvidenceKind::Name,
                detail: format!("its name contains `{word}`"),
                loc: Some(profile.header.root_loc()),
            });
        }
    }
    for (s, set) in org.permission_sets.enumerate() {
        if managed_sets[s] {
            continue;
        }
        let evidence = &mut permission_sets[s];
        if let Some(api_only) = org.api_only_permission(&set.grants) {
            evidence.push(Evidence {
                kind: EvidenceKind::Licence,
                detail: "grants ApiUserOnly".to_owned(),
                loc: Some(api_only.site.key_loc()),
            });
        }
        let name = org.name(set.header.name);
        if !config
            .lint
            .is_human_permission_set(name, set.label.as_deref())
            && let Some(word) = names.evidence(name, set.label.as_deref())
        {
            evidence.push(Evidence {
                kind: EvidenceKind::Name,
                detail: format!("its name contains `{word}`"),
                loc: Some(set.header.root_loc()),
            });
        }
    }
    HolderEvidence {
        profiles,
        permission_sets,
    }
}

fn has(evidence: &[Evidence], detail: &str) -> bool {
    evidence.iter().any(|e| e.detail == detail)
}

/// Adds each holder's evidence to the integrations that hold it, then one
/// integration per holder with evidence that none holds.
fn add_discovered(org: &Org, holders: &HolderEvidence, list: &mut Vec<Integration>) {
    let mut held_profiles: IdVec<ProfileId, bool> = IdVec::filled(false, holders.profiles.len());
    let mut held_sets: IdVec<PermissionSetId, bool> =
        IdVec::filled(false, holders.permission_sets.len());
    for integration in list.iter_mut() {
        // What the user holds directly and through its groups.
        let through_groups = integration.groups.iter().flat_map(|&g| {
            org.groups[g]
                .permission_sets
                .iter()
                .flat_map(|r| org.permission_sets_named(org.name(r.name)))
        });
        let mut held: Vec<Holder> = integration
            .profiles
            .iter()
            .map(|&p| Holder::Profile(p))
            .chain(
                integration
                    .permission_sets
                    .iter()
                    .map(|&s| Holder::PermissionSet(s)),
            )
            .chain(through_groups.map(Holder::PermissionSet))
            .collect();
        held.dedup();
        for holder in held {
            match holder {
                Holder::Profile(p) => held_profiles[p] = true,
                Holder::PermissionSet(s) => held_sets[s] = true,
            }
            let title = holder_title(org, holder);
            // A name adds nothing to an identity found otherwise.
            for e in holders
                .of(holder)
                .iter()
                .filter(|e| e.kind != EvidenceKind::Name)
            {
                integration.evidence.push(Evidence {
                    detail: format!("{title}: {}", e.detail),
                    ..e.clone()
                });
            }
        }
    }
    let unheld = holders
        .profiles
        .ids()
        .filter(|&p| !held_profiles[p])
        .map(Holder::Profile)
        .chain(
            holders
                .permission_sets
                .ids()
                .filter(|&s| !held_sets[s])
                .map(Holder::PermissionSet),
        );
    for holder in unheld {
        let evidence = holders.of(holder);
        if evidence.is_empty() {
            continue;
        }
        let mut evidence = evidence.to_vec();
        evidence.sort_by_key(|e| e.kind);
        let (kind_label, name) = match holder {
            Holder::Profile(p) => ("profile", org.name(org.profiles[p].header.name)),
            Holder::PermissionSet(s) => (
                "permission set",
                org.name(org.permission_sets[s].header.name),
            ),
        };
        let suspect = evidence
            .iter()
            .all(|e| e.kind == EvidenceKind::Name)
            .then(|| format!("suspected integration {kind_label}: {}", evidence[0].detail));
        let mut unique = name.to_owned();
        let mut n = 1;
        while list.iter().any(|x| x.name == unique) {
            unique = match n {
                1 => format!("{name} (discovered)"),
                _ => format!("{name} (discovered {n})"),
            };
            n += 1;
        }
        let (profiles, permission_sets) = match holder {
            Holder::Profile(p) => (vec![p], vec![]),
            Holder::PermissionSet(s) => (vec![], vec![s]),
        };
        let apps = org
            .apps
            .enumerate()
            .filter(|(_, app)| {
                app.is_integration_app()
                    && match holder {
                        Holder::Profile(p) => app
                            .profiles
                            .iter()
                            .any(|r| org.profiles_named(org.name(r.name)).contains(&p)),
                        Holder::PermissionSet(s) => app
                            .permission_sets
                            .iter()
                            .any(|r| org.permission_sets_named(org.name(r.name)).contains(&s)),
                    }
            })
            .map(|(a, _)| a)
            .collect();
        list.push(Integration {
            name: unique,
            user: None,
            user_loc: None,
            origin: Origin::Discovered(holder),
            profiles,
            permission_sets,
            groups: vec![],
            apps,
            missing: vec![],
            profile_loc: None,
            snapshot_user: None,
            evidence,
            suspect,
        });
    }
}

/// ``profile `Integration User` ``.
pub fn holder_title(org: &Org, holder: Holder) -> String {
    match holder {
        Holder::Profile(p) => format!("profile `{}`", org.name(org.profiles[p].header.name)),
        Holder::PermissionSet(s) => format!(
            "permission set `{}`",
            org.name(org.permission_sets[s].header.name)
        ),
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

fn union<T: PartialEq>(into: &mut Vec<T>, more: Vec<T>) {
    for m in more {
        if !into.contains(&m) {
            into.push(m);
        }
    }
}

/// What each of `names` (an inventory entry's names of one kind) finds with
/// `find`, in order; a name that finds nothing goes to `note`.
fn resolve<'n, I>(
    names: impl IntoIterator<Item = &'n toml::Spanned<String>>,
    kind: ComponentKind,
    note: &mut impl FnMut(ComponentKind, &toml::Spanned<String>),
    find: impl Fn(&str) -> Vec<I>,
) -> Vec<I> {
    let mut out = vec![];
    for name in names {
        let found = find(name.get_ref());
        if found.is_empty() {
            note(kind, name);
        }
        out.extend(found);
    }
    out
}
