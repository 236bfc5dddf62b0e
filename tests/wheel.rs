//! The Python package: `maturin build` makes a wheel holding the
//! binary, which installs into a clean virtual environment and puts
//! `minpriv` on its PATH; `pip install .` builds it from source. Skipped
//! with a message where maturin (or Python) cannot be had.

mod common;
#[path = "common/python.rs"]
mod python;

use std::path::Path;
use std::process::Command;

use common::TODAY;
use python::*;

fn run_in(venv: &Path, args: &[&str]) -> std::process::Output {
    // Found through PATH, as a shell or pre-commit finds it.
    let path = std::env::join_paths(std::iter::once(venv.join("bin")).chain(
        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
    ))
    .unwrap();
    Command::new("minpriv")
        .args(args)
        .current_dir(repo())
        .env("PATH", path)
        .env("MINPRIV_NOW", TODAY)
        .env_remove("NO_COLOR")
        .env_remove("FORCE_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .output()
        .expect("minpriv runs from the venv")
}

fn assert_checks_the_sample_org(venv: &Path) {
    let installed = venv.join("bin/minpriv");
    assert!(installed.is_file(), "{} is installed", installed.display());
    let out = run_in(venv, &["check", "testdata/acme"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("NET001 missing-login-ip-ranges"),
        "{err}"
    );
    assert!(err.contains("Checked 25 files"), "{err}");
    let version = run_in(venv, &["--version"]);
    assert_eq!(
        String::from_utf8_lossy(&version.stdout),
        String::from_utf8_lossy(&common::run(&["--version"]).stdout),
        "the wheel holds this build"
    );
}

#[test]
fn the_wheel_installs_into_a_fresh_venv_and_puts_minpriv_on_path() {
    let wheel = match wheel() {
        Ok(w) => w,
        Err(why) => {
            eprintln!("SKIPPED: {why}");
            return;
        }
    };
    let name = wheel.file_name().unwrap().to_string_lossy().into_owned();
    let prefix = format!("minpriv-{}-py3-none-", env!("CARGO_PKG_VERSION"));
    assert!(name.starts_with(&prefix), "{name}");

    // The binary and the metadata, nothing else.
    let listing = Command::new("python3")
        .args(["-m", "zipfile", "-l"])
        .arg(&wheel)
        .output()
        .unwrap();
    let listing = String::from_utf8_lossy(&listing.stdout);
    let exe = if cfg!(windows) {
        "minpriv.exe"
    } else {
        "minpriv"
    };
    let files: Vec<&str> = listing
        .lines()
        .skip(1)
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert!(
        files.contains(
            &format!("minpriv-{}.data/scripts/{exe}", env!("CARGO_PKG_VERSION")).as_str()
        ),
        "{listing}"
    );
    assert!(
        files
            .iter()
            .all(|f| f.contains(".dist-info/") || f.ends_with(exe)),
        "{listing}"
    );

    let venv = tempfile::tempdir().unwrap();
    fresh_venv(venv.path()).unwrap();
    // No index: the wheel needs nothing from PyPI.
    pip(venv.path(), &["--no-index", wheel.to_str().unwrap()]).unwrap();
    assert_checks_the_sample_org(venv.path());
}

#[test]
fn pip_install_dot_builds_from_source() {
    let venv = tempfile::tempdir().unwrap();
    if let Err(why) = fresh_venv(venv.path()) {
        eprintln!("SKIPPED: {why}");
        return;
    }
    // pip fetches maturin (the build backend) from PyPI; cargo builds with
    // the dev profile in a target directory of its own.
    let target = target_dir("pip");
    let result = pip_with(
        venv.path(),
        &["."],
        &[
            ("MATURIN_PEP517_ARGS", "--profile dev --locked"),
            ("CARGO_TARGET_DIR", target.to_str().unwrap()),
            ("CARGO_TERM_COLOR", "never"),
        ],
    );
    match result {
        Ok(()) => assert_checks_the_sample_org(venv.path()),
        Err(why) if why.contains("maturin") && why.contains("No matching distribution") => {
            eprintln!("SKIPPED: pip cannot fetch maturin: {why}");
        }
        Err(why) => panic!("{why}"),
    }
}
