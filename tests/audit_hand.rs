//! An audit of a small hand-made district gives hand-computed coverage numbers, per street and
//! in total. The district is drawn in tests/common/mod.rs.

mod common;

use carecircle::coverage::audit;
use carecircle::model::FacilityKind;
use carecircle::study::Study;
use common::*;
use serde_json::json;

fn minutes(m: f64) -> f64 {
    m / 60.0
}

#[test]
fn hand_district_minutes_and_totals() {
    let (_dir, scenario) = hand_district();
    let study = Study::load(&scenario).unwrap();
    assert_eq!(study.graph.node_count(), 4);
    let a = audit(&study);
    assert_eq!(a.kinds.len(), 2);
    let day = a
        .kinds
        .iter()
        .find(|k| k.kind == FacilityKind::DayCare)
        .unwrap();
    let canteen = a
        .kinds
        .iter()
        .find(|k| k.kind == FacilityKind::Canteen)
        .unwrap();

    // Hand computation, metres walked (access legs included):
    //   c1 → D1: 50 + 500 + 20 = 570        c1 → C1: 50 + 1500 + 1000 + 20 = 2570
    //   c2 → D1: 200 + 1000 + 20 = 1220     c2 → C1: 800 + 20 = 820
    //   c3 → D1: 50 + 1150 + 1000 + 20      c3 → C1: 50 + 150 + 20 = 220
    //   c4 → D1: 100 + 2500 + 20 = 2620     c4 → C1: 100 + 1500 + 1000 + 20 = 2620
    let want_day = [570.0, 1220.0, 2220.0, 2620.0];
    let want_canteen = [2570.0, 820.0, 220.0, 2620.0];
    for c in 0..4 {
        let d = day.nearest[c].unwrap();
        let k = canteen.nearest[c].unwrap();
        assert!(
            (d.minutes - minutes(want_day[c])).abs() < 0.01,
            "c{} day {}",
            c + 1,
            d.minutes
        );
        assert!(
            (k.minutes - minutes(want_canteen[c])).abs() < 0.01,
            "c{} canteen {}",
            c + 1,
            k.minutes
        );
    }
    assert_eq!(day.covered, vec![true, false, false, false]);
    assert_eq!(canteen.covered, vec![false, true, true, false]);

    let t = a.totals(day, |_| true);
    assert_eq!((t.communities, t.communities_covered), (4, 1));
    assert_eq!((t.elderly, t.elderly_covered), (430.0, 100.0));
    assert_eq!(t.population_covered, 1000.0);
    let t = a.totals(canteen, |_| true);
    assert_eq!((t.communities_covered, t.elderly_covered), (2, 250.0));
    assert!((t.elderly_share - 250.0 / 430.0).abs() < 1e-12);

    let streets = a.by_street(&study, day);
    assert_eq!(streets["甲街道"].communities_covered, 1);
    assert_eq!(streets["甲街道"].elderly_covered, 100.0);
    assert_eq!(streets["甲街道"].elderly, 300.0);
    assert_eq!(streets["乙街道"].communities_covered, 0);
    assert_eq!(streets["乙街道"].elderly, 130.0);
    let streets = a.by_street(&study, canteen);
    assert_eq!(streets["甲街道"].elderly_covered, 200.0);
    assert_eq!(streets["乙街道"].elderly_covered, 50.0);

    // Uncovered by day care, most elderly first: c2 (200), c4 (80), c3 (50).
    let ids: Vec<&str> = a
        .uncovered(&study, day)
        .into_iter()
        .map(|c| study.layers.communities[c].id.as_str())
        .collect();
    assert_eq!(ids, vec!["c2", "c4", "c3"]);
}

#[test]
fn population_cells_are_summed_to_their_community() {
    let (dir, _) = hand_district();
    // Two cells inside c2's square; one far out east goes to the nearest community, c4.
    write(
        dir.path(),
        "cells.geojson",
        &fc(vec![
            feature(point(1500.0, 150.0), json!({"pop": 300, "old": 30})), // 850 + 20 m to C1
            feature(point(1590.0, 290.0), json!({"pop": 200, "old": 20})), // 90 + 710 + 20 m
            feature(point(2900.0, -150.0), json!({"pop": 100, "old": 10})),
        ]),
    );
    let scenario = format!(
        "{SCENARIO}\n[layers.population]\npath = \"cells.geojson\"\nfields = {{ population = \"pop\", elderly = \"old\" }}\n"
    );
    write(dir.path(), "scenario.toml", &scenario);
    let study = Study::load(&dir.path().join("scenario.toml")).unwrap();
    assert!(study.demand_from_cells);
    assert_eq!(
        study
            .warnings
            .count(carecircle::WarningKind::CellOutsideCommunities),
        1
    );
    let a = audit(&study);
    assert_eq!(a.elderly, vec![0.0, 50.0, 0.0, 10.0]);
    let canteen = a
        .kinds
        .iter()
        .find(|k| k.kind == FacilityKind::Canteen)
        .unwrap();
    assert_eq!(canteen.elderly_covered, vec![0.0, 50.0, 0.0, 0.0]);
    let t = a.totals(canteen, |_| true);
    assert_eq!(
        (t.elderly, t.elderly_covered, t.population_covered),
        (60.0, 50.0, 500.0)
    );
}

#[test]
fn audit_command_writes_every_output_deterministically() {
    let (dir, scenario) = hand_district();
    let out1 = dir.path().join("out1");
    let out2 = dir.path().join("out2");
    carecircle::commands::run_audit(&scenario, &out1).unwrap();
    carecircle::commands::run_audit(&scenario, &out2).unwrap();
    for name in [
        "summary.json",
        "coverage.csv",
        "communities.geojson",
        "uncovered.geojson",
        "report.md",
    ] {
        let a = std::fs::read(out1.join(name)).unwrap();
        let b = std::fs::read(out2.join(name)).unwrap();
        assert!(!a.is_empty(), "{name} is empty");
        assert_eq!(a, b, "{name} differs between two runs");
    }
    // No temporary files are left behind.
    for entry in std::fs::read_dir(&out1).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        assert!(!name.ends_with(".tmp"), "left {name}");
    }

    let csv = std::fs::read_to_string(out1.join("coverage.csv")).unwrap();
    assert!(
        csv.starts_with('\u{feff}'),
        "coverage.csv must start with a BOM for Excel"
    );
    let mut lines = csv.lines();
    let header = lines.next().unwrap().trim_start_matches('\u{feff}');
    assert!(header.starts_with("id,name,street,population,elderly,day_care_nearest_id"));
    assert_eq!(
        lines.next().unwrap(),
        "c1,东湖社区,甲街道,1000,100,D1,甲街道日间照料中心,9.5,yes,100,C1,北村老年食堂,42.83,no,0"
    );

    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out1.join("summary.json")).unwrap()).unwrap();
    let day = &summary["coverage"]["day_care"];
    assert_eq!(day["district"]["communities_covered"], 1);
    assert_eq!(day["district"]["elderly_covered"], 100);
    assert_eq!(day["meets_target"], false);
    assert_eq!(summary["coverage"]["canteen"]["meets_target"], true);
    assert_eq!(day["streets"][0]["street"], "乙街道");

    let uncovered: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out1.join("uncovered.geojson")).unwrap()).unwrap();
    // 3 communities lack day care, 2 lack a canteen.
    assert_eq!(uncovered["features"].as_array().unwrap().len(), 5);
    assert_eq!(uncovered["features"][0]["properties"]["id"], "c2");
}

/// Adding a facility never lowers coverage: on generated cities, every community covered
/// before is covered after, and no nearest time grows.
#[test]
fn adding_a_facility_never_lowers_coverage() {
    use carecircle::bench_support::{layers, scenario};
    use carecircle::progress::Steps;
    use carecircle::synthetic::{city, CityParams};
    for seed in 0..6u64 {
        let c = city(CityParams {
            seed,
            grid: 30,
            spacing_m: 120.0,
            missing_share: 0.1,
            communities: 60,
            facilities: 6,
        });
        let base = layers(&c);
        let before = Study::from_layers(
            scenario(),
            base.clone(),
            Default::default(),
            &Steps::hidden(),
        )
        .unwrap();
        let mut more = base.clone();
        let mut extra = more.facilities[(seed % 6) as usize].clone();
        extra.id = "ZZ-new".into();
        extra.location = c.communities[(seed * 7 % 60) as usize].representative;
        more.facilities.push(extra.clone());
        let after =
            Study::from_layers(scenario(), more, Default::default(), &Steps::hidden()).unwrap();
        let (a, b) = (audit(&before), audit(&after));
        let kind = b.kinds.iter().position(|k| k.kind == extra.kind).unwrap();
        let (ka, kb) = (&a.kinds[kind], &b.kinds[kind]);
        for i in 0..ka.covered.len() {
            assert!(
                !ka.covered[i] || kb.covered[i],
                "seed {seed}: community {i} lost coverage"
            );
            let (ma, mb) = (
                ka.nearest[i].map(|n| n.minutes),
                kb.nearest[i].map(|n| n.minutes),
            );
            if let (Some(ma), Some(mb)) = (ma, mb) {
                assert!(mb <= ma + 1e-9, "seed {seed}: community {i} {ma} -> {mb}");
            }
            assert!(kb.elderly_covered[i] >= ka.elderly_covered[i]);
        }
        // The new facility's own community is covered now (it stands on its point).
        let at = (seed * 7 % 60) as usize;
        assert!(kb.covered[at], "seed {seed}");
    }
}
