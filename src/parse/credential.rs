//! `<NamedCredential>` and `<ExternalCredential>`.

use super::doc::Doc;
use super::xml::{Elem, XmlResult};
use crate::model::*;

pub(super) fn parse_named<'a>(
    doc: &mut Doc<'a, '_>,
    root: &Elem<'a>,
    header: Header,
) -> XmlResult<NamedCredential> {
    let mut cred = NamedCredential {
        header,
        label: None,
        secrets: vec![],
        external_credentials: vec![],
    };
    while let Some(el) = doc.xml.next_child(root)? {
        if let Some(secret) = SECRET_ELEMENTS.iter().find(|s| **s == el.name) {
            let value = doc.located_string(&el)?;
            if !value.value.is_empty() {
                cred.secrets.push(Located {
                    value: secret,
                    loc: value.loc,
                });
            }
            continue;
        }
        match el.name {
            "label" => cred.label = Some(doc.string(&el)?.into()),
            "namedCredentialParameters" => {
                let r = doc.record(&el, ["parameterType", "externalCredential"])?;
                if let (Some(("Authentication", _)), Some((name, span))) = (r.get(0), r.get(1)) {
                    cred.external_credentials.push(Reference {
                        name: doc.intern(name),
                        loc: doc.loc(span),
                    });
                }
            }
            _ => doc.xml.skip(&el)?,
        }
    }
    Ok(cred)
}

pub(super) fn parse_external<'a>(
    doc: &mut Doc<'a, '_>,
    root: &Elem<'a>,
    header: Header,
) -> XmlResult<ExternalCredential> {
    let mut cred = ExternalCredential {
        header,
        label: None,
        principals: vec![],
    };
    while let Some(el) = doc.xml.next_child(root)? {
        match el.name {
            "label" => cred.label = Some(doc.string(&el)?.into()),
            "externalCredentialParameters" => {
                let r = doc.record(&el, ["parameterName", "parameterType"])?;
                if let (Some((name, span)), Some(("NamedPrincipal" | "PerUserPrincipal", _))) =
                    (r.get(0), r.get(1))
                {
                    cred.principals.push(Located {
                        value: name.into(),
                        loc: doc.loc(span),
                    });
                }
            }
            _ => doc.xml.skip(&el)?,
        }
    }
    Ok(cred)
}
