//! `minpriv init`: a starter minpriv.toml from what the inputs show — apps
//! with a client-credentials run-as user, the org snapshot's integration
//! users and what the org assigns them, and integration profiles nothing
//! claims. Every entry is a guess and its comment says where it came from.
//! The draft is validated by the config parser before it is written, and
//! an existing file is never overwritten.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use clap::Args;

use super::load::{InputArgs, Loaded, load_with};
use super::{EXIT_CLEAN, EXIT_ERROR, fail};
use crate::access::Holder;
use crate::config::{self, CONFIG_FILE};
use crate::discover;
use crate::integration::{Integration, Origin};
use crate::model::ObjectAccess;
use crate::orgdata::{Assigned, Snapshot};
use crate::parse::DEFAULT_MAX_FILE_SIZE;
use crate::report::terminal_safe;
use crate::source::display_path;
use crate::usage::Usage;

#[derive(Args, Debug)]
pub struct InitArgs {
    /// Files or directories to discover from [default: the project's
    /// package directories from sfdx-project.json, or the current directory].
    pub paths: Vec<PathBuf>,

    /// Org snapshot directory (as for `check`): adds each user's profile,
    /// permission sets and groups as the org assigns them, and the org's
    /// integration users.
    #[arg(long, value_name = "DIR")]
    pub org_data: Option<PathBuf>,

    /// Write the draft here [default: minpriv.toml in the project root].
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Skip files matching this glob (repeatable).
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,

    /// Read files that .forceignore lists too.
    #[arg(long)]
    pub no_forceignore: bool,
}

pub fn run(args: InitArgs, stderr_color: bool) -> u8 {
    let cwd = match std::env::current_dir().and_then(std::path::absolute) {
        Ok(cwd) => cwd,
        Err(e) => return fail(format_args!("cannot read the current directory: {e}")),
    };
    let target = match &args.output {
        Some(path) => cwd.join(path),
        None => {
            let first = args.paths.first().map_or(cwd.clone(), |p| cwd.join(p));
            discover::project_root(&first).join(CONFIG_FILE)
        }
    };
    let shown = display_path(&target, &cwd);
    if target.exists() {
        return refuse(&shown);
    }
    let input = InputArgs {
        paths: args.paths.clone(),
        config: None,
        org_data: args.org_data.clone(),
        exclude: args.exclude.clone(),
        no_forceignore: args.no_forceignore,
        threads: None,
        max_file_size: DEFAULT_MAX_FILE_SIZE,
    };
    let loaded = match load_with(&input, stderr_color, false) {
        Ok(loaded) => loaded,
        Err(code) => return code,
    };
    if !loaded.errors.is_empty() {
        for e in &loaded.errors {
            eprintln!(
                "minpriv: error: {}: {}",
                terminal_safe(&loaded.org.sources.get(e.file).display),
                terminal_safe(&e.message)
            );
        }
        return fail("inputs could not be read; fix them and run `minpriv init` again");
    }

    let config_dir = target.parent().unwrap_or(Path::new("."));
    let draft = Draft::new(&loaded, config_dir, &cwd);
    let text = draft.render();
    // The draft must be a valid inventory: a failure here is a bug.
    if let Err(errors) = config::parse_with(&target, text.clone(), &crate::rules::NAMES) {
        let first = errors.errors.first().map_or("", |e| e.message.as_str());
        return fail(format_args!(
            "internal error: the drafted minpriv.toml does not parse ({first}); this is a bug in minpriv, please report it"
        ));
    }
    let written = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&target)
        .and_then(|mut f| f.write_all(text.as_bytes()));
    match written {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => return refuse(&shown),
        Err(e) => return fail(format_args!("cannot write {shown}: {e}")),
    }
    eprintln!(
        "Wrote {shown}: {} ({} from apps, {} from the org snapshot){}. Every entry is a guess: review each one, then run `minpriv check`.",
        plural(draft.entries.len(), "integration", "integrations"),
        draft.entries.iter().filter(|e| e.from_app).count(),
        draft.entries.iter().filter(|e| !e.from_app).count(),
        match draft.unclaimed.len() {
            0 => String::new(),
            n => format!(
                ", and {} no integration uses, as comments",
                plural(
                    n,
                    "integration profile or permission set",
                    "integration profiles and permission sets"
                )
            ),
        }
    );
    EXIT_CLEAN
}

fn refuse(shown: &str) -> u8 {
    fail(format_args!(
        "{shown} already exists; `minpriv init` never overwrites it: move it away, or write the draft elsewhere with -o FILE"
    ));
    EXIT_ERROR
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// One `[[integration]]` of the draft.
struct Entry {
    name: String,
    user: String,
    /// Where the integration was found: comment lines above the entry.
    found: Vec<String>,
    /// The profile and where the guess comes from.
    profile: Option<(String, String)>,
    permission_sets: Vec<String>,
    groups: Vec<String>,
    apps: Vec<String>,
    from_app: bool,
    from_snapshot: bool,
    objects: Option<DraftContract>,
    /// The snapshot filled in its assignments.
    assigned_by_snapshot: bool,
}

/// An integration profile or permission set no entry uses.
struct Unclaimed {
    name: String,
    why: String,
    is_profile: bool,
    /// Found by its name alone.
    suspect: bool,
}

struct Draft {
    header: Vec<String>,
    org_data: Option<String>,
    entries: Vec<Entry>,
    unclaimed: Vec<Unclaimed>,
}

impl Draft {
    fn new(loaded: &Loaded, config_dir: &Path, cwd: &Path) -> Draft {
        let org = &loaded.org;
        let snapshot = loaded.snapshot.as_ref();
        let mut entries: Vec<Entry> = vec![];
        for integration in &loaded.integrations.list {
            let Some(user) = integration.user.clone() else {
                continue;
            };
            let mut entry = match integration.origin {
                Origin::Declared(_) | Origin::Discovered(_) => continue,
                Origin::App(a) => {
                    let app = &org.apps[a];
                    let app_name = org.name(app.name).to_owned();
                    let kind = match app.kind {
                        crate::model::ComponentKind::ExternalClientApp => "External Client App",
                        _ => "connected app",
                    };
                    let mut found = vec![format!(
                        "{kind} `{app_name}` runs as this user (client credentials)."
                    )];
                    let shared: Vec<String> = entries
                        .iter()
                        .filter(|e| e.from_app && e.user.eq_ignore_ascii_case(&user))
                        .flat_map(|e| e.apps.iter().map(|a| format!("`{a}`")))
                        .collect();
                    if !shared.is_empty() {
                        found.push(format!(
                            "The user also runs {}: one user per integration is safer (IDN001); merge the entries if they are one integration.",
                            shared.join(", ")
                        ));
                    }
                    // What the app pre-authorizes, as the shared resolution
                    // attaches it to the app's integration.
                    // A profile the metadata does not hold is still named.
                    let profiles: Vec<&str> = if integration.profiles.is_empty() {
                        app.profiles.iter().map(|r| org.name(r.name)).collect()
                    } else {
                        integration
                            .profiles
                            .iter()
                            .map(|&p| org.name(org.profiles[p].header.name))
                            .collect()
                    };
                    let profile = match profiles.as_slice() {
                        [only] => Some((
                            only.to_string(),
                            "guess: the only profile the app pre-authorizes; check the user's profile".to_owned(),
                        )),
                        _ => None,
                    };
                    Entry {
                        name: name_for(&app_name),
                        user,
                        found,
                        profile,
                        // What the app pre-authorizes, as `check` counts it.
                        permission_sets: integration
                            .permission_sets
                            .iter()
                            .map(|&s| org.name(org.permission_sets[s].header.name).to_owned())
                            .collect(),
                        groups: vec![],
                        apps: vec![app_name],
                        from_app: true,
                        from_snapshot: false,
                        objects: None,
                        assigned_by_snapshot: false,
                    }
                }
                Origin::Snapshot(u) => {
                    let Some(record) = snapshot.map(|s| &s.users[u]) else {
                        continue;
                    };
                    let why = match record.licence.value.as_deref() {
                        Some(crate::model::INTEGRATION_LICENSE) => {
                            "on the Salesforce Integration licence"
                        }
                        _ => "on an API-only profile",
                    };
                    Entry {
                        name: name_for(user.split('@').next().unwrap_or(&user)),
                        user,
                        found: vec![format!(
                            "An active user {why} in the org snapshot; no app names it."
                        )],
                        profile: None,
                        permission_sets: vec![],
                        groups: vec![],
                        apps: vec![],
                        from_app: false,
                        from_snapshot: true,
                        objects: None,
                        assigned_by_snapshot: true,
                    }
                }
            };
            if let Some(snapshot) = snapshot {
                assigned(snapshot, integration, &mut entry);
                entry.objects = contract_from_use(&snapshot.usage, &entry.user);
            }
            let base = entry.name.clone();
            let mut n = 2;
            while entries.iter().any(|e| e.name == entry.name) {
                entry.name = format!("{base}-{n}");
                n += 1;
            }
            entries.push(entry);
        }

        // The identities found in the metadata alone (SPEC §2), with the
        // evidence `check` has for them.
        let mut unclaimed = vec![];
        for integration in &loaded.integrations.list {
            let Origin::Discovered(holder) = integration.origin else {
                continue;
            };
            let (name, is_profile) = match holder {
                Holder::Profile(p) => (org.name(org.profiles[p].header.name).to_owned(), true),
                Holder::PermissionSet(s) => (
                    org.name(org.permission_sets[s].header.name).to_owned(),
                    false,
                ),
            };
            let claimed = is_profile
                && entries.iter().any(|e| {
                    e.profile.as_ref().is_some_and(|(n, _)| {
                        org.profiles_named(n).contains(&integration.profiles[0])
                    })
                });
            if claimed
                || unclaimed
                    .iter()
                    .any(|u: &Unclaimed| u.name == name && u.is_profile == is_profile)
            {
                continue;
            }
            let why = integration
                .evidence
                .iter()
                .map(|e| e.detail.as_str())
                .collect::<Vec<_>>()
                .join("; ");
            unclaimed.push(Unclaimed {
                name,
                why,
                is_profile,
                suspect: integration.suspect.is_some(),
            });
        }

        let mut from: Vec<String> = if loaded.files == 0 {
            vec![]
        } else {
            vec![format!(
                "{} metadata files",
                loaded.files - snapshot.map_or(0, |s| s.files.len())
            )]
        };
        let org_data = snapshot.map(|s| {
            from.push(format!("the org snapshot in {}", display_path(&s.dir, cwd)));
            relative_to(&s.dir, config_dir)
        });
        let header = vec![
            "minpriv inventory, drafted by `minpriv init`".to_owned(),
            format!(
                "from {}.",
                if from.is_empty() {
                    "no input".to_owned()
                } else {
                    from.join(" and ")
                }
            ),
            String::new(),
            "Every entry is a guess: check each one against the org, fill in the".to_owned(),
            "TODOs, rename the integrations after the systems they serve, and review".to_owned(),
            "changes to this file like code. The Inventory section of the minpriv".to_owned(),
            "README explains every key.".to_owned(),
        ];
        Draft {
            header,
            org_data,
            entries,
            unclaimed,
        }
    }

    fn render(&self) -> String {
        let mut out = String::new();
        for line in &self.header {
            comment(&mut out, line);
        }
        out.push('\n');
        if let Some(dir) = &self.org_data {
            let _ = writeln!(
                out,
                "org-data = {}   # the org snapshot this draft was made from",
                string(dir)
            );
            out.push('\n');
        }
        out.push_str("[lint]\nfail-on = \"error\"\n");
        for entry in &self.entries {
            out.push('\n');
            for line in &entry.found {
                comment(&mut out, line);
            }
            out.push_str("[[integration]]\n");
            let _ = writeln!(
                out,
                "name = {}   # guess: rename after the system it serves",
                string(&entry.name)
            );
            let _ = writeln!(out, "user = {}", string(&entry.user));
            match &entry.profile {
                Some((profile, why)) => {
                    let _ = writeln!(out, "profile = {}   # {}", string(profile), sanitize(why));
                }
                None => out.push_str(
                    "# profile = \"\"   # TODO: the user's profile (unknown without the org snapshot, --org-data)\n",
                ),
            }
            let snapshot_says = "# as the org snapshot assigns them";
            if !entry.permission_sets.is_empty() {
                let _ = writeln!(
                    out,
                    "permission-sets = {}   {}",
                    list(&entry.permission_sets),
                    if entry.from_snapshot || entry.assigned_by_snapshot {
                        snapshot_says
                    } else {
                        "# guess: what the app pre-authorizes"
                    }
                );
            }
            if !entry.groups.is_empty() {
                let _ = writeln!(
                    out,
                    "permission-set-groups = {}   {snapshot_says}",
                    list(&entry.groups)
                );
            }
            if !entry.from_snapshot && entry.permission_sets.is_empty() && entry.groups.is_empty() {
                out.push_str(
                    "# permission-sets = []   # TODO: what is assigned to the user (the org snapshot shows it)\n",
                );
            }
            if !entry.apps.is_empty() {
                let _ = writeln!(out, "connected-apps = {}", list(&entry.apps));
            }
            out.push_str("# ip-allowlist = []   # TODO: the integration's egress addresses (CIDR or start-end)\n");
            out.push_str("# owner = \"\"   # TODO: who answers for this integration\n");
            match &entry.objects {
                Some((objects, window)) => {
                    let _ = writeln!(
                        out,
                        "[integration.objects]   # drafted from what the usage logs show it used in {}: check jobs that run less often",
                        sanitize(window)
                    );
                    for (object, words, note) in objects {
                        let _ = write!(out, "{} = {}", string(object), string(words));
                        match note {
                            Some(note) => {
                                let _ = writeln!(out, "   # {}", sanitize(note));
                            }
                            None => out.push('\n'),
                        }
                    }
                }
                None => out.push_str(
                    "# [integration.objects]   # TODO: the access contract, e.g. Account = \"read\"\n",
                ),
            }
        }
        for holder in &self.unclaimed {
            let (kind, key, dismiss) = if holder.is_profile {
                ("profile", "profile", "human-profiles")
            } else {
                ("permission set", "permission-sets", "human-permission-sets")
            };
            out.push('\n');
            comment(
                &mut out,
                &format!(
                    "Integration {kind} `{}` ({}), but no integration drafted here names it: declare the one that uses it.",
                    holder.name, holder.why
                ),
            );
            if holder.suspect {
                comment(
                    &mut out,
                    &format!(
                        "Only its name suggests an integration: if people use it, dismiss it under [lint] with {dismiss} = [{}].",
                        string(&holder.name)
                    ),
                );
            }
            out.push_str("# [[integration]]\n");
            let _ = writeln!(out, "# name = {}", string(&name_for(&holder.name)));
            out.push_str("# user = \"\"   # TODO: its username\n");
            if holder.is_profile {
                let _ = writeln!(out, "# {key} = {}", string(&holder.name));
            } else {
                let _ = writeln!(out, "# {key} = [{}]", string(&holder.name));
            }
        }
        out
    }
}

/// The `[integration.objects]` contract drafted from the usage logs:
/// `(object, words, comment)` lines, and what the logs cover.
type DraftContract = (Vec<(String, String, Option<String>)>, String);

/// The access contract the usage logs show `user` needs: each object it
/// called, with the verbs of the calls (`read` when no verb is known).
fn contract_from_use(usage: &Usage, user: &str) -> Option<DraftContract> {
    let window = usage.judges(Some(user)).ok()?;
    let used = usage.of(user)?;
    let objects = used
        .objects
        .values()
        .map(|o| {
            let mut access = o.used_access();
            // Writing implies reading what is written back.
            access.insert(ObjectAccess::READ);
            let words: Vec<&str> = access.words().collect();
            let note = (!o.verbs_known()).then(|| {
                format!(
                    "TODO: {} of {} call{} do not say their verb (a Bulk job without its operation, a composite request): add what it writes",
                    o.unknown,
                    o.calls,
                    if o.calls == 1 { "" } else { "s" }
                )
            });
            (o.name.clone(), words.join(" "), note)
        })
        .collect::<Vec<_>>();
    (!objects.is_empty()).then(|| (objects, window.to_string()))
}

/// Fills in the profile, permission sets and groups the snapshot assigns
/// to the integration's user, as the snapshot names them.
fn assigned(snapshot: &Snapshot, integration: &Integration, entry: &mut Entry) {
    let Some(u) = integration.snapshot_user else {
        return;
    };
    let record = &snapshot.users[u];
    if snapshot
        .assignments_of(&record.username.value)
        .next()
        .is_some()
    {
        // The org's assignments replace the guess from the app.
        entry.permission_sets.clear();
        entry.assigned_by_snapshot = true;
    }
    if let Some(profile) = &record.profile.value {
        entry.profile = Some((profile.clone(), "as the org snapshot assigns it".into()));
    }
    if !record.active.value {
        entry
            .found
            .push("The user is inactive in the org snapshot: is the integration retired?".into());
    }
    for row in snapshot.assignments_of(&record.username.value) {
        let (into, name) = match row.assigned() {
            Assigned::Profile => continue,
            Assigned::Group(g) => (&mut entry.groups, g),
            Assigned::PermissionSet(s) => (&mut entry.permission_sets, s),
        };
        if !name.is_empty() && !into.iter().any(|n| n == name) {
            into.push(name.to_owned());
        }
    }
}

/// A kebab-case integration name from an app or user name.
fn name_for(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-').to_owned();
    if out.is_empty() {
        "integration".to_owned()
    } else {
        out
    }
}

/// A TOML string, escaped by the toml crate (names may hold quotes).
fn string(text: &str) -> String {
    toml::Value::String(text.to_owned()).to_string()
}

fn list(items: &[String]) -> String {
    let items: Vec<String> = items.iter().map(|i| string(i)).collect();
    format!("[{}]", items.join(", "))
}

/// Comment text: control characters (a newline in a name) would end the
/// comment, and are not allowed in one.
fn sanitize(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// Comment lines, wrapped at 78 columns where words allow.
fn comment(out: &mut String, text: &str) {
    let text = sanitize(text);
    let mut line = String::new();
    for word in text.split(' ') {
        if !line.is_empty() && line.len() + 1 + word.len() > 76 {
            let _ = writeln!(out, "# {line}");
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if line.is_empty() {
        out.push_str("#\n");
    } else {
        let _ = writeln!(out, "# {line}");
    }
}

/// `dir` relative to the config's directory when below it, with `/`.
fn relative_to(dir: &Path, config_dir: &Path) -> String {
    let abs = std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf());
    let base = std::path::absolute(config_dir).unwrap_or_else(|_| config_dir.to_path_buf());
    match abs.strip_prefix(&base) {
        Ok(rel) if !rel.as_os_str().is_empty() => rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/"),
        _ => abs.to_string_lossy().into_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_kebab_case() {
        assert_eq!(name_for("Orders_Sync"), "orders-sync");
        assert_eq!(name_for("svc.dw"), "svc-dw");
        assert_eq!(name_for("__"), "integration");
    }

    #[test]
    fn strings_and_comments_survive_quotes_and_newlines() {
        assert_eq!(string("Custom: \"Ops\""), r#"'Custom: "Ops"'"#);
        let mut out = String::new();
        comment(&mut out, "a\nb");
        assert_eq!(out, "# a b\n");
        let text = format!(
            "[[integration]]\nname = {}\nuser = {}\n",
            string("a\"b\\c\n"),
            string("u")
        );
        let config =
            config::parse_with(Path::new("minpriv.toml"), text, &crate::rules::NAMES).unwrap();
        assert_eq!(config.integrations[0].name.get_ref(), "a\"b\\c\n");
    }
}
