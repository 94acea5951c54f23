//! Shapefile writer: `.shp`/`.shx` through the `shapefile` crate, the `.dbf` by hand, `.prj`
//! and `.cpg`. The DBF is written here because `dbase` measures a field name's 10-byte limit
//! in UTF-8, so a GBK name of five Chinese characters (10 bytes) is refused, and names must be
//! cut at a character boundary of the target encoding.

use std::io::Cursor;

use encoding_rs::Encoding;
use geo::orient::{Direction, Orient};
use geo::{Geometry, LineString, Polygon};
use shapefile::{Point, PolygonRing, ShapeWriter};

use super::{prj_of, ColumnType, OutputLayer};
use crate::crs::Crs;
use crate::io::features::{number_text, FieldValue};

/// The files of one Shapefile layer, by extension, and the field names that were cut
/// (short name, full name).
pub struct ShapefileFiles {
    pub files: Vec<(&'static str, Vec<u8>)>,
    pub renamed: Vec<(String, String)>,
}

fn points(l: &LineString<f64>) -> Vec<Point> {
    l.0.iter().map(|c| Point::new(c.x, c.y)).collect()
}

fn polygon_rings(p: &Polygon<f64>, rings: &mut Vec<PolygonRing<Point>>) {
    // ESRI wants outer rings clockwise and holes counter-clockwise.
    let p = p.orient(Direction::Reversed);
    rings.push(PolygonRing::Outer(points(p.exterior())));
    for h in p.interiors() {
        rings.push(PolygonRing::Inner(points(h)));
    }
}

/// Field names of at most 10 bytes in `encoding`, cut at a character boundary and made unique.
pub fn short_names(names: &[String], encoding: &'static Encoding) -> Vec<String> {
    let fits = |s: &str, limit: usize| encoding.encode(s).0.len() <= limit;
    let cut = |s: &str, limit: usize| {
        let mut out = String::new();
        for ch in s.chars() {
            out.push(ch);
            if !fits(&out, limit) {
                out.pop();
                break;
            }
        }
        out
    };
    let mut out: Vec<String> = Vec::new();
    for name in names {
        let mut short = cut(name, 10);
        let mut n = 1;
        while out.contains(&short) {
            let suffix = format!("_{n}");
            short = format!("{}{suffix}", cut(name, 10 - suffix.len()));
            n += 1;
        }
        out.push(short);
    }
    out
}

/// Writes a layer (coordinates already in `crs`) as a Shapefile's files.
pub fn write(
    layer: &OutputLayer,
    crs: Crs,
    encoding: &'static Encoding,
) -> Result<ShapefileFiles, String> {
    let mut shp = Cursor::new(Vec::new());
    let mut shx = Cursor::new(Vec::new());
    {
        let mut w = ShapeWriter::with_shx(&mut shp, &mut shx);
        let first = layer.features.first().map(|(g, _)| g);
        let err = |e: shapefile::Error| e.to_string();
        for (g, _) in &layer.features {
            match (first, g) {
                (Some(Geometry::Point(_) | Geometry::MultiPoint(_)), Geometry::Point(p)) => {
                    w.write_shape(&Point::new(p.x(), p.y())).map_err(err)?
                }
                (Some(Geometry::LineString(_) | Geometry::MultiLineString(_)), g) => {
                    let parts: Vec<Vec<Point>> = match g {
                        Geometry::LineString(l) => vec![points(l)],
                        Geometry::MultiLineString(ml) => ml.0.iter().map(points).collect(),
                        _ => return Err("a layer mixes lines and other geometry".into()),
                    };
                    w.write_shape(&shapefile::Polyline::with_parts(parts))
                        .map_err(err)?
                }
                (Some(Geometry::Polygon(_) | Geometry::MultiPolygon(_)), g) => {
                    let mut rings = Vec::new();
                    match g {
                        Geometry::Polygon(p) => polygon_rings(p, &mut rings),
                        Geometry::MultiPolygon(mp) => {
                            mp.0.iter().for_each(|p| polygon_rings(p, &mut rings))
                        }
                        _ => return Err("a layer mixes polygons and other geometry".into()),
                    }
                    if rings.is_empty() {
                        return Err("an empty polygon".into());
                    }
                    w.write_shape(&shapefile::Polygon::with_rings(rings))
                        .map_err(err)?
                }
                _ => return Err(format!("cannot write this geometry mix in {}", layer.name)),
            }
        }
        w.finalize().map_err(err)?;
    }
    let names: Vec<String> = layer.columns.iter().map(|c| c.name.clone()).collect();
    let short = short_names(&names, encoding);
    let renamed = short
        .iter()
        .zip(&names)
        .filter(|(s, n)| s != n)
        .map(|(s, n)| (s.clone(), n.clone()))
        .collect();
    let dbf = dbf(layer, &short, encoding);
    let cpg = if encoding == encoding_rs::UTF_8 {
        "UTF-8".to_string()
    } else {
        encoding.name().to_string()
    };
    Ok(ShapefileFiles {
        files: vec![
            ("shp", shp.into_inner()),
            ("shx", shx.into_inner()),
            ("dbf", dbf),
            ("prj", prj_of(crs)?.0.into_bytes()),
            ("cpg", cpg.into_bytes()),
        ],
        renamed,
    })
}

fn text_bytes(v: &FieldValue, encoding: &'static Encoding) -> Vec<u8> {
    let s = match v {
        FieldValue::Text(s) | FieldValue::Other(s) => s.clone(),
        FieldValue::Number(n) => number_text(*n),
        FieldValue::Bool(b) => b.to_string(),
        FieldValue::Null | FieldValue::Absent => String::new(),
    };
    encoding.encode(&s).0.into_owned()
}

/// Cuts encoded text to `limit` bytes at a character boundary.
fn cut_bytes(s: &str, limit: usize, encoding: &'static Encoding) -> Vec<u8> {
    let mut out = Vec::new();
    for ch in s.chars() {
        let b = encoding.encode(ch.encode_utf8(&mut [0; 4])).0.into_owned();
        if out.len() + b.len() > limit {
            break;
        }
        out.extend_from_slice(&b);
    }
    out
}

/// The dBASE III table, deterministic (a fixed date in the header).
fn dbf(layer: &OutputLayer, short: &[String], encoding: &'static Encoding) -> Vec<u8> {
    struct Field {
        kind: u8,
        len: usize,
        decimals: u8,
    }
    let fields: Vec<Field> = layer
        .columns
        .iter()
        .enumerate()
        .map(|(i, c)| match c.kind {
            ColumnType::Integer => Field {
                kind: b'N',
                len: 18,
                decimals: 0,
            },
            ColumnType::Real => Field {
                kind: b'N',
                len: 24,
                decimals: 8,
            },
            ColumnType::Bool => Field {
                kind: b'L',
                len: 1,
                decimals: 0,
            },
            ColumnType::Text => Field {
                kind: b'C',
                len: layer
                    .features
                    .iter()
                    .map(|(_, v)| text_bytes(&v[i], encoding).len())
                    .max()
                    .unwrap_or(1)
                    .clamp(1, 254),
                decimals: 0,
            },
        })
        .collect();
    let record_len = 1 + fields.iter().map(|f| f.len).sum::<usize>();
    let header_len = 32 + 32 * fields.len() + 1;
    let mut out = Vec::with_capacity(header_len + record_len * layer.features.len() + 1);
    out.push(0x03);
    out.extend_from_slice(&[100, 1, 1]); // 2000-01-01: fixed, so outputs are byte-identical
    out.extend_from_slice(&(layer.features.len() as u32).to_le_bytes());
    out.extend_from_slice(&(header_len as u16).to_le_bytes());
    out.extend_from_slice(&(record_len as u16).to_le_bytes());
    out.extend_from_slice(&[0u8; 17]);
    // The language driver id: CP936 for GBK; UTF-8 has none (the .cpg says it).
    out.push(if encoding == encoding_rs::GBK {
        0x4d
    } else {
        0
    });
    out.extend_from_slice(&[0u8; 2]);
    for (f, name) in fields.iter().zip(short) {
        let mut d = [0u8; 32];
        let n = cut_bytes(name, 10, encoding);
        d[..n.len()].copy_from_slice(&n);
        d[11] = f.kind;
        d[16] = f.len as u8;
        d[17] = f.decimals;
        out.extend_from_slice(&d);
    }
    out.push(0x0d);
    for (_, values) in &layer.features {
        out.push(b' ');
        for (f, v) in fields.iter().zip(values) {
            let mut cell = match (f.kind, v) {
                (b'N', FieldValue::Number(n)) if f.decimals == 0 => {
                    format!("{}", *n as i64).into_bytes()
                }
                (b'N', FieldValue::Number(n)) => {
                    format!("{:.*}", f.decimals as usize, n).into_bytes()
                }
                (b'N', FieldValue::Text(s)) => s.trim().as_bytes().to_vec(),
                (b'L', FieldValue::Bool(b)) => vec![if *b { b'T' } else { b'F' }],
                (b'L', _) => vec![b'?'],
                (b'C', FieldValue::Text(s) | FieldValue::Other(s)) => cut_bytes(s, f.len, encoding),
                (b'C', v) => text_bytes(v, encoding),
                _ => Vec::new(),
            };
            cell.truncate(f.len);
            if f.kind == b'N' {
                out.extend(std::iter::repeat_n(b' ', f.len - cell.len()));
                out.extend_from_slice(&cell);
            } else {
                out.extend_from_slice(&cell);
                out.extend(std::iter::repeat_n(b' ', f.len - cell.len()));
            }
        }
    }
    out.push(0x1a);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_cut_to_ten_bytes_of_the_target_encoding() {
        let names: Vec<String> = [
            "养老服务用房面积",
            "nearest_day_care_min",
            "nearest_day_care_id",
            "名称",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let gbk = short_names(&names, encoding_rs::GBK);
        assert_eq!(gbk, ["养老服务用", "nearest_da", "nearest__1", "名称"]);
        let utf8 = short_names(&names, encoding_rs::UTF_8);
        assert_eq!(utf8[0], "养老服");
        assert!(utf8.iter().all(|n| n.len() <= 10));
    }
}
