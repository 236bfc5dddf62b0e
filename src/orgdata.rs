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

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use jiff::Timestamp;
use serde::Deserialize;
use serde_json::value::RawValue;

use crate::model::Located;
use crate::parse::xml::quoted;
use crate::source::{FileError, FileId, Loc, Problem, Sources, Span};

/// The record types minpriv reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum RecordType {
    User,
    PermissionSetAssignment,
    PermissionSetLicenseAssign,
    /// Usage evidence, read into [`crate::usage`].
    LoginHistory,
}

impl RecordType {
    pub const ALL: [RecordType; 4] = [
        RecordType::User,
        RecordType::PermissionSetAssignment,
        RecordType::PermissionSetLicenseAssign,
        RecordType::LoginHistory,
    ];

    pub fn name(self) -> &'static str {
        match self {
            RecordType::User => "User",
            RecordType::PermissionSetAssignment => "PermissionSetAssignment",
            RecordType::PermissionSetLicenseAssign => "PermissionSetLicenseAssign",
            RecordType::LoginHistory => "LoginHistory",
        }
    }

    fn from_name(name: &str) -> Option<RecordType> {
        Self::ALL
            .into_iter()
            .find(|t| t.name().eq_ignore_ascii_case(name))
    }

    /// The fields read, as the README's queries select them; those marked
    /// `true` must be present in every record.
    fn fields(self) -> &'static [(&'static str, bool)] {
        match self {
            RecordType::User => &[
                ("Username", true),
                ("IsActive", true),
                ("UserType", false),
                ("LastLoginDate", true),
                ("Profile.Name", true),
                ("Profile.UserLicense.Name", true),
                // Optional: the usage logs name users by id.
                ("Id", false),
            ],
            RecordType::PermissionSetAssignment => &[
                ("Assignee.Username", true),
                ("PermissionSet.Name", true),
                ("PermissionSet.IsOwnedByProfile", true),
                ("PermissionSetGroup.DeveloperName", true),
            ],
            RecordType::PermissionSetLicenseAssign => &[
                ("Assignee.Username", true),
                ("PermissionSetLicense.DeveloperName", true),
                ("PermissionSetLicense.MasterLabel", false),
            ],
            RecordType::LoginHistory => &[
                ("UserId", true),
                ("LoginTime", true),
                ("SourceIp", false),
                ("Status", false),
            ],
        }
    }

    /// The CSV header columns that identify the type.
    fn key_columns(self) -> [&'static str; 2] {
        match self {
            RecordType::User => ["Username", "IsActive"],
            RecordType::PermissionSetAssignment => ["Assignee.Username", "PermissionSet.Name"],
            RecordType::PermissionSetLicenseAssign => {
                ["Assignee.Username", "PermissionSetLicense.DeveloperName"]
            }
            RecordType::LoginHistory => ["UserId", "LoginTime"],
        }
    }

    /// The type a CSV header describes.
    fn from_header<'h>(header: impl Iterator<Item = &'h str> + Clone) -> Option<RecordType> {
        Self::ALL.into_iter().find(|t| {
            t.key_columns()
                .iter()
                .all(|k| header.clone().any(|h| h.trim().eq_ignore_ascii_case(k)))
        })
    }
}

/// A `User` record.
#[derive(Clone, Debug)]
pub struct User {
    pub username: Located<String>,
    /// `Id`, when the export selects it: how the usage logs name users.
    pub id: Option<String>,
    pub active: Located<bool>,
    pub user_type: Option<String>,
    /// `None`: the user never logged in.
    pub last_login: Located<Option<Timestamp>>,
    /// `Profile.Name`: the profile's label (`System Administrator`).
    pub profile: Located<Option<String>>,
    /// `Profile.UserLicense.Name`.
    pub licence: Located<Option<String>>,
}

/// What one `PermissionSetAssignment` row assigns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Assigned<'a> {
    /// The profile's own permission set: the profile, which the `User`
    /// record names.
    Profile,
    /// A permission set group (the row's permission set is the group's
    /// aggregate set).
    Group(&'a str),
    PermissionSet(&'a str),
}

/// A `PermissionSetAssignment` record.
#[derive(Clone, Debug)]
pub struct PermissionSetAssignment {
    pub username: Located<String>,
    pub permission_set: Located<Option<String>>,
    pub owned_by_profile: bool,
    pub group: Located<Option<String>>,
}

impl PermissionSetAssignment {
    pub fn assigned(&self) -> Assigned<'_> {
        if self.owned_by_profile {
            Assigned::Profile
        } else if let Some(group) = &self.group.value {
            Assigned::Group(group)
        } else {
            Assigned::PermissionSet(self.permission_set.value.as_deref().unwrap_or(""))
        }
    }

    /// Where the row names what it assigns.
    pub fn loc(&self) -> Loc {
        match self.assigned() {
            Assigned::Group(_) => self.group.loc,
            _ => self.permission_set.loc,
        }
    }
}

/// A `PermissionSetLicenseAssign` record.
#[derive(Clone, Debug)]
pub struct LicenceAssignment {
    pub username: Located<String>,
    pub developer_name: Located<Option<String>>,
    pub master_label: Option<String>,
}

impl LicenceAssignment {
    /// Whether it assigns the Salesforce API Integration permission set
    /// licence. Its developer name is not documented,
    /// so the label counts too.
    pub fn is_integration_psl(&self) -> bool {
        self.developer_name.value.as_deref().is_some_and(|d| {
            d.eq_ignore_ascii_case(crate::model::permissions::INTEGRATION_PSL_DEVELOPER_NAME)
        }) || self.master_label.as_deref() == Some(crate::model::permissions::INTEGRATION_PSL)
    }
}

/// The org snapshot. Usernames compare case-insensitively.
#[derive(Debug, Default)]
pub struct Snapshot {
    /// The directory it was read from.
    pub dir: PathBuf,
    /// The files read (or tried), in name order.
    pub files: Vec<FileId>,
    pub users: Vec<User>,
    pub assignments: Vec<PermissionSetAssignment>,
    pub licence_assignments: Vec<LicenceAssignment>,
    /// `LoginHistory` records, folded into `usage`.
    pub login_history: Vec<crate::usage::LoginRecord>,
    /// What the usage logs show.
    pub usage: crate::usage::Usage,
    by_user: HashMap<String, PerUser>,
}

#[derive(Debug, Default)]
struct PerUser {
    user: Option<usize>,
    assignments: Vec<usize>,
    licences: Vec<usize>,
}

/// The key usernames are compared by.
pub fn user_key(username: &str) -> String {
    username.trim().to_lowercase()
}

impl Snapshot {
    /// Whether the snapshot holds any `User` record: without them no
    /// rule about the org's users can be judged.
    pub fn has_users(&self) -> bool {
        !self.users.is_empty()
    }

    /// The user record of `username`, by index into `users`.
    pub fn user(&self, username: &str) -> Option<usize> {
        self.by_user.get(&user_key(username)).and_then(|u| u.user)
    }

    /// The permission set assignment rows of `username`, in file order.
    pub fn assignments_of(&self, username: &str) -> impl Iterator<Item = &PermissionSetAssignment> {
        self.by_user
            .get(&user_key(username))
            .into_iter()
            .flat_map(|u| u.assignments.iter().map(|&i| &self.assignments[i]))
    }

    /// The permission set licence assignment rows of `username`.
    pub fn licences_of(&self, username: &str) -> impl Iterator<Item = &LicenceAssignment> {
        self.by_user
            .get(&user_key(username))
            .into_iter()
            .flat_map(|u| u.licences.iter().map(|&i| &self.licence_assignments[i]))
    }

    /// Indexes the records by user; a row repeated (the same export in
    /// both formats, say) counts once.
    fn index(&mut self) {
        let mut seen = std::collections::HashSet::new();
        for (i, u) in self.users.iter().enumerate() {
            let entry = self.by_user.entry(user_key(&u.username.value)).or_default();
            entry.user.get_or_insert(i);
        }
        for (i, a) in self.assignments.iter().enumerate() {
            let key = user_key(&a.username.value);
            let row = (
                key.clone(),
                0,
                a.permission_set.value.clone(),
                a.group.value.clone(),
                a.owned_by_profile,
            );
            if seen.insert(row) {
                self.by_user.entry(key).or_default().assignments.push(i);
            }
        }
        for (i, l) in self.licence_assignments.iter().enumerate() {
            let key = user_key(&l.username.value);
            let row = (key.clone(), 1, l.developer_name.value.clone(), None, false);
            if seen.insert(row) {
                self.by_user.entry(key).or_default().licences.push(i);
            }
        }
    }
}

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

// ---- flat records --------------------------------------------------------

/// A value as exported: JSON keeps booleans typed, CSV has text only.
#[derive(Clone, Debug, PartialEq)]
enum Value {
    Null,
    Bool(bool),
    Text(String),
}

/// One field of a record: dotted path, value, where it is.
#[derive(Clone, Debug)]
struct Cell {
    path: String,
    value: Value,
    span: Span,
}

/// One record, whatever the file format.
#[derive(Debug)]
struct Flat {
    kind: Option<RecordType>,
    /// The whole record: the CSV row, or the JSON object.
    span: Span,
    cells: Vec<Cell>,
}

/// A field looked up by path.
enum Field<'a> {
    /// The record has no such field: the query did not select it.
    Missing,
    /// Null, or below a null lookup (`"Profile": null`).
    Null(Span),
    Value(&'a Cell),
}

impl Flat {
    fn field(&self, path: &str) -> Field<'_> {
        if let Some(cell) = self
            .cells
            .iter()
            .find(|c| c.path.eq_ignore_ascii_case(path))
        {
            return match cell.value {
                Value::Null => Field::Null(cell.span),
                _ => Field::Value(cell),
            };
        }
        // `Profile.UserLicense.Name` below `"Profile": null`.
        let mut prefix = path;
        while let Some((head, _)) = prefix.rsplit_once('.') {
            if let Some(cell) = self
                .cells
                .iter()
                .find(|c| c.path.eq_ignore_ascii_case(head) && c.value == Value::Null)
            {
                return Field::Null(cell.span);
            }
            prefix = head;
        }
        Field::Missing
    }
}

/// The records of one file, and what was left out.
struct Records {
    flat: Vec<Flat>,
    /// What was skipped, in words: `2 Profile records`.
    skipped: Vec<String>,
    /// `(totalSize, records held)` when the export was cut short.
    truncated: Option<(u64, usize)>,
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

// ---- JSON ----------------------------------------------------------------

#[derive(Deserialize)]
struct Body<'a> {
    #[serde(borrow)]
    records: Vec<&'a RawValue>,
    #[serde(rename = "totalSize")]
    total_size: Option<u64>,
}

/// `--json` (`{"status":0,"result":{...}}`) or `--result-format json`
/// (`{"records":[...],"totalSize":n,"done":true}`).
#[derive(Deserialize)]
struct Top<'a> {
    status: Option<i64>,
    message: Option<String>,
    #[serde(borrow)]
    result: Option<Body<'a>>,
    #[serde(borrow)]
    records: Option<Vec<&'a RawValue>>,
    #[serde(rename = "totalSize")]
    total_size: Option<u64>,
}

/// Byte offset of `part` (a slice of `text`) in the file.
fn offset_in(text: &str, part: &str, base: usize) -> usize {
    let offset = (part.as_ptr() as usize).wrapping_sub(text.as_ptr() as usize);
    base + offset.min(text.len())
}

fn raw_span(text: &str, raw: &RawValue, base: usize) -> Span {
    let start = offset_in(text, raw.get(), base);
    Span::new(start, start + raw.get().len())
}

fn json_error(text: &str, base: usize, e: &serde_json::Error) -> Problem {
    let at = base + crate::source::offset_of(text, e.line(), e.column());
    let message = e.to_string();
    let message = message
        .rsplit_once(" at line ")
        .map_or(message.as_str(), |(m, _)| m);
    let problem = Problem::at(
        Span::new(at, at + 1),
        format!("invalid JSON: {}", quoted(message)),
    );
    if e.is_eof() {
        problem.with_help("the file looks truncated; export it again")
    } else {
        problem.with_help(QUERY_HELP)
    }
}

fn json_records(text: &str, base: usize) -> Result<Records, Problem> {
    let start = text.len() - text.trim_start().len();
    if !text.trim_start().starts_with('{') {
        return Err(Problem::at(
            Span::new(base + start, base + start + 1),
            "not the output of `sf data query`: expected a JSON object",
        )
        .with_help(QUERY_HELP));
    }
    let top: Top = serde_json::from_str(text).map_err(|e| json_error(text, base, &e))?;
    if let Some(status) = top.status.filter(|s| *s != 0) {
        return Err(Problem::at(
            Span::new(base + start, base + start + 1),
            format!(
                "the file holds a failed `sf data query` (status {status}): {}",
                top.message.as_deref().unwrap_or("no message")
            ),
        )
        .with_help("run the query again and export its results"));
    }
    let (records, total) = match (top.result, top.records) {
        (Some(body), _) => (body.records, body.total_size),
        (None, Some(records)) => (records, top.total_size),
        (None, None) => {
            return Err(Problem::at(
                Span::new(base + start, base + start + 1),
                "not the output of `sf data query`: no `records` list",
            )
            .with_help(QUERY_HELP));
        }
    };
    let mut out = Records {
        flat: vec![],
        skipped: vec![],
        truncated: total
            .filter(|t| *t > records.len() as u64)
            .map(|t| (t, records.len())),
    };
    let mut unknown = std::collections::BTreeMap::new();
    for raw in records {
        let span = raw_span(text, raw, base);
        let mut flat = Flat {
            kind: None,
            span,
            cells: vec![],
        };
        let mut type_name = None;
        flatten(text, base, raw, "", &mut flat.cells, &mut type_name)?;
        match type_name.as_deref() {
            Some(name) => match RecordType::from_name(name) {
                Some(kind) => {
                    flat.kind = Some(kind);
                    out.flat.push(flat);
                }
                None => *unknown.entry(name.to_owned()).or_insert(0) += 1,
            },
            None => {
                return Err(
                    Problem::at(span, "the record has no `attributes.type`").with_help(
                        "sf writes every record with its attributes; export it with sf data query",
                    ),
                );
            }
        }
    }
    out.skipped = unknown
        .into_iter()
        .map(|(name, n)| format!("{n} {name} record{}", plural(n)))
        .collect();
    Ok(out)
}

/// Turns a JSON object into dotted-path cells; nested relationship objects
/// become `Profile.Name`. The top level's `attributes.type` is the record
/// type.
fn flatten(
    text: &str,
    base: usize,
    raw: &RawValue,
    prefix: &str,
    cells: &mut Vec<Cell>,
    type_name: &mut Option<String>,
) -> Result<(), Problem> {
    let span = raw_span(text, raw, base);
    if !raw.get().starts_with('{') {
        return Err(Problem::at(span, "a record is not a JSON object").with_help(QUERY_HELP));
    }
    // The whole file parsed, so the object is well-formed.
    let fields = serde_json::from_str::<RawObject>(raw.get())
        .map_err(|e| {
            Problem::at(
                span,
                format!("invalid JSON record: {}", quoted(&e.to_string())),
            )
        })?
        .0;
    for (key, value) in fields {
        if key == "attributes" {
            if prefix.is_empty() {
                #[derive(Deserialize)]
                struct Attributes {
                    #[serde(rename = "type")]
                    kind: Option<String>,
                }
                *type_name = serde_json::from_str::<Attributes>(value.get())
                    .ok()
                    .and_then(|a| a.kind);
            }
            continue;
        }
        let path = if prefix.is_empty() {
            key
        } else {
            format!("{prefix}.{key}")
        };
        let json = value.get().trim_start();
        let value_span = raw_span(text, value, base);
        let cell_value = match json.as_bytes().first() {
            Some(b'{') => {
                flatten(text, base, value, &path, cells, type_name)?;
                continue;
            }
            Some(b'n') => Value::Null,
            Some(b't') => Value::Bool(true),
            Some(b'f') => Value::Bool(false),
            Some(b'"') => Value::Text(serde_json::from_str::<String>(json).map_err(|e| {
                Problem::at(
                    value_span,
                    format!("invalid JSON string: {}", quoted(&e.to_string())),
                )
            })?),
            _ => Value::Text(json.to_owned()),
        };
        cells.push(Cell {
            path,
            value: cell_value,
            span: value_span,
        });
    }
    Ok(())
}

/// A JSON object as `(key, raw value)` pairs in file order.
struct RawObject<'a>(Vec<(String, &'a RawValue)>);

impl<'de: 'a, 'a> Deserialize<'de> for RawObject<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visit<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> serde::de::Visitor<'de> for Visit<'a> {
            type Value = RawObject<'a>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<M: serde::de::MapAccess<'de>>(
                self,
                mut map: M,
            ) -> Result<Self::Value, M::Error> {
                let mut out = vec![];
                while let Some((k, v)) = map.next_entry::<String, &'de RawValue>()? {
                    out.push((k, v));
                }
                Ok(RawObject(out))
            }
        }
        d.deserialize_map(Visit(std::marker::PhantomData))
    }
}

// ---- CSV -----------------------------------------------------------------

fn csv_records(text: &str, base: usize) -> Result<Records, Problem> {
    let mut out = Records {
        flat: vec![],
        skipped: vec![],
        truncated: None,
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(text.as_bytes());
    let header = reader
        .headers()
        .map_err(|e| csv_error(text, base, &e))?
        .clone();
    let kind = RecordType::from_header(header.iter());
    let mut record = csv::StringRecord::new();
    let mut unknown_rows = 0;
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => return Err(csv_error(text, base, &e)),
        }
        let start = record.position().map_or(0, |p| p.byte() as usize);
        let end = (reader.position().byte() as usize).min(text.len());
        let raw = text[start..end].trim_end_matches(['\r', '\n']);
        let span = Span::new(base + start, base + start + raw.len());
        if raw.bytes().filter(|b| *b == b'"').count() % 2 == 1 {
            return Err(Problem::at(span, "a quoted value is never closed")
                .with_help("the file looks truncated; export it again"));
        }
        let Some(kind) = kind else {
            unknown_rows += 1;
            continue;
        };
        let spans = field_spans(raw, base + start);
        let cells = header
            .iter()
            .zip(record.iter())
            .zip(spans)
            .map(|((path, value), span)| Cell {
                path: path.trim().to_owned(),
                value: if value.is_empty() {
                    Value::Null
                } else {
                    Value::Text(value.to_owned())
                },
                span,
            })
            .collect();
        out.flat.push(Flat {
            kind: Some(kind),
            span,
            cells,
        });
    }
    if unknown_rows > 0 {
        let columns: Vec<&str> = header.iter().collect();
        out.skipped.push(format!(
            "{unknown_rows} row{} whose columns ({}) are no record type minpriv reads",
            plural(unknown_rows),
            quoted(&columns.join(", "))
        ));
    }
    Ok(out)
}

fn csv_error(text: &str, base: usize, e: &csv::Error) -> Problem {
    let at = |pos: Option<&csv::Position>| {
        let start = pos.map_or(0, |p| p.byte() as usize).min(text.len());
        let line = text[start..]
            .find(['\r', '\n'])
            .unwrap_or(text.len() - start);
        Span::new(base + start, base + start + line.max(1))
    };
    match e.kind() {
        csv::ErrorKind::UnequalLengths {
            pos,
            expected_len,
            len,
        } => Problem::at(
            at(pos.as_ref()),
            format!("the row has {len} values, the header has {expected_len}"),
        )
        .with_help("a value with a comma must be quoted; the file looks edited or truncated, export it again"),
        csv::ErrorKind::Utf8 { pos, .. } => Problem::at(at(pos.as_ref()), "invalid UTF-8"),
        _ => Problem::at(at(e.position()), format!("invalid CSV: {}", quoted(&e.to_string()))).with_help(QUERY_HELP),
    }
}

/// The byte span of each value of a raw CSV row (quotes included).
fn field_spans(raw: &str, offset: usize) -> Vec<Span> {
    let mut spans = vec![];
    let mut start = 0;
    let mut quoted = false;
    for (i, b) in raw.bytes().enumerate() {
        match b {
            b'"' => quoted = !quoted,
            b',' if !quoted => {
                spans.push(Span::new(offset + start, offset + i));
                start = i + 1;
            }
            _ => {}
        }
    }
    spans.push(Span::new(offset + start, offset + raw.len()));
    spans
}

// ---- typed records ---------------------------------------------------------

fn read_records(records: &[Flat], file: FileId, into: &mut Snapshot) -> Result<(), Problem> {
    let mut users = vec![];
    let mut assignments = vec![];
    let mut licences = vec![];
    let mut logins = vec![];
    for flat in records {
        let Some(kind) = flat.kind else { continue };
        let get = |path: &str| -> Result<Located<Option<&str>>, Problem> {
            let required = kind
                .fields()
                .iter()
                .any(|(p, required)| *required && p.eq_ignore_ascii_case(path));
            match flat.field(path) {
                Field::Missing if required => Err(Problem::at(
                    flat.span,
                    format!("the {} record lacks `{}`", kind.name(), quoted(path)),
                )
                .with_help(QUERY_HELP)),
                Field::Missing => Ok(Located {
                    value: None,
                    loc: Loc {
                        file,
                        span: flat.span,
                    },
                }),
                Field::Null(span) => Ok(Located {
                    value: None,
                    loc: Loc { file, span },
                }),
                Field::Value(cell) => Ok(Located {
                    value: Some(match &cell.value {
                        Value::Text(t) => t.as_str(),
                        Value::Bool(true) => "true",
                        Value::Bool(false) => "false",
                        Value::Null => "",
                    }),
                    loc: Loc {
                        file,
                        span: cell.span,
                    },
                }),
            }
        };
        let text = |path: &str| -> Result<Located<Option<String>>, Problem> {
            let v = get(path)?;
            Ok(Located {
                value: v
                    .value
                    .map(|s| s.trim().to_owned())
                    .filter(|s| !s.is_empty()),
                loc: v.loc,
            })
        };
        let username = |path: &str| -> Result<Located<String>, Problem> {
            let v = text(path)?;
            match v.value {
                Some(name) => Ok(Located {
                    value: name,
                    loc: v.loc,
                }),
                None => Err(Problem::at(v.loc.span, format!("`{path}` is empty"))
                    .with_help("every record names its user")),
            }
        };
        let boolean = |path: &str| -> Result<Located<bool>, Problem> {
            let v = get(path)?;
            let value = match v.value {
                None => false,
                Some(s) if s.trim().eq_ignore_ascii_case("true") => true,
                Some(s) if s.trim().eq_ignore_ascii_case("false") => false,
                Some(other) => {
                    return Err(Problem::at(
                        v.loc.span,
                        format!(
                            "`{}` must be true or false, found `{}`",
                            quoted(path),
                            quoted(other)
                        ),
                    ));
                }
            };
            Ok(Located { value, loc: v.loc })
        };
        match kind {
            RecordType::User => {
                let last = text("LastLoginDate")?;
                let last_login = match &last.value {
                    None => None,
                    Some(s) => Some(parse_timestamp(s).ok_or_else(|| {
                        Problem::at(
                            last.loc.span,
                            format!("`LastLoginDate` is not a timestamp: `{}`", quoted(s)),
                        )
                        .with_help("sf writes timestamps as 2026-11-20T08:15:00.000+0000")
                    })?),
                };
                users.push(User {
                    username: username("Username")?,
                    id: text("Id")?.value,
                    active: boolean("IsActive")?,
                    user_type: text("UserType")?.value,
                    last_login: Located {
                        value: last_login,
                        loc: last.loc,
                    },
                    profile: text("Profile.Name")?,
                    licence: text("Profile.UserLicense.Name")?,
                });
            }
            RecordType::PermissionSetAssignment => {
                assignments.push(PermissionSetAssignment {
                    username: username("Assignee.Username")?,
                    permission_set: text("PermissionSet.Name")?,
                    owned_by_profile: boolean("PermissionSet.IsOwnedByProfile")?.value,
                    group: text("PermissionSetGroup.DeveloperName")?,
                });
            }
            RecordType::PermissionSetLicenseAssign => {
                licences.push(LicenceAssignment {
                    username: username("Assignee.Username")?,
                    developer_name: text("PermissionSetLicense.DeveloperName")?,
                    master_label: text("PermissionSetLicense.MasterLabel")?.value,
                });
            }
            RecordType::LoginHistory => {
                let time = text("LoginTime")?;
                let day = time
                    .value
                    .as_deref()
                    .and_then(parse_timestamp)
                    .map(|t| jiff::tz::Offset::UTC.to_datetime(t).date())
                    .ok_or_else(|| {
                        Problem::at(time.loc.span, "`LoginTime` is not a timestamp")
                            .with_help("sf writes timestamps as 2026-11-20T08:15:00.000+0000")
                    })?;
                logins.push(crate::usage::LoginRecord {
                    user_id: username("UserId")?,
                    day,
                    source_ip: text("SourceIp")?,
                    success: text("Status")?
                        .value
                        .is_none_or(|s| s.eq_ignore_ascii_case("Success")),
                });
            }
        }
    }
    into.login_history.extend(logins);
    into.users.extend(users);
    into.assignments.extend(assignments);
    into.licence_assignments.extend(licences);
    Ok(())
}

/// `2026-11-20T08:15:00.000+0000` as sf writes it, or any RFC 3339 form.
fn parse_timestamp(text: &str) -> Option<Timestamp> {
    text.parse::<Timestamp>().ok().or_else(|| {
        jiff::fmt::strtime::parse("%Y-%m-%dT%H:%M:%S%.f%z", text)
            .ok()?
            .to_timestamp()
            .ok()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn timestamps_in_sf_and_rfc3339_form() {
        assert_eq!(
            parse_timestamp("2026-11-20T08:15:00.000+0000")
                .unwrap()
                .to_string(),
            "2026-11-20T08:15:00Z"
        );
        assert_eq!(
            parse_timestamp("2026-11-20T09:15:00+01:00")
                .unwrap()
                .to_string(),
            "2026-11-20T08:15:00Z"
        );
        assert!(parse_timestamp("yesterday").is_none());
    }
}
