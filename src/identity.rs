//! What makes a profile or permission set an integration identity
//! (README, "Inventory: minpriv.toml", *Integrations*): the evidence kinds, the name test (a word
//! list and the apps' labels), and the Salesforce-managed integration
//! profiles and sets that minpriv reports once (IDN006) and otherwise
//! leaves alone. `check`, `init` and the reports all use these, through
//! [`crate::integration::Integrations::resolve_with`], so they agree.

use crate::model::{Org, PermissionSet, Profile};
use crate::source::Loc;

/// Why minpriv thinks an identity is an integration's, strongest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum EvidenceKind {
    /// An `[[integration]]` of minpriv.toml.
    Declared,
    /// A connected app's / ECA's client-credentials run-as user.
    RunAs,
    /// A profile or permission set an integration's app pre-authorizes.
    PreAuthorized,
    /// The Salesforce Integration licence, or `ApiUserOnly`.
    Licence,
    /// An active integration user of the org snapshot.
    Snapshot,
    /// Only the name reads as an integration's: a suspect.
    Name,
}

impl EvidenceKind {
    /// As the README's evidence table and the identity summary name it.
    pub fn label(self) -> &'static str {
        match self {
            EvidenceKind::Declared => "declared",
            EvidenceKind::RunAs => "run-as",
            EvidenceKind::PreAuthorized => "pre-authorized",
            EvidenceKind::Licence => "licence",
            EvidenceKind::Snapshot => "snapshot",
            EvidenceKind::Name => "name",
        }
    }
}

/// One piece of evidence: its kind, what it says (for messages and the
/// identity summary), and where it is written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Evidence {
    pub kind: EvidenceKind,
    pub detail: String,
    pub loc: Option<Loc>,
}

/// Words that mark an integration identity in a name (the README's `name` evidence),
/// as shown in messages. Matched as whole words, case-insensitive, also
/// joined in CamelCase or with `_` (`DataLoader`, `Data_Loader`).
pub const INTEGRATION_WORDS: [&str; 20] = [
    "Integration",
    "Integrations",
    "API",
    "Data Loader",
    "Dataloader",
    "ETL",
    "Sync",
    "Connector",
    "Middleware",
    "Mulesoft",
    "Anypoint",
    "Boomi",
    "Informatica",
    "Workato",
    "Zapier",
    "Migration",
    "Backup",
    "Service Account",
    "System User",
    "Bot",
];

/// User licences of the integration users Salesforce itself creates and
/// runs: the users of its own features, never an integration the org
/// set up.
pub const MANAGED_LICENCES: [&str; 5] = [
    "Analytics Cloud Integration User",
    "Sales Insights Integration User",
    "SalesforceIQ Integration User",
    "CPQ Integration User",
    "B2BMA Integration User",
];

/// The namespace of Salesforce's internal integration users' permission
/// sets, and the licence such sets carry.
pub const MANAGED_NAMESPACE: &str = "sfdcInternalInt__";
pub const MANAGED_SET_LICENCE: &str = "Cloud Integration User";

/// The words of a name: split at anything not alphanumeric and at
/// CamelCase boundaries (`APIUser` → `API`, `User`), lowercased.
pub fn words(name: &str) -> Vec<String> {
    let mut out = vec![];
    for part in name.split(|c: char| !c.is_alphanumeric()) {
        let chars: Vec<char> = part.chars().collect();
        let mut start = 0;
        for i in 1..chars.len() {
            let (prev, cur) = (chars[i - 1], chars[i]);
            let next_lower = chars.get(i + 1).is_some_and(|c| c.is_lowercase());
            let boundary = (prev.is_lowercase() && cur.is_uppercase())
                || (prev.is_uppercase() && cur.is_uppercase() && next_lower)
                || (prev.is_alphabetic() != cur.is_alphabetic());
            if boundary {
                out.push(chars[start..i].iter().collect::<String>().to_lowercase());
                start = i;
            }
        }
        if start < chars.len() {
            out.push(chars[start..].iter().collect::<String>().to_lowercase());
        }
    }
    out
}

/// Whether the words `term` (one word, or joined: `dataloader`) appear in
/// `words` as a run of consecutive words that joins to it exactly.
fn contains_run(words: &[String], term: &str) -> bool {
    (0..words.len()).any(|start| {
        let mut rest = term;
        for w in &words[start..] {
            match rest.strip_prefix(w.as_str()) {
                Some("") => return true,
                Some(more) => rest = more,
                None => return false,
            }
        }
        false
    })
}

/// The name test ([`INTEGRATION_WORDS`] and the apps' labels), prepared once
/// for a run: the words to look for, longest first, and the distinctive
/// app labels, each as the joined lower-case key [`contains_run`] takes.
pub struct NameTest {
    terms: Vec<(String, &'static str)>,
    app_labels: Vec<(String, String)>,
}

impl NameTest {
    pub fn new(app_labels: &[&str]) -> NameTest {
        // The longest word first: `Integrations` says more than `Integration`.
        let mut terms: Vec<&'static str> = INTEGRATION_WORDS.to_vec();
        terms.sort_by_key(|t| std::cmp::Reverse(t.len()));
        let terms = terms
            .into_iter()
            .map(|t| (t.split(' ').collect::<String>().to_lowercase(), t))
            .collect();
        let app_labels = app_labels
            .iter()
            .filter_map(|&label| {
                let label_words = words(label);
                // A one-word label of a few letters (`Sales`) would make
                // suspects of half the org.
                let distinctive = label_words.len() >= 2 || label.trim().chars().count() >= 6;
                distinctive.then(|| (label_words.concat(), label.trim().to_owned()))
            })
            .collect();
        NameTest { terms, app_labels }
    }

    /// What in `name` (or `label`) marks an integration: a word of the
    /// list, else an app's label.
    pub fn evidence(&self, name: &str, label: Option<&str>) -> Option<String> {
        let texts: Vec<Vec<String>> = std::iter::once(name).chain(label).map(words).collect();
        let found = |key: &str| texts.iter().any(|w| contains_run(w, key));
        if let Some((_, term)) = self.terms.iter().find(|(key, _)| found(key)) {
            return Some((*term).to_owned());
        }
        self.app_labels
            .iter()
            .find(|(key, _)| found(key))
            .map(|(_, label)| label.clone())
    }
}

/// What in `name` (or `label`) reads as an integration's: a word of
/// [`INTEGRATION_WORDS`], or the label of an app in `app_labels` (quoted
/// as written). `None` for a name that reads as a person's.
pub fn name_evidence(name: &str, label: Option<&str>, app_labels: &[&str]) -> Option<String> {
    NameTest::new(app_labels).evidence(name, label)
}

/// The licence that makes `profile` a Salesforce-managed integration
/// profile, if it is one.
pub fn managed_profile_licence<'a>(org: &'a Org, profile: &Profile) -> Option<&'a str> {
    let licence = org.name(profile.user_license.as_ref()?.value);
    MANAGED_LICENCES.contains(&licence).then_some(licence)
}

/// Whether `set` belongs to one of Salesforce's internal integration
/// users: the `sfdcInternalInt__` namespace, or the licence `Cloud
/// Integration User`.
pub fn is_managed_permission_set(org: &Org, set: &PermissionSet) -> bool {
    org.name(set.header.name).starts_with(MANAGED_NAMESPACE)
        || set
            .license
            .as_ref()
            .is_some_and(|l| org.name(l.value) == MANAGED_SET_LICENCE)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_split_at_camel_case_and_separators() {
        assert_eq!(words("APIUser"), ["api", "user"]);
        assert_eq!(words("MuleSoft_Connector"), ["mule", "soft", "connector"]);
        assert_eq!(
            words("2cloudnine Payroll User"),
            ["2", "cloudnine", "payroll", "user"]
        );
        assert_eq!(words("X2Cloudnine"), ["x", "2", "cloudnine"]);
    }

    #[test]
    fn integration_words_are_whole_words() {
        let hit = |name: &str| name_evidence(name, None, &[]);
        assert_eq!(hit("Integration User").as_deref(), Some("Integration"));
        assert_eq!(
            hit("RPM Integration Profile").as_deref(),
            Some("Integration")
        );
        assert_eq!(hit("Data Migration").as_deref(), Some("Migration"));
        assert_eq!(hit("DataLoader_Users").as_deref(), Some("Data Loader"));
        assert_eq!(hit("MuleSoft_Sync_Role").as_deref(), Some("Mulesoft"));
        assert_eq!(hit("OrgWide_API_Only_User_System").as_deref(), Some("API"));
        assert_eq!(hit("GREX_System_User_CRE").as_deref(), Some("System User"));
        // Words inside other words are not words.
        assert_eq!(hit("Capital_Account_Profiles"), None);
        assert_eq!(hit("Rapid Response Team"), None);
        assert_eq!(hit("Chatbot Designers"), None);
        assert_eq!(hit("Synchronised Sales"), None);
        assert_eq!(hit("Custom: Sales Profile"), None);
    }

    #[test]
    fn app_labels_mark_names_that_contain_them() {
        let labels = ["2cloudnine Payroll", "Sales", "Okta"];
        assert_eq!(
            name_evidence("2cloudnine Payroll User", None, &labels).as_deref(),
            Some("2cloudnine Payroll")
        );
        // Too short to tell.
        assert_eq!(name_evidence("Sales Manager", None, &labels), None);
        assert_eq!(name_evidence("Okta Admins", None, &labels), None);
        // The label of a permission set counts too.
        assert_eq!(
            name_evidence("Payroll_PS", Some("2cloudnine Payroll access"), &labels).as_deref(),
            Some("2cloudnine Payroll")
        );
    }
}
