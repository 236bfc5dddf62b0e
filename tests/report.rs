//! `minpriv report`, the audit report: the sample org as Markdown (exact
//! output) and as HTML (self-contained, every integration and finding,
//! a SHA-256 for every input), determinism, and hostile metadata, which
//! must come out escaped in both formats; the provenance (git, clock,
//! user, CI), the verdict cards, the SBS controls and the JSON, which must
//! agree with `check` on every fixture org. The last test renders the HTML
//! in headless Chromium and prints it to PDF; it is ignored by default and
//! `.ci/run` runs it where Debian's `chromium` (and poppler-utils) are
//! installed.
//!
//! The report's clock is `SOURCE_DATE_EPOCH` here, and everything that
//! names the machine, the binary or the repository state is redacted with
//! `MINPRIV_REPORT_REDACT=1`, except in the provenance tests, which check
//! those facts against a repository of their own.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command as Process;

use common::*;
use serde_json::Value;
use sha2::{Digest, Sha256};

/// The XSS probe and the characters that break Markdown tables.
const HOSTILE: &str = r#"<script>alert(1)</script> "quotes" & | pipes | and *stars*"#;
/// A probe that leaves a trace in the DOM when it runs.
const ACTIVE: &str = r#"<script>document.body.appendChild(document.createElement('pwned'))</script><img src=x onerror="document.body.appendChild(document.createElement('pwned'))">"#;

/// The CI variables provenance reads: removed, so that the tests see the
/// same report on a laptop and in CI.
const CI_VARS: [&str; 8] = [
    "GITHUB_ACTIONS",
    "GITLAB_CI",
    "JENKINS_URL",
    "TF_BUILD",
    "CIRCLECI",
    "BITBUCKET_BUILD_NUMBER",
    "USER",
    "HOSTNAME",
];

/// The report's clock in the tests: 2026-11-27 09:30:00 UTC.
const EPOCH: &str = "1795771800";

/// `minpriv report` "on" [`TODAY`] at [`EPOCH`], outside any CI.
fn report_command(dir: &Path) -> assert_cmd::Command {
    let mut cmd = minpriv();
    cmd.current_dir(dir)
        .env("MINPRIV_NOW", TODAY)
        .env("SOURCE_DATE_EPOCH", EPOCH)
        .env_remove("MINPRIV_REPORT_REDACT");
    for var in CI_VARS {
        cmd.env_remove(var);
    }
    cmd.arg("report");
    cmd
}

/// Runs `minpriv report ARGS` in `dir` "on" [`TODAY`] at [`EPOCH`], with
/// the provenance that names the machine, the binary and the repository
/// state redacted (`MINPRIV_REPORT_REDACT`): exit code, stdout, stderr.
fn report_in(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = report_command(dir)
        .env("MINPRIV_REPORT_REDACT", "1")
        .args(args)
        .output()
        .expect("minpriv runs");
    (out.status.code().unwrap_or(-1), stdout(&out), stderr(&out))
}

fn report(args: &[&str]) -> String {
    let (code, out, err) = report_in(Path::new(env!("CARGO_MANIFEST_DIR")), args);
    assert_eq!(code, 0, "{err}");
    out
}

fn acme_html() -> String {
    report(&["testdata/acme", "--format", "html"])
}

/// What the HTML shows for a text.
fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The sample org's integrations: the inventory's and the discovered app.
fn acme_integrations() -> Vec<String> {
    let toml = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/acme/minpriv.toml"),
    )
    .unwrap();
    let mut names: Vec<String> = toml
        .lines()
        .filter_map(|l| l.strip_prefix("name = \""))
        .map(|l| l.trim_end_matches('"').to_owned())
        .collect();
    names.push("Tableau_Export".into());
    assert_eq!(names.len(), 7);
    names
}

fn acme_findings() -> Vec<Value> {
    let (_, doc) = check_json(&["testdata/acme", "--now", TODAY]);
    doc["findings"].as_array().unwrap().clone()
}

/// What the sample org's run does not evaluate: the rules that need an org
/// snapshot or usage logs.
const ACME_NOT_EVALUATED: &[&str] = &[
    "LIC001", "ORG001", "ORG002", "ORG003", "USE001", "USE002", "USE003",
];

/// `out` with the counts of rules of the sample org's report (in the
/// catalogue, run, and run about integrations) as placeholders, so that the
/// snapshots do not type them. Each count is computed from the registry, so
/// a wrong one stays in the text and fails the snapshot.
fn rule_counts_as_placeholders(out: String) -> String {
    let catalogue = rule_codes().len();
    let run = rules_besides(|c| ACME_NOT_EVALUATED.contains(&c));
    // The exception rules judge the inventory, not an integration.
    let about_integrations =
        rules_besides(|c| ACME_NOT_EVALUATED.contains(&c) || c.starts_with("EXC"));
    [
        (
            format!("all {catalogue} rules of the catalogue"),
            "all [catalogue] rules of the catalogue",
        ),
        (
            format!("| Rules run | {run} of {catalogue} |"),
            "| Rules run | [run] of [catalogue] |",
        ),
        (format!("\"rules_run\": {run},"), "\"rules_run\": [run],"),
        (
            format!("\"rules_in_catalogue\": {catalogue},"),
            "\"rules_in_catalogue\": [catalogue],",
        ),
        (
            format!("no finding from the {about_integrations} rules about integrations"),
            "no finding from the [run about integrations] rules about integrations",
        ),
    ]
    .iter()
    .fold(out, |out, (count, placeholder)| {
        out.replace(count.as_str(), placeholder)
    })
}

#[test]
fn markdown_of_the_sample_org() {
    let out = report(&["testdata/acme", "--format", "markdown"]);
    let out = rule_counts_as_placeholders(out);
    insta::assert_snapshot!("acme_markdown", out);
}

#[test]
fn html_is_one_self_contained_file() {
    let html = acme_html();
    assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"));
    assert!(html.trim_end().ends_with("</html>"));
    for fetch in [
        "src=\"http",
        "src='http",
        "<link",
        "url(",
        "@import",
        "@font-face",
        "<iframe",
        "<img",
    ] {
        assert!(
            !html.contains(fetch),
            "the report must fetch nothing: {fetch}"
        );
    }
    // One script, minpriv's own, and a policy that allows only it and the
    // inline stylesheet, by hash, and no fetch of any kind.
    assert_eq!(html.matches("<script").count(), 1);
    // The stylesheet, and the page margins of print (they carry the
    // report's digest).
    assert_eq!(html.matches("<style").count(), 2);
    assert!(html.contains(
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'sha256-"
    ));
    // SVG, inline, with nothing to fetch: no href, no xlink, no use.
    for svg in ["<use", "href=\"http", "xlink:", "<foreignObject", "<image"] {
        assert!(!html.contains(svg), "{svg}");
    }
    assert!(html.contains("@media print"));
}

#[test]
fn html_holds_every_section_integration_and_finding() {
    let html = acme_html();
    for id in [
        "summary",
        "inventory",
        "access",
        "high-risk",
        "findings",
        "exceptions",
        "checks",
        "not-evaluated",
        "inputs",
    ] {
        assert!(html.contains(&format!("<section id=\"{id}\">")), "{id}");
    }
    for name in acme_integrations() {
        assert!(
            html.contains(&format!("<span class=\"name\">{name}</span>")),
            "{name} in the inventory"
        );
        assert!(
            html.contains(&format!("<th>{name}</th>")),
            "{name} in the matrices"
        );
    }
    assert!(html.contains("<span class=\"tag\" title=\"the client-credentials run-as user of connected app Tableau_Export, which no inventory entry lists\">discovered</span>"));
    let findings = acme_findings();
    assert_eq!(findings.len(), 35);
    for f in &findings {
        let message = html_escape(f["message"].as_str().unwrap());
        let location = format!("{}:{}", f["file"].as_str().unwrap(), f["line"]);
        let row = format!(
            "<span class=\"code\">{}</span><br><span class=\"rule-name\">{}</span></td>\n<td>{message}<div class=\"help\">",
            f["rule"].as_str().unwrap(),
            f["name"].as_str().unwrap()
        );
        assert!(html.contains(&row), "{row}");
        assert!(
            html.contains(&format!("<td class=\"location\">{location}</td>")),
            "{location}"
        );
    }
    assert!(html.contains("<h3 class=\"error\">Errors (19)</h3>"));
    assert!(html.contains("<h3 class=\"warning\">Warnings (15)</h3>"));
    assert!(html.contains("<h3 class=\"info\">Info (1)</h3>"));
}

#[test]
fn html_shows_provenance_on_hover_and_in_notes() {
    let html = acme_html();
    // orders-sync on Order: read through one set, create/read/edit through
    // the other, both in the group; the group's muting set removes delete.
    let title = "R via permission set Orders_Integration_Read (testdata/acme/force-app/main/default/permissionsets/Orders_Integration_Read.permissionset-meta.xml:23) in group Orders_Integration\nC R E via permission set Orders_Integration_Write (testdata/acme/force-app/main/default/permissionsets/Orders_Integration_Write.permissionset-meta.xml:23) in group Orders_Integration";
    assert!(html.contains(&format!(
        "<td class=\"granted\" title=\"{title}\"><span class=\"flags\">C R E</span><sup><a href=\"#note-13\">13</a></sup></td>"
    )));
    assert!(html.contains("<li id=\"note-13\" value=\"13\"><b>orders-sync</b> · Order<ul>"));
    // View All Data and Modify All Data reach every object.
    assert!(html.contains(
        "<tr class=\"every\"><th scope=\"row\">every object (View All Data, Modify All Data)</th>"
    ));
}

/// The rows of the HTML report's input table, each checked against the
/// file it names: `(path, kind)`. Asserts the digest of the whole listing.
fn digested_inputs(html: &str) -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut listing = String::new();
    let mut rows = vec![];
    for row in html.split("<tr><td class=\"location\">").skip(1) {
        let Some((path, rest)) = row.split_once("</td><td>") else {
            continue;
        };
        let Some((kind, rest)) = rest.split_once("</td><td><code class=\"digest\">") else {
            continue;
        };
        let digest = &rest[..64];
        let path = path.replace("&#39;", "'");
        let bytes = std::fs::read(root.join(&path)).unwrap();
        assert_eq!(digest, sha256_hex(&bytes), "{path}");
        listing.push_str(&format!("{digest}  {path}\n"));
        rows.push((path, kind.to_owned()));
    }
    let all = sha256_hex(listing.as_bytes());
    assert!(html.contains(&format!(
        "<tr><th scope=\"row\">SHA-256 of the inputs</th><td><code class=\"digest\">{all}</code></td></tr>"
    )));
    rows
}

#[test]
fn html_lists_a_sha256_for_every_input() {
    let html = acme_html();
    let rows = digested_inputs(&html);
    for (path, kind) in &rows {
        let expected = if path.ends_with("minpriv.toml") {
            "inventory"
        } else {
            "metadata"
        };
        assert_eq!(kind, expected, "{path}");
    }
    assert_eq!(rows.len(), 26, "25 metadata files and minpriv.toml");
    assert!(html.contains("minpriv 0.1.0 · 2026-11-27 · 7 integrations · 25 metadata files"));
}

#[test]
fn the_org_snapshot_files_are_digested_too() {
    let html = report(&[
        "testdata/acme",
        "--org-data",
        "testdata/acme/org-snapshot",
        "--format",
        "html",
    ]);
    let snapshot: Vec<(String, String)> = digested_inputs(&html)
        .into_iter()
        .filter(|(path, _)| path.contains("/org-snapshot/"))
        .collect();
    let expected: Vec<(String, String)> = [
        "permission-set-assignments.json",
        "permission-set-licenses.json",
        "users.json",
    ]
    .iter()
    .map(|f| {
        (
            format!("testdata/acme/org-snapshot/{f}"),
            "org snapshot".to_owned(),
        )
    })
    .collect();
    assert_eq!(snapshot, expected);
}

#[test]
fn the_same_inputs_give_the_same_report() {
    for format in ["html", "markdown"] {
        let one = report(&["testdata/acme", "--format", format, "--threads", "1"]);
        let four = report(&["testdata/acme", "--format", format, "--threads", "4"]);
        assert!(one == four, "{format} differs with the thread count");
    }
}

#[test]
fn the_date_decides_which_exceptions_hold() {
    let later = report(&[
        "testdata/acme",
        "--format",
        "markdown",
        "--now",
        "2027-07-01",
    ]);
    assert!(later.contains("minpriv 0.1.0 · 2027-07-01 ·"));
    assert!(
        later.contains("| 3 | PRF001 object-permissions-in-profile | integration legacy-erp |")
    );
    assert!(later.contains("| 2027-06-30 | 0 | **expired**: expired on 2027-06-30"));
    assert!(later.contains(
        "| PRF001 object-permissions-in-profile | passed | passed | **1 finding** | **1 finding** |"
    ));
}

#[test]
fn select_and_ignore_show_as_not_evaluated() {
    let out = report(&["testdata/acme", "--format", "markdown", "--ignore", "NET"]);
    let why = "not selected (--select, --ignore, or \\[lint\\] in minpriv.toml)";
    assert!(out.contains(&format!("| NET001 missing-login-ip-ranges | {why} |")));
    assert_eq!(out.matches(why).count(), 5);
    assert!(out.contains(&format!(
        "| Rules run | {} of {} |",
        rules_besides(|c| c.starts_with("NET") || ACME_NOT_EVALUATED.contains(&c)),
        rule_codes().len()
    )));
    assert!(!out.contains("| NET001 missing-login-ip-ranges | passed"));
}

#[test]
fn output_file_is_written_and_inputs_that_fail_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/acme"),
        dir.path(),
    );
    let (code, out, err) = report_in(dir.path(), &["--format", "markdown", "-o", "audit.md"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, "");
    assert!(err.starts_with("Wrote the audit report to audit.md (7 integrations, 25 files)"));
    let written = std::fs::read_to_string(dir.path().join("audit.md")).unwrap();
    assert!(written.starts_with("# Integration user audit\n"));

    let broken = dir
        .path()
        .join("force-app/main/default/profiles/Broken.profile-meta.xml");
    std::fs::write(
        &broken,
        "<?xml version=\"1.0\"?>\n<Profile>\n  <custom>true</cust",
    )
    .unwrap();
    let (code, out, err) = report_in(dir.path(), &["--format", "markdown"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("Broken.profile-meta.xml"), "{err}");
    assert!(out.contains("| Inputs that could not be checked | 1 |"));
    assert!(out.contains("### Inputs that could not be checked (1)"));
}

/// The sample org with hostile strings in a permission set's `<label>`,
/// a login IP range's `<description>` and a permission set's name.
fn hostile_org() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/acme"),
        dir.path(),
    );
    let xml = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
    };
    let edit = |rel: &str, from: &str, to: &str| {
        let path = dir.path().join(rel);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains(from), "{rel} holds {from}");
        std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
    };
    edit(
        "force-app/main/default/permissionsets/Data_Warehouse_Read.permissionset-meta.xml",
        "<label>Data Warehouse Read</label>",
        &format!("<label>{}</label>", xml(HOSTILE)),
    );
    edit(
        "force-app/main/default/profiles/Data Warehouse Integration.profile-meta.xml",
        "<description>Data warehouse ETL subnet</description>",
        &format!("<description>{}</description>", xml(ACTIVE)),
    );
    // A permission set named by the probe: file names are URL-encoded.
    let encoded: String = HOSTILE
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    let sets = dir.path().join("force-app/main/default/permissionsets");
    std::fs::rename(
        sets.join("DocuSign_Read.permissionset-meta.xml"),
        sets.join(format!("{encoded}.permissionset-meta.xml")),
    )
    .unwrap();
    edit(
        "minpriv.toml",
        r#"permission-sets = ["DocuSign_Envelopes", "DocuSign_Read"]"#,
        &format!(r#"permission-sets = ["DocuSign_Envelopes", '{HOSTILE}']"#),
    );
    dir
}

#[test]
fn hostile_metadata_is_escaped_in_html() {
    let dir = hostile_org();
    let (code, html, err) = report_in(dir.path(), &["--format", "html"]);
    assert_eq!(code, 0, "{err}");
    assert!(!html.contains("<script>alert(1)"), "raw script tag");
    assert!(!html.contains("<script>document"), "raw script tag");
    assert!(!html.contains("<img"), "raw img tag");
    assert_eq!(
        html.matches("<script").count(),
        1,
        "only minpriv's own script"
    );
    let hostile = html_escape(HOSTILE);
    assert_eq!(
        hostile,
        "&lt;script&gt;alert(1)&lt;/script&gt; &quot;quotes&quot; &amp; | pipes | and *stars*"
    );
    // The label, in the inventory.
    assert!(html.contains(&format!("<li>Data_Warehouse_Read ({hostile})</li>")));
    // The description, in the inventory.
    assert!(html.contains(&format!(
        "<li>198.51.100.0/24 ({})</li>",
        html_escape(ACTIVE)
    )));
    // The name: inventory, provenance (text and hover title), findings.
    assert!(html.contains(&format!("<li>{hostile} (DocuSign Read)</li>")));
    assert!(html.contains(&format!("title=\"R via permission set {hostile} (")));
    assert!(html.contains(&format!("via permission set {hostile} (<code>")));
    assert!(html.contains(&format!("(DocuSign_Envelopes, {hostile})")));
}

#[test]
fn hostile_metadata_is_escaped_in_markdown() {
    let dir = hostile_org();
    let (code, md, err) = report_in(dir.path(), &["--format", "markdown"]);
    assert_eq!(code, 0, "{err}");
    // minpriv writes no `<` or `>` of its own into Markdown: each one is
    // from metadata, and escaped.
    for (i, c) in md.char_indices() {
        if c == '<' || c == '>' {
            assert!(md[..i].ends_with('\\'), "unescaped {c} at {i}");
        }
    }
    let hostile = r#"\<script\>alert(1)\</script\> "quotes" \& \| pipes \| and \*stars\*"#;
    assert!(
        md.contains(&format!("Data\\_Warehouse\\_Read ({hostile})")),
        "label"
    );
    assert!(
        md.contains(&format!(
            "| DocuSign\\_Envelopes; {hostile} (DocuSign Read) |"
        )),
        "name"
    );
    assert!(
        md.contains(&format!("R via permission set {hostile} (")),
        "provenance"
    );
    assert!(
        md.contains("198.51.100.0/24 (\\<script\\>document.body.appendChild"),
        "description"
    );
    // No cell spills into the next column: every row of a table has as
    // many unescaped pipes as its header.
    let mut columns = None;
    for line in md.lines() {
        if !line.starts_with('|') {
            columns = None;
            continue;
        }
        let pipes = unescaped_pipes(line);
        match columns {
            None => columns = Some(pipes),
            Some(n) => assert_eq!(pipes, n, "{line}"),
        }
    }
}

fn unescaped_pipes(line: &str) -> usize {
    let mut count = 0;
    let mut escaped = false;
    for c in line.chars() {
        match c {
            '\\' if !escaped => escaped = true,
            '|' if !escaped => count += 1,
            _ => escaped = false,
        }
        if c != '\\' {
            escaped = false;
        }
    }
    count
}

// ---- provenance, verdicts, controls, JSON -----------------------------

fn report_json(args: &[&str]) -> Value {
    let mut all = vec!["--format", "json"];
    all.extend_from_slice(args);
    serde_json::from_str(&report(&all)).expect("the report is JSON")
}

#[test]
fn json_of_the_sample_org() {
    let out = report(&["testdata/acme", "--format", "json"]);
    let out = rule_counts_as_placeholders(out);
    insta::assert_snapshot!("acme_json", out);
}

/// The digest the report carries is the SHA-256 of the canonical JSON of
/// its `report` member, and every format of the same run carries it.
#[test]
fn the_report_digest_is_the_digest_of_its_content() {
    let doc = report_json(&["testdata/acme"]);
    assert_eq!(doc["version"], 1);
    assert_eq!(doc["kind"], "audit-report");
    assert_eq!(doc["tool"]["name"], "minpriv");
    // serde_json's map sorts keys: `to_string` is the canonical form.
    let canonical = doc["report"].to_string();
    let digest = sha256_hex(canonical.as_bytes());
    assert_eq!(doc["digest"], digest.as_str());
    let html = acme_html();
    assert!(
        html.contains(&format!("SHA-256 {digest}")),
        "in the page footer"
    );
    assert!(html.contains(&format!("<code class=\"digest\">{digest}</code>")));
    let md = report(&["testdata/acme", "--format", "markdown"]);
    assert!(md.contains(&format!("SHA-256 of this report: `{digest}`")));
    // Another date: another report, another digest.
    let later = report_json(&["testdata/acme", "--now", "2027-07-01"]);
    assert_ne!(later["digest"], doc["digest"]);
}

/// Every integration's card, the controls and the high-risk section say
/// what `check` says about it, on every fixture org.
#[test]
fn the_report_and_check_agree_on_every_integration() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut orgs: Vec<Vec<String>> = vec![
        vec!["testdata/acme".into()],
        vec![
            "testdata/acme".into(),
            "--org-data".into(),
            "testdata/acme/org-snapshot".into(),
        ],
    ];
    for dir in ["testdata/corpus", "testdata/decomposed"] {
        let mut found: Vec<String> = std::fs::read_dir(root.join(dir))
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.path().is_dir())
            .map(|e| format!("{dir}/{}", e.file_name().to_string_lossy()))
            .collect();
        found.sort();
        orgs.extend(found.into_iter().map(|d| vec![d]));
    }
    assert!(orgs.len() >= 5, "{orgs:?}");
    for args in &orgs {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let mut check_args = args.clone();
        check_args.extend(["--now", TODAY]);
        let (check_code, check) = check_json(&check_args);
        let mut report_args = vec!["--format", "json"];
        report_args.extend_from_slice(&args);
        let (code, out, err) = report_in(Path::new(env!("CARGO_MANIFEST_DIR")), &report_args);
        // Inputs that cannot be checked fail both.
        assert_eq!(code == 2, check_code == 2, "{args:?}: {err}");
        let doc: Value = serde_json::from_str(&out).expect("the report is JSON");
        let report = &doc["report"];
        let findings = check["findings"].as_array().unwrap();
        // The same findings, by fingerprint and severity.
        let key = |f: &Value| {
            format!(
                "{} {} {}",
                f["fingerprint"].as_str().unwrap(),
                f["severity"].as_str().unwrap(),
                f["rule"].as_str().or(f["code"].as_str()).unwrap()
            )
        };
        let mut from_check: Vec<String> = findings.iter().map(key).collect();
        let mut from_report: Vec<String> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|g| g["rows"].as_array().unwrap().iter().map(key))
            .collect();
        from_check.sort();
        from_report.sort();
        assert_eq!(from_report, from_check, "{args:?}");
        assert_eq!(report["summary"]["errors"], check["summary"]["errors"]);
        assert_eq!(report["summary"]["warnings"], check["summary"]["warnings"]);
        assert_eq!(
            report["summary"]["integrations"],
            check["summary"]["integrations"]
        );

        let cards = report["cards"].as_array().unwrap();
        assert_eq!(
            cards.len() as u64,
            check["summary"]["integrations"].as_u64().unwrap()
        );
        for card in cards {
            let name = card["identity"]["name"].as_str().unwrap();
            let mut in_card: Vec<&str> = card["findings"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| f["fingerprint"].as_str().unwrap())
                .collect();
            in_card.sort();
            // check names one integration per finding: each is in that
            // integration's card.
            for f in findings.iter().filter(|f| f["integration"] == name) {
                let fp = f["fingerprint"].as_str().unwrap();
                assert!(
                    in_card.binary_search(&fp).is_ok(),
                    "{args:?} {name}: {fp} missing from its card"
                );
            }
            for fp in &in_card {
                assert!(
                    findings.iter().any(|f| f["fingerprint"] == *fp),
                    "{args:?} {name}: {fp} not in check"
                );
            }
            let verdict = card["verdict"].as_str().unwrap();
            assert_eq!(
                verdict == "findings",
                !in_card.is_empty(),
                "{args:?} {name}: {verdict}"
            );
            let count = |s: &str| {
                card["findings"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter(|f| f["severity"] == s)
                    .count() as u64
            };
            assert_eq!(card["errors"].as_u64(), Some(count("error")));
            assert_eq!(card["warnings"].as_u64(), Some(count("warning")));
            // A control of a rule that found something about it fails.
            for row in report["controls"]["rows"].as_array().unwrap() {
                let column = report["controls"]["columns"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .position(|c| c == name)
                    .unwrap();
                let cell = &row["cells"][column];
                let rules: Vec<&str> = row["rules"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|r| r.as_str().unwrap())
                    .collect();
                let failing = card["findings"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|f| rules.contains(&f["code"].as_str().unwrap()));
                assert_eq!(
                    cell["status"] == "fail",
                    failing,
                    "{args:?} {name} {}",
                    row["control"]
                );
            }
            // The high-risk section never says less than ADM001/ADM002.
            let high_risk: Vec<&Value> = report["high_risk"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|r| r["integration"] == name)
                .collect();
            for f in card["findings"].as_array().unwrap() {
                if matches!(f["code"].as_str(), Some("ADM001" | "ADM002")) {
                    assert!(
                        high_risk.iter().any(|r| r["findings"]
                            .as_array()
                            .unwrap()
                            .iter()
                            .any(|l| l["fingerprint"] == f["fingerprint"])),
                        "{args:?} {name}: {} not in the high-risk section",
                        f["message"]
                    );
                }
            }
        }
    }
}

#[test]
fn the_high_risk_section_never_contradicts_adm001() {
    // An Admin profile retrieved without its permissions: ADM001 fires by
    // name, and the effective access holds no high-risk permission.
    let dir = project(&[
        (
            "force-app/main/default/profiles/Admin.profile-meta.xml",
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Profile xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n    <custom>false</custom>\n    <userLicense>Salesforce</userLicense>\n</Profile>\n",
        ),
        (
            "minpriv.toml",
            "[[integration]]\nname = \"erp\"\nuser = \"erp@acme.example\"\nprofile = \"Admin\"\n",
        ),
    ]);
    let (_, check) = check_json_in(dir.path(), &[]);
    assert!(
        check["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["rule"] == "ADM001"),
        "{check}"
    );
    let (code, md, err) = report_in(dir.path(), &["--format", "markdown"]);
    assert!(code == 0, "{err}");
    assert!(
        !md.contains("No integration holds a high-risk system permission"),
        "{md}"
    );
    assert!(md.contains("| erp | Admin | the System Administrator profile: every administrator permission | no | see the findings | #"), "{md}");
}

/// A fresh repository: the commit, branch, dirtiness, retrieval date and
/// remote (without its credentials) are the repository's; the run time
/// is SOURCE_DATE_EPOCH's; the user is USER.
#[test]
fn provenance_reads_git_the_clock_and_the_user() {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/acme"),
        dir.path(),
    );
    let git = |args: &[&str]| {
        let out = Process::new("git")
            .current_dir(dir.path())
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_AUTHOR_NAME", "a")
            .env("GIT_AUTHOR_EMAIL", "a@example.com")
            .env("GIT_COMMITTER_NAME", "a")
            .env("GIT_COMMITTER_EMAIL", "a@example.com")
            .env("GIT_AUTHOR_DATE", "2026-11-20T10:00:00+00:00")
            .env("GIT_COMMITTER_DATE", "2026-11-20T10:00:00+00:00")
            .args(args)
            .output()
            .expect("git runs");
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    };
    git(&["init", "-q", "-b", "release"]);
    git(&["add", "-A"]);
    git(&["commit", "-q", "-m", "retrieve"]);
    git(&[
        "remote",
        "add",
        "origin",
        "https://deploy:s3cret-token@git.example.com/acme/sf.git",
    ]);
    let head = git(&["rev-parse", "HEAD"]);
    let run = || {
        let out = report_command(dir.path())
            .env("USER", "auditor")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .args(["--format", "json"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
        doc["report"]["provenance"].clone()
    };
    let p = run();
    assert_eq!(p["git"]["commit"]["value"], head.as_str());
    assert_eq!(p["git"]["branch"]["value"], "release");
    assert_eq!(p["git"]["dirty"]["value"], "no");
    assert_eq!(
        p["git"]["repository"]["value"],
        "https://git.example.com/acme/sf.git"
    );
    assert_eq!(p["git"]["retrieved"]["value"], "2026-11-20T10:00:00Z");
    assert_eq!(p["run_at"]["value"], "2026-11-27 09:30:00 +00:00 (UTC)");
    assert_eq!(p["ran_by"]["user"]["value"], "auditor");
    assert_eq!(p["ran_by"]["ci"], Value::Null);
    assert_eq!(p["exported"]["value"], Value::Null);
    let binary = std::fs::read(assert_cmd::cargo::cargo_bin("minpriv")).unwrap();
    assert_eq!(p["binary_sha256"]["value"], sha256_hex(&binary).as_str());
    // The options that only lay the report out are not recorded.
    assert_eq!(p["command"], "report");
    assert_eq!(p["redacted"], false);
    let text = serde_json::to_string(&p).unwrap();
    assert!(!text.contains("s3cret"), "credentials of the remote");

    // An examined file changes: the tree is dirty, and says which.
    let profile = dir
        .path()
        .join("force-app/main/default/profiles/Admin.profile-meta.xml");
    let xml = std::fs::read_to_string(&profile).unwrap();
    std::fs::write(
        &profile,
        xml.replace(
            "<custom>false</custom>",
            "<custom>false</custom>\n    <description>x</description>",
        ),
    )
    .unwrap();
    let p = run();
    assert_eq!(p["git"]["dirty"]["value"], "yes");
    assert_eq!(
        p["git"]["dirty"]["note"],
        "1 changed or untracked path in the working tree, 1 of them among the examined files"
    );
}

#[test]
fn provenance_says_what_it_cannot_know() {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/acme"),
        dir.path(),
    );
    let out = report_command(dir.path())
        .env("GIT_CEILING_DIRECTORIES", dir.path().parent().unwrap())
        .args(["--format", "markdown"])
        .output()
        .unwrap();
    let md = stdout(&out);
    let why = "unknown: the examined files are not in a git repository (or git is not installed)";
    for key in [
        "Repository",
        "Commit examined",
        "Branch",
        "Uncommitted changes",
        "Metadata retrieved",
    ] {
        assert!(md.contains(&format!("| {key} | *{why}* |")), "{key}\n{md}");
    }
    assert!(
        md.contains("| Org snapshot exported | *unknown: no org snapshot was read (--org-data)* |")
    );
    assert!(
        md.contains("| Run by | *unknown: no USER, USERNAME or LOGNAME in the environment* |"),
        "{md}"
    );
}

#[test]
fn provenance_names_the_ci_job_and_the_snapshot_export() {
    let out = report_command(Path::new(env!("CARGO_MANIFEST_DIR")))
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_SERVER_URL", "https://github.com")
        .env("GITHUB_REPOSITORY", "acme/salesforce")
        .env("GITHUB_RUN_ID", "1234")
        .env("GITHUB_ACTOR", "octocat")
        .args([
            "testdata/acme",
            "--org-data",
            "testdata/acme/org-snapshot",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let p = &doc["report"]["provenance"];
    assert_eq!(p["ran_by"]["ci"], "GitHub Actions");
    assert_eq!(
        p["ran_by"]["job_url"]["value"],
        "https://github.com/acme/salesforce/actions/runs/1234"
    );
    assert_eq!(p["ran_by"]["user"]["value"], "octocat");
    // The newest LastLoginDate of testdata/acme/org-snapshot/users.json.
    assert_eq!(p["exported"]["value"], "2026-11-26 23:58:41 UTC");
    assert_eq!(
        p["exported"]["note"],
        "at or after the newest LastLoginDate in the snapshot"
    );
}

#[test]
fn verdict_cards_hold_identity_access_findings_and_exceptions() {
    let doc = report_json(&["testdata/acme"]);
    let cards = doc["report"]["cards"].as_array().unwrap();
    let card = |name: &str| {
        cards
            .iter()
            .find(|c| c["identity"]["name"] == name)
            .unwrap()
    };
    let orders = card("orders-sync");
    assert_eq!(orders["verdict"], "compliant");
    assert_eq!(
        orders["verdict_text"],
        format!(
            "no finding from the {} rules about integrations that ran; not evaluated: {}",
            rules_besides(|c| ACME_NOT_EVALUATED.contains(&c) || c.starts_with("EXC")),
            ACME_NOT_EVALUATED.join(", ")
        )
    );
    assert_eq!(orders["objects"], serde_json::json!(["Order: C R E"]));
    let tableau = card("Tableau_Export");
    assert_eq!(tableau["origin"], "app");
    assert!(
        tableau["evidence"][0]
            .as_str()
            .unwrap()
            .starts_with("the client-credentials run-as user of connected app Tableau_Export")
    );
    let erp = card("legacy-erp");
    assert_eq!(erp["verdict"], "findings");
    assert!(
        erp["high_risk"]
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h == "ModifyAllData (Modify All Data)")
    );
    assert!(
        erp["exceptions"][0]
            .as_str()
            .unwrap()
            .starts_with("#3 PRF001: ERP vendor migration")
    );
    // No usage logs: no usage slot.
    assert!(cards.iter().all(|c| c["usage"].is_null()));
    let verdict = &doc["report"]["verdict"];
    assert_eq!(
        verdict["text"],
        "7 integrations: 1 compliant, 6 with findings, 0 not evaluated"
    );
}

#[test]
fn markdown_values_start_no_block_and_mention_no_one() {
    let dir = hostile_org();
    let toml = dir.path().join("minpriv.toml");
    let text = std::fs::read_to_string(&toml).unwrap();
    let text = text
        .replacen(
            "owner = \"legal-ops@acme.example\"",
            "owner = \"@security-team\"",
            1,
        )
        .replacen("name = \"survey-sync\"", "name = \"# survey-sync\"", 1)
        .replacen(
            "integration = \"survey-sync\"",
            "integration = \"# survey-sync\"",
            1,
        );
    std::fs::write(&toml, text).unwrap();
    let (code, md, err) = report_in(dir.path(), &["--format", "markdown"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        md.contains("@\u{200b}security-team"),
        "the mention is broken"
    );
    assert!(!md.contains("@security-team"));
    assert!(
        md.contains("| \\# survey-sync |"),
        "the name is escaped in cells"
    );
    // The only headings are the report's own.
    for line in md.lines().filter(|l| l.starts_with('#')) {
        assert!(
            line == "# Integration user audit"
                || line.starts_with("## ")
                || line.starts_with("### "),
            "{line}"
        );
    }
}

// ---- in a real browser ------------------------------------------------

const CHROMIUM: &str = "/usr/bin/chromium";

/// Runs headless Chromium on `page` with `args`; returns stdout.
fn chromium(page: &Path, profile: &Path, args: &[&str]) -> String {
    let out = Process::new("timeout")
        .arg("120")
        .arg(CHROMIUM)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("chromium runs");
    assert!(
        out.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The text a reader sees: the DOM without tags, scripts and styles,
/// entities decoded.
fn page_text(dom: &str) -> String {
    let mut text = String::new();
    let mut rest = dom;
    while let Some(open) = rest.find('<') {
        text.push_str(&rest[..open]);
        rest = &rest[open..];
        for hidden in ["script", "style"] {
            if rest.starts_with(&format!("<{hidden}")) {
                let close = format!("</{hidden}>");
                let end = rest.find(&close).map_or(rest.len(), |e| e + close.len());
                rest = &rest[end..];
            }
        }
        if !rest.starts_with('<') {
            continue;
        }
        // Skip the tag, minding quoted attribute values.
        let mut quote = None;
        let mut end = rest.len();
        for (i, c) in rest.char_indices().skip(1) {
            match (quote, c) {
                (None, '"' | '\'') => quote = Some(c),
                (Some(q), c) if c == q => quote = None,
                (None, '>') => {
                    end = i + 1;
                    break;
                }
                _ => {}
            }
        }
        rest = &rest[end..];
    }
    text.push_str(rest);
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&nbsp;", "\u{a0}")
        .replace("&amp;", "&")
}

#[test]
#[ignore = "needs Debian's chromium; .ci/run runs it where /usr/bin/chromium exists"]
fn the_html_report_renders_in_headless_chromium() {
    assert!(
        Path::new(CHROMIUM).exists(),
        "{CHROMIUM} is missing: apt-get install chromium"
    );
    let shots = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/report-screenshot");
    std::fs::create_dir_all(&shots).unwrap();
    let profile = tempfile::tempdir().unwrap();

    // The sample org: a screenshot for a human, the page text for us.
    let page: PathBuf = shots.join("acme.html");
    std::fs::write(&page, acme_html()).unwrap();
    let shot = shots.join("acme.png");
    let _ = std::fs::remove_file(&shot);
    chromium(
        &page,
        profile.path(),
        &[
            &format!("--screenshot={}", shot.display()),
            "--window-size=1400,2000",
        ],
    );
    let png = std::fs::read(&shot).expect("chromium wrote the screenshot");
    assert!(
        png.starts_with(b"\x89PNG") && png.len() > 50_000,
        "a real picture"
    );

    let dom = chromium(&page, profile.path(), &["--dump-dom"]);
    // The sorting script ran: the Content-Security-Policy let it through.
    let tables = acme_html().matches("<table class=\"sortable").count();
    assert!(tables >= 9, "{tables} tables");
    assert_eq!(
        dom.matches("data-sortable=\"ready\"").count(),
        tables,
        "every table is sortable"
    );
    // The charts are there, as inline SVG the browser drew: one bar per
    // integration, one heat-map cell per object and integration.
    assert_eq!(dom.matches("<svg").count(), 2, "two charts");
    assert!(dom.contains(
        "<title id=\"chart-findings-title\">Findings per integration by severity</title>"
    ));
    assert!(dom.contains("<title id=\"chart-access-title\">"));
    assert_eq!(
        dom.matches("<g><title>").count(),
        acme_integrations().len() * (1 + 7),
        "a bar per integration and a heat-map cell per object and integration"
    );
    let text = page_text(&dom);
    assert!(text.contains("Integration user audit"));
    for name in acme_integrations() {
        assert!(text.contains(&name), "{name} on the page");
    }
    for f in acme_findings() {
        let message = f["message"].as_str().unwrap();
        let location = format!("{}:{}", f["file"].as_str().unwrap(), f["line"]);
        assert!(text.contains(message), "{message} on the page");
        assert!(text.contains(&location), "{location} on the page");
    }

    // Printed: a cover, then the report; every page's footer holds the
    // page number and the report's digest.
    let pdf = shots.join("acme.pdf");
    let _ = std::fs::remove_file(&pdf);
    chromium(
        &page,
        profile.path(),
        &[
            "--no-pdf-header-footer",
            &format!("--print-to-pdf={}", pdf.display()),
        ],
    );
    let digest = report_json(&["testdata/acme"])["digest"]
        .as_str()
        .unwrap()
        .to_owned();
    let pdftotext = |first: usize| {
        let out = Process::new("pdftotext")
            .args([
                "-layout",
                "-f",
                &first.to_string(),
                "-l",
                &first.to_string(),
            ])
            .arg(&pdf)
            .arg("-")
            .output()
            .expect("pdftotext runs (apt-get install poppler-utils)");
        assert!(out.status.success());
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let all = Process::new("pdftotext")
        .arg(&pdf)
        .arg("-")
        .output()
        .unwrap();
    let all = String::from_utf8_lossy(&all.stdout).into_owned();
    let pages = all.matches('\u{c}').count();
    assert!(pages >= 5, "{pages} pages");
    for n in 1..=pages {
        let page = pdftotext(n);
        assert!(
            page.contains(&format!("Page {n} of {pages}")),
            "page {n}: {page}"
        );
        assert!(
            page.contains(&format!("SHA-256 {digest}")),
            "page {n}: the digest"
        );
    }
    let cover = pdftotext(1);
    assert!(
        cover.contains("7 integrations: 1 compliant, 6 with findings, 0 not evaluated"),
        "{cover}"
    );
    assert!(cover.contains("Commit examined"), "{cover}");
    assert!(
        !cover.contains("Effective access"),
        "the cover is a page of its own"
    );
    let out = Process::new("pdftoppm")
        .args(["-png", "-r", "60", "-f", "1", "-l", "3"])
        .arg(&pdf)
        .arg(shots.join("acme-page"))
        .output()
        .expect("pdftoppm runs (apt-get install poppler-utils)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let first = std::fs::read(shots.join(format!(
        "acme-page-{:0width$}.png",
        1,
        width = pages.to_string().len()
    )))
    .expect("pdftoppm wrote the first page");
    assert!(first.starts_with(b"\x89PNG"));

    // Hostile metadata shows as text, and nothing it holds runs.
    let dir = hostile_org();
    let (code, html, err) = report_in(dir.path(), &["--format", "html"]);
    assert_eq!(code, 0, "{err}");
    let page = dir.path().join("hostile.html");
    std::fs::write(&page, html).unwrap();
    chromium(
        &page,
        profile.path(),
        &[
            &format!("--screenshot={}", shots.join("hostile.png").display()),
            "--window-size=1400,2000",
        ],
    );
    let dom = chromium(&page, profile.path(), &["--dump-dom"]);
    assert!(!dom.contains("<pwned"), "an injected script or handler ran");
    assert_eq!(dom.matches("<script").count(), 1, "only minpriv's script");
    assert!(!dom.contains("<img"), "no injected element");
    let text = page_text(&dom);
    assert!(text.contains(HOSTILE), "the hostile label shows as text");
    assert!(
        text.contains(ACTIVE),
        "the hostile description shows as text"
    );
}
