//! Micro-benchmarks (divan) on a generated org, through the same loading
//! code as `minpriv check` ([`minpriv::pipeline`]): parsing one large
//! profile, computing every integration's effective access, and the whole
//! check.
//!
//! ```sh
//! cargo bench --bench pipeline
//! ```

#[path = "generate_org.rs"]
#[allow(dead_code)]
mod generate_org;

use std::path::PathBuf;
use std::sync::LazyLock;

use minpriv::parse::DEFAULT_MAX_FILE_SIZE;
use minpriv::pipeline::{self, Loaded, Options};

fn main() {
    divan::main();
}

/// A 20 MB generated org, made once per run.
static ORG_DIR: LazyLock<tempfile::TempDir> = LazyLock::new(|| {
    let dir = tempfile::tempdir().expect("temp dir");
    generate_org::generate(dir.path(), 20_000_000, 7);
    // An inventory that names the first human profile as an integration's:
    // `minpriv check --config human.toml` reads it in full.
    std::fs::write(
        dir.path().join("human.toml"),
        "[[integration]]\nname = \"human\"\nuser = \"human@example.com\"\nprofile = \"Human Profile 00000\"\n",
    )
    .expect("write human.toml");
    dir
});

/// `paths` loaded as `minpriv check --no-cache` loads them, in the org's
/// directory, with `config` or else the minpriv.toml found.
fn load(paths: Vec<PathBuf>, config: Option<PathBuf>) -> Loaded {
    let options = Options {
        paths,
        config,
        org_data: None,
        exclude: vec![],
        use_forceignore: true,
        max_file_size: DEFAULT_MAX_FILE_SIZE,
        read_config: true,
        in_context: false,
        cache: false,
        digests: false,
    };
    let loaded = pipeline::load(&options, ORG_DIR.path()).expect("generated config");
    assert!(loaded.errors.is_empty());
    loaded
}

/// One ~2 MB profile with ~22,000 fieldPermissions, read and parsed in
/// full, as an integration's profile is.
#[divan::bench]
fn parse_large_profile(bencher: divan::Bencher) {
    let dir = ORG_DIR.path();
    let profile = dir.join("force-app/main/default/profiles/Human Profile 00000.profile-meta.xml");
    let config = dir.join("human.toml");
    let bytes = std::fs::metadata(&profile).expect("generated").len();
    let once = load(vec![profile.clone()], Some(config.clone()));
    assert!(!once.org.profiles.as_slice()[0].pruned, "read in full");
    bencher
        .counter(divan::counter::BytesCount::new(bytes))
        .bench(|| load(vec![profile.clone()], Some(config.clone())));
}

/// Effective access of every integration of the generated org.
#[divan::bench]
fn effective_access(bencher: divan::Bencher) {
    let loaded = load(vec![], None);
    let today = jiff::civil::Date::constant(2026, 11, 27);
    bencher.bench(|| {
        minpriv::engine::Context::new(&loaded.org, &loaded.config, &loaded.integrations, today)
            .access
            .len()
    });
}

/// The whole of `minpriv check --no-cache` on the generated org but the
/// report: load it, then run the rules the inventory selects.
#[divan::bench(sample_count = 10)]
fn check_org(bencher: divan::Bencher) {
    let today = jiff::civil::Date::constant(2026, 11, 27);
    bencher.bench(|| {
        let loaded = load(vec![], None);
        let rules = pipeline::selected_rules(&loaded.config, &[], &[]).expect("rules");
        loaded.run_rules(&rules, today).1.findings.len()
    });
}
