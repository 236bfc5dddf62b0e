//! `--format junit`: JUnit XML for CI test-report views (GitLab, Jenkins,
//! Azure DevOps…).
//!
//! One `<testsuite>` per rule the run selected, named `CODE name`; in it one
//! `<testcase>` per file the rule checked — every metadata file the run
//! read, plus any other file the rule reported on (`minpriv.toml`) — named
//! by the file's path and sorted by it. A file with findings of the rule
//! has one `<failure>` carrying them all (its `type` is the highest
//! severity); a file without passes. A rule that could not be evaluated has
//! one skipped testcase saying why. Inputs that could not be checked are
//! `<error>` testcases of a last suite, `minpriv input`.
//!
//! The output is deterministic: no timestamps, durations or host names.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io;

use quick_xml::Writer;
use quick_xml::escape::partial_escape;
use quick_xml::events::{BytesDecl, BytesText, Event};

use super::{Run, Texts, printable};
use crate::engine::Finding;
use crate::source::{FileId, Loc};

/// One testcase and what went wrong in it.
struct Case {
    name: String,
    outcome: Outcome,
}

enum Outcome {
    Passed,
    Failed {
        message: String,
        kind: &'static str,
        text: String,
    },
    Error {
        message: String,
        kind: &'static str,
        text: String,
    },
    Skipped {
        message: String,
    },
}

struct Suite {
    name: String,
    classname: String,
    cases: Vec<Case>,
}

impl Suite {
    fn count(&self, pick: fn(&Outcome) -> bool) -> usize {
        self.cases.iter().filter(|c| pick(&c.outcome)).count()
    }
}

pub fn render(run: &Run, texts: &mut Texts) -> String {
    texts.plan(run.read_order());
    let suites = suites(run, texts);
    let mut writer = Writer::new_with_indent(Vec::new(), b' ', 2);
    write(&mut writer, &suites).expect("writing to memory cannot fail");
    let mut out = String::from_utf8(writer.into_inner()).expect("XML from UTF-8 strings");
    out.push('\n');
    out
}

fn suites(run: &Run, texts: &mut Texts) -> Vec<Suite> {
    let broken: Vec<FileId> = run.errors.iter().map(|e| e.file).collect();
    let mut suites = vec![];
    for rule in run.rules {
        let classname = format!("minpriv.{}", rule.code());
        let name = format!("{} {}", rule.code(), rule.name());
        if let Some(n) = run
            .summary
            .not_evaluated
            .iter()
            .find(|n| n.rule == rule.code())
        {
            suites.push(Suite {
                name,
                classname,
                cases: vec![Case {
                    name: "(not evaluated)".into(),
                    outcome: Outcome::Skipped {
                        message: n.reason.to_owned(),
                    },
                }],
            });
            continue;
        }
        // Findings of this rule per shown path; every readable input too.
        let mut files: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
        for &file in run.checked {
            if !broken.contains(&file) {
                files.entry(run.display(file)).or_default();
            }
        }
        for f in run.findings.iter().filter(|f| f.code == rule.code()) {
            files.entry(run.display(f.loc.file)).or_default().push(f);
        }
        let cases = files
            .into_iter()
            .map(|(path, findings)| Case {
                name: path.to_owned(),
                outcome: failure(run, texts, &findings),
            })
            .collect();
        suites.push(Suite {
            name,
            classname,
            cases,
        });
    }

    let mut inputs = vec![];
    for e in run.errors {
        let path = run.display(e.file);
        let place = match e.span {
            Some(span) => {
                let r = texts.region(run.sources, Loc { file: e.file, span });
                format!("{path}:{}:{}", r.line, r.column)
            }
            None => path.to_owned(),
        };
        let mut text = format!("{place}: {}", e.message);
        if let Some(help) = &e.help {
            let _ = write!(text, "\n  help: {help}");
        }
        inputs.push(Case {
            name: path.to_owned(),
            outcome: Outcome::Error {
                message: e.message.clone(),
                kind: "input-error",
                text,
            },
        });
    }
    for message in run.internal_errors {
        inputs.push(Case {
            name: "(internal error)".into(),
            outcome: Outcome::Error {
                message: message.clone(),
                kind: "internal-error",
                text: message.clone(),
            },
        });
    }
    if !inputs.is_empty() {
        suites.push(Suite {
            name: "minpriv input".into(),
            classname: "minpriv.input".into(),
            cases: inputs,
        });
    }
    suites
}

/// The outcome of one rule on one file.
fn failure(run: &Run, texts: &mut Texts, findings: &[&Finding]) -> Outcome {
    let Some(worst) = findings.iter().map(|f| f.severity).max() else {
        return Outcome::Passed;
    };
    let message = match findings {
        [one] => one.message.clone(),
        many => format!("{} findings", many.len()),
    };
    let mut text = String::new();
    for f in findings {
        let r = texts.region(run.sources, f.loc);
        if !text.is_empty() {
            text.push('\n');
        }
        let _ = write!(
            text,
            "{}:{}:{}: {}: {}",
            run.display(f.loc.file),
            r.line,
            r.column,
            f.severity.as_str(),
            f.message
        );
        if let Some(help) = &f.help {
            let _ = write!(text, "\n  help: {help}");
        }
    }
    Outcome::Failed {
        message,
        kind: worst.as_str(),
        text,
    }
}

fn write(w: &mut Writer<Vec<u8>>, suites: &[Suite]) -> io::Result<()> {
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    let total = |pick: fn(&Outcome) -> bool| -> String {
        suites
            .iter()
            .map(|s| s.count(pick))
            .sum::<usize>()
            .to_string()
    };
    w.create_element("testsuites")
        .with_attribute(("name", "minpriv"))
        .with_attribute(("tests", total(|_| true).as_str()))
        .with_attribute(("failures", total(is_failure).as_str()))
        .with_attribute(("errors", total(is_error).as_str()))
        .with_attribute(("skipped", total(is_skipped).as_str()))
        .write_inner_content(|w| {
            for suite in suites {
                write_suite(w, suite)?;
            }
            Ok(())
        })?;
    Ok(())
}

fn is_failure(o: &Outcome) -> bool {
    matches!(o, Outcome::Failed { .. })
}

fn is_error(o: &Outcome) -> bool {
    matches!(o, Outcome::Error { .. })
}

fn is_skipped(o: &Outcome) -> bool {
    matches!(o, Outcome::Skipped { .. })
}

fn write_suite(w: &mut Writer<Vec<u8>>, suite: &Suite) -> io::Result<()> {
    w.create_element("testsuite")
        .with_attribute(("name", printable(&suite.name).as_str()))
        .with_attribute(("tests", suite.cases.len().to_string().as_str()))
        .with_attribute(("failures", suite.count(is_failure).to_string().as_str()))
        .with_attribute(("errors", suite.count(is_error).to_string().as_str()))
        .with_attribute(("skipped", suite.count(is_skipped).to_string().as_str()))
        .write_inner_content(|w| {
            for case in &suite.cases {
                let element = w
                    .create_element("testcase")
                    .with_attribute(("name", one_line(&case.name).as_str()))
                    .with_attribute(("classname", suite.classname.as_str()));
                match &case.outcome {
                    Outcome::Passed => {
                        element.write_empty()?;
                    }
                    Outcome::Failed {
                        message,
                        kind,
                        text,
                    } => {
                        element.write_inner_content(|w| {
                            w.create_element("failure")
                                .with_attribute(("message", one_line(message).as_str()))
                                .with_attribute(("type", *kind))
                                .write_text_content(text_node(text))?;
                            Ok(())
                        })?;
                    }
                    Outcome::Error {
                        message,
                        kind,
                        text,
                    } => {
                        element.write_inner_content(|w| {
                            w.create_element("error")
                                .with_attribute(("message", one_line(message).as_str()))
                                .with_attribute(("type", *kind))
                                .write_text_content(text_node(text))?;
                            Ok(())
                        })?;
                    }
                    Outcome::Skipped { message } => {
                        element.write_inner_content(|w| {
                            w.create_element("skipped")
                                .with_attribute(("message", one_line(message).as_str()))
                                .write_empty()?;
                            Ok(())
                        })?;
                    }
                }
            }
            Ok(())
        })?;
    Ok(())
}

/// Element text: printable, with only `<`, `>` and `&` escaped (quotes
/// need no escaping outside attributes).
fn text_node(text: &str) -> BytesText<'static> {
    BytesText::from_escaped(partial_escape(printable(text)).into_owned())
}

/// An attribute value: printable, on one line (XML parsers turn a newline
/// in an attribute into a space anyway).
fn one_line(text: &str) -> String {
    printable(text).replace(['\n', '\t'], " ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{NotEvaluatedJson, Summary};
    use crate::source::Sources;

    #[test]
    fn a_rule_not_evaluated_is_one_skipped_testcase() {
        let rules: Vec<_> = crate::rules::all().iter().take(1).collect();
        let code = rules[0].code();
        let sources = Sources::default();
        let run = Run {
            sources: &sources,
            rules: &rules,
            checked: &[],
            findings: &[],
            errors: &[],
            internal_errors: &["internal error: rule X crashed".to_owned()],
            summary: Summary {
                not_evaluated: vec![NotEvaluatedJson {
                    rule: rules[0].def.code,
                    reason: "needs the org snapshot (--org-data)".into(),
                }],
                ..Summary::default()
            },
        };
        let out = render(&run, &mut Texts::default());
        let expected = format!(
            r#"<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="minpriv" tests="2" failures="0" errors="1" skipped="1">
  <testsuite name="{code} {name}" tests="1" failures="0" errors="0" skipped="1">
    <testcase name="(not evaluated)" classname="minpriv.{code}">
      <skipped message="needs the org snapshot (--org-data)"/>
    </testcase>
  </testsuite>
  <testsuite name="minpriv input" tests="1" failures="0" errors="1" skipped="0">
    <testcase name="(internal error)" classname="minpriv.input">
      <error message="internal error: rule X crashed" type="internal-error">internal error: rule X crashed</error>
    </testcase>
  </testsuite>
</testsuites>
"#,
            name = rules[0].name()
        );
        assert_eq!(out, expected);
    }
}
