//! WKT: reading the coordinate system of a `.prj` (ESRI WKT1 as ArcGIS writes it, OGC WKT1 as
//! GDAL/QGIS write it) or of a GeoPackage's `gpkg_spatial_ref_sys` (WKT1 or WKT2), and writing
//! ESRI WKT1 for the Shapefile writer.
//!
//! A text is recognised by its parameters (datum ellipsoid, projection method, central
//! meridian, false easting and northing, scale factor, latitude of origin, units), not by its
//! name: a hand-edited or renamed `.prj` is read correctly, and one whose name and parameters
//! disagree is read by its parameters.

use super::datum::Datum;
use super::epsg::GkZone;
use super::projstr::tm_crs_hinted;
use super::tmerc::{Ellipsoid, TransverseMercator};
use super::{Crs, TmCrs};

#[derive(Debug, Clone)]
enum Value {
    Str(String),
    Num(f64),
    Word,
    Node(Node),
}

#[derive(Debug, Clone)]
struct Node {
    /// The keyword, upper-cased.
    key: String,
    args: Vec<Value>,
}

impl Node {
    fn name(&self) -> &str {
        match self.args.first() {
            Some(Value::Str(s)) => s,
            _ => "",
        }
    }

    fn num(&self, i: usize) -> Option<f64> {
        let mut n = 0;
        for a in &self.args {
            if let Value::Num(v) = a {
                if n == i {
                    return Some(*v);
                }
                n += 1;
            }
        }
        None
    }

    fn children(&self) -> impl Iterator<Item = &Node> {
        self.args.iter().filter_map(|a| match a {
            Value::Node(n) => Some(n),
            _ => None,
        })
    }

    fn child(&self, keys: &[&str]) -> Option<&Node> {
        self.children().find(|n| keys.contains(&n.key.as_str()))
    }

    /// The EPSG code of an AUTHORITY["EPSG","4527"] (WKT1) or ID["EPSG",4527] (WKT2) child.
    fn epsg(&self) -> Option<u32> {
        let id = self.child(&["AUTHORITY", "ID"])?;
        if !id.name().eq_ignore_ascii_case("epsg") {
            return None;
        }
        match id.args.get(1)? {
            Value::Num(v) => Some(*v as u32),
            Value::Str(s) => s.trim().parse().ok(),
            _ => None,
        }
    }
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn skip_ws(&mut self) {
        while self.i < self.s.len() && self.s[self.i].is_ascii_whitespace() {
            self.i += 1;
        }
    }

    fn err(&self, what: &str) -> String {
        format!("not a WKT text: {what} at character {}", self.i + 1)
    }

    fn word(&mut self) -> String {
        let start = self.i;
        while self.i < self.s.len()
            && (self.s[self.i].is_ascii_alphanumeric() || self.s[self.i] == b'_')
        {
            self.i += 1;
        }
        String::from_utf8_lossy(&self.s[start..self.i]).into_owned()
    }

    fn node(&mut self, depth: usize) -> Result<Node, String> {
        if depth > 32 {
            return Err(self.err("nesting too deep"));
        }
        self.skip_ws();
        let key = self.word();
        if key.is_empty() {
            return Err(self.err("expected a keyword"));
        }
        self.skip_ws();
        let close = match self.s.get(self.i) {
            Some(b'[') => b']',
            Some(b'(') => b')',
            _ => return Err(self.err(&format!("expected [ after {key}"))),
        };
        self.i += 1;
        let mut args = Vec::new();
        loop {
            self.skip_ws();
            match self.s.get(self.i) {
                None => return Err(self.err("unclosed bracket")),
                Some(&c) if c == close => {
                    self.i += 1;
                    break;
                }
                Some(b',') => {
                    self.i += 1;
                    continue;
                }
                Some(b'"') => {
                    self.i += 1;
                    let mut bytes = Vec::new();
                    loop {
                        match self.s.get(self.i) {
                            None => return Err(self.err("unclosed string")),
                            Some(b'"') if self.s.get(self.i + 1) == Some(&b'"') => {
                                bytes.push(b'"');
                                self.i += 2;
                            }
                            Some(b'"') => {
                                self.i += 1;
                                break;
                            }
                            Some(&c) => {
                                bytes.push(c);
                                self.i += 1;
                            }
                        }
                    }
                    args.push(Value::Str(String::from_utf8_lossy(&bytes).into_owned()));
                }
                Some(c) if c.is_ascii_digit() || *c == b'-' || *c == b'+' || *c == b'.' => {
                    let start = self.i;
                    while self.i < self.s.len()
                        && matches!(
                            self.s[self.i],
                            b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E'
                        )
                    {
                        self.i += 1;
                    }
                    let t = String::from_utf8_lossy(&self.s[start..self.i]).into_owned();
                    let v: f64 = t
                        .parse()
                        .map_err(|_| self.err(&format!("bad number {t}")))?;
                    args.push(Value::Num(v));
                }
                Some(c) if c.is_ascii_alphabetic() => {
                    let save = self.i;
                    let w = self.word();
                    self.skip_ws();
                    if matches!(self.s.get(self.i), Some(b'[') | Some(b'(')) {
                        self.i = save;
                        args.push(Value::Node(self.node(depth + 1)?));
                    } else {
                        let _ = w;
                        args.push(Value::Word);
                    }
                }
                Some(_) => return Err(self.err("unexpected character")),
            }
        }
        Ok(Node {
            key: key.to_ascii_uppercase(),
            args,
        })
    }
}

fn parse(text: &str) -> Result<Node, String> {
    let t = text.trim_start_matches('\u{feff}');
    let mut p = Parser {
        s: t.as_bytes(),
        i: 0,
    };
    // Trailing text (ArcGIS spatial-reference strings append ";-5123200 …;IsHighPrecision")
    // is ignored.
    p.node(0)
}

/// Lower-case letters and digits only: "False_Easting", "false easting" → "falseeasting".
fn normal(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

const GEOGRAPHIC: &[&str] = &[
    "GEOGCS",
    "GEOGCRS",
    "GEODCRS",
    "GEOGRAPHICCRS",
    "GEODETICCRS",
    "BASEGEOGCRS",
    "BASEGEODCRS",
];
const PROJECTED: &[&str] = &["PROJCS", "PROJCRS", "PROJECTEDCRS"];

/// The coordinate system of a WKT text.
pub fn recognise(text: &str) -> Result<Crs, String> {
    let mut root = parse(text)?;
    if root.key == "COMPD_CS" || root.key == "COMPOUNDCRS" {
        // A compound system: the horizontal part is what counts.
        let horizontal = root
            .children()
            .find(|n| PROJECTED.contains(&n.key.as_str()) || GEOGRAPHIC.contains(&n.key.as_str()))
            .cloned()
            .ok_or("the compound WKT has no horizontal coordinate system")?;
        root = horizontal;
    }
    let from_parameters = if PROJECTED.contains(&root.key.as_str()) {
        projected(&root)
    } else if GEOGRAPHIC.contains(&root.key.as_str()) {
        geographic(&root).map(|d| match d {
            Datum::Wgs84 => Crs::Wgs84,
            Datum::Cgcs2000 => Crs::Cgcs2000,
            d => Crs::Geographic(d),
        })
    } else {
        Err(format!(
            "{} is not a coordinate system WKT carecircle reads (PROJCS or GEOGCS)",
            root.key
        ))
    };
    let authority = root.epsg();
    match (from_parameters, authority) {
        // The parameters decide; a matching EPSG code names the result (4509 and 4548 are
        // the same projection, and only the code tells which one the file meant).
        (Ok(crs), Some(code)) => match Crs::from_epsg(code) {
            Ok(named) if named.same_as(&crs) => Ok(named),
            _ => Ok(crs),
        },
        (Ok(crs), None) => Ok(crs),
        // A stub that names only its code (PROJCS["…",AUTHORITY["EPSG","4548"]]): the code.
        // Parameters that are there but refused stay refused.
        (Err(e), Some(code))
            if root
                .children()
                .all(|n| n.key == "AUTHORITY" || n.key == "ID") =>
        {
            Crs::from_epsg(code).map_err(|e2| format!("{e}; and {e2}"))
        }
        (Err(e), Some(_)) => Err(e),
        (Err(e), None) => Err(e),
    }
}

/// The datum of a geographic WKT node, by its ellipsoid.
fn geographic(g: &Node) -> Result<Datum, String> {
    let datum = g
        .child(&["DATUM", "GEODETICDATUM", "TRF"])
        .or_else(|| g.child(&["ENSEMBLE"]))
        .ok_or_else(|| format!("the geographic system \"{}\" has no DATUM", g.name()))?;
    let sph = datum
        .child(&["SPHEROID", "ELLIPSOID"])
        .ok_or_else(|| format!("the datum \"{}\" has no SPHEROID", datum.name()))?;
    let a = sph.num(0).ok_or("the SPHEROID has no semi-major axis")?;
    let inv_f = sph.num(1).ok_or("the SPHEROID has no inverse flattening")?;
    if let Some(pm) = g.child(&["PRIMEM", "PRIMEMERIDIAN"]) {
        if pm.num(0).unwrap_or(0.0) != 0.0 {
            return Err(format!("prime meridian \"{}\" is not Greenwich", pm.name()));
        }
    }
    if let Some(u) = g.child(&["UNIT", "ANGLEUNIT"]) {
        if let Some(f) = u.num(0) {
            if (f - std::f64::consts::PI / 180.0).abs() > 1e-12 {
                return Err(format!("angular unit \"{}\" is not degrees", u.name()));
            }
        }
    }
    if inv_f == 0.0 {
        return Err(format!(
            "the datum \"{}\" is on a sphere, which only Web Mercator uses",
            datum.name()
        ));
    }
    let e = Ellipsoid::from_a_inv_f(a, inv_f);
    if e.same_as(&Ellipsoid::GRS80) {
        return Ok(Datum::Cgcs2000);
    }
    if e.same_as(&Ellipsoid::WGS84) {
        return Ok(Datum::Wgs84);
    }
    let which = if e.same_as(&Ellipsoid::IAG75) {
        "Xi'an 1980".to_string()
    } else if e.same_as(&Ellipsoid::KRASSOWSKY) {
        "Beijing 1954".to_string()
    } else {
        format!("\"{}\" (ellipsoid a = {a}, 1/f = {inv_f})", datum.name())
    };
    Err(format!(
        "the datum is {which}, which a .prj cannot shift to WGS-84 accurately; name the layer's \
         crs in the scenario as a PROJ string with your bureau's +towgs84= seven parameters"
    ))
}

/// Parameters of a projected WKT: WKT1 PARAMETER children of PROJCS, WKT2 those of CONVERSION.
fn parameters(p: &Node) -> Vec<(String, f64)> {
    let holder = p.child(&["CONVERSION"]).unwrap_or(p);
    holder
        .children()
        .filter(|n| n.key == "PARAMETER")
        .filter_map(|n| n.num(0).map(|v| (normal(n.name()), v)))
        .collect()
}

fn projected(p: &Node) -> Result<Crs, String> {
    let name = p.name().to_string();
    let geog = p
        .children()
        .find(|n| GEOGRAPHIC.contains(&n.key.as_str()))
        .ok_or_else(|| format!("the projected system \"{name}\" has no GEOGCS"))?;
    let method = match p.child(&["PROJECTION"]) {
        Some(n) => n.name().to_string(),
        None => p
            .child(&["CONVERSION"])
            .and_then(|c| c.child(&["METHOD", "PROJECTION"]))
            .map(|m| m.name().to_string())
            .ok_or_else(|| format!("the projected system \"{name}\" has no PROJECTION"))?,
    };
    // Linear unit: WKT1 UNIT at the end, WKT2 LENGTHUNIT at the end or inside AXIS/CS.
    let axes = p
        .children()
        .filter(|n| n.key == "AXIS")
        .flat_map(|a| a.children());
    for u in p
        .children()
        .chain(axes)
        .filter(|n| n.key == "UNIT" || n.key == "LENGTHUNIT")
    {
        if u.num(0) != Some(1.0) {
            return Err(format!(
                "\"{name}\" is in {} (factor {}); carecircle needs metres",
                u.name(),
                u.num(0).unwrap_or(f64::NAN)
            ));
        }
    }
    let params = parameters(p);
    let get = |names: &[&str]| {
        params
            .iter()
            .find(|(k, _)| names.contains(&k.as_str()))
            .map(|(_, v)| *v)
    };
    let fe = get(&["falseeasting", "eastingatfalseorigin"]).unwrap_or(0.0);
    let fnorth = get(&["falsenorthing", "northingatfalseorigin"]).unwrap_or(0.0);
    match normal(&method).as_str() {
        "gausskruger" | "transversemercator" | "gaussboaga" => {
            let datum = geographic(geog)?;
            let lon0 = get(&[
                "centralmeridian",
                "longitudeofnaturalorigin",
                "longitudeoforigin",
                "longitudeofcenter",
            ])
            .ok_or_else(|| format!("\"{name}\" has no Central_Meridian"))?;
            let k0 = get(&["scalefactor", "scalefactoratnaturalorigin"]).unwrap_or(1.0);
            let lat0 = get(&["latitudeoforigin", "latitudeofnaturalorigin"]).unwrap_or(0.0);
            if k0 <= 0.0 || lat0.abs() >= 90.0 || lon0.abs() > 180.0 {
                return Err(format!("\"{name}\" has parameters out of range"));
            }
            let lower = name.to_ascii_lowercase();
            let mentions_gk = lower.contains("gk") || lower.contains("gauss");
            let three = lower.contains("3_degree")
                || lower.contains("3-degree")
                || lower.contains("3 degree");
            let tm = TransverseMercator::new(datum.ellipsoid(), lon0, lat0, k0, fe, fnorth);
            Ok(tm_crs_hinted(datum, tm, mentions_gk && !three))
        }
        "mercatorauxiliarysphere"
        | "popularvisualisationpseudomercator"
        | "mercator1sp"
        | "mercator" => {
            let sphere = geog
                .child(&["DATUM"])
                .and_then(|d| d.child(&["SPHEROID", "ELLIPSOID"]))
                .map(|s| s.num(1) == Some(0.0) && s.num(0) == Some(6_378_137.0))
                .unwrap_or(false);
            let pseudo =
                normal(&method) != "mercator1sp" && normal(&method) != "mercator" || sphere;
            let lon0 = get(&["centralmeridian", "longitudeofnaturalorigin"]).unwrap_or(0.0);
            if pseudo && fe == 0.0 && fnorth == 0.0 && lon0 == 0.0 {
                Ok(Crs::WebMercator)
            } else {
                Err(format!("\"{name}\": {method} with these parameters is not supported; give a PROJ string"))
            }
        }
        _ => Err(format!(
            "\"{name}\" uses the projection {method}, which carecircle does not read from a .prj; \
             give the layer's crs as a PROJ string"
        )),
    }
}

const ESRI_DEGREE: &str = r#"PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]"#;

fn esri_geogcs(datum: &Datum) -> (String, &'static str) {
    let (gcs, d, sph, short) = match datum {
        Datum::Wgs84 => ("GCS_WGS_1984", "D_WGS_1984", "WGS_1984", "WGS_1984"),
        Datum::Cgcs2000 => (
            "GCS_China_Geodetic_Coordinate_System_2000",
            "D_China_2000",
            "CGCS2000",
            "CGCS2000",
        ),
        Datum::Shifted { ellipsoid, .. } if ellipsoid.same_as(&Ellipsoid::IAG75) => {
            ("GCS_Xian_1980", "D_Xian_1980", "Xian_1980", "Xian_1980")
        }
        Datum::Shifted { ellipsoid, .. } if ellipsoid.same_as(&Ellipsoid::KRASSOWSKY) => (
            "GCS_Beijing_1954",
            "D_Beijing_1954",
            "Krasovsky_1940",
            "Beijing_1954",
        ),
        Datum::Shifted { .. } => ("GCS_Custom", "D_Custom", "Custom", "Custom"),
    };
    let e = datum.ellipsoid();
    (
        format!(
            r#"GEOGCS["{gcs}",DATUM["{d}",SPHEROID["{sph}",{:?},{:?}]],{ESRI_DEGREE}]"#,
            e.a, e.inv_f
        ),
        short,
    )
}

/// ESRI WKT1 as ArcGIS writes it in a `.prj`. GCJ-02 and BD-09 have none (they are
/// obfuscations, not coordinate systems any GIS knows), nor do proj4rs-only PROJ strings. A
/// shifted datum is written without its `+towgs84` (ESRI WKT1 has no place for it).
pub fn to_esri(crs: &Crs) -> Result<String, String> {
    match crs {
        Crs::Wgs84 | Crs::Cgcs2000 => {
            let d = if *crs == Crs::Wgs84 {
                Datum::Wgs84
            } else {
                Datum::Cgcs2000
            };
            Ok(esri_geogcs(&d).0)
        }
        Crs::Geographic(d) => Ok(esri_geogcs(d).0),
        Crs::Gcj02 | Crs::Bd09 => Err(format!(
            "{} has no .prj: no GIS knows it as a coordinate system; write the output in \
             EPSG:4490, wgs84 or a projected system",
            crs.describe()
        )),
        Crs::WebMercator => Ok(format!(
            r#"PROJCS["WGS_1984_Web_Mercator_Auxiliary_Sphere",{},PROJECTION["Mercator_Auxiliary_Sphere"],PARAMETER["False_Easting",0.0],PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",0.0],PARAMETER["Standard_Parallel_1",0.0],PARAMETER["Auxiliary_Sphere_Type",0.0],UNIT["Meter",1.0]]"#,
            esri_geogcs(&Datum::Wgs84).0
        )),
        Crs::TransverseMercator(t) => Ok(esri_tm(t)),
        Crs::Proj(p) => Err(format!(
            "PROJ string \"{}\" has no ESRI WKT here; write the output in an EPSG system",
            p.definition()
        )),
    }
}

fn esri_tm(t: &TmCrs) -> String {
    let (geogcs, short) = esri_geogcs(&t.datum);
    let tm = &t.tm;
    let chinese = !matches!(t.datum, Datum::Wgs84);
    let zone = if chinese {
        GkZone::of_parameters(
            tm.lon0,
            tm.k0,
            tm.lat0,
            tm.false_easting,
            tm.false_northing,
            false,
        )
        .map(|z| match t.epsg.and_then(GkZone::of_cgcs2000_code) {
            Some(by_code) => by_code,
            None => z,
        })
    } else {
        None
    };
    let (name, method) = match (zone, super::epsg::utm_code(&t.datum, tm)) {
        (Some(z), _) => (z.esri_name(short), "Gauss_Kruger"),
        (None, Some(code)) if code > 32700 => (
            format!("WGS_1984_UTM_Zone_{}S", code - 32700),
            "Transverse_Mercator",
        ),
        (None, Some(code)) => (
            format!("WGS_1984_UTM_Zone_{}N", code - 32600),
            "Transverse_Mercator",
        ),
        (None, None) => (
            format!("{short}_Transverse_Mercator"),
            if chinese && tm.k0 == 1.0 {
                "Gauss_Kruger"
            } else {
                "Transverse_Mercator"
            },
        ),
    };
    format!(
        r#"PROJCS["{name}",{geogcs},PROJECTION["{method}"],PARAMETER["False_Easting",{:?}],PARAMETER["False_Northing",{:?}],PARAMETER["Central_Meridian",{:?}],PARAMETER["Scale_Factor",{:?}],PARAMETER["Latitude_Of_Origin",{:?}],UNIT["Meter",1.0]]"#,
        tm.false_easting, tm.false_northing, tm.lon0, tm.k0, tm.lat0
    )
}
