//! End to end on the sample org: exact findings, exit codes, output.

mod common;

use common::*;

const ACME_FINDINGS: &[&str] = &[
    "REF003 testdata/acme/.forceignore:15",
    "NET003 testdata/acme/force-app/main/default/connectedApps/Tableau_Export.connectedApp-meta.xml:5",
    "APP005 testdata/acme/force-app/main/default/connectedApps/Tableau_Export.connectedApp-meta.xml:12",
    "APP004 testdata/acme/force-app/main/default/connectedApps/Tableau_Export.connectedApp-meta.xml:13",
    "APP001 testdata/acme/force-app/main/default/connectedApps/Tableau_Export.connectedApp-meta.xml:14",
    "IDN001 testdata/acme/force-app/main/default/connectedApps/Tableau_Export.connectedApp-meta.xml:19",
    "IDN005 testdata/acme/force-app/main/default/connectedApps/Tableau_Export.connectedApp-meta.xml:19",
    "APP002 testdata/acme/force-app/main/default/connectedApps/Tableau_Export.connectedApp-meta.xml:21",
    "NET005 testdata/acme/force-app/main/default/connectedApps/Tableau_Export.connectedApp-meta.xml:25",
    "APP003 testdata/acme/force-app/main/default/connectedApps/Tableau_Export.connectedApp-meta.xml:26",
    "APP004 testdata/acme/force-app/main/default/namedCredentials/Legacy_ERP.namedCredential-meta.xml:10",
    "ADM002 testdata/acme/force-app/main/default/permissionsets/Data_Warehouse_Read.permissionset-meta.xml:42",
    "LIC002 testdata/acme/force-app/main/default/permissionsets/DocuSign_Envelopes.permissionset-meta.xml:11",
    "ADM004 testdata/acme/force-app/main/default/permissionsets/Marketing_Cloud_Contacts.permissionset-meta.xml:23",
    "ADM001 testdata/acme/force-app/main/default/profiles/Admin.profile-meta.xml:2",
    "IDN003 testdata/acme/force-app/main/default/profiles/Admin.profile-meta.xml:2",
    "NET001 testdata/acme/force-app/main/default/profiles/Admin.profile-meta.xml:2",
    "ADM003 testdata/acme/force-app/main/default/profiles/Admin.profile-meta.xml:33",
    "IDN004 testdata/acme/force-app/main/default/profiles/Admin.profile-meta.xml:51",
    "PRF003 testdata/acme/force-app/main/default/profiles/Admin.profile-meta.xml:54",
    "IDN003 testdata/acme/force-app/main/default/profiles/Data Warehouse Integration.profile-meta.xml:2",
    "NET004 testdata/acme/force-app/main/default/profiles/Data Warehouse Integration.profile-meta.xml:10",
    "NET002 testdata/acme/force-app/main/default/profiles/Data Warehouse Integration.profile-meta.xml:15",
    "NET004 testdata/acme/force-app/main/default/profiles/Data Warehouse Integration.profile-meta.xml:15",
    "IDN004 testdata/acme/force-app/main/default/profiles/Data Warehouse Integration.profile-meta.xml:20",
    "NET001 testdata/acme/force-app/main/default/profiles/Marketing Cloud Integration.profile-meta.xml:2",
    "PRF002 testdata/acme/force-app/main/default/profiles/Marketing Cloud Integration.profile-meta.xml:7",
    "ADM004 testdata/acme/force-app/main/default/profiles/Marketing Cloud Integration.profile-meta.xml:26",
    "PRF001 testdata/acme/force-app/main/default/profiles/Marketing Cloud Integration.profile-meta.xml:26",
    "IDN002 testdata/acme/force-app/main/default/profiles/Minimum Access - API Only Integrations.profile-meta.xml:2",
    "NET001 testdata/acme/force-app/main/default/profiles/Minimum Access - API Only Integrations.profile-meta.xml:2",
    "REF002 testdata/acme/minpriv.toml:68",
    "REF001 testdata/acme/minpriv.toml:75",
    "EXC001 testdata/acme/minpriv.toml:78",
    "EXC002 testdata/acme/minpriv.toml:84",
];

#[test]
fn sample_org_findings_are_exact() {
    let (code, doc) = check_json(&["testdata/acme"]);
    assert_eq!(code, 1, "error findings exit 1");
    assert_eq!(finding_lines(&doc), ACME_FINDINGS);
    assert_eq!(doc["errors"].as_array().unwrap().len(), 0);
    let summary = &doc["summary"];
    assert_eq!(summary["files"], 25);
    assert_eq!(summary["integrations"], 7);
    assert_eq!(summary["errors"], 19);
    assert_eq!(summary["warnings"], 15);
    assert_eq!(summary["infos"], 1);
    assert_eq!(
        summary["suppressed"], 1,
        "the PRF001 exception hides one finding, naming two objects"
    );
}

#[test]
fn the_clean_integration_has_no_finding() {
    let (_, doc) = check_json(&["testdata/acme"]);
    for f in doc["findings"].as_array().unwrap() {
        assert_ne!(f["integration"], "orders-sync", "{f}");
        assert!(!f["file"].as_str().unwrap().contains("Orders"), "{f}");
    }
}

#[test]
fn json_has_the_spec_shape() {
    let (_, doc) = check_json(&["testdata/acme"]);
    let keys = |v: &serde_json::Value| {
        let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
        k.sort();
        k
    };
    assert_eq!(doc["version"], 1);
    assert_eq!(
        keys(&doc),
        ["errors", "findings", "summary", "tool", "version"]
    );
    assert_eq!(doc["tool"]["name"], "minpriv");
    assert_eq!(
        keys(&doc["summary"]),
        [
            "errors",
            "files",
            "forceignored",
            "infos",
            "integrations",
            "not_evaluated",
            "rules",
            "suppressed",
            "warnings"
        ]
    );
    for f in doc["findings"].as_array().unwrap() {
        // A grouped finding also lists its elements, the first where the
        // finding points.
        let mut f = f.clone();
        if let Some(elements) = f.as_object_mut().unwrap().remove("elements") {
            let first = &elements[0];
            assert_eq!(first["file"], f["file"]);
            assert_eq!(first["line"], f["line"]);
            assert_eq!(first["column"], f["column"]);
            assert_eq!(first["fingerprint"], f["fingerprint"]);
            for e in elements.as_array().unwrap() {
                assert_eq!(
                    keys(e),
                    ["column", "file", "fingerprint", "line", "name"],
                    "{e}"
                );
            }
        }
        let f = &f;
        assert_eq!(
            keys(f),
            [
                "column",
                "component",
                "end_column",
                "end_line",
                "file",
                "fingerprint",
                "help",
                "integration",
                "line",
                "message",
                "name",
                "rule",
                "severity"
            ]
        );
        assert!(["error", "warning", "info"].contains(&f["severity"].as_str().unwrap()));
        assert_eq!(f["fingerprint"].as_str().unwrap().len(), 16);
        assert!(f["help"].as_str().is_some_and(|h| !h.is_empty()));
    }
    let first_net001 = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "NET001")
        .unwrap();
    // The root start tag: `<Profile`.
    let pos = |key: &str| first_net001[key].as_u64().unwrap();
    assert_eq!(
        (
            pos("line"),
            pos("column"),
            pos("end_line"),
            pos("end_column")
        ),
        (2, 1, 2, 9)
    );
    assert_eq!(first_net001["component"], "Profile:Admin");
    assert_eq!(first_net001["integration"], "legacy-erp");
}

#[test]
fn text_output_matches_snapshot() {
    let out = run(&["check", "testdata/acme", "--color", "never"]);
    assert_eq!(out.status.code(), Some(1));
    insta::assert_snapshot!("acme_text", stdout(&out));
    // Committed secrets are masked wherever the source is quoted.
    assert!(!stdout(&out).contains("5A0C8E1F3B7D9A2C"));
    assert!(!stdout(&out).contains("Erp-Integration-2019!"));
    // Every rule runs but those that need an org snapshot or usage logs.
    let not_evaluated = [
        "LIC001", "ORG001", "ORG002", "ORG003", "USE001", "USE002", "USE003",
    ];
    assert_eq!(
        closing_line(&out),
        format!(
            "Checked 25 files (7 integrations, {} rules): 19 errors, 15 warnings, 1 info, 1 suppressed; .forceignore hid 1 profile; not evaluated: {}",
            rules_besides(|c| not_evaluated.contains(&c)),
            not_evaluated.join(", ")
        )
    );
}

#[test]
fn output_is_identical_whatever_the_thread_count() {
    for format in ["json", "text"] {
        let one = run(&[
            "check",
            "testdata/acme",
            "--threads",
            "1",
            "--format",
            format,
            "--color",
            "never",
        ]);
        let four = run(&[
            "check",
            "testdata/acme",
            "--threads",
            "4",
            "--format",
            format,
            "--color",
            "never",
        ]);
        assert_eq!(one.stdout, four.stdout, "{format}");
    }
}

#[test]
fn forceignore_hides_legacy_until_turned_off() {
    let (_, with) = check_json(&["testdata/acme"]);
    let (_, without) = check_json(&["testdata/acme", "--no-forceignore"]);
    let legacy = |doc: &serde_json::Value| {
        finding_lines(doc)
            .into_iter()
            .filter(|l| l.contains("legacy/"))
            .collect::<Vec<_>>()
    };
    assert!(legacy(&with).is_empty());
    assert_eq!(
        legacy(&without),
        [
            "NET001 testdata/acme/force-app/main/default/legacy/profiles/Old Sync.profile-meta.xml:2",
            "IDN005 testdata/acme/force-app/main/default/legacy/profiles/Old Sync.profile-meta.xml:5"
        ]
    );
    // The pattern that hid it is reported, with what it hid.
    assert_eq!(with["summary"]["forceignored"]["profiles"], 1);
    assert!(without["summary"].get("forceignored").is_none());
}

#[test]
fn excludes_apply_to_explicit_files_too() {
    let file = "testdata/acme/force-app/main/default/profiles/Marketing Cloud Integration.profile-meta.xml";
    let (_, doc) = check_json(&[file]);
    assert_eq!(doc["summary"]["files"], 1);
    assert!(!finding_lines(&doc).is_empty());
    let (code, doc) = check_json(&[
        file,
        "--exclude",
        "**/profiles/Marketing*",
        "--select",
        "NET,PRF",
    ]);
    assert_eq!(doc["summary"]["files"], 0);
    assert_eq!(code, 0);
}

#[test]
fn default_paths_come_from_sfdx_project_json() {
    let (_, doc) = check_json_in(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/acme"),
        &[],
    );
    assert_eq!(doc["summary"]["files"], 25);
    assert!(finding_lines(&doc)[0].starts_with("REF003 .forceignore:15"));
    assert!(finding_lines(&doc)[1].starts_with("NET003 force-app/main/default/connectedApps/"));
}

#[test]
fn selection_by_code_family_and_name() {
    let rules = |args: &[&str]| {
        let mut a = vec!["testdata/acme"];
        a.extend_from_slice(args);
        let (_, doc) = check_json(&a);
        let mut codes: Vec<String> = doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["rule"].as_str().unwrap().to_owned())
            .collect();
        codes.sort();
        codes.dedup();
        codes
    };
    assert_eq!(rules(&["--select", "NET001"]), ["NET001"]);
    assert_eq!(
        rules(&["--select", "IDN"]),
        ["IDN001", "IDN002", "IDN003", "IDN004", "IDN005"]
    );
    assert_eq!(
        rules(&["--select", "admin-profile,PRF"]),
        ["ADM001", "PRF001", "PRF002", "PRF003"]
    );
    assert_eq!(
        rules(&["--ignore", "APP,IDN,NET,PRF,EXC,REF,LIC"]),
        ["ADM001", "ADM002", "ADM003", "ADM004"]
    );
    assert_eq!(
        rules(&["--select", "NET"]),
        ["NET001", "NET002", "NET003", "NET004", "NET005"]
    );
    let out = run(&["check", "testdata/acme", "--select", "NOPE999"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("`NOPE999` matches no rule"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn fail_on_sets_the_exit_code() {
    let code = |args: &[&str]| {
        let mut a = vec!["check", "testdata/acme"];
        a.extend_from_slice(args);
        run(&a).status.code()
    };
    assert_eq!(
        code(&["--select", "PRF001"]),
        Some(0),
        "warnings do not fail by default"
    );
    assert_eq!(
        code(&["--select", "PRF001", "--fail-on", "warning"]),
        Some(1)
    );
    assert_eq!(code(&["--fail-on", "never"]), Some(0));
}

#[test]
fn exceptions_expire() {
    let (_, before) = check_json(&["testdata/acme", "--now", "2027-06-30"]);
    assert_eq!(before["summary"]["suppressed"], 1);
    let (_, after) = check_json(&["testdata/acme", "--now", "2027-07-01"]);
    assert_eq!(after["summary"]["suppressed"], 0);
    let admin_prf001 = finding_lines(&after)
        .into_iter()
        .filter(|l| l.starts_with("PRF001") && l.contains("Admin.profile"))
        .count();
    assert_eq!(admin_prf001, 1, "the expired exception hides nothing");
}

#[test]
fn rules_and_rule_explain_the_catalogue() {
    let out = run(&["rules"]);
    assert_eq!(out.status.code(), Some(0));
    let list = stdout(&out);
    for code in [
        "ADM001", "ADM002", "ADM003", "ADM004", "APP001", "APP002", "APP003", "APP004", "APP005",
        "EXC001", "EXC002", "IDN001", "IDN002", "IDN003", "IDN004", "IDN005", "LIC001", "LIC002",
        "NET001", "NET002", "NET003", "NET004", "NET005", "ORG001", "ORG002", "ORG003", "PRF001",
        "PRF002", "PRF003", "REF001", "REF002",
    ] {
        assert!(list.contains(code), "{list}");
    }
    let by_code = run(&["rule", "NET001"]);
    let by_name = run(&["rule", "missing-login-ip-ranges"]);
    assert_eq!(by_code.status.code(), Some(0));
    assert_eq!(by_code.stdout, by_name.stdout);
    assert!(stdout(&by_code).starts_with("# NET001 missing-login-ip-ranges\n"));
    assert!(stdout(&by_code).contains("## How to fix it"));
    assert_eq!(run(&["rule", "XYZ123"]).status.code(), Some(2));
}
