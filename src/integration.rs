//! Who the integrations are (SPEC §2): those the inventory declares, and
//! those discovered from client-credentials run-as users of apps the
//! inventory does not claim. Also which profiles are integration profiles.

use crate::access::Assignment;
use crate::config::{Config, IntegrationDecl};
use crate::model::{ComponentKind, Org};
use crate::source::{FileId, Loc, Span};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// `[[integration]]` number n of the inventory.
    Declared(usize),
    /// A connected app / External Client App with a run-as user that no
    /// declared integration claims.
    App(usize),
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
            Origin::App(_) => None,
        }
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
    pub fn resolve(org: &Org, config: &Config, config_file: Option<FileId>) -> Integrations {
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
            });
        }

        let mut by_profile = vec![vec![]; org.profiles.len()];
        for (i, integration) in list.iter().enumerate() {
            for &p in &integration.profiles {
                if !by_profile[p].contains(&i) {
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
