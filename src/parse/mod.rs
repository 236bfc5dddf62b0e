//! quick-xml → typed model. One module per metadata type; this one owns
//! file kinds, reading a file safely, and the parallel driver.

mod app;
pub mod cache;
pub(crate) mod credential;
mod doc;
mod grants;
mod group;
mod permission_set;
mod profile;
pub mod xml;

use std::collections::HashSet;
use std::path::Path;

use lasso::ThreadedRodeo;
use rayon::prelude::*;

use crate::model::*;
pub use crate::source::DEFAULT_MAX_FILE_SIZE;
use crate::source::{FileError, FileId, Problem, Sources, Span};
use doc::Doc;
use xml::{Xml, XmlResult};

/// External Client App files: one component each, joined into one app by
/// their `<externalClientApplication>` element.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum EcaPart {
    Header,
    OauthSettings,
    GlobalOauthSettings,
    OauthPolicies,
    Policies,
}

/// What a file holds, decided by its suffix alone (never its folder).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum FileKind {
    Profile,
    PermissionSet,
    PermissionSetGroup,
    MutingPermissionSet,
    ConnectedApp,
    Eca(EcaPart),
    NamedCredential,
    ExternalCredential,
    /// A file of a decomposed permission set, merged
    /// into the permission set whose folder holds it.
    PermissionSetPart,
}

/// Suffixes of decomposed permission set files, in both presets' spellings.
const PART_SUFFIXES: [&str; 29] = [
    "objectSettings",
    "objectPermission",
    "fieldPermission",
    "userPermission",
    "userPermissions",
    "classAccess",
    "classAccesses",
    "applicationVisibility",
    "applicationVisibilities",
    "customPermission",
    "customPermissions",
    "customMetadataTypeAccess",
    "customMetadataTypeAccesses",
    "customSettingAccess",
    "customSettingAccesses",
    "externalCredentialPrincipalAccess",
    "externalCredentialPrincipalAccesses",
    "externalDataSourceAccess",
    "externalDataSourceAccesses",
    "flowAccess",
    "flowAccesses",
    "pageAccess",
    "pageAccesses",
    "tabSetting",
    "tabSettings",
    "recordTypeVisibility",
    "recordTypeVisibilities",
    "agentAccess",
    "agentAccesses",
];

impl FileKind {
    /// `(suffix, kind, root element)`.
    const TABLE: [(&'static str, FileKind, &'static str); 12] = [
        ("profile", FileKind::Profile, "Profile"),
        ("permissionset", FileKind::PermissionSet, "PermissionSet"),
        (
            "permissionsetgroup",
            FileKind::PermissionSetGroup,
            "PermissionSetGroup",
        ),
        (
            "mutingpermissionset",
            FileKind::MutingPermissionSet,
            "MutingPermissionSet",
        ),
        ("connectedApp", FileKind::ConnectedApp, "ConnectedApp"),
        (
            "eca",
            FileKind::Eca(EcaPart::Header),
            "ExternalClientApplication",
        ),
        (
            "ecaOauth",
            FileKind::Eca(EcaPart::OauthSettings),
            "ExtlClntAppOauthSettings",
        ),
        (
            "ecaGlblOauth",
            FileKind::Eca(EcaPart::GlobalOauthSettings),
            "ExtlClntAppGlobalOauthSettings",
        ),
        (
            "ecaOauthPlcy",
            FileKind::Eca(EcaPart::OauthPolicies),
            "ExtlClntAppOauthConfigurablePolicies",
        ),
        (
            "ecaPlcy",
            FileKind::Eca(EcaPart::Policies),
            "ExtlClntAppConfigurablePolicies",
        ),
        (
            "namedCredential",
            FileKind::NamedCredential,
            "NamedCredential",
        ),
        (
            "externalCredential",
            FileKind::ExternalCredential,
            "ExternalCredential",
        ),
    ];

    /// The kind and decoded full name of a file, from its name:
    /// `Custom%3A Sales.profile-meta.xml` → (Profile, `Custom: Sales`);
    /// `Admin.profile` (Metadata API format) → (Profile, `Admin`).
    pub fn classify(file_name: &str) -> Option<(FileKind, String)> {
        let base = file_name.strip_suffix("-meta.xml").unwrap_or(file_name);
        let (stem, suffix) = base.rsplit_once('.')?;
        if stem.is_empty() {
            return None;
        }
        let kind = Self::TABLE.iter().find(|(s, _, _)| *s == suffix)?.1;
        let name = percent_encoding::percent_decode_str(stem)
            .decode_utf8_lossy()
            .into_owned();
        Some((kind, name))
    }

    /// Like [`FileKind::classify`], and also recognises the files of a
    /// decomposed permission set by their folder: they live below
    /// `permissionsets/<PS>/`, and their full name is the permission set's.
    pub fn classify_path(path: &Path) -> Option<(FileKind, String)> {
        let name = path.file_name()?.to_str()?;
        if let Some(found) = Self::classify(name) {
            return Some(found);
        }
        let (_, suffix) = name.strip_suffix("-meta.xml")?.rsplit_once('.')?;
        if !PART_SUFFIXES.contains(&suffix) {
            return None;
        }
        let folder = decomposed_folder(path)?;
        let set = folder.file_name()?.to_str()?;
        let set = percent_encoding::percent_decode_str(set).decode_utf8_lossy();
        Some((FileKind::PermissionSetPart, set.into_owned()))
    }

    pub fn suffix(self) -> &'static str {
        match self {
            FileKind::PermissionSetPart => "permissionset",
            _ => Self::TABLE.iter().find(|(_, k, _)| *k == self).unwrap().0,
        }
    }

    pub fn root_element(self) -> &'static str {
        match self {
            FileKind::PermissionSetPart => "PermissionSet",
            _ => Self::TABLE.iter().find(|(_, k, _)| *k == self).unwrap().2,
        }
    }

    /// Every kind, in a fixed order.
    pub fn all() -> impl Iterator<Item = FileKind> {
        Self::TABLE.iter().map(|(_, k, _)| *k)
    }

    /// Every suffix minpriv reads.
    pub fn suffixes() -> impl Iterator<Item = &'static str> {
        Self::TABLE.iter().map(|(s, _, _)| *s)
    }
}

/// The folder of a decomposed permission set that holds `path`: the
/// ancestor directly below a `permissionsets` folder (any case).
pub fn decomposed_folder(path: &Path) -> Option<&Path> {
    path.ancestors().skip(1).find(|dir| {
        dir.parent()
            .and_then(Path::file_name)
            .is_some_and(|n| n.eq_ignore_ascii_case("permissionsets"))
    })
}

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
    let parse = |input: &Input, light: bool| {
        parse_file(
            input,
            &sources.get(input.file).path,
            &names,
            max_file_size,
            light,
        )
    };
    // A profile nothing names is read without its object and field
    // permissions; should the file itself make it an integration
    // profile, it is read again, whole.
    let read = |input: &Input, light: bool| match parse(input, light) {
        Ok(Parsed::Profile(p)) if light && integration_by_file(&p, &names) => parse(input, false),
        other => other,
    };
    let cached_read = |input: &Input, light: bool| {
        let Some(cache) = &cache else {
            return read(input, light);
        };
        let path = &sources.get(input.file).path;
        let how = (input.kind, input.full_name.as_str(), light);
        match cache.lookup(input.file, path, input.kind, &input.full_name, light) {
            Ok(parsed) => Ok(parsed),
            Err(stamp) => {
                let result = read(input, light);
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
        .map(|i| cached_read(i, false))
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
        .map(|i| {
            let light = keep
                .as_ref()
                .is_some_and(|keep| !keep.contains(&i.full_name.to_lowercase()))
                && name_test.evidence(&i.full_name, None).is_none();
            cached_read(i, light)
        })
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

/// Reads and parses one file. A panic (a bug in minpriv) is caught and
/// becomes an error naming the file, so one file never takes the run down.
/// `light`: for a profile, skip object and field permissions (see
/// [`parse_all_with`]).
fn parse_file(
    input: &Input,
    path: &Path,
    names: &ThreadedRodeo,
    max_file_size: u64,
    light: bool,
) -> Result<Parsed, FileError> {
    guarded(input.file, || {
        read_and_parse(input, path, names, max_file_size, light)
    })
}

/// Runs `parse` for `file`; a panic becomes [`INTERNAL_ERROR`].
fn guarded<T>(file: FileId, parse: impl FnOnce() -> Result<T, FileError>) -> Result<T, FileError> {
    crate::guard::catch(parse).unwrap_or_else(|panic| {
        Err(FileError::whole(file, INTERNAL_ERROR).with_help(format!(
            "minpriv panicked: {panic}. Please report it with the file that caused it."
        )))
    })
}

fn read_and_parse(
    input: &Input,
    path: &Path,
    names: &ThreadedRodeo,
    max_file_size: u64,
    light: bool,
) -> Result<Parsed, FileError> {
    let file = input.file;
    let bytes =
        read_limited(path, max_file_size).map_err(|message| FileError::whole(file, message))?;
    let located = |e: Box<Problem<Span>>| Problem::from(*e).in_file(file);
    let (text, base) = decode(&bytes).map_err(located)?;
    parse_text(input, text, base, names, light, true).map_err(located)
}

/// Parses the bytes of one file of `kind` on their own, as the run would
/// (decoding included), and keeps only the verdict: `Ok` or the located
/// error. For the fuzz targets and the robustness tests.
pub fn parse_bytes(kind: FileKind, bytes: &[u8]) -> XmlResult<()> {
    let names = ThreadedRodeo::new();
    if let Parsed::Eca(part, app) = parse_alone(kind, bytes, &names, false, true)? {
        // Joining is part of loading an External Client App.
        app::join_external_client_apps(vec![(part, app)]);
    }
    Ok(())
}

/// Parses the bytes of one file of `kind` twice, with the cursor's fast
/// path for plain leaves and with quick-xml alone, and returns what each
/// read (the model or the located error) in debug form. The two must be
/// equal whatever the bytes: the fuzz target and the tests check it.
/// `light` reads a profile without its object and field permissions.
pub fn parse_bytes_both_ways(kind: FileKind, bytes: &[u8], light: bool) -> [String; 2] {
    [true, false].map(|fast| {
        let names = ThreadedRodeo::new();
        format!("{:#?}", parse_alone(kind, bytes, &names, light, fast))
    })
}

/// One file's bytes, decoded and parsed outside a run.
fn parse_alone(
    kind: FileKind,
    bytes: &[u8],
    names: &ThreadedRodeo,
    light: bool,
    fast: bool,
) -> XmlResult<Parsed> {
    let input = Input {
        file: FileId(0),
        kind,
        full_name: "Fuzzed".to_owned(),
    };
    let (text, base) = decode(bytes)?;
    parse_text(&input, text, base, names, light, fast)
}

/// The content of an input, through the one hardened reader.
fn read_limited(path: &Path, max: u64) -> Result<Vec<u8>, String> {
    crate::source::read_input(path, max)
}

/// The text of a file and the offset it starts at (past a UTF-8 BOM),
/// through [`crate::source::decode`].
fn decode(bytes: &[u8]) -> XmlResult<(&str, usize)> {
    use crate::source::Undecodable;
    crate::source::decode(bytes).map_err(|e| match e {
        Undecodable::Utf16(span) => Box::new(Problem::new(span, "the file is UTF-16 encoded")
            .with_help("Salesforce metadata is UTF-8; convert the file to UTF-8 (for example with iconv -f UTF-16 -t UTF-8)")),
        Undecodable::NotUtf8(span) => Box::new(Problem::new(span, "invalid UTF-8")
            .with_help("Salesforce metadata is UTF-8; the file was saved in another encoding or is damaged")),
    })
}

fn parse_text(
    input: &Input,
    text: &str,
    base: usize,
    names: &ThreadedRodeo,
    light: bool,
    fast: bool,
) -> XmlResult<Parsed> {
    let mut xml = Xml::with_fast_path(text, base, fast);
    let root = xml.root()?;
    let expected = input.kind.root_element();
    if root.name != expected && !permission_set::is_part_root(input.kind, root.name) {
        return Err(Box::new(
            Problem::new(
                root.name_span(),
                format!(
                    "expected root element <{expected}> in a .{} file, found <{}>",
                    input.kind.suffix(),
                    xml::quoted(root.name)
                ),
            )
            .with_help(
                "the file's suffix decides its type; rename the file or fix its root element",
            ),
        ));
    }
    let mut doc = Doc::new(xml, input.file, names);
    let header = Header {
        name: names.get_or_intern(&input.full_name),
        file: input.file,
        root: root.name_span(),
    };
    let parsed = match input.kind {
        FileKind::Profile => Parsed::Profile(profile::parse(&mut doc, &root, header, light)?),
        FileKind::PermissionSet => {
            Parsed::PermissionSet(permission_set::parse(&mut doc, &root, header)?)
        }
        FileKind::MutingPermissionSet => {
            Parsed::Muting(permission_set::parse_muting(&mut doc, &root, header)?)
        }
        FileKind::PermissionSetGroup => Parsed::Group(group::parse(&mut doc, &root, header)?),
        FileKind::ConnectedApp => {
            Parsed::ConnectedApp(app::parse_connected_app(&mut doc, &root, header)?)
        }
        FileKind::Eca(part) => {
            Parsed::Eca(part, app::parse_eca_part(&mut doc, &root, header, part)?)
        }
        FileKind::NamedCredential => {
            Parsed::NamedCredential(credential::parse_named(&mut doc, &root, header)?)
        }
        FileKind::ExternalCredential => {
            Parsed::ExternalCredential(credential::parse_external(&mut doc, &root, header)?)
        }
        FileKind::PermissionSetPart => Parsed::PermissionSetPart(
            input.file,
            root.name_span(),
            permission_set::parse_part(&mut doc, &root)?,
        ),
    };
    doc.xml.finish()?;
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_by_suffix_in_both_formats() {
        assert_eq!(
            FileKind::classify("Admin.profile-meta.xml"),
            Some((FileKind::Profile, "Admin".into()))
        );
        assert_eq!(
            FileKind::classify("Admin.profile"),
            Some((FileKind::Profile, "Admin".into()))
        );
        assert_eq!(
            FileKind::classify("Custom%3A Sales Profile.profile-meta.xml"),
            Some((FileKind::Profile, "Custom: Sales Profile".into()))
        );
        assert_eq!(
            FileKind::classify("Force%2Ecom - Free User.profile"),
            Some((FileKind::Profile, "Force.com - Free User".into()))
        );
        assert_eq!(
            FileKind::classify("Orders_oauthPlcy.ecaOauthPlcy-meta.xml"),
            Some((
                FileKind::Eca(EcaPart::OauthPolicies),
                "Orders_oauthPlcy".into()
            ))
        );
        assert_eq!(FileKind::classify("Order.objectSettings-meta.xml"), None);
        assert_eq!(FileKind::classify("package.xml"), None);
        assert_eq!(FileKind::classify(".profile"), None);
    }

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

    #[test]
    fn a_file_deleted_after_discovery_is_an_error_not_a_crash() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("Gone.profile-meta.xml");
        std::fs::write(&path, "<Profile/>").unwrap();
        assert_eq!(read_limited(&path, 100).unwrap(), b"<Profile/>");
        std::fs::remove_file(&path).unwrap();
        assert_eq!(
            read_limited(&path, 100).unwrap_err(),
            "cannot read the file: it does not exist (deleted during the run, or a link to a missing file)"
        );
    }

    #[test]
    fn size_limit_and_special_files_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("Big.profile-meta.xml");
        std::fs::write(&path, "<Profile/>").unwrap();
        assert_eq!(
            read_limited(&path, 9).unwrap_err(),
            "the file is 10 bytes, more than the limit of 9 bytes (--max-file-size)"
        );
        assert_eq!(
            read_limited(dir.path(), 9).unwrap_err(),
            "is a directory, not a file minpriv can read"
        );
        #[cfg(unix)]
        {
            // Opening a FIFO would wait for a writer forever.
            let fifo = dir.path().join("Fifo.profile-meta.xml");
            let made = std::process::Command::new("mkfifo").arg(&fifo).status();
            if made.is_ok_and(|s| s.success()) {
                assert!(
                    read_limited(&fifo, 100)
                        .unwrap_err()
                        .starts_with("is not a regular file")
                );
            }
            let socket = dir.path().join("Socket.profile-meta.xml");
            let _listener = std::os::unix::net::UnixListener::bind(&socket).unwrap();
            assert!(
                read_limited(&socket, 100)
                    .unwrap_err()
                    .starts_with("is not a regular file")
            );
        }
    }

    #[test]
    fn parse_bytes_gives_the_verdict_of_a_run() {
        assert_eq!(
            parse_bytes(
                FileKind::Profile,
                b"<Profile><custom>true</custom></Profile>"
            ),
            Ok(())
        );
        let e = parse_bytes(FileKind::PermissionSetGroup, b"<Profile/>").unwrap_err();
        assert!(
            e.message
                .starts_with("expected root element <PermissionSetGroup>"),
            "{e:?}"
        );
        let e = parse_bytes(FileKind::Profile, b"<Profile><custom>").unwrap_err();
        assert_eq!(e.span, Span::new(9, 16));
    }

    #[test]
    fn rejects_utf16_and_invalid_utf8_with_position() {
        assert!(
            decode(&[0xFF, 0xFE, b'<', 0])
                .unwrap_err()
                .message
                .contains("UTF-16")
        );
        let e = decode(b"<a>\xC3\x28</a>").unwrap_err();
        assert_eq!(e.span.start, 3);
        let (text, base) = decode(b"\xEF\xBB\xBF<a/>").unwrap();
        assert_eq!((text, base), ("<a/>", 3));
    }
}
