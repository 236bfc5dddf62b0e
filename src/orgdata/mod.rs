//! The org snapshot (README, "Org snapshot: sf data query"): who really holds which access in the
//! org, as `sf data query` exported it — users, their permission set
//! assignments and their permission set licence assignments.
//!
//! Every `*.json` and `*.csv` file of the snapshot directory is read. JSON
//! is the `--json` envelope or the `--result-format json` body; CSV is
//! `--result-format csv`, read with the `csv` crate. Both are first turned
//! into the same flat record (dotted field paths → value and byte span),
//! so one piece of code decides the record type and reads the fields. The
//! record type comes from `attributes.type` or the CSV header, never from
//! the file name. Every value keeps its span, so findings about the org's
//! state point at the row or record that shows it.

mod csv;
mod json;
mod records;
mod snapshot;

use std::path::{Path, PathBuf};

use self::csv::csv_records;
use self::json::json_records;
use crate::source::{FileError, FileId, Problem, Sources, Span};
use records::{Records, read_records};
pub use snapshot::{
    Assigned, LicenceAssignment, PermissionSetAssignment, RecordType, Snapshot, User, user_key,
};

/// What reading a snapshot directory gave.
pub struct Import {
    pub snapshot: Snapshot,
    /// Files that could not be read: the run exits 2.
    pub errors: Vec<FileError>,
    /// Things worth telling on standard error that are not errors.
    pub notes: Vec<String>,
}

/// Reads every `*.json` and `*.csv` file directly in `dir`, registering
/// each in `sources`.
pub fn import(dir: &Path, sources: &mut Sources, cwd: &Path, max_file_size: u64) -> Import {
    let mut import = Import {
        snapshot: Snapshot {
            dir: dir.to_path_buf(),
            ..Snapshot::default()
        },
        errors: vec![],
        notes: vec![],
    };
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) => {
            let id = sources.add(dir.to_path_buf(), cwd);
            import.errors.push(
                FileError::whole(id, format!("cannot read the org snapshot directory: {e}"))
                    .with_help("--org-data (or org-data in minpriv.toml) names a directory of `sf data query` exports"),
            );
            return import;
        }
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| format_of(p).is_some() && !p.is_dir())
        .collect();
    paths.sort();
    let mut event_logs = vec![];
    for path in paths {
        let file = sources.add(path.clone(), cwd);
        let shown = sources.get(file).display.clone();
        import.snapshot.files.push(file);
        if path.symlink_metadata().is_ok_and(|m| m.is_symlink()) {
            // Wherever it leads, a link is not followed: it could lead to
            // any file on the machine, and errors quote what they read.
            import.errors.push(
                FileError::whole(
                    file,
                    "is a symbolic link; minpriv does not follow links in the org snapshot",
                )
                .with_help("copy the export into the org snapshot directory"),
            );
            continue;
        }
        // Event log files can be huge: they are streamed, in parallel,
        // once every file is known.
        if format_of(&path) == Some(Format::Csv) && crate::usage::is_event_log(&path) {
            event_logs.push((path, file));
            continue;
        }
        let records = match read_file(&path, max_file_size) {
            Ok(records) => records,
            Err(problem) => {
                import.errors.push(problem.in_file(file));
                continue;
            }
        };
        if let Some((total, held)) = records.truncated {
            import.notes.push(format!(
                "{shown}: the query matched {total} records but the file holds {held}: the sf CLI's record cap (org-max-query-limit, SF_ORG_MAX_QUERY_LIMIT) cut it short, so findings about the rest are missing; raise the cap and export again"
            ));
        }
        for skipped in &records.skipped {
            import.notes.push(format!(
                "{shown}: skipped {skipped} (minpriv reads User, PermissionSetAssignment, PermissionSetLicenseAssign and LoginHistory records, and event log files)"
            ));
        }
        if let Err(problem) = read_records(&records.flat, file, &mut import.snapshot) {
            import.errors.push(problem.in_file(file));
        }
    }
    let logs = crate::usage::read_logs(&event_logs, max_file_size);
    let users: Vec<(String, String)> = import
        .snapshot
        .users
        .iter()
        .filter_map(|u| Some((u.id.clone()?, u.username.value.clone())))
        .collect();
    let built = crate::usage::build(logs, &import.snapshot.login_history, &users, |f| {
        sources.get(f).display.clone()
    });
    import.snapshot.usage = built.usage;
    import.notes.extend(built.notes);
    import.errors.extend(built.errors);
    if import.snapshot.files.is_empty() {
        import.notes.push(format!(
            "the org snapshot directory {} holds no .json or .csv file",
            crate::source::display_path(dir, cwd)
        ));
    } else if !import.snapshot.has_users() && import.errors.is_empty() {
        import.notes.push(format!(
            "the org snapshot in {} holds no User records, so the rules about the org's users are not evaluated; export them with the README's User query",
            crate::source::display_path(dir, cwd)
        ));
    }
    import.snapshot.index();
    import
}

/// Reads one export's text as [`import`] reads a file (`csv` picks the
/// CSV reader, else JSON) into a snapshot, or returns the error with its
/// place. For the fuzzer: the same path as a file, without the disk.
pub fn parse_export(text: &str, csv: bool) -> Result<Snapshot, (Option<Span>, String)> {
    let records = if csv {
        csv_records(text, 0)
    } else {
        json_records(text, 0)
    };
    let mut snapshot = Snapshot::default();
    records
        .and_then(|records| read_records(&records.flat, FileId(0), &mut snapshot))
        .map_err(|p| {
            let p = p.within(text.len());
            (p.span, p.message)
        })?;
    snapshot.index();
    Ok(snapshot)
}

/// An export's bytes as the importer reads a file of them: masked by the
/// hardened reader ([`crate::source::read_input`]), decoded (BOM, UTF-16
/// refused, UTF-8), then parsed. For the fuzz target and the mutation test
/// of the org-data reader.
pub fn parse_export_bytes(bytes: &[u8], csv: bool) -> Result<Snapshot, (Option<Span>, String)> {
    let bytes = crate::secrets::masked(bytes);
    let len = bytes.len();
    let mut snapshot = Snapshot::default();
    decode_export(bytes)
        .and_then(|(bytes, base)| records_of(&bytes, base, csv))
        .and_then(|records| read_records(&records.flat, FileId(0), &mut snapshot))
        .map_err(|p| {
            let p = p.within(len);
            (p.span, p.message)
        })?;
    snapshot.index();
    Ok(snapshot)
}

/// The records of one export, in whichever format its extension says.
fn read_file(path: &Path, max_file_size: u64) -> Result<Records, Problem> {
    let (bytes, base) = read_text(path, max_file_size)?;
    records_of(&bytes, base, format_of(path) != Some(Format::Json))
}

/// The records of the bytes of an export whose text starts at `base`.
fn records_of(bytes: &[u8], base: usize, csv: bool) -> Result<Records, Problem> {
    let text = std::str::from_utf8(&bytes[base..]).map_err(|e| {
        let at = base + e.valid_up_to();
        Problem::at(Span::new(at, at + 1), "invalid UTF-8")
            .with_help("sf writes UTF-8; the file was saved in another encoding or is damaged")
    })?;
    if csv {
        csv_records(text, base)
    } else {
        json_records(text, base)
    }
    .map_err(|p| p.within(base + text.len()))
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Format {
    Json,
    Csv,
}

/// Whether `import` reads `path`: a `.json` or `.csv` file (any case).
pub fn is_export_file(path: &Path) -> bool {
    format_of(path).is_some()
}

fn format_of(path: &Path) -> Option<Format> {
    let ext = path.extension()?.to_str()?;
    if ext.eq_ignore_ascii_case("json") {
        Some(Format::Json)
    } else if ext.eq_ignore_ascii_case("csv") {
        Some(Format::Csv)
    } else {
        None
    }
}

const QUERY_HELP: &str =
    "export it with the README's `sf data query` commands (--json, --result-format json or csv)";

/// The bytes of a file and where its text starts (past a UTF-8 BOM).
fn read_text(path: &Path, max: u64) -> Result<(Vec<u8>, usize), Problem> {
    let bytes = crate::source::read_input(path, max).map_err(Problem::whole)?;
    decode_export(bytes)
}

/// Refuses UTF-16; the bytes and where their text starts (past a BOM).
fn decode_export(bytes: Vec<u8>) -> Result<(Vec<u8>, usize), Problem> {
    match crate::source::text_start(&bytes) {
        Ok(base) => Ok((bytes, base)),
        Err(mark) => Err(
            Problem::at(mark, "the file is UTF-16 encoded")
                .with_help("sf writes UTF-8; PowerShell's `>` writes UTF-16: use --output-file, or convert the file to UTF-8"),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Loc;

    fn snapshot(files: &[(&str, &str)]) -> (Import, Sources, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in files {
            std::fs::write(dir.path().join(name), text).unwrap();
        }
        let mut sources = Sources::default();
        let import = import(dir.path(), &mut sources, dir.path(), u64::MAX);
        (import, sources, dir)
    }

    fn at(text: &str, loc: Loc) -> &str {
        &text[loc.span.start as usize..loc.span.end as usize]
    }

    const ENVELOPE: &str = r#"{
  "status": 0,
  "result": {
    "records": [
      {
        "attributes": {"type": "User", "url": "/services/data/v64.0/sobjects/User/005xx0000012345AAA"},
        "Username": "Svc.Orders@acme.example",
        "IsActive": true,
        "UserType": "Standard",
        "LastLoginDate": "2026-11-20T08:15:00.000+0000",
        "Profile": {
          "attributes": {"type": "Profile", "url": "/services/data/v64.0/sobjects/Profile/00exx000000abcdAAA"},
          "Name": "Orders Integration",
          "UserLicense": {"attributes": {"type": "UserLicense", "url": "x"}, "Name": "Salesforce Integration"}
        }
      },
      {
        "attributes": {"type": "User", "url": "x"},
        "Username": "ghost@acme.example",
        "IsActive": false,
        "UserType": "Standard",
        "LastLoginDate": null,
        "Profile": null
      }
    ],
    "totalSize": 2,
    "done": true
  },
  "warnings": []
}"#;

    #[test]
    fn reads_the_json_envelope_with_nested_and_null_lookups() {
        let (import, _, _) = snapshot(&[("users.json", ENVELOPE)]);
        assert!(import.errors.is_empty(), "{:?}", import.errors);
        assert!(import.notes.is_empty(), "{:?}", import.notes);
        let s = &import.snapshot;
        assert_eq!(s.users.len(), 2);
        let u = &s.users[0];
        assert_eq!(at(ENVELOPE, u.username.loc), r#""Svc.Orders@acme.example""#);
        assert!(u.active.value);
        assert_eq!(u.profile.value.as_deref(), Some("Orders Integration"));
        assert_eq!(u.licence.value.as_deref(), Some("Salesforce Integration"));
        assert_eq!(
            u.last_login.value.unwrap().to_string(),
            "2026-11-20T08:15:00Z"
        );
        let ghost = &s.users[1];
        assert_eq!(ghost.profile.value, None);
        assert_eq!(ghost.licence.value, None);
        assert_eq!(ghost.last_login.value, None);
        assert_eq!(s.user("SVC.ORDERS@ACME.EXAMPLE"), Some(0));
    }

    #[test]
    fn reads_the_result_format_json_body_and_warns_when_truncated() {
        let body = r#"{"records":[{"attributes":{"type":"PermissionSetLicenseAssign","url":"x"},"Assignee":{"attributes":{"type":"User","url":"y"},"Username":"svc.orders@acme.example"},"PermissionSetLicense":{"attributes":{"type":"PermissionSetLicense","url":"z"},"DeveloperName":"SalesforceAPIIntegrationPsl","MasterLabel":"Salesforce API Integration"}}],"totalSize":50001,"done":false}"#;
        let (import, _, _) = snapshot(&[("psl.json", body)]);
        assert!(import.errors.is_empty(), "{:?}", import.errors);
        assert_eq!(import.snapshot.licence_assignments.len(), 1);
        assert!(import.snapshot.licence_assignments[0].is_integration_psl());
        assert!(
            import.notes[0].contains("the query matched 50001 records but the file holds 1"),
            "{:?}",
            import.notes
        );
    }

    #[test]
    fn reads_csv_with_quoted_commas_newlines_and_empty_cells() {
        let csv = "Assignee.Username,PermissionSet.Name,PermissionSet.IsOwnedByProfile,PermissionSetGroup.DeveloperName\n\
                   svc.orders@acme.example,\"Orders, Read\",false,\n\
                   svc.orders@acme.example,\"Multi\nLine \"\"Set\"\"\",false,\n\
                   svc.orders@acme.example,X00exx000000abcdAAA,true,\n\
                   svc.orders@acme.example,Aggregate_PS,false,Orders_Integration\n";
        let (import, _, _) = snapshot(&[("psa.csv", csv)]);
        assert!(import.errors.is_empty(), "{:?}", import.errors);
        let rows = &import.snapshot.assignments;
        assert_eq!(rows.len(), 4);
        assert_eq!(rows[0].assigned(), Assigned::PermissionSet("Orders, Read"));
        assert_eq!(at(csv, rows[0].loc()), "\"Orders, Read\"");
        assert_eq!(
            rows[1].assigned(),
            Assigned::PermissionSet("Multi\nLine \"Set\"")
        );
        assert_eq!(rows[2].assigned(), Assigned::Profile);
        assert_eq!(rows[3].assigned(), Assigned::Group("Orders_Integration"));
        assert_eq!(at(csv, rows[3].loc()), "Orders_Integration");
        // The empty cell is null, located where it is.
        assert_eq!(rows[0].group.value, None);
    }

    #[test]
    fn the_record_type_comes_from_content_never_the_file_name() {
        let users = "Username,IsActive,UserType,LastLoginDate,Profile.Name,Profile.UserLicense.Name\n\
                     a@x,true,Standard,2026-01-01T00:00:00.000+0000,P,Salesforce\n";
        let (import, _, _) = snapshot(&[
            ("PermissionSetAssignment.csv", users),
            ("users.csv", "Id,Name\n00e1,Admin\n00e2,Standard\n"),
            (
                "profiles.json",
                r#"{"records":[{"attributes":{"type":"Profile","url":"u"},"Name":"Admin"}],"totalSize":1,"done":true}"#,
            ),
        ]);
        assert!(import.errors.is_empty(), "{:?}", import.errors);
        assert_eq!(import.snapshot.users.len(), 1);
        assert_eq!(import.notes.len(), 2, "{:?}", import.notes);
        assert!(import.notes[0].contains("skipped 1 Profile record ("));
        assert!(import.notes[1].contains("skipped 2 rows whose columns (Id, Name)"));
    }

    fn error_of(name: &str, text: &str) -> (String, String) {
        let (import, _, _) = snapshot(&[(name, text)]);
        assert_eq!(import.errors.len(), 1, "{:?}", import.errors);
        let e = &import.errors[0];
        let span = e.span.unwrap();
        let place = text
            .get(span.start as usize..span.end as usize)
            .unwrap_or("")
            .to_owned();
        (e.message.clone(), place)
    }

    #[test]
    fn malformed_files_are_located_errors() {
        let (message, _) = error_of(
            "t.json",
            "{\"records\": [{\"attributes\": {\"type\": \"User\"",
        );
        assert!(
            message.starts_with("invalid JSON: EOF while parsing"),
            "{message}"
        );
        let (message, place) = error_of(
            "short.csv",
            "Assignee.Username,PermissionSetLicense.DeveloperName\na@x,Psl\nb@x\n",
        );
        assert_eq!(message, "the row has 1 values, the header has 2");
        assert_eq!(place, "b@x");
        let (message, _) = error_of(
            "open.csv",
            "Assignee.Username,PermissionSetLicense.DeveloperName\na@x,\"Psl",
        );
        assert_eq!(message, "a quoted value is never closed");
        let (message, place) = error_of("lacking.csv", "Username,IsActive\na@x,true\n");
        assert_eq!(message, "the User record lacks `LastLoginDate`");
        assert_eq!(place, "a@x,true");
        let (message, place) = error_of(
            "bool.csv",
            "Username,IsActive,LastLoginDate,Profile.Name,Profile.UserLicense.Name\na@x,yes,,P,L\n",
        );
        assert_eq!(message, "`IsActive` must be true or false, found `yes`");
        assert_eq!(place, "yes");
        let (message, _) = error_of(
            "failed.json",
            r#"{"status":1,"name":"MalformedQuery","message":"unexpected token: FORM"}"#,
        );
        assert!(message.contains("unexpected token: FORM"), "{message}");
        let (message, _) = error_of("list.json", "[1, 2]");
        assert!(message.contains("expected a JSON object"), "{message}");
    }

    #[test]
    fn a_missing_directory_is_an_error() {
        let mut sources = Sources::default();
        let cwd = std::env::current_dir().unwrap();
        let import = import(Path::new("no/such/snapshot"), &mut sources, &cwd, 1 << 20);
        assert_eq!(import.errors.len(), 1);
        assert!(
            import.errors[0]
                .message
                .starts_with("cannot read the org snapshot directory")
        );
    }
}
