//! `minpriv report`: the audit report (README, "Audit report") — the same pipeline as
//! `check`, laid out for a security review as one HTML file or Markdown.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::load::{InputArgs, Loaded, load_with_digests, selected_rules};
use super::{EXIT_CLEAN, EXIT_ERROR, fail};
use crate::engine::Rule;
use crate::report::audit::{self, AuditInput, ProvenanceInput};
use crate::report::{self, Run, Summary, terminal_safe};
use crate::rules;

#[derive(Args, Debug)]
pub struct ReportArgs {
    #[command(flatten)]
    pub input: InputArgs,

    /// Report format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Html)]
    pub format: ReportFormat,

    /// Write the report to FILE (atomically) instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Rules to run: ALL, codes, families or names (replaces [lint] select).
    #[arg(long, value_delimiter = ',', value_name = "RULE")]
    pub select: Vec<String>,

    /// Rules not to run (added to [lint] ignore).
    #[arg(long, value_delimiter = ',', value_name = "RULE")]
    pub ignore: Vec<String>,

    /// The report's date, also "today" for exception expiry, as YYYY-MM-DD
    /// [default: today].
    #[arg(long, value_name = "DATE", env = "MINPRIV_NOW")]
    pub now: Option<jiff::civil::Date>,

    /// Print nothing on standard error but errors.
    #[arg(short, long)]
    pub quiet: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// One self-contained HTML file: inline styles, no fetches, printable.
    Html,
    /// GitHub-flavoured Markdown.
    Markdown,
    /// The same content as JSON, versioned like the findings JSON.
    Json,
}

/// Exit code 0 when the report is written and every input was checked; 2
/// when an input could not be checked (the report is still written and
/// lists it) or on a usage or config error. Findings do not fail it: the
/// report records them, `check` gates on them.
pub fn run(args: ReportArgs, stderr_color: bool) -> u8 {
    audit::provenance::start_binary_digest(&audit::provenance::process_env);
    let loaded = match load_with_digests(&args.input, stderr_color) {
        Ok(loaded) => loaded,
        Err(code) => return code,
    };
    let Loaded {
        config,
        org,
        integrations,
        checked,
        errors,
        files,
        ..
    } = &loaded;
    let rules = match selected_rules(config, &args.select, &args.ignore) {
        Ok(rules) => rules,
        Err(code) => return code,
    };
    let today = args
        .now
        .unwrap_or_else(|| jiff::ZonedDateTime::now().date());
    let (cx, outcome) = loaded.run_rules(&rules, today);
    let summary = Summary::of(
        *files,
        integrations.list.len(),
        rules.len(),
        &outcome,
        &outcome.findings,
        0,
    );
    let run = Run {
        sources: &org.sources,
        rules: &rules,
        checked,
        findings: &outcome.findings,
        errors,
        internal_errors: &outcome.internal_errors,
        summary,
    };

    let provenance = audit::provenance::gather(&ProvenanceInput {
        examined: checked
            .iter()
            .map(|&f| org.sources.get(f).path.clone())
            .collect(),
        snapshot_files: loaded.snapshot.as_ref().map(|s| {
            s.files
                .iter()
                .map(|&f| org.sources.get(f).path.clone())
                .collect()
        }),
        newest_login: loaded
            .snapshot
            .as_ref()
            .and_then(|s| s.users.iter().filter_map(|u| u.last_login.value).max()),
        command: content_options(std::env::args().skip(1)),
        rules_selected: rules.iter().map(|r| r.code().to_owned()).collect(),
        selection: selection(&args, &rules),
        env: &audit::provenance::process_env,
    });
    let audit = audit::build(&AuditInput {
        run: &run,
        cx: &cx,
        outcome: &outcome,
        provenance,
    });
    let rendered = match args.format {
        ReportFormat::Html => audit::render_html(&audit),
        ReportFormat::Markdown => audit::render_markdown(&audit),
        ReportFormat::Json => audit::render_json(&audit),
    };
    if let Err(e) = report::emit(&rendered, args.output.as_deref()) {
        return fail(e);
    }

    for e in errors {
        eprintln!(
            "minpriv: error: {}: {}",
            terminal_safe(&org.sources.get(e.file).display),
            terminal_safe(&e.message)
        );
    }
    for e in &outcome.internal_errors {
        eprintln!("minpriv: error: {}", terminal_safe(e));
    }
    if !args.quiet
        && let Some(path) = &args.output
    {
        let s = &audit.summary;
        eprintln!(
            "Wrote the audit report to {} ({} integrations, {} files): {} errors, {} warnings, {} info, {} hidden by exceptions",
            terminal_safe(&path.display().to_string()),
            s.integrations,
            s.files,
            s.errors,
            s.warnings,
            s.infos,
            s.suppressed
        );
    }
    if run.failed() { EXIT_ERROR } else { EXIT_CLEAN }
}

/// The rule selection as a sentence: how many rules, which options chose
/// them, which were left out.
fn selection(args: &ReportArgs, rules: &[&'static Rule]) -> String {
    let all = rules::all();
    let mut text = if rules.len() == all.len() {
        format!("all {} rules of the catalogue", all.len())
    } else {
        format!("{} of {} rules", rules.len(), all.len())
    };
    if !args.select.is_empty() {
        text.push_str(&format!("; --select {}", args.select.join(",")));
    }
    if !args.ignore.is_empty() {
        text.push_str(&format!("; --ignore {}", args.ignore.join(",")));
    }
    let left_out: Vec<&str> = all
        .iter()
        .filter(|r| !rules.iter().any(|s| s.code() == r.code()))
        .map(|r| r.code())
        .collect();
    if !left_out.is_empty() {
        text.push_str(&format!("; not selected: {}", left_out.join(", ")));
    }
    text
}

/// The command line as the report records it: without the options that
/// choose how the report is laid out or written rather than what it says
/// (`--format`, `--output`, `--quiet`, `--threads`), so that every format
/// of one run carries the same content and digest.
fn content_options(args: impl Iterator<Item = String>) -> Vec<String> {
    const WITH_VALUE: [&str; 4] = ["--format", "--output", "-o", "--threads"];
    const FLAGS: [&str; 2] = ["--quiet", "-q"];
    let mut out = vec![];
    let mut args = args.peekable();
    while let Some(arg) = args.next() {
        if arg == "--" {
            out.push(arg);
            out.extend(args);
            break;
        }
        if WITH_VALUE.contains(&arg.as_str()) {
            args.next();
            continue;
        }
        let joined = ["--format=", "--output=", "--threads="]
            .iter()
            .any(|p| arg.starts_with(p))
            || (arg.starts_with("-o") && !arg.starts_with("--"));
        if joined || FLAGS.contains(&arg.as_str()) {
            continue;
        }
        out.push(arg);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_options_are_left_out_of_the_recorded_command() {
        fn args(s: &str) -> impl Iterator<Item = String> + '_ {
            s.split(' ').map(str::to_owned)
        }
        assert_eq!(
            content_options(args(
                "report testdata/acme --format html -o out.html --threads 4 -q --select NET"
            )),
            ["report", "testdata/acme", "--select", "NET"]
        );
        assert_eq!(
            content_options(args(
                "report --format=json --output=x -ox --threads=2 --now 2026-11-27"
            )),
            ["report", "--now", "2026-11-27"]
        );
        assert_eq!(
            content_options(args("report -- -o")),
            ["report", "--", "-o"]
        );
    }
}
