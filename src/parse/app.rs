//! `<ConnectedApp>` and the External Client App files,
//! read into one [`App`] shape.

use std::collections::HashMap;

use super::EcaPart;
use super::doc::Doc;
use super::group::reference;
use super::profile::ip_range;
use super::xml::{Elem, XmlResult};
use crate::model::*;
use crate::source::Problem;

fn empty_app(kind: ComponentKind, header: &Header) -> App {
    App {
        kind,
        name: header.name,
        root: header.root_loc(),
        label: None,
        files: vec![header.file],
        run_as_user: None,
        client_credentials_enabled: None,
        admin_approved: None,
        scopes: vec![],
        callback_urls: vec![],
        consumer_secret: None,
        jwt_certificate: None,
        ip_relaxation: None,
        refresh_token_policy: None,
        ip_ranges: vec![],
        profiles: vec![],
        permission_sets: vec![],
    }
}

pub(super) fn parse_connected_app<'a>(
    doc: &mut Doc<'a, '_>,
    root: &Elem<'a>,
    header: Header,
) -> XmlResult<App> {
    let mut app = empty_app(ComponentKind::ConnectedApp, &header);
    while let Some(el) = doc.xml.next_child(root)? {
        match el.name {
            "label" => app.label = Some(doc.string(&el)?.into()),
            "ipRanges" => {
                let range = ip_range(doc, &el, "start", "end")?;
                app.ip_ranges.push((doc.file, range));
            }
            "profileName" => app.profiles.extend(reference(doc, &el)?),
            "permissionSetName" => app.permission_sets.extend(reference(doc, &el)?),
            "oauthConfig" => {
                while let Some(child) = doc.xml.next_child(&el)? {
                    match child.name {
                        "callbackUrl" => callback_urls(doc, &child, &mut app)?,
                        "consumerSecret" => secret(doc, &child, &mut app)?,
                        "certificate" => jwt_certificate(doc, &child, &mut app)?,
                        "scopes" => app.scopes.push(doc.located_string(&child)?),
                        "isAdminApproved" => app.admin_approved = Some(doc.located_bool(&child)?),
                        "isClientCredentialEnabled" => {
                            app.client_credentials_enabled = Some(doc.located_bool(&child)?)
                        }
                        "oauthClientCredentialUser" => run_as_user(doc, &child, &mut app)?,
                        _ => doc.xml.skip(&child)?,
                    }
                }
            }
            "oauthPolicy" => {
                while let Some(child) = doc.xml.next_child(&el)? {
                    match child.name {
                        "ipRelaxation" => ip_relaxation(doc, &child, &mut app)?,
                        "refreshTokenPolicy" => refresh_token_policy(doc, &child, &mut app)?,
                        _ => doc.xml.skip(&child)?,
                    }
                }
            }
            _ => doc.xml.skip(&el)?,
        }
    }
    Ok(app)
}

/// One External Client App file. Its `name` is the app it belongs to: the
/// header file's own name, or the `<externalClientApplication>` of the
/// other parts (never their file names).
pub(super) fn parse_eca_part<'a>(
    doc: &mut Doc<'a, '_>,
    root: &Elem<'a>,
    header: Header,
    part: EcaPart,
) -> XmlResult<App> {
    let mut app = empty_app(ComponentKind::ExternalClientApp, &header);
    let mut owner = None;
    while let Some(el) = doc.xml.next_child(root)? {
        match (part, el.name) {
            (_, "externalClientApplication") => owner = Some(doc.located_symbol(&el)?),
            (EcaPart::Header, "label") => app.label = Some(doc.string(&el)?.into()),
            (EcaPart::OauthSettings, "commaSeparatedOauthScopes") => {
                app.scopes.extend(comma_separated(doc, &el)?)
            }
            (EcaPart::OauthSettings, "trustedIpRanges") => {
                let range = ip_range(doc, &el, "startIpAddress", "endIpAddress")?;
                app.ip_ranges.push((doc.file, range));
            }
            (EcaPart::GlobalOauthSettings, "callbackUrl") => callback_urls(doc, &el, &mut app)?,
            (EcaPart::GlobalOauthSettings, "consumerSecret") => secret(doc, &el, &mut app)?,
            (EcaPart::GlobalOauthSettings, "certificate") => jwt_certificate(doc, &el, &mut app)?,
            (
                EcaPart::GlobalOauthSettings | EcaPart::OauthPolicies,
                "isClientCredentialsFlowEnabled",
            ) => app.client_credentials_enabled = Some(doc.located_bool(&el)?),
            (EcaPart::OauthPolicies, "clientCredentialsFlowUser") => {
                run_as_user(doc, &el, &mut app)?
            }
            (EcaPart::OauthPolicies, "permittedUsersPolicyType") => {
                let value = doc.located_string(&el)?;
                app.admin_approved = Some(Located {
                    value: &*value.value == "AdminApprovedPreAuthorized",
                    loc: value.loc,
                });
            }
            (EcaPart::OauthPolicies, "ipRelaxationPolicyType") => {
                ip_relaxation(doc, &el, &mut app)?
            }
            (EcaPart::OauthPolicies, "refreshTokenPolicyType") => {
                refresh_token_policy(doc, &el, &mut app)?
            }
            (EcaPart::OauthPolicies, "commaSeparatedProfile") => {
                app.profiles.extend(comma_separated_refs(doc, &el)?)
            }
            (EcaPart::OauthPolicies, "commaSeparatedPermissionSet") => {
                app.permission_sets.extend(comma_separated_refs(doc, &el)?)
            }
            _ => doc.xml.skip(&el)?,
        }
    }
    match (part, owner) {
        (EcaPart::Header, _) => {}
        (_, Some(owner)) => app.name = owner.value,
        (_, None) => {
            return Err(Box::new(Problem::new(
                header.root,
                format!("<{}> has no <externalClientApplication>", root.name),
            )
            .with_help("each External Client App file names the app it belongs to in <externalClientApplication>")));
        }
    }
    Ok(app)
}

/// Joins External Client App parts into one app per name, in input order.
pub(super) fn join_external_client_apps(mut parts: Vec<(EcaPart, App)>) -> Vec<App> {
    let mut joined: Vec<App> = vec![];
    let mut index: HashMap<Sym, usize> = HashMap::new();
    // Header files first (a stable sort keeps input order otherwise), so an
    // app's root is its header file when there is one.
    parts.sort_by_key(|(kind, _)| *kind != EcaPart::Header);
    for (_, part) in parts {
        match index.get(&part.name) {
            Some(&i) => merge(&mut joined[i], part),
            None => {
                index.insert(part.name, joined.len());
                joined.push(part);
            }
        }
    }
    joined
}

fn merge(app: &mut App, part: App) {
    app.label = app.label.take().or(part.label);
    app.files.extend(part.files);
    app.run_as_user = app.run_as_user.take().or(part.run_as_user);
    app.client_credentials_enabled = app
        .client_credentials_enabled
        .take()
        .or(part.client_credentials_enabled);
    app.admin_approved = app.admin_approved.take().or(part.admin_approved);
    app.scopes.extend(part.scopes);
    app.callback_urls.extend(part.callback_urls);
    app.consumer_secret = app.consumer_secret.or(part.consumer_secret);
    app.jwt_certificate = app.jwt_certificate.or(part.jwt_certificate);
    app.ip_relaxation = app.ip_relaxation.take().or(part.ip_relaxation);
    app.refresh_token_policy = app
        .refresh_token_policy
        .take()
        .or(part.refresh_token_policy);
    app.ip_ranges.extend(part.ip_ranges);
    app.profiles.extend(part.profiles);
    app.permission_sets.extend(part.permission_sets);
}

fn run_as_user<'a>(doc: &mut Doc<'a, '_>, el: &Elem<'a>, app: &mut App) -> XmlResult<()> {
    let user = doc.located_string(el)?;
    if !user.value.is_empty() {
        app.run_as_user = Some(user);
    }
    Ok(())
}

/// A `<certificate>` enables the JWT bearer flow: a server logs in as a
/// user without a password, as integrations do.
fn jwt_certificate<'a>(doc: &mut Doc<'a, '_>, el: &Elem<'a>, app: &mut App) -> XmlResult<()> {
    let value = doc.located_string(el)?;
    if !value.value.trim().is_empty() {
        app.jwt_certificate = Some(value.loc);
    }
    Ok(())
}

fn secret<'a>(doc: &mut Doc<'a, '_>, el: &Elem<'a>, app: &mut App) -> XmlResult<()> {
    let value = doc.located_string(el)?;
    if !value.value.is_empty() {
        app.consumer_secret = Some(value.loc);
    }
    Ok(())
}

/// Several callback URLs live in one element, one per line.
fn callback_urls<'a>(doc: &mut Doc<'a, '_>, el: &Elem<'a>, app: &mut App) -> XmlResult<()> {
    let value = doc.located_string(el)?;
    app.callback_urls.extend(
        value
            .value
            .split(['\n', ' ', ','])
            .map(str::trim)
            .filter(|u| !u.is_empty())
            .map(|u| Located {
                value: u.into(),
                loc: value.loc,
            }),
    );
    Ok(())
}

fn ip_relaxation<'a>(doc: &mut Doc<'a, '_>, el: &Elem<'a>, app: &mut App) -> XmlResult<()> {
    let value = doc.located_string(el)?;
    app.ip_relaxation = Some(Located {
        value: IpRelaxation::parse(&value.value),
        loc: value.loc,
    });
    Ok(())
}

fn refresh_token_policy<'a>(doc: &mut Doc<'a, '_>, el: &Elem<'a>, app: &mut App) -> XmlResult<()> {
    let value = doc.located_string(el)?;
    app.refresh_token_policy = Some(Located {
        value: RefreshTokenPolicy::parse(&value.value),
        loc: value.loc,
    });
    Ok(())
}

/// `Api, RefreshToken`: split on commas, trimmed, empties dropped.
fn comma_separated<'a>(doc: &mut Doc<'a, '_>, el: &Elem<'a>) -> XmlResult<Vec<Located<Box<str>>>> {
    let value = doc.located_string(el)?;
    Ok(value
        .value
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| Located {
            value: s.into(),
            loc: value.loc,
        })
        .collect())
}

fn comma_separated_refs<'a>(doc: &mut Doc<'a, '_>, el: &Elem<'a>) -> XmlResult<Vec<Reference>> {
    Ok(comma_separated(doc, el)?
        .into_iter()
        .map(|l| Reference {
            name: doc.intern(&l.value),
            loc: l.loc,
        })
        .collect())
}
