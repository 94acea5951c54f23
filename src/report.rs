//! Files a bureau can hand on: summary.json, coverage.csv (UTF-8 with BOM for Excel),
//! communities.geojson, uncovered.geojson and report.md. All outputs of a run are written to
//! temporary files first and renamed into place, so no file is ever left half-written.

pub mod access;
pub mod document;
pub mod map_data;
pub mod service_areas;
pub mod settings;
pub mod sites;
pub mod summary;
pub mod table;

use geo::{Geometry, MapCoords, Orient};
use serde_json::{json, Map, Value};

use crate::coverage::Audit;
use crate::error::{Error, Result};
use crate::study::Study;

/// The output set moved to [`crate::output`]; re-exported so callers keep compiling.
pub use crate::output::OutputSet;

pub fn round_to(x: f64, decimals: i32) -> f64 {
    let f = 10f64.powi(decimals);
    (x * f).round() / f
}

/// A head count: whole numbers print without a decimal point ("1233", not "1233.0"), which
/// reads better in Excel; fractional counts (weights, shares of cells) keep one decimal.
pub fn count_json(x: f64) -> Value {
    let r = round_to(x, 1);
    if r.fract() == 0.0 && r.abs() < 9.0e15 {
        json!(r as i64)
    } else {
        json!(r)
    }
}

fn minutes_json(m: Option<f64>) -> Value {
    match m {
        Some(m) if m.is_finite() => json!(round_to(m, 2)),
        _ => Value::Null,
    }
}

/// Geometry for GeoJSON output: RFC 7946 ring orientation (exterior counter-clockwise, the
/// right-hand rule QGIS expects) and coordinates rounded to 1e-7° (about 1 cm).
pub fn output_geometry(g: &Geometry<f64>) -> geojson::Geometry {
    let g = match g {
        Geometry::Polygon(p) => Geometry::Polygon(p.orient(geo::orient::Direction::Default)),
        Geometry::MultiPolygon(p) => {
            Geometry::MultiPolygon(p.orient(geo::orient::Direction::Default))
        }
        other => other.clone(),
    };
    let g = g.map_coords(|c| geo::Coord {
        x: round_to(c.x, 7),
        y: round_to(c.y, 7),
    });
    geojson::Geometry::from(&g)
}

/// A FeatureCollection from (geometry, properties) pairs.
pub fn feature_collection(features: Vec<(geojson::Geometry, Map<String, Value>)>) -> Vec<u8> {
    let fc = geojson::FeatureCollection {
        bbox: None,
        features: features
            .into_iter()
            .map(|(g, p)| geojson::Feature {
                bbox: None,
                geometry: Some(g),
                id: None,
                properties: Some(p),
                foreign_members: None,
            })
            .collect(),
        foreign_members: None,
    };
    let mut s = geojson::GeoJson::FeatureCollection(fc).to_string();
    s.push('\n');
    s.into_bytes()
}

/// summary.json's audit part (typed in [`summary::Summary`]) as a JSON value, to which the
/// later stages add their entries.
pub fn summary_json(study: &Study, audit: &Audit) -> Value {
    serde_json::to_value(summary::summary(study, audit)).unwrap_or(Value::Null)
}

/// The per-community attributes shared by coverage.csv and communities.geojson.
fn community_row(
    study: &Study,
    audit: &Audit,
    access: Option<&crate::access::AccessReport>,
    c: usize,
) -> Vec<(String, Value)> {
    let com = &study.layers.communities[c];
    let mut row: Vec<(String, Value)> = vec![
        ("id".into(), json!(com.id)),
        ("name".into(), json!(com.name)),
        ("street".into(), json!(com.street)),
        ("population".into(), count_json(audit.population[c])),
        ("elderly".into(), count_json(audit.elderly[c])),
    ];
    for k in &audit.kinds {
        let kind = k.kind.as_str();
        let nearest = k.nearest[c];
        let fac = nearest.map(|n| &study.layers.facilities[n.facility]);
        row.push((
            format!("{kind}_nearest_id"),
            json!(fac.map(|f| f.id.clone())),
        ));
        row.push((
            format!("{kind}_nearest_name"),
            json!(fac.map(|f| f.name.clone())),
        ));
        row.push((
            format!("{kind}_minutes"),
            minutes_json(nearest.map(|n| n.minutes)),
        ));
        row.push((format!("{kind}_covered"), json!(k.covered[c])));
        row.push((
            format!("{kind}_elderly_covered"),
            count_json(k.elderly_covered[c]),
        ));
    }
    if let Some(access) = access {
        row.extend(access::community_columns(access, audit, c));
    }
    row
}

fn csv_cell(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => crate::output::csv_text(s).into_owned(),
        Value::Bool(true) => "yes".into(),
        Value::Bool(false) => "no".into(),
        other => other.to_string(),
    }
}

/// coverage.csv: one row per community (UTF-8 with BOM so Excel shows Chinese).
pub fn coverage_csv(study: &Study, audit: &Audit) -> Result<Vec<u8>> {
    coverage_csv_with_access(study, audit, None)
}

/// coverage.csv with the accessibility columns of `access` (see `report::access`).
pub fn coverage_csv_with_access(
    study: &Study,
    audit: &Audit,
    access: Option<&crate::access::AccessReport>,
) -> Result<Vec<u8>> {
    let mut out = Vec::from("\u{feff}".as_bytes());
    {
        let mut w = csv::Writer::from_writer(&mut out);
        let csv_err = |e: csv::Error| Error::Other(format!("writing coverage.csv: {e}"));
        for c in 0..study.layers.communities.len() {
            let row = community_row(study, audit, access, c);
            if c == 0 {
                w.write_record(row.iter().map(|(k, _)| k.as_str()))
                    .map_err(csv_err)?;
            }
            w.write_record(row.iter().map(|(_, v)| csv_cell(v)))
                .map_err(csv_err)?;
        }
        w.flush()
            .map_err(|e| Error::Other(format!("writing coverage.csv: {e}")))?;
    }
    Ok(out)
}

/// communities.geojson: the communities with the audit's attributes.
pub fn communities_geojson(study: &Study, audit: &Audit) -> Vec<u8> {
    communities_geojson_with_access(study, audit, None)
}

/// communities.geojson with the accessibility columns of `access`.
pub fn communities_geojson_with_access(
    study: &Study,
    audit: &Audit,
    access: Option<&crate::access::AccessReport>,
) -> Vec<u8> {
    feature_collection(
        (0..study.layers.communities.len())
            .map(|c| {
                let props: Map<String, Value> =
                    community_row(study, audit, access, c).into_iter().collect();
                (
                    output_geometry(&study.layers.communities[c].geometry),
                    props,
                )
            })
            .collect(),
    )
}

/// uncovered.geojson: one feature per community and kind not covered, most elderly first.
pub fn uncovered_geojson(study: &Study, audit: &Audit) -> Vec<u8> {
    let mut features = Vec::new();
    for k in &audit.kinds {
        for c in audit.uncovered(study, k) {
            let com = &study.layers.communities[c];
            let nearest = k.nearest[c];
            let mut p = Map::new();
            p.insert("kind".into(), json!(k.kind.as_str()));
            p.insert("kind_zh".into(), json!(k.kind.chinese()));
            p.insert("id".into(), json!(com.id));
            p.insert("name".into(), json!(com.name));
            p.insert("street".into(), json!(com.street));
            p.insert("elderly".into(), count_json(audit.elderly[c]));
            p.insert(
                "elderly_uncovered".into(),
                count_json(audit.elderly[c] - k.elderly_covered[c]),
            );
            p.insert("limit_min".into(), json!(k.limit_min));
            p.insert(
                "nearest_id".into(),
                json!(nearest.map(|n| study.layers.facilities[n.facility].id.clone())),
            );
            p.insert(
                "nearest_minutes".into(),
                minutes_json(nearest.map(|n| n.minutes)),
            );
            features.push((output_geometry(&com.geometry), p));
        }
    }
    feature_collection(features)
}

/// Escapes text from the data for a Markdown table cell.
pub fn md_cell(s: &str) -> String {
    s.replace('|', "\\|").replace(['\n', '\r'], " ")
}

/// What a later stage (service areas, siting, rules, accessibility) adds to summary.json: a
/// value stored under `key`. (report.md, report.html and report.xlsx are rendered from
/// `report::document`.)
#[derive(Debug, Clone)]
pub struct Section {
    pub key: String,
    pub summary: Value,
}

/// The audit's data outputs (summary.json with the later stages' entries, coverage.csv,
/// communities.geojson, uncovered.geojson) into an output set.
pub fn audit_outputs(
    study: &Study,
    audit: &Audit,
    sections: &[Section],
    out: &mut OutputSet,
) -> Result<()> {
    audit_outputs_with_access(study, audit, None, sections, out)
}

/// [`audit_outputs`] with the accessibility columns in coverage.csv and communities.geojson.
pub fn audit_outputs_with_access(
    study: &Study,
    audit: &Audit,
    access: Option<&crate::access::AccessReport>,
    sections: &[Section],
    out: &mut OutputSet,
) -> Result<()> {
    let mut summary = summary_json(study, audit);
    for section in sections {
        if let Some(obj) = summary.as_object_mut() {
            obj.insert(section.key.clone(), section.summary.clone());
        }
    }
    // The files are independent: made on both cores, added in the same order.
    let ((summary_text, coverage), (communities, uncovered)) = rayon::join(
        || {
            rayon::join(
                || serde_json::to_string_pretty(&summary),
                || coverage_csv_with_access(study, audit, access),
            )
        },
        || {
            rayon::join(
                || communities_geojson_with_access(study, audit, access),
                || uncovered_geojson(study, audit),
            )
        },
    );
    let mut summary_text =
        summary_text.map_err(|e| Error::Other(format!("writing summary.json: {e}")))?;
    summary_text.push('\n');
    out.add("summary.json", summary_text.into_bytes());
    out.add("coverage.csv", coverage?);
    out.add("communities.geojson", communities);
    out.add("uncovered.geojson", uncovered);
    Ok(())
}
