//! Service areas with a long reach (issue 14): the widening is unioned in a balanced tree of
//! spatial groups instead of one overlay of every piece (590 s and 7.9 GB when driving on the
//! demo). Its speed is measured in benches/areas.rs; these tests guard that the faster shape
//! is the same shape, that "who lives inside" is still exact, and that absurd options are
//! refused instead of drawing areas larger than the Earth.

use carecircle::areas::{
    reached_segments, service_areas, widen, AreaOptions, Origin, MAX_LATERAL_M,
};
use carecircle::bench_support::{layers, scenario};
use carecircle::network::{Direction, SearchSpace, SourceSet};
use carecircle::progress::Steps;
use carecircle::study::Study;
use carecircle::synthetic::{city, CityParams};
use carecircle::Warnings;
use geo::algorithm::buffer::{BufferStyle, LineCap, LineJoin};
use geo::{Area, BooleanOps, Buffer, Intersects, LineString, MultiLineString, Point, Validation};

fn study(grid: usize, facilities: usize) -> Study {
    let c = city(CityParams {
        seed: 11,
        grid,
        spacing_m: 80.0,
        missing_share: 0.15,
        communities: 200,
        facilities,
    });
    Study::from_layers(
        scenario(),
        layers(&c),
        Warnings::default(),
        &Steps::hidden(),
    )
    .unwrap()
}

#[test]
fn absurd_lateral_allowance_is_refused() {
    // lateral_m = 1e9 drew service areas larger than the Earth with exit 0.
    let s = study(6, 2);
    for lateral_m in [1e9, MAX_LATERAL_M * 1.01, f64::INFINITY, 0.0, -5.0] {
        let options = AreaOptions {
            bands: vec![15.0],
            lateral_m,
        };
        let Err(e) = service_areas(&s, &options, &|| {}) else {
            panic!("lateral_m = {lateral_m} must be refused");
        };
        let text = e.to_string();
        assert!(
            text.contains("lateral_m") && text.contains("synthetic.toml"),
            "{text}"
        );
    }
    let ok = AreaOptions {
        bands: vec![15.0],
        lateral_m: MAX_LATERAL_M,
    };
    assert!(service_areas(&s, &ok, &|| {}).is_ok());
}

#[test]
fn the_balanced_union_is_the_single_overlay_shape() {
    // A 60-minute reach: every street of a 20 × 20 grid (about 700 segments, three groups and
    // more per facility), widened by 50 m, against one overlay of every segment (main's way).
    let s = study(20, 3);
    let graph = &s.graph;
    let sources = SourceSet::new(s.facility_snaps.clone());
    let mut space = SearchSpace::new(graph);
    for i in 0..s.layers.facilities.len() {
        let Some(snap) = s.facility_snaps[i] else {
            continue;
        };
        let origin = Origin {
            xy: graph.plane.project(s.layers.facilities[i].location.0),
            snap,
        };
        space.run(
            graph,
            sources.seeds(graph, i as u32, Direction::FromSource),
            60.0,
            Direction::FromSource,
        );
        let (segments, points) = reached_segments(graph, &space, &[origin], 60.0);
        assert!(segments.len() > 600, "{} segments", segments.len());
        let fast = widen(&segments, &points, 50.0);
        let step = std::f64::consts::PI / 16.0;
        let one_overlay = MultiLineString::new(
            segments
                .iter()
                .map(|s| LineString::from(vec![s[0], s[1]]))
                .collect(),
        )
        .buffer_with_style(
            BufferStyle::new(50.0)
                .line_cap(LineCap::Round(step))
                .line_join(LineJoin::Round(step)),
        );
        assert!(fast.is_valid(), "{:?}", fast.validation_errors());
        let (a, b) = (fast.unsigned_area(), one_overlay.unsigned_area());
        // Caps and joins are drawn from different pieces in the two ways (the groups cut
        // polylines), so their chords differ a little; the areas agree within 0.1 %.
        assert!((a - b).abs() <= 1e-3 * b, "{a} vs {b}");
        let xor = fast.xor(&one_overlay).unsigned_area();
        assert!(xor <= 2e-3 * b, "xor {xor} of {b}");
    }
}

#[test]
fn people_inside_are_exactly_the_points_in_the_polygon() {
    // "Who lives inside" uses banded edges instead of geo's walk over every edge: it must
    // agree with geo on every demand point, inside, outside and on the boundary.
    let s = study(14, 4);
    let options = AreaOptions {
        bands: vec![5.0, 20.0],
        lateral_m: 40.0,
    };
    let areas = service_areas(&s, &options, &|| {}).unwrap();
    let mut checked = 0;
    for a in &areas.facilities {
        let want: Vec<u32> = (0..s.demand.len() as u32)
            .filter(|&i| {
                let c = s.graph.plane.project(s.demand[i as usize].location.0);
                a.polygon.intersects(&Point(c))
            })
            .collect();
        assert_eq!(
            a.demand_inside, want,
            "facility {} band {}",
            a.facility, a.minutes
        );
        checked += want.len();
    }
    assert!(checked > 50, "{checked} points inside");
}
