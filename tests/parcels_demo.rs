//! The demo's residential parcels (data/demo/parcels.geojson) against the built-in rule
//! `new_residential_service_rooms`: every parcel gets one row, and its pass/fail is what the
//! parcel's own numbers give by hand (rooms ÷ households × 100 against 20), with the community
//! the generator put it in and that community's street.

use std::collections::BTreeMap;
use std::path::Path;

use carecircle::coverage::audit;
use carecircle::rules::{evaluate, rules_csv, RuleSet, Scope, Status};
use carecircle::study::Study;

#[test]
fn every_demo_parcel_passes_or_fails_as_its_numbers_say() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/demo");
    let text = std::fs::read_to_string(dir.join("parcels.geojson")).unwrap();
    let parcels: serde_json::Value = serde_json::from_str(&text).unwrap();
    // id → (households, rooms m², community code), straight from the file.
    let by_hand: BTreeMap<String, (f64, f64, String)> = parcels["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let p = &f["properties"];
            (
                p["地块编号"].as_str().unwrap().to_string(),
                (
                    p["规划户数"].as_f64().unwrap(),
                    p["养老服务用房面积"].as_f64().unwrap(),
                    p["社区编码"].as_str().unwrap().to_string(),
                ),
            )
        })
        .collect();
    assert_eq!(by_hand.len(), 16);

    let study = Study::load(&dir.join("scenario.toml")).unwrap();
    let a = audit(&study);
    let set = RuleSet::for_scenario(&study.scenario, None).unwrap();
    let results = evaluate(&study, &a, &set);
    let rows: Vec<_> = results
        .iter()
        .filter(|r| r.scope == Scope::Parcel)
        .collect();
    assert_eq!(rows.len(), by_hand.len());
    let mut failing = Vec::new();
    for r in &rows {
        assert_eq!(r.rule_id, "new_residential_service_rooms");
        let (households, rooms, code) = &by_hand[&r.subject_id];
        let per_100 = rooms / households * 100.0;
        let value = r.value.expect("every demo parcel has its numbers");
        assert!(
            (value - per_100).abs() < 1e-9,
            "{}: {value} vs {per_100}",
            r.subject_id
        );
        let expected = if per_100 >= 20.0 {
            Status::Pass
        } else {
            Status::Fail
        };
        assert_eq!(r.status, expected, "{}: {}", r.subject_id, r.reason);
        if r.status == Status::Fail {
            failing.push(r.subject_id.as_str());
            // What is short, in m²: 20 × households / 100 − rooms (the demo's report is in Chinese).
            let short = 20.0 * households / 100.0 - rooms;
            assert!(
                r.reason.contains(&format!("再增加 {} 即可达标", short)),
                "{}: {}",
                r.subject_id,
                r.reason
            );
        }
        // The community the generator placed it in, and that community's street.
        let community = study
            .layers
            .communities
            .iter()
            .find(|c| &c.id == code)
            .unwrap();
        assert!(
            r.reason.starts_with(&format!(
                "位于{}（{}，{}）：",
                community.name, community.id, community.street
            )),
            "{}: {}",
            r.subject_id,
            r.reason
        );
        assert_eq!(r.street, community.street);
    }
    // Every third parcel is generated short of the requirement.
    assert_eq!(
        failing,
        ["XY-01", "XY-04", "XY-07", "XY-10", "XY-13", "XY-16"]
    );

    // rules.csv has the same rows, scope "parcel".
    let csv =
        String::from_utf8(rules_csv(&set, &results, carecircle::i18n::Lang::Zh).unwrap()).unwrap();
    let parcel_lines: Vec<&str> = csv.lines().filter(|l| l.contains(",parcel,XY-")).collect();
    assert_eq!(parcel_lines.len(), 16);
    assert!(parcel_lines
        .iter()
        .any(|l| l.contains(",parcel,XY-07,") && l.contains(",fail,")));
}
