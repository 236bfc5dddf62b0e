//! `minpriv init`: the draft it writes is an inventory `check` accepts,
//! and it never overwrites one.

mod common;

use std::path::Path;

use common::*;

/// A copy of the sample org without its inventory.
fn sample_without_inventory() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(Path::new("testdata/acme"), dir.path());
    std::fs::remove_file(dir.path().join("minpriv.toml")).unwrap();
    dir
}

fn init_in(dir: &Path, args: &[&str]) -> std::process::Output {
    minpriv()
        .current_dir(dir)
        .arg("init")
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn the_draft_from_metadata_alone_is_accepted_by_check() {
    let dir = sample_without_inventory();
    let out = init_in(dir.path(), &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).starts_with("Wrote minpriv.toml: 4 integrations (4 from apps, 0 from the org snapshot), and 3 integration profiles"),
        "{}",
        stderr(&out)
    );
    let draft = std::fs::read_to_string(dir.path().join("minpriv.toml")).unwrap();
    for expected in [
        "name = \"orders-sync\"",
        "user = \"svc.orders@acme.example\"",
        "connected-apps = [\"Orders_Sync\"]",
        "connected-apps = [\"Marketing_Cloud\"]",
        "# External Client App `Marketing_Cloud` runs as this user (client",
        "# The user also runs `Data_Warehouse`: one user per integration is safer",
        "# profile = \"\"   # TODO",
        "# profile = \"Orders Integration\"",
    ] {
        assert!(draft.contains(expected), "{expected}\n{draft}");
    }
    assert!(!draft.contains("org-data ="), "{draft}");

    let (code, doc) = check_json_in(dir.path(), &[]);
    assert!(code == 0 || code == 1, "exit {code}: {doc}");
    assert_eq!(doc["errors"].as_array().unwrap().len(), 0, "{doc}");
    assert_eq!(doc["summary"]["integrations"], 4);
    // Every app is declared now.
    assert!(
        !finding_lines(&doc).iter().any(|l| l.starts_with("IDN005")),
        "{doc}"
    );
}

#[test]
fn the_draft_with_the_snapshot_names_what_the_org_assigns() {
    let dir = sample_without_inventory();
    let out = init_in(dir.path(), &["--org-data", "org-snapshot"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let draft = std::fs::read_to_string(dir.path().join("minpriv.toml")).unwrap();
    for expected in [
        "org-data = \"org-snapshot\"",
        "profile = \"Orders Integration\"   # as the org snapshot assigns it",
        "permission-set-groups = [\"Orders_Integration\"]",
        "permission-sets = [\"DocuSign_Envelopes\", \"DocuSign_Read\"]",
        "user = \"svc.survey@acme.example\"",
        "# An active user on the Salesforce Integration licence in the org snapshot;",
    ] {
        assert!(draft.contains(expected), "{expected}\n{draft}");
    }
    // The check reads the snapshot the draft names.
    let (code, doc) = check_json_in(dir.path(), &[]);
    assert!(code == 0 || code == 1, "exit {code}: {doc}");
    assert_eq!(doc["errors"].as_array().unwrap().len(), 0, "{doc}");
    assert_eq!(doc["summary"]["not_evaluated"], usage_rules_not_evaluated());
    assert_eq!(doc["summary"]["integrations"], 6);
    // The draft is what the org assigns: no drift, nothing undeclared.
    let lines = finding_lines(&doc);
    assert!(
        !lines
            .iter()
            .any(|l| l.starts_with("ORG003") || l.starts_with("IDN005")),
        "{lines:?}"
    );
}

#[test]
fn init_never_overwrites() {
    let out = run(&["init", "testdata/acme"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains(
            "testdata/acme/minpriv.toml already exists; `minpriv init` never overwrites it"
        ),
        "{}",
        stderr(&out)
    );
    let dir = sample_without_inventory();
    let target = dir.path().join("draft.toml");
    std::fs::write(&target, "# mine\n").unwrap();
    let out = init_in(dir.path(), &["-o", "draft.toml"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "# mine\n");
}

#[test]
fn names_with_quotes_are_escaped() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    let apps = dir.path().join("connectedApps");
    std::fs::create_dir(&apps).unwrap();
    std::fs::write(
        apps.join("Bob%27s \"Sync\" \\ Tool.connectedApp-meta.xml"),
        r#"<?xml version="1.0" encoding="UTF-8"?>
<ConnectedApp xmlns="http://soap.sforce.com/2006/04/metadata">
    <label>Bob's Sync</label>
    <oauthConfig>
        <callbackUrl>https://login.salesforce.com/services/oauth2/success</callbackUrl>
        <isAdminApproved>true</isAdminApproved>
        <isClientCredentialEnabled>true</isClientCredentialEnabled>
        <oauthClientCredentialUser>svc."bob"@acme.example</oauthClientCredentialUser>
        <scopes>Api</scopes>
    </oauthConfig>
    <profileName>Bob's "API" Profile</profileName>
</ConnectedApp>
"#,
    )
    .unwrap();
    let out = init_in(dir.path(), &["-o", "draft.toml"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let draft = std::fs::read_to_string(dir.path().join("draft.toml")).unwrap();
    let parsed: toml::Table = toml::from_str(&draft).unwrap();
    let entry = &parsed["integration"][0];
    assert_eq!(
        entry["connected-apps"][0].as_str(),
        Some(r#"Bob's "Sync" \ Tool"#)
    );
    assert_eq!(entry["profile"].as_str(), Some(r#"Bob's "API" Profile"#));
    assert_eq!(entry["user"].as_str(), Some(r#"svc."bob"@acme.example"#));
    assert!(
        draft.contains("# guess: the only profile the app pre-authorizes"),
        "{draft}"
    );
    let (code, doc) = check_json_in(dir.path(), &["--config", "draft.toml"]);
    assert!(code == 0 || code == 1, "exit {code}: {doc}");
    assert_eq!(doc["errors"].as_array().unwrap().len(), 0, "{doc}");
    // The app is declared under its real name.
    assert!(
        !finding_lines(&doc).iter().any(|l| l.starts_with("IDN005")),
        "{doc}"
    );
}
