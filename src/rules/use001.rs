//! USE001 unused-access — see `rules/USE001.md`.

use super::{PerGrant, RuleDef, rule};
use crate::engine::{Context, Findings};
use crate::model::ObjectAccess;

pub(super) const RULE: RuleDef = rule!("USE001", check);

/// The verbs the logs can show; View All / Modify All are not calls.
const CRED: ObjectAccess = ObjectAccess::CREATE
    .union(ObjectAccess::READ)
    .union(ObjectAccess::EDIT)
    .union(ObjectAccess::DELETE);

fn check(cx: &Context, out: &mut Findings) {
    let Some(snapshot) = cx.snapshot else {
        return;
    };
    let usage = &snapshot.usage;
    let Some(window) = usage.calls else {
        return;
    };
    let mut found = PerGrant::default();
    for (i, integration) in cx.integrations.list.enumerate() {
        let Some(user) = integration.user.as_deref() else {
            continue;
        };
        let used = usage.of(user);
        // Logs that name users the export cannot place: this user's calls
        // may be among them, so its silence proves nothing.
        if used.is_none() && usage.unmatched_ids > 0 {
            continue;
        }
        for (&object, grants) in &cx.access[i].objects {
            let granted = grants.access.intersection(CRED);
            if granted.is_empty() {
                continue;
            }
            match used.and_then(|u| u.object(object)) {
                None => {
                    for (flags, grant) in &grants.grants {
                        if flags.intersection(CRED).is_empty() {
                            continue;
                        }
                        found.add(
                            &integration.name,
                            grant,
                            &format!("{object}:unused"),
                            || {
                                let words: Vec<&str> = flags.intersection(CRED).words().collect();
                                format!(
                                    "{} on {object}, with no call on {object} in {window}",
                                    words.join(", ")
                                )
                            },
                        );
                    }
                }
                // A verb is never unused when some calls do not say theirs.
                Some(calls) if calls.verbs_known() => {
                    let unused: Vec<(ObjectAccess, &str)> = [
                        (ObjectAccess::CREATE, "create", calls.create),
                        (ObjectAccess::EDIT, "edit", calls.edit),
                        (ObjectAccess::DELETE, "delete", calls.delete),
                    ]
                    .into_iter()
                    .filter(|(flag, _, n)| granted.contains(*flag) && *n == 0)
                    .map(|(flag, word, _)| (flag, word))
                    .collect();
                    if unused.is_empty() {
                        continue;
                    }
                    let used_verbs: Vec<String> = [
                        ("read", calls.read),
                        ("create", calls.create),
                        ("edit", calls.edit),
                        ("delete", calls.delete),
                    ]
                    .into_iter()
                    .filter(|(_, n)| *n > 0)
                    .map(|(w, n)| format!("{n} {w}"))
                    .collect();
                    for (flags, grant) in &grants.grants {
                        let here: Vec<&str> = unused
                            .iter()
                            .filter(|(flag, _)| flags.contains(*flag))
                            .map(|(_, w)| *w)
                            .collect();
                        if here.is_empty() {
                            continue;
                        }
                        let subject = format!("{object}:{}", here.join(","));
                        found.add(&integration.name, grant, &subject, || {
                            format!(
                                "{} on {object}, never used: {} call{} on {object} ({}) in {window}",
                                here.join(", "),
                                calls.calls,
                                if calls.calls == 1 { "" } else { "s" },
                                used_verbs.join(", ")
                            )
                        });
                    }
                }
                Some(_) => {}
            }
        }
    }
    found.emit(cx, out, |item, holder, users| {
        format!("{holder} grants {}{users}", item.detail)
    });
}
