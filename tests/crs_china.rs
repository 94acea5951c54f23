//! GCJ-02 and BD-09 against published pairs, and their exact inverses.

use carecircle::crs::{
    bd09_to_gcj02, bd09_to_wgs84, china::bd09_to_gcj02_approx, gcj02_to_bd09, gcj02_to_wgs84,
    wgs84_to_bd09, wgs84_to_gcj02, Crs,
};
use geo::Coord;

fn c(x: f64, y: f64) -> Coord<f64> {
    Coord { x, y }
}

/// The pairs published with the widely used coordtransform library (wandergis/coordtransform,
/// README and test/app.js), all for the input (116.404, 39.915):
/// gcj02tobd09 → [116.41036949371029, 39.92133699351021],
/// bd09togcj02 → [116.39762729119315, 39.90865673957631] (its one-step inverse),
/// wgs84togcj02 → [116.41024449916938, 39.91640428150164].
#[test]
fn bd09_and_gcj02_match_published_pairs() {
    let p = c(116.404, 39.915);
    let bd = gcj02_to_bd09(p);
    assert!((bd.x - 116.410_369_493_710_29).abs() < 1e-12, "{}", bd.x);
    assert!((bd.y - 39.921_336_993_510_21).abs() < 1e-12, "{}", bd.y);
    let one_step = bd09_to_gcj02_approx(p);
    assert!(
        (one_step.x - 116.397_627_291_193_15).abs() < 1e-12,
        "{}",
        one_step.x
    );
    assert!(
        (one_step.y - 39.908_656_739_576_31).abs() < 1e-12,
        "{}",
        one_step.y
    );
    let g = wgs84_to_gcj02(p);
    assert!((g.x - 116.410_244_499_169_38).abs() < 1e-12, "{}", g.x);
    assert!((g.y - 39.916_404_281_501_64).abs() < 1e-12, "{}", g.y);

    // Our BD-09 inverse is exact where the one-step one is not: forward(inverse(p)) == p to
    // 1e-12 degrees, and it differs from the one-step answer by under 1e-5 degrees (a metre).
    let exact = bd09_to_gcj02(p);
    let again = gcj02_to_bd09(exact);
    assert!((again.x - p.x).abs() < 1e-12 && (again.y - p.y).abs() < 1e-12);
    let one_step_error = {
        let f = gcj02_to_bd09(one_step);
        (f.x - p.x).abs().max((f.y - p.y).abs())
    };
    assert!(
        one_step_error > 1e-8,
        "the one-step inverse is approximate: {one_step_error}"
    );
    assert!((exact.x - one_step.x).abs() < 1e-5 && (exact.y - one_step.y).abs() < 1e-5);
}

/// A second published pair (coordtransform's Kotlin port, CoordTransformTest.kt):
/// bd09toGCJ02(lat 30.946576225978003, lon 118.76519558159015) = (30.940779294367676,
/// 118.75866025417945), the one-step inverse.
#[test]
fn bd09_one_step_matches_second_published_pair() {
    let g = bd09_to_gcj02_approx(c(118.765_195_581_590_15, 30.946_576_225_978_003));
    assert!((g.x - 118.758_660_254_179_45).abs() < 1e-12, "{}", g.x);
    assert!((g.y - 30.940_779_294_367_676).abs() < 1e-12, "{}", g.y);
}

/// WGS-84 → BD-09 → WGS-84 and WGS-84 → GCJ-02 → WGS-84 return within 1e-9 degrees over a
/// grid covering China; through `Crs` as well.
#[test]
fn round_trips_over_china() {
    for i in 0..=30 {
        for j in 0..=20 {
            let w = c(74.0 + 2.0 * i as f64, 18.0 + 1.7 * j as f64);
            let b = bd09_to_wgs84(wgs84_to_bd09(w));
            assert!(
                (b.x - w.x).abs() < 1e-9 && (b.y - w.y).abs() < 1e-9,
                "bd09 {w:?} → {b:?}"
            );
            let g = gcj02_to_wgs84(wgs84_to_gcj02(w));
            assert!(
                (g.x - w.x).abs() < 1e-9 && (g.y - w.y).abs() < 1e-9,
                "gcj02 {w:?} → {g:?}"
            );
            for crs in [Crs::Bd09, Crs::Gcj02] {
                let back = crs.to_wgs84(crs.from_wgs84(w));
                assert!((back.x - w.x).abs() < 1e-9 && (back.y - w.y).abs() < 1e-9);
            }
        }
    }
    // BD-09 is GCJ-02 moved by roughly 0.0065°, 0.006°: hundreds of metres more.
    let w = c(116.0, 29.7);
    let off = carecircle::crs::segment_length_m(wgs84_to_gcj02(w), wgs84_to_bd09(w));
    assert!(off > 500.0 && off < 1500.0, "{off}");
}

#[test]
fn names_parse_and_print_back() {
    for (text, crs) in [
        ("bd09", Crs::Bd09),
        ("BD-09", Crs::Bd09),
        ("gcj02", Crs::Gcj02),
        ("wgs84", Crs::Wgs84),
        ("EPSG:4326", Crs::Wgs84),
        ("cgcs2000", Crs::Cgcs2000),
        ("epsg:4490", Crs::Cgcs2000),
    ] {
        let parsed = Crs::parse(text).unwrap();
        assert_eq!(parsed, crs, "{text}");
        assert_eq!(Crs::parse(&parsed.to_string()).unwrap(), crs);
    }
}
