//! Accessibility in `run`'s outputs on the hand district (tests/common/mod.rs) with capacities:
//! day care D1 has 10 places and reaches only c1 (100 elderly) within 15 minutes; canteen C1
//! has 20 places and reaches c2 (200) and c3 (50). So by hand (2SFCA, uniform catchment):
//!
//! - day care: D1's ratio 10 / 100 = 0.1 → c1 100 places per 1000 elderly, the others 0;
//! - canteen: C1's ratio 20 / 250 = 0.08 → c2 and c3 80 per 1000, c1 and c4 0.
//!
//! With `norm_per_1000 = { day_care = 150, canteen = 50 }`, c1 is covered by day care but
//! over-subscribed (100 < 150); c2 and c3 are covered by the canteen and above its norm.

mod common;

use std::collections::BTreeMap;

use common::*;
use serde_json::{json, Value};

fn run_district() -> (tempfile::TempDir, std::path::PathBuf) {
    let mut fs = facilities();
    fs[0]["properties"]["床位"] = json!(10);
    fs[1]["properties"]["床位"] = json!(20);
    let scenario = SCENARIO.replace(
        "fields = { id = \"id\", name = \"名称\", kind = \"类型\" }",
        "fields = { id = \"id\", name = \"名称\", kind = \"类型\", capacity = \"床位\" }",
    ) + "\n[access]\nnorm_per_1000 = { day_care = 150, canteen = 50 }\n";
    let (dir, path) = write_district(&communities(), &fs, &roads(), &scenario);
    let out = dir.path().join("out");
    carecircle_ok(&["run"], &path, &out);
    (dir, out)
}

#[test]
fn access_columns_maps_and_report_section() {
    let (_dir, out) = run_district();

    // coverage.csv: per community the accessibility columns, as computed by hand.
    let text = std::fs::read_to_string(out.join("coverage.csv")).unwrap();
    let mut reader = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    let col = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("no column {name} in {header:?}"))
    };
    let rows: BTreeMap<String, Vec<String>> = reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            (
                r[col("id")].to_string(),
                r.iter().map(String::from).collect(),
            )
        })
        .collect();
    let cell = |c: &str, name: &str| rows[c][col(name)].clone();
    for (c, day_care, canteen, over) in [
        ("c1", "100.0", "0.0", "yes"),
        ("c2", "0.0", "80.0", "no"),
        ("c3", "0.0", "80.0", "no"),
        ("c4", "0.0", "0.0", "no"),
    ] {
        assert_eq!(cell(c, "day_care_access_per_1000"), day_care, "{c}");
        assert_eq!(cell(c, "canteen_access_per_1000"), canteen, "{c}");
        assert_eq!(cell(c, "day_care_over_subscribed"), over, "{c}");
        assert_eq!(cell(c, "canteen_over_subscribed"), "no", "{c}");
    }

    // communities.geojson carries the same values.
    let gj: Value =
        serde_json::from_slice(&std::fs::read(out.join("communities.geojson")).unwrap()).unwrap();
    let c1 = gj["features"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["properties"]["id"] == "c1")
        .unwrap();
    assert_eq!(c1["properties"]["day_care_access_per_1000"], json!(100.0));
    assert_eq!(c1["properties"]["day_care_over_subscribed"], json!(true));

    // A map per kind, and the parcels map only with parcels.
    for kind in ["day_care", "canteen"] {
        let png = std::fs::read(out.join(format!("map_access_{kind}.png"))).unwrap();
        assert!(png.starts_with(b"\x89PNG"));
        let svg = std::fs::read_to_string(out.join(format!("map_access_{kind}.svg"))).unwrap();
        assert!(svg.contains("可达性 accessibility"), "{kind}");
    }
    assert!(!out.join("map_parcels.png").exists());

    // The report lists the covered-but-over-subscribed communities.
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(md.contains("养老服务可达性"), "{md}");
    assert!(
        md.contains("日间照料中心：覆盖但供给不足的社区（1 个，列出前 1 个）"),
        "{md}"
    );
    assert!(
        md.contains("| c1 | 东湖社区 | 甲街道 | 100 | 100.00 | 150.00 |"),
        "{md}"
    );
    assert!(md.contains("老年食堂：没有覆盖但供给不足的社区。"), "{md}");
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("id=\"access\""));
}
