//! What `check`, `access` and later commands share: the input options and
//! the pipeline up to the effective access — config, discovery, parsing,
//! the org snapshot, integrations.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use clap::Args;

use super::scope::{self, Scope};
use super::{EXIT_ERROR, fail};
use crate::config::{self, Config};
use crate::discover::{self, Options};
use crate::engine::Rule;
use crate::engine::{self, Context, Inputs, Outcome};
use crate::integration::Integrations;
use crate::model::{INTEGRATION_LICENSE, Org, profile_full_name_for_label};
use crate::orgdata::{self, Snapshot};
use crate::parse;
use crate::report;
use crate::rules;
use crate::source::{FileError, FileId, Sources, display_path};

#[derive(Args, Debug, Clone)]
pub struct InputArgs {
    /// Files or directories to check [default: the project's package
    /// directories from sfdx-project.json, or the current directory].
    pub paths: Vec<PathBuf>,

    /// Use this minpriv.toml instead of looking for one.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Org snapshot: a directory of `sf data query` exports (JSON or CSV)
    /// of users and their assignments [default: org-data in minpriv.toml].
    #[arg(long, value_name = "DIR")]
    pub org_data: Option<PathBuf>,

    /// Skip files matching this glob (repeatable; also applies to files named explicitly).
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,

    /// Check files that .forceignore lists too.
    #[arg(long)]
    pub no_forceignore: bool,

    /// Worker threads [default: one per core; at most four per core, and
    /// at least 16 are allowed].
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,

    /// Refuse files larger than this many bytes (suffixes K, M, G, KiB, MiB, GiB).
    #[arg(long, value_name = "SIZE", value_parser = parse_size, default_value = "256MiB")]
    pub max_file_size: u64,
}

/// Everything read from the inputs.
pub struct Loaded {
    pub config: Config,
    pub org: Org,
    pub integrations: Integrations,
    /// The metadata files read, in discovery order (the config is not
    /// one of them).
    pub checked: Vec<FileId>,
    /// The org snapshot, when one was named.
    pub snapshot: Option<Snapshot>,
    /// Metadata and snapshot files read (the config is not counted).
    pub files: usize,
    /// Inputs that could not be read, sorted by file and position.
    pub errors: Vec<FileError>,
    /// When files were named: the project was loaded for context, and only
    /// the findings located in the named paths are to be reported.
    pub scope: Option<Scope>,
}

/// Reads config, metadata, the org snapshot and integrations. On a usage
/// or config error, reports it and returns the exit code.
pub fn load(args: &InputArgs, stderr_color: bool) -> Result<Loaded, u8> {
    load_with(args, stderr_color, true)
}

/// [`load`], optionally without any minpriv.toml (`init` writes one).
pub(super) fn load_with(
    args: &InputArgs,
    stderr_color: bool,
    read_config: bool,
) -> Result<Loaded, u8> {
    set_threads(args)?;
    load_in(args, &current_dir()?, stderr_color, read_config)
}

/// [`load`] for `check`: files named are checked in the context of their
/// whole project, and [`Loaded::scope`] says which findings to report.
pub fn load_in_context(args: &InputArgs, stderr_color: bool, cache: bool) -> Result<Loaded, u8> {
    set_threads(args)?;
    load_in_scope(args, &current_dir()?, stderr_color, true, true, cache)
}

/// `--select` / `--ignore` on top of the config's `[lint]`: the command
/// line's select replaces the config's, its ignore adds to it.
pub fn selected_rules(
    config: &Config,
    select: &[String],
    ignore: &[String],
) -> Result<Vec<&'static Rule>, u8> {
    let select: Vec<String> = if select.is_empty() {
        config
            .lint
            .select
            .iter()
            .map(|s| s.get_ref().clone())
            .collect()
    } else {
        select.to_vec()
    };
    let mut all_ignored: Vec<String> = config
        .lint
        .ignore
        .iter()
        .map(|s| s.get_ref().clone())
        .collect();
    all_ignored.extend(ignore.iter().cloned());
    rules::select(&select, &all_ignored).map_err(|e| {
        fail(format_args!(
            "{e}; use ALL, a code (NET001), a family (NET) or a rule name"
        ))
    })
}

impl Loaded {
    /// The rule context (effective access computed) and the outcome of
    /// running `rules` on what was loaded.
    pub fn run_rules(
        &self,
        rules: &[&'static Rule],
        today: jiff::civil::Date,
    ) -> (Context<'_>, Outcome) {
        let snapshot = self.snapshot.as_ref();
        let cx = Context::new(&self.org, &self.config, &self.integrations, today)
            .with_snapshot(snapshot);
        let outcome = engine::run(
            &cx,
            rules,
            Inputs {
                has_org_data: snapshot.is_some_and(|s| s.has_users()),
                has_usage_logs: snapshot.is_some_and(|s| s.usage.has_logs()),
                usage_window: snapshot.and_then(|s| s.usage.calls),
            },
        );
        (cx, outcome)
    }
}

/// The profiles whose object and field permissions the run needs besides
/// those the files mark as integration profiles: those the inventory names,
/// and those the snapshot assigns to users that are declared, that apps run
/// as, or that are on the Salesforce Integration licence. Names and labels,
/// lowercase.
fn profiles_to_keep<'a>(
    config: &'a Config,
    snapshot: Option<&'a Snapshot>,
) -> parse::ProfileFilter<'a> {
    Box::new(move |run_as: &[&str]| {
        let mut keep = HashSet::new();
        let mut add = |name: &str| {
            keep.insert(name.to_lowercase());
            if let Some(full) = profile_full_name_for_label(name) {
                keep.insert(full.to_lowercase());
            }
        };
        for decl in &config.integrations {
            if let Some(profile) = &decl.profile {
                add(profile.get_ref());
            }
        }
        if let Some(snapshot) = snapshot {
            let users: HashSet<String> = config
                .integrations
                .iter()
                .map(|d| orgdata::user_key(d.user.get_ref()))
                .chain(run_as.iter().map(|u| orgdata::user_key(u)))
                .collect();
            for user in &snapshot.users {
                let integration_user = users.contains(&orgdata::user_key(&user.username.value))
                    || user.licence.value.as_deref() == Some(INTEGRATION_LICENSE);
                if let (true, Some(profile)) = (integration_user, user.profile.value.as_deref()) {
                    add(profile);
                }
            }
        }
        keep
    })
}

/// Sizes the global rayon pool from `--threads`. Only the first call in a
/// process sets it; later calls (tests, `diff` loading twice) keep it.
pub fn set_threads(args: &InputArgs) -> Result<(), u8> {
    if let Some(n) = args.threads {
        if n == 0 {
            return Err(fail("--threads must be at least 1"));
        }
        // More threads than cores only costs: each needs a stack, and
        // `--threads 100000` would spend a minute starting them.
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let n = n.min(max_threads(cores));
        let _ = rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build_global();
    }
    Ok(())
}

/// The most worker threads `--threads` gets: four per core, at least 16.
pub fn max_threads(cores: usize) -> usize {
    cores.saturating_mul(4).max(16)
}

pub fn current_dir() -> Result<PathBuf, u8> {
    std::env::current_dir()
        .and_then(std::path::absolute)
        .map_err(|e| fail(format_args!("cannot read the current directory: {e}")))
}

/// [`load`] as if run in `cwd` (absolute): paths, the config search and the
/// paths shown are relative to it. Touches no global state, so a process
/// may load several trees.
pub fn load_in(
    args: &InputArgs,
    cwd: &Path,
    stderr_color: bool,
    read_config: bool,
) -> Result<Loaded, u8> {
    load_in_scope(args, cwd, stderr_color, read_config, false, false)
}

/// [`load_in`]; with `in_context`, files named bring their project along
/// (`check FILE`, SPEC §5); with `cache`, the per-file cache
/// (`crate::parse::cache`) in the folder of minpriv.toml, or else in `cwd`.
fn load_in_scope(
    args: &InputArgs,
    cwd: &Path,
    stderr_color: bool,
    read_config: bool,
    in_context: bool,
    cache: bool,
) -> Result<Loaded, u8> {
    let cwd = cwd.to_path_buf();
    let start = discover::start_dir(&args.paths.first().map_or(cwd.clone(), |p| cwd.join(p)));
    let config_path = match &args.config {
        _ if !read_config => None,
        Some(path) => Some(cwd.join(path)),
        None => config::find(&start),
    };
    let project_root = discover::project_root(&start);
    let bounds = |path: &Path| {
        let mut bounds: Vec<PathBuf> = std::fs::canonicalize(&project_root).into_iter().collect();
        if let Some(parent) = path.parent() {
            bounds.extend(std::fs::canonicalize(parent));
        }
        bounds
    };
    if let Some(path) = &config_path
        && path.symlink_metadata().is_ok_and(|m| m.is_symlink())
        && let Err(target) = discover::resolves_inside(path, &bounds(path))
    {
        eprintln!(
            "minpriv: error: {}: {}",
            report::terminal_safe(&display_path(path, &cwd)),
            report::terminal_safe(&discover::link_message(&target, "file"))
        );
        return Err(EXIT_ERROR);
    }
    let config = match &config_path {
        Some(path) => config::load(path, &rules::NAMES).map_err(|errors| {
            let shown = display_path(path, &cwd);
            eprint!(
                "{}",
                report::text::render_config_errors(&errors, &shown, stderr_color)
            );
            EXIT_ERROR
        })?,
        None => Config::default(),
    };
    if let (Some(path), Some(dir)) = (&config.path, &config.org_data)
        && args.org_data.is_none()
    {
        // The inventory may come with the change under review: the
        // snapshot it names must lie inside the project.
        let lexically_out = config
            .org_data_span
            .as_ref()
            .and_then(|span| config.text.get(span.clone()))
            .is_some_and(|raw| {
                let raw = raw.trim_matches(['"', '\'']);
                Path::new(raw).is_absolute()
                    || Path::new(raw)
                        .components()
                        .any(|c| c == std::path::Component::ParentDir)
            });
        let bounds: Vec<PathBuf> = std::fs::canonicalize(&project_root).into_iter().collect();
        if lexically_out || discover::resolves_inside(dir, &bounds).is_err() {
            let errors = config::ConfigErrors {
                path: path.clone(),
                text: config.text.clone(),
                errors: vec![config::ConfigError {
                    span: config.org_data_span.clone(),
                    message: "org-data names a directory outside the project; minpriv reads nothing outside it".into(),
                    help: Some("keep the org snapshot inside the project, or name it with --org-data".into()),
                }],
            };
            let shown = display_path(path, &cwd);
            eprint!(
                "{}",
                report::text::render_config_errors(&errors, &shown, stderr_color)
            );
            return Err(EXIT_ERROR);
        }
    }

    let mut excludes = config.exclude.clone();
    excludes.extend(args.exclude.iter().cloned());
    let exclude_set = discover::compile_excludes(&excludes).map_err(fail)?;

    let mut sources = Sources::default();
    sources.set_limit(args.max_file_size);
    let config_file = config.path.as_ref().map(|p| sources.add(p.clone(), &cwd));
    // Files named: their whole project is loaded for context, its default
    // paths first (discovery skips a file found twice).
    let mut project_errors = vec![];
    let (paths, scope) = match scope::of(&args.paths, &cwd).filter(|_| in_context) {
        Some((named, scope)) => {
            let root = discover::project_root(&named[0]);
            let mut paths = discover::default_paths(&root, &mut sources, &cwd, &mut project_errors);
            paths.extend(named);
            (paths, scope)
        }
        None => (args.paths.clone(), None),
    };
    let options = Options {
        paths,
        excludes,
        use_forceignore: !args.no_forceignore,
    };
    let discovery = discover::discover(&options, &exclude_set, &cwd, &mut sources);
    let mut files = discovery.inputs.len();
    let mut errors = project_errors;
    errors.extend(discovery.errors);
    // Relative `org-data` in the config is already resolved against it.
    let org_data = args
        .org_data
        .as_ref()
        .map(|d| cwd.join(d))
        .or_else(|| config.org_data.clone());
    let snapshot = org_data.map(|dir| {
        let import = orgdata::import(&dir, &mut sources, &cwd, args.max_file_size.max(1));
        for note in &import.notes {
            eprintln!("minpriv: note: {}", report::terminal_safe(note));
        }
        files += import.snapshot.files.len();
        errors.extend(import.errors);
        import.snapshot
    });
    let keep = profiles_to_keep(&config, snapshot.as_ref());
    let cache = cache.then(|| {
        let root = config
            .path
            .as_deref()
            .and_then(Path::parent)
            .unwrap_or(&cwd);
        crate::parse::cache::Cache::open(root, args.max_file_size.max(1))
    });
    let (mut org, parse_errors) = parse::parse_all_cached(
        sources,
        &discovery.inputs,
        args.max_file_size.max(1),
        Some(keep),
        cache,
    );
    org.hidden_by_forceignore = discovery.hidden.clone();
    let integrations = Integrations::resolve_with(&org, &config, config_file, snapshot.as_ref());
    for (p, users) in integrations.profiles() {
        let profile = &org.profiles[p];
        if profile.pruned && !users.is_empty() {
            // The filter below must name every profile an integration can
            // use; a miss would silently drop access.
            errors.push(FileError::whole(
                profile.header.file,
                "internal error: this integration profile's permissions were not kept; this is a bug in minpriv, please report it",
            ));
        }
    }

    errors.extend(parse_errors);
    errors.sort_by(|a, b| {
        (org.sources.get(a.file).display.as_str(), a.span)
            .cmp(&(org.sources.get(b.file).display.as_str(), b.span))
    });
    errors.dedup();
    Ok(Loaded {
        config,
        org,
        integrations,
        checked: discovery.inputs.iter().map(|i| i.file).collect(),
        snapshot,
        files,
        errors,
        scope,
    })
}

fn parse_size(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: u64 = number
        .parse()
        .map_err(|_| format!("`{text}` is not a size"))?;
    let factor: u64 = match unit.trim() {
        "" | "B" => 1,
        "K" | "KB" => 1000,
        "KiB" => 1 << 10,
        "M" | "MB" => 1_000_000,
        "MiB" => 1 << 20,
        "G" | "GB" => 1_000_000_000,
        "GiB" => 1 << 30,
        other => return Err(format!("unknown size unit `{other}`")),
    };
    number
        .checked_mul(factor)
        .ok_or_else(|| format!("`{text}` is too large"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_take_units() {
        assert_eq!(parse_size("256MiB"), Ok(256 << 20));
        assert_eq!(parse_size("10K"), Ok(10_000));
        assert_eq!(parse_size("7"), Ok(7));
        assert!(parse_size("7 parsecs").is_err());
    }
}
