//! Where the report comes from: the examined git commit and
//! whether its tree was dirty, when the metadata was retrieved and the org
//! snapshot exported, when and by whom minpriv ran, which minpriv (version,
//! build commit, SHA-256 of the binary) and with which options.
//!
//! A fact that cannot be known is recorded as unknown, with why: never
//! guessed. Two environment variables make a report reproducible:
//! `SOURCE_DATE_EPOCH` (seconds since 1970, UTC) replaces the clock, and
//! `MINPRIV_REPORT_REDACT=1` replaces everything that names the machine,
//! the person, the binary or the repository state (user, host, CI job,
//! build commit, binary digest, git facts, file times) by `redacted`.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde::Serialize;

/// The clock override, as in reproducible builds.
pub const CLOCK_ENV: &str = "SOURCE_DATE_EPOCH";
/// The redaction switch.
pub const REDACT_ENV: &str = "MINPRIV_REPORT_REDACT";
/// What a redacted fact says.
pub const REDACTED: &str = "redacted (MINPRIV_REPORT_REDACT)";

/// A fact: its value, or why it is not known.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Fact {
    /// `None` when it is not known.
    pub value: Option<String>,
    /// Where the value comes from, or why there is none.
    pub note: String,
}

impl Fact {
    fn known(value: impl Into<String>, note: impl Into<String>) -> Fact {
        Fact {
            value: Some(value.into()),
            note: note.into(),
        }
    }

    fn unknown(note: impl Into<String>) -> Fact {
        Fact {
            value: None,
            note: note.into(),
        }
    }

    fn redacted() -> Fact {
        Fact::known(REDACTED, "")
    }

    /// The value, or `unknown`, with its note.
    pub fn text(&self) -> String {
        match (&self.value, self.note.is_empty()) {
            (Some(v), true) => v.clone(),
            (Some(v), false) => format!("{v} ({})", self.note),
            (None, true) => "unknown".into(),
            (None, false) => format!("unknown: {}", self.note),
        }
    }
}

/// The git state of the examined files.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Git {
    /// The `origin` remote, without credentials.
    pub repository: Fact,
    pub commit: Fact,
    pub branch: Fact,
    /// Whether the working tree differs from the commit.
    pub dirty: Fact,
    /// The commit date of the newest examined file: when the metadata was
    /// retrieved into the repository.
    pub retrieved: Fact,
}

/// Who ran minpriv.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RanBy {
    /// The CI system, when one is detected from its environment.
    pub ci: Option<String>,
    /// The CI job's URL.
    pub job_url: Fact,
    /// The OS user, or the CI actor.
    pub user: Fact,
    pub host: Fact,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Provenance {
    pub git: Git,
    /// When the org snapshot was exported.
    pub exported: Fact,
    /// Date, time of day and time zone of the run.
    pub run_at: Fact,
    pub ran_by: RanBy,
    pub minpriv_version: &'static str,
    pub build_commit: Fact,
    pub binary_sha256: Fact,
    /// The command line after `minpriv`.
    pub command: String,
    /// The rules that ran, by code.
    pub rules_selected: Vec<String>,
    /// `--select` / `--ignore` / `[lint]`, as a sentence.
    pub selection: String,
    /// Whether [`REDACT_ENV`] was set.
    pub redacted: bool,
}

/// What provenance is gathered from.
pub struct ProvenanceInput<'a> {
    /// The metadata files examined (absolute or relative to the current
    /// directory).
    pub examined: Vec<PathBuf>,
    /// The org snapshot's files, when one was read.
    pub snapshot_files: Option<Vec<PathBuf>>,
    /// The newest `LastLoginDate` of the snapshot's users.
    pub newest_login: Option<jiff::Timestamp>,
    pub command: Vec<String>,
    pub rules_selected: Vec<String>,
    pub selection: String,
    /// Environment lookup (the process's, or a test's).
    pub env: &'a dyn Fn(&str) -> Option<String>,
}

/// The process environment, as [`ProvenanceInput::env`] reads it.
pub fn process_env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

pub fn gather(input: &ProvenanceInput) -> Provenance {
    let env = input.env;
    let redact = env(REDACT_ENV).is_some_and(|v| v != "0");
    let git = if redact {
        Git {
            repository: Fact::redacted(),
            commit: Fact::redacted(),
            branch: Fact::redacted(),
            dirty: Fact::redacted(),
            retrieved: Fact::redacted(),
        }
    } else {
        git_facts(&input.examined)
    };
    let ran_by = if redact {
        RanBy {
            ci: detect_ci(env).map(|c| c.system.to_owned()),
            job_url: Fact::redacted(),
            user: Fact::redacted(),
            host: Fact::redacted(),
        }
    } else {
        ran_by(env)
    };
    Provenance {
        git,
        exported: exported(input, redact),
        run_at: run_at(env),
        ran_by,
        minpriv_version: env!("CARGO_PKG_VERSION"),
        build_commit: if redact {
            Fact::redacted()
        } else {
            build_commit()
        },
        binary_sha256: if redact {
            Fact::redacted()
        } else {
            binary_sha256()
        },
        command: shell_words(&input.command),
        rules_selected: input.rules_selected.clone(),
        selection: input.selection.clone(),
        redacted: redact,
    }
}

/// The commit minpriv was built from: `MINPRIV_GIT_COMMIT` when the build
/// sets it, else the commit `build.rs` puts in the version
/// (`MINPRIV_VERSION_SUFFIX`, ` (<commit> <date>)`, from git or from
/// `MINPRIV_COMMIT` at build time).
fn build_commit() -> Fact {
    if let Some(commit) = option_env!("MINPRIV_GIT_COMMIT").filter(|c| !c.trim().is_empty()) {
        return Fact::known(commit.trim(), "");
    }
    commit_of_suffix(env!("MINPRIV_VERSION_SUFFIX"))
}

/// The commit of a version suffix ` (<commit> <date>)` or ` (<commit>)`.
fn commit_of_suffix(suffix: &str) -> Fact {
    let commit = suffix
        .trim()
        .strip_prefix('(')
        .and_then(|s| s.strip_suffix(')'))
        .and_then(|s| s.split_whitespace().next());
    match commit {
        Some(commit) => Fact::known(
            commit,
            "as built; uncommitted changes in the build's tree are not recorded",
        ),
        None => {
            Fact::unknown("this binary was built outside a git checkout and without MINPRIV_COMMIT")
        }
    }
}

/// The running binary's digest, computed once: [`start_binary_digest`]
/// begins it on a thread of its own while the inputs load, and
/// [`gather`] waits for it (or computes it, when nothing started it).
static BINARY_SHA256: std::sync::OnceLock<Fact> = std::sync::OnceLock::new();

/// Starts hashing the running binary in the background, unless the report
/// is redacted: reading and hashing it (10 MB) then overlaps loading the
/// metadata instead of coming after it.
pub fn start_binary_digest(env: &dyn Fn(&str) -> Option<String>) {
    if env(REDACT_ENV).is_some_and(|v| v != "0") {
        return;
    }
    std::thread::spawn(|| BINARY_SHA256.get_or_init(hash_binary));
}

fn binary_sha256() -> Fact {
    BINARY_SHA256.get_or_init(hash_binary).clone()
}

fn hash_binary() -> Fact {
    let exe = match std::env::current_exe() {
        Ok(exe) => exe,
        Err(e) => return Fact::unknown(format!("the running binary cannot be located: {e}")),
    };
    match std::fs::read(&exe) {
        Ok(bytes) => Fact::known(super::digest::sha256_hex(&bytes), "of the running binary"),
        Err(e) => Fact::unknown(format!("the running binary cannot be read: {e}")),
    }
}

/// `SOURCE_DATE_EPOCH` in UTC, else the clock in the system time zone.
fn run_at(env: &dyn Fn(&str) -> Option<String>) -> Fact {
    const FORMAT: &str = "%Y-%m-%d %H:%M:%S %:z";
    if let Some(epoch) = env(CLOCK_ENV) {
        return match epoch
            .trim()
            .parse::<i64>()
            .ok()
            .and_then(|s| jiff::Timestamp::from_second(s).ok())
        {
            Some(t) => Fact::known(
                format!(
                    "{} (UTC)",
                    t.to_zoned_datetime(jiff::tz::TimeZone::UTC)
                        .strftime(FORMAT)
                ),
                format!("{CLOCK_ENV}, not the clock"),
            ),
            None => Fact::unknown(format!("{CLOCK_ENV} is not a number of seconds: {epoch}")),
        };
    }
    let now = jiff::ZonedDateTime::now();
    let zone = now
        .time_zone()
        .iana_name()
        .map(str::to_owned)
        .unwrap_or_else(|| now.strftime("%Z").to_string());
    Fact::known(format!("{} ({zone})", now.strftime(FORMAT)), "")
}

/// A detected CI system and its job.
struct Ci {
    system: &'static str,
    job_url: Option<String>,
    actor: Option<String>,
}

/// The CI system, from the variables each one documents.
fn detect_ci(env: &dyn Fn(&str) -> Option<String>) -> Option<Ci> {
    let join = |parts: &[Option<String>], sep: &str| -> Option<String> {
        let parts: Option<Vec<String>> = parts.iter().cloned().collect();
        parts.map(|p| p.join(sep))
    };
    if env("GITHUB_ACTIONS").as_deref() == Some("true") {
        let url = join(
            &[
                env("GITHUB_SERVER_URL").map(|s| s.trim_end_matches('/').to_owned()),
                env("GITHUB_REPOSITORY"),
                Some("actions/runs".into()),
                env("GITHUB_RUN_ID"),
            ],
            "/",
        )
        .map(|u| match env("GITHUB_RUN_ATTEMPT") {
            Some(a) => format!("{u}/attempts/{a}"),
            None => u,
        });
        return Some(Ci {
            system: "GitHub Actions",
            job_url: url,
            actor: env("GITHUB_ACTOR"),
        });
    }
    if env("GITLAB_CI").is_some() {
        return Some(Ci {
            system: "GitLab CI",
            job_url: env("CI_JOB_URL"),
            actor: env("GITLAB_USER_LOGIN"),
        });
    }
    if env("TF_BUILD").is_some_and(|v| v.eq_ignore_ascii_case("true")) {
        let url = join(
            &[
                env("SYSTEM_COLLECTIONURI").map(|s| s.trim_end_matches('/').to_owned()),
                env("SYSTEM_TEAMPROJECT"),
                env("BUILD_BUILDID").map(|id| format!("_build/results?buildId={id}")),
            ],
            "/",
        );
        return Some(Ci {
            system: "Azure Pipelines",
            job_url: url,
            actor: env("BUILD_REQUESTEDFOR"),
        });
    }
    if env("CIRCLECI").as_deref() == Some("true") {
        return Some(Ci {
            system: "CircleCI",
            job_url: env("CIRCLE_BUILD_URL"),
            actor: env("CIRCLE_USERNAME"),
        });
    }
    if env("BITBUCKET_BUILD_NUMBER").is_some() {
        let url = join(
            &[
                env("BITBUCKET_GIT_HTTP_ORIGIN").map(|s| s.trim_end_matches('/').to_owned()),
                Some("pipelines/results".into()),
                env("BITBUCKET_BUILD_NUMBER"),
            ],
            "/",
        );
        return Some(Ci {
            system: "Bitbucket Pipelines",
            job_url: url,
            actor: env("BITBUCKET_STEP_TRIGGERER_UUID"),
        });
    }
    if env("JENKINS_URL").is_some() {
        return Some(Ci {
            system: "Jenkins",
            job_url: env("BUILD_URL"),
            actor: env("BUILD_USER_ID"),
        });
    }
    None
}

fn ran_by(env: &dyn Fn(&str) -> Option<String>) -> RanBy {
    let os_user = env("USER")
        .or_else(|| env("USERNAME"))
        .or_else(|| env("LOGNAME"));
    let host = env("HOSTNAME")
        .or_else(|| {
            std::fs::read_to_string("/proc/sys/kernel/hostname")
                .ok()
                .map(|h| h.trim().to_owned())
                .filter(|h| !h.is_empty())
        })
        .or_else(|| env("COMPUTERNAME"));
    let host = match host {
        Some(h) => Fact::known(h, ""),
        None => Fact::unknown("no host name in the environment"),
    };
    match detect_ci(env) {
        Some(ci) => RanBy {
            ci: Some(ci.system.to_owned()),
            job_url: match ci.job_url {
                Some(url) => Fact::known(without_credentials(&url), ""),
                None => Fact::unknown(format!("{} does not give the job's URL", ci.system)),
            },
            user: match (ci.actor, os_user) {
                (Some(actor), _) => Fact::known(actor, format!("the {} actor", ci.system)),
                (None, Some(u)) => Fact::known(u, "the OS user of the CI runner"),
                (None, None) => Fact::unknown("no CI actor or OS user in the environment"),
            },
            host,
        },
        None => RanBy {
            ci: None,
            job_url: Fact::unknown("not run by a known CI system"),
            user: match os_user {
                Some(u) => Fact::known(u, "the OS user"),
                None => Fact::unknown("no USER, USERNAME or LOGNAME in the environment"),
            },
            host,
        },
    }
}

/// When the snapshot was exported: the newest login it records, else the
/// newest modification time of its files, saying which.
fn exported(input: &ProvenanceInput, redact: bool) -> Fact {
    let Some(files) = &input.snapshot_files else {
        return Fact::unknown("no org snapshot was read (--org-data)");
    };
    if let Some(login) = input.newest_login {
        return Fact::known(
            login
                .to_zoned_datetime(jiff::tz::TimeZone::UTC)
                .strftime("%Y-%m-%d %H:%M:%S UTC")
                .to_string(),
            "at or after the newest LastLoginDate in the snapshot",
        );
    }
    if redact {
        return Fact::redacted();
    }
    let newest = files
        .iter()
        .filter_map(|f| std::fs::metadata(f).ok()?.modified().ok())
        .max();
    match newest.and_then(|t| jiff::Timestamp::try_from(t).ok()) {
        Some(t) => Fact::known(
            t.to_zoned_datetime(jiff::tz::TimeZone::UTC)
                .strftime("%Y-%m-%d %H:%M:%S UTC")
                .to_string(),
            "the newest modification time of the snapshot's files: the snapshot records no login",
        ),
        None => {
            Fact::unknown("the snapshot records no login and its files have no modification time")
        }
    }
}

/// Runs git in `dir`; its trimmed standard output when it succeeds.
fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .env("GIT_OPTIONAL_LOCKS", "0")
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim_end().to_owned())
}

fn git_facts(examined: &[PathBuf]) -> Git {
    let absolute = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    let dir = examined
        .first()
        .map(|f| {
            absolute(f)
                .parent()
                .map(Path::to_path_buf)
                .unwrap_or_default()
        })
        .unwrap_or_else(|| absolute(Path::new(".")));
    let unknown = |why: &str| Git {
        repository: Fact::unknown(why),
        commit: Fact::unknown(why),
        branch: Fact::unknown(why),
        dirty: Fact::unknown(why),
        retrieved: Fact::unknown(why),
    };
    let Some(top) = git(&dir, &["rev-parse", "--show-toplevel"]) else {
        return unknown("the examined files are not in a git repository (or git is not installed)");
    };
    let top = PathBuf::from(top);
    let top_real = top.canonicalize().unwrap_or_else(|_| top.clone());
    let repository = match git(&top, &["remote", "get-url", "origin"]) {
        Some(url) if !url.is_empty() => Fact::known(without_credentials(&url), "the origin remote"),
        _ => Fact::unknown("the repository has no origin remote"),
    };
    let Some(commit) = git(&top, &["rev-parse", "--verify", "-q", "HEAD"]) else {
        let mut g = unknown("the repository has no commit yet");
        g.repository = repository;
        return g;
    };
    let branch = match git(&top, &["symbolic-ref", "-q", "--short", "HEAD"]) {
        Some(b) => Fact::known(b, ""),
        None => Fact::unknown("detached HEAD: no branch is checked out"),
    };
    // Paths of the examined files inside the repository.
    let inside: Vec<String> = examined
        .iter()
        .filter_map(|f| {
            let real = absolute(f).canonicalize().ok()?;
            let rel = real.strip_prefix(&top_real).ok()?;
            Some(rel.to_string_lossy().replace('\\', "/"))
        })
        .collect();
    let dirty = match git(
        &top,
        &["status", "--porcelain=v1", "-z", "--untracked-files=normal"],
    ) {
        Some(status) => {
            // `XY path`, NUL-terminated; a rename or copy is followed by
            // its original path.
            let mut changed: Vec<&str> = vec![];
            let mut entries = status.split('\0').filter(|e| !e.is_empty());
            while let Some(entry) = entries.next() {
                if let Some(path) = entry.get(3..) {
                    changed.push(path);
                }
                if entry.starts_with(['R', 'C']) {
                    entries.next();
                }
            }
            if changed.is_empty() {
                Fact::known("no", "the working tree matches the commit")
            } else {
                let examined_changed = inside
                    .iter()
                    .filter(|p| {
                        changed
                            .iter()
                            .any(|c| c == p || (c.ends_with('/') && p.starts_with(c)))
                    })
                    .count();
                Fact::known(
                    "yes",
                    format!(
                        "{} changed or untracked path{} in the working tree, {examined_changed} of them among the examined files",
                        changed.len(),
                        if changed.len() == 1 { "" } else { "s" }
                    ),
                )
            }
        }
        None => Fact::unknown("git status failed"),
    };
    // The newest commit that touched an examined file, in chunks that fit
    // a command line.
    let mut newest: Option<(i64, String, String)> = None;
    for chunk in inside.chunks(400) {
        let mut args = vec!["log", "-1", "--format=%ct%x09%cI%x09%h", "--"];
        args.extend(chunk.iter().map(String::as_str));
        if let Some(line) = git(&top, &args) {
            let mut parts = line.splitn(3, '\t');
            if let (Some(t), Some(date), Some(hash)) = (parts.next(), parts.next(), parts.next())
                && let Ok(t) = t.parse::<i64>()
                && newest.as_ref().is_none_or(|(n, ..)| t > *n)
            {
                newest = Some((t, date.to_owned(), hash.to_owned()));
            }
        }
    }
    let retrieved = match newest {
        Some((_, date, hash)) => Fact::known(
            date,
            format!("commit date of the newest examined file, commit {hash}"),
        ),
        None if inside.is_empty() => Fact::unknown("no examined file is inside the repository"),
        None => Fact::unknown("no examined file is committed"),
    };
    Git {
        repository,
        commit: Fact::known(commit, ""),
        branch,
        dirty,
        retrieved,
    }
}

/// A URL without the `user:password@` a remote or job URL may carry.
pub fn without_credentials(url: &str) -> String {
    if let Some((scheme, rest)) = url.split_once("://") {
        let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
        if let Some((_, host)) = authority.rsplit_once('@') {
            return format!("{scheme}://{host}{path}");
        }
    }
    url.to_owned()
}

/// The arguments as a shell would read them back.
fn shell_words(args: &[String]) -> String {
    args.iter()
        .map(|a| {
            let plain = !a.is_empty()
                && a.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_./=,:@%+".contains(c));
            if plain {
                a.clone()
            } else {
                format!("'{}'", a.replace('\'', "'\\''"))
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env_of<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn ci_systems_and_their_job_urls() {
        type Vars<'a> = &'a [(&'a str, &'a str)];
        let cases: [(Vars, &str, &str); 6] = [
            (
                &[
                    ("GITHUB_ACTIONS", "true"),
                    ("GITHUB_SERVER_URL", "https://github.com"),
                    ("GITHUB_REPOSITORY", "acme/sf"),
                    ("GITHUB_RUN_ID", "42"),
                    ("GITHUB_RUN_ATTEMPT", "2"),
                    ("GITHUB_ACTOR", "octocat"),
                ],
                "GitHub Actions",
                "https://github.com/acme/sf/actions/runs/42/attempts/2",
            ),
            (
                &[
                    ("GITLAB_CI", "true"),
                    ("CI_JOB_URL", "https://gitlab.example/acme/sf/-/jobs/7"),
                    ("GITLAB_USER_LOGIN", "jo"),
                ],
                "GitLab CI",
                "https://gitlab.example/acme/sf/-/jobs/7",
            ),
            (
                &[
                    ("JENKINS_URL", "https://ci.example/"),
                    ("BUILD_URL", "https://ci.example/job/sf/9/"),
                ],
                "Jenkins",
                "https://ci.example/job/sf/9/",
            ),
            (
                &[
                    ("TF_BUILD", "True"),
                    ("SYSTEM_COLLECTIONURI", "https://dev.azure.com/acme/"),
                    ("SYSTEM_TEAMPROJECT", "sf"),
                    ("BUILD_BUILDID", "5"),
                ],
                "Azure Pipelines",
                "https://dev.azure.com/acme/sf/_build/results?buildId=5",
            ),
            (
                &[
                    ("CIRCLECI", "true"),
                    ("CIRCLE_BUILD_URL", "https://circleci.com/gh/acme/sf/3"),
                ],
                "CircleCI",
                "https://circleci.com/gh/acme/sf/3",
            ),
            (
                &[
                    ("BITBUCKET_BUILD_NUMBER", "11"),
                    ("BITBUCKET_GIT_HTTP_ORIGIN", "http://bitbucket.org/acme/sf"),
                ],
                "Bitbucket Pipelines",
                "http://bitbucket.org/acme/sf/pipelines/results/11",
            ),
        ];
        for (vars, system, url) in cases {
            let by = ran_by(&env_of(vars));
            assert_eq!(by.ci.as_deref(), Some(system));
            assert_eq!(by.job_url.value.as_deref(), Some(url), "{system}");
        }
        let by = ran_by(&env_of(&[
            ("GITHUB_ACTIONS", "true"),
            ("GITHUB_ACTOR", "octocat"),
        ]));
        assert_eq!(by.user.text(), "octocat (the GitHub Actions actor)");
        assert_eq!(
            by.job_url.text(),
            "unknown: GitHub Actions does not give the job's URL"
        );
        let by = ran_by(&env_of(&[("USER", "ana")]));
        assert_eq!(by.ci, None);
        assert_eq!(by.user.text(), "ana (the OS user)");
        let by = ran_by(&env_of(&[]));
        assert_eq!(
            by.user.text(),
            "unknown: no USER, USERNAME or LOGNAME in the environment"
        );
    }

    #[test]
    fn the_clock_can_be_fixed() {
        let at = run_at(&env_of(&[("SOURCE_DATE_EPOCH", "1795000000")]));
        assert_eq!(
            at.value.as_deref(),
            Some("2026-11-18 11:06:40 +00:00 (UTC)")
        );
        let bad = run_at(&env_of(&[("SOURCE_DATE_EPOCH", "soon")]));
        assert_eq!(bad.value, None);
    }

    #[test]
    fn the_build_commit_is_read_from_the_version() {
        assert_eq!(
            commit_of_suffix(" (3f2a9c1b7d4e 2026-12-01)")
                .value
                .as_deref(),
            Some("3f2a9c1b7d4e")
        );
        assert_eq!(
            commit_of_suffix(" (abc123)").value.as_deref(),
            Some("abc123")
        );
        assert_eq!(commit_of_suffix("").value, None);
    }

    #[test]
    fn credentials_never_leave_a_url() {
        assert_eq!(
            without_credentials("https://x-access-token:ghs_secret@github.com/acme/sf.git"),
            "https://github.com/acme/sf.git"
        );
        assert_eq!(
            without_credentials("git@github.com:acme/sf.git"),
            "git@github.com:acme/sf.git"
        );
        assert_eq!(
            without_credentials("https://github.com/a@b"),
            "https://github.com/a@b"
        );
    }

    #[test]
    fn arguments_quote_like_a_shell() {
        let args = [
            "report".to_owned(),
            "my dir".to_owned(),
            "it's".to_owned(),
            "--format=json".to_owned(),
        ];
        assert_eq!(
            shell_words(&args),
            "report 'my dir' 'it'\\''s' --format=json"
        );
    }
}
