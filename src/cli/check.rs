//! `minpriv check`: discover → parse → resolve integrations → run rules →
//! report.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use clap::{Args, ValueEnum};

use super::{EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS, fail};
use crate::config::{self, Config, FailOn};
use crate::discover::{self, Options};
use crate::engine::{self, Context, Inputs};
use crate::integration::Integrations;
use crate::parse;
use crate::report::{self, Run, Summary, Texts};
use crate::source::{Sources, display_path};

#[derive(Args, Debug)]
pub struct CheckArgs {
    /// Files or directories to check [default: the project's package
    /// directories from sfdx-project.json, or the current directory].
    pub paths: Vec<PathBuf>,

    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,

    /// Write the report to FILE instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Use this minpriv.toml instead of looking for one.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Rules to run: ALL, codes, families or names (replaces [lint] select).
    #[arg(long, value_delimiter = ',', value_name = "RULE")]
    pub select: Vec<String>,

    /// Rules not to run (added to [lint] ignore).
    #[arg(long, value_delimiter = ',', value_name = "RULE")]
    pub ignore: Vec<String>,

    /// Lowest severity that makes the exit code 1 [default: [lint] fail-on, or error].
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,

    /// Skip files matching this glob (repeatable; also applies to files named explicitly).
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,

    /// Check files that .forceignore lists too.
    #[arg(long)]
    pub no_forceignore: bool,

    /// Worker threads [default: one per core].
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,

    /// Print no closing summary line.
    #[arg(short, long)]
    pub quiet: bool,

    /// Print the number of findings per rule on standard error.
    #[arg(long)]
    pub statistics: bool,

    /// Today's date for exception expiry, as YYYY-MM-DD [default: today].
    #[arg(long, value_name = "DATE")]
    pub now: Option<jiff::civil::Date>,

    /// Refuse files larger than this many bytes (suffixes K, M, G, KiB, MiB, GiB).
    #[arg(long, value_name = "SIZE", value_parser = parse_size, default_value = "256MiB")]
    pub max_file_size: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
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

pub fn run(args: CheckArgs, stdout_color: bool, stderr_color: bool) -> u8 {
    let started = Instant::now();
    if let Some(n) = args.threads {
        if n == 0 {
            return fail("--threads must be at least 1");
        }
        if let Err(e) = rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build_global()
        {
            return fail(format_args!("cannot start {n} threads: {e}"));
        }
    }
    let cwd = match std::env::current_dir().and_then(std::path::absolute) {
        Ok(cwd) => cwd,
        Err(e) => return fail(format_args!("cannot read the current directory: {e}")),
    };

    let start = discover::start_dir(&args.paths.first().map_or(cwd.clone(), |p| cwd.join(p)));
    let config_path = match &args.config {
        Some(path) => Some(cwd.join(path)),
        None => config::find(&start),
    };
    let config = match &config_path {
        Some(path) => match config::load(path) {
            Ok(config) => config,
            Err(errors) => {
                let shown = display_path(path, &cwd);
                eprint!(
                    "{}",
                    report::text::render_config_errors(&errors, &shown, stderr_color)
                );
                return EXIT_ERROR;
            }
        },
        None => Config::default(),
    };

    let mut excludes = config.exclude.clone();
    excludes.extend(args.exclude.iter().cloned());
    let exclude_set = match discover::compile_excludes(&excludes) {
        Ok(set) => set,
        Err(e) => return fail(e),
    };
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

    let mut sources = Sources::default();
    let config_file = config.path.as_ref().map(|p| sources.add(p.clone(), &cwd));
    let options = Options {
        paths: args.paths.clone(),
        excludes,
        use_forceignore: !args.no_forceignore,
    };
    let discovery = discover::discover(&options, &exclude_set, &cwd, &mut sources);
    let (org, parse_errors) =
        parse::parse_all(sources, &discovery.inputs, args.max_file_size.max(1));
    let integrations = Integrations::resolve(&org, &config, config_file);
    let cx = Context {
        org: &org,
        config: &config,
        integrations: &integrations,
    };
    let outcome = engine::run(
        &cx,
        &rules,
        Inputs {
            has_org_data: false,
        },
        today,
    );

    let mut errors = discovery.errors;
    errors.extend(parse_errors);
    errors.sort_by(|a, b| {
        (org.sources.get(a.file).display.as_str(), a.span)
            .cmp(&(org.sources.get(b.file).display.as_str(), b.span))
    });
    errors.dedup();

    let mut summary = Summary {
        files: discovery.inputs.len(),
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
        errors: &errors,
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
