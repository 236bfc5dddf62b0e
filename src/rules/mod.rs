//! The rules. Each file holds one rule: a pointer to its catalogue entry
//! (`rules/<CODE>.md`, which documents it) and its check, nothing else.
//! A new rule is a file here, its entry in `rules/`, and a line in [`ALL`].

mod adm001;
mod idn001;
mod idn003;
mod net001;
mod prf001;

use crate::engine::{Context, Findings};

/// A rule's implementation and its embedded documentation.
pub struct RuleDef {
    pub code: &'static str,
    /// `rules/<CODE>.md`, embedded at build time.
    pub doc: &'static str,
    pub check: fn(&Context, &mut Findings),
}

/// Declares a rule whose documentation is `rules/<code>.md`.
macro_rules! rule {
    ($code:literal, $check:path) => {
        $crate::rules::RuleDef {
            code: $code,
            doc: include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/rules/", $code, ".md")),
            check: $check,
        }
    };
}
pub(crate) use rule;

/// Every rule, in code order.
pub static ALL: &[RuleDef] = &[
    adm001::RULE,
    idn001::RULE,
    idn003::RULE,
    net001::RULE,
    prf001::RULE,
];

/// Shared by the profile rules: the integration a finding names, and the
/// suffix that lists who uses the profile.
pub(crate) fn profile_users(cx: &Context, profile: usize) -> (Option<String>, String) {
    let names = cx.integrations.names_for_profile(profile);
    let suffix = match names.as_slice() {
        [] => String::new(),
        [one] => format!(" (integration {one})"),
        many => format!(" (integrations {})", many.join(", ")),
    };
    (names.first().map(|s| s.to_string()), suffix)
}
