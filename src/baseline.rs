//! Baselines: the findings a team has accepted for now, so a legacy org can
//! adopt minpriv and fail only on what is new.
//!
//! A baseline records each finding's fingerprint (rule, integration,
//! component, subject — never a line, a path or a file format) and how many
//! current findings share it. `--baseline` hides up to that many findings
//! per fingerprint, so a second, new finding with the same fingerprint is
//! still reported.
//!
//! A grouped finding (one root cause, several elements) counts per
//! element: it records one fingerprint per element, is hidden only while
//! every element is recorded, and when shown says which elements are new.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::engine::Finding;

/// The file format's version; it changes with the fingerprint recipe.
pub const VERSION: u32 = 1;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Baseline {
    pub version: u32,
    pub tool: Tool,
    pub entries: Vec<Entry>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tool {
    pub name: String,
    pub version: String,
}

/// One fingerprint. Everything but `fingerprint` and `count` is there for
/// the people who review the file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub fingerprint: String,
    pub rule: String,
    #[serde(default)]
    pub integration: Option<String>,
    #[serde(default)]
    pub component: String,
    #[serde(default)]
    pub subject: String,
    pub count: usize,
}

impl Baseline {
    /// Every finding of a run, grouped by fingerprint, sorted for review.
    pub fn from_findings(findings: &[Finding]) -> Self {
        let mut by_fingerprint: BTreeMap<&str, Entry> = BTreeMap::new();
        for f in findings {
            let subjects: Vec<&str> = if f.elements.is_empty() {
                vec![&f.subject]
            } else {
                f.elements.iter().map(|e| e.name.as_str()).collect()
            };
            for (fingerprint, subject) in f.fingerprints().zip(subjects) {
                by_fingerprint
                    .entry(fingerprint)
                    .or_insert_with(|| Entry {
                        fingerprint: fingerprint.to_owned(),
                        rule: f.code.to_owned(),
                        integration: f.integration.clone(),
                        component: f.component.to_string(),
                        subject: subject.to_owned(),
                        count: 0,
                    })
                    .count += 1;
            }
        }
        let mut entries: Vec<Entry> = by_fingerprint.into_values().collect();
        entries.sort_by(|a, b| {
            (
                &a.rule,
                &a.component,
                &a.integration,
                &a.subject,
                &a.fingerprint,
            )
                .cmp(&(
                    &b.rule,
                    &b.component,
                    &b.integration,
                    &b.subject,
                    &b.fingerprint,
                ))
        });
        Baseline {
            version: VERSION,
            tool: Tool {
                name: "minpriv".into(),
                version: env!("CARGO_PKG_VERSION").into(),
            },
            entries,
        }
    }

    pub fn to_json(&self) -> String {
        let mut out = serde_json::to_string_pretty(self).expect("JSON of plain data");
        out.push('\n');
        out
    }

    /// Parses and checks a baseline file's text.
    pub fn parse(text: &str) -> Result<Self, String> {
        let baseline: Baseline = serde_json::from_str(text).map_err(|e| e.to_string())?;
        if baseline.version != VERSION {
            return Err(format!(
                "baseline version {} is not supported (this minpriv writes version {VERSION}); write it again with --write-baseline",
                baseline.version
            ));
        }
        for (i, e) in baseline.entries.iter().enumerate() {
            if e.fingerprint.is_empty() {
                return Err(format!("entry {}: the fingerprint is empty", i + 1));
            }
            if e.count == 0 {
                return Err(format!(
                    "entry {} ({}): count must be at least 1",
                    i + 1,
                    e.fingerprint
                ));
            }
        }
        Ok(baseline)
    }

    /// Reads a baseline file; the error names the file.
    pub fn load(path: &Path) -> Result<Self, String> {
        let text =
            crate::source::read_text(path, crate::parse::DEFAULT_MAX_FILE_SIZE).map_err(|e| {
                format!(
                    "cannot read the baseline {}: {}",
                    path.display(),
                    e.message()
                )
            })?;
        Self::parse(text.body())
            .map_err(|e| format!("{} is not a valid baseline: {e}", path.display()))
    }

    /// Removes the findings the baseline records, at most `count` per
    /// fingerprint, earliest in output order first; returns how many. A
    /// grouped finding goes only when every element is recorded; one that
    /// stays marks its elements new or not and names the new ones.
    pub fn apply(&self, findings: &mut Vec<Finding>) -> usize {
        let mut left: HashMap<&str, usize> = HashMap::new();
        for e in &self.entries {
            *left.entry(e.fingerprint.as_str()).or_default() += e.count;
        }
        let before = findings.len();
        findings.retain_mut(|f| {
            let mut recorded = vec![];
            for fingerprint in f.fingerprints() {
                match left.get_mut(fingerprint) {
                    Some(n) if *n > 0 => {
                        *n -= 1;
                        recorded.push(true);
                    }
                    _ => recorded.push(false),
                }
            }
            if recorded.iter().all(|&r| r) {
                return false;
            }
            if recorded.iter().any(|&r| r) {
                for (e, &r) in f.elements.iter_mut().zip(&recorded) {
                    e.new = Some(!r);
                }
                let new: Vec<&str> = f
                    .elements
                    .iter()
                    .filter(|e| e.new == Some(true))
                    .map(|e| e.name.as_str())
                    .collect();
                f.message.push_str(&format!(
                    "; new since the baseline: {}",
                    crate::source::name_list(&new, crate::rules::SHOWN)
                ));
            } else {
                for e in &mut f.elements {
                    e.new = Some(true);
                }
            }
            true
        });
        before - findings.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{FileId, Loc, Span};

    fn finding(fingerprint: &str, line: u32) -> Finding {
        let mut f = Finding::new(
            Loc {
                file: FileId(0),
                span: Span::new(line as usize, line as usize + 1),
            },
            "m",
        );
        f.code = "NET001";
        f.component = crate::engine::Component::metadata(crate::model::ComponentKind::Profile, "X");
        f.fingerprint = fingerprint.into();
        f
    }

    #[test]
    fn counts_let_a_new_duplicate_through() {
        let old = vec![finding("aa", 1), finding("aa", 2), finding("bb", 3)];
        let baseline = Baseline::from_findings(&old);
        assert_eq!(baseline.entries.len(), 2);
        assert_eq!(baseline.entries[0].count, 2);

        let mut now = vec![
            finding("aa", 1),
            finding("aa", 5),
            finding("aa", 9),
            finding("cc", 4),
        ];
        assert_eq!(baseline.apply(&mut now), 2);
        let left: Vec<_> = now
            .iter()
            .map(|f| (f.fingerprint.as_str(), f.loc.span.start))
            .collect();
        assert_eq!(left, [("aa", 9), ("cc", 4)]);
    }

    #[test]
    fn round_trips_and_refuses_nonsense() {
        let baseline = Baseline::from_findings(&[finding("aa", 1)]);
        assert_eq!(Baseline::parse(&baseline.to_json()), Ok(baseline));
        assert!(Baseline::parse("").is_err());
        assert!(Baseline::parse("[]").is_err());
        assert!(
            Baseline::parse(
                r#"{"version":2,"tool":{"name":"minpriv","version":"9"},"entries":[]}"#
            )
            .unwrap_err()
            .contains("version 2")
        );
        assert!(
            Baseline::parse(
                r#"{"version":1,"tool":{"name":"minpriv","version":"9"},"entries":[{"fingerprint":"aa","rule":"X","count":0}]}"#
            )
            .unwrap_err()
            .contains("count")
        );
    }
}
