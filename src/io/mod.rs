//! Loading: the scenario file and the input layers, validated, as plain model types.

pub mod geojson;
pub mod scenario;

use std::path::Path;

use crate::error::{InputError, Warnings};
use crate::model::RoadLine;
use scenario::LayerSpec;

/// Loads a road layer: GeoJSON lines, or an OpenStreetMap `.osm.pbf` (walkable ways).
pub fn load_roads(spec: &LayerSpec, _warnings: &mut Warnings) -> Result<Vec<RoadLine>, InputError> {
    let is_pbf = |p: &Path| p.to_string_lossy().to_ascii_lowercase().ends_with(".pbf");
    if is_pbf(&spec.path) {
        return Err(InputError::file(
            &spec.path,
            crate::error::Problem::Other("OpenStreetMap PBF roads are not supported yet".into()),
        ));
    }
    geojson::load_roads(spec)
}
