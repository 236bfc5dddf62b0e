//! `minpriv fix` (README, "Fixing"): the metadata of the setup the practice asks
//! for, worked out from what was loaded, as a [`Plan`] of files to write.
//!
//! Per declared integration: a dedicated API-only profile ([`profile`]),
//! the access it held moved into a `<Name>_Access` permission set, its
//! permission sets bundled into a group with a muting set for what they
//! grant beyond the contract ([`access`]), its OAuth apps tightened
//! ([`apps`]) and `minpriv.toml` edited to match ([`inventory`]). Nothing
//! here writes to disk: the plan holds each file's old and new text, and
//! `cli::fix` prints it or writes it.
//!
//! Every step only takes away: the result, compared with `minpriv diff`,
//! shows losses and no gain for every integration.

mod access;
mod apps;
mod fields;
mod inventory;
mod profile;
pub mod xml;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::config::{Config, IntegrationDecl};
use crate::integration::{Integration, Integrations, Origin};
use crate::model::{IntegrationId, ObjectAccess, Org, permissions::high_risk_label};
use crate::source::display_path;

/// What `fix` would do.
#[derive(Debug, Default)]
pub struct Plan {
    /// The integrations fixed, by name.
    pub integrations: Vec<IntegrationPlan>,
    /// Integrations left alone, with why.
    pub skipped: Vec<(String, String)>,
    /// Files to create or change, by path.
    pub files: Vec<FileChange>,
    /// The pitfalls avoided, each once.
    pub pitfalls: Vec<String>,
    /// The package directories written to, for the deploy command.
    pub deploy_dirs: Vec<String>,
    /// Metadata API format (deploy with `--metadata-dir`).
    pub mdapi: bool,
}

#[derive(Debug, Default)]
pub struct IntegrationPlan {
    pub name: String,
    pub user: Option<String>,
    /// What changes, one line each.
    pub actions: Vec<String>,
    /// What metadata cannot do, with the exact commands.
    pub next_steps: Vec<String>,
    /// Rules this run cannot settle for the integration, with why.
    pub remaining: Vec<String>,
}

/// One file to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileChange {
    pub path: PathBuf,
    /// As shown: relative to the current directory, `/` separators.
    pub display: String,
    /// `None` for a new file.
    pub old: Option<String>,
    pub new: String,
}

/// An error that stops the whole run (nothing is written).
#[derive(Debug)]
pub struct FixError(pub String);

impl std::fmt::Display for FixError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The files of the plan as they stand while it is built: an edit of a
/// file already edited starts from the pending text.
struct Files {
    cwd: PathBuf,
    pending: BTreeMap<PathBuf, FileChange>,
}

impl Files {
    fn current(&self, path: &Path) -> Result<Option<String>, FixError> {
        if let Some(change) = self.pending.get(path) {
            return Ok(Some(change.new.clone()));
        }
        if let Err(e) = std::fs::metadata(path)
            && e.kind() == std::io::ErrorKind::NotFound
        {
            return Ok(None);
        }
        // Unmasked: the text is written back, secrets included. Through
        // the reader's checks all the same (a regular file, not too large).
        let cannot = |e: String| {
            // The I/O error alone, as before: "cannot read x: Permission denied".
            let e = e.strip_prefix("cannot read the file: ").unwrap_or(&e);
            FixError(format!(
                "cannot read {}: {e}",
                display_path(path, &self.cwd)
            ))
        };
        let bytes =
            crate::source::read_raw(path, crate::parse::DEFAULT_MAX_FILE_SIZE).map_err(cannot)?;
        String::from_utf8(bytes)
            .map(Some)
            .map_err(|_| cannot("stream did not contain valid UTF-8".to_owned()))
    }

    /// The tree of an existing file (pending edits included).
    fn tree(&self, path: &Path) -> Result<xml::Element, FixError> {
        let text = self.current(path)?.ok_or_else(|| {
            FixError(format!(
                "{} disappeared while fix was reading it",
                display_path(path, &self.cwd)
            ))
        })?;
        xml::parse(&text).map_err(|e| {
            let at = e.span.map(|s| format!("at byte {}: ", s.start));
            FixError(format!(
                "{}: {}{}",
                display_path(path, &self.cwd),
                at.unwrap_or_default(),
                e.message
            ))
        })
    }

    /// Records the new text of `path` (nothing when it is what is there).
    fn put(&mut self, path: &Path, new: String) -> Result<(), FixError> {
        let old = match self.pending.remove(path) {
            Some(change) => change.old,
            None => self.current(path)?,
        };
        if old.as_deref() == Some(new.as_str()) {
            return Ok(());
        }
        let display = display_path(path, &self.cwd);
        self.pending.insert(
            path.to_path_buf(),
            FileChange {
                path: path.to_path_buf(),
                display,
                old,
                new,
            },
        );
        Ok(())
    }
}

/// The names `fix` gives an integration's components: `orders-sync` has
/// the profile `Orders Sync Integration`, the permission set
/// `Orders_Sync_Access`, the group `Orders_Sync`, the muting set
/// `Orders_Sync_Mute`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Names {
    /// `Orders Sync`: labels.
    pub label: String,
    /// `Orders_Sync`: API names.
    pub api: String,
}

impl Names {
    pub fn of(integration: &str) -> Names {
        let words: Vec<String> = integration
            .split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(|w| {
                let mut chars = w.chars();
                chars.next().map_or_else(String::new, |first| {
                    first.to_ascii_uppercase().to_string() + chars.as_str()
                })
            })
            .collect();
        let mut api = words.join("_");
        if api.is_empty() {
            api = "Integration".to_owned();
        }
        if api.starts_with(|c: char| c.is_ascii_digit()) {
            api = format!("X{api}");
        }
        let label = if words.is_empty() {
            api.clone()
        } else {
            words.join(" ")
        };
        Names { label, api }
    }

    pub fn profile(&self) -> String {
        format!("{} Integration", self.label)
    }

    pub fn access_set(&self) -> String {
        format!("{}_Access", self.api)
    }
}

/// Source format (`X.profile-meta.xml`) or Metadata API (`X.profile`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    Source,
    Mdapi,
}

/// Where new components of one integration go: the package directory of
/// its profile (or its other files), in that directory's format.
#[derive(Clone, Debug)]
struct Layout {
    base: PathBuf,
    format: Format,
}

impl Layout {
    /// `base/<folder>/<encoded name>.<suffix>[-meta.xml]`.
    fn path(&self, folder: &str, name: &str, suffix: &str) -> PathBuf {
        let encoded = encode_file_name(name);
        let file = match self.format {
            Format::Source => format!("{encoded}.{suffix}-meta.xml"),
            Format::Mdapi => format!("{encoded}.{suffix}"),
        };
        self.base.join(folder).join(file)
    }
}

/// File names are URL-encoded full names: spaces and
/// hyphens stay, `.`, `:`, `/`, `%` and the like are encoded.
fn encode_file_name(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() || matches!(c, ' ' | '-' | '_' | '(' | ')') {
            out.push(c);
        } else {
            let mut buf = [0; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        }
    }
    out
}

/// What the inventory allows an integration: its contract (when it
/// declares one) and the high-risk permissions it accepts.
struct Contract<'c> {
    objects: Option<&'c BTreeMap<String, toml::Spanned<ObjectAccess>>>,
    allowed: Vec<&'c str>,
}

impl<'c> Contract<'c> {
    fn of(decl: &'c IntegrationDecl) -> Self {
        Contract {
            objects: decl.objects.as_ref(),
            allowed: decl
                .allow_permissions
                .iter()
                .map(|p| p.get_ref().as_str())
                .collect(),
        }
    }

    /// Whether a system permission may reach the integration.
    fn permission(&self, name: &str) -> bool {
        high_risk_label(name).is_none() || self.allowed.contains(&name)
    }

    /// The part of `flags` on `object` the integration may hold. Without a
    /// contract, everything but View All / Modify All Records (ADM003 asks
    /// a contract for those).
    fn object(&self, object: &str, flags: ObjectAccess) -> ObjectAccess {
        match self.objects {
            Some(contract) => contract
                .get(object)
                .map_or(ObjectAccess::empty(), |a| flags.intersection(*a.get_ref())),
            None => flags
                .difference(ObjectAccess::VIEW_ALL)
                .difference(ObjectAccess::MODIFY_ALL)
                .difference(ObjectAccess::VIEW_ALL_FIELDS),
        }
    }

    /// The part of (readable, editable) on `field` the integration may hold.
    fn field(&self, field: &str, readable: bool, editable: bool) -> (bool, bool) {
        let (read, edit) = match self.objects {
            Some(contract) => {
                let object = field.split('.').next().unwrap_or(field);
                let allowed = contract
                    .get(object)
                    .map_or(ObjectAccess::empty(), |a| *a.get_ref());
                (
                    readable && allowed.contains(ObjectAccess::READ),
                    editable && allowed.contains(ObjectAccess::EDIT),
                )
            }
            None => (readable, editable),
        };
        // Editable without readable cannot be saved.
        (read, edit && read)
    }
}

/// Everything the planning reads.
pub struct Inputs<'a> {
    pub org: &'a Org,
    pub config: &'a Config,
    pub integrations: &'a Integrations,
    /// Where paths are shown from.
    pub cwd: &'a Path,
    /// The directories to look for CustomField files in (required fields).
    pub roots: Vec<PathBuf>,
}

/// Works out the plan for the integrations named (all when `only` is
/// empty). An unknown name is an error.
pub fn plan(inputs: &Inputs, only: &[String]) -> Result<Plan, FixError> {
    let list = &inputs.integrations.list;
    for name in only {
        if !list.iter().any(|i| &i.name == name) {
            let mut known: Vec<&str> = list.iter().map(|i| i.name.as_str()).collect();
            known.sort_unstable();
            return Err(FixError(format!(
                "no integration is called `{name}` (known: {})",
                known.join(", ")
            )));
        }
    }
    let required = fields::required_fields(&inputs.roots);
    let mut files = Files {
        cwd: inputs.cwd.to_path_buf(),
        pending: BTreeMap::new(),
    };
    let mut toml = inventory::Inventory::open(inputs.config)?;
    let mut plan = Plan::default();
    let mut pitfalls = BTreeSet::new();
    let mut deploy_dirs = BTreeSet::new();

    let mut order: Vec<IntegrationId> = list
        .ids()
        .filter(|&i| only.is_empty() || only.contains(&list[i].name))
        .collect();
    order.sort_by(|&a, &b| list[a].name.cmp(&list[b].name));
    for i in order {
        let integration = &list[i];
        let Origin::Declared(d) = integration.origin else {
            plan.skipped.push((
                integration.name.clone(),
                "not declared in minpriv.toml: it has no contract, no ip-allowlist and no \
                 entry to update; declare it with an [[integration]] entry (`minpriv init` \
                 drafts one) and run fix again"
                    .to_owned(),
            ));
            continue;
        };
        let decl = &inputs.config.integrations[d];
        let mut cx = Fixing {
            inputs,
            integration,
            decl,
            contract: Contract::of(decl),
            names: Names::of(&integration.name),
            layout: layout_of(inputs, integration),
            required: &required,
            files: &mut files,
            toml: &mut toml,
            pitfalls: &mut pitfalls,
            out: IntegrationPlan {
                name: integration.name.clone(),
                user: integration.user.clone(),
                ..IntegrationPlan::default()
            },
        };
        cx.run()?;
        if cx.layout.format == Format::Mdapi {
            plan.mdapi = true;
        }
        deploy_dirs.insert(display_path(&cx.layout.base, inputs.cwd));
        plan.integrations.push(cx.out);
    }
    manifests(&mut files)?;
    if let Some((path, text)) = toml.finish() {
        files.put(&path, text)?;
    }
    plan.files = files.pending.into_values().collect();
    plan.pitfalls = pitfalls.into_iter().collect();
    plan.deploy_dirs = deploy_dirs.into_iter().collect();
    Ok(plan)
}

/// The state of fixing one integration.
struct Fixing<'p, 'a> {
    inputs: &'p Inputs<'a>,
    integration: &'a Integration,
    decl: &'a IntegrationDecl,
    contract: Contract<'a>,
    names: Names,
    layout: Layout,
    required: &'p BTreeSet<String>,
    files: &'p mut Files,
    toml: &'p mut inventory::Inventory,
    pitfalls: &'p mut BTreeSet<String>,
    out: IntegrationPlan,
}

impl<'a> Fixing<'_, 'a> {
    fn run(&mut self) -> Result<(), FixError> {
        let profile = self.fix_profile()?;
        self.fix_access(&profile)?;
        self.fix_apps()?;
        self.next_steps(&profile);
        if self.integration.snapshot_user.is_some() && !self.out.actions.is_empty() {
            // The snapshot is the org as it is today: it keeps assigning
            // the old profile and sets until the user is moved.
            self.out.remaining.push(
                "ADM001/ADM002/ADM003/ADM004/IDN002/IDN003/LIC002/NET001/NET002/NET004/PRF001/PRF002/PRF003/REF002: the org snapshot shows the user's assignments of today; they count until the next steps are done and the snapshot is exported again".to_owned(),
            );
        }
        Ok(())
    }

    fn org(&self) -> &'a Org {
        self.inputs.org
    }

    fn user(&self) -> String {
        self.integration
            .user
            .clone()
            .unwrap_or_else(|| "<username>".to_owned())
    }

    fn next_steps(&mut self, profile: &profile::Outcome) {
        if self.out.actions.is_empty() {
            return;
        }
        let user = self.user();
        // The profile and the licence come first: permission sets with
        // object access cannot be assigned to the user before them.
        let mut first = vec![];
        if let Some(new) = &profile.moved_to {
            first.push(format!(
                "move {user} to the profile `{new}`: `sf data update record --sobject User --where \"Username='{user}'\" --values \"ProfileId=<Id>\"`, the Id from `sf data query --query \"SELECT Id FROM Profile WHERE Name = '{new}'\"`"
            ));
        }
        if profile.integration_licence {
            first.push(format!(
                "give {user} the Salesforce API Integration permission set licence: `sf org assign permsetlicense --name SalesforceAPIIntegrationPsl --on-behalf-of {user}`"
            ));
        }
        self.out.next_steps.splice(0..0, first);
    }
}

/// Lists each component created in Metadata API format in the
/// `package.xml` of its directory: a deploy takes only what it lists. A
/// type listed with `*` already takes every component.
fn manifests(files: &mut Files) -> Result<(), FixError> {
    const TYPES: [(&str, &str); 4] = [
        ("profile", "Profile"),
        ("permissionset", "PermissionSet"),
        ("permissionsetgroup", "PermissionSetGroup"),
        ("mutingpermissionset", "MutingPermissionSet"),
    ];
    let mut wanted: BTreeMap<PathBuf, Vec<(&str, String)>> = BTreeMap::new();
    for change in files.pending.values().filter(|c| c.old.is_none()) {
        let name = change
            .path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("");
        let Some((stem, suffix)) = name.rsplit_once('.') else {
            continue;
        };
        let Some((_, kind)) = TYPES.iter().find(|(s, _)| *s == suffix) else {
            continue;
        };
        let Some(base) = change.path.parent().and_then(Path::parent) else {
            continue;
        };
        let member = percent_encoding::percent_decode_str(stem)
            .decode_utf8_lossy()
            .into_owned();
        wanted
            .entry(base.join("package.xml"))
            .or_default()
            .push((kind, member));
    }
    for (manifest, members) in wanted {
        if files.current(&manifest)?.is_none() {
            continue;
        }
        let mut tree = files.tree(&manifest)?;
        for (kind, member) in members {
            let types = match tree
                .children
                .iter()
                .position(|t| t.name == "types" && t.child_text("name") == Some(kind))
            {
                Some(i) => &mut tree.children[i],
                None => {
                    tree.insert_sorted(xml::Element::parent(
                        "types",
                        vec![xml::Element::leaf("name", kind)],
                    ));
                    tree.children
                        .iter_mut()
                        .find(|t| t.name == "types" && t.child_text("name") == Some(kind))
                        .expect("just added")
                }
            };
            let listed = types.children.iter().any(|m| {
                m.name == "members"
                    && matches!(m.text.as_deref(), Some(t) if t == "*" || t == member)
            });
            if !listed {
                types.insert_sorted(xml::Element::leaf("members", member));
            }
        }
        files.put(&manifest, tree.to_document())?;
    }
    Ok(())
}

/// The package directory and format of an integration's files: its
/// profile's, else its permission sets', groups' or apps', else the first
/// file read, else `force-app/main/default` beside the inventory.
fn layout_of(inputs: &Inputs, integration: &Integration) -> Layout {
    let org = inputs.org;
    let files = integration
        .profiles
        .iter()
        .map(|&p| org.profiles[p].header.file)
        .chain(
            integration
                .groups
                .iter()
                .map(|&g| org.groups[g].header.file),
        )
        .chain(
            integration
                .permission_sets
                .iter()
                .map(|&s| org.permission_sets[s].header.file),
        )
        .chain(integration.apps.iter().map(|&a| org.apps[a].root.file))
        .chain(org.profiles.iter().map(|p| p.header.file));
    for file in files {
        let path = &org.sources.get(file).path;
        let Some(folder) = path.parent() else {
            continue;
        };
        // A decomposed permission set sits one folder deeper.
        let folder_name = folder.file_name().and_then(|n| n.to_str()).unwrap_or("");
        let base = if matches!(
            folder_name,
            "profiles"
                | "permissionsets"
                | "permissionsetgroups"
                | "mutingpermissionsets"
                | "connectedApps"
                | "externalClientApps"
                | "extlClntAppOauthPolicies"
                | "extlClntAppOauthSettings"
                | "extlClntAppGlobalOauthSets"
                | "extlClntAppPolicies"
        ) {
            folder.parent()
        } else {
            folder.parent().and_then(Path::parent)
        };
        let Some(base) = base else { continue };
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        let format = if name.ends_with("-meta.xml") {
            Format::Source
        } else {
            Format::Mdapi
        };
        return Layout {
            base: base.to_path_buf(),
            format,
        };
    }
    let dir = inputs
        .config
        .path
        .as_ref()
        .and_then(|p| p.parent())
        .unwrap_or(inputs.cwd);
    Layout {
        base: dir.join("force-app").join("main").join("default"),
        format: Format::Source,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_read_as_labels_and_api_names() {
        let n = Names::of("orders-sync");
        assert_eq!(n.label, "Orders Sync");
        assert_eq!(n.api, "Orders_Sync");
        assert_eq!(n.profile(), "Orders Sync Integration");
        assert_eq!(n.access_set(), "Orders_Sync_Access");
        assert_eq!(Names::of("3pl feed").api, "X3pl_Feed");
        assert_eq!(Names::of("--").api, "Integration");
        assert_eq!(encode_file_name("A.B: c"), "A%2EB%3A c");
    }
}
