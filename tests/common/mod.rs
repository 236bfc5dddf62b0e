//! Helpers shared by the end-to-end tests: run the binary from the
//! repository root and read its JSON.

#![allow(dead_code)]

use std::path::Path;
use std::process::Output;

use assert_cmd::Command;
use serde_json::Value;

/// The date the tests run "on".
pub const TODAY: &str = "2026-11-27";

pub fn minpriv() -> Command {
    let mut cmd = Command::cargo_bin("minpriv").expect("binary builds");
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("NO_COLOR")
        .env_remove("FORCE_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .env("MINPRIV_NOW", TODAY)
        // No .minpriv_cache/ in testdata; tests/cache.rs turns it back on.
        .env("MINPRIV_NO_CACHE", "1");
    cmd
}

pub fn run(args: &[&str]) -> Output {
    minpriv().args(args).output().expect("minpriv runs")
}

/// Runs `minpriv check ARGS --format json` in `dir` and returns the exit
/// code and the parsed document.
pub fn check_json_in(dir: &Path, args: &[&str]) -> (i32, Value) {
    let out = minpriv()
        .current_dir(dir)
        .arg("check")
        .args(args)
        .args(["--format", "json"])
        .output()
        .expect("minpriv runs");
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is JSON ({e}); stderr:\n{}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap_or(-1), doc)
}

pub fn check_json(args: &[&str]) -> (i32, Value) {
    check_json_in(Path::new(env!("CARGO_MANIFEST_DIR")), args)
}

/// `RULE file:line` for every finding, in output order.
pub fn finding_lines(doc: &Value) -> Vec<String> {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            format!(
                "{} {}:{}",
                f["rule"].as_str().unwrap(),
                f["file"].as_str().unwrap(),
                f["line"]
            )
        })
        .collect()
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The closing line without its timing, which varies.
pub fn closing_line(out: &Output) -> String {
    let err = stderr(out);
    let line = err.lines().last().unwrap_or_default().to_owned();
    let (head, tail) = line.split_once(" in ").unwrap_or((&line, ""));
    let tail = tail.split_once(": ").map_or("", |(_, t)| t);
    format!("{head}: {tail}")
}

/// A throw-away project holding `files` (path, text), with a `.git` so no
/// minpriv.toml above it is picked up.
pub fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    for (path, text) in files {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

/// Every file below `dir`, as (path relative to `dir` with `/`, full
/// path), sorted by relative path.
pub fn files_below(dir: &Path) -> Vec<(String, std::path::PathBuf)> {
    let mut out = vec![];
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path.strip_prefix(dir).unwrap();
                out.push((rel.to_string_lossy().replace('\\', "/"), path));
            }
        }
    }
    out.sort();
    out
}

/// Copies a directory tree.
pub fn copy_tree(from: &Path, to: &Path) {
    for entry in walk(from) {
        let rel = entry.strip_prefix(from).unwrap();
        let dest = to.join(rel);
        std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
        std::fs::copy(&entry, &dest).unwrap();
    }
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = vec![];
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

/// What a run without usage logs reports as not evaluated: the USE rules.
pub const USAGE_REASON: &str = "needs usage logs in the org snapshot";

/// `summary.not_evaluated` of a run with an org snapshot but no usage logs.
pub fn usage_rules_not_evaluated() -> serde_json::Value {
    serde_json::json!([
        {"rule": "USE001", "reason": USAGE_REASON},
        {"rule": "USE002", "reason": USAGE_REASON},
        {"rule": "USE003", "reason": USAGE_REASON},
    ])
}

/// Every rule's code, in code order, from `minpriv rules --format json`:
/// tests derive rule counts from it rather than type them.
pub fn rule_codes() -> Vec<String> {
    let out = run(&["rules", "--format", "json"]);
    serde_json::from_slice::<Value>(&out.stdout)
        .unwrap()
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_str().unwrap().to_owned())
        .collect()
}

/// How many rules there are besides `left_out` (the rules not selected, or
/// not evaluated, in a run).
pub fn rules_besides(left_out: impl Fn(&str) -> bool) -> usize {
    rule_codes().iter().filter(|c| !left_out(c)).count()
}
