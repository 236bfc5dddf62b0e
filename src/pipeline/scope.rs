//! `check FILE...`: files named on the command line, as
//! pre-commit or an editor passes them, are checked in the context of their
//! whole project — the groups and apps that use a permission set, the
//! profiles it lands on — and only the findings located in them are
//! reported, so that checking one file gives the same findings for it as
//! checking the project.
//!
//! Directories named alone keep their meaning: they are the whole input.

use std::path::{Component, Path, PathBuf};

use super::Loaded;
use crate::config::CONFIG_FILE;
use crate::discover::{FORCEIGNORE, PROJECT_FILE};
use crate::engine::{Finding, Outcome};
use crate::source::{FileId, Sources};

/// The files and directories whose findings a run reports, when some of the
/// paths named are files.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scope {
    /// Absolute, lexically normalised.
    named: Vec<PathBuf>,
}

/// What to load for `paths` (relative to `cwd`): the paths themselves, and
/// whether the project's default paths come too, with the scope to report.
/// `None` when every path is a directory, or when no path is given: the
/// paths are then the whole input and everything found is reported. A
/// named file that decides what is read (`minpriv.toml`,
/// `sfdx-project.json`, `.forceignore`) widens the scope to the project.
pub fn of(paths: &[PathBuf], cwd: &Path) -> Option<(Vec<PathBuf>, Option<Scope>)> {
    let named: Vec<PathBuf> = paths.iter().map(|p| normalise(&cwd.join(p))).collect();
    if !named.iter().any(|p| is_file(p)) {
        return None;
    }
    let whole_project = named.iter().any(|p| {
        is_file(p)
            && p.file_name()
                .is_some_and(|n| n == CONFIG_FILE || n == PROJECT_FILE || n == FORCEIGNORE)
    });
    let scope = (!whole_project).then(|| Scope {
        named: named.clone(),
    });
    Some((named, scope))
}

/// A file as opposed to a directory: anything that exists and is not a
/// directory (a link, a FIFO: the reader reports what it cannot read), or a
/// path that does not exist but is named like a file (discovery reports it).
fn is_file(path: &Path) -> bool {
    match std::fs::metadata(path) {
        Ok(m) => !m.is_dir(),
        Err(_) => path.symlink_metadata().is_ok() || path.extension().is_some(),
    }
}

/// `path` without `.` and `..` components, so that a file named as
/// `../org/x.profile-meta.xml` is the same input as the one the project
/// walk finds.
fn normalise(path: &Path) -> PathBuf {
    let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut out = PathBuf::new();
    for part in abs.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

impl Scope {
    /// Whether findings located in `path` are reported: it is a named file
    /// or lies below a named directory.
    pub fn contains(&self, path: &Path) -> bool {
        let path = normalise(path);
        self.named.iter().any(|n| path.starts_with(n))
    }

    /// The files of `checked` in the scope, in their order.
    pub fn files(&self, sources: &Sources, checked: &[FileId]) -> Vec<FileId> {
        checked
            .iter()
            .copied()
            .filter(|&f| self.contains(&sources.get(f).path))
            .collect()
    }
}

/// The run's results restricted to `loaded`'s scope, if it has one: the
/// findings (and those exceptions hid) located in it, and the files checked
/// in it with the number of files read (the scope's metadata files and the
/// org snapshot's). Without a scope, all of them.
pub fn restrict(loaded: &Loaded, outcome: &mut Outcome) -> (Vec<FileId>, usize) {
    let Some(scope) = &loaded.scope else {
        return (loaded.checked.clone(), loaded.files);
    };
    let sources = &loaded.org.sources;
    // A grouped finding is in the named files when one of its elements is
    // (a decomposed permission set spreads them over several files).
    let inside = |f: &Finding| {
        f.files()
            .any(|file| scope.contains(&sources.get(file).path))
    };
    outcome.findings.retain(|f| inside(f));
    outcome.hidden.retain(|(_, f)| inside(f));
    outcome.suppressed = outcome.hidden.len();
    let checked = scope.files(sources, &loaded.checked);
    let files = loaded.files - loaded.checked.len() + checked.len();
    (checked, files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_bring_their_project_and_directories_stay_the_whole_input() {
        let dir = tempfile::tempdir().unwrap();
        let cwd = dir.path();
        std::fs::create_dir_all(cwd.join("org/profiles")).unwrap();
        std::fs::write(cwd.join("org/profiles/A.profile-meta.xml"), "").unwrap();
        std::fs::write(cwd.join("org/minpriv.toml"), "").unwrap();

        assert_eq!(of(&[], cwd), None);
        assert_eq!(of(&["org".into()], cwd), None);

        let (paths, scope) = of(&["org/./x/../profiles/A.profile-meta.xml".into()], cwd).unwrap();
        let file = normalise(&cwd.join("org/profiles/A.profile-meta.xml"));
        assert_eq!(paths, vec![file.clone()]);
        let scope = scope.unwrap();
        assert!(scope.contains(&file));
        assert!(scope.contains(&cwd.join("org/profiles/../profiles/A.profile-meta.xml")));
        assert!(!scope.contains(&cwd.join("org/profiles/B.profile-meta.xml")));

        // A file and a directory: both are reported on.
        let (_, scope) = of(
            &["org/profiles/A.profile-meta.xml".into(), "org/apps".into()],
            cwd,
        )
        .unwrap();
        assert!(
            scope
                .unwrap()
                .contains(&cwd.join("org/apps/X.connectedApp-meta.xml"))
        );

        // A missing file is still a file: discovery reports it.
        assert!(of(&["org/profiles/Gone.profile-meta.xml".into()], cwd).is_some());

        // The inventory changed: the whole project is reported.
        let (_, scope) = of(
            &[
                "org/minpriv.toml".into(),
                "org/profiles/A.profile-meta.xml".into(),
            ],
            cwd,
        )
        .unwrap();
        assert_eq!(scope, None);
    }
}
