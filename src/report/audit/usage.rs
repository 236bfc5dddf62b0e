//! The audit report's "granted vs used" tables: per
//! integration, each granted object with what the usage logs show it did.
//! Shown only when the org snapshot holds usage logs.

use super::build::letters;
use super::{UsageRow, UsageTable};
use crate::engine::Context;
use crate::model::IntegrationId;
use crate::usage::Verdict;

/// One table per integration (in `order`), or none without usage logs.
pub(super) fn tables(cx: &Context, order: &[IntegrationId]) -> Vec<UsageTable> {
    let Some(usage) = cx.snapshot.map(|s| &s.usage).filter(|u| u.has_logs()) else {
        return vec![];
    };
    let min_days = cx.config.lint.min_usage_days;
    order
        .iter()
        .map(|&i| {
            let integration = &cx.integrations.list[i];
            let user = integration.user.as_deref();
            let window = match usage.judges(user) {
                Ok(w) => w.to_string(),
                Err(why) => why,
            };
            let rows = cx.access[i]
                .objects
                .iter()
                .map(|(&object, grants)| {
                    let verdict = usage.verdict(user, object, min_days);
                    let (used, calls) = match &verdict {
                        Verdict::Used(o, _) => {
                            let mut used = letters(o.used_access());
                            if !o.verbs_known() {
                                used.push_str(if used.is_empty() { "?" } else { " ?" });
                            }
                            (used, o.calls_text())
                        }
                        Verdict::Unused(_) => (String::new(), "no call".to_owned()),
                        Verdict::Unknown(why) => (String::new(), why.clone()),
                    };
                    UsageRow {
                        object: object.to_owned(),
                        granted: letters(grants.access),
                        used,
                        status: verdict.status(),
                        calls,
                    }
                })
                .collect();
            UsageTable {
                integration: integration.name.clone(),
                window,
                rows,
            }
        })
        .collect()
}
