//! `minpriv.toml`: the inventory of integrations and the lint settings
//! (README, "Inventory: minpriv.toml"). Every mistake is an error pointing into the file.

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;
use std::path::{Path, PathBuf};

use globset::{GlobBuilder, GlobMatcher};
use serde::Deserialize;
use toml::Spanned;

use crate::catalogue::Severity;
use crate::discover::PROJECT_FILE;
use crate::ip::IpSpan;
use crate::model::ObjectAccess;
use crate::source::{Problem, Span};

pub const CONFIG_FILE: &str = "minpriv.toml";

/// When `check` exits 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum FailOn {
    #[default]
    Error,
    Warning,
    Info,
    Never,
}

impl FailOn {
    pub fn fails(self, severity: Severity) -> bool {
        match self {
            FailOn::Error => severity >= Severity::Error,
            FailOn::Warning => severity >= Severity::Warning,
            FailOn::Info => true,
            FailOn::Never => false,
        }
    }
}

/// The validated configuration. `Default` is the configuration of a run
/// without a `minpriv.toml`.
#[derive(Debug, Default)]
pub struct Config {
    /// The file it was read from.
    pub path: Option<PathBuf>,
    /// Its text, kept so findings can point into it.
    pub text: String,
    pub org_data: Option<PathBuf>,
    /// Where `org-data` is written in the file.
    pub org_data_span: Option<Range<usize>>,
    pub exclude: Vec<String>,
    pub lint: Lint,
    pub integrations: Vec<IntegrationDecl>,
    pub exceptions: Vec<Exception>,
}

#[derive(Debug)]
pub struct Lint {
    pub select: Vec<Spanned<String>>,
    pub ignore: Vec<Spanned<String>>,
    pub fail_on: FailOn,
    pub max_ip_range_addresses: u128,
    pub stale_after_days: u32,
    /// USE001 needs usage logs covering at least this many days.
    pub min_usage_days: u32,
    /// Profiles minpriv suspects by name alone that are people's.
    pub human_profiles: Vec<Spanned<String>>,
    /// Permission sets likewise.
    pub human_permission_sets: Vec<Spanned<String>>,
}

impl Lint {
    /// Whether `[lint] human-profiles` names the profile (full name or
    /// label, case-insensitive).
    pub fn is_human_profile(&self, full_name: &str) -> bool {
        let label = crate::model::profile_label_for_full_name(full_name);
        self.human_profiles.iter().any(|h| {
            let h = h.get_ref().trim();
            h.eq_ignore_ascii_case(full_name) || label.is_some_and(|l| h.eq_ignore_ascii_case(l))
        })
    }

    /// Whether `[lint] human-permission-sets` names the set (API name or
    /// label, case-insensitive).
    pub fn is_human_permission_set(&self, name: &str, label: Option<&str>) -> bool {
        self.human_permission_sets.iter().any(|h| {
            let h = h.get_ref().trim();
            h.eq_ignore_ascii_case(name) || label.is_some_and(|l| h.eq_ignore_ascii_case(l))
        })
    }
}

impl Default for Lint {
    fn default() -> Self {
        Lint {
            select: vec![],
            ignore: vec![],
            fail_on: FailOn::Error,
            max_ip_range_addresses: 65536,
            stale_after_days: 90,
            min_usage_days: 30,
            human_profiles: vec![],
            human_permission_sets: vec![],
        }
    }
}

/// An `[[integration]]`: the intended state of one integration. Spans
/// point into the config text.
#[derive(Debug)]
pub struct IntegrationDecl {
    pub name: Spanned<String>,
    pub user: Spanned<String>,
    pub profile: Option<Spanned<String>>,
    pub permission_sets: Vec<Spanned<String>>,
    pub permission_set_groups: Vec<Spanned<String>>,
    pub connected_apps: Vec<Spanned<String>>,
    pub ip_allowlist: Vec<Spanned<IpSpan>>,
    pub allow_permissions: Vec<Spanned<String>>,
    pub owner: Option<String>,
    /// The access contract per object; `None` when not declared.
    pub objects: Option<BTreeMap<String, Spanned<ObjectAccess>>>,
}

#[derive(Debug)]
pub struct Exception {
    /// Rule code (as written when the rule names were not checked).
    pub rule: String,
    pub integration: Option<String>,
    pub file: Option<GlobMatcher>,
    pub reason: String,
    pub expires: Option<jiff::civil::Date>,
    /// The `[[exception]]` table, for findings about the exception itself.
    pub span: Range<usize>,
}

/// A config file that could not be used: all its errors at once.
#[derive(Debug)]
pub struct ConfigErrors {
    pub path: PathBuf,
    pub text: String,
    /// Each located in the file, when it has a place.
    pub errors: Vec<Problem>,
}

/// `minpriv.toml` in `start` or its parents, stopping at the directory
/// that holds `.git` or `sfdx-project.json`.
pub fn find(start: &Path) -> Option<PathBuf> {
    for dir in start.ancestors() {
        let candidate = dir.join(CONFIG_FILE);
        if candidate.is_file() {
            return Some(candidate);
        }
        if dir.join(".git").exists() || dir.join(PROJECT_FILE).exists() {
            return None;
        }
    }
    None
}

// ---- raw, as written -------------------------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawConfig {
    org_data: Option<Spanned<String>>,
    #[serde(default)]
    exclude: Vec<Spanned<String>>,
    #[serde(default)]
    lint: RawLint,
    #[serde(default)]
    integration: Vec<RawIntegration>,
    #[serde(default)]
    exception: Vec<Spanned<RawException>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawLint {
    #[serde(default)]
    select: Vec<Spanned<String>>,
    #[serde(default)]
    ignore: Vec<Spanned<String>>,
    fail_on: Option<FailOn>,
    max_ip_range_addresses: Option<Spanned<i64>>,
    stale_after_days: Option<Spanned<i64>>,
    min_usage_days: Option<Spanned<i64>>,
    #[serde(default)]
    human_profiles: Vec<Spanned<String>>,
    #[serde(default)]
    human_permission_sets: Vec<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawIntegration {
    name: Spanned<String>,
    user: Spanned<String>,
    profile: Option<Spanned<String>>,
    #[serde(default)]
    permission_sets: Vec<Spanned<String>>,
    #[serde(default)]
    permission_set_groups: Vec<Spanned<String>>,
    #[serde(default)]
    connected_apps: Vec<Spanned<String>>,
    #[serde(default)]
    ip_allowlist: Vec<Spanned<String>>,
    #[serde(default)]
    allow_permissions: Vec<Spanned<String>>,
    owner: Option<String>,
    objects: Option<BTreeMap<String, Spanned<String>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawException {
    rule: Spanned<String>,
    integration: Option<Spanned<String>>,
    file: Option<Spanned<String>>,
    reason: Spanned<String>,
    expires: Option<Spanned<String>>,
}

/// What the inventory's rule names are checked against: the rule
/// registry, which sits above the config (`rules::NAMES`), so the loader
/// passes it in.
pub struct RuleNames {
    /// Why a `[lint] select` or `ignore` entry names no rule.
    pub check_selector: fn(&str) -> Result<(), String>,
    /// The code of the rule an exception names (by code or name), if any.
    pub code_of: fn(&str) -> Option<String>,
}

/// Rule names left as written: every selector accepted, every exception's
/// rule kept as it is written. For reading an inventory without the
/// registry.
pub const UNCHECKED: RuleNames = RuleNames {
    check_selector: |_| Ok(()),
    code_of: |name| Some(name.to_owned()),
};

/// Reads and validates a config file, checking its rule names against
/// `rules`.
pub fn load(path: &Path, rules: &RuleNames) -> Result<Config, ConfigErrors> {
    let cannot = |why: String| ConfigErrors {
        path: path.to_path_buf(),
        text: String::new(),
        errors: vec![Problem::whole(format!(
            "cannot read {}: {why}",
            path.display()
        ))],
    };
    // The whole text, a byte order mark included: toml skips it, and its
    // spans are then the file's.
    let text = crate::source::read_text(path, crate::parse::DEFAULT_MAX_FILE_SIZE)
        .map_err(|e| cannot(e.message()))?;
    parse_with(path, text.text, rules)
}

/// Validates config `text` read from `path`, leaving its rule names as
/// written ([`UNCHECKED`]).
pub fn parse(path: &Path, text: String) -> Result<Config, ConfigErrors> {
    parse_with(path, text, &UNCHECKED)
}

/// Validates config `text` read from `path`, checking its rule names
/// against `rules`.
pub fn parse_with(path: &Path, text: String, rules: &RuleNames) -> Result<Config, ConfigErrors> {
    let fail = |errors, text| ConfigErrors {
        path: path.to_path_buf(),
        text,
        errors,
    };
    let raw: RawConfig = match toml::from_str(&text) {
        Ok(raw) => raw,
        Err(e) => {
            let error = Problem::new(e.span().map(Span::from), e.message().trim())
                .with_help("the Inventory section of the minpriv README lists every key");
            return Err(fail(vec![error], text));
        }
    };
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut errors = vec![];
    let config = validate(raw, &text, dir, rules, &mut errors);
    if errors.is_empty() {
        Ok(Config {
            path: Some(path.to_path_buf()),
            text,
            ..config
        })
    } else {
        Err(fail(errors, text))
    }
}

fn validate(
    raw: RawConfig,
    text: &str,
    dir: &Path,
    rules: &RuleNames,
    errors: &mut Vec<Problem>,
) -> Config {
    for selector in raw.lint.select.iter().chain(&raw.lint.ignore) {
        if let Err(e) = (rules.check_selector)(selector.get_ref()) {
            errors.push(
                Problem::at(selector.span().into(), e)
                    .with_help("use ALL, a code (NET001), a family (NET) or a rule name"),
            );
        }
    }
    let positive = |v: &Option<Spanned<i64>>, default: i64, errors: &mut Vec<Problem>| match v {
        Some(n) if *n.get_ref() <= 0 => {
            errors.push(Problem::at(n.span().into(), "must be a positive number"));
            default
        }
        Some(n) => *n.get_ref(),
        None => default,
    };
    let lint = Lint {
        select: raw.lint.select,
        ignore: raw.lint.ignore,
        fail_on: raw.lint.fail_on.unwrap_or_default(),
        max_ip_range_addresses: positive(&raw.lint.max_ip_range_addresses, 65536, errors) as u128,
        stale_after_days: positive(&raw.lint.stale_after_days, 90, errors).min(u32::MAX as i64)
            as u32,
        min_usage_days: positive(&raw.lint.min_usage_days, 30, errors).min(u32::MAX as i64) as u32,
        human_profiles: raw.lint.human_profiles,
        human_permission_sets: raw.lint.human_permission_sets,
    };
    for name in lint
        .human_profiles
        .iter()
        .chain(&lint.human_permission_sets)
    {
        if name.get_ref().trim().is_empty() {
            errors.push(Problem::at(
                name.span().into(),
                "an empty name dismisses nothing",
            ));
        }
    }

    let mut names: HashMap<String, Range<usize>> = HashMap::new();
    let mut integrations = vec![];
    for raw in raw.integration {
        if raw.name.get_ref().trim().is_empty() {
            errors.push(Problem::at(
                raw.name.span().into(),
                "an integration needs a name",
            ));
        } else if let Some(first) = names.insert(raw.name.get_ref().clone(), raw.name.span()) {
            errors.push(
                Problem::at(
                    raw.name.span().into(),
                    format!("integration `{}` is declared twice", raw.name.get_ref()),
                )
                .with_help(format!(
                    "the first declaration is on line {}; names must be unique",
                    text[..first.start].matches('\n').count() + 1
                )),
            );
        }
        if raw.user.get_ref().trim().is_empty() {
            errors.push(Problem::at(
                raw.user.span().into(),
                "an integration needs the username of its user",
            ));
        }
        let ip_allowlist = raw
            .ip_allowlist
            .iter()
            .filter_map(|entry| match IpSpan::parse(entry.get_ref()) {
                Ok(span) => Some(Spanned::new(entry.span(), span)),
                Err(e) => {
                    errors.push(Problem::at(entry.span().into(), e).with_help(
                        "write a CIDR block (13.111.0.0/16) or a range (52.10.1.1-52.10.1.20)",
                    ));
                    None
                }
            })
            .collect();
        let objects = raw.objects.map(|objects| {
            objects
                .into_iter()
                .map(|(object, words)| {
                    let mut access = ObjectAccess::empty();
                    for word in words.get_ref().split([' ', ',']).filter(|w| !w.is_empty()) {
                        match ObjectAccess::from_word(word) {
                            Some(flag) => access.insert(flag),
                            None => errors.push(
                                Problem::at(
                                    words.span().into(),
                                    format!("unknown access `{word}` for {object}"),
                                )
                                .with_help(
                                    "use the words create read edit delete view-all modify-all",
                                ),
                            ),
                        }
                    }
                    (object, Spanned::new(words.span(), access))
                })
                .collect()
        });
        integrations.push(IntegrationDecl {
            name: raw.name,
            user: raw.user,
            profile: raw.profile,
            permission_sets: raw.permission_sets,
            permission_set_groups: raw.permission_set_groups,
            connected_apps: raw.connected_apps,
            ip_allowlist,
            allow_permissions: raw.allow_permissions,
            owner: raw.owner,
            objects,
        });
    }

    let mut exceptions = vec![];
    for spanned in raw.exception {
        let span = spanned.span();
        let raw = spanned.into_inner();
        let rule = match (rules.code_of)(raw.rule.get_ref()) {
            Some(code) => code,
            None => {
                errors.push(
                    Problem::at(
                        raw.rule.span().into(),
                        format!("unknown rule `{}`", raw.rule.get_ref()),
                    )
                    .with_help("`minpriv rules` lists the codes and names"),
                );
                continue;
            }
        };
        if let Some(i) = &raw.integration
            && !names.contains_key(i.get_ref())
        {
            errors.push(
                Problem::at(
                    i.span().into(),
                    format!("no integration is named `{}`", i.get_ref()),
                )
                .with_help("name one of the [[integration]] entries"),
            );
        }
        if raw.reason.get_ref().trim().is_empty() {
            errors.push(
                Problem::at(raw.reason.span().into(), "an exception needs a reason")
                    .with_help("say why the access is accepted, e.g. a ticket reference"),
            );
        }
        let file = raw.file.as_ref().and_then(|f| {
            match GlobBuilder::new(f.get_ref())
                .literal_separator(true)
                .build()
            {
                Ok(glob) => Some(glob.compile_matcher()),
                Err(e) => {
                    errors.push(Problem::at(f.span().into(), format!("invalid glob: {e}")));
                    None
                }
            }
        });
        let expires =
            raw.expires
                .as_ref()
                .and_then(|d| match d.get_ref().parse::<jiff::civil::Date>() {
                    Ok(date) => Some(date),
                    Err(_) => {
                        errors.push(
                            Problem::at(
                                d.span().into(),
                                format!("`{}` is not a date", d.get_ref()),
                            )
                            .with_help("write the date as \"YYYY-MM-DD\", e.g. \"2027-03-31\""),
                        );
                        None
                    }
                });
        exceptions.push(Exception {
            rule,
            integration: raw.integration.map(Spanned::into_inner),
            file,
            reason: raw.reason.into_inner(),
            expires,
            span,
        });
    }

    let exclude = raw
        .exclude
        .iter()
        .map(|e| e.get_ref().clone())
        .collect::<Vec<_>>();
    for pattern in &raw.exclude {
        if let Err(e) = crate::discover::compile_excludes(std::slice::from_ref(pattern.get_ref())) {
            errors.push(Problem::at(pattern.span().into(), e));
        }
    }

    Config {
        path: None,
        text: String::new(),
        org_data_span: raw.org_data.as_ref().map(|d| d.span()),
        org_data: raw.org_data.map(|d| dir.join(d.get_ref())),
        exclude,
        lint,
        integrations,
        exceptions,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The registry as far as these tests need it (the real one sits
    /// above the config; `rules` tests the two together).
    const NAMES: RuleNames = RuleNames {
        check_selector: |s| match s {
            "NOPE" => Err("`NOPE` matches no rule".into()),
            _ => Ok(()),
        },
        code_of: |name| {
            matches!(name, "NET001" | "missing-login-ip-ranges").then(|| "NET001".to_owned())
        },
    };

    fn errors(text: &str) -> Vec<Problem> {
        parse_with(Path::new("minpriv.toml"), text.to_owned(), &NAMES)
            .unwrap_err()
            .errors
    }

    #[test]
    fn unknown_keys_point_at_the_key() {
        let text = "[[integration]]\nname = \"a\"\nuser = \"u\"\nprofiles = \"x\"\n";
        let e = &errors(text)[0];
        assert!(e.message.contains("unknown field `profiles`"), "{e:?}");
        assert_eq!(&text[e.span.unwrap().range()], "profiles");
    }

    #[test]
    fn bad_values_are_all_reported_with_spans() {
        let text = r#"
[lint]
select = ["NOPE"]
[[integration]]
name = "a"
user = "u"
ip-allowlist = ["10.0.0.0/33"]
objects = { Account = "read fly" }
[[exception]]
rule = "NET001"
integration = "b"
reason = ""
expires = "2027-02-30"
"#;
        let errs = errors(text);
        let spans: Vec<&str> = errs
            .iter()
            .map(|e| &text[e.span.unwrap().range()])
            .collect();
        assert_eq!(
            spans,
            [
                "\"NOPE\"",
                "\"10.0.0.0/33\"",
                "\"read fly\"",
                "\"b\"",
                "\"\"",
                "\"2027-02-30\""
            ]
        );
    }

    #[test]
    fn a_valid_inventory_parses() {
        let text = r#"
org-data = "snap"
[lint]
fail-on = "warning"
[[integration]]
name = "mc"
user = "mc@x"
profile = "System Administrator"
ip-allowlist = ["13.111.0.0/16", "52.10.1.1-52.10.1.20"]
[integration.objects]
Contact = "read edit"
[[exception]]
rule = "missing-login-ip-ranges"
reason = "ticket SEC-1"
expires = "2027-03-31"
"#;
        let c = parse_with(Path::new("/p/minpriv.toml"), text.to_owned(), &NAMES).unwrap();
        assert_eq!(c.org_data, Some(PathBuf::from("/p/snap")));
        assert_eq!(c.lint.fail_on, FailOn::Warning);
        assert_eq!(c.integrations[0].ip_allowlist.len(), 2);
        let contact = c.integrations[0].objects.as_ref().unwrap()["Contact"].get_ref();
        assert!(contact.contains(ObjectAccess::READ | ObjectAccess::EDIT));
        assert_eq!(c.exceptions[0].rule, "NET001");
        // Without the registry, rule names stay as written.
        let c = parse(Path::new("/p/minpriv.toml"), text.to_owned()).unwrap();
        assert_eq!(c.exceptions[0].rule, "missing-login-ip-ranges");
    }
}
