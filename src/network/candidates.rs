//! Candidate sites drawn from the road graph when no candidates layer is given: one node per
//! square cell of a set spacing, the one nearest the cell's centre, so candidates spread evenly
//! over the network and every one is on a road.

use std::collections::BTreeMap;

use super::build::RoadGraph;

/// Graph nodes thinned to one per `spacing_m` × `spacing_m` cell (the node nearest the cell's
/// centre; ties to the lower node), in cell order (south to north, west to east).
pub fn nodes_on_grid(graph: &RoadGraph, spacing_m: f64) -> Vec<u32> {
    if !(spacing_m.is_finite() && spacing_m > 0.0) {
        return Vec::new();
    }
    let mut best: BTreeMap<(i64, i64), (f64, u32)> = BTreeMap::new();
    for (i, p) in graph.nodes.iter().enumerate() {
        let cell = (
            (p.y / spacing_m).floor() as i64,
            (p.x / spacing_m).floor() as i64,
        );
        let centre_x = (cell.1 as f64 + 0.5) * spacing_m;
        let centre_y = (cell.0 as f64 + 0.5) * spacing_m;
        let d = (p.x - centre_x).hypot(p.y - centre_y);
        let entry = best.entry(cell).or_insert((d, i as u32));
        if d < entry.0 {
            *entry = (d, i as u32);
        }
    }
    best.into_values().map(|(_, n)| n).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crs::LocalPlane;
    use crate::model::{OneWay, RoadLine};
    use crate::network::TravelSpeeds;
    use geo::Coord;

    #[test]
    fn one_node_per_cell_nearest_its_centre() {
        let plane = LocalPlane::new(116.0, 29.7);
        // A straight road with a vertex every 50 m over 1 km.
        let coords = (0..=20)
            .map(|i| {
                plane.unproject(Coord {
                    x: i as f64 * 50.0 + 1.0,
                    y: 10.0,
                })
            })
            .collect();
        let line = RoadLine {
            coords,
            class: "residential".into(),
            oneway: OneWay::No,
            no_walk: false,
            name: None,
        };
        let g = crate::network::RoadGraph::build_on(
            &[line],
            &TravelSpeeds::walk(60.0),
            plane,
            &mut crate::Warnings::default(),
        );
        let picked = nodes_on_grid(&g, 200.0);
        // x = 1..1001 spans cells 0..=5 of 200 m; the nodes nearest the centres 100, 300, ...
        // are at x = 101, 301, 501, 701, 901, and 1001 alone in the last cell.
        let xs: Vec<i64> = picked
            .iter()
            .map(|&n| g.nodes[n as usize].x.round() as i64)
            .collect();
        assert_eq!(xs, vec![101, 301, 501, 701, 901, 1001]);
        assert!(nodes_on_grid(&g, 0.0).is_empty());
    }
}
