//! Identity resolution end to end: one hand-written org per
//! pattern seen on real orgs, each with a case that must fire and one that
//! must stay silent; exact findings and exit codes.

mod common;

use common::*;

const P: &str = "testdata/identity";

/// Exit code and `RULE file:line` of every finding of a case.
fn case(name: &str) -> (i32, Vec<String>, serde_json::Value) {
    let (code, doc) = check_json(&[&format!("{P}/{name}")]);
    assert_eq!(doc["errors"].as_array().unwrap().len(), 0, "{doc}");
    let lines = finding_lines(&doc)
        .into_iter()
        .map(|l| l.replace(&format!("{P}/{name}/force-app/main/default/"), ""))
        .collect();
    (code, lines, doc)
}

fn messages(doc: &serde_json::Value) -> Vec<String> {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["message"].as_str().unwrap().to_owned())
        .collect()
}

fn silent(name: &str) {
    let (code, lines, _) = case(name);
    assert_eq!(code, 0, "{name}: {lines:?}");
    assert!(lines.is_empty(), "{name}: {lines:?}");
}

#[test]
fn an_admin_clone_named_integration_user_is_a_suspect_with_its_admin_permissions() {
    let (code, lines, doc) = case("admin-clone/fire");
    assert_eq!(code, 1);
    assert_eq!(
        lines,
        [
            "IDN003 profiles/Integration User.profile-meta.xml:2",
            "NET001 profiles/Integration User.profile-meta.xml:2",
            "IDN004 profiles/Integration User.profile-meta.xml:4",
            "ADM001 profiles/Integration User.profile-meta.xml:15",
        ]
    );
    for message in messages(&doc) {
        assert!(
            message.ends_with("; suspected integration profile: its name contains `Integration`"),
            "{message}"
        );
    }
    assert_eq!(doc["summary"]["integrations"], 1);
    silent("admin-clone/silent");
}

#[test]
fn a_profile_a_client_credentials_app_pre_authorizes_is_its_integrations() {
    let (code, lines, doc) = case("preauthorized-app/fire");
    assert_eq!(code, 1);
    assert_eq!(
        lines,
        [
            "IDN003 profiles/Warehouse Access.profile-meta.xml:2",
            "NET001 profiles/Warehouse Access.profile-meta.xml:2",
            "IDN004 profiles/Warehouse Access.profile-meta.xml:4",
            "ADM001 profiles/Warehouse Access.profile-meta.xml:15",
        ]
    );
    // Not a suspect: the app is the evidence, and the finding names it.
    for f in doc["findings"].as_array().unwrap() {
        assert_eq!(f["integration"], "Warehouse_Loader");
        assert!(!f["message"].as_str().unwrap().contains("suspected"));
    }
    // The same app without client credentials is a UI app: it
    // pre-authorizes people.
    silent("preauthorized-app/silent");
}

#[test]
fn an_external_client_app_policy_pre_authorizes_profiles_and_sets() {
    let (code, lines, _) = case("preauthorized-eca/fire");
    assert_eq!(code, 1);
    assert_eq!(
        lines,
        [
            "ADM002 permissionsets/Ledger_Writer.permissionset-meta.xml:8",
            "IDN003 profiles/Ledger Access.profile-meta.xml:2",
            "NET001 profiles/Ledger Access.profile-meta.xml:2",
            "IDN004 profiles/Ledger Access.profile-meta.xml:4",
            "ADM001 profiles/Ledger Access.profile-meta.xml:15",
        ]
    );
    silent("preauthorized-eca/silent");
}

#[test]
fn human_profiles_dismisses_a_name_suspect() {
    let (code, lines, doc) = case("name-suspect/fire");
    assert_eq!(code, 1);
    assert_eq!(
        lines,
        [
            "IDN003 profiles/Data Loader Users.profile-meta.xml:2",
            "IDN004 profiles/Data Loader Users.profile-meta.xml:9",
            "ADM001 profiles/Data Loader Users.profile-meta.xml:16",
        ]
    );
    assert!(
        messages(&doc)[2]
            .ends_with("suspected integration profile: its name contains `Data Loader`")
    );
    silent("name-suspect/silent");
}

#[test]
fn a_misspelt_or_empty_human_profile_is_a_located_config_error() {
    let dir = project(&[("minpriv.toml", "[lint]\nhuman-profiles = [\"\"]\n")]);
    let out = minpriv()
        .current_dir(dir.path())
        .arg("check")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("an empty name dismisses nothing"), "{err}");
    assert!(err.contains("minpriv.toml:2:"), "{err}");
    let dir = project(&[("minpriv.toml", "[lint]\nhuman-profile = []\n")]);
    let out = minpriv()
        .current_dir(dir.path())
        .arg("check")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn a_salesforce_managed_profile_is_reported_once_as_info() {
    let (code, lines, doc) = case("managed-analytics/fire");
    assert_eq!(code, 0);
    assert_eq!(
        lines,
        ["IDN006 profiles/Analytics Cloud Integration User.profile-meta.xml:22"]
    );
    assert_eq!(doc["findings"][0]["severity"], "info");
    assert!(
        doc["findings"][0]["help"]
            .as_str()
            .unwrap()
            .contains("field-level security")
    );
    assert_eq!(doc["summary"]["integrations"], 0);
    silent("managed-analytics/silent");
}

#[test]
fn forceignore_that_hides_profiles_and_apps_is_reported_with_counts() {
    let (code, lines, doc) = case("forceignore/fire");
    assert_eq!(code, 0);
    assert_eq!(
        lines,
        [
            "REF003 testdata/identity/forceignore/fire/.forceignore:3",
            "REF003 testdata/identity/forceignore/fire/.forceignore:4",
        ]
    );
    assert_eq!(
        doc["summary"]["forceignored"],
        serde_json::json!({"connected apps": 1, "profiles": 1})
    );
    let out = minpriv()
        .args(["check", &format!("{P}/forceignore/fire")])
        .output()
        .unwrap();
    assert!(
        closing_line(&out).contains("; .forceignore hid 1 connected app, 1 profile"),
        "{}",
        closing_line(&out)
    );
    // Without the patterns the profile is found, and REF003 is silent.
    let (code, lines, doc) = case("forceignore/silent");
    assert_eq!(code, 1);
    assert!(!lines.iter().any(|l| l.starts_with("REF003")), "{lines:?}");
    assert!(lines.iter().any(|l| l.starts_with("ADM001")), "{lines:?}");
    assert!(doc["summary"].get("forceignored").is_none());
}

#[test]
fn an_app_running_as_another_integrations_user_is_a_mismatch_and_a_shared_user() {
    let (code, lines, doc) = case("run-as-mismatch/fire");
    assert_eq!(code, 1);
    assert_eq!(
        lines,
        [
            "IDN001 connectedApps/Billing_Sync.connectedApp-meta.xml:9",
            "IDN007 connectedApps/Billing_Sync.connectedApp-meta.xml:9",
        ]
    );
    assert_eq!(
        messages(&doc)[1],
        "connected app `Billing_Sync` is listed in the connected-apps of integration billing-sync, but runs as `svc.erp@acme.example`, the user of erp-sync (client credentials), not as its user `svc.billing@acme.example`"
    );
    silent("run-as-mismatch/silent");
}

#[test]
fn the_integration_psl_developer_name_is_accepted() {
    let (code, lines, _) = case("integration-psl/fire");
    assert_eq!(code, 1);
    assert_eq!(
        lines,
        ["LIC002 permissionsets/Orders_Read.permissionset-meta.xml:5"]
    );
    silent("integration-psl/silent");
}

#[test]
fn minimum_access_api_only_integrations_needs_no_api_user_only_element() {
    let (code, lines, _) = case("minimum-access/fire");
    assert_eq!(code, 1);
    assert_eq!(
        lines,
        [
            "IDN003 profiles/API Sync.profile-meta.xml:2",
            "IDN004 profiles/API Sync.profile-meta.xml:9",
        ]
    );
    silent("minimum-access/silent");
}

#[test]
fn the_text_output_opens_with_the_identity_summary() {
    let out = minpriv()
        .args([
            "check",
            &format!("{P}/preauthorized-app/fire"),
            "--color",
            "never",
        ])
        .output()
        .unwrap();
    let text = stdout(&out);
    assert!(
        text.starts_with(
            "Integrations (1):\n\n  Warehouse_Loader [run-as, pre-authorized]\n    user      svc.wh@acme.example\n    profile   Warehouse Access (Salesforce)\n    evidence  run-as: connected app `Warehouse_Loader` runs as this user (client credentials)\n              pre-authorized: profile `Warehouse Access`: pre-authorized by connected app `Warehouse_Loader`\n    findings  error ADM001 integration profile `Warehouse Access` grants 3 administrator permissions: ModifyAllDa…"
        ),
        "{text}"
    );
    // Errors first, then warnings.
    let first_warning = text.find("IDN004 not-integration-license").unwrap();
    let last_error = text.rfind("ADM001 admin-profile").unwrap();
    assert!(last_error < first_warning, "{text}");
}

#[test]
fn access_says_unknown_where_the_profile_is_not_in_the_metadata() {
    let out = minpriv()
        .args(["access", "billing-sync"])
        .current_dir(format!("{P}/run-as-mismatch/fire"))
        .output()
        .unwrap();
    let text = stdout(&out);
    assert!(text.contains("  profile: unknown"), "{text}");
    assert!(
        text.contains("\nObjects\n  unknown: the user's profile is not in the metadata read\n"),
        "{text}"
    );
    assert!(!text.contains("  none\n"), "{text}");
}

#[test]
fn init_and_check_agree_on_the_identities() {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(
        std::path::Path::new(&format!("{P}/admin-clone/fire")),
        dir.path(),
    );
    let out = minpriv()
        .current_dir(dir.path())
        .arg("init")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let draft = std::fs::read_to_string(dir.path().join("minpriv.toml")).unwrap();
    assert!(
        draft.contains("# Integration profile `Integration User` (its name contains"),
        "{draft}"
    );
    assert!(
        draft.contains("human-profiles = [\"Integration User\"]"),
        "{draft}"
    );
}

#[test]
fn the_audit_report_lists_the_admin_clones_high_risk_permissions() {
    let out = minpriv()
        .args([
            "report",
            &format!("{P}/admin-clone/fire"),
            "--format",
            "markdown",
        ])
        .output()
        .unwrap();
    let text = stdout(&out);
    assert!(
        !text.contains("No integration holds a high-risk system permission"),
        "{text}"
    );
    assert!(
        text.contains("| Integration User | ModifyAllData |"),
        "{text}"
    );
}
