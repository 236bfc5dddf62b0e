//! Every rule: its fixtures fire and stay silent as they must, its
//! catalogue entry exists, its documented examples behave, and the
//! generated rule reference is current.

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use common::*;

/// The findings of each rule on its `fail/` fixture, exactly.
const FAIL_CASES: &[(&str, &[&str])] = &[
    (
        "ADM002",
        &[
            "ADM002 testdata/rules/ADM002/fail/force-app/main/default/permissionsets/Erp_Admin_Tools.permissionset-meta.xml:8",
            "ADM002 testdata/rules/ADM002/fail/force-app/main/default/permissionsets/Report_Export.permissionset-meta.xml:12",
        ],
    ),
    (
        "ADM003",
        &[
            "ADM003 testdata/rules/ADM003/fail/force-app/main/default/permissionsets/Erp_Accounts.permissionset-meta.xml:22",
        ],
    ),
    (
        "ADM004",
        &[
            "ADM004 testdata/rules/ADM004/fail/force-app/main/default/permissionsets/Erp_Accounts.permissionset-meta.xml:27",
        ],
    ),
    (
        "EXC001",
        &["EXC001 testdata/rules/EXC001/fail/minpriv.toml:6"],
    ),
    (
        "EXC002",
        &["EXC002 testdata/rules/EXC002/fail/minpriv.toml:6"],
    ),
    (
        "IDN002",
        &[
            "IDN002 testdata/rules/IDN002/fail/force-app/main/default/profiles/Sync Integration.profile-meta.xml:2",
        ],
    ),
    (
        "IDN004",
        &[
            "IDN004 testdata/rules/IDN004/fail/force-app/main/default/profiles/Sync Integration.profile-meta.xml:9",
        ],
    ),
    (
        "IDN005",
        &[
            "IDN005 testdata/rules/IDN005/fail/force-app/main/default/connectedApps/Reporting_Export.connectedApp-meta.xml:10",
            "IDN005 testdata/rules/IDN005/fail/force-app/main/default/connectedApps/Survey_Tool.connectedApp-meta.xml:10",
            "IDN005 testdata/rules/IDN005/fail/org-snapshot/users.csv:3",
            "IDN005 testdata/rules/IDN005/fail/org-snapshot/users.csv:5",
        ],
    ),
    (
        "IDN006",
        &[
            "IDN006 testdata/rules/IDN006/fail/force-app/main/default/permissionsets/sfdcInternalInt__sfdc_scrt2.permissionset-meta.xml:5",
            "IDN006 testdata/rules/IDN006/fail/force-app/main/default/profiles/Analytics Cloud Integration User.profile-meta.xml:13",
        ],
    ),
    (
        "IDN007",
        &[
            "IDN007 testdata/rules/IDN007/fail/force-app/main/default/connectedApps/Billing_Sync.connectedApp-meta.xml:9",
        ],
    ),
    (
        "LIC001",
        &[
            "LIC001 testdata/rules/LIC001/fail/org-snapshot/users.json:58",
            "LIC001 testdata/rules/LIC001/fail/org-snapshot/users.json:82",
        ],
    ),
    (
        "ORG001",
        &[
            "ORG001 testdata/rules/ORG001/fail/minpriv.toml:10",
            "ORG001 testdata/rules/ORG001/fail/org-snapshot/users.csv:2",
        ],
    ),
    (
        "ORG002",
        &[
            "ORG002 testdata/rules/ORG002/fail/org-snapshot/users.json:35",
            "ORG002 testdata/rules/ORG002/fail/org-snapshot/users.json:59",
            "ORG002 testdata/rules/ORG002/fail/org-snapshot/users.json:83",
        ],
    ),
    (
        "ORG003",
        &[
            "ORG003 testdata/rules/ORG003/fail/minpriv.toml:7",
            "ORG003 testdata/rules/ORG003/fail/org-snapshot/permission-set-assignments.csv:4",
            "ORG003 testdata/rules/ORG003/fail/org-snapshot/users.csv:2",
        ],
    ),
    (
        "LIC002",
        &[
            "LIC002 testdata/rules/LIC002/fail/force-app/main/default/permissionsets/Erp_Read.permissionset-meta.xml:6",
            "LIC002 testdata/rules/LIC002/fail/force-app/main/default/permissionsets/Erp_Write.permissionset-meta.xml:6",
        ],
    ),
    (
        "PRF002",
        &[
            "PRF002 testdata/rules/PRF002/fail/force-app/main/default/profiles/Sync Integration.profile-meta.xml:6",
        ],
    ),
    (
        "PRF003",
        &[
            "PRF003 testdata/rules/PRF003/fail/force-app/main/default/profiles/Sync Integration.profile-meta.xml:32",
        ],
    ),
    (
        "REF001",
        &[
            "REF001 testdata/rules/REF001/fail/force-app/main/default/permissionsetgroups/Erp.permissionsetgroup-meta.xml:6",
            "REF001 testdata/rules/REF001/fail/force-app/main/default/permissionsetgroups/Erp.permissionsetgroup-meta.xml:9",
            "REF001 testdata/rules/REF001/fail/minpriv.toml:5",
        ],
    ),
    (
        "REF003",
        &[
            "REF003 testdata/rules/REF003/fail/.forceignore:3",
            "REF003 testdata/rules/REF003/fail/.forceignore:4",
        ],
    ),
    (
        "REF002",
        &["REF002 testdata/rules/REF002/fail/minpriv.toml:5"],
    ),
    (
        "ADM001",
        &[
            "ADM001 testdata/rules/ADM001/fail/force-app/main/default/profiles/Admin.profile-meta.xml:2",
            "ADM001 testdata/rules/ADM001/fail/force-app/main/default/profiles/Sync Admin Clone.profile-meta.xml:21",
        ],
    ),
    (
        "APP001",
        &[
            "APP001 testdata/rules/APP001/fail/force-app/main/default/connectedApps/Partner_Sync.connectedApp-meta.xml:8",
            "APP001 testdata/rules/APP001/fail/force-app/main/default/connectedApps/Survey_Tool.connectedApp-meta.xml:2",
            "APP001 testdata/rules/APP001/fail/force-app/main/default/extlClntAppOauthPolicies/Partner_Portal_oauthPlcy.ecaOauthPlcy-meta.xml:6",
        ],
    ),
    (
        "APP002",
        &[
            "APP002 testdata/rules/APP002/fail/force-app/main/default/connectedApps/Reporting_Export.connectedApp-meta.xml:13",
            "APP002 testdata/rules/APP002/fail/force-app/main/default/extlClntAppOauthSettings/Partner_Portal_oauth.ecaOauth-meta.xml:3",
        ],
    ),
    (
        "APP003",
        &[
            "APP003 testdata/rules/APP003/fail/force-app/main/default/connectedApps/Partner_Sync.connectedApp-meta.xml:14",
            "APP003 testdata/rules/APP003/fail/force-app/main/default/connectedApps/Survey_Tool.connectedApp-meta.xml:10",
            "APP003 testdata/rules/APP003/fail/force-app/main/default/extlClntAppOauthPolicies/Partner_Portal_oauthPlcy.ecaOauthPlcy-meta.xml:8",
        ],
    ),
    (
        "APP004",
        &[
            "APP004 testdata/rules/APP004/fail/force-app/main/default/connectedApps/Partner_Sync.connectedApp-meta.xml:8",
            "APP004 testdata/rules/APP004/fail/force-app/main/default/extlClntAppGlobalOauthSets/Partner_Portal_glbloauth.ecaGlblOauth-meta.xml:5",
            "APP004 testdata/rules/APP004/fail/force-app/main/default/namedCredentials/Billing_API.namedCredential-meta.xml:10",
            "APP004 testdata/rules/APP004/fail/force-app/main/default/namedCredentials/Billing_API.namedCredential-meta.xml:12",
            "APP004 testdata/rules/APP004/fail/force-app/main/default/namedCredentials/Legacy_ERP.namedCredential-meta.xml:9",
        ],
    ),
    (
        "APP005",
        &[
            "APP005 testdata/rules/APP005/fail/force-app/main/default/connectedApps/Partner_Sync.connectedApp-meta.xml:7",
            "APP005 testdata/rules/APP005/fail/force-app/main/default/connectedApps/Survey_Tool.connectedApp-meta.xml:7",
            "APP005 testdata/rules/APP005/fail/force-app/main/default/extlClntAppGlobalOauthSets/Partner_Portal_glbloauth.ecaGlblOauth-meta.xml:3",
        ],
    ),
    (
        "IDN001",
        &[
            "IDN001 testdata/rules/IDN001/fail/force-app/main/default/connectedApps/Reporting_Export.connectedApp-meta.xml:10",
            "IDN001 testdata/rules/IDN001/fail/minpriv.toml:9",
        ],
    ),
    (
        "IDN003",
        &["IDN003 testdata/rules/IDN003/fail/src/profiles/Batch Integration.profile:15"],
    ),
    (
        "NET001",
        &[
            "NET001 testdata/rules/NET001/fail/force-app/main/default/profiles/Custom%3A Integration.profile-meta.xml:2",
        ],
    ),
    (
        "NET002",
        &[
            "NET002 testdata/rules/NET002/fail/force-app/main/default/profiles/Partner Integration.profile-meta.xml:5",
            "NET002 testdata/rules/NET002/fail/force-app/main/default/profiles/Partner Integration.profile-meta.xml:10",
            "NET002 testdata/rules/NET002/fail/force-app/main/default/profiles/Partner Integration.profile-meta.xml:20",
            "NET002 testdata/rules/NET002/fail/force-app/main/default/profiles/Partner Integration.profile-meta.xml:30",
        ],
    ),
    (
        "NET003",
        &[
            "NET003 testdata/rules/NET003/fail/force-app/main/default/connectedApps/Batch_Loader.connectedApp-meta.xml:8",
            "NET003 testdata/rules/NET003/fail/force-app/main/default/extlClntAppOauthSettings/Partner_Portal_oauth.ecaOauth-meta.xml:6",
            "NET003 testdata/rules/NET003/fail/force-app/main/default/profiles/Batch Integration.profile-meta.xml:5",
            "NET003 testdata/rules/NET003/fail/force-app/main/default/profiles/Batch Integration.profile-meta.xml:13",
            "NET003 testdata/rules/NET003/fail/force-app/main/default/profiles/Batch Integration.profile-meta.xml:15",
            "NET003 testdata/rules/NET003/fail/force-app/main/default/profiles/Batch Integration.profile-meta.xml:20",
            "NET003 testdata/rules/NET003/fail/force-app/main/default/profiles/Batch Integration.profile-meta.xml:26",
        ],
    ),
    (
        "NET004",
        &[
            "NET004 testdata/rules/NET004/fail/force-app/main/default/profiles/ERP Integration.profile-meta.xml:10",
            "NET004 testdata/rules/NET004/fail/force-app/main/default/profiles/ERP Integration.profile-meta.xml:15",
            "NET004 testdata/rules/NET004/fail/force-app/main/default/profiles/ERP Integration.profile-meta.xml:25",
        ],
    ),
    (
        "NET005",
        &[
            "NET005 testdata/rules/NET005/fail/force-app/main/default/connectedApps/Field_Service.connectedApp-meta.xml:12",
            "NET005 testdata/rules/NET005/fail/force-app/main/default/connectedApps/Legacy_Sync.connectedApp-meta.xml:15",
            "NET005 testdata/rules/NET005/fail/force-app/main/default/connectedApps/Partner_Sync.connectedApp-meta.xml:13",
            "NET005 testdata/rules/NET005/fail/force-app/main/default/extlClntAppOauthPolicies/Partner_Portal_oauthPlcy.ecaOauthPlcy-meta.xml:5",
        ],
    ),
    (
        "PRF001",
        &[
            "PRF001 testdata/rules/PRF001/fail/force-app/main/default/profiles/Account Sync Integration.profile-meta.xml:16",
        ],
    ),
    (
        "USE001",
        &[
            "USE001 testdata/rules/USE001/fail/force-app/main/default/permissionsets/Orders_Access.permissionset-meta.xml:12",
            "USE001 testdata/rules/USE001/fail/force-app/main/default/permissionsets/Orders_Access.permissionset-meta.xml:21",
            "USE001 testdata/rules/USE001/fail/force-app/main/default/permissionsets/Orders_Access.permissionset-meta.xml:30",
        ],
    ),
    (
        "USE002",
        &[
            "USE002 testdata/rules/USE002/fail/org-snapshot/0AT5g00000Lg1AbGAJ.csv:3",
            "USE002 testdata/rules/USE002/fail/org-snapshot/0AT5g00000Lg2LnGAJ.csv:3",
            "USE002 testdata/rules/USE002/fail/org-snapshot/login-history.csv:3",
        ],
    ),
    (
        "USE003",
        &[
            "USE003 testdata/rules/USE003/fail/org-snapshot/0AT5g00000Ap1AbGAJ.csv:3",
            "USE003 testdata/rules/USE003/fail/org-snapshot/0AT5g00000Ap1AbGAJ.csv:5",
            "USE003 testdata/rules/USE003/fail/org-snapshot/0AT5g00000Ap1AbGAJ.csv:6",
        ],
    ),
];

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
    for (code, expected) in FAIL_CASES {
        let dir = format!("testdata/rules/{code}/fail");
        assert_eq!(findings_of(code, &dir), *expected, "{dir}");
    }
}

#[test]
fn pass_fixtures_stay_silent() {
    for (code, _) in FAIL_CASES {
        let dir = format!("testdata/rules/{code}/pass");
        assert_eq!(findings_of(code, &dir), Vec::<String>::new(), "{dir}");
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
    let tested: BTreeSet<String> = FAIL_CASES.iter().map(|(c, _)| c.to_string()).collect();
    assert_eq!(implemented, tested, "every rule has fixture cases here");
    for code in &implemented {
        for case in ["fail", "pass"] {
            assert!(
                Path::new(&format!("testdata/rules/{code}/{case}")).is_dir(),
                "testdata/rules/{code}/{case} is missing"
            );
        }
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
