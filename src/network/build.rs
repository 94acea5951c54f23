//! Building the graph from road lines.

use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasherDefault, Hasher};

use geo::Coord;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::crs::{segment_length_m, LocalPlane};
use crate::error::{WarningKind, Warnings};
use crate::model::{OneWay, RoadLine};

/// How people travel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TravelMode {
    #[default]
    Walk,
    Bike,
    Drive,
}

impl TravelMode {
    pub fn as_str(self) -> &'static str {
        match self {
            TravelMode::Walk => "walk",
            TravelMode::Bike => "bike",
            TravelMode::Drive => "drive",
        }
    }
}

/// Speeds in metres per minute: one for the mode and, for bike and drive, one per road class.
#[derive(Debug, Clone, PartialEq)]
pub struct TravelSpeeds {
    pub mode: TravelMode,
    /// The speed used where no class speed applies (walking: every road), and for access legs
    /// when walking.
    pub default_m_per_min: f64,
    /// Per road class; a class with speed 0 is closed to the mode.
    pub by_class: BTreeMap<String, f64>,
}

impl TravelSpeeds {
    /// Walking at `m_per_min` on every road open to pedestrians (60 m/min is the usual
    /// planning figure for elderly people).
    pub fn walk(m_per_min: f64) -> TravelSpeeds {
        TravelSpeeds {
            mode: TravelMode::Walk,
            default_m_per_min: m_per_min,
            by_class: BTreeMap::new(),
        }
    }

    /// Cycling: 250 m/min (15 km/h) on roads, pushing on steps.
    pub fn bike(m_per_min: f64) -> TravelSpeeds {
        let mut by_class = BTreeMap::new();
        for (class, speed) in [("steps", 40.0), ("motorway", 0.0), ("motorway_link", 0.0)] {
            by_class.insert(class.to_string(), speed);
        }
        TravelSpeeds {
            mode: TravelMode::Bike,
            default_m_per_min: m_per_min,
            by_class,
        }
    }

    /// Driving: urban speeds by class; paths for people on foot or bike are closed.
    pub fn drive(m_per_min: f64) -> TravelSpeeds {
        let mut by_class = BTreeMap::new();
        for (class, kmh) in [
            ("motorway", 80.0),
            ("motorway_link", 50.0),
            ("trunk", 60.0),
            ("trunk_link", 40.0),
            ("primary", 40.0),
            ("primary_link", 30.0),
            ("secondary", 35.0),
            ("secondary_link", 30.0),
            ("tertiary", 30.0),
            ("tertiary_link", 25.0),
            ("unclassified", 25.0),
            ("residential", 20.0),
            ("living_street", 10.0),
            ("service", 15.0),
            ("track", 10.0),
            ("footway", 0.0),
            ("pedestrian", 0.0),
            ("steps", 0.0),
            ("path", 0.0),
            ("cycleway", 0.0),
            ("bridleway", 0.0),
            ("corridor", 0.0),
        ] {
            by_class.insert(class.to_string(), kmh * 1000.0 / 60.0);
        }
        TravelSpeeds {
            mode: TravelMode::Drive,
            default_m_per_min: m_per_min,
            by_class,
        }
    }

    /// The speed on a road class; `None` when the class is closed to the mode.
    pub fn speed_on(&self, line: &RoadLine) -> Option<f64> {
        if self.mode == TravelMode::Walk {
            return (!line.no_walk).then_some(self.default_m_per_min);
        }
        let speed = self
            .by_class
            .get(&line.class)
            .copied()
            .unwrap_or(self.default_m_per_min);
        (speed > 0.0).then_some(speed)
    }
}

/// One road segment between two graph nodes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Edge {
    pub u: u32,
    pub v: u32,
    pub length_m: f64,
    /// Minutes from u to v; infinite when that direction is closed (one-way when driving).
    pub minutes_uv: f64,
    /// Minutes from v to u; infinite when closed.
    pub minutes_vu: f64,
    /// Travel speed on this edge in metres per minute (also used for access legs).
    pub m_per_min: f64,
    /// Index into [`RoadGraph::classes`].
    pub class: u16,
}

/// The travel graph. Nodes are road vertices after merging those closer than the merge
/// tolerance, edges are the segments between them; only the largest connected piece is kept.
///
/// Adjacency is stored twice in compressed rows (CSR): `out_*` lists the arcs leaving a node and
/// `in_*` the arcs entering it, so searches toward a facility (community → facility, what
/// coverage asks when one-way streets matter) and away from it both run without extra work.
#[derive(Debug, Clone)]
pub struct RoadGraph {
    pub plane: LocalPlane,
    pub speeds: TravelSpeeds,
    /// Node positions on the local plane, metres.
    pub nodes: Vec<Coord<f64>>,
    /// Node positions, WGS-84 lon/lat.
    pub nodes_lonlat: Vec<Coord<f64>>,
    pub edges: Vec<Edge>,
    pub classes: Vec<String>,
    pub out_offsets: Vec<u32>,
    /// (head node, minutes, edge index) per arc.
    pub out_arcs: Vec<(u32, f64, u32)>,
    pub in_offsets: Vec<u32>,
    /// (tail node, minutes, edge index) per arc.
    pub in_arcs: Vec<(u32, f64, u32)>,
    /// How many disconnected pieces were dropped, and their edges and length.
    pub dropped_pieces: usize,
    pub dropped_edges: usize,
    pub dropped_length_m: f64,
}

/// Vertices closer than this are one node (digitising noise, lines that nearly meet).
///
/// Two vertices of the same line are merged only when the line itself joins them within the
/// tolerance (along the line), never when it connects them the long way round: a switchback
/// whose legs pass 0.495 m apart stays two nodes, 4.6 m apart along the trail. Edge lengths are
/// the lengths of the line between the vertices (a segment collapsed by a merge is carried into
/// the next edge), so merging never makes a path shorter than its line.
pub const MERGE_TOLERANCE_M: f64 = 0.5;

/// The tolerance along the line, with room for the difference between the plane distance that
/// decides a merge and the ellipsoidal length that measures the line.
const SAME_LINE_SLACK_M: f64 = MERGE_TOLERANCE_M * (1.0 + 1e-6);

/// The merge grid's cell size (see `NodeMerger::cell`).
const CELL_M: f64 = 2.0 * MERGE_TOLERANCE_M;

impl RoadGraph {
    /// Builds the graph for a mode. Lines closed to the mode are left out; pieces not connected
    /// to the largest one are dropped with a warning.
    pub fn build(lines: &[RoadLine], speeds: &TravelSpeeds, warnings: &mut Warnings) -> RoadGraph {
        let plane = LocalPlane::around(lines.iter().flat_map(|l| l.coords.iter()));
        RoadGraph::build_on(lines, speeds, plane, warnings)
    }

    /// Builds the graph on a given local plane (so several layers can share one).
    pub fn build_on(
        lines: &[RoadLine],
        speeds: &TravelSpeeds,
        plane: LocalPlane,
        warnings: &mut Warnings,
    ) -> RoadGraph {
        RoadGraph::build_with(lines, speeds, plane, warnings, MergePath::Partitioned)
    }

    /// The graph through the merge path given: [`MergePath::Partitioned`] is what
    /// [`RoadGraph::build_on`] uses; [`MergePath::EveryVertex`] sends every vertex through the
    /// merge grid, as the graph was built before the partition (the tests compare the two).
    #[doc(hidden)]
    pub fn build_with(
        lines: &[RoadLine],
        speeds: &TravelSpeeds,
        plane: LocalPlane,
        warnings: &mut Warnings,
        path: MergePath,
    ) -> RoadGraph {
        // The vertices of the lines open to the mode, projected and with the length of the
        // segment that ends at each, computed on both cores; what stays sequential below (the
        // merge, in line order, which decides node numbers) only looks these up.
        let line_speed: Vec<Option<f64>> = lines.iter().map(|l| speeds.speed_on(l)).collect();
        let mut first_vertex = Vec::with_capacity(lines.len() + 1);
        let mut total = 0usize;
        for (line, speed) in lines.iter().zip(&line_speed) {
            first_vertex.push(total);
            if speed.is_some() {
                total += line.coords.len();
            }
        }
        first_vertex.push(total);
        let vertices: Vec<Vertex> = lines
            .par_iter()
            .zip(&line_speed)
            .flat_map_iter(|(line, speed)| {
                let coords: &[Coord<f64>] = if speed.is_some() { &line.coords } else { &[] };
                coords.iter().enumerate().map(move |(i, &lonlat)| {
                    let finite = |c: Coord<f64>| c.x.is_finite() && c.y.is_finite();
                    let step_m = match i.checked_sub(1).map(|p| coords[p]) {
                        Some(prev) if finite(prev) && finite(lonlat) => {
                            segment_length_m(prev, lonlat)
                        }
                        _ => 0.0,
                    };
                    Vertex {
                        xy: plane.project(lonlat),
                        step_m,
                        finite: finite(lonlat),
                    }
                })
            })
            .collect();
        let positions = Positions::of(&vertices, path);

        let mut merger = NodeMerger::new();
        let mut nodes: Vec<Coord<f64>> = Vec::with_capacity(positions.count);
        let mut nodes_lonlat: Vec<Coord<f64>> = Vec::with_capacity(positions.count);
        // The node of each isolated position, once its first vertex has made it.
        let mut node_of_position = vec![u32::MAX; positions.count];
        let mut class_index: HashMap<String, u16> = HashMap::new();
        let mut classes: Vec<String> = Vec::new();
        // Lines of a class usually come together: the last class looked up is kept at hand.
        let mut last_class: Option<(&str, u16)> = None;
        let mut edges: Vec<Edge> = Vec::with_capacity(total);
        let mut skipped_lines = 0usize;
        let mut visited: HashMap<u32, f64, BuildHasherDefault<CellHasher>> = HashMap::default();

        for (k, line) in lines.iter().enumerate() {
            let Some(speed) = line_speed[k] else {
                continue;
            };
            let drive = speeds.mode == TravelMode::Drive;
            let (open_uv, open_vu) = match (drive, line.oneway) {
                (true, OneWay::Forward) => (true, false),
                (true, OneWay::Backward) => (false, true),
                _ => (true, true),
            };
            let class = match last_class {
                Some((name, c)) if name == line.class => c,
                _ => {
                    let c = match class_index.get(line.class.as_str()) {
                        Some(&c) => c,
                        None => {
                            let c = classes.len().min(u16::MAX as usize) as u16;
                            classes.push(line.class.clone());
                            class_index.insert(line.class.clone(), c);
                            c
                        }
                    };
                    last_class = Some((line.class.as_str(), c));
                    c
                }
            };
            // Along-way position (metres) at which this line visited each node, so that a
            // vertex never merges into a node the line itself reaches only the long way round
            // (a switchback whose legs pass within the tolerance). Only nodes of crowded
            // positions are ever candidates of a merge, so only they are recorded.
            if !visited.is_empty() {
                visited.clear();
            }
            let mut prev: Option<(u32, Coord<f64>)> = None;
            let mut along_m = 0.0;
            // Length of the line since the previous node: segments collapsed by a merge are
            // carried into the next edge, so no edge is shorter than the line it stands for.
            let mut pending_m = 0.0;
            let mut segments = 0usize;
            let first = first_vertex[k];
            for (i, lonlat) in line.coords.iter().enumerate() {
                let at = first + i;
                let position = positions.of_vertex[at];
                if position == NO_POSITION {
                    // Not a finite position.
                    prev = None;
                    pending_m = 0.0;
                    continue;
                }
                let vertex = &vertices[at];
                if prev.is_some() {
                    along_m += vertex.step_m;
                    pending_m += vertex.step_m;
                }
                let crowded = positions.crowded[position as usize];
                let node = if crowded {
                    merger.node_for(vertex.xy, &mut nodes, &mut nodes_lonlat, *lonlat, |n, d| {
                        // A node this line already passed may be joined only when the line
                        // itself leads there within the tolerance, or the line comes back to
                        // the very same point (a closed way, a figure eight).
                        visited
                            .get(&n)
                            .is_none_or(|&at| along_m - at <= SAME_LINE_SLACK_M || d == 0.0)
                    })
                } else {
                    // No other position lies within the tolerance: the first vertex here makes
                    // the node and every later one is exactly on it, as the merge grid would
                    // decide.
                    let slot = &mut node_of_position[position as usize];
                    if *slot == u32::MAX {
                        *slot = nodes.len() as u32;
                        nodes.push(vertex.xy);
                        nodes_lonlat.push(*lonlat);
                    }
                    *slot
                };
                if let Some((p, prev_lonlat)) = prev {
                    if p != node {
                        // Never shorter than the line, nor than the straight line between the
                        // merged nodes (which is this vertex's own segment when both nodes
                        // stand exactly on the two vertices).
                        let (from, to) = (nodes_lonlat[p as usize], nodes_lonlat[node as usize]);
                        let straight_m = if same_bits(from, prev_lonlat) && same_bits(to, *lonlat) {
                            vertex.step_m
                        } else {
                            segment_length_m(from, to)
                        };
                        let length_m = pending_m.max(straight_m);
                        pending_m = 0.0;
                        let minutes = length_m / speed;
                        edges.push(Edge {
                            u: p,
                            v: node,
                            length_m,
                            minutes_uv: if open_uv { minutes } else { f64::INFINITY },
                            minutes_vu: if open_vu { minutes } else { f64::INFINITY },
                            m_per_min: speed,
                            class,
                        });
                        segments += 1;
                    }
                } else {
                    pending_m = 0.0;
                }
                if crowded {
                    visited.insert(node, along_m);
                }
                prev = Some((node, *lonlat));
            }
            if segments == 0 {
                skipped_lines += 1;
            }
        }
        drop(vertices);
        if skipped_lines > 0 {
            warnings.push(
                WarningKind::SkippedRoad,
                format!("{skipped_lines} road lines had fewer than two distinct vertices and were skipped"),
            );
        }

        // Keep the largest connected piece (by edge count; ties by lowest node).
        let mut uf = UnionFind::new(nodes.len());
        for e in &edges {
            uf.union(e.u, e.v);
        }
        // Edges per piece, by the piece's root.
        let mut piece_edges = vec![0usize; nodes.len()];
        for e in &edges {
            piece_edges[uf.find(e.u) as usize] += 1;
        }
        let pieces = piece_edges.iter().filter(|&&n| n > 0).count();
        let main_root = piece_edges
            .iter()
            .enumerate()
            .filter(|(_, &n)| n > 0)
            .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(&a.0)))
            .map(|(root, _)| root as u32);
        let mut dropped_pieces = 0;
        let mut dropped_edges = 0;
        let mut dropped_length_m = 0.0;
        if let Some(main_root) = main_root {
            dropped_pieces = pieces - 1;
            for e in &edges {
                if uf.find(e.u) != main_root {
                    dropped_edges += 1;
                    dropped_length_m += e.length_m;
                }
            }
            if dropped_pieces > 0 {
                warnings.push(
                    WarningKind::DisconnectedRoads,
                    format!(
                        "{dropped_pieces} road pieces ({dropped_edges} segments, {:.2} km) are not \
                         connected to the main network and were dropped",
                        dropped_length_m / 1000.0
                    ),
                );
            }
            let mut new_index = vec![u32::MAX; nodes.len()];
            let mut kept_nodes = Vec::new();
            let mut kept_lonlat = Vec::new();
            for (i, (xy, ll)) in nodes.iter().zip(&nodes_lonlat).enumerate() {
                if uf.find(i as u32) == main_root {
                    new_index[i] = kept_nodes.len() as u32;
                    kept_nodes.push(*xy);
                    kept_lonlat.push(*ll);
                }
            }
            edges.retain(|e| new_index[e.u as usize] != u32::MAX);
            for e in &mut edges {
                e.u = new_index[e.u as usize];
                e.v = new_index[e.v as usize];
            }
            nodes = kept_nodes;
            nodes_lonlat = kept_lonlat;
        } else {
            nodes.clear();
            nodes_lonlat.clear();
        }

        // The two directions are independent sorts.
        let ((out_offsets, out_arcs), (in_offsets, in_arcs)) = rayon::join(
            || csr(nodes.len(), &edges, false),
            || csr(nodes.len(), &edges, true),
        );
        RoadGraph {
            plane,
            speeds: speeds.clone(),
            nodes,
            nodes_lonlat,
            edges,
            classes,
            out_offsets,
            out_arcs,
            in_offsets,
            in_arcs,
            dropped_pieces,
            dropped_edges,
            dropped_length_m,
        }
    }

    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }

    pub fn edge_count(&self) -> usize {
        self.edges.len()
    }

    /// Total length of the kept edges, metres.
    pub fn total_length_m(&self) -> f64 {
        self.edges.iter().map(|e| e.length_m).sum()
    }

    /// Arcs leaving `node`: (head, minutes, edge).
    pub fn out_arcs(&self, node: u32) -> &[(u32, f64, u32)] {
        let n = node as usize;
        &self.out_arcs[self.out_offsets[n] as usize..self.out_offsets[n + 1] as usize]
    }

    /// Arcs entering `node`: (tail, minutes, edge).
    pub fn in_arcs(&self, node: u32) -> &[(u32, f64, u32)] {
        let n = node as usize;
        &self.in_arcs[self.in_offsets[n] as usize..self.in_offsets[n + 1] as usize]
    }
}

/// Compressed rows of arcs; closed directions are left out. A counting sort by row: two passes
/// over the edges, and within a row the arcs keep edge order (u → v before v → u), so searches
/// are deterministic.
fn csr(n: usize, edges: &[Edge], incoming: bool) -> (Vec<u32>, Vec<(u32, f64, u32)>) {
    // An edge's two arcs as (row, other end, minutes), u → v first; a closed direction has
    // infinite minutes. Plain code rather than an iterator chain: the count and the fill run
    // over every edge of a city twice per direction.
    let arcs_of = |e: &Edge| {
        let (uv, vu) = if incoming {
            ((e.v, e.u, e.minutes_uv), (e.u, e.v, e.minutes_vu))
        } else {
            ((e.u, e.v, e.minutes_uv), (e.v, e.u, e.minutes_vu))
        };
        [uv, vu]
    };
    let mut offsets = vec![0u32; n + 1];
    for e in edges {
        for (row, _, minutes) in arcs_of(e) {
            offsets[row as usize + 1] += u32::from(minutes.is_finite());
        }
    }
    for i in 0..n {
        offsets[i + 1] += offsets[i];
    }
    let mut fill: Vec<u32> = offsets[..n].to_vec();
    let mut arcs = vec![(0u32, 0.0f64, 0u32); offsets[n] as usize];
    for (i, e) in edges.iter().enumerate() {
        for (row, other, minutes) in arcs_of(e) {
            if minutes.is_finite() {
                let at = &mut fill[row as usize];
                arcs[*at as usize] = (other, minutes, i as u32);
                *at += 1;
            }
        }
    }
    (offsets, arcs)
}

/// Which vertices go through the merge grid.
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MergePath {
    /// Only the vertices of crowded positions (another position within the tolerance); the
    /// others are joined by exact position.
    Partitioned,
    /// Every vertex.
    EveryVertex,
}

/// A vertex of a line open to the mode, on the local plane.
struct Vertex {
    xy: Coord<f64>,
    /// The length of the segment from the line's previous vertex (0 for a first vertex or
    /// after a position that is not finite).
    step_m: f64,
    /// Whether its lon/lat are finite (the others are left out of the graph).
    finite: bool,
}

/// `Positions::of_vertex` of a vertex whose position is not finite.
const NO_POSITION: u32 = u32::MAX;

/// The distinct positions (exact plane coordinates) of the vertices, and which of them are
/// crowded: another position lies within [`CROWDED_M`].
///
/// Vertices at an isolated position cannot merge with anything but the node at that very
/// position, which the position's first vertex makes: for them the merge grid's answer is known
/// without asking it. A road network's vertices are mostly such shared segment ends, so only
/// the few crowded ones take the grid, and the partition itself sorts on both cores.
struct Positions {
    /// Per vertex, its position's index (`NO_POSITION` when not finite).
    of_vertex: Vec<u32>,
    /// Per position, whether it is crowded.
    crowded: Vec<bool>,
    count: usize,
}

/// Positions closer than this are crowded; more than the merge tolerance, so that no rounding
/// of the distance can leave a pair the grid would merge outside it.
const CROWDED_M: f64 = 1.5 * MERGE_TOLERANCE_M;

impl Positions {
    fn of(vertices: &[Vertex], path: MergePath) -> Positions {
        let bits = |v: &Vertex| (v.xy.x.to_bits(), v.xy.y.to_bits());
        // A vertex at the very position of the vertex before it (the end of one segment where
        // the next begins: about half of a city's vertices when each segment is a feature)
        // takes that vertex's position, so only the others are sorted.
        let repeats = |i: usize| {
            i > 0 && vertices[i - 1].finite && bits(&vertices[i - 1]) == bits(&vertices[i])
        };
        // (x bits, y bits, vertex) of every other finite vertex, sorted: equal positions side
        // by side.
        let mut keys: Vec<(u64, u64, u32)> = vertices
            .par_iter()
            .enumerate()
            .filter(|&(i, v)| v.finite && !repeats(i))
            .map(|(i, v)| (v.xy.x.to_bits(), v.xy.y.to_bits(), i as u32))
            .collect();
        keys.par_sort_unstable();
        let mut of_vertex = vec![NO_POSITION; vertices.len()];
        let mut unique: Vec<Coord<f64>> = Vec::new();
        let mut last = None;
        for &(x, y, i) in &keys {
            if last != Some((x, y)) {
                last = Some((x, y));
                unique.push(Coord {
                    x: f64::from_bits(x),
                    y: f64::from_bits(y),
                });
            }
            of_vertex[i as usize] = (unique.len() - 1) as u32;
        }
        drop(keys);
        for i in 1..vertices.len() {
            if of_vertex[i] == NO_POSITION && vertices[i].finite {
                of_vertex[i] = of_vertex[i - 1];
            }
        }
        let crowded = match path {
            MergePath::EveryVertex => vec![true; unique.len()],
            MergePath::Partitioned => crowded_positions(&unique),
        };
        Positions {
            of_vertex,
            crowded,
            count: unique.len(),
        }
    }
}

/// Per position, whether another one lies within [`CROWDED_M`]: positions sorted by cells of
/// twice that size (row, then column), each compared with those of its own and the eight
/// neighbouring cells. Within a row the positions come in column order, so the neighbouring
/// rows are walked with pointers that only move forward (no search per position).
fn crowded_positions(positions: &[Coord<f64>]) -> Vec<bool> {
    const CELL: f64 = 2.0 * CROWDED_M;
    let cell = |c: Coord<f64>| ((c.y / CELL).floor() as i64, (c.x / CELL).floor() as i64);
    let mut by_cell: Vec<((i64, i64), u32)> = positions
        .iter()
        .enumerate()
        .map(|(i, &c)| (cell(c), i as u32))
        .collect();
    by_cell.par_sort_unstable();
    // The rows: (row, first entry, end).
    let mut rows: Vec<(i64, usize, usize)> = Vec::new();
    for (k, &((row, _), _)) in by_cell.iter().enumerate() {
        match rows.last_mut() {
            Some(last) if last.0 == row => last.2 = k + 1,
            _ => rows.push((row, k, k + 1)),
        }
    }
    let near = |i: u32, j: u32| {
        let (p, q) = (positions[i as usize], positions[j as usize]);
        i != j && ((q.x - p.x).powi(2) + (q.y - p.y).powi(2)).sqrt() <= CROWDED_M
    };
    let flags: Vec<Vec<bool>> = (0..rows.len())
        .into_par_iter()
        .map(|r| {
            let (row, start, end) = rows[r];
            // This row and the rows just above and below, when there are positions in them.
            let mut neighbours: Vec<&[((i64, i64), u32)]> = vec![&by_cell[start..end]];
            if r > 0 && rows[r - 1].0 == row.wrapping_sub(1) {
                neighbours.push(&by_cell[rows[r - 1].1..rows[r - 1].2]);
            }
            if r + 1 < rows.len() && rows[r + 1].0 == row.wrapping_add(1) {
                neighbours.push(&by_cell[rows[r + 1].1..rows[r + 1].2]);
            }
            let mut from = vec![0usize; neighbours.len()];
            by_cell[start..end]
                .iter()
                .map(|&((_, col), i)| {
                    let mut crowded = false;
                    for (n, entries) in neighbours.iter().enumerate() {
                        while from[n] < entries.len()
                            && entries[from[n]].0 .1 < col.saturating_sub(1)
                        {
                            from[n] += 1;
                        }
                        crowded |= entries[from[n]..]
                            .iter()
                            .take_while(|e| e.0 .1 <= col.saturating_add(1))
                            .any(|e| near(i, e.1));
                    }
                    crowded
                })
                .collect()
        })
        .collect();
    let mut crowded = vec![false; positions.len()];
    for (&(_, i), flag) in by_cell.iter().zip(flags.into_iter().flatten()) {
        crowded[i as usize] = flag;
    }
    crowded
}

/// Whether two coordinates are the same bits (so a length computed from one is the length
/// computed from the other).
fn same_bits(a: Coord<f64>, b: Coord<f64>) -> bool {
    a.x.to_bits() == b.x.to_bits() && a.y.to_bits() == b.y.to_bits()
}

/// Merges vertices closer than [`MERGE_TOLERANCE_M`] through a hash grid of twice that cell
/// size: a vertex joins the nearest allowed node within tolerance in its own or a neighbouring
/// cell.
///
/// Each cell holds the first node in it and every node the next one of its cell (a chain in
/// `next`), so a city's hundreds of thousands of nodes need no list allocation per cell. The
/// chosen node is the nearest allowed one, ties by lowest index, so the order of a chain does
/// not matter.
struct NodeMerger {
    grid: HashMap<(i64, i64), u32, BuildHasherDefault<CellHasher>>,
    /// Nodes by their exact position (the bits of x and y). A vertex exactly on a node joins
    /// it whatever else is near (distance 0 is the nearest, and no two nodes share a
    /// position), so most vertices of a road network, the shared ends of its segments, need
    /// one lookup here instead of the cells' chains.
    exact: HashMap<(u64, u64), u32, BuildHasherDefault<CellHasher>>,
    /// Per node, the next node of its cell (`u32::MAX` ends the chain).
    next: Vec<u32>,
}

/// A fast hasher for grid-cell keys (the FxHash multiply-rotate): the merger hashes every
/// vertex of the city, and SipHash's protection against adversarial keys buys nothing here.
#[derive(Default)]
struct CellHasher(u64);

impl Hasher for CellHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(b as u64);
        }
    }

    fn write_i64(&mut self, n: i64) {
        self.write_u64(n as u64);
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl NodeMerger {
    fn new() -> NodeMerger {
        NodeMerger {
            grid: HashMap::default(),
            exact: HashMap::default(),
            next: Vec::new(),
        }
    }

    /// The cell of a position and the cell columns / rows to search: cells are twice the
    /// tolerance wide, so a node within tolerance lies in the position's cell or the neighbour
    /// on the side of the cell's half the position is in (2 × 2 cells instead of 3 × 3; near
    /// the middle of a cell, where rounding could matter, both neighbours are searched).
    fn cell(xy: Coord<f64>) -> ((i64, i64), [std::ops::RangeInclusive<i64>; 2]) {
        let axis = |v: f64| {
            let f = v / CELL_M;
            let c = f.floor();
            let frac = f - c;
            let lo = if frac < 0.5 + 1e-6 { -1 } else { 0 };
            let hi = if frac > 0.5 - 1e-6 { 1 } else { 0 };
            (c as i64, lo..=hi)
        };
        let (cx, rx) = axis(xy.x);
        let (cy, ry) = axis(xy.y);
        ((cx, cy), [rx, ry])
    }

    /// The node for a vertex: the nearest existing node within tolerance that `may_join`
    /// (given the node and its distance) allows, or a new one.
    fn node_for(
        &mut self,
        xy: Coord<f64>,
        nodes: &mut Vec<Coord<f64>>,
        nodes_lonlat: &mut Vec<Coord<f64>>,
        lonlat: Coord<f64>,
        may_join: impl Fn(u32, f64) -> bool,
    ) -> u32 {
        let key = (xy.x.to_bits(), xy.y.to_bits());
        if let Some(&n) = self.exact.get(&key) {
            return n;
        }
        let ((cx, cy), [rx, ry]) = NodeMerger::cell(xy);
        let mut best: Option<(f64, u32)> = None;
        for dx in rx {
            for dy in ry.clone() {
                let mut at = self.grid.get(&(cx + dx, cy + dy)).copied();
                while let Some(n) = at {
                    let p = nodes[n as usize];
                    let d = ((p.x - xy.x).powi(2) + (p.y - xy.y).powi(2)).sqrt();
                    if d <= MERGE_TOLERANCE_M
                        && best.is_none_or(|(bd, bn)| (d, n) < (bd, bn))
                        && may_join(n, d)
                    {
                        best = Some((d, n));
                    }
                    let next = self.next[n as usize];
                    at = (next != u32::MAX).then_some(next);
                }
            }
        }
        if let Some((_, n)) = best {
            return n;
        }
        let n = nodes.len() as u32;
        nodes.push(xy);
        nodes_lonlat.push(lonlat);
        self.exact.insert(key, n);
        let previous = self.grid.insert((cx, cy), n);
        // Nodes made outside the grid (isolated positions) have no chain entry of their own.
        if self.next.len() <= n as usize {
            self.next.resize(n as usize + 1, u32::MAX);
        }
        self.next[n as usize] = previous.unwrap_or(u32::MAX);
        n
    }
}

struct UnionFind {
    parent: Vec<u32>,
}

impl UnionFind {
    fn new(n: usize) -> UnionFind {
        UnionFind {
            parent: (0..n as u32).collect(),
        }
    }

    fn find(&mut self, mut x: u32) -> u32 {
        while self.parent[x as usize] != x {
            let grand = self.parent[self.parent[x as usize] as usize];
            self.parent[x as usize] = grand;
            x = grand;
        }
        x
    }

    fn union(&mut self, a: u32, b: u32) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra != rb {
            // The smaller index becomes the root, so roots do not depend on edge order.
            let (lo, hi) = if ra < rb { (ra, rb) } else { (rb, ra) };
            self.parent[hi as usize] = lo;
        }
    }
}
