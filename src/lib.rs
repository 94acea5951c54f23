//! carecircle: plan elderly-care facilities for the 15-minute elderly-care service circle.
//!
//! Data flows one way: load (`io`) → project (`crs`) → network → reach → coverage / siting /
//! rules → render / report.

pub mod access;
pub mod areas;
pub mod bench_support;
pub mod commands;
pub mod community_type;
pub mod compare;
pub mod coverage;
pub mod crs;
pub mod demo;
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
pub mod progress;
pub mod reach_table;
pub mod render;
pub mod report;
pub mod rng;
pub mod rules;
pub mod site_plan;
pub mod siting;
pub mod study;
pub mod synthetic;
pub mod xlsx;

pub use error::{Error, InputError, Problem, Result, Warning, WarningKind, Warnings};
