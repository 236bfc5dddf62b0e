//! What minpriv writes: metadata never reaches a terminal raw, JSON
//! escapes it, `-o` replaces a report whole, and the checked tree is never
//! written to.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use common::*;

/// Terminal escape sequences planted in metadata: colour, clear screen,
/// set the window title (OSC … BEL), and the one-byte C1 CSI.
const RED: &str = "\u{1b}[31m";
const CLEAR: &str = "\u{1b}[2J";
const TITLE: &str = "\u{1b}]0;pwned\u{7}";
const CSI: &str = "\u{9b}1m";
const BIDI: &str = "\u{202e}";

fn app(user: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ConnectedApp xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n    <label>Sync {RED}{TITLE}</label>\n    <oauthConfig>\n        <isClientCredentialEnabled>true</isClientCredentialEnabled>\n        <oauthClientCredentialUser>{user}</oauthClientCredentialUser>\n    </oauthConfig>\n</ConnectedApp>\n"
    )
}

/// A project whose names and texts carry escape sequences: a profile whose
/// URL-encoded file name decodes to one, element text holding raw ones,
/// two apps sharing a run-as user whose name holds one (so a message
/// quotes it), and a broken file whose very file name holds a raw ESC.
fn hostile_project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    let p = dir.path().join("force-app");
    std::fs::create_dir_all(&p).unwrap();
    let profile = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Profile xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n    <description>{RED}red{CLEAR}{TITLE}{CSI}{BIDI}txt.exe</description>\n    <userLicense>Salesforce Integration</userLicense>\n</Profile>\n"
    );
    let files = [
        (
            "Evil%1B%5B31m%1B%5D0%3Bpwned%07 Integration.profile-meta.xml".to_owned(),
            profile,
        ),
        (
            "Sync_A.connectedApp-meta.xml".to_owned(),
            app(&format!("svc{RED}{TITLE}@acme.example")),
        ),
        (
            "Sync_B.connectedApp-meta.xml".to_owned(),
            app(&format!("svc{RED}{TITLE}@acme.example")),
        ),
        (
            format!("Raw{CLEAR}.profile-meta.xml"),
            format!("<Profile>\n    <custom>{TITLE}"),
        ),
    ];
    for (name, text) in files {
        std::fs::write(p.join(name), text).unwrap();
    }
    dir
}

fn check_hostile(dir: &Path, args: &[&str]) -> std::process::Output {
    minpriv()
        .current_dir(dir)
        .arg("check")
        .args(args)
        .output()
        .unwrap()
}

/// Control characters a terminal acts on, other than the line feed.
fn controls(text: &str) -> Vec<char> {
    text.chars()
        .filter(|&c| {
            (c.is_control() && c != '\n')
                || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
        })
        .collect()
}

#[test]
fn escape_sequences_in_metadata_never_reach_the_terminal() {
    let dir = hostile_project();
    let out = check_hostile(dir.path(), &["--color", "never"]);
    assert_eq!(out.status.code(), Some(2), "the broken file fails the run");
    let text = stdout(&out);
    // The report is there, about the hostile things...
    assert!(text.contains("NET001 missing-login-ip-ranges"), "{text}");
    assert!(text.contains("IDN001 shared-integration-user"), "{text}");
    assert!(text.contains("Evil"), "{text}");
    // ...and holds no control character at all, on stdout or stderr.
    assert_eq!(controls(&text), [], "{text}");
    assert_eq!(controls(&stderr(&out)), [], "{}", stderr(&out));
    // Quoted names show the escapes as text.
    assert!(
        text.contains("Evil\\u{1b}[31m\\u{1b}]0;pwned\\u{7} Integration"),
        "{text}"
    );
    assert!(text.contains("Raw\\u{1b}[2J.profile-meta.xml"), "{text}");

    // In colour, minpriv's own colour codes are there, never the planted
    // ones.
    let out = check_hostile(dir.path(), &["--color", "always"]);
    let text = stdout(&out);
    assert!(text.contains('\u{1b}'), "coloured output");
    for planted in [CLEAR, TITLE, CSI, BIDI, "\u{1b}]", "\u{7}"] {
        assert!(!text.contains(planted), "{planted:?} in\n{text}");
        assert!(!stderr(&out).contains(planted), "{planted:?} on stderr");
    }
}

#[test]
fn json_escapes_every_control_character() {
    let dir = hostile_project();
    let out = check_hostile(dir.path(), &["--format", "json"]);
    assert_eq!(out.status.code(), Some(2));
    let raw = stdout(&out);
    assert_eq!(controls(&raw), [], "raw control characters in JSON");
    assert!(raw.contains("\\u001b[31m"), "{raw}");
    // Escaped, not lost: the strings read back exactly.
    let doc: serde_json::Value = serde_json::from_str(&raw).unwrap();
    let messages: Vec<&str> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    assert!(
        messages
            .iter()
            .any(|m| m.contains(&format!("Evil{RED}{TITLE} Integration"))),
        "{messages:?}"
    );
    assert!(
        messages
            .iter()
            .any(|m| m.contains(&format!("svc{RED}{TITLE}@acme.example"))),
        "{messages:?}"
    );
    let files: Vec<&str> = doc["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["file"].as_str().unwrap())
        .collect();
    assert_eq!(files, [format!("force-app/Raw{CLEAR}.profile-meta.xml")]);
}

#[test]
fn an_existing_output_file_is_replaced_whole() {
    let out_dir = tempfile::tempdir().unwrap();
    let report = out_dir.path().join("minpriv.json");
    // Longer than the report: a writer that truncated in place and died,
    // or wrote without truncating, would leave some of it.
    std::fs::write(&report, "x".repeat(1 << 20)).unwrap();
    let expected = run(&["check", "testdata/acme", "--format", "json"]).stdout;
    let out = run(&[
        "check",
        "testdata/acme",
        "--format",
        "json",
        "-o",
        report.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    assert_eq!(std::fs::read(&report).unwrap(), expected);
    // The temporary file it was written through is gone.
    let left: Vec<_> = std::fs::read_dir(out_dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left, ["minpriv.json"]);
}

/// Every path below `dir` with its kind, length and modification time.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, (bool, u64, SystemTime)> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(path) = stack.pop() {
        let meta = std::fs::symlink_metadata(&path).unwrap();
        if meta.is_dir() {
            for entry in std::fs::read_dir(&path).unwrap() {
                stack.push(entry.unwrap().path());
            }
        }
        out.insert(
            path.strip_prefix(dir).unwrap().to_path_buf(),
            (meta.is_dir(), meta.len(), meta.modified().unwrap()),
        );
    }
    out
}

#[test]
fn the_checked_tree_is_never_written_to() {
    let tree = tempfile::tempdir().unwrap();
    copy_tree(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/acme"),
        tree.path(),
    );
    std::fs::create_dir(tree.path().join(".git")).unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    let report = elsewhere.path().join("report.json");
    let before = snapshot(tree.path());
    // mtimes have a coarse resolution on some file systems: make any
    // write during the runs show.
    std::thread::sleep(std::time::Duration::from_millis(20));
    let runs: [&[&str]; 4] = [
        &["check"],
        &["check", "--format", "json"],
        &["check", "--format", "json", "-o", report.to_str().unwrap()],
        &["check", "force-app", "--statistics", "--threads", "2"],
    ];
    for args in runs {
        let out = minpriv()
            .current_dir(tree.path())
            .args(args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{args:?}: {}", stderr(&out));
    }
    assert!(report.is_file());
    assert_eq!(snapshot(tree.path()), before);
}
