//! Reading one file: through the hardened reader, decoded, then parsed by
//! the loader of its kind; and the same for bytes outside a run.

use lasso::ThreadedRodeo;

use super::doc::{Doc, Intern, Names};
use super::xml::{self, Xml, XmlResult};
use super::{FileKind, Input, Parsed, app, credential, group, permission_set, profile};
use crate::model::*;
use crate::source::{FileError, FileId, Problem, Sources, Span};

pub(super) fn read_and_parse(
    input: &Input,
    sources: &Sources,
    names: &Names,
    max_file_size: u64,
    light: bool,
) -> Result<Parsed, FileError> {
    let file = input.file;
    let bytes = sources
        .read_to_parse(file, max_file_size)
        .map_err(|message| FileError::whole(file, message))?;
    let located = |e: Box<Problem<Span>>| Problem::from(*e).in_file(file);
    let (text, base) = decode(&bytes).map_err(located)?;
    parse_text(input, text, base, names, light, true).map_err(located)
}

/// Parses the bytes of one file of `kind` on their own, as the run would
/// (decoding included), and keeps only the verdict: `Ok` or the located
/// error. For the fuzz targets and the robustness tests.
pub fn parse_bytes(kind: FileKind, bytes: &[u8]) -> XmlResult<()> {
    let names = ThreadedRodeo::new();
    if let Parsed::Eca(part, app) = parse_alone(kind, bytes, &Names::new(&names), false, true)? {
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
        let names = Names::new(&names);
        format!("{:#?}", parse_alone(kind, bytes, &names, light, fast))
    })
}

/// One file's bytes, decoded and parsed outside a run.
fn parse_alone(
    kind: FileKind,
    bytes: &[u8],
    names: &Names,
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
    names: &Names,
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
        name: names.intern(&input.full_name),
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
    use std::path::Path;

    use super::*;

    /// A file's content as a run reads it to parse it.
    fn read_limited(path: &Path, max: u64) -> Result<Vec<u8>, String> {
        let mut sources = Sources::default();
        let id = sources.add(path.to_path_buf(), Path::new("/"));
        sources.read_to_parse(id, max)
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
