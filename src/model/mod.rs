//! The typed model of an org's permission metadata.
//!
//! Names are interned ([`Sym`]): a large org repeats the same object and
//! field names in every profile and permission set, and rules compare names
//! far more often than they print them. Every element a finding can point
//! at keeps its [`Loc`].

mod ids;
mod org;
pub mod permissions;
mod profiles;

pub use ids::{AppId, GroupId, Id, IdVec, IntegrationId, MutingSetId, PermissionSetId, ProfileId};
pub use org::{Hidden, Org, plural_kind};
pub use profiles::{STANDARD_PROFILES, profile_full_name_for_label, profile_label_for_full_name};

use crate::source::{FileId, Loc, Span};

/// An interned name.
pub type Sym = lasso::Spur;

/// A value read from an element, and the element it came from.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Located<T> {
    pub value: T,
    pub loc: Loc,
}

/// The kinds of metadata component minpriv reads.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum ComponentKind {
    Profile,
    PermissionSet,
    PermissionSetGroup,
    MutingPermissionSet,
    ConnectedApp,
    ExternalClientApp,
    NamedCredential,
    ExternalCredential,
}

impl ComponentKind {
    /// How messages and reports name the kind: `permission set group`.
    pub fn label(self) -> &'static str {
        match self {
            ComponentKind::Profile => "profile",
            ComponentKind::PermissionSet => "permission set",
            ComponentKind::PermissionSetGroup => "permission set group",
            ComponentKind::MutingPermissionSet => "muting permission set",
            ComponentKind::ConnectedApp => "connected app",
            ComponentKind::ExternalClientApp => "External Client App",
            ComponentKind::NamedCredential => "named credential",
            ComponentKind::ExternalCredential => "external credential",
        }
    }

    /// The Metadata API type name, as `package.xml` spells it.
    pub fn type_name(self) -> &'static str {
        match self {
            ComponentKind::Profile => "Profile",
            ComponentKind::PermissionSet => "PermissionSet",
            ComponentKind::PermissionSetGroup => "PermissionSetGroup",
            ComponentKind::MutingPermissionSet => "MutingPermissionSet",
            ComponentKind::ConnectedApp => "ConnectedApp",
            ComponentKind::ExternalClientApp => "ExternalClientApplication",
            ComponentKind::NamedCredential => "NamedCredential",
            ComponentKind::ExternalCredential => "ExternalCredential",
        }
    }
}

/// What every component has: its full name (decoded from the file name),
/// the file, and the span of its root start tag (`<Profile`), which is
/// where findings about something *missing* from the component point.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Header {
    pub name: Sym,
    pub file: FileId,
    pub root: Span,
}

impl Header {
    pub fn root_loc(&self) -> Loc {
        Loc {
            file: self.file,
            span: self.root,
        }
    }

    pub fn loc(&self, span: Span) -> Loc {
        Loc {
            file: self.file,
            span,
        }
    }
}

/// Where a grant is written: its file (a decomposed permission set spreads
/// over several), the whole element, and the child that names its subject
/// (`<name>`, `<object>`, `<field>`), which is what a finding underlines.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct Site {
    pub file: FileId,
    pub span: Span,
    pub key: Span,
}

impl Site {
    /// The naming child: where findings about this grant point.
    pub fn key_loc(&self) -> Loc {
        Loc {
            file: self.file,
            span: self.key,
        }
    }

    /// The whole element.
    pub fn loc(&self) -> Loc {
        Loc {
            file: self.file,
            span: self.span,
        }
    }
}

/// `<userPermissions>`: a system permission such as `ModifyAllData`.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct UserPermission {
    pub name: Sym,
    pub enabled: bool,
    pub site: Site,
}

/// Object-level access flags of one `<objectPermissions>` entry.
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    serde::Serialize,
    serde::Deserialize,
)]
pub struct ObjectAccess(u8);

impl ObjectAccess {
    pub const CREATE: ObjectAccess = ObjectAccess(1);
    pub const READ: ObjectAccess = ObjectAccess(1 << 1);
    pub const EDIT: ObjectAccess = ObjectAccess(1 << 2);
    pub const DELETE: ObjectAccess = ObjectAccess(1 << 3);
    pub const VIEW_ALL: ObjectAccess = ObjectAccess(1 << 4);
    pub const MODIFY_ALL: ObjectAccess = ObjectAccess(1 << 5);
    pub const VIEW_ALL_FIELDS: ObjectAccess = ObjectAccess(1 << 6);

    /// Each flag with its contract word (`objects` in minpriv.toml) and XML element name.
    pub const FLAGS: [(ObjectAccess, &'static str, &'static str); 7] = [
        (ObjectAccess::CREATE, "create", "allowCreate"),
        (ObjectAccess::READ, "read", "allowRead"),
        (ObjectAccess::EDIT, "edit", "allowEdit"),
        (ObjectAccess::DELETE, "delete", "allowDelete"),
        (ObjectAccess::VIEW_ALL, "view-all", "viewAllRecords"),
        (ObjectAccess::MODIFY_ALL, "modify-all", "modifyAllRecords"),
        (
            ObjectAccess::VIEW_ALL_FIELDS,
            "view-all-fields",
            "viewAllFields",
        ),
    ];

    pub const fn empty() -> Self {
        ObjectAccess(0)
    }

    pub const fn union(self, other: ObjectAccess) -> Self {
        ObjectAccess(self.0 | other.0)
    }

    pub const fn intersection(self, other: ObjectAccess) -> Self {
        ObjectAccess(self.0 & other.0)
    }

    pub const fn difference(self, other: ObjectAccess) -> Self {
        ObjectAccess(self.0 & !other.0)
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub fn contains(self, other: ObjectAccess) -> bool {
        self.0 & other.0 == other.0
    }

    pub fn insert(&mut self, other: ObjectAccess) {
        self.0 |= other.0;
    }

    pub fn set(&mut self, other: ObjectAccess, on: bool) {
        if on {
            self.0 |= other.0;
        } else {
            self.0 &= !other.0;
        }
    }

    /// The flag whose XML element is `element`.
    pub fn from_element(element: &str) -> Option<ObjectAccess> {
        Self::FLAGS
            .iter()
            .find(|(_, _, el)| *el == element)
            .map(|(f, _, _)| *f)
    }

    /// The flag named by a contract word (`read`, `view-all`, ...).
    pub fn from_word(word: &str) -> Option<ObjectAccess> {
        Self::FLAGS
            .iter()
            .find(|(_, w, _)| *w == word)
            .map(|(f, _, _)| *f)
    }

    /// The contract words of the flags set, in catalogue order.
    pub fn words(self) -> impl Iterator<Item = &'static str> {
        Self::FLAGS
            .into_iter()
            .filter(move |(f, _, _)| self.contains(*f))
            .map(|(_, w, _)| w)
    }
}

impl std::ops::BitOr for ObjectAccess {
    type Output = ObjectAccess;
    fn bitor(self, rhs: Self) -> Self {
        ObjectAccess(self.0 | rhs.0)
    }
}

/// `<objectPermissions>`.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct ObjectPermission {
    pub object: Sym,
    pub access: ObjectAccess,
    pub site: Site,
}

/// `<fieldPermissions>`.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct FieldPermission {
    /// `Object.Field`.
    pub field: Sym,
    pub readable: bool,
    pub editable: bool,
    pub site: Site,
}

/// The other kinds of access a profile or permission set grants by name.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum AccessKind {
    Application,
    Tab,
    ApexClass,
    ApexPage,
    Flow,
    CustomPermission,
    CustomMetadataType,
    CustomSetting,
    ExternalDataSource,
    ExternalCredentialPrincipal,
    RecordType,
    Agent,
}

impl AccessKind {
    /// The list element, its name child, and the child holding "on".
    pub const ELEMENTS: [(AccessKind, &'static str, &'static str, &'static str); 13] = [
        (
            AccessKind::Application,
            "applicationVisibilities",
            "application",
            "visible",
        ),
        (AccessKind::Tab, "tabVisibilities", "tab", "visibility"),
        (AccessKind::Tab, "tabSettings", "tab", "visibility"),
        (
            AccessKind::ApexClass,
            "classAccesses",
            "apexClass",
            "enabled",
        ),
        (AccessKind::ApexPage, "pageAccesses", "apexPage", "enabled"),
        (AccessKind::Flow, "flowAccesses", "flow", "enabled"),
        (
            AccessKind::CustomPermission,
            "customPermissions",
            "name",
            "enabled",
        ),
        (
            AccessKind::CustomMetadataType,
            "customMetadataTypeAccesses",
            "name",
            "enabled",
        ),
        (
            AccessKind::CustomSetting,
            "customSettingAccesses",
            "name",
            "enabled",
        ),
        (
            AccessKind::ExternalDataSource,
            "externalDataSourceAccesses",
            "externalDataSource",
            "enabled",
        ),
        (
            AccessKind::ExternalCredentialPrincipal,
            "externalCredentialPrincipalAccesses",
            "externalCredentialPrincipal",
            "enabled",
        ),
        (
            AccessKind::RecordType,
            "recordTypeVisibilities",
            "recordType",
            "visible",
        ),
        (AccessKind::Agent, "agentAccesses", "agentName", "enabled"),
    ];

    pub fn label(self) -> &'static str {
        match self {
            AccessKind::Application => "app",
            AccessKind::Tab => "tab",
            AccessKind::ApexClass => "Apex class",
            AccessKind::ApexPage => "Visualforce page",
            AccessKind::Flow => "flow",
            AccessKind::CustomPermission => "custom permission",
            AccessKind::CustomMetadataType => "custom metadata type",
            AccessKind::CustomSetting => "custom setting",
            AccessKind::ExternalDataSource => "external data source",
            AccessKind::ExternalCredentialPrincipal => "external credential principal",
            AccessKind::RecordType => "record type",
            AccessKind::Agent => "agent",
        }
    }
}

/// One named grant: `<classAccesses>`, `<tabVisibilities>`, ...
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Access {
    pub kind: AccessKind,
    pub name: Sym,
    /// Enabled / visible; for tabs, any visibility other than hidden.
    pub enabled: bool,
    pub site: Site,
}

/// What a profile, permission set or muting permission set grants. One
/// type for all three so that one parser and one access computation serve
/// them all.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct Grants {
    pub user_permissions: Vec<UserPermission>,
    pub object_permissions: Vec<ObjectPermission>,
    pub field_permissions: Vec<FieldPermission>,
    pub accesses: Vec<Access>,
}

impl Grants {
    /// Gives back the spare capacity of the lists once a file is read.
    pub fn shrink_to_fit(&mut self) {
        self.user_permissions.shrink_to_fit();
        self.object_permissions.shrink_to_fit();
        self.field_permissions.shrink_to_fit();
        self.accesses.shrink_to_fit();
    }

    /// The first enabled `<userPermissions>` entry named `name`.
    pub fn user_permission(&self, name: Sym) -> Option<&UserPermission> {
        self.user_permissions
            .iter()
            .find(|p| p.enabled && p.name == name)
    }

    /// Enabled system permissions, each name once (files may repeat entries).
    pub fn enabled_user_permissions(&self) -> impl Iterator<Item = &UserPermission> {
        let mut seen = std::collections::HashSet::new();
        self.user_permissions
            .iter()
            .filter(move |p| p.enabled && seen.insert(p.name))
    }
}

/// A login IP range of a profile or a connected app.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct IpRangeEntry {
    pub start: Option<Located<Box<str>>>,
    pub end: Option<Located<Box<str>>>,
    pub description: Option<Box<str>>,
    pub span: Span,
}

#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Profile {
    pub header: Header,
    pub custom: Option<bool>,
    pub user_license: Option<Located<Sym>>,
    pub grants: Grants,
    pub login_ip_ranges: Vec<IpRangeEntry>,
    /// The `<loginHours>` element, when present.
    pub login_hours: Option<Span>,
    /// Its object and field permissions were dropped while reading (a
    /// human profile of a large org; see `parse::parse_all_with`).
    pub pruned: bool,
}

#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct PermissionSet {
    pub header: Header,
    pub label: Option<Box<str>>,
    /// `<license>` (or the pre-API-38 `<userLicense>`).
    pub license: Option<Located<Sym>>,
    pub has_activation_required: bool,
    pub grants: Grants,
}

#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct MutingPermissionSet {
    pub header: Header,
    pub label: Option<Box<str>>,
    pub grants: Grants,
}

/// A name written in an element, pointing at another component.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Reference {
    pub name: Sym,
    pub loc: Loc,
}

#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct PermissionSetGroup {
    pub header: Header,
    pub label: Option<Box<str>>,
    pub permission_sets: Vec<Reference>,
    pub muting_permission_sets: Vec<Reference>,
}

/// `ipRelaxation` (connected app) / `ipRelaxationPolicyType` (ECA).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum IpRelaxation {
    Enforce,
    Bypass,
    Bypass2Factor,
    EnforceRelaxRefresh,
}

impl IpRelaxation {
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "ENFORCE" | "Enforce" => IpRelaxation::Enforce,
            "BYPASS" | "Bypass" => IpRelaxation::Bypass,
            "BYPASS_2FACTOR" | "Bypass_2factor" => IpRelaxation::Bypass2Factor,
            "ENFORCE_RELAXREFRESH" | "Enforce_RelaxRefresh" => IpRelaxation::EnforceRelaxRefresh,
            _ => return None,
        })
    }
}

/// Refresh-token policy, normalised over the connected-app and ECA forms.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum RefreshTokenPolicy {
    Zero,
    Infinite,
    SpecificLifetime,
    SpecificInactivity,
}

impl RefreshTokenPolicy {
    pub fn parse(s: &str) -> Option<Self> {
        let head = s.split(':').next().unwrap_or(s);
        Some(match head {
            "zero" | "Zero" => RefreshTokenPolicy::Zero,
            "infinite" | "Infinite" => RefreshTokenPolicy::Infinite,
            "specific_lifetime" | "SpecificLifetime" => RefreshTokenPolicy::SpecificLifetime,
            "specific_inactivity" | "SpecificInactivity" => RefreshTokenPolicy::SpecificInactivity,
            _ => return None,
        })
    }
}

/// An OAuth client: a connected app, or an External Client App joined from
/// its files. Rules about OAuth policy see one shape for both; every value
/// keeps the file it came from, since an ECA's values live in several files.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct App {
    pub kind: ComponentKind,
    pub name: Sym,
    /// Where findings about the app as a whole point (the header file's
    /// root tag; for an ECA without header file, the first file's root).
    pub root: Loc,
    pub label: Option<Box<str>>,
    /// Every file the app was read from.
    pub files: Vec<FileId>,
    /// The client-credentials run-as user.
    pub run_as_user: Option<Located<Box<str>>>,
    pub client_credentials_enabled: Option<Located<bool>>,
    /// `isAdminApproved` / `permittedUsersPolicyType`: `true` when only
    /// pre-authorized users may use the app.
    pub admin_approved: Option<Located<bool>>,
    pub scopes: Vec<Located<Box<str>>>,
    pub callback_urls: Vec<Located<Box<str>>>,
    pub consumer_secret: Option<Loc>,
    /// `<certificate>`: the JWT bearer flow is enabled.
    pub jwt_certificate: Option<Loc>,
    pub ip_relaxation: Option<Located<Option<IpRelaxation>>>,
    pub refresh_token_policy: Option<Located<Option<RefreshTokenPolicy>>>,
    pub ip_ranges: Vec<(FileId, IpRangeEntry)>,
    pub profiles: Vec<Reference>,
    pub permission_sets: Vec<Reference>,
}

impl App {
    /// Whether a connected app has an `<oauthConfig>`: it always holds a
    /// callback URL, and in practice scopes or a client-credentials user.
    /// Only such an app can be authorized at all.
    pub fn has_oauth_config(&self) -> bool {
        !self.callback_urls.is_empty()
            || !self.scopes.is_empty()
            || self.run_as_user.is_some()
            || self.client_credentials_enabled.is_some()
            || self.consumer_secret.is_some()
            || self.jwt_certificate.is_some()
    }

    /// Whether a server logs in through the app without a person: client
    /// credentials (a run-as user, or the flow enabled) or JWT bearer.
    /// Only such an app's pre-authorized profiles and permission sets are
    /// integration identities; a UI or canvas app pre-authorizes
    /// people.
    pub fn is_integration_app(&self) -> bool {
        self.run_as_user.is_some()
            || self
                .client_credentials_enabled
                .as_ref()
                .is_some_and(|c| c.value)
            || self.jwt_certificate.is_some()
    }
}

#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct NamedCredential {
    pub header: Header,
    pub label: Option<Box<str>>,
    /// Legacy `password`, `oauthToken`, `oauthRefreshToken` elements.
    #[serde(with = "secret_names")]
    pub secrets: Vec<Located<&'static str>>,
    pub external_credentials: Vec<Reference>,
}

/// Legacy named-credential elements that hold a secret when not empty.
pub(crate) const SECRET_ELEMENTS: [&str; 3] = ["password", "oauthToken", "oauthRefreshToken"];

/// `Located<&'static str>` of a named credential's secrets: the element
/// names, from the parser's fixed list.
pub mod secret_names {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use super::Located;
    use crate::source::Loc;

    pub fn serialize<S: Serializer>(
        items: &[Located<&'static str>],
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        let pairs: Vec<(&str, Loc)> = items.iter().map(|l| (l.value, l.loc)).collect();
        pairs.serialize(serializer)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Vec<Located<&'static str>>, D::Error> {
        let pairs: Vec<(String, Loc)> = Vec::deserialize(deserializer)?;
        pairs
            .into_iter()
            .map(|(name, loc)| {
                super::SECRET_ELEMENTS
                    .iter()
                    .find(|s| **s == name)
                    .map(|value| Located { value: *value, loc })
                    .ok_or_else(|| serde::de::Error::custom("unknown secret element"))
            })
            .collect()
    }
}

#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct ExternalCredential {
    pub header: Header,
    pub label: Option<Box<str>>,
    pub principals: Vec<Located<Box<str>>>,
}

/// The profile licence that marks API-only integration users.
pub const INTEGRATION_LICENSE: &str = "Salesforce Integration";
/// The user permission that keeps a user out of the UI.
pub const API_ONLY_PERMISSION: &str = "ApiUserOnly";
