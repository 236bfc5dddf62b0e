//! `minpriv.toml` edited in place with `toml_edit`: only the keys fix
//! changes are touched, and each keeps its comments and layout.

use std::path::PathBuf;

use toml_edit::{Array, DocumentMut, Item, Table, Value};

use super::FixError;
use crate::config::Config;

pub(super) struct Inventory {
    doc: Option<(PathBuf, String, DocumentMut)>,
}

impl Inventory {
    pub(super) fn open(config: &Config) -> Result<Inventory, FixError> {
        let Some(path) = &config.path else {
            return Ok(Inventory { doc: None });
        };
        let doc: DocumentMut = config
            .text
            .parse()
            .map_err(|e| FixError(format!("{}: cannot edit: {e}", path.display())))?;
        Ok(Inventory {
            doc: Some((path.clone(), config.text.clone(), doc)),
        })
    }

    /// The `[[integration]]` table number `index`.
    fn entry(&mut self, index: usize) -> Result<&mut Table, FixError> {
        let (path, _, doc) = self
            .doc
            .as_mut()
            .ok_or_else(|| FixError("no minpriv.toml to edit".to_owned()))?;
        doc.get_mut("integration")
            .and_then(Item::as_array_of_tables_mut)
            .and_then(|list| list.get_mut(index))
            .ok_or_else(|| {
                FixError(format!(
                    "{}: cannot edit integration number {}: write the integrations as [[integration]] tables",
                    path.display(),
                    index + 1
                ))
            })
    }

    pub(super) fn set_profile(&mut self, index: usize, profile: &str) -> Result<(), FixError> {
        let table = self.entry(index)?;
        match table.get_mut("profile").and_then(Item::as_value_mut) {
            Some(value) => {
                if value.as_str() == Some(profile) {
                    return Ok(());
                }
                let decor = value.decor().clone();
                *value = Value::from(profile);
                *value.decor_mut() = decor;
            }
            None => {
                table.insert("profile", toml_edit::value(profile));
            }
        }
        Ok(())
    }

    fn array<'t>(table: &'t mut Table, key: &str) -> Option<&'t mut Array> {
        table.get_mut(key).and_then(Item::as_array_mut)
    }

    pub(super) fn remove_permission_sets(
        &mut self,
        index: usize,
        names: &[String],
    ) -> Result<(), FixError> {
        if names.is_empty() {
            return Ok(());
        }
        let table = self.entry(index)?;
        let Some(array) = Self::array(table, "permission-sets") else {
            return Ok(());
        };
        array.retain(|v| !v.as_str().is_some_and(|s| names.iter().any(|n| n == s)));
        if array.is_empty() {
            table.remove("permission-sets");
        }
        Ok(())
    }

    pub(super) fn add_permission_set(&mut self, index: usize, name: &str) -> Result<(), FixError> {
        self.add_to(index, "permission-sets", name)
    }

    pub(super) fn add_group(&mut self, index: usize, name: &str) -> Result<(), FixError> {
        self.add_to(index, "permission-set-groups", name)
    }

    fn add_to(&mut self, index: usize, key: &str, name: &str) -> Result<(), FixError> {
        let table = self.entry(index)?;
        match Self::array(table, key) {
            Some(array) => {
                if !array.iter().any(|v| v.as_str() == Some(name)) {
                    array.push(name);
                }
            }
            None => {
                let mut array = Array::new();
                array.push(name);
                table.insert(key, toml_edit::value(array));
            }
        }
        Ok(())
    }

    /// The path and new text, when anything changed.
    pub(super) fn finish(self) -> Option<(PathBuf, String)> {
        let (path, old, doc) = self.doc?;
        let new = doc.to_string();
        (new != old).then_some((path, new))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edits_keep_comments_and_order() {
        let text = "# inventory\n[[integration]]\nname = \"a\" # the A\nuser = \"u\"\nprofile = \"Admin\" # was admin\npermission-sets = [\"X\", \"Y\"]\nowner = \"o\"\n\n[integration.objects]\nAccount = \"read\"\n";
        let config = Config {
            path: Some(PathBuf::from("minpriv.toml")),
            text: text.to_owned(),
            ..Config::default()
        };
        let mut inventory = Inventory::open(&config).unwrap();
        inventory.set_profile(0, "A Integration").unwrap();
        inventory
            .remove_permission_sets(0, &["X".to_owned(), "Y".to_owned()])
            .unwrap();
        inventory.add_group(0, "A").unwrap();
        let (_, new) = inventory.finish().unwrap();
        assert_eq!(
            new,
            "# inventory\n[[integration]]\nname = \"a\" # the A\nuser = \"u\"\nprofile = \"A Integration\" # was admin\nowner = \"o\"\npermission-set-groups = [\"A\"]\n\n[integration.objects]\nAccount = \"read\"\n"
        );
    }
}
