use std::collections::HashMap;

use super::profiles::{profile_full_name_for_label, profile_label_for_full_name};
use super::*;
use crate::source::{Loc, Sources};

/// Everything read from the metadata trees, in discovery order (so the same
/// input gives the same model whatever the thread count).
pub struct Org {
    pub sources: Sources,
    pub names: lasso::RodeoReader,
    pub profiles: Vec<Profile>,
    pub permission_sets: Vec<PermissionSet>,
    pub groups: Vec<PermissionSetGroup>,
    pub muting_sets: Vec<MutingPermissionSet>,
    pub apps: Vec<App>,
    pub named_credentials: Vec<NamedCredential>,
    pub external_credentials: Vec<ExternalCredential>,
    /// The metadata files `.forceignore` hid from the run, per pattern
    /// (REF003); set by the loader.
    pub hidden_by_forceignore: Vec<Hidden>,
    by_name: HashMap<(ComponentKind, Sym), Vec<usize>>,
}

/// The metadata files one `.forceignore` pattern hid from the run: the
/// pattern's line in its file, and how many files of each kind minpriv
/// would have read (REF003). A check that cannot see the profiles must
/// not look clean.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hidden {
    /// The pattern's line in the `.forceignore` file.
    pub loc: Loc,
    pub pattern: String,
    /// Whether the pattern is one `sf` adds to every `.forceignore`
    /// (`**/.*`, …), not a line of the file.
    pub built_in: bool,
    /// Per kind of file, in `parse::FileKind` order: how many it hid.
    pub counts: Vec<(&'static str, usize)>,
}

impl Hidden {
    /// `12 profiles, 3 connected apps`.
    pub fn describe(&self) -> String {
        self.counts
            .iter()
            .map(|(kind, n)| format!("{n} {}", plural_kind(kind, *n)))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// `profiles`, `permission set files`.
pub fn plural_kind(kind: &str, n: usize) -> String {
    if n == 1 {
        kind.to_owned()
    } else {
        format!("{kind}s")
    }
}

/// A component found by name: its kind and index in the matching list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ComponentRef {
    pub kind: ComponentKind,
    pub index: usize,
}

impl Org {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        sources: Sources,
        names: lasso::RodeoReader,
        profiles: Vec<Profile>,
        permission_sets: Vec<PermissionSet>,
        groups: Vec<PermissionSetGroup>,
        muting_sets: Vec<MutingPermissionSet>,
        apps: Vec<App>,
        named_credentials: Vec<NamedCredential>,
        external_credentials: Vec<ExternalCredential>,
    ) -> Self {
        let mut by_name: HashMap<(ComponentKind, Sym), Vec<usize>> = HashMap::new();
        let mut add = |kind, name, i| by_name.entry((kind, name)).or_default().push(i);
        for (i, p) in profiles.iter().enumerate() {
            add(ComponentKind::Profile, p.header.name, i);
        }
        for (i, p) in permission_sets.iter().enumerate() {
            add(ComponentKind::PermissionSet, p.header.name, i);
        }
        for (i, g) in groups.iter().enumerate() {
            add(ComponentKind::PermissionSetGroup, g.header.name, i);
        }
        for (i, m) in muting_sets.iter().enumerate() {
            add(ComponentKind::MutingPermissionSet, m.header.name, i);
        }
        for (i, a) in apps.iter().enumerate() {
            add(a.kind, a.name, i);
        }
        Org {
            sources,
            names,
            profiles,
            permission_sets,
            groups,
            muting_sets,
            apps,
            named_credentials,
            external_credentials,
            hidden_by_forceignore: vec![],
            by_name,
        }
    }

    /// The text of an interned name.
    pub fn name(&self, sym: Sym) -> &str {
        self.names.resolve(&sym)
    }

    /// The symbol for `text`, if any file used that name.
    pub fn sym(&self, text: &str) -> Option<Sym> {
        self.names.get(text)
    }

    fn exact(&self, kind: ComponentKind, name: &str) -> &[usize] {
        self.sym(name)
            .and_then(|s| self.by_name.get(&(kind, s)))
            .map_or(&[], Vec::as_slice)
    }

    /// Profiles called `name_or_label`: by full name (`Admin`), by the
    /// label of a standard profile (`System Administrator`), or, failing
    /// both, by a case-insensitive full name. Several files may hold a
    /// profile of the same name (one per package directory).
    pub fn profiles_named(&self, name_or_label: &str) -> Vec<usize> {
        let exact = self.exact(ComponentKind::Profile, name_or_label);
        if !exact.is_empty() {
            return exact.to_vec();
        }
        if let Some(full) = profile_full_name_for_label(name_or_label) {
            let found = self.exact(ComponentKind::Profile, full);
            if !found.is_empty() {
                return found.to_vec();
            }
        }
        if let Some(label) = profile_label_for_full_name(name_or_label) {
            let found = self.exact(ComponentKind::Profile, label);
            if !found.is_empty() {
                return found.to_vec();
            }
        }
        self.profiles
            .iter()
            .enumerate()
            .filter(|(_, p)| self.name(p.header.name).eq_ignore_ascii_case(name_or_label))
            .map(|(i, _)| i)
            .collect()
    }

    /// Permission sets by API name, or failing that by label (connected
    /// apps may name either).
    pub fn permission_sets_named(&self, name: &str) -> Vec<usize> {
        let exact = self.exact(ComponentKind::PermissionSet, name);
        if !exact.is_empty() {
            return exact.to_vec();
        }
        self.permission_sets
            .iter()
            .enumerate()
            .filter(|(_, p)| p.label.as_deref() == Some(name))
            .map(|(i, _)| i)
            .collect()
    }

    pub fn groups_named(&self, name: &str) -> Vec<usize> {
        self.exact(ComponentKind::PermissionSetGroup, name).to_vec()
    }

    pub fn muting_sets_named(&self, name: &str) -> Vec<usize> {
        self.exact(ComponentKind::MutingPermissionSet, name)
            .to_vec()
    }

    /// Connected apps and External Client Apps by name.
    pub fn apps_named(&self, name: &str) -> Vec<usize> {
        let mut found = self.exact(ComponentKind::ConnectedApp, name).to_vec();
        found.extend_from_slice(self.exact(ComponentKind::ExternalClientApp, name));
        found.sort_unstable();
        found
    }

    /// Whether a profile's licence is the Salesforce Integration licence.
    pub fn has_integration_license(&self, profile: &Profile) -> bool {
        profile
            .user_license
            .as_ref()
            .is_some_and(|l| self.name(l.value) == INTEGRATION_LICENSE)
    }

    /// The enabled `ApiUserOnly` permission of a profile, if any.
    pub fn api_only_permission<'a>(&self, grants: &'a Grants) -> Option<&'a UserPermission> {
        self.sym(API_ONLY_PERMISSION)
            .and_then(|s| grants.user_permission(s))
    }
}
