//! Python tooling for the distribution tests: maturin to build the wheel, a
//! fresh virtual environment to install it in. Tools come from PATH or
//! python3's modules, else from a virtual environment under cargo's target
//! directory created with `pip install` on first use; without Python or PyPI
//! the helpers say why, and the tests that need them skip with that message.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Mutex, OnceLock};

pub fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The target directory of the wheel builds: not cargo's own, whose
/// target/debug/minpriv the other tests run while a build would relink it
/// (maturin's `cargo rustc` does not share the test build's fingerprint),
/// one per build that may run at once (maturin moves the binary it stages).
pub fn target_dir(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("{name}-target"))
}

fn works(cmd: &[String]) -> bool {
    Command::new(&cmd[0])
        .args(&cmd[1..])
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// A command running the Python tool `bin` (module `module`, package
/// `package` on PyPI).
pub fn python_tool(bin: &str, module: &str, package: &str) -> Result<Vec<String>, String> {
    let on_path = vec![bin.to_owned()];
    if works(&on_path) {
        return Ok(on_path);
    }
    let as_module = vec!["python3".to_owned(), "-m".to_owned(), module.to_owned()];
    if works(&as_module) {
        return Ok(as_module);
    }
    // One venv per tool; tests of one binary may ask at once.
    static CREATING: Mutex<()> = Mutex::new(());
    let _guard = CREATING.lock().unwrap_or_else(|e| e.into_inner());
    let venv = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("{bin}-venv"));
    let in_venv = vec![venv.join("bin").join(bin).to_string_lossy().into_owned()];
    if works(&in_venv) {
        return Ok(in_venv);
    }
    fresh_venv(&venv)?;
    pip(&venv, &[package])?;
    if works(&in_venv) {
        Ok(in_venv)
    } else {
        Err(format!("{package} installed but {bin} does not run"))
    }
}

/// `python3 -m venv DIR`.
pub fn fresh_venv(dir: &Path) -> Result<(), String> {
    let out = Command::new("python3")
        .args(["-m", "venv", "--clear"])
        .arg(dir)
        .output()
        .map_err(|e| format!("python3 is not available ({e})"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "python3 -m venv failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

/// `pip install ARGS` in the virtual environment `venv`.
pub fn pip(venv: &Path, args: &[&str]) -> Result<(), String> {
    pip_with(venv, args, &[])
}

pub fn pip_with(venv: &Path, args: &[&str], env: &[(&str, &str)]) -> Result<(), String> {
    let mut cmd = Command::new(venv.join("bin/python"));
    cmd.args([
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
    ])
    .args(args)
    .current_dir(repo());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().map_err(|e| format!("pip did not run ({e})"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "pip install {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

/// The wheel `maturin build` makes of this repository, built once per test
/// binary. The dev profile: the wheel's layout does not depend on
/// optimisation (.ci/run builds and checks the release wheel).
pub fn wheel() -> Result<PathBuf, String> {
    static WHEEL: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    WHEEL
        .get_or_init(|| {
            let maturin = python_tool("maturin", "maturin", "maturin")
                .map_err(|e| format!("maturin is not available: {e}"))?;
            let out_dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("wheel-dev");
            let _ = std::fs::remove_dir_all(&out_dir);
            let out = Command::new(&maturin[0])
                .args(&maturin[1..])
                .args(["build", "--profile", "dev", "--locked", "--out"])
                .arg(&out_dir)
                .current_dir(repo())
                .env("CARGO_TARGET_DIR", target_dir("wheel"))
                .env("CARGO_TERM_COLOR", "never")
                .output()
                .map_err(|e| format!("maturin did not run ({e})"))?;
            if !out.status.success() {
                // maturin is there: a failing build is a failure, not a skip.
                panic!(
                    "maturin build failed:\n{}{}",
                    String::from_utf8_lossy(&out.stdout),
                    String::from_utf8_lossy(&out.stderr)
                );
            }
            let wheels: Vec<PathBuf> = std::fs::read_dir(&out_dir)
                .unwrap()
                .map(|e| e.unwrap().path())
                .filter(|p| p.extension().is_some_and(|e| e == "whl"))
                .collect();
            assert_eq!(wheels.len(), 1, "one wheel: {wheels:?}");
            Ok(wheels[0].clone())
        })
        .clone()
}
