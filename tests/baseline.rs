//! Baselines and the fingerprints behind them: a baseline of the sample org
//! hides exactly its findings, keeps hiding them after the metadata is
//! reformatted, reordered or moved to Metadata API format, and lets a new
//! finding through even when it shares a fingerprint with an old one.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::*;
use quick_xml::Reader;
use quick_xml::events::Event;
use serde_json::Value;

/// Exceptions in the sample org expire; fix "today".
const NOW: &str = "2026-01-01";

fn acme_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/acme"),
        dir.path(),
    );
    dir
}

fn check_in(dir: &Path, args: &[&str]) -> (i32, Value) {
    let mut a = vec!["--now", NOW];
    a.extend_from_slice(args);
    check_json_in(dir, &a)
}

/// The fingerprints a baseline records for a finding: one per element of
/// a grouped finding, else the finding's own.
fn element_fingerprints(f: &Value) -> Vec<&str> {
    match f["elements"].as_array() {
        Some(elements) => elements
            .iter()
            .map(|e| e["fingerprint"].as_str().unwrap())
            .collect(),
        None => vec![f["fingerprint"].as_str().unwrap()],
    }
}

/// `rule fingerprint` → how many findings (elements) have it.
fn fingerprints(doc: &Value) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    for f in doc["findings"].as_array().unwrap() {
        for fingerprint in element_fingerprints(f) {
            let key = format!("{} {fingerprint}", f["rule"].as_str().unwrap());
            *out.entry(key).or_default() += 1;
        }
    }
    out
}

fn write_baseline(dir: &Path, args: &[&str]) -> PathBuf {
    let file = dir.join("minpriv-baseline.json");
    let mut a = vec!["--write-baseline", file.to_str().unwrap()];
    a.extend_from_slice(args);
    let (code, _) = check_in(dir, &a);
    assert_eq!(code, 0, "writing a baseline accepts every finding");
    file
}

fn metadata_files(dir: &Path) -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.to_string_lossy().ends_with(".xml") {
                out.push(path);
            }
        }
    }
    let mut out = vec![];
    walk(dir, &mut out);
    out.sort();
    out
}

#[test]
fn a_baseline_hides_exactly_what_it_records() {
    let dir = acme_copy();
    let (code, before) = check_in(dir.path(), &[]);
    assert_eq!(code, 1);
    let shown = before["findings"].as_array().unwrap().len();
    let elements: usize = before["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| element_fingerprints(f).len())
        .sum();
    let suppressed = before["summary"]["suppressed"].as_u64().unwrap() as usize;
    assert!(shown > 0);

    let file = write_baseline(dir.path(), &[]);
    let baseline: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(baseline["version"], 1);
    assert_eq!(baseline["tool"]["name"], "minpriv");
    let entries = baseline["entries"].as_array().unwrap();
    let recorded: usize = entries
        .iter()
        .map(|e| e["count"].as_u64().unwrap() as usize)
        .sum();
    assert_eq!(
        recorded, elements,
        "every element of every shown finding, none the exceptions hid"
    );
    let net001 = entries
        .iter()
        .find(|e| e["rule"] == "NET001" && e["component"] == "Profile:Admin")
        .unwrap();
    assert_eq!(net001["integration"], "legacy-erp");
    assert_eq!(net001["count"], 1);
    assert_eq!(net001["fingerprint"].as_str().unwrap().len(), 16);

    let (code, after) = check_in(dir.path(), &["--baseline", file.to_str().unwrap()]);
    assert_eq!(code, 0, "nothing new");
    assert_eq!(after["findings"].as_array().unwrap().len(), 0);
    assert_eq!(
        after["summary"]["suppressed"].as_u64().unwrap() as usize,
        suppressed + shown,
        "baselined findings count as suppressed"
    );
    assert_eq!(after["summary"]["errors"], 0);
}

#[test]
fn writing_a_baseline_is_deterministic_and_sorted() {
    let dir = acme_copy();
    let file = write_baseline(dir.path(), &["--threads", "1"]);
    let one = std::fs::read_to_string(&file).unwrap();
    let file = write_baseline(dir.path(), &["--threads", "4"]);
    assert_eq!(one, std::fs::read_to_string(&file).unwrap());
    let doc: Value = serde_json::from_str(&one).unwrap();
    let keys: Vec<(String, String)> = doc["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["rule"].as_str().unwrap().to_owned(),
                e["component"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
}

#[test]
fn a_new_finding_with_a_known_fingerprint_still_shows() {
    let dir = acme_copy();
    let file = write_baseline(dir.path(), &[]);
    // The same profile a second time, in Metadata API format: its findings
    // have the same fingerprints as the original's.
    let profile = "Marketing Cloud Integration.profile";
    let copy = dir.path().join("force-app/main/default/copy");
    std::fs::create_dir_all(&copy).unwrap();
    std::fs::copy(
        dir.path()
            .join("force-app/main/default/profiles")
            .join(format!("{profile}-meta.xml")),
        copy.join(profile),
    )
    .unwrap();

    let (_, all) = check_in(dir.path(), &[]);
    let twice: Vec<String> = fingerprints(&all)
        .into_iter()
        .filter(|(_, n)| *n == 2)
        .map(|(k, _)| k)
        .collect();
    assert_eq!(
        twice.len(),
        8,
        "NET001, two PRF001, PRF002 and four ADM004: {twice:?}"
    );

    let (code, doc) = check_in(dir.path(), &["--baseline", file.to_str().unwrap()]);
    assert_eq!(code, 1, "the new NET001 fails the run");
    let left: Vec<String> = fingerprints(&doc).into_keys().collect();
    assert_eq!(left, twice, "one of each pair is new");

    // A baseline written with both copies present records count 2.
    let file = write_baseline(dir.path(), &[]);
    let baseline: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    let counts: Vec<u64> = baseline["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["component"] == "Profile:Marketing Cloud Integration")
        .map(|e| e["count"].as_u64().unwrap())
        .collect();
    assert_eq!(counts, [2; 8]);
    let (code, doc) = check_in(dir.path(), &["--baseline", file.to_str().unwrap()]);
    assert_eq!(code, 0);
    assert_eq!(doc["findings"].as_array().unwrap().len(), 0);
}

#[test]
fn a_malformed_baseline_is_an_error() {
    let dir = acme_copy();
    let cases: &[(&str, &str)] = &[
        ("{\"version\": 1, \"entries\": [", "is not a valid baseline"),
        ("[]", "is not a valid baseline"),
        (
            r#"{"version": 9, "tool": {"name": "minpriv", "version": "0"}, "entries": []}"#,
            "baseline version 9 is not supported",
        ),
        (
            r#"{"version": 1, "tool": {"name": "minpriv", "version": "0"}, "entries": [{"fingerprint": "ab", "rule": "NET001", "count": "one"}]}"#,
            "line 1 column",
        ),
    ];
    let file = dir.path().join("bad-baseline.json");
    for (text, message) in cases {
        std::fs::write(&file, text).unwrap();
        let out = minpriv()
            .current_dir(dir.path())
            .args(["check", "--baseline", file.to_str().unwrap()])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{text}");
        assert!(stderr(&out).contains(message), "{text}: {}", stderr(&out));
        assert!(
            stdout(&out).is_empty(),
            "no report from a run that cannot start"
        );
    }
    let out = minpriv()
        .current_dir(dir.path())
        .args(["check", "--baseline", "missing.json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("cannot read the baseline missing.json"));
}

// ---- fingerprints survive reformatting, reordering and a format change

/// The fingerprints of the sample org, and a baseline of them.
fn original() -> (BTreeMap<String, usize>, tempfile::TempDir, PathBuf) {
    let dir = acme_copy();
    let (_, doc) = check_in(dir.path(), &[]);
    let keep = tempfile::tempdir().unwrap();
    let file = keep.path().join("baseline.json");
    let (code, _) = check_in(dir.path(), &["--write-baseline", file.to_str().unwrap()]);
    assert_eq!(code, 0);
    (fingerprints(&doc), keep, file)
}

fn assert_same_fingerprints(dir: &Path, args: &[&str], what: &str) {
    let (expected, _keep, baseline) = original();
    let (code, doc) = check_in(dir, args);
    assert_eq!(doc["errors"].as_array().unwrap().len(), 0, "{what}: {doc}");
    assert_eq!(code, 1, "{what}");
    assert_eq!(fingerprints(&doc), expected, "{what}: fingerprints changed");

    let mut a = args.to_vec();
    a.extend_from_slice(&["--baseline", baseline.to_str().unwrap()]);
    let (code, doc) = check_in(dir, &a);
    assert_eq!(code, 0, "{what}: the old baseline still hides everything");
    assert_eq!(doc["findings"].as_array().unwrap().len(), 0, "{what}");
}

#[test]
fn fingerprints_survive_reformatting() {
    let dir = acme_copy();
    for file in metadata_files(dir.path()) {
        let text = std::fs::read_to_string(&file).unwrap();
        let mut lines = text.lines();
        let mut out = String::new();
        // A blank line after the declaration moves every element down;
        // tabs for indentation and CRLF line ends change every column.
        out.push_str(lines.next().unwrap());
        out.push_str("\r\n\r\n");
        for line in lines {
            let body = line.trim_start_matches(' ');
            let depth = (line.len() - body.len()) / 4;
            out.push_str(&"\t".repeat(depth));
            out.push_str(body);
            out.push_str("\r\n");
        }
        assert_ne!(out, text);
        std::fs::write(&file, out).unwrap();
    }
    let (_, doc) = check_in(dir.path(), &[]);
    let lines: Vec<u64> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["line"].as_u64().unwrap())
        .collect();
    assert!(lines.iter().all(|&l| l >= 3), "positions moved: {lines:?}");
    assert_same_fingerprints(dir.path(), &[], "reformatted");
}

/// An element with its raw start tag, and its children or text.
enum Node {
    Element {
        start: String,
        name: String,
        children: Vec<Node>,
    },
    Text(String),
}

fn parse_tree(text: &str) -> Node {
    let mut reader = Reader::from_str(text);
    reader.config_mut().trim_text(true);
    let mut stack: Vec<Node> = vec![Node::Element {
        start: String::new(),
        name: String::new(),
        children: vec![],
    }];
    loop {
        match reader.read_event().unwrap() {
            Event::Start(e) => stack.push(Node::Element {
                start: String::from(&*e),
                name: e.name().as_ref().to_owned(),
                children: vec![],
            }),
            Event::Empty(e) => {
                let node = Node::Element {
                    start: String::from(&*e),
                    name: e.name().as_ref().to_owned(),
                    children: vec![],
                };
                if let Some(Node::Element { children, .. }) = stack.last_mut() {
                    children.push(node);
                }
            }
            Event::Text(t) => {
                let text = String::from(&*t);
                if let Some(Node::Element { children, .. }) = stack.last_mut() {
                    children.push(Node::Text(text));
                }
            }
            Event::GeneralRef(r) => {
                let text = format!("&{};", &*r);
                if let Some(Node::Element { children, .. }) = stack.last_mut() {
                    children.push(Node::Text(text));
                }
            }
            Event::End(_) => {
                let node = stack.pop().unwrap();
                if let Some(Node::Element { children, .. }) = stack.last_mut() {
                    children.push(node);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    stack.pop().unwrap()
}

/// Writes a tree back with every element's child elements in reverse
/// order (leaf values keep their text).
fn write_reversed(node: &Node, depth: usize, out: &mut String) {
    let Node::Element {
        start,
        name,
        children,
    } = node
    else {
        return;
    };
    let indent = "    ".repeat(depth);
    let leaf = children.iter().all(|c| matches!(c, Node::Text(_)));
    if leaf {
        let text: String = children
            .iter()
            .map(|c| match c {
                Node::Text(t) => t.as_str(),
                Node::Element { .. } => "",
            })
            .collect();
        out.push_str(&format!("{indent}<{start}>{text}</{name}>\n"));
    } else {
        out.push_str(&format!("{indent}<{start}>\n"));
        for child in children.iter().rev() {
            write_reversed(child, depth + 1, out);
        }
        out.push_str(&format!("{indent}</{name}>\n"));
    }
}

#[test]
fn fingerprints_survive_element_reordering() {
    let dir = acme_copy();
    for file in metadata_files(dir.path()) {
        let text = std::fs::read_to_string(&file).unwrap();
        let Node::Element { children, .. } = parse_tree(&text) else {
            unreachable!()
        };
        let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        for root in &children {
            write_reversed(root, 0, &mut out);
        }
        std::fs::write(&file, out).unwrap();
    }
    // The reordering is real: the Lead entry now comes before Contact.
    let profile = std::fs::read_to_string(
        dir.path()
            .join("force-app/main/default/profiles/Marketing Cloud Integration.profile-meta.xml"),
    )
    .unwrap();
    assert!(profile.find("<object>Lead").unwrap() < profile.find("<object>Contact").unwrap());
    assert!(profile.find("<viewAllRecords>").unwrap() < profile.find("<allowCreate>").unwrap());
    assert_same_fingerprints(dir.path(), &[], "reordered");
}

#[test]
fn fingerprints_survive_a_move_to_metadata_api_format() {
    let source = acme_copy();
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("src");
    let default = source.path().join("force-app/main/default");
    for file in metadata_files(&default) {
        let rel = file.strip_prefix(&default).unwrap();
        let name = rel.to_str().unwrap().strip_suffix("-meta.xml").unwrap();
        let dest = src.join(name);
        std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
        std::fs::copy(&file, &dest).unwrap();
    }
    std::fs::write(
        src.join("package.xml"),
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Package xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n    <types>\n        <members>*</members>\n        <name>Profile</name>\n    </types>\n    <version>64.0</version>\n</Package>\n",
    )
    .unwrap();
    for keep in ["minpriv.toml", ".forceignore"] {
        std::fs::copy(source.path().join(keep), dir.path().join(keep)).unwrap();
    }
    assert!(src.join("profiles/Admin.profile").is_file());
    assert!(!dir.path().join("sfdx-project.json").exists());
    assert_same_fingerprints(
        dir.path(),
        &["src", "--config", "minpriv.toml"],
        "Metadata API format",
    );
}
