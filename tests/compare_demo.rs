//! `compare` on the demo: the current state against the state with the proposed day-care sites
//! added gives, community by community, the improvement the siting reported. And the folder
//! form reads two earlier output folders.

mod common;

use std::collections::BTreeSet;

use carecircle::compare::{compare, Change, Snapshot};
use carecircle::coverage::audit;
use carecircle::model::{Facility, FacilityKind};
use carecircle::progress::Steps;
use carecircle::site_plan::{plan_sites, SitingRequest};
use carecircle::siting::Model;
use carecircle::study::Study;
use carecircle::Warnings;

#[test]
fn compare_with_the_proposed_sites_added_matches_the_siting() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = carecircle::demo::write_demo_data(dir.path()).unwrap();
    let study = Study::load(&scenario).unwrap();
    let base_audit = audit(&study);
    let request = SitingRequest::new(&study, FacilityKind::DayCare, Model::Lscp).unwrap();
    let plan = plan_sites(&study, &base_audit, &request).unwrap();
    assert!(!plan.solution.chosen.is_empty());

    // The plan's state: the same layers with every proposed site opened as a day-care centre.
    let mut layers = study.layers.clone();
    for (n, &c) in plan.solution.chosen.iter().enumerate() {
        layers.facilities.push(Facility {
            id: format!("NEW{:03}", n + 1),
            name: format!("新建日间照料中心{}", n + 1),
            kind: FacilityKind::DayCare,
            location: plan.candidates[c].location,
            capacity: Some(20.0),
            floor_area_m2: None,
            extra: Default::default(),
        });
    }
    let planned = Study::from_layers(
        study.scenario.clone(),
        layers,
        Warnings::default(),
        &Steps::hidden(),
    )
    .unwrap();
    let plan_audit = audit(&planned);
    let cmp = compare(
        &Snapshot::from_run(&study, &base_audit, None),
        &Snapshot::from_run(&planned, &plan_audit, None),
    );
    let ids = |list: &[usize]| -> BTreeSet<String> {
        list.iter()
            .map(|&c| study.layers.communities[c].id.clone())
            .collect()
    };
    // Communities the siting says its sites newly cover (those the target applies to) ...
    let newly: Vec<usize> = plan
        .solution
        .sites
        .iter()
        .flat_map(|s| s.newly_covered.iter().copied())
        .collect();
    let newly = ids(&newly);
    // ... are exactly the urban communities compare finds gained.
    let in_scope = study.target_scope(FacilityKind::DayCare);
    let gained: BTreeSet<String> = cmp
        .communities
        .iter()
        .filter(|c| c.kind == FacilityKind::DayCare && c.change == Change::Gained)
        .filter(|c| {
            let i = study
                .layers
                .communities
                .iter()
                .position(|x| x.id == c.id)
                .unwrap();
            in_scope[i]
        })
        .map(|c| c.id.clone())
        .collect();
    assert_eq!(gained, newly);
    let (before, after) = plan.communities_covered();
    assert_eq!(after - before, gained.len());
    // Nothing is lost by adding facilities, and minutes never grow.
    assert!(cmp.communities.iter().all(|c| c.change != Change::Lost));
    assert!(cmp
        .communities
        .iter()
        .filter_map(|c| c.minutes_change())
        .all(|d| d <= 1e-9));
    // The district's elderly covered (urban communities) rise by the siting's newly covered weight.
    let d = cmp.district[&FacilityKind::DayCare];
    let newly_weight: f64 = plan
        .solution
        .sites
        .iter()
        .map(|s| s.newly_covered_weight)
        .sum();
    let urban_gain: f64 = cmp
        .communities
        .iter()
        .filter(|c| c.kind == FacilityKind::DayCare && gained.contains(&c.id))
        .map(|c| c.elderly)
        .sum();
    assert!(
        (urban_gain - newly_weight).abs() < 1e-6,
        "{urban_gain} vs {newly_weight}"
    );
    assert!(d.covered_plan > d.covered_base);
    // Canteens did not change.
    assert!(cmp
        .communities
        .iter()
        .filter(|c| c.kind == FacilityKind::Canteen)
        .all(|c| c.change == Change::Same && c.base == c.plan));
}

#[test]
fn compare_reads_two_output_folders() {
    use common::*;
    use serde_json::json;
    // Base: the hand district. Plan: one more day-care centre next to c4 (3000, -100).
    let (dir, scenario) = hand_district();
    let base_out = dir.path().join("base_out");
    carecircle::commands::run_audit(&scenario, &base_out).unwrap();
    let mut fac = facilities();
    fac.push(feature(
        point(2990.0, -100.0),
        json!({"id": "D9", "名称": "远郊日间照料中心", "类型": "日间照料中心", "床位": 20}),
    ));
    write(dir.path(), "facilities.geojson", &fc(fac));
    let plan_out = dir.path().join("plan_out");
    carecircle::commands::run_audit(&scenario, &plan_out).unwrap();
    let out = dir.path().join("cmp");
    carecircle::commands::run_compare(&[base_out.clone(), plan_out.clone()], &[], &out).unwrap();
    let csv = std::fs::read_to_string(out.join("compare.csv")).unwrap();
    let row = csv
        .lines()
        .find(|l| l.starts_with("community,c4,") && l.contains(",day_care,"))
        .unwrap_or_else(|| panic!("{csv}"));
    assert!(row.contains(",false,true,gained,"), "{row}");
    let c1 = csv
        .lines()
        .find(|l| l.starts_with("community,c1,") && l.contains(",day_care,"))
        .unwrap();
    assert!(c1.contains(",same,"), "{c1}");
    // The map of gains and losses, drawn on the plan run's scenario (its outputs.json).
    let svg = std::fs::read_to_string(out.join("map_compare_day_care.svg")).unwrap();
    assert!(svg.contains("gained 1, 失去覆盖 lost 0"), "map subtitle");
    assert!(out.join("map_compare_day_care.png").is_file());
    // Wrong arguments: an input error, nothing written.
    let none = dir.path().join("none");
    let err = carecircle::commands::run_compare(&[base_out], &[], &none).unwrap_err();
    assert!(matches!(err, carecircle::Error::Input(_)), "{err}");
    assert!(!none.exists());
}

#[test]
fn compare_runs_two_scenarios() {
    use common::*;
    use serde_json::json;
    // The same hand district twice, the plan with one more day-care centre next to c4.
    let (dir, base) = hand_district();
    let mut fac = facilities();
    fac.push(feature(
        point(2990.0, -100.0),
        json!({"id": "D9", "名称": "远郊日间照料中心", "类型": "日间照料中心"}),
    ));
    write(dir.path(), "plan_facilities.geojson", &fc(fac));
    let plan_text = std::fs::read_to_string(&base)
        .unwrap()
        .replace("\"facilities.geojson\"", "\"plan_facilities.geojson\"");
    assert!(plan_text.contains("plan_facilities.geojson"));
    write(dir.path(), "plan.toml", &plan_text);
    let out = dir.path().join("cmp");
    let written =
        carecircle::commands::run_compare(&[], &[base.clone(), dir.path().join("plan.toml")], &out)
            .unwrap();
    assert!(written.summary.contains("day_care"), "{}", written.summary);
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("compare.json")).unwrap()).unwrap();
    assert_eq!(summary["day_care"]["gained"], json!(["c4"]));
    assert_eq!(summary["day_care"]["lost"], json!(0));
    assert!(out.join("map_compare_day_care.png").is_file());
    assert!(out.join("map_compare_canteen.png").is_file());
    assert_eq!(
        summary["day_care"]["covered_plan"].as_u64().unwrap(),
        summary["day_care"]["covered_base"].as_u64().unwrap() + 1
    );
    // compare.md in the scenario's language (Chinese): the same figures, c4 listed as gained.
    let md = std::fs::read_to_string(out.join("compare.md")).unwrap();
    let base_n = summary["day_care"]["covered_base"].as_u64().unwrap();
    assert!(md.starts_with("# 方案比较 · "), "{md}");
    assert!(
        md.contains(&format!(
            "覆盖社区 {base_n} → {} 个（共 4 个；新增 1 个，减少 0 个）",
            base_n + 1
        )),
        "{md}"
    );
    assert!(md.contains("| c4 | 远郊社区 |"), "{md}");
    assert!(!md.contains("gained"), "{md}");
}
