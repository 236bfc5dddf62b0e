//! The integration's profile: a new custom API-only profile where the
//! current one is standard or shared, the current one trimmed in place
//! where it is the integration's own. Login IP ranges never widen.

use super::xml::Element;
use super::{FixError, Fixing};
use crate::ip::IpSpan;
use crate::model::permissions::PROFILE_BASELINE_PERMISSIONS;
use crate::model::{INTEGRATION_LICENSE, Profile, ProfileId, STANDARD_PROFILES};
use crate::report::terminal_safe;

/// Where the profile step leaves the integration.
#[derive(Debug, Default)]
pub(super) struct Outcome {
    /// The profile whose access moves into the `_Access` permission set.
    pub source: Option<ProfileId>,
    /// The new profile the user must be moved to.
    pub moved_to: Option<String>,
    /// The profile the integration ends on is on the Salesforce
    /// Integration licence.
    pub integration_licence: bool,
}

/// The profile elements that grant by `enabled`, and so are revoked by
/// `enabled` false.
const ENABLED_LISTS: [&str; 10] = [
    "classAccesses",
    "pageAccesses",
    "flowAccesses",
    "customPermissions",
    "customMetadataTypeAccesses",
    "customSettingAccesses",
    "externalDataSourceAccesses",
    "agentAccesses",
    "emailRoutingAddressAccesses",
    "ServicePresenceStatusAccesses",
];

/// The object permission flags, as elements.
const OBJECT_FLAGS: [&str; 7] = [
    "allowCreate",
    "allowDelete",
    "allowEdit",
    "allowRead",
    "modifyAllRecords",
    "viewAllFields",
    "viewAllRecords",
];

/// A login IP range to write.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Range {
    span: IpSpan,
    description: Option<String>,
}

impl Range {
    fn element(&self) -> Element {
        let mut children = vec![];
        if let Some(d) = &self.description {
            children.push(Element::leaf("description", d.clone()));
        }
        children.push(Element::leaf("endAddress", self.span.end.to_string()));
        children.push(Element::leaf("startAddress", self.span.start.to_string()));
        Element::parent("loginIpRanges", children)
    }
}

impl Fixing<'_, '_> {
    pub(super) fn fix_profile(&mut self) -> Result<Outcome, FixError> {
        let org = self.org();
        let Some(&p) = self.integration.profiles.first() else {
            self.out.remaining.push(
                "profile rules: the integration's profile is not in the metadata; retrieve it \
                 (`sf project retrieve start --metadata Profile`) and run fix again"
                    .to_owned(),
            );
            return Ok(Outcome::default());
        };
        let profile = &org.profiles[p];
        let name = org.name(profile.header.name).to_owned();
        let standard = profile.custom == Some(false)
            || STANDARD_PROFILES.iter().any(|(full, _)| *full == name);
        let shared = self.inputs.integrations.by_profile[p].len() > 1;
        let ranges = self.login_ranges(profile);
        let keep = self.kept_permissions(profile);
        if !standard && !shared {
            return self.trim(p, ranges, &keep);
        }

        let target = self.names.profile();
        if org.profiles_named(&target).iter().any(|&other| other != p) {
            self.out.remaining.push(format!(
                "profile rules: a profile called `{}` already exists and is not this \
                 integration's; name it in minpriv.toml or rename it, then run fix again",
                terminal_safe(&target)
            ));
            return Ok(Outcome {
                source: None,
                ..Outcome::default()
            });
        }
        let mut root = Element::root("Profile");
        root.children.push(Element::leaf("custom", "true"));
        root.children.push(Element::leaf(
            "description",
            format!(
                "API-only profile of the {} integration, written by minpriv fix: its access comes from its permission sets.",
                self.integration.name
            ),
        ));
        for range in ranges.as_deref().unwrap_or(&[]) {
            root.children.push(range.element());
        }
        if ranges.is_none() {
            for entry in &profile.login_ip_ranges {
                if let Some(span) = crate::ip::valid_ip_span(entry) {
                    root.children.push(
                        Range {
                            span,
                            description: entry.description.as_deref().map(str::to_owned),
                        }
                        .element(),
                    );
                }
            }
        }
        root.children
            .push(Element::leaf("userLicense", INTEGRATION_LICENSE));
        for permission in &keep {
            root.children.push(user_permission(permission, true));
        }
        let path = self.layout.path("profiles", &target, "profile");
        self.files.put(&path, root.to_document())?;
        self.toml.set_profile(self.index_declared(), &target)?;
        let why = if standard {
            self.pitfalls.insert(format!(
                "standard profile `{}` not rewritten (its user permissions cannot be changed): a new custom profile instead",
                terminal_safe(&name)
            ));
            "a standard profile"
        } else {
            self.pitfalls.insert(format!(
                "shared profile `{}` left as it is for the other integrations on it",
                terminal_safe(&name)
            ));
            "shared with another integration"
        };
        self.out.actions.push(format!(
            "new profile `{}` (Salesforce Integration licence, {}, {} login IP range{}) instead of `{}`, {why}",
            terminal_safe(&target),
            keep.join(" + "),
            count_ranges(&ranges, profile),
            if count_ranges(&ranges, profile) == 1 { "" } else { "s" },
            terminal_safe(&name)
        ));
        self.pitfalls.insert(
            "a new profile is deployed on top of `Minimum Access - Salesforce`: it lists every permission it keeps, nothing is left to the template".to_owned(),
        );
        Ok(Outcome {
            source: Some(p),
            moved_to: Some(target),
            integration_licence: true,
        })
    }

    /// The inventory entry's index.
    pub(super) fn index_declared(&self) -> usize {
        match self.integration.origin {
            crate::integration::Origin::Declared(d) => d,
            _ => unreachable!("only declared integrations are fixed"),
        }
    }

    /// The system permissions the profile keeps: `ApiUserOnly`, and
    /// `ApiEnabled` / `ChatterInternalUser` where the integration holds
    /// them today (fix never grants one it lacks).
    fn kept_permissions(&self, profile: &Profile) -> Vec<&'static str> {
        let org = self.org();
        let access = crate::access::EffectiveAccess::compute(org, &self.integration.assignment());
        PROFILE_BASELINE_PERMISSIONS
            .into_iter()
            .filter(|&p| match p {
                "ApiUserOnly" => true,
                "ApiEnabled" => access.system.contains_key(p),
                _ => profile
                    .grants
                    .enabled_user_permissions()
                    .any(|u| org.name(u.name) == p),
            })
            .collect()
    }

    /// The integration's own custom profile, trimmed: everything beyond
    /// the baseline revoked (written false), `ApiUserOnly`
    /// on, the login IP ranges narrowed.
    fn trim(
        &mut self,
        p: ProfileId,
        ranges: Option<Vec<Range>>,
        keep: &[&'static str],
    ) -> Result<Outcome, FixError> {
        let org = self.org();
        let profile = &org.profiles[p];
        let name = org.name(profile.header.name).to_owned();
        let path = org.sources.get(profile.header.file).path.clone();
        let mut tree = self.files.tree(&path)?;
        let mut revoked = 0usize;
        let mut has = std::collections::BTreeSet::new();
        for child in &mut tree.children {
            let before = child.clone();
            match child.name.as_str() {
                "objectPermissions" => {
                    for flag in OBJECT_FLAGS {
                        if child.child_text(flag).is_some() {
                            child.set_child_text(flag, "false");
                        }
                    }
                }
                "fieldPermissions" => {
                    child.set_child_text("editable", "false");
                    child.set_child_text("readable", "false");
                }
                "userPermissions" => {
                    let permission = child.child_text("name").unwrap_or("").to_owned();
                    if keep.contains(&permission.as_str()) {
                        child.set_child_text("enabled", "true");
                        has.insert(permission);
                    } else if child.child_text("enabled") != Some("false") {
                        child.set_child_text("enabled", "false");
                    }
                }
                "applicationVisibilities" => {
                    if child.child_text("default").is_some() {
                        child.set_child_text("default", "false");
                    }
                    child.set_child_text("visible", "false");
                }
                "tabVisibilities" => {
                    child.set_child_text("visibility", "Hidden");
                }
                list if ENABLED_LISTS.contains(&list) => {
                    child.set_child_text("enabled", "false");
                }
                _ => {}
            }
            if *child != before {
                revoked += 1;
            }
        }
        let mut added = vec![];
        for permission in keep {
            if !has.contains(*permission) {
                tree.insert_sorted(user_permission(permission, true));
                added.push(*permission);
            }
        }
        let mut ranges_changed = false;
        if let Some(ranges) = &ranges {
            tree.remove_children("loginIpRanges");
            for range in ranges {
                tree.insert_sorted(range.element());
            }
            ranges_changed = true;
        }
        if revoked > 0 || !added.is_empty() || ranges_changed {
            self.files.put(&path, tree.to_document())?;
            let mut what = vec![];
            if revoked > 0 {
                what.push(format!(
                    "{revoked} grant{} revoked (written with every flag false)",
                    if revoked == 1 { "" } else { "s" }
                ));
                self.pitfalls.insert(
                    "revokes in a profile that stays are written as the element with every flag false: a profile deploy leaves alone what its file omits".to_owned(),
                );
            }
            if !added.is_empty() {
                what.push(format!("{} enabled", added.join(", ")));
            }
            if let Some(ranges) = &ranges {
                let list: Vec<String> = ranges.iter().map(|r| r.span.to_string()).collect();
                what.push(format!("login IP ranges now {}", list.join(", ")));
            }
            self.out.actions.push(format!(
                "profile `{}` trimmed in place: {}",
                terminal_safe(&name),
                what.join("; ")
            ));
        }
        let on_licence = org.has_integration_license(profile);
        if !on_licence {
            self.out.remaining.push(format!(
                "IDN004: `{}` is on the `{}` licence, and a profile's licence cannot change: to move to the Salesforce Integration licence, clone it on that licence in Setup",
                terminal_safe(&name),
                profile
                    .user_license
                    .as_ref()
                    .map_or("unknown", |l| org.name(l.value))
            ));
            self.pitfalls.insert(
                "the licence of an existing profile is left as it is: Salesforce cannot change it"
                    .to_owned(),
            );
        }
        Ok(Outcome {
            source: Some(p),
            moved_to: None,
            integration_licence: on_licence,
        })
    }

    /// The login IP ranges to write, or `None` to keep the profile's: the
    /// part of today's ranges inside the `ip-allowlist`, or the allowlist
    /// where the profile has none. Never wider than today.
    fn login_ranges(&mut self, profile: &Profile) -> Option<Vec<Range>> {
        let today: Vec<Range> = profile
            .login_ip_ranges
            .iter()
            .filter_map(|entry| {
                crate::ip::valid_ip_span(entry).map(|span| Range {
                    span,
                    description: entry.description.as_deref().map(str::to_owned),
                })
            })
            .collect();
        let invalid = today.len() != profile.login_ip_ranges.len();
        let allowlist: Vec<IpSpan> = self
            .decl
            .ip_allowlist
            .iter()
            .map(|s| *s.get_ref())
            .collect();
        if allowlist.is_empty() {
            if today.is_empty() {
                self.out.remaining.push(
                    "NET001: the profile has no login IP ranges and the inventory no ip-allowlist to take them from; add `ip-allowlist` to the integration's entry".to_owned(),
                );
            } else if today
                .iter()
                .any(|r| r.span.size() > self.inputs.config.lint.max_ip_range_addresses)
            {
                self.out.remaining.push(
                    "NET002: a login IP range is broader than max-ip-range-addresses and the inventory has no ip-allowlist to narrow it to".to_owned(),
                );
            }
            return invalid.then_some(today);
        }
        self.pitfalls.insert(
            "login IP ranges come from this org's ip-allowlist and today's ranges, never copied from another org (sandbox and production differ), and never widen".to_owned(),
        );
        let allowed = merge(allowlist.iter().map(|s| Range {
            span: *s,
            description: Some("ip-allowlist in minpriv.toml".to_owned()),
        }));
        let target = if today.is_empty() {
            allowed
        } else {
            let mut pieces = vec![];
            for range in &today {
                for a in &allowed {
                    if let Some(span) = intersect(&range.span, &a.span) {
                        pieces.push(Range {
                            span,
                            description: range.description.clone(),
                        });
                    }
                }
            }
            let pieces = merge(pieces.into_iter());
            if pieces.is_empty() {
                self.out.remaining.push(
                    "NET004: every login IP range of the profile lies outside the ip-allowlist; fix one or the other by hand (an empty list would allow every address)".to_owned(),
                );
                return invalid.then_some(today);
            }
            pieces
        };
        if target
            .iter()
            .any(|r| r.span.size() > self.inputs.config.lint.max_ip_range_addresses)
        {
            self.out.remaining.push(
                "NET002: the ip-allowlist itself holds a range broader than max-ip-range-addresses; narrow it in minpriv.toml".to_owned(),
            );
        }
        let same = !invalid
            && target.len() == today.len()
            && target.iter().zip(&today).all(|(a, b)| a.span == b.span);
        (!same).then_some(target)
    }
}

fn count_ranges(ranges: &Option<Vec<Range>>, profile: &Profile) -> usize {
    match ranges {
        Some(r) => r.len(),
        None => profile
            .login_ip_ranges
            .iter()
            .filter(|e| crate::ip::valid_ip_span(e).is_some())
            .count(),
    }
}

pub(super) fn user_permission(name: &str, enabled: bool) -> Element {
    Element::parent(
        "userPermissions",
        vec![
            Element::leaf("enabled", if enabled { "true" } else { "false" }),
            Element::leaf("name", name),
        ],
    )
}

/// An address as a number, with its family.
fn number(a: std::net::IpAddr) -> (bool, u128) {
    match a {
        std::net::IpAddr::V4(v) => (false, u128::from(v.to_bits())),
        std::net::IpAddr::V6(v) => (true, v.to_bits()),
    }
}

fn intersect(a: &IpSpan, b: &IpSpan) -> Option<IpSpan> {
    if a.start.is_ipv4() != b.start.is_ipv4() {
        return None;
    }
    let start = a.start.max(b.start);
    let end = a.end.min(b.end);
    (start <= end).then_some(IpSpan { start, end })
}

/// Sorted, with overlapping and adjacent ranges joined (the first
/// description kept).
fn merge(ranges: impl Iterator<Item = Range>) -> Vec<Range> {
    let mut all: Vec<Range> = ranges.collect();
    all.sort_by_key(|r| (number(r.span.start), number(r.span.end)));
    let mut out: Vec<Range> = vec![];
    for range in all {
        if let Some(last) = out.last_mut() {
            let (family, end) = number(last.span.end);
            let (next_family, start) = number(range.span.start);
            if family == next_family && start <= end.saturating_add(1) {
                if range.span.end > last.span.end {
                    last.span.end = range.span.end;
                }
                continue;
            }
        }
        out.push(range);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(text: &str) -> IpSpan {
        IpSpan::parse(text).unwrap()
    }

    #[test]
    fn ranges_join_and_intersect() {
        let merged = merge(
            [
                span("10.0.0.10-10.0.0.20"),
                span("10.0.0.0-10.0.0.9"),
                span("::1"),
            ]
            .into_iter()
            .map(|span| Range {
                span,
                description: None,
            }),
        );
        let spans: Vec<String> = merged.iter().map(|r| r.span.to_string()).collect();
        assert_eq!(spans, ["10.0.0.0-10.0.0.20", "::1"]);
        assert_eq!(
            intersect(&span("10.0.0.0/8"), &span("10.1.0.0/16")),
            Some(span("10.1.0.0/16"))
        );
        assert_eq!(intersect(&span("10.0.0.0/24"), &span("10.0.1.0/24")), None);
        assert_eq!(intersect(&span("10.0.0.0/8"), &span("::/0")), None);
    }
}
