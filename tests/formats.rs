//! The CI formats on the sample org: SARIF against the official schema,
//! exact GitHub / GitLab / JUnit output, escaping, input errors, and
//! several `--format F -o FILE` pairs in one run.

mod common;

use std::path::Path;

use common::*;
use serde_json::Value;

const SCHEMA: &str = "tests/schemas/sarif-schema-2.1.0.json";

fn check(args: &[&str]) -> (i32, String) {
    let mut a = vec!["check"];
    a.extend_from_slice(args);
    let out = run(&a);
    (out.status.code().unwrap_or(-1), stdout(&out))
}

fn check_in(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = minpriv()
        .current_dir(dir)
        .arg("check")
        .args(args)
        .output()
        .expect("minpriv runs");
    (out.status.code().unwrap_or(-1), stdout(&out), stderr(&out))
}

/// Every violation of the official SARIF 2.1.0 schema, formats included.
fn schema_violations(doc: &Value) -> Vec<String> {
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(SCHEMA)).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("the vendored schema compiles");
    validator
        .iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

fn sarif(args: &[&str]) -> (i32, Value) {
    let mut a = args.to_vec();
    a.extend_from_slice(&["--format", "sarif"]);
    let (code, out) = check(&a);
    (code, serde_json::from_str(&out).expect("SARIF is JSON"))
}

#[test]
fn sarif_of_the_sample_org_is_valid_sarif_2_1_0() {
    let (code, doc) = sarif(&["testdata/acme"]);
    assert_eq!(code, 1);
    assert_eq!(schema_violations(&doc), Vec::<String>::new());
    assert_eq!(doc["version"], "2.1.0");
    assert_eq!(doc["runs"].as_array().unwrap().len(), 1);
}

#[test]
fn sarif_results_carry_what_code_scanning_needs() {
    let (_, doc) = sarif(&["testdata/acme"]);
    let (_, json) = check_json(&["testdata/acme"]);
    let run = &doc["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let results = run["results"].as_array().unwrap();
    let findings = json["findings"].as_array().unwrap();
    assert_eq!(results.len(), findings.len());
    assert_eq!(run["tool"]["driver"]["name"], "minpriv");
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    assert_eq!(run["invocations"][0]["executionSuccessful"], true);

    for (result, finding) in results.iter().zip(findings) {
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(result["ruleId"], finding["rule"]);
        assert_eq!(
            rules[index]["id"], finding["rule"],
            "ruleIndex points at the rule"
        );
        let level = match finding["severity"].as_str().unwrap() {
            "error" => "error",
            "warning" => "warning",
            _ => "note",
        };
        assert_eq!(result["level"], level);
        assert_eq!(result["message"]["text"], finding["message"]);
        assert_eq!(
            result["partialFingerprints"]["minpriv/v1"],
            finding["fingerprint"]
        );
        let physical = &result["locations"][0]["physicalLocation"];
        assert_eq!(physical["artifactLocation"]["uriBaseId"], "%SRCROOT%");
        assert_eq!(
            physical["artifactLocation"]["uri"],
            finding["file"].as_str().unwrap().replace(' ', "%20"),
            "the JSON output's path, as a URI"
        );
        let region = &physical["region"];
        assert_eq!(region["startLine"], finding["line"]);
        assert_eq!(region["startColumn"], finding["column"]);
        assert_eq!(region["endLine"], finding["end_line"]);
        assert_eq!(region["endColumn"], finding["end_column"]);
    }

    // IDN001 names the other claimant of the user as a related location.
    let idn001 = results.iter().find(|r| r["ruleId"] == "IDN001").unwrap();
    let related = &idn001["relatedLocations"][0];
    assert_eq!(related["id"], 1);
    assert_eq!(
        related["physicalLocation"]["artifactLocation"]["uri"],
        "testdata/acme/minpriv.toml"
    );
    assert_eq!(related["physicalLocation"]["region"]["startLine"], 55);
    assert_eq!(
        related["message"]["text"],
        "user of integration data-warehouse"
    );

    let codes: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(
        codes.len(),
        json["summary"]["rules"].as_u64().unwrap() as usize
            + json["summary"]["not_evaluated"].as_array().unwrap().len()
    );
    for rule in rules {
        let code = rule["id"].as_str().unwrap();
        for key in ["name", "shortDescription", "fullDescription", "help"] {
            assert!(!rule[key].is_null(), "{code} lacks {key}");
        }
        assert!(
            rule["help"]["markdown"]
                .as_str()
                .unwrap()
                .contains("## How to fix it")
        );
        let severity = rule["properties"]["security-severity"].as_str().unwrap();
        let expected = match rule["defaultConfiguration"]["level"].as_str().unwrap() {
            "error" => "8.0",
            "warning" => "5.0",
            _ => "2.0",
        };
        assert_eq!(severity, expected, "{code}");
        let tags: Vec<&str> = rule["properties"]["tags"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t.as_str().unwrap())
            .collect();
        assert_eq!(tags[0], "security");
        assert_eq!(tags[1], &code[..3], "the family");
    }
    let net001 = rules.iter().find(|r| r["id"] == "NET001").unwrap();
    assert_eq!(net001["name"], "missing-login-ip-ranges");
    assert!(
        net001["properties"]["tags"]
            .as_array()
            .unwrap()
            .contains(&Value::from("SBS-ACS-009")),
        "SBS ids are tags"
    );
}

/// A throw-away project: one broken profile, one clean file, and a file
/// name that needs escaping everywhere.
fn awkward_project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let profiles = dir.path().join("force-app/main/default/profiles");
    std::fs::create_dir_all(&profiles).unwrap();
    std::fs::write(
        dir.path().join("sfdx-project.json"),
        r#"{"packageDirectories": [{"path": "force-app", "default": true}]}"#,
    )
    .unwrap();
    std::fs::write(
        profiles.join("Broken.profile-meta.xml"),
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Profile xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n    <custom>true",
    )
    .unwrap();
    // Decodes to the profile `Sync: EU, 100% <API>`.
    std::fs::write(
        profiles.join("Sync%3A EU, 100%25 <API>.profile-meta.xml"),
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Profile xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n    <custom>true</custom>\n    <userLicense>Salesforce Integration</userLicense>\n    <userPermissions>\n        <enabled>true</enabled>\n        <name>ApiUserOnly</name>\n    </userPermissions>\n</Profile>\n",
    )
    .unwrap();
    dir
}

#[test]
fn sarif_with_input_errors_is_valid_and_unsuccessful() {
    let dir = awkward_project();
    let (code, out, _) = check_in(dir.path(), &["--format", "sarif", "--select", "NET001"]);
    assert_eq!(code, 2);
    let doc: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(schema_violations(&doc), Vec::<String>::new());
    let invocation = &doc["runs"][0]["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], false);
    let notes = invocation["toolExecutionNotifications"].as_array().unwrap();
    assert_eq!(notes.len(), 1);
    assert_eq!(notes[0]["level"], "error");
    assert_eq!(notes[0]["descriptor"]["id"], "input-error");
    assert_eq!(
        notes[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "force-app/main/default/profiles/Broken.profile-meta.xml"
    );
    let result = &doc["runs"][0]["results"][0];
    assert_eq!(
        result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "force-app/main/default/profiles/Sync%253A%20EU,%20100%2525%20%3CAPI%3E.profile-meta.xml"
    );
}

#[test]
fn github_annotations_of_the_sample_org() {
    let (code, out) = check(&["testdata/acme", "--format", "github"]);
    assert_eq!(code, 1);
    assert!(out.lines().all(|l| l.starts_with("::error file=")
        || l.starts_with("::warning file=")
        || l.starts_with("::notice file=")));
    insta::assert_snapshot!("acme_github", out);
}

#[test]
fn github_escapes_properties_and_messages() {
    let dir = awkward_project();
    let (code, out, _) = check_in(dir.path(), &["--format", "github", "--select", "NET001"]);
    assert_eq!(code, 2);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2, "{out}");
    assert_eq!(
        lines[0],
        "::error file=force-app/main/default/profiles/Sync%253A EU%2C 100%2525 <API>.profile-meta.xml,line=2,col=1,endLine=2,endColumn=9,title=NET001 missing-login-ip-ranges::integration profile `Sync: EU, 100%25 <API>` has no login IP ranges%0AAdd login IP ranges that cover only the integration's egress addresses (Setup > Profiles > Login IP Ranges)."
    );
    // The parser's wording is its own; the shape is this format's.
    assert!(
        lines[1].starts_with(
            "::error file=force-app/main/default/profiles/Broken.profile-meta.xml,line=3,col=5,endLine=3,endColumn="
        ),
        "{}",
        lines[1]
    );
    assert!(
        lines[1].contains(",title=minpriv input error::unexpected end of file"),
        "{}",
        lines[1]
    );
}

#[test]
fn gitlab_code_quality_of_the_sample_org() {
    let (code, out) = check(&["testdata/acme", "--format", "gitlab"]);
    assert_eq!(code, 1);
    let doc: Value = serde_json::from_str(&out).unwrap();
    let issues = doc.as_array().unwrap();
    let mut fingerprints: Vec<&str> = issues
        .iter()
        .map(|i| i["fingerprint"].as_str().unwrap())
        .collect();
    for issue in issues {
        for key in ["description", "check_name", "fingerprint", "severity"] {
            assert!(issue[key].is_string(), "{issue}");
        }
        assert!(issue["location"]["path"].is_string());
        assert!(issue["location"]["lines"]["begin"].as_u64().unwrap() >= 1);
        assert!(
            ["info", "minor", "major", "critical", "blocker"]
                .contains(&issue["severity"].as_str().unwrap())
        );
    }
    fingerprints.sort();
    fingerprints.dedup();
    assert_eq!(fingerprints.len(), issues.len(), "fingerprints are unique");
    insta::assert_snapshot!("acme_gitlab", out);
}

#[test]
fn gitlab_reports_unreadable_input_as_a_blocker() {
    let dir = awkward_project();
    let (code, out, _) = check_in(dir.path(), &["--format", "gitlab", "--select", "NET001"]);
    assert_eq!(code, 2);
    let doc: Value = serde_json::from_str(&out).unwrap();
    let blocker = doc
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["severity"] == "blocker")
        .expect("a blocker");
    assert_eq!(blocker["check_name"], "minpriv/input-error");
    assert_eq!(
        blocker["location"]["path"],
        "force-app/main/default/profiles/Broken.profile-meta.xml"
    );
    assert_eq!(blocker["location"]["lines"]["begin"], 3);
}

#[test]
fn junit_of_the_sample_org() {
    let (code, out) = check(&[
        "testdata/acme",
        "--format",
        "junit",
        "--select",
        "IDN001,NET001,PRF001",
    ]);
    assert_eq!(code, 1);
    assert!(!out.contains("time="), "no durations");
    assert!(!out.contains("timestamp"), "no timestamps");
    assert_well_formed(&out);
    insta::assert_snapshot!("acme_junit", out);
}

/// Parses XML to the end: every element closed, every entity known.
fn assert_well_formed(xml: &str) {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut depth = 0i32;
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Start(_)) => depth += 1,
            Ok(quick_xml::events::Event::End(_)) => depth -= 1,
            Ok(quick_xml::events::Event::GeneralRef(r)) => {
                assert!(
                    ["lt", "gt", "amp", "apos", "quot"].contains(&&*r),
                    "unknown entity {}",
                    &*r
                );
            }
            Ok(quick_xml::events::Event::Eof) => break,
            Ok(_) => {}
            Err(e) => panic!("not well-formed at {}: {e}", reader.buffer_position()),
        }
    }
    assert_eq!(depth, 0, "every element is closed");
}

#[test]
fn junit_marks_skipped_rules_and_unreadable_inputs() {
    let dir = awkward_project();
    let (code, out, _) = check_in(dir.path(), &["--format", "junit", "--select", "NET001"]);
    assert_eq!(code, 2);
    assert_well_formed(&out);
    let (rules, inputs) = out.split_at(out.find("  <testsuite name=\"minpriv input\"").unwrap());
    assert_eq!(
        rules,
        r#"<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="minpriv" tests="2" failures="1" errors="1" skipped="0">
  <testsuite name="NET001 missing-login-ip-ranges" tests="1" failures="1" errors="0" skipped="0">
    <testcase name="force-app/main/default/profiles/Sync%3A EU, 100%25 &lt;API&gt;.profile-meta.xml" classname="minpriv.NET001">
      <failure message="integration profile `Sync: EU, 100% &lt;API&gt;` has no login IP ranges" type="error">force-app/main/default/profiles/Sync%3A EU, 100%25 &lt;API&gt;.profile-meta.xml:2:1: error: integration profile `Sync: EU, 100% &lt;API&gt;` has no login IP ranges
  help: Add login IP ranges that cover only the integration's egress addresses (Setup &gt; Profiles &gt; Login IP Ranges).</failure>
    </testcase>
  </testsuite>
"#
    );
    // The parser's wording is its own; the shape is this format's.
    assert!(
        inputs.starts_with(
            r#"  <testsuite name="minpriv input" tests="1" failures="0" errors="1" skipped="0">
    <testcase name="force-app/main/default/profiles/Broken.profile-meta.xml" classname="minpriv.input">
      <error message="unexpected end of file"#
        ),
        "{inputs}"
    );
    assert!(
        inputs.contains(
            r#"type="input-error">force-app/main/default/profiles/Broken.profile-meta.xml:3:5: "#
        ),
        "{inputs}"
    );
    assert!(inputs.ends_with("</error>\n    </testcase>\n  </testsuite>\n</testsuites>\n"));
}

#[test]
fn several_formats_in_one_run() {
    let dir = tempfile::tempdir().unwrap();
    let sarif = dir.path().join("minpriv.sarif");
    let junit = dir.path().join("junit.xml");
    let out = run(&[
        "check",
        "testdata/acme",
        "--format",
        "sarif",
        "-o",
        sarif.to_str().unwrap(),
        "--format",
        "github",
        "--format",
        "junit",
        "-o",
        junit.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let (_, github) = check(&["testdata/acme", "--format", "github"]);
    assert_eq!(stdout(&out), github, "the format without -o goes to stdout");
    let (_, alone) = check(&["testdata/acme", "--format", "sarif"]);
    assert_eq!(std::fs::read_to_string(&sarif).unwrap(), alone);
    let (_, alone) = check(&["testdata/acme", "--format", "junit"]);
    assert_eq!(std::fs::read_to_string(&junit).unwrap(), alone);
}

#[test]
fn one_format_and_its_file_pair_in_either_order() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("out.json");
    let out = run(&[
        "check",
        "testdata/acme",
        "-o",
        file.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).is_empty());
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(doc["version"], 1);
    // Text to a file has no colour even when asked for.
    let out = run(&[
        "check",
        "testdata/acme",
        "--color",
        "always",
        "-o",
        file.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(!std::fs::read_to_string(&file).unwrap().contains('\u{1b}'));
}

#[test]
fn mispaired_formats_are_usage_errors() {
    let cases: &[(&[&str], &str)] = &[
        (
            &["--format", "json", "--format", "sarif"],
            "only one format can go to standard output, not json and sarif",
        ),
        (
            &["-o", "a.json", "--format", "json", "--format", "sarif"],
            "-o a.json comes before any --format",
        ),
        (
            &[
                "--format", "json", "-o", "a", "-o", "b", "--format", "sarif",
            ],
            "--format json has two -o files (a and b)",
        ),
        (
            &[
                "--format", "json", "-o", "a", "--format", "sarif", "-o", "a",
            ],
            "a is named by -o twice",
        ),
        (&["-o", "a", "-o", "b"], "several -o files for one --format"),
    ];
    for (args, message) in cases {
        let mut a = vec!["check", "testdata/acme"];
        a.extend_from_slice(args);
        let out = run(&a);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(stderr(&out).contains(message), "{args:?}: {}", stderr(&out));
        assert!(stdout(&out).is_empty());
    }
}

#[test]
fn every_format_is_identical_whatever_the_thread_count() {
    for format in ["sarif", "github", "gitlab", "junit"] {
        let one = run(&[
            "check",
            "testdata/acme",
            "--threads",
            "1",
            "--format",
            format,
        ]);
        let four = run(&[
            "check",
            "testdata/acme",
            "--threads",
            "4",
            "--format",
            format,
        ]);
        assert_eq!(one.stdout, four.stdout, "{format}");
    }
}
