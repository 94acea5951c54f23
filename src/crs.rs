//! Coordinate systems: WGS-84 / CGCS2000 lon-lat and GCJ-02 in, a local metric plane for
//! computation, WGS-84 lon-lat out.

use geo::{Coord, Point};
use serde::{Deserialize, Serialize};

/// The coordinate system of an input layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Crs {
    /// WGS-84 longitude/latitude (EPSG:4326), what GPS and OpenStreetMap use.
    #[default]
    Wgs84,
    /// China Geodetic Coordinate System 2000. Its ellipsoid differs from WGS-84 by
    /// millimetres at the surface, so it is treated as WGS-84.
    Cgcs2000,
    /// The obfuscated "Mars" coordinates of Chinese web maps (Gaode/AMap, Tencent). Converted
    /// to WGS-84 on load.
    Gcj02,
}

impl Crs {
    pub fn parse(s: &str) -> Option<Crs> {
        match s.trim().to_ascii_lowercase().as_str() {
            "wgs84" | "wgs-84" | "epsg:4326" => Some(Crs::Wgs84),
            "cgcs2000" | "epsg:4490" => Some(Crs::Cgcs2000),
            "gcj02" | "gcj-02" => Some(Crs::Gcj02),
            _ => None,
        }
    }

    /// Converts one lon/lat coordinate of this system to WGS-84.
    pub fn to_wgs84(self, c: Coord<f64>) -> Coord<f64> {
        match self {
            Crs::Wgs84 | Crs::Cgcs2000 => c,
            Crs::Gcj02 => gcj02_to_wgs84(c),
        }
    }
}

// Krasovsky 1940 ellipsoid, as the GCJ-02 algorithm uses it.
const GCJ_A: f64 = 6378245.0;
const GCJ_EE: f64 = 0.006_693_421_622_965_943;

/// GCJ-02 only offsets points inside (a box around) China; elsewhere it is WGS-84.
fn outside_china(c: Coord<f64>) -> bool {
    !(72.004..=137.8347).contains(&c.x) || !(0.8293..=55.8271).contains(&c.y)
}

fn gcj_dlat(x: f64, y: f64) -> f64 {
    use std::f64::consts::PI;
    let mut r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * x.abs().sqrt();
    r += (20.0 * (6.0 * x * PI).sin() + 20.0 * (2.0 * x * PI).sin()) * 2.0 / 3.0;
    r += (20.0 * (y * PI).sin() + 40.0 * (y / 3.0 * PI).sin()) * 2.0 / 3.0;
    r += (160.0 * (y / 12.0 * PI).sin() + 320.0 * (y * PI / 30.0).sin()) * 2.0 / 3.0;
    r
}

fn gcj_dlon(x: f64, y: f64) -> f64 {
    use std::f64::consts::PI;
    let mut r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * x.abs().sqrt();
    r += (20.0 * (6.0 * x * PI).sin() + 20.0 * (2.0 * x * PI).sin()) * 2.0 / 3.0;
    r += (20.0 * (x * PI).sin() + 40.0 * (x / 3.0 * PI).sin()) * 2.0 / 3.0;
    r += (150.0 * (x / 12.0 * PI).sin() + 300.0 * (x / 30.0 * PI).sin()) * 2.0 / 3.0;
    r
}

/// WGS-84 → GCJ-02 (the published forward algorithm).
pub fn wgs84_to_gcj02(c: Coord<f64>) -> Coord<f64> {
    use std::f64::consts::PI;
    if outside_china(c) {
        return c;
    }
    let dlat = gcj_dlat(c.x - 105.0, c.y - 35.0);
    let dlon = gcj_dlon(c.x - 105.0, c.y - 35.0);
    let rad_lat = c.y / 180.0 * PI;
    let magic = 1.0 - GCJ_EE * rad_lat.sin() * rad_lat.sin();
    let sqrt_magic = magic.sqrt();
    let dlat = (dlat * 180.0) / ((GCJ_A * (1.0 - GCJ_EE)) / (magic * sqrt_magic) * PI);
    let dlon = (dlon * 180.0) / (GCJ_A / sqrt_magic * rad_lat.cos() * PI);
    Coord {
        x: c.x + dlon,
        y: c.y + dlat,
    }
}

/// GCJ-02 → WGS-84. The forward algorithm has no closed inverse; a fixed-point iteration
/// converges to about 1e-10 degrees (0.01 mm) in a few steps, where the common one-step
/// approximation is off by up to a couple of metres.
pub fn gcj02_to_wgs84(gcj: Coord<f64>) -> Coord<f64> {
    if outside_china(gcj) {
        return gcj;
    }
    let mut w = gcj;
    for _ in 0..30 {
        let g = wgs84_to_gcj02(w);
        let (dx, dy) = (gcj.x - g.x, gcj.y - g.y);
        w.x += dx;
        w.y += dy;
        if dx.abs() < 1e-11 && dy.abs() < 1e-11 {
            break;
        }
    }
    w
}

// WGS-84 ellipsoid.
const WGS_A: f64 = 6_378_137.0;
const WGS_F: f64 = 1.0 / 298.257_223_563;

/// Metres per degree of latitude and of longitude at a latitude (WGS-84 ellipsoid: meridional
/// radius M and prime-vertical radius N).
pub fn metres_per_degree(lat_deg: f64) -> (f64, f64) {
    let e2 = WGS_F * (2.0 - WGS_F);
    let phi = lat_deg.to_radians();
    let s2 = phi.sin() * phi.sin();
    let w = (1.0 - e2 * s2).sqrt();
    let m = WGS_A * (1.0 - e2) / (w * w * w);
    let n = WGS_A / w;
    let per_rad = std::f64::consts::PI / 180.0;
    (m * per_rad, n * phi.cos() * per_rad)
}

/// Length in metres of a short segment between two lon/lat points on the WGS-84 ellipsoid.
///
/// Uses the ellipsoid's local radii at the segment's mid-latitude. For road segments (under a
/// few kilometres) this agrees with Karney's geodesic to well under a millimetre per 100 m,
/// and costs a fraction of it, which matters at half a million edges.
pub fn segment_length_m(a: Coord<f64>, b: Coord<f64>) -> f64 {
    let (m_lat, m_lon) = metres_per_degree(0.5 * (a.y + b.y));
    let dx = (b.x - a.x) * m_lon;
    let dy = (b.y - a.y) * m_lat;
    (dx * dx + dy * dy).sqrt()
}

/// A local plane in metres around a reference point (an equirectangular projection with the
/// ellipsoid's radii at the reference latitude). Within a district (±20 km) its scale error is
/// below 0.1 %, which is what snapping and drawing need; lengths that count are measured with
/// [`segment_length_m`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LocalPlane {
    pub lon0: f64,
    pub lat0: f64,
    m_per_deg_lon: f64,
    m_per_deg_lat: f64,
}

impl LocalPlane {
    pub fn new(lon0: f64, lat0: f64) -> LocalPlane {
        let (m_lat, m_lon) = metres_per_degree(lat0);
        LocalPlane {
            lon0,
            lat0,
            m_per_deg_lon: m_lon,
            m_per_deg_lat: m_lat,
        }
    }

    /// A plane centred on the middle of a set of lon/lat coordinates.
    pub fn around<'a>(coords: impl IntoIterator<Item = &'a Coord<f64>>) -> LocalPlane {
        let mut min = Coord {
            x: f64::INFINITY,
            y: f64::INFINITY,
        };
        let mut max = Coord {
            x: f64::NEG_INFINITY,
            y: f64::NEG_INFINITY,
        };
        for c in coords {
            min.x = min.x.min(c.x);
            min.y = min.y.min(c.y);
            max.x = max.x.max(c.x);
            max.y = max.y.max(c.y);
        }
        if !min.x.is_finite() {
            return LocalPlane::new(0.0, 0.0);
        }
        LocalPlane::new(0.5 * (min.x + max.x), 0.5 * (min.y + max.y))
    }

    pub fn project(&self, c: Coord<f64>) -> Coord<f64> {
        Coord {
            x: (c.x - self.lon0) * self.m_per_deg_lon,
            y: (c.y - self.lat0) * self.m_per_deg_lat,
        }
    }

    pub fn project_point(&self, p: Point<f64>) -> Point<f64> {
        Point(self.project(p.0))
    }

    pub fn unproject(&self, c: Coord<f64>) -> Coord<f64> {
        Coord {
            x: self.lon0 + c.x / self.m_per_deg_lon,
            y: self.lat0 + c.y / self.m_per_deg_lat,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segment_length_matches_karney_geodesic() {
        use geo::{Distance, Geodesic};
        for &(lon, lat) in &[(116.0, 29.7), (24.94, 60.17), (0.0, 0.0), (120.0, -45.0)] {
            for &(dx, dy) in &[(0.001, 0.0), (0.0, 0.001), (0.007, -0.004), (0.01, 0.01)] {
                let a = Coord { x: lon, y: lat };
                let b = Coord {
                    x: lon + dx,
                    y: lat + dy,
                };
                let exact = Geodesic.distance(Point(a), Point(b));
                let ours = segment_length_m(a, b);
                assert!(
                    (exact - ours).abs() < 1e-3,
                    "{a:?}->{b:?}: {exact} vs {ours}"
                );
            }
        }
    }

    /// The pair published with the widely used coordtransform library (wandergis/coordtransform,
    /// test/app.js): wgs84togcj02(116.404, 39.915) = [116.41024449916938, 39.91640428150164],
    /// and its one-step gcj02towgs84(116.404, 39.915) = [116.39775550083061, 39.91359571849836].
    #[test]
    fn gcj02_matches_published_pairs() {
        let w = Coord {
            x: 116.404,
            y: 39.915,
        };
        let g = wgs84_to_gcj02(w);
        assert!((g.x - 116.410_244_499_169_38).abs() < 1e-11, "{}", g.x);
        assert!((g.y - 39.916_404_281_501_64).abs() < 1e-11, "{}", g.y);
        // Our inverse is exact where the one-step inverse is not: forward(inverse(p)) == p.
        let back = gcj02_to_wgs84(w);
        let again = wgs84_to_gcj02(back);
        assert!((again.x - w.x).abs() < 1e-10 && (again.y - w.y).abs() < 1e-10);
        // ...and it lies within a metre of the published one-step answer (about 1e-5 deg).
        assert!((back.x - 116.397_755_500_830_61).abs() < 2e-5, "{}", back.x);
        assert!((back.y - 39.913_595_718_498_36).abs() < 2e-5, "{}", back.y);
        // Round trip of a point in Xunyang.
        let x = Coord { x: 116.0, y: 29.7 };
        let rt = gcj02_to_wgs84(wgs84_to_gcj02(x));
        assert!((rt.x - x.x).abs() < 1e-10 && (rt.y - x.y).abs() < 1e-10);
        // The offset there is a few hundred metres, as expected of GCJ-02.
        let off = segment_length_m(x, wgs84_to_gcj02(x));
        assert!(off > 100.0 && off < 700.0, "{off}");
        // Outside China nothing moves.
        let helsinki = Coord { x: 24.94, y: 60.17 };
        assert_eq!(wgs84_to_gcj02(helsinki), helsinki);
        assert_eq!(gcj02_to_wgs84(helsinki), helsinki);
    }

    #[test]
    fn local_plane_round_trips() {
        let plane = LocalPlane::new(116.0, 29.68);
        let c = Coord {
            x: 116.0712,
            y: 29.7011,
        };
        let back = plane.unproject(plane.project(c));
        assert!((back.x - c.x).abs() < 1e-12 && (back.y - c.y).abs() < 1e-12);
    }
}
