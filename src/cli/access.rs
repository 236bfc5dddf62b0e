//! `minpriv access INTEGRATION`: the effective access of one integration,
//! each grant with the element that grants it and the groups it comes
//! through.

use clap::{Args, ValueEnum};

use super::load::{InputArgs, Loaded, load};
use super::{EXIT_CLEAN, EXIT_ERROR, fail};
use crate::engine::Context;
use crate::report::access::View;
use crate::report::terminal_safe;
use crate::source::Texts;

#[derive(Args, Debug)]
pub struct AccessArgs {
    /// The integration: its name in minpriv.toml, or a discovered app's name.
    pub integration: String,

    /// Show only this object and its fields.
    #[arg(long, value_name = "NAME")]
    pub object: Option<String>,

    #[arg(long, value_enum, default_value_t = AccessFormat::Text)]
    pub format: AccessFormat,

    #[command(flatten)]
    pub input: InputArgs,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum AccessFormat {
    Text,
    Json,
}

pub fn run(args: AccessArgs, stderr_color: bool) -> u8 {
    let loaded = match load(&args.input, stderr_color) {
        Ok(loaded) => loaded,
        Err(code) => return code,
    };
    let integrations = &loaded.integrations;
    let Some(index) = integrations.list.position(|i| i.name == args.integration) else {
        // What could not be read may be why the integration is unknown.
        print_errors(&loaded);
        let mut names: Vec<&str> = integrations.list.iter().map(|i| i.name.as_str()).collect();
        names.sort_unstable();
        return fail(format_args!(
            "no integration is called `{}`; known: {}",
            args.integration,
            if names.is_empty() {
                "none".to_owned()
            } else {
                names.join(", ")
            }
        ));
    };
    let today = jiff::ZonedDateTime::now().date();
    let cx = Context::new(&loaded.org, &loaded.config, integrations, today);
    let view = View {
        org: &loaded.org,
        integration: &integrations.list[index],
        access: &cx.access[index],
        object: args.object.as_deref(),
        usage: loaded
            .snapshot
            .as_ref()
            .map(|s| &s.usage)
            .filter(|u| u.has_logs()),
        min_usage_days: loaded.config.lint.min_usage_days,
    };
    let mut texts = Texts::default();
    let out = match args.format {
        AccessFormat::Text => view.text(&mut texts),
        AccessFormat::Json => crate::report::json_safe(view.json(&mut texts)),
    };
    print!("{out}");
    print_errors(&loaded);
    if loaded.errors.is_empty() {
        EXIT_CLEAN
    } else {
        EXIT_ERROR
    }
}

fn print_errors(loaded: &Loaded) {
    for e in &loaded.errors {
        eprintln!(
            "minpriv: error: {}: {}",
            terminal_safe(&loaded.org.sources.get(e.file).display),
            terminal_safe(&e.message)
        );
    }
}
