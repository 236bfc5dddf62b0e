//! NET003 invalid-ip-range — see `rules/NET003.md`.

use std::net::IpAddr;

use super::{RuleDef, app_title, app_users, integration_profiles, rule};
use crate::engine::{Context, Finding, Findings};
use crate::ip::IpSpan;
use crate::model::{IpRangeEntry, Located};
use crate::source::{FileId, Loc};

pub(super) const RULE: RuleDef = rule!("NET003", check);

/// Why a range is invalid: where, the message, the label.
struct Invalid {
    loc: Loc,
    message: String,
    label: &'static str,
}

fn check(cx: &Context, out: &mut Findings) {
    let org = cx.org;
    for subject in integration_profiles(cx) {
        let (profile, name, users) = (subject.profile, subject.name, &subject.users);
        for range in &profile.login_ip_ranges {
            if let Some(invalid) = invalid(profile.header.file, range) {
                out.push(
                    subject.finding(
                        invalid.loc,
                        format!(
                            "login IP range of integration profile `{name}` is invalid: {}{users}",
                            invalid.message
                        ),
                    )
                    .subject(written(range))
                    .label(invalid.label),
                );
            }
        }
    }
    // Apps are integration plumbing: all of them, linked to an
    // integration or not.
    for (a, app) in org.apps.enumerate() {
        let (integrations, users) = app_users(cx, a);
        for (file, range) in &app.ip_ranges {
            if let Some(invalid) = invalid(*file, range) {
                out.push(
                    Finding::new(
                        invalid.loc,
                        format!(
                            "IP range of {} is invalid: {}{users}",
                            app_title(org, app),
                            invalid.message
                        ),
                    )
                    .component(app.kind, org.name(app.name))
                    .integrations(&integrations)
                    .subject(written(range))
                    .label(invalid.label),
                );
            }
        }
    }
}

fn invalid(file: FileId, range: &IpRangeEntry) -> Option<Invalid> {
    let whole = Loc {
        file,
        span: range.span,
    };
    let missing = |message: &str, label| {
        Some(Invalid {
            loc: whole,
            message: message.into(),
            label,
        })
    };
    let Some(start) = present(&range.start) else {
        return missing("it has no start address", "no start address");
    };
    let Some(end) = present(&range.end) else {
        return missing("it has no end address", "no end address");
    };
    let message = IpSpan::from_bounds(&start.value, &end.value).err()?;
    let (loc, label) = match (start.value.parse::<IpAddr>(), end.value.parse::<IpAddr>()) {
        (Err(_), _) => (start.loc, "not an IP address"),
        (_, Err(_)) => (end.loc, "not an IP address"),
        (Ok(s), Ok(e)) if s.is_ipv4() != e.is_ipv4() => (whole, "mixes IPv4 and IPv6"),
        _ => (whole, "starts after its end"),
    };
    Some(Invalid {
        loc,
        message,
        label,
    })
}

/// An address element with text; an empty one is as good as none.
fn present(address: &Option<Located<Box<str>>>) -> Option<&Located<Box<str>>> {
    address.as_ref().filter(|a| !a.value.is_empty())
}

/// The range as written, for the fingerprint.
fn written(range: &IpRangeEntry) -> String {
    let text = |end: &Option<Located<Box<str>>>| end.as_ref().map_or("", |e| &*e.value).to_owned();
    format!("{}-{}", text(&range.start), text(&range.end))
}
