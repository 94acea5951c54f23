//! ESRI Shapefile reader: `.shp` + `.shx` through the `shapefile` crate, the `.dbf` attribute
//! table by hand, the `.prj` for the CRS and the `.cpg` for the encoding.
//!
//! The DBF is read here rather than through `dbase` because the encoding check needs each
//! field's raw bytes: a wrong guess between GBK and UTF-8 decodes without an error in one
//! direction (UTF-8 bytes are valid GBK pairs) and `dbase` decodes every field lossily before we
//! could look. Reading by hand also decodes only the requested columns, record by record.

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

use encoding_rs::Encoding;
use geo::{Coord, Geometry, LineString, MultiPolygon, Polygon};
use shapefile::{PolygonRing, Shape};

use super::features::{
    missing_columns, sidecar, ColumnMap, DeclaredCrs, FeatureSink, FeatureValues, FieldValue,
    LayerInfo, RawFeature, ReadRequest,
};
use crate::error::{InputError, Problem};

/// Reads a Shapefile, handing each feature to `sink`.
pub fn read(
    path: &Path,
    encoding_hint: Option<&str>,
    request: &ReadRequest,
    sink: &mut dyn FeatureSink,
) -> Result<LayerInfo, InputError> {
    let bad = |p: Problem| InputError::file(path, p);
    let shx = sidecar(path, "shx");
    if !shx.exists() {
        return Err(bad(Problem::MissingShx(shx)));
    }
    let dbf_path = sidecar(path, "dbf");
    let mut dbf = Dbf::open(&dbf_path, path, encoding_hint)?;
    let declared_crs = match std::fs::read(sidecar(path, "prj")) {
        Ok(bytes) => Some(DeclaredCrs::Wkt(
            String::from_utf8_lossy(&bytes).trim().to_string(),
        )),
        Err(_) => None,
    };
    let info = LayerInfo {
        declared_crs,
        field_names: dbf.names.clone(),
    };
    sink.begin(&info);
    missing_columns(path, request, &dbf.names)?;
    let columns = ColumnMap::new(request, &dbf.names);
    let open = |p: &Path| {
        File::open(p)
            .map(BufReader::new)
            .map_err(|e| InputError::file(p, Problem::Unreadable(e.to_string())))
    };
    let mut shapes = shapefile::ShapeReader::with_shx(open(path)?, open(&shx)?)
        .map_err(|e| bad(Problem::Unreadable(format!("not a valid Shapefile: {e}"))))?;
    let count = shapes
        .shape_count()
        .map_err(|e| bad(Problem::Unreadable(e.to_string())))?;
    if count != dbf.records {
        return Err(bad(Problem::Other(format!(
            "the .shp has {count} shapes but the .dbf has {} records; the files do not belong \
             together",
            dbf.records
        ))));
    }
    for (index, shape) in shapes.iter_shapes().enumerate() {
        let shape = shape.map_err(|e| {
            bad(Problem::Unreadable(format!(
                "shape #{index} cannot be read: {e}"
            )))
        })?;
        let (fields, rest) = dbf.next_record(index, &columns)?;
        sink.feature(RawFeature {
            index,
            geometry: geometry_of(shape),
            fields,
            feature_id: None,
            rest,
        });
    }
    Ok(info)
}

/// The field names, geometry type and count of a Shapefile, for `inspect`.
pub fn shape_type(path: &Path) -> Result<String, InputError> {
    let reader = shapefile::ShapeReader::from_path(path)
        .map_err(|e| InputError::file(path, Problem::Unreadable(e.to_string())))?;
    Ok(reader.header().shape_type.to_string())
}

fn coords(points: Vec<shapefile::Point>) -> Vec<Coord<f64>> {
    points
        .into_iter()
        .map(|p| Coord { x: p.x, y: p.y })
        .collect()
}

fn xy<P: shapefile::record::traits::HasXY>(points: &[P]) -> Vec<Coord<f64>> {
    points
        .iter()
        .map(|p| Coord { x: p.x(), y: p.y() })
        .collect()
}

fn lines(parts: Vec<Vec<Coord<f64>>>) -> Geometry<f64> {
    if parts.len() == 1 {
        Geometry::LineString(LineString::new(
            parts.into_iter().next().unwrap_or_default(),
        ))
    } else {
        Geometry::MultiLineString(geo::MultiLineString::new(
            parts.into_iter().map(LineString::new).collect(),
        ))
    }
}

/// ESRI rings: outer rings clockwise, each followed by its holes.
fn polygons(rings: Vec<(bool, Vec<Coord<f64>>)>) -> Result<Geometry<f64>, String> {
    let mut polys: Vec<Polygon<f64>> = Vec::new();
    for (outer, ring) in rings {
        if outer {
            polys.push(Polygon::new(LineString::new(ring), vec![]));
        } else {
            match polys.last_mut() {
                Some(p) => p.interiors_push(LineString::new(ring)),
                None => return Err("a polygon's hole comes before any outer ring".into()),
            }
        }
    }
    Ok(if polys.len() == 1 {
        Geometry::Polygon(polys.remove(0))
    } else {
        Geometry::MultiPolygon(MultiPolygon::new(polys))
    })
}

fn rings<P: shapefile::record::traits::HasXY>(
    rings: Vec<PolygonRing<P>>,
) -> Vec<(bool, Vec<Coord<f64>>)> {
    rings
        .into_iter()
        .map(|r| match r {
            PolygonRing::Outer(p) => (true, xy(&p)),
            PolygonRing::Inner(p) => (false, xy(&p)),
        })
        .collect()
}

fn geometry_of(shape: Shape) -> Result<Option<Geometry<f64>>, String> {
    let point = |x: f64, y: f64| Ok(Some(super::features::point(x, y)));
    let multipoint = |c: Vec<Coord<f64>>| {
        Ok(Some(Geometry::MultiPoint(geo::MultiPoint(
            c.into_iter().map(geo::Point).collect(),
        ))))
    };
    match shape {
        Shape::NullShape => Ok(None),
        Shape::Point(p) => point(p.x, p.y),
        Shape::PointM(p) => point(p.x, p.y),
        Shape::PointZ(p) => point(p.x, p.y),
        Shape::Multipoint(m) => multipoint(coords(m.into_inner())),
        Shape::MultipointM(m) => multipoint(xy(m.points())),
        Shape::MultipointZ(m) => multipoint(xy(m.points())),
        Shape::Polyline(l) => Ok(Some(lines(
            l.into_inner().into_iter().map(coords).collect(),
        ))),
        Shape::PolylineM(l) => Ok(Some(lines(l.parts().iter().map(|p| xy(p)).collect()))),
        Shape::PolylineZ(l) => Ok(Some(lines(l.parts().iter().map(|p| xy(p)).collect()))),
        Shape::Polygon(p) => polygons(rings(p.into_inner())).map(Some),
        Shape::PolygonM(p) => polygons(rings(p.into_inner())).map(Some),
        Shape::PolygonZ(p) => polygons(rings(p.into_inner())).map(Some),
        Shape::Multipatch(_) => Err("a Multipatch (3-D surface) shape".into()),
    }
}

/// The attribute encoding to use: the scenario's `encoding` when given (so a wrong `.cpg` can
/// be overridden), else the `.cpg`, else the DBF language-driver byte, else UTF-8.
pub fn choose_encoding(
    shp: &Path,
    hint: Option<&str>,
    language_driver: u8,
) -> Result<(&'static Encoding, String), InputError> {
    let named = |label: &str, from: &str| {
        encoding_for(label)
            .map(|e| (e, from.to_string()))
            .ok_or_else(|| {
                InputError::file(
                    shp,
                    Problem::Other(format!(
                        "the encoding \"{label}\" ({from}) is not known; use utf-8, gbk or gb18030"
                    )),
                )
            })
    };
    if let Some(h) = hint {
        return named(h, "the layer's encoding");
    }
    if let Ok(cpg) = std::fs::read_to_string(sidecar(shp, "cpg")) {
        let cpg = cpg.trim();
        if !cpg.is_empty() {
            return named(cpg, "the .cpg file");
        }
    }
    // The DBF language driver ids of the Chinese code pages (ESRI's table).
    match language_driver {
        0x4d | 0x7a => Ok((encoding_rs::GBK, "the DBF language driver (CP936)".into())),
        0x78 => Ok((encoding_rs::BIG5, "the DBF language driver (CP950)".into())),
        _ => Ok((encoding_rs::UTF_8, "the default (no .cpg)".into())),
    }
}

/// An encoding by the names `.cpg` files and users give it.
pub fn encoding_for(label: &str) -> Option<&'static Encoding> {
    let l = label.trim().to_ascii_lowercase();
    match l.as_str() {
        "utf-8" | "utf8" | "65001" => Some(encoding_rs::UTF_8),
        "gbk" | "cp936" | "936" | "gb2312" | "ms936" | "windows-936" => Some(encoding_rs::GBK),
        "gb18030" | "54936" => Some(encoding_rs::GB18030),
        "big5" | "cp950" | "950" => Some(encoding_rs::BIG5),
        _ => Encoding::for_label(l.as_bytes()),
    }
}

/// Decodes one text value, refusing both bytes that are not valid in the encoding and
/// UTF-8 text read as a Chinese double-byte encoding (which decodes, into mojibake).
pub fn decode_text(bytes: &[u8], encoding: &'static Encoding) -> Result<String, String> {
    if bytes.is_ascii() {
        return Ok(String::from_utf8_lossy(bytes).into_owned());
    }
    if encoding == encoding_rs::UTF_8 {
        return match std::str::from_utf8(bytes) {
            Ok(s) => Ok(s.to_string()),
            Err(_) => {
                let (as_gbk, _, bad) = encoding_rs::GBK.decode(bytes);
                let hint = if bad {
                    String::new()
                } else {
                    format!("; the bytes read as GBK say \"{}\"", as_gbk.trim())
                };
                Err(format!("its bytes are not UTF-8{hint}"))
            }
        };
    }
    let double_byte = [encoding_rs::GBK, encoding_rs::GB18030, encoding_rs::BIG5];
    if double_byte.contains(&encoding) {
        // Chinese text in GBK is almost never valid UTF-8; UTF-8 text read as GBK either fails
        // or turns into mojibake, so valid UTF-8 here means the wrong encoding was named.
        if let Ok(utf8) = std::str::from_utf8(bytes) {
            let (as_declared, _, _) = encoding.decode(bytes);
            return Err(format!(
                "the bytes are UTF-8 text \"{}\", which reads as \"{}\" in {}",
                utf8.trim(),
                as_declared.trim(),
                encoding.name()
            ));
        }
    }
    let decoded = encoding
        .decode_without_bom_handling_and_without_replacement(bytes)
        .ok_or_else(|| "its bytes are not valid in that encoding".to_string())?;
    Ok(decoded.into_owned())
}

/// One DBF column.
struct Column {
    kind: u8,
    offset: usize,
    len: usize,
}

/// A DBF table read record by record.
struct Dbf {
    path: std::path::PathBuf,
    reader: BufReader<File>,
    names: Vec<String>,
    columns: Vec<Column>,
    records: usize,
    record: Vec<u8>,
    encoding: &'static Encoding,
    encoding_from: String,
}

impl Dbf {
    fn open(path: &Path, shp: &Path, hint: Option<&str>) -> Result<Dbf, InputError> {
        let bad = |p: Problem| InputError::file(path, p);
        let file = File::open(path).map_err(|e| {
            bad(Problem::Unreadable(format!(
                "{e} (the Shapefile's attribute table .dbf is needed)"
            )))
        })?;
        let mut reader = BufReader::new(file);
        let mut header = [0u8; 32];
        reader
            .read_exact(&mut header)
            .map_err(|_| bad(Problem::Unreadable("not a dBASE file: too short".into())))?;
        let records = u32::from_le_bytes([header[4], header[5], header[6], header[7]]) as usize;
        let header_len = u16::from_le_bytes([header[8], header[9]]) as usize;
        let record_len = u16::from_le_bytes([header[10], header[11]]) as usize;
        if header_len < 33 || record_len == 0 {
            return Err(bad(Problem::Unreadable(
                "not a dBASE file: bad header".into(),
            )));
        }
        let (encoding, encoding_from) = choose_encoding(shp, hint, header[29])?;
        let mut descriptors = vec![0u8; header_len - 32];
        reader
            .read_exact(&mut descriptors)
            .map_err(|_| bad(Problem::Unreadable("the dBASE header is cut short".into())))?;
        let mut names = Vec::new();
        let mut columns = Vec::new();
        let mut offset = 1; // the deletion flag
        for d in descriptors.chunks_exact(32) {
            if d[0] == 0x0d {
                break;
            }
            let raw_name = &d[..11];
            let raw_name = &raw_name[..raw_name.iter().position(|&b| b == 0).unwrap_or(11)];
            let name = decode_text(raw_name, encoding).map_err(|detail| {
                bad(Problem::WrongEncoding {
                    encoding: format!("{} (from {encoding_from})", encoding.name()),
                    detail: format!(
                        "the field name \"{}\" ({detail})",
                        String::from_utf8_lossy(raw_name)
                    ),
                })
            })?;
            let len = d[16] as usize;
            names.push(name.trim().to_string());
            columns.push(Column {
                kind: d[11],
                offset,
                len,
            });
            offset += len;
        }
        if offset > record_len {
            return Err(bad(Problem::Unreadable(
                "the dBASE fields are longer than its records".into(),
            )));
        }
        Ok(Dbf {
            path: path.to_path_buf(),
            reader,
            names,
            columns,
            records,
            record: vec![0u8; record_len],
            encoding,
            encoding_from,
        })
    }

    fn next_record(&mut self, index: usize, map: &ColumnMap) -> Result<FeatureValues, InputError> {
        self.reader.read_exact(&mut self.record).map_err(|_| {
            InputError::file(
                &self.path,
                Problem::Unreadable(format!("record #{index} is cut short")),
            )
        })?;
        let value = |c: usize| -> Result<FieldValue, InputError> {
            let col = &self.columns[c];
            let raw = &self.record[col.offset..col.offset + col.len];
            field_value(col.kind, raw, self.encoding).map_err(|detail| {
                InputError::feature(
                    &self.path,
                    index,
                    None,
                    Problem::WrongEncoding {
                        encoding: format!("{} (from {})", self.encoding.name(), self.encoding_from),
                        detail: format!("field \"{}\" ({detail})", self.names[c]),
                    },
                )
            })
        };
        let fields = map
            .columns
            .iter()
            .map(|c| match c {
                Some(c) => value(*c),
                None => Ok(FieldValue::Absent),
            })
            .collect::<Result<Vec<_>, _>>()?;
        let rest = map
            .rest
            .iter()
            .map(|&c| value(c).map(|v| (self.names[c].clone(), v)))
            .collect::<Result<Vec<_>, _>>()?;
        Ok((fields, rest))
    }
}

fn field_value(kind: u8, raw: &[u8], encoding: &'static Encoding) -> Result<FieldValue, String> {
    let text = || -> Result<String, String> {
        let end = raw
            .iter()
            .rposition(|&b| b != b' ' && b != 0)
            .map_or(0, |i| i + 1);
        decode_text(&raw[..end], encoding)
    };
    Ok(match kind {
        b'N' | b'F' => {
            let s = String::from_utf8_lossy(raw);
            let s = s.trim_matches(|c: char| c == ' ' || c == '\0');
            if s.is_empty() || s.starts_with('*') {
                FieldValue::Null
            } else {
                match s.parse::<f64>() {
                    Ok(n) => FieldValue::Number(n),
                    Err(_) => FieldValue::Text(s.to_string()),
                }
            }
        }
        b'L' => match raw.first() {
            Some(b'T' | b't' | b'Y' | b'y') => FieldValue::Bool(true),
            Some(b'F' | b'f' | b'N' | b'n') => FieldValue::Bool(false),
            _ => FieldValue::Null,
        },
        b'I' if raw.len() == 4 => {
            FieldValue::Number(i32::from_le_bytes([raw[0], raw[1], raw[2], raw[3]]) as f64)
        }
        b'O' if raw.len() == 8 => {
            let mut b = [0u8; 8];
            b.copy_from_slice(raw);
            FieldValue::Number(f64::from_le_bytes(b))
        }
        _ => {
            let t = text()?;
            if t.is_empty() {
                FieldValue::Null
            } else {
                FieldValue::Text(t)
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_read_as_gbk_is_refused_not_turned_into_mojibake() {
        let utf8 = "延支山社区".as_bytes();
        let e = decode_text(utf8, encoding_rs::GBK).unwrap_err();
        assert!(e.contains("UTF-8 text \"延支山社区\""), "{e}");
        let (gbk, _, _) = encoding_rs::GBK.encode("延支山社区");
        assert_eq!(decode_text(&gbk, encoding_rs::GBK).unwrap(), "延支山社区");
        let e = decode_text(&gbk, encoding_rs::UTF_8).unwrap_err();
        assert!(e.contains("not UTF-8") && e.contains("延支山社区"), "{e}");
        assert_eq!(decode_text(b"abc", encoding_rs::UTF_8).unwrap(), "abc");
    }

    #[test]
    fn cpg_labels() {
        assert_eq!(encoding_for("GBK"), Some(encoding_rs::GBK));
        assert_eq!(encoding_for("CP936"), Some(encoding_rs::GBK));
        assert_eq!(encoding_for("936"), Some(encoding_rs::GBK));
        assert_eq!(encoding_for("GB18030"), Some(encoding_rs::GB18030));
        assert_eq!(encoding_for("UTF-8"), Some(encoding_rs::UTF_8));
        assert_eq!(encoding_for("klingon"), None);
    }
}
