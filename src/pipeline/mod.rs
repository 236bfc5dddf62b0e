//! Loading and running, as `check`, `access` and the other commands do it:
//! config, discovery, parsing, the org snapshot, integrations, then the
//! rules. The command line builds the [`Options`], calls [`load`] and
//! prints what it returns; the benchmarks call the same code.

pub mod scope;

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use crate::config::{self, Config, ConfigErrors};
use crate::discover;
use crate::engine::Rule;
use crate::engine::{self, Context, Inputs, Outcome};
use crate::integration::Integrations;
use crate::model::{INTEGRATION_LICENSE, Org, profile_full_name_for_label};
use crate::orgdata::{self, Snapshot};
use crate::parse;
use crate::source::{FileError, FileId, Problem, Sources, Span};

use scope::Scope;

/// What to read, as the command line names it.
#[derive(Debug, Clone)]
pub struct Options {
    /// Files or directories, relative to the directory the run is in
    /// (empty: the project's package directories, or that directory).
    pub paths: Vec<PathBuf>,
    /// The minpriv.toml to use instead of looking for one.
    pub config: Option<PathBuf>,
    /// The org snapshot directory, in place of the config's `org-data`.
    pub org_data: Option<PathBuf>,
    /// Globs of files to skip, besides the config's.
    pub exclude: Vec<String>,
    pub use_forceignore: bool,
    /// Files larger than this many bytes are refused.
    pub max_file_size: u64,
    /// Whether to read a minpriv.toml at all (`init` writes one).
    pub read_config: bool,
    /// Files named bring their project along (`check FILE`), and
    /// [`Loaded::scope`] says which findings to report.
    pub in_context: bool,
    /// Use the per-file cache ([`crate::parse::cache`]) in the folder of
    /// minpriv.toml, or else in the run's directory.
    pub cache: bool,
    /// Keep each metadata file's SHA-256 as it is read
    /// ([`crate::source::SourceFile::sha256`]; the audit report lists them).
    pub digests: bool,
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
    /// What the org snapshot's import has to say, in order (not errors).
    pub notes: Vec<String>,
}

/// Why nothing was loaded: a usage or config error, to report before
/// exiting.
#[derive(Debug)]
pub enum LoadError {
    /// A bad argument or setting, in one sentence.
    Usage(String),
    /// The config at `path` is a link that resolves to `target`, outside
    /// the project.
    ConfigLink { path: PathBuf, target: PathBuf },
    /// The config at `path` is not valid.
    Config { path: PathBuf, errors: ConfigErrors },
}

/// `--select` / `--ignore` on top of the config's `[lint]`: the command
/// line's select replaces the config's, its ignore adds to it.
pub fn selected_rules(
    config: &Config,
    select: &[String],
    ignore: &[String],
) -> Result<Vec<&'static Rule>, String> {
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
    crate::rules::select(&select, &all_ignored)
        .map_err(|e| format!("{e}; use ALL, a code (NET001), a family (NET) or a rule name"))
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

/// Reads config, metadata, the org snapshot and integrations as if run in
/// `cwd` (absolute): paths, the config search and the paths shown are
/// relative to it. Touches no global state, so a process may load several
/// trees.
pub fn load(options: &Options, cwd: &Path) -> Result<Loaded, LoadError> {
    let cwd = cwd.to_path_buf();
    let start = discover::start_dir(&options.paths.first().map_or(cwd.clone(), |p| cwd.join(p)));
    let config_path = match &options.config {
        _ if !options.read_config => None,
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
        return Err(LoadError::ConfigLink {
            path: path.clone(),
            target,
        });
    }
    let config = match &config_path {
        Some(path) => {
            config::load(path, &crate::rules::NAMES).map_err(|errors| LoadError::Config {
                path: path.clone(),
                errors,
            })?
        }
        None => Config::default(),
    };
    if let (Some(path), Some(dir)) = (&config.path, &config.org_data)
        && options.org_data.is_none()
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
                errors: vec![Problem::new(
                    config.org_data_span.clone().map(Span::from),
                    "org-data names a directory outside the project; minpriv reads nothing outside it",
                )
                .with_help("keep the org snapshot inside the project, or name it with --org-data")],
            };
            return Err(LoadError::Config {
                path: path.clone(),
                errors,
            });
        }
    }

    let mut excludes = config.exclude.clone();
    excludes.extend(options.exclude.iter().cloned());
    let exclude_set = discover::compile_excludes(&excludes).map_err(LoadError::Usage)?;

    let mut sources = Sources::default();
    sources.set_limit(options.max_file_size);
    if options.digests {
        sources.keep_digests();
    }
    let config_file = config.path.as_ref().map(|p| sources.add(p.clone(), &cwd));
    // Files named: their whole project is loaded for context, its default
    // paths first (discovery skips a file found twice).
    let mut project_errors = vec![];
    let (paths, scope) = match scope::of(&options.paths, &cwd).filter(|_| options.in_context) {
        Some((named, scope)) => {
            let root = discover::project_root(&named[0]);
            let mut paths = discover::default_paths(&root, &mut sources, &cwd, &mut project_errors);
            paths.extend(named);
            (paths, scope)
        }
        None => (options.paths.clone(), None),
    };
    let walk = discover::Options {
        paths,
        excludes,
        use_forceignore: options.use_forceignore,
    };
    let discovery = discover::discover(&walk, &exclude_set, &cwd, &mut sources);
    let mut files = discovery.inputs.len();
    let mut errors = project_errors;
    errors.extend(discovery.errors);
    // Relative `org-data` in the config is already resolved against it.
    let org_data = options
        .org_data
        .as_ref()
        .map(|d| cwd.join(d))
        .or_else(|| config.org_data.clone());
    let mut notes = vec![];
    let snapshot = org_data.map(|dir| {
        let import = orgdata::import(&dir, &mut sources, &cwd, options.max_file_size.max(1));
        notes.extend(import.notes);
        files += import.snapshot.files.len();
        errors.extend(import.errors);
        import.snapshot
    });
    let keep = profiles_to_keep(&config, snapshot.as_ref());
    let cache = options.cache.then(|| {
        let root = config
            .path
            .as_deref()
            .and_then(Path::parent)
            .unwrap_or(&cwd);
        crate::parse::cache::Cache::open(root, options.max_file_size.max(1))
    });
    let (mut org, parse_errors) = parse::parse_all_cached(
        sources,
        &discovery.inputs,
        options.max_file_size.max(1),
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
        notes,
    })
}
