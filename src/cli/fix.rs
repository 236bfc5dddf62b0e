//! `minpriv fix [PATHS]... [--integration NAME]... [--write]` (README, "Fixing"):
//! the plan and a unified diff of every file, or with `--write` the files
//! themselves. Refuses, with nothing written, when any input has errors.

use std::path::PathBuf;

use clap::Args;
use similar::TextDiff;

use super::load::{InputArgs, current_dir, load};
use super::{EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS, fail};
use crate::fix::{self, Inputs, Plan};
use crate::report::{self, terminal_safe};
use crate::source::{Loc, Texts};

#[derive(Args, Debug)]
#[command(
    long_about = "Turn the findings into the metadata of the setup the practice asks for: per \
                  integration a dedicated API-only profile with its login IP ranges, its access \
                  in a <Name>_Access permission set (within the contract), its permission sets \
                  bundled into a group with a muting set, its OAuth apps tightened, and \
                  minpriv.toml updated. Without --write, prints the plan and a unified diff and \
                  exits 1 when something would change. Never grants access."
)]
pub struct FixArgs {
    #[command(flatten)]
    pub input: InputArgs,

    /// Fix only this integration (repeatable) [default: every declared one].
    #[arg(long = "integration", value_name = "NAME")]
    pub integrations: Vec<String>,

    /// Write the files (each atomically) instead of showing the diff.
    #[arg(long)]
    pub write: bool,
}

pub fn run(args: FixArgs, stderr_color: bool) -> u8 {
    let loaded = match load(&args.input, stderr_color) {
        Ok(loaded) => loaded,
        Err(code) => return code,
    };
    if !loaded.errors.is_empty() {
        let mut texts = Texts::default();
        for e in &loaded.errors {
            let file = loaded.org.sources.get(e.file).display.clone();
            let at = match e.span {
                Some(span) => {
                    let (line, column, _, _) =
                        texts.position(&loaded.org.sources, Loc { file: e.file, span });
                    format!("{file}:{line}:{column}")
                }
                None => file,
            };
            eprintln!(
                "minpriv: error: {}: {}",
                terminal_safe(&at),
                terminal_safe(&e.message)
            );
        }
        return fail(format_args!(
            "fix works only on inputs that all read: {} error{} above; nothing written",
            loaded.errors.len(),
            if loaded.errors.len() == 1 { "" } else { "s" }
        ));
    }
    let cwd = match current_dir() {
        Ok(cwd) => cwd,
        Err(code) => return code,
    };
    let roots: Vec<PathBuf> = if args.input.paths.is_empty() {
        vec![
            loaded
                .config
                .path
                .as_ref()
                .and_then(|p| p.parent())
                .map_or(cwd.clone(), |d| d.to_path_buf()),
        ]
    } else {
        args.input.paths.iter().map(|p| cwd.join(p)).collect()
    };
    let inputs = Inputs {
        org: &loaded.org,
        config: &loaded.config,
        integrations: &loaded.integrations,
        cwd: &cwd,
        roots,
    };
    let plan = match fix::plan(&inputs, &args.integrations) {
        Ok(plan) => plan,
        Err(e) => return fail(terminal_safe(&e.0)),
    };
    print!("{}", render_plan(&plan, args.write));
    if !args.write {
        print!("{}", render_diff(&plan));
        return if plan.files.is_empty() {
            EXIT_CLEAN
        } else {
            EXIT_FINDINGS
        };
    }
    for file in &plan.files {
        let written = file
            .path
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| report::write_atomic(&file.path, file.new.as_bytes()));
        if let Err(e) = written {
            eprintln!(
                "minpriv: error: cannot write {}: {e}",
                terminal_safe(&file.display)
            );
            return EXIT_ERROR;
        }
    }
    eprintln!(
        "minpriv: wrote {} file{}",
        plan.files.len(),
        if plan.files.len() == 1 { "" } else { "s" }
    );
    EXIT_CLEAN
}

/// The plan as text: per integration what changes, what is left, the
/// next steps; then the pitfalls avoided and the deploy command.
pub fn render_plan(plan: &Plan, written: bool) -> String {
    let mut out = String::new();
    let changing = plan
        .integrations
        .iter()
        .filter(|i| !i.actions.is_empty())
        .count();
    if plan.files.is_empty() {
        out.push_str("minpriv fix: nothing to change");
        if !plan.integrations.is_empty() {
            out.push_str(&format!(
                " ({} integration{} already in shape)",
                plan.integrations.len(),
                if plan.integrations.len() == 1 {
                    ""
                } else {
                    "s"
                }
            ));
        }
        out.push('\n');
    } else {
        out.push_str(&format!(
            "minpriv fix: {changing} integration{} to fix, {} file{} {}\n",
            if changing == 1 { "" } else { "s" },
            plan.files.len(),
            if plan.files.len() == 1 { "" } else { "s" },
            if written { "written" } else { "to write" }
        ));
    }
    for integration in &plan.integrations {
        if integration.actions.is_empty() && integration.remaining.is_empty() {
            continue;
        }
        out.push('\n');
        out.push_str(&terminal_safe(&integration.name));
        if let Some(user) = &integration.user {
            out.push_str(&format!(" ({})", terminal_safe(user)));
        }
        out.push('\n');
        // Every line may hold names from the inputs.
        for action in &integration.actions {
            out.push_str(&format!("  - {}\n", terminal_safe(action)));
        }
        for left in &integration.remaining {
            out.push_str(&format!("  ! not fixed: {}\n", terminal_safe(left)));
        }
    }
    if !plan.skipped.is_empty() {
        out.push_str("\nNot fixed:\n");
        for (name, why) in &plan.skipped {
            out.push_str(&format!(
                "  {}: {}\n",
                terminal_safe(name),
                terminal_safe(why)
            ));
        }
    }
    if !plan.files.is_empty() {
        out.push_str(&format!(
            "\nFiles {}:\n",
            if written { "written" } else { "to write" }
        ));
        for file in &plan.files {
            let verb = if file.old.is_some() {
                "change"
            } else {
                "create"
            };
            out.push_str(&format!("  {verb} {}\n", terminal_safe(&file.display)));
        }
        out.push_str("\nNext steps:\n");
        let mut n = 0;
        let mut step = |text: String, out: &mut String| {
            n += 1;
            out.push_str(&format!("  {n}. {text}\n"));
        };
        let flag = if plan.mdapi {
            "--metadata-dir"
        } else {
            "--source-dir"
        };
        let dirs: Vec<String> = plan
            .deploy_dirs
            .iter()
            .map(|d| format!("{flag} \"{}\"", terminal_safe(d)))
            .collect();
        step(
            format!(
                "deploy to a sandbox first, as a check: `sf project deploy start {} --dry-run --target-org <sandbox>`, then without --dry-run",
                dirs.join(" ")
            ),
            &mut out,
        );
        let manifest = plan.files.iter().any(|f| f.path.ends_with("package.xml"));
        if plan.mdapi && !manifest && plan.files.iter().any(|f| f.old.is_none()) {
            step(
                "list the created components in package.xml: a Metadata API deploy takes only what it lists".to_owned(),
                &mut out,
            );
        }
        for integration in &plan.integrations {
            for next in &integration.next_steps {
                step(
                    format!(
                        "{}: {}",
                        terminal_safe(&integration.name),
                        terminal_safe(next)
                    ),
                    &mut out,
                );
            }
        }
        step(
            "run `minpriv check` and `minpriv fix` again: fix should find nothing left to change"
                .to_owned(),
            &mut out,
        );
    }
    if !plan.pitfalls.is_empty() {
        out.push_str("\nPitfalls avoided:\n");
        for pitfall in &plan.pitfalls {
            out.push_str(&format!("  - {}\n", terminal_safe(pitfall)));
        }
    }
    out
}

/// A unified diff of every file of the plan (`/dev/null` for new files).
pub fn render_diff(plan: &Plan) -> String {
    let mut out = String::new();
    for file in &plan.files {
        let shown = terminal_safe(&file.display);
        let old = file.old.as_deref().unwrap_or("");
        let (a, b) = match file.old {
            Some(_) => (format!("a/{shown}"), format!("b/{shown}")),
            None => ("/dev/null".to_owned(), format!("b/{shown}")),
        };
        let diff = TextDiff::from_lines(old, file.new.as_str());
        out.push('\n');
        out.push_str(&crate::source::neutralise_controls(
            &diff
                .unified_diff()
                .context_radius(3)
                .header(&a, &b)
                .to_string(),
        ));
    }
    out
}
