//! Coordinates that do not fit the named coordinate system get an error saying which system
//! they are probably in.

use carecircle::crs::{guess_crs, Crs};
use geo::Coord;

/// A few points in Xunyang (九江市浔阳区), about 116.0°E 29.7°N, in the given system.
fn xunyang_in(crs: &Crs) -> Vec<(f64, f64)> {
    [(115.98, 29.70), (116.02, 29.73), (116.05, 29.68)]
        .iter()
        .map(|&(x, y)| {
            let c = crs.from_wgs84(Coord { x, y });
            (c.x, c.y)
        })
        .collect()
}

fn epsg(code: u32) -> Crs {
    Crs::from_epsg(code).unwrap()
}

#[test]
fn fitting_coordinates_pass() {
    for crs in [
        Crs::Wgs84,
        Crs::Cgcs2000,
        Crs::Gcj02,
        Crs::Bd09,
        epsg(3857),
        epsg(4527),
        epsg(4548),
        epsg(4509),
        epsg(4498),
        epsg(32650),
    ] {
        let pts = xunyang_in(&crs);
        assert_eq!(crs.check_fits(&pts), Ok(()), "{crs}");
    }
    // An empty sample or one with only non-finite points says nothing.
    assert!(epsg(4527).check_fits(&[]).is_ok());
}

#[test]
fn guesses_from_the_numbers() {
    assert_eq!(guess_crs(&xunyang_in(&epsg(4527))), Some(epsg(4527)));
    assert_eq!(guess_crs(&xunyang_in(&epsg(4498))), Some(epsg(4498)));
    assert_eq!(guess_crs(&xunyang_in(&Crs::Wgs84)), Some(Crs::Cgcs2000));
    assert_eq!(guess_crs(&xunyang_in(&epsg(3857))), Some(epsg(3857)));
    // A 6-digit easting does not say its zone.
    assert_eq!(guess_crs(&xunyang_in(&epsg(4548))), None);
    assert_eq!(guess_crs(&[(24.94, 60.17)]), Some(Crs::Wgs84));
    assert_eq!(guess_crs(&[]), None);
}

/// A zone-39 easting (39 4xx xxx) in a zone-40 system.
#[test]
fn wrong_zone_names_the_right_one() {
    let e = epsg(4528).check_fits(&xunyang_in(&epsg(4527))).unwrap_err();
    assert!(e.contains("zone 39, not in zone 40"), "{e}");
    assert!(
        e.contains("EPSG:4527 (CGCS2000 / 3-degree Gauss-Kruger zone 39)"),
        "{e}"
    );
    assert!(e.contains("crs = \"EPSG:4527\""), "{e}");
}

/// Projected metres given to a lon/lat system.
#[test]
fn metres_given_as_degrees() {
    let e = Crs::Cgcs2000
        .check_fits(&xunyang_in(&epsg(4527)))
        .unwrap_err();
    assert!(e.contains("not longitude/latitude degrees"), "{e}");
    assert!(e.contains("EPSG:4527"), "{e}");
    let e = Crs::Wgs84.check_fits(&xunyang_in(&epsg(3857))).unwrap_err();
    assert!(e.contains("EPSG:3857"), "{e}");
    // Metres in an unprefixed grid: which one cannot be told, but the error says metres.
    let e = Crs::Gcj02.check_fits(&xunyang_in(&epsg(4548))).unwrap_err();
    assert!(e.contains("projected metres"), "{e}");
}

/// Lon/lat degrees given to a projected system.
#[test]
fn degrees_given_as_metres() {
    let e = epsg(4527).check_fits(&xunyang_in(&Crs::Wgs84)).unwrap_err();
    assert!(
        e.contains("longitude/latitude degrees, not projected metres"),
        "{e}"
    );
    assert!(e.contains("crs = \"cgcs2000\""), "{e}");
}

/// A 6-digit easting in a zone-prefixed system and the reverse.
#[test]
fn zone_prefix_mismatch() {
    let e = epsg(4527).check_fits(&xunyang_in(&epsg(4548))).unwrap_err();
    assert!(e.contains("zone-prefix mismatch"), "{e}");
    assert!(e.contains("crs = \"EPSG:4548\""), "{e}");
    let e = epsg(4548).check_fits(&xunyang_in(&epsg(4527))).unwrap_err();
    assert!(
        e.contains("zone-prefix mismatch") && e.contains("zone number 39"),
        "{e}"
    );
    assert!(e.contains("crs = \"EPSG:4527\""), "{e}");
}

/// Northing first, as Chinese survey tables write X (north) and Y (east).
#[test]
fn swapped_axes() {
    let swapped: Vec<(f64, f64)> = xunyang_in(&epsg(4527)).iter().map(|p| (p.1, p.0)).collect();
    let e = epsg(4527).check_fits(&swapped).unwrap_err();
    assert!(e.contains("swapped"), "{e}");
    let latlon: Vec<(f64, f64)> = xunyang_in(&Crs::Wgs84).iter().map(|p| (p.1, p.0)).collect();
    let e = Crs::Wgs84.check_fits(&latlon).unwrap_err();
    assert!(e.contains("swapped"), "{e}");
}
