//! The hostile cases of issue 12, end to end: what a pull request an
//! attacker writes can make minpriv print, read, hide or hang on. Each test
//! is named after the numbered item of the issue it covers.

mod common;

use std::path::Path;
use std::process::{Command as Process, Stdio};
use std::time::{Duration, Instant};

use common::*;

const PROFILE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<Profile xmlns="http://soap.sforce.com/2006/04/metadata">
    <custom>true</custom>
    <userLicense>Salesforce Integration</userLicense>
    <userPermissions>
        <enabled>true</enabled>
        <name>ApiEnabled</name>
    </userPermissions>
    <userPermissions>
        <enabled>true</enabled>
        <name>ModifyAllData</name>
    </userPermissions>
</Profile>
"#;

const INVENTORY: &str = r#"[[integration]]
name = "partner"
user = "svc.partner@acme.example"
profile = "Partner Integration"
connected-apps = ["Partner_Sync"]
"#;

/// A connected app with two secrets, one over three lines, then a setting
/// APP rules report, below the secrets.
const APP: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>
<ConnectedApp xmlns=\"http://soap.sforce.com/2006/04/metadata\">
    <contactEmail>partner-team@acme.example</contactEmail>
    <label>Partner Sync</label>
    <oauthConfig>
        <callbackUrl>https://login.salesforce.com/services/oauth2/success</callbackUrl>
        <consumerKey>3MVG9PUBLICKEY</consumerKey>
        <consumerSecret>SECRETONE1
SECRETONE2
SECRETONE3</consumerSecret>
        <consumerSecret>SECRETTWO</consumerSecret>
        <isAdminApproved>false</isAdminApproved>
        <isClientCredentialEnabled>true</isClientCredentialEnabled>
        <oauthClientCredentialUser>svc.partner@acme.example</oauthClientCredentialUser>
        <scopes>Full</scopes>
    </oauthConfig>
    <oauthPolicy>
        <ipRelaxation>BYPASS</ipRelaxation>
        <refreshTokenPolicy>infinite</refreshTokenPolicy>
    </oauthPolicy>
</ConnectedApp>
";

const ECA: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<ExternalClientApplication xmlns="http://soap.sforce.com/2006/04/metadata">
    <contactEmail>p@acme.example</contactEmail>
    <distributionState>Local</distributionState>
    <isProtected>false</isProtected>
    <label>Portal</label>
</ExternalClientApplication>
"#;

fn eca_global(secret: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<ExtlClntAppGlobalOauthSettings xmlns="http://soap.sforce.com/2006/04/metadata">
    <consumerKey>3MVG9ECAKEY</consumerKey>
    <consumerSecret>{secret}</consumerSecret>
    <externalClientApplication>Portal</externalClientApplication>
    <label>Portal</label>
</ExtlClntAppGlobalOauthSettings>
"#
    )
}

const CREDENTIAL: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<NamedCredential xmlns="http://soap.sforce.com/2006/04/metadata">
    <endpoint>https://erp.acme.example</endpoint>
    <label>Legacy ERP</label>
    <password>SECRETPASSWORD</password>
    <oauthToken>SECRETTOKEN</oauthToken>
    <oauthRefreshToken>SECRETREFRESH</oauthRefreshToken>
    <principalType>NamedUser</principalType>
    <protocol>Password</protocol>
    <username>erp</username>
</NamedCredential>
"#;

const SECRETS: [&str; 9] = [
    "SECRETONE1",
    "SECRETONE2",
    "SECRETONE3",
    "SECRETTWO",
    "SECRETECA1",
    "SECRETECA2",
    "SECRETPASSWORD",
    "SECRETTOKEN",
    "SECRETREFRESH",
];

const D: &str = "force-app/main/default";

fn secrets_project() -> tempfile::TempDir {
    let eca1 = eca_global("SECRETECA1");
    let eca2 = eca_global("SECRETECA2");
    project(&[
        (
            &format!("{D}/profiles/Partner Integration.profile-meta.xml"),
            PROFILE,
        ),
        (
            &format!("{D}/connectedApps/Partner_Sync.connectedApp-meta.xml"),
            APP,
        ),
        (&format!("{D}/externalClientApps/Portal.eca-meta.xml"), ECA),
        (
            &format!("{D}/extlClntAppGlobalOauthSets/Portal_a.ecaGlblOauth-meta.xml"),
            &eca1,
        ),
        (
            &format!("{D}/extlClntAppGlobalOauthSets/Portal_b.ecaGlblOauth-meta.xml"),
            &eca2,
        ),
        (
            &format!("{D}/namedCredentials/Legacy_ERP.namedCredential-meta.xml"),
            CREDENTIAL,
        ),
        (
            // Does not parse: the error's excerpt is next to the secret.
            &format!("{D}/namedCredentials/Broken.namedCredential-meta.xml"),
            "<NamedCredential>\n<password>SECRETBROKEN</passwor>\n",
        ),
        (
            // Not even XML that ends.
            &format!("{D}/namedCredentials/Raw.namedCredential-meta.xml"),
            "<NamedCredential><oauthToken>SECRETRAW",
        ),
        ("minpriv.toml", INVENTORY),
        (
            "sfdx-project.json",
            r#"{"packageDirectories":[{"path":"force-app"}]}"#,
        ),
    ])
}

fn assert_no_secret(what: &str, text: &str) {
    for secret in SECRETS.iter().chain(&["SECRETBROKEN", "SECRETRAW"]) {
        assert!(!text.contains(secret), "{what} prints {secret}:\n{text}");
    }
}

fn run_in(dir: &Path, args: &[&str]) -> std::process::Output {
    minpriv().current_dir(dir).args(args).output().unwrap()
}

/// Issue 12 item 1: every secret, whatever rules run or are hidden, in
/// every format, with positions unmoved.
#[test]
fn item1_no_secret_in_any_output() {
    let dir = secrets_project();
    let p = dir.path();
    let mut outputs = vec![];
    for hide in [
        &[][..],
        &["--ignore", "APP004"][..],
        &["--select", "APP"][..],
    ] {
        for format in ["text", "json", "sarif", "github", "gitlab", "junit"] {
            let mut args = vec!["check", "--format", format, "--color", "never"];
            args.extend_from_slice(hide);
            let out = run_in(p, &args);
            assert_eq!(out.status.code(), Some(2), "{format}: {}", stderr(&out));
            assert!(
                stdout(&out).contains("Partner_Sync"),
                "{format}: {}",
                stdout(&out)
            );
            outputs.push((format!("check {format} {hide:?}"), out));
        }
    }
    for format in ["html", "markdown"] {
        outputs.push((
            format!("report {format}"),
            run_in(p, &["report", "--format", format]),
        ));
    }
    outputs.push(("access".into(), run_in(p, &["access", "partner"])));
    outputs.push((
        "init".into(),
        run_in(p, &["init", "--output", "draft.toml"]),
    ));
    let base = run_in(p, &["check", "--write-baseline", "base.json"]);
    outputs.push(("baseline".into(), base));
    let old = tempfile::tempdir().unwrap();
    outputs.push((
        "diff".into(),
        run_in(
            p,
            &[
                "diff",
                old.path().to_str().unwrap(),
                ".",
                "--format",
                "markdown",
            ],
        ),
    ));
    for (what, out) in &outputs {
        assert_no_secret(what, &stdout(out));
        assert_no_secret(what, &stderr(out));
    }
    for file in ["base.json", "draft.toml"] {
        if let Ok(text) = std::fs::read_to_string(p.join(file)) {
            assert_no_secret(file, &text);
        }
    }

    // Positions stay: the finding on <refreshTokenPolicy> below the
    // three-line secret is on its line in every format that shows it.
    let line = APP
        .lines()
        .position(|l| l.contains("<ipRelaxation>"))
        .unwrap()
        + 1;
    let (_, doc) = check_json_in(p, &["--ignore", "APP004"]);
    let on_policy: Vec<u64> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| {
            f["file"]
                .as_str()
                .unwrap()
                .ends_with("Partner_Sync.connectedApp-meta.xml")
        })
        .filter(|f| f["message"].as_str().unwrap().contains("bypasses"))
        .map(|f| f["line"].as_u64().unwrap())
        .collect();
    assert_eq!(on_policy, [line as u64], "{doc:#}");
    let (_, with_secret) = check_json_in(p, &[]);
    let (_, masked) = check_json_in(p, &["--select", "APP004"]);
    let lines = |doc: &serde_json::Value| finding_lines(doc);
    // APP004 present or not, the other findings' lines are the same.
    let others: Vec<String> = lines(&with_secret)
        .into_iter()
        .filter(|l| !l.starts_with("APP004"))
        .collect();
    assert_eq!(others, lines(&doc));
    assert!(lines(&masked).iter().all(|l| l.starts_with("APP004")));
    // Every secret element of the app is found by APP004 and masked.
    assert!(
        lines(&masked)
            .iter()
            .any(|l| l.contains("Legacy_ERP.namedCredential-meta.xml"))
    );
}

fn outside_secret() -> tempfile::TempDir {
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(
        outside.path().join("secret.txt"),
        "TOPSECRET = [ not toml\n{\"TOPSECRET\": \n<TOPSECRET\n",
    )
    .unwrap();
    std::fs::create_dir(outside.path().join("snap")).unwrap();
    std::fs::write(
        outside.path().join("snap/users.csv"),
        "Username,IsActive\nTOPSECRET,maybe\n",
    )
    .unwrap();
    outside
}

#[cfg(unix)]
fn link(target: &Path, at: &Path) {
    std::fs::create_dir_all(at.parent().unwrap()).unwrap();
    std::os::unix::fs::symlink(target, at).unwrap();
}

fn assert_refused(what: &str, out: &std::process::Output, needle: &str) {
    assert_eq!(out.status.code(), Some(2), "{what}: {}", stderr(out));
    let all = stdout(out) + &stderr(out);
    assert!(
        !all.contains("TOPSECRET"),
        "{what} shows outside content:\n{all}"
    );
    assert!(all.contains(needle), "{what}: no `{needle}` in:\n{all}");
}

/// Issue 12 item 2: nothing outside the project is read, in any command.
#[cfg(unix)]
#[test]
fn item2_nothing_outside_the_project_is_read() {
    let outside = outside_secret();
    let secret = outside.path().join("secret.txt");
    let profile = (
        "force-app/profiles/Partner Integration.profile-meta.xml",
        PROFILE,
    );
    type Case<'a> = (&'a str, Box<dyn Fn(&Path) + 'a>, &'a str);
    let cases: Vec<Case> = vec![
        (
            "minpriv.toml link",
            Box::new(|p: &Path| link(&secret, &p.join("minpriv.toml"))),
            "outside the project",
        ),
        (
            "sfdx-project.json link",
            Box::new(|p: &Path| link(&secret, &p.join("sfdx-project.json"))),
            "outside the project",
        ),
        (
            ".forceignore link",
            Box::new(|p: &Path| link(&secret, &p.join(".forceignore"))),
            "outside the project",
        ),
        (
            "org-data ../",
            Box::new(|p: &Path| {
                let rel = pathdiff(outside.path().join("snap"), p);
                std::fs::write(p.join("minpriv.toml"), format!("org-data = \"{rel}\"\n")).unwrap();
            }),
            "outside the project",
        ),
        (
            "org-data absolute",
            Box::new(|p: &Path| {
                let abs = outside.path().join("snap");
                std::fs::write(
                    p.join("minpriv.toml"),
                    format!("org-data = \"{}\"\n", abs.display()),
                )
                .unwrap();
            }),
            "outside the project",
        ),
        (
            "link inside org-data",
            Box::new(|p: &Path| {
                std::fs::write(p.join("minpriv.toml"), "org-data = \"snap\"\n").unwrap();
                link(
                    &outside.path().join("snap/users.csv"),
                    &p.join("snap/users.csv"),
                );
            }),
            "symbolic link",
        ),
        (
            "packageDirectories ../",
            Box::new(|p: &Path| {
                let rel = pathdiff(outside.path().to_path_buf(), p);
                std::fs::write(
                    p.join("sfdx-project.json"),
                    format!("{{\"packageDirectories\":[{{\"path\":\"{rel}\"}}]}}"),
                )
                .unwrap();
            }),
            "outside the project",
        ),
    ];
    for (what, make, needle) in &cases {
        let dir = project(&[profile]);
        make(dir.path());
        for command in [
            &["check"][..],
            &["report", "--format", "markdown"],
            &["access", "partner"],
            &["init", "--output", "draft.toml"],
        ] {
            let out = run_in(dir.path(), command);
            if command[0] == "init" && (what.contains("minpriv.toml") || what.contains("org-data"))
            {
                // init reads no inventory: nothing is followed at all.
                let all = stdout(&out) + &stderr(&out);
                assert!(!all.contains("TOPSECRET"), "{what}, init:\n{all}");
                continue;
            }
            assert_refused(&format!("{what}, {command:?}"), &out, needle);
        }
        let empty = tempfile::tempdir().unwrap();
        let out = run_in(dir.path(), &["diff", empty.path().to_str().unwrap(), "."]);
        if what.contains("sfdx-project") || what.contains("packageDirectories") {
            // Trees named: no package directory is looked up at all.
            let all = stdout(&out) + &stderr(&out);
            assert!(!all.contains("TOPSECRET"), "{what}, diff:\n{all}");
        } else {
            assert_refused(&format!("{what}, diff"), &out, needle);
        }
    }
}

/// `to` as a path relative to `from`, through `..`.
fn pathdiff(to: std::path::PathBuf, from: &Path) -> String {
    let to = to.canonicalize().unwrap();
    let from = from.canonicalize().unwrap();
    let common = to
        .components()
        .zip(from.components())
        .take_while(|(a, b)| a == b)
        .count();
    let ups = from.components().count() - common;
    let mut out: Vec<String> = vec!["..".into(); ups];
    out.extend(
        to.components()
            .skip(common)
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    out.join("/")
}

fn git(repo: &Path, args: &[&str]) -> String {
    let out = Process::new("git")
        .current_dir(repo)
        .args([
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@t",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .output()
        .expect("git runs");
    assert!(out.status.success(), "git {args:?}: {}", stderr(&out));
    stdout(&out)
}

const READ_ONLY_SET: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<PermissionSet xmlns="http://soap.sforce.com/2006/04/metadata">
    <label>Partner Access</label>
    <userPermissions>
        <enabled>true</enabled>
        <name>ApiEnabled</name>
    </userPermissions>
</PermissionSet>
"#;

const POWERFUL_SET: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<PermissionSet xmlns="http://soap.sforce.com/2006/04/metadata">
    <label>Elsewhere</label>
    <userPermissions>
        <enabled>true</enabled>
        <name>ModifyAllData</name>
    </userPermissions>
</PermissionSet>
"#;

const LEAN_PROFILE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<Profile xmlns="http://soap.sforce.com/2006/04/metadata">
    <custom>true</custom>
    <userLicense>Salesforce Integration</userLicense>
    <userPermissions>
        <enabled>true</enabled>
        <name>ApiEnabled</name>
    </userPermissions>
</Profile>
"#;

fn set_inventory(sets: &str) -> String {
    format!(
        "[[integration]]\nname = \"partner\"\nuser = \"svc.partner@acme.example\"\nprofile = \"Lean\"\npermission-sets = [{sets}]\n"
    )
}

/// Issue 12 item 4: `diff --git` reads a link to a file of the tree as
/// `check` does, refuses one leading out, and `--fail-on-escalation` fails
/// when an integration is dropped while its access stays.
#[cfg(unix)]
#[test]
fn item4_the_privilege_delta_gate_cannot_be_bypassed() {
    let repo = project(&[
        ("force-app/profiles/Lean.profile-meta.xml", LEAN_PROFILE),
        (
            "force-app/permissionsets/Partner_Access.permissionset-meta.xml",
            READ_ONLY_SET,
        ),
        ("docs/Elsewhere.xml", POWERFUL_SET),
        ("minpriv.toml", &set_inventory("\"Partner_Access\"")),
    ]);
    let dir = repo.path();
    std::fs::remove_dir(dir.join(".git")).unwrap();
    git(dir, &["init", "-q"]);
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", "old"]);
    let set = dir.join("force-app/permissionsets/Partner_Access.permissionset-meta.xml");
    std::fs::remove_file(&set).unwrap();
    link(Path::new("../../docs/Elsewhere.xml"), &set);
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", "link"]);

    // check reads the link: ModifyAllData.
    let (_, doc) = check_json_in(dir, &[]);
    assert!(
        doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["message"].as_str().unwrap().contains("ModifyAllData")),
        "{doc:#}"
    );
    let gate = |dir: &Path| {
        minpriv()
            .current_dir(dir)
            .args([
                "diff",
                "--git",
                "HEAD~1",
                "HEAD",
                "--format",
                "json",
                "--fail-on-escalation",
            ])
            .output()
            .unwrap()
    };
    let out = gate(dir);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    assert!(stdout(&out).contains("ModifyAllData"), "{}", stdout(&out));

    // A link out of the revision's tree: refused, nothing read.
    let outside = outside_secret();
    std::fs::remove_file(&set).unwrap();
    link(&outside.path().join("secret.txt"), &set);
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", "out"]);
    let out = gate(dir);
    assert_refused("diff --git, link out", &out, "outside the revision");

    // Dropping the integration while its permission set stays.
    std::fs::remove_file(&set).unwrap();
    std::fs::write(&set, POWERFUL_SET).unwrap();
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", "powerful"]);
    std::fs::write(dir.join("minpriv.toml"), "").unwrap();
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", "hide"]);
    let out = gate(dir);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    // Dropped with its access gone too: no escalation.
    std::fs::remove_file(&set).unwrap();
    std::fs::remove_file(dir.join("force-app/profiles/Lean.profile-meta.xml")).unwrap();
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", "gone"]);
    git(dir, &["reset", "-q", "--soft", "HEAD~1"]);
    std::fs::write(
        dir.join("minpriv.toml"),
        set_inventory("\"Partner_Access\""),
    )
    .unwrap();
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", "restore inventory"]);
    std::fs::write(dir.join("minpriv.toml"), "").unwrap();
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", "all gone"]);
    let out = gate(dir);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
}

/// No line of `text` may start (after blanks) with a workflow command,
/// nor hold a raw terminal control.
fn assert_inert(what: &str, text: &str) {
    for line in text.split(['\n', '\r']) {
        let t = line.trim_start();
        assert!(
            !t.starts_with("::") && !t.starts_with("##["),
            "{what}: a line starts a workflow command: {line:?}"
        );
    }
    for bad in ['\u{1b}', '\u{7}', '\u{202e}', '\u{2066}'] {
        assert!(!text.contains(bad), "{what}: raw {bad:?} in {text:?}");
    }
    assert!(!text.replace("\r\n", "\n").contains('\r'), "{what}: raw CR");
}

/// Issue 12 item 3: every string from input is neutralised on every
/// stream of every command.
#[cfg(unix)]
#[test]
fn item3_no_injection_on_any_stream() {
    let hostile = "x\n::error title=pwned::owned \u{1b}[2J\u{7}\r##[error]\u{202e}";
    let dir = project(&[
        (
            "force-app/profiles/Partner Integration.profile-meta.xml",
            PROFILE,
        ),
        (
            &format!("force-app/profiles/{hostile}.profile-meta.xml"),
            "<Profile><broken",
        ),
        (
            "minpriv.toml",
            "[[integration]]\nname = \"::stop-commands::tok\"\nuser = \"svc@acme.example\"\nprofile = \"Partner Integration\"\nowner = \"# Heading\"\n",
        ),
    ]);
    let p = dir.path();
    let commands: Vec<Vec<&str>> = vec![
        vec!["check", "--color", "never"],
        vec!["check", "--format", "junit"],
        vec!["check", "--format", "sarif"],
        vec!["check", "--format", "gitlab"],
        vec!["check", "--format", "json"],
        vec!["report", "--format", "markdown"],
        vec!["report", "--format", "html"],
        vec!["access", "::stop-commands::tok"],
        vec!["access", "::stop-commands::tok", "--format", "json"],
        vec!["init", "--output", "draft.toml"],
        vec!["diff", ".", "."],
        vec!["diff", ".", ".", "--format", "markdown"],
        vec!["rule", "::error::\u{1b}x"],
    ];
    for args in &commands {
        let out = run_in(p, args);
        let silent = out.stdout.is_empty() && out.stderr.is_empty();
        assert!(!silent, "{args:?} printed nothing");
        assert!(
            !stderr(&out).contains("Usage:"),
            "{args:?}: {}",
            stderr(&out)
        );
        assert_inert(&format!("{args:?} stderr"), &stderr(&out));
        assert_inert(&format!("{args:?} stdout"), &stdout(&out));
    }
    // --format github: every line is a command minpriv means.
    let out = run_in(p, &["check", "--format", "github"]);
    for line in stdout(&out).lines() {
        assert!(
            line.starts_with("::error ")
                || line.starts_with("::warning ")
                || line.starts_with("::notice "),
            "{line:?}"
        );
        assert!(!line.contains("##["), "{line:?}");
    }
    assert_inert("github stderr", &stderr(&out));

    // The audit report's Markdown: no value opens a block or mentions.
    let out = run_in(p, &["report", "--format", "markdown"]);
    assert!(!stdout(&out).lines().any(|l| l.starts_with("# Heading")));
}

/// Issue 12 item 5: no FIFO, device or oversized file is read whole or
/// waited on, in any command.
#[cfg(unix)]
#[test]
fn item5_special_files_never_hang() {
    let dir = project(&[
        (
            "force-app/profiles/Partner Integration.profile-meta.xml",
            PROFILE,
        ),
        ("minpriv.toml", "org-data = \"snap\"\n"),
        ("snap/.keep", ""),
    ]);
    let p = dir.path();
    let fifo = |path: &Path| {
        Process::new("mkfifo")
            .arg(path)
            .status()
            .is_ok_and(|s| s.success())
    };
    if !fifo(&p.join("snap/users.csv"))
        || !fifo(&p.join("force-app/profiles/Pipe.profile-meta.xml"))
        || !fifo(&p.join("baseline.json"))
    {
        eprintln!("skipped: no mkfifo");
        return;
    }
    for args in [
        &["check"][..],
        &["check", "--baseline", "baseline.json"],
        &["report", "--format", "markdown"],
        &["report", "--format", "html"],
        &["access", "anything"],
        &["init", "--output", "draft.toml"],
    ] {
        let (code, took) = timed(p, args);
        assert!(took < Duration::from_secs(30), "{args:?} hangs");
        assert_eq!(code, Some(2), "{args:?}");
    }
    // A file over the limit is refused in report too.
    let small = project(&[(
        "force-app/profiles/Partner Integration.profile-meta.xml",
        PROFILE,
    )]);
    let out = run_in(
        small.path(),
        &["report", "--format", "markdown", "--max-file-size", "100"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("more than the limit"),
        "{}",
        stderr(&out)
    );
}

fn timed(dir: &Path, args: &[&str]) -> (Option<i32>, Duration) {
    let started = Instant::now();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_minpriv"))
        .current_dir(dir)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return (status.code(), started.elapsed());
        }
        if started.elapsed() > Duration::from_secs(30) {
            let _ = child.kill();
            let _ = child.wait();
            return (None, started.elapsed());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Issue 12 item 6: what `sf` deploys is read (hidden, `target`,
/// `node_modules`, folders behind links inside the project); what cannot
/// be read is reported, never skipped.
#[cfg(unix)]
#[test]
fn item6_nothing_skipped_silently() {
    let found = |doc: &serde_json::Value| -> Vec<String> {
        let mut files: Vec<String> = doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["file"].as_str().unwrap().to_owned())
            .collect();
        files.sort();
        files.dedup();
        files
    };
    let p = "Partner Integration.profile-meta.xml";
    for folder in ["target", "node_modules", ".hidden", "a/.b"] {
        let dir = project(&[(&format!("force-app/{folder}/profiles/{p}"), PROFILE)]);
        let (code, doc) = check_json_in(dir.path(), &[]);
        assert_eq!(code, 1, "{folder}: {doc:#}");
        assert_eq!(found(&doc), [format!("force-app/{folder}/profiles/{p}")]);
        // With a .forceignore, sf ignores dot folders, and so does minpriv,
        // but it says so (REF003): the profile is not checked.
        std::fs::write(dir.path().join(".forceignore"), "# none\n").unwrap();
        let (_, doc) = check_json_in(dir.path(), &[]);
        if folder.contains('.') {
            assert_eq!(found(&doc), [".forceignore"], "{folder}: {doc:#}");
            assert_eq!(doc["findings"][0]["rule"], "REF003");
            assert_eq!(
                doc["findings"][0]["message"],
                "the pattern `**/.*` that sf adds to every .forceignore hides 1 profile from minpriv, which cannot check what it cannot read"
            );
        } else {
            assert_eq!(found(&doc).len(), 1);
        }
    }
    // A folder behind a link inside the project is read.
    let dir = project(&[(&format!("real/profiles/{p}"), PROFILE)]);
    link(Path::new("../real"), &dir.path().join("force-app/linked"));
    let (code, doc) = check_json_in(dir.path(), &["force-app"]);
    assert_eq!(code, 1, "{doc:#}");
    assert_eq!(found(&doc), [format!("force-app/linked/profiles/{p}")]);
    // A name that is not UTF-8: reported, exit 2.
    use std::os::unix::ffi::OsStrExt;
    let dir = project(&[]);
    let name = std::ffi::OsStr::from_bytes(b"Bad\xff.profile-meta.xml");
    let folder = dir.path().join("force-app/profiles");
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(folder.join(name), PROFILE).unwrap();
    let (code, doc) = check_json_in(dir.path(), &[]);
    assert_eq!(code, 2, "{doc:#}");
    assert!(
        doc["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("not UTF-8")
    );
}

/// Issue 12 item 7, each of the smaller cases.
#[cfg(unix)]
#[test]
fn item7_smaller_cases() {
    let dir = project(&[(
        "force-app/profiles/Partner Integration.profile-meta.xml",
        PROFILE,
    )]);
    let p = dir.path();

    // A write error on standard output exits 2.
    let full = std::fs::File::options().write(true).open("/dev/full");
    if let Ok(full) = full {
        for args in [&["check"][..], &["rules"], &["access", "x"]] {
            let out = Process::new(env!("CARGO_BIN_EXE_minpriv"))
                .current_dir(p)
                .args(args)
                .stdout(full.try_clone().unwrap())
                .output()
                .unwrap();
            assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        }
    }

    // A closed standard error: no panic.
    let mut child = Process::new(env!("CARGO_BIN_EXE_minpriv"))
        .current_dir(p)
        .args(["check", "--format", "json", "no/such/path"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stderr.take());
    let status = child.wait().unwrap();
    assert_ne!(status.code(), Some(101), "panicked on a closed stderr");

    // --threads is capped.
    let (code, took) = timed(p, &["check", "--threads", "100000"]);
    assert_eq!(code, Some(1));
    assert!(took < Duration::from_secs(20), "{took:?}");

    // Revision names are neutralised.
    let out = run_in(p, &["diff", "--git", "\u{1b}[31mx\n::error::y", "HEAD"]);
    assert_eq!(out.status.code(), Some(2));
    assert_inert("revision", &stderr(&out));

    // CR-only line ends: the error is on its line.
    let cr = "<?xml version=\"1.0\"?>\r<Profile>\r<custom>true</custom>\r<oops>\r</Profile>\r";
    let dir = project(&[("force-app/profiles/Cr.profile-meta.xml", cr)]);
    let (code, doc) = check_json_in(dir.path(), &[]);
    assert_eq!(code, 2);
    assert_eq!(doc["errors"][0]["line"], 5, "{doc:#}");

    // NUL in a tag name.
    let nul = "<?xml version=\"1.0\"?>\n<Profile>\n<cus\0tom>true</cus\0tom>\n</Profile>\n";
    let dir = project(&[("force-app/profiles/Nul.profile-meta.xml", nul)]);
    let (code, doc) = check_json_in(dir.path(), &[]);
    assert_eq!(code, 2, "{doc:#}");
    assert_eq!(doc["errors"][0]["line"], 3, "{doc:#}");

    // Every IPv4 address, written as IPv4-mapped IPv6: an error.
    let ranges = PROFILE.replace(
        "</Profile>",
        "    <loginIpRanges>\n        <endAddress>::ffff:255.255.255.255</endAddress>\n        <startAddress>::ffff:0.0.0.0</startAddress>\n    </loginIpRanges>\n</Profile>",
    );
    let dir = project(&[(
        "force-app/profiles/Partner Integration.profile-meta.xml",
        &ranges,
    )]);
    let (_, doc) = check_json_in(dir.path(), &["--select", "NET002"]);
    let net = &doc["findings"][0];
    assert_eq!(net["rule"], "NET002", "{doc:#}");
    assert_eq!(net["severity"], "error", "{doc:#}");

    // A huge snapshot value is cut in the message.
    let big = "y".repeat(1_000_000);
    let users = format!(
        "Username,IsActive,UserType,LastLoginDate,Profile.Name,Profile.UserLicense.Name\nsvc@acme.example,{big},Standard,,P,L\n"
    );
    let dir = project(&[
        (
            "force-app/profiles/Partner Integration.profile-meta.xml",
            PROFILE,
        ),
        ("snap/users.csv", &users),
    ]);
    let out = run_in(
        dir.path(),
        &["check", "--org-data", "snap", "--format", "json"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.len() < 20_000, "{} bytes", out.stdout.len());
}
