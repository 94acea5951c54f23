//! A small hand-made district written as real files, shared by the integration tests.
//!
//! Metres on a local plane around (116.0 E, 29.7 N); walking at 60 m/min, 15 minutes = 900 m.
//!
//! ```text
//!                 c3 (1450,1150)
//!                 │ (1500,1200)
//!                 │   canteen C1 (1520,1000)
//!                 │
//!               ┌─┼─┐ c2: square 1400..1600 × 100..300
//!               └─┼─┘
//!  (0,0)──D1(500,20)───(1500,0)──────────────(3000,0)
//!  c1 (0,50)                                   c4 (3000,-100)
//! ```
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use carecircle::crs::LocalPlane;
use geo::Coord;
use serde_json::{json, Value};

pub fn ll(x: f64, y: f64) -> [f64; 2] {
    let c = LocalPlane::new(116.0, 29.7).unproject(Coord { x, y });
    [c.x, c.y]
}

pub fn point(x: f64, y: f64) -> Value {
    json!({"type": "Point", "coordinates": ll(x, y)})
}

pub fn fc(features: Vec<Value>) -> String {
    json!({"type": "FeatureCollection", "features": features}).to_string()
}

pub fn feature(geometry: Value, properties: Value) -> Value {
    json!({"type": "Feature", "geometry": geometry, "properties": properties})
}

pub fn communities() -> Vec<Value> {
    let square = json!({"type": "Polygon", "coordinates": [[
        ll(1400.0, 100.0), ll(1600.0, 100.0), ll(1600.0, 300.0), ll(1400.0, 300.0), ll(1400.0, 100.0)
    ]]});
    vec![
        feature(
            point(0.0, 50.0),
            json!({"编码": "c1", "名称": "东湖社区", "街道": "甲街道", "常住人口": 1000, "老年人口": 100}),
        ),
        feature(
            square,
            json!({"编码": "c2", "名称": "西园社区", "街道": "甲街道", "常住人口": "2000", "老年人口": 200}),
        ),
        feature(
            point(1450.0, 1150.0),
            json!({"编码": "c3", "名称": "北村村委会", "街道": "乙街道", "常住人口": 400, "老年人口": 50}),
        ),
        feature(
            point(3000.0, -100.0),
            json!({"编码": "c4", "名称": "远郊社区", "街道": "乙街道", "常住人口": 600, "老年人口": 80}),
        ),
    ]
}

pub fn facilities() -> Vec<Value> {
    vec![
        feature(
            point(500.0, 20.0),
            json!({"id": "D1", "名称": "甲街道日间照料中心", "类型": "日间照料中心"}),
        ),
        feature(
            point(1520.0, 1000.0),
            json!({"id": "C1", "名称": "北村老年食堂", "类型": "老年食堂"}),
        ),
    ]
}

pub fn roads() -> Vec<Value> {
    vec![
        feature(
            json!({"type": "LineString", "coordinates": [ll(0.0, 0.0), ll(1500.0, 0.0), ll(3000.0, 0.0)]}),
            json!({"highway": "residential"}),
        ),
        feature(
            json!({"type": "LineString", "coordinates": [ll(1500.0, 0.0), ll(1500.0, 1200.0)]}),
            json!({"highway": "footway"}),
        ),
    ]
}

pub const SCENARIO: &str = r#"
name = "手算区 hand district"
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
[layers.roads]
path = "roads.geojson"
[targets]
day_care = { limit_min = 15, coverage = 1.0 }
canteen = { limit_min = 15, coverage = 0.5 }
"#;

/// Writes the district into a fresh temporary folder and returns (folder guard, scenario path).
pub fn write_district(
    communities: &[Value],
    facilities: &[Value],
    roads: &[Value],
    scenario: &str,
) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    write(dir.path(), "communities.geojson", &fc(communities.to_vec()));
    write(dir.path(), "facilities.geojson", &fc(facilities.to_vec()));
    write(dir.path(), "roads.geojson", &fc(roads.to_vec()));
    let path = dir.path().join("scenario.toml");
    write(dir.path(), "scenario.toml", scenario);
    (dir, path)
}

pub fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).expect("write fixture");
}

pub fn hand_district() -> (tempfile::TempDir, PathBuf) {
    write_district(&communities(), &facilities(), &roads(), SCENARIO)
}

/// The shared Helsinki OSM extract, or `None` after saying loudly that it is absent (the test
/// is then skipped, not passed).
#[allow(dead_code)]
pub fn helsinki_pbf() -> Option<PathBuf> {
    let p = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/data/osm/Helsinki.osm.pbf"
    ));
    if p.exists() {
        Some(p)
    } else {
        eprintln!(
            "SKIPPED: ../shared/data/osm/Helsinki.osm.pbf not found (the shared data folder is \
             absent)"
        );
        None
    }
}

/// A scenario on the Helsinki extract in `dir`: a 10 × 10 grid of communities over the
/// extract's box (24.9352–24.9534 E, 60.1642–60.1791 N; names `{name_prefix}{i}{j}`) and three
/// facilities (day care F1, F2, canteen F3); `extra` is appended to the scenario's text.
#[allow(dead_code)]
pub fn write_helsinki(dir: &Path, pbf: &Path, name_prefix: &str, extra: &str) -> PathBuf {
    let mut communities = Vec::new();
    for i in 0..10 {
        for j in 0..10 {
            let lon = 24.9360 + 0.0017 * i as f64;
            let lat = 60.1650 + 0.0014 * j as f64;
            communities.push(feature(
                json!({"type": "Point", "coordinates": [lon, lat]}),
                json!({"id": format!("H{i}{j}"), "name": format!("{name_prefix}{i}{j}"),
                       "street": format!("S{}", i / 5), "population": 1000, "elderly": 100 + i + j}),
            ));
        }
    }
    let facility = |x: f64, y: f64, id: &str, kind: &str| {
        feature(
            json!({"type": "Point", "coordinates": [x, y]}),
            json!({"id": id, "kind": kind}),
        )
    };
    let facilities = vec![
        facility(24.9410, 60.1700, "F1", "day_care"),
        facility(24.9500, 60.1760, "F2", "day_care"),
        facility(24.9380, 60.1770, "F3", "canteen"),
    ];
    write(dir, "communities.geojson", &fc(communities));
    write(dir, "facilities.geojson", &fc(facilities));
    let scenario = format!(
        "name = \"Helsinki\"\n[layers.communities]\npath = \"communities.geojson\"\n\
         [layers.facilities]\npath = \"facilities.geojson\"\n[layers.roads]\npath = \"{}\"\n{extra}",
        pbf.display()
    );
    write(dir, "scenario.toml", &scenario);
    dir.join("scenario.toml")
}

/// The embedded demo district's files (`data/demo`).
#[allow(dead_code)]
pub fn demo_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data/demo")
}

/// A copy of every file of the demo district in a fresh folder, and its scenario's path.
#[allow(dead_code)]
pub fn demo_copy() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(demo_dir()).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            std::fs::copy(&path, tmp.path().join(path.file_name().unwrap())).unwrap();
        }
    }
    let scenario = tmp.path().join("scenario.toml");
    (tmp, scenario)
}

/// Runs the binary as a user would: `carecircle ARGS --scenario SCENARIO --out OUT`.
pub fn carecircle(args: &[&str], scenario: &Path, out: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_carecircle"))
        .args(args)
        .arg("--scenario")
        .arg(scenario)
        .arg("--out")
        .arg(out)
        .output()
        .expect("run carecircle")
}

/// [`carecircle`], which must succeed (exit 0); its stderr is the failure message.
pub fn carecircle_ok(args: &[&str], scenario: &Path, out: &Path) -> Output {
    let run = carecircle(args, scenario, out);
    assert_eq!(
        run.status.code(),
        Some(0),
        "carecircle {args:?}: {}",
        String::from_utf8_lossy(&run.stderr)
    );
    run
}
