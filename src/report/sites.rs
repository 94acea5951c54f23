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

/// certificate.json for `site --certificate`: the solution's proof summary
/// ([`crate::siting::certificate_json`]: objective, bound, gap, the LSCP reductions and
/// components, or the MCLP / p-median multipliers) with what its indices mean: demand `i` is
/// community `demand_ids[i]` with weight `weights[i]`, site `s` is `existing_ids[s]` for the
/// existing facilities and then `candidate_ids[s - existing]`, and `chosen` and the dominated
/// candidates count among the candidates. `reach_csv` names the table of the solve.
pub fn certificate_json(study: &Study, plan: &SitePlan, reach_csv: &str) -> Vec<u8> {
    let mut doc: Value = serde_json::from_slice(&crate::siting::certificate_json(&plan.solution))
        .expect("the certificate is JSON");
    let ids = |v: Vec<&str>| json!(v);
    doc["kind"] = json!(plan.kind.as_str());
    doc["demand_ids"] = ids((0..plan.reach.n_demand)
        .map(|d| study.layers.communities[d].id.as_str())
        .collect());
    doc["weights"] = json!(plan.weights);
    doc["existing_ids"] = ids(plan
        .existing
        .iter()
        .map(|&f| study.layers.facilities[f].id.as_str())
        .collect());
    doc["candidate_ids"] = ids(plan.candidates.iter().map(|c| c.id.as_str()).collect());
    doc["limit_min"] = json!(plan.limit_min);
    if plan.solution.model == "pmedian" && !plan.unlimited {
        // f_i of a demand no open site reaches: its weight × these minutes.
        doc["unreached_minutes"] = json!(2.0 * plan.limit_min);
    }
    doc["reach_table"] = json!(if plan.unlimited {
        format!(
            "{reach_csv}: the pairs within {} min; this p-median ran on the travel times without a limit, which are not written",
            plan.limit_min
        )
    } else {
        format!(
            "{reach_csv}: every demand-site pair within {} min, the table the model was solved on",
            plan.limit_min
        )
    });
    let mut out = serde_json::to_vec_pretty(&doc).expect("JSON of plain values");
    out.push(b'\n');
    out
}

/// The reach table of a plan as CSV (UTF-8 with BOM): demand index, community id, site index
/// (existing facilities first, then the candidates), site id and minutes, one row per pair
/// within the limit, for checking certificate.json.
pub fn reach_csv(study: &Study, plan: &SitePlan) -> Result<Vec<u8>> {
    let mut out = Vec::from("\u{feff}".as_bytes());
    {
        let mut w = csv::Writer::from_writer(&mut out);
        let err = |e: csv::Error| Error::Other(format!("writing the reach table: {e}"));
        w.write_record(["demand", "community_id", "site", "site_id", "minutes"])
            .map_err(err)?;
        let ne = plan.existing.len();
        for d in 0..plan.reach.n_demand {
            let community = crate::output::csv_text(&study.layers.communities[d].id).into_owned();
            for (s, minutes) in plan.reach.row(d) {
                let s = s as usize;
                let site = if s < ne {
                    &study.layers.facilities[plan.existing[s]].id
                } else {
                    &plan.candidates[s - ne].id
                };
                w.write_record([
                    d.to_string(),
                    community.clone(),
                    s.to_string(),
                    crate::output::csv_text(site).into_owned(),
                    minutes.to_string(),
                ])
                .map_err(err)?;
            }
        }
        w.flush()
            .map_err(|e| Error::Other(format!("writing the reach table: {e}")))?;
    }
    Ok(out)
}
