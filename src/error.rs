//! Errors that tell the user which file, which feature and what to do, and warnings that are
//! counted in summary.json.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::Serialize;

/// Where in an input a problem was found.
#[derive(Debug, Clone, PartialEq)]
pub struct FeatureRef {
    /// 0-based index of the feature in its layer.
    pub index: usize,
    /// The feature's id, when it has one.
    pub id: Option<String>,
}

impl fmt::Display for FeatureRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.id {
            Some(id) => write!(f, "feature #{} (id {id})", self.index),
            None => write!(f, "feature #{}", self.index),
        }
    }
}

/// The classes of bad input; each has its own variant so callers and tests can tell them apart.
#[derive(Debug, Clone, PartialEq)]
pub enum Problem {
    Unreadable(String),
    NotJson(String),
    WrongGeometry {
        expected: String,
        found: String,
    },
    MissingField(String),
    BadNumber {
        field: String,
        value: String,
    },
    NegativeNumber {
        field: String,
        value: f64,
    },
    BadCoordinate(String),
    ProjectedCoordinates {
        x: f64,
        y: f64,
    },
    UnknownKind {
        value: String,
        accepted: String,
    },
    EmptyLayer,
    DuplicateId {
        id: String,
        first_index: usize,
    },
    Scenario(String),
    Other(String),
    /// Required fields that a table format's schema (DBF, GeoPackage, CSV, XLSX) lacks.
    MissingColumns {
        missing: Vec<String>,
        available: Vec<String>,
    },
    /// Many bad features of one layer, reported together (the first ones, then a count).
    BadFeatures {
        errors: Vec<InputError>,
        more: usize,
    },
    /// Text that does not decode in the encoding tried, or decodes into mojibake.
    WrongEncoding {
        encoding: String,
        detail: String,
    },
    /// The layer's own CRS (`.prj`, GeoPackage) and the scenario's disagree.
    CrsMismatch {
        layer: String,
        scenario: String,
    },
    /// Gauss-Krüger eastings with a zone prefix in a CRS without one, or the other way round.
    ZonePrefixMismatch {
        crs: String,
        detail: String,
    },
    /// A Shapefile without its `.shx` index.
    MissingShx(PathBuf),
    /// A GeoPackage or workbook without the named layer or sheet.
    NoSuchLayer {
        layer: String,
        available: Vec<String>,
    },
    /// A point table (CSV, XLSX) without coordinate columns.
    MissingCoordinateColumns {
        tried: String,
        available: Vec<String>,
    },
    /// A JSON file that is not a GeoJSON object (a bare array, a number, ...).
    NotFeatureCollection(String),
    /// A layer whose file format carecircle does not read.
    UnknownFormat(String),
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::Unreadable(e) => write!(f, "cannot read the file: {e}"),
            Problem::NotJson(e) => write!(f, "not valid GeoJSON: {e}"),
            Problem::WrongGeometry { expected, found } => {
                write!(f, "geometry is {found}, expected {expected}")
            }
            Problem::MissingField(field) => write!(
                f,
                "property \"{field}\" is missing; check the field mapping in the scenario file"
            ),
            Problem::BadNumber { field, value } => {
                write!(f, "property \"{field}\" is {value}, expected a number")
            }
            Problem::NegativeNumber { field, value } => {
                write!(f, "property \"{field}\" is {value}, which is negative")
            }
            Problem::BadCoordinate(what) => write!(f, "bad coordinate: {what}"),
            Problem::ProjectedCoordinates { x, y } => write!(
                f,
                "coordinate ({x}, {y}) is not longitude/latitude: it looks like projected \
                 coordinates in metres; reproject the layer to EPSG:4326 (WGS-84) or CGCS2000 lon/lat"
            ),
            Problem::UnknownKind { value, accepted } => write!(
                f,
                "unknown facility kind \"{value}\"; accepted kinds are {accepted} \
                 (map other names in the scenario's [layers.facilities] kinds table)"
            ),
            Problem::EmptyLayer => write!(f, "the layer has no features"),
            Problem::DuplicateId { id, first_index } => write!(
                f,
                "id \"{id}\" is already used by feature #{first_index}; ids must be unique"
            ),
            Problem::Scenario(e) => write!(f, "{e}"),
            Problem::Other(e) => write!(f, "{e}"),
            Problem::MissingColumns { missing, available } => write!(
                f,
                "the layer has no field {}; its fields are {} (check the field mapping in the \
                 scenario file)",
                quoted(missing),
                quoted(available)
            ),
            Problem::BadFeatures { errors, more } => {
                let total = errors.len() + more;
                write!(f, "{total} bad feature{}", if total == 1 { "" } else { "s" })?;
                if *more > 0 {
                    write!(f, " (the first {} listed, {more} more)", errors.len())?;
                }
                write!(f, ":")?;
                for e in errors {
                    match &e.feature {
                        Some(r) => write!(f, "\n  {r}: {}", e.problem)?,
                        None => write!(f, "\n  {}", e.problem)?,
                    }
                }
                Ok(())
            }
            Problem::WrongEncoding { encoding, detail } => write!(
                f,
                "{detail}: not valid {encoding} text; give the right \
                 encoding in a .cpg file beside the .shp or as the layer's encoding = \"...\" \
                 (gbk, gb18030, utf-8)"
            ),
            Problem::CrsMismatch { layer, scenario } => write!(
                f,
                "the layer's own coordinate system is {layer} but the scenario says {scenario}; \
                 remove the scenario's crs for this layer or fix the file"
            ),
            Problem::ZonePrefixMismatch { crs, detail } => write!(f, "{detail} (crs {crs})"),
            Problem::MissingShx(shx) => write!(
                f,
                "the Shapefile's index {} is missing; copy the .shp together with its .shx and \
                 .dbf (and .prj, .cpg)",
                shx.display()
            ),
            Problem::NoSuchLayer { layer, available } => write!(
                f,
                "there is no layer \"{layer}\"; the file holds {}",
                quoted(available)
            ),
            Problem::MissingCoordinateColumns { tried, available } => write!(
                f,
                "no coordinate columns: looked for {tried}; the columns are {} (map them as \
                 fields = {{ x = \"...\", y = \"...\" }})",
                quoted(available)
            ),
            Problem::NotFeatureCollection(what) => write!(
                f,
                "the file is {what}, not a GeoJSON FeatureCollection; wrap the features as \
                 {{\"type\": \"FeatureCollection\", \"features\": [...]}}"
            ),
            Problem::UnknownFormat(ext) => write!(
                f,
                "carecircle does not read {ext} files; use GeoJSON (.geojson/.json), Shapefile \
                 (.shp), GeoPackage (.gpkg), CSV (.csv), Excel (.xlsx) or OpenStreetMap (.osm.pbf)"
            ),
        }
    }
}

/// `"a", "b"` for messages; `none` for an empty list.
fn quoted(names: &[String]) -> String {
    if names.is_empty() {
        return "none".into();
    }
    names
        .iter()
        .map(|n| format!("\"{n}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A bad input: the file, optionally the feature, and the problem.
#[derive(Debug, Clone, PartialEq)]
pub struct InputError {
    pub file: PathBuf,
    pub feature: Option<FeatureRef>,
    pub problem: Problem,
}

impl InputError {
    pub fn file(file: &Path, problem: Problem) -> InputError {
        InputError {
            file: file.to_path_buf(),
            feature: None,
            problem,
        }
    }

    pub fn feature(file: &Path, index: usize, id: Option<&str>, problem: Problem) -> InputError {
        InputError {
            file: file.to_path_buf(),
            feature: Some(FeatureRef {
                index,
                id: id.map(str::to_string),
            }),
            problem,
        }
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(feature) = &self.feature {
            write!(f, ": {feature}")?;
        }
        write!(f, ": {}", self.problem)
    }
}

impl std::error::Error for InputError {}

/// Every error carecircle returns.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    Input(#[from] InputError),
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    /// A bad command-line flag (`--time-limit NaN`, `--p 0`, ...): like a bad input, found
    /// before any work and exit status 2.
    #[error("{0}")]
    Usage(String),
    #[error("{0}")]
    Other(String),
}

/// The exit status of a bad scenario, input file or flag.
pub const INPUT_EXIT_CODE: u8 = 2;

impl Error {
    /// The process exit status for this error: 2 for anything the user gave wrong (scenario,
    /// layers, flags), 1 for everything else (a failed write, a solver failure).
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Input(_) | Error::Usage(_) => INPUT_EXIT_CODE,
            Error::Write { .. } | Error::Other(_) => 1,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The kinds of warning that are counted in summary.json.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WarningKind {
    /// An invalid polygon (self-intersection, ...) was repaired.
    RepairedPolygon,
    /// A community lies farther than the set distance from any road.
    FarFromRoad,
    /// Road pieces not connected to the main network were dropped.
    DisconnectedRoads,
    /// A population cell lies outside every community and was given to the nearest one.
    CellOutsideCommunities,
    /// A road line had fewer than two usable vertices, or referenced missing OSM nodes.
    SkippedRoad,
    /// Anything else worth telling.
    Other,
}

/// One warning with the words a user reads.
#[derive(Debug, Clone, Serialize)]
pub struct Warning {
    pub kind: WarningKind,
    pub message: String,
}

/// Warnings gathered through a run, printed to stderr and counted in summary.json.
#[derive(Debug, Clone, Default)]
pub struct Warnings {
    pub items: Vec<Warning>,
}

impl Warnings {
    pub fn push(&mut self, kind: WarningKind, message: impl Into<String>) {
        self.items.push(Warning {
            kind,
            message: message.into(),
        });
    }

    pub fn count(&self, kind: WarningKind) -> usize {
        self.items.iter().filter(|w| w.kind == kind).count()
    }

    pub fn extend(&mut self, other: Warnings) {
        self.items.extend(other.items);
    }
}
