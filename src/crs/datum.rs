//! Geodetic datums and the seven-parameter (Helmert) shift to WGS-84.

use super::tmerc::Ellipsoid;

/// The geodetic datum of a coordinate system, as far as the transformation to WGS-84 goes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Datum {
    /// WGS-84.
    Wgs84,
    /// China Geodetic Coordinate System 2000 (GRS 80 ellipsoid). It differs from WGS-84 (G1762)
    /// by a few centimetres, well below what planning needs, so no shift is applied, as PROJ
    /// and ArcGIS do without a grid.
    Cgcs2000,
    /// Any other datum with the seven parameters to WGS-84 that the user gave as PROJ's
    /// `+towgs84=dx,dy,dz,rx,ry,rz,ds` (metres, arc-seconds, ppm; position-vector convention,
    /// EPSG method 9606, as PROJ uses it). Xi'an 1980 and Beijing 1954 come this way.
    Shifted {
        ellipsoid: Ellipsoid,
        towgs84: [f64; 7],
    },
}

const ARCSEC: f64 = std::f64::consts::PI / (180.0 * 3600.0);

impl Datum {
    pub fn ellipsoid(&self) -> Ellipsoid {
        match self {
            Datum::Wgs84 => Ellipsoid::WGS84,
            Datum::Cgcs2000 => Ellipsoid::GRS80,
            Datum::Shifted { ellipsoid, .. } => *ellipsoid,
        }
    }

    /// What the datum is commonly called, recognised from its ellipsoid.
    pub fn name(&self) -> &'static str {
        match self {
            Datum::Wgs84 => "WGS 84",
            Datum::Cgcs2000 => "CGCS2000",
            Datum::Shifted { ellipsoid, .. } if ellipsoid.same_as(&Ellipsoid::IAG75) => {
                "Xi'an 1980"
            }
            Datum::Shifted { ellipsoid, .. } if ellipsoid.same_as(&Ellipsoid::KRASSOWSKY) => {
                "Beijing 1954"
            }
            Datum::Shifted { .. } => "a datum with +towgs84",
        }
    }

    /// Geodetic lon/lat on this datum → WGS-84 lon/lat (degrees).
    pub fn to_wgs84(&self, lon: f64, lat: f64) -> (f64, f64) {
        match self {
            Datum::Wgs84 | Datum::Cgcs2000 => (lon, lat),
            Datum::Shifted { ellipsoid, towgs84 } => {
                let p = ellipsoid.to_cartesian(lon, lat);
                Ellipsoid::WGS84.from_cartesian(helmert(towgs84, p))
            }
        }
    }

    /// WGS-84 lon/lat → geodetic lon/lat on this datum (degrees), the exact inverse of
    /// [`Datum::to_wgs84`]. Points are taken on the ellipsoid (height 0) on both sides, as PROJ
    /// does in 2D; the shifted point's height then differs by tens of metres, which moves
    /// the plain inverse shift off by millimetres. So the inverse shift (a 3×3 solve, not
    /// the sign-flipped approximation) gives the start, and a fixed-point iteration on the
    /// forward shift makes the round trip exact to 1e-12 degrees.
    pub fn from_wgs84(&self, lon: f64, lat: f64) -> (f64, f64) {
        match self {
            Datum::Wgs84 | Datum::Cgcs2000 => (lon, lat),
            Datum::Shifted { ellipsoid, towgs84 } => {
                let p = Ellipsoid::WGS84.to_cartesian(lon, lat);
                let (mut x, mut y) = ellipsoid.from_cartesian(helmert_inverse(towgs84, p));
                for _ in 0..10 {
                    let (fx, fy) = self.to_wgs84(x, y);
                    let (dx, dy) = (lon - fx, lat - fy);
                    x += dx;
                    y += dy;
                    if dx.abs() < 1e-13 && dy.abs() < 1e-13 {
                        break;
                    }
                }
                (x, y)
            }
        }
    }
}

fn rotation(t: &[f64; 7]) -> ([[f64; 3]; 3], f64) {
    let (rx, ry, rz) = (t[3] * ARCSEC, t[4] * ARCSEC, t[5] * ARCSEC);
    let scale = 1.0 + t[6] * 1e-6;
    // Position-vector rotation, small-angle form (EPSG Guidance Note 7-2, method 9606).
    ([[1.0, -rz, ry], [rz, 1.0, -rx], [-ry, rx, 1.0]], scale)
}

fn helmert(t: &[f64; 7], p: [f64; 3]) -> [f64; 3] {
    let (r, s) = rotation(t);
    let mut out = [0.0; 3];
    for (i, row) in r.iter().enumerate() {
        out[i] = t[i] + s * (row[0] * p[0] + row[1] * p[1] + row[2] * p[2]);
    }
    out
}

fn helmert_inverse(t: &[f64; 7], q: [f64; 3]) -> [f64; 3] {
    let (r, s) = rotation(t);
    let b = [(q[0] - t[0]) / s, (q[1] - t[1]) / s, (q[2] - t[2]) / s];
    // Cramer's rule on the (nearly orthogonal) rotation matrix.
    let det = |m: [[f64; 3]; 3]| {
        m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1])
            - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
            + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0])
    };
    let d = det(r);
    let mut out = [0.0; 3];
    for (col, o) in out.iter_mut().enumerate() {
        let mut m = r;
        for (row, mrow) in m.iter_mut().enumerate() {
            mrow[col] = b[row];
        }
        *o = det(m) / d;
    }
    out
}
