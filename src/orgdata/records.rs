//! One record, whatever the export's format: dotted field paths, each
//! with its value and span; and the typed records read from them.

use jiff::Timestamp;

use super::QUERY_HELP;
use super::snapshot::{LicenceAssignment, PermissionSetAssignment, RecordType, Snapshot, User};
use crate::model::Located;
use crate::parse::xml::quoted;
use crate::source::{FileId, Loc, Problem, Span};

/// A value as exported: JSON keeps booleans typed, CSV has text only.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Value {
    Null,
    Bool(bool),
    Text(String),
}

/// One field of a record: dotted path, value, where it is.
#[derive(Clone, Debug)]
pub(super) struct Cell {
    pub(super) path: String,
    pub(super) value: Value,
    pub(super) span: Span,
}

/// One record, whatever the file format.
#[derive(Debug)]
pub(super) struct Flat {
    pub(super) kind: Option<RecordType>,
    /// The whole record: the CSV row, or the JSON object.
    pub(super) span: Span,
    pub(super) cells: Vec<Cell>,
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
pub(super) struct Records {
    pub(super) flat: Vec<Flat>,
    /// What was skipped, in words: `2 Profile records`.
    pub(super) skipped: Vec<String>,
    /// `(totalSize, records held)` when the export was cut short.
    pub(super) truncated: Option<(u64, usize)>,
}

pub(super) fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

pub(super) fn read_records(
    records: &[Flat],
    file: FileId,
    into: &mut Snapshot,
) -> Result<(), Problem> {
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
