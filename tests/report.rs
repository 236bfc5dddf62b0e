//! `minpriv report`, the audit report: the sample org as Markdown (exact
//! output) and as HTML (self-contained, every integration and finding,
//! a SHA-256 for every input), determinism, and hostile metadata, which
//! must come out escaped in both formats. The last test renders the HTML
//! in headless Chromium; it is ignored by default and `.ci/run` runs it
//! where Debian's `chromium` is installed.

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

/// Runs `minpriv report ARGS` in `dir` "on" [`TODAY`]: exit code, stdout,
/// stderr.
fn report_in(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = minpriv()
        .current_dir(dir)
        .env("MINPRIV_NOW", TODAY)
        .arg("report")
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

#[test]
fn markdown_of_the_sample_org() {
    let out = report(&["testdata/acme", "--format", "markdown"]);
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
    assert_eq!(html.matches("<style").count(), 1);
    assert!(html.contains(
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'sha256-"
    ));
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
    assert_eq!(findings.len(), 44);
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
    assert!(html.contains("<h3 class=\"error\">Errors (25)</h3>"));
    assert!(html.contains("<h3 class=\"warning\">Warnings (18)</h3>"));
    assert!(html.contains("<h3 class=\"info\">Info (1)</h3>"));
}

#[test]
fn html_shows_provenance_on_hover_and_in_notes() {
    let html = acme_html();
    // orders-sync on Order: read through one set, create/read/edit through
    // the other, both in the group; the group's muting set removes delete.
    let title = "R via permission set Orders_Integration_Read (testdata/acme/force-app/main/default/permissionsets/Orders_Integration_Read.permissionset-meta.xml:23) in group Orders_Integration\nC R E via permission set Orders_Integration_Write (testdata/acme/force-app/main/default/permissionsets/Orders_Integration_Write.permissionset-meta.xml:23) in group Orders_Integration";
    assert!(html.contains(&format!(
        "<td class=\"granted\" title=\"{title}\"><span class=\"flags\">C R E</span><sup><a href=\"#note-11\">11</a></sup></td>"
    )));
    assert!(html.contains("<li id=\"note-11\" value=\"11\"><b>orders-sync</b> · Order<ul>"));
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
    assert!(later.contains("| PRF001 object-permissions-in-profile | passed | passed | **2 findings** | **2 findings** |"));
}

#[test]
fn select_and_ignore_show_as_not_evaluated() {
    let out = report(&["testdata/acme", "--format", "markdown", "--ignore", "NET"]);
    let why = "not selected (--select, --ignore, or \\[lint\\] in minpriv.toml)";
    assert!(out.contains(&format!("| NET001 missing-login-ip-ranges | {why} |")));
    assert_eq!(out.matches(why).count(), 5);
    assert!(out.contains("| Rules run | 22 of 34 |"));
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
