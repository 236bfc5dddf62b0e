//! quick-xml → typed model. One module per metadata type; file kinds
//! (`kind`) and reading one file (`read`) beside; this one owns the
//! parallel driver.

mod app;
pub mod cache;
pub(crate) mod credential;
mod doc;
mod grants;
mod group;
mod kind;
mod permission_set;
mod profile;
mod read;
pub mod xml;

use std::collections::HashSet;

use lasso::ThreadedRodeo;
use rayon::prelude::*;

use crate::model::*;
pub use crate::source::DEFAULT_MAX_FILE_SIZE;
use crate::source::{FileError, FileId, Sources, Span};
use doc::Names;
pub use kind::{EcaPart, FileKind, decomposed_folder};
use read::read_and_parse;
pub use read::{parse_bytes, parse_bytes_both_ways};

/// A metadata file to read.
#[derive(Clone, Debug)]
pub struct Input {
    pub file: FileId,
    pub kind: FileKind,
    pub full_name: String,
}

/// One file's content (what the cache keeps per file, `crate::parse::cache`).
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub(crate) enum Parsed {
    Profile(Profile),
    PermissionSet(PermissionSet),
    Group(PermissionSetGroup),
    Muting(MutingPermissionSet),
    ConnectedApp(App),
    /// One file of an External Client App.
    Eca(EcaPart, App),
    NamedCredential(NamedCredential),
    ExternalCredential(ExternalCredential),
    /// Grants from one file of a decomposed permission set.
    PermissionSetPart(FileId, Span, Grants),
}

/// Reads and parses every input in parallel and assembles the [`Org`].
/// Files that fail are returned as errors; the rest are all in the model.
pub fn parse_all(sources: Sources, inputs: &[Input], max_file_size: u64) -> (Org, Vec<FileError>) {
    parse_all_with(sources, inputs, max_file_size, None)
}

/// Given the run-as usernames of the apps read, the names (lowercase) of
/// the profiles whose object and field permissions must be kept.
pub type ProfileFilter<'a> = Box<dyn FnOnce(&[&str]) -> HashSet<String> + 'a>;

/// [`parse_all`], keeping object and field permissions only for the
/// profiles that can matter: those `keep` names, and those whose file
/// makes them integration profiles (the Salesforce Integration licence,
/// `ApiUserOnly`). Human profiles are most of a large org's XML, and no
/// rule reads their object or field permissions; dropping them as each
/// file is parsed keeps memory a fraction of the input. Profiles are read
/// after every other file, so `keep` can see the apps' run-as users.
pub fn parse_all_with(
    sources: Sources,
    inputs: &[Input],
    max_file_size: u64,
    keep: Option<ProfileFilter>,
) -> (Org, Vec<FileError>) {
    parse_all_cached(sources, inputs, max_file_size, keep, None)
}

/// [`parse_all_with`], taking each file's model from `cache` when the
/// file has not changed since it was kept there, and keeping the others.
pub fn parse_all_cached(
    sources: Sources,
    inputs: &[Input],
    max_file_size: u64,
    keep: Option<ProfileFilter>,
    mut cache: Option<crate::parse::cache::Cache>,
) -> (Org, Vec<FileError>) {
    let names = match &mut cache {
        Some(cache) => cache.interner(),
        None => ThreadedRodeo::new(),
    };
    // Reads and parses one file. A panic (a bug in minpriv) is caught and
    // becomes an error naming the file, so one file never takes the run
    // down. `light`: for a profile, skip object and field permissions.
    let parse = |input: &Input, light: bool, local: &Names| {
        guarded(input.file, || {
            read_and_parse(input, &sources, local, max_file_size, light)
        })
    };
    // A profile nothing names is read without its object and field
    // permissions; should the file itself make it an integration
    // profile, it is read again, whole.
    let read = |input: &Input, light: bool, local: &Names| match parse(input, light, local) {
        Ok(Parsed::Profile(p)) if light && integration_by_file(&p, &names) => {
            parse(input, false, local)
        }
        other => other,
    };
    // `local`: the worker's own cache of names (see [`Names`]).
    let cached_read = |input: &Input, light: bool, local: &Names| {
        let Some(cache) = &cache else {
            return read(input, light, local);
        };
        let path = &sources.get(input.file).path;
        let how = (input.kind, input.full_name.as_str(), light);
        match cache.lookup(input.file, path, input.kind, &input.full_name, light) {
            Ok(parsed) => Ok(parsed),
            Err(stamp) => {
                let result = read(input, light, local);
                if let Ok(parsed) = &result {
                    cache.store(input.file, path, how, stamp, parsed);
                }
                result
            }
        }
    };
    let (profile_inputs, other_inputs): (Vec<&Input>, Vec<&Input>) =
        inputs.iter().partition(|i| i.kind == FileKind::Profile);
    let others: Vec<Result<Parsed, FileError>> = other_inputs
        .par_iter()
        .map_init(
            || Names::new(&names),
            |local, i| cached_read(i, false, local),
        )
        .collect();
    let keep = keep.map(|keep| {
        let run_as: Vec<&str> = others
            .iter()
            .filter_map(|r| match r {
                Ok(Parsed::ConnectedApp(a) | Parsed::Eca(_, a)) => a.run_as_user.as_ref(),
                _ => None,
            })
            .map(|u| &*u.value)
            .collect();
        let mut keep = keep(&run_as);
        // The profiles that apps pre-authorize may be integration
        // identities: keep them whole.
        for r in &others {
            if let Ok(Parsed::ConnectedApp(a) | Parsed::Eca(_, a)) = r {
                for p in &a.profiles {
                    let name = names.resolve(&p.name);
                    keep.insert(name.to_lowercase());
                    if let Some(full) = crate::model::profile_full_name_for_label(name) {
                        keep.insert(full.to_lowercase());
                    }
                }
            }
        }
        keep
    });
    // A name that reads as an integration's makes a suspect, whose access
    // the rules judge: such a profile is kept whole too.
    let app_labels: Vec<String> = others
        .iter()
        .filter_map(|r| match r {
            Ok(Parsed::ConnectedApp(a) | Parsed::Eca(_, a)) => {
                a.label.as_deref().map(str::to_owned)
            }
            _ => None,
        })
        .collect();
    let app_labels: Vec<&str> = app_labels.iter().map(String::as_str).collect();
    let name_test = crate::identity::NameTest::new(&app_labels);
    let profiles: Vec<Result<Parsed, FileError>> = profile_inputs
        .par_iter()
        .map_init(
            || Names::new(&names),
            |local, i| {
                let light = keep
                    .as_ref()
                    .is_some_and(|keep| !keep.contains(&i.full_name.to_lowercase()))
                    && name_test.evidence(&i.full_name, None).is_none();
                cached_read(i, light, local)
            },
        )
        .collect();
    if let Some(cache) = cache {
        cache.save(&names);
    }
    let mut errors = vec![];
    let mut profiles_read = vec![];
    let mut permission_sets = vec![];
    let mut groups = vec![];
    let mut muting_sets = vec![];
    let mut apps: Vec<App> = vec![];
    let mut ecas: Vec<(EcaPart, App)> = vec![];
    let mut named_credentials = vec![];
    let mut external_credentials = vec![];
    let mut parts = vec![];
    for result in others.into_iter().chain(profiles) {
        match result {
            Ok(Parsed::Profile(p)) => profiles_read.push(p),
            Ok(Parsed::PermissionSet(p)) => permission_sets.push(p),
            Ok(Parsed::Group(g)) => groups.push(g),
            Ok(Parsed::Muting(m)) => muting_sets.push(m),
            Ok(Parsed::ConnectedApp(a)) => apps.push(a),
            Ok(Parsed::Eca(part, a)) => ecas.push((part, a)),
            Ok(Parsed::NamedCredential(n)) => named_credentials.push(n),
            Ok(Parsed::ExternalCredential(e)) => external_credentials.push(e),
            Ok(Parsed::PermissionSetPart(file, root, grants)) => parts.push((file, root, grants)),
            Err(e) => errors.push(e),
        }
    }
    errors.extend(permission_set::merge_parts(
        &sources,
        &mut permission_sets,
        parts,
    ));
    apps.extend(app::join_external_client_apps(ecas));
    let org = Org::new(
        sources,
        names.into_reader(),
        profiles_read,
        permission_sets,
        groups,
        muting_sets,
        apps,
        named_credentials,
        external_credentials,
    );
    (org, errors)
}

/// Whether a profile's own file makes it an integration profile: the
/// Salesforce Integration licence, or `ApiUserOnly`.
fn integration_by_file(profile: &Profile, names: &ThreadedRodeo) -> bool {
    let licence = profile
        .user_license
        .as_ref()
        .map(|l| names.resolve(&l.value));
    let api_only = names
        .get(API_ONLY_PERMISSION)
        .is_some_and(|s| profile.grants.user_permission(s).is_some());
    licence == Some(INTEGRATION_LICENSE) || api_only
}

/// What a file that made minpriv panic is reported as.
pub const INTERNAL_ERROR: &str = "internal error while reading this file; please report a bug";

/// Runs `parse` for `file`; a panic becomes [`INTERNAL_ERROR`].
fn guarded<T>(file: FileId, parse: impl FnOnce() -> Result<T, FileError>) -> Result<T, FileError> {
    crate::guard::catch(parse).unwrap_or_else(|panic| {
        Err(FileError::whole(file, INTERNAL_ERROR).with_help(format!(
            "minpriv panicked: {panic}. Please report it with the file that caused it."
        )))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_while_parsing_becomes_an_error_naming_the_file() {
        crate::guard::install_hook();
        let file = FileId(3);
        let result: Result<(), FileError> = guarded(file, || panic!("index out of bounds"));
        let error = result.unwrap_err();
        assert_eq!(error.file, file);
        assert_eq!(error.span, None);
        assert_eq!(error.message, INTERNAL_ERROR);
        let help = error.problem.help.unwrap();
        assert!(
            help.starts_with("minpriv panicked: index out of bounds at src/parse/mod.rs:"),
            "{help}"
        );
        assert_eq!(guarded(file, || Ok(5)), Ok(5));
    }
}
