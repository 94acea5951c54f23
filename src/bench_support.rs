//! Shared set-up for the benchmarks and the `city_scale` example, so that the figures in the
//! README come from the same code paths as `carecircle audit`.

use std::path::Path;

use crate::io::scenario::Scenario;
use crate::model::Layers;
use crate::progress::Steps;
use crate::study::Study;
use crate::synthetic::SyntheticCity;
use crate::Warnings;

/// A walking scenario with day-care and canteen targets, for in-memory layers.
pub fn scenario() -> Scenario {
    Scenario::parse(
        r#"
name = "synthetic city"
[travel]
mode = "walk"
speed_m_per_min = 60
limit_min = 15
[layers.communities]
path = "memory"
[layers.facilities]
path = "memory"
[layers.roads]
path = "memory"
[targets]
day_care = { limit_min = 15, coverage = 1.0 }
canteen = { limit_min = 15, coverage = 1.0 }
"#,
        Path::new("synthetic.toml"),
    )
    .expect("the built-in benchmark scenario parses")
}

/// The city's layers.
pub fn layers(city: &SyntheticCity) -> Layers {
    Layers {
        communities: city.communities.clone(),
        facilities: city.facilities.clone(),
        population: Vec::new(),
        candidates: Vec::new(),
        roads: city.lines.clone(),
        parcels: Vec::new(),
    }
}

/// The city prepared as a study (graph built, points snapped), without progress output.
pub fn study(city: &SyntheticCity) -> Study {
    Study::from_layers(
        scenario(),
        layers(city),
        Warnings::default(),
        &Steps::hidden(),
    )
    .expect("a generated city always makes a study")
}
