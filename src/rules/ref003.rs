//! REF003 forceignore-hides-metadata — see `rules/REF003.md`.

use super::{RuleDef, rule};
use crate::engine::{Component, Context, Finding, Findings};

pub(super) const RULE: RuleDef = rule!("REF003", check);

fn check(cx: &Context, out: &mut Findings) {
    for hidden in &cx.org.hidden_by_forceignore {
        let mut finding = Finding::new(
            hidden.loc,
            if hidden.built_in {
                format!(
                    "the pattern `{}` that sf adds to every .forceignore hides {} from minpriv, which cannot check what it cannot read",
                    hidden.pattern,
                    hidden.describe()
                )
            } else {
                format!(
                    ".forceignore pattern `{}` hides {} from minpriv, which cannot check what it cannot read",
                    hidden.pattern,
                    hidden.describe()
                )
            },
        )
        .subject(&hidden.pattern)
        .label("hides metadata minpriv reads");
        // The project's one `.forceignore` sits at its root: naming it
        // so, not by the path it was read at, keeps the fingerprint the same
        // wherever the project is checked out (baselines, `diff`).
        finding.component = Component::Forceignore;
        out.push(finding);
    }
}
