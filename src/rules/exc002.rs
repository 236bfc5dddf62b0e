//! EXC002 unused-exception — see `rules/EXC002.md`.

use super::{RuleDef, rule};
use crate::engine::{Component, Context, ExceptionUse, Finding, Findings};

pub(super) const RULE: RuleDef = rule!("EXC002", exceptions check);

fn check(cx: &Context, usage: &ExceptionUse, out: &mut Findings) {
    for (i, exception) in cx.config.exceptions.iter().enumerate() {
        // An expired exception is EXC001's; one for a rule that did not
        // run cannot be judged.
        let expired = exception.expires.is_some_and(|d| cx.today > d);
        if usage.hits[i] > 0 || expired || !usage.evaluated.contains(&exception.rule.as_str()) {
            continue;
        }
        let Some(loc) = cx.config_loc(exception.span.clone()) else {
            continue;
        };
        let scope = exception
            .integration
            .as_deref()
            .map(|i| format!(" for integration {i}"))
            .unwrap_or_default();
        let mut finding = Finding::new(
            loc,
            format!(
                "the exception for {}{scope} suppresses nothing",
                exception.rule
            ),
        )
        .integration(exception.integration.as_deref())
        .subject(format!("{}:{}", exception.rule, exception.reason))
        .label("matches no finding");
        finding.component = Component::Exception;
        out.push(finding);
    }
}
