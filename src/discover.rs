//! Finding the metadata files: project root, `sfdx-project.json` package
//! directories, `.forceignore`, `--exclude` globs, and classification by
//! suffix.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use globset::{Glob, GlobBuilder, GlobSet, GlobSetBuilder};
use ignore::gitignore::{Gitignore, GitignoreBuilder};
use ignore::{Match, WalkBuilder};

use crate::model::Hidden;
use crate::parse::{FileKind, Input};
use crate::source::{FileError, Sources, Span, Text, TextError, Undecodable, offset_of};

pub const PROJECT_FILE: &str = "sfdx-project.json";
pub const FORCEIGNORE: &str = ".forceignore";

/// The one directory never walked into: git's own (no deployable file
/// lives there).
const SKIPPED_DIR: &str = ".git";

const NOT_UTF8_NAME: &str = "the name of this metadata file is not UTF-8; minpriv cannot check it (and sf cannot deploy it)";

/// A path with its non-UTF-8 bytes replaced, to classify it.
fn lossy(path: &Path) -> PathBuf {
    PathBuf::from(path.to_string_lossy().into_owned())
}

/// Whether `path`, once every link is resolved, lies inside one of
/// `bounds` (canonical directories). A path that does not resolve is
/// inside: the reader reports it.
pub fn resolves_inside(path: &Path, bounds: &[PathBuf]) -> Result<(), PathBuf> {
    match std::fs::canonicalize(path) {
        Ok(target) if !bounds.iter().any(|b| target.starts_with(b)) => Err(target),
        _ => Ok(()),
    }
}

/// The message of a link leading out of the project.
pub fn link_message(target: &Path, what: &str) -> String {
    let kind = if what == "file" { "" } else { "a folder, " };
    format!(
        "is a symbolic link to {kind}`{}`, outside the project; minpriv does not follow it",
        target.display()
    )
}

#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Paths named on the command line; empty means the project default.
    pub paths: Vec<PathBuf>,
    /// Globs from `--exclude` and the config's `exclude`.
    pub excludes: Vec<String>,
    pub use_forceignore: bool,
}

/// What discovery found: the files to parse, registered in `sources` in a
/// deterministic order, and the paths that could not be walked.
pub struct Discovery {
    pub root: PathBuf,
    pub inputs: Vec<Input>,
    pub errors: Vec<FileError>,
    /// What `.forceignore` hid from the run, per pattern (REF003).
    pub hidden: Vec<Hidden>,
}

/// The directory of the project that `start` belongs to: the nearest
/// ancestor holding `sfdx-project.json`, else the nearest holding `.git`,
/// else `start` itself (a directory).
pub fn project_root(start: &Path) -> PathBuf {
    let start = start_dir(start);
    let find = |marker: &str| {
        start
            .ancestors()
            .find(|d| d.join(marker).exists())
            .map(Path::to_path_buf)
    };
    find(PROJECT_FILE).or_else(|| find(".git")).unwrap_or(start)
}

/// The paths a run without paths checks in the project at `root`: its
/// `sfdx-project.json` package directories, or `root` itself. What cannot
/// be read of `sfdx-project.json` is added to `errors`.
pub fn default_paths(
    root: &Path,
    sources: &mut Sources,
    cwd: &Path,
    errors: &mut Vec<FileError>,
) -> Vec<PathBuf> {
    package_directories(root, sources, cwd, errors)
}

/// `path` as an absolute directory: itself, or its parent for a file.
pub fn start_dir(path: &Path) -> PathBuf {
    let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    if abs.is_dir() {
        abs
    } else {
        abs.parent().map_or(abs.clone(), Path::to_path_buf)
    }
}

/// Compiles exclude globs; a bad glob is reported with its text.
pub fn compile_excludes(patterns: &[String]) -> Result<GlobSet, String> {
    let mut set = GlobSetBuilder::new();
    for p in patterns {
        let glob = GlobBuilder::new(p)
            .literal_separator(true)
            .build()
            .map_err(|e| format!("invalid exclude glob `{p}`: {e}"))?;
        set.add(glob);
        // A pattern without a slash matches a file name anywhere, as in
        // .gitignore.
        if !p.contains('/') {
            set.add(Glob::new(&format!("**/{p}")).map_err(|e| e.to_string())?);
        }
    }
    set.build().map_err(|e| e.to_string())
}

pub fn discover(
    options: &Options,
    excludes: &GlobSet,
    cwd: &Path,
    sources: &mut Sources,
) -> Discovery {
    let first = options
        .paths
        .first()
        .map_or(cwd.to_path_buf(), |p| cwd.join(p));
    let root = project_root(&first);
    let mut errors = vec![];
    let mut roots: Vec<PathBuf> = vec![];
    if options.paths.is_empty() {
        roots.extend(package_directories(&root, sources, cwd, &mut errors));
    } else {
        for p in &options.paths {
            let abs = std::path::absolute(cwd.join(p)).unwrap_or_else(|_| p.clone());
            if !abs.exists() && abs.symlink_metadata().is_err() {
                let id = sources.add(abs, cwd);
                errors.push(FileError::whole(id, "no such file or directory"));
            } else {
                roots.push(abs);
            }
        }
    }

    let project = std::fs::canonicalize(&root).unwrap_or_else(|_| root.clone());
    let forceignore = Arc::new(ForceIgnore::new(options.use_forceignore, project.clone()));
    let excluded = |path: &Path| {
        let rel_root = path.strip_prefix(&root).unwrap_or(path);
        let rel_cwd = path.strip_prefix(cwd).unwrap_or(path);
        excludes.is_match(rel_root) || excludes.is_match(rel_cwd)
    };

    let mut seen = HashSet::new();
    let skipped: Arc<Mutex<Vec<(PathBuf, String)>>> = Arc::default();
    let mut inputs = vec![];
    for walk_root in roots {
        let mut found: Vec<(PathBuf, FileKind, String)> = vec![];
        // Where a symbolic link named like a metadata file may lead.
        let mut bounds = vec![project.clone()];
        if !walk_root.is_dir() {
            // A file named explicitly (or a link, or something that is not
            // a regular file, which the reader refuses): excludes apply
            // (pre-commit passes names), and so does .forceignore.
            if let Some((kind, name)) = classify_path(&walk_root)
                && !excluded(&walk_root)
                && !forceignore.is_ignored(&walk_root, false)
            {
                match link_outside(&walk_root, &bounds) {
                    Some(target) => {
                        errors.push(outside_error(sources, walk_root.clone(), &target, cwd))
                    }
                    None => found.push((walk_root.clone(), kind, name)),
                }
            }
        } else {
            bounds.extend(std::fs::canonicalize(&walk_root));
            let fi = Arc::clone(&forceignore);
            let links_out = Arc::clone(&skipped);
            let dir_bounds = bounds.clone();
            let mut builder = WalkBuilder::new(&walk_root);
            // Links to directories are followed as `sf` follows them, but
            // only inside the project: a link out is reported, not walked.
            // Hidden files and folders, `target`, `node_modules`: read as
            // `sf` deploys them; only `.git` is skipped.
            builder
                .standard_filters(false)
                .hidden(false)
                .follow_links(true)
                .sort_by_file_name(|a, b| a.cmp(b))
                .filter_entry(move |e| {
                    let is_dir = e.file_type().is_some_and(|t| t.is_dir());
                    if e.depth() == 0 {
                        return true;
                    }
                    if is_dir && e.file_name() == SKIPPED_DIR {
                        return false;
                    }
                    if is_dir
                        && e.path_is_symlink()
                        && let Some(target) = link_outside(e.path(), &dir_bounds)
                    {
                        links_out
                            .lock()
                            .unwrap_or_else(|p| p.into_inner())
                            .push((e.path().to_path_buf(), link_message(&target, "folder")));
                        return false;
                    }
                    !fi.is_ignored(e.path(), is_dir)
                });
            for entry in builder.build() {
                match entry {
                    Ok(e) => {
                        // Anything but a directory named like a metadata
                        // file is an input: links and FIFOs too, so that
                        // what cannot be read is reported, never skipped.
                        if e.file_type().is_none_or(|t| t.is_dir()) {
                            continue;
                        }
                        let path = e.into_path();
                        if path.file_name().is_some_and(|n| n.to_str().is_none())
                            && FileKind::classify_path(&lossy(&path)).is_some()
                            && !excluded(&path)
                        {
                            let id = sources.add(path, cwd);
                            errors.push(
                                FileError::whole(id, NOT_UTF8_NAME).with_help(
                                    "rename the file: Salesforce metadata names are UTF-8",
                                ),
                            );
                            continue;
                        }
                        if path.parent().is_some_and(|p| p.to_str().is_none())
                            && FileKind::classify_path(&lossy(&path)).is_some()
                            && !excluded(&path)
                        {
                            let id = sources.add(path, cwd);
                            errors.push(FileError::whole(id, NOT_UTF8_NAME).with_help(
                                "rename the folder: Salesforce metadata names are UTF-8",
                            ));
                            continue;
                        }
                        if let Some((kind, name)) = classify_path(&path)
                            && !excluded(&path)
                        {
                            match link_outside(&path, &bounds) {
                                Some(target) => {
                                    errors.push(outside_error(sources, path, &target, cwd))
                                }
                                None => found.push((path, kind, name)),
                            }
                        }
                    }
                    Err(err) => {
                        let path = walk_error_path(&err).unwrap_or_else(|| walk_root.clone());
                        // A link to nowhere (followed, it is an error):
                        // the reader reports it when it is named like a
                        // metadata file; anything else is none of ours.
                        if is_loop(&err) {
                            // A link back to a folder being walked: all
                            // it leads to is read already.
                            continue;
                        }
                        let dangling = path.symlink_metadata().is_ok_and(|m| m.is_symlink())
                            && std::fs::metadata(&path).is_err();
                        if dangling {
                            if let Some((kind, name)) = classify_path(&path)
                                && !excluded(&path)
                            {
                                found.push((path, kind, name));
                            }
                            continue;
                        }
                        let id = sources.add(path, cwd);
                        errors.push(FileError::whole(id, format!("cannot walk: {err}")));
                    }
                }
            }
        }
        for (path, kind, full_name) in found {
            if seen.insert(path.clone()) {
                let file = sources.add(path, cwd);
                inputs.push(Input {
                    file,
                    kind,
                    full_name,
                });
            }
        }
    }
    let skipped = std::mem::take(&mut *skipped.lock().unwrap_or_else(|p| p.into_inner()));
    for (path, message) in skipped {
        let id = sources.add(path, cwd);
        errors.push(
            FileError::whole(id, message)
                .with_help("check those files where they lie, or copy them into the project"),
        );
    }
    errors.extend(forceignore.take_errors(sources, cwd));
    let hidden = forceignore.hidden(sources, cwd, &excluded);
    Discovery {
        root,
        inputs,
        errors,
        hidden,
    }
}

/// How a kind of hidden file is counted, in the singular.
pub fn hidden_kind(kind: FileKind) -> &'static str {
    match kind {
        FileKind::Profile => "profile",
        FileKind::PermissionSet | FileKind::PermissionSetPart => "permission set file",
        FileKind::PermissionSetGroup => "permission set group",
        FileKind::MutingPermissionSet => "muting permission set",
        FileKind::ConnectedApp => "connected app",
        FileKind::Eca(_) => "External Client App file",
        FileKind::NamedCredential => "named credential",
        FileKind::ExternalCredential => "external credential",
    }
}

/// The target of `path` when it is a symbolic link leading to a file
/// outside every directory in `bounds`. Such a link is not followed: a
/// pull request could otherwise point one at a secret on the CI machine
/// and have its first lines shown in an error. A link that leads nowhere
/// (or in a loop) is left to the reader, which reports it.
fn link_outside(path: &Path, bounds: &[PathBuf]) -> Option<PathBuf> {
    if !path
        .symlink_metadata()
        .is_ok_and(|m| m.file_type().is_symlink())
    {
        return None;
    }
    let target = std::fs::canonicalize(path).ok()?;
    (!bounds.iter().any(|b| target.starts_with(b))).then_some(target)
}

fn outside_error(sources: &mut Sources, path: PathBuf, target: &Path, cwd: &Path) -> FileError {
    let id = sources.add(path, cwd);
    FileError::whole(id, link_message(target, "file"))
        .with_help("check that file where it lies, or copy it into the project")
}

fn classify_path(path: &Path) -> Option<(FileKind, String)> {
    FileKind::classify_path(path)
}

fn is_loop(err: &ignore::Error) -> bool {
    match err {
        ignore::Error::Loop { .. } => true,
        ignore::Error::WithPath { err, .. }
        | ignore::Error::WithDepth { err, .. }
        | ignore::Error::WithLineNumber { err, .. } => is_loop(err),
        _ => false,
    }
}

fn walk_error_path(err: &ignore::Error) -> Option<PathBuf> {
    match err {
        ignore::Error::WithPath { path, .. } => Some(path.clone()),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            walk_error_path(err)
        }
        ignore::Error::Loop { child, .. } => Some(child.clone()),
        _ => None,
    }
}

/// The package directories `sfdx-project.json` lists (the default paths
/// when none are named), or the project directory itself when it has none. A malformed file is an error (and
/// nothing under it is checked: fail closed).
fn package_directories(
    root: &Path,
    sources: &mut Sources,
    cwd: &Path,
    errors: &mut Vec<FileError>,
) -> Vec<PathBuf> {
    let project = root.join(PROJECT_FILE);
    if project.symlink_metadata().is_err() {
        return vec![root.to_path_buf()];
    }
    let canonical_root = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    let bounds = std::slice::from_ref(&canonical_root);
    let read =
        match resolves_inside(&project, bounds) {
            Err(target) => Err(link_message(&target, "file")),
            Ok(()) => crate::source::read_text(&project, crate::parse::DEFAULT_MAX_FILE_SIZE)
                .map_err(|e| match e {
                    TextError::Undecodable(Undecodable::NotUtf8(_)) => "is not UTF-8".to_owned(),
                    e => e.message(),
                }),
        };
    let whole = match read {
        Ok(text) => text,
        Err(message) => {
            // Fail closed: nothing is checked without the package list.
            let id = sources.add(project, cwd);
            errors.push(FileError::whole(id, message));
            return vec![];
        }
    };
    #[derive(serde::Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Project {
        package_directories: Vec<PackageDirectory>,
    }
    #[derive(serde::Deserialize)]
    struct PackageDirectory {
        path: String,
    }
    // Spans are the file's; the JSON is what follows a byte order mark.
    let text = &whole.text;
    match serde_json::from_str::<Project>(whole.body()) {
        Ok(p) if !p.package_directories.is_empty() => {
            let mut dirs = vec![];
            for d in p.package_directories {
                let dir = root.join(d.path.trim_end_matches('/'));
                let outside = resolves_inside(&dir, bounds).is_err()
                    || Path::new(&d.path).is_absolute()
                    || Path::new(&d.path)
                        .components()
                        .any(|c| c == std::path::Component::ParentDir);
                // The error at the path's string in sfdx-project.json.
                let mut refuse = |message: String, help: &str| {
                    let id = sources.add(project.clone(), cwd);
                    let at = text.find(&format!("\"{}\"", d.path)).unwrap_or(0);
                    errors.push(
                        FileError::at(id, Span::new(at, at + d.path.len() + 2), message)
                            .with_help(help),
                    );
                };
                if outside {
                    refuse(
                        "this package directory lies outside the project; minpriv reads nothing outside it".to_owned(),
                        "package directories are paths inside the project directory",
                    );
                } else if dir.is_dir() {
                    dirs.push(dir);
                } else {
                    refuse(
                        format!("package directory `{}` does not exist", d.path),
                        "fix the path in sfdx-project.json, or name the directories to check on the command line",
                    );
                }
            }
            dirs
        }
        Ok(_) => vec![root.to_path_buf()],
        Err(e) => {
            let id = sources.add(project, cwd);
            let at = whole.start + offset_of(whole.body(), e.line(), e.column());
            errors.push(
                FileError::at(
                    id,
                    Span::new(at, at + 1),
                    format!("invalid sfdx-project.json: {e}"),
                )
                .with_help("packageDirectories must be a list of {\"path\": \"...\"} objects"),
            );
            vec![]
        }
    }
}

/// `.forceignore` files (gitignore syntax), each applying below its own
/// directory, found in any ancestor of a path. The nearest decisive match
/// wins, as with `.gitignore`.
struct ForceIgnore {
    enabled: bool,
    /// The project directory, canonical: no `.forceignore` that is a link
    /// leading out of it is read.
    project: PathBuf,
    /// Directories above which no `.forceignore` is looked for.
    tops: Mutex<HashMap<PathBuf, bool>>,
    matchers: Mutex<HashMap<PathBuf, Option<Arc<Gitignore>>>>,
    errors: Mutex<Vec<(PathBuf, String)>>,
    /// What was ignored: the path, whether a directory, the
    /// `.forceignore` file and the pattern that matched.
    ignored: Mutex<Vec<(PathBuf, bool, PathBuf, String)>>,
    /// The text of every `.forceignore` read, by path: a pattern's line is
    /// located in what was read, never in a second read.
    texts: Mutex<HashMap<PathBuf, Text>>,
}

/// What `sf` ignores besides a `.forceignore`'s own lines, whenever there is
/// one.
const BUILT_IN_IGNORES: [&str; 4] = [
    "**/*.dup",
    "**/.*",
    "**/package2-descriptor.json",
    "**/package2-manifest.json",
];

impl ForceIgnore {
    fn new(enabled: bool, project: PathBuf) -> Self {
        ForceIgnore {
            enabled,
            project,
            tops: Mutex::new(HashMap::new()),
            matchers: Mutex::new(HashMap::new()),
            errors: Mutex::new(vec![]),
            ignored: Mutex::new(vec![]),
            texts: Mutex::new(HashMap::new()),
        }
    }

    /// Whether no `.forceignore` above `dir` applies: it holds
    /// `sfdx-project.json` or `.git` (where the config search stops too).
    fn is_top(&self, dir: &Path) -> bool {
        let mut tops = self.tops.lock().unwrap_or_else(|p| p.into_inner());
        *tops
            .entry(dir.to_path_buf())
            .or_insert_with(|| dir.join(PROJECT_FILE).exists() || dir.join(".git").exists())
    }

    fn error(&self, file: &Path, message: String) {
        self.errors
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push((file.to_path_buf(), message));
    }

    fn matcher(&self, dir: &Path) -> Option<Arc<Gitignore>> {
        let mut cache = self.matchers.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(m) = cache.get(dir) {
            return m.clone();
        }
        let file = dir.join(FORCEIGNORE);
        let matcher = file.symlink_metadata().is_ok().then(|| {
            let mut builder = GitignoreBuilder::new(dir);
            for line in BUILT_IN_IGNORES {
                let _ = builder.add_line(None, line);
            }
            let mut bounds = vec![self.project.clone()];
            bounds.extend(std::fs::canonicalize(dir));
            let link = file.symlink_metadata().is_ok_and(|m| m.is_symlink());
            let text = match resolves_inside(&file, &bounds) {
                Err(target) if link => Err(link_message(&target, "file")),
                _ => crate::source::read_text(&file, crate::parse::DEFAULT_MAX_FILE_SIZE).map_err(
                    |e| match e {
                        TextError::Read(message) => message,
                        e => format!("invalid .forceignore: {}", e.message()),
                    },
                ),
            };
            match text {
                Ok(text) => {
                    // Past a byte order mark, as sf reads it.
                    for line in text.body().lines() {
                        if let Err(err) = builder.add_line(Some(file.clone()), line) {
                            self.error(&file, format!("invalid .forceignore: {err}"));
                        }
                    }
                    self.texts
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .insert(file.clone(), text);
                }
                // Fail closed: the run reports the file and exits 2.
                Err(message) => self.error(&file, message),
            }
            Arc::new(builder.build().unwrap_or_else(|_| Gitignore::empty()))
        });
        cache.insert(dir.to_path_buf(), matcher.clone());
        matcher
    }

    fn is_ignored(&self, path: &Path, is_dir: bool) -> bool {
        if !self.enabled {
            return false;
        }
        for dir in path.ancestors().skip(1) {
            if let Some(m) = self.matcher(dir) {
                match m.matched_path_or_any_parents(path, is_dir) {
                    Match::Ignore(glob) => {
                        let file = glob
                            .from()
                            .map_or_else(|| dir.join(FORCEIGNORE), Path::to_path_buf);
                        self.ignored
                            .lock()
                            .unwrap_or_else(|p| p.into_inner())
                            .push((path.to_path_buf(), is_dir, file, glob.original().to_owned()));
                        return true;
                    }
                    Match::Whitelist(_) => return false,
                    Match::None => {}
                }
            }
            // Not above the project: its directory, or the repository's.
            if self.is_top(dir) {
                break;
            }
        }
        false
    }

    /// Counts, per pattern, the metadata files below what it ignored.
    fn hidden(
        &self,
        sources: &mut Sources,
        cwd: &Path,
        excluded: &dyn Fn(&Path) -> bool,
    ) -> Vec<Hidden> {
        let ignored = std::mem::take(&mut *self.ignored.lock().unwrap_or_else(|p| p.into_inner()));
        let mut per_pattern: std::collections::BTreeMap<
            (PathBuf, String),
            std::collections::BTreeMap<FileKind, usize>,
        > = Default::default();
        let mut seen = HashSet::new();
        for (path, is_dir, file, pattern) in ignored {
            if !seen.insert(path.clone()) {
                continue;
            }
            let mut count = |p: &Path| {
                // Salesforce's own internal sets (IDN006) are nothing to
                // miss.
                if let Some((kind, name)) = classify_path(p)
                    && !excluded(p)
                    && !name.starts_with(crate::identity::MANAGED_NAMESPACE)
                {
                    *per_pattern
                        .entry((file.clone(), pattern.clone()))
                        .or_default()
                        .entry(kind)
                        .or_default() += 1;
                }
            };
            if is_dir {
                let walk = WalkBuilder::new(&path)
                    .standard_filters(false)
                    .hidden(true)
                    .follow_links(false)
                    .filter_entry(|e| {
                        !(e.depth() > 0
                            && e.file_type().is_some_and(|t| t.is_dir())
                            && e.file_name() == SKIPPED_DIR)
                    })
                    .build();
                for entry in walk.flatten() {
                    if entry.file_type().is_some_and(|t| !t.is_dir()) {
                        count(entry.path());
                    }
                }
            } else {
                count(&path);
            }
        }
        let texts = std::mem::take(&mut *self.texts.lock().unwrap_or_else(|p| p.into_inner()));
        let mut out = vec![];
        for ((file, pattern), kinds) in per_pattern {
            // A file that did not read (an error already) holds no line.
            let span = texts.get(&file).map_or_else(Span::default, |text| {
                let span = pattern_span(text.body(), &pattern);
                if span.is_empty() {
                    span
                } else {
                    Span::new(
                        text.start + span.start as usize,
                        text.start + span.end as usize,
                    )
                }
            });
            let built_in = span.is_empty() && BUILT_IN_IGNORES.contains(&pattern.as_str());
            let id = sources.add(file, cwd);
            let mut counts: Vec<(&'static str, usize)> = vec![];
            for (kind, n) in kinds {
                let label = hidden_kind(kind);
                match counts.iter_mut().find(|(k, _)| *k == label) {
                    Some((_, total)) => *total += n,
                    None => counts.push((label, n)),
                }
            }
            out.push(Hidden {
                loc: crate::source::Loc { file: id, span },
                pattern,
                built_in,
                counts,
            });
        }
        out
    }

    fn take_errors(&self, sources: &mut Sources, cwd: &Path) -> Vec<FileError> {
        let errors = std::mem::take(&mut *self.errors.lock().unwrap_or_else(|p| p.into_inner()));
        errors
            .into_iter()
            .map(|(path, message)| {
                let id = sources.add(path, cwd);
                FileError::whole(id, message)
            })
            .collect()
    }
}

/// The span of the first line of a `.forceignore` that holds `pattern`
/// (trimmed), or of the file's start.
fn pattern_span(text: &str, pattern: &str) -> crate::source::Span {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let content = line.trim_end_matches(['\n', '\r']);
        if content.trim() == pattern.trim() {
            let lead = content.len() - content.trim_start().len();
            let start = offset + lead;
            return crate::source::Span::new(start, start + content.trim().len());
        }
        offset += line.len();
    }
    crate::source::Span::new(0, 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excludes_match_names_and_paths() {
        let set =
            compile_excludes(&["**/legacy/**".into(), "Admin.profile-meta.xml".into()]).unwrap();
        assert!(set.is_match("force-app/legacy/profiles/X.profile-meta.xml"));
        assert!(set.is_match("force-app/profiles/Admin.profile-meta.xml"));
        assert!(!set.is_match("force-app/profiles/Other.profile-meta.xml"));
        assert!(compile_excludes(&["a/[".into()]).is_err());
    }
}
