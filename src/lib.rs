//! minpriv: a static least-privilege linter for Salesforce integration users.
//!
//! The pipeline is a row of plain stages, each in its own module:
//! [`discover`] finds the metadata files, [`parse`] turns each into the typed
//! [`model`] (in parallel, streaming), [`config`] reads the inventory,
//! [`integration`] works out who the integrations are, [`engine`] runs the
//! [`rules`] and applies selection and exceptions, and [`report`] renders the
//! findings. The command line in [`cli`] only wires the stages together.

pub mod catalogue;
pub mod cli;
pub mod config;
pub mod discover;
pub mod engine;
pub mod guard;
pub mod integration;
pub mod ip;
pub mod model;
pub mod parse;
pub mod report;
pub mod rules;
pub mod source;
