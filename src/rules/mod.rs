//! The rules. Each file holds one rule: a pointer to its catalogue entry
//! (`rules/<CODE>.md`, which documents it) and its check, nothing else.
//! A new rule is a file here, its entry in `rules/`, and a line in [`ALL`].

mod adm001;
mod app001;
mod app002;
mod app003;
mod app004;
mod app005;
mod idn001;
mod idn003;
mod net001;
mod net002;
mod net003;
mod net004;
mod net005;
mod prf001;

use crate::engine::{Context, Findings};
use crate::ip::IpSpan;
use crate::model::{App, ComponentKind, IpRangeEntry, Org};

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
    app001::RULE,
    app002::RULE,
    app003::RULE,
    app004::RULE,
    app005::RULE,
    idn001::RULE,
    idn003::RULE,
    net001::RULE,
    net002::RULE,
    net003::RULE,
    net004::RULE,
    net005::RULE,
    prf001::RULE,
];

/// Shared by the profile rules: the integration a finding names, and the
/// suffix that lists who uses the profile.
pub(crate) fn profile_users(cx: &Context, profile: usize) -> (Option<String>, String) {
    users(cx.integrations.names_for_profile(profile))
}

/// Shared by the app rules: the integration a finding names (declared or
/// discovered, the first by name of those that list the app) and the
/// suffix that lists them all.
pub(crate) fn app_users(cx: &Context, app: usize) -> (Option<String>, String) {
    let mut names: Vec<&str> = cx
        .integrations
        .list
        .iter()
        .filter(|i| i.apps.contains(&app))
        .map(|i| i.name.as_str())
        .collect();
    names.sort_unstable();
    users(names)
}

fn users(names: Vec<&str>) -> (Option<String>, String) {
    let suffix = match names.as_slice() {
        [] => String::new(),
        [one] => format!(" (integration {one})"),
        many => format!(" (integrations {})", many.join(", ")),
    };
    (names.first().map(|s| s.to_string()), suffix)
}

/// How messages name an app: ``connected app `Orders_Sync` ``.
pub(crate) fn app_title(org: &Org, app: &App) -> String {
    let kind = match app.kind {
        ComponentKind::ExternalClientApp => "External Client App",
        _ => "connected app",
    };
    format!("{kind} `{}`", org.name(app.name))
}

/// A login IP range entry as addresses, when it is a valid range; NET003
/// reports the others, so the other IP rules skip them.
pub(crate) fn valid_ip_span(entry: &IpRangeEntry) -> Option<IpSpan> {
    let (start, end) = (entry.start.as_ref()?, entry.end.as_ref()?);
    IpSpan::from_bounds(&start.value, &end.value).ok()
}
