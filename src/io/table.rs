//! Point tables: CSV (the `csv` crate) and XLSX (`calamine`, a sheet by name or number), with
//! coordinates in `x`/`y` columns mapped in the scenario or found by their usual names
//! (x/lon/lng/longitude/经度, y/lat/latitude/纬度). Facility ledgers arrive this way.

use std::path::Path;

use calamine::{Data, Reader};

use super::features::{
    missing_columns, point, ColumnMap, FeatureSink, FieldValue, LayerInfo, RawFeature, ReadRequest,
};
use crate::error::{InputError, Problem};

/// Column names taken for x (longitude / easting) and y (latitude / northing), lower case.
pub const X_NAMES: [&str; 8] = [
    "x",
    "lon",
    "lng",
    "long",
    "longitude",
    "经度",
    "x坐标",
    "东坐标",
];
pub const Y_NAMES: [&str; 6] = ["y", "lat", "latitude", "纬度", "y坐标", "北坐标"];

/// Where the coordinates are: the mapped columns, else the first column with a usual name.
pub fn coordinate_columns(
    path: &Path,
    names: &[String],
    x: Option<&str>,
    y: Option<&str>,
) -> Result<(usize, usize), InputError> {
    let find = |mapped: Option<&str>, usual: &[&str]| match mapped {
        Some(m) => names.iter().position(|n| n == m),
        None => names
            .iter()
            .position(|n| usual.contains(&n.trim().to_lowercase().as_str())),
    };
    match (find(x, &X_NAMES), find(y, &Y_NAMES)) {
        (Some(xi), Some(yi)) => Ok((xi, yi)),
        _ => {
            let tried = match (x, y) {
                (Some(x), Some(y)) => format!("the mapped columns \"{x}\" and \"{y}\""),
                _ => format!("{} / {}", X_NAMES.join(", "), Y_NAMES.join(", ")),
            };
            Err(InputError::file(
                path,
                Problem::MissingCoordinateColumns {
                    tried,
                    available: names.to_vec(),
                },
            ))
        }
    }
}

fn coordinate(v: &FieldValue, column: &str) -> Result<f64, String> {
    match v {
        FieldValue::Number(n) => Ok(*n),
        FieldValue::Text(s) => s
            .trim()
            .parse::<f64>()
            .map_err(|_| format!("the coordinate column \"{column}\" holds \"{s}\", not a number")),
        _ => Err(format!("the coordinate column \"{column}\" is empty")),
    }
}

/// Feeds the rows of a table (header names + rows of values) to `sink` as point features.
fn feed(
    path: &Path,
    names: Vec<String>,
    rows: impl Iterator<Item = Result<Vec<FieldValue>, InputError>>,
    xy: (Option<&str>, Option<&str>),
    request: &ReadRequest,
    sink: &mut dyn FeatureSink,
) -> Result<LayerInfo, InputError> {
    let (xi, yi) = coordinate_columns(path, &names, xy.0, xy.1)?;
    missing_columns(path, request, &names)?;
    let map = ColumnMap::new(request, &names);
    let info = LayerInfo {
        declared_crs: None,
        field_names: names.clone(),
    };
    sink.begin(&info);
    for (index, row) in rows.enumerate() {
        let row = row?;
        let cell = |i: usize| row.get(i).cloned().unwrap_or(FieldValue::Null);
        let geometry = coordinate(&cell(xi), &names[xi])
            .and_then(|x| coordinate(&cell(yi), &names[yi]).map(|y| Some(point(x, y))));
        sink.feature(RawFeature {
            index,
            geometry,
            fields: map
                .columns
                .iter()
                .map(|c| c.map_or(FieldValue::Absent, cell))
                .collect(),
            feature_id: None,
            rest: map
                .rest
                .iter()
                .map(|&c| (names[c].clone(), cell(c)))
                .collect(),
        });
    }
    Ok(info)
}

fn csv_value(s: &str) -> FieldValue {
    let t = s.trim();
    if t.is_empty() {
        FieldValue::Null
    } else {
        FieldValue::Text(t.to_string())
    }
}

/// Reads a CSV point table (UTF-8, or the layer's `encoding`).
pub fn read_csv(
    path: &Path,
    encoding: Option<&str>,
    xy: (Option<&str>, Option<&str>),
    request: &ReadRequest,
    sink: &mut dyn FeatureSink,
) -> Result<LayerInfo, InputError> {
    let bytes = super::read_input(path, super::input_limits())?;
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(&bytes);
    let enc = match encoding {
        Some(label) => super::shapefile::encoding_for(label).ok_or_else(|| {
            InputError::file(
                path,
                Problem::Other(format!(
                    "the encoding \"{label}\" is not known; use utf-8, gbk or gb18030"
                )),
            )
        })?,
        None => encoding_rs::UTF_8,
    };
    let text = super::shapefile::decode_text(bytes, enc).map_err(|detail| {
        InputError::file(
            path,
            Problem::WrongEncoding {
                encoding: enc.name().to_string(),
                detail: format!("the file's text ({detail})"),
            },
        )
    })?;
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    let names: Vec<String> = reader
        .headers()
        .map_err(|e| InputError::file(path, Problem::Unreadable(e.to_string())))?
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    let rows = reader.records().map(|r| {
        r.map(|rec| rec.iter().map(csv_value).collect())
            .map_err(|e| InputError::file(path, Problem::Unreadable(e.to_string())))
    });
    feed(path, names, rows, xy, request, sink)
}

fn cell_value(d: &Data) -> FieldValue {
    match d {
        Data::Empty => FieldValue::Null,
        Data::Int(i) => FieldValue::Number(*i as f64),
        Data::Float(f) => FieldValue::Number(*f),
        Data::String(s) => csv_value(s),
        Data::Bool(b) => FieldValue::Bool(*b),
        Data::DateTime(d) => FieldValue::Text(d.to_string()),
        Data::DateTimeIso(s) | Data::DurationIso(s) => FieldValue::Text(s.clone()),
        Data::Error(e) => FieldValue::Other(format!("a cell error {e}")),
    }
}

/// The sheet names of a workbook.
pub fn sheet_names(path: &Path) -> Result<Vec<String>, InputError> {
    let wb: calamine::Xlsx<_> = calamine::open_workbook(path).map_err(|e| {
        InputError::file(path, Problem::Unreadable(format!("not an XLSX file: {e}")))
    })?;
    Ok(wb.sheet_names())
}

/// Reads an XLSX point table: the named sheet, the sheet numbered from 1, or the first.
pub fn read_xlsx(
    path: &Path,
    sheet: Option<&str>,
    xy: (Option<&str>, Option<&str>),
    request: &ReadRequest,
    sink: &mut dyn FeatureSink,
) -> Result<LayerInfo, InputError> {
    super::read_input_guard(path)?;
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook(path).map_err(|e| {
        InputError::file(path, Problem::Unreadable(format!("not an XLSX file: {e}")))
    })?;
    let names = wb.sheet_names();
    let chosen = match sheet {
        None => names.first().cloned(),
        Some(s) if names.iter().any(|n| n == s) => Some(s.to_string()),
        Some(s) => s
            .parse::<usize>()
            .ok()
            .and_then(|i| i.checked_sub(1))
            .and_then(|i| names.get(i).cloned()),
    };
    let Some(chosen) = chosen else {
        return Err(InputError::file(
            path,
            Problem::NoSuchLayer {
                layer: sheet.unwrap_or("(first sheet)").to_string(),
                available: names,
            },
        ));
    };
    let range = wb
        .worksheet_range(&chosen)
        .map_err(|e| InputError::file(path, Problem::Unreadable(e.to_string())))?;
    let mut rows = range.rows();
    let header: Vec<String> = rows
        .next()
        .map(|r| {
            r.iter()
                .map(|c| cell_value(c).text().unwrap_or_default())
                .collect()
        })
        .unwrap_or_default();
    let data = rows
        .filter(|r| r.iter().any(|c| !matches!(c, Data::Empty)))
        .map(|r| Ok(r.iter().map(cell_value).collect()));
    feed(path, header, data, xy, request, sink)
}
