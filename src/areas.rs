//! Service areas: for every facility, the area reachable on foot within each time band, drawn
//! as polygons, and one dissolved polygon per facility kind and band.
//!
//! How a shape is made, on the local plane (metres):
//! 1. one bounded search from the facility (`Direction::FromSource`, seeded at both ends of its
//!    edge after the access leg);
//! 2. for every edge with a reached end, the reached part: from a reached end `n` the edge is
//!    walked for the minutes left (`band − t(n)`), so the last edge of a path is cut at the
//!    exact point where the time runs out; pieces from both ends that meet cover the whole
//!    edge. The facility's own edge is walked both ways from its foot point (closed directions
//!    left out), and its access leg (facility → foot point) is part of the shape, cut at the
//!    band when the leg alone is longer;
//! 3. every piece is widened by the lateral allowance (the walk from the road to a door) with
//!    round caps and joins (16 segments per half circle, vertices on the circle) and the pieces
//!    are unioned into polygons. Blocks the widened roads do not cover stay holes.
//!
//! The dissolved polygon of a kind and band is the union of its facility polygons (one
//! overlay, `geo::unary_union`; the people inside are those inside any facility polygon).
//! [`dissolved_polygon`] makes the same shape independently, from one multi-source search:
//! on every edge the union of the facilities' reached parts is the part reached from the
//! nearest facility at each end. tests/areas_property.rs checks that the two agree. (The
//! multi-source shape costs more: its overlay splits every widened road against its
//! neighbours again, where the union of finished polygons only meets their outlines.)
//!
//! Areas are measured on the local plane; the population and elderly people inside are the
//! study's demand points (population cells, or the communities' representative points) that
//! lie in or on the polygon. The district area is the union of the community polygons when
//! every community is a polygon, otherwise the convex hull of the road network.

use std::f64::consts::PI;

use geo::algorithm::buffer::{BufferStyle, LineCap, LineJoin};
use geo::{
    Area, BooleanOps, BoundingRect, Buffer, ConvexHull, Coord, Geometry, LineString,
    MultiLineString, MultiPoint, MultiPolygon, Point, Polygon,
};
use rayon::prelude::*;
use rstar::primitives::GeomWithData;
use rstar::{RTree, AABB};

use crate::error::{InputError, Problem, Result};
use crate::io::scenario::Scenario;
use crate::model::FacilityKind;
use crate::network::{Direction, RoadGraph, SearchSpace, Snap, SourceSet};
use crate::study::Study;

/// The allowance for the walk from the road to a door, metres.
pub const DEFAULT_LATERAL_M: f64 = 50.0;
/// The default time bands, minutes.
pub const DEFAULT_BANDS: [f64; 3] = [5.0, 10.0, 15.0];
/// Angle step of the round caps and joins: 16 segments per half circle.
const ROUND_STEP_RAD: f64 = PI / 16.0;
/// "Within the band" allows this much slack (minutes), as DESIGN.md says.
const EPS_MIN: f64 = 1e-9;

/// The options of the service areas: the `[areas]` table of the scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct AreaOptions {
    /// Time bands in minutes, ascending, no duplicates.
    pub bands: Vec<f64>,
    /// Lateral allowance in metres (the walk from the road to a door).
    pub lateral_m: f64,
}

impl Default for AreaOptions {
    fn default() -> AreaOptions {
        AreaOptions {
            bands: DEFAULT_BANDS.to_vec(),
            lateral_m: DEFAULT_LATERAL_M,
        }
    }
}

impl AreaOptions {
    /// The scenario's `[areas]` settings (`lateral_m`, `bands`; checked when the scenario was
    /// loaded), defaults when absent.
    pub fn from_scenario(scenario: &Scenario) -> Result<AreaOptions, InputError> {
        Ok(AreaOptions {
            bands: scenario.areas.bands.clone(),
            lateral_m: scenario.areas.lateral_m,
        })
    }
}

/// The largest lateral allowance, metres: the walk from the road to a door, not a region (at
/// 1e9 m a service area was larger than the Earth).
pub const MAX_LATERAL_M: f64 = 1_000.0;

impl AreaOptions {
    /// Checks the options however they were made (file, flags, code).
    pub fn check(&self) -> Result<(), String> {
        if !(self.lateral_m.is_finite() && self.lateral_m > 0.0 && self.lateral_m <= MAX_LATERAL_M)
        {
            return Err(format!(
                "[areas] lateral_m = {} must be more than 0 and at most {MAX_LATERAL_M} metres \
                 (the walk from the road to a door)",
                self.lateral_m
            ));
        }
        check_bands(&self.bands).map_err(|e| format!("[areas] {e}"))?;
        Ok(())
    }
}

/// Checks time bands (positive, finite, at least one) and returns them ascending without
/// duplicates.
pub fn check_bands(bands: &[f64]) -> Result<Vec<f64>, String> {
    if bands.is_empty() {
        return Err("bands: give at least one time band in minutes".into());
    }
    if let Some(b) = bands.iter().find(|b| !(b.is_finite() && **b > 0.0)) {
        return Err(format!("bands: {b} is not a positive number of minutes"));
    }
    let mut v = bands.to_vec();
    v.sort_by(f64::total_cmp);
    v.dedup();
    Ok(v)
}

/// The service area of one facility in one band.
#[derive(Debug, Clone)]
pub struct FacilityArea {
    /// Index into `study.layers.facilities`.
    pub facility: usize,
    pub minutes: f64,
    /// On the local plane (metres).
    pub polygon: MultiPolygon<f64>,
    /// The same in WGS-84 lon/lat, snap-rounded for the outputs (see [`to_wgs84`]).
    pub wgs84: MultiPolygon<f64>,
    pub area_km2: f64,
    pub population: f64,
    pub elderly: f64,
    /// The demand points inside (indexes into `study.demand`), ascending.
    pub demand_inside: Vec<u32>,
    /// The straight-line circle of the same time at the same speed: π (speed × minutes)².
    pub circle_km2: f64,
}

impl FacilityArea {
    /// Network area over circle area (how much a straight-line circle overstates the area).
    pub fn ratio(&self) -> f64 {
        if self.circle_km2 > 0.0 {
            self.area_km2 / self.circle_km2
        } else {
            0.0
        }
    }
}

/// The dissolved service area of one facility kind in one band.
#[derive(Debug, Clone)]
pub struct KindArea {
    pub kind: FacilityKind,
    pub minutes: f64,
    pub facilities: usize,
    /// On the local plane (metres).
    pub polygon: MultiPolygon<f64>,
    /// The same in WGS-84 lon/lat, snap-rounded for the outputs (see [`to_wgs84`]).
    pub wgs84: MultiPolygon<f64>,
    pub area_km2: f64,
    /// Area inside the district, km², and its share of the district area.
    pub district_area_km2: f64,
    pub district_area_share: f64,
    pub population: f64,
    pub elderly: f64,
    /// Share of the district's elderly people (all demand points) inside.
    pub elderly_share: f64,
}

/// What the district area was measured from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DistrictBasis {
    /// The union of the community polygons.
    CommunityPolygons,
    /// The convex hull of the road network (communities given as points).
    RoadHull,
}

impl DistrictBasis {
    pub fn as_str(self) -> &'static str {
        match self {
            DistrictBasis::CommunityPolygons => "union of the community polygons",
            DistrictBasis::RoadHull => "convex hull of the road network",
        }
    }
}

/// Every service area of a study.
#[derive(Debug, Clone)]
pub struct ServiceAreas {
    pub options: AreaOptions,
    /// Walking (travel) speed used for the straight-line circles, m/min.
    pub speed_m_per_min: f64,
    /// Per facility (id order), per band (ascending).
    pub facilities: Vec<FacilityArea>,
    /// Per kind (in `FacilityKind::ALL` order, the study's audited kinds), per band.
    pub kinds: Vec<KindArea>,
    pub district_area_km2: f64,
    pub district_basis: DistrictBasis,
    pub total_population: f64,
    pub total_elderly: f64,
}

/// A facility as a search source: where it stands (plane) and where it joins the network.
#[derive(Debug, Clone, Copy)]
pub struct Origin {
    pub xy: Coord<f64>,
    pub snap: Snap,
}

/// The reached pieces of the network within `band` minutes after `space` ran a
/// `FromSource` search from `origins` with a limit of at least `band`: segments on the local
/// plane, and the origins reached by no segment (zero-length, kept as points).
pub fn reached_segments(
    graph: &RoadGraph,
    space: &SearchSpace,
    origins: &[Origin],
    band: f64,
) -> (Vec<[Coord<f64>; 2]>, Vec<Coord<f64>>) {
    // (edge, from, to) as fractions of the edge from its u end.
    let mut intervals: Vec<(u32, f64, f64)> = Vec::new();
    for &node in space.reached() {
        let t = space.minutes(node);
        let left = band - t;
        if left <= 0.0 {
            continue;
        }
        for &(_, minutes, edge) in graph.out_arcs(node) {
            let f = if minutes > 0.0 {
                (left / minutes).min(1.0)
            } else {
                1.0
            };
            if graph.edges[edge as usize].u == node {
                intervals.push((edge, 0.0, f));
            } else {
                intervals.push((edge, 1.0 - f, 1.0));
            }
        }
    }
    let mut segments = Vec::new();
    let mut points = Vec::new();
    for o in origins {
        let e = &graph.edges[o.snap.edge as usize];
        // Minutes of the access leg, as the search counts them.
        let access = o.snap.access_m / e.m_per_min;
        let a = graph.nodes[e.u as usize];
        let b = graph.nodes[e.v as usize];
        let foot = lerp(a, b, o.snap.t);
        let leg_end = if access <= band + EPS_MIN {
            foot
        } else {
            lerp(o.xy, foot, band / access)
        };
        let left = band - access;
        if left > 0.0 {
            let toward = |minutes: f64, room: f64| -> f64 {
                if !minutes.is_finite() {
                    0.0
                } else if minutes > 0.0 {
                    (left / minutes).min(room)
                } else {
                    room
                }
            };
            let back = toward(e.minutes_vu, o.snap.t);
            let ahead = toward(e.minutes_uv, 1.0 - o.snap.t);
            intervals.push((o.snap.edge, o.snap.t - back, o.snap.t + ahead));
        }
        if dist(o.xy, leg_end) > 1e-9 {
            segments.push([o.xy, leg_end]);
        } else if left <= 0.0 {
            points.push(o.xy);
        }
    }
    intervals.sort_by(|x, y| {
        x.0.cmp(&y.0)
            .then(x.1.total_cmp(&y.1))
            .then(x.2.total_cmp(&y.2))
    });
    let mut i = 0;
    while i < intervals.len() {
        let (edge, mut lo, mut hi) = intervals[i];
        let mut j = i + 1;
        let e = &graph.edges[edge as usize];
        let (a, b) = (graph.nodes[e.u as usize], graph.nodes[e.v as usize]);
        let emit = |lo: f64, hi: f64, segments: &mut Vec<[Coord<f64>; 2]>| {
            if hi > lo {
                segments.push([lerp(a, b, lo), lerp(a, b, hi)]);
            }
        };
        while j < intervals.len() && intervals[j].0 == edge {
            let (_, l2, h2) = intervals[j];
            if l2 <= hi {
                hi = hi.max(h2);
            } else {
                emit(lo, hi, &mut segments);
                lo = l2;
                hi = h2;
            }
            j += 1;
        }
        emit(lo, hi, &mut segments);
        i = j;
    }
    (segments, points)
}

/// The point at fraction `t` from `a` to `b`; exactly `a` at 0 and `b` at 1, so pieces of
/// neighbouring edges share their end points bit for bit.
fn lerp(a: Coord<f64>, b: Coord<f64>, t: f64) -> Coord<f64> {
    if t >= 1.0 {
        return b;
    }
    Coord {
        x: a.x + t * (b.x - a.x),
        y: a.y + t * (b.y - a.y),
    }
}

fn dist(a: Coord<f64>, b: Coord<f64>) -> f64 {
    (a.x - b.x).hypot(a.y - b.y)
}

/// Segments per widening group: each group is chained and widened in one overlay, and the
/// groups are unioned in a balanced tree (see [`widen`]).
const GROUP_SEGMENTS: usize = 256;

/// Up to this many segments a reach is chained and widened in one overlay: for the reach of a
/// 15-minute walk (a few hundred to a thousand street pieces) one overlay is faster than
/// grouping, which adds caps at the group borders and unions to remove them again.
const ONE_OVERLAY_SEGMENTS: usize = 1024;

/// Widens segments and points by `lateral_m` (round caps and joins) and unions them.
///
/// One overlay of every widened piece costs far more than the shape: each widened piece is
/// split against all the pieces it overlaps, so a long reach (driving, a 60-minute band) ran
/// for minutes and gigabytes. Instead the segments are ordered along a Z-order curve of their
/// midpoints and cut into groups of [`GROUP_SEGMENTS`] neighbours; each group is widened on its
/// own, and the groups are unioned pairwise in a balanced tree (neighbours first), so every
/// overlay above the leaves meets only two outlines. The work grows with the reached length
/// times the depth of the tree, not with the square of the pieces. The shape is the same
/// union (up to the overlay's rounding, well under a millimetre).
pub fn widen(segments: &[[Coord<f64>; 2]], points: &[Coord<f64>], lateral_m: f64) -> MultiPolygon {
    let style = || {
        BufferStyle::new(lateral_m)
            .line_cap(LineCap::Round(ROUND_STEP_RAD))
            .line_join(LineJoin::Round(ROUND_STEP_RAD))
    };
    let grouped = if segments.len() <= ONE_OVERLAY_SEGMENTS {
        vec![segments.to_vec()]
    } else {
        spatial_groups(segments, lateral_m)
    };
    let mut groups: Vec<MultiPolygon<f64>> = grouped
        .into_iter()
        .filter(|group| !group.is_empty())
        .map(|group| {
            MultiLineString::new(chain(&group).into_iter().map(LineString::new).collect())
                .buffer_with_style(style())
        })
        .collect();
    if !points.is_empty() {
        groups.push(
            MultiPoint::new(points.iter().map(|c| Point(*c)).collect()).buffer_with_style(style()),
        );
    }
    tidy(&union_tree(groups))
}

/// The segments in groups of [`GROUP_SEGMENTS`], consecutive along a Z-order curve of their
/// midpoints (on a grid of `cell_m`), so each group is a compact patch. Deterministic: ties
/// in the curve keep the input order.
fn spatial_groups(segments: &[[Coord<f64>; 2]], cell_m: f64) -> Vec<Vec<[Coord<f64>; 2]>> {
    if segments.is_empty() {
        return Vec::new();
    }
    let mid = |s: &[Coord<f64>; 2]| ((s[0].x + s[1].x) / 2.0, (s[0].y + s[1].y) / 2.0);
    let (mut x0, mut y0) = (f64::INFINITY, f64::INFINITY);
    for s in segments {
        let (x, y) = mid(s);
        x0 = x0.min(x);
        y0 = y0.min(y);
    }
    let cell = cell_m.max(1.0);
    let mut keyed: Vec<(u64, usize)> = segments
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let (x, y) = mid(s);
            let gx = ((x - x0) / cell).clamp(0.0, u32::MAX as f64) as u32;
            let gy = ((y - y0) / cell).clamp(0.0, u32::MAX as f64) as u32;
            (morton(gx, gy), i)
        })
        .collect();
    keyed.sort_by_key(|&(k, i)| (k, i));
    keyed
        .chunks(GROUP_SEGMENTS)
        .map(|c| c.iter().map(|&(_, i)| segments[i]).collect())
        .collect()
}

/// Interleaves the bits of x and y (Z-order).
fn morton(x: u32, y: u32) -> u64 {
    fn spread(v: u32) -> u64 {
        let mut v = v as u64;
        v = (v | (v << 16)) & 0x0000_ffff_0000_ffff;
        v = (v | (v << 8)) & 0x00ff_00ff_00ff_00ff;
        v = (v | (v << 4)) & 0x0f0f_0f0f_0f0f_0f0f;
        v = (v | (v << 2)) & 0x3333_3333_3333_3333;
        v = (v | (v << 1)) & 0x5555_5555_5555_5555;
        v
    }
    spread(x) | (spread(y) << 1)
}

/// The union of polygons, pairwise in a balanced tree over their order (the two halves in
/// parallel). The tree's shape depends only on the count, so the result is deterministic.
pub fn union_tree(mut parts: Vec<MultiPolygon<f64>>) -> MultiPolygon<f64> {
    parts.retain(|p| !p.0.is_empty());
    match parts.len() {
        0 => MultiPolygon::new(Vec::new()),
        1 => parts.pop().unwrap_or_else(|| MultiPolygon::new(Vec::new())),
        n => {
            let right = parts.split_off(n / 2);
            let (a, b) = rayon::join(|| union_tree(parts), || union_tree(right));
            if a.0.is_empty() {
                b
            } else if b.0.is_empty() {
                a
            } else {
                a.union(&b)
            }
        }
    }
}

/// Rings smaller than this are dropped (square metres): slivers between widened roads that
/// nearly touch.
const MIN_RING_M2: f64 = 1.0;

/// Drops the sliver rings the overlay leaves (see [`MIN_RING_M2`]).
fn tidy(shape: &MultiPolygon<f64>) -> MultiPolygon<f64> {
    let ring = |ls: &LineString<f64>| -> Option<LineString<f64>> {
        (Polygon::new(ls.clone(), Vec::new()).unsigned_area() >= MIN_RING_M2).then(|| ls.clone())
    };
    MultiPolygon::new(
        shape
            .0
            .iter()
            .filter_map(|p| {
                let exterior = ring(p.exterior())?;
                Some(Polygon::new(
                    exterior,
                    p.interiors().iter().filter_map(ring).collect(),
                ))
            })
            .collect(),
    )
}

/// Joins segments into polylines through their shared end points, so the widening has few
/// round caps to union (a cap per segment end makes the overlay split thousands of arcs that
/// lie inside the shape anyway). At every vertex a polyline goes on along the straightest
/// unused segment; polylines start at vertices of odd degree first, so on a street grid most
/// vertices are passed through. Deterministic for the order of the segments.
fn chain(segments: &[[Coord<f64>; 2]]) -> Vec<Vec<Coord<f64>>> {
    use std::collections::HashMap;
    let key = |c: Coord<f64>| (c.x.to_bits(), c.y.to_bits());
    let mut ids: HashMap<(u64, u64), u32> = HashMap::with_capacity(segments.len() * 2);
    let mut vertices: Vec<Coord<f64>> = Vec::with_capacity(segments.len() * 2);
    let mut ends: Vec<[u32; 2]> = Vec::with_capacity(segments.len());
    for s in segments {
        let mut pair = [0u32; 2];
        for (k, c) in s.iter().enumerate() {
            pair[k] = *ids.entry(key(*c)).or_insert_with(|| {
                vertices.push(*c);
                (vertices.len() - 1) as u32
            });
        }
        ends.push(pair);
    }
    // Incidence in compressed rows: (segment, other end).
    let mut offsets = vec![0usize; vertices.len() + 1];
    for e in &ends {
        offsets[e[0] as usize + 1] += 1;
        offsets[e[1] as usize + 1] += 1;
    }
    for i in 0..vertices.len() {
        offsets[i + 1] += offsets[i];
    }
    let mut fill = offsets.clone();
    let mut incident = vec![(0u32, 0u32); offsets[vertices.len()]];
    for (i, e) in ends.iter().enumerate() {
        for (a, b) in [(e[0], e[1]), (e[1], e[0])] {
            incident[fill[a as usize]] = (i as u32, b);
            fill[a as usize] += 1;
        }
    }
    let mut used = vec![false; segments.len()];
    let mut lines = Vec::new();
    let odd = (0..vertices.len()).filter(|&v| (offsets[v + 1] - offsets[v]) % 2 == 1);
    let starts: Vec<usize> = odd.chain(0..vertices.len()).collect();
    for start in starts {
        loop {
            let first = incident[offsets[start]..offsets[start + 1]]
                .iter()
                .find(|(s, _)| !used[*s as usize]);
            let Some(&(s, next)) = first else {
                break;
            };
            used[s as usize] = true;
            let mut line = vec![vertices[start], vertices[next as usize]];
            let (mut prev, mut at) = (start, next as usize);
            loop {
                let (p, c) = (vertices[prev], vertices[at]);
                let (dx, dy) = (c.x - p.x, c.y - p.y);
                let mut best: Option<(f64, u32, u32)> = None;
                for &(s, other) in &incident[offsets[at]..offsets[at + 1]] {
                    if used[s as usize] {
                        continue;
                    }
                    let o = vertices[other as usize];
                    let (ex, ey) = (o.x - c.x, o.y - c.y);
                    let len = (dx.hypot(dy) * ex.hypot(ey)).max(f64::MIN_POSITIVE);
                    let straight = (dx * ex + dy * ey) / len;
                    if best.is_none_or(|(b, _, _)| straight > b) {
                        best = Some((straight, s, other));
                    }
                }
                let Some((_, s, other)) = best else {
                    break;
                };
                used[s as usize] = true;
                line.push(vertices[other as usize]);
                prev = at;
                at = other as usize;
            }
            lines.push(line);
        }
    }
    lines
}

/// Demand points on the local plane in an R-tree, for "who lives inside".
struct DemandIndex {
    tree: RTree<GeomWithData<[f64; 2], u32>>,
}

impl DemandIndex {
    fn new(study: &Study) -> DemandIndex {
        let plane = &study.graph.plane;
        DemandIndex {
            tree: RTree::bulk_load(
                study
                    .demand
                    .iter()
                    .enumerate()
                    .map(|(i, d)| {
                        let c = plane.project(d.location.0);
                        GeomWithData::new([c.x, c.y], i as u32)
                    })
                    .collect(),
            ),
        }
    }

    /// The demand points (indexes into `study.demand`) in or on the polygon, ascending.
    fn inside(&self, polygon: &MultiPolygon<f64>) -> Vec<u32> {
        let Some(r) = polygon.bounding_rect() else {
            return Vec::new();
        };
        let env = AABB::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y]);
        let candidates: Vec<&GeomWithData<[f64; 2], u32>> =
            self.tree.locate_in_envelope(&env).collect();
        if candidates.is_empty() {
            return Vec::new();
        }
        let locator = PointLocator::new(polygon);
        let mut hits: Vec<u32> = candidates
            .into_iter()
            .filter(|p| {
                let [x, y] = *p.geom();
                locator.in_or_on(Coord { x, y })
            })
            .map(|p| p.data)
            .collect();
        hits.sort_unstable();
        hits
    }
}

/// Point in polygon for many points against one large polygon: the edges of every ring in
/// horizontal bands (an edge is listed in each band its y-range meets), so a point is tested
/// against the edges of its own band only, not every edge (geo's `intersects` walks them all,
/// which made "who lives inside" cost points × vertices on large service areas).
struct PointLocator {
    y0: f64,
    band_h: f64,
    /// Edges per band, as (a, b) with `a.y <= b.y`.
    bands: Vec<Vec<[Coord<f64>; 2]>>,
}

impl PointLocator {
    fn new(polygon: &MultiPolygon<f64>) -> PointLocator {
        let edges: Vec<[Coord<f64>; 2]> = polygon
            .0
            .iter()
            .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
            .flat_map(|ring| ring.lines())
            .map(|l| {
                if l.start.y <= l.end.y {
                    [l.start, l.end]
                } else {
                    [l.end, l.start]
                }
            })
            .collect();
        let (mut y0, mut y1) = (f64::INFINITY, f64::NEG_INFINITY);
        for e in &edges {
            y0 = y0.min(e[0].y);
            y1 = y1.max(e[1].y);
        }
        let count = (edges.len() / 4).clamp(1, 1 << 16);
        let band_h = ((y1 - y0) / count as f64).max(f64::MIN_POSITIVE);
        let mut bands = vec![Vec::new(); count];
        let band_of = |y: f64| (((y - y0) / band_h) as usize).min(count - 1);
        for e in edges {
            for band in &mut bands[band_of(e[0].y)..=band_of(e[1].y)] {
                band.push(e);
            }
        }
        PointLocator { y0, band_h, bands }
    }

    /// In or on the polygon (even-odd over all rings; on an edge counts as in).
    fn in_or_on(&self, p: Coord<f64>) -> bool {
        use geo::{Kernel, Orientation};
        let raw = (p.y - self.y0) / self.band_h;
        if raw.is_nan() || raw < 0.0 || raw as usize > self.bands.len() {
            return false;
        }
        let band = &self.bands[(raw as usize).min(self.bands.len() - 1)];
        let mut odd = false;
        for &[a, b] in band {
            if p.y < a.y || p.y > b.y {
                continue;
            }
            let o = geo::kernels::RobustKernel::orient2d(a, b, p);
            if o == Orientation::Collinear && p.x >= a.x.min(b.x) && p.x <= a.x.max(b.x) {
                return true;
            }
            // A ray from p toward +x crosses the edge (a below b) when p is left of it;
            // half-open in y so a vertex is counted once.
            if p.y < b.y && o == Orientation::CounterClockwise {
                odd = !odd;
            }
        }
        odd
    }
}

/// Population and elderly people of demand points, summed in index order (so totals do not
/// depend on any tree's layout).
fn people(study: &Study, points: &[u32]) -> (f64, f64) {
    let mut population = 0.0;
    let mut elderly = 0.0;
    for &i in points {
        population += study.demand[i as usize].population;
        elderly += study.demand[i as usize].elderly;
    }
    (population, elderly)
}

/// The origins of facilities (those that could be snapped).
fn origins_of(study: &Study, facilities: &[usize]) -> Vec<Origin> {
    facilities
        .iter()
        .filter_map(|&i| {
            let snap = study.facility_snaps[i]?;
            Some(Origin {
                xy: study
                    .graph
                    .plane
                    .project(study.layers.facilities[i].location.0),
                snap,
            })
        })
        .collect()
}

/// The service-area polygons of every facility for every band (plane coordinates), in
/// facility order, bands ascending. One search per facility, in parallel; `progress` is
/// called once per facility.
pub fn facility_polygons(
    study: &Study,
    bands: &[f64],
    lateral_m: f64,
    progress: &(dyn Fn() + Sync),
) -> Vec<Vec<MultiPolygon<f64>>> {
    let graph = &study.graph;
    let sources = SourceSet::new(study.facility_snaps.clone());
    let max_band = bands.iter().copied().fold(0.0, f64::max);
    (0..study.layers.facilities.len())
        .into_par_iter()
        .map_init(
            || SearchSpace::new(graph),
            |space, i| {
                let origins = origins_of(study, &[i]);
                space.run(
                    graph,
                    sources.seeds(graph, i as u32, Direction::FromSource),
                    max_band,
                    Direction::FromSource,
                );
                let polygons = bands
                    .iter()
                    .map(|&band| {
                        if origins.is_empty() {
                            return MultiPolygon::new(Vec::new());
                        }
                        let (segments, points) = reached_segments(graph, space, &origins, band);
                        widen(&segments, &points, lateral_m)
                    })
                    .collect();
                progress();
                polygons
            },
        )
        .collect()
}

/// The dissolved service area of a set of facilities within `band` (plane coordinates): one
/// multi-source search.
pub fn dissolved_polygon(
    study: &Study,
    facilities: &[usize],
    band: f64,
    lateral_m: f64,
) -> MultiPolygon<f64> {
    let graph = &study.graph;
    let origins = origins_of(study, facilities);
    if origins.is_empty() {
        return MultiPolygon::new(Vec::new());
    }
    let sources = SourceSet::new(origins.iter().map(|o| Some(o.snap)).collect());
    let seeds: Vec<_> = (0..sources.len() as u32)
        .flat_map(|s| sources.seeds(graph, s, Direction::FromSource))
        .collect();
    let mut space = SearchSpace::new(graph);
    space.run(graph, seeds, band, Direction::FromSource);
    let (segments, points) = reached_segments(graph, &space, &origins, band);
    widen(&segments, &points, lateral_m)
}

/// The district outline on the local plane and what it was made from.
pub fn district(study: &Study) -> (MultiPolygon<f64>, DistrictBasis) {
    let plane = &study.graph.plane;
    let mut polygons: Vec<Polygon<f64>> = Vec::new();
    let mut all_polygons = !study.layers.communities.is_empty();
    for c in &study.layers.communities {
        match &c.geometry {
            Geometry::Polygon(p) => polygons.push(p.clone()),
            Geometry::MultiPolygon(mp) => polygons.extend(mp.0.iter().cloned()),
            _ => all_polygons = false,
        }
    }
    if all_polygons {
        let projected: Vec<Polygon<f64>> = polygons
            .iter()
            .map(|p| {
                use geo::MapCoords;
                use geo::Orient;
                p.map_coords(|c| plane.project(c))
                    .orient(geo::orient::Direction::Default)
            })
            .collect();
        (
            geo::unary_union(&projected),
            DistrictBasis::CommunityPolygons,
        )
    } else {
        let hull =
            MultiPoint::new(study.graph.nodes.iter().map(|c| Point(*c)).collect()).convex_hull();
        (MultiPolygon::new(vec![hull]), DistrictBasis::RoadHull)
    }
}

/// Every service area of a study: per facility and band, and dissolved per kind and band.
/// `progress` is called once per facility.
///
/// Refuses options the algorithm cannot honour sensibly (a lateral allowance over
/// [`MAX_LATERAL_M`], bands that are not positive minutes) with an error naming the scenario,
/// however they were given.
pub fn service_areas(
    study: &Study,
    options: &AreaOptions,
    progress: &(dyn Fn() + Sync),
) -> Result<ServiceAreas, InputError> {
    options
        .check()
        .map_err(|e| InputError::file(&study.scenario.path, Problem::Scenario(e)))?;
    let bands = &options.bands;
    let speed = study.scenario.travel.speed_m_per_min;
    let index = DemandIndex::new(study);
    let polygons = facility_polygons(study, bands, options.lateral_m, progress);
    let facilities: Vec<FacilityArea> = polygons
        .into_par_iter()
        .enumerate()
        .flat_map_iter(|(i, per_band)| {
            let index = &index;
            per_band
                .into_iter()
                .zip(bands.iter())
                .map(move |(polygon, &minutes)| {
                    let demand_inside = index.inside(&polygon);
                    let (population, elderly) = people(study, &demand_inside);
                    let r = speed * minutes;
                    FacilityArea {
                        facility: i,
                        minutes,
                        area_km2: polygon.unsigned_area() / 1e6,
                        wgs84: to_wgs84(&study.graph, &polygon),
                        polygon,
                        population,
                        elderly,
                        demand_inside,
                        circle_km2: PI * r * r / 1e6,
                    }
                })
        })
        .collect();
    let (district_shape, district_basis) = district(study);
    let district_area = district_shape.unsigned_area();
    let total_population: f64 = study.demand.iter().map(|d| d.population).sum();
    let total_elderly: f64 = study.demand.iter().map(|d| d.elderly).sum();
    let jobs: Vec<(FacilityKind, f64)> = study
        .audited_kinds()
        .into_iter()
        .flat_map(|k| bands.iter().map(move |&b| (k, b)))
        .collect();
    let kinds = jobs
        .into_par_iter()
        .map(|(kind, minutes)| {
            let members: Vec<&FacilityArea> = facilities
                .iter()
                .filter(|a| {
                    a.minutes == minutes && study.layers.facilities[a.facility].kind == kind
                })
                .collect();
            let shapes: Vec<&MultiPolygon<f64>> = members
                .iter()
                .map(|a| &a.polygon)
                .filter(|p| !p.0.is_empty())
                .collect();
            let polygon = if shapes.is_empty() {
                MultiPolygon::new(Vec::new())
            } else {
                tidy(&union_tree(shapes.into_iter().cloned().collect()))
            };
            // Inside the union means inside one of the facility polygons.
            let mut inside: Vec<u32> = members
                .iter()
                .flat_map(|a| a.demand_inside.iter().copied())
                .collect();
            inside.sort_unstable();
            inside.dedup();
            let (population, elderly) = people(study, &inside);
            let in_district = if polygon.0.is_empty() {
                0.0
            } else {
                // The overlay's rounding may give a hair more than the district itself.
                polygon
                    .intersection(&district_shape)
                    .unsigned_area()
                    .min(district_area)
            };
            KindArea {
                kind,
                minutes,
                facilities: members.len(),
                area_km2: polygon.unsigned_area() / 1e6,
                wgs84: to_wgs84(&study.graph, &polygon),
                polygon,
                district_area_km2: in_district / 1e6,
                district_area_share: share(in_district, district_area),
                population,
                elderly,
                elderly_share: share(elderly, total_elderly),
            }
        })
        .collect();
    Ok(ServiceAreas {
        options: options.clone(),
        speed_m_per_min: speed,
        facilities,
        kinds,
        district_area_km2: district_area / 1e6,
        district_basis,
        total_population,
        total_elderly,
    })
}

fn share(part: f64, whole: f64) -> f64 {
    if whole > 0.0 {
        part / whole
    } else {
        0.0
    }
}

/// A plane polygon as WGS-84 lon/lat on the outputs' 1e-7° grid (about 1 cm), still valid.
///
/// Rounding vertices one by one can make a valid polygon invalid (two parts of a ring a few
/// millimetres apart land on one grid point). So the polygon is rounded by snap rounding: one
/// more overlay (`geo::unary_union`) whose integer grid is the output grid. The overlay's
/// integer step is a power of two set by the extent of its input; in units of 1e-7° around an
/// origin on the grid, with two one-unit squares at ±2²⁹ added (and dropped afterwards) the
/// step is exactly one unit. The overlay resolves every crossing and touch on that grid.
pub fn to_wgs84(graph: &RoadGraph, polygon: &MultiPolygon<f64>) -> MultiPolygon<f64> {
    use geo::{MapCoords, Orient};
    const GRID: f64 = 1e7;
    const HALF: f64 = (1u64 << 29) as f64;
    let Some(first) = polygon.0.first().and_then(|p| p.exterior().0.first()) else {
        return MultiPolygon::new(Vec::new());
    };
    let origin = graph.plane.unproject(*first);
    let (ox, oy) = ((origin.x * GRID).round(), (origin.y * GRID).round());
    let to_grid = |c: Coord<f64>| {
        let ll = graph.plane.unproject(c);
        Coord {
            x: (ll.x * GRID).round() - ox,
            y: (ll.y * GRID).round() - oy,
        }
    };
    let square = |x: f64, y: f64| {
        Polygon::new(
            LineString::from(vec![(x, y), (x + 1.0, y), (x + 1.0, y + 1.0), (x, y + 1.0)]),
            Vec::new(),
        )
    };
    let mut parts: Vec<Polygon<f64>> = polygon
        .0
        .iter()
        .map(|p| {
            p.map_coords(to_grid)
                .orient(geo::orient::Direction::Default)
        })
        .collect();
    parts.push(square(-HALF, -HALF));
    parts.push(square(HALF - 1.0, HALF - 1.0));
    let snapped = geo::unary_union(&parts);
    MultiPolygon::new(
        snapped
            .0
            .into_iter()
            .filter(|p| {
                p.exterior()
                    .0
                    .iter()
                    .all(|c| c.x.abs() < HALF / 2.0 && c.y.abs() < HALF / 2.0)
            })
            .map(|p| {
                p.map_coords(|c| Coord {
                    x: (ox + c.x) / GRID,
                    y: (oy + c.y) / GRID,
                })
            })
            .collect(),
    )
}

impl ServiceAreas {
    /// The areas of one kind and band, dissolved.
    pub fn kind(&self, kind: FacilityKind, minutes: f64) -> Option<&KindArea> {
        self.kinds
            .iter()
            .find(|k| k.kind == kind && k.minutes == minutes)
    }

    /// The area of one facility (index into `study.layers.facilities`) and band.
    pub fn facility(&self, facility: usize, minutes: f64) -> Option<&FacilityArea> {
        self.facilities
            .iter()
            .find(|f| f.facility == facility && f.minutes == minutes)
    }
}
