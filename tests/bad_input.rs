//! Bad input: one located error per broken file, the other files still
//! linted, exit code 2 — never a panic, a hang or a silent pass.

mod common;

use std::path::Path;

use common::*;

const PROFILES: &str = "testdata/bad/force-app/main/default/profiles";

#[test]
fn each_broken_file_gives_one_located_error_and_the_rest_is_linted() {
    let (code, doc) = check_json(&["testdata/bad"]);
    assert_eq!(code, 2, "unreadable input fails closed");
    let errors: Vec<String> = doc["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let file = e["file"]
                .as_str()
                .unwrap()
                .strip_prefix(PROFILES)
                .unwrap()
                .to_owned();
            format!(
                "{file}:{}:{}: {}",
                e["line"],
                e["column"],
                e["message"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        errors,
        [
            "/Bad Boolean.profile-meta.xml:10:9: expected a boolean (true or false), found `yes`",
            "/Empty.profile-meta.xml:1:1: the file has no root element",
            "/Entities.profile-meta.xml:2:1: DOCTYPE declarations are not allowed",
            "/Latin1.profile-meta.xml:3:21: invalid UTF-8",
            "/Mismatched.profile-meta.xml:8:5: malformed XML: expected `</userPermissions>`, but `</userPermission>` was found",
            "/Truncated.profile-meta.xml:10:9: unexpected end of file: <enabled> is never closed",
            "/Utf16.profile-meta.xml:1:1: the file is UTF-16 encoded",
            "/Wrong Root.profile-meta.xml:2:1: expected root element <Profile> in a .profile file, found <PermissionSet>",
        ]
    );
    // The valid files beside them, one with a BOM and CRLF line ends.
    assert_eq!(
        finding_lines(&doc),
        [
            format!("NET001 {PROFILES}/Bom Crlf Integration.profile-meta.xml:2"),
            format!("NET001 {PROFILES}/Good Integration.profile-meta.xml:2"),
        ]
    );
}

#[test]
fn errors_are_rendered_with_source_and_help() {
    let out = run(&["check", "testdata/bad", "--color", "never"]);
    assert_eq!(out.status.code(), Some(2));
    let text = stdout(&out);
    assert!(text.contains("Truncated.profile-meta.xml:10:9]"), "{text}");
    assert!(
        text.contains("help: the file looks truncated; retrieve it again"),
        "{text}"
    );
    assert!(
        // Rules needing an absent input may follow as "; not evaluated: ...".
        closing_line(&out).contains("2 errors, 0 warnings, 0 info; 8 inputs could not be checked"),
        "{}",
        closing_line(&out)
    );
}

fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    for (path, text) in files {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

fn check_in(dir: &Path) -> std::process::Output {
    minpriv()
        .current_dir(dir)
        .args(["check", "--color", "never"])
        .output()
        .unwrap()
}

#[test]
fn config_mistakes_point_into_the_toml() {
    let dir = project(&[(
        "minpriv.toml",
        "[[integration]]\nname = \"a\"\nuser = \"u@x\"\nip-allowlist = [\"10.0.0.0/8\", \"10.1.1.9-10.1.1.1\"]\n\n[[exception]]\nrule = \"NET001\"\n",
    )]);
    let out = check_in(dir.path());
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("minpriv.toml:6:1]"), "{err}");
    assert!(err.contains("missing field `reason`"), "{err}");

    let dir = project(&[(
        "minpriv.toml",
        "[[integration]]\nname = \"a\"\nuser = \"u@x\"\nip-allowlist = [\"10.0.0.0/8\", \"10.1.1.9-10.1.1.1\"]\n",
    )]);
    let out = check_in(dir.path());
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("minpriv.toml:4:31]"), "{err}");
    assert!(
        err.contains("the range starts at `10.1.1.9`, after its end `10.1.1.1`"),
        "{err}"
    );
}

#[test]
fn config_is_found_upward_and_can_be_overridden() {
    let dir = project(&[
        ("minpriv.toml", "[lint]\nfail-on = \"never\"\n"),
        ("other.toml", "[lint]\nfail-on = \"error\"\n"),
        (
            "force-app/profiles/X.profile-meta.xml",
            "<Profile><userLicense>Salesforce Integration</userLicense></Profile>",
        ),
    ]);
    let sub = dir.path().join("force-app/profiles");
    let out = minpriv()
        .current_dir(&sub)
        .args(["check", "."])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = minpriv()
        .current_dir(&sub)
        .args(["check", ".", "--config", "../../other.toml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
}

#[test]
fn missing_paths_and_bad_project_files_fail_closed() {
    let dir = project(&[]);
    let out = minpriv()
        .current_dir(dir.path())
        .args(["check", "nope"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stdout(&out).contains("nope: no such file or directory"),
        "{}",
        stdout(&out)
    );

    let dir = project(&[(
        "sfdx-project.json",
        "{\"packageDirectories\": [{\"path\": \"force-app\"}]",
    )]);
    let out = check_in(dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stdout(&out).contains("invalid sfdx-project.json"),
        "{}",
        stdout(&out)
    );

    let dir = project(&[(
        "sfdx-project.json",
        "{\"packageDirectories\": [{\"path\": \"force-app\"}]}",
    )]);
    let out = check_in(dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stdout(&out).contains("package directory `force-app` does not exist"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn a_directory_named_like_a_file_is_walked_not_read() {
    let dir = project(&[(
        "x.profile-meta.xml/Real Integration.profile-meta.xml",
        "<Profile><userLicense>Salesforce Integration</userLicense></Profile>",
    )]);
    let (code, doc) = check_json_in(dir.path(), &[]);
    assert_eq!(code, 1);
    assert_eq!(doc["summary"]["files"], 1);
}
