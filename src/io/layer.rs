//! Mapping and validating features into model types. This layer knows no file format: it asks
//! `io::read_layer` for [`RawFeature`]s with the fields the scenario maps, then checks ids,
//! numbers, kinds and geometry, and converts coordinates to WGS-84. Every bad feature of a layer
//! is reported in one run (the first [`SHOWN_ERRORS`], then a count).

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use geo::{Centroid, Coord, Geometry, InteriorPoint, MapCoords, MultiPolygon, Point};

use super::features::ReadRequest;
use super::features::{DeclaredCrs, FeatureSink, FieldRequest, FieldValue, LayerInfo, RawFeature};
use super::geojson::polygonal;
use super::scenario::{LayerSpec, OtherKinds};
use crate::crs::Crs;
use crate::error::{InputError, Problem, WarningKind, Warnings};
use crate::model::{
    Candidate, Community, Facility, FacilityKind, OneWay, Parcel, PopulationCell, RoadLine,
};

/// How many bad features of one layer are listed before the rest are only counted.
pub const SHOWN_ERRORS: usize = 20;

/// One feature being mapped, for errors that name it.
pub(crate) struct Ctx<'a> {
    pub path: &'a Path,
    pub index: usize,
    pub id: Option<String>,
}

impl Ctx<'_> {
    pub fn err(&self, problem: Problem) -> InputError {
        InputError::feature(self.path, self.index, self.id.as_deref(), problem)
    }

    /// The feature's id; only called for layers whose features must carry one.
    fn id(&self) -> String {
        self.id.clone().unwrap_or_default()
    }
}

/// The bad features of one layer.
struct Errors {
    shown: Vec<InputError>,
    more: usize,
}

impl Errors {
    fn push(&mut self, e: InputError) {
        if self.shown.len() < SHOWN_ERRORS {
            self.shown.push(e);
        } else {
            self.more += 1;
        }
    }

    fn into_result(mut self, path: &Path) -> Result<(), InputError> {
        match (self.shown.len(), self.more) {
            (0, _) => Ok(()),
            (1, 0) => Err(self.shown.remove(0)),
            _ => Err(InputError::file(
                path,
                Problem::BadFeatures {
                    errors: self.shown,
                    more: self.more,
                },
            )),
        }
    }
}

/// The coordinate system a layer's coordinates are in: its own (`.prj`, GeoPackage, GeoJSON
/// `crs` member) when the scenario names none for it; the scenario's otherwise. Both given and
/// different is an error naming both.
pub fn resolve_crs(spec: &LayerSpec, declared: Option<&DeclaredCrs>) -> Result<Crs, InputError> {
    let Some(declared) = declared else {
        return Ok(spec.crs);
    };
    let own = crs_of_declared(declared).map_err(|e| InputError::file(&spec.path, e))?;
    if spec.crs_given && !own.same_as(&spec.crs) {
        return Err(InputError::file(
            &spec.path,
            Problem::CrsMismatch {
                layer: own.describe(),
                scenario: spec.crs.describe(),
            },
        ));
    }
    Ok(if spec.crs_given { spec.crs } else { own })
}

/// The CRS a file declares, as carecircle knows it (`crs` recognises `.prj` texts by their
/// parameters, EPSG codes and GeoPackage rows).
pub fn crs_of_declared(declared: &DeclaredCrs) -> Result<Crs, Problem> {
    let own = match declared {
        DeclaredCrs::Epsg(code) => Crs::from_epsg(*code),
        DeclaredCrs::Wkt(wkt) => Crs::from_prj(wkt),
        DeclaredCrs::Gpkg {
            organization,
            code,
            definition,
        } => Crs::from_gpkg(organization, *code, definition),
    };
    own.map_err(|e| {
        Problem::Other(format!(
            "the layer's own coordinate system cannot be used: {e}; give the layer's crs in \
             the scenario"
        ))
    })
}

/// A layer-level check that the coordinates fit the CRS (metres as degrees, a zone prefix
/// where the CRS has none, the wrong zone, swapped axes), on a sample of the first feature's
/// coordinates.
fn check_fit(crs: Crs, geometry: &Geometry<f64>) -> Result<(), Problem> {
    use geo::CoordsIter;
    // Lon/lat layers are checked per feature (each bad position named by index and id).
    if crs.is_geographic() {
        return Ok(());
    }
    let sample: Vec<(f64, f64)> = geometry
        .coords_iter()
        .take(64)
        .map(|c| (c.x, c.y))
        .collect();
    crs.check_fits(&sample).map_err(|detail| {
        if detail.contains("zone-prefix mismatch") {
            Problem::ZonePrefixMismatch {
                crs: crs.describe(),
                detail,
            }
        } else {
            Problem::BadCoordinate(detail)
        }
    })
}

/// Checks every coordinate of a geometry in `crs` and converts it to WGS-84.
fn to_wgs84(geometry: Geometry<f64>, crs: Crs) -> Result<Geometry<f64>, Problem> {
    let mut bad = None;
    let geographic = crs.is_geographic();
    let mut check = |c: Coord<f64>| {
        if bad.is_some() {
            return;
        }
        let (x, y) = (c.x, c.y);
        if !x.is_finite() || !y.is_finite() {
            bad = Some(Problem::BadCoordinate(format!("({x}, {y}) is not finite")));
        } else if geographic && (x.abs() > 180.0 || y.abs() > 90.0) {
            bad = Some(if x.abs() > 1000.0 || y.abs() > 1000.0 {
                Problem::ProjectedCoordinates { x, y }
            } else {
                Problem::BadCoordinate(format!(
                    "({x}, {y}) is outside longitude -180..180 / latitude -90..90"
                ))
            });
        }
    };
    use geo::CoordsIter;
    geometry.coords_iter().for_each(&mut check);
    if let Some(p) = bad {
        return Err(p);
    }
    if geographic && matches!(crs, Crs::Wgs84 | Crs::Cgcs2000) {
        return Ok(geometry);
    }
    geometry
        .try_map_coords(|c| {
            crs.try_to_wgs84(c)
                .map_err(|e| format!("({}, {}) cannot be converted: {e}", c.x, c.y))
        })
        .map_err(Problem::BadCoordinate)
}

fn geometry_name(g: &Geometry<f64>) -> &'static str {
    match g {
        Geometry::Point(_) => "Point",
        Geometry::MultiPoint(_) => "MultiPoint",
        Geometry::LineString(_) | Geometry::Line(_) => "LineString",
        Geometry::MultiLineString(_) => "MultiLineString",
        Geometry::Polygon(_) | Geometry::Rect(_) | Geometry::Triangle(_) => "Polygon",
        Geometry::MultiPolygon(_) => "MultiPolygon",
        Geometry::GeometryCollection(_) => "GeometryCollection",
    }
}

/// A feature's geometry in WGS-84, or the error naming it.
fn geometry(
    ctx: &Ctx,
    raw: &mut RawFeature,
    crs: Crs,
    expected: &str,
) -> Result<Geometry<f64>, InputError> {
    let taken = std::mem::replace(&mut raw.geometry, Ok(None));
    match taken {
        Err(problem) => Err(ctx.err(Problem::BadCoordinate(problem))),
        Ok(None) => Err(ctx.err(Problem::WrongGeometry {
            expected: expected.into(),
            found: "no geometry (null)".into(),
        })),
        Ok(Some(g)) => to_wgs84(g, crs).map_err(|p| ctx.err(p)),
    }
}

fn wrong(ctx: &Ctx, g: &Geometry<f64>, expected: &str) -> InputError {
    ctx.err(Problem::WrongGeometry {
        expected: expected.into(),
        found: geometry_name(g).into(),
    })
}

fn point_of(ctx: &Ctx, raw: &mut RawFeature, crs: Crs) -> Result<Point<f64>, InputError> {
    match geometry(ctx, raw, crs, "Point")? {
        Geometry::Point(p) => Ok(p),
        // A one-point MultiPoint is what many desktop tools write for points.
        Geometry::MultiPoint(mp) if mp.0.len() == 1 => Ok(mp.0[0]),
        g => Err(wrong(ctx, &g, "Point")),
    }
}

/// The values of one feature, by carecircle field name.
struct Values<'a> {
    request: &'a ReadRequest,
    fields: &'a [FieldValue],
}

impl Values<'_> {
    fn get(&self, name: &str) -> &FieldValue {
        self.request
            .position(name)
            .map(|i| &self.fields[i])
            .unwrap_or(&FieldValue::Absent)
    }

    fn text(&self, name: &str) -> Option<String> {
        self.get(name).text()
    }

    fn required_text(&self, ctx: &Ctx, name: &str) -> Result<String, InputError> {
        self.text(name)
            .ok_or_else(|| ctx.err(Problem::MissingField(name.to_string())))
    }

    fn number(&self, ctx: &Ctx, name: &str) -> Result<f64, InputError> {
        self.optional_number(ctx, name)?
            .ok_or_else(|| ctx.err(Problem::MissingField(name.to_string())))
    }

    /// A non-negative number: `None` when absent, null or empty.
    fn optional_number(&self, ctx: &Ctx, name: &str) -> Result<Option<f64>, InputError> {
        let v = self.get(name);
        let n = match v {
            FieldValue::Absent | FieldValue::Null => return Ok(None),
            FieldValue::Text(s) if s.trim().is_empty() => return Ok(None),
            FieldValue::Text(s) => s.trim().parse::<f64>().ok(),
            FieldValue::Number(n) => Some(*n),
            _ => None,
        };
        match n {
            Some(n) if n.is_finite() && n >= 0.0 => Ok(Some(n)),
            Some(n) if n < 0.0 => Err(ctx.err(Problem::NegativeNumber {
                field: name.to_string(),
                value: n,
            })),
            _ => Err(ctx.err(Problem::BadNumber {
                field: name.to_string(),
                value: v.shown(),
            })),
        }
    }

    /// Every requested and kept value, for rule checks.
    fn extra(&self, rest: Vec<(String, FieldValue)>) -> BTreeMap<String, serde_json::Value> {
        let mut out: BTreeMap<String, serde_json::Value> =
            rest.into_iter().map(|(k, v)| (k, v.to_json())).collect();
        for (f, v) in self.request.fields.iter().zip(self.fields) {
            if *v != FieldValue::Absent {
                out.insert(f.name.clone(), v.to_json());
            }
        }
        out
    }
}

/// Builds a request from (name in the file, required) pairs, without duplicates.
fn request(fields: &[(&str, bool)], keep_rest: bool) -> ReadRequest {
    let mut r = ReadRequest {
        fields: Vec::new(),
        keep_rest,
    };
    for (name, required) in fields {
        match r.position(name) {
            Some(i) => r.fields[i].required |= required,
            None => r.fields.push(FieldRequest {
                name: name.to_string(),
                required: *required,
            }),
        }
    }
    r
}

/// The sink that maps each feature as it arrives.
struct MapSink<'a, T, B> {
    spec: &'a LayerSpec,
    request: &'a ReadRequest,
    /// The file field holding the id, when features must carry one.
    id_field: Option<&'a str>,
    build: B,
    crs: Result<Crs, InputError>,
    began: bool,
    out: Vec<T>,
    ids: Vec<(usize, String)>,
    errors: Errors,
    count: usize,
    /// Whether the coordinates were checked against the CRS (on the first geometry).
    fit_checked: bool,
}

impl<T, B> FeatureSink for MapSink<'_, T, B>
where
    B: FnMut(&Ctx, Crs, &Values, RawFeature) -> Result<Option<T>, InputError>,
{
    fn begin(&mut self, info: &LayerInfo) {
        self.began = true;
        self.crs = resolve_crs(self.spec, info.declared_crs.as_ref());
    }

    fn feature(&mut self, mut f: RawFeature) {
        self.count += 1;
        let Ok(crs) = self.crs.as_ref().copied() else {
            return;
        };
        if !self.fit_checked {
            if let Ok(Some(g)) = &f.geometry {
                self.fit_checked = true;
                if let Err(problem) = check_fit(crs, g) {
                    self.crs = Err(InputError::file(&self.spec.path, problem));
                    return;
                }
            }
        }
        let fields = std::mem::take(&mut f.fields);
        let values = Values {
            request: self.request,
            fields: &fields,
        };
        let id = self
            .id_field
            .and_then(|name| values.text(name))
            .or_else(|| f.feature_id.clone());
        let ctx = Ctx {
            path: &self.spec.path,
            index: f.index,
            id,
        };
        if let Some(name) = self.id_field {
            match &ctx.id {
                Some(id) => self.ids.push((f.index, id.clone())),
                None => {
                    self.errors
                        .push(ctx.err(Problem::MissingField(name.to_string())));
                    return;
                }
            }
        }
        match (self.build)(&ctx, crs, &values, f) {
            Ok(Some(t)) => self.out.push(t),
            Ok(None) => {}
            Err(e) => self.errors.push(e),
        }
    }
}

/// Reads a layer in any format and maps every feature with `build` (which may skip one by
/// returning `None`). With `id_field`, every feature must carry an id (that field, or the
/// format's own feature id) and ids must be unique.
fn load_layer<T>(
    spec: &LayerSpec,
    request: &ReadRequest,
    id_field: Option<&str>,
    build: impl FnMut(&Ctx, Crs, &Values, RawFeature) -> Result<Option<T>, InputError>,
) -> Result<Vec<T>, InputError> {
    let path = spec.path.as_path();
    let mut sink = MapSink {
        spec,
        request,
        id_field,
        build,
        crs: Ok(spec.crs),
        began: false,
        out: Vec::new(),
        ids: Vec::new(),
        errors: Errors {
            shown: Vec::new(),
            more: 0,
        },
        count: 0,
        fit_checked: false,
    };
    let read = super::read_layer(spec, request, &mut sink);
    debug_assert!(sink.began || sink.count == 0 || read.is_err());
    // A CRS conflict is the first thing to fix, before any field of the layer.
    sink.crs?;
    read?;
    if sink.count == 0 {
        return Err(InputError::file(path, Problem::EmptyLayer));
    }
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for (index, id) in &sink.ids {
        if let Some(first) = seen.insert(id.as_str(), *index) {
            sink.errors.push(InputError::feature(
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
    sink.errors.into_result(path)?;
    Ok(sink.out)
}

/// Loads the communities layer. `keep` names further fields (as in the file) to keep in
/// `extra` for the rules, beside the mapped ones; no other property is copied.
pub fn load_communities(
    spec: &LayerSpec,
    keep: &[String],
    warnings: &mut Warnings,
) -> Result<Vec<Community>, InputError> {
    let households = spec.mapped("households");
    let mut wanted = vec![
        (spec.field("id"), false),
        (spec.field("name"), true),
        (spec.field("street"), true),
        (spec.field("population"), true),
        (spec.field("elderly"), true),
        (households.unwrap_or("households"), households.is_some()),
    ];
    wanted.extend(spec.fields.values().map(|v| (v.as_str(), false)));
    wanted.extend(keep.iter().map(|v| (v.as_str(), false)));
    let req = request(&wanted, false);
    let mut local = Warnings::default();
    let out = load_layer(spec, &req, Some(spec.field("id")), |ctx, crs, v, mut f| {
        let name = v.required_text(ctx, spec.field("name"))?;
        let street = v.required_text(ctx, spec.field("street"))?;
        let population = v.number(ctx, spec.field("population"))?;
        let elderly = v.number(ctx, spec.field("elderly"))?;
        let households = match households {
            Some(field) => Some(v.number(ctx, field)?),
            None => v.optional_number(ctx, "households")?,
        };
        let expected = "Polygon, MultiPolygon or Point";
        let geom = match geometry(ctx, &mut f, crs, expected)? {
            Geometry::Point(p) => Geometry::Point(p),
            Geometry::Polygon(p) => polygonal(ctx, MultiPolygon::new(vec![p]), true, &mut local)?,
            Geometry::MultiPolygon(mp) => polygonal(ctx, mp, false, &mut local)?,
            g => return Err(wrong(ctx, &g, expected)),
        };
        let representative = geom
            .interior_point()
            .ok_or_else(|| ctx.err(Problem::Other("the polygon has no area".into())))?;
        Ok(Some(Community {
            id: ctx.id(),
            name,
            street,
            geometry: geom,
            representative,
            population,
            elderly,
            households,
            extra: v.extra(std::mem::take(&mut f.rest)),
        }))
    });
    warnings.extend(local);
    out
}

/// Loads the facilities layer (`keep` as for [`load_communities`]). A type that no kind maps
/// to is an error, or skipped with one counted warning when the layer says
/// `other_kinds = "ignore"`.
pub fn load_facilities(
    spec: &LayerSpec,
    keep: &[String],
    warnings: &mut Warnings,
) -> Result<Vec<Facility>, InputError> {
    let mut wanted = vec![
        (spec.field("id"), false),
        (spec.field("name"), false),
        (spec.field("kind"), true),
        (spec.field("capacity"), false),
        (spec.field("floor_area"), false),
    ];
    wanted.extend(spec.fields.values().map(|v| (v.as_str(), false)));
    wanted.extend(keep.iter().map(|v| (v.as_str(), false)));
    let req = request(&wanted, false);
    let mut skipped: BTreeMap<String, usize> = BTreeMap::new();
    let out = load_layer(spec, &req, Some(spec.field("id")), |ctx, crs, v, mut f| {
        let id = ctx.id();
        let name = v.text(spec.field("name")).unwrap_or_else(|| id.clone());
        let kind_text = v.required_text(ctx, spec.field("kind"))?;
        let kind = match spec
            .kinds
            .get(&kind_text)
            .copied()
            .or_else(|| FacilityKind::parse(&kind_text))
        {
            Some(k) => k,
            None if spec.other_kinds == OtherKinds::Ignore => {
                *skipped.entry(kind_text).or_default() += 1;
                return Ok(None);
            }
            None => {
                let mut accepted = FacilityKind::accepted_list();
                if !spec.kinds.is_empty() {
                    let mapped: Vec<&str> = spec.kinds.keys().map(String::as_str).collect();
                    accepted.push_str(&format!(", or as mapped: {}", mapped.join(", ")));
                }
                return Err(ctx.err(Problem::UnknownKind {
                    value: kind_text,
                    accepted,
                }));
            }
        };
        Ok(Some(Facility {
            capacity: v.optional_number(ctx, spec.field("capacity"))?,
            floor_area_m2: v.optional_number(ctx, spec.field("floor_area"))?,
            location: point_of(ctx, &mut f, crs)?,
            id,
            name,
            kind,
            extra: v.extra(std::mem::take(&mut f.rest)),
        }))
    })?;
    if !skipped.is_empty() {
        let total: usize = skipped.values().sum();
        let list: Vec<String> = skipped.iter().map(|(k, n)| format!("{k} ({n})")).collect();
        warnings.push(
            WarningKind::Other,
            format!(
                "{}: skipped {total} facilities whose type no kind maps to \
                 (other_kinds = \"ignore\"): {}",
                spec.path.display(),
                list.join(", ")
            ),
        );
    }
    Ok(out)
}

/// Loads a population layer (points, or polygons taken at their centroid).
pub fn load_population(spec: &LayerSpec) -> Result<Vec<PopulationCell>, InputError> {
    let req = request(
        &[
            (spec.field("population"), true),
            (spec.field("elderly"), true),
        ],
        false,
    );
    load_layer(spec, &req, None, |ctx, crs, v, mut f| {
        let population = v.number(ctx, spec.field("population"))?;
        let elderly = v.number(ctx, spec.field("elderly"))?;
        let expected = "Point, Polygon or MultiPolygon";
        let location = match geometry(ctx, &mut f, crs, expected)? {
            Geometry::Point(p) => p,
            g @ (Geometry::Polygon(_) | Geometry::MultiPolygon(_)) => g
                .centroid()
                .ok_or_else(|| ctx.err(Problem::Other("the polygon has no area".into())))?,
            g => return Err(wrong(ctx, &g, expected)),
        };
        Ok(Some(PopulationCell {
            location,
            population,
            elderly,
        }))
    })
}

/// Loads a candidate-sites layer: points, or parcels (Polygon, MultiPolygon) taken at their
/// interior point, with their area in m² unless an `area` field gives the floor area.
pub fn load_candidates(spec: &LayerSpec) -> Result<Vec<Candidate>, InputError> {
    use geo::Area;
    let req = request(
        &[
            (spec.field("id"), false),
            (spec.field("cost"), false),
            (spec.field("capacity"), false),
            (spec.field("area"), false),
        ],
        false,
    );
    load_layer(spec, &req, Some(spec.field("id")), |ctx, crs, v, mut f| {
        let expected = "Point, Polygon or MultiPolygon";
        let (location, own_area) = match geometry(ctx, &mut f, crs, expected)? {
            Geometry::Point(p) => (p, None),
            // A one-point MultiPoint is what many desktop tools write for points.
            Geometry::MultiPoint(mp) if mp.0.len() == 1 => (mp.0[0], None),
            g @ (Geometry::Polygon(_) | Geometry::MultiPolygon(_)) => {
                let p = g
                    .interior_point()
                    .ok_or_else(|| ctx.err(Problem::Other("the polygon has no area".into())))?;
                // Square metres on a plane around the parcel.
                let plane = crate::crs::LocalPlane::new(p.x(), p.y());
                let area = g.map_coords(|c| plane.project(c)).unsigned_area();
                (p, Some(area))
            }
            g => return Err(wrong(ctx, &g, expected)),
        };
        Ok(Some(Candidate {
            location,
            cost: v.optional_number(ctx, spec.field("cost"))?,
            capacity: v.optional_number(ctx, spec.field("capacity"))?,
            area_m2: v.optional_number(ctx, spec.field("area"))?.or(own_area),
            id: ctx.id(),
        }))
    })
}

/// Loads a residential-parcels layer (Polygon or MultiPolygon): id, name, planned households
/// and floor area, and the fields the scenario maps or the rules read (`keep`, as in the file),
/// such as the elderly-service room area.
pub fn load_parcels(
    spec: &LayerSpec,
    keep: &[String],
    warnings: &mut Warnings,
) -> Result<Vec<Parcel>, InputError> {
    let mut wanted = vec![
        (spec.field("id"), false),
        (spec.field("name"), false),
        (spec.field("households"), false),
        (spec.field("floor_area"), false),
    ];
    wanted.extend(spec.fields.values().map(|v| (v.as_str(), false)));
    wanted.extend(keep.iter().map(|v| (v.as_str(), false)));
    let req = request(&wanted, false);
    let mut local = Warnings::default();
    let out = load_layer(spec, &req, Some(spec.field("id")), |ctx, crs, v, mut f| {
        let id = ctx.id();
        let expected = "Polygon or MultiPolygon";
        let geometry = match geometry(ctx, &mut f, crs, expected)? {
            Geometry::Polygon(p) => polygonal(ctx, MultiPolygon::new(vec![p]), true, &mut local)?,
            Geometry::MultiPolygon(mp) => polygonal(ctx, mp, false, &mut local)?,
            g => return Err(wrong(ctx, &g, expected)),
        };
        let representative = geometry
            .interior_point()
            .ok_or_else(|| ctx.err(Problem::Other("the polygon has no area".into())))?;
        Ok(Some(Parcel {
            name: v.text(spec.field("name")).unwrap_or_else(|| id.clone()),
            households: v.optional_number(ctx, spec.field("households"))?,
            floor_area_m2: v.optional_number(ctx, spec.field("floor_area"))?,
            geometry,
            representative,
            id,
            extra: v.extra(std::mem::take(&mut f.rest)),
        }))
    });
    warnings.extend(local);
    out
}

/// Road classes closed to people on foot.
fn closed_to_walking(class: &str) -> bool {
    matches!(class, "motorway" | "motorway_link" | "trunk" | "trunk_link")
}

/// Reads a one-way flag: yes/true/1/是 → with the drawing direction, -1/reverse → against it.
pub fn parse_oneway(v: &FieldValue) -> OneWay {
    let text: std::borrow::Cow<str> = match v {
        FieldValue::Bool(true) => return OneWay::Forward,
        // Text is matched without a copy unless lowercasing changes it (every road of a city
        // has this flag).
        FieldValue::Text(s) => {
            let t = s.trim();
            let unchanged = t.chars().all(|c| {
                if c.is_ascii() {
                    return !c.is_ascii_uppercase();
                }
                let mut lower = c.to_lowercase();
                lower.next() == Some(c) && lower.next().is_none()
            });
            if unchanged {
                t.into()
            } else {
                t.to_lowercase().into()
            }
        }
        v => v.text().unwrap_or_default().to_lowercase().into(),
    };
    match text.as_ref() {
        "yes" | "true" | "1" | "是" | "单行" | "y" | "t" => OneWay::Forward,
        "-1" | "reverse" | "反向" => OneWay::Backward,
        _ => OneWay::No,
    }
}

/// Loads a road layer of any feature format (LineString / MultiLineString features).
pub fn load_roads(spec: &LayerSpec) -> Result<Vec<RoadLine>, InputError> {
    let fields = RoadFields::of(spec);
    match load_roads_fast(spec, &fields) {
        Some(lines) => Ok(lines),
        None => load_roads_general(spec, &fields),
    }
}

/// A road layer of any format through the general reader.
fn load_roads_general(spec: &LayerSpec, fields: &RoadFields) -> Result<Vec<RoadLine>, InputError> {
    let per_feature = load_layer(spec, &fields.request, None, |ctx, crs, v, mut f| {
        let expected = "LineString or MultiLineString";
        let g = geometry(ctx, &mut f, crs, expected)?;
        fields
            .lines(v, g, None)
            .map(Some)
            .map_err(|g| wrong(ctx, &g, expected))
    })?;
    Ok(flatten(per_feature))
}

/// A GeoJSON road layer through the fast line scanner (`geojson_lines`): `None` whenever the
/// scanner or any feature's mapping declines, and the general path then reads the file and
/// reports what is wrong. For the files it accepts, the lines are the same as the general
/// path's: the same CRS resolution and fit check, the same conversion and mapping functions.
fn load_roads_fast(spec: &LayerSpec, fields: &RoadFields) -> Option<Vec<RoadLine>> {
    use super::{geojson_lines, Format};
    if Format::of(&spec.path).ok()? != Format::GeoJson {
        return None;
    }
    let collection = geojson_lines::open(geojson_lines::Source::file(&spec.path)?)?;
    let crs = resolve_crs(spec, collection.declared_crs.as_ref()).ok()?;
    // The class text is moved into the line rather than copied when no other field reads it.
    let class_at = fields.request.position(fields.class);
    let class_alone = [fields.oneway, "foot", fields.name]
        .iter()
        .all(|n| fields.request.position(n) != class_at);
    collection.map_features(&fields.request, |f, first, out| {
        if first {
            check_fit(crs, &f.geometry).ok()?;
        }
        let g = to_wgs84(f.geometry, crs).ok()?;
        let class = match class_at {
            Some(i) if class_alone => match &mut f.fields[i] {
                FieldValue::Text(s) if !s.is_empty() && s.trim().len() == s.len() => {
                    Some(std::mem::take(s))
                }
                _ => None,
            },
            _ => None,
        };
        let values = Values {
            request: &fields.request,
            fields: f.fields,
        };
        match fields.lines(&values, g, class).ok()? {
            FeatureLines::One(l) => out.push(l),
            FeatureLines::Many(v) => out.extend(v),
        }
        Some(())
    })
}

/// The fields a road layer reads, by their names in the file.
struct RoadFields<'a> {
    class: &'a str,
    oneway: &'a str,
    name: &'a str,
    request: ReadRequest,
}

impl RoadFields<'_> {
    fn of(spec: &LayerSpec) -> RoadFields<'_> {
        let class = spec.mapped("class").unwrap_or("highway");
        let oneway = spec.field("oneway");
        let name = spec.field("name");
        let request = request(
            &[
                (class, false),
                (oneway, false),
                ("foot", false),
                (name, false),
            ],
            false,
        );
        RoadFields {
            class,
            oneway,
            name,
            request,
        }
    }

    /// The lines of one feature from its values and its geometry (in WGS-84); the geometry
    /// back when it is not a line.
    fn lines(
        &self,
        v: &Values,
        g: Geometry<f64>,
        class: Option<String>,
    ) -> Result<FeatureLines, Geometry<f64>> {
        // `class`: the class field's text when the caller has already taken it out of `v`.
        let class = class
            .or_else(|| v.text(self.class))
            .unwrap_or_else(|| "road".to_string());
        let oneway = parse_oneway(v.get(self.oneway));
        let no_walk = closed_to_walking(&class) || v.text("foot").as_deref() == Some("no");
        let name = v
            .text(self.name)
            .map(|n| n.trim().to_string())
            .filter(|n| !n.is_empty());
        Ok(match g {
            Geometry::LineString(l) => FeatureLines::One(RoadLine {
                coords: l.0,
                class,
                oneway,
                no_walk,
                name,
            }),
            Geometry::MultiLineString(ml) => FeatureLines::Many(
                ml.0.into_iter()
                    .map(|l| RoadLine {
                        coords: l.0,
                        class: class.clone(),
                        oneway,
                        no_walk,
                        name: name.clone(),
                    })
                    .collect(),
            ),
            g => return Err(g),
        })
    }
}

/// The lines of all features, in feature order.
fn flatten(per_feature: Vec<FeatureLines>) -> Vec<RoadLine> {
    let count = per_feature
        .iter()
        .map(|f| match f {
            FeatureLines::One(_) => 1,
            FeatureLines::Many(v) => v.len(),
        })
        .sum();
    let mut lines = Vec::with_capacity(count);
    for f in per_feature {
        match f {
            FeatureLines::One(l) => lines.push(l),
            FeatureLines::Many(v) => lines.extend(v),
        }
    }
    lines
}

/// The lines of one road feature: a LineString (most features, no list of its own) or the
/// parts of a MultiLineString.
enum FeatureLines {
    One(RoadLine),
    Many(Vec<RoadLine>),
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roads_spec(dir: &Path, text: &str) -> LayerSpec {
        let path = dir.join("roads.geojson");
        std::fs::write(&path, text).unwrap();
        let mut spec = LayerSpec::at(path, Crs::Wgs84);
        spec.fields.insert("class".into(), "道路等级".into());
        spec.fields.insert("oneway".into(), "单行".into());
        spec.fields.insert("name".into(), "名称".into());
        spec
    }

    /// The fast path's lines, checked against the general reader's.
    fn fast_and_general(
        spec: &LayerSpec,
    ) -> (Option<Vec<RoadLine>>, Result<Vec<RoadLine>, String>) {
        let fields = RoadFields::of(spec);
        let fast = load_roads_fast(spec, &fields);
        let general = load_roads_general(spec, &fields).map_err(|e| e.to_string());
        (fast, general)
    }

    fn feature(props: &str, geometry: &str) -> String {
        format!(r#"{{"type":"Feature","properties":{props},"geometry":{geometry}}}"#)
    }

    /// Files of the shapes bureaus and tools write, every one read by the fast path exactly as
    /// the general reader reads it.
    #[test]
    fn the_fast_road_reader_gives_the_general_readers_lines() {
        let dir = tempfile::tempdir().unwrap();
        let line = r#"{"type":"LineString","coordinates":[[116.0,29.7],[116.001,29.7005]]}"#;
        let mut features = vec![
            feature(r#"{"道路等级":"primary","单行":"是","名称":" 八一大道 "}"#, line),
            // Escaped keys and values (Python's json.dumps writes \uXXXX), a surrogate pair.
            feature(
                r#"{"\u9053\u8def\u7b49\u7ea7":"foot\u0077ay","\u540d\u79f0":"a \"b\" \ud83d\ude00\n\/"}"#,
                line,
            ),
            // Numbers of every JSON form, a third coordinate, blanks everywhere.
            feature(
                r#"{ "单行" : 1 , "foot" : "no" }"#,
                r#"{ "type" : "LineString" , "coordinates" : [ [ 1.16e2 , 2970E-2 , 15 ] , [116, 29.7000000000000001, -0.0] , [ 116.00000000000001 , 29.71 ] ] }"#,
            ),
            feature("null", r#"{"coordinates":[[116.0,29.7],[116.001,29.7005]],"type":"LineString","bbox":[1,2,3,4]}"#),
            feature("{}", r#"{"type":"MultiLineString","coordinates":[[[116.0,29.7],[116.001,29.7005]],[],[[116.002,29.7],[116.003,29.7]]]}"#),
            feature(r#"{"单行":-1,"道路等级":{"a":[1,{"b":null}]}}"#, r#"{"type":"MultiLineString","coordinates":[]}"#),
            feature(r#"{"道路等级":["x"],"单行":true,"名称":null}"#, r#"{"type":"LineString","coordinates":[]}"#),
            feature(r#"{"道路等级":false,"名称":12345678901234567890123}"#, r#"{"type":"MultiLineString","coordinates":[[]]}"#),
            // Members the reader skips, a duplicated member (the later wins), a numeric id.
            r#"{"id":1e300,"type":"Feature","properties":{"名称":"first"},"extra":[true,false,null,{}],"geometry":{"type":"LineString","coordinates":[[116.0,29.7],[116.1,29.8]]},"properties":{"名称":"second, {not a feature}"}}"#.to_string(),
        ];
        // Enough features for every chunk, with `,{` inside strings to mislead the chunk guesses.
        for i in 0..300 {
            features.push(feature(
                &format!(r#"{{"名称":"r,{{{i}","道路等级":"residential","单行":"否"}}"#),
                &format!(r#"{{"type":"LineString","coordinates":[[116.{i:03},29.7],[116.{i:03}5,29.70{i:03}]]}}"#),
            ));
        }
        let text = format!(
            "\u{feff}{{\"type\":\"FeatureCollection\",\"name\":\"roads\",\"crs\":{{\"type\":\"name\",\"properties\":{{\"name\":\"urn:ogc:def:crs:OGC:1.3:CRS84\"}}}},\"features\":[\n{}\n],\"bbox\":[0,0,1,1]}}\n",
            features.join(",\n")
        );
        let spec = roads_spec(dir.path(), &text);
        let (fast, general) = fast_and_general(&spec);
        let general = general.unwrap();
        assert_eq!(general.len(), 9 + 300 + 1);
        assert_eq!(
            format!("{:?}", fast.expect("the fast path reads it")),
            format!("{general:?}")
        );
        assert_eq!(general[1].class, "footway");
        assert!(general[2].no_walk, "foot = no");
        assert_eq!(general[1].name.as_deref(), Some("a \"b\" 😀\n/"));
        assert_eq!(general[2].coords[0], Coord { x: 116.0, y: 29.7 });
    }

    /// What the fast path declines (the general reader then reports it or reads it).
    #[test]
    fn the_fast_road_reader_declines_what_it_does_not_read() {
        let dir = tempfile::tempdir().unwrap();
        let line = r#"{"type":"LineString","coordinates":[[116.0,29.7],[116.001,29.7005]]}"#;
        let collection = |f: &str| format!(r#"{{"type":"FeatureCollection","features":[{f}]}}"#);
        let cases = [
            collection(&feature(
                "{}",
                r#"{"type":"Point","coordinates":[116.0,29.7]}"#,
            )),
            collection(&feature("{}", "null")),
            collection(&feature(
                "{}",
                r#"{"type":"LineString","coordinates":[["116",29.7],[116.1,29.7]]}"#,
            )),
            collection(&feature(
                "{}",
                r#"{"type":"LineString","coordinates":[[116.0,NaN],[116.1,29.7]]}"#,
            )),
            collection(&feature(
                "{}",
                r#"{"type":"LineString","coordinates":[[116.0,1e400],[116.1,29.7]]}"#,
            )),
            collection(&feature(
                "{}",
                r#"{"type":"LineString","coordinates":[[116.0,95.0],[116.1,29.7]]}"#,
            )),
            collection(&feature(
                "{}",
                r#"{"type":"LineString","coordinates":[[116.0],[116.1,29.7]]}"#,
            )),
            collection(&feature(r#"{"名称":"\ud800"}"#, line)),
            collection(&feature("{\"名称\":\"a\u{1}b\"}", line)),
            collection(&format!("{},", feature("{}", line))),
            collection(""),
            collection(&feature("{}", line)).replace("FeatureCollection", "Feature"),
            collection(&feature("{}", line))[..60].to_string(),
            feature("{}", line),
            format!("{} x", collection(&feature("{}", line))),
        ];
        for text in cases {
            let spec = roads_spec(dir.path(), &text);
            let (fast, general) = fast_and_general(&spec);
            assert!(fast.is_none(), "the fast path read {text}: {general:?}");
        }
    }

    /// Random damage to a file: whatever the fast path accepts, the general reader reads the
    /// same way.
    #[test]
    fn the_fast_road_reader_never_accepts_what_the_general_reader_reads_otherwise() {
        let dir = tempfile::tempdir().unwrap();
        let base = format!(
            r#"{{"type":"FeatureCollection","features":[{},{},{}]}}"#,
            feature(
                r#"{"道路等级":"primary","单行":"是","名称":"八一\u5927道","x":[1,2]}"#,
                r#"{"type":"LineString","coordinates":[[116.0,29.7],[116.001,29.7005,3]]}"#
            ),
            feature(
                "null",
                r#"{"type":"MultiLineString","coordinates":[[[116.0,29.7],[116.001,29.7005]],[]]}"#
            ),
            feature(
                r#"{"单行":-1}"#,
                r#"{"type":"LineString","coordinates":[[1e2,2.5e1],[-0,0.5]]}"#
            )
        )
        .into_bytes();
        let alphabet = b"{}[],:\"\\ 0123456789.-+eEtrufalsn\x01\xff";
        let mut rng = crate::rng::SplitMix64::new(15);
        let mut accepted = 0;
        for _ in 0..1500 {
            let mut bytes = base.clone();
            for _ in 0..1 + rng.below(3) {
                let at = rng.below(bytes.len());
                match rng.below(3) {
                    0 => bytes[at] = alphabet[rng.below(alphabet.len())],
                    1 => {
                        bytes.remove(at);
                    }
                    _ => bytes.insert(at, alphabet[rng.below(alphabet.len())]),
                }
            }
            let path = dir.path().join("roads.geojson");
            std::fs::write(&path, &bytes).unwrap();
            let mut spec = LayerSpec::at(path, Crs::Wgs84);
            spec.fields.insert("class".into(), "道路等级".into());
            spec.fields.insert("oneway".into(), "单行".into());
            spec.fields.insert("name".into(), "名称".into());
            let (fast, general) = fast_and_general(&spec);
            if let Some(fast) = fast {
                accepted += 1;
                let text = String::from_utf8_lossy(&bytes);
                let general =
                    general.unwrap_or_else(|e| panic!("{text}: fast read it, general: {e}"));
                assert_eq!(format!("{fast:?}"), format!("{general:?}"), "{text}");
            }
        }
        assert!(
            accepted > 100,
            "too few damaged files still valid ({accepted})"
        );
    }

    #[test]
    fn oneway_values() {
        let t = |s: &str| FieldValue::Text(s.into());
        assert_eq!(parse_oneway(&t("是")), OneWay::Forward);
        assert_eq!(parse_oneway(&FieldValue::Number(1.0)), OneWay::Forward);
        assert_eq!(parse_oneway(&FieldValue::Bool(true)), OneWay::Forward);
        assert_eq!(parse_oneway(&t("-1")), OneWay::Backward);
        assert_eq!(parse_oneway(&t("否")), OneWay::No);
        assert_eq!(parse_oneway(&t(" YES ")), OneWay::Forward);
        assert_eq!(parse_oneway(&t("Reverse")), OneWay::Backward);
        assert_eq!(parse_oneway(&t(" 单行")), OneWay::Forward);
        assert_eq!(parse_oneway(&t("ΣT")), OneWay::No);
        assert_eq!(parse_oneway(&FieldValue::Bool(false)), OneWay::No);
        assert_eq!(parse_oneway(&FieldValue::Absent), OneWay::No);
    }
}
