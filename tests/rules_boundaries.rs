//! Every rule kind at its boundary: a value just below, at and just above the requirement
//! gives the results the rule's direction says, with the reason in words; missing inputs are
//! "not checked", never a pass. The district is the hand district of tests/common/mod.rs with
//! the fields the rules need.

mod common;

use carecircle::coverage::audit;
use carecircle::model::FacilityKind;
use carecircle::rules::{evaluate, RuleResult, RuleSet, Scope, Status};
use carecircle::study::Study;
use common::*;
use serde_json::{json, Value};

const SCENARIO_FULL: &str = r#"
name = "手算区 rules"
crs = "wgs84"
[travel]
mode = "walk"
speed_m_per_min = 60
limit_min = 15
[layers.communities]
path = "communities.geojson"
fields = { id = "编码", name = "名称", street = "街道", population = "常住人口", elderly = "老年人口", households = "户数", new_residential = "新建住宅", service_floor_area_m2 = "养老服务用房面积" }
[layers.facilities]
path = "facilities.geojson"
fields = { id = "id", name = "名称", kind = "类型", capacity = "床位", floor_area = "建筑面积", nursing_beds = "护理型床位", land_area_m2 = "用地面积", community = "社区", public = "公办" }
kinds = { "日间照料中心" = "day_care", "老年食堂" = "canteen", "养老院" = "care_home", "街道综合养老服务中心" = "service_center", "农村互助养老点" = "mutual_aid", "助餐点" = "meal_point" }
[layers.roads]
path = "roads.geojson"
[report]
language = "en"
"#;

/// The hand district's communities with 100 households each and `extra[i]` merged in.
fn communities_with(extra: [Value; 4]) -> Vec<Value> {
    let mut cs = communities();
    for (c, e) in cs.iter_mut().zip(extra) {
        let props = c["properties"].as_object_mut().unwrap();
        props.insert("户数".into(), json!(100));
        for (k, v) in e.as_object().unwrap() {
            props.insert(k.clone(), v.clone());
        }
    }
    cs
}

fn plain_communities() -> Vec<Value> {
    communities_with([json!({}), json!({}), json!({}), json!({})])
}

/// A facility at local (x, y) metres.
fn facility(x: f64, y: f64, props: Value) -> Value {
    feature(point(x, y), props)
}

/// The rules checked on the hand district, the reasons in English (the hand-written
/// expectations below); [`check_zh`] gives them in Chinese.
fn check(communities: &[Value], facilities: &[Value], rules: &str) -> Vec<RuleResult> {
    check_with(communities, facilities, rules, SCENARIO_FULL)
}

fn check_zh(communities: &[Value], facilities: &[Value], rules: &str) -> Vec<RuleResult> {
    let zh = SCENARIO_FULL.replace("language = \"en\"", "language = \"zh\"");
    check_with(communities, facilities, rules, &zh)
}

fn check_with(
    communities: &[Value],
    facilities: &[Value],
    rules: &str,
    scenario_text: &str,
) -> Vec<RuleResult> {
    let (_dir, scenario) = write_district(communities, facilities, &roads(), scenario_text);
    let study = Study::load(&scenario).unwrap();
    let a = audit(&study);
    let set = RuleSet::from_toml(rules, std::path::Path::new("test-rules.toml")).unwrap();
    evaluate(&study, &a, &set)
}

fn row<'a>(rs: &'a [RuleResult], subject: &str) -> &'a RuleResult {
    rs.iter()
        .find(|r| r.subject_id == subject)
        .unwrap_or_else(|| panic!("no result for {subject}: {rs:#?}"))
}

fn statuses(rs: &[RuleResult]) -> Vec<(&str, Status)> {
    rs.iter()
        .map(|r| (r.subject_id.as_str(), r.status))
        .collect()
}

#[test]
fn area_per_households_below_at_above() {
    let rules = r#"
[[rule]]
id = "rooms"
kind = "area_per_households"
scope = "community"
where = "new_residential"
field = "service_floor_area_m2"
min = 20
source = "test"
"#;
    let cs = communities_with([
        json!({"新建住宅": "是", "养老服务用房面积": 19.99}),
        json!({"新建住宅": "yes", "养老服务用房面积": "20"}),
        json!({"新建住宅": "否"}),
        json!({"新建住宅": 1, "养老服务用房面积": 20.01}),
    ]);
    let rs = check(&cs, &facilities(), rules);
    // c3 is not new residential: not a subject.
    assert_eq!(
        statuses(&rs),
        [
            ("c1", Status::Fail),
            ("c2", Status::Pass),
            ("c4", Status::Pass)
        ]
    );
    let c1 = row(&rs, "c1");
    assert!((c1.value.unwrap() - 19.99).abs() < 1e-9);
    assert_eq!(c1.required, "≥ 20 m² per 100 households");
    assert_eq!(
        c1.reason,
        "service_floor_area_m2 (养老服务用房面积) 19.99 over households (户数) 100 gives 19.99 \
         m² per 100 households, below the required 20 m² per 100 households; 0.01 more \
         service_floor_area_m2 (养老服务用房面积) would meet it"
    );
    assert_eq!(
        row(&rs, "c2").reason,
        "service_floor_area_m2 (养老服务用房面积) 20 over households (户数) 100 gives 20 m² per \
         100 households, meets ≥ 20 m² per 100 households"
    );
    assert_eq!(row(&rs, "c4").value, Some(20.01));

    // Aggregated per street: 甲 = (19.99 + 20) / 200 households → 19.995 per 100: fail;
    // 乙 = c4 only (c3 is not new residential) → 20.01: pass.
    let street_rules = rules.replace(
        "scope = \"community\"",
        "scope = [\"street\", \"district\"]",
    );
    let rs = check(&cs, &facilities(), &street_rules);
    assert_eq!(
        statuses(&rs),
        // Streets in name order (乙 U+4E59 before 甲 U+7532), the district last.
        [
            ("乙街道", Status::Pass),
            ("甲街道", Status::Fail),
            ("district", Status::Pass)
        ]
    );
    assert!((row(&rs, "甲街道").value.unwrap() - 19.995).abs() < 1e-9);
    assert!(
        row(&rs, "甲街道")
            .reason
            .contains("39.99 over households (户数) 200 gives 19.99 m² per 100 households"),
        "{}",
        row(&rs, "甲街道").reason
    );
    // District: 60 m² over 300 households = 20.
    assert!((row(&rs, "district").value.unwrap() - 20.0).abs() < 1e-9);

    // The same in a Chinese report: the data's own field names, units and words from the
    // catalogue, the same numbers.
    let rs = check_zh(&cs, &facilities(), rules);
    let c1 = row(&rs, "c1");
    assert_eq!(c1.required, "≥ 20 平方米/100户");
    assert_eq!(c1.unit, "平方米/100户");
    assert_eq!(
        c1.reason,
        "养老服务用房面积 19.99 除以户数 100，得 19.99 平方米/100户，低于要求的 20 平方米/100户；\
         养老服务用房面积再增加 0.01 即可达标"
    );
    assert_eq!(
        row(&rs, "c2").reason,
        "养老服务用房面积 20 除以户数 100，得 20 平方米/100户，符合 ≥ 20 平方米/100户"
    );
    let rs = check_zh(&cs, &facilities(), &street_rules);
    assert!(
        row(&rs, "甲街道")
            .reason
            .starts_with("养老服务用房面积 39.99 除以户数 200，得 19.99 平方米/100户，低于"),
        "{}",
        row(&rs, "甲街道").reason
    );
}

#[test]
fn area_per_households_missing_inputs_are_not_checked() {
    let rules = r#"
[[rule]]
id = "rooms"
kind = "area_per_households"
scope = ["community", "street"]
where = "new_residential"
field = "service_floor_area_m2"
min = 20
"#;
    let cs = communities_with([
        json!({"新建住宅": "是"}),
        json!({"新建住宅": "是", "养老服务用房面积": "n/a"}),
        json!({"养老服务用房面积": 50}),
        json!({"新建住宅": "maybe", "养老服务用房面积": 50}),
    ]);
    let rs = check(&cs, &facilities(), rules);
    assert!(rs.iter().all(|r| r.status == Status::NotChecked), "{rs:#?}");
    assert!(rs.iter().all(|r| r.value.is_none()));
    let by = |s: &str, scope: Scope| {
        rs.iter()
            .find(|r| r.subject_id == s && r.scope == scope)
            .unwrap()
            .reason
            .clone()
    };
    assert_eq!(
        by("c1", Scope::Community),
        "not checked: field service_floor_area_m2 (养老服务用房面积) missing"
    );
    assert_eq!(
        by("c2", Scope::Community),
        "not checked: field service_floor_area_m2 (养老服务用房面积) is \"n/a\", not a number"
    );
    assert_eq!(
        by("c3", Scope::Community),
        "not checked: field new_residential (新建住宅) missing"
    );
    assert_eq!(
        by("c4", Scope::Community),
        "not checked: field new_residential (新建住宅) is \"maybe\", not yes/no (是/否, yes/no, \
         true/false, 1/0)"
    );
    assert_eq!(
        by("甲街道", Scope::Street),
        "not checked: field service_floor_area_m2 (养老服务用房面积) missing for c1; field \
         service_floor_area_m2 (养老服务用房面积) is \"n/a\", not a number for c2"
    );
    assert!(by("乙街道", Scope::Street).contains("field new_residential (新建住宅) missing for c3"));
}

#[test]
fn area_per_person_below_at_above() {
    let rules = r#"
[[rule]]
id = "land"
kind = "area_per_person"
scope = ["street", "district"]
field = "land_area_m2"
min = 0.2
"#;
    // 4000 residents: 800 m² is 0.2 m² per resident. Street 甲 has 3000 residents (600 m²
    // needed), 乙 1000 (200 m²).
    for (land, want) in [
        (799.6, Status::Fail),
        (800.0, Status::Pass),
        (800.4, Status::Pass),
    ] {
        let fs = vec![
            facility(
                500.0,
                20.0,
                json!({"id": "D1", "名称": "甲日照", "类型": "日间照料中心", "用地面积": land - 200.0}),
            ),
            facility(
                1520.0,
                1000.0,
                json!({"id": "C1", "名称": "乙食堂", "类型": "老年食堂", "用地面积": 200}),
            ),
        ];
        let rs = check(&plain_communities(), &fs, rules);
        let d = row(&rs, "district");
        assert_eq!(d.status, want, "land {land}: {}", d.reason);
        assert!((d.value.unwrap() - land / 4000.0).abs() < 1e-12);
        assert_eq!(d.required, "≥ 0.2 m² per resident");
        // 乙: 200 m² over 1000 residents = 0.2, at the bound.
        assert_eq!(row(&rs, "乙街道").status, Status::Pass);
        if want == Status::Fail {
            assert_eq!(
                d.reason,
                "land_area_m2 (用地面积) 799.6 over population (常住人口) 4000 gives 0.1999 m² per \
                 resident, below the required 0.2 m² per resident; 0.4 more land_area_m2 \
                 (用地面积) would meet it"
            );
            // 甲: 599.6 m² over 3000 residents.
            assert_eq!(row(&rs, "甲街道").status, Status::Fail);
        }
    }

    // A facility without the field: not checked, naming it; never a pass.
    let fs = vec![
        facility(
            500.0,
            20.0,
            json!({"id": "D1", "类型": "日间照料中心", "用地面积": 5000}),
        ),
        facility(1520.0, 1000.0, json!({"id": "C1", "类型": "老年食堂"})),
    ];
    let rs = check(&plain_communities(), &fs, rules);
    assert_eq!(row(&rs, "甲街道").status, Status::Pass);
    for s in ["乙街道", "district"] {
        assert_eq!(row(&rs, s).status, Status::NotChecked);
        assert_eq!(
            row(&rs, s).reason,
            "not checked: field land_area_m2 (用地面积) missing for C1"
        );
    }
}

#[test]
fn facility_size_range_below_at_above() {
    let rules = r#"
[[rule]]
id = "day_care_area"
kind = "facility_size"
scope = "facility"
facility_kinds = ["day_care"]
field = "floor_area"
min = 350
max = 750
note = "verify: secondary source"
"#;
    let areas = [
        ("D1", Some(349.99)),
        ("D2", Some(350.0)),
        ("D3", Some(351.0)),
        ("D4", Some(749.0)),
        ("D5", Some(750.0)),
        ("D6", Some(750.01)),
        ("D7", None),
    ];
    let mut fs: Vec<Value> = areas
        .iter()
        .enumerate()
        .map(|(i, (id, area))| {
            let mut p = json!({"id": id, "名称": format!("日照{i}"), "类型": "日间照料中心"});
            if let Some(a) = area {
                p["建筑面积"] = json!(a);
            }
            facility(100.0 * i as f64, 20.0, p)
        })
        .collect();
    // Another kind is not a subject.
    fs.push(facility(
        1520.0,
        1000.0,
        json!({"id": "C1", "类型": "老年食堂", "建筑面积": 10}),
    ));
    let rs = check(&plain_communities(), &fs, rules);
    assert_eq!(
        statuses(&rs),
        [
            ("D1", Status::Fail),
            ("D2", Status::Pass),
            ("D3", Status::Pass),
            ("D4", Status::Pass),
            ("D5", Status::Pass),
            ("D6", Status::Fail),
            ("D7", Status::NotChecked),
        ]
    );
    assert_eq!(
        row(&rs, "D1").reason,
        "floor_area (建筑面积) is 349.99 m², below the required 350 m²; 0.01 short"
    );
    assert_eq!(
        row(&rs, "D5").reason,
        "floor_area (建筑面积) is 750 m², meets 350–750 m²"
    );
    assert_eq!(
        row(&rs, "D6").reason,
        "floor_area (建筑面积) is 750.01 m², above the allowed 750 m²; 0.01 over"
    );
    assert_eq!(
        row(&rs, "D7").reason,
        "not checked: field floor_area (建筑面积) missing"
    );
    assert_eq!(row(&rs, "D1").required, "350–750 m²");
    // D1 at (0, 20) lies nearest c1 (甲街道).
    assert_eq!(row(&rs, "D1").street, "甲街道");
}

#[test]
fn facility_size_maximum_with_a_where_flag() {
    let rules = r#"
[[rule]]
id = "public_beds"
kind = "facility_size"
scope = "facility"
facility_kinds = ["care_home"]
where = "public"
field = "capacity"
max = 300
"#;
    let fs: Vec<Value> = [
        ("H1", json!(299), json!("是")),
        ("H2", json!(300), json!("是")),
        ("H3", json!(301), json!("是")),
        ("H4", json!(900), json!("否")),
        ("H5", json!(900), Value::Null),
    ]
    .into_iter()
    .enumerate()
    .map(|(i, (id, beds, public))| {
        facility(
            100.0 * i as f64,
            20.0,
            json!({"id": id, "类型": "养老院", "床位": beds, "公办": public}),
        )
    })
    .collect();
    let rs = check(&plain_communities(), &fs, rules);
    assert_eq!(
        statuses(&rs),
        [
            ("H1", Status::Pass),
            ("H2", Status::Pass),
            ("H3", Status::Fail),
            ("H5", Status::NotChecked),
        ]
    );
    assert_eq!(
        row(&rs, "H3").reason,
        "capacity (床位) is 301 beds, above the allowed 300 beds; 1 over"
    );
    assert_eq!(
        row(&rs, "H5").reason,
        "not checked: field public (公办) missing"
    );
}

#[test]
fn coverage_per_community_below_at_above_the_limit() {
    // Read c1's minutes to D1 (570 m at 60 m/min, about 9.5) from the audit and put the limit
    // just below, at and just above it.
    let (_dir, scenario) =
        write_district(&plain_communities(), &facilities(), &roads(), SCENARIO_FULL);
    let study = Study::load(&scenario).unwrap();
    let a = audit(&study);
    let day = a
        .kinds
        .iter()
        .find(|k| k.kind == FacilityKind::DayCare)
        .unwrap();
    let m = day.nearest[0].unwrap().minutes;
    assert!((m - 9.5).abs() < 0.01);
    for (limit, want) in [
        (m - 0.01, Status::Fail),
        (m, Status::Pass),
        (m + 0.01, Status::Pass),
    ] {
        let rules = format!(
            "[[rule]]\nid = \"circle\"\nkind = \"coverage\"\nscope = \"urban_community\"\n\
             facility_kinds = [\"day_care\", \"canteen\"]\nlimit_min = {limit:?}\n"
        );
        let set = RuleSet::from_toml(&rules, std::path::Path::new("t.toml")).unwrap();
        let rs = evaluate(&study, &a, &set);
        // c3 is a village (北村村委会): not an urban community.
        let ids: Vec<&str> = rs.iter().map(|r| r.subject_id.as_str()).collect();
        assert_eq!(ids, ["c1", "c2", "c4"]);
        let c1 = row(&rs, "c1");
        assert_eq!(c1.status, want, "{}", c1.reason);
        assert_eq!(c1.value, Some(m));
        let word = if want == Status::Pass {
            "within"
        } else {
            "beyond"
        };
        assert!(
            c1.reason
                .starts_with("nearest day_care 甲街道日间照料中心 (D1) is 9.5 min away, ")
                && c1.reason.contains(word),
            "{}",
            c1.reason
        );
    }
    // At 15 minutes: c2 reaches the canteen in 820 m (13.67 min), c4 nothing within 43.67.
    let rules = "[[rule]]\nid = \"circle\"\nkind = \"coverage\"\nscope = \"urban_community\"\n\
                 facility_kinds = [\"day_care\", \"canteen\"]\n";
    let set = RuleSet::from_toml(rules, std::path::Path::new("t.toml")).unwrap();
    let rs = evaluate(&study, &a, &set);
    assert_eq!(
        statuses(&rs),
        [
            ("c1", Status::Pass),
            ("c2", Status::Pass),
            ("c4", Status::Fail)
        ]
    );
    assert_eq!(row(&rs, "c2").required, "≤ 15 min walk");
    assert!(row(&rs, "c2")
        .reason
        .starts_with("nearest canteen 北村老年食堂 (C1) is 13.67 min away, within 15 min"));
    assert!(row(&rs, "c4")
        .reason
        .contains("43.67 min away, beyond 15 min"));
}

#[test]
fn coverage_of_a_kind_not_in_the_data_fails_and_says_so() {
    let rules = "[[rule]]\nid = \"m\"\nkind = \"coverage\"\nscope = \"village\"\n\
                 facility_kinds = \"mutual_aid\"\n";
    let rs = check(&plain_communities(), &facilities(), rules);
    assert_eq!(statuses(&rs), [("c3", Status::Fail)]);
    assert_eq!(
        row(&rs, "c3").reason,
        "no mutual_aid is in the data; required within 15 min"
    );
}

#[test]
fn coverage_share_below_at_above() {
    // Day care within 15 minutes: 甲街道 1 of 2 communities (50 %), 乙街道 0 of 2, district
    // 1 of 4 (25 %).
    for (min, want) in [
        (50.01, Status::Fail),
        (50.0, Status::Pass),
        (49.99, Status::Pass),
    ] {
        let rules = format!(
            "[[rule]]\nid = \"day\"\nkind = \"coverage\"\nscope = [\"street\", \"district\"]\n\
             facility_kinds = \"day_care\"\nmin = {min}\n"
        );
        let rs = check(&plain_communities(), &facilities(), &rules);
        let jia = row(&rs, "甲街道");
        assert_eq!(jia.status, want, "{}", jia.reason);
        assert_eq!(jia.value, Some(50.0));
        assert_eq!(row(&rs, "乙街道").status, Status::Fail);
        assert_eq!(row(&rs, "district").value, Some(25.0));
        assert_eq!(row(&rs, "district").status, Status::Fail);
    }
    let rules = "[[rule]]\nid = \"day\"\nkind = \"coverage\"\nscope = \"street\"\n\
                 facility_kinds = [\"day_care\"]\n";
    let rs = check(&plain_communities(), &facilities(), rules);
    assert_eq!(
        row(&rs, "甲街道").reason,
        "1 of 2 communities within 15 min of a day_care (50 %), below the required 100 %; not \
         covered: c2 西园社区"
    );
    assert_eq!(row(&rs, "甲街道").required, "≥ 100 %");
}

#[test]
fn presence_per_community_and_street() {
    let rules = r#"
[[rule]]
id = "station"
kind = "presence"
scope = ["urban_community", "street"]
facility_kinds = ["day_care", "service_center"]
min = 1
"#;
    // The `社区` field places facilities explicitly: c1 gets two, c2 one, c4 none; the
    // canteen is not a station.
    let fs = vec![
        facility(
            0.0,
            20.0,
            json!({"id": "D1", "名称": "一", "类型": "日间照料中心", "社区": "c1"}),
        ),
        facility(
            10.0,
            20.0,
            json!({"id": "S1", "名称": "二", "类型": "街道综合养老服务中心", "社区": "c1"}),
        ),
        facility(
            2900.0,
            20.0,
            json!({"id": "D2", "名称": "三", "类型": "日间照料中心", "社区": "c2"}),
        ),
        facility(
            3000.0,
            0.0,
            json!({"id": "C1", "名称": "四", "类型": "老年食堂", "社区": "c4"}),
        ),
    ];
    let rs = check(&plain_communities(), &fs, rules);
    assert_eq!(
        statuses(&rs),
        [
            ("c1", Status::Pass),
            ("c2", Status::Pass),
            ("c4", Status::Fail),
            ("乙街道", Status::Fail),
            ("甲街道", Status::Pass),
        ]
    );
    assert_eq!(row(&rs, "c1").value, Some(2.0));
    assert_eq!(
        row(&rs, "c1").reason,
        "2 day_care or service_center located in the community (D1 一, S1 二), meets ≥ 1 \
         day_care or service_center"
    );
    assert_eq!(row(&rs, "c2").value, Some(1.0));
    assert_eq!(
        row(&rs, "c4").reason,
        "no day_care or service_center located in the community, below the required 1 \
         day_care or service_center"
    );
    assert_eq!(row(&rs, "甲街道").value, Some(3.0));

    // Without the field, a facility goes to the nearest community point: D2 at (2900, 20)
    // is nearest c4 (3000, -100), so 乙街道 now has one.
    let fs: Vec<Value> = fs
        .into_iter()
        .map(|mut f| {
            f["properties"].as_object_mut().unwrap().remove("社区");
            f
        })
        .collect();
    let rs = check(&plain_communities(), &fs, rules);
    assert_eq!(row(&rs, "c4").status, Status::Pass);
    assert_eq!(row(&rs, "c2").status, Status::Fail);
    assert_eq!(row(&rs, "乙街道").value, Some(1.0));
}

#[test]
fn presence_per_village() {
    let rules = r#"
[[rule]]
id = "mutual"
kind = "presence"
scope = "village"
facility_kinds = ["mutual_aid"]
"#;
    let rs = check(&plain_communities(), &facilities(), rules);
    assert_eq!(statuses(&rs), [("c3", Status::Fail)]);
    assert_eq!(
        row(&rs, "c3").reason,
        "no mutual_aid located in the village, below the required 1 mutual_aid"
    );
    let mut fs = facilities();
    fs.push(facility(
        1460.0,
        1140.0,
        json!({"id": "M1", "名称": "北村互助点", "类型": "农村互助养老点"}),
    ));
    let rs = check(&plain_communities(), &fs, rules);
    assert_eq!(statuses(&rs), [("c3", Status::Pass)]);
}

#[test]
fn ratio_share_below_at_above() {
    let rules = r#"
[[rule]]
id = "nursing"
kind = "ratio"
scope = "facility"
facility_kinds = ["care_home"]
numerator = { field = "nursing_beds" }
denominator = { field = "capacity" }
per = 100
min = 70
unit = "% nursing beds"
"#;
    let homes = [
        ("H1", json!(100), json!(69)),
        ("H2", json!(100), json!(70)),
        ("H3", json!(100), json!(71)),
        ("H4", json!(100), Value::Null),
        ("H5", json!(0), json!(0)),
    ];
    let fs: Vec<Value> = homes
        .into_iter()
        .enumerate()
        .map(|(i, (id, beds, nursing))| {
            facility(
                100.0 * i as f64,
                20.0,
                json!({"id": id, "类型": "养老院", "床位": beds, "护理型床位": nursing}),
            )
        })
        .collect();
    let rs = check(&plain_communities(), &fs, rules);
    assert_eq!(
        statuses(&rs),
        [
            ("H1", Status::Fail),
            ("H2", Status::Pass),
            ("H3", Status::Pass),
            ("H4", Status::NotChecked),
            ("H5", Status::NotChecked),
        ]
    );
    assert_eq!(
        row(&rs, "H1").reason,
        "nursing_beds (护理型床位) 69 over capacity (床位) 100 gives 69 % nursing beds, below \
         the required 70 % nursing beds; 1 more nursing_beds (护理型床位) would meet it"
    );
    assert_eq!(
        row(&rs, "H4").reason,
        "not checked: field nursing_beds (护理型床位) missing"
    );
    assert_eq!(
        row(&rs, "H5").reason,
        "not checked: capacity (床位) is 0, so the ratio is undefined"
    );
}

#[test]
fn ratio_beds_per_elderly_per_street() {
    let rules = r#"
[[rule]]
id = "beds"
kind = "ratio"
scope = ["street", "district"]
numerator = { layer = "facilities", field = "capacity", facility_kinds = ["care_home"] }
denominator = { layer = "communities", field = "elderly" }
per = 1000
min = 35
"#;
    // 甲街道 has 300 elderly: 10.5 beds is 35 per 1000. 乙街道 130 elderly.
    for (beds, want) in [
        (10.4, Status::Fail),
        (10.5, Status::Pass),
        (10.6, Status::Pass),
    ] {
        let fs = vec![
            facility(
                500.0,
                20.0,
                json!({"id": "H1", "类型": "养老院", "床位": beds}),
            ),
            // A day-care center's beds are not care beds.
            facility(
                510.0,
                20.0,
                json!({"id": "D1", "类型": "日间照料中心", "床位": 100}),
            ),
            facility(
                1520.0,
                1000.0,
                json!({"id": "H2", "类型": "养老院", "床位": 4.55}),
            ),
        ];
        let rs = check(&plain_communities(), &fs, rules);
        let jia = row(&rs, "甲街道");
        assert_eq!(jia.status, want, "{}", jia.reason);
        assert!((jia.value.unwrap() - beds / 300.0 * 1000.0).abs() < 1e-9);
        assert_eq!(jia.required, "≥ 35 per 1000");
        // 乙: 4.55 / 130 × 1000 = 35.
        assert_eq!(row(&rs, "乙街道").status, Status::Pass);
    }
}

#[test]
fn no_subject_is_reported_not_passed() {
    let rules = r#"
[[rule]]
id = "rooms"
kind = "area_per_households"
where = "new_residential"
field = "service_floor_area_m2"
min = 20
"#;
    let cs = communities_with([
        json!({"新建住宅": "否"}),
        json!({"新建住宅": "否"}),
        json!({"新建住宅": "否"}),
        json!({"新建住宅": "否"}),
    ]);
    let rs = check(&cs, &facilities(), rules);
    assert_eq!(rs.len(), 1);
    assert_eq!(rs[0].status, Status::NotChecked);
    assert_eq!(
        rs[0].reason,
        "no subject to check: no communities with new_residential (新建住宅) = yes"
    );
}
