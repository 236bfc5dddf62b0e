//! `check FILE...`: a file named alone, as pre-commit or an
//! editor passes it, is checked in the context of its whole project and
//! gets exactly the findings the project run reports for it.

mod common;

use std::path::{Path, PathBuf};

use common::*;
use serde_json::Value;

fn acme() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/acme")
}

/// Every file under `dir`, relative to it, sorted.
fn files(dir: &Path) -> Vec<String> {
    files_below(dir).into_iter().map(|(rel, _)| rel).collect()
}

fn findings_in<'a>(doc: &'a Value, file: &str) -> Vec<&'a Value> {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["file"] == file)
        .collect()
}

/// The files whose change makes minpriv check the whole project.
const PROJECT_FILES: [&str; 3] = ["minpriv.toml", "sfdx-project.json", ".forceignore"];

fn each_file_alone_matches_the_project_run(extra: &[&str]) {
    let (project_code, project) = check_json_in(&acme(), extra);
    assert_eq!(project_code, 1, "{project}");
    let all = files(&acme());
    assert!(all.len() > 20, "{all:?}");
    let mut with_findings = 0;
    for file in &all {
        let mut args = vec![file.as_str()];
        args.extend(extra);
        let (code, doc) = check_json_in(&acme(), &args);
        assert!(
            doc["errors"].as_array().is_none_or(|e| e.is_empty()),
            "{file}: {doc}"
        );
        if PROJECT_FILES.contains(&file.as_str()) {
            assert_eq!(doc["findings"], project["findings"], "{file}");
            continue;
        }
        let expected = findings_in(&project, file);
        let got: Vec<&Value> = doc["findings"].as_array().unwrap().iter().collect();
        assert_eq!(got, expected, "{file} alone, against the project run");
        // The sample org fails on errors.
        let fails = expected.iter().any(|f| f["severity"] == "error");
        assert_eq!(code, i32::from(fails), "{file}");
        if !expected.is_empty() {
            with_findings += 1;
        }
        assert!(
            !got.iter().any(|f| f["rule"] == "REF001"),
            "{file}: no reference is dangling when the project is loaded"
        );
    }
    assert!(with_findings >= 5, "{with_findings} files with findings");
}

#[test]
fn every_file_of_the_sample_org_alone_gets_its_project_findings() {
    each_file_alone_matches_the_project_run(&[]);
}

#[test]
fn every_file_alone_with_the_org_snapshot_too() {
    each_file_alone_matches_the_project_run(&["--org-data", "org-snapshot"]);
}

#[test]
fn several_files_and_paths_from_elsewhere() {
    let (_, project) = check_json_in(&acme(), &[]);
    let a = "force-app/main/default/permissionsets/Data_Warehouse_Read.permissionset-meta.xml";
    let b = "force-app/main/default/connectedApps/Tableau_Export.connectedApp-meta.xml";
    let (_, doc) = check_json_in(&acme(), &[a, b, a]);
    let mut expected = findings_in(&project, a);
    expected.extend(findings_in(&project, b));
    let got: Vec<&Value> = doc["findings"].as_array().unwrap().iter().collect();
    let key = |f: &&Value| {
        (
            f["file"].to_string(),
            f["line"].to_string(),
            f["rule"].to_string(),
        )
    };
    let (mut got, mut expected) = (got, expected);
    got.sort_by_key(key);
    expected.sort_by_key(key);
    assert_eq!(got, expected);
    assert!(!got.is_empty());

    // From the repository root, through `..`: the org's own minpriv.toml
    // and project are found from the file.
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = minpriv()
        .current_dir(repo.join("src"))
        .args(["check", "--format", "json"])
        .arg(format!("../testdata/acme/{a}"))
        .output()
        .unwrap();
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let rules: Vec<&Value> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| &f["rule"])
        .collect();
    let expected: Vec<&Value> = findings_in(&project, a)
        .iter()
        .map(|f| &f["rule"])
        .collect();
    assert_eq!(rules, expected, "{}", stderr(&out));
}

#[test]
fn the_closing_line_counts_the_files_named() {
    let a = "force-app/main/default/permissionsets/Data_Warehouse_Read.permissionset-meta.xml";
    let out = minpriv()
        .current_dir(acme())
        .args(["check", a])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        closing_line(&out).starts_with("Checked 1 file ("),
        "{}",
        stderr(&out)
    );
    let out = minpriv()
        .current_dir(acme())
        .args(["check", "README.md"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        closing_line(&out).starts_with("Checked 0 files ("),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_missing_file_is_an_error_not_a_pass() {
    let out = minpriv()
        .current_dir(acme())
        .args([
            "check",
            "force-app/main/default/profiles/Gone.profile-meta.xml",
        ])
        .output()
        .unwrap();
    let text = format!("{}{}", stdout(&out), stderr(&out));
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(text.contains("Gone.profile-meta.xml"), "{text}");
    assert!(text.contains("no such file or directory"), "{text}");
}

#[test]
fn a_directory_alone_is_still_the_whole_input() {
    // The permission sets without the rest of the project: the groups and
    // profiles that use them are not read, as before, and the inventory
    // names components this input does not hold.
    let (_, dir_run) = check_json_in(&acme(), &["force-app/main/default/permissionsets"]);
    let files: Vec<&str> = dir_run["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["file"].as_str().unwrap())
        .collect();
    assert!(
        files
            .iter()
            .all(|f| f.contains("/permissionsets/") || *f == "minpriv.toml"),
        "{files:?}"
    );
    assert!(files.contains(&"minpriv.toml"), "{files:?}");
}
