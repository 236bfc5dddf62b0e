//! What a file holds, from its name: the suffix → kind table, and the
//! folder of a decomposed permission set.

use std::path::Path;

/// External Client App files: one component each, joined into one app by
/// their `<externalClientApplication>` element.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum EcaPart {
    Header,
    OauthSettings,
    GlobalOauthSettings,
    OauthPolicies,
    Policies,
}

/// What a file holds, decided by its suffix alone (never its folder).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum FileKind {
    Profile,
    PermissionSet,
    PermissionSetGroup,
    MutingPermissionSet,
    ConnectedApp,
    Eca(EcaPart),
    NamedCredential,
    ExternalCredential,
    /// A file of a decomposed permission set, merged
    /// into the permission set whose folder holds it.
    PermissionSetPart,
}

/// Suffixes of decomposed permission set files, in both presets' spellings.
const PART_SUFFIXES: [&str; 29] = [
    "objectSettings",
    "objectPermission",
    "fieldPermission",
    "userPermission",
    "userPermissions",
    "classAccess",
    "classAccesses",
    "applicationVisibility",
    "applicationVisibilities",
    "customPermission",
    "customPermissions",
    "customMetadataTypeAccess",
    "customMetadataTypeAccesses",
    "customSettingAccess",
    "customSettingAccesses",
    "externalCredentialPrincipalAccess",
    "externalCredentialPrincipalAccesses",
    "externalDataSourceAccess",
    "externalDataSourceAccesses",
    "flowAccess",
    "flowAccesses",
    "pageAccess",
    "pageAccesses",
    "tabSetting",
    "tabSettings",
    "recordTypeVisibility",
    "recordTypeVisibilities",
    "agentAccess",
    "agentAccesses",
];

impl FileKind {
    /// `(suffix, kind, root element)`.
    const TABLE: [(&'static str, FileKind, &'static str); 12] = [
        ("profile", FileKind::Profile, "Profile"),
        ("permissionset", FileKind::PermissionSet, "PermissionSet"),
        (
            "permissionsetgroup",
            FileKind::PermissionSetGroup,
            "PermissionSetGroup",
        ),
        (
            "mutingpermissionset",
            FileKind::MutingPermissionSet,
            "MutingPermissionSet",
        ),
        ("connectedApp", FileKind::ConnectedApp, "ConnectedApp"),
        (
            "eca",
            FileKind::Eca(EcaPart::Header),
            "ExternalClientApplication",
        ),
        (
            "ecaOauth",
            FileKind::Eca(EcaPart::OauthSettings),
            "ExtlClntAppOauthSettings",
        ),
        (
            "ecaGlblOauth",
            FileKind::Eca(EcaPart::GlobalOauthSettings),
            "ExtlClntAppGlobalOauthSettings",
        ),
        (
            "ecaOauthPlcy",
            FileKind::Eca(EcaPart::OauthPolicies),
            "ExtlClntAppOauthConfigurablePolicies",
        ),
        (
            "ecaPlcy",
            FileKind::Eca(EcaPart::Policies),
            "ExtlClntAppConfigurablePolicies",
        ),
        (
            "namedCredential",
            FileKind::NamedCredential,
            "NamedCredential",
        ),
        (
            "externalCredential",
            FileKind::ExternalCredential,
            "ExternalCredential",
        ),
    ];

    /// The kind and decoded full name of a file, from its name:
    /// `Custom%3A Sales.profile-meta.xml` → (Profile, `Custom: Sales`);
    /// `Admin.profile` (Metadata API format) → (Profile, `Admin`).
    pub fn classify(file_name: &str) -> Option<(FileKind, String)> {
        let base = file_name.strip_suffix("-meta.xml").unwrap_or(file_name);
        let (stem, suffix) = base.rsplit_once('.')?;
        if stem.is_empty() {
            return None;
        }
        let kind = Self::TABLE.iter().find(|(s, _, _)| *s == suffix)?.1;
        let name = percent_encoding::percent_decode_str(stem)
            .decode_utf8_lossy()
            .into_owned();
        Some((kind, name))
    }

    /// Like [`FileKind::classify`], and also recognises the files of a
    /// decomposed permission set by their folder: they live below
    /// `permissionsets/<PS>/`, and their full name is the permission set's.
    pub fn classify_path(path: &Path) -> Option<(FileKind, String)> {
        let name = path.file_name()?.to_str()?;
        if let Some(found) = Self::classify(name) {
            return Some(found);
        }
        let (_, suffix) = name.strip_suffix("-meta.xml")?.rsplit_once('.')?;
        if !PART_SUFFIXES.contains(&suffix) {
            return None;
        }
        let folder = decomposed_folder(path)?;
        let set = folder.file_name()?.to_str()?;
        let set = percent_encoding::percent_decode_str(set).decode_utf8_lossy();
        Some((FileKind::PermissionSetPart, set.into_owned()))
    }

    pub fn suffix(self) -> &'static str {
        match self {
            FileKind::PermissionSetPart => "permissionset",
            _ => Self::TABLE.iter().find(|(_, k, _)| *k == self).unwrap().0,
        }
    }

    pub fn root_element(self) -> &'static str {
        match self {
            FileKind::PermissionSetPart => "PermissionSet",
            _ => Self::TABLE.iter().find(|(_, k, _)| *k == self).unwrap().2,
        }
    }

    /// Every kind, in a fixed order.
    pub fn all() -> impl Iterator<Item = FileKind> {
        Self::TABLE.iter().map(|(_, k, _)| *k)
    }

    /// Every suffix minpriv reads.
    pub fn suffixes() -> impl Iterator<Item = &'static str> {
        Self::TABLE.iter().map(|(s, _, _)| *s)
    }
}

/// The folder of a decomposed permission set that holds `path`: the
/// ancestor directly below a `permissionsets` folder (any case).
pub fn decomposed_folder(path: &Path) -> Option<&Path> {
    path.ancestors().skip(1).find(|dir| {
        dir.parent()
            .and_then(Path::file_name)
            .is_some_and(|n| n.eq_ignore_ascii_case("permissionsets"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_by_suffix_in_both_formats() {
        assert_eq!(
            FileKind::classify("Admin.profile-meta.xml"),
            Some((FileKind::Profile, "Admin".into()))
        );
        assert_eq!(
            FileKind::classify("Admin.profile"),
            Some((FileKind::Profile, "Admin".into()))
        );
        assert_eq!(
            FileKind::classify("Custom%3A Sales Profile.profile-meta.xml"),
            Some((FileKind::Profile, "Custom: Sales Profile".into()))
        );
        assert_eq!(
            FileKind::classify("Force%2Ecom - Free User.profile"),
            Some((FileKind::Profile, "Force.com - Free User".into()))
        );
        assert_eq!(
            FileKind::classify("Orders_oauthPlcy.ecaOauthPlcy-meta.xml"),
            Some((
                FileKind::Eca(EcaPart::OauthPolicies),
                "Orders_oauthPlcy".into()
            ))
        );
        assert_eq!(FileKind::classify("Order.objectSettings-meta.xml"), None);
        assert_eq!(FileKind::classify("package.xml"), None);
        assert_eq!(FileKind::classify(".profile"), None);
    }
}
