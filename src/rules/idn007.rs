//! IDN007 run-as-user-mismatch — see `rules/IDN007.md`.

use super::{RuleDef, app_title, rule};
use crate::engine::{Context, Finding, Findings};
use crate::integration::Origin;

pub(super) const RULE: RuleDef = rule!("IDN007", check);

fn check(cx: &Context, out: &mut Findings) {
    for integration in &cx.integrations.list {
        if !matches!(integration.origin, Origin::Declared(_)) {
            continue;
        }
        let Some(user) = integration.user_key() else {
            continue;
        };
        for &a in &integration.apps {
            let app = &cx.org.apps[a];
            let Some(run_as) = &app.run_as_user else {
                continue;
            };
            let run_as_key = crate::orgdata::user_key(&run_as.value);
            if run_as_key == user {
                continue;
            }
            let mut others: Vec<&str> = cx
                .integrations
                .with_user(&run_as.value)
                .map(|i| i.name.as_str())
                .collect();
            others.sort_unstable();
            let whose = match others.as_slice() {
                [] => String::new(),
                names => format!(", the user of {}", names.join(", ")),
            };
            let mut finding = Finding::new(
                run_as.loc,
                format!(
                    "{} is listed in the connected-apps of integration {}, but runs as `{}`{whose} (client credentials), not as its user `{}`",
                    app_title(cx.org, app),
                    integration.name,
                    run_as.value,
                    integration.user.as_deref().unwrap_or_default(),
                ),
            )
            .component(app.kind, cx.org.name(app.name))
            .integration(Some(&integration.name))
            .subject(&run_as_key)
            .label("not the integration's user");
            if let Some(loc) = integration.user_loc {
                finding = finding.related(loc, format!("user of integration {}", integration.name));
            }
            out.push(finding);
        }
    }
}
