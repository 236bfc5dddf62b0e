//! The command line: one file per subcommand. Each turns arguments into
//! calls to the library and returns the exit code.

mod access;
mod check;
mod diff;
mod fix;
mod init;
mod load;
mod progress;
mod report;
mod rules;

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};

pub use access::AccessArgs;
pub use check::CheckArgs;
pub use diff::DiffArgs;
pub use fix::FixArgs;
pub use init::InitArgs;
pub use load::InputArgs;
pub use report::ReportArgs;
pub use rules::{RuleArgs, RulesArgs};

/// Exit codes (SPEC §5).
pub const EXIT_CLEAN: u8 = 0;
pub const EXIT_FINDINGS: u8 = 1;
pub const EXIT_ERROR: u8 = 2;

#[derive(Parser, Debug)]
#[command(
    name = "minpriv",
    version,
    about = "Static least-privilege linter for Salesforce integration users",
    long_about = "minpriv reads Salesforce metadata retrieved with `sf project retrieve start` \
                  and an inventory of integrations (minpriv.toml), works out what each \
                  integration user can do, and reports every excess."
)]
pub struct Cli {
    /// When to colour output (NO_COLOR is respected by `auto`).
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true)]
    pub color: ColorChoice,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
// Parsed once per run: the size of `check`'s options does not matter.
#[allow(clippy::large_enum_variant)]
pub enum Command {
    /// Lint metadata against the inventory: the main job.
    Check(CheckArgs),
    /// List the rule catalogue.
    Rules(RulesArgs),
    /// Explain one rule, by code (NET001) or name (missing-login-ip-ranges).
    Rule(RuleArgs),
    /// Show what an integration user can do, and which element grants it.
    Access(AccessArgs),
    /// Write a starter minpriv.toml from the apps, profiles and org snapshot found.
    Init(InitArgs),
    /// Show the access each integration gains or loses between two trees or git revisions.
    Diff(DiffArgs),
    /// Write the audit report: inventory, effective access, findings,
    /// exceptions, checks passed, input digests (HTML or Markdown).
    Report(ReportArgs),
    /// Write the remediation as deployable metadata: dedicated API-only
    /// profile, access permission set, group, muting, app settings.
    Fix(FixArgs),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

impl ColorChoice {
    /// Whether to colour what goes to `stream`.
    pub fn enabled(self, stream_is_terminal: bool) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                stream_is_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
            }
        }
    }
}

pub fn main() -> ExitCode {
    // The matches too, not only the parsed arguments: `check` pairs each
    // `-o` with the `--format` before it by position.
    let matches = Cli::command().get_matches();
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    let stdout_color = cli.color.enabled(std::io::stdout().is_terminal());
    let stderr_color = cli.color.enabled(std::io::stderr().is_terminal());
    // A panic inside one file's parse or one rule becomes a diagnostic
    // about it; one anywhere else ends the run here, still with exit 2
    // and a message instead of a backtrace.
    crate::guard::install_hook();
    let code = crate::guard::catch(|| match cli.command {
        Command::Check(args) => check::run(
            args,
            matches.subcommand_matches("check"),
            stdout_color,
            stderr_color,
        ),
        Command::Rules(args) => rules::list(args),
        Command::Rule(args) => rules::explain(args),
        Command::Access(args) => access::run(args, stderr_color),
        Command::Init(args) => init::run(args, stderr_color),
        Command::Diff(args) => diff::run(args, stdout_color, stderr_color),
        Command::Report(args) => report::run(args, stderr_color),
        Command::Fix(args) => fix::run(args, stderr_color),
    });
    ExitCode::from(code.unwrap_or_else(|panic| {
        fail(format_args!(
            "internal error: {panic}; this is a bug in minpriv, please report it"
        ))
    }))
}

/// Prints a usage or tool error and returns exit code 2.
pub(crate) fn fail(message: impl std::fmt::Display) -> u8 {
    eprintln!("minpriv: error: {message}");
    EXIT_ERROR
}
