//! carecircle: plan elderly-care facilities for the 15-minute elderly-care service circle.
//!
//! Data flows one way: load (`io`) → project (`crs`) → network → reach → coverage / siting /
//! rules → render / report.

pub mod crs;
pub mod error;
pub mod model;
pub mod reach_table;
pub mod rng;
pub mod siting;

pub use error::{Error, InputError, Problem, Result, Warning, WarningKind, Warnings};
