//! Usage evidence end to end: the messages of USE001–USE003,
//! `min-usage-days`, malformed log rows, `access` marks, the contract
//! `init` drafts, the audit report's granted-vs-used table, and the same
//! output whatever the thread count.

mod common;

use std::path::Path;

use common::*;

const FAIL: &str = "testdata/rules/USE001/fail";

fn messages(doc: &serde_json::Value, code: &str) -> Vec<String> {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == code)
        .map(|f| f["message"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn messages_give_the_window_and_the_counts() {
    let (_, doc) = check_json(&[FAIL, "--select", "USE001"]);
    assert_eq!(
        messages(&doc, "USE001"),
        [
            "permission set `Orders_Access` grants delete on Account, never used: 4 calls on Account (2 read, 1 create, 1 edit) in 47 days of logs, 2026-10-01 to 2026-11-16 (integration orders-sync)",
            "permission set `Orders_Access` grants read on Case, with no call on Case in 47 days of logs, 2026-10-01 to 2026-11-16 (integration orders-sync)",
            "permission set `Orders_Access` grants edit on Contact, never used: 2 calls on Contact (2 read) in 47 days of logs, 2026-10-01 to 2026-11-16 (integration orders-sync)",
        ]
    );
    // Order: granted create read edit, called only by a Bulk job whose log
    // does not say the operation: no verb is called unused.
    assert!(
        !messages(&doc, "USE001")
            .iter()
            .any(|m| m.contains("on Order")),
        "{doc}"
    );
    let (_, doc) = check_json(&["testdata/rules/USE002/fail", "--select", "USE002"]);
    assert_eq!(
        messages(&doc, "USE002")[0],
        "integration user `svc.orders@acme.example` logged in or called the API from 203.0.113.9, outside its ip-allowlist: 2 times in 2 days of logs, 2026-11-02 to 2026-11-03 (integration orders-sync)"
    );
    let (_, doc) = check_json(&["testdata/rules/USE003/fail", "--select", "USE003"]);
    assert_eq!(
        messages(&doc, "USE003"),
        [
            "integration user `svc.orders@acme.example` called the API through connected app `Dataloader Partner` (2 calls in 1 day of logs, 2026-11-02), which integration orders-sync does not declare",
            "integration user `svc.orders@acme.example` called the API through no connected app (1 call in 1 day of logs, 2026-11-03), while integration orders-sync declares its app",
            "user `jane.admin@acme.example` called the API through connected app `Orders_Sync` (1 call in 1 day of logs, 2026-11-03), the client-credentials app of integration orders-sync (run as `svc.orders@acme.example`)",
        ]
    );
}

/// A copy of a fixture with `lint` as the minpriv.toml's `[lint]` table.
fn with_lint(fixture: &str, lint: &str) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    copy_tree(Path::new(fixture), tmp.path());
    std::fs::create_dir(tmp.path().join(".git")).unwrap();
    let config = tmp.path().join("minpriv.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    let (top, rest) = text.split_once("[[integration]]").unwrap();
    std::fs::write(
        &config,
        format!("{top}[lint]\n{lint}\n\n[[integration]]{rest}"),
    )
    .unwrap();
    tmp
}

#[test]
fn min_usage_days_decides_whether_use001_runs() {
    // Twelve days of logs are enough for a 10-day minimum.
    let tmp = with_lint("testdata/rules/USE001/short", "min-usage-days = 10");
    let (_, doc) = check_json_in(tmp.path(), &["--select", "USE001"]);
    assert_eq!(doc["summary"]["not_evaluated"], serde_json::json!([]));
    assert_eq!(messages(&doc, "USE001").len(), 3, "{doc}");
    // 47 days are not enough for 60.
    let tmp = with_lint(FAIL, "min-usage-days = 60");
    let (_, doc) = check_json_in(tmp.path(), &["--select", "USE001"]);
    assert_eq!(
        doc["summary"]["not_evaluated"],
        serde_json::json!([{"rule": "USE001", "reason": "needs API usage logs covering at least 60 days (min-usage-days); the logs cover 47 days, 2026-10-01 to 2026-11-16"}])
    );
    // A bad value is a located config error.
    let tmp = with_lint(FAIL, "min-usage-days = 0");
    let out = minpriv()
        .current_dir(tmp.path())
        .args(["check", "--color", "never"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("must be a positive number"), "{err}");
    assert!(err.contains("minpriv.toml:4:18"), "{err}");
}

#[test]
fn a_malformed_log_row_is_a_located_error_and_the_rest_is_read() {
    let tmp = tempfile::tempdir().unwrap();
    copy_tree(Path::new(FAIL), tmp.path());
    std::fs::create_dir(tmp.path().join(".git")).unwrap();
    let log = tmp.path().join("org-snapshot/0AT5g00000Kq2XyGAJ.csv");
    let text = std::fs::read_to_string(&log).unwrap();
    // The second data row's TIMESTAMP loses its time.
    let bad = text.replacen("\"20261116050014.551\"", "\"20261116\"", 1);
    assert_ne!(bad, text);
    std::fs::write(&log, bad).unwrap();
    let (code, doc) = check_json_in(tmp.path(), &["--select", "USE001"]);
    assert_eq!(code, 2);
    assert_eq!(
        doc["errors"],
        serde_json::json!([{
            "file": "org-snapshot/0AT5g00000Kq2XyGAJ.csv",
            "line": 3,
            "column": 17,
            "message": "TIMESTAMP is not yyyyMMddHHmmss.SSS: `20261116`"
        }])
    );
    // The other rows still count: the same three findings.
    assert_eq!(messages(&doc, "USE001").len(), 3);
}

#[test]
fn access_marks_each_object_used_unused_or_unknown() {
    let out = minpriv()
        .current_dir(FAIL)
        .args(["access", "orders-sync"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    for line in [
        "  Account: create read edit delete  [used: 4 calls (2 read, 1 create, 1 edit) in 47 days of logs, 2026-10-01 to 2026-11-16]",
        "  Case: read  [unused: no call in 47 days of logs, 2026-10-01 to 2026-11-16]",
        "  Order: create read edit  [used: 2 calls (2 of unknown verb) in 47 days of logs, 2026-10-01 to 2026-11-16]",
    ] {
        assert!(text.lines().any(|l| l == line), "{line}\n{text}");
    }
    // Twelve days of logs: an object without calls is unknown, not unused.
    let out = minpriv()
        .current_dir("testdata/rules/USE001/short")
        .args([
            "access",
            "orders-sync",
            "--format",
            "json",
            "--object",
            "Case",
        ])
        .output()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        doc["objects"][0]["usage"],
        serde_json::json!({
            "status": "unknown",
            "detail": "usage unknown: no call, but the logs cover only 12 days, 2026-11-05 to 2026-11-16, less than min-usage-days (30)",
            "calls": 0,
            "used": [],
            "unknown_verb": 0,
            "first_day": null,
            "last_day": null
        })
    );
    // Without usage logs, no mark at all.
    let out = minpriv()
        .args(["access", "erp-sync", "testdata/rules/ORG003/fail"])
        .output()
        .unwrap();
    assert!(!stdout(&out).contains("usage"), "{}", stdout(&out));
}

#[test]
fn init_drafts_the_contract_from_what_was_used() {
    let tmp = tempfile::tempdir().unwrap();
    copy_tree(Path::new(FAIL), tmp.path());
    std::fs::create_dir(tmp.path().join(".git")).unwrap();
    std::fs::remove_file(tmp.path().join("minpriv.toml")).unwrap();
    let out = minpriv()
        .current_dir(tmp.path())
        .args(["init", "--org-data", "org-snapshot"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let draft = std::fs::read_to_string(tmp.path().join("minpriv.toml")).unwrap();
    let contract: Vec<&str> = draft
        .lines()
        .skip_while(|l| !l.starts_with("[integration.objects]"))
        .collect();
    assert_eq!(
        contract,
        [
            "[integration.objects]   # drafted from what the usage logs show it used in 47 days of logs, 2026-10-01 to 2026-11-16: check jobs that run less often",
            "\"Account\" = \"create read edit\"",
            "\"Contact\" = \"read\"",
            "\"Order\" = \"read\"   # TODO: 2 of 2 calls do not say their verb (a Bulk job without its operation, a composite request): add what it writes",
        ]
    );
    // The draft is a valid inventory.
    let (code, doc) = check_json_in(tmp.path(), &[]);
    assert!(code == 0 || code == 1, "{doc}");
    assert_eq!(doc["errors"], serde_json::json!([]));
}

#[test]
fn the_audit_report_has_a_granted_vs_used_table() {
    let out = minpriv()
        .current_dir(FAIL)
        .args(["report", "--format", "markdown"])
        .output()
        .unwrap();
    let text = stdout(&out);
    let table: Vec<&str> = text
        .lines()
        .skip_while(|l| *l != "### orders-sync (47 days of logs, 2026-10-01 to 2026-11-16)")
        .take(8)
        .collect();
    assert_eq!(
        table,
        [
            "### orders-sync (47 days of logs, 2026-10-01 to 2026-11-16)",
            "",
            "| Object | Granted | Used | Status | Calls |",
            "|---|---|---|---|---|",
            "| Account | C R E D | C R E | used | 4 calls (2 read, 1 create, 1 edit) |",
            "| Case | R |  | unused | no call |",
            "| Contact | R E | R | used | 2 calls (2 read) |",
            "| Order | C R E | ? | used | 2 calls (2 of unknown verb) |",
        ]
    );
    // No usage logs, no section.
    let out = minpriv()
        .args([
            "report",
            "testdata/rules/ORG003/fail",
            "--format",
            "markdown",
        ])
        .output()
        .unwrap();
    assert!(!stdout(&out).contains("Granted vs used"));
}

#[test]
fn the_same_output_whatever_the_thread_count() {
    for dir in [
        FAIL,
        "testdata/rules/USE002/fail",
        "testdata/rules/USE003/fail",
    ] {
        let runs: Vec<Vec<u8>> = ["1", "2", "8"]
            .iter()
            .map(|n| run(&["check", dir, "--format", "json", "--threads", n]).stdout)
            .collect();
        assert!(runs.windows(2).all(|w| w[0] == w[1]), "{dir}");
    }
}
