//! EXC001 expired-exception — see `rules/EXC001.md`.

use super::{RuleDef, rule};
use crate::engine::{Component, Context, ExceptionUse, Finding, Findings};

pub(super) const RULE: RuleDef = rule!("EXC001", exceptions check);

fn check(cx: &Context, _usage: &ExceptionUse, out: &mut Findings) {
    for exception in &cx.config.exceptions {
        let Some(expires) = exception.expires else {
            continue;
        };
        if cx.today <= expires {
            continue;
        }
        let Some(loc) = cx.config_loc(exception.span.clone()) else {
            continue;
        };
        let mut finding = Finding::new(
            loc,
            format!(
                "the exception for {} expired on {expires}; the findings it hid are reported again",
                exception.rule
            ),
        )
        .integration(exception.integration.as_deref())
        .subject(format!("{}:{expires}", exception.rule))
        .label("expired");
        finding.component = Component::Exception;
        out.push(finding);
    }
}
