//! Snapping points onto the nearest edge.

use geo::{Coord, Point};
use rstar::primitives::{GeomWithData, Line};
use rstar::{PointDistance, RTree};

use super::build::RoadGraph;
use crate::crs::segment_length_m;

/// Where a point joins the network: on `edge` at fraction `t` from its `u` end, after a straight
/// access leg of `access_m` metres.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Snap {
    pub edge: u32,
    pub t: f64,
    pub access_m: f64,
}

type EdgeLine = GeomWithData<Line<[f64; 2]>, u32>;

/// R-trees over the graph's edges on the local plane: the edges split in two halves by index,
/// one tree each, bulk-loaded in parallel (loading dominates: a city has hundreds of thousands
/// of edges and a few thousand points to snap).
pub struct Snapper {
    trees: [RTree<EdgeLine>; 2],
}

impl Snapper {
    pub fn new(graph: &RoadGraph) -> Snapper {
        let mut lines: Vec<EdgeLine> = graph
            .edges
            .iter()
            .enumerate()
            .map(|(i, e)| {
                let a = graph.nodes[e.u as usize];
                let b = graph.nodes[e.v as usize];
                GeomWithData::new(Line::new([a.x, a.y], [b.x, b.y]), i as u32)
            })
            .collect();
        let second = lines.split_off(lines.len() / 2);
        let (a, b) = rayon::join(|| RTree::bulk_load(lines), || RTree::bulk_load(second));
        Snapper { trees: [a, b] }
    }

    /// Snaps a WGS-84 point to the nearest edge; `None` on an empty graph. Among equally near
    /// edges (squared distance within 1e-9 m² of the nearest) the lowest index wins, so
    /// snapping is deterministic and does not depend on how the edges are split in trees.
    pub fn snap(&self, graph: &RoadGraph, lonlat: Point<f64>) -> Option<Snap> {
        let xy = graph.plane.project(lonlat.0);
        let q = [xy.x, xy.y];
        let nearest_d2 = self
            .trees
            .iter()
            .filter_map(|t| t.nearest_neighbor_iter_with_distance_2(&q).next())
            .map(|(_, d2)| d2)
            .min_by(f64::total_cmp)?;
        let mut best: Option<u32> = None;
        for tree in &self.trees {
            for (line, d2) in tree.nearest_neighbor_iter_with_distance_2(&q) {
                if d2 > nearest_d2 + 1e-9 {
                    break;
                }
                if best.is_none_or(|b| line.data < b) {
                    best = Some(line.data);
                }
            }
        }
        let edge = best?;
        let e = &graph.edges[edge as usize];
        let a = graph.nodes[e.u as usize];
        let b = graph.nodes[e.v as usize];
        let (dx, dy) = (b.x - a.x, b.y - a.y);
        let len2 = dx * dx + dy * dy;
        let t = if len2 > 0.0 {
            (((xy.x - a.x) * dx + (xy.y - a.y) * dy) / len2).clamp(0.0, 1.0)
        } else {
            0.0
        };
        let foot = graph.plane.unproject(Coord {
            x: a.x + t * dx,
            y: a.y + t * dy,
        });
        Some(Snap {
            edge,
            t,
            access_m: segment_length_m(lonlat.0, foot),
        })
    }

    /// Squared planar distance from a WGS-84 point to the nearest edge, metres² (for checks
    /// such as "community far from any road").
    pub fn distance_m(&self, graph: &RoadGraph, lonlat: Point<f64>) -> Option<f64> {
        let xy = graph.plane.project(lonlat.0);
        self.trees
            .iter()
            .filter_map(|t| t.nearest_neighbor(&[xy.x, xy.y]))
            .map(|l| l.distance_2(&[xy.x, xy.y]))
            .min_by(f64::total_cmp)
            .map(f64::sqrt)
    }
}
