//! USE002 access-from-outside-allowlist — see `rules/USE002.md`.

use super::{RuleDef, rule, valid_ip_span};
use crate::engine::{Component, Context, Finding, Findings};
use crate::ip::IpSpan;

pub(super) const RULE: RuleDef = rule!("USE002", check);

fn check(cx: &Context, out: &mut Findings) {
    let Some(snapshot) = cx.snapshot else {
        return;
    };
    for integration in &cx.integrations.list {
        let Some(user) = integration.user.as_deref() else {
            continue;
        };
        let Some(used) = snapshot.usage.of(user) else {
            continue;
        };
        let allowlist: Vec<IpSpan> = integration
            .declared(cx.config)
            .map(|d| d.ip_allowlist.iter().map(|s| *s.get_ref()).collect())
            .unwrap_or_default();
        let (ranges, what) = if allowlist.is_empty() {
            let ranges: Vec<IpSpan> = integration
                .profiles
                .iter()
                .flat_map(|&p| cx.org.profiles[p].login_ip_ranges.iter())
                .filter_map(valid_ip_span)
                .collect();
            (ranges, "its profile's login IP ranges")
        } else {
            (allowlist, "its ip-allowlist")
        };
        // No range to judge by: NET001 reports the missing ranges.
        if ranges.is_empty() {
            continue;
        }
        for (address, seen) in &used.addresses {
            let at = IpSpan {
                start: *address,
                end: *address,
            };
            if ranges.iter().any(|r| r.contains(&at)) {
                continue;
            }
            let times = if seen.count == 1 { "once" } else { "times" };
            let count = if seen.count == 1 {
                String::new()
            } else {
                format!("{} ", seen.count)
            };
            let mut finding = Finding::new(
                seen.first,
                format!(
                    "integration user `{user}` logged in or called the API from {address}, outside {what}: {count}{times} in {} (integration {})",
                    seen.window, integration.name
                ),
            )
            .integrations(std::slice::from_ref(&integration.name))
            .subject(address.to_string())
            .label("client address");
            finding.component = Component::User(user.to_lowercase());
            out.push(finding);
        }
    }
}
