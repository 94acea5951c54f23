//! `carecircle demo` end to end: the embedded 浔阳区 demo district is written, audited, and the
//! outputs are the same bytes on every run.

#[test]
fn demo_runs_end_to_end_and_is_deterministic() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    carecircle::commands::run_demo(&a).unwrap();
    carecircle::commands::run_demo(&b).unwrap();
    for name in [
        "summary.json",
        "coverage.csv",
        "communities.geojson",
        "uncovered.geojson",
        "report.md",
        "report.html",
        "report.xlsx",
    ] {
        let x = std::fs::read(a.join(name)).unwrap();
        assert_eq!(x, std::fs::read(b.join(name)).unwrap(), "{name} differs");
    }
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(a.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["counts"]["communities"], 123);
    assert_eq!(summary["counts"]["streets"], 9);
    assert_eq!(summary["input_crs"], "gcj02");
    let day = &summary["coverage"]["day_care"]["district"];
    // Some communities are clearly uncovered, some covered.
    let covered = day["communities_covered"].as_u64().unwrap();
    assert!(covered > 0 && covered < 123, "{covered}");
    assert_eq!(summary["coverage"]["day_care"]["meets_target"], false);
    // Outputs are WGS-84: the GCJ-02 demo layers moved by a few hundred metres on load.
    let communities: serde_json::Value =
        serde_json::from_slice(&std::fs::read(a.join("communities.geojson")).unwrap()).unwrap();
    assert_eq!(communities["features"].as_array().unwrap().len(), 123);
}
