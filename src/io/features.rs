//! The feature-reader layer's one plain type. Every format reader (GeoJSON, Shapefile,
//! GeoPackage, CSV/XLSX, OSM PBF) turns its file into a stream of [`RawFeature`]s holding the
//! geometry and only the fields the scenario maps; `layer.rs` maps and validates them and
//! knows no format. A new format is one new file that produces `RawFeature`s.

use std::path::{Path, PathBuf};

use geo::{Coord, Geometry};

use crate::error::{InputError, Problem};

/// One attribute value as a reader found it, before any mapping.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldValue {
    /// The field is not in this feature (GeoJSON) or not in the layer's table.
    Absent,
    Null,
    Text(String),
    Number(f64),
    Bool(bool),
    /// A value that is neither text, number nor flag (a JSON array or object), as written.
    Other(String),
}

impl FieldValue {
    /// The value as trimmed text: text as it is, numbers printed; `None` for absent, null,
    /// empty text and other values.
    pub fn text(&self) -> Option<String> {
        match self {
            FieldValue::Text(s) => Some(s.trim().to_string()).filter(|s| !s.is_empty()),
            FieldValue::Number(n) => Some(number_text(*n)),
            FieldValue::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    /// The value as written, for error messages.
    pub fn shown(&self) -> String {
        match self {
            FieldValue::Absent => "absent".into(),
            FieldValue::Null => "null".into(),
            FieldValue::Text(s) => format!("\"{s}\""),
            FieldValue::Number(n) => number_text(*n),
            FieldValue::Bool(b) => b.to_string(),
            FieldValue::Other(s) => s.clone(),
        }
    }

    /// The JSON value, for the attributes kept for rule checks.
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            FieldValue::Absent | FieldValue::Null => serde_json::Value::Null,
            FieldValue::Text(s) => serde_json::Value::String(s.clone()),
            FieldValue::Number(n) => serde_json::Number::from_f64(*n)
                .map(serde_json::Value::Number)
                .unwrap_or(serde_json::Value::Null),
            FieldValue::Bool(b) => serde_json::Value::Bool(*b),
            FieldValue::Other(s) => serde_json::Value::String(s.clone()),
        }
    }
}

/// Integers print without a fraction (ids such as 360403001001 stored as numbers).
pub fn number_text(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

/// Attribute values with their field names.
pub type NamedValues = Vec<(String, FieldValue)>;

/// The requested values of a feature and the kept others.
pub type FeatureValues = (Vec<FieldValue>, NamedValues);

/// A feature's geometry as read, in the layer's own coordinates (not yet converted), or the
/// reason it could not be read; the mapping layer reports it with the feature's index and id.
pub type RawGeometry = Result<Option<Geometry<f64>>, String>;

/// One feature of any format.
#[derive(Debug, Clone)]
pub struct RawFeature {
    /// 0-based position in the layer.
    pub index: usize,
    pub geometry: RawGeometry,
    /// One value per requested field, in the order of the request.
    pub fields: Vec<FieldValue>,
    /// The format's own feature id (GeoJSON `id`, GeoPackage primary key), used when no id
    /// field is mapped.
    pub feature_id: Option<String>,
    /// Every other attribute, only when the request asks to keep them (communities and
    /// facilities, whose unmapped fields rule files may name as they are in the data).
    pub rest: NamedValues,
}

/// A field the mapping layer wants from every feature.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldRequest {
    /// The field's name in the file.
    pub name: String,
    /// A table format reports a required field missing from its schema once for the file.
    pub required: bool,
}

/// What to read from a layer.
#[derive(Debug, Clone, Default)]
pub struct ReadRequest {
    pub fields: Vec<FieldRequest>,
    /// Also hand over every other attribute (see [`RawFeature::rest`]).
    pub keep_rest: bool,
}

impl ReadRequest {
    /// Position of a field name in the request.
    pub fn position(&self, name: &str) -> Option<usize> {
        self.fields.iter().position(|f| f.name == name)
    }
}

/// The coordinate system a file declares for itself.
#[derive(Debug, Clone, PartialEq)]
pub enum DeclaredCrs {
    /// A `.prj` text (ESRI WKT1) or a GeoPackage `definition`.
    Wkt(String),
    /// An EPSG code (a GeoJSON 2008 `crs` member).
    Epsg(u32),
    /// A GeoPackage `gpkg_spatial_ref_sys` row.
    Gpkg {
        organization: String,
        code: i64,
        definition: String,
    },
}

/// What a reader tells about the layer beside its features.
#[derive(Debug, Clone, Default)]
pub struct LayerInfo {
    pub declared_crs: Option<DeclaredCrs>,
    /// The field names of a table format, in schema order (empty for GeoJSON).
    pub field_names: Vec<String>,
}

/// What every reader feeds, one feature at a time, so that no format keeps a second copy of
/// the layer: first what the layer says about itself (its CRS), then each feature.
pub trait FeatureSink {
    /// Called once before the first feature.
    fn begin(&mut self, info: &LayerInfo);
    fn feature(&mut self, feature: RawFeature);
}

/// The file-level error for a required field that a table format's schema lacks.
pub fn missing_columns(
    path: &Path,
    request: &ReadRequest,
    available: &[String],
) -> Result<(), InputError> {
    let missing: Vec<&str> = request
        .fields
        .iter()
        .filter(|f| f.required && !available.iter().any(|a| a == &f.name))
        .map(|f| f.name.as_str())
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    Err(InputError::file(
        path,
        Problem::MissingColumns {
            missing: missing.iter().map(|s| s.to_string()).collect(),
            available: available.to_vec(),
        },
    ))
}

/// Picks the requested values out of a table row given by column index.
pub struct ColumnMap {
    /// For each request, the column it comes from.
    pub columns: Vec<Option<usize>>,
    /// Columns not requested (kept as `rest` when asked).
    pub rest: Vec<usize>,
}

impl ColumnMap {
    pub fn new(request: &ReadRequest, names: &[String]) -> ColumnMap {
        let columns: Vec<Option<usize>> = request
            .fields
            .iter()
            .map(|f| names.iter().position(|n| n == &f.name))
            .collect();
        let rest = if request.keep_rest {
            (0..names.len())
                .filter(|i| !columns.contains(&Some(*i)))
                .collect()
        } else {
            Vec::new()
        };
        ColumnMap { columns, rest }
    }
}

/// A layer file's path and its sidecar with another extension (`x.shp` → `x.dbf`), matching
/// the extension's case as ArcGIS writes either.
pub fn sidecar(path: &Path, ext: &str) -> PathBuf {
    let lower = path.with_extension(ext);
    if lower.exists() {
        return lower;
    }
    let upper = path.with_extension(ext.to_ascii_uppercase());
    if upper.exists() {
        upper
    } else {
        lower
    }
}

/// Builds a point from a coordinate pair.
pub fn point(x: f64, y: f64) -> Geometry<f64> {
    Geometry::Point(geo::Point(Coord { x, y }))
}
