//! Siting on the hand-made district (tests/common/mod.rs) gives the hand-derived optimum.
//!
//! Day care D1 covers only c1. Candidates: K1 (1500,100) and K4 (2000,0) each reach only c2
//! (100 m and 700 m), K2 (1500,1150) only c3 (50 m), K3 (2800,0) only c4 (300 m). So the
//! fewest new sites for full coverage is 3 ({K1, K2, K3}: K1 and K4 tie, the lower index wins)
//! and the best single new site covers c2's 200 elderly people.

mod common;

use carecircle::coverage::audit;
use carecircle::model::FacilityKind;
use carecircle::site_plan::{plan_sites, SitingRequest};
use carecircle::siting::Model;
use carecircle::study::Study;
use common::*;
use serde_json::json;

fn district_with_candidates() -> (tempfile::TempDir, std::path::PathBuf) {
    let (dir, _) = hand_district();
    let cands = vec![
        feature(point(1500.0, 100.0), json!({"id": "K1"})),
        feature(point(1500.0, 1150.0), json!({"id": "K2"})),
        feature(point(2800.0, 0.0), json!({"id": "K3"})),
        feature(point(2000.0, 0.0), json!({"id": "K4"})),
    ];
    write(dir.path(), "candidates.geojson", &fc(cands));
    let scenario = format!("{SCENARIO}\n[layers.candidates]\npath = \"candidates.geojson\"\n");
    write(dir.path(), "scenario.toml", &scenario);
    let path = dir.path().join("scenario.toml");
    (dir, path)
}

#[test]
fn lscp_and_mclp_on_the_hand_district() {
    let (_dir, scenario) = district_with_candidates();
    let study = Study::load(&scenario).unwrap();
    let a = audit(&study);

    let req = SitingRequest::new(&study, FacilityKind::DayCare, Model::Lscp).unwrap();
    let plan = plan_sites(&study, &a, &req).unwrap();
    let ids: Vec<&str> = plan
        .solution
        .chosen
        .iter()
        .map(|&c| plan.candidates[c].id.as_str())
        .collect();
    assert_eq!(ids, vec!["K1", "K2", "K3"]);
    assert_eq!(plan.solution.objective, 3.0);
    assert_eq!(plan.solution.gap, 0.0);
    assert!(plan.solution.uncoverable.is_empty());
    assert_eq!(plan.communities_covered(), (1, 4));
    assert_eq!(
        (plan.solution.covered_before, plan.solution.covered_after),
        (100.0, 430.0)
    );

    let req = SitingRequest::new(&study, FacilityKind::DayCare, Model::Mclp { p: 1 }).unwrap();
    let plan = plan_sites(&study, &a, &req).unwrap();
    assert_eq!(plan.candidates[plan.solution.chosen[0]].id, "K1");
    assert_eq!(plan.solution.objective, 300.0);
    assert_eq!(plan.solution.sites[0].newly_covered, vec![1]);
    assert_eq!(plan.communities_covered(), (1, 2));
}

#[test]
fn site_command_writes_sites_and_lists_unreachable_communities() {
    let (dir, scenario) = district_with_candidates();
    // Without K3 nothing reaches c4: LSCP covers the rest and names c4.
    let cands = vec![
        feature(point(1500.0, 100.0), json!({"id": "K1"})),
        feature(point(1500.0, 1150.0), json!({"id": "K2"})),
    ];
    write(dir.path(), "candidates.geojson", &fc(cands));
    let out = dir.path().join("out");
    carecircle_ok(
        &["site", "--kind", "日间照料中心", "--model", "lscp"],
        &scenario,
        &out,
    );
    let csv = std::fs::read_to_string(out.join("sites.csv")).unwrap();
    let rows: Vec<&str> = csv.lines().collect();
    assert_eq!(rows.len(), 3, "{csv}");
    assert!(rows[1].starts_with("day_care,1,K1,"), "{}", rows[1]);
    assert!(rows[2].starts_with("day_care,2,K2,"), "{}", rows[2]);
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["siting"]["day_care"]["uncoverable"], json!(["c4"]));
    assert_eq!(
        summary["siting"]["day_care"]["communities_covered_after"],
        3
    );
    let sites: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("sites.geojson")).unwrap()).unwrap();
    assert_eq!(
        sites["features"][0]["properties"]["newly_covered_ids"],
        "c2"
    );
    assert!(out.join("map_sites_day_care.png").exists());

    // mclp without --p is refused with a message, and nothing is written.
    let out2 = dir.path().join("out2");
    let run = carecircle(
        &["site", "--kind", "day_care", "--model", "mclp"],
        &scenario,
        &out2,
    );
    assert!(!run.status.success());
    assert!(String::from_utf8_lossy(&run.stderr).contains("--p"));
    assert!(!out2.exists());
}

/// `site --certificate` writes the proof summary and the table it refers to; the MCLP and
/// p-median bounds are re-checked from those two files alone (the reach table rebuilt from
/// certificate_reach.csv, the weights and site counts from certificate.json).
#[test]
fn site_certificate_is_rechecked_from_its_files() {
    use carecircle::reach_table::ReachTable;
    use carecircle::siting::{check_dual, DualCertificate, SitingOptions, SitingProblem};
    let (dir, scenario) = district_with_candidates();
    for (model, p, objective) in [("mclp", 1, Some(300.0)), ("pmedian", 2, None)] {
        let out = dir.path().join(format!("out_{model}"));
        carecircle_ok(
            &[
                "site",
                "--kind",
                "day_care",
                "--model",
                model,
                "--p",
                &p.to_string(),
                "--certificate",
            ],
            &scenario,
            &out,
        );
        let cert: serde_json::Value =
            serde_json::from_slice(&std::fs::read(out.join("certificate.json")).unwrap()).unwrap();
        assert_eq!(cert["model"], model);
        assert_eq!(cert["demand_ids"], json!(["c1", "c2", "c3", "c4"]));
        assert_eq!(cert["existing_ids"].as_array().unwrap().len(), 1);
        assert_eq!(cert["candidate_ids"], json!(["K1", "K2", "K3", "K4"]));
        assert_eq!(cert["proven_optimal"], true);
        if let Some(objective) = objective {
            assert_eq!(cert["objective"], objective);
        }
        // The table, from the CSV (BOM, header, then demand, community, site, site id, minutes).
        let csv = std::fs::read_to_string(out.join("certificate_reach.csv")).unwrap();
        let mut trip = Vec::new();
        for line in csv.trim_start_matches('\u{feff}').lines().skip(1) {
            let f: Vec<&str> = line.split(',').collect();
            trip.push((
                f[0].parse().unwrap(),
                f[2].parse().unwrap(),
                f[4].parse().unwrap(),
            ));
        }
        assert!(!trip.is_empty());
        let n_existing = cert["existing_ids"].as_array().unwrap().len();
        let n_sites = n_existing + cert["candidate_ids"].as_array().unwrap().len();
        let weights: Vec<f64> = cert["weights"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| w.as_f64().unwrap())
            .collect();
        let problem = SitingProblem {
            reach: ReachTable::from_triplets(
                weights.len(),
                n_sites,
                cert["limit_min"].as_f64().unwrap(),
                trip,
            ),
            weights,
            n_existing,
            ..SitingProblem::default()
        };
        let dual = DualCertificate {
            multipliers: cert["dual"]["multipliers"]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_f64().unwrap())
                .collect(),
            dominated: cert["dual"]["dominated_candidates"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| {
                    (
                        e[0].as_u64().unwrap() as usize,
                        e[1].as_u64().unwrap() as usize,
                    )
                })
                .collect(),
            bound: cert["dual"]["bound"].as_f64().unwrap(),
        };
        let m = if model == "mclp" {
            Model::Mclp { p }
        } else {
            Model::PMedian { p }
        };
        let checked = check_dual(&problem, &m, &SitingOptions::default(), &dual).unwrap();
        assert!(
            (checked - dual.bound).abs() < 1e-6,
            "{model}: {checked} vs {}",
            dual.bound
        );
        let bound = cert["bound"].as_f64().unwrap();
        if model == "mclp" {
            // An upper bound on the covered weight, at least the optimum's 300 + D1's 100.
            assert!(
                checked >= bound - 1e-6 && bound >= 300.0,
                "{checked} {bound}"
            );
        } else {
            assert!(checked <= bound + 1e-6, "{checked} {bound}");
        }
    }
}
