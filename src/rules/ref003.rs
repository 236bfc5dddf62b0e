//! REF003 forceignore-hides-metadata — see `rules/REF003.md`.

use super::{RuleDef, rule};
use crate::engine::{Context, Finding, Findings};

pub(super) const RULE: RuleDef = rule!("REF003", check);

fn check(cx: &Context, out: &mut Findings) {
    for hidden in &cx.org.hidden_by_forceignore {
        let display = &cx.org.sources.get(hidden.loc.file).display;
        let mut finding = Finding::new(
            hidden.loc,
            format!(
                ".forceignore pattern `{}` hides {} from minpriv, which cannot check what it cannot read",
                hidden.pattern,
                hidden.describe()
            ),
        )
        .subject(&hidden.pattern)
        .label("hides metadata minpriv reads");
        finding.component = format!("Forceignore:{display}");
        out.push(finding);
    }
}
