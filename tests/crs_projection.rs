//! Transverse Mercator (Gauss-Krüger, UTM), Web Mercator and the seven-parameter datum shift
//! against published test points.

use carecircle::crs::{Crs, Datum, Ellipsoid, TransverseMercator};
use geo::Coord;

fn c(x: f64, y: f64) -> Coord<f64> {
    Coord { x, y }
}

fn close(got: (f64, f64), want: (f64, f64), tol: f64, what: &str) {
    assert!(
        (got.0 - want.0).abs() <= tol && (got.1 - want.1).abs() <= tol,
        "{what}: got ({:.9}, {:.9}), want ({:.9}, {:.9}), tolerance {tol}",
        got.0,
        got.1,
        want.0,
        want.1
    );
}

/// PROJ's own test data, test/gie/builtins.gie, section "Transverse Mercator",
/// `operation +proj=tmerc +ellps=GRS80` (tolerance there: 50 nm). GRS 80 is the CGCS2000
/// ellipsoid, and k = 1 is Gauss-Krüger's scale.
#[test]
fn tmerc_matches_proj_builtins_gie() {
    let tm = TransverseMercator::new(Ellipsoid::GRS80, 0.0, 0.0, 1.0, 0.0, 0.0);
    let forward = [
        ((2.0, 1.0), (222650.796797586, 110642.229411933)),
        ((2.0, -1.0), (222650.796797586, -110642.229411933)),
        ((-2.0, 1.0), (-222650.796797586, 110642.229411933)),
        ((-2.0, -1.0), (-222650.796797586, -110642.229411933)),
        // near the pole
        ((30.0, 89.9999), (5.584698978, 10001956.056248082)),
        // 3900 km from the central meridian
        ((44.69, 35.37), (4168136.489446198, 4985511.302287407)),
    ];
    for ((lon, lat), want) in forward {
        close(
            tm.forward(lon, lat),
            want,
            1e-6,
            &format!("forward ({lon}, {lat})"),
        );
    }
    let inverse = [
        ((200.0, 100.0), (0.00179663056816, 0.00090436947663)),
        ((200.0, -100.0), (0.00179663056816, -0.00090436947663)),
        ((-200.0, 100.0), (-0.00179663056816, 0.00090436947663)),
        ((-200.0, -100.0), (-0.00179663056816, -0.00090436947663)),
        ((6.0, 1.0001e7), (0.35596960759234, 89.99135362646302)),
        ((4168136.489446198, 4985511.302287407), (44.69, 35.37)),
    ];
    for ((x, y), want) in inverse {
        // 1e-11 degrees is about 1 µm.
        close(
            tm.inverse(x, y),
            want,
            1e-11,
            &format!("inverse ({x}, {y})"),
        );
    }
}

/// PROJ test/gie/builtins.gie, `+proj=tmerc +ellps=GRS80 +algo=poder_engsager` (0.1 mm): points
/// 2.9° and 6° from the central meridian, the edge of a 6-degree zone and beyond.
#[test]
fn tmerc_matches_proj_poder_engsager_points() {
    let tm = TransverseMercator::new(Ellipsoid::GRS80, 0.0, 0.0, 1.0, 0.0, 0.0);
    let points = [
        ((2.9, 0.0), (322965.3802, 0.0)),
        ((2.9, 40.0), (247660.7575, 4433559.6623)),
        ((2.9, 85.0), (28218.2464, 9444221.7042)),
        ((6.0, 0.0), (669149.3483, 0.0)),
        ((6.0, 40.0), (512526.6344, 4446813.3655)),
        ((6.0, 85.0), (58302.0560, 9446554.0371)),
    ];
    for ((lon, lat), want) in points {
        let got = tm.forward(lon, lat);
        close(got, want, 1e-4, &format!("({lon}, {lat})"));
        // The published metres are rounded to 0.1 mm, which at 85°N is 1e-8 degrees of
        // longitude; our own forward result goes back to 1e-11 degrees.
        close(
            tm.inverse(want.0, want.1),
            (lon, lat),
            2e-8,
            &format!("inverse of ({lon}, {lat})"),
        );
        close(
            tm.inverse(got.0, got.1),
            (lon, lat),
            1e-11,
            &format!("round trip ({lon}, {lat})"),
        );
    }
}

/// PROJ test/gie/builtins.gie, section UTM: `+proj=utm +ellps=GRS80 +zone=30` and
/// `+proj=utm +zone=32` (GRS 80 by default; tolerance there 0.001 mm).
#[test]
fn utm_matches_proj_builtins_gie() {
    let z30 = Crs::from_proj_string("+proj=utm +ellps=GRS80 +zone=30").unwrap();
    close(
        z30.from_wgs84(c(2.0, 1.0)).x_y(),
        (1057002.405491298, 110955.141175949),
        1e-6,
        "zone 30 (2, 1)",
    );
    close(
        z30.from_wgs84(c(-2.0, 1.0)).x_y(),
        (611263.812278905, 110547.105696804),
        1e-6,
        "zone 30 (-2, 1)",
    );
    let z32 = Crs::from_proj_string("+proj=utm +zone=32").unwrap();
    close(
        z32.from_wgs84(c(12.0, 56.0)).x_y(),
        (687071.43910944, 6210141.32674801),
        1e-6,
        "zone 32 (12, 56)",
    );
}

/// EPSG Guidance Note 7-2 (IOGP publication 373-7-2), the Transverse Mercator worked example:
/// OSGB 1936 / British National Grid, Airy 1830, φ0 = 49°N, λ0 = 2°W, k0 = 0.9996012717,
/// FE = 400 000 m, FN = −100 000 m; φ = 50°30'N, λ = 0°30'E gives E = 577 274.99 m,
/// N = 69 740.50 m. Those figures are rounded to the centimetre (and were worked with the
/// older USGS series), so the tolerance here is 1 cm; the millimetre checks are PROJ's
/// nanometre-exact points above.
#[test]
fn tmerc_matches_epsg_guidance_note_example() {
    let airy = Ellipsoid::from_a_inv_f(6_377_563.396, 299.324_964_6);
    let tm = TransverseMercator::new(airy, -2.0, 49.0, 0.999_601_271_7, 400_000.0, -100_000.0);
    close(
        tm.forward(0.5, 50.5),
        (577_274.99, 69_740.50),
        0.01,
        "GN 7-2 forward",
    );
    close(
        tm.inverse(577_274.99, 69_740.50),
        (0.5, 50.5),
        2e-7,
        "GN 7-2 inverse",
    );
}

/// EPSG Guidance Note 7-2's Web Mercator example, as PROJ's test/gie/4D-API_cs2cs-style.gie
/// carries it (published to the centimetre).
#[test]
fn web_mercator_matches_guidance_note() {
    let web = Crs::from_epsg(3857).unwrap();
    close(
        web.from_wgs84(c(-100.33333333, 24.46358028)).x_y(),
        (-11169055.58, 2810000.00),
        0.01,
        "3857 forward",
    );
    close(
        web.to_wgs84(c(-11169055.58, 2800000.00)).x_y(),
        (-100.33333333, 24.38178694),
        // The published metres are rounded to 1 cm, about 1e-7 degrees.
        1e-7,
        "3857 inverse",
    );
}

/// Every CGCS2000 Gauss-Krüger EPSG code: the zone, central meridian and false easting
/// (with the zone prefix for 4491–4501 and 4513–4533), checked against the EPSG definitions.
#[test]
fn cgcs2000_gauss_kruger_codes_have_the_epsg_parameters() {
    let expect = |code: u32, lon0: f64, fe: f64| {
        let Crs::TransverseMercator(t) = Crs::from_epsg(code).unwrap() else {
            panic!("EPSG:{code} is not transverse Mercator");
        };
        assert_eq!(
            (t.tm.lon0, t.tm.false_easting, t.tm.k0),
            (lon0, fe, 1.0),
            "EPSG:{code}"
        );
        assert_eq!(t.datum, Datum::Cgcs2000);
        assert_eq!(t.epsg, Some(code));
    };
    expect(4491, 75.0, 13_500_000.0);
    expect(4501, 135.0, 23_500_000.0);
    expect(4502, 75.0, 500_000.0);
    expect(4509, 117.0, 500_000.0);
    expect(4512, 135.0, 500_000.0);
    expect(4513, 75.0, 25_500_000.0);
    expect(4527, 117.0, 39_500_000.0);
    expect(4528, 120.0, 40_500_000.0);
    expect(4533, 135.0, 45_500_000.0);
    expect(4534, 75.0, 500_000.0);
    expect(4548, 117.0, 500_000.0);
    expect(4554, 135.0, 500_000.0);
    // WGS-84 UTM zones over China.
    for zone in 43..=53u32 {
        let Crs::TransverseMercator(t) = Crs::from_epsg(32600 + zone).unwrap() else {
            panic!()
        };
        assert_eq!(t.tm.lon0, 6.0 * zone as f64 - 183.0);
        assert_eq!((t.tm.k0, t.tm.false_easting), (0.9996, 500_000.0));
        assert_eq!(t.datum, Datum::Wgs84);
    }
}

/// Our Krüger series and proj4rs's Poder/Engsager implementation (the crate the other PROJ
/// strings go through) agree to 1 µm over China in zone 39 and in UTM 50N.
#[test]
fn gauss_kruger_agrees_with_proj4rs() {
    let wgs = proj4rs::Proj::from_proj_string("+proj=longlat +datum=WGS84 +no_defs").unwrap();
    for (code, def) in [
        (
            4527,
            "+proj=tmerc +lat_0=0 +lon_0=117 +k=1 +x_0=39500000 +y_0=0 +ellps=GRS80 +units=m +no_defs",
        ),
        (32650, "+proj=utm +zone=50 +datum=WGS84 +units=m +no_defs"),
    ] {
        let theirs = proj4rs::Proj::from_proj_string(def).unwrap();
        let ours = Crs::from_epsg(code).unwrap();
        for i in 0..40 {
            let lon = 114.2 + 0.137 * i as f64;
            let lat = 18.0 + 0.9 * i as f64;
            let mut p = (lon.to_radians(), lat.to_radians(), 0.0);
            proj4rs::transform::transform(&wgs, &theirs, &mut p).unwrap();
            let got = ours.from_wgs84(c(lon, lat));
            close(got.x_y(), (p.0, p.1), 1e-6, &format!("EPSG:{code} ({lon}, {lat})"));
        }
    }
}

/// Every CGCS2000 Gauss-Krüger zone and every WGS-84 UTM zone over China, at points across the
/// zone and 0°–54°N: the same metres as proj4rs (1 µm) and back to the point within 1e-9°.
#[test]
fn every_zone_matches_proj4rs_and_round_trips() {
    let wgs = proj4rs::Proj::from_proj_string("+proj=longlat +datum=WGS84 +no_defs").unwrap();
    for code in (4491..=4554).chain(32643..=32653) {
        let crs = Crs::from_epsg(code).unwrap();
        let Crs::TransverseMercator(t) = crs else {
            panic!("EPSG:{code}")
        };
        let def = format!(
            "+proj=tmerc +lat_0=0 +lon_0={} +k={} +x_0={} +y_0=0 +ellps={} +units=m +no_defs",
            t.tm.lon0,
            t.tm.k0,
            t.tm.false_easting,
            if code > 32600 { "WGS84" } else { "GRS80" }
        );
        let theirs = proj4rs::Proj::from_proj_string(&def).unwrap();
        let half_width = if (4513..=4554).contains(&code) {
            1.5
        } else {
            3.0
        };
        for i in 0..=6 {
            for j in 0..=6 {
                let lon = t.tm.lon0 - half_width + half_width * i as f64 / 3.0;
                let lat = 9.0 * j as f64;
                let ours = crs.from_wgs84(c(lon, lat));
                let mut p = (lon.to_radians(), lat.to_radians(), 0.0);
                proj4rs::transform::transform(&wgs, &theirs, &mut p).unwrap();
                close(
                    ours.x_y(),
                    (p.0, p.1),
                    1e-6,
                    &format!("EPSG:{code} ({lon}, {lat})"),
                );
                let back = crs.to_wgs84(ours);
                close(
                    back.x_y(),
                    (lon, lat),
                    1e-9,
                    &format!("EPSG:{code} round trip"),
                );
            }
        }
    }
}

/// Forward then inverse returns the point to 1e-9° (0.1 mm) in every system, across China.
#[test]
fn round_trips_within_1e9_degrees() {
    let systems = [
        "wgs84",
        "cgcs2000",
        "gcj02",
        "bd09",
        "EPSG:3857",
        "EPSG:4527",
        "EPSG:4548",
        "EPSG:4498",
        "EPSG:4509",
        "EPSG:32650",
        "+proj=tmerc +lat_0=0 +lon_0=117 +k=1 +x_0=500000 +y_0=0 +a=6378140 +rf=298.257 +towgs84=-15.9,-162.3,-64.5,0.6,-3.1,-1.9,-2.7 +units=m +no_defs",
        "+proj=longlat +ellps=krass +towgs84=15.8,-154.4,-82.3,0,0,0,0 +no_defs",
        "+proj=lcc +lat_1=25 +lat_2=47 +lat_0=0 +lon_0=105 +x_0=0 +y_0=0 +ellps=GRS80 +units=m +no_defs",
    ];
    for s in systems {
        let crs = Crs::parse(s).unwrap();
        for i in 0..25 {
            let lon = 115.5 + 0.123 * i as f64;
            let lat = 22.0 + 0.77 * i as f64;
            let w = c(lon, lat);
            let there = crs.try_from_wgs84(w).unwrap();
            let back = crs.try_to_wgs84(there).unwrap();
            close(
                back.x_y(),
                (lon, lat),
                1e-9,
                &format!("{s} at ({lon}, {lat})"),
            );
        }
    }
}

/// The seven-parameter shift (position-vector convention, EPSG method 9606), checked against
/// EPSG Guidance Note 7-2's worked example for the position-vector method (9606): WGS 72 →
/// WGS 84 with tX = 0, tY = 0, tZ = +4.5 m, rZ = +0.554″, dS = +0.219 ppm. Geocentric (3657660.66,
/// 255768.55, 5201382.11) → (3657660.78, 255778.43, 5201387.75).
#[test]
fn helmert_shift_matches_guidance_note_example() {
    let wgs72 = Ellipsoid::from_a_inv_f(6_378_135.0, 298.26);
    let datum = Datum::Shifted {
        ellipsoid: wgs72,
        towgs84: [0.0, 0.0, 4.5, 0.0, 0.0, 0.554, 0.219],
    };
    let (lon, lat) = wgs72.from_cartesian([3657660.66, 255768.55, 5201382.11]);
    let (lon84, lat84) = datum.to_wgs84(lon, lat);
    // Heights are dropped (a layer's points are taken on the ellipsoid), so compare the
    // horizontal position of the published result.
    let (want_lon, want_lat) = Ellipsoid::WGS84.from_cartesian([3657660.78, 255778.43, 5201387.75]);
    close((lon84, lat84), (want_lon, want_lat), 1e-7, "GN 7-2 Helmert");
    // And the inverse is exact.
    close(
        datum.from_wgs84(lon84, lat84),
        (lon, lat),
        1e-11,
        "inverse shift",
    );
}

/// A Xi'an 1980 PROJ string with the bureau's parameters moves points by the right amount (the
/// shift is tens of metres), and the EPSG code alone is refused with a message saying why.
#[test]
fn xian_1980_needs_towgs84() {
    let err = Crs::parse("EPSG:2383").unwrap_err();
    assert!(
        err.contains("Xi'an 1980") && err.contains("+towgs84"),
        "{err}"
    );
    let err = Crs::parse("EPSG:2437").unwrap_err();
    assert!(err.contains("Beijing 1954"), "{err}");
    let err = Crs::parse("EPSG:4610").unwrap_err();
    assert!(err.contains("Xi'an 1980"), "{err}");
    let err = Crs::parse(
        "+proj=tmerc +lat_0=0 +lon_0=117 +k=1 +x_0=500000 +y_0=0 +a=6378140 +b=6356755.288157528 +units=m +no_defs",
    )
    .unwrap_err();
    assert!(
        err.contains("Xi'an 1980") && err.contains("+towgs84"),
        "{err}"
    );
    let err = Crs::parse("+proj=longlat +ellps=krass +no_defs").unwrap_err();
    assert!(err.contains("Beijing 1954"), "{err}");

    let xian = Crs::parse(
        "+proj=tmerc +lat_0=0 +lon_0=117 +k=1 +x_0=500000 +y_0=0 +a=6378140 +b=6356755.288157528 +towgs84=24,-123,-94,0.02,-0.25,-0.13,1.1 +units=m +no_defs",
    )
    .unwrap();
    let cgcs = Crs::from_epsg(4548).unwrap();
    let p = c(116.0, 29.7);
    let a = xian.from_wgs84(p);
    let b = cgcs.from_wgs84(p);
    let shift = (a.x - b.x).hypot(a.y - b.y);
    assert!(
        shift > 20.0 && shift < 200.0,
        "Xi'an vs CGCS2000 grid shift {shift} m"
    );
}

trait XY {
    fn x_y(self) -> (f64, f64);
}

impl XY for Coord<f64> {
    fn x_y(self) -> (f64, f64) {
        (self.x, self.y)
    }
}
