//! What installing and wiring minpriv into shells, editors and CI relies
//! on: `rust-version` is what the locked dependencies need,
//! completions and the man page, `--version` naming the commit, `-o` files
//! with the umask's permissions, and colour forced or refused by the
//! environment.

mod common;

use std::path::Path;
use std::process::Command;

use common::*;

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn version(text: &str) -> Vec<u64> {
    text.split('.').map(|p| p.parse().unwrap()).collect()
}

/// The release that stabilised `if let ... && ...` (let chains, edition
/// 2024).
const LET_CHAINS: &str = "1.88";

#[test]
fn rust_version_is_what_the_locked_dependencies_and_the_code_need() {
    let manifest = std::fs::read_to_string(repo().join("Cargo.toml")).unwrap();
    let declared = manifest
        .lines()
        .find_map(|l| l.strip_prefix("rust-version = "))
        .expect("Cargo.toml declares rust-version")
        .trim_matches('"');

    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        // Not --offline: on a fresh machine the packages of other platforms
        // are not downloaded yet, and cargo metadata needs their manifests.
        .args(["metadata", "--format-version", "1", "--locked"])
        .current_dir(repo())
        .output()
        .expect("cargo metadata runs");
    assert!(out.status.success(), "{}", stderr(&out));
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    // Every locked package on every platform (a Windows user builds the
    // Windows ones), dev-dependencies too (`cargo test`).
    let (needed, by) = meta["packages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["name"] != "minpriv")
        .filter_map(|p| Some((version(p["rust_version"].as_str()?), p["name"].to_string())))
        .max()
        .unwrap();

    // minpriv's own code uses let chains, which need 1.88.
    let chain = regex::Regex::new(r"\bif let [^{;]*\n?\s*&&").unwrap();
    let mut uses_let_chains = false;
    let mut stack = vec![repo().join("src")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                uses_let_chains |= chain.is_match(&std::fs::read_to_string(&path).unwrap());
            }
        }
    }
    assert!(
        uses_let_chains,
        "no let chain left: the floor is {needed:?} ({by})"
    );
    let floor = needed.clone().max(version(LET_CHAINS));
    assert_eq!(
        version(declared),
        floor,
        "rust-version {declared}: the locked dependencies need {needed:?} ({by}), let chains {LET_CHAINS}"
    );
}

#[test]
fn completions_for_every_shell() {
    for (shell, marker) in [
        ("bash", "complete -F _minpriv"),
        ("zsh", "#compdef minpriv"),
        ("fish", "complete -c minpriv"),
        ("powershell", "Register-ArgumentCompleter"),
        ("elvish", "edit:completion:arg-completer[minpriv]"),
    ] {
        let out = run(&["completions", shell]);
        assert_eq!(out.status.code(), Some(0), "{shell}: {}", stderr(&out));
        let text = stdout(&out);
        assert!(text.contains(marker), "{shell}:\n{text}");
        for sub in ["check", "report", "access", "diff", "init", "rules"] {
            assert!(text.contains(sub), "{shell} completes {sub}");
        }
        assert!(
            text.contains("write-baseline"),
            "{shell} completes check's options"
        );
    }
    let out = run(&["completions", "tcsh"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("invalid value"), "{}", stderr(&out));
}

#[test]
fn the_man_page_is_roff_naming_every_subcommand() {
    let out = run(&["man"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let page = stdout(&out);
    assert!(page.contains(".TH minpriv 1"), "{page}");
    assert!(page.contains(".SH SYNOPSIS"), "{page}");
    for sub in [
        "check",
        "report",
        "access",
        "diff",
        "init",
        "rules",
        "completions",
        "man",
    ] {
        assert!(
            page.contains(&format!("minpriv\\-{sub}(1)")),
            "{sub}:\n{page}"
        );
    }
    let out = run(&["man", "check"]);
    let page = stdout(&out);
    assert!(page.contains(".TH minpriv-check 1"), "{page}");
    assert!(page.contains("write\\-baseline"), "{page}");
    let out = run(&["man", "nope"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("one of: check,"), "{}", stderr(&out));
}

#[test]
fn version_names_the_commit_when_built_from_git() {
    let out = run(&["--version"]);
    let text = stdout(&out);
    let plain = format!("minpriv {}", env!("CARGO_PKG_VERSION"));
    let head = Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .current_dir(repo())
        .output();
    match head {
        Ok(h) if h.status.success() => {
            let commit = String::from_utf8_lossy(&h.stdout).trim().to_owned();
            assert!(
                text.starts_with(&format!("{plain} ({commit} ")),
                "{text} names {commit}"
            );
        }
        // A tarball: the plain version.
        _ => assert_eq!(text.trim(), plain),
    }
}

#[cfg(unix)]
#[test]
fn output_files_get_the_umask_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let bin = assert_cmd::cargo::cargo_bin("minpriv");
    for (umask, mode) in [("022", 0o644), ("077", 0o600), ("002", 0o664)] {
        let file = dir.path().join(format!("findings-{umask}.sarif"));
        let status = Command::new("sh")
            .arg("-c")
            .arg(format!(
                "umask {umask} && exec \"$0\" check -q testdata/acme --format sarif -o \"$1\""
            ))
            .arg(&bin)
            .arg(&file)
            .current_dir(repo())
            .env("MINPRIV_NOW", TODAY)
            .status()
            .unwrap();
        assert_eq!(status.code(), Some(1));
        let got = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
        assert_eq!(got, mode, "umask {umask}: {got:o}");
    }
}

#[test]
fn colour_is_forced_or_refused_by_the_environment() {
    let coloured = |envs: &[(&str, &str)], args: &[&str]| {
        let mut cmd = minpriv();
        cmd.args(["check", "testdata/acme"]).args(args);
        for (k, v) in envs {
            cmd.env(k, v);
        }
        let out = cmd.output().unwrap();
        assert_eq!(out.status.code(), Some(1));
        (
            stdout(&out).contains("\u{1b}["),
            stderr(&out).contains("\u{1b}["),
        )
    };
    assert_eq!(coloured(&[], &[]), (false, false), "a pipe gets no colour");
    assert_eq!(coloured(&[("FORCE_COLOR", "1")], &[]), (true, true));
    assert_eq!(coloured(&[("CLICOLOR_FORCE", "1")], &[]), (true, true));
    assert_eq!(
        coloured(&[("FORCE_COLOR", "1")], &["--color", "never"]),
        (false, false)
    );
    assert_eq!(
        coloured(&[("NO_COLOR", "1")], &["--color", "always"]),
        (true, true)
    );
}

fn rust_version() -> String {
    let manifest = std::fs::read_to_string(repo().join("Cargo.toml")).unwrap();
    manifest
        .lines()
        .find_map(|l| l.strip_prefix("rust-version = "))
        .unwrap()
        .trim_matches('"')
        .to_owned()
}

#[test]
fn the_container_is_the_static_binary_alone_built_with_the_minimum_rust() {
    let dockerfile = std::fs::read_to_string(repo().join("Dockerfile")).unwrap();
    let froms: Vec<&str> = dockerfile
        .lines()
        .filter(|l| l.starts_with("FROM "))
        .collect();
    // Alpine's Rust links musl statically; the tag is the minimum Rust.
    assert_eq!(
        froms[0],
        format!("FROM rust:{}-alpine AS build", rust_version())
    );
    // Every image stage is empty but for the binary.
    for from in &froms[1..] {
        assert!(from.starts_with("FROM scratch"), "{from}");
    }
    let stages: Vec<&str> = dockerfile.split("\nFROM ").skip(2).collect();
    assert_eq!(stages.len(), 2, "prebuilt (release) and the default");
    for stage in stages {
        assert!(stage.contains("ENTRYPOINT [\"minpriv\"]"), "{stage}");
        assert!(stage.contains("/usr/local/bin/minpriv"), "{stage}");
        assert!(stage.contains("ENV PATH=/usr/local/bin"), "{stage}");
    }
    // The release workflow builds the prebuilt stage from the musl binaries.
    let release = std::fs::read_to_string(repo().join(".github/workflows/release.yml")).unwrap();
    assert!(release.contains("target: prebuilt"));
    assert!(release.contains("static-x86_64-unknown-linux-musl"));
    assert!(release.contains("static-aarch64-unknown-linux-musl"));
}

#[test]
fn the_ci_templates_install_this_version() {
    let version = env!("CARGO_PKG_VERSION");
    let gitlab = std::fs::read_to_string(repo().join("ci/minpriv.gitlab-ci.yml")).unwrap();
    assert!(
        gitlab.contains(&format!("MINPRIV_VERSION: \"{version}\"")),
        "{gitlab}"
    );
    let action = std::fs::read_to_string(repo().join("action.yml")).unwrap();
    assert!(action.contains("\"minpriv==$VERSION\""), "{action}");
    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap();
    assert!(readme.contains(&format!("pip install minpriv=={version}")));
    assert!(readme.contains(&format!("Rust **{}**", rust_version())));
}
