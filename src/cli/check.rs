//! `minpriv check`: discover → parse → resolve integrations → run rules →
//! report.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use clap::{Args, ValueEnum};

use super::load::{InputArgs, Loaded, load};
use super::{EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS, fail};
use crate::config::FailOn;
use crate::engine::{self, Context, Inputs};
use crate::report::{self, Run, Summary, Texts};

#[derive(Args, Debug)]
pub struct CheckArgs {
    #[command(flatten)]
    pub input: InputArgs,

    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,

    /// Write the report to FILE instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Rules to run: ALL, codes, families or names (replaces [lint] select).
    #[arg(long, value_delimiter = ',', value_name = "RULE")]
    pub select: Vec<String>,

    /// Rules not to run (added to [lint] ignore).
    #[arg(long, value_delimiter = ',', value_name = "RULE")]
    pub ignore: Vec<String>,

    /// Lowest severity that makes the exit code 1 [default: [lint] fail-on, or error].
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,

    /// Print no closing summary line.
    #[arg(short, long)]
    pub quiet: bool,

    /// Print the number of findings per rule on standard error.
    #[arg(long)]
    pub statistics: bool,

    /// Today's date for exception expiry and stale logins, as YYYY-MM-DD [default: today].
    #[arg(long, value_name = "DATE", env = "MINPRIV_NOW")]
    pub now: Option<jiff::civil::Date>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
}

pub fn run(args: CheckArgs, stdout_color: bool, stderr_color: bool) -> u8 {
    let started = Instant::now();
    let loaded = match load(&args.input, stderr_color) {
        Ok(loaded) => loaded,
        Err(code) => return code,
    };
    let Loaded {
        config,
        org,
        integrations,
        files,
        errors,
        ..
    } = &loaded;
    let select: Vec<String> = if args.select.is_empty() {
        config
            .lint
            .select
            .iter()
            .map(|s| s.get_ref().clone())
            .collect()
    } else {
        args.select.clone()
    };
    let mut ignore: Vec<String> = config
        .lint
        .ignore
        .iter()
        .map(|s| s.get_ref().clone())
        .collect();
    ignore.extend(args.ignore.iter().cloned());
    let rules = match engine::select(&select, &ignore) {
        Ok(rules) => rules,
        Err(e) => {
            return fail(format_args!(
                "{e}; use ALL, a code (NET001), a family (NET) or a rule name"
            ));
        }
    };
    let fail_on = args.fail_on.unwrap_or(config.lint.fail_on);
    let today = args
        .now
        .unwrap_or_else(|| jiff::ZonedDateTime::now().date());
    let snapshot = loaded.snapshot.as_ref();
    let cx = Context::new(org, config, integrations, today).with_snapshot(snapshot);
    let outcome = engine::run(
        &cx,
        &rules,
        Inputs {
            has_org_data: snapshot.is_some_and(|s| s.has_users()),
        },
    );

    let mut summary = Summary {
        files: *files,
        integrations: integrations.list.len(),
        rules: rules.len() - outcome.not_evaluated.len(),
        suppressed: outcome.suppressed,
        ..Summary::default()
    };
    summary.count(&outcome.findings);
    summary.not_evaluated(&outcome.not_evaluated);
    let run = Run {
        sources: &org.sources,
        findings: &outcome.findings,
        errors,
        internal_errors: &outcome.internal_errors,
        summary,
    };

    let mut texts = Texts::default();
    let to_file = args.output.is_some();
    let rendered = match args.format {
        Format::Text => report::text::render(&run, &mut texts, stdout_color && !to_file),
        Format::Json => report::json::render(&run, &mut texts),
    };
    if let Err(e) = emit(&rendered, args.output.as_deref()) {
        return fail(e);
    }

    if args.statistics {
        eprint!("{}", statistics(&outcome.findings));
    }
    if !args.quiet {
        eprintln!(
            "{}",
            closing_line(&run, started.elapsed().as_millis(), stderr_color)
        );
    }

    if !errors.is_empty() || !outcome.internal_errors.is_empty() {
        EXIT_ERROR
    } else if outcome.findings.iter().any(|f| fail_on.fails(f.severity)) {
        EXIT_FINDINGS
    } else {
        EXIT_CLEAN
    }
}

fn emit(rendered: &str, output: Option<&Path>) -> Result<(), String> {
    match output {
        Some(path) => report::write_atomic(path, rendered.as_bytes())
            .map_err(|e| format!("cannot write {}: {e}", path.display())),
        None => {
            let mut stdout = std::io::stdout().lock();
            // A closed pipe (`| head`) is not an error worth reporting.
            let _ = stdout.write_all(rendered.as_bytes());
            let _ = stdout.flush();
            Ok(())
        }
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// `Checked 412 files (5 integrations, 30 rules) in 48 ms: 2 errors, 3 warnings, 1 info`
fn closing_line(run: &Run, millis: u128, color: bool) -> String {
    let s = &run.summary;
    let mut line = format!(
        "Checked {} ({}, {}) in {millis} ms: {}, {}, {} info",
        plural(s.files, "file", "files"),
        plural(s.integrations, "integration", "integrations"),
        plural(s.rules, "rule", "rules"),
        plural(s.errors, "error", "errors"),
        plural(s.warnings, "warning", "warnings"),
        s.infos,
    );
    if s.suppressed > 0 {
        line.push_str(&format!(", {} suppressed", s.suppressed));
    }
    let failed = run.errors.len() + run.internal_errors.len();
    if failed > 0 {
        line.push_str(&format!(
            "; {} could not be checked",
            plural(failed, "input", "inputs")
        ));
    }
    if !s.not_evaluated.is_empty() {
        let codes: Vec<&str> = s.not_evaluated.iter().map(|n| n.rule).collect();
        line.push_str(&format!("; not evaluated: {}", codes.join(", ")));
    }
    if color {
        let paint = if failed > 0 || s.errors > 0 {
            "31"
        } else if s.warnings > 0 {
            "33"
        } else {
            "32"
        };
        format!("\u{1b}[{paint}m{line}\u{1b}[0m")
    } else {
        line
    }
}

fn statistics(findings: &[engine::Finding]) -> String {
    let mut counts: std::collections::BTreeMap<(&str, &str), usize> = Default::default();
    for f in findings {
        *counts.entry((f.code, f.name)).or_default() += 1;
    }
    counts
        .into_iter()
        .map(|((code, name), n)| format!("{n:>5}  {code}  {name}\n"))
        .collect()
}
