//! The EPSG codes carecircle knows by number: the CGCS2000 geographic and Gauss-Krüger systems,
//! WGS-84, its UTM zones and Web Mercator; and the old Chinese datums it refuses by number.
//!
//! Code ranges checked against the EPSG dataset (as shipped in the crs-definitions crate,
//! v0.6): 4491–4501 CGCS2000 / Gauss-Kruger zone 13–23 (6-degree, false easting with the
//! zone number in front), 4502–4512 the same zones as CM 75E–135E (false easting 500 000 m),
//! 4513–4533 CGCS2000 / 3-degree Gauss-Kruger zone 25–45, 4534–4554 CM 75E–135E.

use super::datum::Datum;
use super::tmerc::{Ellipsoid, TransverseMercator};
use super::{Crs, TmCrs};

/// What a Gauss-Krüger zone is: 3- or 6-degree, and whether the false easting carries the zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GkZone {
    pub degrees: u32,
    pub zone: u32,
    pub prefixed: bool,
}

impl GkZone {
    pub fn central_meridian(&self) -> f64 {
        if self.degrees == 3 {
            3.0 * self.zone as f64
        } else {
            6.0 * self.zone as f64 - 3.0
        }
    }

    pub fn false_easting(&self) -> f64 {
        if self.prefixed {
            self.zone as f64 * 1e6 + 500_000.0
        } else {
            500_000.0
        }
    }

    /// The CGCS2000 EPSG code of this zone.
    pub fn cgcs2000_code(&self) -> u32 {
        match (self.degrees, self.prefixed) {
            (6, true) => 4491 + self.zone - 13,
            (6, false) => 4502 + self.zone - 13,
            (3, true) => 4513 + self.zone - 25,
            _ => 4534 + self.zone - 25,
        }
    }

    /// The EPSG name, e.g. "CGCS2000 / 3-degree Gauss-Kruger zone 39".
    pub fn epsg_name(&self, datum: &str) -> String {
        let width = if self.degrees == 3 { "3-degree " } else { "" };
        if self.prefixed {
            format!("{datum} / {width}Gauss-Kruger zone {}", self.zone)
        } else {
            format!(
                "{datum} / {width}Gauss-Kruger CM {}E",
                self.central_meridian()
            )
        }
    }

    /// The name ArcGIS gives it, e.g. "CGCS2000_3_Degree_GK_Zone_39" or "…_GK_CM_117E".
    pub fn esri_name(&self, datum: &str) -> String {
        let width = if self.degrees == 3 { "_3_Degree" } else { "" };
        if self.prefixed {
            format!("{datum}{width}_GK_Zone_{}", self.zone)
        } else {
            format!("{datum}{width}_GK_CM_{}E", self.central_meridian())
        }
    }

    /// The zone of a CGCS2000 Gauss-Krüger EPSG code.
    pub fn of_cgcs2000_code(code: u32) -> Option<GkZone> {
        let (degrees, prefixed, zone) = match code {
            4491..=4501 => (6, true, 13 + code - 4491),
            4502..=4512 => (6, false, 13 + code - 4502),
            4513..=4533 => (3, true, 25 + code - 4513),
            4534..=4554 => (3, false, 25 + code - 4534),
            _ => return None,
        };
        Some(GkZone {
            degrees,
            zone,
            prefixed,
        })
    }

    /// The zone whose false easting carries `prefix` (13–23: 6-degree, 25–45: 3-degree).
    pub fn of_prefix(prefix: u32) -> Option<GkZone> {
        let degrees = match prefix {
            13..=23 => 6,
            25..=45 => 3,
            _ => return None,
        };
        Some(GkZone {
            degrees,
            zone: prefix,
            prefixed: true,
        })
    }

    /// The zone matching a transverse Mercator's parameters on CGCS2000 (k = 1, origin on the
    /// equator, no false northing), if it is one of the EPSG zones. A central meridian without
    /// prefix that lies on both grids (e.g. 117°E: 3-degree CM 117E and 6-degree CM 117E are the
    /// same projection) is taken as 3-degree unless `six_degree` says otherwise.
    pub fn of_parameters(
        lon0: f64,
        k0: f64,
        lat0: f64,
        fe: f64,
        fn_: f64,
        six_degree: bool,
    ) -> Option<GkZone> {
        if k0 != 1.0 || lat0 != 0.0 || fn_ != 0.0 || lon0.fract() != 0.0 {
            return None;
        }
        let cm = lon0 as i64;
        if fe == 500_000.0 {
            let three = (75..=135).contains(&cm) && cm % 3 == 0;
            let six = (75..=135).contains(&cm) && (cm - 75) % 6 == 0;
            let zone = |degrees: u32| {
                let z = if degrees == 3 { cm / 3 } else { (cm + 3) / 6 };
                GkZone {
                    degrees,
                    zone: z as u32,
                    prefixed: false,
                }
            };
            return match (three, six) {
                (_, true) if six_degree || !three => Some(zone(6)),
                (true, _) => Some(zone(3)),
                _ => None,
            };
        }
        let prefix = ((fe - 500_000.0) / 1e6).round();
        if prefix * 1e6 + 500_000.0 != fe || prefix < 0.0 {
            return None;
        }
        let z = GkZone::of_prefix(prefix as u32)?;
        (z.central_meridian() == lon0).then_some(z)
    }
}

/// A WGS-84 UTM zone (north or south).
pub fn utm(zone: u32, south: bool) -> TransverseMercator {
    TransverseMercator::new(
        Ellipsoid::WGS84,
        6.0 * zone as f64 - 183.0,
        0.0,
        0.9996,
        500_000.0,
        if south { 10_000_000.0 } else { 0.0 },
    )
}

/// The UTM zone of a transverse Mercator on WGS-84, if it is one.
pub fn utm_code(datum: &Datum, tm: &TransverseMercator) -> Option<u32> {
    if *datum != Datum::Wgs84 || tm.k0 != 0.9996 || tm.lat0 != 0.0 || tm.false_easting != 500_000.0
    {
        return None;
    }
    let zone = (tm.lon0 + 183.0) / 6.0;
    if zone.fract() != 0.0 || !(1.0..=60.0).contains(&zone) {
        return None;
    }
    match tm.false_northing {
        0.0 => Some(32600 + zone as u32),
        10_000_000.0 => Some(32700 + zone as u32),
        _ => None,
    }
}

/// Old Chinese datums: their EPSG transformations to WGS-84 are either missing or a national
/// three-parameter average that is off by tens of metres in a given district, so carecircle
/// takes them only with the bureau's own parameters.
fn old_chinese_datum(code: u32) -> Option<&'static str> {
    match code {
        2327..=2390 | 4610 => Some("Xi'an 1980"),
        2401..=2442 | 4214 | 21413..=21423 | 21453..=21463 | 21473..=21483 => Some("Beijing 1954"),
        4555 | 4568..=4589 | 4652..=4656 | 4766..=4800 | 4812 | 4822 => Some("New Beijing"),
        _ => None,
    }
}

/// Whether carecircle refuses this code by number (an old Chinese datum).
pub fn is_refused(code: u32) -> bool {
    old_chinese_datum(code).is_some()
}

/// The coordinate system of an EPSG code.
pub fn from_code(code: u32) -> Result<Crs, String> {
    if let Some(datum) = old_chinese_datum(code) {
        return Err(format!(
            "EPSG:{code} is on the {datum} datum, which has no transformation to WGS-84 that \
             holds to a metre across China; give it as a PROJ string with your bureau's own \
             seven parameters, e.g. \"+proj=tmerc +lat_0=0 +lon_0=117 +k=1 +x_0=500000 +y_0=0 \
             {} +towgs84=dx,dy,dz,rx,ry,rz,ds +units=m +no_defs\"",
            if datum == "Xi'an 1980" {
                "+a=6378140 +rf=298.257"
            } else {
                "+ellps=krass"
            }
        ));
    }
    let crs = match code {
        4326 => Crs::Wgs84,
        4490 | 4480 => Crs::Cgcs2000,
        3857 | 900913 | 3785 | 102100 => Crs::WebMercator,
        4491..=4554 => {
            let zone = GkZone::of_cgcs2000_code(code).expect("code is in the CGCS2000 GK range");
            Crs::TransverseMercator(TmCrs {
                epsg: Some(code),
                datum: Datum::Cgcs2000,
                tm: TransverseMercator::new(
                    Ellipsoid::GRS80,
                    zone.central_meridian(),
                    0.0,
                    1.0,
                    zone.false_easting(),
                    0.0,
                ),
            })
        }
        32601..=32660 | 32701..=32760 => Crs::TransverseMercator(TmCrs {
            epsg: Some(code),
            datum: Datum::Wgs84,
            tm: utm(code % 100, code > 32700),
        }),
        _ => {
            return Err(format!(
                "EPSG:{code} is not one carecircle knows by number; known are 4326 (WGS-84), \
                 4490 (CGCS2000), 4491–4554 (CGCS2000 Gauss-Krüger), 3857 (Web Mercator) and \
                 326xx/327xx (WGS-84 UTM); any other system can be given as a PROJ string \
                 (\"+proj=… +units=m\")"
            ))
        }
    };
    Ok(crs)
}

/// The EPSG name of a code carecircle knows.
pub fn name(code: u32) -> Option<String> {
    match code {
        4326 => Some("WGS 84".into()),
        4490 | 4480 => Some("China Geodetic Coordinate System 2000".into()),
        3857 | 900913 | 3785 | 102100 => Some("WGS 84 / Pseudo-Mercator".into()),
        4491..=4554 => GkZone::of_cgcs2000_code(code).map(|z| z.epsg_name("CGCS2000")),
        32601..=32660 => Some(format!("WGS 84 / UTM zone {}N", code - 32600)),
        32701..=32760 => Some(format!("WGS 84 / UTM zone {}S", code - 32700)),
        _ => None,
    }
}
