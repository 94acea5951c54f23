//! Loading: the scenario file and the input layers, validated, as plain model types.

pub mod geojson;
pub mod osm;
pub mod scenario;
pub mod validate;

use std::path::Path;

use crate::error::{InputError, Warnings};
use crate::model::RoadLine;
use scenario::LayerSpec;

/// Loads a road layer: GeoJSON lines, or an OpenStreetMap `.osm.pbf` (walkable ways).
pub fn load_roads(spec: &LayerSpec, warnings: &mut Warnings) -> Result<Vec<RoadLine>, InputError> {
    let is_pbf = |p: &Path| p.to_string_lossy().to_ascii_lowercase().ends_with(".pbf");
    if is_pbf(&spec.path) {
        // OpenStreetMap is WGS-84 by definition; a layer crs setting does not apply.
        return osm::read_osm_pbf(&spec.path, warnings);
    }
    geojson::load_roads(spec)
}
