//! The data behind report.html's interactive map, as one JSON value: communities with their
//! nearest facility and minutes per kind, facilities, service areas (dissolved per kind and
//! band, and each facility's at its kind's limit), roads, proposed sites with what they newly
//! cover, the district boundary, and the map's words in the report's language. Coordinates
//! are WGS-84, rounded to 1e-5 degrees (about a metre).

use geo::MultiPolygon;
use serde_json::{json, Value};

use crate::areas::to_wgs84;
use crate::i18n::{self as m, kind_name};
use crate::report::document::{site_label, ReportContext};

fn r5(x: f64) -> f64 {
    (x * 1e5).round() / 1e5
}

fn ring(ls: &geo::LineString<f64>) -> Value {
    Value::Array(ls.0.iter().map(|c| json!([r5(c.x), r5(c.y)])).collect())
}

/// A MultiPolygon as GeoJSON coordinates ([polygon][ring][point][lon, lat]).
fn multipolygon(mp: &MultiPolygon<f64>) -> Value {
    Value::Array(
        mp.0.iter()
            .map(|p| {
                let mut rings = vec![ring(p.exterior())];
                rings.extend(p.interiors().iter().map(ring));
                Value::Array(rings)
            })
            .collect(),
    )
}

pub fn map_data(ctx: &ReportContext, boundary: Option<&MultiPolygon<f64>>) -> Value {
    let study = ctx.study;
    let lang = ctx.options.lang;
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
            json!({
                "i": com.id, "n": com.name, "s": com.street,
                "x": r5(com.representative.x()), "y": r5(com.representative.y()),
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
            json!({"i": f.id, "n": f.name, "k": f.kind.as_str(), "kn": kind_name(lang, f.kind),
                   "x": r5(f.location.x()), "y": r5(f.location.y())})
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
                              "g": multipolygon(&to_wgs84(&study.graph, &k.polygon))}));
        }
        for fa in &a.facilities {
            let kind = study.layers.facilities[fa.facility].kind;
            if (fa.minutes - study.scenario.limit_for(kind)).abs() < 1e-9
                && !fa.polygon.0.is_empty()
            {
                facility_areas.push(json!({"f": fa.facility, "m": fa.minutes,
                                           "g": multipolygon(&to_wgs84(&study.graph, &fa.polygon))}));
            }
        }
    }
    let roads: Vec<Value> = study
        .layers
        .roads
        .iter()
        .map(|l| Value::Array(l.coords.iter().map(|c| json!([r5(c.x), r5(c.y)])).collect()))
        .collect();
    let mut sites = Vec::new();
    for plan in ctx.plans {
        for site in &plan.solution.sites {
            let cand = &plan.candidates[site.candidate];
            sites.push(json!({
                "k": plan.kind.as_str(), "kn": kind_name(lang, plan.kind), "i": cand.id,
                "n": site_label(ctx, plan, site.candidate),
                "x": r5(cand.location.x()), "y": r5(cand.location.y()),
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
        "boundary": boundary.map(multipolygon),
        "words": words,
    })
}
