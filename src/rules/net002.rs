//! NET002 broad-ip-range — see `rules/NET002.md`.

use std::net::IpAddr;

use super::{RuleDef, integration_profiles, rule, valid_ip_span};
use crate::catalogue::Severity;
use crate::engine::{Context, Findings};
use crate::ip::IpSpan;

pub(super) const RULE: RuleDef = rule!("NET002", check);

fn check(cx: &Context, out: &mut Findings) {
    // The same number of addresses for both families: an IPv6 range is
    // held to the IPv4 threshold (see the catalogue entry).
    let limit = cx.config.lint.max_ip_range_addresses;
    for subject in integration_profiles(cx) {
        let (profile, name, users) = (subject.profile, subject.name, &subject.users);
        for range in &profile.login_ip_ranges {
            let Some(span) = valid_ip_span(range) else {
                continue;
            };
            let finding = |message: String, label: String| {
                subject
                    .finding(profile.header.loc(range.span), message)
                    .subject(span.to_string())
                    .label(label)
            };
            if let Some(family) = whole_family(&span) {
                out.push(
                    finding(
                        format!("login IP range {span} of integration profile `{name}` allows every {family} address{users}"),
                        format!("every {family} address"),
                    )
                    .severity(Severity::Error),
                );
            } else if span.size() > limit {
                let size = count(&span);
                out.push(finding(
                    format!("login IP range {span} of integration profile `{name}` spans {size}, more than the limit of {limit}{users}"),
                    size,
                ));
            }
        }
    }
}

/// The IPv4-mapped block, `::ffff:0:0/96`.
const MAPPED_V4: (u128, u128) = (0xffff_0000_0000, 0xffff_ffff_ffff);

/// The family whose every address `span` covers, if it does.
fn whole_family(span: &IpSpan) -> Option<&'static str> {
    match (span.start, span.end) {
        (IpAddr::V4(s), IpAddr::V4(e)) if s.to_bits() == 0 && e.to_bits() == u32::MAX => {
            Some("IPv4")
        }
        (IpAddr::V6(s), IpAddr::V6(e)) if s.to_bits() == 0 && e.to_bits() == u128::MAX => {
            Some("IPv6")
        }
        // Every IPv4-mapped address (`::ffff:0.0.0.0` to
        // `::ffff:255.255.255.255`): every IPv4 address, written in IPv6.
        (IpAddr::V6(s), IpAddr::V6(e))
            if s.to_bits() <= MAPPED_V4.0 && e.to_bits() >= MAPPED_V4.1 =>
        {
            Some("IPv4")
        }
        _ => None,
    }
}

/// `N addresses`, readably: IPv6 counts beyond 2^32 as powers of
/// two, and the prefix length when the range is a CIDR block.
fn count(span: &IpSpan) -> String {
    let n = span.size();
    let number = match n {
        n if n <= 1 << 32 => n.to_string(),
        n if n.is_power_of_two() => format!("2^{}", n.trailing_zeros()),
        n => format!("over 2^{}", 127 - n.leading_zeros()),
    };
    let (bits, start) = match span.start {
        IpAddr::V4(a) => (32, u128::from(a.to_bits())),
        IpAddr::V6(a) => (128, a.to_bits()),
    };
    if n.is_power_of_two() && start % n == 0 {
        format!("{number} addresses (a /{})", bits - n.trailing_zeros())
    } else {
        format!("{number} addresses")
    }
}
