//! The published pre-commit hooks (`.pre-commit-hooks.yaml`): their `files`
//! pattern covers every input minpriv reads, and `pre-commit try-repo`
//! builds minpriv from this repository (`language: rust`, and `language:
//! python` through pip and maturin) and runs it on a throw-away git
//! repository — failing on the sample org, passing on a clean one. The
//! README's `repo: local` hook installs a built wheel with no cargo on PATH.
//!
//! pre-commit comes from PATH or python3's modules, else from a virtual
//! environment under cargo's target directory, created with `pip install
//! pre-commit` on first use; without Python or PyPI the try-repo test says
//! so and returns.

mod common;
#[path = "common/python.rs"]
mod python;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::*;

const MANIFEST: &str = ".pre-commit-hooks.yaml";

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The value of `key:` in the definition of the first hook (a plain or
/// single-quoted YAML scalar).
fn hook_field(key: &str) -> String {
    hook_field_of("minpriv", key)
}

/// The value of `key:` in the definition of hook `id`.
fn hook_field_of(id: &str, key: &str) -> String {
    let text = std::fs::read_to_string(repo().join(MANIFEST)).unwrap();
    let prefix = format!("  {key}: ");
    let mut hooks = text.split("\n- ").skip(1).map(|h| format!("  {h}"));
    let hook = hooks
        .find(|h| {
            h.lines()
                .next()
                .is_some_and(|l| l.trim() == format!("id: {id}"))
        })
        .unwrap_or_else(|| panic!("{MANIFEST} has no hook {id}"));
    let line = hook
        .lines()
        .find(|l| l.starts_with(&prefix))
        .unwrap_or_else(|| panic!("{MANIFEST}: hook {id} has no {key}"));
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
fn the_python_hook_is_the_same_hook_installed_with_pip() {
    assert_eq!(hook_field_of("minpriv-python", "language"), "python");
    for key in [
        "name",
        "entry",
        "pass_filenames",
        "files",
        "minimum_pre_commit_version",
    ] {
        assert_eq!(
            hook_field_of("minpriv-python", key),
            hook_field(key),
            "{key}"
        );
    }
}

#[test]
fn the_files_pattern_covers_every_input() {
    // pre-commit matches with Python's `re.search` on repository-relative
    // paths; this pattern uses nothing whose meaning differs in Rust.
    let files = regex::Regex::new(&hook_field("files")).unwrap();
    // Every suffix, in source and Metadata API format.
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
    try_repo_hook(pre_commit, project, "minpriv", &[])
}

/// `pre-commit try-repo <this repository> HOOK --all-files` in `project`.
fn try_repo_hook(
    pre_commit: &[String],
    project: &Path,
    hook: &str,
    env: &[(&str, String)],
) -> (i32, String) {
    let out = Command::new(&pre_commit[0])
        .args(&pre_commit[1..])
        .arg("try-repo")
        .arg(repo())
        .args([hook, "--all-files", "--color", "never"])
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
        .envs(env.iter().map(|(k, v)| (k, v)))
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

/// Whether `.pre-commit-hooks.yaml` is committed (try-repo reads HEAD).
fn manifest_committed() -> bool {
    let head = Command::new("git")
        .args(["cat-file", "-e", &format!("HEAD:{MANIFEST}")])
        .current_dir(repo())
        .output();
    if head.is_ok_and(|o| o.status.success()) {
        return true;
    }
    eprintln!(
        "SKIPPED: {MANIFEST} is not committed in {} (pre-commit try-repo reads HEAD)",
        repo().display()
    );
    false
}

#[test]
fn python_hook_try_repo_installs_with_pip_and_fails_on_the_sample_org() {
    let pre_commit = match pre_commit() {
        Ok(cmd) => cmd,
        Err(why) => {
            eprintln!("SKIPPED: pre-commit is not available: {why}");
            return;
        }
    };
    if !manifest_committed() {
        return;
    }
    // pip builds the wheel from this repository with maturin (fetched from
    // PyPI as the build backend) and installs it; cargo builds in the Rust
    // hook's target directory with its settings (try_repo_hook).
    let sample = tempfile::tempdir().unwrap();
    copy_tree(&repo().join("testdata/acme"), sample.path());
    committed(sample.path());
    let (code, output) = try_repo_hook(&pre_commit, sample.path(), "minpriv-python", &[]);
    if code == 3 && output.contains("maturin") && output.contains("No matching distribution") {
        eprintln!("SKIPPED: pip cannot fetch maturin:\n{output}");
        return;
    }
    assert_eq!(code, 1, "{output}");
    assert!(output.contains("Failed"), "{output}");
    assert!(
        output.contains("NET001 missing-login-ip-ranges"),
        "{output}"
    );
    assert!(output.contains("Checked 25 files"), "{output}");
    // Each try-repo builds in a fresh clone: one is enough here. The clean
    // project passing is the Rust hook's test above and the wheel's below.
}

/// The README's `repo: local` hook, with the wheel named in
/// `additional_dependencies` instead of the PyPI release it names.
fn readme_local_hook(wheel: &Path) -> String {
    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap();
    let block = readme
        .split("```yaml\n")
        .skip(1)
        .map(|b| &b[..b.find("```").unwrap()])
        .find(|b| b.contains("repo: local") && b.contains("language: python"))
        .expect("README shows a repo: local hook with language: python");
    let pinned = format!("minpriv=={}", env!("CARGO_PKG_VERSION"));
    assert!(
        block.contains(&pinned),
        "the README pins {pinned}:\n{block}"
    );
    let files = format!("files: '{}'", hook_field("files").replace('\'', "''"));
    assert!(
        block.contains(&files),
        "the README's hook has the manifest's files pattern:\n{block}"
    );
    block.replace(&pinned, &wheel.display().to_string())
}

#[test]
fn the_readme_local_python_hook_installs_the_wheel_without_a_compiler() {
    let pre_commit = match pre_commit() {
        Ok(cmd) => cmd,
        Err(why) => {
            eprintln!("SKIPPED: pre-commit is not available: {why}");
            return;
        }
    };
    let wheel = match python::wheel() {
        Ok(w) => w,
        Err(why) => {
            eprintln!("SKIPPED: {why}");
            return;
        }
    };
    let config = readme_local_hook(&wheel);
    // No Rust on PATH: the hook must not compile anything.
    let path: Vec<PathBuf> = std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
        .filter(|d| !d.join("cargo").exists() && !d.join("rustc").exists())
        .collect();
    let path = std::env::join_paths(path).unwrap();
    let home = tempfile::tempdir().unwrap();
    let run = |project: &Path| {
        std::fs::write(project.join(".pre-commit-config.yaml"), &config).unwrap();
        committed(project);
        let out = Command::new(&pre_commit[0])
            .args(&pre_commit[1..])
            .args(["run", "--all-files", "--color", "never"])
            .current_dir(project)
            .env("PATH", &path)
            .env("PRE_COMMIT_HOME", home.path())
            .env("MINPRIV_NOW", TODAY)
            .env_remove("NO_COLOR")
            .output()
            .expect("pre-commit runs");
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        (out.status.code().unwrap_or(-1), text)
    };
    let sample = tempfile::tempdir().unwrap();
    copy_tree(&repo().join("testdata/acme"), sample.path());
    let (code, output) = run(sample.path());
    assert_eq!(code, 1, "{config}\n{output}");
    assert!(output.contains("Failed"), "{output}");
    assert!(
        output.contains("NET001 missing-login-ip-ranges"),
        "{output}"
    );
    assert!(output.contains("Checked 25 files"), "{output}");

    let clean = tempfile::tempdir().unwrap();
    clean_project(clean.path());
    let (code, output) = run(clean.path());
    assert_eq!(code, 0, "{output}");
    assert!(output.contains("Passed"), "{output}");
}
