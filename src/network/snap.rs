//! Snapping points onto the nearest edge.

use geo::{Coord, Point};
use rayon::prelude::*;

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

/// Squared distances within this of the nearest count as equally near (metres²).
const TIE_M2: f64 = 1e-9;

/// A uniform grid over the graph's edges on the local plane: each cell lists, in index order,
/// every edge whose bounding box touches it.
///
/// A city has hundreds of thousands of edges and a few thousand points to snap, so the index is
/// what costs: an R-tree bulk load (sorting the edges level by level) took about 20 % of a city
/// audit, while the grid is two passes over the edges (count, then fill). A query scans rings of
/// cells around the point until no unseen edge can be nearer than the nearest seen.
pub struct Snapper {
    /// Lower left corner of cell (0, 0), metres on the graph's plane.
    origin: Coord<f64>,
    cell_m: f64,
    cols: usize,
    rows: usize,
    /// Compressed rows: the edges of cell `row * cols + col` are
    /// `edges[offsets[cell]..offsets[cell + 1]]`.
    offsets: Vec<u32>,
    edges: Vec<u32>,
}

/// The grid is sized for about this many edges per cell on average: cities are denser in
/// the centre, where most points to snap are, so the average cell is kept small.
const EDGES_PER_CELL: f64 = 0.5;
/// At most this many cells, whatever the extent (a stray far-away edge widens the extent).
const MAX_CELLS: f64 = 4_000_000.0;

impl Snapper {
    pub fn new(graph: &RoadGraph) -> Snapper {
        let ends = |i: usize| {
            let e = &graph.edges[i];
            (graph.nodes[e.u as usize], graph.nodes[e.v as usize])
        };
        let (mut lo, mut hi) = (
            Coord {
                x: f64::INFINITY,
                y: f64::INFINITY,
            },
            Coord {
                x: f64::NEG_INFINITY,
                y: f64::NEG_INFINITY,
            },
        );
        for i in 0..graph.edges.len() {
            let (a, b) = ends(i);
            for p in [a, b] {
                lo.x = lo.x.min(p.x);
                lo.y = lo.y.min(p.y);
                hi.x = hi.x.max(p.x);
                hi.y = hi.y.max(p.y);
            }
        }
        if graph.edges.is_empty() || !(lo.x.is_finite() && hi.x.is_finite()) {
            return Snapper {
                origin: Coord { x: 0.0, y: 0.0 },
                cell_m: 1.0,
                cols: 0,
                rows: 0,
                offsets: vec![0],
                edges: Vec::new(),
            };
        }
        let (w, h) = ((hi.x - lo.x).max(1.0), (hi.y - lo.y).max(1.0));
        let cells = (graph.edges.len() as f64 / EDGES_PER_CELL).clamp(1.0, MAX_CELLS);
        let cell_m = (w * h / cells).sqrt().max(1.0);
        let cols = ((w / cell_m).floor() as usize + 1).max(1);
        let rows = ((h / cell_m).floor() as usize + 1).max(1);
        let mut snapper = Snapper {
            origin: lo,
            cell_m,
            cols,
            rows,
            offsets: vec![0; cols * rows + 1],
            edges: Vec::new(),
        };
        let span = |s: &Snapper, i: usize| {
            let (a, b) = ends(i);
            let (c0, r0) = s.cell_of(Coord {
                x: a.x.min(b.x),
                y: a.y.min(b.y),
            });
            let (c1, r1) = s.cell_of(Coord {
                x: a.x.max(b.x),
                y: a.y.max(b.y),
            });
            (c0, r0, c1, r1)
        };
        // Each edge's span of cells, on both cores.
        let spans: Vec<[u32; 4]> = (0..graph.edges.len())
            .into_par_iter()
            .map(|i| {
                let (c0, r0, c1, r1) = span(&snapper, i);
                [c0 as u32, r0 as u32, c1 as u32, r1 as u32]
            })
            .collect();
        // Count, then fill in edge order: each cell's list is sorted by edge index. The grid is
        // cut into bands of rows, each counted and filled by one task that walks every span in
        // edge order and keeps the cells of its own rows: a band's cells are one contiguous
        // stretch of `edges`, and every cell's list is the same, whatever the number of bands.
        let band_count = rayon::current_num_threads().clamp(1, 8).min(rows);
        let band_rows = |b: usize| (b * rows / band_count, (b + 1) * rows / band_count);
        // The span's rows within the band (an empty range when it misses the band).
        let in_band = |sp: &[u32; 4], (top, bottom): (usize, usize)| {
            let (r0, r1) = (sp[1] as usize, sp[3] as usize);
            (r0.max(top), r1.min(bottom - 1))
        };
        let counts: Vec<Vec<u32>> = (0..band_count)
            .into_par_iter()
            .map(|b| {
                let (top, bottom) = band_rows(b);
                let mut count = vec![0u32; (bottom - top) * cols];
                for sp in &spans {
                    let (ra, rb) = in_band(sp, (top, bottom));
                    for r in ra..=rb {
                        for c in sp[0] as usize..=sp[2] as usize {
                            count[(r - top) * cols + c] += 1;
                        }
                    }
                }
                count
            })
            .collect();
        for (i, n) in counts.iter().flatten().enumerate() {
            snapper.offsets[i + 1] = snapper.offsets[i] + n;
        }
        drop(counts);
        let mut edges = vec![0u32; snapper.offsets[cols * rows] as usize];
        let mut bands: Vec<(usize, &mut [u32])> = Vec::with_capacity(band_count);
        let mut rest = edges.as_mut_slice();
        for b in 0..band_count {
            let (top, bottom) = band_rows(b);
            let (start, end) = (
                snapper.offsets[top * cols] as usize,
                snapper.offsets[bottom * cols] as usize,
            );
            let (band, tail) = rest.split_at_mut(end - start);
            bands.push((b, band));
            rest = tail;
        }
        let offsets = &snapper.offsets;
        bands.into_par_iter().for_each(|(b, band)| {
            let (top, bottom) = band_rows(b);
            let base = offsets[top * cols];
            let mut fill: Vec<u32> = offsets[top * cols..bottom * cols]
                .iter()
                .map(|&o| o - base)
                .collect();
            for (i, sp) in spans.iter().enumerate() {
                let (ra, rb) = in_band(sp, (top, bottom));
                for r in ra..=rb {
                    for c in sp[0] as usize..=sp[2] as usize {
                        let at = &mut fill[(r - top) * cols + c];
                        band[*at as usize] = i as u32;
                        *at += 1;
                    }
                }
            }
        });
        snapper.edges = edges;
        snapper
    }

    /// The cell of a point on the plane, clamped to the grid.
    fn cell_of(&self, p: Coord<f64>) -> (usize, usize) {
        let axis = |v: f64, o: f64, n: usize| {
            let f = ((v - o) / self.cell_m).floor();
            if f.is_nan() || f < 0.0 {
                0
            } else {
                (f as usize).min(n - 1)
            }
        };
        (
            axis(p.x, self.origin.x, self.cols),
            axis(p.y, self.origin.y, self.rows),
        )
    }

    /// The nearest edges of a point on the plane: the squared distance of the nearest and the
    /// lowest edge index among those within [`TIE_M2`] of it. `None` on an empty graph.
    fn nearest(&self, graph: &RoadGraph, q: Coord<f64>) -> Option<(f64, u32)> {
        if self.edges.is_empty() {
            return None;
        }
        // The point's cell, unclamped (the point may lie outside the grid).
        let fx = ((q.x - self.origin.x) / self.cell_m).floor();
        let fy = ((q.y - self.origin.y) / self.cell_m).floor();
        if !(fx.is_finite() && fy.is_finite()) {
            return None;
        }
        let (cols, rows) = (self.cols as f64, self.rows as f64);
        // Chebyshev ring distances (in cells) from the point's cell to the nearest and the
        // farthest cell of the grid.
        let gap = |f: f64, n: f64| {
            if f < 0.0 {
                -f
            } else if f > n - 1.0 {
                f - (n - 1.0)
            } else {
                0.0
            }
        };
        let first_ring = gap(fx, cols).max(gap(fy, rows));
        let last_ring = (fx.max(cols - 1.0 - fx)).max(fy.max(rows - 1.0 - fy));
        // Candidates: every edge of the scanned cells with its squared distance (an edge in
        // several cells is seen several times; that changes neither minimum).
        let mut nearest_d2 = f64::INFINITY;
        let mut candidates: Vec<(f64, u32)> = Vec::new();
        let mut ring = first_ring;
        while ring <= last_ring {
            // Edges not yet seen lie wholly in rings beyond this one: at least `ring - 1` whole
            // cells away. Stop once that is farther than the nearest seen, with room for rounding.
            let unseen_m = (ring - 1.0).max(0.0) * self.cell_m;
            if nearest_d2.is_finite() && unseen_m > (nearest_d2 + TIE_M2).sqrt() + 1e-6 {
                break;
            }
            self.scan_ring(fx, fy, ring, |cell| {
                let (a, b) = (self.offsets[cell] as usize, self.offsets[cell + 1] as usize);
                for &edge in &self.edges[a..b] {
                    let d2 = distance_2(graph, edge, q);
                    if d2 <= nearest_d2 + TIE_M2 {
                        nearest_d2 = nearest_d2.min(d2);
                        candidates.push((d2, edge));
                    }
                }
            });
            ring += 1.0;
        }
        let edge = candidates
            .iter()
            .filter(|(d2, _)| *d2 <= nearest_d2 + TIE_M2)
            .map(|&(_, e)| e)
            .min()?;
        Some((nearest_d2, edge))
    }

    /// Calls `visit` for every grid cell at Chebyshev distance `ring` from cell (fx, fy).
    fn scan_ring(&self, fx: f64, fy: f64, ring: f64, mut visit: impl FnMut(usize)) {
        let (cols, rows) = (self.cols as i64, self.rows as i64);
        let (cx, cy, r) = (fx as i64, fy as i64, ring as i64);
        let row_range = |y: i64, visit: &mut dyn FnMut(usize), x0: i64, x1: i64| {
            if y < 0 || y >= rows {
                return;
            }
            let (x0, x1) = (x0.max(0), x1.min(cols - 1));
            for x in x0..=x1 {
                visit((y * cols + x) as usize);
            }
        };
        if r == 0 {
            row_range(cy, &mut visit, cx, cx);
            return;
        }
        // Top and bottom rows of the ring, then the two columns between them.
        row_range(cy - r, &mut visit, cx - r, cx + r);
        row_range(cy + r, &mut visit, cx - r, cx + r);
        for y in (cy - r + 1).max(0)..=(cy + r - 1).min(rows - 1) {
            for x in [cx - r, cx + r] {
                if x >= 0 && x < cols {
                    visit((y * cols + x) as usize);
                }
            }
        }
    }

    /// Snaps a WGS-84 point to the nearest edge; `None` on an empty graph. Among equally near
    /// edges (squared distance within 1e-9 m² of the nearest) the lowest index wins, so
    /// snapping is deterministic.
    pub fn snap(&self, graph: &RoadGraph, lonlat: Point<f64>) -> Option<Snap> {
        let xy = graph.plane.project(lonlat.0);
        let (_, edge) = self.nearest(graph, xy)?;
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

    /// Planar distance from a WGS-84 point to the nearest edge, metres (for checks such as
    /// "community far from any road").
    pub fn distance_m(&self, graph: &RoadGraph, lonlat: Point<f64>) -> Option<f64> {
        let xy = graph.plane.project(lonlat.0);
        self.nearest(graph, xy).map(|(d2, _)| d2.sqrt())
    }
}

/// Squared planar distance from `q` to an edge, computed exactly as rstar's `Line::distance_2`
/// did when the snapper was an R-tree (the projection's parameter, the nearest point, then the
/// squared length), so that snaps and their ties are the same to the last bit.
fn distance_2(graph: &RoadGraph, edge: u32, q: Coord<f64>) -> f64 {
    let e = &graph.edges[edge as usize];
    let p1 = graph.nodes[e.u as usize];
    let p2 = graph.nodes[e.v as usize];
    let dir = (p2.x - p1.x, p2.y - p1.y);
    let len2 = dir.0 * dir.0 + dir.1 * dir.1;
    let s = ((q.x - p1.x) * dir.0 + (q.y - p1.y) * dir.1) / len2;
    // A zero-length edge gives NaN, which neither comparison takes: its `to` end.
    let near = if 0.0 < s && s < 1.0 {
        (p1.x + dir.0 * s, p1.y + dir.1 * s)
    } else if s <= 0.0 {
        (p1.x, p1.y)
    } else {
        (p2.x, p2.y)
    };
    let (dx, dy) = (near.0 - q.x, near.1 - q.y);
    dx * dx + dy * dy
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{OneWay, RoadLine};
    use crate::network::TravelSpeeds;
    use crate::Warnings;

    /// The nearest edge by brute force with the same tie rule.
    fn brute(graph: &RoadGraph, q: Coord<f64>) -> Option<(f64, u32)> {
        let d: Vec<f64> = (0..graph.edges.len() as u32)
            .map(|i| distance_2(graph, i, q))
            .collect();
        let nearest = d.iter().copied().min_by(f64::total_cmp)?;
        let edge = (0..d.len())
            .find(|&i| d[i] <= nearest + TIE_M2)
            .map(|i| i as u32)?;
        Some((nearest, edge))
    }

    fn line(coords: &[(f64, f64)]) -> RoadLine {
        RoadLine {
            coords: coords.iter().map(|&(x, y)| Coord { x, y }).collect(),
            class: "residential".into(),
            oneway: OneWay::No,
            no_walk: false,
            name: None,
        }
    }

    /// A lattice of streets (equal distances to several edges everywhere between them), a long
    /// diagonal and a short spur, around lon 116, lat 29.7; 0.001° between streets.
    fn lattice() -> RoadGraph {
        let step = 0.001;
        let mut lines = Vec::new();
        for i in 0..12 {
            let v = i as f64 * step;
            lines.push(line(&[(116.0 + v, 29.7), (116.0 + v, 29.7 + 11.0 * step)]));
            lines.push(line(&[(116.0, 29.7 + v), (116.0 + 11.0 * step, 29.7 + v)]));
        }
        lines.push(line(&[(116.0, 29.7), (116.011, 29.711)]));
        lines.push(line(&[(116.0055, 29.7055), (116.00551, 29.70551)]));
        RoadGraph::build(&lines, &TravelSpeeds::walk(60.0), &mut Warnings::default())
    }

    #[test]
    fn the_grid_lists_every_edge_in_every_cell_it_spans_in_edge_order_on_any_thread_count() {
        // Streets meeting at every crossing and long diagonals across many rows of cells, so
        // that every band of rows has edges reaching into the next.
        let step = 0.001;
        let at = |i: usize, j: usize| (116.0 + i as f64 * step, 29.7 + j as f64 * step);
        let mut lines = Vec::new();
        for k in 0..30 {
            lines.push(line(&(0..30).map(|j| at(k, j)).collect::<Vec<_>>()));
            lines.push(line(&(0..30).map(|i| at(i, k)).collect::<Vec<_>>()));
        }
        lines.push(line(&[at(0, 0), at(29, 29)]));
        lines.push(line(&[at(29, 0), at(3, 26), at(0, 29)]));
        let graph = RoadGraph::build(&lines, &TravelSpeeds::walk(60.0), &mut Warnings::default());
        let reference = Snapper::new(&graph);
        let (cols, rows) = (reference.cols, reference.rows);
        assert!(rows >= 8, "the grid must have rows for 8 bands ({rows})");
        // Per cell, by brute force: the edges whose bounding box touches it, by index.
        let mut lists = vec![Vec::new(); cols * rows];
        for (i, e) in graph.edges.iter().enumerate() {
            let (a, b) = (graph.nodes[e.u as usize], graph.nodes[e.v as usize]);
            let lo = Coord {
                x: a.x.min(b.x),
                y: a.y.min(b.y),
            };
            let hi = Coord {
                x: a.x.max(b.x),
                y: a.y.max(b.y),
            };
            let ((c0, r0), (c1, r1)) = (reference.cell_of(lo), reference.cell_of(hi));
            for r in r0..=r1 {
                for c in c0..=c1 {
                    lists[r * cols + c].push(i as u32);
                }
            }
        }
        let mut offsets = vec![0u32];
        for l in &lists {
            offsets.push(offsets.last().unwrap() + l.len() as u32);
        }
        let edges: Vec<u32> = lists.concat();
        for threads in [1, 2, 3, 8] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            let snapper = pool.install(|| Snapper::new(&graph));
            assert_eq!((snapper.cols, snapper.rows), (cols, rows));
            assert_eq!(snapper.offsets, offsets, "{threads} threads");
            assert_eq!(snapper.edges, edges, "{threads} threads");
        }
    }

    #[test]
    fn the_grid_finds_the_brute_force_nearest_edge_with_its_ties() {
        let step = 0.001;
        let graph = lattice();
        let snapper = Snapper::new(&graph);
        let mut rng = crate::rng::SplitMix64::new(7);
        let mut queries: Vec<Coord<f64>> = (0..3000)
            .map(|_| {
                // Inside the lattice, around it, and far outside it.
                let spread = [0.012, 0.05, 2.0][rng.below(3)];
                Coord {
                    x: 116.0055 + rng.range(-spread, spread),
                    y: 29.7055 + rng.range(-spread, spread),
                }
            })
            .collect();
        // Points exactly between parallel streets and on crossings (ties).
        for i in 0..11 {
            for j in 0..11 {
                let (x, y) = (i as f64 * step, j as f64 * step);
                queries.push(Coord {
                    x: 116.0 + x + step / 2.0,
                    y: 29.7 + y + step / 2.0,
                });
                queries.push(Coord {
                    x: 116.0 + x,
                    y: 29.7 + y,
                });
            }
        }
        let mut ties = 0;
        for q in queries {
            let xy = graph.plane.project(q);
            let got = snapper.nearest(&graph, xy);
            let want = brute(&graph, xy);
            assert_eq!(got, want, "at {q:?}");
            let (d2, _) = want.unwrap();
            let tied = (0..graph.edges.len() as u32)
                .filter(|&i| distance_2(&graph, i, xy) <= d2 + TIE_M2)
                .count();
            ties += usize::from(tied > 1);
        }
        assert!(ties > 100, "the queries must include ties ({ties})");
    }

    #[test]
    fn an_empty_graph_snaps_nothing() {
        let graph = RoadGraph::build(&[], &TravelSpeeds::walk(60.0), &mut Warnings::default());
        let snapper = Snapper::new(&graph);
        assert_eq!(snapper.snap(&graph, Point::new(116.0, 29.7)), None);
        assert_eq!(snapper.distance_m(&graph, Point::new(116.0, 29.7)), None);
    }
}
