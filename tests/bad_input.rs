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

// ---- generated at test time: too big, or not storable in git ----------

const GOOD: &str = "testdata/bad/force-app/main/default/profiles/Good Integration.profile-meta.xml";
const HEAD: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Profile xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n";

/// A project holding the good profile of testdata/bad and `files`, all
/// under `profiles/`.
fn profiles(files: &[(&str, Vec<u8>)]) -> tempfile::TempDir {
    let good = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(GOOD)).unwrap();
    let dir = project(&[("profiles/Good Integration.profile-meta.xml", &good)]);
    for (name, bytes) in files {
        std::fs::write(dir.path().join("profiles").join(name), bytes).unwrap();
    }
    dir
}

/// `file:line:column: message` for every error, with `-` for a whole-file
/// error's line and column.
fn error_lines(doc: &serde_json::Value) -> Vec<String> {
    doc["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let at = |v: &serde_json::Value| v.as_u64().map_or("-".to_owned(), |n| n.to_string());
            format!(
                "{}:{}:{}: {}",
                e["file"].as_str().unwrap(),
                at(&e["line"]),
                at(&e["column"]),
                e["message"].as_str().unwrap()
            )
        })
        .collect()
}

/// Runs `check ARGS` in `dir` in JSON and in text; asserts exit 2 and that
/// the good profile beside the broken files was linted; returns the errors
/// and the text report.
fn check_broken(dir: &Path, args: &[&str]) -> (Vec<String>, String) {
    let (code, doc) = check_json_in(dir, args);
    assert_eq!(code, 2, "{doc}");
    assert_eq!(
        finding_lines(&doc),
        ["NET001 profiles/Good Integration.profile-meta.xml:2"]
    );
    let out = minpriv()
        .current_dir(dir)
        .args(["check", "--color", "never"])
        .args(args)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    (error_lines(&doc), stdout(&out))
}

#[test]
fn nesting_deeper_than_64_is_refused_where_it_starts() {
    let mut deep = HEAD.as_bytes().to_vec();
    deep.extend("<a>".repeat(100_000).bytes());
    deep.push(b'\n');
    let dir = profiles(&[("Deep.profile-meta.xml", deep)]);
    let (errors, text) = check_broken(dir.path(), &[]);
    // <Profile> is level 1; the 64th <a> (column 1 + 63 × 3) is level 65.
    assert_eq!(
        errors,
        ["profiles/Deep.profile-meta.xml:3:190: elements nested deeper than 64 levels"]
    );
    // The 300 KB line is not printed; the place is.
    assert!(
        text.contains("profiles/Deep.profile-meta.xml:3:190 (the line is too long to show)"),
        "{text}"
    );
    assert!(text.len() < 4096, "{} bytes of text output", text.len());
}

#[test]
fn a_50_mb_text_node_is_read_without_blowing_up() {
    let huge = "x".repeat(50 << 20);
    let flag = format!(
        "{HEAD}    <userPermissions>\n        <enabled>{huge}</enabled>\n        <name>ApiEnabled</name>\n    </userPermissions>\n</Profile>\n"
    );
    let described = format!(
        "{HEAD}    <description>{huge}</description>\n    <userLicense>Salesforce Integration</userLicense>\n    <userPermissions>\n        <enabled>true</enabled>\n        <name>ApiUserOnly</name>\n    </userPermissions>\n</Profile>\n"
    );
    let dir = profiles(&[
        ("Huge Flag.profile-meta.xml", flag.into_bytes()),
        ("Huge Description.profile-meta.xml", described.into_bytes()),
    ]);
    let (code, doc) = check_json_in(dir.path(), &[]);
    assert_eq!(code, 2);
    // The value is quoted cut short, not 50 MB of it.
    assert_eq!(
        error_lines(&doc),
        [format!(
            "profiles/Huge Flag.profile-meta.xml:4:9: expected a boolean (true or false), found `{}… (52428800 bytes)`",
            "x".repeat(60)
        )]
    );
    // The valid profile with the huge description is linted like any other.
    assert_eq!(
        finding_lines(&doc),
        [
            "NET001 profiles/Good Integration.profile-meta.xml:2",
            "NET001 profiles/Huge Description.profile-meta.xml:2",
        ]
    );
    let json = serde_json::to_string(&doc).unwrap();
    assert!(json.len() < 8192, "{} bytes of JSON", json.len());
    let out = check_in(dir.path());
    assert_eq!(out.status.code(), Some(2));
    let text = stdout(&out);
    assert!(text.len() < 8192, "{} bytes of text output", text.len());
    // The finding shows its own line, not the 50 MB line after it.
    assert!(
        text.contains("[profiles/Huge Description.profile-meta.xml:2:1]"),
        "{text}"
    );
}

#[test]
fn max_file_size_refuses_larger_files_and_lints_the_rest() {
    let (code, doc) = check_json(&["testdata/bad", "--max-file-size", "410"]);
    assert_eq!(code, 2);
    let refused: Vec<String> = error_lines(&doc)
        .into_iter()
        .filter(|e| e.contains("--max-file-size"))
        .map(|e| e.strip_prefix(PROFILES).unwrap().to_owned())
        .collect();
    assert_eq!(
        refused,
        [
            "/Bom Crlf Integration.profile-meta.xml:-:-: the file is 423 bytes, more than the limit of 410 bytes (--max-file-size)",
            "/Utf16.profile-meta.xml:-:-: the file is 816 bytes, more than the limit of 410 bytes (--max-file-size)",
            "/Wrong Root.profile-meta.xml:-:-: the file is 419 bytes, more than the limit of 410 bytes (--max-file-size)",
        ]
    );
    assert_eq!(
        finding_lines(&doc),
        [format!(
            "NET001 {PROFILES}/Good Integration.profile-meta.xml:2"
        )]
    );
    let out = run(&["check", "testdata/bad", "--max-file-size", "ten"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("`ten` is not a size"),
        "{}",
        stderr(&out)
    );
}

#[cfg(unix)]
#[test]
fn symlink_loops_are_neither_followed_nor_passed() {
    use std::os::unix::fs::symlink;
    let dir = profiles(&[]);
    let p = dir.path().join("profiles");
    // A directory loop: never walked into.
    std::fs::create_dir(p.join("loop")).unwrap();
    symlink("..", p.join("loop/up")).unwrap();
    // A loop of two links named like profiles: reported, never skipped.
    symlink("B.profile-meta.xml", p.join("A.profile-meta.xml")).unwrap();
    symlink("A.profile-meta.xml", p.join("B.profile-meta.xml")).unwrap();
    let (errors, _) = check_broken(dir.path(), &[]);
    let os = "Too many levels of symbolic links (os error 40)";
    if cfg!(target_os = "linux") {
        assert_eq!(
            errors,
            [
                format!("profiles/A.profile-meta.xml:-:-: cannot read the file: {os}"),
                format!("profiles/B.profile-meta.xml:-:-: cannot read the file: {os}"),
            ]
        );
    } else {
        assert_eq!(errors.len(), 2, "{errors:?}");
    }
}

#[cfg(unix)]
#[test]
fn a_file_that_vanished_or_cannot_be_read_is_reported() {
    use std::os::unix::fs::symlink;
    let outside = tempfile::tempdir().unwrap();
    let secret = outside.path().join("secret.txt");
    std::fs::write(&secret, "token=hunter2\n").unwrap();
    let dir = profiles(&[]);
    let p = dir.path().join("profiles");
    // Discovered, then gone by the time it is read: a link to nothing
    // behaves exactly so, deterministically.
    symlink("Deleted.profile-meta.xml", p.join("Gone.profile-meta.xml")).unwrap();
    // A link out of the project is not followed: its target's first line
    // would otherwise be shown in the error.
    symlink(&secret, p.join("Secret.profile-meta.xml")).unwrap();
    // A link inside the project is read like the file it points at.
    symlink(
        "Good Integration.profile-meta.xml",
        p.join("Alias.profile-meta.xml"),
    )
    .unwrap();
    // A FIFO: opening it would wait for a writer forever.
    let fifo = std::process::Command::new("mkfifo")
        .arg(p.join("Pipe.profile-meta.xml"))
        .status()
        .is_ok_and(|s| s.success());

    let (code, doc) = check_json_in(dir.path(), &[]);
    assert_eq!(code, 2);
    let mut expected = vec![
        "profiles/Gone.profile-meta.xml:-:-: cannot read the file: it does not exist (deleted during the run, or a link to a missing file)".to_owned(),
    ];
    if fifo {
        expected.push("profiles/Pipe.profile-meta.xml:-:-: is not a regular file (a FIFO, socket or device); minpriv reads only regular files".to_owned());
    }
    expected.push(format!(
        "profiles/Secret.profile-meta.xml:-:-: is a symbolic link to `{}`, outside the project; minpriv does not follow it",
        std::fs::canonicalize(&secret).unwrap().display()
    ));
    assert_eq!(error_lines(&doc), expected);
    assert_eq!(
        finding_lines(&doc),
        [
            "NET001 profiles/Alias.profile-meta.xml:2",
            "NET001 profiles/Good Integration.profile-meta.xml:2",
        ]
    );
    let text = stdout(&check_in(dir.path()));
    assert!(!text.contains("hunter2"), "{text}");
}

// ---- minpriv.toml: every kind of mistake, in testdata/bad/config --------

#[test]
fn every_kind_of_config_mistake_is_located() {
    let cases = [
        (
            "unknown-key",
            "4:1",
            "unknown field `profiles`, expected one of `name`, `user`, `profile`,",
        ),
        ("missing-user", "1:1", "missing field `user`"),
        (
            "wrong-type",
            "3:26",
            "invalid type: string \"many\", expected i64",
        ),
        ("unknown-rule-select", "2:18", "`NET999` matches no rule"),
        (
            "unknown-rule-exception",
            "2:8",
            "unknown rule `no-such-rule`",
        ),
        ("bad-date", "4:11", "`2027-02-30` is not a date"),
        (
            "bad-cidr",
            "4:34",
            "`10.0.0.0/33` is not a CIDR block such as 203.0.113.0/24",
        ),
        (
            "bad-range",
            "4:31",
            "the range starts at `10.1.1.9`, after its end `10.1.1.1`",
        ),
        (
            "duplicate-name",
            "6:8",
            "integration `orders-sync` is declared twice",
        ),
        (
            "unknown-integration",
            "7:15",
            "no integration is named `order-sync`",
        ),
        ("empty-reason", "3:10", "an exception needs a reason"),
        (
            "bad-glob",
            "3:8",
            "invalid glob: error parsing glob '**/profiles/[Legacy*'",
        ),
        (
            "bad-exclude",
            "1:28",
            "invalid exclude glob `force-app/{a,b`",
        ),
    ];
    for (name, at, message) in cases {
        let config = format!("testdata/bad/config/{name}.toml");
        let out = run(&[
            "check",
            "testdata/bad",
            "--config",
            &config,
            "--color",
            "never",
        ]);
        assert_eq!(out.status.code(), Some(2), "{name}");
        assert!(out.stdout.is_empty(), "{name}: nothing is checked");
        // Long messages wrap: join them again.
        let err = stderr(&out).replace("\n  │ ", " ");
        assert!(err.contains(&format!("[{config}:{at}]")), "{name}:\n{err}");
        assert!(
            err.contains(&format!("× {config}: {message}")),
            "{name}:\n{err}"
        );
        assert_eq!(err.matches('×').count(), 1, "{name}: one error\n{err}");
    }
    let out = run(&[
        "check",
        "testdata/bad",
        "--config",
        "testdata/bad/config/duplicate-name.toml",
    ]);
    assert!(
        stderr(&out).contains("the first declaration is on line 2"),
        "{}",
        stderr(&out)
    );
}

#[cfg(unix)]
#[test]
fn a_fifo_for_a_project_or_config_file_does_not_hang() {
    let dir = project(&[]);
    let made = |name: &str| {
        std::process::Command::new("mkfifo")
            .arg(dir.path().join(name))
            .status()
            .is_ok_and(|s| s.success())
    };
    if !made("sfdx-project.json") || !made("fifo.toml") {
        eprintln!("skipped: no mkfifo");
        return;
    }
    let (code, doc) = check_json_in(dir.path(), &[]);
    assert_eq!(code, 2);
    assert_eq!(
        error_lines(&doc),
        [
            "sfdx-project.json:-:-: is not a regular file (a FIFO, socket or device); minpriv reads only regular files"
        ]
    );
    let out = minpriv()
        .current_dir(dir.path())
        .args(["check", "--config", "fifo.toml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("fifo.toml: is not a regular file"),
        "{}",
        stderr(&out)
    );
}
