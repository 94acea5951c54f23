//! PROJ strings: transverse Mercator, UTM, lon/lat and Web Mercator ones become native
//! [`Crs`] values (so the Krüger series and the exact seven-parameter shift apply); every
//! other projection goes to proj4rs.

use std::collections::BTreeMap;

use super::datum::Datum;
use super::epsg::{self, GkZone};
use super::tmerc::{Ellipsoid, TransverseMercator};
use super::{Crs, ProjCrs, TmCrs};

/// Keys the native path understands; a string with any other key goes to proj4rs whole.
const NATIVE_KEYS: &[&str] = &[
    "proj", "lat_0", "lon_0", "k", "k_0", "x_0", "y_0", "ellps", "datum", "a", "b", "rf", "f",
    "towgs84", "units", "to_meter", "zone", "south", "no_defs", "wktext", "type", "approx",
    "nadgrids", "lat_ts", "axis", "title",
];

fn ellipsoid_named(name: &str) -> Option<Ellipsoid> {
    match name.to_ascii_lowercase().as_str() {
        "wgs84" => Some(Ellipsoid::WGS84),
        "grs80" => Some(Ellipsoid::GRS80),
        "krass" => Some(Ellipsoid::KRASSOWSKY),
        "iau76" => Some(Ellipsoid::IAG75),
        _ => None,
    }
}

fn number(params: &BTreeMap<String, Option<String>>, key: &str) -> Result<Option<f64>, String> {
    match params.get(key) {
        None => Ok(None),
        Some(None) => Err(format!("+{key} needs a value")),
        Some(Some(v)) => {
            let n: f64 = v
                .parse()
                .map_err(|_| format!("+{key}={v} is not a number"))?;
            if n.is_finite() {
                Ok(Some(n))
            } else {
                Err(format!("+{key}={v} is not a finite number"))
            }
        }
    }
}

/// The `+towgs84=` and ellipsoid parameters of a datum, as PROJ writes them.
pub(crate) fn datum_params(d: &Datum) -> String {
    match d {
        Datum::Wgs84 => "+datum=WGS84".into(),
        Datum::Cgcs2000 => "+ellps=GRS80".into(),
        Datum::Shifted { ellipsoid, towgs84 } => {
            let t: Vec<String> = towgs84.iter().map(|v| v.to_string()).collect();
            format!(
                "+a={} +rf={} +towgs84={}",
                ellipsoid.a,
                ellipsoid.inv_f,
                t.join(",")
            )
        }
    }
}

pub(crate) fn parse(s: &str) -> Result<Crs, String> {
    let text = s.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut params: BTreeMap<String, Option<String>> = BTreeMap::new();
    for token in text.split(' ') {
        let token = token.strip_prefix('+').unwrap_or(token);
        if token.is_empty() {
            continue;
        }
        let (k, v) = match token.split_once('=') {
            Some((k, v)) => (k.to_string(), Some(v.to_string())),
            None => (token.to_string(), None),
        };
        if k == "init" {
            return Err(format!(
                "PROJ string \"{text}\": +init= files are not supported; give the parameters or EPSG:NNNN"
            ));
        }
        params.insert(k, v);
    }
    let proj = match params.get("proj") {
        Some(Some(p)) => p.to_ascii_lowercase(),
        _ => return Err(format!("PROJ string \"{text}\" has no +proj=")),
    };
    let fail = |e: String| format!("PROJ string \"{text}\": {e}");

    let datum = datum(&params).map_err(fail)?;
    let native = params.keys().all(|k| NATIVE_KEYS.contains(&k.as_str()));
    let sphere = params.contains_key("a")
        && number(&params, "a").map_err(fail)? == number(&params, "b").map_err(fail)?;
    if !native
        || (sphere && proj != "merc" && proj != "webmerc")
        || !matches!(
            proj.as_str(),
            "tmerc"
                | "etmerc"
                | "utm"
                | "longlat"
                | "latlong"
                | "lonlat"
                | "latlon"
                | "merc"
                | "webmerc"
        )
    {
        return ProjCrs::intern(&text).map(Crs::Proj);
    }
    if let Some(Some(axis)) = params.get("axis") {
        if axis != "enu" {
            return Err(fail(format!(
                "+axis={axis} is not supported; give coordinates as easting, northing"
            )));
        }
    }
    if proj != "longlat" && proj != "latlong" && proj != "lonlat" && proj != "latlon" {
        if let Some(Some(u)) = params.get("units") {
            if u != "m" {
                return Err(fail(format!(
                    "+units={u} is not supported; carecircle needs metres"
                )));
            }
        }
        if let Some(t) = number(&params, "to_meter").map_err(fail)? {
            if t != 1.0 {
                return Err(fail(format!(
                    "+to_meter={t} is not supported; carecircle needs metres"
                )));
            }
        }
    }

    match proj.as_str() {
        "longlat" | "latlong" | "lonlat" | "latlon" => Ok(match datum {
            Datum::Wgs84 => Crs::Wgs84,
            Datum::Cgcs2000 => Crs::Cgcs2000,
            d => Crs::Geographic(d),
        }),
        "merc" | "webmerc" => {
            let sphere = number(&params, "a").map_err(fail)? == Some(6_378_137.0)
                && number(&params, "b").map_err(fail)? == Some(6_378_137.0);
            let zero = |k: &str| number(&params, k).map(|v| v.unwrap_or(0.0) == 0.0);
            let origin = zero("lon_0").map_err(fail)?
                && zero("x_0").map_err(fail)?
                && zero("y_0").map_err(fail)?
                && zero("lat_ts").map_err(fail)?
                && number(&params, "k").map_err(fail)?.unwrap_or(1.0) == 1.0;
            if proj == "webmerc" || (sphere && origin) {
                Ok(Crs::WebMercator)
            } else {
                ProjCrs::intern(&text).map(Crs::Proj)
            }
        }
        "utm" => {
            let zone = match params.get("zone") {
                Some(Some(z)) => z.parse::<u32>().ok().filter(|z| (1..=60).contains(z)),
                _ => None,
            }
            .ok_or_else(|| fail("+proj=utm needs +zone=1…60".into()))?;
            let south = params.contains_key("south");
            let base = epsg::utm(zone, south);
            let tm = TransverseMercator::new(
                datum.ellipsoid(),
                base.lon0,
                0.0,
                0.9996,
                500_000.0,
                base.false_northing,
            );
            Ok(tm_crs(datum, tm))
        }
        _ => {
            let n = |k: &str| number(&params, k).map_err(fail);
            let k0 = match n("k")? {
                Some(k) => k,
                None => n("k_0")?.unwrap_or(1.0),
            };
            if k0 <= 0.0 {
                return Err(fail(format!("+k={k0} must be positive")));
            }
            let lat0 = n("lat_0")?.unwrap_or(0.0);
            let lon0 = n("lon_0")?.unwrap_or(0.0);
            if lat0.abs() >= 90.0 || lon0.abs() > 180.0 {
                return Err(fail("+lat_0/+lon_0 out of range".into()));
            }
            let tm = TransverseMercator::new(
                datum.ellipsoid(),
                lon0,
                lat0,
                k0,
                n("x_0")?.unwrap_or(0.0),
                n("y_0")?.unwrap_or(0.0),
            );
            Ok(tm_crs(datum, tm))
        }
    }
}

/// A native transverse Mercator, labelled with its EPSG code when its parameters are one's.
pub(crate) fn tm_crs(datum: Datum, tm: TransverseMercator) -> Crs {
    tm_crs_hinted(datum, tm, false)
}

pub(crate) fn tm_crs_hinted(datum: Datum, tm: TransverseMercator, six_degree: bool) -> Crs {
    let code = match datum {
        Datum::Cgcs2000 => GkZone::of_parameters(
            tm.lon0,
            tm.k0,
            tm.lat0,
            tm.false_easting,
            tm.false_northing,
            six_degree,
        )
        .map(|z| z.cgcs2000_code()),
        Datum::Wgs84 => epsg::utm_code(&datum, &tm),
        Datum::Shifted { .. } => None,
    };
    Crs::TransverseMercator(TmCrs {
        epsg: code,
        datum,
        tm,
    })
}

/// The datum of a PROJ string. Ellipsoids other than WGS-84/GRS 80 need `+towgs84=`: without
/// it PROJ silently applies no shift, which for Xi'an 1980 or Beijing 1954 is 50–150 m off.
fn datum(params: &BTreeMap<String, Option<String>>) -> Result<Datum, String> {
    let num = |k: &str| number(params, k);
    let mut ellipsoid = None;
    let mut towgs84: Option<[f64; 7]> = None;
    if let Some(d) = params.get("datum") {
        match d.as_deref().map(|s| s.to_ascii_lowercase()).as_deref() {
            Some("wgs84") => {
                ellipsoid = Some(Ellipsoid::WGS84);
                towgs84 = Some([0.0; 7]);
            }
            Some("nad83") => ellipsoid = Some(Ellipsoid::GRS80),
            other => {
                return Err(format!(
                    "+datum={} is not supported; give +ellps= (or +a= +rf=) and +towgs84=",
                    other.unwrap_or("")
                ))
            }
        }
    }
    if let Some(e) = params.get("ellps") {
        let name = e.as_deref().unwrap_or("");
        ellipsoid = Some(ellipsoid_named(name).ok_or_else(|| {
            format!("+ellps={name} is not supported; use WGS84, GRS80, krass, IAU76 or +a= with +rf= (or +b=)")
        })?);
    }
    if let Some(a) = num("a")? {
        let e = if let Some(rf) = num("rf")? {
            Ellipsoid::from_a_inv_f(a, rf)
        } else if let Some(b) = num("b")? {
            if b == a {
                // A sphere: only Web Mercator uses one, and it is recognised before this.
                Ellipsoid {
                    a,
                    inv_f: f64::INFINITY,
                }
            } else {
                Ellipsoid::from_a_b(a, b)
            }
        } else if let Some(f) = num("f")? {
            Ellipsoid::from_a_inv_f(a, 1.0 / f)
        } else {
            return Err("+a= needs +rf=, +b= or +f=".into());
        };
        ellipsoid = Some(e);
    }
    if let Some(t) = params.get("towgs84") {
        let values: Result<Vec<f64>, _> = t
            .as_deref()
            .unwrap_or("")
            .split(',')
            .map(|v| v.trim().parse::<f64>())
            .collect();
        let values = values.map_err(|_| "+towgs84= needs 3 or 7 numbers".to_string())?;
        if !(values.len() == 3 || values.len() == 7) || values.iter().any(|v| !v.is_finite()) {
            return Err("+towgs84= needs 3 or 7 numbers".into());
        }
        let mut full = [0.0; 7];
        full[..values.len()].copy_from_slice(&values);
        towgs84 = Some(full);
    }
    if let Some(Some(grids)) = params.get("nadgrids") {
        if grids != "@null" {
            return Err(format!(
                "+nadgrids={grids} is not supported (no grid files); give +towgs84="
            ));
        }
    }
    let ellipsoid = ellipsoid.unwrap_or(Ellipsoid::GRS80);
    let no_shift = towgs84.is_none_or(|t| t.iter().all(|v| *v == 0.0));
    if no_shift && ellipsoid.same_as(&Ellipsoid::WGS84) {
        return Ok(Datum::Wgs84);
    }
    if no_shift && ellipsoid.same_as(&Ellipsoid::GRS80) {
        return Ok(Datum::Cgcs2000);
    }
    if ellipsoid.inv_f.is_infinite() {
        // Spheres are only meaningful for Web Mercator; hand the string to proj4rs as is.
        return Ok(Datum::Wgs84);
    }
    match towgs84 {
        Some(t) if !no_shift => Ok(Datum::Shifted {
            ellipsoid,
            towgs84: t,
        }),
        _ => {
            let which = if ellipsoid.same_as(&Ellipsoid::IAG75) {
                "the Xi'an 1980 ellipsoid (IAG 1975)"
            } else if ellipsoid.same_as(&Ellipsoid::KRASSOWSKY) {
                "the Beijing 1954 ellipsoid (Krassowsky 1940)"
            } else {
                "an ellipsoid other than WGS-84/GRS 80"
            };
            Err(format!(
                "it is on {which} but has no +towgs84=; add your bureau's seven parameters to \
                 WGS-84 (+towgs84=dx,dy,dz,rx,ry,rz,ds), since without them the positions \
                 would be off by tens to hundreds of metres"
            ))
        }
    }
}
