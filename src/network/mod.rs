//! The road network: road lines → a walk (or bike/drive) graph in compressed adjacency form,
//! points snapped onto it, and bounded multi-source searches over it.

mod build;
pub mod candidates;
mod search;
mod snap;

pub use build::{MergePath, RoadGraph, TravelMode, TravelSpeeds};
pub use search::{
    nearest_sources, reach_table, Direction, NearestSource, SearchSpace, Seed, SourceSet,
};
pub use snap::{Snap, Snapper};
