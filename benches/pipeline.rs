//! Micro-benchmarks (divan): parsing one large profile, and computing
//! every integration's effective access on a generated org.
//!
//! ```sh
//! cargo bench --bench pipeline
//! ```

#[path = "generate_org.rs"]
#[allow(dead_code)]
mod generate_org;

use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use minpriv::config::{self, Config};
use minpriv::discover::{self, Options};
use minpriv::engine::Context;
use minpriv::integration::Integrations;
use minpriv::model::Org;
use minpriv::parse::{self, DEFAULT_MAX_FILE_SIZE};
use minpriv::source::Sources;

fn main() {
    divan::main();
}

/// A 20 MB generated org, made once per run.
static ORG_DIR: LazyLock<tempfile::TempDir> = LazyLock::new(|| {
    let dir = tempfile::tempdir().expect("temp dir");
    generate_org::generate(dir.path(), 20_000_000, 7);
    dir
});

fn load(paths: Vec<PathBuf>, cwd: &Path) -> Org {
    let options = Options {
        paths,
        excludes: vec![],
        use_forceignore: false,
    };
    let excludes = discover::compile_excludes(&[]).expect("no globs");
    let mut sources = Sources::default();
    let found = discover::discover(&options, &excludes, cwd, &mut sources);
    let (org, errors) = parse::parse_all(sources, &found.inputs, DEFAULT_MAX_FILE_SIZE);
    assert!(errors.is_empty());
    org
}

/// One ~2 MB profile with ~22,000 fieldPermissions, read and parsed.
#[divan::bench]
fn parse_large_profile(bencher: divan::Bencher) {
    let dir = ORG_DIR.path();
    let profile = dir.join("force-app/main/default/profiles/Human Profile 00000.profile-meta.xml");
    let bytes = std::fs::metadata(&profile).expect("generated").len();
    bencher
        .counter(divan::counter::BytesCount::new(bytes))
        .bench(|| load(vec![profile.clone()], dir));
}

/// Effective access of every integration of the generated org.
#[divan::bench]
fn effective_access(bencher: divan::Bencher) {
    let dir = ORG_DIR.path();
    let org = load(vec![dir.to_path_buf()], dir);
    let config: Config =
        config::load(&dir.join("minpriv.toml"), &minpriv::rules::NAMES).expect("generated config");
    let integrations = Integrations::resolve(&org, &config, None);
    let today = jiff::civil::Date::constant(2026, 11, 27);
    bencher.bench(|| {
        Context::new(&org, &config, &integrations, today)
            .access
            .len()
    });
}
