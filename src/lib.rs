//! minpriv: a static least-privilege linter for Salesforce integration users.
//!
//! The pipeline is a row of plain stages, each in its own module:
//! [`discover`] finds the metadata files, [`parse`] turns each into the typed
//! [`model`] (in parallel, streaming), [`config`] reads the inventory,
//! [`orgdata`] reads the optional org snapshot, [`integration`] works out
//! who the integrations are, [`engine`] runs the [`rules`] and applies
//! selection and exceptions, [`baseline`] hides the findings a team has
//! accepted, and [`report`] renders the findings. [`pipeline`] runs the
//! stages as every command does; the command line in [`cli`] parses the
//! arguments, calls it and prints.

pub mod access;
pub mod baseline;
pub mod catalogue;
pub mod cli;
pub mod config;
pub mod diff;
pub mod discover;
pub mod engine;
pub mod fix;
pub mod guard;
pub mod identity;
pub mod init;
pub mod integration;
pub mod ip;
pub mod model;
pub mod orgdata;
pub mod parse;
pub mod pipeline;
pub mod report;
pub mod rules;
pub mod secrets;
pub mod source;
pub mod usage;
