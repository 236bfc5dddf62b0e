//! ADM003 view-all-modify-all — see `rules/ADM003.md`.

use super::{PerGrant, RuleDef, rule};
use crate::engine::{Context, Findings};
use crate::model::ObjectAccess;

pub(super) const RULE: RuleDef = rule!("ADM003", check);

const FLAGS: [(ObjectAccess, &str, &str); 2] = [
    (ObjectAccess::VIEW_ALL, "view-all", "View All"),
    (ObjectAccess::MODIFY_ALL, "modify-all", "Modify All"),
];

fn check(cx: &Context, out: &mut Findings) {
    let mut found = PerGrant::default();
    for (i, integration) in cx.integrations.list.enumerate() {
        let contract = integration
            .declared(cx.config)
            .and_then(|d| d.objects.as_ref());
        for (&object, grants) in &cx.access[i].objects {
            let allowed = contract
                .and_then(|c| c.get(object))
                .map_or(ObjectAccess::empty(), |a| *a.get_ref());
            // One finding per element, naming every flag it grants.
            for (flags, grant) in &grants.grants {
                let labels: Vec<&str> = FLAGS
                    .iter()
                    .filter(|(flag, _, _)| flags.contains(*flag) && !allowed.contains(*flag))
                    .map(|(_, _, label)| *label)
                    .collect();
                if labels.is_empty() {
                    continue;
                }
                found.add_ranked(&integration.name, grant, object, || {
                    let labels = labels.join(" and ");
                    // Modify All before View All, then by name.
                    let rank = if flags.contains(ObjectAccess::MODIFY_ALL)
                        && !allowed.contains(ObjectAccess::MODIFY_ALL)
                    {
                        0
                    } else {
                        1
                    };
                    (
                        format!("{labels} on {object}"),
                        format!("{object} ({labels})"),
                        rank,
                    )
                });
            }
        }
    }
    // One finding per holder and integrations, naming every object.
    found.emit_grouped(
        cx,
        out,
        |detail, holder, users| {
            format!(
                "{holder} grants {detail}, which bypasses sharing, and the access contract does not allow it{users}"
            )
        },
        |group| {
            format!(
                "{} grants View All or Modify All on {} objects, which bypasses sharing, and the access contract does not allow it: {}{}",
                group.title(),
                group.items.len(),
                group.list(),
                group.users()
            )
        },
    );
}
