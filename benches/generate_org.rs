//! Writes a synthetic Salesforce org for benchmarks, shaped like a real
//! `sf project retrieve`: 4-space indent, one element per line, profiles
//! of 1–2 MB holding thousands of `fieldPermissions`, many smaller
//! permission sets, groups with muting sets, connected apps, and a
//! `minpriv.toml` declaring some integrations, some of them with
//! violations. Deterministic for a given `--seed`.
//!
//! ```sh
//! cargo run --release --example generate_org -- --size 100MB --out /tmp/org100
//! ```

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// splitmix64: small, fast, and the same everywhere.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

const STANDARD_OBJECTS: [&str; 12] = [
    "Account",
    "Contact",
    "Lead",
    "Opportunity",
    "Case",
    "Order",
    "Contract",
    "Campaign",
    "Product2",
    "Pricebook2",
    "Task",
    "Event",
];

const HIGH_RISK: [&str; 6] = [
    "ExportReport",
    "ViewSetup",
    "ViewAllUsers",
    "AssignPermissionSets",
    "ManageDataIntegrations",
    "BulkApiHardDelete",
];

const HEADER: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
const NS: &str = "http://soap.sforce.com/2006/04/metadata";

struct Org {
    objects: Vec<String>,
    /// Fields per object, `Object.Field__c`.
    fields: Vec<Vec<String>>,
}

impl Org {
    fn new(rng: &mut Rng, objects: usize, fields_per_object: usize) -> Org {
        let mut names: Vec<String> = STANDARD_OBJECTS.iter().map(|s| s.to_string()).collect();
        for i in 0..objects.saturating_sub(names.len()) {
            names.push(format!("Custom_Object_{i:03}__c"));
        }
        let fields = names
            .iter()
            .map(|o| {
                let n = fields_per_object / 2 + rng.below(fields_per_object as u64) as usize;
                (0..n).map(|f| format!("{o}.Field_{f:04}__c")).collect()
            })
            .collect();
        Org {
            objects: names,
            fields,
        }
    }
}

fn bool_el(out: &mut String, indent: &str, name: &str, value: bool) {
    let _ = writeln!(out, "{indent}<{name}>{value}</{name}>");
}

fn field_permissions(out: &mut String, rng: &mut Rng, org: &Org, share_percent: u64) {
    for fields in &org.fields {
        for field in fields {
            if !rng.chance(share_percent) {
                continue;
            }
            let readable = rng.chance(90);
            out.push_str("    <fieldPermissions>\n");
            bool_el(out, "        ", "editable", readable && rng.chance(40));
            let _ = writeln!(out, "        <field>{field}</field>");
            bool_el(out, "        ", "readable", readable);
            out.push_str("    </fieldPermissions>\n");
        }
    }
}

fn object_permissions(out: &mut String, rng: &mut Rng, org: &Org, share_percent: u64, risky: bool) {
    for object in &org.objects {
        if !rng.chance(share_percent) {
            continue;
        }
        out.push_str("    <objectPermissions>\n");
        let read = true;
        bool_el(out, "        ", "allowCreate", rng.chance(30));
        bool_el(out, "        ", "allowDelete", rng.chance(10));
        bool_el(out, "        ", "allowEdit", rng.chance(50));
        bool_el(out, "        ", "allowRead", read);
        bool_el(out, "        ", "modifyAllRecords", risky && rng.chance(5));
        let _ = writeln!(out, "        <object>{object}</object>");
        bool_el(out, "        ", "viewAllFields", false);
        bool_el(out, "        ", "viewAllRecords", risky && rng.chance(10));
        out.push_str("    </objectPermissions>\n");
    }
}

fn user_permission(out: &mut String, name: &str) {
    out.push_str("    <userPermissions>\n        <enabled>true</enabled>\n");
    let _ = writeln!(out, "        <name>{name}</name>");
    out.push_str("    </userPermissions>\n");
}

/// A profile: integration profiles are small unless `bloated`; human
/// profiles carry the org's field-level security (the 1–2 MB ones).
fn profile(rng: &mut Rng, org: &Org, integration: bool, bloated: bool) -> String {
    let mut out = format!("{HEADER}<Profile xmlns=\"{NS}\">\n");
    for app in ["standard__Sales", "standard__Service"] {
        if !integration || bloated {
            let _ = write!(
                out,
                "    <applicationVisibilities>\n        <application>{app}</application>\n        <default>false</default>\n        <visible>true</visible>\n    </applicationVisibilities>\n"
            );
        }
    }
    bool_el(&mut out, "    ", "custom", true);
    if !integration || bloated {
        field_permissions(&mut out, rng, org, 85);
    }
    if integration && rng.chance(70) {
        out.push_str("    <loginIpRanges>\n        <description>Middleware egress</description>\n");
        let net = rng.below(200) + 1;
        let _ = write!(
            out,
            "        <endAddress>203.0.{net}.255</endAddress>\n        <startAddress>203.0.{net}.0</startAddress>\n    </loginIpRanges>\n"
        );
    }
    if !integration || bloated {
        object_permissions(&mut out, rng, org, 60, bloated);
    }
    let licence = if integration {
        "Salesforce Integration"
    } else {
        "Salesforce"
    };
    let _ = writeln!(out, "    <userLicense>{licence}</userLicense>");
    user_permission(&mut out, "ApiEnabled");
    if integration && rng.chance(80) {
        user_permission(&mut out, "ApiUserOnly");
    }
    if !integration || bloated {
        for p in ["ConvertLeads", "EditTask", "RunReports", "ViewSetup"] {
            user_permission(&mut out, p);
        }
    }
    out.push_str("</Profile>\n");
    out
}

fn permission_set(rng: &mut Rng, org: &Org, label: &str, risky: bool) -> String {
    let mut out = format!("{HEADER}<PermissionSet xmlns=\"{NS}\">\n");
    let _ = writeln!(out, "    <description>{label} access.</description>");
    field_permissions(&mut out, rng, org, 3);
    bool_el(&mut out, "    ", "hasActivationRequired", false);
    let _ = writeln!(out, "    <label>{label}</label>");
    object_permissions(&mut out, rng, org, 8, risky);
    if risky {
        user_permission(
            &mut out,
            HIGH_RISK[rng.below(HIGH_RISK.len() as u64) as usize],
        );
    }
    out.push_str("</PermissionSet>\n");
    out
}

/// An integration's own set: read on Account's fields, read and edit on
/// Contact's; one time in ten also delete on Account (beyond its contract).
fn integration_set(rng: &mut Rng, org: &Org, name: &str) -> String {
    let mut out = format!("{HEADER}<PermissionSet xmlns=\"{NS}\">\n");
    let _ = writeln!(out, "    <description>{name}.</description>");
    for (object, edit) in [(0, false), (1, true)] {
        for field in org.fields[object].iter().take(25) {
            out.push_str("    <fieldPermissions>\n");
            bool_el(&mut out, "        ", "editable", edit);
            let _ = writeln!(out, "        <field>{field}</field>");
            bool_el(&mut out, "        ", "readable", true);
            out.push_str("    </fieldPermissions>\n");
        }
    }
    bool_el(&mut out, "    ", "hasActivationRequired", false);
    let _ = writeln!(out, "    <label>{}</label>", name.replace('_', " "));
    for (object, edit, delete) in [("Account", false, rng.chance(10)), ("Contact", true, false)] {
        out.push_str("    <objectPermissions>\n");
        bool_el(&mut out, "        ", "allowCreate", false);
        bool_el(&mut out, "        ", "allowDelete", delete);
        bool_el(&mut out, "        ", "allowEdit", edit);
        bool_el(&mut out, "        ", "allowRead", true);
        bool_el(&mut out, "        ", "modifyAllRecords", false);
        let _ = writeln!(out, "        <object>{object}</object>");
        bool_el(&mut out, "        ", "viewAllFields", false);
        bool_el(&mut out, "        ", "viewAllRecords", false);
        out.push_str("    </objectPermissions>\n");
    }
    out.push_str("</PermissionSet>\n");
    out
}

fn group(label: &str, members: &[String], muting: Option<&str>) -> String {
    let mut out = format!("{HEADER}<PermissionSetGroup xmlns=\"{NS}\">\n");
    let _ = writeln!(out, "    <description>{label}.</description>");
    bool_el(&mut out, "    ", "hasActivationRequired", false);
    let _ = writeln!(out, "    <label>{label}</label>");
    if let Some(m) = muting {
        let _ = writeln!(out, "    <mutingPermissionSets>{m}</mutingPermissionSets>");
    }
    for m in members {
        let _ = writeln!(out, "    <permissionSets>{m}</permissionSets>");
    }
    out.push_str("    <status>Updated</status>\n</PermissionSetGroup>\n");
    out
}

fn muting_set(label: &str) -> String {
    format!(
        "{HEADER}<MutingPermissionSet xmlns=\"{NS}\">\n    <label>{label}</label>\n    <userPermissions>\n        <enabled>true</enabled>\n        <name>ExportReport</name>\n    </userPermissions>\n</MutingPermissionSet>\n"
    )
}

fn connected_app(rng: &mut Rng, name: &str, user: &str) -> String {
    let relaxation = if rng.chance(20) { "BYPASS" } else { "ENFORCE" };
    format!(
        "{HEADER}<ConnectedApp xmlns=\"{NS}\">\n    <contactEmail>platform@example.com</contactEmail>\n    <label>{name}</label>\n    <oauthConfig>\n        <callbackUrl>https://login.salesforce.com/services/oauth2/success</callbackUrl>\n        <isAdminApproved>true</isAdminApproved>\n        <isClientCredentialEnabled>true</isClientCredentialEnabled>\n        <oauthClientCredentialUser>{user}</oauthClientCredentialUser>\n        <scopes>Api</scopes>\n    </oauthConfig>\n    <oauthPolicy>\n        <ipRelaxation>{relaxation}</ipRelaxation>\n        <refreshTokenPolicy>specific_lifetime:90:DAYS</refreshTokenPolicy>\n    </oauthPolicy>\n</ConnectedApp>\n"
    )
}

struct Writer {
    root: PathBuf,
    bytes: u64,
    files: u64,
}

impl Writer {
    fn write(&mut self, rel: &str, text: &str) {
        let path = self.root.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).expect("create directory");
        std::fs::write(&path, text).expect("write file");
        self.bytes += text.len() as u64;
        self.files += 1;
    }
}

fn parse_size(text: &str) -> u64 {
    let upper = text.to_ascii_uppercase();
    let (number, factor) = if let Some(n) = upper.strip_suffix("GB") {
        (n, 1_000_000_000)
    } else if let Some(n) = upper.strip_suffix("MB") {
        (n, 1_000_000)
    } else if let Some(n) = upper.strip_suffix("KB") {
        (n, 1_000)
    } else {
        (upper.as_str(), 1)
    };
    number
        .trim()
        .parse::<u64>()
        .expect("--size like 100MB or 1GB")
        * factor
}

fn main() {
    let mut size = 100_000_000;
    let mut out = PathBuf::from("target/bench-org");
    let mut seed = 42;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().expect("a value after the option");
        match arg.as_str() {
            "--size" => size = parse_size(&value()),
            "--out" => out = PathBuf::from(value()),
            "--seed" => seed = value().parse().expect("--seed N"),
            other => panic!("unknown option {other}; use --size 100MB --out DIR --seed N"),
        }
    }
    let (files, bytes) = generate(&out, size, seed);
    println!(
        "wrote {files} files, {:.1} MB, to {}",
        bytes as f64 / 1e6,
        out.display()
    );
}

/// Writes the org and returns how many files and bytes it wrote.
pub fn generate(root: &Path, target: u64, seed: u64) -> (u64, u64) {
    if root.exists() {
        std::fs::remove_dir_all(root).expect("clear the output directory");
    }
    let mut rng = Rng(seed);
    // 300 objects × ~45 fields: a human profile carries ~11,000
    // fieldPermissions, 1.7–1.9 MB — the size of large real profiles.
    let org = Org::new(&mut rng, 300, 45);
    let mut w = Writer {
        root: root.to_path_buf(),
        bytes: 0,
        files: 0,
    };
    w.write(
        "sfdx-project.json",
        "{\n  \"packageDirectories\": [{ \"path\": \"force-app\", \"default\": true }],\n  \"name\": \"bench\",\n  \"sourceApiVersion\": \"64.0\"\n}\n",
    );
    let base = "force-app/main/default";
    let mut toml =
        String::from("# Generated by benches/generate_org.rs\n\n[lint]\nfail-on = \"error\"\n");
    let mut i = 0u64;
    while w.bytes < target {
        // Each round: one human profile (big), one integration profile,
        // twelve permission sets, a group with a muting set, an app.
        let human = profile(&mut rng, &org, false, false);
        w.write(
            &format!("{base}/profiles/Human Profile {i:05}.profile-meta.xml"),
            &human,
        );
        // A few integration profiles are clones of a human profile.
        let bloated = rng.chance(5);
        let integration = profile(&mut rng, &org, true, bloated);
        let profile_name = format!("Integration {i:05}");
        w.write(
            &format!("{base}/profiles/{profile_name}.profile-meta.xml"),
            &integration,
        );
        let mut members = vec![];
        for s in 0..12 {
            let name = format!("Set_{i:05}_{s:02}");
            let risky = rng.chance(10);
            w.write(
                &format!("{base}/permissionsets/{name}.permissionset-meta.xml"),
                &permission_set(&mut rng, &org, &name.replace('_', " "), risky),
            );
            members.push(name);
        }
        let group_name = format!("Group_{i:05}");
        let muting = format!("Group_{i:05}_Mute");
        w.write(
            &format!("{base}/permissionsetgroups/{group_name}.permissionsetgroup-meta.xml"),
            &group(&group_name, &members[..4], Some(&muting)),
        );
        w.write(
            &format!("{base}/mutingpermissionsets/{muting}.mutingpermissionset-meta.xml"),
            &muting_set(&muting),
        );
        let user = format!("svc.{i:05}@example.com");
        let app = format!("App_{i:05}");
        w.write(
            &format!("{base}/connectedApps/{app}.connectedApp-meta.xml"),
            &connected_app(&mut rng, &app, &user),
        );
        if i.is_multiple_of(3) {
            // The integration's own permission set: its contract's objects,
            // now and then one grant too many.
            let access = format!("Integration_{i:05}_Access");
            w.write(
                &format!("{base}/permissionsets/{access}.permissionset-meta.xml"),
                &integration_set(&mut rng, &org, &access),
            );
            let _ = write!(
                toml,
                "\n[[integration]]\nname = \"integration-{i:05}\"\nuser = \"{user}\"\nprofile = \"{profile_name}\"\npermission-sets = [\"{access}\"]\nconnected-apps = [\"{app}\"]\nip-allowlist = [\"203.0.0.0/16\"]\n\n[integration.objects]\nAccount = \"read\"\nContact = \"read edit\"\n"
            );
        }
        i += 1;
    }
    w.write("minpriv.toml", &toml);
    (w.files, w.bytes)
}
