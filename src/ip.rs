//! IP address ranges: login IP ranges in metadata and the inventory's
//! `ip-allowlist` (CIDR or `start-end`), IPv4 and IPv6.

use std::fmt;
use std::net::IpAddr;

use crate::model::IpRangeEntry;

/// An inclusive range of addresses of one family.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IpSpan {
    pub start: IpAddr,
    pub end: IpAddr,
}

impl IpSpan {
    /// `start`–`end` as two addresses; the family must agree and start
    /// must not be after end.
    pub fn from_bounds(start: &str, end: &str) -> Result<IpSpan, String> {
        let parse = |s: &str| {
            s.trim()
                .parse::<IpAddr>()
                .map_err(|_| format!("`{s}` is not an IP address"))
        };
        let (start, end) = (parse(start)?, parse(end)?);
        if start.is_ipv4() != end.is_ipv4() {
            return Err(format!(
                "`{start}` and `{end}` are of different IP families"
            ));
        }
        if start > end {
            return Err(format!(
                "the range starts at `{start}`, after its end `{end}`"
            ));
        }
        Ok(IpSpan { start, end })
    }

    /// `13.111.0.0/16`, `2001:db8::/32`, `52.10.1.1-52.10.1.20`, or a
    /// single address.
    pub fn parse(text: &str) -> Result<IpSpan, String> {
        let text = text.trim();
        if let Some((start, end)) = text.split_once('-') {
            return Self::from_bounds(start, end);
        }
        if text.contains('/') {
            let net: ipnet::IpNet = text
                .parse()
                .map_err(|_| format!("`{text}` is not a CIDR block such as 203.0.113.0/24"))?;
            return Ok(IpSpan {
                start: net.network(),
                end: net.broadcast(),
            });
        }
        Self::from_bounds(text, text)
    }

    /// Whether every address of `other` is in `self`.
    pub fn contains(&self, other: &IpSpan) -> bool {
        self.start.is_ipv4() == other.start.is_ipv4()
            && self.start <= other.start
            && other.end <= self.end
    }

    /// How many addresses the range spans.
    pub fn size(&self) -> u128 {
        let n = |a: IpAddr| match a {
            IpAddr::V4(v) => u32::from(v) as u128,
            IpAddr::V6(v) => u128::from(v),
        };
        (n(self.end) - n(self.start)).saturating_add(1)
    }
}

impl fmt::Display for IpSpan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.start == self.end {
            write!(f, "{}", self.start)
        } else {
            write!(f, "{}-{}", self.start, self.end)
        }
    }
}

/// A login IP range entry as addresses, when it is a valid range; NET003
/// reports the others, so the other IP rules skip them.
pub(crate) fn valid_ip_span(entry: &IpRangeEntry) -> Option<IpSpan> {
    let (start, end) = (entry.start.as_ref()?, entry.end.as_ref()?);
    IpSpan::from_bounds(&start.value, &end.value).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_cidr_ranges_and_addresses() {
        let a = IpSpan::parse("13.111.0.0/16").unwrap();
        assert_eq!(a.to_string(), "13.111.0.0-13.111.255.255");
        assert_eq!(a.size(), 65536);
        let b = IpSpan::parse("52.10.1.1-52.10.1.20").unwrap();
        assert_eq!(b.size(), 20);
        assert!(
            IpSpan::parse("2001:db8::/32")
                .unwrap()
                .contains(&IpSpan::parse("2001:db8::1").unwrap())
        );
        assert!(a.contains(&IpSpan::parse("13.111.4.0/24").unwrap()));
        assert!(!a.contains(&b));
    }

    #[test]
    fn rejects_bad_ranges() {
        assert!(
            IpSpan::parse("10.0.0.9-10.0.0.1")
                .unwrap_err()
                .contains("after its end")
        );
        assert!(
            IpSpan::parse("10.0.0.1-::1")
                .unwrap_err()
                .contains("different IP families")
        );
        assert!(IpSpan::parse("10.0.0.0/33").is_err());
        assert!(IpSpan::parse("example.com").is_err());
    }
}
