//! `<Profile>`.

use super::doc::Doc;
use super::grants::read_grant;
use super::xml::{Elem, XmlResult};
use crate::model::*;

/// `light`: skip object and field permissions, the bulk of a large
/// profile, which only an integration profile's rules read.
pub(super) fn parse<'a>(
    doc: &mut Doc<'a, '_>,
    root: &Elem<'a>,
    header: Header,
    light: bool,
) -> XmlResult<Profile> {
    let mut profile = Profile {
        header,
        custom: None,
        user_license: None,
        grants: Grants::default(),
        login_ip_ranges: vec![],
        login_hours: None,
        pruned: light,
    };
    let skipped = |name: &str| light && matches!(name, "objectPermissions" | "fieldPermissions");
    while let Some(el) = doc.xml.next_child_skipping(root, skipped)? {
        if read_grant(doc, &el, &mut profile.grants)? {
            continue;
        }
        match el.name {
            "custom" => profile.custom = Some(doc.boolean(&el)?),
            "userLicense" => profile.user_license = Some(doc.located_symbol(&el)?),
            "loginIpRanges" => {
                profile
                    .login_ip_ranges
                    .push(ip_range(doc, &el, "startAddress", "endAddress")?)
            }
            "loginHours" => {
                doc.xml.skip(&el)?;
                profile.login_hours = Some(doc.xml.span_of(&el));
            }
            _ => doc.xml.skip(&el)?,
        }
    }
    profile.grants.shrink_to_fit();
    Ok(profile)
}

/// A login IP range; profiles and connected apps name the ends differently.
pub(super) fn ip_range<'a>(
    doc: &mut Doc<'a, '_>,
    el: &Elem<'a>,
    start: &str,
    end: &str,
) -> XmlResult<IpRangeEntry> {
    let r = doc.record(el, [start, end, "description"])?;
    let located = |i: usize| {
        r.get(i).map(|(text, span)| Located {
            value: Box::<str>::from(text),
            loc: doc.loc(span),
        })
    };
    Ok(IpRangeEntry {
        start: located(0),
        end: located(1),
        description: r.get(2).map(|(t, _)| t.into()),
        span: r.span,
    })
}
