//! The data behind report.html's interactive map, as one JSON value: communities with their
//! nearest facility and minutes per kind, facilities, service areas (dissolved per kind and
//! band, and each facility's at its kind's limit), roads, proposed sites with what they newly
//! cover, the district boundary, and the map's words in the report's language. Coordinates
//! are WGS-84, rounded to 1e-5 degrees (about a metre); under a GCJ-02 basemap (`[report]
//! basemap_crs = "gcj02"`) they are shifted into GCJ-02, so that they line up with the tiles.

use geo::MultiPolygon;
use serde_json::{json, Value};

use crate::areas::to_wgs84;
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

    fn pair(self, c: geo::Coord<f64>) -> Value {
        let (x, y) = self.xy(c);
        json!([x, y])
    }

    fn line(self, cs: &[geo::Coord<f64>]) -> Value {
        Value::Array(cs.iter().map(|&c| self.pair(c)).collect())
    }

    /// A MultiPolygon as GeoJSON coordinates ([polygon][ring][point][lon, lat]).
    fn multipolygon(self, mp: &MultiPolygon<f64>) -> Value {
        Value::Array(
            mp.0.iter()
                .map(|p| {
                    let mut rings = vec![self.line(&p.exterior().0)];
                    rings.extend(p.interiors().iter().map(|r| self.line(&r.0)));
                    Value::Array(rings)
                })
                .collect(),
        )
    }
}

pub fn map_data(ctx: &ReportContext, boundary: Option<&MultiPolygon<f64>>) -> Value {
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
                    Some(n) => json!([n.facility, (n.minutes * 10.0).round() / 10.0, k.covered[c]]),
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
        for k in &a.kinds {
            if k.polygon.0.is_empty() {
                continue;
            }
            areas.push(json!({"k": k.kind.as_str(), "m": k.minutes,
                              "g": at.multipolygon(&to_wgs84(&study.graph, &k.polygon))}));
        }
        for fa in &a.facilities {
            let kind = study.layers.facilities[fa.facility].kind;
            if (fa.minutes - study.scenario.limit_for(kind)).abs() < 1e-9
                && !fa.polygon.0.is_empty()
            {
                facility_areas.push(json!({"f": fa.facility, "m": fa.minutes,
                                           "g": at.multipolygon(&to_wgs84(&study.graph, &fa.polygon))}));
            }
        }
    }
    let roads: Vec<Value> = study
        .layers
        .roads
        .iter()
        .map(|l| at.line(&l.coords))
        .collect();
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
    json!({
        "kinds": kinds,
        "communities": communities,
        "facilities": facilities,
        "areas": areas,
        "facility_areas": facility_areas,
        "roads": roads,
        "sites": sites,
        "boundary": boundary.map(|b| at.multipolygon(b)),
        "basemap": basemap.map(|b| json!({"url": b.url, "attribution": b.attribution})),
        "words": words,
    })
}
