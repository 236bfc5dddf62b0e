use std::collections::HashMap;

use super::profiles::{profile_full_name_for_label, profile_label_for_full_name};
use super::*;
use crate::source::{Loc, Sources};

/// Everything read from the metadata trees, in discovery order (so the same
/// input gives the same model whatever the thread count).
pub struct Org {
    pub sources: Sources,
    pub names: lasso::RodeoReader,
    pub profiles: IdVec<ProfileId, Profile>,
    pub permission_sets: IdVec<PermissionSetId, PermissionSet>,
    pub groups: IdVec<GroupId, PermissionSetGroup>,
    pub muting_sets: IdVec<MutingSetId, MutingPermissionSet>,
    pub apps: IdVec<AppId, App>,
    pub named_credentials: Vec<NamedCredential>,
    pub external_credentials: Vec<ExternalCredential>,
    /// The metadata files `.forceignore` hid from the run, per pattern
    /// (REF003); set by the loader.
    pub hidden_by_forceignore: Vec<Hidden>,
    by_name: ByName,
}

/// The components of each kind by full name.
#[derive(Default)]
struct ByName {
    profiles: HashMap<Sym, Vec<ProfileId>>,
    permission_sets: HashMap<Sym, Vec<PermissionSetId>>,
    groups: HashMap<Sym, Vec<GroupId>>,
    muting_sets: HashMap<Sym, Vec<MutingSetId>>,
    /// By kind too: a connected app and an External Client App may share
    /// a name.
    apps: HashMap<(ComponentKind, Sym), Vec<AppId>>,
}

fn index_by<K: std::hash::Hash + Eq, I: Id, T>(
    list: &IdVec<I, T>,
    key: impl Fn(&T) -> K,
) -> HashMap<K, Vec<I>> {
    let mut by: HashMap<K, Vec<I>> = HashMap::new();
    for (id, item) in list.enumerate() {
        by.entry(key(item)).or_default().push(id);
    }
    by
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
        let profiles = IdVec::from(profiles);
        let permission_sets = IdVec::from(permission_sets);
        let groups = IdVec::from(groups);
        let muting_sets = IdVec::from(muting_sets);
        let apps = IdVec::from(apps);
        let by_name = ByName {
            profiles: index_by(&profiles, |p| p.header.name),
            permission_sets: index_by(&permission_sets, |p| p.header.name),
            groups: index_by(&groups, |g| g.header.name),
            muting_sets: index_by(&muting_sets, |m| m.header.name),
            apps: index_by(&apps, |a| (a.kind, a.name)),
        };
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

    /// The ids `by_name` holds for `name`.
    fn exact<K: std::hash::Hash + Eq, I: Id>(
        &self,
        by_name: &HashMap<K, Vec<I>>,
        key: impl FnOnce(Sym) -> K,
        name: &str,
    ) -> Vec<I> {
        self.sym(name)
            .and_then(|s| by_name.get(&key(s)))
            .cloned()
            .unwrap_or_default()
    }

    pub fn profile(&self, id: ProfileId) -> &Profile {
        &self.profiles[id]
    }

    pub fn permission_set(&self, id: PermissionSetId) -> &PermissionSet {
        &self.permission_sets[id]
    }

    pub fn group(&self, id: GroupId) -> &PermissionSetGroup {
        &self.groups[id]
    }

    pub fn muting_set(&self, id: MutingSetId) -> &MutingPermissionSet {
        &self.muting_sets[id]
    }

    pub fn app(&self, id: AppId) -> &App {
        &self.apps[id]
    }

    /// Profiles called `name_or_label`: by full name (`Admin`), by the
    /// label of a standard profile (`System Administrator`), or, failing
    /// both, by a case-insensitive full name. Several files may hold a
    /// profile of the same name (one per package directory).
    pub fn profiles_named(&self, name_or_label: &str) -> Vec<ProfileId> {
        let by_full_name = |name| self.exact(&self.by_name.profiles, |s| s, name);
        let exact = by_full_name(name_or_label);
        if !exact.is_empty() {
            return exact;
        }
        if let Some(full) = profile_full_name_for_label(name_or_label) {
            let found = by_full_name(full);
            if !found.is_empty() {
                return found;
            }
        }
        if let Some(label) = profile_label_for_full_name(name_or_label) {
            let found = by_full_name(label);
            if !found.is_empty() {
                return found;
            }
        }
        self.profiles
            .enumerate()
            .filter(|(_, p)| self.name(p.header.name).eq_ignore_ascii_case(name_or_label))
            .map(|(id, _)| id)
            .collect()
    }

    /// Permission sets by API name, or failing that by label (connected
    /// apps may name either).
    pub fn permission_sets_named(&self, name: &str) -> Vec<PermissionSetId> {
        let exact = self.exact(&self.by_name.permission_sets, |s| s, name);
        if !exact.is_empty() {
            return exact;
        }
        self.permission_sets
            .enumerate()
            .filter(|(_, p)| p.label.as_deref() == Some(name))
            .map(|(id, _)| id)
            .collect()
    }

    pub fn groups_named(&self, name: &str) -> Vec<GroupId> {
        self.exact(&self.by_name.groups, |s| s, name)
    }

    pub fn muting_sets_named(&self, name: &str) -> Vec<MutingSetId> {
        self.exact(&self.by_name.muting_sets, |s| s, name)
    }

    /// Connected apps and External Client Apps by name.
    pub fn apps_named(&self, name: &str) -> Vec<AppId> {
        let by_kind = |kind| self.exact(&self.by_name.apps, |s| (kind, s), name);
        let mut found = by_kind(ComponentKind::ConnectedApp);
        found.extend(by_kind(ComponentKind::ExternalClientApp));
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
