//! Residential parcels (`[layers.parcels]`) checked one by one against the built-in rule
//! `new_residential_service_rooms` (≥ 20 m² of elderly-service rooms per 100 households, scope
//! `parcel`): hand-computed pass/fail rows with the community and street each parcel lies in.
//! The district is the hand district of tests/common/mod.rs.

mod common;

use carecircle::coverage::audit;
use carecircle::rules::{evaluate, RuleResult, RuleSet, Scope, Status};
use carecircle::study::Study;
use common::*;
use serde_json::{json, Value};

const SCENARIO_PARCELS: &str = r#"
name = "手算区 parcels"
crs = "wgs84"
[travel]
mode = "walk"
speed_m_per_min = 60
limit_min = 15
[layers.communities]
path = "communities.geojson"
fields = { id = "编码", name = "名称", street = "街道", population = "常住人口", elderly = "老年人口" }
[layers.facilities]
path = "facilities.geojson"
fields = { id = "id", name = "名称", kind = "类型" }
kinds = { "日间照料中心" = "day_care", "老年食堂" = "canteen" }
[layers.parcels]
path = "parcels.geojson"
fields = { id = "地块编号", name = "地块名称", households = "规划户数", service_floor_area_m2 = "养老用房面积", new_residential = "新建住宅" }
[layers.roads]
path = "roads.geojson"
[report]
language = "en"
"#;

/// A rectangle x0..x1 × y0..y1 in local metres.
fn rect(x0: f64, y0: f64, x1: f64, y1: f64) -> Value {
    json!({"type": "Polygon", "coordinates": [[
        ll(x0, y0), ll(x1, y0), ll(x1, y1), ll(x0, y1), ll(x0, y0)
    ]]})
}

fn parcels() -> Vec<Value> {
    vec![
        // In c2 (square 1400..1600 × 100..300): 90 m² for 500 households = 18 per 100.
        feature(
            rect(1420.0, 120.0, 1480.0, 180.0),
            json!({"地块编号": "P1", "地块名称": "西园北地块", "规划户数": 500, "养老用房面积": 90}),
        ),
        // 60 m² for 300 households = 20 per 100: exactly the requirement.
        feature(
            rect(1520.0, 120.0, 1580.0, 180.0),
            json!({"地块编号": "P2", "地块名称": "西园东地块", "规划户数": 300, "养老用房面积": "60"}),
        ),
        // No room area given: not checked, never a pass.
        feature(
            rect(1420.0, 220.0, 1480.0, 280.0),
            json!({"地块编号": "P3", "地块名称": "西园南地块", "规划户数": 250}),
        ),
        // Marked as not new residential land: the rule does not apply, no row.
        feature(
            rect(1520.0, 220.0, 1580.0, 280.0),
            json!({"地块编号": "P4", "地块名称": "旧改地块", "规划户数": 200, "养老用房面积": 10, "新建住宅": "否"}),
        ),
        // Near the point community c4 (3000, -100) of 乙街道: 30 m² for 120 households = 25.
        feature(
            rect(2950.0, -250.0, 3050.0, -150.0),
            json!({"地块编号": "P5", "地块名称": "远郊地块", "规划户数": 120, "养老用房面积": 30, "新建住宅": "是"}),
        ),
    ]
}

fn parcel_rows(scenario_text: &str, parcels: &[Value]) -> Vec<RuleResult> {
    let (dir, scenario) = write_district(&communities(), &facilities(), &roads(), scenario_text);
    write(dir.path(), "parcels.geojson", &fc(parcels.to_vec()));
    let study = Study::load(&scenario).unwrap();
    assert_eq!(study.layers.parcels.len(), parcels.len());
    let a = audit(&study);
    let set = RuleSet::for_scenario(&study.scenario, None).unwrap();
    evaluate(&study, &a, &set)
        .into_iter()
        .filter(|r| r.scope == Scope::Parcel)
        .collect()
}

#[test]
fn each_parcel_passes_or_fails_with_its_numbers_community_and_street() {
    let rows = parcel_rows(SCENARIO_PARCELS, &parcels());
    let got: Vec<(&str, &str, Status, Option<f64>)> = rows
        .iter()
        .map(|r| {
            (
                r.subject_id.as_str(),
                r.street.as_str(),
                r.status,
                r.value.map(|v| (v * 1e9).round() / 1e9),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            ("P1", "甲街道", Status::Fail, Some(18.0)),
            ("P2", "甲街道", Status::Pass, Some(20.0)),
            ("P3", "甲街道", Status::NotChecked, None),
            ("P5", "乙街道", Status::Pass, Some(25.0)),
        ],
        "{rows:#?}"
    );
    for r in &rows {
        assert_eq!(r.rule_id, "new_residential_service_rooms");
        assert_eq!(r.required, "≥ 20 m² per 100 households");
    }
    let p1 = &rows[0];
    assert_eq!(p1.subject_name, "西园北地块");
    // 20 × 500 / 100 − 90 = 10 m² short.
    assert!(
        p1.reason.starts_with("in community c2 西园社区 (甲街道): "),
        "{}",
        p1.reason
    );
    assert!(
        p1.reason
            .contains("90 over households (规划户数) 500 gives 18 m² per 100 households"),
        "{}",
        p1.reason
    );
    assert!(p1.reason.contains("10 more"), "{}", p1.reason);
    assert!(rows[1].reason.contains("meets ≥ 20"), "{}", rows[1].reason);
    assert!(
        rows[2].reason.contains("养老用房面积") && rows[2].reason.contains("missing"),
        "{}",
        rows[2].reason
    );
    assert!(
        rows[3]
            .reason
            .starts_with("in community c4 远郊社区 (乙街道)"),
        "{}",
        rows[3].reason
    );
}

#[test]
fn without_a_parcels_layer_the_rule_has_no_parcel_rows() {
    let (_dir, scenario) = hand_district();
    let study = Study::load(&scenario).unwrap();
    assert!(study.layers.parcels.is_empty());
    let a = audit(&study);
    let set = RuleSet::for_scenario(&study.scenario, None).unwrap();
    assert!(evaluate(&study, &a, &set)
        .iter()
        .all(|r| r.scope != Scope::Parcel));
}

#[test]
fn a_misspelt_parcel_field_gets_did_you_mean() {
    let text = SCENARIO_PARCELS.replace("households = ", "househlds = ");
    let (dir, scenario) = write_district(&communities(), &facilities(), &roads(), &text);
    write(dir.path(), "parcels.geojson", &fc(parcels()));
    let e = Study::load(&scenario).err().expect("a typo is an error");
    let e = e.to_string();
    assert!(
        e.contains("[layers.parcels] fields: househlds: did you mean households?"),
        "{e}"
    );
}

#[test]
fn a_parcel_that_is_not_a_polygon_is_named() {
    let mut ps = parcels();
    ps[1]["geometry"] = point(1550.0, 150.0);
    let (dir, scenario) = write_district(&communities(), &facilities(), &roads(), SCENARIO_PARCELS);
    write(dir.path(), "parcels.geojson", &fc(ps));
    let e = Study::load(&scenario)
        .err()
        .expect("a point parcel is an error");
    let e = e.to_string();
    assert!(e.contains("parcels.geojson"), "{e}");
    assert!(e.contains("P2"), "{e}");
    assert!(e.contains("Polygon or MultiPolygon"), "{e}");
}

#[test]
fn parcel_scope_is_refused_where_it_means_nothing() {
    let rules = r#"
[[rule]]
id = "cov"
kind = "coverage"
scope = "parcel"
facility_kinds = ["day_care"]
"#;
    let e = RuleSet::from_toml(rules, std::path::Path::new("r.toml")).unwrap_err();
    assert!(
        e.to_string().contains("cannot have scope \"parcel\""),
        "{e}"
    );
    let rules = r#"
[[rule]]
id = "beds"
kind = "ratio"
scope = "parcel"
numerator = { layer = "facilities", field = "capacity" }
denominator = { field = "households" }
min = 1
"#;
    let e = RuleSet::from_toml(rules, std::path::Path::new("r.toml")).unwrap_err();
    assert!(e.to_string().contains("per parcel"), "{e}");
}
