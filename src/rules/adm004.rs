//! ADM004 access-beyond-contract — see `rules/ADM004.md`.

use super::{PerGrant, RuleDef, rule};
use crate::engine::{Context, Findings};
use crate::model::ObjectAccess;

pub(super) const RULE: RuleDef = rule!("ADM004", check);

/// View All / Modify All are ADM003's; View All Fields is judged through
/// the field rules of the contract.
const CRED: ObjectAccess = ObjectAccess::CREATE
    .union(ObjectAccess::READ)
    .union(ObjectAccess::EDIT)
    .union(ObjectAccess::DELETE);

fn check(cx: &Context, out: &mut Findings) {
    let mut found = PerGrant::default();
    for (i, integration) in cx.integrations.list.enumerate() {
        let Some(contract) = integration
            .declared(cx.config)
            .and_then(|d| d.objects.as_ref())
        else {
            continue;
        };
        let allowed = |object: &str| {
            contract
                .get(object)
                .map_or(ObjectAccess::empty(), |a| *a.get_ref())
        };
        let described = |object: &str| {
            let words: Vec<&str> = allowed(object).words().collect();
            if words.is_empty() {
                format!("{object} is not in the contract")
            } else {
                format!("the contract allows {}", words.join(" "))
            }
        };
        let access = &cx.access[i];
        for (&object, grants) in &access.objects {
            for (flags, grant) in &grants.grants {
                let beyond = flags.intersection(CRED).difference(allowed(object));
                if beyond.is_empty() {
                    continue;
                }
                let words: Vec<&str> = beyond.words().collect();
                found.add_ranked(&integration.name, grant, object, || {
                    let (words, why) = (words.join(", "), described(object));
                    (
                        format!("{words} on {object} ({why})"),
                        format!("{object} ({words}; {why})"),
                        object_rank(beyond),
                    )
                });
            }
        }
        for (&field, grants) in &access.fields {
            let object = field.split('.').next().unwrap_or(field);
            let contract = allowed(object);
            for (readable, editable, grant) in &grants.grants {
                let mut beyond = vec![];
                if *readable && !contract.contains(ObjectAccess::READ) {
                    beyond.push("read");
                }
                if *editable && !contract.contains(ObjectAccess::EDIT) {
                    beyond.push("edit");
                }
                if beyond.is_empty() {
                    continue;
                }
                found.add_ranked(&integration.name, grant, field, || {
                    let (words, why) = (beyond.join(", "), described(object));
                    // Fields after objects; edit before read.
                    let rank = if beyond.contains(&"edit") { 4 } else { 5 };
                    (
                        format!("{words} on field {field} ({why})"),
                        format!("field {field} ({words}; {why})"),
                        rank,
                    )
                });
            }
        }
    }
    // One finding per holder and integrations, naming every object and
    // field.
    found.emit_grouped(
        cx,
        out,
        |detail, holder, users| format!("{holder} grants {detail}{users}"),
        |group| {
            let fields = group.items.iter().filter(|i| i.name.contains('.')).count();
            let objects = group.items.len() - fields;
            let counted = |n: usize, what: &str| match n {
                1 => format!("1 {what}"),
                n => format!("{n} {what}s"),
            };
            let scope = match (objects, fields) {
                (0, f) => counted(f, "field"),
                (o, 0) => counted(o, "object"),
                (o, f) => format!("{} and {}", counted(o, "object"), counted(f, "field")),
            };
            format!(
                "{} grants access beyond the contract on {scope}: {}{}",
                group.title(),
                group.list(),
                group.users()
            )
        },
    );
}

/// The risk order of object access beyond the contract: delete, then
/// edit, create, read (the strongest verb decides).
fn object_rank(beyond: ObjectAccess) -> u32 {
    [
        ObjectAccess::DELETE,
        ObjectAccess::EDIT,
        ObjectAccess::CREATE,
        ObjectAccess::READ,
    ]
    .iter()
    .position(|flag| beyond.contains(*flag))
    .unwrap_or(3) as u32
}
