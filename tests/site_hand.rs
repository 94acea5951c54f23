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
