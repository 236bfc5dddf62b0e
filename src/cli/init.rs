//! `minpriv init`: writes the starter minpriv.toml that [`crate::init`]
//! drafts from the inputs. The draft is validated by the config parser
//! before it is written, and an existing file is never overwritten.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use clap::Args;

use super::load::{InputArgs, load_with};
use super::{EXIT_CLEAN, EXIT_ERROR, fail};
use crate::config::{self, CONFIG_FILE};
use crate::discover;
use crate::init::Draft;
use crate::parse::DEFAULT_MAX_FILE_SIZE;
use crate::report::terminal_safe;
use crate::source::display_path;

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
    let (entries, from_apps) = draft.integrations();
    eprintln!(
        "Wrote {shown}: {} ({} from apps, {} from the org snapshot){}. Every entry is a guess: review each one, then run `minpriv check`.",
        plural(entries, "integration", "integrations"),
        from_apps,
        entries - from_apps,
        match draft.unclaimed() {
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
