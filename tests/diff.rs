//! `minpriv diff`: the privilege delta between two trees in
//! `testdata/diff/<case>/{old,new}`, and between two commits of a
//! throw-away repository.

mod common;

use std::path::Path;
use std::process::{Command as Process, Output};

use common::*;
use serde_json::{Value, json};

const CASES: [&str; 6] = [
    "new-permission-set",
    "group-change",
    "muting",
    "ip-widened",
    "app-bypass",
    "reformat",
];

fn diff(case: &str, args: &[&str]) -> Output {
    let (old, new) = (
        format!("testdata/diff/{case}/old"),
        format!("testdata/diff/{case}/new"),
    );
    minpriv()
        .args(["diff", &old, &new, "--now", TODAY])
        .args(args)
        .output()
        .expect("minpriv runs")
}

fn parse(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is JSON ({e}); stderr:\n{}",
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

/// Exit code and document of `diff --format json`.
fn diff_json(case: &str, args: &[&str]) -> (i32, Value) {
    let mut args = args.to_vec();
    args.extend(["--format", "json"]);
    let out = diff(case, &args);
    (out.status.code().unwrap_or(-1), parse(&out))
}

/// The only integration of a case, which must be `changed`.
fn erp_sync(doc: &Value) -> &Value {
    let list = doc["integrations"].as_array().unwrap();
    assert_eq!(list.len(), 1, "{doc:#}");
    assert_eq!(list[0]["name"], "erp-sync");
    &list[0]
}

fn rules(list: &Value) -> Vec<&str> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect()
}

/// The empty `gained` / `lost` object.
fn nothing() -> Value {
    json!({"system_permissions": [], "objects": [], "fields": [], "other": [],
           "login_ip_ranges": [], "apps": []})
}

/// `nothing()` with some categories filled in.
fn with(entries: Value) -> Value {
    let mut all = nothing();
    for (k, v) in entries.as_object().unwrap() {
        assert!(all.get(k).is_some(), "no category {k}");
        all[k] = v.clone();
    }
    all
}

const DEFAULT: &str = "force-app/main/default";

#[test]
fn a_new_permission_set_is_a_gain_with_its_element() {
    let (code, doc) = diff_json("new-permission-set", &["--fail-on-escalation"]);
    assert_eq!(code, 1, "escalation exits 1");
    let erp = erp_sync(&doc);
    assert_eq!(erp["status"], "changed");
    assert_eq!(erp["user"], "svc.erp@acme.example");
    assert_eq!(
        erp["gained"],
        with(json!({"objects": [{
            "name": "Account",
            "access": ["delete"],
            "via": [{"access": ["delete"], "holder": "PermissionSet:ERP_Account_Cleanup",
                     "file": format!("testdata/diff/new-permission-set/new/{DEFAULT}/permissionsets/ERP_Account_Cleanup.permissionset-meta.xml"),
                     "line": 13, "direct": true, "groups": []}],
            "muted_by": []
        }]}))
    );
    assert_eq!(erp["lost"], nothing());
    assert_eq!(rules(&doc["findings"]["new"]), ["ADM004"]);
    assert_eq!(rules(&doc["findings"]["resolved"]), Vec::<&str>::new());
    assert_eq!(
        doc["summary"],
        json!({"integrations": 1, "added": 0, "removed": 0, "changed": 1, "unchanged": 0,
               "gaining": 1, "losing": 0, "gained": 1, "lost": 0,
               "new_findings": 1, "resolved_findings": 0, "escalation": true})
    );
    // Without the flag, a gain is not a failure.
    assert_eq!(diff_json("new-permission-set", &[]).0, 0);
}

#[test]
fn a_set_added_to_a_group_is_a_gain_through_that_group() {
    let (code, doc) = diff_json("group-change", &["--fail-on-escalation"]);
    assert_eq!(code, 1);
    let file = format!(
        "testdata/diff/group-change/new/{DEFAULT}/permissionsets/ERP_Admin_Tools.permissionset-meta.xml"
    );
    let via = |line: u32| {
        json!({"holder": "PermissionSet:ERP_Admin_Tools", "file": file, "line": line,
               "direct": false, "groups": ["ERP_Sync"]})
    };
    let mut object_via = via(17);
    object_via["access"] = json!(["delete"]);
    let erp = erp_sync(&doc);
    assert_eq!(
        erp["gained"],
        with(json!({
            "system_permissions": [{"name": "ExportReport", "via": [via(23)], "muted_by": []}],
            "objects": [{"name": "Account", "access": ["delete"], "via": [object_via], "muted_by": []}],
            "other": [{"kind": "Apex class", "name": "ERP_BulkUpsert", "via": [via(4)], "muted_by": []}]
        }))
    );
    assert_eq!(erp["lost"], nothing());
    assert_eq!(rules(&doc["findings"]["new"]), ["ADM004", "ADM002"]);
}

#[test]
fn a_muting_set_is_a_loss_with_the_old_grant_and_the_muting_element() {
    let (code, doc) = diff_json("muting", &["--fail-on-escalation"]);
    assert_eq!(code, 0, "losing access is no escalation");
    let erp = erp_sync(&doc);
    assert_eq!(erp["gained"], nothing());
    assert_eq!(
        erp["lost"],
        with(json!({"objects": [{
            "name": "Account",
            "access": ["delete"],
            "via": [{"access": ["delete"], "holder": "PermissionSet:ERP_Write",
                     "file": format!("testdata/diff/muting/old/{DEFAULT}/permissionsets/ERP_Write.permissionset-meta.xml"),
                     "line": 18, "direct": false, "groups": ["ERP_Sync"]}],
            "muted_by": [{"muting_set": "ERP_Sync_Mute", "group": "ERP_Sync",
                          "file": format!("testdata/diff/muting/new/{DEFAULT}/mutingpermissionsets/ERP_Sync_Mute.mutingpermissionset-meta.xml"),
                          "line": 11}]
        }]}))
    );
    assert_eq!(rules(&doc["findings"]["new"]), Vec::<&str>::new());
    assert_eq!(rules(&doc["findings"]["resolved"]), ["ADM004"]);
    assert_eq!(doc["findings"]["resolved"][0]["line"], 18);
}

#[test]
fn a_widened_login_ip_range_is_a_gain() {
    let (code, doc) = diff_json("ip-widened", &["--fail-on-escalation"]);
    assert_eq!(code, 1);
    let erp = erp_sync(&doc);
    assert_eq!(
        erp["gained"],
        with(json!({"login_ip_ranges": [{
            "kind": "widened",
            "range": "203.0.0.0-203.0.255.255",
            "overlaps": ["203.0.113.10-203.0.113.20"],
            "profile": "ERP Integration",
            "file": format!("testdata/diff/ip-widened/new/{DEFAULT}/profiles/ERP Integration.profile-meta.xml"),
            "line": 5
        }]}))
    );
    // The addresses of the old range are all still allowed: nothing lost.
    assert_eq!(erp["lost"], nothing());
    assert_eq!(rules(&doc["findings"]["new"]), ["NET004"]);
}

#[test]
fn dropping_every_login_ip_range_is_a_gain_and_adding_them_a_loss() {
    let temp = tempfile::tempdir().unwrap();
    let open = temp.path().join("open");
    copy_tree(Path::new("testdata/diff/ip-widened/old"), &open);
    let profile = open
        .join(DEFAULT)
        .join("profiles/ERP Integration.profile-meta.xml");
    let text = std::fs::read_to_string(&profile).unwrap();
    let start = text.find("    <loginIpRanges>").unwrap();
    let end = text.find("</loginIpRanges>\n").unwrap() + "</loginIpRanges>\n".len();
    std::fs::write(&profile, format!("{}{}", &text[..start], &text[end..])).unwrap();

    let run_diff = |old: &Path, new: &Path| {
        let out = minpriv()
            .arg("diff")
            .args([old, new])
            .args(["--format", "json", "--fail-on-escalation", "--now", TODAY])
            .output()
            .unwrap();
        (out.status.code(), parse(&out))
    };
    let restricted = Path::new("testdata/diff/ip-widened/old");
    let (code, doc) = run_diff(restricted, &open);
    assert_eq!(code, Some(1));
    let range = &erp_sync(&doc)["gained"]["login_ip_ranges"];
    assert_eq!(range[0]["kind"], "unrestricted");
    assert_eq!(range[0]["range"], Value::Null);
    assert_eq!(range[0]["overlaps"], json!(["203.0.113.10-203.0.113.20"]));
    assert_eq!(range[0]["line"], 2, "the profile's root element");
    assert_eq!(rules(&doc["findings"]["new"]), ["NET001"]);

    let (code, doc) = run_diff(&open, restricted);
    assert_eq!(code, Some(0));
    let erp = erp_sync(&doc);
    assert_eq!(erp["gained"], nothing());
    assert_eq!(erp["lost"]["login_ip_ranges"][0]["kind"], "restricted");
    assert_eq!(rules(&doc["findings"]["resolved"]), ["NET001"]);
}

#[test]
fn a_connected_app_switched_to_bypass_is_a_gain() {
    let (code, doc) = diff_json("app-bypass", &["--fail-on-escalation"]);
    assert_eq!(code, 1);
    let erp = erp_sync(&doc);
    assert_eq!(
        erp["gained"],
        with(json!({"apps": [{
            "app": "ERP_Sync", "setting": "ip_relaxation", "old": "ENFORCE", "new": "BYPASS",
            "file": format!("testdata/diff/app-bypass/new/{DEFAULT}/connectedApps/ERP_Sync.connectedApp-meta.xml"),
            "line": 18
        }]}))
    );
    assert_eq!(erp["lost"], nothing());
    assert_eq!(rules(&doc["findings"]["new"]), ["NET005"]);
}

#[test]
fn reordering_reformatting_and_mdapi_format_change_nothing() {
    let (code, doc) = diff_json("reformat", &["--fail-on-escalation"]);
    assert_eq!(code, 0);
    // The new tree really is in Metadata API format.
    assert!(Path::new("testdata/diff/reformat/new/src/package.xml").is_file());
    assert!(Path::new("testdata/diff/reformat/new/src/profiles/ERP Integration.profile").is_file());
    let erp = erp_sync(&doc);
    assert_eq!(erp["status"], "unchanged");
    assert_eq!(erp["gained"], nothing());
    assert_eq!(erp["lost"], nothing());
    assert_eq!(doc["findings"], json!({"new": [], "resolved": []}));
    assert_eq!(doc["summary"]["unchanged"], 1);
    assert_eq!(
        (doc["old"]["files"].as_u64(), doc["new"]["files"].as_u64()),
        (Some(5), Some(5))
    );
    // Both sides have the same finding; only its fingerprint is compared.
    let (_, old) = check_json(&["testdata/diff/reformat/old", "--now", TODAY]);
    let (_, new) = check_json(&["testdata/diff/reformat/new", "--now", TODAY]);
    assert_eq!(rules(&old["findings"]), ["ADM004"]);
    assert_eq!(
        old["findings"][0]["fingerprint"],
        new["findings"][0]["fingerprint"]
    );
    assert_ne!(old["findings"][0]["line"], new["findings"][0]["line"]);

    let text = stdout(&diff("reformat", &[]));
    assert_eq!(
        text,
        "Privilege delta testdata/diff/reformat/old → testdata/diff/reformat/new\n\n\
         No change in effective access or findings (1 integration).\n"
    );
}

#[test]
fn text_and_markdown_snapshots() {
    for case in CASES {
        let text = diff(case, &["--color", "never"]);
        assert!(text.status.success(), "{case}: {}", stderr(&text));
        insta::assert_snapshot!(format!("text_{case}"), stdout(&text));
        let markdown = diff(case, &["--format", "markdown"]);
        assert!(markdown.status.success(), "{case}: {}", stderr(&markdown));
        insta::assert_snapshot!(format!("markdown_{case}"), stdout(&markdown));
    }
}

#[test]
fn gains_are_green_and_losses_red_only_when_asked() {
    let green = stdout(&diff("new-permission-set", &["--color", "always"]));
    assert!(green.contains("\u{1b}[32m    + Account: delete"), "{green}");
    let red = stdout(&diff("muting", &["--color", "always"]));
    assert!(red.contains("\u{1b}[31m    - Account: delete"), "{red}");
    let plain = minpriv()
        .env("NO_COLOR", "1")
        .args([
            "diff",
            "testdata/diff/muting/old",
            "testdata/diff/muting/new",
        ])
        .output()
        .unwrap();
    assert!(!stdout(&plain).contains('\u{1b}'));
}

#[test]
fn an_added_integration_gains_everything_its_app_allows() {
    let temp = tempfile::tempdir().unwrap();
    let new = temp.path().join("new");
    copy_tree(Path::new("testdata/diff/app-bypass/old"), &new);
    std::fs::write(
        new.join(DEFAULT)
            .join("connectedApps/Tableau_Export.connectedApp-meta.xml"),
        r#"<?xml version="1.0" encoding="UTF-8"?>
<ConnectedApp xmlns="http://soap.sforce.com/2006/04/metadata">
    <contactEmail>bi-team@acme.example</contactEmail>
    <label>Tableau Export</label>
    <oauthConfig>
        <callbackUrl>https://tableau.acme.example/oauth/callback</callbackUrl>
        <isAdminApproved>false</isAdminApproved>
        <isClientCredentialEnabled>true</isClientCredentialEnabled>
        <oauthClientCredentialUser>svc.tableau@acme.example</oauthClientCredentialUser>
        <scopes>Api</scopes>
        <scopes>RefreshToken</scopes>
    </oauthConfig>
</ConnectedApp>
"#,
    )
    .unwrap();
    let out = minpriv()
        .args(["diff", "testdata/diff/app-bypass/old"])
        .arg(&new)
        .args(["--format", "json", "--fail-on-escalation", "--now", TODAY])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let doc = parse(&out);
    let tableau = &doc["integrations"][1];
    assert_eq!(tableau["name"], "Tableau_Export");
    assert_eq!(tableau["status"], "added");
    let settings: Vec<(&str, Option<&str>, Option<&str>)> = tableau["gained"]["apps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["setting"].as_str().unwrap(),
                a["old"].as_str(),
                a["new"].as_str(),
            )
        })
        .collect();
    assert_eq!(
        settings,
        [
            ("app", None, Some("connected app")),
            ("client_credentials", None, Some("enabled")),
            ("run_as_user", None, Some("svc.tableau@acme.example")),
            ("self_authorization", None, Some("self-authorized")),
            // No policy: Salesforce's default, tokens valid until revoked.
            ("refresh_token_policy", None, Some("infinite")),
            ("scope", None, Some("Api")),
            ("scope", None, Some("RefreshToken")),
        ]
    );
    assert_eq!(tableau["lost"], nothing());
    assert_eq!(doc["integrations"][0]["status"], "unchanged");
    assert_eq!(doc["summary"]["added"], 1);
}

#[test]
fn a_broken_file_on_either_side_is_reported_and_exits_2() {
    let temp = tempfile::tempdir().unwrap();
    let new = temp.path().join("new");
    copy_tree(Path::new("testdata/diff/app-bypass/new"), &new);
    std::fs::write(
        new.join(DEFAULT)
            .join("permissionsets/ERP_Read.permissionset-meta.xml"),
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<PermissionSet>\n    <label>ERP Read\n",
    )
    .unwrap();
    let out = minpriv()
        .args(["diff", "testdata/diff/app-bypass/old"])
        .arg(&new)
        .args(["--format", "json", "--now", TODAY])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let doc = parse(&out);
    let errors = doc["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{doc:#}");
    assert_eq!(errors[0]["side"], "new");
    assert!(
        errors[0]["file"]
            .as_str()
            .unwrap()
            .ends_with("permissionsets/ERP_Read.permissionset-meta.xml")
    );
    assert!(
        stderr(&out).contains("minpriv: error: new tree: "),
        "{}",
        stderr(&out)
    );

    let missing = run(&["diff", "testdata/diff/nope", "testdata/diff/muting/new"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(stderr(&missing).contains("old tree `testdata/diff/nope` is not a directory"));
}

// ---- --git ------------------------------------------------------------------

fn git(repo: &Path, args: &[&str]) -> String {
    let out = Process::new("git")
        .current_dir(repo)
        .args([
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@t",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .output()
        .expect("git runs");
    assert!(out.status.success(), "git {args:?}: {}", stderr(&out));
    stdout(&out)
}

/// A repository with the `new-permission-set` case's old tree committed,
/// then its new tree.
fn throw_away_repository() -> tempfile::TempDir {
    let repo = tempfile::tempdir().unwrap();
    let dir = repo.path();
    git(dir, &["init", "-q"]);
    copy_tree(Path::new("testdata/diff/new-permission-set/old"), dir);
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", "old"]);
    std::fs::remove_dir_all(dir.join("force-app")).unwrap();
    copy_tree(Path::new("testdata/diff/new-permission-set/new"), dir);
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", "new"]);
    repo
}

#[test]
fn git_revisions_are_read_from_commits_not_the_working_tree() {
    let repo = throw_away_repository();
    let dir = repo.path();
    // Undo the change in the working tree only: the diff must not see it.
    std::fs::remove_file(
        dir.join(DEFAULT)
            .join("permissionsets/ERP_Account_Cleanup.permissionset-meta.xml"),
    )
    .unwrap();
    let status = git(dir, &["status", "--porcelain"]);
    let head = git(dir, &["rev-parse", "HEAD"]).trim().to_owned();
    let parent = git(dir, &["rev-parse", "HEAD~1"]).trim().to_owned();

    let out = minpriv()
        .current_dir(dir)
        .args(["diff", "--git", "HEAD~1", "HEAD", "--format", "json"])
        .args(["--fail-on-escalation", "--now", TODAY])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let doc = parse(&out);
    assert_eq!(
        doc["old"],
        json!({"source": "HEAD~1", "commit": parent, "files": 5})
    );
    assert_eq!(
        doc["new"],
        json!({"source": "HEAD", "commit": head, "files": 6})
    );
    let erp = erp_sync(&doc);
    assert_eq!(
        erp["gained"]["objects"],
        json!([{
            "name": "Account",
            "access": ["delete"],
            "via": [{"access": ["delete"], "holder": "PermissionSet:ERP_Account_Cleanup",
                     "file": format!("{DEFAULT}/permissionsets/ERP_Account_Cleanup.permissionset-meta.xml"),
                     "line": 13, "direct": true, "groups": []}],
            "muted_by": []
        }])
    );
    assert_eq!(rules(&doc["findings"]["new"]), ["ADM004"]);
    assert_eq!(
        doc["findings"]["new"][0]["file"],
        format!("{DEFAULT}/permissionsets/ERP_Account_Cleanup.permissionset-meta.xml")
    );
    // Neither the working tree nor the index moved.
    assert_eq!(git(dir, &["status", "--porcelain"]), status);

    // From a subdirectory, paths are shown from there, and PATHS restrict
    // the check to part of each tree.
    let sub = dir.join("force-app/main");
    let out = minpriv()
        .current_dir(&sub)
        .args(["diff", "--git", "HEAD~1", "HEAD", "--format", "json"])
        .args(["--now", TODAY, "default/profiles"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let doc = parse(&out);
    assert_eq!(
        (doc["old"]["files"].as_u64(), doc["new"]["files"].as_u64()),
        (Some(1), Some(1))
    );
    assert_eq!(erp_sync(&doc)["gained"], nothing());
    // The new inventory names a set that is not checked now; the inventory
    // lies outside the current directory and is shown from the top.
    assert_eq!(rules(&doc["findings"]["new"]), ["REF001"]);
    assert_eq!(doc["findings"]["new"][0]["file"], "minpriv.toml");

    // A path only one revision has is empty in the other.
    let cleanup = format!("{DEFAULT}/permissionsets/ERP_Account_Cleanup.permissionset-meta.xml");
    let out = minpriv()
        .current_dir(dir)
        .args(["diff", "--git", "HEAD~1", "HEAD", "--format", "json"])
        .args(["--now", TODAY, &cleanup])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let doc = parse(&out);
    assert_eq!(
        (doc["old"]["files"].as_u64(), doc["new"]["files"].as_u64()),
        (Some(0), Some(1))
    );
    assert_eq!(
        erp_sync(&doc)["gained"]["objects"][0]["access"],
        json!(["read", "delete"])
    );
}

#[test]
fn unknown_revisions_and_missing_repositories_exit_2() {
    let repo = throw_away_repository();
    let out = minpriv()
        .current_dir(repo.path())
        .args(["diff", "--git", "no-such-branch", "HEAD"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("`no-such-branch` names no commit"),
        "{}",
        stderr(&out)
    );

    let out = minpriv()
        .current_dir(repo.path())
        .args(["diff", "--git", "HEAD~1", "HEAD", "no/such/dir"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("`no/such/dir` is in neither HEAD~1 nor HEAD"),
        "{}",
        stderr(&out)
    );

    let empty = tempfile::tempdir().unwrap();
    let out = minpriv()
        .current_dir(empty.path())
        .env("GIT_CEILING_DIRECTORIES", empty.path().parent().unwrap())
        .args(["diff", "--git", "HEAD~1", "HEAD"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("--git needs a git repository"),
        "{}",
        stderr(&out)
    );
}

/// The org snapshot an inventory names (`org-data`) is read from each
/// revision, like the metadata: a user reactivated between the two
/// commits resolves ORG001 (inactive) and, last seen months ago, brings
/// ORG002 (stale), though the working tree holds no snapshot.
/// `--org-data DIR` instead reads one snapshot from the working tree for
/// both sides.
#[test]
fn git_revisions_bring_the_org_snapshot_their_inventory_names() {
    let repo = tempfile::tempdir().unwrap();
    let dir = repo.path();
    git(dir, &["init", "-q"]);
    copy_tree(Path::new("testdata/acme"), dir);
    let config = dir.join("minpriv.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(&config, format!("org-data = \"org-snapshot\"\n{text}")).unwrap();
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", "old"]);
    let users = dir.join("org-snapshot/users.json");
    let text = std::fs::read_to_string(&users).unwrap();
    let reactivated = text.replacen("\"IsActive\": false", "\"IsActive\": true", 1);
    assert_ne!(text, reactivated);
    std::fs::write(&users, reactivated).unwrap();
    git(dir, &["commit", "-q", "-am", "new"]);
    std::fs::remove_dir_all(dir.join("org-snapshot")).unwrap();

    let run = |extra: &[&str]| {
        let out = minpriv()
            .current_dir(dir)
            .args(["diff", "--git", "HEAD~1", "HEAD", "--format", "json"])
            .args(["--now", TODAY])
            .args(extra)
            .output()
            .unwrap();
        (out.status.code(), stderr(&out), parse(&out))
    };
    let (code, err, doc) = run(&[]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(rules(&doc["findings"]["new"]), ["ORG002"]);
    assert_eq!(rules(&doc["findings"]["resolved"]), ["ORG001"]);
    assert_eq!(
        doc["findings"]["resolved"][0]["file"],
        "org-snapshot/users.json"
    );
    // Metadata files and the three snapshot files on each side.
    assert_eq!(doc["old"]["files"], doc["new"]["files"]);

    // One snapshot from the working tree for both sides: no change.
    copy_tree(
        Path::new("testdata/acme/org-snapshot"),
        &dir.join("org-snapshot"),
    );
    let (code, err, doc) = run(&["--org-data", "org-snapshot"]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(rules(&doc["findings"]["new"]), Vec::<&str>::new());
    assert_eq!(rules(&doc["findings"]["resolved"]), Vec::<&str>::new());
}

/// A profile the old tree gave to a declared integration, and the new tree
/// to none, surfaces as a discovered identity: what it granted before is
/// not a gain (a fix moving integrations off a shared profile), but what
/// the profile itself gained is — even when the old integration had that
/// permission from another holder.
#[test]
fn a_surfaced_profile_gains_what_it_did_not_grant_itself() {
    let profile = |perms: &[&str]| {
        let mut text = String::from(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Profile xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n    <custom>true</custom>\n    <userLicense>Salesforce Integration</userLicense>\n",
        );
        for p in perms {
            text.push_str(&format!(
                "    <userPermissions>\n        <enabled>true</enabled>\n        <name>{p}</name>\n    </userPermissions>\n"
            ));
        }
        text.push_str("</Profile>\n");
        text
    };
    let set = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<PermissionSet xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n    <hasActivationRequired>false</hasActivationRequired>\n    <label>Extra</label>\n    <userPermissions>\n        <enabled>true</enabled>\n        <name>ModifyAllData</name>\n    </userPermissions>\n</PermissionSet>\n";
    let inventory = |profile: &str| {
        format!(
            "[[integration]]\nname = \"erp\"\nuser = \"svc.erp@acme.example\"\nprofile = \"{profile}\"\npermission-sets = [\"Extra\"]\n"
        )
    };
    let shared = "force-app/main/default/profiles/Shared Integration.profile-meta.xml";
    let own = "force-app/main/default/profiles/Erp Integration.profile-meta.xml";
    let extra = "force-app/main/default/permissionsets/Extra.permissionset-meta.xml";
    let project_json = r#"{"packageDirectories": [{"path": "force-app", "default": true}]}"#;
    let plain = profile(&["ApiEnabled", "ApiUserOnly"]);
    let widened = profile(&["ApiEnabled", "ApiUserOnly", "ModifyAllData"]);
    let old_inventory = inventory("Shared Integration");
    let new_inventory = inventory("Erp Integration");
    let files = |shared_text: &str| {
        vec![
            ("old/sfdx-project.json".to_owned(), project_json.to_owned()),
            ("old/minpriv.toml".to_owned(), old_inventory.clone()),
            (format!("old/{shared}"), plain.clone()),
            (format!("old/{extra}"), set.to_owned()),
            ("new/sfdx-project.json".to_owned(), project_json.to_owned()),
            ("new/minpriv.toml".to_owned(), new_inventory.clone()),
            (format!("new/{shared}"), shared_text.to_owned()),
            (format!("new/{own}"), plain.clone()),
            (format!("new/{extra}"), set.to_owned()),
        ]
    };
    let delta = |shared_text: &str| {
        let files = files(shared_text);
        let refs: Vec<(&str, &str)> = files
            .iter()
            .map(|(p, t)| (p.as_str(), t.as_str()))
            .collect();
        let dir = project(&refs);
        let out = minpriv()
            .current_dir(dir.path())
            .args(["diff", "old", "new", "--format", "json", "--now", TODAY])
            .output()
            .unwrap();
        parse(&out)
    };
    let surfaced = |doc: &Value| {
        doc["integrations"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["name"] == "Shared Integration")
            .cloned()
            .unwrap_or_else(|| panic!("no surfaced profile: {doc:#}"))
    };

    // Moved off, unchanged: nothing gained.
    let doc = delta(&plain);
    assert_eq!(doc["summary"]["gaining"], 0, "{doc:#}");
    assert_eq!(surfaced(&doc)["status"], "added");

    // Moved off and widened: ModifyAllData is the profile's gain, though
    // the old integration held it through Extra.
    let doc = delta(&widened);
    assert_eq!(doc["summary"]["gaining"], 1, "{doc:#}");
    let shared = surfaced(&doc);
    let gained: Vec<&str> = shared["gained"]["system_permissions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(gained, ["ModifyAllData"]);
}
