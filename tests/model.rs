//! The typed model read from the sample org, through the library API.

use std::path::Path;

use minpriv::discover::{self, Options};
use minpriv::model::{ComponentKind, IpRelaxation, ObjectAccess, Org, RefreshTokenPolicy};
use minpriv::parse::{self, DEFAULT_MAX_FILE_SIZE};
use minpriv::source::Sources;

fn acme() -> Org {
    let cwd = Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf();
    let options = Options {
        paths: vec!["testdata/acme".into()],
        excludes: vec![],
        use_forceignore: true,
    };
    let excludes = discover::compile_excludes(&[]).unwrap();
    let mut sources = Sources::default();
    let found = discover::discover(&options, &excludes, &cwd, &mut sources);
    assert!(found.errors.is_empty());
    let (org, errors) = parse::parse_all(sources, &found.inputs, DEFAULT_MAX_FILE_SIZE);
    assert!(errors.is_empty(), "{errors:?}");
    org
}

#[test]
fn external_client_app_files_join_on_their_app_element() {
    let org = acme();
    let ecas: Vec<_> = org
        .apps
        .iter()
        .filter(|a| a.kind == ComponentKind::ExternalClientApp)
        .collect();
    assert_eq!(ecas.len(), 1, "five files, one app");
    let app = ecas[0];
    assert_eq!(org.name(app.name), "Marketing_Cloud");
    assert_eq!(app.files.len(), 5);
    assert_eq!(
        app.run_as_user.as_ref().unwrap().value.as_ref(),
        "mc.sync@acme.example"
    );
    let scopes: Vec<&str> = app.scopes.iter().map(|s| s.value.as_ref()).collect();
    assert_eq!(scopes, ["Api", "RefreshToken"]);
    assert!(app.admin_approved.as_ref().unwrap().value);
    assert_eq!(
        app.ip_relaxation.as_ref().unwrap().value,
        Some(IpRelaxation::Enforce)
    );
    assert_eq!(
        app.refresh_token_policy.as_ref().unwrap().value,
        Some(RefreshTokenPolicy::SpecificLifetime)
    );
    // Findings about the app as a whole point at its header file.
    let header = &org.sources.get(app.root.file).display;
    assert!(
        header.ends_with("externalClientApps/Marketing_Cloud.eca-meta.xml"),
        "{header}"
    );
}

#[test]
fn connected_apps_profiles_and_groups_are_read() {
    let org = acme();
    let orders = &org.apps[org.apps_named("Orders_Sync")[0]];
    assert_eq!(orders.kind, ComponentKind::ConnectedApp);
    assert_eq!(
        orders.run_as_user.as_ref().unwrap().value.as_ref(),
        "svc.orders@acme.example"
    );
    assert_eq!(orders.ip_ranges.len(), 1);

    let admin = &org.profiles[org.profiles_named("System Administrator")[0]];
    assert_eq!(org.name(admin.header.name), "Admin");
    assert_eq!(
        org.profiles_named("Admin"),
        org.profiles_named("System Administrator")
    );
    assert_eq!(admin.custom, Some(false));
    let account = admin
        .grants
        .object_permissions
        .iter()
        .find(|o| org.name(o.object) == "Account")
        .unwrap();
    assert!(
        account
            .access
            .contains(ObjectAccess::MODIFY_ALL | ObjectAccess::VIEW_ALL)
    );

    let group = &org.groups[org.groups_named("Orders_Integration")[0]];
    let members: Vec<&str> = group
        .permission_sets
        .iter()
        .map(|r| org.name(r.name))
        .collect();
    assert_eq!(
        members,
        ["Orders_Integration_Read", "Orders_Integration_Write"]
    );
    assert_eq!(group.muting_permission_sets.len(), 1);

    let orders_profile = &org.profiles[org.profiles_named("Orders Integration")[0]];
    assert!(org.has_integration_license(orders_profile));
    assert!(org.api_only_permission(&orders_profile.grants).is_some());
    assert_eq!(orders_profile.login_ip_ranges.len(), 1);
    assert!(orders_profile.grants.object_permissions.is_empty());
}
