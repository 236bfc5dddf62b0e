//! Generates a large, deterministic set of usage logs for the usage-reader
//! benchmark (`benches/logs.sh`): a small org (one integration, its
//! permission set), a users export, and `--rows` event log rows split over
//! `--files` daily files, as `EventLogFile.LogFile` writes them (every
//! value quoted, CRLF line ends): mostly `ApiTotalUsage` (REST and SOAP
//! calls on a dozen objects, Bulk jobs without their operation, a few
//! addresses and apps, forty users), with `Login` and `RestApi` files.
//!
//!     cargo run --release --example generate_logs -- --rows 10000000 --files 40 --out DIR

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::PathBuf;

const OBJECTS: [&str; 12] = [
    "Account",
    "Contact",
    "Opportunity",
    "Order",
    "OrderItem",
    "Case",
    "Lead",
    "Product2",
    "Pricebook2",
    "Invoice__c",
    "Shipment__c",
    "Task",
];
const APPS: [&str; 4] = [
    "Orders Sync",
    "Orders Sync",
    "Orders Sync",
    "Dataloader Partner",
];
const IPS: [&str; 5] = [
    "198.51.100.7",
    "198.51.100.8",
    "198.51.100.9",
    "203.0.113.9",
    "Salesforce.com IP",
];
const USERS: usize = 40;

/// A small deterministic generator (xorshift).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() % items.len() as u64) as usize]
    }
}

fn user_id(u: usize) -> String {
    format!("0055g0000{u:06}")
}

fn main() {
    let mut rows: u64 = 1_000_000;
    let mut files: u64 = 10;
    let mut out = PathBuf::from("target/bench-logs/logs");
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let value = args.next().unwrap_or_else(|| panic!("{arg} needs a value"));
        match arg.as_str() {
            "--rows" => rows = value.parse().expect("--rows N"),
            "--files" => files = value.parse().expect("--files N"),
            "--out" => out = PathBuf::from(value),
            other => panic!("unknown option {other}"),
        }
    }
    let snapshot = out.join("org-snapshot");
    let sets = out.join("force-app/main/default/permissionsets");
    std::fs::create_dir_all(&snapshot).unwrap();
    std::fs::create_dir_all(&sets).unwrap();
    std::fs::write(out.join("sfdx-project.json"), "{\"packageDirectories\":[{\"path\":\"force-app\",\"default\":true}],\"sourceApiVersion\":\"64.0\"}\n").unwrap();
    let mut ps = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<PermissionSet xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n    <label>Orders Access</label>\n",
    );
    for o in OBJECTS {
        let _ = write!(
            ps,
            "    <objectPermissions>\n        <allowCreate>true</allowCreate>\n        <allowDelete>true</allowDelete>\n        <allowEdit>true</allowEdit>\n        <allowRead>true</allowRead>\n        <modifyAllRecords>false</modifyAllRecords>\n        <object>{o}</object>\n        <viewAllRecords>false</viewAllRecords>\n    </objectPermissions>\n"
        );
    }
    ps.push_str("</PermissionSet>\n");
    std::fs::write(sets.join("Orders_Access.permissionset-meta.xml"), ps).unwrap();
    std::fs::write(
        out.join("minpriv.toml"),
        "org-data = \"org-snapshot\"\n\n[[integration]]\nname = \"orders-sync\"\nuser = \"svc.user0@acme.example\"\npermission-sets = [\"Orders_Access\"]\nip-allowlist = [\"198.51.100.0/24\"]\n",
    )
    .unwrap();
    let mut users = String::from(
        "Id,Username,IsActive,UserType,LastLoginDate,Profile.Name,Profile.UserLicense.Name\n",
    );
    for u in 0..USERS {
        let _ = writeln!(
            users,
            "{}AAA,svc.user{u}@acme.example,true,Standard,2026-11-16T23:10:02.000+0000,Orders Integration,Salesforce Integration",
            user_id(u)
        );
    }
    std::fs::write(snapshot.join("users.csv"), users).unwrap();

    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let per_file = rows.div_ceil(files);
    let start = jiff::civil::date(2026, 10, 1);
    let mut written = 0;
    let mut bytes = 0u64;
    for f in 0..files {
        let day = start
            .checked_add(jiff::Span::new().days(f as i64 % 60))
            .unwrap();
        let d = day.strftime("%Y%m%d").to_string();
        let iso = day.to_string();
        // One file in ten is a Login file, one in ten a RestApi file.
        let kind = match f % 10 {
            3 => "Login",
            7 => "RestApi",
            _ => "ApiTotalUsage",
        };
        let header = match kind {
            "Login" => {
                "\"EVENT_TYPE\",\"TIMESTAMP\",\"REQUEST_ID\",\"ORGANIZATION_ID\",\"USER_ID\",\"LOGIN_TYPE\",\"API_TYPE\",\"USER_NAME\",\"LOGIN_STATUS\",\"SOURCE_IP\",\"TIMESTAMP_DERIVED\",\"CLIENT_IP\""
            }
            "RestApi" => {
                "\"EVENT_TYPE\",\"TIMESTAMP\",\"REQUEST_ID\",\"ORGANIZATION_ID\",\"USER_ID\",\"RUN_TIME\",\"CPU_TIME\",\"URI\",\"METHOD\",\"STATUS_CODE\",\"USER_AGENT\",\"ENTITY_NAME\",\"CONNECTED_APP_ID\",\"CLIENT_IP\",\"TIMESTAMP_DERIVED\""
            }
            _ => {
                "\"EVENT_TYPE\",\"TIMESTAMP\",\"REQUEST_ID\",\"ORGANIZATION_ID\",\"USER_ID\",\"API_FAMILY\",\"API_VERSION\",\"API_RESOURCE\",\"CLIENT_NAME\",\"HTTP_METHOD\",\"CLIENT_IP\",\"COUNTS_AGAINST_API_LIMIT\",\"CONNECTED_APP_ID\",\"ENTITY_NAME\",\"STATUS_CODE\",\"CONNECTED_APP_NAME\",\"USER_NAME\",\"TIMESTAMP_DERIVED\""
            }
        };
        let path = snapshot.join(format!("0AT5g00000{f:05}GAJ.csv"));
        let mut w =
            std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(&path).unwrap());
        let mut line = String::with_capacity(512);
        line.push_str(header);
        line.push_str("\r\n");
        for r in 0..per_file.min(rows - written) {
            line.clear();
            let u = (rng.next() % USERS as u64) as usize;
            let secs = r % 86_400;
            let (h, m, s, ms) = (secs / 3600, secs / 60 % 60, secs % 60, rng.next() % 1000);
            let ts = format!("{d}{h:02}{m:02}{s:02}.{ms:03}");
            let tsd = format!("{iso}T{h:02}:{m:02}:{s:02}.{ms:03}Z");
            let id = user_id(u);
            let object = rng.pick(&OBJECTS);
            let ip = rng.pick(&IPS);
            let req = rng.next() % 1_000_000_000;
            match kind {
                "Login" => {
                    let status = if rng.next().is_multiple_of(50) {
                        "LOGIN_ERROR_INVALID_PASSWORD"
                    } else {
                        "LOGIN_NO_ERROR"
                    };
                    let _ = write!(
                        line,
                        "\"Login\",\"{ts}\",\"4e{req:09}\",\"00D5g000004TqZB\",\"{id}\",\"Remote Access Client\",\"\",\"svc.user{u}@acme.example\",\"{status}\",\"{ip}\",\"{tsd}\",\"{ip}\"\r\n"
                    );
                }
                "RestApi" => {
                    let method = rng.pick(&["GET", "GET", "GET", "POST", "PATCH", "DELETE"]);
                    let _ = write!(
                        line,
                        "\"RestApi\",\"{ts}\",\"4e{req:09}\",\"00D5g000004TqZB\",\"{id}\",\"{}\",\"{}\",\"/services/data/v62.0/sobjects/{object}/a0B5g00000{req:05}\",\"{method}\",\"200\",\"Apache-HttpClient/4.5.14\",\"{object}\",\"0H45g000000OrSy\",\"{ip}\",\"{tsd}\"\r\n",
                        rng.next() % 900,
                        rng.next() % 90
                    );
                }
                _ => {
                    let app = rng.pick(&APPS);
                    let (family, resource, method) = match rng.next() % 10 {
                        0..=4 => (
                            "REST",
                            format!("/v62.0/sobjects/{object}"),
                            rng.pick(&["GET", "POST", "PATCH", "GET"]),
                        ),
                        5 | 6 => ("REST", "/v62.0/query".to_owned(), "GET"),
                        7 | 8 => (
                            "SOAP",
                            rng.pick(&["query", "create", "update", "upsert", "delete"])
                                .to_owned(),
                            "POST",
                        ),
                        _ => ("Bulk", "/v62.0/jobs/ingest".to_owned(), "POST"),
                    };
                    let _ = write!(
                        line,
                        "\"ApiTotalUsage\",\"{ts}\",\"4e{req:09}\",\"00D5g000004TqZB\",\"{id}\",\"{family}\",\"62.0\",\"{resource}\",\"\",\"{method}\",\"{ip}\",\"1\",\"0H45g000000OrSy\",\"{object}\",\"200\",\"{app}\",\"svc.user{u}@acme.example\",\"{tsd}\"\r\n"
                    );
                }
            }
            w.write_all(line.as_bytes()).unwrap();
            bytes += line.len() as u64;
            written += 1;
        }
        w.flush().unwrap();
    }
    println!(
        "{written} rows, {bytes} bytes, in {files} files under {}",
        snapshot.display()
    );
}
