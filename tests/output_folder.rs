//! Output folders that cannot mislead: `--out` may not hold the inputs, every run writes
//! outputs.json, and an earlier run's files that this run does not write are removed.

mod common;

use std::path::Path;

use common::*;
use serde_json::Value;

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn out_equal_to_the_scenario_folder_is_refused_and_the_inputs_stay() {
    let (dir, scenario) = hand_district();
    let before = names(dir.path());
    let communities = std::fs::read(dir.path().join("communities.geojson")).unwrap();
    for args in [
        &["audit"][..],
        &["run"],
        &["areas"],
        &["rules"],
        &["site", "--kind", "day_care"],
    ] {
        let run = carecircle(args, &scenario, dir.path());
        let e = String::from_utf8_lossy(&run.stderr);
        assert_eq!(run.status.code(), Some(2), "{args:?}: {e}");
        assert!(e.contains("holds the input"), "{e}");
    }
    assert_eq!(names(dir.path()), before);
    assert_eq!(
        std::fs::read(dir.path().join("communities.geojson")).unwrap(),
        communities
    );
}

#[test]
fn audit_after_run_removes_the_stale_files_and_writes_a_manifest() {
    let (dir, scenario) = hand_district();
    let out = dir.path().join("out");
    carecircle_ok(&["run"], &scenario, &out);
    let after_run = names(&out);
    assert!(
        after_run.contains(&"sites.csv".to_string()),
        "{after_run:?}"
    );
    assert!(
        after_run.contains(&"rules.csv".to_string()),
        "{after_run:?}"
    );
    // A user's own file in the folder is left alone.
    std::fs::write(out.join("notes.txt"), "mine").unwrap();

    let audit = carecircle(&["audit"], &scenario, &out);
    let stdout = String::from_utf8_lossy(&audit.stdout);
    assert_eq!(
        audit.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&audit.stderr)
    );
    assert!(
        stdout.contains("removed") && stdout.contains("sites.csv"),
        "{stdout}"
    );
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(out.join("outputs.json")).unwrap()).unwrap();
    assert_eq!(manifest["tool"], "carecircle");
    assert_eq!(manifest["command"], "audit");
    let listed: Vec<String> = manifest["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap().to_string())
        .collect();
    let mut expected = listed.clone();
    expected.push("notes.txt".into());
    expected.push("outputs.json".into());
    expected.sort();
    // Exactly the audit's files, the manifest and the user's note: nothing of the run.
    assert_eq!(names(&out), expected);
    assert!(!listed.contains(&"sites.csv".to_string()));
    // Every input with its SHA-256: scenario, communities, facilities, roads.
    let inputs = manifest["inputs"].as_array().unwrap();
    assert_eq!(inputs.len(), 4, "{inputs:?}");
    for input in inputs {
        let sha = input["sha256"].as_str().unwrap();
        assert_eq!(sha.len(), 64);
        assert!(sha.bytes().all(|b| b.is_ascii_hexdigit()));
    }
    // Same inputs, same bytes: the manifest is deterministic too.
    let first = std::fs::read(out.join("outputs.json")).unwrap();
    let again = carecircle(&["audit"], &scenario, &out);
    assert_eq!(again.status.code(), Some(0));
    assert_eq!(std::fs::read(out.join("outputs.json")).unwrap(), first);
}
