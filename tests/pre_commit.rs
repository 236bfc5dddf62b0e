//! The published pre-commit hook (`.pre-commit-hooks.yaml`): its `files`
//! pattern covers every input minpriv reads, and `pre-commit try-repo`
//! builds minpriv from this repository (`language: rust`) and runs it on a
//! throw-away git repository — failing on the sample org, passing on a
//! clean one.
//!
//! pre-commit comes from PATH or python3's modules, else from a virtual
//! environment under cargo's target directory, created with `pip install
//! pre-commit` on first use; without Python or PyPI the try-repo test says
//! so and returns.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::*;

const MANIFEST: &str = ".pre-commit-hooks.yaml";

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The value of `key:` in the hook definition (a plain or single-quoted
/// YAML scalar).
fn hook_field(key: &str) -> String {
    let text = std::fs::read_to_string(repo().join(MANIFEST)).unwrap();
    let prefix = format!("  {key}: ");
    let line = text
        .lines()
        .map(|l| l.trim_start_matches("- "))
        .map(|l| {
            if l.starts_with(' ') {
                l.to_owned()
            } else {
                format!("  {l}")
            }
        })
        .find(|l| l.starts_with(&prefix))
        .unwrap_or_else(|| panic!("{MANIFEST} has no {key}"));
    let value = line[prefix.len()..].trim();
    value
        .strip_prefix('\'')
        .and_then(|v| v.strip_suffix('\''))
        .map_or_else(|| value.to_owned(), |v| v.replace("''", "'"))
}

#[test]
fn the_hook_is_defined_as_the_readme_says() {
    assert_eq!(hook_field("id"), "minpriv");
    assert_eq!(hook_field("entry"), "minpriv check");
    assert_eq!(hook_field("language"), "rust");
    assert_eq!(hook_field("pass_filenames"), "false");
}

#[test]
fn the_files_pattern_covers_every_input() {
    // pre-commit matches with Python's `re.search` on repository-relative
    // paths; this pattern uses nothing whose meaning differs in Rust.
    let files = regex::Regex::new(&hook_field("files")).unwrap();
    // SPEC §1, every suffix, in source and Metadata API format.
    let suffixes = [
        "profile",
        "permissionset",
        "permissionsetgroup",
        "mutingpermissionset",
        "connectedApp",
        "eca",
        "ecaOauth",
        "ecaGlblOauth",
        "ecaOauthPlcy",
        "ecaPlcy",
        "namedCredential",
        "externalCredential",
    ];
    for suffix in suffixes {
        for path in [
            format!("force-app/main/default/x/Some Name.{suffix}-meta.xml"),
            format!("src/x/Custom%3A Name.{suffix}"),
            format!("Top.{suffix}-meta.xml"),
        ] {
            assert!(files.is_match(&path), "{path}");
        }
    }
    for path in [
        "minpriv.toml",
        "org/minpriv.toml",
        "sfdx-project.json",
        ".forceignore",
        "force-app/.forceignore",
        // Decomposed permission sets (both presets).
        "force-app/main/default/permissionsets/Sync/Sync.permissionset-meta.xml",
        "force-app/main/default/permissionsets/Sync/objectPermissions/Account.objectPermission-meta.xml",
        "force-app/main/default/permissionsets/Sync/Sync.userPermission-meta.xml",
        "force-app/main/default/permissionsets/Sync/objectSettings/Account.objectSettings-meta.xml",
        "force-app/main/default/permissionsets/Sync/customPermissions/Can_Sync.customPermission-meta.xml",
    ] {
        assert!(files.is_match(path), "{path}");
    }
    for path in [
        "README.md",
        "force-app/main/default/classes/Sync.cls-meta.xml",
        "force-app/main/default/objects/Account/fields/Tier__c.field-meta.xml",
        "src/package.xml",
        "force-app/main/default/profiles/Admin.profile-meta.xml.orig",
        "notminpriv.toml",
        "force-app/main/default/customPermissions/Can_Sync.customPermission-meta.xml",
    ] {
        assert!(!files.is_match(path), "{path}");
    }
}

/// A command that runs pre-commit, or `None` with the reason.
fn pre_commit() -> Result<Vec<String>, String> {
    let works = |cmd: &[String]| {
        Command::new(&cmd[0])
            .args(&cmd[1..])
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    };
    let on_path = vec!["pre-commit".to_owned()];
    if works(&on_path) {
        return Ok(on_path);
    }
    // Installed for python3 but not linked onto PATH (pyenv shims, --user).
    let module = vec![
        "python3".to_owned(),
        "-m".to_owned(),
        "pre_commit".to_owned(),
    ];
    if works(&module) {
        return Ok(module);
    }
    let venv = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("pre-commit-venv");
    let in_venv = vec![venv.join("bin/pre-commit").to_string_lossy().into_owned()];
    if works(&in_venv) {
        return Ok(in_venv);
    }
    let created = Command::new("python3")
        .args(["-m", "venv"])
        .arg(&venv)
        .output()
        .map_err(|e| format!("python3 is not available ({e})"))?;
    if !created.status.success() {
        return Err(format!(
            "python3 -m venv failed: {}",
            String::from_utf8_lossy(&created.stderr).trim()
        ));
    }
    let installed = Command::new(venv.join("bin/pip"))
        .args([
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "pre-commit",
        ])
        .output()
        .map_err(|e| format!("pip did not run ({e})"))?;
    if !installed.status.success() || !works(&in_venv) {
        return Err(format!(
            "pip install pre-commit failed: {}",
            String::from_utf8_lossy(&installed.stderr).trim()
        ));
    }
    Ok(in_venv)
}

fn git(dir: &Path, args: &[&str]) -> Output {
    let out = Command::new("git")
        .args([
            "-c",
            "user.name=minpriv tests",
            "-c",
            "user.email=tests@minpriv.invalid",
            "-c",
            "commit.gpgsign=false",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// A git repository holding `project`, committed.
fn committed(project: &Path) {
    git(project, &["init", "-q"]);
    git(project, &["add", "-A"]);
    git(project, &["commit", "-q", "-m", "metadata"]);
}

/// `pre-commit try-repo <this repository> minpriv --all-files` in `project`.
fn try_repo(pre_commit: &[String], project: &Path) -> (i32, String) {
    let out = Command::new(&pre_commit[0])
        .args(&pre_commit[1..])
        .arg("try-repo")
        .arg(repo())
        .args(["minpriv", "--all-files", "--color", "never"])
        .current_dir(project)
        // One target directory for every build the hook makes, so the
        // second try-repo recompiles only minpriv. The hook's behaviour does
        // not depend on optimisation, and an unoptimised build takes a
        // third of the time.
        .env(
            "CARGO_TARGET_DIR",
            PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("pre-commit-target"),
        )
        .env("CARGO_PROFILE_RELEASE_OPT_LEVEL", "0")
        .env("CARGO_PROFILE_RELEASE_DEBUG", "false")
        .env("CARGO_TERM_COLOR", "never")
        .env_remove("NO_COLOR")
        .output()
        .expect("pre-commit runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
}

/// The sample org with only its clean integration: `orders-sync` and the
/// files it uses, and a human profile the rules must leave alone.
fn clean_project(into: &Path) {
    let acme = repo().join("testdata/acme");
    let default = "force-app/main/default";
    for file in [
        "sfdx-project.json",
        ".forceignore",
        "force-app/main/default/profiles/Orders Integration.profile-meta.xml",
        "force-app/main/default/profiles/Sales Rep.profile-meta.xml",
        "force-app/main/default/connectedApps/Orders_Sync.connectedApp-meta.xml",
        "force-app/main/default/permissionsetgroups/Orders_Integration.permissionsetgroup-meta.xml",
        "force-app/main/default/permissionsets/Orders_Integration_Read.permissionset-meta.xml",
        "force-app/main/default/permissionsets/Orders_Integration_Write.permissionset-meta.xml",
        "force-app/main/default/mutingpermissionsets/Orders_Integration_Mute.mutingpermissionset-meta.xml",
    ] {
        let dest = into.join(file);
        std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
        std::fs::copy(acme.join(file), dest).unwrap();
    }
    assert!(into.join(default).is_dir());
    // The inventory: its orders-sync entry, verbatim.
    let inventory = std::fs::read_to_string(acme.join("minpriv.toml")).unwrap();
    let start = inventory
        .find("[[integration]]\nname = \"orders-sync\"")
        .unwrap();
    let end = inventory[start + 1..]
        .find("\n#")
        .map_or(inventory.len(), |i| start + 1 + i);
    std::fs::write(into.join("minpriv.toml"), &inventory[start..end]).unwrap();
}

#[test]
fn pre_commit_try_repo_fails_on_findings_and_passes_when_clean() {
    let pre_commit = match pre_commit() {
        Ok(cmd) => cmd,
        Err(why) => {
            eprintln!("SKIPPED: pre-commit is not available: {why}");
            return;
        }
    };
    let head = Command::new("git")
        .args(["cat-file", "-e", &format!("HEAD:{MANIFEST}")])
        .current_dir(repo())
        .output();
    if !head.is_ok_and(|o| o.status.success()) {
        eprintln!(
            "SKIPPED: {MANIFEST} is not committed in {} (pre-commit try-repo reads HEAD)",
            repo().display()
        );
        return;
    }

    // The sample org fails the hook: exit code 1, findings in the output.
    let sample = tempfile::tempdir().unwrap();
    copy_tree(&repo().join("testdata/acme"), sample.path());
    committed(sample.path());
    let (code, output) = try_repo(&pre_commit, sample.path());
    assert_eq!(code, 1, "{output}");
    assert!(
        output.contains("minpriv (Salesforce integration least privilege)"),
        "{output}"
    );
    assert!(output.contains("Failed"), "{output}");
    assert!(
        output.contains("NET001 missing-login-ip-ranges"),
        "{output}"
    );
    assert!(output.contains("Checked 25 files"), "{output}");

    // A clean project passes. Make sure of it with this build first, so a
    // change to the sample org shows up here rather than as a hook failure.
    let clean = tempfile::tempdir().unwrap();
    clean_project(clean.path());
    let (exit, doc) = check_json_in(clean.path(), &[]);
    assert_eq!(exit, 0, "the clean project is clean: {doc}");
    committed(clean.path());
    let (code, output) = try_repo(&pre_commit, clean.path());
    assert_eq!(code, 0, "{output}");
    assert!(output.contains("Passed"), "{output}");
}
