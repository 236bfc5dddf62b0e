//! Real public metadata (testdata/corpus, vendored from ../shared/corpus):
//! every file is discovered and parsed without error.

mod common;

use std::path::{Path, PathBuf};

use common::*;

const SUFFIXES: [&str; 12] = [
    "profile",
    "permissionset",
    "permissionsetgroup",
    "mutingpermissionset",
    "connectedApp",
    "eca",
    "ecaOauth",
    "ecaGlblOauth",
    "ecaOauthPlcy",
    "ecaPlcy",
    "namedCredential",
    "externalCredential",
];

fn metadata_files(dir: &Path) -> usize {
    let mut n = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            n += metadata_files(&path);
        } else {
            let name = path.file_name().unwrap().to_string_lossy();
            let base = name.strip_suffix("-meta.xml").unwrap_or(&name);
            if base
                .rsplit_once('.')
                .is_some_and(|(_, s)| SUFFIXES.contains(&s))
            {
                n += 1;
            }
        }
    }
    n
}

fn corpus_projects(root: &Path) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs
}

fn check_corpus(root: &Path) {
    let projects = corpus_projects(root);
    assert!(projects.len() >= 9, "{}", root.display());
    let mut total = 0;
    for project in projects {
        let expected = metadata_files(&project);
        let arg = project.to_str().unwrap();
        let (code, doc) = check_json(&[arg, "--no-forceignore"]);
        assert!(
            code == 0 || code == 1,
            "{arg}: exit {code}: {}",
            doc["errors"]
        );
        assert_eq!(
            doc["errors"].as_array().unwrap().len(),
            0,
            "{arg}: {}",
            doc["errors"]
        );
        assert_eq!(
            doc["summary"]["files"], expected,
            "{arg}: every metadata file is discovered"
        );
        total += expected;
    }
    assert!(
        total >= 70,
        "the corpus holds at least 70 metadata files, found {total}"
    );
}

#[test]
fn vendored_corpus_parses_without_errors() {
    check_corpus(Path::new("testdata/corpus"));
}

/// The shared corpus, when this checkout sits beside it: catches files
/// added there since it was vendored.
#[test]
fn shared_corpus_parses_without_errors_when_present() {
    let shared = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    if shared.is_dir() {
        check_corpus(&shared);
    } else {
        eprintln!("skipped: no ../shared/corpus beside this checkout");
    }
}

#[test]
fn corpus_output_is_identical_whatever_the_thread_count() {
    let one = run(&[
        "check",
        "testdata/corpus",
        "--no-forceignore",
        "--threads",
        "1",
        "--format",
        "json",
    ]);
    let four = run(&[
        "check",
        "testdata/corpus",
        "--no-forceignore",
        "--threads",
        "4",
        "--format",
        "json",
    ]);
    assert_eq!(one.stdout, four.stdout);
    assert!(!one.stdout.is_empty());
}
