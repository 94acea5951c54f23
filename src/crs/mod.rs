//! Coordinate systems: what an input layer's coordinates are in, how they become WGS-84
//! lon/lat (and back, for outputs), a local metric plane for computation, and the checks that
//! a layer's coordinates fit the system it claims.
//!
//! - Geographic lon/lat: WGS-84 (EPSG:4326) and CGCS2000 (EPSG:4490), treated as the same
//!   (they differ by centimetres).
//! - The obfuscated web-map systems GCJ-02 (AMap/Gaode, Tencent) and BD-09 (Baidu), with exact
//!   iterative inverses ([`china`]).
//! - Projected: CGCS2000 Gauss-Krüger in 3- and 6-degree zones with and without the zone
//!   prefix (EPSG:4491–4554), WGS-84 UTM (326xx/327xx) and Web Mercator (EPSG:3857), by
//!   Krüger's n-series ([`tmerc`]).
//! - Any PROJ string: transverse Mercator, UTM and lon/lat ones natively (so that
//!   `+towgs84=` datums such as Xi'an 1980 and Beijing 1954 are shifted by our exact seven
//!   parameter code), every other projection through the proj4rs crate.
//!
//! [`Crs`] is a small `Copy` value so readers can hold it by value; the few PROJ strings that
//! go to proj4rs are interned once per process (see [`ProjCrs`]).

pub mod china;
pub mod datum;
pub mod epsg;
pub mod fit;
pub mod local;
mod projstr;
pub mod tmerc;
pub mod wkt;

use std::fmt;
use std::str::FromStr;
use std::sync::{Mutex, OnceLock};

use geo::Coord;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

pub use china::{
    bd09_to_gcj02, bd09_to_wgs84, gcj02_to_bd09, gcj02_to_wgs84, wgs84_to_bd09, wgs84_to_gcj02,
};
pub use datum::Datum;
pub use epsg::GkZone;
pub use fit::guess_crs;
pub use local::{metres_per_degree, segment_length_m, LocalPlane};
pub use tmerc::{Ellipsoid, TransverseMercator};

/// The coordinate system of a layer (input or output).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
// A transverse Mercator holds its precomputed series (about 280 bytes); boxing it would cost
// `Copy`, which every reader relies on. There is one Crs per layer, so the size is immaterial.
#[allow(clippy::large_enum_variant)]
pub enum Crs {
    /// WGS-84 longitude/latitude (EPSG:4326), what GPS and OpenStreetMap use.
    #[default]
    Wgs84,
    /// China Geodetic Coordinate System 2000 longitude/latitude (EPSG:4490). Its ellipsoid
    /// and frame differ from WGS-84 by centimetres, so it is treated as WGS-84.
    Cgcs2000,
    /// The obfuscated "Mars" coordinates of Chinese web maps (Gaode/AMap, Tencent).
    Gcj02,
    /// Baidu's coordinates: GCJ-02 with a further offset.
    Bd09,
    /// WGS 84 / Pseudo-Mercator (EPSG:3857), web map tiles' metres.
    WebMercator,
    /// A transverse Mercator grid: CGCS2000 Gauss-Krüger, WGS-84 UTM, or one from a PROJ
    /// string (with its datum).
    TransverseMercator(TmCrs),
    /// Longitude/latitude on a datum other than WGS-84/CGCS2000, from a PROJ string with
    /// `+towgs84=` (Xi'an 1980, Beijing 1954).
    Geographic(Datum),
    /// Any other PROJ string, projected by proj4rs.
    Proj(ProjCrs),
}

// Every f64 inside a Crs is finite (parsing refuses the rest), so equality is reflexive.
impl Eq for Crs {}

/// A transverse Mercator coordinate system: the projection, its datum and, when it is one,
/// its EPSG code.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TmCrs {
    pub epsg: Option<u32>,
    pub datum: Datum,
    pub tm: TransverseMercator,
}

impl TmCrs {
    /// The Gauss-Krüger zone of a CGCS2000 grid (for messages and .prj names).
    pub fn gk_zone(&self) -> Option<GkZone> {
        if let Some(code) = self.epsg {
            if let Some(z) = GkZone::of_cgcs2000_code(code) {
                return Some(z);
            }
        }
        let t = &self.tm;
        GkZone::of_parameters(
            t.lon0,
            t.k0,
            t.lat0,
            t.false_easting,
            t.false_northing,
            false,
        )
    }
}

/// A PROJ string handed to proj4rs, interned: each distinct string is parsed once and kept for
/// the life of the process, which keeps [`Crs`] `Copy` (a program sees a handful of them).
#[derive(Clone, Copy)]
pub struct ProjCrs(&'static ProjDef);

pub struct ProjDef {
    definition: String,
    proj: proj4rs::Proj,
}

impl ProjCrs {
    pub fn definition(&self) -> &'static str {
        &self.0.definition
    }

    pub fn is_geographic(&self) -> bool {
        self.0.proj.is_latlong()
    }

    fn intern(definition: &str) -> Result<ProjCrs, String> {
        static DEFS: OnceLock<Mutex<Vec<&'static ProjDef>>> = OnceLock::new();
        let defs = DEFS.get_or_init(|| Mutex::new(Vec::new()));
        let mut defs = defs.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(d) = defs.iter().find(|d| d.definition == definition) {
            return Ok(ProjCrs(d));
        }
        let proj = proj4rs::Proj::from_proj_string(definition)
            .map_err(|e| format!("PROJ string \"{definition}\" is not usable: {e}"))?;
        let def: &'static ProjDef = Box::leak(Box::new(ProjDef {
            definition: definition.to_string(),
            proj,
        }));
        defs.push(def);
        Ok(ProjCrs(def))
    }

    fn wgs84() -> &'static proj4rs::Proj {
        static WGS84: OnceLock<proj4rs::Proj> = OnceLock::new();
        WGS84.get_or_init(|| {
            proj4rs::Proj::from_proj_string("+proj=longlat +datum=WGS84 +no_defs")
                .expect("the WGS-84 PROJ string is valid")
        })
    }

    fn unproject(self, c: Coord<f64>) -> Result<Coord<f64>, String> {
        let src = &self.0.proj;
        let mut p = if src.is_latlong() {
            (c.x.to_radians(), c.y.to_radians(), 0.0)
        } else {
            (c.x, c.y, 0.0)
        };
        proj4rs::transform::transform(src, Self::wgs84(), &mut p)
            .map_err(|e| format!("({}, {}) cannot be transformed: {e}", c.x, c.y))?;
        Ok(Coord {
            x: p.0.to_degrees(),
            y: p.1.to_degrees(),
        })
    }

    fn project(self, c: Coord<f64>) -> Result<Coord<f64>, String> {
        let dst = &self.0.proj;
        let mut p = (c.x.to_radians(), c.y.to_radians(), 0.0);
        proj4rs::transform::transform(Self::wgs84(), dst, &mut p)
            .map_err(|e| format!("({}, {}) cannot be transformed: {e}", c.x, c.y))?;
        Ok(if dst.is_latlong() {
            Coord {
                x: p.0.to_degrees(),
                y: p.1.to_degrees(),
            }
        } else {
            Coord { x: p.0, y: p.1 }
        })
    }
}

impl PartialEq for ProjCrs {
    fn eq(&self, other: &ProjCrs) -> bool {
        self.0.definition == other.0.definition
    }
}

impl fmt::Debug for ProjCrs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ProjCrs({:?})", self.0.definition)
    }
}

const WEB_MERCATOR_RADIUS: f64 = 6_378_137.0;

impl Crs {
    /// Parses a scenario's `crs` value: `wgs84`, `cgcs2000`, `gcj02`, `bd09`, `EPSG:NNNN`, a
    /// PROJ string (`+proj=tmerc …`) or a WKT text (as a .prj holds).
    pub fn parse(s: &str) -> Result<Crs, String> {
        let t = s.trim();
        let lower = t.to_ascii_lowercase();
        match lower.as_str() {
            "wgs84" | "wgs-84" | "wgs 84" => return Ok(Crs::Wgs84),
            "cgcs2000" | "cgcs-2000" | "cgcs 2000" => return Ok(Crs::Cgcs2000),
            "gcj02" | "gcj-02" => return Ok(Crs::Gcj02),
            "bd09" | "bd-09" | "bd09ll" => return Ok(Crs::Bd09),
            "" => {
                return Err(
                    "an empty crs; use wgs84, cgcs2000, gcj02, bd09, EPSG:NNNN or a PROJ string"
                        .into(),
                )
            }
            _ => {}
        }
        let code = lower
            .strip_prefix("epsg:")
            .or_else(|| lower.strip_prefix("urn:ogc:def:crs:epsg::"));
        if let Some(code) = code {
            let n: u32 = code
                .trim()
                .parse()
                .map_err(|_| format!("\"{t}\" is not an EPSG code (EPSG:NNNN)"))?;
            return Crs::from_epsg(n);
        }
        if t.starts_with('+') || lower.contains("+proj=") {
            return Crs::from_proj_string(t);
        }
        let head = lower.split('[').next().unwrap_or("").trim();
        if matches!(
            head,
            "projcs" | "geogcs" | "projcrs" | "geogcrs" | "geodcrs" | "compd_cs" | "compoundcrs"
        ) {
            return Crs::from_prj(t);
        }
        Err(format!(
            "\"{t}\" is not a coordinate system carecircle knows; use wgs84, cgcs2000, gcj02, \
             bd09, an EPSG code (EPSG:4490, EPSG:4527, EPSG:32650, …) or a PROJ string \
             (\"+proj=tmerc +lat_0=0 +lon_0=117 +k=1 +x_0=500000 +y_0=0 +ellps=GRS80 +units=m\")"
        ))
    }

    /// The coordinate system of an EPSG code (see [`epsg`] for the list). Xi'an 1980 and
    /// Beijing 1954 codes are refused with a message asking for a PROJ string with the
    /// bureau's `+towgs84`.
    pub fn from_epsg(code: u32) -> Result<Crs, String> {
        epsg::from_code(code)
    }

    /// A PROJ string (`+proj=… +key=value …`).
    pub fn from_proj_string(s: &str) -> Result<Crs, String> {
        projstr::parse(s)
    }

    /// A `.prj` (ESRI WKT1), OGC WKT1 or WKT2 text, recognised by its parameters (projection,
    /// central meridian, false easting, scale, datum), not by name.
    pub fn from_prj(wkt: &str) -> Result<Crs, String> {
        wkt::recognise(wkt)
    }

    /// A GeoPackage `gpkg_spatial_ref_sys` row: the organisation's code when it is EPSG and
    /// known, else the definition text. srs_id 0 and -1 are GeoPackage's "undefined
    /// geographic" and "undefined Cartesian".
    pub fn from_gpkg(
        organization: &str,
        organization_coordsys_id: i64,
        definition: &str,
    ) -> Result<Crs, String> {
        if organization.eq_ignore_ascii_case("epsg") && organization_coordsys_id > 0 {
            if let Ok(code) = u32::try_from(organization_coordsys_id) {
                match Crs::from_epsg(code) {
                    Ok(crs) => return Ok(crs),
                    // Refusals (old datums) stand; unknown codes fall back to the definition.
                    Err(e) if epsg::is_refused(code) => return Err(e),
                    Err(_) => {}
                }
            }
        }
        let def = definition.trim();
        if def.is_empty() || def.eq_ignore_ascii_case("undefined") {
            return match organization_coordsys_id {
                0 => Ok(Crs::Wgs84),
                -1 => Err("the GeoPackage layer has an undefined Cartesian coordinate system (srs_id -1); name its crs in the scenario".into()),
                _ => Err(format!("the GeoPackage coordinate system {organization}:{organization_coordsys_id} has no definition")),
            };
        }
        wkt::recognise(def).map_err(|e| format!("{organization}:{organization_coordsys_id}: {e}"))
    }

    /// The EPSG code, when the system has one.
    pub fn epsg(&self) -> Option<u32> {
        match self {
            Crs::Wgs84 => Some(4326),
            Crs::Cgcs2000 => Some(4490),
            Crs::WebMercator => Some(3857),
            Crs::TransverseMercator(t) => t.epsg,
            Crs::Gcj02 | Crs::Bd09 | Crs::Geographic(_) | Crs::Proj(_) => None,
        }
    }

    /// Whether coordinates are longitude/latitude degrees (else projected metres).
    pub fn is_geographic(&self) -> bool {
        match self {
            Crs::Wgs84 | Crs::Cgcs2000 | Crs::Gcj02 | Crs::Bd09 | Crs::Geographic(_) => true,
            Crs::WebMercator | Crs::TransverseMercator(_) => false,
            Crs::Proj(p) => p.is_geographic(),
        }
    }

    /// Whether two systems transform every coordinate the same way (an EPSG code and the
    /// equivalent PROJ string or .prj; a 6-degree and a 3-degree "CM 117E" grid).
    pub fn same_as(&self, other: &Crs) -> bool {
        let geographic_wgs = |c: &Crs| matches!(c, Crs::Wgs84 | Crs::Cgcs2000);
        match (self, other) {
            (a, b) if geographic_wgs(a) && geographic_wgs(b) => true,
            (Crs::TransverseMercator(a), Crs::TransverseMercator(b)) => {
                let same_datum = match (a.datum, b.datum) {
                    (Datum::Wgs84 | Datum::Cgcs2000, Datum::Wgs84 | Datum::Cgcs2000) => {
                        a.tm.ellipsoid.same_as(&b.tm.ellipsoid)
                    }
                    (x, y) => x == y,
                };
                same_datum
                    && a.tm.lon0 == b.tm.lon0
                    && a.tm.lat0 == b.tm.lat0
                    && a.tm.k0 == b.tm.k0
                    && a.tm.false_easting == b.tm.false_easting
                    && a.tm.false_northing == b.tm.false_northing
            }
            (a, b) => a == b,
        }
    }

    /// Converts one coordinate of this system to WGS-84 lon/lat. Returns NaN coordinates for a
    /// point the system cannot transform (only possible for proj4rs-projected PROJ strings);
    /// readers that must name such a point use [`Crs::try_to_wgs84`].
    pub fn to_wgs84(&self, c: Coord<f64>) -> Coord<f64> {
        self.try_to_wgs84(c).unwrap_or(Coord {
            x: f64::NAN,
            y: f64::NAN,
        })
    }

    /// Converts one coordinate of this system to WGS-84 lon/lat, or says why it cannot.
    pub fn try_to_wgs84(&self, c: Coord<f64>) -> Result<Coord<f64>, String> {
        let out = match self {
            Crs::Wgs84 | Crs::Cgcs2000 => c,
            Crs::Gcj02 => gcj02_to_wgs84(c),
            Crs::Bd09 => bd09_to_wgs84(c),
            Crs::WebMercator => Coord {
                x: (c.x / WEB_MERCATOR_RADIUS).to_degrees(),
                y: (c.y / WEB_MERCATOR_RADIUS).sinh().atan().to_degrees(),
            },
            Crs::TransverseMercator(t) => {
                let (lon, lat) = t.tm.inverse(c.x, c.y);
                let (lon, lat) = t.datum.to_wgs84(lon, lat);
                Coord { x: lon, y: lat }
            }
            Crs::Geographic(d) => {
                let (lon, lat) = d.to_wgs84(c.x, c.y);
                Coord { x: lon, y: lat }
            }
            Crs::Proj(p) => p.unproject(c)?,
        };
        if out.x.is_finite() && out.y.is_finite() {
            Ok(out)
        } else {
            Err(format!(
                "({}, {}) cannot be transformed from {}",
                c.x, c.y, self
            ))
        }
    }

    /// Converts one WGS-84 lon/lat coordinate into this system (for outputs). NaN coordinates
    /// where it cannot (see [`Crs::try_from_wgs84`]).
    pub fn from_wgs84(&self, c: Coord<f64>) -> Coord<f64> {
        self.try_from_wgs84(c).unwrap_or(Coord {
            x: f64::NAN,
            y: f64::NAN,
        })
    }

    /// Converts one WGS-84 lon/lat coordinate into this system, or says why it cannot.
    pub fn try_from_wgs84(&self, c: Coord<f64>) -> Result<Coord<f64>, String> {
        let out = match self {
            Crs::Wgs84 | Crs::Cgcs2000 => c,
            Crs::Gcj02 => wgs84_to_gcj02(c),
            Crs::Bd09 => wgs84_to_bd09(c),
            Crs::WebMercator => {
                if c.y.abs() > 85.06 {
                    return Err(format!("latitude {} is beyond Web Mercator's ±85.06°", c.y));
                }
                Coord {
                    x: WEB_MERCATOR_RADIUS * c.x.to_radians(),
                    y: WEB_MERCATOR_RADIUS * c.y.to_radians().tan().asinh(),
                }
            }
            Crs::TransverseMercator(t) => {
                let (lon, lat) = t.datum.from_wgs84(c.x, c.y);
                let (x, y) = t.tm.forward(lon, lat);
                Coord { x, y }
            }
            Crs::Geographic(d) => {
                let (lon, lat) = d.from_wgs84(c.x, c.y);
                Coord { x: lon, y: lat }
            }
            Crs::Proj(p) => p.project(c)?,
        };
        if out.x.is_finite() && out.y.is_finite() {
            Ok(out)
        } else {
            Err(format!(
                "({}, {}) cannot be transformed into {}",
                c.x, c.y, self
            ))
        }
    }

    /// The equivalent PROJ string (none for GCJ-02 and BD-09, which PROJ does not know).
    pub fn to_proj_string(&self) -> Option<String> {
        match self {
            Crs::Wgs84 => Some("+proj=longlat +datum=WGS84 +no_defs".into()),
            Crs::Cgcs2000 => Some("+proj=longlat +ellps=GRS80 +no_defs".into()),
            Crs::Gcj02 | Crs::Bd09 => None,
            Crs::WebMercator => Some(
                "+proj=merc +a=6378137 +b=6378137 +lat_ts=0 +lon_0=0 +x_0=0 +y_0=0 +k=1 +units=m +nadgrids=@null +no_defs".into(),
            ),
            Crs::TransverseMercator(t) => Some(format!(
                "+proj=tmerc +lat_0={} +lon_0={} +k={} +x_0={} +y_0={} {} +units=m +no_defs",
                t.tm.lat0,
                t.tm.lon0,
                t.tm.k0,
                t.tm.false_easting,
                t.tm.false_northing,
                projstr::datum_params(&t.datum)
            )),
            Crs::Geographic(d) => Some(format!("+proj=longlat {} +no_defs", projstr::datum_params(d))),
            Crs::Proj(p) => Some(p.definition().to_string()),
        }
    }

    /// A description for messages: the code or name and what it is, e.g.
    /// "EPSG:4527 (CGCS2000 / 3-degree Gauss-Kruger zone 39)".
    pub fn describe(&self) -> String {
        match self {
            Crs::Wgs84 => "wgs84 (WGS-84 longitude/latitude, EPSG:4326)".into(),
            Crs::Cgcs2000 => "cgcs2000 (CGCS2000 longitude/latitude, EPSG:4490)".into(),
            Crs::Gcj02 => "gcj02 (GCJ-02 longitude/latitude of AMap/Gaode and Tencent)".into(),
            Crs::Bd09 => "bd09 (BD-09 longitude/latitude of Baidu)".into(),
            Crs::WebMercator => "EPSG:3857 (WGS 84 / Pseudo-Mercator)".into(),
            Crs::TransverseMercator(t) => match t.epsg.and_then(epsg::name) {
                Some(name) => format!("EPSG:{} ({name})", t.epsg.unwrap_or_default()),
                None => format!(
                    "transverse Mercator on {} (central meridian {}°, false easting {} m, scale {})",
                    t.datum.name(),
                    t.tm.lon0,
                    t.tm.false_easting,
                    t.tm.k0
                ),
            },
            Crs::Geographic(d) => format!("{} longitude/latitude", d.name()),
            Crs::Proj(p) => format!("PROJ \"{}\"", p.definition()),
        }
    }

    /// ESRI WKT1 as ArcGIS writes it in a `.prj` (see [`wkt::to_esri`]).
    pub fn to_prj_wkt(&self) -> Result<String, String> {
        wkt::to_esri(self)
    }

    /// Checks that sample coordinates of a layer can be in this system; the error says what
    /// they look like instead (see [`fit`]).
    pub fn check_fits(&self, sample: &[(f64, f64)]) -> Result<(), String> {
        fit::check_fits(self, sample)
    }
}

/// The form `parse` reads back: `wgs84`, `EPSG:4527`, or the PROJ string.
impl fmt::Display for Crs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Crs::Wgs84 => f.write_str("wgs84"),
            Crs::Cgcs2000 => f.write_str("cgcs2000"),
            Crs::Gcj02 => f.write_str("gcj02"),
            Crs::Bd09 => f.write_str("bd09"),
            _ => match self.epsg() {
                Some(code) => write!(f, "EPSG:{code}"),
                None => f.write_str(&self.to_proj_string().unwrap_or_default()),
            },
        }
    }
}

impl FromStr for Crs {
    type Err = String;
    fn from_str(s: &str) -> Result<Crs, String> {
        Crs::parse(s)
    }
}

impl Serialize for Crs {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for Crs {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Crs, D::Error> {
        let s = String::deserialize(d)?;
        Crs::parse(&s).map_err(serde::de::Error::custom)
    }
}
