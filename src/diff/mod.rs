//! Privilege delta (`minpriv diff`): what a change to the metadata gives
//! each integration or takes away from it.
//!
//! Both trees are loaded and checked as `minpriv check` would; this module
//! compares the results **by name and value, never by position**: the
//! effective access (system permissions, object flags, field access, other
//! access), the login IP ranges of the integration's profiles (as address
//! sets), the policy of its OAuth apps, and the findings (by fingerprint).
//! Reordering elements, reformatting a file or moving it between source and
//! Metadata API format therefore changes nothing here. Each gain carries
//! its provenance on the new side, each loss its provenance on the old side
//! (and, when a muting permission set caused it, the muting element).
//!
//! The result is plain owned data ([`Delta`]): `report::diff` renders it.

mod apps;
pub mod git;
mod ips;
mod types;

use apps::{Policy, app_changes};
use ips::{Ips, range_changes};
pub use types::{
    AppChange, AppSetting, Changes, Delta, ErrorView, FindingChange, FindingsDelta, FlagsChange,
    FlagsVia, IntegrationDelta, Muting, NamedChange, OtherChange, RangeChange, RangeKind, SideInfo,
    Status, Summary, Via,
};

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::Path;

use crate::access::{EffectiveAccess, Grant, Holder};
use crate::engine::Finding;
use crate::integration::{Integration, Integrations, Origin};
use crate::model::{Grants, Header, Id, IdVec, IntegrationId, ObjectAccess, Org};
use crate::source::{FileError, FileId, Loc, Texts};

/// One side of the comparison: a loaded tree with its effective access and
/// findings.
pub struct Side<'a> {
    /// What the user named: a directory, or a git revision.
    pub label: String,
    /// The commit, for a git revision.
    pub commit: Option<String>,
    pub org: &'a Org,
    pub integrations: &'a Integrations,
    pub access: &'a IdVec<IntegrationId, EffectiveAccess<'a>>,
    pub findings: &'a [Finding],
    /// Metadata files read.
    pub files: usize,
    pub errors: &'a [FileError],
    pub internal_errors: &'a [String],
    /// The temporary directory a git revision was written to: files below
    /// it are shown relative to it (the repository root) when they are not
    /// below the directory the paths are shown from.
    pub root: Option<&'a Path>,
    texts: RefCell<Texts>,
    /// Per file, the offset of each line's start: a large delta asks for
    /// thousands of lines of the same profile.
    line_starts: RefCell<HashMap<FileId, Vec<usize>>>,
}

impl<'a> Side<'a> {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        label: String,
        commit: Option<String>,
        org: &'a Org,
        integrations: &'a Integrations,
        access: &'a IdVec<IntegrationId, EffectiveAccess<'a>>,
        findings: &'a [Finding],
        files: usize,
        errors: &'a [FileError],
        internal_errors: &'a [String],
        root: Option<&'a Path>,
    ) -> Self {
        Side {
            label,
            commit,
            org,
            integrations,
            access,
            findings,
            files,
            errors,
            internal_errors,
            root,
            texts: RefCell::default(),
            line_starts: RefCell::default(),
        }
    }

    /// The path shown for a file.
    fn file(&self, id: FileId) -> String {
        let source = self.org.sources.get(id);
        if let Some(root) = self.root
            && Path::new(&source.display).is_absolute()
            && let Ok(rel) = source.path.strip_prefix(root)
        {
            let parts: Vec<String> = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            return parts.join("/");
        }
        source.display.clone()
    }

    /// 1-based `(line, column, end_line, end_column)`.
    fn position(&self, loc: Loc) -> (usize, usize, usize, usize) {
        self.texts.borrow_mut().position(&self.org.sources, loc)
    }

    fn at(&self, loc: Loc) -> At {
        let mut cache = self.line_starts.borrow_mut();
        let starts = cache.entry(loc.file).or_insert_with(|| {
            let text = self.texts.borrow_mut().get(&self.org.sources, loc.file);
            crate::source::line_starts(text.as_bytes())
        });
        At {
            file: self.file(loc.file),
            line: starts.partition_point(|&s| s <= loc.span.start as usize),
        }
    }

    fn via(&self, grant: &Grant) -> Via {
        let org = self.org;
        let holder = match grant.holder {
            Holder::Profile(p) => format!("Profile:{}", org.name(org.profiles[p].header.name)),
            Holder::PermissionSet(s) => format!(
                "PermissionSet:{}",
                org.name(org.permission_sets[s].header.name)
            ),
        };
        let at = self.at(grant.site.key_loc());
        Via {
            holder,
            file: at.file,
            line: at.line,
            direct: grant.direct,
            groups: grant
                .groups
                .iter()
                .map(|&g| org.name(org.groups[g].header.name).to_owned())
                .collect(),
        }
    }

    fn finding(&self, f: &Finding) -> FindingChange {
        let (line, column, end_line, end_column) = self.position(f.loc);
        FindingChange {
            rule: f.code,
            name: f.name,
            severity: f.severity.as_str(),
            message: f.message.clone(),
            help: f.help.clone(),
            file: self.file(f.loc.file),
            line,
            column,
            end_line,
            end_column,
            integration: f.integration.clone(),
            component: f.component.clone(),
            fingerprint: f.fingerprint.clone(),
        }
    }
}

/// A file and line.
struct At {
    file: String,
    line: usize,
}

/// Compares two loaded trees.
pub fn compare(old: &Side, new: &Side) -> Delta {
    let by_name = |side: &Side| -> BTreeMap<String, IntegrationId> {
        side.integrations
            .list
            .enumerate()
            .map(|(i, x)| (x.name.clone(), i))
            .rev() // the first of equal names wins
            .collect()
    };
    let (old_names, new_names) = (by_name(old), by_name(new));
    let mut names: Vec<&String> = old_names.keys().chain(new_names.keys()).collect();
    names.sort_by_key(|n| (n.to_lowercase(), *n));
    names.dedup();

    let mut integrations = vec![];
    for name in names {
        let o = old_names.get(name).map(|&i| Facts::of(old, i));
        let n = new_names.get(name).map(|&i| Facts::of(new, i));
        let gained = match (&o, &n) {
            (None, Some(n)) if matches!(n.integration.origin, Origin::Discovered(_)) => {
                surfaced_gains(old, n)
            }
            (o, Some(n)) => grown(o.as_ref(), n, Direction::Gain),
            (_, None) => Changes::default(),
        };
        let mut lost = o
            .as_ref()
            .map(|o| grown(n.as_ref(), o, Direction::Loss))
            .unwrap_or_default();
        if let Some(n) = &n {
            add_mutings(n, &mut lost);
        }
        let status = match (&o, &n) {
            (None, _) => Status::Added,
            (_, None) => Status::Removed,
            _ if gained.is_empty() && lost.is_empty() => Status::Unchanged,
            _ => Status::Changed,
        };
        let user = n
            .as_ref()
            .or(o.as_ref())
            .and_then(|f| f.integration.user.clone());
        integrations.push(IntegrationDelta {
            name: name.clone(),
            user,
            status,
            gained,
            lost,
        });
    }

    let findings = FindingsDelta {
        new: only_in(new, old),
        resolved: only_in(old, new),
    };
    let mut errors = errors_of(old, "old");
    errors.extend(errors_of(new, "new"));

    let mut summary = Summary {
        integrations: integrations.len(),
        new_findings: findings.new.len(),
        resolved_findings: findings.resolved.len(),
        ..Summary::default()
    };
    for i in &integrations {
        match i.status {
            Status::Added => summary.added += 1,
            Status::Removed => summary.removed += 1,
            Status::Changed => summary.changed += 1,
            Status::Unchanged => summary.unchanged += 1,
        }
        summary.gaining += usize::from(!i.gained.is_empty());
        summary.losing += usize::from(!i.lost.is_empty());
        summary.gained += i.gained.len();
        summary.lost += i.lost.len();
    }
    // An integration dropped from the inventory while what it was granted
    // stays in the metadata still has that access: the change hides it
    // rather than removing it, and the gate must not pass it.
    let kept = integrations
        .iter()
        .filter(|i| i.status == Status::Removed)
        .any(|i| {
            old_names
                .get(&i.name)
                .is_some_and(|&x| access_remains(old, new, x))
        });
    summary.escalation = summary.gaining > 0 || kept;

    let info = |side: &Side| SideInfo {
        source: side.label.clone(),
        commit: side.commit.clone(),
        files: side.files,
    };
    Delta {
        old: info(old),
        new: info(new),
        summary,
        integrations,
        findings,
        errors,
    }
}

/// The profiles, permission sets and groups an integration holds, by kind
/// and lower-case name.
fn held_names(org: &Org, integration: &Integration) -> [HashSet<String>; 3] {
    let names = |headers: &mut dyn Iterator<Item = &crate::model::Header>| {
        headers
            .map(|h| org.name(h.name).to_lowercase())
            .collect::<HashSet<String>>()
    };
    [
        names(
            &mut integration
                .profiles
                .iter()
                .map(|&p| &org.profiles[p].header),
        ),
        names(
            &mut integration
                .permission_sets
                .iter()
                .map(|&p| &org.permission_sets[p].header),
        ),
        names(&mut integration.groups.iter().map(|&g| &org.groups[g].header)),
    ]
}

/// Whether the profile, a permission set or a group the integration at
/// `index` of `old` holds is still in `new`'s metadata (by name, any case).
fn access_remains(old: &Side, new: &Side, index: IntegrationId) -> bool {
    let held = held_names(old.org, &old.integrations.list[index]);
    let n = new.org;
    let names = |headers: &mut dyn Iterator<Item = &crate::model::Header>| {
        headers
            .map(|h| n.name(h.name).to_lowercase())
            .collect::<HashSet<String>>()
    };
    let present = [
        names(&mut n.profiles.iter().map(|p| &p.header)),
        names(&mut n.permission_sets.iter().map(|p| &p.header)),
        names(&mut n.groups.iter().map(|g| &g.header)),
    ];
    held.iter()
        .zip(&present)
        .any(|(held, present)| !held.is_disjoint(present))
}

/// What a discovered integration new in `new` gains. A profile or permission
/// set that the old tree gave to other integrations, and that `new` no longer
/// does (a fix that moves integrations off a shared profile, say), surfaces
/// as a discovered identity of its own: its access is not new. It gains
/// what the same profile, permission sets and groups (by name) did not
/// grant in the old tree; what none of them was there, it gains whole.
fn surfaced_gains(old: &Side, n: &Facts) -> Changes {
    let [profiles, sets, groups] = held_names(n.side.org, n.integration);
    let o = old.org;
    /// The components of `list` whose name (any case) is one of `names`.
    fn present<I: Id, T>(
        org: &Org,
        names: &HashSet<String>,
        list: &IdVec<I, T>,
        header: impl Fn(&T) -> &Header,
    ) -> Vec<I> {
        list.enumerate()
            .filter(|(_, item)| names.contains(&org.name(header(item).name).to_lowercase()))
            .map(|(id, _)| id)
            .collect()
    }
    let mut before = n.integration.clone();
    before.profiles = present(o, &profiles, &o.profiles, |p| &p.header);
    before.permission_sets = present(o, &sets, &o.permission_sets, |p| &p.header);
    before.groups = present(o, &groups, &o.groups, |g| &g.header);
    let app_names: HashSet<&str> = n.apps.keys().copied().collect();
    before.apps = o
        .apps
        .enumerate()
        .filter(|(_, app)| app_names.contains(o.name(app.name)))
        .map(|(a, _)| a)
        .collect();
    if before.profiles.is_empty() && before.permission_sets.is_empty() && before.groups.is_empty() {
        return grown(None, n, Direction::Gain);
    }
    let mut apps = BTreeMap::new();
    for &a in &before.apps {
        apps.entry(o.name(o.apps[a].name))
            .or_insert_with(|| Policy::of(&o.apps[a]));
    }
    let access = EffectiveAccess::compute(o, &before.assignment());
    let base = Facts {
        side: old,
        integration: &before,
        access: &access,
        ips: Ips::of(o, &before),
        apps,
    };
    grown(Some(&base), n, Direction::Gain)
}

/// Findings of `side` with a fingerprint `other` lacks, in `side`'s order:
/// a grouped finding counts per element, so a grant added to a holder
/// already reported is new (and one removed is resolved).
fn only_in(side: &Side, other: &Side) -> Vec<FindingChange> {
    let known: BTreeSet<&str> = other
        .findings
        .iter()
        .flat_map(|f| f.fingerprints())
        .collect();
    side.findings
        .iter()
        .filter(|f| f.fingerprints().any(|p| !known.contains(p)))
        .map(|f| side.finding(f))
        .collect()
}

fn errors_of(side: &Side, name: &'static str) -> Vec<ErrorView> {
    let mut out: Vec<ErrorView> = side
        .errors
        .iter()
        .map(|e| {
            let position = e.span.map(|span| side.position(Loc { file: e.file, span }));
            ErrorView {
                side: name,
                file: Some(side.file(e.file)),
                line: position.map(|p| p.0),
                column: position.map(|p| p.1),
                message: e.message.clone(),
            }
        })
        .collect();
    out.extend(side.internal_errors.iter().map(|m| ErrorView {
        side: name,
        file: None,
        line: None,
        column: None,
        message: m.clone(),
    }));
    out
}

/// System permissions that restrict the user instead of granting.
const RESTRICTIONS: [&str; 1] = [crate::model::API_ONLY_PERMISSION];

#[derive(Clone, Copy, PartialEq, Eq)]
enum Direction {
    Gain,
    Loss,
}

/// One integration on one side: everything compared.
struct Facts<'s, 'a> {
    side: &'s Side<'a>,
    integration: &'s Integration,
    access: &'s EffectiveAccess<'a>,
    ips: Option<Ips>,
    apps: BTreeMap<&'a str, Policy>,
}

impl<'s, 'a> Facts<'s, 'a> {
    fn of(side: &'s Side<'a>, index: IntegrationId) -> Self {
        let integration = &side.integrations.list[index];
        let org = side.org;
        let mut apps = BTreeMap::new();
        for &a in &integration.apps {
            let app = &org.apps[a];
            apps.entry(org.name(app.name))
                .or_insert_with(|| Policy::of(app));
        }
        Facts {
            side,
            integration,
            access: &side.access[index],
            ips: Ips::of(org, integration),
            apps,
        }
    }
}

/// What `other` has beyond `base` (absent: nothing), with `other`'s
/// provenance. Gains are `grown(old, new)`, losses `grown(new, old)`.
fn grown(base: Option<&Facts>, other: &Facts, direction: Direction) -> Changes {
    let side = other.side;
    let empty = EffectiveAccess::default();
    let had = base.map_or(&empty, |b| b.access);
    let sorted = |mut v: Vec<Via>| {
        v.sort();
        v.dedup();
        v
    };
    let mut changes = Changes::default();

    for (name, grants) in &other.access.system {
        if RESTRICTIONS.contains(name) {
            continue;
        }
        if !had.system.contains_key(name) {
            changes.system_permissions.push(NamedChange {
                name: (*name).to_owned(),
                via: sorted(grants.iter().map(|g| side.via(g)).collect()),
                muted_by: vec![],
            });
        }
    }
    // A restriction works the other way round: holding it takes away.
    // Gaining `ApiUserOnly` is losing the UI, losing it gaining the UI.
    for name in RESTRICTIONS {
        let (Some(base), Some(grants)) = (base, had.system.get(name)) else {
            continue;
        };
        if !other.access.system.contains_key(name) {
            let what = match direction {
                Direction::Gain => "removed",
                Direction::Loss => "granted",
            };
            changes.system_permissions.push(NamedChange {
                name: format!("UI login ({name} {what})"),
                via: sorted(grants.iter().map(|g| base.side.via(g)).collect()),
                muted_by: vec![],
            });
        }
    }
    for (object, grants) in &other.access.objects {
        let before = had
            .objects
            .get(object)
            .map_or(ObjectAccess::empty(), |g| g.access);
        let flags = grants.access.difference(before);
        if flags.is_empty() {
            continue;
        }
        let mut via: Vec<FlagsVia> = grants
            .grants
            .iter()
            .filter(|(a, _)| !a.intersection(flags).is_empty())
            .map(|(a, g)| FlagsVia {
                access: a.intersection(flags).words().collect(),
                via: side.via(g),
            })
            .collect();
        via.sort_by(|a, b| a.via.cmp(&b.via));
        changes.objects.push(FlagsChange {
            name: (*object).to_owned(),
            access: flags.words().collect(),
            via,
            muted_by: vec![],
        });
    }
    for (field, grants) in &other.access.fields {
        let (was_read, was_edit) = had
            .fields
            .get(field)
            .map_or((false, false), |g| (g.readable, g.editable));
        let (read, edit) = (grants.readable && !was_read, grants.editable && !was_edit);
        if !read && !edit {
            continue;
        }
        let mut via: Vec<FlagsVia> = grants
            .grants
            .iter()
            .filter(|(r, e, _)| (read && *r) || (edit && *e))
            .map(|(r, e, g)| FlagsVia {
                access: field_words(read && *r, edit && *e),
                via: side.via(g),
            })
            .collect();
        via.sort_by(|a, b| a.via.cmp(&b.via));
        changes.fields.push(FlagsChange {
            name: (*field).to_owned(),
            access: field_words(read, edit),
            via,
            muted_by: vec![],
        });
    }
    for ((kind, name), grants) in &other.access.other {
        if !had.other.contains_key(&(*kind, *name)) {
            changes.other.push(OtherChange {
                kind: kind.label(),
                name: (*name).to_owned(),
                via: sorted(grants.iter().map(|g| side.via(g)).collect()),
                muted_by: vec![],
            });
        }
    }
    changes.login_ip_ranges = range_changes(
        base.and_then(|b| b.ips.as_ref()),
        other.ips.as_ref(),
        side,
        direction,
    );
    changes.apps = app_changes(base, other, direction);
    changes
}

fn field_words(read: bool, edit: bool) -> Vec<&'static str> {
    let mut words = vec![];
    if read {
        words.push("read");
    }
    if edit {
        words.push("edit");
    }
    words
}

/// Notes, on each loss, the muting elements of the new side that switch it
/// off, when muting is why it is lost.
fn add_mutings(new: &Facts, lost: &mut Changes) {
    let mutings = |hit: &dyn Fn(&Grants) -> Option<Loc>| mutings_in(new, hit);
    for change in &mut lost.system_permissions {
        change.muted_by = mutings(&|g: &Grants| {
            g.user_permissions
                .iter()
                .find(|p| p.enabled && new.side.org.name(p.name) == change.name)
                .map(|p| p.site.key_loc())
        });
    }
    for change in &mut lost.objects {
        let flags = change
            .access
            .iter()
            .filter_map(|w| ObjectAccess::from_word(w))
            .fold(ObjectAccess::empty(), ObjectAccess::union);
        change.muted_by = mutings(&|g: &Grants| {
            g.object_permissions
                .iter()
                .find(|o| {
                    new.side.org.name(o.object) == change.name
                        && !o.access.intersection(flags).is_empty()
                })
                .map(|o| o.site.key_loc())
        });
    }
    for change in &mut lost.fields {
        let (read, edit) = (
            change.access.contains(&"read"),
            change.access.contains(&"edit"),
        );
        change.muted_by = mutings(&|g: &Grants| {
            g.field_permissions
                .iter()
                .find(|f| {
                    new.side.org.name(f.field) == change.name
                        && ((read && f.readable) || (edit && f.editable))
                })
                .map(|f| f.site.key_loc())
        });
    }
    for change in &mut lost.other {
        change.muted_by = mutings(&|g: &Grants| {
            g.accesses
                .iter()
                .find(|a| {
                    a.enabled
                        && a.kind.label() == change.kind
                        && new.side.org.name(a.name) == change.name
                })
                .map(|a| a.site.key_loc())
        });
    }
}

/// The elements of the muting sets of `facts`' groups that `hit` finds.
fn mutings_in(facts: &Facts, hit: &dyn Fn(&Grants) -> Option<Loc>) -> Vec<Muting> {
    let org = facts.side.org;
    let mut out = vec![];
    for &g in &facts.integration.groups {
        let group = &org.groups[g];
        for reference in &group.muting_permission_sets {
            for m in org.muting_sets_named(org.name(reference.name)) {
                let set = &org.muting_sets[m];
                if let Some(loc) = hit(&set.grants) {
                    let at = facts.side.at(loc);
                    out.push(Muting {
                        muting_set: org.name(set.header.name).to_owned(),
                        group: org.name(group.header.name).to_owned(),
                        file: at.file,
                        line: at.line,
                    });
                }
            }
        }
    }
    out.sort();
    out.dedup();
    out
}
