//! REF002 ungrouped-permission-sets — see `rules/REF002.md`.

use super::{RuleDef, rule};
use crate::engine::{Component, Context, Finding, Findings};

pub(super) const RULE: RuleDef = rule!("REF002", check);

fn check(cx: &Context, out: &mut Findings) {
    for decl in &cx.config.integrations {
        let [first, .., last] = decl.permission_sets.as_slice() else {
            continue;
        };
        let Some(loc) = cx.config_loc(first.span().start..last.span().end) else {
            continue;
        };
        let names: Vec<&str> = decl
            .permission_sets
            .iter()
            .map(|p| p.get_ref().as_str())
            .collect();
        let mut finding = Finding::new(
            loc,
            format!(
                "integration {} gets {} permission sets directly ({}) instead of through a permission set group",
                decl.name.get_ref(),
                names.len(),
                names.join(", ")
            ),
        )
        .integration(Some(decl.name.get_ref()))
        .subject("permission-sets")
        .label("assigned one by one");
        finding.component = Component::Integration(decl.name.get_ref().clone());
        out.push(finding);
    }
}
