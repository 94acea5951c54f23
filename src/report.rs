//! Files a bureau can hand on: summary.json, coverage.csv (UTF-8 with BOM for Excel),
//! communities.geojson, uncovered.geojson and report.md. All outputs of a run are written to
//! temporary files first and renamed into place, so no file is ever left half-written.

pub mod document;
pub mod map_data;
pub mod service_areas;
pub mod sites;
pub mod table;

use std::fmt::Write as _;

use geo::{Geometry, MapCoords, Orient};
use serde_json::{json, Map, Value};

use crate::coverage::{Audit, Totals};
use crate::error::{Error, Result, WarningKind};
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

fn totals_json(t: &Totals) -> Value {
    json!({
        "communities": t.communities,
        "communities_covered": t.communities_covered,
        "community_share": crate::figures::share_value(t.community_share, 4),
        "population": count_json(t.population),
        "population_covered": count_json(t.population_covered),
        "elderly": count_json(t.elderly),
        "elderly_covered": count_json(t.elderly_covered),
        "elderly_share": crate::figures::share_value(t.elderly_share, 4),
    })
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

/// summary.json: machine-readable totals per kind, per street, and the warnings.
pub fn summary_json(study: &Study, audit: &Audit) -> Value {
    let mut coverage = Map::new();
    for k in &audit.kinds {
        let total = audit.totals(k, |_| true);
        let streets: Vec<Value> = audit
            .by_street(study, k)
            .iter()
            .map(|(street, t)| {
                let mut v = totals_json(t);
                v.as_object_mut()
                    .map(|o| o.insert("street".into(), json!(street)));
                v
            })
            .collect();
        let mut entry = Map::new();
        entry.insert("name_zh".into(), json!(k.kind.chinese()));
        entry.insert("limit_min".into(), json!(k.limit_min));
        entry.insert("facilities".into(), json!(k.facilities));
        if let Some(t) = k.target {
            entry.insert("target_community_share".into(), json!(t.coverage));
            entry.insert(
                "meets_target".into(),
                json!(total.community_share + 1e-12 >= t.coverage),
            );
        }
        entry.insert("district".into(), totals_json(&total));
        entry.insert("streets".into(), json!(streets));
        coverage.insert(k.kind.as_str().into(), Value::Object(entry));
    }
    let mut warning_counts = Map::new();
    for kind in [
        WarningKind::RepairedPolygon,
        WarningKind::FarFromRoad,
        WarningKind::DisconnectedRoads,
        WarningKind::CellOutsideCommunities,
        WarningKind::SkippedRoad,
        WarningKind::Other,
    ] {
        let key = serde_json::to_value(kind)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        warning_counts.insert(key, json!(study.warnings.count(kind)));
    }
    let g = &study.graph;
    json!({
        "scenario": study.scenario.name,
        "input_crs": study.scenario.crs,
        "output_crs": "WGS-84 (EPSG:4326)",
        "travel": {
            "mode": study.scenario.travel.mode.as_str(),
            "speed_m_per_min": study.scenario.travel.speed_m_per_min,
            "limit_min": study.scenario.travel.limit_min,
        },
        "demand": if study.demand_from_cells { "population cells" } else { "community points" },
        "counts": {
            "communities": study.layers.communities.len(),
            "streets": street_count(study),
            "facilities": study.layers.facilities.len(),
            "population_cells": study.layers.population.len(),
            "population": count_json(audit.population.iter().sum()),
            "elderly": count_json(audit.elderly.iter().sum()),
        },
        "network": {
            "nodes": g.node_count(),
            "edges": g.edge_count(),
            "length_km": round_to(g.total_length_m() / 1000.0, 3),
            "dropped_pieces": g.dropped_pieces,
            "dropped_edges": g.dropped_edges,
        },
        "coverage": coverage,
        "warnings": warning_counts,
        "warning_messages": study.warnings.items.iter().map(|w| w.message.clone()).collect::<Vec<_>>(),
    })
}

fn street_count(study: &Study) -> usize {
    study
        .layers
        .communities
        .iter()
        .map(|c| c.street.as_str())
        .collect::<std::collections::BTreeSet<_>>()
        .len()
}

/// The per-community attributes shared by coverage.csv and communities.geojson.
fn community_row(study: &Study, audit: &Audit, c: usize) -> Vec<(String, Value)> {
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
    let mut out = Vec::from("\u{feff}".as_bytes());
    {
        let mut w = csv::Writer::from_writer(&mut out);
        let csv_err = |e: csv::Error| Error::Other(format!("writing coverage.csv: {e}"));
        for c in 0..study.layers.communities.len() {
            let row = community_row(study, audit, c);
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
    feature_collection(
        (0..study.layers.communities.len())
            .map(|c| {
                let props: Map<String, Value> =
                    community_row(study, audit, c).into_iter().collect();
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

fn pct(x: f64) -> String {
    crate::figures::percent(x)
}

/// Escapes text from the data for a Markdown table cell.
pub fn md_cell(s: &str) -> String {
    s.replace('|', "\\|").replace(['\n', '\r'], " ")
}

/// The audit section of report.md.
pub fn audit_markdown(study: &Study, audit: &Audit) -> String {
    let mut md = String::new();
    let s = &study.scenario;
    let _ = writeln!(
        md,
        "# 养老服务圈覆盖评估 · Coverage audit: {}\n",
        md_cell(&s.name)
    );
    let _ = writeln!(
        md,
        "Travel: {} at {} m/min; demand counted from {}; {} communities in {} streets; {} facilities.\n",
        s.travel.mode.as_str(),
        s.travel.speed_m_per_min,
        if study.demand_from_cells { "population cells" } else { "community points" },
        study.layers.communities.len(),
        street_count(study),
        study.layers.facilities.len()
    );
    let _ = writeln!(
        md,
        "Road network: {} nodes, {} edges, {:.1} km (walkable graph, largest connected piece).\n",
        study.graph.node_count(),
        study.graph.edge_count(),
        study.graph.total_length_m() / 1000.0
    );
    md.push_str("## District coverage\n\n");
    md.push_str("| kind | limit (min) | facilities | communities covered | share | elderly covered | share | target |\n");
    md.push_str("|---|---:|---:|---:|---:|---:|---:|---|\n");
    for k in &audit.kinds {
        let t = audit.totals(k, |_| true);
        let target = match k.target {
            Some(tg) if t.community_share + 1e-12 >= tg.coverage => {
                format!("{} ✔ met", pct(tg.coverage))
            }
            Some(tg) => format!("{} ✘ not met", pct(tg.coverage)),
            None => "–".into(),
        };
        let _ = writeln!(
            md,
            "| {} {} | {} | {} | {} / {} | {} | {:.0} / {:.0} | {} | {} |",
            k.kind.chinese(),
            k.kind.as_str(),
            k.limit_min,
            k.facilities,
            t.communities_covered,
            t.communities,
            pct(t.community_share),
            t.elderly_covered,
            t.elderly,
            pct(t.elderly_share),
            target
        );
    }
    for k in &audit.kinds {
        let _ = writeln!(
            md,
            "\n## {} ({}) by street\n",
            k.kind.chinese(),
            k.kind.as_str()
        );
        md.push_str("| street | communities covered | share | elderly covered | share |\n|---|---:|---:|---:|---:|\n");
        for (street, t) in audit.by_street(study, k) {
            let _ = writeln!(
                md,
                "| {} | {} / {} | {} | {:.0} / {:.0} | {} |",
                md_cell(&street),
                t.communities_covered,
                t.communities,
                pct(t.community_share),
                t.elderly_covered,
                t.elderly,
                pct(t.elderly_share)
            );
        }
        let uncovered = audit.uncovered(study, k);
        let _ = writeln!(
            md,
            "\n### Not covered within {} min: {} communities\n",
            k.limit_min,
            uncovered.len()
        );
        if !uncovered.is_empty() {
            md.push_str(
                "| community | street | elderly | nearest | minutes |\n|---|---|---:|---|---:|\n",
            );
            for c in uncovered {
                let com = &study.layers.communities[c];
                let (near, minutes) = match k.nearest[c] {
                    Some(n) => (
                        md_cell(&study.layers.facilities[n.facility].name),
                        format!("{:.1}", n.minutes),
                    ),
                    None => ("none reachable".into(), "–".into()),
                };
                let _ = writeln!(
                    md,
                    "| {} {} | {} | {:.0} | {} | {} |",
                    md_cell(&com.id),
                    md_cell(&com.name),
                    md_cell(&com.street),
                    audit.elderly[c],
                    near,
                    minutes
                );
            }
        }
    }
    if !study.warnings.items.is_empty() {
        let _ = writeln!(md, "\n## Warnings ({})\n", study.warnings.items.len());
        for w in &study.warnings.items {
            let _ = writeln!(md, "- {}", md_cell(&w.message));
        }
    }
    md
}

/// What a later stage (service areas, siting, rules) adds to the shared report: a Markdown
/// section for report.md and a value stored under `key` in summary.json.
#[derive(Debug, Clone)]
pub struct Section {
    pub key: String,
    pub markdown: String,
    pub summary: Value,
}

/// All audit outputs into an output set, with the sections of later stages appended to
/// report.md and summary.json.
pub fn audit_outputs(
    study: &Study,
    audit: &Audit,
    sections: &[Section],
    out: &mut OutputSet,
) -> Result<()> {
    let mut summary = summary_json(study, audit);
    let mut md = audit_markdown(study, audit);
    for section in sections {
        if let Some(obj) = summary.as_object_mut() {
            obj.insert(section.key.clone(), section.summary.clone());
        }
        md.push('\n');
        md.push_str(&section.markdown);
    }
    let mut summary_text = serde_json::to_string_pretty(&summary)
        .map_err(|e| Error::Other(format!("writing summary.json: {e}")))?;
    summary_text.push('\n');
    out.add("summary.json", summary_text.into_bytes());
    out.add("coverage.csv", coverage_csv(study, audit)?);
    out.add("communities.geojson", communities_geojson(study, audit));
    out.add("uncovered.geojson", uncovered_geojson(study, audit));
    out.add("report.md", md.into_bytes());
    Ok(())
}
