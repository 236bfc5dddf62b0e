//! NET004 ip-range-outside-allowlist — see `rules/NET004.md`.

use std::net::IpAddr;

use super::{RuleDef, rule, valid_ip_span};
use crate::engine::{Context, Finding, Findings};
use crate::integration::Origin;
use crate::ip::IpSpan;
use crate::model::ComponentKind;
use crate::source::{Loc, Span};

pub(super) const RULE: RuleDef = rule!("NET004", check);

fn check(cx: &Context, out: &mut Findings) {
    let org = cx.org;
    for integration in &cx.integrations.list {
        let Origin::Declared(d) = integration.origin else {
            continue;
        };
        let allowlist = &cx.config.integrations[d].ip_allowlist;
        let (Some(first), Some(last)) = (allowlist.first(), allowlist.last()) else {
            continue;
        };
        let allowed = union(allowlist.iter().map(|s| *s.get_ref()));
        // The inventory's `ip-allowlist = [...]`, shown beside the finding.
        let allowlist_loc = integration.user_loc.map(|user| Loc {
            file: user.file,
            span: Span::new(first.span().start, last.span().end),
        });
        for &p in &integration.profiles {
            let profile = &org.profiles[p];
            let name = org.name(profile.header.name);
            for range in &profile.login_ip_ranges {
                let Some(span) = valid_ip_span(range) else {
                    continue;
                };
                if covered(&allowed, &span) {
                    continue;
                }
                let mut finding = Finding::new(
                    profile.header.loc(range.span),
                    format!(
                        "login IP range {span} of integration profile `{name}` is not inside the ip-allowlist of integration {}",
                        integration.name
                    ),
                )
                .component(ComponentKind::Profile, name)
                .integration(Some(&integration.name))
                .subject(span.to_string())
                .label("outside the integration's ip-allowlist");
                if let Some(loc) = allowlist_loc {
                    finding = finding.related(
                        loc,
                        format!("ip-allowlist of integration {}", integration.name),
                    );
                }
                out.push(finding);
            }
        }
    }
}

/// An address range as numbers: IPv6 flag, first, last.
type Interval = (bool, u128, u128);

fn interval(span: &IpSpan) -> Interval {
    let number = |a: IpAddr| match a {
        IpAddr::V4(v) => u128::from(v.to_bits()),
        IpAddr::V6(v) => v.to_bits(),
    };
    (span.start.is_ipv6(), number(span.start), number(span.end))
}

/// The allowlist as disjoint intervals, overlapping and adjacent entries
/// joined: a range may be covered by several neighbouring entries
/// (`192.0.2.0/25` and `192.0.2.128/25` cover `192.0.2.0/24`).
fn union(spans: impl Iterator<Item = IpSpan>) -> Vec<Interval> {
    let mut intervals: Vec<Interval> = spans.map(|s| interval(&s)).collect();
    intervals.sort_unstable();
    let mut joined: Vec<Interval> = vec![];
    for (v6, start, end) in intervals {
        match joined.last_mut() {
            Some(last) if last.0 == v6 && start <= last.2.saturating_add(1) => {
                last.2 = last.2.max(end)
            }
            _ => joined.push((v6, start, end)),
        }
    }
    joined
}

fn covered(allowed: &[Interval], span: &IpSpan) -> bool {
    let (v6, start, end) = interval(span);
    allowed
        .iter()
        .any(|&(a6, a_start, a_end)| a6 == v6 && a_start <= start && end <= a_end)
}
