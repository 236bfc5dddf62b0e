//! Login IP ranges as address sets: what a profile lets the integration
//! user log in from. A range counts as gained only when the old ranges
//! together do not cover it, so splitting, merging or reordering ranges
//! changes nothing.

use super::{Direction, RangeChange, RangeKind, Side};
use crate::integration::Integration;
use crate::ip::IpSpan;
use crate::model::Org;
use crate::source::Loc;

/// Where an integration user may log in from, per its profiles.
pub(super) enum Ips {
    /// A profile has no login IP ranges: any address (the worst case of
    /// several profiles counts).
    Unrestricted { profile: String, root: Loc },
    /// The valid ranges of its profiles (invalid ones grant nothing; NET003
    /// reports them).
    Restricted(Vec<RangeAt>),
}

pub(super) struct RangeAt {
    span: IpSpan,
    profile: String,
    loc: Loc,
}

impl Ips {
    /// `None` when the integration has no profile in the inputs.
    pub(super) fn of(org: &Org, integration: &Integration) -> Option<Ips> {
        let mut ranges = vec![];
        for &p in &integration.profiles {
            let profile = &org.profiles[p];
            let name = org.name(profile.header.name).to_owned();
            if profile.login_ip_ranges.is_empty() {
                return Some(Ips::Unrestricted {
                    profile: name,
                    root: profile.header.root_loc(),
                });
            }
            for entry in &profile.login_ip_ranges {
                if let Some(span) = crate::ip::valid_ip_span(entry) {
                    ranges.push(RangeAt {
                        span,
                        profile: name.clone(),
                        loc: profile.header.loc(entry.span),
                    });
                }
            }
        }
        if integration.profiles.is_empty() {
            return None;
        }
        ranges.sort_by_key(|a| a.span);
        ranges.dedup_by(|a, b| a.span == b.span);
        Some(Ips::Restricted(ranges))
    }
}

/// The ranges `other` allows beyond `base`, or (for a loss) those `base`
/// no longer allows.
pub(super) fn range_changes(
    base: Option<&Ips>,
    other: Option<&Ips>,
    side: &Side,
    direction: Direction,
) -> Vec<RangeChange> {
    let gain = direction == Direction::Gain;
    let Some(other) = other else {
        return vec![];
    };
    match (base, other) {
        (Some(Ips::Unrestricted { .. }), _) => vec![],
        (_, Ips::Unrestricted { profile, root }) => {
            let overlaps = match base {
                Some(Ips::Restricted(ranges)) => {
                    ranges.iter().map(|r| r.span.to_string()).collect()
                }
                _ => vec![],
            };
            let at = side.at(*root);
            vec![RangeChange {
                kind: if gain {
                    RangeKind::Unrestricted
                } else {
                    RangeKind::Restricted
                },
                range: None,
                overlaps,
                profile: profile.clone(),
                file: at.file,
                line: at.line,
            }]
        }
        (base, Ips::Restricted(ranges)) => {
            let base: &[RangeAt] = match base {
                Some(Ips::Restricted(b)) => b,
                _ => &[],
            };
            let base_spans: Vec<IpSpan> = base.iter().map(|r| r.span).collect();
            let other_spans: Vec<IpSpan> = ranges.iter().map(|r| r.span).collect();
            let mut out = vec![];
            for range in ranges {
                if covered(&range.span, &base_spans) {
                    continue;
                }
                // The base ranges this one replaces: overlapping, and gone
                // from this side.
                let overlaps: Vec<String> = base_spans
                    .iter()
                    .filter(|b| overlap(b, &range.span) && !other_spans.contains(b))
                    .map(IpSpan::to_string)
                    .collect();
                let kind = match (gain, overlaps.is_empty()) {
                    (true, true) => RangeKind::Added,
                    (true, false) => RangeKind::Widened,
                    (false, true) => RangeKind::Removed,
                    (false, false) => RangeKind::Narrowed,
                };
                let at = side.at(range.loc);
                out.push(RangeChange {
                    kind,
                    range: Some(range.span.to_string()),
                    overlaps,
                    profile: range.profile.clone(),
                    file: at.file,
                    line: at.line,
                });
            }
            out
        }
    }
}

/// An address as a number, with its family.
fn number(a: std::net::IpAddr) -> (bool, u128) {
    match a {
        std::net::IpAddr::V4(v) => (false, u128::from(v.to_bits())),
        std::net::IpAddr::V6(v) => (true, v.to_bits()),
    }
}

fn overlap(a: &IpSpan, b: &IpSpan) -> bool {
    a.start.is_ipv4() == b.start.is_ipv4() && a.start <= b.end && b.start <= a.end
}

/// Whether the union of `by` covers every address of `span`.
fn covered(span: &IpSpan, by: &[IpSpan]) -> bool {
    let (family, start) = number(span.start);
    let end = number(span.end).1;
    let mut pieces: Vec<(u128, u128)> = by
        .iter()
        .filter(|b| number(b.start).0 == family)
        .map(|b| (number(b.start).1, number(b.end).1))
        .collect();
    pieces.sort_unstable();
    let mut next = start;
    for (s, e) in pieces {
        if s > next {
            break;
        }
        if e >= end {
            return true;
        }
        next = next.max(e + 1);
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(text: &str) -> IpSpan {
        IpSpan::parse(text).unwrap()
    }

    #[test]
    fn coverage_joins_adjacent_ranges() {
        let by = [span("10.0.0.0-10.0.0.9"), span("10.0.0.10-10.0.0.20")];
        assert!(covered(&span("10.0.0.5-10.0.0.15"), &by));
        assert!(!covered(&span("10.0.0.5-10.0.0.21"), &by));
        assert!(!covered(&span("::1"), &by));
        assert!(covered(
            &span("0.0.0.0/0"),
            &[span("0.0.0.0-127.255.255.255"), span("128.0.0.0/1")]
        ));
        assert!(overlap(&span("10.0.0.0/24"), &span("10.0.0.255-10.0.1.0")));
        assert!(!overlap(&span("10.0.0.0/24"), &span("::/0")));
    }
}
