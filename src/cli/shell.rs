//! `minpriv completions SHELL` and `minpriv man`: generated from the
//! command-line definition itself, so they never fall behind it.

use std::io::Write;

use clap::{Args, CommandFactory};
use clap_complete::Shell;

use super::{Cli, EXIT_CLEAN, fail};

#[derive(Args, Debug)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: Shell,
}

#[derive(Args, Debug)]
pub struct ManArgs {
    /// The page of one subcommand (`minpriv-check(1)`) instead of the main page.
    #[arg(value_name = "SUBCOMMAND")]
    pub subcommand: Option<String>,
}

pub fn completions(args: CompletionsArgs) -> u8 {
    let mut command = Cli::command();
    let mut out = Vec::new();
    clap_complete::generate(args.shell, &mut command, "minpriv", &mut out);
    write(&out)
}

pub fn man(args: ManArgs) -> u8 {
    let mut command = Cli::command();
    command.build();
    let page = match &args.subcommand {
        None => command,
        Some(name) => {
            let Some(sub) = command.find_subcommand(name) else {
                let names: Vec<String> = command
                    .get_subcommands()
                    .map(|s| s.get_name().to_owned())
                    .filter(|n| n != "help")
                    .collect();
                return fail(format_args!(
                    "no subcommand `{}`; one of: {}",
                    crate::report::terminal_safe(name),
                    names.join(", ")
                ));
            };
            // clap names are &'static str; the process prints one page and ends.
            let name: &'static str = format!("minpriv-{}", sub.get_name()).leak();
            sub.clone().name(name)
        }
    };
    let mut out = Vec::new();
    match clap_mangen::Man::new(page).render(&mut out) {
        Ok(()) => write(&out),
        Err(e) => fail(format_args!("cannot render the man page: {e}")),
    }
}

fn write(bytes: &[u8]) -> u8 {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(bytes).and_then(|()| stdout.flush()) {
        Ok(()) => EXIT_CLEAN,
        // A closed pipe (`minpriv man | head`) is not an error worth a word.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => EXIT_CLEAN,
        Err(e) => fail(format_args!("cannot write to standard output: {e}")),
    }
}
