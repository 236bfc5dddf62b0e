//! `minpriv diff OLD NEW`: what a change gives each integration or takes
//! away. OLD and NEW are directories, each loaded as `minpriv check DIR`
//! loads it, or with `--git` two revisions of the current repository,
//! written to temporary directories by git itself. Both sides run every
//! rule with the same "today".

use std::path::{Component, Path, PathBuf};

use clap::{Args, ValueEnum};

use super::load::{InputArgs, Loaded, current_dir, load_in, set_threads};
use super::{EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS, fail};
use crate::diff::git::Repository;
use crate::diff::{self, Side};
use crate::engine::{Context, Outcome};
use crate::report::{self, terminal_safe};
use crate::{config, discover, rules};

#[derive(Args, Debug)]
#[command(
    long_about = "Show the change in effective access per integration between two trees, \
                        with the element that grants each gain (new side) or granted each loss \
                        (old side), and the findings that appear and disappear. OLD and NEW are \
                        directories, or with --git revisions of the repository in the current \
                        directory (read with git; the working tree is never used). PATHS \
                        restrict the check to those paths inside each tree."
)]
#[command(mut_arg("paths", |a| a.help(
    "Check only these paths inside each tree [default: each tree whole; with --git, \
     the project's package directories]"
)))]
pub struct DiffArgs {
    /// The old tree: a directory, or with --git a revision (origin/main).
    pub old: String,

    /// The new tree: a directory, or with --git a revision (HEAD).
    pub new: String,

    #[command(flatten)]
    pub input: InputArgs,

    /// Read OLD and NEW as git revisions of the current repository.
    #[arg(long)]
    pub git: bool,

    #[arg(long, value_enum, default_value_t = DiffFormat::Text)]
    pub format: DiffFormat,

    /// Write the delta to FILE instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Exit 1 when any integration gains access.
    #[arg(long)]
    pub fail_on_escalation: bool,

    /// Today's date for exception expiry on both sides, as YYYY-MM-DD [default: today].
    #[arg(long, value_name = "DATE", env = "MINPRIV_NOW")]
    pub now: Option<jiff::civil::Date>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    Text,
    Json,
    Markdown,
}

/// One side to load: where to pretend to run and what to check.
struct Tree {
    /// Which side, for messages.
    side: &'static str,
    label: String,
    commit: Option<String>,
    /// The directory paths are relative to and shown from.
    cwd: PathBuf,
    input: InputArgs,
    /// The temporary directory a revision was written to; removed on drop,
    /// after the delta is rendered (rendering reads the files again).
    temp: Option<tempfile::TempDir>,
}

pub fn run(args: DiffArgs, stdout_color: bool, stderr_color: bool) -> u8 {
    if let Err(code) = set_threads(&args.input) {
        return code;
    }
    let cwd = match current_dir() {
        Ok(cwd) => cwd,
        Err(code) => return code,
    };
    let mut input = args.input.clone();
    // One inventory and one org snapshot for both sides, when named: read
    // from the working tree.
    input.config = input.config.map(|c| cwd.join(c));
    input.org_data = input.org_data.map(|d| cwd.join(d));
    let trees = if args.git {
        git_trees(&args, &input, &cwd)
    } else {
        directory_trees(&args, &input, &cwd)
    };
    let [old_tree, new_tree] = match trees {
        Ok(trees) => trees,
        Err(message) => return fail(message),
    };

    let load = |tree: &Tree| {
        load_in(&tree.input, &tree.cwd, stderr_color, true).inspect_err(|_| {
            eprintln!(
                "minpriv: error: in the {} tree ({})",
                tree.side,
                terminal_safe(&tree.label)
            );
        })
    };
    let (old, new) = match (load(&old_tree), load(&new_tree)) {
        (Ok(old), Ok(new)) => (old, new),
        (Err(code), _) | (_, Err(code)) => return code,
    };

    let today = args
        .now
        .unwrap_or_else(|| jiff::ZonedDateTime::now().date());
    let rules = rules::select(&[], &[]).expect("ALL selects every rule");
    let (old_cx, old_outcome) = old.run_rules(&rules, today);
    let (new_cx, new_outcome) = new.run_rules(&rules, today);
    let delta = diff::compare(
        &side(&old_tree, &old, &old_cx, &old_outcome),
        &side(&new_tree, &new, &new_cx, &new_outcome),
    );

    let to_file = args.output.is_some();
    let rendered = match args.format {
        DiffFormat::Text => report::diff::text(&delta, stdout_color && !to_file),
        DiffFormat::Json => report::json_safe(report::diff::json(&delta)),
        DiffFormat::Markdown => report::diff::markdown(&delta),
    };
    if let Err(e) = report::emit(&rendered, args.output.as_deref()) {
        return fail(e);
    }
    for e in &delta.errors {
        let at = match (&e.file, e.line, e.column) {
            (Some(f), Some(l), Some(c)) => format!("{f}:{l}:{c}: "),
            (Some(f), _, _) => format!("{f}: "),
            _ => String::new(),
        };
        eprintln!(
            "minpriv: error: {} tree: {}{}",
            e.side,
            terminal_safe(&at),
            terminal_safe(&e.message)
        );
    }

    if !delta.errors.is_empty() {
        EXIT_ERROR
    } else if args.fail_on_escalation && delta.summary.escalation {
        EXIT_FINDINGS
    } else {
        EXIT_CLEAN
    }
}

fn side<'a>(
    tree: &'a Tree,
    loaded: &'a Loaded,
    cx: &'a Context<'a>,
    outcome: &'a Outcome,
) -> Side<'a> {
    Side::new(
        tree.label.clone(),
        tree.commit.clone(),
        &loaded.org,
        &loaded.integrations,
        &cx.access,
        &outcome.findings,
        loaded.files,
        &loaded.errors,
        &outcome.internal_errors,
        tree.temp.as_ref().map(tempfile::TempDir::path),
    )
}

/// Two directories, each checked whole (or at PATHS inside it).
fn directory_trees(args: &DiffArgs, input: &InputArgs, cwd: &Path) -> Result<[Tree; 2], String> {
    let tree = |side: &'static str, dir: &str| {
        let path = PathBuf::from(dir);
        if !cwd.join(&path).is_dir() {
            return Err(format!("{side} tree `{dir}` is not a directory"));
        }
        let mut input = input.clone();
        input.paths = if args.input.paths.is_empty() {
            vec![path]
        } else {
            args.input.paths.iter().map(|p| path.join(p)).collect()
        };
        Ok(Tree {
            side,
            label: dir.to_owned(),
            commit: None,
            cwd: cwd.to_path_buf(),
            input,
            temp: None,
        })
    };
    Ok([tree("old", &args.old)?, tree("new", &args.new)?])
}

/// Two revisions, each written to a temporary directory that stands in for
/// the repository root; paths are shown as from the current directory.
fn git_trees(args: &DiffArgs, input: &InputArgs, cwd: &Path) -> Result<[Tree; 2], String> {
    let repo = Repository::discover(cwd)?;
    let tree = |side: &'static str, revision: &str| {
        let commit = repo.commit(revision)?;
        let temp = tempfile::Builder::new()
            .prefix("minpriv-diff-")
            .tempdir()
            .map_err(|e| format!("cannot create a temporary directory: {e}"))?;
        repo.write_tree(&commit, temp.path())?;
        let side_cwd = temp.path().join(&repo.prefix);
        std::fs::create_dir_all(&side_cwd)
            .map_err(|e| format!("cannot create {}: {e}", side_cwd.display()))?;
        Ok::<_, String>(Tree {
            side,
            label: revision.to_owned(),
            commit: Some(commit),
            cwd: side_cwd,
            // The paths named, below, once both revisions are written.
            input: InputArgs {
                paths: vec![],
                ..input.clone()
            },
            temp: Some(temp),
        })
    };
    let mut trees = [tree("old", &args.old)?, tree("new", &args.new)?];
    for path in &args.input.paths {
        let rel = in_repository(path, &repo)?;
        let present: Vec<bool> = trees
            .iter()
            .map(|t| repo.has_path(t.commit.as_deref().unwrap_or_default(), &rel))
            .collect();
        if !present.contains(&true) {
            return Err(format!(
                "`{}` is in neither {} nor {}",
                path.display(),
                args.old,
                args.new
            ));
        }
        for tree in &mut trees {
            let root = tree.temp.as_ref().map_or(Path::new(""), |t| t.path());
            let inside = root.join(&rel);
            // Absent from this revision (or holding nothing minpriv reads):
            // an empty directory, so the side checks nothing there rather
            // than failing.
            if !inside.exists() {
                std::fs::create_dir_all(&inside)
                    .map_err(|e| format!("cannot create {}: {e}", inside.display()))?;
            }
            tree.input.paths.push(inside);
        }
    }
    if args.input.org_data.is_none() {
        for tree in &trees {
            write_snapshot(tree, &repo)?;
        }
    }
    Ok(trees)
}

/// The org snapshot that the inventory of a revision names (`org-data`),
/// written from that revision beside its metadata, so that each side reads
/// the snapshot committed with it. (`--org-data DIR` instead names one
/// snapshot in the working tree for both sides, as `--config` does.)
fn write_snapshot(tree: &Tree, repo: &Repository) -> Result<(), String> {
    let (Some(temp), Some(commit)) = (&tree.temp, &tree.commit) else {
        return Ok(());
    };
    if tree.input.config.is_some() {
        return Ok(());
    }
    let start = tree.input.paths.first().unwrap_or(&tree.cwd);
    let Some(config) = config::find(&discover::start_dir(start)) else {
        return Ok(());
    };
    // A broken inventory is reported when the side is loaded.
    let Some(dir) = config::load(&config, &rules::NAMES)
        .ok()
        .and_then(|c| c.org_data)
    else {
        return Ok(());
    };
    let Some(rel) = in_tree(&dir, temp.path()) else {
        return Ok(());
    };
    repo.write_snapshot(commit, &rel, temp.path())?;
    Ok(())
}

/// A path named on the command line as a path of the repository, from its
/// top, without `.` or `..`.
fn in_repository(path: &Path, repo: &Repository) -> Result<PathBuf, String> {
    let outside = || format!("`{}` is outside the repository", path.display());
    let relative = if path.is_absolute() {
        let top = repo
            .toplevel
            .canonicalize()
            .unwrap_or_else(|_| repo.toplevel.clone());
        let real = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
        real.strip_prefix(&top)
            .or_else(|_| path.strip_prefix(&repo.toplevel))
            .map_err(|_| outside())?
            .to_path_buf()
    } else {
        repo.prefix.join(path)
    };
    normalised(&relative).ok_or_else(outside)
}

/// `path` (an absolute path inside the tree written to `root`) as a path
/// from the top of that tree; `None` when it leads out of it.
fn in_tree(path: &Path, root: &Path) -> Option<PathBuf> {
    normalised(path.strip_prefix(root).ok()?)
}

/// A relative path without `.` or `..`; `None` when it climbs above its
/// start or is not relative.
fn normalised(relative: &Path) -> Option<PathBuf> {
    let mut clean = PathBuf::new();
    for part in relative.components() {
        match part {
            Component::Normal(p) => clean.push(p),
            Component::CurDir => {}
            Component::ParentDir => {
                if !clean.pop() {
                    return None;
                }
            }
            _ => return None,
        }
    }
    Some(clean)
}
