//! Fields the metadata marks required (`<required>true</required>` in a
//! CustomField): a permission set cannot carry field permissions on them
//! ("You cannot deploy to a required field").

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use super::xml;

/// `Object.Field` of every required field under `roots`: source format
/// `objects/<Object>/fields/<Field>.field-meta.xml`, Metadata API format
/// `objects/<Object>.object` with `<fields>` children. Files that do not
/// read are skipped: they only make fix more careful, never less.
pub(super) fn required_fields(roots: &[PathBuf]) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for root in roots {
        let walk = ignore::WalkBuilder::new(root)
            .standard_filters(false)
            .follow_links(false)
            .build();
        for entry in walk.flatten() {
            let path = entry.path();
            if !entry.file_type().is_some_and(|t| t.is_file()) {
                continue;
            }
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if let Some(field) = name.strip_suffix(".field-meta.xml") {
                if let Some(object) = object_of_field_file(path)
                    && read(path).is_some_and(|t| t.child_text("required") == Some("true"))
                {
                    out.insert(format!("{object}.{field}"));
                }
            } else if let Some(object) = name.strip_suffix(".object")
                && let Some(tree) = read(path)
            {
                for field in tree.children.iter().filter(|c| c.name == "fields") {
                    if field.child_text("required") == Some("true")
                        && let Some(full) = field.child_text("fullName")
                    {
                        out.insert(format!("{object}.{full}"));
                    }
                }
            }
        }
    }
    out
}

/// `Account` for `.../objects/Account/fields/X.field-meta.xml`.
fn object_of_field_file(path: &Path) -> Option<String> {
    let fields = path.parent()?;
    if fields.file_name()? != "fields" {
        return None;
    }
    Some(fields.parent()?.file_name()?.to_str()?.to_owned())
}

fn read(path: &Path) -> Option<xml::Element> {
    // CustomField files are small; a huge one is not a field.
    let bytes = crate::source::read_raw(path, 8 << 20).ok()?;
    xml::parse(&String::from_utf8(bytes).ok()?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn required_fields_are_found_in_both_formats() {
        let dir = tempfile::tempdir().unwrap();
        let fields = dir.path().join("objects/Invoice__c/fields");
        std::fs::create_dir_all(&fields).unwrap();
        std::fs::write(
            fields.join("Number__c.field-meta.xml"),
            "<CustomField><fullName>Number__c</fullName><required>true</required></CustomField>",
        )
        .unwrap();
        std::fs::write(
            fields.join("Note__c.field-meta.xml"),
            "<CustomField><fullName>Note__c</fullName><required>false</required></CustomField>",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("objects/Order.object"),
            "<CustomObject><fields><fullName>Code__c</fullName><required>true</required></fields></CustomObject>",
        )
        .unwrap();
        let found = required_fields(&[dir.path().to_path_buf()]);
        let found: Vec<&str> = found.iter().map(String::as_str).collect();
        assert_eq!(found, ["Invoice__c.Number__c", "Order.Code__c"]);
    }
}
