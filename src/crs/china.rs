//! The obfuscated coordinates of Chinese web maps: GCJ-02 ("Mars" coordinates of AMap/Gaode,
//! Tencent and Google in China) and BD-09 (Baidu, which adds its own twist on top of GCJ-02).
//! Both forward algorithms are public; neither has a closed inverse, so the inverses here are
//! fixed-point iterations that converge to 1e-10 degrees (0.01 mm) instead of the one-step
//! approximations (off by up to a couple of metres) most libraries ship.

use geo::Coord;

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

/// Baidu's constant: π·3000/180.
const BD_X_PI: f64 = std::f64::consts::PI * 3000.0 / 180.0;

/// GCJ-02 → BD-09 (Baidu's published forward algorithm).
pub fn gcj02_to_bd09(c: Coord<f64>) -> Coord<f64> {
    let (x, y) = (c.x, c.y);
    let z = x.hypot(y) + 0.00002 * (y * BD_X_PI).sin();
    let theta = y.atan2(x) + 0.000003 * (x * BD_X_PI).cos();
    Coord {
        x: z * theta.cos() + 0.0065,
        y: z * theta.sin() + 0.006,
    }
}

/// The usual one-step BD-09 → GCJ-02 approximation (off by up to about 1e-6 degrees); the
/// starting point of [`bd09_to_gcj02`].
pub fn bd09_to_gcj02_approx(c: Coord<f64>) -> Coord<f64> {
    let (x, y) = (c.x - 0.0065, c.y - 0.006);
    let z = x.hypot(y) - 0.00002 * (y * BD_X_PI).sin();
    let theta = y.atan2(x) - 0.000003 * (x * BD_X_PI).cos();
    Coord {
        x: z * theta.cos(),
        y: z * theta.sin(),
    }
}

/// BD-09 → GCJ-02, exact: the point whose forward transform is `bd` to within 1e-12 degrees.
pub fn bd09_to_gcj02(bd: Coord<f64>) -> Coord<f64> {
    let mut g = bd09_to_gcj02_approx(bd);
    for _ in 0..30 {
        let b = gcj02_to_bd09(g);
        let (dx, dy) = (bd.x - b.x, bd.y - b.y);
        g.x += dx;
        g.y += dy;
        if dx.abs() < 1e-13 && dy.abs() < 1e-13 {
            break;
        }
    }
    g
}

/// WGS-84 → BD-09.
pub fn wgs84_to_bd09(c: Coord<f64>) -> Coord<f64> {
    gcj02_to_bd09(wgs84_to_gcj02(c))
}

/// BD-09 → WGS-84 (both steps exact).
pub fn bd09_to_wgs84(c: Coord<f64>) -> Coord<f64> {
    gcj02_to_wgs84(bd09_to_gcj02(c))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crs::segment_length_m;

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
}
