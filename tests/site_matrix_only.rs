//! `site --matrix` on a matrix-only scenario: no `[layers.roads]`, the travel times come from
//! a CSV. The hand district's communities and facilities (tests/common/mod.rs), three
//! candidates and this matrix (minutes; the canteen C1 is listed too, which the day-care siting
//! ignores):
//!
//! ```text
//! c1: D1 5                 → covered by the existing day-care centre
//! c2: D1 20, S1 10, S2 12  → needs S1 or S2
//! c3: S2 8, C1 3           → needs S2
//! c4: S3 14, S1 30         → needs S3
//! ```
//!
//! So LSCP opens {S2, S3} (2 sites; 1 → 4 communities, 100 → 430 elderly), and the best single
//! site (MCLP, p = 1) is S2 with c2 and c3: 100 → 350 elderly.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::*;
use serde_json::{json, Value};

const MATRIX: &str = "community,site,minutes\n\
c1,D1,5\n\
c2,D1,20\nc2,S1,10\nc2,S2,12\n\
c3,S2,8\nc3,C1,3\n\
c4,S3,14\nc4,S1,30\n";

/// The hand district without roads, with candidates; returns (guard, scenario, matrix).
fn matrix_only() -> (tempfile::TempDir, std::path::PathBuf, std::path::PathBuf) {
    let (dir, _) = hand_district();
    std::fs::remove_file(dir.path().join("roads.geojson")).unwrap();
    let cands = vec![
        feature(point(1500.0, 100.0), json!({"id": "S1"})),
        feature(point(1500.0, 1150.0), json!({"id": "S2"})),
        feature(point(2800.0, 0.0), json!({"id": "S3"})),
    ];
    write(dir.path(), "candidates.geojson", &fc(cands));
    let scenario = SCENARIO.replace("[layers.roads]\npath = \"roads.geojson\"\n", "");
    assert!(!scenario.contains("roads"));
    let scenario = format!("{scenario}\n[layers.candidates]\npath = \"candidates.geojson\"\n");
    write(dir.path(), "scenario.toml", &scenario);
    write(dir.path(), "matrix.csv", MATRIX);
    let s = dir.path().join("scenario.toml");
    let m = dir.path().join("matrix.csv");
    (dir, s, m)
}

fn site(scenario: &Path, out: &Path, extra: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_carecircle"))
        .args(["site", "--kind", "day_care", "--scenario"])
        .arg(scenario)
        .arg("--out")
        .arg(out)
        .args(extra)
        .output()
        .unwrap()
}

fn summary(out: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap()
}

#[test]
fn lscp_and_mclp_run_on_a_matrix_without_roads() {
    let (dir, scenario, matrix) = matrix_only();
    let m = matrix.to_str().unwrap();

    let out = dir.path().join("lscp");
    let run = site(&scenario, &out, &["--model", "lscp", "--matrix", m]);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let s = summary(&out);
    let p = &s["siting"]["day_care"];
    assert_eq!(p["new_sites"], json!(["S2", "S3"]));
    assert_eq!(p["objective"], json!(2.0));
    assert_eq!(p["proven_optimal"], json!(true));
    assert_eq!(p["communities_covered_before"], json!(1));
    assert_eq!(p["communities_covered_after"], json!(4));
    assert_eq!(p["elderly_covered_before"], json!(100));
    assert_eq!(p["elderly_covered_after"], json!(430));
    // The audit came from the matrix too: c1 is 5 minutes from D1, c2 20 (not covered).
    let coverage = std::fs::read_to_string(out.join("coverage.csv")).unwrap();
    assert!(coverage.contains("c1,"), "{coverage}");
    let csv = std::fs::read_to_string(out.join("sites.csv")).unwrap();
    let rows: Vec<&str> = csv.lines().collect();
    assert_eq!(rows.len(), 3, "{csv}");
    assert!(
        rows[1].starts_with("day_care,1,S2,day_care,"),
        "{}",
        rows[1]
    );
    assert!(
        rows[2].starts_with("day_care,2,S3,day_care,"),
        "{}",
        rows[2]
    );

    let out = dir.path().join("mclp");
    let run = site(
        &scenario,
        &out,
        &["--model", "mclp", "--p", "1", "--matrix", m],
    );
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let p = &summary(&out)["siting"]["day_care"];
    assert_eq!(p["new_sites"], json!(["S2"]));
    assert_eq!(p["elderly_covered_after"], json!(350));
}

#[test]
fn without_roads_and_without_a_matrix_the_error_says_what_to_give() {
    let (dir, scenario, _) = matrix_only();
    let out = dir.path().join("out");
    let run = site(&scenario, &out, &["--model", "lscp"]);
    assert_eq!(run.status.code(), Some(2));
    let e = String::from_utf8_lossy(&run.stderr);
    assert!(e.contains("[layers.roads] is missing"), "{e}");
    assert!(e.contains("--matrix"), "{e}");
    assert!(!out.exists());
    // Other commands need the roads too.
    let run = carecircle(&["audit"], &scenario, &out);
    assert_eq!(run.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&run.stderr).contains("[layers.roads] is missing"));
    assert!(!out.exists());
}

#[test]
fn a_matrix_only_scenario_needs_candidates() {
    let (dir, scenario, matrix) = matrix_only();
    let text = std::fs::read_to_string(&scenario).unwrap();
    let text = text.replace("[layers.candidates]\npath = \"candidates.geojson\"\n", "");
    write(dir.path(), "scenario.toml", &text);
    let out = dir.path().join("out");
    let run = site(&scenario, &out, &["--matrix", matrix.to_str().unwrap()]);
    assert_eq!(run.status.code(), Some(2));
    let e = String::from_utf8_lossy(&run.stderr);
    assert!(e.contains("[layers.candidates]"), "{e}");
    assert!(!out.exists());
}
