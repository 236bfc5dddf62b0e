//! What the org snapshot holds: the typed records, indexed by user.

use std::collections::HashMap;
use std::path::PathBuf;

use jiff::Timestamp;

use crate::model::Located;
use crate::source::{FileId, Loc};

/// The record types minpriv reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum RecordType {
    User,
    PermissionSetAssignment,
    PermissionSetLicenseAssign,
    /// Usage evidence, read into [`crate::usage`].
    LoginHistory,
}

impl RecordType {
    pub const ALL: [RecordType; 4] = [
        RecordType::User,
        RecordType::PermissionSetAssignment,
        RecordType::PermissionSetLicenseAssign,
        RecordType::LoginHistory,
    ];

    pub fn name(self) -> &'static str {
        match self {
            RecordType::User => "User",
            RecordType::PermissionSetAssignment => "PermissionSetAssignment",
            RecordType::PermissionSetLicenseAssign => "PermissionSetLicenseAssign",
            RecordType::LoginHistory => "LoginHistory",
        }
    }

    pub(super) fn from_name(name: &str) -> Option<RecordType> {
        Self::ALL
            .into_iter()
            .find(|t| t.name().eq_ignore_ascii_case(name))
    }

    /// The fields read, as the README's queries select them; those marked
    /// `true` must be present in every record.
    pub(super) fn fields(self) -> &'static [(&'static str, bool)] {
        match self {
            RecordType::User => &[
                ("Username", true),
                ("IsActive", true),
                ("UserType", false),
                ("LastLoginDate", true),
                ("Profile.Name", true),
                ("Profile.UserLicense.Name", true),
                // Optional: the usage logs name users by id.
                ("Id", false),
            ],
            RecordType::PermissionSetAssignment => &[
                ("Assignee.Username", true),
                ("PermissionSet.Name", true),
                ("PermissionSet.IsOwnedByProfile", true),
                ("PermissionSetGroup.DeveloperName", true),
            ],
            RecordType::PermissionSetLicenseAssign => &[
                ("Assignee.Username", true),
                ("PermissionSetLicense.DeveloperName", true),
                ("PermissionSetLicense.MasterLabel", false),
            ],
            RecordType::LoginHistory => &[
                ("UserId", true),
                ("LoginTime", true),
                ("SourceIp", false),
                ("Status", false),
            ],
        }
    }

    /// The CSV header columns that identify the type.
    fn key_columns(self) -> [&'static str; 2] {
        match self {
            RecordType::User => ["Username", "IsActive"],
            RecordType::PermissionSetAssignment => ["Assignee.Username", "PermissionSet.Name"],
            RecordType::PermissionSetLicenseAssign => {
                ["Assignee.Username", "PermissionSetLicense.DeveloperName"]
            }
            RecordType::LoginHistory => ["UserId", "LoginTime"],
        }
    }

    /// The type a CSV header describes.
    pub(super) fn from_header<'h>(
        header: impl Iterator<Item = &'h str> + Clone,
    ) -> Option<RecordType> {
        Self::ALL.into_iter().find(|t| {
            t.key_columns()
                .iter()
                .all(|k| header.clone().any(|h| h.trim().eq_ignore_ascii_case(k)))
        })
    }
}

/// A `User` record.
#[derive(Clone, Debug)]
pub struct User {
    pub username: Located<String>,
    /// `Id`, when the export selects it: how the usage logs name users.
    pub id: Option<String>,
    pub active: Located<bool>,
    pub user_type: Option<String>,
    /// `None`: the user never logged in.
    pub last_login: Located<Option<Timestamp>>,
    /// `Profile.Name`: the profile's label (`System Administrator`).
    pub profile: Located<Option<String>>,
    /// `Profile.UserLicense.Name`.
    pub licence: Located<Option<String>>,
}

/// What one `PermissionSetAssignment` row assigns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Assigned<'a> {
    /// The profile's own permission set: the profile, which the `User`
    /// record names.
    Profile,
    /// A permission set group (the row's permission set is the group's
    /// aggregate set).
    Group(&'a str),
    PermissionSet(&'a str),
}

/// A `PermissionSetAssignment` record.
#[derive(Clone, Debug)]
pub struct PermissionSetAssignment {
    pub username: Located<String>,
    pub permission_set: Located<Option<String>>,
    pub owned_by_profile: bool,
    pub group: Located<Option<String>>,
}

impl PermissionSetAssignment {
    pub fn assigned(&self) -> Assigned<'_> {
        if self.owned_by_profile {
            Assigned::Profile
        } else if let Some(group) = &self.group.value {
            Assigned::Group(group)
        } else {
            Assigned::PermissionSet(self.permission_set.value.as_deref().unwrap_or(""))
        }
    }

    /// Where the row names what it assigns.
    pub fn loc(&self) -> Loc {
        match self.assigned() {
            Assigned::Group(_) => self.group.loc,
            _ => self.permission_set.loc,
        }
    }
}

/// A `PermissionSetLicenseAssign` record.
#[derive(Clone, Debug)]
pub struct LicenceAssignment {
    pub username: Located<String>,
    pub developer_name: Located<Option<String>>,
    pub master_label: Option<String>,
}

impl LicenceAssignment {
    /// Whether it assigns the Salesforce API Integration permission set
    /// licence. Its developer name is not documented,
    /// so the label counts too.
    pub fn is_integration_psl(&self) -> bool {
        self.developer_name.value.as_deref().is_some_and(|d| {
            d.eq_ignore_ascii_case(crate::model::permissions::INTEGRATION_PSL_DEVELOPER_NAME)
        }) || self.master_label.as_deref() == Some(crate::model::permissions::INTEGRATION_PSL)
    }
}

/// The org snapshot. Usernames compare case-insensitively.
#[derive(Debug, Default)]
pub struct Snapshot {
    /// The directory it was read from.
    pub dir: PathBuf,
    /// The files read (or tried), in name order.
    pub files: Vec<FileId>,
    pub users: Vec<User>,
    pub assignments: Vec<PermissionSetAssignment>,
    pub licence_assignments: Vec<LicenceAssignment>,
    /// `LoginHistory` records, folded into `usage`.
    pub login_history: Vec<crate::usage::LoginRecord>,
    /// What the usage logs show.
    pub usage: crate::usage::Usage,
    pub(super) by_user: HashMap<String, PerUser>,
}

#[derive(Debug, Default)]
pub(super) struct PerUser {
    user: Option<usize>,
    assignments: Vec<usize>,
    licences: Vec<usize>,
}

/// The key usernames are compared by.
pub fn user_key(username: &str) -> String {
    username.trim().to_lowercase()
}

impl Snapshot {
    /// Whether the snapshot holds any `User` record: without them no
    /// rule about the org's users can be judged.
    pub fn has_users(&self) -> bool {
        !self.users.is_empty()
    }

    /// The user record of `username`, by index into `users`.
    pub fn user(&self, username: &str) -> Option<usize> {
        self.by_user.get(&user_key(username)).and_then(|u| u.user)
    }

    /// The permission set assignment rows of `username`, in file order.
    pub fn assignments_of(&self, username: &str) -> impl Iterator<Item = &PermissionSetAssignment> {
        self.by_user
            .get(&user_key(username))
            .into_iter()
            .flat_map(|u| u.assignments.iter().map(|&i| &self.assignments[i]))
    }

    /// The permission set licence assignment rows of `username`.
    pub fn licences_of(&self, username: &str) -> impl Iterator<Item = &LicenceAssignment> {
        self.by_user
            .get(&user_key(username))
            .into_iter()
            .flat_map(|u| u.licences.iter().map(|&i| &self.licence_assignments[i]))
    }

    /// Indexes the records by user; a row repeated (the same export in
    /// both formats, say) counts once.
    pub(super) fn index(&mut self) {
        let mut seen = std::collections::HashSet::new();
        for (i, u) in self.users.iter().enumerate() {
            let entry = self.by_user.entry(user_key(&u.username.value)).or_default();
            entry.user.get_or_insert(i);
        }
        for (i, a) in self.assignments.iter().enumerate() {
            let key = user_key(&a.username.value);
            let row = (
                key.clone(),
                0,
                a.permission_set.value.clone(),
                a.group.value.clone(),
                a.owned_by_profile,
            );
            if seen.insert(row) {
                self.by_user.entry(key).or_default().assignments.push(i);
            }
        }
        for (i, l) in self.licence_assignments.iter().enumerate() {
            let key = user_key(&l.username.value);
            let row = (key.clone(), 1, l.developer_name.value.clone(), None, false);
            if seen.insert(row) {
                self.by_user.entry(key).or_default().licences.push(i);
            }
        }
    }
}
