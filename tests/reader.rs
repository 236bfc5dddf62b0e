//! Every input goes through one reader (`minpriv::source`): regular files
//! only, the size limit checked before opening, a UTF-8 byte order mark
//! skipped, UTF-16 refused by name. Each case below is an input that had
//! a reader of its own, weaker than that one, before.

mod common;

use std::path::Path;
use std::process::{Command as Process, Output, Stdio};
use std::time::{Duration, Instant};

use common::*;

const PROFILE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<Profile xmlns="http://soap.sforce.com/2006/04/metadata">
    <custom>true</custom>
    <userLicense>Salesforce Integration</userLicense>
    <userPermissions>
        <enabled>true</enabled>
        <name>ModifyAllData</name>
    </userPermissions>
</Profile>
"#;

const PROFILE_PATH: &str = "force-app/main/default/profiles/Partner Integration.profile-meta.xml";

const INVENTORY: &str = r#"[[integration]]
name = "partner"
user = "svc.partner@acme.example"
profile = "Partner Integration"
"#;

const BOM: &str = "\u{feff}";

fn partner_project() -> tempfile::TempDir {
    project(&[(PROFILE_PATH, PROFILE), ("minpriv.toml", INVENTORY)])
}

fn mkfifo(path: &Path) -> bool {
    Process::new("mkfifo")
        .arg(path)
        .status()
        .is_ok_and(|s| s.success())
}

/// Runs minpriv in `dir` to its end. A run still going after two minutes
/// is killed (and then has no exit code): a reader that waits on a FIFO
/// fails its test instead of hanging the suite.
fn run_to_end(dir: &Path, args: &[&str], cache: bool) -> Output {
    let mut command = Process::new(env!("CARGO_BIN_EXE_minpriv"));
    command
        .current_dir(dir)
        .args(args)
        .env("MINPRIV_NOW", TODAY)
        .env_remove("NO_COLOR")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if cache {
        command.env_remove("MINPRIV_NO_CACHE");
    } else {
        command.env("MINPRIV_NO_CACHE", "1");
    }
    let child = command.spawn().unwrap();
    let id = child.id();
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let watchdog = {
        let done = done.clone();
        std::thread::spawn(move || {
            let started = Instant::now();
            while !done.load(std::sync::atomic::Ordering::SeqCst) {
                if started.elapsed() > Duration::from_secs(120) {
                    let _ = Process::new("kill").arg("-9").arg(id.to_string()).status();
                    return;
                }
                std::thread::sleep(Duration::from_millis(100));
            }
        })
    };
    let out = child.wait_with_output().unwrap();
    done.store(true, std::sync::atomic::Ordering::SeqCst);
    watchdog.join().unwrap();
    out
}

fn codes(doc: &serde_json::Value) -> Vec<String> {
    finding_lines(doc)
        .into_iter()
        .map(|l| l.split(' ').next().unwrap_or_default().to_owned())
        .collect()
}

/// `.forceignore` is a FIFO, and one of sf's built-in patterns (`**/.*`)
/// hides a profile: the pattern's line was looked up by reading the FIFO
/// again, outside the reader, and the run waited forever. Now the pattern
/// is located in what the reader read, and the FIFO is a located error.
#[cfg(unix)]
#[test]
fn a_fifo_forceignore_is_an_error_not_a_wait() {
    let dir = project(&[
        (PROFILE_PATH, PROFILE),
        (
            "force-app/main/default/profiles/.Hidden.profile-meta.xml",
            PROFILE,
        ),
        ("minpriv.toml", INVENTORY),
    ]);
    if !mkfifo(&dir.path().join(".forceignore")) {
        eprintln!("skipped: no mkfifo");
        return;
    }
    let out = run_to_end(dir.path(), &["check", "--color", "never"], false);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let all = stdout(&out) + &stderr(&out);
    assert!(
        all.contains(".forceignore: is not a regular file (a FIFO, socket or device)"),
        "{all}"
    );
    assert!(all.contains("REF003"), "{all}");
}

/// The cache file is a FIFO: it was read with no check and the run
/// waited forever. Now it is no cache: the run reads the metadata itself.
#[cfg(unix)]
#[test]
fn a_fifo_cache_file_is_no_cache() {
    let dir = partner_project();
    std::fs::create_dir(dir.path().join(".minpriv_cache")).unwrap();
    if !mkfifo(&dir.path().join(".minpriv_cache/parsed.bin")) {
        eprintln!("skipped: no mkfifo");
        return;
    }
    let out = run_to_end(dir.path(), &["check", "--format", "json"], true);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(codes(&doc).contains(&"ADM001".to_owned()), "{doc}");
}

/// A `.forceignore` saved with a byte order mark: sf (node-ignore) skips
/// it, so the first pattern applies; minpriv read it as part of the
/// pattern, which then matched nothing.
#[test]
fn a_forceignore_with_a_byte_order_mark_applies_its_first_pattern() {
    let dir = partner_project();
    let forceignore = format!("{BOM}**/profiles/**\n");
    std::fs::write(dir.path().join(".forceignore"), forceignore).unwrap();
    let (code, doc) = check_json_in(dir.path(), &[]);
    let codes = codes(&doc);
    assert!(!codes.contains(&"ADM001".to_owned()), "{doc}");
    assert!(codes.contains(&"REF003".to_owned()), "{doc}");
    assert_eq!(code, 1, "{doc}");
}

/// A baseline saved with a byte order mark was "not a valid baseline".
#[test]
fn a_baseline_with_a_byte_order_mark_is_read() {
    let dir = partner_project();
    let out = minpriv()
        .current_dir(dir.path())
        .args(["check", "--write-baseline", "baseline.json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let path = dir.path().join("baseline.json");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, format!("{BOM}{text}")).unwrap();
    let (code, doc) = check_json_in(dir.path(), &["--baseline", "baseline.json"]);
    assert_eq!(code, 0, "{doc}");
    assert!(finding_lines(&doc).is_empty(), "{doc}");
}

/// An `sfdx-project.json` saved with a byte order mark was invalid JSON,
/// and nothing was checked; a real error after one is still located.
#[test]
fn an_sfdx_project_with_a_byte_order_mark_is_read() {
    let dir = partner_project();
    let project = format!("{BOM}{{\"packageDirectories\": [{{\"path\": \"force-app\"}}]}}");
    std::fs::write(dir.path().join("sfdx-project.json"), project).unwrap();
    let (code, doc) = check_json_in(dir.path(), &[]);
    assert_eq!(code, 1, "{doc}");
    assert!(codes(&doc).contains(&"ADM001".to_owned()), "{doc}");

    let located = |bom: &str| {
        let json = format!("{bom}{{\n  \"packageDirectories\": 5\n}}");
        std::fs::write(dir.path().join("sfdx-project.json"), json).unwrap();
        let out = minpriv()
            .current_dir(dir.path())
            .args(["check", "--color", "never"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        let all = stdout(&out) + &stderr(&out);
        let at = all.lines().find(|l| l.contains("[sfdx-project.json:"));
        at.unwrap_or_else(|| panic!("{all}")).trim().to_owned()
    };
    assert_eq!(located(BOM), located(""));
}

/// UTF-16 (what PowerShell's `>` writes) was "not UTF-8" in the
/// inventory, a baseline, `sfdx-project.json` and `.forceignore`, as if
/// damaged; now each says what it is, as metadata and org data did.
#[test]
fn utf16_inputs_are_named_as_such() {
    let utf16 = |text: &str| -> Vec<u8> {
        let mut bytes = vec![0xFF, 0xFE];
        bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
        bytes
    };
    type Case<'a> = (&'a str, &'a str, &'a [&'a str]);
    let cases: [Case; 4] = [
        ("minpriv.toml", INVENTORY, &[]),
        ("baseline.json", "{}", &["--baseline", "baseline.json"]),
        (
            "sfdx-project.json",
            "{\"packageDirectories\": [{\"path\": \"force-app\"}]}",
            &[],
        ),
        (".forceignore", "**/profiles/**\n", &[]),
    ];
    for (file, text, args) in cases {
        let dir = partner_project();
        std::fs::write(dir.path().join(file), utf16(text)).unwrap();
        let out = minpriv()
            .current_dir(dir.path())
            .arg("check")
            .args(args)
            .args(["--color", "never"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{file}: {}", stderr(&out));
        let all = stdout(&out) + &stderr(&out);
        assert!(all.contains("the file is UTF-16 encoded"), "{file}: {all}");
        assert!(all.contains(file), "{file}: {all}");
    }
}
