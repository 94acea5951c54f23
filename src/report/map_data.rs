//! The data behind report.html's interactive map, as one JSON document: communities with their
//! nearest facility and minutes per kind, facilities, service areas (dissolved per kind and
//! band, and each facility's at its kind's limit), roads, proposed sites with what they newly
//! cover, the district boundary, and the map's words in the report's language. Coordinates
//! are WGS-84, rounded to 1e-5 degrees (about a metre); under a GCJ-02 basemap (`[report]
//! basemap_crs = "gcj02"`) they are shifted into GCJ-02, so that they line up with the tiles.
//!
//! The geometry (roads, service areas, boundary) is written straight from the study and the
//! service areas while the JSON is serialised, never built as a `serde_json::Value` tree first: on a city that tree of
//! every road vertex and service-area ring took over a gigabyte for a 60 MB text.

use geo::MultiPolygon;
use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};
use serde_json::{json, Value};

use crate::i18n::{self as m, kind_name};
use crate::report::document::{site_label, ReportContext};

fn r5(x: f64) -> f64 {
    (x * 1e5).round() / 1e5
}

/// How the map's coordinates are written: WGS-84, or shifted into GCJ-02 for a GCJ-02 basemap.
#[derive(Clone, Copy)]
struct Coords {
    gcj02: bool,
}

impl Coords {
    fn xy(self, c: geo::Coord<f64>) -> (f64, f64) {
        let c = if self.gcj02 {
            crate::crs::wgs84_to_gcj02(c)
        } else {
            c
        };
        (r5(c.x), r5(c.y))
    }
}

/// A WGS-84 line as GeoJSON coordinates ([point][lon, lat]), written as it is serialised.
struct Line<'a> {
    coords: &'a [geo::Coord<f64>],
    at: Coords,
}

impl Serialize for Line<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.coords.len()))?;
        for &c in self.coords {
            seq.serialize_element(&self.at.xy(c))?;
        }
        seq.end()
    }
}

/// A WGS-84 MultiPolygon as GeoJSON coordinates ([polygon][ring][point][lon, lat]).
struct Rings<'a> {
    shape: &'a MultiPolygon<f64>,
    at: Coords,
}

impl Serialize for Rings<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut polygons = s.serialize_seq(Some(self.shape.0.len()))?;
        for p in &self.shape.0 {
            let rings: Vec<Line> = std::iter::once(p.exterior())
                .chain(p.interiors())
                .map(|r| Line {
                    coords: &r.0,
                    at: self.at,
                })
                .collect();
            polygons.serialize_element(&rings)?;
        }
        polygons.end()
    }
}

/// A kind's dissolved area (`f` absent) or one facility's area (`k` absent) at `m` minutes.
#[derive(Serialize)]
struct Area<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    k: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    f: Option<usize>,
    m: f64,
    g: Rings<'a>,
}

/// Every road of the study as lines.
struct Roads<'a> {
    ctx: &'a ReportContext<'a>,
    at: Coords,
}

impl Serialize for Roads<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let roads = &self.ctx.study.layers.roads;
        let mut seq = s.serialize_seq(Some(roads.len()))?;
        for l in roads {
            seq.serialize_element(&Line {
                coords: &l.coords,
                at: self.at,
            })?;
        }
        seq.end()
    }
}

/// The map's data; serialise it (`serde_json::to_writer`) to get the JSON.
pub struct MapData<'a> {
    ctx: &'a ReportContext<'a>,
    boundary: Option<&'a MultiPolygon<f64>>,
}

/// The interactive map's data for a report context and, when known, the district boundary
/// (WGS-84).
pub fn map_data<'a>(
    ctx: &'a ReportContext<'a>,
    boundary: Option<&'a MultiPolygon<f64>>,
) -> MapData<'a> {
    MapData { ctx, boundary }
}

impl Serialize for MapData<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let ctx = self.ctx;
        let study = ctx.study;
        let lang = ctx.options.lang;
        let basemap = ctx.options.basemap.as_ref();
        let at = Coords {
            gcj02: basemap.is_some_and(|b| b.gcj02),
        };
        let kinds: Vec<Value> = ctx
            .audit
            .kinds
            .iter()
            .map(|k| json!({"key": k.kind.as_str(), "name": kind_name(lang, k.kind), "limit": k.limit_min}))
            .collect();
        let communities: Vec<Value> = study
            .layers
            .communities
            .iter()
            .enumerate()
            .map(|(c, com)| {
                let per_kind: Vec<Value> = ctx
                    .audit
                    .kinds
                    .iter()
                    .map(|k| match k.nearest[c] {
                        Some(n) => {
                            json!([n.facility, (n.minutes * 10.0).round() / 10.0, k.covered[c]])
                        }
                        None => json!([null, null, false]),
                    })
                    .collect();
                let (x, y) = at.xy(com.representative.0);
                json!({
                    "i": com.id, "n": com.name, "s": com.street, "x": x, "y": y,
                    "e": crate::report::count_json(ctx.audit.elderly[c]),
                    "k": per_kind,
                })
            })
            .collect();
        let facilities: Vec<Value> = study
            .layers
            .facilities
            .iter()
            .map(|f| {
                let (x, y) = at.xy(f.location.0);
                json!({"i": f.id, "n": f.name, "k": f.kind.as_str(), "kn": kind_name(lang, f.kind),
                       "x": x, "y": y})
            })
            .collect();
        let mut areas = Vec::new();
        let mut facility_areas = Vec::new();
        if let Some(a) = ctx.areas {
            let shape = |shape| Rings { shape, at };
            for k in &a.kinds {
                if k.polygon.0.is_empty() {
                    continue;
                }
                areas.push(Area {
                    k: Some(k.kind.as_str()),
                    f: None,
                    m: k.minutes,
                    g: shape(&k.wgs84),
                });
            }
            for fa in &a.facilities {
                let kind = study.layers.facilities[fa.facility].kind;
                if (fa.minutes - study.scenario.limit_for(kind)).abs() < 1e-9
                    && !fa.polygon.0.is_empty()
                {
                    facility_areas.push(Area {
                        k: None,
                        f: Some(fa.facility),
                        m: fa.minutes,
                        g: shape(&fa.wgs84),
                    });
                }
            }
        }
        let mut sites = Vec::new();
        for plan in ctx.plans {
            for site in &plan.solution.sites {
                let cand = &plan.candidates[site.candidate];
                let (x, y) = at.xy(cand.location.0);
                sites.push(json!({
                    "k": plan.kind.as_str(), "kn": kind_name(lang, plan.kind), "i": cand.id,
                    "n": site_label(ctx, plan, site.candidate), "x": x, "y": y,
                    "c": site.newly_covered, "e": crate::report::count_json(site.newly_covered_weight),
                }));
            }
        }
        let words: serde_json::Map<String, Value> = [
            ("kind", m::MAP_KIND),
            ("search", m::MAP_SEARCH),
            ("not_found", m::MAP_NOT_FOUND),
            ("communities", m::LAYER_COMMUNITIES),
            ("facilities", m::LAYER_FACILITIES),
            ("area", m::LAYER_AREAS),
            ("roads", m::LAYER_ROADS),
            ("sites", m::LAYER_SITES),
            ("boundary", m::LAYER_BOUNDARY),
            ("basemap", m::LAYER_BASEMAP),
            ("covered", m::COVERED),
            ("not_covered", m::NOT_COVERED),
            ("none", m::NONE_REACHABLE),
            ("min", m::MINUTES_UNIT),
            ("people", m::PEOPLE_UNIT),
            ("elderly", m::ELDERLY),
            ("street", m::STREET),
            ("code", m::CODE),
            ("nearest", m::NEAREST),
            ("newly", m::NEWLY_COMMUNITIES),
            ("newly_elderly", m::NEWLY_ELDERLY),
        ]
        .into_iter()
        .map(|(k, msg)| (k.to_string(), json!(msg.get(lang))))
        .collect();
        let mut map = s.serialize_map(Some(10))?;
        map.serialize_entry("kinds", &kinds)?;
        map.serialize_entry("communities", &communities)?;
        map.serialize_entry("facilities", &facilities)?;
        map.serialize_entry("areas", &areas)?;
        map.serialize_entry("facility_areas", &facility_areas)?;
        map.serialize_entry("roads", &Roads { ctx, at })?;
        map.serialize_entry("sites", &sites)?;
        map.serialize_entry("boundary", &self.boundary.map(|shape| Rings { shape, at }))?;
        map.serialize_entry(
            "basemap",
            &basemap.map(|b| json!({"url": b.url, "attribution": b.attribution})),
        )?;
        map.serialize_entry("words", &words)?;
        map.end()
    }
}
