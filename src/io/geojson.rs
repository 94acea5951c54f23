//! GeoJSON reader: straight from the file's bytes into coordinates and the requested fields
//! only, one feature at a time. Typed serde visitors with borrowed keys; no `serde_json::Value`
//! tree and no copy of unmapped properties (issue 15). Coordinates are read leniently so that a
//! bad position (`["116","29"]`, `[]`) becomes that feature's error, named by index and id,
//! instead of failing the whole file.

use std::borrow::Cow;
use std::fmt;
use std::path::Path;

use geo::{Coord, Geometry, LineString, MultiPolygon, Polygon};
use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::features::{
    DeclaredCrs, FeatureSink, FeatureValues, FieldValue, LayerInfo, RawFeature, RawGeometry,
    ReadRequest,
};
use super::layer::Ctx;
use crate::error::{InputError, Problem, Warnings};

/// Reads a GeoJSON file (a FeatureCollection or a single Feature), handing each feature to
/// `sink`.
pub fn read(
    path: &Path,
    request: &ReadRequest,
    sink: &mut dyn FeatureSink,
) -> Result<LayerInfo, InputError> {
    let bytes = super::read_input(path, super::input_limits())?;
    read_bytes(&bytes, path, request, sink)
}

/// Reads GeoJSON bytes; `path` names the file in errors.
pub fn read_bytes(
    bytes: &[u8],
    path: &Path,
    request: &ReadRequest,
    sink: &mut dyn FeatureSink,
) -> Result<LayerInfo, InputError> {
    // A UTF-8 byte-order mark is common in files saved on Windows.
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace()).copied();
    match first {
        Some(b'{') => {}
        Some(b'[') => {
            return Err(InputError::file(
                path,
                Problem::NotFeatureCollection("a bare JSON array".into()),
            ))
        }
        None => {
            return Err(InputError::file(
                path,
                Problem::NotJson("the file is empty".into()),
            ))
        }
        Some(_) => {
            // Not an object: let the JSON parser say where it fails (a short message), or name
            // the value it is.
            return match serde_json::from_slice::<IgnoredAny>(bytes) {
                Err(e) => Err(InputError::file(path, json_problem(bytes, &e))),
                Ok(_) => Err(InputError::file(
                    path,
                    Problem::NotFeatureCollection("a single JSON value".into()),
                )),
            };
        }
    }
    let mut next_index = 0usize;
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let top = TopSeed {
        request,
        sink,
        next_index: &mut next_index,
    };
    let info = top
        .deserialize(&mut de)
        .and_then(|info| de.end().map(|_| info))
        .map_err(|e| InputError::file(path, json_problem(bytes, &e)))?;
    match info.kind.as_deref() {
        Some("FeatureCollection") | Some("Feature") => Ok(LayerInfo {
            declared_crs: info.crs,
            field_names: Vec::new(),
        }),
        Some(other) if GEOMETRY_TYPES.contains(&other) => Err(InputError::file(
            path,
            Problem::NotFeatureCollection(format!("a bare {other} geometry")),
        )),
        Some(other) => Err(InputError::file(
            path,
            Problem::NotFeatureCollection(format!("an object of type \"{other}\"")),
        )),
        None => Err(InputError::file(
            path,
            Problem::NotFeatureCollection("an object without \"type\"".into()),
        )),
    }
}

const GEOMETRY_TYPES: [&str; 7] = [
    "Point",
    "MultiPoint",
    "LineString",
    "MultiLineString",
    "Polygon",
    "MultiPolygon",
    "GeometryCollection",
];

/// Python's json module writes NaN and Infinity, which JSON does not allow: say so plainly.
fn json_problem(bytes: &[u8], e: &serde_json::Error) -> Problem {
    let text = String::from_utf8_lossy(bytes);
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
        None => {
            // serde_json's message never echoes the input, so it stays short.
            Problem::NotJson(e.to_string())
        }
    }
}

/// What the top-level object said about itself.
struct TopInfo {
    kind: Option<String>,
    crs: Option<DeclaredCrs>,
}

struct TopSeed<'r, 's, 'k> {
    request: &'r ReadRequest,
    sink: &'s mut (dyn FeatureSink + 'k),
    next_index: &'r mut usize,
}

impl<'de> DeserializeSeed<'de> for TopSeed<'_, '_, '_> {
    type Value = TopInfo;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<TopInfo, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for TopSeed<'_, '_, '_> {
    type Value = TopInfo;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a GeoJSON object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<TopInfo, A::Error> {
        let mut info = TopInfo {
            kind: None,
            crs: None,
        };
        // A bare Feature's members are gathered as for a feature of a collection.
        let mut single = FeatureParts::default();
        while let Some(key) = map.next_key::<Cow<'de, str>>()? {
            match key.as_ref() {
                "type" => info.kind = Some(map.next_value::<Cow<'de, str>>()?.into_owned()),
                "features" => {
                    self.sink.begin(&LayerInfo {
                        declared_crs: info.crs.clone(),
                        field_names: Vec::new(),
                    });
                    map.next_value_seed(FeaturesSeed {
                        request: self.request,
                        sink: &mut *self.sink,
                        next_index: &mut *self.next_index,
                    })?
                }
                "crs" => info.crs = map.next_value::<CrsMember>()?.0,
                "properties" => {
                    single.fields = Some(map.next_value_seed(PropertiesSeed {
                        request: self.request,
                    })?)
                }
                "geometry" => single.geometry = Some(map.next_value_seed(GeometrySeed)?),
                "id" => single.id = map.next_value::<IdValue>()?.0,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        if info.kind.as_deref() == Some("Feature") {
            self.sink.begin(&LayerInfo {
                declared_crs: info.crs.clone(),
                field_names: Vec::new(),
            });
            self.sink.feature(single.finish(0, self.request));
            *self.next_index = 1;
        }
        Ok(info)
    }
}

/// The members of one feature as they arrive (in any order).
#[derive(Default)]
struct FeatureParts {
    geometry: Option<RawGeometry>,
    fields: Option<FeatureValues>,
    id: Option<String>,
}

impl FeatureParts {
    fn finish(self, index: usize, request: &ReadRequest) -> RawFeature {
        let (fields, rest) = self
            .fields
            .unwrap_or_else(|| (vec![FieldValue::Absent; request.fields.len()], Vec::new()));
        RawFeature {
            index,
            geometry: self.geometry.unwrap_or(Ok(None)),
            fields,
            feature_id: self.id,
            rest,
        }
    }
}

struct FeaturesSeed<'r, 's, 'k> {
    request: &'r ReadRequest,
    sink: &'s mut (dyn FeatureSink + 'k),
    next_index: &'r mut usize,
}

impl<'de> DeserializeSeed<'de> for FeaturesSeed<'_, '_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for FeaturesSeed<'_, '_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of features")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(parts) = seq.next_element_seed(FeatureSeed {
            request: self.request,
        })? {
            let index = *self.next_index;
            *self.next_index += 1;
            self.sink.feature(parts.finish(index, self.request));
        }
        Ok(())
    }
}

struct FeatureSeed<'r> {
    request: &'r ReadRequest,
}

impl<'de> DeserializeSeed<'de> for FeatureSeed<'_> {
    type Value = FeatureParts;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<FeatureParts, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for FeatureSeed<'_> {
    type Value = FeatureParts;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a GeoJSON Feature object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<FeatureParts, A::Error> {
        let mut parts = FeatureParts::default();
        while let Some(key) = map.next_key::<Cow<'de, str>>()? {
            match key.as_ref() {
                "properties" => {
                    parts.fields = Some(map.next_value_seed(PropertiesSeed {
                        request: self.request,
                    })?)
                }
                "geometry" => parts.geometry = Some(map.next_value_seed(GeometrySeed)?),
                "id" => parts.id = map.next_value::<IdValue>()?.0,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(parts)
    }
}

/// A feature id: a string or a number.
struct IdValue(Option<String>);

impl<'de> serde::Deserialize<'de> for IdValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<IdValue, D::Error> {
        let v = d.deserialize_any(FieldValueVisitor)?;
        Ok(IdValue(v.text()))
    }
}

/// The 2008 GeoJSON `crs` member: `{"type":"name","properties":{"name":"EPSG:4527"}}` (or an
/// OGC URN); anything else is ignored.
pub(super) struct CrsMember(pub(super) Option<DeclaredCrs>);

impl<'de> serde::Deserialize<'de> for CrsMember {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<CrsMember, D::Error> {
        #[derive(serde::Deserialize)]
        struct Props<'a> {
            #[serde(borrow)]
            name: Option<Cow<'a, str>>,
        }
        #[derive(serde::Deserialize)]
        struct Member<'a> {
            #[serde(borrow)]
            properties: Option<Props<'a>>,
        }
        let m: Option<Member> = serde::Deserialize::deserialize(d)?;
        let name = m.and_then(|m| m.properties).and_then(|p| p.name);
        Ok(CrsMember(
            name.and_then(|n| epsg_of_name(&n)).map(DeclaredCrs::Epsg),
        ))
    }
}

/// `EPSG:4527`, `urn:ogc:def:crs:EPSG::4527`, `urn:ogc:def:crs:OGC:1.3:CRS84` → an EPSG code.
pub fn epsg_of_name(name: &str) -> Option<u32> {
    if name.ends_with("CRS84") {
        return Some(4326);
    }
    let upper = name.to_ascii_uppercase();
    let at = upper.rfind("EPSG")?;
    upper[at + 4..].trim_start_matches(':').parse().ok()
}

struct PropertiesSeed<'r> {
    request: &'r ReadRequest,
}

impl<'de> DeserializeSeed<'de> for PropertiesSeed<'_> {
    type Value = FeatureValues;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_option(self)
    }
}

impl<'de> Visitor<'de> for PropertiesSeed<'_> {
    type Value = FeatureValues;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object of properties or null")
    }
    fn visit_none<E: serde::de::Error>(self) -> Result<Self::Value, E> {
        Ok((
            vec![FieldValue::Absent; self.request.fields.len()],
            Vec::new(),
        ))
    }
    fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
        self.visit_none()
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut fields = vec![FieldValue::Absent; self.request.fields.len()];
        let mut rest = Vec::new();
        while let Some(key) = map.next_key::<Cow<'de, str>>()? {
            match self.request.position(&key) {
                Some(i) => fields[i] = map.next_value::<AnyField>()?.0,
                None if self.request.keep_rest => {
                    rest.push((key.into_owned(), map.next_value::<AnyField>()?.0))
                }
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok((fields, rest))
    }
}

/// A property value of any JSON type.
struct AnyField(FieldValue);

impl<'de> serde::Deserialize<'de> for AnyField {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<AnyField, D::Error> {
        d.deserialize_any(FieldValueVisitor).map(AnyField)
    }
}

struct FieldValueVisitor;

impl<'de> Visitor<'de> for FieldValueVisitor {
    type Value = FieldValue;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a property value")
    }
    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<FieldValue, E> {
        Ok(FieldValue::Text(v.to_string()))
    }
    fn visit_string<E: serde::de::Error>(self, v: String) -> Result<FieldValue, E> {
        Ok(FieldValue::Text(v))
    }
    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<FieldValue, E> {
        Ok(FieldValue::Number(v))
    }
    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<FieldValue, E> {
        Ok(FieldValue::Number(v as f64))
    }
    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<FieldValue, E> {
        Ok(FieldValue::Number(v as f64))
    }
    fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<FieldValue, E> {
        Ok(FieldValue::Bool(v))
    }
    fn visit_unit<E: serde::de::Error>(self) -> Result<FieldValue, E> {
        Ok(FieldValue::Null)
    }
    fn visit_none<E: serde::de::Error>(self) -> Result<FieldValue, E> {
        Ok(FieldValue::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<FieldValue, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(FieldValue::Other("an array".into()))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<FieldValue, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(FieldValue::Other("an object".into()))
    }
}

/// A node of a `coordinates` array, read without failing on bad content.
enum Node {
    Num(f64),
    Pos(Coord<f64>),
    List(Vec<Node>),
    /// A list of positions only (a line or a ring), read straight into coordinates: the same
    /// as a `List` of `Pos` nodes without a node per position.
    Positions(Vec<Coord<f64>>),
    Bad(String),
}

struct NodeSeed;

impl<'de> DeserializeSeed<'de> for NodeSeed {
    type Value = Node;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Node, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for NodeSeed {
    type Value = Node;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("coordinates")
    }
    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Node, E> {
        Ok(Node::Num(v))
    }
    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Node, E> {
        Ok(Node::Num(v as f64))
    }
    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Node, E> {
        Ok(Node::Num(v as f64))
    }
    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Node, E> {
        let shown: String = v.chars().take(20).collect();
        Ok(Node::Bad(format!(
            "\"{shown}\" is text; a position is two numbers [longitude, latitude] without quotes"
        )))
    }
    fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<Node, E> {
        Ok(Node::Bad(format!("{v} is not a number")))
    }
    fn visit_unit<E: serde::de::Error>(self) -> Result<Node, E> {
        Ok(Node::Bad("null is not a number".into()))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Node::Bad("an object where a position was expected".into()))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
        let Some(first) = seq.next_element_seed(NodeSeed)? else {
            return Ok(Node::List(Vec::new()));
        };
        if let Node::Num(x) = first {
            // A position: two or more numbers (a third, the height, is dropped).
            let mut count = 1;
            let mut y = None;
            let mut bad = None;
            while let Some(n) = seq.next_element_seed(NodeSeed)? {
                count += 1;
                match n {
                    Node::Num(v) if count == 2 => y = Some(v),
                    Node::Num(_) => {}
                    Node::Bad(b) => bad = bad.or(Some(b)),
                    _ => bad = bad.or(Some("a position mixes numbers and arrays".into())),
                }
            }
            return Ok(match (bad, y) {
                (Some(b), _) => Node::Bad(b),
                (None, None) => {
                    Node::Bad("a position has 1 number, expected longitude and latitude".into())
                }
                (None, Some(y)) => Node::Pos(Coord { x, y }),
            });
        }
        let mut items = match first {
            Node::Pos(c) => {
                // The common case, a list of positions: straight into coordinates until
                // something else comes (then it continues as a general list).
                let mut coords = vec![c];
                let mut other = None;
                while let Some(n) = seq.next_element_seed(NodeSeed)? {
                    match n {
                        Node::Pos(c) => coords.push(c),
                        n => {
                            other = Some(n);
                            break;
                        }
                    }
                }
                match other {
                    None => return Ok(Node::Positions(coords)),
                    Some(n) => {
                        let mut items: Vec<Node> = coords.into_iter().map(Node::Pos).collect();
                        items.push(n);
                        items
                    }
                }
            }
            first => vec![first],
        };
        while let Some(n) = seq.next_element_seed(NodeSeed)? {
            items.push(n);
        }
        if let Some(bad) = items.iter().find_map(|n| match n {
            Node::Bad(b) => Some(b.clone()),
            _ => None,
        }) {
            return Ok(Node::Bad(bad));
        }
        if items.iter().any(|n| matches!(n, Node::Num(_))) {
            return Ok(Node::Bad("a position mixes numbers and arrays".into()));
        }
        Ok(Node::List(items))
    }
}

struct GeometrySeed;

impl<'de> DeserializeSeed<'de> for GeometrySeed {
    type Value = RawGeometry;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<RawGeometry, D::Error> {
        d.deserialize_option(self)
    }
}

impl<'de> Visitor<'de> for GeometrySeed {
    type Value = RawGeometry;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a GeoJSON geometry or null")
    }
    fn visit_none<E: serde::de::Error>(self) -> Result<RawGeometry, E> {
        Ok(Ok(None))
    }
    fn visit_unit<E: serde::de::Error>(self) -> Result<RawGeometry, E> {
        Ok(Ok(None))
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<RawGeometry, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_str<E: serde::de::Error>(self, _: &str) -> Result<RawGeometry, E> {
        Ok(Err(
            "the geometry is text, not a GeoJSON geometry object".into()
        ))
    }
    fn visit_f64<E: serde::de::Error>(self, _: f64) -> Result<RawGeometry, E> {
        Ok(Err(
            "the geometry is a number, not a GeoJSON geometry object".into(),
        ))
    }
    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<RawGeometry, E> {
        self.visit_f64(v as f64)
    }
    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<RawGeometry, E> {
        self.visit_f64(v as f64)
    }
    fn visit_bool<E: serde::de::Error>(self, _: bool) -> Result<RawGeometry, E> {
        Ok(Err(
            "the geometry is true/false, not a GeoJSON geometry object".into(),
        ))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<RawGeometry, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Err(
            "the geometry is an array; expected {\"type\": ..., \"coordinates\": [...]}".into(),
        ))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawGeometry, A::Error> {
        let mut kind: Option<String> = None;
        let mut coords: Option<Node> = None;
        let mut has_members = false;
        while let Some(key) = map.next_key::<Cow<'de, str>>()? {
            match key.as_ref() {
                "type" => kind = Some(map.next_value::<AnyField>()?.0.shown()),
                "coordinates" => coords = Some(map.next_value_seed(NodeSeed)?),
                "geometries" => {
                    has_members = true;
                    map.next_value::<IgnoredAny>()?;
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        let Some(kind) = kind else {
            return Ok(Err("the geometry has no \"type\"".into()));
        };
        let kind = kind.trim_matches('"').to_string();
        if kind == "GeometryCollection" || has_members {
            return Ok(Err(
                "a GeometryCollection; give each part as its own feature".into(),
            ));
        }
        let Some(coords) = coords else {
            return Ok(Err(format!("the {kind} has no \"coordinates\"")));
        };
        Ok(build_geometry(&kind, coords).map(Some))
    }
}

fn positions(node: Node, what: &str) -> Result<Vec<Coord<f64>>, String> {
    match node {
        Node::Positions(coords) => Ok(coords),
        Node::List(items) => items
            .into_iter()
            .map(|n| match n {
                Node::Pos(c) => Ok(c),
                _ => Err(format!("{what} must be a list of positions [x, y]")),
            })
            .collect(),
        Node::Pos(_) => Err(format!(
            "{what} is a single position; expected a list of positions"
        )),
        Node::Bad(b) => Err(b),
        Node::Num(_) => Err(format!("{what} is a number; expected a list of positions")),
    }
}

fn lists(node: Node, what: &str) -> Result<Vec<Node>, String> {
    match node {
        Node::List(items) => Ok(items),
        Node::Positions(coords) => Ok(coords.into_iter().map(Node::Pos).collect()),
        Node::Bad(b) => Err(b),
        _ => Err(format!("{what} has too few levels of brackets")),
    }
}

/// A polygon ring as RFC 7946 §3.1.6 defines it: closed, with at least four positions.
/// geo would close an open ring silently, turning a digitising error into a wrong shape.
fn ring(node: Node, which: &str) -> Result<LineString<f64>, String> {
    let p = positions(node, "a polygon ring")?;
    if p.len() < 4 {
        return Err(format!(
            "{which} with {} positions is too short: a closed ring needs at least 4 (the \
             first repeated at the end)",
            p.len()
        ));
    }
    if p.first() != p.last() {
        return Err(format!(
            "{which} is not closed: its last position must repeat its first"
        ));
    }
    Ok(LineString::new(p))
}

fn polygon_of(node: Node) -> Result<Polygon<f64>, String> {
    let mut rings = lists(node, "a Polygon")?
        .into_iter()
        .enumerate()
        .map(|(i, r)| ring(r, if i == 0 { "the outer ring" } else { "a hole" }));
    let exterior = rings
        .next()
        .ok_or_else(|| "a Polygon has no rings".to_string())??;
    let holes = rings.collect::<Result<Vec<_>, _>>()?;
    Ok(Polygon::new(exterior, holes))
}

/// Builds a geometry from its type and coordinates, with a message naming what is wrong.
fn build_geometry(kind: &str, coords: Node) -> Result<Geometry<f64>, String> {
    Ok(match kind {
        "Point" => match coords {
            Node::Pos(c) => Geometry::Point(geo::Point(c)),
            Node::List(items) if items.is_empty() => {
                return Err("the Point's coordinates are empty ([]); expected [x, y]".into())
            }
            Node::List(_) | Node::Positions(_) => {
                return Err(
                    "the Point's coordinates are a list of positions ([[x, y]]); expected \
                     one position [x, y]"
                        .into(),
                )
            }
            Node::Num(_) => return Err("the Point's coordinates are one number".into()),
            Node::Bad(b) => return Err(b),
        },
        "MultiPoint" => Geometry::MultiPoint(geo::MultiPoint(
            positions(coords, "a MultiPoint")?
                .into_iter()
                .map(geo::Point)
                .collect(),
        )),
        "LineString" => Geometry::LineString(LineString::new(positions(coords, "a LineString")?)),
        "MultiLineString" => Geometry::MultiLineString(geo::MultiLineString::new(
            lists(coords, "a MultiLineString")?
                .into_iter()
                .map(|l| positions(l, "a MultiLineString part").map(LineString::new))
                .collect::<Result<_, _>>()?,
        )),
        "Polygon" => Geometry::Polygon(polygon_of(coords)?),
        "MultiPolygon" => Geometry::MultiPolygon(MultiPolygon::new(
            lists(coords, "a MultiPolygon")?
                .into_iter()
                .map(polygon_of)
                .collect::<Result<_, _>>()?,
        )),
        other => {
            let hint = GEOMETRY_TYPES
                .iter()
                .find(|t| t.eq_ignore_ascii_case(other))
                .map(|t| format!(" (GeoJSON type names are case-sensitive: \"{t}\")"))
                .unwrap_or_default();
            return Err(format!("unknown geometry type \"{other}\"{hint}"));
        }
    })
}

pub use crate::io::validate::repair_polygons;

/// Validates a polygonal geometry and repairs it when invalid (see `validate::polygonal`).
pub(crate) fn polygonal(
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
    crate::io::validate::polygonal(mp, single, &place, warnings).map_err(|p| ctx.err(p))
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Collect(Vec<RawFeature>);

    impl FeatureSink for Collect {
        fn begin(&mut self, _: &LayerInfo) {}
        fn feature(&mut self, f: RawFeature) {
            self.0.push(f);
        }
    }

    /// The geometry read from one feature with these `geometry` members.
    fn geometry_of(geometry: &str) -> RawGeometry {
        let text = format!(
            r#"{{"type":"FeatureCollection","features":[{{"type":"Feature","properties":{{}},"geometry":{geometry}}}]}}"#
        );
        let mut sink = Collect(Vec::new());
        read_bytes(
            text.as_bytes(),
            Path::new("t.geojson"),
            &ReadRequest::default(),
            &mut sink,
        )
        .unwrap();
        sink.0.pop().unwrap().geometry
    }

    #[test]
    fn lists_of_positions_read_straight_into_coordinates() {
        let Ok(Some(Geometry::LineString(l))) =
            geometry_of(r#"{"type":"LineString","coordinates":[[116.1,29.5],[116.2,29.6,7]]}"#)
        else {
            panic!()
        };
        assert_eq!(
            l.0,
            vec![Coord { x: 116.1, y: 29.5 }, Coord { x: 116.2, y: 29.6 }]
        );
        let Ok(Some(Geometry::MultiLineString(ml))) = geometry_of(
            r#"{"type":"MultiLineString","coordinates":[[[0,0],[1,1]],[[2,2],[3,3],[4,4]]]}"#,
        ) else {
            panic!()
        };
        assert_eq!(ml.0.len(), 2);
        assert_eq!(ml.0[1].0[2], Coord { x: 4.0, y: 4.0 });
        let Ok(Some(Geometry::Polygon(p))) = geometry_of(
            r#"{"type":"Polygon","coordinates":[[[0,0],[2,0],[2,2],[0,0]],[[0.5,0.5],[1,0.5],[1,1],[0.5,0.5]]]}"#,
        ) else {
            panic!()
        };
        assert_eq!(p.exterior().0.len(), 4);
        assert_eq!(p.interiors()[0].0[1], Coord { x: 1.0, y: 0.5 });
    }

    #[test]
    fn a_list_that_leaves_positions_midway_is_named() {
        let err = |g: &str| geometry_of(g).unwrap_err();
        assert_eq!(
            err(r#"{"type":"LineString","coordinates":[[0,0],[1,1],5]}"#),
            "a position mixes numbers and arrays"
        );
        assert_eq!(
            err(r#"{"type":"LineString","coordinates":[[0,0],[[1,1]]]}"#),
            "a LineString must be a list of positions [x, y]"
        );
        assert!(
            err(r#"{"type":"LineString","coordinates":[[0,0],["116",1]]}"#)
                .starts_with("\"116\" is text"),
        );
        // A Polygon written with one level of brackets too few.
        assert_eq!(
            err(r#"{"type":"Polygon","coordinates":[[0,0],[1,0],[1,1],[0,0]]}"#),
            "a polygon ring is a single position; expected a list of positions"
        );
        assert_eq!(
            err(r#"{"type":"Point","coordinates":[[0,0],[1,1]]}"#),
            "the Point's coordinates are a list of positions ([[x, y]]); expected one \
             position [x, y]"
        );
    }
}
