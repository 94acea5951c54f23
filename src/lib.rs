//! carecircle: plan elderly-care facilities for the 15-minute elderly-care service circle.
//!
//! Data flows one way: load (`io`) → project (`crs`) → network → reach → coverage / siting /
//! rules → render / report.

pub mod access;
pub mod areas;
// Test, benchmark and demo support: public only with the `dev-support` feature, which the
// crate's own tests, benches and examples turn on (see Cargo.toml). The demo generator is
// compiled always because `carecircle demo` needs it; users reach it through `commands::demo`.
#[cfg(feature = "dev-support")]
#[doc(hidden)]
pub mod bench_support;
pub mod commands;
pub mod community_type;
pub mod compare;
pub mod coverage;
pub mod crs;
#[cfg(feature = "dev-support")]
#[doc(hidden)]
pub mod demo;
#[cfg(not(feature = "dev-support"))]
mod demo;
pub mod error;
pub mod export;
pub mod figures;
pub mod html;
pub mod i18n;
pub mod inspect;
pub mod io;
pub mod model;
pub mod network;
pub mod output;
pub mod places;
pub mod progress;
pub mod reach_table;
pub mod render;
pub mod report;
pub mod rng;
pub mod rules;
pub mod site_plan;
pub mod siting;
pub mod study;
#[cfg(feature = "dev-support")]
#[doc(hidden)]
pub mod synthetic;
pub mod xlsx;

pub use error::{Error, InputError, Problem, Result, Warning, WarningKind, Warnings};
