//! The siting outputs: sites.csv, sites.geojson, the siting section of report.md and
//! summary.json, and the siting table of report.html. `site_plan` computes; this writes.

use geo::Point;
use serde_json::{json, Map, Value};

use crate::error::{Error, Result};
use crate::report::{count_json, round_to, OutputSet, Section};
use crate::site_plan::SitePlan;
use crate::study::Study;

/// A chosen site's location and its attributes in column order.
type SiteRow = (Point<f64>, Vec<(String, Value)>);

/// One row per chosen site, shared by sites.csv and sites.geojson.
fn site_rows(study: &Study, plan: &SitePlan) -> Vec<SiteRow> {
    let s = &plan.solution;
    s.sites
        .iter()
        .enumerate()
        .map(|(rank, site)| {
            let cand = &plan.candidates[site.candidate];
            let newly: Vec<&str> = site
                .newly_covered
                .iter()
                .map(|&d| study.layers.communities[d].id.as_str())
                .collect();
            let newly_names: Vec<&str> = site
                .newly_covered
                .iter()
                .map(|&d| study.layers.communities[d].name.as_str())
                .collect();
            let row = vec![
                ("kind".into(), json!(plan.kind.as_str())),
                ("rank".into(), json!(rank + 1)),
                ("site_id".into(), json!(cand.id)),
                // Joint siting: every kind the site hosts; a kind sited alone hosts only itself.
                (
                    "kinds_at_site".into(),
                    json!(plan
                        .hosts
                        .get(&site.candidate)
                        .map(|ks| ks.iter().map(|k| k.as_str()).collect::<Vec<_>>().join(";"))
                        .unwrap_or_else(|| plan.kind.as_str().to_string())),
                ),
                ("lon".into(), json!(round_to(cand.location.x(), 7))),
                ("lat".into(), json!(round_to(cand.location.y(), 7))),
                ("newly_covered_communities".into(), json!(newly.len())),
                ("newly_covered_ids".into(), json!(newly.join(";"))),
                ("newly_covered_names".into(), json!(newly_names.join("、"))),
                (
                    "newly_covered_elderly".into(),
                    count_json(site.newly_covered_weight),
                ),
                ("served_elderly".into(), count_json(site.served_weight)),
                ("model".into(), json!(s.model)),
                ("method".into(), json!(s.method)),
                ("objective".into(), json!(round_to(s.objective, 3))),
                ("bound".into(), json!(round_to(s.bound, 3))),
                ("gap".into(), json!(round_to(s.gap, 6))),
            ];
            (cand.location, row)
        })
        .collect()
}

/// sites.csv (UTF-8 with BOM) for one or more plans.
pub fn sites_csv(study: &Study, plans: &[SitePlan]) -> Result<Vec<u8>> {
    let mut out = Vec::from("\u{feff}".as_bytes());
    {
        let mut w = csv::Writer::from_writer(&mut out);
        let err = |e: csv::Error| Error::Other(format!("writing sites.csv: {e}"));
        let mut header_written = false;
        for plan in plans {
            for (_, row) in site_rows(study, plan) {
                if !header_written {
                    w.write_record(row.iter().map(|(k, _)| k.as_str()))
                        .map_err(err)?;
                    header_written = true;
                }
                w.write_record(row.iter().map(|(_, v)| match v {
                    Value::String(s) => crate::output::csv_text(s).into_owned(),
                    other => other.to_string(),
                }))
                .map_err(err)?;
            }
        }
        if !header_written {
            w.write_record([
                "kind",
                "rank",
                "site_id",
                "kinds_at_site",
                "lon",
                "lat",
                "newly_covered_communities",
                "newly_covered_ids",
                "newly_covered_names",
                "newly_covered_elderly",
                "served_elderly",
                "model",
                "method",
                "objective",
                "bound",
                "gap",
            ])
            .map_err(err)?;
        }
        w.flush()
            .map_err(|e| Error::Other(format!("writing sites.csv: {e}")))?;
    }
    Ok(out)
}

/// sites.geojson: the chosen sites as points.
pub fn sites_geojson(study: &Study, plans: &[SitePlan]) -> Vec<u8> {
    let features = plans
        .iter()
        .flat_map(|plan| site_rows(study, plan))
        .map(|(p, row)| {
            let props: Map<String, Value> = row.into_iter().collect();
            (
                crate::report::output_geometry(&geo::Geometry::Point(p)),
                props,
            )
        })
        .collect();
    crate::report::feature_collection(features)
}

/// The siting entry of summary.json (report.md's section is built by `report::document`).
pub fn section(study: &Study, plans: &[SitePlan]) -> Section {
    let mut summary = Map::new();
    for plan in plans {
        let s = &plan.solution;
        let (before, after) = plan.communities_covered();
        summary.insert(
            plan.kind.as_str().into(),
            json!({
                "model": s.model,
                "method": s.method,
                "objective": round_to(s.objective, 3),
                "bound": round_to(s.bound, 3),
                "gap": round_to(s.gap, 6),
                "proven_optimal": s.proven_optimal,
                "candidates": plan.candidates.len(),
                "new_sites": s.chosen.iter().map(|&c| plan.candidates[c].id.clone()).collect::<Vec<_>>(),
                "communities_covered_before": before,
                "communities_covered_after": after,
                "elderly_covered_before": count_json(plan.elderly_covered_before),
                "elderly_covered_after": count_json(plan.elderly_covered_after),
                "uncoverable": s.uncoverable.iter().map(|&d| study.layers.communities[d].id.clone()).collect::<Vec<_>>(),
            }),
        );
    }
    Section {
        key: "siting".into(),
        summary: Value::Object(summary),
    }
}

/// Adds sites.csv and sites.geojson to an output set and returns the report section.
pub fn outputs(study: &Study, plans: &[SitePlan], out: &mut OutputSet) -> Result<Section> {
    out.add("sites.csv", sites_csv(study, plans)?);
    out.add("sites.geojson", sites_geojson(study, plans));
    Ok(section(study, plans))
}
