//! Usage evidence (README, "Usage logs: what each integration really uses"): what each integration user really did, from
//! the org's own logs in the org snapshot directory.
//!
//! Event log files (`EventLogFile.LogFile` downloads: `ApiTotalUsage`,
//! `Login`, and with Event Monitoring `API`, `RestApi`, `BulkApi`,
//! `BulkApi2`) are recognised by their header (an `EVENT_TYPE` column) and
//! each row by its `EVENT_TYPE` value, never by file name. They can hold
//! millions of rows, so they are read streaming, one file per rayon task,
//! into per-user aggregates only: memory grows with users × objects ×
//! addresses, never with rows. `LoginHistory` records (`sf data query`)
//! come through the snapshot reader ([`crate::orgdata`]) as
//! [`LoginRecord`]s.
//!
//! Columns are read by name; unknown columns are ignored. A malformed row
//! is an error located at the row (or its cell) and the rest of the file
//! is read.

use std::collections::{BTreeMap, HashMap};
use std::io::{BufRead, BufReader, Read};
use std::net::IpAddr;
use std::path::{Path, PathBuf};

use jiff::civil::Date;
use rayon::prelude::*;

use crate::model::Located;
use crate::source::{FileError, FileId, Loc, Span};

/// The first and last day (UTC) some logs cover.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    pub first: Date,
    pub last: Date,
}

impl Window {
    fn day(day: Date) -> Self {
        Window {
            first: day,
            last: day,
        }
    }

    fn widen(this: &mut Option<Window>, other: Window) {
        *this = Some(match *this {
            None => other,
            Some(w) => Window {
                first: w.first.min(other.first),
                last: w.last.max(other.last),
            },
        });
    }

    /// Days covered, first and last included.
    pub fn days(self) -> i64 {
        self.first
            .until(self.last)
            .map_or(0, |s| i64::from(s.get_days()))
            + 1
    }
}

impl Window {
    /// `47 days, 2026-10-01 to 2026-11-16`.
    pub fn covered(self) -> String {
        self.describe("")
    }

    fn describe(self, what: &str) -> String {
        let days = self.days();
        let s = if days == 1 { "" } else { "s" };
        if self.first == self.last {
            format!("{days} day{s}{what}, {}", self.first)
        } else {
            format!("{days} day{s}{what}, {} to {}", self.first, self.last)
        }
    }
}

impl std::fmt::Display for Window {
    /// `47 days of logs, 2026-10-01 to 2026-11-16`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.describe(" of logs"))
    }
}

/// What a call did to an object, as far as its log says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verb {
    Read,
    Create,
    Edit,
    Delete,
    /// Create or edit (SOAP / Bulk `upsert`, REST `PATCH` by external id).
    Upsert,
    /// The log does not say (a Bulk job without its operation, a
    /// composite request, another API family).
    Unknown,
}

/// The calls of one user on one object.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ObjectUse {
    /// The object's name as first logged.
    pub name: String,
    pub calls: u64,
    pub read: u64,
    pub create: u64,
    pub edit: u64,
    pub delete: u64,
    /// Calls whose verb the log does not say.
    pub unknown: u64,
}

impl ObjectUse {
    fn add(&mut self, verb: Verb, n: u64) {
        self.calls += n;
        match verb {
            Verb::Read => self.read += n,
            Verb::Create => self.create += n,
            Verb::Edit => self.edit += n,
            Verb::Delete => self.delete += n,
            Verb::Upsert => {
                self.create += n;
                self.edit += n;
            }
            Verb::Unknown => self.unknown += n,
        }
    }

    fn merge(&mut self, other: &ObjectUse) {
        if self.name.is_empty() {
            self.name = other.name.clone();
        }
        self.calls += other.calls;
        self.read += other.read;
        self.create += other.create;
        self.edit += other.edit;
        self.delete += other.delete;
        self.unknown += other.unknown;
    }

    /// Whether every call says which verb it was: only then can a verb be
    /// called unused.
    pub fn verbs_known(&self) -> bool {
        self.unknown == 0
    }
}

/// How often something was seen, where first, and on which days.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Seen {
    pub count: u64,
    /// The first row (by file name, then position) that shows it.
    pub first: Loc,
    pub window: Window,
}

impl Seen {
    fn merge(&mut self, other: &Seen) {
        self.count += other.count;
        self.window.first = self.window.first.min(other.window.first);
        self.window.last = self.window.last.max(other.window.last);
    }
}

/// What the logs show about one user.
#[derive(Clone, Debug, Default)]
pub struct UserUsage {
    /// By lower-case object name.
    pub objects: BTreeMap<String, ObjectUse>,
    /// Calls per connected app name, from logs that name the app
    /// (`ApiTotalUsage`); `""` is a call through no connected app.
    pub apps: BTreeMap<String, Seen>,
    /// Successful logins and API calls per client address.
    pub addresses: BTreeMap<IpAddr, Seen>,
    /// API calls (rows of the API logs).
    pub calls: u64,
    /// Successful logins (`Login` rows, `LoginHistory` records).
    pub logins: u64,
}

impl UserUsage {
    /// The calls on `object` (any case).
    pub fn object(&self, object: &str) -> Option<&ObjectUse> {
        self.objects.get(&object.to_lowercase())
    }
}

/// A `LoginHistory` record, as the snapshot reader found it.
#[derive(Clone, Debug)]
pub struct LoginRecord {
    /// `UserId`: 15 or 18 characters.
    pub user_id: Located<String>,
    /// The day of `LoginTime` (UTC).
    pub day: Date,
    pub source_ip: Located<Option<String>>,
    /// `Status` is `Success`.
    pub success: bool,
}

/// Everything the usage logs tell, per user.
#[derive(Clone, Debug, Default)]
pub struct Usage {
    /// The event log files read, in name order.
    pub files: Vec<FileId>,
    /// `LoginHistory` records read.
    pub login_history: usize,
    /// Rows of event log files read.
    pub rows: u64,
    /// The days the API logs (those that name objects) cover: what USE001
    /// judges unused access over.
    pub calls: Option<Window>,
    /// The days every log read covers, logins included.
    pub all: Option<Window>,
    /// By lower-case username.
    pub users: BTreeMap<String, UserUsage>,
    /// User ids the logs name that the users export does not hold: a user
    /// without usage may be one of them.
    pub unmatched_ids: usize,
}

impl Usage {
    /// Whether the snapshot held any usage log at all.
    pub fn has_logs(&self) -> bool {
        !self.files.is_empty() || self.login_history > 0
    }

    /// What the logs show about `username` (any case).
    pub fn of(&self, username: &str) -> Option<&UserUsage> {
        self.users.get(&username.trim().to_lowercase())
    }
}

/// What the usage logs say about one granted object of one integration:
/// what `minpriv access`, `minpriv init` and the audit report show.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict<'a> {
    /// Calls on it; `window` is what the logs cover.
    Used(&'a ObjectUse, Window),
    /// No call in logs covering at least `min-usage-days`.
    Unused(Window),
    /// The logs cannot tell, and why.
    Unknown(String),
}

impl Verdict<'_> {
    /// `used`, `unused` or `unknown`.
    pub fn status(&self) -> &'static str {
        match self {
            Verdict::Used(..) => "used",
            Verdict::Unused(_) => "unused",
            Verdict::Unknown(_) => "unknown",
        }
    }

    /// `used: 4 calls (2 read, 1 create, 1 edit) in 47 days of logs, …`.
    pub fn describe(&self) -> String {
        match self {
            Verdict::Used(o, w) => format!("used: {} in {w}", o.calls_text()),
            Verdict::Unused(w) => format!("unused: no call in {w}"),
            Verdict::Unknown(why) => format!("usage unknown: {why}"),
        }
    }
}

impl ObjectUse {
    /// The verbs the calls show (an unknown verb shows none).
    pub fn used_access(&self) -> crate::model::ObjectAccess {
        use crate::model::ObjectAccess;
        let mut access = ObjectAccess::empty();
        for (flag, n) in [
            (ObjectAccess::CREATE, self.create),
            (ObjectAccess::READ, self.read),
            (ObjectAccess::EDIT, self.edit),
            (ObjectAccess::DELETE, self.delete),
        ] {
            access.set(flag, n > 0);
        }
        access
    }

    /// `4 calls (2 read, 1 create, 1 edit)`; calls of unknown verb are
    /// `1 of unknown verb`.
    pub fn calls_text(&self) -> String {
        let verbs: Vec<String> = [
            ("read", self.read),
            ("create", self.create),
            ("edit", self.edit),
            ("delete", self.delete),
            ("of unknown verb", self.unknown),
        ]
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .map(|(w, n)| format!("{n} {w}"))
        .collect();
        format!(
            "{} call{} ({})",
            self.calls,
            if self.calls == 1 { "" } else { "s" },
            verbs.join(", ")
        )
    }
}

impl Usage {
    /// Whether the logs can judge what `username` used, or why not.
    pub fn judges(&self, username: Option<&str>) -> Result<Window, String> {
        if !self.has_logs() {
            return Err("no usage logs in the org snapshot".into());
        }
        let Some(window) = self.calls else {
            return Err(
                "no API usage logs (ApiTotalUsage, API, RestApi, BulkApi) in the org snapshot"
                    .into(),
            );
        };
        let Some(username) = username else {
            return Err("the integration's user is unknown".into());
        };
        if self.of(username).is_none() && self.unmatched_ids > 0 {
            return Err("the logs name user ids that the users export does not hold; export the users with Id".into());
        }
        Ok(window)
    }

    /// What the logs say about `username`'s use of `object`.
    pub fn verdict(&self, username: Option<&str>, object: &str, min_days: u32) -> Verdict<'_> {
        let window = match self.judges(username) {
            Ok(w) => w,
            Err(why) => return Verdict::Unknown(why),
        };
        match username
            .and_then(|u| self.of(u))
            .and_then(|u| u.object(object))
        {
            Some(calls) => Verdict::Used(calls, window),
            None if window.days() < i64::from(min_days) => Verdict::Unknown(format!(
                "no call, but the logs cover only {}, less than min-usage-days ({min_days})",
                window.covered()
            )),
            None => Verdict::Unused(window),
        }
    }
}

// ---- recognising an event log file -----------------------------------

/// Whether a CSV header (its first line) is an event log file's: it has
/// an `EVENT_TYPE` column.
pub fn is_event_log_header(line: &[u8]) -> bool {
    line.split(|b| *b == b',')
        .any(|c| unquote(c.trim_ascii()).eq_ignore_ascii_case(b"EVENT_TYPE"))
}

fn unquote(cell: &[u8]) -> &[u8] {
    cell.strip_prefix(b"\"")
        .and_then(|c| c.strip_suffix(b"\""))
        .unwrap_or(cell)
}

/// Whether the CSV file at `path` is an event log file, by its header.
pub fn is_event_log(path: &Path) -> bool {
    let Ok((file, _)) = crate::source::open_regular(path, u64::MAX) else {
        return false;
    };
    let mut line = vec![];
    let mut reader = BufReader::new(file.take(64 * 1024));
    if reader.read_until(b'\n', &mut line).is_err() {
        return false;
    }
    let line = line.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&line);
    is_event_log_header(line)
}

/// The event types read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    ApiTotalUsage,
    Login,
    /// SOAP API (Event Monitoring).
    Api,
    RestApi,
    BulkApi,
    BulkApi2,
}

impl Kind {
    fn from_name(name: &[u8]) -> Option<Kind> {
        const NAMES: [(&[u8], Kind); 6] = [
            (b"ApiTotalUsage", Kind::ApiTotalUsage),
            (b"Login", Kind::Login),
            (b"API", Kind::Api),
            (b"RestApi", Kind::RestApi),
            (b"BulkApi", Kind::BulkApi),
            (b"BulkApi2", Kind::BulkApi2),
        ];
        NAMES
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, k)| *k)
    }
}

/// Column indices, found by name in the header.
#[derive(Default)]
struct Columns {
    count: usize,
    event_type: Option<usize>,
    timestamp: Option<usize>,
    timestamp_derived: Option<usize>,
    user_id: Option<usize>,
    user_name: Option<usize>,
    api_family: Option<usize>,
    api_resource: Option<usize>,
    http_method: Option<usize>,
    method: Option<usize>,
    method_name: Option<usize>,
    uri: Option<usize>,
    entity_name: Option<usize>,
    entity_type: Option<usize>,
    operation_type: Option<usize>,
    connected_app_name: Option<usize>,
    client_ip: Option<usize>,
    source_ip: Option<usize>,
    login_status: Option<usize>,
}

impl Columns {
    fn from_header(header: &csv::ByteRecord) -> Columns {
        let mut c = Columns {
            count: header.len(),
            ..Columns::default()
        };
        for (i, name) in header.iter().enumerate() {
            let name = name.trim_ascii();
            let slot = match name.to_ascii_uppercase().as_slice() {
                b"EVENT_TYPE" => &mut c.event_type,
                b"TIMESTAMP" => &mut c.timestamp,
                b"TIMESTAMP_DERIVED" => &mut c.timestamp_derived,
                b"USER_ID" => &mut c.user_id,
                b"USER_NAME" => &mut c.user_name,
                b"API_FAMILY" => &mut c.api_family,
                b"API_RESOURCE" => &mut c.api_resource,
                b"HTTP_METHOD" => &mut c.http_method,
                b"METHOD" => &mut c.method,
                b"METHOD_NAME" => &mut c.method_name,
                b"URI" => &mut c.uri,
                b"ENTITY_NAME" => &mut c.entity_name,
                b"ENTITY_TYPE" => &mut c.entity_type,
                b"OPERATION_TYPE" => &mut c.operation_type,
                b"CONNECTED_APP_NAME" => &mut c.connected_app_name,
                b"CLIENT_IP" => &mut c.client_ip,
                b"SOURCE_IP" => &mut c.source_ip,
                b"LOGIN_STATUS" => &mut c.login_status,
                _ => continue,
            };
            slot.get_or_insert(i);
        }
        c
    }
}

// ---- what one file gives ----------------------------------------------

/// A user as the log names it: by 15-character id, else by username.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum LogUser {
    Id(String),
    Name(String),
}

/// One user's aggregates in one file; keys as logged.
#[derive(Default)]
struct UserAgg {
    /// The first `USER_NAME` seen with the id.
    user_name: Option<String>,
    objects: HashMap<Box<str>, ObjectUse>,
    apps: HashMap<Box<str>, Seen>,
    addresses: HashMap<Box<str>, Seen>,
    calls: u64,
    logins: u64,
}

/// What reading one event log file gave.
pub struct FileLog {
    pub file: FileId,
    users: Vec<(LogUser, UserAgg)>,
    calls: Option<Window>,
    all: Option<Window>,
    pub rows: u64,
    /// Rows of event types minpriv does not read, per type.
    pub skipped: BTreeMap<String, u64>,
    /// Rows that name no user.
    pub unattributed: u64,
    pub errors: Vec<FileError>,
}

/// At most this many malformed rows are reported per file.
const MAX_ERRORS: usize = 20;

const LOG_HELP: &str =
    "download the file again with the README's `sf api request rest .../LogFile` command";

/// Reads the event log files, in parallel, one task per file; the result
/// is in the order given.
pub fn read_logs(files: &[(PathBuf, FileId)], max_file_size: u64) -> Vec<FileLog> {
    files
        .par_iter()
        .map(|(path, file)| {
            crate::guard::catch(|| read_log_file(path, *file, max_file_size)).unwrap_or_else(
                |panic| {
                    let mut log = FileLog::new(*file);
                    log.errors.push(FileError::whole(
                        *file,
                        format!("internal error while reading this event log ({panic}); this is a bug in minpriv, please report it"),
                    ));
                    log
                },
            )
        })
        .collect()
}

fn read_log_file(path: &Path, file: FileId, max_file_size: u64) -> FileLog {
    let mut log = FileLog::new(file);
    let limit = max_file_size.clamp(1, u32::MAX as u64);
    let f = match crate::source::open_regular(path, limit) {
        Ok((f, _)) => f,
        Err(message) => {
            log.errors.push(FileError::whole(file, message));
            return log;
        }
    };
    // `take` keeps a file that grows while it is read inside the limit.
    read_log(&mut log, BufReader::with_capacity(1 << 18, f.take(limit)));
    log
}

/// Reads event log text (for the fuzzer and the tests): rows read and the
/// errors with their spans.
pub fn scan_log(bytes: &[u8]) -> (u64, Vec<(Option<Span>, String)>) {
    let mut log = FileLog::new(FileId(0));
    read_log(&mut log, bytes);
    let errors = log
        .errors
        .into_iter()
        .map(|e| (e.problem.span, e.problem.message))
        .collect();
    (log.rows, errors)
}

impl FileLog {
    fn new(file: FileId) -> Self {
        FileLog {
            file,
            users: vec![],
            calls: None,
            all: None,
            rows: 0,
            skipped: BTreeMap::new(),
            unattributed: 0,
            errors: vec![],
        }
    }

    fn error(&mut self, span: Span, message: String) {
        self.errors
            .push(FileError::at(self.file, span, message).with_help(LOG_HELP));
    }
}

/// Where the cells of one row are.
struct RowPlace {
    start: usize,
    /// The row's length without its line end.
    len: usize,
    /// Where the reader stands after the row: no span goes past it.
    limit: usize,
}

impl RowPlace {
    fn span(&self) -> Span {
        let start = self.start.min(self.limit);
        Span::new(start, (start + self.len.max(1)).min(self.limit))
    }

    /// The span of cell `k` when the row's layout can be worked out from
    /// the values (no quotes, or every value quoted without inner quotes:
    /// how Salesforce writes them); else the whole row.
    fn cell(&self, record: &csv::ByteRecord, k: usize) -> Span {
        let n = record.len();
        let values = record.as_slice().len();
        let before: usize = (0..k).map(|i| record[i].len()).sum();
        let value = record.get(k).map_or(0, <[u8]>::len);
        let span = if self.len == values + n.saturating_sub(1) {
            let at = self.start + before + k;
            Span::new(at, at + value)
        } else if self.len == (values + 3 * n).saturating_sub(1) {
            let at = self.start + before + 3 * k;
            Span::new(at, at + value + 2)
        } else {
            return self.span();
        };
        if span.end as usize > self.limit {
            return self.span();
        }
        span
    }
}

/// The day of `TIMESTAMP` (`20261001093012.123`) or `TIMESTAMP_DERIVED`
/// (`2026-10-01T09:30:12.123Z`).
fn day_of(timestamp: &[u8], derived: bool) -> Option<Date> {
    let digits = |s: &[u8]| -> Option<i32> {
        s.iter().try_fold(0i32, |n, b| {
            b.is_ascii_digit().then(|| n * 10 + i32::from(b - b'0'))
        })
    };
    let (y, m, d) = if derived {
        if timestamp.len() < 10 || timestamp[4] != b'-' || timestamp[7] != b'-' {
            return None;
        }
        if timestamp.len() > 10 && timestamp[10] != b'T' && timestamp[10] != b' ' {
            return None;
        }
        (
            digits(&timestamp[0..4])?,
            digits(&timestamp[5..7])?,
            digits(&timestamp[8..10])?,
        )
    } else {
        if timestamp.len() < 14 || digits(&timestamp[8..14]).is_none() {
            return None;
        }
        (
            digits(&timestamp[0..4])?,
            digits(&timestamp[4..6])?,
            digits(&timestamp[6..8])?,
        )
    };
    Date::new(
        i16::try_from(y).ok()?,
        i8::try_from(m).ok()?,
        i8::try_from(d).ok()?,
    )
    .ok()
}

/// A Salesforce id's first 15 characters (15- and 18-character ids name
/// the same record).
fn id15(id: &str) -> Option<&str> {
    let id = id.trim();
    (matches!(id.len(), 15 | 18) && id.bytes().all(|b| b.is_ascii_alphanumeric()))
        .then(|| &id[..15])
}

/// Whether `hay` contains `needle` (ASCII, any case).
fn contains_ci(hay: &str, needle: &str) -> bool {
    hay.as_bytes()
        .windows(needle.len())
        .any(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

/// Which of `names` `word` is (ASCII, any case).
fn one_of(word: &str, names: &[&str]) -> bool {
    names.iter().any(|n| n.eq_ignore_ascii_case(word))
}

/// REST: the verb of an HTTP method on a resource.
pub fn rest_verb(method: &str, resource: &str) -> Verb {
    if contains_ci(resource, "composite") || contains_ci(resource, "/batch") {
        return Verb::Unknown;
    }
    if contains_ci(resource, "query") || contains_ci(resource, "search") {
        return Verb::Read;
    }
    let method = method.trim();
    if one_of(method, &["GET", "HEAD"]) {
        Verb::Read
    } else if method.eq_ignore_ascii_case("POST") {
        Verb::Create
    } else if one_of(method, &["PATCH", "PUT"]) {
        // `sobjects/Account/External_Id__c/42`: upsert by external id.
        let lower = resource.to_ascii_lowercase();
        let after = lower.split_once("sobjects/").map_or("", |(_, a)| a);
        if after.split('/').filter(|s| !s.is_empty()).count() >= 3 {
            Verb::Upsert
        } else {
            Verb::Edit
        }
    } else if method.eq_ignore_ascii_case("DELETE") {
        Verb::Delete
    } else {
        Verb::Unknown
    }
}

/// SOAP: the verb of a call.
pub fn soap_verb(call: &str) -> Verb {
    let call = call.trim();
    if one_of(
        call,
        &[
            "query",
            "queryAll",
            "queryMore",
            "retrieve",
            "search",
            "getUpdated",
            "getDeleted",
            "describeSObject",
            "describeSObjects",
        ],
    ) {
        Verb::Read
    } else if call.eq_ignore_ascii_case("create") {
        Verb::Create
    } else if call.eq_ignore_ascii_case("update") {
        Verb::Edit
    } else if call.eq_ignore_ascii_case("upsert") {
        Verb::Upsert
    } else if one_of(call, &["delete", "undelete", "hardDelete"]) {
        Verb::Delete
    } else {
        Verb::Unknown
    }
}

/// Bulk API (1 and 2.0): the verb of a job's operation; a job without its
/// operation does not say.
pub fn bulk_verb(operation: &str) -> Verb {
    let op = operation.trim();
    if op.eq_ignore_ascii_case("insert") {
        Verb::Create
    } else if op.eq_ignore_ascii_case("update") {
        Verb::Edit
    } else if op.eq_ignore_ascii_case("upsert") {
        Verb::Upsert
    } else if one_of(op, &["delete", "hardDelete"]) {
        Verb::Delete
    } else if one_of(op, &["query", "queryAll"]) {
        Verb::Read
    } else {
        Verb::Unknown
    }
}

fn read_log(log: &mut FileLog, mut input: impl BufRead) {
    // Whether lines end in CRLF, as LogFile downloads do: the reader then
    // places each record at the `\n` left over from the line before.
    let crlf;
    // Whether anything follows the byte order mark: an empty file's header
    // error is an empty span at its end, not a byte past it.
    let empty;
    let base = match input.fill_buf() {
        Ok(head) => match crate::source::text_start(head) {
            Err(mark) => {
                log.errors.push(
                    FileError::at(log.file, mark, "the file is UTF-16 encoded")
                        .with_help("LogFile downloads are UTF-8; PowerShell's `>` writes UTF-16: use `--output-file` or convert the file"),
                );
                return;
            }
            Ok(base) => {
                crlf = memchr::memchr(b'\n', head).is_some_and(|i| i > 0 && head[i - 1] == b'\r');
                empty = head.len() <= base;
                base
            }
        },
        Err(e) => {
            log.errors.push(FileError::whole(
                log.file,
                format!("cannot read the file: {e}"),
            ));
            return;
        }
    };
    input.consume(base);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(input);
    let columns = match reader.byte_headers() {
        Ok(header) => Columns::from_header(header),
        Err(e) => {
            let at = e.position().map_or(0, |p| p.byte() as usize) + base;
            log.error(Span::new(at, at + 1), format!("invalid CSV header: {e}"));
            return;
        }
    };
    let header_span = Span::new(base, base + usize::from(!empty));
    let (Some(event_type), true, true) = (
        columns.event_type,
        columns.timestamp.is_some() || columns.timestamp_derived.is_some(),
        columns.user_id.is_some() || columns.user_name.is_some(),
    ) else {
        log.error(
            header_span,
            "an event log file's header needs EVENT_TYPE, TIMESTAMP (or TIMESTAMP_DERIVED) and USER_ID (or USER_NAME)".into(),
        );
        return;
    };
    let mut reading = Reading {
        users: HashMap::new(),
        aggs: vec![],
        last: None,
        kind_cache: (Vec::new(), None),
        errors_over: 0,
    };
    let mut record = csv::ByteRecord::new();
    loop {
        let start = reader.position().byte() as usize + base;
        match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let at = e.position().map_or(start, |p| p.byte() as usize + base);
                log.error(Span::new(at, at + 1), format!("invalid CSV: {e}"));
                if !matches!(e.kind(), csv::ErrorKind::UnequalLengths { .. }) {
                    break;
                }
                continue;
            }
        }
        let end = reader.position().byte() as usize + base;
        let start = record
            .position()
            .map_or(start, |p| p.byte() as usize + base + usize::from(crlf));
        let raw = end.saturating_sub(start);
        // The line end is one or two bytes, or none at the end of the file.
        let values = record.as_slice().len() + record.len().saturating_sub(1);
        let quoted = (record.as_slice().len() + 3 * record.len()).saturating_sub(1);
        let len = [0, 1, 2]
            .into_iter()
            .map(|t| raw.saturating_sub(t))
            .find(|l| *l == values || *l == quoted)
            .unwrap_or(raw);
        let place = RowPlace {
            start,
            len,
            limit: end,
        };
        if let Err(message) = read_row(log, &mut reading, &columns, event_type, &record, &place) {
            if log.errors.len() < MAX_ERRORS {
                log.error(message.0, message.1);
            } else {
                reading.errors_over += 1;
            }
        }
    }
    if reading.errors_over > 0 {
        log.errors.push(FileError::whole(
            log.file,
            format!(
                "{} more malformed rows in this file are not shown",
                reading.errors_over
            ),
        ));
    }
    let mut users = reading.aggs;
    users.sort_by(|a, b| format!("{:?}", a.0).cmp(&format!("{:?}", b.0)));
    log.users = users;
}

/// The state of one file's reading.
struct Reading {
    /// Index into `aggs`.
    users: HashMap<LogUser, usize>,
    aggs: Vec<(LogUser, UserAgg)>,
    /// The last row's user id / name bytes and index: rows come in runs.
    last: Option<(Vec<u8>, usize)>,
    /// The last `EVENT_TYPE` value and what it is.
    kind_cache: (Vec<u8>, Option<Kind>),
    errors_over: u64,
}

type RowError = (Span, String);

fn read_row(
    log: &mut FileLog,
    reading: &mut Reading,
    columns: &Columns,
    event_type: usize,
    record: &csv::ByteRecord,
    place: &RowPlace,
) -> Result<(), RowError> {
    log.rows += 1;
    if record.len() != columns.count {
        return Err((
            place.span(),
            format!(
                "the row has {} values, the header has {}",
                record.len(),
                columns.count
            ),
        ));
    }
    let text = |i: Option<usize>| -> Result<&str, RowError> {
        let Some(i) = i else { return Ok("") };
        simdutf8::basic::from_utf8(&record[i])
            .map(str::trim)
            .map_err(|_| (place.cell(record, i), "invalid UTF-8".to_owned()))
    };
    let kind = {
        let name = &record[event_type];
        if reading.kind_cache.0 != name {
            reading.kind_cache = (name.to_vec(), Kind::from_name(name.trim_ascii()));
        }
        reading.kind_cache.1
    };
    let Some(kind) = kind else {
        let name = text(Some(event_type))?;
        if log.skipped.len() < 32 || log.skipped.contains_key(name) {
            *log.skipped.entry(name.to_owned()).or_default() += 1;
        }
        return Ok(());
    };
    let day = match (
        columns
            .timestamp
            .map(|i| &record[i])
            .filter(|t| !t.is_empty()),
        columns.timestamp_derived,
    ) {
        (Some(t), _) => day_of(t.trim_ascii(), false).ok_or_else(|| {
            (
                place.cell(record, columns.timestamp.unwrap_or(0)),
                format!(
                    "TIMESTAMP is not yyyyMMddHHmmss.SSS: `{}`",
                    String::from_utf8_lossy(t)
                ),
            )
        })?,
        (None, Some(i)) => day_of(record[i].trim_ascii(), true).ok_or_else(|| {
            (
                place.cell(record, i),
                format!(
                    "TIMESTAMP_DERIVED is not an ISO 8601 timestamp: `{}`",
                    String::from_utf8_lossy(&record[i])
                ),
            )
        })?,
        (None, None) => {
            return Err((place.span(), "the row has no TIMESTAMP".to_owned()));
        }
    };
    // Who.
    let id = text(columns.user_id)?;
    let name = text(columns.user_name)?;
    let key_bytes = if id.is_empty() { name } else { id };
    if key_bytes.is_empty() {
        log.unattributed += 1;
        return Ok(());
    }
    let user = match &reading.last {
        Some((bytes, index)) if bytes == key_bytes.as_bytes() => *index,
        _ => {
            let key = if id.is_empty() {
                LogUser::Name(name.to_lowercase())
            } else {
                LogUser::Id(
                    id15(id)
                        .ok_or_else(|| {
                            (
                                place.cell(record, columns.user_id.unwrap_or(0)),
                                format!(
                                    "USER_ID is not a 15- or 18-character Salesforce id: `{id}`"
                                ),
                            )
                        })?
                        .to_owned(),
                )
            };
            let next = reading.aggs.len();
            let index = *reading.users.entry(key.clone()).or_insert(next);
            if index == next {
                reading.aggs.push((key, UserAgg::default()));
            }
            reading.last = Some((key_bytes.as_bytes().to_vec(), index));
            index
        }
    };
    // What: read every value before the row counts, so a malformed one
    // leaves the aggregates untouched.
    let address_column = match kind {
        Kind::Login if columns.source_ip.is_some_and(|i| !record[i].is_empty()) => {
            columns.source_ip
        }
        _ => columns.client_ip,
    };
    let address = text(address_column)?;
    let mut object = None;
    let mut app = None;
    let mut login_ok = false;
    match kind {
        Kind::Login => {
            let status = text(columns.login_status)?;
            login_ok = status.is_empty() || status.eq_ignore_ascii_case("LOGIN_NO_ERROR");
        }
        Kind::ApiTotalUsage => {
            let entity = text(columns.entity_name)?;
            let family = text(columns.api_family)?;
            let resource = text(columns.api_resource)?;
            let method = text(columns.http_method)?;
            if !entity.is_empty() {
                let verb = if family.eq_ignore_ascii_case("REST") {
                    Some(rest_verb(method, resource))
                } else if family.eq_ignore_ascii_case("SOAP") {
                    Some(soap_verb(resource))
                } else if family
                    .get(..4)
                    .is_some_and(|f| f.eq_ignore_ascii_case("apex"))
                {
                    // Apex REST / SOAP: the objects the code touches are
                    // not logged.
                    None
                } else {
                    Some(Verb::Unknown)
                };
                object = verb.map(|v| (entity, v));
            }
            if columns.connected_app_name.is_some() {
                app = Some((
                    text(columns.connected_app_name)?,
                    columns.connected_app_name.unwrap_or(0),
                ));
            }
        }
        Kind::Api => {
            let entity = text(columns.entity_name)?;
            let call = text(columns.method_name)?;
            if !entity.is_empty() {
                object = Some((entity, soap_verb(call)));
            }
        }
        Kind::RestApi => {
            let entity = text(columns.entity_name)?;
            let method = text(columns.method)?;
            let uri = text(columns.uri)?;
            if !entity.is_empty() {
                object = Some((entity, rest_verb(method, uri)));
            }
        }
        Kind::BulkApi | Kind::BulkApi2 => {
            let entity = text(columns.entity_type.or(columns.entity_name))?;
            let operation = text(columns.operation_type)?;
            if !entity.is_empty() {
                object = Some((entity, bulk_verb(operation)));
            }
        }
    }

    let agg = &mut reading.aggs[user].1;
    if agg.user_name.is_none() && !name.is_empty() {
        agg.user_name = Some(name.to_owned());
    }
    Window::widen(&mut log.all, Window::day(day));
    let counted = match kind {
        Kind::Login => {
            if login_ok {
                agg.logins += 1;
            }
            login_ok
        }
        _ => {
            Window::widen(&mut log.calls, Window::day(day));
            agg.calls += 1;
            true
        }
    };
    if let Some((entity, verb)) = object {
        match agg.objects.get_mut(entity) {
            Some(o) => o.add(verb, 1),
            None => {
                let mut o = ObjectUse {
                    name: entity.to_owned(),
                    ..ObjectUse::default()
                };
                o.add(verb, 1);
                agg.objects.insert(entity.into(), o);
            }
        }
    }
    let file = log.file;
    let seen =
        |map: &mut HashMap<Box<str>, Seen>, value: &str, column: usize| match map.get_mut(value) {
            Some(s) => {
                s.count += 1;
                s.window.first = s.window.first.min(day);
                s.window.last = s.window.last.max(day);
            }
            None => {
                map.insert(
                    value.into(),
                    Seen {
                        count: 1,
                        first: Loc {
                            file,
                            span: place.cell(record, column),
                        },
                        window: Window::day(day),
                    },
                );
            }
        };
    if let Some((name, column)) = app {
        seen(&mut agg.apps, name, column);
    }
    if counted && !address.is_empty() {
        seen(&mut agg.addresses, address, address_column.unwrap_or(0));
    }
    Ok(())
}

// ---- per user, across files ---------------------------------------------

/// What building the usage found worth a note.
pub struct Built {
    pub usage: Usage,
    pub notes: Vec<String>,
    pub errors: Vec<FileError>,
}

/// Merges the files (in the order given) and the `LoginHistory` records
/// into per-user usage; ids are matched to usernames through `users`
/// (`(Id, Username)` of the users export).
pub fn build(
    logs: Vec<FileLog>,
    logins: &[LoginRecord],
    users: &[(String, String)],
    shown: impl Fn(FileId) -> String,
) -> Built {
    let by_id: HashMap<&str, &str> = users
        .iter()
        .filter_map(|(id, name)| Some((id15(id)?, name.as_str())))
        .collect();
    let mut usage = Usage {
        login_history: logins.len(),
        ..Usage::default()
    };
    let mut notes = vec![];
    let mut errors = vec![];
    let mut unmatched: BTreeMap<String, u64> = BTreeMap::new();
    for log in logs {
        usage.files.push(log.file);
        usage.rows += log.rows;
        if let Some(w) = log.calls {
            Window::widen(&mut usage.calls, w);
        }
        if let Some(w) = log.all {
            Window::widen(&mut usage.all, w);
        }
        errors.extend(log.errors);
        for (name, n) in &log.skipped {
            notes.push(format!(
                "{}: skipped {n} {name} row{} (minpriv reads ApiTotalUsage, Login, API, RestApi, BulkApi and BulkApi2)",
                shown(log.file),
                if *n == 1 { "" } else { "s" }
            ));
        }
        for (key, agg) in log.users {
            let username = match &key {
                LogUser::Name(name) => Some(name.clone()),
                LogUser::Id(id) => by_id
                    .get(id.as_str())
                    .map(|n| n.to_lowercase())
                    .or_else(|| agg.user_name.as_ref().map(|n| n.to_lowercase())),
            };
            let Some(username) = username else {
                if let LogUser::Id(id) = key {
                    *unmatched.entry(id).or_default() += agg.calls + agg.logins;
                }
                continue;
            };
            let user = usage.users.entry(username).or_default();
            user.calls += agg.calls;
            user.logins += agg.logins;
            for (name, o) in agg.objects {
                user.objects
                    .entry(name.to_lowercase())
                    .or_default()
                    .merge(&o);
            }
            for (name, s) in agg.apps {
                merge_seen(user.apps.entry(name.into()), s);
            }
            for (address, s) in agg.addresses {
                if let Ok(ip) = address.parse::<IpAddr>() {
                    merge_seen(user.addresses.entry(ip), s);
                }
            }
        }
    }
    for login in logins {
        let Some(username) = id15(&login.user_id.value).and_then(|id| by_id.get(id)) else {
            if let Some(id) = id15(&login.user_id.value) {
                *unmatched.entry(id.to_owned()).or_default() += 1;
            }
            continue;
        };
        Window::widen(&mut usage.all, Window::day(login.day));
        if !login.success {
            continue;
        }
        let user = usage.users.entry(username.to_lowercase()).or_default();
        user.logins += 1;
        if let Some(ip) = login
            .source_ip
            .value
            .as_deref()
            .and_then(|a| a.trim().parse::<IpAddr>().ok())
        {
            merge_seen(
                user.addresses.entry(ip),
                Seen {
                    count: 1,
                    first: login.source_ip.loc,
                    window: Window::day(login.day),
                },
            );
        }
    }
    usage.unmatched_ids = unmatched.len();
    if !unmatched.is_empty() {
        let ids: Vec<&str> = unmatched.keys().map(String::as_str).collect();
        notes.push(format!(
            "the usage logs name {} user id{} that the users export does not hold ({}); export the users with `Id` (the README's User query) so their calls count",
            ids.len(),
            if ids.len() == 1 { "" } else { "s" },
            crate::source::name_list(&ids, 3)
        ));
    }
    Built {
        usage,
        notes,
        errors,
    }
}

fn merge_seen<K: Ord>(entry: std::collections::btree_map::Entry<'_, K, Seen>, seen: Seen) {
    use std::collections::btree_map::Entry;
    match entry {
        Entry::Vacant(v) => {
            v.insert(seen);
        }
        Entry::Occupied(mut o) => o.get_mut().merge(&seen),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const API_TOTAL: &str = "\"EVENT_TYPE\",\"TIMESTAMP\",\"REQUEST_ID\",\"ORGANIZATION_ID\",\"USER_ID\",\"API_FAMILY\",\"API_VERSION\",\"API_RESOURCE\",\"CLIENT_NAME\",\"HTTP_METHOD\",\"CLIENT_IP\",\"COUNTS_AGAINST_API_LIMIT\",\"CONNECTED_APP_ID\",\"ENTITY_NAME\",\"STATUS_CODE\",\"CONNECTED_APP_NAME\",\"USER_NAME\",\"TIMESTAMP_DERIVED\"\n\
\"ApiTotalUsage\",\"20261001093012.123\",\"4exLFi1\",\"00D5g000000abcd\",\"0055g00000AbCdE\",\"REST\",\"62.0\",\"/v62.0/sobjects/Contact\",\"\",\"POST\",\"13.111.4.20\",\"1\",\"0H45g000000XyZa\",\"Contact\",\"201\",\"Orders Sync\",\"svc.orders@acme.example\",\"2026-10-01T09:30:12.123Z\"\n\
\"ApiTotalUsage\",\"20261002093012.123\",\"4exLFi2\",\"00D5g000000abcd\",\"0055g00000AbCdE\",\"SOAP\",\"62.0\",\"query\",\"\",\"POST\",\"13.111.4.20\",\"1\",\"\",\"Account\",\"200\",\"\",\"svc.orders@acme.example\",\"2026-10-02T09:30:12.123Z\"\n\
\"ApiTotalUsage\",\"20261016093012.123\",\"4exLFi3\",\"00D5g000000abcd\",\"0055g00000AbCdE\",\"Bulk\",\"62.0\",\"/v62.0/jobs/ingest\",\"\",\"POST\",\"52.10.1.9\",\"1\",\"0H45g000000XyZa\",\"Order\",\"200\",\"Orders Sync\",\"svc.orders@acme.example\",\"2026-10-16T09:30:12.123Z\"\n";

    fn read(text: &str) -> FileLog {
        let mut log = FileLog::new(FileId(0));
        read_log(&mut log, text.as_bytes());
        log
    }

    #[test]
    fn recognises_event_logs_by_header() {
        assert!(is_event_log_header(
            API_TOTAL.lines().next().unwrap().as_bytes()
        ));
        assert!(is_event_log_header(b"TIMESTAMP,EVENT_TYPE,USER_ID\r\n"));
        assert!(!is_event_log_header(b"Username,IsActive\n"));
    }

    #[test]
    fn aggregates_objects_verbs_apps_addresses_and_the_window() {
        let built = build(
            vec![read(API_TOTAL)],
            &[],
            &[(
                "0055g00000AbCdEAAA".into(),
                "Svc.Orders@acme.example".into(),
            )],
            |_| String::new(),
        );
        assert!(built.errors.is_empty(), "{:?}", built.errors);
        let usage = built.usage;
        assert_eq!(usage.rows, 3);
        let w = usage.calls.unwrap();
        assert_eq!(w.to_string(), "16 days of logs, 2026-10-01 to 2026-10-16");
        let user = usage.of("svc.orders@ACME.example").unwrap();
        assert_eq!(user.calls, 3);
        let contact = user.object("contact").unwrap();
        assert_eq!((contact.create, contact.read, contact.unknown), (1, 0, 0));
        assert_eq!(user.object("Account").unwrap().read, 1);
        let order = user.object("Order").unwrap();
        assert!(!order.verbs_known());
        assert_eq!(user.apps["Orders Sync"].count, 2);
        assert_eq!(user.apps[""].count, 1);
        let ip: IpAddr = "13.111.4.20".parse().unwrap();
        assert_eq!(user.addresses[&ip].count, 2);
        // The first row's CLIENT_IP cell, quotes included.
        let span = user.addresses[&ip].first.span;
        assert_eq!(
            &API_TOTAL[span.start as usize..span.end as usize],
            "\"13.111.4.20\""
        );
    }

    #[test]
    fn malformed_rows_are_located_and_the_rest_is_read() {
        let text = "EVENT_TYPE,TIMESTAMP,USER_ID,ENTITY_NAME,API_FAMILY,API_RESOURCE,HTTP_METHOD\n\
ApiTotalUsage,2026100109,0055g00000AbCdE,Contact,REST,/sobjects/Contact,GET\n\
ApiTotalUsage,20261001093012.1,0055g00000AbCdE\n\
ApiTotalUsage,20261001093012.1,005short,Contact,REST,/sobjects/Contact,GET\n\
ApiTotalUsage,20261001093012.1,0055g00000AbCdE,Contact,REST,/sobjects/Contact,GET\n";
        let log = read(text);
        let found: Vec<(&str, &str)> = log
            .errors
            .iter()
            .map(|e| {
                let s = e.span.unwrap();
                (e.message.as_str(), &text[s.start as usize..s.end as usize])
            })
            .collect();
        assert_eq!(
            found,
            [
                (
                    "TIMESTAMP is not yyyyMMddHHmmss.SSS: `2026100109`",
                    "2026100109"
                ),
                (
                    "the row has 3 values, the header has 7",
                    "ApiTotalUsage,20261001093012.1,0055g00000AbCdE"
                ),
                (
                    "USER_ID is not a 15- or 18-character Salesforce id: `005short`",
                    "005short"
                ),
            ]
        );
        assert_eq!(log.rows, 4);
        let built = build(
            vec![log],
            &[],
            &[("0055g00000AbCdE".into(), "a@x".into())],
            |_| String::new(),
        );
        assert_eq!(
            built
                .usage
                .of("a@x")
                .unwrap()
                .object("Contact")
                .unwrap()
                .read,
            1
        );
    }

    #[test]
    fn cells_are_located_in_crlf_files_too() {
        let text = "\"EVENT_TYPE\",\"TIMESTAMP\",\"USER_ID\"\r\n\"Login\",\"2026\",\"0055g00000AbCdE\"\r\n\"Login\",\"20261001093012.1\",\"x\"\r\n";
        let log = read(text);
        let found: Vec<&str> = log
            .errors
            .iter()
            .map(|e| {
                let s = e.span.unwrap();
                &text[s.start as usize..s.end as usize]
            })
            .collect();
        assert_eq!(found, ["\"2026\"", "\"x\""]);
    }

    #[test]
    fn verbs() {
        assert_eq!(
            rest_verb("GET", "/v62.0/sobjects/Contact/003xx"),
            Verb::Read
        );
        assert_eq!(
            rest_verb("PATCH", "/v62.0/sobjects/Contact/003xx"),
            Verb::Edit
        );
        assert_eq!(
            rest_verb("PATCH", "/v62.0/sobjects/Contact/Ext__c/42"),
            Verb::Upsert
        );
        assert_eq!(
            rest_verb("POST", "/v62.0/composite/sobjects"),
            Verb::Unknown
        );
        assert_eq!(rest_verb("GET", "/v62.0/query"), Verb::Read);
        assert_eq!(
            rest_verb("DELETE", "/v62.0/sobjects/Contact/003xx"),
            Verb::Delete
        );
        assert_eq!(soap_verb("upsert"), Verb::Upsert);
        assert_eq!(soap_verb("convertLead"), Verb::Unknown);
        assert_eq!(bulk_verb(""), Verb::Unknown);
        assert_eq!(bulk_verb("hardDelete"), Verb::Delete);
    }

    #[test]
    fn days_from_both_timestamp_forms() {
        let d = Date::new(2026, 10, 1).unwrap();
        assert_eq!(day_of(b"20261001093012.123", false), Some(d));
        assert_eq!(day_of(b"2026-10-01T09:30:12.123Z", true), Some(d));
        assert_eq!(day_of(b"20261301093012.123", false), None);
        assert_eq!(day_of(b"2026/10/01", true), None);
    }
}
