//! The crate's modules form layers (README, "Architecture"): a module uses
//! only modules of lower layers, so the dependencies are a DAG and no edge
//! points back up the pipeline. This test reads every `src/**/*.rs`,
//! collects the top-level modules each one names (`use crate::…`, inline
//! `crate::…` paths, `super::` paths that reach the crate root), and fails
//! on any edge that is not downward.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Lowest first. A module may use the modules of the layers before its
/// own, never one of its own layer or a later one.
const LAYERS: &[&[&str]] = &[
    // Leaves: they use no other module.
    &["catalogue", "guard", "secrets"],
    &["source"],
    &["model"],
    &["identity", "ip"],
    &["parse"],
    &["discover"],
    &["usage"],
    &["orgdata"],
    &["config"],
    &["access"],
    &["integration"],
    &["engine"],
    &["rules"],
    // Loading and running, as every command and the benchmarks do it.
    &["pipeline"],
    &["baseline", "diff", "init"],
    &["report"],
    &["fix"],
    &["cli"],
];

/// Module files that are not a module of the library's tree.
const ROOTS: &[&str] = &["lib.rs", "main.rs"];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|layer| layer.contains(&module))
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The source without its comments (doc links name modules without
/// using them); string and character literals are kept as they are.
fn without_comments(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let ident = |c: char| c.is_alphanumeric() || c == '_';
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < chars.len() {
                if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                    depth += 1;
                    i += 2;
                } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
            out.push(' ');
        } else if c == 'r'
            && (i == 0 || !ident(chars[i - 1]) || chars[i - 1] == 'b')
            && matches!(next, Some('"' | '#'))
        {
            // A raw string: `r"…"`, `r#"…"#`.
            let mut j = i + 1;
            while chars.get(j) == Some(&'#') {
                j += 1;
            }
            if chars.get(j) != Some(&'"') {
                out.push(c);
                i += 1;
                continue;
            }
            let hashes = j - i - 1;
            let mut end = j + 1;
            while end < chars.len() {
                if chars[end] == '"'
                    && chars[end + 1..]
                        .iter()
                        .take(hashes)
                        .filter(|&&h| h == '#')
                        .count()
                        == hashes
                {
                    end += 1 + hashes;
                    break;
                }
                end += 1;
            }
            out.extend(&chars[i..end.min(chars.len())]);
            i = end;
        } else if c == '"' {
            let mut end = i + 1;
            while end < chars.len() && chars[end] != '"' {
                if chars[end] == '\\' {
                    end += 1;
                }
                end += 1;
            }
            out.extend(&chars[i..(end + 1).min(chars.len())]);
            i = end + 1;
        } else if c == '\'' {
            // A character literal (`'"'`, `'\''`), or a lifetime.
            let end = if next == Some('\\') {
                let mut end = i + 2;
                while end < chars.len() && chars[end] != '\'' {
                    end += 1;
                }
                end + 1
            } else if chars.get(i + 2) == Some(&'\'') {
                i + 3
            } else {
                i + 1
            };
            out.extend(&chars[i..end.min(chars.len())]);
            i = end;
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

/// The names at the top of a `{…}` group: `{a, b::{c, d}, e}` gives a,
/// b, e.
fn group_heads(group: &str) -> Vec<String> {
    let mut heads = vec![];
    let mut depth = 0;
    let mut current = String::new();
    for c in group.chars() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                heads.push(std::mem::take(&mut current));
                continue;
            }
            _ => {}
        }
        if depth == 0 {
            current.push(c);
        }
    }
    heads.push(current);
    heads
        .iter()
        .filter_map(|h| {
            let h: String = h
                .trim()
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            (!h.is_empty() && h != "self").then_some(h)
        })
        .collect()
}

/// The top-level modules a path from the crate root names, read from
/// `rest` (what follows `crate::`).
fn heads_at(rest: &str) -> Vec<String> {
    let rest = rest.trim_start();
    if let Some(group) = rest.strip_prefix('{') {
        let mut depth = 1;
        let end = group
            .char_indices()
            .find(|&(_, c)| {
                match c {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    _ => {}
                }
                depth == 0
            })
            .map_or(group.len(), |(i, _)| i);
        return group_heads(&group[..end]);
    }
    let head: String = rest
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    if head.is_empty() { vec![] } else { vec![head] }
}

/// Every top-level module `code` names, with the line it does it on.
/// `depth` is how many `super::` lead from the file's module to the
/// crate root; `modules` are the crate's top-level modules (a `super::`
/// path counts only when it names one, since an inline `mod tests` is one
/// level deeper than its file).
fn referenced(code: &str, depth: usize, modules: &BTreeSet<String>) -> Vec<(String, usize)> {
    let mut found = vec![];
    let ident = |c: char| c.is_alphanumeric() || c == '_';
    let line = |at: usize| code[..at].matches('\n').count() + 1;
    for (at, _) in code.match_indices("crate::") {
        // `$crate` in a macro is this crate too; `foo_crate::` is not.
        if code[..at].chars().next_back().is_some_and(ident) {
            continue;
        }
        for head in heads_at(&code[at + "crate::".len()..]) {
            found.push((head, line(at)));
        }
    }
    for (at, _) in code.match_indices("super::") {
        if code[..at].chars().next_back().is_some_and(ident) || code[..at].ends_with("super::") {
            continue;
        }
        let mut rest = &code[at..];
        let mut supers = 0;
        while let Some(r) = rest.strip_prefix("super::") {
            supers += 1;
            rest = r.trim_start();
        }
        if depth >= 2 && supers >= depth {
            for head in heads_at(rest).into_iter().filter(|h| modules.contains(h)) {
                found.push((head, line(at)));
            }
        }
    }
    found
}

/// The file's top-level module and how deep its module is below the root.
fn module_of(rel: &Path) -> (String, usize) {
    let parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    let top = parts[0].trim_end_matches(".rs").to_owned();
    let last = parts.last().unwrap();
    let depth = if last == "mod.rs" {
        parts.len() - 1
    } else {
        parts.len()
    };
    (top, depth)
}

#[test]
fn module_dependencies_point_down_the_layers() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = vec![];
    rust_files(&src, &mut files);
    files.sort();

    let files: Vec<(&PathBuf, &Path)> = files
        .iter()
        .map(|path| (path, path.strip_prefix(&src).unwrap()))
        .filter(|(_, rel)| !ROOTS.contains(&rel.to_string_lossy().as_ref()))
        .collect();
    let modules: BTreeSet<String> = files.iter().map(|(_, rel)| module_of(rel).0).collect();
    let mut backward = vec![];
    let mut edges: BTreeMap<(String, String), usize> = BTreeMap::new();
    for (path, rel) in &files {
        let (module, depth) = module_of(rel);
        let code = without_comments(&std::fs::read_to_string(path).unwrap());
        for (used, line) in referenced(&code, depth, &modules) {
            if used == module {
                continue;
            }
            *edges.entry((module.clone(), used.clone())).or_default() += 1;
            let (Some(from), Some(to)) = (layer_of(&module), layer_of(&used)) else {
                continue;
            };
            if to >= from {
                backward.push(format!(
                    "src/{}:{line}: `{module}` (layer {from}) uses `{used}` (layer {to})",
                    rel.display()
                ));
            }
        }
    }

    let unplaced: Vec<&String> = modules.iter().filter(|m| layer_of(m).is_none()).collect();
    assert!(
        unplaced.is_empty(),
        "modules missing from LAYERS in tests/architecture.rs (place each in the layer its imports allow): {unplaced:?}"
    );
    let gone: Vec<&&str> = LAYERS
        .iter()
        .flat_map(|l| l.iter())
        .filter(|m| !modules.contains(**m))
        .collect();
    assert!(gone.is_empty(), "LAYERS names modules src/ lacks: {gone:?}");
    let used_unknown: Vec<&(String, String)> = edges
        .keys()
        .filter(|(_, to)| layer_of(to).is_none())
        .collect();
    assert!(
        used_unknown.is_empty(),
        "paths to modules the table does not know: {used_unknown:?}"
    );
    assert!(
        backward.is_empty(),
        "{} edges point up or across the layers (README, \"Architecture\"):\n{}",
        backward.len(),
        backward.join("\n")
    );
    // The test sees the edges it should: the command line uses the engine.
    assert!(edges.contains_key(&("cli".into(), "engine".into())));
    assert!(edges.contains_key(&("rules".into(), "engine".into())));
}

#[test]
fn the_scanner_sees_paths_and_skips_comments() {
    let code = without_comments(
        "use crate::{a::X, b::{c, d}};\n// crate::e\n/* crate::f */ let s = \"// x\"; crate::g::h();\nlet c = '\"'; crate::i::j;\nlet r = r#\"crate::k\"#;\n",
    );
    let modules: BTreeSet<String> = ["report".to_owned()].into();
    let heads: Vec<String> = referenced(&code, 1, &modules)
        .into_iter()
        .map(|(h, _)| h)
        .collect();
    assert_eq!(heads, ["a", "b", "g", "i", "k"]);
    let nested = referenced(
        "use super::super::report::X; use super::y; use super::super::z;",
        2,
        &modules,
    );
    assert_eq!(nested, [("report".to_owned(), 1)]);
}
