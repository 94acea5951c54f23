//! Well-known binary geometry with the GeoPackage binary header, both ways. Written by hand:
//! it is a few dozen lines, reads straight into `geo` types, and the crates that do it
//! (`geozero`, `wkb`) would bring a second geometry model for no gain.

use geo::{Coord, Geometry, LineString, MultiLineString, MultiPoint, MultiPolygon, Point, Polygon};

struct Cursor<'a> {
    bytes: &'a [u8],
    at: usize,
    little: bool,
}

impl Cursor<'_> {
    fn take(&mut self, n: usize) -> Result<&[u8], String> {
        let end = self.at.checked_add(n).filter(|&e| e <= self.bytes.len());
        let end = end.ok_or_else(|| "the geometry blob is cut short".to_string())?;
        let s = &self.bytes[self.at..end];
        self.at = end;
        Ok(s)
    }
    fn u8(&mut self) -> Result<u8, String> {
        Ok(self.take(1)?[0])
    }
    fn u32(&mut self) -> Result<u32, String> {
        let b: [u8; 4] = self.take(4)?.try_into().map_err(|_| "short".to_string())?;
        Ok(if self.little {
            u32::from_le_bytes(b)
        } else {
            u32::from_be_bytes(b)
        })
    }
    fn f64(&mut self) -> Result<f64, String> {
        let b: [u8; 8] = self.take(8)?.try_into().map_err(|_| "short".to_string())?;
        Ok(if self.little {
            f64::from_le_bytes(b)
        } else {
            f64::from_be_bytes(b)
        })
    }
    /// A count, bounded by what the remaining bytes can hold (so a corrupt count cannot
    /// allocate without bound).
    fn count(&mut self, min_item_bytes: usize) -> Result<usize, String> {
        let n = self.u32()? as usize;
        if n.saturating_mul(min_item_bytes) > self.bytes.len() - self.at {
            return Err(format!(
                "the geometry blob claims {n} items it does not hold"
            ));
        }
        Ok(n)
    }
}

/// Decodes a GeoPackage geometry blob (`GP` header + WKB); `None` for an empty geometry.
pub fn decode_gpkg(blob: &[u8]) -> Result<Option<Geometry<f64>>, String> {
    if blob.len() < 8 || &blob[..2] != b"GP" {
        // Some writers store plain WKB; accept it.
        return decode_wkb(blob).map(Some);
    }
    let flags = blob[3];
    let envelope = match (flags >> 1) & 0b111 {
        0 => 0,
        1 => 32,
        2 | 3 => 48,
        4 => 64,
        e => return Err(format!("unknown GeoPackage envelope code {e}")),
    };
    if flags & 0b1_0000 != 0 {
        return Ok(None);
    }
    let start = 8 + envelope;
    let wkb = blob
        .get(start..)
        .ok_or_else(|| "the geometry blob is cut short".to_string())?;
    decode_wkb(wkb).map(Some)
}

/// Decodes ISO or extended WKB; heights and measures are dropped.
pub fn decode_wkb(bytes: &[u8]) -> Result<Geometry<f64>, String> {
    let mut c = Cursor {
        bytes,
        at: 0,
        little: true,
    };
    geometry(&mut c)
}

fn geometry(c: &mut Cursor) -> Result<Geometry<f64>, String> {
    c.little = match c.u8()? {
        0 => false,
        1 => true,
        b => return Err(format!("bad WKB byte order {b}")),
    };
    let raw = c.u32()?;
    // ISO: 1000s add Z, M, ZM; extended WKB: high bits.
    let (mut kind, mut dims) = (raw & 0x0fff_ffff, 2);
    if raw & 0x8000_0000 != 0 {
        dims += 1;
    }
    if raw & 0x4000_0000 != 0 {
        dims += 1;
    }
    if raw & 0x2000_0000 != 0 {
        c.u32()?; // an EWKB SRID
    }
    match kind / 1000 {
        1 | 2 => dims += 1,
        3 => dims += 2,
        _ => {}
    }
    kind %= 1000;
    let coord = |c: &mut Cursor| -> Result<Coord<f64>, String> {
        let x = c.f64()?;
        let y = c.f64()?;
        for _ in 2..dims {
            c.f64()?;
        }
        Ok(Coord { x, y })
    };
    let line = |c: &mut Cursor| -> Result<LineString<f64>, String> {
        let n = c.count(16)?;
        (0..n)
            .map(|_| coord(c))
            .collect::<Result<Vec<_>, _>>()
            .map(LineString::new)
    };
    let polygon = |c: &mut Cursor| -> Result<Polygon<f64>, String> {
        let n = c.count(4)?;
        let mut rings = (0..n).map(|_| line(c)).collect::<Result<Vec<_>, _>>()?;
        if rings.is_empty() {
            return Ok(Polygon::new(LineString::new(vec![]), vec![]));
        }
        let exterior = rings.remove(0);
        Ok(Polygon::new(exterior, rings))
    };
    // Parts of a multi-geometry are whole WKB geometries with their own header.
    let parts = |c: &mut Cursor| -> Result<Vec<Geometry<f64>>, String> {
        let n = c.count(5)?;
        (0..n).map(|_| geometry(c)).collect()
    };
    Ok(match kind {
        1 => Geometry::Point(Point(coord(c)?)),
        2 => Geometry::LineString(line(c)?),
        3 => Geometry::Polygon(polygon(c)?),
        4 => Geometry::MultiPoint(MultiPoint(
            parts(c)?
                .into_iter()
                .map(|g| match g {
                    Geometry::Point(p) => Ok(p),
                    _ => Err("a MultiPoint part is not a point".to_string()),
                })
                .collect::<Result<_, _>>()?,
        )),
        5 => Geometry::MultiLineString(MultiLineString(
            parts(c)?
                .into_iter()
                .map(|g| match g {
                    Geometry::LineString(l) => Ok(l),
                    _ => Err("a MultiLineString part is not a line".to_string()),
                })
                .collect::<Result<_, _>>()?,
        )),
        6 => Geometry::MultiPolygon(MultiPolygon(
            parts(c)?
                .into_iter()
                .map(|g| match g {
                    Geometry::Polygon(p) => Ok(p),
                    _ => Err("a MultiPolygon part is not a polygon".to_string()),
                })
                .collect::<Result<_, _>>()?,
        )),
        7 => Geometry::GeometryCollection(geo::GeometryCollection(parts(c)?)),
        k => return Err(format!("unsupported WKB geometry type {k}")),
    })
}

/// Encodes a geometry as little-endian ISO WKB (2-D).
pub fn encode_wkb(g: &Geometry<f64>, out: &mut Vec<u8>) {
    fn head(out: &mut Vec<u8>, kind: u32) {
        out.push(1);
        out.extend_from_slice(&kind.to_le_bytes());
    }
    fn coords(out: &mut Vec<u8>, l: &LineString<f64>) {
        out.extend_from_slice(&(l.0.len() as u32).to_le_bytes());
        for c in &l.0 {
            out.extend_from_slice(&c.x.to_le_bytes());
            out.extend_from_slice(&c.y.to_le_bytes());
        }
    }
    fn polygon(out: &mut Vec<u8>, p: &Polygon<f64>) {
        head(out, 3);
        out.extend_from_slice(&((1 + p.interiors().len()) as u32).to_le_bytes());
        coords(out, p.exterior());
        for r in p.interiors() {
            coords(out, r);
        }
    }
    match g {
        Geometry::Point(p) => {
            head(out, 1);
            out.extend_from_slice(&p.x().to_le_bytes());
            out.extend_from_slice(&p.y().to_le_bytes());
        }
        Geometry::LineString(l) => {
            head(out, 2);
            coords(out, l);
        }
        Geometry::Polygon(p) => polygon(out, p),
        Geometry::MultiPoint(mp) => {
            head(out, 4);
            out.extend_from_slice(&(mp.0.len() as u32).to_le_bytes());
            for p in &mp.0 {
                encode_wkb(&Geometry::Point(*p), out);
            }
        }
        Geometry::MultiLineString(ml) => {
            head(out, 5);
            out.extend_from_slice(&(ml.0.len() as u32).to_le_bytes());
            for l in &ml.0 {
                head(out, 2);
                coords(out, l);
            }
        }
        Geometry::MultiPolygon(mp) => {
            head(out, 6);
            out.extend_from_slice(&(mp.0.len() as u32).to_le_bytes());
            for p in &mp.0 {
                polygon(out, p);
            }
        }
        Geometry::GeometryCollection(gc) => {
            head(out, 7);
            out.extend_from_slice(&(gc.0.len() as u32).to_le_bytes());
            for g in &gc.0 {
                encode_wkb(g, out);
            }
        }
        Geometry::Line(l) => encode_wkb(
            &Geometry::LineString(LineString::new(vec![l.start, l.end])),
            out,
        ),
        Geometry::Rect(r) => encode_wkb(&Geometry::Polygon(r.to_polygon()), out),
        Geometry::Triangle(t) => encode_wkb(&Geometry::Polygon(t.to_polygon()), out),
    }
}

/// A GeoPackage geometry blob: the `GP` header (little-endian, no envelope) and WKB.
pub fn encode_gpkg(g: &Geometry<f64>, srs_id: i32) -> Vec<u8> {
    let mut out = vec![b'G', b'P', 0, 0b0000_0001];
    out.extend_from_slice(&srs_id.to_le_bytes());
    encode_wkb(g, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_every_kind_and_reads_big_endian_and_z() {
        let poly = Polygon::new(
            LineString::from(vec![(0.0, 0.0), (4.0, 0.0), (4.0, 4.0), (0.0, 0.0)]),
            vec![LineString::from(vec![
                (1.0, 1.0),
                (2.0, 1.0),
                (2.0, 2.0),
                (1.0, 1.0),
            ])],
        );
        let geoms = vec![
            Geometry::Point(Point::new(116.5, 29.7)),
            Geometry::LineString(LineString::from(vec![(1.0, 2.0), (3.0, 4.0)])),
            Geometry::Polygon(poly.clone()),
            Geometry::MultiPolygon(MultiPolygon(vec![poly.clone(), poly])),
            Geometry::MultiLineString(MultiLineString(vec![LineString::from(vec![
                (1.0, 2.0),
                (3.0, 4.0),
            ])])),
        ];
        for g in geoms {
            let blob = encode_gpkg(&g, 4548);
            assert_eq!(decode_gpkg(&blob).unwrap(), Some(g));
        }
        // Big-endian PointZ (ISO 1001): x = 1.5, y = -2, z = 7.
        let mut be = vec![0u8];
        be.extend_from_slice(&1001u32.to_be_bytes());
        for v in [1.5f64, -2.0, 7.0] {
            be.extend_from_slice(&v.to_be_bytes());
        }
        assert_eq!(
            decode_wkb(&be).unwrap(),
            Geometry::Point(Point::new(1.5, -2.0))
        );
        // A count larger than the blob is an error, not an allocation.
        let mut bad = vec![1u8];
        bad.extend_from_slice(&2u32.to_le_bytes());
        bad.extend_from_slice(&u32::MAX.to_le_bytes());
        assert!(decode_wkb(&bad).unwrap_err().contains("claims"));
    }
}
