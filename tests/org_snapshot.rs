//! The org snapshot end to end: the sample org's snapshot in both forms,
//! rules reported as not evaluated without one, broken exports.

mod common;

use std::path::Path;

use common::*;
use serde_json::Value;

const JSON_SNAPSHOT: &str = "testdata/acme/org-snapshot";
const CSV_SNAPSHOT: &str = "testdata/acme/org-snapshot-csv";

/// The findings the snapshot adds to the sample org: each new rule once.
const SNAPSHOT_FINDINGS: &[&str] = &[
    "ORG003 testdata/acme/org-snapshot/permission-set-assignments.json:132",
    "ORG001 testdata/acme/org-snapshot/users.json:35",
    "LIC001 testdata/acme/org-snapshot/users.json:130",
    "ORG002 testdata/acme/org-snapshot/users.json:157",
];

fn with_snapshot(dir: &str) -> (i32, Value) {
    check_json(&["testdata/acme", "--org-data", dir])
}

#[test]
fn the_sample_snapshot_trips_each_org_rule_once() {
    let (code, doc) = with_snapshot(JSON_SNAPSHOT);
    assert_eq!(code, 1);
    assert_eq!(doc["errors"].as_array().unwrap().len(), 0, "{doc}");
    let lines: Vec<String> = finding_lines(&doc)
        .into_iter()
        .filter(|l| l.contains("/org-snapshot/"))
        .collect();
    assert_eq!(lines, SNAPSHOT_FINDINGS);
    assert_eq!(doc["summary"]["not_evaluated"], usage_rules_not_evaluated());
    assert_eq!(
        doc["summary"]["files"], 28,
        "25 metadata files and 3 exports"
    );
    let messages: Vec<&str> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["file"].as_str().unwrap().contains("/org-snapshot/"))
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    assert_eq!(
        messages,
        [
            "the org assigns the permission set `Marketing_Cloud_Setup` to user `mc.sync@acme.example`, but minpriv.toml does not declare it for integration marketing-cloud (it is not in the checked metadata, so its access is unknown)",
            "user `erp.integration@acme.example` of integration legacy-erp is inactive in the org",
            "user `svc.docusign@acme.example` is on the Salesforce Integration licence and holds 2 permission sets (DocuSign_Envelopes, DocuSign_Read), but no `Salesforce API Integration` permission set licence (integration docusign)",
            "integration user `svc.dw@acme.example` last logged in on 2026-06-01, 179 days before 2026-11-27 (stale-after-days = 90) (integrations Tableau_Export, data-warehouse)",
        ]
    );
}

#[test]
fn the_clean_integration_stays_clean_with_the_snapshot() {
    let (_, doc) = with_snapshot(JSON_SNAPSHOT);
    for f in doc["findings"].as_array().unwrap() {
        assert_ne!(f["integration"], "orders-sync", "{f}");
        assert!(
            !f["message"].as_str().unwrap().contains("svc.orders"),
            "{f}"
        );
    }
}

/// What a finding says, whatever file and line it is reported at.
fn substance(doc: &Value) -> Vec<String> {
    let mut out: Vec<String> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            format!(
                "{} {} {} {} {} {}",
                f["rule"],
                f["severity"],
                f["integration"],
                f["component"],
                f["fingerprint"],
                f["message"]
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn json_and_csv_snapshots_give_identical_findings() {
    let (json_code, json) = with_snapshot(JSON_SNAPSHOT);
    let (csv_code, csv) = with_snapshot(CSV_SNAPSHOT);
    assert_eq!(json_code, csv_code);
    assert_eq!(json["summary"], csv["summary"]);
    assert_eq!(substance(&json), substance(&csv));
    // The CSV findings point at the row.
    let csv_lines: Vec<String> = finding_lines(&csv)
        .into_iter()
        .filter(|l| l.contains("/org-snapshot-csv/"))
        .collect();
    assert_eq!(
        csv_lines,
        [
            "ORG003 testdata/acme/org-snapshot-csv/permission-set-assignments.csv:7",
            "ORG001 testdata/acme/org-snapshot-csv/users.csv:3",
            "LIC001 testdata/acme/org-snapshot-csv/users.csv:7",
            "ORG002 testdata/acme/org-snapshot-csv/users.csv:8",
        ]
    );
}

#[test]
fn without_a_snapshot_the_org_rules_are_not_evaluated() {
    let (_, doc) = check_json(&["testdata/acme"]);
    let not_evaluated = &doc["summary"]["not_evaluated"];
    let reason = "needs the org snapshot (--org-data)";
    assert_eq!(
        *not_evaluated,
        serde_json::json!([
            {"rule": "LIC001", "reason": reason},
            {"rule": "ORG001", "reason": reason},
            {"rule": "ORG002", "reason": reason},
            {"rule": "ORG003", "reason": reason},
            {"rule": "USE001", "reason": USAGE_REASON},
            {"rule": "USE002", "reason": USAGE_REASON},
            {"rule": "USE003", "reason": USAGE_REASON},
        ])
    );
}

#[test]
fn stale_logins_are_judged_against_now() {
    let ord002 = |now: &str| {
        let (_, doc) = check_json(&[
            "testdata/acme",
            "--org-data",
            JSON_SNAPSHOT,
            "--select",
            "ORG002",
            "--now",
            now,
        ]);
        finding_lines(&doc).len()
    };
    assert_eq!(ord002("2026-11-27"), 1);
    // 89 days after the last login: not yet stale.
    assert_eq!(ord002("2026-08-29"), 0);
}

const USERS_HEADER: &str =
    "Username,IsActive,UserType,LastLoginDate,Profile.Name,Profile.UserLicense.Name\n";

#[test]
fn csv_values_with_commas_quotes_and_newlines_import() {
    // A profile label with a comma, one with a quote and a line break: the
    // rows after them still point at the right line.
    let users = format!(
        "{USERS_HEADER}\
         ops.lead@acme.example,true,Standard,,\"Custom: Operations, EMEA\",Salesforce\n\
         jane.rep@acme.example,true,Standard,,\"Sales \"\"Field\"\"\nReps\",Salesforce\n\
         svc.erp@acme.example,true,Standard,,Minimum Access - API Only Integrations,Salesforce Integration\n"
    );
    let dir = project(&[("org-snapshot/users.csv", &users)]);
    let (code, doc) = check_json_in(dir.path(), &["--org-data", "org-snapshot"]);
    assert_eq!(code, 0, "{doc}");
    assert_eq!(doc["errors"].as_array().unwrap().len(), 0, "{doc}");
    assert_eq!(
        finding_lines(&doc),
        ["ORG002 org-snapshot/users.csv:5"],
        "only the integration user, on line 5 after a two-line row"
    );
    let f = &doc["findings"][0];
    assert_eq!(
        f["message"],
        "integration user `svc.erp@acme.example` has never logged in"
    );
    // The empty LastLoginDate cell: a zero-width place in the row.
    assert_eq!(
        (f["column"].clone(), f["end_column"].clone()),
        (36.into(), 36.into())
    );
}

#[test]
fn a_broken_export_is_a_located_error_and_the_rest_is_checked() {
    let dir = project(&[
        (
            "org-snapshot/users.csv",
            &format!(
                "{USERS_HEADER}svc.erp@acme.example,true,Standard,,Minimum Access - API Only Integrations,Salesforce Integration\n"
            ),
        ),
        (
            "org-snapshot/licences.json",
            "{\n  \"status\": 0,\n  \"result\": {\n    \"records\": [\n      {\"attributes\": {\"type\": \"PermissionSetLicenseAssign\"}",
        ),
        (
            "org-snapshot/assignments.csv",
            "Assignee.Username,PermissionSet.Name,PermissionSet.IsOwnedByProfile,PermissionSetGroup.DeveloperName\nsvc.erp@acme.example,ERP_Read,false\n",
        ),
    ]);
    let (code, doc) = check_json_in(dir.path(), &["--org-data", "org-snapshot"]);
    assert_eq!(code, 2, "{doc}");
    let errors: Vec<String> = doc["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            format!(
                "{}:{}:{}: {}",
                e["file"].as_str().unwrap(),
                e["line"],
                e["column"],
                e["message"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        errors,
        [
            "org-snapshot/assignments.csv:2:1: the row has 3 values, the header has 4",
            "org-snapshot/licences.json:5:59: invalid JSON: EOF while parsing an object",
        ]
    );
    assert_eq!(finding_lines(&doc), ["ORG002 org-snapshot/users.csv:2"]);

    let out = minpriv()
        .current_dir(dir.path())
        .args(["check", "--org-data", "org-snapshot", "--color", "never"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let text = stdout(&out);
    assert!(text.contains("licences.json:5:59]"), "{text}");
    assert!(
        text.contains("the file looks truncated; export it again"),
        "{text}"
    );
}

#[test]
fn unknown_record_types_are_skipped_with_a_note() {
    let dir = project(&[
        (
            "org-snapshot/users.csv",
            &format!(
                "{USERS_HEADER}svc.erp@acme.example,true,Standard,2026-11-26T05:00:12.000+0000,Minimum Access - API Only Integrations,Salesforce Integration\n"
            ),
        ),
        (
            "org-snapshot/profiles.csv",
            "Id,Name\n00e5g000000AdmAAA,System Administrator\n",
        ),
        ("org-snapshot/notes.txt", "not an export"),
    ]);
    let out = minpriv()
        .current_dir(dir.path())
        .args(["check", "--org-data", "org-snapshot"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(
            "minpriv: note: org-snapshot/profiles.csv: skipped 1 row whose columns (Id, Name) are no record type minpriv reads"
        ),
        "{}",
        stderr(&out)
    );
    assert!(
        closing_line(&out).starts_with("Checked 2 files"),
        "{}",
        closing_line(&out)
    );
}

#[test]
fn a_snapshot_without_users_leaves_the_org_rules_not_evaluated() {
    let dir = project(&[(
        "org-snapshot/licences.csv",
        "Assignee.Username,PermissionSetLicense.DeveloperName,PermissionSetLicense.MasterLabel\n",
    )]);
    let out = minpriv()
        .current_dir(dir.path())
        .args(["check", "--org-data", "org-snapshot", "--format", "json"])
        .output()
        .unwrap();
    assert!(
        stderr(&out).contains("holds no User records"),
        "{}",
        stderr(&out)
    );
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let codes: Vec<&str> = doc["summary"]["not_evaluated"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["rule"].as_str().unwrap())
        .collect();
    assert!(
        codes.contains(&"LIC001") && codes.contains(&"ORG002"),
        "{codes:?}"
    );
}

#[test]
fn a_missing_snapshot_directory_fails_closed() {
    let dir = project(&[]);
    let (code, doc) = check_json_in(dir.path(), &["--org-data", "no-such-dir"]);
    assert_eq!(code, 2);
    assert!(
        doc["errors"][0]["message"]
            .as_str()
            .unwrap()
            .starts_with("cannot read the org snapshot directory"),
        "{doc}"
    );
}

#[test]
fn the_config_names_the_snapshot_relative_to_itself() {
    let tmp = tempfile::tempdir().unwrap();
    copy_tree(Path::new("testdata/acme"), tmp.path());
    let config = tmp.path().join("minpriv.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(&config, format!("org-data = \"org-snapshot-csv\"\n{text}")).unwrap();
    // Run from elsewhere: the path is the config's, not the current directory's.
    let (_, doc) = check_json(&[tmp.path().to_str().unwrap()]);
    assert_eq!(doc["summary"]["not_evaluated"], usage_rules_not_evaluated());
    assert_eq!(
        finding_lines(&doc)
            .iter()
            .filter(|l| l.starts_with("ORG") || l.starts_with("LIC001"))
            .count(),
        4
    );
    // --org-data wins over the config.
    let (_, doc) = check_json(&[
        tmp.path().to_str().unwrap(),
        "--org-data",
        tmp.path().join("org-snapshot").to_str().unwrap(),
    ]);
    assert!(
        finding_lines(&doc)
            .iter()
            .any(|l| l.contains("org-snapshot/users.json")),
        "{doc}"
    );
}

#[test]
fn undeclared_integrations_need_an_inventory() {
    // Without [[integration]] entries everything is undeclared: not evaluated.
    let tmp = tempfile::tempdir().unwrap();
    copy_tree(Path::new("testdata/acme"), tmp.path());
    std::fs::remove_file(tmp.path().join("minpriv.toml")).unwrap();
    let (_, doc) = check_json_in(tmp.path(), &[]);
    assert!(
        doc["summary"]["not_evaluated"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["rule"] == "IDN005"),
        "{doc}"
    );
}
