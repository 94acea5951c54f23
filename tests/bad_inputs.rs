//! Every bad-input class gives its own error naming the file, the feature and the problem; the
//! command exits non-zero without writing outputs, and nothing panics.

mod common;

use carecircle::study::Study;
use carecircle::{Error, Problem};
use common::*;
use serde_json::{json, Value};

/// Writes the hand district with one layer replaced by raw text, loads it through the library
/// and through the command line, and returns the problem and the CLI's stderr.
fn load_with(layer: &str, text: &str) -> (Problem, String, String) {
    let (dir, scenario) = hand_district();
    write(dir.path(), layer, text);
    let problem = match Study::load(&scenario) {
        Err(Error::Input(e)) => e.problem,
        Err(other) => panic!("expected an input error, got {other}"),
        Ok(_) => panic!("expected an error for {layer}"),
    };
    let out = dir.path().join("out");
    let run = carecircle(&["audit"], &scenario, &out);
    assert_eq!(run.status.code(), Some(2), "exit status for {layer}");
    assert!(!out.exists(), "no output may be written on bad input");
    let stderr = String::from_utf8_lossy(&run.stderr).into_owned();
    assert!(stderr.starts_with("error: "), "{stderr}");
    assert!(stderr.contains(layer), "the error names the file: {stderr}");
    (problem, stderr, dir.path().display().to_string())
}

fn with_community(i: usize, edit: impl Fn(&mut Value)) -> String {
    let mut cs = communities();
    edit(&mut cs[i]);
    fc(cs)
}

fn with_facility(i: usize, edit: impl Fn(&mut Value)) -> String {
    let mut fs = facilities();
    edit(&mut fs[i]);
    fc(fs)
}

#[test]
fn unreadable_file() {
    let (dir, scenario) = hand_district();
    std::fs::remove_file(dir.path().join("facilities.geojson")).unwrap();
    match Study::load(&scenario) {
        Err(Error::Input(e)) => {
            assert!(matches!(e.problem, Problem::Unreadable(_)));
            assert!(e
                .to_string()
                .contains("facilities.geojson: cannot read the file"));
        }
        _ => panic!("expected unreadable"),
    }
}

#[test]
fn not_json() {
    let (p, stderr, _) = load_with("communities.geojson", "{\"type\": \"FeatureCollection\", ");
    assert!(matches!(p, Problem::NotJson(_)), "{p:?}");
    assert!(stderr.contains("not valid GeoJSON"), "{stderr}");
}

#[test]
fn nan_written_by_python() {
    let text = with_community(0, |c| c["geometry"]["coordinates"] = json!([0, 0]))
        .replace("[0,0]", "[NaN,29.7]");
    let (p, stderr, _) = load_with("communities.geojson", &text);
    assert!(matches!(p, Problem::BadCoordinate(_)), "{p:?}");
    assert!(stderr.contains("NaN"), "{stderr}");
}

#[test]
fn wrong_geometry_type() {
    let text =
        with_facility(
            1,
            |f| {
                f["geometry"] =
                    json!({"type": "LineString", "coordinates": [ll(0.0, 0.0), ll(1.0, 1.0)]})
            },
        );
    let (p, stderr, _) = load_with("facilities.geojson", &text);
    assert_eq!(
        p,
        Problem::WrongGeometry {
            expected: "Point".into(),
            found: "LineString".into()
        }
    );
    assert!(stderr.contains("feature #1 (id C1)"), "{stderr}");
}

#[test]
fn missing_mapped_field() {
    let text = with_community(2, |c| {
        c["properties"].as_object_mut().unwrap().remove("老年人口");
    });
    let (p, stderr, _) = load_with("communities.geojson", &text);
    assert_eq!(p, Problem::MissingField("老年人口".into()));
    assert!(stderr.contains("feature #2 (id c3)"), "{stderr}");
    assert!(stderr.contains("field mapping"), "{stderr}");
}

#[test]
fn non_numeric_population() {
    let text = with_community(1, |c| c["properties"]["常住人口"] = json!("很多"));
    let (p, _, _) = load_with("communities.geojson", &text);
    assert!(
        matches!(p, Problem::BadNumber { ref field, .. } if field == "常住人口"),
        "{p:?}"
    );
}

#[test]
fn negative_population() {
    let text = with_community(1, |c| c["properties"]["老年人口"] = json!(-5));
    let (p, stderr, _) = load_with("communities.geojson", &text);
    assert_eq!(
        p,
        Problem::NegativeNumber {
            field: "老年人口".into(),
            value: -5.0
        }
    );
    assert!(stderr.contains("negative"), "{stderr}");
}

#[test]
fn out_of_range_coordinates() {
    let text = with_facility(0, |f| f["geometry"]["coordinates"] = json!([200.0, 29.7]));
    let (p, _, _) = load_with("facilities.geojson", &text);
    assert!(matches!(p, Problem::BadCoordinate(_)), "{p:?}");
}

#[test]
fn projected_coordinates_say_so() {
    let text = with_facility(0, |f| {
        f["geometry"]["coordinates"] = json!([39_512_345.0, 3_287_654.0])
    });
    let (p, stderr, _) = load_with("facilities.geojson", &text);
    assert!(matches!(p, Problem::ProjectedCoordinates { .. }), "{p:?}");
    assert!(stderr.contains("projected"), "{stderr}");
}

#[test]
fn unknown_facility_kind_lists_the_accepted_ones() {
    let text = with_facility(0, |f| f["properties"]["类型"] = json!("老年大学"));
    let (p, stderr, _) = load_with("facilities.geojson", &text);
    assert!(
        matches!(p, Problem::UnknownKind { ref value, .. } if value == "老年大学"),
        "{p:?}"
    );
    for accepted in [
        "day_care",
        "canteen",
        "meal_point",
        "service_center",
        "care_home",
        "mutual_aid",
    ] {
        assert!(stderr.contains(accepted), "{stderr}");
    }
}

#[test]
fn empty_layer() {
    let (p, _, _) = load_with("roads.geojson", &fc(vec![]));
    assert_eq!(p, Problem::EmptyLayer);
}

#[test]
fn duplicate_ids() {
    let text = with_community(3, |c| c["properties"]["编码"] = json!("c1"));
    let (p, stderr, _) = load_with("communities.geojson", &text);
    assert_eq!(
        p,
        Problem::DuplicateId {
            id: "c1".into(),
            first_index: 0
        }
    );
    assert!(
        stderr.contains("feature #3 (id c1)") && stderr.contains("feature #0"),
        "{stderr}"
    );
}

#[test]
fn invalid_polygon_is_repaired_with_a_warning() {
    let bowtie = json!({"type": "Polygon", "coordinates": [[
        ll(1400.0, 100.0), ll(1600.0, 300.0), ll(1600.0, 100.0), ll(1400.0, 300.0), ll(1400.0, 100.0)
    ]]});
    let (dir, scenario) = hand_district();
    write(
        dir.path(),
        "communities.geojson",
        &with_community(1, |c| c["geometry"] = bowtie.clone()),
    );
    let study = Study::load(&scenario).unwrap();
    assert_eq!(
        study
            .warnings
            .count(carecircle::WarningKind::RepairedPolygon),
        1
    );
    assert!(
        matches!(study.layers.communities[1].geometry, geo::Geometry::MultiPolygon(ref mp) if mp.0.len() == 2)
    );
}

#[test]
fn scenario_errors_give_line_and_column() {
    let (dir, scenario) = hand_district();
    write(
        dir.path(),
        "scenario.toml",
        &SCENARIO.replace("limit_min = 15\n[layers", "limit_min = fifteen\n[layers"),
    );
    let e = Study::load(&scenario).err().unwrap().to_string();
    assert!(e.contains("scenario.toml") && e.contains("line 7"), "{e}");
}

#[test]
fn garbage_never_panics() {
    // Truncations of a valid layer: every one is an error or a load, never a panic.
    let text = fc(communities());
    let (dir, scenario) = hand_district();
    for cut in (0..text.len()).step_by(37) {
        if !text.is_char_boundary(cut) {
            continue;
        }
        write(dir.path(), "communities.geojson", &text[..cut]);
        let _ = Study::load(&scenario);
    }
}
