//! Names the commit in `minpriv --version` when built from a git checkout:
//! `minpriv 0.1.0 (3f2a9c1b7d4e 2026-12-01)`: the commit checked out (work
//! tree changes are not tracked). Built from a tarball, an sdist or crates.io (no git,
//! or a git repository that is not this crate's), the version is the plain
//! package version. `MINPRIV_COMMIT` in the build's environment names the
//! commit where the build cannot see `.git` (a container build).

use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-env-changed=MINPRIV_COMMIT");
    let suffix = match std::env::var("MINPRIV_COMMIT") {
        Ok(commit) if !commit.trim().is_empty() => format!(" ({})", commit.trim()),
        _ => from_git().unwrap_or_default(),
    };
    println!("cargo:rustc-env=MINPRIV_VERSION_SUFFIX={suffix}");
}

/// ` (<commit> <date>)`, or `None` without git or outside this
/// crate's own repository.
fn from_git() -> Option<String> {
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR")?);
    let top = git(&manifest, &["rev-parse", "--show-toplevel"])?;
    // An sdist unpacked inside someone else's repository is not ours.
    if std::fs::canonicalize(&top).ok()? != std::fs::canonicalize(&manifest).ok()? {
        return None;
    }
    // Rebuild when HEAD moves: HEAD itself, the branch it names, packed refs.
    for path in ["HEAD", "packed-refs"] {
        if let Some(p) = git(&manifest, &["rev-parse", "--git-path", path]) {
            println!("cargo:rerun-if-changed={}", manifest.join(p).display());
        }
    }
    if let Some(branch) = git(&manifest, &["symbolic-ref", "-q", "HEAD"])
        && let Some(p) = git(&manifest, &["rev-parse", "--git-path", &branch])
    {
        println!("cargo:rerun-if-changed={}", manifest.join(p).display());
    }
    let commit = git(&manifest, &["rev-parse", "--short=12", "HEAD"])?;
    let date = git(
        &manifest,
        &["log", "-1", "--format=%cd", "--date=short", "HEAD"],
    )?;
    Some(format!(" ({commit} {date})"))
}

/// `git ARGS` in `dir`: its trimmed output, or `None` when git is missing
/// or fails.
fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    Some(String::from_utf8(out.stdout).ok()?.trim().to_owned())
}
