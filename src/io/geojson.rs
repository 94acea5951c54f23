//! GeoJSON layers: read, map fields, validate, convert to WGS-84, return model types.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use geo::{Centroid, Coord, Geometry, InteriorPoint, MapCoords, MultiPolygon, Point};
use geojson::{Feature, GeoJson, Value};
use serde_json::Map;

use super::scenario::LayerSpec;
use super::validate;
use crate::crs::Crs;
use crate::error::{InputError, Problem, Warnings};
use crate::model::{
    Candidate, Community, Facility, FacilityKind, OneWay, PopulationCell, RoadLine,
};

/// The features of a GeoJSON file (a FeatureCollection or a single Feature).
pub fn read_features(path: &Path) -> Result<Vec<Feature>, InputError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| InputError::file(path, Problem::Unreadable(e.to_string())))?;
    parse_features(&text, path)
}

/// Parses GeoJSON text; `path` names the file in errors.
pub fn parse_features(text: &str, path: &Path) -> Result<Vec<Feature>, InputError> {
    // A UTF-8 byte-order mark is common in files saved on Windows.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| InputError::file(path, json_problem(text, &e)))?;
    let gj = GeoJson::from_json_value(value)
        .map_err(|e| InputError::file(path, Problem::NotJson(e.to_string())))?;
    match gj {
        GeoJson::FeatureCollection(fc) => Ok(fc.features),
        GeoJson::Feature(f) => Ok(vec![f]),
        GeoJson::Geometry(_) => Err(InputError::file(
            path,
            Problem::NotJson("a bare geometry; expected a FeatureCollection".into()),
        )),
    }
}

/// Python's json module writes NaN and Infinity, which JSON does not allow: say so plainly.
fn json_problem(text: &str, e: &serde_json::Error) -> Problem {
    let at = text
        .lines()
        .nth(e.line().saturating_sub(1))
        .and_then(|l| l.get(e.column().saturating_sub(1)..))
        .unwrap_or("");
    let bad = ["NaN", "-NaN", "Infinity", "-Infinity"]
        .into_iter()
        .find(|w| at.starts_with(w));
    match bad {
        Some(w) => Problem::BadCoordinate(format!(
            "{w} at line {} column {} is not a number (JSON has no NaN or Infinity); \
             remove or fix that feature",
            e.line(),
            e.column()
        )),
        None => Problem::NotJson(e.to_string()),
    }
}

/// One feature being read, for errors that name it.
struct Ctx<'a> {
    path: &'a Path,
    index: usize,
    id: Option<String>,
}

impl Ctx<'_> {
    fn err(&self, problem: Problem) -> InputError {
        InputError::feature(self.path, self.index, self.id.as_deref(), problem)
    }
}

fn properties(f: &Feature) -> Map<String, serde_json::Value> {
    f.properties.clone().unwrap_or_default()
}

/// A property as text: strings as they are, numbers printed.
fn text_of(v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::String(s) => Some(s.trim().to_string()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        serde_json::Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn get_text(
    ctx: &Ctx,
    props: &Map<String, serde_json::Value>,
    field: &str,
) -> Result<String, InputError> {
    match props.get(field) {
        Some(v) => text_of(v)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| ctx.err(Problem::MissingField(field.to_string()))),
        None => Err(ctx.err(Problem::MissingField(field.to_string()))),
    }
}

/// A required non-negative number (a JSON number or a numeric string).
fn get_number(
    ctx: &Ctx,
    props: &Map<String, serde_json::Value>,
    field: &str,
) -> Result<f64, InputError> {
    get_optional_number(ctx, props, field)?
        .ok_or_else(|| ctx.err(Problem::MissingField(field.to_string())))
}

/// An optional non-negative number: `None` when absent or null or empty.
fn get_optional_number(
    ctx: &Ctx,
    props: &Map<String, serde_json::Value>,
    field: &str,
) -> Result<Option<f64>, InputError> {
    let v = match props.get(field) {
        None | Some(serde_json::Value::Null) => return Ok(None),
        Some(v) => v,
    };
    let n = match v {
        serde_json::Value::Number(n) => n.as_f64(),
        serde_json::Value::String(s) if s.trim().is_empty() => return Ok(None),
        serde_json::Value::String(s) => s.trim().parse::<f64>().ok(),
        _ => None,
    };
    match n {
        Some(n) if n.is_finite() && n >= 0.0 => Ok(Some(n)),
        Some(n) if n < 0.0 => Err(ctx.err(Problem::NegativeNumber {
            field: field.to_string(),
            value: n,
        })),
        _ => Err(ctx.err(Problem::BadNumber {
            field: field.to_string(),
            value: v.to_string(),
        })),
    }
}

fn geometry_name(v: &Value) -> &'static str {
    match v {
        Value::Point(_) => "Point",
        Value::MultiPoint(_) => "MultiPoint",
        Value::LineString(_) => "LineString",
        Value::MultiLineString(_) => "MultiLineString",
        Value::Polygon(_) => "Polygon",
        Value::MultiPolygon(_) => "MultiPolygon",
        Value::GeometryCollection(_) => "GeometryCollection",
    }
}

/// Checks every position: two finite numbers within lon/lat range. Projected coordinates
/// (metres) are told apart from plain garbage.
fn check_positions(ctx: &Ctx, v: &Value) -> Result<(), InputError> {
    fn walk(
        v: &Value,
        f: &mut dyn FnMut(&[f64]) -> Result<(), InputError>,
    ) -> Result<(), InputError> {
        match v {
            Value::Point(p) => f(p),
            Value::MultiPoint(ps) | Value::LineString(ps) => ps.iter().try_for_each(|p| f(p)),
            Value::MultiLineString(ls) | Value::Polygon(ls) => {
                ls.iter().flatten().try_for_each(|p| f(p))
            }
            Value::MultiPolygon(ps) => ps.iter().flatten().flatten().try_for_each(|p| f(p)),
            Value::GeometryCollection(gs) => gs.iter().try_for_each(|g| walk(&g.value, f)),
        }
    }
    walk(v, &mut |p: &[f64]| {
        if p.len() < 2 {
            return Err(ctx.err(Problem::BadCoordinate(format!(
                "a position has {} numbers, expected longitude and latitude",
                p.len()
            ))));
        }
        let (x, y) = (p[0], p[1]);
        if !x.is_finite() || !y.is_finite() {
            return Err(ctx.err(Problem::BadCoordinate(format!("({x}, {y}) is not finite"))));
        }
        if x.abs() > 180.0 || y.abs() > 90.0 {
            if x.abs() > 1000.0 || y.abs() > 1000.0 {
                return Err(ctx.err(Problem::ProjectedCoordinates { x, y }));
            }
            return Err(ctx.err(Problem::BadCoordinate(format!(
                "({x}, {y}) is outside longitude -180..180 / latitude -90..90"
            ))));
        }
        Ok(())
    })
}

/// The feature's geometry as WGS-84 geo types, after checking its positions.
fn geometry(ctx: &Ctx, f: &Feature, crs: Crs, expected: &str) -> Result<Geometry<f64>, InputError> {
    let g = f.geometry.as_ref().ok_or_else(|| {
        ctx.err(Problem::WrongGeometry {
            expected: expected.into(),
            found: "no geometry (null)".into(),
        })
    })?;
    check_positions(ctx, &g.value)?;
    let geo: Geometry<f64> = Geometry::try_from(g.value.clone()).map_err(|e| {
        ctx.err(Problem::WrongGeometry {
            expected: expected.into(),
            found: e.to_string(),
        })
    })?;
    Ok(geo.map_coords(|c| crs.to_wgs84(c)))
}

fn wrong(ctx: &Ctx, f: &Feature, expected: &str) -> InputError {
    ctx.err(Problem::WrongGeometry {
        expected: expected.into(),
        found: f
            .geometry
            .as_ref()
            .map(|g| geometry_name(&g.value))
            .unwrap_or("null")
            .into(),
    })
}

fn point_of(ctx: &Ctx, f: &Feature, crs: Crs) -> Result<Point<f64>, InputError> {
    match geometry(ctx, f, crs, "Point")? {
        Geometry::Point(p) => Ok(p),
        _ => Err(wrong(ctx, f, "Point")),
    }
}

pub use crate::io::validate::repair_polygons;

fn check_unique(path: &Path, ids: &[(usize, String)]) -> Result<(), InputError> {
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for (index, id) in ids {
        if let Some(first) = seen.insert(id.as_str(), *index) {
            return Err(InputError::feature(
                path,
                *index,
                Some(id),
                Problem::DuplicateId {
                    id: id.clone(),
                    first_index: first,
                },
            ));
        }
    }
    Ok(())
}

fn not_empty(path: &Path, features: &[Feature]) -> Result<(), InputError> {
    if features.is_empty() {
        Err(InputError::file(path, Problem::EmptyLayer))
    } else {
        Ok(())
    }
}

/// Every property not consumed by a mapped field, for later stages (rules).
fn extra(props: &Map<String, serde_json::Value>) -> BTreeMap<String, serde_json::Value> {
    props.iter().map(|(k, v)| (k.clone(), v.clone())).collect()
}

fn id_of(props: &Map<String, serde_json::Value>, f: &Feature, field: &str) -> Option<String> {
    props
        .get(field)
        .and_then(text_of)
        .filter(|s| !s.is_empty())
        .or_else(|| match &f.id {
            Some(geojson::feature::Id::String(s)) => Some(s.clone()),
            Some(geojson::feature::Id::Number(n)) => Some(n.to_string()),
            None => None,
        })
}

/// Reads a layer and builds one item per feature. With `require_id`, every feature must carry
/// an id (the mapped `id` property, or the GeoJSON feature id) and ids must be unique; the
/// `Ctx` handed to `build` then names the feature by it.
fn load_layer<T>(
    spec: &LayerSpec,
    require_id: bool,
    mut build: impl FnMut(&Ctx, &Feature, &Map<String, serde_json::Value>) -> Result<T, InputError>,
) -> Result<Vec<T>, InputError> {
    let path = spec.path.as_path();
    let features = read_features(path)?;
    not_empty(path, &features)?;
    let mut out = Vec::with_capacity(features.len());
    let mut ids = Vec::new();
    for (index, f) in features.iter().enumerate() {
        let props = properties(f);
        let ctx = Ctx {
            path,
            index,
            id: id_of(&props, f, spec.field("id")),
        };
        if require_id {
            let id = ctx
                .id
                .clone()
                .ok_or_else(|| ctx.err(Problem::MissingField(spec.field("id").to_string())))?;
            ids.push((index, id));
        }
        out.push(build(&ctx, f, &props)?);
    }
    if require_id {
        check_unique(path, &ids)?;
    }
    Ok(out)
}

impl Ctx<'_> {
    /// The feature's id; only called for layers loaded with `require_id`.
    fn id(&self) -> String {
        self.id.clone().unwrap_or_default()
    }
}

/// Loads the communities layer.
pub fn load_communities(
    spec: &LayerSpec,
    warnings: &mut Warnings,
) -> Result<Vec<Community>, InputError> {
    load_layer(spec, true, |ctx, f, props| {
        let name = get_text(ctx, props, spec.field("name"))?;
        let street = get_text(ctx, props, spec.field("street"))?;
        let population = get_number(ctx, props, spec.field("population"))?;
        let elderly = get_number(ctx, props, spec.field("elderly"))?;
        let households = match spec.mapped("households") {
            Some(field) => Some(get_number(ctx, props, field)?),
            None => get_optional_number(ctx, props, "households")?,
        };
        let expected = "Polygon, MultiPolygon or Point";
        validate::check_rings(&f.geometry).map_err(|p| ctx.err(p))?;
        let geom = match geometry(ctx, f, spec.crs, expected)? {
            Geometry::Point(p) => Geometry::Point(p),
            Geometry::Polygon(p) => polygonal(ctx, MultiPolygon::new(vec![p]), true, warnings)?,
            Geometry::MultiPolygon(mp) => polygonal(ctx, mp, false, warnings)?,
            _ => return Err(wrong(ctx, f, expected)),
        };
        let representative = geom
            .interior_point()
            .ok_or_else(|| ctx.err(Problem::Other("the polygon has no area".into())))?;
        Ok(Community {
            id: ctx.id(),
            name,
            street,
            geometry: geom,
            representative,
            population,
            elderly,
            households,
            extra: extra(props),
        })
    })
}

/// Validates a polygonal geometry and repairs it when invalid (see `validate::polygonal`).
fn polygonal(
    ctx: &Ctx,
    mp: MultiPolygon<f64>,
    single: bool,
    warnings: &mut Warnings,
) -> Result<Geometry<f64>, InputError> {
    let place = format!(
        "{}: {}",
        ctx.path.display(),
        crate::error::FeatureRef {
            index: ctx.index,
            id: ctx.id.clone()
        }
    );
    validate::polygonal(mp, single, &place, warnings).map_err(|p| ctx.err(p))
}

/// Loads the facilities layer.
pub fn load_facilities(spec: &LayerSpec) -> Result<Vec<Facility>, InputError> {
    load_layer(spec, true, |ctx, f, props| {
        let id = ctx.id();
        let name = match props.get(spec.field("name")).and_then(text_of) {
            Some(n) if !n.is_empty() => n,
            _ => id.clone(),
        };
        let kind_text = get_text(ctx, props, spec.field("kind"))?;
        let kind = spec
            .kinds
            .get(&kind_text)
            .copied()
            .or_else(|| FacilityKind::parse(&kind_text))
            .ok_or_else(|| {
                let mut accepted = FacilityKind::accepted_list();
                if !spec.kinds.is_empty() {
                    let mapped: Vec<&str> = spec.kinds.keys().map(String::as_str).collect();
                    accepted.push_str(&format!(", or as mapped: {}", mapped.join(", ")));
                }
                ctx.err(Problem::UnknownKind {
                    value: kind_text.clone(),
                    accepted,
                })
            })?;
        Ok(Facility {
            capacity: get_optional_number(ctx, props, spec.field("capacity"))?,
            floor_area_m2: get_optional_number(ctx, props, spec.field("floor_area"))?,
            location: point_of(ctx, f, spec.crs)?,
            id,
            name,
            kind,
            extra: extra(props),
        })
    })
}

/// Loads a population layer (points, or polygons taken at their centroid).
pub fn load_population(spec: &LayerSpec) -> Result<Vec<PopulationCell>, InputError> {
    load_layer(spec, false, |ctx, f, props| {
        let population = get_number(ctx, props, spec.field("population"))?;
        let elderly = get_number(ctx, props, spec.field("elderly"))?;
        let expected = "Point, Polygon or MultiPolygon";
        let location = match geometry(ctx, f, spec.crs, expected)? {
            Geometry::Point(p) => p,
            g @ (Geometry::Polygon(_) | Geometry::MultiPolygon(_)) => g
                .centroid()
                .ok_or_else(|| ctx.err(Problem::Other("the polygon has no area".into())))?,
            _ => return Err(wrong(ctx, f, expected)),
        };
        Ok(PopulationCell {
            location,
            population,
            elderly,
        })
    })
}

/// Loads a candidate-sites layer.
pub fn load_candidates(spec: &LayerSpec) -> Result<Vec<Candidate>, InputError> {
    load_layer(spec, true, |ctx, f, props| {
        Ok(Candidate {
            location: point_of(ctx, f, spec.crs)?,
            cost: get_optional_number(ctx, props, spec.field("cost"))?,
            capacity: get_optional_number(ctx, props, spec.field("capacity"))?,
            id: ctx.id(),
        })
    })
}

/// Road classes closed to people on foot.
fn closed_to_walking(class: &str) -> bool {
    matches!(class, "motorway" | "motorway_link" | "trunk" | "trunk_link")
}

/// Reads a one-way flag: yes/true/1/是 → with the drawing direction, -1/reverse → against it.
pub fn parse_oneway(v: Option<&serde_json::Value>) -> OneWay {
    let text = match v {
        Some(serde_json::Value::Bool(true)) => return OneWay::Forward,
        Some(v) => text_of(v).unwrap_or_default().to_lowercase(),
        None => return OneWay::No,
    };
    match text.as_str() {
        "yes" | "true" | "1" | "是" | "单行" | "y" | "t" => OneWay::Forward,
        "-1" | "reverse" | "反向" => OneWay::Backward,
        _ => OneWay::No,
    }
}

/// Loads a GeoJSON road layer (LineString / MultiLineString features).
pub fn load_roads(spec: &LayerSpec) -> Result<Vec<RoadLine>, InputError> {
    let class_field = spec.mapped("class").unwrap_or("highway");
    let oneway_field = spec.field("oneway");
    let per_feature = load_layer(spec, false, |ctx, f, props| {
        let class = props
            .get(class_field)
            .and_then(text_of)
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| "road".to_string());
        let oneway = parse_oneway(props.get(oneway_field));
        let no_walk = closed_to_walking(&class)
            || props.get("foot").and_then(text_of).as_deref() == Some("no");
        let expected = "LineString or MultiLineString";
        let lines: Vec<Vec<Coord<f64>>> = match geometry(ctx, f, spec.crs, expected)? {
            Geometry::LineString(l) => vec![l.0],
            Geometry::MultiLineString(ml) => ml.0.into_iter().map(|l| l.0).collect(),
            _ => return Err(wrong(ctx, f, expected)),
        };
        Ok(lines
            .into_iter()
            .map(|coords| RoadLine {
                coords,
                class: class.clone(),
                oneway,
                no_walk,
            })
            .collect::<Vec<_>>())
    })?;
    Ok(per_feature.into_iter().flatten().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oneway_values() {
        use serde_json::json;
        assert_eq!(parse_oneway(Some(&json!("是"))), OneWay::Forward);
        assert_eq!(parse_oneway(Some(&json!(1))), OneWay::Forward);
        assert_eq!(parse_oneway(Some(&json!(true))), OneWay::Forward);
        assert_eq!(parse_oneway(Some(&json!("-1"))), OneWay::Backward);
        assert_eq!(parse_oneway(Some(&json!("否"))), OneWay::No);
        assert_eq!(parse_oneway(None), OneWay::No);
    }
}
