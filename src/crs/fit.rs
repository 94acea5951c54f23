//! Do a layer's coordinates fit the coordinate system it claims? And if not, which one are
//! they probably in?
//!
//! The checks are on numbers alone, so they catch the common mix-ups of a bureau's files:
//! projected metres read as degrees and the reverse; a Gauss-Krüger easting with the zone
//! number in front (39 512 345 m) in a system without it, or the reverse (the zone-prefix
//! mismatch); the wrong zone (a zone-39 easting in a zone-40 system); x and y swapped, as
//! Chinese survey tables write northing as X.

use super::epsg::GkZone;
use super::Crs;

/// Longitude/latitude box around China, with a margin.
fn in_china(lon: f64, lat: f64) -> bool {
    (72.0..=137.0).contains(&lon) && (2.0..=55.0).contains(&lat)
}

fn degrees(p: (f64, f64)) -> bool {
    p.0.abs() <= 180.0 && p.1.abs() <= 90.0
}

/// How far (metres) from the central meridian a transverse Mercator grid's data may lie: half
/// a 6-degree zone at the equator is 334 km; the rest is margin for layers that spill over a
/// zone edge. A wrong zone or prefix is off by 1000 km or more.
const TM_REACH_M: f64 = 600_000.0;

fn fits_point(crs: &Crs, p: (f64, f64)) -> bool {
    match crs {
        c if c.is_geographic() => degrees(p),
        Crs::WebMercator => p.0.abs() <= 20_037_508.35 && p.1.abs() <= 20_037_508.35 && !degrees(p),
        Crs::TransverseMercator(t) => {
            let dx = (p.0 - t.tm.false_easting) / t.tm.k0;
            let dy = p.1 - t.tm.false_northing;
            dx.abs() <= TM_REACH_M && dy.abs() <= 10_100_000.0 && !degrees(p)
        }
        _ => {
            !degrees(p)
                && crs
                    .try_to_wgs84(geo::Coord { x: p.0, y: p.1 })
                    .map(|c| degrees((c.x, c.y)))
                    .unwrap_or(false)
        }
    }
}

/// A coordinate as a person reads it: metres to the centimetre, degrees to 1e-6.
fn num(v: f64) -> String {
    if v.abs() >= 1000.0 {
        format!("{v:.2}")
    } else {
        format!("{v:.6}")
    }
}

fn show(p: (f64, f64)) -> String {
    format!("({}, {})", num(p.0), num(p.1))
}

/// Checks that every point of `sample` can be in `crs`; the error says what the coordinates
/// look like instead, naming a likely system ("looks like EPSG:4527 (CGCS2000 / 3-degree
/// Gauss-Kruger zone 39)") where the numbers tell.
pub fn check_fits(crs: &Crs, sample: &[(f64, f64)]) -> Result<(), String> {
    let pts: Vec<(f64, f64)> = sample
        .iter()
        .copied()
        .filter(|p| p.0.is_finite() && p.1.is_finite())
        .collect();
    let Some(&bad) = pts.iter().find(|p| !fits_point(crs, **p)) else {
        return Ok(());
    };
    let head = format!(
        "coordinates such as {} do not fit {}",
        show(bad),
        crs.describe()
    );
    Err(format!("{head}: {}", diagnose(crs, &pts, bad)))
}

fn suggestion(guess: &Crs) -> String {
    format!("they look like {}; set crs = \"{guess}\"", guess.describe())
}

fn diagnose(crs: &Crs, pts: &[(f64, f64)], bad: (f64, f64)) -> String {
    let guess = guess_crs(pts);
    let swapped: Vec<(f64, f64)> = pts.iter().map(|p| (p.1, p.0)).collect();
    let swapped_guess = guess_crs(&swapped);
    if crs.is_geographic() {
        if let Some(g) = swapped_guess.filter(|g| g.is_geographic()) {
            let _ = g;
            return "x and y look swapped (latitude first); give longitude as x and latitude as y"
                .into();
        }
        return match guess {
            Some(g) if !g.is_geographic() => format!(
                "they are not longitude/latitude degrees but projected metres: {}",
                suggestion(&g)
            ),
            _ => match swapped_guess.filter(|g| !g.is_geographic()) {
                Some(g) => format!(
                    "they are not degrees but projected metres with x and y swapped (northing \
                     first, as survey tables write X/Y); swap the columns, and then {}",
                    suggestion(&g)
                ),
                None => "they are not longitude/latitude degrees; they look like projected \
                         metres: name the projection with crs = \"EPSG:…\" or a PROJ string"
                    .into(),
            },
        };
    }
    if pts.iter().all(|p| degrees(*p)) {
        let g = guess.unwrap_or(Crs::Cgcs2000);
        return format!(
            "they are longitude/latitude degrees, not projected metres: {} (or wgs84, gcj02, \
             bd09 for GPS, AMap or Baidu coordinates)",
            suggestion(&g)
        );
    }
    if let Crs::TransverseMercator(t) = crs {
        let fe = t.tm.false_easting;
        let expects_prefix = fe >= 1e6;
        let x = bad.0;
        let has_prefix = (1e7..1e8).contains(&x);
        let six_digit = (1e5..1e6).contains(&x);
        let zone = t.gk_zone();
        if expects_prefix && six_digit {
            let alt = zone
                .map(|z| GkZone {
                    prefixed: false,
                    ..z
                })
                .map(|z| Crs::from_epsg(z.cgcs2000_code()));
            let fix = match alt {
                Some(Ok(a)) => format!(
                    "; if they are in that zone, set crs = \"{a}\" ({})",
                    a.describe()
                ),
                _ => String::new(),
            };
            return format!(
                "zone-prefix mismatch: eastings such as {} have no zone number in front, but \
                 this system's false easting is {fe} m (zone {} in front){fix}",
                num(x),
                (fe / 1e6).floor()
            );
        }
        if !expects_prefix && has_prefix {
            let prefix = (x / 1e6).floor();
            let fix = match guess {
                Some(g) => format!("; {}", suggestion(&g)),
                None => String::new(),
            };
            return format!(
                "zone-prefix mismatch: eastings such as {} carry the zone number {prefix} in \
                 front, but this system's false easting is {fe} m (no prefix){fix}",
                num(x)
            );
        }
        if expects_prefix && has_prefix {
            let prefix = (x / 1e6).floor();
            let own = (fe / 1e6).floor();
            if prefix != own {
                let fix = match guess {
                    Some(g) => format!("; {}", suggestion(&g)),
                    None => String::new(),
                };
                return format!(
                    "eastings such as {} are in zone {prefix}, not in zone {own}{fix}",
                    num(x)
                );
            }
        }
    }
    if let Some(g) = swapped_guess.filter(|g| !g.is_geographic()) {
        let then = if g.same_as(crs) {
            "they fit".to_string()
        } else {
            suggestion(&g)
        };
        return format!(
            "x and y look swapped (northing first, as survey tables write X/Y); swap the \
             columns, and then {then}"
        );
    }
    match guess {
        Some(g) => suggestion(&g),
        None => "they are outside the area this system covers".into(),
    }
}

/// The coordinate system a sample of coordinates is probably in, from the numbers alone:
/// degrees inside China → CGCS2000 lon/lat (GCJ-02 and BD-09 cannot be told from it by the
/// numbers), elsewhere WGS-84; 8-digit eastings → the CGCS2000 Gauss-Krüger zone their prefix
/// names; Web Mercator metres over China. A 6-digit easting says nothing about its zone, so
/// gives None.
pub fn guess_crs(sample: &[(f64, f64)]) -> Option<Crs> {
    let pts: Vec<(f64, f64)> = sample
        .iter()
        .copied()
        .filter(|p| p.0.is_finite() && p.1.is_finite())
        .collect();
    if pts.is_empty() {
        return None;
    }
    if pts.iter().all(|p| degrees(*p)) {
        return Some(if pts.iter().all(|p| in_china(p.0, p.1)) {
            Crs::Cgcs2000
        } else {
            Crs::Wgs84
        });
    }
    let lands_in_china = |crs: &Crs| {
        pts.iter().all(|p| {
            crs.try_to_wgs84(geo::Coord { x: p.0, y: p.1 })
                .map(|c| in_china(c.x, c.y))
                .unwrap_or(false)
        })
    };
    let web = Crs::WebMercator;
    let web_fits = pts
        .iter()
        .all(|p| (8.0e6..1.55e7).contains(&p.0) && (2.0e5..7.5e6).contains(&p.1))
        && lands_in_china(&web);
    let prefix = (pts[0].0 / 1e6).floor();
    let same_prefix = pts
        .iter()
        .all(|p| (1e7..1e8).contains(&p.0) && (p.0 / 1e6).floor() == prefix);
    if same_prefix {
        if let Some(zone) = GkZone::of_prefix(prefix as u32) {
            let gk = Crs::from_epsg(zone.cgcs2000_code()).ok()?;
            // Eastings 13–15 million could also be Web Mercator over eastern China (116.8°E
            // to 139°E); 6-degree zones 13–15 are the far west (72°E–90°E), where far fewer
            // bureaus are, and Web Mercator is what web exports use.
            if web_fits {
                return Some(web);
            }
            return lands_in_china(&gk).then_some(gk);
        }
    }
    web_fits.then_some(web)
}
