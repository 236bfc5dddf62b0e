//! `minpriv check`: discover → parse → resolve integrations → run rules →
//! report.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use clap::{ArgMatches, Args, ValueEnum};

use super::progress::Progress;
use super::{EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS, fail};
use crate::baseline::Baseline;
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

    /// Output format [default: text]. Repeatable: each -o FILE writes the
    /// --format before it; at most one format goes to standard output.
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub format: Vec<Format>,

    /// Write the report of the preceding --format to FILE instead of
    /// standard output (written atomically; repeatable).
    #[arg(short, long, value_name = "FILE")]
    pub output: Vec<PathBuf>,

    /// Hide the findings this baseline file records (counted as suppressed).
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,

    /// Record every current finding in this baseline file; the run then
    /// exits 0 unless an input could not be checked.
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,

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
    /// Reports with the offending element underlined (for people).
    Text,
    /// minpriv's stable, versioned JSON.
    Json,
    /// SARIF 2.1.0, for GitHub code scanning.
    Sarif,
    /// GitHub Actions workflow commands (pull-request annotations).
    Github,
    /// GitLab Code Quality report.
    Gitlab,
    /// JUnit XML: a testsuite per rule, a testcase per file.
    Junit,
}

impl Format {
    fn name(self) -> &'static str {
        match self {
            Format::Text => "text",
            Format::Json => "json",
            Format::Sarif => "sarif",
            Format::Github => "github",
            Format::Gitlab => "gitlab",
            Format::Junit => "junit",
        }
    }
}

/// Where one report goes: a file, or standard output (`None`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Destination {
    pub format: Format,
    pub file: Option<PathBuf>,
}

/// Pairs each `-o FILE` with the `--format` before it on the command line;
/// each value comes with its argument index as clap saw it. With one format
/// the order does not matter; a format without a file goes to standard
/// output, and at most one may.
pub fn destinations(
    formats: &[(usize, Format)],
    outputs: &[(usize, PathBuf)],
) -> Result<Vec<Destination>, String> {
    let mut out: Vec<Destination> = if formats.is_empty() {
        vec![Destination {
            format: Format::Text,
            file: None,
        }]
    } else {
        formats
            .iter()
            .map(|&(_, format)| Destination { format, file: None })
            .collect()
    };
    if out.len() == 1 {
        match outputs {
            [] => {}
            [(_, file)] => out[0].file = Some(file.clone()),
            _ => {
                return Err(
                    "several -o files for one --format; give one --format before each -o".into(),
                );
            }
        }
    } else {
        for (at, file) in outputs {
            let Some(owner) = formats.iter().rposition(|(f_at, _)| f_at < at) else {
                return Err(format!(
                    "-o {} comes before any --format; put each -o after the --format it writes",
                    file.display()
                ));
            };
            if let Some(taken) = &out[owner].file {
                return Err(format!(
                    "--format {} has two -o files ({} and {}); give each its own --format",
                    out[owner].format.name(),
                    taken.display(),
                    file.display()
                ));
            }
            out[owner].file = Some(file.clone());
        }
    }
    let to_stdout: Vec<&str> = out
        .iter()
        .filter(|d| d.file.is_none())
        .map(|d| d.format.name())
        .collect();
    if to_stdout.len() > 1 {
        return Err(format!(
            "only one format can go to standard output, not {}; give the others -o FILE",
            to_stdout.join(" and ")
        ));
    }
    for (i, d) in out.iter().enumerate() {
        if let Some(file) = &d.file
            && out[..i].iter().any(|e| e.file.as_ref() == Some(file))
        {
            return Err(format!("{} is named by -o twice", file.display()));
        }
    }
    Ok(out)
}

/// The `--format` and `-o` values with their positions on the command line.
fn positioned<T: Clone>(matches: Option<&ArgMatches>, id: &str, values: &[T]) -> Vec<(usize, T)> {
    let indices: Vec<usize> = matches
        .and_then(|m| m.indices_of(id))
        .map(|i| i.collect())
        .unwrap_or_default();
    values
        .iter()
        .enumerate()
        .map(|(n, v)| (indices.get(n).copied().unwrap_or(n), v.clone()))
        .collect()
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

pub fn run(
    args: CheckArgs,
    matches: Option<&ArgMatches>,
    stdout_color: bool,
    stderr_color: bool,
) -> u8 {
    let started = Instant::now();
    let destinations = match destinations(
        &positioned(matches, "format", &args.format),
        &positioned(matches, "output", &args.output),
    ) {
        Ok(d) => d,
        Err(e) => return fail(e),
    };
    let baseline = match &args.baseline {
        Some(path) => match Baseline::load(path) {
            Ok(b) => Some(b),
            Err(e) => return fail(e),
        },
        None => None,
    };
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

    let progress = Progress::new(!args.quiet && std::io::stderr().is_terminal());
    progress.stage("Finding metadata files".into(), 0);
    let mut sources = Sources::default();
    let config_file = config.path.as_ref().map(|p| sources.add(p.clone(), &cwd));
    let options = Options {
        paths: args.paths.clone(),
        excludes,
        use_forceignore: !args.no_forceignore,
    };
    let discovery = discover::discover(&options, &exclude_set, &cwd, &mut sources);
    let files = discovery.inputs.len();
    progress.stage(format!("Parsing {files} files"), files);
    let (org, parse_errors) =
        parse::parse_all(sources, &discovery.inputs, args.max_file_size.max(1));
    let integrations = Integrations::resolve(&org, &config, config_file);
    let cx = Context {
        org: &org,
        config: &config,
        integrations: &integrations,
    };
    progress.stage(
        format!("Running {} rules on {files} files", rules.len()),
        files,
    );
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

    let mut findings = outcome.findings;
    if let Some(path) = &args.write_baseline {
        let written = Baseline::from_findings(&findings).to_json();
        if let Err(e) = report::write_atomic(path, written.as_bytes()) {
            return fail(format_args!("cannot write {}: {e}", path.display()));
        }
    }
    let baselined = baseline.as_ref().map_or(0, |b| b.apply(&mut findings));

    let mut summary = Summary {
        files,
        integrations: integrations.list.len(),
        rules: rules.len() - outcome.not_evaluated.len(),
        suppressed: outcome.suppressed + baselined,
        ..Summary::default()
    };
    summary.count(&findings);
    summary.not_evaluated(&outcome.not_evaluated);
    let checked: Vec<_> = discovery.inputs.iter().map(|i| i.file).collect();
    let run = Run {
        sources: &org.sources,
        rules: &rules,
        checked: &checked,
        findings: &findings,
        errors: &errors,
        internal_errors: &outcome.internal_errors,
        summary,
    };

    progress.stage("Writing reports".into(), files);
    let mut texts = Texts::default();
    let rendered: Vec<(String, Option<&Path>)> = destinations
        .iter()
        .map(|d| {
            let text = match d.format {
                Format::Text => {
                    report::text::render(&run, &mut texts, stdout_color && d.file.is_none())
                }
                Format::Json => report::json::render(&run, &mut texts),
                Format::Sarif => report::sarif::render(&run, &mut texts),
                Format::Github => report::github::render(&run, &mut texts),
                Format::Gitlab => report::gitlab::render(&run, &mut texts),
                Format::Junit => report::junit::render(&run, &mut texts),
            };
            (text, d.file.as_deref())
        })
        .collect();
    progress.finish();
    for (text, file) in &rendered {
        if let Err(e) = emit(text, *file) {
            return fail(e);
        }
    }

    if args.statistics {
        eprint!("{}", statistics(&findings));
    }
    if !args.quiet {
        eprintln!(
            "{}",
            closing_line(&run, started.elapsed().as_millis(), stderr_color)
        );
    }

    if run.failed() {
        EXIT_ERROR
    } else if args.write_baseline.is_some() {
        // Every finding is in the new baseline: nothing is left to fail on.
        EXIT_CLEAN
    } else if findings.iter().any(|f| fail_on.fails(f.severity)) {
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
    fn each_output_pairs_with_the_format_before_it() {
        use Format::*;
        let to = |format, file: Option<&str>| Destination {
            format,
            file: file.map(PathBuf::from),
        };
        let file = |at, name: &str| (at, PathBuf::from(name));
        assert_eq!(destinations(&[], &[]), Ok(vec![to(Text, None)]));
        assert_eq!(
            destinations(&[], &[file(1, "r.txt")]),
            Ok(vec![to(Text, Some("r.txt"))])
        );
        assert_eq!(
            destinations(&[(3, Json)], &[file(1, "r.json")]),
            Ok(vec![to(Json, Some("r.json"))]),
            "one format: either order"
        );
        assert_eq!(
            destinations(
                &[(1, Sarif), (5, Github), (7, Junit)],
                &[file(3, "m.sarif"), file(9, "j.xml")]
            ),
            Ok(vec![
                to(Sarif, Some("m.sarif")),
                to(Github, None),
                to(Junit, Some("j.xml"))
            ])
        );
        assert!(destinations(&[(1, Json), (3, Sarif)], &[]).is_err());
        assert!(destinations(&[(3, Json), (5, Sarif)], &[file(1, "a")]).is_err());
    }

    #[test]
    fn sizes_take_units() {
        assert_eq!(parse_size("256MiB"), Ok(256 << 20));
        assert_eq!(parse_size("10K"), Ok(10_000));
        assert_eq!(parse_size("7"), Ok(7));
        assert!(parse_size("7 parsecs").is_err());
    }
}
