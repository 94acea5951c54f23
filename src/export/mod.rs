//! Outputs back in the bureau's system: the run's GeoJSON layers written again as Shapefiles
//! and/or one GeoPackage in the scenario's `[output] crs`. Writers take the already-computed
//! features (geometry + attribute table) and write; they compute nothing.
//!
//! The layers are taken from the run's own WGS-84 GeoJSON outputs (read back with the
//! streaming reader), so every stage keeps producing one table and the bureau formats follow
//! it exactly, attribute for attribute.

pub mod gpkg;
pub mod shapefile;

use std::path::Path;

use geo::{Coord, Geometry, MapCoords};

use crate::crs::Crs;
use crate::error::{Error, InputError};
use crate::io::features::{
    FeatureSink, FieldValue, LayerInfo, NamedValues, RawFeature, ReadRequest,
};
use crate::report::OutputSet;

/// The type of an attribute column, decided from its values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnType {
    Text,
    Integer,
    Real,
    Bool,
}

/// One attribute column of an output layer.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub name: String,
    pub kind: ColumnType,
}

/// An output layer: features in WGS-84 with one value per column.
#[derive(Debug, Clone, Default)]
pub struct OutputLayer {
    pub name: String,
    pub columns: Vec<Column>,
    pub features: Vec<(Geometry<f64>, Vec<FieldValue>)>,
}

impl OutputLayer {
    /// Builds a layer from features whose properties come as (name, value) lists, in the
    /// order the names first appear; column types follow the values.
    pub fn from_rows(name: &str, rows: Vec<(Geometry<f64>, NamedValues)>) -> Self {
        let mut names: Vec<String> = Vec::new();
        for (_, props) in &rows {
            for (k, _) in props {
                if !names.contains(k) {
                    names.push(k.clone());
                }
            }
        }
        let mut kinds: Vec<Option<ColumnType>> = vec![None; names.len()];
        let features: Vec<(Geometry<f64>, Vec<FieldValue>)> = rows
            .into_iter()
            .map(|(g, props)| {
                let mut values = vec![FieldValue::Null; names.len()];
                for (k, v) in props {
                    if let Some(i) = names.iter().position(|n| *n == k) {
                        values[i] = v;
                    }
                }
                (g, values)
            })
            .collect();
        for (_, values) in &features {
            for (i, v) in values.iter().enumerate() {
                let t = match v {
                    FieldValue::Number(n) if n.fract() == 0.0 && n.abs() < 1e15 => {
                        ColumnType::Integer
                    }
                    FieldValue::Number(_) => ColumnType::Real,
                    FieldValue::Bool(_) => ColumnType::Bool,
                    FieldValue::Text(_) | FieldValue::Other(_) => ColumnType::Text,
                    FieldValue::Null | FieldValue::Absent => continue,
                };
                kinds[i] = Some(match (kinds[i], t) {
                    (None, t) => t,
                    (Some(a), b) if a == b => a,
                    (Some(ColumnType::Integer), ColumnType::Real)
                    | (Some(ColumnType::Real), ColumnType::Integer) => ColumnType::Real,
                    _ => ColumnType::Text,
                });
            }
        }
        OutputLayer {
            name: name.to_string(),
            columns: names
                .into_iter()
                .zip(kinds)
                .map(|(name, k)| Column {
                    name,
                    kind: k.unwrap_or(ColumnType::Text),
                })
                .collect(),
            features,
        }
    }

    /// The layer with every coordinate converted from WGS-84 into `crs`.
    pub fn in_crs(&self, crs: Crs) -> OutputLayer {
        OutputLayer {
            name: self.name.clone(),
            columns: self.columns.clone(),
            features: self
                .features
                .iter()
                .map(|(g, v)| (g.map_coords(|c| from_wgs84(crs, c)), v.clone()))
                .collect(),
        }
    }
}

/// WGS-84 → a CRS.
pub fn from_wgs84(crs: Crs, c: Coord<f64>) -> Coord<f64> {
    crs.from_wgs84(c)
}

/// The `.prj` (ESRI WKT1 as ArcGIS writes it) of a CRS, and its EPSG code when it has one.
pub fn prj_of(crs: Crs) -> Result<(String, Option<u32>), String> {
    Ok((crs.to_prj_wkt()?, crs.epsg()))
}

/// Collects a GeoJSON output's features.
struct Rows(Vec<(Geometry<f64>, NamedValues)>);

impl FeatureSink for Rows {
    fn begin(&mut self, _: &LayerInfo) {}
    fn feature(&mut self, f: RawFeature) {
        if let Ok(Some(g)) = f.geometry {
            self.0.push((g, f.rest));
        }
    }
}

/// Reads one of the run's own GeoJSON outputs back as an output layer.
pub fn layer_of_geojson(name: &str, bytes: &[u8]) -> Result<OutputLayer, InputError> {
    let mut rows = Rows(Vec::new());
    let request = ReadRequest {
        fields: Vec::new(),
        keep_rest: true,
    };
    crate::io::geojson::read_bytes(bytes, Path::new(name), &request, &mut rows)?;
    Ok(OutputLayer::from_rows(name, rows.0))
}

/// What `[output]` asks for.
#[derive(Debug, Clone, PartialEq)]
pub struct OutputOptions {
    pub crs: Crs,
    pub shapefile: bool,
    pub geopackage: bool,
    /// Attribute encoding of Shapefile outputs (UTF-8 unless the scenario says `gbk`).
    pub encoding: &'static encoding_rs::Encoding,
}

impl Default for OutputOptions {
    fn default() -> OutputOptions {
        OutputOptions {
            crs: Crs::Wgs84,
            shapefile: false,
            geopackage: false,
            encoding: encoding_rs::UTF_8,
        }
    }
}

/// Adds the bureau formats of every GeoJSON output in `out`: `NAME.shp/.shx/.dbf/.prj/.cpg`
/// and/or one `results.gpkg` holding every layer; the Shapefile field names (cut to 10 bytes)
/// are listed with their full names at the end of report.md.
pub fn add_bureau_outputs(
    options: &OutputOptions,
    lang: crate::i18n::Lang,
    out: &mut OutputSet,
) -> Result<(), Error> {
    use crate::i18n as m;
    if !options.shapefile && !options.geopackage {
        return Ok(());
    }
    // A CRS without a .prj (GCJ-02, BD-09) cannot be written for a GIS.
    prj_of(options.crs).map_err(|e| Error::Other(format!("[output] crs: {e}")))?;
    let names: Vec<String> = out
        .names()
        .filter(|n| n.ends_with(".geojson"))
        .map(str::to_string)
        .collect();
    let mut layers = Vec::new();
    for name in &names {
        let bytes = out.get(name).unwrap_or_default();
        let layer = layer_of_geojson(name.trim_end_matches(".geojson"), &bytes)?;
        layers.push(layer.in_crs(options.crs));
    }
    let mut notes = String::new();
    if options.shapefile {
        notes.push_str(&format!(
            "\n## {}\n\n{}\n\n| {} | {} | {} |\n|---|---|---|\n",
            m::SHP_NAMES.get(lang),
            m::SHP_NAMES_NOTE.get(lang),
            m::SHP_LAYER.get(lang),
            m::SHP_FIELD.get(lang),
            m::SHP_FULL_NAME.get(lang)
        ));
        for layer in &layers {
            let files = shapefile::write(layer, options.crs, options.encoding)
                .map_err(|e| Error::Other(format!("writing {}.shp: {e}", layer.name)))?;
            for (short, full) in &files.renamed {
                notes.push_str(&format!(
                    "| {} | {} | {} |\n",
                    layer.name,
                    crate::report::md_cell(short),
                    crate::report::md_cell(full)
                ));
            }
            for (ext, bytes) in files.files {
                out.add(&format!("{}.{ext}", layer.name), bytes);
            }
        }
    }
    if options.geopackage {
        let bytes = gpkg::write(&layers, options.crs)
            .map_err(|e| Error::Other(format!("writing results.gpkg: {e}")))?;
        out.add("results.gpkg", bytes);
    }
    if options.shapefile {
        if let Some(md) = out.get("report.md") {
            let mut md = md.to_vec();
            md.extend_from_slice(notes.as_bytes());
            out.add("report.md", md);
        }
    }
    Ok(())
}
