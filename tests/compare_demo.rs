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
    // Wrong arguments: an input error, nothing written.
    let none = dir.path().join("none");
    let err = carecircle::commands::run_compare(&[base_out], &[], &none).unwrap_err();
    assert!(matches!(err, carecircle::Error::Input(_)), "{err}");
    assert!(!none.exists());
}
