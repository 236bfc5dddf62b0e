//! The per-file cache (`.minpriv_cache/`, README "Cache") is invisible:
//! every run with it prints, byte for byte, what a run without it prints,
//! whatever changed in between — edits, renames, deletions, minpriv.toml,
//! .forceignore, options, a damaged cache file, another build of minpriv.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;

use common::*;

/// Longer than the cache's settle time: only files left alone that long
/// are kept.
const SETTLE: Duration = Duration::from_millis(2300);

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        if entry.file_name() == ".minpriv_cache" {
            // Left by other tests' runs on testdata itself.
            continue;
        }
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// A copy of the sample org, left alone long enough to be cached.
fn acme() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/acme"),
        dir.path(),
    );
    std::thread::sleep(SETTLE);
    dir
}

fn cache_file(dir: &Path) -> PathBuf {
    dir.join(".minpriv_cache/parsed.bin")
}

fn run_in(dir: &Path, args: &[&str]) -> Output {
    minpriv()
        .current_dir(dir)
        .env_remove("MINPRIV_NO_CACHE")
        .arg("check")
        .args(args)
        .args(["--quiet"])
        .output()
        .unwrap()
}

/// Exit code and standard output and error.
fn shown(out: &Output) -> (Option<i32>, String, String) {
    (out.status.code(), stdout(out), stderr(out))
}

/// Runs `check ARGS` twice with the cache (the first may write it, the
/// second reads it) and once without, in JSON and in text, and asserts
/// that all give the same bytes. Returns the JSON output.
fn same_with_and_without(dir: &Path, args: &[&str]) -> String {
    let mut json = String::new();
    for format in ["json", "text"] {
        let mut all: Vec<&str> = args.to_vec();
        all.extend(["--format", format]);
        let first = shown(&run_in(dir, &all));
        let second = shown(&run_in(dir, &all));
        let mut uncached = all.clone();
        uncached.push("--no-cache");
        let without = shown(&run_in(dir, &uncached));
        assert_eq!(first, without, "first cached run, {format}, {args:?}");
        assert_eq!(second, without, "second cached run, {format}, {args:?}");
        if format == "json" {
            json = without.1;
        }
    }
    json
}

fn edit(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "{} holds {from}", path.display());
    std::fs::write(path, text.replacen(from, to, 1)).unwrap();
}

const PROFILE: &str = "force-app/main/default/profiles/Orders Integration.profile-meta.xml";
const PERMISSION_SET: &str =
    "force-app/main/default/permissionsets/Orders_Integration_Write.permissionset-meta.xml";

#[test]
fn an_unchanged_tree_is_read_from_the_cache_and_gives_the_same_findings() {
    let dir = acme();
    let before = same_with_and_without(dir.path(), &[]);
    assert!(before.contains("\"findings\""));
    let file = cache_file(dir.path());
    assert!(file.is_file(), "the cache was written");
    let ignore = std::fs::read_to_string(dir.path().join(".minpriv_cache/.gitignore")).unwrap();
    assert!(ignore.lines().any(|l| l == "*"), "{ignore}");
    // Every file hit: the cache is not written again.
    let written = std::fs::metadata(&file).unwrap().modified().unwrap();
    run_in(dir.path(), &["--format", "json"]);
    assert_eq!(
        std::fs::metadata(&file).unwrap().modified().unwrap(),
        written
    );
    // Byte-identical whatever the thread count.
    let one = shown(&run_in(dir.path(), &["--format", "json", "--threads", "1"]));
    let two = shown(&run_in(dir.path(), &["--format", "json", "--threads", "2"]));
    assert_eq!(one, two);
    assert_eq!(one.1, before);
}

#[test]
fn no_cache_and_the_environment_leave_no_cache_behind() {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/acme"),
        dir.path(),
    );
    run_in(dir.path(), &["--no-cache"]);
    minpriv()
        .current_dir(dir.path())
        .env("MINPRIV_NO_CACHE", "1")
        .args(["check", "--quiet"])
        .output()
        .unwrap();
    assert!(!dir.path().join(".minpriv_cache").exists());
}

#[test]
fn edits_renames_and_deletions_are_seen() {
    let dir = acme();
    let root = dir.path();
    let start = same_with_and_without(root, &[]);
    // An edit that adds a grant beyond the inventory.
    edit(
        &root.join(PERMISSION_SET),
        "</PermissionSet>",
        "    <userPermissions>\n        <enabled>true</enabled>\n        <name>ModifyAllData</name>\n    </userPermissions>\n</PermissionSet>",
    );
    let edited = same_with_and_without(root, &[]);
    assert_ne!(edited, start, "the edit changes the findings");
    // Once the edited file has settled it is cached, and still right.
    std::thread::sleep(SETTLE);
    assert_eq!(same_with_and_without(root, &[]), edited);
    // A rename changes the component's name.
    let renamed = root.join("force-app/main/default/profiles/Orders Sync.profile-meta.xml");
    std::fs::rename(root.join(PROFILE), &renamed).unwrap();
    let after_rename = same_with_and_without(root, &[]);
    assert_ne!(after_rename, edited);
    // A deletion.
    std::fs::remove_file(&renamed).unwrap();
    let after_delete = same_with_and_without(root, &[]);
    assert_ne!(after_delete, after_rename);
    // A file replaced by another of the same size with the old file's
    // modification time: its change time and inode still tell.
    let a = root.join("force-app/main/default/permissionsets/DocuSign_Read.permissionset-meta.xml");
    let b = root.join(PERMISSION_SET);
    let old_time = std::fs::metadata(&b).unwrap().modified().unwrap();
    let mut text = std::fs::read_to_string(&a).unwrap();
    let size = std::fs::metadata(&b).unwrap().len() as usize;
    text.truncate(text.len().min(size));
    while text.len() < size {
        text.push(' ');
    }
    std::fs::write(&b, text).unwrap();
    std::fs::File::options()
        .write(true)
        .open(&b)
        .unwrap()
        .set_modified(old_time)
        .unwrap();
    same_with_and_without(root, &[]);
}

#[test]
fn config_forceignore_and_options_are_seen() {
    let dir = acme();
    let root = dir.path();
    let start = same_with_and_without(root, &[]);
    // The inventory decides which profiles are read whole.
    edit(
        &root.join("minpriv.toml"),
        "profile = \"Orders Integration\"",
        "profile = \"Sales Rep\"",
    );
    let config = same_with_and_without(root, &[]);
    assert_ne!(config, start);
    // .forceignore decides which files are read.
    let ignore = root.join(".forceignore");
    let mut text = std::fs::read_to_string(&ignore).unwrap();
    text.push_str("\n**/permissionsets/Orders_Integration_Write.permissionset-meta.xml\n");
    std::fs::write(&ignore, text).unwrap();
    let forceignored = same_with_and_without(root, &[]);
    assert_ne!(forceignored, config);
    // Options.
    same_with_and_without(root, &["--no-forceignore"]);
    same_with_and_without(root, &["--select", "PRF"]);
    same_with_and_without(root, &["--exclude", "**/connectedApps/**"]);
    let small = same_with_and_without(root, &["--max-file-size", "2K"]);
    assert!(small.contains("more than the limit"), "{small}");
    assert_eq!(same_with_and_without(root, &[]), forceignored);
}

#[test]
fn a_damaged_cache_file_is_never_trusted() {
    let dir = acme();
    let root = dir.path();
    let start = same_with_and_without(root, &[]);
    let file = cache_file(root);
    let good = std::fs::read(&file).unwrap();
    let damages: Vec<Vec<u8>> = vec![
        vec![],
        b"not a cache".to_vec(),
        good[..good.len() / 2].to_vec(),
        {
            let mut flipped = good.clone();
            let at = flipped.len() * 2 / 3;
            flipped[at] ^= 0x20;
            flipped
        },
        {
            let mut flipped = good.clone();
            flipped[50] ^= 0x01;
            flipped
        },
    ];
    for damaged in damages {
        std::fs::write(&file, &damaged).unwrap();
        let out = shown(&run_in(root, &["--format", "json"]));
        assert_eq!(out.1, start);
        assert_eq!(out.2, "", "a damaged cache is no error");
        // The run wrote a good cache again.
        assert_eq!(shown(&run_in(root, &["--format", "json"])).1, start);
    }
    // A cache folder that cannot be written is no error either.
    std::fs::remove_file(&file).unwrap();
    std::fs::create_dir(&file).unwrap();
    let out = shown(&run_in(root, &["--format", "json"]));
    assert_eq!(out.1, start);
    assert_eq!(out.2, "");
}

#[test]
fn another_build_of_minpriv_does_not_read_the_cache() {
    let dir = acme();
    let root = dir.path();
    let start = same_with_and_without(root, &[]);
    let file = cache_file(root);
    let written = std::fs::read(&file).unwrap();
    // A copy of the binary is another build as far as the cache can
    // tell (its own size and time are part of the key).
    let other = dir.path().join("other-minpriv");
    std::fs::copy(assert_cmd::cargo::cargo_bin("minpriv"), &other).unwrap();
    let out = std::process::Command::new(&other)
        .current_dir(root)
        .env("MINPRIV_NOW", TODAY)
        .env_remove("MINPRIV_NO_CACHE")
        .args(["check", "--quiet", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(stdout(&out), start);
    assert_ne!(
        std::fs::read(&file).unwrap(),
        written,
        "the other build wrote its own cache"
    );
    // And back: the first build does not take the other's either.
    assert_eq!(shown(&run_in(root, &["--format", "json"])).1, start);
}
