//! Loading: the scenario file and the input layers, validated, as plain model types.
//!
//! Two layers: the readers (one file per format: `geojson`, `shapefile`, `gpkg`, `table` for
//! CSV/XLSX, `osm`) turn a file into [`features::RawFeature`]s holding only the requested
//! fields; `layer` maps and validates those into model types and knows no format.

pub mod features;
pub mod geojson;
pub mod geojson_lines;
pub mod gpkg;
pub mod layer;
pub mod osm;
pub mod scenario;
pub mod shapefile;
pub mod table;
pub mod validate;
pub mod wkb;

use std::fs::File;
use std::io::Read;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::error::{InputError, Problem, Warnings};
use crate::model::RoadLine;
use features::{FeatureSink, LayerInfo, ReadRequest};
use scenario::LayerSpec;

pub use layer::{
    load_candidates, load_communities, load_facilities, load_parcels, load_population,
};

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

/// Checks that an input is a regular file within the size limit (not a FIFO or a device that
/// would block or never end), for readers that open the file themselves (SQLite, XLSX).
pub fn read_input_guard(path: &Path) -> Result<(), InputError> {
    open_input(path, input_limits()).map(|_| ())
}

/// Reads a layer's features in whatever format its file is, feeding `sink`.
pub fn read_layer(
    spec: &LayerSpec,
    request: &ReadRequest,
    sink: &mut dyn FeatureSink,
) -> Result<LayerInfo, InputError> {
    let path = spec.path.as_path();
    // A FIFO, a device or an oversized file is refused before its name is looked at.
    read_input_guard(path)?;
    match Format::of(path)? {
        Format::GeoJson => geojson::read(path, request, sink),
        Format::Shapefile => shapefile::read(path, spec.encoding.as_deref(), request, sink),
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

/// The default size limit of one input file: 2 GiB.
pub const DEFAULT_MAX_INPUT_BYTES: u64 = 2 << 30;

/// Limits on what an input file may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InputLimits {
    /// Largest accepted file size in bytes.
    pub max_bytes: u64,
}

impl Default for InputLimits {
    fn default() -> InputLimits {
        InputLimits {
            max_bytes: DEFAULT_MAX_INPUT_BYTES,
        }
    }
}

impl InputLimits {
    /// The limit of `--max-input-mb` (mebibytes), checked: a positive number.
    pub fn from_mb(mb: f64) -> Result<InputLimits, String> {
        if !(mb.is_finite() && mb > 0.0) {
            return Err(format!(
                "--max-input-mb {mb} must be a positive number of megabytes"
            ));
        }
        let bytes = (mb * 1024.0 * 1024.0).min(u64::MAX as f64) as u64;
        Ok(InputLimits {
            max_bytes: bytes.max(1),
        })
    }
}

static MAX_INPUT_BYTES: AtomicU64 = AtomicU64::new(DEFAULT_MAX_INPUT_BYTES);

/// Sets the limits every reader applies (the command line's `--max-input-mb`; set once, before
/// any input is read).
pub fn set_input_limits(limits: InputLimits) {
    MAX_INPUT_BYTES.store(limits.max_bytes, Ordering::Relaxed);
}

/// The limits every reader applies: [`InputLimits::default`] unless `--max-input-mb` set them.
pub fn input_limits() -> InputLimits {
    InputLimits {
        max_bytes: MAX_INPUT_BYTES.load(Ordering::Relaxed),
    }
}

/// Opens an input file for reading: it must be a regular file (a folder, a FIFO or a device
/// such as `/dev/zero` is refused before it is opened, so nothing blocks or reads without end)
/// no larger than `limits.max_bytes`. Returns the file and its size. Every reader of an input
/// (layers, the scenario, rule files, travel matrices) goes through here.
pub fn open_input(path: &Path, limits: InputLimits) -> Result<(File, u64), InputError> {
    let unreadable = |e: std::io::Error| InputError::file(path, Problem::Unreadable(e.to_string()));
    let check = |meta: &std::fs::Metadata| -> Result<u64, InputError> {
        let ft = meta.file_type();
        if !ft.is_file() {
            let what = if ft.is_dir() {
                "a folder"
            } else {
                "not a regular file (a pipe, a device or a socket)"
            };
            return Err(InputError::file(
                path,
                Problem::Unreadable(format!("{what}; give the path of a file")),
            ));
        }
        if meta.len() > limits.max_bytes {
            return Err(InputError::file(
                path,
                Problem::Unreadable(format!(
                    "the file is {} MiB, more than the limit of {} MiB; raise it with \
                     --max-input-mb if the file is right",
                    mib(meta.len()),
                    mib(limits.max_bytes)
                )),
            ));
        }
        Ok(meta.len())
    };
    check(&std::fs::metadata(path).map_err(unreadable)?)?;
    let file = File::open(path).map_err(unreadable)?;
    // The path may have been swapped between the check and the open: check what was opened.
    let len = check(&file.metadata().map_err(unreadable)?)?;
    Ok((file, len))
}

/// Reads a whole input file through [`open_input`], never more than the limit.
pub fn read_input(path: &Path, limits: InputLimits) -> Result<Vec<u8>, InputError> {
    let (file, len) = open_input(path, limits)?;
    let mut bytes = Vec::with_capacity(len as usize);
    file.take(limits.max_bytes.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| InputError::file(path, Problem::Unreadable(e.to_string())))?;
    if bytes.len() as u64 > limits.max_bytes {
        return Err(InputError::file(
            path,
            Problem::Unreadable(format!(
                "the file grew past the limit of {} MiB while it was read",
                mib(limits.max_bytes)
            )),
        ));
    }
    Ok(bytes)
}

/// Reads a whole UTF-8 input file through [`open_input`].
pub fn read_input_text(path: &Path, limits: InputLimits) -> Result<String, InputError> {
    String::from_utf8(read_input(path, limits)?).map_err(|e| {
        InputError::file(
            path,
            Problem::Unreadable(format!(
                "not UTF-8 text (byte {} is not valid UTF-8)",
                e.utf8_error().valid_up_to()
            )),
        )
    })
}

fn mib(bytes: u64) -> String {
    let m = bytes as f64 / (1024.0 * 1024.0);
    if m >= 10.0 {
        format!("{m:.0}")
    } else {
        format!("{m:.2}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inputs_must_be_regular_files_within_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.geojson");
        std::fs::write(&path, "0123456789").unwrap();
        let small = InputLimits { max_bytes: 9 };
        let e = read_input(&path, small).unwrap_err().to_string();
        assert!(
            e.contains("more than the limit") && e.contains("--max-input-mb"),
            "{e}"
        );
        assert_eq!(
            read_input(&path, InputLimits { max_bytes: 10 })
                .unwrap()
                .len(),
            10
        );
        let e = open_input(dir.path(), InputLimits::default()).unwrap_err();
        assert!(e.to_string().contains("a folder"), "{e}");
        #[cfg(unix)]
        {
            // /dev/zero would read without end; it is refused before it is opened.
            let e = open_input(Path::new("/dev/zero"), InputLimits::default()).unwrap_err();
            assert!(e.to_string().contains("not a regular file"), "{e}");
        }
        assert_eq!(InputLimits::from_mb(1.0).unwrap().max_bytes, 1024 * 1024);
        assert!(InputLimits::from_mb(f64::NAN).is_err());
        assert!(InputLimits::from_mb(0.0).is_err());
    }
}
