//! Every rule: its fixtures fire and stay silent as they must, its
//! catalogue entry exists, its documented examples behave, and the
//! generated rule reference is current.

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use common::*;

/// Where the fixtures of the rules live: `<CODE>/fail` and `<CODE>/pass`.
const FIXTURES: &str = "testdata/rules";

/// The rules with a fixture folder, in code order.
fn fixture_codes() -> Vec<String> {
    let mut codes: Vec<String> = std::fs::read_dir(FIXTURES)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    codes.sort();
    codes
}

/// The findings rule `code` must give on its `fail/` fixture, exactly:
/// `fail/expected.txt` beside the fixture, one `CODE path:line` a line.
fn expected_findings(code: &str) -> Vec<String> {
    let path = format!("{FIXTURES}/{code}/fail/expected.txt");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!("{path}: {e}: every rule's fail fixture lists its findings there, one `{code} path:line` a line")
    });
    let expected: Vec<String> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::to_owned)
        .collect();
    assert!(!expected.is_empty(), "{path} lists no finding");
    expected
}

fn implemented_codes() -> BTreeSet<String> {
    let out = run(&["rules", "--format", "json"]);
    let rules: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    rules
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_str().unwrap().to_owned())
        .collect()
}

/// The findings of rule `code` in a run of every rule on `dir` (the
/// exception rules judge what the other rules found).
fn findings_of(code: &str, dir: &str) -> Vec<String> {
    let (exit, doc) = check_json(&[dir]);
    assert!(exit == 0 || exit == 1, "{dir}: exit {exit}: {doc}");
    assert_eq!(doc["errors"].as_array().unwrap().len(), 0, "{dir}: {doc}");
    finding_lines(&doc)
        .into_iter()
        .filter(|l| l.starts_with(&format!("{code} ")))
        .collect()
}

#[test]
fn fail_fixtures_fire_exactly() {
    for code in fixture_codes() {
        let expected = expected_findings(&code);
        let dir = format!("{FIXTURES}/{code}/fail");
        assert_eq!(findings_of(&code, &dir), expected, "{dir}");
    }
}

#[test]
fn pass_fixtures_stay_silent() {
    for code in fixture_codes() {
        let dir = format!("{FIXTURES}/{code}/pass");
        assert_eq!(findings_of(&code, &dir), Vec::<String>::new(), "{dir}");
    }
}

#[test]
fn catalogue_fixtures_and_rules_are_in_step() {
    let implemented = implemented_codes();
    let catalogue: BTreeSet<String> = std::fs::read_dir("rules")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        implemented, catalogue,
        "every rules/*.md has a rule and every rule an entry"
    );
    let tested: BTreeSet<String> = fixture_codes().into_iter().collect();
    assert_eq!(
        implemented, tested,
        "every rule has a fixture folder in {FIXTURES} and every fixture folder a rule"
    );
    for code in &implemented {
        for case in ["fail", "pass"] {
            assert!(
                Path::new(&format!("{FIXTURES}/{code}/{case}")).is_dir(),
                "{FIXTURES}/{code}/{case} is missing"
            );
        }
        expected_findings(code);
    }
}

/// Where an example file goes in a throw-away project, by root element.
fn example_path(xml: &str) -> &'static str {
    let roots = [
        ("<Profile", "profiles/Example Integration.profile-meta.xml"),
        (
            "<PermissionSetGroup",
            "permissionsetgroups/Example.permissionsetgroup-meta.xml",
        ),
        (
            "<PermissionSet",
            "permissionsets/Example.permissionset-meta.xml",
        ),
        (
            "<MutingPermissionSet",
            "mutingpermissionsets/Example.mutingpermissionset-meta.xml",
        ),
        (
            "<ConnectedApp",
            "connectedApps/Example.connectedApp-meta.xml",
        ),
        (
            "<NamedCredential",
            "namedCredentials/Example.namedCredential-meta.xml",
        ),
    ];
    roots
        .iter()
        .find(|(root, _)| xml.contains(root))
        .map(|(_, path)| *path)
        .unwrap_or_else(|| panic!("no file type for example:\n{xml}"))
}

fn examples(code: &str) -> Vec<(String, String)> {
    let doc = std::fs::read_to_string(format!("rules/{code}.md")).unwrap();
    let mut out = vec![];
    let mut rest = doc.as_str();
    while let Some(open) = rest.find("```") {
        let after = &rest[open + 3..];
        let nl = after.find('\n').unwrap();
        let info = after[..nl].trim().to_owned();
        let body = &after[nl + 1..];
        let close = body.find("\n```").unwrap();
        out.push((info, body[..close + 1].to_owned()));
        rest = &body[close + 4..];
    }
    out
}

/// The org snapshot directory of an example project.
const SNAPSHOT_DIR: &str = "org-snapshot";

/// Writes one example block into a throw-away project: `toml` is the
/// inventory, `xml` a metadata file, `csv` and `json` a file of the org
/// snapshot (`n` keeps the example's snapshot files apart).
fn write_example(dir: &Path, code: &str, info: &str, body: &str, n: usize) {
    match info.split_whitespace().next() {
        Some("toml") => std::fs::write(dir.join("minpriv.toml"), body).unwrap(),
        Some(format @ ("csv" | "json")) => {
            let snapshot = dir.join(SNAPSHOT_DIR);
            std::fs::create_dir_all(&snapshot).unwrap();
            std::fs::write(snapshot.join(format!("example-{n}.{format}")), body).unwrap();
        }
        Some("forceignore") => std::fs::write(dir.join(".forceignore"), body).unwrap(),
        Some("xml") => {
            let path = dir.join("force-app/main/default").join(example_path(body));
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, body).unwrap();
        }
        other => panic!("rules/{code}.md: unknown example language {other:?}"),
    }
}

#[test]
fn documented_examples_behave() {
    for code in implemented_codes() {
        let examples = examples(&code);
        assert!(
            examples.iter().any(|(i, _)| i.ends_with(" bad"))
                && examples.iter().any(|(i, _)| i.ends_with(" good")),
            "rules/{code}.md needs a bad and a good example"
        );
        // A block marked neither bad nor good (e.g. the inventory a rule
        // needs) is context: it goes into every example's project.
        let is_case = |info: &str| info.ends_with(" bad") || info.ends_with(" good");
        let (cases, context): (Vec<_>, Vec<_>) =
            examples.into_iter().partition(|(info, _)| is_case(info));
        for (info, body) in cases {
            let dir = tempfile::tempdir().unwrap();
            // A project boundary, so no minpriv.toml above is picked up.
            std::fs::create_dir(dir.path().join(".git")).unwrap();
            for (n, (context_info, context_body)) in context.iter().enumerate() {
                write_example(dir.path(), &code, context_info, context_body, n);
            }
            write_example(dir.path(), &code, &info, &body, context.len());
            // The exception rules judge the exceptions of rules that ran.
            let select = if code.starts_with("EXC") {
                format!("{code},NET001")
            } else {
                code.clone()
            };
            let mut args = vec!["--select", select.as_str()];
            if dir.path().join(SNAPSHOT_DIR).is_dir() {
                args.extend(["--org-data", SNAPSHOT_DIR]);
            }
            let (_, doc) = check_json_in(dir.path(), &args);
            assert_eq!(
                doc["errors"].as_array().unwrap().len(),
                0,
                "{code} {info}: {doc}"
            );
            let fired = doc["findings"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|f| f["rule"] == code.as_str())
                .count();
            if info.ends_with(" bad") {
                assert!(fired > 0, "rules/{code}.md: the bad example must fire");
            } else {
                assert_eq!(
                    fired, 0,
                    "rules/{code}.md: the good example must not fire: {doc}"
                );
            }
        }
    }
}

#[test]
fn rule_reference_is_current() {
    let out = run(&["rules", "--format", "markdown"]);
    let generated = stdout(&out);
    let committed = std::fs::read_to_string("docs/rules.md").unwrap_or_default();
    assert!(
        committed == generated,
        "docs/rules.md is out of date: run `cargo run -- rules --format markdown > docs/rules.md`"
    );
}

/// The `not_evaluated` entries of the USE rules in a run on `dir`.
fn usage_not_evaluated(dir: &str, extra: &[&str]) -> Vec<(String, String)> {
    let mut args = vec![dir];
    args.extend(extra);
    let (exit, doc) = check_json(&args);
    assert!(exit == 0 || exit == 1, "{dir}: exit {exit}: {doc}");
    doc["summary"]["not_evaluated"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["rule"].as_str().unwrap().starts_with("USE"))
        .map(|n| {
            (
                n["rule"].as_str().unwrap().to_owned(),
                n["reason"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[test]
fn usage_rules_without_enough_logs_are_not_evaluated() {
    // Twelve days of logs: USE001 is not evaluated, saying why; the
    // others run.
    assert_eq!(
        usage_not_evaluated("testdata/rules/USE001/short", &[]),
        [(
            "USE001".to_owned(),
            "needs API usage logs covering at least 30 days (min-usage-days); the logs cover 12 days, 2026-11-05 to 2026-11-16".to_owned()
        )]
    );
    assert_eq!(
        findings_of("USE001", "testdata/rules/USE001/short"),
        Vec::<String>::new()
    );
    // A snapshot without any usage log: none of them.
    let none = "needs usage logs in the org snapshot".to_owned();
    assert_eq!(
        usage_not_evaluated("testdata/rules/ORG003/fail", &[]),
        [
            ("USE001".to_owned(), none.clone()),
            ("USE002".to_owned(), none.clone()),
            ("USE003".to_owned(), none),
        ]
    );
}
