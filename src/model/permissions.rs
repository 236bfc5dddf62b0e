//! System permission names that matter.

/// Permissions that make a profile an administrator's (ADM001).
pub const ADMIN_PERMISSIONS: [&str; 7] = [
    "ModifyAllData",
    "ViewAllData",
    "ManageUsers",
    "CustomizeApplication",
    "AuthorApex",
    "ModifyMetadata",
    "ManageProfilesPermissionsets",
];

/// High-risk system permissions and their Setup labels (ADM002).
pub const HIGH_RISK_PERMISSIONS: &[(&str, &str)] = &[
    ("ModifyAllData", "Modify All Data"),
    ("ViewAllData", "View All Data"),
    ("ManageUsers", "Manage Users"),
    ("ManageInternalUsers", "Manage Internal Users"),
    ("ResetPasswords", "Reset User Passwords and Unlock Users"),
    ("FreezeUsers", "Freeze Users"),
    ("AssignPermissionSets", "Assign Permission Sets"),
    (
        "ManageProfilesPermissionsets",
        "Manage Profiles and Permission Sets",
    ),
    (
        "ManageSessionPermissionSets",
        "Manage Session Permission Set Activations",
    ),
    ("CustomizeApplication", "Customize Application"),
    (
        "ModifyMetadata",
        "Modify Metadata Through Metadata API Functions",
    ),
    ("AuthorApex", "Author Apex"),
    ("ViewSetup", "View Setup and Configuration"),
    ("ManageRoles", "Manage Roles"),
    ("ManageSharing", "Manage Sharing"),
    ("ViewAllUsers", "View All Users"),
    ("ViewAllProfiles", "View All Profiles"),
    ("ExportReport", "Export Reports"),
    ("DataExport", "Weekly Data Export"),
    ("ManageDataIntegrations", "Manage Data Integrations"),
    ("BulkApiHardDelete", "Bulk API Hard Delete"),
    ("ManageAuthProviders", "Manage Auth. Providers"),
    ("ManageRemoteAccess", "Manage Connected Apps"),
    (
        "CanApproveUninstalledApps",
        "Approve Uninstalled Connected Apps",
    ),
    ("UseAnyApiClient", "Use Any API Client"),
    (
        "ExternalClientAppAdmin",
        "View all External Client Apps, view their settings, and edit their policies",
    ),
    (
        "ExternalClientAppDeveloper",
        "Create, edit, and delete External Client Apps",
    ),
    ("ExternalClientAppViewer", "View all External Client Apps"),
    (
        "ViewClientSecret",
        "View External Client App Consumer Secrets in Metadata",
    ),
    (
        "ClientSecretRotation",
        "Allow consumer key and secret rotation",
    ),
    ("ManageNamedCredentials", "Manage Named Credentials"),
    ("ManageCertificates", "Manage Certificates"),
    ("ManageIpAddresses", "Manage IP Addresses"),
    ("ManageLoginAccessPolicies", "Manage Login Access Policies"),
    ("ManagePasswordPolicies", "Manage Password Policies"),
    ("ManageTwoFactor", "Manage MFA in API"),
    ("DelegatedTwoFactor", "Manage MFA in User Interface"),
    (
        "BypassMFAForUiLogins",
        "Waive Multi-Factor Authentication for Exempt Users",
    ),
    ("ManageEncryptionKeys", "Manage Encryption Keys"),
    ("ViewEncryptedData", "View Encrypted Data"),
    ("ViewAllFieldsGlobal", "View All Fields (Global)"),
    (
        "TransactionSecurityExempt",
        "Exempt from Transaction Security",
    ),
    ("ViewEventLogFiles", "View Event Log Files"),
    ("InstallPackaging", "Download AppExchange Packages"),
    ("ManageSandboxes", "Manage Sandboxes"),
    ("ViewUserPII", "View Concealed Field Data"),
    ("PasswordNeverExpires", "Password Never Expires"),
];

/// The system permissions an integration profile needs and nothing more
/// (what `Minimum Access - API Only Integrations` grants).
pub const PROFILE_BASELINE_PERMISSIONS: [&str; 3] =
    ["ApiEnabled", "ApiUserOnly", "ChatterInternalUser"];

/// The Setup label of a high-risk permission.
pub fn high_risk_label(name: &str) -> Option<&'static str> {
    HIGH_RISK_PERMISSIONS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, l)| *l)
}

/// The permission set licence integration users' permission sets carry.
pub const INTEGRATION_PSL: &str = "Salesforce API Integration";

/// `PermissionSetLicense.DeveloperName` of the Salesforce API Integration
/// licence, as seen in exports (compared case-insensitively: one spelling
/// ends in `PSL`).
pub const INTEGRATION_PSL_DEVELOPER_NAME: &str = "SalesforceAPIIntegrationPsl";

/// Whether a permission set's `<license>` is one a user on the Salesforce
/// Integration licence can hold (LIC002, `rules/LIC002.md`): the permission set
/// licence by its developer name (what retrieves write,
/// `SalesforceAPIIntegrationPsl`) or its label, or the user licence
/// itself.
pub fn is_integration_psl(licence: &str) -> bool {
    licence.eq_ignore_ascii_case(INTEGRATION_PSL_DEVELOPER_NAME)
        || licence == INTEGRATION_PSL
        || licence == crate::model::INTEGRATION_LICENSE
}

/// A system permission's place in the risk order that grouped findings
/// list permissions in: the order of [`HIGH_RISK_PERMISSIONS`] — access to every record first (ModifyAllData, ViewAllData), then
/// control of users and their permissions, of the org's configuration and
/// code, then the narrower ones — and every other permission after them.
pub fn permission_risk(name: &str) -> u32 {
    let rank = HIGH_RISK_PERMISSIONS
        .iter()
        .position(|(n, _)| *n == name)
        .unwrap_or(HIGH_RISK_PERMISSIONS.len());
    rank as u32
}
