//! `minpriv check`: discover → parse → resolve integrations → run rules →
//! report.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Instant;

use clap::{ArgMatches, Args, ValueEnum};

use super::load::{InputArgs, Loaded, load_in_context, selected_rules};
use super::progress::Progress;
use super::{EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS, fail};
use crate::baseline::Baseline;
use crate::config::FailOn;
use crate::engine;
use crate::pipeline::scope;
use crate::report::{self, Run, Summary};
use crate::source::Texts;

#[derive(Args, Debug)]
pub struct CheckArgs {
    #[command(flatten)]
    pub input: InputArgs,

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

    /// Read every file again instead of using the per-file cache in
    /// .minpriv_cache/ (also: MINPRIV_NO_CACHE=1).
    #[arg(long)]
    pub no_cache: bool,

    /// Today's date for exception expiry and stale logins, as YYYY-MM-DD [default: today].
    #[arg(long, value_name = "DATE", env = "MINPRIV_NOW")]
    pub now: Option<jiff::civil::Date>,
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
    let progress = Progress::new(!args.quiet && std::io::stderr().is_terminal());
    progress.stage("Reading metadata".into(), 0);
    let cache = !args.no_cache && !crate::parse::cache::disabled_by_env();
    let loaded = match load_in_context(&args.input, stderr_color, cache) {
        // Never freed: the process exits after the run, and the system
        // takes the memory back at once, where freeing the model (and the
        // access the rules computed) piece by piece would keep the main
        // thread busy while the other cores are idle.
        Ok(loaded) => std::mem::ManuallyDrop::new(loaded),
        Err(code) => return code,
    };
    let Loaded {
        config,
        org,
        integrations,
        errors,
        files,
        ..
    } = &*loaded;
    let files = *files;
    let rules = match selected_rules(config, &args.select, &args.ignore) {
        Ok(rules) => rules,
        Err(code) => return code,
    };
    let fail_on = args.fail_on.unwrap_or(config.lint.fail_on);
    let today = args
        .now
        .unwrap_or_else(|| jiff::ZonedDateTime::now().date());
    progress.stage(
        format!("Running {} rules on {files} files", rules.len()),
        files,
    );
    let (cx, mut outcome) = loaded.run_rules(&rules, today);
    let _cx = std::mem::ManuallyDrop::new(cx);
    // Files named: only their findings (the project was context).
    let (checked, files) = scope::restrict(&loaded, &mut outcome);

    let mut findings = std::mem::take(&mut outcome.findings);
    if let Some(path) = &args.write_baseline {
        let written = Baseline::from_findings(&findings).to_json();
        if let Err(e) = report::write_atomic(path, written.as_bytes()) {
            return fail(format_args!("cannot write {}: {e}", path.display()));
        }
    }
    let baselined = baseline.as_ref().map_or(0, |b| b.apply(&mut findings));

    let mut summary = Summary::of(
        files,
        integrations.list.len(),
        rules.len(),
        &outcome,
        &findings,
        baselined,
    );
    summary.forceignored(&org.hidden_by_forceignore);
    let run = Run {
        sources: &org.sources,
        rules: &rules,
        checked: &checked,
        findings: &findings,
        errors,
        internal_errors: &outcome.internal_errors,
        summary,
    };

    progress.stage("Writing reports".into(), files);
    let mut texts = Texts::default();
    let rendered: Vec<(String, Option<&Path>, bool)> = destinations
        .iter()
        .map(|d| {
            let text = match d.format {
                Format::Text => report::identities::render_text(
                    &run,
                    org,
                    integrations,
                    &mut texts,
                    stdout_color && d.file.is_none(),
                ),
                Format::Json => report::json_safe(report::json::render(&run, &mut texts)),
                Format::Sarif => report::json_safe(report::sarif::render(&run, &mut texts)),
                Format::Github => report::github::render(&run, &mut texts),
                Format::Gitlab => report::json_safe(report::gitlab::render(&run, &mut texts)),
                Format::Junit => report::junit::render(&run, &mut texts),
            };
            (text, d.file.as_deref(), d.format == Format::Github)
        })
        .collect();
    progress.finish();
    for (text, file, commands) in &rendered {
        let emitted = if *commands {
            report::emit_commands(text, *file)
        } else {
            report::emit(text, *file)
        };
        if let Err(e) = emitted {
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
    if !s.forceignored.is_empty() {
        let hid: Vec<String> = s
            .forceignored
            .iter()
            .map(|(kind, n)| match n {
                1 => format!("1 {}", kind.trim_end_matches('s')),
                _ => format!("{n} {kind}"),
            })
            .collect();
        line.push_str(&format!("; .forceignore hid {}", hid.join(", ")));
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
}
