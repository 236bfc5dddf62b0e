//! The delta records `minpriv diff` produces: plain owned data, what
//! `report::diff` renders and `--format json` serializes.

use serde::Serialize;

use crate::engine::Component;

/// Everything that changed between two trees.
#[derive(Clone, Debug, Serialize)]
pub struct Delta {
    pub old: SideInfo,
    pub new: SideInfo,
    pub summary: Summary,
    /// Every integration of either side, by name.
    pub integrations: Vec<IntegrationDelta>,
    pub findings: FindingsDelta,
    /// Inputs that could not be read, on either side.
    pub errors: Vec<ErrorView>,
}

#[derive(Clone, Debug, Serialize)]
pub struct SideInfo {
    pub source: String,
    pub commit: Option<String>,
    pub files: usize,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub integrations: usize,
    pub added: usize,
    pub removed: usize,
    pub changed: usize,
    pub unchanged: usize,
    /// Integrations that gain anything.
    pub gaining: usize,
    /// Integrations that lose anything.
    pub losing: usize,
    /// Change entries over all integrations.
    pub gained: usize,
    pub lost: usize,
    pub new_findings: usize,
    pub resolved_findings: usize,
    /// Some integration gains access (`--fail-on-escalation` exits 1).
    pub escalation: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Added,
    Removed,
    Changed,
    Unchanged,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Added => "added",
            Status::Removed => "removed",
            Status::Changed => "changed",
            Status::Unchanged => "unchanged",
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct IntegrationDelta {
    pub name: String,
    /// The username on the new side (the old one for a removed integration).
    pub user: Option<String>,
    pub status: Status,
    /// What the new side gives that the old did not, with new-side provenance.
    pub gained: Changes,
    /// What the old side gave that the new does not, with old-side provenance.
    pub lost: Changes,
}

/// Access that one side has and the other has not.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Changes {
    pub system_permissions: Vec<NamedChange>,
    pub objects: Vec<FlagsChange>,
    pub fields: Vec<FlagsChange>,
    pub other: Vec<OtherChange>,
    pub login_ip_ranges: Vec<RangeChange>,
    pub apps: Vec<AppChange>,
}

impl Changes {
    /// Number of entries.
    pub fn len(&self) -> usize {
        self.system_permissions.len()
            + self.objects.len()
            + self.fields.len()
            + self.other.len()
            + self.login_ip_ranges.len()
            + self.apps.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Where a piece of access comes from: the granting element and how it
/// reaches the user (the same shape as `minpriv access --format json`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Via {
    /// `PermissionSet:ERP_Write_PS`, `Profile:ERP Integration`.
    pub holder: String,
    pub file: String,
    pub line: usize,
    /// Assigned directly (or the profile).
    pub direct: bool,
    /// Permission set groups it comes through.
    pub groups: Vec<String>,
}

/// A muting permission set element that switches access off in a group.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Muting {
    pub muting_set: String,
    pub group: String,
    pub file: String,
    pub line: usize,
}

/// A system permission.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NamedChange {
    pub name: String,
    pub via: Vec<Via>,
    /// Losses only: the muting elements on the new side that switch it off.
    pub muted_by: Vec<Muting>,
}

/// Object flags (`create read edit delete view-all modify-all
/// view-all-fields`) or field access (`read edit`) of one object or field.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FlagsChange {
    pub name: String,
    pub access: Vec<&'static str>,
    /// Each granting element with the changed flags it gives.
    pub via: Vec<FlagsVia>,
    pub muted_by: Vec<Muting>,
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct FlagsVia {
    pub access: Vec<&'static str>,
    #[serde(flatten)]
    pub via: Via,
}

/// App, tab, Apex class, page, flow, custom permission, ... access.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct OtherChange {
    /// `app`, `tab`, `Apex class`, ... (as `minpriv access` names them).
    pub kind: &'static str,
    pub name: String,
    pub via: Vec<Via>,
    pub muted_by: Vec<Muting>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RangeKind {
    /// Gained: a range that overlaps no removed range.
    Added,
    /// Gained: a range that replaces a smaller one.
    Widened,
    /// Gained: the profile has no login IP ranges any more.
    Unrestricted,
    /// Lost: a range that overlaps no added range.
    Removed,
    /// Lost: a range replaced by a smaller one.
    Narrowed,
    /// Lost: the profile had no login IP ranges and now has some.
    Restricted,
}

/// Addresses a profile lets the integration user log in from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RangeChange {
    pub kind: RangeKind,
    /// `start-end` (or one address); `None` for every address.
    pub range: Option<String>,
    /// The other side's ranges this one overlaps (widened from, narrowed to;
    /// for `restricted`, every new range).
    pub overlaps: Vec<String>,
    pub profile: String,
    pub file: String,
    pub line: usize,
}

/// The setting of an OAuth app that changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AppSetting {
    /// The integration uses this app (value: its kind).
    App,
    ClientCredentials,
    RunAsUser,
    SelfAuthorization,
    IpRelaxation,
    RefreshTokenPolicy,
    Scope,
}

impl AppSetting {
    pub fn label(self) -> &'static str {
        match self {
            AppSetting::App => "app",
            AppSetting::ClientCredentials => "client credentials flow",
            AppSetting::RunAsUser => "run-as user",
            AppSetting::SelfAuthorization => "permitted users",
            AppSetting::IpRelaxation => "IP relaxation",
            AppSetting::RefreshTokenPolicy => "refresh-token policy",
            AppSetting::Scope => "scope",
        }
    }
}

/// A connected app or External Client App policy change. Gained when the
/// new value is more permissive, lost when less.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AppChange {
    pub app: String,
    pub setting: AppSetting,
    pub old: Option<String>,
    pub new: Option<String>,
    /// The element (or the app) on the side the change is counted for.
    pub file: String,
    pub line: usize,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct FindingsDelta {
    /// Findings of the new side whose fingerprint the old side lacks.
    pub new: Vec<FindingChange>,
    /// Findings of the old side whose fingerprint the new side lacks.
    pub resolved: Vec<FindingChange>,
}

/// A finding as `minpriv check --format json` shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FindingChange {
    pub rule: &'static str,
    pub name: &'static str,
    pub severity: &'static str,
    pub message: String,
    pub help: Option<String>,
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
    pub integration: Option<String>,
    pub component: Component,
    pub fingerprint: String,
}

/// An input that could not be read, on one side.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ErrorView {
    /// `old` or `new`.
    pub side: &'static str,
    pub file: Option<String>,
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub message: String,
}
