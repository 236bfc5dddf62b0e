//! What `check` writes to standard error besides the report: the progress
//! line (only on a terminal, only for long runs, never with --quiet) and
//! `--statistics`.

mod common;

use std::path::Path;
use std::process::Command;

use common::*;

/// A project with `n` human profiles: quick to lint, many files.
fn many_files(n: usize) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let profiles = dir.path().join("force-app/main/default/profiles");
    std::fs::create_dir_all(&profiles).unwrap();
    std::fs::write(
        dir.path().join("sfdx-project.json"),
        r#"{"packageDirectories": [{"path": "force-app"}]}"#,
    )
    .unwrap();
    for i in 0..n {
        std::fs::write(
            profiles.join(format!("Sales {i}.profile-meta.xml")),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Profile xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n    <custom>true</custom>\n    <userLicense>Salesforce</userLicense>\n</Profile>\n",
        )
        .unwrap();
    }
    dir
}

/// Runs `minpriv ARGS` in `dir` with a pseudo-terminal for its standard
/// streams (util-linux `script`) and returns what the terminal showed, or
/// `None` when `script` is not installed.
fn on_a_terminal(dir: &Path, args: &[&str]) -> Option<String> {
    let binary = assert_cmd::cargo::cargo_bin("minpriv");
    let quote = |s: &str| format!("'{}'", s.replace('\'', r"'\''"));
    let mut command = quote(binary.to_str().unwrap());
    for a in args {
        command.push(' ');
        command.push_str(&quote(a));
    }
    let out = Command::new("script")
        .args(["-q", "-e", "-c", &command, "/dev/null"])
        .current_dir(dir)
        .env("TERM", "xterm-256color")
        .env_remove("NO_COLOR")
        .env_remove("FORCE_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .output();
    match out {
        Ok(out) if out.status.code().is_some() => Some(String::from_utf8_lossy(&out.stdout).into()),
        _ => {
            eprintln!("SKIPPED: util-linux `script` is not available to provide a terminal");
            None
        }
    }
}

#[test]
fn progress_shows_on_a_terminal_for_many_files() {
    let dir = many_files(600);
    let Some(screen) = on_a_terminal(dir.path(), &["check", "--format", "json", "-o", "out.json"])
    else {
        return;
    };
    // The stage shown depends on how fast the run is; the line is there.
    assert!(
        screen.contains("rules on 600 files") || screen.contains("Writing reports"),
        "{screen:?}"
    );
    assert!(screen.contains("Checked 600 files"), "{screen:?}");
    // Cleared before the closing line: that line starts clean.
    let report = std::fs::read_to_string(dir.path().join("out.json")).unwrap();
    assert!(!report.contains("rules on"), "the report never carries it");

    let Some(quiet) = on_a_terminal(
        dir.path(),
        &["check", "--quiet", "--format", "json", "-o", "out.json"],
    ) else {
        return;
    };
    assert!(
        !quiet.contains("rules on 600 files"),
        "--quiet hides it: {quiet:?}"
    );
}

#[test]
fn no_progress_for_a_short_run_or_without_a_terminal() {
    let dir = many_files(600);
    let out = minpriv()
        .current_dir(dir.path())
        .args(["check", "--format", "json", "-o", "out.json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        closing_line(&out),
        // Without an inventory or a snapshot, the rules that need one are
        // not evaluated.
        format!(
            "Checked 600 files (0 integrations, {} rules): 0 errors, 0 warnings, 0 info; not evaluated: {}",
            rules_besides(|c| NEED_INVENTORY_OR_SNAPSHOT.contains(&c)),
            NEED_INVENTORY_OR_SNAPSHOT.join(", ")
        ),
    );
    assert!(
        !stderr(&out).contains("rules on"),
        "standard error is not a terminal: {}",
        stderr(&out)
    );
    assert_eq!(stderr(&out).lines().count(), 1, "only the closing line");

    let acme = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/acme");
    let Some(screen) = on_a_terminal(&acme, &["check", "--format", "json", "-o", "/dev/null"])
    else {
        return;
    };
    assert!(
        !screen.contains("rules on"),
        "22 files take no time: {screen:?}"
    );
}

/// The rules a run without an inventory or an org snapshot does not evaluate.
const NEED_INVENTORY_OR_SNAPSHOT: &[&str] = &[
    "ADM004", "IDN005", "IDN007", "LIC001", "NET004", "ORG001", "ORG002", "ORG003", "USE001",
    "USE002", "USE003",
];

#[test]
fn statistics_count_findings_per_rule() {
    let out = run(&[
        "check",
        "testdata/acme",
        "--statistics",
        "--quiet",
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let (_, doc) = check_json(&["testdata/acme"]);
    // One line per rule with findings, in code order: count, code, name.
    let mut expected: std::collections::BTreeMap<(String, String), usize> = Default::default();
    for f in doc["findings"].as_array().unwrap() {
        *expected
            .entry((
                f["rule"].as_str().unwrap().to_owned(),
                f["name"].as_str().unwrap().to_owned(),
            ))
            .or_default() += 1;
    }
    let expected: String = expected
        .into_iter()
        .map(|((code, name), n)| format!("{n:>5}  {code}  {name}\n"))
        .collect();
    assert_eq!(
        stderr(&out),
        expected,
        "--quiet drops only the closing line"
    );
    assert!(stderr(&out).contains("    3  NET001  missing-login-ip-ranges\n"));

    let out = run(&["check", "testdata/acme", "--statistics", "--format", "json"]);
    let err = stderr(&out);
    let (stats, last) = err.trim_end().rsplit_once('\n').unwrap();
    assert_eq!(format!("{stats}\n"), expected);
    assert!(last.starts_with("Checked 25 files"), "{last}");

    // Statistics count what is shown: nothing after a full baseline.
    let dir = tempfile::tempdir().unwrap();
    let baseline = dir.path().join("b.json");
    run(&[
        "check",
        "testdata/acme",
        "--write-baseline",
        baseline.to_str().unwrap(),
        "--quiet",
    ]);
    let out = run(&[
        "check",
        "testdata/acme",
        "--baseline",
        baseline.to_str().unwrap(),
        "--statistics",
        "--quiet",
    ]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(stderr(&out), "");
}
