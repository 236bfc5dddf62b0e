//! What `check`, `access` and later commands share: the input options,
//! turned into [`pipeline::Options`], and the messages of loading them
//! ([`crate::pipeline`] does the loading).

use std::path::{Path, PathBuf};

use clap::Args;

use super::{EXIT_ERROR, fail};
use crate::config::Config;
use crate::discover;
use crate::engine::Rule;
use crate::pipeline::{self, LoadError};
use crate::report;
use crate::source::display_path;

pub use crate::pipeline::Loaded;

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
    let how = How {
        in_context: true,
        cache,
        ..How::default()
    };
    load_in_scope(args, &current_dir()?, stderr_color, how)
}

/// [`load`] for `report`: each file's SHA-256 is taken as it is read for
/// parsing (`SourceFile::sha256`), for the report's list of inputs.
pub fn load_with_digests(args: &InputArgs, stderr_color: bool) -> Result<Loaded, u8> {
    set_threads(args)?;
    let how = How {
        digests: true,
        ..How::default()
    };
    load_in_scope(args, &current_dir()?, stderr_color, how)
}

/// `--select` / `--ignore` on top of the config's `[lint]`: the command
/// line's select replaces the config's, its ignore adds to it.
pub fn selected_rules(
    config: &Config,
    select: &[String],
    ignore: &[String],
) -> Result<Vec<&'static Rule>, u8> {
    pipeline::selected_rules(config, select, ignore).map_err(fail)
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
    let how = How {
        read_config,
        ..How::default()
    };
    load_in_scope(args, cwd, stderr_color, how)
}

/// How a command loads, besides its input arguments.
struct How {
    /// Read a minpriv.toml at all (`init` writes one).
    read_config: bool,
    /// Files named bring their project along (`check FILE`).
    in_context: bool,
    /// The per-file cache (`crate::parse::cache`) in the folder of
    /// minpriv.toml, or else in the run's directory.
    cache: bool,
    /// Each file's SHA-256, taken while it is read.
    digests: bool,
}

impl Default for How {
    fn default() -> Self {
        How {
            read_config: true,
            in_context: false,
            cache: false,
            digests: false,
        }
    }
}

/// [`load_in`] as `how` says.
fn load_in_scope(args: &InputArgs, cwd: &Path, stderr_color: bool, how: How) -> Result<Loaded, u8> {
    let How {
        read_config,
        in_context,
        cache,
        digests,
    } = how;
    let options = pipeline::Options {
        paths: args.paths.clone(),
        config: args.config.clone(),
        org_data: args.org_data.clone(),
        exclude: args.exclude.clone(),
        use_forceignore: !args.no_forceignore,
        max_file_size: args.max_file_size,
        read_config,
        in_context,
        cache,
        digests,
    };
    let loaded = pipeline::load(&options, cwd).map_err(|e| report_error(e, cwd, stderr_color))?;
    for note in &loaded.notes {
        eprintln!("minpriv: note: {}", report::terminal_safe(note));
    }
    Ok(loaded)
}

/// Prints why nothing was loaded and returns the exit code.
fn report_error(error: LoadError, cwd: &Path, stderr_color: bool) -> u8 {
    match error {
        LoadError::Usage(message) => fail(message),
        LoadError::ConfigLink { path, target } => {
            eprintln!(
                "minpriv: error: {}: {}",
                report::terminal_safe(&display_path(&path, cwd)),
                report::terminal_safe(&discover::link_message(&target, "file"))
            );
            EXIT_ERROR
        }
        LoadError::Config { path, errors } => {
            let shown = display_path(&path, cwd);
            eprint!(
                "{}",
                report::text::render_config_errors(&errors, &shown, stderr_color)
            );
            EXIT_ERROR
        }
    }
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
