//! What a finding is about, typed: the component part of its fingerprint.

use std::cmp::Ordering;
use std::fmt;

use crate::model::ComponentKind;

/// The component a finding is about. Outputs (text, JSON, SARIF,
/// baselines) and fingerprints see it rendered as `Type:name`:
/// `Profile:Admin`, `User:sync@acme.com`, `Forceignore:.forceignore`, or
/// `Exception`. Two components are equal exactly when their renderings
/// are, and they order as their renderings do.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub enum Component {
    /// None set: renders as the empty string.
    #[default]
    None,
    /// A metadata component: `Profile:Admin`, `ExternalClientApplication:Sync`.
    Metadata { kind: ComponentKind, name: String },
    /// A user, by the name its fingerprint keys (lower case):
    /// `User:sync@acme.com`.
    User(String),
    /// An integration of the inventory, by name: `Integration:Orders`.
    Integration(String),
    /// The project's `.forceignore` (REF003), wherever it was read from.
    Forceignore,
    /// The inventory's exceptions (EXC001, EXC002).
    Exception,
}

impl Component {
    pub fn metadata(kind: ComponentKind, name: impl Into<String>) -> Self {
        Component::Metadata {
            kind,
            name: name.into(),
        }
    }

    /// The type before the colon, and the name after it (none: no colon).
    fn parts(&self) -> (&str, Option<&str>) {
        match self {
            Component::None => ("", None),
            Component::Metadata { kind, name } => (kind.type_name(), Some(name)),
            Component::User(name) => ("User", Some(name)),
            Component::Integration(name) => ("Integration", Some(name)),
            Component::Forceignore => ("Forceignore", Some(".forceignore")),
            Component::Exception => ("Exception", None),
        }
    }

    /// The rendering's bytes, without building it.
    fn bytes(&self) -> impl Iterator<Item = u8> + '_ {
        let (kind, name) = self.parts();
        let name = name
            .into_iter()
            .flat_map(|name| std::iter::once(b':').chain(name.bytes()));
        kind.bytes().chain(name)
    }
}

impl fmt::Display for Component {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (kind, name) = self.parts();
        f.write_str(kind)?;
        if let Some(name) = name {
            write!(f, ":{name}")?;
        }
        Ok(())
    }
}

/// The order of the renderings (byte-wise, as `str` orders).
impl Ord for Component {
    fn cmp(&self, other: &Self) -> Ordering {
        self.bytes().cmp(other.bytes())
    }
}

impl PartialOrd for Component {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// As its rendering.
impl serde::Serialize for Component {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all() -> Vec<Component> {
        vec![
            Component::None,
            Component::metadata(ComponentKind::Profile, "Admin"),
            Component::metadata(ComponentKind::PermissionSet, "ns__*"),
            Component::metadata(ComponentKind::PermissionSetGroup, "Sync"),
            Component::metadata(ComponentKind::ExternalClientApp, "Sync"),
            Component::metadata(ComponentKind::ConnectedApp, ""),
            Component::User("sync@acme.com".to_owned()),
            Component::User(String::new()),
            Component::Integration("Orders Sync".to_owned()),
            Component::Integration("Orders".to_owned()),
            Component::Forceignore,
            Component::Exception,
        ]
    }

    #[test]
    fn renders_as_type_colon_name() {
        let rendered: Vec<String> = all().iter().map(ToString::to_string).collect();
        assert_eq!(
            rendered,
            [
                "",
                "Profile:Admin",
                "PermissionSet:ns__*",
                "PermissionSetGroup:Sync",
                "ExternalClientApplication:Sync",
                "ConnectedApp:",
                "User:sync@acme.com",
                "User:",
                "Integration:Orders Sync",
                "Integration:Orders",
                "Forceignore:.forceignore",
                "Exception",
            ]
        );
        assert_eq!(
            serde_json::to_string(&Component::User("a@b.c".to_owned())).unwrap(),
            r#""User:a@b.c""#
        );
    }

    #[test]
    fn equal_and_ordered_as_the_renderings() {
        let all = all();
        for a in &all {
            for b in &all {
                let (ra, rb) = (a.to_string(), b.to_string());
                assert_eq!(a.cmp(b), ra.cmp(&rb), "{ra} vs {rb}");
                assert_eq!(a == b, ra == rb, "{ra} vs {rb}");
            }
        }
    }
}
