//! One root cause, one finding: a holder with many elements gives
//! one finding per rule that names them all, highest risk first, locates
//! each, and still counts per element in the baseline.

mod common;

use std::path::Path;

use common::*;
use serde_json::Value;

const ORG: &str = "testdata/grouping";
const PROFILE: &str = "force-app/main/default/profiles/Legacy Sync.profile-meta.xml";

fn org_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    copy_tree(&Path::new(env!("CARGO_MANIFEST_DIR")).join(ORG), dir.path());
    dir
}

fn findings_of<'a>(doc: &'a Value, rule: &str) -> Vec<&'a Value> {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == rule)
        .collect()
}

fn names(finding: &Value) -> Vec<&str> {
    finding["elements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap())
        .collect()
}

#[test]
fn each_holder_gives_one_finding_per_rule() {
    let (code, doc) = check_json(&[ORG]);
    assert_eq!(code, 1);
    let lines: Vec<String> = finding_lines(&doc)
        .into_iter()
        .map(|l| l.replace(&format!("{ORG}/force-app/main/default/"), ""))
        .collect();
    assert_eq!(
        lines,
        [
            "ADM003 permissionsets/Legacy_Sync_Extras.permissionset-meta.xml:12",
            "ADM002 permissionsets/Legacy_Sync_Extras.permissionset-meta.xml:30",
            "IDN003 profiles/Legacy Sync.profile-meta.xml:2",
            "PRF002 profiles/Legacy Sync.profile-meta.xml:7",
            "ADM003 profiles/Legacy Sync.profile-meta.xml:35",
            "PRF001 profiles/Legacy Sync.profile-meta.xml:35",
            "IDN004 profiles/Legacy Sync.profile-meta.xml:59",
            "ADM001 profiles/Legacy Sync.profile-meta.xml:82",
        ]
    );
}

#[test]
fn a_grouped_finding_names_every_element_highest_risk_first() {
    let (_, doc) = check_json(&[ORG]);
    let adm001 = findings_of(&doc, "ADM001");
    let [adm001] = adm001.as_slice() else {
        panic!("one ADM001 finding: {adm001:?}")
    };
    assert_eq!(
        adm001["message"],
        "integration profile `Legacy Sync` grants 7 administrator permissions: ModifyAllData, ViewAllData, ManageUsers, ManageProfilesPermissionsets, CustomizeApplication and 2 more (integration legacy-sync)"
    );
    assert_eq!(
        names(adm001),
        [
            "ModifyAllData",
            "ViewAllData",
            "ManageUsers",
            "ManageProfilesPermissionsets",
            "CustomizeApplication",
            "ModifyMetadata",
            "AuthorApex"
        ]
    );
    // The finding is where its first element is, and keeps the fingerprint
    // that element had as a finding of its own.
    let first = &adm001["elements"][0];
    assert_eq!(first["file"], adm001["file"]);
    assert_eq!(
        (first["line"].as_u64(), first["column"].as_u64()),
        (Some(82), Some(9))
    );
    assert_eq!(adm001["line"], 82);
    let lines: Vec<u64> = adm001["elements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, [82, 90, 78, 74, 70, 86, 66]);
    let expected = minpriv::engine::fingerprint_of(&[
        "ADM001",
        "legacy-sync",
        "Profile:Legacy Sync",
        "ModifyAllData",
    ]);
    assert_eq!(first["fingerprint"], expected.as_str());
    assert_eq!(adm001["fingerprint"], expected.as_str());

    // Modify All before View All; objects on the permission set's own
    // finding; the high-risk list's order for ADM002.
    let adm003 = findings_of(&doc, "ADM003");
    assert_eq!(names(adm003[1]), ["Account", "Case"]);
    assert_eq!(
        names(findings_of(&doc, "ADM002")[0]),
        ["ExportReport", "DataExport", "BulkApiHardDelete"]
    );
    assert_eq!(
        names(findings_of(&doc, "PRF001")[0]),
        ["Account", "Case", "Contact"]
    );
}

#[test]
fn field_permissions_without_object_read_grant_nothing() {
    let (_, doc) = check_json(&[ORG]);
    let prf002 = findings_of(&doc, "PRF002");
    // Lead.Rating: no object read anywhere. Opportunity.Amount: the
    // permission set grants Opportunity read, so the profile's field
    // permission is live.
    assert_eq!(names(prf002[0]), ["Account", "Opportunity"]);
    assert_eq!(
        prf002[0]["message"],
        "integration profile `Legacy Sync` grants access to fields on 2 objects: Account (2 fields), Opportunity (1 field) (integration legacy-sync)"
    );
    let access = run(&["access", "legacy-sync", ORG]);
    let text = stdout(&access);
    assert!(text.contains("Account.Industry"), "{text}");
    assert!(!text.contains("Lead.Rating"), "{text}");
}

#[test]
fn sarif_relates_every_other_element() {
    let out = run(&["check", ORG, "--format", "sarif"]);
    let sarif: Value = serde_json::from_slice(&out.stdout).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let adm001 = results.iter().find(|r| r["ruleId"] == "ADM001").unwrap();
    let related = adm001["relatedLocations"].as_array().unwrap();
    let messages: Vec<&str> = related
        .iter()
        .map(|r| r["message"]["text"].as_str().unwrap())
        .collect();
    assert_eq!(
        messages,
        [
            "ViewAllData",
            "ManageUsers",
            "ManageProfilesPermissionsets",
            "CustomizeApplication",
            "ModifyMetadata",
            "AuthorApex"
        ]
    );
    assert_eq!(
        related[0]["physicalLocation"]["region"]["startLine"], 90,
        "{adm001}"
    );
}

#[test]
fn text_labels_the_first_elements() {
    let out = run(&["check", ORG, "--select", "ADM001", "--color", "never"]);
    assert_eq!(out.status.code(), Some(1));
    insta::assert_snapshot!("grouping_adm001_text", stdout(&out));
}

#[test]
fn the_baseline_counts_every_element() {
    let dir = org_copy();
    let profile = dir.path().join(PROFILE);
    let original = std::fs::read_to_string(&profile).unwrap();
    // The profile before someone added Manage Users.
    let without = original.replace(
        "    <userPermissions>\n        <enabled>true</enabled>\n        <name>ManageUsers</name>\n    </userPermissions>\n",
        "",
    );
    assert_ne!(without, original);
    std::fs::write(&profile, &without).unwrap();
    let baseline = dir.path().join("baseline.json");
    let (code, _) = check_json_in(
        dir.path(),
        &["--write-baseline", baseline.to_str().unwrap()],
    );
    assert_eq!(code, 0);
    let written: Value =
        serde_json::from_str(&std::fs::read_to_string(&baseline).unwrap()).unwrap();
    let adm001: Vec<&str> = written["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["rule"] == "ADM001")
        .map(|e| e["subject"].as_str().unwrap())
        .collect();
    assert_eq!(adm001.len(), 6, "one entry per element: {adm001:?}");

    // Unchanged: everything is hidden.
    let (code, doc) = check_json_in(dir.path(), &["--baseline", baseline.to_str().unwrap()]);
    assert_eq!(code, 0, "{doc}");
    assert_eq!(doc["findings"].as_array().unwrap().len(), 0);

    // One more grant on the already-reported profile fails the run, and
    // the finding says which element is new.
    std::fs::write(&profile, &original).unwrap();
    let (code, doc) = check_json_in(dir.path(), &["--baseline", baseline.to_str().unwrap()]);
    assert_eq!(code, 1);
    let lines: Vec<String> = finding_lines(&doc);
    assert_eq!(lines.len(), 1, "{lines:?}");
    let adm001 = findings_of(&doc, "ADM001")[0];
    assert!(
        adm001["message"]
            .as_str()
            .unwrap()
            .ends_with("; new since the baseline: ManageUsers"),
        "{adm001}"
    );
    let new: Vec<(&str, bool)> = adm001["elements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["name"].as_str().unwrap(), e["new"].as_bool().unwrap()))
        .collect();
    assert_eq!(
        new,
        [
            ("ModifyAllData", false),
            ("ViewAllData", false),
            ("ManageUsers", true),
            ("ManageProfilesPermissionsets", false),
            ("CustomizeApplication", false),
            ("ModifyMetadata", false),
            ("AuthorApex", false)
        ]
    );
}

#[test]
fn an_exception_hides_a_grouped_finding_whole() {
    let dir = org_copy();
    let config = dir.path().join("minpriv.toml");
    let mut text = std::fs::read_to_string(&config).unwrap();
    text.push_str(
        "\n[[exception]]\nrule = \"ADM001\"\nfile = \"**/profiles/Legacy*\"\nreason = \"Migration profile retires in Q3; ticket SEC-9\"\n",
    );
    std::fs::write(&config, text).unwrap();
    let (_, doc) = check_json_in(dir.path(), &[]);
    assert!(findings_of(&doc, "ADM001").is_empty());
    assert_eq!(doc["summary"]["suppressed"], 1);
    assert!(findings_of(&doc, "EXC002").is_empty());
}
