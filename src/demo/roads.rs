//! The invented street network: a jittered, slightly rotated grid whose spacing widens away
//! from the old town, with missing links, dead-end service roads, footways in parks and
//! across some blocks, a few one-way streets, curved main roads, a river crossed only at
//! bridges, lakes without roads and little islands of paths that connect to nothing.
//!
//! Every intersection is an explicit shared vertex: grid lines pass through the same node
//! coordinates, and where a main road crosses anything the crossing point is inserted into
//! both lines.

use geo::Coord;

use super::layout::{dist, Layout};
use crate::rng::SplitMix64;

/// One road line (metres on the layout's plane).
#[derive(Debug, Clone)]
pub(crate) struct Road {
    pub pts: Vec<Coord<f64>>,
    /// primary, secondary, tertiary, residential, footway or service.
    pub class: &'static str,
    /// One-way in drawing direction.
    pub oneway: bool,
    /// May cross the river.
    pub bridge: bool,
    /// A path on a lake island: exempt from the no-roads-in-lakes rule.
    pub island: bool,
    /// Main roads get their crossings with everything else inserted.
    pub main: bool,
    /// Street name (invented): grid rows are 纬N路, columns 经N路, numbered from the south and
    /// the west like the planned grids of many Chinese cities; footways and service roads have
    /// none.
    pub name: Option<String>,
}

impl Road {
    fn new(class: &'static str) -> Road {
        Road {
            pts: Vec::new(),
            class,
            oneway: false,
            bridge: false,
            island: false,
            main: false,
            name: None,
        }
    }
}

/// Grid rotation, radians.
const GRID_ANGLE: f64 = 0.28;

/// Beyond this distance from the old town the grid thins out into rural roads.
const URBAN_RADIUS_M: f64 = 3800.0;

fn add(a: Coord<f64>, b: Coord<f64>) -> Coord<f64> {
    Coord {
        x: a.x + b.x,
        y: a.y + b.y,
    }
}

fn sub(a: Coord<f64>, b: Coord<f64>) -> Coord<f64> {
    Coord {
        x: a.x - b.x,
        y: a.y - b.y,
    }
}

fn scale(a: Coord<f64>, k: f64) -> Coord<f64> {
    Coord {
        x: a.x * k,
        y: a.y * k,
    }
}

fn cross(a: Coord<f64>, b: Coord<f64>) -> f64 {
    a.x * b.y - a.y * b.x
}

fn lerp(a: Coord<f64>, b: Coord<f64>, t: f64) -> Coord<f64> {
    add(a, scale(sub(b, a), t))
}

/// Grid line positions along one axis: spacing from about 165 m near the core to about 290 m
/// far out, each gap varied by ±20 %.
fn line_positions(lo: f64, hi: f64, rng: &mut SplitMix64) -> Vec<f64> {
    let spacing = |at: f64, rng: &mut SplitMix64| {
        (165.0 + 125.0 * (at.abs() / 4500.0).min(1.0)) * rng.range(0.8, 1.2)
    };
    let mut up = vec![0.0];
    let mut at = 0.0;
    while at < hi {
        at += spacing(at, rng);
        up.push(at);
    }
    let mut down = Vec::new();
    at = 0.0;
    while at > lo {
        at -= spacing(at, rng);
        down.push(at);
    }
    down.reverse();
    down.extend(up);
    down
}

/// Attributes of one grid edge.
#[derive(Debug, Clone, Copy, PartialEq)]
struct EdgeAttr {
    kept: bool,
    class: &'static str,
    oneway: bool,
    bridge: bool,
}

struct Grid {
    nodes: Vec<Vec<Coord<f64>>>, // [k][l]
    nu: usize,
    nv: usize,
    k0: usize,
    l0: usize,
}

impl Grid {
    fn new(layout: &Layout, rng: &mut SplitMix64) -> Grid {
        let (s, c) = GRID_ANGLE.sin_cos();
        // The layout's bounding box in grid coordinates (u along the rotated x axis).
        let corners = [
            layout.min,
            layout.max,
            Coord {
                x: layout.min.x,
                y: layout.max.y,
            },
            Coord {
                x: layout.max.x,
                y: layout.min.y,
            },
        ];
        let to_uv = |p: Coord<f64>| {
            let d = sub(p, layout.core);
            (d.x * c + d.y * s, -d.x * s + d.y * c)
        };
        let (mut umin, mut umax, mut vmin, mut vmax) = (0.0f64, 0.0f64, 0.0f64, 0.0f64);
        for p in corners {
            let (u, v) = to_uv(p);
            umin = umin.min(u);
            umax = umax.max(u);
            vmin = vmin.min(v);
            vmax = vmax.max(v);
        }
        let us = line_positions(umin, umax, rng);
        let vs = line_positions(vmin, vmax, rng);
        let k0 = us.iter().position(|&u| u == 0.0).unwrap_or(0);
        let l0 = vs.iter().position(|&v| v == 0.0).unwrap_or(0);
        let mut nodes = Vec::with_capacity(us.len());
        for &u in &us {
            let mut column = Vec::with_capacity(vs.len());
            for &v in &vs {
                let uu = u + rng.range(-22.0, 22.0);
                let vv = v + rng.range(-22.0, 22.0);
                column.push(add(
                    layout.core,
                    Coord {
                        x: uu * c - vv * s,
                        y: uu * s + vv * c,
                    },
                ));
            }
            nodes.push(column);
        }
        Grid {
            nu: us.len(),
            nv: vs.len(),
            nodes,
            k0,
            l0,
        }
    }
}

/// Class of a grid line by its index counted from the line through the core.
fn line_class(index_from_core: i64) -> &'static str {
    if index_from_core.rem_euclid(6) == 0 {
        "secondary"
    } else if index_from_core.rem_euclid(3) == 0 {
        "tertiary"
    } else {
        "residential"
    }
}

/// Intermediate shape points of an edge: 2–4 points wiggling a little in town, 3–5 points
/// wiggling more in the country.
fn shape_points(
    a: Coord<f64>,
    b: Coord<f64>,
    rural: bool,
    rng: &mut SplitMix64,
) -> Vec<Coord<f64>> {
    let n = if rural { 3 } else { 2 } + rng.below(3);
    let d = sub(b, a);
    let len = d.x.hypot(d.y).max(1e-9);
    let normal = Coord {
        x: -d.y / len,
        y: d.x / len,
    };
    let amplitude = if rural { 14.0 } else { 4.0 };
    (1..=n)
        .map(|i| {
            let t = i as f64 / (n + 1) as f64 + rng.range(-0.04, 0.04);
            add(
                lerp(a, b, t),
                scale(normal, amplitude * rng.range(-1.0, 1.0)),
            )
        })
        .collect()
}

/// Lines along grid rows or columns, one road per run of kept edges with equal attributes.
/// `edge(i)` gives the nodes and attributes of the i-th edge along the line.
fn emit_line(
    name: &str,
    count: usize,
    mut edge: impl FnMut(usize) -> (Coord<f64>, Coord<f64>, EdgeAttr, Vec<Coord<f64>>),
    out: &mut Vec<Road>,
) {
    let mut current: Option<(EdgeAttr, Road)> = None;
    for i in 0..count {
        let (a, b, attr, shape) = edge(i);
        if !attr.kept {
            if let Some((_, road)) = current.take() {
                out.push(road);
            }
            continue;
        }
        let same = current.as_ref().is_some_and(|(ca, _)| *ca == attr);
        if !same {
            if let Some((_, road)) = current.take() {
                out.push(road);
            }
            let mut road = Road::new(attr.class);
            road.oneway = attr.oneway;
            road.bridge = attr.bridge;
            if attr.class != "footway" && attr.class != "service" {
                road.name = Some(name.to_string());
            }
            road.pts.push(a);
            current = Some((attr, road));
        }
        if let Some((_, road)) = current.as_mut() {
            road.pts.extend(shape);
            road.pts.push(b);
        }
    }
    if let Some((_, road)) = current {
        out.push(road);
    }
}

fn grid_roads(layout: &Layout, rng: &mut SplitMix64) -> Vec<Road> {
    let grid = Grid::new(layout, rng);
    let inside: Vec<Vec<bool>> = grid
        .nodes
        .iter()
        .map(|col| col.iter().map(|&p| layout.inside(p)).collect())
        .collect();
    let (k0, l0) = (grid.k0 as i64, grid.l0 as i64);
    // Lines that bridge the river: the row through the core and the sixth row north of it.
    let bridge_rows = [l0, l0 + 6];

    let attr_of = |ka: usize, la: usize, kb: usize, lb: usize, rng: &mut SplitMix64| {
        let a = grid.nodes[ka][la];
        let b = grid.nodes[kb][lb];
        let horizontal = la == lb;
        let (line, along) = if horizontal {
            (la as i64 - l0, ka as i64 - k0)
        } else {
            (ka as i64 - k0, la as i64 - l0)
        };
        let mid = lerp(a, b, 0.5);
        let urban = layout.core_distance(mid) < URBAN_RADIUS_M;
        let bridge = horizontal && bridge_rows.contains(&(la as i64));
        let mut class = line_class(line);
        if layout.in_park(mid) && !bridge {
            class = "footway";
        }
        let p_drop = if bridge {
            0.0
        } else {
            let base = if urban { 0.06 } else { 0.3 };
            if class == "secondary" {
                base / 4.0
            } else {
                base
            }
        };
        let dropped = rng.next_f64() < p_drop;
        let oneway = class != "footway"
            && ((horizontal && line == 1 && (-3..3).contains(&along))
                || (!horizontal && line == -2 && (-2..3).contains(&along)));
        let kept = !dropped && (inside[ka][la] || inside[kb][lb]);
        let shape = if kept {
            shape_points(a, b, !urban, rng)
        } else {
            Vec::new()
        };
        (
            a,
            b,
            EdgeAttr {
                kept,
                class,
                oneway,
                bridge,
            },
            shape,
        )
    };

    let mut roads = Vec::new();
    // Which blocks got a service spur, [l][k]: the block north of row l, east of column k.
    let mut spur_blocks = vec![vec![false; grid.nu]; grid.nv];
    for (l, spur_row) in spur_blocks.iter_mut().enumerate() {
        let mut row = Vec::new();
        emit_line(
            &format!("纬{}路", l + 1),
            grid.nu - 1,
            |k| {
                let e = attr_of(k, l, k + 1, l, rng);
                row.push(e.clone());
                e
            },
            &mut roads,
        );
        // Dead-end service roads from a shape point into the block to the north.
        for (k, (a, b, attr, shape)) in row.into_iter().enumerate() {
            let Some(&from) = shape.first() else { continue };
            if !attr.kept || attr.class == "footway" || attr.class == "secondary" {
                continue;
            }
            if layout.core_distance(from) > URBAN_RADIUS_M + 1500.0 || rng.next_f64() > 0.14 {
                continue;
            }
            let d = sub(b, a);
            let len = d.x.hypot(d.y).max(1e-9);
            let normal = Coord {
                x: -d.y / len,
                y: d.x / len,
            };
            let length = rng.range(40.0, 70.0);
            let mut spur = Road::new("service");
            spur.pts = vec![from, add(from, scale(normal, length))];
            roads.push(spur);
            spur_row[k] = true;
        }
    }
    for k in 0..grid.nu {
        emit_line(
            &format!("经{}路", k + 1),
            grid.nv - 1,
            |l| attr_of(k, l, k, l + 1, rng),
            &mut roads,
        );
    }
    // Footway shortcuts diagonally across a few urban blocks (not those with a spur).
    for k in 0..grid.nu - 1 {
        for l in 0..grid.nv - 1 {
            let a = grid.nodes[k][l];
            let b = grid.nodes[k + 1][l + 1];
            if spur_blocks[l][k] || !inside[k][l] || !inside[k + 1][l + 1] {
                continue;
            }
            if layout.core_distance(a) > URBAN_RADIUS_M || rng.next_f64() > 0.04 {
                continue;
            }
            let mut path = Road::new("footway");
            let mid = add(
                lerp(a, b, 0.5),
                Coord {
                    x: rng.range(-10.0, 10.0),
                    y: rng.range(-10.0, 10.0),
                },
            );
            path.pts = vec![a, mid, b];
            roads.push(path);
        }
    }
    roads
}

/// A polyline through sketch points, resampled every ~70 m and bent by a gentle wave.
fn curved_road(
    layout: &Layout,
    sketch: &[(f64, f64)],
    wave_m: f64,
    wavelength_m: f64,
) -> Vec<Coord<f64>> {
    let pts: Vec<Coord<f64>> = sketch.iter().map(|&(c, r)| layout.sketch(c, r)).collect();
    let mut out = Vec::new();
    let mut s_total = 0.0;
    for w in pts.windows(2) {
        let (a, b) = (w[0], w[1]);
        let d = sub(b, a);
        let len = d.x.hypot(d.y);
        if len < 1e-6 {
            continue;
        }
        let normal = Coord {
            x: -d.y / len,
            y: d.x / len,
        };
        let n = (len / 70.0).ceil().max(1.0) as usize;
        for i in 0..n {
            let t = i as f64 / n as f64;
            let s = s_total + t * len;
            // The wave vanishes at the sketch points so the pieces join smoothly enough.
            let envelope = (std::f64::consts::PI * t).sin();
            out.push(add(
                lerp(a, b, t),
                scale(normal, wave_m * envelope * (s / wavelength_m).sin()),
            ));
        }
        s_total += len;
    }
    if let Some(&last) = pts.last() {
        out.push(last);
    }
    out
}

fn main_roads(layout: &Layout) -> Vec<Road> {
    let mut avenue = Road::new("primary");
    avenue.pts = curved_road(
        layout,
        &[
            (13.0, 31.0),
            (19.0, 23.0),
            (29.0, 15.0),
            (36.0, 11.0),
            (44.0, 8.3),
            (52.0, 6.3),
            (62.0, 4.5),
            (75.0, 2.0),
        ],
        60.0,
        800.0,
    );
    avenue.bridge = true;
    avenue.main = true;
    avenue.name = Some("滨江大道".to_string());

    let mut ring = Road::new("primary");
    let r = 2300.0;
    let n = 140;
    ring.pts = (0..=n)
        .map(|i| {
            let a = (60.0 + 240.0 * i as f64 / n as f64).to_radians();
            add(
                layout.core,
                Coord {
                    x: r * a.cos(),
                    y: 0.85 * r * a.sin(),
                },
            )
        })
        .collect();
    ring.main = true;
    ring.name = Some("环城路".to_string());

    let mut tail = Road::new("secondary");
    tail.pts = curved_road(
        layout,
        &[
            (31.0, 13.5),
            (27.0, 20.0),
            (22.0, 26.0),
            (17.0, 32.0),
            (11.0, 40.0),
        ],
        90.0,
        600.0,
    );
    tail.main = true;
    tail.name = Some("北支路".to_string());
    vec![avenue, ring, tail]
}

/// Little paths on islands in three lakes: they connect to nothing.
fn island_paths(layout: &Layout) -> Vec<Road> {
    [0usize, 2, 3]
        .iter()
        .filter_map(|&i| layout.lakes.get(i))
        .map(|lake| {
            let mut path = Road::new("footway");
            path.island = true;
            path.pts = [0.0f64, 100.0, 200.0, 290.0]
                .iter()
                .map(|deg| {
                    let a = deg.to_radians();
                    add(
                        lake.centre,
                        Coord {
                            x: 35.0 * a.cos(),
                            y: 35.0 * a.sin(),
                        },
                    )
                })
                .collect();
            path
        })
        .collect()
}

/// Proper crossing of segments p–p2 and q–q2: parameters on each and the point.
fn crossing(
    p: Coord<f64>,
    p2: Coord<f64>,
    q: Coord<f64>,
    q2: Coord<f64>,
) -> Option<(f64, f64, Coord<f64>)> {
    let r = sub(p2, p);
    let s = sub(q2, q);
    let denom = cross(r, s);
    if denom.abs() < 1e-12 {
        return None;
    }
    let qp = sub(q, p);
    let t = cross(qp, s) / denom;
    let u = cross(qp, r) / denom;
    let eps = 1e-9;
    if t > eps && t < 1.0 - eps && u > eps && u < 1.0 - eps {
        Some((t, u, lerp(p, p2, t)))
    } else {
        None
    }
}

fn seg_bbox(a: Coord<f64>, b: Coord<f64>) -> (Coord<f64>, Coord<f64>) {
    (
        Coord {
            x: a.x.min(b.x),
            y: a.y.min(b.y),
        },
        Coord {
            x: a.x.max(b.x),
            y: a.y.max(b.y),
        },
    )
}

fn overlaps(a: (Coord<f64>, Coord<f64>), b: (Coord<f64>, Coord<f64>)) -> bool {
    a.0.x <= b.1.x && b.0.x <= a.1.x && a.0.y <= b.1.y && b.0.y <= a.1.y
}

/// Inserts every crossing of a main road with any other road into both lines.
fn insert_crossings(roads: &mut [Road]) {
    let bboxes: Vec<(Coord<f64>, Coord<f64>)> = roads
        .iter()
        .map(|r| {
            let mut lo = Coord {
                x: f64::INFINITY,
                y: f64::INFINITY,
            };
            let mut hi = Coord {
                x: f64::NEG_INFINITY,
                y: f64::NEG_INFINITY,
            };
            for p in &r.pts {
                lo.x = lo.x.min(p.x);
                lo.y = lo.y.min(p.y);
                hi.x = hi.x.max(p.x);
                hi.y = hi.y.max(p.y);
            }
            (lo, hi)
        })
        .collect();
    // Per road, per segment: (parameter along the segment, crossing point).
    type Inserts = Vec<Vec<(f64, Coord<f64>)>>;
    let mut inserts: Vec<Inserts> = roads
        .iter()
        .map(|r| vec![Vec::new(); r.pts.len().saturating_sub(1)])
        .collect();
    for m in 0..roads.len() {
        if !roads[m].main {
            continue;
        }
        for (r, other) in roads.iter().enumerate() {
            if r == m || (other.main && r < m) || !overlaps(bboxes[m], bboxes[r]) {
                continue;
            }
            for i in 0..roads[m].pts.len().saturating_sub(1) {
                let (p, p2) = (roads[m].pts[i], roads[m].pts[i + 1]);
                let bi = seg_bbox(p, p2);
                if !overlaps(bi, bboxes[r]) {
                    continue;
                }
                for j in 0..other.pts.len().saturating_sub(1) {
                    let (q, q2) = (other.pts[j], other.pts[j + 1]);
                    if !overlaps(bi, seg_bbox(q, q2)) {
                        continue;
                    }
                    if let Some((t, u, x)) = crossing(p, p2, q, q2) {
                        inserts[m][i].push((t, x));
                        inserts[r][j].push((u, x));
                    }
                }
            }
        }
    }
    for (road, ins) in roads.iter_mut().zip(inserts) {
        if ins.iter().all(|v| v.is_empty()) {
            continue;
        }
        let mut pts = Vec::with_capacity(road.pts.len() + ins.len());
        for (i, mut extra) in ins.into_iter().enumerate() {
            pts.push(road.pts[i]);
            extra.sort_by(|a, b| a.0.total_cmp(&b.0));
            pts.extend(extra.into_iter().map(|(_, x)| x));
        }
        if let Some(&last) = road.pts.last() {
            pts.push(last);
        }
        road.pts = pts;
    }
}

/// Whether a segment touches the river (sampled every 10 m).
fn touches_river(layout: &Layout, a: Coord<f64>, b: Coord<f64>) -> bool {
    if layout.east_bank(a) != layout.east_bank(b) {
        return true;
    }
    let n = (dist(a, b) / 10.0).ceil().max(1.0) as usize;
    (0..=n).any(|i| layout.in_river(lerp(a, b, i as f64 / n as f64), 8.0))
}

fn segment_allowed(layout: &Layout, road: &Road, a: Coord<f64>, b: Coord<f64>) -> bool {
    let mid = lerp(a, b, 0.5);
    if !(layout.inside(a) && layout.inside(b) && layout.inside(mid)) {
        return false;
    }
    if !road.island && [a, mid, b].iter().any(|&p| layout.in_lake(p, 5.0)) {
        return false;
    }
    road.bridge || !touches_river(layout, a, b)
}

/// Cuts every road where it leaves the district, enters a lake or would cross the river
/// without a bridge.
fn clip(layout: &Layout, roads: Vec<Road>) -> Vec<Road> {
    let mut out = Vec::new();
    for road in roads {
        let mut current: Vec<Coord<f64>> = Vec::new();
        for w in road.pts.windows(2) {
            if segment_allowed(layout, &road, w[0], w[1]) {
                if current.is_empty() {
                    current.push(w[0]);
                }
                current.push(w[1]);
            } else if current.len() >= 2 {
                out.push(Road {
                    pts: std::mem::take(&mut current),
                    ..road.clone()
                });
            } else {
                current.clear();
            }
        }
        if current.len() >= 2 {
            out.push(Road {
                pts: current,
                ..road
            });
        }
    }
    out
}

/// The whole network, clipped, in a fixed order.
pub(crate) fn generate_roads(layout: &Layout, rng: &mut SplitMix64) -> Vec<Road> {
    let mut roads = main_roads(layout);
    roads.extend(grid_roads(layout, rng));
    roads.extend(island_paths(layout));
    insert_crossings(&mut roads);
    clip(layout, roads)
}
