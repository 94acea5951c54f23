//! Loading: the scenario file and the input layers, validated, as plain model types.
//!
//! Two layers: the readers (one file per format: `geojson`, `shapefile`, `gpkg`, `table` for
//! CSV/XLSX, `osm`) turn a file into [`features::RawFeature`]s holding only the requested
//! fields; `layer` maps and validates those into model types and knows no format.

pub mod features;
pub mod geojson;
pub mod gpkg;
pub mod layer;
pub mod osm;
pub mod scenario;
pub mod shapefile;
pub mod table;
pub mod wkb;

use std::path::Path;

use crate::error::{InputError, Problem, Warnings};
use crate::model::RoadLine;
use features::{FeatureSink, LayerInfo, ReadRequest};
use scenario::LayerSpec;

pub use layer::{load_candidates, load_communities, load_facilities, load_population};

/// The file formats carecircle reads features from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    GeoJson,
    Shapefile,
    GeoPackage,
    Csv,
    Xlsx,
    OsmPbf,
}

impl Format {
    /// The format of a layer file, by its extension.
    pub fn of(path: &Path) -> Result<Format, InputError> {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().to_ascii_lowercase())
            .unwrap_or_default();
        let ext = name.rsplit('.').next().unwrap_or("");
        Ok(match ext {
            "geojson" | "json" => Format::GeoJson,
            "shp" => Format::Shapefile,
            "gpkg" => Format::GeoPackage,
            "csv" | "txt" => Format::Csv,
            "xlsx" | "xlsm" => Format::Xlsx,
            "pbf" => Format::OsmPbf,
            _ => {
                return Err(InputError::file(
                    path,
                    Problem::UnknownFormat(format!(".{ext}")),
                ))
            }
        })
    }
}

/// Checks that an input is a regular file (not a FIFO or a device that would block or never
/// end).
pub fn read_input_guard(path: &Path) -> Result<(), InputError> {
    let meta = std::fs::metadata(path)
        .map_err(|e| InputError::file(path, Problem::Unreadable(e.to_string())))?;
    if !meta.is_file() {
        return Err(InputError::file(
            path,
            Problem::Unreadable("not a regular file".into()),
        ));
    }
    Ok(())
}

/// Reads a whole input file after checking that it is a regular file (not a FIFO or a device
/// that would block or never end).
pub fn read_input(path: &Path) -> Result<Vec<u8>, InputError> {
    read_input_guard(path)?;
    std::fs::read(path).map_err(|e| InputError::file(path, Problem::Unreadable(e.to_string())))
}

/// Reads a layer's features in whatever format its file is, feeding `sink`.
pub fn read_layer(
    spec: &LayerSpec,
    request: &ReadRequest,
    sink: &mut dyn FeatureSink,
) -> Result<LayerInfo, InputError> {
    let path = spec.path.as_path();
    match Format::of(path)? {
        Format::GeoJson => geojson::read(path, request, sink),
        Format::Shapefile => {
            read_input_guard(path)?;
            shapefile::read(path, spec.encoding.as_deref(), request, sink)
        }
        Format::GeoPackage => gpkg::read(path, spec.layer.as_deref(), request, sink),
        Format::Csv => table::read_csv(path, spec.encoding.as_deref(), xy(spec), request, sink),
        Format::Xlsx => table::read_xlsx(path, spec.sheet.as_deref(), xy(spec), request, sink),
        Format::OsmPbf => Err(InputError::file(
            path,
            Problem::Other("an OpenStreetMap extract can only be the roads layer".into()),
        )),
    }
}

/// The mapped coordinate columns of a point table.
fn xy(spec: &LayerSpec) -> (Option<&str>, Option<&str>) {
    (spec.mapped("x"), spec.mapped("y"))
}

/// Loads a road layer: lines of any feature format, or an OpenStreetMap `.osm.pbf` (walkable
/// ways).
pub fn load_roads(spec: &LayerSpec, warnings: &mut Warnings) -> Result<Vec<RoadLine>, InputError> {
    if Format::of(&spec.path)? == Format::OsmPbf {
        // OpenStreetMap is WGS-84 by definition; a layer crs setting does not apply.
        return osm::read_osm_pbf(&spec.path, warnings);
    }
    layer::load_roads(spec)
}
