//! Standard profiles: their file full names differ from the labels that
//! connected apps, the Setup UI and `Profile.Name` use.

/// `(full name, label)` of every standard profile whose two names differ,
/// plus the ones that are the same, so both directions resolve.
pub const STANDARD_PROFILES: &[(&str, &str)] = &[
    ("Admin", "System Administrator"),
    ("Standard", "Standard User"),
    ("StandardAul", "Standard Platform User"),
    ("ReadOnly", "Read Only"),
    ("ContractManager", "Contract Manager"),
    ("MarketingProfile", "Marketing User"),
    ("SolutionManager", "Solution Manager"),
    ("Minimum Access - Salesforce", "Minimum Access - Salesforce"),
    (
        "Minimum Access - API Only Integrations",
        "Minimum Access - API Only Integrations",
    ),
    (
        "Salesforce API Only System Integrations",
        "Salesforce API Only System Integrations",
    ),
    (
        "Analytics Cloud Integration User",
        "Analytics Cloud Integration User",
    ),
];

/// The file full name of the standard profile labelled `label`.
pub fn profile_full_name_for_label(label: &str) -> Option<&'static str> {
    STANDARD_PROFILES
        .iter()
        .find(|(_, l)| l.eq_ignore_ascii_case(label))
        .map(|(f, _)| *f)
}

/// The label of the standard profile stored as `full_name`.
pub fn profile_label_for_full_name(full_name: &str) -> Option<&'static str> {
    STANDARD_PROFILES
        .iter()
        .find(|(f, _)| f.eq_ignore_ascii_case(full_name))
        .map(|(_, l)| *l)
        .or(match full_name {
            // Seen retrieved under this name too.
            "Read Only" => Some("Read Only"),
            _ => None,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_and_full_names_resolve_both_ways() {
        assert_eq!(
            profile_full_name_for_label("System Administrator"),
            Some("Admin")
        );
        assert_eq!(
            profile_label_for_full_name("Admin"),
            Some("System Administrator")
        );
        assert_eq!(profile_full_name_for_label("Sales Rep"), None);
    }
}
