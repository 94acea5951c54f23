//! The service-area outputs: service_areas.geojson and the service-area entry of summary.json
//! (report.md's section is built by `report::document`). `areas` computes; this writes.

use geo::Geometry;
use serde_json::{json, Map, Value};

use crate::areas::{FacilityArea, ServiceAreas};
use crate::error::Result;
use crate::report::{self, round_to, OutputSet, Section};
use crate::study::Study;

/// service_areas.geojson: one feature per facility and band, then one dissolved feature per
/// kind and band; MultiPolygons in WGS-84 with the right-hand rule.
pub fn geojson(study: &Study, areas: &ServiceAreas) -> Vec<u8> {
    let mut features = Vec::new();
    for a in &areas.facilities {
        let f = &study.layers.facilities[a.facility];
        let mut p = Map::new();
        p.insert("facility_id".into(), json!(f.id));
        p.insert("name".into(), json!(f.name));
        p.insert("kind".into(), json!(f.kind.as_str()));
        p.insert("kind_zh".into(), json!(f.kind.chinese()));
        p.insert("minutes".into(), json!(a.minutes));
        p.insert("dissolved".into(), json!(false));
        p.insert("area_km2".into(), json!(round_to(a.area_km2, 4)));
        p.insert("population".into(), json!(round_to(a.population, 1)));
        p.insert("elderly".into(), json!(round_to(a.elderly, 1)));
        p.insert("circle_km2".into(), json!(round_to(a.circle_km2, 4)));
        p.insert("ratio_to_circle".into(), json!(round_to(a.ratio(), 4)));
        p.insert("lateral_m".into(), json!(areas.options.lateral_m));
        let g = Geometry::MultiPolygon(a.wgs84.clone());
        features.push((report::output_geometry(&g), p));
    }
    for k in &areas.kinds {
        if k.polygon.0.is_empty() {
            continue;
        }
        let mut p = Map::new();
        p.insert("facility_id".into(), Value::Null);
        p.insert(
            "name".into(),
            json!(format!("{} ({}) all", k.kind.chinese(), k.kind.as_str())),
        );
        p.insert("kind".into(), json!(k.kind.as_str()));
        p.insert("kind_zh".into(), json!(k.kind.chinese()));
        p.insert("minutes".into(), json!(k.minutes));
        p.insert("dissolved".into(), json!(true));
        p.insert("facilities".into(), json!(k.facilities));
        p.insert("area_km2".into(), json!(round_to(k.area_km2, 4)));
        p.insert("population".into(), json!(round_to(k.population, 1)));
        p.insert("elderly".into(), json!(round_to(k.elderly, 1)));
        p.insert(
            "district_area_share".into(),
            json!(round_to(k.district_area_share, 4)),
        );
        p.insert("elderly_share".into(), json!(round_to(k.elderly_share, 4)));
        p.insert("lateral_m".into(), json!(areas.options.lateral_m));
        let g = Geometry::MultiPolygon(k.wgs84.clone());
        features.push((report::output_geometry(&g), p));
    }
    report::feature_collection(features)
}

/// The service-area entry of summary.json (key `service_areas`).
pub fn section(study: &Study, areas: &ServiceAreas) -> Section {
    let o = &areas.options;
    let mut kinds_json = Map::new();
    for k in &areas.kinds {
        let ratios: Vec<f64> = areas
            .facilities
            .iter()
            .filter(|a| {
                a.minutes == k.minutes && study.layers.facilities[a.facility].kind == k.kind
            })
            .map(FacilityArea::ratio)
            .collect();
        let mean_ratio = if ratios.is_empty() {
            None
        } else {
            Some(ratios.iter().sum::<f64>() / ratios.len() as f64)
        };
        let entry = kinds_json
            .entry(k.kind.as_str().to_string())
            .or_insert_with(|| json!([]));
        if let Some(list) = entry.as_array_mut() {
            list.push(json!({
                "minutes": k.minutes,
                "facilities": k.facilities,
                "area_km2": round_to(k.area_km2, 4),
                "district_area_km2": round_to(k.district_area_km2, 4),
                "district_area_share": round_to(k.district_area_share, 4),
                "population": round_to(k.population, 1),
                // People inside the polygon: not the audit's "elderly covered" (see report).
                "elderly_inside": round_to(k.elderly, 1),
                "elderly_inside_share": round_to(k.elderly_share, 4),
                "mean_ratio_to_circle": mean_ratio.map(|r| round_to(r, 4)),
            }));
        }
    }
    Section {
        key: "service_areas".into(),
        summary: json!({
            "bands_min": o.bands,
            "lateral_m": o.lateral_m,
            "speed_m_per_min": areas.speed_m_per_min,
            "district_area_km2": round_to(areas.district_area_km2, 4),
            "district_area_basis": areas.district_basis.as_str(),
            "elderly": round_to(areas.total_elderly, 1),
            "kinds": kinds_json,
        }),
    }
}

/// Adds service_areas.geojson to the output set and returns the report section for
/// `report::audit_outputs`.
pub fn outputs(study: &Study, areas: &ServiceAreas, out: &mut OutputSet) -> Result<Section> {
    out.add("service_areas.geojson", geojson(study, areas));
    Ok(section(study, areas))
}
