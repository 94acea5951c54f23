//! Candidates from parcels: a candidates layer of polygons (vacant land, public buildings) is
//! taken at each polygon's interior point with its area; `[access] area_per_place_m2` turns the
//! area into places, and a parcel smaller than the rule set's floor area for a kind (the
//! built-in `day_care_floor_area`: ≥ 350 m²) is not offered for that kind.
//!
//! The hand district (tests/common/mod.rs) with the candidates of tests/site_hand.rs: K1 near
//! c2 as a 20 × 20 m parcel (400 m²), K2 near c3 as a 10 × 10 m parcel (100 m²: too small for a
//! day-care centre), K3 near c4 a point with a mapped area of 500 m², K4 a point without area.
//! So LSCP for day care opens K1 and K3 and cannot reach c3; canteens may still use K2.

mod common;

use carecircle::coverage::audit;
use carecircle::model::FacilityKind;
use carecircle::site_plan::{candidate_places, plan_sites, SitingRequest};
use carecircle::siting::Model;
use carecircle::study::Study;
use common::*;
use serde_json::json;

fn square(cx: f64, cy: f64, half: f64) -> serde_json::Value {
    json!({"type": "Polygon", "coordinates": [[
        ll(cx - half, cy - half), ll(cx + half, cy - half), ll(cx + half, cy + half),
        ll(cx - half, cy + half), ll(cx - half, cy - half)
    ]]})
}

#[test]
fn parcels_offer_their_area_and_too_small_ones_are_not_offered() {
    let (dir, _) = hand_district();
    let cands = vec![
        feature(square(1500.0, 100.0, 10.0), json!({"id": "K1"})),
        feature(square(1500.0, 1150.0, 5.0), json!({"id": "K2"})),
        feature(point(2800.0, 0.0), json!({"id": "K3", "面积": 500})),
        feature(point(2000.0, 0.0), json!({"id": "K4"})),
    ];
    write(dir.path(), "candidates.geojson", &fc(cands));
    let scenario = format!(
        "{SCENARIO}\n[layers.candidates]\npath = \"candidates.geojson\"\nfields = {{ id = \"id\", area = \"面积\" }}\n\n[access]\narea_per_place_m2 = 10\n"
    );
    write(dir.path(), "scenario.toml", &scenario);
    let study = Study::load(&dir.path().join("scenario.toml")).unwrap();
    let c = &study.layers.candidates;
    // Areas: the parcels' own (on a local plane), the mapped field, none.
    assert!(
        (c[0].area_m2.unwrap() - 400.0).abs() < 0.5,
        "{:?}",
        c[0].area_m2
    );
    assert!(
        (c[1].area_m2.unwrap() - 100.0).abs() < 0.2,
        "{:?}",
        c[1].area_m2
    );
    assert_eq!(c[2].area_m2, Some(500.0));
    assert_eq!(c[3].area_m2, None);
    // Places from the area at 10 m² a place.
    assert_eq!(candidate_places(&c[2], Some(10.0)), Some(50.0));
    assert!((candidate_places(&c[0], Some(10.0)).unwrap() - 40.0).abs() < 0.05);
    assert_eq!(candidate_places(&c[3], Some(10.0)), None);
    // The parcel's interior point is inside it: K1 at about (1500, 100).
    let k1 = LocalPlaneProbe::xy(c[0].location);
    assert!(
        (k1.0 - 1500.0).abs() < 10.0 && (k1.1 - 100.0).abs() < 10.0,
        "{k1:?}"
    );

    let a = audit(&study);
    let req = SitingRequest::new(&study, FacilityKind::DayCare, Model::Lscp).unwrap();
    let plan = plan_sites(&study, &a, &req).unwrap();
    let ids: Vec<&str> = plan
        .solution
        .chosen
        .iter()
        .map(|&j| plan.candidates[j].id.as_str())
        .collect();
    assert_eq!(ids, ["K1", "K3"]);
    let c3 = study
        .layers
        .communities
        .iter()
        .position(|c| c.id == "c3")
        .unwrap();
    assert_eq!(plan.solution.uncoverable, vec![c3]);
    assert!(
        plan.candidate_source
            .contains("1 of them smaller than the 350 m² rule day_care_floor_area"),
        "{}",
        plan.candidate_source
    );

    // Canteens have no floor-area rule: K2 reaches c3 for them.
    let req = SitingRequest::new(&study, FacilityKind::Canteen, Model::Lscp).unwrap();
    let plan = plan_sites(&study, &a, &req).unwrap();
    let k2 = (plan.existing.len() + 1) as u32;
    assert!(plan.reach.row(c3).any(|(s, _)| s == k2));
}

/// Local metres of a lon/lat point on the hand district's plane.
struct LocalPlaneProbe;

impl LocalPlaneProbe {
    fn xy(p: geo::Point<f64>) -> (f64, f64) {
        let q = carecircle::crs::LocalPlane::new(116.0, 29.7).project(p.0);
        (q.x, q.y)
    }
}
