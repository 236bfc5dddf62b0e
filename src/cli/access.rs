//! `minpriv access INTEGRATION`: the effective access of one integration,
//! each grant with the element that grants it and the groups it comes
//! through.

use std::fmt::Write as _;

use clap::{Args, ValueEnum};
use serde::Serialize;

use super::load::{InputArgs, Loaded, load};
use super::{EXIT_CLEAN, EXIT_ERROR, fail};
use crate::access::{EffectiveAccess, Grant, Holder};
use crate::engine::Context;
use crate::integration::Integration;
use crate::model::Org;
use crate::report::terminal_safe;
use crate::source::Texts;
use crate::usage::{Usage, Verdict};

#[derive(Args, Debug)]
pub struct AccessArgs {
    /// The integration: its name in minpriv.toml, or a discovered app's name.
    pub integration: String,

    /// Show only this object and its fields.
    #[arg(long, value_name = "NAME")]
    pub object: Option<String>,

    #[arg(long, value_enum, default_value_t = AccessFormat::Text)]
    pub format: AccessFormat,

    #[command(flatten)]
    pub input: InputArgs,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum AccessFormat {
    Text,
    Json,
}

pub fn run(args: AccessArgs, stderr_color: bool) -> u8 {
    let loaded = match load(&args.input, stderr_color) {
        Ok(loaded) => loaded,
        Err(code) => return code,
    };
    let integrations = &loaded.integrations;
    let Some(index) = integrations
        .list
        .iter()
        .position(|i| i.name == args.integration)
    else {
        // What could not be read may be why the integration is unknown.
        print_errors(&loaded);
        let mut names: Vec<&str> = integrations.list.iter().map(|i| i.name.as_str()).collect();
        names.sort_unstable();
        return fail(format_args!(
            "no integration is called `{}`; known: {}",
            args.integration,
            if names.is_empty() {
                "none".to_owned()
            } else {
                names.join(", ")
            }
        ));
    };
    let today = jiff::ZonedDateTime::now().date();
    let cx = Context::new(&loaded.org, &loaded.config, integrations, today);
    let view = View {
        org: &loaded.org,
        integration: &integrations.list[index],
        access: &cx.access[index],
        object: args.object.as_deref(),
        usage: loaded
            .snapshot
            .as_ref()
            .map(|s| &s.usage)
            .filter(|u| u.has_logs()),
        min_usage_days: loaded.config.lint.min_usage_days,
    };
    let mut texts = Texts::default();
    let out = match args.format {
        AccessFormat::Text => view.text(&mut texts),
        AccessFormat::Json => crate::report::json_safe(view.json(&mut texts)),
    };
    print!("{out}");
    print_errors(&loaded);
    if loaded.errors.is_empty() {
        EXIT_CLEAN
    } else {
        EXIT_ERROR
    }
}

fn print_errors(loaded: &Loaded) {
    for e in &loaded.errors {
        eprintln!(
            "minpriv: error: {}: {}",
            terminal_safe(&loaded.org.sources.get(e.file).display),
            terminal_safe(&e.message)
        );
    }
}

struct View<'a> {
    org: &'a Org,
    integration: &'a Integration,
    access: &'a EffectiveAccess<'a>,
    object: Option<&'a str>,
    /// The usage logs, when the org snapshot holds any: each object is
    /// marked used / unused / unknown.
    usage: Option<&'a Usage>,
    min_usage_days: u32,
}

/// One grant as shown: who, where, through which groups.
#[derive(Serialize)]
struct Provenance {
    holder: String,
    file: String,
    line: usize,
    direct: bool,
    groups: Vec<String>,
}

impl View<'_> {
    fn wants_object(&self, object: &str) -> bool {
        self.object.is_none_or(|o| o.eq_ignore_ascii_case(object))
    }

    fn wants_field(&self, field: &str) -> bool {
        self.object.is_none_or(|o| {
            field
                .split('.')
                .next()
                .is_some_and(|f| f.eq_ignore_ascii_case(o))
        })
    }

    /// What the usage logs say about the integration's use of `object`.
    fn verdict(&self, object: &str) -> Option<Verdict<'_>> {
        self.usage.map(|u| {
            u.verdict(
                self.integration.user.as_deref(),
                object,
                self.min_usage_days,
            )
        })
    }

    fn provenance(&self, texts: &mut Texts, grant: &Grant) -> Provenance {
        let holder = match grant.holder {
            Holder::Profile(p) => format!(
                "Profile:{}",
                self.org.name(self.org.profiles[p].header.name)
            ),
            Holder::PermissionSet(s) => {
                format!(
                    "PermissionSet:{}",
                    self.org.name(self.org.permission_sets[s].header.name)
                )
            }
        };
        let (line, ..) = texts.position(&self.org.sources, grant.site.key_loc());
        Provenance {
            holder,
            file: self.org.sources.get(grant.site.file).display.clone(),
            line,
            direct: grant.direct,
            groups: grant
                .groups
                .iter()
                .map(|&g| self.org.name(self.org.groups[g].header.name).to_owned())
                .collect(),
        }
    }

    /// `via Update_Accounts_PS (permissionsets/...:14) in group G`
    fn via(&self, texts: &mut Texts, grant: &Grant) -> String {
        let holder = match grant.holder {
            Holder::Profile(p) => format!(
                "profile {}",
                self.org.name(self.org.profiles[p].header.name)
            ),
            Holder::PermissionSet(s) => self
                .org
                .name(self.org.permission_sets[s].header.name)
                .to_owned(),
        };
        let p = self.provenance(texts, grant);
        let mut out = format!("— via {holder} ({}:{})", p.file, p.line);
        if !p.groups.is_empty() {
            let plural = if p.groups.len() == 1 { "" } else { "s" };
            let _ = write!(out, " in group{plural} {}", p.groups.join(", "));
            if p.direct {
                out.push_str(" and assigned directly");
            }
        }
        terminal_safe(&out)
    }

    fn text(&self, texts: &mut Texts) -> String {
        let org = self.org;
        let i = self.integration;
        let mut out = format!(
            "Integration {} (user {})\n",
            terminal_safe(&i.name),
            terminal_safe(i.user.as_deref().unwrap_or("unknown"))
        );
        let names = |kind: &str, list: Vec<&str>| {
            if list.is_empty() {
                String::new()
            } else {
                format!("  {kind}: {}\n", terminal_safe(&list.join(", ")))
            }
        };
        out += &names(
            "profile",
            i.profiles
                .iter()
                .map(|&p| org.name(org.profiles[p].header.name))
                .collect(),
        );
        // Without the profile, what is not listed is unknown, never none
        // (SPEC §2).
        let none = if i.profiles.is_empty() {
            out += "  profile: unknown (not in the metadata read: name it in minpriv.toml, or give the org snapshot with --org-data)\n";
            "  unknown: the user's profile is not in the metadata read\n"
        } else {
            "  none\n"
        };
        out += &names(
            "permission sets",
            i.permission_sets
                .iter()
                .map(|&s| org.name(org.permission_sets[s].header.name))
                .collect(),
        );
        out += &names(
            "permission set groups",
            i.groups
                .iter()
                .map(|&g| org.name(org.groups[g].header.name))
                .collect(),
        );
        out += &names(
            "apps",
            i.apps.iter().map(|&a| org.name(org.apps[a].name)).collect(),
        );

        if self.object.is_none() {
            out += "\nSystem permissions\n";
            if self.access.system.is_empty() {
                out += none;
            } else if i.profiles.is_empty() {
                out += "  and whatever the unknown profile grants\n";
            }
            for (name, grants) in &self.access.system {
                for grant in grants {
                    let _ = writeln!(out, "  {} {}", terminal_safe(name), self.via(texts, grant));
                }
            }
        }
        out += "\nObjects\n";
        let mut any = false;
        for (object, grants) in self
            .access
            .objects
            .iter()
            .filter(|(o, _)| self.wants_object(o))
        {
            any = true;
            let words: Vec<&str> = grants.access.words().collect();
            let mark = self
                .verdict(object)
                .map_or(String::new(), |v| format!("  [{}]", v.describe()));
            let _ = writeln!(
                out,
                "  {}: {}{}",
                terminal_safe(object),
                words.join(" "),
                terminal_safe(&mark)
            );
            for (flags, grant) in &grants.grants {
                let words: Vec<&str> = flags.words().collect();
                let _ = writeln!(out, "    {} {}", words.join(" "), self.via(texts, grant));
            }
        }
        if !any {
            out += none;
        }
        out += "\nFields\n";
        let mut any = false;
        for (field, grants) in self
            .access
            .fields
            .iter()
            .filter(|(f, _)| self.wants_field(f))
        {
            any = true;
            for (readable, editable, grant) in &grants.grants {
                let what = match (readable, editable) {
                    (true, true) => "read edit",
                    (true, false) => "read",
                    _ => "edit",
                };
                let _ = writeln!(
                    out,
                    "  {}: {what} {}",
                    terminal_safe(field),
                    self.via(texts, grant)
                );
            }
        }
        if !any {
            out += none;
        }
        if self.object.is_none() {
            out += "\nOther access\n";
            if self.access.other.is_empty() {
                out += none;
            }
            for ((kind, name), grants) in &self.access.other {
                for grant in grants {
                    let _ = writeln!(
                        out,
                        "  {} {} {}",
                        kind.label(),
                        terminal_safe(name),
                        self.via(texts, grant)
                    );
                }
            }
        }
        out
    }

    fn json(&self, texts: &mut Texts) -> String {
        #[derive(Serialize)]
        struct Doc<'a> {
            version: u32,
            integration: &'a str,
            user: Option<&'a str>,
            profiles: Vec<&'a str>,
            /// Whether the user's profile is in the metadata: when not,
            /// what the lists leave out is unknown, not none.
            profile_known: bool,
            permission_sets: Vec<&'a str>,
            permission_set_groups: Vec<&'a str>,
            apps: Vec<&'a str>,
            system_permissions: Vec<Named<'a>>,
            objects: Vec<Object<'a>>,
            fields: Vec<Field<'a>>,
            other: Vec<Other<'a>>,
        }
        #[derive(Serialize)]
        struct Named<'a> {
            name: &'a str,
            grants: Vec<Provenance>,
        }
        #[derive(Serialize)]
        struct Object<'a> {
            object: &'a str,
            access: Vec<&'static str>,
            grants: Vec<ObjectGrant>,
            /// With usage logs in the org snapshot.
            #[serde(skip_serializing_if = "Option::is_none")]
            usage: Option<ObjectUsage>,
        }
        #[derive(Serialize)]
        struct ObjectUsage {
            status: &'static str,
            /// What the verdict rests on, in words.
            detail: String,
            calls: u64,
            /// The verbs the calls show.
            used: Vec<&'static str>,
            /// Calls whose log does not say the verb.
            unknown_verb: u64,
            first_day: Option<String>,
            last_day: Option<String>,
        }
        #[derive(Serialize)]
        struct ObjectGrant {
            access: Vec<&'static str>,
            #[serde(flatten)]
            provenance: Provenance,
        }
        #[derive(Serialize)]
        struct Field<'a> {
            field: &'a str,
            readable: bool,
            editable: bool,
            grants: Vec<FieldGrant>,
        }
        #[derive(Serialize)]
        struct FieldGrant {
            readable: bool,
            editable: bool,
            #[serde(flatten)]
            provenance: Provenance,
        }
        #[derive(Serialize)]
        struct Other<'a> {
            kind: &'static str,
            name: &'a str,
            grants: Vec<Provenance>,
        }
        let org = self.org;
        let i = self.integration;
        let doc = Doc {
            version: 1,
            integration: &i.name,
            user: i.user.as_deref(),
            profiles: i
                .profiles
                .iter()
                .map(|&p| org.name(org.profiles[p].header.name))
                .collect(),
            profile_known: !i.profiles.is_empty(),
            permission_sets: i
                .permission_sets
                .iter()
                .map(|&s| org.name(org.permission_sets[s].header.name))
                .collect(),
            permission_set_groups: i
                .groups
                .iter()
                .map(|&g| org.name(org.groups[g].header.name))
                .collect(),
            apps: i.apps.iter().map(|&a| org.name(org.apps[a].name)).collect(),
            system_permissions: if self.object.is_some() {
                vec![]
            } else {
                self.access
                    .system
                    .iter()
                    .map(|(name, grants)| Named {
                        name,
                        grants: grants.iter().map(|g| self.provenance(texts, g)).collect(),
                    })
                    .collect()
            },
            objects: self
                .access
                .objects
                .iter()
                .filter(|(o, _)| self.wants_object(o))
                .map(|(object, grants)| Object {
                    object,
                    access: grants.access.words().collect(),
                    grants: grants
                        .grants
                        .iter()
                        .map(|(flags, g)| ObjectGrant {
                            access: flags.words().collect(),
                            provenance: self.provenance(texts, g),
                        })
                        .collect(),
                    usage: self.verdict(object).map(|v| {
                        let (calls, window) = match &v {
                            Verdict::Used(o, w) => (Some(*o), Some(*w)),
                            Verdict::Unused(w) => (None, Some(*w)),
                            Verdict::Unknown(_) => (None, None),
                        };
                        ObjectUsage {
                            status: v.status(),
                            detail: v.describe(),
                            calls: calls.map_or(0, |o| o.calls),
                            used: calls.map_or(vec![], |o| o.used_access().words().collect()),
                            unknown_verb: calls.map_or(0, |o| o.unknown),
                            first_day: window.map(|w| w.first.to_string()),
                            last_day: window.map(|w| w.last.to_string()),
                        }
                    }),
                })
                .collect(),
            fields: self
                .access
                .fields
                .iter()
                .filter(|(f, _)| self.wants_field(f))
                .map(|(field, grants)| Field {
                    field,
                    readable: grants.readable,
                    editable: grants.editable,
                    grants: grants
                        .grants
                        .iter()
                        .map(|(r, e, g)| FieldGrant {
                            readable: *r,
                            editable: *e,
                            provenance: self.provenance(texts, g),
                        })
                        .collect(),
                })
                .collect(),
            other: if self.object.is_some() {
                vec![]
            } else {
                self.access
                    .other
                    .iter()
                    .map(|((kind, name), grants)| Other {
                        kind: kind.label(),
                        name,
                        grants: grants.iter().map(|g| self.provenance(texts, g)).collect(),
                    })
                    .collect()
            },
        };
        serde_json::to_string_pretty(&doc).expect("JSON of plain data") + "\n"
    }
}
