//! The command line: one file per subcommand. Each turns arguments into
//! calls to the library and returns the exit code.

// Every message of every command goes to standard error through these, in
// place of the standard macros: each line made safe for CI logs
// ([`crate::report::no_commands`]) and a closed or full standard error
// ignored, never a panic.
macro_rules! eprintln {
    () => {
        $crate::cli::write_stderr("\n")
    };
    ($($arg:tt)*) => {
        $crate::cli::write_stderr(&format!("{}\n", format_args!($($arg)*)))
    };
}

macro_rules! eprint {
    ($($arg:tt)*) => {
        $crate::cli::write_stderr(&format!($($arg)*))
    };
}

// Standard output outside [`crate::report::emit`]: the same, and a write
// error makes the run exit 2 ([`crate::report::stdout_failed`]).
macro_rules! print {
    ($($arg:tt)*) => {
        $crate::report::write_stdout(&format!($($arg)*))
    };
}

mod access;
mod check;
mod diff;
mod fix;
mod init;
mod load;
mod progress;
mod report;
mod rules;
mod shell;

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
pub use shell::{CompletionsArgs, ManArgs};

/// `minpriv --version`: the package version, and the commit when built
/// from git (build.rs).
pub const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), env!("MINPRIV_VERSION_SUFFIX"));

/// Exit codes (README, "Command line").
pub const EXIT_CLEAN: u8 = 0;
pub const EXIT_FINDINGS: u8 = 1;
pub const EXIT_ERROR: u8 = 2;

#[derive(Parser, Debug)]
#[command(
    name = "minpriv",
    version = VERSION,
    about = "Static least-privilege linter for Salesforce integration users",
    long_about = "minpriv reads Salesforce metadata retrieved with `sf project retrieve start` \
                  and an inventory of integrations (minpriv.toml), works out what each \
                  integration user can do, and reports every excess."
)]
pub struct Cli {
    /// When to colour output (`auto`: on a terminal, unless NO_COLOR is
    /// set; FORCE_COLOR or CLICOLOR_FORCE colour even a pipe).
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
    /// Print shell completions (bash, zsh, fish, powershell, elvish).
    Completions(CompletionsArgs),
    /// Print the man page (roff) on standard output.
    Man(ManArgs),
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
        self.enabled_with(stream_is_terminal, |name| std::env::var_os(name))
    }

    /// [`ColorChoice::enabled`] with the environment given. `auto`:
    /// `FORCE_COLOR` or `CLICOLOR_FORCE` set (and not `0`; `FORCE_COLOR`
    /// not `false` either) colours even a pipe; else `NO_COLOR` set turns
    /// colour off; else a terminal gets colour. `FORCE_COLOR=0` turns it
    /// off, as Node.js reads it.
    pub fn enabled_with(
        self,
        stream_is_terminal: bool,
        env: impl Fn(&str) -> Option<std::ffi::OsString>,
    ) -> bool {
        let set = |name: &str| env(name).filter(|v| !v.is_empty());
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                let force = set("FORCE_COLOR");
                if force.as_ref().is_some_and(|v| v == "0" || v == "false") {
                    return false;
                }
                if force.is_some() || set("CLICOLOR_FORCE").is_some_and(|v| v != "0") {
                    return true;
                }
                stream_is_terminal && set("NO_COLOR").is_none()
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
        Command::Completions(args) => shell::completions(args),
        Command::Man(args) => shell::man(args),
    });
    let code = code.unwrap_or_else(|panic| {
        fail(format_args!(
            "internal error: {panic}; this is a bug in minpriv, please report it"
        ))
    });
    if let Some(e) = crate::report::stdout_failed() {
        // The report did not reach its reader: never a clean exit.
        return ExitCode::from(fail(format_args!("cannot write to standard output: {e}")));
    }
    ExitCode::from(code)
}

/// Writes to standard error, each line made safe for CI logs; a failure
/// to write (a closed pipe, a full disk) is ignored: there is nowhere left
/// to say it.
pub(crate) fn write_stderr(text: &str) {
    use std::io::Write;
    let safe = crate::report::no_commands(text);
    let mut stderr = std::io::stderr().lock();
    let _ = stderr.write_all(safe.as_bytes());
    let _ = stderr.flush();
}

/// Prints a usage or tool error and returns exit code 2.
pub(crate) fn fail(message: impl std::fmt::Display) -> u8 {
    // Messages quote arguments and inputs: no control character passes.
    let message = crate::report::printable(&message.to_string());
    eprintln!("minpriv: error: {message}");
    EXIT_ERROR
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colour_follows_the_flag_then_force_then_no_color_then_the_terminal() {
        let with = |vars: &[(&str, &str)]| {
            let vars: Vec<(String, String)> = vars
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
            move |name: &str| vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.into())
        };
        use ColorChoice::*;
        assert!(Auto.enabled_with(true, with(&[])));
        assert!(!Auto.enabled_with(false, with(&[])));
        assert!(!Auto.enabled_with(true, with(&[("NO_COLOR", "1")])));
        assert!(
            Auto.enabled_with(true, with(&[("NO_COLOR", "")])),
            "empty is unset"
        );
        assert!(Auto.enabled_with(false, with(&[("FORCE_COLOR", "1")])));
        assert!(Auto.enabled_with(false, with(&[("FORCE_COLOR", "3")])));
        assert!(Auto.enabled_with(false, with(&[("CLICOLOR_FORCE", "1")])));
        assert!(!Auto.enabled_with(false, with(&[("CLICOLOR_FORCE", "0")])));
        assert!(!Auto.enabled_with(true, with(&[("FORCE_COLOR", "0")])));
        assert!(!Auto.enabled_with(true, with(&[("FORCE_COLOR", "false")])));
        assert!(
            Auto.enabled_with(false, with(&[("FORCE_COLOR", "1"), ("NO_COLOR", "1")])),
            "forcing wins"
        );
        assert!(!Never.enabled_with(true, with(&[("FORCE_COLOR", "1")])));
        assert!(Always.enabled_with(false, with(&[("NO_COLOR", "1")])));
    }
}
