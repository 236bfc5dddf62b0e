//! Effective access with provenance: `minpriv access`, muting, groups,
//! decomposed permission sets.

mod common;

use common::*;

fn access_json(args: &[&str]) -> serde_json::Value {
    let out = minpriv()
        .arg("access")
        .args(args)
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn access_shows_each_grant_with_its_element_and_group() {
    let out = run(&[
        "access",
        "orders-sync",
        "testdata/acme",
        "--object",
        "Order",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    insta::assert_snapshot!("access_orders_sync_order", stdout(&out));
}

#[test]
fn muted_grants_are_not_access() {
    let doc = access_json(&["orders-sync", "testdata/acme", "--object", "Order"]);
    let order = &doc["objects"][0];
    assert_eq!(order["object"], "Order");
    // Orders_Integration_Write grants delete; the group's muting set mutes it.
    assert_eq!(
        order["access"],
        serde_json::json!(["create", "read", "edit"])
    );
}

#[test]
fn unknown_integrations_are_a_usage_error() {
    let out = run(&["access", "nobody", "testdata/acme"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("no integration is called `nobody`; known: "),
        "{}",
        stderr(&out)
    );
}

#[test]
fn decomposed_permission_sets_merge_and_point_at_their_child_files() {
    for preset in ["beta", "beta2"] {
        let dir = format!("testdata/decomposed/{preset}");
        let doc = access_json(&["erp-sync", &dir]);
        let system: Vec<&str> = doc["system_permissions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap())
            .collect();
        assert_eq!(
            system,
            ["ApiEnabled", "ApiUserOnly", "ExportReport"],
            "{preset}"
        );
        let account = &doc["objects"][0];
        assert_eq!(
            account["access"],
            serde_json::json!(["read", "edit"]),
            "{preset}"
        );
        let file = account["grants"][0]["file"].as_str().unwrap();
        assert!(
            file.contains("permissionsets/Erp_Sync/"),
            "{preset}: {file}"
        );
        assert!(
            !file.ends_with("Erp_Sync.permissionset-meta.xml"),
            "{preset}: {file}"
        );

        let (code, check) = check_json(&[&dir]);
        assert_eq!(code, 1, "{preset}");
        let lines = finding_lines(&check);
        let expected: &[&str] = match preset {
            "beta" => &[
                "ADM004 testdata/decomposed/beta/force-app/main/default/permissionsets/Erp_Sync/objectPermissions/Account.objectPermission-meta.xml:8",
                "ADM002 testdata/decomposed/beta/force-app/main/default/permissionsets/Erp_Sync/userPermissions/ExportReport.userPermission-meta.xml:4",
            ],
            _ => &[
                "ADM002 testdata/decomposed/beta2/force-app/main/default/permissionsets/Erp_Sync/Erp_Sync.userPermission-meta.xml:9",
                "ADM004 testdata/decomposed/beta2/force-app/main/default/permissionsets/Erp_Sync/objectSettings/Account.objectSettings-meta.xml:14",
            ],
        };
        assert_eq!(lines, expected, "{preset}");
    }
}

#[test]
fn a_decomposed_part_without_its_permission_set_is_an_error() {
    let (code, doc) = check_json(&["testdata/decomposed/orphan"]);
    assert_eq!(code, 2);
    let message = doc["errors"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("permissionset-meta.xml is missing"),
        "{message}"
    );
}

#[test]
fn a_grant_through_two_groups_is_one_finding_with_both_groups_as_notes() {
    let out = run(&[
        "check",
        "testdata/rules/ADM002/fail",
        "--select",
        "ADM002",
        "--color",
        "never",
    ]);
    assert_eq!(out.status.code(), Some(1));
    insta::assert_snapshot!("adm002_two_groups", stdout(&out));
}
