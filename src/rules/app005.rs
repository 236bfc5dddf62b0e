//! APP005 insecure-callback-url — see `rules/APP005.md`.

use super::{RuleDef, app_title, app_users, rule};
use crate::engine::{Context, Finding, Findings};

pub(super) const RULE: RuleDef = rule!("APP005", check);

/// Hosts where `http://` never leaves the machine (the sf CLI's own
/// connected app uses `http://localhost:1717/OauthRedirect`).
const LOOPBACK_HOSTS: [&str; 3] = ["localhost", "127.0.0.1", "[::1]"];

fn check(cx: &Context, out: &mut Findings) {
    let org = cx.org;
    for (a, app) in org.apps.enumerate() {
        for url in &app.callback_urls {
            let Some(host) = insecure_host(&url.value) else {
                continue;
            };
            let (integrations, users) = app_users(cx, a);
            out.push(
                Finding::new(
                    url.loc,
                    format!(
                        "callback URL `{}` of {} sends authorization codes to {host} over plain HTTP{users}",
                        url.value,
                        app_title(org, app)
                    ),
                )
                .component(app.kind, org.name(app.name))
                .integrations(&integrations)
                .subject(&*url.value)
                .label("plain http://"),
            );
        }
    }
}

/// The host of an `http://` URL, unless it is a loopback host.
fn insecure_host(url: &str) -> Option<&str> {
    let scheme = url.get(..7)?;
    if !scheme.eq_ignore_ascii_case("http://") {
        return None;
    }
    let authority = url[7..].split(['/', '?', '#']).next().unwrap_or_default();
    let host_port = authority.rsplit('@').next().unwrap_or_default();
    let host = match host_port.find(']') {
        Some(end) if host_port.starts_with('[') => &host_port[..=end],
        _ => host_port.split(':').next().unwrap_or_default(),
    };
    (!LOOPBACK_HOSTS.iter().any(|l| host.eq_ignore_ascii_case(l))).then_some(host)
}
