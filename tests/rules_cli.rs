//! `carecircle rules`: the built-in set on the hand district gives hand-computed rows in
//! rules.csv and a report section; --fail-on-violation exits 3 after writing; a bad rule file
//! exits 2 and writes nothing; --list prints the rules.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::*;
use serde_json::{json, Value};

const SCENARIO_RULES: &str = r#"
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
fields = { id = "id", name = "名称", kind = "类型", capacity = "床位", floor_area = "建筑面积", nursing_beds = "护理型床位", land_area_m2 = "用地面积", public = "公办" }
kinds = { "日间照料中心" = "day_care", "老年食堂" = "canteen", "养老院" = "care_home", "街道综合养老服务中心" = "service_center", "农村互助养老点" = "mutual_aid" }
[layers.roads]
path = "roads.geojson"
[report]
language = "en"
"#;

/// The hand district with the fields the built-in rules read.
///
/// c1 东湖社区 (甲, new residential, 25 m² for 100 households), c2 西园社区 (甲, new
/// residential, 15 m²), c3 北村村委会 (乙, village), c4 远郊社区 (乙).
/// Facilities lie in the community with the nearest point (the communities here are points,
/// except c2): D1, S1 and H2 in c1 / 甲; C1 and M1 in c3 / 乙; H1 in c4 / 乙.
fn district() -> (tempfile::TempDir, std::path::PathBuf) {
    let mut cs = communities();
    let extra = [
        json!({"户数": 100, "新建住宅": "是", "养老服务用房面积": 25}),
        json!({"户数": 100, "新建住宅": "是", "养老服务用房面积": 15}),
        json!({"户数": 100, "新建住宅": "否"}),
        json!({"户数": 100, "新建住宅": "否"}),
    ];
    for (c, e) in cs.iter_mut().zip(extra) {
        let props = c["properties"].as_object_mut().unwrap();
        for (k, v) in e.as_object().unwrap() {
            props.insert(k.clone(), v.clone());
        }
    }
    let fs = vec![
        feature(
            point(500.0, 20.0),
            json!({"id": "D1", "名称": "甲街道日间照料中心", "类型": "日间照料中心", "建筑面积": 400, "用地面积": 300}),
        ),
        feature(
            point(20.0, 60.0),
            json!({"id": "S1", "名称": "甲街道综合养老服务中心", "类型": "街道综合养老服务中心", "建筑面积": 900, "用地面积": 500}),
        ),
        feature(
            point(0.0, 40.0),
            json!({"id": "H2", "名称": "东湖养老院", "类型": "养老院", "床位": 10, "护理型床位": 5, "公办": "否", "建筑面积": 800, "用地面积": 20}),
        ),
        feature(
            point(1520.0, 1000.0),
            json!({"id": "C1", "名称": "北村老年食堂", "类型": "老年食堂", "用地面积": 50}),
        ),
        feature(
            point(1460.0, 1140.0),
            json!({"id": "M1", "名称": "北村互助点", "类型": "农村互助养老点", "用地面积": 10}),
        ),
        feature(
            point(3000.0, -50.0),
            json!({"id": "H1", "名称": "远郊养老院", "类型": "养老院", "床位": 320, "护理型床位": 240, "公办": "是", "建筑面积": 9000, "用地面积": 100}),
        ),
    ];
    write_district(&cs, &fs, &roads(), SCENARIO_RULES)
}

/// `carecircle rules ARGS --scenario SCENARIO --out OUT`.
fn rules(args: &[&str], scenario: &Path, out: &Path) -> Output {
    let mut all = vec!["rules"];
    all.extend_from_slice(args);
    carecircle(&all, scenario, out)
}

/// rules.csv rows as (rule, subject_id) → record.
fn rows(out: &Path) -> Vec<csv::StringRecord> {
    let bytes = std::fs::read(out.join("rules.csv")).unwrap();
    assert!(bytes.starts_with("\u{feff}".as_bytes()), "UTF-8 with BOM");
    let mut r = csv::Reader::from_reader(&bytes[3..]);
    let header: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
    assert_eq!(
        header,
        [
            "rule",
            "title",
            "kind",
            "source",
            "scope",
            "subject_id",
            "subject_name",
            "street",
            "value",
            "unit",
            "required",
            "result",
            "reason",
            "note"
        ]
    );
    r.records().map(|x| x.unwrap()).collect()
}

fn find<'a>(rows: &'a [csv::StringRecord], rule: &str, subject: &str) -> &'a csv::StringRecord {
    rows.iter()
        .find(|r| &r[0] == rule && &r[5] == subject)
        .unwrap_or_else(|| panic!("no row {rule} {subject}"))
}

/// (value, result) of a row.
fn vr<'a>(rows: &'a [csv::StringRecord], rule: &str, subject: &str) -> (&'a str, &'a str) {
    let r = find(rows, rule, subject);
    (r.get(8).unwrap(), r.get(11).unwrap())
}

#[test]
fn builtin_rules_on_the_hand_district() {
    let (dir, scenario) = district();
    let out = dir.path().join("out");
    let run = carecircle_ok(&["rules"], &scenario, &out);
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(stdout.contains("rules (cn-eldercare): "), "{stdout}");
    let rs = rows(&out);

    // 15-minute circle over day care, service centers and canteens, urban communities only:
    // c2 reaches the canteen C1 in 820 m (13.67 min), c4 nothing within 15 minutes (H1 is a
    // care home, not counted).
    let (v, r) = vr(&rs, "service_circle_15min", "c2");
    assert!(
        (v.parse::<f64>().unwrap() - 820.0 / 60.0).abs() < 0.01,
        "{v}"
    );
    assert_eq!(r, "pass");
    assert_eq!(vr(&rs, "service_circle_15min", "c4").1, "fail");
    assert!(!rs
        .iter()
        .any(|r| &r[0] == "service_circle_15min" && &r[5] == "c3"));
    // Day care within 15 minutes of urban communities: 甲 1 of 2, 乙 0 of 1, district 1 of 3.
    assert_eq!(vr(&rs, "day_care_coverage", "甲街道"), ("50", "fail"));
    assert_eq!(vr(&rs, "day_care_coverage", "乙街道"), ("0", "fail"));
    assert_eq!(
        vr(&rs, "day_care_coverage", "district"),
        ("33.3333", "fail")
    );
    assert_eq!(vr(&rs, "village_mutual_aid", "c3"), ("1", "pass"));
    assert_eq!(vr(&rs, "street_service_center", "甲街道"), ("1", "pass"));
    assert_eq!(vr(&rs, "street_service_center", "乙街道"), ("0", "fail"));
    assert_eq!(vr(&rs, "community_service_station", "c1"), ("2", "pass"));
    assert_eq!(vr(&rs, "community_service_station", "c3"), ("1", "pass"));
    assert_eq!(vr(&rs, "community_service_station", "c4"), ("0", "fail"));
    assert_eq!(vr(&rs, "street_center_floor_area", "S1"), ("900", "fail"));
    assert_eq!(
        vr(&rs, "new_residential_service_rooms", "c1"),
        ("25", "pass")
    );
    assert_eq!(
        vr(&rs, "new_residential_service_rooms", "c2"),
        ("15", "fail")
    );
    assert_eq!(
        &find(&rs, "new_residential_service_rooms", "c2")[12],
        "service_floor_area_m2 (养老服务用房面积) 15 over households (户数) 100 gives 15 m² per \
         100 households, below the required 20 m² per 100 households; 5 more \
         service_floor_area_m2 (养老服务用房面积) would meet it"
    );
    // Land: 甲 300 + 500 + 20 = 820 m² for 3000 residents; 乙 50 + 10 + 100 = 160 m² for
    // 1000; the district 980 m² for 4000.
    assert_eq!(
        vr(&rs, "elderly_facility_land", "甲街道"),
        ("0.2733", "pass")
    );
    assert_eq!(vr(&rs, "elderly_facility_land", "乙街道"), ("0.16", "fail"));
    assert_eq!(
        vr(&rs, "elderly_facility_land", "district"),
        ("0.245", "pass")
    );
    assert_eq!(vr(&rs, "nursing_bed_share", "H1"), ("75", "pass"));
    assert_eq!(vr(&rs, "nursing_bed_share", "H2"), ("50", "fail"));
    // Only the public home is checked against the cap.
    assert_eq!(vr(&rs, "public_bed_cap", "H1"), ("320", "fail"));
    assert!(!rs
        .iter()
        .any(|r| &r[0] == "public_bed_cap" && &r[5] == "H2"));
    // Beds per 1000 elderly: 甲 10 / 300, 乙 320 / 130, district 330 / 430.
    assert_eq!(
        vr(&rs, "care_beds_per_1000_elderly", "甲街道"),
        ("33.3333", "fail")
    );
    assert_eq!(
        vr(&rs, "care_beds_per_1000_elderly", "乙街道"),
        ("2461.5385", "pass")
    );
    assert_eq!(
        vr(&rs, "care_beds_per_1000_elderly", "district"),
        ("767.4419", "pass")
    );
    let d1 = find(&rs, "day_care_floor_area", "D1");
    assert_eq!((&d1[8], &d1[11]), ("400", "pass"));
    assert_eq!(&d1[13], "verify: taken from a secondary source.");
    assert_eq!(
        &d1[3],
        "GB 50180-2018 Standard for urban residential area planning and design, appendix"
    );
    assert_eq!(&d1[7], "甲街道");

    let report = std::fs::read_to_string(out.join("report.md")).unwrap();
    // report.md's rules section, in the scenario's language (English here): one row per rule
    // with its counts; every subject's reason is in rules.csv.
    assert!(
        report.contains("\n## Planning-rule checks: cn-eldercare\n"),
        "{report}"
    );
    let rooms = rs
        .iter()
        .filter(|r| &r[0] == "new_residential_service_rooms")
        .collect::<Vec<_>>();
    let count = |status: &str| rooms.iter().filter(|r| &r[11] == status).count();
    assert!(
        report.contains(&format!(
            "| new_residential_service_rooms | New residential areas: elderly-service rooms ≥ 20 m² \
             per 100 households | Sucheng District implementation plan, quoting the Suqian city \
             plan, §4 | {} | {} | {} |",
            count("pass"),
            count("fail"),
            count("not checked")
        )),
        "{report}"
    );
    let summary: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    let fails = rs.iter().filter(|r| &r[11] == "fail").count();
    assert_eq!(summary["rules"]["fail"], json!(fails));
    assert_eq!(summary["rules"]["ruleset"], json!("cn-eldercare"));
    assert_eq!(summary["rules"]["rules"].as_array().unwrap().len(), 12);
    // The audit outputs are there too.
    assert!(out.join("coverage.csv").exists());
}

#[test]
fn fail_on_violation_exits_3_after_writing() {
    let (dir, scenario) = district();
    let out = dir.path().join("out");
    let run = rules(&["--fail-on-violation"], &scenario, &out);
    assert_eq!(run.status.code(), Some(3));
    assert!(out.join("rules.csv").exists());
    assert!(out.join("report.md").exists());

    // A rule set that passes: exit 0 with the flag.
    std::fs::write(
        dir.path().join("ok.toml"),
        "[[rule]]\nid = \"rooms\"\nkind = \"area_per_households\"\nwhere = \"new_residential\"\n\
         field = \"service_floor_area_m2\"\nmin = 15\n",
    )
    .unwrap();
    let ruleset = dir.path().join("ok.toml");
    let run = rules(
        &[
            "--fail-on-violation",
            "--ruleset",
            ruleset.to_str().unwrap(),
        ],
        &scenario,
        &out,
    );
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let rs = rows(&out);
    assert_eq!(rs.len(), 2);
    assert!(rs.iter().all(|r| &r[11] == "pass"));
}

#[test]
fn missing_fields_are_not_checked_and_do_not_fail() {
    // The plain hand district maps none of the rule fields; its report is in Chinese.
    let (dir, scenario) = hand_district();
    let out = dir.path().join("out");
    let run = rules(&[], &scenario, &out);
    assert_eq!(run.status.code(), Some(0));
    let rs = rows(&out);
    for c in ["c1", "c2", "c3", "c4"] {
        let r = find(&rs, "new_residential_service_rooms", c);
        assert_eq!(&r[11], "not checked");
        assert_eq!(&r[12], "未校核：缺少字段 new_residential");
        assert_eq!(&r[8], "");
    }
    let r = find(&rs, "elderly_facility_land", "district");
    assert_eq!(&r[11], "not checked");
    assert_eq!(&r[12], "未校核：缺少字段 land_area_m2（C1、D1）");
    let r = find(&rs, "day_care_floor_area", "D1");
    assert_eq!(&r[12], "未校核：缺少字段 建筑面积（floor_area）");
    let r = find(&rs, "nursing_bed_share", "–");
    assert_eq!(&r[12], "无可校核对象：数据中没有养老院");
}

#[test]
fn bad_rule_file_exits_2_and_writes_nothing() {
    let (dir, scenario) = district();
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "[[rule]]\nid = \"x\"\nkind = \"quota\"\n").unwrap();
    let out = dir.path().join("out");
    let run = rules(&["--ruleset", bad.to_str().unwrap()], &scenario, &out);
    assert_eq!(run.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        stderr.contains("bad.toml: line 3, column 8: rule \"x\": unknown rule kind \"quota\"; accepted kinds are area_per_households, area_per_person, facility_size, coverage, presence, ratio"),
        "{stderr}"
    );
    assert!(!out.exists());
}

#[test]
fn list_prints_the_builtin_rules() {
    let run = Command::new(env!("CARGO_BIN_EXE_carecircle"))
        .args(["rules", "--list"])
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(0));
    let text = String::from_utf8_lossy(&run.stdout);
    let set = carecircle::rules::RuleSet::builtin("cn-eldercare").unwrap();
    for r in &set.rules {
        assert!(
            text.contains(&format!("{}  [{}]", r.id, r.kind)),
            "{}",
            r.id
        );
    }
    assert!(text.contains(
        "source: Sucheng District implementation plan, quoting the Suqian city plan, §4"
    ));
}
