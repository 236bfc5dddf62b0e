//! A git revision as a directory: the files minpriv reads, written into a
//! temporary directory through `git` itself (`git ls-tree`, then `git
//! cat-file --batch`). The working tree and the index are never read or
//! touched, so `minpriv diff --git origin/main HEAD` compares commits, not
//! whatever is checked out.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Component, Path, PathBuf};
use std::process::{Command, Stdio};

use crate::config::CONFIG_FILE;
use crate::discover::{FORCEIGNORE, PROJECT_FILE};
use crate::parse::FileKind;

/// The repository holding a directory.
pub struct Repository {
    /// The top of the working tree.
    pub toplevel: PathBuf,
    /// The directory, relative to `toplevel`.
    pub prefix: PathBuf,
}

impl Repository {
    /// The repository `cwd` is in.
    pub fn discover(cwd: &Path) -> Result<Repository, String> {
        let out = git(cwd, &["rev-parse", "--show-toplevel", "--show-prefix"])
            .map_err(|e| format!("--git needs a git repository: {e}"))?;
        let mut lines = out.lines();
        let toplevel = PathBuf::from(lines.next().unwrap_or_default());
        let prefix = PathBuf::from(lines.next().unwrap_or_default());
        Ok(Repository { toplevel, prefix })
    }

    /// The commit a revision names.
    pub fn commit(&self, revision: &str) -> Result<String, String> {
        if revision.starts_with('-') {
            return Err(format!("`{revision}` is not a revision"));
        }
        git(
            &self.toplevel,
            &[
                "rev-parse",
                "--verify",
                "--quiet",
                &format!("{revision}^{{commit}}"),
            ],
        )
        .map(|s| s.trim().to_owned())
        .map_err(|_| {
            format!(
                "`{revision}` names no commit in {}",
                self.toplevel.display()
            )
        })
    }

    /// Whether `path` (from the top of the repository) is in `commit`.
    pub fn has_path(&self, commit: &str, path: &Path) -> bool {
        let spec = path
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/");
        git(
            &self.toplevel,
            &["cat-file", "-e", &format!("{commit}:{spec}")],
        )
        .is_ok()
    }

    /// Writes the files of `commit` that minpriv reads (metadata by suffix,
    /// `sfdx-project.json`, `minpriv.toml`, `.forceignore`) below `dest`,
    /// plus an empty `.git` file so that the project and config searches
    /// stop at `dest` as they stop at the repository root. Returns how many
    /// files were written.
    pub fn write_tree(&self, commit: &str, dest: &Path) -> Result<usize, String> {
        std::fs::write(dest.join(".git"), "")
            .map_err(|e| format!("cannot write to {}: {e}", dest.display()))?;
        self.write_files(commit, dest, &reads)
    }

    /// Writes the org snapshot files of `commit` (`*.json` and `*.csv`
    /// directly in `dir`, a path from the top of the repository) below
    /// `dest`. Returns how many files were written.
    pub fn write_snapshot(&self, commit: &str, dir: &Path, dest: &Path) -> Result<usize, String> {
        self.write_files(commit, dest, &|path: &Path| {
            path.parent() == Some(dir) && crate::orgdata::is_export_file(path)
        })
    }

    /// Writes the files of `commit` that `pick` takes below `dest`.
    ///
    /// Symbolic links are read the way `check` reads them in a working
    /// tree: a link to a file or a folder of the same tree stands for what
    /// it leads to; a link leading out of the tree (absolute, or climbing
    /// above its top), when named like a file minpriv reads, is an error:
    /// nothing outside the revision is ever read.
    fn write_files(
        &self,
        commit: &str,
        dest: &Path,
        pick: &dyn Fn(&Path) -> bool,
    ) -> Result<usize, String> {
        let listing = git(
            &self.toplevel,
            &["ls-tree", "-r", "-z", "--full-tree", commit],
        )?;
        let mut blobs: BTreeMap<PathBuf, String> = BTreeMap::new();
        let mut links: BTreeMap<PathBuf, String> = BTreeMap::new();
        for entry in listing.split('\0').filter(|e| !e.is_empty()) {
            // `<mode> SP <type> SP <object> TAB <path>`
            let Some((meta, path)) = entry.split_once('\t') else {
                continue;
            };
            let mut fields = meta.split(' ');
            let (Some(mode), Some("blob"), Some(object)) =
                (fields.next(), fields.next(), fields.next())
            else {
                continue;
            };
            let path = PathBuf::from(path);
            if !is_plain(&path) {
                continue;
            }
            if mode == "120000" {
                links.insert(path, object.to_owned());
            } else {
                blobs.insert(path, object.to_owned());
            }
        }
        let mut wanted: Vec<(String, PathBuf)> = blobs
            .iter()
            .filter(|(path, _)| pick(path))
            .map(|(path, object)| (object.clone(), path.clone()))
            .collect();
        if !links.is_empty() {
            let objects: Vec<String> = links.values().cloned().collect();
            let targets = self.cat_blobs(&objects)?;
            let targets: BTreeMap<PathBuf, PathBuf> = links
                .keys()
                .zip(targets)
                .filter_map(|(link, target)| {
                    let target = String::from_utf8(target).ok()?;
                    Some((link.clone(), PathBuf::from(target)))
                })
                .collect();
            let tree = LinkedTree {
                blobs: &blobs,
                targets: &targets,
            };
            for link in links.keys() {
                for (object, path) in tree.through(link, pick)? {
                    wanted.push((object, path));
                }
            }
            wanted.sort_by(|a, b| a.1.cmp(&b.1));
            wanted.dedup_by(|a, b| a.1 == b.1);
        }
        if wanted.is_empty() {
            return Ok(0);
        }
        let objects: Vec<String> = wanted.iter().map(|(o, _)| o.clone()).collect();
        let contents = self.cat_blobs(&objects)?;
        for ((_, path), content) in wanted.iter().zip(contents) {
            let target = dest.join(path);
            if let Some(dir) = target.parent() {
                std::fs::create_dir_all(dir)
                    .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
            }
            std::fs::write(&target, content)
                .map_err(|e| format!("cannot write {}: {e}", target.display()))?;
        }
        Ok(wanted.len())
    }

    /// The contents of blobs, in order, through `git cat-file --batch`.
    fn cat_blobs(&self, objects: &[String]) -> Result<Vec<Vec<u8>>, String> {
        let mut child = Command::new("git")
            .arg("-C")
            .arg(&self.toplevel)
            .args(["cat-file", "--batch"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot run git: {e}"))?;
        let mut stdin = child.stdin.take().expect("piped stdin");
        let request: String = objects.iter().map(|o| format!("{o}\n")).collect();
        // Written from another thread: git answers while it reads, and a
        // full pipe on either side would otherwise block both.
        let feeder = std::thread::spawn(move || {
            let _ = stdin.write_all(request.as_bytes());
        });
        let mut stdout = BufReader::new(child.stdout.take().expect("piped stdout"));
        let result = (|| {
            let mut out = Vec::with_capacity(objects.len());
            for object in objects {
                let mut header = String::new();
                stdout
                    .read_line(&mut header)
                    .map_err(|e| format!("cannot read from git: {e}"))?;
                let size: usize = match header.trim_end().split(' ').collect::<Vec<_>>()[..] {
                    [_, "blob", size] => size.parse().unwrap_or(0),
                    _ => {
                        return Err(format!(
                            "git cannot read object {object} ({})",
                            header.trim()
                        ));
                    }
                };
                let mut content = vec![0; size + 1];
                stdout
                    .read_exact(&mut content)
                    .map_err(|e| format!("cannot read from git: {e}"))?;
                content.pop(); // the newline after each object
                out.push(content);
            }
            Ok(out)
        })();
        let _ = feeder.join();
        drop(stdout);
        let status = child.wait().map_err(|e| format!("git failed: {e}"))?;
        match result {
            Ok(out) if status.success() => Ok(out),
            Ok(_) => Err(format!("git cat-file failed ({status})")),
            Err(e) => Err(e),
        }
    }
}

/// The files and links of one tree, to read links through.
struct LinkedTree<'a> {
    blobs: &'a BTreeMap<PathBuf, String>,
    /// Each link's target, as written.
    targets: &'a BTreeMap<PathBuf, PathBuf>,
}

/// Links followed one after another at most: a loop ends there.
const MAX_HOPS: usize = 16;

impl LinkedTree<'_> {
    /// What the link at `link` stands for, as `(object, path)` pairs to
    /// write: the file it leads to, at the link's path, or the files that
    /// `pick` takes below the folder it leads to, below the link's path.
    fn through(
        &self,
        link: &Path,
        pick: &dyn Fn(&Path) -> bool,
    ) -> Result<Vec<(String, PathBuf)>, String> {
        let mut out = vec![];
        let Some(target) = self.resolve(link, 0) else {
            // Out of the tree: an error when minpriv would read it.
            return if pick(link) {
                Err(format!(
                    "`{}` is a symbolic link leading outside the revision's tree; minpriv reads nothing outside it",
                    link.display()
                ))
            } else {
                Ok(out)
            };
        };
        if let Some(object) = self.blobs.get(&target) {
            if pick(link) {
                out.push((object.clone(), link.to_path_buf()));
            }
            return Ok(out);
        }
        // A folder: every file below it, seen below the link.
        for (path, object) in self.blobs.range(target.clone()..) {
            let Ok(rest) = path.strip_prefix(&target) else {
                break;
            };
            let shown = link.join(rest);
            if pick(&shown) {
                out.push((object.clone(), shown));
            }
        }
        Ok(out)
    }

    /// The path in the tree that `link` leads to, through other links;
    /// `None` when it leaves the tree (or loops).
    fn resolve(&self, link: &Path, hops: usize) -> Option<PathBuf> {
        if hops > MAX_HOPS {
            return None;
        }
        let target = self.targets.get(link)?;
        if target.is_absolute() {
            return None;
        }
        let mut path = link.parent().unwrap_or(Path::new("")).to_path_buf();
        for part in target.components() {
            match part {
                Component::Normal(p) => {
                    path.push(p);
                    // A link inside the path is followed too.
                    if self.targets.contains_key(&path) {
                        path = self.resolve(&path, hops + 1)?;
                    }
                }
                Component::CurDir => {}
                Component::ParentDir => {
                    if !path.pop() {
                        return None;
                    }
                }
                _ => return None,
            }
        }
        Some(path)
    }
}

/// Whether minpriv reads a file at `path` of a tree.
fn reads(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    [PROJECT_FILE, CONFIG_FILE, FORCEIGNORE].contains(&name)
        || FileKind::classify_path(path).is_some()
}

/// Only plain relative components: a crafted tree must not write outside
/// the directory or into a `.git`.
fn is_plain(path: &Path) -> bool {
    path.components().all(|c| match c {
        Component::Normal(part) => !part.eq_ignore_ascii_case(".git"),
        _ => false,
    })
}

/// Runs git in `dir`; its standard output, or its standard error as the
/// error.
fn git(dir: &Path, args: &[&str]) -> Result<String, String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if out.status.success() {
        String::from_utf8(out.stdout).map_err(|_| "git printed something that is not UTF-8".into())
    } else {
        let err = String::from_utf8_lossy(&out.stderr);
        Err(err.trim().lines().next().unwrap_or("git failed").to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_paths_are_written() {
        assert!(is_plain(Path::new("force-app/main/a.profile-meta.xml")));
        assert!(!is_plain(Path::new("../a.profile")));
        assert!(!is_plain(Path::new("/etc/a.profile")));
        assert!(!is_plain(Path::new("x/.GIT/hooks/a.profile")));
    }

    #[test]
    fn reads_metadata_and_project_files_only() {
        assert!(reads(Path::new("force-app/profiles/A.profile-meta.xml")));
        assert!(reads(Path::new("src/profiles/A.profile")));
        assert!(reads(Path::new("minpriv.toml")));
        assert!(reads(Path::new("sub/sfdx-project.json")));
        assert!(!reads(Path::new("force-app/classes/A.cls")));
    }
}
