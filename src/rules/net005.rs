//! NET005 app-relaxes-ip-restrictions — see `rules/NET005.md`.

use super::{RuleDef, app_title, app_users, rule};
use crate::catalogue::Severity;
use crate::engine::{Context, Finding, Findings};
use crate::model::{IpRelaxation, Located};

pub(super) const RULE: RuleDef = rule!("NET005", check);

fn check(cx: &Context, out: &mut Findings) {
    let org = cx.org;
    // Every app: apps are integration plumbing, whoever uses them.
    for (a, app) in org.apps.enumerate() {
        let Some(Located {
            value: Some(policy),
            loc,
        }) = app.ip_relaxation
        else {
            continue;
        };
        // The subject is the policy, so a changed policy is a new finding.
        let (subject, what, label) = match policy {
            IpRelaxation::Enforce => continue,
            IpRelaxation::Bypass => (
                "Bypass",
                "bypasses login IP restrictions",
                "relaxes IP restrictions",
            ),
            IpRelaxation::Bypass2Factor => (
                "Bypass_2factor",
                "bypasses login IP restrictions for users who verify with a second factor",
                "relaxes IP restrictions with second factor",
            ),
            IpRelaxation::EnforceRelaxRefresh => (
                "Enforce_RelaxRefresh",
                "enforces login IP restrictions except for refresh tokens, which work from anywhere",
                "relaxes IP restrictions for refresh tokens",
            ),
        };
        let (integrations, users) = app_users(cx, a);
        let mut finding = Finding::new(loc, format!("{} {what}{users}", app_title(org, app)))
            .component(app.kind, org.name(app.name))
            .integrations(&integrations)
            .subject(subject)
            .label(label);
        if policy == IpRelaxation::EnforceRelaxRefresh {
            finding = finding.severity(Severity::Warning);
        }
        out.push(finding);
    }
}
